//! The token never leaves the header: a canary token is run through the real binary with
//! the most verbose logging, through success, rejection and a redirect, and then searched
//! for in everything Doorpost wrote (stdout, stderr, every file in the data directory,
//! SQLite's WAL included) and in its error messages.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use doorpost_engine::http::ApiToken;
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
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let found = bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes());
        assert!(!found, "the token is in {}", path.display());
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
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/doorpost");
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
