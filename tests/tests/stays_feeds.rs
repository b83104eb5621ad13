//! Booking feeds through the real binary (issue 16): the simulator's feed server on
//! loopback, a real SQLite file, the desktop session's real keychain. `doorpost feeds
//! add|list|check|remove` and `doorpost stays`: each way a feed fails is said in plain
//! words, the last good calendar is kept, an empty calendar is believed at the second
//! answer, an unchanged one comes back as a 304, and the link is never stored outside the
//! keychain. Runs when `DOORPOST_DESKTOP_TESTS=1`, like `keychain_scopes.rs`.
// Linux only: a desktop session with the Secret Service.
#![cfg(unix)]

use std::path::Path;
use std::process::Output;

use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
use doorpost_tests::desktop::{add_place, cli, desktop_session, place_fake};

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn ok(out: Output) -> String {
    let said = text(&out);
    assert!(out.status.success(), "failed: {said}");
    said
}

fn feed(format: FeedFormat) -> SimFeed {
    SimFeed {
        format,
        switch: FeedSwitch::Normal,
    }
}

/// `feeds check Loft LABEL`, its one status line.
fn check(data: &Path, label: &str) -> String {
    ok(cli(data, &["feeds", "check", "Loft", label], ""))
}

fn stays_json(data: &Path) -> Vec<serde_json::Value> {
    let out = ok(cli(data, &["stays", "--format", "json"], ""));
    let json = &out[out.find('[').expect("a JSON array")..];
    let end = json.rfind(']').unwrap() + 1;
    serde_json::from_str::<serde_json::Value>(&json[..end])
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn feeds_are_added_checked_and_removed_from_the_command_line() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(place_fake("tok-feeds"));
    for (name, format) in [
        ("airbnb", FeedFormat::Airbnb),
        ("booking", FeedFormat::BookingCom),
        ("vrbo", FeedFormat::Vrbo),
        ("pms", FeedFormat::Pms),
    ] {
        fake.set_feed(name, feed(format));
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    ok(add_place(data, "Loft", &fake.base_url(), "tok-feeds"));
    let link = |name: &str| format!("{}/feeds/{name}.ics?s=CANARY-LINK\n", fake.base_url());

    // Refused before anything is stored: plain http elsewhere, and a login page.
    let out = cli(
        data,
        &["feeds", "add", "Loft", "Airbnb"],
        "http://example.com/a.ics\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("https://"), "{}", text(&out));
    fake.set_feed_switch("vrbo", FeedSwitch::LoginPage);
    let out = cli(data, &["feeds", "add", "Loft", "VRBO"], &link("vrbo"));
    assert!(!out.status.success());
    assert!(text(&out).contains("web page"), "{}", text(&out));
    fake.set_feed_switch("vrbo", FeedSwitch::Normal);

    for (name, label) in [("airbnb", "Airbnb"), ("booking", "Booking"), ("pms", "PMS")] {
        let said = ok(cli(data, &["feeds", "add", "Loft", label], &link(name)));
        assert!(said.contains(&format!("“{label}” added")), "{said}");
    }
    let out = cli(data, &["feeds", "add", "Loft", "airbnb"], &link("vrbo"));
    assert_eq!(out.status.code(), Some(2), "a label is unique per place");
    let listed = ok(cli(data, &["feeds", "list"], ""));
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(listed.contains("Loft\tAirbnb\tbookings\t3\tok"), "{listed}");

    // The stay arriving today is in all three feeds: one stay, three sources.
    let stays = stays_json(data);
    let merged: Vec<_> = stays
        .iter()
        .filter(|s| s["sources"].as_array().unwrap().len() == 3)
        .collect();
    assert_eq!(merged.len(), 1, "{stays:#?}");
    assert_eq!(merged[0]["place"], "Loft");
    assert!(merged[0]["checkIn"].as_str().unwrap().contains('T'));
    assert_eq!(merged[0]["noShow"], false);

    // Unchanged: a 304.
    assert!(check(data, "Airbnb").contains("ok"));
    assert_eq!(fake.feed_requests("airbnb"), (2, 1));

    // Each failure in plain words; the last good calendar stays.
    let cases = [
        (FeedSwitch::LoginPage, "web page"),
        (FeedSwitch::Unauthorized, "no longer valid"),
        (FeedSwitch::NotFound, "not found"),
        (FeedSwitch::ServerError, "(500)"),
        (FeedSwitch::Huge, "larger than 5 MB"),
        (FeedSwitch::Malformed, "malformed"),
        (FeedSwitch::NotCalendar, "not a calendar"),
    ];
    for (switch, words) in cases {
        fake.set_feed_switch("airbnb", switch);
        let said = check(data, "Airbnb");
        assert!(said.contains(words), "{switch:?}: {said}");
        let listed = ok(cli(data, &["feeds", "list"], ""));
        assert!(listed.contains(words), "{switch:?}: {listed}");
        assert_eq!(stays_json(data).len(), stays.len(), "{switch:?}: kept");
    }

    // Empty: believed at the second answer in a row.
    fake.set_feed_switch("airbnb", FeedSwitch::Empty);
    fake.set_feed_switch("booking", FeedSwitch::Empty);
    fake.set_feed_switch("pms", FeedSwitch::Empty);
    for label in ["Airbnb", "Booking", "PMS"] {
        check(data, label);
    }
    assert_eq!(stays_json(data).len(), stays.len(), "one empty answer");
    for label in ["Airbnb", "Booking", "PMS"] {
        check(data, label);
    }
    let live: Vec<_> = stays_json(data)
        .into_iter()
        .filter(|s| s["cancelled"] == false)
        .collect();
    assert!(
        live.len() < stays.len(),
        "the second is believed: {live:#?}"
    );

    let said = ok(cli(data, &["feeds", "remove", "Loft", "airbnb"], ""));
    assert!(said.contains("“Airbnb” removed"), "{said}");
    assert_eq!(ok(cli(data, &["feeds", "list"], "")).lines().count(), 2);

    // The link is in no file of the data directory.
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(11).any(|w| w == b"CANARY-LINK");
            assert!(!found, "the link is in {}", path.display());
        }
    }
}
