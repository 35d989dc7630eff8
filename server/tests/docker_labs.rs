//! Docker labs on the real engine: the lab's own Docker engine, reached by
//! the learner only through berth-docker-guard. Images come from the lab's
//! static busybox (`docker import`), so nothing is pulled.

mod common;

use common::{TestApp, TestDb, act, as_learner, check, container_of, minimal_site, view, workspace};

const MINI: &str = "tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT [\"/busybox\"]' - mini >/dev/null";

async fn docker_lab() -> (TestApp, tempfile::TempDir) {
    let site = minimal_site();
    let app = TestApp::spawn_configured(TestDb::sqlite(), site.path(), |c| {
        c.content = workspace().join("server/tests/fixtures/docker-course");
    })
    .await;
    (app, site)
}

/// Starts Ada's docker lab; answers her tab and the lab's container.
async fn started(app: &TestApp) -> (reqwest::Client, String) {
    let ada = app.signed_up("ada@example.org").await;
    act(app, &ada, "basics", "Start").await.unwrap();
    let container = container_of(&view(app, &ada, "basics", "first-steps").await);
    let (status, out) = as_learner(app, &container, MINI).await;
    assert_eq!(status, Some(0), "{out}");
    (ada, container)
}

#[tokio::test]
async fn a_learner_runs_builds_and_publishes_on_the_labs_own_engine() {
    let (app, _site) = docker_lab().await;
    let (ada, lab) = started(&app).await;

    // The exercise: checked by the checker against the engine itself.
    assert_eq!(check(&app, &ada, "hello-container", false).await["passed"], false);
    let (status, out) = as_learner(&app, &lab, "docker run --name hello mini true").await;
    assert_eq!(status, Some(0), "{out}");
    let report = check(&app, &ada, "hello-container", false).await;
    assert_eq!(report["passed"], true, "{report}");

    // A published port, serving a folder bound from the home.
    let serve = "mkdir -p ~/site && echo 'served from home' > ~/site/index.html && \
                 docker run -d --name web -p 8080:80 -v /home/learner/site:/www mini httpd -f -p 80 -h /www >/dev/null && \
                 for i in $(seq 50); do curl -fsS http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1";
    let (status, out) = as_learner(&app, &lab, serve).await;
    assert_eq!((status, out.trim()), (Some(0), "served from home"));

    // A build (BuildKit) on top of the imported image.
    let build = "mkdir -p ~/app && cd ~/app && printf 'hello from a build\\n' > greeting && \
                 printf 'FROM mini AS base\\nCOPY greeting /greeting\\nFROM base\\nCMD [\"cat\", \"/greeting\"]\\n' > Dockerfile && \
                 docker build -q -t greeter . >/dev/null && docker run --rm greeter";
    let (status, out) = as_learner(&app, &lab, build).await;
    assert_eq!((status, out.trim()), (Some(0), "hello from a build"), "{out}");

    // A named volume outlives its container; two containers on a user-defined
    // network find each other by name.
    let volume = "docker run --rm -v notes:/data mini sh -c 'echo kept > /data/f' && \
                  docker run --rm -v notes:/data mini cat /data/f";
    let (status, out) = as_learner(&app, &lab, volume).await;
    assert_eq!((status, out.trim()), (Some(0), "kept"));
    let names = "docker network create shop >/dev/null && \
                 docker run -d --name api --network shop mini httpd -f -p 80 -h / >/dev/null && \
                 docker run --rm --network shop mini sh -c 'for i in $(seq 50); do wget -qO /dev/null http://api/busybox && echo found && exit 0; sleep 0.1; done; exit 1'";
    let (status, out) = as_learner(&app, &lab, names).await;
    assert_eq!((status, out.trim()), (Some(0), "found"), "{out}");

    // Compose: two services, one reaching the other by its service name.
    let compose = "mkdir -p ~/pair && cd ~/pair && printf '%s\\n' \
                   'services:' \
                   '  web:' \
                   '    image: mini' \
                   '    command: [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/\"]' \
                   '  client:' \
                   '    image: mini' \
                   '    command: [\"sleep\", \"300\"]' > compose.yaml && \
                   docker compose up -d --quiet-pull 2>/dev/null && \
                   docker compose exec -T client /busybox sh -c 'for i in $(seq 50); do wget -qO /dev/null http://web/busybox && echo reached && exit 0; sleep 0.1; done; exit 1'";
    let (status, out) = as_learner(&app, &lab, compose).await;
    assert_eq!((status, out.trim()), (Some(0), "reached"), "{out}");
    act(&app, &ada, "basics", "Stop").await.unwrap();
}

