//! Staff (issue 16): people whose unlocks are never an arrival, at every place.
//!
//! SCAFFOLD: the contract is declared (`doorpost_core::commands`); the implementation is
//! being written. Every method answers "not yet" until then.

use doorpost_core::ipc::{AppError, ErrorCode, StaffRef};

use super::Hub;

fn not_yet() -> AppError {
    AppError::new(ErrorCode::Internal, "Staff are not ready yet.")
}

impl Hub {
    pub async fn staff(&self) -> Result<Vec<StaffRef>, AppError> {
        Err(not_yet())
    }

    pub async fn add_staff(&self, _person: StaffRef) -> Result<(), AppError> {
        Err(not_yet())
    }

    pub async fn remove_staff(&self, _person: StaffRef) -> Result<(), AppError> {
        Err(not_yet())
    }
}
