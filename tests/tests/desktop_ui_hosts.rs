//! The window for hosts, in WebKitGTK through WebKitWebDriver, in both languages: a
//! Norwegian system (`LANG=nb_NO.UTF-8`) first, then English chosen in Settings. Two
//! places on two fake Parakeys (added from the command line), the place filter in History,
//! and the new Settings sections: places (add from the window, rename, remove with its
//! history), notifications (arrivals, quiet hours with their validation), language.
//! After each place action (add, rename, its notify mode), in each language, the window's
//! own words are read: the message it shows, the control's value after the answer, and no
//! error text anywhere (a wrong answer once showed "undefined added" and "null is not an
//! object" while stories that checked through the command line passed).
//! Screenshots go to `target/screenshots/hosts-*.png` for people to look at. Runs when
//! `DOORPOST_DESKTOP_TESTS=1`, like `desktop_ui.rs`.

use std::path::Path;
use std::time::Duration;

use doorpost_core::settings::NotifyMode;
use doorpost_core::time::Millis;
use doorpost_sim::{EventSpec, FakeParakey};
use doorpost_tests::desktop::{
    WebKitDriver, add_place, cli, cli_text, desktop_session, place_fake, target_dir,
};
use doorpost_tests::webdriver::{WebDriver, body_text, set_value};
use doorpost_tests::week_of_history;
use serde_json::json;

