//! Build orchestration, so a fresh clone needs exactly two commands:
//! `cargo xtask serve` and `cargo xtask test`.
//!
//! The front end is built offline: npm installs the pinned JavaScript
//! packages, cargo compiles the hydrate crate to wasm32, wasm-bindgen runs
//! in-process (pinned to the lock file's version) and wasm-opt shrinks its
//! output (`wasm`); everything is laid out under `target/site`, the
//! directory the server serves, under content-hashed names with compressed
//! variants (`layout`).

mod build_id;
mod dist;
mod layout;
mod postgres;
mod wasm;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use layout::Layout;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Build, run and test Berth")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the browser bundle and assets into target/site.
    Build,
    /// Build everything and serve the bundled course (extra arguments go to `berth serve`).
    Serve {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build the front end, start a private PostgreSQL, and run every test (browser tests included).
    Test {
        /// Extra arguments for `cargo test` (for example a test name filter).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Formatting and clippy, as CI checks them.
    Lint,
    /// The release tarball: berth and its guard built for release, the site, the course,
    /// playground/, compose.yaml, a systemd unit and INSTALL.md, in target/dist.
    Dist {
        /// Pack the debug build instead (quick, for checking the tarball itself).
        #[arg(long)]
        debug: bool,
    },
}

fn main() -> Result<()> {
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match Cli::parse().task {
        Task::Build => build_site(&root),
        Task::Serve { args } => {
            build_site(&root)?;
            // Labs need their images; the course itself does not: report
            // what is missing and what that breaks, then serve anyway.
            let built = ensure_lab_images(true, false);
            report_labs(&args, built.err());
            run(berth(true).arg("serve").args(args))
        }
        Task::Test { args } => {
            build_site(&root)?;
            // xtask's own tests run apart: building it again with the
            // workspace run's unified features would recompile wasm-bindgen's
            // tool chain.
            run(cargo().args(["test", "--package", "xtask"]))?;
            // CI installs the course images' packages afresh every run, so a
            // Debian update that breaks one fails CI, not a school's install.
            let refresh = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            ensure_lab_images(false, refresh).context(
                "the lab tests need a running Docker engine and every lab and course image: \
                 the failures are listed above with their causes",
            )?;
            let pg = match std::env::var("BERTH_TEST_POSTGRES_URL") {
                Ok(url) => {
                    step(&format!(
                        "using PostgreSQL from BERTH_TEST_POSTGRES_URL ({})",
                        redact(&url)
                    ));
                    None
                }
                Err(_) => Some(postgres::Cluster::start(&root)?),
            };
            let mut cmd = cargo();
            cmd.args([
                "test",
                "--workspace",
                "--exclude",
                "berth-frontend",
                "--exclude",
                "xtask",
            ])
            .args(args);
            cmd.env("BERTH_SITE_DIR", root.join("target/site"));
            cmd.env("BERTH_TEST_LTI_PYTHON", lti_platform_python(&root)?);
            if let Some(pg) = &pg {
                cmd.env("BERTH_TEST_POSTGRES_URL", pg.url());
            }
            run(&mut cmd)?;
            // The release tarball, from the debug build the tests just used:
            // a release build would add minutes for the same layout.
            dist(&root, false)
        }
        Task::Dist { debug } => {
            build_site(&root)?;
            dist(&root, !debug)
        }
        Task::Lint => {
            run(cargo().args(["fmt", "--all", "--", "--check"]))?;
            run(cargo().args([
                "clippy",
                "--workspace",
                "--exclude",
                "berth-frontend",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            run(cargo().args([
                "clippy",
                "--package",
                "berth-frontend",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]))
        }
    }
}

/// Builds berth and its guard, packs them with the site, the course and
/// the deployment files into `target/dist`, and opens the tarball again to
/// check it (its files, and its `berth --version`).
fn dist(root: &Path, release: bool) -> Result<()> {
    let mut build = cargo();
    // Both binaries by name: `--bin` filters every package given, so
    // naming only `berth` would leave the guard unbuilt.
    build.args([
        "build",
        "--package",
        "berth-server",
        "--bin",
        "berth",
        "--package",
        "berth-docker-guard",
        "--bin",
        "berth-docker-guard",
    ]);
    if release {
        build.arg("--release");
    }
    run(&mut build)?;
    let profile = if release { "release" } else { "debug" };
    let inputs = dist::Inputs {
        root: root.to_path_buf(),
        binaries: root.join("target").join(profile),
        site: root.join("target/site"),
    };
    let out = root.join("target/dist").join(profile);
    let tarball = dist::pack(&inputs, &out)?;
    let version = dist::verify(&tarball)?;
    let size = std::fs::metadata(&tarball)?.len() as f64 / 1024.0 / 1024.0;
    step(&format!("{} ({size:.0} MiB): {version}", tarball.display()));
    Ok(())
}

/// Builds whichever lab images are missing (`berth images build --missing`),
/// or with `refresh` rebuilds them installing Debian's current packages
/// (`--refresh`), with the same profile the next step compiles anyway.
fn ensure_lab_images(release: bool, refresh: bool) -> Result<()> {
    let mode = if refresh { "--refresh" } else { "--missing" };
    step(&format!("lab images (berth images build {mode})"));
    // Docker labs carry the API guard, which `images build` takes from
    // next to the `berth` binary.
    let mut guard = cargo();
    guard.args(["build", "--package", "berth-docker-guard"]);
    if release {
        guard.arg("--release");
    }
    run(&mut guard)?;
    run(berth(release).args(["images", "build", mode]))
}

/// `berth`, through `cargo run` (which builds it first if need be).
fn berth(release: bool) -> Command {
    let mut cmd = cargo();
    cmd.arg("run");
    if release {
        cmd.arg("--release");
    }
    cmd.args(["--package", "berth-server", "--bin", "berth", "--"]);
    cmd
}

/// After the images: one block saying which lab images, course images or
/// mirror tags are missing and which exercises that breaks
/// (`berth doctor --labs`, with serve's own arguments), or one line when
/// labs are ready.
fn report_labs(serve_args: &[String], build_failed: Option<anyhow::Error>) {
    let out = berth(true).args(["doctor", "--labs"]).args(serve_args).output();
    let ready = matches!(&out, Ok(out) if out.status.success()) && build_failed.is_none();
    if ready {
        step("labs are ready: every lab image, course image and mirror tag the course needs is there");
        return;
    }
    eprintln!();
    eprintln!("\x1b[1m==> labs are not ready; the course is served anyway\x1b[0m");
    if let Some(e) = build_failed {
        eprintln!("    berth images build failed ({e:#}); its failures are listed above");
    }
    match out {
        Ok(out) => {
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                eprintln!("    {line}");
            }
        }
        Err(e) => eprintln!("    could not run berth doctor: {e}"),
    }
    eprintln!("    Exercises named above fail until fixed; `berth doctor` checks again.");
    eprintln!();
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn step(msg: &str) {
    eprintln!("\x1b[1m==>\x1b[0m {msg}");
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_string(),
    }
}

/// Lays out `target/site` (see `layout`): `pkg/` (the wasm bundle),
/// `vendor/` (JavaScript packages from npm), `assets/` (our styles,
/// scripts and icons), and `manifest.json`.
fn build_site(root: &Path) -> Result<()> {
    let started = Instant::now();
    install_npm_packages(root)?;
    let mut site = Layout::new(root.join("target/site"));
    // Vendored files first: the wasm and our scripts name them by their
    // hashed URLs.
    for (from, to) in VENDORED {
        let path = root.join("frontend/node_modules").join(from);
        let body = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        site.add(&format!("/vendor/{to}"), &body)?;
    }
    let mermaid = site
        .url("/vendor/mermaid.min.js")
        .expect("mermaid is vendored")
        .to_string();
    let bundle = wasm::build(root, &[("BERTH_MERMAID_URL", &mermaid)])?;
    // Leptos's HydrationScripts names the wasm after the glue (`NAME.js`,
    // `NAME_bg.wasm`), so the two share one hash: that of both.
    let hash = layout::hash(&[bundle.glue.as_bytes(), &bundle.wasm]);
    site.add_as(
        "/pkg/berth.js",
        &format!("/pkg/berth.{hash}.js"),
        bundle.glue.as_bytes(),
    )?;
    site.add_as(
        "/pkg/berth_bg.wasm",
        &format!("/pkg/berth.{hash}_bg.wasm"),
        &bundle.wasm,
    )?;
    for entry in std::fs::read_dir(root.join("app/assets"))? {
        let path = entry?.path();
        let url = format!("/assets/{}", path.file_name().unwrap().to_string_lossy());
        match std::fs::read_to_string(&path) {
            Ok(text) => site.add_text(&url, &text)?,
            Err(_) => site.add(&url, &std::fs::read(&path)?)?,
        };
    }
    let sizes = site.finish()?;
    report(&bundle.steps, &sizes);
    // Read by `berth doctor`: which sources this site was built from.
    std::fs::write(root.join("target/site/build-id"), build_id::compute(root)?)?;
    step(&format!("site ready in target/site after {:.0?}", started.elapsed()));
    Ok(())
}

/// Prints what a browser downloads: the wasm after each step, then every
/// file as served (as is, brotli, gzip).
fn report(steps: &[(&str, usize)], sizes: &[layout::Sizes]) {
    let kib = |n: usize| format!("{:.0} KiB", n as f64 / 1024.0);
    let wasm: Vec<String> = steps.iter().map(|(what, n)| format!("{what} {}", kib(*n))).collect();
    step(&format!("wasm: {}", wasm.join(" → ")));
    for file in sizes {
        let or_none = |n: Option<usize>| n.map(kib).unwrap_or_else(|| "-".into());
        eprintln!(
            "    {:<28} {:>9}   br {:>9}   gzip {:>9}",
            file.url,
            kib(file.identity),
            or_none(file.br),
            or_none(file.gzip)
        );
    }
}

/// Files taken from npm packages: (path under node_modules, name under /vendor).
const VENDORED: &[(&str, &str)] = &[
    ("mermaid/dist/mermaid.min.js", "mermaid.min.js"),
    ("@xterm/xterm/lib/xterm.mjs", "xterm.mjs"),
    ("@xterm/xterm/css/xterm.css", "xterm.css"),
    ("@xterm/addon-fit/lib/addon-fit.mjs", "addon-fit.mjs"),
];

/// `npm ci` when the lock file changed since the last install.
fn install_npm_packages(root: &Path) -> Result<()> {
    let dir = root.join("frontend");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&installed).is_some() && modified(&installed) >= modified(&lock) {
        return Ok(());
    }
    step("installing JavaScript packages (npm ci)");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir))
    .context("npm is needed to install the front end's JavaScript packages (Debian: apt-get install npm)")
}

/// The Python the LTI tests run their stand-in platform with: a venv in
/// `target/lti-venv` holding the pinned, hash-checked lti1p3platform,
/// made again when the requirements change.
fn lti_platform_python(root: &Path) -> Result<PathBuf> {
    let requirements = root.join("server/tests/lti/requirements.txt");
    let venv = root.join("target/lti-venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.txt");
    if std::fs::read(&stamp).ok() == Some(std::fs::read(&requirements)?) && python.exists() {
        return Ok(python);
    }
    step("installing the LTI test platform (lti1p3platform, pinned with hashes) into target/lti-venv");
    if venv.exists() {
        std::fs::remove_dir_all(&venv)?;
    }
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))
        .context("python3 with venv is needed for the LTI tests (Debian: apt-get install python3-venv)")?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--only-binary=:all:",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::copy(&requirements, &stamp)?;
    Ok(python)
}
