//! The real `doorpost` binary on a real desktop: Xvfb, a private D-Bus session, a
//! recording notification server, an unlocked gnome-keyring (see `tests/desktop/session.sh`),
//! against the fake Parakey on loopback.
//!
//! Runs when `DOORPOST_DESKTOP_TESTS=1` (the test command runs the whole workspace inside
//! `tests/desktop/session.sh` with it set); without it each test says so and returns. The
//! app is one instance per user, so the story runs in one test, step by step.
// Linux only: a desktop session, `/proc`, Unix file modes.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use doorpost_core::time::Millis;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey, UserSpec};
use doorpost_tests::desktop::{
    App, desktop_session, doorpost_bin, notifications, tray_menu, wait_until,
};
use doorpost_tests::{TOKEN, week_of_history};
use serde_json::Value;

fn doorpost(data: &Path, url: &str) -> Command {
    let mut cmd = Command::new(doorpost_bin());
    cmd.env("DOORPOST_DATA_DIR", data)
        .env("DOORPOST_API_URL", url)
        .env("DOORPOST_TOKEN", TOKEN)
        .env("DOORPOST_TEST_INTERVAL_MS", "400")
        .env("RUST_LOG", "info");
    cmd
}

fn hidden(data: &Path, url: &str) -> Command {
    let mut cmd = doorpost(data, url);
    cmd.arg("--hidden");
    cmd
}

fn export(data: &Path, url: &str) -> Vec<Value> {
    let out = doorpost(data, url)
        .args(["export", "--format", "json"])
        .output()
        .expect("export runs");
    if !out.status.success() {
        return Vec::new();
    }
    serde_json::from_slice(&out.stdout).unwrap_or_default()
}

