//! The real binary's own hygiene: no core dump of a process that holds tokens and guests'
//! data, and a token typed at a terminal not echoed. Needs `cargo build -p doorpost`
//! (the test command builds it first); no desktop session.
// Linux only: `/proc`, `prctl`, a pseudo-terminal.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> Option<PathBuf> {
    let bin = doorpost_tests::desktop::target_dir().join("debug/doorpost");
    if bin.exists() {
        Some(bin)
    } else {
        eprintln!("skipped: build the app first with `cargo build -p doorpost`");
        None
    }
}

#[test]
fn a_running_doorpost_never_dumps_core() {
    let Some(bin) = bin() else { return };
    let data = tempfile::tempdir().unwrap();
    // `places add` waits for its token on standard input: a live process to look at.
    let mut child = Command::new(bin)
        .args(["places", "add", "Loft"])
        .env("DOORPOST_DATA_DIR", data.path())
        .env_remove("DOORPOST_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let limits = || std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core_line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("Max core file size"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap()
    };
    // It sets its limits first thing; give it a moment to get there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while core_line(&limits()) != "Max core file size 0 0 bytes"
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(core_line(&limits()), "Max core file size 0 0 bytes");
    // Not dumpable: the kernel gives its /proc entries to root, so another process of the
    // same user cannot read its memory (only visible when the test is not root itself).
    let me = std::fs::read_to_string("/proc/self/status").unwrap();
    let uid = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_string)
            .unwrap()
    };
    if uid(&me) != "0" {
        use std::os::unix::fs::MetadataExt;
        let owner = std::fs::metadata(format!("/proc/{pid}/mem")).unwrap().uid();
        assert_eq!(
            owner, 0,
            "a dumpable process's /proc entries are its user's"
        );
    }
    drop(child.stdin.take());
    let _ = child.wait();
}

/// `doorpost places add` on a terminal (a pseudo-terminal from Python's `pty`): the token
/// typed is not echoed back.
#[test]
fn a_token_typed_at_a_terminal_is_not_echoed() {
    let Some(bin) = bin() else { return };
    let data = tempfile::tempdir().unwrap();
    let script = r#"
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "places", "add", "Loft", "--api-url", "http://127.0.0.1:9"])
out = b""
def drain(until):
    global out
    while time.time() < until:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        out += chunk
        if b"Enter" in out or b"Trykk" in out:
            return True
    return True
drain(time.time() + 10)
os.write(fd, b"canary-token-typed-here\n")
drain(time.time() + 20)
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
"#;
    let mut child = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&bin)
        .env("DOORPOST_DATA_DIR", data.path())
        .env("LANG", "en_GB.UTF-8")
        .env_remove("DOORPOST_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let _ = child.stdin.take().unwrap().write_all(b"");
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Paste the place's Parakey token"),
        "the prompt is on the terminal: {said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !said.contains("canary-token-typed-here"),
        "the token was echoed: {said}"
    );
}
