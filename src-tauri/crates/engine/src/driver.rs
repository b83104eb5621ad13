//! The driver: one tokio task that feeds the sans-IO poller with time, HTTP answers and
//! commands, writes its commits to SQLite and hands the planned toasts to the notifier.
//!
//! Order of effects for one sync, and what a crash (kill -9) at each point leaves:
//! 1. each page: one SQLite transaction with its new rows (`suppressed` when they arrived
//!    before the window the sync looked at, else `pending`) and the poller's state with its
//!    resume point; a crash keeps the pages written and the next start resumes after them;
//! 2. the last page's transaction also writes the watermark, the ETag, the poll-log row and
//!    the notification decision over every row still `pending` (this sync's, and any a
//!    crash left), with this sync's server time and "was Doorpost away" verdict;
//! 3. `pending → notified` for a toast's rows, in its own transaction;
//! 4. the toast is shown.
//!
//! A crash between 2 and 3 leaves rows `pending`: the next finished sync decides them again,
//! by the same freshness rules (so a crash days ago yields a catch-up summary, not stale
//! toasts). A crash between 3 and 4 loses that toast (the documented window, a few
//! milliseconds): we choose at most once over at least once, because a repeated "guest
//! arrived" is worse than a missed one that the history still shows.
//!
//! Time: the poller runs on [`crate::clock::elapsed`], which keeps counting while the
//! machine sleeps, so a `Retry-After` or a backoff deadline that passed during suspend is due
//! on wake-up, and a step of the wall clock moves nothing. The loop wakes at least every
//! 30 s of (monotonic) sleep to look at that clock and the wall clock. It reads every clock
//! and waits through one [`DriverClock`], which tests replace with virtual time
//! ([`crate::virtual_time`]): they run this loop, not a copy of it.
//!
//! In builds with the `testing` feature, `DOORPOST_FAILPOINT=<name>` stops the process at
//! one of these points so the crash tests can kill it there (see [`crate::test_hooks`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use doorpost_core::changes::{DoorNames, Stored, after_commit};
use doorpost_core::i18n::{self, Locale, Msg};
use doorpost_core::ipc::ChangedEvent;
use doorpost_core::policy::{
    self, Candidate, NotificationPlan, NotifyDecision, PolicyContext, Toast,
};
use doorpost_core::poller::{
    Commit, Finish, PollRecord, Poller, PollerConfig, RefreshRefused, Status, SyncKind, SyncState,
    Written,
};
use doorpost_core::settings::{Language, NotifyMode, Settings};
use doorpost_core::time::{Millis, Mono};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use crate::budget::{self, DailyBudget};
use crate::clock::DriverClock;
use crate::http::{ApiToken, BaseUrl, ParakeyClient, source_key};
use crate::notifier::Notifier;
use crate::stays_watch::StaysWatch;
use crate::store::{self, DayRule, PollLogEntry, PollOutcome, Store};
use crate::test_hooks::failpoint;

/// Longest wait between two looks at the clocks (a deadline passed during suspend).
const CLOCK_CHECK: Duration = Duration::from_secs(30);
/// Suspended at least this long between two looks at the clocks: the machine slept.
const SLEPT: i64 = 2 * Millis::SECOND;
/// How often guests' names past the retention period are forgotten.
const FORGET_EVERY: i64 = Millis::DAY;
/// Longest the no-show alert waits for the check of the place made at its deadline.
const NO_SHOW_CHECK: i64 = 60 * Millis::SECOND;
/// Longest a notification service may take to show one toast.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Client(#[from] crate::http::ClientError),
    #[error("the engine has stopped")]
    Stopped,
}

pub struct EngineOptions {
    pub store_path: PathBuf,
    pub base: BaseUrl,
    pub token: ApiToken,
    pub notifier: Arc<dyn Notifier>,
    /// Replaces the settings-derived timings (tests and the demo use short intervals).
    pub poller_config: Option<PollerConfig>,
    pub seed: u64,
    pub timeouts: crate::http::Timeouts,
    /// Local UTC offset for notification times; `None`: the system's.
    pub utc_offset_secs: Option<i32>,
    /// Whose rows these are and how its toasts read.
    pub place: PlaceContext,
    /// No request before this much time has passed (places start staggered); "Check now"
    /// ends the wait.
    pub start_delay: Duration,
    /// A server answered in this process (the demo's simulated Parakey; `base` is then its
    /// base URL); `None`: HTTP to `base`.
    pub simulator: Option<Arc<dyn crate::exchange::Exchange>>,
}

