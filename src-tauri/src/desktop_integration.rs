//! What the shell does differently on each desktop: the process's name on the Linux
//! desktop, and the webview's memory settings where the engine is WebKitGTK. On Windows
//! (WebView2) and macOS (WKWebView) neither applies: the system names the app after its
//! bundle or executable, and the engines manage their own caches.

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
