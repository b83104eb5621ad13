//! The window for hosts, in WebKitGTK through WebKitWebDriver, in both languages: a
//! Norwegian system (`LANG=nb_NO.UTF-8`) first, then English chosen in Settings. Two
//! places on two fake Parakeys (added from the command line), the place filter in History,
//! and the new Settings sections: places (add from the window, rename, remove with its
//! history), notifications (arrivals, quiet hours with their validation), language.
//! Screenshots go to `target/screenshots/hosts-*.png` for people to look at. Runs when
//! `DOORPOST_DESKTOP_TESTS=1`, like `desktop_ui.rs`.

use std::path::Path;
use std::time::Duration;

use doorpost_core::time::Millis;
use doorpost_engine::fake::{EventSpec, FakeParakey};
use doorpost_tests::desktop::{
    WebKitDriver, add_place, cli, desktop_session, place_fake, target_dir,
};
use doorpost_tests::webdriver::WebDriver;
use doorpost_tests::week_of_history;
use serde_json::json;

fn stdout(data: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&cli(data, args, "").stdout)
        .trim()
        .to_string()
}

/// Sets a form control's value as a person would (input and change events).
async fn set_value(wd: &WebDriver, css: &str, value: &str) {
    let done = wd
        .script(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true})); \
             e.dispatchEvent(new Event('change', {bubbles: true})); return true",
            json!([css, value]),
        )
        .await;
    assert_eq!(done, true, "{css} exists");
}

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
    english_chosen(&wd).await;
    wd.quit().await;
    loft.shutdown();
    cabin.shutdown();
    studio.shutdown();
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

    // Add a third place from the window: its own address, its token checked first.
    wd.click(&wd.find("[data-testid=place-add]").await).await;
    wd.type_text(&wd.find("[data-testid=place-new-name]").await, "Studio")
        .await;
    wd.type_text(
        &wd.find("[data-testid=place-new-token]").await,
        "tok-studio",
    )
    .await;
    set_value(wd, "[data-testid=place-new-api-url]", &studio.base_url()).await;
    wd.save_screenshot("hosts-nb-settings-add-place").await;
    wd.click(&wd.find("[data-testid=place-add-save]").await)
        .await;
    wd.wait_for(
        "[data-testid=place]:nth-of-type(3)",
        Duration::from_secs(20),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(wd.find_all("[data-testid=place]").await.len(), 3);
    assert!(stdout(data, &["places", "list"]).contains("Studio"));

    // Rename it, then remove it with its history.
    let studio_place = "[data-testid=place]:nth-of-type(3)";
    wd.click(
        &wd.find(&format!("{studio_place} [data-testid=place-rename]"))
            .await,
    )
    .await;
    let name = wd
        .find(&format!("{studio_place} [data-testid=place-name-input]"))
        .await;
    wd.clear(&name).await;
    wd.type_text(&name, "Atelier").await;
    wd.click(
        &wd.find(&format!("{studio_place} [data-testid=place-name-save]"))
            .await,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(stdout(data, &["places", "list"]).contains("Atelier"));
    let place = "[data-testid=place]:nth-of-type(3)";
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
    assert!(!stdout(data, &["places", "list"]).contains("Atelier"));

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
        stdout(data, &["config", "get", "quiet.hours"]),
        "off",
        "nothing saved"
    );
    set_value(wd, "[data-testid=settings-quiet-from]", "22:00").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stdout(data, &["config", "get", "quiet.hours"]),
        "22:00-07:00"
    );
    assert_eq!(stdout(data, &["config", "get", "notify.mode"]), "arrivals");
    wd.save_screenshot("hosts-nb-settings-notifications").await;
}

/// English chosen in Settings: the whole window follows at once.
async fn english_chosen(wd: &WebDriver) {
    set_value(wd, "[data-testid=settings-language]", "en").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(html_lang(wd).await, "en");
    let nav = wd.text(&wd.find("[data-testid=nav-settings]").await).await;
    assert_eq!(nav.trim(), "Settings");
    wd.save_screenshot("hosts-en-settings").await;
    wd.click(&wd.find("[data-testid=nav-history]").await).await;
    wd.find("[data-testid=history-row]").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wd.save_screenshot("hosts-en-history").await;
}
