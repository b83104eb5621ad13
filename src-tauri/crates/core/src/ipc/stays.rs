//! Stays (issue 16) as they cross IPC: booking feeds, the stays read from them, staff, and
//! the mark each unlock gets.
//!
//! A feed's link is a secret (anyone holding it reads the calendar): it only ever travels
//! from the window into the keychain ([`SecretFeedUrl`] has no `Serialize`), and no answer
//! carries it back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::SecretToken;

/// What a feed's entries are where its source cannot tell them apart (Booking.com marks
/// bookings and blocked nights alike "CLOSED - Not available").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum FeedEntries {
    #[default]
    Bookings,
    Blocks,
}

/// Why the last fetch of a feed failed; the window and the CLI word it from the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum FeedProblem {
    /// Could not connect, or the connection broke.
    Network,
    /// No answer within the time allowed.
    Timeout,
    /// A web page (a login page, say), not a calendar.
    Html,
    /// 401 or 403: the link is no longer valid.
    Unauthorized,
    /// 404 or 410: the calendar is gone.
    NotFound,
    /// Another unexpected HTTP status (see `httpStatus`).
    Status,
    /// Larger than Doorpost reads.
    TooLarge,
    /// An answer with no calendar in it.
    NotCalendar,
    /// A calendar that could not be read.
    Malformed,
    /// Only `https://` links (plain `http://` to this computer, for tests).
    Insecure,
}

/// One booking feed of a place, without its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FeedView {
    pub place_id: String,
    /// The host's name for it ("Airbnb"); unique within the place.
    pub label: String,
    pub entries: FeedEntries,
    /// Its blocked nights count as vacant.
    pub blocks_vacant: bool,
    /// The last fetch, good or not.
    #[ts(type = "number | null")]
    pub fetched_at: Option<i64>,
    /// The last good calendar (a 304 counts).
    #[ts(type = "number | null")]
    pub ok_at: Option<i64>,
    /// Stays and blocks in the last good calendar.
    pub stays_found: u32,
    /// Why the last fetch failed; `None` when it worked.
    pub problem: Option<FeedProblem>,
    /// With [`FeedProblem::Status`]: the status the feed answered.
    pub http_status: Option<u16>,
    /// The last good calendar is more than a day old.
    pub stale: bool,
}

/// A feed's link as the window sends it: received, never sent back (no `Serialize`), its
/// `Debug` redacted. TypeScript sees a plain `string`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretFeedUrl(SecretToken);

impl SecretFeedUrl {
    pub fn new(url: impl Into<String>) -> SecretFeedUrl {
        SecretFeedUrl(SecretToken::new(url))
    }

    /// The link's text, for fetching it and handing it to the keychain: nowhere else.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl std::fmt::Debug for SecretFeedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretFeedUrl(<redacted>)")
    }
}

impl TS for SecretFeedUrl {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(cfg: &ts_rs::Config) -> String {
        <SecretToken as TS>::name(cfg)
    }

    fn inline(cfg: &ts_rs::Config) -> String {
        <SecretToken as TS>::inline(cfg)
    }
}

/// Adding a feed: fetched and read before anything is stored; the link then goes to the
/// keychain only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewFeed {
    pub place_id: String,
    pub label: String,
    pub url: SecretFeedUrl,
    pub entries: FeedEntries,
    pub blocks_vacant: bool,
}

/// Which stays to list: a place's or every place's, those not yet ended and those ended
/// since `from` (default: the last 7 days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(default, rename_all = "camelCase")]
#[ts(export, optional_fields)]
pub struct StaysQuery {
    pub place_id: Option<String>,
    #[ts(type = "number", optional)]
    pub from: Option<i64>,
}

/// One stay (or blocked period) at a place, as its feeds list it and as Doorpost saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StayView {
    /// Doorpost's own id for the stay (History filters by it).
    #[ts(type = "number")]
    pub id: i64,
    pub place_id: String,
    pub place_name: String,
    /// Check-in and check-out, with the place's times for an all-day entry.
    #[ts(type = "number")]
    pub check_in: i64,
    #[ts(type = "number")]
    pub check_out: i64,
    /// A blocked period, not a booking.
    pub blocked: bool,
    /// The labels of the feeds that list it.
    pub sources: Vec<String>,
    pub summary: String,
    pub guest_name: Option<String>,
    pub reservation_code: Option<String>,
    pub phone_last4: Option<String>,
    #[ts(type = "number | null")]
    pub arrived_at: Option<i64>,
    /// The arrival was found after the no-show alert (the lock reported it late).
    pub arrived_late: bool,
    /// The deadline passed with no arrival known.
    pub no_show: bool,
    /// No longer listed by its feeds before it began (cancelled).
    pub cancelled: bool,
}

/// How a person is recognised as staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StaffKind {
    /// The name as Parakey shows it (case and spaces aside).
    Name,
    /// Parakey's user id.
    User,
    /// An access's id, where Parakey names no user.
    Access,
}

/// A person marked staff (at every place).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaffRef {
    pub kind: StaffKind,
    pub value: String,
}

/// What an unlock was, given the place's stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MarkKind {
    /// A stay's first unlock by someone who is not staff.
    Arrival,
    /// An arrival found after the no-show alert.
    FoundAfterAll,
    /// A guest's later unlock during the stay.
    Guest,
    /// During a blocked period (not vacant: it may hold a guest booked elsewhere).
    Blocked,
    Staff,
    /// No stay covered the moment.
    Vacant,
}

/// An unlock's mark in History and exports: what it was, and the stay it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StayMark {
    pub kind: MarkKind,
    #[ts(type = "number | null")]
    pub stay_id: Option<i64>,
    #[ts(type = "number | null")]
    pub check_in: Option<i64>,
    #[ts(type = "number | null")]
    pub check_out: Option<i64>,
}
