//! The notification policy: which pending unlocks deserve a toast, and what it says.
//!
//! Pure: the input is every row still *pending* when a sync finishes (rows stored since the
//! last decision, rows a crash left undecided, rows held through quiet hours; never a row
//! decided before, so a duplicate can never notify twice), each with what the store knows
//! of it ([`Candidate`]), the settings and the moment's context; the output is a
//! [`NotificationPlan`]: the toasts to show and, for every row, its durable state. The
//! engine stores those states in the same transaction as the sync's last rows and marks
//! them `notified` before showing the toast, so a crash can lose a toast but never repeat
//! one.
//!
//! Rows that arrived before watching began, or before the window a sync looked at, never
//! reach the policy: the store files them as history when it inserts them.
//!
//! Rules, in order:
//! - Notifications off: nothing is toasted.
//! - Only watched doors, and only unlocks within the allowed offset (`createdAt −
//!   timestamp`), are news; every event log is an unlock, whatever its `type` says. A row
//!   dated in the server's future is not news.
//! - A muted door (or notifications paused) keeps its unlocks, counted, untoasted.
//! - Where a door notifies *arrivals*, a person's later unlocks that day are repeats:
//!   stored, marked, untoasted. Unlocks by nobody in particular always notify.
//! - During quiet hours nothing toasts but doors marked "always notify"; the rest wait, and
//!   when quiet hours end they make one digest.
//! - After time away (sleep, outage, Doorpost closed) the news is one summary.
//! - More than [`MAX_SINGLE_TOASTS`] in one check: one summary with per-door counts plus at
//!   most three individual toasts (the newest).

use std::collections::BTreeMap;

use crate::event::EventLog;
use crate::i18n::{self, Locale, Msg};
use crate::ipc::StaffRef;
use crate::settings::{NotifyMode, Settings};
use crate::text::cut;
use crate::time::Millis;

pub const MAX_SINGLE_TOASTS: usize = 3;
/// How far ahead of the server's clock a `createdAt` may be and still count.
const FUTURE_SLACK: i64 = 5 * Millis::MINUTE;
/// The longest a text may be in a toast: longer names are cut with an ellipsis.
const MAX_TEXT: usize = 120;

/// The durable per-event notification state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyDecision {
    /// A toast in this plan announces it; the engine marks it `notified` when it shows it.
    Pending,
    /// Never toasted: late upload, unwatched door, muted, a repeat, notifications off.
    Suppressed,
    /// Quiet hours: stays pending, for the digest when they end.
    Hold,
}

/// Why a summary is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryReason {
    /// More news in one check than individual toasts allow.
    Burst,
    /// News that arrived while Doorpost was away.
    CatchUp,
    /// News held through quiet hours.
    Quiet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toast {
    Single {
        event_id: String,
        /// The door, for the "mute this door" action.
        door_id: Option<String>,
        /// Who unlocked, for the "This is staff" action: set only where the place's stays
        /// are watched (the driver's stay alerts), `None` on a plain toast.
        staff: Option<StaffRef>,
        title: String,
        body: String,
    },
    Summary {
        reason: SummaryReason,
        /// Every event the summary stands for.
        event_ids: Vec<String>,
        title: String,
        body: String,
    },
    /// "Doorpost can't check …": a place has stopped being watched (see
    /// [`crate::outage`]). It stands for no event.
    Alert { title: String, body: String },
}

impl Toast {
    pub fn event_ids(&self) -> Vec<&str> {
        match self {
            Toast::Single { event_id, .. } => vec![event_id.as_str()],
            Toast::Summary { event_ids, .. } => event_ids.iter().map(String::as_str).collect(),
            Toast::Alert { .. } => Vec::new(),
        }
    }
    pub fn title(&self) -> &str {
        match self {
            Toast::Single { title, .. }
            | Toast::Summary { title, .. }
            | Toast::Alert { title, .. } => title,
        }
    }
    pub fn body(&self) -> &str {
        match self {
            Toast::Single { body, .. }
            | Toast::Summary { body, .. }
            | Toast::Alert { body, .. } => body,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationPlan {
    pub toasts: Vec<Toast>,
    /// One per candidate, in input order.
    pub decisions: Vec<NotifyDecision>,
}

/// A pending row and what the store knows of it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub event: &'a EventLog,
    /// The client's wall clock when the row was first stored.
    pub first_seen: Millis,
    /// Not the person's first unlock at this place today.
    pub repeat: bool,
    /// Its door is muted (or notifications paused) now.
    pub muted: bool,
}

impl<'a> Candidate<'a> {
    /// A row with nothing special known of it.
    pub fn plain(event: &'a EventLog, first_seen: Millis) -> Candidate<'a> {
        Candidate {
            event,
            first_seen,
            repeat: false,
            muted: false,
        }
    }
}

/// What the policy needs besides the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyContext<'a> {
    /// Doorpost was away: summarise.
    pub catch_up: bool,
    /// Server time of the check, to spot news that is old by the time it is seen.
    pub server_now: Option<Millis>,
    /// The language and clock of the texts.
    pub locale: Locale,
    /// Quiet hours hold now.
    pub quiet: bool,
    /// The last quiet hours that ended (wall clock, start and end): rows first seen inside
    /// them make the digest.
    pub quiet_ended: Option<(Millis, Millis)>,
    /// Before a door's name in titles: the place when there are several, "Demo" in the demo.
    pub place_label: Option<&'a str>,
}

impl PolicyContext<'_> {
    /// The plain context: not away, no quiet hours, English, UTC.
    pub fn plain(server_now: Option<Millis>) -> PolicyContext<'static> {
        PolicyContext {
            catch_up: false,
            server_now,
            locale: Locale {
                lang: i18n::Language::En,
                twelve_hour: false,
                utc_offset_secs: 0,
            },
            quiet: false,
            quiet_ended: None,
            place_label: None,
        }
    }
}

