//! The write path: one page of a sync in one transaction ([`Store::commit`]: new and
//! changed rows, the quarantine, the poller's state, and on a sync's last page the poll log
//! row and the notification decision), the decision alone ([`Store::decide_now`]), a poll
//! that stored nothing else ([`Store::log_poll`]) and `pending → notified`
//! ([`Store::mark_notified`]). The `names` and `doors` dimensions are summed here and
//! written in the same transaction as the rows they summarise.

use std::collections::HashMap;
use std::fmt::Write as _;

use doorpost_core::event::{EventLog, Quarantined};
use doorpost_core::policy::{Candidate, NotifyDecision, person_key};
use doorpost_core::time::Millis;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::matching::{self, Marks};
use super::{
    Commit, CommitOutcome, DayRule, Decided, Inserted, NotifyState, PollLogEntry, Result, Scope,
    Store, decide, duplicates, forget,
};

impl Store {
    /// Decides the pending rows of a place now, without new rows: the digest when quiet
    /// hours end. `decide` is as in [`Store::commit`].
    pub fn decide_now(
        &mut self,
        place_id: &str,
        day: DayRule,
        now: Millis,
        decide: impl FnOnce(&[Candidate<'_>]) -> Vec<NotifyDecision>,
    ) -> Result<Vec<Decided>> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let decided = decide::decide_pending(&tx, Scope::Place(place_id), day, now, decide)?;
        tx.commit()?;
        Ok(decided)
    }

    /// Stores one page of a sync in one `BEGIN IMMEDIATE` transaction.
    ///
    /// New events (by id; an id repeated in `c.events` counts once, its last copy wins)
    /// are inserted `suppressed` when they arrived before `c.news_floor`, else `pending`.
    /// Known events whose raw JSON changed are updated, keeping their `notify_state` and
    /// `first_seen_at`. Then the quarantine and the poller's state are written. On a sync's
    /// last commit (`c.log` set) `decide` is called exactly once, inside the transaction,
    /// with every row of the source still pending (oldest arrival first, this commit's
    /// included), and must return one state per row: `Pending` (a toast will announce it)
    /// or `Suppressed`; then the poll log row is written. Any error, a wrong number of
    /// states included, rolls all of it back.
    pub fn commit(
        &mut self,
        c: &Commit<'_>,
        decide: impl FnOnce(&[Candidate<'_>]) -> Vec<NotifyDecision>,
    ) -> Result<CommitOutcome> {
        self.commit_with(c, None::<fn(&[&EventLog]) -> Marks>, |tx, scope, now| {
            decide::decide_pending(tx, scope, c.day, now, decide)
        })
    }

    /// [`Store::commit`], marking the new unlocks first when `mark` is given (see
    /// [`Store::commit_marked`]); `decide` makes the decision inside the transaction.
    pub(super) fn commit_with(
        &mut self,
        c: &Commit<'_>,
        mark: Option<impl FnOnce(&[&EventLog]) -> Marks>,
        decide: impl FnOnce(&Transaction<'_>, Scope<'_>, Millis) -> Result<Vec<Decided>>,
    ) -> Result<CommitOutcome> {
        self.set_durable(c.log.is_some())?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut dims = Dimensions::default();
        let (mut inserted, updated) = write_rows(&tx, c, &mut dims)?;
        duplicates::mark_duplicates(&tx, c, &mut inserted)?;
        if let Some(mark) = mark {
            matching::mark_new(&tx, c, &inserted, mark)?;
        }
        let quarantined_new = write_quarantine(&tx, c.source, c.quarantined, c.seen_at)?;
        dims.write(&tx)?;

        tx.prepare_cached(
            "INSERT INTO poll_state (source, state_json, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (source) DO UPDATE SET state_json = excluded.state_json, \
             updated_at = excluded.updated_at",
        )?
        .execute(params![c.source, c.state_json, c.seen_at.0])?;
        let decided = match &c.log {
            Some(log) => {
                insert_poll_log(&tx, c.source, log, c.earlier_new + inserted.len())?;
                let scope = match c.place_id {
                    Some(place) => Scope::Place(place),
                    None => Scope::Source(c.source),
                };
                decide(&tx, scope, c.seen_at)?
            }
            None => Vec::new(),
        };
        tx.commit()?;
        Ok(CommitOutcome {
            inserted,
            decided,
            updated,
            quarantined_new,
        })
    }

    /// Records a poll that stored nothing else (a failure, usually), in its own
    /// transaction.
    pub fn log_poll(&mut self, source: &str, entry: &PollLogEntry) -> Result<()> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_poll_log(&tx, source, entry, 0)?;
        tx.commit()?;
        Ok(())
    }

    /// Moves the given events from `pending` to `notified`, in one transaction; others
    /// (unknown ids, already notified, suppressed) are left alone. Returns how many moved.
    pub fn mark_notified(&mut self, ids: &[&str]) -> Result<usize> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut moved = 0;
        {
            let mut mark = tx.prepare_cached(
                "UPDATE event_log SET notify_state = 'notified' \
                 WHERE id = ?1 AND notify_state = 'pending'",
            )?;
            for id in ids {
                moved += mark.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(moved)
    }
}

fn insert_poll_log(
    tx: &Transaction<'_>,
    source: &str,
    entry: &PollLogEntry,
    new_events: usize,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO poll_log (source, at, outcome, requests, bytes, new_events, error) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        source,
        entry.at.0,
        entry.outcome.as_str(),
        entry.requests,
        i64::try_from(entry.bytes).unwrap_or(i64::MAX),
        new_events,
        entry.error,
    ])?;
    Ok(())
}

/// Inserts the new rows (`suppressed` when they arrived before the news floor, else
/// `pending`) and updates known rows whose JSON changed, keeping their state. A new row
/// costs one statement: the insert finds the conflict, and only a row already stored is
/// read back.
fn write_rows(
    tx: &Transaction<'_>,
    c: &Commit<'_>,
    dims: &mut Dimensions,
) -> Result<(Vec<Inserted>, usize)> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO event_log (id, source, created_at, timestamp, door_id, door_name, \
         user_id, user_name, domain_id, domain_name, kind, raw, first_seen_at, \
         notify_state, place_id, person) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) \
         ON CONFLICT (id) DO NOTHING",
    )?;
    let mut find = tx.prepare_cached(
        "SELECT raw, door_id, door_name, user_name, source FROM event_log WHERE id = ?1",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE event_log SET created_at = ?2, timestamp = ?3, door_id = ?4, \
         door_name = ?5, user_id = ?6, user_name = ?7, domain_id = ?8, \
         domain_name = ?9, kind = ?10, raw = ?11 WHERE id = ?1",
    )?;
    let mut inserted = Vec::new();
    let mut updated = 0;
    for e in unique_by_id(c.events) {
        let history = c.news_floor.is_some_and(|floor| e.created_at < floor);
        let state = if history {
            NotifyState::Suppressed
        } else {
            NotifyState::Pending
        };
        if insert_row(&mut insert, c, e, state)? {
            dims.add(e, c.place_id);
            inserted.push(Inserted {
                id: e.id.clone(),
                state,
                created_at: e.created_at,
            });
        } else if let Some(old) = rewrite_row(&mut find, &mut update, c.source, e)? {
            dims.replace(&old, e, c.place_id);
            updated += 1;
        }
    }
    Ok((inserted, updated))
}

