//! Coverage: what the poll log says about when Doorpost could and could not see Parakey.
//!
//! A *gap* is a run of failed polls of one account ended by a successful one. It spans
//! from the last success before the run (or the run's first failure, when no earlier
//! success is on record) to the success that ended it: the time in which unlocks could
//! only be learned late. `found_events` counts the events of that account whose
//! `createdAt` falls inside the gap, i.e. those the outage delayed. A run of failures that
//! has not ended yet is not a gap; the poller reports it as its current status.

use std::collections::HashMap;

use doorpost_core::time::Millis;

use super::{PollOutcome, Result, Store};

/// One poll log row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollLogRow {
    pub source: String,
    pub at: Millis,
    pub outcome: PollOutcome,
    pub requests: u32,
    pub bytes: u64,
    pub new_events: u64,
    pub error: Option<String>,
}

/// A period in which polls of `source` failed; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub source: String,
    pub from: Millis,
    pub to: Millis,
    pub failed_attempts: u32,
    /// Events with `from <= created_at < to`, found once polling worked again.
    pub found_events: u64,
}

/// Totals over the poll log since some time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollStats {
    pub polls: u64,
    pub requests: u64,
    pub not_modified: u64,
    pub bytes: u64,
    pub failures: u64,
}

impl Store {
    /// The poll log from `at` on, oldest first.
    pub fn poll_log_since(&self, at: Millis) -> Result<Vec<PollLogRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, at, outcome, requests, bytes, new_events, error FROM poll_log \
             WHERE at >= ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([at.0], |r| {
            Ok(PollLogRow {
                source: r.get(0)?,
                at: Millis(r.get(1)?),
                outcome: r.get(2)?,
                requests: r.get(3)?,
                bytes: r.get(4)?,
                new_events: r.get(5)?,
                error: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The gaps that ended at or after `since` and lasted at least `min_gap_ms`, oldest
    /// first. `failed_attempts` counts the failures on record from `since` on.
    pub fn coverage_gaps(&self, since: Millis, min_gap_ms: i64) -> Result<Vec<Gap>> {
        // The last success before `since` anchors a run that began before it.
        let mut last_ok: HashMap<String, Millis> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT source, MAX(at) FROM poll_log WHERE at < ?1 AND outcome != 'failed' \
                 GROUP BY source",
            )?;
            let rows = stmt.query_map([since.0], |r| Ok((r.get(0)?, Millis(r.get(1)?))))?;
            for row in rows {
                let (source, at) = row?;
                last_ok.insert(source, at);
            }
        }

        struct Run {
            first_failure: Millis,
            failures: u32,
        }
        let mut runs: HashMap<String, Run> = HashMap::new();
        let mut gaps = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, at, outcome FROM poll_log WHERE at >= ?1 ORDER BY at, id",
        )?;
        let mut rows = stmt.query([since.0])?;
        while let Some(r) = rows.next()? {
            let source: String = r.get(0)?;
            let at = Millis(r.get(1)?);
            if r.get::<_, PollOutcome>(2)? == PollOutcome::Failed {
                runs.entry(source)
                    .and_modify(|run| run.failures += 1)
                    .or_insert(Run {
                        first_failure: at,
                        failures: 1,
                    });
                continue;
            }
            if let Some(run) = runs.remove(&source) {
                let from = last_ok.get(&source).copied().unwrap_or(run.first_failure);
                if at.since(from) >= min_gap_ms {
                    gaps.push(Gap {
                        source: source.clone(),
                        from,
                        to: at,
                        failed_attempts: run.failures,
                        found_events: 0,
                    });
                }
            }
            last_ok.insert(source, at);
        }
        drop(rows);

        let mut found = self.conn.prepare_cached(
            "SELECT COUNT(*) FROM event_log INDEXED BY event_log_by_arrival \
             WHERE created_at >= ?2 AND created_at < ?3 AND source = ?1",
        )?;
        for gap in &mut gaps {
            gap.found_events = found
                .query_row(rusqlite::params![gap.source, gap.from.0, gap.to.0], |r| {
                    r.get(0)
                })?;
        }
        Ok(gaps)
    }

    /// Totals over the poll log from `since` on.
    pub fn poll_stats(&self, since: Millis) -> Result<PollStats> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(requests), 0), \
                 COALESCE(SUM(outcome = 'not_modified'), 0), COALESCE(SUM(bytes), 0), \
                 COALESCE(SUM(outcome = 'failed'), 0) FROM poll_log WHERE at >= ?1",
            )?
            .query_row([since.0], |r| {
                Ok(PollStats {
                    polls: r.get(0)?,
                    requests: r.get(1)?,
                    not_modified: r.get(2)?,
                    bytes: r.get(3)?,
                    failures: r.get(4)?,
                })
            })?)
    }
}
