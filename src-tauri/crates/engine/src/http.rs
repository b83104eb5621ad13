//! The Parakey HTTP client: turns the core's [`Request`]s into `GET /eventLogs` calls and
//! the answers into [`Response`]s.
//!
//! Rules it enforces (see `shared/docs/architecture.md`, "Security rules"):
//! - HTTPS only; plain HTTP only to a loopback address (the fake server, the demo).
//! - A redirect is followed only to the same origin (scheme, host and port), at most
//!   [`MAX_REDIRECTS`] hops, with the same headers: the token never leaves the origin it
//!   was configured for. A redirect anywhere else is not followed; the core reports it as
//!   a configuration error naming the other host (scheme and host only).
//! - Explicit connect, read and total timeouts, so a stalled server never stalls Doorpost.
//! - The token lives in an [`ApiToken`] (redacted `Debug`, no `Serialize`) and its header
//!   is marked sensitive, so it never reaches a log line or an error message.
//!
//! - No proxy for a loopback API; a remote one is HTTPS, so a system proxy only tunnels.
//! - A body is refused past [`MAX_BODY`] bytes after decompression, read chunk by chunk,
//!   so memory stays flat however large the server's answer.
//!
//! Two transports behind one client: reqwest for a real server, and a direct call into a
//! server in this process ([`ParakeyClient::in_process`], through the [`Exchange`] seam)
//! for the demo, so the poller and the driver run one code path and the demo opens no
//! port.
//!
//! Classification is by status code only; Parakey's error bodies are unknown.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use doorpost_core::event::{PageError, parse_page};
use doorpost_core::poller::{AuthStyle, Outcome, Request, Response, retry_after_ms};
use doorpost_core::time::Millis;
use reqwest::header::{self, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};
use url::Url;

use crate::exchange::Exchange;

pub const DEFAULT_BASE_URL: &str = "https://api.parakey.co";

/// Every request is bounded by all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// Between two reads of the body.
    pub read: Duration,
    /// The whole request, body included.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            total: Duration::from_secs(60),
        }
    }
}
/// A page larger than this (after decompression) is refused rather than held in memory.
/// A page of 500 records is about 250 KiB; sixteen times that still fits, and a hostile or
/// broken server cannot make Doorpost hold more than this per request.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// Same-origin redirects followed for one request before giving up (a loop, a chain).
pub const MAX_REDIRECTS: usize = 5;

/// A Parakey integration token. Its `Debug` is redacted and it cannot be serialised, so it
/// cannot leak into logs, IPC or SQLite by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// A token as pasted: surrounding white space trimmed; empty, multi-line or non-ASCII
    /// refused (an HTTP header cannot carry it, and a request without it would go out
    /// unauthenticated).
    pub fn new(raw: &str) -> Result<ApiToken, ClientError> {
        let t = raw.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ClientError::BadToken);
        }
        Ok(ApiToken(t.to_string()))
    }

    /// For the HTTP header and the keychain only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A short one-way fingerprint: tells tokens apart without revealing them.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(format!("doorpost-token\n{}", self.0).as_bytes());
        hex(&digest[..8])
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "the Parakey token is empty or has spaces, line breaks or non-ASCII characters in it; \
         copy it again from the Parakey app (Settings → Integrations) and paste it"
    )]
    BadToken,
    /// Holds the address redacted to its scheme and host: user info, paths and queries can
    /// carry secrets.
    #[error("\"{0}\" is not a valid API address; use one like https://api.parakey.co")]
    BadUrl(String),
    #[error(
        "the API address must use https:// (plain http:// is allowed only for this computer, e.g. http://127.0.0.1:8080)"
    )]
    InsecureUrl,
    #[error("could not set up HTTPS: {0}")]
    Tls(String),
}

/// A validated API base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<BaseUrl, ClientError> {
        let bad = || ClientError::BadUrl(redact_url(raw));
        let url = Url::parse(raw.trim()).map_err(|_| bad())?;
        let loopback = is_loopback(&url).ok_or_else(bad)?;
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(ClientError::InsecureUrl),
            _ => return Err(bad()),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad());
        }
        Ok(BaseUrl(url))
    }

    /// Whether the API is on this computer (the fake, the demo, a local simulator).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.0).unwrap_or(false)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// Scheme, host and port (the scheme's default port unwritten): what a stored token is
    /// bound to, so it is never sent anywhere else.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    fn event_logs(&self, query: &str) -> String {
        format!("{}/eventLogs?{query}", self.as_str())
    }
}

