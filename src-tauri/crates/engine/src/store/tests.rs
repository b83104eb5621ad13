use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use doorpost_core::event::{EventLog, Quarantined, parse_record};
use doorpost_core::policy::NotifyDecision;
use doorpost_core::rng::Rng;
use doorpost_core::settings::{DoorFilter, Settings};
use doorpost_core::time::Millis;
use serde_json::json;
use tempfile::TempDir;

use super::history::Plan;
use super::open::{MIGRATIONS, PAGE_SIZE, user_version};
use super::*;

const SOURCE: &str = "acct-1";
const MIN: i64 = Millis::MINUTE;

fn open() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("history.sqlite")).unwrap();
    (dir, store)
}

/// An event as the reader would produce it from Parakey's JSON.
fn event(
    id: &str,
    created_at: i64,
    timestamp: Option<i64>,
    door: Option<(&str, &str)>,
    user: Option<&str>,
) -> EventLog {
    let mut v = json!({ "id": id, "createdAt": created_at, "type": "unlock" });
    if let Some(t) = timestamp {
        v["timestamp"] = json!(t);
    }
    // An empty door id or name is left out, as Parakey may.
    if let Some((id, name)) = door {
        let mut device = serde_json::Map::new();
        if !id.is_empty() {
            device.insert("id".into(), json!(id));
        }
        if !name.is_empty() {
            device.insert("name".into(), json!(name));
        }
        v["device"] = device.into();
    }
    if let Some(name) = user {
        v["user"] = json!({ "id": format!("u-{name}"), "name": name });
    }
    parse_record(&v).unwrap()
}

fn entry(at: i64, outcome: PollOutcome) -> PollLogEntry {
    PollLogEntry {
        at: Millis(at),
        outcome,
        requests: 2,
        bytes: 1_000,
        error: (outcome == PollOutcome::Failed).then(|| "connection refused".to_owned()),
    }
}

fn commit_as(
    store: &mut Store,
    source: &str,
    events: &[EventLog],
    at: i64,
    state: NotifyDecision,
) -> CommitOutcome {
    commit_with(store, source, None, events, at, state)
}

/// [`commit_as`] at a place.
fn commit_with(
    store: &mut Store,
    source: &str,
    place_id: Option<&str>,
    events: &[EventLog],
    at: i64,
    state: NotifyDecision,
) -> CommitOutcome {
    let c = Commit {
        source,
        place_id,
        day: DayRule::default(),
        events,
        quarantined: &[],
        state_json: r#"{"watermark":1}"#,
        news_floor: None,
        log: Some(entry(at, PollOutcome::Fetched)),
        earlier_new: 0,
        seen_at: Millis(at),
    };
    store
        .commit(&c, |pending| vec![state; pending.len()])
        .expect("commit")
}

fn commit(store: &mut Store, events: &[EventLog], at: i64) -> CommitOutcome {
    commit_as(store, SOURCE, events, at, NotifyDecision::Pending)
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn all_ids(store: &Store, mut q: HistoryQuery, plan: Option<Plan>) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let page = store.history_with(&q, plan).unwrap();
        assert!(page.rows.len() <= q.limit.clamp(1, MAX_PAGE) as usize);
        ids.extend(page.rows.into_iter().map(|r| r.id));
        match page.next {
            Some(c) => q.before = Some(c),
            None => return ids,
        }
    }
}

#[test]
fn commit_inserts_new_events_once_and_decides_every_pending_row() {
    let (_dir, mut store) = open();
    let a = event(
        "a",
        10 * MIN,
        Some(9 * MIN),
        Some(("d1", "Front")),
        Some("Ann"),
    );
    let b = event("b", 11 * MIN, None, Some(("d1", "Front")), None);
    let out = commit(&mut store, &[a.clone(), b.clone()], 100);
    assert_eq!(out.inserted.len(), 2);
    assert_eq!(out.inserted[0].id, "a");
    assert_eq!(out.inserted[0].state, NotifyState::Pending);

    // A page that is not a sync's last: rows stored, nothing decided, no poll log row.
    let partial = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &[event("p", 11 * MIN, None, None, None)],
        quarantined: &[],
        state_json: "{}",
        news_floor: None,
        log: None,
        earlier_new: 0,
        seen_at: Millis(150),
    };
    let out = store
        .commit(&partial, |_| panic!("a partial commit decides nothing"))
        .unwrap();
    assert!(out.decided.is_empty());

    let mut asked = None;
    let c = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &[b, a, event("c", 12 * MIN, None, None, None)],
        quarantined: &[],
        state_json: "{}",
        news_floor: None,
        log: Some(entry(200, PollOutcome::Fetched)),
        earlier_new: 1,
        seen_at: Millis(200),
    };
    let out = store
        .commit(&c, |pending| {
            asked = Some(
                pending
                    .iter()
                    .map(|e| e.event.id.clone())
                    .collect::<Vec<_>>(),
            );
            vec![NotifyDecision::Suppressed; pending.len()]
        })
        .unwrap();
    assert_eq!(
        asked.unwrap(),
        ["a", "b", "p", "c"],
        "every row still pending, oldest arrival first; `a` and `b` stored once (G2)"
    );
    assert_eq!(out.inserted.len(), 1);
    assert_eq!(out.updated, 0);
    assert!(store.pending_events(SOURCE).unwrap().is_empty());
    assert_eq!(store.load_state(SOURCE).unwrap().as_deref(), Some("{}"));
    let log = store.poll_log_since(Millis(0)).unwrap();
    assert_eq!(
        log.iter().map(|r| r.new_events).collect::<Vec<_>>(),
        [2, 2],
        "the last commit counts the sync's earlier pages too"
    );
    assert_eq!(count(&store, "event_log"), 4);
}

#[test]
fn rows_from_before_the_news_floor_are_history_and_never_asked_about() {
    let (_dir, mut store) = open();
    let c = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &[
            event("old", 10 * MIN, None, None, None),
            event("new", 20 * MIN, None, None, None),
        ],
        quarantined: &[],
        state_json: "{}",
        news_floor: Some(Millis(15 * MIN)),
        log: Some(entry(100, PollOutcome::Fetched)),
        earlier_new: 0,
        seen_at: Millis(100),
    };
    let mut asked = Vec::new();
    let out = store
        .commit(&c, |pending| {
            asked = pending.iter().map(|e| e.event.id.clone()).collect();
            vec![NotifyDecision::Pending; pending.len()]
        })
        .unwrap();
    assert_eq!(asked, ["new"]);
    assert_eq!(out.inserted[0].state, NotifyState::Suppressed);
    assert_eq!(
        out.decided,
        [Decided {
            id: "new".into(),
            decision: NotifyDecision::Pending
        }]
    );
}

