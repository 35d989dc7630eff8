//! Lesson progress and the dashboard over real HTTP, on both databases.

mod common;

use berth_app::error::AppError;
use common::{PASSWORD, TestApp, TestDb, workspace};
use serde_json::Value;

const FIRST: &[(&str, &str)] = &[("module", "containers"), ("lesson", "a-process-with-walls")];

async fn call(app: &TestApp, tab: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> (bool, String) {
    let res = app.post_form(tab, &format!("/api/{endpoint}"), fields).await;
    let ok = res.status().is_success();
    (ok, res.text().await.unwrap())
}

async fn dashboard(app: &TestApp, tab: &reqwest::Client) -> Value {
    let text = app.text_as(tab, "/api/dashboard").await;
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn learners_complete_lessons_and_see_only_their_own_progress() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).spawn().await;

        // Visitors can read but have no progress.
        let anonymous = app.browser();
        assert_eq!(dashboard(&app, &anonymous).await, Value::Null);
        assert_eq!(
            call(&app, &anonymous, "lesson/open", FIRST).await,
            (true, "null".into())
        );
        let (ok, body) = call(&app, &anonymous, "lesson/complete", FIRST).await;
        assert!(!ok, "{body}");
        assert_eq!(serde_json::from_str::<AppError>(&body).unwrap(), AppError::Unauthorized);

        let ada = app.signed_up("ada@example.org").await;
        let fresh = dashboard(&app, &ada).await;
        let course = common::bundled_course();
        let total = course.modules.iter().map(|m| m.lessons.len()).sum::<usize>();
        assert_eq!(
            (fresh["done"].as_u64(), fresh["total"].as_u64()),
            (Some(0), Some(total as u64))
        );
        assert_eq!(fresh["continue_at"]["id"], "a-process-with-walls");

        assert_eq!(call(&app, &ada, "lesson/open", FIRST).await, (true, "false".into()));
        assert!(call(&app, &ada, "lesson/complete", FIRST).await.0);
        assert_eq!(call(&app, &ada, "lesson/open", FIRST).await, (true, "true".into()));
        let (ok, body) = call(
            &app,
            &ada,
            "lesson/complete",
            &[("module", "containers"), ("lesson", "nope")],
        )
        .await;
        assert!(!ok, "{body}");
        assert_eq!(serde_json::from_str::<AppError>(&body).unwrap(), AppError::NotFound);

        let d = dashboard(&app, &ada).await;
        assert_eq!(d["done"], 1);
        assert_eq!(d["modules"][0]["done"], 1);
        assert_eq!(d["modules"][1]["done"], 0);
        assert_eq!(
            d["continue_at"]["id"], "containers-and-vms",
            "continues after the finished lesson"
        );

        // The page shows it too: through the call a lesson page makes, and
        // in the lesson rendered for Ada alone (the page without JavaScript).
        let (ok, learner) = call(&app, &ada, "lesson/learner", FIRST).await;
        assert!(ok, "{learner}");
        assert_eq!(serde_json::from_str::<Value>(&learner).unwrap()["completed"], true);
        let page = app.text_as(&ada, "/modules/containers/a-process-with-walls?lab").await;
        assert!(page.contains("Lesson completed"));
        let page = app.text_as(&ada, "/dashboard").await;
        assert!(
            page.contains(&format!("1 of {total} lessons completed"))
                && page.contains("Continue: Containers and virtual machines"),
            "{page}"
        );

        // Another learner starts from zero and cannot touch Ada's records:
        // every progress call acts on the caller's own account.
        let bo = app.signed_up("bo@example.org").await;
        assert_eq!(dashboard(&app, &bo).await["done"], 0);
        assert_eq!(call(&app, &bo, "lesson/open", FIRST).await, (true, "false".into()));
    }
}

#[tokio::test]
async fn progress_survives_renamed_and_reordered_lesson_files() {
    let db = TestDb::sqlite();
    let app = TestApp::builder().db(db.same()).spawn().await;
    let ada = app.signed_up("ada@example.org").await;
    assert!(call(&app, &ada, "lesson/complete", FIRST).await.0);

    // The author moves the first lesson of module 1 to its end by renaming
    // the file (and the links to it).
    let content = common::copy_course(&workspace().join("content"));
    let m = content.path().join("modules/01-containers");
    std::fs::rename(
        m.join("01-a-process-with-walls.md"),
        m.join("09-a-process-with-walls.md"),
    )
    .unwrap();
    for module in std::fs::read_dir(content.path().join("modules")).unwrap() {
        for file in std::fs::read_dir(module.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(
                    &path,
                    text.replace("01-a-process-with-walls.md", "09-a-process-with-walls.md"),
                )
                .unwrap();
            }
        }
    }
    let reordered = TestApp::builder()
        .db(db.same())
        .content(content.path().to_path_buf())
        .spawn()
        .await;
    let tab = reordered.browser();
    reordered.log_in(&tab, "ada@example.org", PASSWORD).await;
    let d = dashboard(&reordered, &tab).await;
    assert_eq!(d["done"], 1, "{d}");
    // The finished lesson is now the module's last: the way on is the next
    // module's first lesson.
    let next_module = &common::bundled_course().modules[1];
    assert_eq!(d["continue_at"]["id"], next_module.lessons[0].id.as_str());
    let outline = reordered.page("/modules/containers").await.1;
    assert!(outline.find("Containers and virtual machines") < outline.find("A process with walls"));
}
