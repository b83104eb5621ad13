//! Closing the window as a person does (the window manager's close, `WM_DELETE_WINDOW`, not
//! an X kill) ends WebKit's web process; its one network process stays for the next window,
//! never a second beside it; the window opens again with a fresh web process, and the app
//! survives every round. See the README's "Desktop" figures and
//! `tests/bench/window_memory.sh` for what that is worth in memory.
//!
//! Runs when `DOORPOST_DESKTOP_TESTS=1`, inside `tests/desktop/session.sh`.
// Linux only: a desktop session, `/proc`.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

use doorpost_tests::desktop::{App, desktop_session, doorpost, tray_labels, wait_until};

/// The app's WebKit children (`WebKitWebProcess`, `WebKitNetworkProcess`) as (name, pid);
/// an exited one not yet reaped has no executable and is not counted.
fn webkit_children(app: u32) -> Vec<(String, u32)> {
    let tasks = std::fs::read_dir(format!("/proc/{app}/task"))
        .into_iter()
        .flatten()
        .flatten();
    let mut found = Vec::new();
    for task in tasks {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for pid in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            let name = exe
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name.starts_with("WebKit") {
                found.push((name, pid));
            }
        }
    }
    found
}

fn pid_of(children: &[(String, u32)], name: &str) -> Option<u32> {
    children
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, pid)| *pid)
}

/// Sends the window manager's close to the window titled "Doorpost"; false while there is
/// no such window on the display.
fn wm_close() -> bool {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop/wm_close.py");
    Command::new("/usr/bin/python3")
        .arg(script)
        .arg("Doorpost")
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn closing_the_window_ends_its_web_process_and_it_opens_again() {
    if !desktop_session() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut start = doorpost(data.path(), "en_GB.UTF-8");
    start.args(["--hidden", "--demo"]);
    let mut app = App::spawn(start);
    let pid = app.0.id();
    wait_until("the tray", || !tray_labels().is_empty());
    assert_eq!(
        webkit_children(pid),
        Vec::new(),
        "no WebKit process before the window first opens"
    );

    let mut last_web = None;
    let mut network = None;
    for round in 1..=3 {
        // A second launch brings the running app forward: it opens its window.
        let status = doorpost(data.path(), "en_GB.UTF-8")
            .arg("--demo")
            .status()
            .expect("a second doorpost runs");
        assert!(
            status.success(),
            "round {round}: the second launch exits cleanly"
        );
        wait_until("the window's web and network processes", || {
            let children = webkit_children(pid);
            pid_of(&children, "WebKitWebProcess").is_some()
                && pid_of(&children, "WebKitNetworkProcess").is_some()
        });
        let children = webkit_children(pid);
        let web = pid_of(&children, "WebKitWebProcess");
        assert_ne!(web, last_web, "round {round}: a fresh web process");
        last_web = web;
        let networks: Vec<u32> = children
            .iter()
            .filter(|(n, _)| n == "WebKitNetworkProcess")
            .map(|(_, p)| *p)
            .collect();
        assert_eq!(networks.len(), 1, "round {round}: one network process");
        assert!(
            network.is_none() || network == networks.first().copied(),
            "round {round}: the same network process serves every window"
        );
        network = networks.first().copied();

        wait_until("the window to take the window manager's close", wm_close);
        wait_until("the web process to end with the window", || {
            pid_of(&webkit_children(pid), "WebKitWebProcess").is_none()
        });
        assert!(
            app.0.try_wait().expect("the app's status").is_none(),
            "round {round}: closing the window leaves Doorpost running in the tray"
        );
    }
    app.stop();
}
