//! A place's booking feeds (issue 16): one row each, without its link (the link lives in
//! the keychain only), with the last good calendar, the validators of a conditional
//! request, and what the last fetch found wrong.
//!
//! The last good calendar is kept across failures and restarts: a feed that answers a
//! login page, a 404 or nothing at all leaves the stays read from its last good answer
//! in place. What counts as good is the caller's decision ([`FetchRecord`]); the store
//! writes it in one statement.

use doorpost_core::ipc::{FeedEntries, FeedProblem};
use doorpost_core::time::Millis;
use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

/// One booking feed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub place_id: String,
    pub label: String,
    pub entries: FeedEntries,
    pub blocks_vacant: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The last good calendar.
    pub body: Option<String>,
    pub fetched_at: Option<Millis>,
    pub ok_at: Option<Millis>,
    pub problem: Option<FeedProblem>,
    pub http_status: Option<u16>,
    pub stays_found: u32,
    /// Answers in a row without stays while the kept calendar had some.
    pub empty_answers: u32,
    pub added_at: Millis,
}

/// A feed's first good calendar, as it is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedRow<'a> {
    pub place_id: &'a str,
    pub label: &'a str,
    pub entries: FeedEntries,
    pub blocks_vacant: bool,
    pub body: &'a str,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    pub stays_found: u32,
}

/// What one fetch leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchRecord<'a> {
    /// A calendar read: the new last good one.
    Good {
        body: &'a str,
        etag: Option<&'a str>,
        last_modified: Option<&'a str>,
        stays_found: u32,
    },
    /// 304 Not Modified: the kept calendar is still good.
    NotModified,
    /// A calendar without stays where the kept one had some: counted, not believed yet.
    EmptyNotBelieved,
    /// It failed: the kept calendar stays.
    Failed {
        problem: FeedProblem,
        http_status: Option<u16>,
    },
}

/// `FeedProblem` as stored: its IPC (camelCase) name.
fn problem_text(problem: FeedProblem) -> String {
    serde_json::to_value(problem)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn problem_of(text: Option<String>) -> Option<FeedProblem> {
    text.and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok())
}

fn entries_text(entries: FeedEntries) -> &'static str {
    match entries {
        FeedEntries::Bookings => "bookings",
        FeedEntries::Blocks => "blocks",
    }
}

const FEED_COLUMNS: &str = "place_id, label, entries, blocks_vacant, etag, last_modified, body, \
     fetched_at, ok_at, problem, http_status, stays_found, empty_answers, added_at";

fn feed_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FeedRow> {
    let entries: String = r.get(2)?;
    Ok(FeedRow {
        place_id: r.get(0)?,
        label: r.get(1)?,
        entries: if entries == "blocks" {
            FeedEntries::Blocks
        } else {
            FeedEntries::Bookings
        },
        blocks_vacant: r.get(3)?,
        etag: r.get(4)?,
        last_modified: r.get(5)?,
        body: r.get(6)?,
        fetched_at: r.get::<_, Option<i64>>(7)?.map(Millis),
        ok_at: r.get::<_, Option<i64>>(8)?.map(Millis),
        problem: problem_of(r.get(9)?),
        http_status: r
            .get::<_, Option<i64>>(10)?
            .and_then(|s| u16::try_from(s).ok()),
        stays_found: u32::try_from(r.get::<_, i64>(11)?).unwrap_or(0),
        empty_answers: u32::try_from(r.get::<_, i64>(12)?).unwrap_or(0),
        added_at: Millis(r.get(13)?),
    })
}

