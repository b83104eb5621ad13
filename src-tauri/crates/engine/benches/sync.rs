//! Sync benchmarks, each reported against a bound measured in the same run. Not a test:
//! it prints figures and asserts nothing about time.
//!
//! ```text
//! cargo bench -p doorpost-engine --bench sync
//! ```
//!
//! 1. Catch-up: 100,000 event logs from the fake Parakey over loopback into SQLite (the
//!    real client, poller and store), against a raw bulk `INSERT` of the same rows.
//!    Pages are committed as the app does (together up to 5,000 rows, and always before
//!    any wait), and, for comparison, each page on its own.
//! 2. An idle hour at the default interval (5 min): requests and bytes on the wire as the
//!    fake server counted them, against unconditional polling (no ETag) at the same
//!    interval.
//! 3. A first load of 1,000 rows from a server that allows 5 requests a minute (virtual
//!    time, real requests): how long until every row is stored, against the least time
//!    that limit allows for the requests the sync needed.
//! 4. From a fresh unlock to its toast (virtual time, real requests), on a plain server
//!    and on servers that make the documented recipe the floor: `limit` above 100 refused
//!    with a 400 (the maximum named in the error, and not), a record the server cannot
//!    serve among the newest rows, and every dated request failing (walks stall). The
//!    bound is the promise: one interval (5 min) and a minute.

use std::time::Instant;

use doorpost_core::poller::PollerConfig;
use doorpost_core::time::Millis;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey, RateLimit, UserSpec};

const TOKEN: &str = "fake-token";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // `BENCH_ONLY=catch-up` (or `idle`, `rate`) runs one figure, for profiling.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let run = |name: &str| only.is_empty() || only == name;
    rt.block_on(async {
        println!("| figure | Doorpost | bound (same run) | ratio | goal |");
        println!("|---|---|---|---|---|");
        if run("catch-up") {
            for per_page in [false, true] {
                for cap in [Some(100), Some(1_000)] {
                    catch_up(100_000, cap, per_page).await;
                }
            }
        }
        if run("idle") {
            idle_hour().await;
        }
        if run("toast") {
            time_to_toast().await;
        }
        if run("rate") {
            for strict in [false, true] {
                rate_limited_backfill(1_000, strict, None).await;
            }
            // The issue's case: 200 rows, pages of at most 25, no `Retry-After`.
            rate_limited_backfill(200, false, Some(25)).await;
        }
    });
}

