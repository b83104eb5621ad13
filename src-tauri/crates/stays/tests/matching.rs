//! Unlocks matched to stays, case by case: arrival with the buffer, later guests, staff by
//! name, user id and access id, vacant nights and blocks, same-day turnovers, an extended
//! stay, no-show and "found after all", watching that began after a deadline, and DST.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use doorpost_stays::feed::{EntryKind, FeedOptions, Stay, StayTime, parse_feed};
use doorpost_stays::matching::{NoShow, PlaceRules, Staff, Unlock, Verdict, Watch};

const OSLO: Tz = chrono_tz::Europe::Oslo;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

/// A wall-clock time in Oslo as an instant.
fn oslo(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    OSLO.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("an unambiguous Oslo time")
        .with_timezone(&Utc)
}

fn stay(uid: &str, check_in: NaiveDate, check_out: NaiveDate, kind: EntryKind) -> Stay {
    Stay {
        uid: uid.to_owned(),
        time: StayTime::Dates {
            check_in,
            check_out,
        },
        kind,
        blocks_vacant: false,
        summary: String::new(),
        guest_name: None,
        reservation_code: None,
        phone_last4: None,
        sources: BTreeSet::from(["Airbnb".to_owned()]),
    }
}

fn rules() -> PlaceRules {
    PlaceRules {
        zone: OSLO,
        ..PlaceRules::default()
    }
}

fn guest(at: DateTime<Utc>) -> Unlock {
    Unlock {
        at,
        name: Some("Ann Berg".into()),
        user_id: None,
        access_id: Some("acc-guest".into()),
    }
}

fn staff() -> Staff {
    let mut staff = Staff::default();
    staff.add_name("Cleaning Crew");
    staff.add_user_id("user-42");
    staff.add_access_id("acc-plumber");
    staff
}

/// A watch over one booking 12–15 Dec and a turnover booking 15–18 Dec, watching since 1 Dec.
fn watch() -> Watch {
    let mut w = Watch::new(rules(), staff(), oslo(2026, 12, 1, 0, 0));
    w.set_stays(&[
        stay(
            "a",
            date(2026, 12, 12),
            date(2026, 12, 15),
            EntryKind::Booking,
        ),
        stay(
            "b",
            date(2026, 12, 15),
            date(2026, 12, 18),
            EntryKind::Booking,
        ),
    ]);
    w
}

fn arrival(uid: &str) -> Verdict {
    Verdict::Arrival { stay: uid.into() }
}

#[test]
fn first_unlock_in_the_buffer_is_the_arrival_and_later_ones_are_the_guest() {
    let mut w = watch();
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 14, 10))),
        arrival("a")
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 19, 0))),
        Verdict::Guest { stay: "a".into() }
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 14, 1, 30))),
        Verdict::Guest { stay: "a".into() }
    );
}

#[test]
fn before_the_buffer_is_vacant() {
    let mut w = watch();
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 13, 50))),
        Verdict::Vacant
    );
}

#[test]
fn staff_by_name_user_id_or_access_is_never_an_arrival() {
    let mut w = watch();
    let mut cleaner = guest(oslo(2026, 12, 12, 14, 30));
    cleaner.name = Some("  cleaning crew ".into());
    cleaner.access_id = None;
    assert_eq!(w.handle_unlock(&cleaner), Verdict::Staff);
    let mut by_id = guest(oslo(2026, 12, 12, 14, 40));
    by_id.user_id = Some("user-42".into());
    assert_eq!(w.handle_unlock(&by_id), Verdict::Staff);
    let mut by_access = guest(oslo(2026, 12, 20, 2, 14));
    by_access.name = None;
    by_access.access_id = Some("acc-plumber".into());
    assert_eq!(
        w.handle_unlock(&by_access),
        Verdict::Staff,
        "not vacant either"
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 15, 2))),
        arrival("a")
    );
}

#[test]
fn same_day_turnover_leaving_guest_gap_and_arriving_guest() {
    let mut w = watch();
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 15, 0))),
        arrival("a")
    );
    // 11:00 check-out plus an hour: still the leaving guest.
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 15, 11, 40))),
        Verdict::Guest { stay: "a".into() }
    );
    // Between 12:00 and 14:00 nobody is expected.
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 15, 13, 0))),
        Verdict::Vacant
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 15, 14, 30))),
        arrival("b")
    );
}

