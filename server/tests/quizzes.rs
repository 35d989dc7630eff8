//! Quizzes over real HTTP, on both databases: nothing that gives answers away
//! reaches the browser, grading of every kind of question, attempts kept and
//! the best one counting, and nobody else's attempts visible.

mod common;

use berth_app::error::AppError;
use common::{TestApp, TestDb, entry, location};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;

const QUIZ: &str = "/modules/basics/quiz";
const EXPLANATIONS: &[&str] = &[
    "EXPLAIN-ONE",
    "EXPLAIN-MANY",
    "EXPLAIN-WORD",
    "EXPLAIN-COUNT",
    "EXPLAIN-STEPS",
];
/// Strings that would give a right answer away before submitting.
const SECRETS: &[&str] = &["zanzibarite", "xylo", "7318", "\"answer", "\"accept", "explanation"];

async fn fixture_app(db: TestDb) -> TestApp {
    TestApp::builder().db(db).fixture("quiz-course").spawn().await
}

/// The quiz form the server sent this learner.
async fn form(app: &TestApp, tab: &reqwest::Client) -> Value {
    let text = app.text_as(tab, "/api/quiz?module=basics").await;
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    v["form"].clone()
}

/// The key the server gave the option with this text.
fn key(form: &Value, question: &str, text: &str) -> String {
    let q = entry(&form["questions"], "id", question);
    let input = &q["input"];
    let choices = ["Single", "Multiple", "Order"]
        .iter()
        .find_map(|k| input[k].as_array())
        .unwrap();
    choices.iter().find(|c| c["text"] == text).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Submits answers; returns the results page's address.
async fn submit(app: &TestApp, tab: &reqwest::Client, fields: &[(String, String)]) -> String {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form(tab, QUIZ, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with(&format!("{QUIZ}/")), "{to}");
    to
}

fn answers(form: &Value, word: &str, count: &str, order: [&str; 3]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("q.pick-one".to_string(), key(form, "pick-one", "Basalt option")),
        ("q.pick-many".into(), key(form, "pick-many", "Aspen")),
        ("q.pick-many".into(), key(form, "pick-many", "Birch")),
        ("q.word".into(), word.into()),
        ("q.count".into(), count.into()),
    ];
    for (position, item) in order.iter().enumerate() {
        fields.push((
            format!("q.steps.{}", key(form, "steps", item)),
            (position + 1).to_string(),
        ));
    }
    fields
}

/// A fresh form filled in with these answers and submitted: the results page.
async fn attempt(app: &TestApp, tab: &reqwest::Client, word: &str, count: &str, order: [&str; 3]) -> String {
    let form = form(app, tab).await;
    let results = submit(app, tab, &answers(&form, word, count, order)).await;
    app.text_as(tab, &results).await
}

async fn dashboard_quiz(app: &TestApp, tab: &reqwest::Client) -> Value {
    let text = app.text_as(tab, "/api/dashboard").await;
    let v: Value = serde_json::from_str(&text).unwrap();
    v["modules"][0]["quiz"].clone()
}

