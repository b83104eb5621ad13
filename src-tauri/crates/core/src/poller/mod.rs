//! The poller: a sans-IO state machine that decides when to ask Parakey for what, and what
//! to keep.
//!
//! Shaped like quinn-proto's `Connection`: the driver asks [`Poller::poll_request`] for the
//! next HTTP request, performs it, and hands the result to [`Poller::handle_response`];
//! whenever there is something to store, [`Poller::poll_commit`] yields a [`Commit`] that
//! the driver writes in one SQLite transaction and acknowledges with
//! [`Poller::handle_committed`]. [`Poller::poll_timeout`] says when to call
//! [`Poller::handle_timeout`]. `now` is the driver's elapsed-time clock, which keeps
//! counting while the machine sleeps (Linux `CLOCK_BOOTTIME`), so every deadline (the next
//! check, a retry, `Retry-After`) holds across suspend and ignores wall-clock steps; the
//! wall clock is only fed in ([`Poller::observe_wall`]) for pauses until a time of day and
//! to tell how long Doorpost was closed. Jitter comes from a seeded [`Rng`].
//!
//! What it guarantees (the traps are in `shared/docs/parakey-api.md`):
//! - **Documented parameters only.** A window is listed by [`listing::Listing`]: the newest
//!   rows first, then an ascending walk with a rising `startDate`; `skip` is an optimisation
//!   checked on every page. No belief about the page size ever ends a window.
//! - **Progress survives.** Pages are committed with their resume point, several together
//!   while they arrive back to back (up to [`PollerConfig::commit_every_records`] rows) and
//!   always before any wait: a failure commits what was read, keeps the sync and retries the
//!   same request (pacing itself by `Retry-After`); a restart resumes a walk where it
//!   stopped. The probe's ETag, the watermark and the "checked" time are committed only
//!   with the sync's last page.
//! - **The watermark is server data only**: the largest `createdAt` received (never past the
//!   server's `Date` + 5 min), or the `Date` header when nothing was received.
//! - **Nothing old is news.** The server time at which watching began is recorded; rows
//!   that arrived before it, or before the window a sync was asked to look at, are stored
//!   as history. The notification decision for everything else is made once per finished
//!   sync, over every row still pending (crash recovery included), with that sync's server
//!   time and "was Doorpost away" verdict.
//! - **Polite.** One request in flight; one check per interval in steady state; a failure is
//!   retried after about 30 s, then 1, 2, 4 min and on up to an hour; `Retry-After` is a
//!   minimum; 401/403 (both header forms) stops polling until the token changes.

mod listing;

use serde::{Deserialize, Serialize};

use crate::event::{EventLog, Page, PageError, Quarantined};
use crate::outage::{Cause, Notice, OutageWatch};
use crate::rng::Rng;
use crate::time::Millis;

pub use listing::{Incomplete, IncompleteReason};
use listing::{Listing, Next};

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

/// What `startDate` filters on, as far as the rows have shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum StartFilter {
    #[default]
    Unknown,
    /// Seen: a row with its device time before `startDate` but `createdAt` after it.
    CreatedAt,
    /// Seen: `startDate` dropped rows that the newest pages hold.
    Timestamp,
}

/// What the server does with `skip` (undocumented), as far as the pages have shown. Only
/// ever used to decide whether to *try* `skip`; every page read through it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum SkipSupport {
    #[default]
    Unknown,
    Honoured,
    /// The same rows came back.
    Ignored,
    /// 400: the server validates its parameters and does not know `skip`.
    Rejected,
}

/// What the server refused, learned per place (rule 14 of `parakey-api.md`): each refusal
/// changes the request, and what it taught is kept, then forgotten an hour after it was
/// learned, so that the richer form is tried again now and then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Learned {
    /// The largest `limit` to send: named by the server's error text, else stepped down to
    /// after a refusal, or a page that failed every time until it was smaller.
    pub max_limit: Option<u32>,
    /// `orderBy=createdAt:ASC` refused: windows are listed with the documented
    /// `startDate=…&orderBy=createdAt:DESC` form only.
    pub asc_refused: bool,
    /// `orderBy=createdAt:ASC` answered with a page since it was last refused (shown in
    /// `doctor` and Status; "not known yet" until a walk asked for it).
    pub asc_accepted: bool,
    /// The largest `limit` the server answered with a page.
    pub largest_accepted: Option<u32>,
    /// The client's wall clock when the oldest of the lessons above was learned.
    pub since_wall: Option<Millis>,
    /// The last refusal: status and the start of the server's answer (cut).
    pub last_refusal: Option<String>,
    /// The `createdAt` of a record the server cannot serve (every page holding it fails),
    /// pinned to its millisecond by stepping past it: later walks step straight past it,
    /// and the control request asks from after it. Kept a day.
    pub unservable: Option<Millis>,
    /// The client's wall clock when `unservable` was pinned.
    pub unservable_since_wall: Option<Millis>,
    /// The requests a minute the server accepted before it answered 429 without
    /// `Retry-After`: no minute holds more from then on; one more is tried after ten
    /// minutes without a 429. Forgotten an hour after it was last changed.
    pub per_minute: Option<u32>,
    /// The client's wall clock when `per_minute` was last changed.
    pub per_minute_since_wall: Option<Millis>,
}

impl Learned {
    /// Lessons are kept this long, then the richer form is tried again.
    pub const KEPT: i64 = Millis::HOUR;

    fn note(&mut self, wall: Millis) {
        if self.since_wall.is_none() {
            self.since_wall = Some(wall);
        }
    }

    /// Forgets the lessons once they are [`Learned::KEPT`] old (the last refusal stays, for
    /// Status).
    fn expire(&mut self, wall: Millis) {
        if self
            .since_wall
            .is_some_and(|at| wall.since(at) >= Self::KEPT)
        {
            self.max_limit = None;
            self.asc_refused = false;
            self.since_wall = None;
        }
        if self
            .unservable_since_wall
            .is_some_and(|at| wall.since(at) >= Millis::DAY)
        {
            self.unservable = None;
            self.unservable_since_wall = None;
        }
        if self
            .per_minute_since_wall
            .is_some_and(|at| wall.since(at) >= Self::KEPT)
        {
            self.per_minute = None;
            self.per_minute_since_wall = None;
        }
    }

    /// A 429 after `before` requests within its minute: the pace, never raised by it.
    fn note_rate_limit(&mut self, before: u32, wall: Millis) {
        self.per_minute = Some(self.per_minute.map_or(before, |n| n.min(before)).max(1));
        self.per_minute_since_wall = Some(wall);
    }

    /// Ten minutes at the pace without a 429: one more request a minute is tried (a pace
    /// learned too low climbs back; the next 429 sets it again).
    fn note_answered(&mut self, wall: Millis) {
        if let (Some(n), Some(at)) = (self.per_minute, self.per_minute_since_wall)
            && wall.since(at) >= 10 * Millis::MINUTE
        {
            self.per_minute = Some(n.saturating_add(1));
            self.per_minute_since_wall = Some(wall);
        }
    }

    fn pin_unservable(&mut self, at: Option<Millis>, wall: Millis) {
        if at.is_some() && at != self.unservable {
            self.unservable = at;
            self.unservable_since_wall = Some(wall);
        }
    }

    fn cap(&self, limit: u32) -> u32 {
        self.max_limit.map_or(limit, |m| limit.min(m.max(1)))
    }
}

/// An unfinished walk, to pick up after a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    pub kind: SyncKind,
    pub window_start: Millis,
    /// The `startDate` of the walk's next page.
    pub walk_from: Millis,
    /// Rows at or after this `createdAt` are stored already.
    pub covered_from: Millis,
}

/// The poller's durable state for one source (base URL + token), written with every commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncState {
    /// Every row with `createdAt` before `watermark − overlap` is stored; the largest
    /// `createdAt` received (server clock). `None` until the first sync finished.
    pub watermark: Option<Millis>,
    /// Server time at which Doorpost began watching this source: anything that arrived
    /// before it is history. `i64::MIN` when the account was empty and the server sent no
    /// clock (then every row is news).
    pub watch_start: Option<Millis>,
    /// The probe's ETag, byte for byte, from a 200 whose window is committed.
    pub probe_etag: Option<String>,
    /// A digest of the probe's rows, for servers that send no ETag.
    pub probe_digest: Option<u64>,
    /// The probe's page held no readable row from the server's present (only unreadable or
    /// future-dated ones): its ETag cannot see new rows arrive, so it is not trusted.
    pub probe_blind: bool,
    /// The auth style that last worked.
    pub auth: Option<AuthStyle>,
    /// Server time (`Date`) of the last finished sync.
    pub last_success: Option<Millis>,
    /// Server time (`Date`) of the first answer to the last finished sync: rows created
    /// while it ran are at or after it, wherever its walk was when they arrived.
    pub last_started: Option<Millis>,
    /// The client's wall clock at the last finished sync: with the wall clock now, how long
    /// Doorpost was closed (client time against client time, never against `createdAt`).
    pub last_success_wall: Option<Millis>,
    pub start_filter: StartFilter,
    pub skip: SkipSupport,
    pub resume: Option<Resume>,
    /// The last window that could not be listed completely; cleared by a sweep that could.
    pub incomplete: Option<Incomplete>,
    /// What the server refused, and what it accepted.
    pub learned: Learned,
}

/// Tunables, all in milliseconds unless named otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollerConfig {
    pub interval: i64,
    /// How far behind the watermark each fetch starts.
    pub overlap: i64,
    /// How much history the first sync loads (silently).
    pub backfill: i64,
    /// A fetch that ignores the ETag happens at least this often.
    pub full_fetch_every: i64,
    pub sweep_every: i64,
    pub sweep_window: i64,
    /// `limit` of the probe (the newest rows, conditional on the ETag).
    pub probe_limit: u32,
    /// `limit` of every other page; the server may cap it silently.
    pub page_limit: u32,
    /// `refresh_now` calls closer than this are refused.
    pub refresh_min_gap: i64,
    /// The first retry after a failure; each further failure doubles it.
    pub retry_first: i64,
    pub max_backoff: i64,
    pub max_retry_after: i64,
    /// A check after a longer silence than this is a catch-up: one summary, no toasts.
    pub catch_up_after: i64,
    /// One sync stops (committing its progress, to go on at the next check) after this
    /// many requests, records or bytes received: a server that pages forever, or answers
    /// with huge pages, costs bounded work.
    pub max_sync_requests: u32,
    pub max_sync_records: u64,
    pub max_sync_bytes: u64,
    /// Pages read back to back are committed together once they hold this many records
    /// (1: every page on its own). Whatever is held is committed before any wait.
    pub commit_every_records: usize,
    /// How long a place may fail before the host is told it cannot check (a rejected token
    /// is told at once): [`crate::outage::GRACE`].
    pub cant_check_after: i64,
}

impl Default for PollerConfig {
    fn default() -> Self {
        PollerConfig::from_settings(&crate::settings::Settings::default())
    }
}

