//! The fake's HTTP routes: the Parakey API and the `/_fake/` control API.
//!
//! Parakey API requests first take a fault (queue, then random draw), then check the
//! token, then answer; a 200's `ETag` is a hash of the exact body, so an unchanged
//! answer to the same URL is a 304. Control requests take no token and no faults.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use doorpost_core::Millis;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower_http::compression::{CompressionLayer, CompressionLevel};

use super::config::{AuthForm, BodyShape, Clock, DefaultOrder, EtagMode, FakeConfig};
use super::events::{
    Direction, EventSpec, ListQuery, RenderStyle, Resource, SortKey, millis_from_json,
};
use super::faults::{Fault, RetryAfter};
use super::{Shared, State, http_date};

/// Put in a response's extensions to make the connection close without any response.
#[derive(Debug, Clone, Copy)]
pub(super) struct DropConnection;

type Ctx = AxumState<Arc<Shared>>;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/eventLogs", get(list_event_logs))
        .route("/eventLogs/{id}", get(get_event_log))
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

// --- the Parakey API ---

async fn list_event_logs(
    AxumState(shared): Ctx,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = shared.lock().take_fault();
    answer_api(&shared, &headers, fault, |state| {
        list_body(state, query.as_deref().unwrap_or(""))
    })
    .await
}

/// 429 for a request over the rate limit, with `Retry-After` in whole seconds when the
/// switch says so.
fn rate_limited(wait_ms: i64, with_header: bool) -> Response {
    let mut response = error_response(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    if with_header {
        let secs = (wait_ms + 999) / 1000;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

async fn get_event_log(
    AxumState(shared): Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fault = shared.lock().take_fault();
    answer_api(&shared, &headers, fault, |state| {
        let visible_until = state.visible_until();
        match state.events.find(&id, visible_until) {
            Some(row) => Ok(state.events.render_one(row, &render_style(&state.config))),
            None => Err((StatusCode::NOT_FOUND, "event log not found".into())),
        }
    })
    .await
}

/// A Parakey endpoint's body, or the status and message of its refusal.
type Answer = Result<Vec<u8>, (StatusCode, String)>;

async fn answer_api(
    shared: &Shared,
    headers: &HeaderMap,
    fault: Option<Fault>,
    produce: impl FnOnce(&mut State) -> Answer,
) -> Response {
    let mut truncate = false;
    match fault {
        None => {}
        Some(Fault::Slow(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::Stall) => std::future::pending::<()>().await,
        Some(Fault::DropConnection) => {
            let mut response = Response::default();
            response.extensions_mut().insert(DropConnection);
            return response;
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error_response(status, status.canonical_reason().unwrap_or("fault"));
        }
        Some(Fault::TooManyRequests { retry_after }) => {
            let mut response = error_response(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            let value = match retry_after {
                RetryAfter::Seconds(secs) => Some(secs.to_string()),
                RetryAfter::HttpDate(secs) => {
                    let secs = i64::try_from(secs).unwrap_or(i64::MAX / 2_000);
                    Some(http_date(
                        shared.lock().now().plus(secs.saturating_mul(1_000)),
                    ))
                }
                RetryAfter::Absent => None,
            };
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
        Some(Fault::Redirect { status, location }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
            return match HeaderValue::from_str(&location) {
                Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
                Err(_) => error_response(StatusCode::INTERNAL_SERVER_ERROR, "bad redirect fault"),
            };
        }
        Some(Fault::Malformed) => {
            // JavaScript, not JSON: what a broken serializer or a proxy page looks like.
            let body = br#"{"data": [{id: 'Mf0000000a', "createdAt": NaN,}]"#.to_vec();
            return json_response(StatusCode::OK, body, None);
        }
        Some(Fault::Truncate) => truncate = true,
    }

    let (answer, etag_mode) = {
        let mut state = shared.lock();
        if let Err(wait_ms) = state.take_rate() {
            let with_header = state.config.rate_limit.is_some_and(|l| l.retry_after);
            return rate_limited(wait_ms, with_header);
        }
        state.served += 1;
        if !authorised(&state.config, headers) {
            let status = StatusCode::from_u16(state.config.auth_reject_status)
                .unwrap_or(StatusCode::UNAUTHORIZED);
            return error_response(status, "missing or invalid access token");
        }
        (produce(&mut state), state.config.etag)
    };
    let mut body = match answer {
        Ok(body) => body,
        Err((status, message)) => return error_response(status, &message),
    };
    let etag = entity_tag(&body, etag_mode);
    if truncate {
        body.truncate(body.len() / 2);
        return json_response(StatusCode::OK, body, etag);
    }
    if let Some(etag) = &etag {
        // Byte for byte, `W/` and quotes included: the client must echo what it got.
        let unchanged = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .any(|v| v.as_bytes() == etag.as_bytes());
        if unchanged {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag.clone())]).into_response();
        }
    }
    json_response(StatusCode::OK, body, etag)
}

fn authorised(config: &FakeConfig, headers: &HeaderMap) -> bool {
    let token = config.token.as_bytes();
    let access_token = headers
        .get("access-token")
        .is_some_and(|v| v.as_bytes() == token);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .is_some_and(|t| t == token);
    match config.auth_form {
        AuthForm::AccessToken => access_token,
        AuthForm::Bearer => bearer,
        AuthForm::Either => access_token || bearer,
    }
}

/// The `ETag` of a body: a hash of its exact bytes, so it changes exactly when the body does.
fn entity_tag(body: &[u8], mode: EtagMode) -> Option<String> {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    match mode {
        EtagMode::Strong => Some(format!("\"{hex}\"")),
        EtagMode::Weak => Some(format!("W/\"{hex}\"")),
        EtagMode::Absent => None,
    }
}

fn render_style(config: &FakeConfig) -> RenderStyle<'_> {
    RenderStyle {
        domain: Resource::new(&config.domain_id, &config.domain_name),
        scrubbed_user: config.scrubbed_user,
        shape: &config.body_shape,
    }
}

/// The parameters of `GET /eventLogs` as sent, before the switches apply.
#[derive(Debug, Default)]
struct ListParams {
    limit: Option<usize>,
    skip: Option<usize>,
    start: Option<Millis>,
    end: Option<Millis>,
    order_by: Option<(SortKey, Direction)>,
}

impl ListParams {
    /// `strict`: a server that validates its input answers 400 to anything undocumented.
    fn parse(query: &str, strict: bool) -> Result<ListParams, String> {
        let mut params = ListParams::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if strict && !matches!(key.as_ref(), "limit" | "startDate" | "orderBy") {
                return Err(format!("\"{key}\" is not allowed"));
            }
            if value.trim().is_empty() {
                continue;
            }
            let count = || {
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("`{key}` must be a non-negative integer, got {value:?}"))
            };
            let date = || {
                Millis::parse_rfc3339(&value)
                    .ok_or_else(|| format!("`{key}` must be an ISO-8601 date, got {value:?}"))
            };
            match key.as_ref() {
                "limit" => params.limit = Some(count()?),
                "skip" | "offset" => params.skip = Some(count()?),
                "startDate" => params.start = Some(date()?),
                "endDate" => params.end = Some(date()?),
                "orderBy" => params.order_by = Some(parse_order_by(&value)?),
                _ => {}
            }
        }
        Ok(params)
    }
}

