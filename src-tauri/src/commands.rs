//! The IPC commands: one plain function each over [`doorpost_engine::hub::Hub`].
//!
//! The `#[tauri::command]` wrappers and the handler list are written by
//! [`doorpost_core::with_commands!`] from the one declaration in `doorpost_core::commands`,
//! which also writes the UI's TypeScript: a function here whose arguments or answer differ
//! from the declaration does not compile. Every command returns `Result<_, AppError>`
//! (`{ code, message, fields }`); none can return the token. The capability file grants
//! exactly these; `build.rs` lists them for tauri-build (tests below hold both to the
//! declaration).

use std::sync::Arc;

use doorpost_core::ipc::{
    AppError, DayCount, DoorView, FeedView, HistoryPageView, HistoryQueryView, Mode, MuteRequest,
    NewFeed, NewPlace, Overview, PauseRequest, PlacePatch, PlaceView, SecretToken, StaffRef,
    StayView, StaysQuery, TokenCheck,
};
use doorpost_core::settings::{Settings, SettingsPatch};
use doorpost_engine::hub::Hub;

type App = Arc<Hub>;

/// The Tauri wrappers, named as declared: each passes the hub and its arguments on.
macro_rules! tauri_commands {
    ($( $(#[doc = $doc:expr])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $answer:ty ; )*) => {
        mod wrappers {
            use super::*;
            $(
                $(#[doc = $doc])*
                #[tauri::command]
                async fn $name(
                    app: tauri::State<'_, App>,
                    $($arg: $ty),*
                ) -> Result<$answer, AppError> {
                    super::$name(&app, $($arg),*).await
                }
            )*

            /// Every declared command, for `Builder::invoke_handler`.
            pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
                tauri::generate_handler![$($name),*]
            }
        }
        pub use wrappers::handler;
    };
}

doorpost_core::with_commands!(tauri_commands);

async fn overview(app: &App) -> Result<Overview, AppError> {
    Ok(app.overview().await)
}

async fn history(app: &App, query: HistoryQueryView) -> Result<HistoryPageView, AppError> {
    app.history(query).await
}

async fn doors(app: &App) -> Result<Vec<DoorView>, AppError> {
    app.doors().await
}

async fn daily_counts(app: &App, query: HistoryQueryView) -> Result<Vec<DayCount>, AppError> {
    app.daily_counts(query).await
}

/// Writes the filtered history as CSV into the user's Downloads folder; returns the path.
async fn export_csv(app: &App, query: HistoryQueryView) -> Result<String, AppError> {
    let (dir, time) = crate::export::destination();
    app.export_csv(query, dir, time).await
}

async fn save_settings(app: &App, patch: SettingsPatch) -> Result<Settings, AppError> {
    app.save_settings(patch).await
}

async fn set_token(app: &App, token: SecretToken) -> Result<TokenCheck, AppError> {
    app.set_token(&token).await
}

async fn clear_token(app: &App) -> Result<(), AppError> {
    app.clear_token().await
}

async fn start_demo(app: &App) -> Result<(), AppError> {
    app.switch(Mode::Demo).await
}

async fn leave_demo(app: &App) -> Result<(), AppError> {
    app.leave_demo().await
}

async fn refresh_now(app: &App) -> Result<(), AppError> {
    app.refresh_now().await
}

async fn pause(app: &App, request: PauseRequest) -> Result<(), AppError> {
    app.pause(Some(request)).await
}

async fn resume(app: &App) -> Result<(), AppError> {
    app.pause(None).await
}

async fn add_place(app: &App, place: NewPlace) -> Result<PlaceView, AppError> {
    app.add_place(place).await
}

async fn update_place(app: &App, id: String, patch: PlacePatch) -> Result<PlaceView, AppError> {
    app.update_place(&id, patch).await
}

async fn set_place_token(
    app: &App,
    id: String,
    token: SecretToken,
) -> Result<TokenCheck, AppError> {
    app.set_place_token(&id, &token).await
}

async fn remove_place(app: &App, id: String, delete_history: bool) -> Result<(), AppError> {
    app.remove_place(&id, delete_history).await
}

async fn mute_door(app: &App, door_id: String, request: MuteRequest) -> Result<(), AppError> {
    app.mute_door(&door_id, request).await
}

async fn test_notification(app: &App) -> Result<(), AppError> {
    app.test_notification().await
}

async fn feeds(app: &App) -> Result<Vec<FeedView>, AppError> {
    app.feeds().await
}

async fn add_feed(app: &App, feed: NewFeed) -> Result<FeedView, AppError> {
    app.add_feed(feed).await
}

async fn check_feed(app: &App, place_id: String, label: String) -> Result<FeedView, AppError> {
    app.check_feed(&place_id, &label).await
}

async fn remove_feed(app: &App, place_id: String, label: String) -> Result<(), AppError> {
    app.remove_feed(&place_id, &label).await
}

async fn stays(app: &App, query: StaysQuery) -> Result<Vec<StayView>, AppError> {
    app.stays(query).await
}

async fn staff(app: &App) -> Result<Vec<StaffRef>, AppError> {
    app.staff().await
}

async fn add_staff(app: &App, person: StaffRef) -> Result<(), AppError> {
    app.add_staff(person).await
}

async fn remove_staff(app: &App, person: StaffRef) -> Result<(), AppError> {
    app.remove_staff(person).await
}

#[cfg(test)]
mod tests {
    use doorpost_core::commands::{NAMES, permission};

    /// The quoted names in `build.rs`'s `AppManifest::commands(&[…])`, which tauri-build
    /// needs before anything here is compiled, so it cannot read the declaration.
    fn manifest_names() -> Vec<String> {
        let build = include_str!("../build.rs");
        let list = build
            .split_once(".commands(&[")
            .and_then(|(_, rest)| rest.split_once("])"))
            .expect("build.rs lists the commands in AppManifest::commands(&[…])")
            .0;
        list.split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn build_manifest_lists_exactly_the_declared_commands() {
        let declared: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            manifest_names(),
            declared,
            "src-tauri/build.rs must list doorpost_core::commands::NAMES, in order"
        );
    }

    #[test]
    fn capability_grants_exactly_the_declared_commands() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let granted: Vec<String> = file["permissions"]
            .as_array()
            .expect("a permissions list")
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with("core:"))
            .map(str::to_string)
            .collect();
        let declared: Vec<String> = NAMES.iter().map(|n| permission(n)).collect();
        assert_eq!(
            granted, declared,
            "capabilities/main.json must grant each declared command, in order, and no other"
        );
    }
}
