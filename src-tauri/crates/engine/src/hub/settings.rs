//! The settings: read from the session's store, validated and saved all or nothing, and
//! applied to the running engines and the notifier; and reloaded when the command line
//! changed them (a new or removed place restarts the session).

use std::sync::Arc;

use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{AppError, ChangedEvent, ErrorCode, Mode};
use doorpost_core::settings::{Invalid, Language, Settings, SettingsPatch};

use super::{Hub, State, internal, read_settings};

/// Settings refused, each field with its reason, in `lang`.
pub(super) fn invalid(lang: Language, fields: &[Invalid]) -> AppError {
    AppError {
        code: ErrorCode::InvalidSettings,
        message: i18n::t(lang, Msg::SettingsInvalid, &[]),
        fields: fields.iter().map(|f| f.to_field_error(lang)).collect(),
    }
}

impl Hub {
    /// The settings of the session shown (defaults before one starts).
    pub async fn settings(&self) -> Settings {
        let state = self.state.lock().await;
        read_settings(&state)
    }

    /// Validates a settings change, stores it (all or nothing) and applies it everywhere.
    pub async fn save_settings(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        let mut state = self.state.lock().await;
        let current = read_settings(&state);
        let lang = self.locale_for(&current).lang;
        let autostart = patch.autostart;
        let next = current.apply(patch).map_err(|f| invalid(lang, &f))?;
        if let (Some(on), Some(entry)) = (autostart, &self.opts.autostart)
            && on != entry.is_on().unwrap_or(current.autostart)
        {
            entry.set(on).map_err(internal)?;
        }
        if let Some(reader) = &state.reader {
            let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
            store.save_settings(&next).map_err(internal)?;
        }
        self.apply(&mut state, &next).await?;
        drop(state);
        // The allowed offset decides which rows are "late": the history shows it.
        self.changed(ChangedEvent {
            history: true,
            ..ChangedEvent::overview()
        });
        Ok(next)
    }

    /// The stored setting made to follow the autostart entry, which the user may have
    /// added or removed outside Doorpost; the settings as they are then.
    pub(super) fn follow_autostart(&self, state: &State) -> Settings {
        let mut settings = read_settings(state);
        let entry = self.opts.autostart.as_ref().and_then(|a| a.is_on());
        if let (Some(on), Some(reader)) = (entry, &state.reader)
            && on != settings.autostart
        {
            settings.autostart = on;
            let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = store.save_settings(&settings) {
                tracing::warn!("could not store that starting at login is {on}: {e}");
            }
        }
        settings
    }

    /// The settings the running engines use (`None` before a session starts).
    pub async fn applied_settings(&self) -> Option<Settings> {
        self.state.lock().await.applied.clone()
    }

    /// Applies stored settings to the running engines and the notifier.
    async fn apply(&self, state: &mut State, settings: &Settings) -> Result<(), AppError> {
        let locale = self.locale_for(settings);
        self.opts.notifier.set_sound(settings.sound);
        self.opts.notifier.set_language(locale.lang);
        let several = state.places.len() > 1;
        let demo = state.mode == Some(Mode::Demo);
        for p in &state.places {
            let Some(engine) = &p.engine else { continue };
            engine
                .apply_settings(settings.clone())
                .await
                .map_err(|m| AppError::new(ErrorCode::InvalidSettings, m))?;
            let label = if demo {
                Some(i18n::t(locale.lang, Msg::Demo, &[]))
            } else {
                several.then(|| p.row.name.clone())
            };
            engine
                .set_place(self.place_context(&p.row, label, settings))
                .await;
        }
        state.applied = Some(settings.clone());
        Ok(())
    }

    /// Reads the settings and places again (the command line changed them) and applies
    /// them: a new or removed place restarts the session, anything else applies in place.
    pub async fn reload(self: &Arc<Self>) -> Result<(), AppError> {
        let state = self.state.lock().await;
        let Some(reader) = state.reader.clone() else {
            return Ok(());
        };
        let (settings, rows) = {
            let store = reader.lock().unwrap_or_else(|p| p.into_inner());
            (
                store.load_settings().map_err(internal)?,
                store.places().map_err(internal)?,
            )
        };
        let same_places = state.mode != Some(Mode::Demo)
            && rows.len() == state.places.len()
            && rows
                .iter()
                .zip(&state.places)
                .all(|(r, p)| r.id == p.row.id && r.api_url == p.row.api_url);
        if !same_places {
            let mode = state.mode.unwrap_or(Mode::Account);
            drop(state);
            return self.switch(mode).await;
        }
        drop(state);
        let mut state = self.state.lock().await;
        for (p, row) in state.places.iter_mut().zip(rows) {
            p.row = row;
        }
        self.apply(&mut state, &settings).await?;
        drop(state);
        // Names of places, settings, anything the command line changed.
        self.changed(ChangedEvent::everything(0));
        Ok(())
    }
}
