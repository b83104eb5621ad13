//! Opening the history database: the connection's settings (WAL, the busy timeout, page
//! size and cache), the switch between waiting for the disk on every commit or not, the
//! numbered migrations applied under `PRAGMA user_version`, and the checks of the file
//! itself (its schema version, its integrity).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, Store, StoreError};

/// The schema, one migration per version: `MIGRATIONS[i]` brings a database from
/// `user_version = i` to `i + 1`. Append only.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_places.sql"),
    include_str!("migrations/003_install.sql"),
    include_str!("migrations/004_duplicate_uploads.sql"),
    include_str!("migrations/005_retention_by_arrival.sql"),
    include_str!("migrations/006_pause.sql"),
    include_str!("migrations/007_place_ids.sql"),
    include_str!("migrations/008_stays.sql"),
];

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5_000);

/// Bytes per database page for new files. Rows hold the raw JSON (about half a KiB), so
/// pages twice SQLite's default split less often: a bulk commit runs about 7 % faster.
pub(super) const PAGE_SIZE: i64 = 8192;

/// The bytes of WAL file kept after a checkpoint. A first backfill grows the WAL to tens of
/// MB; without a limit its tail would keep page images (guests' names among them) long
/// after they were forgotten or deleted.
const JOURNAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;

/// Page cache per connection, in KiB (SQLite reads a negative `cache_size` as KiB). It only
/// grows as pages are read; at a million rows it holds the id index and the hot ends of
/// the others, which keeps a bulk commit from re-reading pages through the OS.
const CACHE_KIB: i64 = 64 * 1024;

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
        conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)
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
    pub(super) fn set_durable(&mut self, durable: bool) -> Result<()> {
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

    /// Copies the WAL into the database and empties the WAL file, so that what was just
    /// forgotten or deleted (overwritten in the database by `secure_delete`) lingers in no
    /// page image. False when another connection's read kept part of the WAL in use: the
    /// next checkpoint copies it, and the journal size limit then cuts the file.
    pub(super) fn checkpoint_truncate(&self) -> Result<bool> {
        let (busy, log, copied): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        let done = busy == 0 && log == copied;
        if !done {
            tracing::info!(log, copied, "the WAL is still in use; it is emptied later");
        }
        Ok(done)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this code writes.
    pub fn schema_version() -> u32 {
        MIGRATIONS.len() as u32
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

pub(super) fn user_version(conn: &Connection) -> Result<u32> {
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
