//! Toasts whose answer comes back on notify-rust's handle (Windows' toast activation,
//! macOS' user notifications): title and body, a click that opens the unlock (or Settings),
//! and on a single unlock's toast a "Mute this door for 1 hour" button, in the language set
//! with [`DesktopNotifier::set_language`]. What they offer and what an answer means is
//! [`super::actions`]'s, as on Linux.
//!
//! Each toast shown with actions has a thread of its own waiting for its answer
//! (`wait_for_response` blocks until the toast is clicked, dismissed or expires; on macOS it
//! is the call that sends the toast, and the answer arrives through the main run loop,
//! which Tauri's event loop runs). At most [`MAX_WAITING`] wait at once: a toast beyond
//! them is shown plain, so toasts the user never touches cannot pile up threads.
//!
//! Like the freedesktop notifier, `show()` never hangs: it runs on the notifier's own thread
//! and is given up after [`NOTIFY_TIMEOUT`]. Names need no escaping: neither system renders
//! markup in a toast. Type-checked in CI, never run there.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doorpost_core::policy::Toast;
use doorpost_core::settings::Language;
use doorpost_core::text;

use super::NotificationServiceInfo;
use super::actions::{self, Capabilities, Target};
use crate::keychain::{Worker, WorkerError};
use crate::notifier::{Notifier, NotifyError, ToastAction};

/// How long `show()` may take before it gives up.
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(3);

/// Toasts whose answer is awaited at once; later ones are shown without actions.
const MAX_WAITING: usize = 32;

/// A click on the toast is always reported; every action offered is a button.
const CAPABILITIES: Capabilities = Capabilities {
    click_is_offered: false,
};

const APP_NAME: &str = "Doorpost";

pub struct DesktopNotifier {
    shared: Arc<Shared>,
    timeout: Duration,
    worker: Worker,
}

struct Shared {
    /// The app's id, which Windows needs to say whose toast it is.
    app_id: String,
    language: Mutex<Language>,
    opened: Sender<ToastAction>,
    /// Threads waiting for an answer.
    waiting: AtomicUsize,
}

impl DesktopNotifier {
    /// The same arguments as on Linux. `desktop_entry` is the app's id (Tauri's Windows
    /// installer gives the Start-menu shortcut that id, which is what a toast names); the
    /// icon is the system's business (both take the app's own).
    pub fn new(desktop_entry: &str, _icon: &Path, opened: Sender<ToastAction>) -> Self {
        DesktopNotifier {
            shared: Arc::new(Shared {
                app_id: desktop_entry.to_string(),
                language: Mutex::new(Language::En),
                opened,
                waiting: AtomicUsize::new(0),
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
    fn set_language(&self, language: Language) {
        *self
            .shared
            .language
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = language;
    }

    fn show(&self, toast: &Toast) -> Result<(), NotifyError> {
        // Names are the server's: a toast shows a few lines, never a megabyte.
        let title = text::cut(toast.title(), text::NOTIFICATION_TITLE_CHARS);
        let body = text::cut(toast.body(), text::NOTIFICATION_BODY_CHARS);
        let target = Target::of(toast);
        let shared = self.shared.clone();
        let shown = self
            .worker
            .run(self.timeout, move || shared.deliver(&title, &body, target));
        match shown {
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
        title: &str,
        body: &str,
        target: Target,
    ) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification.appname(APP_NAME).summary(title).body(body);
        name_the_app(&mut notification, &self.app_id);
        let waiter = self.waiter();
        if waiter.is_some() {
            let language = *self.language.lock().unwrap_or_else(|p| p.into_inner());
            for (key, label) in target.actions(CAPABILITIES, language) {
                notification.action(key, label);
            }
        }
        let handle = notification
            .show()
            .map_err(|e| NotifyError::Failed(e.to_string()))?;
        if let Some(waiter) = waiter {
            let shared = self.clone();
            let spawned = std::thread::Builder::new()
                .name("doorpost-toast-answer".to_string())
                .spawn(move || {
                    let _waiter = waiter;
                    let answered =
                        handle.wait_for_response(|r: &notify_rust::NotificationResponse| {
                            let chosen =
                                actions::response_key(r).and_then(|key| target.chosen(key));
                            if let Some(chosen) = chosen {
                                // The app may have stopped listening (quitting): nothing to do.
                                let _ = shared.opened.send(chosen);
                            }
                        });
                    if let Err(e) = answered {
                        tracing::warn!("a toast's answer was lost: {e}");
                    }
                });
            // Without a thread the handle is dropped, which still shows the toast.
            if let Err(e) = spawned {
                tracing::warn!("no thread to wait for a toast's answer: {e}");
            }
        }
        Ok(())
    }

    /// A place among the [`MAX_WAITING`] waiting threads, given back when dropped.
    fn waiter(self: &Arc<Self>) -> Option<Waiter> {
        let taken = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_WAITING).then_some(n + 1)
            });
        taken.is_ok().then(|| Waiter(self.clone()))
    }
}

struct Waiter(Arc<Shared>);

impl Drop for Waiter {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Windows shows a toast as coming from the app whose Start-menu shortcut carries its id;
/// a debug build has no such shortcut, and its toasts keep notify-rust's stand-in (they
/// would not show at all under an id nothing carries).
#[cfg(windows)]
fn name_the_app(notification: &mut notify_rust::Notification, app_id: &str) {
    if !cfg!(debug_assertions) {
        notification.app_id(app_id);
    }
}

/// macOS names the toast after the running app's bundle.
#[cfg(not(windows))]
fn name_the_app(_: &mut notify_rust::Notification, _: &str) {}

/// The system's notifications cannot be asked about here: reported as there, unchecked.
pub fn probe() -> NotificationServiceInfo {
    NotificationServiceInfo {
        available: true,
        name: "the system's notifications".into(),
        vendor: String::new(),
        version: "(not checked on this system)".into(),
        capabilities: Vec::new(),
    }
}

/// The tray is the system's own here (the notification area, the menu bar): nothing to ask.
pub fn tray_host_running() -> Option<bool> {
    None
}
