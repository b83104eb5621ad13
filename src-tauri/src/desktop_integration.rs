//! What the shell does differently on each desktop: the process's name on the Linux
//! desktop, and, where the engine is WebKitGTK, the webview's memory settings and what is
//! ended when the window closes (WebKit's network process; the heap's free pages). On
//! Windows (WebView2) and macOS (WKWebView) none of it applies: the system names the app
//! after its bundle or executable, and the engines manage their own caches and processes.

/// Names the process after the desktop entry before any window exists: X11's `WM_CLASS`
/// (both halves) and Wayland's app id then match `co.doorpost.app.desktop`, so docks group
/// the window under it and show its icon. GTK is started here for that (Tauri's own start
/// then finds it running); if it can't start, Tauri reports why.
pub fn desktop_identity() {
    #[cfg(target_os = "linux")]
    {
        gtk::glib::set_prgname(Some(crate::paths::APP_ID));
        if gtk::init().is_ok() {
            gtk::gdk::set_program_class(crate::paths::APP_ID);
        }
    }
}

/// A small window needs no page caches: memory a tray app would keep for hours. (Turning
/// GPU compositing off after the view exists relaunches its web process, which breaks
/// automation and costs a flash; `WEBKIT_DISABLE_COMPOSITING_MODE=1` in the environment
/// does it from the start instead.)
pub fn lighten(window: &tauri::WebviewWindow) {
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
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// Closing the window gives back what WebKit started for it and what the heap kept (Linux;
/// WKWebView and WebView2 end their processes with the last view themselves).
pub fn release_with_window(app: &mut tauri::App) {
    #[cfg(target_os = "linux")]
    app.wry_plugin(EndNetworkProcess);
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Ends WebKit's network process when the window is gone. The web process ends with the
/// view, but the network process belongs to the web context, which tauri-runtime-wry keeps
/// for the app's life on Linux, and WebKit ends it only with the context. (Dropping the
/// context does not end it: something inside WebKit keeps the context, and the next window
/// would start a second network process beside the first.) So the context stays, and the
/// process is asked to stop (SIGTERM) once no webview uses it: WebKit starts a new one when
/// the next window loads its page. The window keeps nothing in web storage (no cookies, no
/// local storage), so nothing is lost with it.
#[cfg(target_os = "linux")]
pub struct EndNetworkProcess;

#[cfg(target_os = "linux")]
pub struct NetworkProcessEnder {
    window_gone: bool,
}

#[cfg(target_os = "linux")]
type RuntimeMessage = tauri_runtime_wry::Message<tauri::EventLoopMessage>;

#[cfg(target_os = "linux")]
impl tauri_runtime_wry::PluginBuilder<tauri::EventLoopMessage> for EndNetworkProcess {
    type Plugin = NetworkProcessEnder;

    fn build(self, _: tauri_runtime_wry::Context<tauri::EventLoopMessage>) -> Self::Plugin {
        NetworkProcessEnder { window_gone: false }
    }
}

#[cfg(target_os = "linux")]
impl tauri_runtime_wry::Plugin<tauri::EventLoopMessage> for NetworkProcessEnder {
    fn on_event(
        &mut self,
        event: &tauri_runtime_wry::tao::event::Event<RuntimeMessage>,
        _: &tauri_runtime_wry::tao::event_loop::EventLoopWindowTarget<RuntimeMessage>,
        _: &tauri_runtime_wry::tao::event_loop::EventLoopProxy<RuntimeMessage>,
        _: &mut tauri_runtime_wry::tao::event_loop::ControlFlow,
        _: tauri_runtime_wry::EventLoopIterationContext<'_, tauri::EventLoopMessage>,
        web_contexts: &tauri_runtime_wry::WebContextStore,
    ) -> bool {
        use tauri_runtime_wry::tao::event::{Event, WindowEvent};
        match event {
            // A plugin sees an event before the runtime: the window and its webview are
            // dropped after this, so the check waits for the end of this turn of the loop.
            Event::WindowEvent {
                event: WindowEvent::Destroyed,
                ..
            } => self.window_gone = true,
            Event::MainEventsCleared if self.window_gone => {
                self.window_gone = false;
                let unused = web_contexts
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .values()
                    .all(|context| context.referenced_by_webviews.is_empty());
                if unused {
                    end_network_processes();
                    // What GTK and WebKit freed with the window, now and once their
                    // deferred clean-up has run.
                    crate::heap::give_back();
                    gtk::glib::timeout_add_local_once(
                        std::time::Duration::from_secs(5),
                        crate::heap::give_back,
                    );
                }
            }
            _ => {}
        }
        false
    }
}

/// SIGTERM to this process's WebKit network processes (its children named so).
#[cfg(target_os = "linux")]
fn end_network_processes() {
    let me = std::process::id();
    let children = std::fs::read_dir(format!("/proc/{me}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|pid| pid.parse::<i32>().ok())
                .collect::<Vec<_>>()
        });
    for pid in children {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        if exe.file_name().and_then(|n| n.to_str()) != Some("WebKitNetworkProcess") {
            continue;
        }
        let Some(pid) = rustix::process::Pid::from_raw(pid) else {
            continue;
        };
        match rustix::process::kill_process(pid, rustix::process::Signal::TERM) {
            Ok(()) => tracing::debug!("ended WebKit's network process {pid:?}"),
            Err(e) => tracing::warn!("could not end WebKit's network process: {e}"),
        }
    }
}
