//! How dates and times are written (the clock, "Yesterday 20:31", durations, "4 min ago"),
//! and which language and locale apply: the setting, else the system's (`LC_ALL`,
//! `LC_MESSAGES`, `LANG`, in that order, as gettext reads them); see [`resolve`]. Dates
//! follow the locale: a 24-hour clock everywhere but `en-US`.

use chrono::{Datelike, Duration, TimeZone, Timelike, Utc};

use super::{Language, Msg, t, template};
use crate::time::{ClockTime, Millis};

/// How dates and times are written: the language, and whether the clock has 12 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale {
    pub lang: Language,
    pub twelve_hour: bool,
    /// Seconds east of UTC, for wall-clock instants.
    pub utc_offset_secs: i32,
}

impl Locale {
    /// The BCP 47 tag the window formats with (`Intl`): the same clock as here.
    pub fn tag(&self, territory: Option<&str>) -> String {
        let base = match (self.lang, territory) {
            (Language::Nb, _) => "nb-NO".to_string(),
            (Language::En, Some(t)) if !t.is_empty() => format!("en-{t}"),
            (Language::En, _) if self.twelve_hour => "en-US".into(),
            (Language::En, _) => "en-GB".into(),
        };
        // The hour cycle is said outright: `Intl` would guess one per territory (12 hours
        // for `en-NO`), and the toasts and the tray would then disagree with the window.
        let cycle = if self.twelve_hour { "h12" } else { "h23" };
        format!("{base}-u-hc-{cycle}")
    }

    fn local(&self, at: Millis) -> Option<chrono::DateTime<Utc>> {
        let shifted = at.plus(i64::from(self.utc_offset_secs) * 1_000);
        Utc.timestamp_millis_opt(shifted.0).single()
    }

    /// `14:05`, or `2:05 PM` on a 12-hour clock.
    pub fn clock(&self, at: Millis) -> String {
        let Some(t) = self.local(at) else {
            return "--:--".into();
        };
        if self.twelve_hour {
            let (pm, h) = t.hour12();
            format!("{h}:{:02} {}", t.minute(), if pm { "PM" } else { "AM" })
        } else {
            format!("{:02}:{:02}", t.hour(), t.minute())
        }
    }

    /// "Today 12:49", "Yesterday 12:49", "Sun 12:49" within a week, else "30 Nov 12:49";
    /// "Tomorrow 07:00" for the next day. The same words as the window's.
    pub fn when(&self, at: Millis, now: Millis) -> String {
        self.day_and_time(at, now, false, false)
    }

    /// A moment as every time is shown beside other words (the tray's unlocks, "since"
    /// in a sentence): the clock alone on the same day, else with its day, "Yesterday
    /// 20:31" (`inline`: "yesterday 20:31", for the middle of a sentence). The window's
    /// `whenInline` says the same.
    pub fn moment(&self, at: Millis, now: Millis, inline: bool) -> String {
        self.day_and_time(at, now, true, inline)
    }

    fn day_and_time(&self, at: Millis, now: Millis, bare_today: bool, inline: bool) -> String {
        let (Some(t), Some(n)) = (self.local(at), self.local(now)) else {
            return "--".into();
        };
        let days = (t.date_naive() - n.date_naive()).num_days();
        let relative = |msg: Msg| {
            let word = template(self.lang, msg);
            if inline {
                word.to_lowercase()
            } else {
                word.to_string()
            }
        };
        let day = match days {
            0 if bare_today => return self.clock(at),
            0 => relative(Msg::Today),
            -1 => relative(Msg::Yesterday),
            1 => relative(Msg::Tomorrow),
            -6..=-2 => weekday(self.lang, t.weekday().num_days_from_monday()).to_string(),
            _ => self.date(t),
        };
        t_fill(self.lang, Msg::DayAtTime, &day, &self.clock(at))
    }

    fn date(&self, t: chrono::DateTime<Utc>) -> String {
        let month = month(self.lang, t.month0());
        match self.lang {
            Language::En => format!("{} {month}", t.day()),
            Language::Nb => format!("{}. {month}", t.day()),
        }
    }

