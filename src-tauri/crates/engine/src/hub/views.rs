//! Store rows to IPC views: plain functions, unit-tested without a desktop.

use std::collections::HashMap;

use crate::store::{
    Cursor, DoorSeen, Gap, HistoryQuery, HistoryRow, MuteRow, NotifyState, PlaceRow, Store,
};
use doorpost_core::ipc::{
    CursorView, DoorView, GapView, HistoryQueryView, HistoryRowView, IncompleteReasonView,
    IncompleteView, LearnedView, LessonView, MarkKind, NotificationView, SkipView, StaffKind,
    StaffRef, StartFilterView, StayMark,
};
use doorpost_core::poller::{
    AuthStyle, Incomplete, IncompleteReason, Learned, SkipSupport, StartFilter, SyncState,
};
use doorpost_core::settings::AllowedOffset;
use doorpost_core::settings::{Settings, SettingsPatch};
use doorpost_core::time::Millis;
use doorpost_stays::PlaceRules;

pub const PAGE_DEFAULT: u32 = 100;

pub fn query(q: &HistoryQueryView) -> HistoryQuery {
    HistoryQuery {
        source: None,
        door_ids: q.door_ids.clone(),
        place_ids: q.place_ids.clone().unwrap_or_default(),
        text: q
            .text
            .as_ref()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        from: q.from.map(Millis),
        to: q.to.map(Millis),
        before: q.before.as_ref().map(|c| Cursor {
            unlocked_at: Millis(c.unlocked_at),
            id: c.id.clone(),
        }),
        limit: q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, 500),
        stay_id: q.stay_id,
    }
}

/// What turning stored rows into views needs beside the rows: the allowed offset, the
/// places, and each place's stay rules (its own values over the user's settings).
pub struct RowContext<'a> {
    pub offset: AllowedOffset,
    pub places: &'a [PlaceRow],
    rules: HashMap<String, PlaceRules>,
    fallback: PlaceRules,
}

