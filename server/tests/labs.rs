//! Labs on the real Docker engine: lifecycle, checks, limits, reconciliation
//! and the terminal, driven through the real router.

mod common;

use berth_app::error::AppError;
use berth_app::lab::{LabAction, Outcome};
use berth_server::lab::runtime::{LEARNER, Script, Seat, TermSize};
use common::{
    Socket, TestApp, TestAppBuilder, TestDb, act, as_learner, assert_every_writable_place_is_bounded, check,
    container_name, docker, force_remove, lab_of, read_until, session_cookie, terminal, terminal_path, view,
    view_set_up,
};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

const LESSON: &str = "first-steps";

/// The OCI runtimes shell labs are tested under: the engine's default, and
/// gVisor (`--lab-runtime runsc`), which must keep every wall standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Under {
    Runc,
    Runsc,
}

impl Under {
    /// The runtime the engine reports for a lab's container.
    fn name(self) -> &'static str {
        match self {
            Under::Runc => "runc",
            Under::Runsc => "runsc",
        }
    }
}

/// Each test, once under each runtime: `runc::name` and `runsc::name`.
macro_rules! under_each_runtime {
    ($($test:ident),* $(,)?) => {
        mod runc {
            $(#[tokio::test]
            async fn $test() {
                super::$test(super::Under::Runc).await
            })*
        }
        mod runsc {
            $(#[tokio::test]
            async fn $test() {
                super::$test(super::Under::Runsc).await
            })*
        }
    };
}

under_each_runtime!(
    a_lab_starts_hardened_runs_checks_and_resets,
    the_terminal_is_the_owners_only_survives_reloads_and_bounds_floods,
    a_hostile_learner_stays_inside_the_lab,
    a_fork_bomb_ends_no_other_lab,
    a_memory_hog_ends_no_other_lab,
    a_lab_network_is_private_to_the_lab,
    every_writable_place_in_a_shell_lab_is_bounded,
);

/// The lab fixture, with `berth serve` flags, under runc.
async fn lab_app(flags: &[(&str, &str)]) -> TestApp {
    lab_app_under(Under::Runc, flags).await
}

/// The lab fixture under a runtime, with `berth serve` flags.
async fn lab_app_under(under: Under, flags: &[(&str, &str)]) -> TestApp {
    let mut app = lab_app_builder(under);
    for (flag, value) in flags {
        app = app.flag(flag, value);
    }
    app.spawn().await
}

/// The lab fixture under a runtime.
fn lab_app_builder(under: Under) -> TestAppBuilder {
    let app = TestApp::builder().fixture("lab-course");
    match under {
        Under::Runc => app,
        Under::Runsc => app.flag("--lab-runtime", "runsc"),
    }
}

/// Asks for the next hint of a basics exercise, or for its solution.
async fn reveal(app: &TestApp, tab: &reqwest::Client, exercise: &str, solution: bool) {
    let solution = if solution { "true" } else { "false" };
    let fields = [("module", "basics"), ("exercise", exercise), ("solution", solution)];
    app.post_form(tab, "/api/lab/reveal", &fields).await;
}

async fn exists(container: &str) -> bool {
    docker().inspect_container(container, None).await.is_ok()
}

