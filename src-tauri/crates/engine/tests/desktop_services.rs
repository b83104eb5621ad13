//! The engine against real desktop services: the token in gnome-keyring's Secret Service
//! through [`OsKeychain`], and toasts through [`DesktopNotifier`] to a notification daemon
//! that records the exact D-Bus arguments.
//!
//! These tests need the private desktop session of `tests/desktop/session.sh` (Xvfb, a
//! D-Bus session bus, an unlocked gnome-keyring, the recording notification daemon), and
//! run only with `DOORPOST_DESKTOP_TESTS=1`. The project's test command runs the whole
//! workspace that way:
//!
//! ```text
//! tests/desktop/session.sh -- env DOORPOST_DESKTOP_TESTS=1 cargo test --workspace
//! ```
//!
//! Without the variable (a plain `cargo test` outside the session) each test prints a note
//! and passes. With it but without a session bus, they fail and say how to run them.
//!
//! Scenarios that must not touch this process's keychain state (keyring picks its store
//! once per process) or need another bus run in a child process of this test binary: the
//! test `child_process_entry` does the work when `DOORPOST_TEST_CHILD` names a scenario, and
//! prints one `OUTCOME ...` line for the parent to check.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use doorpost_core::policy::{SummaryReason, Toast};
use doorpost_core::settings::Language;
use doorpost_engine::desktop_notifier::{self, DesktopNotifier, NOTIFY_TIMEOUT};
use doorpost_engine::http::ApiToken;
use doorpost_engine::keychain::{KEYCHAIN_TIMEOUT, KeychainError, OsKeychain, TokenStore};
use doorpost_engine::notifier::{Notifier, NotifyError, ToastAction};

const SERVICE: &str = "co.doorpost.test";
const DESKTOP_ENTRY: &str = "co.doorpost.test";
const TOKEN: &str = "pk_live_7f3a9c-Do0rp0st-s3cret";
/// What a process start, a D-Bus round trip and scheduling may add to a bound.
const SLACK: Duration = Duration::from_secs(3);

struct Session {
    notify_log: PathBuf,
}

/// The session, or None (with a note) when desktop tests are not asked for.
fn session() -> Option<Session> {
    if std::env::var("DOORPOST_DESKTOP_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "note: desktop-service test not run; run it with \
             `tests/desktop/session.sh -- env DOORPOST_DESKTOP_TESTS=1 cargo test -p doorpost-engine --test desktop_services`"
        );
        return None;
    }
    let need = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "DOORPOST_DESKTOP_TESTS=1 but {name} is not set: these tests need the private \
                 desktop session. Run them through tests/desktop/session.sh, e.g. \
                 `tests/desktop/session.sh -- env DOORPOST_DESKTOP_TESTS=1 cargo test -p doorpost-engine --test desktop_services`"
            )
        })
    };
    need("DBUS_SESSION_BUS_ADDRESS");
    Some(Session {
        notify_log: PathBuf::from(need("DOORPOST_NOTIFY_LOG")),
    })
}

/// A name no other test (or earlier run) uses.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

