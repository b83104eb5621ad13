//! The simulated Parakey (the "fake"): the API as `shared/docs/parakey-api.md` describes
//! it, with a switch for every unknown and a scripted fault for every failure the client
//! must survive. The demo runs on it in-process ([`FakeControl::in_process`], no socket at
//! all; the engine reaches it through its `Exchange` seam, so the HTTP client imports no
//! test double); with the `testing` feature it is also a loopback HTTP server
//! (`FakeParakey`) that tests run the real HTTP client against, and the `fake-parakey`
//! binary serves to other processes.
//!
//! It owns an in-memory event store ([`events`]), the switches ([`config`]), the fault
//! queue ([`faults`]), request statistics, a seeded demo place ([`demo`]) and the API's
//! answers ([`api`]). All state sits behind one mutex that no handler holds across an
//! `.await`; a page costs a binary search plus the page (see [`events`]), so a test can
//! page through 100,000 rows quickly.
//!
//! The server keeps its own clock ([`Clock`]): the `Date` header, the `createdAt` of
//! injected events and the visibility of in-flight rows all read it, never the client's.
//!
//! Two surfaces: the Parakey API (`GET /eventLogs`, `GET /eventLogs/:id`, token required,
//! faults apply) and, on the test server only, the control API under `/_fake/` (no token,
//! no faults), which mirrors [`FakeControl`] for other processes.
//!
//! It depends on the core's types only, never on the engine's client or store: it is the
//! other side of the wire.

pub mod api;
pub mod config;
pub mod demo;
pub mod events;
pub mod faults;
pub mod feeds;
#[cfg(feature = "testing")]
mod server;
#[cfg(all(test, feature = "testing"))]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use doorpost_core::Millis;
use doorpost_core::rng::Rng;
use serde::Serialize;
use tokio::sync::watch;

pub use config::{
    AuthForm, BodyShape, Clock, DateField, DefaultOrder, EtagMode, FakeConfig, RateLimit,
    ScrubbedUser,
};
pub use config::{BodyQuirk, MOVED_PREFIX};
pub use events::{EventSpec, Resource, UserSpec};
pub use faults::{Fault, RetryAfter};
#[cfg(feature = "testing")]
pub use server::FakeParakey;

/// The base URL of an in-process fake: never resolved, never connected to. It names the
/// account (the poller's durable state is keyed by base URL and token).
pub const IN_PROCESS_URL: &str = "https://in-process.parakey.invalid";

use events::EventTable;

/// What the fake has served since the last [`FakeControl::reset_stats`]. Counts only
/// Parakey API requests, never `/_fake/*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub requests: u64,
    /// Responses by status code. A dropped or stalled request has none.
    pub by_status: BTreeMap<u16, u64>,
    pub dropped_connections: u64,
    /// Faults served (queued or random), `Slow` included.
    pub faults_served: u64,
    /// Body bytes as sent (after gzip, when the client asked for it).
    pub body_bytes: u64,
    /// Status line and headers, approximately (hyper's own framing aside).
    pub header_bytes: u64,
    /// The last API request's headers, lower-case names, repeated values joined by `, `.
    pub last_request_headers: BTreeMap<String, String>,
    /// The last API request's path and query.
    pub last_request_uri: Option<String>,
}

