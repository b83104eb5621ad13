//! Sessions: starting the places (staggered, each with its own token and engine), the
//! demo, and the switch between them, which stops every running engine before the next
//! start (one poller per place, always); and forwarding each engine's reports as
//! [`super::Signal`]s.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doorpost_core::changes::{StatusChange, status_change};
use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{AppError, ChangedEvent, Mode};
use doorpost_core::poller::PollerConfig;
use doorpost_core::settings::{Language, Settings};
use doorpost_core::time::Millis;
use tokio::sync::broadcast;

use super::{DB_FILE, FIRST_PLACE, Hub, Running, State, blocked, internal, published};
use crate::driver::{self, EngineHandle, EngineOptions, PlaceContext};
use crate::http::{ApiToken, BaseUrl, Timeouts, wall_now};
use crate::store::{PlaceRow, Store};
use doorpost_sim::{self as fake, FakeConfig, FakeControl};

const DEMO_PLACE: &str = "demo";
const DEMO_TOKEN: &str = "demo-token";
/// The demo's booking feed, served by its simulator.
const DEMO_FEED: &str = "harbour-loft";
/// How far apart places start.
const STAGGER: Duration = Duration::from_secs(7);

impl Hub {
    /// Starts the session the user left: the demo when asked, else the places.
    pub async fn start(self: &Arc<Self>, demo: bool) -> Result<(), AppError> {
        self.switch(if demo { Mode::Demo } else { Mode::Account })
            .await
    }

    /// Stops every engine, then starts `mode` (`Account` is `Unconfigured` without places).
    pub async fn switch(self: &Arc<Self>, mode: Mode) -> Result<(), AppError> {
        let mut state = self.state.lock().await;
        stop(&mut state).await;
        let started = match mode {
            Mode::Demo => self.start_demo(&mut state).await,
            Mode::Account | Mode::Unconfigured => self.start_places(&mut state).await,
        };
        if let Err(e) = started {
            stop(&mut state).await;
            return Err(e);
        }
        let settings = self.follow_autostart(&state);
        self.opts.notifier.set_sound(settings.sound);
        self.opts
            .notifier
            .set_language(self.locale_for(&settings).lang);
        state.applied = Some(settings);
        drop(state);
        self.changed(ChangedEvent::everything(0));
        Ok(())
    }

    /// Stops every engine (a commit in progress completes).
    pub async fn shutdown(&self) {
        stop(&mut *self.state.lock().await).await;
    }

    pub(super) fn open_store(dir: &Path) -> Result<Store, AppError> {
        // Readable by the user only: guests' names are in it.
        crate::private_files::private_dir(dir).map_err(|e| {
            internal(format!(
                "Doorpost cannot create its data folder {}: {e}",
                dir.display()
            ))
        })?;
        Store::open(&dir.join(DB_FILE)).map_err(internal)
    }

    async fn start_places(self: &Arc<Self>, state: &mut State) -> Result<(), AppError> {
        let mut store = self.account_store()?;
        self.book(Language::En).clear_removed_tokens(&mut store);
        self.adopt_first_place(&mut store)?;
        let rows = store.places().map_err(internal)?;
        let settings = store.load_settings().unwrap_or_default();
        forget_at_start(&store, &settings);
        state.reader = Some(Arc::new(Mutex::new(store)));
        state.mode = Some(if rows.is_empty() {
            Mode::Unconfigured
        } else {
            Mode::Account
        });
        let several = rows.len() > 1;
        for (i, row) in rows.into_iter().enumerate() {
            let running = self
                .run_place(row, &settings, several, STAGGER * i as u32)
                .await;
            state.places.push(running);
        }
        for r in &state.places {
            if let Some(engine) = &r.engine {
                state.tasks.push(self.forward(engine));
            }
        }
        self.watch_blocked(state);
        let install = self.account_store()?.install_id().map_err(internal)?;
        let source = crate::feeds::HttpFeeds::new().map_err(internal)?;
        let session = super::feeds::FeedSession {
            dir: self.opts.data_dir.clone(),
            links: Arc::new(crate::feeds::KeychainLinks {
                keychains: Arc::clone(&self.opts.keychains),
                install,
            }),
            source: Arc::new(source),
            wake: Arc::new(tokio::sync::Notify::new()),
        };
        state.tasks.push(self.feed_loop(session.clone()));
        state.feeds = Some(session);
        Ok(())
    }