fn secret_tool(args: &[&str]) -> (bool, String) {
    let out = Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool runs (apt-get install libsecret-tools)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// How many items a `secret-tool search` listing holds (each starts with its "[/path]").
fn items(listing: &str) -> usize {
    listing.lines().filter(|l| l.starts_with("[/")).count()
}

// ---------------------------------------------------------------------------------------
// The keychain

#[test]
fn keychain_round_trip_is_stored_in_the_secret_service() {
    let Some(_session) = session() else { return };
    let account = unique("round-trip");
    let keychain = OsKeychain::new(SERVICE, &account);

    assert!(!keychain.is_set().unwrap(), "a fresh account has no token");
    assert!(keychain.get().unwrap().is_none());
    keychain.clear().expect("clearing an absent token succeeds");

    keychain
        .set(&ApiToken::new(TOKEN).unwrap(), "https://api.parakey.co")
        .unwrap();
    assert!(keychain.is_set().unwrap());
    let saved = keychain.get().unwrap().unwrap();
    assert_eq!(saved.token.expose(), TOKEN);
    assert_eq!(
        saved.origin.as_deref(),
        Some("https://api.parakey.co"),
        "the token comes back with where it was checked"
    );

    // Another client of the Secret Service sees it where keyring puts it.
    let (found, secret) = secret_tool(&["lookup", "service", SERVICE, "username", &account]);
    assert!(found, "secret-tool finds the stored item");
    assert_eq!(secret.trim_end(), TOKEN);
    let (_, listing) = secret_tool(&["search", "--all", "service", SERVICE, "username", &account]);
    assert_eq!(
        items(&listing),
        1,
        "exactly one item for the account:\n{listing}"
    );
    // secret-tool prints an item's attributes on stderr.
    let details = Command::new("secret-tool")
        .args(["search", "--all", "service", SERVICE, "username", &account])
        .output()
        .expect("secret-tool runs");
    let details = String::from_utf8_lossy(&details.stdout).into_owned()
        + &String::from_utf8_lossy(&details.stderr);
    assert!(
        details.contains("attribute.origin = https://api.parakey.co"),
        "the origin is an attribute of the item:\n{details}"
    );

    // Replacing keeps one item.
    keychain
        .set(
            &ApiToken::new("pk_live_replacement").unwrap(),
            "http://127.0.0.1:8080",
        )
        .unwrap();
    let saved = keychain.get().unwrap().unwrap();
    assert_eq!(saved.token.expose(), "pk_live_replacement");
    assert_eq!(saved.origin.as_deref(), Some("http://127.0.0.1:8080"));
    let (_, listing) = secret_tool(&["search", "--all", "service", SERVICE, "username", &account]);
    assert_eq!(items(&listing), 1, "replacing keeps one item:\n{listing}");

    keychain.clear().unwrap();
    assert!(!keychain.is_set().unwrap());
    assert!(keychain.get().unwrap().is_none());
    let (found, _) = secret_tool(&["lookup", "service", SERVICE, "username", &account]);
    assert!(!found, "clear removes the item from the Secret Service");
}

#[test]
fn keychain_without_a_session_bus_is_unavailable_and_says_what_to_do() {
    let Some(_session) = session() else { return };
    let outcome = run_child(
        "keychain",
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/doorpost-bus",
        )],
    );
    assert_keychain_unavailable(&outcome);
    assert!(
        outcome.message.contains("GNOME Keyring or KWallet"),
        "{}",
        outcome.message
    );
}

#[test]
fn keychain_with_no_secret_service_on_the_bus_is_unavailable() {
    let Some(_session) = session() else { return };
    let bus = PrivateBus::start(PrivateBus::EMPTY);
    let outcome = run_child(
        "keychain",
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    );
    assert_keychain_unavailable(&outcome);
    assert!(
        outcome.message.contains("GNOME Keyring or KWallet"),
        "{}",
        outcome.message
    );
}

#[test]
fn locked_keychain_is_unavailable_and_says_to_unlock_it() {
    let Some(_session) = session() else { return };
    // A keyring of its own, so locking it disturbs no other test, on a bus without a
    // display, so gnome-keyring's unlock prompt fails at once instead of opening a window.
    let keyring = PrivateKeyring::start();
    let account = unique("locked");
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS", keyring.bus.address.as_str()),
        ("DOORPOST_TEST_ACCOUNT", account.as_str()),
    ];
    assert_eq!(run_child("keychain-set", &env).kind, "ok");

    set_default_collection_locked(&keyring.bus.address);
    let outcome = run_child("keychain", &env);
    assert_keychain_unavailable(&outcome);
    assert!(outcome.message.contains("locked"), "{}", outcome.message);
}

#[test]
fn hung_secret_service_is_given_up_within_the_timeout() {
    let Some(_session) = session() else { return };
    let bus = PrivateBus::start(PrivateBus::EMPTY);
    // Owns the Secret Service's name and answers nothing.
    let _hung = hold_name_frozen(&bus, "org.freedesktop.secrets");
    let outcome = run_child(
        "keychain",
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    );
    assert_keychain_unavailable(&outcome);
    assert!(
        outcome.elapsed >= KEYCHAIN_TIMEOUT - Duration::from_millis(100),
        "it waited for the keychain first: {outcome:?}"
    );
    assert!(
        outcome.elapsed <= KEYCHAIN_TIMEOUT + SLACK,
        "after one call hung, the next ones fail at once: {outcome:?}"
    );
    assert!(
        outcome.message.contains("did not answer"),
        "{}",
        outcome.message
    );
}

