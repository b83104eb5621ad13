//! How one window of event logs is listed completely with documented parameters only.
//!
//! A window is "every row whose `createdAt` is at or after `window_start`". A [`Listing`]
//! asks for pages and reads what comes back; it never trusts a belief about the page size
//! to stop, only what the rows prove:
//!
//! 1. **The newest rows** (`orderBy=createdAt:DESC&limit=N`, no date filter). A page sorted
//!    newest first whose oldest row lies before `window_start` holds every row of the
//!    window: one request, whatever `startDate` filters on. The first page is the probe;
//!    when it is full and small, one larger page follows.
//! 2. **A walk** (`startDate=S&orderBy=createdAt:ASC&limit=N`) from `window_start` up to
//!    the oldest row the newest pages hold. Each next `startDate` is the largest
//!    `createdAt` of the page minus 1 ms, so an inclusive and an exclusive `startDate` both
//!    list that millisecond again: rows sharing it across a page boundary, in any order,
//!    are read whole on the next page. The walk ends when a page reaches past the newest
//!    pages' oldest row, or ends short of a full page there.
//! 3. **`skip`, only as a checked optimisation.** Where `startDate` may filter on the
//!    device `timestamp` (unproven), more of the newest rows are read with `skip`,
//!    overlapping the previous page by one row; the overlap row must come back first, or
//!    `skip` is not trusted for this window. Inside the walk, a millisecond holding more
//!    rows than a page is paged the same way. A 400 or an ignored `skip` is remembered
//!    ([`SkipSupport`]) and only ever makes Doorpost use `skip` less.
//!
//! Where the server makes completeness impossible (more rows on one `createdAt` than it
//! returns in a page and no trustworthy `skip`, pages out of order, or a `startDate` that
//! drops rows the newest pages show), the listing goes on past the problem and reports it
//! as [`Incomplete`].

use serde::{Deserialize, Serialize};

use super::{Query, SkipSupport, StartFilter};
use crate::event::{EventLog, Page, Record};
use crate::time::Millis;

/// Why a window could not be listed completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncompleteReason {
    /// More rows share one `createdAt` than the server returns in a page, and `skip` does
    /// not page through them reliably.
    TiesBeyondPage,
    /// `startDate` dropped rows the newest pages hold: it filters on the device time.
    DeviceTimeFilter,
    /// A page came back out of `createdAt` order.
    Unordered,
    /// A page of the walk held only records that could not be read, so the walk could not
    /// tell where to go on; or the server failed every page holding one record, which was
    /// stepped past (`at..=until` is the time it could not read).
    Unreadable,
    /// The server refused every form but Parakey's documented newest-first one, and the
    /// window held more rows than one page of it.
    NewestOnly,
}

/// Part of a window that could not be listed completely, for Status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Incomplete {
    pub reason: IncompleteReason,
    /// The `createdAt` where it happened (the tie, or the page that went wrong)...
    pub at: Millis,
    /// ...up to this one, when the same happened again further on.
    pub until: Millis,
}

impl Incomplete {
    pub fn covers(&self, created_at: Millis) -> bool {
        self.at <= created_at && created_at <= self.until
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// The newest rows, no date filter.
    Newest { limit: u32 },
    /// More of the newest rows through `skip`, overlapping the previous page by one row.
    NewestSkip { skip: u32 },
    /// Oldest first from `start`; `skip` > 0 only while paging one crowded millisecond.
    Walk { start: Millis, skip: u32 },
    /// Past a millisecond the server cannot list: `startDate=at`, then `at + 1` if the
    /// server reads `startDate` inclusively.
    PastTie { at: Millis, plus_one: bool },
    /// Past a record the server cannot serve, by time: one-row pages from `bad + step`
    /// (growing) until one is served, then halving back towards the last failure, so that
    /// only the failing record's own millisecond is lost. `from` is where the search
    /// began: another such record between it and the one found, with readable rows
    /// around, can fool the halving, so the whole stretch is reported.
    PastBad {
        bad: Millis,
        ok: Option<Millis>,
        step: i64,
        from: Millis,
    },
    /// The documented form, newest first from `startDate`: the floor when `ASC` or the
    /// newest rows without a date are refused.
    Since { start: Millis },
}

/// What the listing needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Request(Query),
    Done,
}

