//! Labs on the real Docker engine: lifecycle, checks, limits, reconciliation
//! and the terminal, driven through the real router.

mod common;

use common::{
    TestApp, TestDb, act, as_learner, assert_every_writable_place_is_bounded, check, container_of, minimal_site,
    read_until, session_cookie, terminal, view, workspace,
};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

const LESSON: &str = "first-steps";

async fn lab_app(tweak: impl FnOnce(&mut berth_server::config::ServeConfig)) -> (TestApp, tempfile::TempDir) {
    let site = minimal_site();
    let app = TestApp::spawn_configured(TestDb::sqlite(), site.path(), |c| {
        c.content = workspace().join("server/tests/fixtures/lab-course");
        tweak(c);
    })
    .await;
    (app, site)
}

fn docker() -> bollard::Docker {
    bollard::Docker::connect_with_local_defaults().unwrap()
}

async fn exists(container: &str) -> bool {
    docker().inspect_container(container, None).await.is_ok()
}

#[tokio::test]
async fn a_lab_starts_hardened_runs_checks_and_resets() {
    let (app, _site) = lab_app(|_| {}).await;
    let ada = app.signed_up("ada@example.org").await;
    let before = view(&app, &ada, "basics", LESSON).await;
    assert_eq!(before["lab"], Value::Null);
    assert_eq!(before["exercises"].as_array().unwrap().len(), 2);

    act(&app, &ada, "basics", "Start").await.unwrap();
    let v = view(&app, &ada, "basics", LESSON).await;
    let container = container_of(&v);
    assert!(v["lab"]["expires_in"].as_i64().unwrap() > 7000);

    // The hardened profile, as the engine reports it.
    let inspect = docker().inspect_container(&container, None).await.unwrap();
    let host = inspect.host_config.unwrap();
    assert_eq!(host.cap_drop, Some(vec!["ALL".to_string()]));
    assert_eq!(host.readonly_rootfs, Some(true));
    assert_eq!(host.network_mode.as_deref(), Some("none"));
    assert_eq!(host.memory, host.memory_swap);
    assert_eq!(host.memory, Some(256 * 1024 * 1024));
    assert_eq!(host.pids_limit, Some(128));
    assert!(
        host.security_opt
            .unwrap()
            .iter()
            .any(|o| o.starts_with("no-new-privileges"))
    );
    assert!(
        host.binds.unwrap_or_default().is_empty(),
        "no host paths, no docker socket"
    );
    let config = inspect.config.unwrap();
    assert_eq!(config.user.as_deref(), Some("learner"));
    let labels = config.labels.unwrap();
    assert_eq!(labels["org.berth.module"], "basics");
    assert!(labels.contains_key("org.berth.expires"));

    // Setup ran as the learner.
    let (_, out) = as_learner(&app, &container, "cat ~/README; id -un").await;
    assert_eq!(out, "Welcome to the lab.\nlearner\n");
    // A command that reads its standard input (`docker compose exec`, `cat`)
    // does not eat the rest of the script, which arrives the same way.
    let long = "echo start\ncat\n".to_string() + &"true\n".repeat(2000) + "echo end\n";
    let (code, out) = as_learner(&app, &container, &long).await;
    assert_eq!((code, out.as_str()), (Some(0), "start\nend\n"));

    // Checks fail with assertions, then pass once the work is done.
    let report = check(&app, &ada, "greeting", false).await;
    assert_eq!(report["passed"], false);
    assert_eq!(report["assertions"][0]["outcome"], "Fail");
    as_learner(&app, &container, "echo hullo > ~/greeting.txt").await;
    let report = check(&app, &ada, "greeting", false).await;
    assert_eq!(report["passed"], false);
    assert_eq!(report["assertions"][1]["expected"], "hello");
    assert_eq!(report["assertions"][1]["actual"], "hullo");
    as_learner(&app, &container, "echo hello > ~/greeting.txt").await;
    let report = check(&app, &ada, "greeting", false).await;
    assert_eq!(report["passed"], true, "{report}");

    // A live check records a pass without a click, and only a pass.
    let live = check(&app, &ada, "live-file", true).await;
    assert_eq!(live["passed"], false);
    as_learner(&app, &container, "touch ~/done").await;
    assert_eq!(check(&app, &ada, "live-file", true).await["passed"], true);
    as_learner(&app, &container, "rm ~/done").await;
    let v = view(&app, &ada, "basics", LESSON).await;
    let states = v["exercises"].as_array().unwrap();
    assert!(states.iter().all(|e| e["passed"] == true), "passes stay recorded: {v}");
    assert_eq!(states[0]["last_check"]["passed"], true);

    // Hints unlock one at a time, up to the last; the solution when asked.
    for _ in 0..3 {
        app.post_form(
            &ada,
            "/api/lab/reveal",
            &[("module", "basics"), ("exercise", "greeting"), ("solution", "false")],
        )
        .await;
    }
    let v = view(&app, &ada, "basics", LESSON).await;
    assert_eq!(v["exercises"][0]["hints_shown"].as_array().unwrap().len(), 2);
    assert_eq!(v["exercises"][0]["solution"], Value::Null);
    app.post_form(
        &ada,
        "/api/lab/reveal",
        &[("module", "basics"), ("exercise", "greeting"), ("solution", "true")],
    )
    .await;
    let v = view(&app, &ada, "basics", LESSON).await;
    assert!(v["exercises"][0]["solution"].as_str().unwrap().contains("echo hello"));

    // Reset: a fresh container with setup run again; the old one is gone.
    act(&app, &ada, "basics", "Reset").await.unwrap();
    let v = view(&app, &ada, "basics", LESSON).await;
    let fresh = container_of(&v);
    assert_ne!(fresh, container);
    assert!(!exists(&container).await);
    let (_, out) = as_learner(&app, &fresh, "ls -A ~").await;
    assert_eq!(out, "README\n");

    // Another learner cannot act on or attach to Ada's lab.
    let bo = app.signed_up("bo@example.org").await;
    let err = check(&app, &bo, "greeting", false).await;
    assert!(err.to_string().contains("Start the lab first"), "{err}");

    act(&app, &ada, "basics", "Stop").await.unwrap();
    assert!(!exists(&fresh).await);
    assert_eq!(view(&app, &ada, "basics", LESSON).await["lab"], Value::Null);
}

