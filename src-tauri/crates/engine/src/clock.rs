//! The engine's clock for deadlines: elapsed time that keeps counting while the machine is
//! suspended and ignores steps of the wall clock.
//!
//! On Linux this is `CLOCK_BOOTTIME`. The usual monotonic clock (`Instant`) stops during
//! suspend, so a `Retry-After` of an hour would still be an hour away after a night asleep;
//! the wall clock can be stepped by NTP or the user, which would fire or hold back every
//! deadline at once. Elsewhere it falls back to `Instant`, counted from the first call.
//!
//! [`suspended`] tells the driver that the machine slept (so that an outage from before the
//! sleep gets its grace again): on Linux, `CLOCK_BOOTTIME` less `CLOCK_MONOTONIC`.
//! Elsewhere it is not known yet, and a failure from before a sleep is told on waking.

#[cfg(not(target_os = "linux"))]
use std::sync::OnceLock;
#[cfg(not(target_os = "linux"))]
use std::time::Instant;

use doorpost_core::time::Millis;

/// Milliseconds since an arbitrary origin (boot, on Linux); only differences mean anything.
pub fn elapsed() -> Millis {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
        Millis(
            t.tv_sec
                .saturating_mul(1_000)
                .saturating_add(t.tv_nsec / 1_000_000),
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        let origin = ORIGIN.get_or_init(Instant::now);
        Millis(i64::try_from(origin.elapsed().as_millis()).unwrap_or(i64::MAX))
    }
}

/// How long the machine has been suspended since boot, where the system says; only
/// differences mean anything.
pub fn suspended() -> Option<Millis> {
    #[cfg(target_os = "linux")]
    {
        use rustix::time::{ClockId, clock_gettime};
        let ms = |t: rustix::time::Timespec| {
            t.tv_sec
                .saturating_mul(1_000)
                .saturating_add(t.tv_nsec / 1_000_000)
        };
        let monotonic = ms(clock_gettime(ClockId::Monotonic));
        let boot = ms(clock_gettime(ClockId::Boottime));
        Some(Millis(boot.saturating_sub(monotonic)))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn suspended_time_does_not_move_while_awake() {
        let a = suspended().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let b = suspended().unwrap();
        // Read a few microseconds apart, the two clocks can round to neighbouring ms.
        assert!((b.since(a)).abs() <= 2, "{a:?} then {b:?}");
    }

    #[test]
    fn elapsed_moves_forward_with_real_time() {
        let a = elapsed();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = elapsed();
        assert!(b.since(a) >= 19, "{} ms", b.since(a));
    }
}
