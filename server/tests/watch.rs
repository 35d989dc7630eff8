//! `berth serve --watch` through the binary: edits are picked up within
//! about a second, pages are told to reload, and a broken edit is reported
//! while the last good course keeps serving.

mod common;

use common::{TestDb, minimal_site, workspace};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Reads server-sent events until one satisfies `wanted`.
async fn next_status(
    events: &mut reqwest::Response,
    buffer: &mut String,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                let status: serde_json::Value = serde_json::from_str(data).unwrap();
                if wanted(&status) {
                    return status;
                }
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, events.chunk())
            .await
            .expect("a status in time")
            .unwrap()
            .expect("the event stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn edits_reload_the_course_and_problems_are_shown_until_fixed() {
    let course = tempfile::tempdir().unwrap();
    let source = workspace().join("server/tests/fixtures/quiz-course");
    let lesson = course.path().join("modules/01-basics/01-intro.md");
    std::fs::create_dir_all(lesson.parent().unwrap()).unwrap();
    for file in [
        "course.toml",
        "modules/01-basics/module.toml",
        "modules/01-basics/01-intro.md",
    ] {
        std::fs::copy(source.join(file), course.path().join(file)).unwrap();
    }
    let db = TestDb::sqlite();
    let site = minimal_site();
    let mut server = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["serve", "--watch", "--listen", "127.0.0.1:0", "--database-url", &db.url])
        .arg("--content")
        .arg(course.path())
        .arg("--site-dir")
        .arg(site.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("serving on ").nth(1).map(|a| a.trim().to_string()))
        .expect("the server announces its address");
    std::thread::spawn(move || lines.for_each(drop));
    let client = reqwest::Client::new();
    let page = |path: &'static str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };

    let mut events = client.get(format!("{base}/__berth/live")).send().await.unwrap();
    assert_eq!(events.status(), 200);
    let mut buffer = String::new();
    let first = next_status(&mut events, &mut buffer, |_| true).await;
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
    let mut events = client.get(format!("{base}/__berth/live")).send().await.unwrap();
    let mut buffer = String::new();
    next_status(&mut events, &mut buffer, |s| s["generation"] == 1).await;
    assert!(page("/modules/basics/intro").await.contains("Intro, revised"));
    assert!(edited.elapsed() < Duration::from_secs(5), "took {:?}", edited.elapsed());

    // An edit that does not load: reported with file and line, the last
    // good course still served.
    std::fs::write(&lesson, "no front matter here\n").unwrap();
    let broken = next_status(&mut events, &mut buffer, |s| !s["problems"].is_null()).await;
    let problems = broken["problems"].as_str().unwrap();
    assert!(problems.contains("01-intro.md:1"), "{problems}");
    assert_eq!(broken["generation"], 1);
    assert!(page("/modules/basics/intro").await.contains("Intro, revised"));

    // Fixed: reloaded, the problems gone.
    std::fs::write(&lesson, text).unwrap();
    let mut events = client.get(format!("{base}/__berth/live")).send().await.unwrap();
    let mut buffer = String::new();
    let fixed = next_status(&mut events, &mut buffer, |s| s["generation"] == 2).await;
    assert!(fixed["problems"].is_null());
    assert!(!page("/modules/basics/intro").await.contains("Intro, revised"));
    server.kill().unwrap();
    server.wait().unwrap();
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
