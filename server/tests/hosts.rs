//! Labs over several Docker hosts, with real engines: two extra `dockerd`
//! processes, each in a network namespace of its own with its own data
//! root, exec root and socket (so they cannot disturb the machine's engine),
//! stand in for two lab hosts. Two `berth serve` replicas on one
//! PostgreSQL place labs on them through `berth hosts`.

mod common;

use berth_app::error::AppError;
use berth_app::lab::{LabAction, LabEnd};
use berth_app::model::LabId;
use common::{
    TestApp, TestDb, act, as_learner, check, container_name, docker, lab_of, read_until, session_cookie, terminal,
    terminal_path, view, view_set_up,
};
use futures_util::SinkExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const LESSON: &str = "first-steps";
/// The only image the fixture's labs need.
const IMAGE: &str = "berth/lab-shell:latest";

/// A Docker engine of the test's own: started, loaded with the shell lab
/// image, and removed with everything in it when dropped.
struct Engine {
    dir: tempfile::TempDir,
    /// Its own address pool, apart from the machine engine's.
    pool: u8,
    daemon: Option<Child>,
}

impl Engine {
    /// An engine holding no image.
    async fn empty(pool: u8) -> Engine {
        let dir = tempfile::Builder::new().prefix("berth-host-").tempdir().unwrap();
        std::fs::write(dir.path().join("daemon.json"), "{}").unwrap();
        let mut engine = Engine {
            dir,
            pool,
            daemon: None,
        };
        engine.run().await;
        engine
    }

