//! The hub: every place's engine, the demo, and everything the window, the tray and the
//! control socket ask of them. It knows nothing of Tauri; the shell's commands are one-line
//! adapters over it, and it is unit-tested with a fake Parakey, an in-memory keychain and
//! a silent notifier.
//!
//! Sessions: *unconfigured* (no place has a token: the first-run screen), *account* (one
//! engine per place, each with its own token, poller, state and store connection), or
//! *demo* (one simulated place in its own data directory). Every switch stops the running
//! engines cleanly before the next start: one poller per place, always. A place whose
//! token is missing or whose keychain fails shows that, and the others go on.
//!
//! Places start staggered (a few seconds apart) so their checks do not go out together.
//! Settings are the user's (one set for every place), but a place may choose its own
//! notification mode. Pausing notifications is a mute of every door (`'*'`): checking goes
//! on, so the history stays complete, and the unlocks it holds back are counted.
//!
//! The hub emits [`Signal`]s: the shell turns them into the window's refetch and the
//! tray's redraw.

mod blocked;
mod places;
mod reads;
pub mod views;

pub use places::PlaceBook;
pub use reads::{each_row, render_csv};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doorpost_core::i18n::{self, Locale, Msg, SystemLocale};
use doorpost_core::ipc::{AppError, ErrorCode, Mode, MuteRequest, PauseRequest, TokenCheck};
use doorpost_core::policy::Toast;
use doorpost_core::poller::{AuthStyle, Outcome, PollerConfig, Query, RefreshRefused, Request};
use doorpost_core::settings::{Language, Settings, SettingsPatch};
use doorpost_core::time::Millis;
use doorpost_core::tray::UNTIL_TOMORROW;
use tokio::sync::broadcast;

use crate::driver::{self, EngineHandle, EngineOptions, PlaceContext};
use crate::http::{ApiToken, BaseUrl, ParakeyClient, Timeouts, wall_now};
use crate::keychain::TokenStore;
use crate::notifier::Notifier;
use crate::store::{ALL_DOORS, PlaceRow, Store};
use doorpost_sim::{self as fake, FakeConfig, FakeControl};

/// The history database's file name, in the data directory.
pub const DB_FILE: &str = "doorpost.sqlite3";
/// The first place's id: it takes the token Doorpost kept before places existed.
pub const FIRST_PLACE: &str = "main";
const DEMO_PLACE: &str = "demo";
const DEMO_TOKEN: &str = "demo-token";
/// The keychain entries' prefix; before install ids, the first place's whole name.
pub const TOKEN_ENTRY: &str = "parakey-token";
/// How far apart places start.
const STAGGER: Duration = Duration::from_secs(7);

/// A place's keychain entry in the install `install` ([`Store::install_id`]): no other
/// data directory names it.
pub fn keychain_entry(install: &str, place_id: &str) -> String {
    format!("{TOKEN_ENTRY}:{install}:{place_id}")
}

/// A place's keychain entry as a Doorpost from before install ids named it: read once, to
/// upgrade the install that wrote it.
pub fn legacy_keychain_entry(place_id: &str) -> String {
    if place_id == FIRST_PLACE {
        TOKEN_ENTRY.to_string()
    } else {
        format!("{TOKEN_ENTRY}:{place_id}")
    }
}

/// Opens the keychain entry of a name ([`keychain_entry`]).
pub type Keychains = Arc<dyn Fn(&str) -> Arc<dyn TokenStore> + Send + Sync>;
/// Turns starting with the session on or off (the shell's autostart entry).
pub type Autostart = Arc<dyn Fn(bool) -> Result<(), String> + Send + Sync>;