    /// `DOORPOST_TOKEN` without a place gets the first place, with the rows stored before
    /// places existed. Its id is one never given out (`main` unless a removed place had
    /// it), so it never shows a removed place's kept history. (A keychain token of an
    /// install from before places is adopted by [`PlaceBook::store`], once; an empty
    /// database adopts nothing from the keychain.)
    ///
    /// [`PlaceBook::store`]: super::PlaceBook::store
    fn adopt_first_place(&self, store: &mut Store) -> Result<(), AppError> {
        if !store.places().map_err(internal)?.is_empty() || self.opts.env_token.is_none() {
            return Ok(());
        }
        let id = store
            .new_place_id(FIRST_PLACE, super::places::random_place_id)
            .map_err(internal)?;
        store.add_first_place(&id, wall_now()).map_err(internal)?;
        Ok(())
    }

    /// Starts one place's engine when its token can be read.
    pub(super) async fn run_place(
        self: &Arc<Self>,
        row: PlaceRow,
        settings: &Settings,
        several: bool,
        delay: Duration,
    ) -> Running {
        let lang = self.locale_for(settings).lang;
        let token = self.token_of(&row, lang);
        let mut running = Running {
            row,
            engine: None,
            token_set: false,
            problem: None,
            blocked: blocked::Blocked::default(),
        };
        let (token, base) = match token {
            Ok(Some(t)) => t,
            Ok(None) => return running,
            Err(e) => {
                running.problem = Some(e.message);
                return running;
            }
        };
        running.token_set = true;
        let label = several.then(|| running.row.name.clone());
        let place = self.place_context(&running.row, label, settings);
        let started = self
            .start_engine(
                base,
                token,
                place,
                self.opts.poller_config.clone(),
                delay,
                None,
            )
            .await;
        match started {
            Ok(engine) => running.engine = Some(engine),
            Err(e) => running.problem = Some(e.message),
        }
        running
    }

    /// A place's token and where it may go: `DOORPOST_TOKEN` (the first place's, for this
    /// process, whatever its id) to `DOORPOST_API_URL`; a saved token only to the address
    /// it was checked against.
    fn token_of(
        &self,
        row: &PlaceRow,
        lang: Language,
    ) -> Result<Option<(ApiToken, BaseUrl)>, AppError> {
        let book = self.book(lang);
        let store = book.store()?;
        if let Some(t) = &self.opts.env_token {
            let places = store.places().map_err(internal)?;
            if places.first().is_some_and(|first| first.id == row.id) {
                return Ok(Some((t.clone(), self.opts.default_base.clone())));
            }
        }
        let install = store.install_id().map_err(internal)?;
        book.token(&install, row).inspect_err(|e| {
            tracing::warn!("keychain: {}", e.message);
        })
    }

    pub(super) fn place_context(
        &self,
        row: &PlaceRow,
        label: Option<String>,
        s: &Settings,
    ) -> PlaceContext {
        let locale = self.locale_for(s);
        PlaceContext {
            id: Some(row.id.clone()),
            label,
            name: Some(row.name.clone()),
            notify_mode: row.notify_mode,
            language: locale.lang,
            twelve_hour: locale.twelve_hour,
        }
    }

