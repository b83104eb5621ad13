//! The poller: a sans-IO state machine that decides when to ask Parakey for what, and what
//! to keep.
//!
//! Shaped like quinn-proto's `Connection`: the driver asks [`Poller::poll_request`] for the
//! next HTTP request, performs it, and hands the result to [`Poller::handle_response`];
//! when a sync finishes, [`Poller::poll_commit`] yields a [`Commit`] (rows, new durable
//! [`SyncState`], poll-log entry) that the driver writes in one SQLite transaction and then
//! acknowledges with [`Poller::handle_committed`]. [`Poller::poll_timeout`] says when to call
//! [`Poller::handle_timeout`]. Every method takes `now`: monotonic milliseconds from the
//! driver. The poller never reads a clock and draws jitter from a seeded [`Rng`].
//!
//! What it guarantees (the traps are in `shared/docs/parakey-api.md`):
//! - The watermark is server data only: the largest `createdAt` received, or the server's
//!   `Date` when nothing was received. The client's clock never becomes the watermark.
//! - Every fetch starts at `watermark − overlap` and de-duplicates by id, so ties, in-flight
//!   rows and inclusive/exclusive `startDate` do not matter.
//! - Paging goes on until the server has nothing older in the window (an empty page, or
//!   rows older than the window), never `len < limit`, so a silent `limit` cap is harmless;
//!   a server that ignores `skip` is detected and paged by moving `endDate` down instead.
//! - The probe uses the fetch's ordering (`createdAt:DESC`); its ETag, the watermark and the
//!   rows are committed together and only after the whole fetch succeeded.
//! - A full fetch at least every 30 minutes and a reconciliation sweep (48 h, hourly) catch
//!   a server that serves stale ETags; a probe row missing from the fetch that should have
//!   held it reveals a server that filters `startDate` on `timestamp`, after which fetches
//!   page by `createdAt` without `startDate`.
//! - At most one request is in flight; failures back off exponentially with jitter;
//!   `Retry-After` is honoured; 401/403 stops polling until the token changes.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::event::{EventLog, Page, PageError, Quarantined};
use crate::rng::Rng;
use crate::time::Millis;

/// How the token is presented. Parakey's docs show both; the first that works is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthStyle {
    /// `access-token: <token>`
    AccessToken,
    /// `Authorization: Bearer <token>`
    Bearer,
}

impl AuthStyle {
    fn other(self) -> AuthStyle {
        match self {
            AuthStyle::AccessToken => AuthStyle::Bearer,
            AuthStyle::Bearer => AuthStyle::AccessToken,
        }
    }
}

/// The poller's durable state for one source (base URL + token), written with every commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncState {
    /// Largest `createdAt` received (server clock). `None` until the first backfill.
    pub watermark: Option<Millis>,
    /// The probe's ETag, byte for byte, from a 200 whose rows are committed.
    pub probe_etag: Option<String>,
    /// Id and `createdAt` of the probe's top row, for servers that send no ETag.
    pub probe_top: Option<(String, Millis)>,
    /// The auth style that last worked.
    pub auth: Option<AuthStyle>,
    /// Server time (`Date`, else arrival) of the last successful check.
    pub last_success: Option<Millis>,
    /// The server ignores `skip`/`offset`: page by `endDate` instead.
    pub skip_ignored: bool,
    /// What the server's `startDate` filters on, once evidence says.
    pub start_filter: StartFilter,
    /// The most rows this server has returned in one page. A later page with fewer rows
    /// than this and than asked for cannot have been cut by a silent cap, so it is the
    /// last one; before any page is seen, paging goes on to an empty page.
    pub largest_page: u32,
}

/// What `startDate` filters on. Until a late upload proves `createdAt`, sweeps do not
/// trust it and page by `createdAt` without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum StartFilter {
    #[default]
    Unknown,
    /// Seen: a row with `timestamp` before the window but `createdAt` inside it.
    CreatedAt,
    /// Seen: the probe's newest row missing from a window that must hold it.
    Timestamp,
}

/// Tunables, all in milliseconds unless named otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollerConfig {
    pub interval: i64,
    /// How far behind the watermark each fetch starts.
    pub overlap: i64,
    /// How much history the first sync loads (silently).
    pub backfill: i64,
    /// A full fetch happens at least this often, whatever the probe says.
    pub full_fetch_every: i64,
    pub sweep_every: i64,
    pub sweep_window: i64,
    /// `limit` asked for per page; the server may cap it silently.
    pub page_limit: u32,
    /// `refresh_now` calls closer than this are refused.
    pub refresh_min_gap: i64,
    pub max_backoff: i64,
    pub max_retry_after: i64,
    /// A check after a longer silence than this is a catch-up: one summary, no toasts.
    pub catch_up_after: i64,
    /// Wall clock moving this much more than the monotonic clock means sleep/resume.
    pub clock_jump: i64,
    /// A single sync never takes more pages than this (protects against a server that
    /// pages forever); hitting it fails the sync.
    pub max_pages: u32,
}