/// Lists one window. See the module docs.
#[derive(Debug, Clone)]
pub struct Listing {
    window_start: Millis,
    page_limit: u32,
    stage: Stage,
    start_filter: StartFilter,
    skip: SkipSupport,
    /// Rows at or after this `createdAt` are listed by the newest pages.
    covered_from: Option<Millis>,
    /// The previous page's records (identity, `createdAt` when readable), in body order.
    previous: Vec<(String, Option<Millis>)>,
    /// The last newest page's rows, to check the walk against where they overlap.
    newest_rows: Vec<(String, Millis)>,
    /// How often the newest rows were read again from the top after `skip` lost its place.
    restarts: u8,
    /// The page a `skip` chain started from (the newest page, or the first page of a
    /// crowded millisecond): an ignored `skip` answers with exactly that page again.
    chain_start: Vec<(String, Option<Millis>)>,
    /// How often a `skip` chain answered with its first page again.
    seen_ignored: u8,
    /// Every record read at one crowded millisecond while paging with `skip` (the oldest
    /// millisecond of the newest pages, or the walk's boundary): a record read twice means
    /// the order moved under `skip`, so some may have been passed over.
    tie_ids: std::collections::HashSet<String>,
    /// What could not be listed, oldest first (a few at most are kept).
    incomplete: Vec<Incomplete>,
    /// `orderBy=createdAt:ASC` is refused: no walk, only the documented form.
    asc_refused: bool,
    /// The millisecond of a record the server cannot serve, pinned by an earlier sync: a
    /// walk's page failing at or before it steps straight past it.
    unservable: Option<Millis>,
    /// The millisecond of the last record this listing stepped past by time.
    pinned: Option<Millis>,
    /// `skip` pages stepped past in a row (each failed every time).
    skips_failed: u8,
    /// A page of the newest rows came back older than one read before it (see
    /// [`Listing::saw_stale`]).
    stale: bool,
    /// How many records the last page of the newest rows held.
    newest_read: usize,
    done: bool,
}

impl Listing {
    /// A listing that starts with the newest rows (`first_limit`: the probe's size).
    pub fn new(
        window_start: Millis,
        first_limit: u32,
        page_limit: u32,
        start_filter: StartFilter,
        skip: SkipSupport,
    ) -> Listing {
        Listing {
            window_start,
            page_limit,
            stage: Stage::Newest { limit: first_limit },
            start_filter,
            skip,
            covered_from: None,
            previous: Vec::new(),
            newest_rows: Vec::new(),
            tie_ids: std::collections::HashSet::new(),
            restarts: 0,
            chain_start: Vec::new(),
            seen_ignored: 0,
            incomplete: Vec::new(),
            asc_refused: false,
            unservable: None,
            pinned: None,
            skips_failed: 0,
            stale: false,
            newest_read: usize::MAX,
            done: false,
        }
    }

    /// Knows of a record the server cannot serve at `at` (see [`Listing::pinned`]). When it
    /// lies above every row read so far (`on_top`: dated in the server's future), every page
    /// of the newest rows holds it and fails, so the listing starts with the walk.
    pub fn avoiding(mut self, at: Option<Millis>, on_top: bool) -> Listing {
        self.unservable = at;
        if at.is_some() && on_top && matches!(self.stage, Stage::Newest { .. }) {
            self.start_walk();
        }
        self
    }

    /// Whether the next page of the walk starts at or before the record pinned before.
    pub fn may_hold_unservable(&self) -> bool {
        match self.stage {
            Stage::Walk { start, .. } | Stage::PastTie { at: start, .. } => {
                self.unservable.is_some_and(|at| at >= start)
            }
            _ => false,
        }
    }

    /// Whether the next page starts at the record pinned before (failing, `startDate` is
    /// inclusive, and the walk goes on from the millisecond after).
    pub fn at_unservable(&self) -> bool {
        matches!(self.stage, Stage::PastTie { at, plus_one: false } if Some(at) == self.unservable)
    }

    /// Whether the first page is one of the newest rows (the probe's).
    pub fn starts_newest(&self) -> bool {
        matches!(self.stage, Stage::Newest { .. })
    }

    /// The millisecond of the last record this listing stepped past by time, to remember.
    pub fn pinned(&self) -> Option<Millis> {
        self.pinned
    }

    /// Lists without `orderBy=createdAt:ASC` (the server refused it).
    pub fn without_ascending(mut self) -> Listing {
        self.asc_refused = true;
        self
    }

    /// No page larger than `max` from now on (the server refused larger ones, or failed
    /// every larger page).
    pub fn cap_limit(&mut self, max: u32) {
        let max = max.max(1);
        self.page_limit = self.page_limit.min(max);
        if let Stage::Newest { limit } = &mut self.stage {
            *limit = (*limit).min(max);
        }
    }

    /// The server refused `ASC`: the rest of the window in the documented form.
    pub fn refuse_ascending(&mut self) {
        self.asc_refused = true;
        if matches!(
            self.stage,
            Stage::Walk { .. } | Stage::PastTie { .. } | Stage::PastBad { .. }
        ) {
            self.start_walk();
        }
    }

    /// The server refused the newest rows without a date: the documented form instead.
    pub fn refuse_undated(&mut self) -> bool {
        match self.stage {
            Stage::Newest { .. } | Stage::NewestSkip { .. } if self.covered_from.is_none() => {
                self.stage = Stage::Since {
                    start: self.window_start,
                };
                true
            }
            Stage::NewestSkip { .. } => {
                self.skip = SkipSupport::Rejected;
                self.start_walk();
                true
            }
            _ => false,
        }
    }