impl Store {
    /// Every feed, or one place's: by place, then in the order they were added.
    pub fn feeds(&self, place_id: Option<&str>) -> Result<Vec<FeedRow>> {
        let sql = format!(
            "SELECT {FEED_COLUMNS} FROM feeds WHERE ?1 IS NULL OR place_id = ?1 \
             ORDER BY place_id, added_at, label"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map([place_id], feed_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn feed(&self, place_id: &str, label: &str) -> Result<Option<FeedRow>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM feeds WHERE place_id = ?1 AND label = ?2");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([place_id, label], feed_row)
            .optional()?)
    }

    /// Adds a feed with its first good calendar; false when the place already has a feed
    /// of that label.
    pub fn add_feed(&mut self, new: &NewFeedRow<'_>, now: Millis) -> Result<bool> {
        self.set_durable(true)?;
        let added = self.conn.execute(
            "INSERT INTO feeds (place_id, label, entries, blocks_vacant, etag, last_modified, \
             body, fetched_at, ok_at, stays_found, added_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?8) \
             ON CONFLICT (place_id, label) DO NOTHING",
            params![
                new.place_id,
                new.label,
                entries_text(new.entries),
                new.blocks_vacant,
                new.etag,
                new.last_modified,
                new.body,
                now.0,
                i64::from(new.stays_found),
            ],
        )?;
        Ok(added > 0)
    }

    /// Removes a feed; false when there was none.
    pub fn remove_feed(&mut self, place_id: &str, label: &str) -> Result<bool> {
        self.set_durable(true)?;
        let removed = self.conn.execute(
            "DELETE FROM feeds WHERE place_id = ?1 AND label = ?2",
            [place_id, label],
        )?;
        Ok(removed > 0)
    }

    /// Writes one fetch's outcome (see [`FetchRecord`]).
    pub fn record_fetch(
        &mut self,
        place_id: &str,
        label: &str,
        record: &FetchRecord<'_>,
        now: Millis,
    ) -> Result<()> {
        self.set_durable(true)?;
        let key = params![place_id, label, now.0];
        match record {
            FetchRecord::Good {
                body,
                etag,
                last_modified,
                stays_found,
            } => self.conn.execute(
                "UPDATE feeds SET body = ?4, etag = ?5, last_modified = ?6, stays_found = ?7, \
                 fetched_at = ?3, ok_at = ?3, problem = NULL, http_status = NULL, \
                 empty_answers = 0 WHERE place_id = ?1 AND label = ?2",
                params![
                    place_id,
                    label,
                    now.0,
                    body,
                    etag,
                    last_modified,
                    i64::from(*stays_found)
                ],
            )?,
            FetchRecord::NotModified => self.conn.execute(
                "UPDATE feeds SET fetched_at = ?3, ok_at = ?3, problem = NULL, \
                 http_status = NULL, empty_answers = 0 WHERE place_id = ?1 AND label = ?2",
                key,
            )?,
            FetchRecord::EmptyNotBelieved => self.conn.execute(
                "UPDATE feeds SET fetched_at = ?3, ok_at = ?3, problem = NULL, \
                 http_status = NULL, empty_answers = empty_answers + 1 \
                 WHERE place_id = ?1 AND label = ?2",
                key,
            )?,
            FetchRecord::Failed {
                problem,
                http_status,
            } => self.conn.execute(
                "UPDATE feeds SET fetched_at = ?3, problem = ?4, http_status = ?5 \
                 WHERE place_id = ?1 AND label = ?2",
                params![
                    place_id,
                    label,
                    now.0,
                    problem_text(*problem),
                    http_status.map(i64::from)
                ],
            )?,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        (dir, store)
    }

    fn new_feed<'a>(label: &'a str, body: &'a str) -> NewFeedRow<'a> {
        NewFeedRow {
            place_id: "p1",
            label,
            entries: FeedEntries::Blocks,
            blocks_vacant: true,
            body,
            etag: Some("\"e1\""),
            last_modified: None,
            stays_found: 2,
        }
    }

    #[test]
    fn a_feed_is_added_once_per_label_and_removed() {
        let (_d, mut s) = store();
        assert!(
            s.add_feed(&new_feed("Airbnb", "CAL"), Millis(1_000))
                .unwrap()
        );
        assert!(
            !s.add_feed(&new_feed("Airbnb", "OTHER"), Millis(2_000))
                .unwrap()
        );
        let row = s.feed("p1", "Airbnb").unwrap().unwrap();
        assert_eq!(row.body.as_deref(), Some("CAL"));
        assert_eq!(row.entries, FeedEntries::Blocks);
        assert!(row.blocks_vacant);
        assert_eq!(
            (row.ok_at, row.fetched_at),
            (Some(Millis(1_000)), Some(Millis(1_000)))
        );
        assert_eq!(s.feeds(Some("p2")).unwrap(), vec![]);
        assert_eq!(s.feeds(None).unwrap().len(), 1);
        assert!(s.remove_feed("p1", "Airbnb").unwrap());
        assert!(!s.remove_feed("p1", "Airbnb").unwrap());
    }

    #[test]
    fn a_failure_keeps_the_last_good_calendar_and_a_good_fetch_clears_it() {
        let (_d, mut s) = store();
        s.add_feed(&new_feed("VRBO", "CAL"), Millis(1_000)).unwrap();
        let failed = FetchRecord::Failed {
            problem: FeedProblem::Status,
            http_status: Some(502),
        };
        s.record_fetch("p1", "VRBO", &failed, Millis(2_000))
            .unwrap();
        let row = s.feed("p1", "VRBO").unwrap().unwrap();
        assert_eq!(row.body.as_deref(), Some("CAL"));
        assert_eq!(row.problem, Some(FeedProblem::Status));
        assert_eq!(row.http_status, Some(502));
        assert_eq!(
            (row.ok_at, row.fetched_at),
            (Some(Millis(1_000)), Some(Millis(2_000)))
        );
        s.record_fetch("p1", "VRBO", &FetchRecord::EmptyNotBelieved, Millis(3_000))
            .unwrap();
        let row = s.feed("p1", "VRBO").unwrap().unwrap();
        assert_eq!((row.empty_answers, row.problem), (1, None));
        assert_eq!(row.body.as_deref(), Some("CAL"));
        let good = FetchRecord::Good {
            body: "NEW",
            etag: None,
            last_modified: Some("Mon, 07 Dec 2026 06:15:02 GMT"),
            stays_found: 0,
        };
        s.record_fetch("p1", "VRBO", &good, Millis(4_000)).unwrap();
        let row = s.feed("p1", "VRBO").unwrap().unwrap();
        assert_eq!(row.body.as_deref(), Some("NEW"));
        assert_eq!((row.etag, row.empty_answers), (None, 0));
        assert_eq!(row.ok_at, Some(Millis(4_000)));
    }
}
