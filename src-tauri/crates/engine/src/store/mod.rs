//! The SQLite store: the event history, the poller's durable state, the poll log, the
//! quarantine and the settings, in one database file.
//!
//! It owns the schema (numbered SQL files in `migrations/`, applied in order under
//! `PRAGMA user_version`, one transaction each; a released file is never edited) and every
//! SQL statement the app runs. It knows nothing of HTTP, Tauri or the notification policy:
//! [`Store::commit`] asks its caller, through a closure, what to do with the rows whose
//! notification is still owed.
//!
//! Invariants:
//! - **One page, one transaction.** [`Store::commit`] writes a page's new rows, the changed
//!   rows, the quarantine and the poller's state (with its resume point) together or not at
//!   all; a sync's last commit adds the poll log row and the notification decision. A saved
//!   ETag or watermark never runs ahead of the rows it covers (G1), and a sync that fails
//!   part-way keeps the pages it stored (G7).
//! - **History is never news** (G9): a new row that arrived before the commit's news floor
//!   is stored `suppressed`; every other new row is `pending` until its sync's last commit
//!   decides it, together with any row a crash left pending.
//! - **An id is stored once** (G2). A record seen again with different JSON (a PII scrub, a
//!   renamed door) updates its descriptive columns, never its `notify_state` or
//!   `first_seen_at`.
//! - **`notify_state` only moves forward** (G3): set once on insert, then `pending →
//!   notified` through [`Store::mark_notified`], which the driver calls *before* it shows
//!   the toast: a crash between the two loses that toast and never repeats it (the
//!   documented crash window). A crash before `mark_notified` leaves the row pending, and
//!   [`Store::pending_events`] hands it back to be decided again.
//! - **The dimensions match the rows.** The `names` (distinct door and user names) and
//!   `doors` tables are updated in the same transaction as the rows they summarise; the
//!   history planner relies on their counts.
//! - Every connection uses WAL and a 5 s busy timeout (G5). Writes are `synchronous=FULL`
//!   (a rolled-back "notified" flag would re-notify), except the pages of a sync before its
//!   last: those commit without waiting for the disk (`NORMAL`), which a crash of the
//!   process cannot undo and a power cut can only undo whole pages, resume point included,
//!   so they are fetched again. A thousand-page first load then costs one fsync, not a
//!   thousand.
//!
//! Where the parts live: this file holds the shared types, the [`Store`] itself and the
//! reading of stored rows; `open.rs` opens the file (connection settings, durability,
//! migrations, integrity); `write.rs` is the write path ([`Store::commit`],
//! [`Store::mark_notified`], the poll log, the `names` and `doors` dimensions);
//! `settings.rs` loads and saves the settings; `decide.rs` makes the notification
//! decision inside a commit, `duplicates.rs` marks a second upload of one unlock,
//! `history.rs` and `coverage.rs` answer the window's questions, `places.rs` keeps places
//! and mutes, `forget.rs` retention and the quarantine's bounds, `feeds.rs` the booking
//! feeds and `stays.rs` the stays read from them.

mod budget;
#[cfg(test)]
mod chart_tests;
mod coverage;
mod decide;
mod duplicates;
mod feeds;
mod forget;
mod history;
mod matching;
mod open;
mod place_settings;
mod places;
mod settings;
mod staff;
mod stays;
#[cfg(test)]
mod tests;
mod write;

use std::path::PathBuf;

use doorpost_core::event::{EventLog, Named, Person, Quarantined, parse_record};
use doorpost_core::time::Millis;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, ErrorCode, OptionalExtension};

pub use coverage::{Gap, PollLogRow, PollStats};
pub use decide::{DayRule, Decided, Scope};
pub use feeds::{FeedRow, FetchRecord, NewFeedRow};
pub use forget::{Forgotten, MAX_QUARANTINE_ROWS, MAX_QUARANTINE_TEXT, retention_cutoff};
pub use history::{Cursor, DoorSeen, HistoryPage, HistoryQuery, HistoryRow, MAX_PAGE};
pub use matching::{Marks, StoredMark, StoredStay, UnlockMark, mark_name};
pub use places::{MuteRow, PlaceRow};
pub use staff::{MAX_STAFF_CHARS, normal_staff};
pub use stays::{Merged, StayRow, Unlisted};