#[tokio::test]
async fn labs_are_limited_per_learner_and_per_server() {
    let (app, _site) = lab_app(|c| c.labs.max_labs = 1).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", "Start").await.unwrap();
    // Starting again is harmless.
    act(&app, &ada, "basics", "Start").await.unwrap();
    let err = act(&app, &ada, "other", "Start").await.unwrap_err();
    assert!(err.contains("already have a lab running for “Basics”"), "{err}");
    let bo = app.signed_up("bo@example.org").await;
    let err = act(&app, &bo, "basics", "Start").await.unwrap_err();
    assert!(
        err.contains("All 1 labs on this server are in use. Try again in about 20 minute(s)"),
        "{err}"
    );
    // Extra time, once.
    act(&app, &ada, "basics", "Extend").await.unwrap();
    let err = act(&app, &ada, "basics", "Extend").await.unwrap_err();
    assert!(err.contains("already had its extra time"), "{err}");
    let v = view(&app, &ada, "basics", LESSON).await;
    assert!(v["lab"]["expires_in"].as_i64().unwrap() > 3 * 3600 - 60);
    assert_eq!(v["lab"]["can_extend"], false);
    act(&app, &ada, "basics", "Stop").await.unwrap();
    act(&app, &bo, "basics", "Start").await.unwrap();
    act(&app, &bo, "basics", "Stop").await.unwrap();
    // A module without exercises has no lab.
    let err = act(&app, &bo, "nope", "Start").await.unwrap_err();
    assert!(err.contains("no lab"), "{err}");
}

