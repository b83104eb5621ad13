//! Stays (issue 16), the command line's side of settings and staff, with the real binary
//! and a real SQLite file: `config … --place NAME` round trips and refusals, and
//! `staff list|add|remove`, in English and Norwegian.
//!
//! Needs `cargo build -p doorpost` first (as the other process tests).

use std::path::Path;
use std::process::{Output, Stdio};

use doorpost_core::settings::{ClockTime, SettingsPatch};
use doorpost_core::time::Millis;
use doorpost_engine::store::Store;
use doorpost_tests::desktop::doorpost;

/// `doorpost ARGS` on `data` in `lang`; no running Doorpost is reachable (a control
/// socket directory of its own).
fn run(data: &Path, lang: &str, args: &[&str]) -> Output {
    doorpost(data, lang)
        .env("XDG_RUNTIME_DIR", data.with_file_name("run"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("doorpost runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, "en_GB.UTF-8", args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{args:?}: {stderr}");
    stdout
}

fn refused(data: &Path, lang: &str, args: &[&str], code: i32) -> String {
    let out = run(data, lang, args);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    stderr
}

#[test]
fn a_places_own_stays_settings_round_trip_and_the_rest_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = &dir.path().join("data");
    std::fs::create_dir_all(dir.path().join("run")).unwrap();
    let listed = ok(data, &["config", "list"]);
    assert!(listed.contains("stays.checkin = 15:00\n"), "{listed}");
    assert!(listed.contains("stays.noshow = 22:00\n"), "{listed}");
    assert!(listed.contains("staff.notify = off\n"), "{listed}");
    let db = data.join("doorpost.sqlite3");
    Store::open(&db)
        .unwrap()
        .add_first_place("main", Millis(0))
        .unwrap();

    ok(
        data,
        &[
            "config",
            "set",
            "stays.checkin",
            "16:00",
            "--place",
            "Parakey",
        ],
    );
    ok(
        data,
        &["config", "set", "stays.noshow", "off", "--place", "parakey"],
    );
    assert_eq!(
        ok(
            data,
            &["config", "get", "stays.checkin", "--place", "Parakey"]
        ),
        "16:00\n"
    );
    assert_eq!(
        ok(data, &["config", "get", "stays.checkin"]),
        "15:00\n",
        "every place's"
    );
    let own = ok(data, &["config", "list", "--place", "Parakey"]);
    assert_eq!(own.lines().count(), 7, "{own}");
    assert!(own.contains("stays.noshow = off\n") && own.contains("stays.checkout = 11:00\n"));
    assert_eq!(
        Store::open(&db).unwrap().place_settings("main").unwrap(),
        SettingsPatch {
            stays_checkin: Some(ClockTime::of(16, 0)),
            stays_noshow: Some(None),
            ..Default::default()
        }
    );

    let e = refused(
        data,
        "en_GB.UTF-8",
        &["config", "set", "sound", "on", "--place", "Parakey"],
        2,
    );
    assert!(
        e.contains("“sound” is the same at every place; set it without --place."),
        "{e}"
    );
    let e = refused(
        data,
        "nb_NO.UTF-8",
        &["config", "set", "sound", "on", "--place", "Parakey"],
        2,
    );
    assert!(e.contains("«sound» er den samme på alle steder"), "{e}");
    let e = refused(
        data,
        "en_GB.UTF-8",
        &[
            "config",
            "set",
            "stays.timezone",
            "Mars/Base",
            "--place",
            "Parakey",
        ],
        2,
    );
    assert!(e.contains("IANA"), "{e}");
    let e = refused(
        data,
        "nb_NO.UTF-8",
        &["config", "set", "stays.buffer", "400", "--place", "Parakey"],
        2,
    );
    assert!(e.contains("Velg mellom 0 og 360 minutter."), "{e}");
    let e = refused(
        data,
        "en_GB.UTF-8",
        &["config", "get", "stays.checkin", "--place", "Shed"],
        2,
    );
    assert!(e.contains("There is no place called “Shed”."), "{e}");
    ok(
        data,
        &[
            "config",
            "set",
            "stays.timezone",
            "Europe/Oslo",
            "--place",
            "Parakey",
        ],
    );

    ok(
        data,
        &["config", "unset", "stays.checkin", "--place", "Parakey"],
    );
    assert_eq!(
        ok(
            data,
            &["config", "get", "stays.checkin", "--place", "Parakey"]
        ),
        "15:00\n"
    );
    assert_eq!(
        ok(
            data,
            &["config", "get", "stays.timezone", "--place", "Parakey"]
        ),
        "Europe/Oslo\n"
    );

    let mut store = Store::open(&db).unwrap();
    store.remove_place("main", false, &[]).unwrap();
    assert_eq!(
        store.place_settings("main").unwrap(),
        SettingsPatch::default(),
        "gone with it"
    );
}

#[test]
fn staff_are_listed_added_and_removed_by_name_user_or_access() {
    let dir = tempfile::tempdir().unwrap();
    let data = &dir.path().join("data");
    std::fs::create_dir_all(dir.path().join("run")).unwrap();
    let out = run(data, "en_GB.UTF-8", &["staff", "list"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out),
        (String::new(), "Nobody is marked staff.\n".into())
    );

    let out = run(data, "en_GB.UTF-8", &["staff", "add", "  Åse Berg "]);
    assert!(
        text(&out).1.contains("åse berg is marked staff."),
        "{:?}",
        text(&out)
    );
    ok(data, &["staff", "add", "ÅSE BERG"]);
    ok(data, &["staff", "add", "--id", "U1"]);
    ok(data, &["staff", "add", "--access", "A1"]);
    assert_eq!(
        ok(data, &["staff", "list"]),
        "access\tA1\nname\tåse berg\nuser\tU1\n"
    );

    ok(data, &["staff", "remove", "--id", "U1"]);
    let e = refused(data, "en_GB.UTF-8", &["staff", "remove", "--id", "U1"], 1);
    assert!(e.contains("U1 is not marked staff."), "{e}");
    let e = refused(data, "nb_NO.UTF-8", &["staff", "remove", "Nobody"], 1);
    assert!(e.contains("nobody er ikke merket som ansatt."), "{e}");
    let e = refused(data, "en_GB.UTF-8", &["staff", "add", "   "], 2);
    assert!(
        e.contains("Give a name or an id of 1 to 200 characters."),
        "{e}"
    );
    refused(data, "en_GB.UTF-8", &["staff", "add"], 2);
    refused(
        data,
        "en_GB.UTF-8",
        &["staff", "add", "Ann", "--id", "U2"],
        2,
    );
    assert_eq!(ok(data, &["staff", "list"]), "access\tA1\nname\tåse berg\n");
}
