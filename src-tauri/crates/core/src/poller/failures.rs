//! What the poller does when a request fails: backoff and `Retry-After`, the pace a rate
//! limit shows, a rejected token or a redirect (checking stops), refusals it learns from
//! (rule 14: never the same refused request again), and telling a record the server
//! cannot serve from an outage by a control request, then narrowing the request down past
//! it (rule 15).

use super::{Job, Learned, Listing, Outcome, Poller, Query, Step, SyncFailure, SyncState};
use crate::event::Page;
use crate::outage::Cause;
use crate::time::{Millis, Mono};

impl Poller {
    /// The control request's answer: a page means the server serves other requests, so
    /// the one that keeps failing fails because of what it holds: change it.
    pub(super) fn handle_control(&mut self, now: Mono, outcome: Outcome) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        match outcome {
            Outcome::Page { .. } | Outcome::NotModified => {
                // (A control that came back from a year ahead is asked so again.)
                job.retry_at = now.plus(NARROW_PACE);
                if job.listing.stepping_past() {
                    // Past a record already known to fail: the next step at once.
                    job.narrow.confirmed = true;
                    Self::change_failed_request(job);
                    if job.listing.is_done() {
                        self.finish_with(now, Page::default(), false);
                    }
                } else {
                    // Once more: failing again now, it fails for what it holds.
                    job.narrow.confirmed = true;
                }
            }
            Outcome::AuthRejected { status } => self.handle_auth_rejected(now, status),
            Outcome::Redirect { status, location } => self.stop_redirected(now, status, location),
            Outcome::Unavailable {
                status: 429,
                retry_after,
            } => {
                // Asked to slow down: the control goes out again after the wait. A wait
                // longer than a rate limit's minute makes the failures before it old news:
                // the request must fail twice again after it before it is made smaller.
                if retry_after.is_some_and(|ra| ra > Millis::MINUTE) {
                    job.narrow.failed = None;
                }
                job.narrow.control_pending = true;
                self.handle_rate_limited(now, retry_after);
            }
            Outcome::Unavailable { .. } | Outcome::Unexpected { .. } | Outcome::BadBody(_)
                if !job.narrow.control_far =>
            {
                // Failing too, but perhaps for a record dated in the server's future: ask
                // once more from further ahead.
                job.narrow.control_far = true;
                job.narrow.control_pending = true;
                job.retry_at = now.plus(NARROW_PACE);
            }
            other => {
                // Everything fails: an outage, not one record. Back off as usual, saying
                // what the server answered.
                job.narrow.control_far = false;
                job.narrow.active = false;
                let failure = match other {
                    Outcome::Unavailable { status, .. } => SyncFailure::Unavailable(status),
                    Outcome::BadBody(e) => SyncFailure::BadBody(e),
                    Outcome::Network(e) => SyncFailure::Network(e),
                    Outcome::Offline(e) => SyncFailure::Offline(e),
                    Outcome::Unexpected { status, .. } => SyncFailure::Unexpected(status),
                    _ => SyncFailure::Confused,
                };
                self.fail(now, failure, None);
            }
        }
    }

    /// The request that failed every time while others succeeded: a smaller page, or past
    /// the one record at `limit=1`.
    fn change_failed_request(job: &mut Job) -> bool {
        let Some((query, _, _)) = job.narrow.failed else {
            return false;
        };
        let changed = if query.limit() > 1 {
            let cap = step_down(query.limit());
            job.narrow.trial_cap = Some(cap);
            job.narrow.narrowed = true;
            job.listing.cap_limit(cap);
            true
        } else {
            job.listing.step_past()
        };
        if changed {
            job.narrow.active = true;
            job.narrow.failed = None;
            job.narrow.confirmed = false;
        }
        changed
    }

    /// 429: the requests the last minute held before this one are what the server
    /// accepts in a minute. From now on no minute holds more (see
    /// [`Poller::earliest_send`]): requests go out as fast as before until that many are
    /// out, then one as each leaves the minute, so refusals become rare rather than
    /// every few requests. A later 429 lowers the pace; an hour without one forgets it.
    /// `Retry-After`, when sent, is waited out as it says.
    pub(super) fn handle_rate_limited(&mut self, now: Mono, retry_after: Option<i64>) {
        let before = self
            .sent
            .iter()
            .filter(|t| now.since(**t) <= Millis::MINUTE)
            .count()
            .saturating_sub(1);
        // Only a refusal after answers shows a pace (one told how long to wait, or the
        // first request refused, shows none). Learned just after a restart, which forgot
        // the requests before, it may be too low: it climbs back (`note_answered`).
        if retry_after.is_none() && before > 0 && self.limited_in_a_row == 0 {
            let before = u32::try_from(before).unwrap_or(u32::MAX);
            self.state
                .learned
                .note_rate_limit(before, self.wall_at(now));
        }
        let wait = retry_after.unwrap_or_else(|| self.earliest_send().since(now));
        // A server that answered within the last minute is up and asks for a slower pace:
        // no outage, so no backoff beyond its own wait. Refusing everything for longer
        // (a quota spent for the day) is backed off as usual.
        self.limited_in_a_row = self.limited_in_a_row.saturating_add(1);
        let pacing = self.limited_in_a_row <= RATE_LIMITED_PACED;
        self.fail_counting(now, SyncFailure::Unavailable(429), Some(wait), !pacing);
    }

    /// 5xx or an unreadable body. The same failure for the same request, while others
    /// succeed, is the server's answer to what that request holds (rule 15): a smaller
    /// page, then past the record by `skip` or by time; an outage is backed off as usual.
    pub(super) fn handle_server_error(
        &mut self,
        now: Mono,
        key: u16,
        failure: SyncFailure,
        retry_after: Option<i64>,
    ) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let Some(query) = job.last_query else {
            return self.fail(now, failure, retry_after);
        };
        let n = match job.narrow.failed {
            Some((q, k, n)) if q == query && k == key => n.saturating_add(1),
            _ => 1,
        };
        job.narrow.failed = Some((query, key, n));
        // The same failure again right after the control came back: it is this request's.
        // So is a failing page of a walk that may hold the record pinned before, down to
        // one row (which is confirmed before it is stepped past).
        let known =
            job.listing.may_hold_unservable() && query.limit() > 1 || job.listing.at_unservable();
        let confirmed = (std::mem::take(&mut job.narrow.confirmed) && n > 1) || known;
        if confirmed && Self::change_failed_request(job) {
            return self.changed_request(now, failure);
        }
        // Asked after the second failure in a row, then the fourth, eighth…: an outage
        // costs few extra requests. Past a failing record, every step asks.
        let deterministic = (n >= 2 && n.is_power_of_two()) || job.listing.stepping_past();
        if retry_after.is_none() && deterministic {
            // Does the server serve anything else? The newest row tells.
            job.narrow.control_pending = true;
            return self.changed_request(now, failure);
        }
        self.fail(now, failure, retry_after)
    }

    /// 4xx other than 401/403/429: the server refuses this form of request and will again
    /// (rule 14). Change it, cheapest lesson first: a `limit` the error text names; no
    /// `skip`; a smaller `limit`; the documented forms (`DESC` with `startDate`).
    pub(super) fn handle_refusal(&mut self, now: Mono, status: u16, detail: &str) {
        let wall = self.wall_at(now);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let detail = cut(&refusal_text(detail), 160);
        self.state.learned.last_refusal = Some(format!("{status} {detail}").trim().to_string());
        let Some(query) = job.last_query else {
            return self.fail(now, SyncFailure::Unexpected(status), None);
        };
        let deterministic = matches!(status, 400 | 404 | 405 | 406 | 413 | 414 | 422);
        let probed = std::mem::take(&mut job.narrow.probe_out);
        if probed {
            // The same request for one row was refused as well: its form is (the rules
            // below, with no `limit` left to lower).
            job.narrow.limit_probe = None;
        } else if deterministic && query.limit() > 1 && !names_limit(&detail) {
            // A bare refusal: ask the same for one row before blaming `skip`, `ASC` or the
            // undated form (a `limit` maximum lowered while running was blamed on each in
            // turn, and the listing ended on one-row documented pages that lose rows).
            // Nothing is learned until it is answered: a process stopped meanwhile asks
            // the refused request once more after its restart. (A smaller `limit` written
            // at once as the lesson was tried: restarts in a row took it down to one row
            // for an hour, on a server whose `limit` was never at fault.)
            job.narrow.limit_probe = Some(query.limit());
            return self.changed_request(now, SyncFailure::Unexpected(status));
        }
        let changed =
            deterministic && adapt(&mut self.state.learned, &mut job.listing, query, &detail);
        if changed {
            if self.state.learned.asc_refused {
                self.state.learned.asc_accepted = false;
            }
            self.state.learned.note(wall);
            self.changed_request(now, SyncFailure::Unexpected(status));
            // The lesson is written at once: a process that stops before the sync's next
            // commit would otherwise send the refused request again after its restart.
            return self.commit_held();
        }
        // Nothing left to change: the floor itself is refused. Stop asking until the
        // lessons expire, then start again from the richest form.
        self.fail(now, SyncFailure::Refused(status, detail), None);
        let job = match &mut self.step {
            Step::Running(job) => Some(job),
            Step::Committing { job, .. } => job.as_mut(),
            _ => None,
        };
        if let Some(job) = job {
            job.retry_at = now.plus(Learned::KEPT);
            job.start_over = true;
        }
        self.state.learned = Learned {
            last_refusal: self.state.learned.last_refusal.take(),
            ..Learned::default()
        };
    }

    /// The next request differs from the failed one: it goes out after a short pause,
    /// with no backoff (the failure is still logged and shown).
    fn changed_request(&mut self, now: Mono, failure: SyncFailure) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        self.pending_record = Some(job.failed_record(failure.to_string()));
        job.retry_at = now.plus(NARROW_PACE);
        let done = job.listing.is_done();
        // A failed request all the same: checking that stalls here for long (a wait asked
        // for in between) is told like any other.
        self.outage.failed(self.wall_at(now), Cause::of(&failure));
        self.last_error = Some(failure);
        if done {
            // What is left of the window cannot be asked for in any accepted form.
            self.finish_with(now, Page::default(), false);
        }
    }

    pub(super) fn handle_auth_rejected(&mut self, now: Mono, status: u16) {
        let Step::Running(job) = &mut self.step else {
            return;
        };
        if !job.auth_retried {
            // Try the other header form once, for the same request.
            job.auth_retried = true;
            job.auth = job.auth.other();
            return;
        }
        self.fail(now, SyncFailure::Auth(status), None);
        self.state.auth = None;
        self.step = Step::AuthStopped;
    }

    /// A redirect to another origin is not a passing fault: the API moved, or something
    /// between Doorpost and Parakey answers for it. Checking stops (the host is told at once,
    /// naming the host) until the host checks again or changes the address.
    pub(super) fn stop_redirected(&mut self, now: Mono, status: u16, location: Option<String>) {
        self.fail(now, SyncFailure::Redirect { status, location }, None);
        self.step = Step::RedirectStopped;
    }

    /// The one-row question after a bare refusal was answered: the `limit` was refused.
    /// The page itself is not taken (the listing asked for more and would read it as the
    /// end); the request goes again with a smaller `limit`, the lesson written at once.
    pub(super) fn limit_was_refused(&mut self, now: Mono, refused: u32) {
        let wall = self.wall_at(now);
        let Step::Running(job) = &mut self.step else {
            return;
        };
        let cap = step_down(refused);
        let learned = &mut self.state.learned;
        learned.max_limit = Some(learned.max_limit.map_or(cap, |m| m.min(cap)));
        learned.note(wall);
        job.listing.cap_limit(cap);
        job.retry_at = now.plus(NARROW_PACE);
        self.commit_held();
    }

    pub(super) fn fail(&mut self, now: Mono, failure: SyncFailure, retry_after: Option<i64>) {
        self.fail_counting(now, failure, retry_after, true);
    }

    /// [`Poller::fail`]; `counts: false` for a refusal that is no outage (a rate limit
    /// learned): waited out as asked, the backoff left as it was.
    fn fail_counting(
        &mut self,
        now: Mono,
        failure: SyncFailure,
        retry_after: Option<i64>,
        counts: bool,
    ) {
        let why = failure.to_string();
        let Step::Running(job) = &mut self.step else {
            return;
        };
        self.pending_record = Some(job.failed_record(why.clone()));
        // Failures while narrowing down a record the server cannot serve are its answer to
        // what a request holds, not an outage: they do not grow the backoff (a 429 between
        // them waited out an hour for it).
        let counts = counts && !job.narrow.active;
        if counts {
            self.failures += 1;
        }
        let retry_after = retry_after.map(|ra| ra.clamp(0, self.config.max_retry_after));
        let delay = match retry_after {
            Some(ra) if !counts => ra.max(Millis::SECOND),
            ra => self.retry_delay(ra),
        };
        if let Some(ra) = retry_after {
            self.not_before = now.plus(ra);
        }
        let Step::Running(job) = &mut self.step else {
            return;
        };
        // The sync is kept: the same request goes out again once the wait is over. What it
        // read so far is committed now, so that a long wait or a crash loses none of it.
        // While narrowing down a record the server cannot serve, a first failure of a new
        // request is retried at once: it is most likely the same record's doing.
        let first_of_its_kind = job.narrow.failed.is_some_and(|(_, _, n)| n == 1);
        job.retry_at = if job.narrow.active && first_of_its_kind && retry_after.is_none() {
            now.plus(NARROW_PACE)
        } else {
            now.plus(delay)
        };
        let held = !job.held.events.is_empty() || !job.held.quarantined.is_empty();
        self.outage.failed(self.wall_at(now), Cause::of(&failure));
        self.last_error = Some(failure);
        if held {
            self.commit_held();
        }
    }

    /// About 30 s after the first failure, doubling from there up to `max_backoff`, ±20 %.
    /// `Retry-After` is a minimum; while the failures are few it is the wait itself, so a
    /// rate-limited sync goes on as soon as the server allows.
    pub(super) fn retry_delay(&mut self, retry_after: Option<i64>) -> i64 {
        let exp = self.failures.saturating_sub(1).min(20);
        let base = self
            .config
            .retry_first
            .saturating_mul(1_i64 << exp)
            .min(self.config.max_backoff);
        let backoff = self.rng.range(base * 4 / 5, base * 6 / 5);
        match retry_after {
            Some(ra) if self.failures <= 2 => ra.max(Millis::SECOND),
            Some(ra) => ra.max(backoff),
            None => backoff,
        }
    }
}

