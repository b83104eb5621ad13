//! Toasts on the Linux desktop: [`DesktopNotifier`], the `notify-rust` implementation of
//! the [`Notifier`] seam, and [`probe`], which reports the notification service for
//! `doorpost doctor`.
//!
//! Invariants:
//!
//! - **`show()` never hangs.** It checks first that a notification service owns (or can be
//!   activated for) `org.freedesktop.Notifications` and returns [`NotifyError::NoService`]
//!   otherwise, and the whole call runs on the notifier's own thread, given up after 3 s
//!   ([`NotifyError::Timeout`]). A toast still queued at its deadline is dropped, never
//!   shown late.
//! - **Names are data.** Door and user names go in the body escaped (`&`, `<`, `>`) when
//!   the server renders markup (capability `body-markup`, asked once and cached; escaped
//!   too when the answer is unknown), so `<b>x</b>` shows as typed. The summary is plain
//!   text by specification and is sent as is.
//! - **Toasts say whose they are.** Every one carries the `desktop-entry` hint (the app id
//!   the shell passes in, which names the installed `.desktop` file), a category and an
//!   urgency, so GNOME lists Doorpost under Settings → Notifications and groups its toasts.
//!   Unlock toasts play a sound (`sound-name`) only when the user turned it on.
//! - **Clicks come back.** Each toast carries a default action; activating it sends
//!   [`ToastAction::Open`] with the toast's first event id on the channel the app passed in.
//!   A single unlock's toast also offers "Mute this door for 1 hour" (in the language set
//!   with [`DesktopNotifier::set_language`]), which sends [`ToastAction::MuteDoor`], and a
//!   stay alert "This is staff", which sends [`ToastAction::MarkStaff`]. One listener thread, on the
//!   notifier's own bus connection, watches `ActionInvoked` and `NotificationClosed`; its
//!   match rule is in place before the first `Notify`, so a click cannot be missed. Servers
//!   that broadcast these signals (GNOME Shell, Plasma, dunst, xfce4-notifyd) are covered;
//!   one that sent them only to the sending connection would not be.
//! - **Only the notification server clicks.** Any client on the session bus can emit an
//!   `ActionInvoked` signal, so one is acted on only when its sender is the current owner
//!   of `org.freedesktop.Notifications` (its unique name, asked with `GetNameOwner` when
//!   the listener starts and before each toast, and followed through `NameOwnerChanged`),
//!   and only for an id that owner returned to this notifier's `Notify` and has not closed.
//!   A click from the owner for an id whose `Notify` reply is still on its way is held
//!   ([`MAX_EARLY`]) until the reply names it; anything else is ignored (logged at debug).
//!   When the owner is replaced, the toasts, the held clicks and the markup answer of the
//!   old one are forgotten.
//!
//! It depends on nothing of Tauri; the shell passes the icon path and the channel.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use doorpost_core::policy::{SummaryReason, Toast};
use doorpost_core::settings::Language;
use doorpost_core::text;
use futures_lite::StreamExt;
use notify_rust::{Hint, Urgency};
use zbus::message::Type as MessageType;

use super::NotificationServiceInfo;
use super::actions::{Capabilities, Target};
use crate::keychain::{Worker, WorkerError};
use crate::notifier::{Notifier, NotifyError, ToastAction};

/// How long `show()` may take before it gives up.
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(3);

const APP_NAME: &str = "Doorpost";
const SERVICE: &str = "org.freedesktop.Notifications";
const SERVICE_PATH: &str = "/org/freedesktop/Notifications";
const BUS: &str = "org.freedesktop.DBus";
/// Toasts whose clicks are still awaited; older ones are forgotten (their clicks ignored).
const MAX_TRACKED: usize = 32;
/// Clicks for ids not yet tracked (a click faster than `Notify`'s reply), kept briefly.
const MAX_EARLY: usize = 16;
/// The server reports a click only as the `default` action, when a toast offers one.
const CAPABILITIES: Capabilities = Capabilities {
    click_is_offered: true,
};

pub struct DesktopNotifier {
    shared: Arc<Shared>,
    timeout: Duration,
    worker: Worker,
}

