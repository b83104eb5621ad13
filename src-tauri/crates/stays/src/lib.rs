//! Doorpost's stays (issue 16), the part that decides: booking calendars in, verdicts out.
//!
//! [`feed`] reads one host's iCal export (Airbnb, Booking.com, VRBO, a property-management
//! system) into [`feed::Stay`]s and merges several feeds of one place, so the same stay in
//! two feeds counts once. [`matching`] takes a place's stays, its rules (check-in and
//! check-out times, no-show deadline, buffer, time zone) and the staff, and tells for each
//! unlock whether it is a stay's arrival, a guest's later unlock, staff, or an unlock while
//! vacant; at a stay's deadline it says no-show once, and once more "found after all" if a
//! late upload shows the guest had come.
//!
//! Sans-IO like `doorpost-core`: no HTTP, no files, no keychain, no clock (`now` is passed
//! in), and no dependency on tauri, tokio, reqwest or rusqlite. Time zones are IANA zones
//! from `chrono-tz`, so DST is handled.
//!
//! Wired into the app: not yet. Fetching feeds, keeping the last good calendar, storing the
//! feed URLs in the keychain, the settings keys, the CLI (`doorpost feeds`, `stays`,
//! `staff`), the toasts, the tray and History marks are all still to come.

pub mod feed;
pub mod matching;

pub use feed::{EntryKind, FeedError, FeedOptions, Stay, StayTime, merge_feeds, parse_feed};
pub use matching::{NoShow, PlaceRules, Staff, StayMemory, Unlock, Verdict, Watch, check_in_out};
