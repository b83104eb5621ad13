//! The two [`FeedSource`]s: over HTTP, and the demo's simulator in this process.

use std::time::Duration;

use doorpost_core::ipc::FeedProblem;
use doorpost_sim::FakeControl;

use super::{FeedLink, FeedSource, FetchError, Fetched, Fetching, MAX_BYTES, TIMEOUT, Validators};

/// Calendars over HTTP: `https` with up to five redirects (`https` too), loopback `http`
/// without redirects or proxies; conditional, bounded in size and time.
pub struct HttpFeeds {
    remote: reqwest::Client,
    loopback: reqwest::Client,
    max_bytes: usize,
}

impl HttpFeeds {
    pub fn new() -> Result<HttpFeeds, String> {
        HttpFeeds::bounded(TIMEOUT, MAX_BYTES)
    }

    /// With other bounds (tests).
    pub fn bounded(timeout: Duration, max_bytes: usize) -> Result<HttpFeeds, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                .user_agent(concat!("Doorpost/", env!("CARGO_PKG_VERSION")))
        };
        let remote = builder()
            .https_only(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| e.to_string())?;
        let loopback = builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpFeeds {
            remote,
            loopback,
            max_bytes,
        })
    }

    async fn get(&self, link: &FeedLink, validators: &Validators) -> Result<Fetched, FetchError> {
        let client = if link.is_loopback() {
            &self.loopback
        } else {
            &self.remote
        };
        let mut request = client
            .get(link.expose())
            .header("accept", "text/calendar, */*;q=0.5");
        if let Some(etag) = &validators.etag {
            request = request.header("if-none-match", etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header("if-modified-since", lm);
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        if !(200..300).contains(&status) {
            return Err(FetchError::status(status));
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        let html = header("content-type").is_some_and(|t| t.contains("text/html"));
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(FetchError::new(FeedProblem::TooLarge));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::new(FeedProblem::TooLarge));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        if html && !text.trim_start().starts_with("BEGIN:") {
            return Err(FetchError::new(FeedProblem::Html));
        }
        Ok(Fetched::Calendar {
            text,
            etag,
            last_modified,
        })
    }
}

/// A transport failure, without the link (reqwest's errors carry the URL).
fn transport(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::new(FeedProblem::Timeout)
    } else if e.is_redirect() || e.is_builder() {
        // A redirect to plain http (or too many): nothing was read.
        FetchError::new(FeedProblem::Insecure)
    } else {
        FetchError::new(FeedProblem::Network)
    }
}

impl FeedSource for HttpFeeds {
    fn fetch<'a>(&'a self, link: &'a FeedLink, validators: &'a Validators) -> Fetching<'a> {
        Box::pin(self.get(link, validators))
    }
}

/// The demo's feeds, answered by the simulator in this process: a link's path names the
/// feed (`/feeds/{name}.ics`); the stays are around the place's day at `utc_offset_secs`.
pub struct SimFeeds {
    pub fake: FakeControl,
    pub utc_offset_secs: i32,
}

impl FeedSource for SimFeeds {
    fn fetch<'a>(&'a self, link: &'a FeedLink, validators: &'a Validators) -> Fetching<'a> {
        Box::pin(async move {
            let name = link
                .path()
                .strip_prefix(doorpost_sim::feeds::FEED_PATH)
                .and_then(|n| n.strip_suffix(".ics"))
                .ok_or(FetchError::new(FeedProblem::Network))?;
            let answer = self.fake.feed(
                name,
                validators.etag.as_deref(),
                validators.last_modified.as_deref(),
                self.utc_offset_secs,
            );
            let header = |h: &str| {
                answer
                    .headers
                    .iter()
                    .find(|(n, _)| *n == h)
                    .map(|(_, v)| v.clone())
            };
            match answer.status {
                304 => Ok(Fetched::NotModified),
                200..=299 if answer.body.len() > MAX_BYTES => {
                    Err(FetchError::new(FeedProblem::TooLarge))
                }
                200..=299 => Ok(Fetched::Calendar {
                    text: String::from_utf8_lossy(&answer.body).into_owned(),
                    etag: header("etag"),
                    last_modified: header("last-modified"),
                }),
                status => Err(FetchError::status(status)),
            }
        })
    }
}
