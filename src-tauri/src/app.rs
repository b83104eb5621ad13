//! The app's state: which account is shown (none, the demo, or a Parakey account), its
//! engine, and a read connection to its history.
//!
//! Owns the session switches (first run → demo or account, token replaced, token cleared)
//! so the commands stay thin. Every switch stops the old engine cleanly before the next
//! starts: one poller per user, always.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use doorpost_core::ipc::{
    AppError, ErrorCode, Mode, PauseRequest, PhaseView, StatusView, TokenCheck,
};
use doorpost_core::poller::{
    AuthStyle, Outcome, Phase, PollerConfig, Query, RefreshRefused, Request,
};
use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;
use doorpost_engine::desktop_notifier::DesktopNotifier;
use doorpost_engine::driver::{self, EngineHandle, EngineOptions, EngineStatus};
use doorpost_engine::fake::{self, FakeConfig, FakeControl};
use doorpost_engine::http::{ApiToken, BaseUrl, ParakeyClient, Timeouts, wall_now};
use doorpost_engine::keychain::TokenStore;
use doorpost_engine::store::Store;
use tauri::{AppHandle, Emitter};

use crate::paths;

pub const CHANGED_EVENT: &str = "doorpost://changed";
pub const OPEN_EVENT: &str = "doorpost://open-event";
const DEMO_TOKEN: &str = "demo-token";

/// One account's running state.
pub struct Session {
    pub mode: Mode,
    /// Reads for the UI, beside the engine's own write connection (WAL allows both).
    pub reader: Mutex<Store>,
    pub engine: Option<EngineHandle>,
    /// The simulated Parakey, in demo mode (in-process: it opens no port).
    pub fake: Option<FakeControl>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Session {
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        let store = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        f(&store)
    }

    pub fn settings(&self) -> Settings {
        self.with_store(|s| s.load_settings().unwrap_or_default())
    }

    pub async fn stop(mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        if let Some(engine) = self.engine.take() {
            let _ = engine.shutdown().await;
        }
        if let Some(fake) = self.fake.take() {
            fake.shutdown();
        }
    }
}

pub struct Doorpost {
    pub app: AppHandle,
    pub session: tokio::sync::Mutex<Option<Session>>,
    pub keychain: Arc<dyn TokenStore>,
    /// `DOORPOST_TOKEN`: this process only, never stored.
    pub env_token: Option<ApiToken>,
    pub base: BaseUrl,
    pub notifier: Arc<DesktopNotifier>,
    /// Unlocks announced since the window was last opened (the tray's "new" icon).
    pub unseen: Mutex<u32>,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

impl Doorpost {
    /// Starts the session the user left: the demo when asked, the account when a token is
    /// known, the first-run screen otherwise.
    pub async fn start(self: &Arc<Self>, demo: bool) -> Result<(), AppError> {
        let mode = if demo { Mode::Demo } else { Mode::Account };
        self.switch(mode).await
    }

    /// Replaces the running session by one in `mode` (`Account` falls back to
    /// `Unconfigured` without a token).
    pub async fn switch(self: &Arc<Self>, mode: Mode) -> Result<(), AppError> {
        let mut slot = self.session.lock().await;
        if let Some(old) = slot.take() {
            old.stop().await;
        }
        let session = match mode {
            Mode::Demo => self.start_demo().await?,
            Mode::Account | Mode::Unconfigured => match self.token()? {
                Some(token) => self.start_account(token).await?,
                None => self.unconfigured()?,
            },
        };
        self.notifier.set_sound(session.settings().sound);
        *slot = Some(session);
        drop(slot);
        self.changed(0);
        Ok(())
    }

    fn token(&self) -> Result<Option<ApiToken>, AppError> {
        if let Some(t) = &self.env_token {
            return Ok(Some(t.clone()));
        }
        self.keychain
            .get()
            .map_err(|e| AppError::new(ErrorCode::KeychainUnavailable, e.to_string()))
    }

