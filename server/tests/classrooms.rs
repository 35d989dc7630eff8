//! Classrooms over real HTTP: join codes, the roster, who may see what, the
//! live grid, insights, exports, and watching a learner's terminal (real
//! Docker labs for the last ones).

mod common;

use berth_app::lab::LabAction;
use berth_server::auth::Email;
use berth_server::store::Store;
use common::{
    TestApp, TestDb, act, as_learner, check, entry, lab_of, location, next_event, read_until, session_cookie, terminal,
    terminal_path, view, watchers,
};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

/// The lab fixture: module `basics` has exercises `greeting` and `live-file`
/// and the quiz `basics-check`; module `other` has one exercise.
async fn class_app(db: TestDb) -> TestApp {
    TestApp::builder()
        .db(db)
        .fixture("lab-course")
        .flag("--max-labs", "10")
        .flag("--stuck-idle", "1s")
        .spawn()
        .await
}

/// A signed-in account with `role`, and its session cookie.
async fn account(app: &TestApp, email: &str, role: &str) -> (reqwest::Client, String) {
    let (tab, cookie) = session_cookie(app, email).await;
    if role != "learner" {
        let store = Store::open(&app.db.url).await.unwrap();
        let address = Email::parse(email).unwrap();
        assert!(store.set_role(&address, role.parse().unwrap()).await.unwrap());
        store.close().await;
    }
    (tab, cookie)
}

/// Creates a classroom; answers its id and join code.
async fn create(app: &TestApp, tab: &reqwest::Client, fields: &[(&str, &str)]) -> (i64, String) {
    let res = app.post_form(tab, "/classrooms", fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id: i64 = to
        .strip_prefix("/classrooms/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {to}"));
    let room = classroom(app, tab, id).await;
    (id, room["join_code"].as_str().unwrap().to_string())
}

async fn classroom(app: &TestApp, tab: &reqwest::Client, id: i64) -> Value {
    let text = app.text_as(tab, &format!("/api/classroom?id={id}")).await;
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"))
}

async fn join_status(app: &TestApp, tab: &reqwest::Client, code: &str) -> String {
    let text = app.text_as(tab, &format!("/api/join?code={code}")).await;
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    v["status"].as_str().unwrap().to_string()
}

/// The grid cell of `learner` (by email) for `key`.
fn cell<'a>(room: &'a Value, email: &str, key: &str) -> &'a Value {
    row_cell(entry(&room["learners"], "email", email), key)
}

/// A cell's item as `kind:id`.
fn item_key(cell: &Value) -> String {
    let item = &cell["item"];
    format!("{}:{}", item["kind"].as_str().unwrap(), item["id"].as_str().unwrap())
}

