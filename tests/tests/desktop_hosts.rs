//! Doorpost for hosts, end to end: the real binary on a real desktop (Xvfb, a private
//! D-Bus session, the recording notification server, gnome-keyring; see
//! `tests/desktop/session.sh`) against two fake Parakeys on loopback.
//!
//! One story, because the app is one instance per user: two places added from the command
//! line (tokens from standard input, one keychain entry each), arrivals (two unlocks by one
//! guest, one toast), one place failing while the other goes on, "Mute this door for
//! 1 hour" clicked on a toast over D-Bus, quiet hours holding toasts and giving one digest,
//! every `config` key set from the command line seen by the running app, and Norwegian
//! toasts under `LANG=nb_NO.UTF-8`. Runs when `DOORPOST_DESKTOP_TESTS=1`.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use doorpost_core::config::{self, DoorName};
use doorpost_core::settings::Settings;
use doorpost_sim::{EventSpec, FakeParakey, Fault, UserSpec};
use doorpost_tests::desktop::{
    App, add_place, cli, control, control_socket, desktop_session, doorpost, invoke_action,
    notifications, place_fake, tray_labels, wait_until,
};
use serde_json::Value;

const FRONT: (&str, &str) = ("Dv0000001a", "Front door");
/// How long a place fails before the host is told, here (15 minutes in the release).
const CANT_CHECK_MS: &str = "4000";

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

fn guest(id: &str, first: &str, last: &str) -> Option<UserSpec> {
    Some(UserSpec::new(id, first, last, &format!("{id}@example.com")))
}

fn unlock(fake: &FakeParakey, user: Option<UserSpec>) -> String {
    fake.inject(
        EventSpec::at(fake.now())
            .door(FRONT.0, FRONT.1)
            .user(user)
            .access(None),
    )
}

fn export(data: &Path) -> Vec<Value> {
    let out = cli(data, &["export", "--format", "json"], "");
    serde_json::from_slice(&out.stdout).unwrap_or_default()
}

fn exported(data: &Path, id: &str) -> Option<Value> {
    export(data).into_iter().find(|r| r["id"] == id)
}

/// Toasts after the first `from`.
fn toasts_since(from: usize) -> Vec<Value> {
    notifications().into_iter().skip(from).collect()
}

