//! What the window and the tray read: the overview, each place's status, the history, the
//! doors with their mutes, the chart's counts, the export and the tray's snapshot.

use doorpost_core::i18n;
use doorpost_core::ipc::{
    AppError, CheckView, ChecksView, DayCount, DoorView, ErrorCode, HistoryPageView,
    HistoryQueryView, Mode, Overview, PhaseView, PlaceCheckView, PlaceView, StatusView,
};
use doorpost_core::poller::Phase;
use doorpost_core::settings::{Language, Settings, SettingsPatch};
use doorpost_core::time::Millis;
use doorpost_core::tray::{ExpectedArrival, TrayPlace, TraySnapshot};

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Hub, Running, internal, read_settings, views};
use crate::driver::EngineStatus;
use crate::http::wall_now;
use crate::private_files;
use crate::stays_watch::StaysWatch;
use crate::store::{HistoryQuery, PlaceRow, Store};

/// How far back the status page looks for gaps and the last check.
const STATUS_WINDOW: i64 = 7 * Millis::DAY;

/// What one read needs from the session, taken under its lock.
struct Snapshot {
    mode: Mode,
    settings: Settings,
    places: Vec<PlaceRow>,
    statuses: Vec<StatusView>,
    token_set: Vec<bool>,
    /// Each place's own settings values, by id.
    own: HashMap<String, SettingsPatch>,
}

