//! Docker labs on the real engine: the lab's own Docker engine, reached by
//! the learner only through berth-docker-guard. Most images come from the
//! lab's static busybox (`docker import`); the course images (nginx,
//! busybox…) come from Berth's registry mirror, which `berth images build`
//! fills before the tests run.

mod common;

use berth_app::lab::{LabAction, SetupState};
use berth_app::model::LabId;
use berth_server::lab::runtime::LEARNER;
use common::{
    TestApp, act, as_learner, as_user, as_user_for, as_user_on, assert_every_writable_place_is_bounded, check,
    check_in, container_name, copy_course, lab_of, read_until, session_cookie, terminal, terminal_path, view,
    workspace,
};
use futures_util::SinkExt;
use std::time::Duration;
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::Message;

const MINI: &str = "tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT [\"/busybox\"]' - mini >/dev/null";

async fn docker_lab() -> TestApp {
    TestApp::builder().fixture("docker-course").spawn().await
}

/// Starts Ada's docker lab; answers her tab and the lab's container.
async fn started(app: &TestApp) -> (reqwest::Client, LabId) {
    started_for(app, "ada@example.org").await
}

/// Starts a docker lab for a new learner with this email.
async fn started_for(app: &TestApp, email: &str) -> (reqwest::Client, LabId) {
    let tab = app.signed_up(email).await;
    act(app, &tab, "basics", LabAction::Start).await.unwrap();
    let container = lab_of(&view(app, &tab, "basics", "first-steps").await);
    let (status, out) = as_learner(app, &container, MINI).await;
    assert_eq!(status, Some(0), "{out}");
    (tab, container)
}

/// The lab's engine still runs a container for the learner.
async fn assert_engine_works(app: &TestApp, lab: &LabId) {
    let (status, out) = as_learner(app, lab, "docker run --rm mini echo still here").await;
    assert_eq!((status, out.trim()), (Some(0), "still here"), "{out}");
}

/// The docker fixture with one more exercise whose shared setup imports an
/// image into the lab's engine, but only once `/tmp/go` exists in the lab
/// (and fails if it says `fail`): the test decides when the setup ends.
fn course_with_a_held_setup() -> TempDir {
    let course = copy_course(&workspace().join("server/tests/fixtures/docker-course"));
    let module = course.path().join("modules/01-engine");
    let dir = module.join("exercises/held-setup");
    std::fs::create_dir_all(&dir).unwrap();
    let toml = "title = \"Find the prepared image\"\nimage = \"docker\"\nshared_setup = true\n\
                timeout_seconds = 60\n\n[limits]\nmemory_mb = 1024\npids = 512\n";
    std::fs::write(dir.join("exercise.toml"), toml).unwrap();
    let setup = "i=0\nuntil [ -e /tmp/go ]; do i=$((i+1)); [ $i -lt 500 ] || exit 1; sleep 0.1; done\n\
                 ! grep -q fail /tmp/go || { echo told to fail; exit 3; }\n\
                 tar -C /usr/bin -cf - busybox | docker import - prepared >/dev/null\n";
    std::fs::write(dir.join("setup.sh"), setup).unwrap();
    std::fs::write(
        dir.join("check.sh"),
        "docker image inspect prepared >/dev/null 2>&1 || { echo 'FAIL: the image prepared is there'; exit 1; }\n\
         echo 'PASS: the image prepared is there'\n",
    )
    .unwrap();
    std::fs::write(dir.join("solve.sh"), "true\n").unwrap();
    let lesson = module.join("01-first-steps.md");
    let text = std::fs::read_to_string(&lesson).unwrap();
    let text = text.replace(
        r#"exercises = ["hello-container"]"#,
        r#"exercises = ["hello-container", "held-setup"]"#,
    );
    std::fs::write(lesson, text).unwrap();
    course
}

