//! The warm pool on the real Docker engine: labs made ahead of any click,
//! claimed by a start, personalised, replaced, given back when a learner
//! needs the room, and never handed over dead.

mod common;

use berth_app::lab::LabAction;
use berth_app::model::{LabId, LabStatus, Millis};
use berth_server::store::{PoolLabRow, Store};
use common::{TestApp, act, as_learner, container_name, copy_course, docker, lab_of, view, view_set_up, workspace};
use futures_util::SinkExt;
use std::process::Command;
use std::time::Duration;
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::Message;

const LESSON: &str = "first-steps";

/// The lab fixture with one more exercise whose setup is shared (it runs
/// when a lab is made, so a warm lab has it done before anyone clicks) and
/// which has a warm-up script (only in labs made for the pool).
fn course_with_a_shared_setup() -> TempDir {
    let course = copy_course(&workspace().join("server/tests/fixtures/lab-course"));
    let module = course.path().join("modules/01-basics");
    let dir = module.join("exercises/warmed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("exercise.toml"),
        "title = \"Find the warm file\"\nshared_setup = true\n",
    )
    .unwrap();
    std::fs::write(dir.join("setup.sh"), "date +%s%N > ~/.warmed\n").unwrap();
    std::fs::write(dir.join("warm.sh"), "touch ~/.warm-only\n").unwrap();
    std::fs::write(
        dir.join("check.sh"),
        "test -e \"$LAB_HOME/found\" && echo \"PASS: found\" || { echo \"FAIL: found\"; exit 1; }\n",
    )
    .unwrap();
    std::fs::write(dir.join("solve.sh"), "touch ~/found\n").unwrap();
    let lesson = module.join("01-first-steps.md");
    let text = std::fs::read_to_string(&lesson).unwrap().replace(
        "exercises = [\"greeting\", \"live-file\"]",
        "exercises = [\"greeting\", \"live-file\", \"warmed\"]",
    );
    std::fs::write(lesson, text).unwrap();
    course
}

async fn warm_app(course: &TempDir, flags: &[(&str, &str)]) -> TestApp {
    let mut app = TestApp::builder().content(course.path().to_path_buf());
    for (flag, value) in flags {
        app = app.flag(flag, value);
    }
    app.spawn().await
}

/// Warm labs outlive their server by design (a restart keeps the pool),
/// so each test removes every lab and network its server made, passed or
/// not, when this guard drops.
struct RemoveLabsOf {
    instance: String,
}

impl RemoveLabsOf {
    async fn new(store: &Store) -> Self {
        let instance = store.instance_value("instance_id").await.unwrap();
        Self {
            instance: instance.expect("the server has an instance id"),
        }
    }

