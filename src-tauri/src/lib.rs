//! Doorpost's desktop shell: the only crate that knows Tauri exists.
//!
//! It wires the engine's hub ([`doorpost_engine::hub::Hub`]: every place's engine, the
//! demo, the reads) to a tray, a window and OS services: the keychain for tokens,
//! notify-rust for toasts, a control socket for the command line. Commands are one-line
//! adapters ([`commands`]); the tray renders the core's menu model ([`tray_menu`]) and runs
//! the item chosen ([`tray`]); everything that decides lives in `doorpost-core`.
//!
//! This file only wires the modules together: [`app`] prepares, builds and runs the tray
//! app; [`window`] shows the window and quits; [`app_env`] is what the app and the command
//! line ([`cli`], [`doctor`]) both start from. No module calls back into this one.
//!
//! Lifecycle: one instance per user (a second launch focuses the first). Closing the
//! window destroys the webview and ends WebKit's web process, and hands the heap's free
//! pages back ([`desktop_integration`]); WebKit's network process stays for the next
//! window, with the WebKit library pages the app touched (README, "Benchmarks"), and
//! Doorpost stays in the tray. Quit stops the engines cleanly, then exits.

mod app;
mod app_env;
mod autostart;
mod cli;
mod cli_staff;
mod cli_stays;
mod commands;
mod control;
mod control_channel;
mod desktop_integration;
mod doctor;
mod env_token;
mod export;
#[cfg(target_os = "linux")]
mod heap;
mod instance;
mod paths;
mod tray;
mod tray_menu;
mod window;

use std::process::ExitCode;

pub use doorpost_core::commands::{CHANGED_EVENT, OPEN_EVENT, OPEN_SETTINGS_EVENT};

pub fn main() -> ExitCode {
    // Tokens and guests' data: never in a core dump (nor readable by ptrace).
    let _ = doorpost_engine::process::forbid_core_dumps();
    // Guests' data: whatever this process (and WebKit's) creates is the user's alone.
    doorpost_engine::private_files::restrict_new_files();
    cli::main()
}