/// What an engine knows of its place besides the account: the id its rows carry, the
/// label its toasts begin with, its notification mode, and the language of its texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceContext {
    /// `None`: rows without a place (tools and old tests); decisions cover the account.
    pub id: Option<String>,
    /// Before a door's name in toasts ("Sea cabin · Front door"): set when a host has
    /// several places, and "Demo" in the demo.
    pub label: Option<String>,
    /// The place's name, for "Doorpost can't check Sea cabin" (`None`: no name to give).
    pub name: Option<String>,
    /// The place's own mode; `None`: the settings'.
    pub notify_mode: Option<NotifyMode>,
    pub language: Language,
    pub twelve_hour: bool,
}

impl Default for PlaceContext {
    fn default() -> Self {
        PlaceContext {
            id: None,
            label: None,
            name: None,
            notify_mode: None,
            language: Language::En,
            twelve_hour: false,
        }
    }
}

/// The engine's state as the UI and tray show it. Times are wall-clock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineStatus {
    pub poller: Status,
    pub last_success: Option<Millis>,
    /// `poller.next_check` on the wall clock, converted once per instant: a later
    /// conversion of the same instant could differ by a millisecond, which is no change.
    pub next_check: Option<Millis>,
    /// Quiet hours hold: the overview's "quiet until" changes when this does.
    pub quiet: bool,
}

/// Sent after every written commit (each page of a long sync, and its end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub kind: SyncKind,
    pub inserted: usize,
    pub updated: usize,
    pub toasts: usize,
    /// The sync's last commit.
    pub finished: bool,
    /// What the window must refetch for it ([`doorpost_core::changes::after_commit`]).
    pub changed: ChangedEvent,
}

enum Command {
    Refresh(oneshot::Sender<Result<(), RefreshRefused>>),
    Settings(Box<Settings>, oneshot::Sender<Result<(), String>>),
    Place(Box<PlaceContext>),
    Shutdown,
}

/// The running engine. Dropping it without [`EngineHandle::shutdown`] stops the task too.
pub struct EngineHandle {
    source: String,
    commands: mpsc::Sender<Command>,
    status: watch::Receiver<EngineStatus>,
    reports: broadcast::Sender<SyncReport>,
    task: Option<tokio::task::JoinHandle<Result<(), EngineError>>>,
}

impl EngineHandle {
    pub async fn refresh_now(&self) -> Result<(), RefreshRefused> {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Refresh(tx)).await.is_err() {
            return Err(RefreshRefused::Busy);
        }
        rx.await.unwrap_or(Err(RefreshRefused::Busy))
    }

    /// Changes the place's label, mode or language (its id stays).
    pub async fn set_place(&self, place: PlaceContext) {
        let _ = self.commands.send(Command::Place(Box::new(place))).await;
    }

    /// Validates and applies new settings; all or nothing. The caller stores them.
    pub async fn apply_settings(&self, settings: Settings) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Settings(Box::new(settings), tx))
            .await
            .map_err(|_| "the engine has stopped".to_string())?;
        rx.await.unwrap_or(Err("the engine has stopped".into()))
    }

    pub fn status(&self) -> watch::Receiver<EngineStatus> {
        self.status.clone()
    }

    /// The account's key in the store (a fingerprint of the address and token).
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SyncReport> {
        self.reports.subscribe()
    }

    /// Stops after the current step (a commit in progress completes) and waits.
    pub async fn shutdown(mut self) -> Result<(), EngineError> {
        let _ = self.commands.send(Command::Shutdown).await;
        match self.task.take() {
            Some(t) => t.await.unwrap_or(Err(EngineError::Stopped)),
            None => Ok(()),
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Opens the store and starts the engine task on the current tokio runtime.
pub async fn start(opts: EngineOptions) -> Result<EngineHandle, EngineError> {
    start_on(opts, DriverClock::System).await
}

/// [`start`] on the given clocks (tests: virtual time).
pub async fn start_on(
    opts: EngineOptions,
    clock: DriverClock,
) -> Result<EngineHandle, EngineError> {
    let path = opts.store_path.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&path))
        .await
        .map_err(|_| EngineError::Stopped)??;
    let source = source_key(&opts.base, &opts.token);
    let state: SyncState = store
        .load_state(&source)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let settings = store.load_settings()?;
    let mut stays = StaysWatch::new(clock.wall());
    if let Some(place) = opts.place.id.as_deref() {
        // What was decided about each stay before a restart comes back here.
        stays.reload(&store, place, &settings, clock.wall())?;
    }
    let config = opts
        .poller_config
        .clone()
        .unwrap_or_else(|| PollerConfig::from_settings(&settings));
    let poller = Poller::new(config, state, opts.seed, clock.now());
    let client = Arc::new(match opts.simulator {
        Some(server) => ParakeyClient::in_process(server, opts.token.clone(), opts.timeouts)?,
        None => ParakeyClient::new(opts.base.clone(), opts.token.clone(), opts.timeouts)?,
    });
    let (commands, rx) = mpsc::channel(16);
    let (status_tx, status) = watch::channel(EngineStatus {
        poller: poller.status(),
        last_success: None,
        next_check: None,
        quiet: false,
    });
    let (reports, _) = broadcast::channel(64);
    let daily_rows = budget::limit_for(&settings);
    let driver = Driver {
        poller,
        client,
        store: Some(store),
        source: source.clone(),
        settings,
        fixed_config: opts.poller_config.is_some(),
        hold_until: clock
            .now()
            .plus(i64::try_from(opts.start_delay.as_millis()).unwrap_or(0)),
        notifier: opts.notifier,
        utc_offset_secs: opts.utc_offset_secs,
        place: opts.place,
        quiet_since: None,
        commands: rx,
        status: status_tx,
        reports: reports.clone(),
        last_success_wall: None,
        door_names: DoorNames::default(),
        earlier_new: 0,
        next_forget: Mono(i64::MIN),
        suspended: clock.suspended(),
        stays,
        no_show_check: None,
        budget: DailyBudget::new(daily_rows),
        over_budget: false,
        clock,
    };
    let task = tokio::spawn(driver.run());
    Ok(EngineHandle {
        source,
        commands,
        status,
        reports,
        task: Some(task),
    })
}

