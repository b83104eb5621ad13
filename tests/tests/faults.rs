//! Every fault in `parakey-api.md` through the real client, the real fake and a real SQLite
//! file: the sync fails politely, says why, and loses nothing once the server recovers.

use std::collections::HashSet;
use std::time::Duration;

use doorpost_core::poller::{Phase, PollerConfig};
use doorpost_core::time::Millis;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey, Fault, RetryAfter};
use doorpost_tests::{TOKEN, stored, week_of_history};

const MIN: i64 = Millis::MINUTE;

struct Setup {
    fake: FakeParakey,
    sync: VirtualTimeSync,
    db: std::path::PathBuf,
    expected: HashSet<String>,
    _dir: tempfile::TempDir,
}

/// A backfilled account, ten virtual minutes in.
async fn setup() -> Setup {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let expected: HashSet<String> = fake
        .inject_many(week_of_history(fake.now()))
        .into_iter()
        .collect();
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 3).unwrap();
    sync.run_for(10 * MIN).await.unwrap();
    Setup {
        fake,
        sync,
        db,
        expected,
        _dir: dir,
    }
}

impl Setup {
    fn unlock(&mut self) -> String {
        let id = self.fake.inject(EventSpec::at(self.sync.server_now()));
        self.expected.insert(id.clone());
        id
    }

    fn assert_nothing_lost(&self) {
        let rows = stored(&self.db);
        for id in &self.expected {
            assert!(rows.contains_key(id), "{id} lost");
        }
        assert_eq!(rows.len(), self.expected.len());
    }

    fn last_error(&self) -> String {
        self.sync.failures.last().cloned().unwrap_or_default()
    }
}

async fn recovers_from(fault: Fault, expect_in_error: &str) -> Setup {
    let mut s = setup().await;
    let fresh = s.unlock();
    s.fake.push_fault(fault);
    s.sync.run_for(6 * MIN).await.unwrap();
    assert!(
        s.last_error().contains(expect_in_error),
        "error {:?} should mention {expect_in_error:?}",
        s.last_error()
    );
    s.sync.run_for(60 * MIN).await.unwrap();
    s.assert_nothing_lost();
    let announced: Vec<&str> = s.sync.toasts.iter().flat_map(|t| t.event_ids()).collect();
    assert_eq!(announced.iter().filter(|id| **id == fresh).count(), 1);
    s
}

#[tokio::test]
async fn server_errors_back_off_and_recover() {
    for status in [500, 502, 503] {
        recovers_from(Fault::Status(status), &status.to_string()).await;
    }
}

#[tokio::test]
async fn dropped_connection_is_a_network_error() {
    recovers_from(Fault::DropConnection, "Couldn't reach Parakey").await;
}

#[tokio::test]
async fn truncated_body_fails_the_sync_and_keeps_its_start_for_diagnosis() {
    let s = recovers_from(Fault::Truncate, "unreadable").await;
    assert!(s.last_error().contains("it began"), "{}", s.last_error());
}

#[tokio::test]
async fn malformed_body_fails_the_sync() {
    recovers_from(Fault::Malformed, "unreadable").await;
}

#[tokio::test]
async fn slow_answer_within_the_timeout_is_fine() {
    let mut s = setup().await;
    s.unlock();
    s.fake.push_fault(Fault::Slow(500));
    s.sync.run_for(6 * MIN).await.unwrap();
    assert!(s.sync.failures.is_empty());
    s.assert_nothing_lost();
}