    fn open_reader(dir: &std::path::Path) -> Result<Store, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            internal(format!(
                "Doorpost cannot create its data folder {}: {e}",
                dir.display()
            ))
        })?;
        Store::open(&dir.join(paths::DB_FILE)).map_err(internal)
    }

    fn unconfigured(&self) -> Result<Session, AppError> {
        let dir = paths::account_dir();
        Ok(Session {
            mode: Mode::Unconfigured,
            reader: Mutex::new(Self::open_reader(&dir)?),
            engine: None,
            fake: None,
            tasks: Vec::new(),
        })
    }

    async fn start_account(self: &Arc<Self>, token: ApiToken) -> Result<Session, AppError> {
        let dir = paths::account_dir();
        let reader = Self::open_reader(&dir)?;
        let engine = self
            .start_engine(&dir, self.base.clone(), token, test_interval(), None)
            .await?;
        let mut session = Session {
            mode: Mode::Account,
            reader: Mutex::new(reader),
            engine: Some(engine),
            fake: None,
            tasks: Vec::new(),
        };
        session.tasks.push(self.watch(&session));
        Ok(session)
    }

    async fn start_demo(self: &Arc<Self>) -> Result<Session, AppError> {
        let dir = paths::demo_dir();
        // The demo starts fresh each time: its history is generated around today.
        let _ = std::fs::remove_dir_all(&dir);
        let reader = Self::open_reader(&dir)?;
        let fake = FakeControl::in_process(FakeConfig {
            token: DEMO_TOKEN.into(),
            max_limit: Some(100),
            ..FakeConfig::default()
        });
        let scenario = fake::demo::DemoScenario::harbour_loft();
        let seed = wall_now().0 as u64;
        scenario.seed_history(&fake, seed);
        let base = BaseUrl::parse(fake::IN_PROCESS_URL).map_err(internal)?;
        let token = ApiToken::new(DEMO_TOKEN).map_err(internal)?;
        // The demo checks every minute (the shortest setting) so a new user sees a
        // notification soon; the simulated place has an unlock every ~45 s on average.
        let settings = reader.load_settings().unwrap_or_default();
        let config = PollerConfig {
            interval: Millis::MINUTE,
            ..PollerConfig::from_settings(&settings)
        };
        let engine = self
            .start_engine(&dir, base, token, Some(config), Some(fake.clone()))
            .await?;
        let live = tokio::spawn(fake::demo::run_live(
            fake.clone(),
            seed,
            Duration::from_secs(45),
        ));
        let mut session = Session {
            mode: Mode::Demo,
            reader: Mutex::new(reader),
            engine: Some(engine),
            fake: Some(fake),
            tasks: vec![live],
        };
        session.tasks.push(self.watch(&session));
        Ok(session)
    }

    async fn start_engine(
        &self,
        dir: &std::path::Path,
        base: BaseUrl,
        token: ApiToken,
        poller_config: Option<PollerConfig>,
        simulator: Option<FakeControl>,
    ) -> Result<EngineHandle, AppError> {
        driver::start(EngineOptions {
            store_path: dir.join(paths::DB_FILE),
            base,
            token,
            notifier: Arc::clone(&self.notifier) as _,
            poller_config,
            seed: wall_now().0 as u64,
            timeouts: Timeouts::default(),
            utc_offset_secs: None,
            simulator,
        })
        .await
        .map_err(internal)
    }

    /// Forwards the engine's syncs and status changes to the UI and the tray.
    fn watch(self: &Arc<Self>, session: &Session) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        let engine = session
            .engine
            .as_ref()
            .expect("a running session has an engine");
        let mut reports = engine.subscribe();
        let mut status = engine.status();
        tokio::spawn(async move {
            // The pages of a long sync are shown as they land, but at most once a second:
            // a first load of a thousand pages must not make the window refetch a thousand
            // times.
            let mut last_partial = std::time::Instant::now() - std::time::Duration::from_secs(1);
            loop {
                tokio::select! {
                    r = reports.recv() => match r {
                        Ok(r) => {
                            if r.toasts > 0 {
                                let mut unseen = me.unseen.lock().unwrap_or_else(|p| p.into_inner());
                                *unseen += r.toasts as u32;
                            }
                            if r.finished || last_partial.elapsed().as_secs() >= 1 {
                                last_partial = std::time::Instant::now();
                                me.changed(r.inserted as u32);
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => me.changed(0),
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

    /// Tells the UI to refetch and redraws the tray.
    pub fn changed(&self, inserted: u32) {
        let _ = self
            .app
            .emit(CHANGED_EVENT, doorpost_core::ipc::ChangedEvent { inserted });
        crate::tray::refresh(&self.app);
    }

    pub async fn status(&self) -> StatusView {
        let slot = self.session.lock().await;
        let Some(session) = slot.as_ref() else {
            return empty_status(PhaseView::NotConfigured);
        };
        let engine_status = session.engine.as_ref().map(|e| e.status().borrow().clone());
        status_view(session, engine_status.as_ref())
    }

    /// Validates a token against Parakey (trying both header forms), then stores it in the
    /// keychain and starts syncing the account.
    pub async fn set_token(self: &Arc<Self>, raw: &str) -> Result<TokenCheck, AppError> {
        let token = ApiToken::new(raw)
            .map_err(|e| AppError::new(ErrorCode::AuthRejected, e.to_string()))?;
        let check = validate(&self.base, &token).await?;
        self.keychain
            .set(&token)
            .map_err(|e| AppError::new(ErrorCode::KeychainUnavailable, e.to_string()))?;
        self.switch(Mode::Account).await?;
        Ok(check)
    }

    pub async fn clear_token(self: &Arc<Self>) -> Result<(), AppError> {
        self.keychain
            .clear()
            .map_err(|e| AppError::new(ErrorCode::KeychainUnavailable, e.to_string()))?;
        self.switch(Mode::Unconfigured).await
    }

    pub async fn refresh_now(&self) -> Result<(), AppError> {
        let slot = self.session.lock().await;
        let engine = slot
            .as_ref()
            .and_then(|s| s.engine.as_ref())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotConfigured,
                    "Doorpost has no Parakey account to check yet. Paste a token or try the demo.",
                )
            })?;
        engine.refresh_now().await.map_err(|r| match r {
            RefreshRefused::Busy => {
                AppError::new(ErrorCode::RateLimited, "A check is already running.")
            }
            RefreshRefused::TooSoon { wait_ms } => AppError::new(
                ErrorCode::RateLimited,
                format!(
                    "Checked moments ago; try again in {} s.",
                    (wait_ms + 999) / 1000
                ),
            ),
            RefreshRefused::AuthRejected => AppError::new(
                ErrorCode::AuthRejected,
                "Parakey rejected the token. Paste a new one in Settings.",
            ),
        })
    }

    pub async fn pause(&self, request: Option<PauseRequest>) {
        let slot = self.session.lock().await;
        let Some(engine) = slot.as_ref().and_then(|s| s.engine.as_ref()) else {
            return;
        };
        match request {
            None => engine.resume().await,
            Some(PauseRequest::OneHour) => engine.pause(Some(Duration::from_secs(3600))).await,
            Some(PauseRequest::UntilTomorrow) => engine.pause(Some(until_tomorrow_morning())).await,
            Some(PauseRequest::Indefinitely) => engine.pause(None).await,
        }
    }

    /// Saves settings (all or nothing) and applies them to the engine.
    pub async fn save_settings(&self, settings: Settings) -> Result<(), AppError> {
        settings.validate().map_err(|fields| AppError {
            code: ErrorCode::InvalidSettings,
            message: "Some settings need another look.".into(),
            fields,
        })?;
        let slot = self.session.lock().await;
        let session = slot.as_ref().ok_or_else(|| internal("no session"))?;
        let sound = settings.sound;
        match &session.engine {
            Some(engine) => engine
                .apply_settings(settings)
                .await
                .map_err(|m| AppError::new(ErrorCode::InvalidSettings, m))?,
            None => session
                .reader
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .save_settings(&settings)
                .map_err(internal)?,
        }
        self.notifier.set_sound(sound);
        Ok(())
    }
}

/// `DOORPOST_TEST_INTERVAL_MS`, honoured only by builds with the `testing` feature: the
/// desktop tests poll every half second instead of every five minutes.
fn test_interval() -> Option<PollerConfig> {
    doorpost_engine::test_hooks::test_interval()
}

/// 07:00 local time tomorrow, as a duration from now.
fn until_tomorrow_morning() -> Duration {
    use chrono::{Days, Local, NaiveTime};
    let now = Local::now();
    let target = now
        .date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| {
            d.and_time(NaiveTime::from_hms_opt(7, 0, 0)?)
                .and_local_timezone(Local)
                .earliest()
        });
    match target {
        Some(t) => (t - now).to_std().unwrap_or(Duration::from_secs(12 * 3600)),
        None => Duration::from_secs(12 * 3600),
    }
}

/// One `GET /eventLogs?limit=100`, with each header form in turn.
pub async fn validate(base: &BaseUrl, token: &ApiToken) -> Result<TokenCheck, AppError> {
    let client =
        ParakeyClient::new(base.clone(), token.clone(), Timeouts::default()).map_err(internal)?;
    let mut last = None;
    for auth in [AuthStyle::AccessToken, AuthStyle::Bearer] {
        let response = client
            .send(&Request {
                query: Query::Newest {
                    limit: 100,
                    skip: 0,
                },
                auth,
                if_none_match: None,
            })
            .await;
        match response.outcome {
            Outcome::Page { page, .. } => {
                let doors: std::collections::HashSet<&str> =
                    page.events.iter().filter_map(|e| e.door_id()).collect();
                return Ok(TokenCheck {
                    auth_style: auth_name(auth).into(),
                    doors_seen: doors.len() as u32,
                    events_seen: page.events.len() as u32,
                });
            }
            Outcome::AuthRejected { status } => last = Some(status),
            Outcome::Network(e) => {
                return Err(AppError::new(
                    ErrorCode::Network,
                    format!("Couldn't reach Parakey to check the token: {e}"),
                ));
            }
            other => {
                return Err(AppError::new(
                    ErrorCode::Network,
                    format!(
                        "Parakey gave an unexpected answer while checking the token: {other:?}"
                    ),
                ));
            }
        }
    }
    Err(AppError::new(
        ErrorCode::AuthRejected,
        format!(
            "Parakey rejected the token ({}). Copy it again from the Parakey app (Settings → Integrations), or create a new integration.",
            last.unwrap_or(401)
        ),
    ))
}

pub fn auth_name(a: AuthStyle) -> &'static str {
    match a {
        AuthStyle::AccessToken => "access-token",
        AuthStyle::Bearer => "bearer",
    }
}

fn empty_status(phase: PhaseView) -> StatusView {
    StatusView {
        phase,
        last_check: None,
        next_check: None,
        paused_until: None,
        last_error: None,
        requests_today: 0,
        not_modified_today: 0,
        failures_today: 0,
        gaps: Vec::new(),
        auth_style: None,
        quarantined: 0,
        events_total: 0,
        quiet_until: None,
        watching_since: None,
        incomplete: None,
        catching_up: false,
    }
}

fn local_midnight() -> Millis {
    use chrono::{Local, NaiveTime};
    Local::now()
        .date_naive()
        .and_time(NaiveTime::MIN)
        .and_local_timezone(Local)
        .earliest()
        .map_or(wall_now().minus(Millis::DAY), |t| {
            Millis(t.timestamp_millis())
        })
}

pub fn status_view(session: &Session, engine: Option<&EngineStatus>) -> StatusView {
    let phase = match (session.mode, engine.map(|e| &e.poller.phase)) {
        (Mode::Unconfigured, _) | (_, None) => PhaseView::NotConfigured,
        (_, Some(Phase::Idle)) => PhaseView::Idle,
        (_, Some(Phase::Checking)) => PhaseView::Checking,
        (_, Some(Phase::Paused { .. })) => PhaseView::Paused,
        (_, Some(Phase::Degraded { .. })) => PhaseView::Degraded,
        (_, Some(Phase::AuthRejected)) => PhaseView::AuthRejected,
    };
    let mut view = empty_status(phase);
    if let Some(e) = engine {
        view.last_error = e.poller.last_error.clone();
        view.next_check = e.next_check.map(|t| t.0);
        view.paused_until = e.paused_until.map(|t| t.0);
        view.auth_style = e.poller.auth.map(|a| auth_name(a).to_string());
        view.incomplete = e.poller.incomplete.map(crate::views::incomplete);
        view.catching_up = e.poller.catching_up;
    }
    session.with_store(|store| {
        let today = local_midnight();
        if let Ok(stats) = store.poll_stats(today) {
            view.requests_today = stats.requests as u32;
            view.not_modified_today = stats.not_modified as u32;
            view.failures_today = stats.failures as u32;
        }
        if let Ok(log) = store.poll_log_since(wall_now().minus(7 * Millis::DAY)) {
            view.last_check = log.iter().rev().find(|r| r.error.is_none()).map(|r| r.at.0);
        }
        if let Ok(gaps) =
            store.coverage_gaps(wall_now().minus(7 * Millis::DAY), 10 * Millis::MINUTE)
        {
            view.gaps = gaps.iter().map(crate::views::gap).collect();
        }
        view.quarantined = store.quarantine_count().unwrap_or(0) as u32;
        view.events_total = store
            .count(&Default::default())
            .unwrap_or(0)
            .try_into()
            .unwrap_or(u32::MAX);
    });
    view
}
