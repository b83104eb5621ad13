//! What a server puts on the wire around its JSON, through the real client, the real fake
//! and a real SQLite file: a byte order mark, white space, an empty or `null` 200 body;
//! and redirects, followed on the same origin only.

use std::collections::HashSet;
use std::time::Duration;

use doorpost_core::poller::PollerConfig;
use doorpost_core::time::Millis;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{BodyQuirk, EventSpec, FakeConfig, FakeParakey, Fault};
use doorpost_tests::{TOKEN, stored, week_of_history};

const MIN: i64 = Millis::MINUTE;

struct Setup {
    fake: FakeParakey,
    sync: VirtualTimeSync,
    db: std::path::PathBuf,
    expected: HashSet<String>,
    _dir: tempfile::TempDir,
}

/// A week of history on a server whose every 200 is wrapped as `quirk`, ten virtual
/// minutes in.
async fn setup(quirk: BodyQuirk) -> Setup {
    let fake = FakeParakey::start(FakeConfig {
        body_quirk: quirk,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    let expected: HashSet<String> = fake
        .inject_many(week_of_history(fake.now()))
        .into_iter()
        .collect();
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 5).unwrap();
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

    fn announced(&self, id: &str) -> usize {
        self.sync
            .toasts
            .iter()
            .flat_map(|t| t.event_ids())
            .filter(|e| *e == id)
            .count()
    }
}

#[tokio::test]
async fn a_byte_order_mark_or_white_space_around_the_json_is_read() {
    for quirk in [BodyQuirk::Bom, BodyQuirk::Whitespace] {
        let mut s = setup(quirk).await;
        assert!(
            s.sync.failures.is_empty(),
            "{quirk:?}: {:?}",
            s.sync.failures
        );
        assert_eq!(
            stored(&s.db).len(),
            s.expected.len(),
            "{quirk:?}: backfilled"
        );
        let fresh = s.unlock();
        s.sync.run_for(6 * MIN).await.unwrap();
        assert!(s.sync.failures.is_empty(), "{quirk:?}");
        assert_eq!(
            s.announced(&fresh),
            1,
            "{quirk:?}: the fresh unlock is news"
        );
    }
}

#[tokio::test]
async fn an_empty_or_null_body_is_a_failure_that_passes_never_no_rows() {
    for quirk in [BodyQuirk::Empty, BodyQuirk::Null] {
        let mut s = setup(BodyQuirk::None).await;
        let fresh = s.unlock();
        s.fake.configure(|c| c.body_quirk = quirk);
        s.sync.run_for(6 * MIN).await.unwrap();
        let last = s.sync.failures.last().cloned().unwrap_or_default();
        assert!(
            last.contains("unreadable"),
            "{quirk:?}: the check failed, saying why: {:?}",
            s.sync.failures
        );
        assert!(
            !stored(&s.db).contains_key(&fresh),
            "{quirk:?}: nothing was read"
        );
        // A check that "succeeded" with no rows would have moved on; a failure is retried
        // and the unlock is read and announced once the server answers properly again.
        s.fake.configure(|c| c.body_quirk = BodyQuirk::None);
        s.sync.run_for(30 * MIN).await.unwrap();
        let rows = stored(&s.db);
        assert!(
            s.expected.iter().all(|id| rows.contains_key(id)),
            "{quirk:?}"
        );
        assert_eq!(s.announced(&fresh), 1, "{quirk:?}");
    }
}

#[tokio::test]
async fn a_redirect_to_the_same_origin_is_followed() {
    let mut s = setup(BodyQuirk::None).await;
    s.fake.configure(|c| c.moved_same_origin = true);
    s.fake.reset_stats();
    let fresh = s.unlock();
    s.sync.run_for(6 * MIN).await.unwrap();
    assert!(s.sync.failures.is_empty(), "{:?}", s.sync.failures);
    assert_eq!(s.announced(&fresh), 1);
    let stats = s.fake.stats();
    assert!(
        stats.by_status.get(&308).copied().unwrap_or(0) > 0,
        "the old address redirected: {stats:?}"
    );
    assert!(
        stats
            .last_request_uri
            .as_deref()
            .is_some_and(|u| u.starts_with("/v2/eventLogs?")),
        "{stats:?}"
    );
    assert_eq!(
        stats.last_header("access-token"),
        Some(TOKEN),
        "the token went along on its own origin"
    );
}

/// A redirect to `location`, whose listener must never see a connection; the check fails
/// naming `shown` and nothing of the path or query.
async fn a_redirect_elsewhere_is_not_followed(thief: tokio::net::TcpListener, location: String) {
    let shown = format!("http://{}", thief.local_addr().unwrap());
    let mut s = setup(BodyQuirk::None).await;
    s.unlock();
    s.fake.push_fault(Fault::Redirect {
        status: 307,
        location,
    });
    s.sync.run_for(6 * MIN).await.unwrap();
    let last = s.sync.failures.last().cloned().unwrap_or_default();
    assert!(last.contains("redirected"), "{last}");
    assert!(last.contains("another host"), "{last}");
    assert!(last.contains(&format!("{shown}.")), "names {shown}: {last}");
    for secret in ["steal", "token=", "abc"] {
        assert!(!last.contains(secret), "{last} shows {secret}");
    }
    let accepted = tokio::time::timeout(Duration::from_millis(200), thief.accept()).await;
    assert!(accepted.is_err(), "the redirect target was contacted");
}

#[tokio::test]
async fn a_redirect_to_another_port_of_the_same_host_is_not_followed() {
    let thief = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let location = format!(
        "http://{}/eventLogs?limit=1&token=abc",
        thief.local_addr().unwrap()
    );
    a_redirect_elsewhere_is_not_followed(thief, location).await;
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let thief = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let location = format!("http://{}/steal?token=abc", thief.local_addr().unwrap());
    a_redirect_elsewhere_is_not_followed(thief, location).await;
}