/// `date` in local time, `offset` from now: `HH:MM`.
fn local_clock(offset: &str) -> String {
    let out = Command::new("date")
        .args(["-d", offset, "+%H:%M"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn hosts_get_arrivals_quiet_hours_mutes_places_and_their_language() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let loft = rt.block_on(place_fake("tok-loft"));
    let cabin = rt.block_on(place_fake("tok-cabin"));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let socket = control_socket();

    add_places(data, &loft, &cabin);
    let out = cli(data, &["config", "set", "notify.mode", "arrivals"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("when it next starts"), "{}", text(&out));

    let app = App::spawn({
        let mut cmd = doorpost(data, "en_GB.UTF-8");
        cmd.arg("--hidden")
            .env("DOORPOST_TEST_CANT_CHECK_MS", CANT_CHECK_MS);
        cmd
    });
    wait_until("both places' first checks in the tray", || {
        let labels = tray_labels();
        labels.iter().any(|l| l.starts_with("Loft · Checked"))
            && labels.iter().any(|l| l.starts_with("Cabin · Checked"))
    });

    arrivals(data, &loft);
    let bo_toast = one_place_failing(data, &loft, &cabin);
    mute_from_the_toast(data, &loft, bo_toast);
    quiet_hours(data, &loft);
    every_key_reaches_the_running_app(data, &socket);
    app.stop();
    norwegian(data, &loft, &cabin);
    loft.shutdown();
    cabin.shutdown();
}

/// Two places from the command line: tokens read from standard input, checked first.
fn add_places(data: &Path, loft: &FakeParakey, cabin: &FakeParakey) {
    let loft_url = loft.base_url();
    let cabin_url = cabin.base_url();
    let wrong = add_place(data, "Loft", &loft_url, "nope");
    assert!(!wrong.status.success(), "a rejected token adds nothing");
    let added = add_place(data, "Loft", &loft_url, "tok-loft");
    assert!(added.status.success(), "{}", text(&added));
    let added = add_place(data, "Cabin", &cabin_url, "tok-cabin");
    assert!(added.status.success(), "{}", text(&added));
    let dup = add_place(data, "cabin", &cabin_url, "tok-cabin");
    assert_eq!(dup.status.code(), Some(2), "{}", text(&dup));
    assert!(
        text(&dup).contains("already a place called"),
        "{}",
        text(&dup)
    );
    let empty = cli(data, &["places", "add", "Shed"], "\n");
    assert_eq!(empty.status.code(), Some(2), "{}", text(&empty));
    let list = cli(data, &["places", "list"], "");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains(&format!("Loft\t{loft_url}")), "{listed}");
    assert!(
        listed.contains("Cabin") && listed.matches("token saved").count() == 2,
        "{listed}"
    );
}

/// Two unlocks by one guest: one "arrived" toast; the second is kept as a repeat.
fn arrivals(data: &Path, loft: &FakeParakey) {
    let before = notifications().len();
    let first = unlock(loft, guest("U-ann", "Ann", "Berg"));
    wait_until("Ann's arrival toast", || !toasts_since(before).is_empty());
    let again = unlock(loft, guest("U-ann", "Ann", "Berg"));
    wait_until("Ann's second unlock in the history", || {
        exported(data, &again).is_some()
    });
    std::thread::sleep(Duration::from_secs(2));
    let toasts = toasts_since(before);
    assert_eq!(toasts.len(), 1, "one arrival: {toasts:?}");
    assert_eq!(toasts[0]["summary"], "Ann Berg arrived");
    let body = toasts[0]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Loft · Front door · "),
        "the place shows: {body}"
    );
    let first = exported(data, &first).unwrap();
    let again = exported(data, &again).unwrap();
    assert_eq!(
        (first["repeat"].as_bool(), again["repeat"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(again["place"], "Loft");
}

/// The cabin's Parakey fails; the loft goes on, and both show. Once the cabin has failed
/// for the grace period, the host is told, once, by a notification and in the tray.
/// Returns Bo's toast id.
fn one_place_failing(data: &Path, loft: &FakeParakey, cabin: &FakeParakey) -> u64 {
    let told_before = notifications().len();
    cabin.push_faults(std::iter::repeat_n(Fault::Status(503), 100_000));
    wait_until("the cabin's failure in the tray", || {
        tray_labels()
            .iter()
            .any(|l| l.starts_with("Cabin · Can't reach Parakey"))
    });
    assert!(
        !toasts_since(told_before)
            .iter()
            .any(|t| t["summary"] == "Doorpost can't check Cabin"),
        "not told before the grace period"
    );
    told_cant_check(
        told_before,
        "Doorpost can't check Cabin",
        (
            "Parakey has not answered since ",
            "Doorpost keeps trying; Status has the details.",
        ),
        "Cabin · Can't check since ",
    );
    let before = notifications().len();
    let bo = unlock(loft, guest("U-bo", "Bo", "Lind"));
    wait_until("Bo's arrival while the cabin fails", || {
        toasts_since(before)
            .iter()
            .any(|t| t["summary"] == "Bo Lind arrived")
    });
    assert!(exported(data, &bo).is_some());
    let labels = tray_labels();
    assert!(
        labels.iter().any(|l| l.starts_with("Loft · Checked")),
        "{labels:?}"
    );
    let notices = toasts_since(told_before)
        .iter()
        .filter(|t| t["summary"] == "Doorpost can't check Cabin")
        .count();
    assert_eq!(notices, 1, "once per outage");
    cabin.clear_faults();
    toasts_since(before)
        .iter()
        .find(|t| t["summary"] == "Bo Lind arrived")
        .and_then(|t| t["id"].as_u64())
        .unwrap()
}

/// "Mute this door for 1 hour" on the toast: that door's unlocks are kept, counted, quiet.
fn mute_from_the_toast(data: &Path, loft: &FakeParakey, toast: u64) {
    invoke_action(toast, "mute-door");
    wait_until("the muted door in the tray", || {
        tray_labels()
            .iter()
            .any(|l| l.starts_with("Front door · muted until"))
    });
    let before = notifications().len();
    let cy = unlock(loft, guest("U-cy", "Cy", "Moe"));
    wait_until("Cy's unlock in the history", || {
        exported(data, &cy).is_some()
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(toasts_since(before).len(), 0, "a muted door does not toast");
    assert_eq!(exported(data, &cy).unwrap()["muted"], true);
    doorpost_tests::desktop::tray_menu(&["click", "Unmute"]);
    wait_until("the door unmuted", || {
        !tray_labels()
            .iter()
            .any(|l| l.starts_with("Front door · muted until"))
    });
}

/// Quiet hours hold toasts; when they end, one digest of what they held.
fn quiet_hours(data: &Path, loft: &FakeParakey) {
    let window = format!("{}-{}", local_clock("-1 hour"), local_clock("+2 hours"));
    let out = cli(data, &["config", "set", "quiet.hours", &window], "");
    assert!(text(&out).contains("uses it now"), "{}", text(&out));
    wait_until("quiet hours in the tray", || {
        tray_labels().iter().any(|l| l.starts_with("Quiet until"))
    });
    let before = notifications().len();
    let di = unlock(loft, guest("U-di", "Di", "Holm"));
    let anonymous = unlock(loft, None);
    wait_until("the quiet unlocks in the history", || {
        exported(data, &di).is_some() && exported(data, &anonymous).is_some()
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        toasts_since(before).len(),
        0,
        "nothing toasts in quiet hours"
    );
    let out = cli(data, &["config", "set", "quiet.hours", "off"], "");
    assert!(out.status.success(), "{}", text(&out));
    wait_until("the digest", || !toasts_since(before).is_empty());
    std::thread::sleep(Duration::from_secs(2));
    let toasts = toasts_since(before);
    assert_eq!(toasts.len(), 1, "one digest: {toasts:?}");
    assert_eq!(toasts[0]["summary"], "While you were quiet: 2 unlocks");
    assert_eq!(toasts[0]["body"], "Loft · Front door 2");
}

/// Every key set from the command line, then read back from the running app itself.
fn every_key_reaches_the_running_app(data: &Path, socket: &Path) {
    let doors = [DoorName {
        id: FRONT.0.into(),
        name: FRONT.1.into(),
    }];
    for (key, value) in [
        ("interval.minutes", "7"),
        ("offset.minutes", "none"),
        ("offset.minutes", "30"),
        ("doors", "Front door"),
        ("doors", "all"),
        ("notify.mode", "every"),
        ("quiet.hours", "23:30-06:15"),
        ("quiet.hours", "off"),
        ("day.starts", "05:00"),
        ("retention.days", "30"),
        ("language", "nb"),
        ("language", "system"),
        ("notifications", "off"),
        ("notifications", "on"),
        ("sound", "on"),
        ("sound", "off"),
    ] {
        let out = cli(data, &["config", "set", key, value], "");
        assert!(out.status.success(), "{key} {value}: {}", text(&out));
        let applied: Settings =
            serde_json::from_str(&control(socket, "settings").unwrap()).unwrap();
        assert_eq!(config::get(&applied, key, &doors).unwrap(), value, "{key}");
        let got = cli(data, &["config", "get", key], "");
        assert_eq!(String::from_utf8_lossy(&got.stdout).trim(), value, "{key}");
    }
    let list = cli(data, &["config", "list"], "");
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        config::keys().count()
    );
    // A bad value: a one-line error, exit 2, nothing changed.
    let bad = cli(data, &["config", "set", "interval.minutes", "0"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr).trim().lines().count(),
        1
    );
    let applied: Settings = serde_json::from_str(&control(socket, "settings").unwrap()).unwrap();
    assert_eq!(applied.poll_interval_mins, 7);
    let unknown = cli(data, &["config", "get", "volume"], "");
    assert_eq!(unknown.status.code(), Some(2));
    // Back to a quick check and arrivals for the rest of the story.
    assert!(
        cli(data, &["config", "set", "interval.minutes", "1"], "")
            .status
            .success()
    );
    assert!(
        cli(data, &["config", "set", "notify.mode", "arrivals"], "")
            .status
            .success()
    );
}

/// The system's language: Norwegian toasts under `LANG=nb_NO.UTF-8`.
fn norwegian(data: &Path, loft: &FakeParakey, cabin: &FakeParakey) {
    let app = App::spawn({
        let mut cmd = doorpost(data, "nb_NO.UTF-8");
        cmd.arg("--hidden")
            .env("DOORPOST_TEST_CANT_CHECK_MS", CANT_CHECK_MS);
        cmd
    });
    wait_until("the Norwegian tray", || {
        tray_labels()
            .iter()
            .any(|l| l.starts_with("Loft · Sjekket"))
    });
    let before = notifications().len();
    unlock(loft, guest("U-eva", "Eva", "Nes"));
    wait_until("Eva's toast", || !toasts_since(before).is_empty());
    let toast = &toasts_since(before)[0];
    assert_eq!(toast["summary"], "Eva Nes har kommet");
    assert!(
        toast["body"]
            .as_str()
            .unwrap()
            .starts_with("Loft · Front door · kl. "),
        "{toast}"
    );
    let actions = toast["actions"].to_string();
    assert!(actions.contains("Demp denne døren i 1 time"), "{actions}");
    let refresh = doorpost(data, "nb_NO.UTF-8")
        .arg("refresh")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&refresh.stdout).contains("Doorpost sjekker Parakey nå"),
        "{}",
        String::from_utf8_lossy(&refresh.stdout)
    );
    // A rejected token is told at once, in the host's language.
    let before = notifications().len();
    cabin.configure(|c| c.token = "a-new-token".into());
    told_cant_check(
        before,
        "Doorpost får ikke sjekket Cabin",
        (
            "Parakey avviser tokenet siden ",
            "Åpne Innstillinger for å bytte det.",
        ),
        "Cabin · Får ikke sjekket siden ",
    );
    app.stop();
}

/// Waits for the "can't check" notification titled `title` among the toasts after the
/// first `from`, checks its body's start and end, then the tray line saying so.
fn told_cant_check(from: usize, title: &str, (starts, ends): (&str, &str), tray: &str) {
    wait_until(&format!("the notification {title:?}"), || {
        toasts_since(from).iter().any(|t| t["summary"] == title)
    });
    let told = toasts_since(from);
    let notice = told.iter().find(|t| t["summary"] == title).unwrap();
    let body = notice["body"].as_str().unwrap();
    assert!(body.starts_with(starts) && body.ends_with(ends), "{body}");
    wait_until(&format!("{tray:?} in the tray"), || {
        tray_labels().iter().any(|l| l.starts_with(tray))
    });
}