/// `None` without a host.
fn is_loopback(url: &Url) -> Option<bool> {
    Some(match url.host()? {
        url::Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
    })
}

/// An address as errors may show it: scheme and host (and port) only, or a placeholder
/// when it does not even parse.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(url) => match url.host_str() {
            Some(host) => match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            },
            None => format!("{}:", url.scheme()),
        },
        Err(_) => "(an address that does not parse)".to_string(),
    }
}

/// Identifies one account as seen through one base URL: the key of the poller's durable
/// state (and so of its ETag, watermark and auth style). A new token or URL is a new
/// source, which starts with a silent backfill.
pub fn source_key(base: &BaseUrl, token: &ApiToken) -> String {
    let digest = Sha256::digest(format!("{}\n{}", base.as_str(), token.fingerprint()).as_bytes());
    hex(&digest[..8])
}

pub struct ParakeyClient {
    transport: Transport,
    base: BaseUrl,
    token: ApiToken,
}

enum Transport {
    Http(reqwest::Client),
    /// The demo's simulated Parakey, answered by a function call; `total` bounds a stalled
    /// answer as the HTTP timeouts would.
    InProcess {
        server: Arc<dyn Exchange>,
        total: Duration,
    },
}

/// An answer's status and headers, and its body still to read.
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: ReplyBody,
}

enum ReplyBody {
    Http(reqwest::Response),
    Whole(Vec<u8>),
}

