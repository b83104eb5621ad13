//! The matching's store: stays read back as the feed code writes them, staff, marks and
//! decisions written with the unlocks in one transaction, and kept across a reopen.

use chrono::{TimeZone, Utc};
use doorpost_core::event::{EventLog, parse_record};
use doorpost_core::ipc::MarkKind;
use doorpost_core::policy::NotifyDecision;
use doorpost_core::time::Millis;
use doorpost_stays::{StayMemory, StayTime};
use serde_json::json;
use tempfile::TempDir;

use super::super::{Commit, DayRule, PollLogEntry, PollOutcome, Store};
use super::{Marks, StoredMark, UnlockMark};

const PLACE: &str = "p1";

fn open(dir: &TempDir) -> Store {
    Store::open(&dir.path().join("history.sqlite")).expect("open")
}

/// Stays as helper A's feed code writes them: one all-day booking, one timed block, one
/// with dates that cannot be read.
fn write_stays(store: &Store) {
    store
        .conn
        .execute_batch(
            "INSERT INTO stays (place_id, uid, start_date, end_date, kind, summary, \
             reservation_code, phone_last4, sources, first_seen_at) VALUES \
             ('p1', 'a@airbnb', '2026-12-12', '2026-12-15', 'booking', 'Reserved', \
              'HMXK4T9Q2B', '4821', '[\"Airbnb\"]', 1000); \
             INSERT INTO stays (place_id, uid, start_at, end_at, kind, blocks_vacant, \
             guest_name, first_seen_at, dropped_at) VALUES \
             ('p1', 'b@pms', 1797000000000, 1797100000000, 'block', 1, 'Owner', 2000, 3000); \
             INSERT INTO stays (place_id, uid, start_date, end_date, kind, first_seen_at) \
             VALUES ('p1', 'bad', '2026-13-40', '2026-12-15', 'booking', 1000); \
             INSERT INTO stays (place_id, uid, start_date, end_date, kind, first_seen_at) \
             VALUES ('p2', 'other', '2026-12-12', '2026-12-15', 'booking', 1000); \
             INSERT INTO stays (place_id, uid, start_date, end_date, kind, first_seen_at) \
             VALUES ('p1', 'old', '2020-01-01', '2020-01-03', 'booking', 1000);",
        )
        .expect("stays rows");
}

fn unlock(id: &str, at: i64) -> EventLog {
    parse_record(&json!({
        "id": id, "createdAt": at, "timestamp": at, "type": "unlock",
        "device": { "id": "d1", "name": "Front door" },
        "user": { "id": "u-ann", "name": "Ann Berg" },
    }))
    .expect("an event")
}

fn commit<'a>(events: &'a [EventLog], at: i64) -> Commit<'a> {
    Commit {
        source: "acct",
        place_id: Some(PLACE),
        day: DayRule::default(),
        events,
        quarantined: &[],
        state_json: "{}",
        news_floor: None,
        log: Some(PollLogEntry {
            at: Millis(at),
            outcome: PollOutcome::Fetched,
            requests: 1,
            bytes: 1,
            error: None,
        }),
        earlier_new: 0,
        seen_at: Millis(at),
    }
}

fn stay_a(store: &Store) -> super::StoredStay {
    let stays = store.place_stays(PLACE, since_2026()).unwrap();
    stays
        .into_iter()
        .find(|s| s.stay.uid == "a@airbnb")
        .expect("stay a")
}

fn since_2026() -> Millis {
    Millis(
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis(),
    )
}

#[test]
fn a_place_stays_read_back_as_the_matching_needs_them() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    write_stays(&store);
    let mut stays = store.place_stays(PLACE, since_2026()).expect("stays");
    stays.sort_by(|a, b| a.stay.uid.cmp(&b.stay.uid));
    let uids: Vec<&str> = stays.iter().map(|s| s.stay.uid.as_str()).collect();
    assert_eq!(
        uids,
        ["a@airbnb", "b@pms"],
        "another place's, an old one and unreadable dates are left out"
    );
    let a = &stays[0];
    assert!(matches!(a.stay.time, StayTime::Dates { .. }));
    assert_eq!(a.stay.reservation_code.as_deref(), Some("HMXK4T9Q2B"));
    assert_eq!(a.stay.phone_last4.as_deref(), Some("4821"));
    assert!(a.stay.sources.contains("Airbnb"));
    assert!(a.memory.is_blank());
    let b = &stays[1];
    assert!(matches!(b.stay.time, StayTime::Times { .. }));
    assert!(b.stay.blocks_vacant);
    assert_eq!(b.dropped_at, Some(Millis(3000)));
}