struct Driver {
    poller: Poller,
    client: Arc<ParakeyClient>,
    /// Moved into blocking tasks for each write and back; `None` only meanwhile.
    store: Option<Store>,
    source: String,
    settings: Settings,
    fixed_config: bool,
    /// No request before this (on [`Driver::now`]'s clock).
    hold_until: Mono,
    notifier: Arc<dyn Notifier>,
    utc_offset_secs: Option<i32>,
    place: PlaceContext,
    /// When the quiet hours that held at the last look began: their end (or their being
    /// turned off) makes the digest of what they held.
    quiet_since: Option<Millis>,
    commands: mpsc::Receiver<Command>,
    status: watch::Sender<EngineStatus>,
    reports: broadcast::Sender<SyncReport>,
    last_success_wall: Option<Millis>,
    /// The doors this engine has stored, to tell the window of a new one.
    door_names: DoorNames,
    /// Rows the sync in progress inserted in its earlier commits (for the poll log).
    earlier_new: usize,
    /// When (on [`Driver::now`]'s clock) old names are next forgotten: at start, then daily.
    next_forget: Mono,
    /// Time suspended since boot at the last look (see [`crate::clock::suspended`]).
    suspended: Option<Mono>,
    /// The place's stays: each unlock's mark, stay alerts, the no-show timer.
    stays: StaysWatch,
    /// The no-show check under way: the deadline, when the check began (on [`Driver::now`]'s
    /// clock) and the last success before it.
    no_show_check: Option<(Millis, Mono, Option<Millis>)>,
    /// Rows this place may store in a day ([`crate::budget`]).
    budget: DailyBudget,
    /// Checking waits for the next day or a raised budget.
    over_budget: bool,
    clock: DriverClock,
}

impl Driver {
    fn now(&self) -> Mono {
        self.clock.now()
    }

    /// Whether the machine slept since the last look at the clocks.
    fn slept(&mut self) -> bool {
        let now = self.clock.suspended();
        let slept = matches!((self.suspended, now), (Some(a), Some(b)) if b.since(a) >= SLEPT);
        self.suspended = now;
        slept
    }

    fn to_wall(&self, at: Mono) -> Millis {
        self.clock.wall().plus(at.since(self.now()))
    }

