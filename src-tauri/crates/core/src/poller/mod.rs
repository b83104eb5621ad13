//! The poller: a sans-IO state machine that decides when to ask Parakey for what, and what
//! to keep.
//!
//! Shaped like quinn-proto's `Connection`: the driver asks [`Poller::poll_request`] for the
//! next HTTP request, performs it, and hands the result to [`Poller::handle_response`];
//! whenever there is something to store, [`Poller::poll_commit`] yields a [`Commit`] that
//! the driver writes in one SQLite transaction and acknowledges with
//! [`Poller::handle_committed`]. [`Poller::poll_timeout`] says when to call
//! [`Poller::poll_request`] again. `now` is the driver's elapsed-time clock (a [`Mono`],
//! which does not mix with the wall clock's [`Millis`]), which keeps
//! counting while the machine sleeps (Linux `CLOCK_BOOTTIME`), so every deadline (the next
//! check, a retry, `Retry-After`) holds across suspend and ignores wall-clock steps; the
//! wall clock is only fed in ([`Poller::observe_wall`]) for pauses until a time of day and
//! to tell how long Doorpost was closed. Jitter comes from a seeded [`Rng`].
//!
//! What it guarantees (the traps are in `shared/docs/parakey-api.md`):
//! - **Documented parameters only.** A window is listed by [`listing::Listing`]: the newest
//!   rows first, then an ascending walk with a rising `startDate`; `skip` is an optimisation
//!   checked on every page. No belief about the page size ever ends a window.
//! - **Progress survives.** Pages are committed with their resume point, several together
//!   while they arrive back to back (up to [`PollerConfig::commit_every_records`] rows) and
//!   always before any wait: a failure commits what was read, keeps the sync and retries the
//!   same request (pacing itself by `Retry-After`); a restart resumes a walk where it
//!   stopped. The probe's ETag, the watermark and the "checked" time are committed only
//!   with the sync's last page.
//! - **The watermark is server data only**: the largest `createdAt` received (never past the
//!   server's `Date` + 5 min), or the `Date` header when nothing was received.
//! - **Nothing old is news.** The server time at which watching began is recorded; rows
//!   that arrived before it, or before the window a sync was asked to look at, are stored
//!   as history. The notification decision for everything else is made once per finished
//!   sync, over every row still pending (crash recovery included), with that sync's server
//!   time and "was Doorpost away" verdict.
//! - **Polite.** One request in flight; one check per interval in steady state; a failure is
//!   retried after about 30 s, then 1, 2, 4 min and on up to an hour; `Retry-After` is a
//!   minimum; 401/403 (both header forms) stops polling until the token changes.

//!
//! Where the parts live: `io.rs` holds the vocabulary the driver and the machine exchange
//! (requests, responses, commits, the durable state, the status, failures), re-exported
//! here; `listing.rs` lists one window completely; `failures.rs` is what a failed request
//! does (backoff, rate limits, refusals, narrowing down a record the server cannot serve);
//! `live.rs` is the live look beside a waiting sync. This file keeps the machine itself:
//! starting a sync, reading its pages, committing and finishing it.

mod failures;
mod io;
mod listing;
mod live;

use crate::event::Page;
use crate::outage::{Cause, Notice, OutageWatch};
use crate::rng::Rng;
use crate::time::{Millis, Mono};

use failures::control_query;
pub use failures::{limit_named, refusal_text};
pub use io::{
    AuthStyle, Commit, Finish, Learned, Outcome, Phase, PollRecord, PollerConfig, Query,
    RefreshRefused, Request, Response, Resume, SkipSupport, StartFilter, Status, SyncFailure,
    SyncKind, SyncState, Written, retry_after_ms,
};
pub use listing::{Incomplete, IncompleteReason};
use listing::{Listing, Next};
use live::LiveLook;

#[derive(Debug)]
enum Step {
    Idle,
    /// A sync in progress: a request is out, or the next one waits for `retry_at`.
    Running(Box<Job>),
    /// A commit is with the driver; the job goes on afterwards unless this was its last.
    Committing {
        job: Option<Box<Job>>,
        kind: SyncKind,
        /// On a sync's last commit: where its window began, and the oldest `createdAt` new
        /// to the store among its earlier commits (see [`Written::oldest_new`]).
        window: Option<(Millis, Option<Millis>)>,
    },
    AuthStopped,
    /// Redirected to another origin (see [`Phase::Redirected`]).
    RedirectStopped,
}

#[derive(Debug)]
struct Job {
    kind: SyncKind,
    auth: AuthStyle,
    auth_retried: bool,
    listing: Listing,
    /// The first request is the probe, sent with `If-None-Match`.
    conditional: bool,
    /// The first request is the newest page (not a resumed walk): its ETag is the probe's.
    probing: bool,
    /// No response handled yet.
    first: bool,
    /// A request is out and its response has not been handled yet.
    awaiting: bool,
    /// The last request, to check the answer against its `limit`.
    last_query: Option<Query>,
    /// No request before this (a retry after a failure).
    retry_at: Mono,
    requests: u32,
    records: u64,
    bytes: u64,
    /// `Some` once the probe answered 200: the ETag (or its absence), the rows' digest and
    /// whether the page was blind, to store at the end.
    probe: Option<(Option<String>, Option<u64>, bool)>,
    server_date: Option<Millis>,
    /// The `Date` of the first answer; without one, the watermark the sync began with (rows
    /// created after it began are dated after both).
    started_date: Option<Millis>,
    /// `started_date` is the server's `Date`.
    started_dated: bool,
    received_wall: Millis,
    /// Largest `createdAt` received that is not in the server's future.
    newest: Option<Millis>,
    news_floor: Option<Millis>,
    /// The backfill of an empty account on a server without a clock.
    empty_without_clock: bool,
    /// Some part of this sync's window could not be listed.
    incomplete: bool,
    /// Pages read but not committed yet (see `commit_every_records`).
    held: Page,
    /// How this sync copes with requests the server fails every time.
    narrow: Narrow,
    /// The oldest `createdAt` new to the store among this sync's written commits.
    oldest_new: Option<Millis>,
    /// Every form was refused: after the wait, a new sync from the richest form, never
    /// the refused request again.
    start_over: bool,
    /// When (this computer's wall clock) the server was as the first answer showed it.
    first_view: Option<Millis>,
    /// A later answer showed the server as it was before that, or any answer as it was
    /// before the last check ended (a caching layer's kept answer, by its `Age`): the sync
    /// lists the window as of that older view only.
    older_view: bool,
    /// When (this computer's wall clock) the last completed check ended.
    previous_end: Option<Millis>,
}

