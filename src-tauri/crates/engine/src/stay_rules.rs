//! A place's stay rules from its settings, and a stored stay's check-in and check-out: one
//! function each, shared by History (the marks), the stays list and the matching, so they
//! always agree.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use chrono_tz::Tz;
use doorpost_core::settings::{ClockTime, Settings};
use doorpost_core::time::Millis;
use doorpost_stays::{PlaceRules, StayTime};

use crate::store::Store;

/// The computer's IANA zone: `TZ` when it names one, else the system's, else UTC.
pub fn computer_zone() -> Tz {
    let named = std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_owned())
        .and_then(|tz| tz.parse::<Tz>().ok());
    named
        .or_else(|| iana_time_zone::get_timezone().ok()?.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// The rules at one place: the user's settings with the place's own values over them.
/// Own values that cannot be read leave the user's in force (logged).
pub fn place_rules(store: &Store, settings: &Settings, place_id: &str) -> PlaceRules {
    rules_for(&place_settings(store, settings, place_id))
}

/// The settings in force at one place ([`Settings::for_place`] with its stored values).
pub fn place_settings(store: &Store, settings: &Settings, place_id: &str) -> Settings {
    match store.place_settings(place_id) {
        Ok(own) => settings.for_place(&own),
        Err(e) => {
            tracing::warn!("a place's own settings are unreadable; the user's apply: {e}");
            settings.clone()
        }
    }
}

fn time(t: ClockTime) -> NaiveTime {
    NaiveTime::from_hms_opt(u32::from(t.minutes() / 60), u32::from(t.minutes() % 60), 0)
        .unwrap_or_default()
}

/// The rules of a place whose settings are `settings` (already [`Settings::for_place`]).
pub fn rules_for(settings: &Settings) -> PlaceRules {
    PlaceRules {
        check_in: time(settings.stays_checkin),
        check_out: time(settings.stays_checkout),
        no_show: settings.stays_noshow.map(time),
        buffer: TimeDelta::minutes(i64::from(settings.stays_buffer_mins)),
        zone: settings
            .stays_timezone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or_else(computer_zone),
    }
}

/// A stay as the `stays` table keeps it: dates (`YYYY-MM-DD`, check-out exclusive) for an
/// all-day entry, else ms.
pub fn stay_time(
    start_date: Option<&str>,
    end_date: Option<&str>,
    start_at: Option<i64>,
    end_at: Option<i64>,
) -> Option<StayTime> {
    let date = |d: Option<&str>| NaiveDate::parse_from_str(d?, "%Y-%m-%d").ok();
    if let (Some(check_in), Some(check_out)) = (date(start_date), date(end_date)) {
        return Some(StayTime::Dates {
            check_in,
            check_out,
        });
    }
    let at = |ms: Option<i64>| chrono::DateTime::from_timestamp_millis(ms?);
    Some(StayTime::Times {
        start: at(start_at)?,
        end: at(end_at)?,
    })
}

/// Check-in and check-out under `rules`, in ms.
pub fn check_in_out_ms(time: &StayTime, rules: &PlaceRules) -> Option<(Millis, Millis)> {
    let (start, end) = doorpost_stays::check_in_out(time, rules)?;
    Some((
        Millis(start.timestamp_millis()),
        Millis(end.timestamp_millis()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_day_stays_take_the_places_times_in_its_zone_across_dst() {
        let mut settings = Settings {
            stays_timezone: Some("Europe/Oslo".into()),
            ..Settings::default()
        };
        let rules = rules_for(&settings);
        assert_eq!(rules.buffer, TimeDelta::minutes(60));
        // 28–30 March 2026: the clocks go forward on the 29th.
        let stay = stay_time(Some("2026-03-28"), Some("2026-03-30"), None, None).unwrap();
        let (check_in, check_out) = check_in_out_ms(&stay, &rules).unwrap();
        assert_eq!(
            check_in.to_rfc3339(),
            "2026-03-28T14:00:00.000Z",
            "15:00 CET"
        );
        assert_eq!(
            check_out.to_rfc3339(),
            "2026-03-30T09:00:00.000Z",
            "11:00 CEST"
        );
        settings.stays_checkin = ClockTime::of(16, 30);
        let (check_in, _) = check_in_out_ms(&stay, &rules_for(&settings)).unwrap();
        assert_eq!(check_in.to_rfc3339(), "2026-03-28T15:30:00.000Z");
        let timed = stay_time(None, None, Some(1_000), Some(2_000)).unwrap();
        assert_eq!(
            check_in_out_ms(&timed, &rules),
            Some((Millis(1_000), Millis(2_000))),
            "a timed entry keeps its own times"
        );
        assert_eq!(stay_time(Some("soon"), None, None, None), None);
    }
}