/// A docker lab made on a click gives its prompt while its setups still
/// run (waiting for the engine, importing images); a check started
/// meanwhile waits for them and then sees what they made, and a setup that
/// fails is reported, not passed over.
#[tokio::test]
async fn a_cold_docker_lab_gives_its_prompt_before_its_setups_and_checks_wait_for_them() {
    let course = course_with_a_held_setup();
    let app = TestApp::builder().content(course.path().to_path_buf()).spawn().await;
    let (ada, cookie) = session_cookie(&app, "ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let v = view(&app, &ada, "basics", "first-steps").await;
    assert_eq!(v.lab.as_ref().unwrap().setup, SetupState::Running, "the setup is held");
    let lab = lab_of(&v);

    // The prompt, and the lab's engine, answer before the setup is done.
    let mut shell = terminal(&app, &cookie, &terminal_path(&v), &app.base).await.unwrap();
    shell
        .send(Message::Binary("docker version --format engine-$((40+2))\r".into()))
        .await
        .unwrap();
    read_until(&mut shell, "engine-42").await;

    // A check started now waits for the setup rather than failing on its
    // missing image.
    let checking = check(&app, &ada, "held-setup", false);
    tokio::pin!(checking);
    assert!(
        tokio::time::timeout(Duration::from_secs(3), &mut checking)
            .await
            .is_err(),
        "the check waited for the setup"
    );
    assert_eq!(
        view(&app, &ada, "basics", "first-steps").await.lab.unwrap().setup,
        SetupState::Running
    );
    assert_eq!(as_learner(&app, &lab, "touch /tmp/go").await.0, Some(0));
    let report = checking.await.unwrap();
    assert!(report.passed, "the check ran after the setup: {report:?}");
    assert_eq!(
        view(&app, &ada, "basics", "first-steps").await.lab.unwrap().setup,
        SetupState::Done
    );

    // A setup that fails: the panel and every check say so.
    let bo = app.signed_up("bo@example.org").await;
    act(&app, &bo, "basics", LabAction::Start).await.unwrap();
    let lab = lab_of(&view(&app, &bo, "basics", "first-steps").await);
    assert_eq!(as_learner(&app, &lab, "echo fail > /tmp/go").await.0, Some(0));
    let err = check(&app, &bo, "hello-container", false).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("setup of exercise “Find the prepared image” failed"),
        "{err}"
    );
    let failed = view(&app, &bo, "basics", "first-steps").await.lab.unwrap().setup;
    assert!(
        matches!(&failed, SetupState::Failed(m) if m.contains("failed")),
        "{failed:?}"
    );
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    act(&app, &bo, "basics", LabAction::Stop).await.unwrap();
}

/// The bind-source race of issue 14, for a fixed number of attempts: the
/// learner keeps exchanging a bound folder with a symlink to `/` while
/// starting the container, until the lab's own files show through the bind.
/// Before bind sources were pinned it won within 8 attempts, every time.
const BIND_RACE_ATTEMPTS: u32 = 100;

fn bind_race() -> String {
    format!(
        r#"mkdir -p ~/r/d && ln -s / ~/r/l
docker create --name race -v /home/learner/r/d:/x mini sleep 600 >/dev/null || exit 3
python3 -c 'import ctypes
l = ctypes.CDLL(None)
while True: l.renameat2(-100, b"/home/learner/r/d", -100, b"/home/learner/r/l", 2)' &
swapper=$!
won=0; i=0
while [ $i -lt {BIND_RACE_ATTEMPTS} ]; do
  i=$((i + 1))
  if docker start race >/dev/null 2>&1 && docker exec race /busybox test -e /x/usr/local/bin/berth-docker-guard; then
    won=$i
    docker exec race /busybox chroot /x /usr/bin/docker -H unix:///var/run/docker.sock create --privileged --name pwned mini true
    break
  fi
  docker kill race >/dev/null 2>&1
done
kill $swapper
echo "attempts=$i won=$won""#
    )
}

