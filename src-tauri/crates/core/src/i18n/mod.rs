//! Every sentence Doorpost says outside the window (notifications, the tray, the command
//! line, errors), in English and Norwegian Bokmål.
//!
//! One catalogue per language, each in its own file ([`en`], [`nb`]), and each matches on
//! every [`Msg`], so a sentence missing in either language does not compile. Templates name
//! their placeholders (`{door}`), and a test checks that both languages use the same ones.
//! How dates and times are written, and which language and locale apply, live apart in
//! [`locale`], as the window keeps `ui/src/i18n/` apart from `ui/src/lib/format.ts`.
//! The window has its own catalogues (`ui/src/i18n/`), for the same two languages.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod en;
mod locale;
mod nb;

pub use en::en;
pub use locale::{Locale, SystemLocale, resolve, territory};
pub use nb::nb;

/// A language Doorpost speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Language {
    /// English.
    En,
    /// Norwegian Bokmål.
    Nb,
}

/// A sentence (or a word) Doorpost shows. Placeholders are named in braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    // --- notifications ---
    /// Title of one unlock's toast: the door.
    ToastUnlockTitle,
    /// `{person} unlocked at {time}`
    ToastUnlockBody,
    /// `{person} arrived`
    ToastArrivalTitle,
    /// `{door} · {time}`
    ToastArrivalBody,
    /// ` (reported {late} late)`
    ToastReportedLate,
    /// `{n} new unlocks`, one and many.
    ToastBurstOne,
    ToastBurstOther,
    /// `{n} unlocks while Doorpost was away`
    ToastAwayOne,
    ToastAwayOther,
    /// `While you were quiet: {n} unlocks`
    ToastQuietOne,
    ToastQuietOther,
    /// The label before a door in a toast from the demo.
    Demo,
    /// A person Parakey scrubbed or never named.
    Someone,
    UnknownDoor,
    /// The notification action.
    MuteDoorHour,
    TestToastTitle,
    TestToastBody,

    // --- durations and times ---
    /// `{n} min`
    Minutes,
    /// `{n} h`
    Hours,
    /// `{n} d`
    Days,
    Today,
    Yesterday,
    Tomorrow,
    /// `{day} {time}`
    DayAtTime,
    JustNow,
    /// `{n} min ago`
    MinutesAgo,
    /// `{n} h ago`
    HoursAgo,

    // --- sync errors ---
    ErrConfused,
    /// `{status}`
    ErrAuth,
    ErrSlowDown,
    /// `{status}`
    ErrTrouble,
    /// `{status}`, `{to}`
    ErrRedirect,
    ErrRedirectSomewhere,
    /// `{status}`
    ErrUnexpected,
    /// `{status}`, `{why}`
    ErrRefused,
    /// `{why}`
    ErrUnreadable,
    /// `{detail}`: why an answer could not be read (the `{why}` of `ErrUnreadable`)
    BodyNotJson,
    BodyNoList,
    BodyEmpty,
    BodyNull,
    /// `{why}`
    ErrNetwork,
    /// `{why}`
    ErrOffline,
    /// `{got}`, `{asked}`
    ErrOversized,
    /// `{why}`
    ErrStore,
    /// A place's daily storage budget is used up: `{stored}`, `{limit}`.
    ErrBudget,

    // --- booking feeds ---
    /// `{max}`
    FeedLabelInvalid,
    /// `{label}`
    FeedExists,
    /// `{label}`
    NoSuchFeed,
    FeedLinkInvalid,
    FeedInsecure,
    FeedNetwork,
    FeedTimeout,
    FeedHtml,
    FeedUnauthorized,
    FeedNotFound,
    /// `{status}`
    FeedStatus,
    FeedTooLarge,
    FeedNotCalendar,
    FeedMalformed,
    FeedFromStdin,
    /// `{label}`, `{count}`
    FeedAdded,
    /// `{label}`
    FeedRemoved,
    FeedOk,
    FeedStale,
    CliNoFeeds,
    CliNoStays,

    // --- "Doorpost can't check" ---
    /// `{place}`
    CantCheckTitle,
    CantCheckTitleAny,
    /// `{time}`
    CantTokenRejected,
    /// `{time}`, `{host}`
    CantRedirected,
    /// `{time}`
    CantOffline,
    /// `{time}`
    CantNotAnswering,
    /// `{time}`, `{why}`
    CantRefused,
    /// `{time}`
    CantUnusable,
    /// `{time}`, `{why}`
    CantStorage,
    /// `{time}`
    CantKeychain,

    // --- stays settings and staff ---
    /// What `stays.noshow` takes.
    ExpectTimeOrOff,
    /// What `stays.vacant` takes.
    ExpectVacant,
    /// `{min}`, `{max}`
    FieldStaysBuffer,
    FieldTimeZone,
    /// What `stays.timezone` takes.
    ExpectTimeZone,
    FieldNotPerPlace,
    /// `{key}`
    ConfigNotPerPlace,
    /// `{key}`, `{name}`
    ConfigCleared,
    /// `{who}`
    StaffAdded,
    /// `{who}`
    StaffRemoved,
    /// `{who}`
    StaffNotFound,
    StaffNone,
    /// `{max}`
    StaffInvalid,

    // --- the tray ---
    TrayOpen,
    TrayCheckNow,
    TraySettings,
    TrayReplaceToken,
    TrayQuit,
    TrayRecent,
    TrayNoUnlocks,
    TrayPause,
    TrayPauseHour,
    /// `Until {time} tomorrow`
    TrayPauseTomorrow,
    TrayPauseForever,
    /// `Resume (paused until {time})`
    TrayResumeUntil,
    TrayResume,
    TrayMute,
    /// Below the doors the tray has no room for.
    TrayMoreDoors,
    TrayMuteHour,
    /// `Until {time} tomorrow`: when a pause until tomorrow ends too.
    TrayMuteTomorrow,
    TrayUnmute,
    /// `{door} · muted until {time}`
    TrayMutedUntil,
    TrayStatusChecked,
    /// `Checked {ago}`
    TrayStatusCheckedAgo,
    TrayStatusChecking,
    TrayStatusNotYet,
    /// `Quiet until {time}`
    TrayStatusQuiet,
    /// `Paused until {time}`
    TrayStatusPausedUntil,
    TrayStatusPaused,
    /// `Can't reach Parakey · next try {time}`
    TrayStatusDegraded,
    /// `{time}`
    TrayStatusCantCheck,
    TrayStatusTokenRejected,
    TrayStatusRedirected,
    TrayStatusNotConfigured,
    TrayDemo,

    // --- stay alerts ---
    /// `{place}`, `{dates}`
    StayArrivalTitle,
    /// `{person}`, `{door}`, `{time}`
    StayArrivalBody,
    /// `{code}`
    StayCode,
    /// `{digits}`
    StayPhone,
    /// `{place}`, `{time}`
    StayNoShowTitle,
    /// `{dates}`
    StayNoShowBody,
    /// `{time}`
    StayFoundTitle,
    /// `{place}`, `{dates}`
    StayFoundBody,
    /// `{door}`, `{time}`
    StayVacantTitle,
    /// `{person}`
    StayVacantBody,
    ThisIsStaff,
    /// The tray: a booking arriving today whose guest has not yet.
    TrayGuestExpected,
    /// The tray: today's guest has arrived.
    TrayGuestArrived,

    // --- command line and errors ---
    NotConfigured,
    KeychainUnavailable,
    /// `{why}`
    CannotReach,
    CheckRunning,
    /// `{secs}`
    TryAgainIn,
    TokenRejected,
    SettingsInvalid,
    /// `{name}`
    NoSuchPlace,
    /// `{name}`
    PlaceExists,
    /// `{max}`
    PlaceNameInvalid,
    /// `{key}`
    UnknownKey,
    /// `{value}`, `{key}`, `{why}`
    BadValue,
    ExpectNumber,
    ExpectOnOff,
    ExpectOffset,
    ExpectMode,
    ExpectQuiet,
    ExpectLanguage,
    ExpectRetention,
    /// `storage.daily`: what the value should be.
    ExpectStorageDaily,
    /// `HH:MM`, for `day.starts`.
    ExpectTime,
    /// What `doors` takes.
    ExpectDoors,
    NoSuchDoor,
    AppliedNow,
    StoredForNextStart,
    /// `{name}`
    PlaceAdded,
    /// `{name}`
    PlaceRemoved,
    TokenFromStdin,
    EmptyToken,
    /// `{n}` unlocks, `{path}`
    Exported,
    CliChecking,
    CliNotRunning,
    CliDidNotCheck,
    CliNoHistory,
    CliNoPlaces,
    CliTokenSaved,
    CliNoToken,
    CliExportFailed,

    // --- settings fields ---
    FieldInterval,
    FieldOffset,
    FieldDoors,
    FieldBackfill,
    FieldSweep,
    FieldDayStart,
    FieldQuietSame,
    FieldQuietTimes,
    FieldRetention,
    /// The daily storage budget is out of range: `{min}`, `{max}`.
    FieldStorageDaily,
    FieldDoorRules,
}

