//! The UI in the engine users see on Linux: WebKitGTK, driving the real app through
//! WebKitWebDriver (`TAURI_WEBVIEW_AUTOMATION=true`), inside `tests/desktop/session.sh`.
//!
//! One story, because the app is one instance per user: first run (a rejected token, then
//! a good one, doors chosen), the token in the keychain and nowhere in the data directory,
//! hostile strings from every API field rendered as text, history search and filters,
//! settings validation, and on the Status page what the app learned from a server that
//! refuses large pages. Screenshots go to `target/screenshots/` for people to look at.
//! Runs when `DOORPOST_DESKTOP_TESTS=1`, like `desktop_app.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use doorpost_core::time::Millis;
use doorpost_sim::{EventSpec, FakeConfig, FakeParakey, Resource, UserSpec};
use doorpost_tests::desktop::{WebKitDriver, desktop_session, target_dir};
use doorpost_tests::webdriver::WebDriver;
use doorpost_tests::{TOKEN, week_of_history};
use serde_json::json;

const XSS: &str = r#"<img src=x onerror="window.__xss=1">"#;
const MARKUP: &str = r#"<b>x</b> & <a href="y">"#;

fn secret_tool_lookup() -> Option<String> {
    let out = Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "--unlock",
            "service",
            "co.doorpost.app.dev",
        ])
        .output()
        .ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    Some(text)
}

fn dir_contains(dir: &Path, needle: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if let Some(p) = dir_contains(&path, needle) {
                return Some(p);
            }
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            return Some(path);
        }
    }
    None
}

#[test]
fn first_run_history_settings_and_hostile_names_in_webkitgtk() {
    if !desktop_session() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(story());
}