async fn rate_limited_backfill(n: usize, strict: bool, cap: Option<usize>) {
    let fake = FakeParakey::start(FakeConfig {
        // The issue's case (a page cap) comes without `Retry-After`.
        rate_limit: Some(RateLimit {
            retry_after: cap.is_none(),
            ..RateLimit::per_minute(5)
        }),
        strict_params: strict,
        max_limit: cap.or(FakeConfig::default().max_limit),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    fake.inject_many(specs(n, fake.now()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 3).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored = || -> i64 {
        conn.query_row("SELECT count(*) FROM event_log", [], |r| r.get(0))
            .unwrap()
    };
    let step = Millis::SECOND;
    let mut took = None;
    while took.is_none() && sync.now.0 < 2 * Millis::HOUR {
        sync.run_for(step).await.unwrap();
        if stored() as usize == n && !sync.syncs.is_empty() {
            took = Some(sync.now.0);
        }
    }
    let took = took.expect("the backfill completes within two virtual hours");
    let answered = fake
        .stats()
        .by_status
        .iter()
        .filter(|(status, _)| **status != 429)
        .map(|(_, n)| *n)
        .sum::<u64>();
    // Five requests at once, then five more each minute: the least time for `answered`.
    let least = answered.saturating_sub(1) / 5 * 60_000;
    let kind = match (strict, cap) {
        (true, _) => "strict server: no `skip`".to_string(),
        (false, Some(cap)) => format!("`skip` honoured, pages of at most {cap}, no `Retry-After`"),
        (false, None) => "`skip` honoured".to_string(),
    };
    println!(
        "| first load of {n} rows at 5 requests/min ({kind}; {answered} requests answered, {} refused with 429) | {:.0} s | least the limit allows {:.0} s | {:.2}× | minutes, not never |",
        fake.stats().by_status.get(&429).copied().unwrap_or(0),
        took as f64 / 1000.0,
        least as f64 / 1000.0,
        took as f64 / least.max(1) as f64
    );
}

/// Virtual seconds from a fresh unlock to its toast, for each kind of server.
async fn time_to_toast() {
    let cases: [(&str, FakeConfig); 5] = [
        ("plain server", FakeConfig::default()),
        (
            "`limit` over 100 refused with 400, maximum named",
            FakeConfig {
                limit_max_400: Some(100),
                max_limit: None,
                ..FakeConfig::default()
            },
        ),
        (
            "`limit` over 100 refused with a bare 400",
            FakeConfig {
                limit_max_400: Some(100),
                limit_max_named: false,
                max_limit: None,
                ..FakeConfig::default()
            },
        ),
        (
            "a record the server cannot serve among the newest",
            FakeConfig::default(),
        ),
        (
            "every dated request failing (walks stall)",
            FakeConfig {
                max_limit: Some(3),
                skip_supported: false,
                ..FakeConfig::default()
            },
        ),
    ];
    for (i, (name, config)) in cases.into_iter().enumerate() {
        let fake = FakeParakey::start(config).await.unwrap();
        let now = fake.now();
        let ids = fake.inject_many((1..=8).map(|h| EventSpec::at(now.minus(h * Millis::HOUR))));
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("doorpost.sqlite3");
        let mut sync =
            VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 11).unwrap();
        sync.run_for(Millis::MINUTE).await.unwrap();
        match i {
            3 => fake
                .control()
                .configure(|c| c.poisoned_ids = vec![ids[2].clone()]),
            4 => {
                fake.control().configure(|c| c.dated_down = true);
                let t = sync.server_now();
                fake.inject_many((0..6).map(|k| EventSpec::at(t.plus(k))));
            }
            _ => {}
        }
        sync.run_for(20 * Millis::MINUTE).await.unwrap();
        let fresh = fake.inject(EventSpec::at(sync.server_now()));
        let from = sync.now;
        let toasted = |sync: &VirtualTimeSync| {
            sync.toasts
                .iter()
                .any(|t| t.event_ids().contains(&fresh.as_str()))
        };
        while !toasted(&sync) && sync.now.since(from) < 2 * Millis::HOUR {
            sync.run_for(Millis::SECOND).await.unwrap();
        }
        let took = sync.now.since(from);
        let bound = 6 * Millis::MINUTE;
        let shown = if toasted(&sync) {
            format!("{:.0} s", took as f64 / 1000.0)
        } else {
            "no toast in 2 h".to_string()
        };
        println!(
            "| fresh unlock to toast: {name} ({} requests) | {shown} | interval + 1 min {:.0} s | {:.2}× | ≤ 1× |",
            sync.requests,
            bound as f64 / 1000.0,
            took as f64 / bound as f64
        );
    }
}

fn specs(n: usize, now: Millis) -> Vec<EventSpec> {
    let doors = [
        ("Dv0000001a", "Front door"),
        ("Dv0000002b", "Back gate"),
        ("Dv0000003c", "Gym"),
        ("Dv0000004d", "Storage"),
    ];
    let span = 6 * Millis::DAY;
    (0..n)
        .map(|i| {
            let (id, name) = doors[i % doors.len()];
            let at = now.minus(span).plus((i as i64 * span) / n as i64);
            EventSpec::at(at)
                .door(id, name)
                .user(Some(UserSpec::new(
                    &format!("U{}", i % 50),
                    "Guest",
                    &format!("Number {}", i % 50),
                    "guest@example.com",
                )))
                .late_by(if i % 97 == 0 { 3 * Millis::HOUR } else { 3_000 })
        })
        .collect()
}

async fn catch_up(n: usize, cap: Option<usize>, per_page: bool) {
    let fake = FakeParakey::start(FakeConfig {
        max_limit: cap,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    fake.inject_many(specs(n, fake.now()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let config = PollerConfig {
        commit_every_records: if per_page { 1 } else { 5_000 },
        ..PollerConfig::default()
    };
    let mut sync = VirtualTimeSync::new(fake.control(), &db, TOKEN, config, 1).unwrap();
    let t = Instant::now();
    sync.run_for(Millis::MINUTE).await.unwrap();
    let ours = t.elapsed().as_secs_f64();
    if std::env::var_os("BENCH_DEBUG").is_some() {
        eprintln!("syncs {:?}; failures {:?}", sync.syncs, sync.failures);
    }
    let stored: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM event_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored as usize, n, "every event stored");
    let requests = fake.stats().requests;
    if std::env::var_os("BENCH_DEBUG").is_some() {
        let body = reqwest::Client::new()
            .get(format!(
                "{}/eventLogs?limit=1000&orderBy=createdAt%3ADESC",
                fake.base_url()
            ))
            .header("access-token", TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let t = Instant::now();
        for _ in 0..20 {
            let p = doorpost_core::event::parse_page(&body).unwrap();
            assert!(!p.events.is_empty());
        }
        eprintln!(
            "parse: {:.2} s per 100k events ({} bytes per page of 1000)",
            t.elapsed().as_secs_f64() * 100_000.0 / (20.0 * 1000.0),
            body.len()
        );
    }

    // The bound: the same raw rows, inserted as plainly as SQLite allows (same pragmas).
    let raws: Vec<(String, i64, String)> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT id, created_at, raw FROM event_log")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let raw_db = dir.path().join("raw.sqlite3");
    let t = Instant::now();
    let mut conn = rusqlite::Connection::open(&raw_db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
         CREATE TABLE e (id TEXT PRIMARY KEY, created_at INTEGER, raw TEXT);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut ins = tx.prepare("INSERT INTO e VALUES (?1, ?2, ?3)").unwrap();
        for (id, at, raw) in &raws {
            ins.execute(rusqlite::params![id, at, raw]).unwrap();
        }
    }
    tx.commit().unwrap();
    let bound = t.elapsed().as_secs_f64();
    if std::env::var_os("BENCH_DEBUG").is_some() {
        let events: Vec<doorpost_core::EventLog> = raws
            .iter()
            .map(|(_, _, raw)| {
                doorpost_core::event::parse_record(&serde_json::from_str(raw).unwrap()).unwrap()
            })
            .collect();
        let mut store = doorpost_engine::store::Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let t = Instant::now();
        let c = doorpost_engine::store::Commit {
            source: "s",
            place_id: None,
            day: doorpost_engine::store::DayRule::default(),
            events: &events,
            quarantined: &[],
            state_json: "{}",
            news_floor: Some(Millis(i64::MAX)),
            log: None,
            earlier_new: 0,
            seen_at: Millis(0),
        };
        store
            .commit(&c, |ins| {
                vec![doorpost_core::policy::NotifyDecision::Suppressed; ins.len()]
            })
            .unwrap();
        eprintln!("store.commit of {n}: {:.2} s", t.elapsed().as_secs_f64());
    }
    let cap = cap.map_or("none".to_string(), |c| c.to_string());
    let commits = if per_page {
        "each page committed alone"
    } else {
        "pages committed up to 5,000 rows together"
    };
    println!(
        "| catch-up of {n} events, server page cap {cap} ({requests} requests; {commits}) | {ours:.2} s | raw bulk insert {bound:.2} s | {:.1}× | ≤ 2 s, ≤ 5× |",
        ours / bound
    );
}

async fn idle_hour() {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    // Two days of a busy short-let (about 60 unlocks a day), then silence.
    let now = fake.now();
    let history: Vec<EventSpec> = (0..120)
        .map(|i| EventSpec::at(now.minus(2 * Millis::DAY).plus(i * 24 * Millis::MINUTE)))
        .collect();
    fake.inject_many(history);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 2).unwrap();
    sync.run_for(3 * Millis::HOUR).await.unwrap();
    fake.reset_stats();
    let before = sync.syncs.len();
    sync.run_for(Millis::HOUR).await.unwrap();
    let s = fake.stats();
    if std::env::var_os("BENCH_DEBUG").is_some() {
        eprintln!(
            "syncs {:?} statuses {:?}",
            &sync.syncs[before..],
            s.by_status
        );
    }
    let ours_bytes = s.body_bytes + s.header_bytes;

    // The bound: the same hour polled without conditional requests, a window fetch every
    // interval (what a client without ETags does).
    let http = reqwest::Client::builder().gzip(true).build().unwrap();
    fake.reset_stats();
    let start = doorpost_core::time::Millis(now.0).minus(15 * Millis::MINUTE);
    for _ in 0..12 {
        let url = format!(
            "{}/eventLogs?startDate={}&orderBy=createdAt%3ADESC&limit=500",
            fake.base_url(),
            start.to_rfc3339().replace(':', "%3A")
        );
        let _ = http
            .get(url)
            .header("access-token", TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await;
    }
    let b = fake.stats();
    let bound_bytes = b.body_bytes + b.header_bytes;
    println!(
        "| idle hour at 5 min: requests | {} | {} | {:.2}× | ≤ 14 |",
        s.requests,
        b.requests,
        s.requests as f64 / b.requests as f64
    );
    println!(
        "| idle hour at 5 min: bytes (headers + gzip bodies) | {:.1} KB | {:.1} KB | {:.2}× | ≤ 10 KB |",
        ours_bytes as f64 / 1000.0,
        bound_bytes as f64 / 1000.0,
        ours_bytes as f64 / bound_bytes as f64
    );
}
