//! Issue 7's hardening, against a real `doorpost-sync` process and the fake Parakey on
//! loopback: the data directory is private after a real run (an older install's modes
//! fixed), a proxy variable never sees a loopback request, and memory stays flat when the
//! server answers with pages of 60 MB.
// Linux only: Unix file modes, `/proc` for memory.
#![cfg(unix)]

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use doorpost_sim::{FakeConfig, FakeParakey, Fault};
use doorpost_tests::sync_process::SyncProcess;
use doorpost_tests::week_of_history;

fn start(dir: &Path, url: &str, env: &[(&str, String)]) -> SyncProcess {
    SyncProcess::start(env!("CARGO_BIN_EXE_doorpost-sync"), dir, url, 200, env)
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn the_data_directory_is_private_after_a_real_run_even_for_an_old_install() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig::default()))
        .unwrap();
    fake.inject_many(week_of_history(fake.now()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    // An install from before: a world-readable folder and database.
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    rusqlite::Connection::open(dir.join("doorpost.sqlite3")).unwrap();
    std::fs::set_permissions(
        dir.join("doorpost.sqlite3"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();

    let run = start(&dir, &fake.base_url(), &[]);
    run.wait_for("synced kind=Backfill");
    // The WAL and SHM exist while the database is open.
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "doorpost.sqlite3",
        "doorpost.sqlite3-wal",
        "doorpost.sqlite3-shm",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert_eq!(mode(&dir), 0o700, "the data directory is the user's alone");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{} is the user's alone", file.display());
    }
    run.stop();
}

#[test]
fn a_proxy_variable_never_sees_a_loopback_request() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig::default()))
        .unwrap();
    fake.inject_many(week_of_history(fake.now()));
    // A "proxy" that counts who connects to it.
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicUsize::new(0));
    let (count, halt) = (Arc::clone(&connections), Arc::clone(&stop));
    let watcher = std::thread::spawn(move || {
        while halt.load(Ordering::SeqCst) == 0 {
            if proxy.accept().is_ok() {
                count.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let mut env: Vec<(&str, String)> = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .into_iter()
        .map(|k| (k, proxy_url.clone()))
        .collect();
    env.push(("NO_PROXY", String::new()));
    env.push(("no_proxy", String::new()));
    let run = start(dir.path(), &fake.base_url(), &env);
    run.wait_for("synced kind=Backfill");
    run.stop();
    stop.store(1, Ordering::SeqCst);
    watcher.join().unwrap();
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the token header went to the proxy in clear text"
    );
    assert!(fake.requests_since_reset() > 0, "the fake itself was asked");
}

#[test]
fn memory_stays_flat_against_pages_of_60_mb() {
    const PAGE: usize = 60 * 1024 * 1024;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig::default()))
        .unwrap();
    fake.push_faults((0..6).map(|_| Fault::Oversized { bytes: PAGE }));
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), &fake.base_url(), &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.pending_faults() > 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        fake.pending_faults() <= 2,
        "four pages of 60 MB were asked for"
    );
    let peak_kib = run.peak_rss_kib();
    run.stop();
    eprintln!("peak RSS against 60 MB pages: {peak_kib} KiB");
    // The process itself (runtime, TLS, SQLite) takes about 15 MB; a page is refused past
    // 4 MiB. Holding one 60 MB page would put it far past this.
    assert!(
        peak_kib < 40 * 1024,
        "peak RSS {peak_kib} KiB: a huge page was held in memory"
    );
}
