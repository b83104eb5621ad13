//! A headless Doorpost: the engine alone, syncing one account into a data directory and
//! writing each toast as a JSON line. The crash tests kill it with SIGKILL at each commit
//! point (`DOORPOST_FAILPOINT`) and start it again.
//!
//! ```text
//! DOORPOST_TOKEN=... doorpost-sync --data-dir DIR --api-url URL [--interval-ms N]
//! ```
//! Prints `synced kind=<kind> inserted=<n> updated=<n> toasts=<n>` after every written
//! sync and `status <phase>` when the phase changes; stops on SIGTERM or Ctrl-C.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use doorpost_core::poller::PollerConfig;
use doorpost_engine::driver::{self, EngineOptions};
use doorpost_engine::http::{ApiToken, BaseUrl, Timeouts};
use doorpost_engine::notifier::JsonlNotifier;

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("doorpost-sync: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut data_dir: Option<PathBuf> = None;
    let mut api_url = doorpost_engine::http::DEFAULT_BASE_URL.to_string();
    let mut interval_ms: Option<i64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--api-url" => api_url = value()?,
            "--interval-ms" => {
                interval_ms = Some(value()?.parse().map_err(|_| "bad --interval-ms")?)
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    doorpost_engine::logging::init(doorpost_engine::logging::LevelFilter::INFO);
    let data_dir = data_dir.ok_or("--data-dir is required")?;
    std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
    let token = std::env::var("DOORPOST_TOKEN").map_err(|_| "DOORPOST_TOKEN is not set")?;
    let token = ApiToken::new(&token).map_err(|e| e.to_string())?;
    let base = BaseUrl::parse(&api_url).map_err(|e| e.to_string())?;
    let poller_config = interval_ms.map(PollerConfig::quick);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let engine = driver::start(EngineOptions {
            store_path: data_dir.join("doorpost.sqlite3"),
            base,
            token,
            notifier: Arc::new(JsonlNotifier::new(data_dir.join("notifications.jsonl"))),
            poller_config,
            seed: std::process::id().into(),
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                read: Duration::from_secs(3),
                total: Duration::from_secs(5),
            },
            utc_offset_secs: Some(0),
            place: Default::default(),
            start_delay: Duration::ZERO,
            simulator: None,
        })
        .await
        .map_err(|e| e.to_string())?;
        let mut reports = engine.subscribe();
        let mut status = engine.status();
        let mut last_phase = String::new();
        let mut term = Terminate::new()?;
        loop {
            tokio::select! {
                r = reports.recv() => if let Ok(r) = r {
                    println!(
                        "synced kind={:?} inserted={} updated={} toasts={}",
                        r.kind, r.inserted, r.updated, r.toasts
                    );
                },
                changed = status.changed() => {
                    if changed.is_err() { break; }
                    let s = status.borrow_and_update().clone();
                    let phase = format!("{:?}", s.poller.phase);
                    let phase = phase.split([' ', '{']).next().unwrap_or("").to_string();
                    if phase != last_phase {
                        println!("status {phase} {}", s.poller.last_error.map(|e| e.to_string()).unwrap_or_default());
                        last_phase = phase;
                    }
                },
                _ = tokio::signal::ctrl_c() => break,
                _ = term.recv() => break,
            }
        }
        engine.shutdown().await.map_err(|e| e.to_string())
    })
}

/// SIGTERM (what the crash tests' `kill` sends), where there is one; never elsewhere.
#[cfg(unix)]
struct Terminate(tokio::signal::unix::Signal);

#[cfg(unix)]
impl Terminate {
    fn new() -> Result<Terminate, String> {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map(Terminate)
            .map_err(|e| e.to_string())
    }

    async fn recv(&mut self) {
        self.0.recv().await;
    }
}

#[cfg(not(unix))]
struct Terminate;

#[cfg(not(unix))]
impl Terminate {
    fn new() -> Result<Terminate, String> {
        Ok(Terminate)
    }

    async fn recv(&mut self) {
        std::future::pending::<()>().await
    }
}