fn assert_keychain_unavailable(outcome: &Outcome) {
    assert_eq!(outcome.kind, "unavailable", "{outcome:?}");
    assert!(
        outcome.elapsed <= KEYCHAIN_TIMEOUT * 3 + SLACK,
        "three calls, each bounded by the keychain timeout: {outcome:?}"
    );
    assert!(
        !outcome.raw.contains(TOKEN),
        "the token never reaches an error: {outcome:?}"
    );
}

/// The child's side of storing a token for a later scenario.
fn keychain_set_child() {
    let account = std::env::var("DOORPOST_TEST_ACCOUNT").unwrap();
    let result = OsKeychain::new(SERVICE, &account)
        .set(&ApiToken::new(TOKEN).unwrap(), "https://api.parakey.co");
    let kind = if result.is_ok() { "ok" } else { "failed" };
    println!("OUTCOME {kind} 0 {result:?}");
}

/// The child's side: set, get and is_set on the given bus; each must fail Unavailable.
fn keychain_child() {
    let account = std::env::var("DOORPOST_TEST_ACCOUNT").unwrap_or_else(|_| unique("child"));
    let keychain = OsKeychain::new(SERVICE, &account);
    let started = Instant::now();
    let results: Vec<Result<(), KeychainError>> = vec![
        keychain.set(&ApiToken::new(TOKEN).unwrap(), "https://api.parakey.co"),
        keychain.get().map(drop),
        keychain.is_set().map(drop),
    ];
    let elapsed = started.elapsed();
    let kinds: Vec<&str> = results
        .iter()
        .map(|r| match r {
            Ok(()) => "ok",
            Err(KeychainError::Unavailable { .. }) => "unavailable",
            Err(KeychainError::Failed { .. }) => "failed",
        })
        .collect();
    let kind = if kinds.iter().all(|k| *k == kinds[0]) {
        kinds[0]
    } else {
        "mixed"
    };
    let message = results
        .iter()
        .find_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .unwrap_or_default();
    // Debug too: an error must not carry the token in any form.
    println!(
        "OUTCOME {kind} {} {message} || {:?}",
        elapsed.as_millis(),
        results
    );
}

/// Locks the Secret Service's default collection on the bus at `address`, as a screen
/// lock would.
fn set_default_collection_locked(address: &str) {
    zbus::block_on(async {
        let bus = zbus::connection::Builder::address(address)?.build().await?;
        let secrets = |method: &'static str| {
            (
                Some("org.freedesktop.secrets"),
                "/org/freedesktop/secrets",
                Some("org.freedesktop.Secret.Service"),
                method,
            )
        };
        let (dest, path, iface, method) = secrets("ReadAlias");
        let default: zbus::zvariant::OwnedObjectPath = bus
            .call_method(dest, path, iface, method, &("default",))
            .await?
            .body()
            .deserialize()?;
        let (dest, path, iface, method) = secrets("Lock");
        bus.call_method(dest, path, iface, method, &(vec![default],))
            .await?;
        Ok::<_, zbus::Error>(())
    })
    .unwrap_or_else(|e| panic!("could not lock the default collection: {e}"));
}

/// A child process that owns `name` on `bus`, stopped (SIGSTOP) so it answers nothing.
fn hold_name_frozen(bus: &PrivateBus, name: &str) -> KillOnDrop {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DOORPOST_TEST_CHILD", "hold-name")
        .env("DOORPOST_TEST_NAME", name)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the test binary runs as a child");
    let stdout = child.stdout.take().unwrap();
    let holder = KillOnDrop(child);
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("HOLDING"));
    assert!(ready, "the child took {name}");
    freeze(holder.0.id());
    holder
}

fn freeze(pid: u32) {
    let stopped = Command::new("kill")
        .args(["-STOP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(stopped.success(), "SIGSTOP {pid}");
}

/// The child's side of `hold_name_frozen`.
fn hold_name_child() {
    let name = std::env::var("DOORPOST_TEST_NAME").unwrap();
    let _bus = zbus::block_on(async {
        zbus::connection::Builder::session()?
            .name(name.as_str())?
            .build()
            .await
    })
    .unwrap_or_else(|e| panic!("could not own {name}: {e}"));
    println!("HOLDING {name}");
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

// ---------------------------------------------------------------------------------------
// Notifications

fn icon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../icons/icon.png")
}

/// The recorder's entries whose summary is `summary`.
fn notifications_titled(log: &Path, summary: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["summary"] == summary)
        .collect()
}

fn invoke(id: u64, action: &str) {
    let status = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            "co.doorpost.Test.Invoke",
            &format!("uint32:{id}"),
            &format!("string:{action}"),
        ])
        .stdout(Stdio::null())
        .status()
        .expect("dbus-send runs");
    assert!(status.success(), "the recorder accepts Invoke");
}

