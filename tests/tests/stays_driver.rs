//! Stays in the real driver on virtual time, with the fake Parakey and a real SQLite file
//! (issue 16): the arrival toast replaces the plain one, a guest's later unlock is plain,
//! an unlock no stay covers is "Unlocked while vacant", the no-show comes once at its
//! deadline (after one more check of the place), survives a restart without repeating,
//! and a late upload of an unlock made by the deadline gives "Found after all" once.
//!
//! Helper A's feed code writes the `feeds` and `stays` rows; until it is merged this test
//! writes them directly, as migration 008 describes them.

use chrono::{DateTime, Utc};
use doorpost_core::ipc::{StaffKind, StaffRef};
use doorpost_core::policy::Toast;
use doorpost_core::poller::PollerConfig;
use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;
use doorpost_core::tray::ExpectedArrival;
use doorpost_engine::driver::PlaceContext;
use doorpost_engine::stay_rules::rules_for;
use doorpost_engine::stays_watch::StaysWatch;
use doorpost_engine::store::Store;
use doorpost_engine::virtual_time::VirtualTimeSync;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey, UserSpec};
use doorpost_stays::{EntryKind, Stay, StayTime, Watch};
use doorpost_tests::{TOKEN, week_of_history};

const MIN: i64 = Millis::MINUTE;
const HOUR: i64 = Millis::HOUR;

