//! One unlock uploaded twice under two ids (G11), through the real client, the real fake
//! and a real SQLite file: both event logs are stored, the second tagged with the first's
//! id, and the unlock is announced once, in one check, across two checks and across a
//! restart.

use doorpost_core::poller::PollerConfig;
use doorpost_core::time::Millis;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey};
use doorpost_tests::{TOKEN, week_of_history};

const MIN: i64 = Millis::MINUTE;

struct Setup {
    fake: FakeParakey,
    sync: VirtualTimeSync,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// A backfilled account, ten virtual minutes in; from then on every unlock is uploaded
/// again `after` ms after its first upload.
async fn setup(after: i64) -> Setup {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    fake.inject_many(week_of_history(fake.now()));
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 11).unwrap();
    sync.run_for(10 * MIN).await.unwrap();
    fake.configure(|c| c.duplicate_uploads = Some(after));
    Setup {
        fake,
        sync,
        db,
        _dir: dir,
    }
}

/// A stored row: id, notification state, `duplicate_of`.
type Row = (String, String, Option<String>);

impl Setup {
    fn unlock(&self) -> String {
        self.fake.inject(
            EventSpec::at(self.sync.server_now())
                .door("Dv0000002b", "Back gate")
                .late_by(4_000),
        )
    }

    /// Every stored upload of the unlock whose first upload is `first`, by arrival.
    fn uploads_of(&self, first: &str) -> Vec<Row> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT e.id, e.notify_state, e.duplicate_of FROM event_log e \
                 JOIN event_log f ON f.id = ?1 \
                 WHERE e.door_id = f.door_id AND e.timestamp = f.timestamp \
                 ORDER BY e.created_at, e.id",
            )
            .unwrap();
        stmt.query_map([first], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Toasts that named any of `ids`.
    fn toasts_for(&self, ids: &[&str]) -> usize {
        self.sync
            .toasts
            .iter()
            .filter(|t| t.event_ids().iter().any(|id| ids.contains(id)))
            .count()
    }

    fn assert_one_toast_and_a_tagged_second_upload(&self, first: &str) {
        let rows = self.uploads_of(first);
        assert_eq!(rows.len(), 2, "both uploads are stored: {rows:?}");
        let (ref id0, ref state0, ref dup0) = rows[0];
        let (ref id1, ref state1, ref dup1) = rows[1];
        assert_eq!(id0, first, "{rows:?}");
        assert_eq!(
            (state0.as_str(), dup0.as_deref()),
            ("notified", None),
            "{rows:?}"
        );
        assert_eq!(
            (state1.as_str(), dup1.as_deref()),
            ("suppressed", Some(first)),
            "the second upload points at the first: {rows:?}"
        );
        assert_eq!(
            self.toasts_for(&[id0, id1]),
            1,
            "one arrival, one toast: {:?}",
            self.sync.toasts
        );
    }
}

#[tokio::test]
async fn a_second_upload_in_the_same_check_is_stored_tagged_and_not_announced() {
    let mut s = setup(40_000).await;
    let first = s.unlock();
    // Both uploads are listed by the next check (it comes at most an interval later).
    s.sync.run_for(7 * MIN).await.unwrap();
    s.sync.run_for(20 * MIN).await.unwrap();
    s.assert_one_toast_and_a_tagged_second_upload(&first);
}

#[tokio::test]
async fn a_second_upload_in_a_later_check_or_after_a_restart_is_not_announced() {
    for restart in [false, true] {
        let mut s = setup(8 * MIN).await;
        let first = s.unlock();
        s.sync.run_for(6 * MIN).await.unwrap();
        assert_eq!(s.uploads_of(&first).len(), 1, "only the first is up yet");
        assert_eq!(s.toasts_for(&[&first]), 1, "the first upload is announced");
        if restart {
            s.sync.restart().await.unwrap();
        }
        s.sync.run_for(30 * MIN).await.unwrap();
        s.assert_one_toast_and_a_tagged_second_upload(&first);
    }
}

#[tokio::test]
async fn two_unlocks_a_millisecond_apart_are_two_toasts() {
    let mut s = setup(40_000).await;
    s.fake.configure(|c| c.duplicate_uploads = None);
    let t = s.sync.server_now();
    let a = s.fake.inject(EventSpec::at(t).timestamp(t.minus(5_000)));
    let b = s
        .fake
        .inject(EventSpec::at(t.plus(30_000)).timestamp(t.minus(4_999)));
    s.sync.run_for(30 * MIN).await.unwrap();
    assert_eq!(s.toasts_for(&[&a]), 1);
    assert_eq!(s.toasts_for(&[&b]), 1);
}