impl PollerConfig {
    /// Timings for tests that run real processes in real time: a check every `interval`
    /// ms, full fetches and sweeps a few checks apart, quick retries, no refresh limit, and
    /// no catch-up summaries for the seconds between a kill and a restart.
    pub fn quick(interval: i64) -> PollerConfig {
        PollerConfig {
            interval,
            full_fetch_every: interval * 4,
            sweep_every: interval * 10,
            refresh_min_gap: 0,
            retry_first: (interval / 4).max(50),
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
            cant_check_after: crate::outage::GRACE,
            sweep_every: i64::from(s.reconcile_interval_mins.max(10)) * Millis::MINUTE,
            sweep_window: 48 * Millis::HOUR,
            probe_limit: 20,
            page_limit: 500,
            refresh_min_gap: 30 * Millis::SECOND,
            retry_first: 30 * Millis::SECOND,
            max_backoff: (60 * Millis::MINUTE).max(interval),
            max_retry_after: 6 * Millis::HOUR,
            catch_up_after: (3 * interval).max(20 * Millis::MINUTE),
            max_sync_requests: 5_000,
            max_sync_records: 1_000_000,
            // A million records of about half a KiB each; a page is at most a few MiB.
            max_sync_bytes: 1024 * 1024 * 1024,
            // Each commit rewrites the index pages its rows touched, and Parakey's ids are
            // random: committing 100-row pages one by one wrote ten times the data of the
            // rows. 5,000 rows (a few MB held) keep that small and memory flat.
            commit_every_records: 5_000,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// The newest rows: `limit=N&orderBy=createdAt:DESC`, plus `skip` when > 0 (the only
    /// undocumented parameter Doorpost sends, and only as a checked optimisation).
    Newest { limit: u32, skip: u32 },
    /// The oldest rows from `start` on: `startDate=…&orderBy=createdAt:ASC&limit=N`.
    Ascending {
        start: Millis,
        limit: u32,
        skip: u32,
    },
    /// Parakey's documented form, the floor every other shape falls back to:
    /// `startDate=…&orderBy=createdAt:DESC&limit=N`.
    Since { start: Millis, limit: u32 },
}

impl Query {
    /// The query string, percent-encoded, without the leading `?`.
    pub fn to_query_string(&self) -> String {
        let (start, order, limit, skip) = match *self {
            Query::Newest { limit, skip } => (None, "DESC", limit, skip),
            Query::Ascending { start, limit, skip } => (Some(start), "ASC", limit, skip),
            Query::Since { start, limit } => (Some(start), "DESC", limit, 0),
        };
        let mut q = String::new();
        if let Some(s) = start {
            q.push_str(&format!("startDate={}&", encode_date(s)));
        }
        q.push_str(&format!("limit={limit}&orderBy=createdAt%3A{order}"));
        if skip > 0 {
            q.push_str(&format!("&skip={skip}"));
        }
        q
    }

    /// The `limit` asked for: a page with more records than this is refused.
    pub fn limit(&self) -> u32 {
        match *self {
            Query::Newest { limit, .. }
            | Query::Ascending { limit, .. }
            | Query::Since { limit, .. } => limit,
        }
    }

    /// The same query with `limit` no larger than `max`.
    pub fn capped(self, max: u32) -> Query {
        let max = max.max(1);
        match self {
            Query::Newest { limit, skip } => Query::Newest {
                limit: limit.min(max),
                skip,
            },
            Query::Ascending { start, limit, skip } => Query::Ascending {
                start,
                limit: limit.min(max),
                skip,
            },
            Query::Since { start, limit } => Query::Since {
                start,
                limit: limit.min(max),
            },
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
    /// How long (ms) a caching layer kept the answer (its `Age` header): what it shows is
    /// the server as it was that long ago.
    pub age: Option<i64>,
    /// The client's wall clock when the response arrived. Compared only with the client's
    /// own earlier readings (how long Doorpost was closed), never with server times.
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
    /// Another status (404: wrong base URL, 400: a query this server rejects), with the
    /// start of the body (the server's reason, which may name a limit).
    Unexpected { status: u16, detail: String },
    /// 200 whose body could not be read at all.
    BadBody(PageError),
    /// Connect/read/total timeout, reset, refused, TLS: Parakey did not answer.
    Network(String),
    /// No route to any network, or no name resolution: this computer is offline.
    Offline(String),
}

/// What kind of sync produced a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncKind {
    /// First sync of a source: history loaded silently.
    Backfill,
    /// Probe said 304 (or the same rows): nothing fetched.
    Unchanged,
    /// Probe said something changed.
    Incremental,
    /// Periodic fetch regardless of the ETag.
    Full,
    /// Reconciliation over `sweep_window`.
    Sweep,
    /// The newest rows only, read while a longer sync waits to retry: news is not held
    /// hostage by a backfill, a sweep or a catch-up that is stuck (rule 16). The longer
    /// sync goes on afterwards; nothing durable but the rows changes.
    Live,
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

/// Set on a sync's last commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// Server time of the check (`Date`), when the server sent one.
    pub server_now: Option<Millis>,
    /// Doorpost was away (outage, sleep, closed): summarise, don't toast.
    pub catch_up: bool,
    pub record: PollRecord,
}

/// What the driver must write in one transaction, then acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub kind: SyncKind,
    /// Rows received, as read; the store inserts the new ones and updates changed ones.
    pub events: Vec<EventLog>,
    pub quarantined: Vec<Quarantined>,
    /// The durable state after this commit.
    pub state: SyncState,
    /// New rows whose `createdAt` precedes this are history, never news.
    pub news_floor: Option<Millis>,
    /// `Some` on the sync's last commit: decide the notifications of every row still
    /// pending, in the same transaction.
    pub finish: Option<Finish>,
    /// What this sync could not list completely (on its last commit).
    pub incomplete: Vec<Incomplete>,
}

/// What the driver wrote for a [`Commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The durable state, as written.
    pub state: SyncState,
    /// The oldest `createdAt` among the commit's rows that were new to the store.
    pub oldest_new: Option<Millis>,
}

/// The user-visible phase, for the tray status line and the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum Phase {
    Idle,
    Checking,
    /// Failing; next attempt at `retry_at` (the driver's clock).
    Degraded {
        retry_at: Millis,
        failures: u32,
    },
    /// Parakey rejected the token: nothing happens until it changes.
    AuthRejected,
    /// Parakey's address redirected to another origin: the token is not sent there, and
    /// nothing is sent until the host checks again or changes the address.
    Redirected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub phase: Phase,
    /// The driver's clock at the next scheduled check, when one is scheduled.
    pub next_check: Option<Millis>,
    pub last_error: Option<SyncFailure>,
    pub auth: Option<AuthStyle>,
    /// What the server accepted and refused, for `doctor` and Status.
    pub learned: Learned,
    pub skip: SkipSupport,
    pub start_filter: StartFilter,
    /// A window the server would not let Doorpost list completely.
    pub incomplete: Option<Incomplete>,
    /// A long sync is part-way (pages stored, more to come).
    pub catching_up: bool,
    /// Since when (wall clock) the place cannot check, once the host is told: see
    /// [`crate::outage`].
    pub blind_since: Option<Millis>,
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
    /// A sync in progress: a request is out, or the next one waits for `retry_at`.
    Running(Box<Job>),
    /// A commit is with the driver; the job goes on afterwards unless this was its last.
    Committing {
        job: Option<Box<Job>>,
        kind: SyncKind,
        /// On a sync's last commit: where its window began, and the oldest `createdAt` new
        /// to the store among its earlier commits (see [`Written::oldest_new`]).
        window: Option<(Millis, Option<Millis>)>,
    },
    AuthStopped,
    /// Redirected to another origin (see [`Phase::Redirected`]).
    RedirectStopped,
}

#[derive(Debug)]
struct Job {
    kind: SyncKind,
    auth: AuthStyle,
    auth_retried: bool,
    listing: Listing,
    /// The first request is the probe, sent with `If-None-Match`.
    conditional: bool,
    /// The first request is the newest page (not a resumed walk): its ETag is the probe's.
    probing: bool,
    /// No response handled yet.
    first: bool,
    /// A request is out and its response has not been handled yet.
    awaiting: bool,
    /// The last request, to check the answer against its `limit`.
    last_query: Option<Query>,
    /// No request before this (a retry after a failure).
    retry_at: Millis,
    requests: u32,
    records: u64,
    bytes: u64,
    /// `Some` once the probe answered 200: the ETag (or its absence), the rows' digest and
    /// whether the page was blind, to store at the end.
    probe: Option<(Option<String>, Option<u64>, bool)>,
    server_date: Option<Millis>,
    /// The `Date` of the first answer; without one, the watermark the sync began with (rows
    /// created after it began are dated after both).
    started_date: Option<Millis>,
    /// `started_date` is the server's `Date`.
    started_dated: bool,
    received_wall: Millis,
    /// Largest `createdAt` received that is not in the server's future.
    newest: Option<Millis>,
    news_floor: Option<Millis>,
    /// The backfill of an empty account on a server without a clock.
    empty_without_clock: bool,
    /// Some part of this sync's window could not be listed.
    incomplete: bool,
    /// Pages read but not committed yet (see `commit_every_records`).
    held: Page,
    /// How this sync copes with requests the server fails every time.
    narrow: Narrow,
    /// The oldest `createdAt` new to the store among this sync's written commits.
    oldest_new: Option<Millis>,
    /// Every form was refused: after the wait, a new sync from the richest form, never
    /// the refused request again.
    start_over: bool,
    /// When (this computer's wall clock) the server was as the first answer showed it.
    first_view: Option<Millis>,
    /// A later answer showed the server as it was before that, or any answer as it was
    /// before the last check ended (a caching layer's kept answer, by its `Age`): the sync
    /// lists the window as of that older view only.
    older_view: bool,
    /// When (this computer's wall clock) the last completed check ended.
    previous_end: Option<Millis>,
}

impl Job {
    /// Notes when the server was as an answer shows it: when it came, less its `Age`
    /// (whole seconds, so a second more).
    fn note_view(&mut self, received_wall: Millis, age: Option<i64>) {
        let view = age.map_or(received_wall, |a| received_wall.minus(a + Millis::SECOND));
        // Kept from before the last check ended, it may lack what that check saw arrive.
        self.older_view |= age.is_some() && self.previous_end.is_some_and(|end| view < end);
        match self.first_view {
            None => self.first_view = Some(view),
            Some(first) => self.older_view |= view < first,
        }
    }

    /// The poll-log entry of a failed request of this sync.
    fn failed_record(&self, why: String) -> PollRecord {
        PollRecord {
            kind: self.kind,
            requests: self.requests,
            bytes: self.bytes,
            error: Some(why),
            not_modified: false,
        }
    }
}

/// Telling a request the server fails every time (a record it cannot serialise) from an
/// outage, and changing the request instead of resending it (rule 14).
#[derive(Debug, Default)]
struct Narrow {
    /// The last failed request, how it failed (status, or 0: an unreadable body) and how
    /// many times in a row.
    failed: Option<(Query, u16, u8)>,
    /// The next request is a control (an empty page from tomorrow), to tell an outage
    /// apart.
    control_pending: bool,
    /// The control from tomorrow failed as well: the next asks from a year ahead, past a
    /// record the server's clock dated in its future (which every page from tomorrow would
    /// hold). Failing too, it is an outage.
    control_far: bool,
    /// The control came back since the last failure: other requests succeed.
    confirmed: bool,
    /// The request was changed at least once: failures are the server's answer to one
    /// record, retried quickly rather than backed off.
    active: bool,
    /// A page limit tried because larger pages failed; learned once a page at it came back.
    trial_cap: Option<u32>,
    /// This sync's pages were made smaller at least once.
    narrowed: bool,
    /// This sync listed its window again at full size (see [`Poller::relist_at_full_size`]).
    relisted: bool,
    /// A request of this `limit` was refused without saying why: the next asks the same
    /// for one row, to tell a refused `limit` from a refused form (see
    /// [`Poller::handle_refusal`]).
    limit_probe: Option<u32>,
    /// The last request sent was that one-row question.
    probe_out: bool,
}

