//! What the shell does differently on each desktop: the process's name on the Linux
//! desktop, and, where the engine is WebKitGTK, the webview's memory settings and the heap's
//! free pages handed back when the window closes. On Windows (WebView2) and macOS
//! (WKWebView) none of it applies: the system names the app after its bundle or
//! executable, and the engines manage their own caches and processes.

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

/// Closing the window gives the heap's free pages back (Linux with glibc; WKWebView and
/// WebView2 manage their own).
pub fn release_with_window(app: &mut tauri::App) {
    #[cfg(target_os = "linux")]
    app.wry_plugin(GiveBackHeap);
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Once the window is destroyed and no webview is left, hands the heap's free pages back,
/// at once and again when GTK's and WebKit's deferred clean-up has run.
///
/// WebKit's web process ends with the view. Its network process belongs to the web
/// context, which tauri-runtime-wry keeps for the app's life on Linux, and it stays: ending
/// it from here (SIGTERM) was tried, and the next window's launch then sometimes aborted
/// the whole app inside WebKit (`readPIDFromPeer: Unexpected short read from PID socket`,
/// seen in CI's second open-close round); dropping the context does not end it either,
/// and the next window started a second one beside it. So the one network process stays,
/// reused by every window (`desktop_window_close.rs` checks it is one and the same).
#[cfg(target_os = "linux")]
pub struct GiveBackHeap;

#[cfg(target_os = "linux")]
pub struct HeapGiver {
    window_gone: bool,
}

#[cfg(target_os = "linux")]
type RuntimeMessage = tauri_runtime_wry::Message<tauri::EventLoopMessage>;

#[cfg(target_os = "linux")]
impl tauri_runtime_wry::PluginBuilder<tauri::EventLoopMessage> for GiveBackHeap {
    type Plugin = HeapGiver;

    fn build(self, _: tauri_runtime_wry::Context<tauri::EventLoopMessage>) -> Self::Plugin {
        HeapGiver { window_gone: false }
    }
}

#[cfg(target_os = "linux")]
impl tauri_runtime_wry::Plugin<tauri::EventLoopMessage> for HeapGiver {
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
