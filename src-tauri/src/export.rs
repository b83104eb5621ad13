//! Where the window's "Export" writes: the user's Downloads folder.

use doorpost_core::ipc::{AppError, ErrorCode};

/// Writes `csv` as a new `doorpost-history-<time>-<random>.csv` in Downloads, 0600, never
/// over a file and never through a link (a name no one can plant ahead); returns its path.
pub fn to_downloads(csv: String) -> Result<String, AppError> {
    let internal = |e: String| AppError::new(ErrorCode::Internal, e);
    let dir = downloads_dir();
    std::fs::create_dir_all(&dir).map_err(|e| internal(e.to_string()))?;
    let time = chrono::Local::now().format("%Y-%m-%d-%H%M%S").to_string();
    let path = doorpost_engine::private_files::write_new_unique(
        &dir,
        "doorpost-history",
        &time,
        "csv",
        csv.as_bytes(),
    )
    .map_err(|e| {
        internal(format!(
            "Couldn't write the export in {}: {e}",
            dir.display()
        ))
    })?;
    Ok(path.display().to_string())
}

fn downloads_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("XDG_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return d.into();
    }
    let home = std::env::var_os("HOME").map_or_else(|| ".".into(), std::path::PathBuf::from);
    let downloads = home.join("Downloads");
    if downloads.is_dir() { downloads } else { home }
}
