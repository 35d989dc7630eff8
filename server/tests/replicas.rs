//! Two `berth serve` processes on one PostgreSQL database, as behind a
//! round-robin proxy without sticky sessions: what one replica writes or
//! announces, the other shows; login throttling and the lab sweep count
//! across both; a learner's shell outlives the replica that served it.
//! Real PostgreSQL (`cargo xtask test` starts one), real Docker labs.

mod common;

use berth_app::error::AppError;
use berth_app::lab::LabAction;
use berth_server::auth::Email;
use berth_server::store::Store;
use common::{
    Http, PASSWORD, ServeProcess, Socket, TestDb, act, check, entry, location, minimal_site, next_event, read_until,
    session_cookie, terminal, terminal_path, view, watchers, workspace,
};
use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// How often each replica tries to sweep.
const SWEEP: Duration = Duration::from_secs(1);

/// A replica of the lab fixture's server, logging its sweep rounds.
fn replica(db: &TestDb, site: &Path) -> ServeProcess {
    replica_with(db, site, &["--max-labs", "10"])
}

/// A replica with these `berth serve` flags.
fn replica_with(db: &TestDb, site: &Path, flags: &[&str]) -> ServeProcess {
    let content = workspace().join("server/tests/fixtures/lab-course");
    let sweep = format!("{}s", SWEEP.as_secs());
    let flags: Vec<&str> = flags.iter().copied().chain(["--lab-sweep", &sweep]).collect();
    ServeProcess::start(&content, site, db, &flags, "info,sqlx=warn,berth_server::lab=debug")
}

/// The sweep rounds a replica did, by number.
fn rounds(replica: &ServeProcess) -> Vec<i64> {
    replica
        .log()
        .iter()
        .filter(|l| l.contains("lab sweep round"))
        .filter_map(|l| l.split("round=").nth(1)?.split_whitespace().next()?.parse().ok())
        .collect()
}

/// Signs `email` up through `app` with `role`; the tab and its cookie.
async fn account(app: &Http, db: &TestDb, email: &str, role: &str) -> (reqwest::Client, String) {
    let (tab, cookie) = session_cookie(app, email).await;
    if role != "learner" {
        let store = Store::open(&db.url).await.unwrap();
        let address = Email::parse(email).unwrap();
        assert!(store.set_role(&address, role.parse().unwrap()).await.unwrap());
        store.close().await;
    }
    (tab, cookie)
}

#[tokio::test]
async fn login_throttling_and_the_sweep_count_across_replicas() {
    let db = TestDb::postgres().await;
    let site = minimal_site();
    let began = Instant::now();
    let mut a = replica(&db, site.path());
    let b = replica(&db, site.path());
    let (a_http, b_http) = (a.http(), b.http());

    // Four wrong passwords, two through each replica: three are free per
    // account, so only counted together do they cost a wait.
    let tab = a_http.browser();
    a_http.sign_up(&tab, "eve@example.org").await;
    let guess = b_http.browser();
    for app in [&a_http, &b_http, &a_http, &b_http] {
        let res = app.log_in(&guess, "eve@example.org", "wrong guess 123 x").await;
        assert_eq!(location(&res), "/login?error=credentials", "{}", app.base);
    }
    for app in [&a_http, &b_http] {
        let res = app.log_in(&guess, "eve@example.org", PASSWORD).await;
        let to = location(&res);
        assert!(to.starts_with("/login?error=throttled&wait="), "{}: {to}", app.base);
    }

    // Both replicas try to sweep every second; each round runs once.
    tokio::time::sleep(5 * SWEEP).await;
    let (by_a, by_b) = (rounds(&a), rounds(&b));
    let elapsed = began.elapsed();
    let mut all: Vec<i64> = by_a.iter().chain(&by_b).copied().collect();
    all.sort();
    let total = all.len();
    all.dedup();
    assert_eq!(all.len(), total, "no round twice: {by_a:?} {by_b:?}");
    let most = (elapsed.as_secs_f64() / SWEEP.as_secs_f64()).ceil() as usize + 1;
    assert!(
        (3..=most).contains(&total),
        "one sweep a second over {elapsed:?}, not one per replica: {by_a:?} {by_b:?}"
    );

    // Replica A dies; B takes the rounds over.
    a.kill();
    let before = rounds(&b).len();
    tokio::time::sleep(3 * SWEEP).await;
    assert!(rounds(&b).len() >= before + 2, "B sweeps alone now: {:?}", rounds(&b));
}

/// Types into a terminal and reads until `until` shows up.
async fn type_until(ws: &mut Socket, typed: &str, until: &str) -> String {
    ws.send(Message::Binary(typed.to_string().into())).await.unwrap();
    read_until(ws, until).await
}