impl<'a> RowContext<'a> {
    /// From the settings and every place's own values as stored (one read).
    pub fn new(store: &Store, settings: &Settings, places: &'a [PlaceRow]) -> RowContext<'a> {
        let own = store.all_place_settings().unwrap_or_else(|e| {
            tracing::warn!("places' own settings unreadable; the user's apply: {e}");
            HashMap::new()
        });
        let none = SettingsPatch::default();
        let rules = places
            .iter()
            .map(|p| {
                let at = settings.for_place(own.get(&p.id).unwrap_or(&none));
                (p.id.clone(), crate::stay_rules::rules_for(&at))
            })
            .collect();
        RowContext {
            offset: settings.allowed_offset,
            places,
            rules,
            fallback: crate::stay_rules::rules_for(settings),
        }
    }

    /// The user's settings for every place (no own values read).
    pub fn plain(settings: &Settings, places: &'a [PlaceRow]) -> RowContext<'a> {
        RowContext {
            offset: settings.allowed_offset,
            places,
            rules: HashMap::new(),
            fallback: crate::stay_rules::rules_for(settings),
        }
    }

    fn rules(&self, place_id: Option<&str>) -> &PlaceRules {
        place_id
            .and_then(|id| self.rules.get(id))
            .unwrap_or(&self.fallback)
    }
}

/// How this row's person would be marked staff: Parakey's user id, else the access's id,
/// else the name (as stored: trimmed, lower-cased).
pub fn staff_ref(r: &HistoryRow) -> Option<StaffRef> {
    let (kind, value) = if let Some(id) = &r.user_id {
        (StaffKind::User, id.clone())
    } else if let Some(access) = r.access_id() {
        (StaffKind::Access, access.to_string())
    } else {
        (StaffKind::Name, r.user_name.clone()?)
    };
    crate::store::normal_staff(&StaffRef { kind, value })
}

/// The row's mark with its stay's check-in and check-out under its place's rules.
fn stay_mark(r: &HistoryRow, ctx: &RowContext<'_>) -> Option<StayMark> {
    let mark = r.mark.as_ref()?;
    let times = mark
        .stay
        .as_ref()
        .and_then(|t| crate::stay_rules::check_in_out_ms(t, ctx.rules(r.place_id.as_deref())));
    Some(StayMark {
        kind: mark.kind,
        stay_id: mark.stay_id,
        check_in: times.map(|(i, _)| i.0),
        check_out: times.map(|(_, o)| o.0),
    })
}

pub fn cursor(c: &Cursor) -> CursorView {
    CursorView {
        unlocked_at: c.unlocked_at.0,
        id: c.id.clone(),
    }
}

pub fn notification(s: NotifyState) -> NotificationView {
    match s {
        NotifyState::Pending => NotificationView::Pending,
        NotifyState::Notified => NotificationView::Notified,
        NotifyState::Suppressed => NotificationView::Suppressed,
    }
}

/// The name of a place by id.
pub fn place_name(places: &[PlaceRow], id: Option<&str>) -> Option<String> {
    let id = id?;
    places.iter().find(|p| p.id == id).map(|p| p.name.clone())
}

/// A row for the UI; `late_by_ms` only when the report delay is beyond the allowed offset.
pub fn row(r: &HistoryRow, ctx: &RowContext<'_>) -> HistoryRowView {
    // With no offset set, "late" still means what the default offset would say.
    let threshold = match ctx.offset {
        AllowedOffset::Minutes(m) => i64::from(m) * Millis::MINUTE,
        AllowedOffset::Unbounded => 10 * Millis::MINUTE,
    };
    let late_by_ms = r.report_delay_ms.filter(|d| *d > threshold);
    HistoryRowView {
        id: r.id.clone(),
        unlocked_at: r.unlocked_at.0,
        created_at: r.created_at.0,
        timestamp: r.timestamp.map(|t| t.0),
        door_id: r.door_id.clone(),
        door: r
            .door_name
            .clone()
            .or_else(|| r.door_id.clone())
            .unwrap_or_else(|| "Unknown door".into()),
        user: r.user_name.clone(),
        notification: notification(r.notify_state),
        late_by_ms,
        place_id: r.place_id.clone(),
        place_name: place_name(ctx.places, r.place_id.as_deref()),
        repeat: r.repeat,
        muted: r.muted,
        duplicate_of: r.duplicate_of.clone(),
        stay: stay_mark(r, ctx),
        staff_ref: staff_ref(r),
        is_staff: r.is_staff,
    }
}

/// A mark as exports write it (`arrival`, `foundAfterAll`, …).
pub fn mark_name(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Arrival => "arrival",
        MarkKind::FoundAfterAll => "foundAfterAll",
        MarkKind::Guest => "guest",
        MarkKind::Blocked => "blocked",
        MarkKind::Staff => "staff",
        MarkKind::Vacant => "vacant",
    }
}

/// A stay as exports write it: check-in and check-out as an ISO 8601 interval.
pub fn stay_interval(mark: &StayMark) -> Option<String> {
    Some(format!(
        "{}/{}",
        Millis(mark.check_in?).to_rfc3339(),
        Millis(mark.check_out?).to_rfc3339()
    ))
}

/// A door for the UI, with its mute when one holds.
pub fn door(d: &DoorSeen, places: &[PlaceRow], mutes: &[MuteRow]) -> DoorView {
    let mute = mutes.iter().find(|m| m.door_id == d.id);
    DoorView {
        id: d.id.clone(),
        name: d.name.clone().unwrap_or_else(|| d.id.clone()),
        last_unlock: d.last_unlock.0,
        count: u32::try_from(d.count).unwrap_or(u32::MAX),
        place_id: d.place_id.clone(),
        place_name: place_name(places, d.place_id.as_deref()),
        // A door's own mute has an end ("until resumed" is only the pause's).
        muted_until: mute.and_then(|m| m.until).map(|t| t.0),
        muted_count: mute.map_or(0, |m| u32::try_from(m.kept).unwrap_or(u32::MAX)),
    }
}

pub fn incomplete(i: Incomplete) -> IncompleteView {
    IncompleteView {
        reason: match i.reason {
            IncompleteReason::TiesBeyondPage => IncompleteReasonView::TiesBeyondPage,
            IncompleteReason::DeviceTimeFilter => IncompleteReasonView::DeviceTimeFilter,
            IncompleteReason::Unordered => IncompleteReasonView::Unordered,
            IncompleteReason::Unreadable => IncompleteReasonView::Unreadable,
            IncompleteReason::NewestOnly => IncompleteReasonView::NewestOnly,
        },
        at: i.at.0,
    }
}

/// What the poller learned about a place's server, for Status and `doctor`.
pub fn learned(l: &Learned, skip: SkipSupport, start: StartFilter) -> LearnedView {
    LearnedView {
        // `u32::MAX` would be a page answered to no recorded request: not a lesson.
        largest_limit: l.largest_accepted.filter(|n| *n < u32::MAX),
        page_max: l.max_limit,
        ascending: if l.asc_refused {
            LessonView::Refused
        } else if l.asc_accepted {
            LessonView::Accepted
        } else {
            LessonView::Unknown
        },
        skip: match skip {
            SkipSupport::Unknown => SkipView::Unknown,
            SkipSupport::Honoured => SkipView::Honoured,
            SkipSupport::Ignored => SkipView::Ignored,
            SkipSupport::Rejected => SkipView::Refused,
        },
        start_filter: match start {
            StartFilter::Unknown => StartFilterView::Unknown,
            StartFilter::CreatedAt => StartFilterView::CreatedAt,
            StartFilter::Timestamp => StartFilterView::DeviceTime,
        },
        last_refusal: l
            .last_refusal
            .as_deref()
            .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|r| !r.is_empty()),
        learned_at: l
            .since_wall
            .filter(|_| l.max_limit.is_some() || l.asc_refused)
            .map(|t| t.0),
        per_minute: l.per_minute,
        unservable_at: l.unservable.map(|t| t.0),
    }
}

