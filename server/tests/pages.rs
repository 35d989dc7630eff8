//! The course pages over real HTTP, rendered by the real server.

mod common;

use common::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn the_catalog_lists_every_module_in_order() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Containers, hands-on</h1>"), "{html}");
    let first = html.find("What a container really is").expect("module 1 listed");
    let second = html.find("Building images").expect("module 2 listed");
    assert!(first < second, "modules follow course.toml");
    assert!(html.contains(r#"href="/modules/containers""#));
    let course = common::bundled_course();
    let lessons: usize = course.modules.iter().map(|m| m.lessons.len()).sum();
    let summary = format!("{} modules · {lessons} lessons", course.modules.len());
    assert!(html.contains(&summary), "{summary} in {html}");
}

#[tokio::test]
async fn a_module_page_lists_its_lessons() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/modules/images").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>Building images · Berth</title>"), "{html}");
    assert!(html.contains("Order instructions so the build cache does its job"));
    assert!(html.contains(r#"href="/modules/images/dockerfile-basics""#));
    assert!(html.contains(r#"href="/modules/images/layers-and-cache""#));
}

#[tokio::test]
async fn a_lesson_page_has_rendered_content_toc_and_neighbours() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/modules/containers/a-process-with-walls").await;
    assert_eq!(status, StatusCode::OK);
    // Breadcrumbs, table of contents, highlighted code, diagram, admonition.
    assert!(
        html.contains(r#"aria-label="Breadcrumb""#) && html.contains(r#"class="breadcrumbs""#),
        "{html}"
    );
    assert!(html.contains(r##"href="#the-walls-namespaces""##), "toc entry");
    assert!(html.contains(r#"<h2 id="the-walls-namespaces">"#));
    assert!(
        html.contains(r#"data-lang="bash""#) && html.contains("hl-comment"),
        "highlighted code"
    );
    assert!(html.contains(r#"<pre class="mermaid">"#));
    assert!(html.contains(r#"class="admonition tip""#));
    // Links between lessons resolved from file paths.
    assert!(html.contains(r#"href="/modules/images/dockerfile-basics""#));
    assert!(html.contains(r#"href="/modules/containers/containers-and-vms#choosing""#));
    // Next crosses to the following lesson; the first lesson has no previous.
    assert!(
        html.contains(r#"rel="next" href="/modules/containers/containers-and-vms""#),
        "{html}"
    );
    assert!(!html.contains(r#"rel="prev""#));
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_way_back() {
    let app = TestApp::spawn().await;
    for path in [
        "/nowhere",
        "/modules/no-such-module",
        "/modules/containers/no-such-lesson",
        "/modules/images/a-process-with-walls",
    ] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("This page does not exist"), "{path}: {html}");
        assert!(html.contains(r#"href="/""#));
    }
}

#[tokio::test]
async fn server_functions_answer_with_json() {
    let app = TestApp::spawn().await;
    let course = common::bundled_course();
    let images = course.modules.iter().find(|m| m.id == "images").unwrap();
    let res = app.get("/api/lesson?module=images&lesson=layers-and-cache").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(v["title"], images.lessons[1].title.as_str());
    assert_eq!(v["prev"]["id"], "dockerfile-basics");
    assert_eq!(v["next"]["id"], images.lessons[2].id.as_str());

    let missing = app.get("/api/lesson?module=images&lesson=nope").await;
    assert_eq!(missing.text().await.unwrap(), "null");
}

#[tokio::test]
async fn probes_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.page("/healthz").await, (StatusCode::OK, "ok\n".into()));
    assert_eq!(app.page("/readyz").await, (StatusCode::OK, "ready\n".into()));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_per_response_nonce() {
    let app = TestApp::spawn().await;
    let res = app.get("/modules/images/dockerfile-basics").await;
    let h = res.headers().clone();
    let html = res.text().await.unwrap();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    let tokens: Vec<&str> = script_src.split_whitespace().collect();
    assert!(
        !tokens.contains(&"'unsafe-inline'") && !tokens.contains(&"'unsafe-eval'"),
        "{script_src}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("page CSP has a nonce");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the hydration script carries the header's nonce"
    );

    let other = app.get("/modules/images/dockerfile-basics").await;
    assert!(
        !other.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce),
        "nonces are not reused"
    );

    let css = app.get("/assets/berth.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert_eq!(
        css.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
}

#[tokio::test]
async fn the_theme_cookie_is_rendered_on_the_server() {
    let app = TestApp::spawn().await;
    let html = app.get_with_cookie("/", "theme=dark").await.text().await.unwrap();
    assert!(
        html.contains(r#"<html lang="en" data-theme="dark">"#),
        "{}",
        &html[..200]
    );
    let (_, plain) = app.page("/").await;
    assert!(plain.contains(r#"<html lang="en">"#));
}

fn csp_nonce(res: &reqwest::Response) -> String {
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    csp.split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn repeated_pages_differ_only_in_their_nonce() {
    let app = TestApp::spawn().await;
    let path = "/modules/containers/containers-and-vms";
    let mut seen = Vec::new();
    for cookie in ["", "", "theme=light", "session=abc"] {
        let res = app.get_with_cookie(path, cookie).await;
        assert_eq!(res.status(), StatusCode::OK);
        let nonce = csp_nonce(&res);
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"nonce="{nonce}""#)),
            "the body carries the header's nonce"
        );
        assert!(!seen.iter().any(|(n, _)| n == &nonce), "nonce reused");
        seen.push((nonce.clone(), html.replace(&nonce, "NONCE")));
    }
    assert_eq!(seen[0].1, seen[1].1, "the same page twice");
    assert!(seen[2].1.contains(r#"data-theme="light""#));
    assert_eq!(seen[3].1, seen[0].1, "a page rendered afresh matches the kept one");
}

#[tokio::test]
async fn pages_are_compressed_as_the_browser_allows() {
    let app = TestApp::spawn().await;
    let url = format!("{}/modules/containers/a-process-with-walls", app.base);
    let plain = app.client.get(&url).send().await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain = plain.text().await.unwrap();

    let accepting = |encodings: &str| app.client.get(&url).header("accept-encoding", encodings).send();
    let br = accepting("gzip, br").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert!(br.headers()["vary"].to_str().unwrap().contains("accept-encoding"));
    let body = br.bytes().await.unwrap();
    let mut page = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut page).unwrap();
    let page = String::from_utf8(page).unwrap();
    // The same page, but for its fresh nonce.
    assert_eq!(page.len(), plain.len());
    assert!(page.contains("<h1>A process with walls</h1>"), "{page}");
    assert!(
        body.len() * 3 < plain.len(),
        "{} bytes of brotli for {}",
        body.len(),
        plain.len()
    );

    let gzip = accepting("gzip").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let mut page = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&gzip.bytes().await.unwrap()[..]),
        &mut page,
    )
    .unwrap();
    assert_eq!(page.len(), plain.len());
}

/// A lesson with exercises beside it, so a learner's parts include the lab.
const LAB_LESSON: &str = "/modules/docker/container-lifecycle";
const LAB_LESSON_FIELDS: &[(&str, &str)] = &[("module", "docker"), ("lesson", "container-lifecycle")];

/// The learner's parts of a lesson, as the page's call answers for `tab`.
async fn learner_call(
    app: &TestApp,
    tab: &reqwest::Client,
    fields: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let res = app.post_form(tab, "/api/lesson/learner", fields).await;
    let status = res.status();
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap())
}

/// The page as `tab` gets it, with its nonce replaced, and whether the
/// response set a cookie.
async fn page_as(app: &TestApp, tab: &reqwest::Client, path: &str) -> (String, bool) {
    let res = tab.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let nonce = csp_nonce(&res);
    let sets_cookie = res.headers().contains_key("set-cookie");
    (res.text().await.unwrap().replace(&nonce, "NONCE"), sets_cookie)
}

#[tokio::test]
async fn signed_in_learners_share_the_lesson_page_and_see_only_their_own_parts() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada@example.org").await;
    let bo = app.signed_up("bo@example.org").await;

    // Ada's view renders the page, Bo's reuses it: the same document,
    // with nothing of either learner in it and no cookie set.
    let (for_ada, ada_cookie) = page_as(&app, &ada, LAB_LESSON).await;
    let (for_bo, bo_cookie) = page_as(&app, &bo, LAB_LESSON).await;
    assert_eq!(for_ada, for_bo, "one page for every signed-in learner");
    assert!(!ada_cookie && !bo_cookie, "a shared page sets no cookie");
    for page in [&for_ada, &for_bo] {
        for private in ["ada@example.org", "bo@example.org", "Start the lab", r#"href="/login""#] {
            assert!(!page.contains(private), "the shared page holds {private:?}");
        }
        assert!(page.contains("<h1>The container lifecycle</h1>") && page.contains("Loading your lab"));
    }
    // The lesson's HTML is in the page once: not again in the data sent for
    // hydration.
    let prose = &for_ada[for_ada.find(r#"class="prose""#).unwrap()..];
    let paragraph = &prose[prose.find("<p>").unwrap() + 3..];
    let words = paragraph[..paragraph.find('<').unwrap()]
        .split(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
        .max_by_key(|run| run.len())
        .unwrap();
    assert!(words.len() >= 20, "{words:?}");
    assert_eq!(for_ada.matches(words).count(), 1, "{words:?} more than once");
    let (anonymous, _) = page_as(&app, &app.browser(), LAB_LESSON).await;
    assert!(anonymous.contains("to get your own lab") && !anonymous.contains("Loading your lab"));

    // The call: each learner's own, and nothing for visitors.
    let (status, a) = learner_call(&app, &ada, LAB_LESSON_FIELDS).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["me"]["email"], "ada@example.org");
    assert_eq!(a["completed"], false);
    assert_eq!(a["lab"]["module"], "docker");
    assert_eq!(a["lab"]["lab"], serde_json::Value::Null);
    let exercises = a["lab"]["exercises"].as_array().unwrap();
    assert!(
        !exercises.is_empty() && exercises.iter().all(|e| e["passed"] == false),
        "{a}"
    );
    assert_eq!(
        learner_call(&app, &app.browser(), LAB_LESSON_FIELDS).await,
        (StatusCode::OK, serde_json::Value::Null)
    );

    // Ada completes the lesson and reveals a hint; Bo's parts do not change.
    let first = exercises[0]["id"].as_str().unwrap();
    let res = app
        .post_form(
            &ada,
            "/api/lab/reveal",
            &[("module", "docker"), ("exercise", first), ("solution", "false")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert!(
        app.post_form(&ada, "/api/lesson/complete", LAB_LESSON_FIELDS)
            .await
            .status()
            .is_success()
    );
    let (_, a) = learner_call(&app, &ada, LAB_LESSON_FIELDS).await;
    assert_eq!(a["completed"], true);
    assert_eq!(
        a["lab"]["exercises"][0]["hints_shown"].as_array().unwrap().len(),
        1,
        "{a}"
    );
    let (_, b) = learner_call(&app, &bo, LAB_LESSON_FIELDS).await;
    assert_eq!(b["me"]["email"], "bo@example.org");
    assert_eq!(b["completed"], false);
    assert!(
        b["lab"]["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["hints_shown"].as_array().unwrap().is_empty()),
        "{b}"
    );
    // The shared page did not change for either.
    assert_eq!(page_as(&app, &bo, LAB_LESSON).await.0, for_ada);

    // Unknown lessons are refused; a cross-site call is refused.
    let (status, body) = learner_call(&app, &ada, &[("module", "docker"), ("lesson", "nope")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let cross = ada
        .post(format!("{}/api/lesson/learner", app.base))
        .header("origin", "https://elsewhere.example")
        .form(LAB_LESSON_FIELDS)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);

    // Without JavaScript, the same lesson with a query is rendered for the
    // learner alone, with their lab and progress.
    let (own, _) = page_as(&app, &ada, &format!("{LAB_LESSON}?lab")).await;
    assert!(own.contains("ada@example.org") && own.contains("Start the lab") && own.contains("Lesson completed"));
    let (own, _) = page_as(&app, &bo, &format!("{LAB_LESSON}?lab")).await;
    assert!(own.contains("bo@example.org") && !own.contains("ada@example.org") && own.contains("Mark as complete"));
}