#[test]
fn overlapping_buffers_at_a_turnover_go_to_the_stay_that_holds_the_moment() {
    let mut r = rules();
    r.buffer = TimeDelta::hours(3);
    let mut w = Watch::new(r, Staff::default(), oslo(2026, 12, 1, 0, 0));
    w.set_stays(&[
        stay(
            "a",
            date(2026, 12, 12),
            date(2026, 12, 15),
            EntryKind::Booking,
        ),
        stay(
            "b",
            date(2026, 12, 15),
            date(2026, 12, 18),
            EntryKind::Booking,
        ),
    ]);
    // 13:00 is in both buffers, 2 h after a's check-out and 2 h before b's check-in: a
    // tie, which the arriving stay wins.
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 15, 13, 0))),
        arrival("b")
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 15, 11, 30))),
        arrival("a")
    );
}

#[test]
fn blocked_nights_are_not_vacant_unless_the_feed_says_so() {
    let mut w = Watch::new(rules(), staff(), oslo(2026, 12, 1, 0, 0));
    let block = stay(
        "x",
        date(2026, 12, 20),
        date(2026, 12, 22),
        EntryKind::Block,
    );
    w.set_stays(std::slice::from_ref(&block));
    let night = guest(oslo(2026, 12, 21, 2, 14));
    assert_eq!(
        w.handle_unlock(&night),
        Verdict::Blocked { stay: "x".into() }
    );
    assert_eq!(
        w.next_deadline(),
        None,
        "a block expects nobody: no no-show"
    );
    let mut vacant_block = block;
    vacant_block.blocks_vacant = true;
    w.set_stays(&[vacant_block]);
    assert_eq!(w.handle_unlock(&night), Verdict::Vacant);
}

#[test]
fn no_show_at_the_deadline_once_then_found_after_all_once() {
    let mut w = watch();
    let deadline = oslo(2026, 12, 12, 22, 0);
    assert_eq!(w.next_deadline(), Some(deadline));
    assert_eq!(w.handle_timeout(oslo(2026, 12, 12, 21, 59)), []);
    let told = w.handle_timeout(deadline);
    assert_eq!(
        told,
        [NoShow {
            stay: "a".into(),
            deadline
        }]
    );
    assert_eq!(
        w.handle_timeout(oslo(2026, 12, 12, 23, 0)),
        [],
        "never twice"
    );
    // The lock uploads an 18:40 unlock at 23:30.
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 18, 40))),
        Verdict::FoundAfterAll { stay: "a".into() }
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 18, 45))),
        Verdict::Guest { stay: "a".into() }
    );
    assert_eq!(w.next_deadline(), Some(oslo(2026, 12, 15, 22, 0)), "b's");
}

#[test]
fn a_guest_arriving_after_the_no_show_is_an_arrival_not_found_after_all() {
    let mut w = watch();
    assert_eq!(w.handle_timeout(oslo(2026, 12, 12, 22, 0)).len(), 1);
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 23, 15))),
        arrival("a")
    );
}

#[test]
fn staff_alone_by_the_deadline_is_still_a_no_show() {
    let mut w = watch();
    let mut cleaner = guest(oslo(2026, 12, 12, 16, 0));
    cleaner.name = Some("Cleaning Crew".into());
    assert_eq!(w.handle_unlock(&cleaner), Verdict::Staff);
    assert_eq!(w.handle_timeout(oslo(2026, 12, 12, 22, 0)).len(), 1);
}

#[test]
fn an_arrival_before_the_deadline_means_no_no_show() {
    let mut w = watch();
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 12, 15, 5))),
        arrival("a")
    );
    assert_eq!(w.handle_timeout(oslo(2026, 12, 12, 22, 0)), []);
}

#[test]
fn no_no_show_for_a_deadline_before_watching_began_or_when_off() {
    let mut w = Watch::new(rules(), staff(), oslo(2026, 12, 12, 22, 30));
    w.set_stays(&[stay(
        "a",
        date(2026, 12, 12),
        date(2026, 12, 15),
        EntryKind::Booking,
    )]);
    assert_eq!(w.next_deadline(), None);
    assert_eq!(w.handle_timeout(oslo(2026, 12, 13, 9, 0)), []);

    let mut off = rules();
    off.no_show = None;
    let mut w = Watch::new(off, staff(), oslo(2026, 12, 1, 0, 0));
    w.set_stays(&[stay(
        "a",
        date(2026, 12, 12),
        date(2026, 12, 15),
        EntryKind::Booking,
    )]);
    assert_eq!(w.handle_timeout(oslo(2026, 12, 13, 9, 0)), []);
}

