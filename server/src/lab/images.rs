//! `berth images build`: the lab images, made here with no registry. The
//! base is a Debian root file system from debootstrap, imported into the
//! engine; each folder of `playground/` with a Dockerfile builds on it.

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, CreateImageOptionsBuilder, PushImageOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptions, TagImageOptionsBuilder,
};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::docker::DockerRuntime;
use super::mirror;

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
    fill_mirror(docker, &args).await
}

/// What docker labs pull: `playground/mirror/images/<name>/` holds a
/// Dockerfile and `tags`, published as `<name>:<tag>` for each tag.
pub struct CourseImage {
    pub name: String,
    pub dir: PathBuf,
    pub tags: Vec<String>,
}

impl CourseImage {
    /// The engine's name for the built image, before it is published.
    fn local(&self) -> String {
        format!("berth/course-{}", self.name)
    }
}

/// The course images under `dir`, sorted by name.
pub fn course_images(dir: &Path) -> anyhow::Result<Vec<CourseImage>> {
    let mut images = Vec::new();
    for folder in playground_images(dir) {
        let path = dir.join(&folder).join("tags");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let tags: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        let valid = |t: &String| {
            t.len() <= 128
                && !t.starts_with(['.', '-'])
                && t.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        };
        if tags.is_empty() || !tags.iter().all(valid) {
            bail!(
                "{}: list one or more tags (letters, digits, _ . -), separated by spaces",
                path.display()
            );
        }
        images.push(CourseImage {
            name: folder.clone(),
            dir: dir.join(folder),
            tags,
        });
    }
    Ok(images)
}

/// Builds the registry and the course images, and publishes the images
/// into the mirror's volume through a registry that takes pushes on
/// loopback for as long as this runs.
async fn fill_mirror(docker: &Docker, args: &BuildArgs) -> anyhow::Result<()> {
    let root = args.playground.join("mirror");
    let images = course_images(&root.join("images"))?;
    if images.is_empty() {
        return Ok(());
    }
    if !(args.missing && exists(docker, mirror::IMAGE).await) {
        build_image(docker, &root.join("registry"), mirror::IMAGE).await?;
    }
    for image in &images {
        if !(args.missing && exists(docker, &image.local()).await) {
            build_image(docker, &image.dir, &image.local()).await?;
        }
    }
    let filler = Filler::start(docker).await?;
    let published = filler.publish(&images).await;
    filler.stop().await;
    published?;
    mirror::Mirror::default()
        .ensure(docker)
        .await
        .context("starting the registry mirror")?;
    Ok(())
}

/// A registry on the mirror's volume that takes pushes, on loopback only.
struct Filler<'a> {
    docker: &'a Docker,
    port: u16,
}

const FILLER: &str = "berth-mirror-fill";

