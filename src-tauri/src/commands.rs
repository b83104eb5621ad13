//! The IPC commands: one line each over [`doorpost_engine::hub::Hub`].
//!
//! Every command returns `Result<_, AppError>` (`{ code, message, fields }`); none can
//! return the token. The capability file grants exactly these (see `build.rs`).

use std::sync::Arc;

use doorpost_core::ipc::{
    AppError, DayCount, DoorView, HistoryPageView, HistoryQueryView, Mode, MuteRequest, NewPlace,
    Overview, PauseRequest, PlacePatch, TokenCheck,
};
use doorpost_core::settings::{Settings, SettingsPatch};
use doorpost_engine::hub::Hub;
use tauri::State;

type App<'a> = State<'a, Arc<Hub>>;

#[tauri::command]
pub async fn overview(app: App<'_>) -> Result<Overview, AppError> {
    Ok(app.overview().await)
}

#[tauri::command]
pub async fn history(app: App<'_>, query: HistoryQueryView) -> Result<HistoryPageView, AppError> {
    app.history(query).await
}

#[tauri::command]
pub async fn doors(app: App<'_>) -> Result<Vec<DoorView>, AppError> {
    app.doors().await
}

#[tauri::command]
pub async fn daily_counts(app: App<'_>, from: i64, to: i64) -> Result<Vec<DayCount>, AppError> {
    app.daily_counts(from, to).await
}

/// Writes the filtered history as CSV into the user's Downloads folder; returns the path.
#[tauri::command]
pub async fn export_csv(app: App<'_>, query: HistoryQueryView) -> Result<String, AppError> {
    crate::export::to_downloads(app.export_csv(query).await?)
}

#[tauri::command]
pub async fn save_settings(app: App<'_>, patch: SettingsPatch) -> Result<Settings, AppError> {
    app.save_settings(patch).await
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
pub async fn leave_demo(app: App<'_>) -> Result<(), AppError> {
    app.leave_demo().await
}

#[tauri::command]
pub async fn refresh_now(app: App<'_>) -> Result<(), AppError> {
    app.refresh_now().await
}

#[tauri::command]
pub async fn pause(app: App<'_>, request: PauseRequest) -> Result<(), AppError> {
    app.pause(Some(request)).await
}

#[tauri::command]
pub async fn resume(app: App<'_>) -> Result<(), AppError> {
    app.pause(None).await
}

#[tauri::command]
pub async fn add_place(app: App<'_>, place: NewPlace) -> Result<TokenCheck, AppError> {
    app.add_place(place).await
}

#[tauri::command]
pub async fn update_place(app: App<'_>, id: String, patch: PlacePatch) -> Result<(), AppError> {
    app.update_place(&id, patch).await
}

#[tauri::command]
pub async fn set_place_token(
    app: App<'_>,
    id: String,
    token: String,
) -> Result<TokenCheck, AppError> {
    app.set_place_token(&id, &token).await
}

#[tauri::command]
pub async fn remove_place(app: App<'_>, id: String, delete_history: bool) -> Result<(), AppError> {
    app.remove_place(&id, delete_history).await
}

#[tauri::command]
pub async fn mute_door(
    app: App<'_>,
    door_id: String,
    request: MuteRequest,
) -> Result<(), AppError> {
    app.mute_door(&door_id, request).await
}

#[tauri::command]
pub async fn test_notification(app: App<'_>) -> Result<(), AppError> {
    app.test_notification().await
}
