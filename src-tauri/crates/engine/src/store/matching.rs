//! The matching's reads and writes (issue 16): a place's stays as `doorpost_stays::Stay`s
//! with what was decided about each, the staff, and each unlock's mark.
//!
//! Helper A's feed code writes the `stays` rows and helper B's the `staff` rows; this file
//! only reads those, and writes the decision columns (`arrived_at`, `arrival_event`,
//! `arrived_late`, `no_show_at`, `no_show_closed`) and `unlock_marks`. Marks and arrivals
//! are written inside [`Store::commit_marked`]'s transaction, with the unlocks they are
//! about, so a crash never leaves an unlock stored without its mark or an arrival told
//! without being kept; a no-show is kept in its own transaction before it is shown.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use doorpost_core::event::EventLog;
use doorpost_core::ipc::MarkKind;
use doorpost_core::policy::{Candidate, NotifyDecision};
use doorpost_core::time::Millis;
use doorpost_stays::{EntryKind, Stay, StayMemory, StayTime};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Commit, CommitOutcome, DayRule, Decided, Result, Scope, Store, decide};

/// A stay as stored: Doorpost's id for it, the stay, what was decided about it, and when
/// a feed first listed it (and stopped listing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStay {
    pub id: i64,
    pub stay: Stay,
    pub memory: StayMemory,
    pub first_seen_at: Millis,
    pub dropped_at: Option<Millis>,
}

/// What the matching made of one new unlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlockMark {
    pub event_id: String,
    pub kind: MarkKind,
    /// The stay's UID at the place (none for staff and vacant).
    pub stay: Option<String>,
}

/// What the matching decided in one commit: the marks of its new unlocks and the stays
/// whose memory changed (keyed by UID), with the event that was the arrival.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub marks: Vec<UnlockMark>,
    pub stays: Vec<(String, StayMemory, Option<String>)>,
}

/// A pending row's mark, as the decision reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredMark {
    pub kind: MarkKind,
    pub stay_id: Option<i64>,
}

