//! The Parakey API as the fake answers it, free of any HTTP server: `GET /eventLogs` and
//! `GET /eventLogs/:id` in, an [`http::Response`] (or a dropped connection) out. The demo
//! calls it in-process; the test server (`testing` feature) puts it behind a socket.
//!
//! A request first takes a fault (queue, then random draw), then checks the token, then
//! answers; a 200's `ETag` is a hash of the exact body, so an unchanged answer to the same
//! URL is a 304.

use std::time::Duration;

use doorpost_core::Millis;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::config::{
    AuthForm, BodyQuirk, BodyShape, DefaultOrder, EtagMode, FakeConfig, MOVED_PREFIX,
};
use super::events::{Direction, ListQuery, RenderStyle, Resource, SortKey};
use super::faults::{Fault, RetryAfter};
use super::{Shared, State, http_date};

/// A response as the fake builds it: status, headers and the whole body.
pub type Response = http::Response<Vec<u8>>;

/// What the fake does with one API request.
#[derive(Debug)]
pub enum Answer {
    Respond(Response),
    /// Close the connection without a byte of response ([`Fault::DropConnection`]).
    Drop,
}

/// `GET /eventLogs` or `GET /eventLogs/:id`; `None` for any other path.
pub(super) async fn answer(
    shared: &Shared,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Option<Answer> {
    let moved = shared.lock().config.moved_same_origin;
    let path = match (moved, path.strip_prefix(MOVED_PREFIX)) {
        (true, Some(rest)) => rest,
        (true, None) => return Some(Answer::Respond(moved_response(path, query))),
        // The new address answers only once the API has moved there.
        (false, Some(_)) => return None,
        (false, None) => path,
    };
    if path == "/eventLogs" {
        let fault = shared.lock().take_fault();
        let query = query.unwrap_or("");
        return Some(answer_api(shared, headers, fault, |state| cached(state, query)).await);
    }
    let id = path.strip_prefix("/eventLogs/")?.to_string();
    let fault = shared.lock().take_fault();
    Some(
        answer_api(shared, headers, fault, |state| {
            let visible_until = state.visible_until();
            match state.events.find(&id, visible_until) {
                Some(row) => Ok(state.events.render_one(row, &render_style(&state.config))),
                None => Err((StatusCode::NOT_FOUND, "event log not found".into())),
            }
        })
        .await,
    )
}

/// `308` to the same path and query under [`MOVED_PREFIX`], as a relative `Location` (the
/// same origin, whatever address the client used).
fn moved_response(path: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{MOVED_PREFIX}{path}?{q}"),
        None => format!("{MOVED_PREFIX}{path}"),
    };
    let mut response = plain(StatusCode::PERMANENT_REDIRECT, Vec::new());
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => error_response(StatusCode::BAD_REQUEST, "bad path"),
    }
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

/// A Parakey endpoint's body, or the status and message of its refusal.
type Body = Result<Vec<u8>, (StatusCode, String)>;

async fn answer_api(
    shared: &Shared,
    headers: &HeaderMap,
    fault: Option<Fault>,
    produce: impl FnOnce(&mut State) -> Body,
) -> Answer {
    let mut truncate = false;
    let fault = match fault {
        None => None,
        Some(Fault::Slow(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        Some(Fault::Stall) => std::future::pending().await,
        Some(Fault::DropConnection) => return Answer::Drop,
        Some(Fault::Truncate) => {
            truncate = true;
            None
        }
        Some(other) => Some(other),
    };
    if let Some(fault) = fault {
        return Answer::Respond(fault_response(shared, fault));
    }
    Answer::Respond(normal_response(shared, headers, truncate, produce))
}

/// The answer a fault gives instead of the real one.
fn fault_response(shared: &Shared, fault: Fault) -> Response {
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_response(status, status.canonical_reason().unwrap_or("fault"))
        }
        Fault::TooManyRequests { retry_after } => {
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
            response
        }
        Fault::Redirect { status, location } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
            match HeaderValue::from_str(&location) {
                Ok(location) => {
                    let mut response = plain(status, Vec::new());
                    response.headers_mut().insert(header::LOCATION, location);
                    response
                }
                Err(_) => error_response(StatusCode::INTERNAL_SERVER_ERROR, "bad redirect fault"),
            }
        }
        Fault::Malformed => {
            // JavaScript, not JSON: what a broken serializer or a proxy page looks like.
            let body = br#"{"data": [{id: 'Mf0000000a', "createdAt": NaN,}]"#.to_vec();
            json_response(StatusCode::OK, body, None)
        }
        Fault::Oversized { bytes } => json_response(StatusCode::OK, oversized_page(bytes), None),
        // Answered before a response exists.
        Fault::Slow(_) | Fault::Stall | Fault::DropConnection | Fault::Truncate => {
            error_response(StatusCode::INTERNAL_SERVER_ERROR, "fault out of place")
        }
    }
}

/// A one-record page `bytes` long: the record carries a field of padding, as a broken or
/// hostile server (or a gzip bomb) might send.
fn oversized_page(bytes: usize) -> Vec<u8> {
    let head = br#"[{"id":"Ov0000000a","createdAt":"2026-05-02T08:00:00.000Z","pad":""#;
    let tail = br#""}]"#;
    let mut body = Vec::with_capacity(bytes.max(head.len() + tail.len()));
    body.extend_from_slice(head);
    body.resize(bytes.saturating_sub(tail.len()).max(head.len()), b'x');
    body.extend_from_slice(tail);
    body
}