    async fn run(mut self) -> Result<(), EngineError> {
        loop {
            let now = self.now();
            self.poller.observe_wall(now, self.clock.wall());
            if self.slept() {
                self.poller.woke(now);
            }
            let held = now < self.hold_until;
            if let Some(req) = (!held).then(|| self.poller.poll_request(now)).flatten() {
                let client = Arc::clone(&self.client);
                let mut request = tokio::spawn(async move { client.send(&req).await });
                // Commands keep working while a request is out (the poller answers a
                // refresh with "busy"); only a shutdown abandons the request.
                let response = loop {
                    tokio::select! {
                        r = &mut request => break r.map_err(|_| EngineError::Stopped)?,
                        cmd = self.commands.recv() => match cmd {
                            None | Some(Command::Shutdown) => {
                                request.abort();
                                return Ok(());
                            }
                            Some(other) => self.command(other).await?,
                        },
                    }
                };
                self.poller.handle_response(self.now(), response);
                continue;
            }
            if let Some(record) = self.poller.poll_record() {
                self.log_failure(record).await?;
                self.publish_status();
            }
            if let Some(commit) = self.poller.poll_commit() {
                failpoint("fetched");
                self.commit(commit).await?;
                self.publish_status();
                continue;
            }
            if now >= self.next_forget {
                self.forget_old_names().await?;
                self.next_forget = now.plus(FORGET_EVERY);
            }
            self.watch_quiet().await?;
            self.tell_outage().await;
            if self.no_show_due(held).await? {
                continue;
            }
            self.publish_status();
            let wait = match self.poller.poll_timeout() {
                _ if held => Duration::from_millis(self.hold_until.since(now).max(0) as u64),
                Some(at) => Duration::from_millis(at.since(now).max(0) as u64),
                None => CLOCK_CHECK,
            }
            .min(CLOCK_CHECK)
            .min(self.outage_wait())
            .min(self.no_show_wait());
            tokio::select! {
                _ = self.clock.sleep(wait) => {}
                cmd = self.commands.recv() => match cmd {
                    None | Some(Command::Shutdown) => return Ok(()),
                    Some(cmd) => self.command(cmd).await?,
                },
            }
        }
    }

    async fn command(&mut self, cmd: Command) -> Result<(), EngineError> {
        let now = self.now();
        match cmd {
            Command::Refresh(reply) => {
                self.hold_until = now;
                let _ = reply.send(self.poller.refresh_now(now));
            }
            Command::Settings(settings, reply) => {
                if let Err(errors) = settings.validate() {
                    let _ = reply.send(Err(format!("invalid settings: {errors:?}")));
                    return Ok(());
                }
                if !self.fixed_config {
                    self.poller
                        .apply_config(now, PollerConfig::from_settings(&settings));
                }
                self.settings = *settings;
                self.budget.set_limit(budget::limit_for(&self.settings));
                if self.over_budget && self.budget.check(self.clock.wall(), self.offset()).is_ok() {
                    // Raised: checking goes on now.
                    self.over_budget = false;
                    self.hold_until = now;
                }
                // A shorter retention applies now, not tomorrow.
                self.next_forget = now;
                let _ = reply.send(Ok(()));
                self.watch_quiet().await?;
            }
            Command::Place(place) => self.place = *place,
            Command::Shutdown => {}
        }
        self.publish_status();
        Ok(())
    }

    /// Whether today's storage budget lets a sync be written ([`crate::budget`]). When it
    /// does not, the sync is dropped unwritten: the poller resumes from its last written
    /// state, says why, and no request goes out before the next local day or a raised
    /// budget.
    async fn within_budget(&mut self) -> Result<bool, EngineError> {
        let (wall, offset) = (self.clock.wall(), self.offset());
        if let Some(day) = self.budget.uncounted(wall, offset) {
            let source = self.source.clone();
            let stored = self
                .with_store(move |s| s.stored_since(&source, day))
                .await?;
            // Unreadable, it counts as empty: a store error never stops checking.
            self.budget.counted(day, stored.unwrap_or(0));
        }
        let Err(full) = self.budget.check(wall, offset) else {
            return Ok(true);
        };
        tracing::warn!(
            "daily storage budget reached ({} of {}); checking resumes tomorrow",
            full.stored,
            full.limit
        );
        let now = self.now();
        self.over_budget = true;
        self.hold_until = now.plus(full.resumes_at.since(wall).max(0));
        let (stored, limit) = (full.stored.to_string(), full.limit.to_string());
        let why = i18n::t(
            self.place.language,
            Msg::ErrBudget,
            &[("stored", &stored), ("limit", &limit)],
        );
        self.poller.handle_committed(now, Err(why));
        Ok(false)
    }

    /// The local time's offset east of UTC.
    fn offset(&self) -> i32 {
        self.decision_env().utc_offset_secs
    }

    /// Runs `f` on the store in a blocking thread.
    async fn with_store<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, EngineError> {
        let mut store = self.store.take().ok_or(EngineError::Stopped)?;
        let (store, out) = tokio::task::spawn_blocking(move || {
            let out = f(&mut store);
            (store, out)
        })
        .await
        .map_err(|_| EngineError::Stopped)?;
        self.store = Some(store);
        Ok(out)
    }