#[test]
fn commit_is_all_or_nothing() {
    let (_dir, mut store) = open();
    let a = event("a", 10 * MIN, None, Some(("d1", "Front")), Some("Ann"));
    commit(&mut store, std::slice::from_ref(&a), 100);
    let before = store
        .history(&HistoryQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();

    // A scrub of `a` (an update written before the decision) plus a new event and a
    // quarantined record; the decision then returns the wrong number of states.
    let scrubbed = event("a", 10 * MIN, None, Some(("d1", "Front")), None);
    let c = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &[scrubbed, event("b", 11 * MIN, None, None, None)],
        quarantined: &[Quarantined {
            id: None,
            reason: "no createdAt".into(),
            raw: r#"{"x":1}"#.into(),
        }],
        state_json: r#"{"watermark":2}"#,
        news_floor: None,
        log: Some(entry(200, PollOutcome::Fetched)),
        earlier_new: 0,
        seen_at: Millis(200),
    };
    let err = store.commit(&c, |_| Vec::new()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::DecisionCount {
                expected: 2,
                got: 0
            }
        ),
        "{err}"
    );

    let after = store
        .history(&HistoryQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        after, before,
        "the update to `a` was rolled back and `b` never stored"
    );
    assert_eq!(store.quarantine_count().unwrap(), 0);
    assert_eq!(
        store.load_state(SOURCE).unwrap().as_deref(),
        Some(r#"{"watermark":1}"#)
    );
    assert_eq!(count(&store, "poll_log"), 1);
    assert_eq!(
        count(&store, "names"),
        2,
        "the dimensions were rolled back too"
    );

    // A panic inside the decision rolls back just the same.
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        let _ = store.commit(&c, |_| panic!("policy bug"));
    }));
    assert!(panicked.is_err());
    assert_eq!(
        store
            .history(&HistoryQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap(),
        before
    );
    assert!(store.integrity_check().unwrap());
}

#[test]
fn scrub_updates_row_but_keeps_notify_state() {
    let (_dir, mut store) = open();
    let seen = event("a", 10 * MIN, None, Some(("d1", "Gym")), Some("Ann Berg"));
    commit(&mut store, &[seen], 100);
    assert_eq!(store.mark_notified(&["a"]).unwrap(), 1);

    // 90 days later: user scrubbed, door renamed.
    let scrubbed = event("a", 10 * MIN, None, Some(("d1", "Fitness room")), None);
    let out = commit_as(
        &mut store,
        SOURCE,
        std::slice::from_ref(&scrubbed),
        9_000,
        NotifyDecision::Pending,
    );
    assert!(out.inserted.is_empty());
    assert_eq!(out.updated, 1);

    let (state, first_seen, raw): (String, i64, String) = store
        .conn
        .query_row(
            "SELECT notify_state, first_seen_at, raw FROM event_log WHERE id = 'a'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        state, "notified",
        "a scrub is not news and must not re-notify (G3)"
    );
    assert_eq!(first_seen, 100);
    assert_eq!(raw, scrubbed.raw);

    let text = |t: &str| HistoryQuery {
        text: Some(t.into()),
        limit: 10,
        ..Default::default()
    };
    assert!(
        store.history(&text("ann")).unwrap().rows.is_empty(),
        "the old name is gone"
    );
    assert!(store.history(&text("gym")).unwrap().rows.is_empty());
    assert_eq!(store.history(&text("fitness")).unwrap().rows.len(), 1);
    let doors = store.doors().unwrap();
    assert_eq!(doors.len(), 1);
    assert_eq!(doors[0].name.as_deref(), Some("Fitness room"));
    assert_eq!(doors[0].count, 1);
}

#[test]
fn duplicate_ids_in_one_commit_insert_once() {
    let (_dir, mut store) = open();
    let first = event("a", 10 * MIN, None, Some(("d1", "Front")), Some("Ann"));
    let again = event("a", 10 * MIN, None, Some(("d1", "Front")), None);
    let other = event("b", 11 * MIN, None, Some(("d1", "Front")), Some("Bo"));
    let out = commit(&mut store, &[first, other, again.clone()], 100);
    let ids: Vec<_> = out.inserted.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"], "first position, once");
    assert_eq!(count(&store, "event_log"), 2);
    let raw: String = store
        .conn
        .query_row("SELECT raw FROM event_log WHERE id = 'a'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, again.raw, "the last copy is the freshest");
    assert_eq!(store.doors().unwrap()[0].count, 2);
}

#[test]
fn mark_notified_moves_only_pending_and_pending_events_lists_the_rest() {
    let (_dir, mut store) = open();
    let events: Vec<_> = (0..4)
        .map(|i| {
            event(
                &format!("e{i}"),
                (10 + i) * MIN,
                None,
                Some(("d1", "Front")),
                Some("Ann"),
            )
        })
        .collect();
    commit(&mut store, &events[..3], 100);
    // `e3` arrives as history: stored suppressed, while the others stay pending.
    let history = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &events[3..],
        quarantined: &[],
        state_json: "{}",
        news_floor: Some(Millis(i64::MAX)),
        log: Some(entry(200, PollOutcome::Fetched)),
        earlier_new: 0,
        seen_at: Millis(200),
    };
    store
        .commit(&history, |pending| {
            vec![NotifyDecision::Pending; pending.len()]
        })
        .unwrap();
    commit_as(
        &mut store,
        "acct-2",
        &[event("x", MIN, None, None, None)],
        300,
        NotifyDecision::Pending,
    );

    assert_eq!(store.mark_notified(&["e0", "e3", "nope"]).unwrap(), 1);
    assert_eq!(store.mark_notified(&["e0"]).unwrap(), 0, "already notified");
    let pending = store.pending_events(SOURCE).unwrap();
    assert_eq!(
        pending,
        events[1..3].to_vec(),
        "rebuilt exactly, oldest first"
    );
}

