//! The hub against fake Parakeys on loopback, an in-memory keychain and a recording
//! notifier: session switching, several places, error mapping, pause and mutes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doorpost_core::i18n::SystemLocale;
use doorpost_core::ipc::{
    ErrorCode, HistoryQueryView, Mode, MuteRequest, NewPlace, PauseRequest, PhaseView, PlacePatch,
};
use doorpost_core::policy::Toast;
use doorpost_core::poller::PollerConfig;
use doorpost_core::settings::{ClockTime, Field, Language, NotifyMode, Problem, SettingsPatch};
use tempfile::TempDir;

use super::*;
use crate::keychain::{KeychainError, MemoryTokenStore};
use crate::notifier::NotifyError;
use crate::store::HistoryQuery;
use doorpost_core::time::Millis;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey};

#[derive(Default)]
struct Recorder(Mutex<Vec<Toast>>);

impl Notifier for Recorder {
    fn show(&self, toast: &Toast) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(toast.clone());
        Ok(())
    }
}

struct Setup {
    _dir: TempDir,
    hub: Arc<Hub>,
    keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>>,
    toasts: Arc<Recorder>,
}

fn setup_with(default_base: &str, lang: &str) -> Setup {
    setup_apart(
        default_base,
        default_base,
        lang,
        TempDir::new().unwrap(),
        Arc::default(),
    )
}

/// A hub whose environment names `default_base` while Parakey's own address is
/// `parakey_base`, on the data directory `dir/data`, with the keychain `keychain` (which
/// another hub may share).
fn setup_apart(
    default_base: &str,
    parakey_base: &str,
    lang: &str,
    dir: TempDir,
    keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>>,
) -> Setup {
    let config = PollerConfig::quick(200);
    setup_timed(default_base, parakey_base, lang, dir, keychain, config)
}

/// [`setup_apart`] with its own timings.
fn setup_timed(
    default_base: &str,
    parakey_base: &str,
    lang: &str,
    dir: TempDir,
    keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>>,
    config: PollerConfig,
) -> Setup {
    let autostart = None;
    setup_full(
        default_base,
        parakey_base,
        lang,
        dir,
        keychain,
        config,
        autostart,
    )
}

/// [`setup_timed`] with an autostart entry.
fn setup_full(
    default_base: &str,
    parakey_base: &str,
    lang: &str,
    dir: TempDir,
    keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>>,
    config: PollerConfig,
    autostart: Option<Arc<dyn super::Autostart>>,
) -> Setup {
    setup_env(
        default_base,
        parakey_base,
        lang,
        dir,
        keychain,
        config,
        autostart,
        None,
    )
}

/// [`setup_full`] with `DOORPOST_TOKEN` set to `env_token`.
#[allow(clippy::too_many_arguments)]
fn setup_env(
    default_base: &str,
    parakey_base: &str,
    lang: &str,
    dir: TempDir,
    keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>>,
    config: PollerConfig,
    autostart: Option<Arc<dyn super::Autostart>>,
    env_token: Option<ApiToken>,
) -> Setup {
    let entries = Arc::clone(&keychain);
    let toasts = Arc::new(Recorder::default());
    let hub = Hub::new(HubOptions {
        data_dir: dir.path().join("data"),
        demo_dir: dir.path().join("data/demo"),
        keychains: Arc::new(move |name: &str| {
            let mut map = entries.lock().unwrap();
            let store = map
                .entry(name.to_string())
                .or_insert_with(|| Arc::new(MemoryTokenStore::new()));
            Arc::clone(store) as Arc<dyn TokenStore>
        }),
        env_token,
        default_base: BaseUrl::parse(default_base).unwrap(),
        parakey_base: BaseUrl::parse(parakey_base).unwrap(),
        notifier: Arc::clone(&toasts) as Arc<dyn Notifier>,
        poller_config: Some(config),
        system_locale: SystemLocale {
            messages: Some(lang.into()),
            time: Some(lang.into()),
        },
        utc_offset_secs: Some(0),
        autostart,
    });
    Setup {
        _dir: dir,
        hub,
        keychain,
        toasts,
    }
}

/// The install id of a setup's data directory (it names the keychain entries).
fn install_of(s: &Setup) -> String {
    Store::open(&s._dir.path().join("data").join(DB_FILE))
        .unwrap()
        .install_id()
        .unwrap()
}

async fn fake(token: &str, domain: &str) -> FakeParakey {
    let mut config = FakeConfig {
        token: token.into(),
        ..FakeConfig::default()
    };
    config.domain_name = domain.into();
    FakeParakey::start(config).await.unwrap()
}

