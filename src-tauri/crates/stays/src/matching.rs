//! Unlocks matched to a place's stays: arrival, guest, staff, vacant; no-show and
//! "found after all" at the deadline.
//!
//! [`Watch`] is a small state machine in the style of the core's poller: the driver hands
//! it unlocks in the order they reach Doorpost (a late upload comes after newer unlocks) and
//! calls [`Watch::handle_timeout`] at [`Watch::next_deadline`]; it never reads the clock.
//!
//! A stay covers its check-in to its check-out (all-day stays take the place's times in the
//! place's zone, DST included) widened by the buffer on both sides. Invariants, each checked
//! by the property test in `tests/matching_props.rs`:
//! - at most one arrival, one no-show and one "found after all" per stay;
//! - a staff unlock is never an arrival, a guest or vacant;
//! - vacant only when no stay (nor a block that does not count as vacant) covers the moment;
//! - no no-show for a stay whose deadline passed before watching began; "found after all"
//!   only after that stay's no-show, for an unlock that happened by the deadline.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::feed::{EntryKind, Stay, StayTime, local_instant};

/// A place's stay settings (`stays.checkin`, `stays.checkout`, `stays.noshow`,
/// `stays.buffer`, `stays.timezone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceRules {
    pub check_in: NaiveTime,
    pub check_out: NaiveTime,
    /// The no-show deadline on the arrival day; `None` is `off`.
    pub no_show: Option<NaiveTime>,
    /// How far around check-in and check-out an unlock still belongs to the stay.
    pub buffer: TimeDelta,
    pub zone: Tz,
}

impl Default for PlaceRules {
    fn default() -> Self {
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        PlaceRules {
            check_in: hm(15, 0),
            check_out: hm(11, 0),
            no_show: Some(hm(22, 0)),
            buffer: TimeDelta::minutes(60),
            zone: Tz::UTC,
        }
    }
}

/// The people marked staff, at every place: by name as Parakey shows it (compared without
/// case or surrounding spaces), by Parakey's user id, or by an access's id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Staff {
    names: BTreeSet<String>,
    user_ids: BTreeSet<String>,
    access_ids: BTreeSet<String>,
}

impl Staff {
    pub fn add_name(&mut self, name: &str) {
        self.names.insert(normal_name(name));
    }
    pub fn add_user_id(&mut self, id: &str) {
        self.user_ids.insert(id.to_owned());
    }
    pub fn add_access_id(&mut self, id: &str) {
        self.access_ids.insert(id.to_owned());
    }
    /// Whether the unlock was made by someone marked staff.
    pub fn contains(&self, unlock: &Unlock) -> bool {
        let by = |value: &Option<String>, set: &BTreeSet<String>| {
            value.as_deref().is_some_and(|v| set.contains(v))
        };
        by(&unlock.user_id, &self.user_ids)
            || by(&unlock.access_id, &self.access_ids)
            || unlock
                .name
                .as_deref()
                .is_some_and(|n| self.names.contains(&normal_name(n)))
    }
}

fn normal_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// One unlock at the place, as Parakey reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlock {
    /// When it happened (the device's time).
    pub at: DateTime<Utc>,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub access_id: Option<String>,
}

/// What an unlock means for the place's stays; one toast per unlock follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The first non-staff unlock of a booking: "Guest arrived".
    Arrival {
        stay: String,
    },
    /// The first non-staff unlock of a booking already announced as a no-show, made by the
    /// deadline and uploaded late: "Found after all".
    FoundAfterAll {
        stay: String,
    },
    /// A later non-staff unlock during a booking.
    Guest {
        stay: String,
    },
    /// A non-staff unlock during a blocked period that does not count as vacant.
    Blocked {
        stay: String,
    },
    Staff,
    /// A non-staff unlock no stay covers: "Unlocked while vacant".
    Vacant,
}

/// "No arrival yet" for a stay whose deadline came with nobody but staff unlocking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoShow {
    pub stay: String,
    pub deadline: DateTime<Utc>,
}

/// A stay placed in time under the place's rules.
#[derive(Debug, Clone)]
struct Window {
    uid: String,
    booking: bool,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
}

