//! The live look beside a waiting sync (rule 16): while a backfill, a sweep or a catch-up
//! waits to retry, the newest rows are still read once an interval, written with the
//! waiting sync's news floor and decided at once, so news is not held hostage by a long
//! sync that is stuck. Nothing durable but the rows changes.

use super::{
    Commit, Finish, Job, Outcome, PollRecord, Poller, Query, Request, Response, SkipSupport, Step,
    SyncKind, note_sent,
};
use crate::time::{Millis, Mono};

/// The live look beside a waiting sync (see [`SyncKind::Live`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LiveLook {
    Idle,
    /// Its request is out.
    Sent,
    /// Its commit is with the driver.
    Committing,
}

/// A sync waiting less than this for its retry goes on by itself, without a live look.
const LIVE_MIN_WAIT: i64 = 10 * Millis::SECOND;

impl Poller {
    /// Whether a live look may go out beside `job` while it waits: not while it reads the
    /// newest rows itself, nor while it narrows down a record (its retries are quick).
    pub(super) fn live_look_wanted(&self, job: &Job) -> bool {
        // The newest page is what this sync is failing on: a live look would fail alike.
        let reads_newest_itself = (job.probing && job.first)
            || matches!(job.last_query, Some(Query::Newest { skip: 0, .. }));
        // Under a rate limit's pace a long sync is always waiting for its next slot: the
        // look takes the next one once it is due.
        let waits_long = job.retry_at.since(self.live_due) > LIVE_MIN_WAIT;
        let paced = self.state.learned.per_minute.is_some();
        !reads_newest_itself
            && !job.narrow.active
            && !job.narrow.control_pending
            && (waits_long || paced)
    }

    /// The newest rows, while the running sync waits to retry, once an interval has passed
    /// since the last look at them (rule 16).
    pub(super) fn live_request(&mut self, now: Mono) -> Option<Request> {
        let Step::Running(job) = &self.step else {
            return None;
        };
        if now < self.live_due.max(self.earliest_send()) || !self.live_look_wanted(job) {
            return None;
        }
        let auth = job.auth;
        self.live = LiveLook::Sent;
        self.last_sent_live = true;
        note_sent(&mut self.sent, now);
        let query = Query::Newest {
            limit: self.config.probe_limit,
            skip: self.live_skip,
        };
        Some(Request {
            query: query.capped(self.state.learned.cap(u32::MAX)),
            auth,
            if_none_match: None,
        })
    }

    /// The live look's answer: its rows are written with the waiting sync's news floor and
    /// decided at once; a failure only waits for the next look. A page holding nothing but
    /// rows newer than every finished check (or records Doorpost cannot read) has not
    /// reached what is known: on a server paging a row or two, the unlocks beneath would
    /// wait for the sync, hours on a tight rate limit. The look goes on beneath them, up to
    /// the probe's number of records.
    pub(super) fn handle_live(&mut self, now: Mono, response: Response) {
        self.live = LiveLook::Idle;
        // Its `Date` shows a clock set back as well as the sync's would.
        self.rebase_on_server_clock(now, response.server_date);
        self.live_due = now.plus(self.config.interval);
        let skip = std::mem::take(&mut self.live_skip);
        let Step::Running(job) = &self.step else {
            return;
        };
        let page = match response.outcome {
            Outcome::Page { page, .. }
                if page.events.len() + page.quarantined.len()
                    <= self.config.probe_limit as usize =>
            {
                page
            }
            Outcome::Unavailable {
                status: 429,
                retry_after,
            } => {
                let wait = retry_after.unwrap_or(Millis::MINUTE);
                self.not_before = self
                    .not_before
                    .max(now.plus(wait.clamp(0, self.config.max_retry_after)));
                return;
            }
            _ => return,
        };
        let records = (page.events.len() + page.quarantined.len()) as u32;
        let skip_usable = matches!(
            self.state.skip,
            SkipSupport::Unknown | SkipSupport::Honoured
        );
        let ids: Vec<Option<String>> = (page.events.iter().map(|e| Some(e.id.clone())))
            .chain(page.quarantined.iter().map(|q| q.id.clone()))
            .collect();
        let same_again = skip > 0 && ids == self.live_page;
        let all_new =
            (page.events.iter()).all(|e| self.state.watermark.is_some_and(|w| e.created_at > w));
        // Under a rate limit's pace the sync reads on beneath new rows itself; beneath
        // records nobody can read, only the look does.
        let hidden = page.events.is_empty() || self.state.learned.per_minute.is_none();
        if all_new && records > 0 && skip_usable && !same_again && hidden {
            let further = skip.saturating_add(records);
            if further < self.config.probe_limit {
                self.live_skip = further;
                self.live_due = now;
            }
        }
        self.live_page = ids;
        let catch_up = self.was_away(now, job);
        self.pending_commit = Some(Commit {
            kind: SyncKind::Live,
            events: page.events,
            quarantined: page.quarantined,
            state: self.state.clone(),
            news_floor: job.news_floor,
            finish: Some(Finish {
                server_now: response.server_date,
                catch_up,
                record: PollRecord {
                    kind: SyncKind::Live,
                    requests: 1,
                    bytes: response.bytes,
                    error: None,
                    not_modified: false,
                },
            }),
            incomplete: Vec::new(),
        });
        self.live = LiveLook::Committing;
    }
}
