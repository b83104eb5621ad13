//! Stays end to end (issue 16): the real binary on a real desktop (Xvfb, a private D-Bus
//! session, the recording notification server, gnome-keyring; see
//! `tests/desktop/session.sh`) against two fake Parakeys on loopback, each serving a
//! booking feed at `GET /feeds/{name}.ics`.
//!
//! One story, told in English and then in Norwegian (`LANG=nb_NO.UTF-8`), each with a
//! data directory of its own: two places and a feed each added from the command line (the
//! links on standard input), the places' own stays settings from `config set … --place`;
//! then the guest's arrival toast, the tray's "guest arrived" and "guest expected" lines,
//! an unlock while vacant, "This is staff" clicked on its toast over D-Bus (the person is
//! then listed by `doorpost staff list`, and their next unlock does not toast), and the
//! no-show alert at the place's deadline. Runs when `DOORPOST_DESKTOP_TESTS=1`.
//!
//! The feeds' stays are all-day ones arriving on the fake's (UTC) day, and the alerts are
//! about "now". So that the story holds at any hour, each place's time zone is a fixed
//! `Etc/GMT` zone where it is now between 12:00 and 13:00 on that same day; check-in is
//! half an hour ago there and the no-show deadline a minute or two ahead.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta, Timelike, Utc};
use doorpost_core::time::Millis;
use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
use doorpost_sim::{EventSpec, FakeParakey, UserSpec};
use doorpost_tests::desktop::{
    App, add_place, cli, desktop_session, doorpost, invoke_action, notifications, place_fake,
    tray_labels, wait_until,
};
use serde_json::Value;

const FRONT: (&str, &str) = ("Dv0000001a", "Front door");

/// What differs between the two tellings.
struct Words {
    lang: &'static str,
    arrived: &'static str,
    vacant: &'static str,
    no_show: &'static str,
    stay: &'static str,
    reservation: &'static str,
    this_is_staff: &'static str,
    tray_arrived: &'static str,
    tray_expected: &'static str,
    checked: &'static str,
}

const EN: Words = Words {
    lang: "en_GB.UTF-8",
    arrived: "Guest arrived · Loft · stay ",
    vacant: "Unlocked while vacant · Front door · ",
    no_show: "No arrival yet at Cabin for today's stay (check-in {time})",
    stay: "Stay ",
    reservation: " · reservation HMXK4T9Q2B",
    this_is_staff: "This is staff",
    tray_arrived: "Loft: guest arrived ",
    tray_expected: "Cabin: guest expected ",
    checked: "Loft · Checked",
};

const NB: Words = Words {
    lang: "nb_NO.UTF-8",
    arrived: "Gjest kom · Loft · opphold ",
    vacant: "Låst opp mens ledig · Front door · ",
    no_show: "Ingen ankomst ennå på Cabin for dagens opphold (innsjekk {time})",
    stay: "Opphold ",
    reservation: " · reservasjon HMXK4T9Q2B",
    this_is_staff: "Dette er personale",
    tray_arrived: "Loft: gjest kom ",
    tray_expected: "Cabin: gjest ventes ",
    checked: "Loft · Sjekket",
};

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", text(&out));
    out
}

fn person(id: &str, first: &str, last: &str) -> Option<UserSpec> {
    Some(UserSpec::new(id, first, last, &format!("{id}@example.com")))
}

/// An unlock at the front door, reported now, made at `at`.
fn unlock(fake: &FakeParakey, user: Option<UserSpec>, at: Millis) -> String {
    fake.inject(
        EventSpec::at(fake.now())
            .door(FRONT.0, FRONT.1)
            .user(user)
            .access(None)
            .timestamp(at),
    )
}

fn toasts_since(from: usize) -> Vec<Value> {
    notifications().into_iter().skip(from).collect()
}

fn in_history(data: &Path, id: &str) -> bool {
    let out = cli(data, &["export", "--format", "json"], "");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    rows.iter().any(|r| r["id"] == id)
}

/// The places' clock: a fixed zone where it is now between 12:00 and 13:00, on the same
/// day as in UTC (the day the fakes' feeds are written around).
struct PlaceClock {
    zone: String,
    offset: FixedOffset,
}

