//! Where feed links live: the keychain (one entry per feed, beside the place's token), or
//! the demo's memory. Never SQLite, never a file.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{FeedLink, feed_entry};
use crate::http::ApiToken;
use crate::hub::Keychains;

/// A place's feed links by label.
pub trait FeedLinks: Send + Sync {
    fn get(&self, place_id: &str, label: &str) -> Result<Option<FeedLink>, String>;
    fn set(&self, place_id: &str, label: &str, link: &FeedLink) -> Result<(), String>;
    /// Forgets a link; forgetting an absent one succeeds.
    fn clear(&self, place_id: &str, label: &str) -> Result<(), String>;
}

/// Links in the keychain entries of one install ([`feed_entry`]), each bound to its own
/// origin like a token.
pub struct KeychainLinks {
    pub keychains: Keychains,
    pub install: String,
}

impl FeedLinks for KeychainLinks {
    fn get(&self, place_id: &str, label: &str) -> Result<Option<FeedLink>, String> {
        let entry = (self.keychains)(&feed_entry(&self.install, place_id, label));
        let Some(saved) = entry.get().map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let Ok(link) = FeedLink::parse(saved.token.expose()) else {
            return Ok(None);
        };
        Ok(saved.for_origin(&link.origin()).map(|_| link))
    }

    fn set(&self, place_id: &str, label: &str, link: &FeedLink) -> Result<(), String> {
        // A parsed link is ASCII without spaces: it is a valid "token".
        let secret = ApiToken::new(link.expose()).map_err(|e| e.to_string())?;
        (self.keychains)(&feed_entry(&self.install, place_id, label))
            .set(&secret, &link.origin())
            .map_err(|e| e.to_string())
    }

    fn clear(&self, place_id: &str, label: &str) -> Result<(), String> {
        (self.keychains)(&feed_entry(&self.install, place_id, label))
            .clear()
            .map_err(|e| e.to_string())
    }
}

/// Links held in memory for this process: the demo's.
#[derive(Default)]
pub struct MemoryLinks(Mutex<HashMap<(String, String), FeedLink>>);

impl FeedLinks for MemoryLinks {
    fn get(&self, place_id: &str, label: &str) -> Result<Option<FeedLink>, String> {
        let links = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(links.get(&(place_id.into(), label.into())).cloned())
    }

    fn set(&self, place_id: &str, label: &str, link: &FeedLink) -> Result<(), String> {
        let mut links = self.0.lock().unwrap_or_else(|p| p.into_inner());
        links.insert((place_id.into(), label.into()), link.clone());
        Ok(())
    }

    fn clear(&self, place_id: &str, label: &str) -> Result<(), String> {
        let mut links = self.0.lock().unwrap_or_else(|p| p.into_inner());
        links.remove(&(place_id.into(), label.into()));
        Ok(())
    }
}