async fn story() {
    // A server that refuses a `limit` above 100 with a 400 naming the maximum (as a
    // framework validating its input does): the app learns it in its first checks, and the
    // Status page's technical details say so at the end.
    let fake = FakeParakey::start(FakeConfig {
        limit_max_400: Some(100),
        limit_max_named: true,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let now = fake.now();
    fake.inject_many(week_of_history(now));
    // Hostile strings in every field Parakey sends.
    let hostile = EventSpec {
        door: Resource::new("Dv0000066x", XSS),
        user: Some(UserSpec::new("U666", XSS, MARKUP, "<script>@example.com")),
        access: Some(Resource::new("A666", XSS)),
        ..EventSpec::at(now.minus(Millis::HOUR))
    };
    fake.inject(hostile);
    fake.inject(EventSpec::at(now.minus(2 * Millis::HOUR)).door("Dv0000077y", MARKUP));
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_string_lossy().to_string();
    let api_url = fake.base_url();
    let driver = WebKitDriver::start(
        &[
            ("DOORPOST_DATA_DIR", &data_dir),
            ("DOORPOST_API_URL", &api_url),
            ("DOORPOST_TEST_INTERVAL_MS", "500"),
        ],
        &["DOORPOST_TOKEN"],
    )
    .await;
    let bin = target_dir().join("debug/doorpost");
    let wd = WebDriver::start(&driver.url, bin.to_str().unwrap(), &[])
        .await
        .expect("a WebDriver session on the real app");

    // First run: a rejected token says so, a good one is checked and saved.
    let token = wd.find("[data-testid=token-input]").await;
    wd.save_screenshot("first-run").await;
    wd.type_text(&token, "not-the-token").await;
    wd.click(&wd.find("[data-testid=token-save]").await).await;
    let alert = wd.find("[role=alert]").await;
    assert!(
        wd.text(&alert).await.contains("rejected"),
        "the rejection is shown"
    );
    let token = wd.find("[data-testid=token-input]").await;
    wd.clear(&token).await;
    wd.type_text(&token, TOKEN).await;
    wd.click(&wd.find("[data-testid=token-save]").await).await;
    wd.find("[data-testid=door-option]").await;
    wd.save_screenshot("first-run-doors").await;
    wd.click(&wd.find("[data-testid=first-run-done]").await)
        .await;
    wd.find("[data-testid=history-row]").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wd.save_screenshot("history").await;

    // The token is in the keychain, and nowhere in the data directory.
    let found = secret_tool_lookup().unwrap_or_default();
    assert!(
        found.contains(TOKEN),
        "the keychain holds the token: {found}"
    );
    assert_eq!(
        dir_contains(data.path(), TOKEN),
        None,
        "the token is not in the data directory"
    );

    // Hostile names are text: no element injected, no script run, the literal shown.
    let verdict = wd
        .script(
            "return { imgs: document.querySelectorAll('img').length, xss: window.__xss === 1, \
             text: document.body.innerText.includes('<img src=x'), \
             markup: document.body.innerText.includes('<b>x</b> & <a href=\"y\">') }",
            json!([]),
        )
        .await;
    assert_eq!(verdict["imgs"], 0, "{verdict}");
    assert_eq!(verdict["xss"], false, "{verdict}");
    assert_eq!(
        verdict["text"], true,
        "the literal string is shown: {verdict}"
    );
    assert_eq!(verdict["markup"], true, "{verdict}");

    // Search by person.
    let search = wd.find("[data-testid=history-search]").await;
    wd.type_text(&search, "Ola").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rows = wd.find_all("[data-testid=history-row]").await;
    assert!(!rows.is_empty(), "search finds Ola");
    for r in &rows {
        assert!(wd.text(r).await.contains("Ola"), "every row is Ola's");
    }
    wd.clear(&search).await;
    wd.type_text(&search, " ").await;

    // Filter by door.
    let picked = wd
        .script(
            "const s = document.querySelector('[data-testid=history-door]'); \
             const o = [...s.options].find(o => o.textContent.includes('Gym')); \
             s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return o.value",
            json!([]),
        )
        .await;
    assert!(picked.is_string(), "a Gym option exists: {picked}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rows = wd.find_all("[data-testid=history-row]").await;
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(wd.text(r).await.contains("Gym"), "every row is at the Gym");
    }
    wd.save_screenshot("history-filtered").await;

    // Settings: an invalid interval gets an inline message and saves nothing.
    wd.click(&wd.find("[data-testid=nav-settings]").await).await;
    let interval = wd.find("[data-testid=settings-interval]").await;
    wd.clear(&interval).await;
    wd.type_text(&interval, "0").await;
    interval_reads(&wd, "0").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    let error = wd
        .find("[data-testid=field-error][data-field=pollIntervalMins]")
        .await;
    assert!(!wd.text(&error).await.is_empty());
    wd.save_screenshot("settings-invalid").await;
    wd.clear(&interval).await;
    wd.type_text(&interval, "7").await;
    interval_reads(&wd, "7").await;
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        wd.find_all("[data-testid=field-error][data-field=pollIntervalMins]")
            .await
            .is_empty(),
        "a valid interval clears the message"
    );
    let stored = doorpost_engine::store::Store::open(&data.path().join("doorpost.sqlite3"))
        .unwrap()
        .load_settings()
        .unwrap();
    assert_eq!(stored.poll_interval_mins, 7, "saved");

    wd.click(&wd.find("[data-testid=nav-status]").await).await;
    wd.find("[data-testid=status-panel]").await;
    wd.save_screenshot("status").await;

    // Technical details, opened: the page maximum learned from the 400, and the refusal.
    let technical = wd.find("[data-testid=status-technical]").await;
    wd.click(&wd.find("[data-testid=status-technical] summary").await)
        .await;
    let open = wd
        .script(
            "return document.querySelector('[data-testid=status-technical]').open",
            json!([]),
        )
        .await;
    assert_eq!(open, true, "the summary opens the technical details");
    let mut text = String::new();
    for _ in 0..100 {
        text = wd.text(&technical).await;
        if text.contains("Page maximum") && text.contains("100 rows") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        text.contains("Page maximum") && text.contains("100 rows"),
        "the learned page maximum is shown: {text:?}"
    );
    let page_max = wd
        .text(&wd.find("[data-testid=status-learned-page-max] dd").await)
        .await;
    assert!(
        page_max.starts_with("100 rows (learned "),
        "the page maximum row: {page_max:?}"
    );
    assert!(
        text.contains("Last refusal"),
        "the last refusal is labelled: {text:?}"
    );
    let refusal = wd
        .text(
            &wd.find("[data-testid=status-learned-last-refusal] dd")
                .await,
        )
        .await;
    assert_eq!(
        refusal, "400 limit must not be greater than 100",
        "the last refusal in the server's words, not its JSON"
    );
    for junk in ["undefined", "null", "NaN", "is not an object"] {
        assert!(
            !text.contains(junk),
            "{junk:?} in the technical details: {text:?}"
        );
    }
    wd.script(
        "document.querySelector('[data-testid=status-technical]').scrollIntoView({block: 'start'})",
        json!([]),
    )
    .await;
    wd.save_screenshot("status-technical").await;
    technical_details_in_norwegian(&wd).await;
    wd.quit().await;
}

/// Norwegian chosen in Settings: the same rows of the technical details in Norwegian, the
/// refusal still in the server's own words.
async fn technical_details_in_norwegian(wd: &WebDriver) {
    wd.click(&wd.find("[data-testid=nav-settings]").await).await;
    let chosen = wd
        .script(
            "const e = document.querySelector('[data-testid=settings-language]'); \
             if (!e) return false; e.value = 'nb'; \
             e.dispatchEvent(new Event('input', {bubbles: true})); \
             e.dispatchEvent(new Event('change', {bubbles: true})); return true",
            json!([]),
        )
        .await;
    assert_eq!(chosen, true, "the language setting exists");
    wd.click(&wd.find("[data-testid=settings-save]").await)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wd.click(&wd.find("[data-testid=nav-status]").await).await;
    wd.find("[data-testid=status-panel]").await;
    let open = wd
        .script(
            "const d = document.querySelector('[data-testid=status-technical]'); \
             d.open = true; d.scrollIntoView({block: 'start'}); return d.open",
            json!([]),
        )
        .await;
    assert_eq!(open, true);
    let technical = wd.find("[data-testid=status-technical]").await;
    let text = wd.text(&technical).await;
    assert!(text.contains("Sidegrense"), "{text:?}");
    let page_max = wd
        .text(&wd.find("[data-testid=status-learned-page-max] dd").await)
        .await;
    assert!(page_max.starts_with("100 rader (lært "), "{page_max:?}");
    assert!(text.contains("Siste avvisning"), "{text:?}");
    let refusal = wd
        .text(
            &wd.find("[data-testid=status-learned-last-refusal] dd")
                .await,
        )
        .await;
    assert_eq!(refusal, "400 limit must not be greater than 100");
    for junk in [
        "undefined",
        "null",
        "NaN",
        "is not an object",
        "Page maximum",
    ] {
        assert!(
            !text.contains(junk),
            "{junk:?} in the technical details: {text:?}"
        );
    }
    wd.save_screenshot("status-technical-nb").await;
}

/// Waits until the interval field holds `value`, so that "Save" is not clicked before the
/// window has taken what was typed (a click racing the last key event saved the old value).
async fn interval_reads(wd: &WebDriver, value: &str) {
    for _ in 0..50 {
        let now = wd
            .script(
                "return document.querySelector('[data-testid=settings-interval]').value",
                json!([]),
            )
            .await;
        if now.as_str() == Some(value) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the interval field never read {value:?}");
}
