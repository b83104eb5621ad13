//! The notification policy: which newly stored unlocks deserve a toast.
//!
//! Pure: the input is every row still *pending* when a sync finishes (rows stored since the
//! last finished sync, and any a crash left undecided; never a row decided before, so a
//! duplicate can never notify twice), the settings and the sync's context; the output is a
//! [`NotificationPlan`]: the toasts to show and, for every row, its durable state
//! (`pending` for rows a toast announces, `suppressed` for the rest). The engine stores
//! those states in the same transaction as the sync's last rows and marks them `notified`
//! before showing the toast, so a crash can lose a toast but never repeat one.
//!
//! Rows that arrived before watching began, or before the window a sync looked at, never
//! reach the policy: the store files them as history when it inserts them.
//!
//! Rules, in order:
//! - Notifications off: nothing is toasted.
//! - Only watched doors, and only unlocks within the allowed offset (`createdAt −
//!   timestamp`), are news. Late uploads stay in the history, labelled, never toasted as
//!   if fresh. Every event log is an unlock, whatever its `type` says.
//! - A row dated in the server's future is not news: its clock is broken.
//! - After time away (sleep, outage, Doorpost closed) the news is one summary.
//! - More than [`MAX_SINGLE_TOASTS`] in one check: one summary with per-door counts plus at
//!   most three individual toasts (the newest).

use std::collections::BTreeMap;

use crate::event::EventLog;
use crate::settings::Settings;
use crate::time::Millis;

pub const MAX_SINGLE_TOASTS: usize = 3;

/// The durable per-event notification state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyDecision {
    /// A toast in this plan announces it; the engine marks it `notified` when it shows it.
    Pending,
    /// Never toasted: old history, late upload, unwatched door, notifications off.
    Suppressed,
}

