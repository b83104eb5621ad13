//! Doorpost's stays (issue 16), the part that decides: booking calendars in, verdicts out.
//!
//! [`feed`] reads one host's iCal export (Airbnb, Booking.com, VRBO, a property-management
//! system) into [`feed::Stay`]s and merges several feeds of one place, so the same stay in
//! two feeds counts once. Matching unlocks to stays comes next.
//!
//! Sans-IO like `doorpost-core`: no HTTP, no files, no keychain, no clock (`now` is passed
//! in), and no dependency on tauri, tokio, reqwest or rusqlite. Time zones are IANA zones
//! from `chrono-tz`, so DST is handled.
//!
//! Wired into the app: not yet. Fetching feeds, keeping the last good calendar, storing the
//! feed URLs in the keychain, the settings keys, the CLI (`doorpost feeds`, `stays`,
//! `staff`), the toasts, the tray and History marks are all still to come.

pub mod feed;

pub use feed::{EntryKind, FeedError, FeedOptions, Stay, StayTime, merge_feeds, parse_feed};
