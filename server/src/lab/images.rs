//! `berth images build`: the lab images, made here with no registry. The
//! base is a Debian root file system from debootstrap, imported into the
//! engine; each folder of `playground/` with a Dockerfile builds on it.

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::query_parameters::{BuildImageOptionsBuilder, CreateImageOptionsBuilder};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::docker::DockerRuntime;

pub const BASE_IMAGE: &str = "berth/base:trixie";

/// The engine's name for the lab image defined in `playground/<folder>`.
pub fn image_name(folder: &str) -> String {
    format!("berth/lab-{folder}")
}

#[derive(Clone, Debug, clap::Args)]
pub struct BuildArgs {
    /// The folder of lab image definitions.
    #[arg(long, env = "BERTH_PLAYGROUND", default_value = "playground")]
    pub playground: PathBuf,
    /// Only build images that do not exist yet.
    #[arg(long)]
    pub missing: bool,
    /// Make the Debian base again even if it exists.
    #[arg(long)]
    pub rebuild_base: bool,
    /// The Debian mirror debootstrap downloads from.
    #[arg(long, env = "BERTH_DEBIAN_MIRROR", default_value = "http://deb.debian.org/debian")]
    pub mirror: String,
}

/// The lab images `playground/` defines: folder names with a Dockerfile.
pub fn playground_images(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Dockerfile").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} {elapsed:.dim}").expect("template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_prefix(message);
    bar
}

fn done(bar: ProgressBar, what: &str, started: Instant) {
    bar.finish_and_clear();
    println!("✓ {what} ({:.0?})", started.elapsed());
}

async fn exists(docker: &Docker, image: &str) -> bool {
    docker.inspect_image(image).await.is_ok()
}

pub async fn build(args: BuildArgs) -> anyhow::Result<()> {
    let docker = DockerRuntime::default()
        .client()
        .await
        .context("cannot reach the container engine: start dockerd (or set DOCKER_HOST) and try again")?;
    let docker = &docker;
    let images = playground_images(&args.playground);
    if images.is_empty() {
        bail!(
            "no lab images in {}: each image is a folder with a Dockerfile",
            args.playground.display()
        );
    }
    if args.rebuild_base || !exists(docker, BASE_IMAGE).await {
        build_base(docker, &args.mirror).await?;
    } else {
        println!("✓ {BASE_IMAGE} is there (use --rebuild-base to make it again)");
    }
    for name in images {
        let tag = image_name(&name);
        if args.missing && exists(docker, &tag).await {
            println!("✓ {tag} is there");
            continue;
        }
        build_image(docker, &args.playground.join(&name), &tag).await?;
    }
    Ok(())
}

async fn build_base(docker: &Docker, mirror: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("berth-rootfs-")
        .tempdir()
        .context("making a folder for the root file system")?;
    let bar = spinner(format!("debootstrap trixie → {BASE_IMAGE}"));
    let mut child = tokio::process::Command::new("debootstrap")
        .args(["--variant=minbase", "trixie"])
        .arg(dir.path())
        .arg(mirror)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running debootstrap: install it (apt-get install debootstrap) and run this as root")?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    while let Some(line) = lines.next_line().await? {
        bar.set_message(line);
    }
    let out = child.wait_with_output().await?;
    if !out.status.success() {
        bar.abandon();
        bail!(
            "debootstrap failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    bar.set_message("importing into the engine");
    let mut tar = tokio::process::Command::new("tar")
        .arg("-C")
        .arg(dir.path())
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .context("running tar")?;
    let body = tokio_util::io::ReaderStream::new(tar.stdout.take().expect("piped"));
    let (repo, tag) = BASE_IMAGE.split_once(':').expect("name:tag");
    let options = CreateImageOptionsBuilder::new()
        .from_src("-")
        .repo(repo)
        .tag(tag)
        .build();
    let mut import = docker.create_image(Some(options), Some(bollard::body_try_stream(body)), None);
    while let Some(step) = import.next().await {
        let step = step.context("importing the root file system")?;
        if let Some(status) = step.status {
            bar.set_message(status);
        }
    }
    tar.wait().await?;
    done(bar, &format!("{BASE_IMAGE} from debootstrap"), started);
    Ok(())
}

/// The Docker API guard docker labs run; images that name it get it in
/// their build context.
const GUARD: &str = "berth-docker-guard";

/// The guard is built with `berth` (`cargo build` builds both) and lives
/// next to it.
fn guard_binary() -> anyhow::Result<std::path::PathBuf> {
    let path = std::env::current_exe()?.with_file_name(GUARD);
    if !path.is_file() {
        bail!(
            "{} is missing: build it next to berth with `cargo build --release -p berth-docker-guard`",
            path.display()
        );
    }
    Ok(path)
}

async fn build_image(docker: &Docker, dir: &Path, tag: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = spinner(format!("building {tag}"));
    let mut context = tar::Builder::new(Vec::new());
    // The engine's tar reader knows no sparse entries.
    context.sparse(false);
    context
        .append_dir_all(".", dir)
        .with_context(|| format!("reading {}", dir.display()))?;
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile"))?;
    if dockerfile.contains(GUARD) {
        let guard = guard_binary()?;
        context
            .append_path_with_name(&guard, GUARD)
            .with_context(|| format!("reading {}", guard.display()))?;
    }
    let context = context.into_inner()?;
    let args = HashMap::from([("BASE", BASE_IMAGE)]);
    let labels = HashMap::from([("org.berth.playground", tag)]);
    let options = BuildImageOptionsBuilder::new()
        .t(tag)
        .rm(true)
        .forcerm(true)
        .buildargs(&args)
        .labels(&labels)
        .build();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    let mut log = Vec::new();
    while let Some(step) = stream.next().await {
        let step = match step {
            Ok(step) => step,
            Err(e) => {
                bar.abandon();
                bail!("building {tag} failed: {e}\n{}", log.join(""));
            }
        };
        if let Some(line) = step.stream {
            if !line.trim().is_empty() {
                bar.set_message(line.trim().to_string());
            }
            log.push(line);
        }
        if let Some(error) = step.error_detail.and_then(|d| d.message) {
            bar.abandon();
            bail!("building {tag} failed: {error}\n{}", log.join(""));
        }
    }
    done(bar, &format!("{tag} from {}", dir.display()), started);
    Ok(())
}