#[tokio::test]
async fn nothing_sent_before_submitting_gives_an_answer_away() {
    let app = fixture_app(TestDb::sqlite()).await;
    let ada = app.signed_up("ada@example.org").await;
    let mut seen = Vec::new();
    for path in [
        QUIZ.to_string(),
        "/api/quiz?module=basics".into(),
        "/modules/basics".into(),
        "/modules/basics/intro".into(),
        "/".into(),
        "/dashboard".into(),
        "/api/catalog".into(),
        "/api/module?module=basics".into(),
        "/api/lesson?module=basics&lesson=intro".into(),
        "/api/dashboard".into(),
        "/api/me".into(),
    ] {
        let res = ada.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        seen.push((path, res.text().await.unwrap()));
    }
    // The page did carry the quiz, prompts, choices and all.
    assert!(seen[0].1.contains("Which two options are right?"));
    assert!(seen[0].1.contains("Granite option"));
    for (path, body) in &seen {
        for secret in EXPLANATIONS.iter().chain(SECRETS) {
            assert!(!body.contains(secret), "{path} gives away {secret}");
        }
    }
    // Options come in a fresh order each time, named by keys that do not
    // follow their position.
    let mut orders = HashSet::new();
    for _ in 0..20 {
        let f = form(&app, &ada).await;
        let texts: Vec<String> = f["questions"][1]["input"]["Multiple"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect();
        orders.insert(texts);
    }
    assert!(orders.len() > 1, "options were never shuffled");
    let f = form(&app, &ada).await;
    for text in ["Maple", "Birch", "Cedar", "Aspen"] {
        let k = key(&f, "pick-many", text);
        assert!(k.len() >= 8 && k.parse::<u64>().is_err(), "{k}");
    }
    // Visitors see the quiz's outline, not its questions.
    let (status, body) = app.page(QUIZ).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Log in to take the quiz") && !body.contains("Granite option"));
}

#[tokio::test]
async fn learners_fail_retake_and_keep_their_best_score() {
    for db in TestDb::both().await {
        let app = fixture_app(db).await;
        let ada = app.signed_up("ada@example.org").await;

        // Nothing answered: every question is wrong, and explanations show.
        let first = submit(&app, &ada, &[]).await;
        let page = app.text_as(&ada, &first).await;
        assert!(page.contains("Not passed yet"), "{page}");
        assert!(page.contains("0 of 5 right"), "{page}");
        assert!(page.contains("No answer"));
        for e in EXPLANATIONS {
            assert!(page.contains(e), "results lack {e}");
        }
        assert_eq!(dashboard_quiz(&app, &ada).await["passed"], false);
        assert_eq!(dashboard_quiz(&app, &ada).await["best_percent"], 0);

        // All right, with each kind of answer written differently.
        let page = attempt(&app, &ada, " ZANZIBARITE ", "7318", ["Sow", "Water", "Harvest"]).await;
        assert!(page.contains("Passed") && page.contains("5 of 5 right"), "{page}");
        // "7,318.9" is not a number Berth reads: one wrong of five is 80%.
        let page = attempt(&app, &ada, "Xylophone-42", "7,318.9", ["Sow", "Water", "Harvest"]).await;
        assert!(page.contains("4 of 5 right") && page.contains("Passed"), "{page}");

        // A worse attempt later does not undo the pass or lower the best.
        let page = attempt(&app, &ada, "wrong", "7319.5", ["Water", "Sow", "Harvest"]).await;
        assert!(
            page.contains("2 of 5 right") && page.contains("best score is 100%"),
            "{page}"
        );
        let standing = dashboard_quiz(&app, &ada).await;
        assert_eq!(
            (standing["passed"].as_bool(), standing["best_percent"].as_u64()),
            (Some(true), Some(100))
        );
        let text = app.text_as(&ada, "/api/quiz?module=basics").await;
        let data: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(data["attempts"].as_array().unwrap().len(), 4);
        let quiz_page = app.text_as(&ada, QUIZ).await;
        assert!(
            quiz_page.contains("Your best score: 100% (passed) after 4 attempt(s)."),
            "{quiz_page}"
        );

        // Another learner cannot see Ada's attempts, by page or by API.
        let bo = app.signed_up("bo@example.org").await;
        let res = bo.get(format!("{}{first}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(!res.text().await.unwrap().contains("EXPLAIN-ONE"));
        let id = first.rsplit('/').next().unwrap();
        let api = app
            .text_as(&bo, &format!("/api/quiz/attempt?module=basics&attempt={id}"))
            .await;
        assert_eq!(api, "\"NotFound\"");
        assert_eq!(dashboard_quiz(&app, &bo).await["best_percent"], Value::Null);
        // Nor can a visitor.
        let (_, body) = app.page(&first).await;
        assert!(body.contains("Log in to see your results") && !body.contains("EXPLAIN-ONE"));
    }
}

#[tokio::test]
async fn submissions_are_refused_cleanly() {
    let app = fixture_app(TestDb::sqlite()).await;
    // Visitors are sent to log in first.
    let visitor = app.browser();
    let res = app.post_form(&visitor, QUIZ, &[("q.word", "zanzibarite")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/login?next={QUIZ}"));

    let ada = app.signed_up("ada@example.org").await;
    // Another site cannot submit on a learner's behalf.
    let res = ada
        .post(format!("{}{QUIZ}", app.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q.word=zanzibarite")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // No quiz, no submission; a results page that does not exist is a 404.
    let res = app.post_form(&ada, "/modules/nope/quiz", &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for path in [
        format!("{QUIZ}/999999"),
        format!("{QUIZ}/abc"),
        "/modules/nope/quiz".into(),
    ] {
        let res = ada.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // Odd fields and huge answers are graded as wrong, not as errors.
    let huge = "x".repeat(100_000);
    let to = submit(
        &app,
        &ada,
        &[
            ("q.word".into(), huge),
            ("q.pick-one".into(), "0".into()),
            ("q.steps.whatever".into(), "1".into()),
            ("zzz".into(), "1".into()),
        ],
    )
    .await;
    let page = app.text_as(&ada, &to).await;
    assert!(page.contains("0 of 5 right"), "{page}");
}

#[tokio::test]
async fn class_figures_are_for_instructors_and_admins_only() {
    for db in TestDb::both().await {
        let app = fixture_app(db).await;
        let store = berth_server::store::Store::open(&app.db.url).await.unwrap();
        let learner = app.signed_up("lee@example.org").await;
        submit(&app, &learner, &[]).await;
        let stats = "/api/quiz/stats?module=basics";

        let res = app.get(stats).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = learner.get(format!("{}{stats}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let err: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(err, AppError::Forbidden);
        assert!(!app.text_as(&learner, QUIZ).await.contains("Your learners"));

        for (email, role) in [("ivy@example.org", "instructor"), ("al@example.org", "admin")] {
            let tab = app.signed_up(email).await;
            let address = berth_server::auth::Email::parse(email).unwrap();
            assert!(store.set_role(&address, role.parse().unwrap()).await.unwrap());
            let text = app.text_as(&tab, stats).await;
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
            assert_eq!(
                (v["attempts"].as_u64(), v["learners"].as_u64()),
                (Some(1), Some(1)),
                "{v}"
            );
            assert_eq!(v["learners_passed"], 0);
            assert!(
                app.text_as(&tab, QUIZ)
                    .await
                    .contains("Your learners: 1 tried, 0 passed")
            );
        }
    }
}