#[test]
fn one_toast_is_one_notify_with_the_door_as_summary_and_an_escaped_body() {
    let Some(session) = session() else { return };
    let (tx, _rx) = mpsc::channel();
    let notifier = DesktopNotifier::new(DESKTOP_ENTRY, &icon(), tx);
    let door = unique("Front door");
    let toast = Toast::Single {
        event_id: unique("ev"),
        door_id: Some("d1".into()),
        staff: None,
        title: door.clone(),
        body: r#"<b>x</b> & <a href="y">"#.to_string(),
    };

    let started = Instant::now();
    notifier.show(&toast).unwrap();
    assert!(started.elapsed() < NOTIFY_TIMEOUT, "show returns promptly");

    let sent = notifications_titled(&session.notify_log, &door);
    assert_eq!(sent.len(), 1, "exactly one Notify: {sent:?}");
    let n = &sent[0];
    assert_eq!(n["app_name"], "Doorpost");
    assert_eq!(n["app_icon"], icon().to_string_lossy().as_ref());
    assert_eq!(
        n["body"], r#"&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href="y"&gt;"#,
        "the recorder renders markup, so names are escaped"
    );
    let actions: Vec<&str> = n["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "default",
            "Open Doorpost",
            "mute-door",
            "Mute this door for 1 hour"
        ]
    );
    assert_eq!(n["hint_values"]["desktop-entry"], DESKTOP_ENTRY);
    assert_eq!(n["hint_values"]["category"], "x-doorpost.unlock");
    assert_eq!(n["hint_values"]["urgency"], 1, "normal urgency");
    assert!(
        n["hint_values"].get("sound-name").is_none(),
        "silent until the user turns the sound on"
    );

    notifier.set_sound(true);
    let rung = unique("Side door");
    notifier
        .show(&Toast::Single {
            event_id: unique("ev"),
            door_id: None,
            staff: None,
            title: rung.clone(),
            body: "Ana".into(),
        })
        .unwrap();
    let sent = notifications_titled(&session.notify_log, &rung);
    let sound = &sent[0]["hint_values"]["sound-name"];
    assert!(
        sound == "door-bell" || sound == "message-new-instant",
        "a themed sound name: {sound}"
    );
}

#[test]
fn activating_a_toast_sends_its_first_event_id() {
    let Some(session) = session() else { return };
    let (tx, rx) = mpsc::channel();
    let notifier = DesktopNotifier::new(DESKTOP_ENTRY, &icon(), tx);

    let single_title = unique("Back door");
    let single_event = unique("ev-single");
    notifier
        .show(&Toast::Single {
            event_id: single_event.clone(),
            door_id: Some("d-back".into()),
            staff: None,
            title: single_title.clone(),
            body: "Ana unlocked at 14:05".to_string(),
        })
        .unwrap();
    let summary_title = unique("3 new unlocks");
    let summary_events = vec![unique("ev-a"), unique("ev-b"), unique("ev-c")];
    notifier
        .show(&Toast::Summary {
            reason: SummaryReason::Burst,
            event_ids: summary_events.clone(),
            title: summary_title.clone(),
            body: "Front door: 3".to_string(),
        })
        .unwrap();
    let id_of = |title: &str| {
        notifications_titled(&session.notify_log, title)[0]["id"]
            .as_u64()
            .unwrap()
    };
    let (single_id, summary_id) = (id_of(&single_title), id_of(&summary_title));

    // A button other than the default, or another app's notification, opens nothing.
    invoke(single_id, "dismiss");
    invoke(999_999, "default");
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());

    invoke(summary_id, "default");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        ToastAction::Open(summary_events[0].clone()),
        "a summary opens at its first event"
    );
    // "dismiss" above consumed the single toast: a later click on it is not delivered twice.
    invoke(single_id, "default");
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());

    let other_title = unique("Garage");
    let other_event = unique("ev-other");
    notifier
        .show(&Toast::Single {
            event_id: other_event.clone(),
            door_id: Some("d-garage".into()),
            staff: None,
            title: other_title.clone(),
            body: "Bo unlocked at 09:00".to_string(),
        })
        .unwrap();
    invoke(id_of(&other_title), "default");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        ToastAction::Open(other_event)
    );

    // "Mute this door for 1 hour" names the door, labelled in the language set.
    notifier.set_language(Language::Nb);
    let muted_title = unique("Porten");
    notifier
        .show(&Toast::Single {
            event_id: unique("ev-gate"),
            door_id: Some("d-gate".into()),
            staff: None,
            title: muted_title.clone(),
            body: "Bo låste opp kl. 09:00".to_string(),
        })
        .unwrap();
    let sent = notifications_titled(&session.notify_log, &muted_title);
    assert_eq!(sent[0]["actions"][3], "Demp denne døren i 1 time");
    invoke(id_of(&muted_title), "mute-door");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        ToastAction::MuteDoor("d-gate".into())
    );
}

