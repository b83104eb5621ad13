//! The user's settings, their defaults and their validation.
//!
//! `Settings` is what is stored (JSON in SQLite, `#[serde(default)]` so an older file
//! gains new fields with their defaults); `SettingsPatch` is what the UI sends; `apply`
//! validates the whole result before anything changes, so nothing is ever half-saved.
//! Each setting's limits, check, `config` key and message are declared once, in
//! [`table::SETTINGS`]; the window reads the limits and defaults from the generated
//! `ui/src/ipc/generated/settingsTable.ts`. Times of day are [`ClockTime`]s, parsed once.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub mod table;

pub use crate::i18n::Language;
use crate::i18n::{self, Msg};
pub use crate::time::ClockTime;
use crate::time::Millis;
pub use table::{DoorName, Field, Range, SETTINGS, Setting};

mod place;

/// Which doors raise notifications. Every door's events are stored either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(tag = "mode", content = "doors", rename_all = "camelCase")]
#[ts(export)]
pub enum DoorFilter {
    #[default]
    All,
    /// Door ids.
    Only(Vec<String>),
}

impl DoorFilter {
    pub fn watches(&self, door_id: Option<&str>) -> bool {
        match self {
            DoorFilter::All => true,
            DoorFilter::Only(ids) => door_id.is_some_and(|d| ids.iter().any(|i| i == d)),
        }
    }
}

/// Parakey's webhook "allowed offset in minutes": the largest `createdAt − timestamp`
/// for which an unlock still counts as news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "mode", content = "minutes", rename_all = "camelCase")]
#[ts(export)]
pub enum AllowedOffset {
    Unbounded,
    Minutes(u32),
}

impl Default for AllowedOffset {
    fn default() -> Self {
        AllowedOffset::Minutes(10)
    }
}

impl AllowedOffset {
    /// Whether a report delay (`createdAt − timestamp`, ms) is within the offset. An
    /// unknown delay (no device timestamp) counts as on time.
    pub fn allows(self, delay_ms: Option<i64>) -> bool {
        match (self, delay_ms) {
            (AllowedOffset::Unbounded, _) | (_, None) => true,
            (AllowedOffset::Minutes(m), Some(d)) => d <= i64::from(m) * Millis::MINUTE,
        }
    }
}

/// Which unlocks notify: every one, or a person's first of the day at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum NotifyMode {
    #[default]
    Every,
    /// The first unlock by each person (`user.id`, else `access.id`, else the name) per
    /// place per day; scrubbed or anonymous unlocks always notify.
    Arrivals,
}

/// What an unlock while no stay covers the place does (`stays.vacant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum VacantAlerts {
    /// A toast ("Unlocked while vacant").
    #[default]
    On,
    /// Marked in History, no toast.
    Quiet,
    /// Not marked either.
    Off,
}

/// A daily window of local time, `HH:MM` to `HH:MM`, in which nothing toasts; `from`
/// after `to` crosses midnight (22:00–07:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QuietHours {
    pub from: ClockTime,
    pub to: ClockTime,
}

impl QuietHours {
    /// The quiet window (wall clock, start and end) that holds at `now`, if any, at the
    /// local offset `utc_offset_secs`. A window crossing midnight started yesterday when
    /// `now` is before its end.
    pub fn window_at(&self, now: Millis, utc_offset_secs: i32) -> Option<(Millis, Millis)> {
        let (start, end) = self.window_around(now, utc_offset_secs)?;
        (start <= now && now < end).then_some((start, end))
    }

    /// The latest window that ended at or before `now`.
    pub fn last_ended(&self, now: Millis, utc_offset_secs: i32) -> Option<(Millis, Millis)> {
        let (start, end) = self.window_around(now, utc_offset_secs)?;
        if end <= now {
            Some((start, end))
        } else {
            Some((start.minus(Millis::DAY), end.minus(Millis::DAY)))
        }
    }