/// The live look beside a waiting sync (see [`SyncKind::Live`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiveLook {
    Idle,
    /// Its request is out.
    Sent,
    /// Its commit is with the driver.
    Committing,
}

/// A sync waiting less than this for its retry goes on by itself, without a live look.
const LIVE_MIN_WAIT: i64 = 10 * Millis::SECOND;

/// Remembers when a request went out, for the rate a 429 shows the server accepts.
fn note_sent(sent: &mut std::collections::VecDeque<Millis>, now: Millis) {
    sent.push_back(now);
    while sent.len() > 1 && sent.front().is_some_and(|t| now.since(*t) > Millis::MINUTE) {
        sent.pop_front();
    }
}

/// The state machine. See the module docs.
#[derive(Debug)]
pub struct Poller {
    config: PollerConfig,
    state: SyncState,
    rng: Rng,
    step: Step,
    pending_commit: Option<Commit>,
    pending_record: Option<PollRecord>,
    /// When the next regular check may start.
    next_check: Millis,
    /// The last (now, wall) pair seen, to turn wall-clock deadlines into `now` ones.
    wall_base: Option<(Millis, Millis)>,
    last_refresh: Option<Millis>,
    /// `Retry-After`: no request before this.
    not_before: Millis,
    failures: u32,
    last_error: Option<SyncFailure>,
    /// Whether the place is failing, since when, and whether the host was told.
    outage: OutageWatch,
    next_full: Millis,
    next_sweep: Millis,
    /// `now` of the last finished sync in this run.
    last_success_now: Option<Millis>,
    /// The live look beside a waiting sync: whether one is out or being written.
    live: LiveLook,
    /// When the next live look may go out (the driver's clock): an interval after the last
    /// look at the newest rows.
    live_due: Millis,
    /// Where the live look's next page starts: past the records it could not read (see
    /// [`Poller::handle_live`]); 0 for a fresh look.
    live_skip: u32,
    /// The ids of the records the live look's last page held, to tell a server that ignores
    /// `skip` (the same page again) from the rows beneath.
    live_page: Vec<Option<String>>,
    /// When recent requests went out (the last minute), to learn a rate limit's pace.
    sent: std::collections::VecDeque<Millis>,
    /// A finished sync found rows new to the store beneath its window (see
    /// [`Poller::handle_committed`]; the next sync lists from this `createdAt` at once), or
    /// read pages a caching layer kept (the next sync lists the same window again).
    widen: Option<Millis>,
    /// 429s since the last answered request (see [`Poller::handle_rate_limited`]).
    limited_in_a_row: u32,
    /// The last request sent was a live look.
    last_sent_live: bool,
}

impl Poller {
    /// A poller for one source, resuming from its stored state. The first check of a run
    /// is due at once: a resumed walk, a backfill for a new source, else a sweep (Doorpost
    /// was not running, so anything may have happened).
    pub fn new(config: PollerConfig, state: SyncState, seed: u64, now: Millis) -> Poller {
        let cant_check_after = config.cant_check_after;
        Poller {
            next_full: now,
            next_sweep: now,
            config,
            state,
            rng: Rng::seeded(seed),
            step: Step::Idle,
            pending_commit: None,
            pending_record: None,
            next_check: now,
            wall_base: None,
            last_refresh: None,
            not_before: now,
            failures: 0,
            last_error: None,
            outage: OutageWatch::new(cant_check_after),
            last_success_now: None,
            live: LiveLook::Idle,
            live_due: now,
            live_skip: 0,
            live_page: Vec::new(),
            sent: std::collections::VecDeque::new(),
            widen: None,
            limited_in_a_row: 0,
            last_sent_live: false,
        }
    }

    pub fn state(&self) -> &SyncState {
        &self.state
    }

    pub fn config(&self) -> &PollerConfig {
        &self.config
    }

    pub fn status(&self) -> Status {
        let phase = match &self.step {
            Step::AuthStopped => Phase::AuthRejected,
            Step::RedirectStopped => Phase::Redirected,
            Step::Running(job) if job.awaiting => Phase::Checking,
            Step::Committing { .. } => Phase::Checking,
            _ if self.failures > 0 => Phase::Degraded {
                retry_at: self.next_due(),
                failures: self.failures,
            },
            Step::Running(_) => Phase::Checking,
            Step::Idle => Phase::Idle,
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
            learned: self.state.learned.clone(),
            skip: self.state.skip,
            start_filter: self.state.start_filter,
            incomplete: self.state.incomplete,
            catching_up: self.state.resume.is_some(),
            // As of the wall clock last observed (the driver observes it every loop).
            blind_since: self
                .wall_base
                .and_then(|(_, wall)| self.outage.blind_since(wall)),
        }
    }

    /// The "Doorpost can't check" notice, once it is due at `now` and `quiet` (quiet hours)
    /// does not hold it; taken once per outage (see [`crate::outage`]).
    pub fn poll_notice(&mut self, now: Millis, quiet: bool) -> Option<Notice> {
        self.outage.take_due(self.wall_at(now), quiet)
    }

    /// When (on the driver's clock) the "can't check" notice falls due, if it is pending:
    /// a timer the driver keeps besides [`Poller::poll_timeout`], since backoff spaces the
    /// failed checks minutes apart.
    pub fn notice_due(&self) -> Option<Millis> {
        let due = self.outage.due_at()?;
        Some(self.wall_to_now(due).unwrap_or(due))
    }

    /// When the next request may go out.
    fn next_due(&self) -> Millis {
        let at = match &self.step {
            Step::Running(job) => job.retry_at,
            _ => self.next_check,
        };
        at.max(self.earliest_send())
    }

    /// The earliest the next request may go out: after `Retry-After`, and at the pace a
    /// rate limit showed (see [`Poller::handle_rate_limited`]).
    fn earliest_send(&self) -> Millis {
        let paced = self.state.learned.per_minute.and_then(|n| {
            let (len, n) = (self.sent.len(), usize::try_from(n).unwrap_or(usize::MAX));
            (n > 0 && len >= n).then(|| self.sent[len - n].plus(Millis::MINUTE + 1))
        });
        paced.map_or(self.not_before, |p| p.max(self.not_before))
    }

    /// When the driver should call [`Poller::poll_request`] next; `None` when only an
    /// outside event (a response, a commit, a command) can move the poller.
    pub fn poll_timeout(&self) -> Option<Millis> {
        if self.live != LiveLook::Idle {
            return None;
        }
        match &self.step {
            Step::Running(job) if job.awaiting => None,
            Step::Running(job) => {
                let live = self
                    .live_look_wanted(job)
                    .then_some(self.live_due.max(self.earliest_send()));
                Some(live.map_or(self.next_due(), |at| at.min(self.next_due())))
            }
            Step::Idle => Some(self.next_due()),
            Step::Committing { .. } | Step::AuthStopped | Step::RedirectStopped => None,
        }
    }

    fn wall_to_now(&self, wall: Millis) -> Option<Millis> {
        self.wall_base
            .map(|(now, wall_then)| now.plus(wall.since(wall_then)))
    }

    /// Feed the wall clock now and then (every loop of the driver): the outage watch and
    /// the lessons' expiry are wall-clock, whatever the driver's clock did meanwhile.
    pub fn observe_wall(&mut self, now: Millis, wall: Millis) {
        self.wall_base = Some((now, wall));
    }

    /// The machine woke from sleep (the driver's clock jumped past its monotonic one): an
    /// outage not told yet gets its grace again, since the network may still be coming back
    /// (see [`crate::outage`]).
    pub fn woke(&mut self, now: Millis) {
        self.outage.woke(self.wall_at(now));
    }

    /// The next request to send, if one is due. At most one is ever in flight.
    pub fn poll_request(&mut self, now: Millis) -> Option<Request> {
        if let Step::Running(job) = &self.step
            && job.start_over
            && now >= job.retry_at
        {
            self.step = Step::Idle;
            self.start_job(now);
        }
        if let Step::Idle = self.step {
            if now < self.next_due() {
                return None;
            }
            self.start_job(now);
        }
        if self.live != LiveLook::Idle {
            return None;
        }
        let wall = self.wall_at(now);
        let earliest = self.earliest_send();
        let Step::Running(job) = &mut self.step else {
            return None;
        };
        if job.awaiting {
            return None;
        }
        // A live look that is due takes the next slot; one reading on takes every other
        // one, so that neither starves the other under a rate limit's pace.
        let reading_on = self.live_skip > 0;
        let look_first = now >= self.live_due && (!reading_on || !self.last_sent_live);
        if now < job.retry_at.max(earliest) || look_first {
            if let Some(look) = self.live_request(now) {
                return Some(look);
            }
            let Step::Running(job) = &self.step else {
                return None;
            };
            if now < job.retry_at.max(earliest) {
                return None;
            }
        }
        let Step::Running(job) = &mut self.step else {
            return None;
        };
        job.narrow.probe_out = job.narrow.limit_probe.is_some() && !job.narrow.control_pending;
        let query = if job.narrow.control_pending {
            control_query(&self.state, job, wall)
        } else {
            let Next::Request(query) = job.listing.next() else {
                return None;
            };
            let cap = if job.narrow.probe_out { 1 } else { u32::MAX };
            query.capped(self.state.learned.cap(cap))
        };
        note_sent(&mut self.sent, now);
        self.last_sent_live = false;
        job.awaiting = true;
        job.requests += 1;
        let if_none_match = if job.conditional && job.first && !job.narrow.probe_out {
            self.state.probe_etag.clone()
        } else {
            None
        };
        job.last_query = Some(query);
        Some(Request {
            query,
            auth: job.auth,
            if_none_match,
        })
    }

    fn start_job(&mut self, now: Millis) {
        let wall = self.wall_at(now);
        self.state.learned.expire(wall);
        if self.state.learned.asc_refused {
            // A walk cannot be resumed without `ASC`: the window is listed again.
            self.state.resume = None;
        }
        // The interval is the spacing between checks, whatever a check costs.
        self.next_check = now.plus(self.config.interval);
        let resumed = self.state.resume.is_some();
        // A resumed first load began when watching did.
        let watching = self.state.watch_start.filter(|w| *w != Millis(i64::MIN));
        let began = earliest(
            earliest(self.state.last_started, self.state.watermark),
            watching,
        );
        let (kind, listing) = self.next_listing(now);
        // The probe is a page of the newest rows; a listing that starts with the walk (past
        // a record the server cannot serve) has none.
        let probing =
            self.state.resume.is_none() && kind != SyncKind::Sweep && listing.starts_newest();
        let news_floor = match (self.state.watermark, self.state.watch_start) {
            (Some(w), start) => {
                let floor = w.minus(self.config.overlap);
                Some(start.map_or(floor, |s| s.max(floor)))
            }
            // A backfill resumed after a crash: nothing before watching began is news.
            (None, start) => start,
        };
        self.step = Step::Running(Box::new(Job {
            kind,
            auth: self.state.auth.unwrap_or(AuthStyle::AccessToken),
            auth_retried: false,
            listing,
            conditional: kind == SyncKind::Incremental && probing && !self.state.probe_blind,
            probing,
            first: true,
            awaiting: false,
            last_query: None,
            retry_at: now,
            requests: 0,
            records: 0,
            bytes: 0,
            probe: None,
            server_date: None,
            // A sync resumed after a restart began before this process: no later than the
            // last finished one's start (found by 10,000 random schedules: a sweep resumed
            // after a crash took its start from its first answer after the restart, and
            // the next check's window missed a row created just after its real start).
            started_date: if resumed { began } else { self.state.watermark },
            started_dated: resumed && began.is_some(),
            received_wall: Millis(0),
            newest: None,
            news_floor,
            empty_without_clock: false,
            incomplete: false,
            held: Page::default(),
            narrow: Narrow::default(),
            oldest_new: None,
            start_over: false,
            first_view: None,
            older_view: false,
            previous_end: self.state.last_success_wall,
        }));
    }