impl Job {
    /// Notes when the server was as an answer shows it: when it came, less its `Age`
    /// (whole seconds, so a second more).
    fn note_view(&mut self, received_wall: Millis, age: Option<i64>) {
        let view = age.map_or(received_wall, |a| received_wall.minus(a + Millis::SECOND));
        // Kept from before the last check ended, it may lack what that check saw arrive.
        self.older_view |= age.is_some() && self.previous_end.is_some_and(|end| view < end);
        match self.first_view {
            None => self.first_view = Some(view),
            Some(first) => self.older_view |= view < first,
        }
    }

    /// The poll-log entry of a failed request of this sync.
    fn failed_record(&self, why: String) -> PollRecord {
        PollRecord {
            kind: self.kind,
            requests: self.requests,
            bytes: self.bytes,
            error: Some(why),
            not_modified: false,
        }
    }
}

/// Telling a request the server fails every time (a record it cannot serialise) from an
/// outage, and changing the request instead of resending it (rule 14).
#[derive(Debug, Default)]
struct Narrow {
    /// The last failed request, how it failed (status, or 0: an unreadable body) and how
    /// many times in a row.
    failed: Option<(Query, u16, u8)>,
    /// The next request is a control (an empty page from tomorrow), to tell an outage
    /// apart.
    control_pending: bool,
    /// The control from tomorrow failed as well: the next asks from a year ahead, past a
    /// record the server's clock dated in its future (which every page from tomorrow would
    /// hold). Failing too, it is an outage.
    control_far: bool,
    /// The control came back since the last failure: other requests succeed.
    confirmed: bool,
    /// The request was changed at least once: failures are the server's answer to one
    /// record, retried quickly rather than backed off.
    active: bool,
    /// A page limit tried because larger pages failed; learned once a page at it came back.
    trial_cap: Option<u32>,
    /// This sync's pages were made smaller at least once.
    narrowed: bool,
    /// This sync listed its window again at full size (see [`Poller::relist_at_full_size`]).
    relisted: bool,
    /// A request of this `limit` was refused without saying why: the next asks the same
    /// for one row, to tell a refused `limit` from a refused form (see
    /// [`Poller::handle_refusal`]).
    limit_probe: Option<u32>,
    /// The last request sent was that one-row question.
    probe_out: bool,
}

/// Remembers when a request went out, for the rate a 429 shows the server accepts.
fn note_sent(sent: &mut std::collections::VecDeque<Mono>, now: Mono) {
    sent.push_back(now);
    while sent.len() > 1 && sent.front().is_some_and(|t| now.since(*t) > Millis::MINUTE) {
        sent.pop_front();
    }
}

/// The state machine. See the module docs.
#[derive(Debug)]
pub struct Poller {
    config: PollerConfig,
    state: SyncState,
    rng: Rng,
    step: Step,
    pending_commit: Option<Commit>,
    pending_record: Option<PollRecord>,
    /// When the next regular check may start.
    next_check: Mono,
    /// The last (now, wall) pair seen, to turn wall-clock deadlines into `now` ones.
    wall_base: Option<(Mono, Millis)>,
    last_refresh: Option<Mono>,
    /// `Retry-After`: no request before this.
    not_before: Mono,
    failures: u32,
    last_error: Option<SyncFailure>,
    /// Whether the place is failing, since when, and whether the host was told.
    outage: OutageWatch,
    next_full: Mono,
    next_sweep: Mono,
    /// `now` of the last finished sync in this run.
    last_success_now: Option<Mono>,
    /// The live look beside a waiting sync: whether one is out or being written.
    live: LiveLook,
    /// When the next live look may go out (the driver's clock): an interval after the last
    /// look at the newest rows.
    live_due: Mono,
    /// Where the live look's next page starts: past the records it could not read (see
    /// [`Poller::handle_live`]); 0 for a fresh look.
    live_skip: u32,
    /// The ids of the records the live look's last page held, to tell a server that ignores
    /// `skip` (the same page again) from the rows beneath.
    live_page: Vec<Option<String>>,
    /// When recent requests went out (the last minute), to learn a rate limit's pace.
    sent: std::collections::VecDeque<Mono>,
    /// A finished sync found rows new to the store beneath its window (see
    /// [`Poller::handle_committed`]; the next sync lists from this `createdAt` at once), or
    /// read pages a caching layer kept (the next sync lists the same window again).
    widen: Option<Millis>,
    /// 429s since the last answered request (see [`Poller::handle_rate_limited`]).
    limited_in_a_row: u32,
    /// The last request sent was a live look.
    last_sent_live: bool,
}

impl Poller {
    /// A poller for one source, resuming from its stored state. The first check of a run
    /// is due at once: a resumed walk, a backfill for a new source, else a sweep (Doorpost
    /// was not running, so anything may have happened).
    pub fn new(config: PollerConfig, state: SyncState, seed: u64, now: Mono) -> Poller {
        let cant_check_after = config.cant_check_after;
        Poller {
            next_full: now,
            next_sweep: now,
            config,
            state,
            rng: Rng::seeded(seed),
            step: Step::Idle,
            pending_commit: None,
            pending_record: None,
            next_check: now,
            wall_base: None,
            last_refresh: None,
            not_before: now,
            failures: 0,
            last_error: None,
            outage: OutageWatch::new(cant_check_after),
            last_success_now: None,
            live: LiveLook::Idle,
            live_due: now,
            live_skip: 0,
            live_page: Vec::new(),
            sent: std::collections::VecDeque::new(),
            widen: None,
            limited_in_a_row: 0,
            last_sent_live: false,
        }
    }

    pub fn state(&self) -> &SyncState {
        &self.state
    }

    pub fn config(&self) -> &PollerConfig {
        &self.config
    }