/// Emits `ActionInvoked(id, action)` for each id from a second client on the session bus
/// (not the notification server), and returns once the bus has routed them: a round trip
/// from the same connection comes back after its earlier messages were dispatched.
fn spoof_action_invoked(ids: &[u64], action: &str) {
    let python = std::env::var("DOORPOST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import sys, dbus
bus = dbus.SessionBus()
for nid in sys.argv[2:]:
    msg = dbus.lowlevel.SignalMessage(
        "/org/freedesktop/Notifications", "org.freedesktop.Notifications", "ActionInvoked")
    msg.append(dbus.UInt32(int(nid)), sys.argv[1], signature="us")
    bus.send_message(msg)
bus.flush()
dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"),
               "org.freedesktop.DBus").GetId()
"#;
    let status = Command::new(python)
        .args(["-c", script, action])
        .args(ids.iter().map(u64::to_string))
        .status()
        .expect("a Python with dbus runs (DOORPOST_PYTHON)");
    assert!(status.success(), "the spoofing client sent its signals");
}

/// The highest notification id the recorder has handed out so far.
fn last_notification_id(log: &Path) -> u64 {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["id"].as_u64())
        .max()
        .unwrap_or(0)
}

#[test]
fn only_the_notification_server_can_click_a_toast() {
    let Some(session) = session() else { return };
    let (tx, rx) = mpsc::channel();
    let notifier = DesktopNotifier::new(DESKTOP_ENTRY, &icon(), tx);
    let id_of = |title: &str| {
        notifications_titled(&session.notify_log, title)[0]["id"]
            .as_u64()
            .unwrap()
    };
    // The listener starts with the first toast; the pre-armed clicks below must reach it.
    let warm = unique("Warm-up");
    notifier
        .show(&Toast::Single {
            event_id: unique("ev-warm"),
            door_id: None,
            staff: None,
            title: warm.clone(),
            body: "Ana".into(),
        })
        .unwrap();

    // Another client "clicks" "Mute this door" on the ids the server will hand out next,
    // before Doorpost's toast exists (the server's id counter is easy to learn).
    let next = last_notification_id(&session.notify_log) + 1;
    spoof_action_invoked(&(next..next + 16).collect::<Vec<_>>(), "mute-door");
    let front = unique("Front door");
    notifier
        .show(&Toast::Single {
            event_id: unique("ev-front"),
            door_id: Some("d-front".into()),
            staff: None,
            title: front.clone(),
            body: "Ana unlocked at 14:05".into(),
        })
        .unwrap();
    let front_id = id_of(&front);
    assert!(
        (next..next + 16).contains(&front_id),
        "the spoofed range covers the toast ({front_id} not in {next}..)"
    );
    // And on the toast itself, now that Doorpost tracks it.
    spoof_action_invoked(&[front_id], "mute-door");

    // The server's own click on another toast arrives after every spoof on this
    // connection, so a spoof that had been acted on would be received first.
    let back = unique("Back door");
    notifier
        .show(&Toast::Single {
            event_id: unique("ev-back"),
            door_id: Some("d-back".into()),
            staff: None,
            title: back.clone(),
            body: "Bo unlocked at 14:06".into(),
        })
        .unwrap();
    invoke(id_of(&back), "mute-door");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        ToastAction::MuteDoor("d-back".into()),
        "the server's click works, and no spoofed click came before it"
    );
    assert!(rx.try_recv().is_err(), "nothing else was chosen");
}

