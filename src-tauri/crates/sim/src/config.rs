//! The fake server's switches: one per unknown in `shared/docs/parakey-api.md`.
//!
//! `FakeConfig::default()` is our best guess at the real Parakey; every field says why.
//! The whole config is serde-(de)serialisable so the control API (`POST /_fake/config`)
//! and the `fake-parakey` binary can flip switches on a running server.

use doorpost_core::Millis;
use serde::{Deserialize, Serialize};

use super::faults::Fault;

/// Which request header carries the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthForm {
    /// `access-token: <token>`, as in Parakey's public demo code.
    AccessToken,
    /// `Authorization: Bearer <token>`, as in a partner's docs.
    Bearer,
    /// Either header is accepted.
    Either,
}

/// The shape of a `GET /eventLogs` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum BodyShape {
    /// `[ {...}, {...} ]`
    BareArray,
    /// `{ "<key>": [ ... ] }`, plus `"total": <matching rows before paging>` when
    /// `with_total`.
    Envelope { key: String, with_total: bool },
}

impl BodyShape {
    /// The envelope under `key` (`data`, `results`, `items`, `eventLogs`), with `total`.
    pub fn envelope(key: &str) -> BodyShape {
        BodyShape::Envelope {
            key: key.into(),
            with_total: true,
        }
    }
}

/// How the list is ordered when the request has no `orderBy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DefaultOrder {
    CreatedAtDesc,
    TimestampDesc,
    /// The order rows reached the server, oldest first (a table scan without `ORDER BY`).
    Insertion,
}

/// The field `startDate` (and `endDate`) compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DateField {
    CreatedAt,
    Timestamp,
}

/// What the server puts in `ETag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EtagMode {
    /// `"<hash>"`
    Strong,
    /// `W/"<hash>"`
    Weak,
    /// No `ETag` header, so never a 304.
    Absent,
}

/// How a scrubbed user appears in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScrubbedUser {
    /// `"user": null`
    Null,
    /// No `user` key at all.
    Missing,
}

/// Where [`FakeConfig::moved_same_origin`] moves the API: a path prefix on the same host.
pub const MOVED_PREFIX: &str = "/v2";

/// How a 200's body is wrapped on the wire, beyond its JSON: what a framework, a proxy or
/// a serializer with nothing to say might send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BodyQuirk {
    /// The JSON as is.
    #[default]
    None,
    /// A UTF-8 byte order mark before the JSON (a .NET or Windows-side serializer).
    Bom,
    /// Blank lines and spaces around the JSON.
    Whitespace,
    /// A 200 with an empty body (a proxy or a handler that returned nothing).
    Empty,
    /// A 200 whose body is `null` (a serializer given nothing).
    Null,
}

/// The server's own clock, used for the `Date` header, the `createdAt` of injected
/// events and visibility. Independent of the client's clock on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Clock {
    /// System time plus `skew_ms` (positive: the server runs ahead of the client).
    Real {
        #[serde(rename = "skewMs")]
        skew_ms: i64,
    },
    /// Stands still until `set_now`/`advance` moves it.
    Manual { now: Millis },
}

impl Clock {
    pub fn now(&self) -> Millis {
        match *self {
            Clock::Real { skew_ms } => Millis(chrono::Utc::now().timestamp_millis()).plus(skew_ms),
            Clock::Manual { now } => now,
        }
    }

    /// Moves the clock forward (or back, with a negative `ms`): a manual clock moves, a
    /// real one gains skew.
    pub fn advance(&mut self, ms: i64) {
        match self {
            Clock::Real { skew_ms } => *skew_ms = skew_ms.saturating_add(ms),
            Clock::Manual { now } => *now = now.plus(ms),
        }
    }
}

/// A rate limit: at most `requests` API requests in any `window_ms`, then 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub requests: usize,
    pub window_ms: i64,
    /// Send `Retry-After` (whole seconds until a request is allowed again) with the 429.
    pub retry_after: bool,
}

