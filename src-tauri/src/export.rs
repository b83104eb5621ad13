//! Where the window's "Export" writes: the user's Downloads folder. The hub writes the
//! file there (`Hub::export_csv`): streamed, on a blocking thread, a new 0600 file under
//! its final name only once complete.

/// The folder and the moment that name a new export (`doorpost-history-<time>-…`).
pub fn destination() -> (std::path::PathBuf, String) {
    let time = chrono::Local::now().format("%Y-%m-%d-%H%M%S").to_string();
    (downloads_dir(), time)
}

fn downloads_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("XDG_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return d.into();
    }
    let home = std::env::var_os("HOME").map_or_else(|| ".".into(), std::path::PathBuf::from);
    let downloads = home.join("Downloads");
    if downloads.is_dir() { downloads } else { home }
}