/// "Doorpost can't check": critical (it stays until dismissed), and a click opens
/// Settings, where the cause is fixed.
#[test]
fn a_cant_check_notice_is_critical_and_opens_settings() {
    let Some(session) = session() else { return };
    let (tx, rx) = mpsc::channel();
    let notifier = DesktopNotifier::new(DESKTOP_ENTRY, &icon(), tx);
    let title = unique("Doorpost can't check Harbour Loft");
    notifier
        .show(&Toast::Alert {
            title: title.clone(),
            body: "Parakey rejects the token since 14:02. Open Settings to replace it.".into(),
        })
        .unwrap();
    let sent = notifications_titled(&session.notify_log, &title);
    let n = &sent[0];
    assert_eq!(n["hint_values"]["category"], "x-doorpost.cant-check");
    assert_eq!(n["hint_values"]["urgency"], 2, "critical urgency");
    assert_eq!(n["actions"][0], "default");
    assert_eq!(n["actions"][1], "Settings…");
    invoke(sent[0]["id"].as_u64().unwrap(), "default");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        ToastAction::OpenSettings
    );
}

#[test]
fn show_without_a_notification_service_is_no_service_within_the_timeout() {
    let Some(_session) = session() else { return };
    let bus = PrivateBus::start(PrivateBus::EMPTY);
    let outcome = run_child(
        "notify",
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    );
    assert_eq!(outcome.kind, "no-service", "{outcome:?}");
    assert!(outcome.elapsed <= NOTIFY_TIMEOUT + SLACK, "{outcome:?}");

    let outcome = run_child(
        "notify",
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/doorpost-bus",
        )],
    );
    assert_eq!(outcome.kind, "no-service", "{outcome:?}");
}

#[test]
fn show_gives_up_on_a_notification_service_that_never_answers() {
    let Some(_session) = session() else { return };
    let bus = PrivateBus::start(PrivateBus::EMPTY);
    let _hung = hold_name_frozen(&bus, "org.freedesktop.Notifications");
    let outcome = run_child(
        "notify",
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    );
    assert_eq!(outcome.kind, "timeout", "{outcome:?}");
    assert!(outcome.elapsed <= NOTIFY_TIMEOUT + SLACK, "{outcome:?}");
}

#[test]
fn probe_reports_the_session_notification_service() {
    let Some(_session) = session() else { return };
    let info = desktop_notifier::probe();
    assert!(info.available, "{info:?}");
    assert_eq!(info.name, "doorpost-notification-recorder");
    assert!(
        info.capabilities.iter().any(|c| c == "body-markup"),
        "{info:?}"
    );

    let bus = PrivateBus::start(PrivateBus::EMPTY);
    let outcome = run_child(
        "probe",
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    );
    assert_eq!(outcome.kind, "unavailable", "{outcome:?}");
}

/// The child's side: one toast on the given bus.
fn notify_child() {
    let (tx, _rx) = mpsc::channel();
    let notifier = DesktopNotifier::new(DESKTOP_ENTRY, &icon(), tx);
    let started = Instant::now();
    let result = notifier.show(&Toast::Single {
        door_id: None,
        staff: None,
        event_id: "ev-child".to_string(),
        title: "Front door".to_string(),
        body: "Ana unlocked at 14:05".to_string(),
    });
    let kind = match &result {
        Ok(()) => "ok",
        Err(NotifyError::NoService) => "no-service",
        Err(NotifyError::Timeout) => "timeout",
        Err(NotifyError::Failed(_)) => "failed",
    };
    println!(
        "OUTCOME {kind} {} {result:?}",
        started.elapsed().as_millis()
    );
}

fn probe_child() {
    let started = Instant::now();
    let info = desktop_notifier::probe();
    let kind = if info.available {
        "available"
    } else {
        "unavailable"
    };
    println!("OUTCOME {kind} {} {info:?}", started.elapsed().as_millis());
}

// ---------------------------------------------------------------------------------------
// Child processes and private buses

/// Does a child scenario's work when `DOORPOST_TEST_CHILD` names one; otherwise nothing.
#[test]
fn child_process_entry() {
    match std::env::var("DOORPOST_TEST_CHILD").as_deref() {
        Ok("keychain") => keychain_child(),
        Ok("keychain-set") => keychain_set_child(),
        Ok("hold-name") => hold_name_child(),
        Ok("notify") => notify_child(),
        Ok("probe") => probe_child(),
        Ok(other) => panic!("unknown child scenario {other}"),
        Err(_) => {}
    }
}

#[derive(Debug)]
struct Outcome {
    kind: String,
    elapsed: Duration,
    message: String,
    raw: String,
}

