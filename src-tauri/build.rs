//! Generates Tauri's context with an app manifest that lists exactly Doorpost's commands,
//! so the capability file can grant them one by one and nothing else exists; and records
//! the commit the binary is built from, for `doorpost --version`.

use std::path::Path;
use std::process::Command;

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
        "add_place",
        "update_place",
        "set_place_token",
        "remove_place",
        "mute_door",
        "test_notification",
        "leave_demo",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build configuration is valid");
    println!("cargo:rustc-env=DOORPOST_COMMIT={}", commit());
}

/// `DOORPOST_COMMIT` when set (a build from a source tarball), else git's `HEAD`, else
/// `unknown`. Only a moved `HEAD` reruns this, so an unchanged tree never relinks.
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=DOORPOST_COMMIT");
    if let Some(c) = std::env::var("DOORPOST_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
    {
        return c;
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(here)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".into();
    };
    // A commit moves HEAD, the branch it names, or (after `git gc`) the packed refs.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            let path = here.join(path);
            // A missing file would rerun this on every build.
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    commit
}
