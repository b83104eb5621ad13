//! Places whose token could not be read when they started (a locked keychain, no keychain
//! service yet after login): tried again every 5 minutes (a keychain may ask for its password each time) and on "Check now", started as soon
//! as the token can be read, and, after [`doorpost_core::outage::GRACE`] without it, the
//! host is told once per place by a "Doorpost can't check" notice (quiet hours hold it).

use std::sync::Arc;
use std::time::Duration;

use doorpost_core::outage::{Cause, GRACE, Notice};
use doorpost_core::policy::Toast;
use doorpost_core::time::Millis;

use super::{Hub, State, read_settings};
use crate::http::wall_now;

/// How often a place without its token tries the keychain again (each try may prompt).
const RETRY: Duration = Duration::from_secs(5 * 60);

/// Since when a place could not read its token, and whether the host was told.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Blocked {
    pub since: Option<Millis>,
    pub told: bool,
}

impl Hub {
    /// Starts the watcher when a place could not start; it ends once every place runs.
    pub(super) fn watch_blocked(self: &Arc<Self>, state: &mut State) {
        let now = wall_now();
        let mut any = false;
        for place in state
            .places
            .iter_mut()
            .filter(|p| p.engine.is_none() && p.problem.is_some())
        {
            place.blocked.since.get_or_insert(now);
            any = true;
        }
        if !any {
            return;
        }
        let every = self.opts.poller_config.as_ref().map_or(RETRY, |c| {
            Duration::from_millis(c.retry_first.max(50) as u64)
        });
        let hub = Arc::clone(self);
        state.tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if !hub.retry_blocked(true).await {
                    return;
                }
            }
        }));
    }

    /// Tries every place without its token again; starts those that can now; tells the
    /// host of those blocked past the grace period when `tell`. Whether any is still
    /// blocked.
    pub(super) async fn retry_blocked(self: &Arc<Self>, tell: bool) -> bool {
        let mut state = self.state.lock().await;
        let settings = read_settings(&state);
        let several = state.places.len() > 1;
        let mut blocked = false;
        let mut started = false;
        for i in 0..state.places.len() {
            if state.places[i].engine.is_some() || state.places[i].problem.is_none() {
                continue;
            }
            let row = state.places[i].row.clone();
            let mut running = self
                .run_place(row, &settings, several, Duration::ZERO)
                .await;
            if let Some(engine) = &running.engine {
                state.tasks.push(self.forward(engine));
                state.places[i] = running;
                started = true;
                continue;
            }
            running.blocked = state.places[i].blocked;
            blocked = true;
            if tell {
                self.tell_blocked(&settings, &mut running);
            }
            state.places[i] = running;
        }
        drop(state);
        if started {
            self.changed(doorpost_core::ipc::ChangedEvent::overview());
        }
        blocked
    }

    fn tell_blocked(
        &self,
        settings: &doorpost_core::settings::Settings,
        place: &mut super::Running,
    ) {
        let grace = self
            .opts
            .poller_config
            .as_ref()
            .map_or(GRACE, |c| c.cant_check_after);
        let wall = wall_now();
        let Some(since) = place.blocked.since else {
            return;
        };
        let quiet = settings
            .quiet_hours
            .as_ref()
            .and_then(|q| q.window_at(wall, self.utc_offset()))
            .is_some();
        if place.blocked.told || quiet || wall.since(since) < grace {
            return;
        }
        place.blocked.told = true;
        let locale = self.locale_for(settings);
        let notice = Notice {
            cause: Cause::Keychain,
            since,
        };
        let toast = Toast::Alert {
            title: notice.title(&locale, Some(&place.row.name)),
            body: notice.body(&locale, wall),
        };
        tracing::warn!("told the host a place cannot read its token");
        let notifier = Arc::clone(&self.opts.notifier);
        // A notification service that hangs must not hold the hub: shown on its own thread.
        std::thread::spawn(move || {
            if let Err(e) = notifier.show(&toast) {
                tracing::warn!("notification not shown: {e}");
            }
        });
    }
}
