//! Toasts where there is no freedesktop notification server (Windows, macOS): notify-rust's
//! own toast, with the app's name, title and body, and nothing that comes back from it.
//!
//! Like the freedesktop notifier, `show()` never hangs: it runs on the notifier's own
//! thread and is given up after [`NOTIFY_TIMEOUT`]. Names need no escaping: neither system
//! renders markup in a toast.

use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::Duration;

use doorpost_core::policy::Toast;
use doorpost_core::text;

use crate::keychain::{Worker, WorkerError};
use crate::notifier::{Notifier, NotifyError, ToastAction};

/// How long `show()` may take before it gives up.
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(3);

const APP_NAME: &str = "Doorpost";

/// The notification service, as `doorpost doctor` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NotificationServiceInfo {
    pub available: bool,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub capabilities: Vec<String>,
}

pub struct DesktopNotifier {
    timeout: Duration,
    worker: Worker,
}

impl DesktopNotifier {
    /// The same arguments as on Linux. The desktop entry and icon are the freedesktop
    /// server's business (Windows and macOS take the app's own), and nothing is ever sent
    /// on `opened`: these toasts have no actions yet.
    pub fn new(_desktop_entry: &str, _icon: &Path, _opened: Sender<ToastAction>) -> Self {
        DesktopNotifier {
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
    fn show(&self, toast: &Toast) -> Result<(), NotifyError> {
        // Names are the server's: a toast shows a few lines, never a megabyte.
        let title = text::cut(toast.title(), text::NOTIFICATION_TITLE_CHARS);
        let body = text::cut(toast.body(), text::NOTIFICATION_BODY_CHARS);
        let shown = self.worker.run(self.timeout, move || {
            notify_rust::Notification::new()
                .appname(APP_NAME)
                .summary(&title)
                .body(&body)
                .show()
                .map(drop)
                .map_err(|e| NotifyError::Failed(e.to_string()))
        });
        match shown {
            Ok(result) => result,
            Err(WorkerError::TimedOut | WorkerError::Stuck) => Err(NotifyError::Timeout),
            Err(WorkerError::Gone(why)) => Err(NotifyError::Failed(why)),
        }
    }
}

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