/// The real answer: rate limit, token check, the body, its `ETag` (and a 304 when the
/// client has it already).
fn normal_response(
    shared: &Shared,
    headers: &HeaderMap,
    truncate: bool,
    produce: impl FnOnce(&mut State) -> Body,
) -> Response {
    let (answer, etag_mode, quirk, age, kept_date) = {
        let mut state = shared.lock();
        state.cache_age = None;
        state.cache_kept_at = None;
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
        let answer = produce(&mut state);
        let config = &state.config;
        let age = state.cache_age.filter(|_| !config.stale_without_age);
        let kept_date = state
            .cache_kept_at
            .filter(|_| config.stale_keeps_date && config.date_header);
        (answer, config.etag, config.body_quirk, age, kept_date)
    };
    let mut body = match answer {
        Ok(body) => with_quirk(body, quirk),
        Err((status, message)) => return error_response(status, &message),
    };
    let etag = entity_tag(&body, etag_mode);
    if truncate {
        body.truncate(body.len() / 2);
        return json_response(StatusCode::OK, body, etag);
    }
    let mut response = 'answer: {
        if let Some(etag) = &etag {
            // Byte for byte, `W/` and quotes included: the client must echo what it got.
            let unchanged = headers
                .get_all(header::IF_NONE_MATCH)
                .iter()
                .any(|v| v.as_bytes() == etag.as_bytes());
            if unchanged {
                let mut response = plain(StatusCode::NOT_MODIFIED, Vec::new());
                if let Ok(value) = HeaderValue::from_str(etag) {
                    response.headers_mut().insert(header::ETAG, value);
                }
                break 'answer response;
            }
        }
        json_response(StatusCode::OK, body, etag)
    };
    if let Some(age) = age {
        response
            .headers_mut()
            .insert(header::AGE, HeaderValue::from(age / 1000));
    }
    if let Some(at) = kept_date.and_then(|at| HeaderValue::from_str(&super::http_date(at)).ok()) {
        response.headers_mut().insert(header::DATE, at);
    }
    response
}

/// A 200's JSON as [`BodyQuirk`] puts it on the wire.
fn with_quirk(json: Vec<u8>, quirk: BodyQuirk) -> Vec<u8> {
    match quirk {
        BodyQuirk::None => json,
        BodyQuirk::Bom => [&b"\xEF\xBB\xBF"[..], &json].concat(),
        BodyQuirk::Whitespace => [&b"\r\n  "[..], &json, b" \n\n"].concat(),
        BodyQuirk::Empty => Vec::new(),
        BodyQuirk::Null => b"null".to_vec(),
    }
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

/// The list answer through the caching layer, when there is one (`stale_for_ms`).
fn cached(state: &mut State, query: &str) -> Body {
    let Some(ttl) = state.config.stale_for_ms else {
        return list_body(state, query);
    };
    let now = state.now();
    if let Some((at, body)) = state.cache.get(query)
        && now.since(*at) < ttl
    {
        // A cache says how long it kept the answer (RFC 9111's `Age`).
        let (at, body) = (*at, body.clone());
        state.cache_age = Some(now.since(at));
        state.cache_kept_at = Some(at);
        return Ok(body);
    }
    let body = list_body(state, query)?;
    state.cache.insert(query.to_string(), (now, body.clone()));
    state.cache_age = Some(0);
    state.cache_kept_at = Some(now);
    Ok(body)
}

fn list_body(state: &mut State, query: &str) -> Body {
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
    if let Some(max) = config.limit_max_400.filter(|max| asked > *max) {
        let message = if config.limit_max_named {
            format!("limit must not be greater than {max}")
        } else {
            "Bad Request".to_string()
        };
        return Err((StatusCode::BAD_REQUEST, message));
    }
    if config.dated_down && params.start.is_some() {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream request timeout".into(),
        ));
    }
    if config.desc_only && direction == Direction::Asc {
        return Err((
            StatusCode::BAD_REQUEST,
            "orderBy must be one of: createdAt:DESC".into(),
        ));
    }
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
    let body = state
        .events
        .render_page(&selection, &render_style(&state.config));
    let poisoned = selection.rows.iter().any(|&row| {
        state
            .events
            .id_at(row)
            .is_some_and(|id| state.config.poisoned_ids.iter().any(|p| p == id))
    });
    if poisoned {
        // The serialiser failed part-way: a 500 with the JSON cut where it stopped.
        let cut = String::from_utf8_lossy(&body[..body.len() / 2]).into_owned();
        return Err((StatusCode::INTERNAL_SERVER_ERROR, cut));
    }
    Ok(body)
}

fn plain(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    response
}

pub(super) fn json_response(status: StatusCode, body: Vec<u8>, etag: Option<String>) -> Response {
    let mut response = plain(status, body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

pub(super) fn error_response(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": message, "statusCode": status.as_u16() });
    json_response(status, body.to_string().into_bytes(), None)
}
