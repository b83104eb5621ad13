//! Settings as `key = value` lines: what `doorpost config list|get|set` reads and writes.
//!
//! Every change goes through [`Settings::apply`], the window's validation, so the command
//! line can store nothing the window would refuse. Doors are named as people know them
//! (`Front door, Back gate`); the settings keep their ids.

use crate::i18n::{self, Msg};
use crate::settings::{
    AllowedOffset, DoorFilter, FieldError, Language, NotifyMode, QuietHours, Settings,
    SettingsPatch, clock_minutes,
};

/// Every key, in the order `config list` prints them.
pub const KEYS: &[&str] = &[
    "interval.minutes",
    "offset.minutes",
    "doors",
    "notify.mode",
    "quiet.hours",
    "day.starts",
    "retention.days",
    "language",
    "notifications",
    "sound",
];

/// A door as the user names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorName {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    UnknownKey(String),
    BadValue {
        key: String,
        value: String,
        why: String,
    },
}

impl ConfigError {
    /// One line, in `lang`.
    pub fn message(&self, lang: Language) -> String {
        match self {
            ConfigError::UnknownKey(key) => i18n::t(lang, Msg::UnknownKey, &[("key", key)]),
            ConfigError::BadValue { key, value, why } => i18n::t(
                lang,
                Msg::BadValue,
                &[("key", key), ("value", value), ("why", why)],
            ),
        }
    }
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.into()
}

/// The value of `key`, as `config set` takes it.
pub fn get(s: &Settings, key: &str, doors: &[DoorName]) -> Result<String, ConfigError> {
    Ok(match key {
        "interval.minutes" => s.poll_interval_mins.to_string(),
        "offset.minutes" => match s.allowed_offset {
            AllowedOffset::Minutes(m) => m.to_string(),
            AllowedOffset::Unbounded => "none".into(),
        },
        "doors" => match &s.watched_doors {
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
        },
        "notify.mode" => match s.notify_mode {
            NotifyMode::Every => "every".into(),
            NotifyMode::Arrivals => "arrivals".into(),
        },
        "quiet.hours" => match &s.quiet_hours {
            Some(q) => format!("{}-{}", q.from, q.to),
            None => "off".into(),
        },
        "day.starts" => s.day_starts_at.clone(),
        "retention.days" => s.retention_days.map_or("forever".into(), |d| d.to_string()),
        "language" => match s.language {
            Some(Language::En) => "en".into(),
            Some(Language::Nb) => "nb".into(),
            None => "system".into(),
        },
        "notifications" => on_off(s.notifications_enabled),
        "sound" => on_off(s.sound),
        other => return Err(ConfigError::UnknownKey(other.into())),
    })
}

/// Every key with its value.
pub fn list(s: &Settings, doors: &[DoorName]) -> Vec<(&'static str, String)> {
    KEYS.iter()
        .map(|k| (*k, get(s, k, doors).unwrap_or_default()))
        .collect()
}

/// The settings with `key` set to `value`: all of it valid, or an error and no change.
pub fn set(
    s: &Settings,
    key: &str,
    value: &str,
    doors: &[DoorName],
    lang: Language,
) -> Result<Settings, ConfigError> {
    let v = value.trim();
    let bad = |why: String| ConfigError::BadValue {
        key: key.into(),
        value: value.into(),
        why,
    };
    let expect = |choices: Msg| bad(i18n::t(lang, choices, &[]));
    let number = || v.parse::<u32>().map_err(|_| expect(Msg::ExpectNumber));
    let switch = || match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(expect(Msg::ExpectOnOff)),
    };
    let mut patch = SettingsPatch::default();
    match key {
        "interval.minutes" => patch.poll_interval_mins = Some(number()?),
        "offset.minutes" => {
            patch.allowed_offset = Some(match v {
                "none" => AllowedOffset::Unbounded,
                _ => AllowedOffset::Minutes(v.parse().map_err(|_| expect(Msg::ExpectOffset))?),
            })
        }
        "doors" => patch.watched_doors = Some(door_filter(v, doors, lang).map_err(bad)?),
        "notify.mode" => {
            patch.notify_mode = Some(match v {
                "every" => NotifyMode::Every,
                "arrivals" => NotifyMode::Arrivals,
                _ => return Err(expect(Msg::ExpectMode)),
            })
        }
        "quiet.hours" => {
            patch.quiet_hours = Some(quiet(v).ok_or_else(|| expect(Msg::ExpectQuiet))?)
        }
        "day.starts" => patch.day_starts_at = Some(v.to_string()),
        "retention.days" => {
            patch.retention_days = Some(match v {
                "forever" => None,
                _ => Some(v.parse().map_err(|_| expect(Msg::ExpectRetention))?),
            })
        }
        "language" => {
            patch.language = Some(match v {
                "en" => Some(Language::En),
                "nb" | "no" => Some(Language::Nb),
                "system" => None,
                _ => return Err(expect(Msg::ExpectLanguage)),
            })
        }
        "notifications" => patch.notifications_enabled = Some(switch()?),
        "sound" => patch.sound = Some(switch()?),
        other => return Err(ConfigError::UnknownKey(other.into())),
    }
    s.apply(patch)
        .map_err(|fields| bad(field_messages(&fields, lang)))
}