    /// A duration as people say it: "40 min", "10 h", "3 d" (rounded down, at least
    /// "1 min").
    pub fn duration(&self, ms: i64) -> String {
        let mins = (ms / Millis::MINUTE).max(1);
        let (msg, n) = if mins < 60 {
            (Msg::Minutes, mins)
        } else if mins < 48 * 60 {
            (Msg::Hours, mins / 60)
        } else {
            (Msg::Days, mins / (24 * 60))
        };
        t(self.lang, msg, &[("n", &n.to_string())])
    }

    /// "just now", "4 min ago", "3 h ago", else the day and time.
    pub fn ago(&self, at: Millis, now: Millis) -> String {
        let mins = now.since(at) / Millis::MINUTE;
        if mins < 1 {
            template(self.lang, Msg::JustNow).to_string()
        } else if mins < 60 {
            t(self.lang, Msg::MinutesAgo, &[("n", &mins.to_string())])
        } else if mins < 12 * 60 {
            t(self.lang, Msg::HoursAgo, &[("n", &(mins / 60).to_string())])
        } else {
            self.when(at, now)
        }
    }

    /// The wall-clock instant of the next `at`, local time, after `now` (today's when
    /// still ahead, else tomorrow's). DST changes within the day shift it by at most the
    /// change, which is what a person expects of "07:00".
    pub fn next_clock_time(&self, now: Millis, at: ClockTime) -> Millis {
        let Some(n) = self.local(now) else {
            return now;
        };
        let midnight = n.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
        let today = midnight + Duration::minutes(i64::from(at.minutes()));
        let target = if today > n.naive_utc() {
            today
        } else {
            today + Duration::days(1)
        };
        let local_ms = target.and_utc().timestamp_millis();
        Millis(local_ms).minus(i64::from(self.utc_offset_secs) * 1_000)
    }
}

fn t_fill(lang: Language, msg: Msg, day: &str, time: &str) -> String {
    t(lang, msg, &[("day", day), ("time", time)])
}

fn weekday(lang: Language, from_monday: u32) -> &'static str {
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const NB: [&str; 7] = ["man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn."];
    let i = (from_monday as usize).min(6);
    match lang {
        Language::En => EN[i],
        Language::Nb => NB[i],
    }
}

fn month(lang: Language, month0: u32) -> &'static str {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const NB: [&str; 12] = [
        "jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
        "des.",
    ];
    let i = (month0 as usize).min(11);
    match lang {
        Language::En => EN[i],
        Language::Nb => NB[i],
    }
}

/// The system's locale settings, as the environment gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemLocale {
    /// `LC_ALL`, else `LC_MESSAGES`, else `LANG`: e.g. `nb_NO.UTF-8`.
    pub messages: Option<String>,
    /// `LC_ALL`, else `LC_TIME`, else `LANG`.
    pub time: Option<String>,
}

impl SystemLocale {
    /// Reads the environment the way gettext does.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> SystemLocale {
        let first = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| var(n))
                .find(|v| !v.trim().is_empty())
        };
        SystemLocale {
            messages: first(&["LC_ALL", "LC_MESSAGES", "LANG"]),
            time: first(&["LC_ALL", "LC_TIME", "LANG"]),
        }
    }
}

/// The language and locale in effect: the setting, else the system's messages locale
/// (Norwegian for `nb`, `no` and `nn`, else English); a 12-hour clock only for `en_US`.
pub fn resolve(setting: Option<Language>, system: &SystemLocale, utc_offset_secs: i32) -> Locale {
    let lang_of = |tag: &str| {
        let code = tag.split(['_', '.', '@', '-']).next().unwrap_or("");
        matches!(code, "nb" | "no" | "nn").then_some(Language::Nb)
    };
    let lang = setting
        .or_else(|| system.messages.as_deref().and_then(lang_of))
        .unwrap_or(Language::En);
    let time_tag = system.time.as_deref().unwrap_or("");
    let twelve_hour = lang == Language::En && time_tag.starts_with("en_US");
    Locale {
        lang,
        twelve_hour,
        utc_offset_secs,
    }
}

