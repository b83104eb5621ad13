//! Every setting, declared once: the field the window names, the `doorpost config` key,
//! the limits, the check, the catalogue message that says what is wrong, and how the command
//! line writes and reads a value.
//!
//! [`Settings::validate`] runs the checks in this order; `config list|get|set` go through the
//! keys; the window's limits come from [`typescript`] (`ui/src/ipc/generated/settingsTable.ts`,
//! written by `cargo test -p doorpost-core export_bindings`), and its defaults are
//! `Settings::default()` as exported there.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{
    AllowedOffset, ClockTime, DoorFilter, Language, NotifyMode, Problem, QuietHours, Settings,
    SettingsPatch, VacantAlerts,
};
use crate::i18n::Msg;

/// A setting's field, as `Settings`, `SettingsPatch` and the window name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Field {
    PollIntervalMins,
    AllowedOffset,
    WatchedDoors,
    NotificationsEnabled,
    Sound,
    Autostart,
    BackfillDays,
    ReconcileIntervalMins,
    NotifyMode,
    DayStartsAt,
    QuietHours,
    DoorRules,
    RetentionDays,
    Language,
    StaysCheckin,
    StaysCheckout,
    StaysNoshow,
    StaysVacant,
    StaysBufferMins,
    StaysTimezone,
    StaffNotify,
}

impl Field {
    /// The camelCase name (`pollIntervalMins`).
    pub fn name(self) -> &'static str {
        self.setting().name
    }

    /// Its row in [`SETTINGS`].
    pub fn setting(self) -> &'static Setting {
        SETTINGS
            .iter()
            .find(|s| s.field == self)
            .expect("every field has a row: settings_table_has_every_field_once")
    }
}

/// The smallest and largest a number may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

impl Range {
    fn check(self, value: u32) -> Option<Problem> {
        (value < self.min || value > self.max).then_some(Problem::OutOfRange {
            min: self.min,
            max: self.max,
        })
    }
}

/// A door as the user names it, for `config`'s `doors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorName {
    pub id: String,
    pub name: String,
}

/// Why `config set` could not read a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Not of the form the key takes (the row's `expects` says which).
    Form,
    /// A door nobody has seen.
    NoSuchDoor(String),
}

/// The command line's side of a setting: its key, how a value is written and read.
pub struct Key {
    /// `interval.minutes`.
    pub name: &'static str,
    /// What a value looks like, said when one cannot be read.
    pub expects: Msg,
    pub show: fn(&Settings, &[DoorName]) -> String,
    pub read: fn(&str, &[DoorName]) -> Result<SettingsPatch, Unread>,
}

/// One setting.
pub struct Setting {
    pub field: Field,
    /// [`Field::name`].
    pub name: &'static str,
    /// Numbers only: what the check allows.
    pub range: Option<Range>,
    /// Whether the value in `Settings` holds; `None` when it does.
    pub check: fn(&Settings, &Setting) -> Option<Problem>,
    /// What to say when it does not (filled with `{min}` and `{max}`).
    pub message: Msg,
    /// `None`: the command line does not set it.
    pub key: Option<Key>,
    /// A place may hold its own value (`config set KEY VALUE --place NAME`, the place's
    /// `own_settings`); see [`Settings::for_place`].
    pub per_place: bool,
}

fn fine(_: &Settings, _: &Setting) -> Option<Problem> {
    None
}

fn in_range(value: u32, setting: &Setting) -> Option<Problem> {
    setting.range?.check(value)
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.into()
}

fn switch(v: &str) -> Result<bool, Unread> {
    match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(Unread::Form),
    }
}

fn number(v: &str) -> Result<u32, Unread> {
    v.parse().map_err(|_| Unread::Form)
}

/// A patch that sets one field.
macro_rules! patch {
    ($field:ident = $value:expr) => {
        Ok(SettingsPatch {
            $field: Some($value),
            ..Default::default()
        })
    };
}