/// What can go wrong with the history database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "could not open the history database at {path}: {source}. Check that its folder \
         exists and is writable, and that the file is a Doorpost database"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the history database at {path} has schema version {found}, but this Doorpost only \
         knows versions up to {known}: a newer Doorpost wrote it. Update Doorpost, or move \
         the file aside to start a new history"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error(
        "could not upgrade the history database to schema version {version}: {source}. The \
         database was left at the previous version; please report this"
    )]
    Migration {
        version: u32,
        source: rusqlite::Error,
    },
    #[error(
        "the history database stayed locked by another process for 5 s ({0}); is a second \
         Doorpost running? Close it and try again"
    )]
    Busy(rusqlite::Error),
    #[error(
        "the history database failed: {0}. Retry; if it keeps failing, check the free disk \
         space and the file's permissions"
    )]
    Sqlite(rusqlite::Error),
    #[error(
        "the notification decision gave {got} states for {expected} new events, so nothing \
         was stored; this is a bug in the caller"
    )]
    DecisionCount { expected: usize, got: usize },
    #[error("could not encode the settings as JSON: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(
        "could not make the history database at {path} private (folder 0700, files 0600): \
         {source}. Check that you own the file and its folder"
    )]
    Private {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(e),
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether an event has been, or will be, shown as a notification (G3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyState {
    /// Decided to notify; the toast is not confirmed shown yet.
    Pending,
    Notified,
    /// Stored only: not a watched door, too late, first sync, quiet hours, ...
    Suppressed,
}

impl NotifyState {
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyState::Pending => "pending",
            NotifyState::Notified => "notified",
            NotifyState::Suppressed => "suppressed",
        }
    }

    pub fn parse(s: &str) -> Option<NotifyState> {
        match s {
            "pending" => Some(NotifyState::Pending),
            "notified" => Some(NotifyState::Notified),
            "suppressed" => Some(NotifyState::Suppressed),
            _ => None,
        }
    }
}

impl FromSql for NotifyState {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        NotifyState::parse(s).ok_or_else(|| unknown("notify_state", s))
    }
}

/// How one poll ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PollOutcome {
    /// The probe answered 304: nothing new.
    NotModified,
    /// Event logs were fetched (possibly none new).
    Fetched,
    /// The poll failed; `PollLogEntry::error` says why.
    Failed,
}

impl PollOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PollOutcome::NotModified => "not_modified",
            PollOutcome::Fetched => "fetched",
            PollOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<PollOutcome> {
        match s {
            "not_modified" => Some(PollOutcome::NotModified),
            "fetched" => Some(PollOutcome::Fetched),
            "failed" => Some(PollOutcome::Failed),
            _ => None,
        }
    }
}

impl FromSql for PollOutcome {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        PollOutcome::parse(s).ok_or_else(|| unknown("outcome", s))
    }
}

/// A stored value outside its column's `CHECK`: someone edited the file.
fn unknown(column: &str, value: &str) -> FromSqlError {
    FromSqlError::Other(
        format!(
            "`{column}` holds {value:?}, which this Doorpost cannot read; \
             the file may have been edited by hand"
        )
        .into(),
    )
}

/// One poll as the poll log records it. The number of new events is filled in by
/// [`Store::commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollLogEntry {
    /// Wall-clock time of the poll.
    pub at: Millis,
    pub outcome: PollOutcome,
    /// HTTP requests made, the probe included.
    pub requests: u32,
    /// Response body bytes received.
    pub bytes: u64,
    pub error: Option<String>,
}

/// Everything one page of a sync stores, in one transaction.
#[derive(Debug, Clone)]
pub struct Commit<'a> {
    /// The account polled (a fingerprint chosen by the caller, never the token).
    pub source: &'a str,
    /// The place the rows belong to (every engine has one; `None` in old tools' tests).
    pub place_id: Option<&'a str>,
    /// When a day begins, for "arrivals".
    pub day: DayRule,
    pub events: &'a [EventLog],
    pub quarantined: &'a [Quarantined],
    /// The poller's state after this page, serialised by the caller.
    pub state_json: &'a str,
    /// New rows whose `createdAt` precedes this are history: stored `suppressed`.
    pub news_floor: Option<Millis>,
    /// `Some` on a sync's last commit: its poll log row (counting this commit's new rows
    /// plus `earlier_new`); the notification decision is made then.
    pub log: Option<PollLogEntry>,
    /// Rows the same sync inserted in its earlier commits, for the poll log.
    pub earlier_new: usize,
    /// Wall-clock time of the commit: `first_seen_at` of new rows.
    pub seen_at: Millis,
}

/// An event that [`Store::commit`] inserted, and the state the decision gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub id: String,
    pub state: NotifyState,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitOutcome {
    /// The events that were new, in input order, with the state they were stored with.
    pub inserted: Vec<Inserted>,
    /// On a sync's last commit: the rows that were pending and what the decision made of
    /// them.
    pub decided: Vec<Decided>,
    /// Events already stored whose JSON changed (scrubs, renames).
    pub updated: usize,
    /// Quarantined records not seen before.
    pub quarantined_new: usize,
}

