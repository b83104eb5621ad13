//! The tray: renders [`doorpost_core::tray::menu`] (menu-first, because Linux delivers no
//! tray clicks) and runs the typed action of the item chosen. Item ids are indexes into
//! the actions of the menu last built; nothing parses them.

use std::sync::Arc;

use doorpost_core::tray::{TrayAction, TrayLook};
use doorpost_engine::hub::Hub;
use tauri::menu::Menu;
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use crate::tray_menu::{Actions, Shown, TRAY_ID, icon, refresh};

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    app.manage(Actions::default());
    app.manage(Shown::default());
    let menu = Menu::new(app)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(TrayLook::Idle))
        .tooltip("Doorpost")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    refresh(app);
    Ok(())
}

fn on_menu(app: &AppHandle, id: &str) {
    let action = id.parse::<usize>().ok().and_then(|i| {
        let state = app.try_state::<Actions>()?;
        let list = state.0.lock().unwrap_or_else(|p| p.into_inner());
        list.get(i).cloned()
    });
    let (Some(action), Some(hub)) = (action, app.try_state::<Arc<Hub>>()) else {
        return;
    };
    let hub = Arc::clone(&hub);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let open = |what| crate::window::show_window(&app, what);
        let result = match action {
            TrayAction::OpenWindow => {
                open(None);
                Ok(())
            }
            TrayAction::OpenSettings => {
                open(Some(crate::window::Open::Settings));
                Ok(())
            }
            TrayAction::OpenEvent(id) => {
                open(Some(crate::window::Open::Event(id)));
                Ok(())
            }
            TrayAction::Quit => {
                crate::window::quit(&app).await;
                Ok(())
            }
            TrayAction::CheckNow => hub.refresh_now().await,
            TrayAction::PauseNotifications(r) => hub.pause(Some(r)).await,
            TrayAction::ResumeNotifications => hub.pause(None).await,
            TrayAction::MuteDoor { door_id, request } => hub.mute_door(&door_id, request).await,
        };
        if let Err(e) = result {
            tracing::info!("tray: {}", e.message);
        }
        refresh(&app);
    });
}
