//! The real driver on virtual time.
//!
//! [`VirtualTimeSync`] starts the [`crate::driver`] itself (the core's poller, the HTTP
//! client over loopback, a real SQLite file, the at-most-once announcement) on a
//! [`VirtualClock`], and records what it shows. Virtual time moves only when the harness
//! moves it, and only while the driver waits for it: the driver says where it waits
//! ([`VirtualClock::sleep`]), the harness sets the clock (and the fake server's, and the
//! wall clock both report) to that moment, and waits until the driver waits again. Every
//! request, commit and toast happens in real time between two such moves, so hours of
//! polling at the default interval take seconds, in the same order every run. The variant
//! tests and the sync benchmarks use it; the app does not.
//!
//! Tokio's paused time is not used: with real sockets it fires timeouts early whenever the
//! runtime idles on I/O. The client's timeouts and the notifier's stay real.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use doorpost_core::policy::Toast;
use doorpost_core::poller::{PollerConfig, RefreshRefused, Status, SyncKind, SyncState};
use doorpost_core::settings::Settings;
use doorpost_core::time::{Millis, Mono};
use doorpost_sim::FakeControl;
use tokio::sync::{broadcast, watch};

use crate::clock::DriverClock;
use crate::driver::{self, EngineError, EngineHandle, EngineOptions, PlaceContext, SyncReport};
use crate::http::{ApiToken, BaseUrl, Timeouts, source_key};
use crate::notifier::{Notifier, NotifyError};
use crate::store::{PollOutcome, Store};

/// Longest the driver may take, in real time, between two waits (a catch-up of a hundred
/// thousand rows in a debug build included) before the harness gives up on it.
const STEP_LIMIT: Duration = Duration::from_secs(300);

/// The driver's side of virtual time: it reads the harness's clock and says where it waits.
pub struct VirtualClock {
    now: watch::Receiver<Mono>,
    /// The wall clock (and the fake server's) at virtual time zero.
    origin: Millis,
    /// How many times the driver has waited, and until when it waits now. Dropped with the
    /// driver, which tells the harness that the driver stopped.
    parked: watch::Sender<(u64, Mono)>,
}

impl VirtualClock {
    pub fn now(&self) -> Mono {
        *self.now.borrow()
    }

    pub fn wall(&self) -> Millis {
        self.origin.plus(self.now().0)
    }

    /// Waits until the harness moves the clock `wait` on: at least a millisecond, since
    /// virtual time moves only while the driver waits.
    pub async fn sleep(&self, wait: Duration) {
        let ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX).max(1);
        let until = self.now().plus(ms);
        self.parked.send_modify(|(waits, at)| {
            *waits += 1;
            *at = until;
        });
        let mut now = self.now.clone();
        if now.wait_for(|now| *now >= until).await.is_err() {
            // The harness is gone; the task is being aborted with it.
            std::future::pending::<()>().await;
        }
    }
}

/// Everything shown, in order, with the virtual time it was shown at.
type Shown = Arc<Mutex<Vec<(Mono, Toast)>>>;

/// The notifier the harness gives the driver: it records.
struct Recorder {
    now: watch::Receiver<Mono>,
    shown: Shown,
}

impl Notifier for Recorder {
    fn show(&self, toast: &Toast) -> Result<(), NotifyError> {
        let at = *self.now.borrow();
        let mut shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        shown.push((at, toast.clone()));
        Ok(())
    }
}

/// The driver running on the harness's clock.
struct Running {
    engine: EngineHandle,
    reports: broadcast::Receiver<SyncReport>,
    parked: watch::Receiver<(u64, Mono)>,
    /// The driver may be running: it was woken after its wait number `n`, and the wait to
    /// look at is a later one (read before waking it: on a runtime with several threads, it
    /// may be waiting again before the harness looks).
    awake: Option<u64>,
}