/// Inserts `e` unless its id is stored already; whether it was new.
fn insert_row(
    insert: &mut rusqlite::CachedStatement<'_>,
    c: &Commit<'_>,
    e: &EventLog,
    state: NotifyState,
) -> Result<bool> {
    let v = Columns::of(e);
    let inserted = insert.execute(params![
        e.id,
        c.source,
        e.created_at.0,
        e.timestamp.map(|t| t.0),
        v.door_id,
        v.door_name,
        v.user_id,
        v.user_name,
        v.domain_id,
        v.domain_name,
        e.kind,
        e.raw,
        c.seen_at.0,
        state.as_str(),
        c.place_id,
        person_key(e),
    ])?;
    Ok(inserted == 1)
}

/// Rewrites the stored row of `e` when its record changed (a PII scrub, a renamed door),
/// never its `notify_state` or `first_seen_at`; what the row held before, if it changed.
/// Only the account that stored a row rewrites it: another place's server sending the
/// same id (by chance, or to overwrite a row it should not reach) leaves it as it was.
fn rewrite_row(
    find: &mut rusqlite::CachedStatement<'_>,
    update: &mut rusqlite::CachedStatement<'_>,
    source: &str,
    e: &EventLog,
) -> Result<Option<StoredDims>> {
    let (old, owner) = find.query_row([&e.id], |r| {
        let old = StoredDims {
            raw: r.get(0)?,
            door_id: r.get(1)?,
            door_name: r.get(2)?,
            user_name: r.get(3)?,
        };
        Ok((old, r.get::<_, String>(4)?))
    })?;
    if owner != source {
        tracing::warn!("an event id already stored for another account was left as it was");
        return Ok(None);
    }
    if old.raw == e.raw {
        return Ok(None);
    }
    let v = Columns::of(e);
    update.execute(params![
        e.id,
        e.created_at.0,
        e.timestamp.map(|t| t.0),
        v.door_id,
        v.door_name,
        v.user_id,
        v.user_name,
        v.domain_id,
        v.domain_name,
        e.kind,
        e.raw,
    ])?;
    Ok(Some(old))
}