impl CommitOutcome {
    /// The oldest `createdAt` among the rows that were new (the poller's
    /// [`doorpost_core::poller::Written::oldest_new`]).
    pub fn oldest_new(&self) -> Option<Millis> {
        self.inserted.iter().map(|i| i.created_at).min()
    }
}

/// A quarantined record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    pub source: String,
    /// The record's id, when it had a readable one.
    pub record_id: Option<String>,
    pub reason: String,
    pub raw: String,
    pub first_seen_at: Millis,
    pub last_seen_at: Millis,
    /// How many commits carried it.
    pub times_seen: u64,
}

/// The history database. One per process; open it once and keep it.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// `PRAGMA synchronous` is `FULL` (else `NORMAL`); changed only between transactions.
    durable: bool,
}

// The driver moves the store onto a blocking thread.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Store>();
};

impl Store {
    /// The poller state last committed for `source`.
    pub fn load_state(&self, source: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT state_json FROM poll_state WHERE source = ?1")?
            .query_row([source], |r| r.get(0))
            .optional()?)
    }

    /// The events of `source` whose notification is still owed, oldest arrival first.
    pub fn pending_events(&self, source: &str) -> Result<Vec<EventLog>> {
        pending_in(&self.conn, source)
    }

    /// The most recently seen quarantined records, newest first.
    pub fn quarantined(&self, limit: u32) -> Result<Vec<QuarantinedRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, record_id, reason, raw, first_seen_at, last_seen_at, times_seen \
             FROM quarantine ORDER BY last_seen_at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(QuarantinedRow {
                source: r.get(0)?,
                record_id: r.get(1)?,
                reason: r.get(2)?,
                raw: r.get(3)?,
                first_seen_at: Millis(r.get(4)?),
                last_seen_at: Millis(r.get(5)?),
                times_seen: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn quarantine_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM quarantine")?
            .query_row([], |r| r.get(0))?)
    }
}

/// The columns [`event_in_row`] reads, in its order.
pub(super) const EVENT_COLUMNS: &str = "id, created_at, timestamp, door_id, door_name, \
     user_id, user_name, domain_id, domain_name, kind, raw";

/// An event from the first columns of a row selected with [`EVENT_COLUMNS`].
pub(super) fn event_in_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventLog> {
    Ok(event_from_row(EventRow {
        id: r.get(0)?,
        created_at: Millis(r.get(1)?),
        timestamp: r.get::<_, Option<i64>>(2)?.map(Millis),
        door_id: r.get(3)?,
        door_name: r.get(4)?,
        user_id: r.get(5)?,
        user_name: r.get(6)?,
        domain_id: r.get(7)?,
        domain_name: r.get(8)?,
        kind: r.get(9)?,
        raw: r.get(10)?,
    }))
}

/// The events of `source` whose notification is still owed, oldest arrival first.
fn pending_in(conn: &Connection, source: &str) -> Result<Vec<EventLog>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM event_log INDEXED BY event_log_pending \
         WHERE source = ?1 AND notify_state = 'pending' ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([source], event_in_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A stored row with every column an [`EventLog`] needs.
struct EventRow {
    id: String,
    created_at: Millis,
    timestamp: Option<Millis>,
    door_id: Option<String>,
    door_name: Option<String>,
    user_id: Option<String>,
    user_name: Option<String>,
    domain_id: Option<String>,
    domain_name: Option<String>,
    kind: Option<String>,
    raw: String,
}

/// Rebuilds an event: from its raw JSON (the fullest form, `access` included) when that
/// still reads, else from the columns, so that a damaged raw text never hides an owed
/// notification.
fn event_from_row(row: EventRow) -> EventLog {
    let reparsed = serde_json::from_str(&row.raw)
        .ok()
        .and_then(|v| parse_record(&v).ok())
        .filter(|e| e.id == row.id);
    if let Some(e) = reparsed {
        return EventLog { raw: row.raw, ..e };
    }
    let named = |id: Option<String>, name: Option<String>| {
        (id.is_some() || name.is_some()).then_some(Named { id, name })
    };
    EventLog {
        door: named(row.door_id, row.door_name),
        user: (row.user_id.is_some() || row.user_name.is_some()).then_some(Person {
            id: row.user_id,
            name: row.user_name,
        }),
        domain: named(row.domain_id, row.domain_name),
        access: None,
        id: row.id,
        created_at: row.created_at,
        timestamp: row.timestamp,
        kind: row.kind,
        raw: row.raw,
    }
}