#[tokio::test]
async fn idle_labs_stop_and_the_engine_is_reconciled_with_the_records() {
    let (app, _site) = lab_app(|c| c.labs.lab_idle = Duration::from_secs(3)).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", "Start").await.unwrap();
    let container = container_of(&view(&app, &ada, "basics", LESSON).await);
    assert_eq!(app.labs.sweep(false).await.unwrap(), 0, "fresh labs stay");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert!(!exists(&container).await, "idle lab removed");
    assert_eq!(view(&app, &ada, "basics", LESSON).await["lab"], Value::Null);

    // A record whose container vanished (engine restarted, or someone
    // removed it) is closed; the learner can start again.
    act(&app, &ada, "basics", "Start").await.unwrap();
    let container = container_of(&view(&app, &ada, "basics", LESSON).await);
    docker()
        .remove_container(
            &container,
            Some(
                bollard::query_parameters::RemoveContainerOptionsBuilder::new()
                    .force(true)
                    .build(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert_eq!(view(&app, &ada, "basics", LESSON).await["lab"], Value::Null);
    act(&app, &ada, "basics", "Start").await.unwrap();
    let container = container_of(&view(&app, &ada, "basics", LESSON).await);
    // A stopped container (the engine restarted without it) is the same.
    docker().kill_container(&container, None).await.unwrap();
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert!(!exists(&container).await);
}

/// A WebSocket to the lab's terminal, as the page opens it.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn the_terminal_is_the_owners_only_survives_reloads_and_bounds_floods() {
    let (app, _site) = lab_app(|_| {}).await;
    let (ada, cookie) = session_cookie(&app, "ada@example.org").await;
    act(&app, &ada, "basics", "Start").await.unwrap();
    let path = view(&app, &ada, "basics", LESSON).await["lab"]["terminal"]
        .as_str()
        .unwrap()
        .to_string();
    let origin = app.base.clone();

    // Refusals: another site, another learner, a visitor.
    let err = terminal(&app, &cookie, &path, "https://evil.example")
        .await
        .unwrap_err();
    assert!(
        matches!(err, tungstenite::Error::Http(ref r) if r.status() == 403),
        "{err:?}"
    );
    let (_bo, bo_cookie) = session_cookie(&app, "bo@example.org").await;
    let err = terminal(&app, &bo_cookie, &path, &origin).await.unwrap_err();
    assert!(
        matches!(err, tungstenite::Error::Http(ref r) if r.status() == 404),
        "{err:?}"
    );
    let err = terminal(&app, "x=y", &path, &origin).await.unwrap_err();
    assert!(
        matches!(err, tungstenite::Error::Http(ref r) if r.status() == 401),
        "{err:?}"
    );
    let res = app.get(&path).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Type, leave, come back: the lab kept its state.
    let mut ws = terminal(&app, &cookie, &path, &origin).await.unwrap();
    ws.send(Message::Text(r#"{"type":"resize","cols":100,"rows":30}"#.into()))
        .await
        .unwrap();
    ws.send(Message::Binary(
        "echo kept > ~/state; stty size; echo MARK-$((40+2))\r".into(),
    ))
    .await
    .unwrap();
    let seen = read_until(&mut ws, "MARK-42").await;
    assert!(seen.contains("30 100"), "the resize reached the TTY: {seen:?}");
    ws.close(None).await.unwrap();
    let mut ws = terminal(&app, &cookie, &path, &origin).await.unwrap();
    ws.send(Message::Binary("cat ~/state\r".into())).await.unwrap();
    read_until(&mut ws, "kept").await;

    // A flood the page does not read stays in the lab, not in our memory;
    // then Ctrl-C gets through and the shell answers.
    let before = rss_kib();
    ws.send(Message::Binary("yes flood-flood-flood\r".into()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "server memory grew by {grown} KiB during a flood");
    ws.send(Message::Binary(vec![3].into())).await.unwrap();
    ws.send(Message::Binary("echo DONE-$((6*7))\r".into())).await.unwrap();
    read_until(&mut ws, "DONE-42").await;

    // A memory hog is stopped by the kernel, and the page is told why.
    ws.send(Message::Binary("python3 -c 'x = bytearray(600 << 20)'\r".into()))
        .await
        .unwrap();
    let notice = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message {
                return text.to_string();
            }
        }
        String::new()
    })
    .await
    .expect("a notice about memory");
    assert!(notice.contains("more memory than the lab allows"), "{notice}");
    act(&app, &ada, "basics", "Stop").await.unwrap();
}

#[tokio::test]
async fn a_hostile_learner_stays_inside_the_lab() {
    let (app, _site) = lab_app(|_| {}).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", "Start").await.unwrap();
    let container = container_of(&view(&app, &ada, "basics", LESSON).await);
    let run = |script: &'static str| as_learner(&app, &container, script);

    // A fork bomb meets the pids limit; the lab still answers afterwards.
    let (code, _) = run("i=0; while [ $i -lt 400 ]; do sleep 4 >/dev/null 2>&1 & i=$((i+1)); done 2>/tmp/bomb").await;
    assert_ne!(code, Some(0), "the shell ran out of processes");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (_, out) = run("cat /tmp/bomb; echo survived").await;
    assert!(out.contains("Cannot fork") && out.contains("survived"), "{out}");

    // A memory hog is killed by the kernel, the lab survives.
    let (code, _) = run("python3 -c 'x = bytearray(600 * 1024 * 1024)'").await;
    assert_ne!(code, Some(0));
    assert_eq!(run("echo alive").await.1, "alive\n");

    // Filling the disk stops at the scratch space's size.
    let (_, out) = run("dd if=/dev/zero of=$HOME/fill bs=1M count=200 2>&1; rm $HOME/fill").await;
    assert!(out.contains("No space left"), "{out}");
    let (_, out) = run("touch /usr/x 2>&1; touch /etc/x 2>&1; true").await;
    assert!(out.matches("Read-only file system").count() == 2, "{out}");

    // No route anywhere: not to a listener on the host, not outside.
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "ip -4 route | wc -l; for h in 172.17.0.1 127.0.0.1 10.0.0.1 1.1.1.1; do timeout 3 bash -c \"echo > /dev/tcp/$h/{port}\" 2>/dev/null && echo REACHED $h; done; echo end"
    );
    let (_, out) = as_learner(&app, &container, &script).await;
    assert!(!out.contains("REACHED"), "{out}");
    assert!(out.starts_with("0\n"), "no routes at all: {out}");
    let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(accepted.is_err(), "the host listener saw a connection");

    // No way up: no sudo, su does not work, no setuid programs, no capabilities.
    let (_, out) = run(
        "command -v sudo || echo no-sudo; su -c id root </dev/null 2>&1 | head -1; \
         find / -xdev -perm /6000 -type f 2>/dev/null | wc -l; grep CapEff /proc/self/status",
    )
    .await;
    assert!(out.contains("no-sudo"), "{out}");
    assert!(!out.contains("uid=0"), "{out}");
    assert!(
        out.contains("\n0\n") && out.contains("CapEff:\t0000000000000000"),
        "{out}"
    );

    // No platform secrets in the lab's environment.
    let (_, out) = run("tr '\\0' '\\n' < /proc/1/environ 2>&1; env").await;
    for secret in ["DATABASE", "BERTH_", "POSTGRES", "DOCKER_HOST", "SESSION"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }

    // Planted files and symlinks cannot change what a check runs or reads.
    run(
        "mkdir -p ~/bin; printf '#!/bin/sh\\necho PASS: fake; exit 0\\n' > ~/bin/head; chmod +x ~/bin/head; \
         cp ~/bin/head /tmp/head; echo 'echo PWNED' > ~/.profile; cp ~/.profile ~/.bashrc; \
         ln -s /etc/shadow ~/greeting.txt",
    )
    .await;
    let report = check(&app, &ada, "greeting", false).await;
    assert_eq!(report["passed"], false, "{report}");
    assert!(
        !report.to_string().contains("PWNED") && !report.to_string().contains("fake"),
        "{report}"
    );

    // Background processes end with the lab.
    run("nohup sleep 1000 >/dev/null 2>&1 &").await;
    act(&app, &ada, "basics", "Stop").await.unwrap();
    assert!(!exists(&container).await);
    act(&app, &ada, "basics", "Start").await.unwrap();
    let fresh = container_of(&view(&app, &ada, "basics", LESSON).await);
    let (_, out) = as_learner(&app, &fresh, "pgrep -f 'sleep 1000' || echo none").await;
    assert_eq!(out, "none\n");
    act(&app, &ada, "basics", "Stop").await.unwrap();
}

#[tokio::test]
async fn a_lab_network_is_private_to_the_lab() {
    let (app, _site) = lab_app(|_| {}).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "other", "Start").await.unwrap();
    let container = container_of(&view(&app, &ada, "other", "more").await);
    let inspect = docker().inspect_container(&container, None).await.unwrap();
    let mode = inspect.host_config.unwrap().network_mode.unwrap();
    assert_eq!(mode, container, "a network of its own, named after the lab");
    let network = docker().inspect_network(&mode, None).await.unwrap();
    assert_eq!(network.internal, Some(true));

    // It has an address, but no way out: not to the host, not beyond.
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let gateway = network
        .ipam
        .and_then(|i| i.config)
        .and_then(|c| c.into_iter().next())
        .and_then(|c| c.gateway)
        .unwrap_or_else(|| "172.17.0.1".into());
    let script = format!(
        "ip -4 addr show | grep -c inet; \
         for h in {gateway} 172.17.0.1 1.1.1.1; do timeout 3 bash -c \"echo > /dev/tcp/$h/{port}\" 2>/dev/null && echo REACHED $h; done; echo end"
    );
    let (_, out) = as_learner(&app, &container, &script).await;
    assert!(out.starts_with("2\n"), "loopback and the lab's own address: {out}");
    assert!(!out.contains("REACHED"), "{out}");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), listener.accept())
            .await
            .is_err()
    );

    act(&app, &ada, "other", "Stop").await.unwrap();
    assert!(
        docker().inspect_network(&mode, None).await.is_err(),
        "the network went with the lab"
    );
}

#[tokio::test]
async fn every_writable_place_in_a_shell_lab_is_bounded() {
    let (app, _site) = lab_app(|_| {}).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", "Start").await.unwrap();
    let lab = container_of(&view(&app, &ada, "basics", LESSON).await);
    let places = assert_every_writable_place_is_bounded(&app, &lab, berth_server::lab::runtime::LEARNER).await;
    for place in ["/home/learner", "/tmp", "/dev/shm"] {
        assert!(places.iter().any(|m| m == place), "{place} not probed: {places:?}");
    }
    act(&app, &ada, "basics", "Stop").await.unwrap();
}
