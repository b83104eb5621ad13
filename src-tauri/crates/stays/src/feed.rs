//! One booking calendar (`.ics`) read into stays, and several calendars of a place merged.
//!
//! The `icalendar` crate parses the text (unfolding folded lines); this module decides what
//! each `VEVENT` means for a host:
//! - all-day events (`DTSTART;VALUE=DATE`, `DTEND` the exclusive check-out day) become
//!   [`StayTime::Dates`], whose times come from the place's rules at match time; timed
//!   events become [`StayTime::Times`], with a `TZID` resolved through the IANA database
//!   and floating times read in the place's zone;
//! - `STATUS:CANCELLED` is dropped, and so is `STATUS:TENTATIVE` (VRBO's enquiries);
//! - a summary tells a booking from a block per source: Airbnb's `Reserved` versus
//!   `Airbnb (Not available)`, VRBO's `Reserved - Name` versus `Blocked`; Booking.com's
//!   `CLOSED - Not available` marks both, so the feed's [`FeedOptions::ambiguous`] says
//!   which (bookings by default); any other summary (a PMS export's guest name) is a
//!   booking carrying that name;
//! - Airbnb's `DESCRIPTION` gives the reservation code and the phone's last four digits.
//!
//! Input that is not a calendar (an HTML login page, garbage, an empty answer) is a
//! [`FeedError`], never a panic. An event this module cannot place in time is skipped and
//! counted, so one odd entry does not cost the whole feed.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, Event};

/// What a feed's entries are where the source cannot tell (Booking.com).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EntryKind {
    /// Someone is expected: arrivals, no-shows.
    #[default]
    Booking,
    /// The place is closed for these nights (maybe booked elsewhere): no arrival is expected.
    Block,
}

/// One feed's settings, as the host set them when adding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedOptions {
    /// The host's name for the feed ("Airbnb"); never the URL, which is a secret.
    pub label: String,
    /// What entries are when the summary cannot tell (Booking.com's `CLOSED - Not available`).
    pub ambiguous: EntryKind,
    /// Whether this feed's blocked nights count as vacant (off: a block may hold a guest
    /// booked on another channel).
    pub blocks_vacant: bool,
}

impl FeedOptions {
    pub fn new(label: &str) -> Self {
        FeedOptions {
            label: label.to_owned(),
            ambiguous: EntryKind::Booking,
            blocks_vacant: false,
        }
    }
}

/// When a stay is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayTime {
    /// An all-day entry: the arrival day and the (exclusive) check-out day.
    Dates {
        check_in: NaiveDate,
        check_out: NaiveDate,
    },
    /// A timed entry: the exact start and end.
    Times {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

impl StayTime {
    /// The arrival and check-out days in the place's zone.
    pub fn days(&self, zone: Tz) -> (NaiveDate, NaiveDate) {
        match *self {
            StayTime::Dates {
                check_in,
                check_out,
            } => (check_in, check_out),
            StayTime::Times { start, end } => (
                start.with_timezone(&zone).date_naive(),
                end.with_timezone(&zone).date_naive(),
            ),
        }
    }
}

/// One stay (or block) at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    /// The feed's `UID` (the first feed's, once merged); stable across fetches, so a stay
    /// whose dates change (an extension) keeps its identity.
    pub uid: String,
    pub time: StayTime,
    pub kind: EntryKind,
    /// For a block: whether its nights count as vacant (the feed's setting).
    pub blocks_vacant: bool,
    pub summary: String,
    /// The guest's name where the feed carries one (PMS exports, VRBO's `Reserved - Name`).
    pub guest_name: Option<String>,
    /// Airbnb's reservation code (`HM…`), from the reservation URL.
    pub reservation_code: Option<String>,
    /// Airbnb's "Phone Number (Last 4 Digits)".
    pub phone_last4: Option<String>,
    /// The labels of the feeds that list this stay.
    pub sources: BTreeSet<String>,
}

/// Why a feed could not be read; the words are for the host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("The feed answered an empty page, not a calendar.")]
    Empty,
    #[error(
        "The feed answered a web page, not a calendar. Check that the link is the calendar \
         export link (it usually ends in .ics) and that it is still valid."
    )]
    Html,
    #[error("The feed's answer is not a calendar (no BEGIN:VCALENDAR).")]
    NotCalendar,
    #[error("The feed's calendar is malformed and could not be read: {0}")]
    Malformed(String),
}

/// A feed read: its stays, and how many events were skipped for lack of usable dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFeed {
    pub stays: Vec<Stay>,
    pub skipped: usize,
}

