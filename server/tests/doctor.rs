//! `berth doctor` through the real binary: a healthy install, and broken
//! ones (engine down, a lab image missing, a tag the course pulls missing
//! from the mirror). Uses the images `cargo xtask test` builds first.

mod common;

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A one-module course whose exercise runs `solve` in a lab of `image`.
fn course(image: &str, solve: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path();
    write(
        c,
        "course.toml",
        "title = \"T\"\ndescription = \"D\"\nmodules = [\"basics\"]\n",
    );
    write(
        c,
        "modules/01-basics/module.toml",
        "id = \"basics\"\ntitle = \"Basics\"\nsummary = \"S\"\nduration_minutes = 5\n",
    );
    write(
        c,
        "modules/01-basics/01-web.md",
        "+++\nid = \"web\"\ntitle = \"Web\"\nexercises = [\"serve-it\"]\n+++\n\nServe a page.\n",
    );
    let ex = "modules/01-basics/exercises/serve-it";
    write(
        c,
        &format!("{ex}/exercise.toml"),
        &format!("title = \"Serve it\"\nimage = \"{image}\"\ntimeout_seconds = 30\n\n[limits]\nmemory_mb = 256\n"),
    );
    write(c, &format!("{ex}/solve.sh"), solve);
    write(c, &format!("{ex}/check.sh"), "docker inspect web >/dev/null\n");
    dir
}

/// A site that matches this build: a bundle and the build id.
fn site() -> tempfile::TempDir {
    let site = common::minimal_site();
    write(site.path(), "pkg/berth.js", "export default function() {}\n");
    write(site.path(), "build-id", berth_server::site::BUILD_ID);
    site
}

struct Install {
    content: std::path::PathBuf,
    playground: std::path::PathBuf,
    site: tempfile::TempDir,
    db: common::TestDb,
}

impl Install {
    fn new(content: &Path) -> Self {
        Self {
            content: content.to_path_buf(),
            playground: common::workspace().join("playground"),
            site: site(),
            db: common::TestDb::sqlite(),
        }
    }

    /// The doctor run expected to fail on `check`: that check's row (marked
    /// ✗) and the whole report.
    fn failing(&self, env: &[(&str, &str)], check: &str) -> (String, String) {
        let (ok, report) = self.doctor(env);
        assert!(!ok, "{report}");
        let row = row(&report, check);
        assert!(row.starts_with('✗'), "{report}");
        (row, report)
    }

