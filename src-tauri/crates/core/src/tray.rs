//! The tray menu as data: built from a snapshot of the app's state, rendered by the shell.
//!
//! Pure, so its words and its grouping are unit-tested without a desktop. Every item that
//! does something carries a typed [`TrayAction`], and its toolkit id names that action
//! ([`TrayAction::id`]: `mute:hour:<door id>`, `open:<event id>`), never its position: a
//! click resolves ([`TrayAction::from_id`]) to what the clicked item said, whatever menu
//! was built since.
//!
//! Layout, top to bottom: one status line per place (with the place's name when there are
//! several; "Quiet until 07:00" and "Notifications paused" before the rest), each place's
//! arrivals expected today ("Harbour Loft: guest expected 15:00", then "… guest arrived
//! 15:42", in the place's own time zone), the latest
//! unlocks (grouped by place when there are several), "Pause notifications", "Mute a
//! door" (each door: 1 hour, until tomorrow, unmute; muted doors say until when), "Check
//! now", "Open Doorpost", "Settings…", "Quit".

use crate::i18n::{self, Locale, Msg};
use crate::ipc::{
    DoorView, HistoryRowView, Mode, MuteRequest, PauseRequest, PhaseView, StatusView,
};
use crate::time::{ClockTime, Millis};

/// Latest unlocks in the menu: with one place, and per place with several.
pub const RECENT_ONE_PLACE: usize = 5;
pub const RECENT_PER_PLACE: usize = 3;
/// Doors in "Mute a door": the most recently active (muted ones first), whatever the
/// account holds; the others are muted from the window ("More in Doorpost…").
pub const TRAY_DOORS: usize = 15;
/// "Until tomorrow" ends at this local time, for a pause and a door's mute alike; the
/// labels say so ("Until 07:00 tomorrow").
pub const UNTIL_TOMORROW: ClockTime = ClockTime::of(7, 0);
/// Longest door or person name in an unlock's label, in characters.
const NAME_IN_LABEL: usize = 24;

/// What a menu item does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayAction {
    OpenWindow,
    /// Opens this unlock in the window.
    OpenEvent(String),
    OpenSettings,
    CheckNow,
    PauseNotifications(PauseRequest),
    ResumeNotifications,
    MuteDoor {
        door_id: String,
        request: MuteRequest,
    },
    Quit,
}

/// The id of an item that does nothing (a line of text, a heading).
pub const TEXT_ITEM_ID: &str = "text";

impl TrayAction {
    /// The item id: derived from what the action does (the door or event id last, as given,
    /// so it may hold `:`), so an item keeps its id however the menu around it changes.
    pub fn id(&self) -> String {
        let pause = |r: &PauseRequest| match r {
            PauseRequest::OneHour => "hour",
            PauseRequest::UntilTomorrow => "tomorrow",
            PauseRequest::Indefinitely => "forever",
        };
        let mute = |r: &MuteRequest| match r {
            MuteRequest::OneHour => "hour",
            MuteRequest::UntilTomorrow => "tomorrow",
            MuteRequest::Unmute => "unmute",
        };
        match self {
            TrayAction::OpenWindow => "window".to_string(),
            TrayAction::OpenEvent(id) => format!("open:{id}"),
            TrayAction::OpenSettings => "settings".to_string(),
            TrayAction::CheckNow => "check".to_string(),
            TrayAction::PauseNotifications(r) => format!("pause:{}", pause(r)),
            TrayAction::ResumeNotifications => "resume".to_string(),
            TrayAction::MuteDoor { door_id, request } => {
                format!("mute:{}:{door_id}", mute(request))
            }
            TrayAction::Quit => "quit".to_string(),
        }
    }

