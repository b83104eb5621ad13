//! Simulated booking feeds (issue 16): the iCal exports of Airbnb, Booking.com, VRBO and a
//! property-management system, written around a day so their stays are always current,
//! with a switch for every way a real feed misbehaves.
//!
//! The demo reads its feed in-process ([`crate::FakeControl::feed`]); the test server
//! serves every feed at `GET /feeds/{name}.ics` ([`FEED_PATH`]), with `ETag` and
//! `Last-Modified`, answering a conditional request whose validators match with 304.
//! Feeds never need a token: a feed's link is its own secret.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the test server serves feed `name`: `{FEED_PATH}{name}.ics`.
pub const FEED_PATH: &str = "/feeds/";

/// Whose export a feed imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FeedFormat {
    Airbnb,
    BookingCom,
    Vrbo,
    /// A property-management system (Smoobu): guest names, timed stays with a `TZID`.
    Pms,
    /// The demo's Airbnb calendar ([`demo_calendar`]).
    Demo,
}

/// How a feed answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FeedSwitch {
    /// Its calendar, 304 to a matching conditional request.
    #[default]
    Normal,
    /// Always its calendar, never 304 (a server that ignores validators).
    NoValidators,
    /// A login page (200, `text/html`).
    LoginPage,
    /// 401: the link was revoked.
    Unauthorized,
    /// 404: the calendar is gone.
    NotFound,
    /// 500.
    ServerError,
    /// A calendar with no stays in it.
    Empty,
    /// An answer of 6 MiB.
    Huge,
    /// Text that starts like a calendar and breaks.
    Malformed,
    /// `200` with a JSON error, not a calendar.
    NotCalendar,
    /// The first stay was cancelled (no longer listed).
    Cancelled,
    /// The first stay was extended by a night.
    Extended,
}

/// One simulated feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimFeed {
    pub format: FeedFormat,
    pub switch: FeedSwitch,
}

/// An answer: status, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedAnswer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// The feeds a fake serves, by name, and how many requests each had.
#[derive(Debug, Clone, Default)]
pub struct Feeds {
    feeds: BTreeMap<String, SimFeed>,
    pub requests: BTreeMap<String, u64>,
    pub not_modified: BTreeMap<String, u64>,
}

impl Feeds {
    pub fn set(&mut self, name: &str, feed: SimFeed) {
        self.feeds.insert(name.to_owned(), feed);
    }

    pub fn set_switch(&mut self, name: &str, switch: FeedSwitch) {
        if let Some(f) = self.feeds.get_mut(name) {
            f.switch = switch;
        }
    }

    /// The answer to `GET {FEED_PATH}{name}.ics` with the request's `If-None-Match` and
    /// `If-Modified-Since`, for stays around `today`.
    pub fn answer(
        &mut self,
        name: &str,
        if_none_match: Option<&str>,
        if_modified_since: Option<&str>,
        today: NaiveDate,
    ) -> FeedAnswer {
        *self.requests.entry(name.to_owned()).or_default() += 1;
        let Some(feed) = self.feeds.get(name).copied() else {
            return plain(404, "text/plain", b"no such feed".to_vec());
        };
        let body = match feed.switch {
            FeedSwitch::LoginPage => return plain(200, "text/html", LOGIN_PAGE.into()),
            FeedSwitch::Unauthorized => return plain(401, "text/plain", b"unauthorized".into()),
            FeedSwitch::NotFound => return plain(404, "text/html", b"<h1>Not found</h1>".into()),
            FeedSwitch::ServerError => return plain(500, "text/plain", b"oops".into()),
            FeedSwitch::Huge => return plain(200, "text/calendar", huge()),
            FeedSwitch::NotCalendar => {
                return plain(200, "application/json", br#"{"error":"none"}"#.into());
            }
            FeedSwitch::Malformed => {
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026\r\n"
                    .to_owned()
            }
            _ => calendar(feed, today),
        };
        let etag = format!("\"{}\"", short_hash(&body));
        let last_modified = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH
                + std::time::Duration::from_secs(
                    today
                        .and_hms_opt(0, 0, 0)
                        .map_or(0, |t| t.and_utc().timestamp().max(0) as u64),
                ),
        );
        let validators_apply = feed.switch != FeedSwitch::NoValidators;
        let matches = if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
            || (if_none_match.is_none() && if_modified_since == Some(last_modified.as_str()));
        let mut answer = plain(200, "text/calendar; charset=utf-8", body.into_bytes());
        if validators_apply {
            if matches {
                *self.not_modified.entry(name.to_owned()).or_default() += 1;
                answer = plain(304, "text/calendar; charset=utf-8", Vec::new());
            }
            answer.headers.push(("etag", etag));
            answer.headers.push(("last-modified", last_modified));
        }
        answer
    }
}