/// Stores quarantined records, one row per distinct raw text: a record seen again bumps
/// its row; a record whose id is already quarantined with other JSON replaces that row's
/// text. Returns how many rows are new.
fn write_quarantine(
    tx: &Transaction<'_>,
    source: &str,
    records: &[Quarantined],
    seen_at: Millis,
) -> Result<usize> {
    let mut new = 0;
    for q in records {
        // The hash is of the whole text (one row per distinct record); the row keeps only
        // its start, so a hostile server cannot fill the disk through the quarantine.
        let hash = sha256_hex(&q.raw);
        let (raw, reason) = forget::bounded_quarantine_text(q);
        let bumped = tx
            .prepare_cached(
                "UPDATE quarantine SET last_seen_at = MAX(last_seen_at, ?2), \
                 times_seen = times_seen + 1 WHERE raw_sha256 = ?1",
            )?
            .execute(params![hash, seen_at.0])?;
        if bumped > 0 {
            continue;
        }
        let same_id: Option<i64> = match &q.id {
            Some(id) => tx
                .prepare_cached(
                    "SELECT id FROM quarantine WHERE source = ?1 AND record_id = ?2 LIMIT 1",
                )?
                .query_row(params![source, id], |r| r.get(0))
                .optional()?,
            None => None,
        };
        match same_id {
            Some(row) => {
                tx.prepare_cached(
                    "UPDATE quarantine SET raw = ?2, raw_sha256 = ?3, reason = ?4, \
                     last_seen_at = MAX(last_seen_at, ?5), times_seen = times_seen + 1 \
                     WHERE id = ?1",
                )?
                .execute(params![row, raw, hash, reason, seen_at.0])?;
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO quarantine (source, record_id, reason, raw, raw_sha256, \
                     first_seen_at, last_seen_at, times_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1)",
                )?
                .execute(params![source, q.id, reason, raw, hash, seen_at.0])?;
                new += 1;
            }
        }
    }
    if new > 0 {
        forget::trim_quarantine(tx)?;
    }
    Ok(new)
}

fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// The input's events with each id once, at its first position, holding its last copy
/// (the freshest JSON when a page overlap returned a record twice).
fn unique_by_id(events: &[EventLog]) -> Vec<&EventLog> {
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(events.len());
    let mut unique: Vec<&EventLog> = Vec::with_capacity(events.len());
    for e in events {
        match position.get(e.id.as_str()) {
            Some(&i) => unique[i] = e,
            None => {
                position.insert(&e.id, unique.len());
                unique.push(e);
            }
        }
    }
    unique
}

/// The descriptive columns of an event.
struct Columns<'a> {
    door_id: Option<&'a str>,
    door_name: Option<&'a str>,
    user_id: Option<&'a str>,
    user_name: Option<&'a str>,
    domain_id: Option<&'a str>,
    domain_name: Option<&'a str>,
}