    async fn start_engine(
        &self,
        base: BaseUrl,
        token: ApiToken,
        place: PlaceContext,
        poller_config: Option<PollerConfig>,
        start_delay: Duration,
        simulator: Option<FakeControl>,
    ) -> Result<EngineHandle, AppError> {
        let dir = if place.id.as_deref() == Some(DEMO_PLACE) {
            &self.opts.demo_dir
        } else {
            &self.opts.data_dir
        };
        driver::start(EngineOptions {
            store_path: dir.join(DB_FILE),
            base,
            token,
            notifier: Arc::clone(&self.opts.notifier),
            poller_config,
            seed: wall_now().0 as u64,
            timeouts: Timeouts::default(),
            utc_offset_secs: self.opts.utc_offset_secs,
            place,
            start_delay,
            simulator: simulator.map(|fake| Arc::new(fake) as Arc<dyn crate::exchange::Exchange>),
        })
        .await
        .map_err(internal)
    }

    async fn start_demo(self: &Arc<Self>, state: &mut State) -> Result<(), AppError> {
        // The demo starts fresh each time: its history is generated around today.
        let _ = std::fs::remove_dir_all(&self.opts.demo_dir);
        let mut store = Self::open_store(&self.opts.demo_dir)?;
        let fake = FakeControl::in_process(FakeConfig {
            token: DEMO_TOKEN.into(),
            max_limit: Some(100),
            ..FakeConfig::default()
        });
        let scenario = fake::demo::DemoScenario::harbour_loft();
        let seed = wall_now().0 as u64;
        scenario.seed_history(&fake, seed);
        let row = PlaceRow {
            id: DEMO_PLACE.into(),
            name: scenario.place.name.clone(),
            api_url: None,
            notify_mode: None,
        };
        store.add_place(&row, wall_now()).map_err(internal)?;
        let settings = store.load_settings().unwrap_or_default();
        let base = BaseUrl::parse(fake::IN_PROCESS_URL).map_err(internal)?;
        let token = ApiToken::new(DEMO_TOKEN).map_err(internal)?;
        // The demo checks every minute (the shortest setting) so a new user sees a
        // notification soon; the simulated place has an unlock every ~45 s on average.
        let config = self.opts.poller_config.clone().unwrap_or(PollerConfig {
            interval: Millis::MINUTE,
            ..PollerConfig::from_settings(&settings)
        });
        let lang = self.locale_for(&settings).lang;
        let label = Some(i18n::t(lang, Msg::Demo, &[]));
        let place = self.place_context(&row, label, &settings);
        let engine = self
            .start_engine(
                base,
                token,
                place,
                Some(config),
                Duration::ZERO,
                Some(fake.clone()),
            )
            .await?;
        state.tasks.push(tokio::spawn(fake::demo::run_live(
            fake.clone(),
            seed,
            Duration::from_secs(45),
        )));
        state.tasks.push(self.forward(&engine));
        state.places.push(Running {
            row,
            engine: Some(engine),
            token_set: true,
            problem: None,
            blocked: blocked::Blocked::default(),
        });
        let session = self
            .demo_feed(&fake, &mut store, scenario.utc_offset_secs)
            .await?;
        state.tasks.push(self.feed_loop(session.clone()));
        state.feeds = Some(session);
        state.reader = Some(Arc::new(Mutex::new(store)));
        state.demo = Some(fake);
        state.mode = Some(Mode::Demo);
        Ok(())
    }

    /// The demo's booking feed: Harbour Loft's Airbnb calendar, from the simulator in this
    /// process, its link held in memory.
    async fn demo_feed(
        &self,
        fake: &FakeControl,
        store: &mut Store,
        utc_offset_secs: i32,
    ) -> Result<super::feeds::FeedSession, AppError> {
        use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
        fake.set_feed(
            DEMO_FEED,
            SimFeed {
                format: FeedFormat::Demo,
                switch: FeedSwitch::Normal,
            },
        );
        let session = super::feeds::FeedSession {
            dir: self.opts.demo_dir.clone(),
            links: Arc::new(crate::feeds::MemoryLinks::default()),
            source: Arc::new(crate::feeds::SimFeeds {
                fake: fake.clone(),
                utc_offset_secs,
            }),
            wake: Arc::new(tokio::sync::Notify::new()),
        };
        let url = format!("{}/feeds/{DEMO_FEED}.ics", fake::IN_PROCESS_URL);
        let new = doorpost_core::ipc::NewFeed {
            place_id: DEMO_PLACE.into(),
            label: "Airbnb".into(),
            url: doorpost_core::ipc::SecretFeedUrl::new(url),
            entries: doorpost_core::ipc::FeedEntries::Bookings,
            blocks_vacant: false,
        };
        let settings = store.load_settings().unwrap_or_default();
        let zone = crate::stay_rules::place_rules(store, &settings, DEMO_PLACE).zone;
        let book = crate::feeds::book::FeedBook {
            links: &*session.links,
            source: &*session.source,
            lang: self.locale_for(&settings).lang,
        };
        book.add(store, &new, zone, wall_now()).await?;
        Ok(session)
    }