#[test]
fn an_extended_stay_keeps_its_arrival_and_covers_the_extra_night() {
    let fixture = |name: &str| {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("fixture");
        parse_feed(&text, &FeedOptions::new("Airbnb"), OSLO)
            .expect("a calendar")
            .stays
    };
    let mut w = Watch::new(rules(), staff(), oslo(2026, 12, 1, 0, 0));
    w.set_stays(&fixture("airbnb.ics"));
    let second = fixture("airbnb.ics")[1].uid.clone();
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 15, 15, 0))),
        arrival(&second)
    );
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 18, 20, 0))),
        Verdict::Vacant
    );
    w.set_stays(&fixture("airbnb_extended.ics"));
    assert_eq!(
        w.handle_unlock(&guest(oslo(2026, 12, 18, 20, 0))),
        Verdict::Guest { stay: second },
        "the extension is the same stay: no second arrival"
    );
}

#[test]
fn check_in_follows_the_place_clock_across_dst() {
    // Oslo moves to summer time on 29 March 2026: check-in 15:00 is 14:00 UTC the day
    // before and 13:00 UTC on the day.
    let mut r = rules();
    r.buffer = TimeDelta::zero();
    let mut w = Watch::new(r, Staff::default(), oslo(2026, 3, 1, 0, 0));
    w.set_stays(&[
        stay(
            "w",
            date(2026, 3, 28),
            date(2026, 3, 29),
            EntryKind::Booking,
        ),
        stay(
            "s",
            date(2026, 3, 29),
            date(2026, 3, 30),
            EntryKind::Booking,
        ),
    ]);
    assert_eq!(w.covered("w").map(|c| c.0), Some(utc(2026, 3, 28, 14)));
    assert_eq!(w.covered("s").map(|c| c.0), Some(utc(2026, 3, 29, 13)));
    assert_eq!(w.covered("w").map(|c| c.1), Some(utc(2026, 3, 29, 9)));
    assert_eq!(w.next_deadline(), Some(utc(2026, 3, 28, 21)));
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("a valid UTC time")
}

#[test]
fn a_timed_check_in_after_the_deadline_waits_for_the_buffer() {
    let mut w = Watch::new(rules(), staff(), oslo(2026, 12, 1, 0, 0));
    let mut late = stay(
        "t",
        date(2026, 12, 12),
        date(2026, 12, 13),
        EntryKind::Booking,
    );
    late.time = StayTime::Times {
        start: oslo(2026, 12, 12, 23, 0),
        end: oslo(2026, 12, 13, 10, 0),
    };
    w.set_stays(&[late]);
    assert_eq!(w.next_deadline(), Some(oslo(2026, 12, 13, 0, 0)));
}

#[test]
fn a_deadline_missed_until_the_stay_ended_is_dropped_not_retried() {
    let mut w = watch();
    // Asleep from before a's deadline until after its check-out.
    let woke = oslo(2026, 12, 15, 13, 0);
    assert_eq!(w.handle_timeout(woke), []);
    assert_eq!(
        w.next_deadline(),
        Some(oslo(2026, 12, 15, 22, 0)),
        "only b's deadline is left, so a driver never spins on a's"
    );
}

#[test]
fn a_restart_restores_what_was_told_and_tells_nothing_twice() {
    let mut w = watch();
    assert_eq!(w.handle_timeout(oslo(2026, 12, 12, 22, 0)).len(), 1);
    let kept = w.snapshot();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1.no_show_at, Some(oslo(2026, 12, 12, 22, 0)));
    // Doorpost restarts at 22:30: a new watch, what was decided put back.
    let mut again = watch();
    for (uid, memory) in &kept {
        again.restore(uid, *memory);
    }
    assert_eq!(
        again.handle_timeout(oslo(2026, 12, 12, 22, 30)),
        [],
        "never twice"
    );
    assert_eq!(
        again.handle_unlock(&guest(oslo(2026, 12, 12, 18, 40))),
        Verdict::FoundAfterAll { stay: "a".into() }
    );
    let memory = again.memory("a");
    assert!(memory.arrived_late);
    assert_eq!(memory.arrived_at, Some(oslo(2026, 12, 12, 18, 40)));
    let mut third = watch();
    third.restore("a", memory);
    assert_eq!(
        third.handle_unlock(&guest(oslo(2026, 12, 12, 19, 0))),
        Verdict::Guest { stay: "a".into() },
        "the arrival is remembered across a second restart"
    );
}

#[test]
fn a_stay_learned_after_its_deadline_gets_no_no_show() {
    let mut w = watch();
    w.learned("a", oslo(2026, 12, 12, 23, 0));
    assert_eq!(
        w.next_deadline(),
        Some(oslo(2026, 12, 15, 22, 0)),
        "b's only"
    );
    assert_eq!(w.handle_timeout(oslo(2026, 12, 13, 9, 0)), []);
}