/// `createdAt:DESC`, `timestamp:asc`, or a bare field (descending).
fn parse_order_by(value: &str) -> Result<(SortKey, Direction), String> {
    let (field, direction) = value.split_once(':').unwrap_or((value, "DESC"));
    let sort = match field.trim() {
        "createdAt" => SortKey::CreatedAt,
        "timestamp" => SortKey::Timestamp,
        other => return Err(format!("cannot order by {other:?}")),
    };
    let direction = match direction.trim().to_ascii_uppercase().as_str() {
        "ASC" => Direction::Asc,
        "DESC" => Direction::Desc,
        other => return Err(format!("order must be ASC or DESC, got {other:?}")),
    };
    Ok((sort, direction))
}

fn list_body(state: &mut State, query: &str) -> Answer {
    let params = ListParams::parse(query, state.config.strict_params)
        .map_err(|m| (StatusCode::BAD_REQUEST, m))?;
    let visible_until = state.visible_until();
    let config = &state.config;
    let (sort, direction) = params.order_by.unwrap_or(match config.default_order {
        DefaultOrder::CreatedAtDesc => (SortKey::CreatedAt, Direction::Desc),
        DefaultOrder::TimestampDesc => (SortKey::Timestamp, Direction::Desc),
        DefaultOrder::Insertion => (SortKey::Insertion, Direction::Asc),
    });
    let asked = params.limit.unwrap_or(config.default_limit);
    let cap = match config.max_limit_cycle.as_slice() {
        [] => config.max_limit,
        cycle => Some(cycle[(state.served as usize).saturating_sub(1) % cycle.len()]),
    };
    let limit = match (config.ignore_limit, cap) {
        (true, _) => asked.saturating_mul(4).saturating_add(1),
        (false, Some(cap)) => asked.min(cap),
        (false, None) => asked,
    };
    let query = ListQuery {
        sort,
        direction,
        date_field: config.date_field,
        start: params.start.map(|s| (s, config.start_inclusive)),
        end: params
            .end
            .filter(|_| config.end_date_supported)
            .map(|e| (e, config.end_inclusive)),
        skip: params.skip.filter(|_| config.skip_supported).unwrap_or(0),
        limit,
        visible_until,
        shuffle_ties: config.unstable_ties.then_some(config.seed ^ state.served),
        want_total: matches!(
            config.body_shape,
            BodyShape::Envelope {
                with_total: true,
                ..
            }
        ),
    };
    let selection = state.events.select(&query);
    Ok(state
        .events
        .render_page(&selection, &render_style(&state.config)))
}

fn json_response(status: StatusCode, body: Vec<u8>, etag: Option<String>) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

fn error_response(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": message, "statusCode": status.as_u16() });
    json_response(status, body.to_string().into_bytes(), None)
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
        error_response(self.0, &self.1)
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
    Ok(json_response(StatusCode::OK, body, None))
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