pub struct HubOptions {
    /// The account's data directory (the history is [`DB_FILE`] in it).
    pub data_dir: PathBuf,
    /// The demo's, apart so demo data never mixes with a real history.
    pub demo_dir: PathBuf,
    pub keychains: Keychains,
    /// `DOORPOST_TOKEN`: the first place's token for this process only, never stored.
    pub env_token: Option<ApiToken>,
    /// `DOORPOST_API_URL`, else Parakey's: where a place being added is checked, and
    /// where `DOORPOST_TOKEN` goes. Never where a stored token goes.
    pub default_base: BaseUrl,
    /// Parakey's own address ([`crate::http::DEFAULT_BASE_URL`]; tests: a fake's): where
    /// a stored place without an address of its own is.
    pub parakey_base: BaseUrl,
    pub notifier: Arc<dyn Notifier>,
    /// Replaces the settings' timings (tests poll every half second).
    pub poller_config: Option<PollerConfig>,
    pub system_locale: SystemLocale,
    /// `None`: the system's.
    pub utc_offset_secs: Option<i32>,
    pub autostart: Option<Autostart>,
}

/// What changed, for the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Refetch and redraw; `inserted` unlocks are new.
    Changed { inserted: u32 },
}

/// One place of the running session.
struct Running {
    row: PlaceRow,
    engine: Option<EngineHandle>,
    token_set: bool,
    /// Why it is not running (a keychain failure), in the user's language.
    problem: Option<String>,
    /// Since when it could not start, for the "can't check" notice.
    blocked: blocked::Blocked,
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    reader: Option<Arc<Mutex<Store>>>,
    places: Vec<Running>,
    /// The demo's simulated Parakey: in-process, it opens no port.
    demo: Option<FakeControl>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The settings the engines and the notifier run with.
    applied: Option<Settings>,
}