async fn a_lab_starts_hardened_runs_checks_and_resets(under: Under) {
    let app = lab_app_under(under, &[]).await;
    let ada = app.signed_up("ada@example.org").await;
    let before = view(&app, &ada, "basics", LESSON).await;
    assert!(before.lab.is_none());
    assert_eq!(before.exercises.len(), 2);

    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let v = view_set_up(&app, &ada, "basics", LESSON).await;
    let lab = lab_of(&v);
    let container = container_name(&lab, 1);
    assert!(v.lab.as_ref().unwrap().expires_in > 7000);

    // The hardened profile, as the engine reports it.
    let inspect = docker().inspect_container(&container, None).await.unwrap();
    let host = inspect.host_config.unwrap();
    assert_eq!(host.cap_drop, Some(vec!["ALL".to_string()]));
    assert_eq!(host.readonly_rootfs, Some(true));
    assert_eq!(host.network_mode.as_deref(), Some("none"));
    assert_eq!(host.memory, host.memory_swap);
    assert_eq!(host.memory, Some(256 * 1024 * 1024));
    // Under gVisor its own kernel's threads need room on the host too.
    let sandbox = match under {
        Under::Runc => 0,
        Under::Runsc => berth_server::lab::docker::GVISOR_PIDS,
    };
    assert_eq!(host.pids_limit, Some(128 + sandbox));
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
    assert_eq!(host.runtime.as_deref(), Some(under.name()));
    let config = inspect.config.unwrap();
    assert_eq!(config.user.as_deref(), Some("learner"));
    let labels = config.labels.unwrap();
    assert_eq!(labels["org.berth.module"], "basics");
    assert!(labels.contains_key("org.berth.expires"));

    // Setup ran as the learner.
    let (_, out) = as_learner(&app, &lab, "cat ~/README; id -un").await;
    assert_eq!(out, "Welcome to the lab.\nlearner\n");
    // Under gVisor the lab's kernel is gVisor's own, and its log says so
    // (the host's kernel log is not the learner's to read).
    let (_, kernel) = as_learner(&app, &lab, "dmesg 2>&1 | head -n 1").await;
    assert_eq!(kernel.contains("Starting gVisor"), under == Under::Runsc, "{kernel}");
    // A command that reads its standard input (`docker compose exec`, `cat`)
    // does not eat the rest of the script, which arrives the same way.
    let long = "echo start\ncat\n".to_string() + &"true\n".repeat(2000) + "echo end\n";
    let (code, out) = as_learner(&app, &lab, &long).await;
    assert_eq!((code, out.as_str()), (Some(0), "start\nend\n"));

    // Checks fail with assertions, then pass once the work is done.
    let report = check(&app, &ada, "greeting", false).await.unwrap();
    assert!(!report.passed);
    assert_eq!(report.assertions[0].outcome, Outcome::Fail);
    as_learner(&app, &lab, "echo hullo > ~/greeting.txt").await;
    let report = check(&app, &ada, "greeting", false).await.unwrap();
    assert!(!report.passed);
    assert_eq!(report.assertions[1].expected.as_deref(), Some("hello"));
    assert_eq!(report.assertions[1].actual.as_deref(), Some("hullo"));
    as_learner(&app, &lab, "echo hello > ~/greeting.txt").await;
    let report = check(&app, &ada, "greeting", false).await.unwrap();
    assert!(report.passed, "{report:?}");

    // A live check records a pass without a click, and only a pass.
    let live = check(&app, &ada, "live-file", true).await.unwrap();
    assert!(!live.passed);
    as_learner(&app, &lab, "touch ~/done").await;
    assert!(check(&app, &ada, "live-file", true).await.unwrap().passed);
    as_learner(&app, &lab, "rm ~/done").await;
    let v = view(&app, &ada, "basics", LESSON).await;
    assert!(v.exercises.iter().all(|e| e.passed), "passes stay recorded: {v:?}");
    assert_eq!(v.exercises[0].last_check.as_ref().map(|c| c.passed), Some(true));

    // Hints unlock one at a time, up to the last; the solution when asked.
    for _ in 0..3 {
        reveal(&app, &ada, "greeting", false).await;
    }
    let v = view(&app, &ada, "basics", LESSON).await;
    assert_eq!(v.exercises[0].hints_shown.len(), 2);
    assert_eq!(v.exercises[0].solution, None);
    reveal(&app, &ada, "greeting", true).await;
    let v = view(&app, &ada, "basics", LESSON).await;
    assert!(v.exercises[0].solution.as_deref().unwrap().contains("echo hello"));

    // Reset: a fresh container with setup run again; the old one is gone.
    act(&app, &ada, "basics", LabAction::Reset).await.unwrap();
    let v = view_set_up(&app, &ada, "basics", LESSON).await;
    let fresh = lab_of(&v);
    assert_ne!(fresh, lab);
    assert!(!exists(&container).await);
    // (find, not ls: Debian 12's gVisor refuses the statx flag ls uses.)
    let (_, out) = as_learner(&app, &fresh, "find ~ -mindepth 1 -printf '%f\\n'").await;
    assert_eq!(out, "README\n");

    // Another learner cannot act on or attach to Ada's lab.
    let bo = app.signed_up("bo@example.org").await;
    let err = check(&app, &bo, "greeting", false).await.unwrap_err();
    assert!(err.to_string().contains("Start the lab first"), "{err}");

    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    assert!(!exists(&container_name(&fresh, 1)).await);
    assert!(view(&app, &ada, "basics", LESSON).await.lab.is_none());
}