    fn doctor(&self, env: &[(&str, &str)]) -> (bool, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_berth"))
            .arg("doctor")
            .arg("--content")
            .arg(&self.content)
            .arg("--playground")
            .arg(&self.playground)
            .arg("--site-dir")
            .arg(self.site.path())
            .args(["--database-url", &self.db.url, "--max-labs", "1"])
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

/// The row for `check`, with its continuation lines.
fn row(report: &str, check: &str) -> String {
    let mut lines = report.lines().skip_while(|l| {
        let mut chars = l.chars();
        chars.next();
        !chars.as_str().trim_start().starts_with(check)
    });
    let first = lines.next().unwrap_or_else(|| panic!("no row {check}:\n{report}"));
    let rest: Vec<&str> = lines.take_while(|l| l.starts_with(' ')).collect();
    format!("{first}\n{}", rest.join("\n"))
}

async fn migrated(db: &common::TestDb) {
    berth_server::store::Store::open(&db.url).await.unwrap().close().await;
}

#[tokio::test]
async fn a_healthy_install_passes_every_check() {
    let install = Install::new(&common::workspace().join("content"));
    migrated(&install.db).await;
    let (ok, report) = install.doctor(&[]);
    assert!(ok, "{report}");
    for check in [
        "database",
        "course",
        "site bundle",
        "Docker engine",
        "lab images",
        "course images",
        "registry mirror",
        "debootstrap",
        "memory",
        "disk",
    ] {
        assert!(row(&report, check).starts_with('✓'), "{check}:\n{report}");
    }
    assert!(row(&report, "database").contains("SQLite"), "{report}");
    let migrations = std::fs::read_dir(common::workspace().join("migrations/sqlite"))
        .unwrap()
        .count();
    assert!(
        row(&report, "database").contains(&format!("all {migrations} migrations applied")),
        "{report}"
    );
    assert!(row(&report, "course").contains("9 modules"), "{report}");
    assert!(
        row(&report, "site bundle").contains("same sources as this berth"),
        "{report}"
    );
    assert!(row(&report, "Docker engine").contains("cgroup v"), "{report}");
    assert!(row(&report, "course images").contains("postgres 17."), "{report}");
    assert!(row(&report, "registry mirror").contains("nginx:1.26"), "{report}");
    assert!(report.contains("Ready:"), "{report}");
}

#[tokio::test]
async fn a_site_from_other_sources_and_a_database_not_yet_made_are_told_apart() {
    let install = Install::new(&common::workspace().join("content"));
    write(install.site.path(), "build-id", "0123456789abcdef");
    let (site, report) = install.failing(&[], "site bundle");
    assert!(site.contains("built from other sources"), "{report}");
    assert!(site.contains("cargo xtask build"), "{report}");
    let db = row(&report, "database");
    assert!(db.starts_with('!') && db.contains("no database yet"), "{report}");
}

#[tokio::test]
async fn an_engine_nobody_listens_on_is_a_failure_with_the_fix() {
    let install = Install::new(&common::workspace().join("content"));
    migrated(&install.db).await;
    let dir = tempfile::tempdir().unwrap();
    let socket = format!("unix://{}", dir.path().join("nobody.sock").display());
    let (engine, report) = install.failing(&[("DOCKER_HOST", &socket)], "Docker engine");
    assert!(engine.contains(&format!("cannot reach it at {socket}")), "{report}");
    assert!(engine.contains("start dockerd"), "{report}");
    // What does not need the engine is still checked.
    assert!(row(&report, "course").starts_with('✓'), "{report}");
    assert!(report.contains("problem(s) to fix"), "{report}");
}

#[tokio::test]
async fn lab_runtimes_must_be_registered_with_the_engine() {
    let install = Install::new(&common::workspace().join("content"));
    migrated(&install.db).await;
    // runsc is registered on every machine that runs these tests (.ci/run).
    let (_, report) = install.doctor(&[("BERTH_LAB_RUNTIME", "runsc")]);
    let engine = row(&report, "Docker engine");
    assert!(engine.starts_with('✓'), "{report}");
    assert!(engine.contains("labs run under --lab-runtime runsc"), "{report}");
    let (engine, report) = install.failing(
        &[
            ("BERTH_LAB_RUNTIME", "no-such-runtime"),
            ("BERTH_DOCKER_LAB_RUNTIME", "runsc"),
        ],
        "Docker engine",
    );
    assert!(
        engine.contains("the runtime `no-such-runtime` (--lab-runtime) is not registered"),
        "{report}"
    );
    assert!(!engine.contains("`runsc`"), "only the missing one is named: {report}");
    assert!(engine.contains("/etc/docker/daemon.json"), "{report}");
}

#[tokio::test]
async fn a_lab_image_that_was_never_built_names_the_exercises_it_breaks() {
    let name = format!("never-built-{}", std::process::id());
    let course = course(&name, "true\n");
    let mut install = Install::new(course.path());
    let playground = tempfile::tempdir().unwrap();
    write(playground.path(), &format!("{name}/Dockerfile"), "FROM scratch\n");
    install.playground = playground.path().to_path_buf();
    migrated(&install.db).await;
    let (images, report) = install.failing(&[], "lab images");
    assert!(
        images.contains(&format!(
            "berth/lab-{name} is missing: 1 exercise(s) cannot start a lab (basics/serve-it)"
        )),
        "{report}"
    );
    assert!(images.contains("berth images build"), "{report}");
}

#[tokio::test]
async fn a_tag_the_course_pulls_but_the_mirror_lacks_is_a_failure() {
    let course = course(
        "docker",
        "docker run -d --name web -p 8080:80 nginx:9.99 >/dev/null\ndocker pull busybox\n",
    );
    let install = Install::new(course.path());
    migrated(&install.db).await;
    let (mirror, report) = install.failing(&[], "registry mirror");
    assert!(
        mirror.contains("nginx:9.99 is not served: 1 exercise will fail (basics/serve-it)"),
        "{report}"
    );
    assert!(!mirror.contains("busybox"), "busybox:latest is served:\n{report}");
    assert!(mirror.contains("playground/mirror/images/<name>/tags"), "{report}");
}
