//! One unlock uploaded twice (G11), inside a commit's transaction: each new row that is
//! another upload of a stored unlock (the rule is [`doorpost_core::duplicates`]) is tagged
//! with the original's id in `duplicate_of`, and the unlock keeps at most one toast.
//!
//! - A new row that came after the original is a duplicate: stored `suppressed`, so no
//!   path (this check, the next, a restart's crash recovery) can announce it.
//! - A new row that came *before* the stored ones (its page was read later) becomes the
//!   original and they point at it; the toast stays where it was: with a row already
//!   announced nothing more is, and a row still pending hands its turn to the original
//!   only when the original is pending itself (a history row never takes a toast).

use std::collections::HashMap;

use doorpost_core::duplicates::{UnlockKey, WINDOW};
use doorpost_core::event::EventLog;
use doorpost_core::time::Millis;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Commit, Inserted, NotifyState, Result};

/// A stored row of the same unlock.
struct Match {
    id: String,
    duplicate_of: Option<String>,
}

/// Tags the duplicates among `inserted` (this commit's new rows), updating their states
/// (and those of rows they take a toast's turn from) in `inserted` as in the database.
pub(super) fn mark_duplicates(
    tx: &Transaction<'_>,
    c: &Commit<'_>,
    inserted: &mut [Inserted],
) -> Result<()> {
    let events: HashMap<&str, &EventLog> = c.events.iter().map(|e| (e.id.as_str(), e)).collect();
    for i in 0..inserted.len() {
        let Some(e) = events.get(inserted[i].id.as_str()) else {
            continue;
        };
        let Some(key) = UnlockKey::of(e) else {
            continue;
        };
        let Some((root, root_at)) = original_among(tx, c, e, &key)? else {
            continue;
        };
        if (e.created_at, e.id.as_str()) < (root_at, root.as_str()) {
            // This row came first: it is the original, the others point at it.
            tx.prepare_cached(
                "UPDATE event_log SET duplicate_of = ?1 WHERE id = ?2 OR duplicate_of = ?2",
            )?
            .execute(params![e.id, root])?;
            let states = cluster_states(tx, &e.id)?;
            let own = state_of(inserted, &e.id);
            if states.iter().any(|(_, s)| *s == NotifyState::Notified) {
                suppress(tx, inserted, &e.id)?;
            } else if own == Some(NotifyState::Pending)
                && let Some((pending, _)) = states.iter().find(|(_, s)| *s == NotifyState::Pending)
            {
                suppress(tx, inserted, pending)?;
            }
        } else {
            tx.prepare_cached("UPDATE event_log SET duplicate_of = ?1 WHERE id = ?2")?
                .execute(params![root, e.id])?;
            suppress(tx, inserted, &e.id)?;
        }
    }
    Ok(())
}