impl ParakeyClient {
    pub fn new(
        base: BaseUrl,
        token: ApiToken,
        timeouts: Timeouts,
    ) -> Result<ParakeyClient, ClientError> {
        // reqwest is built without a bundled crypto provider; ring is ours (smaller and
        // faster to build than aws-lc). Installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        if base.is_loopback() {
            // A proxy variable (HTTP_PROXY, ALL_PROXY) would send a loopback request, token
            // header and all, in clear text to wherever it points. A remote API is HTTPS,
            // so a proxy there only ever sees a CONNECT tunnel.
            builder = builder.no_proxy();
        }
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .timeout(timeouts.total)
            .user_agent(concat!("Doorpost/", env!("CARGO_PKG_VERSION")))
            .https_only(false)
            .build()
            .map_err(|e| ClientError::Tls(e.to_string()))?;
        Ok(ParakeyClient {
            transport: Transport::Http(http),
            base,
            token,
        })
    }

    /// A client of a server in this process (the demo's simulated Parakey): the same
    /// requests and answers as over HTTP, without a socket, at the server's base URL.
    pub fn in_process(
        server: Arc<dyn Exchange>,
        token: ApiToken,
        timeouts: Timeouts,
    ) -> Result<ParakeyClient, ClientError> {
        let base = BaseUrl::parse(server.base_url())?;
        Ok(ParakeyClient {
            transport: Transport::InProcess {
                server,
                total: timeouts.total,
            },
            base,
            token,
        })
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    fn headers(&self, auth: AuthStyle) -> HeaderMap {
        let mut h = HeaderMap::new();
        let (name, value) = match auth {
            AuthStyle::AccessToken => ("access-token", self.token.expose().to_string()),
            AuthStyle::Bearer => ("authorization", format!("Bearer {}", self.token.expose())),
        };
        if let Ok(mut v) = HeaderValue::from_str(&value) {
            v.set_sensitive(true);
            h.insert(header::HeaderName::from_static(name), v);
        }
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        h
    }

    /// One request, up to its status and headers, following redirects to the same origin
    /// only (see [`next_hop`]).
    async fn exchange(&self, req: &Request) -> Result<Reply, NoAnswer> {
        let query = req.query.to_query_string();
        let mut headers = self.headers(req.auth);
        if let Some(tag) = &req.if_none_match
            && let Ok(v) = HeaderValue::from_str(tag)
        {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        let mut url = Url::parse(&self.base.event_logs(&query)).map_err(|e| e.to_string())?;
        let mut hops = 0;
        loop {
            let reply = self.exchange_once(&url, &headers).await?;
            match next_hop(&url, &reply, hops) {
                Some(next) => {
                    hops += 1;
                    url = next;
                }
                None => return Ok(reply),
            }
        }
    }

    /// One request to `url`, which is always on the base URL's origin.
    async fn exchange_once(&self, url: &Url, headers: &HeaderMap) -> Result<Reply, NoAnswer> {
        let headers = headers.clone();
        match &self.transport {
            Transport::Http(http) => {
                let resp = http
                    .get(url.as_str())
                    .headers(headers)
                    .send()
                    .await
                    .map_err(|e| NoAnswer {
                        offline: is_offline(&e),
                        why: describe(&e),
                    })?;
                Ok(Reply {
                    status: resp.status().as_u16(),
                    headers: resp.headers().clone(),
                    body: ReplyBody::Http(resp),
                })
            }
            Transport::InProcess { server, total } => {
                let path = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_string(),
                };
                let answer = tokio::time::timeout(*total, server.exchange(&path, &headers))
                    .await
                    .map_err(|_| "timed out".to_string())?
                    .ok_or("the connection broke while reading (closed without an answer)")?;
                let (parts, body) = answer.into_parts();
                Ok(Reply {
                    status: parts.status.as_u16(),
                    headers: parts.headers,
                    body: ReplyBody::Whole(body),
                })
            }
        }
    }

    /// Sends one request; never fails: every problem is an [`Outcome`].
    pub async fn send(&self, req: &Request) -> Response {
        let result = self.exchange(req).await;
        let received_wall = wall_now();
        let reply = match result {
            Ok(r) => r,
            Err(e) => {
                return Response {
                    server_date: None,
                    age: None,
                    received_wall,
                    bytes: 0,
                    outcome: e.outcome(),
                };
            }
        };
        let status = reply.status;
        let headers = reply.headers;
        let server_date = date_of(&headers);
        let age = age_of(&headers);
        let header_bytes: u64 = headers
            .iter()
            .map(|(k, v)| (k.as_str().len() + v.len() + 4) as u64)
            .sum::<u64>()
            + 17;
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let mut bytes = header_bytes;
        let outcome = match status {
            200 => match read_body(reply.body).await {
                Ok(body) => {
                    bytes += body.len() as u64;
                    match parse_page(&body) {
                        Ok(page) => Outcome::Page {
                            etag: text(header::ETAG),
                            page,
                        },
                        Err(e) => Outcome::BadBody(with_snippet(e, &body)),
                    }
                }
                Err(e) => Outcome::Network(e),
            },
            304 => Outcome::NotModified,
            401 | 403 => Outcome::AuthRejected { status },
            429 | 500..=599 => Outcome::Unavailable {
                status,
                retry_after: text(header::RETRY_AFTER)
                    .and_then(|v| retry_after_ms(&v, server_date, received_wall)),
            },
            300..=399 => Outcome::Redirect {
                status,
                location: text(header::LOCATION).map(|l| redact_location(&self.base, &l)),
            },
            _ => Outcome::Unexpected {
                status,
                detail: read_body(reply.body)
                    .await
                    .map(|b| String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned())
                    .unwrap_or_default(),
            },
        };
        Response {
            server_date,
            age,
            received_wall,
            bytes,
            outcome,
        }
    }
}

/// The server's `Date`, as a wall-clock instant.
fn date_of(headers: &HeaderMap) -> Option<Millis> {
    headers
        .get(header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| httpdate::parse_http_date(s).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| Millis(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)))
}

/// How long a caching layer kept the answer (`Age`, RFC 9111), in ms; a day at most.
fn age_of(headers: &HeaderMap) -> Option<i64> {
    headers
        .get(header::AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u32>().ok())
        .map(|s| i64::from(s.min(86_400)) * 1000)
}

