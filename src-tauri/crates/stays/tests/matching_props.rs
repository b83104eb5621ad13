//! Property test of the matching on virtual time: random stays (bookings, blocks, vacant
//! blocks, overlaps and turnovers), random staff and guests, unlocks uploaded late and out
//! of order, computers that sleep through deadlines, in UTC, Oslo (across the March DST
//! change) and New York. The driver calls `handle_timeout` at each `next_deadline`, as the
//! app's timer will. Invariants:
//! - at most one arrival (or "found after all"), one no-show and one "found after all" per
//!   stay, and "found after all" only after that stay's no-show, for an unlock by its
//!   deadline;
//! - an arrival (or guest) is never staff, and staff is always `Staff`;
//! - vacant exactly when no stay or non-vacant block covers the moment ± buffer, computed
//!   here independently of the crate;
//! - no no-show for a deadline before watching began (or before the stay was first
//!   learned of), nor after the stay's guest was seen;
//! - all of it across a restart at a random moment, the watch rebuilt from its snapshot
//!   (what the app keeps in the `stays` table).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use doorpost_stays::feed::{EntryKind, Stay, StayTime};
use doorpost_stays::matching::{PlaceRules, Staff, StayMemory, Unlock, Verdict, Watch};
use proptest::prelude::*;

const STAFF_NAME: &str = "Cleaner";
const STAFF_ID: &str = "u-staff";

#[derive(Debug, Clone)]
struct Case {
    rules: PlaceRules,
    stays: Vec<Stay>,
    /// (unlock, when Doorpost learns of it)
    unlocks: Vec<(Unlock, DateTime<Utc>)>,
    watching_since: DateTime<Utc>,
    /// When Doorpost first learned of each stay (a feed listed it later than it began
    /// watching), by the stay's index.
    learned: Vec<Option<DateTime<Utc>>>,
    /// Doorpost restarts after this many unlocks: the watch is rebuilt from its snapshot.
    restart_after: Option<usize>,
}

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 24).expect("a valid base date")
}

fn start_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 23, 0, 0, 0)
        .single()
        .expect("a valid instant")
}

fn rules() -> impl Strategy<Value = PlaceRules> {
    let zone = prop_oneof![
        Just(Tz::UTC),
        Just(chrono_tz::Europe::Oslo),
        Just(chrono_tz::America::New_York)
    ];
    let no_show = prop_oneof![Just(None), (14u32..24).prop_map(Some)];
    (zone, 13u32..18, 9u32..13, no_show, 0i64..240).prop_map(|(zone, cin, cout, ns, buf)| {
        let hm = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("an hour of the day");
        PlaceRules {
            check_in: hm(cin),
            check_out: hm(cout),
            no_show: ns.map(hm),
            buffer: TimeDelta::minutes(buf),
            zone,
        }
    })
}

fn stays() -> impl Strategy<Value = Vec<Stay>> {
    prop::collection::vec((0u64..12, 1u64..5, 0u8..4), 0..6).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (from, nights, kind))| {
                let check_in = base() + Duration::days(from as i64);
                Stay {
                    uid: format!("s{i}"),
                    time: StayTime::Dates {
                        check_in,
                        check_out: check_in + Duration::days(nights as i64),
                    },
                    // Half bookings, a quarter blocks, a quarter blocks that count as vacant.
                    kind: if kind < 2 {
                        EntryKind::Booking
                    } else {
                        EntryKind::Block
                    },
                    blocks_vacant: kind == 3,
                    summary: String::new(),
                    guest_name: None,
                    reservation_code: None,
                    phone_last4: None,
                    sources: BTreeSet::new(),
                }
            })
            .collect()
    })
}

fn person(who: u8) -> (Option<String>, Option<String>, Option<String>) {
    match who {
        0 => (Some(STAFF_NAME.into()), None, Some("acc-c".into())),
        1 => (Some("Bob Plumber".into()), Some(STAFF_ID.into()), None),
        2 => (None, None, None),
        n => (Some(format!("Guest {n}")), None, Some(format!("acc-{n}"))),
    }
}

fn unlocks() -> impl Strategy<Value = Vec<(Unlock, DateTime<Utc>)>> {
    let delay = prop_oneof![4 => 0i64..10, 1 => 0i64..(3 * 1440)];
    prop::collection::vec((0i64..(18 * 1440), 0u8..6, delay), 0..40).prop_map(|specs| {
        specs
            .into_iter()
            .map(|(minute, who, delay)| {
                let at = start_instant() + TimeDelta::minutes(minute);
                let (name, user_id, access_id) = person(who);
                let unlock = Unlock {
                    at,
                    name,
                    user_id,
                    access_id,
                };
                (unlock, at + TimeDelta::minutes(delay))
            })
            .collect()
    })
}

fn case() -> impl Strategy<Value = Case> {
    let learned = prop::collection::vec(prop::option::of(0i64..(18 * 1440)), 6);
    let restart = prop::option::of(0usize..40);
    (
        (rules(), stays(), unlocks()),
        (0i64..(6 * 1440), learned, restart),
    )
        .prop_map(
            |((rules, stays, unlocks), (w, learned, restart_after))| Case {
                rules,
                stays,
                unlocks,
                watching_since: start_instant() + TimeDelta::minutes(w),
                learned: learned
                    .into_iter()
                    .map(|m| m.map(|m| start_instant() + TimeDelta::minutes(m)))
                    .collect(),
                restart_after,
            },
        )
}

/// Since when a stay's no-show may be told: watching began, and the stay was known.
fn known_since(case: &Case, uid: &str) -> DateTime<Utc> {
    let index = case.stays.iter().position(|s| s.uid == uid);
    let learned = index.and_then(|i| case.learned.get(i).copied().flatten());
    learned.map_or(case.watching_since, |at| at.max(case.watching_since))
}