/// Every setting, in the order `config list` prints them and validation reports them.
pub static SETTINGS: [Setting; 21] = [
    Setting {
        field: Field::PollIntervalMins,
        name: "pollIntervalMins",
        range: Some(Range { min: 1, max: 60 }),
        check: |s, me| in_range(s.poll_interval_mins, me),
        message: Msg::FieldInterval,
        per_place: false,
        key: Some(Key {
            name: "interval.minutes",
            expects: Msg::ExpectNumber,
            show: |s, _| s.poll_interval_mins.to_string(),
            read: |v, _| patch!(poll_interval_mins = number(v)?),
        }),
    },
    Setting {
        field: Field::AllowedOffset,
        name: "allowedOffset",
        range: Some(Range {
            min: 0,
            max: 7 * 24 * 60,
        }),
        check: |s, me| match s.allowed_offset {
            AllowedOffset::Minutes(m) => in_range(m, me),
            AllowedOffset::Unbounded => None,
        },
        message: Msg::FieldOffset,
        per_place: false,
        key: Some(Key {
            name: "offset.minutes",
            expects: Msg::ExpectOffset,
            show: |s, _| match s.allowed_offset {
                AllowedOffset::Minutes(m) => m.to_string(),
                AllowedOffset::Unbounded => "none".into(),
            },
            read: |v, _| {
                patch!(
                    allowed_offset = match v {
                        "none" => AllowedOffset::Unbounded,
                        _ => AllowedOffset::Minutes(number(v)?),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::WatchedDoors,
        name: "watchedDoors",
        range: None,
        check: |s, _| match &s.watched_doors {
            DoorFilter::Only(ids) if ids.is_empty() || ids.iter().any(|d| d.trim().is_empty()) => {
                Some(Problem::NoDoors)
            }
            _ => None,
        },
        message: Msg::FieldDoors,
        per_place: false,
        key: Some(Key {
            name: "doors",
            expects: Msg::ExpectDoors,
            show: show_doors,
            read: |v, doors| patch!(watched_doors = read_doors(v, doors)?),
        }),
    },
    Setting {
        field: Field::NotifyMode,
        name: "notifyMode",
        range: None,
        check: fine,
        message: Msg::ExpectMode,
        per_place: false,
        key: Some(Key {
            name: "notify.mode",
            expects: Msg::ExpectMode,
            show: |s, _| {
                match s.notify_mode {
                    NotifyMode::Every => "every",
                    NotifyMode::Arrivals => "arrivals",
                }
                .into()
            },
            read: |v, _| {
                patch!(
                    notify_mode = match v {
                        "every" => NotifyMode::Every,
                        "arrivals" => NotifyMode::Arrivals,
                        _ => return Err(Unread::Form),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::QuietHours,
        name: "quietHours",
        range: None,
        check: |s, _| {
            s.quiet_hours
                .as_ref()
                .filter(|q| q.from == q.to)
                .map(|_| Problem::SameTimes)
        },
        message: Msg::FieldQuietTimes,
        per_place: false,
        key: Some(Key {
            name: "quiet.hours",
            expects: Msg::ExpectQuiet,
            show: |s, _| match &s.quiet_hours {
                Some(q) => format!("{}-{}", q.from, q.to),
                None => "off".into(),
            },
            read: |v, _| patch!(quiet_hours = read_quiet(v).ok_or(Unread::Form)?),
        }),
    },
    Setting {
        field: Field::DayStartsAt,
        name: "dayStartsAt",
        range: None,
        check: fine,
        message: Msg::FieldDayStart,
        per_place: false,
        key: Some(Key {
            name: "day.starts",
            expects: Msg::ExpectTime,
            show: |s, _| s.day_starts_at.to_string(),
            read: |v, _| patch!(day_starts_at = ClockTime::parse(v).ok_or(Unread::Form)?),
        }),
    },
    Setting {
        field: Field::RetentionDays,
        name: "retentionDays",
        range: Some(Range { min: 1, max: 3650 }),
        check: |s, me| in_range(s.retention_days?, me),
        message: Msg::FieldRetention,
        per_place: false,
        key: Some(Key {
            name: "retention.days",
            expects: Msg::ExpectRetention,
            show: |s, _| s.retention_days.map_or("forever".into(), |d| d.to_string()),
            read: |v, _| {
                patch!(
                    retention_days = match v {
                        "forever" => None,
                        _ => Some(number(v)?),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::Language,
        name: "language",
        range: None,
        check: fine,
        message: Msg::ExpectLanguage,
        per_place: false,
        key: Some(Key {
            name: "language",
            expects: Msg::ExpectLanguage,
            show: |s, _| {
                match s.language {
                    Some(Language::En) => "en",
                    Some(Language::Nb) => "nb",
                    None => "system",
                }
                .into()
            },
            read: |v, _| {
                patch!(
                    language = match v {
                        "en" => Some(Language::En),
                        "nb" | "no" => Some(Language::Nb),
                        "system" => None,
                        _ => return Err(Unread::Form),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::NotificationsEnabled,
        name: "notificationsEnabled",
        range: None,
        check: fine,
        message: Msg::ExpectOnOff,
        per_place: false,
        key: Some(Key {
            name: "notifications",
            expects: Msg::ExpectOnOff,
            show: |s, _| on_off(s.notifications_enabled),
            read: |v, _| patch!(notifications_enabled = switch(v)?),
        }),
    },
    Setting {
        field: Field::Sound,
        name: "sound",
        range: None,
        check: fine,
        message: Msg::ExpectOnOff,
        per_place: false,
        key: Some(Key {
            name: "sound",
            expects: Msg::ExpectOnOff,
            show: |s, _| on_off(s.sound),
            read: |v, _| patch!(sound = switch(v)?),
        }),
    },
    Setting {
        field: Field::StaysCheckin,
        name: "staysCheckin",
        range: None,
        check: fine,
        message: Msg::FieldDayStart,
        per_place: true,
        key: Some(Key {
            name: "stays.checkin",
            expects: Msg::ExpectTime,
            show: |s, _| s.stays_checkin.to_string(),
            read: |v, _| patch!(stays_checkin = ClockTime::parse(v).ok_or(Unread::Form)?),
        }),
    },
    Setting {
        field: Field::StaysCheckout,
        name: "staysCheckout",
        range: None,
        check: fine,
        message: Msg::FieldDayStart,
        per_place: true,
        key: Some(Key {
            name: "stays.checkout",
            expects: Msg::ExpectTime,
            show: |s, _| s.stays_checkout.to_string(),
            read: |v, _| patch!(stays_checkout = ClockTime::parse(v).ok_or(Unread::Form)?),
        }),
    },
    Setting {
        field: Field::StaysNoshow,
        name: "staysNoshow",
        range: None,
        check: fine,
        message: Msg::ExpectTimeOrOff,
        per_place: true,
        key: Some(Key {
            name: "stays.noshow",
            expects: Msg::ExpectTimeOrOff,
            show: |s, _| s.stays_noshow.map_or("off".into(), |t| t.to_string()),
            read: |v, _| {
                patch!(
                    stays_noshow = match v {
                        "off" => None,
                        _ => Some(ClockTime::parse(v).ok_or(Unread::Form)?),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::StaysVacant,
        name: "staysVacant",
        range: None,
        check: fine,
        message: Msg::ExpectVacant,
        per_place: true,
        key: Some(Key {
            name: "stays.vacant",
            expects: Msg::ExpectVacant,
            show: |s, _| {
                match s.stays_vacant {
                    VacantAlerts::On => "on",
                    VacantAlerts::Quiet => "quiet",
                    VacantAlerts::Off => "off",
                }
                .into()
            },
            read: |v, _| {
                patch!(
                    stays_vacant = match v {
                        "on" => VacantAlerts::On,
                        "quiet" => VacantAlerts::Quiet,
                        "off" => VacantAlerts::Off,
                        _ => return Err(Unread::Form),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::StaysBufferMins,
        name: "staysBufferMins",
        range: Some(Range { min: 0, max: 360 }),
        check: |s, me| in_range(s.stays_buffer_mins, me),
        message: Msg::FieldStaysBuffer,
        per_place: true,
        key: Some(Key {
            name: "stays.buffer",
            expects: Msg::ExpectNumber,
            show: |s, _| s.stays_buffer_mins.to_string(),
            read: |v, _| patch!(stays_buffer_mins = number(v)?),
        }),
    },
    Setting {
        field: Field::StaysTimezone,
        name: "staysTimezone",
        range: None,
        check: |s, _| {
            s.stays_timezone
                .as_deref()
                .filter(|zone| zone.parse::<chrono_tz::Tz>().is_err())
                .map(|_| Problem::UnknownTimeZone)
        },
        message: Msg::FieldTimeZone,
        per_place: true,
        key: Some(Key {
            name: "stays.timezone",
            expects: Msg::ExpectTimeZone,
            show: |s, _| s.stays_timezone.clone().unwrap_or_else(|| "system".into()),
            read: |v, _| {
                patch!(
                    stays_timezone = match v {
                        "system" => None,
                        _ => Some(v.to_string()),
                    }
                )
            },
        }),
    },
    Setting {
        field: Field::StaffNotify,
        name: "staffNotify",
        range: None,
        check: fine,
        message: Msg::ExpectOnOff,
        per_place: true,
        key: Some(Key {
            name: "staff.notify",
            expects: Msg::ExpectOnOff,
            show: |s, _| on_off(s.staff_notify),
            read: |v, _| patch!(staff_notify = switch(v)?),
        }),
    },
    Setting {
        field: Field::Autostart,
        name: "autostart",
        range: None,
        check: fine,
        message: Msg::ExpectOnOff,
        per_place: false,
        key: None,
    },
    Setting {
        field: Field::BackfillDays,
        name: "backfillDays",
        range: Some(Range { min: 1, max: 90 }),
        check: |s, me| in_range(s.backfill_days, me),
        message: Msg::FieldBackfill,
        per_place: false,
        key: None,
    },
    Setting {
        field: Field::ReconcileIntervalMins,
        name: "reconcileIntervalMins",
        range: Some(Range {
            min: 10,
            max: 24 * 60,
        }),
        check: |s, me| in_range(s.reconcile_interval_mins, me),
        message: Msg::FieldSweep,
        per_place: false,
        key: None,
    },
    Setting {
        field: Field::DoorRules,
        name: "doorRules",
        range: None,
        check: |s, _| {
            let mut doors = std::collections::HashSet::new();
            s.door_rules
                .iter()
                .any(|r| r.door_id.trim().is_empty() || !doors.insert(r.door_id.as_str()))
                .then_some(Problem::DuplicateRule)
        },
        message: Msg::FieldDoorRules,
        per_place: false,
        key: None,
    },
];

/// `all`, or the watched doors by name (their id when no name is known).
fn show_doors(s: &Settings, doors: &[DoorName]) -> String {
    match &s.watched_doors {
        DoorFilter::All => "all".into(),
        DoorFilter::Only(ids) => ids
            .iter()
            .map(|id| {
                doors
                    .iter()
                    .find(|d| &d.id == id)
                    .map_or(id.clone(), |d| d.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `all`, or doors by name (or id), comma-separated.
fn read_doors(v: &str, doors: &[DoorName]) -> Result<DoorFilter, Unread> {
    if v.eq_ignore_ascii_case("all") {
        return Ok(DoorFilter::All);
    }
    let mut ids = Vec::new();
    for wanted in v.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let door = doors
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(wanted) || d.id == wanted)
            .ok_or_else(|| Unread::NoSuchDoor(wanted.into()))?;
        if !ids.contains(&door.id) {
            ids.push(door.id.clone());
        }
    }
    Ok(DoorFilter::Only(ids))
}

/// `HH:MM-HH:MM`, or `off` (`Some(None)`).
fn read_quiet(v: &str) -> Option<Option<QuietHours>> {
    if v == "off" {
        return Some(None);
    }
    let (from, to) = v.split_once('-')?;
    Some(Some(QuietHours {
        from: ClockTime::parse(from)?,
        to: ClockTime::parse(to)?,
    }))
}

/// `ui/src/ipc/generated/settingsTable.ts`: each numeric setting's limits and the
/// defaults, so the window checks what the core checks.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from src-tauri/crates/core/src/settings/table.rs by \
         `cargo test -p doorpost-core export_bindings`. Do not edit.\n\n\
         import type { Field } from './Field';\nimport type { Settings } from './Settings';\n\n\
         /** The smallest and largest each numeric setting may be. */\n\
         export const LIMITS = {\n",
    );
    for setting in &SETTINGS {
        if let Some(Range { min, max }) = setting.range {
            out.push_str(&format!(
                "  {}: {{ min: {min}, max: {max} }},\n",
                setting.name
            ));
        }
    }
    out.push_str(
        "} as const satisfies Partial<Record<Field, { min: number; max: number }>>;\n\n\
         /** What a setting is until the user changes it. */\nexport const DEFAULTS: Settings = ",
    );
    let defaults = serde_json::to_string_pretty(&Settings::default()).expect("settings serialise");
    out.push_str(&defaults);
    out.push_str(
        ";\n\n/** The settings a place may hold its own value of (`PlaceView.ownSettings`). */\n",
    );
    let per_place: Vec<String> = SETTINGS
        .iter()
        .filter(|s| s.per_place)
        .map(|s| format!("'{}'", s.name))
        .collect();
    out.push_str(&format!(
        "export const PER_PLACE: readonly Field[] = [{}];\n",
        per_place.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Named `export_bindings_*` so CI's `cargo test -p doorpost-core export_bindings` writes
    /// it with the ts-rs types (and fails on a diff).
    #[test]
    fn export_bindings_settings_table() {
        let cfg = crate::commands::ts_config();
        let path = cfg.out_dir().join("settingsTable.ts");
        std::fs::write(&path, typescript()).expect("the export directory is writable");
    }

    #[test]
    fn settings_table_has_every_field_once() {
        let fields: Vec<Field> = SETTINGS.iter().map(|s| s.field).collect();
        let mut unique = fields.clone();
        unique.sort_by_key(|f| f.name());
        unique.dedup();
        assert_eq!(unique.len(), SETTINGS.len(), "a field with two rows");
        for s in &SETTINGS {
            let json = serde_json::to_string(&s.field).unwrap();
            assert_eq!(
                json.trim_matches('"'),
                s.name,
                "the row's name is the field's"
            );
        }
        let stored = serde_json::to_value(Settings::default()).unwrap();
        let stored = stored.as_object().unwrap();
        assert_eq!(stored.len(), SETTINGS.len(), "every stored field has a row");
        for s in &SETTINGS {
            assert!(
                stored.contains_key(s.name),
                "{} is not a stored field",
                s.name
            );
        }
    }
}
