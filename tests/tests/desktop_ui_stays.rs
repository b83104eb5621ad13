//! Stays in the window (issue 16), in WebKitGTK through WebKitWebDriver against the real
//! app, a Norwegian system (`LANG=nb_NO.UTF-8`) first, then English chosen in Settings.
//! Two places on fake Parakeys (added from the command line); the sim's test server serves
//! the booking feeds. Through the window: a place's own check-in time and time zone
//! (Settings › Places, saved with the form), a booking feed added in Settings › Bookings
//! (listed with the stays it found), a feed that answers a login page refused in plain
//! words, History's marks ("Arrival · stay …", "Vacant") on unlocks that come after, and a
//! person marked staff from a History row and unmarked again ("Not staff"). After each
//! action the window's own words are read, and the command line confirms what was stored.
//! Screenshots go to `target/screenshots/stays-*.png`. Runs when `DOORPOST_DESKTOP_TESTS=1`.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use doorpost_core::time::Millis;
use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
use doorpost_sim::{EventSpec, FakeParakey, UserSpec};
use doorpost_tests::desktop::{
    WebKitDriver, add_place, cli_text, desktop_session, place_fake, target_dir,
};
use doorpost_tests::webdriver::{WebDriver, body_text, set_value};
use doorpost_tests::week_of_history;
use serde_json::json;