    pub fn status(&self) -> Status {
        let phase = match &self.step {
            Step::AuthStopped => Phase::AuthRejected,
            Step::RedirectStopped => Phase::Redirected,
            Step::Running(job) if job.awaiting => Phase::Checking,
            Step::Committing { .. } => Phase::Checking,
            _ if self.failures > 0 => Phase::Degraded {
                retry_at: self.next_due(),
                failures: self.failures,
            },
            Step::Running(_) => Phase::Checking,
            Step::Idle => Phase::Idle,
        };
        let next_check = match phase {
            Phase::Idle | Phase::Degraded { .. } => Some(self.next_due()),
            _ => None,
        };
        Status {
            phase,
            next_check,
            last_error: self.last_error.clone(),
            auth: self.state.auth,
            learned: self.state.learned.clone(),
            skip: self.state.skip,
            start_filter: self.state.start_filter,
            incomplete: self.state.incomplete,
            catching_up: self.state.resume.is_some(),
            // As of the wall clock last observed (the driver observes it every loop).
            blind_since: self
                .wall_base
                .and_then(|(_, wall)| self.outage.blind_since(wall)),
        }
    }

    /// The "Doorpost can't check" notice, once it is due at `now` and `quiet` (quiet hours)
    /// does not hold it; taken once per outage (see [`crate::outage`]).
    #[must_use = "taking the notice marks the outage told: show it"]
    pub fn poll_notice(&mut self, now: Mono, quiet: bool) -> Option<Notice> {
        self.outage.take_due(self.wall_at(now), quiet)
    }

    /// When (on the driver's clock) the "can't check" notice falls due, if it is pending:
    /// a timer the driver keeps besides [`Poller::poll_timeout`], since backoff spaces the
    /// failed checks minutes apart.
    #[must_use]
    pub fn notice_due(&self) -> Option<Mono> {
        Some(self.wall_to_now(self.outage.due_at()?))
    }

    /// When the next request may go out.
    fn next_due(&self) -> Mono {
        let at = match &self.step {
            Step::Running(job) => job.retry_at,
            _ => self.next_check,
        };
        at.max(self.earliest_send())
    }

    /// The earliest the next request may go out: after `Retry-After`, and at the pace a
    /// rate limit showed (see [`Poller::handle_rate_limited`]).
    fn earliest_send(&self) -> Mono {
        let paced = self.state.learned.per_minute.and_then(|n| {
            let (len, n) = (self.sent.len(), usize::try_from(n).unwrap_or(usize::MAX));
            (n > 0 && len >= n).then(|| self.sent[len - n].plus(Millis::MINUTE + 1))
        });
        paced.map_or(self.not_before, |p| p.max(self.not_before))
    }