#[test]
fn staff_by_name_user_and_access() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    store
        .conn
        .execute_batch(
            "INSERT INTO staff (kind, value, added_at) VALUES ('name', 'cleaning crew', 1), \
             ('user', 'u-42', 1), ('access', 'acc-9', 1);",
        )
        .unwrap();
    let staff = store.staff_set().expect("staff");
    let person =
        |name: Option<&str>, user: Option<&str>, access: Option<&str>| doorpost_stays::Unlock {
            at: Utc::now(),
            name: name.map(String::from),
            user_id: user.map(String::from),
            access_id: access.map(String::from),
        };
    assert!(staff.contains(&person(Some("Cleaning Crew "), None, None)));
    assert!(staff.contains(&person(None, Some("u-42"), None)));
    assert!(staff.contains(&person(None, None, Some("acc-9"))));
    assert!(!staff.contains(&person(Some("Ann"), Some("u-1"), Some("acc-1"))));
}

#[test]
fn marks_and_the_arrival_are_written_with_the_unlocks_and_survive_a_reopen() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    write_stays(&store);
    let arrived = Utc.with_ymd_and_hms(2026, 12, 12, 15, 10, 0).unwrap();
    let events = [
        unlock("e2", arrived.timestamp_millis() + 60_000),
        unlock("e1", arrived.timestamp_millis()),
    ];
    let mut seen = Vec::new();
    let mut marks_seen = Vec::new();
    store
        .commit_marked(
            &commit(&events, arrived.timestamp_millis() + 120_000),
            |fresh| {
                seen = fresh.iter().map(|e| e.id.clone()).collect();
                Marks {
                    marks: vec![
                        UnlockMark {
                            event_id: "e1".into(),
                            kind: MarkKind::Arrival,
                            stay: Some("a@airbnb".into()),
                        },
                        UnlockMark {
                            event_id: "e2".into(),
                            kind: MarkKind::Guest,
                            stay: Some("a@airbnb".into()),
                        },
                    ],
                    stays: vec![(
                        "a@airbnb".into(),
                        StayMemory {
                            arrived_at: Some(arrived),
                            ..StayMemory::default()
                        },
                        None,
                    )],
                }
            },
            |pending, marks| {
                marks_seen = marks.to_vec();
                vec![NotifyDecision::Pending; pending.len()]
            },
        )
        .expect("commit");
    assert_eq!(seen, ["e1", "e2"], "oldest unlock first");
    let stay_id: i64 = store
        .conn
        .query_row("SELECT id FROM stays WHERE uid = 'a@airbnb'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        marks_seen,
        [
            Some(StoredMark {
                kind: MarkKind::Arrival,
                stay_id: Some(stay_id)
            }),
            Some(StoredMark {
                kind: MarkKind::Guest,
                stay_id: Some(stay_id)
            })
        ],
        "the decision sees each pending row's mark (rows in created order)"
    );
    drop(store);
    let store = open(&dir);
    assert_eq!(stay_a(&store).memory.arrived_at, Some(arrived));
    let event: Option<String> = store
        .conn
        .query_row(
            "SELECT arrival_event FROM stays WHERE uid = 'a@airbnb'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(event.as_deref(), Some("e1"));
}

#[test]
fn a_failed_decision_rolls_the_marks_back_with_the_rows() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    write_stays(&store);
    let events = [unlock("e1", 1_797_000_000_000)];
    let result = store.commit_marked(
        &commit(&events, 1_797_000_100_000),
        |_| Marks {
            marks: vec![UnlockMark {
                event_id: "e1".into(),
                kind: MarkKind::Vacant,
                stay: None,
            }],
            stays: vec![(
                "a@airbnb".into(),
                StayMemory {
                    no_show_closed: true,
                    ..StayMemory::default()
                },
                None,
            )],
        },
        // The wrong number of states: the commit fails as a whole.
        |_, _| Vec::new(),
    );
    assert!(result.is_err());
    assert_eq!(
        store.unlock_mark("e1").unwrap(),
        None,
        "no mark without its unlock"
    );
    assert!(
        stay_a(&store).memory.is_blank(),
        "no decision without its unlock"
    );
}

#[test]
fn a_no_show_is_kept_on_its_own() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    write_stays(&store);
    let deadline = Utc.with_ymd_and_hms(2026, 12, 12, 21, 0, 0).unwrap();
    let memory = StayMemory {
        no_show_at: Some(deadline),
        no_show_closed: true,
        ..StayMemory::default()
    };
    store
        .keep_stay_memory(PLACE, &[("a@airbnb".into(), memory)])
        .expect("kept");
    assert_eq!(stay_a(&store).memory, memory);
}
