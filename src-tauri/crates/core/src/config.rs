//! Settings as `key = value` lines: what `doorpost config list|get|set` reads and writes.
//!
//! Every change goes through [`Settings::apply`], the window's validation, so the command
//! line can store nothing the window would refuse. Doors are named as people know them
//! (`Front door, Back gate`); the settings keep their ids. The keys, and how each value is
//! written and read, are declared with the rest of each setting in [`crate::settings::table`].

use crate::i18n::{self, Msg};
use crate::settings::table::Key;
use crate::settings::table::Unread;
use crate::settings::{Invalid, Language, SETTINGS, Settings, SettingsPatch};

pub use crate::settings::DoorName;

/// Every key, in the order `config list` prints them.
pub fn keys() -> impl Iterator<Item = &'static str> {
    SETTINGS.iter().filter_map(|s| Some(s.key.as_ref()?.name))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    UnknownKey(String),
    BadValue {
        key: String,
        value: String,
        why: String,
    },
    /// `--place` with a key that is the same at every place.
    NotPerPlace(String),
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
            ConfigError::NotPerPlace(key) => i18n::t(lang, Msg::ConfigNotPerPlace, &[("key", key)]),
        }
    }
}

fn key(name: &str) -> Result<&'static crate::settings::table::Key, ConfigError> {
    SETTINGS
        .iter()
        .filter_map(|s| s.key.as_ref())
        .find(|k| k.name == name)
        .ok_or_else(|| ConfigError::UnknownKey(name.into()))
}

/// The value of `key`, as `config set` takes it.
pub fn get(s: &Settings, name: &str, doors: &[DoorName]) -> Result<String, ConfigError> {
    Ok((key(name)?.show)(s, doors))
}

/// Every key with its value.
pub fn list(s: &Settings, doors: &[DoorName]) -> Vec<(&'static str, String)> {
    SETTINGS
        .iter()
        .filter_map(|s| s.key.as_ref())
        .map(|k| (k.name, (k.show)(s, doors)))
        .collect()
}

/// The settings with `key` set to `value`: all of it valid, or an error and no change.
pub fn set(
    s: &Settings,
    name: &str,
    value: &str,
    doors: &[DoorName],
    lang: Language,
) -> Result<Settings, ConfigError> {
    let patch = read(key(name)?, name, value, doors, lang)?;
    s.apply(patch)
        .map_err(|invalid| bad_value(name, value, messages(&invalid, lang)))
}

fn bad_value(key: &str, value: &str, why: String) -> ConfigError {
    ConfigError::BadValue {
        key: key.into(),
        value: value.into(),
        why,
    }
}

/// `value` as a patch of the one field `key` sets, or why it cannot be read.
fn read(
    key: &Key,
    name: &str,
    value: &str,
    doors: &[DoorName],
    lang: Language,
) -> Result<SettingsPatch, ConfigError> {
    (key.read)(value.trim(), doors).map_err(|unread| {
        bad_value(
            name,
            value,
            match unread {
                Unread::Form => i18n::t(lang, key.expects, &[]),
                Unread::NoSuchDoor(door) => {
                    let known: Vec<&str> = doors.iter().map(|d| d.name.as_str()).collect();
                    let known = known.join(", ");
                    i18n::t(lang, Msg::NoSuchDoor, &[("door", &door), ("known", &known)])
                }
            },
        )
    })
}

/// A key a place may hold its own value of, with its field.
fn place_key(name: &str) -> Result<(crate::settings::Field, &'static Key), ConfigError> {
    let setting = SETTINGS
        .iter()
        .find(|s| s.key.as_ref().is_some_and(|k| k.name == name))
        .ok_or_else(|| ConfigError::UnknownKey(name.into()))?;
    match (&setting.key, setting.per_place) {
        (Some(key), true) => Ok((setting.field, key)),
        _ => Err(ConfigError::NotPerPlace(name.into())),
    }
}

/// Every key a place may hold its own value of, with its value there (its own, else the
/// user's setting).
pub fn list_place(
    s: &Settings,
    own: &SettingsPatch,
    doors: &[DoorName],
) -> Vec<(&'static str, String)> {
    let at = s.for_place(own);
    SETTINGS
        .iter()
        .filter(|s| s.per_place)
        .filter_map(|s| s.key.as_ref())
        .map(|k| (k.name, (k.show)(&at, doors)))
        .collect()
}

