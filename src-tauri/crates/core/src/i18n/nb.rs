//! The Norwegian Bokmål catalogue: every [`Msg`] in Norwegian.

use super::Msg;

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
        Msg::BodyNotJson => "svaret er ikke gyldig JSON ({detail}); det kan ha blitt kuttet av",
        Msg::BodyNoList => "svaret er JSON, men inneholder ingen liste over hendelseslogger",
        Msg::BodyEmpty => "svaret var tomt",
        Msg::BodyNull => "svaret var `null`",
        Msg::ErrNetwork => "Fikk ikke kontakt med Parakey: {why}",
        Msg::ErrOffline => "Denne datamaskinen er frakoblet: {why}",
        Msg::FeedLabelInvalid => "Navnet på en kalender må ha 1 til {max} tegn.",
        Msg::FeedExists => "Dette stedet har allerede en kalender som heter «{label}».",
        Msg::NoSuchFeed => "Dette stedet har ingen kalender som heter «{label}».",
        Msg::FeedLinkInvalid => {
            "Det er ikke en kalenderlenke. Kopier kalenderlenken for eksport fra bookingsiden (den slutter som regel på .ics) og lim den inn."
        }
        Msg::FeedInsecure => {
            "Bare https://-kalenderlenker leses (vanlig http:// bare på denne datamaskinen)."
        }
        Msg::FeedNetwork => "Fikk ikke kontakt med kalenderen. Den sist leste kalenderen beholdes.",
        Msg::FeedTimeout => {
            "Kalenderen svarte ikke innen 20 sekunder. Den sist leste kalenderen beholdes."
        }
        Msg::FeedHtml => {
            "Lenken svarte med en nettside (en innloggingsside?), ikke en kalender. Kopier kalenderlenken på nytt."
        }
        Msg::FeedUnauthorized => {
            "Bookingsiden avviste lenken: den er ikke lenger gyldig. Kopier en ny kalenderlenke."
        }
        Msg::FeedNotFound => "Kalenderen finnes ikke lenger. Kopier en ny kalenderlenke.",
        Msg::FeedStatus => {
            "Kalenderens server svarte med en feil ({status}). Den sist leste kalenderen beholdes."
        }
        Msg::FeedTooLarge => "Kalenderen er større enn 5 MB; Doorpost leser den ikke.",
        Msg::FeedNotCalendar => "Lenken svarte med noe som ikke er en kalender.",
        Msg::FeedMalformed => "Kalenderen er ødelagt og kunne ikke leses.",
        Msg::FeedFromStdin => "Lim inn kalenderens eksportlenke, og trykk Enter:",
        Msg::FeedAdded => "Kalenderen «{label}» er lagt til: {count} opphold og sperrede perioder.",
        Msg::FeedRemoved => "Kalenderen «{label}» er fjernet.",
        Msg::FeedOk => "ok",
        Msg::FeedStale => "utdatert",
        Msg::CliNoFeeds => {
            "Ingen bookingkalendere ennå. Legg til en med: doorpost feeds add STED NAVN"
        }
        Msg::CliNoStays => "Ingen opphold.",
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
        Msg::ErrBudget => {
            "dagens lagringsgrense for dette stedet er nådd ({stored} opplåsinger lagret i dag, \
             grense {limit}). Sjekkingen fortsetter i morgen, eller nå hvis du hever grensen \
             (storage.daily); ingenting hoppes over."
        }
        // --- stays settings and staff ---
        Msg::ExpectTimeOrOff => "et klokkeslett som TT:MM, eller off",
        Msg::ExpectVacant => "on, quiet eller off",
        Msg::FieldStaysBuffer => "Velg mellom {min} og {max} minutter.",
        Msg::FieldTimeZone => "Oppgi en tidssone med IANA-navnet, f.eks. Europe/Oslo.",
        Msg::ExpectTimeZone => "en tidssone med IANA-navnet, f.eks. Europe/Oslo, eller system",
        Msg::FieldNotPerPlace => "Denne innstillingen er den samme på alle steder.",
        Msg::ConfigNotPerPlace => "«{key}» er den samme på alle steder; sett den uten --place.",
        Msg::ConfigCleared => "{key} på {name} følger nå innstillingen for alle steder.",
        Msg::StaffAdded => "{who} er merket som ansatt.",
        Msg::StaffRemoved => "{who} er ikke lenger merket som ansatt.",
        Msg::StaffNotFound => "{who} er ikke merket som ansatt.",
        Msg::StaffNone => "Ingen er merket som ansatt.",
        Msg::StaffInvalid => "Oppgi et navn eller en id på 1 til {max} tegn.",
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
        Msg::StayArrivalTitle => "Gjest kom · {place} · opphold {dates}",
        Msg::StayArrivalBody => "{person} · {door} · {time}",
        Msg::StayCode => " · reservasjon {code}",
        Msg::StayPhone => " · telefon …{digits}",
        Msg::StayNoShowTitle => {
            "Ingen ankomst ennå på {place} for dagens opphold (innsjekk {time})"
        }
        Msg::StayNoShowBody => "Opphold {dates}",
        Msg::StayFoundTitle => "Funnet likevel: gjesten kom kl. {time} (låsen meldte det sent)",
        Msg::StayFoundBody => "{place} · opphold {dates}",
        Msg::StayVacantTitle => "Låst opp mens ledig · {door} · {time}",
        Msg::StayVacantBody => "{person} låste opp; ingen opphold dekker dette tidspunktet",
        Msg::ThisIsStaff => "Dette er personale",
        Msg::TrayGuestExpected => "{place}: gjest ventes {time}",
        Msg::TrayGuestArrived => "{place}: gjest kom {time}",
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
        Msg::ExpectStorageDaily => "et antall opplåsinger per sted per dag",
        Msg::ExpectTime => "et klokkeslett som TT:MM, f.eks. 04:00",
        Msg::ExpectDoors => "all, eller dørnavn skilt med komma",
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
        Msg::FieldInterval => {
            "Velg mellom {min} og {max} minutter (Parakey anbefaler 5 eller mer)."
        }
        Msg::FieldOffset => "Høyst 7 dager, eller velg «ingen grense».",
        Msg::FieldDoors => "Velg minst én dør, eller følg med på alle dører.",
        Msg::FieldBackfill => "Velg mellom {min} og {max} dager.",
        Msg::FieldSweep => "Velg mellom 10 minutter og 24 timer.",
        Msg::FieldDayStart => "Oppgi et klokkeslett som TT:MM, f.eks. 04:00.",
        Msg::FieldQuietSame => "Stilletiden må starte og slutte på forskjellige klokkeslett.",
        Msg::FieldQuietTimes => "Oppgi begge klokkeslettene som TT:MM, f.eks. 22:00 til 07:00.",
        Msg::FieldRetention => "Velg mellom {min} og {max} dager, eller behold navn for alltid.",
        Msg::FieldStorageDaily => "Velg mellom {min} og {max} opplåsinger per dag.",
        Msg::FieldDoorRules => "Hver dør kan ha én regel.",
    }
}