/// The territory of the system's time locale (`GB` of `en_GB.UTF-8`), for the window's
/// `Intl` tag.
pub fn territory(system: &SystemLocale) -> Option<String> {
    let tag = system.time.as_deref()?;
    let territory = tag.split(['.', '@']).next()?.split('_').nth(1)?;
    (territory.len() == 2 && territory.chars().all(|c| c.is_ascii_uppercase()))
        .then(|| territory.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_locale_chooses_language_and_clock() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            SystemLocale::from_env(|k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_string())
            })
        };
        let nb = env(&[("LANG", "nb_NO.UTF-8")]);
        assert_eq!(resolve(None, &nb, 0).lang, Language::Nb);
        assert_eq!(resolve(Some(Language::En), &nb, 0).lang, Language::En);
        let us = env(&[("LANG", "en_US.UTF-8")]);
        assert!(resolve(None, &us, 0).twelve_hour);
        let messages_only = env(&[("LANG", "en_GB.UTF-8"), ("LC_MESSAGES", "nn_NO.UTF-8")]);
        let l = resolve(None, &messages_only, 0);
        assert_eq!((l.lang, l.twelve_hour), (Language::Nb, false));
        assert_eq!(territory(&messages_only).as_deref(), Some("GB"));
        assert_eq!(resolve(None, &env(&[]), 0).lang, Language::En);
        assert_eq!(l.tag(Some("GB")), "nb-NO-u-hc-h23");
        let english_in_norway = resolve(Some(Language::En), &env(&[("LANG", "nb_NO.UTF-8")]), 0);
        assert_eq!(english_in_norway.tag(Some("NO")), "en-NO-u-hc-h23");
    }

    #[test]
    fn days_and_times_read_like_the_window() {
        let now = Millis::parse_rfc3339("2026-11-29T13:00:00Z").unwrap(); // a Sunday
        let en = Locale {
            lang: Language::En,
            twelve_hour: false,
            utc_offset_secs: 3600,
        };
        let nb = Locale {
            lang: Language::Nb,
            ..en
        };
        let at = |s: &str| Millis::parse_rfc3339(s).unwrap();
        assert_eq!(en.when(at("2026-11-29T11:49:00Z"), now), "Today 12:49");
        assert_eq!(nb.when(at("2026-11-28T11:49:00Z"), now), "I går 12:49");
        assert_eq!(en.when(at("2026-11-26T11:49:00Z"), now), "Thu 12:49");
        assert_eq!(nb.when(at("2026-11-01T11:49:00Z"), now), "1. nov. 12:49");
        assert_eq!(en.when(at("2026-11-30T06:00:00Z"), now), "Tomorrow 07:00");
        let us = Locale {
            twelve_hour: true,
            ..en
        };
        assert_eq!(us.clock(at("2026-11-29T12:13:00Z")), "1:13 PM");
        assert_eq!(en.duration(600 * Millis::MINUTE), "10 h");
        assert_eq!(nb.duration(600 * Millis::MINUTE), "10 t");
        assert_eq!(nb.ago(at("2026-11-29T12:56:00Z"), now), "for 4 min siden");
    }

    #[test]
    fn the_next_seven_o_clock_is_this_morning_before_seven_else_tomorrow() {
        let oslo = Locale {
            lang: Language::En,
            twelve_hour: false,
            utc_offset_secs: 3600,
        };
        let at = |s: &str| Millis::parse_rfc3339(s).unwrap();
        assert_eq!(
            oslo.next_clock_time(at("2026-11-29T00:30:00Z"), ClockTime::of(7, 0)),
            at("2026-11-29T06:00:00Z"),
            "01:30 local: this morning's 07:00"
        );
        assert_eq!(
            oslo.next_clock_time(at("2026-11-29T12:00:00Z"), ClockTime::of(7, 0)),
            at("2026-11-30T06:00:00Z")
        );
    }
}
