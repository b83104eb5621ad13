//! Two data directories of one user, in one keychain (the desktop session's real
//! gnome-keyring), through the real binary: each install's tokens are its own, and a saved
//! token goes only to the address it was checked against, whatever `DOORPOST_API_URL` says.
//! Runs when `DOORPOST_DESKTOP_TESTS=1`, like `desktop_app.rs`.
// Linux only: a desktop session with the Secret Service.
#![cfg(unix)]

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use doorpost_tests::desktop::{add_place, cli, desktop_session, doorpost, place_fake};

/// The debug build's keychain service (`paths::IDENTIFIER`).
const SERVICE: &str = "co.doorpost.app.dev";

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Every Doorpost item in the keychain with its secret and attributes (secret-tool prints
/// the attributes on stderr).
fn keychain_items() -> String {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", SERVICE])
        .output()
        .expect("secret-tool runs");
    text(&out)
}

/// The entry a Doorpost from before install ids kept its first token in.
fn store_legacy_token(token: &str) {
    let mut child = Command::new("secret-tool")
        .args([
            "store",
            "--label=Doorpost",
            "service",
            SERVICE,
            "username",
            "parakey-token",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// A loopback port that counts the connections it is offered.
fn trap() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&seen);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (url, seen)
}

#[test]
fn a_scratch_data_directory_beside_a_real_one_never_touches_its_token() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let real_parakey = rt.block_on(place_fake("tok-real"));
    let scratch_parakey = rt.block_on(place_fake("tok-scratch"));
    let real = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    store_legacy_token("tok-legacy");

    // Added with the address from the environment (no `--api-url`): the place keeps the
    // address its token was checked against.
    let mut add = doorpost(real.path(), "en_GB.UTF-8")
        .env("DOORPOST_API_URL", real_parakey.base_url())
        .args(["places", "add", "Loft"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"tok-real\n").unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "{}", text(&added));

    // A scratch directory: nothing adopted, neither the real install's token nor the
    // old unscoped one.
    let list = cli(scratch.path(), &["places", "list"], "");
    assert!(list.status.success(), "{}", text(&list));
    assert_eq!(String::from_utf8_lossy(&list.stdout), "", "{}", text(&list));
    // Its first place has the same id (`main`), its token its own entry.
    let added = add_place(
        scratch.path(),
        "Cabin",
        &scratch_parakey.base_url(),
        "tok-scratch",
    );
    assert!(added.status.success(), "{}", text(&added));
    let items = keychain_items();
    assert!(
        items.contains("secret = tok-real") && items.contains("secret = tok-scratch"),
        "{items}"
    );
    let removed = cli(scratch.path(), &["places", "remove", "Cabin"], "");
    assert!(removed.status.success(), "{}", text(&removed));

    let items = keychain_items();
    assert!(!items.contains("tok-scratch"), "{items}");
    assert!(
        items.contains("secret = tok-real"),
        "the real install's token is still there:\n{items}"
    );
    assert!(
        items.contains("secret = tok-legacy"),
        "the old entry is left to the install that wrote it:\n{items}"
    );

    // The real install, with an environment pointing at a loopback listener: its token
    // goes where it was checked, and the listener sees no connection.
    let (elsewhere, offered) = trap();
    let doctor = doorpost(real.path(), "en_GB.UTF-8")
        .env("DOORPOST_API_URL", &elsewhere)
        .arg("doctor")
        .output()
        .unwrap();
    let said = text(&doctor);
    assert!(
        said.contains("Loft: Parakey accepts the token"),
        "the real install still has its token: {said}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        offered.load(Ordering::SeqCst),
        0,
        "a saved token never follows DOORPOST_API_URL: {said}"
    );
    real_parakey.shutdown();
    scratch_parakey.shutdown();
}