    /// Forwards an engine's syncs and status changes as signals saying what changed. The
    /// pages of a long sync are signalled as they land, but at most once a second (what the
    /// skipped ones changed goes with the next): a first load of a thousand pages must not
    /// make the window refetch a thousand times. A status that moved only its check times
    /// is sent with them ([`Hub::checks`]), so the window asks for nothing; one that did
    /// not change what the window shows is not sent.
    pub(super) fn forward(self: &Arc<Self>, engine: &EngineHandle) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        let mut reports = engine.subscribe();
        let mut status = engine.status();
        tokio::spawn(async move {
            let mut last_partial = std::time::Instant::now() - Duration::from_secs(1);
            let mut held = ChangedEvent::nothing();
            let mut shown = status.borrow_and_update().clone();
            loop {
                tokio::select! {
                    r = reports.recv() => match r {
                        Ok(r) => {
                            me.unseen.fetch_add(r.toasts as u32, Ordering::Relaxed);
                            held = held.and(r.changed);
                            if r.finished || last_partial.elapsed() >= Duration::from_secs(1) {
                                last_partial = std::time::Instant::now();
                                me.changed(std::mem::replace(&mut held, ChangedEvent::nothing()));
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            held = ChangedEvent::nothing();
                            me.changed(ChangedEvent::everything(0));
                        }
                        Err(_) => break,
                    },
                    c = status.changed() => {
                        if c.is_err() { break; }
                        let next = status.borrow_and_update().clone();
                        let change = status_change(&published(&shown), &published(&next));
                        shown = next;
                        match change {
                            StatusChange::Nothing => {}
                            StatusChange::Checks => me.changed(ChangedEvent {
                                checks: Some(me.checks().await),
                                ..ChangedEvent::nothing()
                            }),
                            StatusChange::Overview => me.changed(ChangedEvent::overview()),
                        }
                    }
                }
            }
        })
    }

    /// Leaves the demo for the places (the first-run screen without any).
    pub async fn leave_demo(self: &Arc<Self>) -> Result<(), AppError> {
        self.switch(Mode::Account).await
    }
}

async fn stop(state: &mut State) {
    for t in state.tasks.drain(..) {
        t.abort();
    }
    for p in state.places.drain(..) {
        if let Some(engine) = p.engine {
            let _ = engine.shutdown().await;
        }
    }
    if let Some(fake) = state.demo.take() {
        fake.shutdown();
    }
    state.reader = None;
    state.mode = None;
    state.applied = None;
    state.feeds = None;
}

/// Forgets guests' names past the retention period as the places start, whether or not any
/// engine will run (no token, a locked keychain, every place removed): on a connection of
/// its own, off the async threads. Each engine sweeps again as it runs.
fn forget_at_start(store: &Store, settings: &Settings) {
    let Some(cutoff) = crate::store::retention_cutoff(settings, wall_now()) else {
        return;
    };
    let path = store.path().to_owned();
    tokio::task::spawn_blocking(move || {
        let result = Store::open(&path).and_then(|mut s| s.forget_before(cutoff));
        crate::store::Forgotten::log(result, "at start; the next start or sweep tries again");
    });
}