fn run_child(scenario: &str, env: &[(&str, &str)]) -> Outcome {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "child_process_entry",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("DOORPOST_TEST_CHILD", scenario)
    .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the test binary runs as a child");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let line = stdout
        .lines()
        // libtest prints "test child_process_entry ... " on the same line first.
        .find_map(|l| l.split_once("OUTCOME ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("child {scenario} printed no outcome:\n{stdout}\n{stderr}"));
    let mut parts = line.splitn(3, ' ');
    let kind = parts.next().unwrap_or_default().to_string();
    let ms: u64 = parts.next().unwrap_or("0").parse().unwrap_or(0);
    let rest = parts.next().unwrap_or_default();
    Outcome {
        kind,
        elapsed: Duration::from_millis(ms),
        message: rest.split(" || ").next().unwrap_or_default().to_string(),
        raw: format!("{stdout}\n{stderr}"),
    }
}

/// A child process killed (SIGKILL works on a stopped one too) when the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private D-Bus session bus.
struct PrivateBus {
    _daemon: KillOnDrop,
    address: String,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    /// Nothing on it and nothing activatable: no keychain, no notification service.
    const EMPTY: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=@DIR@/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

    /// A bus with `config` (`@DIR@` is its temp dir), started without a display.
    fn start(config: &str) -> PrivateBus {
        PrivateBus::start_with(config, &[])
    }

    /// The same, with `env` for the bus and the services it activates.
    fn start_with(config: &str, env: &[(&str, &Path)]) -> PrivateBus {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("bus.conf");
        std::fs::write(
            &config_path,
            config.replace("@DIR@", &dir.path().display().to_string()),
        )
        .unwrap();
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", config_path.display()))
            .args(["--nofork", "--print-address=1"])
            .env_remove("DISPLAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut daemon = cmd
            .spawn()
            .expect("dbus-daemon runs (apt-get install dbus)");
        let stdout = daemon.stdout.take().unwrap();
        let daemon = KillOnDrop(daemon);
        let mut address = String::new();
        BufReader::new(stdout).read_line(&mut address).unwrap();
        assert!(
            !address.trim().is_empty(),
            "dbus-daemon printed its address"
        );
        PrivateBus {
            _daemon: daemon,
            address: address.trim().to_string(),
            _dir: dir,
        }
    }
}

/// A gnome-keyring of its own (own home, unlocked login keyring) on a private bus that
/// has the system's activatable services but no display: a prompt fails at once.
struct PrivateKeyring {
    _daemon: KillOnDrop,
    bus: PrivateBus,
    _home: tempfile::TempDir,
}

impl PrivateKeyring {
    fn start() -> PrivateKeyring {
        let home = tempfile::tempdir().unwrap();
        let runtime = home.path().join("run");
        let data = home.path().join("data");
        let config = home.path().join("config");
        for d in [&runtime, &data, &config] {
            std::fs::create_dir_all(d).unwrap();
        }
        let env: [(&str, &Path); 4] = [
            ("HOME", home.path()),
            ("XDG_RUNTIME_DIR", &runtime),
            ("XDG_DATA_HOME", &data),
            ("XDG_CONFIG_HOME", &config),
        ];
        // The system's session configuration: gnome-keyring's prompter is activatable, and
        // fails for want of a display.
        let standard = std::fs::read_to_string("/usr/share/dbus-1/session.conf")
            .expect("the system's D-Bus session configuration (apt-get install dbus)");
        let bus = PrivateBus::start_with(&standard, &env);
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--foreground", "--unlock", "--components=secrets"])
            .env_remove("DISPLAY")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut daemon = cmd.spawn().expect("gnome-keyring-daemon runs");
        {
            use std::io::Write;
            let mut stdin = daemon.stdin.take().unwrap();
            stdin.write_all(b"private-keyring").unwrap();
        }
        let daemon = KillOnDrop(daemon);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !name_has_owner(&bus.address, "org.freedesktop.secrets") {
            assert!(
                Instant::now() < deadline,
                "the private gnome-keyring did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        PrivateKeyring {
            _daemon: daemon,
            bus,
            _home: home,
        }
    }
}

fn name_has_owner(address: &str, name: &str) -> bool {
    zbus::block_on(async {
        let bus = zbus::connection::Builder::address(address)?.build().await?;
        bus.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &(name,),
        )
        .await?
        .body()
        .deserialize::<bool>()
    })
    .unwrap_or(false)
}