/// What was decided about one stay: the app keeps it (the `stays` table's `arrived_at`,
/// `arrived_late`, `no_show_at`, `no_show_closed`) and hands it back with
/// [`Watch::restore`] after a restart, so nothing is told twice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StayMemory {
    /// When the first non-staff unlock Doorpost learned of happened.
    pub arrived_at: Option<DateTime<Utc>>,
    /// That arrival was "found after all", after the no-show.
    pub arrived_late: bool,
    /// The deadline whose no-show was told.
    pub no_show_at: Option<DateTime<Utc>>,
    /// The no-show question is settled: told, or its stay ended before it could be.
    pub no_show_closed: bool,
}

impl StayMemory {
    /// Nothing decided yet.
    pub fn is_blank(&self) -> bool {
        *self == StayMemory::default()
    }
}

/// One place's stays, staff and what has been told about each stay.
#[derive(Debug, Clone)]
pub struct Watch {
    rules: PlaceRules,
    staff: Staff,
    watching_since: DateTime<Utc>,
    windows: Vec<Window>,
    states: HashMap<String, StayMemory>,
    /// When Doorpost first learned of a stay, where later than `watching_since`.
    learned: HashMap<String, DateTime<Utc>>,
}

impl Watch {
    /// `watching_since`: when Doorpost began watching this place; a deadline before it is
    /// never announced.
    pub fn new(rules: PlaceRules, staff: Staff, watching_since: DateTime<Utc>) -> Self {
        Watch {
            rules,
            staff,
            watching_since,
            windows: Vec::new(),
            states: HashMap::new(),
            learned: HashMap::new(),
        }
    }

    /// Puts back what was decided about a stay before (a restart, or a watch rebuilt from
    /// the store); replaces what this watch had for it.
    pub fn restore(&mut self, uid: &str, memory: StayMemory) {
        self.states.insert(uid.to_owned(), memory);
    }

    /// What has been decided about one stay (blank when nothing).
    pub fn memory(&self, uid: &str) -> StayMemory {
        self.states.get(uid).copied().unwrap_or_default()
    }

    /// Every stay with something decided, for the app to keep.
    pub fn snapshot(&self) -> Vec<(String, StayMemory)> {
        let mut all: Vec<(String, StayMemory)> = self
            .states
            .iter()
            .filter(|(_, m)| !m.is_blank())
            .map(|(uid, m)| (uid.clone(), *m))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Doorpost first learned of the stay at `at` (a feed listed it then): a deadline
    /// before that is never announced, as for one before watching began.
    pub fn learned(&mut self, uid: &str, at: DateTime<Utc>) {
        self.learned.insert(uid.to_owned(), at);
    }

    /// Replaces the stays (a feed fetched anew); what was told about a stay is kept by its
    /// UID, so an extended or moved stay is not announced twice.
    pub fn set_stays(&mut self, stays: &[Stay]) {
        let rules = self.rules;
        self.windows = stays.iter().filter_map(|s| window(s, &rules)).collect();
    }

    pub fn set_staff(&mut self, staff: Staff) {
        self.staff = staff;
    }

    /// The moments (buffer included) during which a stay's unlocks belong to it.
    pub fn covered(&self, uid: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let w = self.windows.iter().find(|w| w.uid == uid)?;
        Some((w.start - self.rules.buffer, w.end + self.rules.buffer))
    }

    /// Decides what one unlock means. Unlocks come in the order Doorpost learns of them.
    pub fn handle_unlock(&mut self, unlock: &Unlock) -> Verdict {
        if self.staff.contains(unlock) {
            return Verdict::Staff;
        }
        let Some(w) = self.cover(unlock.at) else {
            return Verdict::Vacant;
        };
        let stay = w.uid.clone();
        if !w.booking {
            return Verdict::Blocked { stay };
        }
        let deadline = w.deadline;
        let state = self.states.entry(stay.clone()).or_default();
        if state.arrived_at.is_some() {
            return Verdict::Guest { stay };
        }
        state.arrived_at = Some(unlock.at);
        if state.no_show_at.is_some() && deadline.is_some_and(|d| unlock.at <= d) {
            state.arrived_late = true;
            Verdict::FoundAfterAll { stay }
        } else {
            Verdict::Arrival { stay }
        }
    }

    /// The stay an instant belongs to: one whose check-in to check-out holds it, else the
    /// nearest within the buffer; bookings before blocks, then the later stay (at a
    /// turnover the arriving guest, not the leaving one).
    fn cover(&self, at: DateTime<Utc>) -> Option<&Window> {
        let buffer = self.rules.buffer;
        self.windows
            .iter()
            .filter(|w| w.start - buffer <= at && at <= w.end + buffer)
            .min_by_key(|w| {
                let outside = if at < w.start {
                    w.start - at
                } else if at >= w.end {
                    at - w.end
                } else {
                    TimeDelta::zero()
                };
                (outside, !w.booking, std::cmp::Reverse(w.start))
            })
    }

    /// When the driver should call [`Watch::handle_timeout`] next: the earliest deadline
    /// still to check (possibly already past, then at once).
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.windows
            .iter()
            .filter(|w| self.no_show_pending(w))
            .filter_map(|w| w.deadline)
            .min()
    }

