//! The settings, stored as one JSON row beside the history: loaded with the defaults for
//! anything missing or unreadable, and saved without losing a stored text that could not
//! be read.

use doorpost_core::settings::Settings;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Result, Store};

impl Store {
    /// The stored settings; the defaults when none are stored, or when the stored JSON
    /// cannot be read (it is logged and kept in the database until the next save, which
    /// moves it to `unreadable_json`).
    pub fn load_settings(&self) -> Result<Settings> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT json FROM settings WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        Ok(match json {
            None => Settings::default(),
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, stored = %json, "stored settings are unreadable; using the defaults");
                Settings::default()
            }),
        })
    }

    /// Replaces the stored settings. A stored text that could not be read is kept aside
    /// (in `unreadable_json`) rather than overwritten.
    pub fn save_settings(&mut self, settings: &Settings) -> Result<()> {
        let json = serde_json::to_string(settings)?;
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old: Option<String> = tx
            .query_row("SELECT json FROM settings WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let unreadable = old.filter(|o| serde_json::from_str::<Settings>(o).is_err());
        tx.execute(
            "INSERT INTO settings (id, json, unreadable_json) VALUES (1, ?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET json = excluded.json, \
             unreadable_json = COALESCE(excluded.unreadable_json, settings.unreadable_json)",
            params![json, unreadable],
        )?;
        tx.commit()?;
        Ok(())
    }
}