fn quiet(v: &str) -> Option<Option<QuietHours>> {
    if v == "off" {
        return Some(None);
    }
    let (from, to) = v.split_once('-')?;
    let (from, to) = (from.trim(), to.trim());
    clock_minutes(from)?;
    clock_minutes(to)?;
    Some(Some(QuietHours {
        from: from.into(),
        to: to.into(),
    }))
}

/// `all`, or doors by name (or id), comma-separated.
fn door_filter(v: &str, doors: &[DoorName], lang: Language) -> Result<DoorFilter, String> {
    if v.eq_ignore_ascii_case("all") {
        return Ok(DoorFilter::All);
    }
    let mut ids = Vec::new();
    for wanted in v.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let door = doors
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(wanted) || d.id == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = doors.iter().map(|d| d.name.as_str()).collect();
                let known = known.join(", ");
                i18n::t(
                    lang,
                    Msg::NoSuchDoor,
                    &[("door", wanted), ("known", &known)],
                )
            })?;
        if !ids.contains(&door.id) {
            ids.push(door.id.clone());
        }
    }
    Ok(DoorFilter::Only(ids))
}

/// The validation's reasons in `lang`.
pub fn field_messages(fields: &[FieldError], lang: Language) -> String {
    fields
        .iter()
        .map(|f| field_message(f, lang))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One field's reason in `lang` (the window and the command line say the same).
pub fn field_message(f: &FieldError, lang: Language) -> String {
    let msg = match f.field.as_str() {
        "pollIntervalMins" => Msg::FieldInterval,
        "allowedOffset" => Msg::FieldOffset,
        "watchedDoors" => Msg::FieldDoors,
        "backfillDays" => Msg::FieldBackfill,
        "reconcileIntervalMins" => Msg::FieldSweep,
        "dayStartsAt" => Msg::FieldDayStart,
        "quietHours" if f.message.contains("different") => Msg::FieldQuietSame,
        "quietHours" => Msg::FieldQuietTimes,
        "retentionDays" => Msg::FieldRetention,
        "doorRules" => Msg::FieldDoorRules,
        _ => return f.message.clone(),
    };
    i18n::t(lang, msg, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doors() -> Vec<DoorName> {
        vec![
            DoorName {
                id: "d1".into(),
                name: "Front door".into(),
            },
            DoorName {
                id: "d2".into(),
                name: "Back gate".into(),
            },
        ]
    }

    #[test]
    fn every_key_round_trips_through_list_get_and_set() {
        let s = Settings::default();
        let listed = list(&s, &doors());
        assert_eq!(listed.len(), KEYS.len());
        assert_eq!(listed[0], ("interval.minutes", "5".to_string()));
        for (key, value) in [
            ("interval.minutes", "7"),
            ("offset.minutes", "none"),
            ("offset.minutes", "30"),
            ("doors", "Front door, Back gate"),
            ("doors", "all"),
            ("notify.mode", "arrivals"),
            ("quiet.hours", "22:00-07:00"),
            ("quiet.hours", "off"),
            ("day.starts", "05:30"),
            ("retention.days", "30"),
            ("retention.days", "forever"),
            ("language", "nb"),
            ("language", "system"),
            ("notifications", "off"),
            ("sound", "on"),
        ] {
            let next = set(&s, key, value, &doors(), Language::En).unwrap();
            assert_eq!(get(&next, key, &doors()).unwrap(), value, "{key}");
        }
    }

    #[test]
    fn bad_values_say_why_in_the_users_language_and_change_nothing() {
        let s = Settings::default();
        let e = set(&s, "interval.minutes", "0", &doors(), Language::En).unwrap_err();
        assert_eq!(
            e.message(Language::En),
            "“0” is not a valid interval.minutes: Choose between 1 and 60 minutes (Parakey recommends 5 or more)."
        );
        let e = set(&s, "quiet.hours", "22-7", &doors(), Language::Nb).unwrap_err();
        assert!(
            e.message(Language::Nb).starts_with("«22-7»"),
            "{}",
            e.message(Language::Nb)
        );
        let e = set(&s, "doors", "Garage", &doors(), Language::En).unwrap_err();
        assert!(e.message(Language::En).contains("Front door, Back gate"));
        let e = set(&s, "volume", "11", &doors(), Language::En).unwrap_err();
        assert_eq!(e, ConfigError::UnknownKey("volume".into()));
        let e = set(&s, "quiet.hours", "07:00-07:00", &doors(), Language::En).unwrap_err();
        assert!(e.message(Language::En).contains("different times"));
    }
}
