//! A place's daily storage budget in the real driver, on virtual time with the fake Parakey
//! and a real SQLite file (issue 14): a server that sends more in a day than the budget
//! allows is read up to the budget, then not asked again until the next local day, with
//! the reason in the status; nothing is skipped (every row arrives the next day), and a
//! raised budget lets checking go on the same day.

use doorpost_core::poller::PollerConfig;
use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;
use doorpost_engine::store::Store;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey};
use doorpost_tests::TOKEN;

const MIN: i64 = Millis::MINUTE;

/// Rows the store holds.
fn stored(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM event_log", [], |r| r.get(0))
        .unwrap()
}

/// A fake holding `n` unlocks from the last hour, and a driver whose budget is `budget`.
async fn over_budget(n: usize, budget: u32) -> (FakeParakey, VirtualTimeSync, tempfile::TempDir) {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    let now = fake.now();
    fake.inject_many((0..n).map(|i| EventSpec::at(Millis(now.0 - 60 * MIN + i as i64))));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let settings = Settings {
        storage_daily_rows: budget,
        ..Settings::default()
    };
    Store::open(&db).unwrap().save_settings(&settings).unwrap();
    let sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 7).unwrap();
    (fake, sync, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_budget_reading_stops_until_the_next_day_and_nothing_is_skipped() {
    // More than one commit's worth (5,000 rows), so the budget falls between commits.
    let (fake, mut sync, dir) = over_budget(7_000, 1_000).await;
    let db = dir.path().join("doorpost.sqlite3");
    sync.run_for(10 * MIN).await.unwrap();
    let first_day = stored(&db);
    assert!(
        (1_000..7_000).contains(&first_day),
        "read up to the budget, not beyond the commit that crossed it: {first_day}"
    );
    let status = sync.status().await.unwrap();
    let why = status.last_error.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        why.contains("storage budget"),
        "the status says why: {why:?}"
    );

    // No request goes out while the budget is used up.
    let asked = sync.requests;
    sync.run_for(60 * MIN).await.unwrap();
    assert_eq!(sync.requests, asked, "not asked again the same day");
    assert_eq!(stored(&db), first_day);

    // The next local day (UTC here) it goes on from where it stopped.
    let wall = sync.server_now().0;
    let to_midnight = Millis::DAY - wall.rem_euclid(Millis::DAY);
    sync.run_for(to_midnight + 30 * MIN).await.unwrap();
    assert_eq!(stored(&db), 7_000, "every row arrives: nothing was skipped");
    drop(fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raised_budget_lets_checking_go_on_the_same_day() {
    let (fake, mut sync, dir) = over_budget(7_000, 1_000).await;
    let db = dir.path().join("doorpost.sqlite3");
    sync.run_for(10 * MIN).await.unwrap();
    assert!(stored(&db) < 7_000);
    let raised = Settings {
        storage_daily_rows: 50_000,
        ..Settings::default()
    };
    sync.apply_settings(raised).await.unwrap().unwrap();
    sync.run_for(10 * MIN).await.unwrap();
    assert_eq!(stored(&db), 7_000);
    drop(fake);
}