    /// What the next sync lists: a resumed walk, the backfill, a window beneath the last
    /// one (see [`Poller::widen_if_new_beneath`]), a sweep, a full fetch or the check.
    fn next_listing(&mut self, now: Millis) -> (SyncKind, Listing) {
        let c = &self.config;
        match (self.state.resume, self.state.watermark) {
            (Some(r), _) => (
                r.kind,
                Listing::resume_walk(
                    r.window_start,
                    r.walk_from,
                    r.covered_from,
                    c.page_limit,
                    self.state.start_filter,
                    self.state.skip,
                )
                .avoiding(self.state.learned.unservable, false),
            ),
            (None, None) => (SyncKind::Backfill, self.listing(Millis(i64::MIN), true)),
            (None, Some(w)) if self.widen.is_some() => {
                let start = self.widen.take().unwrap_or(w);
                (SyncKind::Full, self.listing(start, false))
            }
            (None, Some(w)) => {
                let (kind, window) = if now >= self.next_sweep {
                    (SyncKind::Sweep, c.sweep_window)
                } else if now >= self.next_full {
                    (SyncKind::Full, c.overlap)
                } else {
                    (SyncKind::Incremental, c.overlap)
                };
                // A sweep's window holds far more than the probe's rows: it starts with a
                // full page (and leaves the probe's ETag alone). Rows created while the last
                // sync ran are looked for too: beneath a watermark dated in the server's
                // future (a clock set back meanwhile), its walk had passed them.
                let top = self.state.last_started.map_or(w, |s| s.min(w));
                (
                    kind,
                    self.listing(top.minus(window), kind != SyncKind::Sweep),
                )
            }
        }
    }

    /// A listing of the window from `window_start`, starting with the probe's page or with a
    /// full page of the newest rows.
    fn listing(&self, window_start: Millis, probe_first: bool) -> Listing {
        let learned = &self.state.learned;
        let first_limit = if probe_first {
            self.config.probe_limit
        } else {
            self.config.page_limit
        };
        let listing = Listing::new(
            window_start,
            learned.cap(first_limit),
            learned.cap(self.config.page_limit),
            self.state.start_filter,
            self.state.skip,
        );
        // A record the server cannot serve above every row read: every newest page holds it.
        let on_top = learned
            .unservable
            .is_some_and(|at| self.state.watermark.is_some_and(|w| at > w));
        let listing = if learned.asc_refused {
            listing.without_ascending()
        } else {
            listing
        };
        listing.avoiding(learned.unservable, on_top)
    }

    /// The client's wall clock at `now`, as last observed.
    fn wall_at(&self, now: Millis) -> Millis {
        self.wall_base
            .map_or(now, |(then, wall)| wall.plus(now.since(then)))
    }

    /// Feed the response to the last request from [`Poller::poll_request`].
    pub fn handle_response(&mut self, now: Millis, response: Response) {
        if matches!(
            response.outcome,
            Outcome::Page { .. } | Outcome::NotModified
        ) {
            self.limited_in_a_row = 0;
            let wall = self.wall_at(now);
            self.state.learned.note_answered(wall);
        }
        if self.live == LiveLook::Sent {
            return self.handle_live(now, response);
        }
        let Step::Running(job) = &mut self.step else {
            return; // a stray response (e.g. after a reset); nothing waits for it
        };
        if !job.awaiting {
            return;
        }
        job.awaiting = false;
        job.bytes += response.bytes;
        job.received_wall = response.received_wall;
        let answered = matches!(
            response.outcome,
            Outcome::Page { .. } | Outcome::NotModified
        );
        // (The control and the one-row question about a refused `limit` list nothing.)
        if answered && !job.narrow.control_pending && !job.narrow.probe_out {
            job.note_view(response.received_wall, response.age);
        }
        if response.server_date.is_some() {
            if !std::mem::replace(&mut job.started_dated, true) {
                // The server's clock, where it sends one, rather than the watermark.
                job.started_date = response.server_date;
            }
            job.server_date = response.server_date;
        }
        let rebased = self.rebase_on_server_clock(now, response.server_date);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        if rebased && job.conditional && job.first {
            // Whatever the probe said, look at the newest rows for real.
            job.conditional = false;
            if matches!(response.outcome, Outcome::NotModified) {
                job.retry_at = now;
                return;
            }
        }
        if std::mem::take(&mut job.narrow.control_pending) {
            return self.handle_control(now, response.outcome);
        }
        match response.outcome {
            Outcome::Page { etag, page } => self.handle_page(now, etag, page),
            Outcome::NotModified => {
                if job.conditional && job.first {
                    self.state.auth = Some(job.auth);
                    self.finish(now, true);
                } else {
                    // We sent no If-None-Match: a confused server. Nothing is covered.
                    self.fail(now, SyncFailure::Confused, None);
                }
            }
            Outcome::AuthRejected { status } => self.handle_auth_rejected(now, status),
            Outcome::Unavailable {
                status: 429,
                retry_after,
            } => self.handle_rate_limited(now, retry_after),
            Outcome::Unavailable {
                status,
                retry_after,
            } => {
                self.handle_server_error(now, status, SyncFailure::Unavailable(status), retry_after)
            }
            Outcome::Redirect { status, location } => self.stop_redirected(now, status, location),
            Outcome::Unexpected { status, detail } => self.handle_refusal(now, status, &detail),
            Outcome::BadBody(e) => {
                self.handle_server_error(now, 0, SyncFailure::BadBody(e.to_string()), None)
            }
            Outcome::Network(e) => self.fail(now, SyncFailure::Network(e), None),
            Outcome::Offline(e) => self.fail(now, SyncFailure::Offline(e), None),
        }
    }

    /// A server clock that ran ahead and was corrected leaves the watermark (and perhaps the
    /// watch start) in the server's future, where every new row would look old: re-base
    /// both on the server's present (rule 16). Rows already decided stay decided.
    fn rebase_on_server_clock(&mut self, now: Millis, server_date: Option<Millis>) -> bool {
        // On the corrected clock the last completed check was as long ago as it was in real
        // time: rows created since are at or after `date - since_check`, however long
        // Doorpost slept or was closed meanwhile (found by the random schedules: a sleep
        // past the overlap lost a row created right after the correction).
        let wall = self.wall_at(now);
        let since_check = self
            .last_success_now
            .map(|t| now.since(t))
            .or_else(|| self.state.last_success_wall.map(|w| wall.since(w)))
            .unwrap_or(0)
            .clamp(0, Millis::DAY);
        let (Some(date), Step::Running(job)) = (server_date, &mut self.step) else {
            return false;
        };
        let ceiling = date.plus(5 * Millis::MINUTE);
        let ahead = |t: Option<Millis>| t.is_some_and(|t| t > ceiling && t != Millis(i64::MIN));
        if !ahead(self.state.watermark) && !ahead(self.state.watch_start) {
            return false;
        }
        let last_check = date.minus(since_check);
        if ahead(self.state.watermark) {
            self.state.watermark = Some(last_check);
        }
        let floor = last_check.minus(self.config.overlap);
        if ahead(self.state.watch_start) {
            // Watching began before the correction, in real time: rows of the last
            // overlap on the corrected clock arrived while Doorpost watched.
            self.state.watch_start = Some(floor);
        }
        job.news_floor = job.news_floor.map(|f| f.min(floor));
        if job.listing.window_start() > floor {
            job.listing.set_window_start(floor);
        }
        // The newest rows are from the server's future: new rows sort below them, so the
        // probe's ETag cannot see them arrive.
        self.state.probe_blind = true;
        true
    }