impl Hub {
    /// Runs `f` on the session's store with the places as stored.
    pub(super) async fn read<T>(
        &self,
        f: impl FnOnce(&Store, &Settings, &[PlaceRow]) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let state = self.state.lock().await;
        let reader = state
            .reader
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::NotConfigured, "Doorpost is starting."))?;
        let places: Vec<PlaceRow> = state.places.iter().map(|p| p.row.clone()).collect();
        drop(state);
        let store = reader.lock().unwrap_or_else(|p| p.into_inner());
        let settings = store.load_settings().unwrap_or_default();
        f(&store, &settings, &places)
    }

    async fn snapshot(&self) -> Snapshot {
        let state = self.state.lock().await;
        let settings = read_settings(&state);
        let now = wall_now();
        let quiet_until = settings
            .quiet_hours
            .as_ref()
            .and_then(|q| q.window_at(now, self.utc_offset()))
            .map(|(_, end)| end.0);
        let mut own = HashMap::new();
        let statuses = match &state.reader {
            Some(reader) => {
                let store = reader.lock().unwrap_or_else(|p| p.into_inner());
                own = store.all_place_settings().unwrap_or_default();
                let paused = paused(&store, now);
                let lang = self.locale_for(&settings).lang;
                let backfill = i64::from(settings.backfill_days) * Millis::DAY;
                state
                    .places
                    .iter()
                    .map(|p| {
                        let mut s = place_status(p, &store, paused, lang);
                        // The first check loaded `backfill` days: the history is complete
                        // from there, and before it "no unlocks" means "no data".
                        s.watching_since = s.watching_since.map(|t| t - backfill);
                        s.quiet_until = quiet_until;
                        s
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        Snapshot {
            mode: state.mode.unwrap_or(Mode::Unconfigured),
            places: state.places.iter().map(|p| p.row.clone()).collect(),
            token_set: state.places.iter().map(|p| p.token_set).collect(),
            statuses,
            settings,
            own,
        }
    }

    /// Every place's state together: the most serious phase, the latest check, and the
    /// history's totals.
    pub async fn status(&self) -> StatusView {
        let snap = self.snapshot().await;
        let mut view = combine(&snap.statuses);
        let state = self.state.lock().await;
        if let Some(reader) = &state.reader {
            let store = reader.lock().unwrap_or_else(|p| p.into_inner());
            totals(&store, &mut view, self.utc_offset());
        }
        view
    }

    /// Every place's check times and phase, and all of them together, as the overview would
    /// show them: what a status that moved only those sends instead of a refetch.
    pub async fn checks(&self) -> ChecksView {
        let snap = self.snapshot().await;
        ChecksView {
            all: CheckView::of(&combine(&snap.statuses)),
            places: snap
                .places
                .iter()
                .zip(&snap.statuses)
                .map(|(row, status)| PlaceCheckView {
                    id: row.id.clone(),
                    check: CheckView::of(status),
                })
                .collect(),
        }
    }

    /// What the window opens with. Opening the window is when news is seen.
    pub async fn overview(&self) -> Overview {
        let status = self.status().await;
        let snap = self.snapshot().await;
        self.seen();
        let locale = self.locale_for(&snap.settings);
        let places = place_views(&snap);
        Overview {
            mode: snap.mode,
            token_set: snap.token_set.iter().any(|t| *t),
            status,
            settings: snap.settings,
            places,
            language: locale.lang,
            locale: locale.tag(i18n::territory(&self.opts.system_locale).as_deref()),
        }
    }

    /// One place as the window shows it, after a change to it: what `add_place` and
    /// `update_place` answer, so the window names the place it just changed.
    pub async fn place(&self, id: &str) -> Result<PlaceView, AppError> {
        let snap = self.snapshot().await;
        place_views(&snap)
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| internal(format!("place {id} is not in the session")))
    }

    pub async fn history(&self, query: HistoryQueryView) -> Result<HistoryPageView, AppError> {
        self.read(|store, settings, places| {
            let q = views::query(&query);
            let page = store.history(&q).map_err(internal)?;
            let total = store.count(&q).map_err(internal)?;
            let ctx = views::RowContext::new(store, settings, places);
            Ok(HistoryPageView {
                rows: page.rows.iter().map(|r| views::row(r, &ctx)).collect(),
                next: page.next.as_ref().map(views::cursor),
                total: u32::try_from(total).unwrap_or(u32::MAX),
            })
        })
        .await
    }

    /// Every door seen, with its place and its mute.
    pub async fn doors(&self) -> Result<Vec<DoorView>, AppError> {
        self.read(|store, _, places| {
            let mutes = store.mutes(wall_now()).map_err(internal)?;
            Ok(store
                .doors()
                .map_err(internal)?
                .iter()
                .map(|d| views::door(d, places, &mutes))
                .collect())
        })
        .await
    }

    /// Unlocks per local day among those `query` matches: the chart, in one read.
    pub async fn daily_counts(&self, query: HistoryQueryView) -> Result<Vec<DayCount>, AppError> {
        let offset = self.utc_offset();
        self.read(|store, _, _| {
            Ok(store
                .daily_counts_matching(&views::query(&query), offset)
                .map_err(internal)?
                .into_iter()
                .map(|(day, count)| DayCount {
                    day,
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                })
                .collect())
        })
        .await
    }

    /// The filtered history as CSV, every page, written to a new private file
    /// `doorpost-history-<time>-<random>.csv` in `dir` (see [`export_csv_file`]); returns
    /// its path. The rows are read on a connection of the export's own, on a blocking
    /// thread: the window's other reads go on meanwhile.
    pub async fn export_csv(
        &self,
        query: HistoryQueryView,
        dir: PathBuf,
        time: String,
    ) -> Result<String, AppError> {
        let (db, settings, places) = self
            .read(|store, settings, places| {
                Ok((store.path().to_owned(), settings.clone(), places.to_vec()))
            })
            .await?;
        let q = views::query(&query);
        let written = tokio::task::spawn_blocking(move || {
            let store = Store::open(&db).map_err(std::io::Error::other)?;
            std::fs::create_dir_all(&dir)?;
            export_csv_file(&store, &q, &settings, &places, &dir, &time)
                .map_err(|e| std::io::Error::other(format!("in {}: {e}", dir.display())))
        })
        .await
        .map_err(internal)?;
        let path = written.map_err(|e| internal(format!("Couldn't write the export {e}")))?;
        Ok(path.display().to_string())
    }

    /// What the tray shows.
    pub async fn tray(&self) -> TraySnapshot {
        let snap = self.snapshot().await;
        let now = wall_now();
        let locale = self.locale_for(&snap.settings);
        let state = self.state.lock().await;
        let ((recent, doors, paused), expected) = match &state.reader {
            Some(reader) => {
                let store = reader.lock().unwrap_or_else(|p| p.into_inner());
                (
                    tray_rows(&store, &snap.settings, &snap.places, now),
                    expected_arrivals(&store, &snap.settings, &snap.places, now),
                )
            }
            None => ((Vec::new(), Vec::new(), None), Vec::new()),
        };
        drop(state);
        let places = snap
            .places
            .iter()
            .zip(snap.statuses.iter())
            .zip(expected.into_iter().chain(std::iter::repeat_with(Vec::new)))
            .map(|((row, status), expected)| TrayPlace {
                name: row.name.clone(),
                status: status.clone(),
                recent: recent
                    .iter()
                    .filter(|r| r.place_id.as_deref() == Some(row.id.as_str()))
                    .take(doorpost_core::tray::RECENT_ONE_PLACE)
                    .cloned()
                    .collect(),
                doors: doors
                    .iter()
                    .filter(|d| d.place_id.as_deref() == Some(row.id.as_str()))
                    .cloned()
                    .collect(),
                expected,
            })
            .collect();
        TraySnapshot {
            mode: snap.mode,
            places,
            unseen: self.unseen(),
            paused,
            quiet_until: snap
                .statuses
                .first()
                .and_then(|s| s.quiet_until)
                .map(Millis),
            now,
            locale,
        }
    }
}

/// Every place in the session with its own status.
fn place_views(snap: &Snapshot) -> Vec<PlaceView> {
    snap.places
        .iter()
        .zip(&snap.statuses)
        .zip(&snap.token_set)
        .map(|((row, status), token_set)| PlaceView {
            id: row.id.clone(),
            name: row.name.clone(),
            api_url: row.api_url.clone(),
            token_set: *token_set,
            notify_mode: row.notify_mode,
            status: status.clone(),
            own_settings: snap.own.get(&row.id).cloned().unwrap_or_default(),
        })
        .collect()
}

/// The tray's latest unlocks, doors and pause, from one store read: what [`Hub::tray`]
/// builds its [`TraySnapshot`] from (public for `benches/doors.rs`).
#[allow(clippy::type_complexity)]
pub fn tray_rows(
    store: &Store,
    settings: &Settings,
    places: &[PlaceRow],
    now: Millis,
) -> (
    Vec<doorpost_core::ipc::HistoryRowView>,
    Vec<DoorView>,
    Option<Option<Millis>>,
) {
    let mutes = store.mutes(now).unwrap_or_default();
    let ctx = views::RowContext::new(store, settings, places);
    let recent = places
        .iter()
        .flat_map(|p| {
            let q = HistoryQuery {
                place_ids: vec![p.id.clone()],
                limit: doorpost_core::tray::RECENT_ONE_PLACE as u32,
                ..Default::default()
            };
            store.history(&q).map(|page| page.rows).unwrap_or_default()
        })
        .map(|r| views::row(&r, &ctx))
        .collect();
    // Each place's doors the menu could show, and one more to tell it there are more:
    // never every door of an account that has 20,000.
    let doors = places
        .iter()
        .flat_map(|p| {
            store
                .tray_doors(&p.id, now, doorpost_core::tray::TRAY_DOORS + 1)
                .unwrap_or_default()
        })
        .map(|d| views::door(&d, places, &mutes))
        .collect();
    (recent, doors, paused(store, now))
}

/// Each place's bookings arriving today and whether their guests have, in `places`'
/// order, read as the driver reads them (the place's own stays settings, its stays and
/// what was decided about each); a place whose stays cannot be read shows none.
pub fn expected_arrivals(
    store: &Store,
    settings: &Settings,
    places: &[PlaceRow],
    now: Millis,
) -> Vec<Vec<ExpectedArrival>> {
    places
        .iter()
        .map(|p| {
            let mut watch = StaysWatch::new(now);
            match watch.reload(store, &p.id, settings, now) {
                Ok(()) => watch.expected_today(now),
                Err(e) => {
                    tracing::debug!("no expected arrivals for the tray: {e}");
                    Vec::new()
                }
            }
        })
        .collect()
}

/// Notifications paused: `Some(None)` until resumed, `Some(Some(t))` until `t`.
fn paused(store: &Store, now: Millis) -> Option<Option<Millis>> {
    store.paused(now).unwrap_or_default()
}

fn phase_of(engine: Option<&EngineStatus>, paused: bool) -> PhaseView {
    match engine.map(|e| &e.poller.phase) {
        None => PhaseView::NotConfigured,
        Some(Phase::Checking) => PhaseView::Checking,
        Some(Phase::Degraded { .. }) => PhaseView::Degraded,
        Some(Phase::AuthRejected) => PhaseView::AuthRejected,
        Some(Phase::Redirected) => PhaseView::Redirected,
        Some(Phase::Idle) if paused => PhaseView::Paused,
        Some(Phase::Idle) => PhaseView::Idle,
    }
}

/// One place's status: its engine's, and its own checks in the poll log.
fn place_status(
    p: &Running,
    store: &Store,
    paused: Option<Option<Millis>>,
    lang: Language,
) -> StatusView {
    let engine = p.engine.as_ref().map(|e| e.status().borrow().clone());
    let mut view = StatusView::empty(phase_of(engine.as_ref(), paused.is_some()));
    view.paused_until = paused.flatten().map(|t| t.0);
    view.last_error = p.problem.clone();
    if let Some(e) = &engine {
        view.last_error = e.poller.last_error.as_ref().map(|f| f.message(lang));
        view.next_check = e.next_check.map(|t| t.0);
        view.auth_style = e.poller.auth.map(|a| super::auth_name(a).to_string());
        view.incomplete = e.poller.incomplete.map(views::incomplete);
        view.catching_up = e.poller.catching_up;
        view.last_check = e.last_success.map(|t| t.0);
        view.cant_check_since = e.poller.blind_since.map(|t| t.0);
        view.learned = views::learned(&e.poller.learned, e.poller.skip, e.poller.start_filter);
    }
    if let Some(source) = p.engine.as_ref().map(|e| e.source().to_string()) {
        let log = store
            .poll_log_since(wall_now().minus(STATUS_WINDOW))
            .unwrap_or_default();
        let last_ok = log
            .iter()
            .rev()
            .find(|r| r.source == source && r.error.is_none())
            .map(|r| r.at.0);
        view.last_check = view.last_check.max(last_ok);
        view.watching_since = store.first_poll(&source).ok().flatten().map(|t| t.0);
    }
    view
}

/// The most serious phase first: a rejected token, then a place that cannot be reached.
fn severity(p: PhaseView) -> u8 {
    match p {
        PhaseView::AuthRejected | PhaseView::Redirected => 5,
        PhaseView::Degraded => 4,
        PhaseView::Checking => 3,
        PhaseView::Paused => 2,
        PhaseView::Idle => 1,
        PhaseView::NotConfigured => 0,
    }
}

/// Every place's status as one.
pub(super) fn combine(statuses: &[StatusView]) -> StatusView {
    let Some(worst) = statuses.iter().max_by_key(|s| severity(s.phase)) else {
        return StatusView::empty(PhaseView::NotConfigured);
    };
    let mut view = worst.clone();
    view.last_check = statuses.iter().filter_map(|s| s.last_check).max();
    view.next_check = statuses.iter().filter_map(|s| s.next_check).min();
    view.watching_since = statuses.iter().filter_map(|s| s.watching_since).min();
    view.catching_up = statuses.iter().any(|s| s.catching_up);
    view.incomplete = statuses.iter().find_map(|s| s.incomplete);
    view.last_error = statuses.iter().find_map(|s| s.last_error.clone());
    view.cant_check_since = statuses.iter().filter_map(|s| s.cant_check_since).min();
    view
}

/// The history's totals: today's requests, the gaps of the past week, the quarantine.
fn totals(store: &Store, view: &mut StatusView, utc_offset_secs: i32) {
    let now = wall_now();
    let offset = i64::from(utc_offset_secs) * 1_000;
    let today = Millis((now.0 + offset).div_euclid(Millis::DAY) * Millis::DAY - offset);
    if let Ok(stats) = store.poll_stats(today) {
        view.requests_today = stats.requests as u32;
        view.not_modified_today = stats.not_modified as u32;
        view.failures_today = stats.failures as u32;
    }
    if let Ok(gaps) = store.coverage_gaps(now.minus(STATUS_WINDOW), 10 * Millis::MINUTE) {
        view.gaps = gaps.iter().map(views::gap).collect();
    }
    view.quarantined = store.quarantine_count().unwrap_or(0) as u32;
    view.events_total = store
        .count(&Default::default())
        .unwrap_or(0)
        .try_into()
        .unwrap_or(u32::MAX);
}

/// Every row of `q` (all pages), as CSV with `place`, `mark` and `stay` columns, into a new private file in
/// `dir` named after `time` (see [`private_files::stream_new_unique`]): row by row, from
/// one snapshot of the history, so memory stays flat whatever the row count, and the file
/// appears under its name only once complete. Returns its path.
pub fn export_csv_file(
    store: &Store,
    q: &HistoryQuery,
    settings: &Settings,
    places: &[PlaceRow],
    dir: &Path,
    time: &str,
) -> std::io::Result<PathBuf> {
    private_files::stream_new_unique(dir, "doorpost-history", time, "csv", |out| {
        store
            .snapshot(|store| write_csv(store, q, settings, places, out))
            .map_err(std::io::Error::other)?
    })
}

/// Every row of `q`, as CSV with a `place` column, to `out`.
pub fn write_csv(
    store: &Store,
    q: &HistoryQuery,
    settings: &Settings,
    places: &[PlaceRow],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "{}", views::CSV_HEADER)?;
    let ctx = views::RowContext::new(store, settings, places);
    let mut q = q.clone();
    q.limit = crate::store::MAX_PAGE;
    loop {
        let page = store.history(&q).map_err(std::io::Error::other)?;
        for r in &page.rows {
            let line = views::csv_line(&views::row(r, &ctx));
            writeln!(out, "{line}")?;
        }
        match page.next {
            Some(next) => q.before = Some(next),
            None => return Ok(()),
        }
    }
}

/// Calls `f` on every row of `q`, page by page.
pub fn each_row(
    store: &Store,
    q: &HistoryQuery,
    mut f: impl FnMut(&crate::store::HistoryRow),
) -> Result<(), crate::store::StoreError> {
    let mut q = q.clone();
    q.limit = crate::store::MAX_PAGE;
    loop {
        let page = store.history(&q)?;
        page.rows.iter().for_each(&mut f);
        match page.next {
            Some(next) => q.before = Some(next),
            None => return Ok(()),
        }
    }
}
