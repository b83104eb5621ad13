//! Toasts from the OS: [`DesktopNotifier`], the [`crate::notifier::Notifier`] the app shows
//! toasts with, and for `doorpost doctor` [`probe`] and `tray_host_running` (`None` where
//! the tray is the system's own: Windows' notification area, macOS' menu bar).
//!
//! The seam for notifications: one implementation per kind of notification system, chosen
//! here and nowhere else, each with the same interface.
//! - `freedesktop` (Linux and the other free Unixes): `org.freedesktop.Notifications` over
//!   D-Bus, with click-to-open and the "Mute this door for 1 hour" action, markup escaped
//!   where the server renders it.
//! - `plain` (Windows and macOS): the system's toast through notify-rust, title and body
//!   only. Windows' toast activation and macOS' notification responses are not wired up
//!   yet, so its toasts offer no actions and a click opens nothing.
//!   Type-checked in CI, never run there.

#[cfg(all(unix, not(target_os = "macos")))]
mod freedesktop;
#[cfg(all(unix, not(target_os = "macos")))]
pub use freedesktop::{
    DesktopNotifier, NOTIFY_TIMEOUT, NotificationServiceInfo, probe, session_name_has_owner,
    tray_host_running,
};

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod plain;
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub use plain::{
    DesktopNotifier, NOTIFY_TIMEOUT, NotificationServiceInfo, probe, tray_host_running,
};