impl PlaceClock {
    fn around_noon(now: Millis) -> PlaceClock {
        let utc = instant(now);
        let hours = 12 - utc.hour() as i32; // -11 ..= 12
        let zone = match hours {
            0 => "Etc/GMT".to_string(),
            // The `Etc` zones' signs are POSIX's: Etc/GMT-5 is five hours east of UTC.
            h if h > 0 => format!("Etc/GMT-{h}"),
            h => format!("Etc/GMT+{}", -h),
        };
        PlaceClock {
            zone,
            offset: FixedOffset::east_opt(hours * 3600).unwrap(),
        }
    }

    /// `HH:MM` on the place's clock.
    fn clock(&self, at: Millis) -> String {
        instant(at)
            .with_timezone(&self.offset)
            .format("%H:%M")
            .to_string()
    }
}

fn instant(at: Millis) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.0).unwrap()
}

#[test]
fn stay_alerts_on_the_desktop_in_english_and_norwegian() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    for words in [EN, NB] {
        let tokens = (
            format!("tok-loft-{}", words.lang),
            format!("tok-cabin-{}", words.lang),
        );
        let loft = rt.block_on(place_fake(&tokens.0));
        let cabin = rt.block_on(place_fake(&tokens.1));
        let dir = tempfile::tempdir().unwrap();
        let places = [("Loft", &loft, tokens.0), ("Cabin", &cabin, tokens.1)];
        story(dir.path(), places, &words);
        loft.shutdown();
        cabin.shutdown();
    }
}

/// A place's name, its fake Parakey and its token.
type Place<'a> = (&'static str, &'a FakeParakey, String);

fn story(data: &Path, places: [Place<'_>; 2], words: &Words) {
    let (loft, cabin) = (places[0].1, places[1].1);
    let now = loft.now();
    let clock = PlaceClock::around_noon(now);
    let check_in = clock.clock(now.minus(30 * Millis::MINUTE));
    // A whole minute ahead, at least a minute away: after the app has started watching.
    let deadline_at = {
        let t = instant(now) + TimeDelta::minutes(2);
        t.with_second(0).unwrap().with_nanosecond(0).unwrap()
    };
    let deadline = clock.clock(Millis(deadline_at.timestamp_millis()));
    set_up(data, &places, &clock, &check_in, &deadline);

    let app = App::spawn({
        let mut cmd = doorpost(data, words.lang);
        cmd.arg("--hidden");
        cmd
    });
    wait_until("the first checks in the tray", || {
        tray_labels().iter().any(|l| l.starts_with(words.checked))
    });
    arrival(data, loft, &clock, words);
    let cleo = vacant_then_staff(data, loft, &clock, words);
    no_show(cabin, deadline_at, &check_in, words);
    let listed = ok(cli(data, &["staff", "list"], ""));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "user\tU-cleo",
        "marked from the toast: {cleo}"
    );
    app.stop();
}

