//! What the store forgets: guests' names after the retention period, and quarantined text
//! beyond a bound.
//!
//! **Retention** ("Forget guests' names after N days", default 90, as Parakey itself does):
//! a row that arrived before the cutoff, by the earlier of its `createdAt` (the server's
//! clock) and its `first_seen_at` (this machine's: a record dated in the future is not kept
//! longer for it), keeps its id, times, door, domain, type
//! and notification state, so counts and door history stay; it loses the user's id and
//! name, its person key (arrivals) and every other field of its raw JSON (e-mails, access
//! names). Its `raw` becomes a small JSON object built from what it keeps, beginning with
//! [`FORGOTTEN_MARK`], which marks it done so each sweep touches only rows not yet forgotten. The `names` table loses
//! the forgotten rows' user names in the same transaction (the history search relies on
//! its counts). With `secure_delete` on, SQLite overwrites what it frees, and a checkpoint
//! after the sweep empties the WAL, whose page images would otherwise keep the names.
//!
//! A forgotten row that the server sends again (a sweep of the last 48 hours, should the
//! retention be shorter) is updated like any changed row and forgotten again by the next
//! sweep.
//!
//! **Quarantine**: each row keeps at most [`MAX_QUARANTINE_TEXT`] bytes of the record and
//! of the reason, and the table at most [`MAX_QUARANTINE_ROWS`] rows (the most recently
//! seen); rows last seen before the retention cutoff go too.

use std::collections::HashMap;

use doorpost_core::event::Quarantined;
use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;
use rusqlite::{Transaction, TransactionBehavior, params};

use super::{Result, Store};

/// How a forgotten row's raw JSON begins.
pub const FORGOTTEN_MARK: &str = r#"{"forgotten":true,"#;
/// Quarantined text kept per row, in bytes (a record's start is enough to diagnose it).
pub const MAX_QUARANTINE_TEXT: usize = 2048;
/// Quarantined rows kept at most.
pub const MAX_QUARANTINE_ROWS: usize = 500;
/// Rows forgotten per transaction, so a first sweep over a large history never holds the
/// write lock for long.
const BATCH: i64 = 2_000;

/// The instant before which names are forgotten (by arrival: see the module docs), or `None` when they are kept forever.
pub fn retention_cutoff(settings: &Settings, now_wall: Millis) -> Option<Millis> {
    let days = settings.retention_days?;
    Some(now_wall.minus(i64::from(days).saturating_mul(Millis::DAY)))
}

/// What one sweep forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub events: usize,
    pub quarantined: usize,
    /// Stays whose check-out is past the retention period.
    pub stays: usize,
}