/// Reads one feed's text into stays. `zone` is the place's time zone, used for floating
/// times and for a `TZID` the IANA database does not know.
pub fn parse_feed(text: &str, options: &FeedOptions, zone: Tz) -> Result<ParsedFeed, FeedError> {
    let text = text.trim_start_matches('\u{feff}');
    let head = text.trim_start();
    if head.is_empty() {
        return Err(FeedError::Empty);
    }
    if head.starts_with('<') {
        return Err(FeedError::Html);
    }
    if !head
        .get(..15)
        .is_some_and(|h| h.eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(FeedError::NotCalendar);
    }
    let unfolded = icalendar::parser::unfold(text);
    let parsed = icalendar::parser::read_calendar(&unfolded)
        .map_err(|e| FeedError::Malformed(first_line(&e)))?;
    let calendar: icalendar::Calendar = parsed.into();
    let source = Source::from_prodid(calendar.property_value("PRODID").unwrap_or_default());
    let mut feed = ParsedFeed {
        stays: Vec::new(),
        skipped: 0,
    };
    for component in &calendar.components {
        let CalendarComponent::Event(event) = component else {
            continue;
        };
        match read_event(event, source, options, zone) {
            Entry::Stay(stay) => feed.stays.push(*stay),
            Entry::Dropped => {}
            Entry::Unplaceable => feed.skipped += 1,
        }
    }
    Ok(feed)
}

/// The parser's error, cut to something a status line can show.
fn first_line(error: &str) -> String {
    let line = error.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.chars().take(120).collect()
}

/// Where a feed comes from, as its `PRODID` says; it only changes how summaries are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Airbnb,
    BookingCom,
    Vrbo,
    Other,
}

impl Source {
    fn from_prodid(prodid: &str) -> Source {
        let p = prodid.to_ascii_lowercase();
        if p.contains("airbnb") {
            Source::Airbnb
        } else if p.contains("booking.com") {
            Source::BookingCom
        } else if p.contains("homeaway") || p.contains("vrbo") {
            Source::Vrbo
        } else {
            Source::Other
        }
    }
}

enum Entry {
    Stay(Box<Stay>),
    /// Cancelled or tentative: not a stay, nothing wrong with it.
    Dropped,
    /// No usable start or end.
    Unplaceable,
}

fn read_event(event: &Event, source: Source, options: &FeedOptions, zone: Tz) -> Entry {
    let status = event.property_value("STATUS").unwrap_or("").trim();
    if status.eq_ignore_ascii_case("CANCELLED") || status.eq_ignore_ascii_case("TENTATIVE") {
        return Entry::Dropped;
    }
    let Some(time) = stay_time(event, zone) else {
        return Entry::Unplaceable;
    };
    let summary = unescape(event.get_summary().unwrap_or(""))
        .trim()
        .to_owned();
    let (kind, guest_name) = match classify(&summary, source) {
        Summary::Booking(name) => (EntryKind::Booking, name),
        Summary::Block => (EntryKind::Block, None),
        Summary::Ambiguous => (options.ambiguous, None),
    };
    let description = unescape(event.get_description().unwrap_or(""));
    let uid = match event.get_uid() {
        Some(uid) if !uid.trim().is_empty() => uid.trim().to_owned(),
        _ => synthetic_uid(&options.label, &time),
    };
    Entry::Stay(Box::new(Stay {
        uid,
        time,
        kind,
        blocks_vacant: kind == EntryKind::Block && options.blocks_vacant,
        summary,
        guest_name,
        reservation_code: reservation_code(&description),
        phone_last4: phone_last4(&description),
        sources: BTreeSet::from([options.label.clone()]),
    }))
}

/// An event without a `UID` still needs a stable identity across fetches.
fn synthetic_uid(label: &str, time: &StayTime) -> String {
    format!("{label}:{time:?}")
}

fn stay_time(event: &Event, zone: Tz) -> Option<StayTime> {
    match (event.get_start()?, event.get_end()) {
        (DatePerhapsTime::Date(check_in), end) => {
            let check_out = match end {
                Some(DatePerhapsTime::Date(d)) => d,
                Some(DatePerhapsTime::DateTime(dt)) => {
                    instant(&dt, zone)?.with_timezone(&zone).date_naive()
                }
                // RFC 5545: an all-day event without an end lasts one day.
                None => check_in.checked_add_days(Days::new(1))?,
            };
            (check_out > check_in).then_some(StayTime::Dates {
                check_in,
                check_out,
            })
        }
        (DatePerhapsTime::DateTime(start), Some(end)) => {
            let start = instant(&start, zone)?;
            let end = match end {
                DatePerhapsTime::DateTime(dt) => instant(&dt, zone)?,
                DatePerhapsTime::Date(d) => local_instant(d.and_hms_opt(0, 0, 0)?, zone)?,
            };
            (end > start).then_some(StayTime::Times { start, end })
        }
        (DatePerhapsTime::DateTime(_), None) => None,
    }
}

/// A feed's date-time as an instant: UTC as is, a known `TZID` through the IANA database,
/// floating times (and a `TZID` the database does not know) in the place's zone.
fn instant(value: &CalendarDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    match value {
        CalendarDateTime::Utc(t) => Some(*t),
        CalendarDateTime::Floating(local) => local_instant(*local, zone),
        CalendarDateTime::WithTimezone { date_time, tzid } => {
            let tz = tzid.trim_matches('"').parse::<Tz>().unwrap_or(zone);
            local_instant(*date_time, tz)
        }
    }
}

