//! Where Doorpost keeps its files.
//!
//! `DOORPOST_DATA_DIR`, else the system's per-user data folder with `<identifier>` in it
//! (what Tauri's `app_data_dir` would say): `$XDG_DATA_HOME` on Linux, `~/Library/
//! Application Support` on macOS, `%APPDATA%` on Windows (private to the user by default),
//! computed without Tauri so the command-line tools need no display. The demo lives in
//! `demo/` inside it, so demo data never mixes with a real history. This module is the
//! seam for where things live on each system; nothing else builds these paths.

use std::path::PathBuf;

/// Doorpost on the desktop: the installed desktop entry (`co.doorpost.app.desktop`) and
/// icon, the window's `WM_CLASS` and app id, and the `desktop-entry` hint of every toast.
/// The same in every build: a build run from a checkout is the same app to the desktop
/// (only the package installs the entry).
pub const APP_ID: &str = "co.doorpost.app";

/// Debug builds get their own identifier, so their data, keychain entry and autostart
/// entry never touch a real install's.
pub const IDENTIFIER: &str = if cfg!(debug_assertions) {
    "co.doorpost.app.dev"
} else {
    "co.doorpost.app"
};

pub fn data_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("DOORPOST_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    user_data_dir().join(IDENTIFIER)
}

fn var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

#[cfg(all(unix, not(target_os = "macos")))]
fn user_data_dir() -> PathBuf {
    var("XDG_DATA_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(target_os = "macos")]
fn user_data_dir() -> PathBuf {
    var("HOME")
        .map(|h| h.join("Library/Application Support"))
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(windows)]
fn user_data_dir() -> PathBuf {
    var("APPDATA").unwrap_or_else(|| PathBuf::from("."))
}

pub fn account_dir() -> PathBuf {
    data_root()
}

pub fn demo_dir() -> PathBuf {
    data_root().join("demo")
}

/// The running instance's control socket (`doorpost refresh` talks to it): in the user's
/// runtime directory (`$XDG_RUNTIME_DIR`, private to the user and cleared at logout), in a
/// folder of Doorpost's own; in the data directory where there is no runtime directory.
#[cfg(unix)]
pub fn control_socket() -> PathBuf {
    match var("XDG_RUNTIME_DIR") {
        Some(run) => run.join(IDENTIFIER).join("control.sock"),
        None => data_root().join("control.sock"),
    }
}

/// The running instance's control pipe: one name per user (the pipe namespace is the
/// machine's), which only that user can open.
#[cfg(windows)]
pub fn control_socket() -> PathBuf {
    let user = std::env::var("USERNAME").unwrap_or_default();
    PathBuf::from(format!(r"\\.\pipe\{IDENTIFIER}-{user}-control"))
}