/// Two places, each with a feed from the command line and its own stays settings.
fn set_up(
    data: &Path,
    places: &[Place<'_>; 2],
    clock: &PlaceClock,
    check_in: &str,
    deadline: &str,
) {
    let (loft, cabin) = (places[0].1, places[1].1);
    let normal = |format| SimFeed {
        format,
        switch: FeedSwitch::Normal,
    };
    loft.set_feed("loft", normal(FeedFormat::Airbnb));
    cabin.set_feed("cabin", normal(FeedFormat::Vrbo));
    for (name, fake, token) in places {
        ok(add_place(data, name, &fake.base_url(), token));
        for (key, value) in [
            ("stays.timezone", clock.zone.as_str()),
            ("stays.checkin", check_in),
        ] {
            ok(cli(
                data,
                &["config", "set", key, value, "--place", name],
                "",
            ));
        }
    }
    ok(cli(
        data,
        &[
            "config",
            "set",
            "stays.noshow",
            deadline,
            "--place",
            "Cabin",
        ],
        "",
    ));
    // The vacant unlock below was made yesterday and reported now.
    ok(cli(data, &["config", "set", "offset.minutes", "none"], ""));
    let link = format!("{}/feeds/loft.ics\n", loft.base_url());
    let added = ok(cli(data, &["feeds", "add", "Loft", "Airbnb"], &link));
    assert!(text(&added).contains("Airbnb"), "{}", text(&added));
    let link = format!("{}/feeds/cabin.ics\n", cabin.base_url());
    ok(cli(data, &["feeds", "add", "Cabin", "VRBO"], &link));
    let stays = ok(cli(data, &["stays", "--format", "json"], ""));
    let stays: Vec<Value> = serde_json::from_slice(&stays.stdout).unwrap();
    assert!(
        stays.iter().any(|s| s["place"] == "Loft") && stays.iter().any(|s| s["place"] == "Cabin"),
        "{stays:?}"
    );
}

/// Ann's first unlock during the stay: the arrival toast, with "This is staff"; the tray
/// says she came, and that the cabin's guest is still expected.
fn arrival(data: &Path, loft: &FakeParakey, clock: &PlaceClock, words: &Words) {
    let before = notifications().len();
    let at = loft.now();
    let ann = unlock(loft, person("U-ann", "Ann", "Berg"), at);
    wait_until("Ann's arrival toast", || !toasts_since(before).is_empty());
    let toasts = toasts_since(before);
    assert_eq!(toasts.len(), 1, "one toast per unlock: {toasts:?}");
    let toast = &toasts[0];
    let title = toast["summary"].as_str().unwrap();
    assert!(title.starts_with(words.arrived), "{toast}");
    let body = toast["body"].as_str().unwrap();
    assert!(
        body.starts_with(&format!("Ann Berg · Front door · {}", clock.clock(at))),
        "{toast}"
    );
    assert!(body.contains(words.reservation), "{toast}");
    assert!(
        toast["actions"].to_string().contains(words.this_is_staff),
        "{toast}"
    );
    assert!(in_history(data, &ann));
    let arrived = format!("{}{}", words.tray_arrived, clock.clock(at));
    wait_until(&format!("{arrived:?} in the tray"), || {
        tray_labels().contains(&arrived)
    });
    let labels = tray_labels();
    assert!(
        labels.iter().any(|l| l.starts_with(words.tray_expected)),
        "{labels:?}"
    );
}

/// Cleo's unlock last night, when no stay covered the loft, reported now: "Unlocked while
/// vacant"; "This is staff" clicked on it; her next unlock, during the stay, is quiet.
/// Returns her toast.
fn vacant_then_staff(data: &Path, loft: &FakeParakey, clock: &PlaceClock, words: &Words) -> String {
    let before = notifications().len();
    let last_night = loft.now().minus(26 * Millis::HOUR);
    unlock(loft, person("U-cleo", "Cleo", "Vask"), last_night);
    wait_until("the vacant alert", || !toasts_since(before).is_empty());
    let toasts = toasts_since(before);
    assert_eq!(toasts.len(), 1, "{toasts:?}");
    let toast = &toasts[0];
    assert_eq!(
        toast["summary"].as_str().unwrap(),
        format!("{}{}", words.vacant, clock.clock(last_night)),
        "{toast}"
    );
    assert!(
        toast["body"].as_str().unwrap().starts_with("Cleo Vask "),
        "{toast}"
    );
    assert!(
        toast["actions"].to_string().contains(words.this_is_staff),
        "{toast}"
    );
    invoke_action(toast["id"].as_u64().unwrap(), "this-is-staff");
    wait_until("Cleo marked staff", || {
        String::from_utf8_lossy(&cli(data, &["staff", "list"], "").stdout).contains("U-cleo")
    });
    let before = notifications().len();
    let again = unlock(loft, person("U-cleo", "Cleo", "Vask"), loft.now());
    wait_until("Cleo's next unlock in the history", || {
        in_history(data, &again)
    });
    std::thread::sleep(Duration::from_secs(2));
    let toasts = toasts_since(before);
    assert!(
        toasts.is_empty(),
        "a staff unlock does not toast: {toasts:?}"
    );
    toast.to_string()
}

/// Nobody came to the cabin by its deadline: one no-show alert, after it.
fn no_show(cabin: &FakeParakey, deadline_at: DateTime<Utc>, check_in: &str, words: &Words) {
    let before = notifications().len();
    let title = words.no_show.replace("{time}", check_in);
    // Wait for the deadline on the computer's clock (the alert's timer runs on it), then
    // for the alert.
    let left = deadline_at.timestamp_millis() - cabin.now().0;
    if left > 0 {
        std::thread::sleep(Duration::from_millis(left as u64));
    }
    wait_until(&format!("{title:?}"), || {
        toasts_since(before).iter().any(|t| t["summary"] == title)
    });
    std::thread::sleep(Duration::from_secs(2));
    let told: Vec<Value> = toasts_since(before)
        .into_iter()
        .filter(|t| t["summary"] == title)
        .collect();
    assert_eq!(told.len(), 1, "once: {told:?}");
    assert!(
        told[0]["body"].as_str().unwrap().starts_with(words.stay),
        "{told:?}"
    );
}
