//! The real client against the real fake Parakey over loopback, once per variant of each
//! unknown in `shared/docs/parakey-api.md`. Time is virtual (`VirtualTimeSync`: the real
//! driver on a virtual clock), requests and SQLite writes are real.
//!
//! Each variant plays the same story: a week of history (backfilled silently), then a
//! fresh unlock, a late offline upload, an unlock whose device clock runs ahead, a burst
//! larger than the server's page cap, a PII scrub and a renamed door; two virtual hours
//! later every event must be stored exactly once, the fresh unlock announced once, the
//! late upload never.
//!
//! Then the behaviours no document rules out, each a switch of the fake: a rate limit,
//! a page cap that changes on every request, strict parameter validation, an unstable
//! order among equal `createdAt`s, no `Date` header, months of sparse history, absurd
//! timestamps and pages larger than asked.

use std::collections::HashSet;

use doorpost_core::policy::Toast;
use doorpost_core::poller::PollerConfig;
use doorpost_core::time::Millis;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{
    AuthForm, BodyShape, DateField, DefaultOrder, EtagMode, EventSpec, FakeConfig, FakeParakey,
    RateLimit, ScrubbedUser,
};
use doorpost_tests::{TOKEN, months_of_sparse_history, stored, week_of_history};

const MIN: i64 = Millis::MINUTE;

async fn story(config: FakeConfig) {
    // Rows sharing one `createdAt` beyond a page can only be listed through a `skip` the
    // server honours, accepts and pages stably; elsewhere the burst is spread over
    // milliseconds (the poller reports such ties as incomplete instead).
    let ties_beyond_cap = config.skip_supported && !config.strict_params && !config.unstable_ties;
    let fake = FakeParakey::start(config).await.expect("fake starts");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let now = fake.now();
    let mut expected: HashSet<String> =
        fake.inject_many(week_of_history(now)).into_iter().collect();
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 7).unwrap();
    sync.run_for(MIN).await.unwrap();
    assert_eq!(
        stored(&db).len(),
        expected.len(),
        "the week is backfilled; syncs {:?}, failures {:?}",
        sync.syncs,
        sync.failures
    );
    assert!(sync.toasts.is_empty(), "no toasts for old history");

    sync.run_for(10 * MIN).await.unwrap();
    let t = sync.server_now();
    let fresh = fake.inject(
        EventSpec::at(t)
            .door("Dv0000002b", "Back gate")
            .late_by(20_000),
    );
    let late = fake.inject(EventSpec::at(t.plus(1)).late_by(3 * Millis::HOUR));
    let ahead = fake.inject(EventSpec::at(t.plus(2)).timestamp(t.plus(5 * MIN)));
    expected.extend([fresh.clone(), late.clone(), ahead.clone()]);
    sync.run_for(6 * MIN).await.unwrap();
    let db_rows = stored(&db);
    assert_eq!(db_rows.get(&fresh).map(String::as_str), Some("notified"));
    assert_eq!(db_rows.get(&late).map(String::as_str), Some("suppressed"));
    let announced: Vec<&str> = sync.toasts.iter().flat_map(|t| t.event_ids()).collect();
    assert!(announced.contains(&fresh.as_str()));
    assert!(
        !announced.contains(&late.as_str()),
        "a late upload is not news"
    );

    // A burst larger than the page cap. A server that ignores `skip` cannot list more rows
    // sharing one `createdAt` than it pages, so there the burst is spread over milliseconds.
    let t = sync.server_now();
    // Each its own unlock (a lock's backlog): one person, one door, distinct device times,
    // so none is a second upload of another.
    let burst: Vec<EventSpec> = (0..150)
        .map(|i| {
            EventSpec::at(if ties_beyond_cap { t } else { t.plus(i) })
                .door("Dv0000003c", "Gym")
                .timestamp(t.minus(1_000 + i))
        })
        .collect();
    let burst_ids: HashSet<String> = fake.inject_many(burst).into_iter().collect();
    expected.extend(burst_ids.iter().cloned());
    let old = fake.inject(EventSpec::at(t.minus(Millis::DAY)).door("Dv0000003c", "Gym"));
    expected.insert(old.clone());
    fake.scrub_all_before(t.minus(6 * Millis::DAY));
    fake.scrub_user(&fresh);
    fake.rename_door("Dv0000003c", "Gym & sauna");
    let toasts_before = sync.toasts.len();
    sync.run_for(2 * 60 * MIN).await.unwrap();

    let db_rows = stored(&db);
    let missing: Vec<_> = expected
        .iter()
        .filter(|id| !db_rows.contains_key(*id))
        .collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    assert_eq!(
        db_rows.len(),
        expected.len(),
        "nothing extra, nothing twice"
    );
    // Rows already stored follow Parakey's later changes (a PII scrub, a renamed door)
    // within the reconciliation window, keeping their notification state.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (user, state): (Option<String>, String) = conn
        .query_row(
            "SELECT user_name, notify_state FROM event_log WHERE id = ?1",
            [&fresh],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((user, state.as_str()), (None, "notified"), "scrub applied");
    let renamed: i64 = conn
        .query_row(
            "SELECT count(*) FROM event_log WHERE door_name = 'Gym & sauna'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        renamed >= 150,
        "renamed door applied to recent rows ({renamed})"
    );
    let burst_toasts = sync.toasts[toasts_before..]
        .iter()
        .filter(|t| t.event_ids().iter().any(|id| burst_ids.contains(*id)))
        .count();
    assert_eq!(burst_toasts, 4, "a burst is one summary and three toasts");
    let mut singles = HashSet::new();
    for toast in &sync.toasts {
        if let Toast::Single { event_id, .. } = toast {
            assert!(
                singles.insert(event_id.clone()),
                "{event_id} announced twice"
            );
        }
    }
    assert!(
        !singles.contains(&old),
        "an old arrival is summarised, never a fresh toast"
    );
    let failures: Vec<_> = sync
        .failures
        .iter()
        .filter(|f| !f.contains("(429)"))
        .collect();
    // A server that refuses a `limit` teaches it once an hour (the lesson is then tried
    // again), never on every check.
    let refused = failures.iter().filter(|f| f.contains("400")).count();
    assert!(refused <= 8, "{refused} refusals: {failures:?}");
    let others: Vec<_> = failures.iter().filter(|f| !f.contains("400")).collect();
    assert!(
        others.is_empty(),
        "no failures but 429s and refusals: {others:?}"
    );
}

