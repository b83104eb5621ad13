//! Where the window's "Export" writes: the user's Downloads folder.

use doorpost_core::ipc::{AppError, ErrorCode};

/// Writes `csv` as `doorpost-history-<time>.csv` in Downloads; returns its path.
pub fn to_downloads(csv: String) -> Result<String, AppError> {
    let internal = |e: String| AppError::new(ErrorCode::Internal, e);
    let dir = downloads_dir();
    std::fs::create_dir_all(&dir).map_err(|e| internal(e.to_string()))?;
    let name = format!(
        "doorpost-history-{}.csv",
        chrono::Local::now().format("%Y-%m-%d-%H%M%S")
    );
    let path = dir.join(name);
    std::fs::write(&path, csv)
        .map_err(|e| internal(format!("Couldn't write {}: {e}", path.display())))?;
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