impl Forgotten {
    /// Logs a sweep's outcome: what it forgot, or why it could not (`then`: when it is
    /// tried again).
    pub fn log(result: Result<Forgotten>, then: &str) {
        match result {
            Ok(f) if f.events + f.quarantined + f.stays > 0 => {
                tracing::info!(
                    events = f.events,
                    quarantined = f.quarantined,
                    stays = f.stays,
                    "old names forgotten"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("could not forget old names ({then}): {e}"),
        }
    }
}

impl Store {
    /// Forgets the personal fields of every event created before `cutoff` (see the module
    /// docs), and quarantined records last seen before it. Idempotent; batches of
    /// [`BATCH`] rows, each in its own transaction.
    pub fn forget_before(&mut self, cutoff: Millis) -> Result<Forgotten> {
        self.set_durable(true)?;
        let mut forgotten = Forgotten::default();
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = forget_batch(&tx, cutoff)?;
            tx.commit()?;
            forgotten.events += n;
            if n < BATCH as usize {
                break;
            }
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        forgotten.quarantined = tx
            .prepare_cached("DELETE FROM quarantine WHERE last_seen_at < ?1")?
            .execute([cutoff.0])?;
        forgotten.stays = Store::forget_stays_in(&tx, cutoff)?;
        tx.prepare_cached(
            "UPDATE poll_log SET error = 'details forgotten after the retention period' \
             WHERE at < ?1 AND error IS NOT NULL \
             AND error <> 'details forgotten after the retention period'",
        )?
        .execute([cutoff.0])?;
        tx.commit()?;
        self.checkpoint_truncate()?;
        Ok(forgotten)
    }
}

/// The rows a sweep forgets, not yet forgotten: those the server dated before `?1`, and
/// those it dated later that arrived before `?1` (through the partial index of migration
/// 005, whose WHERE clause this repeats word for word). At most `?2`.
fn due_rows_sql() -> String {
    let columns = "id, created_at, timestamp, door_id, door_name, domain_id, domain_name, \
                   kind, user_name";
    let kept = format!(
        "substr(raw, 1, {}) <> '{FORGOTTEN_MARK}'",
        FORGOTTEN_MARK.len()
    );
    format!(
        "SELECT {columns} FROM event_log INDEXED BY event_log_by_arrival \
         WHERE created_at < ?1 AND {kept} \
         UNION ALL \
         SELECT {columns} FROM event_log INDEXED BY event_log_dated_ahead \
         WHERE created_at > first_seen_at AND {kept} AND first_seen_at < ?1 \
         AND created_at >= ?1 \
         LIMIT ?2"
    )
}

/// One batch of rows not yet forgotten: rewritten, and their user names taken out of
/// `names`. Returns how many rows it forgot.
fn forget_batch(tx: &Transaction<'_>, cutoff: Millis) -> Result<usize> {
    struct Row {
        id: String,
        created_at: i64,
        timestamp: Option<i64>,
        door: (Option<String>, Option<String>),
        domain: (Option<String>, Option<String>),
        kind: Option<String>,
        user_name: Option<String>,
    }
    let rows: Vec<Row> = tx
        .prepare_cached(&due_rows_sql())?
        .query_map(params![cutoff.0, BATCH], |r| {
            Ok(Row {
                id: r.get(0)?,
                created_at: r.get(1)?,
                timestamp: r.get(2)?,
                door: (r.get(3)?, r.get(4)?),
                domain: (r.get(5)?, r.get(6)?),
                kind: r.get(7)?,
                user_name: r.get(8)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    let mut update = tx.prepare_cached(
        "UPDATE event_log SET user_id = NULL, user_name = NULL, person = NULL, raw = ?2 \
         WHERE id = ?1",
    )?;
    let mut names: HashMap<String, i64> = HashMap::new();
    for row in &rows {
        let raw = forgotten_raw(
            &row.id,
            Millis(row.created_at),
            row.timestamp.map(Millis),
            &row.door,
            &row.domain,
            row.kind.as_deref(),
        );
        update.execute(params![row.id, raw])?;
        if let Some(name) = &row.user_name {
            *names.entry(name.clone()).or_default() += 1;
        }
    }
    let mut shrink = tx.prepare_cached(
        "UPDATE names SET events = events - ?2 WHERE kind = 'user' AND name = ?1 AND door_id = ''",
    )?;
    for (name, by) in &names {
        shrink.execute(params![name, by])?;
    }
    if !names.is_empty() {
        tx.execute("DELETE FROM names WHERE events <= 0", [])?;
    }
    Ok(rows.len())
}

/// A forgotten row's raw JSON: what the row keeps, in the shape the parser reads.
fn forgotten_raw(
    id: &str,
    created_at: Millis,
    timestamp: Option<Millis>,
    door: &(Option<String>, Option<String>),
    domain: &(Option<String>, Option<String>),
    kind: Option<&str>,
) -> String {
    let named = |(id, name): &(Option<String>, Option<String>)| {
        (id.is_some() || name.is_some()).then(|| serde_json::json!({ "id": id, "name": name }))
    };
    let rest = serde_json::json!({
        "id": id,
        "createdAt": created_at.to_rfc3339(),
        "timestamp": timestamp.map(Millis::to_rfc3339),
        "device": named(door),
        "domain": named(domain),
        "type": kind,
    });
    // `{"forgotten":true,` then the object's fields without its opening brace.
    let rest = rest.to_string();
    format!("{FORGOTTEN_MARK}{}", &rest[1..])
}

/// A quarantined record's text and reason as stored: at most [`MAX_QUARANTINE_TEXT`] bytes
/// each, cut on a character boundary.
pub(super) fn bounded_quarantine_text(q: &Quarantined) -> (&str, &str) {
    (
        cut_bytes(&q.raw, MAX_QUARANTINE_TEXT),
        cut_bytes(&q.reason, MAX_QUARANTINE_TEXT),
    )
}

fn cut_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Keeps the [`MAX_QUARANTINE_ROWS`] most recently seen quarantined rows.
pub(super) fn trim_quarantine(tx: &Transaction<'_>) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM quarantine WHERE id NOT IN \
         (SELECT id FROM quarantine ORDER BY last_seen_at DESC, id DESC LIMIT ?1)",
    )?
    .execute([MAX_QUARANTINE_ROWS as i64])?;
    Ok(())
}