#[tokio::test]
async fn join_codes_let_learners_in_until_they_expire_or_fill_up() {
    for db in TestDb::both().await {
        let app = class_app(db).await;
        let (ivy, _) = account(&app, "ivy@example.org", "instructor").await;
        let (id, code) = create(&app, &ivy, &[("name", "Morning group"), ("join_limit", "2")]).await;
        assert_eq!(code.len(), 10);

        // Wrong codes are refused plainly.
        let (ada, _) = account(&app, "ada@example.org", "learner").await;
        assert_eq!(join_status(&app, &ada, "nosuchcode").await, "Unknown");
        let res = app.post_form(&ada, "/join/nosuchcode", &[]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("does not exist"));

        // A good code joins once; joining again uses nothing up.
        assert_eq!(join_status(&app, &ada, &code).await, "Open");
        for _ in 0..2 {
            let res = app.post_form(&ada, &format!("/join/{code}"), &[]).await;
            assert_eq!(location(&res), format!("/join/{code}"));
        }
        assert_eq!(join_status(&app, &ada, &code).await, "Member");
        assert!(
            app.text_as(&ada, &format!("/join/{code}"))
                .await
                .contains("You are in “Morning group”")
        );

        // Logged out: asked to log in, then come back.
        let res = app.post_form(&app.client, &format!("/join/{code}"), &[]).await;
        assert_eq!(location(&res), format!("/login?next=/join/{code}"));

        // The limit: the second learner fills the class, the third is refused.
        let (bo, _) = account(&app, "bo@example.org", "learner").await;
        app.post_form(&bo, &format!("/join/{code}"), &[]).await;
        let (cy, _) = account(&app, "cy@example.org", "learner").await;
        assert_eq!(join_status(&app, &cy, &code).await, "UsedUp");
        let res = app.post_form(&cy, &format!("/join/{code}"), &[]).await;
        assert_eq!(res.status(), StatusCode::GONE);
        assert!(res.text().await.unwrap().contains("classroom is full"));
        let room = classroom(&app, &ivy, id).await;
        let emails: Vec<&str> = room["learners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["email"].as_str().unwrap())
            .collect();
        assert_eq!(emails, ["ada@example.org", "bo@example.org"]);
        assert_eq!(
            (room["joins"].as_i64(), room["join_limit"].as_i64()),
            (Some(2), Some(2))
        );

        // Removing a learner frees nothing and is recorded; closing joining expires the code.
        let res = app
            .post_form(
                &ivy,
                &format!(
                    "/classrooms/{id}/learners/{}/remove",
                    learner_id(&room, "bo@example.org")
                ),
                &[],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, code2) = create(&app, &ivy, &[("name", "Evening group")]).await;
        let id2 = classroom_id_by_code(&app, &ivy, &code2).await;
        app.post_form(&ivy, &format!("/classrooms/{id2}/close-joining"), &[])
            .await;
        assert_eq!(join_status(&app, &cy, &code2).await, "Expired");
        let res = app.post_form(&cy, &format!("/join/{code2}"), &[]).await;
        assert_eq!(res.status(), StatusCode::GONE);
        assert!(res.text().await.unwrap().contains("expired"));
        let room = classroom(&app, &ivy, id).await;
        assert_eq!(room["learners"].as_array().unwrap().len(), 1);
        let audit = room["audit"].to_string();
        assert!(audit.contains("removed bo@example.org"), "{audit}");

        // Bad form input is refused with a reason.
        for (fields, code) in [
            (vec![("name", " ")], "name"),
            (vec![("name", "x"), ("starts_on", "tomorrow")], "dates"),
            (
                vec![("name", "x"), ("starts_on", "2026-12-02"), ("ends_on", "2026-12-01")],
                "dates",
            ),
            (vec![("name", "x"), ("join_limit", "0")], "limit"),
            (vec![("name", "x"), ("code_days", "999")], "days"),
        ] {
            let res = app.post_form(&ivy, "/classrooms", &fields).await;
            assert_eq!(location(&res), format!("/classrooms?error={code}"));
        }
    }
}

fn learner_id(room: &Value, email: &str) -> i64 {
    entry(&room["learners"], "email", email)["id"].as_i64().unwrap()
}

async fn classroom_id_by_code(app: &TestApp, tab: &reqwest::Client, code: &str) -> i64 {
    let list: Value = serde_json::from_str(&app.text_as(tab, "/api/classrooms").await).unwrap();
    for c in list.as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        if classroom(app, tab, id).await["join_code"] == code {
            return id;
        }
    }
    panic!("no classroom with code {code}");
}