async fn read_body(body: ReplyBody) -> Result<Vec<u8>, String> {
    let too_large = || {
        format!(
            "the answer was larger than {} MiB, more than any page Doorpost asks for; it was \
             refused",
            MAX_BODY / (1024 * 1024)
        )
    };
    let mut resp = match body {
        ReplyBody::Whole(body) if body.len() > MAX_BODY => return Err(too_large()),
        ReplyBody::Whole(body) => return Ok(body),
        ReplyBody::Http(resp) => resp,
    };
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(describe(&e)),
        }
    }
}

/// The body's start, kept with the error for diagnosis (bodies hold event data, never the
/// token).
fn with_snippet(e: PageError, body: &[u8]) -> PageError {
    let head = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    match e {
        PageError::NotJson(m) => PageError::NotJson(format!("{m}; it began {head:?}")),
        other => other,
    }
}

/// Whether two addresses share an origin: scheme, host and port (the scheme's default
/// port when none is written).
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().is_some()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Where a reply to a request for `url` sends it next: `Some` only for a redirect (3xx
/// but 304, with a `Location`) to the same origin, while fewer than [`MAX_REDIRECTS`]
/// hops were taken. Any other redirect is the answer, reported as such.
fn next_hop(url: &Url, reply: &Reply, hops: usize) -> Option<Url> {
    if !(300..=399).contains(&reply.status) || reply.status == 304 || hops >= MAX_REDIRECTS {
        return None;
    }
    let location = reply.headers.get(header::LOCATION)?.to_str().ok()?;
    let next = url.join(location.trim()).ok()?;
    same_origin(url, &next).then_some(next)
}

/// A redirect target as a failure may name it: scheme and host (and port) only, never the
/// path or query (which could carry others' secrets). A relative target is on the base
/// URL's own host.
fn redact_location(base: &BaseUrl, l: &str) -> String {
    match base.0.join(l.trim()) {
        Ok(u) => redact_url(u.as_str()),
        Err(_) => redact_url(l),
    }
}

/// A plain-words reason; reqwest's errors name the URL (no secret in it) and the cause.
/// Why no answer came: in words, and whether it is this computer that is offline.
struct NoAnswer {
    why: String,
    offline: bool,
}

impl NoAnswer {
    fn outcome(self) -> Outcome {
        if self.offline {
            Outcome::Offline(self.why)
        } else {
            Outcome::Network(self.why)
        }
    }
}

impl From<String> for NoAnswer {
    fn from(why: String) -> Self {
        NoAnswer {
            why,
            offline: false,
        }
    }
}

impl From<&str> for NoAnswer {
    fn from(why: &str) -> Self {
        why.to_string().into()
    }
}

/// Whether an error says this computer has no network, as opposed to Parakey not
/// answering: no route to any network, or a name lookup that failed for now (glibc's
/// `EAI_AGAIN`, what a resolver without a network answers). A name that does not exist,
/// a refused connection or a timeout are Parakey's side (or its address).
fn is_offline(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::NetworkDown
            )
        {
            return true;
        }
        let text = err.to_string().to_ascii_lowercase();
        if text.contains("temporary failure in name resolution")
            || text.contains("network is unreachable")
        {
            return true;
        }
        next = err.source();
    }
    false
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading"
    } else {
        "network error"
    };
    let mut source = std::error::Error::source(e);
    let mut root = String::new();
    while let Some(s) = source {
        root = s.to_string();
        source = s.source();
    }
    if root.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({root})")
    }
}