fn plain(status: u16, content_type: &str, body: Vec<u8>) -> FeedAnswer {
    FeedAnswer {
        status,
        headers: vec![("content-type", content_type.to_owned())],
        body,
    }
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Log in</title></head>\
<body><form action=\"/login\"><input name=\"email\"><input type=\"password\"></form></body></html>\n";

/// 6 MiB of events: more than a client should read.
fn huge() -> Vec<u8> {
    let mut body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n".to_vec();
    while body.len() < 6 * 1024 * 1024 {
        body.extend_from_slice(
            b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\n",
        );
    }
    body
}

fn day(today: NaiveDate, offset: i64) -> String {
    let d = if offset >= 0 {
        today.checked_add_days(Days::new(offset as u64))
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    d.unwrap_or(today).format("%Y%m%d").to_string()
}

/// One all-day event.
fn all_day(uid: &str, from: String, to: String, summary: &str, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{from}\r\nDTEND;VALUE=DATE:{to}\r\nUID:{uid}\r\n\
         {extra}SUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )
}

/// The feed's calendar: a stay arriving `today` (its first, which the switches cancel
/// or extend), a later one, and blocked nights, as the format writes them.
pub fn calendar(feed: SimFeed, today: NaiveDate) -> String {
    if feed.format == FeedFormat::Demo {
        return demo_calendar(today);
    }
    let d = |n| day(today, n);
    let first_end = if feed.switch == FeedSwitch::Extended {
        4
    } else {
        3
    };
    let with_first = feed.switch != FeedSwitch::Cancelled && feed.switch != FeedSwitch::Empty;
    let empty = feed.switch == FeedSwitch::Empty;
    let (prodid, events) = match feed.format {
        FeedFormat::Airbnb => {
            let code = "Reservation URL: https://www.airbnb.com/hosting/reservations/details/\
                        HMXK4T9Q2B\\nPhone Number (Last 4 Digits): 4821";
            let mut e = String::new();
            if with_first {
                let extra = format!("DESCRIPTION:{code}\r\n");
                e += &all_day("a1@airbnb.com", d(0), d(first_end), "Reserved", &extra);
            }
            if !empty {
                e += &all_day("a2@airbnb.com", d(5), d(8), "Reserved", "");
                e += &all_day("a3@airbnb.com", d(10), d(12), "Airbnb (Not available)", "");
            }
            ("-//Airbnb Inc//Hosting Calendar 0.8.8//EN", e)
        }
        FeedFormat::BookingCom => {
            let mut e = String::new();
            let closed = "CLOSED - Not available";
            if with_first {
                e += &all_day("b1@booking.com", d(0), d(first_end), closed, "");
            }
            if !empty {
                e += &all_day("b2@booking.com", d(14), d(16), closed, "");
            }
            ("-//admin.booking.com//h2ical//EN", e)
        }
        FeedFormat::Vrbo => {
            let mut e = String::new();
            if with_first {
                let s = "Reserved - Kari Nordmann";
                e += &all_day("v1-vrbo", d(0), d(first_end), s, "STATUS:CONFIRMED\r\n");
            }
            if !empty {
                let t = "STATUS:TENTATIVE\r\n";
                e += &all_day("v2-vrbo", d(20), d(22), "Tentative - Enquiry", t);
                e += &all_day("v3-vrbo", d(9), d(10), "Blocked", "STATUS:CONFIRMED\r\n");
            }
            ("-//HomeAway.com, Inc.//NONSGML HomeAway Calendar//EN", e)
        }
        FeedFormat::Pms | FeedFormat::Demo => {
            let mut e = String::new();
            let timed = |uid: &str, from: String, to: String, who: &str| {
                format!(
                    "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Europe/Oslo:{from}T160000\r\n\
                     DTEND;TZID=Europe/Oslo:{to}T100000\r\nSUMMARY:{who}\r\nEND:VEVENT\r\n"
                )
            };
            if with_first {
                e += &timed("smoobu-1", d(0), d(first_end), "Ann Berg");
            }
            if !empty {
                e += &timed("smoobu-2", d(6), d(9), "Jürgen Müller");
            }
            ("-//Smoobu//Smoobu Calendar 1.0//EN", e)
        }
    };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\nCALSCALE:GREGORIAN\r\n{events}END:VCALENDAR\r\n"
    )
}