    /// The control request's answer: a page means the server serves other requests, so
    /// the one that keeps failing fails because of what it holds: change it.
    fn handle_control(&mut self, now: Millis, outcome: Outcome) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        match outcome {
            Outcome::Page { .. } | Outcome::NotModified => {
                // (A control that came back from a year ahead is asked so again.)
                job.retry_at = now.plus(NARROW_PACE);
                if job.listing.stepping_past() {
                    // Past a record already known to fail: the next step at once.
                    job.narrow.confirmed = true;
                    Self::change_failed_request(job);
                    if job.listing.is_done() {
                        self.finish_with(now, Page::default(), false);
                    }
                } else {
                    // Once more: failing again now, it fails for what it holds.
                    job.narrow.confirmed = true;
                }
            }
            Outcome::AuthRejected { status } => self.handle_auth_rejected(now, status),
            Outcome::Redirect { status, location } => self.stop_redirected(now, status, location),
            Outcome::Unavailable {
                status: 429,
                retry_after,
            } => {
                // Asked to slow down: the control goes out again after the wait. A wait
                // longer than a rate limit's minute makes the failures before it old news:
                // the request must fail twice again after it before it is made smaller.
                if retry_after.is_some_and(|ra| ra > Millis::MINUTE) {
                    job.narrow.failed = None;
                }
                job.narrow.control_pending = true;
                self.handle_rate_limited(now, retry_after);
            }
            Outcome::Unavailable { .. } | Outcome::Unexpected { .. } | Outcome::BadBody(_)
                if !job.narrow.control_far =>
            {
                // Failing too, but perhaps for a record dated in the server's future: ask
                // once more from further ahead.
                job.narrow.control_far = true;
                job.narrow.control_pending = true;
                job.retry_at = now.plus(NARROW_PACE);
            }
            other => {
                // Everything fails: an outage, not one record. Back off as usual, saying
                // what the server answered.
                job.narrow.control_far = false;
                job.narrow.active = false;
                let failure = match other {
                    Outcome::Unavailable { status, .. } => SyncFailure::Unavailable(status),
                    Outcome::BadBody(e) => SyncFailure::BadBody(e.to_string()),
                    Outcome::Network(e) => SyncFailure::Network(e),
                    Outcome::Offline(e) => SyncFailure::Offline(e),
                    Outcome::Unexpected { status, .. } => SyncFailure::Unexpected(status),
                    _ => SyncFailure::Confused,
                };
                self.fail(now, failure, None);
            }
        }
    }

    /// The request that failed every time while others succeeded: a smaller page, or past
    /// the one record at `limit=1`.
    fn change_failed_request(job: &mut Job) -> bool {
        let Some((query, _, _)) = job.narrow.failed else {
            return false;
        };
        let changed = if query.limit() > 1 {
            let cap = step_down(query.limit());
            job.narrow.trial_cap = Some(cap);
            job.narrow.narrowed = true;
            job.listing.cap_limit(cap);
            true
        } else {
            job.listing.step_past()
        };
        if changed {
            job.narrow.active = true;
            job.narrow.failed = None;
            job.narrow.confirmed = false;
        }
        changed
    }

    /// 429: the requests the last minute held before this one are what the server
    /// accepts in a minute. From now on no minute holds more (see
    /// [`Poller::earliest_send`]): requests go out as fast as before until that many are
    /// out, then one as each leaves the minute, so refusals become rare rather than
    /// every few requests. A later 429 lowers the pace; an hour without one forgets it.
    /// `Retry-After`, when sent, is waited out as it says.
    fn handle_rate_limited(&mut self, now: Millis, retry_after: Option<i64>) {
        let before = self
            .sent
            .iter()
            .filter(|t| now.since(**t) <= Millis::MINUTE)
            .count()
            .saturating_sub(1);
        // Only a refusal after answers shows a pace (one told how long to wait, or the
        // first request refused, shows none). Learned just after a restart, which forgot
        // the requests before, it may be too low: it climbs back (`note_answered`).
        if retry_after.is_none() && before > 0 && self.limited_in_a_row == 0 {
            let before = u32::try_from(before).unwrap_or(u32::MAX);
            self.state
                .learned
                .note_rate_limit(before, self.wall_at(now));
        }
        let wait = retry_after.unwrap_or_else(|| self.earliest_send().since(now));
        // A server that answered within the last minute is up and asks for a slower pace:
        // no outage, so no backoff beyond its own wait. Refusing everything for longer
        // (a quota spent for the day) is backed off as usual.
        self.limited_in_a_row = self.limited_in_a_row.saturating_add(1);
        let pacing = self.limited_in_a_row <= RATE_LIMITED_PACED;
        self.fail_counting(now, SyncFailure::Unavailable(429), Some(wait), !pacing);
    }

    /// 5xx or an unreadable body. The same failure for the same request, while others
    /// succeed, is the server's answer to what that request holds (rule 15): a smaller
    /// page, then past the record by `skip` or by time; an outage is backed off as usual.
    fn handle_server_error(
        &mut self,
        now: Millis,
        key: u16,
        failure: SyncFailure,
        retry_after: Option<i64>,
    ) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let Some(query) = job.last_query else {
            return self.fail(now, failure, retry_after);
        };
        let n = match job.narrow.failed {
            Some((q, k, n)) if q == query && k == key => n.saturating_add(1),
            _ => 1,
        };
        job.narrow.failed = Some((query, key, n));
        // The same failure again right after the control came back: it is this request's.
        // So is a failing page of a walk that may hold the record pinned before, down to
        // one row (which is confirmed before it is stepped past).
        let known =
            job.listing.may_hold_unservable() && query.limit() > 1 || job.listing.at_unservable();
        let confirmed = (std::mem::take(&mut job.narrow.confirmed) && n > 1) || known;
        if confirmed && Self::change_failed_request(job) {
            return self.changed_request(now, failure);
        }
        // Asked after the second failure in a row, then the fourth, eighth…: an outage
        // costs few extra requests. Past a failing record, every step asks.
        let deterministic = (n >= 2 && n.is_power_of_two()) || job.listing.stepping_past();
        if retry_after.is_none() && deterministic {
            // Does the server serve anything else? The newest row tells.
            job.narrow.control_pending = true;
            return self.changed_request(now, failure);
        }
        self.fail(now, failure, retry_after)
    }

    /// 4xx other than 401/403/429: the server refuses this form of request and will again
    /// (rule 14). Change it, cheapest lesson first: a `limit` the error text names; no
    /// `skip`; a smaller `limit`; the documented forms (`DESC` with `startDate`).
    fn handle_refusal(&mut self, now: Millis, status: u16, detail: &str) {
        let wall = self.wall_at(now);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let detail = cut(&refusal_text(detail), 160);
        self.state.learned.last_refusal = Some(format!("{status} {detail}").trim().to_string());
        let Some(query) = job.last_query else {
            return self.fail(now, SyncFailure::Unexpected(status), None);
        };
        let deterministic = matches!(status, 400 | 404 | 405 | 406 | 413 | 414 | 422);
        let probed = std::mem::take(&mut job.narrow.probe_out);
        if probed {
            // The same request for one row was refused as well: its form is (the rules
            // below, with no `limit` left to lower).
            job.narrow.limit_probe = None;
        } else if deterministic && query.limit() > 1 && !names_limit(&detail) {
            // A bare refusal: ask the same for one row before blaming `skip`, `ASC` or the
            // undated form (a `limit` maximum lowered while running was blamed on each in
            // turn, and the listing ended on one-row documented pages that lose rows).
            // Nothing is learned until it is answered: a process stopped meanwhile asks
            // the refused request once more after its restart. (A smaller `limit` written
            // at once as the lesson was tried: restarts in a row took it down to one row
            // for an hour, on a server whose `limit` was never at fault.)
            job.narrow.limit_probe = Some(query.limit());
            return self.changed_request(now, SyncFailure::Unexpected(status));
        }
        let changed =
            deterministic && adapt(&mut self.state.learned, &mut job.listing, query, &detail);
        if changed {
            if self.state.learned.asc_refused {
                self.state.learned.asc_accepted = false;
            }
            self.state.learned.note(wall);
            self.changed_request(now, SyncFailure::Unexpected(status));
            // The lesson is written at once: a process that stops before the sync's next
            // commit would otherwise send the refused request again after its restart.
            return self.commit_held();
        }
        // Nothing left to change: the floor itself is refused. Stop asking until the
        // lessons expire, then start again from the richest form.
        self.fail(now, SyncFailure::Refused(status, detail), None);
        let job = match &mut self.step {
            Step::Running(job) => Some(job),
            Step::Committing { job, .. } => job.as_mut(),
            _ => None,
        };
        if let Some(job) = job {
            job.retry_at = now.plus(Learned::KEPT);
            job.start_over = true;
        }
        self.state.learned = Learned {
            last_refusal: self.state.learned.last_refusal.take(),
            ..Learned::default()
        };
    }

    /// The next request differs from the failed one: it goes out after a short pause,
    /// with no backoff (the failure is still logged and shown).
    fn changed_request(&mut self, now: Millis, failure: SyncFailure) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        self.pending_record = Some(job.failed_record(failure.to_string()));
        job.retry_at = now.plus(NARROW_PACE);
        let done = job.listing.is_done();
        // A failed request all the same: checking that stalls here for long (a wait asked
        // for in between) is told like any other.
        self.outage.failed(self.wall_at(now), Cause::of(&failure));
        self.last_error = Some(failure);
        if done {
            // What is left of the window cannot be asked for in any accepted form.
            self.finish_with(now, Page::default(), false);
        }
    }

    fn handle_auth_rejected(&mut self, now: Millis, status: u16) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        if !job.auth_retried {
            // Try the other header form once, for the same request.
            job.auth_retried = true;
            job.auth = job.auth.other();
            return;
        }
        self.fail(now, SyncFailure::Auth(status), None);
        self.state.auth = None;
        self.step = Step::AuthStopped;
    }

    /// A redirect to another origin is not a passing fault: the API moved, or something
    /// between Doorpost and Parakey answers for it. Checking stops (the host is told at once,
    /// naming the host) until the host checks again or changes the address.
    fn stop_redirected(&mut self, now: Millis, status: u16, location: Option<String>) {
        self.fail(now, SyncFailure::Redirect { status, location }, None);
        self.step = Step::RedirectStopped;
    }

    fn handle_page(&mut self, now: Millis, etag: Option<String>, page: Page) {
        let wall = self.wall_at(now);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let asked = job.last_query.as_ref().map_or(u32::MAX, Query::limit);
        let received = page.events.len() + page.quarantined.len();
        if received > asked as usize {
            return self.fail(now, SyncFailure::Oversized(received, asked), None);
        }
        self.state.auth = Some(job.auth);
        self.failures = 0;
        self.last_error = None;
        // Parakey answers and Doorpost reads: slow (a rate limit between pages) is not blind.
        self.outage.checked(wall);
        if std::mem::take(&mut job.narrow.probe_out)
            && let Some(refused) = job.narrow.limit_probe.take()
        {
            return self.limit_was_refused(now, refused);
        }
        job.narrow.failed = None;
        job.narrow.confirmed = false;
        learn_from_page(&mut self.state.learned, job, asked, wall);
        let first = std::mem::replace(&mut job.first, false);
        if first && job.probing && self.take_probe(etag, &page) {
            return self.finish(now, true);
        }
        let Step::Running(job) = &mut self.step else {
            return;
        };
        job.listing.take(&page);
        job.records += received as u64;
        // A row dated in the server's future must not become the watermark: every later
        // window would start past the real rows.
        let ceiling = ceiling(job);
        let newest = page
            .events
            .iter()
            .map(|e| e.created_at)
            .filter(|c| *c <= ceiling)
            .max();
        // A walk's rows move the watermark only where `startDate` is proven to filter on
        // `createdAt`: on the locks' clocks a walk skips rows uploaded late, and a
        // watermark past them would start every later window after them (found by 10,000
        // random schedules: a late upload during a sweep's rate-limit wait was lost).
        let walked = matches!(job.last_query, Some(Query::Ascending { .. }));
        if !walked || job.listing.start_filter() == StartFilter::CreatedAt {
            job.newest = job.newest.max(newest);
        }
        let over_budget = job.requests >= self.config.max_sync_requests
            || job.records >= self.config.max_sync_records
            || job.bytes >= self.config.max_sync_bytes;
        let done = job.listing.is_done();
        if done && !over_budget && self.relist_at_full_size() {
            self.commit_partial(page);
        } else if done || over_budget {
            self.finish_with(now, page, over_budget);
        } else {
            self.commit_partial(page);
        }
    }

    /// The one-row question after a bare refusal was answered: the `limit` was refused.
    /// The page itself is not taken (the listing asked for more and would read it as the
    /// end); the request goes again with a smaller `limit`, the lesson written at once.
    fn limit_was_refused(&mut self, now: Millis, refused: u32) {
        let wall = self.wall_at(now);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let cap = step_down(refused);
        let learned = &mut self.state.learned;
        learned.max_limit = Some(learned.max_limit.map_or(cap, |m| m.min(cap)));
        learned.note(wall);
        job.listing.cap_limit(cap);
        job.retry_at = now.plus(NARROW_PACE);
        self.commit_held();
    }

    /// The sync's first page: the probe, when it is a page of the newest rows. True when
    /// it shows nothing new (the same rows as the last probe, without an ETag).
    fn take_probe(&mut self, etag: Option<String>, page: &Page) -> bool {
        let Step::Running(job) = &mut self.step else {
            return false;
        };
        if !matches!(job.last_query, Some(Query::Newest { skip: 0, .. })) {
            // The newest pages failed and the walk answered first: there was no probe, and
            // the last one's ETag and rows say nothing about now (found by 10,000 random
            // schedules: the walk's first page, the same row the old probe held, read as
            // "nothing new").
            job.probe = Some((None, None, false));
        } else {
            let digest = digest(page);
            // Without an ETag, the same newest rows are the next best "nothing new".
            let unchanged = etag.is_none()
                && job.conditional
                && digest.is_some()
                && digest == self.state.probe_digest;
            let blind = digest.is_some() && hides_new_rows(job, page);
            job.probe = Some((etag, digest, blind));
            if unchanged {
                return true;
            }
        }
        if job.kind == SyncKind::Backfill {
            self.start_backfill_window(page);
        }
        false
    }

    /// A sync whose pages were made smaller (failures that looked like one record's) and
    /// whose walk may have run on the locks' clocks (`startDate` found or not proven to
    /// filter on `createdAt`, no `skip` to rely on): there only large newest pages list a
    /// window, so it is listed once more at full size, rather than left with rows unread
    /// until the next check. Found by the random schedules: transient 500s narrowed the
    /// pages to five, and the walk skipped a row sharing a device time with its neighbour,
    /// or a late upload dated before the window on its lock's clock. A record that does
    /// fail every full page narrows the second listing too, which then ends as before.
    fn relist_at_full_size(&mut self) -> bool {
        let Step::Running(job) = &mut self.step else {
            return false;
        };
        // Narrowed pages list a window completely only by `skip` or by a walk on
        // `createdAt`; without both proven, the walk may have run on the locks' clocks.
        let unproven = job.listing.start_filter() != StartFilter::CreatedAt
            && job.listing.skip_support() != SkipSupport::Honoured;
        let partial = job.listing.found_device_time() || unproven;
        // Pages narrowed for a record it then stepped past would narrow again the same way.
        let explained = job.listing.pinned().is_some();
        if !job.narrow.narrowed || job.narrow.relisted || !partial || explained {
            return false;
        }
        job.narrow.relisted = true;
        self.state.start_filter = job.listing.start_filter();
        self.state.skip = job.listing.skip_support();
        let window_start = job.listing.window_start();
        let listing = self.listing(window_start, false);
        if let Step::Running(job) = &mut self.step {
            job.listing = listing;
        }
        true
    }

    /// The backfill's window is relative to the server's clock, known from its first
    /// answer. Watching begins after everything that answer held: at the `Date` header, or
    /// just after its newest row (one dated in the server's future aside) if that is later.
    fn start_backfill_window(&mut self, page: &Page) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let ceiling = ceiling(job);
        let newest_row = page
            .events
            .iter()
            .map(|e| e.created_at)
            .filter(|c| *c <= ceiling)
            .max();
        let server_now = match (job.server_date, newest_row) {
            (Some(d), Some(n)) => Some(d.max(n.plus(1))),
            (d, n) => d.or(n.map(|n| n.plus(1))),
        };
        // Set once per source: a backfill that had to start over keeps its first moment.
        let watch_start = match (self.state.watch_start, server_now) {
            (Some(t), _) | (None, Some(t)) => t,
            (None, None) => Millis(i64::MIN),
        };
        job.empty_without_clock = server_now.is_none();
        self.state.watch_start = Some(watch_start);
        job.news_floor = Some(watch_start);
        job.listing
            .set_window_start(watch_start.minus(self.config.backfill));
    }

    /// Holds one page of an unfinished sync, and commits what is held, with where to resume,
    /// once it is enough.
    fn commit_partial(&mut self, page: Page) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        hold(&mut job.held, page);
        let held = job.held.events.len() + job.held.quarantined.len();
        if held >= self.config.commit_every_records.max(1) {
            self.commit_held();
        }
    }

    /// Commits the pages held, with where to resume (before a wait, or when enough).
    fn commit_held(&mut self) {
        if !matches!(self.step, Step::Running(_)) {
            return; // already committing (a sync that ended), or nothing runs
        }
        let Step::Running(mut job) = std::mem::replace(&mut self.step, Step::Idle) else {
            return;
        };
        let page = std::mem::take(&mut job.held);
        let incomplete = job.listing.take_incomplete();
        job.incomplete |= !incomplete.is_empty();
        let pinned = job.listing.pinned();
        self.state.learned.pin_unservable(pinned, job.received_wall);
        let mut state = self.state.clone();
        if let Some(last) = incomplete.last() {
            state.incomplete = Some(*last);
        }
        state.resume = job
            .listing
            .resume_point()
            .map(|(walk_from, covered_from)| Resume {
                kind: job.kind,
                window_start: job.listing.window_start(),
                walk_from,
                covered_from,
            });
        state.start_filter = job.listing.start_filter();
        state.skip = job.listing.skip_support();
        self.pending_commit = Some(Commit {
            kind: job.kind,
            events: page.events,
            quarantined: page.quarantined,
            state,
            news_floor: job.news_floor,
            finish: None,
            incomplete,
        });
        self.step = Step::Committing {
            kind: job.kind,
            job: Some(job),
            window: None,
        };
    }

    /// Ends a sync that needed no rows (304 or the same rows).
    fn finish(&mut self, now: Millis, not_modified: bool) {
        self.finish_inner(now, Page::default(), not_modified, false);
    }

    fn finish_with(&mut self, now: Millis, page: Page, cut_short: bool) {
        self.finish_inner(now, page, false, cut_short);
    }

    /// Ends the current sync successfully: builds its last commit.
    fn finish_inner(&mut self, now: Millis, page: Page, not_modified: bool, cut_short: bool) {
        let Step::Running(mut job) = std::mem::replace(&mut self.step, Step::Idle) else {
            return;
        };
        let mut held = std::mem::take(&mut job.held);
        hold(&mut held, page);
        let page = held;
        let incomplete = job.listing.take_incomplete();
        job.incomplete |= !incomplete.is_empty();
        let pinned = job.listing.pinned();
        self.state.learned.pin_unservable(pinned, job.received_wall);
        let mut state = self.state.clone();
        state.start_filter = job.listing.start_filter();
        state.skip = job.listing.skip_support();
        state.resume = if cut_short {
            // Stopped by the per-sync budget: the rest at the next check.
            job.listing
                .resume_point()
                .map(|(walk_from, covered_from)| Resume {
                    kind: job.kind,
                    window_start: job.listing.window_start(),
                    walk_from,
                    covered_from,
                })
        } else {
            None
        };
        if !not_modified && !cut_short {
            state.watermark = next_watermark(&state, &job);
            state.incomplete = match (incomplete.last(), job.kind) {
                (Some(i), _) => Some(*i),
                // A sweep that listed its whole window clears the old report.
                (None, SyncKind::Sweep) if !job.incomplete => None,
                (None, _) => state.incomplete,
            };
        }
        let unsure = !cut_short && keep_probe(&mut state, &job);
        if unsure && !not_modified && job.kind != SyncKind::Backfill {
            // Pages a caching layer kept from before this check began may lack rows the
            // window holds; so may the check that first saw the server's clock past rows
            // it had dated in its future. The watermark moves on all the same, so the
            // next check lists this window again (found by 10,000 random schedules: a kept
            // page hid a row, and a server clock then set an hour ahead left it beneath
            // every later window).
            let start = job.listing.window_start();
            self.widen = Some(self.widen.map_or(start, |w| w.min(start)));
        }
        let catch_up = self.was_away(now, &job);
        self.live_due = now.plus(self.config.interval);
        state.last_success = job.server_date.or(state.last_success);
        state.last_started = job.started_date.or(state.last_started);
        state.last_success_wall = Some(job.received_wall);
        self.schedule_after(now, job.kind, not_modified);
        let kind = if not_modified {
            SyncKind::Unchanged
        } else {
            job.kind
        };
        self.pending_commit = Some(Commit {
            kind,
            incomplete,
            events: page.events,
            quarantined: page.quarantined,
            state,
            news_floor: job.news_floor,
            finish: Some(Finish {
                server_now: job.server_date,
                catch_up,
                record: PollRecord {
                    kind,
                    requests: job.requests,
                    bytes: job.bytes,
                    error: None,
                    not_modified,
                },
            }),
        });
        // A window listed to its end is checked against what the store finds new beneath it.
        let listed = !not_modified && !cut_short && job.kind != SyncKind::Backfill;
        let window = listed.then(|| (job.listing.window_start(), job.oldest_new));
        self.step = Step::Committing {
            job: None,
            kind,
            window,
        };
    }

    /// Whether a live look may go out beside `job` while it waits: not while it reads the
    /// newest rows itself, nor while it narrows down a record (its retries are quick).
    fn live_look_wanted(&self, job: &Job) -> bool {
        // The newest page is what this sync is failing on: a live look would fail alike.
        let reads_newest_itself = (job.probing && job.first)
            || matches!(job.last_query, Some(Query::Newest { skip: 0, .. }));
        // Under a rate limit's pace a long sync is always waiting for its next slot: the
        // look takes the next one once it is due.
        let waits_long = job.retry_at.since(self.live_due) > LIVE_MIN_WAIT;
        let paced = self.state.learned.per_minute.is_some();
        !reads_newest_itself
            && !job.narrow.active
            && !job.narrow.control_pending
            && (waits_long || paced)
    }

    /// The newest rows, while the running sync waits to retry, once an interval has passed
    /// since the last look at them (rule 16).
    fn live_request(&mut self, now: Millis) -> Option<Request> {
        let Step::Running(job) = &self.step else {
            return None;
        };
        if now < self.live_due.max(self.earliest_send()) || !self.live_look_wanted(job) {
            return None;
        }
        let auth = job.auth;
        self.live = LiveLook::Sent;
        self.last_sent_live = true;
        note_sent(&mut self.sent, now);
        let query = Query::Newest {
            limit: self.config.probe_limit,
            skip: self.live_skip,
        };
        Some(Request {
            query: query.capped(self.state.learned.cap(u32::MAX)),
            auth,
            if_none_match: None,
        })
    }

    /// The live look's answer: its rows are written with the waiting sync's news floor and
    /// decided at once; a failure only waits for the next look. A page holding nothing but
    /// rows newer than every finished check (or records Doorpost cannot read) has not
    /// reached what is known: on a server paging a row or two, the unlocks beneath would
    /// wait for the sync, hours on a tight rate limit. The look goes on beneath them, up to
    /// the probe's number of records.
    fn handle_live(&mut self, now: Millis, response: Response) {
        self.live = LiveLook::Idle;
        // Its `Date` shows a clock set back as well as the sync's would.
        self.rebase_on_server_clock(now, response.server_date);
        self.live_due = now.plus(self.config.interval);
        let skip = std::mem::take(&mut self.live_skip);
        let Step::Running(job) = &self.step else {
            return;
        };
        let page = match response.outcome {
            Outcome::Page { page, .. }
                if page.events.len() + page.quarantined.len()
                    <= self.config.probe_limit as usize =>
            {
                page
            }
            Outcome::Unavailable {
                status: 429,
                retry_after,
            } => {
                let wait = retry_after.unwrap_or(Millis::MINUTE);
                self.not_before = self
                    .not_before
                    .max(now.plus(wait.clamp(0, self.config.max_retry_after)));
                return;
            }
            _ => return,
        };
        let records = (page.events.len() + page.quarantined.len()) as u32;
        let skip_usable = matches!(
            self.state.skip,
            SkipSupport::Unknown | SkipSupport::Honoured
        );
        let ids: Vec<Option<String>> = (page.events.iter().map(|e| Some(e.id.clone())))
            .chain(page.quarantined.iter().map(|q| q.id.clone()))
            .collect();
        let same_again = skip > 0 && ids == self.live_page;
        let all_new =
            (page.events.iter()).all(|e| self.state.watermark.is_some_and(|w| e.created_at > w));
        // Under a rate limit's pace the sync reads on beneath new rows itself; beneath
        // records nobody can read, only the look does.
        let hidden = page.events.is_empty() || self.state.learned.per_minute.is_none();
        if all_new && records > 0 && skip_usable && !same_again && hidden {
            let further = skip.saturating_add(records);
            if further < self.config.probe_limit {
                self.live_skip = further;
                self.live_due = now;
            }
        }
        self.live_page = ids;
        let catch_up = self.was_away(now, job);
        self.pending_commit = Some(Commit {
            kind: SyncKind::Live,
            events: page.events,
            quarantined: page.quarantined,
            state: self.state.clone(),
            news_floor: job.news_floor,
            finish: Some(Finish {
                server_now: response.server_date,
                catch_up,
                record: PollRecord {
                    kind: SyncKind::Live,
                    requests: 1,
                    bytes: response.bytes,
                    error: None,
                    not_modified: false,
                },
            }),
            incomplete: Vec::new(),
        });
        self.live = LiveLook::Committing;
    }

    /// Doorpost was away when the time since the last finished sync (on this run's clock,
    /// else the client's wall clock against its own earlier reading) exceeds
    /// `catch_up_after`.
    fn was_away(&self, now: Millis, job: &Job) -> bool {
        let away = match self.last_success_now {
            Some(last) => now.since(last),
            None => match self.state.last_success_wall {
                Some(wall) => job.received_wall.since(wall),
                None => 0,
            },
        };
        away > self.config.catch_up_after
    }

    fn schedule_after(&mut self, now: Millis, kind: SyncKind, not_modified: bool) {
        match kind {
            SyncKind::Sweep | SyncKind::Backfill => {
                self.next_sweep = now.plus(self.config.sweep_every);
                self.next_full = now.plus(self.config.full_fetch_every);
            }
            SyncKind::Full => self.next_full = now.plus(self.config.full_fetch_every),
            SyncKind::Incremental if !not_modified => {
                self.next_full = now.plus(self.config.full_fetch_every)
            }
            _ => {}
        }
    }

    fn fail(&mut self, now: Millis, failure: SyncFailure, retry_after: Option<i64>) {
        self.fail_counting(now, failure, retry_after, true);
    }

    /// [`Poller::fail`]; `counts: false` for a refusal that is no outage (a rate limit
    /// learned): waited out as asked, the backoff left as it was.
    fn fail_counting(
        &mut self,
        now: Millis,
        failure: SyncFailure,
        retry_after: Option<i64>,
        counts: bool,
    ) {
        let why = failure.to_string();
        let Step::Running(job) = &mut self.step else {
            return;
        };
        self.pending_record = Some(job.failed_record(why.clone()));
        // Failures while narrowing down a record the server cannot serve are its answer to
        // what a request holds, not an outage: they do not grow the backoff (a 429 between
        // them waited out an hour for it).
        let counts = counts && !job.narrow.active;
        if counts {
            self.failures += 1;
        }
        let retry_after = retry_after.map(|ra| ra.clamp(0, self.config.max_retry_after));
        let delay = match retry_after {
            Some(ra) if !counts => ra.max(Millis::SECOND),
            ra => self.retry_delay(ra),
        };
        if let Some(ra) = retry_after {
            self.not_before = now.plus(ra);
        }
        let Step::Running(job) = &mut self.step else {
            return;
        };
        // The sync is kept: the same request goes out again once the wait is over. What it
        // read so far is committed now, so that a long wait or a crash loses none of it.
        // While narrowing down a record the server cannot serve, a first failure of a new
        // request is retried at once: it is most likely the same record's doing.
        let first_of_its_kind = job.narrow.failed.is_some_and(|(_, _, n)| n == 1);
        job.retry_at = if job.narrow.active && first_of_its_kind && retry_after.is_none() {
            now.plus(NARROW_PACE)
        } else {
            now.plus(delay)
        };
        let held = !job.held.events.is_empty() || !job.held.quarantined.is_empty();
        self.outage.failed(self.wall_at(now), Cause::of(&failure));
        self.last_error = Some(failure);
        if held {
            self.commit_held();
        }
    }

    /// About 30 s after the first failure, doubling from there up to `max_backoff`, ±20 %.
    /// `Retry-After` is a minimum; while the failures are few it is the wait itself, so a
    /// rate-limited sync goes on as soon as the server allows.
    fn retry_delay(&mut self, retry_after: Option<i64>) -> i64 {
        let exp = self.failures.saturating_sub(1).min(20);
        let base = self
            .config
            .retry_first
            .saturating_mul(1_i64 << exp)
            .min(self.config.max_backoff);
        let backoff = self.rng.range(base * 4 / 5, base * 6 / 5);
        match retry_after {
            Some(ra) if self.failures <= 2 => ra.max(Millis::SECOND),
            Some(ra) => ra.max(backoff),
            None => backoff,
        }
    }

    /// The next commit to write, if any. Until [`Poller::handle_committed`] is called
    /// nothing else is sent.
    pub fn poll_commit(&mut self) -> Option<Commit> {
        self.pending_commit.take()
    }

    /// A failed request to append to the poll log (no other writes go with it).
    pub fn poll_record(&mut self) -> Option<PollRecord> {
        self.pending_record.take()
    }

    /// The driver wrote (or failed to write) the last commit. Only a written commit moves
    /// the durable state forward; a failed write ends the sync, which the next check
    /// resumes from the last written state.
    pub fn handle_committed(&mut self, now: Millis, result: Result<Written, String>) {
        if self.live == LiveLook::Committing {
            // A live look changes no durable state; written, it is a completed check.
            self.live = LiveLook::Idle;
            if result.is_ok() {
                self.last_success_now = Some(now);
                self.outage.checked(self.wall_at(now));
            }
            return;
        }
        let Step::Committing { job, kind, window } = std::mem::replace(&mut self.step, Step::Idle)
        else {
            return;
        };
        match (result, job) {
            (Ok(written), Some(mut job)) => {
                self.state = written.state;
                job.oldest_new = earliest(job.oldest_new, written.oldest_new);
                self.step = Step::Running(job);
            }
            (Ok(written), None) => {
                self.state = written.state;
                if let Some((start, earlier)) = window {
                    self.widen_if_new_beneath(now, start, earliest(earlier, written.oldest_new));
                }
                self.failures = 0;
                self.last_error = None;
                self.last_success_now = Some(now);
                self.outage.checked(self.wall_at(now));
            }
            (Err(why), job) => {
                let failure = SyncFailure::Store(why);
                let why = failure.to_string();
                self.pending_record = Some(PollRecord {
                    kind,
                    requests: job.as_ref().map_or(0, |j| j.requests),
                    bytes: job.as_ref().map_or(0, |j| j.bytes),
                    error: Some(why.clone()),
                    not_modified: false,
                });
                self.failures += 1;
                self.outage.failed(self.wall_at(now), Cause::of(&failure));
                self.last_error = Some(failure);
                // The sync ends; the next one resumes from the last written state.
                self.next_check = now.plus(self.retry_delay(None));
                self.next_full = now;
            }
        }
    }

    /// A window is listed down to the first row beneath its start, which every earlier
    /// check has stored. When the store finds a row new to it there instead, rows arrived
    /// beneath the window: a server clock set back an hour and forward again between two
    /// checks, or a database that commits rows long after dating them. The next sync, at
    /// once, lists beneath that row by as far again as it lay beneath the window (at least
    /// an overlap), and so on while each finds more: the depth at least doubles each time.
    /// Nothing beneath the backfill's horizon is looked for (it was never stored).
    fn widen_if_new_beneath(&mut self, now: Millis, start: Millis, oldest_new: Option<Millis>) {
        let horizon = match self.state.watch_start {
            Some(s) if s.0 > i64::MIN => s.minus(self.config.backfill),
            _ => Millis(i64::MIN),
        };
        if let Some(oldest) = oldest_new.filter(|t| *t < start && *t >= horizon) {
            let depth = start.since(oldest).max(self.config.overlap);
            self.widen = Some(oldest.minus(depth));
            self.next_check = now;
        }
    }

    /// Whether the next sync lists beneath the last one's window (see
    /// [`Poller::handle_committed`]).
    pub fn widening(&self) -> bool {
        self.widen.is_some()
    }

    /// "Check now". Refused when a request is out, when asked again within `refresh_min_gap`, or while Parakey's
    /// `Retry-After` holds. A sync waiting to retry is retried now.
    pub fn refresh_now(&mut self, now: Millis) -> Result<(), RefreshRefused> {
        match &self.step {
            Step::AuthStopped => return Err(RefreshRefused::AuthRejected),
            Step::Committing { .. } => return Err(RefreshRefused::Busy),
            // The host asks again: perhaps the address is back.
            Step::RedirectStopped => self.step = Step::Idle,
            Step::Running(job) if job.awaiting => return Err(RefreshRefused::Busy),
            Step::Running(_) | Step::Idle => {}
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
        if let Step::Idle = self.step {
            // A manual check fetches for real: the user asked because they doubt the probe.
            self.next_full = self.next_full.min(now);
            self.start_job(now);
        }
        if let Step::Running(job) = &mut self.step {
            job.retry_at = now;
        }
        Ok(())
    }

    /// New settings: the interval and windows change now; an earlier next check is kept.
    pub fn apply_config(&mut self, now: Millis, config: PollerConfig) {
        let sooner = now.plus(config.interval);
        if sooner < self.next_check {
            self.next_check = sooner;
        }
        self.config = config;
    }
}