/// The pause before a changed request (rule 14: never the same refused request again).
const NARROW_PACE: i64 = Millis::SECOND;

/// A 429 is waited out at the server's pace, without backoff, this many times in a row.
const RATE_LIMITED_PACED: u32 = 3;

/// The next `limit` down after a refusal or a page failing every time: 500 → 100 → 25 →
/// 5 → 1.
fn step_down(limit: u32) -> u32 {
    match limit {
        0..=1 => 1,
        2..=5 => 1,
        6..=25 => 5,
        26..=100 => 25,
        _ => 100,
    }
}

/// The start of `text`, at most `max` characters, on one line.
fn cut(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    one_line.trim().to_string()
}

/// The largest `limit` an error text names ("limit must not be greater than 100", "limit:
/// maximum is 100", "limit must be less than 101"), if it names one.
/// A refusal's own words, where its body is JSON: `message` (a string, or a list of them
/// as validation libraries send), else `error`, `detail` or `title`; else the body as is.
pub fn refusal_text(detail: &str) -> String {
    let Ok(serde_json::Value::Object(body)) = serde_json::from_str(detail.trim()) else {
        return detail.to_string();
    };
    let said = ["message", "error", "detail", "title"]
        .iter()
        .filter_map(|key| match body.get(*key) {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Array(items)) => {
                let texts: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                (!texts.is_empty()).then(|| texts.join("; "))
            }
            _ => None,
        })
        .next();
    said.unwrap_or_else(|| detail.to_string())
}