#[test]
fn history_pages_with_cursor_cover_every_row_once() {
    let (_dir, mut store) = open();
    // Many ties on unlocked_at: only the id tells these rows apart.
    let events: Vec<_> = (0..257)
        .map(|i| {
            event(
                &format!("id{:03}", (i * 37) % 257),
                (i % 7) * MIN,
                None,
                None,
                None,
            )
        })
        .collect();
    commit(&mut store, &events, 100);
    for limit in [1, 10, 100, 500, 0, 10_000] {
        for plan in [None, Some(Plan::Scan)] {
            let ids = all_ids(
                &store,
                HistoryQuery {
                    limit,
                    ..Default::default()
                },
                plan,
            );
            assert_eq!(ids.len(), 257, "limit {limit}");
            let unique: HashSet<_> = ids.iter().collect();
            assert_eq!(unique.len(), 257);
        }
    }
    let page = store
        .history(&HistoryQuery {
            limit: 3,
            ..Default::default()
        })
        .unwrap();
    let keys: Vec<_> = page
        .rows
        .iter()
        .map(|r| (r.unlocked_at.0, r.id.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "newest first, then id descending");
}

#[test]
fn every_plan_returns_what_a_plain_filter_returns() {
    let (_dir, mut store) = open();
    // d2 is renamed half-way; one door has no id, another no name.
    let doors = [
        ("d1", "Front door"),
        ("d2", "Gym"),
        ("d3", "Bike Room"),
        ("d4", "Åkes förråd"),
        ("", "Loose door"),
        ("d6", ""),
        ("d2", "Gym and sauna"),
    ];
    let users = [
        "Ann Berg",
        "Åsa Öberg",
        "Bo Ek",
        "Anna Li",
        "Kim",
        "Rare Person",
    ];
    let mut rng = Rng::seeded(7);
    let mut specs = Vec::new();
    for i in 0..1500 {
        let created = rng.range(0, 300) * MIN;
        let ts = (rng.range(0, 3) > 0).then(|| created - rng.range(0, 30) * MIN);
        // The rename happens at event 750: later d2 events carry the new name.
        let kinds = if i < 750 { 5 } else { 6 };
        let mut door = (rng.range(0, 9) > 0).then(|| doors[rng.range(0, kinds) as usize]);
        if i >= 750 && door == Some(doors[1]) {
            door = Some(doors[6]);
        }
        let user = match rng.range(0, 20) {
            0 => None,
            1 => Some(users[5]),
            k => Some(users[(k % 5) as usize]),
        };
        specs.push((format!("e{i:04}"), created, ts, door, user));
    }
    let mut events: Vec<EventLog> = specs
        .iter()
        .map(|(id, c, t, d, u)| event(id, *c, *t, *d, *u))
        .collect();
    for (i, chunk) in events.chunks(400).enumerate() {
        let source = if i % 2 == 0 { "acct-1" } else { "acct-2" };
        commit_as(
            &mut store,
            source,
            chunk,
            i as i64,
            NotifyDecision::Suppressed,
        );
    }
    // Later a scrub rewrites the first 100 rows: no user, and d2 under its new name.
    let scrubbed: Vec<EventLog> = specs[..100]
        .iter()
        .map(|(id, c, t, d, _)| {
            let d = if *d == Some(doors[1]) {
                Some(doors[6])
            } else {
                *d
            };
            event(id, *c, *t, d, None)
        })
        .collect();
    let out = commit_as(
        &mut store,
        "acct-1",
        &scrubbed,
        10,
        NotifyDecision::Suppressed,
    );
    assert!(out.inserted.is_empty());
    events.splice(..100, scrubbed);

    let queries = [
        HistoryQuery::default(),
        HistoryQuery {
            door_ids: vec!["d2".into()],
            ..Default::default()
        },
        HistoryQuery {
            door_ids: vec!["d1".into(), "d4".into(), "d9".into()],
            ..Default::default()
        },
        HistoryQuery {
            text: Some("ANN".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("åsa".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("o".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("rare".into()),
            door_ids: vec!["d1".into(), "d3".into()],
            ..Default::default()
        },
        HistoryQuery {
            text: Some("nobody".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("sauna".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("GYM".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("door".into()),
            ..Default::default()
        },
        HistoryQuery {
            text: Some("loose".into()),
            door_ids: vec!["d6".into()],
            ..Default::default()
        },
        HistoryQuery {
            door_ids: vec!["d6".into()],
            ..Default::default()
        },
        HistoryQuery {
            text: Some("  ".into()),
            ..Default::default()
        },
        HistoryQuery {
            from: Some(Millis(50 * MIN)),
            to: Some(Millis(120 * MIN)),
            ..Default::default()
        },
        HistoryQuery {
            source: Some("acct-2".into()),
            text: Some("g".into()),
            door_ids: vec!["d2".into(), "d3".into()],
            from: Some(Millis(10 * MIN)),
            to: Some(Millis(250 * MIN)),
            ..Default::default()
        },
    ];
    for q in queries {
        let text = q
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let mut expected: Vec<&EventLog> = events
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                let source = if (i / 400) % 2 == 0 {
                    "acct-1"
                } else {
                    "acct-2"
                };
                let name_hit =
                    |n: Option<&str>, t: &str| n.is_some_and(|n| n.to_lowercase().contains(t));
                q.source.as_deref().is_none_or(|s| s == source)
                    && (q.door_ids.is_empty()
                        || e.door_id()
                            .is_some_and(|d| q.door_ids.iter().any(|x| x == d)))
                    && text.as_deref().is_none_or(|t| {
                        name_hit(e.door.as_ref().and_then(|d| d.name.as_deref()), t)
                            || name_hit(e.user.as_ref().and_then(|u| u.name.as_deref()), t)
                    })
                    && q.from.is_none_or(|f| e.unlocked_at() >= f)
                    && q.to.is_none_or(|t| e.unlocked_at() < t)
            })
            .map(|(_, e)| e)
            .collect();
        expected.sort_by(|a, b| (b.unlocked_at(), &b.id).cmp(&(a.unlocked_at(), &a.id)));
        let expected: Vec<String> = expected.into_iter().map(|e| e.id.clone()).collect();

        for plan in [
            None,
            Some(Plan::Scan),
            Some(Plan::ByDoor),
            Some(Plan::ByName),
        ] {
            for limit in [7, 100] {
                let got = all_ids(&store, HistoryQuery { limit, ..q.clone() }, plan);
                assert_eq!(got, expected, "{q:?} plan {plan:?} limit {limit}");
            }
        }
        assert_eq!(store.count(&q).unwrap(), expected.len() as u64, "{q:?}");
    }
}

#[test]
fn text_search_matches_door_and_user_case_insensitively() {
    let (_dir, mut store) = open();
    commit(
        &mut store,
        &[
            event(
                "a",
                MIN,
                None,
                Some(("d1", "Front Door")),
                Some("Åsa Öberg"),
            ),
            event("b", 2 * MIN, None, Some(("d2", "Gym")), Some("Frida Door")),
            event("c", 3 * MIN, None, Some(("d2", "Gym")), Some("Bo")),
            event("d", 4 * MIN, None, None, None),
        ],
        100,
    );
    let ids = |t: &str| -> Vec<String> {
        let q = HistoryQuery {
            text: Some(t.into()),
            limit: 50,
            ..Default::default()
        };
        store
            .history(&q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        ids("DOOR"),
        ["b", "a"],
        "door name of one, user name of the other"
    );
    assert_eq!(ids("åSA"), ["a"], "case folding beyond ASCII");
    assert_eq!(ids("öBERG"), ["a"]);
    assert_eq!(ids("gym"), ["c", "b"]);
    assert_eq!(
        ids("someone"),
        Vec::<String>::new(),
        "labels are not stored names"
    );
}

thread_local! {
    /// Statements with a `COUNT(` this thread ran since [`count_statements`] was reset.
    static COUNT_STATEMENTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts the counting statements `store` runs from now on: SQLite reports each statement
/// once as it finishes.
fn count_statements(store: &Store) {
    use rusqlite::trace::{TraceEvent, TraceEventCodes};
    fn traced(event: TraceEvent<'_>) {
        if let TraceEvent::Profile(stmt, _) = event
            && stmt.sql().to_uppercase().contains("COUNT(")
        {
            COUNT_STATEMENTS.with(|n| n.set(n.get() + 1));
        }
    }
    COUNT_STATEMENTS.with(|n| n.set(0));
    store
        .conn
        .trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(traced));
}

#[test]
fn a_history_page_runs_at_most_one_count_whatever_the_names_it_matches() {
    let (_dir, mut store) = open();
    // 600 distinct guests at 60 doors, and doorless rows with a door name: a text "e"
    // matches every user name, every door name and the doorless rows.
    let events: Vec<EventLog> = (0..1_200)
        .map(|i| {
            let guest = format!("Guest {}", i % 600);
            let (door_id, door_name) = match i % 7 {
                0 => (String::new(), "Gate loose".to_owned()),
                _ => (format!("g{}", i % 60), format!("Gate {}", i % 60)),
            };
            let user = (i % 5 != 0).then_some(guest.as_str());
            let door = Some((door_id.as_str(), door_name.as_str()));
            event(&format!("e{i:05}"), (i + 1) * MIN, None, door, user)
        })
        .collect();
    commit(&mut store, &events, 2_000 * MIN);
    for text in ["e", "guest 1", "gate", "loose"] {
        let q = HistoryQuery {
            text: Some(text.into()),
            limit: 100,
            ..Default::default()
        };
        let expected = all_ids(&store, q.clone(), Some(Plan::Scan)).len() as u64;
        count_statements(&store);
        store.history(&q).unwrap();
        let total = store.count(&q).unwrap();
        let counts = COUNT_STATEMENTS.with(std::cell::Cell::get);
        store
            .conn
            .trace_v2(rusqlite::trace::TraceEventCodes::empty(), None);
        assert_eq!(total, expected, "{text}: the count matches the pages");
        assert!(
            counts <= 1,
            "{text}: a page and its total ran {counts} counting statements; one must do \
             whatever the number of matching names"
        );
    }
}

#[test]
fn date_range_is_inclusive_from_exclusive_to_on_unlock_time() {
    let (_dir, mut store) = open();
    commit(
        &mut store,
        &[
            // Uploaded late: unlocked at 5, arrived at 50.
            event("late", 50 * MIN, Some(5 * MIN), None, None),
            event("from", 10 * MIN, None, None, None),
            event("to", 20 * MIN, None, None, None),
        ],
        100,
    );
    let q = HistoryQuery {
        from: Some(Millis(5 * MIN)),
        to: Some(Millis(20 * MIN)),
        limit: 10,
        ..Default::default()
    };
    let page = store.history(&q).unwrap();
    let ids: Vec<_> = page.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["from", "late"]);
    assert_eq!(page.rows[1].report_delay_ms, Some(45 * MIN));
    assert_eq!(page.next, None);
}

#[test]
fn doors_and_daily_counts_summarise_the_history() {
    let (_dir, mut store) = open();
    let day = Millis::DAY;
    commit(
        &mut store,
        &[
            event("a", day - 30 * MIN, None, Some(("d1", "Front")), None),
            event("b", day + 30 * MIN, None, Some(("d1", "Front")), None),
            event("c", day + 60 * MIN, None, Some(("d2", "Back")), None),
            event("d", 2 * day, None, None, Some("Ann")),
        ],
        100,
    );
    let doors = store.doors().unwrap();
    assert_eq!(
        doors,
        [
            DoorSeen {
                id: "d2".into(),
                place_id: None,
                name: Some("Back".into()),
                last_unlock: Millis(day + 60 * MIN),
                count: 1
            },
            DoorSeen {
                id: "d1".into(),
                place_id: None,
                name: Some("Front".into()),
                last_unlock: Millis(day + 30 * MIN),
                count: 2
            },
        ]
    );
    let utc = store.daily_counts(Millis(0), Millis(3 * day), 0).unwrap();
    assert_eq!(
        utc,
        [
            ("1970-01-01".to_owned(), 1),
            ("1970-01-02".to_owned(), 2),
            ("1970-01-03".to_owned(), 1)
        ]
    );
    let east = store
        .daily_counts(Millis(0), Millis(3 * day), 3600)
        .unwrap();
    assert_eq!(
        east,
        [("1970-01-02".to_owned(), 3), ("1970-01-03".to_owned(), 1)]
    );
    let west = store
        .daily_counts(Millis(0), Millis(2 * day), -2 * 3600)
        .unwrap();
    assert_eq!(west, [("1970-01-01".to_owned(), 3)]);
}

#[test]
fn coverage_gap_reports_found_events() {
    let (_dir, mut store) = open();
    let log =
        |store: &mut Store, at: i64, outcome| store.log_poll(SOURCE, &entry(at, outcome)).unwrap();
    log(&mut store, 0, PollOutcome::NotModified);
    log(&mut store, 5 * MIN, PollOutcome::Failed);
    log(&mut store, 10 * MIN, PollOutcome::Failed);
    // Recovery at 15 min finds what arrived during the outage.
    commit(
        &mut store,
        &[
            event("in1", 3 * MIN, None, None, None),
            event("in2", 12 * MIN, Some(MIN), None, None),
            event("after", 15 * MIN, None, None, None),
        ],
        15 * MIN,
    );
    // A blip shorter than the minimum, then an outage that has not ended.
    log(&mut store, 20 * MIN, PollOutcome::Failed);
    log(&mut store, 21 * MIN, PollOutcome::Fetched);
    log(&mut store, 30 * MIN, PollOutcome::Failed);
    // Another account's failures are its own.
    store
        .log_poll("acct-2", &entry(16 * MIN, PollOutcome::Failed))
        .unwrap();

    let gaps = store.coverage_gaps(Millis(0), 10 * MIN).unwrap();
    assert_eq!(
        gaps,
        [Gap {
            source: SOURCE.into(),
            from: Millis(0),
            to: Millis(15 * MIN),
            failed_attempts: 2,
            found_events: 2
        }]
    );
    // Starting the window inside the outage still anchors it at the last success.
    let gaps = store.coverage_gaps(Millis(8 * MIN), 0).unwrap();
    assert_eq!(gaps[0].from, Millis(0));
    assert_eq!(gaps.len(), 2, "the blip counts with no minimum");

    let stats = store.poll_stats(Millis(0)).unwrap();
    assert_eq!(
        stats,
        PollStats {
            polls: 8,
            requests: 16,
            not_modified: 1,
            bytes: 8_000,
            failures: 5
        }
    );
    assert_eq!(store.poll_log_since(Millis(20 * MIN)).unwrap().len(), 3);
}

#[test]
fn quarantine_keeps_one_row_per_record() {
    let (_dir, mut store) = open();
    let bad = |id: Option<&str>, raw: &str| Quarantined {
        id: id.map(str::to_owned),
        reason: "`createdAt` is not a date".into(),
        raw: raw.into(),
    };
    let poll = |store: &mut Store, at: i64, q: &[Quarantined]| {
        let c = Commit {
            source: SOURCE,
            place_id: None,
            day: DayRule::default(),
            events: &[],
            quarantined: q,
            state_json: "{}",
            news_floor: None,
            log: Some(entry(at, PollOutcome::Fetched)),
            earlier_new: 0,
            seen_at: Millis(at),
        };
        store.commit(&c, |_| Vec::new()).unwrap().quarantined_new
    };
    let first = [
        bad(Some("q1"), r#"{"id":"q1","createdAt":"x"}"#),
        bad(None, "42"),
    ];
    assert_eq!(poll(&mut store, 1, &first), 2);
    for at in 2..50 {
        assert_eq!(poll(&mut store, at, &first), 0);
    }
    // The same record, scrubbed: replaces its row.
    assert_eq!(
        poll(
            &mut store,
            60,
            &[bad(Some("q1"), r#"{"id":"q1","createdAt":"y"}"#)]
        ),
        0
    );
    assert_eq!(store.quarantine_count().unwrap(), 2);
    let rows = store.quarantined(10).unwrap();
    assert_eq!(rows[0].record_id.as_deref(), Some("q1"));
    assert!(rows[0].raw.contains("\"y\""));
    assert_eq!(
        (
            rows[0].first_seen_at,
            rows[0].last_seen_at,
            rows[0].times_seen
        ),
        (Millis(1), Millis(60), 50)
    );
    assert_eq!(rows[1].times_seen, 49);
}

#[test]
fn newer_schema_is_refused() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("history.sqlite");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 99,
                known,
                ..
            } if known == Store::schema_version()
        ),
        "{err}"
    );
    assert!(err.to_string().contains("Update Doorpost"));
}

#[test]
fn reopening_keeps_the_history_and_applies_no_migration_twice() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("history.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        commit(&mut store, &[event("a", MIN, None, None, None)], 100);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&store.conn).unwrap(), Store::schema_version());
    assert_eq!(count(&store, "event_log"), 1);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    let page: i64 = store
        .conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(page, PAGE_SIZE);
    assert!(store.integrity_check().unwrap());
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("history.sqlite");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
}

#[test]
fn settings_round_trip_and_bad_json_falls_back_to_default() {
    let (_dir, mut store) = open();
    assert_eq!(store.load_settings().unwrap(), Settings::default());
    let mine = Settings {
        poll_interval_mins: 9,
        watched_doors: DoorFilter::Only(vec!["d1".into()]),
        ..Settings::default()
    };
    store.save_settings(&mine).unwrap();
    assert_eq!(store.load_settings().unwrap(), mine);

    store
        .conn
        .execute(
            "UPDATE settings SET json = '{\"pollIntervalMins\": \"soon\"'",
            [],
        )
        .unwrap();
    assert_eq!(store.load_settings().unwrap(), Settings::default());
    store.save_settings(&mine).unwrap();
    assert_eq!(store.load_settings().unwrap(), mine);
    let kept: String = store
        .conn
        .query_row("SELECT unreadable_json FROM settings", [], |r| r.get(0))
        .unwrap();
    assert!(
        kept.contains("soon"),
        "the unreadable text is kept for diagnosis"
    );
}

#[test]
fn only_the_pages_before_a_syncs_last_skip_the_fsync() {
    let (_dir, mut store) = open();
    let synchronous = |store: &Store| -> i64 {
        store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap()
    };
    const NORMAL: i64 = 1;
    const FULL: i64 = 2;
    let page = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &[event("a", MIN, None, None, None)],
        quarantined: &[],
        state_json: "{}",
        news_floor: None,
        log: None,
        earlier_new: 0,
        seen_at: Millis(100),
    };
    store.commit(&page, |_| Vec::new()).unwrap();
    assert_eq!(synchronous(&store), NORMAL);
    // Everything that decides or records a notification waits for the disk.
    store.mark_notified(&["a"]).unwrap();
    assert_eq!(synchronous(&store), FULL);
    store.commit(&page, |_| Vec::new()).unwrap();
    commit(&mut store, &[event("b", 2 * MIN, None, None, None)], 200);
    assert_eq!(synchronous(&store), FULL, "a sync's last commit is durable");
    store.commit(&page, |_| Vec::new()).unwrap();
    store.save_settings(&Settings::default()).unwrap();
    assert_eq!(synchronous(&store), FULL);
}

#[test]
fn retention_forgets_old_names_and_emails_but_keeps_counts_and_doors() {
    let (_dir, mut store) = open();
    let day = Millis::DAY;
    let with_email = |id: &str, at: i64| {
        parse_record(&json!({
            "id": id, "createdAt": at, "type": "unlock",
            "device": { "id": "d1", "name": "Front door" },
            "access": { "id": "a1", "name": "Ann's key" },
            "user": { "id": "u1", "firstName": "Ann", "lastName": "Berg", "email": "ann@example.com" },
        }))
        .unwrap()
    };
    commit(
        &mut store,
        &[with_email("old", 10 * day), with_email("new", 100 * day)],
        100 * day,
    );
    assert!(
        store
            .conn
            .query_row("PRAGMA secure_delete", [], |r| r.get::<_, i64>(0))
            .unwrap()
            == 1
    );

    let forgotten = store.forget_before(Millis(50 * day)).unwrap();
    assert_eq!(forgotten.events, 1);

    let (raw, user_id, user_name, door): (String, Option<String>, Option<String>, Option<String>) =
        store
            .conn
            .query_row(
                "SELECT raw, user_id, user_name, door_name FROM event_log WHERE id = 'old'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
    for personal in ["Ann", "Berg", "ann@example.com", "u1"] {
        assert!(!raw.contains(personal), "{personal} is still in {raw}");
    }
    assert_eq!((user_id, user_name), (None, None));
    assert_eq!(door.as_deref(), Some("Front door"), "door history stays");
    let reread = parse_record(&serde_json::from_str(&raw).unwrap()).unwrap();
    assert_eq!(reread.created_at, Millis(10 * day), "the row still reads");

    // Counts, doors and the newer row stay; the name search finds only the newer row.
    assert_eq!(store.count(&HistoryQuery::default()).unwrap(), 2);
    assert_eq!(store.doors().unwrap()[0].count, 2);
    let by_name = HistoryQuery {
        text: Some("Ann".into()),
        ..HistoryQuery::default()
    };
    assert_eq!(all_ids(&store, by_name, None), ["new"]);
    let users: i64 = store
        .conn
        .query_row(
            "SELECT events FROM names WHERE kind = 'user' AND name = 'Ann Berg'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(users, 1, "the names table matches the rows");
    assert_eq!(store.forget_before(Millis(50 * day)).unwrap().events, 0);
}

#[test]
fn the_quarantine_is_bounded_in_rows_and_text() {
    let (_dir, mut store) = open();
    let records: Vec<Quarantined> = (0..MAX_QUARANTINE_ROWS + 100)
        .map(|i| Quarantined {
            id: Some(format!("q{i}")),
            reason: "r".repeat(10_000),
            raw: format!("{i}:{}", "é".repeat(10_000)),
        })
        .collect();
    let c = Commit {
        source: SOURCE,
        place_id: None,
        day: DayRule::default(),
        events: &[],
        quarantined: &records,
        state_json: "{}",
        news_floor: None,
        log: Some(entry(1, PollOutcome::Fetched)),
        earlier_new: 0,
        seen_at: Millis(1),
    };
    store.commit(&c, |_| Vec::new()).unwrap();
    assert_eq!(
        store.quarantine_count().unwrap(),
        MAX_QUARANTINE_ROWS as u64
    );
    for row in store.quarantined(1_000).unwrap() {
        assert!(row.raw.len() <= MAX_QUARANTINE_TEXT && row.reason.len() <= MAX_QUARANTINE_TEXT);
    }
    // Forgotten with the names: quarantined text is the server's, personal data included.
    assert_eq!(
        store.forget_before(Millis(2)).unwrap().quarantined,
        MAX_QUARANTINE_ROWS
    );
}

#[test]
fn an_install_id_is_made_with_the_database_and_only_an_old_install_has_old_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let empty = Store::open(&dir.path().join("new.sqlite3")).unwrap();
    let other = Store::open(&dir.path().join("other.sqlite3")).unwrap();
    let id = empty.install_id().unwrap();
    assert_eq!(id.len(), 32, "{id}");
    assert_ne!(id, other.install_id().unwrap(), "each database its own");
    assert!(
        !empty.legacy_keychain().unwrap(),
        "a new database adopts nothing"
    );
    drop(empty);
    let again = Store::open(&dir.path().join("new.sqlite3")).unwrap();
    assert_eq!(again.install_id().unwrap(), id, "never changed");

    // A database of schema 2 that holds places: its tokens are to be moved, once.
    let old = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.execute_batch(
            "INSERT INTO places (id, name, position, created_at) VALUES ('main', 'Loft', 1, 0);
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let mut store = Store::open(&old).unwrap();
    assert!(store.legacy_keychain().unwrap());
    store.legacy_keychain_done().unwrap();
    assert!(!store.legacy_keychain().unwrap());
}

/// Whether `needle` occurs anywhere in the bytes of the database's `-wal` file (an absent
/// file holds nothing).
fn wal_holds(store: &Store, needle: &str) -> bool {
    let mut wal = store.path().as_os_str().to_owned();
    wal.push("-wal");
    let bytes = std::fs::read(&wal).unwrap_or_default();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn rows_dated_in_the_future_are_forgotten_by_their_arrival() {
    let (_dir, mut store) = open();
    let day = Millis::DAY;
    // Both dated by the server in 2099, one arriving on day 10, the other on day 60.
    let future = 4_000_000 * MIN;
    commit(
        &mut store,
        &[event("early", future, None, None, Some("Zebulon Early"))],
        10 * day,
    );
    commit(
        &mut store,
        &[event(
            "late",
            future + MIN,
            None,
            None,
            Some("Yolanda Late"),
        )],
        60 * day,
    );
    let forgotten = store.forget_before(Millis(50 * day)).unwrap();
    assert_eq!(
        forgotten.events, 1,
        "only the row that arrived before the cutoff"
    );
    let name_of = |id: &str| -> Option<String> {
        store
            .conn
            .query_row("SELECT user_name FROM event_log WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(
        name_of("early"),
        None,
        "arrived on day 10, past a 40-day retention"
    );
    assert_eq!(name_of("late").as_deref(), Some("Yolanda Late"));
    assert_eq!(store.forget_before(Millis(50 * day)).unwrap().events, 0);
    assert_eq!(store.forget_before(Millis(70 * day)).unwrap().events, 1);
}

#[test]
fn a_forgotten_name_lingers_in_neither_the_wal_nor_the_database_file() {
    let (_dir, mut store) = open();
    let day = Millis::DAY;
    let guest = "Quentin Forgettable";
    commit(
        &mut store,
        &[event(
            "old",
            10 * day,
            None,
            Some(("d1", "Door")),
            Some(guest),
        )],
        10 * day,
    );
    commit(
        &mut store,
        &[event("new", 100 * day, None, None, Some("Kept"))],
        100 * day,
    );
    assert!(
        wal_holds(&store, guest),
        "the commit wrote its pages to the WAL"
    );
    assert_eq!(store.forget_before(Millis(50 * day)).unwrap().events, 1);
    assert!(!wal_holds(&store, guest), "the WAL still holds {guest}");
    let db = std::fs::read(store.path()).unwrap();
    assert!(
        !db.windows(guest.len()).any(|w| w == guest.as_bytes()),
        "the database file still holds {guest}"
    );
}

#[test]
fn a_door_a_server_calls_star_is_a_door_and_never_the_pause() {
    let (_dir, mut store) = open();
    // Decided at once (a pending row would be decided again by the next commit).
    let decided = |store: &mut Store, events: &[EventLog], at: i64| {
        commit_as(store, SOURCE, events, at, NotifyDecision::Suppressed);
    };
    let far = Some(Millis(i64::MAX));
    store.set_mute("*", far).unwrap();
    assert_eq!(
        store.paused(Millis(0)).unwrap(),
        None,
        "a mute of door * is no pause"
    );
    decided(
        &mut store,
        &[event("a", MIN, None, Some(("d1", "Hall")), None)],
        MIN,
    );
    decided(
        &mut store,
        &[event("b", 2 * MIN, None, Some(("*", "Star")), None)],
        2 * MIN,
    );
    store.set_pause(None).unwrap();
    decided(
        &mut store,
        &[event("c", 3 * MIN, None, Some(("d1", "Hall")), None)],
        3 * MIN,
    );
    let q = HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    };
    let muted: Vec<(String, bool)> = store
        .history(&q)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.id, r.muted))
        .collect();
    assert_eq!(
        muted,
        [("c".into(), true), ("b".into(), true), ("a".into(), false)],
        "door * muted only itself; the pause muted every door"
    );
    let doors: Vec<String> = store
        .mutes(Millis(0))
        .unwrap()
        .into_iter()
        .map(|m| m.door_id)
        .collect();
    assert_eq!(doors, ["*"], "the pause is not a door's mute");
    assert_eq!(store.paused(Millis(0)).unwrap(), Some(None));
    store.clear_mute("*").unwrap();
    assert_eq!(
        store.paused(Millis(0)).unwrap(),
        Some(None),
        "unmuting * resumes nothing"
    );
    store.clear_pause().unwrap();
    assert_eq!(store.paused(Millis(0)).unwrap(), None);
}

#[test]
fn deleting_a_places_history_leaves_nothing_of_it_in_any_table() {
    let (_dir, mut store) = open();
    for (place, source) in [("loft", "src-loft"), ("cabin", "src-cabin")] {
        let row = PlaceRow {
            id: place.into(),
            name: place.into(),
            api_url: None,
            notify_mode: None,
        };
        store.add_place(&row, Millis(1)).unwrap();
        let door = format!("d-{place}");
        let c = Commit {
            source,
            place_id: Some(place),
            day: DayRule::default(),
            events: &[event(
                &format!("{place}-1"),
                MIN,
                None,
                Some((&door, "Door")),
                Some("Ann"),
            )],
            quarantined: &[Quarantined {
                id: Some(format!("{place}-bad")),
                reason: "no createdAt".into(),
                raw: format!(r#"{{"place":"{place}"}}"#),
            }],
            state_json: r#"{"watermark":1}"#,
            news_floor: None,
            log: Some(entry(MIN, PollOutcome::Failed)),
            earlier_new: 0,
            seen_at: Millis(MIN),
        };
        store
            .commit(&c, |pending| {
                vec![NotifyDecision::Suppressed; pending.len()]
            })
            .unwrap();
        store.set_mute(&door, None).unwrap();
    }
    // An account the loft checked without storing a row yet.
    store
        .conn
        .execute(
            "INSERT INTO poll_log (source, at, outcome, requests, bytes, new_events, error) \
             VALUES ('src-loft-new', 1, 'failed', 1, 0, 0, 'guest@example.com')",
            [],
        )
        .unwrap();
    let rows_of = |store: &Store, table: &str, like: &str| -> i64 {
        store
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE source LIKE ?1"),
                [like],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(
        store
            .remove_place("loft", true, &["src-loft-new".into()])
            .unwrap()
    );
    for table in ["event_log", "quarantine", "poll_log", "poll_state"] {
        assert_eq!(
            rows_of(&store, table, "src-loft%"),
            0,
            "{table} keeps the loft's rows"
        );
        assert_eq!(
            rows_of(&store, table, "src-cabin"),
            1,
            "{table} lost the cabin's rows"
        );
    }
    let mutes: Vec<String> = store
        .mutes(Millis(0))
        .unwrap()
        .into_iter()
        .map(|m| m.door_id)
        .collect();
    assert_eq!(mutes, ["d-cabin"]);
    assert_eq!(count(&store, "doors"), 1);
    assert_eq!(count(&store, "names"), 2, "the cabin's door and user names");
    // Every cell of every table: nothing names the loft.
    let tables: Vec<String> = store
        .conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Except the id itself in `place_ids`, kept so it is never given again: in the app an
    // opaque `p-…` (here "loft"), naming nothing of the place.
    let ids: Vec<String> = store
        .conn
        .prepare("SELECT id FROM place_ids")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, ["cabin", "loft"]);
    for table in tables.iter().filter(|t| *t != "place_ids") {
        let mut stmt = store
            .conn
            .prepare(&format!("SELECT * FROM {table}"))
            .unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                if let Ok(text) = row.get_ref(i).unwrap().as_str() {
                    assert!(!text.contains("loft"), "{table} keeps {text:?}");
                }
            }
        }
    }
    assert!(
        !wal_holds(&store, "src-loft"),
        "the WAL keeps the loft's rows"
    );
}

#[test]
fn a_place_id_is_given_out_once_even_after_its_place_is_removed() {
    let (_dir, mut store) = open();
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        format!("p-{n}")
    };
    assert_eq!(store.new_place_id("main", &mut fresh).unwrap(), "main");
    assert_eq!(store.new_place_id("main", &mut fresh).unwrap(), "p-1");
    let row = PlaceRow {
        id: "p-1".into(),
        name: "Loft".into(),
        api_url: None,
        notify_mode: None,
    };
    store.add_place(&row, Millis(1)).unwrap();
    assert!(store.remove_place("p-1", false, &[]).unwrap());
    assert_eq!(
        store.tokens_to_clear().unwrap(),
        ["p-1"],
        "its token goes next"
    );
    // A place stored under an id of its own (an old install's first) counts as given too.
    let row = PlaceRow {
        id: "p-3".into(),
        ..row
    };
    store.add_place(&row, Millis(2)).unwrap();
    assert_eq!(store.new_place_id("main", &mut fresh).unwrap(), "p-2");
    assert_eq!(store.new_place_id("main", &mut fresh).unwrap(), "p-4");
    store.token_cleared("p-1").unwrap();
    assert!(store.tokens_to_clear().unwrap().is_empty());
}

/// The tray reads only the doors it could show (issue 14): the muted ones, then the most
/// recently active, the same the menu would rank first out of every door.
#[test]
fn tray_doors_are_the_muted_then_the_latest_of_one_place_by_name() {
    let (_dir, mut store) = open();
    for place in ["loft", "cabin"] {
        let row = PlaceRow {
            id: place.into(),
            name: place.into(),
            api_url: None,
            notify_mode: None,
        };
        store.add_place(&row, Millis(1)).unwrap();
    }
    let put = |store: &mut Store, place: &str, events: &[EventLog]| {
        let c = Commit {
            source: place,
            place_id: Some(place),
            day: DayRule::default(),
            events,
            quarantined: &[],
            state_json: r#"{"watermark":1}"#,
            news_floor: Some(Millis(i64::MAX)),
            log: None,
            earlier_new: 0,
            seen_at: Millis(MIN),
        };
        store
            .commit(&c, |new| vec![NotifyDecision::Suppressed; new.len()])
            .unwrap();
    };
    // Door i last opened at minute i + 1, its name running the other way; two share a
    // minute, so the tie at the cut is broken by name.
    let loft: Vec<EventLog> = (0..40)
        .map(|i| {
            let door = format!("d{i:02}");
            let name = format!("Door {:02}", 39 - i);
            let at = (i.min(38) + 1) * MIN;
            event(
                &format!("e{i}"),
                at,
                None,
                Some((&door, &name)),
                Some("Ann"),
            )
        })
        .collect();
    put(&mut store, "loft", &loft);
    let cabin = [event("c1", 99 * MIN, None, Some(("c-door", "Cabin")), None)];
    put(&mut store, "cabin", &cabin);
    let now = Millis(50 * MIN);
    store.set_mute("d03", Some(Millis(100 * MIN))).unwrap();
    store.set_mute("d05", Some(Millis(MIN))).unwrap(); // ended

    // The menu's own ranking over every door of the place, the first `n` kept in the
    // order of `doors()`.
    let expected = |n: usize| {
        let all: Vec<DoorSeen> = store
            .doors()
            .unwrap()
            .into_iter()
            .filter(|d| d.place_id.as_deref() == Some("loft"))
            .collect();
        let mutes = store.mutes(now).unwrap();
        let mut ranked: Vec<usize> = (0..all.len()).collect();
        ranked.sort_by_key(|&i| {
            let muted = mutes
                .iter()
                .any(|m| m.door_id == all[i].id && m.until.is_some_and(|t| t > now));
            (
                std::cmp::Reverse(muted),
                std::cmp::Reverse(all[i].last_unlock),
            )
        });
        ranked.truncate(n);
        ranked.sort_unstable();
        ranked
            .into_iter()
            .map(|i| all[i].id.clone())
            .collect::<Vec<_>>()
    };
    let ids = |n: usize| {
        store
            .tray_doors("loft", now, n)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    for n in [1, 2, 15, 16, 40, 100] {
        assert_eq!(ids(n), expected(n), "limit {n}");
    }
    assert_eq!(ids(1), ["d03"], "a muted door first, however old");
    assert_eq!(ids(100).len(), 40, "only the place's own doors");
    let cabin: Vec<String> = store
        .tray_doors("cabin", now, 16)
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(cabin, ["c-door"]);
}

/// One place's commit of `events` as account `source`.
fn commit_at_place(store: &mut Store, place: &str, source: &str, events: &[EventLog], at: i64) {
    commit_with(
        store,
        source,
        Some(place),
        events,
        at,
        NotifyDecision::Pending,
    );
}

fn add_place_row(store: &mut Store, id: &str) {
    let row = PlaceRow {
        id: id.into(),
        name: id.into(),
        api_url: None,
        notify_mode: None,
    };
    store.add_place(&row, Millis(1)).unwrap();
}

#[test]
fn another_accounts_server_cannot_rewrite_a_row_or_take_a_door() {
    let (_dir, mut store) = open();
    add_place_row(&mut store, "home");
    add_place_row(&mut store, "hostile");
    let door = Some(("d-front", "Front door"));
    commit_at_place(
        &mut store,
        "home",
        "acct-home",
        &[event("e1", MIN, None, door, Some("Ann"))],
        MIN,
    );

    // The same event id and door id from another place's server, with other contents.
    let forged = event(
        "e1",
        MIN,
        None,
        Some(("d-front", "Forged")),
        Some("Mallory"),
    );
    let theirs = event(
        "e2",
        2 * MIN,
        None,
        Some(("d-front", "Forged")),
        Some("Mallory"),
    );
    commit_at_place(
        &mut store,
        "hostile",
        "acct-hostile",
        &[forged, theirs],
        2 * MIN,
    );

    let row = |id: &str| {
        store
            .conn
            .query_row(
                "SELECT user_name, door_name, place_id FROM event_log WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .unwrap()
    };
    assert_eq!(
        row("e1"),
        ("Ann".into(), "Front door".into(), "home".into())
    );
    let front = store
        .doors()
        .unwrap()
        .into_iter()
        .find(|d| d.id == "d-front")
        .unwrap();
    assert_eq!(
        front.place_id.as_deref(),
        Some("home"),
        "the door stays its place's"
    );

    // The account that stored the row still rewrites it (a scrub, a renamed door).
    let scrubbed = event("e1", MIN, None, Some(("d-front", "Front door")), None);
    commit_at_place(&mut store, "home", "acct-home", &[scrubbed], 3 * MIN);
    assert!(
        store
            .conn
            .query_row(
                "SELECT user_name IS NULL FROM event_log WHERE id = 'e1'",
                [],
                |r| r.get::<_, bool>(0)
            )
            .unwrap()
    );
}

#[test]
fn a_door_whose_place_was_removed_goes_to_the_place_that_sees_it_now() {
    let (_dir, mut store) = open();
    add_place_row(&mut store, "old");
    let door = Some(("d-gate", "Gate"));
    commit_at_place(
        &mut store,
        "old",
        "acct-1",
        &[event("g1", MIN, None, door, None)],
        MIN,
    );
    assert!(
        store
            .remove_place("old", false, &["acct-1".into()])
            .unwrap()
    );
    // The same account added again as a new place (ids are never reused).
    add_place_row(&mut store, "new");
    commit_at_place(
        &mut store,
        "new",
        "acct-1",
        &[event("g2", 2 * MIN, None, door, None)],
        2 * MIN,
    );
    let gate = store
        .doors()
        .unwrap()
        .into_iter()
        .find(|d| d.id == "d-gate")
        .unwrap();
    assert_eq!(gate.place_id.as_deref(), Some("new"));
}
/// Stays (issue 16): each row carries its mark, its stay's dates and whether its person is
/// staff; a stay filters the history, its count and every plan alike.
#[test]
fn rows_carry_their_mark_and_staff_and_a_stay_filters_every_plan() {
    use doorpost_core::ipc::{MarkKind, StaffKind, StaffRef};
    let (_dir, mut store) = open();
    let day = 1_796_000_000_000; // 2026-11-29
    let events = [
        event("e1", day, None, Some(("d1", "Front")), Some("Ann")),
        event("e2", day + MIN, None, Some(("d1", "Front")), Some("Ann")),
        event(
            "e3",
            day + 2 * MIN,
            None,
            Some(("d2", "Gate")),
            Some("  Cleaner "),
        ),
        event("e4", day + 3 * MIN, None, Some(("d2", "Gate")), Some("Bob")),
    ];
    commit(&mut store, &events, day + 4 * MIN);
    store
        .conn
        .execute_batch(
            "INSERT INTO stays (id, place_id, uid, start_date, end_date, kind, first_seen_at) \
               VALUES (7, 'main', 'HM1', '2026-11-28', '2026-12-01', 'booking', 0); \
             INSERT INTO unlock_marks (event_id, mark, stay_id) VALUES \
               ('e1', 'arrival', 7), ('e2', 'guest', 7), ('e3', 'staff', NULL);",
        )
        .unwrap();
    let cleaner = normal_staff(&StaffRef {
        kind: StaffKind::Name,
        value: "CLEANER".into(),
    })
    .unwrap();
    store.add_staff(&cleaner, Millis(0)).unwrap();

    let all = HistoryQuery {
        limit: 10,
        ..Default::default()
    };
    let page = store.history(&all).unwrap();
    let by_id = |id: &str| page.rows.iter().find(|r| r.id == id).unwrap().clone();
    let arrival = by_id("e1");
    let mark = arrival.mark.clone().unwrap();
    assert_eq!((mark.kind, mark.stay_id), (MarkKind::Arrival, Some(7)));
    assert!(mark.stay.is_some(), "the stay's dates come with the mark");
    assert_eq!(arrival.user_id.as_deref(), Some("u-Ann"));
    assert!(!arrival.is_staff);
    assert!(
        by_id("e3").is_staff,
        "names compare trimmed and without case"
    );
    assert_eq!(by_id("e3").mark.unwrap().stay, None);
    assert_eq!(by_id("e4").mark, None, "no mark: a place without feeds");

    let q = HistoryQuery {
        stay_id: Some(7),
        ..all.clone()
    };
    assert_eq!(store.count(&q).unwrap(), 2);
    let door = HistoryQuery {
        door_ids: vec!["d1".into(), "d2".into()],
        text: Some("an".into()),
        ..q.clone()
    };
    for plan in [Plan::Scan, Plan::ByDoor, Plan::ByName] {
        assert_eq!(
            all_ids(&store, door.clone(), Some(plan)),
            ["e2", "e1"],
            "{plan:?}"
        );
    }
    assert_eq!(store.count(&door).unwrap(), 2);
    let other = HistoryQuery {
        stay_id: Some(8),
        ..all.clone()
    };
    assert!(store.history(&other).unwrap().rows.is_empty());
    assert_eq!(store.count(&other).unwrap(), 0);

    // As the window gets them: the stay's check-in and check-out at the place's times.
    let settings = Settings {
        stays_timezone: Some("Europe/Oslo".into()),
        ..Settings::default()
    };
    let ctx = crate::hub::views::RowContext::plain(&settings, &[]);
    let v = crate::hub::views::row(&arrival, &ctx);
    let stay = v.stay.clone().unwrap();
    assert_eq!(
        (
            Millis(stay.check_in.unwrap()).to_rfc3339(),
            Millis(stay.check_out.unwrap()).to_rfc3339()
        ),
        (
            "2026-11-28T14:00:00.000Z".to_string(),
            "2026-12-01T10:00:00.000Z".to_string()
        )
    );
    assert_eq!(
        v.staff_ref,
        Some(StaffRef {
            kind: StaffKind::User,
            value: "u-Ann".into()
        })
    );
    let line = crate::hub::views::csv_line(&v);
    assert!(
        line.ends_with(r#","arrival","2026-11-28T14:00:00.000Z/2026-12-01T10:00:00.000Z""#),
        "{line}"
    );
}