macro_rules! variants {
    ($($name:ident: $change:expr;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let mut config = FakeConfig::default();
            let change: fn(&mut FakeConfig) = $change;
            change(&mut config);
            story(config).await;
        }
    )*};
}

variants! {
    defaults: |_| {};
    auth_access_token_only: |c| c.auth_form = AuthForm::AccessToken;
    auth_bearer_only: |c| c.auth_form = AuthForm::Bearer;
    auth_bearer_only_rejects_with_403: |c| { c.auth_form = AuthForm::Bearer; c.auth_reject_status = 403; };
    auth_either: |c| c.auth_form = AuthForm::Either;
    body_bare_array: |c| c.body_shape = BodyShape::BareArray;
    body_envelope_data: |c| c.body_shape = BodyShape::envelope("data");
    body_envelope_results: |c| c.body_shape = BodyShape::envelope("results");
    body_envelope_items: |c| c.body_shape = BodyShape::envelope("items");
    body_envelope_event_logs: |c| c.body_shape = BodyShape::envelope("eventLogs");
    default_order_timestamp: |c| c.default_order = DefaultOrder::TimestampDesc;
    default_order_insertion: |c| c.default_order = DefaultOrder::Insertion;
    start_date_on_created_at_exclusive: |c| c.start_inclusive = false;
    start_date_on_timestamp: |c| c.date_field = DateField::Timestamp;
    start_date_on_timestamp_exclusive: |c| { c.date_field = DateField::Timestamp; c.start_inclusive = false; };
    end_date_exclusive: |c| c.end_inclusive = false;
    end_date_ignored: |c| c.end_date_supported = false;
    limit_capped_small: |c| c.max_limit = Some(7);
    limit_uncapped: |c| c.max_limit = None;
    skip_ignored: |c| c.skip_supported = false;
    skip_ignored_end_exclusive: |c| { c.skip_supported = false; c.end_inclusive = false; };
    etag_strong: |c| c.etag = EtagMode::Strong;
    etag_weak: |c| c.etag = EtagMode::Weak;
    etag_absent: |c| c.etag = EtagMode::Absent;
    server_clock_ahead: |c| c.clock = doorpost_sim::Clock::Real { skew_ms: 3 * Millis::HOUR };
    server_clock_behind: |c| c.clock = doorpost_sim::Clock::Real { skew_ms: -3 * Millis::HOUR };
    rows_visible_late: |c| c.visibility_delay_ms = 40_000;
    scrubbed_user_missing: |c| c.scrubbed_user = ScrubbedUser::Missing;
    rate_limited_with_retry_after: |c| c.rate_limit = Some(RateLimit::per_minute(5));
    rate_limited_without_retry_after: |c| c.rate_limit = Some(RateLimit { retry_after: false, ..RateLimit::per_minute(5) });
    page_cap_changes_every_request: |c| c.max_limit_cycle = vec![100, 7, 40, 3];
    strict_parameter_validation: |c| c.strict_params = true;
    strict_parameters_small_cap: |c| { c.strict_params = true; c.max_limit = Some(7); };
    unstable_tie_order: |c| c.unstable_ties = true;
    unstable_tie_order_small_cap: |c| { c.unstable_ties = true; c.max_limit = Some(7); };
    no_date_header: |c| c.date_header = false;
    no_date_header_clock_behind: |c| { c.date_header = false; c.clock = doorpost_sim::Clock::Real { skew_ms: -3 * Millis::HOUR }; };
    // A `limit` maximum enforced with 400, named in the error text or not: the request
    // changes (never the same refused one again) and the story completes.
    limit_over_100_refused_named: |c| { c.limit_max_400 = Some(100); c.max_limit = None; };
    limit_over_100_refused_unnamed: |c| { c.limit_max_400 = Some(100); c.limit_max_named = false; c.max_limit = None; };
    limit_over_7_refused: |c| { c.limit_max_400 = Some(7); c.max_limit = None; };
    only_desc_accepted: |c| c.desc_only = true;
}