    /// The no-shows due at `now`, each told once. A stay that ended before its deadline
    /// was checked (the computer slept through it) is dropped silently: a no-show for a
    /// stay already over helps nobody.
    pub fn handle_timeout(&mut self, now: DateTime<Utc>) -> Vec<NoShow> {
        let due: Vec<(String, DateTime<Utc>, bool)> = self
            .windows
            .iter()
            .filter(|w| self.no_show_pending(w))
            .filter_map(|w| {
                let deadline = w.deadline.filter(|d| *d <= now)?;
                Some((w.uid.clone(), deadline, now < w.end))
            })
            .collect();
        let mut told = Vec::new();
        for (stay, deadline, in_time) in due {
            let state = self.states.entry(stay.clone()).or_default();
            state.no_show_closed = true;
            if in_time {
                state.no_show_at = Some(deadline);
                told.push(NoShow { stay, deadline });
            }
        }
        told
    }

    fn no_show_pending(&self, w: &Window) -> bool {
        let state = self.memory(&w.uid);
        let since = match self.learned.get(&w.uid) {
            Some(at) => self.watching_since.max(*at),
            None => self.watching_since,
        };
        w.deadline.is_some_and(|d| d >= since)
            && state.arrived_at.is_none()
            && !state.no_show_closed
    }
}

/// A stay placed in time, or `None` for a block whose nights count as vacant (or a date
/// the zone cannot show).
fn window(stay: &Stay, rules: &PlaceRules) -> Option<Window> {
    let booking = stay.kind == EntryKind::Booking;
    if !booking && stay.blocks_vacant {
        return None;
    }
    let (start, end) = check_in_out(&stay.time, rules)?;
    let deadline = match rules.no_show {
        Some(time) if booking => {
            let day = start.with_timezone(&rules.zone).date_naive();
            let on_day = at_local(day, time, rules.zone)?;
            // A deadline set before check-in (or a late timed check-in) waits for the buffer;
            // a stay over by then has none.
            let deadline = if on_day > start {
                on_day
            } else {
                start + rules.buffer
            };
            (deadline < end).then_some(deadline)
        }
        _ => None,
    };
    Some(Window {
        uid: stay.uid.clone(),
        booking,
        start,
        end,
        deadline,
    })
}

/// A stay's check-in and check-out: an all-day entry's dates at the place's times in its
/// zone (DST included), a timed entry's own times; `None` for a date the zone cannot
/// show. The one place this is computed: History, the stays list and the matching agree.
pub fn check_in_out(time: &StayTime, rules: &PlaceRules) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match *time {
        StayTime::Dates {
            check_in,
            check_out,
        } => Some((
            at_local(check_in, rules.check_in, rules.zone)?,
            at_local(check_out, rules.check_out, rules.zone)?,
        )),
        StayTime::Times { start, end } => Some((start, end)),
    }
}

fn at_local(day: NaiveDate, time: NaiveTime, zone: Tz) -> Option<DateTime<Utc>> {
    local_instant(day.and_time(time), zone)
}
