//! Every sentence Doorpost says outside the window (notifications, the tray, the command
//! line, errors), in English and Norwegian Bokmål, and the date and time words they use.
//!
//! One catalogue per language: [`en`] and [`nb`] each match on every [`Msg`], so a
//! sentence missing in either language does not compile. Templates name their
//! placeholders (`{door}`), and a test checks that both languages use the same ones.
//! The window has its own catalogues (`ui/src/i18n/`), for the same two languages.
//!
//! Which language and locale apply: the setting, else the system's (`LC_ALL`,
//! `LC_MESSAGES`, `LANG`, in that order, as gettext reads them); see [`resolve`]. Dates
//! follow the locale: a 24-hour clock everywhere but `en-US`.

use chrono::{Datelike, Duration, TimeZone, Timelike, Utc};

pub use crate::settings::Language;
use crate::time::Millis;

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
    /// `{why}`
    ErrNetwork,
    /// `{why}`
    ErrOffline,
    /// `{got}`, `{asked}`
    ErrOversized,
    /// `{why}`
    ErrStore,

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
        Msg::ErrNetwork,
        Msg::ErrOffline,
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
        Msg::FieldDoorRules,
    ];
}

/// The English catalogue.
pub fn en(msg: Msg) -> &'static str {
    match msg {
        Msg::ToastUnlockTitle => "{door}",
        Msg::ToastUnlockBody => "{person} unlocked at {time}",
        Msg::ToastArrivalTitle => "{person} arrived",
        Msg::ToastArrivalBody => "{door} · {time}",
        Msg::ToastReportedLate => " (reported {late} late)",
        Msg::ToastBurstOne => "{n} new unlock",
        Msg::ToastBurstOther => "{n} new unlocks",
        Msg::ToastAwayOne => "{n} unlock while Doorpost was away",
        Msg::ToastAwayOther => "{n} unlocks while Doorpost was away",
        Msg::ToastQuietOne => "While you were quiet: {n} unlock",
        Msg::ToastQuietOther => "While you were quiet: {n} unlocks",
        Msg::Demo => "Demo",
        Msg::Someone => "Someone",
        Msg::UnknownDoor => "Unknown door",
        Msg::MuteDoorHour => "Mute this door for 1 hour",
        Msg::TestToastTitle => "Doorpost is working",
        Msg::TestToastBody => {
            "This is how Doorpost tells you when someone unlocks a door you watch."
        }
        Msg::Minutes => "{n} min",
        Msg::Hours => "{n} h",
        Msg::Days => "{n} d",
        Msg::Today => "Today",
        Msg::Yesterday => "Yesterday",
        Msg::Tomorrow => "Tomorrow",
        Msg::DayAtTime => "{day} {time}",
        Msg::JustNow => "just now",
        Msg::MinutesAgo => "{n} min ago",
        Msg::HoursAgo => "{n} h ago",
        Msg::ErrConfused => {
            "Parakey answered “not modified” to a request that was not conditional."
        }
        Msg::ErrAuth => {
            "Parakey rejected the token ({status}). Create a new one in the Parakey app under Settings → Integrations and paste it into Doorpost."
        }
        Msg::ErrSlowDown => "Parakey asked Doorpost to slow down (429).",
        Msg::ErrTrouble => "Parakey is having trouble ({status}).",
        Msg::ErrRedirect => {
            "Parakey's address redirected ({status}) to {to}. Doorpost does not follow redirects to another host with your token; check the API address."
        }
        Msg::ErrRedirectSomewhere => "another address",
        Msg::ErrUnexpected => "Parakey answered {status}; check the API address.",
        Msg::ErrRefused => {
            "Parakey refuses every kind of request Doorpost knows ({status}: {why}). Doorpost tries again in an hour."
        }
        Msg::ErrUnreadable => "Parakey sent an answer Doorpost could not read: {why}",
        Msg::ErrNetwork => "Couldn't reach Parakey: {why}",
        Msg::ErrOffline => "This computer is offline: {why}",
        Msg::CantCheckTitle => "Doorpost can't check {place}",
        Msg::CantCheckTitleAny => "Doorpost can't check for unlocks",
        Msg::CantTokenRejected => {
            "Parakey rejects the token since {time}. Open Settings to replace it."
        }
        Msg::CantRedirected => {
            "Parakey's address sends Doorpost to {host} since {time}, and Doorpost does not send your token there. Check the place's API address in Settings."
        }
        Msg::CantOffline => {
            "This computer has been offline since {time}. Doorpost checks again as soon as it is back online."
        }
        Msg::CantNotAnswering => {
            "Parakey has not answered since {time}. Doorpost keeps trying; Status has the details."
        }
        Msg::CantRefused => {
            "Parakey refuses Doorpost's requests since {time} ({why}). Doorpost tries again every hour; Status has the details."
        }
        Msg::CantUnusable => {
            "Parakey's answers have been unusable since {time}. Doorpost keeps trying; Status has the details."
        }
        Msg::CantStorage => {
            "Doorpost can't save what it reads since {time} ({why}). Check the disk's free space."
        }
        Msg::CantKeychain => {
            "Doorpost can't read the token from the keychain since {time}. Unlock the keychain, then choose Check now."
        }
        Msg::ErrOversized => {
            "Parakey sent {got} records when Doorpost asked for at most {asked}; the answer was refused."
        }
        Msg::ErrStore => "Couldn't save to the history: {why}",
        Msg::TrayOpen => "Open Doorpost",
        Msg::TrayCheckNow => "Check now",
        Msg::TraySettings => "Settings…",
        Msg::TrayReplaceToken => "Replace token…",
        Msg::TrayQuit => "Quit",
        Msg::TrayRecent => "Recent unlocks",
        Msg::TrayNoUnlocks => "No unlocks yet",
        Msg::TrayPause => "Pause notifications",
        Msg::TrayPauseHour => "For 1 hour",
        Msg::TrayPauseTomorrow => "Until {time} tomorrow",
        Msg::TrayPauseForever => "Until I resume",
        Msg::TrayResumeUntil => "Resume notifications (paused until {time})",
        Msg::TrayResume => "Resume notifications",
        Msg::TrayMute => "Mute a door",
        Msg::TrayMoreDoors => "More in Doorpost…",
        Msg::TrayMuteHour => "For 1 hour",
        Msg::TrayMuteTomorrow => "Until {time} tomorrow",
        Msg::TrayUnmute => "Unmute",
        Msg::TrayMutedUntil => "{door} · muted until {time}",
        Msg::TrayStatusChecked => "Checked just now",
        Msg::TrayStatusCheckedAgo => "Checked {ago}",
        Msg::TrayStatusChecking => "Checking…",
        Msg::TrayStatusNotYet => "Not checked yet",
        Msg::TrayStatusQuiet => "Quiet until {time}",
        Msg::TrayStatusPausedUntil => "Notifications paused until {time}",
        Msg::TrayStatusPaused => "Notifications paused",
        Msg::TrayStatusDegraded => "Can't reach Parakey · next try {time}",
        Msg::TrayStatusCantCheck => "Can't check since {time}",
        Msg::TrayStatusTokenRejected => "Token rejected: replace it",
        Msg::TrayStatusRedirected => "Parakey's address moved: check it in Settings",
        Msg::TrayStatusNotConfigured => "Not set up yet",
        Msg::TrayDemo => "Demo",
        Msg::NotConfigured => {
            "Doorpost has no Parakey account to check yet. Paste a token or try the demo."
        }
        Msg::KeychainUnavailable => {
            "No keychain is running, so Doorpost cannot store the token. Install and unlock GNOME Keyring or KWallet (the Secret Service), then try again."
        }
        Msg::CannotReach => "Couldn't reach Parakey to check the token: {why}",
        Msg::CheckRunning => "A check is already running.",
        Msg::TryAgainIn => "Checked moments ago; try again in {secs} s.",
        Msg::TokenRejected => "Parakey rejected the token. Paste a new one in Settings.",
        Msg::SettingsInvalid => "Some settings need another look. Nothing was saved.",
        Msg::NoSuchPlace => "There is no place called “{name}”.",
        Msg::PlaceExists => "There is already a place called “{name}”.",
        Msg::PlaceNameInvalid => "Give the place a name of at most {max} characters.",
        Msg::UnknownKey => "“{key}” is not a setting. `doorpost config list` shows them.",
        Msg::BadValue => "“{value}” is not a valid {key}: {why}",
        Msg::ExpectNumber => "a whole number",
        Msg::ExpectOnOff => "on or off",
        Msg::ExpectOffset => "a number of minutes, or none",
        Msg::ExpectMode => "every or arrivals",
        Msg::ExpectQuiet => "HH:MM-HH:MM, or off",
        Msg::ExpectLanguage => "en, nb or system",
        Msg::ExpectRetention => "a number of days, or forever",
        Msg::NoSuchDoor => "no door is called “{door}” (doors seen: {known})",
        Msg::AppliedNow => "Saved; the running Doorpost uses it now.",
        Msg::StoredForNextStart => "Saved; Doorpost uses it when it next starts.",
        Msg::PlaceAdded => "Added “{name}”.",
        Msg::PlaceRemoved => "Removed “{name}” and its token.",
        Msg::TokenFromStdin => "Paste the place's Parakey token, then press Enter:",
        Msg::EmptyToken => "No token was given.",
        Msg::Exported => "Wrote {n} to {path}",
        Msg::CliChecking => "Doorpost is checking Parakey now.",
        Msg::CliNotRunning => {
            "Doorpost is not running. Start it with `doorpost` (or `doorpost --hidden`)."
        }
        Msg::CliDidNotCheck => "Doorpost did not check: {why}",
        Msg::CliNoHistory => "No history yet in {dir}. Start Doorpost first.",
        Msg::CliNoPlaces => "No places yet. Add one with `doorpost places add NAME`.",
        Msg::CliTokenSaved => "token saved",
        Msg::CliNoToken => "no token",
        Msg::CliExportFailed => "Export failed: {why}",
        Msg::FieldInterval => "Choose between 1 and 60 minutes (Parakey recommends 5 or more).",
        Msg::FieldOffset => "At most 7 days, or choose “no limit”.",
        Msg::FieldDoors => "Pick at least one door, or watch all doors.",
        Msg::FieldBackfill => "Choose between 1 and 90 days.",
        Msg::FieldSweep => "Choose between 10 minutes and 24 hours.",
        Msg::FieldDayStart => "Give a time of day as HH:MM, e.g. 04:00.",
        Msg::FieldQuietSame => "Quiet hours must start and end at different times.",
        Msg::FieldQuietTimes => "Give both times as HH:MM, e.g. 22:00 to 07:00.",
        Msg::FieldRetention => "Choose between 1 and 3650 days, or keep names forever.",
        Msg::FieldDoorRules => "Each door can have one rule.",
    }
}