/// Waits until the element at `css` says exactly `want`.
async fn says(wd: &WebDriver, css: &str, want: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Some(e) = wd.find_all(css).await.into_iter().next() {
            last = wd.text(&e).await;
            if last.trim() == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = body_text(wd).await;
    panic!("{css} never said {want:?} (last {last:?}); page text: {page}");
}

/// Waits until the field at `css` holds `value`, so that a click does not race the last
/// key event (see `interval_reads` in `desktop_ui.rs`).
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

/// No error text anywhere in the window: none of the words a broken answer leaves on
/// screen, and no message under any field.
async fn no_error_shown(wd: &WebDriver, after: &str) {
    let page = body_text(wd).await;
    for bad in ["undefined", "null", "is not an object"] {
        assert!(
            !page.contains(bad),
            "after {after}, {bad:?} on screen: {page}"
        );
    }
    let errors = wd.find_all("[data-testid=field-error]").await;
    assert!(
        errors.is_empty(),
        "after {after}, a field error on screen: {page}"
    );
}

/// Scrolls the element at `css` to the middle of the window, for a screenshot.
async fn show(wd: &WebDriver, css: &str) {
    wd.script(
        "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'})",
        json!([css]),
    )
    .await;
}

/// The place card whose heading is `name`, as a CSS selector by its id.
async fn place_card(wd: &WebDriver, name: &str) -> String {
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
            return format!("[data-testid=place][data-place-id=\"{id}\"]");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = body_text(wd).await;
    panic!("no place card named {name:?}; page text: {page}");
}

/// What one language's window says after each place action.
struct Words {
    /// `hosts-<lang>` for screenshot names.
    shots: &'static str,
    added: &'static str,
    renamed: &'static str,
    saved: &'static str,
    /// The notify choice's words, as the control shows it.
    mode_option: &'static str,
    /// How a place's status line starts once it has been checked.
    checked: &'static str,
}

/// Adds a place from Settings: the window says so in `words`, and nothing says "undefined".
async fn add_place_in_window(
    wd: &WebDriver,
    data: &Path,
    name: &str,
    token: &str,
    api_url: &str,
    words: &Words,
) {
    wd.click(&wd.find("[data-testid=place-add]").await).await;
    let name_field = "[data-testid=place-new-name]";
    let token_field = "[data-testid=place-new-token]";
    wd.type_text(&wd.find(name_field).await, name).await;
    wd.type_text(&wd.find(token_field).await, token).await;
    set_value(wd, "[data-testid=place-new-api-url]", api_url).await;
    field_reads(wd, name_field, name).await;
    field_reads(wd, token_field, token).await;
    wd.save_screenshot(&format!("{}-settings-add-place", words.shots))
        .await;
    wd.click(&wd.find("[data-testid=place-add-save]").await)
        .await;
    says(wd, "[data-testid=places-result]", words.added).await;
    let card = place_card(wd, name).await;
    no_error_shown(wd, &format!("adding {name}")).await;
    assert!(cli_text(data, &["places", "list"]).contains(name));
    show(wd, "[data-testid=places-result]").await;
    wd.save_screenshot(&format!("{}-place-added", words.shots))
        .await;
    show(wd, &card).await;
}

/// Renames a place from its card: the card says so and shows the new name, no error
/// appears under the name field (nor anywhere).
async fn rename_in_window(wd: &WebDriver, data: &Path, from: &str, to: &str, words: &Words) {
    let card = place_card(wd, from).await;
    wd.click(&wd.find(&format!("{card} [data-testid=place-rename]")).await)
        .await;
    let input = format!("{card} [data-testid=place-name-input]");
    let name = wd.find(&input).await;
    wd.clear(&name).await;
    wd.type_text(&name, to).await;
    field_reads(wd, &input, to).await;
    wd.click(
        &wd.find(&format!("{card} [data-testid=place-name-save]"))
            .await,
    )
    .await;
    says(
        wd,
        &format!("{card} [data-testid=place-result]"),
        words.renamed,
    )
    .await;
    says(wd, &format!("{card} h4"), to).await;
    assert!(
        wd.find_all(&input).await.is_empty(),
        "the name field closes after a rename"
    );
    no_error_shown(wd, &format!("renaming {from} to {to}")).await;
    assert!(cli_text(data, &["places", "list"]).contains(to));
    show(wd, &card).await;
    wd.save_screenshot(&format!("{}-place-renamed", words.shots))
        .await;
}

/// Chooses what a place notifies about and saves: the window says "saved", no error
/// shows, and after the answer the control shows the new mode (as the store holds it).
async fn place_mode_in_window(
    wd: &WebDriver,
    data: &Path,
    name: &str,
    mode: NotifyMode,
    words: &Words,
) {
    let value = match mode {
        NotifyMode::Every => "every",
        NotifyMode::Arrivals => "arrivals",
    };
    let card = place_card(wd, name).await;
    let control = format!("{card} [data-testid=place-notify-mode]");
    set_value(wd, &control, value).await;
    field_reads(wd, &control, value).await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    // The store first: the earlier "saved" message is gone once the save is under way.
    let stored = || {
        doorpost_engine::store::Store::open(&data.join("doorpost.sqlite3"))
            .unwrap()
            .places()
            .unwrap()
            .into_iter()
            .find(|p| p.name == name)
            .and_then(|p| p.notify_mode)
    };
    for _ in 0..100 {
        if stored() == Some(mode) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(stored(), Some(mode), "{name}'s mode is saved");
    says(wd, "[data-testid=settings-result]", words.saved).await;
    // After the answer and the overview that follows it, the control shows the new mode.
    tokio::time::sleep(Duration::from_secs(1)).await;
    field_reads(wd, &control, value).await;
    let shown = wd
        .script(
            "const s = document.querySelector(arguments[0]); \
             return s.options[s.selectedIndex].textContent.trim()",
            json!([control]),
        )
        .await;
    assert_eq!(shown.as_str(), Some(words.mode_option), "{control}");
    assert!(
        wd.find_all("[data-testid=settings-save-bar]")
            .await
            .is_empty(),
        "nothing left unsaved"
    );
    no_error_shown(wd, &format!("{name}'s mode changed to {value}")).await;
    // The new place starts after the others (staggered): the window follows it until its
    // card says it was checked, change events coming all along.
    let status = format!("{card} [data-testid=place-status]");
    let mut line = String::new();
    for _ in 0..150 {
        line = wd.text(&wd.find(&status).await).await;
        if line.trim().starts_with(words.checked) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        line.trim().starts_with(words.checked),
        "{name} is shown checked: {line:?}"
    );
    field_reads(wd, &control, value).await;
    show(wd, &card).await;
    wd.save_screenshot(&format!("{}-place-mode", words.shots))
        .await;
    show(wd, "[data-testid=settings-result]").await;
    wd.save_screenshot(&format!("{}-place-mode-saved", words.shots))
        .await;
}

const NORWEGIAN: Words = Words {
    shots: "hosts-nb",
    added: "Studio er lagt til. Doorpost henter historikken.",
    renamed: "Nytt navn: Atelier.",
    saved: "Innstillingene er lagret.",
    mode_option: "Bare ankomster",
    checked: "Sjekket",
};

const ENGLISH: Words = Words {
    shots: "hosts-en",
    added: "Sea cabin added. Doorpost is loading its history.",
    renamed: "Renamed to Sea lodge.",
    saved: "Settings saved.",
    mode_option: "Every unlock",
    checked: "Checked",
};

async fn html_lang(wd: &WebDriver) -> String {
    wd.script("return document.documentElement.lang", json!([]))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn places_notifications_and_language_in_webkitgtk_in_both_languages() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(story());
}

async fn story() {
    let loft = place_fake("tok-loft").await;
    let cabin = place_fake("tok-cabin").await;
    let studio = place_fake("tok-studio").await;
    let sea = place_fake("tok-sea").await;
    loft.inject_many(week_of_history(loft.now()));
    let now = cabin.now();
    cabin.inject_many(
        (1..6).map(|h| EventSpec::at(now.minus(h * Millis::HOUR)).door("Dv00000c1", "Gate")),
    );
    let data = tempfile::tempdir().unwrap();
    assert!(
        add_place(data.path(), "Loft", &loft.base_url(), "tok-loft")
            .status
            .success()
    );
    assert!(
        add_place(data.path(), "Cabin", &cabin.base_url(), "tok-cabin")
            .status
            .success()
    );

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

    history_in_norwegian(&wd, data.path()).await;
    settings_in_norwegian(&wd, data.path(), &studio).await;
    english_chosen(&wd, data.path(), &sea).await;
    wd.quit().await;
    loft.shutdown();
    cabin.shutdown();
    studio.shutdown();
    sea.shutdown();
}

/// A Norwegian window; rows name their place; the place filter keeps one place's rows.
async fn history_in_norwegian(wd: &WebDriver, data: &Path) {
    wd.find("[data-testid=history-row]").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(html_lang(wd).await, "nb", "the system's language");
    let nav = wd.text(&wd.find("[data-testid=nav-settings]").await).await;
    assert_eq!(nav.trim(), "Innstillinger");
    wd.save_screenshot("hosts-nb-history").await;

    let cabin = wd
        .script(
            "const s = document.querySelector('[data-testid=history-place]'); \
             const o = [...s.options].find(o => o.textContent.includes('Cabin')); \
             return o && o.value",
            json!([]),
        )
        .await;
    let cabin = cabin.as_str().expect("a Cabin option in the place filter");
    set_value(wd, "[data-testid=history-place]", cabin).await;
    // The cabin starts a few seconds after the loft (places are staggered).
    let mut rows = Vec::new();
    for _ in 0..60 {
        rows = wd.find_all("[data-testid=history-row]").await;
        if rows.len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    if rows.len() != 5 {
        let page = wd
            .script(
                "return document.querySelector('[data-testid=history-place]').value + ' | ' + \
                 document.body.innerText",
                json!([]),
            )
            .await;
        let export =
            String::from_utf8_lossy(&cli(data, &["export", "--place", "Cabin"], "").stdout)
                .to_string();
        panic!("the cabin's five unlocks: {cabin} {page}\nexport: {export}");
    }
    for r in &rows {
        let text = wd.text(r).await;
        assert!(text.contains("Cabin") && text.contains("Gate"), "{text}");
    }
    wd.save_screenshot("hosts-nb-history-place-filter").await;
}

/// Places (add, rename, remove), notifications (arrivals, quiet hours), in Norwegian.
async fn settings_in_norwegian(wd: &WebDriver, data: &Path, studio: &FakeParakey) {
    wd.click(&wd.find("[data-testid=nav-settings]").await).await;
    wd.find("[data-testid=place]").await;
    assert_eq!(wd.find_all("[data-testid=place]").await.len(), 2);
    wd.save_screenshot("hosts-nb-settings").await;

    // Add a third place from the window (its own address, its token checked first),
    // rename it, choose what it notifies about; then remove it with its history.
    add_place_in_window(
        wd,
        data,
        "Studio",
        "tok-studio",
        &studio.base_url(),
        &NORWEGIAN,
    )
    .await;
    assert_eq!(wd.find_all("[data-testid=place]").await.len(), 3);
    rename_in_window(wd, data, "Studio", "Atelier", &NORWEGIAN).await;
    place_mode_in_window(wd, data, "Atelier", NotifyMode::Arrivals, &NORWEGIAN).await;
    let place = &place_card(wd, "Atelier").await;
    wd.click(
        &wd.find(&format!("{place} [data-testid=place-remove]"))
            .await,
    )
    .await;
    wd.click(
        &wd.find(&format!("{place} [data-testid=place-remove-history]"))
            .await,
    )
    .await;
    wd.save_screenshot("hosts-nb-settings-remove-place").await;
    wd.click(
        &wd.find(&format!("{place} [data-testid=place-remove-confirm]"))
            .await,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(wd.find_all("[data-testid=place]").await.len(), 2);
    assert!(!cli_text(data, &["places", "list"]).contains("Atelier"));

    // Arrivals and quiet hours; the same validation as the command line.
    wd.click(&wd.find("[data-testid=settings-notify-arrivals]").await)
        .await;
    wd.click(&wd.find("[data-testid=settings-quiet]").await)
        .await;
    set_value(wd, "[data-testid=settings-quiet-from]", "07:00").await;
    set_value(wd, "[data-testid=settings-quiet-to]", "07:00").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    let error = wd
        .find("[data-testid=field-error][data-field=quietHours]")
        .await;
    let said = wd.text(&error).await;
    assert!(said.contains("forskjellige"), "in Norwegian: {said}");
    wd.save_screenshot("hosts-nb-settings-quiet-invalid").await;
    assert_eq!(
        cli_text(data, &["config", "get", "quiet.hours"]),
        "off",
        "nothing saved"
    );
    set_value(wd, "[data-testid=settings-quiet-from]", "22:00").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        cli_text(data, &["config", "get", "quiet.hours"]),
        "22:00-07:00"
    );
    assert_eq!(
        cli_text(data, &["config", "get", "notify.mode"]),
        "arrivals"
    );
    wd.save_screenshot("hosts-nb-settings-notifications").await;
}

/// English chosen in Settings: the whole window follows at once. A place added, renamed
/// and given its own notify mode, in English, while its fake keeps producing unlocks (the
/// window gets change events all along: every overview answer must still be shown).
async fn english_chosen(wd: &WebDriver, data: &Path, sea: &FakeParakey) {
    set_value(wd, "[data-testid=settings-language]", "en").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(html_lang(wd).await, "en");
    let nav = wd.text(&wd.find("[data-testid=nav-settings]").await).await;
    assert_eq!(nav.trim(), "Settings");
    wd.save_screenshot("hosts-en-settings").await;

    let producer = {
        let sea = (*sea).clone();
        tokio::spawn(async move {
            loop {
                let now = sea.now();
                sea.inject(EventSpec::at(now).door("Dv00000s1", "Jetty"));
                tokio::time::sleep(Duration::from_millis(700)).await;
            }
        })
    };
    add_place_in_window(wd, data, "Sea cabin", "tok-sea", &sea.base_url(), &ENGLISH).await;
    assert_eq!(wd.find_all("[data-testid=place]").await.len(), 3);
    rename_in_window(wd, data, "Sea cabin", "Sea lodge", &ENGLISH).await;
    place_mode_in_window(wd, data, "Sea lodge", NotifyMode::Every, &ENGLISH).await;
    producer.abort();
    wd.click(&wd.find("[data-testid=nav-history]").await).await;
    wd.find("[data-testid=history-row]").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wd.save_screenshot("hosts-en-history").await;
}
