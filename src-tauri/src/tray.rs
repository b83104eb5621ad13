//! The tray: renders [`doorpost_core::tray::menu`] (menu-first, because Linux delivers no
//! tray clicks) and runs the typed action of the item chosen. An item's id names its action
//! ([`TrayAction::from_id`] reads it back), so a click does what the clicked item said even
//! when a refresh replaced the menu meanwhile.

use std::sync::Arc;

use doorpost_core::tray::{TrayAction, TrayLook};
use doorpost_engine::hub::Hub;
use tauri::menu::Menu;
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use crate::tray_menu::{TRAY_ID, icon, refresh, start};

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = Menu::new(app)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(TrayLook::Idle))
        .tooltip("Doorpost")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    start(app);
    refresh(app);
    Ok(())
}

fn on_menu(app: &AppHandle, id: &str) {
    let Some(action) = TrayAction::from_id(id) else {
        tracing::debug!("tray: item {id:?} names no action");
        return;
    };
    let Some(hub) = app.try_state::<Arc<Hub>>() else {
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
