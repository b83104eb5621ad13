//! "Doorpost can't check": telling the host, once per outage, that a place has stopped
//! being watched.
//!
//! A notifier that goes quiet without a word fails its one job, so every failed check feeds
//! an [`OutageWatch`], and the watch says when the host must hear of it:
//! - **at once** when the cause cannot pass by itself: the token is rejected, or Parakey's
//!   address sends Doorpost to another host;
//! - **after [`GRACE`]** of failing since the last completed check for anything else (the
//!   computer offline, Parakey not answering, requests refused, the history not saving).
//!   The deadline is the watch's own ([`OutageWatch::due_at`]), which the driver keeps as a
//!   timer: backoff spaces failed checks minutes apart, so waiting for the next failure
//!   would be late.
//!
//! Once per outage: an outage ends with a completed check, and one that starts again within
//! [`SETTLE`] of a told one's end is the same outage (a flapping network does not toast
//! every few minutes). A cause that needs the host (the token) after a told one that did
//! not (the network) is told too: it asks something new of them. Quiet hours hold the
//! notice until they end (the driver shows it before the digest).
//!
//! Asleep, Doorpost can neither check nor tell, and the network needs a few seconds to come
//! back after a wake: the grace of an outage that spans a sleep counts from the wake
//! ([`OutageWatch::woke`]), so opening the lid after a failure at bedtime does not tell the
//! host at once. The notice still says when the failing began.
//!
//! Times are wall-clock: the notice says "since 14:02".

use crate::i18n::{Locale, Msg, t};
use crate::poller::SyncFailure;
use crate::time::Millis;

/// How long a place may fail before the host is told, when the cause may pass by itself.
pub const GRACE: i64 = 15 * Millis::MINUTE;
/// An outage that starts again this soon after a told one ended is not told again.
pub const SETTLE: i64 = Millis::HOUR;

/// Why a place cannot check, in the words the host is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// Parakey rejects the token (401/403 in both header forms).
    TokenRejected,
    /// Parakey's address redirects to another origin; the token is not sent there.
    Redirected { host: String },
    /// This computer has no network (no route, no name resolution).
    Offline,
    /// Parakey does not answer, or answers with a server error.
    NotAnswering,
    /// Parakey refuses every request Doorpost knows.
    Refused { why: String },
    /// Parakey answers, but nothing Doorpost can use.
    Unusable,
    /// The history cannot be written.
    Storage { why: String },
    /// The token cannot be read from the keychain (locked, or no keychain service).
    Keychain,
}

impl Cause {
    pub fn of(failure: &SyncFailure) -> Cause {
        match failure {
            SyncFailure::Auth(_) => Cause::TokenRejected,
            SyncFailure::Redirect { location, .. } => Cause::Redirected {
                host: location
                    .as_deref()
                    .map(host_of)
                    .unwrap_or_default()
                    .to_string(),
            },
            SyncFailure::Offline(_) => Cause::Offline,
            SyncFailure::Network(_) | SyncFailure::Unavailable(_) => Cause::NotAnswering,
            SyncFailure::Refused(_, why) => Cause::Refused { why: why.clone() },
            SyncFailure::Store(why) => Cause::Storage { why: why.clone() },
            SyncFailure::Confused
            | SyncFailure::Unexpected(_)
            | SyncFailure::BadBody(_)
            | SyncFailure::Oversized(..) => Cause::Unusable,
        }
    }

    /// Whether the host must act before checking can resume: told at once.
    pub fn needs_host(&self) -> bool {
        matches!(self, Cause::TokenRejected | Cause::Redirected { .. })
    }

    /// The notice's body: the reason since when, and what to do.
    fn sentence(&self, locale: &Locale, since: Millis, now: Millis) -> String {
        let time = locale.moment(since, now, true);
        let lang = locale.lang;
        let cut = |s: &str| crate::text::cut(s, 120);
        match self {
            Cause::TokenRejected => t(lang, Msg::CantTokenRejected, &[("time", &time)]),
            Cause::Redirected { host } => {
                let somewhere = t(lang, Msg::ErrRedirectSomewhere, &[]);
                let host = if host.is_empty() { &somewhere } else { host };
                t(
                    lang,
                    Msg::CantRedirected,
                    &[("time", &time), ("host", &cut(host))],
                )
            }
            Cause::Offline => t(lang, Msg::CantOffline, &[("time", &time)]),
            Cause::NotAnswering => t(lang, Msg::CantNotAnswering, &[("time", &time)]),
            Cause::Refused { why } => t(
                lang,
                Msg::CantRefused,
                &[("time", &time), ("why", &cut(why))],
            ),
            Cause::Unusable => t(lang, Msg::CantUnusable, &[("time", &time)]),
            Cause::Storage { why } => t(
                lang,
                Msg::CantStorage,
                &[("time", &time), ("why", &cut(why))],
            ),
            Cause::Keychain => t(lang, Msg::CantKeychain, &[("time", &time)]),
        }
    }
}

