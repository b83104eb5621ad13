//! History at a million rows: fills a temporary database through `Store::commit` in
//! batches of 100,000, then times pages of 100 rows for the filters the UI offers.
//!
//! Run with `cargo bench -p doorpost-engine --bench history`. It prints figures and
//! asserts nothing; the goal is a p95 of 30 ms or less per page (warm OS cache).
//!
//! `BENCH_KEEP_DB=DIR` fills `DIR/doorpost.sqlite3` instead of a temporary file and keeps
//! it (`tests/bench/export_memory.sh` exports it).

mod common;

use std::time::{Duration, Instant};

use common::Figures;
use doorpost_core::event::{EventLog, parse_record};
use doorpost_core::rng::Rng;
use doorpost_core::time::Millis;
use doorpost_engine::store::{Commit, Cursor, HistoryQuery, PollLogEntry, PollOutcome, Store};
use serde_json::json;

const ROWS: usize = 1_000_000;
const BATCH: usize = 100_000;
const QUERIES: usize = 200;
const SOURCE: &str = "bench-account";
/// 2024-06-01T00:00:00Z; the history spans two years from here.
const START: i64 = 1_717_200_000_000;
const SPAN: i64 = 730 * Millis::DAY;

const DOORS: [&str; 24] = [
    "Front door",
    "Back door",
    "Gym",
    "Bike room",
    "Garage",
    "Roof terrace",
    "Laundry",
    "Storage A",
    "Storage B",
    "Floor 1 east",
    "Floor 1 west",
    "Floor 2 east",
    "Floor 2 west",
    "Floor 3 east",
    "Floor 3 west",
    "Server room",
    "Mail room",
    "Lobby",
    "Kitchen",
    "Meeting room Ek",
    "Meeting room Björk",
    "Sauna",
    "Workshop",
    "Courtyard gate",
];
const FIRST: [&str; 30] = [
    "Ann", "Bo", "Carl", "Dana", "Erik", "Frida", "Gustav", "Hanna", "Ida", "Johan", "Karin",
    "Lars", "Maja", "Nils", "Olivia", "Per", "Rut", "Sven", "Tove", "Ulf", "Vera", "Wilma", "Åsa",
    "Örjan", "Elin", "Oskar", "Linnea", "Axel", "Saga", "Hugo",
];
const LAST: [&str; 20] = [
    "Berg",
    "Lind",
    "Ek",
    "Holm",
    "Strand",
    "Dahl",
    "Sjöberg",
    "Nyström",
    "Lund",
    "Wall",
    "Falk",
    "Blom",
    "Hedlund",
    "Engström",
    "Sandberg",
    "Forsberg",
    "Lindqvist",
    "Åberg",
    "Söderberg",
    "Björk",
];
/// Regular users, most active first (Zipf-like weights); plus a few rare visitors.
const USERS: usize = 600;
const RARE: usize = 5;

fn user_name(i: usize) -> String {
    let base = format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()]
    );
    if i < FIRST.len() * LAST.len() {
        base
    } else {
        format!("{base} {}", i / (FIRST.len() * LAST.len()))
    }
}

fn rare_name(i: usize) -> String {
    format!("Visitor Quist-{i}")
}

fn id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..10)
        .map(|_| ALPHABET[(rng.next_u64() % 62) as usize] as char)
        .collect()
}

fn rfc3339(ms: i64) -> String {
    Millis(ms).to_rfc3339()
}

struct Population {
    /// Cumulative Zipf weights over `USERS`.
    cumulative: Vec<f64>,
}

