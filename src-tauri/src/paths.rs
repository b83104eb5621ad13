//! Where Doorpost keeps its files.
//!
//! `DOORPOST_DATA_DIR`, else `$XDG_DATA_HOME/<identifier>` (what Tauri's `app_data_dir`
//! would say), computed without Tauri so the command-line tools need no display. The demo
//! lives in `demo/` inside it, so demo data never mixes with a real history.

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
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join(IDENTIFIER)
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
pub fn control_socket() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(run) => PathBuf::from(run).join(IDENTIFIER).join("control.sock"),
        None => data_root().join("control.sock"),
    }
}
