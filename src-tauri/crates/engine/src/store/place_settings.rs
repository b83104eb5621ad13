//! A place's own values of the settings with a per-place scope (`place_settings`: one row
//! per field, its value as the JSON `Settings` stores). Read back through
//! [`SettingsPatch::from_values`], so a row this Doorpost cannot read is left out and the
//! place follows the user's setting for it. A removed place's rows go with it
//! ([`Store::remove_place`]).

use std::collections::HashMap;

use doorpost_core::settings::SettingsPatch;
use rusqlite::{TransactionBehavior, params};

use super::{Result, Store};

impl Store {
    /// Every place's own values, by place id (places without any are absent).
    pub fn all_place_settings(&self) -> Result<HashMap<String, SettingsPatch>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT place_id, field, value FROM place_settings ORDER BY place_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut by_place: HashMap<String, Vec<(String, serde_json::Value)>> = HashMap::new();
        for row in rows {
            let (place, field, value) = row?;
            match serde_json::from_str(&value) {
                Ok(value) => by_place.entry(place).or_default().push((field, value)),
                Err(e) => {
                    tracing::warn!(%place, %field, "a place's own setting is unreadable: {e}")
                }
            }
        }
        Ok(by_place
            .into_iter()
            .map(|(place, values)| {
                let own =
                    SettingsPatch::from_values(values.iter().map(|(f, v)| (f.as_str(), v.clone())));
                (place, own)
            })
            .collect())
    }

    /// One place's own values (none set: an empty patch).
    pub fn place_settings(&self, place_id: &str) -> Result<SettingsPatch> {
        Ok(self
            .all_place_settings()?
            .remove(place_id)
            .unwrap_or_default())
    }

    /// Replaces a place's own values with `own`, in one transaction.
    pub fn set_place_settings(&mut self, place_id: &str, own: &SettingsPatch) -> Result<()> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM place_settings WHERE place_id = ?1", [place_id])?;
        for (field, value) in own.values() {
            tx.execute(
                "INSERT INTO place_settings (place_id, field, value) VALUES (?1, ?2, ?3)",
                params![place_id, field.name(), value.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use doorpost_core::settings::{ClockTime, SettingsPatch, VacantAlerts};

    use crate::store::Store;

    #[test]
    fn own_values_are_kept_per_place_replaced_whole_and_go_with_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let own = SettingsPatch {
            stays_checkin: Some(ClockTime::of(16, 0)),
            stays_noshow: Some(None),
            stays_vacant: Some(VacantAlerts::Quiet),
            ..Default::default()
        };
        store.set_place_settings("a", &own).unwrap();
        store
            .set_place_settings(
                "b",
                &SettingsPatch {
                    staff_notify: Some(true),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(store.place_settings("a").unwrap(), own);
        assert_eq!(
            store.place_settings("nowhere").unwrap(),
            SettingsPatch::default()
        );
        let fewer = SettingsPatch {
            stays_noshow: Some(None),
            ..Default::default()
        };
        store.set_place_settings("a", &fewer).unwrap();
        assert_eq!(
            store.place_settings("a").unwrap(),
            fewer,
            "replaced, not merged"
        );
        store
            .conn
            .execute(
                "INSERT INTO place_settings (place_id, field, value) VALUES ('a', 'staysBufferMins', '\"soon\"')",
                [],
            )
            .unwrap();
        assert_eq!(
            store.place_settings("a").unwrap(),
            fewer,
            "an unreadable row is left out"
        );
        let all = store.all_place_settings().unwrap();
        assert_eq!(all.len(), 2);
        store
            .add_first_place("a", doorpost_core::time::Millis(0))
            .unwrap();
        store.remove_place("a", false, &[]).unwrap();
        assert_eq!(store.place_settings("a").unwrap(), SettingsPatch::default());
        assert_eq!(store.all_place_settings().unwrap().len(), 1, "b's are kept");
    }
}