/// The pause before a changed request (rule 14: never the same refused request again).
const NARROW_PACE: i64 = Millis::SECOND;

/// A 429 is waited out at the server's pace, without backoff, this many times in a row.
const RATE_LIMITED_PACED: u32 = 3;

/// The next `limit` down after a refusal or a page failing every time: 500 → 100 → 25 →
/// 5 → 1.
fn step_down(limit: u32) -> u32 {
    match limit {
        0..=1 => 1,
        2..=5 => 1,
        6..=25 => 5,
        26..=100 => 25,
        _ => 100,
    }
}

/// The start of `text`, at most `max` characters, on one line.
fn cut(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    one_line.trim().to_string()
}

/// The largest `limit` an error text names ("limit must not be greater than 100", "limit:
/// maximum is 100", "limit must be less than 101"), if it names one.
/// A refusal's own words, where its body is JSON: `message` (a string, or a list of them
/// as validation libraries send), else `error`, `detail` or `title`; else the body as is.
pub fn refusal_text(detail: &str) -> String {
    let Ok(serde_json::Value::Object(body)) = serde_json::from_str(detail.trim()) else {
        return detail.to_string();
    };
    let said = ["message", "error", "detail", "title"]
        .iter()
        .filter_map(|key| match body.get(*key) {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Array(items)) => {
                let texts: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                (!texts.is_empty()).then(|| texts.join("; "))
            }
            _ => None,
        })
        .next();
    said.unwrap_or_else(|| detail.to_string())
}

