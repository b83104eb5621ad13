//! Doorpost's engine: all of its I/O.
//!
//! It owns the Parakey HTTP client ([`http`]), the SQLite history ([`store`]), the async
//! driver that feeds the sans-IO [`doorpost_core::poller::Poller`] ([`driver`]), the
//! notification seam ([`notifier`]), and the hub the shell drives ([`hub`]), which runs the
//! demo on the simulated Parakey ([`doorpost_sim`], reached through [`exchange`]). It knows
//! nothing of Tauri: the desktop shell in `src-tauri/src` wraps it.

pub mod budget;
pub mod clock;
pub mod desktop_notifier;
pub mod driver;
pub mod exchange;
pub mod feeds;
pub mod http;
pub mod hub;
pub mod keychain;
pub mod logging;
pub mod notifier;
pub mod private_files;
pub mod process;
mod simulator;
pub mod stay_rules;
pub mod stays_watch;
pub mod store;
pub mod test_hooks;
#[cfg(feature = "testing")]
pub mod virtual_time;