impl Default for PollerConfig {
    fn default() -> Self {
        PollerConfig::from_settings(&crate::settings::Settings::default())
    }
}

impl PollerConfig {
    /// Timings for tests that run real processes in real time: a check every `interval`
    /// ms, full fetches and sweeps a few checks apart, no refresh limit, and no catch-up
    /// summaries for the seconds between a kill and a restart.
    pub fn quick(interval: i64) -> PollerConfig {
        PollerConfig {
            interval,
            full_fetch_every: interval * 4,
            sweep_every: interval * 10,
            refresh_min_gap: 0,
            catch_up_after: Millis::HOUR,
            ..PollerConfig::default()
        }
    }

    pub fn from_settings(s: &crate::settings::Settings) -> PollerConfig {
        let interval = i64::from(s.poll_interval_mins.max(1)) * Millis::MINUTE;
        PollerConfig {
            interval,
            overlap: 15 * Millis::MINUTE,
            backfill: i64::from(s.backfill_days.max(1)) * Millis::DAY,
            full_fetch_every: 30 * Millis::MINUTE,
            sweep_every: i64::from(s.reconcile_interval_mins.max(10)) * Millis::MINUTE,
            sweep_window: 48 * Millis::HOUR,
            page_limit: 500,
            refresh_min_gap: 30 * Millis::SECOND,
            max_backoff: (60 * Millis::MINUTE).max(interval),
            max_retry_after: 6 * Millis::HOUR,
            catch_up_after: (3 * interval).max(20 * Millis::MINUTE),
            clock_jump: Millis::MINUTE,
            max_pages: 20_000,
        }
    }
}

/// One `GET /eventLogs` the driver should send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub query: Query,
    pub auth: AuthStyle,
    /// Sent as `If-None-Match`, exactly as stored.
    pub if_none_match: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// `limit=1&orderBy=createdAt:DESC`
    Probe,
    /// A page of a window, newest `createdAt` first.
    Window {
        start: Option<Millis>,
        end: Option<Millis>,
        skip: u32,
        limit: u32,
    },
}

impl Query {
    /// The query string, percent-encoded, without the leading `?`.
    pub fn to_query_string(&self) -> String {
        match self {
            Query::Probe => "limit=1&orderBy=createdAt%3ADESC".into(),
            Query::Window {
                start,
                end,
                skip,
                limit,
            } => {
                let mut q = String::new();
                if let Some(s) = start {
                    q.push_str(&format!("startDate={}&", encode_date(*s)));
                }
                if let Some(e) = end {
                    q.push_str(&format!("endDate={}&", encode_date(*e)));
                }
                q.push_str("orderBy=createdAt%3ADESC");
                q.push_str(&format!("&limit={limit}"));
                if *skip > 0 {
                    q.push_str(&format!("&skip={skip}"));
                }
                q
            }
        }
    }
}

fn encode_date(t: Millis) -> String {
    t.to_rfc3339().replace(':', "%3A").replace('+', "%2B")
}

/// What came back, as the driver saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The server's `Date` header, when present and readable.
    pub server_date: Option<Millis>,
    /// The client's wall clock when the response arrived. Used only to judge how long
    /// Doorpost was away, never as a watermark.
    pub received_wall: Millis,
    /// Bytes received (headers and body), for the poll log.
    pub bytes: u64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200 with a readable body.
    Page { etag: Option<String>, page: Page },
    /// 304 Not Modified.
    NotModified,
    /// 401 or 403.
    AuthRejected { status: u16 },
    /// 429 or 5xx; `retry_after` in ms when the server said.
    Unavailable {
        status: u16,
        retry_after: Option<i64>,
    },
    /// 3xx other than 304: a configuration error; never followed.
    Redirect {
        status: u16,
        location: Option<String>,
    },
    /// Another status (404: wrong base URL, 400: a query this server rejects).
    Unexpected { status: u16 },
    /// 200 whose body could not be read at all.
    BadBody(PageError),
    /// Connect/read/total timeout, reset, DNS, TLS.
    Network(String),
}

/// What kind of sync produced a commit; the notification policy reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncKind {
    /// First sync of a source: history loaded silently.
    Backfill,
    /// Probe said 304 (or the same top row): nothing fetched.
    Unchanged,
    /// Probe said something changed; window fetched.
    Incremental,
    /// Periodic fetch regardless of the probe.
    Full,
    /// Reconciliation over `sweep_window`.
    Sweep,
}

