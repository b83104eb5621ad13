//! The window: shown (created when needed, its webview's data in Doorpost's own folder) and
//! told which unlock or Settings to open; opening it marks the news seen and redraws the
//! tray. And Quit, which stops the engines cleanly before the app exits.

use std::sync::Arc;
use std::time::Duration;

use doorpost_core::commands::{OPEN_EVENT, OPEN_SETTINGS_EVENT};
use doorpost_core::ipc::OpenEvent;
use doorpost_engine::hub::Hub;
use tauri::{AppHandle, Emitter, Manager};

use crate::{control_channel, desktop_integration, paths, tray_menu};

/// What to show when the window opens.
pub enum Open {
    Event(String),
    Settings,
}

/// Shows (creating if needed) the window; opens an unlock or Settings in it when asked.
pub fn show_window(app: &AppHandle, open: Option<Open>) {
    let app = app.clone();
    let app2 = app.clone();
    let _ = app.run_on_main_thread(move || {
        let Some(window) = main_window(&app2) else {
            return;
        };
        desktop_integration::lighten(&window);
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
        if let Some(hub) = app2.try_state::<Arc<Hub>>() {
            hub.seen();
        }
        tray_menu::refresh(&app2);
        if let Some(open) = open {
            // A window just created is not listening yet: say it again once it is.
            announce(&app2, &open);
            let later = app2.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                announce(&later, &open);
            });
        }
    });
}

fn announce(app: &AppHandle, open: &Open) {
    let _ = match open {
        Open::Event(id) => app.emit(OPEN_EVENT, OpenEvent { id: id.clone() }),
        Open::Settings => app.emit(OPEN_SETTINGS_EVENT, ()),
    };
}

fn main_window(app: &AppHandle) -> Option<tauri::WebviewWindow> {
    if let Some(w) = app.get_webview_window("main") {
        return Some(w);
    }
    let config = app.config().app.windows.first().cloned()?;
    // The webview's storage goes in Doorpost's own data directory: Tauri's default is
    // named after the config's identifier, which a dev build shares with a real install.
    match tauri::WebviewWindowBuilder::from_config(app, &config)
        .and_then(|b| b.data_directory(paths::data_root().join("webview")).build())
    {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::error!("could not open the window: {e}");
            None
        }
    }
}

/// Stops the engines cleanly, then exits.
pub async fn quit(app: &AppHandle) {
    if let Some(hub) = app.try_state::<Arc<Hub>>() {
        hub.shutdown().await;
    }
    control_channel::remove(&paths::control_socket());
    app.exit(0);
}