/// Why a summary is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryReason {
    /// More news in one check than individual toasts allow.
    Burst,
    /// News that arrived while Doorpost was away.
    CatchUp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toast {
    Single {
        event_id: String,
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
}

impl Toast {
    pub fn event_ids(&self) -> Vec<&str> {
        match self {
            Toast::Single { event_id, .. } => vec![event_id.as_str()],
            Toast::Summary { event_ids, .. } => event_ids.iter().map(String::as_str).collect(),
        }
    }
    pub fn title(&self) -> &str {
        match self {
            Toast::Single { title, .. } | Toast::Summary { title, .. } => title,
        }
    }
    pub fn body(&self) -> &str {
        match self {
            Toast::Single { body, .. } | Toast::Summary { body, .. } => body,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationPlan {
    pub toasts: Vec<Toast>,
    /// One per inserted event, in input order.
    pub decisions: Vec<NotifyDecision>,
}

/// What the policy needs besides the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyContext {
    /// Doorpost was away: summarise.
    pub catch_up: bool,
    /// Server time of the check, to spot news that is old by the time it is seen.
    pub server_now: Option<Millis>,
    /// Offset of the user's local time, for "at 14:05".
    pub utc_offset_secs: i32,
}

/// How far ahead of the server's clock a `createdAt` may be and still count.
const FUTURE_SLACK: i64 = 5 * Millis::MINUTE;

/// Decides the toasts for the rows still pending when a sync finishes.
pub fn plan(inserted: &[&EventLog], settings: &Settings, ctx: PolicyContext) -> NotificationPlan {
    let mut decisions = vec![NotifyDecision::Suppressed; inserted.len()];
    if inserted.is_empty() || !settings.notifications_enabled {
        return NotificationPlan {
            toasts: Vec::new(),
            decisions,
        };
    }
    // News that is old by the time it is seen (a check long delayed) is catch-up, however
    // it was flagged: two intervals plus slack.
    let stale_after =
        2 * i64::from(settings.poll_interval_mins) * Millis::MINUTE + 15 * Millis::MINUTE;
    let mut fresh: Vec<usize> = Vec::new();
    let mut away: Vec<usize> = Vec::new();
    for (i, e) in inserted.iter().enumerate() {
        let watched = settings.watched_doors.watches(e.door_id());
        let on_time = settings.allowed_offset.allows(e.report_delay_ms());
        let future = ctx
            .server_now
            .is_some_and(|now| e.created_at > now.plus(FUTURE_SLACK));
        if !watched || !on_time || future {
            continue;
        }
        let stale = ctx
            .server_now
            .is_some_and(|now| now.since(e.created_at) > stale_after);
        if ctx.catch_up || stale {
            away.push(i);
        } else {
            fresh.push(i);
        }
    }
    let mut toasts = Vec::new();
    // Newest unlock first.
    fresh.sort_by_key(|&i| std::cmp::Reverse((inserted[i].unlocked_at(), inserted[i].id.clone())));
    away.sort_by_key(|&i| std::cmp::Reverse((inserted[i].unlocked_at(), inserted[i].id.clone())));
    if fresh.len() > MAX_SINGLE_TOASTS {
        toasts.push(summary(inserted, &fresh, SummaryReason::Burst));
    }
    for &i in fresh.iter().take(MAX_SINGLE_TOASTS) {
        toasts.push(single(inserted[i], ctx));
    }
    if !away.is_empty() {
        toasts.push(summary(inserted, &away, SummaryReason::CatchUp));
    }
    for &i in fresh.iter().chain(away.iter()) {
        decisions[i] = NotifyDecision::Pending;
    }
    NotificationPlan { toasts, decisions }
}

fn single(e: &EventLog, ctx: PolicyContext) -> Toast {
    let at = e.unlocked_at().clock_time(ctx.utc_offset_secs);
    let mut body = format!("{} unlocked at {at}", e.user_label());
    if let Some(delay) = e.report_delay_ms() {
        // Within the offset but noticeably late: say so, so nobody is misled about when.
        // Only rows within the offset get here; a noticeable delay is still said.
        let mins = delay / Millis::MINUTE;
        if mins >= 1 {
            body.push_str(&format!(" (reported {mins} min late)"));
        }
    }
    Toast::Single {
        event_id: e.id.clone(),
        title: e.door_label().to_string(),
        body,
    }
}

fn summary(inserted: &[&EventLog], idx: &[usize], reason: SummaryReason) -> Toast {
    let mut per_door: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in idx {
        *per_door.entry(inserted[i].door_label()).or_default() += 1;
    }
    let mut doors: Vec<(&str, usize)> = per_door.into_iter().collect();
    doors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let n = idx.len();
    let title = match reason {
        SummaryReason::Burst => format!("{n} new unlocks"),
        SummaryReason::CatchUp => format!("{n} unlocks while Doorpost was away"),
    };
    let body = doors
        .iter()
        .map(|(door, count)| format!("{door}: {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    Toast::Summary {
        reason,
        event_ids: idx.iter().map(|&i| inserted[i].id.clone()).collect(),
        title,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Named, Person};
    use crate::settings::{AllowedOffset, DoorFilter};

    const NOW: Millis = Millis(1_780_000_000_000);

    fn ev(id: &str, door: &str, late_mins: i64) -> EventLog {
        let created_at = NOW.minus(Millis::MINUTE);
        EventLog {
            id: id.into(),
            created_at,
            timestamp: Some(created_at.minus(late_mins * Millis::MINUTE)),
            door: Some(Named {
                id: Some(format!("id-{door}")),
                name: Some(door.into()),
            }),
            user: Some(Person {
                id: None,
                name: Some("Ann Berg".into()),
            }),
            domain: None,
            access: None,
            kind: Some("unlock".into()),
            raw: String::new(),
        }
    }

    fn ctx() -> PolicyContext {
        PolicyContext {
            catch_up: false,
            server_now: Some(NOW),
            utc_offset_secs: 0,
        }
    }

    fn run(events: &[EventLog], settings: &Settings, ctx: PolicyContext) -> NotificationPlan {
        let refs: Vec<&EventLog> = events.iter().collect();
        plan(&refs, settings, ctx)
    }

    #[test]
    fn fresh_unlock_on_watched_door_is_one_toast_naming_door_and_person() {
        let p = run(&[ev("a", "Front door", 0)], &Settings::default(), ctx());
        assert_eq!(p.toasts.len(), 1);
        assert_eq!(p.toasts[0].title(), "Front door");
        assert!(p.toasts[0].body().starts_with("Ann Berg unlocked at "));
        assert_eq!(p.decisions, [NotifyDecision::Pending]);
    }

    #[test]
    fn late_upload_outside_offset_is_stored_not_notified() {
        let p = run(&[ev("a", "Front door", 11)], &Settings::default(), ctx());
        assert!(p.toasts.is_empty());
        assert_eq!(p.decisions, [NotifyDecision::Suppressed]);
        let unbounded = Settings {
            allowed_offset: AllowedOffset::Unbounded,
            ..Settings::default()
        };
        let p = run(&[ev("a", "Front door", 600)], &unbounded, ctx());
        assert_eq!(p.toasts.len(), 1);
        assert!(p.toasts[0].body().contains("reported 600 min late"));
    }

    #[test]
    fn disabled_notifications_toast_nothing() {
        let events: Vec<_> = (0..10).map(|i| ev(&i.to_string(), "Gym", 0)).collect();
        let off = Settings {
            notifications_enabled: false,
            ..Settings::default()
        };
        assert!(run(&events, &off, ctx()).toasts.is_empty());
    }

    #[test]
    fn unwatched_door_is_suppressed() {
        let only = Settings {
            watched_doors: DoorFilter::Only(vec!["id-Front door".into()]),
            ..Settings::default()
        };
        let p = run(&[ev("a", "Gym", 0), ev("b", "Front door", 0)], &only, ctx());
        assert_eq!(p.toasts.len(), 1);
        assert_eq!(
            p.decisions,
            [NotifyDecision::Suppressed, NotifyDecision::Pending]
        );
    }

    #[test]
    fn burst_is_one_summary_with_counts_plus_three_toasts() {
        let mut events: Vec<_> = (0..5)
            .map(|i| ev(&format!("f{i}"), "Front door", 0))
            .collect();
        events.extend((0..2).map(|i| ev(&format!("g{i}"), "Gym", 0)));
        let p = run(&events, &Settings::default(), ctx());
        assert_eq!(p.toasts.len(), 4);
        let Toast::Summary {
            title,
            body,
            event_ids,
            ..
        } = &p.toasts[0]
        else {
            panic!("summary first");
        };
        assert_eq!(title, "7 new unlocks");
        assert_eq!(body, "Front door: 5, Gym: 2");
        assert_eq!(event_ids.len(), 7);
        assert!(p.decisions.iter().all(|d| *d == NotifyDecision::Pending));
    }

    #[test]
    fn catch_up_is_one_summary() {
        let events: Vec<_> = (0..2).map(|i| ev(&i.to_string(), "Gym", 0)).collect();
        let p = run(
            &events,
            &Settings::default(),
            PolicyContext {
                catch_up: true,
                ..ctx()
            },
        );
        assert_eq!(p.toasts.len(), 1);
        assert_eq!(p.toasts[0].title(), "2 unlocks while Doorpost was away");
    }

    #[test]
    fn scrubbed_user_is_someone() {
        let mut e = ev("a", "Front door", 0);
        e.user = None;
        let p = run(&[e], &Settings::default(), ctx());
        assert!(p.toasts[0].body().starts_with("Someone unlocked"));
    }

    #[test]
    fn no_value_of_type_silences_an_alert() {
        for kind in [
            None,
            Some(""),
            Some("lockBatteryLow"),
            Some("ACCESS_GRANTED"),
            Some("💥"),
        ] {
            let mut e = ev("a", "Front door", 0);
            e.kind = kind.map(String::from);
            let p = run(&[e], &Settings::default(), ctx());
            assert_eq!(
                p.toasts.len(),
                1,
                "type {kind:?} must not silence the toast"
            );
        }
    }

    #[test]
    fn a_row_from_the_servers_future_is_not_news() {
        let mut e = ev("a", "Front door", 0);
        e.created_at = NOW.plus(Millis::DAY);
        e.timestamp = Some(e.created_at);
        assert!(run(&[e], &Settings::default(), ctx()).toasts.is_empty());
    }
}