    /// When the driver should call [`Poller::poll_request`] next; `None` when only an
    /// outside event (a response, a commit, a command) can move the poller.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Mono> {
        if self.live != LiveLook::Idle {
            return None;
        }
        match &self.step {
            Step::Running(job) if job.awaiting => None,
            Step::Running(job) => {
                let live = self
                    .live_look_wanted(job)
                    .then_some(self.live_due.max(self.earliest_send()));
                Some(live.map_or(self.next_due(), |at| at.min(self.next_due())))
            }
            Step::Idle => Some(self.next_due()),
            Step::Committing { .. } | Step::AuthStopped | Step::RedirectStopped => None,
        }
    }

    /// The driver's clock at the wall-clock instant `wall`, as last observed (see
    /// [`Poller::clocks`]).
    fn wall_to_now(&self, wall: Millis) -> Mono {
        let (now, wall_then) = self.clocks(Mono(wall.0));
        now.plus(wall.since(wall_then))
    }

    /// The two clocks' readings at one moment: the last pair the driver observed, else
    /// `(at, at)`: until the wall clock is observed (the core's tests that never feed it),
    /// the two are taken to read alike.
    fn clocks(&self, at: Mono) -> (Mono, Millis) {
        self.wall_base.unwrap_or((at, Millis(at.0)))
    }

    /// Feed the wall clock now and then (every loop of the driver): the outage watch and
    /// the lessons' expiry are wall-clock, whatever the driver's clock did meanwhile.
    pub fn observe_wall(&mut self, now: Mono, wall: Millis) {
        self.wall_base = Some((now, wall));
    }

    /// The machine woke from sleep (the driver's clock jumped past its monotonic one): an
    /// outage not told yet gets its grace again, since the network may still be coming back
    /// (see [`crate::outage`]).
    pub fn woke(&mut self, now: Mono) {
        self.outage.woke(self.wall_at(now));
    }

    /// The next request to send, if one is due. At most one is ever in flight.
    #[must_use = "the request is counted as sent: send it and hand its answer to `handle_response`"]
    pub fn poll_request(&mut self, now: Mono) -> Option<Request> {
        if let Step::Running(job) = &self.step
            && job.start_over
            && now >= job.retry_at
        {
            self.step = Step::Idle;
            self.start_job(now);
        }
        if let Step::Idle = self.step {
            if now < self.next_due() {
                return None;
            }
            self.start_job(now);
        }
        if self.live != LiveLook::Idle {
            return None;
        }
        let wall = self.wall_at(now);
        let earliest = self.earliest_send();
        let Step::Running(job) = &mut self.step else {
            return None;
        };
        if job.awaiting {
            return None;
        }
        // A live look that is due takes the next slot; one reading on takes every other
        // one, so that neither starves the other under a rate limit's pace.
        let reading_on = self.live_skip > 0;
        let look_first = now >= self.live_due && (!reading_on || !self.last_sent_live);
        if now < job.retry_at.max(earliest) || look_first {
            if let Some(look) = self.live_request(now) {
                return Some(look);
            }
            let Step::Running(job) = &self.step else {
                return None;
            };
            if now < job.retry_at.max(earliest) {
                return None;
            }
        }
        let Step::Running(job) = &mut self.step else {
            return None;
        };
        job.narrow.probe_out = job.narrow.limit_probe.is_some() && !job.narrow.control_pending;
        let query = if job.narrow.control_pending {
            control_query(&self.state, job, wall)
        } else {
            let Next::Request(query) = job.listing.next() else {
                return None;
            };
            let cap = if job.narrow.probe_out { 1 } else { u32::MAX };
            query.capped(self.state.learned.cap(cap))
        };
        note_sent(&mut self.sent, now);
        self.last_sent_live = false;
        job.awaiting = true;
        job.requests += 1;
        let if_none_match = if job.conditional && job.first && !job.narrow.probe_out {
            self.state.probe_etag.clone()
        } else {
            None
        };
        job.last_query = Some(query);
        Some(Request {
            query,
            auth: job.auth,
            if_none_match,
        })
    }

    fn start_job(&mut self, now: Mono) {
        let wall = self.wall_at(now);
        self.state.learned.expire(wall);
        if self.state.learned.asc_refused {
            // A walk cannot be resumed without `ASC`: the window is listed again.
            self.state.resume = None;
        }
        // The interval is the spacing between checks, whatever a check costs.
        self.next_check = now.plus(self.config.interval);
        let resumed = self.state.resume.is_some();
        // A resumed first load began when watching did.
        let watching = self.state.watch_start.filter(|w| *w != Millis(i64::MIN));
        let began = earliest(
            earliest(self.state.last_started, self.state.watermark),
            watching,
        );
        let (kind, listing) = self.next_listing(now);
        // The probe is a page of the newest rows; a listing that starts with the walk (past
        // a record the server cannot serve) has none.
        let probing =
            self.state.resume.is_none() && kind != SyncKind::Sweep && listing.starts_newest();
        let news_floor = match (self.state.watermark, self.state.watch_start) {
            (Some(w), start) => {
                let floor = w.minus(self.config.overlap);
                Some(start.map_or(floor, |s| s.max(floor)))
            }
            // A backfill resumed after a crash: nothing before watching began is news.
            (None, start) => start,
        };
        self.step = Step::Running(Box::new(Job {
            kind,
            auth: self.state.auth.unwrap_or(AuthStyle::AccessToken),
            auth_retried: false,
            listing,
            conditional: kind == SyncKind::Incremental && probing && !self.state.probe_blind,
            probing,
            first: true,
            awaiting: false,
            last_query: None,
            retry_at: now,
            requests: 0,
            records: 0,
            bytes: 0,
            probe: None,
            server_date: None,
            // A sync resumed after a restart began before this process: no later than the
            // last finished one's start (found by 10,000 random schedules: a sweep resumed
            // after a crash took its start from its first answer after the restart, and
            // the next check's window missed a row created just after its real start).
            started_date: if resumed { began } else { self.state.watermark },
            started_dated: resumed && began.is_some(),
            received_wall: Millis(0),
            newest: None,
            news_floor,
            empty_without_clock: false,
            incomplete: false,
            held: Page::default(),
            narrow: Narrow::default(),
            oldest_new: None,
            start_over: false,
            first_view: None,
            older_view: false,
            previous_end: self.state.last_success_wall,
        }));
    }

    /// What the next sync lists: a resumed walk, the backfill, a window beneath the last
    /// one (see [`Poller::widen_if_new_beneath`]), a sweep, a full fetch or the check.
    fn next_listing(&mut self, now: Mono) -> (SyncKind, Listing) {
        let c = &self.config;
        match (self.state.resume, self.state.watermark) {
            (Some(r), _) => (
                r.kind,
                Listing::resume_walk(
                    r.window_start,
                    r.walk_from,
                    r.covered_from,
                    c.page_limit,
                    self.state.start_filter,
                    self.state.skip,
                )
                .avoiding(self.state.learned.unservable, false),
            ),
            (None, None) => (SyncKind::Backfill, self.listing(Millis(i64::MIN), true)),
            (None, Some(w)) if self.widen.is_some() => {
                let start = self.widen.take().unwrap_or(w);
                (SyncKind::Full, self.listing(start, false))
            }
            (None, Some(w)) => {
                let (kind, window) = if now >= self.next_sweep {
                    (SyncKind::Sweep, c.sweep_window)
                } else if now >= self.next_full {
                    (SyncKind::Full, c.overlap)
                } else {
                    (SyncKind::Incremental, c.overlap)
                };
                // A sweep's window holds far more than the probe's rows: it starts with a
                // full page (and leaves the probe's ETag alone). Rows created while the last
                // sync ran are looked for too: beneath a watermark dated in the server's
                // future (a clock set back meanwhile), its walk had passed them.
                let top = self.state.last_started.map_or(w, |s| s.min(w));
                (
                    kind,
                    self.listing(top.minus(window), kind != SyncKind::Sweep),
                )
            }
        }
    }

    /// A listing of the window from `window_start`, starting with the probe's page or with a
    /// full page of the newest rows.
    fn listing(&self, window_start: Millis, probe_first: bool) -> Listing {
        let learned = &self.state.learned;
        let first_limit = if probe_first {
            self.config.probe_limit
        } else {
            self.config.page_limit
        };
        let listing = Listing::new(
            window_start,
            learned.cap(first_limit),
            learned.cap(self.config.page_limit),
            self.state.start_filter,
            self.state.skip,
        );
        // A record the server cannot serve above every row read: every newest page holds it.
        let on_top = learned
            .unservable
            .is_some_and(|at| self.state.watermark.is_some_and(|w| at > w));
        let listing = if learned.asc_refused {
            listing.without_ascending()
        } else {
            listing
        };
        listing.avoiding(learned.unservable, on_top)
    }

    /// The client's wall clock at `now`, as last observed.
    fn wall_at(&self, now: Mono) -> Millis {
        let (then, wall) = self.clocks(now);
        wall.plus(now.since(then))
    }

    /// Feed the response to the last request from [`Poller::poll_request`].
    pub fn handle_response(&mut self, now: Mono, response: Response) {
        if matches!(
            response.outcome,
            Outcome::Page { .. } | Outcome::NotModified
        ) {
            self.limited_in_a_row = 0;
            let wall = self.wall_at(now);
            self.state.learned.note_answered(wall);
        }
        if self.live == LiveLook::Sent {
            return self.handle_live(now, response);
        }
        let Step::Running(job) = &mut self.step else {
            return; // a stray response (e.g. after a reset); nothing waits for it
        };
        if !job.awaiting {
            return;
        }
        job.awaiting = false;
        job.bytes += response.bytes;
        job.received_wall = response.received_wall;
        let answered = matches!(
            response.outcome,
            Outcome::Page { .. } | Outcome::NotModified
        );
        // (The control and the one-row question about a refused `limit` list nothing.)
        if answered && !job.narrow.control_pending && !job.narrow.probe_out {
            job.note_view(response.received_wall, response.age);
        }
        if response.server_date.is_some() {
            if !std::mem::replace(&mut job.started_dated, true) {
                // The server's clock, where it sends one, rather than the watermark.
                job.started_date = response.server_date;
            }
            job.server_date = response.server_date;
        }
        let rebased = self.rebase_on_server_clock(now, response.server_date);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        if rebased && job.conditional && job.first {
            // Whatever the probe said, look at the newest rows for real.
            job.conditional = false;
            if matches!(response.outcome, Outcome::NotModified) {
                job.retry_at = now;
                return;
            }
        }
        if std::mem::take(&mut job.narrow.control_pending) {
            return self.handle_control(now, response.outcome);
        }
        match response.outcome {
            Outcome::Page { etag, page } => self.handle_page(now, etag, page),
            Outcome::NotModified => {
                if job.conditional && job.first {
                    self.state.auth = Some(job.auth);
                    self.finish(now, true);
                } else {
                    // We sent no If-None-Match: a confused server. Nothing is covered.
                    self.fail(now, SyncFailure::Confused, None);
                }
            }
            Outcome::AuthRejected { status } => self.handle_auth_rejected(now, status),
            Outcome::Unavailable {
                status: 429,
                retry_after,
            } => self.handle_rate_limited(now, retry_after),
            Outcome::Unavailable {
                status,
                retry_after,
            } => {
                self.handle_server_error(now, status, SyncFailure::Unavailable(status), retry_after)
            }
            Outcome::Redirect { status, location } => self.stop_redirected(now, status, location),
            Outcome::Unexpected { status, detail } => self.handle_refusal(now, status, &detail),
            Outcome::BadBody(e) => self.handle_server_error(now, 0, SyncFailure::BadBody(e), None),
            Outcome::Network(e) => self.fail(now, SyncFailure::Network(e), None),
            Outcome::Offline(e) => self.fail(now, SyncFailure::Offline(e), None),
        }
    }

    /// A server clock that ran ahead and was corrected leaves the watermark (and perhaps the
    /// watch start) in the server's future, where every new row would look old: re-base
    /// both on the server's present (rule 16). Rows already decided stay decided.
    fn rebase_on_server_clock(&mut self, now: Mono, server_date: Option<Millis>) -> bool {
        // On the corrected clock the last completed check was as long ago as it was in real
        // time: rows created since are at or after `date - since_check`, however long
        // Doorpost slept or was closed meanwhile (found by the random schedules: a sleep
        // past the overlap lost a row created right after the correction).
        let wall = self.wall_at(now);
        let since_check = self
            .last_success_now
            .map(|t| now.since(t))
            .or_else(|| self.state.last_success_wall.map(|w| wall.since(w)))
            .unwrap_or(0)
            .clamp(0, Millis::DAY);
        let (Some(date), Step::Running(job)) = (server_date, &mut self.step) else {
            return false;
        };
        let ceiling = date.plus(5 * Millis::MINUTE);
        let ahead = |t: Option<Millis>| t.is_some_and(|t| t > ceiling && t != Millis(i64::MIN));
        if !ahead(self.state.watermark) && !ahead(self.state.watch_start) {
            return false;
        }
        let last_check = date.minus(since_check);
        if ahead(self.state.watermark) {
            self.state.watermark = Some(last_check);
        }
        let floor = last_check.minus(self.config.overlap);
        if ahead(self.state.watch_start) {
            // Watching began before the correction, in real time: rows of the last
            // overlap on the corrected clock arrived while Doorpost watched.
            self.state.watch_start = Some(floor);
        }
        job.news_floor = job.news_floor.map(|f| f.min(floor));
        if job.listing.window_start() > floor {
            job.listing.set_window_start(floor);
        }
        // The newest rows are from the server's future: new rows sort below them, so the
        // probe's ETag cannot see them arrive.
        self.state.probe_blind = true;
        true
    }

    fn handle_page(&mut self, now: Mono, etag: Option<String>, page: Page) {
        let wall = self.wall_at(now);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let asked = job.last_query.as_ref().map_or(u32::MAX, Query::limit);
        let received = page.events.len() + page.quarantined.len();
        if received > asked as usize {
            return self.fail(now, SyncFailure::Oversized(received, asked), None);
        }
        self.state.auth = Some(job.auth);
        self.failures = 0;
        self.last_error = None;
        // Parakey answers and Doorpost reads: slow (a rate limit between pages) is not blind.
        self.outage.checked(wall);
        if std::mem::take(&mut job.narrow.probe_out)
            && let Some(refused) = job.narrow.limit_probe.take()
        {
            return self.limit_was_refused(now, refused);
        }
        job.narrow.failed = None;
        job.narrow.confirmed = false;
        learn_from_page(&mut self.state.learned, job, asked, wall);
        let first = std::mem::replace(&mut job.first, false);
        if first && job.probing && self.take_probe(etag, &page) {
            return self.finish(now, true);
        }
        let Step::Running(job) = &mut self.step else {
            return;
        };
        job.listing.take(&page);
        job.records += received as u64;
        // A row dated in the server's future must not become the watermark: every later
        // window would start past the real rows.
        let ceiling = ceiling(job);
        let newest = page
            .events
            .iter()
            .map(|e| e.created_at)
            .filter(|c| *c <= ceiling)
            .max();
        // A walk's rows move the watermark only where `startDate` is proven to filter on
        // `createdAt`: on the locks' clocks a walk skips rows uploaded late, and a
        // watermark past them would start every later window after them (found by 10,000
        // random schedules: a late upload during a sweep's rate-limit wait was lost).
        let walked = matches!(job.last_query, Some(Query::Ascending { .. }));
        if !walked || job.listing.start_filter() == StartFilter::CreatedAt {
            job.newest = job.newest.max(newest);
        }
        let over_budget = job.requests >= self.config.max_sync_requests
            || job.records >= self.config.max_sync_records
            || job.bytes >= self.config.max_sync_bytes;
        let done = job.listing.is_done();
        if done && !over_budget && self.relist_at_full_size() {
            self.commit_partial(page);
        } else if done || over_budget {
            self.finish_with(now, page, over_budget);
        } else {
            self.commit_partial(page);
        }
    }

    /// The sync's first page: the probe, when it is a page of the newest rows. True when
    /// it shows nothing new (the same rows as the last probe, without an ETag).
    fn take_probe(&mut self, etag: Option<String>, page: &Page) -> bool {
        let Step::Running(job) = &mut self.step else {
            return false;
        };
        if !matches!(job.last_query, Some(Query::Newest { skip: 0, .. })) {
            // The newest pages failed and the walk answered first: there was no probe, and
            // the last one's ETag and rows say nothing about now (found by 10,000 random
            // schedules: the walk's first page, the same row the old probe held, read as
            // "nothing new").
            job.probe = Some((None, None, false));
        } else {
            let digest = digest(page);
            // Without an ETag, the same newest rows are the next best "nothing new".
            let unchanged = etag.is_none()
                && job.conditional
                && digest.is_some()
                && digest == self.state.probe_digest;
            let blind = digest.is_some() && hides_new_rows(job, page);
            job.probe = Some((etag, digest, blind));
            if unchanged {
                return true;
            }
        }
        if job.kind == SyncKind::Backfill {
            self.start_backfill_window(page);
        }
        false
    }

    /// A sync whose pages were made smaller (failures that looked like one record's) and
    /// whose walk may have run on the locks' clocks (`startDate` found or not proven to
    /// filter on `createdAt`, no `skip` to rely on): there only large newest pages list a
    /// window, so it is listed once more at full size, rather than left with rows unread
    /// until the next check. Found by the random schedules: transient 500s narrowed the
    /// pages to five, and the walk skipped a row sharing a device time with its neighbour,
    /// or a late upload dated before the window on its lock's clock. A record that does
    /// fail every full page narrows the second listing too, which then ends as before.
    fn relist_at_full_size(&mut self) -> bool {
        let Step::Running(job) = &mut self.step else {
            return false;
        };
        // Narrowed pages list a window completely only by `skip` or by a walk on
        // `createdAt`; without both proven, the walk may have run on the locks' clocks.
        let unproven = job.listing.start_filter() != StartFilter::CreatedAt
            && job.listing.skip_support() != SkipSupport::Honoured;
        let partial = job.listing.found_device_time() || unproven;
        // Pages narrowed for a record it then stepped past would narrow again the same way.
        let explained = job.listing.pinned().is_some();
        if !job.narrow.narrowed || job.narrow.relisted || !partial || explained {
            return false;
        }
        job.narrow.relisted = true;
        self.state.start_filter = job.listing.start_filter();
        self.state.skip = job.listing.skip_support();
        let window_start = job.listing.window_start();
        let listing = self.listing(window_start, false);
        if let Step::Running(job) = &mut self.step {
            job.listing = listing;
        }
        true
    }

    /// The backfill's window is relative to the server's clock, known from its first
    /// answer. Watching begins after everything that answer held: at the `Date` header, or
    /// just after its newest row (one dated in the server's future aside) if that is later.
    fn start_backfill_window(&mut self, page: &Page) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let ceiling = ceiling(job);
        let newest_row = page
            .events
            .iter()
            .map(|e| e.created_at)
            .filter(|c| *c <= ceiling)
            .max();
        let server_now = match (job.server_date, newest_row) {
            (Some(d), Some(n)) => Some(d.max(n.plus(1))),
            (d, n) => d.or(n.map(|n| n.plus(1))),
        };
        // Set once per source: a backfill that had to start over keeps its first moment.
        let watch_start = match (self.state.watch_start, server_now) {
            (Some(t), _) | (None, Some(t)) => t,
            (None, None) => Millis(i64::MIN),
        };
        job.empty_without_clock = server_now.is_none();
        self.state.watch_start = Some(watch_start);
        job.news_floor = Some(watch_start);
        job.listing
            .set_window_start(watch_start.minus(self.config.backfill));
    }

    /// Holds one page of an unfinished sync, and commits what is held, with where to resume,
    /// once it is enough.
    fn commit_partial(&mut self, page: Page) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        hold(&mut job.held, page);
        let held = job.held.events.len() + job.held.quarantined.len();
        if held >= self.config.commit_every_records.max(1) {
            self.commit_held();
        }
    }

    /// Commits the pages held, with where to resume (before a wait, or when enough).
    fn commit_held(&mut self) {
        if !matches!(self.step, Step::Running(_)) {
            return; // already committing (a sync that ended), or nothing runs
        }
        let Step::Running(mut job) = std::mem::replace(&mut self.step, Step::Idle) else {
            return;
        };
        let page = std::mem::take(&mut job.held);
        let incomplete = job.listing.take_incomplete();
        job.incomplete |= !incomplete.is_empty();
        let pinned = job.listing.pinned();
        self.state.learned.pin_unservable(pinned, job.received_wall);
        let mut state = self.state.clone();
        if let Some(last) = incomplete.last() {
            state.incomplete = Some(*last);
        }
        state.resume = job
            .listing
            .resume_point()
            .map(|(walk_from, covered_from)| Resume {
                kind: job.kind,
                window_start: job.listing.window_start(),
                walk_from,
                covered_from,
            });
        state.start_filter = job.listing.start_filter();
        state.skip = job.listing.skip_support();
        self.pending_commit = Some(Commit {
            kind: job.kind,
            events: page.events,
            quarantined: page.quarantined,
            state,
            news_floor: job.news_floor,
            finish: None,
            incomplete,
        });
        self.step = Step::Committing {
            kind: job.kind,
            job: Some(job),
            window: None,
        };
    }

    /// Ends a sync that needed no rows (304 or the same rows).
    fn finish(&mut self, now: Mono, not_modified: bool) {
        self.finish_inner(now, Page::default(), not_modified, false);
    }

    fn finish_with(&mut self, now: Mono, page: Page, cut_short: bool) {
        self.finish_inner(now, page, false, cut_short);
    }

    /// Ends the current sync successfully: builds its last commit.
    fn finish_inner(&mut self, now: Mono, page: Page, not_modified: bool, cut_short: bool) {
        let Step::Running(mut job) = std::mem::replace(&mut self.step, Step::Idle) else {
            return;
        };
        let mut held = std::mem::take(&mut job.held);
        hold(&mut held, page);
        let page = held;
        let incomplete = job.listing.take_incomplete();
        job.incomplete |= !incomplete.is_empty();
        let pinned = job.listing.pinned();
        self.state.learned.pin_unservable(pinned, job.received_wall);
        let mut state = self.state.clone();
        state.start_filter = job.listing.start_filter();
        state.skip = job.listing.skip_support();
        state.resume = if cut_short {
            // Stopped by the per-sync budget: the rest at the next check.
            job.listing
                .resume_point()
                .map(|(walk_from, covered_from)| Resume {
                    kind: job.kind,
                    window_start: job.listing.window_start(),
                    walk_from,
                    covered_from,
                })
        } else {
            None
        };
        if !not_modified && !cut_short {
            state.watermark = next_watermark(&state, &job);
            state.incomplete = match (incomplete.last(), job.kind) {
                (Some(i), _) => Some(*i),
                // A sweep that listed its whole window clears the old report.
                (None, SyncKind::Sweep) if !job.incomplete => None,
                (None, _) => state.incomplete,
            };
        }
        let unsure = !cut_short && keep_probe(&mut state, &job);
        if unsure && !not_modified && job.kind != SyncKind::Backfill {
            // Pages a caching layer kept from before this check began may lack rows the
            // window holds; so may the check that first saw the server's clock past rows
            // it had dated in its future. The watermark moves on all the same, so the
            // next check lists this window again (found by 10,000 random schedules: a kept
            // page hid a row, and a server clock then set an hour ahead left it beneath
            // every later window).
            let start = job.listing.window_start();
            self.widen = Some(self.widen.map_or(start, |w| w.min(start)));
        }
        let catch_up = self.was_away(now, &job);
        self.live_due = now.plus(self.config.interval);
        state.last_success = job.server_date.or(state.last_success);
        state.last_started = job.started_date.or(state.last_started);
        state.last_success_wall = Some(job.received_wall);
        self.schedule_after(now, job.kind, not_modified);
        let kind = if not_modified {
            SyncKind::Unchanged
        } else {
            job.kind
        };
        self.pending_commit = Some(Commit {
            kind,
            incomplete,
            events: page.events,
            quarantined: page.quarantined,
            state,
            news_floor: job.news_floor,
            finish: Some(Finish {
                server_now: job.server_date,
                catch_up,
                record: PollRecord {
                    kind,
                    requests: job.requests,
                    bytes: job.bytes,
                    error: None,
                    not_modified,
                },
            }),
        });
        // A window listed to its end is checked against what the store finds new beneath it.
        let listed = !not_modified && !cut_short && job.kind != SyncKind::Backfill;
        let window = listed.then(|| (job.listing.window_start(), job.oldest_new));
        self.step = Step::Committing {
            job: None,
            kind,
            window,
        };
    }

    /// Doorpost was away when the time since the last finished sync (on this run's clock,
    /// else the client's wall clock against its own earlier reading) exceeds
    /// `catch_up_after`.
    fn was_away(&self, now: Mono, job: &Job) -> bool {
        let away = match self.last_success_now {
            Some(last) => now.since(last),
            None => match self.state.last_success_wall {
                Some(wall) => job.received_wall.since(wall),
                None => 0,
            },
        };
        away > self.config.catch_up_after
    }

    fn schedule_after(&mut self, now: Mono, kind: SyncKind, not_modified: bool) {
        match kind {
            SyncKind::Sweep | SyncKind::Backfill => {
                self.next_sweep = now.plus(self.config.sweep_every);
                self.next_full = now.plus(self.config.full_fetch_every);
            }
            SyncKind::Full => self.next_full = now.plus(self.config.full_fetch_every),
            SyncKind::Incremental if !not_modified => {
                self.next_full = now.plus(self.config.full_fetch_every)
            }
            _ => {}
        }
    }

    /// The next commit to write, if any. Until [`Poller::handle_committed`] is called
    /// nothing else is sent.
    #[must_use = "nothing moves until the commit is written and `handle_committed` called"]
    pub fn poll_commit(&mut self) -> Option<Commit> {
        self.pending_commit.take()
    }

    /// A failed request to append to the poll log (no other writes go with it).
    #[must_use = "a failed check belongs in the poll log"]
    pub fn poll_record(&mut self) -> Option<PollRecord> {
        self.pending_record.take()
    }

    /// The driver wrote (or failed to write) the last commit. Only a written commit moves
    /// the durable state forward; a failed write ends the sync, which the next check
    /// resumes from the last written state.
    pub fn handle_committed(&mut self, now: Mono, result: Result<Written, String>) {
        if self.live == LiveLook::Committing {
            // A live look changes no durable state; written, it is a completed check.
            self.live = LiveLook::Idle;
            if result.is_ok() {
                self.last_success_now = Some(now);
                self.outage.checked(self.wall_at(now));
            }
            return;
        }
        let Step::Committing { job, kind, window } = std::mem::replace(&mut self.step, Step::Idle)
        else {
            return;
        };
        match (result, job) {
            (Ok(written), Some(mut job)) => {
                self.state = written.state;
                job.oldest_new = earliest(job.oldest_new, written.oldest_new);
                self.step = Step::Running(job);
            }
            (Ok(written), None) => {
                self.state = written.state;
                if let Some((start, earlier)) = window {
                    self.widen_if_new_beneath(now, start, earliest(earlier, written.oldest_new));
                }
                self.failures = 0;
                self.last_error = None;
                self.last_success_now = Some(now);
                self.outage.checked(self.wall_at(now));
            }
            (Err(why), job) => {
                let failure = SyncFailure::Store(why);
                let why = failure.to_string();
                self.pending_record = Some(PollRecord {
                    kind,
                    requests: job.as_ref().map_or(0, |j| j.requests),
                    bytes: job.as_ref().map_or(0, |j| j.bytes),
                    error: Some(why.clone()),
                    not_modified: false,
                });
                self.failures += 1;
                self.outage.failed(self.wall_at(now), Cause::of(&failure));
                self.last_error = Some(failure);
                // The sync ends; the next one resumes from the last written state.
                self.next_check = now.plus(self.retry_delay(None));
                self.next_full = now;
            }
        }
    }

    /// A window is listed down to the first row beneath its start, which every earlier
    /// check has stored. When the store finds a row new to it there instead, rows arrived
    /// beneath the window: a server clock set back an hour and forward again between two
    /// checks, or a database that commits rows long after dating them. The next sync, at
    /// once, lists beneath that row by as far again as it lay beneath the window (at least
    /// an overlap), and so on while each finds more: the depth at least doubles each time.
    /// Nothing beneath the backfill's horizon is looked for (it was never stored).
    fn widen_if_new_beneath(&mut self, now: Mono, start: Millis, oldest_new: Option<Millis>) {
        let horizon = match self.state.watch_start {
            Some(s) if s.0 > i64::MIN => s.minus(self.config.backfill),
            _ => Millis(i64::MIN),
        };
        if let Some(oldest) = oldest_new.filter(|t| *t < start && *t >= horizon) {
            let depth = start.since(oldest).max(self.config.overlap);
            self.widen = Some(oldest.minus(depth));
            self.next_check = now;
        }
    }

    /// Whether the next sync lists beneath the last one's window (see
    /// [`Poller::handle_committed`]).
    pub fn widening(&self) -> bool {
        self.widen.is_some()
    }

    /// "Check now". Refused when a request is out, when asked again within `refresh_min_gap`, or while Parakey's
    /// `Retry-After` holds. A sync waiting to retry is retried now.
    pub fn refresh_now(&mut self, now: Mono) -> Result<(), RefreshRefused> {
        match &self.step {
            Step::AuthStopped => return Err(RefreshRefused::AuthRejected),
            Step::Committing { .. } => return Err(RefreshRefused::Busy),
            // The host asks again: perhaps the address is back.
            Step::RedirectStopped => self.step = Step::Idle,
            Step::Running(job) if job.awaiting => return Err(RefreshRefused::Busy),
            Step::Running(_) | Step::Idle => {}
        }
        if let Some(last) = self.last_refresh {
            let wait = last.plus(self.config.refresh_min_gap).since(now);
            if wait > 0 {
                return Err(RefreshRefused::TooSoon { wait_ms: wait });
            }
        }
        if self.not_before > now {
            return Err(RefreshRefused::TooSoon {
                wait_ms: self.not_before.since(now),
            });
        }
        self.last_refresh = Some(now);
        if let Step::Idle = self.step {
            // A manual check fetches for real: the user asked because they doubt the probe.
            self.next_full = self.next_full.min(now);
            self.start_job(now);
        }
        if let Step::Running(job) = &mut self.step {
            job.retry_at = now;
        }
        Ok(())
    }

    /// New settings: the interval and windows change now; an earlier next check is kept.
    pub fn apply_config(&mut self, now: Mono, config: PollerConfig) {
        let sooner = now.plus(config.interval);
        if sooner < self.next_check {
            self.next_check = sooner;
        }
        self.config = config;
    }
}

