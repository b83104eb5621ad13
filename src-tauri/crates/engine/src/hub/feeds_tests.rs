//! The hub's feeds against the simulator: the demo's feed in-process, and an account's
//! feed on loopback with its link in an in-memory keychain, gone with its place.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use doorpost_core::i18n::SystemLocale;
use doorpost_core::ipc::{FeedEntries, Mode, NewFeed, NewPlace, SecretFeedUrl, StaysQuery};
use doorpost_core::poller::PollerConfig;
use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
use doorpost_sim::{FakeConfig, FakeParakey};
use tempfile::TempDir;

use super::super::*;
use crate::http::BaseUrl;
use crate::keychain::{MemoryTokenStore, TokenStore};
use crate::notifier::{Notifier, NotifyError};

struct Silent;

impl Notifier for Silent {
    fn show(&self, _: &doorpost_core::policy::Toast) -> Result<(), NotifyError> {
        Ok(())
    }
}

type Entries = Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>>;

fn hub(dir: &TempDir, base: &str, entries: &Entries) -> Arc<Hub> {
    let entries = Arc::clone(entries);
    Hub::new(HubOptions {
        data_dir: dir.path().join("data"),
        demo_dir: dir.path().join("data/demo"),
        keychains: Arc::new(move |name: &str| {
            let mut map = entries.lock().unwrap();
            let store = map
                .entry(name.to_string())
                .or_insert_with(|| Arc::new(MemoryTokenStore::new()));
            Arc::clone(store) as Arc<dyn TokenStore>
        }),
        env_token: None,
        default_base: BaseUrl::parse(base).unwrap(),
        parakey_base: BaseUrl::parse(base).unwrap(),
        notifier: Arc::new(Silent),
        poller_config: Some(PollerConfig::quick(200)),
        system_locale: SystemLocale {
            messages: Some("en_GB.UTF-8".into()),
            time: Some("en_GB.UTF-8".into()),
        },
        utc_offset_secs: Some(0),
        autostart: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_feed_with_a_stay_arriving_today() {
    let dir = TempDir::new().unwrap();
    let hub = hub(&dir, "http://127.0.0.1:9", &Entries::default());
    let mut signals = hub.subscribe();
    hub.switch(Mode::Demo).await.unwrap();
    let feeds = hub.feeds().await.unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(
        (feeds[0].label.as_str(), feeds[0].problem),
        ("Airbnb", None)
    );
    assert_eq!(feeds[0].stays_found, 4);
    let stays = hub.stays(StaysQuery::default()).await.unwrap();
    let arriving = stays
        .iter()
        .find(|s| s.reservation_code.as_deref() == Some("HMDEMO4821"))
        .expect("the stay arriving today");
    assert_eq!(arriving.place_name, "Harbour Loft");
    assert!(stays.iter().any(|s| s.blocked), "blocked nights: {stays:?}");
    hub.remove_feed("demo", "airbnb").await.unwrap();
    assert!(hub.feeds().await.unwrap().is_empty());
    let mut told = false;
    while let Ok(Signal::Changed(e)) = signals.try_recv() {
        told |= e.stays && !e.history;
    }
    assert!(told, "the window was told the stays changed");
    hub.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_link_lives_in_its_own_keychain_entry_and_goes_with_its_place() {
    let fake = FakeParakey::start(FakeConfig {
        token: "tok".into(),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    fake.set_feed(
        "vrbo",
        SimFeed {
            format: FeedFormat::Vrbo,
            switch: FeedSwitch::Normal,
        },
    );
    let dir = TempDir::new().unwrap();
    let entries = Entries::default();
    let hub = hub(&dir, &fake.base_url(), &entries);
    hub.start(false).await.unwrap();
    let place = hub
        .add_place(NewPlace {
            name: "Loft".into(),
            token: "tok".into(),
            api_url: None,
        })
        .await
        .unwrap();
    let url = format!("{}/feeds/vrbo.ics?s=CANARY-FEED", fake.base_url());
    let view = hub
        .add_feed(NewFeed {
            place_id: place.id.clone(),
            label: "VRBO".into(),
            url: SecretFeedUrl::new(url.clone()),
            entries: FeedEntries::Bookings,
            blocks_vacant: false,
        })
        .await
        .unwrap();
    assert_eq!(view.stays_found, 2);
    let answers = format!("{view:?}{:?}", hub.feeds().await.unwrap());
    assert!(!answers.contains("CANARY-FEED"), "{answers}");
    let install = Store::open(&dir.path().join("data").join(DB_FILE))
        .unwrap()
        .install_id()
        .unwrap();
    let name = crate::feeds::feed_entry(&install, &place.id, "VRBO");
    let entry = Arc::clone(&entries.lock().unwrap()[&name]);
    assert_eq!(entry.get().unwrap().unwrap().token.expose(), url);

    fake.set_feed_switch("vrbo", FeedSwitch::Unauthorized);
    let checked = hub.check_feed(&place.id, "VRBO").await.unwrap();
    assert_eq!(
        checked.problem,
        Some(doorpost_core::ipc::FeedProblem::Unauthorized)
    );
    assert_eq!(checked.stays_found, 2, "the last good calendar is kept");

    hub.remove_place(&place.id, true).await.unwrap();
    assert!(!entry.is_set().unwrap(), "the link went with its place");
    hub.shutdown().await;
}
