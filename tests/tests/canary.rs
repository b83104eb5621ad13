//! The token never leaves the header: a canary token is run through the real binary with
//! the most verbose logging, through success, rejection and a redirect, and then searched
//! for in everything Doorpost wrote (stdout, stderr, every file in the data directory,
//! SQLite's WAL included) and in its error messages. A booking feed's link (issue 16) is a
//! secret too: a canary link goes into the keychain from `doorpost feeds add` and is
//! searched for the same way, through the command line's answers, exports and the running
//! app's trace log (the hub's own answers to the window are checked in
//! `engine/src/hub/feeds_tests.rs`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use doorpost_engine::http::ApiToken;
use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
use doorpost_sim::{FakeConfig, FakeParakey, Fault};
use doorpost_tests::week_of_history;

const CANARY: &str = "CANARY-7f3a91-do-not-log";

/// Runs `doorpost-sync` for `secs` seconds and returns everything it printed.
fn run(dir: &Path, url: &str, secs: u64) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorpost-sync"))
        .args(["--data-dir", dir.to_str().unwrap(), "--api-url", url])
        .args(["--interval-ms", "200"])
        .env("DOORPOST_TOKEN", CANARY)
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(secs));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_no_canary_in_dir(dir: &Path) {
    assert_not_in_dir(dir, CANARY);
}

/// `secret` is in no file under `dir`, its subdirectories included.
fn assert_not_in_dir(dir: &Path, secret: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_not_in_dir(&path, secret);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "{secret} is in {}", path.display());
    }
}

#[test]
fn token_never_appears_in_logs_files_or_errors() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig {
            token: CANARY.into(),
            ..FakeConfig::default()
        }))
        .unwrap();
    fake.inject_many(week_of_history(fake.now()));
    let dir = tempfile::tempdir().unwrap();
    let url = fake.base_url();

    // A redirect elsewhere stops checking until the host acts (here: a restart).
    fake.push_faults([Fault::redirect_elsewhere()]);
    let mut output = run(dir.path(), &url, 2);
    assert!(output.contains("Redirected"), "it stopped: {output}");
    // Accepted, with faults on the way: a 500, a cut-off body.
    fake.push_faults([Fault::Status(500), Fault::Truncate]);
    output.push_str(&run(dir.path(), &url, 3));
    assert!(output.contains("synced"), "it synced: {output}");
    // Then rejected: Parakey no longer knows the token.
    fake.configure(|c| c.token = "another".into());
    output.push_str(&run(dir.path(), &url, 2));
    assert!(output.contains("AuthRejected"), "it was rejected: {output}");

    assert!(output.len() > 1_000, "trace logging was on");
    assert!(!output.contains(CANARY), "the token is in the output");
    assert_no_canary_in_dir(dir.path());

    let token = ApiToken::new(CANARY).unwrap();
    assert!(!format!("{token:?}").contains(CANARY));
    assert!(!token.fingerprint().contains(CANARY));
}

/// The keychain and the app's own channels (the command line, the control socket): the
/// canary goes into the Secret Service and comes back out whole, and nothing the app says
/// about it (doctor's report, a refresh's answer, `is_set`) carries it.
#[test]
fn the_token_stays_in_the_keychain_and_out_of_the_apps_answers() {
    if std::env::var("DOORPOST_DESKTOP_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: needs the desktop session (tests/desktop/session.sh)");
        return;
    }
    use doorpost_engine::keychain::{OsKeychain, TokenStore};
    let keychain = OsKeychain::new("co.doorpost.canary-test", "parakey-token");
    keychain
        .set(&ApiToken::new(CANARY).unwrap(), "https://api.parakey.co")
        .unwrap();
    assert!(keychain.is_set().unwrap());
    assert_eq!(keychain.get().unwrap().unwrap().token.expose(), CANARY);
    keychain.clear().unwrap();
    assert!(!keychain.is_set().unwrap());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig {
            token: "another".into(),
            ..FakeConfig::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Where cargo put it (CARGO_TARGET_DIR included), not only the workspace's target/.
    let bin = doorpost_tests::desktop::target_dir().join("debug/doorpost");
    if !bin.exists() {
        eprintln!("skipped the app's answers: build it with `cargo build -p doorpost`");
        return;
    }
    for args in [
        &["doctor"][..],
        &["refresh"],
        &["export", "--format", "csv"],
    ] {
        let out = Command::new(&bin)
            .args(args)
            .env("DOORPOST_DATA_DIR", dir.path())
            .env("DOORPOST_API_URL", fake.base_url())
            .env("DOORPOST_TOKEN", CANARY)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !said.contains(CANARY),
            "doorpost {args:?} said the token: {said}"
        );
    }
    assert_no_canary_in_dir(dir.path());
}

