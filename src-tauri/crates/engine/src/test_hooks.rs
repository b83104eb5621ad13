//! Hooks that let tests drive a real process, compiled in only with the `testing` feature.
//!
//! - `DOORPOST_FAILPOINT=<name>` stops the process at a named commit point of the driver
//!   (it prints `FAILPOINT <name>` to stderr and hangs) so the crash tests can kill it
//!   there: `fetched`, `in-transaction`, `committed`, `marked`, `shown`.
//! - `DOORPOST_TEST_INTERVAL_MS=<n>`: the app polls every `n` ms instead of every few
//!   minutes (the desktop and package tests); with it, `DOORPOST_TEST_CANT_CHECK_MS=<n>`
//!   tells the host a place cannot check after `n` ms of failing instead of 15 minutes.
//!
//! A release build (no `testing` feature) reads neither variable: both functions are
//! no-ops there, so no environment can stop the app or make it poll Parakey every
//! millisecond.

use doorpost_core::poller::PollerConfig;

/// Whether this build has the test hooks (the `testing` feature).
pub const ENABLED: bool = cfg!(feature = "testing");

/// Stops the process at a named point when `DOORPOST_FAILPOINT` names it.
#[cfg(feature = "testing")]
pub fn failpoint(name: &str) {
    use std::sync::OnceLock;
    static CHOSEN: OnceLock<Option<String>> = OnceLock::new();
    let chosen = CHOSEN.get_or_init(|| std::env::var("DOORPOST_FAILPOINT").ok());
    if chosen.as_deref() == Some(name) {
        eprintln!("FAILPOINT {name}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

#[cfg(not(feature = "testing"))]
#[inline(always)]
pub fn failpoint(_name: &str) {}

/// Quick timings from `DOORPOST_TEST_INTERVAL_MS`, in builds with the test hooks.
#[cfg(feature = "testing")]
pub fn test_interval() -> Option<PollerConfig> {
    let ms: i64 = std::env::var("DOORPOST_TEST_INTERVAL_MS")
        .ok()?
        .parse()
        .ok()?;
    let mut config = PollerConfig::quick(ms);
    if let Some(grace) = std::env::var("DOORPOST_TEST_CANT_CHECK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.cant_check_after = grace;
    }
    Some(config)
}

#[cfg(not(feature = "testing"))]
pub fn test_interval() -> Option<PollerConfig> {
    None
}