/// Waits up to 20 s for `check`.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Waits for every place's first check: unlocks from before it are history, not news.
async fn watching(hub: &Hub) {
    eventually("every place's first check", || async {
        let o = hub.overview().await;
        !o.places.is_empty() && o.places.iter().all(|p| p.status.last_check.is_some())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_demo_and_a_token_switch_sessions_cleanly() {
    let parakey = fake("tok-loft", "Sea Loft").await;
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    let o = s.hub.overview().await;
    assert_eq!(o.mode, Mode::Unconfigured);
    assert!(o.places.is_empty() && !o.token_set);
    assert_eq!(o.status.phase, PhaseView::NotConfigured);

    s.hub.switch(Mode::Demo).await.unwrap();
    let o = s.hub.overview().await;
    assert_eq!(o.mode, Mode::Demo);
    assert_eq!(o.places.len(), 1);
    assert_eq!(o.places[0].name, "Harbour Loft");
    eventually("the demo's history", || async {
        s.hub.status().await.events_total > 0
    })
    .await;

    // Leaving the demo goes back to where the user was: no places yet.
    s.hub.leave_demo().await.unwrap();
    assert_eq!(s.hub.overview().await.mode, Mode::Unconfigured);

    parakey.control().inject(EventSpec::default().id("e1"));
    let check = s.hub.set_token(&"tok-loft".into()).await.unwrap();
    assert_eq!(check.events_seen, 1);
    let o = s.hub.overview().await;
    assert_eq!(o.mode, Mode::Account);
    assert_eq!(o.places.len(), 1);
    assert_eq!(o.places[0].id, FIRST_PLACE);
    assert_eq!(
        o.places[0].name, "Sea Loft",
        "named after the Parakey domain"
    );
    assert!(o.token_set);
    let saved = s.keychain.lock().unwrap()[&keychain_entry(&install_of(&s), FIRST_PLACE)]
        .get()
        .unwrap()
        .unwrap();
    assert_eq!(
        saved.origin.as_deref(),
        Some(
            BaseUrl::parse(&parakey.base_url())
                .unwrap()
                .origin()
                .as_str()
        ),
        "the token is saved in this install's entry, with where it was checked"
    );
    eventually("the first unlock", || async {
        s.hub
            .history(HistoryQueryView::default())
            .await
            .is_ok_and(|p| p.rows.len() == 1)
    })
    .await;
    let rows = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(rows[0].place_name.as_deref(), Some("Sea Loft"));

    s.hub.clear_token().await.unwrap();
    let o = s.hub.overview().await;
    assert_eq!(o.places.len(), 1, "the place stays, without its token");
    assert!(!o.places[0].token_set);
    assert_eq!(o.places[0].status.phase, PhaseView::NotConfigured);
    s.hub.shutdown().await;
    parakey.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_places_poll_apart_and_one_failing_never_stops_the_other() {
    let loft = fake("tok-loft", "Sea Loft").await;
    let cabin = fake("tok-cabin", "Cabin").await;
    let s = setup_with(&loft.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    loft.control().inject(
        EventSpec::default()
            .id("loft-1")
            .door("d-front", "Front door"),
    );
    cabin
        .control()
        .inject(EventSpec::default().id("cabin-1").door("d-gate", "Gate"));
    s.hub
        .add_place(NewPlace {
            name: "Loft".into(),
            token: "tok-loft".into(),
            api_url: None,
        })
        .await
        .unwrap();
    let added = s
        .hub
        .add_place(NewPlace {
            name: "Cabin".into(),
            token: "tok-cabin".into(),
            api_url: Some(cabin.base_url()),
        })
        .await
        .unwrap();
    assert_eq!(
        (added.name.as_str(), added.token_set),
        ("Cabin", true),
        "the window announces the place it was given back"
    );
    watching(&s.hub).await;
    loft.control().inject(
        EventSpec::default()
            .id("loft-0")
            .door("d-front", "Front door"),
    );
    let entries: Vec<String> = s.keychain.lock().unwrap().keys().cloned().collect();
    assert_eq!(
        entries.len(),
        2,
        "one keychain entry per place: {entries:?}"
    );

    // A duplicate name is refused before anything is stored.
    let dup = s
        .hub
        .add_place(NewPlace {
            name: " cabin ".into(),
            token: "tok-cabin".into(),
            api_url: Some(cabin.base_url()),
        })
        .await
        .unwrap_err();
    assert_eq!(dup.code, ErrorCode::InvalidSettings);
    assert!(dup.message.contains("already"), "{}", dup.message);

    eventually("both places' unlocks", || async {
        s.hub
            .history(HistoryQueryView::default())
            .await
            .is_ok_and(|p| p.total == 3)
    })
    .await;
    // The cabin's server starts failing; the loft goes on.
    cabin
        .control()
        .push_faults(std::iter::repeat_n(doorpost_sim::Fault::Status(503), 500));
    loft.control().inject(
        EventSpec::default()
            .id("loft-2")
            .door("d-front", "Front door"),
    );
    eventually("the loft's second unlock while the cabin fails", || async {
        let o = s.hub.overview().await;
        let cabin_down = o.places[1].status.phase == PhaseView::Degraded;
        let total = s
            .hub
            .history(HistoryQueryView::default())
            .await
            .unwrap()
            .total;
        cabin_down && total == 4
    })
    .await;
    let o = s.hub.overview().await;
    assert_eq!(o.places[0].status.phase, PhaseView::Idle);
    assert_eq!(o.status.phase, PhaseView::Degraded, "the worst place shows");
    assert!(
        o.places[1]
            .status
            .last_error
            .as_deref()
            .unwrap()
            .contains("503")
    );

    // The place filter, and the place in toasts when there are several.
    let cabin_id = o.places[1].id.clone();
    let only_cabin = s
        .hub
        .history(HistoryQueryView {
            place_ids: Some(vec![cabin_id.clone()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(only_cabin.rows.len(), 1);
    assert_eq!(only_cabin.rows[0].place_name.as_deref(), Some("Cabin"));
    let titles: Vec<String> = s
        .toasts
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|t| t.title().to_string())
        .collect();
    assert!(
        titles.contains(&"Loft · Front door".to_string()),
        "{titles:?}"
    );

    let exported = s
        .hub
        .export_csv(
            HistoryQueryView::default(),
            s._dir.path().join("Downloads"),
            "t".into(),
        )
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert!(csv.starts_with(r#""id","unlocked_at","created_at","timestamp","place","#));
    assert!(csv.contains(r#","Cabin","Gate","#), "{csv}");

    // Renaming and a mode of its own answer the place as changed (the window shows both).
    let renamed = s
        .hub
        .update_place(
            &added.id,
            PlacePatch {
                name: Some("Sea cabin".into()),
                notify_mode: Some(Some(NotifyMode::Arrivals)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            renamed.id.as_str(),
            renamed.name.as_str(),
            renamed.notify_mode
        ),
        (added.id.as_str(), "Sea cabin", Some(NotifyMode::Arrivals))
    );

    // A place's own stays settings: set, refused whole for a setting that is the same at
    // every place, cleared back to the user's.
    let own = |settings: SettingsPatch, clear: Vec<Field>| PlacePatch {
        settings: Some(settings),
        clear_settings: clear,
        ..Default::default()
    };
    let later = SettingsPatch {
        stays_checkin: Some(ClockTime::of(16, 0)),
        stays_buffer_mins: Some(30),
        ..Default::default()
    };
    let place = s
        .hub
        .update_place(&added.id, own(later.clone(), vec![]))
        .await
        .unwrap();
    assert_eq!(place.own_settings, later);
    let refused = SettingsPatch {
        sound: Some(true),
        stays_checkout: Some(ClockTime::of(10, 0)),
        ..Default::default()
    };
    let e = s
        .hub
        .update_place(&added.id, own(refused, vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    assert_eq!(e.fields.len(), 1);
    assert_eq!(
        (e.fields[0].field.as_str(), e.fields[0].problem),
        ("sound", Problem::NotPerPlace)
    );
    let place = s
        .hub
        .update_place(
            &added.id,
            own(SettingsPatch::default(), vec![Field::StaysBufferMins]),
        )
        .await
        .unwrap();
    assert_eq!(
        place.own_settings,
        SettingsPatch {
            stays_checkin: Some(ClockTime::of(16, 0)),
            ..Default::default()
        },
        "nothing of the refused change, the cleared one gone"
    );
    assert_eq!(
        s.hub.overview().await.settings.stays_checkin,
        ClockTime::of(15, 0)
    );

    // Removing a place forgets its token and, when asked, its history.
    s.hub.remove_place(&cabin_id, true).await.unwrap();
    let o = s.hub.overview().await;
    assert_eq!(o.places.len(), 1);
    assert!(
        s.keychain.lock().unwrap()[&keychain_entry(&install_of(&s), &cabin_id)]
            .get()
            .unwrap()
            .is_none()
    );
    let total = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, 3);
    s.hub.shutdown().await;
    loft.shutdown();
    cabin.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_mapped_and_spoken_in_the_users_language() {
    let parakey = fake("tok", "Hytta").await;
    let s = setup_with(&parakey.base_url(), "nb_NO.UTF-8");
    s.hub.start(false).await.unwrap();
    let err = s.hub.refresh_now().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotConfigured);
    assert!(err.message.contains("Parakey-konto"), "{}", err.message);

    let err = s.hub.set_token(&"wrong".into()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRejected);
    assert!(err.message.contains("avviste"), "{}", err.message);
    assert!(
        s.keychain
            .lock()
            .unwrap()
            .values()
            .all(|k| !k.is_set().unwrap()),
        "a rejected token is never stored"
    );

    // A keychain that fails: a clear error, nothing half-done.
    s.keychain
        .lock()
        .unwrap()
        .entry(keychain_entry(&install_of(&s), FIRST_PLACE))
        .or_insert_with(|| Arc::new(MemoryTokenStore::new()))
        .fail_with(Some(KeychainError::Unavailable {
            message: "no Secret Service".into(),
        }));
    let err = s.hub.set_token(&"tok".into()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::KeychainUnavailable);
    assert!(s.hub.overview().await.places.is_empty());

    let err = s
        .hub
        .save_settings(SettingsPatch {
            poll_interval_mins: Some(0),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSettings);
    assert_eq!(err.fields[0].field, "pollIntervalMins");
    assert_eq!(
        s.hub.settings().await.poll_interval_mins,
        5,
        "nothing saved"
    );

    // The setting overrides the system's language.
    let saved = s
        .hub
        .save_settings(SettingsPatch {
            language: Some(Some(Language::En)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(saved.language, Some(Language::En));
    assert_eq!(s.hub.overview().await.language, Language::En);
    let err = s.hub.refresh_now().await.unwrap_err();
    assert!(
        err.message.contains("no Parakey account"),
        "{}",
        err.message
    );
    s.hub.shutdown().await;
    parakey.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_keeps_checking_and_a_muted_door_is_counted_not_toasted() {
    let parakey = fake("tok", "Loft").await;
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    s.hub.set_token(&"tok".into()).await.unwrap();
    watching(&s.hub).await;
    parakey
        .control()
        .inject(EventSpec::default().id("a1").door("d-front", "Front door"));
    eventually("the first toast", || async {
        !s.toasts.0.lock().unwrap().is_empty()
    })
    .await;

    s.hub
        .mute_door("d-front", MuteRequest::OneHour)
        .await
        .unwrap();
    let doors = s.hub.doors().await.unwrap();
    assert!(doors[0].muted_until.is_some());
    parakey.control().inject(
        EventSpec::default()
            .id("a2")
            .door("d-front", "Front door")
            .user(None),
    );
    eventually("the muted unlock, kept and counted", || async {
        let doors = s.hub.doors().await.unwrap();
        doors[0].muted_count == 1
    })
    .await;
    let rows = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .rows;
    assert!(rows.iter().any(|r| r.id == "a2" && r.muted));
    assert_eq!(s.toasts.0.lock().unwrap().len(), 1, "no toast while muted");
    let tray = doorpost_core::tray::menu(&s.hub.tray().await);
    let mute = tray
        .entries
        .iter()
        .find_map(|e| match e {
            doorpost_core::tray::TrayEntry::Submenu { label, entries }
                if label == "Mute a door" =>
            {
                Some(entries.clone())
            }
            _ => None,
        })
        .unwrap();
    assert!(
        matches!(&mute[0], doorpost_core::tray::TrayEntry::Submenu { label, .. } if label.starts_with("Front door · muted until")),
        "{mute:?}"
    );

    s.hub
        .mute_door("d-front", MuteRequest::Unmute)
        .await
        .unwrap();

    // "Until tomorrow" ends at the same moment for a door's mute and for a pause.
    s.hub
        .mute_door("d-front", MuteRequest::UntilTomorrow)
        .await
        .unwrap();
    s.hub
        .pause(Some(PauseRequest::UntilTomorrow))
        .await
        .unwrap();
    let muted_until = s.hub.doors().await.unwrap()[0].muted_until;
    assert!(muted_until.is_some());
    assert_eq!(muted_until, s.hub.status().await.paused_until);
    s.hub
        .mute_door("d-front", MuteRequest::Unmute)
        .await
        .unwrap();
    s.hub.pause(None).await.unwrap();
    // A door a server calls `*` cannot pause everything.
    let err = s
        .hub
        .mute_door("*", MuteRequest::OneHour)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSettings);
    assert_ne!(s.hub.status().await.phase, PhaseView::Paused);
    s.hub.pause(Some(PauseRequest::Indefinitely)).await.unwrap();
    assert_eq!(s.hub.status().await.phase, PhaseView::Paused);
    parakey
        .control()
        .inject(EventSpec::default().id("a3").door("d-front", "Front door"));
    eventually("the unlock while paused", || async {
        s.hub
            .history(HistoryQueryView::default())
            .await
            .is_ok_and(|p| p.total == 3)
    })
    .await;
    assert_eq!(
        s.toasts.0.lock().unwrap().len(),
        1,
        "checking went on, toasts did not"
    );
    s.hub.pause(None).await.unwrap();
    assert_ne!(s.hub.status().await.phase, PhaseView::Paused);
    s.hub.shutdown().await;
    parakey.shutdown();
}

/// A history as a Doorpost from before places left it (schema 1, one row): its next open
/// runs every migration since.
fn written_before_places(db: &Path) {
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(include_str!("../store/migrations/001_initial.sql"))
        .unwrap();
    let raw = serde_json::json!({
        "id": "old-1", "createdAt": "2026-11-30T10:00:00.000Z",
        "door": {"id": "d1", "name": "Front door"},
        "domain": {"id": "dm", "name": "Old Loft"}
    });
    conn.execute(
        "INSERT INTO event_log (id, source, created_at, door_id, door_name, domain_id, \
         domain_name, raw, first_seen_at, notify_state) \
         VALUES ('old-1', 'legacy', 1764496800000, 'd1', 'Front door', 'dm', 'Old Loft', ?1, \
         1764496800000, 'suppressed')",
        [raw.to_string()],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO doors (id, name, last_unlock, events) VALUES ('d1', 'Front door', 1764496800000, 1);
         INSERT INTO names (kind, name, door_id, events) VALUES ('door', 'Front door', 'd1', 1);
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

/// A loopback listener that counts the connections it is offered: where the environment
/// points, and where no saved token may go.
async fn trap() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (url, seen)
}

fn legacy_entry(s: &Setup, name: &str, token: &str) {
    s.keychain.lock().unwrap().insert(
        name.to_string(),
        Arc::new(MemoryTokenStore::with_token(
            ApiToken::new(token).unwrap(),
            None,
        )),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_from_before_places_keeps_its_token_and_history() {
    let parakey = fake("tok", "Old Loft").await;
    // This run's environment points at a loopback listener: the old token, checked
    // against Parakey, must never go there.
    let (elsewhere, offered) = trap().await;
    let s = setup_apart(
        &elsewhere,
        &parakey.base_url(),
        "en_GB.UTF-8",
        TempDir::new().unwrap(),
        Arc::default(),
    );
    written_before_places(&s._dir.path().join("data").join(DB_FILE));

    legacy_entry(&s, TOKEN_ENTRY, "tok");
    s.hub.start(false).await.unwrap();
    let o = s.hub.overview().await;
    assert_eq!(o.mode, Mode::Account);
    assert_eq!(o.places[0].name, "Old Loft");
    assert_eq!(o.places[0].api_url, None, "bound to Parakey's own address");
    let rows = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(rows[0].place_id.as_deref(), Some(FIRST_PLACE));
    watching(&s.hub).await;
    {
        let keychain = s.keychain.lock().unwrap();
        let moved = keychain[&keychain_entry(&install_of(&s), FIRST_PLACE)]
            .get()
            .unwrap()
            .unwrap();
        assert_eq!(moved.token.expose(), "tok");
        assert_eq!(
            moved.origin,
            Some(BaseUrl::parse(&parakey.base_url()).unwrap().origin())
        );
        assert!(
            !keychain[TOKEN_ENTRY].is_set().unwrap(),
            "the old entry is read once, then gone"
        );
    }
    assert_eq!(
        offered.load(Ordering::SeqCst),
        0,
        "DOORPOST_API_URL saw nothing"
    );
    s.hub.shutdown().await;
    parakey.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scratch_data_directory_never_touches_another_installs_token() {
    let real_parakey = fake("tok-real", "Sea Loft").await;
    let scratch_parakey = fake("tok-scratch", "Test Cabin").await;
    let keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>> = Arc::default();
    let real = setup_apart(
        &real_parakey.base_url(),
        &real_parakey.base_url(),
        "en_GB.UTF-8",
        TempDir::new().unwrap(),
        Arc::clone(&keychain),
    );
    real.hub.start(false).await.unwrap();
    real.hub.set_token(&"tok-real".into()).await.unwrap();
    watching(&real.hub).await;
    real.hub.shutdown().await;
    // An entry an older Doorpost left: only the install that wrote it may take it.
    legacy_entry(&real, TOKEN_ENTRY, "tok-old");
    let snapshot = |k: &HashMap<String, Arc<MemoryTokenStore>>| {
        let mut v: Vec<(String, Option<String>)> = k
            .iter()
            .map(|(name, e)| {
                let token = e.get().unwrap().map(|s| s.token.expose().to_string());
                (name.clone(), token)
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot(&keychain.lock().unwrap());

    // A scratch directory, same user, same keychain, the same first place id.
    let scratch = setup_apart(
        &scratch_parakey.base_url(),
        &scratch_parakey.base_url(),
        "en_GB.UTF-8",
        TempDir::new().unwrap(),
        Arc::clone(&keychain),
    );
    scratch.hub.start(false).await.unwrap();
    let o = scratch.hub.overview().await;
    assert_eq!(
        o.mode,
        Mode::Unconfigured,
        "an empty database adopts nothing"
    );
    assert!(o.places.is_empty() && !o.token_set);
    assert_eq!(snapshot(&keychain.lock().unwrap()), before);

    scratch.hub.set_token(&"tok-scratch".into()).await.unwrap();
    assert_eq!(scratch.hub.overview().await.places[0].id, FIRST_PLACE);
    scratch.hub.clear_token().await.unwrap();
    scratch.hub.set_token(&"tok-scratch".into()).await.unwrap();
    scratch.hub.remove_place(FIRST_PLACE, true).await.unwrap();
    let after: Vec<_> = snapshot(&keychain.lock().unwrap())
        .into_iter()
        .filter(|(_, t)| t.is_some())
        .collect();
    let kept: Vec<_> = before.into_iter().filter(|(_, t)| t.is_some()).collect();
    assert_eq!(after, kept, "the real install's entries, untouched");
    scratch.hub.shutdown().await;

    // The real install still runs with its own token.
    let real = setup_apart(
        &real_parakey.base_url(),
        &real_parakey.base_url(),
        "en_GB.UTF-8",
        real._dir,
        Arc::clone(&keychain),
    );
    real.hub.start(false).await.unwrap();
    let o = real.hub.overview().await;
    assert!(o.places[0].token_set);
    assert!(o.places[0].status.last_error.is_none());
    real.hub.shutdown().await;
    real_parakey.shutdown();
    scratch_parakey.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_token_goes_only_where_it_was_checked() {
    let parakey = fake("tok", "Sea Loft").await;
    let keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>> = Arc::default();
    let first = setup_apart(
        &parakey.base_url(),
        &parakey.base_url(),
        "en_GB.UTF-8",
        TempDir::new().unwrap(),
        Arc::clone(&keychain),
    );
    first.hub.start(false).await.unwrap();
    first.hub.set_token(&"tok".into()).await.unwrap();
    first.hub.shutdown().await;

    // A later run whose environment names a loopback listener (left in a shell profile
    // after trying the simulator; any local user could hold that port).
    let (elsewhere, offered) = trap().await;
    let s = setup_apart(
        &elsewhere,
        &parakey.base_url(),
        "en_GB.UTF-8",
        first._dir,
        Arc::clone(&keychain),
    );
    s.hub.start(false).await.unwrap();
    watching(&s.hub).await;
    s.hub.refresh_now().await.ok();
    let requests = parakey.control().requests_since_reset();
    assert!(
        requests > 0,
        "the place is checked where its token was checked"
    );

    // Its address changed behind Doorpost's back (the history edited): the token, checked
    // elsewhere, is not handed out, and the place asks for it again.
    s.hub.shutdown().await;
    rusqlite::Connection::open(s._dir.path().join("data").join(DB_FILE))
        .unwrap()
        .execute("UPDATE places SET api_url = ?1", [&elsewhere])
        .unwrap();
    s.hub.start(false).await.unwrap();
    let o = s.hub.overview().await;
    assert!(
        !o.places[0].token_set,
        "a token checked elsewhere is no token here"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        offered.load(Ordering::SeqCst),
        0,
        "the listener saw no connection"
    );
    s.hub.shutdown().await;
    parakey.shutdown();
}

/// A place whose token cannot be read (the keychain locked) does not start; the host is
/// told once, after the grace period, in their language; once the keychain opens, "Check
/// now" starts the place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_is_told_once_and_check_now_starts_the_place_when_it_opens() {
    let parakey = fake("tok-loft", "Sea Loft").await;
    let base = parakey.base_url();
    let config = PollerConfig {
        cant_check_after: 300,
        ..PollerConfig::quick(200)
    };
    let s = setup_timed(
        &base,
        &base,
        "nb_NO.UTF-8",
        TempDir::new().unwrap(),
        Arc::default(),
        config,
    );
    s.hub.start(false).await.unwrap();
    s.hub.set_token(&"tok-loft".into()).await.unwrap();
    watching(&s.hub).await;
    let entry = keychain_entry(&install_of(&s), FIRST_PLACE);
    let locked = Arc::clone(s.keychain.lock().unwrap().get(&entry).unwrap());
    locked.fail_with(Some(KeychainError::Unavailable {
        message: "The keychain is locked.".into(),
    }));
    // The app starts again with the keychain locked.
    s.hub.start(false).await.unwrap();
    let alerts = |toasts: &Recorder| {
        toasts
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|t| matches!(t, Toast::Alert { .. }))
            .cloned()
            .collect::<Vec<_>>()
    };
    eventually("the 'can't check' notice", || async {
        !alerts(&s.toasts).is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let told = alerts(&s.toasts);
    assert_eq!(told.len(), 1, "once: {told:?}");
    assert!(
        told[0].title().starts_with("Doorpost får ikke sjekket "),
        "{}",
        told[0].title()
    );
    assert!(
        told[0].body().contains("nøkkelringen"),
        "{}",
        told[0].body()
    );
    assert!(s.hub.overview().await.places[0].status.last_error.is_some());

    locked.fail_with(None);
    s.hub.refresh_now().await.ok();
    eventually("the place running again", || async {
        let o = s.hub.overview().await;
        o.places[0].status.last_error.is_none()
            && o.places[0].status.phase != PhaseView::NotConfigured
    })
    .await;
}

/// Every signal sent so far, without waiting.
fn drained(signals: &mut broadcast::Receiver<Signal>) -> Vec<ChangedEvent> {
    let mut out = Vec::new();
    while let Ok(Signal::Changed(e)) = signals.try_recv() {
        out.push(e);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_checks_signal_only_their_times_and_an_unlock_only_the_history() {
    let parakey = fake("tok-loft", "Sea Loft").await;
    parakey
        .control()
        .inject(EventSpec::default().id("e1").door("d-front", "Front"));
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    let mut signals = s.hub.subscribe();
    s.hub.set_token(&"tok-loft".into()).await.unwrap();
    watching(&s.hub).await;
    // The first sync stored e1 at a door the window had not seen.
    eventually("the first sync's signal", || async {
        s.hub.status().await.events_total == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = drained(&mut signals);
    assert!(first.iter().any(|e| e.history && e.doors), "{first:?}");

    // Quick timings check every 200 ms: a few idle checks, nothing stored.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let idle = drained(&mut signals);
    assert!(
        idle.iter().any(|e| e.checks.is_some()),
        "checks were made and their times sent: {idle:?}"
    );
    for e in &idle {
        assert!(
            !e.history && !e.doors && !e.overview,
            "an idle check asks the window to refetch nothing: {e:?}"
        );
    }

    parakey
        .control()
        .inject(EventSpec::default().id("e2").door("d-front", "Front"));
    eventually("the new unlock", || async {
        s.hub.status().await.events_total == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = drained(&mut signals);
    let history: Vec<_> = after.iter().filter(|e| e.history).collect();
    assert_eq!(history.len(), 1, "one history refetch: {after:?}");
    assert_eq!(history[0].inserted, 1);
    assert!(
        after.iter().all(|e| !e.doors && !e.overview),
        "a known door, a status that moved only its times: {after:?}"
    );
    s.hub.shutdown().await;
}

/// An autostart entry in memory: whether it is there, and every change asked of it.
#[derive(Default)]
struct Entry {
    on: Mutex<bool>,
    sets: Mutex<Vec<bool>>,
}

impl super::Autostart for Entry {
    fn set(&self, on: bool) -> Result<(), String> {
        *self.on.lock().unwrap() = on;
        self.sets.lock().unwrap().push(on);
        Ok(())
    }

    fn is_on(&self) -> Option<bool> {
        Some(*self.on.lock().unwrap())
    }
}

#[tokio::test]
async fn the_setting_follows_an_autostart_entry_removed_outside_doorpost() {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    let entry = Arc::new(Entry::default());
    let config = PollerConfig::quick(200);
    let s = setup_full(
        &fake.base_url(),
        &fake.base_url(),
        "en_GB.UTF-8",
        TempDir::new().unwrap(),
        Arc::default(),
        config,
        Some(Arc::clone(&entry) as Arc<dyn super::Autostart>),
    );
    s.hub.start(false).await.unwrap();
    let on = SettingsPatch {
        autostart: Some(true),
        ..Default::default()
    };
    assert!(s.hub.save_settings(on.clone()).await.unwrap().autostart);
    assert_eq!(*entry.sets.lock().unwrap(), [true]);

    // The user removes the entry in the desktop's settings; Doorpost starts again.
    *entry.on.lock().unwrap() = false;
    s.hub.start(false).await.unwrap();
    assert!(
        !s.hub.settings().await.autostart,
        "the setting says what the desktop will do"
    );
    // Turning it on again writes the entry, though the stored setting once said on.
    assert!(s.hub.save_settings(on).await.unwrap().autostart);
    assert_eq!(*entry.sets.lock().unwrap(), [true, true]);
    assert!(*entry.on.lock().unwrap());
}

#[tokio::test]
async fn old_names_are_forgotten_at_start_though_no_place_runs() {
    let s = setup_with("http://127.0.0.1:9", "en");
    let db = s._dir.path().join("data").join(DB_FILE);
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let mut store = Store::open(&db).unwrap();
    let old = doorpost_core::event::parse_record(&serde_json::json!({
        "id": "old", "createdAt": Millis::DAY, "type": "unlock",
        "user": { "id": "u1", "name": "Olga Longago" },
    }))
    .unwrap();
    let commit = crate::store::Commit {
        source: "acct",
        place_id: None,
        day: crate::store::DayRule::default(),
        events: &[old],
        quarantined: &[],
        state_json: "{}",
        news_floor: None,
        log: None,
        earlier_new: 0,
        seen_at: Millis(Millis::DAY),
    };
    store
        .commit(&commit, |new| {
            vec![doorpost_core::policy::NotifyDecision::Suppressed; new.len()]
        })
        .unwrap();
    let named = |store: &Store| {
        let q = HistoryQuery {
            text: Some("Olga".into()),
            ..HistoryQuery::default()
        };
        store.count(&q).unwrap()
    };
    assert_eq!(named(&store), 1);

    s.hub.start(false).await.unwrap();
    assert_eq!(
        s.hub.overview().await.mode,
        Mode::Unconfigured,
        "no place runs"
    );
    eventually("the sweep at start", || async { named(&store) == 0 }).await;
}

#[test]
fn an_export_of_a_hundred_thousand_long_named_rows_is_complete_and_in_order() {
    const ROWS: usize = 100_000;
    let dir = TempDir::new().unwrap();
    let mut store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let name = |i: usize| format!("Guest {i:06} {}", "x".repeat(180));
    let events: Vec<_> = (0..ROWS)
        .map(|i| {
            doorpost_core::event::parse_record(&serde_json::json!({
                "id": format!("e{i:06}"), "createdAt": (i as i64 + 1) * 1_000, "type": "unlock",
                "device": { "id": "d1", "name": "Front door" },
                "user": { "id": format!("u{i}"), "name": name(i) },
            }))
            .unwrap()
        })
        .collect();
    let commit = crate::store::Commit {
        source: "acct",
        place_id: None,
        day: crate::store::DayRule::default(),
        events: &events,
        quarantined: &[],
        state_json: "{}",
        news_floor: Some(Millis(i64::MAX)),
        log: None,
        earlier_new: 0,
        seen_at: Millis(0),
    };
    store
        .commit(&commit, |new| {
            vec![doorpost_core::policy::NotifyDecision::Suppressed; new.len()]
        })
        .unwrap();
    drop(events);

    let out = dir.path().join("Downloads");
    std::fs::create_dir(&out).unwrap();
    let settings = doorpost_core::settings::Settings::default();
    let path =
        export_csv_file(&store, &HistoryQuery::default(), &settings, &[], &out, "t").unwrap();
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(files.len(), 1, "only the finished export: {files:?}");

    let csv = std::fs::read_to_string(&path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(views::CSV_HEADER));
    let mut n = 0;
    for (i, line) in lines.enumerate() {
        let row = ROWS - 1 - i;
        assert!(
            line.starts_with(&format!("\"e{row:06}\",")) && line.contains(&name(row)),
            "line {i} is not row {row}, newest first: {line}"
        );
        n += 1;
    }
    assert_eq!(n, ROWS, "every row, once");
    assert!(csv.ends_with('\n'), "the last line is whole");
}

/// The keychain entry `name` of a setup, made if it was not (so it can be made to fail
/// before Doorpost first opens it).
fn entry(s: &Setup, name: &str) -> Arc<MemoryTokenStore> {
    Arc::clone(
        s.keychain
            .lock()
            .unwrap()
            .entry(keychain_entry(&install_of(s), name))
            .or_insert_with(|| Arc::new(MemoryTokenStore::new())),
    )
}

fn unavailable() -> Option<KeychainError> {
    Some(KeychainError::Unavailable {
        message: "no Secret Service".into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_whose_token_cannot_be_saved_is_not_added() {
    let parakey = fake("tok-loft", "Sea Loft").await;
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    // The id a first place is given: its keychain entry refuses the token.
    entry(&s, FIRST_PLACE).fail_with(unavailable());

    let err = s
        .hub
        .add_place(NewPlace {
            name: "Loft".into(),
            token: "tok-loft".into(),
            api_url: None,
        })
        .await
        .unwrap_err();

    assert_eq!(err.code, ErrorCode::KeychainUnavailable);
    assert!(s.hub.overview().await.places.is_empty());
    let store = Store::open(&s._dir.path().join("data").join(DB_FILE)).unwrap();
    assert!(store.places().unwrap().is_empty(), "no row without a token");

    // Tried again, the place is added whole, under an id of its own.
    let added = s
        .hub
        .add_place(NewPlace {
            name: "Loft".into(),
            token: "tok-loft".into(),
            api_url: None,
        })
        .await
        .unwrap();
    assert!(added.token_set);
    assert_ne!(
        added.id, FIRST_PLACE,
        "an id once given out is not given again"
    );
    assert!(entry(&s, &added.id).is_set().unwrap());
    s.hub.shutdown().await;
    parakey.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_place_never_takes_a_removed_places_id_or_history() {
    let loft = fake("tok-loft", "Sea Loft").await;
    let cabin = fake("tok-cabin", "Cabin").await;
    let s = setup_with(&loft.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    loft.control().inject(
        EventSpec::default()
            .id("loft-1")
            .door("d-front", "Front door"),
    );
    let first = s
        .hub
        .add_place(NewPlace {
            name: "Loft".into(),
            token: "tok-loft".into(),
            api_url: None,
        })
        .await
        .unwrap();
    let history = |ids: Vec<String>| HistoryQueryView {
        place_ids: Some(ids),
        ..HistoryQueryView::default()
    };
    eventually("the loft's history", || async {
        let h = s.hub.history(history(vec![first.id.clone()])).await;
        h.is_ok_and(|h| h.total == 1)
    })
    .await;

    // Removed with its history kept; the next place starts with nothing.
    s.hub.remove_place(&first.id, false).await.unwrap();
    let added = s
        .hub
        .add_place(NewPlace {
            name: "Cabin".into(),
            token: "tok-cabin".into(),
            api_url: Some(cabin.base_url()),
        })
        .await
        .unwrap();

    assert_ne!(
        added.id, first.id,
        "a removed place's id is not given again"
    );
    let h = s
        .hub
        .history(history(vec![added.id.clone()]))
        .await
        .unwrap();
    assert_eq!(h.total, 0, "the new place inherits no history");
    assert_eq!(
        s.hub
            .history(HistoryQueryView::default())
            .await
            .unwrap()
            .total,
        1,
        "the removed place's kept history is still there"
    );
    assert!(
        !entry(&s, &first.id).is_set().unwrap(),
        "its token went with it"
    );
    s.hub.shutdown().await;
    loft.shutdown();
    cabin.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_place_whose_token_cannot_be_deleted_is_gone_and_its_token_cleared_at_next_start()
{
    let parakey = fake("tok-loft", "Sea Loft").await;
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    let added = s
        .hub
        .add_place(NewPlace {
            name: "Loft".into(),
            token: "tok-loft".into(),
            api_url: None,
        })
        .await
        .unwrap();
    let token = entry(&s, &added.id);
    token.fail_with(unavailable());

    s.hub.remove_place(&added.id, true).await.unwrap();

    assert!(
        s.hub.overview().await.places.is_empty(),
        "the place is gone"
    );
    token.fail_with(None);
    assert!(token.is_set().unwrap(), "the keychain refused to delete it");

    // The next start deletes it.
    s.hub.switch(Mode::Account).await.unwrap();
    assert!(!token.is_set().unwrap());
    let store = Store::open(&s._dir.path().join("data").join(DB_FILE)).unwrap();
    assert!(store.tokens_to_clear().unwrap().is_empty());
    s.hub.shutdown().await;
    parakey.shutdown();
}

/// Every entry of a tray menu, submenus' entries included.
fn tray_entries(entries: &[doorpost_core::tray::TrayEntry]) -> usize {
    use doorpost_core::tray::TrayEntry;
    entries
        .iter()
        .map(|e| match e {
            TrayEntry::Submenu { entries, .. } => 1 + tray_entries(entries),
            _ => 1,
        })
        .sum()
}

/// A hostile server (issue 14): 20,000 distinct doors, and door and user names of 1 MiB.
/// After the first sync every stored name is cut, the tray holds a fixed number of items
/// whatever the account holds, and a history page, a door's page and a name search answer
/// correctly. (How fast they answer is `benches/doors.rs`'s to say, not a test's.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_doors_and_megabyte_names_leave_a_bounded_tray() {
    use doorpost_core::event::MAX_NAME_CHARS;
    use doorpost_core::tray::{RECENT_ONE_PLACE, TRAY_DOORS, TrayAction, TrayEntry};
    use doorpost_sim::UserSpec;

    const DOORS: usize = 20_000;
    const MIB: usize = 1024 * 1024;
    // Every 5,000th door and user is named with 1 MiB; any page of 500 holds at most one
    // of each, so no page passes the client's 4 MiB bound and the names reach the reader.
    let huge_door = |i: usize| i % 5_000 == 1;
    let huge_user = |i: usize| i % 5_000 == 2;
    let door_name = |i: usize| {
        if huge_door(i) {
            format!("Door {i:05} {}", "D".repeat(MIB))
        } else {
            format!("Door {i:05}")
        }
    };
    let first_name = |i: usize| {
        if huge_user(i) {
            format!("Guest{i:05} {}", "U".repeat(MIB))
        } else {
            format!("Guest{i:05}")
        }
    };

    let parakey = fake("tok", "Loft").await;
    let now = parakey.control().now();
    // One unlock per door, a second apart, oldest first, ending a minute ago.
    parakey.control().inject_many((0..DOORS).map(|i| {
        let at = Millis(now.0 - Millis::MINUTE - (DOORS - i) as i64 * Millis::SECOND);
        EventSpec::at(at)
            .id(&format!("e{i:05}"))
            .door(&format!("d{i:05}"), &door_name(i))
            .user(Some(UserSpec::new(
                &format!("u{i:05}"),
                &first_name(i),
                "Berg",
                "guest@example.com",
            )))
    }));
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    s.hub.set_token(&"tok".into()).await.unwrap();
    watching(&s.hub).await;
    eventually("every unlock stored", || async {
        s.hub
            .history(HistoryQueryView::default())
            .await
            .is_ok_and(|p| p.total == DOORS as u32)
    })
    .await;

    // The names as stored, read with SQL: cut to 200 characters, the long ones still told
    // apart by their start.
    let db = rusqlite::Connection::open(s._dir.path().join("data").join(DB_FILE)).unwrap();
    let one = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT COUNT(*) FROM doors"), DOORS as i64);
    for sql in [
        "SELECT MAX(length(name)) FROM doors",
        "SELECT MAX(length(door_name)) FROM event_log",
        "SELECT MAX(length(user_name)) FROM event_log",
        "SELECT MAX(length(name)) FROM names",
        "SELECT MAX(length(id)) FROM doors",
    ] {
        let longest = one(sql);
        assert!(longest <= MAX_NAME_CHARS as i64, "{sql}: {longest}");
    }
    assert_eq!(
        one("SELECT COUNT(*) FROM doors WHERE length(name) = 200 AND name LIKE 'Door %DDD…'"),
        (DOORS / 5_000) as i64,
        "each 1 MiB door name is kept, cut"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM event_log WHERE length(user_name) = 200"),
        (DOORS / 5_000) as i64,
        "each 1 MiB user name is kept, cut"
    );

    // The tray: the newest unlocks, the most recently active doors and "More in
    // Doorpost…", whatever the account holds.
    let snapshot = s.hub.tray().await;
    let read = snapshot.places[0].doors.len();
    assert_eq!(
        read,
        TRAY_DOORS + 1,
        "the tray reads the doors it shows and one more"
    );
    let menu = doorpost_core::tray::menu(&snapshot);
    let mute = menu
        .entries
        .iter()
        .find_map(|e| match e {
            TrayEntry::Submenu { label, entries } if label == "Mute a door" => Some(entries),
            _ => None,
        })
        .expect("a mute submenu");
    let shown: Vec<&str> = mute
        .iter()
        .filter_map(|e| match e {
            TrayEntry::Submenu { label, .. } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    // The most recently active, listed by name as in the window.
    let newest: Vec<String> = (DOORS - TRAY_DOORS..DOORS).map(door_name).collect();
    assert_eq!(shown, newest, "the {TRAY_DOORS} most recently active doors");
    assert_eq!(mute.len(), TRAY_DOORS + 2, "the doors, a separator, More");
    assert!(matches!(
        mute.last(),
        Some(TrayEntry::Item { label, action: Some(TrayAction::OpenWindow) })
            if label.starts_with("More in Doorpost")
    ));
    let recent: Vec<&TrayAction> = menu
        .entries
        .iter()
        .filter_map(|e| match e {
            TrayEntry::Item {
                action: Some(a @ TrayAction::OpenEvent(_)),
                ..
            } => Some(a),
            _ => None,
        })
        .collect();
    let expected: Vec<TrayAction> = (DOORS - RECENT_ONE_PLACE..DOORS)
        .rev()
        .map(|i| TrayAction::OpenEvent(format!("e{i:05}")))
        .collect();
    assert_eq!(recent, expected.iter().collect::<Vec<_>>());
    // The status, the recent unlocks, Pause (and its 3), Mute (the doors, each with 1 hour
    // and until tomorrow, a separator, More), Check now, Open, Settings, Quit and 3
    // separators: a bound set by the menu's constants, not by the 20,000 doors.
    let bound = 1 + RECENT_ONE_PLACE + 4 + (1 + TRAY_DOORS * 3 + 2) + 4 + 3;
    let items = tray_entries(&menu.entries);
    assert!(items <= bound, "{items} tray items, more than {bound}");

    // A history page, one door's page, and a name search.
    let page = s
        .hub
        .history(HistoryQueryView {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<String> = page.rows.iter().map(|r| r.id.clone()).collect();
    let expected: Vec<String> = (DOORS - 100..DOORS)
        .rev()
        .map(|i| format!("e{i:05}"))
        .collect();
    assert_eq!(ids, expected, "the newest 100, newest first");
    let door = s
        .hub
        .history(HistoryQueryView {
            door_ids: vec!["d05001".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(door.total, 1);
    assert_eq!(door.rows[0].id, "e05001");
    assert_eq!(door.rows[0].door.chars().count(), MAX_NAME_CHARS);
    assert!(door.rows[0].door.starts_with("Door 05001 DDD"));
    for (text, id) in [
        ("guest12345", "e12345"),
        ("Guest10002 UUU", "e10002"),
        ("door 07777", "e07777"),
    ] {
        let found = s
            .hub
            .history(HistoryQueryView {
                text: Some(text.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let ids: Vec<&str> = found.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [id], "search {text:?}");
    }
    // A broad search matching many doors' names: each long-named door once.
    let broad = s
        .hub
        .history(HistoryQueryView {
            text: Some("dddd".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut ids: Vec<&str> = broad.rows.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["e00001", "e05001", "e10001", "e15001"]);
    assert_eq!(broad.total, 4);
    let none = s
        .hub
        .history(HistoryQueryView {
            text: Some("U".repeat(MIB)),
            ..Default::default()
        })
        .await;
    assert!(
        none.is_ok_and(|p| p.total == 0),
        "a 1 MiB search matches nothing stored"
    );
    s.hub.shutdown().await;
    parakey.shutdown();
}

/// Staff (issue 16): marked at every place, shown on History's rows, and a change
/// refetches the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_are_kept_shown_on_history_rows_and_refetch_it() {
    use doorpost_core::ipc::{StaffKind, StaffRef};
    let parakey = fake("tok-loft", "Loft").await;
    parakey.control().inject(EventSpec::default().id("e1"));
    let s = setup_with(&parakey.base_url(), "en_GB.UTF-8");
    s.hub.start(false).await.unwrap();
    s.hub.set_token(&"tok-loft".into()).await.unwrap();
    eventually("the unlock stored", || async {
        s.hub
            .history(HistoryQueryView::default())
            .await
            .unwrap()
            .total
            > 0
    })
    .await;
    let rows = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .rows;
    let person = rows[0].staff_ref.clone().expect("the row names its person");
    assert_eq!(person.kind, StaffKind::User, "Parakey's user id first");
    assert!(!rows[0].is_staff);

    let mut signals = s.hub.subscribe();
    s.hub.add_staff(person.clone()).await.unwrap();
    s.hub.add_staff(person.clone()).await.unwrap();
    assert_eq!(
        s.hub.staff().await.unwrap(),
        std::slice::from_ref(&person),
        "once"
    );
    let mut refetch = false;
    while let Ok(Signal::Changed(e)) = signals.try_recv() {
        refetch |= e.history;
    }
    assert!(refetch, "the history is refetched");
    let rows = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .rows;
    assert!(rows[0].is_staff);

    let blank = StaffRef {
        kind: StaffKind::Name,
        value: "  ".into(),
    };
    let e = s.hub.add_staff(blank).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    assert_eq!(e.message, "Give a name or an id of 1 to 200 characters.");
    s.hub.remove_staff(person).await.unwrap();
    assert!(s.hub.staff().await.unwrap().is_empty());
    let rows = s
        .hub
        .history(HistoryQueryView::default())
        .await
        .unwrap()
        .rows;
    assert!(!rows[0].is_staff);
    s.hub.shutdown().await;
    parakey.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doorpost_token_never_takes_a_removed_places_id_or_its_history() {
    let parakey = fake("tok-loft", "Sea Loft").await;
    let base = parakey.base_url();
    let dir = TempDir::new().unwrap();
    let keychain: Arc<Mutex<HashMap<String, Arc<MemoryTokenStore>>>> = Arc::default();
    let first = setup_apart(&base, &base, "en_GB.UTF-8", dir, Arc::clone(&keychain));
    first.hub.start(false).await.unwrap();
    first.hub.set_token(&"tok-loft".into()).await.unwrap();
    watching(&first.hub).await;
    parakey.inject(doorpost_sim::EventSpec::at(parakey.now()));
    first.hub.refresh_now().await.unwrap();
    eventually("the unlock stored", || async {
        first.hub.overview().await.status.events_total == 1
    })
    .await;
    // Removed with its history kept: `main` is used up.
    first.hub.remove_place(FIRST_PLACE, false).await.unwrap();
    first.hub.shutdown().await;

    let env = setup_env(
        &base,
        &base,
        "en_GB.UTF-8",
        first._dir,
        keychain,
        PollerConfig::quick(200),
        None,
        Some(ApiToken::new("tok-loft").unwrap()),
    );
    env.hub.start(false).await.unwrap();
    watching(&env.hub).await;
    let o = env.hub.overview().await;
    assert_eq!(o.places.len(), 1);
    assert_ne!(
        o.places[0].id, FIRST_PLACE,
        "a removed place's id is not given again"
    );
    assert!(
        o.places[0].status.last_error.is_none(),
        "DOORPOST_TOKEN polls it"
    );
    let h = env
        .hub
        .history(HistoryQueryView {
            place_ids: Some(vec![o.places[0].id.clone()]),
            ..HistoryQueryView::default()
        })
        .await
        .unwrap();
    assert_eq!(h.total, 0, "the removed place's kept history stays its own");
    env.hub.shutdown().await;
    parakey.shutdown();
}