/// The host part of a redirect's `Location` ("https://evil.example:8443/x" → "evil.example:8443").
fn host_of(location: &str) -> &str {
    let rest = location.split_once("://").map_or(location, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Credentials in a URL are not the host, and not to be repeated.
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// The notice to show: its title and body, in the host's language.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Notice {
    pub cause: Cause,
    /// The first failure of the outage (wall clock).
    pub since: Millis,
}

impl Notice {
    /// "Doorpost can't check Harbour Loft", or "Doorpost can't check for unlocks" when the
    /// place has no name to give.
    pub fn title(&self, locale: &Locale, place: Option<&str>) -> String {
        match place {
            Some(name) => t(
                locale.lang,
                Msg::CantCheckTitle,
                &[("place", &crate::text::cut(name, 60))],
            ),
            None => t(locale.lang, Msg::CantCheckTitleAny, &[]),
        }
    }

    pub fn body(&self, locale: &Locale, now: Millis) -> String {
        self.cause.sentence(locale, self.since, now)
    }
}

/// One place's outages: when one began, what it is, and whether the host was told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageWatch {
    /// [`GRACE`], shorter in tests that run real processes.
    grace: i64,
    /// The first failure since the last completed check.
    since: Option<Millis>,
    cause: Option<Cause>,
    /// The cause the host was told of, for this outage (or one that ended under
    /// [`SETTLE`] ago).
    told: Option<Cause>,
    /// When the last told outage ended.
    ended: Option<Millis>,
    /// The machine woke during this outage, before it was told: the grace counts from here.
    woke: Option<Millis>,
}

impl Default for OutageWatch {
    fn default() -> Self {
        OutageWatch::new(GRACE)
    }
}

impl OutageWatch {
    pub fn new(grace: i64) -> OutageWatch {
        OutageWatch {
            grace,
            since: None,
            cause: None,
            told: None,
            ended: None,
            woke: None,
        }
    }

    /// A check failed at `wall`.
    pub fn failed(&mut self, wall: Millis, cause: Cause) {
        if self.since.is_none() {
            let settled = self.ended.is_none_or(|end| wall.since(end) >= SETTLE);
            if settled {
                self.told = None;
            }
            self.since = Some(wall);
            self.woke = None;
        }
        self.cause = Some(cause);
    }

    /// A check completed at `wall`: the outage, if any, is over.
    pub fn checked(&mut self, wall: Millis) {
        if self.since.take().is_some() && self.told.is_some() {
            self.ended = Some(wall);
        }
        self.cause = None;
    }

    /// The machine woke from sleep at `wall`: a place failing since before it, and not told
    /// yet, gets its grace again from now (the network may still be coming back).
    pub fn woke(&mut self, wall: Millis) {
        if self.since.is_some() && self.told.is_none() {
            self.woke = Some(wall);
        }
    }

    /// Where the grace of the current outage counts from: its first failure, or a later wake.
    fn grace_from(&self, since: Millis) -> Millis {
        self.woke.map_or(since, |w| w.max(since))
    }

    /// When the notice falls due (wall clock), if the place is failing and the host has
    /// not been told of it yet.
    pub fn due_at(&self) -> Option<Millis> {
        let (since, cause) = (self.since?, self.cause.as_ref()?);
        let told = match &self.told {
            None => false,
            // Told of something that passes by itself; now the host must act.
            Some(told) => !(cause.needs_host() && told != cause),
        };
        if told {
            return None;
        }
        Some(if cause.needs_host() {
            since
        } else {
            self.grace_from(since).plus(self.grace)
        })
    }

    /// Since when the place cannot check, once that is worth saying (the notice is due or
    /// was given): what the header and the tray show until a check completes.
    pub fn blind_since(&self, wall: Millis) -> Option<Millis> {
        let since = self.since?;
        let cause = self.cause.as_ref()?;
        let due = cause.needs_host()
            || wall.since(self.grace_from(since)) >= self.grace
            || self.told.is_some();
        due.then_some(since)
    }