pub fn wall_now() -> Millis {
    Millis(chrono::Utc::now().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_route_and_a_failed_lookup_are_offline_but_a_refusal_is_not() {
        use std::io::{Error, ErrorKind};
        assert!(is_offline(&Error::from(ErrorKind::NetworkUnreachable)));
        assert!(is_offline(&Error::other(
            "dns error: failed to lookup address information: Temporary failure in name resolution"
        )));
        assert!(!is_offline(&Error::from(ErrorKind::ConnectionRefused)));
        assert!(!is_offline(&Error::other(
            "failed to lookup address information: Name or service not known"
        )));
    }

    #[test]
    fn token_debug_is_redacted_and_fingerprint_is_stable() {
        let t = ApiToken::new("  s3cr3t-token\n").unwrap();
        assert_eq!(format!("{t:?}"), "ApiToken(<redacted>)");
        assert_eq!(t.expose(), "s3cr3t-token");
        assert_eq!(
            t.fingerprint(),
            ApiToken::new("s3cr3t-token").unwrap().fingerprint()
        );
        assert!(!t.fingerprint().contains("s3cr3t"));
        assert!(ApiToken::new("  ").is_err());
        assert!(ApiToken::new("two words").is_err());
    }

    #[test]
    fn non_ascii_tokens_are_refused_up_front() {
        for bad in ["tökén", "token\u{00a0}x", "tok\u{200b}en", "t\u{7f}"] {
            assert!(
                matches!(ApiToken::new(bad), Err(ClientError::BadToken)),
                "{bad:?} must be refused: no header can carry it"
            );
        }
    }

    #[test]
    fn bad_url_errors_name_only_scheme_and_host() {
        for (raw, shown) in [
            (
                "ftp://user:hunter2@files.example/secret?k=v",
                "ftp://files.example",
            ),
            (
                "https://user:hunter2@x.example:8443/p?token=abc",
                "https://x.example:8443",
            ),
            ("not a url with hunter2", "(an address that does not parse)"),
        ] {
            let message = BaseUrl::parse(raw).unwrap_err().to_string();
            assert!(message.contains(shown), "{message}");
            for secret in ["hunter2", "user", "secret", "token", "abc"] {
                assert!(!message.contains(secret), "{message} leaks {secret}");
            }
        }
    }

    fn redirect(status: u16, location: &str) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(header::LOCATION, HeaderValue::from_str(location).unwrap());
        Reply {
            status,
            headers,
            body: ReplyBody::Whole(Vec::new()),
        }
    }

    #[test]
    fn only_same_origin_redirects_are_followed_and_only_a_few_hops() {
        let from = Url::parse("https://api.parakey.co/eventLogs?limit=1").unwrap();
        let follow = |status, location: &str, hops| {
            next_hop(&from, &redirect(status, location), hops).map(|u| u.to_string())
        };
        for status in [301, 302, 303, 307, 308] {
            assert_eq!(
                follow(status, "/v2/eventLogs?limit=1", 0).as_deref(),
                Some("https://api.parakey.co/v2/eventLogs?limit=1")
            );
        }
        assert!(follow(308, "https://API.parakey.co:443/v2/eventLogs", 0).is_some());
        for elsewhere in [
            "http://api.parakey.co/eventLogs",
            "https://api.parakey.co:8443/eventLogs",
            "https://evil.example/eventLogs",
            "https://api.parakey.co.evil.example/eventLogs",
            "//evil.example/eventLogs",
        ] {
            assert_eq!(follow(302, elsewhere, 0), None, "{elsewhere}");
        }
        assert_eq!(follow(304, "/v2/eventLogs", 0), None);
        assert_eq!(follow(200, "/v2/eventLogs", 0), None);
        assert!(follow(302, "/v2/eventLogs", MAX_REDIRECTS - 1).is_some());
        assert_eq!(
            follow(302, "/v2/eventLogs", MAX_REDIRECTS),
            None,
            "a loop ends"
        );
    }

    #[test]
    fn a_redirect_is_named_by_scheme_and_host_only() {
        let base = BaseUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            redact_location(&base, "http://u:pw@127.0.0.2:9/steal?token=abc"),
            "http://127.0.0.2:9"
        );
        assert_eq!(
            redact_location(&base, "https://evil.example/x/y?z"),
            "https://evil.example"
        );
        assert_eq!(
            redact_location(&base, "/elsewhere?k=v"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn http_only_to_loopback() {
        assert!(BaseUrl::parse("https://api.parakey.co").is_ok());
        assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(BaseUrl::parse("http://localhost:1").is_ok());
        assert!(BaseUrl::parse("http://[::1]:1").is_ok());
        assert!(matches!(
            BaseUrl::parse("http://api.parakey.co"),
            Err(ClientError::InsecureUrl)
        ));
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("https://user:pw@x.example").is_err());
        assert_eq!(
            BaseUrl::parse("https://api.parakey.co/")
                .unwrap()
                .event_logs("limit=1"),
            "https://api.parakey.co/eventLogs?limit=1"
        );
    }
}