struct Shared {
    icon: String,
    /// The desktop entry's id (`co.doorpost.app` for `co.doorpost.app.desktop`).
    desktop_entry: String,
    /// Whether unlock toasts play [`Shared::unlock_sound`]; the user's setting.
    sound: AtomicBool,
    unlock_sound: &'static str,
    /// The language of the actions' labels.
    language: Mutex<Language>,
    opened: Sender<ToastAction>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The notifier's own connection, on which the listener thread runs.
    bus: Option<zbus::Connection>,
    /// Whether the server renders body markup, once it has said.
    markup: Option<bool>,
    /// The unique bus name (`:1.42`) owning [`SERVICE`]: the only sender whose signals
    /// count. `None` while nobody owns it (or before the listener asked).
    owner: Option<String>,
    shown: VecDeque<Shown>,
    early: VecDeque<(u32, String)>,
}

struct Shown {
    id: u32,
    /// What its actions act on.
    target: Target,
    /// Kept open: some servers drop a notification's actions when its sender disconnects.
    _handle: notify_rust::NotificationHandle,
}

impl DesktopNotifier {
    /// `desktop_entry`: the app's desktop entry id, without `.desktop`. `icon`: the app
    /// icon's file path. `opened`: receives what the user chose on a toast.
    pub fn new(desktop_entry: &str, icon: &Path, opened: Sender<ToastAction>) -> DesktopNotifier {
        DesktopNotifier {
            shared: Arc::new(Shared {
                icon: icon.to_string_lossy().into_owned(),
                desktop_entry: desktop_entry.to_string(),
                sound: AtomicBool::new(false),
                unlock_sound: unlock_sound(&sound_dirs()),
                language: Mutex::new(Language::En),
                opened,
                state: Mutex::new(State::default()),
            }),
            timeout: NOTIFY_TIMEOUT,
            worker: Worker::new("doorpost-notify"),
        }
    }

    /// Replaces the 3 s bound on `show()`.
    pub fn with_timeout(mut self, timeout: Duration) -> DesktopNotifier {
        self.timeout = timeout;
        self
    }
}

impl Notifier for DesktopNotifier {
    /// Whether unlock toasts play a sound from here on (off until the settings say so).
    fn set_sound(&self, on: bool) {
        self.shared.sound.store(on, Ordering::Relaxed);
    }

    /// The language of the actions' labels from here on.
    fn set_language(&self, language: Language) {
        *self
            .shared
            .language
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = language;
    }

    fn show(&self, toast: &Toast) -> Result<(), NotifyError> {
        let shared = self.shared.clone();
        let timeout = self.timeout;
        let kind = Kind::of(toast);
        // Names are the server's: a toast shows a few lines, never a megabyte.
        let title = text::cut(toast.title(), text::NOTIFICATION_TITLE_CHARS);
        let body = text::cut(toast.body(), text::NOTIFICATION_BODY_CHARS);
        let target = Target::of(toast);
        match self.worker.run(timeout, move || {
            shared.deliver(kind, &title, &body, target, timeout)
        }) {
            Ok(result) => result,
            Err(WorkerError::TimedOut | WorkerError::Stuck) => Err(NotifyError::Timeout),
            Err(WorkerError::Gone(why)) => Err(NotifyError::Failed(why)),
        }
    }
}

impl Shared {
    /// Runs on the notifier's thread.
    fn deliver(
        self: &Arc<Self>,
        kind: Kind,
        title: &str,
        body: &str,
        target: Target,
        timeout: Duration,
    ) -> Result<(), NotifyError> {
        let markup = self.prepare(timeout)?;
        let body = if markup {
            escape_markup(body)
        } else {
            body.to_string()
        };
        let mut notification = notify_rust::Notification::new();
        notification
            .appname(APP_NAME)
            .summary(title)
            .body(&body)
            .icon(&self.icon);
        let sound = self
            .sound
            .load(Ordering::Relaxed)
            .then_some(self.unlock_sound);
        for hint in hints(&self.desktop_entry, kind, sound) {
            notification.hint(hint);
        }
        let language = *self.language.lock().unwrap_or_else(|p| p.into_inner());
        for (key, label) in target.actions(CAPABILITIES, language) {
            notification.action(key, label);
        }
        let handle = notification
            .show()
            .map_err(|e| NotifyError::Failed(e.to_string()))?;
        self.track(handle.id(), target, handle);
        Ok(())
    }

