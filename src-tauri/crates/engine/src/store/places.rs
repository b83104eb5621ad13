//! Places and mutes: the rows behind "several properties in one Doorpost" and "mute this
//! door for an hour".
//!
//! A place is one Parakey domain with its own token (kept in the OS keychain under an
//! entry named after the place's id, never here). Its rows carry its id; removing a place
//! may delete them, and then the `names` and `doors` summaries are rebuilt from what is
//! left, in the same transaction. An id is given out once (`place_ids`): a new place never
//! takes a removed place's kept history or keychain entry. A mute is a door id and the wall-clock time it ends;
//! "notifications paused" is a row of its own (its end `NULL`: until resumed), in no key
//! space a server's door ids share.

use doorpost_core::settings::NotifyMode;
use doorpost_core::time::Millis;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Result, Store};

/// A place as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRow {
    pub id: String,
    pub name: String,
    /// `None`: Parakey's own address.
    pub api_url: Option<String>,
    /// `None`: the settings' default.
    pub notify_mode: Option<NotifyMode>,
}

/// A door's mute in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MuteRow {
    pub door_id: String,
    /// `None`: until resumed.
    pub until: Option<Millis>,
    /// Unlocks kept while it held.
    pub kept: u64,
}

fn mode_text(mode: Option<NotifyMode>) -> Option<&'static str> {
    mode.map(|m| match m {
        NotifyMode::Every => "every",
        NotifyMode::Arrivals => "arrivals",
    })
}

fn mode_of(text: Option<String>) -> Option<NotifyMode> {
    match text.as_deref() {
        Some("every") => Some(NotifyMode::Every),
        Some("arrivals") => Some(NotifyMode::Arrivals),
        _ => None,
    }
}

