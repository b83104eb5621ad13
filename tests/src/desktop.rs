//! What the desktop stories share: the app binary, the recording notification server's
//! log, the tray as a tray host sees it, a notification's action clicked over D-Bus, and
//! the running app's control socket. All of it needs `tests/desktop/session.sh`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The debug build's identifier (`paths::IDENTIFIER`): its keychain service and the name
/// of its folder in the runtime directory.
const DEV_SERVICE: &str = "co.doorpost.app.dev";

/// Removes every keychain item of the debug build.
fn forget_tokens() {
    let status = Command::new("secret-tool")
        .args(["clear", "service", DEV_SERVICE])
        .status()
        .expect("secret-tool (libsecret-tools) in the desktop session");
    // `clear` exits 1 when nothing matched.
    assert!(status.code().is_some(), "secret-tool clear was killed");
}

/// True inside the desktop session (`DOORPOST_DESKTOP_TESTS=1`), after forgetting every
/// Doorpost token an earlier story left in the session's keychain: the stories share one
/// keyring, and each starts as a new user would. Otherwise says the test is skipped.
pub fn desktop_session() -> bool {
    if std::env::var("DOORPOST_DESKTOP_TESTS").as_deref() == Ok("1") {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "DOORPOST_DESKTOP_TESTS=1 needs the session from tests/desktop/session.sh"
        );
        forget_tokens();
        true
    } else {
        eprintln!(
            "desktop tests skipped: run them with `bash .ci/test` (tests/desktop/session.sh)"
        );
        false
    }
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The app binary built by `cargo build -p doorpost` (the test command builds it first).
pub fn doorpost_bin() -> PathBuf {
    let bin = target_dir().join("debug/doorpost");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p doorpost` first",
        bin.display()
    );
    bin
}

/// The running app; killed when dropped.
pub struct App(pub Child);

impl App {
    /// Stops the app as the session would (SIGTERM), then for good.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    pub fn spawn(mut cmd: Command) -> App {
        App(cmd
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("doorpost starts"))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Doorpost's notifications so far, as the recording server saw them.
pub fn notifications() -> Vec<Value> {
    let log = std::env::var("DOORPOST_NOTIFY_LOG").expect("session.sh sets DOORPOST_NOTIFY_LOG");
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["app_name"] == "Doorpost")
        .collect()
}

/// Waits up to 40 s for `done`.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while Instant::now() < deadline {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("timed out waiting for {what}");
}

/// `tests/desktop/tray_menu.py ARGS`: one JSON line per menu entry or clicked item.
pub fn tray_menu(args: &[&str]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop/tray_menu.py");
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "tray_menu.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The tray menu's labels, in order; none while no tray item answers (the app starting).
pub fn tray_labels() -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop/tray_menu.py");
    let Ok(out) = Command::new("/usr/bin/python3")
        .arg(script)
        .arg("layout")
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["label"].as_str().map(str::to_string))
        .collect()
}

/// Clicks a notification's action as the notification server would (`ActionInvoked`).
pub fn invoke_action(notification_id: u64, action: &str) {
    let status = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            "co.doorpost.Test.Invoke",
            &format!("uint32:{notification_id}"),
            &format!("string:{action}"),
        ])
        .stdout(Stdio::null())
        .status()
        .expect("dbus-send runs");
    assert!(status.success(), "the recorder accepts Invoke");
}

/// The running app's control socket: in the session's runtime directory, one per build
/// flavour (the app is one instance per user), whatever the data directory.
pub fn control_socket() -> PathBuf {
    let run = std::env::var_os("XDG_RUNTIME_DIR").expect("the session sets XDG_RUNTIME_DIR");
    PathBuf::from(run).join(DEV_SERVICE).join("control.sock")
}

/// One command on the running app's control socket; its answer (after `ok `).
#[cfg(unix)]
pub fn control(socket: &Path, command: &str) -> Result<String, String> {
    use std::io::{BufRead, BufReader};
    let mut stream = std::os::unix::net::UnixStream::connect(socket).map_err(|e| e.to_string())?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    writeln!(stream, "{command}").map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let line = line.trim_end();
    match line.strip_prefix("error ") {
        Some(why) => Err(why.to_string()),
        None => Ok(line.strip_prefix("ok").unwrap_or("").trim().to_string()),
    }
}

/// The desktop tests run on Linux only; elsewhere they compile, and this says why not.
#[cfg(not(unix))]
pub fn control(_socket: &Path, _command: &str) -> Result<String, String> {
    Err("the desktop tests speak to a Unix socket: they run on Linux".into())
}

/// The app binary with a data directory and a language, and nothing of the caller's
/// Doorpost environment (no token, no API address); checks every 400 ms.
pub fn doorpost(data: &Path, lang: &str) -> Command {
    let mut cmd = Command::new(doorpost_bin());
    cmd.env("DOORPOST_DATA_DIR", data)
        .env("DOORPOST_TEST_INTERVAL_MS", "400")
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LC_TIME")
        .env_remove("DOORPOST_TOKEN")
        .env_remove("DOORPOST_API_URL")
        .env("RUST_LOG", "info");
    cmd
}

/// What a command-line run printed on standard output, trimmed.
pub fn cli_text(data: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&cli(data, args, "").stdout)
        .trim()
        .to_string()
}

/// A command-line run in English with `stdin` as its input.
pub fn cli(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = doorpost(data, "en_GB.UTF-8")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doorpost runs");
    let _ = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("doorpost ends")
}

/// Adds a place from the command line, its token on standard input.
pub fn add_place(data: &Path, name: &str, api_url: &str, token: &str) -> Output {
    cli(
        data,
        &["places", "add", name, "--api-url", api_url],
        &format!("{token}\n"),
    )
}

/// A fake Parakey for one place: its token, and ids of its own (the fakes' ids come from
/// their seed, so two with the same seed would serve the same ids).
pub async fn place_fake(token: &str) -> doorpost_sim::FakeParakey {
    doorpost_sim::FakeParakey::start(doorpost_sim::FakeConfig {
        token: token.into(),
        seed: token
            .bytes()
            .fold(7, |h: u64, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
        ..Default::default()
    })
    .await
    .expect("the fake starts on loopback")
}

/// WebKitWebDriver on a free port, with the app's environment; killed when dropped, and
/// the app it launched with it (closing the session only closes the window, and an app
/// left in the tray would answer the next story's launch as the single instance).
pub struct WebKitDriver {
    child: Child,
    pub url: String,
}

impl WebKitDriver {
    /// `env`: what the app it launches sees (`TAURI_WEBVIEW_AUTOMATION` is set here);
    /// `remove`: variables it must not see.
    pub async fn start(env: &[(&str, &str)], remove: &[&str]) -> WebKitDriver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut cmd = Command::new("WebKitWebDriver");
        cmd.arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for name in remove {
            cmd.env_remove(name);
        }
        let child = cmd
            .spawn()
            .expect("WebKitWebDriver starts (package webkit2gtk-driver)");
        tokio::time::sleep(Duration::from_millis(700)).await;
        WebKitDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for WebKitDriver {
    fn drop(&mut self) {
        let launched = descendants(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        for pid in &launched {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while launched.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        for pid in launched.iter().filter(|pid| alive(**pid)) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// Every process below `pid`, children first.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(parent) = queue.pop() {
        let tasks = std::fs::read_dir(format!("/proc/{parent}/task"))
            .into_iter()
            .flatten();
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                found.push(child);
                queue.push(child);
            }
        }
    }
    found
}

/// Whether `pid` is still running (a zombie is not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}