/// A terminal at a small size, so what was typed scrolls into the scrollback.
async fn small_terminal(app: &Http, cookie: &str, path: &str) -> Socket {
    let mut ws = terminal(app, cookie, path, &app.base).await.unwrap();
    ws.send(Message::Text(r#"{"type":"resize","cols":80,"rows":5}"#.into()))
        .await
        .unwrap();
    ws
}

/// A classroom whose instructor (Ivy) signed up through one replica and
/// whose learner (Ada) joined through the other.
struct Class {
    id: i64,
    ivy: reqwest::Client,
    ivy_cookie: String,
    ada: reqwest::Client,
    ada_cookie: String,
    ada_id: i64,
}

/// Ada on `learner`'s replica, Ivy on `instructor`'s.
async fn class(learner: &Http, instructor: &Http, db: &TestDb) -> Class {
    let (ivy, ivy_cookie) = account(instructor, db, "ivy@example.org", "instructor").await;
    let res = instructor
        .post_form(&ivy, "/classrooms", &[("name", "Two replicas")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id: i64 = location(&res).strip_prefix("/classrooms/").unwrap().parse().unwrap();
    let room = format!("/api/classroom?id={id}");
    let room: Value = serde_json::from_str(&instructor.text_as(&ivy, &room).await).unwrap();
    let code = room["join_code"].as_str().unwrap();
    let (ada, ada_cookie) = account(learner, db, "ada@example.org", "learner").await;
    learner.post_form(&ada, &format!("/join/{code}"), &[]).await;
    let room: Value =
        serde_json::from_str(&instructor.text_as(&ivy, &format!("/api/classroom?id={id}")).await).unwrap();
    let ada_id = entry(&room["learners"], "email", "ada@example.org")["id"]
        .as_i64()
        .unwrap();
    Class {
        id,
        ivy,
        ivy_cookie,
        ada,
        ada_cookie,
        ada_id,
    }
}

/// Ada's lab started and typed into through `a`, and Ivy watching it
/// through `b`: she sees what Ada typed before and after she came, and
/// Ada's page names her. Ada's terminal, its path, and Ivy's.
async fn watched_across(a: &Http, b: &Http, class: &Class) -> (Socket, String, Socket) {
    act(a, &class.ada, "basics", LabAction::Start).await.unwrap();
    let path = terminal_path(&view(b, &class.ada, "basics", "first-steps").await);
    let mut learner = small_terminal(a, &class.ada_cookie, &path).await;
    type_until(&mut learner, "echo before-$((20+1))\r", "before-21").await;
    let watch = format!("/classrooms/{}/learners/{}/terminal", class.id, class.ada_id);
    let mut watcher = small_terminal(b, &class.ivy_cookie, &watch).await;
    read_until(&mut watcher, "before-21").await;
    assert_eq!(watchers(&mut learner).await, ["ivy@example.org"]);
    type_until(&mut learner, "echo shadow-$((6*7))\r", "shadow-42").await;
    read_until(&mut watcher, "shadow-42").await;
    (learner, path, watcher)
}

#[tokio::test]
async fn a_class_runs_on_two_replicas_and_outlives_one() {
    let db = TestDb::postgres().await;
    let site = minimal_site();
    let mut a = replica(&db, site.path());
    let b = replica(&db, site.path());
    let (a_http, b_http) = (a.http(), b.http());

    // The instructor works on B, the learner on A.
    let class = class(&a_http, &b_http, &db).await;
    let (id, ivy, ada, ada_cookie) = (class.id, &class.ivy, &class.ada, &class.ada_cookie);

    let mut grid = ivy
        .get(format!("{}/classrooms/{id}/events", b_http.base))
        .send()
        .await
        .unwrap();
    assert_eq!(grid.status(), StatusCode::OK);
    let mut buffer = String::new();
    assert_eq!(next_event(&mut grid, &mut buffer, "ready").await, "live");

    // Ada types on A; Ivy watches through B.
    let (mut learner, path, mut watcher) = watched_across(&a_http, &b_http, &class).await;

    // A check passed through A reaches the grid B serves within a second.
    type_until(
        &mut learner,
        "echo hello > ~/greeting.txt; echo written-$((1+1))\r",
        "written-2",
    )
    .await;
    assert_eq!(check(&a_http, ada, "greeting", false).await.map(|r| r.passed), Ok(true));
    let passed = Instant::now();
    loop {
        let row = next_event(&mut grid, &mut buffer, "learner").await;
        let cells = row["cells"].as_array().unwrap();
        let greeting = cells.iter().find(|c| c["item"]["id"] == "greeting").unwrap();
        if greeting["state"] == "passed" {
            break;
        }
    }
    let latency = passed.elapsed();
    assert!(latency < Duration::from_secs(1), "the grid on B took {latency:?}");

    // A dies with Ada's terminal open. Her page reconnects through B to
    // the same shell, what she typed before in its scrollback.
    a.kill();
    drop(learner);
    let mut learner = small_terminal(&b_http, ada_cookie, &path).await;
    let seen = type_until(&mut learner, "echo again-$((3+4))\r", "again-7").await;
    assert!(seen.contains("before-21"), "the scrollback came along: {seen:?}");
    // Ivy's watch on B carries on.
    read_until(&mut watcher, "again-7").await;

    act(&b_http, ada, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn lab_capacity_and_start_limits_hold_across_replicas() {
    let db = TestDb::postgres().await;
    let site = minimal_site();
    let flags = ["--max-labs", "1", "--lab-starts-per-minute", "1"];
    let a = replica_with(&db, site.path(), &flags);
    let b = replica_with(&db, site.path(), &flags);
    let (a_http, b_http) = (a.http(), b.http());
    let (ada, _) = session_cookie(&a_http, "ada@example.org").await;
    let (bo, _) = session_cookie(&b_http, "bo@example.org").await;

    // One place left, two learners asking two replicas at once: one gets it.
    let (for_ada, for_bo) = tokio::join!(
        act(&a_http, &ada, "basics", LabAction::Start),
        act(&b_http, &bo, "basics", LabAction::Start),
    );
    let (winner, winner_tab, refused) = match (for_ada, for_bo) {
        (Ok(()), Err(refused)) => (&a_http, &ada, refused),
        (Err(refused), Ok(())) => (&b_http, &bo, refused),
        other => panic!("exactly one start should pass: {other:?}"),
    };
    assert!(
        matches!(&refused, AppError::Unavailable(m) if m.contains("All 1 labs")),
        "{refused:?}"
    );

    // The winner's one start this minute counts on the other replica too.
    act(winner, winner_tab, "basics", LabAction::Stop).await.unwrap();
    let other = if winner.base == a_http.base { &b_http } else { &a_http };
    let again = act(other, winner_tab, "basics", LabAction::Start).await;
    assert!(matches!(again, Err(AppError::TooSoon { .. })), "{again:?}");
}

/// A replica killed while it starts a lab: the other replica's sweep ends
/// the half-made lab as soon as the dead one has missed its heartbeats
/// (seconds here, not the 5-minute start timeout), removes what was
/// created, and the learner starts again through it. The kill lands at
/// several moments of the start; at least one must catch the lab half
/// made, or the test proves nothing.
#[tokio::test]
async fn a_replica_killed_during_a_lab_start_leaves_nothing_half_made() {
    use berth_app::model::{EndReason, LabStatus};
    use common::lab_containers;

    let db = TestDb::postgres().await;
    let site = minimal_site();
    let b = replica(&db, site.path());
    let b_http = b.http();
    let store = Store::open(&db.url).await.unwrap();
    let mut caught = 0;
    for (round, delay_ms) in [150u64, 300, 500, 800, 1200].into_iter().enumerate() {
        let mut a = replica(&db, site.path());
        let a_http = a.http();
        let (tab, _) = session_cookie(&a_http, &format!("kim{round}@example.org")).await;
        let start = act(&a_http, &tab, "basics", LabAction::Start);
        let _ = tokio::time::timeout(Duration::from_millis(delay_ms), start).await;
        a.kill();
        // A statement A sent just before it died may still commit; B
        // takes A for dead only after three missed heartbeats (3 s here).
        tokio::time::sleep(Duration::from_millis(500)).await;
        let half_made: Vec<_> = store
            .live_labs()
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.status == LabStatus::Starting || l.preparing)
            .collect();
        caught += usize::from(!half_made.is_empty());

        // B's sweeps settle it: every live lab running and set up, one
        // container each, and a half-made lab ended as interrupted.
        let started = Instant::now();
        loop {
            let live = store.live_labs().await.unwrap();
            let settled =
                live.iter().all(|l| l.is_running() && !l.preparing) && lab_containers(&db).await.len() == live.len();
            if settled {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{delay_ms} ms into a start: still half made or orphaned after 30 s: {live:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        for lab in &half_made {
            assert!(store.lab(&lab.id).await.unwrap().is_none(), "ended");
            assert_eq!(
                store.last_lab_end(lab.user, &lab.module).await.unwrap(),
                Some(EndReason::Interrupted)
            );
        }
        if !half_made.is_empty() {
            // Its learner starts again, through the replica that lives.
            act(&b_http, &tab, "basics", LabAction::Start).await.unwrap();
            act(&b_http, &tab, "basics", LabAction::Stop).await.unwrap();
        }
        // Leave nothing running for the next round.
        for lab in store.live_labs().await.unwrap() {
            store.end_lab(&lab.id, EndReason::Stopped).await.unwrap();
        }
        let started = Instant::now();
        while !lab_containers(&db).await.is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "B's sweep removes stopped labs"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    assert!(caught > 0, "no kill landed in the middle of a start");
    store.close().await;
}

/// Under gVisor each terminal is a shell of its own, not kept in the lab,
/// so a watcher cannot join it there: the replica holding the learner's
/// terminal relays its output through PostgreSQL to a watcher on the
/// other replica, the recent output first, then what comes.
#[tokio::test]
async fn a_watcher_on_another_replica_follows_a_terminal_that_is_not_kept() {
    let db = TestDb::postgres().await;
    let site = minimal_site();
    let flags = ["--max-labs", "10", "--lab-runtime", "runsc"];
    let a = replica_with(&db, site.path(), &flags);
    let b = replica_with(&db, site.path(), &flags);
    let (a_http, b_http) = (a.http(), b.http());
    let class = class(&a_http, &b_http, &db).await;
    watched_across(&a_http, &b_http, &class).await;
    act(&a_http, &class.ada, "basics", LabAction::Stop).await.unwrap();
}
