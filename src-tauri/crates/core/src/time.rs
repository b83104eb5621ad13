//! Points in time, in milliseconds, on two clocks that never mix.
//!
//! [`Millis`] is a wall-clock instant, UTC milliseconds since the Unix epoch: Parakey's
//! `createdAt` and `timestamp`, the server's `Date` header, this computer's wall clock,
//! everything stored or shown. [`Mono`] is the driver's monotonic `now`, milliseconds since
//! an arbitrary origin that keeps counting through suspend: deadlines, retries, the pace of
//! requests. Only differences of two `Mono`s mean anything, so a `Mono` is never stored
//! and never shown; the poller turns one into the other only through the pair of clocks
//! the driver last observed. Millisecond integers stay below 2^53, so they cross into
//! JavaScript unchanged.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};

mod clock;

pub use clock::ClockTime;

/// A wall-clock instant: milliseconds since the Unix epoch, UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    pub const SECOND: i64 = 1_000;
    pub const MINUTE: i64 = 60_000;
    pub const HOUR: i64 = 3_600_000;
    pub const DAY: i64 = 86_400_000;

    pub fn from_secs(s: i64) -> Millis {
        Millis(s.saturating_mul(1_000))
    }
    pub fn from_mins(m: i64) -> Millis {
        Millis(m.saturating_mul(Self::MINUTE))
    }
    pub fn plus(self, ms: i64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }
    pub fn minus(self, ms: i64) -> Millis {
        Millis(self.0.saturating_sub(ms))
    }
    /// `self - earlier` in milliseconds.
    pub fn since(self, earlier: Millis) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Parses an ISO-8601 / RFC 3339 instant: with or without fractional seconds, with `Z`
    /// or any numeric offset. A missing offset is read as UTC, which is what Parakey's
    /// examples mean.
    pub fn parse_rfc3339(s: &str) -> Option<Millis> {
        let s = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Millis(dt.timestamp_millis()));
        }
        // Lenient forms seen in the wild: a space instead of `T`, no offset at all.
        let t = s.replacen(' ', "T", 1);
        if let Ok(dt) = DateTime::parse_from_rfc3339(&t) {
            return Some(Millis(dt.timestamp_millis()));
        }
        chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|n| Millis(Utc.from_utc_datetime(&n).timestamp_millis()))
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-05-02T08:03:40.512Z`: the form sent
    /// to Parakey in `startDate`/`endDate`.
    pub fn to_rfc3339(self) -> String {
        match Utc.timestamp_millis_opt(self.0).single() {
            Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
            None => String::from("invalid-time"),
        }
    }

    /// `HH:MM` at the given UTC offset (seconds east), for notification text.
    pub fn clock_time(self, utc_offset_secs: i32) -> String {
        let shifted = self.0 + i64::from(utc_offset_secs) * 1_000;
        match Utc.timestamp_millis_opt(shifted).single() {
            Some(dt) => dt.format("%H:%M").to_string(),
            None => String::from("--:--"),
        }
    }
}

/// The driver's monotonic clock: milliseconds since an arbitrary origin (boot, on Linux),
/// counting through suspend and deaf to steps of the wall clock. Only differences mean
/// anything; see the module docs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Mono(pub i64);

impl Mono {
    pub fn plus(self, ms: i64) -> Mono {
        Mono(self.0.saturating_add(ms))
    }
    pub fn minus(self, ms: i64) -> Mono {
        Mono(self.0.saturating_sub(ms))
    }
    /// `self - earlier` in milliseconds.
    pub fn since(self, earlier: Mono) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_fraction_and_any_offset() {
        let z = Millis::parse_rfc3339("2026-05-02T08:03:40.512Z").unwrap();
        assert_eq!(z.to_rfc3339(), "2026-05-02T08:03:40.512Z");
        assert_eq!(
            Millis::parse_rfc3339("2026-05-02T08:03:40Z").unwrap(),
            z.minus(512)
        );
        assert_eq!(
            Millis::parse_rfc3339("2026-05-02T10:03:40.512+02:00").unwrap(),
            z
        );
        assert_eq!(
            Millis::parse_rfc3339("2026-05-02T08:03:40.512123456Z").unwrap(),
            z
        );
        assert_eq!(Millis::parse_rfc3339("2026-05-02T08:03:40.512").unwrap(), z);
        assert_eq!(
            Millis::parse_rfc3339("2026-05-02 08:03:40.512Z").unwrap(),
            z
        );
        assert_eq!(Millis::parse_rfc3339("yesterday"), None);
        assert_eq!(Millis::parse_rfc3339(""), None);
    }

    #[test]
    fn clock_time_applies_offset() {
        let t = Millis::parse_rfc3339("2026-05-02T08:03:40Z").unwrap();
        assert_eq!(t.clock_time(0), "08:03");
        assert_eq!(t.clock_time(2 * 3600), "10:03");
    }
}
