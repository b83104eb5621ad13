//! The IPC commands: a few lines each over [`crate::app::Doorpost`] and the store.
//!
//! Every command returns `Result<_, AppError>` (`{ code, message, fields }`); none can
//! return the token. The capability file grants exactly these (see `build.rs`).

use std::sync::Arc;

use doorpost_core::ipc::{
    AppError, DayCount, DoorView, ErrorCode, HistoryPageView, HistoryQueryView, Mode, Overview,
    PauseRequest, TokenCheck,
};
use doorpost_core::settings::{Settings, SettingsPatch};
use doorpost_core::time::Millis;
use tauri::State;

use crate::app::Doorpost;
use crate::views;

type App<'a> = State<'a, Arc<Doorpost>>;

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

/// Runs `f` on the current session's history.
async fn read<T>(
    app: &Doorpost,
    f: impl FnOnce(&doorpost_engine::store::Store, &Settings) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let slot = app.session.lock().await;
    let session = slot
        .as_ref()
        .ok_or_else(|| AppError::new(ErrorCode::NotConfigured, "Doorpost is starting."))?;
    let settings = session.settings();
    session.with_store(|store| f(store, &settings))
}

#[tauri::command]
pub async fn overview(app: App<'_>) -> Result<Overview, AppError> {
    let status = app.status().await;
    let slot = app.session.lock().await;
    let (mode, settings) = match slot.as_ref() {
        Some(s) => (s.mode, s.settings()),
        None => (Mode::Unconfigured, Settings::default()),
    };
    drop(slot);
    // Opening the window is when the tray's "new unlocks" mark is seen.
    *app.unseen.lock().unwrap_or_else(|p| p.into_inner()) = 0;
    let token_set = app.env_token.is_some() || app.keychain.is_set().unwrap_or(false);
    Ok(Overview {
        mode,
        token_set,
        status,
        settings,
        places: Vec::new(),
        language: doorpost_core::settings::Language::En,
        locale: "en-GB".into(),
    })
}

#[tauri::command]
pub async fn history(app: App<'_>, query: HistoryQueryView) -> Result<HistoryPageView, AppError> {
    read(&app, |store, settings| {
        let q = views::query(&query);
        let page = store.history(&q).map_err(internal)?;
        let total = store.count(&q).map_err(internal)?;
        Ok(HistoryPageView {
            rows: page
                .rows
                .iter()
                .map(|r| views::row(r, settings.allowed_offset))
                .collect(),
            next: page.next.as_ref().map(views::cursor),
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    })
    .await
}

#[tauri::command]
pub async fn doors(app: App<'_>) -> Result<Vec<DoorView>, AppError> {
    read(&app, |store, _| {
        Ok(store
            .doors()
            .map_err(internal)?
            .iter()
            .map(views::door)
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn daily_counts(app: App<'_>, from: i64, to: i64) -> Result<Vec<DayCount>, AppError> {
    let offset = chrono::Local::now().offset().local_minus_utc();
    read(&app, |store, _| {
        Ok(store
            .daily_counts(Millis(from), Millis(to), offset)
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

/// Writes the filtered history as CSV into the user's Downloads folder; returns the path.
#[tauri::command]
pub async fn export_csv(app: App<'_>, query: HistoryQueryView) -> Result<String, AppError> {
    let csv = read(&app, |store, settings| {
        crate::cli::render_csv(store, &views::query(&query), settings).map_err(internal)
    })
    .await?;
    let dir = downloads_dir();
    std::fs::create_dir_all(&dir).map_err(internal)?;
    // A new file (never one planted there, never through a link), 0600, with a name no
    // one can guess ahead.
    let time = chrono::Local::now().format("%Y-%m-%d-%H%M%S").to_string();
    let path = doorpost_engine::private_files::write_new_unique(
        &dir,
        "doorpost-history",
        &time,
        "csv",
        csv.as_bytes(),
    )
    .map_err(|e| {
        internal(format!(
            "Couldn't write the export in {}: {e}",
            dir.display()
        ))
    })?;
    Ok(path.display().to_string())
}

fn downloads_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("XDG_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return d.into();
    }
    let home = std::env::var_os("HOME").map_or_else(|| ".".into(), std::path::PathBuf::from);
    let downloads = home.join("Downloads");
    if downloads.is_dir() { downloads } else { home }
}

#[tauri::command]
pub async fn save_settings(app: App<'_>, patch: SettingsPatch) -> Result<Settings, AppError> {
    let current = {
        let slot = app.session.lock().await;
        slot.as_ref().map(|s| s.settings()).unwrap_or_default()
    };
    let autostart = patch.autostart;
    let next = current.apply(patch).map_err(|fields| AppError {
        code: ErrorCode::InvalidSettings,
        message: "Some settings need another look.".into(),
        fields,
    })?;
    if let Some(on) = autostart
        && on != current.autostart
    {
        crate::autostart::set(on)?;
    }
    app.save_settings(next.clone()).await?;
    app.changed(0);
    Ok(next)
}

#[tauri::command]
pub async fn set_token(app: App<'_>, token: String) -> Result<TokenCheck, AppError> {
    app.set_token(&token).await
}

#[tauri::command]
pub async fn clear_token(app: App<'_>) -> Result<(), AppError> {
    app.clear_token().await
}

#[tauri::command]
pub async fn start_demo(app: App<'_>) -> Result<(), AppError> {
    app.switch(Mode::Demo).await
}

#[tauri::command]
pub async fn refresh_now(app: App<'_>) -> Result<(), AppError> {
    app.refresh_now().await
}

#[tauri::command]
pub async fn pause(app: App<'_>, request: PauseRequest) -> Result<(), AppError> {
    app.pause(Some(request)).await;
    app.changed(0);
    Ok(())
}

#[tauri::command]
pub async fn resume(app: App<'_>) -> Result<(), AppError> {
    app.pause(None).await;
    app.changed(0);
    Ok(())
}