#[tokio::test]
async fn labs_are_limited_per_learner_and_per_server() {
    let app = lab_app(&[("--max-labs", "1")]).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    // Starting again is harmless.
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let err = act(&app, &ada, "other", LabAction::Start).await.unwrap_err();
    assert!(
        err.to_string().contains("already have a lab running for “Basics”"),
        "{err}"
    );
    let bo = app.signed_up("bo@example.org").await;
    let err = act(&app, &bo, "basics", LabAction::Start).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("All 1 labs on this server are in use. Try again in about 20 minute(s)"),
        "{err}"
    );
    // Extra time, once.
    act(&app, &ada, "basics", LabAction::Extend).await.unwrap();
    let err = act(&app, &ada, "basics", LabAction::Extend).await.unwrap_err();
    assert!(err.to_string().contains("already had its extra time"), "{err}");
    let v = view(&app, &ada, "basics", LESSON).await;
    let running = v.lab.unwrap();
    assert!(running.expires_in > 3 * 3600 - 60);
    assert!(!running.can_extend);
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    act(&app, &bo, "basics", LabAction::Start).await.unwrap();
    act(&app, &bo, "basics", LabAction::Stop).await.unwrap();
    // A module without exercises has no lab.
    let err = act(&app, &bo, "nope", LabAction::Start).await.unwrap_err();
    assert!(err.to_string().contains("no lab"), "{err}");
}

#[tokio::test]
async fn lab_starts_are_limited_per_learner_and_per_address() {
    let app = lab_app(&[("--lab-starts-per-minute", "3"), ("--lab-starts-per-address", "5")]).await;
    let start = async |tab: &reqwest::Client| {
        app.post_form(
            tab,
            "/api/lab/act",
            &[("module", "basics"), ("action", LabAction::Start.as_str())],
        )
        .await
    };
    // A script that starts and stops in a loop is refused after 3.
    let ada = app.signed_up("ada@example.org").await;
    for _ in 0..3 {
        assert!(start(&ada).await.status().is_success());
        act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    }
    let refused = start(&ada).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let text = refused.text().await.unwrap();
    assert!(text.contains("You started a lab 3 times in the last minute"), "{text}");
    assert!(text.contains(&format!("Try again in {retry} second(s)")), "{text}");
    assert!(
        view(&app, &ada, "basics", LESSON).await.lab.is_none(),
        "no lab was made"
    );
    // Reset is a start too.
    let err = act(&app, &ada, "basics", LabAction::Reset).await.unwrap_err();
    assert!(
        matches!(
            err,
            AppError::TooSoon {
                retry_after: 1..=60,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("3 times in the last minute"), "{err}");

    // Another learner is not affected; pressing Start on a running lab
    // costs nothing.
    let bo = app.signed_up("bo@example.org").await;
    for _ in 0..2 {
        act(&app, &bo, "basics", LabAction::Start).await.unwrap();
    }
    act(&app, &bo, "basics", LabAction::Stop).await.unwrap();

    // The address's limit holds across accounts: Ada 3 and Bo 1 leave the
    // address one more, then even a learner who never started waits.
    let cy = app.signed_up("cy@example.org").await;
    act(&app, &cy, "basics", LabAction::Start).await.unwrap();
    act(&app, &cy, "basics", LabAction::Stop).await.unwrap();
    let dee = app.signed_up("dee@example.org").await;
    let refused = start(&dee).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("Labs were started 5 times in the last minute from your network address"),
        "{text}"
    );
}

#[tokio::test]
async fn idle_labs_stop_and_the_engine_is_reconciled_with_the_records() {
    let app = lab_app(&[("--lab-idle", "3s")]).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "basics", LESSON).await);
    let container = container_name(&lab, 1);
    assert_eq!(app.labs.sweep(false).await.unwrap(), 0, "fresh labs stay");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert!(!exists(&container).await, "idle lab removed");
    assert!(view(&app, &ada, "basics", LESSON).await.lab.is_none());

    // A record whose container vanished (engine restarted, or someone
    // removed it) is closed; the learner can start again.
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "basics", LESSON).await);
    let container = container_name(&lab, 1);
    force_remove(&container).await;
    assert_eq!(app.labs.sweep(false).await.unwrap(), 1);
    assert!(view(&app, &ada, "basics", LESSON).await.lab.is_none());
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "basics", LESSON).await);
    let container = container_name(&lab, 1);
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