#[tokio::test]
async fn a_bind_source_swapped_for_a_symlink_never_reaches_the_engine() {
    let app = docker_lab().await;
    let (ada, lab) = started(&app).await;
    let (status, out) = as_user_for(&app, &lab, LEARNER, &bind_race(), 600).await;
    assert_eq!(status, Some(0), "{out}");
    assert!(
        out.contains(&format!("attempts={BIND_RACE_ATTEMPTS} won=0")),
        "the race reached the lab's root: {out}"
    );
    // Never a privileged container, and never the lab's files in one.
    let engine = "docker -H unix:///var/run/docker.sock";
    let (_, out) = as_user(
        &app,
        &lab,
        "root",
        &format!("{engine} inspect pwned >/dev/null 2>&1 && echo PWNED; {engine} ps -aq --filter name=pwned"),
    )
    .await;
    assert_eq!(out.trim(), "");
    // The bind still shows the folder, and the folder is freed with its
    // container: at once after `docker rm`, and soon after a `--rm` run ends.
    let (status, out) = as_learner(
        &app,
        &lab,
        "touch ~/r/d/mine && docker start race >/dev/null && docker exec race /busybox ls /x && \
         ! mv ~/r/d ~/r/e 2>/dev/null && docker rm -f race >/dev/null && mv ~/r/d ~/r/e && echo freed",
    )
    .await;
    assert_eq!((status, out.trim()), (Some(0), "mine\nfreed"), "{out}");
    let (status, out) = as_learner(
        &app,
        &lab,
        "mkdir ~/once && docker run --rm --mount type=bind,source=/home/learner/once,target=/o mini touch /o/ran && \
         for i in $(seq 50); do mv ~/once ~/done 2>/dev/null && ls ~/done && exit 0; sleep 0.1; done; exit 1",
    )
    .await;
    assert_eq!((status, out.trim()), (Some(0), "ran"), "{out}");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn buildkit_builds_get_no_host_network() {
    let app = docker_lab().await;
    let (ada, lab) = started(&app).await;
    let build = "mkdir ~/hostnet && cd ~/hostnet && \
                 printf 'FROM mini\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo ns=$(/busybox readlink /proc/self/ns/net) uid=$(/busybox id -u)\"]\n' > Dockerfile && \
                 echo lab=$(readlink /proc/self/ns/net) && \
                 DOCKER_BUILDKIT=1 docker build --no-cache --progress plain --network host . 2>&1; true";
    let (_, out) = as_learner(&app, &lab, build).await;
    let lab_ns = out
        .lines()
        .find_map(|l| l.strip_prefix("lab="))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        !out.contains(&format!("ns={lab_ns}")),
        "a build step ran in the lab's own network namespace: {out}"
    );
    assert!(out.contains("network.host is not allowed"), "{out}");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// `add_key(type, description, payload, plen, keyring)` or
/// `request_key(type, description, NULL, keyring)` from Python, printing
/// the result and errno (x86-64 numbers).
fn keyring_call(add: bool) -> String {
    let call = if add {
        r#"l.syscall(248, b"user", b"berth-key", b"secret", 6, ctypes.c_int(-4))"#
    } else {
        r#"l.syscall(249, b"user", b"berth-key", None, ctypes.c_int(-4))"#
    };
    format!(
        "python3 -c 'import ctypes\nl = ctypes.CDLL(None, use_errno=True)\nr = {call}\nprint(r, ctypes.get_errno())'"
    )
}

#[tokio::test]
async fn the_kernel_keyring_and_user_namespaces_are_out_of_the_learners_reach() {
    let app = docker_lab().await;
    let (ada, cookie) = session_cookie(&app, "ada@example.org").await;
    act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let v = view(&app, &ada, "basics", "first-steps").await;
    let ada_lab = lab_of(&v);
    assert_eq!(as_learner(&app, &ada_lab, MINI).await.0, Some(0));
    let (bob, bob_lab) = started_for(&app, "bob@example.org").await;
    // Keyrings are the kernel's, shared by uid: Ada's key would be Bob's.
    let (_, stored) = as_learner(&app, &ada_lab, &keyring_call(true)).await;
    let (_, found) = as_learner(&app, &bob_lab, &keyring_call(false)).await;
    assert_eq!(stored.trim(), "-1 38", "add_key in Ada's lab");
    assert_eq!(found.trim(), "-1 38", "request_key in Bob's lab found: {found}");

    // No user namespace of her own (uid 0 in it), in scripts or in the
    // terminal; the lab's engine still makes its remapped ones.
    let (_, out) = as_learner(&app, &ada_lab, "unshare -r id 2>&1; echo exit=$?").await;
    assert!(
        out.contains("Operation not permitted") && out.contains("exit=1"),
        "{out}"
    );
    let path = terminal_path(&v);
    let mut ws = terminal(&app, &cookie, &path, &app.base).await.unwrap();
    futures_util::SinkExt::send(
        &mut ws,
        tokio_tungstenite::tungstenite::Message::Binary(b"unshare -r id; echo \"ns $?\"\r".to_vec().into()),
    )
    .await
    .unwrap();
    let seen = read_until(&mut ws, "ns 1").await;
    assert!(!seen.contains("uid=0"), "{seen}");
    assert_engine_works(&app, &ada_lab).await;
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    act(&app, &bob, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn root_in_an_inner_container_is_the_learner_in_the_lab() {
    let app = docker_lab().await;
    let (ada, lab) = started(&app).await;
    let script = "mkdir ~/u && docker run --rm -v /home/learner/u:/u mini sh -c 'id -u; touch /u/made-by-root' && \
                  stat -c %u ~/u/made-by-root && docker run -d --name idle mini sleep 300 >/dev/null && \
                  stat -c %u /proc/$(docker inspect -f '{{.State.Pid}}' idle)";
    let (status, out) = as_learner(&app, &lab, script).await;
    assert_eq!(status, Some(0), "{out}");
    // Root inside; the learner's own uid in the lab, on files and processes.
    assert_eq!(out.trim(), "0\n1000\n1000");
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn every_writable_place_in_a_docker_lab_is_bounded() {
    let app = docker_lab().await;
    let (ada, lab) = started(&app).await;
    let learner = assert_every_writable_place_is_bounded(&app, &lab, LEARNER).await;
    for place in ["/home/learner", "/tmp", "/var/tmp"] {
        assert!(learner.iter().any(|m| m == place), "{place} not probed: {learner:?}");
    }
    let root = assert_every_writable_place_is_bounded(&app, &lab, "root").await;
    for place in ["/var/lib/docker", "/run", "/var/log"] {
        assert!(root.iter().any(|m| m == place), "{place} not probed: {root:?}");
    }
    // Full and emptied again, the lab still works.
    assert_engine_works(&app, &lab).await;
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn a_learner_runs_builds_and_publishes_on_the_labs_own_engine() {
    let app = docker_lab().await;
    let (ada, lab) = started(&app).await;

    // The exercise: checked by the checker against the engine itself.
    assert!(!check(&app, &ada, "hello-container", false).await.unwrap().passed);
    let (status, out) = as_learner(&app, &lab, "docker run --name hello mini true").await;
    assert_eq!(status, Some(0), "{out}");
    let report = check(&app, &ada, "hello-container", false).await.unwrap();
    assert!(report.passed, "{report:?}");

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
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn a_hostile_learner_stays_inside_a_docker_lab() {
    let app = docker_lab().await;
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
            "-v /home/learner/root:/x (the bind source may not go through a symlink)",
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
    assert_engine_works(&app, &lab).await;
    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn docker_labs_run_under_the_configured_runtime() {
    let app = TestApp::builder()
        .fixture("docker-course")
        .flag("--docker-lab-runtime", "no-such-runtime")
        .spawn()
        .await;
    let ada = app.signed_up("ada@example.org").await;
    // The engine has no such runtime, so the lab cannot start: the setting
    // reached the engine.
    let refused = act(&app, &ada, "basics", LabAction::Start).await.unwrap_err();
    assert!(refused.to_string().contains("refused"), "{refused}");
    assert!(view(&app, &ada, "basics", "first-steps").await.lab.is_none());
}

/// The lab's address on its private network, as the host's engine sees it.
async fn address_of(lab: &LabId) -> (String, String) {
    let docker = bollard::Docker::connect_with_local_defaults().unwrap();
    let inspect = docker.inspect_container(&container_name(lab, 1), None).await.unwrap();
    let networks = inspect.network_settings.unwrap().networks.unwrap();
    let (network, endpoint) = networks.into_iter().next().unwrap();
    let net = docker.inspect_network(&network, None).await.unwrap();
    let subnet = net.ipam.unwrap().config.unwrap()[0].subnet.clone().unwrap();
    (endpoint.ip_address.unwrap(), subnet)
}

#[tokio::test]
async fn docker_labs_pull_course_images_from_the_mirror_and_reach_nothing_else() {
    let app = docker_lab().await;
    let (ada, lab) = started(&app).await;

    // nginx from the mirror, published and fetched like on any machine.
    let nginx = "docker run -d --name web -p 8081:80 nginx >/dev/null && \
                 for i in $(seq 50); do curl -fsS http://127.0.0.1:8081/ && exit 0; sleep 0.2; done; exit 1";
    let (status, out) = as_learner(&app, &lab, nginx).await;
    assert_eq!(status, Some(0), "{out}");
    assert!(out.contains("Welcome to nginx!"), "{out}");
    let (status, out) = as_learner(&app, &lab, "docker run --rm busybox:1.37 echo pulled").await;
    assert_eq!(status, Some(0), "{out}");
    assert!(
        out.contains("Pulling from library/busybox") && out.trim_end().ends_with("pulled"),
        "{out}"
    );

    // An image or tag the mirror does not have fails at once, saying what
    // it has instead: there is no way out to look elsewhere.
    let (status, out) = as_learner(&app, &lab, "docker pull no-such-image-anywhere 2>&1").await;
    assert_ne!(status, Some(0), "{out}");
    assert!(
        out.contains("no-such-image-anywhere:latest is not on this course's registry mirror, and the lab has no internet; it has busybox, debian,")
            && out.contains(" nginx,"),
        "{out}"
    );
    let (status, out) = as_learner(&app, &lab, "docker run --rm nginx:1.27 true 2>&1").await;
    assert_ne!(status, Some(0), "{out}");
    assert!(out.contains("nginx there has the tags 1.26, 1.26.3, latest"), "{out}");

    // The mirror is read-only to labs: nobody can change what others pull.
    let push = "curl -s -o /dev/null -w '%{http_code}' -X POST http://mirror:5000/v2/library/nginx/blobs/uploads/";
    let (_, out) = as_learner(&app, &lab, push).await;
    assert_eq!(out.trim(), "405", "an upload to the mirror must be refused");

    // The mirror sits on every docker lab's network, but joins no two: even
    // root in one lab, routing through the mirror, cannot reach another.
    let bob = app.signed_up("bob@example.org").await;
    act(&app, &bob, "basics", LabAction::Start).await.unwrap();
    let bobs = lab_of(&view(&app, &bob, "basics", "first-steps").await);
    let (status, out) = as_learner(&app, &bobs, "busybox httpd -p 8080 -h /etc && echo serving").await;
    assert_eq!((status, out.trim()), (Some(0), "serving"), "{out}");
    let (bob_ip, bob_subnet) = address_of(&bobs).await;
    let (_, out) = as_learner(&app, &bobs, &format!("curl -fsS -m 3 http://{bob_ip}:8080/hostname")).await;
    assert_eq!(out.trim(), "lab", "bob reaches his own server");
    let via_mirror = format!(
        "ip route add {bob_subnet} via $(getent hosts mirror | cut -d' ' -f1) && \
         (curl -sS -m 3 http://{bob_ip}:8080/hostname 2>&1 || echo unreachable)"
    );
    let (_, out) = as_user(&app, &lab, "root", &via_mirror).await;
    assert!(out.trim_end().ends_with("unreachable"), "{out}");

    act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    act(&app, &bob, "basics", LabAction::Stop).await.unwrap();
}

#[tokio::test]
async fn a_three_node_lab_forms_a_swarm_and_scales_a_service_across_it() {
    let app = docker_lab().await;
    let (ada, cookie) = session_cookie(&app, "ada@example.org").await;
    act(&app, &ada, "cluster", LabAction::Start).await.unwrap();
    let v = view(&app, &ada, "cluster", "swarm").await;
    assert_eq!(v.lab.as_ref().map(|l| l.nodes), Some(3), "{v:?}");
    let lab = lab_of(&v);

    // A terminal per node, each on its own machine; there is no node4.
    let path = terminal_path(&v);
    let mut ws = terminal(&app, &cookie, &format!("{path}?node=2"), &app.base)
        .await
        .unwrap();
    futures_util::SinkExt::send(
        &mut ws,
        tokio_tungstenite::tungstenite::Message::Binary(b"echo on-$(hostname)\r".to_vec().into()),
    )
    .await
    .unwrap();
    read_until(&mut ws, "on-node2").await;
    assert!(
        terminal(&app, &cookie, &format!("{path}?node=4"), &app.base)
            .await
            .is_err()
    );

    assert!(
        !check_in(&app, &ada, "cluster", "three-node-swarm", false)
            .await
            .unwrap()
            .passed
    );

    // What the learner types: init on node1, join from node2's and node3's
    // tabs, then create a service and scale it to three.
    let (status, out) = as_learner(
        &app,
        &lab,
        "docker swarm init --advertise-addr eth0 >/dev/null && docker swarm join-token -q worker",
    )
    .await;
    assert_eq!(status, Some(0), "{out}");
    let join = format!("docker swarm join --token {} node1:2377", out.trim());
    for n in [2, 3] {
        let (status, out) = as_user_on(&app, &lab, n, LEARNER, &join, 60).await;
        assert_eq!(status, Some(0), "node{n}: {out}");
    }
    let (status, out) = as_learner(
        &app,
        &lab,
        "docker service create -q --name web --replicas 1 --endpoint-mode dnsrr busybox sleep 3600 >/dev/null && \
         docker service scale -d web=3 >/dev/null && \
         for i in $(seq 50); do [ $(docker service ps web -f desired-state=running --format '{{.CurrentState}}' | grep -c Running) = 3 ] && exit 0; sleep 1; done; exit 1",
    )
    .await;
    assert_eq!(status, Some(0), "{out}");
    let report = check_in(&app, &ada, "cluster", "three-node-swarm", false)
        .await
        .unwrap();
    assert!(report.passed, "{report:?}");

    // Another node's engine answers over the lab network, behind its guard.
    let (status, out) = as_learner(&app, &lab, "docker -H tcp://node3:2375 info --format '{{.Name}}'").await;
    assert_eq!((status, out.trim()), (Some(0), "node3"), "{out}");
    let (status, out) = as_learner(
        &app,
        &lab,
        "docker -H tcp://node2:2375 run --rm --privileged busybox true 2>&1",
    )
    .await;
    assert_ne!(status, Some(0));
    assert!(out.contains("this lab does not allow --privileged"), "{out}");

    // Stopping the lab removes every node.
    act(&app, &ada, "cluster", LabAction::Stop).await.unwrap();
    let docker = bollard::Docker::connect_with_local_defaults().unwrap();
    for name in [1, 2, 3].map(|n| container_name(&lab, n)) {
        assert!(docker.inspect_container(&name, None).await.is_err(), "{name} is gone");
    }
}
