//! A real `doorpost-sync` process against a Parakey URL, its stdout and stderr read line by
//! line: what the crash and hardening tests drive.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::TOKEN;

pub struct SyncProcess {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl SyncProcess {
    /// Starts `bin` (the test's `CARGO_BIN_EXE_doorpost-sync`) on `dir` and `url` with
    /// [`TOKEN`], checking every `interval_ms`, with `env` added to its environment.
    pub fn start(
        bin: &str,
        dir: &Path,
        url: &str,
        interval_ms: u32,
        env: &[(&str, String)],
    ) -> SyncProcess {
        let mut cmd = Command::new(bin);
        cmd.args(["--data-dir", dir.to_str().unwrap(), "--api-url", url])
            .args(["--interval-ms", &interval_ms.to_string()])
            .env("DOORPOST_TOKEN", TOKEN)
            .env_remove("DOORPOST_FAILPOINT")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("doorpost-sync starts");
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        SyncProcess { child, lines }
    }

    /// Waits for a line containing `needle`; panics after 30 s.
    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                if line.contains(needle) {
                    return line;
                }
                seen.push(line);
            }
        }
        panic!("no line with {needle:?} in 30 s; saw {seen:?}");
    }

    /// The process's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the process is alive");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status")
    }

    /// SIGKILL, which no code in the process can intercept.
    pub fn kill9(mut self) {
        self.child.kill().expect("SIGKILL delivered");
        let _ = self.child.wait();
    }

    /// SIGTERM, and a clean exit expected.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("exits");
        assert!(status.success(), "clean shutdown: {status}");
    }
}