/// The Norwegian Bokmål catalogue.
pub fn nb(msg: Msg) -> &'static str {
    match msg {
        Msg::ToastUnlockTitle => "{door}",
        Msg::ToastUnlockBody => "{person} låste opp kl. {time}",
        Msg::ToastArrivalTitle => "{person} har kommet",
        Msg::ToastArrivalBody => "{door} · kl. {time}",
        Msg::ToastReportedLate => " (meldt {late} for sent)",
        Msg::ToastBurstOne => "{n} ny opplåsing",
        Msg::ToastBurstOther => "{n} nye opplåsinger",
        Msg::ToastAwayOne => "{n} opplåsing mens Doorpost var borte",
        Msg::ToastAwayOther => "{n} opplåsinger mens Doorpost var borte",
        Msg::ToastQuietOne => "Mens det var stille: {n} opplåsing",
        Msg::ToastQuietOther => "Mens det var stille: {n} opplåsinger",
        Msg::Demo => "Demo",
        Msg::Someone => "Noen",
        Msg::UnknownDoor => "Ukjent dør",
        Msg::MuteDoorHour => "Demp denne døren i 1 time",
        Msg::TestToastTitle => "Doorpost virker",
        Msg::TestToastBody => "Slik sier Doorpost fra når noen låser opp en dør du følger med på.",
        Msg::Minutes => "{n} min",
        Msg::Hours => "{n} t",
        Msg::Days => "{n} d",
        Msg::Today => "I dag",
        Msg::Yesterday => "I går",
        Msg::Tomorrow => "I morgen",
        Msg::DayAtTime => "{day} {time}",
        Msg::JustNow => "akkurat nå",
        Msg::MinutesAgo => "for {n} min siden",
        Msg::HoursAgo => "for {n} t siden",
        Msg::ErrConfused => "Parakey svarte «ikke endret» på en forespørsel som ikke var betinget.",
        Msg::ErrAuth => {
            "Parakey avviste nøkkelen ({status}). Lag en ny i Parakey-appen under Innstillinger → Integrasjoner, og lim den inn i Doorpost."
        }
        Msg::ErrSlowDown => "Parakey ba Doorpost sende færre forespørsler (429).",
        Msg::ErrTrouble => "Parakey har problemer ({status}).",
        Msg::ErrRedirect => {
            "Parakeys adresse videresendte ({status}) til {to}. Doorpost følger ikke videresendinger til en annen vert med nøkkelen din; sjekk API-adressen."
        }
        Msg::ErrRedirectSomewhere => "en annen adresse",
        Msg::ErrUnexpected => "Parakey svarte {status}; sjekk API-adressen.",
        Msg::ErrRefused => {
            "Parakey avviser alle typer forespørsler Doorpost kjenner ({status}: {why}). Doorpost prøver igjen om en time."
        }
        Msg::ErrUnreadable => "Parakey sendte et svar Doorpost ikke kunne lese: {why}",
        Msg::ErrNetwork => "Fikk ikke kontakt med Parakey: {why}",
        Msg::ErrOffline => "Denne datamaskinen er frakoblet: {why}",
        Msg::CantCheckTitle => "Doorpost får ikke sjekket {place}",
        Msg::CantCheckTitleAny => "Doorpost får ikke sjekket opplåsinger",
        Msg::CantTokenRejected => {
            "Parakey avviser tokenet siden {time}. Åpne Innstillinger for å bytte det."
        }
        Msg::CantRedirected => {
            "Parakey-adressen sender Doorpost til {host} siden {time}, og Doorpost sender ikke tokenet ditt dit. Sjekk stedets API-adresse i Innstillinger."
        }
        Msg::CantOffline => {
            "Denne datamaskinen har vært frakoblet siden {time}. Doorpost sjekker igjen straks den er på nett."
        }
        Msg::CantNotAnswering => {
            "Parakey har ikke svart siden {time}. Doorpost prøver videre; Status har detaljene."
        }
        Msg::CantRefused => {
            "Parakey avviser forespørslene fra Doorpost siden {time} ({why}). Doorpost prøver igjen hver time; Status har detaljene."
        }
        Msg::CantUnusable => {
            "Svarene fra Parakey har vært ubrukelige siden {time}. Doorpost prøver videre; Status har detaljene."
        }
        Msg::CantStorage => {
            "Doorpost får ikke lagret det den leser siden {time} ({why}). Sjekk ledig plass på disken."
        }
        Msg::CantKeychain => {
            "Doorpost får ikke lest tokenet fra nøkkelringen siden {time}. Lås opp nøkkelringen og velg Sjekk nå."
        }
        Msg::ErrOversized => {
            "Parakey sendte {got} oppføringer da Doorpost ba om høyst {asked}; svaret ble avvist."
        }
        Msg::ErrStore => "Kunne ikke lagre i historikken: {why}",
        Msg::TrayOpen => "Åpne Doorpost",
        Msg::TrayCheckNow => "Sjekk nå",
        Msg::TraySettings => "Innstillinger …",
        Msg::TrayReplaceToken => "Bytt nøkkel …",
        Msg::TrayQuit => "Avslutt",
        Msg::TrayRecent => "Siste opplåsinger",
        Msg::TrayNoUnlocks => "Ingen opplåsinger ennå",
        Msg::TrayPause => "Sett varsler på pause",
        Msg::TrayPauseHour => "I 1 time",
        Msg::TrayPauseTomorrow => "Til kl. {time} i morgen",
        Msg::TrayPauseForever => "Til jeg fortsetter",
        Msg::TrayResumeUntil => "Slå på varsler igjen (pause til {time})",
        Msg::TrayResume => "Slå på varsler igjen",
        Msg::TrayMute => "Demp en dør",
        Msg::TrayMoreDoors => "Flere i Doorpost …",
        Msg::TrayMuteHour => "I 1 time",
        Msg::TrayMuteTomorrow => "Til kl. {time} i morgen",
        Msg::TrayUnmute => "Slå på lyd igjen",
        Msg::TrayMutedUntil => "{door} · dempet til {time}",
        Msg::TrayStatusChecked => "Sjekket akkurat nå",
        Msg::TrayStatusCheckedAgo => "Sjekket {ago}",
        Msg::TrayStatusChecking => "Sjekker …",
        Msg::TrayStatusNotYet => "Ikke sjekket ennå",
        Msg::TrayStatusQuiet => "Stille til {time}",
        Msg::TrayStatusPausedUntil => "Varsler på pause til {time}",
        Msg::TrayStatusPaused => "Varsler på pause",
        Msg::TrayStatusDegraded => "Får ikke kontakt med Parakey · prøver igjen {time}",
        Msg::TrayStatusCantCheck => "Får ikke sjekket siden {time}",
        Msg::TrayStatusTokenRejected => "Nøkkelen ble avvist: bytt den",
        Msg::TrayStatusRedirected => "Parakeys adresse er flyttet: sjekk den i Innstillinger",
        Msg::TrayStatusNotConfigured => "Ikke satt opp ennå",
        Msg::TrayDemo => "Demo",
        Msg::NotConfigured => {
            "Doorpost har ingen Parakey-konto å sjekke ennå. Lim inn en nøkkel, eller prøv demoen."
        }
        Msg::KeychainUnavailable => {
            "Ingen nøkkelring kjører, så Doorpost kan ikke lagre nøkkelen. Installer og lås opp GNOME Keyring eller KWallet (Secret Service), og prøv igjen."
        }
        Msg::CannotReach => "Fikk ikke kontakt med Parakey for å sjekke nøkkelen: {why}",
        Msg::CheckRunning => "En sjekk pågår allerede.",
        Msg::TryAgainIn => "Sjekket for et øyeblikk siden; prøv igjen om {secs} s.",
        Msg::TokenRejected => "Parakey avviste nøkkelen. Lim inn en ny under Innstillinger.",
        Msg::SettingsInvalid => "Noen innstillinger må ses over. Ingenting ble lagret.",
        Msg::NoSuchPlace => "Det finnes ikke noe sted som heter «{name}».",
        Msg::PlaceExists => "Det finnes allerede et sted som heter «{name}».",
        Msg::PlaceNameInvalid => "Gi stedet et navn på høyst {max} tegn.",
        Msg::UnknownKey => "«{key}» er ikke en innstilling. `doorpost config list` viser dem.",
        Msg::BadValue => "«{value}» er ikke en gyldig {key}: {why}",
        Msg::ExpectNumber => "et heltall",
        Msg::ExpectOnOff => "on eller off",
        Msg::ExpectOffset => "et antall minutter, eller none",
        Msg::ExpectMode => "every eller arrivals",
        Msg::ExpectQuiet => "TT:MM-TT:MM, eller off",
        Msg::ExpectLanguage => "en, nb eller system",
        Msg::ExpectRetention => "et antall dager, eller forever",
        Msg::NoSuchDoor => "ingen dør heter «{door}» (dører sett: {known})",
        Msg::AppliedNow => "Lagret; Doorpost bruker det nå.",
        Msg::StoredForNextStart => "Lagret; Doorpost bruker det neste gang den starter.",
        Msg::PlaceAdded => "La til «{name}».",
        Msg::PlaceRemoved => "Fjernet «{name}» og nøkkelen.",
        Msg::TokenFromStdin => "Lim inn Parakey-nøkkelen for stedet, og trykk Enter:",
        Msg::EmptyToken => "Ingen nøkkel ble oppgitt.",
        Msg::Exported => "Skrev {n} til {path}",
        Msg::CliChecking => "Doorpost sjekker Parakey nå.",
        Msg::CliNotRunning => {
            "Doorpost kjører ikke. Start det med `doorpost` (eller `doorpost --hidden`)."
        }
        Msg::CliDidNotCheck => "Doorpost sjekket ikke: {why}",
        Msg::CliNoHistory => "Ingen historikk ennå i {dir}. Start Doorpost først.",
        Msg::CliNoPlaces => "Ingen steder ennå. Legg til et med `doorpost places add NAVN`.",
        Msg::CliTokenSaved => "nøkkel lagret",
        Msg::CliNoToken => "ingen nøkkel",
        Msg::CliExportFailed => "Eksporten feilet: {why}",
        Msg::FieldInterval => "Velg mellom 1 og 60 minutter (Parakey anbefaler 5 eller mer).",
        Msg::FieldOffset => "Høyst 7 dager, eller velg «ingen grense».",
        Msg::FieldDoors => "Velg minst én dør, eller følg med på alle dører.",
        Msg::FieldBackfill => "Velg mellom 1 og 90 dager.",
        Msg::FieldSweep => "Velg mellom 10 minutter og 24 timer.",
        Msg::FieldDayStart => "Oppgi et klokkeslett som TT:MM, f.eks. 04:00.",
        Msg::FieldQuietSame => "Stilletiden må starte og slutte på forskjellige klokkeslett.",
        Msg::FieldQuietTimes => "Oppgi begge klokkeslettene som TT:MM, f.eks. 22:00 til 07:00.",
        Msg::FieldRetention => "Velg mellom 1 og 3650 dager, eller behold navn for alltid.",
        Msg::FieldDoorRules => "Hver dør kan ha én regel.",
    }
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

    /// The wall-clock instant of the next `minutes`-after-midnight, local time, after
    /// `now` (today's when still ahead, else tomorrow's). DST changes within the day shift
    /// it by at most the change, which is what a person expects of "07:00".
    pub fn next_clock_time(&self, now: Millis, minutes: u16) -> Millis {
        let Some(n) = self.local(now) else {
            return now;
        };
        let midnight = n.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
        let today = midnight + Duration::minutes(i64::from(minutes));
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
            oslo.next_clock_time(at("2026-11-29T00:30:00Z"), 7 * 60),
            at("2026-11-29T06:00:00Z"),
            "01:30 local: this morning's 07:00"
        );
        assert_eq!(
            oslo.next_clock_time(at("2026-11-29T12:00:00Z"), 7 * 60),
            at("2026-11-30T06:00:00Z")
        );
    }
}