/// Whether a refusal's text speaks of the page size (then it is lowered without asking).
fn names_limit(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    ["limit", "page size", "too large"]
        .iter()
        .any(|w| lower.contains(w))
}

pub fn limit_named(detail: &str) -> Option<u32> {
    let lower = detail.to_ascii_lowercase();
    let at = lower.find("limit")?;
    let after = &lower[at..];
    let digits_at = after.find(|c: char| c.is_ascii_digit())?;
    if digits_at > 80 {
        return None;
    }
    let digits: String = after[digits_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let n: u32 = digits.parse().ok()?;
    let before = &after[..digits_at];
    let strictly_less = before.contains("less than") && !before.contains("equal");
    let n = if strictly_less {
        n.saturating_sub(1)
    } else {
        n
    };
    (n >= 1).then_some(n)
}

/// Changes the listing after the server refused `query`; false when nothing is left.
fn adapt(learned: &mut Learned, listing: &mut Listing, query: Query, detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let lower_limit = |learned: &mut Learned, listing: &mut Listing, cap: u32| {
        learned.max_limit = Some(learned.max_limit.map_or(cap, |m| m.min(cap)));
        listing.cap_limit(cap);
        true
    };
    let skip = matches!(
        query,
        Query::Newest { skip: 1.., .. } | Query::Ascending { skip: 1.., .. }
    );
    let ascending = matches!(query, Query::Ascending { .. });
    let undated = matches!(query, Query::Newest { skip: 0, .. });
    if let Some(max) = limit_named(detail).filter(|m| *m < query.limit()) {
        return lower_limit(learned, listing, max);
    }
    if skip && listing.refused() {
        return true;
    }
    if ascending && !learned.asc_refused && says(&["order", "asc", "sort", "direction"]) {
        learned.asc_refused = true;
        listing.refuse_ascending();
        return true;
    }
    if query.limit() > 1 && (says(&["limit", "page size", "too large"]) || query.limit() > 25) {
        return lower_limit(learned, listing, step_down(query.limit()));
    }
    if ascending && !learned.asc_refused {
        learned.asc_refused = true;
        listing.refuse_ascending();
        return true;
    }
    if undated && listing.refuse_undated() {
        return true;
    }
    if query.limit() > 1 {
        return lower_limit(learned, listing, step_down(query.limit()));
    }
    false
}

/// What a finished sync's probe leaves for the next check's "nothing new". A page older
/// than the probe (a caching layer's), or a probe that never was, leaves nothing: the
/// next check lists its window rather than trusting an ETag this sync cannot vouch for.
/// True when the check cannot vouch for its window as of its probe.
fn keep_probe(state: &mut SyncState, job: &Job) -> bool {
    // The first check that no longer sees rows dated in the server's future (its clock
    // corrected, or set ahead again) vouches for nothing either: a row created beneath
    // them just before, which a cached answer of this check may not show yet, is found by
    // the next check listing this window again (found by 10,000 random schedules).
    let left_blind = state.probe_blind && job.probe.as_ref().is_none_or(|(_, _, b)| !b);
    let unsure = job.listing.saw_stale() || job.older_view || left_blind;
    let probe = if unsure {
        Some((None, None, false))
    } else {
        job.probe.clone()
    };
    if let Some((etag, digest, blind)) = probe {
        state.probe_etag = etag;
        state.probe_digest = digest;
        state.probe_blind = blind;
    }
    unsure
}

/// What an answered page teaches about the server: a page size that came back after larger
/// ones failed, the largest `limit` accepted, `ASC` accepted.
fn learn_from_page(learned: &mut Learned, job: &mut Job, asked: u32, wall: Millis) {
    if let Some(cap) = job.narrow.trial_cap.take() {
        // Larger pages failed every time and this one came back: a lesson, unless the
        // server has served larger pages before. Then it was what those pages held (one
        // record), not their size, and the smaller page holds for this sync only: a
        // lasting small page would keep later syncs from reaching rows that only large
        // newest pages list (no usable `skip`, `startDate` on device time).
        if learned
            .largest_accepted
            .is_none_or(|largest| largest <= cap)
        {
            learned.max_limit = Some(learned.max_limit.map_or(cap, |m| m.min(cap)));
            learned.note(wall);
        }
    }
    learned.largest_accepted = learned.largest_accepted.max(Some(asked));
    if matches!(job.last_query, Some(Query::Ascending { .. })) {
        learned.asc_accepted = true;
    }
}

/// Adds a page to the pages held for the next commit.
fn hold(held: &mut Page, page: Page) {
    if held.events.is_empty() && held.quarantined.is_empty() {
        *held = page;
        return;
    }
    let offset = held.events.len() + held.quarantined.len();
    held.events.extend(page.events);
    held.quarantined_at
        .extend(page.quarantined_at.iter().map(|at| at + offset));
    held.quarantined.extend(page.quarantined);
}

/// The latest `createdAt` that can be real: the server's `Date` + 5 min. Without a `Date`
/// header, the client's clock a day ahead is the only sanity bound there is; it never moves
/// the watermark, it only keeps a row dated in the future from doing so.
fn ceiling(job: &Job) -> Millis {
    match job.server_date {
        Some(date) => date.plus(5 * Millis::MINUTE),
        None => job.received_wall.plus(Millis::DAY),
    }
}

/// A page from tomorrow on, empty on any server: it asks whether the server serves
/// requests at all, without touching the records that fail. Tomorrow by the server's
/// clock, else by the later of its newest row and this computer's wall clock (an empty
/// first load without a `Date` header leaves a watermark at 1970, and the driver's clock
/// counts from boot); a year ahead once tomorrow failed too; and always after a record
/// known to fail.
fn control_query(state: &SyncState, job: &Job, wall: Millis) -> Query {
    let latest = state.watermark.map_or(wall, |w| w.max(wall));
    let base = job.server_date.unwrap_or(latest);
    let ahead = if job.narrow.control_far {
        365 * Millis::DAY
    } else {
        Millis::DAY
    };
    let past_unservable = state
        .learned
        .unservable
        .map_or(Millis(i64::MIN), |at| at.plus(1));
    Query::Since {
        start: base.plus(ahead).max(past_unservable),
        limit: 1,
    }
}

/// Whether a probe page cannot see new rows arrive: a row created now sorts above every
/// row of the page only if one of them is dated no later than now (the `Date` header's
/// second); one a few minutes ahead would hide it from the probe's ETag until a full fetch.
fn hides_new_rows(job: &Job, page: &Page) -> bool {
    let now_on_server = job
        .server_date
        .map_or(ceiling(job), |d| d.plus(Millis::SECOND));
    !page.events.iter().any(|e| e.created_at <= now_on_server)
}

/// The earlier of two optional times.
fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The watermark after a finished sync: the newest `createdAt` received (not in the
/// server's future), never lower than before; for the backfill of an empty account, the
/// server's clock (or the epoch, when it has none: every row found later is then in the
/// next window).
fn next_watermark(state: &SyncState, job: &Job) -> Option<Millis> {
    let received = job.newest;
    let found = match (state.watermark, received) {
        (Some(w), Some(n)) => Some(w.max(n)),
        (w, n) => w.or(n),
    };
    match (found, job.kind) {
        (Some(w), _) => Some(w),
        (None, SyncKind::Backfill) if job.empty_without_clock => Some(Millis(0)),
        (None, SyncKind::Backfill) => job.server_date,
        (None, _) => None,
    }
}

/// A digest of a page's rows (FNV-1a over each row's raw JSON), to tell "the same newest
/// rows" on a server without ETags. `None` for an empty page.
fn digest(page: &Page) -> Option<u64> {
    if page.events.is_empty() && page.quarantined.is_empty() {
        return None;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let raws = page
        .events
        .iter()
        .map(|e| e.raw.as_str())
        .chain(page.quarantined.iter().map(|q| q.raw.as_str()));
    for raw in raws {
        for b in raw.bytes().chain([0xff]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Some(hash)
}

/// Why a sync failed. `Display` is the English sentence the poll log keeps;
/// [`SyncSyncFailure::message`] says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub enum SyncFailure {
    #[error("Parakey answered 304 to a request without an ETag.")]
    Confused,
    #[error(
        "Parakey rejected the token ({0}). Create a new one in the Parakey app under Settings → Integrations and paste it into Doorpost."
    )]
    Auth(u16),
    #[error("{}", unavailable(*.0))]
    Unavailable(u16),
    #[error(
        "Parakey's address redirected ({status}) to {}. Doorpost does not follow redirects to another host with your token; check the API address.",
        location.as_deref().unwrap_or("another address")
    )]
    Redirect {
        status: u16,
        location: Option<String>,
    },
    #[error("Parakey answered {0}; check the API address.")]
    Unexpected(u16),
    #[error(
        "Parakey refused every form of request Doorpost knows ({0}: {1}). Doorpost tries again in an hour."
    )]
    Refused(u16, String),
    #[error("Parakey sent an unreadable answer: {0}")]
    BadBody(String),
    #[error("Couldn't reach Parakey: {0}")]
    Network(String),
    #[error("This computer is offline: {0}")]
    Offline(String),
    #[error(
        "Parakey sent {0} records when Doorpost asked for at most {1}; the answer was refused."
    )]
    Oversized(usize, u32),
    #[error("Couldn't save to the history: {0}")]
    Store(String),
}