    /// Today's window, or yesterday's when today's has not started and yesterday's runs
    /// past midnight into now.
    fn window_around(&self, now: Millis, utc_offset_secs: i32) -> Option<(Millis, Millis)> {
        if self.from == self.to {
            return None;
        }
        let from = i64::from(self.from.minutes()) * Millis::MINUTE;
        let to = i64::from(self.to.minutes()) * Millis::MINUTE;
        let offset = i64::from(utc_offset_secs) * 1_000;
        let local = now.0.saturating_add(offset);
        let midnight = local.div_euclid(Millis::DAY) * Millis::DAY;
        let length = (to - from).rem_euclid(Millis::DAY);
        let mut start = midnight + from;
        if start > local && start - Millis::DAY + length > local {
            start -= Millis::DAY;
        }
        Some((Millis(start - offset), Millis(start - offset + length)))
    }
}

/// What one door does differently from its place. A door without a rule follows its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DoorRule {
    pub door_id: String,
    /// `None`: the place's mode.
    pub mode: Option<NotifyMode>,
    /// Toasts even during quiet hours.
    pub always_notify: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    pub poll_interval_mins: u32,
    pub allowed_offset: AllowedOffset,
    pub watched_doors: DoorFilter,
    pub notifications_enabled: bool,
    pub sound: bool,
    pub autostart: bool,
    pub backfill_days: u32,
    pub reconcile_interval_mins: u32,
    /// The default for every place (a place may override it).
    pub notify_mode: NotifyMode,
    /// `HH:MM`: when a new day begins for "arrivals" (04:00, so a guest coming home at
    /// 01:00 is not a new arrival).
    pub day_starts_at: ClockTime,
    /// `None`: off.
    pub quiet_hours: Option<QuietHours>,
    pub door_rules: Vec<DoorRule>,
    /// Guests' names, e-mails and raw records are forgotten after this many days (like
    /// Parakey's own retention); `None`: kept.
    pub retention_days: Option<u32>,
    /// `None`: the system's (`LANG`/`LC_MESSAGES`).
    pub language: Option<Language>,
    /// Stays (issue 16): when an all-day booking begins and ends, in the place's zone.
    pub stays_checkin: ClockTime,
    pub stays_checkout: ClockTime,
    /// By when on the arrival day a guest should have unlocked; `None`: no no-show alert.
    pub stays_noshow: Option<ClockTime>,
    pub stays_vacant: VacantAlerts,
    /// How far around check-in and check-out an unlock still belongs to the stay.
    pub stays_buffer_mins: u32,
    /// An IANA zone (`Europe/Oslo`); `None`: the computer's.
    pub stays_timezone: Option<String>,
    /// Toasts for staff unlocks too.
    pub staff_notify: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            poll_interval_mins: 5,
            allowed_offset: AllowedOffset::default(),
            watched_doors: DoorFilter::All,
            notifications_enabled: true,
            sound: false,
            autostart: false,
            backfill_days: 7,
            reconcile_interval_mins: 60,
            notify_mode: NotifyMode::Every,
            day_starts_at: ClockTime::of(4, 0),
            quiet_hours: None,
            door_rules: Vec::new(),
            retention_days: Some(90),
            language: None,
            stays_checkin: ClockTime::of(15, 0),
            stays_checkout: ClockTime::of(11, 0),
            stays_noshow: Some(ClockTime::of(22, 0)),
            stays_vacant: VacantAlerts::On,
            stays_buffer_mins: 60,
            stays_timezone: None,
            staff_notify: false,
        }
    }
}

/// Reads a field that may be absent (leave as is), `null` (clear) or a value (set).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A partial update from the UI; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(export, optional_fields)]
pub struct SettingsPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_interval_mins: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_offset: Option<AllowedOffset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watched_doors: Option<DoorFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sound: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autostart: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfill_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconcile_interval_mins: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_mode: Option<NotifyMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_starts_at: Option<ClockTime>,
    /// `null` turns quiet hours off.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional = nullable, as = "Option<QuietHours>")]
    pub quiet_hours: Option<Option<QuietHours>>,
    /// Replaces every door rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub door_rules: Option<Vec<DoorRule>>,
    /// `null`: keep names forever.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional = nullable, as = "Option<u32>")]
    pub retention_days: Option<Option<u32>>,
    /// `null`: follow the system.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional = nullable, as = "Option<Language>")]
    pub language: Option<Option<Language>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stays_checkin: Option<ClockTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stays_checkout: Option<ClockTime>,
    /// `null`: no no-show alert.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional = nullable, as = "Option<ClockTime>")]
    pub stays_noshow: Option<Option<ClockTime>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stays_vacant: Option<VacantAlerts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stays_buffer_mins: Option<u32>,
    /// `null`: the computer's zone.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional = nullable, as = "Option<String>")]
    pub stays_timezone: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_notify: Option<bool>,
}