/// The poll-log entry for one check, successful or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRecord {
    pub kind: SyncKind,
    pub requests: u32,
    pub bytes: u64,
    /// `None` on success; the user-facing reason otherwise.
    pub error: Option<String>,
    /// `true` when the check ended with a 304 probe.
    pub not_modified: bool,
}

/// What the driver must write in one transaction, then acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub kind: SyncKind,
    /// Every row received, de-duplicated by id; the store inserts the new ones.
    pub events: Vec<EventLog>,
    pub quarantined: Vec<Quarantined>,
    /// The durable state after this commit.
    pub state: SyncState,
    /// Server time of the check (`Date`, else the largest `createdAt`).
    pub server_now: Option<Millis>,
    /// Doorpost was away (outage, sleep, closed): summarise, don't toast.
    pub catch_up: bool,
    pub record: PollRecord,
}

/// The user-visible phase, for the tray status line and the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum Phase {
    Idle,
    Checking,
    /// Until a monotonic time, or until resumed.
    Paused {
        until: Option<Millis>,
    },
    /// Failing; next attempt at `retry_at`.
    Degraded {
        retry_at: Millis,
        failures: u32,
    },
    /// Parakey rejected the token: nothing happens until it changes.
    AuthRejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub phase: Phase,
    /// Monotonic time of the next scheduled check, when one is scheduled.
    pub next_check: Option<Millis>,
    pub last_error: Option<String>,
    pub auth: Option<AuthStyle>,
}

/// Why `refresh_now` did not start a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefused {
    /// A check is already running.
    Busy,
    /// Asked too soon after the last one, or Parakey asked us to wait; ms to wait.
    TooSoon { wait_ms: i64 },
    /// The token was rejected; set a new one.
    AuthRejected,
}

#[derive(Debug)]
enum Step {
    Idle,
    /// A request is out; the job knows what it was.
    InFlight(Box<Job>),
    /// The job is done; its commit is with the driver.
    Committing,
    AuthStopped,
}

#[derive(Debug)]
struct Job {
    kind: SyncKind,
    auth: AuthStyle,
    auth_retried: bool,
    /// The next response answers the probe (`Incremental` and `Backfill` start with one).
    probing: bool,
    /// A request is out and its response has not been handled yet.
    awaiting: bool,
    /// The probe answered 200: its ETag (or its lack of one) replaces the stored one.
    probe_answered: bool,
    requests: u32,
    bytes: u64,
    probe_etag: Option<String>,
    probe_top: Option<EventLog>,
    fetch: Option<Fetch>,
    server_date: Option<Millis>,
    received_wall: Millis,
    catch_up: bool,
}

#[derive(Debug)]
struct Fetch {
    window_start: Millis,
    use_start: bool,
    limit: u32,
    /// A row proved that `startDate` filters on `createdAt`.
    start_proven: bool,
    /// `endDate` pages in a row that brought nothing new.
    stalls: u8,
    /// `SyncState::largest_page`, updated as pages arrive.
    largest_page: u32,
    paging: Paging,
    pages: u32,
    seen: HashSet<String>,
    seen_raw: HashSet<String>,
    events: Vec<EventLog>,
    quarantined: Vec<Quarantined>,
    skip_ignored_found: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paging {
    Skip(u32),
    /// Inclusive-or-exclusive `endDate`: the request asks for `end + 1 ms` so that both
    /// readings include `end` itself.
    EndDate(Millis),
}

/// The state machine. See the module docs.
#[derive(Debug)]
pub struct Poller {
    config: PollerConfig,
    state: SyncState,
    rng: Rng,
    step: Step,
    pending_commit: Option<Commit>,
    /// Rows the last sweep found in its window: sizes the next trustless sweep's pages.
    last_sweep_rows: u32,
    pending_record: Option<PollRecord>,
    /// Monotonic time at which the next check may start.
    next_check: Millis,
    paused: Option<Option<Millis>>,
    /// Set by `refresh_now` or a clock jump: check as soon as allowed.
    check_soon: bool,
    catch_up_next: bool,
    last_refresh: Option<Millis>,
    /// `Retry-After`: no request before this.
    not_before: Millis,
    failures: u32,
    last_error: Option<String>,
    next_full: Millis,
    next_sweep: Millis,
    clock_base: Option<(Millis, Millis)>,
}

impl Poller {
    /// A poller for one source, resuming from its stored state. The first check of a run
    /// is due at once: a backfill for a new source, else a sweep (Doorpost was not
    /// running, so anything may have happened).
    pub fn new(config: PollerConfig, state: SyncState, seed: u64, now: Millis) -> Poller {
        Poller {
            next_full: now,
            next_sweep: now,
            config,
            state,
            rng: Rng::seeded(seed),
            step: Step::Idle,
            pending_commit: None,
            last_sweep_rows: 0,
            pending_record: None,
            next_check: now,
            paused: None,
            check_soon: false,
            catch_up_next: false,
            last_refresh: None,
            not_before: now,
            failures: 0,
            last_error: None,
            clock_base: None,
        }
    }