impl Stats {
    /// A header of the last API request.
    pub fn last_header(&self, name: &str) -> Option<&str> {
        self.last_request_headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

struct State {
    config: FakeConfig,
    events: EventTable,
    faults: VecDeque<Fault>,
    id_rng: Rng,
    fault_rng: Rng,
    stats: Stats,
    /// Fake-clock times of the API requests inside the rate limit's window.
    recent: VecDeque<Millis>,
    /// API requests answered so far: drives `max_limit_cycle` and `unstable_ties`.
    served: u64,
    /// The caching layer's answers by query, with when they were made (`stale_for_ms`).
    cache: std::collections::HashMap<String, (Millis, Vec<u8>)>,
    /// How old (ms) the caching layer's last answer was, for its `Age` header.
    cache_age: Option<i64>,
    /// When the caching layer's last answer was kept, for a `Date` of that moment.
    cache_kept_at: Option<Millis>,
    /// The booking feeds it serves (issue 16).
    feeds: feeds::Feeds,
}

impl State {
    fn new(config: FakeConfig) -> State {
        State {
            id_rng: Rng::seeded(config.seed),
            fault_rng: Rng::seeded(config.seed ^ 0xFA17_FA17_FA17_FA17),
            config,
            events: EventTable::default(),
            faults: VecDeque::new(),
            stats: Stats::default(),
            recent: VecDeque::new(),
            served: 0,
            cache: std::collections::HashMap::new(),
            cache_age: None,
            cache_kept_at: None,
            feeds: feeds::Feeds::default(),
        }
    }

    /// Counts an API request against the rate limit. `Err(wait_ms)` when it is over: how
    /// long until the oldest request in the window leaves it.
    fn take_rate(&mut self) -> Result<(), i64> {
        let Some(limit) = self.config.rate_limit else {
            return Ok(());
        };
        let now = self.now();
        while self
            .recent
            .front()
            .is_some_and(|t| now.since(*t) >= limit.window_ms)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= limit.requests.max(1) {
            let oldest = self.recent.front().copied().unwrap_or(now);
            return Err(oldest.plus(limit.window_ms).since(now).max(1));
        }
        self.recent.push_back(now);
        Ok(())
    }

    fn now(&self) -> Millis {
        self.config.clock.now()
    }

    /// Rows created after this are still in flight.
    fn visible_until(&self) -> Millis {
        self.now().minus(self.config.visibility_delay_ms)
    }

    fn fresh_id(&mut self) -> String {
        (0..10)
            .map(|_| ID_ALPHABET[(self.id_rng.next_u64() % ID_ALPHABET.len() as u64) as usize])
            .map(char::from)
            .collect()
    }

    fn inject(&mut self, spec: EventSpec) -> String {
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.fresh_id(),
        };
        let now = self.now();
        // The same unlock uploaded again: the first upload's device time, a later arrival.
        let again = self.config.duplicate_uploads.map(|after| {
            let created = spec.created_at.unwrap_or(now);
            EventSpec {
                id: None,
                created_at: Some(created.plus(after)),
                timestamp: Some(spec.timestamp.unwrap_or(created.minus(spec.late_by_ms))),
                ..spec.clone()
            }
        });
        self.events.insert(spec, now, id.clone());
        if let Some(again) = again {
            let second = self.fresh_id();
            self.events.insert(again, now, second);
        }
        id
    }

    /// The next fault for an API request: the queue first, then a random draw.
    fn take_fault(&mut self) -> Option<Fault> {
        let fault = self.faults.pop_front().or_else(|| {
            let rate = self.config.random_fault_rate;
            if rate <= 0.0 || self.config.random_faults.is_empty() {
                return None;
            }
            let draw = (self.fault_rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            if draw >= rate {
                return None;
            }
            let pick = self.fault_rng.next_u64() % self.config.random_faults.len() as u64;
            Some(self.config.random_faults[pick as usize].clone())
        });
        if fault.is_some() {
            self.stats.faults_served += 1;
        }
        fault
    }
}

struct Shared {
    state: Mutex<State>,
    /// Where the test server listens; `None` in-process.
    addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
}

impl Shared {
    /// Counts an API request and keeps its URI and headers for [`Stats`].
    fn record_request(&self, uri: &str, request_headers: &http::HeaderMap) {
        let mut state = self.lock();
        state.stats.requests += 1;
        state.stats.last_request_uri = Some(uri.to_string());
        let mut headers = BTreeMap::<String, String>::new();
        for (name, value) in request_headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
        state.stats.last_request_headers = headers;
    }

    /// What a finished response needs: the `Date` header from the fake clock (or none),
    /// its length, and byte counts for [`Stats`] (after gzip, on the server).
    fn finish_response(&self, parts: &mut http::response::Parts, body_len: usize, is_api: bool) {
        let (now, date_header) = {
            let state = self.lock();
            (state.now(), state.config.date_header)
        };
        if date_header && !parts.headers.contains_key(http::header::DATE) {
            parts.headers.insert(
                http::header::DATE,
                http_date(now).parse().expect("HTTP-dates are ASCII"),
            );
        }
        // A 304's headers describe the 200 it stands for; a length of 0 would misstate it.
        if parts.status != http::StatusCode::NOT_MODIFIED {
            parts.headers.insert(
                http::header::CONTENT_LENGTH,
                http::HeaderValue::from(body_len),
            );
        }
        if is_api {
            let header_bytes = "HTTP/1.1 200 OK\r\n\r\n".len()
                + parts
                    .headers
                    .iter()
                    .map(|(name, value)| name.as_str().len() + value.len() + 4)
                    .sum::<usize>();
            let mut state = self.lock();
            *state
                .stats
                .by_status
                .entry(parts.status.as_u16())
                .or_default() += 1;
            state.stats.body_bytes += body_len as u64;
            state.stats.header_bytes += header_bytes as u64;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not wedge every later request.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The scripting surface of a running fake: cheap to clone, usable from any task. It
/// does not keep the server alive; [`FakeParakey`] owns that.
#[derive(Clone)]
pub struct FakeControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeControl")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl FakeControl {
    /// A fake that answers in this process only ([`FakeControl::exchange`]): no socket,
    /// no port, nothing another process could reach. The demo runs on it.
    pub fn in_process(config: FakeConfig) -> FakeControl {
        let (stop, _) = watch::channel(false);
        FakeControl {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new(config)),
                addr: None,
                stop,
            }),
        }
    }

    /// One Parakey API request (`/eventLogs?...` or `/eventLogs/:id`), answered as the
    /// server would answer it, faults, `Date` header and statistics included. `None`: the
    /// connection was dropped, or the path is not the API's.
    pub async fn exchange(
        &self,
        path_and_query: &str,
        headers: &http::HeaderMap,
    ) -> Option<api::Response> {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        self.shared.record_request(path_and_query, headers);
        let answer = api::answer(&self.shared, path, query, headers).await?;
        let api::Answer::Respond(response) = answer else {
            self.shared.lock().stats.dropped_connections += 1;
            return None;
        };
        let (mut parts, body) = response.into_parts();
        self.shared.finish_response(&mut parts, body.len(), true);
        Some(http::Response::from_parts(parts, body))
    }

    // --- booking feeds ---

    /// Serves `feed` at `{FEED_PATH}{name}.ics` (replacing one of that name).
    pub fn set_feed(&self, name: &str, feed: feeds::SimFeed) {
        self.shared.lock().feeds.set(name, feed);
    }

    /// Changes how feed `name` answers.
    pub fn set_feed_switch(&self, name: &str, switch: feeds::FeedSwitch) {
        self.shared.lock().feeds.set_switch(name, switch);
    }

    /// Feed `name`'s answer to a request with these validators, its stays around the
    /// fake clock's day at `utc_offset_secs`.
    pub fn feed(
        &self,
        name: &str,
        if_none_match: Option<&str>,
        if_modified_since: Option<&str>,
        utc_offset_secs: i32,
    ) -> feeds::FeedAnswer {
        let mut state = self.shared.lock();
        let local = state.now().plus(i64::from(utc_offset_secs) * 1_000);
        let today = chrono::DateTime::from_timestamp_millis(local.0)
            .unwrap_or_default()
            .date_naive();
        state
            .feeds
            .answer(name, if_none_match, if_modified_since, today)
    }

    /// Requests feed `name` had, and of those the ones answered 304.
    pub fn feed_requests(&self, name: &str) -> (u64, u64) {
        let state = self.shared.lock();
        let count = |m: &std::collections::BTreeMap<String, u64>| m.get(name).copied();
        (
            count(&state.feeds.requests).unwrap_or(0),
            count(&state.feeds.not_modified).unwrap_or(0),
        )
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: the test server's address.
    #[cfg(feature = "testing")]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The test server's address.
    #[cfg(feature = "testing")]
    pub fn addr(&self) -> SocketAddr {
        self.shared
            .addr
            .expect("an in-process fake has no address; use the test server")
    }

    /// False once the server was shut down (or dropped).
    pub fn is_running(&self) -> bool {
        !*self.shared.stop.borrow()
    }

    // --- clock ---

    /// The server's now.
    pub fn now(&self) -> Millis {
        self.shared.lock().now()
    }

    /// Switches to a manual clock standing at `now`.
    pub fn set_now(&self, now: Millis) {
        self.shared.lock().config.clock = Clock::Manual { now };
    }

    /// Moves the clock by `ms` (a real clock gains skew).
    pub fn advance(&self, ms: i64) {
        self.shared.lock().config.clock.advance(ms);
    }

    pub fn set_clock(&self, clock: Clock) {
        self.shared.lock().config.clock = clock;
    }

    // --- switches ---

    pub fn config(&self) -> FakeConfig {
        self.shared.lock().config.clone()
    }

    /// Flips switches on the running server: `fake.configure(|c| c.etag = EtagMode::Strong)`.
    pub fn configure(&self, change: impl FnOnce(&mut FakeConfig)) {
        change(&mut self.shared.lock().config);
    }

    // --- events ---

    /// Stores one event and returns its id.
    pub fn inject(&self, spec: EventSpec) -> String {
        self.shared.lock().inject(spec)
    }

    /// Stores many events under one lock (and at most one re-sort before the next query).
    pub fn inject_many(&self, specs: impl IntoIterator<Item = EventSpec>) -> Vec<String> {
        let mut state = self.shared.lock();
        specs.into_iter().map(|spec| state.inject(spec)).collect()
    }

    /// `n` default unlocks sharing one `createdAt` (a lock flushing its queue).
    pub fn inject_burst(&self, n: usize, shared_created_at: Millis) -> Vec<String> {
        self.inject_many((0..n).map(|_| EventSpec::at(shared_created_at)))
    }

    /// Stores any JSON as a record, served verbatim: a record without `id`, with a bad
    /// date, or not an object at all, for the client to quarantine.
    pub fn insert_raw(&self, record: serde_json::Value) {
        let mut state = self.shared.lock();
        let now = state.now();
        state.events.insert_raw(record, now);
    }

    /// Sets the event's `user` to null (a PII scrub). False when the id is unknown.
    pub fn scrub_user(&self, event_id: &str) -> bool {
        self.shared.lock().events.scrub_user(event_id)
    }

    /// Scrubs every event created before `cutoff` (retention ran); returns how many changed.
    pub fn scrub_all_before(&self, cutoff: Millis) -> usize {
        self.shared.lock().events.scrub_all_before(cutoff)
    }

    /// Renames a door in every event, past ones included. False when the door is unknown.
    pub fn rename_door(&self, door_id: &str, name: &str) -> bool {
        self.shared.lock().events.rename_door(door_id, name)
    }

    /// Deletes a door: its events stay and keep `"device": {"id": ...}` without a name.
    pub fn delete_door(&self, door_id: &str) -> bool {
        self.shared.lock().events.delete_door(door_id)
    }

    pub fn event_count(&self) -> usize {
        self.shared.lock().events.len()
    }

    // --- faults ---

    /// Queues a fault for the next API request that finds the queue at this point.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.lock().faults.extend(faults);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    // --- statistics ---

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    pub fn requests_since_reset(&self) -> u64 {
        self.shared.lock().stats.requests
    }

    pub fn reset_stats(&self) {
        self.shared.lock().stats = Stats::default();
    }

    /// Stops accepting and closes every open connection, stalled ones included.
    /// Idempotent.
    pub fn shutdown(&self) {
        self.shared.stop.send_replace(true);
    }

    /// Resolves once the server is shut down.
    pub async fn stopped(&self) {
        until_stopped(&mut self.shared.stop.subscribe()).await;
    }
}

/// An HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) for a point on the fake clock.
pub(crate) fn http_date(at: Millis) -> String {
    let since_epoch = Duration::from_millis(u64::try_from(at.0).unwrap_or(0));
    httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + since_epoch)
}

/// Resolves once the stop flag is set.
async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    // The sender lives in `Shared`, which every caller keeps alive, so this cannot fail;
    // were it dropped, stopping is the right reading anyway.
    let _ = stop.wait_for(|&stopped| stopped).await;
}
