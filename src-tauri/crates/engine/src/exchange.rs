//! The seam between the HTTP client and a server answered in this process, without a
//! socket: the demo's simulated Parakey. The client knows only this trait; the simulator
//! is wired to it in [`crate::simulator`].

use std::future::Future;
use std::pin::Pin;

use http::HeaderMap;

/// An answer: status, headers and the whole body.
pub type Answer = http::Response<Vec<u8>>;

/// A future an [`Exchange`] answers with.
pub type Answering<'a> = Pin<Box<dyn Future<Output = Option<Answer>> + Send + 'a>>;

/// A server in this process.
pub trait Exchange: Send + Sync {
    /// The base URL that names it (its account's key); never resolved, never connected to.
    fn base_url(&self) -> &'static str;

    /// The answer to `GET path_and_query` (`/eventLogs?limit=25`) with `headers`; `None`
    /// when the connection broke without one.
    fn exchange<'a>(&'a self, path_and_query: &'a str, headers: &'a HeaderMap) -> Answering<'a>;
}
