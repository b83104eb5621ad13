//! The fake Parakey as a loopback HTTP server, for tests only (`testing` feature): the
//! Parakey API of [`super::api`] behind hyper, with gzip, and the control API under
//! `/_fake/` (no token, no faults), which mirrors [`FakeControl`] for other processes.
//!
//! Nothing here is in the release binary: the demo answers in-process and opens no port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_http::compression::{CompressionLayer, CompressionLevel};

use super::api::{self, Answer, error_response, json_response};
use super::config::{Clock, FakeConfig, MOVED_PREFIX};
use super::events::{EventSpec, millis_from_json};
use super::faults::Fault;
use super::{FakeControl, Shared, State, until_stopped};

/// Put in a response's extensions to make the connection close without any response.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

type Ctx = AxumState<Arc<Shared>>;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/eventLogs", get(parakey_api))
        .route("/eventLogs/{id}", get(parakey_api))
        .route(&format!("{MOVED_PREFIX}/eventLogs"), get(parakey_api))
        .route(
            &format!("{MOVED_PREFIX}/eventLogs/{{id}}"),
            get(parakey_api),
        )
        .route("/feeds/{name}", get(feed))
        .route("/_fake/feeds/{name}", post(set_feed))
        .route("/_fake/inject", post(inject))
        .route("/_fake/raw", post(insert_raw))
        .route("/_fake/faults", post(push_faults).delete(clear_faults))
        .route("/_fake/clock", get(clock).post(set_clock))
        .route("/_fake/stats", get(stats).delete(reset_stats))
        .route("/_fake/scrub", post(scrub))
        .route("/_fake/doors/{id}", post(rename_door).delete(delete_door))
        .route("/_fake/config", get(config).post(patch_config))
        // Fastest: a 100,000-row bench spends its time in gzip otherwise.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .with_state(shared)
}

async fn parakey_api(AxumState(shared): Ctx, uri: axum::http::Uri, headers: HeaderMap) -> Response {
    match api::answer(&shared, uri.path(), uri.query(), &headers).await {
        Some(Answer::Respond(response)) => response.map(axum::body::Body::from),
        Some(Answer::Drop) => {
            let mut response = Response::default();
            response.extensions_mut().insert(DropConnection);
            response
        }
        None => {
            error_response(StatusCode::NOT_FOUND, "no such endpoint").map(axum::body::Body::from)
        }
    }
}