/// What is wrong with a field, with what a sentence about it needs. The window and the
/// command line word it from their catalogues; nothing matches on the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", rename_all = "camelCase")]
#[ts(export)]
pub enum Problem {
    /// A number outside `min..=max`.
    OutOfRange { min: u32, max: u32 },
    /// Quiet hours that start when they end.
    SameTimes,
    /// "Only these doors" with none picked.
    NoDoors,
    /// Two rules for one door, or a rule for no door.
    DuplicateRule,
    /// A place's name empty, or longer than `max` characters.
    NameLength { max: u32 },
    /// A name another place has.
    NameTaken,
    /// An address Doorpost cannot send a token to.
    BadAddress,
    /// The system refused the change; the message says what it said.
    Refused,
    /// A time zone that is not an IANA name (`Europe/Oslo`).
    UnknownTimeZone,
    /// A place's own value for a setting that is the same at every place.
    NotPerPlace,
}

/// One invalid setting: which, and what is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid {
    pub field: Field,
    pub problem: Problem,
}

impl Invalid {
    /// The sentence that says what is wrong, in `lang`.
    pub fn message(&self, lang: Language) -> String {
        let msg = match self.problem {
            Problem::SameTimes => Msg::FieldQuietSame,
            Problem::NotPerPlace => Msg::FieldNotPerPlace,
            _ => self.field.setting().message,
        };
        let (min, max) = match self.problem {
            Problem::OutOfRange { min, max } => (min.to_string(), max.to_string()),
            _ => Default::default(),
        };
        i18n::t(lang, msg, &[("min", &min), ("max", &max)])
    }

    /// As the window receives it, worded in `lang`.
    pub fn to_field_error(&self, lang: Language) -> FieldError {
        FieldError {
            field: self.field.name().into(),
            problem: self.problem,
            message: self.message(lang),
        }
    }
}

/// One invalid field of a form, as the window shows it under the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, TS)]
#[error("{field}: {message}")]
#[ts(export)]
pub struct FieldError {
    /// The field as the window names it: a [`Field`], or a form's own (`name`, `apiUrl`).
    pub field: String,
    pub problem: Problem,
    /// The problem in the user's language.
    pub message: String,
}

impl Settings {
    /// Every setting's check, in the table's order.
    pub fn validate(&self) -> Result<(), Vec<Invalid>> {
        let errors: Vec<Invalid> = SETTINGS
            .iter()
            .filter_map(|setting| {
                let problem = (setting.check)(self, setting)?;
                Some(Invalid {
                    field: setting.field,
                    problem,
                })
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The settings with `patch` applied, or every reason it cannot be: all or nothing.
    pub fn apply(&self, patch: SettingsPatch) -> Result<Settings, Vec<Invalid>> {
        let mut next = self.clone();
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = patch.$f { next.$f = v; } )* };
        }
        take!(
            poll_interval_mins,
            allowed_offset,
            watched_doors,
            notifications_enabled,
            sound,
            autostart,
            backfill_days,
            reconcile_interval_mins,
            notify_mode,
            day_starts_at,
            quiet_hours,
            door_rules,
            retention_days,
            language,
            stays_checkin,
            stays_checkout,
            stays_noshow,
            stays_vacant,
            stays_buffer_mins,
            stays_timezone,
            staff_notify
        );
        next.validate()?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_parakey_advice() {
        let s = Settings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.poll_interval_mins, 5);
        assert_eq!(s.allowed_offset, AllowedOffset::Minutes(10));
        assert!(!s.autostart);
        assert!(
            !s.sound,
            "toasts are silent until the user asks for a sound"
        );
    }

