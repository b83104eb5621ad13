//! Generates Tauri's context with an app manifest that lists exactly Doorpost's commands,
//! so the capability file can grant them one by one and nothing else exists.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "overview",
        "history",
        "doors",
        "daily_counts",
        "export_csv",
        "save_settings",
        "set_token",
        "clear_token",
        "start_demo",
        "refresh_now",
        "pause",
        "resume",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build configuration is valid");
}