#[tokio::test]
async fn a_classroom_link_signs_up_when_sign_up_is_invite_only() {
    let app = TestApp::builder().flag("--signup", "invite").spawn().await;
    let store = Store::open(&app.db.url).await.unwrap();
    let ivy = store
        .create_user(
            &Email::parse("ivy@example.org").unwrap(),
            "x",
            "instructor".parse().unwrap(),
        )
        .await
        .unwrap();
    let code = "abcdefghjk";
    store
        .create_classroom(berth_server::store::NewClassroom {
            name: "Invite-only class",
            owner: ivy.id,
            join_code: code,
            join_limit: 5,
            code_expires_at: berth_app::model::Millis(i64::MAX / 2),
            starts_on: None,
            ends_on: None,
        })
        .await
        .unwrap();
    let password = common::PASSWORD;

    let tab = app.browser();
    let res = app
        .post_form(
            &tab,
            "/auth/signup",
            &[
                ("email", "new@example.org"),
                ("password", password),
                ("join", "wrongcode1"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/signup?error=join&join=wrongcode1");
    assert_eq!(app.me(&tab).await, None);
    let res = app
        .post_form(
            &tab,
            "/auth/signup",
            &[("email", "new@example.org"), ("password", password), ("join", code)],
        )
        .await;
    assert_eq!(location(&res), format!("/join/{code}"));
    assert_eq!(app.me(&tab).await.as_deref(), Some("new@example.org"));
    assert_eq!(join_status(&app, &tab, code).await, "Member");
    // Without a code, invite-only still means invite-only.
    let res = app
        .post_form(
            &app.browser(),
            "/auth/signup",
            &[("email", "other@example.org"), ("password", password)],
        )
        .await;
    assert_eq!(location(&res), "/signup?error=invite");
}

#[tokio::test]
async fn only_the_classrooms_instructor_or_an_admin_gets_in() {
    for db in TestDb::both().await {
        let app = class_app(db).await;
        let (ivy, ivy_cookie) = account(&app, "ivy@example.org", "instructor").await;
        let (id, code) = create(&app, &ivy, &[("name", "Ivy's class")]).await;
        let (ada, ada_cookie) = account(&app, "ada@example.org", "learner").await;
        app.post_form(&ada, &format!("/join/{code}"), &[]).await;
        let ada_id = learner_id(&classroom(&app, &ivy, id).await, "ada@example.org");
        let (olga, olga_cookie) = account(&app, "olga@example.org", "instructor").await;
        let (al, _) = account(&app, "al@example.org", "admin").await;
        let anonymous = app.browser();

        let gets = [
            format!("/api/classroom?id={id}"),
            format!("/api/classroom/watch?id={id}&learner={ada_id}"),
            format!("/classrooms/{id}/events"),
            format!("/classrooms/{id}/export.csv"),
            format!("/classrooms/{id}/export.json"),
        ];
        let posts = [
            (format!("/classrooms/{id}/learners/{ada_id}/remove"), vec![]),
            (
                format!("/classrooms/{id}/learners/{ada_id}/lab"),
                vec![("module", "basics"), ("action", "stop")],
            ),
            (format!("/classrooms/{id}/close-joining"), vec![]),
        ];
        for (who, tab, want) in [
            ("anonymous", &anonymous, StatusCode::UNAUTHORIZED),
            ("a learner", &ada, StatusCode::FORBIDDEN),
            ("another instructor", &olga, StatusCode::NOT_FOUND),
        ] {
            for path in &gets {
                let res = tab.get(format!("{}{path}", app.base)).send().await.unwrap();
                assert_eq!(res.status(), want, "{who} GET {path}");
            }
            for (path, fields) in &posts {
                let res = app.post_form(tab, path, fields).await;
                assert_eq!(res.status(), want, "{who} POST {path}");
            }
        }
        // Learners cannot list classrooms or create one; the other instructor
        // sees none of Ivy's.
        let res = ada.get(format!("{}/api/classrooms", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.post_form(&ada, "/classrooms", &[("name", "mine")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.text_as(&olga, "/api/classrooms").await, "[]");
        assert!(
            app.text_as(&ada, "/classrooms")
                .await
                .contains("Classrooms are for instructors")
        );
        // The terminal stream: same rules, over WebSocket.
        let watch = format!("/classrooms/{id}/learners/{ada_id}/terminal");
        for (cookie, want) in [(&ada_cookie, 403), (&olga_cookie, 404)] {
            let err = terminal(&app, cookie, &watch, &app.base).await.unwrap_err();
            assert!(
                matches!(err, tungstenite::Error::Http(ref r) if r.status() == want),
                "{err}"
            );
        }
        let err = terminal(&app, &ivy_cookie, &watch, "https://evil.example")
            .await
            .unwrap_err();
        assert!(
            matches!(err, tungstenite::Error::Http(ref r) if r.status() == 403),
            "{err}"
        );

        // The owner and any admin get in.
        for tab in [&ivy, &al] {
            assert_eq!(classroom(&app, tab, id).await["summary"]["name"], "Ivy's class");
            let res = tab
                .get(format!("{}/classrooms/{id}/export.csv", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        let all: Value = serde_json::from_str(&app.text_as(&al, "/api/classrooms").await).unwrap();
        assert_eq!(all.as_array().unwrap().len(), 1);
        assert!(
            app.text_as(&ivy, &format!("/classrooms/{id}"))
                .await
                .contains("ada@example.org")
        );
    }
}

fn row_cell<'a>(row: &'a Value, key: &str) -> &'a Value {
    row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| item_key(c) == key)
        .unwrap_or_else(|| panic!("no column {key} in {row}"))
}

#[tokio::test]
async fn the_grid_follows_checks_and_quizzes_live_and_the_exports_match() {
    let app = class_app(TestDb::sqlite()).await;
    let (ivy, _) = account(&app, "ivy@example.org", "instructor").await;
    let (id, code) = create(&app, &ivy, &[("name", "Lab class")]).await;
    let (ada, _) = account(&app, "ada@example.org", "learner").await;
    let (bo, _) = account(&app, "bo@example.org", "learner").await;
    for tab in [&ada, &bo] {
        app.post_form(tab, &format!("/join/{code}"), &[]).await;
    }
    let res = ivy
        .get(format!("{}/classrooms/{id}/events", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut events = res;
    let mut buffer = String::new();
    assert_eq!(next_event(&mut events, &mut buffer, "ready").await, "live");

    // Ada fails the greeting check: her cell turns red with the failing assertion.
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let failed = check(&app, &ada, "greeting", false).await.unwrap();
    assert!(!failed.passed, "{failed:?}");
    let row = next_event(&mut events, &mut buffer, "learner").await;
    assert_eq!(row["email"], "ada@example.org");
    let failing = row_cell(&row, "exercise:greeting");
    assert_eq!(failing["state"], "failing");
    assert!(
        failing["detail"].as_str().unwrap().contains("greeting.txt exists"),
        "{failing}"
    );

    // She fixes it in her lab: the next event shows it passed.
    let container = lab_of(&view(&app, &ada, "basics", "first-steps").await);
    assert_eq!(
        as_learner(&app, &container, "echo hello > ~/greeting.txt").await.0,
        Some(0)
    );
    assert_eq!(check(&app, &ada, "greeting", false).await.map(|r| r.passed), Ok(true));
    let row = next_event(&mut events, &mut buffer, "learner").await;
    assert_eq!(row_cell(&row, "exercise:greeting")["state"], "passed");
    assert_eq!(row["exercises_passed"], 1);

    // Bo fails the same check three times: stuck. Then a quiz, wrong on one question.
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    act(&app, &bo, "basics", LabAction::Start).await.unwrap();
    for _ in 0..3 {
        assert_eq!(check(&app, &bo, "greeting", false).await.map(|r| r.passed), Ok(false));
    }
    let quiz = app.text_as(&bo, "/modules/basics/quiz").await;
    let home_key = choice_key(&quiz, "In /tmp");
    let res = app
        .post_form(
            &bo,
            "/modules/basics/quiz",
            &[("q.home", &home_key), ("q.word", "hello")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let row = loop {
        let row = next_event(&mut events, &mut buffer, "learner").await;
        if row["email"] == "bo@example.org" && row_cell(&row, "quiz:basics-check")["state"] != "not-started" {
            break row;
        }
    };
    let quiz_cell = row_cell(&row, "quiz:basics-check");
    assert_eq!(quiz_cell["state"], "failing");
    assert_eq!(quiz_cell["detail"], "best 50%");
    assert_eq!(row_cell(&row, "exercise:greeting")["stuck"], true);

    // The page data: stuck flags, the failing assertion ranked, quiz insights.
    // Bo's lab has now sat idle past the (test's) one-second threshold.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let room = classroom(&app, &ivy, id).await;
    assert_eq!(cell(&room, "ada@example.org", "exercise:greeting")["state"], "passed");
    let bo_row = entry(&room["learners"], "email", "bo@example.org");
    let reasons = bo_row["stuck"].to_string();
    assert!(
        reasons.contains("“Write a greeting” failed 3 checks in a row"),
        "{reasons}"
    );
    assert!(
        reasons.contains("lab for “Basics” idle for 0 min with 2 exercise(s) unfinished"),
        "{reasons}"
    );
    let ada_row = entry(&room["learners"], "email", "ada@example.org");
    assert_eq!(
        ada_row["stuck"],
        serde_json::json!([]),
        "Ada's lab is stopped and her exercise passed"
    );
    let greeting = entry(&room["exercises"], "id", "greeting");
    assert_eq!(
        (greeting["attempted"].as_u64(), greeting["passed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        greeting["failing"][0][1], 2,
        "both learners hit the first assertion: {greeting}"
    );
    assert!(
        greeting["failing"][0][0]
            .as_str()
            .unwrap()
            .contains("greeting.txt exists")
    );
    assert_eq!(greeting["stuck"], serde_json::json!(["bo@example.org"]));
    let quiz = entry(&room["quizzes"], "id", "basics-check");
    assert_eq!(quiz["learners"], 1);
    assert_eq!(quiz["questions"][0]["correct"], 0);
    assert_eq!(quiz["questions"][0]["top_wrong"], serde_json::json!(["In /tmp", 1]));
    assert_eq!(quiz["questions"][1]["correct"], 1);

    // Exports: one row per learner, the recorded results, and totals.
    let csv = app.text_as(&ivy, &format!("/classrooms/{id}/export.csv")).await;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "email,exercise:greeting,exercise:live-file,exercise:other-file,quiz:basics-check,\
         lessons_completed,exercises_passed,quizzes_passed,quiz_average"
    );
    assert_eq!(lines.next().unwrap(), "ada@example.org,1,0,0,,0,1,0,0");
    assert_eq!(lines.next().unwrap(), "bo@example.org,0,0,0,50,0,0,0,50");
    assert_eq!(lines.next(), None);
    let json: Value = serde_json::from_str(&app.text_as(&ivy, &format!("/classrooms/{id}/export.json")).await).unwrap();
    assert_eq!(json["learners"][1]["items"]["quiz:basics-check"]["best_percent"], 50);
    assert_eq!(json["learners"][0]["items"]["exercise:greeting"]["state"], "passed");

    // Roster lab actions act on the learner's lab and are audited.
    let bo_id = learner_id(&room, "bo@example.org");
    let res = app
        .post_form(
            &ivy,
            &format!("/classrooms/{id}/learners/{bo_id}/lab"),
            &[("module", "basics"), ("action", "extend")],
        )
        .await;
    assert_eq!(location(&res), format!("/classrooms/{id}"));
    let twice = app
        .post_form(
            &ivy,
            &format!("/classrooms/{id}/learners/{bo_id}/lab"),
            &[("module", "basics"), ("action", "extend")],
        )
        .await;
    assert_eq!(location(&twice), format!("/classrooms/{id}"), "staff may extend again");
    app.post_form(
        &ivy,
        &format!("/classrooms/{id}/learners/{bo_id}/lab"),
        &[("module", "basics"), ("action", "stop")],
    )
    .await;
    assert!(view(&app, &bo, "basics", "first-steps").await.lab.is_none());
    let audit = classroom(&app, &ivy, id).await["audit"].to_string();
    assert!(
        audit.contains("lab stop bo@example.org (module basics, done)"),
        "{audit}"
    );
}

/// The form key of a choice on the quiz page, found by its text.
fn choice_key(page: &str, text: &str) -> String {
    let at = page
        .find(&format!("<span>{text}</span>"))
        .unwrap_or_else(|| panic!("{text} not on the page"));
    let before = &page[..at];
    let value = before.rfind("value=\"").unwrap();
    before[value + 7..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn watching_a_terminal_is_read_only_announced_and_audited() {
    let app = class_app(TestDb::sqlite()).await;
    let (ivy, ivy_cookie) = account(&app, "ivy@example.org", "instructor").await;
    let (id, code) = create(&app, &ivy, &[("name", "Watched class")]).await;
    let (ada, ada_cookie) = account(&app, "ada@example.org", "learner").await;
    app.post_form(&ada, &format!("/join/{code}"), &[]).await;
    let ada_id = learner_id(&classroom(&app, &ivy, id).await, "ada@example.org");
    let watch = format!("/classrooms/{id}/learners/{ada_id}/terminal");

    // No lab yet: nothing to watch.
    let err = terminal(&app, &ivy_cookie, &watch, &app.base).await.unwrap_err();
    assert!(
        matches!(err, tungstenite::Error::Http(ref r) if r.status() == 404),
        "{err}"
    );

    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = view(&app, &ada, "basics", "first-steps").await;
    let container = lab_of(&lab);
    let mut learner = terminal(&app, &ada_cookie, &terminal_path(&lab), &app.base)
        .await
        .unwrap();
    learner
        .send(Message::Binary("echo before-$((20+1))\r".into()))
        .await
        .unwrap();
    read_until(&mut learner, "before-21").await;

    let mut watcher = terminal(&app, &ivy_cookie, &watch, &app.base).await.unwrap();
    // The watcher first gets recent output, then the live stream.
    read_until(&mut watcher, "before-21").await;
    assert_eq!(watchers(&mut learner).await, ["ivy@example.org"]);

    learner
        .send(Message::Binary("echo shadow-$((6*7))\r".into()))
        .await
        .unwrap();
    read_until(&mut watcher, "shadow-42").await;

    // Typing on the watcher's side goes nowhere.
    watcher
        .send(Message::Binary("touch /home/learner/pwned\r".into()))
        .await
        .unwrap();
    let notice = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Ok(Message::Text(text))) = watcher.next().await {
                return text.to_string();
            }
        }
    })
    .await
    .unwrap();
    assert!(notice.contains("read-only"), "{notice}");
    learner
        .send(Message::Binary("echo after-$((50+5))\r".into()))
        .await
        .unwrap();
    read_until(&mut watcher, "after-55").await;
    let (status, _) = as_learner(&app, &container, "test -e /home/learner/pwned").await;
    assert_eq!(status, Some(1), "the watcher's keystrokes never reached the lab");

    watcher.close(None).await.unwrap();
    let audit = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let audit = classroom(&app, &ivy, id).await["audit"].to_string();
            if audit.contains("stopped watching") {
                return audit;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the end of the watch is recorded");
    assert!(audit.contains("started watching ada@example.org"), "{audit}");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}
