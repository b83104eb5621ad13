//! Booking feeds and the stays read from them (issue 16): what the window's Bookings
//! section and `doorpost feeds|stays` ask of the hub, and the session's fetch loop.
//!
//! Each session has its feeds' tools ([`FeedSession`]): the account's links in the
//! keychain and calendars over HTTP; the demo's link in memory and its calendar from the
//! simulator in this process. The loop fetches every feed when the session starts, every
//! [`feeds::EVERY`] and at every "Check now", merges each place's feeds into its stays,
//! and tells the window (`ChangedEvent::stays`).

use std::path::PathBuf;
use std::sync::Arc;

use doorpost_core::i18n::Msg;
use doorpost_core::ipc::{
    AppError, ChangedEvent, ErrorCode, FeedView, NewFeed, StayView, StaysQuery,
};
use doorpost_core::time::Millis;
use tokio::sync::Notify;

use super::{DB_FILE, Hub, internal, read_settings};
use crate::feeds::book::{self, FeedBook};
use crate::feeds::{self, FeedLinks, FeedSource};
use crate::http::wall_now;
use crate::stay_rules::place_rules;
use crate::store::Store;

/// A session's feeds: where its store is, where links live, where calendars come from.
#[derive(Clone)]
pub(super) struct FeedSession {
    pub dir: PathBuf,
    pub links: Arc<dyn FeedLinks>,
    pub source: Arc<dyn FeedSource>,
    pub wake: Arc<Notify>,
}

impl FeedSession {
    fn store(&self) -> Result<Store, AppError> {
        Store::open(&self.dir.join(DB_FILE)).map_err(internal)
    }

    fn book(&self, lang: doorpost_core::settings::Language) -> FeedBook<'_> {
        FeedBook {
            links: &*self.links,
            source: &*self.source,
            lang,
        }
    }
}

fn stays_changed() -> ChangedEvent {
    ChangedEvent {
        stays: true,
        ..ChangedEvent::nothing()
    }
}

impl Hub {
    /// The session's feed tools, and the user's language; "starting" before a session.
    async fn feed_session(
        &self,
        place_id: Option<&str>,
    ) -> Result<(FeedSession, doorpost_core::settings::Language), AppError> {
        let state = self.state.lock().await;
        let lang = self.locale_for(&read_settings(&state)).lang;
        let session = state
            .feeds
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::NotConfigured, "Doorpost is starting."))?;
        if let Some(id) = place_id
            && !state.places.iter().any(|p| p.row.id == id)
        {
            return Err(self.error(
                lang,
                ErrorCode::InvalidSettings,
                Msg::NoSuchPlace,
                &[("name", id)],
            ));
        }
        Ok((session, lang))
    }

    pub async fn feeds(&self) -> Result<Vec<FeedView>, AppError> {
        self.read(|store, _, places| {
            let now = wall_now();
            Ok(store
                .feeds(None)
                .map_err(internal)?
                .iter()
                .filter(|f| places.iter().any(|p| p.id == f.place_id))
                .map(|f| book::view(f, now))
                .collect())
        })
        .await
    }

    /// Adds a feed once its calendar reads (see [`FeedBook::add`]).
    pub async fn add_feed(&self, feed: NewFeed) -> Result<FeedView, AppError> {
        let (session, lang) = self.feed_session(Some(&feed.place_id)).await?;
        let mut store = session.store()?;
        let zone = zone_at(&store, &feed.place_id);
        let row = session
            .book(lang)
            .add(&mut store, &feed, zone, wall_now())
            .await?;
        self.changed(stays_changed());
        Ok(book::view(&row, wall_now()))
    }

    pub async fn check_feed(&self, place_id: &str, label: &str) -> Result<FeedView, AppError> {
        let (session, lang) = self.feed_session(Some(place_id)).await?;
        let mut store = session.store()?;
        let zone = zone_at(&store, place_id);
        let book = session.book(lang);
        let row = book.find(&store, place_id, label)?;
        let (row, _) = book.check(&mut store, &row, zone, wall_now()).await?;
        self.changed(stays_changed());
        Ok(book::view(&row, wall_now()))
    }

    pub async fn remove_feed(&self, place_id: &str, label: &str) -> Result<(), AppError> {
        let (session, lang) = self.feed_session(Some(place_id)).await?;
        let mut store = session.store()?;
        let zone = zone_at(&store, place_id);
        let book = session.book(lang);
        let row = book.find(&store, place_id, label)?;
        book.remove(&mut store, &row, zone, wall_now())?;
        self.changed(stays_changed());
        Ok(())
    }

    /// The stays not ended before `from` (a week ago by default), each place's own.
    pub async fn stays(&self, query: StaysQuery) -> Result<Vec<StayView>, AppError> {
        self.read(|store, settings, places| {
            let from = Millis(
                query
                    .from
                    .unwrap_or_else(|| wall_now().minus(7 * Millis::DAY).0),
            );
            list_stays(store, settings, places, query.place_id.as_deref(), from)
        })
        .await
    }

    /// Wakes the session's fetch loop (a "Check now").
    pub(super) async fn wake_feeds(&self) {
        if let Some(session) = &self.state.lock().await.feeds {
            session.wake.notify_one();
        }
    }

    /// The session's fetch loop: every feed now, then every [`feeds::EVERY`] or when woken.
    pub(super) fn feed_loop(self: &Arc<Self>, session: FeedSession) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if me.fetch_all(&session).await {
                    me.changed(stays_changed());
                }
                tokio::select! {
                    _ = tokio::time::sleep(feeds::EVERY) => {}
                    _ = session.wake.notified() => {}
                }
            }
        })
    }

    /// Fetches every feed of the session; whether any was fetched.
    async fn fetch_all(&self, session: &FeedSession) -> bool {
        let lang = self.language().await;
        let Ok(mut store) = session.store() else {
            return false;
        };
        let rows = store.feeds(None).unwrap_or_default();
        let book = session.book(lang);
        for row in &rows {
            let zone = zone_at(&store, &row.place_id);
            if let Err(e) = book.check(&mut store, row, zone, wall_now()).await {
                tracing::warn!(place = %row.place_id, feed = %row.label, "could not check a booking feed: {}", e.message);
            }
        }
        !rows.is_empty()
    }
}

/// Stays as the window and the CLI list them: check-in and check-out with each place's
/// rules, only those not ended before `from`.
pub fn list_stays(
    store: &Store,
    settings: &doorpost_core::settings::Settings,
    places: &[crate::store::PlaceRow],
    place_id: Option<&str>,
    from: Millis,
) -> Result<Vec<StayView>, AppError> {
    Ok(store
        .stays_since(place_id, from)
        .map_err(internal)?
        .iter()
        .filter_map(|row| {
            let place = places.iter().find(|p| p.id == row.place_id)?;
            let rules = place_rules(store, settings, &place.id);
            let view = book::stay_view(row, &place.name, &rules);
            (view.check_out >= from.0).then_some(view)
        })
        .collect())
}

/// A place's time zone, for the feeds' dates and floating times.
fn zone_at(store: &Store, place_id: &str) -> chrono_tz::Tz {
    place_rules(store, &store.load_settings().unwrap_or_default(), place_id).zone
}

#[cfg(test)]
#[path = "feeds_tests.rs"]
mod tests;