/// The same, from a place's stored state (`doctor` reads it while the app is closed).
pub fn learned_from_state(s: &SyncState) -> LearnedView {
    learned(&s.learned, s.skip, s.start_filter)
}

/// `doctor`'s lines for what a place's server accepted and refused, in English (its
/// lines are diagnostics for a bug report). "not known yet" where the poller has not
/// found out.
pub fn learned_lines(auth: Option<AuthStyle>, v: &LearnedView) -> Vec<String> {
    const UNKNOWN: &str = "not known yet";
    let auth = match auth {
        Some(a) => format!("the {} header", super::auth_name(a)),
        None => UNKNOWN.into(),
    };
    let largest = v
        .largest_limit
        .map_or_else(|| UNKNOWN.into(), |n| n.to_string());
    let ascending = match v.ascending {
        LessonView::Unknown => UNKNOWN,
        LessonView::Accepted => "accepted",
        LessonView::Refused => "refused (listing newest first, the documented way)",
    };
    let skip = match v.skip {
        SkipView::Unknown => UNKNOWN,
        SkipView::Honoured => "honoured",
        SkipView::Ignored => "ignored (the same rows came back)",
        SkipView::Refused => "refused",
    };
    let start = match v.start_filter {
        StartFilterView::Unknown => UNKNOWN,
        StartFilterView::CreatedAt => "when a record reached Parakey (createdAt)",
        StartFilterView::DeviceTime => "the lock's own clock (timestamp)",
    };
    let page_max = match (v.page_max, v.learned_at) {
        (None, _) => "none learned".to_string(),
        (Some(n), Some(at)) => format!(
            "{n} (learned {}; larger pages are tried again an hour later)",
            Millis(at).to_rfc3339()
        ),
        (Some(n), None) => n.to_string(),
    };
    vec![
        format!("sign-in header: {auth}"),
        format!("largest limit accepted: {largest}"),
        format!("page maximum: {page_max}"),
        format!("orderBy=createdAt:ASC: {ascending}"),
        format!("skip: {skip}"),
        format!("startDate filters on: {start}"),
        format!(
            "last refusal: {}",
            v.last_refusal.as_deref().unwrap_or("none")
        ),
        match v.per_minute {
            Some(n) => format!("pace: at most {n} requests a minute (learned from a 429)"),
            None => "pace: no rate limit met".into(),
        },
        match v.unservable_at {
            Some(at) => format!(
                "record Parakey cannot serve: dated {} (stepped past; kept a day)",
                Millis(at).to_rfc3339()
            ),
            None => "record Parakey cannot serve: none met".into(),
        },
    ]
}

pub fn gap(g: &Gap) -> GapView {
    GapView {
        from: g.from.0,
        to: g.to.0,
        found: u32::try_from(g.found_events).unwrap_or(u32::MAX),
    }
}