/// The demo's feed: Harbour Loft's Airbnb calendar around `today` (the place's date): a
/// stay that ended this morning, one arriving today, blocked nights next week, and the
/// night before last vacant (the demo's history has an unlock then).
pub fn demo_calendar(today: NaiveDate) -> String {
    let d = |n| day(today, n);
    let code = "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/\
                details/HMDEMO4821\\nPhone Number (Last 4 Digits): 4821\r\n";
    let mut events = String::new();
    events += &all_day("demo-1@airbnb.com", d(-7), d(-2), "Reserved", "");
    events += &all_day("demo-2@airbnb.com", d(-1), d(0), "Reserved", "");
    events += &all_day("demo-3@airbnb.com", d(0), d(3), "Reserved", code);
    events += &all_day(
        "demo-4@airbnb.com",
        d(6),
        d(9),
        "Airbnb (Not available)",
        "",
    );
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Airbnb Inc//Hosting Calendar 0.8.8//EN\r\n\
         CALSCALE:GREGORIAN\r\n{events}END:VCALENDAR\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 12).unwrap()
    }

    #[test]
    fn a_feed_answers_304_to_its_own_etag_and_its_switches_otherwise() {
        let mut feeds = Feeds::default();
        let feed = SimFeed {
            format: FeedFormat::Airbnb,
            switch: FeedSwitch::Normal,
        };
        feeds.set("a", feed);
        let first = feeds.answer("a", None, None, today());
        assert_eq!(first.status, 200);
        let body = String::from_utf8(first.body).unwrap();
        assert!(body.contains("DTSTART;VALUE=DATE:20261212"), "{body}");
        let etag = first
            .headers
            .iter()
            .find(|h| h.0 == "etag")
            .unwrap()
            .1
            .clone();
        assert_eq!(feeds.answer("a", Some(&etag), None, today()).status, 304);
        feeds.set_switch("a", FeedSwitch::Extended);
        assert_eq!(feeds.answer("a", Some(&etag), None, today()).status, 200);
        feeds.set_switch("a", FeedSwitch::Unauthorized);
        assert_eq!(feeds.answer("a", None, None, today()).status, 401);
        feeds.set_switch("a", FeedSwitch::Huge);
        assert!(feeds.answer("a", None, None, today()).body.len() > 5 * 1024 * 1024);
        assert_eq!(feeds.answer("nope", None, None, today()).status, 404);
        assert_eq!(feeds.requests["a"], 5);
        assert_eq!(feeds.not_modified["a"], 1);
    }

    #[test]
    fn every_format_lists_a_stay_arriving_today_unless_cancelled() {
        for format in [
            FeedFormat::Airbnb,
            FeedFormat::BookingCom,
            FeedFormat::Vrbo,
            FeedFormat::Pms,
        ] {
            let normal = calendar(
                SimFeed {
                    format,
                    switch: FeedSwitch::Normal,
                },
                today(),
            );
            assert!(normal.contains("20261212"), "{format:?}: {normal}");
            let cancelled = calendar(
                SimFeed {
                    format,
                    switch: FeedSwitch::Cancelled,
                },
                today(),
            );
            assert!(!cancelled.contains(":20261212"), "{format:?}: {cancelled}");
        }
    }
}
