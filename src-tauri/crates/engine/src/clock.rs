//! The engine's clock for deadlines: elapsed time that keeps counting while the machine is
//! suspended and ignores steps of the wall clock.
//!
//! The usual monotonic clock (`Instant`) stops during suspend, so a `Retry-After` of an
//! hour would still be an hour away after a night asleep; the wall clock can be stepped by
//! NTP or the user, which would fire or hold back every deadline at once. So:
//! `CLOCK_BOOTTIME` on Linux, `CLOCK_MONOTONIC` on macOS (Darwin's counts through sleep,
//! unlike `CLOCK_UPTIME_RAW`, which `Instant` reads there), the interrupt time on Windows
//! (`QueryInterruptTime`); elsewhere `Instant`, counted from the first call.
//!
//! [`suspended`] tells the driver that the machine slept (so that an outage from before the
//! sleep gets its grace again): the clock above less one that stops while asleep
//! (`CLOCK_MONOTONIC` on Linux, `Instant` on macOS, `QueryUnbiasedInterruptTime` on
//! Windows). Elsewhere it is not known, and a failure from before a sleep is told on waking.
//!
//! [`DriverClock`] is what the driver reads and waits on: these clocks and tokio's timer,
//! or (with the `testing` feature) a virtual clock that a harness moves
//! ([`crate::virtual_time`]), so that the real driver loop runs hours in seconds.

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
use std::sync::OnceLock;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
use std::time::Instant;

use std::time::Duration;

use doorpost_core::time::{Millis, Mono};

/// The driver's clocks, chosen when it starts: its monotonic `now`, the wall clock, the
/// time suspended, and a wait.
pub enum DriverClock {
    /// [`elapsed`], [`suspended`], the system's wall clock and tokio's timer.
    System,
    /// Virtual time that moves only when a test harness moves it.
    #[cfg(feature = "testing")]
    Virtual(crate::virtual_time::VirtualClock),
}

impl DriverClock {
    pub fn now(&self) -> Mono {
        match self {
            DriverClock::System => elapsed(),
            #[cfg(feature = "testing")]
            DriverClock::Virtual(v) => v.now(),
        }
    }

    pub fn wall(&self) -> Millis {
        match self {
            DriverClock::System => crate::http::wall_now(),
            #[cfg(feature = "testing")]
            DriverClock::Virtual(v) => v.wall(),
        }
    }

    /// See [`suspended`]; virtual time never sleeps.
    pub fn suspended(&self) -> Option<Mono> {
        match self {
            DriverClock::System => suspended(),
            #[cfg(feature = "testing")]
            DriverClock::Virtual(_) => None,
        }
    }

    /// Waits `wait` on this clock.
    pub async fn sleep(&self, wait: Duration) {
        match self {
            DriverClock::System => tokio::time::sleep(wait).await,
            #[cfg(feature = "testing")]
            DriverClock::Virtual(v) => v.sleep(wait).await,
        }
    }
}

/// The driver's [`Mono`] clock: milliseconds since an arbitrary origin (boot, on Linux and
/// Windows); only differences mean anything.
pub fn elapsed() -> Mono {
    #[cfg(target_os = "linux")]
    {
        Mono(ms(rustix::time::clock_gettime(
            rustix::time::ClockId::Boottime,
        )))
    }
    #[cfg(target_os = "macos")]
    {
        Mono(ms(rustix::time::clock_gettime(
            rustix::time::ClockId::Monotonic,
        )))
    }
    #[cfg(windows)]
    {
        Mono(windows::interrupt_time_ms())
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        let origin = ORIGIN.get_or_init(Instant::now);
        Mono(i64::try_from(origin.elapsed().as_millis()).unwrap_or(i64::MAX))
    }
}

/// How long the machine has been suspended (since boot, or since the first call on macOS),
/// where the system says; only differences mean anything.
pub fn suspended() -> Option<Mono> {
    #[cfg(target_os = "linux")]
    {
        use rustix::time::{ClockId, clock_gettime};
        let monotonic = ms(clock_gettime(ClockId::Monotonic));
        let boot = ms(clock_gettime(ClockId::Boottime));
        Some(Mono(boot.saturating_sub(monotonic)))
    }
    #[cfg(target_os = "macos")]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        // `Instant` reads CLOCK_UPTIME_RAW here, which stops while asleep: from one origin,
        // the two clocks part by the time slept.
        static ORIGIN: OnceLock<(Mono, Instant)> = OnceLock::new();
        let (counted, awake) = ORIGIN.get_or_init(|| (elapsed(), Instant::now()));
        let awake = i64::try_from(awake.elapsed().as_millis()).unwrap_or(i64::MAX);
        Some(Mono(elapsed().since(*counted).saturating_sub(awake)))
    }
    #[cfg(windows)]
    {
        Some(Mono(
            windows::interrupt_time_ms().saturating_sub(windows::unbiased_interrupt_time_ms()),
        ))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    {
        None
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
fn ms(t: rustix::time::Timespec) -> i64 {
    t.tv_sec
        .saturating_mul(1_000)
        .saturating_add(t.tv_nsec / 1_000_000)
}

/// The interrupt time, in 100-nanosecond units since boot: biased (counting sleep) and
/// unbiased (not counting it).
#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use windows_sys::Win32::System::WindowsProgramming::{
        QueryInterruptTime, QueryUnbiasedInterruptTime,
    };

    pub fn interrupt_time_ms() -> i64 {
        let mut t: u64 = 0;
        // SAFETY: writes one u64 through a valid pointer; cannot fail (Windows 10 and later).
        unsafe { QueryInterruptTime(&mut t) };
        i64::try_from(t / 10_000).unwrap_or(i64::MAX)
    }

    pub fn unbiased_interrupt_time_ms() -> i64 {
        let mut t: u64 = 0;
        // SAFETY: writes one u64 through a valid pointer; it fails only for a null one.
        unsafe { QueryUnbiasedInterruptTime(&mut t) };
        i64::try_from(t / 10_000).unwrap_or(i64::MAX)
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