/// A wall-clock time in `zone` as an instant. In the autumn's repeated hour the first one
/// is meant; a time in the spring's missing hour is read an hour later, as clocks show it.
pub fn local_instant(local: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            let later = local.checked_add_signed(chrono::TimeDelta::hours(1))?;
            zone.from_local_datetime(&later).earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

enum Summary {
    Booking(Option<String>),
    Block,
    Ambiguous,
}

/// Tells a booking from a block by the summary, as each source writes them.
fn classify(summary: &str, source: Source) -> Summary {
    let lower = summary.to_lowercase();
    if lower.starts_with("closed - not available") || lower == "closed" {
        return Summary::Ambiguous;
    }
    const BLOCKS: [&str; 5] = [
        "not available",
        "blocked",
        "unavailable",
        "owner block",
        "owner stay",
    ];
    if BLOCKS.iter().any(|b| lower.contains(b)) {
        return Summary::Block;
    }
    if source == Source::BookingCom {
        // Booking.com writes nothing else today; whatever it may write is as unclear.
        return Summary::Ambiguous;
    }
    Summary::Booking(guest_name(summary))
}

/// The guest's name in a summary: after "Reserved - " (VRBO), or the whole summary when it
/// is not one of the generic words (a PMS export).
fn guest_name(summary: &str) -> Option<String> {
    const GENERIC: [&str; 5] = ["reserved", "booked", "reservation", "booking", "airbnb"];
    let lower = summary.to_lowercase();
    for prefix in ["reserved - ", "reserved: ", "booked - ", "reservation - "] {
        if lower.starts_with(prefix) {
            let name = summary[prefix.len()..].trim();
            return (!name.is_empty()).then(|| name.to_owned());
        }
    }
    if summary.is_empty() || GENERIC.contains(&lower.as_str()) {
        return None;
    }
    Some(summary.to_owned())
}

/// iCal TEXT escapes (`\n`, `\,`, `\;`, `\\`), undone whether or not the parser did.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Airbnb's reservation code, the last path segment of "Reservation URL: …/details/HM…".
fn reservation_code(description: &str) -> Option<String> {
    let url = labelled_value(description, "reservation url")?;
    let code = url.trim_end_matches('/').rsplit('/').next()?.trim();
    let plausible =
        !code.is_empty() && code.len() <= 20 && code.chars().all(|c| c.is_ascii_alphanumeric());
    plausible.then(|| code.to_owned())
}

/// "Phone Number (Last 4 Digits): 4821" → "4821".
fn phone_last4(description: &str) -> Option<String> {
    let value = labelled_value(description, "phone number (last 4 digits)")?;
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 4).then_some(digits)
}

/// The value after `label:` on its own line of a description (case-insensitive label).
fn labelled_value<'a>(description: &'a str, label: &str) -> Option<&'a str> {
    description.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(label).then(|| value.trim())
    })
}

/// Several feeds of one place as one list of stays, sorted by start.
///
/// Two entries are the same stay when they share a `UID` or cover the same days in the
/// place's zone (Airbnb blocks the nights another channel sold, a PMS re-exports the
/// channels' bookings). The merged stay is a booking if either is, keeps the first name,
/// code and phone digits it finds, prefers exact times to bare dates, and lists every feed.
pub fn merge_feeds<I>(feeds: I, zone: Tz) -> Vec<Stay>
where
    I: IntoIterator<Item = Vec<Stay>>,
{
    let mut merged: Vec<Stay> = Vec::new();
    for stay in feeds.into_iter().flatten() {
        let days = stay.time.days(zone);
        let same = merged
            .iter_mut()
            .find(|m| m.uid == stay.uid || m.time.days(zone) == days);
        match same {
            Some(existing) => absorb(existing, stay),
            None => merged.push(stay),
        }
    }
    merged.sort_by_key(|s| (s.time.days(zone), s.uid.clone()));
    merged
}

fn absorb(into: &mut Stay, other: Stay) {
    if other.kind == EntryKind::Booking && into.kind == EntryKind::Block {
        into.kind = EntryKind::Booking;
        into.summary = other.summary.clone();
    }
    into.blocks_vacant = into.kind == EntryKind::Block && into.blocks_vacant && other.blocks_vacant;
    if matches!(into.time, StayTime::Dates { .. }) && matches!(other.time, StayTime::Times { .. }) {
        into.time = other.time;
    }
    into.guest_name = into.guest_name.take().or(other.guest_name);
    into.reservation_code = into.reservation_code.take().or(other.reservation_code);
    into.phone_last4 = into.phone_last4.take().or(other.phone_last4);
    into.sources.extend(other.sources);
}