/// In the feed's path and in its query: the part a link's secret usually is.
const FEED_CANARY: &str = "CANARY-FEED-52e8c0-do-not-log";

/// `doorpost ARGS` with the most verbose logging and `stdin` as its input: what it said.
fn said(data: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = doorpost_tests::desktop::doorpost(data, "en_GB.UTF-8")
        .args(args)
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A feed link through the real binary: added, listed, checked (also while failing),
/// fetched by the running app, its stays listed and exported; then nothing Doorpost said,
/// logged or wrote in its data directory holds it.
#[test]
fn a_feed_link_stays_in_the_keychain_and_out_of_files_logs_and_answers() {
    if !doorpost_tests::desktop::desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(doorpost_tests::desktop::place_fake("tok-canary-feed"));
    fake.set_feed(
        FEED_CANARY,
        SimFeed {
            format: FeedFormat::Airbnb,
            switch: FeedSwitch::Normal,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let link = format!(
        "{}/feeds/{FEED_CANARY}.ics?s={FEED_CANARY}",
        fake.base_url()
    );
    let mut output = String::new();
    let mut run = |args: &[&str], stdin: &str| {
        let (ok, text) = said(data, args, stdin);
        output.push_str(&text);
        (ok, text)
    };
    let base = fake.base_url();
    let added = run(
        &["places", "add", "Loft", "--api-url", &base],
        "tok-canary-feed\n",
    );
    assert!(added.0, "{}", added.1);
    let added = run(&["feeds", "add", "Loft", "Airbnb"], &format!("{link}\n"));
    assert!(added.0, "{}", added.1);
    // A link that does not answer is refused, and the refusal does not repeat it.
    let broken = format!("{}/feeds/nope-{FEED_CANARY}.ics", fake.base_url());
    let refused = run(&["feeds", "add", "Loft", "Broken"], &format!("{broken}\n"));
    assert!(!refused.0, "{}", refused.1);

    // The app's log beside the data directory, not in it (a pipe could fill and stall it).
    let logs = tempfile::tempdir().unwrap();
    let log_path = logs.path().join("doorpost.log");
    let app = doorpost_tests::desktop::App(
        doorpost_tests::desktop::doorpost(data, "en_GB.UTF-8")
            .arg("--hidden")
            .env("RUST_LOG", "trace")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .unwrap(),
    );
    let fetched = fake.feed_requests(FEED_CANARY).0;
    doorpost_tests::desktop::wait_until("the app's fetch of the feed", || {
        let _ = said(data, &["refresh"], "");
        fake.feed_requests(FEED_CANARY).0 > fetched
    });
    fake.set_feed_switch(FEED_CANARY, FeedSwitch::Unauthorized);
    let failing = run(&["feeds", "check", "Loft", "Airbnb"], "");
    assert!(failing.1.contains("refused the link"), "{}", failing.1);
    fake.set_feed_switch(FEED_CANARY, FeedSwitch::Normal);
    for args in [
        &["feeds", "list"][..],
        &["feeds", "check", "Loft", "Airbnb"],
        &["stays"],
        &["stays", "--format", "json"],
        &["export", "--format", "json"],
        &["export", "--format", "csv"],
        &["places", "list"],
        &["config", "list", "--place", "Loft"],
        &["doctor"],
    ] {
        let answer = run(args, "");
        assert!(
            !answer.1.contains(FEED_CANARY),
            "doorpost {args:?} said the link: {}",
            answer.1
        );
    }
    app.stop();
    let log = String::from_utf8_lossy(&std::fs::read(&log_path).unwrap()).to_string();
    assert!(log.contains("TRACE"), "trace logging was on: {log:.500}");
    output.push_str(&log);
    assert!(!output.contains(FEED_CANARY), "the link is in the output");
    assert_not_in_dir(data, FEED_CANARY);
    fake.shutdown();
}
