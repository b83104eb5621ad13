//! The tray's menu and icon, rebuilt from the hub's state: renders
//! [`doorpost_core::tray::menu`], each item's id naming its action
//! ([`TrayAction::id`]), never its position. One task rebuilds, one refresh at a time:
//! [`refresh`] only asks it to, and asks made while it works coalesce into one more
//! rebuild. A rebuild whose model did not change touches nothing.

use std::sync::Arc;

use doorpost_core::text;
use doorpost_core::tray::{TEXT_ITEM_ID, TrayEntry, TrayLook, TrayMenu};
use doorpost_engine::hub::Hub;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Manager, Wry};
use tokio::sync::Notify;

pub(crate) const TRAY_ID: &str = "doorpost";

/// Asks the one refresh task for a rebuild (a stored permit: asks coalesce).
#[derive(Default)]
pub struct RefreshAsked(Arc<Notify>);

/// The tray icons' side, in pixels (`build.rs` decodes `icons/tray-*.png` to RGBA).
const ICON_SIZE: u32 = 64;

pub(crate) fn icon(look: TrayLook) -> Image<'static> {
    let rgba: &'static [u8] = match look {
        TrayLook::Idle => include_bytes!(concat!(env!("OUT_DIR"), "/tray-idle.rgba")),
        TrayLook::New => include_bytes!(concat!(env!("OUT_DIR"), "/tray-new.rgba")),
        TrayLook::Degraded => include_bytes!(concat!(env!("OUT_DIR"), "/tray-degraded.rgba")),
        TrayLook::Error => include_bytes!(concat!(env!("OUT_DIR"), "/tray-error.rgba")),
    };
    Image::new(rgba, ICON_SIZE, ICON_SIZE)
}

/// Asks for the menu and icon to be rebuilt from the hub's state (by the refresh task,
/// off the caller's thread).
pub fn refresh(app: &AppHandle) {
    if let Some(asked) = app.try_state::<RefreshAsked>() {
        asked.0.notify_one();
    }
}

/// Starts the refresh task: the only code that sets the tray's menu, so two rebuilds never
/// interleave, and a stale model can never be shown after a newer one.
pub(crate) fn start(app: &AppHandle) {
    let asked = Arc::new(Notify::new());
    app.manage(RefreshAsked(asked.clone()));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut shown: Option<TrayMenu> = None;
        loop {
            asked.notified().await;
            rebuild(&app, &mut shown).await;
        }
    });
}

/// Rebuilds the menu and icon when the model differs from `shown`, the one on show.
async fn rebuild(app: &AppHandle, shown: &mut Option<TrayMenu>) {
    let Some(hub) = app.try_state::<Arc<Hub>>().map(|h| Arc::clone(&h)) else {
        return;
    };
    let model = doorpost_core::tray::menu(&hub.tray().await);
    // A status change or a page of a sync asks often, and each rebuild is many toolkit
    // items: nothing changed, nothing to do.
    if shown.as_ref() == Some(&model) {
        return;
    }
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match build(app, &model) {
        Ok(menu) => {
            let _ = tray.set_menu(Some(menu));
        }
        Err(e) => tracing::warn!("tray menu not updated: {e}"),
    }
    let _ = tray.set_icon(Some(icon(model.look)));
    let _ = tray.set_tooltip(Some(model.tooltip.clone()));
    *shown = Some(model);
}

fn build(app: &AppHandle, model: &TrayMenu) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    for entry in &model.entries {
        menu.append(&*entry_item(app, entry)?)?;
    }
    Ok(menu)
}

fn entry_item(app: &AppHandle, entry: &TrayEntry) -> tauri::Result<Box<dyn IsMenuItem<Wry>>> {
    Ok(match entry {
        TrayEntry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
        TrayEntry::Item { label, action } => Box::new(MenuItem::with_id(
            app,
            action
                .as_ref()
                .map_or_else(|| TEXT_ITEM_ID.to_string(), |a| a.id()),
            text::menu_label(label),
            action.is_some(),
            None::<&str>,
        )?),
        TrayEntry::Submenu { label, entries } => {
            let sub = Submenu::new(app, text::menu_label(label), true)?;
            for e in entries {
                sub.append(&*entry_item(app, e)?)?;
            }
            Box::new(sub)
        }
    })
}