/// The value of `key` at a place.
pub fn get_place(
    s: &Settings,
    own: &SettingsPatch,
    name: &str,
    doors: &[DoorName],
) -> Result<String, ConfigError> {
    let (_, key) = place_key(name)?;
    Ok((key.show)(&s.for_place(own), doors))
}

/// A place's own values with `key` set to `value` there: valid, or an error and no change.
pub fn set_place(
    s: &Settings,
    own: &SettingsPatch,
    name: &str,
    value: &str,
    doors: &[DoorName],
    lang: Language,
) -> Result<SettingsPatch, ConfigError> {
    let (_, key) = place_key(name)?;
    let patch = read(key, name, value, doors, lang)?;
    s.place_values(own, &patch, &[])
        .map_err(|invalid| bad_value(name, value, messages(&invalid, lang)))
}

/// A place's own values without `key`: the place follows the user's setting again.
pub fn unset_place(
    s: &Settings,
    own: &SettingsPatch,
    name: &str,
    lang: Language,
) -> Result<SettingsPatch, ConfigError> {
    let (field, _) = place_key(name)?;
    s.place_values(own, &SettingsPatch::default(), &[field])
        .map_err(|invalid| bad_value(name, "", messages(&invalid, lang)))
}

/// The validation's reasons in `lang`, one after another.
pub fn messages(invalid: &[Invalid], lang: Language) -> String {
    invalid
        .iter()
        .map(|i| i.message(lang))
        .collect::<Vec<_>>()
        .join(" ")
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
        assert_eq!(listed.len(), keys().count());
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
            ("stays.checkin", "16:00"),
            ("stays.checkout", "10:30"),
            ("stays.noshow", "off"),
            ("stays.noshow", "21:00"),
            ("stays.vacant", "quiet"),
            ("stays.buffer", "0"),
            ("stays.timezone", "Europe/Oslo"),
            ("stays.timezone", "system"),
            ("staff.notify", "on"),
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

    #[test]
    fn a_place_sets_reads_and_clears_only_its_own_keys() {
        let s = Settings::default();
        let own = set_place(
            &s,
            &SettingsPatch::default(),
            "stays.checkin",
            "16:00",
            &[],
            Language::En,
        )
        .unwrap();
        assert_eq!(get_place(&s, &own, "stays.checkin", &[]).unwrap(), "16:00");
        assert_eq!(
            get(&s, "stays.checkin", &[]).unwrap(),
            "15:00",
            "every place's is kept"
        );
        let listed = list_place(&s, &own, &[]);
        assert_eq!(listed.len(), 7);
        assert!(listed.contains(&("stays.checkin", "16:00".to_string())));
        assert!(listed.contains(&("stays.checkout", "11:00".to_string())));
        let e = set_place(&s, &own, "sound", "on", &[], Language::En).unwrap_err();
        assert_eq!(e, ConfigError::NotPerPlace("sound".into()));
        assert_eq!(
            e.message(Language::En),
            "“sound” is the same at every place; set it without --place."
        );
        assert!(
            e.message(Language::Nb).starts_with("«sound»"),
            "{}",
            e.message(Language::Nb)
        );
        let e = set_place(&s, &own, "stays.timezone", "Mars/Base", &[], Language::En).unwrap_err();
        assert!(
            e.message(Language::En).contains("IANA"),
            "{}",
            e.message(Language::En)
        );
        let e = set_place(&s, &own, "stays.buffer", "400", &[], Language::En).unwrap_err();
        assert!(
            e.message(Language::En).contains("between 0 and 360"),
            "{}",
            e.message(Language::En)
        );
        let cleared = unset_place(&s, &own, "stays.checkin", Language::En).unwrap();
        assert_eq!(cleared, SettingsPatch::default());
        assert_eq!(
            unset_place(&s, &own, "volume", Language::En).unwrap_err(),
            ConfigError::UnknownKey("volume".into())
        );
    }
}
