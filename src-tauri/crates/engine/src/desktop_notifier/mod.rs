//! Toasts from the OS: [`DesktopNotifier`], the [`crate::notifier::Notifier`] the app shows
//! toasts with, and for `doorpost doctor` [`probe`] and `tray_host_running` (`None` where
//! the tray is the system's own: Windows' notification area, macOS' menu bar).
//!
//! The seam for notifications: one implementation per kind of notification system, chosen
//! here and nowhere else, each with the same interface. What a toast offers (click to open,
//! "Mute this door for 1 hour") and what an answer means is [`actions`]', shared by all;
//! each implementation says what its system can do with actions ([`actions::Capabilities`]).
//! - `freedesktop` (Linux and the other free Unixes): `org.freedesktop.Notifications` over
//!   D-Bus, its action signals checked against the server that owns the name, markup
//!   escaped where the server renders it.
//! - `answered` (Windows and macOS): the system's toast through notify-rust, its answer
//!   awaited on notify-rust's handle (Windows' toast activation, macOS' user notification
//!   responses). Type-checked in CI, never run there.

mod actions;

/// The notification service, as `doorpost doctor` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NotificationServiceInfo {
    pub available: bool,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub capabilities: Vec<String>,
}

#[cfg(all(unix, not(target_os = "macos")))]
mod freedesktop;
#[cfg(all(unix, not(target_os = "macos")))]
pub use freedesktop::{
    DesktopNotifier, NOTIFY_TIMEOUT, probe, session_name_has_owner, tray_host_running,
};

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod answered;
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub use answered::{DesktopNotifier, NOTIFY_TIMEOUT, probe, tray_host_running};
