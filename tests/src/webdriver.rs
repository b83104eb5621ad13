//! A minimal W3C WebDriver client, enough to drive the real app through WebKitWebDriver
//! (the engine users see on Linux): sessions, elements, clicks, typing, scripts, screenshots.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct WebDriver {
    http: reqwest::Client,
    base: String,
    session: String,
}

#[derive(Clone, Debug)]
pub struct Element(pub String);

impl WebDriver {
    /// Starts the app (`binary args…`) under the driver at `base` (e.g. http://127.0.0.1:4444).
    pub async fn start(base: &str, binary: &str, args: &[&str]) -> Result<WebDriver, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": binary, "args": args}
        }}});
        let v: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let session = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {v}"))?
            .to_string();
        Ok(WebDriver {
            http,
            base: base.to_string(),
            session,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        match req.send().await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(e) => json!({"value": {"error": e.to_string()}}),
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v["value"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(|s| Element(s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits up to 20 s for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        self.wait_for(css, Duration::from_secs(20)).await
    }

    pub async fn wait_for(&self, css: &str, within: Duration) -> Element {
        let deadline = Instant::now() + within;
        loop {
            if let Some(e) = self.find_all(css).await.into_iter().next() {
                return e;
            }
            if Instant::now() > deadline {
                let html = self
                    .script(
                        "return document.body ? document.body.innerText : ''",
                        json!([]),
                    )
                    .await;
                panic!("no element {css:?} within {within:?}; page text: {html}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn click(&self, e: &Element) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", e.0),
            Some(json!({})),
        )
        .await;
    }

    pub async fn clear(&self, e: &Element) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/clear", e.0),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_text(&self, e: &Element, text: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn text(&self, e: &Element) -> String {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/text", e.0),
                None,
            )
            .await;
        v["value"].as_str().unwrap_or_default().to_string()
    }

    pub async fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/attribute/{name}", e.0),
                None,
            )
            .await;
        v["value"].as_str().map(str::to_string)
    }

    pub async fn script(&self, script: &str, args: Value) -> Value {
        let v = self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": script, "args": args})),
            )
            .await;
        v["value"].clone()
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        v["value"]
            .as_str()
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            .unwrap_or_default()
    }

    /// Saves a PNG of the window as `target/screenshots/<name>.png`, for a person to look
    /// at, after a moment for the last change to be painted (WebKit may otherwise hand
    /// back the frame before it).
    pub async fn save_screenshot(&self, name: &str) {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let dir = crate::desktop::target_dir().join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let png = self.screenshot().await;
        if !png.is_empty() {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    pub async fn quit(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
    }
}

/// Sets a form control's value as a person would (input and change events).
pub async fn set_value(wd: &WebDriver, css: &str, value: &str) {
    let done = wd
        .script(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true})); \
             e.dispatchEvent(new Event('change', {bubbles: true})); return true",
            serde_json::json!([css, value]),
        )
        .await;
    assert_eq!(done, true, "{css} exists");
}

/// The page's visible text (for failure messages and checks on what a person reads).
pub async fn body_text(wd: &WebDriver) -> String {
    wd.script(
        "return document.body ? document.body.innerText : ''",
        serde_json::json!([]),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}