impl Msg {
    /// Every message, for the completeness tests.
    pub const ALL: &'static [Msg] = &[
        Msg::ToastUnlockTitle,
        Msg::ToastUnlockBody,
        Msg::ToastArrivalTitle,
        Msg::ToastArrivalBody,
        Msg::ToastReportedLate,
        Msg::ToastBurstOne,
        Msg::ToastBurstOther,
        Msg::ToastAwayOne,
        Msg::ToastAwayOther,
        Msg::ToastQuietOne,
        Msg::ToastQuietOther,
        Msg::Demo,
        Msg::Someone,
        Msg::UnknownDoor,
        Msg::MuteDoorHour,
        Msg::TestToastTitle,
        Msg::TestToastBody,
        Msg::Minutes,
        Msg::Hours,
        Msg::Days,
        Msg::Today,
        Msg::Yesterday,
        Msg::Tomorrow,
        Msg::DayAtTime,
        Msg::JustNow,
        Msg::MinutesAgo,
        Msg::HoursAgo,
        Msg::ErrConfused,
        Msg::ErrAuth,
        Msg::ErrSlowDown,
        Msg::ErrTrouble,
        Msg::ErrRedirect,
        Msg::ErrRedirectSomewhere,
        Msg::ErrUnexpected,
        Msg::ErrRefused,
        Msg::ErrUnreadable,
        Msg::BodyNotJson,
        Msg::BodyNoList,
        Msg::BodyEmpty,
        Msg::BodyNull,
        Msg::ErrNetwork,
        Msg::ErrOffline,
        Msg::FeedLabelInvalid,
        Msg::FeedExists,
        Msg::NoSuchFeed,
        Msg::FeedLinkInvalid,
        Msg::FeedInsecure,
        Msg::FeedNetwork,
        Msg::FeedTimeout,
        Msg::FeedHtml,
        Msg::FeedUnauthorized,
        Msg::FeedNotFound,
        Msg::FeedStatus,
        Msg::FeedTooLarge,
        Msg::FeedNotCalendar,
        Msg::FeedMalformed,
        Msg::FeedFromStdin,
        Msg::FeedAdded,
        Msg::FeedRemoved,
        Msg::FeedOk,
        Msg::FeedStale,
        Msg::CliNoFeeds,
        Msg::CliNoStays,
        Msg::CantCheckTitle,
        Msg::CantCheckTitleAny,
        Msg::CantTokenRejected,
        Msg::CantRedirected,
        Msg::CantOffline,
        Msg::CantNotAnswering,
        Msg::CantRefused,
        Msg::CantUnusable,
        Msg::CantStorage,
        Msg::CantKeychain,
        Msg::TrayStatusCantCheck,
        Msg::ErrOversized,
        Msg::ErrStore,
        Msg::ErrBudget,
        Msg::ExpectTimeOrOff,
        Msg::ExpectVacant,
        Msg::FieldStaysBuffer,
        Msg::FieldTimeZone,
        Msg::ExpectTimeZone,
        Msg::FieldNotPerPlace,
        Msg::ConfigNotPerPlace,
        Msg::ConfigCleared,
        Msg::StaffAdded,
        Msg::StaffRemoved,
        Msg::StaffNotFound,
        Msg::StaffNone,
        Msg::StaffInvalid,
        Msg::TrayOpen,
        Msg::TrayCheckNow,
        Msg::TraySettings,
        Msg::TrayReplaceToken,
        Msg::TrayQuit,
        Msg::TrayRecent,
        Msg::TrayNoUnlocks,
        Msg::TrayPause,
        Msg::TrayPauseHour,
        Msg::TrayPauseTomorrow,
        Msg::TrayPauseForever,
        Msg::TrayResumeUntil,
        Msg::TrayResume,
        Msg::TrayMute,
        Msg::TrayMoreDoors,
        Msg::TrayMuteHour,
        Msg::TrayMuteTomorrow,
        Msg::TrayUnmute,
        Msg::TrayMutedUntil,
        Msg::TrayStatusChecked,
        Msg::TrayStatusCheckedAgo,
        Msg::TrayStatusChecking,
        Msg::TrayStatusNotYet,
        Msg::TrayStatusQuiet,
        Msg::TrayStatusPausedUntil,
        Msg::TrayStatusPaused,
        Msg::TrayStatusDegraded,
        Msg::TrayStatusTokenRejected,
        Msg::TrayStatusRedirected,
        Msg::TrayStatusNotConfigured,
        Msg::TrayDemo,
        Msg::StayArrivalTitle,
        Msg::StayArrivalBody,
        Msg::StayCode,
        Msg::StayPhone,
        Msg::StayNoShowTitle,
        Msg::StayNoShowBody,
        Msg::StayFoundTitle,
        Msg::StayFoundBody,
        Msg::StayVacantTitle,
        Msg::StayVacantBody,
        Msg::ThisIsStaff,
        Msg::TrayGuestExpected,
        Msg::TrayGuestArrived,
        Msg::NotConfigured,
        Msg::KeychainUnavailable,
        Msg::CannotReach,
        Msg::CheckRunning,
        Msg::TryAgainIn,
        Msg::TokenRejected,
        Msg::SettingsInvalid,
        Msg::NoSuchPlace,
        Msg::PlaceExists,
        Msg::PlaceNameInvalid,
        Msg::UnknownKey,
        Msg::BadValue,
        Msg::ExpectNumber,
        Msg::ExpectOnOff,
        Msg::ExpectOffset,
        Msg::ExpectMode,
        Msg::ExpectQuiet,
        Msg::ExpectLanguage,
        Msg::ExpectRetention,
        Msg::ExpectStorageDaily,
        Msg::ExpectTime,
        Msg::ExpectDoors,
        Msg::NoSuchDoor,
        Msg::AppliedNow,
        Msg::StoredForNextStart,
        Msg::PlaceAdded,
        Msg::PlaceRemoved,
        Msg::TokenFromStdin,
        Msg::EmptyToken,
        Msg::Exported,
        Msg::CliChecking,
        Msg::CliNotRunning,
        Msg::CliDidNotCheck,
        Msg::CliNoHistory,
        Msg::CliNoPlaces,
        Msg::CliTokenSaved,
        Msg::CliNoToken,
        Msg::CliExportFailed,
        Msg::FieldInterval,
        Msg::FieldOffset,
        Msg::FieldDoors,
        Msg::FieldBackfill,
        Msg::FieldSweep,
        Msg::FieldDayStart,
        Msg::FieldQuietSame,
        Msg::FieldQuietTimes,
        Msg::FieldRetention,
        Msg::FieldStorageDaily,
        Msg::FieldDoorRules,
    ];
}

