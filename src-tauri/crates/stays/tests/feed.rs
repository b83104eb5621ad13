//! The feed parser on fixtures in each source's exact format (CRLF, lines folded at 75
//! octets, Airbnb's escaped `\n` in DESCRIPTION, a PMS export with a VTIMEZONE, TZIDs,
//! floating and UTC times), plus what a feed answers when it is not a calendar.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use doorpost_stays::feed::{
    EntryKind, FeedError, FeedOptions, ParsedFeed, Stay, StayTime, merge_feeds, parse_feed,
};
use proptest::prelude::*;

const OSLO: Tz = chrono_tz::Europe::Oslo;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn parse(name: &str, options: &FeedOptions) -> ParsedFeed {
    parse_feed(&fixture(name), options, OSLO).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

fn dates(stay: &Stay) -> (NaiveDate, NaiveDate) {
    match stay.time {
        StayTime::Dates {
            check_in,
            check_out,
        } => (check_in, check_out),
        StayTime::Times { .. } => panic!("{} should be all-day", stay.uid),
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid UTC time")
}

#[test]
fn airbnb_bookings_blocks_codes_and_phone_digits() {
    let feed = parse("airbnb.ics", &FeedOptions::new("Airbnb"));
    assert_eq!(feed.skipped, 0);
    let kinds: Vec<EntryKind> = feed.stays.iter().map(|s| s.kind).collect();
    use EntryKind::{Block, Booking};
    assert_eq!(kinds, [Booking, Booking, Block, Block]);
    let first = &feed.stays[0];
    assert_eq!(dates(first), (date(2026, 12, 12), date(2026, 12, 15)));
    // The code sits across a folded line: unfolding must have joined it.
    assert_eq!(first.reservation_code.as_deref(), Some("HMXK4T9Q2B"));
    assert_eq!(first.phone_last4.as_deref(), Some("4821"));
    assert_eq!(first.guest_name, None, "Airbnb never sends a name");
    assert_eq!(feed.stays[1].phone_last4.as_deref(), Some("0735"));
    assert_eq!(feed.stays[2].summary, "Airbnb (Not available)");
    assert!(
        !feed.stays[2].blocks_vacant,
        "blocks are not vacant by default"
    );
    assert_eq!(
        first.sources.iter().collect::<Vec<_>>(),
        ["Airbnb"],
        "the label, never the URL"
    );
}

#[test]
fn same_day_turnover_is_two_stays_sharing_a_day() {
    let feed = parse("airbnb.ics", &FeedOptions::new("Airbnb"));
    let (_, first_out) = dates(&feed.stays[0]);
    let (second_in, _) = dates(&feed.stays[1]);
    assert_eq!(first_out, second_in, "DTEND is the exclusive check-out day");
}

#[test]
fn an_extended_stay_keeps_its_uid_and_gains_a_night() {
    let before = parse("airbnb.ics", &FeedOptions::new("Airbnb"));
    let after = parse("airbnb_extended.ics", &FeedOptions::new("Airbnb"));
    assert_eq!(before.stays[1].uid, after.stays[1].uid);
    assert_eq!(dates(&before.stays[1]).1, date(2026, 12, 18));
    assert_eq!(dates(&after.stays[1]).1, date(2026, 12, 19));
}

#[test]
fn booking_com_closed_is_a_booking_by_default_and_a_block_when_the_feed_says_so() {
    let feed = parse("booking_com.ics", &FeedOptions::new("Booking.com"));
    assert_eq!(feed.stays.len(), 2);
    assert!(feed.stays.iter().all(|s| s.kind == EntryKind::Booking));
    let mut blocks = FeedOptions::new("Booking.com");
    blocks.ambiguous = EntryKind::Block;
    blocks.blocks_vacant = true;
    let feed = parse("booking_com.ics", &blocks);
    assert!(
        feed.stays
            .iter()
            .all(|s| s.kind == EntryKind::Block && s.blocks_vacant)
    );
}

#[test]
fn vrbo_drops_tentative_and_cancelled_and_keeps_the_guest_name() {
    let feed = parse("vrbo.ics", &FeedOptions::new("VRBO"));
    let summaries: Vec<&str> = feed.stays.iter().map(|s| s.summary.as_str()).collect();
    assert_eq!(summaries, ["Reserved - Kari Nordmann", "Blocked"]);
    assert_eq!(feed.stays[0].guest_name.as_deref(), Some("Kari Nordmann"));
    assert_eq!(feed.stays[0].kind, EntryKind::Booking);
    assert_eq!(feed.stays[1].kind, EntryKind::Block);
}

#[test]
fn pms_names_tzid_floating_and_utc_times() {
    let feed = parse("pms.ics", &FeedOptions::new("Smoobu"));
    assert_eq!(feed.stays.len(), 3, "the cancelled stay is dropped");
    let ann = &feed.stays[0];
    assert_eq!(ann.guest_name.as_deref(), Some("Ann Berg"));
    assert_eq!(ann.kind, EntryKind::Booking);
    // 16:00 in Oslo in December is 15:00 UTC.
    assert_eq!(
        ann.time,
        StayTime::Times {
            start: utc(2026, 12, 12, 15, 0),
            end: utc(2026, 12, 15, 9, 0)
        }
    );
    let jurgen = &feed.stays[1];
    assert_eq!(jurgen.guest_name.as_deref(), Some("Jürgen Müller"));
    // Floating: read in the place's zone (Oslo, UTC+1 in December).
    assert_eq!(
        jurgen.time,
        StayTime::Times {
            start: utc(2026, 12, 24, 14, 0),
            end: utc(2026, 12, 27, 10, 0)
        }
    );
    let owner = &feed.stays[2];
    assert_eq!(owner.kind, EntryKind::Block);
    assert_eq!(owner.guest_name, None);
}

#[test]
fn merged_feeds_count_the_same_stay_once() {
    let airbnb = parse("airbnb.ics", &FeedOptions::new("Airbnb")).stays;
    let booking = parse("booking_com.ics", &FeedOptions::new("Booking.com")).stays;
    let pms = parse("pms.ics", &FeedOptions::new("Smoobu")).stays;
    let merged = merge_feeds([airbnb, booking, pms], OSLO);
    // Airbnb 12–15 = Smoobu's Ann Berg; Airbnb's block 20–22 = Booking.com's stay;
    // Booking.com 24–27 = Smoobu's Jürgen Müller.
    let ann = merged
        .iter()
        .find(|s| s.guest_name.as_deref() == Some("Ann Berg"))
        .expect("Ann's stay");
    assert_eq!(ann.reservation_code.as_deref(), Some("HMXK4T9Q2B"));
    assert!(
        matches!(ann.time, StayTime::Times { .. }),
        "exact times win"
    );
    assert_eq!(ann.sources.len(), 2);
    let sold_elsewhere = merged
        .iter()
        .find(|s| s.time.days(OSLO) == (date(2026, 12, 20), date(2026, 12, 22)))
        .expect("the nights Booking.com sold");
    assert_eq!(sold_elsewhere.kind, EntryKind::Booking);
    assert_eq!(
        sold_elsewhere.sources.iter().collect::<Vec<_>>(),
        ["Airbnb", "Booking.com"]
    );
    // 4 Airbnb + 2 Booking.com + 3 Smoobu, less the three counted twice.
    assert_eq!(merged.len(), 6);
}

#[test]
fn merging_a_feed_with_itself_changes_nothing() {
    let airbnb = parse("airbnb.ics", &FeedOptions::new("Airbnb")).stays;
    let merged = merge_feeds([airbnb.clone(), airbnb.clone()], OSLO);
    assert_eq!(merged, airbnb);
}

#[test]
fn an_html_login_page_is_a_clear_error() {
    let err = parse_feed(
        &fixture("login_page.html"),
        &FeedOptions::new("Airbnb"),
        OSLO,
    );
    assert_eq!(err, Err(FeedError::Html));
    let words = FeedError::Html.to_string();
    assert!(words.contains("web page"), "{words}");
}

#[test]
fn empty_garbage_and_truncated_answers_are_errors() {
    let options = FeedOptions::new("Airbnb");
    assert_eq!(parse_feed("", &options, OSLO), Err(FeedError::Empty));
    assert_eq!(parse_feed(" \r\n", &options, OSLO), Err(FeedError::Empty));
    assert_eq!(
        parse_feed("{\"error\":\"not found\"}", &options, OSLO),
        Err(FeedError::NotCalendar)
    );
    let truncated = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026";
    assert!(matches!(
        parse_feed(truncated, &options, OSLO),
        Err(FeedError::Malformed(_))
    ));
}

#[test]
fn an_event_without_usable_dates_is_skipped_not_fatal() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n\
        BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20261301\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261209\r\n\
        SUMMARY:Reserved\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20261210\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    let feed = parse_feed(text, &FeedOptions::new("PMS"), OSLO).expect("a calendar");
    assert_eq!(feed.skipped, 2, "a month 13 and an end before the start");
    assert_eq!(
        dates(&feed.stays[0]),
        (date(2026, 12, 10), date(2026, 12, 11))
    );
}

proptest! {
    /// Whatever a server answers, the parser returns; it never panics.
    #[test]
    fn any_answer_parses_or_errs_without_panicking(body in ".{0,400}", calendar in any::<bool>()) {
        let text = if calendar {
            format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        } else {
            body
        };
        let _ = parse_feed(&text, &FeedOptions::new("x"), OSLO);
    }
}
