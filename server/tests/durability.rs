//! Acknowledged writes (a completed lesson, a graded quiz) survive the
//! server being killed on the spot.

mod common;

use common::{Http, PASSWORD, TestDb, entry, force_remove, lab_containers, minimal_site, workspace};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts the real binary and returns it with the address it serves on.
fn start(db: &TestDb, site: &std::path::Path) -> (Child, String) {
    start_with(db, site, &workspace().join("content"))
}

fn start_with(db: &TestDb, site: &std::path::Path, content: &std::path::Path) -> (Child, String) {
    start_with_flags(db, site, content, &[])
}

fn start_with_flags(db: &TestDb, site: &std::path::Path, content: &std::path::Path, flags: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db.url])
        .args(flags)
        .arg("--content")
        .arg(content)
        .arg("--playground")
        .arg(workspace().join("playground"))
        .arg("--site-dir")
        .arg(site)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("serving on ").nth(1).map(|a| a.trim().to_string()))
        .expect("the server announces its address");
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

#[tokio::test]
async fn a_completed_lesson_and_a_graded_quiz_survive_sigkill_on_both_databases() {
    for db in TestDb::both().await {
        let site = minimal_site();
        let (mut server, base) = start(&db, site.path());
        let app = Http::new(base);
        let tab = app.browser();
        let signup = app.sign_up(&tab, "kim@example.org").await;
        assert_eq!(signup.status(), 303);
        let done = app
            .post_form(
                &tab,
                "/api/lesson/complete",
                &[("module", "images"), ("lesson", "layers-and-cache")],
            )
            .await;
        assert!(done.status().is_success(), "{}", done.status());
        let graded = app
            .post_form(&tab, "/modules/containers/quiz", &[("q.first-pid", "1")])
            .await;
        assert_eq!(graded.status(), 303);
        let results = common::location(&graded);

        // Acknowledged: now kill without warning and start again.
        server.kill().unwrap();
        server.wait().unwrap();
        let (mut again, base) = start(&db, site.path());
        let app = Http::new(base);
        let login = app.log_in(&tab, "kim@example.org", PASSWORD).await;
        assert_eq!(login.status(), 303, "the account survived");
        let dashboard = app.text_as(&tab, "/api/dashboard").await;
        let d: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
        let module = |id: &str| entry(&d["modules"], "id", id).clone();
        assert_eq!(module("images")["done"], 1, "{d}");
        let quiz =
            std::fs::read_to_string(common::workspace().join("content/modules/01-containers/quiz.toml")).unwrap();
        let questions = quiz.matches("[[question]]").count();
        assert_eq!(module("containers")["quiz"]["best_percent"], 100 / questions, "{d}");
        let page = tab.get(format!("{}{results}", app.base)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains(&format!("1 of {questions} right")));
        again.kill().unwrap();
        again.wait().unwrap();
    }
}