#[tokio::test]
async fn stalled_server_times_out_and_recovers() {
    let s = recovers_from(Fault::Stall, "timed out").await;
    assert_eq!(s.fake.pending_faults(), 0);
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured_in_both_forms() {
    for retry_after in [RetryAfter::Seconds(3_600), RetryAfter::HttpDate(3_600)] {
        let mut s = setup().await;
        s.unlock();
        s.fake.push_fault(Fault::TooManyRequests { retry_after });
        s.sync.run_for(6 * MIN).await.unwrap();
        assert!(s.last_error().contains("429"), "{retry_after:?}");
        s.fake.reset_stats();
        s.sync.run_for(50 * MIN).await.unwrap();
        assert_eq!(
            s.fake.requests_since_reset(),
            0,
            "nothing sent before Retry-After ({retry_after:?})"
        );
        s.sync.run_for(30 * MIN).await.unwrap();
        s.assert_nothing_lost();
    }
}

#[tokio::test]
async fn rejected_token_stops_polling_until_it_changes() {
    for status in [401, 403] {
        let mut s = setup().await;
        s.unlock();
        // The configured form is rejected, then the other form is tried once and rejected.
        s.fake.configure(|c| {
            c.token = "a-new-token".into();
            c.auth_reject_status = status;
        });
        s.sync.run_for(6 * MIN).await.unwrap();
        assert_eq!(s.sync.status().await.unwrap().phase, Phase::AuthRejected);
        assert!(s.last_error().contains("rejected the token"));
        s.fake.reset_stats();
        s.sync.run_for(5 * 60 * MIN).await.unwrap();
        assert_eq!(
            s.fake.requests_since_reset(),
            0,
            "no polling after a rejection"
        );
    }
}

/// A redirect to another host stops checking (told at once, see below): the token never
/// leaves, nothing more is sent while the host has not acted, and "Check now" tries again.
#[tokio::test]
async fn a_redirect_elsewhere_stops_checking_until_the_host_checks_again() {
    // A listener standing in for another host: it must never see a connection.
    let thief = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let location = format!("http://{}/steal", thief.local_addr().unwrap());
    let mut s = setup().await;
    let fresh = s.unlock();
    s.fake.push_fault(Fault::Redirect {
        status: 307,
        location,
    });
    s.sync.run_for(6 * MIN).await.unwrap();
    assert!(s.last_error().contains("does not follow redirects"));
    assert_eq!(s.sync.status().await.unwrap().phase, Phase::Redirected);
    s.fake.reset_stats();
    s.sync.run_for(5 * 60 * MIN).await.unwrap();
    assert_eq!(
        s.fake.requests_since_reset(),
        0,
        "nothing sent after a redirect elsewhere"
    );
    s.sync.refresh_now().await.unwrap().unwrap();
    s.sync.run_for(10 * MIN).await.unwrap();
    assert_ne!(s.sync.status().await.unwrap().phase, Phase::Redirected);
    s.assert_nothing_lost();
    let announced: Vec<&str> = s.sync.toasts.iter().flat_map(|t| t.event_ids()).collect();
    assert_eq!(announced.iter().filter(|id| **id == fresh).count(), 1);
    let accepted = tokio::time::timeout(Duration::from_millis(200), thief.accept()).await;
    assert!(accepted.is_err(), "the redirect target was contacted");
}

#[tokio::test]
async fn unreadable_records_are_quarantined_without_stalling_the_rest() {
    let mut s = setup().await;
    let good = s.unlock();
    s.fake
        .insert_raw(serde_json::json!({"createdAt": "2026-01-01T00:00:00Z"}));
    s.fake
        .insert_raw(serde_json::json!({"id": "bad-date", "createdAt": "tuesday"}));
    s.fake.insert_raw(serde_json::json!(42));
    let after = s.unlock();
    s.sync.run_for(40 * MIN).await.unwrap();
    let rows = stored(&s.db);
    assert!(rows.contains_key(&good) && rows.contains_key(&after));
    assert!(s.sync.store.quarantine_count().unwrap() >= 2);
    let q = s.sync.store.quarantined(10).unwrap();
    assert!(q.iter().any(|r| r.raw.contains("tuesday")), "raw JSON kept");
    assert!(
        s.sync.failures.is_empty(),
        "a bad record is not a failed sync"
    );
}

/// Never silently blind: a place that keeps failing is told once, 15 minutes after its
/// first failure (on the poller's own timer, though backoff spaces the failures further
/// apart), not again within the outage, and the header's "since" ends with a completed
/// check.
#[tokio::test]
async fn a_place_that_keeps_failing_is_told_after_fifteen_minutes_and_once() {
    let mut s = setup().await;
    let fresh = s.unlock();
    s.sync.run_for(6 * MIN).await.unwrap();
    assert!(
        s.sync.notices.is_empty(),
        "nothing to tell while checks complete"
    );
    s.fake
        .push_faults(std::iter::repeat_n(Fault::Status(503), 10_000));
    // The first failure comes with the next check, at most an interval away.
    while s.sync.failures.is_empty() {
        s.sync.run_for(Millis::SECOND).await.unwrap();
    }
    let first_failure = s.sync.now;
    s.sync.run_for(14 * MIN).await.unwrap();
    assert!(
        s.sync.notices.is_empty(),
        "not before 15 minutes: {:?}",
        s.sync.notices
    );
    assert_eq!(s.sync.status().await.unwrap().blind_since, None);
    s.sync.run_for(2 * MIN).await.unwrap();
    let [(at, notice)] = s.sync.notices.as_slice() else {
        panic!("one notice, got {:?}", s.sync.notices);
    };
    // `first_failure` is known to the second.
    assert!(
        (15 * MIN - Millis::SECOND..=15 * MIN).contains(&at.since(first_failure)),
        "told on the timer, 15 minutes after the first failure, not {} ms",
        at.since(first_failure)
    );
    assert!(
        notice.body().starts_with("Parakey has not answered since"),
        "{notice:?}"
    );
    assert!(s.sync.status().await.unwrap().blind_since.is_some());
    s.sync.run_for(3 * 60 * MIN).await.unwrap();
    assert_eq!(s.sync.notices.len(), 1, "once per outage");
    s.fake.clear_faults();
    s.sync.run_for(90 * MIN).await.unwrap();
    assert_eq!(
        s.sync.status().await.unwrap().blind_since,
        None,
        "a check completed"
    );
    s.assert_nothing_lost();
    let announced: Vec<&str> = s.sync.toasts.iter().flat_map(|t| t.event_ids()).collect();
    assert_eq!(announced.iter().filter(|id| **id == fresh).count(), 1);
}

/// A cause that cannot pass by itself is told at once: the token rejected, a redirect to
/// another host (named).
#[tokio::test]
async fn a_rejected_token_and_a_redirect_elsewhere_are_told_at_once() {
    let mut s = setup().await;
    s.fake.configure(|c| c.token = "a-new-token".into());
    s.sync.run_for(6 * MIN).await.unwrap();
    let [(_, notice)] = s.sync.notices.as_slice() else {
        panic!("one notice, got {:?}", s.sync.notices);
    };
    assert_eq!(notice.title(), "Doorpost can't check for unlocks");
    assert!(
        notice.body().starts_with("Parakey rejects the token since"),
        "{notice:?}"
    );

    let mut s = setup().await;
    let before = s.sync.now;
    s.fake.push_faults(std::iter::repeat_n(
        Fault::Redirect {
            status: 301,
            location: "https://parakey.example.net/eventLogs".into(),
        },
        1_000,
    ));
    s.sync.run_for(6 * MIN).await.unwrap();
    let [(at, notice)] = s.sync.notices.as_slice() else {
        panic!("one notice, got {:?}", s.sync.notices);
    };
    assert!(
        at.since(before) <= 5 * MIN + Millis::SECOND,
        "at the first failed check"
    );
    assert!(
        notice
            .body()
            .starts_with("Parakey's address sends Doorpost to parakey.example.net since"),
        "{notice:?}"
    );
}

/// Failures shorter than 15 minutes, a pause, and an outage that returns within the hour
/// after a told one: nothing (more) to tell.
#[tokio::test]
async fn short_failures_are_not_told_and_a_return_within_the_hour_is_not_told_again() {
    let mut s = setup().await;
    s.fake
        .push_faults(std::iter::repeat_n(Fault::Status(500), 2));
    s.sync.run_for(60 * MIN).await.unwrap();
    assert!(s.sync.notices.is_empty(), "{:?}", s.sync.notices);

    s.fake
        .push_faults(std::iter::repeat_n(Fault::Status(503), 10_000));
    s.sync.run_for(30 * MIN).await.unwrap();
    assert_eq!(s.sync.notices.len(), 1);
    s.fake.clear_faults();
    // Backoff may have spaced the checks up to an hour apart.
    s.sync.run_for(65 * MIN).await.unwrap();
    assert_eq!(s.sync.status().await.unwrap().blind_since, None);
    s.fake
        .push_faults(std::iter::repeat_n(Fault::Status(503), 10_000));
    s.sync.run_for(30 * MIN).await.unwrap();
    assert_eq!(s.sync.notices.len(), 1, "the same outage, come back");
}
