//! Staff (issue 16): people whose unlocks are never an arrival, at every place. Kept in the
//! session's store; a change refetches the history (its rows say who is staff), and the
//! driver reads the staff again at its next check.

use doorpost_core::i18n::Msg;
use doorpost_core::ipc::{AppError, ChangedEvent, ErrorCode, StaffRef};
use doorpost_core::settings::{FieldError, Problem};

use super::{Hub, internal};
use crate::http::wall_now;
use crate::store::{MAX_STAFF_CHARS, Store, normal_staff};

impl Hub {
    /// Everyone marked staff.
    pub async fn staff(&self) -> Result<Vec<StaffRef>, AppError> {
        self.read(|store, _, _| store.staff().map_err(internal))
            .await
    }

    /// Marks a person staff (marking them twice is fine).
    pub async fn add_staff(&self, person: StaffRef) -> Result<(), AppError> {
        let person = self.staff_ref(&person).await?;
        self.write_staff(|store| store.add_staff(&person, wall_now()))
            .await
    }

    /// No longer staff (someone never marked is fine too).
    pub async fn remove_staff(&self, person: StaffRef) -> Result<(), AppError> {
        let person = self.staff_ref(&person).await?;
        self.write_staff(|store| store.remove_staff(&person)).await
    }

    /// `person` as stored, or why it cannot be.
    async fn staff_ref(&self, person: &StaffRef) -> Result<StaffRef, AppError> {
        if let Some(person) = normal_staff(person) {
            return Ok(person);
        }
        let lang = self.language().await;
        let max = MAX_STAFF_CHARS.to_string();
        let mut e = self.error(
            lang,
            ErrorCode::InvalidSettings,
            Msg::StaffInvalid,
            &[("max", &max)],
        );
        e.fields.push(FieldError {
            field: "value".into(),
            problem: Problem::NameLength {
                max: MAX_STAFF_CHARS as u32,
            },
            message: e.message.clone(),
        });
        Err(e)
    }

    async fn write_staff(
        &self,
        f: impl FnOnce(&mut Store) -> crate::store::Result<bool>,
    ) -> Result<(), AppError> {
        let changed = {
            let state = self.state.lock().await;
            let reader = state
                .reader
                .clone()
                .ok_or_else(|| AppError::new(ErrorCode::NotConfigured, "Doorpost is starting."))?;
            drop(state);
            let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store).map_err(internal)?
        };
        if changed {
            self.changed(ChangedEvent {
                history: true,
                ..ChangedEvent::nothing()
            });
        }
        Ok(())
    }
}
