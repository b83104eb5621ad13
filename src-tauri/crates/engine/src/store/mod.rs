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

mod coverage;
mod decide;
mod duplicates;
mod forget;
mod history;
mod places;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use doorpost_core::event::{EventLog, Named, Person, Quarantined, parse_record};
use doorpost_core::policy::{Candidate, NotifyDecision, person_key};
use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params,
};
use sha2::{Digest, Sha256};

pub use coverage::{Gap, PollLogRow, PollStats};
pub use decide::{DayRule, Decided, Scope};
pub use forget::{MAX_QUARANTINE_ROWS, MAX_QUARANTINE_TEXT, retention_cutoff};
pub use history::{Cursor, DoorSeen, HistoryPage, HistoryQuery, HistoryRow, MAX_PAGE};
pub use places::{ALL_DOORS, MuteRow, PlaceRow};

/// The schema, one migration per version: `MIGRATIONS[i]` brings a database from
/// `user_version = i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_places.sql"),
    include_str!("migrations/003_install.sql"),
    include_str!("migrations/004_duplicate_uploads.sql"),
];

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5_000);

/// Bytes per database page for new files. Rows hold the raw JSON (about half a KiB), so
/// pages twice SQLite's default split less often: a bulk commit runs about 7 % faster.
const PAGE_SIZE: i64 = 8192;

/// Page cache per connection, in KiB (SQLite reads a negative `cache_size` as KiB). It only
/// grows as pages are read; at a million rows it holds the id index and the hot ends of
/// the others, which keeps a bulk commit from re-reading pages through the OS.
const CACHE_KIB: i64 = 64 * 1024;

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
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// Refuses a database written by a newer Doorpost rather than guess at its schema.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        // Guests' names: created private, and an older install's files made private.
        crate::private_files::private_database(path).map_err(|source| StoreError::Private {
            path: path.to_owned(),
            source,
        })?;
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Only takes effect on a new, empty file: it must precede the first table.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(open_err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // A file system without shared memory (some network mounts) refuses WAL;
            // rollback journaling is slower but just as safe.
            tracing::warn!(path = %path.display(), %mode, "SQLite refused WAL mode");
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_err)?;
        // Forgotten names are overwritten on disk, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)
            .map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
            durable: true,
        })
    }

    /// Waits for the disk on every commit (`FULL`) or not (`NORMAL`, see the module docs).
    /// While not, the WAL is not checkpointed either (each checkpoint syncs the WAL and the
    /// database file): a long sync's pages are checkpointed once, after its last commit.
    fn set_durable(&mut self, durable: bool) -> Result<()> {
        if self.durable != durable {
            let (mode, checkpoint_every) = if durable {
                ("FULL", 1000)
            } else {
                ("NORMAL", 0)
            };
            self.conn.pragma_update(None, "synchronous", mode)?;
            self.conn
                .pragma_update(None, "wal_autocheckpoint", checkpoint_every)?;
            self.durable = durable;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this code writes.
    pub fn schema_version() -> u32 {
        MIGRATIONS.len() as u32
    }

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
        self.set_durable(c.log.is_some())?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut dims = Dimensions::default();
        let (mut inserted, updated) = write_rows(&tx, c, &mut dims)?;
        duplicates::mark_duplicates(&tx, c, &mut inserted)?;
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
                decide::decide_pending(&tx, scope, c.day, c.seen_at, decide)?
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

    /// The poller state last committed for `source`.
    pub fn load_state(&self, source: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT state_json FROM poll_state WHERE source = ?1")?
            .query_row([source], |r| r.get(0))
            .optional()?)
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

    /// `PRAGMA integrity_check`: true when SQLite finds nothing wrong. Problems are logged.
    pub fn integrity_check(&self) -> Result<bool> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let findings = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let ok = findings.len() == 1 && findings[0] == "ok";
        if !ok {
            tracing::warn!(?findings, path = %self.path.display(), "integrity check failed");
        }
        Ok(ok)
    }
}

fn user_version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies the missing migrations, each in its own transaction. The version is read again
/// inside each transaction, so two processes opening the same file at once cannot both
/// apply a step.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let known = Store::schema_version();
    let newer = |found| StoreError::NewerSchema {
        path: path.to_owned(),
        found,
        known,
    };
    let found = user_version(conn)?;
    if found > known {
        return Err(newer(found));
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = user_version(&tx)?;
        if now > known {
            return Err(newer(now));
        }
        if now >= version {
            continue;
        }
        tx.execute_batch(sql)
            .and_then(|()| tx.pragma_update(None, "user_version", version))
            .and_then(|()| tx.commit())
            .map_err(|source| StoreError::Migration { version, source })?;
        tracing::info!(version, path = %path.display(), "history database migrated");
    }
    Ok(())
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
    let mut find = tx
        .prepare_cached("SELECT raw, door_id, door_name, user_name FROM event_log WHERE id = ?1")?;
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
        let v = Columns::of(e);
        let (ts, id) = (e.timestamp.map(|t| t.0), &e.id);
        let new = insert.execute(params![
            id,
            c.source,
            e.created_at.0,
            ts,
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
        ])? == 1;
        if new {
            dims.add(e, c.place_id);
            inserted.push(Inserted {
                id: id.clone(),
                state,
                created_at: e.created_at,
            });
            continue;
        }
        let old = find.query_row([id], |r| {
            Ok(StoredDims {
                raw: r.get(0)?,
                door_id: r.get(1)?,
                door_name: r.get(2)?,
                user_name: r.get(3)?,
            })
        })?;
        if old.raw != e.raw {
            update.execute(params![
                id,
                e.created_at.0,
                ts,
                v.door_id,
                v.door_name,
                v.user_id,
                v.user_name,
                v.domain_id,
                v.domain_name,
                e.kind,
                e.raw,
            ])?;
            dims.replace(&old, e, c.place_id);
            updated += 1;
        }
    }
    Ok((inserted, updated))
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
             place_id = COALESCE(excluded.place_id, doors.place_id)",
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