pub struct VirtualTimeSync {
    running: Option<Running>,
    clock: watch::Sender<Mono>,
    fake: FakeControl,
    store_path: PathBuf,
    base: BaseUrl,
    token: ApiToken,
    config: PollerConfig,
    seed: u64,
    /// The fake's clock at virtual time zero.
    origin: Millis,
    shown: Shown,
    /// Failed checks and requests already on record when the harness began.
    failures_before: usize,
    requests_before: u64,
    /// A second connection to the driver's SQLite file, for reading.
    pub store: Store,
    pub source: String,
    /// Virtual monotonic time.
    pub now: Mono,
    /// Every toast announced, in order ("can't check" notices aside).
    pub toasts: Vec<Toast>,
    /// Kinds of the syncs written, in order.
    pub syncs: Vec<SyncKind>,
    /// The poll log's error of each failed check, in order.
    pub failures: Vec<String>,
    /// Every "Doorpost can't check" notice (a [`Toast::Alert`]), with the virtual time it
    /// was shown at.
    pub notices: Vec<(Mono, Toast)>,
    /// Requests the fake received since the harness began (a test's `reset_stats` restarts
    /// the count).
    pub requests: u64,
    /// The place the driver watches (default: none, rows without a place).
    pub place: PlaceContext,
}

impl VirtualTimeSync {
    /// Puts the fake on a manual clock (starting at its current time) and opens the store.
    /// The driver starts with the first [`VirtualTimeSync::run_for`].
    pub fn new(
        fake: FakeControl,
        store_path: &Path,
        token: &str,
        config: PollerConfig,
        seed: u64,
    ) -> Result<VirtualTimeSync, EngineError> {
        let origin = fake.now();
        fake.set_clock(doorpost_sim::Clock::Manual { now: origin });
        let base = BaseUrl::parse(&fake.base_url())?;
        let token = ApiToken::new(token)?;
        let source = source_key(&base, &token);
        let store = Store::open(store_path)?;
        let failures_before = failed_checks(&store)?.len();
        Ok(VirtualTimeSync {
            running: None,
            clock: watch::Sender::new(Mono(0)),
            requests_before: fake.requests_since_reset(),
            fake,
            store_path: store_path.to_path_buf(),
            base,
            token,
            config,
            seed,
            origin,
            shown: Shown::default(),
            failures_before,
            store,
            source,
            now: Mono(0),
            toasts: Vec::new(),
            syncs: Vec::new(),
            failures: Vec::new(),
            notices: Vec::new(),
            requests: 0,
            place: PlaceContext::default(),
        })
    }

    /// The fake's clock now.
    pub fn server_now(&self) -> Millis {
        self.origin.plus(self.now.0)
    }

    /// A process restart: the driver stops and a new one starts from the stored state with
    /// the next seed (in-memory state is lost).
    pub async fn restart(&mut self) -> Result<(), EngineError> {
        self.collect();
        if let Some(running) = self.running.take() {
            running.engine.shutdown().await?;
        }
        // No driver to wake: the clock may catch up with `run_for`'s end.
        self.clock.send_replace(self.now);
        self.seed = self.seed.wrapping_add(1);
        self.start().await
    }

    /// Runs everything due within the next `ms` of virtual time. What falls due exactly at
    /// the end runs with the next call, so that a test can change the fake in between.
    pub async fn run_for(&mut self, ms: i64) -> Result<(), EngineError> {
        let until = self.now.plus(ms);
        let due = loop {
            let due = self.settle().await?;
            if due >= until {
                break due;
            }
            self.advance_to(due);
        };
        self.now = until;
        self.fake.set_now(self.server_now());
        // Not far enough to wake the driver: when it waits until `until` itself, its
        // clock stops a millisecond short.
        self.clock
            .send_replace(if due > until { until } else { until.minus(1) });
        self.collect();
        Ok(())
    }

    /// The poller's status as the driver last published it.
    pub async fn status(&mut self) -> Result<Status, EngineError> {
        self.settle().await?;
        let running = self.running.as_ref().ok_or(EngineError::Stopped)?;
        Ok(running.engine.status().borrow().poller.clone())
    }

    /// The poller's state as last written.
    pub fn state(&self) -> Result<SyncState, EngineError> {
        load_state(&self.store, &self.source)
    }

    /// "Check now", as the window asks it; the check runs with the next `run_for`.
    pub async fn refresh_now(&mut self) -> Result<Result<(), RefreshRefused>, EngineError> {
        self.settle().await?;
        let running = self.running.as_mut().ok_or(EngineError::Stopped)?;
        // The command wakes the driver, which waits again once it is done.
        running.awake = Some(running.parked.borrow().0);
        let refused = running.engine.refresh_now().await;
        Ok(refused)
    }

