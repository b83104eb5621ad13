//! Where toasts go: the [`Notifier`] seam.
//!
//! The driver hands every planned [`Toast`] to a `Notifier` *after* marking its events
//! `notified` in SQLite, so a crash can lose a toast but never repeat one. The desktop
//! shell supplies the OS implementation (notify-rust); the engine ships the ones tests and
//! the headless example use. A trait because tests supply other implementations.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use doorpost_core::ipc::StaffRef;
use doorpost_core::policy::Toast;
use doorpost_core::settings::Language;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("no notification service is running on this desktop")]
    NoService,
    #[error("the notification service did not answer in time")]
    Timeout,
    #[error("could not show the notification: {0}")]
    Failed(String),
}

/// What the user chose on a toast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToastAction {
    /// Clicked it: show this event in the window.
    Open(String),
    /// "Mute this door for 1 hour".
    MuteDoor(String),
    /// Clicked a "Doorpost can't check" notice: show Settings, where the cause is fixed.
    OpenSettings,
    /// "This is staff": this person's unlocks are never a guest's arrival, at any place.
    MarkStaff(StaffRef),
}

pub trait Notifier: Send + Sync + 'static {
    fn show(&self, toast: &Toast) -> Result<(), NotifyError>;
    /// The language of the texts the notifier adds itself (action labels).
    fn set_language(&self, _language: Language) {}
    /// Whether unlock toasts play a sound.
    fn set_sound(&self, _on: bool) {}
}

/// Shows nothing (notifications handled elsewhere, or off).
pub struct SilentNotifier;

impl Notifier for SilentNotifier {
    fn show(&self, _: &Toast) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// Appends each toast as one JSON line to a file: what the headless example and the
/// crash tests count.
pub struct JsonlNotifier {
    path: PathBuf,
    lock: Mutex<()>,
}

impl JsonlNotifier {
    pub fn new(path: PathBuf) -> JsonlNotifier {
        JsonlNotifier {
            path,
            lock: Mutex::new(()),
        }
    }
}

impl Notifier for JsonlNotifier {
    fn show(&self, toast: &Toast) -> Result<(), NotifyError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let line = serde_json::json!({
            "title": toast.title(),
            "body": toast.body(),
            "summary": matches!(toast, Toast::Summary { .. }),
            "alert": matches!(toast, Toast::Alert { .. }),
            "eventIds": toast.event_ids(),
        });
        let mut f = crate::private_files::append_private(&self.path)
            .map_err(|e| NotifyError::Failed(e.to_string()))?;
        writeln!(f, "{line}").map_err(|e| NotifyError::Failed(e.to_string()))?;
        f.sync_data()
            .map_err(|e| NotifyError::Failed(e.to_string()))
    }
}
