//! The Compose deployment, for real: `berth images build --server` builds
//! the server image offline, Compose starts it with PostgreSQL on this
//! machine's engine, a learner passes a docker lab's exercise that pulls
//! its image from the course mirror, and the progress (and the learner's
//! session) survives `down` and `up`, and an upgrade to a newer server
//! image with `up -d`.
//!
//! Compose is Debian 13's (v2, what a school installs): the host's
//! `docker compose` if it has one, else the one Debian ships in the trixie
//! lab image. Debian 12's `docker-compose` (1.29) must accept the file too.
//!
//! Everything the test creates carries a project name of its own (its
//! containers, network, volume, image and the lab) and is removed however
//! the test ends.

mod common;

use berth_app::lab::LabAction;
use common::{Http, act, built_site, check_in, container_name, lab_of, view, workspace};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A docker lab's exercise from the bundled course whose solution pulls an
/// image (busybox:1.37) from the mirror.
const MODULE: &str = "docker";
const LESSON: &str = "container-lifecycle";
const EXERCISE: &str = "detached-keeper";

fn compose_file() -> PathBuf {
    workspace().join("compose.yaml")
}

/// Runs a command, failing the test with its output unless it succeeds.
fn ok(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn output(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn docker() -> Command {
    Command::new("docker")
}

/// Debian 13's Compose: `docker compose` where the host has the plugin,
/// else the same program copied out of the trixie lab image.
fn compose_v2(scratch: &Path) -> PathBuf {
    if output(docker().args(["compose", "version"])).status.success() {
        return PathBuf::from("docker");
    }
    let program = scratch.join("docker-compose");
    let out = output(docker().args([
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "sh",
        "berth/lab-docker",
        "-c",
        "cat \"$(readlink -f \"$(command -v docker-compose)\")\"",
    ]));
    assert!(
        out.status.success() && !out.stdout.is_empty(),
        "no Compose v2 on this host nor in berth/lab-docker: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&program, &out.stdout).unwrap();
    std::fs::set_permissions(&program, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    program
}

/// One Compose project of this test's own, taken down with its volume,
/// its image and any lab it started when the test ends, passed or not.
struct Deployment {
    project: String,
    image: String,
    compose: PathBuf,
    env: Vec<(&'static str, String)>,
    /// An empty file for `--env-file`: no `.env` lying in the work tree
    /// may change what the test runs.
    env_file: PathBuf,
    /// The lab the learner started, by lab id, to remove if the test fails.
    lab: std::sync::Mutex<Option<String>>,
    _scratch: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Self {
        let scratch = tempfile::tempdir().unwrap();
        let project = format!("berth-compose-test-{}", std::process::id());
        let image = format!("{project}/server");
        let password: String = (0..24).map(|_| format!("{:x}", rand::random::<u8>() % 16)).collect();
        let env_file = scratch.path().join("empty.env");
        std::fs::write(&env_file, "").unwrap();
        Self {
            compose: compose_v2(scratch.path()),
            env: vec![
                ("BERTH_IMAGE", format!("{image}:latest")),
                ("POSTGRES_PASSWORD", password),
                // Any free port on loopback.
                ("BERTH_PUBLISH", "127.0.0.1:".into()),
                ("BERTH_DATA_VOLUME", format!("{project}-data")),
            ],
            project,
            image,
            env_file,
            lab: std::sync::Mutex::new(None),
            _scratch: scratch,
        }
    }

    /// `docker compose ARGS` on the repository's compose.yaml.
    fn compose(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.compose);
        if self.compose == Path::new("docker") {
            cmd.arg("compose");
        }
        cmd.arg("--project-name")
            .arg(&self.project)
            .arg("--file")
            .arg(compose_file())
            .arg("--env-file")
            .arg(&self.env_file)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// `up -d`, then waits for `/readyz`; answers Berth's address.
    async fn up(&self) -> String {
        self.up_with(&format!("{}:latest", self.image)).await
    }

    /// A newer release of the server image: the one built, with a release
    /// label of its own, so its image id differs as a new build's would.
    fn newer_release(&self) -> String {
        let next = format!("{}:next", self.image);
        let mut build = docker();
        build
            .args(["build", "--quiet", "--tag", &next, "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = build.spawn().unwrap();
        let dockerfile = format!("FROM {}:latest\nLABEL org.berth.test-release=next\n", self.image);
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), dockerfile.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        next
    }

    /// `up -d` with Berth's image set to `image`, then waits for
    /// `/readyz`; answers Berth's address.
    async fn up_with(&self, image: &str) -> String {
        ok(self.compose(&["up", "-d"]).env("BERTH_IMAGE", image));
        let port = ok(&mut self.compose(&["port", "berth", "3000"]));
        let base = format!("http://{}", port.trim());
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ready = client.get(format!("{base}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return base;
            }
            if Instant::now() > deadline {
                let logs = output(&mut self.compose(&["logs", "--no-color", "--tail", "40"]));
                panic!(
                    "Berth never became ready at {base}:\n{}",
                    String::from_utf8_lossy(&logs.stdout)
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if let Some(lab) = self.lab.lock().unwrap().take() {
            let filter = format!("label=org.berth.lab={lab}");
            let ids = output(docker().args(["ps", "-aq", "--filter", &filter]));
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                output(docker().args(["rm", "-f", "-v", id]));
            }
            let network = berth_server::lab::docker::name(&lab);
            output(docker().args(["network", "disconnect", "-f", &network, "berth-mirror"]));
            output(docker().args(["network", "rm", &network]));
        }
        output(&mut self.compose(&["down", "--volumes", "--remove-orphans", "--timeout", "5"]));
        output(docker().args(["volume", "rm", &format!("{}-data", self.project)]));
        let version = format!("{}:{}", self.image, env!("CARGO_PKG_VERSION"));
        let (latest, next) = (format!("{}:latest", self.image), format!("{}:next", self.image));
        output(docker().args(["image", "rm", &next, &latest, &version]));
    }
}

#[tokio::test]
async fn a_compose_deployment_runs_labs_and_keeps_progress_across_restarts_and_upgrades() {
    let started = Instant::now();
    let deployment = Deployment::new();

    // The images, offline: whatever lab or course image is missing, then
    // the server from this berth, its guard, the site and the course.
    ok(Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["images", "build", "--missing", "--server", "--server-image"])
        .arg(&deployment.image)
        .arg("--site-dir")
        .arg(built_site())
        .arg("--content")
        .arg(workspace().join("content"))
        .arg("--playground")
        .arg(workspace().join("playground")));
    let built = started.elapsed();

    let base = deployment.up().await;
    let up = started.elapsed() - built;
    let berth = Http::new(base);
    let learner = berth.signed_up("learner@school.example").await;

    // A docker lab on the host's engine, started by Berth in its container.
    act(&berth, &learner, MODULE, LabAction::Start).await.unwrap();
    let lab_id = lab_of(&view(&berth, &learner, MODULE, LESSON).await);
    let lab = container_name(&lab_id, 1);
    *deployment.lab.lock().unwrap() = Some(lab_id.to_string());
    let report = check_in(&berth, &learner, MODULE, EXERCISE, false).await.unwrap();
    assert!(!report.passed, "{report:?}");

    // The learner's solution pulls busybox:1.37 from the course mirror,
    // run as the learner's shell runs: after the image's learner entry.
    let solution = workspace().join(format!("content/modules/02-docker/exercises/{EXERCISE}/solve.sh"));
    let solve = std::fs::File::open(solution).unwrap();
    let label = format!(
        "{{{{with index .Config.Labels \"{}\"}}}}{{{{.}}}}{{{{end}}}}",
        berth_server::lab::docker::LEARNER_ENTRY_LABEL
    );
    let entry = ok(docker().args(["inspect", "--format", &label, &lab]));
    let out = output(
        docker()
            .args(["exec", "-i", "--user", "learner", "--workdir", "/home/learner", &lab])
            .args(entry.split_whitespace())
            .args(["sh", "-s"])
            .stdin(solve),
    );
    assert!(
        out.status.success(),
        "the solution failed in the lab: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pulled = ok(docker().args([
        "exec",
        "--user",
        "learner",
        &lab,
        "docker",
        "image",
        "inspect",
        "--format",
        "{{.RepoDigests}}",
        "busybox:1.37",
    ]));
    assert!(pulled.contains("busybox@sha256:"), "pulled from a registry: {pulled}");
    let report = check_in(&berth, &learner, MODULE, EXERCISE, false).await.unwrap();
    assert!(report.passed, "{report:?}");

    // Down and up again: the database's volume keeps the account, the
    // session and the passed exercise.
    let restarted = Instant::now();
    ok(&mut deployment.compose(&["down", "--timeout", "10"]));
    let berth = Http::new(deployment.up().await);
    let restart = restarted.elapsed();
    assert_eq!(berth.me(&learner).await.as_deref(), Some("learner@school.example"));
    let progress = view(&berth, &learner, MODULE, LESSON).await;
    let exercise = progress
        .exercises
        .iter()
        .find(|e| e.id == EXERCISE)
        .unwrap_or_else(|| panic!("{progress:?}"));
    assert!(exercise.passed, "{progress:?}");

    // An upgrade as docs/operations.md describes it: a newer server image
    // and `up -d`. Compose replaces Berth's container and keeps
    // PostgreSQL's, and the learner finds everything as they left it.
    let upgraded = Instant::now();
    let postgres = ok(&mut deployment.compose(&["ps", "-q", "postgres"]));
    let old_server = ok(&mut deployment.compose(&["ps", "-q", "berth"]));
    let next = deployment.newer_release();
    let berth = Http::new(deployment.up_with(&next).await);
    let upgrade = upgraded.elapsed();
    let new_server = ok(&mut deployment.compose(&["ps", "-q", "berth"]));
    assert_ne!(
        old_server.trim(),
        new_server.trim(),
        "Berth's container was not replaced"
    );
    let running = ok(docker().args(["inspect", "--format", "{{.Config.Image}}", new_server.trim()]));
    assert_eq!(running.trim(), next);
    assert_eq!(
        ok(&mut deployment.compose(&["ps", "-q", "postgres"])),
        postgres,
        "the database's container was recreated"
    );
    assert_eq!(berth.me(&learner).await.as_deref(), Some("learner@school.example"));
    let progress = view(&berth, &learner, MODULE, LESSON).await;
    assert!(
        progress.exercises.iter().any(|e| e.id == EXERCISE && e.passed),
        "{progress:?}"
    );
    // The lab started before the upgrade still answers the new server.
    let report = check_in(&berth, &learner, MODULE, EXERCISE, false).await.unwrap();
    assert!(report.passed, "{report:?}");

    act(&berth, &learner, MODULE, LabAction::Stop).await.unwrap();
    eprintln!(
        "compose deployment: images {built:.0?}, first up {up:.0?}, down and up {restart:.0?}, \
         upgrade {upgrade:.0?}, all {:.0?}",
        started.elapsed()
    );
}

/// Debian 12's Compose (1.29, `apt-get install docker-compose`) reads the
/// same file: no key it does not know, every variable resolved.
#[test]
fn debian_12s_docker_compose_accepts_the_file() {
    let scratch = tempfile::tempdir().unwrap();
    let empty = scratch.path().join("empty.env");
    std::fs::write(&empty, "").unwrap();
    let config = || {
        let mut cmd = Command::new("docker-compose");
        cmd.arg("--file")
            .arg(compose_file())
            .arg("--env-file")
            .arg(&empty)
            .args(["--project-name", "berth-config-check", "config", "--quiet"]);
        cmd
    };
    let out = output(config().env("POSTGRES_PASSWORD", "checked"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Without a password, Compose refuses to start rather than use a default.
    let out = output(config().env_remove("POSTGRES_PASSWORD"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("set POSTGRES_PASSWORD"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
