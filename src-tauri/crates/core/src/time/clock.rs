//! [`ClockTime`]: a time of day to the minute, `HH:MM` wherever it is written down.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

/// A time of day, to the minute (00:00–23:59). It crosses IPC and sits in the database as
/// `HH:MM`; a text that is not one never becomes a `ClockTime`, so nothing downstream parses
/// again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(export, type = "string")]
pub struct ClockTime(u16);

impl ClockTime {
    /// `hour:minute`; `None` past 23:59.
    pub const fn at(hour: u16, minute: u16) -> Option<ClockTime> {
        if hour < 24 && minute < 60 {
            Some(ClockTime(hour * 60 + minute))
        } else {
            None
        }
    }

    /// `hour:minute` for a constant: a time past 23:59 fails to compile.
    pub const fn of(hour: u16, minute: u16) -> ClockTime {
        match ClockTime::at(hour, minute) {
            Some(time) => time,
            None => panic!("not a time of day"),
        }
    }

    /// `HH:MM` or `H:MM` (surrounding space ignored), else `None`. A one-digit minute
    /// (`12:5`, 12:05) is read as earlier versions read and stored it.
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.trim().split_once(':')?;
        let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
            (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        ClockTime::at(digits(h, 1..=2)?, digits(m, 1..=2)?)
    }

    /// Minutes after midnight.
    pub const fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClockTime, D::Error> {
        let text = String::deserialize(d)?;
        ClockTime::parse(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &"a time as HH:MM")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_hh_mm() {
        assert_eq!(ClockTime::parse("04:00").map(ClockTime::minutes), Some(240));
        assert_eq!(
            ClockTime::parse(" 7:05 ").map(|c| c.to_string()),
            Some("07:05".into())
        );
        assert_eq!(
            ClockTime::parse("12:5").map(|c| c.to_string()),
            Some("12:05".into())
        );
        for bad in [
            "24:00", "12:60", "noon", "", "1200", "-1:00", "+1:00", "12:", "012:00",
        ] {
            assert_eq!(ClockTime::parse(bad), None, "{bad}");
        }
        let json = serde_json::to_string(&ClockTime::at(22, 0)).unwrap();
        assert_eq!(json, "\"22:00\"");
        assert_eq!(
            serde_json::from_str::<ClockTime>("\"7:30\"")
                .unwrap()
                .to_string(),
            "07:30"
        );
        assert!(serde_json::from_str::<ClockTime>("\"25:00\"").is_err());
    }
}