#[tokio::test]
async fn a_kill_during_a_lab_start_leaves_no_orphan_and_no_stuck_record() {
    let db = TestDb::sqlite();
    let site = minimal_site();
    let content = workspace().join("server/tests/fixtures/lab-course");
    let store = berth_server::store::Store::open(&db.url).await.unwrap();
    // Kill at different moments of the start: before, during and after the
    // container is created.
    for delay_ms in [0u64, 150, 400, 1500] {
        let (mut server, base) = start_with(&db, site.path(), &content);
        let app = Http::new(base);
        let tab = app.browser();
        let res = if delay_ms == 0 {
            app.sign_up(&tab, "lab@example.org").await
        } else {
            app.log_in(&tab, "lab@example.org", PASSWORD).await
        };
        assert_eq!(res.status(), 303);
        let start = app.post_form(&tab, "/api/lab/act", &[("module", "basics"), ("action", "Start")]);
        let _ = tokio::time::timeout(std::time::Duration::from_millis(delay_ms), start).await;
        server.kill().unwrap();
        server.wait().unwrap();

        // After a restart the sweep has matched the engine with the records.
        let (mut again, _) = start_with(&db, site.path(), &content);
        let mut settled = false;
        for _ in 0..50 {
            let live = store.live_labs().await.unwrap();
            let containers = lab_containers(&db).await;
            let matched =
                live.iter().all(|l| l.status == berth_app::model::LabStatus::Running) && containers.len() == live.len();
            if matched {
                settled = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(
            settled,
            "after a kill {delay_ms} ms into a start: records and containers disagree"
        );
        again.kill().unwrap();
        again.wait().unwrap();
        // Leave nothing behind for the next round.
        for lab in store.live_labs().await.unwrap() {
            force_remove(&berth_server::lab::docker::name(lab.id.as_str())).await;
            store
                .end_lab(&lab.id, berth_app::model::EndReason::Stopped)
                .await
                .unwrap();
        }
    }
}

/// The tmux sessions of a lab node's shell: `shell`, and one per terminal
/// joined to it.
fn shell_sessions(lab: &berth_app::model::LabId) -> Vec<String> {
    let out = Command::new("docker")
        .args(["exec", "-u", "learner", &common::container_name(lab, 1)])
        .args(["tmux", "-L", "berth", "list-sessions", "-F", "#{session_name}"])
        .output()
        .unwrap();
    let mut sessions: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect();
    sessions.sort();
    sessions
}

/// A server killed on the spot cannot detach its terminals from the labs'
/// shells (the engine keeps their execs running): the next sweep, on
/// another replica or after a restart, does, and the shell lives on.
#[tokio::test]
async fn a_killed_servers_terminals_are_detached_by_the_next_sweep_on_both_databases() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let content = workspace().join("server/tests/fixtures/lab-course");
    for db in TestDb::both().await {
        let site = minimal_site();
        let flags = ["--lab-sweep", "1s"];
        let (mut server, base) = start_with_flags(&db, site.path(), &content, &flags);
        let app = Http::new(base);
        let (tab, cookie) = common::session_cookie(&app, "kit@example.org").await;
        common::act(&app, &tab, "basics", berth_app::lab::LabAction::Start)
            .await
            .unwrap();
        let v = common::view(&app, &tab, "basics", "first-steps").await;
        let lab = common::lab_of(&v);
        let path = common::terminal_path(&v);
        let mut ws = common::terminal(&app, &cookie, &path, &app.base).await.unwrap();
        ws.send(Message::Text(r#"{"type":"resize","cols":100,"rows":30}"#.into()))
            .await
            .unwrap();
        ws.send(Message::Binary("echo before-$((6*7))\r".into())).await.unwrap();
        common::read_until(&mut ws, "before-42").await;
        assert_eq!(shell_sessions(&lab).len(), 2, "the shell and this terminal's client");

        server.kill().unwrap();
        server.wait().unwrap();
        drop(ws);
        assert_eq!(
            shell_sessions(&lab).len(),
            2,
            "a killed server leaves its client attached"
        );

        let (mut again, base) = start_with_flags(&db, site.path(), &content, &flags);
        let app = Http::new(base);
        let mut sessions = shell_sessions(&lab);
        for _ in 0..100 {
            if sessions == ["shell"] {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            sessions = shell_sessions(&lab);
        }
        assert_eq!(
            sessions,
            ["shell"],
            "the dead server's client was detached ({})",
            db.url
        );
        // The shell itself lives on, its scrollback with it.
        let mut ws = common::terminal(&app, &cookie, &path, &app.base).await.unwrap();
        ws.send(Message::Text(r#"{"type":"resize","cols":100,"rows":30}"#.into()))
            .await
            .unwrap();
        common::read_until(&mut ws, "before-42").await;
        ws.close(None).await.unwrap();
        common::act(&app, &tab, "basics", berth_app::lab::LabAction::Stop)
            .await
            .unwrap();
        again.kill().unwrap();
        again.wait().unwrap();
    }
}
