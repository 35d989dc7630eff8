//! The Docker engine goes away and comes back: labs explain the outage, and
//! afterwards no orphan container and no stuck record remain. This restarts
//! the local dockerd (with the command line it was started with), so it
//! lives in a test binary of its own: cargo runs test binaries one at a
//! time, and no other test uses the engine meanwhile.

mod common;

use berth_app::error::AppError;
use berth_app::lab::LabAction;
use common::{TestApp, act};
use std::time::Duration;

/// The host's running dockerd, found by its pid file: docker labs run
/// engines of their own, which `pgrep dockerd` would find too.
fn host_dockerd() -> Option<i32> {
    std::fs::read_to_string("/var/run/docker.pid")
        .ok()
        .and_then(|p| p.trim().parse().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "dockerd"))
}

/// dockerd's pid and command line.
fn dockerd() -> (i32, Vec<String>) {
    let pid =
        host_dockerd().expect("this test restarts the local dockerd, which must be running (as started by .ci/run)");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let args = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    (pid, args)
}

async fn engine_up() -> bool {
    match bollard::Docker::connect_with_local_defaults() {
        Ok(docker) => docker.ping().await.is_ok(),
        Err(_) => false,
    }
}

/// Starts dockerd again with its original command line, even if the test
/// fails half way: later tests need it.
struct Restart(Vec<String>);

impl Drop for Restart {
    fn drop(&mut self) {
        if host_dockerd().is_some() {
            return;
        }
        let _ = std::process::Command::new("setsid")
            .args(&self.0)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

#[tokio::test]
async fn labs_survive_a_restart_of_the_engine() {
    let app = TestApp::builder().fixture("lab-course").spawn().await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let store = berth_server::store::Store::open(&app.db.url).await.unwrap();
    let lab = store.live_labs().await.unwrap().remove(0);

    // Stop the engine.
    let (pid, args) = dockerd();
    let restart = Restart(args);
    assert_eq!(terminate(pid), 0, "stopping dockerd");
    // dockerd stops every running container first (docker labs included),
    // which can take a while on a busy machine.
    for _ in 0..600 {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!engine_up().await);

    // While it is down: a clear answer, the pages still work, the record stays.
    let bo = app.signed_up("bo@example.org").await;
    let refused = act(&app, &bo, "basics", LabAction::Start).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Unavailable(m) if m.contains("lab engine is not reachable")),
        "{refused:?}"
    );
    let (status, _) = app.page("/modules/basics/first-steps").await;
    assert_eq!(status, 200);
    assert!(
        app.labs.sweep(false).await.is_err(),
        "a sweep cannot decide without the engine"
    );
    assert_eq!(store.live_labs().await.unwrap().len(), 1);

    // Start it again as it was started.
    drop(restart);
    for _ in 0..150 {
        if engine_up().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(engine_up().await, "dockerd came back");

    // The lab's container did not survive the restart; the sweep closes the
    // record and removes the container, and the learner can start afresh.
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert!(store.live_labs().await.unwrap().is_empty());
    let gone = bollard::Docker::connect_with_local_defaults()
        .unwrap()
        .inspect_container(&berth_server::lab::docker::name(lab.id.as_str()), None)
        .await;
    assert!(gone.is_err(), "no orphan container");
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

fn terminate(pid: i32) -> i32 {
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .map(|s| s.code().unwrap_or(1))
        .unwrap_or(1)
}
