//! The contract between the desktop shell and the web UI: every type that crosses IPC.
//!
//! Declared once here; `cargo test -p doorpost-core` writes the TypeScript to
//! `ui/src/ipc/generated/` (ts-rs), and CI fails when the checked-in files differ. Times
//! cross as numbers (UTC milliseconds, far below 2^53), never as `bigint`. Nothing here
//! can hold the token: the UI can set, replace and clear it, and ask whether one is set.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::settings::{Field, FieldError, Language, NotifyMode, SettingsPatch};

mod stays;
pub use stays::*;

/// What the UI branches on; the message is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum ErrorCode {
    NotConfigured,
    AuthRejected,
    KeychainUnavailable,
    Network,
    RateLimited,
    InvalidSettings,
    Internal,
}

/// Every command's error: `{ code, message, fields }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Per-field problems, for `InvalidSettings`.
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

/// Which account the window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Mode {
    /// No token yet: the first-run screen.
    Unconfigured,
    /// The simulated Parakey, with its own data directory.
    Demo,
    /// A real Parakey account.
    Account,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PhaseView {
    Idle,
    Checking,
    Paused,
    /// Parakey cannot be reached; retrying.
    Degraded,
    /// The token was rejected; nothing happens until it is replaced.
    AuthRejected,
    /// Parakey's address redirected to another host; nothing is sent until the host checks
    /// again or changes the address.
    Redirected,
    NotConfigured,
}

/// A stretch of time in which Doorpost could not reach Parakey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GapView {
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    /// Unlocks later found inside the gap.
    pub found: u32,
}

/// Why part of the history could not be listed completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum IncompleteReasonView {
    /// More unlocks share one arrival time than Parakey lists at once.
    TiesBeyondPage,
    /// Parakey's date filter follows the locks' clocks, not arrival.
    DeviceTimeFilter,
    /// A page came back out of order.
    Unordered,
    /// A page held only records Doorpost could not read, or Parakey failed every page
    /// holding one record, which Doorpost stepped past.
    Unreadable,
    /// Parakey accepts only its documented newest-first request, and more unlocks arrived
    /// in one check than it lists at once.
    NewestOnly,
}

/// Part of the history Parakey would not let Doorpost list completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IncompleteView {
    pub reason: IncompleteReasonView,
    /// Arrival time (`createdAt`) where it happened.
    #[ts(type = "number")]
    pub at: i64,
}

/// Whether the server takes a form of request, as far as Doorpost has found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum LessonView {
    /// Not asked for yet, or the lesson expired.
    #[default]
    Unknown,
    Accepted,
    Refused,
}

/// What the server does with `skip` (an undocumented parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SkipView {
    #[default]
    Unknown,
    Honoured,
    /// The same rows came back.
    Ignored,
    /// Answered 400.
    Refused,
}

/// Which time `startDate` filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StartFilterView {
    #[default]
    Unknown,
    /// When the record reached Parakey (`createdAt`).
    CreatedAt,
    /// The lock's own clock (`timestamp`).
    DeviceTime,
}

/// What Doorpost learned from one place's server: what it accepted and refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LearnedView {
    /// The largest `limit` the server answered with a page.
    pub largest_limit: Option<u32>,
    /// The largest `limit` Doorpost sends, once the server refused larger ones.
    pub page_max: Option<u32>,
    /// `orderBy=createdAt:ASC`.
    pub ascending: LessonView,
    pub skip: SkipView,
    pub start_filter: StartFilterView,
    /// The last refusal: status and the start of the server's answer, on one line.
    pub last_refusal: Option<String>,
    /// When (wall clock) the oldest lesson still kept was learned; lessons are kept an
    /// hour, then the richer request is tried again.
    #[ts(type = "number | null")]
    pub learned_at: Option<i64>,
    /// Requests a minute Doorpost keeps to, learned from a 429 without `Retry-After`.
    pub per_minute: Option<u32>,
    /// The `createdAt` (ms) of a record the server fails every page holding, stepped past
    /// and remembered for a day.
    #[ts(type = "number | null")]
    pub unservable_at: Option<i64>,
}

