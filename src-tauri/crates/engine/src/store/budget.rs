//! What the daily storage budget ([`crate::budget`]) asks of the store.

use doorpost_core::time::Millis;

use super::{Result, Store};

impl Store {
    /// Unlocks one account stored from `since` on (by when they were first stored, not
    /// when they happened: a backfill of last month counts today). Asked once a day per
    /// place.
    pub fn stored_since(&self, source: &str, since: Millis) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM event_log WHERE source = ?1 AND first_seen_at >= ?2",
            rusqlite::params![source, since.0],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