impl<'a> Columns<'a> {
    fn of(e: &'a EventLog) -> Columns<'a> {
        let door = e.door.as_ref();
        let user = e.user.as_ref();
        let domain = e.domain.as_ref();
        Columns {
            door_id: door.and_then(|d| d.id.as_deref()),
            door_name: door.and_then(|d| d.name.as_deref()),
            user_id: user.and_then(|u| u.id.as_deref()),
            user_name: user.and_then(|u| u.name.as_deref()),
            domain_id: domain.and_then(|d| d.id.as_deref()),
            domain_name: domain.and_then(|d| d.name.as_deref()),
        }
    }
}

/// The stored values of a row that the dimensions summarise.
struct StoredDims {
    raw: String,
    door_id: Option<String>,
    door_name: Option<String>,
    user_name: Option<String>,
}

#[derive(Default)]
struct DoorDelta {
    /// The latest name seen in this commit, if any.
    name: Option<String>,
    /// The place it was seen at.
    place_id: Option<String>,
    last_unlock: Option<i64>,
    events: i64,
}

/// One commit's changes to the `names` and `doors` tables, summed in memory so that a
/// bulk commit writes each name once.
#[derive(Default)]
struct Dimensions {
    /// Door id ('' for none) → door name → change.
    door_names: HashMap<String, HashMap<String, i64>>,
    user_names: HashMap<String, i64>,
    doors: HashMap<String, DoorDelta>,
    shrank: bool,
}

fn bump(map: &mut HashMap<String, i64>, key: Option<&str>, by: i64) {
    let Some(key) = key else { return };
    match map.get_mut(key) {
        Some(n) => *n += by,
        None => {
            map.insert(key.to_owned(), by);
        }
    }
}

impl Dimensions {
    fn door(&mut self, id: &str) -> &mut DoorDelta {
        if !self.doors.contains_key(id) {
            self.doors.insert(id.to_owned(), DoorDelta::default());
        }
        self.doors.get_mut(id).expect("inserted just above")
    }

    fn bump_door_name(&mut self, door_id: Option<&str>, name: Option<&str>, by: i64) {
        if name.is_none() {
            return;
        }
        let door_id = door_id.unwrap_or("");
        match self.door_names.get_mut(door_id) {
            Some(names) => bump(names, name, by),
            None => {
                let mut names = HashMap::new();
                bump(&mut names, name, by);
                self.door_names.insert(door_id.to_owned(), names);
            }
        }
    }

    fn add(&mut self, e: &EventLog, place_id: Option<&str>) {
        let v = Columns::of(e);
        self.bump_door_name(v.door_id, v.door_name, 1);
        bump(&mut self.user_names, v.user_name, 1);
        if let Some(id) = v.door_id {
            let d = self.door(id);
            d.events += 1;
            d.last_unlock = d.last_unlock.max(Some(e.unlocked_at().0));
            if let Some(name) = v.door_name {
                d.name = Some(name.to_owned());
            }
            if let Some(place) = place_id {
                d.place_id = Some(place.to_owned());
            }
        }
    }

    fn replace(&mut self, old: &StoredDims, e: &EventLog, place_id: Option<&str>) {
        self.remove(old);
        self.add(e, place_id);
    }

    fn remove(&mut self, old: &StoredDims) {
        self.shrank = true;
        self.bump_door_name(old.door_id.as_deref(), old.door_name.as_deref(), -1);
        bump(&mut self.user_names, old.user_name.as_deref(), -1);
        if let Some(id) = &old.door_id {
            self.door(id).events -= 1;
        }
    }

    fn write(self, tx: &Transaction<'_>) -> Result<()> {
        let mut name = tx.prepare_cached(
            "INSERT INTO names (kind, name, door_id, events) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (kind, name, door_id) DO UPDATE SET events = events + excluded.events",
        )?;
        for (door_id, names) in &self.door_names {
            for (n, by) in names.iter().filter(|(_, by)| **by != 0) {
                name.execute(params!["door", n, door_id, by])?;
            }
        }
        for (n, by) in self.user_names.iter().filter(|(_, by)| **by != 0) {
            name.execute(params!["user", n, "", by])?;
        }
        let mut door = tx.prepare_cached(
            "INSERT INTO doors (id, name, last_unlock, events, place_id) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (id) DO UPDATE SET name = COALESCE(excluded.name, doors.name), \
             last_unlock = MAX(doors.last_unlock, excluded.last_unlock), \
             events = doors.events + excluded.events, \
             place_id = CASE WHEN doors.place_id IS NULL \
               OR doors.place_id NOT IN (SELECT id FROM places) \
               THEN excluded.place_id ELSE doors.place_id END",
        )?;
        for (id, d) in &self.doors {
            door.execute(params![
                id,
                d.name,
                d.last_unlock.unwrap_or(i64::MIN),
                d.events,
                d.place_id
            ])?;
        }
        if self.shrank {
            tx.execute("DELETE FROM names WHERE events <= 0", [])?;
            tx.execute("DELETE FROM doors WHERE events <= 0", [])?;
        }
        Ok(())
    }
}