    /// Past a failing page of the newest rows at `skip`.
    fn step_past_skip(&mut self, skip: u32) -> bool {
        if self.asc_refused && self.skips_failed >= SKIPS_PAST_BAD {
            // Where only the newest-first form is accepted there is no time to step by:
            // `skip` goes on, up to a bound, and past it the rest of the window is
            // reported unreadable (found by 10,000 random schedules: three failing records
            // in a row sent the listing to a walk, which fell back to one page of the
            // documented form and left the rows beneath them unread and unreported).
            self.give_up_unreadable(self.window_start);
        } else if self.skips_failed >= 2 && self.skip != SkipSupport::Honoured && !self.asc_refused
        {
            // Three failing pages in a row at unproven `skip`s: a server that ignores
            // `skip` answers every one with the failing record. Stepping by time can tell.
            // What those steps noted as unreadable, the walk finds and notes itself.
            let at = self.covered_from.unwrap_or(self.window_start);
            self.incomplete
                .retain(|i| !(i.reason == IncompleteReason::Unreadable && i.at == at));
            self.start_walk();
        } else {
            self.skips_failed += 1;
            let at = self.covered_from.unwrap_or(self.window_start);
            self.note_incomplete(IncompleteReason::Unreadable, at);
            self.stage = Stage::NewestSkip { skip: skip + 1 };
        }
        true
    }

    /// Gives the rest of the window up as unreadable from `start`, up to what was covered.
    fn give_up_unreadable(&mut self, start: Millis) {
        let covered = self.covered_from;
        self.give_up(IncompleteReason::Unreadable, start);
        if let (Some(last), Some(covered)) = (self.incomplete.last_mut(), covered) {
            last.until = last.until.max(covered);
        }
    }

    /// A one-row page failed every time: the record it would hold cannot be served. Goes
    /// on past it (by `skip` among the newest rows, else by time), noting the gap. False
    /// when there is no way past it.
    pub fn step_past(&mut self) -> bool {
        match self.stage.clone() {
            Stage::NewestSkip { skip } => self.step_past_skip(skip),
            Stage::Newest { .. } => {
                let skip_usable = matches!(self.skip, SkipSupport::Unknown | SkipSupport::Honoured);
                if skip_usable && self.start_filter != StartFilter::CreatedAt {
                    self.chain_start = Vec::new();
                    self.stage = Stage::NewestSkip { skip: 1 };
                } else {
                    self.start_walk();
                }
                true
            }
            Stage::Walk { start, .. } | Stage::PastTie { at: start, .. } => {
                self.walk_past_bad(start);
                true
            }
            Stage::PastBad {
                bad,
                ok,
                step,
                from,
            } => {
                let probe = past_bad_probe(bad, ok, step);
                // Until a readable page is found, the steps grow fourfold.
                let step = if ok.is_none() {
                    step.saturating_mul(4)
                } else {
                    step
                };
                self.stage = Stage::PastBad {
                    bad: probe,
                    ok,
                    step,
                    from,
                };
                self.settle_past_bad();
                true
            }
            Stage::Since { start } => {
                if matches!(self.skip, SkipSupport::Unknown | SkipSupport::Honoured) {
                    // The documented form lists newest first: a record failing at its top
                    // (dated in the server's future) fails every page of it. `skip` pages
                    // past it, newest first, down to the window's start (found by 10,000
                    // random schedules: the same failing page was sent for hours).
                    // No page above it could be read: nothing to overlap with.
                    self.chain_start = Vec::new();
                    self.previous = Vec::new();
                    self.stage = Stage::NewestSkip { skip: 1 };
                } else {
                    // Nothing is left to change: the rest of the window cannot be read,
                    // and Status says so, rather than asking the same again forever.
                    self.give_up_unreadable(start);
                }
                true
            }
        }
    }

    /// The walk's page from `start` fails every time, down to one row: past the record
    /// pinned before if it may be the one, else a search by time.
    fn walk_past_bad(&mut self, start: Millis) {
        let Some(at) = self.unservable.filter(|at| *at >= start) else {
            self.stage = Stage::PastBad {
                bad: start,
                ok: None,
                step: 1,
                from: start,
            };
            return;
        };
        // The record pinned before, or another before it: the gap between is reported
        // with it, rather than searched again (dozens of requests).
        self.note_incomplete(IncompleteReason::Unreadable, start);
        if let Some(last) = self.incomplete.last_mut() {
            last.until = last.until.max(at);
        }
        self.pinned = Some(at);
        // From `at` (an exclusive `startDate` lists what follows it); at `at` again, the
        // server reads it inclusively: from `at + 1`.
        self.stage = if at > start {
            Stage::PastTie {
                at,
                plus_one: false,
            }
        } else {
            Stage::Walk {
                start: at.plus(1),
                skip: 0,
            }
        };
    }

    /// Stepping past a record the server cannot serve, by time.
    pub fn stepping_past(&self) -> bool {
        matches!(self.stage, Stage::PastBad { .. })
    }

    /// Once the failing record is pinned to one millisecond, the walk goes on after it.
    fn settle_past_bad(&mut self) {
        if let Stage::PastBad {
            bad,
            ok: Some(ok),
            from,
            ..
        } = self.stage
            && ok.since(bad) <= 1
        {
            self.note_incomplete(IncompleteReason::Unreadable, from.min(bad));
            if let Some(last) = self.incomplete.last_mut() {
                last.until = last.until.max(bad);
            }
            self.pinned = Some(bad);
            self.stage = Stage::Walk { start: ok, skip: 0 };
        }
    }