    /// Forgets guests' names older than the retention setting (see `store::forget`).
    async fn forget_old_names(&mut self) -> Result<(), EngineError> {
        let Some(cutoff) = store::retention_cutoff(&self.settings, self.clock.wall()) else {
            return Ok(());
        };
        let result = self.with_store(move |s| s.forget_before(cutoff)).await?;
        // Tried again at the next sweep; syncing goes on meanwhile.
        store::Forgotten::log(result, "the next sweep tries again");
        Ok(())
    }

    async fn log_failure(&mut self, record: PollRecord) -> Result<(), EngineError> {
        let source = self.source.clone();
        let entry = PollLogEntry {
            at: self.clock.wall(),
            outcome: PollOutcome::Failed,
            requests: record.requests,
            bytes: record.bytes,
            error: record.error,
        };
        // A poll log that cannot be written is not worth stopping for; the next success
        // or failure tries again.
        let _ = self
            .with_store(move |s| s.log_poll(&source, &entry))
            .await?;
        Ok(())
    }

    fn decision_env(&self) -> DecisionEnv {
        DecisionEnv {
            place: self.place.clone(),
            utc_offset_secs: self
                .utc_offset_secs
                .unwrap_or_else(|| chrono::Local::now().offset().local_minus_utc()),
            wall: self.clock.wall(),
            quiet_ended: None,
        }
    }

    /// When quiet hours have just ended (or were turned off), decides the rows they held:
    /// the digest.
    async fn watch_quiet(&mut self) -> Result<(), EngineError> {
        let env = self.decision_env();
        let window = self
            .settings
            .quiet_hours
            .as_ref()
            .and_then(|q| q.window_at(env.wall, env.utc_offset_secs));
        let ended = self.quiet_since.filter(|_| window.is_none());
        self.quiet_since = window.map(|(start, _)| start);
        match ended {
            Some(start) => {
                // A place that cannot check leads the digest.
                self.tell_outage().await;
                self.reconsider(Some((start, env.wall))).await
            }
            None => Ok(()),
        }
    }

    /// How long until the next no-show deadline (the timer that keeps it), or until the
    /// check made at a deadline has had its time.
    fn no_show_wait(&self) -> Duration {
        let quiet = self.decision_env().quiet(&self.settings);
        let at = match (self.no_show_check, self.stays.next_deadline()) {
            (_, None) => return CLOCK_CHECK,
            _ if self.stays.no_show_waits(quiet) => return CLOCK_CHECK,
            (Some((_, started, _)), Some(_)) => {
                return Duration::from_millis(
                    started.plus(NO_SHOW_CHECK).since(self.now()).max(0) as u64
                );
            }
            (None, Some(at)) => at,
        };
        Duration::from_millis(at.since(self.clock.wall()).max(0) as u64)
    }

    /// At a no-show deadline: checks the place once more, then (that check done, or given
    /// its time) keeps and shows the no-show alerts. Whether it did something.
    async fn no_show_due(&mut self, held: bool) -> Result<bool, EngineError> {
        let wall = self.clock.wall();
        let Some(deadline) = self.stays.next_deadline().filter(|d| *d <= wall) else {
            self.no_show_check = None;
            return Ok(false);
        };
        let env = self.decision_env();
        if self.stays.no_show_waits(env.quiet(&self.settings)) {
            return Ok(false);
        }
        let now = self.now();
        match self.no_show_check {
            Some((d, started, before)) if d == deadline => {
                let checked = self.last_success_wall != before;
                if !checked && now.since(started) < NO_SHOW_CHECK {
                    return Ok(false);
                }
            }
            _ => {
                self.no_show_check = Some((deadline, now, self.last_success_wall));
                if !held && self.poller.refresh_now(now).is_ok() {
                    return Ok(true);
                }
            }
        }
        self.no_show_check = None;
        self.tell_no_shows(env).await?;
        Ok(true)
    }