impl SyncFailure {
    /// The sentence in `lang`, with what to do.
    pub fn message(&self, lang: crate::settings::Language) -> String {
        use crate::i18n::{Msg, t};
        let status = |s: &u16| s.to_string();
        match self {
            SyncFailure::Confused => t(lang, Msg::ErrConfused, &[]),
            SyncFailure::Auth(s) => t(lang, Msg::ErrAuth, &[("status", &status(s))]),
            SyncFailure::Unavailable(429) => t(lang, Msg::ErrSlowDown, &[]),
            SyncFailure::Unavailable(s) => t(lang, Msg::ErrTrouble, &[("status", &status(s))]),
            SyncFailure::Redirect {
                status: s,
                location,
            } => {
                let somewhere = t(lang, Msg::ErrRedirectSomewhere, &[]);
                let to = location.as_deref().unwrap_or(&somewhere);
                t(
                    lang,
                    Msg::ErrRedirect,
                    &[("status", &status(s)), ("to", to)],
                )
            }
            SyncFailure::Unexpected(s) => t(lang, Msg::ErrUnexpected, &[("status", &status(s))]),
            SyncFailure::Refused(s, why) => t(
                lang,
                Msg::ErrRefused,
                &[("status", &status(s)), ("why", why)],
            ),
            SyncFailure::BadBody(why) => t(lang, Msg::ErrUnreadable, &[("why", why)]),
            SyncFailure::Network(why) => t(lang, Msg::ErrNetwork, &[("why", why)]),
            SyncFailure::Offline(why) => t(lang, Msg::ErrOffline, &[("why", why)]),
            SyncFailure::Oversized(got, asked) => t(
                lang,
                Msg::ErrOversized,
                &[("got", &got.to_string()), ("asked", &asked.to_string())],
            ),
            SyncFailure::Store(why) => t(lang, Msg::ErrStore, &[("why", why)]),
        }
    }
}

fn unavailable(status: u16) -> String {
    if status == 429 {
        "Parakey asked Doorpost to slow down (429).".to_string()
    } else {
        format!("Parakey is having trouble ({status}).")
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
    Some((at.timestamp_millis().saturating_sub(reference.0)).max(0))
}

#[cfg(test)]
mod tests;