/// What a finished sync's probe leaves for the next check's "nothing new". A page older
/// than the probe (a caching layer's), or a probe that never was, leaves nothing: the
/// next check lists its window rather than trusting an ETag this sync cannot vouch for.
/// True when the check cannot vouch for its window as of its probe.
fn keep_probe(state: &mut SyncState, job: &Job) -> bool {
    // The first check that no longer sees rows dated in the server's future (its clock
    // corrected, or set ahead again) vouches for nothing either: a row created beneath
    // them just before, which a cached answer of this check may not show yet, is found by
    // the next check listing this window again (found by 10,000 random schedules).
    let left_blind = state.probe_blind && job.probe.as_ref().is_none_or(|(_, _, b)| !b);
    let unsure = job.listing.saw_stale() || job.older_view || left_blind;
    let probe = if unsure {
        Some((None, None, false))
    } else {
        job.probe.clone()
    };
    if let Some((etag, digest, blind)) = probe {
        state.probe_etag = etag;
        state.probe_digest = digest;
        state.probe_blind = blind;
    }
    unsure
}

/// What an answered page teaches about the server: a page size that came back after larger
/// ones failed, the largest `limit` accepted, `ASC` accepted.
fn learn_from_page(learned: &mut Learned, job: &mut Job, asked: u32, wall: Millis) {
    if let Some(cap) = job.narrow.trial_cap.take() {
        // Larger pages failed every time and this one came back: a lesson, unless the
        // server has served larger pages before. Then it was what those pages held (one
        // record), not their size, and the smaller page holds for this sync only: a
        // lasting small page would keep later syncs from reaching rows that only large
        // newest pages list (no usable `skip`, `startDate` on device time).
        if learned
            .largest_accepted
            .is_none_or(|largest| largest <= cap)
        {
            learned.max_limit = Some(learned.max_limit.map_or(cap, |m| m.min(cap)));
            learned.note(wall);
        }
    }
    learned.largest_accepted = learned.largest_accepted.max(Some(asked));
    if matches!(job.last_query, Some(Query::Ascending { .. })) {
        learned.asc_accepted = true;
    }
}