/// The text of the first element at `css`, once `ok` holds for it.
async fn text_where(wd: &WebDriver, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..150 {
        if let Some(e) = wd.find_all(css).await.into_iter().next() {
            last = wd.text(&e).await.trim().to_string();
            if ok(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = body_text(wd).await;
    panic!("{css} never {what} (last {last:?}); page text: {page}");
}

/// Waits until the element at `css` says exactly `want`.
async fn says(wd: &WebDriver, css: &str, want: &str) {
    text_where(wd, css, &format!("said {want:?}"), |t| t == want).await;
}

/// Waits until the element at `css` says something containing `part`.
async fn mentions(wd: &WebDriver, css: &str, part: &str) -> String {
    text_where(wd, css, &format!("mentioned {part:?}"), |t| {
        t.contains(part)
    })
    .await
}

/// Waits until the field at `css` holds `value`.
async fn field_reads(wd: &WebDriver, css: &str, value: &str) {
    let mut now = serde_json::Value::Null;
    for _ in 0..50 {
        now = wd
            .script(
                "const e = document.querySelector(arguments[0]); return e && e.value",
                json!([css]),
            )
            .await;
        if now.as_str() == Some(value) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never read {value:?} (it reads {now})");
}

/// None of the words a broken answer leaves on screen.
async fn nothing_broken(wd: &WebDriver, after: &str) {
    let page = body_text(wd).await;
    for bad in ["undefined", "null", "NaN", "is not an object"] {
        assert!(
            !page.contains(bad),
            "after {after}, {bad:?} on screen: {page}"
        );
    }
}

async fn show(wd: &WebDriver, css: &str) {
    wd.script(
        "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'})",
        json!([css]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn click(wd: &WebDriver, css: &str) {
    wd.click(&wd.find(css).await).await;
}

/// The id Doorpost gave the place `name` (its card's and its Bookings' `data-place-id`).
async fn place_id(wd: &WebDriver, name: &str) -> String {
    for _ in 0..100 {
        let id = wd
            .script(
                "const c = [...document.querySelectorAll('[data-testid=place]')] \
                   .find(c => c.querySelector('h4')?.textContent.trim() === arguments[0]); \
                 return c ? c.dataset.placeId : null",
                json!([name]),
            )
            .await;
        if let Some(id) = id.as_str() {
            return id.to_string();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "no place card named {name:?}; page text: {}",
        body_text(wd).await
    );
}

/// The History row of `who`'s unlock, as a CSS selector by its id.
async fn row_of(wd: &WebDriver, who: &str) -> String {
    for _ in 0..150 {
        let found = wd
            .script(
                "const row = [...document.querySelectorAll('[data-testid=history-row]')] \
                   .find(r => r.innerText.includes(arguments[0])); \
                 return row ? row.dataset.id : null",
                json!([who]),
            )
            .await;
        if let Some(id) = found.as_str() {
            return format!("[data-testid=history-row][data-id=\"{id}\"]");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "no History row for {who}; page text: {}",
        body_text(wd).await
    );
}

/// What one language's window says.
struct Words {
    lang: &'static str,
    stays_title: &'static str,
    own_two: &'static str,
    own_one: &'static str,
    saved: &'static str,
    found: &'static str,
    /// The shell's sentence for a feed that answers a login page.
    login_page: &'static str,
    arrival: &'static str,
    vacant: &'static str,
    mark: &'static str,
    unmark: &'static str,
    staff: &'static str,
}

const NORWEGIAN: Words = Words {
    lang: "nb",
    stays_title: "Opphold",
    own_two: "Opphold: 2 egne verdier",
    own_one: "Opphold: 1 egen verdi",
    saved: "Innstillingene er lagret.",
    found: "3 opphold funnet",
    login_page: "Lenken svarte med en nettside (en innloggingsside?), ikke en kalender.",
    arrival: "Ankomst · opphold ",
    vacant: "Ledig",
    mark: "Dette er personale",
    unmark: "Ikke personale",
    staff: "Personale",
};

const ENGLISH: Words = Words {
    lang: "en",
    stays_title: "Stays",
    own_two: "Stays: 2 own values",
    own_one: "Stays: 1 own value",
    saved: "Settings saved.",
    found: "3 stays found",
    login_page: "The link answered a web page (a login page?), not a calendar.",
    arrival: "Arrival · stay ",
    vacant: "Vacant",
    mark: "This is staff",
    unmark: "Not staff",
    staff: "Staff",
};

#[test]
fn stays_settings_feeds_marks_and_staff_in_webkitgtk_in_both_languages() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(story());
}

async fn story() {
    let loft = place_fake("tok-stays-loft").await;
    let cabin = place_fake("tok-stays-cabin").await;
    loft.inject_many(week_of_history(loft.now()));
    for (name, format, switch) in [
        ("airbnb", FeedFormat::Airbnb, FeedSwitch::Normal),
        ("vrbo", FeedFormat::Vrbo, FeedSwitch::LoginPage),
    ] {
        loft.set_feed(name, SimFeed { format, switch });
    }
    let data = tempfile::tempdir().unwrap();
    for (name, fake, token) in [
        ("Loft", &loft, "tok-stays-loft"),
        ("Cabin", &cabin, "tok-stays-cabin"),
    ] {
        assert!(
            add_place(data.path(), name, &fake.base_url(), token)
                .status
                .success()
        );
    }

    let data_dir = data.path().to_string_lossy().to_string();
    let driver = WebKitDriver::start(
        &[
            ("DOORPOST_DATA_DIR", &data_dir),
            ("DOORPOST_TEST_INTERVAL_MS", "500"),
            ("LANG", "nb_NO.UTF-8"),
        ],
        &[
            "LC_ALL",
            "LC_MESSAGES",
            "DOORPOST_TOKEN",
            "DOORPOST_API_URL",
        ],
    )
    .await;
    let bin = target_dir().join("debug/doorpost");
    let wd = WebDriver::start(&driver.url, bin.to_str().unwrap(), &[])
        .await
        .expect("a WebDriver session on the real app");
    wd.find("[data-testid=history-row]").await;

    // Norwegian: the settings, the feeds, then unlocks that the feed's stay explains.
    open_settings(&wd, &NORWEGIAN).await;
    own_stays_settings(&wd, data.path(), &NORWEGIAN).await;
    add_feeds(&wd, data.path(), &loft, &NORWEGIAN).await;
    let now = loft.now();
    loft.inject(
        EventSpec::at(now)
            .door("Dv0000stay", "Hoveddør")
            .user(Some(UserSpec::new(
                "u-kari",
                "Kari",
                "Nordmann",
                "kari@example.com",
            ))),
    );
    loft.inject(
        EventSpec::at(now)
            .timestamp(yesterday_evening(now))
            .door("Dv0000stay", "Hoveddør")
            .user(Some(UserSpec::new(
                "u-per",
                "Per",
                "Hansen",
                "per@example.com",
            ))),
    );
    marks_and_staff(&wd, data.path(), &NORWEGIAN).await;

    // English, chosen in Settings: the same things in its words.
    open_settings(&wd, &NORWEGIAN).await;
    set_value(&wd, "[data-testid=settings-language]", "en").await;
    click(&wd, "[data-testid=settings-save]").await;
    says(&wd, "[data-testid=settings-result]", ENGLISH.saved).await;
    open_settings(&wd, &ENGLISH).await;
    cabin_check_in(&wd, data.path(), &ENGLISH).await;
    feeds_listed(&wd, &ENGLISH).await;
    marks_and_staff(&wd, data.path(), &ENGLISH).await;

    wd.quit().await;
    loft.shutdown();
    cabin.shutdown();
}

/// 18:00 UTC the day before `now`: no stay of the feed covers it (its first begins today).
fn yesterday_evening(now: Millis) -> Millis {
    let day = DateTime::<Utc>::from_timestamp_millis(now.0)
        .unwrap()
        .date_naive()
        .checked_sub_days(Days::new(1))
        .unwrap();
    Millis(
        day.and_hms_opt(18, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis(),
    )
}

async fn open_settings(wd: &WebDriver, words: &Words) {
    click(wd, "[data-testid=nav-settings]").await;
    says(wd, "[data-testid=settings-stays] h3", words.stays_title).await;
}

/// Loft gets its own check-in (00:00, so today's stay covers any time of the test's day)
/// and time zone (UTC, the fake's day) in its card; Save sends them with the form.
async fn own_stays_settings(wd: &WebDriver, data: &Path, words: &Words) {
    let id = place_id(wd, "Loft").await;
    let card = format!("[data-testid=place][data-place-id=\"{id}\"]");
    click(wd, &format!("{card} [data-testid=place-stays-summary]")).await;
    set_value(
        wd,
        &format!("{card} [data-testid=place-staysCheckin-scope]"),
        "own",
    )
    .await;
    set_value(
        wd,
        &format!("{card} [data-testid=place-staysCheckin]"),
        "00:00",
    )
    .await;
    set_value(
        wd,
        &format!("{card} [data-testid=place-staysTimezone-scope]"),
        "own",
    )
    .await;
    set_value(
        wd,
        &format!("{card} [data-testid=place-staysTimezone]"),
        "UTC",
    )
    .await;
    says(
        wd,
        &format!("{card} [data-testid=place-stays-summary]"),
        words.own_two,
    )
    .await;
    show(wd, &format!("{card} [data-testid=place-stays]")).await;
    wd.save_screenshot(&format!("stays-{}-place-own", words.lang))
        .await;
    click(wd, "[data-testid=settings-save]").await;
    says(wd, "[data-testid=settings-result]", words.saved).await;
    let stored = cli_text(data, &["config", "get", "stays.checkin", "--place", "Loft"]);
    assert_eq!(stored, "00:00");
    let zone = cli_text(
        data,
        &["config", "get", "stays.timezone", "--place", "Loft"],
    );
    assert_eq!(zone, "UTC");
    assert_eq!(
        cli_text(
            data,
            &["config", "get", "stays.checkin", "--place", "Cabin"]
        ),
        "15:00"
    );
    says(
        wd,
        &format!("{card} [data-testid=place-stays-summary]"),
        words.own_two,
    )
    .await;
    field_reads(
        wd,
        &format!("{card} [data-testid=place-staysCheckin]"),
        "00:00",
    )
    .await;
    assert!(
        wd.find_all("[data-testid=settings-save-bar]")
            .await
            .is_empty(),
        "all saved"
    );
    nothing_broken(wd, "saving Loft's own stays settings").await;
    show(wd, "[data-testid=settings-stays]").await;
    wd.save_screenshot(&format!("stays-{}-defaults", words.lang))
        .await;
}

/// Cabin's own check-in, 16:00, in the second language.
async fn cabin_check_in(wd: &WebDriver, data: &Path, words: &Words) {
    let id = place_id(wd, "Cabin").await;
    let card = format!("[data-testid=place][data-place-id=\"{id}\"]");
    click(wd, &format!("{card} [data-testid=place-stays-summary]")).await;
    set_value(
        wd,
        &format!("{card} [data-testid=place-staysCheckin-scope]"),
        "own",
    )
    .await;
    set_value(
        wd,
        &format!("{card} [data-testid=place-staysCheckin]"),
        "16:00",
    )
    .await;
    click(wd, "[data-testid=settings-save]").await;
    says(wd, "[data-testid=settings-result]", words.saved).await;
    assert_eq!(
        cli_text(
            data,
            &["config", "get", "stays.checkin", "--place", "Cabin"]
        ),
        "16:00"
    );
    says(
        wd,
        &format!("{card} [data-testid=place-stays-summary]"),
        words.own_one,
    )
    .await;
    let loft = place_id(wd, "Loft").await;
    says(
        wd,
        &format!("[data-place-id=\"{loft}\"] [data-testid=place-stays-summary]"),
        words.own_two,
    )
    .await;
    show(wd, &format!("{card} [data-testid=place-stays]")).await;
    wd.save_screenshot(&format!("stays-{}-place-own", words.lang))
        .await;
    nothing_broken(wd, "saving Cabin's own check-in").await;
}

/// Adds Loft's Airbnb calendar from Settings › Bookings; a VRBO link that answers a login
/// page is refused under the link in plain words, and nothing is stored for it.
async fn add_feeds(wd: &WebDriver, data: &Path, loft: &FakeParakey, words: &Words) {
    let id = place_id(wd, "Loft").await;
    let add = format!("[data-testid=feed-add][data-place-id=\"{id}\"]");
    click(wd, &add).await;
    wd.type_text(&wd.find("[data-testid=feed-new-label]").await, "Airbnb")
        .await;
    let link = format!("{}/feeds/airbnb.ics?s=secret", loft.base_url());
    wd.type_text(&wd.find("[data-testid=feed-new-url]").await, &link)
        .await;
    field_reads(wd, "[data-testid=feed-new-label]", "Airbnb").await;
    show(wd, "[data-testid=feed-add-form]").await;
    wd.save_screenshot(&format!("stays-{}-feed-form", words.lang))
        .await;
    click(wd, "[data-testid=feed-new-submit]").await;
    feeds_listed(wd, words).await;
    let listed = cli_text(data, &["feeds", "list"]);
    assert!(listed.contains("Loft\tAirbnb\tbookings\t3\tok"), "{listed}");

    click(wd, &add).await;
    wd.type_text(&wd.find("[data-testid=feed-new-label]").await, "VRBO")
        .await;
    let link = format!("{}/feeds/vrbo.ics", loft.base_url());
    wd.type_text(&wd.find("[data-testid=feed-new-url]").await, &link)
        .await;
    field_reads(wd, "[data-testid=feed-new-label]", "VRBO").await;
    click(wd, "[data-testid=feed-new-submit]").await;
    mentions(
        wd,
        "[data-testid=feed-add-form] [data-testid=field-error]",
        words.login_page,
    )
    .await;
    show(wd, "[data-testid=feed-add-form]").await;
    wd.save_screenshot(&format!("stays-{}-feed-login-page", words.lang))
        .await;
    assert!(
        !cli_text(data, &["feeds", "list"]).contains("VRBO"),
        "nothing stored"
    );
    wd.script(
        "document.querySelector('[data-testid=feed-new-label]').dispatchEvent(\
           new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))",
        json!([]),
    )
    .await;
    for _ in 0..50 {
        if wd.find_all("[data-testid=feed-add-form]").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        wd.find_all("[data-testid=feed-add-form]").await.is_empty(),
        "Escape closes it"
    );
}

/// The Airbnb feed in the list: the stays it found, no problem.
async fn feeds_listed(wd: &WebDriver, words: &Words) {
    let feed = "[data-testid=feed][data-label=Airbnb]";
    mentions(wd, &format!("{feed} [data-testid=feed-state]"), words.found).await;
    assert!(
        wd.find_all(&format!("{feed} [data-testid=feed-problem]"))
            .await
            .is_empty()
    );
    nothing_broken(wd, "listing the feed").await;
    show(wd, feed).await;
    wd.save_screenshot(&format!("stays-{}-feed-listed", words.lang))
        .await;
}

/// History marks Kari's unlock as the stay's arrival and Per's (yesterday evening) as
/// vacant; Per is marked staff from his row and unmarked again.
async fn marks_and_staff(wd: &WebDriver, data: &Path, words: &Words) {
    click(wd, "[data-testid=nav-history]").await;
    let kari = row_of(wd, "Kari Nordmann").await;
    let arrival = format!("{kari} [data-testid=stay-mark][data-kind=arrival]");
    let said = mentions(wd, &arrival, words.arrival).await;
    assert!(said.starts_with(words.arrival), "{said}");
    let per = row_of(wd, "Per Hansen").await;
    let vacant = format!("{per} [data-testid=stay-mark][data-kind=vacant]");
    says(wd, &vacant, words.vacant).await;
    nothing_broken(wd, "marks in History").await;
    show(wd, &kari).await;
    wd.save_screenshot(&format!("stays-{}-history-marks", words.lang))
        .await;

    // The row's actions show on the row that has focus.
    click(wd, &format!("{per} time")).await;
    let button = format!("{per} [data-testid=row-staff]");
    says(wd, &button, words.mark).await;
    click(wd, &button).await;
    says(wd, &format!("{per} [data-testid=row-staff]"), words.unmark).await;
    says(wd, &format!("{per} [data-testid=staff-tag]"), words.staff).await;
    assert!(
        cli_text(data, &["staff", "list"]).contains("u-per"),
        "Per is staff"
    );
    show(wd, &per).await;
    wd.save_screenshot(&format!("stays-{}-history-staff", words.lang))
        .await;

    click(wd, &format!("{per} [data-testid=row-staff]")).await;
    says(wd, &format!("{per} [data-testid=row-staff]"), words.mark).await;
    for _ in 0..50 {
        if wd
            .find_all(&format!("{per} [data-testid=staff-tag]"))
            .await
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        wd.find_all(&format!("{per} [data-testid=staff-tag]"))
            .await
            .is_empty()
    );
    assert!(
        !cli_text(data, &["staff", "list"]).contains("u-per"),
        "Per is not staff"
    );
    says(wd, &vacant, words.vacant).await;
    nothing_broken(wd, "unmarking staff").await;
    show(wd, &per).await;
    wd.save_screenshot(&format!("stays-{}-history-not-staff", words.lang))
        .await;
}