#[tokio::test]
async fn a_hostile_learner_stays_inside_a_docker_lab() {
    let (app, _site) = docker_lab().await;
    let (ada, lab) = started(&app).await;
    let (status, out) = as_learner(
        &app,
        &lab,
        "docker run -d --name sleeper mini sleep 300 && ln -s / ~/root",
    )
    .await;
    assert_eq!(status, Some(0), "{out}");

    for (attempt, refusal) in [
        ("docker run --rm --privileged mini true", "--privileged"),
        ("docker run --rm --cap-add SYS_ADMIN mini true", "--cap-add"),
        ("docker run --rm -v /:/host mini true", "-v /:/host"),
        (
            "docker run --rm -v /home/learner/root:/x mini true",
            "-v /home/learner/root:/x (the bind source must be inside /home/learner)",
        ),
        ("docker run --rm --pid host mini true", "--pid host"),
        ("docker run --rm --device /dev/null:/dev/x mini true", "--device"),
        (
            "docker volume create -o type=none -o o=bind -o device=/ evil",
            "volume options that bind host paths",
        ),
        ("docker exec --privileged sleeper true", "--privileged"),
        (
            "docker run --rm --security-opt seccomp=unconfined mini true",
            "--security-opt",
        ),
    ] {
        let (status, out) = as_learner(&app, &lab, attempt).await;
        assert_ne!(status, Some(0), "{attempt} went through: {out}");
        assert!(
            out.contains(&format!("this lab does not allow {refusal}")),
            "{attempt}: {out}"
        );
    }

    // Raw requests to the guard: malformed bodies are refused plainly.
    let raw = |body: &str| {
        format!(
            "curl -s --unix-socket /run/berth/docker.sock -H 'content-type: application/json' {body} \
             http://docker/containers/create"
        )
    };
    as_learner(&app, &lab, "head -c 2000000 /dev/zero | tr '\\0' ' ' > /tmp/big.json").await;
    for (body, answer) in [
        ("-H 'transfer-encoding: chunked' -d '{}'", "chunked"),
        ("-X POST", "empty"),
        ("-d '[1,2]'", "JSON object"),
        ("-d '{\"Image\":\"mini\",\"HostConfig\":\"yes\"}'", "HostConfig"),
        ("--data-binary @/tmp/big.json", "1 MiB"),
    ] {
        let (_, out) = as_learner(&app, &lab, &raw(body)).await;
        assert!(out.contains(answer), "{body}: {out}");
    }

    // The engine's own socket, and root, are out of reach.
    let (_, out) = as_learner(&app, &lab, "docker -H unix:///var/run/docker.sock ps 2>&1").await;
    assert!(out.contains("permission denied"), "{out}");
    let (_, out) = as_learner(&app, &lab, "id -u; command -v sudo su || true").await;
    assert_eq!(out.trim(), "1000");

    // Everything inside stays within the lab's limits: a memory hog in an
    // inner container is killed, a fork bomb runs out of processes.
    let (status, out) = as_learner(
        &app,
        &lab,
        "docker run --rm mini tail -c 2000m /dev/zero >/dev/null; echo $?",
    )
    .await;
    assert_eq!(status, Some(0), "{out}");
    assert_eq!(out.trim(), "137", "the hog was killed for memory");
    let bomb =
        "docker run --rm mini sh -c 'i=0; while [ $i -lt 2000 ]; do sleep 60 & i=$((i+1)); done' 2>&1 | tail -n 1";
    let (_, out) = as_learner(&app, &lab, bomb).await;
    assert!(
        out.contains("can't fork") || out.contains("Resource temporarily unavailable"),
        "{out}"
    );

    // A container filling its disk meets the engine's bounded space (half
    // the lab's memory), and the space comes back when it is gone.
    let fill = "docker run --rm mini dd if=/dev/zero of=/fill bs=1M count=6000 >/dev/null 2>&1; echo $?";
    let (_, out) = as_learner(&app, &lab, fill).await;
    assert_ne!(out.trim(), "0", "writing 6 GB inside a 1 GiB lab cannot succeed");

    // Nothing outside the lab answers: not the host's Docker bridge, not
    // the outside world, from the lab or from a container in it.
    for probe in [
        "curl -sS -m 3 http://172.17.0.1/ 2>&1 || echo unreachable",
        "docker run --rm mini wget -T 3 -q -O /dev/null http://172.17.0.1/ 2>&1 || echo unreachable",
        "docker run --rm mini wget -T 3 -q -O /dev/null http://deb.debian.org/ 2>&1 || echo unreachable",
    ] {
        let (_, out) = as_learner(&app, &lab, probe).await;
        assert!(out.trim_end().ends_with("unreachable"), "{probe}: {out}");
    }

    // And the lab is intact.
    let (status, out) = as_learner(&app, &lab, "docker run --rm mini echo still here").await;
    assert_eq!((status, out.trim()), (Some(0), "still here"), "{out}");
    act(&app, &ada, "basics", "Stop").await.unwrap();
}

#[tokio::test]
async fn docker_labs_run_under_the_configured_runtime() {
    let site = minimal_site();
    let app = TestApp::spawn_configured(TestDb::sqlite(), site.path(), |c| {
        c.content = workspace().join("server/tests/fixtures/docker-course");
        c.labs.docker_lab_runtime = Some("no-such-runtime".into());
    })
    .await;
    let ada = app.signed_up("ada@example.org").await;
    // The engine has no such runtime, so the lab cannot start: the setting
    // reached the engine.
    let refused = act(&app, &ada, "basics", "Start").await.unwrap_err();
    assert!(refused.contains("refused"), "{refused}");
    assert!(view(&app, &ada, "basics", "first-steps").await["lab"].is_null());
}
