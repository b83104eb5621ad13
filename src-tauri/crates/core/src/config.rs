//! Settings as `key = value` lines: what `doorpost config list|get|set` reads and writes.
//!
//! Every change goes through [`Settings::apply`], the window's validation, so the command
//! line can store nothing the window would refuse. Doors are named as people know them
//! (`Front door, Back gate`); the settings keep their ids. The keys, and how each value is
//! written and read, are declared with the rest of each setting in [`crate::settings::table`].

use crate::i18n::{self, Msg};
use crate::settings::table::Unread;
use crate::settings::{Invalid, Language, SETTINGS, Settings};

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
    let key = key(name)?;
    let bad = |why: String| ConfigError::BadValue {
        key: name.into(),
        value: value.into(),
        why,
    };
    let patch = (key.read)(value.trim(), doors).map_err(|unread| {
        bad(match unread {
            Unread::Form => i18n::t(lang, key.expects, &[]),
            Unread::NoSuchDoor(door) => {
                let known: Vec<&str> = doors.iter().map(|d| d.name.as_str()).collect();
                let known = known.join(", ");
                i18n::t(lang, Msg::NoSuchDoor, &[("door", &door), ("known", &known)])
            }
        })
    })?;
    s.apply(patch)
        .map_err(|invalid| bad(messages(&invalid, lang)))
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