    /// Keeps the no-shows due now in the store, then shows them (at most once).
    async fn tell_no_shows(&mut self, env: DecisionEnv) -> Result<(), EngineError> {
        let Some(place_id) = self.place.id.clone() else {
            return Ok(());
        };
        let locale = Locale {
            lang: self.place.language,
            twelve_hour: self.place.twelve_hour,
            utc_offset_secs: env.utc_offset_secs,
        };
        let name = self
            .place
            .name
            .clone()
            .or_else(|| self.place.label.clone())
            .unwrap_or_else(|| "Doorpost".into());
        let mut stays = self.stays.clone();
        let (kept, toasts) = stays.no_shows(env.wall, &name, &locale);
        let result = self
            .with_store(move |s| s.keep_stay_memory(&place_id, &kept))
            .await?;
        if let Err(e) = result {
            // Not kept means not shown: showing it could repeat it after a restart. The
            // watch keeps its memory, so the alert is not retried in a loop either.
            tracing::warn!("could not keep a no-show, so it was not shown: {e}");
            self.stays = stays;
            return Ok(());
        }
        self.stays = stays;
        for toast in toasts {
            tracing::info!("told the host a guest has not arrived by the deadline");
            show(Arc::clone(&self.notifier), toast).await;
        }
        Ok(())
    }

    /// How long until the "can't check" notice falls due (the timer that keeps it); quiet
    /// hours hold it, and their end is looked for every [`CLOCK_CHECK`].
    fn outage_wait(&self) -> Duration {
        let quiet = self.decision_env().quiet(&self.settings);
        match self.poller.notice_due() {
            Some(due) if !quiet => Duration::from_millis(due.since(self.now()).max(0) as u64),
            _ => CLOCK_CHECK,
        }
    }

    /// Shows the "Doorpost can't check" notice when it is due and quiet hours do not hold
    /// it (see [`doorpost_core::outage`]).
    async fn tell_outage(&mut self) {
        let env = self.decision_env();
        let quiet = env.quiet(&self.settings);
        let Some(notice) = self.poller.poll_notice(self.now(), quiet) else {
            return;
        };
        let locale = Locale {
            lang: self.place.language,
            twelve_hour: self.place.twelve_hour,
            utc_offset_secs: env.utc_offset_secs,
        };
        let toast = Toast::Alert {
            title: notice.title(&locale, self.place.name.as_deref()),
            body: notice.body(&locale, env.wall),
        };
        tracing::warn!(cause = ?notice.cause, "told the host this place cannot check");
        show(Arc::clone(&self.notifier), toast).await;
    }

    /// Decides the place's pending rows now, outside a sync, and shows what it planned.
    async fn reconsider(&mut self, held: Option<(Millis, Millis)>) -> Result<(), EngineError> {
        let mut env = self.decision_env();
        env.quiet_ended = held;
        let Some(place_id) = env.place.id.clone() else {
            return Ok(());
        };
        let settings = self.settings.clone();
        let stays = self.stays.clone();
        let decided = self
            .with_store(move |store| {
                let mut plan = NotificationPlan::default();
                let day = env.day(&settings);
                store
                    .decide_now_marked(&place_id, day, env.wall, |pending, marks| {
                        plan = stays.plan(&env, pending, marks, &settings, None);
                        plan.decisions.clone()
                    })
                    .map(|_| plan)
            })
            .await?;
        match decided {
            Ok(plan) => self.announce(plan.toasts).await,
            Err(e) => {
                tracing::warn!("could not decide held notifications: {e}");
                Ok(())
            }
        }
    }

    async fn commit(&mut self, commit: Commit) -> Result<(), EngineError> {
        if !self.within_budget().await? {
            return Ok(());
        }
        let settings = self.settings.clone();
        let source = self.source.clone();
        let new_state = commit.state.clone();
        let kind = commit.kind;
        let finished = commit.finish.is_some();
        let env = self.decision_env();
        let earlier_new = self.earlier_new;
        let doors = doors_named(&commit.events);
        let mut stays = self.stays.clone();
        let (written, stays) = self
            .with_store(move |store| {
                reload_stays(&mut stays, store, &settings, &env);
                let written = write_commit_with(
                    store,
                    &source,
                    &settings,
                    &env,
                    &commit,
                    earlier_new,
                    &mut stays,
                );
                (written, stays)
            })
            .await?;
        let now = self.now();
        match written {
            Ok((outcome, plan)) => {
                self.stays = stays;
                self.budget.spent(outcome.inserted.len());
                failpoint("committed");
                self.poller.handle_committed(
                    now,
                    Ok(Written {
                        state: new_state,
                        oldest_new: outcome.oldest_new(),
                    }),
                );
                self.earlier_new = if finished {
                    0
                } else {
                    self.earlier_new + outcome.inserted.len()
                };
                let toasts = plan.map(|p| p.toasts).unwrap_or_default();
                if finished {
                    self.last_success_wall = Some(self.clock.wall());
                }
                let shown = toasts.len();
                self.announce(toasts).await?;
                let stored = self.stored(&outcome, &doors);
                let _ = self.reports.send(SyncReport {
                    kind,
                    inserted: outcome.inserted.len(),
                    updated: outcome.updated,
                    toasts: shown,
                    finished,
                    changed: after_commit(&stored),
                });
            }
            Err(e) => {
                tracing::warn!("could not write a sync: {e}");
                self.earlier_new = 0;
                self.poller.handle_committed(now, Err(e.to_string()));
            }
        }
        Ok(())
    }