    async fn start(pool: u8) -> Engine {
        let engine = Engine::empty(pool).await;
        let load = format!("docker save {IMAGE} | docker -H {} load -q", engine.url());
        let loaded = tokio::process::Command::new("sh")
            .args(["-c", &load])
            .output()
            .await
            .unwrap();
        assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
        engine
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn url(&self) -> String {
        format!("unix://{}", self.path("docker.sock").display())
    }

    fn client(&self) -> bollard::Docker {
        bollard::Docker::connect_with_unix(&self.url(), 30, bollard::API_DEFAULT_VERSION).unwrap()
    }

    /// Starts the daemon on this engine's folders, in a network namespace
    /// of its own, and waits until it answers. In the machine's namespace a
    /// second dockerd deletes `docker0` (with `--bridge none`, or when it
    /// restarts on its data root and clears its stale default network),
    /// cutting the machine's engine off from its default network. Berth
    /// reaches the engine and its labs through the socket alone.
    async fn run(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("dockerd.log"))
            .unwrap();
        let path = |name: &str| self.path(name).display().to_string();
        let daemon = Command::new("unshare")
            .args(["--net", "--", "dockerd"])
            .args(["--config-file", &path("daemon.json")])
            .args(["--data-root", &path("data"), "--exec-root", &path("exec")])
            .args(["--pidfile", &path("docker.pid"), "-H", &self.url()])
            .args([
                "--bridge",
                "none",
                "--iptables=false",
                "--ip-masq=false",
                "--shutdown-timeout",
                "2",
            ])
            .args([
                "--default-address-pool",
                &format!("base=10.{}.0.0/16,size=24", self.pool),
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("dockerd runs");
        self.daemon = Some(daemon);
        let started = Instant::now();
        while !self.answers().await {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the engine in {} did not answer",
                self.dir.path().display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn answers(&self) -> bool {
        match bollard::Docker::connect_with_unix(&self.url(), 30, bollard::API_DEFAULT_VERSION) {
            Ok(docker) => docker.ping().await.is_ok(),
            Err(_) => false,
        }
    }

    /// Stops the daemon as a machine going down would (its containers stop
    /// with it), and waits for it to end.
    fn stop(&mut self) {
        let Some(mut daemon) = self.daemon.take() else { return };
        let _ = Command::new("kill").args(["-TERM", &daemon.id().to_string()]).status();
        let started = Instant::now();
        while daemon.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                let _ = daemon.kill();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The names of every container the engine holds.
    async fn containers(&self) -> Vec<String> {
        let options = bollard::query_parameters::ListContainersOptionsBuilder::new()
            .all(true)
            .build();
        let list = self.client().list_containers(Some(options)).await.unwrap();
        list.into_iter()
            .flat_map(|c| c.names.unwrap_or_default())
            .map(|n| n.trim_start_matches('/').to_string())
            .collect()
    }

    async fn holds(&self, lab: &LabId) -> bool {
        self.containers().await.contains(&container_name(lab, 1))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.daemon.is_some() {
            let _ = Command::new("sh")
                .args([
                    "-c",
                    &format!("docker -H {0} rm -f $(docker -H {0} ps -aq)", self.url()),
                ])
                .output();
        }
        self.stop();
    }
}

/// `berth hosts ...` against the replicas' database: its standard output,
/// or its error.
fn hosts(db: &TestDb, args: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("hosts")
        .args(args)
        .args(["--database-url", &db.url])
        .output()
        .unwrap();
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// What `berth doctor` reports for the replicas' install.
fn doctor(db: &TestDb) -> String {
    let fixture = common::workspace().join("server/tests/fixtures/lab-course");
    let playground = common::workspace().join("playground");
    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("doctor")
        .args(["--database-url", &db.url])
        .arg("--content")
        .arg(&fixture)
        .arg("--playground")
        .arg(&playground)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The line `berth hosts list` prints for a host.
fn listed(db: &TestDb, name: &str) -> String {
    let list = hosts(db, &["list"]).unwrap();
    list.lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} is not listed: {list}"))
        .to_string()
}

/// Whether the machine's own engine holds the lab.
async fn on_machine_engine(lab: &LabId) -> bool {
    docker().inspect_container(&container_name(lab, 1), None).await.is_ok()
}

/// Through a terminal on `app`: resizes it, writes the greeting the
/// fixture's check looks for, and reads back the size the shell sees.
async fn greet_through_terminal(app: &TestApp, cookie: &str, lab: &berth_app::lab::LabView) {
    let mut ws = terminal(app, cookie, &terminal_path(lab), &app.base).await.unwrap();
    let resize = r#"{"type":"resize","cols":101,"rows":33}"#;
    ws.send(Message::Text(resize.into())).await.unwrap();
    let typed = "echo hello > ~/greeting.txt; echo SIZE-$(stty size | tr ' ' x)\r";
    ws.send(Message::Binary(typed.into())).await.unwrap();
    read_until(&mut ws, "SIZE-33x101").await;
    ws.close(None).await.unwrap();
}

fn refused_for_room(result: &Result<(), AppError>) -> bool {
    matches!(result, Err(AppError::Unavailable(m)) if m.contains("Every lab host is full"))
}

#[tokio::test]
async fn labs_are_placed_on_hosts_that_take_them_and_reach_their_learners_there() {
    let (h2, mut h3) = tokio::join!(Engine::start(231), Engine::start(232));
    let db = TestDb::postgres().await;
    const LOST_AFTER: Duration = Duration::from_secs(2);
    let spawn = |db: TestDb| {
        TestApp::builder()
            .fixture("lab-course")
            .db(db)
            .flag("--host-lost-after", "2s")
            .spawn()
    };
    let a = spawn(db.same()).await;
    let b = spawn(db.same()).await;

    // A host that does not answer is not listed; one that does is.
    let err = hosts(&db, &["add", "h9", "unix:///nowhere/docker.sock"]).unwrap_err();
    assert!(err.contains("does not answer"), "{err}");
    let err = hosts(&db, &["add", "h9", "tcp://10.0.0.9:2376"]).unwrap_err();
    assert!(err.contains("--tls-dir"), "{err}");
    let added = hosts(&db, &["add", "h2", &h2.url(), "--labs", "2"]).unwrap();
    assert!(added.contains("Docker"), "{added}");

    // A learner on replica A gets a lab on host 2; its terminal through
    // replica B and its check through A reach it there.
    let (ada, ada_cookie) = session_cookie(&a, "ada@example.org").await;
    act(&a, &ada, "basics", LabAction::Start).await.unwrap();
    let ada_view = view_set_up(&a, &ada, "basics", LESSON).await;
    let ada_lab = lab_of(&ada_view);
    assert!(h2.holds(&ada_lab).await, "the lab runs on host 2");
    assert!(!on_machine_engine(&ada_lab).await, "and not on the machine's engine");
    greet_through_terminal(&b, &ada_cookie, &ada_view).await;
    assert!(check(&a, &ada, "greeting", false).await.unwrap().passed);

    // Host 2 drained: the next lab goes to host 3; host 2's runs on.
    hosts(&db, &["add", "h3", &h3.url(), "--labs", "1"]).unwrap();
    assert!(hosts(&db, &["drain", "h2"]).unwrap().contains("draining"));
    let (bo, _) = session_cookie(&b, "bo@example.org").await;
    act(&b, &bo, "basics", LabAction::Start).await.unwrap();
    let bo_lab = lab_of(&view(&b, &bo, "basics", LESSON).await);
    assert!(h3.holds(&bo_lab).await, "the lab runs on host 3");
    assert!(!h2.holds(&bo_lab).await);
    assert!(check(&b, &ada, "greeting", false).await.unwrap().passed);

    // Host 2 draining, host 3 full: no room, said plainly.
    let (cy, _) = session_cookie(&a, "cy@example.org").await;
    let (dee, _) = session_cookie(&b, "dee@example.org").await;
    assert!(refused_for_room(&act(&a, &cy, "basics", LabAction::Start).await));

    // Host 2 takes labs again, with one place: two learners asking two
    // replicas at once get one lab between them, on host 2 (the full host
    // 3 is skipped), and the other is told there is no room.
    hosts(&db, &["activate", "h2"]).unwrap();
    let (cy_start, dee_start) = tokio::join!(
        act(&a, &cy, "basics", LabAction::Start),
        act(&b, &dee, "basics", LabAction::Start)
    );
    let (winner, winner_app, loser) = match (cy_start, dee_start) {
        (Ok(()), dee_start) => {
            assert!(refused_for_room(&dee_start), "{dee_start:?}");
            (&cy, &a, &dee)
        }
        (cy_start, Ok(())) => {
            assert!(refused_for_room(&cy_start), "{cy_start:?}");
            (&dee, &b, &cy)
        }
        other => panic!("one of two starts gets the last place: {other:?}"),
    };
    let winner_lab = lab_of(&view(winner_app, winner, "basics", LESSON).await);
    assert!(h2.holds(&winner_lab).await, "the last place was host 2's");
    assert!(view(&a, loser, "basics", LESSON).await.lab.is_none());
    assert!(listed(&db, "h2").contains("active  labs 2/2"), "{}", listed(&db, "h2"));
    assert!(listed(&db, "h3").contains("labs 1/1"));
    let err = hosts(&db, &["remove", "h3"]).unwrap_err();
    assert!(err.contains("still runs 1 lab"), "{err}");

    // Host 3's engine stops. A sweep finding it silent ends nothing yet
    // (one missed answer is not a lost host); silent past
    // --host-lost-after, the sweep marks it lost and ends its lab, and its
    // learner can start again once there is room elsewhere.
    h3.stop();
    a.labs.sweep(false).await.unwrap();
    assert!(listed(&db, "h3").contains("active"), "{}", listed(&db, "h3"));
    let kept = view(&b, &bo, "basics", LESSON).await;
    assert_eq!(lab_of(&kept), bo_lab, "kept while it may come back");
    tokio::time::sleep(LOST_AFTER).await;
    a.labs.sweep(false).await.unwrap();
    assert!(listed(&db, "h3").contains("lost"), "{}", listed(&db, "h3"));
    let report = doctor(&db);
    assert!(
        report.contains("h2 active, labs 2/2, memory 512/16384 MiB: Docker"),
        "{report}"
    );
    assert!(
        report.contains("h3 lost, labs 0/1") && report.contains("does not answer"),
        "{report}"
    );
    let told = view(&b, &bo, "basics", LESSON).await;
    assert!(told.lab.is_none(), "the lost lab ended");
    assert_eq!(told.ended, Some(LabEnd::HostLost), "and its learner is told why");
    assert!(refused_for_room(&act(&b, &bo, "basics", LabAction::Start).await));
    act(&a, &ada, "basics", LabAction::Stop).await.unwrap();
    assert!(!h2.holds(&ada_lab).await, "a stopped lab is removed from its host");
    act(&b, &bo, "basics", LabAction::Start).await.unwrap();
    let bo_again = lab_of(&view(&b, &bo, "basics", LESSON).await);
    assert!(h2.holds(&bo_again).await, "the new lab runs on host 2");
    assert_eq!(view(&b, &bo, "basics", LESSON).await.ended, None);

    // Host 3 answers again: it takes labs again, and the lab it held when
    // it went down is removed, leaving nothing behind.
    h3.run().await;
    assert!(h3.holds(&bo_lab).await, "the engine kept the stopped container");
    b.labs.sweep(false).await.unwrap();
    assert!(listed(&db, "h3").contains("active  labs 0/1"), "{}", listed(&db, "h3"));
    assert_eq!(h3.containers().await, Vec::<String>::new(), "no orphan on host 3");

    // A replica keeping a warm lab makes it where there is room (host 3),
    // and a learner's start claims it there.
    let warm = TestApp::builder()
        .fixture("lab-course")
        .db(db.same())
        .flag("--warm", "1")
        .spawn()
        .await;
    let store = berth_server::store::Store::open(&db.url).await.unwrap();
    let started = Instant::now();
    // Ready, not only made: a lab still being warmed holds host 3's place
    // and cannot be claimed yet.
    while h3.containers().await.is_empty() || !store.pool_labs().await.unwrap().iter().any(|l| l.is_ready()) {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no warm lab ready on host 3"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    store.close().await;
    let (eve, _) = session_cookie(&warm, "eve@example.org").await;
    act(&warm, &eve, "basics", LabAction::Start).await.unwrap();
    let eve_lab = lab_of(&view_set_up(&warm, &eve, "basics", LESSON).await);
    assert!(h3.holds(&eve_lab).await, "the warm lab on host 3 was handed over");
    assert!(!check(&a, &eve, "greeting", false).await.unwrap().passed);
    let (code, _) = as_learner(&warm, &eve_lab, "echo hello > ~/greeting.txt").await;
    assert_eq!(code, Some(0));
    assert!(check(&a, &eve, "greeting", false).await.unwrap().passed);
    assert!(listed(&db, "h3").contains("labs 1/1"));
}

/// The tests that run `berth images build` take turns: each fills this
/// machine's mirror, and three runs at once once left one waiting on the
/// engine for good (bench/README.md).
static IMAGE_BUILDS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `berth images build` with `args`, against the test's database: its
/// standard output, or its error output.
fn images_build(db: &TestDb, playground: &std::path::Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["images", "build", "--missing", "--playground"])
        .arg(playground)
        .args(args)
        .args(["--database-url", &db.url])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.success() {
        true => Ok(stdout),
        false => Err(format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr))),
    }
}

/// A playground of the shell lab image and one course image (busybox), made
/// of links into the real one, so a build finds everything built already.
fn small_playground() -> tempfile::TempDir {
    let real = common::workspace().join("playground");
    let dir = tempfile::Builder::new().prefix("berth-playground-").tempdir().unwrap();
    let link = |from: &str| {
        let to = dir.path().join(from);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(real.join(from), to).unwrap();
    };
    link("shell");
    link("mirror/registry");
    link("mirror/images/busybox");
    dir
}

#[tokio::test]
async fn images_build_copies_images_and_course_images_to_a_lab_host() {
    let _turn = IMAGE_BUILDS.lock().await;
    let (h4, mut h5) = tokio::join!(Engine::empty(233), Engine::empty(234));
    let db = TestDb::sqlite();
    let playground = small_playground();
    let app = TestApp::builder().fixture("lab-course").db(db.same()).spawn().await;

    // A host without the lab's image takes no lab: the learner is told
    // plainly, and no lab is recorded.
    let added = hosts(&db, &["add", "h4", &h4.url()]).unwrap();
    assert!(added.contains("no lab image yet"), "{added}");
    let (ada, _) = session_cookie(&app, "ada@example.org").await;
    let refused = act(&app, &ada, "basics", LabAction::Start).await;
    assert!(
        matches!(&refused, Err(AppError::Unavailable(m)) if m.contains("No lab host has this lab's image")),
        "{refused:?}"
    );
    assert!(view(&app, &ada, "basics", LESSON).await.lab.is_none());

    // An unknown host is refused before anything is built.
    let err = images_build(&db, playground.path(), &["--host", "h4", "--host", "nope"]).unwrap_err();
    assert!(err.contains("no lab host named `nope`"), "{err}");

    // Copied from this machine's engine: the same image, under its name.
    let built = images_build(&db, playground.path(), &["--host", "h4"]).unwrap();
    eprintln!("{built}");
    assert!(built.contains("h4: berth/lab-shell copied"), "{built}");
    let here = docker().inspect_image(IMAGE).await.unwrap().id;
    let there = h4.client().inspect_image(IMAGE).await.unwrap().id;
    assert_eq!(here, there, "the host has the very image built here");

    // The host's own mirror serves the course image, read through the
    // registry API from a container on the mirror's network on that host.
    let mirror = h4.client().inspect_container("berth-mirror", None).await.unwrap();
    assert_eq!(
        mirror.state.and_then(|s| s.running),
        Some(true),
        "the host's mirror runs"
    );
    let address = mirror.network_settings.unwrap().networks.unwrap()["berth-mirror"]
        .ip_address
        .clone()
        .unwrap();
    let ask = format!(
        "exec 3<>/dev/tcp/{address}/5000 && printf 'GET /v2/library/busybox/tags/list HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3"
    );
    let asked = Command::new("docker")
        .args([
            "-H",
            &h4.url(),
            "run",
            "--rm",
            "--network",
            "berth-mirror",
            "--user",
            "root",
        ])
        .args(["--entrypoint", "bash", IMAGE, "-c", &ask])
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&asked.stdout);
    assert!(
        answer.contains(r#""name":"library/busybox""#) && answer.contains(r#""latest""#),
        "{answer}\n{}",
        String::from_utf8_lossy(&asked.stderr)
    );

    // Placement knows the host has the image now: the learner's lab runs there.
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "basics", LESSON).await);
    assert!(h4.holds(&lab).await, "the lab runs on h4");

    // Again for every host, one of which stopped answering: h4 already
    // has everything and is left as it is; h5 fails by name, and the
    // command says some host failed.
    hosts(&db, &["add", "h5", &h5.url()]).unwrap();
    h5.stop();
    let err = images_build(&db, playground.path(), &["--all-hosts"]).unwrap_err();
    eprintln!("{err}");
    assert!(err.contains("✓ h4: berth/lab-shell is there"), "{err}");
    assert!(err.contains("✓ h4: its mirror serves the"), "{err}");
    assert!(err.contains("lab host h5") && err.contains("does not answer"), "{err}");
}

/// The warm lab waiting, ready, on host `name`, if any.
async fn waits_ready_on(store: &berth_server::store::Store, name: &str) -> Option<LabId> {
    let pool = store.pool_labs().await.unwrap();
    pool.into_iter()
        .find(|l| l.is_ready() && l.host.as_ref().is_some_and(|h| h == name))
        .map(|l| l.id)
}

/// Polls `until` for up to 90 s, saying `what` if it never holds.
async fn eventually<T>(what: &str, mut until: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = until().await {
            return found;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "never: {what}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The warm pool across hosts: labs wait only on hosts that take labs (a
/// drained host's are given back and made again elsewhere), a start on
/// any replica claims one, and on full hosts a learner gets the place of
/// a waiting lab nobody has asked for.
#[tokio::test]
async fn the_warm_pool_keeps_to_open_hosts_and_gives_way_to_learners() {
    let (h5, h6) = tokio::join!(Engine::start(241), Engine::start(242));
    let db = TestDb::postgres().await;
    hosts(&db, &["add", "h5", &h5.url(), "--labs", "1"]).unwrap();
    hosts(&db, &["add", "h6", &h6.url(), "--labs", "1"]).unwrap();
    let warm = TestApp::builder()
        .fixture("lab-course")
        .db(db.same())
        .flag("--warm", "basics=1")
        .spawn()
        .await;
    let b = TestApp::builder().fixture("lab-course").db(db.same()).spawn().await;
    let store = berth_server::store::Store::open(&db.url).await.unwrap();

    // Both hosts empty: the warm lab is made on h5 (by name).
    let first = eventually("a warm lab ready on h5", async || waits_ready_on(&store, "h5").await).await;
    assert!(h5.holds(&first).await);

    // h5 drained: its waiting lab is handed to nobody; the sweep gives it
    // back and the refill makes one on h6.
    hosts(&db, &["drain", "h5"]).unwrap();
    warm.labs.sweep(false).await.unwrap();
    warm.labs.wake_refill();
    assert!(!h5.holds(&first).await, "the drained host's warm lab was given back");
    let second = eventually("a warm lab ready on h6", async || waits_ready_on(&store, "h6").await).await;

    // A learner on the other replica, which keeps no pool itself, claims it.
    let (ada, _) = session_cookie(&b, "ada@example.org").await;
    act(&b, &ada, "basics", LabAction::Start).await.unwrap();
    let ada_lab = lab_of(&view_set_up(&b, &ada, "basics", LESSON).await);
    assert_eq!(ada_lab, second, "the warm lab on h6 was handed over");
    let (code, _) = as_learner(&b, &ada_lab, "echo hello > ~/greeting.txt").await;
    assert_eq!(code, Some(0));
    assert!(check(&warm, &ada, "greeting", false).await.unwrap().passed);
    // A reset through the other replica remakes the lab on a host.
    act(&warm, &ada, "basics", LabAction::Reset).await.unwrap();
    let fresh = lab_of(&view_set_up(&warm, &ada, "basics", LESSON).await);
    assert_ne!(fresh, ada_lab);
    assert!(h6.holds(&fresh).await, "remade where there is room: h6");
    assert!(!h6.holds(&ada_lab).await, "the old one removed");
    assert!(!check(&b, &ada, "greeting", false).await.unwrap().passed, "a fresh lab");

    // h5 open again: the pool refills there, and both hosts are full. A
    // learner starting another module gets the waiting lab's place.
    hosts(&db, &["activate", "h5"]).unwrap();
    warm.labs.wake_refill();
    let third = eventually("a warm lab ready on h5 again", async || {
        waits_ready_on(&store, "h5").await
    })
    .await;
    let (bo, _) = session_cookie(&b, "bo@example.org").await;
    act(&b, &bo, "other", LabAction::Start).await.unwrap();
    let bo_lab = lab_of(&view_set_up(&b, &bo, "other", "more").await);
    assert!(
        h5.holds(&bo_lab).await,
        "the learner's lab took the warm lab's place on h5"
    );
    assert!(!h5.holds(&third).await, "and the warm lab was given back");
    assert!(listed(&db, "h5").contains("labs 1/1"), "{}", listed(&db, "h5"));
    store.close().await;
}

/// A host that takes connections and never answers, as a machine that
/// drops packets looks to a client (a socket nobody reads): `berth hosts
/// add` gives up on it with a clear message, `berth doctor` reports it,
/// and a sweep with it listed returns, counting it as silent, instead of
/// waiting out the engine client's two-minute timeout.
#[tokio::test]
async fn a_host_that_never_answers_holds_nothing_up() {
    use berth_app::model::{HostName, HostState};

    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    // Connections complete into the backlog; nothing is ever read.
    let _mute = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let url = format!("unix://{}", socket.display());
    let db = TestDb::postgres().await;

    let err = hosts(&db, &["add", "mute", &url]).unwrap_err();
    assert!(err.contains("does not answer") && err.contains("within 10 s"), "{err}");
    assert!(hosts(&db, &["list"]).unwrap().is_empty(), "nothing listed");

    // Listed while it answered, say; now it is mute.
    let store = berth_server::store::Store::open(&db.url).await.unwrap();
    let host = berth_server::store::HostRow {
        name: HostName::new("mute"),
        url,
        tls_dir: None,
        ssh_key: None,
        known_hosts: None,
        max_labs: 5,
        memory_mb: 4096,
        state: HostState::Active,
    };
    assert!(store.add_host(&host).await.unwrap());
    let report = doctor(&db);
    assert!(
        report.contains("mute active, labs 0/5") && report.contains("within 10 s"),
        "{report}"
    );

    let app = TestApp::builder().fixture("lab-course").db(db.same()).spawn().await;
    let swept = tokio::time::timeout(Duration::from_secs(60), app.labs.sweep(false)).await;
    swept.expect("the sweep returns well before two minutes").unwrap();
    store.close().await;
}

/// A real `sshd` on loopback in front of an engine, as a lab host reached
/// over ssh: its own host key, configuration and authorized key in a temp
/// folder, key logins only, and the engine's socket as every session's
/// `DOCKER_HOST`, so `docker system dial-stdio` there reaches it.
struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    daemon: Child,
}

impl Sshd {
    fn start(engine: &Engine) -> Sshd {
        let dir = tempfile::Builder::new().prefix("berth-sshd-").tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        for key in ["host_key", "client_key", "stranger_key"] {
            let made = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", &path(key)])
                .status()
                .unwrap();
            assert!(made.success(), "ssh-keygen made {key}");
        }
        std::fs::copy(path("client_key.pub"), path("authorized_keys")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
             AuthenticationMethods publickey\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             UsePAM no\nPermitRootLogin prohibit-password\nStrictModes no\nSetEnv DOCKER_HOST={}\n",
            path("host_key"),
            path("sshd.pid"),
            path("authorized_keys"),
            engine.url()
        );
        std::fs::write(path("sshd_config"), config).unwrap();
        // What a host's administrator hands out: the host's public key, as
        // a known_hosts line for this address; and one for another key.
        let known = |key: &str| {
            let public = std::fs::read_to_string(path(&format!("{key}.pub"))).unwrap();
            let public: Vec<&str> = public.split_whitespace().take(2).collect();
            format!("[127.0.0.1]:{port} {}\n", public.join(" "))
        };
        std::fs::write(path("known_hosts"), known("host_key")).unwrap();
        std::fs::write(path("stranger_known_hosts"), known("stranger_key")).unwrap();
        std::fs::write(path("empty_known_hosts"), "").unwrap();
        // sshd running as root wants its privilege separation folder.
        std::fs::create_dir_all("/run/sshd").unwrap();
        let log = std::fs::File::create(path("sshd.log")).unwrap();
        let daemon = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f", &path("sshd_config")])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("sshd runs (Debian's openssh-server)");
        let sshd = Sshd { dir, port, daemon };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "sshd did not listen: {}",
                std::fs::read_to_string(sshd.path("sshd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn url(&self) -> String {
        let user = Command::new("id").arg("-un").output().unwrap().stdout;
        format!(
            "ssh://{}@127.0.0.1:{}",
            String::from_utf8_lossy(&user).trim(),
            self.port
        )
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        // Its sessions are processes of their own, children of the daemon.
        let pid = self.daemon.id().to_string();
        let _ = Command::new("pkill").args(["-TERM", "-P", &pid]).status();
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

#[tokio::test]
async fn an_ssh_host_is_reached_through_sshd_with_its_host_key_checked() {
    let engine = Engine::empty(235).await;
    let sshd = Sshd::start(&engine);
    let db = TestDb::sqlite();
    let app = TestApp::builder().fixture("lab-course").db(db.same()).spawn().await;
    let url = sshd.url();
    let add = |key: &str, known_hosts: &str| {
        let (key, known_hosts) = (sshd.path(key), sshd.path(known_hosts));
        hosts(
            &db,
            &["add", "s1", &url, "--ssh-key", &key, "--known-hosts", &known_hosts],
        )
    };

    // A key the host does not accept, a host key Berth does not know, and
    // one that differs from the known one: each refused, saying which and
    // naming the host, and nothing is listed.
    let err = add("stranger_key", "known_hosts").unwrap_err();
    assert!(err.contains(&url) && err.contains("refused the login"), "{err}");
    let err = add("client_key", "empty_known_hosts").unwrap_err();
    assert!(err.contains(&url) && err.contains("host key is not in"), "{err}");
    let err = add("client_key", "stranger_known_hosts").unwrap_err();
    assert!(err.contains(&url) && err.contains("host key has CHANGED"), "{err}");
    assert_eq!(hosts(&db, &["list"]).unwrap(), "");

    // A host that takes the connection and never answers fails by name
    // in seconds, not after minutes of waiting.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("ssh://nobody@127.0.0.1:{}", silent.local_addr().unwrap().port());
    let asked = Instant::now();
    let err = hosts(&db, &["add", "s9", &silent_url]).unwrap_err();
    assert!(err.contains(&silent_url), "{err}");
    assert!(
        asked.elapsed() < Duration::from_secs(40),
        "{:?}: {err}",
        asked.elapsed()
    );
    drop(silent);

    // With the host's key known and a key it accepts: listed, and images
    // copied through the Docker API over ssh, the host's mirror started.
    let added = add("client_key", "known_hosts").unwrap();
    assert!(
        added.contains("Docker") && added.contains("no lab image yet"),
        "{added}"
    );
    let playground = small_playground();
    let turn = IMAGE_BUILDS.lock().await;
    let built = images_build(&db, playground.path(), &["--host", "s1"]).unwrap();
    drop(turn);
    assert!(built.contains("s1: berth/lab-shell copied"), "{built}");
    let here = docker().inspect_image(IMAGE).await.unwrap().id;
    assert_eq!(engine.client().inspect_image(IMAGE).await.unwrap().id, here);
    let mirror = engine.client().inspect_container("berth-mirror", None).await.unwrap();
    assert_eq!(
        mirror.state.and_then(|s| s.running),
        Some(true),
        "the host's mirror runs"
    );

    // A learner's lab lands there; its terminal types, resizes and reads
    // through ssh, and its check passes.
    let (ada, ada_cookie) = session_cookie(&app, "ada@example.org").await;
    let started = Instant::now();
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let ada_view = view_set_up(&app, &ada, "basics", LESSON).await;
    let ssh_start = started.elapsed();
    let lab = lab_of(&ada_view);
    assert!(engine.holds(&lab).await, "the lab runs on the ssh host");
    assert!(!on_machine_engine(&lab).await);
    greet_through_terminal(&app, &ada_cookie, &ada_view).await;
    assert!(check(&app, &ada, "greeting", false).await.unwrap().passed);

    // The sweep lists the host's labs over ssh and keeps the running one.
    app.labs.sweep(false).await.unwrap();
    assert_eq!(lab_of(&view(&app, &ada, "basics", LESSON).await), lab);
    assert!(listed(&db, "s1").contains("active  labs 1/20"), "{}", listed(&db, "s1"));

    // What ssh costs: the same engine listed again through its socket,
    // a lab started and checked on each, side by side.
    hosts(&db, &["drain", "s1"]).unwrap();
    hosts(&db, &["add", "u1", &engine.url()]).unwrap();
    let (bo, _) = session_cookie(&app, "bo@example.org").await;
    let timed = Instant::now();
    act(&app, &bo, "basics", LabAction::Start).await.unwrap();
    let bo_lab = lab_of(&view_set_up(&app, &bo, "basics", LESSON).await);
    let unix_start = timed.elapsed();
    assert!(engine.holds(&bo_lab).await);
    for (name, learner) in [("ssh ", &ada), ("unix", &bo)] {
        let mut checks = Vec::new();
        for _ in 0..3 {
            let timed = Instant::now();
            check(&app, learner, "greeting", false).await.unwrap();
            checks.push(timed.elapsed());
        }
        eprintln!("{name}: checks {checks:?}");
    }
    eprintln!("lab start: ssh {ssh_start:?}, unix {unix_start:?}");

    // Stopped: the container is removed from that engine.
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    assert!(!engine.holds(&lab).await, "a stopped lab is removed from its host");
}

/// Two copies at once (two operators, or a script copying to each host in
/// parallel) must not undo each other: each has its own helper container
/// on this machine's engine. With one fixed name, the second copy removed
/// the first's helper in the middle of its download ("No such container").
#[tokio::test]
async fn images_build_to_two_hosts_at_once_copies_to_both() {
    let _turn = IMAGE_BUILDS.lock().await;
    let (h6, h7) = tokio::join!(Engine::empty(235), Engine::empty(236));
    let db = TestDb::sqlite();
    let playground = small_playground();
    let _app = TestApp::builder().fixture("lab-course").db(db.same()).spawn().await;
    hosts(&db, &["add", "h6", &h6.url()]).unwrap();
    hosts(&db, &["add", "h7", &h7.url()]).unwrap();

    let (db, playground) = (&db, playground.path());
    let (a, b) = std::thread::scope(|s| {
        let copy = |host: &'static str| s.spawn(move || images_build(db, playground, &["--host", host]));
        let (a, b) = (copy("h6"), copy("h7"));
        (a.join().unwrap(), b.join().unwrap())
    });
    for (host, copied) in [("h6", a), ("h7", b)] {
        let copied = copied.unwrap_or_else(|e| panic!("the copy to {host} failed: {e}"));
        assert!(
            copied.contains(&format!("{host}: labs of berth/lab-shell can run there")),
            "{copied}"
        );
    }
    for engine in [&h6, &h7] {
        assert!(
            engine.client().inspect_container("berth-mirror", None).await.is_ok(),
            "the host's mirror runs"
        );
    }
}