/// The template for `msg` in `lang`.
pub fn template(lang: Language, msg: Msg) -> &'static str {
    match lang {
        Language::En => en(msg),
        Language::Nb => nb(msg),
    }
}

/// `msg` in `lang`, with `{name}` placeholders filled from `args`.
pub fn t(lang: Language, msg: Msg, args: &[(&str, &str)]) -> String {
    fill(template(lang, msg), args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The one-or-many form of a counted sentence: both languages have two.
pub fn count(lang: Language, n: usize, one: Msg, other: Msg) -> String {
    let n_text = n.to_string();
    t(lang, if n == 1 { one } else { other }, &[("n", &n_text)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(template: &str) -> Vec<&str> {
        let mut names: Vec<&str> = template
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn both_languages_have_every_message_with_the_same_placeholders() {
        for &msg in Msg::ALL {
            let (e, n) = (en(msg), nb(msg));
            assert!(!e.trim().is_empty() && !n.trim().is_empty(), "{msg:?}");
            assert_eq!(placeholders(e), placeholders(n), "{msg:?}");
        }
    }

    #[test]
    fn templates_fill_and_count_in_both_languages() {
        assert_eq!(
            t(
                Language::En,
                Msg::ToastUnlockBody,
                &[("person", "Ann"), ("time", "14:05")]
            ),
            "Ann unlocked at 14:05"
        );
        assert_eq!(
            count(Language::En, 1, Msg::ToastBurstOne, Msg::ToastBurstOther),
            "1 new unlock"
        );
        assert_eq!(
            count(Language::Nb, 4, Msg::ToastBurstOne, Msg::ToastBurstOther),
            "4 nye opplåsinger"
        );
        assert_eq!(fill("{a} and {b", &[("a", "x")]), "x and {b");
    }
}
