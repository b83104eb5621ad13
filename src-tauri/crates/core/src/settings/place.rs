//! A place's own values of the settings with a per-place scope (the stays settings,
//! [`super::Setting::per_place`]): kept as a [`SettingsPatch`] of only the fields the place
//! sets, stored one field a row as the JSON `Settings` stores (`place_settings`), and laid
//! over the user's settings by [`Settings::for_place`].

use serde_json::{Map, Value};

use super::{Field, Invalid, Problem, SETTINGS, Settings, SettingsPatch};

impl SettingsPatch {
    /// The fields this patch sets, each with its value as `Settings` holds it in JSON
    /// (`null` for a cleared optional value), in the table's order.
    pub fn values(&self) -> Vec<(Field, Value)> {
        let Ok(Value::Object(map)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        SETTINGS
            .iter()
            .filter_map(|s| Some((s.field, map.get(s.name)?.clone())))
            .collect()
    }

    /// A patch from stored `(field name, JSON)` pairs. A pair that cannot be read (a field
    /// no longer known, a value of another form) is left out: the place then follows the
    /// user's setting for it.
    pub fn from_values<'a>(values: impl IntoIterator<Item = (&'a str, Value)>) -> SettingsPatch {
        let mut map = Map::new();
        for (name, value) in values {
            let known = SETTINGS.iter().any(|s| s.name == name);
            let one = Map::from_iter([(name.to_string(), value.clone())]);
            if known && serde_json::from_value::<SettingsPatch>(Value::Object(one)).is_ok() {
                map.insert(name.to_string(), value);
            }
        }
        serde_json::from_value(Value::Object(map)).unwrap_or_default()
    }
}

impl Settings {
    /// The settings as they hold at a place with its own values `own`: only fields with a
    /// per-place scope are taken from it.
    pub fn for_place(&self, own: &SettingsPatch) -> Settings {
        let Ok(Value::Object(mut base)) = serde_json::to_value(self) else {
            return self.clone();
        };
        for (field, value) in own.values() {
            if field.setting().per_place {
                base.insert(field.name().to_string(), value);
            }
        }
        serde_json::from_value(Value::Object(base)).unwrap_or_else(|_| self.clone())
    }

    /// A place's own values `own` with `change` set and `clear` back to the user's
    /// settings, or every reason it cannot be: a field without a per-place scope, or a
    /// value the settings' checks refuse. All or nothing.
    pub fn place_values(
        &self,
        own: &SettingsPatch,
        change: &SettingsPatch,
        clear: &[Field],
    ) -> Result<SettingsPatch, Vec<Invalid>> {
        let changed = change.values();
        let mut refused: Vec<Invalid> = Vec::new();
        for field in changed.iter().map(|(f, _)| *f).chain(clear.iter().copied()) {
            if !field.setting().per_place && !refused.iter().any(|i| i.field == field) {
                refused.push(Invalid {
                    field,
                    problem: Problem::NotPerPlace,
                });
            }
        }
        if !refused.is_empty() {
            return Err(refused);
        }
        let mut values: Vec<(Field, Value)> = own.values();
        for (field, value) in changed {
            values.retain(|(f, _)| *f != field);
            values.push((field, value));
        }
        values.retain(|(f, _)| !clear.contains(f));
        let next = SettingsPatch::from_values(values.into_iter().map(|(f, v)| (f.name(), v)));
        self.for_place(&next).validate()?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{ClockTime, VacantAlerts};

    #[test]
    fn a_place_overrides_only_per_place_fields() {
        let s = Settings::default();
        let own = SettingsPatch {
            stays_checkin: Some(ClockTime::of(16, 0)),
            stays_noshow: Some(None),
            poll_interval_mins: Some(30),
            ..Default::default()
        };
        let at = s.for_place(&own);
        assert_eq!(at.stays_checkin, ClockTime::of(16, 0));
        assert_eq!(at.stays_noshow, None, "off at this place");
        assert_eq!(at.stays_checkout, s.stays_checkout, "the user's");
        assert_eq!(at.poll_interval_mins, 5, "not a per-place setting");
        assert_eq!(s.for_place(&SettingsPatch::default()), s);
    }

    #[test]
    fn own_values_round_trip_through_their_stored_form() {
        let own = SettingsPatch {
            stays_noshow: Some(None),
            stays_vacant: Some(VacantAlerts::Quiet),
            stays_timezone: Some(Some("Europe/Oslo".into())),
            ..Default::default()
        };
        let stored: Vec<(String, String)> = own
            .values()
            .into_iter()
            .map(|(f, v)| (f.name().to_string(), v.to_string()))
            .collect();
        assert_eq!(stored.len(), 3);
        let mut read: Vec<(&str, Value)> = stored
            .iter()
            .map(|(f, v)| (f.as_str(), serde_json::from_str(v).unwrap()))
            .collect();
        read.push(("staysBufferMins", Value::String("soon".into())));
        read.push(("noSuchField", Value::Bool(true)));
        assert_eq!(
            SettingsPatch::from_values(read),
            own,
            "unreadable rows left out"
        );
    }

    #[test]
    fn place_values_refuse_global_fields_and_bad_values_and_clear() {
        let s = Settings::default();
        let change = SettingsPatch {
            sound: Some(true),
            stays_buffer_mins: Some(30),
            ..Default::default()
        };
        let e = s.place_values(&SettingsPatch::default(), &change, &[Field::Language]);
        let refused: Vec<_> = e
            .unwrap_err()
            .into_iter()
            .map(|i| (i.field, i.problem))
            .collect();
        assert_eq!(
            refused,
            [
                (Field::Sound, Problem::NotPerPlace),
                (Field::Language, Problem::NotPerPlace)
            ]
        );
        let bad = SettingsPatch {
            stays_buffer_mins: Some(361),
            stays_timezone: Some(Some("Mars/Olympus".into())),
            ..Default::default()
        };
        let e = s
            .place_values(&SettingsPatch::default(), &bad, &[])
            .unwrap_err();
        let problems: Vec<_> = e.iter().map(|i| i.problem).collect();
        assert_eq!(
            problems,
            [
                Problem::OutOfRange { min: 0, max: 360 },
                Problem::UnknownTimeZone
            ]
        );
        let own = s
            .place_values(&SettingsPatch::default(), &change_ok(), &[])
            .unwrap();
        assert_eq!(own.stays_buffer_mins, Some(30));
        let cleared = s
            .place_values(&own, &SettingsPatch::default(), &[Field::StaysBufferMins])
            .unwrap();
        assert_eq!(cleared.stays_buffer_mins, None);
        assert_eq!(cleared.stays_checkin, own.stays_checkin, "the rest kept");
    }

    fn change_ok() -> SettingsPatch {
        SettingsPatch {
            stays_buffer_mins: Some(30),
            stays_checkin: Some(ClockTime::of(14, 0)),
            ..Default::default()
        }
    }
}