impl Population {
    fn new() -> Population {
        let mut sum = 0.0;
        let cumulative = (0..USERS)
            .map(|r| {
                sum += 1.0 / (r as f64 + 1.0);
                sum
            })
            .collect();
        Population { cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("users");
        let x = (rng.next_u64() as f64 / u64::MAX as f64) * total;
        self.cumulative.partition_point(|c| *c < x).min(USERS - 1)
    }
}

fn make_event(rng: &mut Rng, people: &Population, i: usize) -> EventLog {
    // Evenly spread arrival over the span, in input order, like a poller would see it.
    let created = START + (i as i64) * (SPAN / ROWS as i64) + rng.range(0, 1_000);
    let delay = match rng.range(0, 99) {
        0 => rng.range(Millis::HOUR, 3 * Millis::DAY), // offline lock, late upload
        1 | 2 => -rng.range(0, 5 * Millis::SECOND),    // device clock ahead
        _ => rng.range(200, 20 * Millis::SECOND),
    };
    let door = rng.range(0, DOORS.len() as i64 - 1) as usize;
    let mut v = json!({
        "id": id(rng),
        "createdAt": rfc3339(created),
        "domain": { "id": "Dm0000001a", "name": "Harbour Loft" },
        "device": { "id": format!("Dv{door:08}"), "name": DOORS[door] },
        "access": { "id": "RZglGYR2Je", "name": "Resident key" },
        "type": "unlock",
    });
    if rng.range(0, 49) > 0 {
        v["timestamp"] = json!(rfc3339(created - delay));
    }
    // One in 200 000 events is a rare visitor; 8 % are scrubbed.
    let user = if rng.range(0, 199_999) < RARE as i64 {
        Some(rare_name(rng.range(0, RARE as i64 - 1) as usize))
    } else if rng.range(0, 99) < 8 {
        None
    } else {
        Some(user_name(people.pick(rng)))
    };
    if let Some(name) = user {
        let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
        v["user"] = json!({
            "id": format!("U{}", name.len()),
            "firstName": first,
            "lastName": last,
            "email": "someone@example.com",
        });
    }
    parse_record(&v).expect("generated records are valid")
}

fn time_pages(
    store: &Store,
    name: &'static str,
    rng: &mut Rng,
    make: &dyn Fn(&mut Rng) -> HistoryQuery,
) -> Figures {
    let mut f = Figures {
        name,
        times: Vec::with_capacity(QUERIES),
        rows: 0,
    };
    for _ in 0..QUERIES {
        let q = make(rng);
        let t = Instant::now();
        let page = store.history(&q).expect("history");
        f.times.push(t.elapsed());
        f.rows += page.rows.len();
    }
    f
}

fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let path = match std::env::var_os("BENCH_KEEP_DB") {
        Some(keep) => std::path::PathBuf::from(keep).join("doorpost.sqlite3"),
        None => dir.path().join("history.sqlite"),
    };
    let mut store = Store::open(&path).expect("open");
    let people = Population::new();
    let mut rng = Rng::seeded(2026);

