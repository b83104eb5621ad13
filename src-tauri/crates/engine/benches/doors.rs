//! A hostile account's history (issue 14): 20,000 distinct doors and 20,000 people, one in
//! five of each with a name of 200 characters (what the reader leaves of a 1 MiB name),
//! a few of them sent at 1 MiB through the reader itself. Fills a temporary database
//! through `Store::commit`, then times the reads the window and the tray make against it.
//!
//! Run with `cargo bench -p doorpost-engine --bench doors`. It prints figures and asserts
//! nothing beyond the answers' shape; the goal is a p95 under 50 ms for each (warm cache).

mod common;

use std::time::Instant;

use common::Figures;
use doorpost_core::event::{EventLog, MAX_NAME_CHARS, parse_record};
use doorpost_core::i18n::Language;
use doorpost_core::i18n::Locale;
use doorpost_core::ipc::{Mode, PhaseView, StatusView};
use doorpost_core::rng::Rng;
use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;
use doorpost_core::tray::{self, TRAY_DOORS, TrayPlace, TraySnapshot};
use doorpost_engine::hub::tray_rows;
use doorpost_engine::store::{Commit, DayRule, HistoryQuery, PlaceRow, Store};
use serde_json::json;

const DOORS: usize = 20_000;
const PEOPLE: usize = 20_000;
/// Unlocks in all: each door at least once.
const ROWS: usize = 200_000;
const BATCH: usize = 50_000;
const QUERIES: usize = 200;
/// One in this many doors and people has a name of 1 MiB, cut to 200 characters.
const LONG_EVERY: usize = 5;
/// Names sent at their full 1 MiB through the reader (the rest are generated cut).
const MEGABYTE_NAMES: usize = 4;
const MIB: usize = 1024 * 1024;
const PLACE: &str = "main";
/// 2026-01-01T00:00:00Z; the history spans 90 days from here.
const START: i64 = 1_767_225_600_000;
const SPAN: i64 = 90 * Millis::DAY;

fn door_name(i: usize, full: bool) -> String {
    let name = format!("Door {i:05}");
    if !i.is_multiple_of(LONG_EVERY) {
        return name;
    }
    let len = if full { MIB } else { MAX_NAME_CHARS };
    format!("{name} {}", "D".repeat(len))
}

fn first_name(i: usize, full: bool) -> String {
    let name = format!("Guest{i:05}");
    if !i.is_multiple_of(LONG_EVERY) {
        return name;
    }
    let len = if full { MIB } else { MAX_NAME_CHARS };
    format!("{name} {}", "U".repeat(len))
}

fn make_event(rng: &mut Rng, i: usize) -> EventLog {
    let created = START + (i as i64) * (SPAN / ROWS as i64) + rng.range(0, 1_000);
    // Each door once in the first 20,000 rows, then at random.
    let door = if i < DOORS {
        i
    } else {
        rng.range(0, DOORS as i64 - 1) as usize
    };
    let person = rng.range(0, PEOPLE as i64 - 1) as usize;
    let full = i < MEGABYTE_NAMES * LONG_EVERY;
    let v = json!({
        "id": format!("E{i:09}"),
        "createdAt": Millis(created).to_rfc3339(),
        "timestamp": Millis(created - rng.range(200, 5_000)).to_rfc3339(),
        "domain": { "id": "Dm0000001a", "name": "Harbour Loft" },
        "device": { "id": format!("Dv{door:08}"), "name": door_name(door, full) },
        "access": { "id": "RZglGYR2Je", "name": "Resident key" },
        "user": {
            "id": format!("U{person:08}"),
            "firstName": first_name(person, full),
            "lastName": "Berg",
            "email": "someone@example.com",
        },
        "type": "unlock",
    });
    parse_record(&v).expect("generated records are valid")
}

fn time(name: &'static str, rng: &mut Rng, f: &mut dyn FnMut(&mut Rng) -> usize) -> Figures {
    let mut fig = Figures {
        name,
        times: Vec::with_capacity(QUERIES),
        rows: 0,
    };
    for _ in 0..QUERIES {
        let t = Instant::now();
        let rows = f(rng);
        fig.times.push(t.elapsed());
        fig.rows += rows;
    }
    fig
}

fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let path = dir.path().join("doors.sqlite");
    let mut store = Store::open(&path).expect("open");
    let place = PlaceRow {
        id: PLACE.into(),
        name: "Harbour Loft".into(),
        api_url: None,
        notify_mode: None,
    };
    store.add_place(&place, Millis(START)).expect("place");
    let places = store.places().expect("places");
    let mut rng = Rng::seeded(14);

    println!("filling {ROWS} rows over {DOORS} doors and {PEOPLE} people ...");
    let t = Instant::now();
    for b in 0..ROWS / BATCH {
        let events: Vec<EventLog> = (b * BATCH..(b + 1) * BATCH)
            .map(|i| make_event(&mut rng, i))
            .collect();
        let at = Millis(START + ((b + 1) * BATCH) as i64 * (SPAN / ROWS as i64));
        let c = Commit {
            source: "bench-account",
            place_id: Some(PLACE),
            day: DayRule::default(),
            events: &events,
            quarantined: &[],
            state_json: r#"{"watermark":0}"#,
            news_floor: Some(Millis(i64::MAX)),
            log: None,
            earlier_new: 0,
            seen_at: at,
        };
        store
            .commit(&c, |new| {
                vec![doorpost_core::policy::NotifyDecision::Suppressed; new.len()]
            })
            .expect("commit");
    }
    let doors = store.doors().expect("doors");
    assert_eq!(doors.len(), DOORS);
    let longest = doors
        .iter()
        .filter_map(|d| d.name.as_ref())
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
    assert!(
        longest <= MAX_NAME_CHARS,
        "a door name of {longest} characters"
    );
    println!(
        "filled in {:.1} s; {} doors, longest name {longest} characters",
        t.elapsed().as_secs_f64(),
        doors.len()
    );
    drop(doors);

    let page = |q: HistoryQuery| HistoryQuery { limit: 100, ..q };
    let door_id = |r: &mut Rng| format!("Dv{:08}", r.range(0, DOORS as i64 - 1));
    let settings = Settings::default();
    let now = Millis(START + SPAN);
    let locale = Locale {
        lang: Language::En,
        twelve_hour: false,
        utc_offset_secs: 0,
    };

    println!();
    println!(
        "{:<36} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "20,000 doors", "runs", "p50 ms", "p95 ms", "max ms", "rows"
    );
    let mut all = vec![
        time("history: first page", &mut rng, &mut |_| {
            store
                .history(&page(HistoryQuery::default()))
                .expect("history")
                .rows
                .len()
        }),
        time("history: one door's page", &mut rng, &mut |r| {
            store
                .history(&page(HistoryQuery {
                    door_ids: vec![door_id(r)],
                    ..Default::default()
                }))
                .expect("history")
                .rows
                .len()
        }),
        time("search: a person's name", &mut rng, &mut |r| {
            let who = format!("guest{:05}", r.range(0, PEOPLE as i64 - 1));
            store
                .history(&page(HistoryQuery {
                    text: Some(who),
                    ..Default::default()
                }))
                .expect("history")
                .rows
                .len()
        }),
        time("search: a door's name", &mut rng, &mut |r| {
            let door = format!("door {:05}", r.range(0, DOORS as i64 - 1));
            store
                .history(&page(HistoryQuery {
                    text: Some(door),
                    ..Default::default()
                }))
                .expect("history")
                .rows
                .len()
        }),
        time("search: long names (\"DDDD\")", &mut rng, &mut |_| {
            store
                .history(&page(HistoryQuery {
                    text: Some("dddd".into()),
                    ..Default::default()
                }))
                .expect("history")
                .rows
                .len()
        }),
        time("search: no match", &mut rng, &mut |_| {
            store
                .history(&page(HistoryQuery {
                    text: Some("zzz".into()),
                    ..Default::default()
                }))
                .expect("history")
                .rows
                .len()
        }),
        time("tray input (tray_rows)", &mut rng, &mut |_| {
            let (_, doors, _) = tray_rows(&store, &settings, &places, now);
            doors.len()
        }),
        time("tray input + menu", &mut rng, &mut |_| {
            let (recent, doors, paused) = tray_rows(&store, &settings, &places, now);
            let snap = TraySnapshot {
                mode: Mode::Account,
                places: vec![TrayPlace {
                    name: place.name.clone(),
                    status: StatusView::empty(PhaseView::Idle),
                    recent,
                    doors,
                    expected: Vec::new(),
                }],
                unseen: 0,
                paused,
                quiet_until: None,
                now,
                locale,
            };
            tray::menu(&snap).entries.len()
        }),
    ];
    for f in &mut all {
        f.print();
    }
    println!("(the tray menu shows {TRAY_DOORS} doors of the {DOORS})");
}