async fn the_terminal_is_the_owners_only_survives_reloads_and_bounds_floods(under: Under) {
    let app = lab_app_under(under, &[]).await;
    let (ada, cookie) = session_cookie(&app, "ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let path = terminal_path(&view(&app, &ada, "basics", LESSON).await);
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

    // A memory hog is stopped by the kernel, and the page is told what
    // went: the process, or under gVisor the whole lab.
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
    let what = match under {
        Under::Runc => "so the kernel stopped it",
        Under::Runsc => "so the whole lab was stopped. Press Reset",
    };
    assert!(notice.contains(what), "{notice}");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

async fn a_hostile_learner_stays_inside_the_lab(under: Under) {
    let app = lab_app_under(under, &[]).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    // The attack starts once the setups are done: filling the disk while
    // they run breaks them, which only harms the attacker's own lab.
    let lab = lab_of(&view_set_up(&app, &ada, "basics", LESSON).await);
    let container = container_name(&lab, 1);
    let run = |script: &'static str| as_learner(&app, &lab, script);

    // Filling the disk stops at the scratch space's size.
    let (_, out) = run("dd if=/dev/zero of=$HOME/fill bs=1M count=200 2>&1; rm $HOME/fill").await;
    assert!(out.contains("No space left"), "{out}");
    // The root is mounted read-only (gVisor refuses the learner for want
    // of permission before it looks at the mount, so both are accepted).
    let (_, out) = run("touch /usr/x 2>&1; touch /etc/x 2>&1; grep ' / ' /proc/mounts").await;
    assert!(out.matches("cannot touch").count() == 2, "{out}");
    let refusal = match under {
        Under::Runc => "Read-only file system",
        Under::Runsc => "Permission denied",
    };
    assert!(out.matches(refusal).count() == 2, "{out}");
    assert!(out.contains(" / ") && out.contains(" ro,"), "{out}");

    // No route anywhere: not to a listener on the host, not outside.
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "tail -n +2 /proc/net/route | wc -l; for h in 172.17.0.1 127.0.0.1 10.0.0.1 1.1.1.1; do timeout 3 bash -c \"echo > /dev/tcp/$h/{port}\" 2>/dev/null && echo REACHED $h; done; echo end"
    );
    let (_, out) = as_learner(&app, &lab, &script).await;
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
    let report = check(&app, &ada, "greeting", false).await.unwrap();
    assert!(!report.passed, "{report:?}");
    let said = format!("{report:?}");
    assert!(!said.contains("PWNED") && !said.contains("fake"), "{said}");

    // Background processes end with the lab.
    run("nohup sleep 1000 >/dev/null 2>&1 &").await;
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    assert!(!exists(&container).await);
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let fresh = lab_of(&view(&app, &ada, "basics", LESSON).await);
    let (_, out) = as_learner(&app, &fresh, "pgrep -f 'sleep 1000' || echo none").await;
    assert_eq!(out, "none\n");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// A fork bomb meets the lab's process limit. Under runc the shell runs
/// out of processes and the lab answers on; under gVisor its kernel, whose
/// threads count against the same limit on the host, cannot go on and the
/// whole lab ends. Either way no other lab notices.
async fn a_fork_bomb_ends_no_other_lab(under: Under) {
    runaway_beside_another_lab(
        under,
        "i=0; while [ $i -lt 400 ]; do sleep 4 >/dev/null 2>&1 & i=$((i+1)); done 2>/tmp/bomb",
        Afterwards {
            settle: Duration::from_secs(5),
            ask: "cat /tmp/bomb; echo survived",
            answered: |out| out.contains("Cannot fork") && out.contains("survived"),
        },
    )
    .await
}

/// A memory hog meets the lab's limit. Under runc the kernel kills the
/// process and the lab answers on; under gVisor the lab's kernel is one
/// process on the host, so the whole lab goes. Either way no other lab
/// notices.
async fn a_memory_hog_ends_no_other_lab(under: Under) {
    runaway_beside_another_lab(
        under,
        "python3 -c 'x = bytearray(600 * 1024 * 1024)'",
        Afterwards {
            settle: Duration::ZERO,
            ask: "echo alive",
            answered: |out| out == "alive\n",
        },
    )
    .await
}

/// What a runc lab must answer once its runaway has been stopped: `ask`,
/// run as the learner `settle` later, gives an output `answered` accepts.
struct Afterwards {
    settle: Duration,
    ask: &'static str,
    answered: fn(&str) -> bool,
}

/// Runs `runaway` as Ada in her lab while Bo's lab runs beside it. The
/// runaway must not finish; under runc Ada's lab then answers as `afterwards`
/// says, under gVisor it has ended and Reset gives her a fresh one at once;
/// and Bo's lab keeps its state either way.
async fn runaway_beside_another_lab(under: Under, runaway: &'static str, afterwards: Afterwards) {
    let app = lab_app_under(under, &[]).await;
    let bo = app.signed_up("bo@example.org").await;
    act(&app, &bo, "basics", LabAction::Start).await.unwrap();
    let bystander = lab_of(&view(&app, &bo, "basics", LESSON).await);
    as_learner(&app, &bystander, "echo mine > ~/state").await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "basics", LESSON).await);

    // Under gVisor the exec may end with its sandbox rather than answer.
    let script = Script {
        user: LEARNER,
        text: runaway.into(),
        timeout: Duration::from_secs(60),
    };
    let out = app.labs.runtime().run_script(&lab, 1, script).await;
    assert!(!matches!(out, Ok(ref o) if o.exit_code == Some(0)), "{out:?}");
    match under {
        Under::Runc => {
            tokio::time::sleep(afterwards.settle).await;
            let (_, out) = as_learner(&app, &lab, afterwards.ask).await;
            assert!((afterwards.answered)(&out), "{out}");
        }
        Under::Runsc => {
            assert!(
                stops(&container_name(&lab, 1)).await,
                "gVisor's kernel ended as one process"
            );
            act(&app, &ada, "basics", LabAction::Reset).await.unwrap();
            let fresh = lab_of(&view(&app, &ada, "basics", LESSON).await);
            assert_eq!(as_learner(&app, &fresh, "echo alive").await.1, "alive\n");
        }
    }
    assert_eq!(as_learner(&app, &bystander, "cat ~/state").await.1, "mine\n");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    act(&app, &bo, "basics", LabAction::Stop).await.unwrap();
}

