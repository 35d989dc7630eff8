//! The `berth` binary as operators run it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn berth() -> Command {
    Command::new(env!("CARGO_BIN_EXE_berth"))
}

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_invalid_course_is_refused_with_every_problem_located() {
    let dir = tempfile::TempDir::new().unwrap();
    let c = dir.path();
    write(
        c,
        "course.toml",
        "title = \"T\"\ndescription = \"D\"\nmodules = [\"one\"]\n",
    );
    write(
        c,
        "modules/01-one/module.toml",
        "id = \"one\"\ntitle = \"One\"\nsummary = \"S\"\nduration_minutes = 5\n",
    );
    write(
        c,
        "modules/01-one/01-a.md",
        "+++\nid = \"a\"\ntitle = \"A\"\n+++\n\nSee [the other](missing.md).\n",
    );
    write(c, "modules/01-one/02-b.md", "+++\nid = \"a\"\ntitle = \"B\"\n+++\n");
    write(
        c,
        "modules/01-one/03-c.md",
        "+++\nid = \"c\"\ntitle = \"C\"\n+++\n\n[x](01-a.md#nowhere)\n",
    );
    write(
        c,
        "modules/01-one/quiz.toml",
        "id = \"q\"\ntitle = \"Q\"\npass_percent = 50\n\n[[question]]\nid = \"a\"\nkind = \"single\"\nprompt = \"?\"\noptions = [\"x\", \"y\"]\nanswer = 3\n",
    );
    let out = berth()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", c.join("db.sqlite").display()))
        .arg("--content")
        .arg(c)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let file = |rel: &str| c.join(rel).display().to_string();
    assert!(stderr.contains("refusing to serve the course"), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:6: link `missing.md`", file("modules/01-one/01-a.md"))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}:2: lesson id `a` is already used",
            file("modules/01-one/02-b.md")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}:6: `#nowhere` does not match any heading",
            file("modules/01-one/03-c.md")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}:5: question `a`: answer 3 is out of range",
            file("modules/01-one/quiz.toml")
        )),
        "{stderr}"
    );
    assert!(
        !c.join("db.sqlite").exists(),
        "nothing is created for a course that does not load"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let db = common::TestDb::sqlite();
    let site = common::minimal_site();
    let mut child = berth()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db.url])
        .arg("--content")
        .arg(common::workspace().join("content"))
        .arg("--site-dir")
        .arg(site.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("serving on http://").nth(1).map(|a| a.trim().to_string()))
        .expect("the server announces its address");
    let body = http_get(&format!("http://{addr}/healthz"));
    assert_eq!(body, "ok\n");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(lines.map_while(Result::ok).any(|l| l.contains("stopped")));
}

/// A one-off GET from a synchronous test.
fn http_get(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
}

/// `berth --version` names the release and the commit it was built from,
/// as git has it for this work tree.
#[test]
fn the_version_names_the_release_and_the_commit() {
    let out = berth().arg("--version").output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(common::workspace())
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let expected = format!("berth {} (commit {head}", env!("CARGO_PKG_VERSION"));
    assert!(
        said == format!("{expected})") || said == format!("{expected}, modified)"),
        "{said:?} is not {expected}…"
    );
}