    /// The notice, if it is due at `wall` and quiet hours do not hold it; taking it marks
    /// the outage told.
    pub fn take_due(&mut self, wall: Millis, quiet: bool) -> Option<Notice> {
        if quiet || self.due_at()? > wall {
            return None;
        }
        let cause = self.cause.clone()?;
        self.told = Some(cause.clone());
        Some(Notice {
            cause,
            since: self.since?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Language;

    const M: i64 = Millis::MINUTE;

    fn at(min: i64) -> Millis {
        Millis(1_800_000_000_000 + min * M)
    }

    fn en() -> Locale {
        Locale {
            lang: Language::En,
            twelve_hour: false,
            utc_offset_secs: 0,
        }
    }

    #[test]
    fn a_network_outage_is_told_after_fifteen_minutes_once() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::NotAnswering);
        assert_eq!(w.due_at(), Some(at(15)));
        assert_eq!(w.take_due(at(14), false), None);
        assert_eq!(w.blind_since(at(14)), None);
        let notice = w.take_due(at(15), false).expect("due at 15 min");
        assert_eq!(notice.since, at(0));
        assert_eq!(w.blind_since(at(15)), Some(at(0)));
        w.failed(at(20), Cause::NotAnswering);
        assert_eq!(w.take_due(at(40), false), None, "once per outage");
        assert_eq!(w.due_at(), None);
    }

    #[test]
    fn an_outage_across_a_sleep_gets_its_grace_again_from_the_wake() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::Offline);
        // Asleep from minute 1 to minute 480: the timer that was due at 15 fires on wake.
        w.woke(at(480));
        assert_eq!(w.due_at(), Some(at(495)));
        assert_eq!(w.take_due(at(480), false), None, "not at the wake");
        assert_eq!(w.blind_since(at(490)), None);
        let notice = w.take_due(at(495), false).expect("after the grace");
        assert_eq!(
            notice.since,
            at(0),
            "the notice says when the failing began"
        );
        assert_eq!(w.blind_since(at(495)), Some(at(0)));
        // A wake after the host was told changes nothing: the header keeps saying it.
        w.woke(at(600));
        assert_eq!(w.blind_since(at(600)), Some(at(0)));
        assert_eq!(w.due_at(), None);
        // A rejected token needs the host however long the machine slept.
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::TokenRejected);
        w.woke(at(480));
        assert_eq!(w.due_at(), Some(at(0)));
        // A wake with nothing failing does not carry over to the next outage.
        let mut w = OutageWatch::default();
        w.woke(at(10));
        w.failed(at(20), Cause::Offline);
        assert_eq!(w.due_at(), Some(at(35)));
    }

    #[test]
    fn a_rejected_token_is_told_at_once() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::TokenRejected);
        assert!(w.take_due(at(0), false).is_some());
        assert_eq!(w.blind_since(at(0)), Some(at(0)));
    }

    #[test]
    fn a_completed_check_ends_the_outage_and_a_return_within_the_hour_is_not_told() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::Offline);
        assert!(w.take_due(at(15), false).is_some());
        w.checked(at(20));
        assert_eq!(w.blind_since(at(21)), None);
        w.failed(at(50), Cause::Offline);
        assert_eq!(w.take_due(at(90), false), None, "came back within the hour");
        w.checked(at(95));
        w.failed(at(200), Cause::Offline);
        assert!(w.take_due(at(215), false).is_some(), "a new outage");
    }

    #[test]
    fn a_short_failure_is_never_told() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::NotAnswering);
        w.checked(at(10));
        assert_eq!(w.due_at(), None);
        assert_eq!(w.take_due(at(60), false), None);
    }

    #[test]
    fn quiet_hours_hold_the_notice_until_they_end() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::TokenRejected);
        assert_eq!(w.take_due(at(1), true), None);
        assert!(w.take_due(at(300), false).is_some());
    }

    #[test]
    fn a_cause_that_needs_the_host_is_told_after_a_passing_one() {
        let mut w = OutageWatch::default();
        w.failed(at(0), Cause::NotAnswering);
        assert!(w.take_due(at(15), false).is_some());
        w.failed(at(16), Cause::TokenRejected);
        assert!(w.take_due(at(16), false).is_some());
        w.failed(at(17), Cause::TokenRejected);
        assert_eq!(w.take_due(at(18), false), None);
    }

    #[test]
    fn the_notice_names_the_place_the_reason_the_time_and_what_to_do() {
        let n = Notice {
            cause: Cause::TokenRejected,
            since: Millis(
                1_800_000_000_000 + 14 * Millis::HOUR + 2 * M - 1_800_000_000_000 % Millis::DAY,
            ),
        };
        let now = n.since.plus(5 * M);
        assert_eq!(
            n.title(&en(), Some("Harbour Loft")),
            "Doorpost can't check Harbour Loft"
        );
        assert_eq!(
            n.body(&en(), now),
            "Parakey rejects the token since 14:02. Open Settings to replace it."
        );
        let nb = Locale {
            lang: Language::Nb,
            ..en()
        };
        assert_eq!(
            n.title(&nb, Some("Sjøbua")),
            "Doorpost får ikke sjekket Sjøbua"
        );
        assert!(n.body(&nb, now).contains("14:02"), "{}", n.body(&nb, now));
        let offline = Notice {
            cause: Cause::Offline,
            ..n.clone()
        };
        assert_ne!(
            offline.body(&en(), now),
            Notice {
                cause: Cause::NotAnswering,
                ..n.clone()
            }
            .body(&en(), now)
        );
        let yesterday = n.since.plus(Millis::DAY);
        assert!(
            n.body(&en(), yesterday).contains("since yesterday 14:02"),
            "{}",
            n.body(&en(), yesterday)
        );
    }

    #[test]
    fn a_redirect_names_the_host_without_credentials() {
        let f = SyncFailure::Redirect {
            status: 301,
            location: Some("https://user:pw@evil.example:8443/eventLogs?x=1".into()),
        };
        assert_eq!(
            Cause::of(&f),
            Cause::Redirected {
                host: "evil.example:8443".into()
            }
        );
        assert!(Cause::of(&f).needs_host());
        assert!(!Cause::of(&SyncFailure::Offline("no route".into())).needs_host());
    }
}
