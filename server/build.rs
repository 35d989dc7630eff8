//! Compiles into `berth` the build id (see `xtask/src/build_id.rs`) and
//! the version `berth --version` reports: the package version and the git
//! commit it was built from.

#[path = "../xtask/src/build_id.rs"]
mod build_id;

use std::path::Path;
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server lives in the workspace");
    let id = build_id::compute(root).expect("reading the bundle's sources");
    println!("cargo:rustc-env=BERTH_BUILD_ID={id}");
    for input in build_id::INPUTS {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    let version = format!("{} ({})", env!("CARGO_PKG_VERSION"), commit(root));
    println!("cargo:rustc-env=BERTH_VERSION={version}");
}

/// `commit 0123456789ab`, with `, modified` when the work tree differs from
/// it. `BERTH_COMMIT` overrides it (for packagers building from a source
/// archive); outside a git checkout it says so rather than guess.
fn commit(root: &Path) -> String {
    println!("cargo:rerun-if-env-changed=BERTH_COMMIT");
    if let Ok(commit) = std::env::var("BERTH_COMMIT")
        && !commit.trim().is_empty()
    {
        return format!("commit {}", commit.trim());
    }
    // Without optional locks: reading must not touch the index, or every
    // build would see it changed and run this again.
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("--no-optional-locks")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let Some(hash) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "no commit recorded: built outside a git checkout".into();
    };
    // Run again on a new commit, a checkout, a staged change or an edit.
    let mut watched = vec![
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["rev-parse", "--git-path", "index"]),
    ];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    for path in watched.into_iter().flatten() {
        let path = root.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    // The sources `berth` is compiled from (the bundle's are watched above).
    let sources = ["server", "playground/guard", "migrations"];
    for dir in sources {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let mut status = vec!["status", "--porcelain", "--"];
    status.extend(sources);
    status.extend(build_id::INPUTS);
    let modified = git(&status).is_some_and(|s| !s.is_empty());
    if modified {
        format!("commit {hash}, modified")
    } else {
        format!("commit {hash}")
    }
}