/// The status page and the tray's status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StatusView {
    pub phase: PhaseView,
    #[ts(type = "number | null")]
    pub last_check: Option<i64>,
    #[ts(type = "number | null")]
    pub next_check: Option<i64>,
    #[ts(type = "number | null")]
    pub paused_until: Option<i64>,
    /// In plain words, with what to do.
    pub last_error: Option<String>,
    pub requests_today: u32,
    pub not_modified_today: u32,
    pub failures_today: u32,
    pub gaps: Vec<GapView>,
    /// "access-token" or "bearer", once known.
    pub auth_style: Option<String>,
    pub quarantined: u32,
    pub events_total: u32,
    /// Quiet hours are on now, until this wall-clock time.
    #[ts(type = "number | null")]
    pub quiet_until: Option<i64>,
    /// When Doorpost first checked (wall clock): before it, the history has no data, which
    /// is not the same as no unlocks.
    #[ts(type = "number | null")]
    pub watching_since: Option<i64>,
    /// Set when part of the history could not be listed completely.
    pub incomplete: Option<IncompleteView>,
    /// A long sync (a first load, a catch-up) is part-way: pages are stored as they come.
    pub catching_up: bool,
    /// Since when Doorpost cannot check (wall clock), once the host has been told: at
    /// once for a rejected token or a redirect elsewhere, after 15 minutes otherwise.
    #[ts(type = "number | null")]
    pub cant_check_since: Option<i64>,
    /// What the server accepted and refused.
    pub learned: LearnedView,
}

impl StatusView {
    /// A status with nothing known yet but its phase.
    pub fn empty(phase: PhaseView) -> StatusView {
        StatusView {
            phase,
            last_check: None,
            next_check: None,
            paused_until: None,
            last_error: None,
            requests_today: 0,
            not_modified_today: 0,
            failures_today: 0,
            gaps: Vec::new(),
            auth_style: None,
            quarantined: 0,
            events_total: 0,
            quiet_until: None,
            watching_since: None,
            incomplete: None,
            catching_up: false,
            cant_check_since: None,
            learned: LearnedView::default(),
        }
    }
}

/// One place (a Parakey domain, reached with its own Manual Integration token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlaceView {
    /// Doorpost's own id for the place (stable when its token is replaced).
    pub id: String,
    pub name: String,
    /// `None`: Parakey's own address.
    pub api_url: Option<String>,
    pub token_set: bool,
    /// `None`: the default in the settings.
    pub notify_mode: Option<NotifyMode>,
    pub status: StatusView,
    /// The place's own values of the settings with a per-place scope (only those it
    /// sets; the others follow the user's settings).
    pub own_settings: SettingsPatch,
}

/// A change to one place; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(export, optional_fields)]
pub struct PlacePatch {
    pub name: Option<String>,
    /// `null`: follow the default.
    #[serde(
        deserialize_with = "crate::settings::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional = nullable, as = "Option<NotifyMode>")]
    pub notify_mode: Option<Option<NotifyMode>>,
    /// Sets the place's own values of these settings; a setting without a per-place
    /// scope is refused (`InvalidSettings`, problem `notPerPlace`).
    pub settings: Option<SettingsPatch>,
    /// These settings follow the user's settings again at this place.
    #[ts(as = "Option<Vec<Field>>", optional)]
    pub clear_settings: Vec<Field>,
}

/// A token as the window sends it (first run, a new place, a replaced token).
///
/// It only ever travels one way: it implements `Deserialize` but deliberately not
/// `Serialize`, so no command answer, event or stored JSON can carry it back out. Its
/// `Debug` prints `SecretToken(<redacted>)`, so a `{:?}`, a `tracing` field or a panic
/// message holding it (or a struct around it, such as [`NewPlace`]) shows no token. The
/// text is reached only through [`SecretToken::expose`], named so that every use stands
/// out. TypeScript sees a plain `string`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretToken(String);

impl SecretToken {
    pub fn new(token: impl Into<String>) -> SecretToken {
        SecretToken(token.into())
    }

    /// The token's text, for checking it and handing it to the keychain: nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretToken {
    fn from(token: String) -> SecretToken {
        SecretToken(token)
    }
}

impl From<&str> for SecretToken {
    fn from(token: &str) -> SecretToken {
        SecretToken(token.to_string())
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

/// A `string` in TypeScript, inlined wherever it is used (no file of its own), so the
/// generated contract is the same as for a `String`.
impl TS for SecretToken {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &ts_rs::Config) -> String {
        "string".into()
    }

    fn inline(cfg: &ts_rs::Config) -> String {
        <Self as TS>::name(cfg)
    }
}

/// Adding a place: its name, its token (checked against Parakey before anything is
/// stored), and where its API lives when not at Parakey's own address. Only ever received
/// from the window: no `Serialize`, and its `Debug` redacts the token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewPlace {
    pub name: String,
    pub token: SecretToken,
    pub api_url: Option<String>,
}