#[test]
fn the_app_announces_each_fresh_unlock_once_and_only_those() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig::default()))
        .unwrap();
    let url = fake.base_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let history = fake.inject_many(week_of_history(fake.now()));
    let before = notifications().len();

    // First run: a week of history, silently.
    let app = App::spawn(hidden(data, &url));
    wait_until("DOORPOST_TOKEN out of the app's environment", || {
        !environ_has(app.0.id(), "DOORPOST_TOKEN")
    });
    wait_until("the backfill", || export(data, &url).len() == history.len());
    assert_private(data);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        notifications().len(),
        before,
        "first run produces no toasts for old history"
    );

    // A guest arrives: exactly one notification, naming the door.
    let fresh = fake.inject(EventSpec::at(fake.now()).door("Dv0000002b", "Back gate"));
    wait_until("the notification", || notifications().len() > before);
    std::thread::sleep(Duration::from_secs(2));
    let got = notifications();
    assert_eq!(got.len(), before + 1, "exactly one notification: {got:?}");
    assert_eq!(got[before]["summary"], "Back gate");
    assert!(got[before]["body"].as_str().unwrap().contains("Ann Berg"));
    assert!(
        got[before]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "default"),
        "the default action opens the unlock"
    );
    assert_eq!(
        got[before]["hint_values"]["desktop-entry"], "co.doorpost.app",
        "toasts name the desktop entry, so the desktop lists and groups them under Doorpost"
    );

    // A late upload outside the offset: no notification, but in the export.
    let late = fake.inject(EventSpec::at(fake.now()).late_by(3 * Millis::HOUR));
    wait_until("the late upload in export", || {
        export(data, &url).iter().any(|e| e["id"] == late.as_str())
    });
    let row = export(data, &url)
        .into_iter()
        .find(|e| e["id"] == late.as_str())
        .unwrap();
    assert_eq!(row["notification"], "suppressed");
    assert!(row["lateByMinutes"].as_i64().unwrap() >= 179);
    assert_eq!(
        notifications().len(),
        before + 1,
        "a late upload is not announced"
    );

    // Markup in a door name arrives as text.
    let nasty = r#"<b>x</b> & <a href="y">"#;
    fake.inject(EventSpec::at(fake.now()).door("Dv0000009z", nasty));
    wait_until("the markup door's notification", || {
        notifications().len() > before + 1
    });
    let n = &notifications()[before + 1];
    assert_eq!(n["summary"], nasty, "the summary is the literal name");
    assert!(
        !n["body"].as_str().unwrap().contains("<b>"),
        "no live markup in the body"
    );

    // Hostile names: cut and stripped in the toast, escaped in the tray, stripped and
    // defused in the command line's CSV.
    let long_door = format!("R&D \x1b[2J{}", "x".repeat(500));
    let hostile = fake.inject(
        EventSpec::at(fake.now())
            .door("Dv0000h4x0", &long_door)
            .user(Some(UserSpec::new(
                "Us0000h4x0",
                "=cmd",
                "calc\u{202e}",
                "h@x.example",
            ))),
    );
    wait_until("the hostile door's notification", || {
        notifications().len() > before + 2
    });
    let n = &notifications()[before + 2];
    let summary = n["summary"].as_str().unwrap();
    assert!(summary.starts_with("R&D "), "{summary}");
    assert!(
        summary.chars().count() <= 80,
        "a toast's title is cut: {summary}"
    );
    assert!(!summary.contains('\x1b') && !n["body"].as_str().unwrap().contains('\u{202e}'));
    let csv = doorpost(data, &url)
        .args(["export", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let line = csv.lines().find(|l| l.contains(hostile.as_str())).unwrap();
    assert!(!csv.contains('\x1b') && !csv.contains('\u{202e}'), "{line}");
    assert!(
        line.contains("\"'=cmd calc\""),
        "a formula is defused: {line}"
    );
    let mut tray = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    while !tray.iter().any(|l: &String| l.contains("R&D [2Jx")) {
        assert!(Instant::now() < deadline, "the tray shows R&D: {tray:?}");
        std::thread::sleep(Duration::from_millis(250));
        tray = tray_menu(&["layout"]);
    }
    let label = tray.iter().find(|l| l.contains("R&D [2Jx")).unwrap();
    assert!(
        !label.contains(&"x".repeat(100)) && !label.contains("\\u001b"),
        "the tray label is cut and stripped, and its & is no mnemonic: {label}"
    );

    // A burst larger than the page cap: one summary plus three toasts, and every row. Each
    // is its own unlock (distinct device times), never a second upload of another.
    let t = fake.now();
    let burst: Vec<String> = fake.inject_many((0..150).map(|i| {
        EventSpec::at(t)
            .door("Dv0000003c", "Gym")
            .timestamp(t.minus(1_000 + i))
    }));
    let count_before_burst = notifications().len();
    wait_until("the burst in export", || {
        let rows = export(data, &url);
        burst
            .iter()
            .all(|id| rows.iter().any(|r| r["id"] == id.as_str()))
    });
    std::thread::sleep(Duration::from_secs(2));
    let burst_toasts = &notifications()[count_before_burst..];
    assert_eq!(
        burst_toasts.len(),
        4,
        "a summary and three toasts: {burst_toasts:?}"
    );
    assert!(
        burst_toasts
            .iter()
            .any(|n| n["summary"] == "150 new unlocks")
    );

    // `doorpost refresh` reaches the running instance.
    let refresh = doorpost(data, &url).arg("refresh").output().unwrap();
    assert!(
        refresh.status.success(),
        "{}",
        String::from_utf8_lossy(&refresh.stderr)
    );

    // A restart re-notifies nothing.
    app.stop();
    let settled = notifications().len();
    let refresh = doorpost(data, &url).arg("refresh").output().unwrap();
    assert!(
        !refresh.status.success(),
        "refresh without a running instance fails"
    );
    assert!(String::from_utf8_lossy(&refresh.stderr).contains("not running"));
    let app = App::spawn(hidden(data, &url));
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        notifications().len(),
        settled,
        "a restart re-notifies nothing"
    );
    let rows = export(data, &url);
    assert!(
        rows.iter()
            .any(|r| r["id"] == fresh.as_str() && r["notification"] == "notified")
    );

    // One instance per user: a second launch hands over to the first and leaves.
    let mut second = doorpost(data, &url).arg("--hidden").spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Some(status)) = second.try_wait() {
            assert!(
                status.success(),
                "the second launch exits cleanly: {status}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a second launch does not start a second poller"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The doctor sees what alerts need.
    let doctor = doorpost(data, &url).arg("doctor").output().unwrap();
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert!(doctor.status.success(), "doctor: {report}");
    assert!(report.contains("notification service"), "{report}");

    // The tray, as a tray host sees it: status line, latest unlocks, actions; Quit works.
    let mut menu = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    while !(menu.iter().any(|l: &String| l.contains("Checked"))
        && menu.iter().any(|l| l.contains("Gym · ")))
    {
        assert!(
            Instant::now() < deadline,
            "the tray menu shows status and unlocks: {menu:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
        menu = tray_menu(&["layout"]);
    }
    for item in ["Pause notifications", "Check now", "Open Doorpost", "Quit"] {
        assert!(menu.iter().any(|l| l.contains(item)), "{item} in {menu:?}");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("tray-menu.jsonl"), menu.join("\n"));
    tray_menu(&["click", "Check now"]);
    tray_menu(&["click", "Quit"]);
    let mut app = app;
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Ok(Some(status)) = app.0.try_wait() {
            break status;
        }
        assert!(Instant::now() < deadline, "Quit in the tray ends the app");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "a clean exit: {status}");

    // The demo opens nothing: its simulated Parakey answers in-process.
    let demo_data = tempfile::tempdir().unwrap();
    let mut demo = Command::new(doorpost_bin());
    demo.env("DOORPOST_DATA_DIR", demo_data.path())
        .env_remove("DOORPOST_TOKEN")
        .env_remove("DOORPOST_API_URL")
        .args(["--demo", "--hidden"]);
    let demo = App::spawn(demo);
    wait_until("the demo's history", || {
        let out = Command::new(doorpost_bin())
            .env("DOORPOST_DATA_DIR", demo_data.path())
            .args(["export", "--demo", "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice::<Vec<Value>>(&out.stdout).is_ok_and(|rows| !rows.is_empty())
    });
    assert!(
        !listening_sockets(std::process::id()).is_empty(),
        "the probe sees a listening socket: this test's own fake Parakey"
    );
    assert_eq!(
        listening_sockets(demo.0.id()),
        Vec::<String>::new(),
        "the demo listens on no port"
    );
    demo.stop();
}

/// Whether `/proc/PID/environ` holds `name`.
fn environ_has(pid: u32, name: &str) -> bool {
    let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    let prefix = format!("{name}=");
    env.split(|b| *b == 0)
        .any(|v| v.starts_with(prefix.as_bytes()))
}

/// Every folder under `dir` 0700 and every file 0600.
fn assert_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                assert_eq!(mode, 0o700, "{}", path.display());
                stack.push(path);
            } else {
                assert_eq!(mode, 0o600, "{}", path.display());
            }
        }
    }
}

/// The TCP sockets in LISTEN state and the UDP sockets that process `pid` holds, as lines
/// of `/proc/net/*`.
fn listening_sockets(pid: u32) -> Vec<String> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            Some(
                link.strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_string(),
            )
        })
        .collect();
    let mut found = Vec::new();
    for table in ["tcp", "tcp6", "udp", "udp6"] {
        let text = std::fs::read_to_string(format!("/proc/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(state), Some(inode)) = (fields.get(3), fields.get(9)) else {
                continue;
            };
            let listening = table.starts_with("udp") || *state == "0A";
            if listening && inodes.iter().any(|i| i == inode) {
                found.push(format!("{table}: {line}"));
            }
        }
    }
    found
}