impl Store {
    /// The place's stays that ended at or after `since` (or not yet), oldest first.
    pub fn place_stays(&self, place_id: &str, since: Millis) -> Result<Vec<StoredStay>> {
        let since_day = DateTime::<Utc>::from_timestamp_millis(since.0)
            .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, uid, start_date, end_date, start_at, end_at, kind, blocks_vacant, \
             summary, guest_name, reservation_code, phone_last4, sources, first_seen_at, \
             dropped_at, arrived_at, arrived_late, no_show_at, no_show_closed \
             FROM stays WHERE place_id = ?1 AND (end_date >= ?2 OR end_at >= ?3) \
             ORDER BY coalesce(start_date, ''), coalesce(start_at, 0), id",
        )?;
        let rows = stmt.query_map(params![place_id, since_day, since.0], stored_stay)?;
        let mut stays = Vec::new();
        for row in rows {
            // A row another Doorpost wrote badly is skipped, not fatal to the matching.
            match row? {
                Some(s) => stays.push(s),
                None => tracing::warn!("skipped a stay whose dates could not be read"),
            }
        }
        Ok(stays)
    }

    /// Whether one of the place's feeds has been read at least once: its stay alerts are
    /// on from then (before, it has no stays and every unlock would look vacant).
    pub fn has_read_feed(&self, place_id: &str) -> Result<bool> {
        let found = self
            .conn
            .prepare_cached("SELECT 1 FROM feeds WHERE place_id = ?1 AND ok_at IS NOT NULL")?
            .query_row([place_id], |_| Ok(()))
            .optional()?;
        Ok(found.is_some())
    }

    /// Keeps what the no-show timer decided about a place's stays, in one transaction,
    /// before the alert is shown (a crash then loses the alert, never repeats it).
    pub fn keep_stay_memory(
        &mut self,
        place_id: &str,
        stays: &[(String, StayMemory)],
    ) -> Result<()> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (uid, memory) in stays {
            write_memory(&tx, place_id, uid, memory, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// [`Store::commit`], with the commit's new unlocks marked in the same transaction.
    ///
    /// `mark` gets the new rows that are not second uploads of a stored unlock, oldest
    /// unlock first, and answers their marks and the stays it decided about; they are
    /// written before the decision, which then gets each pending row's mark (rows held
    /// from before included).
    pub fn commit_marked(
        &mut self,
        c: &Commit<'_>,
        mark: impl FnOnce(&[&EventLog]) -> Marks,
        decide: impl FnOnce(&[Candidate<'_>], &[Option<StoredMark>]) -> Vec<NotifyDecision>,
    ) -> Result<CommitOutcome> {
        self.commit_with(c, Some(mark), |tx, scope, now| {
            decide_with_marks(tx, scope, c.day, now, decide)
        })
    }

    /// [`Store::decide_now`] with each pending row's mark.
    pub fn decide_now_marked(
        &mut self,
        place_id: &str,
        day: DayRule,
        now: Millis,
        decide: impl FnOnce(&[Candidate<'_>], &[Option<StoredMark>]) -> Vec<NotifyDecision>,
    ) -> Result<Vec<Decided>> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let decided = decide_with_marks(&tx, Scope::Place(place_id), day, now, decide)?;
        tx.commit()?;
        Ok(decided)
    }

    /// An unlock's mark, if it has one.
    pub fn unlock_mark(&self, event_id: &str) -> Result<Option<StoredMark>> {
        read_mark(&self.conn, event_id)
    }
}

/// The decision over a scope's pending rows, each with its mark.
pub(super) fn decide_with_marks(
    tx: &Transaction<'_>,
    scope: Scope<'_>,
    day: DayRule,
    now: Millis,
    decide: impl FnOnce(&[Candidate<'_>], &[Option<StoredMark>]) -> Vec<NotifyDecision>,
) -> Result<Vec<Decided>> {
    decide::decide_pending(tx, scope, day, now, |candidates| {
        let marks: Vec<Option<StoredMark>> = candidates
            .iter()
            .map(|c| read_mark(tx, &c.event.id).ok().flatten())
            .collect();
        decide(candidates, &marks)
    })
}

/// Marks the commit's new unlocks (second uploads aside) and keeps the stays' memory.
pub(super) fn mark_new(
    tx: &Transaction<'_>,
    c: &Commit<'_>,
    inserted: &[super::Inserted],
    mark: impl FnOnce(&[&EventLog]) -> Marks,
) -> Result<()> {
    let Some(place_id) = c.place_id else {
        return Ok(());
    };
    let by_id: HashMap<&str, &EventLog> = c.events.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut fresh = Vec::new();
    let mut duplicate =
        tx.prepare_cached("SELECT 1 FROM event_log WHERE id = ?1 AND duplicate_of IS NOT NULL")?;
    for i in inserted {
        let second_upload = duplicate.query_row([&i.id], |_| Ok(())).optional()?;
        if let (Some(e), None) = (by_id.get(i.id.as_str()), second_upload) {
            fresh.push(*e);
        }
    }
    if fresh.is_empty() {
        return Ok(());
    }
    fresh.sort_by_key(|e| (e.unlocked_at(), e.id.clone()));
    let marks = mark(&fresh);
    let arrival_of: HashMap<&str, &str> = marks
        .marks
        .iter()
        .filter(|m| matches!(m.kind, MarkKind::Arrival | MarkKind::FoundAfterAll))
        .filter_map(|m| Some((m.stay.as_deref()?, m.event_id.as_str())))
        .collect();
    for (uid, memory, _) in &marks.stays {
        let event = arrival_of.get(uid.as_str()).copied();
        write_memory(tx, place_id, uid, memory, event)?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO unlock_marks (event_id, mark, stay_id) VALUES (?1, ?2, \
         (SELECT id FROM stays WHERE place_id = ?3 AND uid = ?4))",
    )?;
    for m in &marks.marks {
        insert.execute(params![m.event_id, mark_name(m.kind), place_id, m.stay])?;
    }
    Ok(())
}

fn write_memory(
    tx: &Transaction<'_>,
    place_id: &str,
    uid: &str,
    m: &StayMemory,
    arrival_event: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE stays SET arrived_at = ?3, arrived_late = ?4, no_show_at = ?5, \
         no_show_closed = ?6, arrival_event = coalesce(?7, arrival_event) \
         WHERE place_id = ?1 AND uid = ?2",
    )?
    .execute(params![
        place_id,
        uid,
        m.arrived_at.map(|t| t.timestamp_millis()),
        m.arrived_late,
        m.no_show_at.map(|t| t.timestamp_millis()),
        m.no_show_closed,
        arrival_event,
    ])?;
    Ok(())
}

fn read_mark(conn: &rusqlite::Connection, event_id: &str) -> Result<Option<StoredMark>> {
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached("SELECT mark, stay_id FROM unlock_marks WHERE event_id = ?1")?
        .query_row([event_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.and_then(|(mark, stay_id)| {
        Some(StoredMark {
            kind: parse_mark(&mark)?,
            stay_id,
        })
    }))
}

/// The `unlock_marks.mark` value (the IPC `MarkKind`, camelCase).
pub fn mark_name(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Arrival => "arrival",
        MarkKind::FoundAfterAll => "foundAfterAll",
        MarkKind::Guest => "guest",
        MarkKind::Blocked => "blocked",
        MarkKind::Staff => "staff",
        MarkKind::Vacant => "vacant",
    }
}

fn parse_mark(s: &str) -> Option<MarkKind> {
    [
        MarkKind::Arrival,
        MarkKind::FoundAfterAll,
        MarkKind::Guest,
        MarkKind::Blocked,
        MarkKind::Staff,
        MarkKind::Vacant,
    ]
    .into_iter()
    .find(|k| mark_name(*k) == s)
}

fn instant(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::<Utc>::from_timestamp_millis)
}

fn day(text: Option<String>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.as_deref()?, "%Y-%m-%d").ok()
}

/// One `stays` row; `None` when its dates cannot be read.
fn stored_stay(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<StoredStay>> {
    let dates = (day(r.get(2)?), day(r.get(3)?));
    let times = (instant(r.get(4)?), instant(r.get(5)?));
    let time = match (dates, times) {
        ((Some(check_in), Some(check_out)), _) => StayTime::Dates {
            check_in,
            check_out,
        },
        (_, (Some(start), Some(end))) => StayTime::Times { start, end },
        _ => return Ok(None),
    };
    let kind: String = r.get(6)?;
    let sources: String = r.get(12)?;
    let sources: BTreeSet<String> = serde_json::from_str(&sources).unwrap_or_default();
    let stay = Stay {
        uid: r.get(1)?,
        time,
        kind: if kind == "block" {
            EntryKind::Block
        } else {
            EntryKind::Booking
        },
        blocks_vacant: r.get(7)?,
        summary: r.get(8)?,
        guest_name: r.get(9)?,
        reservation_code: r.get(10)?,
        phone_last4: r.get(11)?,
        sources,
    };
    let memory = StayMemory {
        arrived_at: instant(r.get(15)?),
        arrived_late: r.get(16)?,
        no_show_at: instant(r.get(17)?),
        no_show_closed: r.get(18)?,
    };
    Ok(Some(StoredStay {
        id: r.get(0)?,
        stay,
        memory,
        first_seen_at: Millis(r.get(13)?),
        dropped_at: r.get::<_, Option<i64>>(14)?.map(Millis),
    }))
}

#[cfg(test)]
mod tests;
