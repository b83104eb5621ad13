//! The tray app: what must happen before any thread or window exists, Tauri's builder and
//! setup (the hub, the tray, the window), and the services around the hub (its start, its
//! signals to the window and the tray, the control socket, the toasts' actions).

use std::process::ExitCode;
use std::sync::Arc;

use doorpost_core::commands::CHANGED_EVENT;
use doorpost_core::i18n::SystemLocale;
use doorpost_core::ipc::MuteRequest;
use doorpost_engine::desktop_notifier::DesktopNotifier;
use doorpost_engine::http::{ApiToken, BaseUrl};
use doorpost_engine::hub::{Hub, HubOptions, Signal};
use doorpost_engine::notifier::ToastAction;
use tauri::{AppHandle, Emitter, Manager, RunEvent};

use crate::app_env::{checked_environment, keychains, parakey_base};
use crate::window::{Open, show_window};
use crate::{
    autostart, commands, control, desktop_integration, env_token, instance, paths, tray, tray_menu,
};

/// Logging to stderr, the data folder made private, and the token out of the environment:
/// what must happen before any thread or window exists.
fn prepare() -> Result<(Option<ApiToken>, BaseUrl), String> {
    doorpost_engine::logging::init(doorpost_engine::logging::LevelFilter::INFO);
    // Refused unless Doorpost's; an install from before files were private made private.
    doorpost_engine::private_files::claim_data_dir(&paths::data_root())
        .map_err(|e| e.to_string())?;
    // Out of the environment before WebKit's processes could inherit it.
    env_token::take()
        .map_err(|e| e.to_string())
        .and_then(checked_environment)
}

pub(crate) fn run(hidden: bool, demo: bool) -> ExitCode {
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
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                // This build's own name: a debug build has other data than an install.
                .dbus_id(paths::IDENTIFIER)
                .callback(|app, _argv, _cwd| {
                    // A second launch: bring this one forward instead of another poller.
                    show_window(app, None);
                })
                .build(),
        )
        .invoke_handler(commands::handler())
        .setup(move |tauri_app| {
            // Without D-Bus the plugin above lets a second instance through; the lock
            // does not. Held until the process ends.
            let lock = instance_lock();
            tauri_app.manage(lock);
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
                autostart: Some(Arc::new(autostart::LoginEntry)),
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
    let mut app = match result {
        Ok(app) => app,
        Err(e) => {
            eprintln!("doorpost: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    desktop_integration::release_with_window(&mut app);
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

/// This instance's lock on its data directory; a second instance says so and ends.
fn instance_lock() -> instance::InstanceLock {
    match instance::claim() {
        Ok(lock) => lock,
        Err(instance::Refused::Running(dir)) => {
            eprintln!(
                "doorpost: already running with the data in {}; `doorpost refresh` reaches it",
                dir.display()
            );
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("doorpost: {e}");
            std::process::exit(1);
        }
    }
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
                Ok(Signal::Changed(event)) => changed(&app, event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    changed(&app, doorpost_core::ipc::ChangedEvent::everything(0))
                }
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
                // A mis-click is undone from History ("Not staff"), Settings or
                // `doorpost staff remove`.
                ToastAction::MarkStaff(person) => {
                    let hub = Arc::clone(&hub);
                    tauri::async_runtime::spawn(async move {
                        if let Err(e) = hub.add_staff(person).await {
                            tracing::warn!("could not mark the person staff: {}", e.message);
                        }
                    });
                }
            }
        }
    });
}

/// Tells the window what changed (it refetches only that) and redraws the tray.
fn changed(app: &AppHandle, event: doorpost_core::ipc::ChangedEvent) {
    let _ = app.emit(CHANGED_EVENT, event);
    tray_menu::refresh(app);
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
