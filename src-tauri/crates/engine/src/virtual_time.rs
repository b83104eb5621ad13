//! The real client and the real store on virtual time.
//!
//! [`VirtualTimeSync`] runs exactly what the [`crate::driver`] runs (the core's poller, the
//! HTTP client over loopback, [`crate::driver::write_commit`] into a real SQLite file, the
//! at-most-once announcement) but takes its `now` from a counter, and moves the fake
//! server's clock (and the wall clock it reports) along with it. Hours of polling at the default interval then take
//! seconds, with every request real: the variant tests and the idle-hour benchmark use it.
//! It is not used by the app.

use std::path::Path;

use doorpost_core::outage::Notice;
use doorpost_core::policy::Toast;
use doorpost_core::poller::{Commit, Poller, PollerConfig, SyncKind, SyncState, Written};
use doorpost_core::settings::Settings;
use doorpost_core::time::{Millis, Mono};

use crate::driver::{DecisionEnv, EngineError, PlaceContext, write_commit};
use crate::http::{ApiToken, BaseUrl, ParakeyClient, Timeouts, source_key, wall_now};
use crate::store::{PollLogEntry, PollOutcome, Store};
use doorpost_sim::FakeControl;

pub struct VirtualTimeSync {
    pub poller: Poller,
    client: ParakeyClient,
    pub store: Store,
    pub source: String,
    pub settings: Settings,
    config: PollerConfig,
    fake: FakeControl,
    /// The fake's clock at virtual time zero.
    origin: Millis,
    /// Virtual monotonic time.
    pub now: Mono,
    /// Every toast announced, in order.
    pub toasts: Vec<Toast>,
    /// Kinds of the syncs written, in order.
    pub syncs: Vec<SyncKind>,
    pub failures: Vec<String>,
    /// Every "Doorpost can't check" notice, with the virtual time it was shown at.
    pub notices: Vec<(Mono, Notice)>,
    /// Requests sent, answered or not.
    pub requests: u64,
    seed: u64,
    earlier_new: usize,
}

impl VirtualTimeSync {
    /// Puts the fake on a manual clock (starting at its current time) and opens the store.
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
        let state = load_state(&store, &source)?;
        let settings = store.load_settings()?;
        let timeouts = Timeouts {
            connect: std::time::Duration::from_secs(2),
            read: std::time::Duration::from_secs(2),
            total: std::time::Duration::from_secs(3),
        };
        Ok(VirtualTimeSync {
            poller: Poller::new(config.clone(), state, seed, Mono(0)),
            client: ParakeyClient::new(base, token, timeouts)?,
            store,
            source,
            settings,
            config,
            fake,
            origin,
            now: Mono(0),
            toasts: Vec::new(),
            syncs: Vec::new(),
            failures: Vec::new(),
            notices: Vec::new(),
            requests: 0,
            seed,
            earlier_new: 0,
        })
    }

    /// The fake's clock now.
    pub fn server_now(&self) -> Millis {
        self.origin.plus(self.now.0)
    }

    /// A process restart: a new poller from the stored state (in-memory state is lost).
    pub fn restart(&mut self) -> Result<(), EngineError> {
        let state = load_state(&self.store, &self.source)?;
        self.seed = self.seed.wrapping_add(1);
        self.poller = Poller::new(self.config.clone(), state, self.seed, self.now);
        self.earlier_new = 0;
        Ok(())
    }

    /// The wall clock this run pretends it is: the fake's clock at virtual time zero plus
    /// the virtual time elapsed.
    fn wall(&self) -> Millis {
        self.server_now()
    }

    /// Runs every check due within the next `ms` of virtual time.
    pub async fn run_for(&mut self, ms: i64) -> Result<(), EngineError> {
        let until = self.now.plus(ms);
        loop {
            self.fake.set_now(self.server_now());
            self.poller.observe_wall(self.now, self.wall());
            if let Some(req) = self.poller.poll_request(self.now) {
                self.requests += 1;
                let response = self.client.send(&req).await;
                self.poller.handle_response(self.now, response);
                continue;
            }
            if let Some(record) = self.poller.poll_record() {
                let error = record.error.clone().unwrap_or_default();
                self.store.log_poll(
                    &self.source,
                    &PollLogEntry {
                        at: self.server_now(),
                        outcome: PollOutcome::Failed,
                        requests: record.requests,
                        bytes: record.bytes,
                        error: record.error,
                    },
                )?;
                self.failures.push(error);
            }
            if let Some(commit) = self.poller.poll_commit() {
                self.commit(commit)?;
                continue;
            }
            if let Some(notice) = self.poller.poll_notice(self.now, false) {
                self.notices.push((self.now, notice));
            }
            let next = [self.poller.poll_timeout(), self.poller.notice_due()]
                .into_iter()
                .flatten()
                .min()
                .map_or(until, |t| t.max(self.now.plus(1)))
                .min(until);
            self.now = next;
            if next >= until {
                self.fake.set_now(self.server_now());
                let _ = wall_now();
                return Ok(());
            }
        }
    }

    /// Writes a commit as the driver does, then announces its toasts (marked first).
    fn commit(&mut self, commit: Commit) -> Result<(), EngineError> {
        let finished = commit.finish.is_some();
        let written = write_commit(
            &mut self.store,
            &self.source,
            &self.settings,
            &DecisionEnv {
                place: PlaceContext::default(),
                utc_offset_secs: 0,
                wall: wall_now(),
                quiet_ended: None,
            },
            &commit,
            self.earlier_new,
        );
        match written {
            Ok((outcome, plan)) => {
                let written = Written {
                    state: commit.state.clone(),
                    oldest_new: outcome.oldest_new(),
                };
                self.poller.handle_committed(self.now, Ok(written));
                self.earlier_new = if finished {
                    0
                } else {
                    self.earlier_new + outcome.inserted.len()
                };
                if finished {
                    self.syncs.push(commit.kind);
                }
                for toast in plan.map(|p| p.toasts).unwrap_or_default() {
                    let ids = toast.event_ids();
                    self.store.mark_notified(&ids)?;
                    self.toasts.push(toast);
                }
            }
            Err(e) => {
                self.earlier_new = 0;
                self.poller.handle_committed(self.now, Err(e.to_string()));
            }
        }
        Ok(())
    }
}

fn load_state(store: &Store, source: &str) -> Result<SyncState, EngineError> {
    Ok(store
        .load_state(source)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}
