//! The notification decision at the end of a sync, inside its last transaction: every row
//! of the place still pending, with what the store knows of it, goes to the caller's
//! policy, and what it decides is written back.
//!
//! What the store adds to each row ([`Candidate`]): when it was first stored, whether the
//! same person had already unlocked at the same place that day (from the day's start, a
//! local time of day), and whether its door (or every door) is muted now. Rows the policy
//! holds for quiet hours stay `pending`; suppressed ones are settled, and rows kept while
//! muted are counted on their mute.

use doorpost_core::event::EventLog;
use doorpost_core::policy::{Candidate, NotifyDecision};
use doorpost_core::time::Millis;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{EVENT_COLUMNS, Result, StoreError, event_in_row};

/// When a new day begins, for "arrivals": a local time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRule {
    /// Minutes after local midnight (04:00 is 240).
    pub starts_at: u16,
    /// The local time's offset east of UTC.
    pub utc_offset_secs: i32,
}

impl Default for DayRule {
    fn default() -> Self {
        DayRule {
            starts_at: 4 * 60,
            utc_offset_secs: 0,
        }
    }
}

impl DayRule {
    /// The start of the day `at` belongs to: the latest local `starts_at` at or before it.
    pub fn day_start(&self, at: Millis) -> Millis {
        const DAY: i64 = Millis::DAY;
        let offset = i64::from(self.utc_offset_secs) * 1_000;
        let starts = i64::from(self.starts_at) * Millis::MINUTE;
        let local = at.0.saturating_add(offset).saturating_sub(starts);
        let day = local.div_euclid(DAY) * DAY;
        Millis(day.saturating_add(starts).saturating_sub(offset))
    }
}

/// Which rows a decision covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// A place's rows (every place's engine).
    Place(&'a str),
    /// An account's rows, before places (tests, tools).
    Source(&'a str),
}

/// What a decision made of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub id: String,
    pub decision: NotifyDecision,
}

/// A pending row, read with the columns the decision needs.
struct Pending {
    event: EventLog,
    first_seen: Millis,
    person: Option<String>,
    place: Option<String>,
}

pub(super) fn decide_pending(
    tx: &Transaction<'_>,
    scope: Scope<'_>,
    day: DayRule,
    now: Millis,
    decide: impl FnOnce(&[Candidate<'_>]) -> Vec<NotifyDecision>,
) -> Result<Vec<Decided>> {
    let pending = pending_rows(tx, scope)?;
    let mut candidates = Vec::with_capacity(pending.len());
    for p in &pending {
        candidates.push(Candidate {
            event: &p.event,
            first_seen: p.first_seen,
            repeat: is_repeat(tx, p, day)?,
            muted: muted_now(tx, p.event.door_id(), now)?.is_some(),
        });
    }
    let decisions = decide(&candidates);
    if decisions.len() != candidates.len() {
        return Err(StoreError::DecisionCount {
            expected: candidates.len(),
            got: decisions.len(),
        });
    }
    let mut write = tx.prepare_cached(
        "UPDATE event_log SET notify_state = ?2, repeat = ?3, muted = ?4 \
         WHERE id = ?1 AND notify_state = 'pending'",
    )?;
    let mut decided = Vec::with_capacity(candidates.len());
    for (c, decision) in candidates.iter().zip(decisions) {
        let state = match decision {
            NotifyDecision::Suppressed => "suppressed",
            NotifyDecision::Pending | NotifyDecision::Hold => "pending",
        };
        write.execute(params![c.event.id, state, c.repeat, c.muted])?;
        if c.muted && decision == NotifyDecision::Suppressed {
            match muted_now(tx, c.event.door_id(), now)? {
                Some(Mute::Door(door)) => tx
                    .prepare_cached("UPDATE mutes SET kept = kept + 1 WHERE door_id = ?1")?
                    .execute([door])?,
                Some(Mute::Paused) => tx
                    .prepare_cached("UPDATE pause SET kept = kept + 1")?
                    .execute([])?,
                None => 0,
            };
        }
        decided.push(Decided {
            id: c.event.id.clone(),
            decision,
        });
    }
    Ok(decided)
}

fn pending_rows(tx: &Transaction<'_>, scope: Scope<'_>) -> Result<Vec<Pending>> {
    let (filter, key) = match scope {
        Scope::Place(p) => (
            "event_log_pending_by_place WHERE place_id = ?1 AND notify_state = 'pending'",
            p,
        ),
        Scope::Source(s) => (
            "event_log_pending WHERE source = ?1 AND notify_state = 'pending'",
            s,
        ),
    };
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS}, first_seen_at, person, place_id \
         FROM event_log INDEXED BY {filter} ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([key], |r| {
        Ok(Pending {
            event: event_in_row(r)?,
            first_seen: Millis(r.get(11)?),
            person: r.get(12)?,
            place: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The same person unlocked at the same place earlier the same day (ties broken by id, so
/// of two unlocks in one millisecond exactly one is the arrival). A second upload of one
/// unlock (`duplicate_of`) is not an earlier unlock.
fn is_repeat(tx: &Transaction<'_>, p: &Pending, day: DayRule) -> Result<bool> {
    let Some(person) = &p.person else {
        return Ok(false);
    };
    let at = p.event.unlocked_at();
    let earlier: Option<i64> = tx
        .prepare_cached(
            "SELECT 1 FROM event_log INDEXED BY event_log_by_person \
             WHERE place_id IS ?1 AND person = ?2 AND unlocked_at >= ?3 \
             AND (unlocked_at < ?4 OR (unlocked_at = ?4 AND id < ?5)) \
             AND duplicate_of IS NULL LIMIT 1",
        )?
        .query_row(
            params![p.place, person, day.day_start(at).0, at.0, p.event.id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(earlier.is_some())
}

/// What holds a door's unlocks back.
enum Mute {
    /// The door's own mute.
    Door(String),
    /// Notifications paused (every door).
    Paused,
}

/// The mute that holds for a door now, its own before the pause, if any.
fn muted_now(tx: &Transaction<'_>, door_id: Option<&str>, now: Millis) -> Result<Option<Mute>> {
    if let Some(door) = door_id {
        let own: Option<String> = tx
            .prepare_cached(
                "SELECT door_id FROM mutes WHERE door_id = ?1 AND (until IS NULL OR until > ?2)",
            )?
            .query_row(params![door, now.0], |r| r.get(0))
            .optional()?;
        if let Some(door) = own {
            return Ok(Some(Mute::Door(door)));
        }
    }
    let paused = tx
        .prepare_cached("SELECT 1 FROM pause WHERE until IS NULL OR until > ?1")?
        .query_row([now.0], |_| Ok(()))
        .optional()?;
    Ok(paused.map(|()| Mute::Paused))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_its_local_hour() {
        let oslo = DayRule {
            starts_at: 4 * 60,
            utc_offset_secs: 3600,
        };
        let at = |s: &str| Millis::parse_rfc3339(s).unwrap();
        // 01:30 local (00:30 UTC) still belongs to the day that began at 04:00 yesterday.
        assert_eq!(
            oslo.day_start(at("2026-11-30T00:30:00Z")),
            at("2026-11-29T03:00:00Z")
        );
        assert_eq!(
            oslo.day_start(at("2026-11-30T03:00:00Z")),
            at("2026-11-30T03:00:00Z")
        );
    }
}