    /// New settings for the running driver, as the hub applies them when saved; they take
    /// effect with the next `run_for`. `Err` carries the driver's refusal.
    pub async fn apply_settings(
        &mut self,
        settings: Settings,
    ) -> Result<Result<(), String>, EngineError> {
        self.settle().await?;
        let running = self.running.as_mut().ok_or(EngineError::Stopped)?;
        running.awake = Some(running.parked.borrow().0);
        Ok(running.engine.apply_settings(settings).await)
    }

    async fn start(&mut self) -> Result<(), EngineError> {
        let (parked, parked_rx) = watch::channel((0, self.now));
        let clock = VirtualClock {
            now: self.clock.subscribe(),
            origin: self.origin,
            parked,
        };
        let opts = EngineOptions {
            store_path: self.store_path.clone(),
            base: self.base.clone(),
            token: self.token.clone(),
            notifier: Arc::new(Recorder {
                now: self.clock.subscribe(),
                shown: Arc::clone(&self.shown),
            }),
            poller_config: Some(self.config.clone()),
            seed: self.seed,
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                read: Duration::from_secs(2),
                total: Duration::from_secs(3),
            },
            utc_offset_secs: Some(0),
            place: self.place.clone(),
            start_delay: Duration::ZERO,
            simulator: None,
        };
        let engine = driver::start_on(opts, DriverClock::Virtual(clock)).await?;
        self.running = Some(Running {
            reports: engine.subscribe(),
            engine,
            parked: parked_rx,
            awake: Some(0),
        });
        Ok(())
    }

    /// Waits until the driver waits for the clock (starting it first if it is not
    /// running), and returns until when.
    async fn settle(&mut self) -> Result<Mono, EngineError> {
        if self.running.is_none() {
            self.start().await?;
        }
        let running = self.running.as_mut().ok_or(EngineError::Stopped)?;
        if let Some(seen) = running.awake {
            let waited = running.parked.wait_for(|(waits, _)| *waits > seen);
            let parked = matches!(tokio::time::timeout(STEP_LIMIT, waited).await, Ok(Ok(_)));
            if !parked {
                return Err(self.stopped().await);
            }
            running.awake = None;
        }
        let until = running.parked.borrow().1;
        Ok(until)
    }

    /// Moves virtual time (and the fake's clock) to `at`, where the driver waits: it wakes.
    fn advance_to(&mut self, at: Mono) {
        if let Some(running) = &mut self.running {
            running.awake = Some(running.parked.borrow().0);
        }
        self.now = at;
        self.fake.set_now(self.server_now());
        self.clock.send_replace(at);
    }

    /// The driver stopped or hangs: its own error, if it returned one.
    async fn stopped(&mut self) -> EngineError {
        let Some(running) = self.running.take() else {
            return EngineError::Stopped;
        };
        match tokio::time::timeout(Duration::from_secs(5), running.engine.shutdown()).await {
            Ok(Err(e)) => e,
            Ok(Ok(())) | Err(_) => EngineError::Stopped,
        }
    }

    /// Brings the public record up to date: toasts, notices, syncs, failures, requests.
    fn collect(&mut self) {
        let shown = std::mem::take(&mut *self.shown.lock().unwrap_or_else(PoisonError::into_inner));
        for (at, toast) in shown {
            match toast {
                Toast::Alert { .. } => self.notices.push((at, toast)),
                _ => self.toasts.push(toast),
            }
        }
        if let Some(running) = &mut self.running {
            loop {
                match running.reports.try_recv() {
                    Ok(report) if report.finished => self.syncs.push(report.kind),
                    Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                    Err(_) => break,
                }
            }
        }
        if let Ok(failed) = failed_checks(&self.store) {
            self.failures = failed.into_iter().skip(self.failures_before).collect();
        }
        self.requests = self
            .fake
            .requests_since_reset()
            .saturating_sub(self.requests_before);
    }
}

/// The error of every failed check on record, oldest first.
fn failed_checks(store: &Store) -> Result<Vec<String>, EngineError> {
    Ok(store
        .poll_log_since(Millis(i64::MIN))?
        .into_iter()
        .filter(|row| row.outcome == PollOutcome::Failed)
        .map(|row| row.error.unwrap_or_default())
        .collect())
}

fn load_state(store: &Store, source: &str) -> Result<SyncState, EngineError> {
    Ok(store
        .load_state(source)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}