/// A booking feed (`/feeds/{name}.ics`): no token, no faults, the fake's clock's day.
async fn feed(AxumState(shared): Ctx, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let name = name.strip_suffix(".ics").unwrap_or(&name);
    let header = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    let control = FakeControl { shared };
    let answer = control.feed(
        name,
        header("if-none-match"),
        header("if-modified-since"),
        0,
    );
    let mut response = Response::new(axum::body::Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    for (name, value) in answer.headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// `POST /_fake/feeds/{name}` with a [`crate::feeds::SimFeed`]: serves it.
async fn set_feed(
    AxumState(shared): Ctx,
    Path(name): Path<String>,
    axum::Json(feed): axum::Json<crate::feeds::SimFeed>,
) -> StatusCode {
    FakeControl { shared }.set_feed(&name, feed);
    StatusCode::NO_CONTENT
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
            addr: Some(listener.local_addr()?),
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

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let router = router(Arc::clone(&shared));
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
    let path = path.strip_prefix(MOVED_PREFIX).unwrap_or(path);
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
        shared.record_request(&request.uri().to_string(), request.headers());
    }

    let response = match router.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if response.extensions().get::<DropConnection>().is_some() {
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
    shared.finish_response(&mut parts, body.len(), is_api);
    Ok(axum::response::Response::from_parts(
        parts,
        axum::body::Body::from(body),
    ))
}

// --- the control API ---

/// A control request that could not be carried out.
struct ControlError(StatusCode, String);

impl ControlError {
    fn bad_request(message: impl std::fmt::Display) -> ControlError {
        ControlError(StatusCode::BAD_REQUEST, message.to_string())
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        error_response(self.0, &self.1).map(axum::body::Body::from)
    }
}

type ControlResult = Result<Response, ControlError>;

fn read_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    serde_json::from_slice(body).map_err(|e| ControlError::bad_request(format!("bad JSON: {e}")))
}

/// One item or an array of items.
fn read_one_or_many<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, ControlError> {
    let items = match read_json::<Value>(body)? {
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<_, _>>()
        .map_err(ControlError::bad_request)
}

fn ok_json(value: impl Serialize) -> ControlResult {
    let body = serde_json::to_vec(&value)
        .map_err(|e| ControlError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(json_response(StatusCode::OK, body, None).map(axum::body::Body::from))
}

/// `POST /_fake/inject`: one `EventSpec` or an array of them; answers `{"ids": [...]}`.
async fn inject(AxumState(shared): Ctx, body: Bytes) -> ControlResult {
    let specs: Vec<EventSpec> = read_one_or_many(&body)?;
    let mut state = shared.lock();
    let ids: Vec<String> = specs.into_iter().map(|spec| state.inject(spec)).collect();
    ok_json(json!({ "ids": ids }))
}

/// `POST /_fake/raw`: any JSON, stored and served verbatim as one record.
async fn insert_raw(AxumState(shared): Ctx, body: Bytes) -> ControlResult {
    let record: Value = read_json(&body)?;
    let mut state = shared.lock();
    let now = state.now();
    state.events.insert_raw(record, now);
    ok_json(json!({ "events": state.events.len() }))
}

/// `POST /_fake/faults`: a fault or an array of faults, queued in order.
async fn push_faults(AxumState(shared): Ctx, body: Bytes) -> ControlResult {
    let faults: Vec<Fault> = read_one_or_many(&body)?;
    let mut state = shared.lock();
    state.faults.extend(faults);
    ok_json(json!({ "pending": state.faults.len() }))
}

async fn clear_faults(AxumState(shared): Ctx) -> ControlResult {
    shared.lock().faults.clear();
    ok_json(json!({ "pending": 0 }))
}

fn clock_json(state: &State) -> Value {
    let now = state.now();
    json!({ "now": now.to_rfc3339(), "nowMs": now.0, "clock": state.config.clock })
}

async fn clock(AxumState(shared): Ctx) -> ControlResult {
    ok_json(clock_json(&shared.lock()))
}

/// `POST /_fake/clock`: `{"set": <ms or RFC 3339>}` (manual clock), `{"advanceMs": n}`,
/// or `{"skewMs": n}` (real clock with that skew).
async fn set_clock(AxumState(shared): Ctx, body: Bytes) -> ControlResult {
    let command: Value = read_json(&body)?;
    let set = match command.get("set") {
        Some(set) => Some(
            millis_from_json(set)
                .ok_or_else(|| ControlError::bad_request("`set` must be a time"))?,
        ),
        None => None,
    };
    let mut state = shared.lock();
    if let Some(skew_ms) = command.get("skewMs").and_then(Value::as_i64) {
        state.config.clock = Clock::Real { skew_ms };
    }
    if let Some(now) = set {
        state.config.clock = Clock::Manual { now };
    }
    if let Some(ms) = command.get("advanceMs").and_then(Value::as_i64) {
        state.config.clock.advance(ms);
    }
    ok_json(clock_json(&state))
}

async fn stats(AxumState(shared): Ctx) -> ControlResult {
    ok_json(&shared.lock().stats)
}

async fn reset_stats(AxumState(shared): Ctx) -> ControlResult {
    shared.lock().stats = Default::default();
    ok_json(json!({ "reset": true }))
}

/// `POST /_fake/scrub`: `{"eventId": "..."}` or `{"before": <time>}`.
async fn scrub(AxumState(shared): Ctx, body: Bytes) -> ControlResult {
    let command: Value = read_json(&body)?;
    let mut state = shared.lock();
    let scrubbed = if let Some(id) = command.get("eventId").and_then(Value::as_str) {
        usize::from(state.events.scrub_user(id))
    } else if let Some(cutoff) = command.get("before").and_then(millis_from_json) {
        state.events.scrub_all_before(cutoff)
    } else {
        return Err(ControlError::bad_request("send `eventId` or `before`"));
    };
    ok_json(json!({ "scrubbed": scrubbed }))
}

fn no_such_door() -> ControlError {
    ControlError(StatusCode::NOT_FOUND, "no such door".into())
}

/// `POST /_fake/doors/:id` with `{"name": "..."}` renames the door.
async fn rename_door(AxumState(shared): Ctx, Path(id): Path<String>, body: Bytes) -> ControlResult {
    let command: Value = read_json(&body)?;
    let name = command
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ControlError::bad_request("send `name`"))?;
    if !shared.lock().events.rename_door(&id, name) {
        return Err(no_such_door());
    }
    ok_json(json!({ "renamed": id }))
}

/// `DELETE /_fake/doors/:id`: its events keep `"device": {"id": ...}` without a name.
async fn delete_door(AxumState(shared): Ctx, Path(id): Path<String>) -> ControlResult {
    if !shared.lock().events.delete_door(&id) {
        return Err(no_such_door());
    }
    ok_json(json!({ "deleted": id }))
}

async fn config(AxumState(shared): Ctx) -> ControlResult {
    ok_json(&shared.lock().config)
}

/// `POST /_fake/config`: a partial `FakeConfig` (camelCase keys); answers the new config.
async fn patch_config(AxumState(shared): Ctx, body: Bytes) -> ControlResult {
    let patch: serde_json::Map<String, Value> = read_json(&body)?;
    let mut state = shared.lock();
    let mut merged = match serde_json::to_value(&state.config) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("FakeConfig serialises as a JSON object"),
    };
    merged.extend(patch);
    state.config =
        serde_json::from_value(Value::Object(merged)).map_err(ControlError::bad_request)?;
    ok_json(&state.config)
}
