//! Booking feeds and the stays read from them (issue 16): what the window's Bookings
//! section and `doorpost feeds|stays` ask of the hub.
//!
//! SCAFFOLD: the contract is declared (`doorpost_core::commands`); the implementation is
//! being written. Every method answers "not yet" until then.

use doorpost_core::ipc::{AppError, ErrorCode, FeedView, NewFeed, StayView, StaysQuery};

use super::Hub;

fn not_yet() -> AppError {
    AppError::new(ErrorCode::Internal, "Bookings are not ready yet.")
}

impl Hub {
    pub async fn feeds(&self) -> Result<Vec<FeedView>, AppError> {
        Err(not_yet())
    }

    pub async fn add_feed(&self, _feed: NewFeed) -> Result<FeedView, AppError> {
        Err(not_yet())
    }

    pub async fn check_feed(&self, _place_id: &str, _label: &str) -> Result<FeedView, AppError> {
        Err(not_yet())
    }

    pub async fn remove_feed(&self, _place_id: &str, _label: &str) -> Result<(), AppError> {
        Err(not_yet())
    }

    pub async fn stays(&self, _query: StaysQuery) -> Result<Vec<StayView>, AppError> {
        Err(not_yet())
    }
}