/// Adds a page to the pages held for the next commit.
fn hold(held: &mut Page, page: Page) {
    if held.events.is_empty() && held.quarantined.is_empty() {
        *held = page;
        return;
    }
    let offset = held.events.len() + held.quarantined.len();
    held.events.extend(page.events);
    held.quarantined_at
        .extend(page.quarantined_at.iter().map(|at| at + offset));
    held.quarantined.extend(page.quarantined);
}

/// The latest `createdAt` that can be real: the server's `Date` + 5 min. Without a `Date`
/// header, the client's clock a day ahead is the only sanity bound there is; it never moves
/// the watermark, it only keeps a row dated in the future from doing so.
fn ceiling(job: &Job) -> Millis {
    match job.server_date {
        Some(date) => date.plus(5 * Millis::MINUTE),
        None => job.received_wall.plus(Millis::DAY),
    }
}

/// Whether a probe page cannot see new rows arrive: a row created now sorts above every
/// row of the page only if one of them is dated no later than now (the `Date` header's
/// second); one a few minutes ahead would hide it from the probe's ETag until a full fetch.
fn hides_new_rows(job: &Job, page: &Page) -> bool {
    let now_on_server = job
        .server_date
        .map_or(ceiling(job), |d| d.plus(Millis::SECOND));
    !page.events.iter().any(|e| e.created_at <= now_on_server)
}