/// How long to mute a door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MuteRequest {
    OneHour,
    /// Until 07:00, when a pause until tomorrow ends too.
    UntilTomorrow,
    Unmute,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Overview {
    pub mode: Mode,
    /// Some place has a token.
    pub token_set: bool,
    /// The status of every place together: the most serious phase, the latest check.
    pub status: StatusView,
    pub settings: crate::settings::Settings,
    /// Every place; one in the demo, none before the first run.
    pub places: Vec<PlaceView>,
    /// The language in effect (the setting, else the system's).
    pub language: Language,
    /// The BCP 47 locale dates and times follow (`nb-NO`, `en-GB`, `en-US`): the system's
    /// for the language in effect. Notifications and the tray use the same.
    pub locale: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CursorView {
    #[ts(type = "number")]
    pub unlocked_at: i64,
    pub id: String,
}

/// A history filter: all fields optional; `limit` at most 500.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(default, rename_all = "camelCase")]
#[ts(export, optional_fields)]
pub struct HistoryQueryView {
    pub text: Option<String>,
    pub door_ids: Vec<String>,
    /// Absent or empty: every place.
    pub place_ids: Option<Vec<String>>,
    #[ts(type = "number", optional)]
    pub from: Option<i64>,
    #[ts(type = "number", optional)]
    pub to: Option<i64>,
    pub before: Option<CursorView>,
    pub limit: Option<u32>,
    /// Only the unlocks marked with this stay ([`StayView::id`]).
    #[ts(type = "number", optional)]
    pub stay_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum NotificationView {
    Notified,
    Suppressed,
    Pending,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryRowView {
    pub id: String,
    /// When the door opened (device time, else arrival).
    #[ts(type = "number")]
    pub unlocked_at: i64,
    /// When Parakey received it.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub timestamp: Option<i64>,
    pub door_id: Option<String>,
    /// The door's label (name, else id).
    pub door: String,
    /// `None` when Parakey scrubbed it or never named them.
    pub user: Option<String>,
    pub notification: NotificationView,
    /// `createdAt − timestamp` when beyond the allowed offset: "reported 3 h late".
    #[ts(type = "number | null")]
    pub late_by_ms: Option<i64>,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    /// Not the person's first unlock at this place today (shown as a repeat when the place
    /// notifies arrivals).
    pub repeat: bool,
    /// Arrived while its door was muted: kept, counted, not toasted.
    pub muted: bool,
    /// A second upload of one unlock (a lock that resent it under a new id): the id of the
    /// first. Kept and shown, announced once.
    pub duplicate_of: Option<String>,
    /// What the unlock was, given the place's stays; `None` at a place without feeds.
    pub stay: Option<StayMark>,
    /// How this row's person would be marked staff (Parakey's user id, else the access's
    /// id, else the name); `None` when nothing names them.
    pub staff_ref: Option<StaffRef>,
    /// The person is marked staff.
    pub is_staff: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryPageView {
    pub rows: Vec<HistoryRowView>,
    pub next: Option<CursorView>,
    /// Rows matching the filter on all pages.
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DoorView {
    pub id: String,
    pub name: String,
    #[ts(type = "number")]
    pub last_unlock: i64,
    pub count: u32,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    /// Muted until this wall-clock time.
    #[ts(type = "number | null")]
    pub muted_until: Option<i64>,
    /// Unlocks kept while the current mute holds.
    pub muted_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DayCount {
    /// `YYYY-MM-DD`, local.
    pub day: String,
    pub count: u32,
}

/// What validating a token against Parakey found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenCheck {
    pub auth_style: String,
    pub doors_seen: u32,
    pub events_seen: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PauseRequest {
    OneHour,
    UntilTomorrow,
    Indefinitely,
}

/// Emitted as `doorpost://changed` after every sync and status change: what changed, so
/// the window refetches only what it shows of that (see [`crate::changes`], which decides
/// the flags). A sync that stored nothing sets no flag; a check that moved only its times
/// sends them in `checks`, and the window writes them into the overview it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChangedEvent {
    /// Unlocks stored since the last event.
    pub inserted: u32,
    /// Stored unlocks changed (new, rewritten by Parakey, or decided): the history's
    /// pages, its count and the chart.
    pub history: bool,
    /// The doors may differ (a new door or name, a mute, unlocks kept while muted).
    pub doors: bool,
    /// The overview beyond its check times: a status change, settings, places, the mode.
    pub overview: bool,
    /// A place's booking feeds or the stays read from them (a fetch, a feed added or
    /// removed): `feeds` and `stays`.
    pub stays: bool,
    /// Set when a check moved only the check times and phases: the new ones, which the
    /// window shows without asking (`None` with `overview`: the overview has them).
    pub checks: Option<ChecksView>,
}

impl ChangedEvent {
    /// Nothing changed (an event that only redraws the tray).
    pub fn nothing() -> ChangedEvent {
        ChangedEvent {
            inserted: 0,
            history: false,
            doors: false,
            overview: false,
            stays: false,
            checks: None,
        }
    }

    /// Everything may have changed: a new session, or signals were lost.
    pub fn everything(inserted: u32) -> ChangedEvent {
        ChangedEvent {
            inserted,
            history: true,
            doors: true,
            overview: true,
            stays: true,
            checks: None,
        }
    }

    /// Only the overview (a pause, settings, a place that starts).
    pub fn overview() -> ChangedEvent {
        ChangedEvent {
            overview: true,
            ..ChangedEvent::nothing()
        }
    }

    /// This event and a later one as one (the hub sends a long sync's pages at most once a
    /// second): counts add up, flags combine, the later check times win.
    pub fn and(self, later: ChangedEvent) -> ChangedEvent {
        let overview = self.overview || later.overview;
        ChangedEvent {
            inserted: self.inserted.saturating_add(later.inserted),
            history: self.history || later.history,
            doors: self.doors || later.doors,
            overview,
            stays: self.stays || later.stays,
            checks: if overview {
                None
            } else {
                later.checks.or(self.checks)
            },
        }
    }

    /// Whether the window has anything to do about it.
    pub fn is_nothing(&self) -> bool {
        !self.history && !self.doors && !self.overview && !self.stays && self.checks.is_none()
    }
}

/// One status's check times: what moves at every check, and only that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CheckView {
    pub phase: PhaseView,
    #[ts(type = "number | null")]
    pub last_check: Option<i64>,
    #[ts(type = "number | null")]
    pub next_check: Option<i64>,
}

impl CheckView {
    pub fn of(status: &StatusView) -> CheckView {
        CheckView {
            phase: status.phase,
            last_check: status.last_check,
            next_check: status.next_check,
        }
    }
}

/// The check times of every place together (the overview's `status`) and of each place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChecksView {
    pub all: CheckView,
    pub places: Vec<PlaceCheckView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlaceCheckView {
    pub id: String,
    pub check: CheckView,
}

/// Emitted as `doorpost://open-event` when the user picks an unlock in the tray or a
/// notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OpenEvent {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use std::marker::PhantomData;

    use super::*;

    /// Whether `T` implements `Serialize`, answered at compile time: the inherent constant
    /// exists only when the bound holds, and otherwise the trait's `false` is found.
    struct Probe<T: ?Sized>(PhantomData<T>);
    trait NotSerialize {
        const SERIALIZE: bool = false;
    }
    impl<T: ?Sized> NotSerialize for T {}
    impl<T: ?Sized + Serialize> Probe<T> {
        const SERIALIZE: bool = true;
    }

    #[test]
    fn a_token_from_the_window_never_shows_in_debug_and_cannot_be_serialised() {
        let json = r#"{"name":"Loft","token":"pk_live_s3cret","apiUrl":null}"#;
        let place: NewPlace = serde_json::from_str(json).unwrap();
        assert_eq!(place.token.expose(), "pk_live_s3cret");
        assert_eq!(place.name, "Loft");
        let shown = format!("{place:?} {place:#?} {:?}", place.token);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("SecretToken(<redacted>)"), "{shown}");
        let bare: SecretToken = serde_json::from_str(r#""pk_live_s3cret""#).unwrap();
        assert_eq!(bare, place.token);
    }

    // Checked when the tests compile: the probe sees `String`'s implementation, and none
    // for the token or the type that carries it.
    const _: () = assert!(Probe::<String>::SERIALIZE);
    const _: () = assert!(!Probe::<SecretToken>::SERIALIZE);
    const _: () = assert!(!Probe::<NewPlace>::SERIALIZE);

    #[test]
    fn typescript_sees_the_token_as_a_plain_string() {
        let cfg = crate::commands::ts_config();
        assert_eq!(<SecretToken as TS>::name(&cfg), "string");
        assert!(NewPlace::decl(&cfg).contains("token: string"));
        assert!(ts_rs::Dependency::from_ty::<SecretToken>(&cfg).is_none());
    }
}
