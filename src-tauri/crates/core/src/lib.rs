//! Doorpost's sans-IO core.
//!
//! Everything Doorpost *decides* lives here: how a Parakey event log is read
//! ([`event`]), when to ask Parakey for what and what to keep ([`poller`]), which
//! unlocks deserve a toast ([`policy`]) and which settings are valid ([`settings`]).
//!
//! The crate never performs I/O and never reads the clock: time (`now`) and
//! randomness (a seed) are passed in, so the tests drive days of polling in
//! milliseconds. It must not depend on tokio, reqwest, rusqlite, keyring,
//! notify-rust or tauri; `chrono` is used without its `clock` feature so that
//! `Utc::now()` does not even compile here.

pub mod changes;
pub mod commands;
pub mod config;
pub mod duplicates;
pub mod event;
pub mod i18n;
pub mod ipc;
pub mod outage;
pub mod policy;
pub mod poller;
pub mod rng;
pub mod settings;
pub mod text;
pub mod time;
pub mod tray;

pub use event::{Door, EventLog, Person};
pub use time::Millis;