    println!("filling {ROWS} rows in commits of {BATCH} ...");
    let mut generate = Duration::ZERO;
    let mut commits = Vec::new();
    for b in 0..ROWS / BATCH {
        let t = Instant::now();
        let events: Vec<EventLog> = (b * BATCH..(b + 1) * BATCH)
            .map(|i| make_event(&mut rng, &people, i))
            .collect();
        generate += t.elapsed();
        let at = Millis(START + ((b + 1) * BATCH) as i64 * (SPAN / ROWS as i64));
        let c = Commit {
            source: SOURCE,
            place_id: None,
            day: doorpost_engine::store::DayRule::default(),
            events: &events,
            quarantined: &[],
            state_json: r#"{"watermark":0}"#,
            // History rows: stored as such, nothing left pending to decide.
            news_floor: Some(Millis(i64::MAX)),
            log: Some(PollLogEntry {
                at,
                outcome: PollOutcome::Fetched,
                requests: 1,
                bytes: 0,
                error: None,
            }),
            earlier_new: 0,
            seen_at: at,
        };
        let t = Instant::now();
        let out = store
            .commit(&c, |new| {
                vec![doorpost_core::policy::NotifyDecision::Suppressed; new.len()]
            })
            .expect("commit");
        commits.push(t.elapsed());
        assert_eq!(
            out.inserted.len(),
            BATCH,
            "ids are random; a clash is unlikely"
        );
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(format!("{}-wal", path.display()))
            .map(|m| m.len())
            .unwrap_or(0);
    let worst = commits.iter().max().expect("commits");
    let total: Duration = commits.iter().sum();
    println!(
        "generated in {:.1} s; committed in {:.1} s: {BATCH} events per commit, first {:.0} ms, \
         slowest {:.0} ms; file {:.0} MB",
        generate.as_secs_f64(),
        total.as_secs_f64(),
        commits[0].as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        size as f64 / 1e6,
    );
    let each: Vec<_> = commits.iter().map(Duration::as_millis).collect();
    println!("each commit of {BATCH}, ms: {each:?}");

    let page = |q: HistoryQuery| HistoryQuery { limit: 100, ..q };
    let door_id = |rng: &mut Rng| format!("Dv{:08}", rng.range(0, DOORS.len() as i64 - 1));
    let random_cursor = |rng: &mut Rng| Cursor {
        unlocked_at: Millis(START + rng.range(0, SPAN)),
        id: "~".into(),
    };
    let common = user_name(0);
    let rare = |rng: &mut Rng| rare_name(rng.range(0, RARE as i64 - 1) as usize);

    println!();
    println!(
        "{:<36} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "history page of 100", "runs", "p50 ms", "p95 ms", "max ms", "rows"
    );
    let mut all = vec![
        time_pages(&store, "no filter, first page", &mut rng, &|_| {
            page(HistoryQuery::default())
        }),
        time_pages(&store, "one door", &mut rng, &|r| {
            page(HistoryQuery {
                door_ids: vec![door_id(r)],
                ..Default::default()
            })
        }),
        time_pages(&store, "three doors", &mut rng, &|r| {
            page(HistoryQuery {
                door_ids: vec![door_id(r), door_id(r), door_id(r)],
                ..Default::default()
            })
        }),
        time_pages(&store, "text: common name", &mut rng, &|_| {
            page(HistoryQuery {
                text: Some(common.to_uppercase()),
                ..Default::default()
            })
        }),
        time_pages(&store, "text: rare name", &mut rng, &|r| {
            page(HistoryQuery {
                text: Some(rare(r)),
                ..Default::default()
            })
        }),
        time_pages(&store, "text: broad (\"an\")", &mut rng, &|_| {
            page(HistoryQuery {
                text: Some("an".into()),
                ..Default::default()
            })
        }),
        time_pages(&store, "text: door name (\"floor 2\")", &mut rng, &|_| {
            page(HistoryQuery {
                text: Some("floor 2".into()),
                ..Default::default()
            })
        }),
        time_pages(&store, "text: no match", &mut rng, &|_| {
            page(HistoryQuery {
                text: Some("zzz".into()),
                ..Default::default()
            })
        }),
        time_pages(&store, "date range (one random week)", &mut rng, &|r| {
            let from = START + r.range(0, SPAN - 7 * Millis::DAY);
            page(HistoryQuery {
                from: Some(Millis(from)),
                to: Some(Millis(from + 7 * Millis::DAY)),
                ..Default::default()
            })
        }),
        time_pages(&store, "deep page via cursor", &mut rng, &|r| {
            page(HistoryQuery {
                before: Some(random_cursor(r)),
                ..Default::default()
            })
        }),
        time_pages(&store, "deep page, one door", &mut rng, &|r| {
            page(HistoryQuery {
                door_ids: vec![door_id(r)],
                before: Some(random_cursor(r)),
                ..Default::default()
            })
        }),
        time_pages(&store, "deep page, common name", &mut rng, &|r| {
            page(HistoryQuery {
                text: Some(common.clone()),
                before: Some(random_cursor(r)),
                ..Default::default()
            })
        }),
        time_pages(&store, "deep page, rare name + one door", &mut rng, &|r| {
            page(HistoryQuery {
                text: Some(rare(r)),
                door_ids: vec![door_id(r)],
                before: Some(random_cursor(r)),
                ..Default::default()
            })
        }),
    ];
    for f in &mut all {
        f.print();
    }

    // Walk pages one after another, as scrolling does.
    let mut walk = Figures {
        name: "consecutive pages (scrolling)",
        times: Vec::new(),
        rows: 0,
    };
    let mut q = page(HistoryQuery::default());
    for _ in 0..QUERIES {
        let t = Instant::now();
        let p = store.history(&q).expect("history");
        walk.times.push(t.elapsed());
        walk.rows += p.rows.len();
        q.before = p.next;
    }
    walk.print();

    println!();
    println!(
        "{:<36} {:>5} {:>9} {:>9} {:>9}",
        "other", "runs", "p50 ms", "p95 ms", "max ms"
    );
    let mut other = |name: &'static str, runs: usize, f: &mut dyn FnMut(&mut Rng)| {
        let mut fig = Figures {
            name,
            times: Vec::new(),
            rows: 0,
        };
        for _ in 0..runs {
            let t = Instant::now();
            f(&mut rng);
            fig.times.push(t.elapsed());
        }
        fig.print();
    };
    other("count, no filter", 10, &mut |_| {
        store.count(&HistoryQuery::default()).expect("count");
    });
    other("count, one door", 10, &mut |r| {
        store
            .count(&HistoryQuery {
                door_ids: vec![door_id(r)],
                ..Default::default()
            })
            .expect("count");
    });
    other("count, common name", 10, &mut |_| {
        store
            .count(&HistoryQuery {
                text: Some(common.clone()),
                ..Default::default()
            })
            .expect("count");
    });
    other("count, rare name", 10, &mut |r| {
        store
            .count(&HistoryQuery {
                text: Some(rare(r)),
                ..Default::default()
            })
            .expect("count");
    });
    other("count, broad (\"an\")", 10, &mut |_| {
        store
            .count(&HistoryQuery {
                text: Some("an".into()),
                ..Default::default()
            })
            .expect("count");
    });
    other("count, one week", 10, &mut |r| {
        let from = START + r.range(0, SPAN - 7 * Millis::DAY);
        store
            .count(&HistoryQuery {
                from: Some(Millis(from)),
                to: Some(Millis(from + 7 * Millis::DAY)),
                ..Default::default()
            })
            .expect("count");
    });
    other("doors()", 50, &mut |_| {
        assert_eq!(store.doors().expect("doors").len(), DOORS.len());
    });
    other("daily_counts, 90 days", 10, &mut |r| {
        let from = START + r.range(0, SPAN - 90 * Millis::DAY);
        store
            .daily_counts(Millis(from), Millis(from + 90 * Millis::DAY), 3_600)
            .expect("daily counts");
    });
    // The bound, measured on the same file: what a plain implementation does for a text
    // search, a substring scan over the names in time order.
    let conn = rusqlite::Connection::open(&path).expect("open");
    let mut naive = Figures {
        name: "bound: naive LIKE scan, rare name",
        times: Vec::new(),
        rows: 0,
    };
    for _ in 0..5 {
        let pattern = format!("%{}%", rare(&mut rng));
        let t = Instant::now();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id FROM event_log WHERE user_name LIKE ?1 OR door_name LIKE ?1 \
                 ORDER BY unlocked_at DESC, id DESC LIMIT 100",
            )
            .expect("prepare");
        naive.rows += stmt
            .query_map([&pattern], |r| r.get::<_, String>(0))
            .expect("query")
            .count();
        naive.times.push(t.elapsed());
    }
    println!();
    naive.print();
    let ours = all
        .iter()
        .find(|f| f.name == "text: rare name")
        .map(|f| percentile(&f.times, 95.0))
        .unwrap_or_default();
    let bound = percentile(&naive.times, 50.0);
    println!(
        "rare-name page: Doorpost p95 {:.2} ms vs naive p50 {:.1} ms: {:.4}x",
        ms(ours),
        ms(bound),
        ms(ours) / ms(bound)
    );

    let t = Instant::now();
    let ok = store.integrity_check().expect("integrity check");
    println!(
        "integrity_check: {ok} in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut v = times.to_vec();
    v.sort();
    v.get(((v.len().saturating_sub(1)) as f64 * p / 100.0).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