/// The earlier of two optional times.
fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The watermark after a finished sync: the newest `createdAt` received (not in the
/// server's future), never lower than before; for the backfill of an empty account, the
/// server's clock (or the epoch, when it has none: every row found later is then in the
/// next window).
fn next_watermark(state: &SyncState, job: &Job) -> Option<Millis> {
    let received = job.newest;
    let found = match (state.watermark, received) {
        (Some(w), Some(n)) => Some(w.max(n)),
        (w, n) => w.or(n),
    };
    match (found, job.kind) {
        (Some(w), _) => Some(w),
        (None, SyncKind::Backfill) if job.empty_without_clock => Some(Millis(0)),
        (None, SyncKind::Backfill) => job.server_date,
        (None, _) => None,
    }
}

/// A digest of a page's rows (FNV-1a over each row's raw JSON), to tell "the same newest
/// rows" on a server without ETags. `None` for an empty page.
fn digest(page: &Page) -> Option<u64> {
    if page.events.is_empty() && page.quarantined.is_empty() {
        return None;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let raws = page
        .events
        .iter()
        .map(|e| e.raw.as_str())
        .chain(page.quarantined.iter().map(|q| q.raw.as_str()));
    for raw in raws {
        for b in raw.bytes().chain([0xff]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Some(hash)
}

#[cfg(test)]
mod tests;