/// A server that refuses `limit` over 100 with 400: the first sync of six rows finishes,
/// and a fresh unlock is fetched and announced at the next check (the release binary at
/// f720c65 resent `limit=500` forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_refused_with_400_is_learned_and_a_fresh_unlock_is_announced() {
    let fake = FakeParakey::start(FakeConfig {
        limit_max_400: Some(100),
        max_limit: None,
        ..FakeConfig::default()
    })
    .await
    .expect("fake starts");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let now = fake.now();
    let history: Vec<EventSpec> = (1..=6)
        .map(|i| EventSpec::at(now.minus(i * Millis::HOUR)))
        .collect();
    fake.inject_many(history);
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 3).unwrap();
    sync.run_for(MIN).await.unwrap();
    assert_eq!(stored(&db).len(), 6, "failures {:?}", sync.failures);
    sync.run_for(10 * MIN).await.unwrap();
    let fresh = fake.inject(EventSpec::at(sync.server_now()));
    sync.run_for(6 * MIN).await.unwrap();
    assert_eq!(
        stored(&db).get(&fresh).map(String::as_str),
        Some("notified"),
        "failures {:?}",
        sync.failures
    );
}

/// One record the server cannot serialise (every page holding it is a 500 with a cut
/// body), among the newest rows of a quiet home: the checks step past it, and a fresh
/// unlock is still announced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_the_server_cannot_serve_is_stepped_past() {
    let fake = FakeParakey::start(FakeConfig::default())
        .await
        .expect("fake starts");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let now = fake.now();
    let ids = fake.inject_many((1..=8).map(|i| EventSpec::at(now.minus(i * Millis::HOUR))));
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 5).unwrap();
    sync.run_for(MIN).await.unwrap();
    assert_eq!(stored(&db).len(), 8);
    // The third newest row's door is deleted: it can no longer be served.
    let poisoned = ids[2].clone();
    fake.control()
        .configure(|c| c.poisoned_ids = vec![poisoned]);
    sync.run_for(10 * MIN).await.unwrap();
    let fresh = fake.inject(EventSpec::at(sync.server_now()));
    sync.run_for(8 * MIN).await.unwrap();
    assert_eq!(
        stored(&db).get(&fresh).map(String::as_str),
        Some("notified"),
        "failures {:?}",
        sync.failures
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn months_of_sparse_history_load_a_week_silently_and_announce_only_news() {
    let fake = FakeParakey::start(FakeConfig {
        rate_limit: Some(RateLimit::per_minute(5)),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let now = fake.now();
    let history = fake.inject_many(months_of_sparse_history(now));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 8).unwrap();
    sync.run_for(10 * MIN).await.unwrap();
    let rows = stored(&db);
    let week = now.minus(7 * Millis::DAY);
    let recent: Vec<_> = months_of_sparse_history(now)
        .into_iter()
        .zip(&history)
        .filter(|(spec, _)| spec.created_at.is_some_and(|c| c >= week))
        .map(|(_, id)| id.clone())
        .collect();
    assert!(!recent.is_empty());
    for id in &recent {
        assert_eq!(rows.get(id).map(String::as_str), Some("suppressed"), "{id}");
    }
    // A sweep of 48 hours and restarts find only history: nothing is news.
    sync.run_for(3 * 60 * MIN).await.unwrap();
    sync.restart().await.unwrap();
    sync.run_for(2 * 60 * MIN).await.unwrap();
    assert!(sync.toasts.is_empty(), "{:?}", sync.toasts);
    let fresh = fake.inject(EventSpec::at(sync.server_now()));
    sync.run_for(6 * MIN).await.unwrap();
    assert_eq!(
        stored(&db).get(&fresh).map(String::as_str),
        Some("notified")
    );
    assert_eq!(sync.toasts.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_timestamps_are_quarantined_and_never_become_the_watermark() {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 9).unwrap();
    sync.run_for(MIN).await.unwrap();
    // Nanoseconds sent as milliseconds, a year past any calendar, and 1970.
    for (id, created) in [
        ("nanos", serde_json::json!(1_780_000_000_000_000_000_i64)),
        ("far", serde_json::json!("+292277-01-01T00:00:00.000Z")),
        ("epoch", serde_json::json!("1970-01-01T00:00:00.000Z")),
    ] {
        fake.insert_raw(serde_json::json!({"id": id, "createdAt": created}));
    }
    sync.run_for(6 * MIN).await.unwrap();
    let fresh = fake.inject(EventSpec::at(sync.server_now()));
    sync.run_for(6 * MIN).await.unwrap();
    let rows = stored(&db);
    assert!(!rows.contains_key("nanos") && !rows.contains_key("far"));
    assert_eq!(rows.get(&fresh).map(String::as_str), Some("notified"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let reason = |id: &str| -> String {
        conn.query_row(
            "SELECT reason FROM quarantine WHERE record_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(
        reason("nanos").contains("outside 2000–2100"),
        "{}",
        reason("nanos")
    );
    assert!(reason("far").contains("createdAt"), "{}", reason("far"));
    // 1970 sorts before every window Doorpost looks at: never fetched, never stored.
    assert!(!rows.contains_key("epoch"));
    let watermark = sync.state().unwrap().watermark.unwrap();
    assert!(
        watermark <= sync.server_now().plus(5 * MIN),
        "{watermark:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_larger_than_asked_are_refused_and_nothing_is_half_stored() {
    let fake = FakeParakey::start(FakeConfig {
        ignore_limit: true,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    fake.inject_many(week_of_history(fake.now()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 10).unwrap();
    sync.run_for(30 * MIN).await.unwrap();
    assert!(stored(&db).is_empty());
    assert!(
        sync.failures
            .iter()
            .all(|f| f.contains("when Doorpost asked for at most 20")),
        "{:?}",
        sync.failures
    );
    assert!(
        sync.failures.len() <= 8,
        "backs off: {}",
        sync.failures.len()
    );
    // The server mends its ways: everything arrives.
    fake.configure(|c| c.ignore_limit = false);
    sync.run_for(70 * MIN).await.unwrap();
    assert_eq!(stored(&db).len(), 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_backfill_of_hundreds_of_rows_completes_within_minutes() {
    let fake = FakeParakey::start(FakeConfig {
        rate_limit: Some(RateLimit::per_minute(5)),
        max_limit: Some(50),
        skip_supported: false,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let now = fake.now();
    let specs: Vec<EventSpec> = (0..400)
        .map(|i| EventSpec::at(now.minus(6 * Millis::DAY).plus(i * 20 * MIN)))
        .collect();
    fake.inject_many(specs);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 11).unwrap();
    // 400 rows, 50 a page: about ten pages; five requests a minute allow it in two or three.
    sync.run_for(6 * MIN).await.unwrap();
    assert_eq!(stored(&db).len(), 400, "syncs {:?}", sync.syncs);
    assert!(sync.toasts.is_empty());
}

/// Liveness first: every request with a `startDate` fails (walks and sweeps stall and back
/// off), while the newest rows are served. A fresh unlock is still stored and announced
/// within an interval and a minute, and announced once when the walk recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_unlock_is_announced_while_a_walk_stalls() {
    let fake = FakeParakey::start(FakeConfig {
        max_limit: Some(3),
        skip_supported: false,
        ..FakeConfig::default()
    })
    .await
    .expect("fake starts");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let now = fake.now();
    fake.inject_many((1..=6).map(|i| EventSpec::at(now.minus(i * Millis::HOUR))));
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 9).unwrap();
    sync.run_for(MIN).await.unwrap();
    assert_eq!(stored(&db).len(), 6, "failures {:?}", sync.failures);
    fake.control().configure(|c| c.dated_down = true);
    // More news than a page: the check must walk by date, and the walk stalls.
    let t = sync.server_now();
    fake.inject_many((0..6).map(|i| EventSpec::at(t.plus(i))));
    sync.run_for(30 * MIN).await.unwrap();
    assert!(
        sync.failures.iter().any(|f| f.contains("503")),
        "the walk stalls: {:?}",
        sync.failures
    );
    let fresh = fake.inject(EventSpec::at(sync.server_now()));
    sync.run_for(6 * MIN).await.unwrap();
    assert_eq!(
        stored(&db).get(&fresh).map(String::as_str),
        Some("notified"),
        "announced while the walk stalls; failures {:?}",
        sync.failures
    );
    fake.control().configure(|c| c.dated_down = false);
    sync.run_for(3 * 60 * MIN).await.unwrap();
    let announced: Vec<&str> = sync.toasts.iter().flat_map(|t| t.event_ids()).collect();
    assert_eq!(announced.iter().filter(|id| **id == fresh).count(), 1);
    assert_eq!(stored(&db).len(), 13, "nothing lost");
}

/// A caching layer in front of the API serves each answer for 7 minutes (longer than the
/// interval): stale 304s and stale pages. A fresh unlock is announced once the cache lets
/// it through, once, and nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_serving_stale_answers_delays_an_unlock_but_loses_nothing() {
    // Its `Date` the present, or that of the answer it keeps; with `Age`, or without.
    for (keeps_date, without_age) in [(false, false), (true, false), (false, true)] {
        a_cache_delays_but_loses_nothing(keeps_date, without_age).await;
    }
}

async fn a_cache_delays_but_loses_nothing(keeps_date: bool, without_age: bool) {
    let fake = FakeParakey::start(FakeConfig {
        stale_for_ms: Some(7 * MIN),
        stale_keeps_date: keeps_date,
        stale_without_age: without_age,
        ..FakeConfig::default()
    })
    .await
    .expect("fake starts");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let now = fake.now();
    let mut expected: HashSet<String> = fake
        .inject_many((1..=6).map(|i| EventSpec::at(now.minus(i * Millis::HOUR))))
        .into_iter()
        .collect();
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 13).unwrap();
    sync.run_for(MIN).await.unwrap();
    sync.run_for(10 * MIN).await.unwrap();
    let fresh = fake.inject(EventSpec::at(sync.server_now()));
    expected.insert(fresh.clone());
    // The cache may hide it for its 7 minutes, then the next check sees it.
    sync.run_for(7 * MIN + 5 * MIN + MIN).await.unwrap();
    assert_eq!(
        stored(&db).get(&fresh).map(String::as_str),
        Some("notified"),
        "failures {:?}",
        sync.failures
    );
    for _ in 0..5 {
        expected.insert(fake.inject(EventSpec::at(sync.server_now().minus(30 * Millis::SECOND))));
        sync.run_for(11 * MIN).await.unwrap();
    }
    sync.run_for(2 * 60 * MIN).await.unwrap();
    let rows = stored(&db);
    let lost: Vec<_> = expected
        .iter()
        .filter(|id| !rows.contains_key(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "lost behind the cache (Date kept {keeps_date}, no Age {without_age}): {lost:?}"
    );
    let announced: Vec<&str> = sync.toasts.iter().flat_map(|t| t.event_ids()).collect();
    assert_eq!(announced.iter().filter(|id| **id == fresh).count(), 1);
}