struct Setup {
    fake: FakeParakey,
    sync: VirtualTimeSync,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// A backfilled place "Harbour Loft" with a feed read once, ten virtual minutes in.
async fn setup() -> Setup {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("doorpost.sqlite3");
    fake.inject_many(week_of_history(fake.now()));
    let mut sync =
        VirtualTimeSync::new(fake.control(), &db, TOKEN, PollerConfig::default(), 7).unwrap();
    sync.place = PlaceContext {
        id: Some("p1".into()),
        name: Some("Harbour Loft".into()),
        ..PlaceContext::default()
    };
    let setup = Setup {
        fake,
        sync,
        db,
        _dir: dir,
    };
    setup.sql(&format!(
        "INSERT INTO feeds (place_id, label, ok_at, fetched_at, added_at) \
         VALUES ('p1', 'Airbnb', {0}, {0}, {0})",
        setup.sync.server_now().0
    ));
    setup
}

impl Setup {
    fn sql(&self, sql: &str) {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    /// A timed booking from `from` to `to` (wall ms), as the feed code stores one.
    fn stay(&self, uid: &str, from: i64, to: i64) {
        self.sql(&format!(
            "INSERT INTO stays (place_id, uid, start_at, end_at, kind, summary, \
             reservation_code, sources, first_seen_at) VALUES \
             ('p1', '{uid}', {from}, {to}, 'booking', 'Reserved', 'HMXK4T9Q2B', \
              '[\"Airbnb\"]', {})",
            self.sync.server_now().0
        ));
    }

    fn unlock(&self, at: Millis, late_by: i64) -> String {
        self.fake.inject(
            EventSpec::at(at.plus(late_by))
                .door("Dv0000001a", "Front door")
                .user(Some(UserSpec::new(
                    "u-ann",
                    "Ann",
                    "Berg",
                    "ann@example.com",
                )))
                .timestamp(at),
        )
    }

    fn toast_for(&self, id: &str) -> Vec<&Toast> {
        self.sync
            .toasts
            .iter()
            .filter(|t| t.event_ids().contains(&id))
            .collect()
    }

    /// Whom the toast's "This is staff" would mark.
    fn offers_staff(toast: &Toast) -> Option<StaffRef> {
        match toast {
            Toast::Single { staff, .. } => staff.clone(),
            Toast::Summary { .. } | Toast::Alert { .. } => None,
        }
    }

    fn no_shows(&self) -> Vec<String> {
        let alerts = self
            .sync
            .toasts
            .iter()
            .chain(self.sync.notices.iter().map(|(_, t)| t));
        alerts
            .map(|t| t.title().to_owned())
            .filter(|t| t.starts_with("No arrival yet"))
            .collect()
    }

    /// Today's arrivals as the tray reads them from the store, on the day of `at`.
    fn expected(&self, at: i64) -> Vec<ExpectedArrival> {
        let store = Store::open(&self.db).unwrap();
        let mut watch = StaysWatch::new(Millis(at));
        watch
            .reload(&store, "p1", &Settings::default(), Millis(at))
            .unwrap();
        watch.expected_today(Millis(at))
    }

    fn mark(&self, id: &str) -> Option<String> {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row(
                "SELECT mark FROM unlock_marks WHERE event_id = ?1",
                [id],
                |r| r.get(0),
            )
            .ok()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_arrival_replaces_the_plain_toast_and_later_unlocks_are_plain() {
    let mut s = setup().await;
    let now = s.sync.server_now().0;
    let check_in = now + 30 * MIN;
    s.stay("a@airbnb", check_in, now + 72 * HOUR);
    s.sync.run_for(10 * MIN).await.unwrap();
    let expected = s.expected(check_in);
    assert_eq!(
        expected.len(),
        1,
        "the tray expects the guest: {expected:?}"
    );
    assert_eq!(expected[0].check_in, Millis(check_in));
    assert_eq!(expected[0].arrived_at, None);
    let arrival = s.sync.server_now();
    let first = s.unlock(arrival, 2_000);
    s.sync.run_for(10 * MIN).await.unwrap();
    assert_eq!(
        s.expected(check_in)[0].arrived_at,
        Some(arrival),
        "the tray says when the guest came"
    );
    let toasts = s.toast_for(&first);
    assert_eq!(toasts.len(), 1, "one toast per unlock: {toasts:?}");
    assert!(
        toasts[0]
            .title()
            .starts_with("Guest arrived · Harbour Loft · stay "),
        "{toasts:?}"
    );
    assert!(toasts[0].body().contains("Ann Berg"), "{toasts:?}");
    assert!(
        toasts[0].body().contains("reservation HMXK4T9Q2B"),
        "{toasts:?}"
    );
    assert_eq!(s.mark(&first).as_deref(), Some("arrival"));
    assert_eq!(
        Setup::offers_staff(toasts[0]),
        Some(ann()),
        "the arrival offers This is staff for Ann's user id"
    );

    let later = s.unlock(s.sync.server_now(), 2_000);
    s.sync.run_for(10 * MIN).await.unwrap();
    let toasts = s.toast_for(&later);
    assert_eq!(toasts.len(), 1, "{toasts:?}");
    assert_eq!(
        toasts[0].title(),
        "Front door",
        "a guest's later unlock is plain"
    );
    assert_eq!(s.mark(&later).as_deref(), Some("guest"));
    assert_eq!(Setup::offers_staff(toasts[0]), Some(ann()));
    assert!(s.no_shows().is_empty(), "the guest came: no no-show");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlock_no_stay_covers_is_unlocked_while_vacant() {
    let mut s = setup().await;
    let now = s.sync.server_now().0;
    s.stay("later@airbnb", now + 5 * 24 * HOUR, now + 7 * 24 * HOUR);
    s.sync.run_for(10 * MIN).await.unwrap();
    let id = s.unlock(s.sync.server_now(), 2_000);
    s.sync.run_for(10 * MIN).await.unwrap();
    let toasts = s.toast_for(&id);
    assert_eq!(toasts.len(), 1, "{toasts:?}");
    assert!(
        toasts[0]
            .title()
            .starts_with("Unlocked while vacant · Front door · "),
        "{toasts:?}"
    );
    assert_eq!(s.mark(&id).as_deref(), Some("vacant"));
    assert_eq!(Setup::offers_staff(toasts[0]), Some(ann()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_without_a_feed_read_offers_no_this_is_staff() {
    let mut s = setup().await;
    s.sql("DELETE FROM feeds");
    s.sync.run_for(10 * MIN).await.unwrap();
    let id = s.unlock(s.sync.server_now(), 2_000);
    s.sync.run_for(10 * MIN).await.unwrap();
    let toasts = s.toast_for(&id);
    assert_eq!(toasts.len(), 1, "{toasts:?}");
    assert_eq!(toasts[0].title(), "Front door", "a plain unlock");
    assert_eq!(s.mark(&id), None);
    assert_eq!(Setup::offers_staff(toasts[0]), None);
}

fn ann() -> StaffRef {
    StaffRef {
        kind: StaffKind::User,
        value: "u-ann".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_show_once_at_the_deadline_across_a_restart_then_found_after_all_once() {
    let mut s = setup().await;
    let now = s.sync.server_now().0;
    let (from, to) = (now + 20 * MIN, now + 72 * HOUR);
    s.stay("a@airbnb", from, to);
    // The deadline as the app computes it, in the computer's zone.
    let instant = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
    let mut watch = Watch::new(
        rules_for(&Settings::default()),
        Default::default(),
        instant(0),
    );
    watch.set_stays(&[Stay {
        uid: "a@airbnb".into(),
        time: StayTime::Times {
            start: instant(from),
            end: instant(to),
        },
        kind: EntryKind::Booking,
        blocks_vacant: false,
        summary: String::new(),
        guest_name: None,
        reservation_code: None,
        phone_last4: None,
        sources: Default::default(),
    }]);
    let deadline = watch.next_deadline().unwrap().timestamp_millis();
    let requests_before = s.fake.control().requests_since_reset();
    s.sync.run_for(deadline - now - MIN).await.unwrap();
    assert!(s.no_shows().is_empty(), "not before the deadline");
    s.sync.run_for(3 * MIN).await.unwrap();
    assert_eq!(s.no_shows().len(), 1, "{:?}", s.no_shows());
    assert!(
        s.no_shows()[0].starts_with("No arrival yet at Harbour Loft for today's stay (check-in "),
        "{:?}",
        s.no_shows()
    );
    assert!(s.fake.control().requests_since_reset() > requests_before);
    s.sync.restart().await.unwrap();
    s.sync.run_for(HOUR).await.unwrap();
    assert_eq!(s.no_shows().len(), 1, "never twice, restart or not");

    // The lock uploads an unlock made an hour before the deadline.
    let found = s.unlock(
        Millis(deadline - HOUR),
        s.sync.server_now().0 - deadline + HOUR,
    );
    s.sync.run_for(10 * MIN).await.unwrap();
    let toasts = s.toast_for(&found);
    assert_eq!(toasts.len(), 1, "{toasts:?}");
    assert!(
        toasts[0]
            .title()
            .starts_with("Found after all: the guest arrived at "),
        "{toasts:?}"
    );
    assert_eq!(s.mark(&found).as_deref(), Some("foundAfterAll"));
    let again = s.unlock(
        Millis(deadline - 50 * MIN),
        s.sync.server_now().0 - deadline + 50 * MIN,
    );
    s.sync.run_for(10 * MIN).await.unwrap();
    assert_eq!(s.mark(&again).as_deref(), Some("guest"), "found once");
    assert_eq!(s.no_shows().len(), 1);
}
