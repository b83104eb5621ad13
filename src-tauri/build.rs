//! Generates Tauri's context with an app manifest that lists exactly Doorpost's commands,
//! so the capability file can grant them one by one and nothing else exists; and records
//! the commit the binary is built from, for `doorpost --version`; and decodes the tray
//! icons, so the app carries no PNG decoder (Tauri's `image-png`) for four small images.

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
    for name in TRAY_ICONS {
        decode_tray_icon(name);
    }
}

/// The tray's icons (`icons/tray-<name>.png`), each written to `OUT_DIR` as
/// `tray-<name>.rgba`: 8-bit RGBA rows, [`TRAY_ICON_SIZE`] pixels square.
const TRAY_ICONS: [&str; 4] = ["idle", "new", "degraded", "error"];
const TRAY_ICON_SIZE: u32 = 64;

fn decode_tray_icon(name: &str) {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let png = here.join(format!("../icons/tray-{name}.png"));
    println!("cargo:rerun-if-changed={}", png.display());
    let file = std::fs::File::open(&png).expect("the tray icon exists");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().expect("the tray icon is a PNG");
    let mut rgba = vec![0; reader.output_buffer_size().expect("a small image")];
    let info = reader.next_frame(&mut rgba).expect("the tray icon decodes");
    assert_eq!(
        (info.width, info.height, info.color_type, info.bit_depth),
        (
            TRAY_ICON_SIZE,
            TRAY_ICON_SIZE,
            png::ColorType::Rgba,
            png::BitDepth::Eight
        ),
        "{} must be {TRAY_ICON_SIZE}x{TRAY_ICON_SIZE} RGBA, 8 bits per channel",
        png.display()
    );
    rgba.truncate(info.buffer_size());
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join(format!("tray-{name}.rgba"));
    std::fs::write(out, rgba).expect("OUT_DIR is writable");
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