/// Whether a refusal's text speaks of the page size (then it is lowered without asking).
fn names_limit(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    ["limit", "page size", "too large"]
        .iter()
        .any(|w| lower.contains(w))
}

pub fn limit_named(detail: &str) -> Option<u32> {
    let lower = detail.to_ascii_lowercase();
    let at = lower.find("limit")?;
    let after = &lower[at..];
    let digits_at = after.find(|c: char| c.is_ascii_digit())?;
    if digits_at > 80 {
        return None;
    }
    let digits: String = after[digits_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let n: u32 = digits.parse().ok()?;
    let before = &after[..digits_at];
    let strictly_less = before.contains("less than") && !before.contains("equal");
    let n = if strictly_less {
        n.saturating_sub(1)
    } else {
        n
    };
    (n >= 1).then_some(n)
}

/// Changes the listing after the server refused `query`; false when nothing is left.
fn adapt(learned: &mut Learned, listing: &mut Listing, query: Query, detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let lower_limit = |learned: &mut Learned, listing: &mut Listing, cap: u32| {
        learned.max_limit = Some(learned.max_limit.map_or(cap, |m| m.min(cap)));
        listing.cap_limit(cap);
        true
    };
    let skip = matches!(
        query,
        Query::Newest { skip: 1.., .. } | Query::Ascending { skip: 1.., .. }
    );
    let ascending = matches!(query, Query::Ascending { .. });
    let undated = matches!(query, Query::Newest { skip: 0, .. });
    if let Some(max) = limit_named(detail).filter(|m| *m < query.limit()) {
        return lower_limit(learned, listing, max);
    }
    if skip && listing.refused() {
        return true;
    }
    if ascending && !learned.asc_refused && says(&["order", "asc", "sort", "direction"]) {
        learned.asc_refused = true;
        listing.refuse_ascending();
        return true;
    }
    if query.limit() > 1 && (says(&["limit", "page size", "too large"]) || query.limit() > 25) {
        return lower_limit(learned, listing, step_down(query.limit()));
    }
    if ascending && !learned.asc_refused {
        learned.asc_refused = true;
        listing.refuse_ascending();
        return true;
    }
    if undated && listing.refuse_undated() {
        return true;
    }
    if query.limit() > 1 {
        return lower_limit(learned, listing, step_down(query.limit()));
    }
    false
}

/// A page from tomorrow on, empty on any server: it asks whether the server serves
/// requests at all, without touching the records that fail. Tomorrow by the server's
/// clock, else by the later of its newest row and this computer's wall clock (an empty
/// first load without a `Date` header leaves a watermark at 1970, and the driver's clock
/// counts from boot); a year ahead once tomorrow failed too; and always after a record
/// known to fail.
pub(super) fn control_query(state: &SyncState, job: &Job, wall: Millis) -> Query {
    let latest = state.watermark.map_or(wall, |w| w.max(wall));
    let base = job.server_date.unwrap_or(latest);
    let ahead = if job.narrow.control_far {
        365 * Millis::DAY
    } else {
        Millis::DAY
    };
    let past_unservable = state
        .learned
        .unservable
        .map_or(Millis(i64::MIN), |at| at.plus(1));
    Query::Since {
        start: base.plus(ahead).max(past_unservable),
        limit: 1,
    }
}
