//! What the driver and the poller exchange: the requests it is asked to send and the
//! responses it hands back, the commits it writes and acknowledges, the durable state and
//! the tunables it starts from, the status it shows, and why a sync failed. Types and their
//! small helpers only; the state machine that decides with them is in `mod.rs`, which
//! re-exports all of this, so `doorpost_core::poller::Commit` and the like are the paths
//! to use.

use serde::{Deserialize, Serialize};

use super::listing::Incomplete;
use crate::event::{EventLog, Page, PageError, Quarantined};
use crate::time::{Millis, Mono};

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
    pub(super) fn other(self) -> AuthStyle {
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

    pub(super) fn note(&mut self, wall: Millis) {
        if self.since_wall.is_none() {
            self.since_wall = Some(wall);
        }
    }

    /// Forgets the lessons once they are [`Learned::KEPT`] old (the last refusal stays, for
    /// Status).
    pub(super) fn expire(&mut self, wall: Millis) {
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
    pub(super) fn note_rate_limit(&mut self, before: u32, wall: Millis) {
        self.per_minute = Some(self.per_minute.map_or(before, |n| n.min(before)).max(1));
        self.per_minute_since_wall = Some(wall);
    }

    /// Ten minutes at the pace without a 429: one more request a minute is tried (a pace
    /// learned too low climbs back; the next 429 sets it again).
    pub(super) fn note_answered(&mut self, wall: Millis) {
        if let (Some(n), Some(at)) = (self.per_minute, self.per_minute_since_wall)
            && wall.since(at) >= 10 * Millis::MINUTE
        {
            self.per_minute = Some(n.saturating_add(1));
            self.per_minute_since_wall = Some(wall);
        }
    }

    pub(super) fn pin_unservable(&mut self, at: Option<Millis>, wall: Millis) {
        if at.is_some() && at != self.unservable {
            self.unservable = at;
            self.unservable_since_wall = Some(wall);
        }
    }

    pub(super) fn cap(&self, limit: u32) -> u32 {
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
#[must_use]
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
#[must_use]
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
#[must_use]
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
        retry_at: Mono,
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
    pub next_check: Option<Mono>,
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
    BadBody(PageError),
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
            SyncFailure::BadBody(e) => t(lang, Msg::ErrUnreadable, &[("why", &e.message(lang))]),
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