    /// What a written sync changed, for the window: counts, and doors new or renamed.
    fn stored(
        &mut self,
        outcome: &store::CommitOutcome,
        doors: &[(String, Option<String>)],
    ) -> Stored {
        let decided = |keep: fn(NotifyDecision) -> bool| {
            outcome.decided.iter().filter(|d| keep(d.decision)).count()
        };
        Stored {
            inserted: outcome.inserted.len(),
            updated: outcome.updated,
            settled: decided(|d| d != NotifyDecision::Hold),
            suppressed: decided(|d| d == NotifyDecision::Suppressed),
            doors_renamed: self.door_names.note(
                doors
                    .iter()
                    .map(|(id, name)| (id.as_str(), name.as_deref())),
            ),
        }
    }

    /// Marks each toast's events notified, then shows it (at most once; see module docs).
    async fn announce(&mut self, toasts: Vec<Toast>) -> Result<(), EngineError> {
        for toast in toasts {
            let ids: Vec<String> = toast.event_ids().into_iter().map(String::from).collect();
            let marked = self
                .with_store(move |s| {
                    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                    s.mark_notified(&refs)
                })
                .await?;
            if let Err(e) = marked {
                // Not marked means not shown: showing it could repeat it after a restart.
                tracing::warn!("could not record a notification, so it was not shown: {e}");
                continue;
            }
            failpoint("marked");
            show(Arc::clone(&self.notifier), toast).await;
        }
        Ok(())
    }

    fn publish_status(&self) {
        let poller = self.poller.status();
        let published = self.status.borrow();
        let next_check = match (poller.next_check, published.next_check) {
            (Some(at), Some(wall)) if published.poller.next_check == Some(at) => Some(wall),
            (at, _) => at.map(|t| self.to_wall(t)),
        };
        drop(published);
        let status = EngineStatus {
            poller,
            last_success: self.last_success_wall,
            next_check,
            quiet: self.decision_env().quiet(&self.settings),
        };
        self.status.send_if_modified(|old| {
            if *old == status {
                false
            } else {
                *old = status;
                true
            }
        });
    }
}

/// Hands one toast to the notifier, within [`NOTIFY_TIMEOUT`].
async fn show(notifier: Arc<dyn Notifier>, toast: Toast) {
    let shown = tokio::time::timeout(
        NOTIFY_TIMEOUT,
        tokio::task::spawn_blocking(move || notifier.show(&toast)),
    )
    .await;
    match shown {
        Ok(Ok(Ok(()))) => failpoint("shown"),
        Ok(Ok(Err(e))) => tracing::warn!("notification not shown: {e}"),
        Ok(Err(_)) | Err(_) => tracing::warn!("notification service did not answer"),
    }
}

/// Everything a notification decision needs besides the rows and the settings, fixed at
/// one wall-clock instant.
#[derive(Debug, Clone)]
pub struct DecisionEnv {
    pub place: PlaceContext,
    /// The local time's offset east of UTC: quiet hours, the day's start, toast times.
    pub utc_offset_secs: i32,
    pub wall: Millis,
    /// The quiet hours whose held rows make the digest, when not the last that ended by
    /// the clock (quiet hours turned off while they held).
    pub quiet_ended: Option<(Millis, Millis)>,
}

impl DecisionEnv {
    /// Quiet hours hold now.
    pub fn quiet(&self, settings: &Settings) -> bool {
        settings
            .quiet_hours
            .as_ref()
            .is_some_and(|q| q.window_at(self.wall, self.utc_offset_secs).is_some())
    }

    /// When the day begins, for "arrivals".
    pub fn day(&self, settings: &Settings) -> DayRule {
        DayRule {
            starts_at: settings.day_starts_at.minutes(),
            utc_offset_secs: self.utc_offset_secs,
        }
    }

