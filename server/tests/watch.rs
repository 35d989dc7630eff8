//! `berth serve --watch` through the binary: edits are picked up within
//! about a second, pages are told to reload, and a broken edit is reported
//! while the last good course keeps serving.

mod common;

use common::{TestDb, WatchServer, copy_course, minimal_site, workspace};
use std::time::{Duration, Instant};

/// The live channel as a browser's EventSource uses it: reconnecting when
/// a server generation ends the stream.
struct Events {
    url: String,
    client: reqwest::Client,
    stream: Option<reqwest::Response>,
    buffer: String,
}

impl Events {
    /// Reads statuses until one satisfies `wanted`.
    async fn until(&mut self, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    let status: serde_json::Value = serde_json::from_str(data).unwrap();
                    if wanted(&status) {
                        return status;
                    }
                }
            }
            assert!(Instant::now() < deadline, "no such status in time");
            let Some(stream) = self.stream.as_mut() else {
                match self.client.get(&self.url).send().await {
                    Ok(res) if res.status() == 200 => self.stream = Some(res),
                    _ => tokio::time::sleep(Duration::from_millis(100)).await,
                }
                continue;
            };
            match tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => {
                    self.stream = None;
                    self.buffer.clear();
                }
                Err(_) => {}
            }
        }
    }
}

#[tokio::test]
async fn edits_reload_the_course_and_problems_are_shown_until_fixed() {
    let course = copy_course(&workspace().join("server/tests/fixtures/quiz-course"));
    let lesson = course.path().join("modules/01-basics/01-intro.md");
    let db = TestDb::sqlite();
    let site = minimal_site();
    let server = WatchServer::start(course.path(), site.path(), &db);
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let page = |path: &'static str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };

    let mut events = Events {
        url: format!("{base}/__berth/live"),
        client: client.clone(),
        stream: None,
        buffer: String::new(),
    };
    let first = events.until(|_| true).await;
    assert_eq!(first["generation"], 0);
    assert!(
        page("/modules/basics/intro")
            .await
            .contains("<script type=\"module\" src=\"/assets/live.js\">")
    );

    // An edit that loads: served within about a second.
    let text = std::fs::read_to_string(&lesson).unwrap();
    let edited = Instant::now();
    std::fs::write(&lesson, text.replace("title = \"Intro\"", "title = \"Intro, revised\"")).unwrap();
    events.until(|s| s["generation"] == 1).await;
    assert!(page("/modules/basics/intro").await.contains("Intro, revised"));
    assert!(edited.elapsed() < Duration::from_secs(5), "took {:?}", edited.elapsed());

    // An edit that does not load: reported with file and line, the last
    // good course still served.
    std::fs::write(&lesson, "no front matter here\n").unwrap();
    let broken = events.until(|s| !s["problems"].is_null()).await;
    let problems = broken["problems"].as_str().unwrap();
    assert!(problems.contains("01-intro.md:1"), "{problems}");
    assert_eq!(broken["generation"], 1);
    assert!(page("/modules/basics/intro").await.contains("Intro, revised"));

    // Fixed: reloaded, the problems gone.
    std::fs::write(&lesson, text).unwrap();
    let fixed = events.until(|s| s["generation"] == 2).await;
    assert!(fixed["problems"].is_null());
    assert!(!page("/modules/basics/intro").await.contains("Intro, revised"));
}

#[tokio::test]
async fn without_watch_there_is_no_live_channel() {
    let app = common::TestApp::spawn().await;
    let (status, body) = app.page("/__berth/live").await;
    assert_eq!(status, 404);
    assert!(body.contains("--watch"));
    let (_, page) = app.page("/").await;
    assert!(!page.contains("live.js"));
}