impl Store {
    /// Every place, in the order they were added.
    pub fn places(&self) -> Result<Vec<PlaceRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, api_url, notify_mode FROM places ORDER BY position, created_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PlaceRow {
                id: r.get(0)?,
                name: r.get(1)?,
                api_url: r.get(2)?,
                notify_mode: mode_of(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a place at the end (its id counted as given out, if it was not already).
    pub fn add_place(&mut self, place: &PlaceRow, now: Millis) -> Result<()> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO places (id, name, api_url, notify_mode, position, created_at) \
             VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(position), 0) + 1 FROM places), ?5)",
            params![
                place.id,
                place.name,
                place.api_url,
                mode_text(place.notify_mode),
                now.0
            ],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO place_ids (id) VALUES (?1)",
            [&place.id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A place id never given out before, now given out: `first` if it never was, else
    /// the first of `fresh()`'s answers not yet given. One immediate transaction, so two
    /// adds (two windows, the window and the command line) never get the same id, and a
    /// removed place's id (which its kept history still names) is never given again.
    pub fn new_place_id(
        &mut self,
        first: &str,
        mut fresh: impl FnMut() -> String,
    ) -> Result<String> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut id = first.to_string();
        loop {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM place_ids WHERE id = ?1)",
                [&id],
                |r| r.get(0),
            )?;
            if !taken {
                break;
            }
            id = fresh();
        }
        tx.execute("INSERT INTO place_ids (id) VALUES (?1)", [&id])?;
        tx.commit()?;
        Ok(id)
    }

    /// Removed places whose keychain entries may still hold a token.
    pub fn tokens_to_clear(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM place_ids WHERE token_to_clear = 1 ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `id`'s keychain entry is to be deleted (again: the last try failed).
    pub fn token_to_clear(&mut self, id: &str) -> Result<()> {
        self.set_durable(true)?;
        self.conn.execute(
            "INSERT INTO place_ids (id, token_to_clear) VALUES (?1, 1) \
             ON CONFLICT (id) DO UPDATE SET token_to_clear = 1",
            [id],
        )?;
        Ok(())
    }

    /// `id`'s keychain entry is deleted.
    pub fn token_cleared(&mut self, id: &str) -> Result<()> {
        self.set_durable(true)?;
        self.conn.execute(
            "UPDATE place_ids SET token_to_clear = 0 WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// Renames a place and/or changes its mode. False when there is no such place.
    pub fn update_place(
        &mut self,
        id: &str,
        name: Option<&str>,
        mode: Option<Option<NotifyMode>>,
    ) -> Result<bool> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut changed = 0;
        if let Some(name) = name {
            changed += tx.execute(
                "UPDATE places SET name = ?2 WHERE id = ?1",
                params![id, name],
            )?;
        }
        if let Some(mode) = mode {
            changed += tx.execute(
                "UPDATE places SET notify_mode = ?2 WHERE id = ?1",
                params![id, mode_text(mode)],
            )?;
        }
        let exists: bool = tx
            .query_row("SELECT 1 FROM places WHERE id = ?1", [id], |_| Ok(true))
            .optional()?
            .unwrap_or(false);
        tx.commit()?;
        Ok(exists || changed > 0)
    }

    /// Removes a place, and its history when asked: its rows, and the quarantine, poll log
    /// and poller state of its accounts (`sources`, and every source its rows name) unless
    /// another place's rows name them too; the summaries are rebuilt from the rows left,
    /// mutes of doors no longer seen go, and the WAL is emptied. False when there is no
    /// such place.
    pub fn remove_place(
        &mut self,
        id: &str,
        delete_history: bool,
        sources: &[String],
    ) -> Result<bool> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = tx.execute("DELETE FROM places WHERE id = ?1", [id])? > 0;
        if removed {
            // Its token goes after this commits; until then, and if that fails, this says so.
            tx.execute(
                "INSERT INTO place_ids (id, token_to_clear) VALUES (?1, 1) \
                 ON CONFLICT (id) DO UPDATE SET token_to_clear = 1",
                [id],
            )?;
            tx.execute("DELETE FROM place_settings WHERE place_id = ?1", [id])?;
        }
        if removed {
            Store::remove_place_stays(&tx, id, delete_history)?;
        }
        if removed && delete_history {
            let mut gone: Vec<String> = tx
                .prepare("SELECT DISTINCT source FROM event_log WHERE place_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            gone.extend(sources.iter().cloned());
            gone.sort();
            gone.dedup();
            for source in &gone {
                let shared: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM event_log WHERE source = ?1 AND place_id IS NOT ?2)",
                    params![source, id],
                    |r| r.get(0),
                )?;
                if shared {
                    continue;
                }
                for table in ["quarantine", "poll_log", "poll_state"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE source = ?1"), [source])?;
                }
            }
            tx.execute("DELETE FROM event_log WHERE place_id = ?1", [id])?;
            rebuild_summaries(&tx)?;
            tx.execute(
                "DELETE FROM mutes WHERE door_id NOT IN (SELECT id FROM doors)",
                [],
            )?;
        }
        tx.commit()?;
        if removed && delete_history {
            // The deleted rows' page images would otherwise stay in the WAL.
            self.checkpoint_truncate()?;
        }
        Ok(removed)
    }

    /// The first place of an install from before places: `id`, at Parakey's own address,
    /// named after the account's busiest domain ("Parakey" without one), and given every
    /// row stored before places existed.
    pub fn add_first_place(&mut self, id: &str, now: Millis) -> Result<()> {
        let name = self
            .domain_names(1)
            .ok()
            .and_then(|n| n.into_iter().next())
            .unwrap_or_else(|| "Parakey".to_string());
        let row = PlaceRow {
            id: id.into(),
            name,
            api_url: None,
            notify_mode: None,
        };
        self.add_place(&row, now)?;
        self.adopt_unplaced(id)?;
        Ok(())
    }

    /// Gives the rows stored before places existed to `place_id` (the first place of an
    /// install that had one account). Returns how many.
    pub fn adopt_unplaced(&mut self, place_id: &str) -> Result<usize> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE event_log SET place_id = ?1 WHERE place_id IS NULL",
            [place_id],
        )?;
        tx.execute(
            "UPDATE doors SET place_id = ?1 WHERE place_id IS NULL",
            [place_id],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Mutes a door until `until` (`None`: until unmuted), restarting its count.
    pub fn set_mute(&mut self, door_id: &str, until: Option<Millis>) -> Result<()> {
        self.set_durable(true)?;
        self.conn
            .prepare_cached(
                "INSERT INTO mutes (door_id, until, kept) VALUES (?1, ?2, 0) \
                 ON CONFLICT (door_id) DO UPDATE SET until = excluded.until, kept = 0",
            )?
            .execute(params![door_id, until.map(|u| u.0)])?;
        Ok(())
    }

    /// Pauses notifications (every door) until `until` (`None`: until resumed), restarting
    /// its count.
    pub fn set_pause(&mut self, until: Option<Millis>) -> Result<()> {
        self.set_durable(true)?;
        self.conn
            .prepare_cached(
                "INSERT INTO pause (id, until, kept) VALUES (1, ?1, 0) \
                 ON CONFLICT (id) DO UPDATE SET until = excluded.until, kept = 0",
            )?
            .execute([until.map(|u| u.0)])?;
        Ok(())
    }

    /// Resumes notifications.
    pub fn clear_pause(&mut self) -> Result<()> {
        self.set_durable(true)?;
        self.conn.execute("DELETE FROM pause", [])?;
        Ok(())
    }

    /// The pause in force at `now`: `Some(None)` until resumed, `Some(Some(t))` until `t`.
    pub fn paused(&self, now: Millis) -> Result<Option<Option<Millis>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT until FROM pause WHERE until IS NULL OR until > ?1")?
            .query_row([now.0], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .map(|until| until.map(Millis)))
    }

    pub fn clear_mute(&mut self, door_id: &str) -> Result<()> {
        self.set_durable(true)?;
        self.conn
            .prepare_cached("DELETE FROM mutes WHERE door_id = ?1")?
            .execute([door_id])?;
        Ok(())
    }

    /// The doors' mutes in force at `now`.
    pub fn mutes(&self, now: Millis) -> Result<Vec<MuteRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT door_id, until, kept FROM mutes WHERE until IS NULL OR until > ?1 \
             ORDER BY door_id",
        )?;
        let rows = stmt.query_map([now.0], |r| {
            Ok(MuteRow {
                door_id: r.get(0)?,
                until: r.get::<_, Option<i64>>(1)?.map(Millis),
                kept: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The places (Parakey domains) the history names, most unlocks first.
    pub fn domain_names(&self, limit: u32) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT domain_name FROM event_log WHERE domain_name IS NOT NULL \
             GROUP BY domain_name ORDER BY COUNT(*) DESC, domain_name LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// This install's id, made with the database: it names the keychain entries.
    pub fn install_id(&self) -> Result<String> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM install")?
            .query_row([], |r| r.get(0))?)
    }

    /// Whether tokens of a Doorpost from before install ids are still to be moved under
    /// this install's keychain names (never for a database that started empty).
    pub fn legacy_keychain(&self) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT legacy_keychain FROM install")?
            .query_row([], |r| r.get(0))?)
    }

    /// The old tokens have been moved: they are never read again.
    pub fn legacy_keychain_done(&mut self) -> Result<()> {
        self.set_durable(true)?;
        self.conn
            .execute("UPDATE install SET legacy_keychain = 0", [])?;
        Ok(())
    }

    /// When Doorpost first checked an account (wall clock).
    pub fn first_poll(&self, source: &str) -> Result<Option<Millis>> {
        Ok(self
            .conn
            .prepare_cached("SELECT MIN(at) FROM poll_log WHERE source = ?1")?
            .query_row([source], |r| r.get::<_, Option<i64>>(0))?
            .map(Millis))
    }

    /// When Doorpost first checked (wall clock): the earliest poll-log row.
    pub fn watching_since(&self) -> Result<Option<Millis>> {
        Ok(self
            .conn
            .prepare_cached("SELECT MIN(at) FROM poll_log")?
            .query_row([], |r| r.get::<_, Option<i64>>(0))?
            .map(Millis))
    }
}

/// The `names` and `doors` summaries, counted again from `event_log` (after a bulk delete).
fn rebuild_summaries(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM names;
         INSERT INTO names (kind, name, door_id, events)
             SELECT 'door', door_name, COALESCE(door_id, ''), COUNT(*) FROM event_log
             WHERE door_name IS NOT NULL GROUP BY door_name, COALESCE(door_id, '');
         INSERT INTO names (kind, name, door_id, events)
             SELECT 'user', user_name, '', COUNT(*) FROM event_log
             WHERE user_name IS NOT NULL GROUP BY user_name;
         DELETE FROM doors WHERE id NOT IN
             (SELECT door_id FROM event_log WHERE door_id IS NOT NULL);
         UPDATE doors SET
             events = (SELECT COUNT(*) FROM event_log WHERE door_id = doors.id),
             last_unlock = (SELECT MAX(unlocked_at) FROM event_log WHERE door_id = doors.id);",
    )?;
    Ok(())
}
