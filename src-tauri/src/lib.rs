//! Doorpost's desktop shell: the only crate that knows Tauri exists.
//!
//! It wires the engine's hub ([`doorpost_engine::hub::Hub`]: every place's engine, the
//! demo, the reads) to a tray, a window and OS services: the keychain for tokens,
//! notify-rust for toasts, a control socket for the command line. Commands are one-line
//! adapters ([`commands`]); the tray renders the core's menu model ([`tray`]); everything
//! that decides lives in `doorpost-core`.
//!
//! Lifecycle: one instance per user (a second launch focuses the first). Closing the
//! window destroys the webview (memory goes back to the system) and Doorpost stays in the
//! tray; Quit stops the engines cleanly, then exits.

mod autostart;
mod cli;
mod commands;
mod control;
mod control_channel;
mod desktop_integration;
mod doctor;
mod env_token;
mod export;
mod paths;
mod tray;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use doorpost_core::i18n::SystemLocale;
use doorpost_core::ipc::{MuteRequest, OpenEvent};
use doorpost_engine::desktop_notifier::DesktopNotifier;
use doorpost_engine::http::{ApiToken, BaseUrl, DEFAULT_BASE_URL};
use doorpost_engine::hub::{Hub, HubOptions, Keychains, Signal};
use doorpost_engine::keychain::{OsKeychain, TokenStore};
use doorpost_engine::notifier::ToastAction;
use tauri::{AppHandle, Emitter, Manager, RunEvent};

pub use doorpost_core::commands::{CHANGED_EVENT, OPEN_EVENT, OPEN_SETTINGS_EVENT};

/// What to show when the window opens.
pub enum Open {
    Event(String),
    Settings,
}

/// The keychain entries: one per place, in a service per build flavour, so a dev build
/// never touches a real one.
pub fn keychains() -> Keychains {
    Arc::new(|entry: &str| {
        Arc::new(OsKeychain::new(paths::IDENTIFIER, entry)) as Arc<dyn TokenStore>
    })
}

pub fn main() -> ExitCode {
    // Tokens and guests' data: never in a core dump (nor readable by ptrace).
    let _ = doorpost_engine::process::forbid_core_dumps();
    // Guests' data: whatever this process (and WebKit's) creates is the user's alone.
    doorpost_engine::private_files::restrict_new_files();
    cli::main()
}

/// `DOORPOST_TOKEN` and `DOORPOST_API_URL`, checked; a bad one is a usage error. For the
/// command-line tools, which start no child process: the app takes its token out of the
/// environment first ([`env_token::take`]).
pub fn environment() -> Result<(Option<ApiToken>, BaseUrl), String> {
    checked_environment(std::env::var(env_token::VAR).ok())
}

fn checked_environment(token: Option<String>) -> Result<(Option<ApiToken>, BaseUrl), String> {
    let token = match token {
        Some(t) if !t.trim().is_empty() => {
            Some(ApiToken::new(&t).map_err(|e| format!("DOORPOST_TOKEN: {e}"))?)
        }
        _ => None,
    };
    let base = std::env::var("DOORPOST_API_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());
    let base = BaseUrl::parse(&base).map_err(|e| format!("DOORPOST_API_URL: {e}"))?;
    Ok((token, base))
}

/// Parakey's own address: where a stored place without one of its own is.
pub fn parakey_base() -> BaseUrl {
    BaseUrl::parse(DEFAULT_BASE_URL).expect("Parakey's address is valid")
}

/// Logging to stderr, the data folder made private, and the token out of the environment:
/// what must happen before any thread or window exists.
fn prepare() -> Result<(Option<ApiToken>, BaseUrl), String> {
    doorpost_engine::logging::init(doorpost_engine::logging::LevelFilter::INFO);
    // An install from before files were private: its folder 0755, its files 0644.
    if let Err(e) = doorpost_engine::private_files::secure_tree(&paths::data_root()) {
        tracing::warn!("could not make the data folder private: {e}");
    }
    // Out of the environment before WebKit's processes could inherit it.
    env_token::take()
        .map_err(|e| e.to_string())
        .and_then(checked_environment)
}

fn run(hidden: bool, demo: bool) -> ExitCode {
    let (env_token, base) = match prepare() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("doorpost: {e}");
            return ExitCode::from(2);
        }
    };
    let (actions_tx, actions_rx) = std::sync::mpsc::channel::<ToastAction>();
    desktop_integration::desktop_identity();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // A second launch: bring this one forward instead of starting another poller.
            show_window(app, None);
        }))
        .invoke_handler(commands::handler())
        .setup(move |tauri_app| {
            let handle = tauri_app.handle().clone();
            let notifier = DesktopNotifier::new(paths::APP_ID, &notification_icon(), actions_tx);
            let hub = Hub::new(HubOptions {
                data_dir: paths::account_dir(),
                demo_dir: paths::demo_dir(),
                keychains: keychains(),
                env_token,
                default_base: base,
                parakey_base: parakey_base(),
                notifier: Arc::new(notifier),
                poller_config: doorpost_engine::test_hooks::test_interval(),
                system_locale: SystemLocale::from_env(|k| std::env::var(k).ok()),
                utc_offset_secs: None,
                autostart: Some(Arc::new(|on| autostart::set(on).map_err(|e| e.message))),
            });
            tauri_app.manage(Arc::clone(&hub));
            tray::create(&handle)?;
            spawn_services(&handle, &hub, actions_rx, demo);
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

/// The hub's start, its signals (window refetch, tray redraw), the control socket, and
/// what the user chooses on a toast.
fn spawn_services(
    handle: &AppHandle,
    hub: &Arc<Hub>,
    actions: std::sync::mpsc::Receiver<ToastAction>,
    demo: bool,
) {
    let starting = Arc::clone(hub);
    tauri::async_runtime::spawn(async move {
        if let Err(e) = starting.start(demo).await {
            tracing::error!("Doorpost could not start syncing: {}", e.message);
        }
    });
    let mut signals = hub.subscribe();
    let app = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match signals.recv().await {
                Ok(Signal::Changed { inserted }) => changed(&app, inserted),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => changed(&app, 0),
                Err(_) => break,
            }
        }
    });
    let controlled = Arc::clone(hub);
    tauri::async_runtime::spawn(control::serve(paths::control_socket(), move |cmd| {
        let hub = Arc::clone(&controlled);
        async move { control::answer(&hub, &cmd).await }
    }));
    let app = handle.clone();
    let hub = Arc::clone(hub);
    std::thread::spawn(move || {
        for action in actions {
            match action {
                ToastAction::Open(id) => show_window(&app, Some(Open::Event(id))),
                ToastAction::OpenSettings => show_window(&app, Some(Open::Settings)),
                ToastAction::MuteDoor(door) => {
                    let hub = Arc::clone(&hub);
                    tauri::async_runtime::spawn(async move {
                        if let Err(e) = hub.mute_door(&door, MuteRequest::OneHour).await {
                            tracing::warn!("could not mute the door: {}", e.message);
                        }
                    });
                }
            }
        }
    });
}

/// Tells the window to refetch and redraws the tray.
fn changed(app: &AppHandle, inserted: u32) {
    let _ = app.emit(CHANGED_EVENT, doorpost_core::ipc::ChangedEvent { inserted });
    tray::refresh(app);
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
        tray::refresh(&app2);
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