/// A watch as the app builds one: the stays, when each was learned, and what was decided
/// before (empty on the first start).
fn build(case: &Case, memory: &[(String, StayMemory)]) -> Watch {
    let mut watch = Watch::new(case.rules, staff(), case.watching_since);
    watch.set_stays(&case.stays);
    for (stay, learned) in case.stays.iter().zip(&case.learned) {
        if let Some(at) = learned {
            watch.learned(&stay.uid, *at);
        }
    }
    for (uid, m) in memory {
        watch.restore(uid, *m);
    }
    watch
}

fn staff() -> Staff {
    let mut staff = Staff::default();
    staff.add_name(STAFF_NAME);
    staff.add_user_id(STAFF_ID);
    staff
}

/// Every stay's covered moments, computed here from first principles.
fn covers(case: &Case) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    let r = &case.rules;
    let local = |d: NaiveDate, t: NaiveTime| {
        r.zone
            .from_local_datetime(&d.and_time(t))
            .earliest()
            .expect("check-in and check-out hours are never in a DST gap here")
            .with_timezone(&Utc)
    };
    case.stays
        .iter()
        .filter(|s| !(s.kind == EntryKind::Block && s.blocks_vacant))
        .map(|s| {
            let (cin, cout) = s.time.days(r.zone);
            let from = local(cin, r.check_in) - r.buffer;
            (s.uid.clone(), from, local(cout, r.check_out) + r.buffer)
        })
        .collect()
}

#[derive(Debug)]
enum Told {
    Verdict(Unlock, Verdict),
    NoShow(String, DateTime<Utc>),
}

/// Runs the case as the app's driver would: deadlines fired by a timer (unless the computer
/// sleeps through them), unlocks handed over in the order they are learned.
fn run(case: &Case, sleeps: bool) -> Vec<Told> {
    let mut watch = build(case, &[]);
    let mut learned: Vec<&(Unlock, DateTime<Utc>)> = case
        .unlocks
        .iter()
        .filter(|(_, learned)| *learned >= case.watching_since)
        .collect();
    learned.sort_by_key(|(_, learned)| *learned);
    let mut told = Vec::new();
    let fire = |watch: &mut Watch, until: DateTime<Utc>, told: &mut Vec<Told>| {
        let mut rounds = 0;
        while let Some(due) = watch.next_deadline().filter(|d| *d <= until) {
            rounds += 1;
            assert!(
                rounds < 100,
                "next_deadline must move on after handle_timeout"
            );
            let now = if sleeps {
                until
            } else {
                due.max(case.watching_since)
            };
            for n in watch.handle_timeout(now) {
                told.push(Told::NoShow(n.stay, n.deadline));
            }
        }
    };
    for (n, (unlock, at)) in learned.into_iter().enumerate() {
        if case.restart_after == Some(n) {
            let kept = watch.snapshot();
            watch = build(case, &kept);
            assert_eq!(
                watch.snapshot(),
                kept,
                "a restored watch remembers the same"
            );
        }
        fire(&mut watch, *at, &mut told);
        let verdict = watch.handle_unlock(unlock);
        told.push(Told::Verdict(unlock.clone(), verdict));
    }
    fire(&mut watch, start_instant() + TimeDelta::days(30), &mut told);
    told
}

fn check(case: &Case, told: &[Told]) -> Result<(), TestCaseError> {
    let covers = covers(case);
    let staff = staff();
    let mut arrivals: HashMap<&str, usize> = HashMap::new();
    let mut no_shows: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for t in told {
        match t {
            Told::NoShow(stay, deadline) => {
                prop_assert!(
                    *deadline >= known_since(case, stay),
                    "deadline before watching began or before the stay was known"
                );
                prop_assert!(
                    !seen.contains(stay.as_str()),
                    "no-show after the guest was seen"
                );
                prop_assert!(no_shows.insert(stay, *deadline).is_none(), "two no-shows");
            }
            Told::Verdict(unlock, verdict) => {
                let is_staff = staff.contains(unlock);
                prop_assert_eq!(is_staff, *verdict == Verdict::Staff);
                let inside: Vec<&str> = covers
                    .iter()
                    .filter(|(_, from, to)| *from <= unlock.at && unlock.at <= *to)
                    .map(|(uid, _, _)| uid.as_str())
                    .collect();
                if !is_staff {
                    prop_assert_eq!(inside.is_empty(), *verdict == Verdict::Vacant);
                }
                match verdict {
                    Verdict::Arrival { stay } | Verdict::FoundAfterAll { stay } => {
                        prop_assert!(inside.contains(&stay.as_str()));
                        let n = arrivals.entry(stay).or_default();
                        *n += 1;
                        prop_assert_eq!(*n, 1, "two arrivals for {}", stay);
                        if matches!(verdict, Verdict::FoundAfterAll { .. }) {
                            let deadline = no_shows.get(stay.as_str());
                            prop_assert!(deadline.is_some_and(|d| unlock.at <= *d));
                        }
                        seen.insert(stay);
                    }
                    Verdict::Guest { stay } => {
                        prop_assert!(arrivals.contains_key(stay.as_str()), "guest before arrival");
                        prop_assert!(inside.contains(&stay.as_str()));
                    }
                    Verdict::Blocked { stay } => prop_assert!(inside.contains(&stay.as_str())),
                    Verdict::Staff | Verdict::Vacant => {}
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn one_alert_of_each_kind_per_stay_and_vacant_only_outside_stays(
        case in case(),
        sleeps in any::<bool>(),
    ) {
        let told = run(&case, sleeps);
        check(&case, &told)?;
    }
}