    pub fn state(&self) -> &SyncState {
        &self.state
    }

    pub fn config(&self) -> &PollerConfig {
        &self.config
    }

    pub fn status(&self) -> Status {
        let phase = match (&self.step, self.paused) {
            (Step::AuthStopped, _) => Phase::AuthRejected,
            (Step::InFlight(_) | Step::Committing, _) => Phase::Checking,
            (Step::Idle, Some(until)) => Phase::Paused { until },
            (Step::Idle, None) if self.failures > 0 => Phase::Degraded {
                retry_at: self.next_due(),
                failures: self.failures,
            },
            (Step::Idle, None) => Phase::Idle,
        };
        let next_check = match phase {
            Phase::Idle | Phase::Degraded { .. } => Some(self.next_due()),
            _ => None,
        };
        Status {
            phase,
            next_check,
            last_error: self.last_error.clone(),
            auth: self.state.auth,
        }
    }

    fn next_due(&self) -> Millis {
        let at = if self.check_soon {
            self.not_before
        } else {
            self.next_check
        };
        at.max(self.not_before)
    }

    /// When the driver should call [`Poller::handle_timeout`] next; `None` when only an
    /// outside event (a response, a commit, a command) can move the poller.
    pub fn poll_timeout(&self) -> Option<Millis> {
        match (&self.step, self.paused) {
            (Step::Idle, None) => Some(self.next_due()),
            (Step::Idle, Some(Some(until))) => Some(until),
            _ => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Millis) {
        if let Some(Some(until)) = self.paused
            && now >= until
        {
            self.paused = None;
            self.check_soon = true;
        }
    }

    /// The next request to send, if one is due. At most one is ever in flight.
    pub fn poll_request(&mut self, now: Millis) -> Option<Request> {
        self.handle_timeout(now);
        if let Step::Idle = self.step {
            if self.paused.is_some() || now < self.next_due() {
                return None;
            }
            self.start_job(now);
        }
        let Step::InFlight(job) = &mut self.step else {
            return None;
        };
        if job.awaiting {
            return None;
        }
        job.awaiting = true;
        job.requests += 1;
        let query = if job.probing {
            Query::Probe
        } else {
            let f = job
                .fetch
                .as_ref()
                .expect("a job that is not probing is fetching");
            f.next_query()
        };
        let if_none_match = match (job.kind, &query) {
            (SyncKind::Incremental, Query::Probe) => self.state.probe_etag.clone(),
            _ => None,
        };
        Some(Request {
            query,
            auth: job.auth,
            if_none_match,
        })
    }

    fn start_job(&mut self, now: Millis) {
        self.check_soon = false;
        let kind = if self.state.watermark.is_none() {
            SyncKind::Backfill
        } else if now >= self.next_sweep {
            SyncKind::Sweep
        } else if now >= self.next_full {
            SyncKind::Full
        } else {
            SyncKind::Incremental
        };
        // Schedule the next regular check from the start of this one: the interval is the
        // spacing between checks, whatever a check costs.
        self.next_check = now.plus(self.config.interval);
        let mut job = Box::new(Job {
            kind,
            auth: self.state.auth.unwrap_or(AuthStyle::AccessToken),
            auth_retried: false,
            probing: matches!(kind, SyncKind::Backfill | SyncKind::Incremental),
            awaiting: false,
            probe_answered: false,
            requests: 0,
            bytes: 0,
            probe_etag: None,
            probe_top: None,
            fetch: None,
            server_date: None,
            received_wall: Millis(0),
            catch_up: std::mem::take(&mut self.catch_up_next),
        });
        if !job.probing {
            let watermark = self.state.watermark.unwrap_or_default();
            let window = match kind {
                SyncKind::Sweep => self.config.sweep_window,
                _ => self.config.overlap,
            };
            job.fetch = Some(self.new_fetch(kind, watermark.minus(window)));
        }
        self.step = Step::InFlight(job);
    }

    fn new_fetch(&self, kind: SyncKind, window_start: Millis) -> Fetch {
        // Trust `startDate` where a miss costs little: a backfill, and every fetch once the
        // server is known to filter on `createdAt`. Sweeps on an unproven server, and every
        // fetch on a server known to filter on `timestamp`, page by `createdAt` alone, with
        // pages sized to what the window is expected to hold.
        let use_start = match self.state.start_filter {
            StartFilter::CreatedAt => true,
            StartFilter::Timestamp => kind == SyncKind::Backfill,
            StartFilter::Unknown => kind != SyncKind::Sweep,
        };
        // Small pages only where paging is reliable: `endDate` paging (no `skip`) on a
        // server whose dates may mean device time is not, so it gets the largest pages.
        let limit = if use_start || self.state.skip_ignored {
            self.config.page_limit
        } else if kind == SyncKind::Sweep {
            (self.last_sweep_rows + 25).min(self.config.page_limit)
        } else {
            50.min(self.config.page_limit)
        };
        Fetch {
            window_start,
            use_start,
            limit,
            paging: if self.state.skip_ignored {
                Paging::EndDate(Millis(i64::MAX / 2))
            } else {
                Paging::Skip(0)
            },
            pages: 0,
            seen: HashSet::new(),
            seen_raw: HashSet::new(),
            events: Vec::new(),
            quarantined: Vec::new(),
            skip_ignored_found: false,
            start_proven: false,
            stalls: 0,
            largest_page: self.state.largest_page,
        }
    }

    /// Feed the response to the last request from [`Poller::poll_request`].
    pub fn handle_response(&mut self, now: Millis, response: Response) {
        let Step::InFlight(job) = &mut self.step else {
            return; // a stray response (e.g. after a reset); nothing waits for it
        };
        job.awaiting = false;
        job.bytes += response.bytes;
        job.received_wall = response.received_wall;
        if response.server_date.is_some() {
            job.server_date = response.server_date;
        }
        match response.outcome {
            Outcome::Page { etag, page } => {
                self.state.auth = Some(job.auth);
                if job.probing {
                    self.handle_probe(now, etag, page);
                } else {
                    self.handle_page(now, page);
                }
            }
            Outcome::NotModified => {
                self.state.auth = Some(job.auth);
                if job.probing && job.kind == SyncKind::Incremental {
                    self.finish(now, true);
                } else {
                    // We never send If-None-Match on a window; a 304 there is a confused
                    // server. Treat like a failure so nothing is marked as covered.
                    self.fail(
                        now,
                        "Parakey answered 304 to a request without an ETag.".into(),
                        None,
                    );
                }
            }
            Outcome::AuthRejected { status } => {
                if !job.auth_retried {
                    // Try the other header form once, for the same request.
                    job.auth_retried = true;
                    job.auth = job.auth.other();
                } else {
                    self.fail(
                        now,
                        format!(
                            "Parakey rejected the token ({status}). Create a new one in the Parakey app under Settings → Integrations and paste it into Doorpost."
                        ),
                        None,
                    );
                    self.state.auth = None;
                    self.step = Step::AuthStopped;
                }
            }
            Outcome::Unavailable {
                status,
                retry_after,
            } => {
                let why = if status == 429 {
                    "Parakey asked Doorpost to slow down (429).".to_string()
                } else {
                    format!("Parakey is having trouble ({status}).")
                };
                self.fail(now, why, retry_after);
            }
            Outcome::Redirect { status, location } => {
                let to = location.unwrap_or_else(|| "another address".into());
                self.fail(
                    now,
                    format!(
                        "Parakey's address redirected ({status}) to {to}. Doorpost does not follow redirects with your token; check the API address."
                    ),
                    None,
                );
            }
            Outcome::Unexpected { status } => self.fail(
                now,
                format!("Parakey answered {status}; check the API address."),
                None,
            ),
            Outcome::BadBody(e) => {
                self.fail(now, format!("Parakey sent an unreadable answer: {e}"), None)
            }
            Outcome::Network(e) => self.fail(now, format!("Couldn't reach Parakey: {e}"), None),
        }
    }

    fn handle_probe(&mut self, now: Millis, etag: Option<String>, page: Page) {
        let Step::InFlight(job) = &mut self.step else {
            return;
        };
        job.probing = false;
        job.probe_answered = true;
        job.probe_etag = etag;
        let top = page.events.into_iter().max_by_key(|e| e.created_at);
        let top_key = top.as_ref().map(|e| (e.id.clone(), e.created_at));
        job.probe_top = top;
        match job.kind {
            SyncKind::Backfill => {
                let reference = job
                    .server_date
                    .or(job.probe_top.as_ref().map(|e| e.created_at));
                match reference {
                    Some(server_now) => {
                        let start = server_now.minus(self.config.backfill);
                        let fetch = self.new_fetch(SyncKind::Backfill, start);
                        if let Step::InFlight(job) = &mut self.step {
                            job.fetch = Some(fetch);
                        }
                    }
                    // No Date header and no event at all: an empty account on a server
                    // without a clock. Nothing to load; try again next time.
                    None => self.finish(now, false),
                }
            }
            _ => {
                // Without an ETag, an unchanged top row is the next best "nothing new".
                let unchanged = job.probe_etag.is_none()
                    && top_key.is_some()
                    && top_key == self.state.probe_top
                    && !job.catch_up;
                if unchanged {
                    self.finish(now, true);
                } else {
                    let watermark = self.state.watermark.unwrap_or_default();
                    let fetch =
                        self.new_fetch(SyncKind::Incremental, watermark.minus(self.config.overlap));
                    if let Step::InFlight(job) = &mut self.step {
                        job.fetch = Some(fetch);
                    }
                }
            }
        }
    }

    fn handle_page(&mut self, now: Millis, page: Page) {
        let Step::InFlight(job) = &mut self.step else {
            return;
        };
        let Some(fetch) = job.fetch.as_mut() else {
            return;
        };
        fetch.pages += 1;
        match fetch.take_page(page) {
            PageVerdict::More => {
                if fetch.pages >= self.config.max_pages {
                    self.fail(
                        now,
                        "Parakey kept sending pages; the sync was stopped.".into(),
                        None,
                    );
                }
            }
            PageVerdict::Done => self.finish(now, false),
        }
    }

    /// Ends the current job successfully: builds the commit.
    fn finish(&mut self, now: Millis, not_modified: bool) {
        let Step::InFlight(job) = std::mem::replace(&mut self.step, Step::Committing) else {
            return;
        };
        let job = *job;
        let mut state = self.state.clone();
        let server_now = job.server_date;
        let mut events = Vec::new();
        let mut quarantined = Vec::new();
        let probe_top = job.probe_top.as_ref().map(|e| (e.id.clone(), e.created_at));
        if let Some(fetch) = job.fetch {
            if fetch.skip_ignored_found {
                state.skip_ignored = true;
            }
            if fetch.start_proven {
                state.start_filter = StartFilter::CreatedAt;
            }
            state.largest_page = state.largest_page.max(fetch.largest_page);
            if job.kind == SyncKind::Sweep {
                let start = fetch.window_start;
                self.last_sweep_rows = fetch
                    .events
                    .iter()
                    .filter(|e| e.created_at >= start)
                    .count()
                    .try_into()
                    .unwrap_or(u32::MAX);
            }
            // The probe's top row is the newest by createdAt. A window that should have held
            // it but did not means `startDate` filters on something else (`timestamp`).
            if let Some(top) = &job.probe_top
                && fetch.use_start
                && top.created_at > fetch.window_start
                && !fetch.seen.contains(&top.id)
            {
                state.start_filter = StartFilter::Timestamp;
                // Rows the old mode missed are found by a sweep in the new one.
                self.next_sweep = now;
                self.check_soon = true;
            }
            events = fetch.events;
            quarantined = fetch.quarantined;
        }
        if let Some(top) = job.probe_top
            && !events.iter().any(|e| e.id == top.id)
        {
            events.push(top);
        }
        // Watermark: the newest createdAt received, but never past the server's own clock
        // (a record dated in the future must not push the window beyond real rows).
        let ceiling = server_now.map(|d| d.plus(5 * Millis::MINUTE));
        let newest = events
            .iter()
            .map(|e| e.created_at)
            .filter(|c| ceiling.is_none_or(|ceil| *c <= ceil))
            .max();
        let floor = state.watermark;
        state.watermark = match (floor, newest, server_now) {
            (Some(w), Some(n), _) => Some(w.max(n)),
            (Some(w), None, _) => Some(w),
            (None, Some(n), _) => Some(n),
            (None, None, Some(d)) if job.kind == SyncKind::Backfill => Some(d),
            (None, None, _) => None,
        };
        if job.probe_answered {
            state.probe_etag = job.probe_etag;
            state.probe_top = probe_top;
        }
        let check_time = server_now.or(newest).unwrap_or(job.received_wall);
        let away = state
            .last_success
            .is_some_and(|last| check_time.since(last) > self.config.catch_up_after);
        state.last_success = Some(check_time);
        match job.kind {
            SyncKind::Sweep => {
                self.next_sweep = now.plus(self.config.sweep_every);
                self.next_full = now.plus(self.config.full_fetch_every);
            }
            SyncKind::Full | SyncKind::Backfill => {
                self.next_full = now.plus(self.config.full_fetch_every);
            }
            SyncKind::Incremental if !not_modified => {
                self.next_full = now.plus(self.config.full_fetch_every);
            }
            _ => {}
        }
        let kind = if not_modified {
            SyncKind::Unchanged
        } else {
            job.kind
        };
        self.pending_commit = Some(Commit {
            kind,
            events,
            quarantined,
            state,
            server_now: server_now.or(newest),
            catch_up: job.catch_up || away,
            record: PollRecord {
                kind,
                requests: job.requests,
                bytes: job.bytes,
                error: None,
                not_modified,
            },
        });
    }

    fn fail(&mut self, now: Millis, why: String, retry_after: Option<i64>) {
        let record = match std::mem::replace(&mut self.step, Step::Idle) {
            Step::InFlight(job) => Some(PollRecord {
                kind: job.kind,
                requests: job.requests,
                bytes: job.bytes,
                error: Some(why.clone()),
                not_modified: false,
            }),
            _ => None,
        };
        self.pending_record = record;
        self.failures += 1;
        let exp = self.failures.saturating_sub(1).min(20);
        let base = self
            .config
            .interval
            .saturating_mul(1_i64 << exp)
            .min(self.config.max_backoff);
        // Jitter ±25%, never below the interval: failures must not poll faster than success.
        let jittered = self
            .rng
            .range(base * 3 / 4, base * 5 / 4)
            .max(self.config.interval);
        let wait = match retry_after {
            Some(ra) => jittered.max(ra.clamp(0, self.config.max_retry_after)),
            None => jittered,
        };
        if let Some(ra) = retry_after {
            self.not_before = now.plus(ra.clamp(0, self.config.max_retry_after));
        }
        self.next_check = now.plus(wait);
        self.check_soon = false;
        // What an outage hid is summarised, not toasted: the next commit compares its server
        // time with the last success's.
        self.last_error = Some(why);
    }

    /// A sync finished; write it. Until [`Poller::handle_committed`] is called nothing else
    /// is sent.
    pub fn poll_commit(&mut self) -> Option<Commit> {
        self.pending_commit.take()
    }

    /// A failed check to append to the poll log (no other writes go with it).
    pub fn poll_record(&mut self) -> Option<PollRecord> {
        self.pending_record.take()
    }

    /// The driver wrote (or failed to write) the last commit. Only a written commit moves
    /// the durable state forward; a failed write is retried like a failed fetch.
    pub fn handle_committed(&mut self, now: Millis, result: Result<SyncState, String>) {
        if !matches!(self.step, Step::Committing) {
            return;
        }
        self.step = Step::Idle;
        match result {
            Ok(state) => {
                self.state = state;
                self.failures = 0;
                self.last_error = None;
            }
            Err(why) => {
                self.fail(now, format!("Couldn't save to the history: {why}"), None);
                // The rows were not saved; the next check fetches them again for real.
                self.next_full = now;
            }
        }
    }

    /// "Check now". Allowed while paused (one check; the pause stays), refused when a check
    /// runs, when asked again within `refresh_min_gap`, or while Parakey's `Retry-After`
    /// holds.
    pub fn refresh_now(&mut self, now: Millis) -> Result<(), RefreshRefused> {
        match self.step {
            Step::AuthStopped => return Err(RefreshRefused::AuthRejected),
            Step::InFlight(_) | Step::Committing => return Err(RefreshRefused::Busy),
            Step::Idle => {}
        }
        if let Some(last) = self.last_refresh {
            let wait = last.plus(self.config.refresh_min_gap).since(now);
            if wait > 0 {
                return Err(RefreshRefused::TooSoon { wait_ms: wait });
            }
        }
        if self.not_before > now {
            return Err(RefreshRefused::TooSoon {
                wait_ms: self.not_before.since(now),
            });
        }
        self.last_refresh = Some(now);
        // A manual check fetches for real: the user asked because they doubt the probe.
        self.next_full = self.next_full.min(now);
        self.start_job(now);
        Ok(())
    }

    /// Pause until a monotonic time, or until [`Poller::resume`] when `None`.
    pub fn pause(&mut self, until: Option<Millis>) {
        self.paused = Some(until);
    }

    /// Resume; a check is due at once (anything may have happened meanwhile).
    pub fn resume(&mut self) {
        if self.paused.take().is_some() {
            self.check_soon = true;
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused.is_some()
    }

    /// New settings: the interval and windows change now; an earlier next check is kept.
    pub fn apply_config(&mut self, now: Millis, config: PollerConfig) {
        let sooner = now.plus(config.interval);
        if sooner < self.next_check {
            self.next_check = sooner;
        }
        self.config = config;
    }

    /// Feed both clocks now and then (say every 30 s). When the wall clock ran ahead of the
    /// monotonic one (the machine slept) a catch-up check is due at once.
    pub fn observe_clocks(&mut self, now: Millis, wall: Millis) -> bool {
        let jumped = match self.clock_base {
            Some((mono0, wall0)) => {
                (wall.since(wall0) - now.since(mono0)).abs() > self.config.clock_jump
            }
            None => false,
        };
        self.clock_base = Some((now, wall));
        if jumped {
            self.check_soon = true;
            self.catch_up_next = true;
            self.next_full = self.next_full.min(now);
        }
        jumped
    }
}

enum PageVerdict {
    More,
    Done,
}

impl Fetch {
    fn next_query(&self) -> Query {
        let limit = self.limit;
        let start = self.use_start.then_some(self.window_start);
        match self.paging {
            Paging::Skip(skip) => Query::Window {
                start,
                end: None,
                skip,
                limit,
            },
            Paging::EndDate(end) if end.0 >= i64::MAX / 2 => Query::Window {
                start,
                end: None,
                skip: 0,
                limit,
            },
            Paging::EndDate(end) => Query::Window {
                start,
                end: Some(end.plus(1)),
                skip: 0,
                limit,
            },
        }
    }

    fn take_page(&mut self, page: Page) -> PageVerdict {
        let received = page.events.len() + page.quarantined.len();
        if received == 0 {
            return PageVerdict::Done;
        }
        let oldest = page.events.iter().map(|e| e.created_at).min();
        let newest_first = page
            .events
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at);
        let mut progressed = false;
        for e in page.events {
            // A row from before the window by device time but inside it by arrival, found
            // through `startDate`: the server filters on `createdAt`.
            if self.use_start
                && e.created_at > self.window_start
                && e.timestamp
                    .is_some_and(|t| t < self.window_start.minus(Millis::SECOND))
            {
                self.start_proven = true;
            }
            if self.seen.insert(e.id.clone()) {
                progressed = true;
                self.events.push(e);
            }
        }
        for q in page.quarantined {
            let key = q.id.clone().unwrap_or_else(|| q.raw.clone());
            if self.seen_raw.insert(key) {
                progressed = true;
                self.quarantined.push(q);
            }
        }
        if let Some(oldest) = oldest
            && newest_first
            && oldest < self.window_start
        {
            return PageVerdict::Done; // past the window: everything older is out of scope
        }
        let received_u32 = u32::try_from(received).unwrap_or(u32::MAX);
        let short = received_u32 < self.limit && received_u32 < self.largest_page;
        self.largest_page = self.largest_page.max(received_u32);
        if short && progressed {
            return PageVerdict::Done; // fewer rows than this server has proven it sends
        }
        let oldest_all = self.events.iter().map(|e| e.created_at).min();
        if progressed {
            self.stalls = 0;
        }
        match (self.paging, progressed) {
            (Paging::Skip(skip), true) => {
                self.paging = Paging::Skip(skip + received as u32);
                PageVerdict::More
            }
            (Paging::Skip(0), false) => PageVerdict::Done,
            (Paging::Skip(_), false) => {
                // The same rows again for a later offset: `skip` is ignored. Continue below
                // the oldest row seen, by `endDate`.
                self.skip_ignored_found = true;
                match oldest_all {
                    Some(o) => {
                        self.paging = Paging::EndDate(o);
                        PageVerdict::More
                    }
                    None => PageVerdict::Done,
                }
            }
            (Paging::EndDate(_), true) => match oldest_all {
                Some(o) => {
                    self.paging = Paging::EndDate(o);
                    PageVerdict::More
                }
                None => PageVerdict::Done,
            },
            (Paging::EndDate(end), false) => {
                // Only rows already seen at or after `end`: step one millisecond below it.
                // Two steps pass a tie under either reading of `endDate`; a third page with
                // nothing new means the server has nothing more to give. (More rows sharing
                // one `createdAt` than the page cap cannot be listed by a server that also
                // ignores `skip`; see the README.)
                self.stalls += 1;
                let below = end.minus(1);
                if below < self.window_start || end.0 >= i64::MAX / 2 || self.stalls >= 3 {
                    PageVerdict::Done
                } else {
                    self.paging = Paging::EndDate(below);
                    PageVerdict::More
                }
            }
        }
    }
}

/// Parses `Retry-After`: delta-seconds, or an HTTP-date measured against the server's own
/// `Date` when it sent one (so skew between the clocks does not matter), else against the
/// client's wall clock. Returns milliseconds, never negative.
pub fn retry_after_ms(value: &str, server_date: Option<Millis>, wall_now: Millis) -> Option<i64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<i64>() {
        return Some(secs.max(0).saturating_mul(1_000));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let reference = server_date.unwrap_or(wall_now);
    Some((at.timestamp_millis() - reference.0).max(0))
}

#[cfg(test)]
mod tests;