/// One CSV field: always quoted, formula-leading text defused (see
/// [`doorpost_core::text::csv_field`]).
pub use doorpost_core::text::csv_field;

pub const CSV_HEADER: &str = "\"id\",\"unlocked_at\",\"created_at\",\"timestamp\",\"place\",\"door\",\"user\",\"notification\",\"late_by_minutes\",\"duplicate_of\",\"mark\",\"stay\"";

pub fn csv_line(r: &HistoryRowView) -> String {
    let t = |ms: i64| csv_field(&Millis(ms).to_rfc3339());
    let notification = match r.notification {
        NotificationView::Notified => "notified",
        NotificationView::Suppressed => "suppressed",
        NotificationView::Pending => "pending",
    };
    [
        csv_field(&r.id),
        t(r.unlocked_at),
        t(r.created_at),
        r.timestamp.map(t).unwrap_or_else(|| csv_field("")),
        csv_field(r.place_name.as_deref().unwrap_or("")),
        csv_field(&r.door),
        csv_field(r.user.as_deref().unwrap_or("")),
        csv_field(notification),
        csv_field(
            &r.late_by_ms
                .map(|ms| (ms / Millis::MINUTE).to_string())
                .unwrap_or_default(),
        ),
        csv_field(r.duplicate_of.as_deref().unwrap_or("")),
        csv_field(r.stay.as_ref().map_or("", |m| mark_name(m.kind))),
        csv_field(&r.stay.as_ref().and_then(stay_interval).unwrap_or_default()),
    ]
    .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(places: &[PlaceRow]) -> RowContext<'_> {
        RowContext::plain(&Settings::default(), places)
    }

    #[test]
    fn csv_lines_quote_every_field_and_defuse_hostile_names() {
        let r = HistoryRow {
            id: "a".into(),
            created_at: Millis(0),
            timestamp: None,
            unlocked_at: Millis(0),
            door_id: None,
            door_name: Some("X;=HYPERLINK(\"http://evil\")".into()),
            user_name: Some("=cmd|' /C calc'!A0\u{1b}[2J".into()),
            notify_state: NotifyState::Suppressed,
            report_delay_ms: None,
            place_id: None,
            repeat: false,
            muted: false,
            duplicate_of: None,
            user_id: None,
            person: None,
            mark: None,
            is_staff: false,
        };
        let line = csv_line(&row(&r, &plain(&[])));
        assert_eq!(
            line,
            "\"a\",\"1970-01-01T00:00:00.000Z\",\"1970-01-01T00:00:00.000Z\",\"\",\"\",\
             \"X;=HYPERLINK(\"\"http://evil\"\")\",\"'=cmd|' /C calc'!A0[2J\",\
             \"suppressed\",\"\",\"\",\"\",\"\""
        );
        assert_eq!(CSV_HEADER.split(',').count(), line.split("\",\"").count());
    }

    #[test]
    fn a_second_upload_exports_the_first_ones_id() {
        let r = HistoryRow {
            id: "b".into(),
            created_at: Millis(0),
            timestamp: None,
            unlocked_at: Millis(0),
            door_id: None,
            door_name: None,
            user_name: None,
            notify_state: NotifyState::Suppressed,
            report_delay_ms: None,
            place_id: None,
            repeat: false,
            muted: false,
            duplicate_of: Some("a".into()),
            user_id: None,
            person: None,
            mark: None,
            is_staff: false,
        };
        let v = row(&r, &plain(&[]));
        assert!(
            csv_line(&v).ends_with(r#","suppressed","","a","","""#),
            "{}",
            csv_line(&v)
        );
        assert!(CSV_HEADER.ends_with(r#","duplicate_of","mark","stay""#));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["duplicateOf"], "a");
    }

    #[test]
    fn what_the_server_taught_is_shown_in_plain_words() {
        let fresh = learned_from_state(&SyncState::default());
        assert_eq!(fresh, LearnedView::default());
        let lines = learned_lines(None, &fresh);
        assert_eq!(
            lines,
            [
                "sign-in header: not known yet",
                "largest limit accepted: not known yet",
                "page maximum: none learned",
                "orderBy=createdAt:ASC: not known yet",
                "skip: not known yet",
                "startDate filters on: not known yet",
                "last refusal: none",
                "pace: no rate limit met",
                "record Parakey cannot serve: none met",
            ]
        );

        let state = SyncState {
            auth: Some(AuthStyle::Bearer),
            skip: SkipSupport::Rejected,
            start_filter: StartFilter::Timestamp,
            learned: Learned {
                max_limit: Some(100),
                asc_refused: true,
                asc_accepted: true,
                largest_accepted: Some(100),
                since_wall: Some(Millis(1_764_597_600_000)),
                last_refusal: Some("400 limit must not\tbe greater   than 100 ".into()),
                per_minute: Some(5),
                per_minute_since_wall: Some(Millis(1_764_597_600_000)),
                unservable: Some(Millis(1_764_600_000_000)),
                unservable_since_wall: Some(Millis(1_764_597_600_000)),
            },
            ..SyncState::default()
        };
        let v = learned_from_state(&state);
        assert_eq!(
            v,
            LearnedView {
                largest_limit: Some(100),
                page_max: Some(100),
                ascending: LessonView::Refused,
                skip: SkipView::Refused,
                start_filter: StartFilterView::DeviceTime,
                last_refusal: Some("400 limit must not be greater than 100".into()),
                learned_at: Some(1_764_597_600_000),
                per_minute: Some(5),
                unservable_at: Some(1_764_600_000_000),
            }
        );
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["startFilter"], "deviceTime");
        assert_eq!(json["ascending"], "refused");
        assert_eq!(json["pageMax"], 100);
        assert_eq!(
            learned_lines(state.auth, &v),
            [
                "sign-in header: the bearer header",
                "largest limit accepted: 100",
                "page maximum: 100 (learned 2025-12-01T14:00:00.000Z; larger pages are \
                 tried again an hour later)",
                "orderBy=createdAt:ASC: refused (listing newest first, the documented way)",
                "skip: refused",
                "startDate filters on: the lock's own clock (timestamp)",
                "last refusal: 400 limit must not be greater than 100",
                "pace: at most 5 requests a minute (learned from a 429)",
                "record Parakey cannot serve: dated 2025-12-01T14:40:00.000Z (stepped past; \
                 kept a day)",
            ]
        );

        let accepted = Learned {
            asc_accepted: true,
            largest_accepted: Some(500),
            ..Learned::default()
        };
        let v = learned(&accepted, SkipSupport::Honoured, StartFilter::CreatedAt);
        assert_eq!(v.ascending, LessonView::Accepted);
        assert_eq!(v.learned_at, None);
        let lines = learned_lines(Some(AuthStyle::AccessToken), &v);
        assert!(lines.contains(&"orderBy=createdAt:ASC: accepted".to_string()));
        assert!(lines.contains(&"skip: honoured".to_string()));
        assert!(lines.contains(
            &"startDate filters on: when a record reached Parakey (createdAt)".to_string()
        ));
        assert!(lines.contains(&"sign-in header: the access-token header".to_string()));
    }

    #[test]
    fn late_badge_only_beyond_the_offset() {
        let mut r = HistoryRow {
            id: "a".into(),
            created_at: Millis(3 * Millis::HOUR),
            timestamp: Some(Millis(0)),
            unlocked_at: Millis(0),
            door_id: None,
            door_name: None,
            user_name: None,
            notify_state: NotifyState::Suppressed,
            report_delay_ms: Some(3 * Millis::HOUR),
            place_id: Some("main".into()),
            repeat: false,
            muted: false,
            duplicate_of: None,
            user_id: None,
            person: None,
            mark: None,
            is_staff: false,
        };
        let places = [PlaceRow {
            id: "main".into(),
            name: "Loft".into(),
            api_url: None,
            notify_mode: None,
        }];
        let v = row(&r, &plain(&places));
        assert_eq!(v.place_name.as_deref(), Some("Loft"));
        assert!(
            csv_line(&v).contains(r#","Loft","Unknown door","#),
            "{}",
            csv_line(&v)
        );
        assert_eq!(v.late_by_ms, Some(3 * Millis::HOUR));
        assert_eq!(v.door, "Unknown door");
        r.report_delay_ms = Some(Millis::MINUTE);
        assert_eq!(row(&r, &plain(&[])).late_by_ms, None);
    }
}
