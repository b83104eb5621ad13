//! Doorpost's desktop shell: the only crate that knows Tauri exists.
//!
//! It wires the engine (`doorpost-engine`) to a tray, a window and OS services: the
//! keychain for the token, notify-rust for toasts, a control socket for `doorpost refresh`.
//! Commands are thin ([`commands`]); session switching lives in [`app`]; everything that
//! decides lives in `doorpost-core`.
//!
//! Lifecycle: one instance per user (a second launch focuses the first). Closing the
//! window destroys the webview (memory goes back to the system) and Doorpost stays in the
//! tray; Quit stops the engine cleanly, then exits.

mod app;
mod autostart;
mod cli;
mod commands;
mod control;
mod env_token;
mod paths;
mod tray;
mod views;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use doorpost_core::ipc::OpenEvent;
use doorpost_engine::desktop_notifier::DesktopNotifier;
use doorpost_engine::http::{ApiToken, BaseUrl, DEFAULT_BASE_URL};
use doorpost_engine::keychain::{OsKeychain, TokenStore};
use tauri::{AppHandle, Emitter, Manager, RunEvent};

use crate::app::{Doorpost, OPEN_EVENT};

/// The keychain entry: one per build flavour, so a dev build never touches a real one.
pub fn keychain() -> Arc<dyn TokenStore> {
    Arc::new(OsKeychain::new(paths::IDENTIFIER, "parakey-token"))
}

pub fn main() -> ExitCode {
    // Guests' data: whatever this process (and WebKit's) creates is the user's alone.
    doorpost_engine::private_files::restrict_new_files();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("doorpost: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    match command {
        cli::Command::Help => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        cli::Command::Refresh => cli::refresh(),
        cli::Command::Version => {
            println!("{}", cli::version());
            ExitCode::SUCCESS
        }
        cli::Command::Export(a) => cli::export(a),
        cli::Command::Doctor => cli::doctor(),
        cli::Command::Gui { hidden, demo } => run(hidden, demo),
    }
}

