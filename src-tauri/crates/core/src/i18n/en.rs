//! The English catalogue: every [`Msg`] in English.

use super::Msg;

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
        Msg::BodyNotJson => "the response is not valid JSON ({detail}); it may have been cut off",
        Msg::BodyNoList => "the response is JSON but holds no list of event logs",
        Msg::BodyEmpty => "the response was empty",
        Msg::BodyNull => "the response was `null`",
        Msg::ErrNetwork => "Couldn't reach Parakey: {why}",
        Msg::ErrOffline => "This computer is offline: {why}",
        Msg::FeedLabelInvalid => "A feed's name must be 1 to {max} characters.",
        Msg::FeedExists => "This place already has a feed called “{label}”.",
        Msg::NoSuchFeed => "This place has no feed called “{label}”.",
        Msg::FeedLinkInvalid => {
            "That is not a calendar link. Copy the booking site's calendar export link (it usually ends in .ics) and paste it."
        }
        Msg::FeedInsecure => {
            "Only https:// calendar links are read (plain http:// only on this computer)."
        }
        Msg::FeedNetwork => "Couldn't reach the calendar. The last calendar read is kept.",
        Msg::FeedTimeout => {
            "The calendar didn't answer within 20 seconds. The last calendar read is kept."
        }
        Msg::FeedHtml => {
            "The link answered a web page (a login page?), not a calendar. Copy the calendar export link again."
        }
        Msg::FeedUnauthorized => {
            "The booking site refused the link: it is no longer valid. Copy a new calendar export link."
        }
        Msg::FeedNotFound => "The calendar is gone (not found). Copy a new calendar export link.",
        Msg::FeedStatus => {
            "The calendar's server answered with an error ({status}). The last calendar read is kept."
        }
        Msg::FeedTooLarge => "The calendar is larger than 5 MB; Doorpost does not read it.",
        Msg::FeedNotCalendar => "The link answered something that is not a calendar.",
        Msg::FeedMalformed => "The calendar is malformed and could not be read.",
        Msg::FeedFromStdin => "Paste the calendar's export link, then press Enter:",
        Msg::FeedAdded => "Feed “{label}” added: {count} stays and blocked periods.",
        Msg::FeedRemoved => "Feed “{label}” removed.",
        Msg::FeedOk => "ok",
        Msg::FeedStale => "stale",
        Msg::CliNoFeeds => "No booking feeds yet. Add one with: doorpost feeds add PLACE LABEL",
        Msg::CliNoStays => "No stays.",
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
        Msg::ErrBudget => {
            "today's storage budget for this place is used up ({stored} unlocks stored today, \
             budget {limit}). Checking goes on tomorrow, or now if you raise the budget \
             (storage.daily); nothing is skipped."
        }
        // --- stays settings and staff ---
        Msg::ExpectTimeOrOff => "a time of day as HH:MM, or off",
        Msg::ExpectVacant => "on, quiet or off",
        Msg::FieldStaysBuffer => "Choose between {min} and {max} minutes.",
        Msg::FieldTimeZone => "Give a time zone by its IANA name, e.g. Europe/Oslo.",
        Msg::ExpectTimeZone => "a time zone by its IANA name, e.g. Europe/Oslo, or system",
        Msg::FieldNotPerPlace => "This setting is the same at every place.",
        Msg::ConfigNotPerPlace => "“{key}” is the same at every place; set it without --place.",
        Msg::ConfigCleared => "{key} at {name} now follows the setting for every place.",
        Msg::StaffAdded => "{who} is marked staff.",
        Msg::StaffRemoved => "{who} is no longer marked staff.",
        Msg::StaffNotFound => "{who} is not marked staff.",
        Msg::StaffNone => "Nobody is marked staff.",
        Msg::StaffInvalid => "Give a name or an id of 1 to {max} characters.",
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
        Msg::StayArrivalTitle => "Guest arrived · {place} · stay {dates}",
        Msg::StayArrivalBody => "{person} · {door} · {time}",
        Msg::StayCode => " · reservation {code}",
        Msg::StayPhone => " · phone …{digits}",
        Msg::StayNoShowTitle => "No arrival yet at {place} for today's stay (check-in {time})",
        Msg::StayNoShowBody => "Stay {dates}",
        Msg::StayFoundTitle => {
            "Found after all: the guest arrived at {time} (the lock reported it late)"
        }
        Msg::StayFoundBody => "{place} · stay {dates}",
        Msg::StayVacantTitle => "Unlocked while vacant · {door} · {time}",
        Msg::StayVacantBody => "{person} unlocked; no stay covers this time",
        Msg::ThisIsStaff => "This is staff",
        Msg::TrayGuestExpected => "{place}: guest expected {time}",
        Msg::TrayGuestArrived => "{place}: guest arrived {time}",
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
        Msg::ExpectStorageDaily => "a number of unlocks per place per day",
        Msg::ExpectTime => "a time of day as HH:MM, e.g. 04:00",
        Msg::ExpectDoors => "all, or door names separated by commas",
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
        Msg::FieldInterval => {
            "Choose between {min} and {max} minutes (Parakey recommends 5 or more)."
        }
        Msg::FieldOffset => "At most 7 days, or choose “no limit”.",
        Msg::FieldDoors => "Pick at least one door, or watch all doors.",
        Msg::FieldBackfill => "Choose between {min} and {max} days.",
        Msg::FieldSweep => "Choose between 10 minutes and 24 hours.",
        Msg::FieldDayStart => "Give a time of day as HH:MM, e.g. 04:00.",
        Msg::FieldQuietSame => "Quiet hours must start and end at different times.",
        Msg::FieldQuietTimes => "Give both times as HH:MM, e.g. 22:00 to 07:00.",
        Msg::FieldRetention => "Choose between {min} and {max} days, or keep names forever.",
        Msg::FieldStorageDaily => "Choose between {min} and {max} unlocks a day.",
        Msg::FieldDoorRules => "Each door can have one rule.",
    }
}