impl<'a> Filler<'a> {
    async fn start(docker: &'a Docker) -> anyhow::Result<Self> {
        let _ = docker
            .remove_container(FILLER, Some(RemoveContainerOptionsBuilder::new().force(true).build()))
            .await;
        let binding = PortBinding {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(String::new()),
        };
        let body = ContainerCreateBody {
            image: Some(mirror::IMAGE.into()),
            cmd: Some(vec!["/etc/berth-registry/fill.yml".into()]),
            host_config: Some(HostConfig {
                binds: Some(vec![mirror::data_mount()]),
                port_bindings: Some(HashMap::from([("5000/tcp".to_string(), Some(vec![binding]))])),
                cap_drop: Some(vec!["ALL".into()]),
                readonly_rootfs: Some(true),
                auto_remove: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::new().name(FILLER).build();
        docker.create_container(Some(options), body).await?;
        docker.start_container(FILLER, None).await?;
        let port = docker
            .inspect_container(FILLER, None)
            .await?
            .network_settings
            .and_then(|n| n.ports)
            .and_then(|p| p.get("5000/tcp").cloned().flatten())
            .and_then(|b| b.first()?.host_port.as_ref()?.parse().ok())
            .context("the registry that takes pushes published no port")?;
        Ok(Self { docker, port })
    }

    async fn publish(&self, images: &[CourseImage]) -> anyhow::Result<()> {
        for image in images {
            let started = Instant::now();
            let bar = spinner(format!("publishing {} to the mirror", image.name));
            // The engine counts 127.0.0.1 as a registry that may speak plain HTTP.
            let repo = format!("127.0.0.1:{}/library/{}", self.port, image.name);
            for tag in &image.tags {
                let options = TagImageOptionsBuilder::new().repo(&repo).tag(tag).build();
                self.docker.tag_image(&image.local(), Some(options)).await?;
                let pushed = self.push(&repo, tag, &bar).await;
                let _ = self
                    .docker
                    .remove_image(&format!("{repo}:{tag}"), None::<RemoveImageOptions>, None)
                    .await;
                pushed.with_context(|| format!("publishing {}:{tag}", image.name))?;
            }
            done(
                bar,
                &format!("{} as {} in the mirror", image.name, image.tags.join(", ")),
                started,
            );
        }
        Ok(())
    }

    /// Pushes one tag, trying again while the registry is still starting.
    async fn push(&self, repo: &str, tag: &str, bar: &ProgressBar) -> anyhow::Result<()> {
        let mut attempt = 0;
        loop {
            let options = PushImageOptionsBuilder::new().tag(tag).build();
            let mut stream = self.docker.push_image(repo, Some(options), None);
            let mut failure = None;
            while let Some(step) = stream.next().await {
                match step {
                    Ok(info) => {
                        if let Some(error) = info.error_detail.and_then(|d| d.message) {
                            failure = Some(error);
                        } else if let Some(status) = info.status {
                            bar.set_message(format!("{tag}: {status}"));
                        }
                    }
                    Err(e) => failure = Some(e.to_string()),
                }
            }
            match failure {
                None => return Ok(()),
                Some(e) if attempt >= 10 => bail!("{e}"),
                Some(_) => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    async fn stop(self) {
        let options = RemoveContainerOptionsBuilder::new().force(true).build();
        let _ = self.docker.remove_container(FILLER, Some(options)).await;
    }
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
    slim(dir.path()).context("trimming the root file system")?;
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

/// What every image inherits is kept small: no package lists or caches
/// (each build runs `apt-get update`), and no documentation or
/// translations, now or in later installs (as Debian's slim images do).
fn slim(root: &Path) -> std::io::Result<()> {
    for dir in [
        "var/lib/apt/lists",
        "var/cache/apt",
        "usr/share/doc",
        "usr/share/man",
        "usr/share/info",
        "usr/share/locale",
    ] {
        let dir = root.join(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry?.path();
            // apt needs its `partial` folders; Debian wants copyrights kept.
            let keep = path.file_name().is_some_and(|n| n == "partial" || n == "archives");
            if keep {
                continue;
            }
            // Never follow a link: its target is on this machine, not in `root`.
            if path.symlink_metadata()?.is_dir() && dir.ends_with("usr/share/doc") {
                for file in std::fs::read_dir(&path)? {
                    let file = file?.path();
                    if file.file_name().is_some_and(|n| n != "copyright") {
                        remove(&file)?;
                    }
                }
            } else {
                remove(&path)?;
            }
        }
    }
    let archives = root.join("var/cache/apt/archives");
    if let Ok(entries) = std::fs::read_dir(&archives) {
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "deb") {
                std::fs::remove_file(path)?;
            }
        }
    }
    std::fs::write(
        root.join("etc/dpkg/dpkg.cfg.d/berth-slim"),
        "path-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n\
         path-exclude=/usr/share/man/*\npath-exclude=/usr/share/info/*\npath-exclude=/usr/share/locale/*\n",
    )
}

fn remove(path: &Path) -> std::io::Result<()> {
    if path.symlink_metadata()?.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
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