/// Whether the container stops running within ten seconds.
async fn stops(container: &str) -> bool {
    for _ in 0..100 {
        let inspect = docker().inspect_container(container, None).await.ok();
        if inspect.and_then(|i| i.state?.running) != Some(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn a_lab_network_is_private_to_the_lab(under: Under) {
    let app = lab_app_under(under, &[]).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "other", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &ada, "other", "more").await);
    let container = container_name(&lab, 1);
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
    let (_, out) = as_learner(&app, &lab, &script).await;
    assert!(out.starts_with("2\n"), "loopback and the lab's own address: {out}");
    assert!(!out.contains("REACHED"), "{out}");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), listener.accept())
            .await
            .is_err()
    );

    act(&app, &ada, "other", LabAction::Stop).await.unwrap();
    assert!(
        docker().inspect_network(&mode, None).await.is_err(),
        "the network went with the lab"
    );
}

async fn every_writable_place_in_a_shell_lab_is_bounded(under: Under) {
    let app = lab_app_under(under, &[]).await;
    let ada = app.signed_up("ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view_set_up(&app, &ada, "basics", LESSON).await);
    let places = assert_every_writable_place_is_bounded(&app, &lab, berth_server::lab::runtime::LEARNER).await;
    for place in ["/home/learner", "/tmp", "/dev/shm"] {
        assert!(places.iter().any(|m| m == place), "{place} not probed: {places:?}");
    }
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// A small screen, so a few lines of output scroll into the scrollback.
const SMALL: &str = r#"{"type":"resize","cols":80,"rows":5}"#;

/// The lines a terminal of 80×5 shows after these bytes, its scrollback
/// first, as the page's xterm.js would keep them.
fn rendered(bytes: &[u8]) -> Vec<String> {
    let (rows, cols) = (5.try_into().unwrap(), 80.try_into().unwrap());
    let mut terminal = vt100::Parser::new(rows, cols, 1000);
    terminal.process(bytes);
    let screen = terminal.screen_mut();
    let kept = {
        screen.set_scrollback(usize::MAX);
        screen.scrollback()
    };
    let mut lines = Vec::new();
    for back in (1..=kept).rev() {
        screen.set_scrollback(back);
        lines.extend(screen.rows(0, 80).next());
    }
    screen.set_scrollback(0);
    lines.extend(screen.rows(0, 80));
    lines.iter().map(|l| l.trim_end().to_string()).collect()
}

/// How many of `lines` are exactly `line`.
fn count(lines: &[String], line: &str) -> usize {
    lines.iter().filter(|l| *l == line).count()
}

/// Ada's started lab: her tab, its cookie, the terminal's path, the lab.
async fn started_lab(app: &TestApp) -> (reqwest::Client, String, String, berth_app::model::LabId) {
    let (ada, cookie) = session_cookie(app, "ada@example.org").await;
    act(app, &ada, "basics", LabAction::Start).await.unwrap();
    let panel = view(app, &ada, "basics", LESSON).await;
    (ada, cookie, terminal_path(&panel), lab_of(&panel))
}

/// Types into a terminal and reads until `until` shows up.
async fn type_until(ws: &mut Socket, typed: &str, until: &str) -> String {
    ws.send(Message::Binary(typed.to_string().into())).await.unwrap();
    read_until(ws, until).await
}

/// Opens the learner's terminal at the small size.
async fn small_terminal(app: &TestApp, cookie: &str, path: &str) -> Socket {
    let mut ws = terminal(app, cookie, path, &app.base).await.unwrap();
    ws.send(Message::Text(SMALL.into())).await.unwrap();
    ws
}

/// The tmux clients on the lab's shell, as `tmux list-clients` names them.
async fn shell_clients(app: &TestApp, lab: &berth_app::model::LabId) -> Vec<String> {
    let (_, out) = as_learner(
        app,
        lab,
        "tmux -L berth list-clients -F '#{session_name}' 2>/dev/null; true",
    )
    .await;
    out.lines().map(String::from).collect()
}

/// The shell runs on in the lab: a dropped connection comes back to a
/// command still printing, with what it printed before shown once, and a
/// second server (as after a restart) finds the same shell. Under runc
/// only: Debian 12's gVisor cannot keep shells (see
/// `under_gvisor_each_terminal_is_a_shell_of_its_own`).
#[tokio::test]
async fn a_shell_outlives_its_connection_and_the_server() {
    let under = Under::Runc;
    let db = TestDb::sqlite();
    let app = lab_app_builder(under).db(db.same()).spawn().await;
    let (ada, cookie, path, lab) = started_lab(&app).await;

    let mut ws = small_terminal(&app, &cookie, &path).await;
    let ticks = "X=kept-$((6*7)); for i in $(seq 1 6); do echo tick$i; sleep 0.5; done; echo END-$((40+2))\r";
    type_until(&mut ws, ticks, "tick2").await;
    // The network drops: no close frame, the socket just goes.
    drop(ws);

    let mut ws = small_terminal(&app, &cookie, &path).await;
    let seen = read_until(&mut ws, "END-42").await;
    let lines = rendered(seen.as_bytes());
    for i in 1..=6 {
        assert_eq!(count(&lines, &format!("tick{i}")), 1, "tick{i} once: {lines:#?}");
    }
    let ticks: Vec<_> = lines.iter().filter(|l| l.starts_with("tick")).collect();
    assert_eq!(
        ticks,
        ["tick1", "tick2", "tick3", "tick4", "tick5", "tick6"],
        "in order: {lines:#?}"
    );
    // Ticks printed after the reconnection came live, not from the replay.
    assert!(seen.contains("tick6"), "{seen:?}");
    ws.close(None).await.unwrap();

    // Closed terminals leave no tmux client behind (the engine would keep
    // their execs running otherwise).
    let mut clients = shell_clients(&app, &lab).await;
    for _ in 0..50 {
        if clients.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        clients = shell_clients(&app, &lab).await;
    }
    assert_eq!(clients, Vec::<String>::new(), "no client left attached");

    // Another server on the same database and engine, as after a restart.
    let again = lab_app_builder(under).db(db.same()).spawn().await;
    let mut ws = small_terminal(&again, &cookie, &path).await;
    ws.send(Message::Binary("echo X=$X\r".into())).await.unwrap();
    let seen = read_until(&mut ws, "X=kept-42").await;
    let lines = rendered(seen.as_bytes());
    assert_eq!(
        count(&lines, "tick1"),
        1,
        "the scrollback came along: {lines:#?} {seen:?}"
    );
    ws.close(None).await.unwrap();
    act(&again, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// A watcher's client on the shell sees what the learner types, and what
/// is written to it goes nowhere, even past the server's own refusal.
#[tokio::test]
async fn a_watcher_sees_the_shell_and_cannot_type_in_it() {
    let app = lab_app(&[]).await;
    let (ada, cookie, path, lab) = started_lab(&app).await;
    let mut learner = small_terminal(&app, &cookie, &path).await;
    learner
        .send(Message::Binary("echo ready-$((6*7))\r".into()))
        .await
        .unwrap();
    read_until(&mut learner, "ready-42").await;

    let runtime = app.labs.runtime();
    let size = TermSize { cols: 80, rows: 24 };
    let mut watcher = runtime.shell(&lab, 1, size, Seat::Watcher).await.unwrap();
    let mut seen = String::new();
    let mut watch_until = async |seen: &mut String, needle: &str| {
        let found = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(Ok(bytes)) = watcher.output.next().await {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains(needle) {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(found, Ok(true), "the watcher never saw {needle:?}: {seen:?}");
    };
    watch_until(&mut seen, "ready-42").await;
    // Straight into the watcher's exec: no server in between to refuse it.
    use tokio::io::AsyncWriteExt;
    let _ = watcher.input.write_all(b"touch ~/typed-by-watcher\r").await;
    let _ = watcher.input.flush().await;
    learner
        .send(Message::Binary("echo seen-by-$((40+2))\r".into()))
        .await
        .unwrap();
    watch_until(&mut seen, "seen-by-42").await;
    read_until(&mut learner, "seen-by-42").await;
    let (status, _) = as_learner(&app, &lab, "test -e ~/typed-by-watcher").await;
    assert_eq!(status, Some(1), "the watcher's keystrokes never reached the shell");

    // Detaching the watcher ends its stream; the shell runs on.
    let client = watcher.client.as_deref().expect("a tmux client");
    runtime.leave(&lab, 1, client).await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(_)) = watcher.output.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the watcher's client was detached");
    learner
        .send(Message::Binary("echo still-$((40+2))\r".into()))
        .await
        .unwrap();
    read_until(&mut learner, "still-42").await;
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// Debian 12's gVisor (runsc 20221219) ignores Ctrl-C in terminals made
/// inside the sandbox, so there each terminal is a shell of its own, on the
/// exec's TTY, where Ctrl-C works; it ends with its connection.
#[tokio::test]
async fn under_gvisor_each_terminal_is_a_shell_of_its_own() {
    let app = lab_app_under(Under::Runsc, &[]).await;
    let (ada, cookie, path, lab) = started_lab(&app).await;
    assert!(!app.labs.runtime().keeps_shells(&lab, 1).await.unwrap());
    let mut ws = small_terminal(&app, &cookie, &path).await;
    type_until(
        &mut ws,
        "echo RUNNING-$((6*7)); sleep 60; echo LATE-$((6*7))\r",
        "RUNNING-42",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    ws.send(Message::Binary(vec![3].into())).await.unwrap();
    ws.send(Message::Binary("echo STOPPED-$((6*7))\r".into()))
        .await
        .unwrap();
    let seen = read_until(&mut ws, "STOPPED-42").await;
    assert!(!seen.contains("LATE-42"), "Ctrl-C stopped the command: {seen:?}");
    let (_, clients) = as_learner(&app, &lab, "tmux -L berth ls 2>&1; true").await;
    assert!(!clients.contains("shell:"), "no tmux under gVisor: {clients}");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}
