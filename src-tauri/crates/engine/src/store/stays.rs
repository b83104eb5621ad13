//! The stays a place's feeds list, merged into one row each (issue 16).
//!
//! [`Store::merge_stays`] takes a place's feeds already merged
//! ([`doorpost_stays::merge_feeds`]) and brings the `stays` table in line, keeping what
//! the table knows and the feeds do not:
//! - a stay is found again by its UID, else by the same dates (an entry whose UID changed,
//!   or another feed's copy listed first now); its dates, kind and details follow the feeds
//!   (an extended stay keeps its id, its arrival and its marks);
//! - a stay the feeds no longer list is kept with `dropped_at` (Airbnb lists no past stays;
//!   a cancelled one shows as cancelled), and a stay listed again loses it;
//! - when a feed is removed, stays it alone listed that have not begun go, as if never
//!   listed (nobody cancelled them);
//! - what the matching decided (arrival, no-show) is never touched here.
//!
//! Retention forgets a stay `retention_days` after its check-out, like guests' names.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use doorpost_core::time::Millis;
use doorpost_stays::{EntryKind, Stay, StayTime};
use rusqlite::{
    OptionalExtension, ToSql, Transaction, TransactionBehavior, params, params_from_iter,
};

use super::{Result, Store};

/// A stay as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayRow {
    pub id: i64,
    pub place_id: String,
    pub uid: String,
    pub time: StayTime,
    pub blocked: bool,
    pub blocks_vacant: bool,
    pub summary: String,
    pub guest_name: Option<String>,
    pub reservation_code: Option<String>,
    pub phone_last4: Option<String>,
    pub sources: Vec<String>,
    pub first_seen_at: Millis,
    pub dropped_at: Option<Millis>,
    pub arrived_at: Option<Millis>,
    pub arrived_late: bool,
    pub no_show_at: Option<Millis>,
}

/// What a merge changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    pub added: usize,
    pub changed: usize,
    pub dropped: usize,
}

impl Merged {
    pub fn any(&self) -> bool {
        self.added + self.changed + self.dropped > 0
    }
}

/// How a merge treats the stays its feeds no longer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlisted {
    /// Kept, marked dropped (a fetch without them).
    Dropped,
    /// A feed was removed: those not begun by `today` (the place's date) go.
    FeedRemoved { today: NaiveDate },
}

const STAY_COLUMNS: &str = "id, place_id, uid, start_date, end_date, start_at, end_at, kind, \
     blocks_vacant, summary, guest_name, reservation_code, phone_last4, sources, first_seen_at, \
     dropped_at, arrived_at, arrived_late, no_show_at";

fn date(text: Option<String>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.as_deref()?, "%Y-%m-%d").ok()
}

fn stay_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StayRow> {
    let dates = (date(r.get(3)?), date(r.get(4)?));
    let times = (r.get::<_, Option<i64>>(5)?, r.get::<_, Option<i64>>(6)?);
    let time = match (dates, times) {
        (_, (Some(start), Some(end))) => StayTime::Times {
            start: instant(start),
            end: instant(end),
        },
        ((Some(check_in), Some(check_out)), _) => StayTime::Dates {
            check_in,
            check_out,
        },
        _ => StayTime::Times {
            start: instant(0),
            end: instant(0),
        },
    };
    let sources: String = r.get(13)?;
    Ok(StayRow {
        id: r.get(0)?,
        place_id: r.get(1)?,
        uid: r.get(2)?,
        time,
        blocked: r.get::<_, String>(7)? == "block",
        blocks_vacant: r.get(8)?,
        summary: r.get(9)?,
        guest_name: r.get(10)?,
        reservation_code: r.get(11)?,
        phone_last4: r.get(12)?,
        sources: serde_json::from_str(&sources).unwrap_or_default(),
        first_seen_at: Millis(r.get(14)?),
        dropped_at: r.get::<_, Option<i64>>(15)?.map(Millis),
        arrived_at: r.get::<_, Option<i64>>(16)?.map(Millis),
        arrived_late: r.get(17)?,
        no_show_at: r.get::<_, Option<i64>>(18)?.map(Millis),
    })
}

fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A stay's time as the table's columns: dates, or instants in ms.
type TimeColumns = (Option<String>, Option<String>, Option<i64>, Option<i64>);

fn time_columns(time: &StayTime) -> TimeColumns {
    match *time {
        StayTime::Dates {
            check_in,
            check_out,
        } => (
            Some(check_in.format("%Y-%m-%d").to_string()),
            Some(check_out.format("%Y-%m-%d").to_string()),
            None,
            None,
        ),
        StayTime::Times { start, end } => (
            None,
            None,
            Some(start.timestamp_millis()),
            Some(end.timestamp_millis()),
        ),
    }
}

impl Store {
    /// Brings a place's stays in line with its feeds' merged stays (see the module docs).
    pub fn merge_stays(
        &mut self,
        place_id: &str,
        stays: &[Stay],
        unlisted: Unlisted,
        now: Millis,
    ) -> Result<Merged> {
        self.set_durable(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut merged = Merged::default();
        let mut seen = BTreeSet::new();
        for stay in stays {
            seen.insert(upsert(&tx, place_id, stay, now, &mut merged)?);
        }
        let listed: Vec<(i64, Option<String>, Option<i64>, bool)> = tx
            .prepare_cached(
                "SELECT id, start_date, start_at, arrived_at IS NOT NULL FROM stays \
                 WHERE place_id = ?1 AND dropped_at IS NULL",
            )?
            .query_map([place_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (id, start_date, start_at, arrived) in listed {
            if seen.contains(&id) {
                continue;
            }
            let not_begun = match (date(start_date), start_at) {
                (Some(d), _) => matches!(unlisted, Unlisted::FeedRemoved { today } if d > today),
                (None, Some(at)) => matches!(unlisted, Unlisted::FeedRemoved { .. }) && at > now.0,
                _ => false,
            };
            if not_begun && !arrived {
                tx.execute("DELETE FROM stays WHERE id = ?1", [id])?;
            } else {
                tx.execute(
                    "UPDATE stays SET dropped_at = ?2 WHERE id = ?1",
                    [id, now.0],
                )?;
            }
            merged.dropped += 1;
        }
        tx.commit()?;
        Ok(merged)
    }

    /// A place's stays (or every place's) not ended before `from`: by check-out date for
    /// all-day stays (a day early, so a caller applying the place's times misses none),
    /// by the instant for timed ones; in order of arrival.
    pub fn stays_since(&self, place_id: Option<&str>, from: Millis) -> Result<Vec<StayRow>> {
        let day_before = instant(from.minus(Millis::DAY).0)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let sql = format!(
            "SELECT {STAY_COLUMNS} FROM stays WHERE (?1 IS NULL OR place_id = ?1) \
             AND (end_date >= ?2 OR end_at >= ?3) \
             ORDER BY COALESCE(start_date, strftime('%Y-%m-%d', start_at / 1000, 'unixepoch')), \
             start_at, id"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![place_id, day_before, from.0], stay_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Forgets the stays whose check-out is before `cutoff` (by date for all-day ones).
    pub(super) fn forget_stays_in(tx: &Transaction<'_>, cutoff: Millis) -> Result<usize> {
        let day = instant(cutoff.0)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        Ok(tx
            .prepare_cached(
                "DELETE FROM stays WHERE (end_at IS NOT NULL AND end_at < ?1) \
                 OR (end_date IS NOT NULL AND end_date < ?2)",
            )?
            .execute(params![cutoff.0, day])?)
    }

    /// A removed place's feeds, and with its history its stays and their marks.
    pub(super) fn remove_place_stays(
        tx: &Transaction<'_>,
        place_id: &str,
        delete_history: bool,
    ) -> Result<()> {
        tx.execute("DELETE FROM feeds WHERE place_id = ?1", [place_id])?;
        if delete_history {
            tx.execute(
                "DELETE FROM unlock_marks WHERE stay_id IN \
                 (SELECT id FROM stays WHERE place_id = ?1)",
                [place_id],
            )?;
            tx.execute("DELETE FROM stays WHERE place_id = ?1", [place_id])?;
        }
        Ok(())
    }
}

/// Writes one listed stay; returns its id.
fn upsert(
    tx: &Transaction<'_>,
    place_id: &str,
    stay: &Stay,
    now: Millis,
    merged: &mut Merged,
) -> Result<i64> {
    let (start_date, end_date, start_at, end_at) = time_columns(&stay.time);
    let kind = match stay.kind {
        EntryKind::Booking => "booking",
        EntryKind::Block => "block",
    };
    let sources = serde_json::to_string(&stay.sources)?;
    let found: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM stays WHERE place_id = ?1 AND (uid = ?2 \
             OR (start_date = ?3 AND end_date = ?4) OR (start_at = ?5 AND end_at = ?6)) \
             ORDER BY uid = ?2 DESC, dropped_at IS NULL DESC LIMIT 1",
        )?
        .query_row(
            params![place_id, stay.uid, start_date, end_date, start_at, end_at],
            |r| r.get(0),
        )
        .optional()?;
    let values: [&dyn ToSql; 14] = [
        &place_id,
        &stay.uid,
        &start_date,
        &end_date,
        &start_at,
        &end_at,
        &kind,
        &stay.blocks_vacant,
        &stay.summary,
        &stay.guest_name,
        &stay.reservation_code,
        &stay.phone_last4,
        &sources,
        &now.0,
    ];
    let Some(id) = found else {
        tx.prepare_cached(
            "INSERT INTO stays (place_id, uid, start_date, end_date, start_at, end_at, kind, \
             blocks_vacant, summary, guest_name, reservation_code, phone_last4, sources, \
             first_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(&values[..])?;
        merged.added += 1;
        return Ok(tx.last_insert_rowid());
    };
    // `uid` stays the first one seen: it names the stay for the matching. (?2 and ?14,
    // unused here, keep one parameter list.)
    let changed = tx
        .prepare_cached(
            "UPDATE stays SET start_date = ?3, end_date = ?4, start_at = ?5, end_at = ?6, \
             kind = ?7, blocks_vacant = ?8, summary = ?9, guest_name = ?10, \
             reservation_code = ?11, phone_last4 = ?12, sources = ?13, dropped_at = NULL \
             WHERE id = ?15 AND place_id = ?1 AND ( \
             start_date IS NOT ?3 OR end_date IS NOT ?4 OR start_at IS NOT ?5 \
             OR end_at IS NOT ?6 OR kind IS NOT ?7 OR blocks_vacant IS NOT ?8 \
             OR summary IS NOT ?9 OR guest_name IS NOT ?10 OR reservation_code IS NOT ?11 \
             OR phone_last4 IS NOT ?12 OR sources IS NOT ?13 OR dropped_at IS NOT NULL)",
        )?
        .execute(params_from_iter(
            values.iter().copied().chain([&id as &dyn ToSql]),
        ))?;
    merged.changed += changed;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        (dir, store)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stay(uid: &str, from: &str, to: &str, label: &str) -> Stay {
        Stay {
            uid: uid.into(),
            time: StayTime::Dates {
                check_in: d(from),
                check_out: d(to),
            },
            kind: EntryKind::Booking,
            blocks_vacant: false,
            summary: "Reserved".into(),
            guest_name: None,
            reservation_code: Some("HMXK4T9Q2B".into()),
            phone_last4: None,
            sources: BTreeSet::from([label.to_owned()]),
        }
    }

    const NOW: Millis = Millis(1_800_000_000_000);

    #[test]
    fn a_stay_is_stored_once_and_follows_its_feeds() {
        let (_d, mut s) = store();
        let a = stay("a@airbnb", "2026-12-12", "2026-12-15", "Airbnb");
        let m = s
            .merge_stays("p1", std::slice::from_ref(&a), Unlisted::Dropped, NOW)
            .unwrap();
        assert_eq!(
            m,
            Merged {
                added: 1,
                ..Merged::default()
            }
        );
        let again = s
            .merge_stays("p1", std::slice::from_ref(&a), Unlisted::Dropped, NOW)
            .unwrap();
        assert!(!again.any(), "the same stays change nothing");
        let id = s.stays_since(None, Millis(0)).unwrap()[0].id;
        // Extended: the same UID, a later check-out, the same row.
        let longer = stay("a@airbnb", "2026-12-12", "2026-12-17", "Airbnb");
        let m = s
            .merge_stays("p1", &[longer], Unlisted::Dropped, NOW)
            .unwrap();
        assert_eq!(m.changed, 1);
        let rows = s.stays_since(Some("p1"), Millis(0)).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, id);
        assert!(
            matches!(rows[0].time, StayTime::Dates { check_out, .. } if check_out == d("2026-12-17"))
        );
        // Another feed's copy of the same dates, listed first now: still the same row.
        let mut both = stay("x@pms", "2026-12-12", "2026-12-17", "PMS");
        both.sources.insert("Airbnb".into());
        s.merge_stays("p1", &[both], Unlisted::Dropped, NOW)
            .unwrap();
        let rows = s.stays_since(Some("p1"), Millis(0)).unwrap();
        assert_eq!((rows.len(), rows[0].id), (1, id));
        assert_eq!(rows[0].uid, "a@airbnb");
        assert_eq!(
            rows[0].sources,
            vec!["Airbnb".to_string(), "PMS".to_string()]
        );
    }

    #[test]
    fn a_stay_no_longer_listed_is_kept_dropped_and_comes_back() {
        let (_d, mut s) = store();
        let a = stay("a", "2026-12-12", "2026-12-15", "Airbnb");
        s.merge_stays("p1", std::slice::from_ref(&a), Unlisted::Dropped, NOW)
            .unwrap();
        let m = s
            .merge_stays("p1", &[], Unlisted::Dropped, NOW.plus(1))
            .unwrap();
        assert_eq!(m.dropped, 1);
        let rows = s.stays_since(None, Millis(0)).unwrap();
        assert_eq!(rows[0].dropped_at, Some(NOW.plus(1)));
        s.merge_stays("p1", &[a], Unlisted::Dropped, NOW.plus(2))
            .unwrap();
        assert_eq!(s.stays_since(None, Millis(0)).unwrap()[0].dropped_at, None);
    }

    #[test]
    fn removing_a_feed_forgets_only_its_stays_not_begun() {
        let (_d, mut s) = store();
        let past = stay("past", "2026-12-01", "2026-12-03", "Airbnb");
        let future = stay("future", "2026-12-20", "2026-12-22", "Airbnb");
        s.merge_stays("p1", &[past, future], Unlisted::Dropped, NOW)
            .unwrap();
        let today = d("2026-12-10");
        s.merge_stays("p1", &[], Unlisted::FeedRemoved { today }, NOW)
            .unwrap();
        let rows = s.stays_since(None, Millis(0)).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].uid, "past");
        assert!(rows[0].dropped_at.is_some());
    }

    #[test]
    fn stays_are_listed_from_a_moment_and_forgotten_after_retention() {
        let (_d, mut s) = store();
        let old = stay("old", "2026-01-01", "2026-01-03", "Airbnb");
        let new = stay("new", "2026-12-20", "2026-12-22", "Airbnb");
        s.merge_stays("p1", &[old, new], Unlisted::Dropped, NOW)
            .unwrap();
        let from = Millis::parse_rfc3339("2026-06-01T00:00:00Z").unwrap();
        let listed = s.stays_since(None, from).unwrap();
        assert_eq!(
            listed.iter().map(|r| r.uid.as_str()).collect::<Vec<_>>(),
            ["new"]
        );
        let tx = s.conn.transaction().unwrap();
        assert_eq!(Store::forget_stays_in(&tx, from).unwrap(), 1);
        tx.commit().unwrap();
        assert_eq!(s.stays_since(None, Millis(0)).unwrap().len(), 1);
    }
}
