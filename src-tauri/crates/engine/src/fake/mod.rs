//! The fake Parakey server: the API as `shared/docs/parakey-api.md` describes it, with a
//! switch for every unknown and a scripted fault for every failure the client must
//! survive. Engine tests run the real HTTP client against it on loopback, the demo mode
//! runs on it, and the `fake-parakey` binary serves it to other processes.
//!
//! It owns an in-memory event store ([`events`]), the switches ([`config`]), the fault
//! queue ([`faults`]), request statistics, a seeded demo place ([`demo`]) and a tiny
//! HTTP server. All state sits behind one mutex that no handler holds across an
//! `.await`; a page costs a binary search plus the page (see [`events`]), so a test can
//! page through 100,000 rows quickly.
//!
//! The server keeps its own clock ([`Clock`]): the `Date` header, the `createdAt` of
//! injected events and the visibility of in-flight rows all read it, never the client's.
//!
//! Two surfaces: the Parakey API (`GET /eventLogs`, `GET /eventLogs/:id`, token required,
//! faults apply) and the control API under `/_fake/` (no token, no faults), which mirrors
//! [`FakeControl`] for other processes.
//!
//! It must not depend on the engine's client or store: it is the other side of the wire.

mod api;
pub mod config;
pub mod demo;
pub mod events;
pub mod faults;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use doorpost_core::Millis;
use doorpost_core::rng::Rng;
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub use config::{
    AuthForm, BodyShape, Clock, DateField, DefaultOrder, EtagMode, FakeConfig, RateLimit,
    ScrubbedUser,
};
pub use events::{EventSpec, Resource, UserSpec};
pub use faults::{Fault, RetryAfter};

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
        self.events.insert(spec, now, id.clone());
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
    addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl Shared {
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
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
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

/// A running fake Parakey on loopback. Dropping it shuts the server down; scripting
/// methods come from [`FakeControl`] through `Deref`.
#[derive(Debug)]
pub struct FakeParakey {
    control: FakeControl,
}

impl FakeParakey {
    /// Serves on `127.0.0.1` at a random free port.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeParakey> {
        FakeParakey::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Serves on `addr` (port 0 for a random one). Must run inside a tokio runtime.
    pub async fn start_on(addr: SocketAddr, config: FakeConfig) -> std::io::Result<FakeParakey> {
        let listener = TcpListener::bind(addr).await?;
        let (stop, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(config)),
            addr: listener.local_addr()?,
            stop,
        });
        tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(FakeParakey {
            control: FakeControl { shared },
        })
    }

    /// A handle for other tasks (e.g. [`demo::run_live`]); it does not keep the server up.
    pub fn control(&self) -> FakeControl {
        self.control.clone()
    }
}

impl std::ops::Deref for FakeParakey {
    type Target = FakeControl;
    fn deref(&self) -> &FakeControl {
        &self.control
    }
}

impl Drop for FakeParakey {
    fn drop(&mut self) {
        self.control.shutdown();
    }
}

/// Resolves once the stop flag is set.
async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    // The sender lives in `Shared`, which every caller keeps alive, so this cannot fail;
    // were it dropped, stopping is the right reading anyway.
    let _ = stop.wait_for(|&stopped| stopped).await;
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let router = api::router(Arc::clone(&shared));
    let mut stop = shared.stop.subscribe();
    loop {
        tokio::select! {
            _ = until_stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, router.clone(), Arc::clone(&shared)));
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "fake Parakey: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
}

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("fake Parakey dropped the connection on purpose")]
struct ConnectionDropped;

async fn serve_connection(stream: TcpStream, router: axum::Router, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut stop = shared.stop.subscribe();
    let router = hyper_util::service::TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |request| {
        let router = router.clone();
        let shared = Arc::clone(&shared);
        async move { respond(&router, &shared, request).await }
    });
    // The `Date` header comes from the fake's own clock (or not at all), never hyper's.
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .auto_date_header(false)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "fake Parakey: connection ended");
            }
        }
        // Dropping the connection closes the socket, so a stalled request ends too.
        _ = until_stopped(&mut stop) => {}
    }
}

fn is_api_path(path: &str) -> bool {
    path == "/eventLogs" || path.starts_with("/eventLogs/")
}

/// Runs the router, then does what needs the finished response: the `Date` header from
/// the fake clock, dropping the connection on request, and byte counts after gzip.
async fn respond(
    router: &hyper_util::service::TowerToHyperService<axum::Router>,
    shared: &Shared,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<axum::response::Response, ConnectionDropped> {
    use hyper::service::Service;

    let is_api = is_api_path(request.uri().path());
    if is_api {
        let mut state = shared.lock();
        state.stats.requests += 1;
        state.stats.last_request_uri = Some(request.uri().to_string());
        let mut headers = BTreeMap::<String, String>::new();
        for (name, value) in request.headers() {
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

    let response = match router.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if response.extensions().get::<api::DropConnection>().is_some() {
        shared.lock().stats.dropped_connections += 1;
        return Err(ConnectionDropped);
    }
    let (mut parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "fake Parakey: could not build a response body");
            return Err(ConnectionDropped);
        }
    };
    let (now, date_header) = {
        let state = shared.lock();
        (state.now(), state.config.date_header)
    };
    if date_header && !parts.headers.contains_key(axum::http::header::DATE) {
        parts.headers.insert(
            axum::http::header::DATE,
            http_date(now).parse().expect("HTTP-dates are ASCII"),
        );
    }
    // A 304's headers describe the 200 it stands for; a length of 0 would misstate it.
    if parts.status != axum::http::StatusCode::NOT_MODIFIED {
        parts.headers.insert(
            axum::http::header::CONTENT_LENGTH,
            axum::http::HeaderValue::from(body.len()),
        );
    }
    if is_api {
        let header_bytes = "HTTP/1.1 200 OK\r\n\r\n".len()
            + parts
                .headers
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len() + 4)
                .sum::<usize>();
        let mut state = shared.lock();
        *state
            .stats
            .by_status
            .entry(parts.status.as_u16())
            .or_default() += 1;
        state.stats.body_bytes += body.len() as u64;
        state.stats.header_bytes += header_bytes as u64;
    }
    Ok(axum::response::Response::from_parts(
        parts,
        axum::body::Body::from(body),
    ))
}

/// An HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) for a point on the fake clock.
pub(crate) fn http_date(at: Millis) -> String {
    let since_epoch = Duration::from_millis(u64::try_from(at.0).unwrap_or(0));
    httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + since_epoch)
}