    /// A listing that resumes a walk: rows from `start` up to `covered_from` remain.
    pub fn resume_walk(
        window_start: Millis,
        start: Millis,
        covered_from: Millis,
        page_limit: u32,
        start_filter: StartFilter,
        skip: SkipSupport,
    ) -> Listing {
        Listing {
            stage: Stage::Walk { start, skip: 0 },
            covered_from: Some(covered_from),
            ..Listing::new(window_start, page_limit, page_limit, start_filter, skip)
        }
    }

    /// Late: the window start is known only once the server's clock is (a backfill).
    pub fn set_window_start(&mut self, window_start: Millis) {
        self.window_start = window_start;
    }

    pub fn window_start(&self) -> Millis {
        self.window_start
    }

    pub fn next(&self) -> Next {
        if self.done {
            return Next::Done;
        }
        Next::Request(match self.stage {
            Stage::Newest { limit } => Query::Newest { limit, skip: 0 },
            Stage::NewestSkip { skip } => Query::Newest {
                limit: self.page_limit,
                skip,
            },
            Stage::Walk { start, skip } => Query::Ascending {
                start,
                limit: self.page_limit,
                skip,
            },
            Stage::PastTie { at, plus_one } => Query::Ascending {
                start: if plus_one { at.plus(1) } else { at },
                limit: self.page_limit,
                skip: 0,
            },
            Stage::PastBad { bad, ok, step, .. } => Query::Ascending {
                start: past_bad_probe(bad, ok, step),
                limit: 1,
                skip: 0,
            },
            Stage::Since { start } => Query::Since {
                start,
                limit: self.page_limit,
            },
        })
    }

