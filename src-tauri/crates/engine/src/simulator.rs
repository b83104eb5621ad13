//! The demo's simulated Parakey ([`doorpost_sim`]) behind the client's [`Exchange`] seam.

use http::HeaderMap;

use crate::exchange::{Answering, Exchange};

impl Exchange for doorpost_sim::FakeControl {
    fn base_url(&self) -> &'static str {
        doorpost_sim::IN_PROCESS_URL
    }

    fn exchange<'a>(&'a self, path_and_query: &'a str, headers: &'a HeaderMap) -> Answering<'a> {
        Box::pin(doorpost_sim::FakeControl::exchange(
            self,
            path_and_query,
            headers,
        ))
    }
}