    #[test]
    fn invalid_patch_changes_nothing_and_names_every_bad_field() {
        let s = Settings::default();
        let patch = SettingsPatch {
            poll_interval_mins: Some(0),
            watched_doors: Some(DoorFilter::Only(vec![])),
            notifications_enabled: Some(false),
            ..Default::default()
        };
        let errors = s.apply(patch).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.name()).collect();
        assert_eq!(fields, ["pollIntervalMins", "watchedDoors"]);
        assert!(s.notifications_enabled, "the original is untouched");
    }

    #[test]
    fn older_stored_settings_gain_defaults() {
        let s: Settings = serde_json::from_str(r#"{"pollIntervalMins": 7}"#).unwrap();
        assert_eq!(s.poll_interval_mins, 7);
        assert_eq!(s.backfill_days, 7);
        let round: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(round, s);
    }

    #[test]
    fn host_settings_validate_and_patch_three_ways() {
        let s = Settings::default();
        assert_eq!(
            s.retention_days,
            Some(90),
            "forgets like Parakey by default"
        );
        let quiet: SettingsPatch = serde_json::from_str(
            r#"{"quietHours":{"from":"22:00","to":"07:00"},"retentionDays":null}"#,
        )
        .unwrap();
        let next = s.apply(quiet).unwrap();
        assert!(next.quiet_hours.is_some());
        assert_eq!(next.retention_days, None, "null: keep names forever");
        let untouched: SettingsPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(next.apply(untouched).unwrap(), next, "absent: leave as is");
        let off: SettingsPatch = serde_json::from_str(r#"{"quietHours":null}"#).unwrap();
        assert_eq!(next.apply(off).unwrap().quiet_hours, None);
        let seven = ClockTime::of(7, 0);
        let same = SettingsPatch {
            quiet_hours: Some(Some(QuietHours {
                from: seven,
                to: seven,
            })),
            retention_days: Some(Some(0)),
            ..Default::default()
        };
        let invalid = s.apply(same).unwrap_err();
        assert_eq!(
            invalid,
            [
                Invalid {
                    field: Field::QuietHours,
                    problem: Problem::SameTimes
                },
                Invalid {
                    field: Field::RetentionDays,
                    problem: Problem::OutOfRange { min: 1, max: 3650 }
                }
            ]
        );
        assert_eq!(
            invalid[1].message(Language::En),
            "Choose between 1 and 3650 days, or keep names forever."
        );
        assert_eq!(
            invalid[0].to_field_error(Language::Nb).message,
            "Stilletiden må starte og slutte på forskjellige klokkeslett."
        );
        let late: Result<SettingsPatch, _> = serde_json::from_str(r#"{"dayStartsAt":"25:00"}"#);
        assert!(late.is_err(), "a time past 23:59 never becomes a setting");
    }

    #[test]
    fn quiet_hours_cross_midnight_and_end_on_the_wall_clock() {
        let q = QuietHours {
            from: ClockTime::of(22, 0),
            to: ClockTime::of(7, 0),
        };
        let at = |s: &str| Millis::parse_rfc3339(s).unwrap();
        let oslo = 3600; // UTC+1 in winter
        // 01:00 local: inside the window that began at 22:00 yesterday.
        assert_eq!(
            q.window_at(at("2026-11-30T00:00:00Z"), oslo),
            Some((at("2026-11-29T21:00:00Z"), at("2026-11-30T06:00:00Z")))
        );
        assert_eq!(q.window_at(at("2026-11-30T12:00:00Z"), oslo), None);
        assert_eq!(
            q.last_ended(at("2026-11-30T12:00:00Z"), oslo),
            Some((at("2026-11-29T21:00:00Z"), at("2026-11-30T06:00:00Z")))
        );
        // Summer time (UTC+2): the same local hours, two hours from UTC.
        assert_eq!(
            q.window_at(at("2026-07-01T21:00:00Z"), 7200),
            Some((at("2026-07-01T20:00:00Z"), at("2026-07-02T05:00:00Z")))
        );
        let day = QuietHours {
            from: ClockTime::of(13, 0),
            to: ClockTime::of(14, 0),
        };
        assert!(day.window_at(at("2026-11-30T12:30:00Z"), 0).is_none());
        assert!(day.window_at(at("2026-11-30T13:30:00Z"), 0).is_some());
    }

    #[test]
    fn offset_bounds() {
        assert!(AllowedOffset::Minutes(10).allows(Some(10 * 60_000)));
        assert!(!AllowedOffset::Minutes(10).allows(Some(10 * 60_000 + 1)));
        assert!(AllowedOffset::Minutes(0).allows(Some(-5_000)));
        assert!(AllowedOffset::Unbounded.allows(Some(i64::MAX)));
        assert!(AllowedOffset::Minutes(1).allows(None));
    }
}