    /// The policy's plan for `pending`; `finish` is the sync that ends now, if one does.
    pub fn plan(
        &self,
        pending: &[Candidate<'_>],
        settings: &Settings,
        finish: Option<&Finish>,
    ) -> NotificationPlan {
        let mut effective = settings.clone();
        if let Some(mode) = self.place.notify_mode {
            effective.notify_mode = mode;
        }
        let quiet_ended = self.quiet_ended.or_else(|| {
            settings
                .quiet_hours
                .as_ref()
                .and_then(|q| q.last_ended(self.wall, self.utc_offset_secs))
        });
        let ctx = PolicyContext {
            catch_up: finish.is_some_and(|f| f.catch_up),
            server_now: finish.and_then(|f| f.server_now),
            locale: Locale {
                lang: self.place.language,
                twelve_hour: self.place.twelve_hour,
                utc_offset_secs: self.utc_offset_secs,
            },
            quiet: self.quiet(settings),
            quiet_ended,
            place_label: self.place.label.as_deref(),
        };
        policy::plan(pending, &effective, ctx)
    }
}

/// Reads the place's stays and staff anew (each poll cycle); a failure keeps the last.
fn reload_stays(stays: &mut StaysWatch, store: &Store, settings: &Settings, env: &DecisionEnv) {
    if let Some(place) = env.place.id.as_deref()
        && let Err(e) = stays.reload(store, place, settings, env.wall)
    {
        tracing::warn!("could not read the place's stays; the last ones are kept: {e}");
    }
}

/// Writes one commit of a sync in one transaction: its rows, the poller's state and, on
/// the sync's last commit, the poll-log row and the notification decision over every row
/// still pending. Returns what was written and, on the last commit, the toasts to show.
pub fn write_commit(
    store: &mut Store,
    source: &str,
    settings: &Settings,
    env: &DecisionEnv,
    commit: &Commit,
    earlier_new: usize,
) -> Result<(store::CommitOutcome, Option<NotificationPlan>), store::StoreError> {
    let mut stays = StaysWatch::new(env.wall);
    write_commit_with(
        store,
        source,
        settings,
        env,
        commit,
        earlier_new,
        &mut stays,
    )
}

/// [`write_commit`] with the place's stays: where they are active, the new unlocks are
/// marked in the same transaction and the plan carries the stay alerts.
fn write_commit_with(
    store: &mut Store,
    source: &str,
    settings: &Settings,
    env: &DecisionEnv,
    commit: &Commit,
    earlier_new: usize,
    stays: &mut StaysWatch,
) -> Result<(store::CommitOutcome, Option<NotificationPlan>), store::StoreError> {
    let state_json = serde_json::to_string(&commit.state).unwrap_or_default();
    let log = commit.finish.as_ref().map(|f| PollLogEntry {
        at: env.wall,
        outcome: if f.record.not_modified {
            PollOutcome::NotModified
        } else {
            PollOutcome::Fetched
        },
        requests: f.record.requests,
        bytes: f.record.bytes,
        error: None,
    });
    let c = store::Commit {
        source,
        place_id: env.place.id.as_deref(),
        day: env.day(settings),
        events: &commit.events,
        quarantined: &commit.quarantined,
        state_json: &state_json,
        news_floor: commit.news_floor,
        log,
        earlier_new,
        seen_at: env.wall,
    };
    let mut plan = None;
    if !stays.active() {
        let outcome = store.commit(&c, |pending| {
            failpoint("in-transaction");
            let Some(finish) = &commit.finish else {
                return vec![NotifyDecision::Hold; pending.len()];
            };
            let decided = env.plan(pending, settings, Some(finish));
            let decisions = decided.decisions.clone();
            plan = Some(decided);
            decisions
        })?;
        return Ok((outcome, plan));
    }
    let mut marked = stays.clone();
    let view: &StaysWatch = stays;
    let outcome = store.commit_marked(
        &c,
        |fresh| marked.classify(fresh),
        |pending, marks| {
            failpoint("in-transaction");
            let Some(finish) = &commit.finish else {
                return vec![NotifyDecision::Hold; pending.len()];
            };
            let decided = view.plan(env, pending, marks, settings, Some(finish));
            let decisions = decided.decisions.clone();
            plan = Some(decided);
            decisions
        },
    )?;
    *stays = marked;
    Ok((outcome, plan))
}

/// Each door a sync's events name, with the name they give it.
fn doors_named(events: &[doorpost_core::event::EventLog]) -> Vec<(String, Option<String>)> {
    events
        .iter()
        .filter_map(|e| {
            let door = e.door.as_ref()?;
            Some((door.id.clone()?, door.name.clone()))
        })
        .collect()
}