fn run(hidden: bool, demo: bool) -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    // An install from before files were private: its folder 0755, its files 0644.
    if let Err(e) = doorpost_engine::private_files::secure_tree(&paths::data_root()) {
        tracing::warn!("could not make the data folder private: {e}");
    }
    // Out of the environment before WebKit's processes could inherit it.
    let env_token = match env_token::take() {
        Ok(Some(t)) => match ApiToken::new(&t) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("doorpost: DOORPOST_TOKEN: {e}");
                return ExitCode::from(2);
            }
        },
        Ok(None) => None,
        Err(e) => {
            eprintln!("doorpost: {e}");
            return ExitCode::from(2);
        }
    };
    let base = std::env::var("DOORPOST_API_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());
    let base = match BaseUrl::parse(&base) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("doorpost: DOORPOST_API_URL: {e}");
            return ExitCode::from(2);
        }
    };
    let (opens_tx, opens_rx) = std::sync::mpsc::channel::<String>();
    desktop_identity();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // A second launch: bring this one forward instead of starting another poller.
            show_window(app, None);
        }))
        .invoke_handler(tauri::generate_handler![
            commands::overview,
            commands::history,
            commands::doors,
            commands::daily_counts,
            commands::export_csv,
            commands::save_settings,
            commands::set_token,
            commands::clear_token,
            commands::start_demo,
            commands::refresh_now,
            commands::pause,
            commands::resume,
        ])
        .setup(move |tauri_app| {
            let handle = tauri_app.handle().clone();
            let icon = notification_icon();
            let doorpost = Arc::new(Doorpost {
                app: handle.clone(),
                session: tokio::sync::Mutex::new(None),
                keychain: keychain(),
                env_token,
                base,
                notifier: Arc::new(DesktopNotifier::new(paths::APP_ID, &icon, opens_tx)),
                unseen: std::sync::Mutex::new(0),
            });
            tauri_app.manage(Arc::clone(&doorpost));
            tray::create(&handle)?;
            let starting = Arc::clone(&doorpost);
            tauri::async_runtime::spawn(async move {
                if let Err(e) = starting.start(demo).await {
                    tracing::error!("Doorpost could not start syncing: {}", e.message);
                }
            });
            let controlled = Arc::clone(&doorpost);
            tauri::async_runtime::spawn(control::serve(paths::control_socket(), move |cmd| {
                let doorpost = Arc::clone(&controlled);
                async move {
                    match cmd.as_str() {
                        "refresh" => doorpost.refresh_now().await.map_err(|e| e.message),
                        other => Err(format!("unknown command {other:?}")),
                    }
                }
            }));
            // A notification's default action opens that unlock in the window.
            let opener = handle.clone();
            std::thread::spawn(move || {
                for id in opens_rx {
                    show_window(&opener, Some(id));
                }
            });
            if !hidden {
                show_window(&handle, None);
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            eprintln!("doorpost: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|_app, event| {
        // Closing the last window keeps Doorpost in the tray; only Quit (an explicit exit
        // code) ends it.
        if let RunEvent::ExitRequested { api, code, .. } = event
            && code.is_none()
        {
            api.prevent_exit();
        }
    });
    ExitCode::SUCCESS
}

/// Names the process after the desktop entry before any window exists: X11's `WM_CLASS`
/// (both halves) and Wayland's app id then match `co.doorpost.app.desktop`, so docks group
/// the window under it and show its icon. GTK is started here for that (Tauri's own start
/// then finds it running); if it can't start, Tauri reports why.
fn desktop_identity() {
    #[cfg(target_os = "linux")]
    {
        gtk::glib::set_prgname(Some(paths::APP_ID));
        if gtk::init().is_ok() {
            gtk::gdk::set_program_class(paths::APP_ID);
        }
    }
}

/// The app icon as a file for the notification server (which takes a path).
fn notification_icon() -> std::path::PathBuf {
    let path = paths::data_root().join("doorpost-icon.png");
    if !path.exists() {
        let _ = std::fs::create_dir_all(paths::data_root());
        let _ = std::fs::write(&path, include_bytes!("../../icons/128x128.png"));
    }
    path
}

/// Shows (creating if needed) the window; with an event id, opens that unlock in it.
pub fn show_window(app: &AppHandle, open: Option<String>) {
    let app = app.clone();
    let app2 = app.clone();
    let _ = app.run_on_main_thread(move || {
        let window = match app2.get_webview_window("main") {
            Some(w) => w,
            None => {
                let Some(config) = app2.config().app.windows.first().cloned() else {
                    return;
                };
                // The webview's storage goes in Doorpost's own data directory: Tauri's
                // default is named after the config's identifier, which a dev build shares
                // with a real install.
                match tauri::WebviewWindowBuilder::from_config(&app2, &config)
                    .and_then(|b| b.data_directory(paths::data_root().join("webview")).build())
                {
                    Ok(w) => w,
                    Err(e) => {
                        tracing::error!("could not open the window: {e}");
                        return;
                    }
                }
            }
        };
        lighten(&window);
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
        if let Some(state) = app2.try_state::<Arc<Doorpost>>() {
            *state.unseen.lock().unwrap_or_else(|p| p.into_inner()) = 0;
        }
        crate::tray::refresh(&app2);
        if let Some(id) = open {
            // A window just created is not listening yet: say it again once it is.
            let _ = app2.emit(OPEN_EVENT, OpenEvent { id: id.clone() });
            let later = app2.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                let _ = later.emit(OPEN_EVENT, OpenEvent { id });
            });
        }
    });
}

/// A small window needs no page caches: memory a tray app would keep for hours. (Turning
/// GPU compositing off after the view exists relaunches its web process, which breaks
/// automation and costs a flash; `WEBKIT_DISABLE_COMPOSITING_MODE=1` in the environment
/// does it from the start instead.)
fn lighten(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
}

/// Stops the engine cleanly, then exits.
pub async fn quit(app: &AppHandle) {
    if let Some(state) = app.try_state::<Arc<Doorpost>>() {
        let session = state.session.lock().await.take();
        if let Some(s) = session {
            s.stop().await;
        }
    }
    let _ = std::fs::remove_file(paths::control_socket());
    app.exit(0);
}