    /// Makes sure a service is there and the listener runs; says whether to escape.
    fn prepare(self: &Arc<Self>, timeout: Duration) -> Result<bool, NotifyError> {
        let bus = self.connection(timeout)?;
        let checked = zbus::block_on(async {
            if !service_present(&bus).await? {
                return Ok(None);
            }
            if self.lock().owner.is_none() {
                self.learn_owner(&bus).await;
            }
            let cached = self.lock().markup;
            let markup = match cached {
                Some(markup) => markup,
                None => match capabilities(&bus).await {
                    Ok(caps) => {
                        let markup = caps.iter().any(|c| c == "body-markup");
                        self.lock().markup = Some(markup);
                        markup
                    }
                    // Unsure: escape, and ask again next time.
                    Err(_) => true,
                },
            };
            Ok::<_, zbus::Error>(Some(markup))
        });
        match checked {
            Ok(Some(markup)) => Ok(markup),
            Ok(None) => Err(NotifyError::NoService),
            Err(e) => {
                // The connection may be broken: start afresh next time.
                self.forget_connection(&bus);
                Err(bus_error(e))
            }
        }
    }

    /// The notifier's connection, starting it and its listener thread when there is none.
    fn connection(self: &Arc<Self>, timeout: Duration) -> Result<zbus::Connection, NotifyError> {
        if let Some(bus) = self.lock().bus.clone() {
            return Ok(bus);
        }
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let shared = self.clone();
        thread::Builder::new()
            .name("doorpost-notify-actions".to_string())
            .spawn(move || zbus::block_on(shared.listen(timeout, ready_tx)))
            .map_err(|e| NotifyError::Failed(format!("could not start a thread: {e}")))?;
        match ready_rx.recv_timeout(timeout) {
            Ok(Ok(bus)) => {
                self.lock().bus = Some(bus.clone());
                Ok(bus)
            }
            // No session bus, or none that answers: nobody can show a toast.
            Ok(Err(_)) => Err(NotifyError::NoService),
            Err(_) => Err(NotifyError::Timeout),
        }
    }