    /// Where an interrupted listing can pick up after a restart: `(start, covered_from)`
    /// of a walk. `None` while reading the newest rows (a restart reads them again).
    pub fn resume_point(&self) -> Option<(Millis, Millis)> {
        match (&self.stage, self.covered_from) {
            (Stage::Walk { start, .. }, Some(covered)) => Some((*start, covered)),
            _ => None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// What could not be listed since the last call, in the order met (so that each is
    /// committed with the page that met it, and survives a crash after it).
    pub fn take_incomplete(&mut self) -> Vec<Incomplete> {
        std::mem::take(&mut self.incomplete)
    }

    /// Whether `startDate` was found dropping rows the newest pages hold.
    pub fn found_device_time(&self) -> bool {
        (self.incomplete.iter()).any(|i| i.reason == IncompleteReason::DeviceTimeFilter)
    }

    pub fn start_filter(&self) -> StartFilter {
        self.start_filter
    }

    pub fn skip_support(&self) -> SkipSupport {
        self.skip
    }

    /// The server answered 400 to the last request. True when the listing can go on
    /// without what was refused (`skip`); false when the refusal is a failure.
    pub fn refused(&mut self) -> bool {
        match self.stage {
            Stage::NewestSkip { .. } => {
                self.skip = SkipSupport::Rejected;
                self.start_walk();
                true
            }
            Stage::Walk { start, skip } if skip > 0 => {
                self.skip = SkipSupport::Rejected;
                let crowded = newest_of(&self.previous).unwrap_or(start.plus(1));
                self.unlistable_tie(crowded);
                true
            }
            _ => false,
        }
    }

    /// Reads the page that answered [`Listing::next`]'s last request.
    pub fn take(&mut self, page: &Page) {
        let records = records_in(page);
        if matches!(self.stage, Stage::Newest { .. }) && !self.stale && self.older_than_read(page) {
            // A larger page of the newest rows without the newest row read before: a
            // kept answer (a caching layer), not the server's present. It proves nothing;
            // the listing goes on from the page read before, in requests of other forms.
            self.stale = true;
            let records = u32::try_from(self.previous.len()).unwrap_or(u32::MAX);
            self.extend(records);
            return;
        }
        match self.stage.clone() {
            Stage::Newest { limit } => self.take_newest(page, records, limit),
            Stage::NewestSkip { .. } => self.take_newest_skip(page, records),
            Stage::Walk { start, skip } => self.take_walk(page, records, start, skip),
            Stage::PastTie { at, plus_one } => self.take_past_tie(page, records, at, plus_one),
            Stage::PastBad {
                bad,
                ok,
                step,
                from,
            } => self.take_past_bad(page, records, (bad, ok, step, from)),
            Stage::Since { start } => self.take_since(page, records, start),
        }
        self.previous = identities(page);
    }

    /// Whether `page`, of the newest rows, is older than the page of them read just before
    /// it in this listing, which was smaller: it lacks that page's newest row, or holds
    /// fewer records.
    fn older_than_read(&self, page: &Page) -> bool {
        let Some(read) = self.newest_rows.iter().map(|(_, at)| *at).max() else {
            return false;
        };
        if self.newest_read != self.previous.len() {
            return false; // the page before was not of the newest rows (a restart)
        }
        if (records_in(page) as usize) < self.previous.len() {
            return true;
        }
        // Every row of the smaller page newer than this page's oldest is in this one, on any
        // server that answers for its present (ties at the oldest millisecond aside).
        if let Some(floor) = oldest(&page.events) {
            let ids: std::collections::HashSet<&str> =
                page.events.iter().map(|e| e.id.as_str()).collect();
            if (self.newest_rows.iter()).any(|(id, at)| *at > floor && !ids.contains(id.as_str())) {
                return true;
            }
        }
        // (A page of only unreadable records counts too: were it fresh, being larger, it
        // would hold the row read before. Taking one for stale costs nothing but going on.)
        page.events.iter().map(|e| e.created_at).max() < Some(read)
    }

    /// Whether a page of the newest rows came back older than one read before: a caching
    /// layer answered. What the first page showed (its ETag) is then no proof that the
    /// window was listed as of it.
    pub fn saw_stale(&self) -> bool {
        self.stale
    }

    fn take_newest(&mut self, page: &Page, records: u32, limit: u32) {
        self.previous = identities(page);
        self.newest_read = self.previous.len();
        let Some(oldest) = oldest(&page.events) else {
            if records == 0 {
                self.done = true; // nothing at all: nothing more to list
            } else {
                self.extend(records); // only unreadable records: they prove nothing
            }
            return;
        };
        if !sorted(&page.events, Order::Desc) {
            self.give_up(IncompleteReason::Unordered, oldest);
            return;
        }
        self.covered_from = Some(oldest);
        self.newest_rows = rows_of(&page.events);
        self.tie_ids = ids_at(page, oldest);
        if oldest < self.window_start {
            self.done = true;
        } else if records >= limit && limit < self.page_limit {
            self.stage = Stage::Newest {
                limit: self.page_limit,
            };
        } else {
            self.extend(records);
        }
    }

    /// More than the newest page in the window: `skip` where `startDate` is unproven,
    /// else the walk.
    fn extend(&mut self, records: u32) {
        let skip_usable = matches!(self.skip, SkipSupport::Unknown | SkipSupport::Honoured);
        if self.start_filter != StartFilter::CreatedAt && skip_usable && records > 0 {
            self.chain_start = self.previous.clone();
            self.stage = Stage::NewestSkip {
                skip: next_skip(0, records),
            };
        } else {
            self.start_walk();
        }
    }

    fn take_newest_skip(&mut self, page: &Page, records: u32) {
        let Stage::NewestSkip { skip } = self.stage else {
            return;
        };
        self.skips_failed = 0;
        if records == 0 {
            // Past the last row: the previous page was the oldest there is.
            self.done = true;
            return;
        }
        let ordered = identities(page);
        if self.same_page_again(&ordered) || self.only_the_overlap(&ordered) {
            return;
        }
        let whole_page = ordered.len();
        let before = ids_of(&self.previous);
        let ordered = shifted_tail(&self.previous, ordered);
        if self.previous.len() > 1
            && whole_page > 1
            && ordered.len() == 1
            && ordered.first() == self.previous.last()
        {
            // New rows at the top pushed this page back onto the previous one.
            self.stage = Stage::NewestSkip {
                skip: next_skip(skip, records),
            };
            return;
        }
        if ordered.iter().all(|(id, _)| before.contains(id.as_str())) {
            return self.lost_place(); // nothing new: `skip` went nowhere
        }
        // Past a record no page could be read with, there is no page to overlap with.
        if !self.previous.is_empty() && !overlaps(&self.previous, &ordered, Order::Desc) {
            return self.lost_place();
        }
        let boundary = self.covered_from;
        let reread_at_boundary = ordered[usize::from(self.previous.len() > 1)..]
            .iter()
            .any(|(id, at)| *at == boundary && self.tie_ids.contains(id));
        if !sorted(&page.events, Order::Desc)
            || rereads(&before, self.previous.len(), &ordered)
            || reread_at_boundary
        {
            // Rows moved under `skip` (an unstable order among equal `createdAt`s).
            return self.lost_place();
        }
        if page.events.is_empty() {
            // Only unreadable records: step over them.
            self.stage = Stage::NewestSkip {
                skip: next_skip(skip, records),
            };
            return;
        }
        self.skip = SkipSupport::Honoured;
        let oldest = oldest(&page.events).expect("a page with readable rows");
        if Some(oldest) == boundary {
            self.tie_ids.extend(ids_at(page, oldest));
        } else {
            self.tie_ids = ids_at(page, oldest);
        }
        self.covered_from = Some(oldest);
        self.newest_rows = rows_of(&page.events);
        if oldest < self.window_start {
            self.done = true;
        } else {
            self.stage = Stage::NewestSkip {
                skip: next_skip(skip, records),
            };
        }
    }

    /// A page seen before, exactly. The newest rows again: `skip` was ignored, or new rows
    /// pushed everything back by just that much; reading from the top again tells, and
    /// twice is taken as ignored. The previous page again: `skip` ignored, or exactly a
    /// page less one row arrived at the top; only reading from the top again tells them
    /// apart, and that is not evidence enough to stop using `skip`. (Taking it for a push
    /// every time paged an ignoring server with ever larger `skip`s until the sync's
    /// request budget ran out.)
    fn same_page_again(&mut self, ordered: &[(String, Option<Millis>)]) -> bool {
        if ordered == self.chain_start {
            self.seen_ignored += 1;
            if self.seen_ignored >= 2 {
                self.skip = SkipSupport::Ignored;
                self.start_walk();
            } else {
                self.lost_place();
            }
            true
        } else if ordered == self.previous {
            self.lost_place();
            true
        } else {
            false
        }
    }

    /// Only the overlap came back, though perhaps not the same record: among rows sharing
    /// the oldest `createdAt` an unstable order may put any of them last. One record at
    /// that `skip` means the previous page held the oldest rows. (A server that cut its
    /// pages to one row between these two requests would look the same; the next sweep
    /// lists these rows again.)
    fn only_the_overlap(&mut self, ordered: &[(String, Option<Millis>)]) -> bool {
        let [(id, at)] = ordered else {
            return false;
        };
        let last = self.previous.last().is_some_and(|(prev, _)| prev == id);
        let tied = at.is_some()
            && *at == self.covered_from
            && self.previous.iter().any(|(prev, _)| prev == id);
        // Narrowed to one row (a record the server cannot serve nearby), a one-row page is
        // what was asked for, and says nothing about the end.
        if self.previous.len() > 1 && (last || tied) && self.page_limit > 1 {
            self.done = true;
        }
        self.done
    }

    /// `skip` lost its place (rows moved under it). Where `startDate` is proven to filter on
    /// `createdAt` the walk is as good; otherwise read the newest rows again from the top,
    /// a couple of times, before settling for the walk.
    fn lost_place(&mut self) {
        const RESTARTS: u8 = 3;
        if self.start_filter != StartFilter::CreatedAt && self.restarts < RESTARTS {
            self.restarts += 1;
            // The new chain proves its own coverage: a boundary left from the abandoned
            // one made its rows look reread when the new chain reached them, restarting
            // it until the walk was all that was left (found by 10,000 random schedules).
            self.covered_from = None;
            self.tie_ids.clear();
            self.stage = Stage::Newest {
                limit: self.page_limit,
            };
        } else {
            self.start_walk();
        }
    }

    fn start_walk(&mut self) {
        if !self.asc_refused {
            self.stage = Stage::Walk {
                start: self.window_start.minus(1),
                skip: 0,
            };
        } else if let Some(covered) = self.covered_from {
            // Only the documented newest-first form is left, and the newest rows did not
            // reach back to the window's start.
            self.note_incomplete(IncompleteReason::NewestOnly, self.window_start);
            if let Some(last) = self.incomplete.last_mut() {
                last.until = last.until.max(covered);
            }
            self.done = true;
        } else {
            self.stage = Stage::Since {
                start: self.window_start,
            };
        }
    }

    /// A one-row page past a record the server cannot serve was served at `probe`.
    fn take_past_bad(
        &mut self,
        page: &Page,
        records: u32,
        (bad, ok, step, from): (Millis, Option<Millis>, i64, Millis),
    ) {
        let probe = past_bad_probe(bad, ok, step);
        self.stage = Stage::PastBad {
            bad,
            ok: Some(probe),
            step,
            from,
        };
        self.settle_past_bad();
        if let Stage::Walk { start, .. } = self.stage {
            // Pinned: this page is the walk's next one.
            self.take_walk(page, records, start, 0);
        }
    }

    /// The documented form: the newest rows from `start`. A full page whose oldest row
    /// is still inside the window leaves the older part unlisted: no documented parameter
    /// reaches it.
    fn take_since(&mut self, page: &Page, records: u32, start: Millis) {
        self.done = true;
        let Some(oldest) = oldest(&page.events) else {
            if records > 0 {
                self.note_incomplete(IncompleteReason::Unreadable, start);
            }
            return;
        };
        if !sorted(&page.events, Order::Desc) {
            return self.note_incomplete(IncompleteReason::Unordered, oldest);
        }
        if records >= self.page_limit && oldest > start {
            self.note_incomplete(IncompleteReason::NewestOnly, start);
            if let Some(last) = self.incomplete.last_mut() {
                last.until = last.until.max(oldest);
            }
        }
    }

    fn take_walk(&mut self, page: &Page, records: u32, start: Millis, skip: u32) {
        self.note_filter_evidence(page, start);
        if page.events.iter().any(|e| e.created_at < start) {
            // A row from before `startDate`: it filters on something else (the lock's
            // clock). Walking on would go back and forth between two dates (found by
            // 10,000 random schedules: thousands of requests in one check).
            self.start_filter = StartFilter::Timestamp;
            return self.give_up(IncompleteReason::DeviceTimeFilter, start);
        }
        let target = self.covered_from.unwrap_or(Millis(i64::MAX));
        let crowded = newest_of(&self.previous).unwrap_or(start.plus(1));
        if page.events.is_empty() {
            if records > 0 {
                return self.give_up(IncompleteReason::Unreadable, start);
            }
            if skip > 0 && crowded >= target {
                // The crowded millisecond, paged to its end, was the newest pages' oldest.
                self.done = true;
                return;
            }
            return self.short_of_target(start);
        }
        if skip > 0 {
            let records = identities(page);
            if records == self.chain_start {
                // The crowded millisecond's first page again, exactly: `skip` was ignored.
                self.skip = SkipSupport::Ignored;
                return self.unlistable_tie(crowded);
            }
            if !overlaps(&self.previous, &records, Order::Asc) {
                return self.unlistable_tie(crowded);
            }
            let fresh = &records[usize::from(self.previous.len() > 1)..];
            if fresh.iter().any(|(id, _)| self.tie_ids.contains(id)) {
                return self.unlistable_tie(crowded);
            }
            self.tie_ids.extend(fresh.iter().map(|(id, _)| id.clone()));
        } else {
            self.tie_ids.clear();
        }
        let Some(newest) = newest(&page.events) else {
            return self.short_of_target(start);
        };
        if !sorted(&page.events, Order::Asc) {
            return self.give_up(IncompleteReason::Unordered, start);
        }
        if newest > target {
            self.check_overlap_with_newest(page, start);
            self.done = true;
        } else if newest > start.plus(1) {
            self.stage = Stage::Walk {
                start: newest.minus(1),
                skip: 0,
            };
        } else if matches!(self.skip, SkipSupport::Unknown | SkipSupport::Honoured) {
            // One crowded millisecond fills the page (or a server pages one row at a
            // time): page through it with `skip`.
            if skip == 0 {
                self.chain_start = identities(page);
                self.tie_ids = self.chain_start.iter().map(|(id, _)| id.clone()).collect();
            }
            self.stage = Stage::Walk {
                start,
                skip: next_skip(skip, records),
            };
        } else {
            self.unlistable_tie(newest);
        }
    }

    /// A millisecond holding more rows than a page, and no trustworthy `skip`: list what
    /// can be listed after it, and say so.
    fn unlistable_tie(&mut self, at: Millis) {
        self.note_incomplete(IncompleteReason::TiesBeyondPage, at);
        self.past_tie(at);
    }

    /// An empty page before the rows the newest pages hold: `startDate` is not filtering on
    /// `createdAt`. Without newest pages (they held nothing readable), an empty page is
    /// simply the end.
    fn short_of_target(&mut self, start: Millis) {
        if self.covered_from.is_none() {
            self.done = true;
            return;
        }
        self.start_filter = StartFilter::Timestamp;
        self.give_up(IncompleteReason::DeviceTimeFilter, start);
    }

    /// Where the walk meets the newest pages, every row they hold in that range must be on
    /// the walk's page; one missing means `startDate` dropped it.
    fn check_overlap_with_newest(&mut self, page: &Page, start: Millis) {
        let walk_newest = newest(&page.events).unwrap_or(start);
        let on_page: std::collections::HashSet<&str> =
            page.events.iter().map(|e| e.id.as_str()).collect();
        let missing = self.newest_rows.iter().find(|(id, at)| {
            *at > start.plus(1) && *at < walk_newest && !on_page.contains(id.as_str())
        });
        if let Some((_, at)) = missing {
            self.start_filter = StartFilter::Timestamp;
            self.note_incomplete(IncompleteReason::DeviceTimeFilter, *at);
        }
    }

    /// A row that `startDate` let through although its device time lies before it: the
    /// server filters on `createdAt`.
    fn note_filter_evidence(&mut self, page: &Page, start: Millis) {
        let proves = page.events.iter().any(|e| {
            e.created_at > start && e.timestamp.is_some_and(|t| t < start.minus(Millis::SECOND))
        });
        if proves && self.start_filter == StartFilter::Unknown {
            self.start_filter = StartFilter::CreatedAt;
        }
    }

    fn past_tie(&mut self, at: Millis) {
        self.stage = Stage::PastTie {
            at,
            plus_one: false,
        };
    }

    fn take_past_tie(&mut self, page: &Page, records: u32, at: Millis, plus_one: bool) {
        let Some(newest) = newest(&page.events) else {
            if self.covered_from.is_some_and(|target| target > at) {
                return self.short_of_target(at);
            }
            self.done = true; // nothing after the crowded millisecond
            return;
        };
        if newest > at {
            // Past it; carry on as a walk from here.
            self.stage = Stage::Walk { start: at, skip: 0 };
            return self.take_walk(page, records, at, 0);
        }
        if plus_one {
            self.done = true; // `at + 1` answered with rows at `at`: nothing makes sense
        } else {
            // Only the crowded millisecond again: `startDate` is inclusive, so `at + 1`
            // skips it under either reading.
            self.stage = Stage::PastTie { at, plus_one: true };
        }
    }

    /// Notes a place the listing could not complete; past a few, the last one stretches to
    /// cover the rest, so the list stays small however bad the server.
    fn note_incomplete(&mut self, reason: IncompleteReason, at: Millis) {
        const KEPT: usize = 16;
        let full = self.incomplete.len() >= KEPT;
        match self.incomplete.last_mut() {
            Some(last) if full => {
                last.at = last.at.min(at);
                last.until = last.until.max(at);
            }
            _ => self.incomplete.push(Incomplete {
                reason,
                at,
                until: at,
            }),
        }
    }

    fn give_up(&mut self, reason: IncompleteReason, at: Millis) {
        self.note_incomplete(reason, at);
        self.done = true;
    }
}

/// Failing `skip` pages in a row after which a newest-first-only listing gives up on the
/// rest of its window (and says so).
const SKIPS_PAST_BAD: u8 = 20;

/// The `startDate` of the next one-row page past a record the server cannot serve: a
/// growing step from the last failure until a page is served, then halfway back.
fn past_bad_probe(bad: Millis, ok: Option<Millis>, step: i64) -> Millis {
    match ok {
        None => bad.plus(step.max(1)),
        Some(ok) => bad.plus((ok.since(bad) / 2).max(1)),
    }
}

fn records_in(page: &Page) -> u32 {
    u32::try_from(page.events.len() + page.quarantined.len()).unwrap_or(u32::MAX)
}

fn rows_of(events: &[EventLog]) -> Vec<(String, Millis)> {
    events
        .iter()
        .map(|e| (e.id.clone(), e.created_at))
        .collect()
}

fn oldest(events: &[EventLog]) -> Option<Millis> {
    events.iter().map(|e| e.created_at).min()
}

fn newest(events: &[EventLog]) -> Option<Millis> {
    events.iter().map(|e| e.created_at).max()
}

fn newest_of(records: &[(String, Option<Millis>)]) -> Option<Millis> {
    records.iter().filter_map(|(_, at)| *at).max()
}

/// A page read at `skip` after new rows arrived at the top starts a few records early,
/// with records of the previous page: drop those, up to its last record, so that the
/// overlap check sees the page as if nothing had arrived.
fn shifted_tail(
    previous: &[(String, Option<Millis>)],
    page: Vec<(String, Option<Millis>)>,
) -> Vec<(String, Option<Millis>)> {
    let Some((last, _)) = previous.last() else {
        return page;
    };
    if previous.len() < 2 {
        return page; // no overlap asked for, nothing to line up on
    }
    // A shift keeps the order: the page must begin with the previous page's last few
    // records, in the same order, up to its very last one. Those records must be readable
    // with distinct `createdAt`s: rows sharing one could be a reshuffle that only looks
    // like a shift.
    let shifted = page.iter().position(|(id, _)| id == last).filter(|&at| {
        let n = previous.len();
        at > 0
            && at < n
            && page[..at] == previous[n - 1 - at..n - 1]
            && previous[n - 1 - at..]
                .windows(2)
                .all(|w| matches!((w[0].1, w[1].1), (Some(a), Some(b)) if a > b))
    });
    match shifted {
        Some(at) => page[at..].to_vec(),
        None => page,
    }
}

/// The identities of a page's rows that arrived at `at`.
fn ids_at(page: &Page, at: Millis) -> std::collections::HashSet<String> {
    page.records()
        .iter()
        .filter(|r| r.created_at() == Some(at))
        .map(Record::identity)
        .collect()
}

fn identities(page: &Page) -> Vec<(String, Option<Millis>)> {
    page.records()
        .iter()
        .map(|r: &Record<'_>| (r.identity(), r.created_at()))
        .collect()
}

#[derive(Clone, Copy)]
enum Order {
    Asc,
    Desc,
}

fn sorted(events: &[EventLog], order: Order) -> bool {
    events.windows(2).all(|w| match order {
        Order::Asc => w[0].created_at <= w[1].created_at,
        Order::Desc => w[0].created_at >= w[1].created_at,
    })
}

/// The `skip` of the page after one read at `skip` that held `records` records: one row of
/// overlap, to check that `skip` moved as asked; none after a one-row page (a server that
/// pages one row at a time), where overlapping would not move at all.
fn next_skip(skip: u32, records: u32) -> u32 {
    if records > 1 {
        skip + records - 1
    } else {
        skip + records
    }
}

/// Whether a page read with one record of overlap (asked for after a previous page of
/// more than one record) holds, besides that record, a record of the previous page.
fn rereads(
    before: &std::collections::HashSet<&str>,
    previous_len: usize,
    page: &[(String, Option<Millis>)],
) -> bool {
    let skip_overlap = usize::from(previous_len > 1);
    page.iter()
        .skip(skip_overlap)
        .any(|(id, _)| before.contains(id.as_str()))
}

fn ids_of(records: &[(String, Option<Millis>)]) -> std::collections::HashSet<&str> {
    records.iter().map(|(id, _)| id.as_str()).collect()
}

/// Whether a page read at `skip` continues the previous one: it starts with the previous
/// page's last record (one record of overlap was asked for), or, after a one-record page
/// (no overlap asked for), with another record no out of order.
fn overlaps(
    previous: &[(String, Option<Millis>)],
    page: &[(String, Option<Millis>)],
    order: Order,
) -> bool {
    let (Some((first, first_at)), Some((last, last_at))) = (page.first(), previous.last()) else {
        return false;
    };
    if previous.len() > 1 {
        return first == last;
    }
    // The same record again proves nothing (an unstable order can bring it back).
    let in_order = match (order, first_at, last_at) {
        (Order::Asc, Some(f), Some(l)) => f >= l,
        (Order::Desc, Some(f), Some(l)) => f <= l,
        _ => true,
    };
    in_order && first != last
}