    /// The action an item id names; `None` for anything [`TrayAction::id`] does not make.
    pub fn from_id(id: &str) -> Option<TrayAction> {
        let (kind, rest) = id.split_once(':').unwrap_or((id, ""));
        Some(match (kind, rest) {
            ("window", "") => TrayAction::OpenWindow,
            ("open", event) if !event.is_empty() => TrayAction::OpenEvent(event.to_string()),
            ("settings", "") => TrayAction::OpenSettings,
            ("check", "") => TrayAction::CheckNow,
            ("pause", "hour") => TrayAction::PauseNotifications(PauseRequest::OneHour),
            ("pause", "tomorrow") => TrayAction::PauseNotifications(PauseRequest::UntilTomorrow),
            ("pause", "forever") => TrayAction::PauseNotifications(PauseRequest::Indefinitely),
            ("resume", "") => TrayAction::ResumeNotifications,
            ("mute", rest) => {
                let (request, door_id) = rest.split_once(':')?;
                let request = match request {
                    "hour" => MuteRequest::OneHour,
                    "tomorrow" => MuteRequest::UntilTomorrow,
                    "unmute" => MuteRequest::Unmute,
                    _ => return None,
                };
                if door_id.is_empty() {
                    return None;
                }
                TrayAction::MuteDoor {
                    door_id: door_id.to_string(),
                    request,
                }
            }
            ("quit", "") => TrayAction::Quit,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayEntry {
    Item {
        label: String,
        /// `None`: a line of text (disabled).
        action: Option<TrayAction>,
    },
    Submenu {
        label: String,
        entries: Vec<TrayEntry>,
    },
    Separator,
}

/// The icon's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayLook {
    Idle,
    /// Unlocks announced since the window was last opened.
    New,
    /// A place cannot reach Parakey.
    Degraded,
    /// A place's token was rejected.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayMenu {
    pub entries: Vec<TrayEntry>,
    pub tooltip: String,
    pub look: TrayLook,
}

/// One place as the tray shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayPlace {
    pub name: String,
    pub status: StatusView,
    /// Newest first.
    pub recent: Vec<HistoryRowView>,
    pub doors: Vec<DoorView>,
    /// The bookings whose check-in is today at the place, by check-in time.
    pub expected: Vec<ExpectedArrival>,
}

/// A booking arriving today, and whether its guest has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedArrival {
    pub check_in: Millis,
    pub arrived_at: Option<Millis>,
    /// The place's UTC offset that day: its times are shown on its clock, wherever the
    /// computer is.
    pub utc_offset_secs: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraySnapshot {
    pub mode: Mode,
    pub places: Vec<TrayPlace>,
    /// Unlocks announced since the window was last opened.
    pub unseen: u32,
    /// Notifications paused: `Some(None)` until resumed, `Some(Some(t))` until `t`.
    pub paused: Option<Option<Millis>>,
    /// Quiet hours hold until this time.
    pub quiet_until: Option<Millis>,
    pub now: Millis,
    pub locale: Locale,
}

fn item(label: String, action: TrayAction) -> TrayEntry {
    TrayEntry::Item {
        label,
        action: Some(action),
    }
}

fn text(label: String) -> TrayEntry {
    TrayEntry::Item {
        label,
        action: None,
    }
}

/// The menu, tooltip and icon for `s`.
pub fn menu(s: &TraySnapshot) -> TrayMenu {
    let lang = s.locale.lang;
    let tr = |m: Msg| i18n::t(lang, m, &[]);
    // The status lines open the window (Settings when a token was rejected or the address
    // moved): an enabled item reads better than a grey one, and it is where the user goes
    // next.
    let rejected = s.places.iter().any(|p| {
        matches!(
            p.status.phase,
            PhaseView::AuthRejected | PhaseView::Redirected
        )
    });
    let status_action = if rejected {
        TrayAction::OpenSettings
    } else {
        TrayAction::OpenWindow
    };
    let mut entries: Vec<TrayEntry> = status_lines(s)
        .into_iter()
        .chain(arrival_lines(s))
        .map(|line| item(line, status_action.clone()))
        .collect();
    entries.push(TrayEntry::Separator);
    entries.extend(recent(s));
    entries.push(TrayEntry::Separator);
    let configured = s.mode != Mode::Unconfigured && !s.places.is_empty();
    if configured {
        entries.push(pause(s));
        if let Some(mute) = mute(s) {
            entries.push(mute);
        }
        entries.push(item(tr(Msg::TrayCheckNow), TrayAction::CheckNow));
    }
    entries.push(item(tr(Msg::TrayOpen), TrayAction::OpenWindow));
    entries.push(item(tr(Msg::TraySettings), TrayAction::OpenSettings));
    entries.push(TrayEntry::Separator);
    entries.push(item(tr(Msg::TrayQuit), TrayAction::Quit));
    TrayMenu {
        tooltip: format!("Doorpost · {}", status_lines(s).join(" · ")),
        look: look(s),
        entries,
    }
}

/// The icon: a rejected token first, then a place that cannot be reached, then news.
pub fn look(s: &TraySnapshot) -> TrayLook {
    let any = |p: PhaseView| s.places.iter().any(|pl| pl.status.phase == p);
    let blind = s.places.iter().any(|p| p.status.cant_check_since.is_some());
    if any(PhaseView::AuthRejected) || any(PhaseView::Redirected) || blind {
        TrayLook::Error
    } else if any(PhaseView::Degraded) {
        TrayLook::Degraded
    } else if s.unseen > 0 {
        TrayLook::New
    } else {
        TrayLook::Idle
    }
}

/// The first lines: what holds for every place (paused, quiet), then each place's state.
pub fn status_lines(s: &TraySnapshot) -> Vec<String> {
    let lang = s.locale.lang;
    let mut lines = Vec::new();
    let demo = s.mode == Mode::Demo;
    let prefix = if demo {
        format!("{} · ", i18n::t(lang, Msg::TrayDemo, &[]))
    } else {
        String::new()
    };
    if s.mode == Mode::Unconfigured || s.places.is_empty() {
        return vec![i18n::t(lang, Msg::TrayStatusNotConfigured, &[])];
    }
    match s.paused {
        Some(Some(until)) => lines.push(i18n::t(
            lang,
            Msg::TrayStatusPausedUntil,
            &[("time", &s.locale.clock(until))],
        )),
        Some(None) => lines.push(i18n::t(lang, Msg::TrayStatusPaused, &[])),
        None => {
            if let Some(until) = s.quiet_until {
                lines.push(i18n::t(
                    lang,
                    Msg::TrayStatusQuiet,
                    &[("time", &s.locale.clock(until))],
                ));
            }
        }
    }
    let several = s.places.len() > 1;
    for place in &s.places {
        let line = place_line(&place.status, s.now, &s.locale);
        lines.push(if several {
            format!("{prefix}{} · {line}", cut(&place.name))
        } else {
            format!("{prefix}{line}")
        });
    }
    lines
}

/// "Harbour Loft: guest expected 15:00" or "… guest arrived 15:42", one per booking
/// arriving today at each place.
pub fn arrival_lines(s: &TraySnapshot) -> Vec<String> {
    if s.mode == Mode::Unconfigured {
        return Vec::new();
    }
    let lang = s.locale.lang;
    s.places
        .iter()
        .flat_map(|place| {
            place.expected.iter().map(move |a| {
                let locale = Locale {
                    utc_offset_secs: a.utc_offset_secs,
                    ..s.locale
                };
                let (msg, at) = match a.arrived_at {
                    Some(at) => (Msg::TrayGuestArrived, at),
                    None => (Msg::TrayGuestExpected, a.check_in),
                };
                i18n::t(
                    lang,
                    msg,
                    &[("place", &cut(&place.name)), ("time", &locale.clock(at))],
                )
            })
        })
        .collect()
}

/// One place's state in a few words.
pub fn place_line(status: &StatusView, now: Millis, locale: &Locale) -> String {
    let lang = locale.lang;
    if let Some(since) = status.cant_check_since {
        let time = locale.moment(Millis(since), now, true);
        return i18n::t(lang, Msg::TrayStatusCantCheck, &[("time", &time)]);
    }
    match status.phase {
        PhaseView::NotConfigured => i18n::t(lang, Msg::TrayStatusNotConfigured, &[]),
        PhaseView::Checking => i18n::t(lang, Msg::TrayStatusChecking, &[]),
        PhaseView::AuthRejected => i18n::t(lang, Msg::TrayStatusTokenRejected, &[]),
        PhaseView::Redirected => i18n::t(lang, Msg::TrayStatusRedirected, &[]),
        PhaseView::Degraded => {
            let time = status
                .next_check
                .map_or_else(|| "…".to_string(), |t| locale.clock(Millis(t)));
            i18n::t(lang, Msg::TrayStatusDegraded, &[("time", &time)])
        }
        PhaseView::Idle | PhaseView::Paused => match status.last_check {
            Some(t) if now.since(Millis(t)) < Millis::MINUTE => {
                i18n::t(lang, Msg::TrayStatusChecked, &[])
            }
            Some(t) => i18n::t(
                lang,
                Msg::TrayStatusCheckedAgo,
                &[("ago", &locale.ago(Millis(t), now))],
            ),
            None => i18n::t(lang, Msg::TrayStatusNotYet, &[]),
        },
    }
}

fn cut(s: &str) -> String {
    crate::text::cut(s, crate::text::MENU_LABEL_CHARS)
}

fn unlock_label(r: &HistoryRowView, locale: &Locale, now: Millis) -> String {
    let who = r
        .user
        .clone()
        .unwrap_or_else(|| i18n::t(locale.lang, Msg::Someone, &[]));
    let when = locale.moment(Millis(r.unlocked_at), now, false);
    // Each name cut on its own, so a long one cannot push the time out of sight.
    let name = |s: &str| crate::text::cut(s, NAME_IN_LABEL);
    cut(&format!("{} · {} · {when}", name(&r.door), name(&who)))
}

fn recent(s: &TraySnapshot) -> Vec<TrayEntry> {
    let lang = s.locale.lang;
    let several = s.places.len() > 1;
    let mut out = Vec::new();
    for place in &s.places {
        let take = if several {
            RECENT_PER_PLACE
        } else {
            RECENT_ONE_PLACE
        };
        if several {
            out.push(text(cut(&place.name)));
        }
        if place.recent.is_empty() {
            out.push(text(i18n::t(lang, Msg::TrayNoUnlocks, &[])));
        }
        for r in place.recent.iter().take(take) {
            let label = unlock_label(r, &s.locale, s.now);
            let label = if several {
                format!("   {label}")
            } else {
                label
            };
            out.push(item(label, TrayAction::OpenEvent(r.id.clone())));
        }
    }
    if out.is_empty() {
        out.push(text(i18n::t(lang, Msg::TrayNoUnlocks, &[])));
    }
    out
}

fn pause(s: &TraySnapshot) -> TrayEntry {
    let lang = s.locale.lang;
    if let Some(until) = s.paused {
        let label = match until {
            Some(t) => i18n::t(lang, Msg::TrayResumeUntil, &[("time", &s.locale.clock(t))]),
            None => i18n::t(lang, Msg::TrayResume, &[]),
        };
        return item(label, TrayAction::ResumeNotifications);
    }
    let morning = s.locale.next_clock_time(s.now, UNTIL_TOMORROW);
    TrayEntry::Submenu {
        label: i18n::t(lang, Msg::TrayPause, &[]),
        entries: vec![
            item(
                i18n::t(lang, Msg::TrayPauseHour, &[]),
                TrayAction::PauseNotifications(PauseRequest::OneHour),
            ),
            item(
                i18n::t(
                    lang,
                    Msg::TrayPauseTomorrow,
                    &[("time", &s.locale.clock(morning))],
                ),
                TrayAction::PauseNotifications(PauseRequest::UntilTomorrow),
            ),
            item(
                i18n::t(lang, Msg::TrayPauseForever, &[]),
                TrayAction::PauseNotifications(PauseRequest::Indefinitely),
            ),
        ],
    }
}

fn mute(s: &TraySnapshot) -> Option<TrayEntry> {
    let several = s.places.len() > 1;
    // A bounded menu however many doors a server sends: the [`TRAY_DOORS`] most recently
    // active, muted ones first (so they can be unmuted here), each place's in its order.
    let mut ranked: Vec<(usize, usize)> = s
        .places
        .iter()
        .enumerate()
        .flat_map(|(p, place)| (0..place.doors.len()).map(move |d| (p, d)))
        .collect();
    let door = |&(p, d): &(usize, usize)| &s.places[p].doors[d];
    ranked.sort_by_key(|k| {
        let d = door(k);
        let muted = d.muted_until.is_some_and(|t| t > s.now.0);
        (std::cmp::Reverse(muted), std::cmp::Reverse(d.last_unlock))
    });
    let more = ranked.len() > TRAY_DOORS;
    ranked.truncate(TRAY_DOORS);
    ranked.sort_unstable();
    let mut entries = Vec::new();
    for (p, place) in s.places.iter().enumerate() {
        let shown: Vec<&DoorView> = ranked.iter().filter(|k| k.0 == p).map(&door).collect();
        if shown.is_empty() {
            continue;
        }
        if several {
            entries.push(text(cut(&place.name)));
        }
        entries.extend(shown.into_iter().map(|d| door_entry(d, s)));
    }
    if more {
        entries.push(TrayEntry::Separator);
        entries.push(item(
            i18n::t(s.locale.lang, Msg::TrayMoreDoors, &[]),
            TrayAction::OpenWindow,
        ));
    }
    (!entries.is_empty()).then(|| TrayEntry::Submenu {
        label: i18n::t(s.locale.lang, Msg::TrayMute, &[]),
        entries,
    })
}

fn door_entry(d: &DoorView, s: &TraySnapshot) -> TrayEntry {
    let lang = s.locale.lang;
    let muted = d.muted_until.filter(|&t| t > s.now.0);
    let label = match muted {
        Some(t) => i18n::t(
            lang,
            Msg::TrayMutedUntil,
            &[
                ("door", &cut(&d.name)),
                ("time", &s.locale.clock(Millis(t))),
            ],
        ),
        None => cut(&d.name),
    };
    let action = |request| TrayAction::MuteDoor {
        door_id: d.id.clone(),
        request,
    };
    let mut entries = vec![
        item(
            i18n::t(lang, Msg::TrayMuteHour, &[]),
            action(MuteRequest::OneHour),
        ),
        item(
            i18n::t(
                lang,
                Msg::TrayMuteTomorrow,
                &[(
                    "time",
                    &s.locale
                        .clock(s.locale.next_clock_time(s.now, UNTIL_TOMORROW)),
                )],
            ),
            action(MuteRequest::UntilTomorrow),
        ),
    ];
    if muted.is_some() {
        entries.push(item(
            i18n::t(lang, Msg::TrayUnmute, &[]),
            action(MuteRequest::Unmute),
        ));
    }
    TrayEntry::Submenu { label, entries }
}

#[cfg(test)]
mod tests;