impl RateLimit {
    /// `n` requests a minute, with `Retry-After`.
    pub fn per_minute(n: usize) -> RateLimit {
        RateLimit {
            requests: n,
            window_ms: 60_000,
            retry_after: true,
        }
    }
}

/// Every switch of the fake Parakey. Change them on a running server with
/// [`super::FakeControl::configure`] or `POST /_fake/config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FakeConfig {
    /// The only token the API accepts. Default `fake-token`.
    pub token: String,
    /// Default [`AuthForm::AccessToken`]: the form in Parakey's own public demo code.
    pub auth_form: AuthForm,
    /// Status for a missing or wrong token, 401 or 403. Default 401 (the usual meaning of
    /// "no valid credentials").
    pub auth_reject_status: u16,
    /// Default [`BodyShape::BareArray`]: the webhook body is one bare event log, and the
    /// help article speaks of the list response as the logs themselves.
    pub body_shape: BodyShape,
    /// Default [`DefaultOrder::CreatedAtDesc`]: the documented recipe reads the newest
    /// arrivals first and the docs' only example is `createdAt:DESC`.
    pub default_order: DefaultOrder,
    /// Default [`DateField::CreatedAt`]: "Because polling uses createdAt, event logs
    /// uploaded after an offline period are picked up" (help article).
    pub date_field: DateField,
    /// `startDate` matches rows *at* the date too. Default true (`$gte` is the common
    /// implementation).
    pub start_inclusive: bool,
    /// Whether `endDate` filters at all; when false it is silently ignored. Default true
    /// (APIs with a `startDate` usually have its pair).
    pub end_date_supported: bool,
    /// `endDate` matches rows at the date too. Default true.
    pub end_inclusive: bool,
    /// Page size when the request has no `limit`. Default 50.
    pub default_limit: usize,
    /// Silent cap on `limit`; `None` for no cap. Default `Some(100)`.
    pub max_limit: Option<usize>,
    /// Whether `skip`/`offset` are honoured; when false they are silently ignored.
    /// Default true.
    pub skip_supported: bool,
    /// Default [`EtagMode::Weak`]: "The Parakey API uses ETags on every endpoint", and
    /// Express, the likely stack behind camelCase JSON and an `access-token` header,
    /// sends weak ETags by default.
    pub etag: EtagMode,
    /// Default [`ScrubbedUser::Null`].
    pub scrubbed_user: ScrubbedUser,
    /// Default `Clock::Real { skew_ms: 0 }`.
    pub clock: Clock,
    /// An event is listed only this long after its `createdAt` (a row still in flight
    /// inside Parakey's backend). Default 0.
    pub visibility_delay_ms: i64,
    /// The place every event belongs to (a Manual Integration token is tied to one).
    pub domain_id: String,
    pub domain_name: String,
    /// Chance in `0.0..=1.0` that an API request with an empty fault queue draws a fault
    /// from `random_faults`. Default 0.
    pub random_fault_rate: f64,
    /// The faults random draws pick from. Default: 500, 502, 503, 429 (`Retry-After: 1`).
    pub random_faults: Vec<Fault>,
    /// Seeds event ids and random faults, so a run replays. Default a fixed value.
    pub seed: u64,
    /// Behaviours no document rules out. Defaults: none of them.
    /// At most so many requests per window, then 429 (a sliding window on the fake clock).
    pub rate_limit: Option<RateLimit>,
    /// 400 for any query parameter but the documented `limit`, `startDate` and `orderBy`
    /// (a framework that validates its input).
    pub strict_params: bool,
    /// Rows sharing a sort key come back in a new order on every request (a database
    /// sorting on a non-unique key without a tie-break).
    pub unstable_ties: bool,
    /// Send a `Date` header. Default true.
    pub date_header: bool,
    /// When not empty, the cap on `limit` changes on every request, cycling through these
    /// values (overrides `max_limit`).
    pub max_limit_cycle: Vec<usize>,
    /// Serve four times the rows asked for, plus one (a server that ignores `limit`).
    pub ignore_limit: bool,
    /// A `limit` above this is refused with `400` and "limit must not be greater than N"
    /// (a framework validating its input, as NestJS's `@Max` or Joi do), instead of being
    /// capped silently. Default `None`.
    pub limit_max_400: Option<usize>,
    /// The error text of that 400 names the maximum. Default true.
    pub limit_max_named: bool,
    /// Only `orderBy=createdAt:DESC` (the documented order) is accepted; `ASC` is a 400.
    /// Default false.
    pub desc_only: bool,
    /// Records the server cannot serialise (a door deleted in Parakey): every page holding
    /// one is a `500` whose JSON body is cut off part-way. Default none.
    pub poisoned_ids: Vec<String>,
    /// Every request with a `startDate` is a `503` (a broken date filter, an index gone
    /// missing), while the newest rows are served: walks and sweeps stall. Default false.
    pub dated_down: bool,
    /// The API moved to [`MOVED_PREFIX`] on the same host (a new version, a reverse proxy's
    /// new route): `/eventLogs...` is answered `308 Permanent Redirect` to the same path
    /// and query under the prefix, which serves the API. Default false.
    pub moved_same_origin: bool,
    /// Every unlock injected from now on is uploaded a second time, under a new id, this
    /// many ms after its first upload: same door, person, access and device `timestamp`
    /// (a lock that lost the server's acknowledgement and sent it again). Default `None`.
    pub duplicate_uploads: Option<i64>,
    /// How every 200 body is wrapped (a byte order mark, white space, or no JSON at all).
    /// Default [`BodyQuirk::None`].
    pub body_quirk: BodyQuirk,
    /// A caching layer (a CDN) in front of the list endpoint: an answer is kept per query
    /// for this many ms of the fake's clock and served again as is, its ETag (and so a 304
    /// for it) stale too. Default `None`.
    pub stale_for_ms: Option<i64>,
    /// That caching layer sends the `Date` of the answer it keeps, not its own present.
    /// Default `false`.
    pub stale_keeps_date: bool,
    /// That caching layer sends no `Age` header (not every proxy cache does). Default
    /// `false`.
    pub stale_without_age: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            token: "fake-token".into(),
            auth_form: AuthForm::AccessToken,
            auth_reject_status: 401,
            body_shape: BodyShape::BareArray,
            default_order: DefaultOrder::CreatedAtDesc,
            date_field: DateField::CreatedAt,
            start_inclusive: true,
            end_date_supported: true,
            end_inclusive: true,
            default_limit: 50,
            max_limit: Some(100),
            skip_supported: true,
            etag: EtagMode::Weak,
            scrubbed_user: ScrubbedUser::Null,
            clock: Clock::Real { skew_ms: 0 },
            visibility_delay_ms: 0,
            domain_id: "Dm0000001a".into(),
            domain_name: "Harbour Loft".into(),
            random_fault_rate: 0.0,
            random_faults: vec![
                Fault::Status(500),
                Fault::Status(502),
                Fault::Status(503),
                Fault::TooManyRequests {
                    retry_after: super::faults::RetryAfter::Seconds(1),
                },
            ],
            seed: 0x00D0_0290_5EED,
            rate_limit: None,
            strict_params: false,
            unstable_ties: false,
            date_header: true,
            max_limit_cycle: Vec::new(),
            ignore_limit: false,
            limit_max_400: None,
            limit_max_named: true,
            desc_only: false,
            dated_down: false,
            stale_for_ms: None,
            stale_keeps_date: false,
            stale_without_age: false,
            poisoned_ids: Vec::new(),
            body_quirk: BodyQuirk::None,
            moved_same_origin: false,
            duplicate_uploads: None,
        }
    }
}