    /// The ids `docker KIND ls` lists for this instance's label.
    fn listed(&self, kind: &str) -> Vec<String> {
        let filter = format!("label=org.berth.instance={}", self.instance);
        let out = Command::new("docker")
            .args([kind, "ls", "--all", "--quiet", "--filter", &filter])
            .args(if kind == "network" {
                &[][..]
            } else {
                &["--no-trunc"][..]
            })
            .output()
            .expect("docker runs");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for RemoveLabsOf {
    fn drop(&mut self) {
        for container in self.listed("container") {
            let _ = Command::new("docker")
                .args(["rm", "--force", "--volumes", &container])
                .output();
        }
        for network in self.listed("network") {
            let _ = Command::new("docker")
                .args(["network", "disconnect", "--force", &network, "berth-mirror"])
                .output();
            let _ = Command::new("docker").args(["network", "rm", &network]).output();
        }
    }
}

/// The waiting labs once `want` of them are ready (60 s at most).
async fn ready_pool(store: &Store, want: usize) -> Vec<PoolLabRow> {
    for _ in 0..240 {
        let pool = store.pool_labs().await.unwrap();
        if pool.iter().filter(|l| l.is_ready()).count() >= want {
            return pool;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the warm pool never held {want} ready lab(s)");
}

async fn container_id(lab: &LabId) -> Option<String> {
    let inspect = docker().inspect_container(&container_name(lab, 1), None).await.ok()?;
    inspect.state?.running?.then_some(inspect.id?)
}

#[tokio::test]
async fn a_start_claims_a_warm_lab_personalises_it_and_the_pool_refills() {
    let course = course_with_a_shared_setup();
    let app = warm_app(&course, &[("--warm", "basics=1"), ("--max-labs", "2")]).await;
    let store = Store::open(&app.db.url).await.unwrap();
    let _cleanup = RemoveLabsOf::new(&store).await;
    let pool = ready_pool(&store, 1).await;
    assert_eq!(pool.len(), 1);
    let warm = pool[0].clone();
    assert_eq!(warm.module.as_str(), "basics");
    // Made ahead: the shared setup ran, the learner's own has not.
    assert_eq!(
        as_learner(&app, &warm.id, "test -s ~/.warmed && test -e ~/.warm-only")
            .await
            .0,
        Some(0)
    );
    assert_eq!(as_learner(&app, &warm.id, "test -e ~/README").await.0, Some(1));
    // The learner's shell is open already, its prompt drawn.
    let (code, shell) = as_learner(&app, &warm.id, "tmux -L berth display -p -t =shell: '#{pane_pid}'").await;
    assert_eq!(code, Some(0), "the warm lab's shell is open: {shell}");
    let shell = shell.trim().to_string();
    let labels = docker()
        .inspect_container(&container_name(&warm.id, 1), None)
        .await
        .unwrap()
        .config
        .unwrap()
        .labels
        .unwrap();
    assert_eq!(labels["org.berth.owner"], "", "nobody owns a warm lab yet");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let clicked = Millis::now();
    let (ada, cookie) = common::session_cookie(&app, "ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let v = view(&app, &ada, "basics", LESSON).await;
    assert_eq!(lab_of(&v), warm.id, "the start claimed the warm lab");
    // Her first terminal joins the shell opened ahead.
    let mut ws = common::terminal(&app, &cookie, &common::terminal_path(&v), &app.base)
        .await
        .unwrap();
    ws.send(Message::Text(r#"{"type":"resize","cols":100,"rows":30}"#.into()))
        .await
        .unwrap();
    ws.send(Message::Binary("echo shell-$$\r".into())).await.unwrap();
    common::read_until(&mut ws, &format!("shell-{shell}")).await;
    ws.close(None).await.unwrap();
    let row = store.lab(&warm.id).await.unwrap().expect("the claimed lab is live");
    assert_eq!(row.status, LabStatus::Running);
    assert!(
        row.started_at >= clicked && row.last_active >= clicked,
        "the clocks start at the claim, not when the lab was made"
    );
    let expires_in = v.lab.as_ref().unwrap().expires_in;
    assert!(
        expires_in > 2 * 3600 - 30,
        "a whole lifetime from the claim: {expires_in}"
    );
    // Personalised at the claim: the learner's setup ran, the shared
    // one was not run again.
    let (code, readme) = as_learner(&app, &warm.id, "cat ~/README").await;
    assert_eq!((code, readme.trim()), (Some(0), "Welcome to the lab."));
    let (_, warmed_before) = as_learner(&app, &warm.id, "cat ~/.warmed").await;
    assert!(!warmed_before.trim().is_empty());
    // The lab's checks are the learner's.
    let report = common::check(&app, &ada, "warmed", false).await.unwrap();
    assert!(!report.passed);
    // Replaced in the background.
    let refilled = ready_pool(&store, 1).await;
    assert_eq!(refilled.len(), 1);
    assert_ne!(refilled[0].id, warm.id);

    // Capacity: Ada's lab and the warm one fill both places. Bo asks for
    // a module with no warm lab: the warm one is given back for him.
    let bo = app.signed_up("bo@example.org").await;
    act(&app, &bo, "other", LabAction::Start).await.unwrap();
    let given_back = &refilled[0].id;
    assert!(container_id(given_back).await.is_none(), "the warm lab was given back");
    assert!(store.pool_labs().await.unwrap().iter().all(|l| &l.id != given_back));
    // Full now: nothing is warmed beyond --max-labs.
    assert_eq!(app.labs.refill().await.unwrap(), 0);
    assert!(store.pool_labs().await.unwrap().is_empty());
    let cy = app.signed_up("cy@example.org").await;
    let err = act(&app, &cy, "basics", LabAction::Start).await.unwrap_err();
    assert!(
        err.to_string().contains("All 2 labs on this server are in use"),
        "{err}"
    );

    // Stopping frees a place, and the pool takes it again.
    act(&app, &bo, "other", LabAction::Stop).await.unwrap();
    app.labs.refill().await.unwrap();
    assert_eq!(ready_pool(&store, 1).await.len(), 1);
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// A warm lab that died while it waited is not handed over: the learner
/// gets a lab made afresh; and a restart keeps the waiting labs that are
/// still there while the sweep ends those that are gone.
#[tokio::test]
async fn a_dead_warm_lab_is_never_handed_over_and_the_sweep_reconciles_the_pool() {
    let course = course_with_a_shared_setup();
    let app = warm_app(&course, &[("--warm", "basics=1")]).await;
    let store = Store::open(&app.db.url).await.unwrap();
    let _cleanup = RemoveLabsOf::new(&store).await;
    let warm = ready_pool(&store, 1).await.remove(0);
    let killed = container_id(&warm.id).await.expect("the warm lab runs");

    // After a restart, a waiting lab still there is kept.
    assert_eq!(app.labs.sweep(true).await.unwrap(), 0);
    assert_eq!(store.pool_labs().await.unwrap().len(), 1);

    // It dies while it waits (the sweep has not seen it yet).
    docker()
        .kill_container(&container_name(&warm.id, 1), None)
        .await
        .unwrap();
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view_set_up(&app, &ada, "basics", LESSON).await);
    let now = container_id(&lab).await.expect("the learner's lab runs");
    assert_ne!(now, killed, "the dead container was not handed over");
    let (code, out) = as_learner(&app, &lab, "cat ~/README; test -s ~/.warmed").await;
    assert_eq!(code, Some(0), "made afresh with every setup: {out}");
    assert_eq!(
        as_learner(&app, &lab, "test -e ~/.warm-only").await.0,
        Some(1),
        "warm.sh runs only ahead of a click"
    );

    // A waiting lab whose container vanished is ended by the sweep and
    // replaced.
    let next = ready_pool(&store, 1).await.remove(0);
    assert_ne!(next.id, warm.id);
    let removed = std::process::Command::new("docker")
        .args(["rm", "--force", &container_name(&next.id, 1)])
        .output()
        .unwrap();
    assert!(removed.status.success());
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert!(store.pool_labs().await.unwrap().iter().all(|l| l.id != next.id));
    app.labs.refill().await.unwrap();
    assert_ne!(ready_pool(&store, 1).await[0].id, next.id);
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// An instructor warms labs for a class about to start: the module's pool
/// grows to what they asked for, the classroom page says so, and a request
/// for a module without a lab or with no time is refused.
#[tokio::test]
async fn an_instructor_warms_labs_for_a_class_from_the_classroom_page() {
    use berth_server::auth::Email;
    let course = course_with_a_shared_setup();
    let app = warm_app(&course, &[("--max-labs", "4"), ("--timezone", "Europe/Berlin")]).await;
    let store = Store::open(&app.db.url).await.unwrap();
    let _cleanup = RemoveLabsOf::new(&store).await;
    let (ivy, _) = common::session_cookie(&app, "ivy@example.org").await;
    assert!(
        store
            .set_role(&Email::parse("ivy@example.org").unwrap(), "instructor".parse().unwrap())
            .await
            .unwrap()
    );
    let res = app.post_form(&ivy, "/classrooms", &[("name", "Tuesday class")]).await;
    let room = common::location(&res);
    assert!(room.starts_with("/classrooms/"), "{room}");
    assert!(store.pool_labs().await.unwrap().is_empty(), "nothing warm by default");

    let refused = app
        .post_form(
            &ivy,
            &format!("{room}/warm"),
            &[("module", "nope"), ("labs", "2"), ("until", "10:00")],
        )
        .await;
    assert!(
        common::location(&refused).contains("error=warmup"),
        "{}",
        common::location(&refused)
    );
    let refused = app
        .post_form(
            &ivy,
            &format!("{room}/warm"),
            &[("module", "basics"), ("labs", "2"), ("until", "soon")],
        )
        .await;
    assert!(common::location(&refused).contains("error=warmup"));
    // A learner may not.
    let ada = app.signed_up("ada@example.org").await;
    let res = app
        .post_form(
            &ada,
            &format!("{room}/warm"),
            &[("module", "basics"), ("labs", "2"), ("until", "10:00")],
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::FORBIDDEN);

    // "Until" an hour from now in the school's zone, as the page's time
    // field sends it; the form says which zone it reads.
    let page = app.text_as(&ivy, &room).await;
    assert!(page.contains("Until (Europe/Berlin)"), "{page}");
    let in_an_hour = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap()
        .in_tz("Europe/Berlin")
        .unwrap();
    let until = in_an_hour.strftime("%H:%M").to_string();
    let res = app
        .post_form(
            &ivy,
            &format!("{room}/warm"),
            &[("module", "basics"), ("labs", "2"), ("until", &until)],
        )
        .await;
    assert_eq!(common::location(&res), room);
    let pool = ready_pool(&store, 2).await;
    assert_eq!(pool.len(), 2);
    assert!(pool.iter().all(|l| l.module.as_str() == "basics"));
    let page = app.text_as(&ivy, &room).await;
    assert!(page.contains("2 labs of “Basics” until"), "the page lists the warm-up");
    let zone = in_an_hour.strftime("%Z").to_string();
    assert!(page.contains(&format!("{until} {zone}")), "{page}");
    // Read in Berlin, not UTC: the warm-up ends within the hour to come.
    let ends = store.active_warmups(None).await.unwrap()[0].until;
    let left = ends.get() - berth_app::model::Millis::now().get();
    assert!((55 * 60_000..=60 * 60_000).contains(&left), "ends in {left} ms");
    assert!(page.contains("warmed labs"), "the audit log records it");
    // The learners' starts take them.
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "basics", LESSON).await);
    assert!(pool.iter().any(|l| l.id == lab), "the start claimed a warm lab");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}
