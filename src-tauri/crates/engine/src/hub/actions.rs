//! What the window, the tray and the command line ask of the running places: check now,
//! pause notifications, mute a door, and a sample notification. Each writes through the
//! session's store and signals the change.

use std::sync::Arc;

use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{AppError, ChangedEvent, ErrorCode, MuteRequest, PauseRequest};
use doorpost_core::policy::Toast;
use doorpost_core::poller::RefreshRefused;
use doorpost_core::settings::Language;
use doorpost_core::time::Millis;
use doorpost_core::tray::UNTIL_TOMORROW;

use super::{Hub, internal, read_settings};
use crate::driver::EngineHandle;
use crate::http::wall_now;
use crate::store::Store;

impl Hub {
    /// Checks every place now. Fine when at least one starts; else why none did.
    pub async fn refresh_now(self: &Arc<Self>) -> Result<(), AppError> {
        // "Unlock the keychain, then choose Check now": a place waiting for its token
        // tries again first. The booking feeds are fetched again too.
        self.retry_blocked(false).await;
        self.wake_feeds().await;
        let state = self.state.lock().await;
        let lang = self.locale_for(&read_settings(&state)).lang;
        let engines: Vec<&EngineHandle> = state
            .places
            .iter()
            .filter_map(|p| p.engine.as_ref())
            .collect();
        if engines.is_empty() {
            return Err(self.error(lang, ErrorCode::NotConfigured, Msg::NotConfigured, &[]));
        }
        let mut refused = None;
        let mut started = false;
        for engine in engines {
            match engine.refresh_now().await {
                Ok(()) => started = true,
                Err(r) => refused = Some(r),
            }
        }
        match (started, refused) {
            (true, _) | (false, None) => Ok(()),
            (false, Some(r)) => Err(self.refused(lang, r)),
        }
    }

    fn refused(&self, lang: Language, r: RefreshRefused) -> AppError {
        match r {
            RefreshRefused::Busy => {
                self.error(lang, ErrorCode::RateLimited, Msg::CheckRunning, &[])
            }
            RefreshRefused::TooSoon { wait_ms } => {
                let secs = ((wait_ms + 999) / 1000).to_string();
                self.error(
                    lang,
                    ErrorCode::RateLimited,
                    Msg::TryAgainIn,
                    &[("secs", &secs)],
                )
            }
            RefreshRefused::AuthRejected => {
                self.error(lang, ErrorCode::AuthRejected, Msg::TokenRejected, &[])
            }
        }
    }

    /// Pauses notifications (`None`: resumes). Checking goes on; see the module docs.
    pub async fn pause(&self, request: Option<PauseRequest>) -> Result<(), AppError> {
        let now = wall_now();
        let locale = self.locale_for(&self.settings().await);
        let until = match request {
            None => None,
            Some(PauseRequest::OneHour) => Some(Some(now.plus(Millis::HOUR))),
            Some(PauseRequest::UntilTomorrow) => {
                Some(Some(locale.next_clock_time(now, UNTIL_TOMORROW)))
            }
            Some(PauseRequest::Indefinitely) => Some(None),
        };
        self.write(move |store| match until {
            Some(until) => store.set_pause(until),
            None => store.clear_pause(),
        })
        .await?;
        self.changed(ChangedEvent::overview());
        Ok(())
    }

    /// Mutes a door for an hour or until 07:00, or unmutes it. "Until tomorrow" ends when a
    /// pause until tomorrow does (`UNTIL_TOMORROW`), which is what the window and the
    /// tray say for both.
    pub async fn mute_door(&self, door_id: &str, request: MuteRequest) -> Result<(), AppError> {
        // `*` meant "every door" (notifications paused) before the pause had a row of its
        // own (migration 006); a door a server names so is still refused, so that no mute
        // of it can read as a pause in an older Doorpost.
        if door_id == "*" {
            return Err(AppError::new(
                ErrorCode::InvalidSettings,
                "There is no such door.".to_string(),
            ));
        }
        let locale = self.locale_for(&self.settings().await);
        let now = wall_now();
        let door = door_id.to_string();
        self.write(move |store| match request {
            MuteRequest::OneHour => store.set_mute(&door, Some(now.plus(Millis::HOUR))),
            MuteRequest::UntilTomorrow => {
                store.set_mute(&door, Some(locale.next_clock_time(now, UNTIL_TOMORROW)))
            }
            MuteRequest::Unmute => store.clear_mute(&door),
        })
        .await?;
        self.changed(ChangedEvent {
            doors: true,
            ..ChangedEvent::nothing()
        });
        Ok(())
    }

    /// Runs a write on the session's store.
    async fn write<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, crate::store::StoreError>,
    ) -> Result<T, AppError> {
        let state = self.state.lock().await;
        let reader = state
            .reader
            .clone()
            .ok_or_else(|| internal("Doorpost is starting."))?;
        drop(state);
        let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store).map_err(internal)
    }

    /// Shows a sample notification, as an unlock's would look.
    pub async fn test_notification(&self) -> Result<(), AppError> {
        let lang = self.language().await;
        let toast = Toast::Single {
            event_id: "doorpost-test".into(),
            door_id: None,
            staff: None,
            title: i18n::t(lang, Msg::TestToastTitle, &[]),
            body: i18n::t(lang, Msg::TestToastBody, &[]),
        };
        let notifier = Arc::clone(&self.opts.notifier);
        tokio::task::spawn_blocking(move || notifier.show(&toast))
            .await
            .map_err(internal)?
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
    }
}