pub struct Hub {
    opts: HubOptions,
    state: tokio::sync::Mutex<State>,
    signals: broadcast::Sender<Signal>,
    /// Unlocks announced since the window was last opened (the tray's "new" icon).
    unseen: AtomicU32,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

impl Hub {
    pub fn new(opts: HubOptions) -> Arc<Hub> {
        Arc::new(Hub {
            opts,
            state: tokio::sync::Mutex::new(State::default()),
            signals: broadcast::channel(64).0,
            unseen: AtomicU32::new(0),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.signals.subscribe()
    }

    fn changed(&self, inserted: u32) {
        let _ = self.signals.send(Signal::Changed { inserted });
    }

    /// The window was opened: the news has been seen.
    pub fn seen(&self) {
        self.unseen.store(0, Ordering::Relaxed);
    }

    pub fn unseen(&self) -> u32 {
        self.unseen.load(Ordering::Relaxed)
    }

    fn utc_offset(&self) -> i32 {
        self.opts
            .utc_offset_secs
            .unwrap_or_else(|| chrono::Local::now().offset().local_minus_utc())
    }

    fn locale_for(&self, settings: &Settings) -> Locale {
        i18n::resolve(
            settings.language,
            &self.opts.system_locale,
            self.utc_offset(),
        )
    }

    /// The user's language now (the setting, else the system's).
    pub async fn language(&self) -> Language {
        self.locale_for(&self.settings().await).lang
    }

    fn error(&self, lang: Language, code: ErrorCode, msg: Msg, args: &[(&str, &str)]) -> AppError {
        AppError::new(code, i18n::t(lang, msg, args))
    }

    /// The settings of the session shown (defaults before one starts).
    pub async fn settings(&self) -> Settings {
        let state = self.state.lock().await;
        read_settings(&state)
    }

    /// Starts the session the user left: the demo when asked, else the places.
    pub async fn start(self: &Arc<Self>, demo: bool) -> Result<(), AppError> {
        self.switch(if demo { Mode::Demo } else { Mode::Account })
            .await
    }

    /// Stops every engine, then starts `mode` (`Account` is `Unconfigured` without places).
    pub async fn switch(self: &Arc<Self>, mode: Mode) -> Result<(), AppError> {
        let mut state = self.state.lock().await;
        stop(&mut state).await;
        let started = match mode {
            Mode::Demo => self.start_demo(&mut state).await,
            Mode::Account | Mode::Unconfigured => self.start_places(&mut state).await,
        };
        if let Err(e) = started {
            stop(&mut state).await;
            return Err(e);
        }
        let settings = read_settings(&state);
        self.opts.notifier.set_sound(settings.sound);
        self.opts
            .notifier
            .set_language(self.locale_for(&settings).lang);
        state.applied = Some(settings);
        drop(state);
        self.changed(0);
        Ok(())
    }

    /// Stops every engine (a commit in progress completes).
    pub async fn shutdown(&self) {
        stop(&mut *self.state.lock().await).await;
    }

    fn open_store(dir: &Path) -> Result<Store, AppError> {
        // Readable by the user only: guests' names are in it.
        crate::private_files::private_dir(dir).map_err(|e| {
            internal(format!(
                "Doorpost cannot create its data folder {}: {e}",
                dir.display()
            ))
        })?;
        Store::open(&dir.join(DB_FILE)).map_err(internal)
    }

    async fn start_places(self: &Arc<Self>, state: &mut State) -> Result<(), AppError> {
        let mut store = self.account_store()?;
        self.adopt_first_place(&mut store)?;
        let rows = store.places().map_err(internal)?;
        let settings = store.load_settings().unwrap_or_default();
        state.reader = Some(Arc::new(Mutex::new(store)));
        state.mode = Some(if rows.is_empty() {
            Mode::Unconfigured
        } else {
            Mode::Account
        });
        let several = rows.len() > 1;
        for (i, row) in rows.into_iter().enumerate() {
            let running = self
                .run_place(row, &settings, several, STAGGER * i as u32)
                .await;
            state.places.push(running);
        }
        for r in &state.places {
            if let Some(engine) = &r.engine {
                state.tasks.push(self.forward(engine));
            }
        }
        self.watch_blocked(state);
        Ok(())
    }

    /// `DOORPOST_TOKEN` without a place gets the first place, with the history already
    /// there. (A keychain token of an install from before places is adopted by
    /// [`PlaceBook::store`], once; an empty database adopts nothing from the keychain.)
    fn adopt_first_place(&self, store: &mut Store) -> Result<(), AppError> {
        if !store.places().map_err(internal)?.is_empty() || self.opts.env_token.is_none() {
            return Ok(());
        }
        let name = store
            .domain_names(1)
            .ok()
            .and_then(|n| n.into_iter().next())
            .unwrap_or_else(|| "Parakey".to_string());
        let row = PlaceRow {
            id: FIRST_PLACE.into(),
            name,
            api_url: None,
            notify_mode: None,
        };
        store.add_place(&row, wall_now()).map_err(internal)?;
        store.adopt_unplaced(FIRST_PLACE).map_err(internal)?;
        Ok(())
    }

    /// Starts one place's engine when its token can be read.
    async fn run_place(
        self: &Arc<Self>,
        row: PlaceRow,
        settings: &Settings,
        several: bool,
        delay: Duration,
    ) -> Running {
        let lang = self.locale_for(settings).lang;
        let token = self.token_of(&row, lang);
        let mut running = Running {
            row,
            engine: None,
            token_set: false,
            problem: None,
            blocked: blocked::Blocked::default(),
        };
        let (token, base) = match token {
            Ok(Some(t)) => t,
            Ok(None) => return running,
            Err(e) => {
                running.problem = Some(e.message);
                return running;
            }
        };
        running.token_set = true;
        let label = several.then(|| running.row.name.clone());
        let place = self.place_context(&running.row, label, settings);
        let started = self
            .start_engine(
                base,
                token,
                place,
                self.opts.poller_config.clone(),
                delay,
                None,
            )
            .await;
        match started {
            Ok(engine) => running.engine = Some(engine),
            Err(e) => running.problem = Some(e.message),
        }
        running
    }

    /// A place's token and where it may go: `DOORPOST_TOKEN` (the first place's, for this
    /// process) to `DOORPOST_API_URL`; a saved token only to the address it was checked
    /// against.
    fn token_of(
        &self,
        row: &PlaceRow,
        lang: Language,
    ) -> Result<Option<(ApiToken, BaseUrl)>, AppError> {
        if row.id == FIRST_PLACE
            && let Some(t) = &self.opts.env_token
        {
            return Ok(Some((t.clone(), self.opts.default_base.clone())));
        }
        let book = self.book(lang);
        let install = book.store()?.install_id().map_err(internal)?;
        book.token(&install, row).inspect_err(|e| {
            tracing::warn!("keychain: {}", e.message);
        })
    }

    fn place_context(&self, row: &PlaceRow, label: Option<String>, s: &Settings) -> PlaceContext {
        let locale = self.locale_for(s);
        PlaceContext {
            id: Some(row.id.clone()),
            label,
            name: Some(row.name.clone()),
            notify_mode: row.notify_mode,
            language: locale.lang,
            twelve_hour: locale.twelve_hour,
        }
    }

    async fn start_engine(
        &self,
        base: BaseUrl,
        token: ApiToken,
        place: PlaceContext,
        poller_config: Option<PollerConfig>,
        start_delay: Duration,
        simulator: Option<FakeControl>,
    ) -> Result<EngineHandle, AppError> {
        let dir = if place.id.as_deref() == Some(DEMO_PLACE) {
            &self.opts.demo_dir
        } else {
            &self.opts.data_dir
        };
        driver::start(EngineOptions {
            store_path: dir.join(DB_FILE),
            base,
            token,
            notifier: Arc::clone(&self.opts.notifier),
            poller_config,
            seed: wall_now().0 as u64,
            timeouts: Timeouts::default(),
            utc_offset_secs: self.opts.utc_offset_secs,
            place,
            start_delay,
            simulator: simulator.map(|fake| Arc::new(fake) as Arc<dyn crate::exchange::Exchange>),
        })
        .await
        .map_err(internal)
    }

    async fn start_demo(self: &Arc<Self>, state: &mut State) -> Result<(), AppError> {
        // The demo starts fresh each time: its history is generated around today.
        let _ = std::fs::remove_dir_all(&self.opts.demo_dir);
        let mut store = Self::open_store(&self.opts.demo_dir)?;
        let fake = FakeControl::in_process(FakeConfig {
            token: DEMO_TOKEN.into(),
            max_limit: Some(100),
            ..FakeConfig::default()
        });
        let scenario = fake::demo::DemoScenario::harbour_loft();
        let seed = wall_now().0 as u64;
        scenario.seed_history(&fake, seed);
        let row = PlaceRow {
            id: DEMO_PLACE.into(),
            name: scenario.place.name.clone(),
            api_url: None,
            notify_mode: None,
        };
        store.add_place(&row, wall_now()).map_err(internal)?;
        let settings = store.load_settings().unwrap_or_default();
        let base = BaseUrl::parse(fake::IN_PROCESS_URL).map_err(internal)?;
        let token = ApiToken::new(DEMO_TOKEN).map_err(internal)?;
        // The demo checks every minute (the shortest setting) so a new user sees a
        // notification soon; the simulated place has an unlock every ~45 s on average.
        let config = self.opts.poller_config.clone().unwrap_or(PollerConfig {
            interval: Millis::MINUTE,
            ..PollerConfig::from_settings(&settings)
        });
        let lang = self.locale_for(&settings).lang;
        let label = Some(i18n::t(lang, Msg::Demo, &[]));
        let place = self.place_context(&row, label, &settings);
        let engine = self
            .start_engine(
                base,
                token,
                place,
                Some(config),
                Duration::ZERO,
                Some(fake.clone()),
            )
            .await?;
        state.tasks.push(tokio::spawn(fake::demo::run_live(
            fake.clone(),
            seed,
            Duration::from_secs(45),
        )));
        state.tasks.push(self.forward(&engine));
        state.places.push(Running {
            row,
            engine: Some(engine),
            token_set: true,
            problem: None,
            blocked: blocked::Blocked::default(),
        });
        state.reader = Some(Arc::new(Mutex::new(store)));
        state.demo = Some(fake);
        state.mode = Some(Mode::Demo);
        Ok(())
    }

    /// Forwards an engine's syncs and status changes as signals. The pages of a long sync
    /// are signalled as they land, but at most once a second: a first load of a thousand
    /// pages must not make the window refetch a thousand times.
    fn forward(self: &Arc<Self>, engine: &EngineHandle) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        let mut reports = engine.subscribe();
        let mut status = engine.status();
        tokio::spawn(async move {
            let mut last_partial = std::time::Instant::now() - Duration::from_secs(1);
            loop {
                tokio::select! {
                    r = reports.recv() => match r {
                        Ok(r) => {
                            me.unseen.fetch_add(r.toasts as u32, Ordering::Relaxed);
                            if r.finished || last_partial.elapsed() >= Duration::from_secs(1) {
                                last_partial = std::time::Instant::now();
                                me.changed(r.inserted as u32);
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => me.changed(0),
                        Err(_) => break,
                    },
                    c = status.changed() => {
                        if c.is_err() { break; }
                        me.changed(0);
                    }
                }
            }
        })
    }

    /// Checks every place now. Fine when at least one starts; else why none did.
    pub async fn refresh_now(self: &Arc<Self>) -> Result<(), AppError> {
        // "Unlock the keychain, then choose Check now": a place waiting for its token
        // tries again first.
        self.retry_blocked(false).await;
        let state = self.state.lock().await;
        let lang = self.locale_for(&read_settings(&state)).lang;
        let engines: Vec<&EngineHandle> = state
            .places
            .iter()
            .filter_map(|p| p.engine.as_ref())
            .collect();
        if engines.is_empty() {
            return Err(self.error(lang, ErrorCode::NotConfigured, Msg::NotConfigured, &[]));
        }
        let mut refused = None;
        let mut started = false;
        for engine in engines {
            match engine.refresh_now().await {
                Ok(()) => started = true,
                Err(r) => refused = Some(r),
            }
        }
        match (started, refused) {
            (true, _) | (false, None) => Ok(()),
            (false, Some(r)) => Err(self.refused(lang, r)),
        }
    }

    fn refused(&self, lang: Language, r: RefreshRefused) -> AppError {
        match r {
            RefreshRefused::Busy => {
                self.error(lang, ErrorCode::RateLimited, Msg::CheckRunning, &[])
            }
            RefreshRefused::TooSoon { wait_ms } => {
                let secs = ((wait_ms + 999) / 1000).to_string();
                self.error(
                    lang,
                    ErrorCode::RateLimited,
                    Msg::TryAgainIn,
                    &[("secs", &secs)],
                )
            }
            RefreshRefused::AuthRejected => {
                self.error(lang, ErrorCode::AuthRejected, Msg::TokenRejected, &[])
            }
        }
    }

    /// Pauses notifications (`None`: resumes). Checking goes on; see the module docs.
    pub async fn pause(&self, request: Option<PauseRequest>) -> Result<(), AppError> {
        let now = wall_now();
        let locale = self.locale_for(&self.settings().await);
        let until = match request {
            None => None,
            Some(PauseRequest::OneHour) => Some(Some(now.plus(Millis::HOUR))),
            Some(PauseRequest::UntilTomorrow) => {
                Some(Some(locale.next_clock_time(now, UNTIL_TOMORROW)))
            }
            Some(PauseRequest::Indefinitely) => Some(None),
        };
        self.write(move |store| match until {
            Some(until) => store.set_mute(ALL_DOORS, until),
            None => store.clear_mute(ALL_DOORS),
        })
        .await?;
        self.changed(0);
        Ok(())
    }

    /// Mutes a door for an hour or until 07:00, or unmutes it. "Until tomorrow" ends when a
    /// pause until tomorrow does (`UNTIL_TOMORROW`), which is what the window and the
    /// tray say for both.
    pub async fn mute_door(&self, door_id: &str, request: MuteRequest) -> Result<(), AppError> {
        // `*` is "every door" (notifications paused): a door a server names so must not
        // pause, nor resume, everything.
        if door_id == ALL_DOORS {
            return Err(AppError::new(
                ErrorCode::InvalidSettings,
                "There is no such door.".to_string(),
            ));
        }
        let locale = self.locale_for(&self.settings().await);
        let now = wall_now();
        let door = door_id.to_string();
        self.write(move |store| match request {
            MuteRequest::OneHour => store.set_mute(&door, Some(now.plus(Millis::HOUR))),
            MuteRequest::UntilTomorrow => {
                store.set_mute(&door, Some(locale.next_clock_time(now, UNTIL_TOMORROW)))
            }
            MuteRequest::Unmute => store.clear_mute(&door),
        })
        .await?;
        self.changed(0);
        Ok(())
    }

    /// Runs a write on the session's store.
    async fn write<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, crate::store::StoreError>,
    ) -> Result<T, AppError> {
        let state = self.state.lock().await;
        let reader = state
            .reader
            .clone()
            .ok_or_else(|| internal("Doorpost is starting."))?;
        drop(state);
        let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store).map_err(internal)
    }

    /// Shows a sample notification, as an unlock's would look.
    pub async fn test_notification(&self) -> Result<(), AppError> {
        let lang = self.language().await;
        let toast = Toast::Single {
            event_id: "doorpost-test".into(),
            door_id: None,
            title: i18n::t(lang, Msg::TestToastTitle, &[]),
            body: i18n::t(lang, Msg::TestToastBody, &[]),
        };
        let notifier = Arc::clone(&self.opts.notifier);
        tokio::task::spawn_blocking(move || notifier.show(&toast))
            .await
            .map_err(internal)?
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
    }

    /// Validates a settings change, stores it (all or nothing) and applies it everywhere.
    pub async fn save_settings(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        let mut state = self.state.lock().await;
        let current = read_settings(&state);
        let lang = self.locale_for(&current).lang;
        let invalid = |fields: Vec<doorpost_core::settings::Invalid>| AppError {
            code: ErrorCode::InvalidSettings,
            message: i18n::t(lang, Msg::SettingsInvalid, &[]),
            fields: fields.iter().map(|f| f.to_field_error(lang)).collect(),
        };
        let autostart = patch.autostart;
        let next = current.apply(patch).map_err(invalid)?;
        if let (Some(on), Some(set)) = (autostart, &self.opts.autostart)
            && on != current.autostart
        {
            set(on).map_err(internal)?;
        }
        if let Some(reader) = &state.reader {
            let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
            store.save_settings(&next).map_err(internal)?;
        }
        self.apply(&mut state, &next).await?;
        drop(state);
        self.changed(0);
        Ok(next)
    }

    /// The settings the running engines use (`None` before a session starts).
    pub async fn applied_settings(&self) -> Option<Settings> {
        self.state.lock().await.applied.clone()
    }

    /// Applies stored settings to the running engines and the notifier.
    async fn apply(&self, state: &mut State, settings: &Settings) -> Result<(), AppError> {
        let locale = self.locale_for(settings);
        self.opts.notifier.set_sound(settings.sound);
        self.opts.notifier.set_language(locale.lang);
        let several = state.places.len() > 1;
        let demo = state.mode == Some(Mode::Demo);
        for p in &state.places {
            let Some(engine) = &p.engine else { continue };
            engine
                .apply_settings(settings.clone())
                .await
                .map_err(|m| AppError::new(ErrorCode::InvalidSettings, m))?;
            let label = if demo {
                Some(i18n::t(locale.lang, Msg::Demo, &[]))
            } else {
                several.then(|| p.row.name.clone())
            };
            engine
                .set_place(self.place_context(&p.row, label, settings))
                .await;
        }
        state.applied = Some(settings.clone());
        Ok(())
    }

    /// Reads the settings and places again (the command line changed them) and applies
    /// them: a new or removed place restarts the session, anything else applies in place.
    pub async fn reload(self: &Arc<Self>) -> Result<(), AppError> {
        let state = self.state.lock().await;
        let Some(reader) = state.reader.clone() else {
            return Ok(());
        };
        let (settings, rows) = {
            let store = reader.lock().unwrap_or_else(|p| p.into_inner());
            (
                store.load_settings().map_err(internal)?,
                store.places().map_err(internal)?,
            )
        };
        let same_places = state.mode != Some(Mode::Demo)
            && rows.len() == state.places.len()
            && rows
                .iter()
                .zip(&state.places)
                .all(|(r, p)| r.id == p.row.id && r.api_url == p.row.api_url);
        if !same_places {
            let mode = state.mode.unwrap_or(Mode::Account);
            drop(state);
            return self.switch(mode).await;
        }
        drop(state);
        let mut state = self.state.lock().await;
        for (p, row) in state.places.iter_mut().zip(rows) {
            p.row = row;
        }
        self.apply(&mut state, &settings).await?;
        drop(state);
        self.changed(0);
        Ok(())
    }

    /// Leaves the demo for the places (the first-run screen without any).
    pub async fn leave_demo(self: &Arc<Self>) -> Result<(), AppError> {
        self.switch(Mode::Account).await
    }
}

fn read_settings(state: &State) -> Settings {
    state
        .reader
        .as_ref()
        .map(|r| {
            r.lock()
                .unwrap_or_else(|p| p.into_inner())
                .load_settings()
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

async fn stop(state: &mut State) {
    for t in state.tasks.drain(..) {
        t.abort();
    }
    for p in state.places.drain(..) {
        if let Some(engine) = p.engine {
            let _ = engine.shutdown().await;
        }
    }
    if let Some(fake) = state.demo.take() {
        fake.shutdown();
    }
    state.reader = None;
    state.mode = None;
    state.applied = None;
}

/// One `GET /eventLogs?limit=100` with each header form in turn: whether Parakey takes the
/// token, and the name of the place (its domain) when a row says.
pub async fn validate(
    base: &BaseUrl,
    token: &ApiToken,
    lang: Language,
) -> Result<(TokenCheck, Option<String>), AppError> {
    let client =
        ParakeyClient::new(base.clone(), token.clone(), Timeouts::default()).map_err(internal)?;
    let mut last = None;
    for auth in [AuthStyle::AccessToken, AuthStyle::Bearer] {
        let request = Request {
            query: Query::Newest {
                limit: 100,
                skip: 0,
            },
            auth,
            if_none_match: None,
        };
        match client.send(&request).await.outcome {
            Outcome::Page { page, .. } => {
                let doors: std::collections::HashSet<&str> =
                    page.events.iter().filter_map(|e| e.door_id()).collect();
                let domain = page
                    .events
                    .iter()
                    .find_map(|e| e.domain.as_ref().and_then(|d| d.name.clone()));
                let check = TokenCheck {
                    auth_style: auth_name(auth).into(),
                    doors_seen: doors.len() as u32,
                    events_seen: page.events.len() as u32,
                };
                return Ok((check, domain));
            }
            Outcome::AuthRejected { status } => last = Some(status),
            Outcome::Network(e) | Outcome::Offline(e) => {
                let why = e.to_string();
                return Err(AppError::new(
                    ErrorCode::Network,
                    i18n::t(lang, Msg::CannotReach, &[("why", &why)]),
                ));
            }
            other => {
                let why = format!("{other:?}");
                return Err(AppError::new(
                    ErrorCode::Network,
                    i18n::t(lang, Msg::CannotReach, &[("why", &why)]),
                ));
            }
        }
    }
    let status = last.unwrap_or(401).to_string();
    Err(AppError::new(
        ErrorCode::AuthRejected,
        i18n::t(lang, Msg::ErrAuth, &[("status", &status)]),
    ))
}

pub fn auth_name(a: AuthStyle) -> &'static str {
    match a {
        AuthStyle::AccessToken => "access-token",
        AuthStyle::Bearer => "bearer",
    }
}

#[cfg(test)]
mod tests;
