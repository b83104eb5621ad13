//! `doorpost doctor` says, per place, what the server accepted and refused, read from the
//! state the poller stored: "not known yet" before the first check, then (with the app
//! closed) the lessons of a server that refuses `limit` over 100 with a 400, accepts only
//! the documented newest-first order and refuses `skip` (it validates its parameters). The real binary in the desktop session (the doctor
//! needs the keychain and a notification server); runs when `DOORPOST_DESKTOP_TESTS=1`.

use std::path::Path;
use std::process::Output;

use doorpost_core::time::Millis;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey};
use doorpost_tests::desktop::{App, add_place, desktop_session, doorpost, tray_labels, wait_until};

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn doctor(data: &Path) -> String {
    let out = doorpost(data, "en_GB.UTF-8")
        .arg("doctor")
        .output()
        .unwrap();
    text(&out)
}

/// The doctor's line for `what` under the place's heading.
fn said<'a>(report: &'a str, what: &str) -> &'a str {
    report
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(what))
        .unwrap_or_else(|| panic!("doctor says {what}: {report}"))
}

#[test]
fn doctor_lists_what_the_server_accepted_and_refused() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt
        .block_on(FakeParakey::start(FakeConfig {
            token: "tok-strict".into(),
            seed: 181,
            limit_max_400: Some(100),
            desc_only: true,
            strict_params: true,
            ..FakeConfig::default()
        }))
        .unwrap();
    // More rows than the largest page this server serves: the first load asks for larger
    // pages, for `skip`, and walks the window oldest first, all of which it refuses.
    let now = fake.now();
    fake.inject_many((1..=150).map(|i| EventSpec::at(now.minus(i * 30 * Millis::MINUTE))));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let added = add_place(data, "Loft", &fake.base_url(), "tok-strict");
    assert!(added.status.success(), "{}", text(&added));

    let before = doctor(data);
    assert!(
        before.contains("Loft: what Parakey accepted and refused"),
        "{before}"
    );
    for what in [
        "sign-in header:",
        "largest limit accepted:",
        "orderBy=createdAt:ASC:",
        "skip:",
        "startDate filters on:",
    ] {
        assert_eq!(
            said(&before, what),
            format!("{what} not known yet"),
            "{before}"
        );
    }
    assert_eq!(said(&before, "page maximum:"), "page maximum: none learned");
    assert_eq!(said(&before, "last refusal:"), "last refusal: none");

    let app = App::spawn({
        let mut cmd = doorpost(data, "en_GB.UTF-8");
        cmd.arg("--hidden");
        cmd
    });
    wait_until("the first check in the tray", || {
        tray_labels().iter().any(|l| l.contains("Checked"))
    });
    app.stop();

    // The app is closed: the doctor reads what the poller stored.
    let after = doctor(data);
    assert_eq!(
        said(&after, "sign-in header:"),
        "sign-in header: the access-token header",
        "{after}"
    );
    assert_eq!(
        said(&after, "largest limit accepted:"),
        "largest limit accepted: 100",
        "{after}"
    );
    assert!(
        said(&after, "page maximum:").starts_with("page maximum: 100 (learned "),
        "{after}"
    );
    assert_eq!(
        said(&after, "orderBy=createdAt:ASC:"),
        "orderBy=createdAt:ASC: refused (listing newest first, the documented way)",
        "{after}"
    );
    assert_eq!(said(&after, "skip:"), "skip: refused", "{after}");
    let refusal = said(&after, "last refusal:");
    // The status, then the server's own words (its JSON body, on one line).
    assert!(
        refusal.starts_with("last refusal: 400 ")
            && (refusal.contains("limit must not be greater than 100")
                || refusal.contains("orderBy must be one of: createdAt:DESC")),
        "{after}"
    );
    fake.shutdown();
}