/// Where a news row goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Fresh,
    Away,
    Quiet,
}

/// Decides the toasts for the rows still pending when a sync finishes.
pub fn plan(
    candidates: &[Candidate<'_>],
    settings: &Settings,
    ctx: PolicyContext<'_>,
) -> NotificationPlan {
    let mut decisions = vec![NotifyDecision::Suppressed; candidates.len()];
    if candidates.is_empty() || !settings.notifications_enabled {
        return NotificationPlan {
            toasts: Vec::new(),
            decisions,
        };
    }
    let mut buckets: [Vec<usize>; 3] = Default::default();
    for (i, c) in candidates.iter().enumerate() {
        match triage(c, settings, &ctx) {
            Triage::Suppress => {}
            Triage::Hold => decisions[i] = NotifyDecision::Hold,
            Triage::News(b) => {
                decisions[i] = NotifyDecision::Pending;
                buckets[b as usize].push(i);
            }
        }
    }
    let newest_first = |list: &mut Vec<usize>| {
        list.sort_by_key(|&i| {
            let e = candidates[i].event;
            std::cmp::Reverse((e.unlocked_at(), e.id.clone()))
        });
    };
    let [mut fresh, mut away, mut quiet] = buckets;
    newest_first(&mut fresh);
    newest_first(&mut away);
    newest_first(&mut quiet);
    let mut toasts = Vec::new();
    if fresh.len() > MAX_SINGLE_TOASTS {
        toasts.push(summary(candidates, &fresh, SummaryReason::Burst, &ctx));
    }
    for &i in fresh.iter().take(MAX_SINGLE_TOASTS) {
        toasts.push(single(&candidates[i], settings, &ctx));
    }
    if !quiet.is_empty() {
        toasts.push(summary(candidates, &quiet, SummaryReason::Quiet, &ctx));
    }
    if !away.is_empty() {
        toasts.push(summary(candidates, &away, SummaryReason::CatchUp, &ctx));
    }
    NotificationPlan { toasts, decisions }
}

enum Triage {
    Suppress,
    Hold,
    News(Bucket),
}

fn triage(c: &Candidate<'_>, settings: &Settings, ctx: &PolicyContext<'_>) -> Triage {
    let e = c.event;
    let watched = settings.watched_doors.watches(e.door_id());
    let on_time = settings.allowed_offset.allows(e.report_delay_ms());
    let future = ctx
        .server_now
        .is_some_and(|now| e.created_at > now.plus(FUTURE_SLACK));
    if !watched || !on_time || future || c.muted {
        return Triage::Suppress;
    }
    if mode_of(settings, e.door_id()) == NotifyMode::Arrivals && c.repeat && person_key(e).is_some()
    {
        return Triage::Suppress;
    }
    let always = always_notify(settings, e.door_id());
    if ctx.quiet && !always {
        return Triage::Hold;
    }
    let held = ctx
        .quiet_ended
        .is_some_and(|(from, to)| c.first_seen >= from && c.first_seen < to);
    if held && !always {
        return Triage::News(Bucket::Quiet);
    }
    // News that is old by the time it is seen (a check long delayed) is catch-up, however
    // it was flagged: two intervals plus slack.
    let stale_after =
        2 * i64::from(settings.poll_interval_mins) * Millis::MINUTE + 15 * Millis::MINUTE;
    let stale = ctx
        .server_now
        .is_some_and(|now| now.since(e.created_at) > stale_after);
    if ctx.catch_up || stale {
        Triage::News(Bucket::Away)
    } else {
        Triage::News(Bucket::Fresh)
    }
}

/// How a door notifies: its own rule, else the settings' (the place's) mode.
pub fn mode_of(settings: &Settings, door_id: Option<&str>) -> NotifyMode {
    door_id
        .and_then(|d| settings.door_rules.iter().find(|r| r.door_id == d))
        .and_then(|r| r.mode)
        .unwrap_or(settings.notify_mode)
}

fn always_notify(settings: &Settings, door_id: Option<&str>) -> bool {
    door_id.is_some_and(|d| {
        settings
            .door_rules
            .iter()
            .any(|r| r.door_id == d && r.always_notify)
    })
}

/// Who a person is, for "arrivals": `user.id`, else the access's id, else the name; `None`
/// for an unlock by nobody in particular (scrubbed or anonymous), which always notifies.
pub fn person_key(e: &EventLog) -> Option<String> {
    let user = e.user.as_ref();
    user.and_then(|u| u.id.clone())
        .map(|id| format!("user:{id}"))
        .or_else(|| {
            e.access
                .as_ref()
                .and_then(|a| a.id.clone())
                .map(|id| format!("access:{id}"))
        })
        .or_else(|| {
            user.and_then(|u| u.name.clone())
                .map(|n| format!("name:{n}"))
        })
}

fn door_label(e: &EventLog, ctx: &PolicyContext<'_>) -> String {
    let door = match e
        .door
        .as_ref()
        .and_then(|d| d.name.as_deref().or(d.id.as_deref()))
    {
        Some(d) => cut(d, 60),
        None => i18n::template(ctx.locale.lang, Msg::UnknownDoor).to_string(),
    };
    match ctx.place_label {
        Some(place) => format!("{} · {door}", cut(place, 40)),
        None => door,
    }
}

fn person_label(e: &EventLog, ctx: &PolicyContext<'_>) -> String {
    match e.user.as_ref().and_then(|u| u.name.as_deref()) {
        Some(name) => cut(name, 60),
        None => i18n::template(ctx.locale.lang, Msg::Someone).to_string(),
    }
}

fn single(c: &Candidate<'_>, settings: &Settings, ctx: &PolicyContext<'_>) -> Toast {
    let e = c.event;
    let lang = ctx.locale.lang;
    let time = ctx.locale.clock(e.unlocked_at());
    let door = door_label(e, ctx);
    let person = person_label(e, ctx);
    let arrival = mode_of(settings, e.door_id()) == NotifyMode::Arrivals && person_key(e).is_some();
    let (title, mut body) = if arrival {
        (
            i18n::t(lang, Msg::ToastArrivalTitle, &[("person", &person)]),
            i18n::t(
                lang,
                Msg::ToastArrivalBody,
                &[("door", &door), ("time", &time)],
            ),
        )
    } else {
        (
            i18n::t(lang, Msg::ToastUnlockTitle, &[("door", &door)]),
            i18n::t(
                lang,
                Msg::ToastUnlockBody,
                &[("person", &person), ("time", &time)],
            ),
        )
    };
    if let Some(delay) = e.report_delay_ms()
        && delay >= Millis::MINUTE
    {
        // Within the offset but noticeably late: say so, in the words the window uses.
        let late = ctx.locale.duration(delay);
        body.push_str(&i18n::t(lang, Msg::ToastReportedLate, &[("late", &late)]));
    }
    Toast::Single {
        event_id: e.id.clone(),
        door_id: e.door_id().map(String::from),
        staff: None,
        title: cut(&title, MAX_TEXT),
        body: cut(&body, MAX_TEXT * 2),
    }
}

fn summary(
    candidates: &[Candidate<'_>],
    idx: &[usize],
    reason: SummaryReason,
    ctx: &PolicyContext<'_>,
) -> Toast {
    let mut per_door: BTreeMap<String, usize> = BTreeMap::new();
    for &i in idx {
        *per_door
            .entry(door_label(candidates[i].event, ctx))
            .or_default() += 1;
    }
    let mut doors: Vec<(String, usize)> = per_door.into_iter().collect();
    doors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let n = idx.len();
    let lang = ctx.locale.lang;
    let title = match reason {
        SummaryReason::Burst => i18n::count(lang, n, Msg::ToastBurstOne, Msg::ToastBurstOther),
        SummaryReason::CatchUp => i18n::count(lang, n, Msg::ToastAwayOne, Msg::ToastAwayOther),
        SummaryReason::Quiet => i18n::count(lang, n, Msg::ToastQuietOne, Msg::ToastQuietOther),
    };
    let body = doors
        .iter()
        .map(|(door, count)| format!("{door} {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    Toast::Summary {
        reason,
        event_ids: idx
            .iter()
            .map(|&i| candidates[i].event.id.clone())
            .collect(),
        title,
        body: cut(&body, MAX_TEXT * 2),
    }
}

#[cfg(test)]
mod tests;
