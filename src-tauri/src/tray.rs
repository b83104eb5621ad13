//! The tray: menu-first, because Linux delivers no tray clicks.
//!
//! Status line, the latest unlocks (choosing one opens it in the window), Pause, Check now,
//! Open Doorpost, Quit; and an icon per state: idle, new unlocks, degraded (can't reach
//! Parakey), error (token rejected). Rebuilt after every change the engine reports.

use std::sync::Arc;

use doorpost_core::ipc::{HistoryQueryView, Mode, PauseRequest, PhaseView, StatusView};
use doorpost_core::text;
use doorpost_core::time::Millis;
use doorpost_engine::http::wall_now;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

use crate::app::Doorpost;

const TRAY_ID: &str = "doorpost";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrayLook {
    Idle,
    New,
    Degraded,
    Error,
}

fn icon(look: TrayLook) -> Image<'static> {
    let bytes: &[u8] = match look {
        TrayLook::Idle => include_bytes!("../../icons/tray-idle.png"),
        TrayLook::New => include_bytes!("../../icons/tray-new.png"),
        TrayLook::Degraded => include_bytes!("../../icons/tray-degraded.png"),
        TrayLook::Error => include_bytes!("../../icons/tray-error.png"),
    };
    Image::from_bytes(bytes).expect("the tray icons are valid PNGs")
}

pub fn look(status: &StatusView, unseen: u32) -> TrayLook {
    match status.phase {
        PhaseView::AuthRejected => TrayLook::Error,
        PhaseView::Degraded => TrayLook::Degraded,
        _ if unseen > 0 => TrayLook::New,
        _ => TrayLook::Idle,
    }
}

fn clock(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "--:--".into(), |t| t.format("%H:%M").to_string())
}

/// The first line of the menu, in plain words.
pub fn status_line(mode: Mode, s: &StatusView) -> String {
    let prefix = if mode == Mode::Demo { "Demo · " } else { "" };
    let line = match s.phase {
        PhaseView::NotConfigured => "Not set up yet: open Doorpost".to_string(),
        PhaseView::Checking => "Checking Parakey…".to_string(),
        PhaseView::Paused => match s.paused_until {
            Some(t) => format!("Paused until {}", clock(t)),
            None => "Paused".to_string(),
        },
        PhaseView::Degraded => match s.next_check {
            Some(t) => format!("Can't reach Parakey; retrying at {}", clock(t)),
            None => "Can't reach Parakey".to_string(),
        },
        PhaseView::AuthRejected => "Token rejected: open Settings".to_string(),
        PhaseView::Idle => match s.last_check {
            Some(t) => {
                let mins = wall_now().since(Millis(t)) / Millis::MINUTE;
                if mins < 1 {
                    "Checked just now".to_string()
                } else {
                    format!("Checked {mins} min ago")
                }
            }
            None => "Starting…".to_string(),
        },
    };
    format!("{prefix}{line}")
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = Menu::with_items(
        app,
        &[&MenuItem::with_id(
            app,
            "open",
            "Open Doorpost",
            true,
            None::<&str>,
        )?],
    )?;
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

/// Rebuilds the menu and icon from the current state (off the caller's thread).
pub fn refresh(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<Arc<Doorpost>>() else {
            return;
        };
        let doorpost = Arc::clone(&state);
        let status = doorpost.status().await;
        let (mode, latest) = {
            let slot = doorpost.session.lock().await;
            match slot.as_ref() {
                Some(s) => {
                    let settings = s.settings();
                    let rows = s.with_store(|store| {
                        store
                            .history(&crate::views::query(&HistoryQueryView {
                                limit: Some(5),
                                ..Default::default()
                            }))
                            .map(|p| {
                                p.rows
                                    .iter()
                                    .map(|r| crate::views::row(r, settings.allowed_offset))
                                    .collect::<Vec<_>>()
                            })
                            .unwrap_or_default()
                    });
                    (s.mode, rows)
                }
                None => (Mode::Unconfigured, Vec::new()),
            }
        };
        let unseen = *doorpost.unseen.lock().unwrap_or_else(|p| p.into_inner());
        let Some(tray) = app.tray_by_id(TRAY_ID) else {
            return;
        };
        match build_menu(&app, mode, &status, &latest) {
            Ok(menu) => {
                let _ = tray.set_menu(Some(menu));
            }
            Err(e) => tracing::warn!("tray menu not updated: {e}"),
        }
        let _ = tray.set_icon(Some(icon(look(&status, unseen))));
        let _ = tray.set_tooltip(Some(format!("Doorpost: {}", status_line(mode, &status))));
    });
}

fn build_menu(
    app: &AppHandle,
    mode: Mode,
    status: &StatusView,
    latest: &[doorpost_core::ipc::HistoryRowView],
) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(
        app,
        "status",
        status_line(mode, status),
        false,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    if latest.is_empty() {
        menu.append(&MenuItem::with_id(
            app,
            "none",
            "No unlocks yet",
            false,
            None::<&str>,
        )?)?;
    }
    for r in latest {
        let who = r.user.as_deref().unwrap_or("Someone");
        // Hostile names: cut each so the time still shows, and keep `&` from being a mnemonic.
        let label = text::menu_label(&format!(
            "{} · {} · {}",
            text::cut(&r.door, 24),
            text::cut(who, 24),
            clock(r.unlocked_at)
        ));
        menu.append(&MenuItem::with_id(
            app,
            format!("unlock:{}", r.id),
            label,
            true,
            None::<&str>,
        )?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    let paused = status.phase == PhaseView::Paused;
    let running = !matches!(status.phase, PhaseView::NotConfigured);
    let pause = Submenu::with_id_and_items(
        app,
        "pause",
        "Pause",
        running,
        &[
            &MenuItem::with_id(app, "pause-1h", "For 1 hour", !paused, None::<&str>)?,
            &MenuItem::with_id(
                app,
                "pause-tomorrow",
                "Until tomorrow",
                !paused,
                None::<&str>,
            )?,
            &MenuItem::with_id(app, "resume", "Resume", paused, None::<&str>)?,
        ],
    )?;
    menu.append(&pause)?;
    menu.append(&MenuItem::with_id(
        app,
        "check-now",
        "Check now",
        running,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        "open",
        "Open Doorpost",
        true,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        "quit",
        "Quit Doorpost",
        true,
        None::<&str>,
    )?)?;
    Ok(menu)
}

fn on_menu(app: &AppHandle, id: &str) {
    let Some(state) = app.try_state::<Arc<Doorpost>>() else {
        return;
    };
    let doorpost = Arc::clone(&state);
    let app = app.clone();
    let id = id.to_string();
    tauri::async_runtime::spawn(async move {
        match id.as_str() {
            "open" => crate::show_window(&app, None),
            "quit" => crate::quit(&app).await,
            "check-now" => {
                if let Err(e) = doorpost.refresh_now().await {
                    tracing::info!("check now: {}", e.message);
                }
            }
            "pause-1h" => doorpost.pause(Some(PauseRequest::OneHour)).await,
            "pause-tomorrow" => doorpost.pause(Some(PauseRequest::UntilTomorrow)).await,
            "resume" => doorpost.pause(None).await,
            other => {
                if let Some(event) = other.strip_prefix("unlock:") {
                    crate::show_window(&app, Some(event.to_string()));
                }
            }
        }
        doorpost.changed(0);
    });
}
