//! The real `doorpost` binary on a real desktop: Xvfb, a private D-Bus session, a
//! recording notification server, an unlocked gnome-keyring (see `tests/desktop/session.sh`),
//! against the fake Parakey on loopback.
//!
//! Runs when `DOORPOST_DESKTOP_TESTS=1` (the test command runs the whole workspace inside
//! `tests/desktop/session.sh` with it set); without it each test says so and returns. The
//! app is one instance per user, so the story runs in one test, step by step.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use doorpost_core::time::Millis;
use doorpost_engine::fake::{EventSpec, FakeConfig, FakeParakey};
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
    wait_until("the backfill", || export(data, &url).len() == history.len());
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

    // A burst larger than the page cap: one summary plus three toasts, and every row.
    let t = fake.now();
    let burst: Vec<String> =
        fake.inject_many((0..150).map(|_| EventSpec::at(t).door("Dv0000003c", "Gym")));
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
}
