//! Chromium through chromedriver, and what browser tests do with it.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is needed for browser tests (Debian: apt-get install chromium chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, url }
    }

    pub async fn browser(&self, javascript: bool) -> Client {
        self.launch(javascript, false).await
    }

    /// A browser that records its network traffic (see `transfers`).
    pub async fn measuring_browser(&self) -> Client {
        self.launch(true, true).await
    }

    async fn launch(&self, javascript: bool, network_log: bool) -> Client {
        let mut args = vec![
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--window-size=1280,900",
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false");
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": "/usr/bin/chromium", "args": args }),
        );
        let logs = if network_log {
            json!({ "browser": "ALL", "performance": "ALL" })
        } else {
            json!({ "browser": "ALL" })
        };
        caps.insert("goog:loggingPrefs".into(), logs);
        ClientBuilder::new(HttpConnector::new()) // chromedriver is on loopback: no TLS
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("chromium starts")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Reads and empties one of the browser's logs (`browser`, `performance`).
pub async fn browser_log(driver: &Driver, b: &Client, kind: &str) -> String {
    let session = b.session_id().await.unwrap().expect("a session");
    reqwest::Client::new()
        .post(format!("{}/session/{session}/se/log", driver.url))
        .header("content-type", "application/json")
        .body(json!({ "type": kind }).to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Fails if the page's code panicked (a hydration mismatch, say), which
/// otherwise only shows as links that stop working.
pub async fn assert_no_panics(driver: &Driver, b: &Client) {
    let logs = browser_log(driver, b, "browser").await;
    assert!(!logs.contains("panicked"), "the page's code panicked: {logs}");
}

pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = super::workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Waits for the element to appear, then clicks it.
pub async fn click(b: &Client, css: &str) {
    let el = b
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    if let Err(e) = el.click().await {
        std::fs::write(screenshot_path("click-failed.png"), b.screenshot().await.unwrap()).unwrap();
        panic!("clicking {css}: {e}");
    }
}

pub async fn wait_true(b: &Client, script: &str, what: &str) {
    wait_true_for(b, script, what, 15).await;
}

pub async fn wait_true_for(b: &Client, script: &str, what: &str, seconds: u64) {
    for _ in 0..seconds * 10 {
        if b.execute(script, vec![]).await.unwrap() == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    std::fs::write(screenshot_path("wait-failed.png"), b.screenshot().await.unwrap()).unwrap();
    panic!("timed out waiting for {what}");
}

pub const TERMINAL_TEXT: &str = "const t = document.querySelector('berth-terminal')?.term; \
    let s = ''; for (let i = 0; t && i < t.buffer.active.length; i++) { \
    s += t.buffer.active.getLine(i).translateToString(true) + '\\n'; } return s";

/// Waits until the terminal holds `text`.
pub async fn wait_in_terminal(b: &Client, text: &str, what: &str) {
    wait_true(b, &format!("{TERMINAL_TEXT}.includes('{text}')"), what).await;
}

pub async fn type_in_terminal(b: &Client, text: &str) {
    let input = b
        .wait()
        .for_element(Locator::Css("berth-terminal textarea"))
        .await
        .unwrap();
    input.send_keys(text).await.unwrap();
}

/// Waits until the page has hydrated (the theme switch comes alive).
pub async fn hydrated(b: &Client) {
    wait_true(
        b,
        "return !document.querySelector('.theme-toggle').disabled",
        "hydration",
    )
    .await;
}

/// Starts the lesson's lab from its page and waits for a prompt, then, as
/// a learner reading the panel would, until the exercises' setups are done.
pub async fn open_lab(b: &Client, url: &str) {
    b.goto(url).await.unwrap();
    start_lab(b).await;
}

/// Starts the lab of the lesson open in `b`, as [`open_lab`] does.
pub async fn start_lab(b: &Client) {
    hydrated(b).await;
    click(b, ".lab-panel .lab-action button").await;
    let ready = format!("{TERMINAL_TEXT}.includes('learner@')");
    wait_true_for(b, &ready, "a prompt in the lab's terminal", 60).await;
    wait_true_for(
        b,
        "return !!document.querySelector('.exercises') && !document.querySelector('.lab-preparing')",
        "the lab's setups",
        120,
    )
    .await;
}

/// Presses an exercise's Check and returns the report once it is shown.
pub async fn check_exercise(b: &Client, exercise: &str, passed: bool) -> String {
    click(
        b,
        &format!(r#".exercise[data-exercise="{exercise}"] .check-form button"#),
    )
    .await;
    let outcome = if passed { "passed" } else { "failed" };
    let report = b
        .wait()
        .at_most(Duration::from_secs(90))
        .for_element(Locator::Css(&format!(
            r#".exercise[data-exercise="{exercise}"] .check-report.{outcome}"#
        )))
        .await
        .unwrap_or_else(|e| panic!("{exercise}: no {outcome} report: {e}"));
    report.text().await.unwrap()
}

/// Presses the lab panel's Stop and waits for the Start button to return.
pub async fn stop_lab(b: &Client) {
    click(b, ".lab-controls .lab-action:nth-child(2) button").await;
    b.wait()
        .for_element(Locator::Css(".lab-panel .lab-controls .button"))
        .await
        .unwrap();
}