    /// The listener thread: connects, subscribes, reports ready, then handles signals
    /// until the connection ends.
    async fn listen(
        self: Arc<Self>,
        timeout: Duration,
        ready: mpsc::SyncSender<Result<zbus::Connection, zbus::Error>>,
    ) {
        let setup = async {
            let bus = zbus::connection::Builder::session()?
                .method_timeout(timeout)
                .build()
                .await?;
            let rule = zbus::MatchRule::builder()
                .msg_type(MessageType::Signal)
                .interface(SERVICE)?
                .path(SERVICE_PATH)?
                .build();
            let signals = zbus::MessageStream::for_match_rule(rule, &bus, Some(64)).await?;
            // Subscribed before asking, so an owner change in between is not missed.
            let owner_rule = zbus::MatchRule::builder()
                .msg_type(MessageType::Signal)
                .sender(BUS)?
                .interface(BUS)?
                .member("NameOwnerChanged")?
                .add_arg(SERVICE)?
                .build();
            let owners = zbus::MessageStream::for_match_rule(owner_rule, &bus, Some(16)).await?;
            self.learn_owner(&bus).await;
            // Owner changes first when both are ready: a new owner's clicks follow its
            // `NameOwnerChanged` on this connection.
            let stream = futures_lite::stream::or(owners, signals);
            Ok::<_, zbus::Error>((bus, stream))
        };
        let (bus, mut stream) = match setup.await {
            Ok(pair) => pair,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        if ready.send(Ok(bus.clone())).is_err() {
            return; // The caller gave up waiting.
        }
        while let Some(message) = stream.next().await {
            if let Ok(message) = message {
                self.on_signal(&message);
            }
        }
        self.forget_connection(&bus);
    }

    /// Asks the bus who owns [`SERVICE`] now (nobody, when the call fails).
    async fn learn_owner(&self, bus: &zbus::Connection) {
        let owner: Option<String> = bus_call(bus, "GetNameOwner", &(SERVICE,)).await.ok();
        let mut state = self.lock();
        if state.owner.is_none() {
            state.owner = owner;
        }
    }

    fn on_signal(&self, message: &zbus::Message) {
        let header = message.header();
        let sender = header.sender().map(|s| s.as_str());
        let interface = header.interface().map(|i| i.as_str());
        let member = header.member().map(|m| m.as_str());
        if interface == Some(BUS) {
            if sender == Some(BUS)
                && member == Some("NameOwnerChanged")
                && let Ok((name, old, new)) =
                    message.body().deserialize::<(String, String, String)>()
            {
                self.owner_changed(&name, &old, &new);
            }
            return;
        }
        let owner = self.lock().owner.clone();
        if sender.is_none() || sender != owner.as_deref() {
            tracing::debug!(
                ?member,
                ?sender,
                ?owner,
                "notifications: ignored a signal not sent by the notification server"
            );
            return;
        }
        match member {
            Some("ActionInvoked") => {
                if let Ok((id, action)) = message.body().deserialize::<(u32, String)>() {
                    self.on_action(id, action);
                }
            }
            Some("NotificationClosed") => {
                if let Ok((id, _reason)) = message.body().deserialize::<(u32, u32)>() {
                    let mut state = self.lock();
                    state.shown.retain(|s| s.id != id);
                    state.early.retain(|(early, _)| *early != id);
                }
            }
            _ => {}
        }
    }

    /// `SERVICE` changed hands: clicks count only from the new owner, and what the old
    /// one showed or said (its ids, its markup) is forgotten once it had an owner at all.
    fn owner_changed(&self, name: &str, old: &str, new: &str) {
        if name != SERVICE {
            return;
        }
        let mut state = self.lock();
        state.owner = (!new.is_empty()).then(|| new.to_string());
        if !old.is_empty() {
            state.shown.clear();
            state.early.clear();
            state.markup = None;
        }
    }

    /// An action from the notification server (the sender is checked by the caller).
    fn on_action(&self, id: u32, action: String) {
        let mut state = self.lock();
        match state.shown.iter().position(|s| s.id == id) {
            Some(pos) => {
                let shown = state.shown.remove(pos);
                drop(state);
                if let Some(shown) = shown {
                    self.activated(shown.target, &action);
                }
            }
            None => {
                state.early.push_back((id, action));
                while state.early.len() > MAX_EARLY {
                    state.early.pop_front();
                }
            }
        }
    }

    fn activated(&self, target: Target, action: &str) {
        if let Some(chosen) = target.chosen(action) {
            // The app may have stopped listening (quitting): nothing to do then.
            let _ = self.opened.send(chosen);
        }
    }

    fn track(&self, id: u32, target: Target, handle: notify_rust::NotificationHandle) {
        let mut state = self.lock();
        if let Some(pos) = state.early.iter().position(|(early, _)| *early == id) {
            let action = state.early.remove(pos).map(|(_, a)| a).unwrap_or_default();
            drop(state);
            self.activated(target, &action);
            return;
        }
        state.shown.push_back(Shown {
            id,
            target,
            _handle: handle,
        });
        while state.shown.len() > MAX_TRACKED {
            state.shown.pop_front();
        }
    }

    fn forget_connection(&self, bus: &zbus::Connection) {
        let mut state = self.lock();
        if state
            .bus
            .as_ref()
            .is_some_and(|b| b.unique_name() == bus.unique_name())
        {
            state.bus = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What kind of news a toast is, for its category, urgency and sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unlock,
    Burst,
    CatchUp,
    /// Doorpost cannot check a place: stays until dismissed.
    Alert,
}

impl Kind {
    fn of(toast: &Toast) -> Kind {
        match toast {
            Toast::Single { .. } => Kind::Unlock,
            Toast::Summary {
                reason: SummaryReason::Burst,
                ..
            } => Kind::Burst,
            Toast::Summary {
                reason: SummaryReason::CatchUp | SummaryReason::Quiet,
                ..
            } => Kind::CatchUp,
            Toast::Alert { .. } => Kind::Alert,
        }
    }
}

/// The hints of one toast. The categories are vendor ones (`x-doorpost.*`), as the spec
/// asks when none of its own fits; news from while Doorpost was away is not urgent.
fn hints(desktop_entry: &str, kind: Kind, sound: Option<&str>) -> Vec<Hint> {
    let (category, urgency) = match kind {
        Kind::Unlock => ("x-doorpost.unlock", Urgency::Normal),
        Kind::Burst => ("x-doorpost.summary", Urgency::Normal),
        Kind::CatchUp => ("x-doorpost.summary", Urgency::Low),
        Kind::Alert => ("x-doorpost.cant-check", Urgency::Critical),
    };
    let mut hints = vec![
        Hint::DesktopEntry(desktop_entry.to_string()),
        Hint::Category(category.to_string()),
        Hint::Urgency(urgency),
    ];
    if let (Kind::Unlock, Some(sound)) = (kind, sound) {
        hints.push(Hint::SoundName(sound.to_string()));
    }
    hints
}

const DOOR_BELL: &str = "door-bell";
/// In the freedesktop sound theme, which every theme falls back to.
const FALLBACK_SOUND: &str = "message-new-instant";

/// `door-bell` when an installed sound theme has it (`<dir>/sounds/<theme>/<profile>/
/// door-bell.*`), else [`FALLBACK_SOUND`]: a name no theme has would play nothing.
fn unlock_sound(dirs: &[std::path::PathBuf]) -> &'static str {
    let entries = |dir: &Path| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
    };
    let has_bell = dirs
        .iter()
        .flat_map(|d| entries(&d.join("sounds")))
        .flat_map(|theme| entries(&theme))
        .flat_map(|profile| entries(&profile))
        .any(|f| f.file_stem().is_some_and(|s| s == DOOR_BELL));
    if has_bell { DOOR_BELL } else { FALLBACK_SOUND }
}

/// `$XDG_DATA_HOME` and `$XDG_DATA_DIRS` (with the spec's defaults), where sound themes live.
fn sound_dirs() -> Vec<std::path::PathBuf> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let home = var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| format!("{h}/.local/share")));
    let system = var("XDG_DATA_DIRS").unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    home.into_iter()
        .chain(system.split(':').map(str::to_string))
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .collect()
}

