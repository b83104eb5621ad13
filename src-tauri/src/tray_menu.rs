//! The tray's menu and icon, rebuilt from the hub's state: renders
//! [`doorpost_core::tray::menu`], keeping the actions of the menu on show by item id (an
//! item's id is its index), and rebuilds nothing when the model did not change.

use std::sync::{Arc, Mutex};

use doorpost_core::text;
use doorpost_core::tray::{TrayAction, TrayEntry, TrayLook, TrayMenu};
use doorpost_engine::hub::Hub;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Manager, Wry};

pub(crate) const TRAY_ID: &str = "doorpost";

/// The actions of the menu on show, by item id.
#[derive(Default)]
pub struct Actions(pub(crate) Mutex<Vec<TrayAction>>);

/// The menu on show: a refresh whose model did not change rebuilds nothing (a status
/// change or a page of a sync signals often, and each rebuild is many toolkit items).
#[derive(Default)]
pub struct Shown(Mutex<Option<TrayMenu>>);

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

/// Rebuilds the menu and icon from the hub's state (off the caller's thread).
pub fn refresh(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(hub) = app.try_state::<Arc<Hub>>().map(|h| Arc::clone(&h)) else {
            return;
        };
        let model = doorpost_core::tray::menu(&hub.tray().await);
        let Some(tray) = app.tray_by_id(TRAY_ID) else {
            return;
        };
        if let Some(shown) = app.try_state::<Shown>() {
            let mut last = shown.0.lock().unwrap_or_else(|p| p.into_inner());
            if last.as_ref() == Some(&model) {
                return;
            }
            *last = Some(model.clone());
        }
        let mut actions = Vec::new();
        match build(&app, &model, &mut actions) {
            Ok(menu) => {
                if let Some(state) = app.try_state::<Actions>() {
                    *state.0.lock().unwrap_or_else(|p| p.into_inner()) = actions;
                }
                let _ = tray.set_menu(Some(menu));
            }
            Err(e) => {
                tracing::warn!("tray menu not updated: {e}");
                if let Some(shown) = app.try_state::<Shown>() {
                    *shown.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
                }
            }
        }
        let _ = tray.set_icon(Some(icon(model.look)));
        let _ = tray.set_tooltip(Some(model.tooltip));
    });
}

fn build(
    app: &AppHandle,
    model: &TrayMenu,
    actions: &mut Vec<TrayAction>,
) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    for entry in &model.entries {
        menu.append(&*entry_item(app, entry, actions)?)?;
    }
    Ok(menu)
}

fn entry_item(
    app: &AppHandle,
    entry: &TrayEntry,
    actions: &mut Vec<TrayAction>,
) -> tauri::Result<Box<dyn IsMenuItem<Wry>>> {
    Ok(match entry {
        TrayEntry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
        TrayEntry::Item { label, action } => {
            let id = actions.len().to_string();
            if let Some(a) = action {
                actions.push(a.clone());
            }
            Box::new(MenuItem::with_id(
                app,
                id,
                text::menu_label(label),
                action.is_some(),
                None::<&str>,
            )?)
        }
        TrayEntry::Submenu { label, entries } => {
            let sub = Submenu::new(app, text::menu_label(label), true)?;
            for e in entries {
                sub.append(&*entry_item(app, e, actions)?)?;
            }
            Box::new(sub)
        }
    })
}
