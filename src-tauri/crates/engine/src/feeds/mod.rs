//! Booking feeds (issue 16): fetching a place's calendars, keeping the last good one, and
//! merging them into the place's stays.
//!
//! - [`FeedLink`]: a feed's link, a secret (anyone holding it reads the calendar): `https`
//!   only (`webcal` read as `https`), plain `http` only to this computer; its `Debug` and
//!   every error say the scheme and host at most.
//! - [`FeedSource`]: the seam a calendar is fetched through. [`HttpFeeds`] is the real
//!   one (conditional requests with `ETag`/`Last-Modified`, at most [`MAX_BYTES`] read
//!   while streaming, [`TIMEOUT`] in all); [`SimFeeds`] answers the demo's feed from the
//!   simulator in this process, so the demo opens no port.
//! - [`FeedLinks`]: where links live: the keychain ([`KeychainLinks`], one entry per feed
//!   beside the place's token, [`feed_entry`]), or the demo's memory.
//! - [`book`]: reading a feed, deciding what a fetch means (the last good calendar kept on
//!   failure; an empty calendar believed only at the second in a row), and merging a
//!   place's feeds into its stays.

pub mod book;
mod fetch;
mod links;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use doorpost_core::ipc::FeedProblem;
use url::Url;

pub use fetch::{HttpFeeds, SimFeeds};
pub use links::{FeedLinks, KeychainLinks, MemoryLinks};

/// The most of an answer Doorpost reads.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The longest a fetch may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// How often a session fetches every feed (and at every "Check now").
pub const EVERY: Duration = Duration::from_secs(30 * 60);
/// A calendar older than this is stale.
pub const STALE_AFTER_MS: i64 = doorpost_core::time::Millis::DAY;
/// The longest label, in characters.
pub const MAX_LABEL: usize = 40;
/// The keychain entries' prefix for feed links.
pub const FEED_ENTRY: &str = "doorpost-feed";

/// A feed link's keychain entry, beside the place's token entry
/// ([`crate::hub::keychain_entry`]).
pub fn feed_entry(install: &str, place_id: &str, label: &str) -> String {
    format!("{FEED_ENTRY}:{install}:{place_id}:{label}")
}

/// A feed's link, checked: see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedLink(Url);

impl std::fmt::Debug for FeedLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FeedLink({})", crate::http::redact_url(self.0.as_str()))
    }
}

/// Why a link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not a web address.
    Invalid,
    /// Plain `http` to another computer.
    Insecure,
}

impl FeedLink {
    pub fn parse(raw: &str) -> Result<FeedLink, LinkError> {
        let raw = raw.trim();
        let mut url = Url::parse(raw).map_err(|_| LinkError::Invalid)?;
        if url.scheme().eq_ignore_ascii_case("webcal") {
            let rest = &raw[raw.find(':').unwrap_or(0)..];
            url = Url::parse(&format!("https{rest}")).map_err(|_| LinkError::Invalid)?;
        }
        let Some(host) = url.host() else {
            return Err(LinkError::Invalid);
        };
        let loopback = match host {
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(LinkError::Insecure),
            _ => return Err(LinkError::Invalid),
        }
        url.set_fragment(None);
        Ok(FeedLink(url))
    }

    /// For the request and the keychain only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    pub fn is_loopback(&self) -> bool {
        self.0.scheme() == "http"
    }

    fn path(&self) -> &str {
        self.0.path()
    }
}

/// The validators of the last good calendar, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetch that worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Calendar {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// 304: the last good calendar still holds.
    NotModified,
}

/// A fetch that did not: the problem, and the status with [`FeedProblem::Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchError {
    pub problem: FeedProblem,
    pub http_status: Option<u16>,
}

impl FetchError {
    pub fn new(problem: FeedProblem) -> FetchError {
        FetchError {
            problem,
            http_status: None,
        }
    }

    /// What an unexpected status means.
    pub fn status(status: u16) -> FetchError {
        match status {
            401 | 403 => FetchError::new(FeedProblem::Unauthorized),
            404 | 410 => FetchError::new(FeedProblem::NotFound),
            _ => FetchError {
                problem: FeedProblem::Status,
                http_status: Some(status),
            },
        }
    }
}

/// A future a [`FeedSource`] answers with.
pub type Fetching<'a> = Pin<Box<dyn Future<Output = Result<Fetched, FetchError>> + Send + 'a>>;

/// Where calendars come from.
pub trait FeedSource: Send + Sync {
    fn fetch<'a>(&'a self, link: &'a FeedLink, validators: &'a Validators) -> Fetching<'a>;
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn links_are_https_or_loopback_http_and_never_shown_whole() {
        let link =
            FeedLink::parse(" https://www.airbnb.com/calendar/ical/123.ics?s=SECRET ").unwrap();
        assert_eq!(link.origin(), "https://www.airbnb.com");
        assert!(!format!("{link:?}").contains("SECRET"));
        let webcal = FeedLink::parse("webcal://example.com/cal.ics?t=1").unwrap();
        assert_eq!(webcal.expose(), "https://example.com/cal.ics?t=1");
        assert!(FeedLink::parse("http://127.0.0.1:8080/feeds/a.ics").is_ok());
        assert!(FeedLink::parse("http://localhost/a.ics").is_ok());
        assert_eq!(
            FeedLink::parse("http://example.com/a.ics"),
            Err(LinkError::Insecure)
        );
        assert_eq!(FeedLink::parse("ftp://x/a.ics"), Err(LinkError::Invalid));
        assert_eq!(FeedLink::parse("not a link"), Err(LinkError::Invalid));
    }

    #[test]
    fn statuses_map_to_problems() {
        assert_eq!(FetchError::status(403).problem, FeedProblem::Unauthorized);
        assert_eq!(FetchError::status(410).problem, FeedProblem::NotFound);
        let e = FetchError::status(502);
        assert_eq!((e.problem, e.http_status), (FeedProblem::Status, Some(502)));
    }
}