/// Owned now, or activatable on demand (minimal desktops start dunst or xfce4-notifyd on
/// the first `Notify`).
async fn service_present(bus: &zbus::Connection) -> zbus::Result<bool> {
    let owned: bool = bus_call(bus, "NameHasOwner", &(SERVICE,)).await?;
    if owned {
        return Ok(true);
    }
    let activatable: Vec<String> = bus_call(bus, "ListActivatableNames", &()).await?;
    Ok(activatable.iter().any(|n| n == SERVICE))
}

async fn bus_call<B, R>(bus: &zbus::Connection, method: &str, body: &B) -> zbus::Result<R>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
    R: for<'d> serde::Deserialize<'d> + zbus::zvariant::Type,
{
    bus.call_method(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        Some("org.freedesktop.DBus"),
        method,
        body,
    )
    .await?
    .body()
    .deserialize()
}

async fn capabilities(bus: &zbus::Connection) -> zbus::Result<Vec<String>> {
    bus.call_method(
        Some(SERVICE),
        SERVICE_PATH,
        Some(SERVICE),
        "GetCapabilities",
        &(),
    )
    .await?
    .body()
    .deserialize()
}

fn bus_error(e: zbus::Error) -> NotifyError {
    match &e {
        zbus::Error::InputOutput(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            NotifyError::Timeout
        }
        _ => NotifyError::Failed(e.to_string()),
    }
}

/// Escapes what a markup-rendering server would interpret. Quotes need no escaping outside
/// tags, and servers differ on entities beyond these three.
fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// What notification service this session has, within [`NOTIFY_TIMEOUT`]; unavailable
/// when there is none, no session bus, or no answer in time.
pub fn probe() -> NotificationServiceInfo {
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name("doorpost-notify-probe".to_string())
        .spawn(move || {
            let _ = tx.send(zbus::block_on(probe_bus(NOTIFY_TIMEOUT)));
        });
    if spawned.is_err() {
        return NotificationServiceInfo::default();
    }
    match rx.recv_timeout(NOTIFY_TIMEOUT) {
        Ok(Ok(info)) => info,
        _ => NotificationServiceInfo::default(),
    }
}