/// The original of the stored rows of `e`'s unlock (not `e` itself), with its `createdAt`:
/// `None` when `e` is the only upload.
fn original_among(
    tx: &Transaction<'_>,
    c: &Commit<'_>,
    e: &EventLog,
    key: &UnlockKey,
) -> Result<Option<(String, Millis)>> {
    let matches = tx
        .prepare_cached(
            "SELECT id, duplicate_of FROM event_log INDEXED BY event_log_by_unlock \
             WHERE door_id = ?1 AND timestamp = ?2 AND person = ?3 \
             AND created_at BETWEEN ?4 AND ?5 AND id <> ?6 \
             AND place_id IS ?7 AND (?7 IS NOT NULL OR source = ?8)",
        )?
        .query_map(
            params![
                key.door_id,
                key.timestamp.0,
                key.person,
                e.created_at.minus(WINDOW).0,
                e.created_at.plus(WINDOW).0,
                e.id,
                c.place_id,
                c.source,
            ],
            |r| {
                Ok(Match {
                    id: r.get(0)?,
                    duplicate_of: r.get(1)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let mut best: Option<(String, Millis)> = None;
    for m in matches {
        let root = m.duplicate_of.unwrap_or(m.id);
        if root == e.id {
            continue; // already this row's own duplicate
        }
        let at: Option<i64> = tx
            .prepare_cached("SELECT created_at FROM event_log WHERE id = ?1")?
            .query_row([&root], |r| r.get(0))
            .optional()?;
        let Some(at) = at.map(Millis) else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|(id, b)| (at, root.as_str()) < (*b, id.as_str()))
        {
            best = Some((root, at));
        }
    }
    Ok(best)
}

/// Every other row of the unlock whose original is `original`, with its state.
fn cluster_states(tx: &Transaction<'_>, original: &str) -> Result<Vec<(String, NotifyState)>> {
    let rows = tx
        .prepare_cached(
            "SELECT id, notify_state FROM event_log INDEXED BY event_log_duplicates \
             WHERE duplicate_of = ?1",
        )?
        .query_map([original], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn state_of(inserted: &[Inserted], id: &str) -> Option<NotifyState> {
    inserted.iter().find(|i| i.id == id).map(|i| i.state)
}

/// `pending → suppressed` for one row, in the database and in `inserted`.
fn suppress(tx: &Transaction<'_>, inserted: &mut [Inserted], id: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE event_log SET notify_state = 'suppressed' WHERE id = ?1 AND notify_state = 'pending'",
    )?
    .execute([id])?;
    if let Some(row) = inserted.iter_mut().find(|i| i.id == id) {
        row.state = NotifyState::Suppressed;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use doorpost_core::event::parse_record;
    use doorpost_core::policy::NotifyDecision;
    use serde_json::json;

    use super::super::{CommitOutcome, DayRule, PollLogEntry, PollOutcome, Store};
    use super::*;

    const MIN: i64 = Millis::MINUTE;

    /// Ann at the front door at device time `timestamp`, reaching Parakey at `created`.
    fn upload(id: &str, created: i64, timestamp: i64) -> EventLog {
        parse_record(&json!({
            "id": id, "createdAt": created, "timestamp": timestamp,
            "device": {"id": "d1", "name": "Front"},
            "user": {"id": "u1", "firstName": "Ann"},
        }))
        .unwrap()
    }

    /// One finished sync storing `events`; every pending row is announced.
    fn sync(store: &mut Store, events: &[EventLog], at: i64) -> CommitOutcome {
        let c = Commit {
            source: "acct",
            place_id: Some("home"),
            day: DayRule::default(),
            events,
            quarantined: &[],
            state_json: "{}",
            news_floor: None,
            log: Some(PollLogEntry {
                at: Millis(at),
                outcome: PollOutcome::Fetched,
                requests: 1,
                bytes: 1,
                error: None,
            }),
            earlier_new: 0,
            seen_at: Millis(at),
        };
        let out = store
            .commit(&c, |p| vec![NotifyDecision::Pending; p.len()])
            .unwrap();
        let ids: Vec<&str> = out.decided.iter().map(|d| d.id.as_str()).collect();
        store.mark_notified(&ids).unwrap();
        out
    }

    fn rows(store: &Store) -> Vec<(String, String, Option<String>)> {
        let mut stmt = store
            .conn
            .prepare("SELECT id, notify_state, duplicate_of FROM event_log ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn row(id: &str, state: &str, dup: Option<&str>) -> (String, String, Option<String>) {
        (id.into(), state.into(), dup.map(String::from))
    }

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::TempDir::new().unwrap();
        let store = Store::open(&dir.path().join("h.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_second_upload_is_kept_tagged_and_never_announced_whatever_the_order() {
        // In one page, in either order.
        for order in [["a", "b"], ["b", "a"]] {
            let (_dir, mut store) = open();
            let events: Vec<EventLog> = order
                .iter()
                .map(|id| match *id {
                    "a" => upload("a", 10 * MIN, 9 * MIN),
                    _ => upload("b", 12 * MIN, 9 * MIN),
                })
                .collect();
            let out = sync(&mut store, &events, 13 * MIN);
            assert_eq!(out.decided.len(), 1, "{order:?}: {:?}", out.decided);
            assert_eq!(
                rows(&store),
                [
                    row("a", "notified", None),
                    row("b", "suppressed", Some("a"))
                ],
                "{order:?}"
            );
        }
        // The second upload first, announced; the first read later takes the tag's place
        // and nothing is announced again.
        let (_dir, mut store) = open();
        sync(&mut store, &[upload("b", 12 * MIN, 9 * MIN)], 13 * MIN);
        let out = sync(&mut store, &[upload("a", 10 * MIN, 9 * MIN)], 20 * MIN);
        assert!(out.decided.is_empty(), "{:?}", out.decided);
        assert_eq!(
            rows(&store),
            [
                row("a", "suppressed", None),
                row("b", "notified", Some("a"))
            ]
        );
        // A third upload points at the first, too.
        let out = sync(&mut store, &[upload("c", 14 * MIN, 9 * MIN)], 21 * MIN);
        assert!(out.decided.is_empty());
        assert_eq!(rows(&store)[2], row("c", "suppressed", Some("a")));
    }

    #[test]
    fn other_unlocks_are_not_duplicates() {
        let (_dir, mut store) = open();
        let mut other_person = upload("p", 10 * MIN, 9 * MIN);
        other_person.user = None;
        let events = [
            upload("a", 10 * MIN, 9 * MIN),
            upload("m", 10 * MIN, 9 * MIN + 1),
            upload("w", 10 * MIN + WINDOW + 1, 9 * MIN),
            other_person,
        ];
        let out = sync(&mut store, &events, 30 * MIN);
        assert_eq!(out.decided.len(), 4);
        assert!(
            rows(&store)
                .iter()
                .all(|(_, s, d)| s == "notified" && d.is_none())
        );
    }

    #[test]
    fn the_original_of_a_second_upload_is_still_a_first_arrival() {
        // The second upload has the smaller id: it must not make the first a "repeat".
        let (_dir, mut store) = open();
        sync(
            &mut store,
            &[
                upload("z", 10 * MIN, 9 * MIN),
                upload("a", 11 * MIN, 9 * MIN),
            ],
            12 * MIN,
        );
        let repeat: bool = store
            .conn
            .query_row("SELECT repeat FROM event_log WHERE id = 'z'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!repeat);
    }
}