async fn probe_bus(timeout: Duration) -> zbus::Result<NotificationServiceInfo> {
    let bus = zbus::connection::Builder::session()?
        .method_timeout(timeout)
        .build()
        .await?;
    if !service_present(&bus).await? {
        return Ok(NotificationServiceInfo::default());
    }
    let (name, vendor, version, _spec): (String, String, String, String) = bus
        .call_method(
            Some(SERVICE),
            SERVICE_PATH,
            Some(SERVICE),
            "GetServerInformation",
            &(),
        )
        .await?
        .body()
        .deserialize()?;
    Ok(NotificationServiceInfo {
        available: true,
        name,
        vendor,
        version,
        capabilities: capabilities(&bus).await?,
    })
}

/// Whether some process owns `name` on the session bus (e.g. a tray host's
/// `org.kde.StatusNotifierWatcher`), within [`NOTIFY_TIMEOUT`]; `false` without a bus.
pub fn session_name_has_owner(name: &str) -> bool {
    let (tx, rx) = mpsc::sync_channel(1);
    let name = name.to_string();
    let spawned = thread::Builder::new()
        .name("doorpost-bus-probe".to_string())
        .spawn(move || {
            let owned = zbus::block_on(async {
                let bus = zbus::connection::Builder::session()?
                    .method_timeout(NOTIFY_TIMEOUT)
                    .build()
                    .await?;
                bus_call::<_, bool>(&bus, "NameHasOwner", &(name.as_str(),)).await
            });
            let _ = tx.send(owned.unwrap_or(false));
        });
    spawned.is_ok() && rx.recv_timeout(NOTIFY_TIMEOUT).unwrap_or(false)
}

/// Whether a StatusNotifierItem host (the tray) is running on the session bus.
pub fn tray_host_running() -> Option<bool> {
    Some(session_name_has_owner("org.kde.StatusNotifierWatcher"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_but_quotes_are_kept() {
        assert_eq!(
            escape_markup(r#"<b>x</b> & <a href="y">"#),
            r#"&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href="y"&gt;"#
        );
        assert_eq!(escape_markup("Front door"), "Front door");
    }

    #[test]
    fn every_toast_names_its_desktop_entry_and_only_unlocks_ring_when_asked() {
        let unlock = hints("co.doorpost.app", Kind::Unlock, Some("door-bell"));
        assert_eq!(
            unlock,
            [
                Hint::DesktopEntry("co.doorpost.app".into()),
                Hint::Category("x-doorpost.unlock".into()),
                Hint::Urgency(Urgency::Normal),
                Hint::SoundName("door-bell".into()),
            ]
        );
        let quiet = hints("co.doorpost.app", Kind::Unlock, None);
        assert!(!quiet.iter().any(|h| matches!(h, Hint::SoundName(_))));
        for kind in [Kind::Burst, Kind::CatchUp] {
            let summary = hints("co.doorpost.app", kind, Some("door-bell"));
            assert!(summary.contains(&Hint::DesktopEntry("co.doorpost.app".into())));
            assert!(summary.contains(&Hint::Category("x-doorpost.summary".into())));
            assert!(
                !summary.iter().any(|h| matches!(h, Hint::SoundName(_))),
                "a summary never rings: its unlocks have toasts of their own"
            );
        }
        assert!(
            hints("x", Kind::CatchUp, None).contains(&Hint::Urgency(Urgency::Low)),
            "news from while Doorpost was away is not urgent"
        );
    }

    #[test]
    fn the_door_bell_plays_only_where_a_sound_theme_has_it() {
        let dir = tempfile::tempdir().unwrap();
        let (without, with) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(without.join("sounds/freedesktop/stereo")).unwrap();
        std::fs::write(
            without.join("sounds/freedesktop/stereo/message-new-instant.oga"),
            b"",
        )
        .unwrap();
        assert_eq!(unlock_sound(std::slice::from_ref(&without)), FALLBACK_SOUND);
        std::fs::create_dir_all(with.join("sounds/chimes/stereo")).unwrap();
        std::fs::write(with.join("sounds/chimes/stereo/door-bell.oga"), b"").unwrap();
        assert_eq!(unlock_sound(&[without, with]), DOOR_BELL);
        assert_eq!(unlock_sound(&[dir.path().join("missing")]), FALLBACK_SOUND);
    }
}
