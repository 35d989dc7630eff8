//! `berth images build`: the lab images, made here with no registry. The
//! base is a Debian root file system from debootstrap, imported into the
//! engine; each folder of `playground/` with a Dockerfile builds on it.

mod hosts;
mod server;
mod version;

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptions, CreateContainerOptionsBuilder, CreateImageOptionsBuilder,
    DownloadFromContainerOptionsBuilder, ListContainersOptionsBuilder, PushImageOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptions, TagImageOptionsBuilder,
};
use futures_util::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::docker::DockerRuntime;
use super::mirror;
use berth_app::model::Millis;
pub use version::{Installed, VERSION_LABEL};

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
    /// Only build images that do not exist yet (or whose version no longer
    /// matches their tags).
    #[arg(long, conflicts_with = "refresh")]
    pub missing: bool,
    /// Install Debian's current packages again: the install step of every
    /// Dockerfile that declares `ARG BERTH_REFRESH` runs instead of coming
    /// from the build cache.
    #[arg(long)]
    pub refresh: bool,
    /// Make the Debian base again even if it exists.
    #[arg(long)]
    pub rebuild_base: bool,
    /// The Debian mirror debootstrap downloads from.
    #[arg(long, env = "BERTH_DEBIAN_MIRROR", default_value = "http://deb.debian.org/debian")]
    pub mirror: String,
    /// Also build the Berth server's own image (for compose.yaml) from this
    /// berth, its guard, the site and the course.
    #[arg(long)]
    pub server: bool,
    /// The server image's name; it is tagged `latest` and with the version.
    #[arg(long, default_value = server::IMAGE)]
    pub server_image: String,
    /// The built front end the server image serves (default: as `berth serve` finds it).
    #[arg(long, env = "BERTH_SITE_DIR", default_value_os_t = crate::install::default_site_dir(), hide_default_value = true)]
    pub site_dir: PathBuf,
    /// The course the server image serves.
    #[arg(long, env = "BERTH_CONTENT", default_value = "content")]
    pub content: PathBuf,
    /// Then copy the lab images and the mirror's course images to this lab
    /// host (`berth hosts list`) and start its mirror; repeatable.
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<berth_app::model::HostName>,
    /// Then do so for every listed lab host.
    #[arg(long, conflicts_with = "hosts")]
    pub all_hosts: bool,
}

impl BuildArgs {
    /// Whether images go to lab hosts too (read from the store).
    pub fn copies_to_hosts(&self) -> bool {
        self.all_hosts || !self.hosts.is_empty()
    }
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

/// Whether a lab image can keep the learner's shell in tmux, as terminals
/// need (images built before Berth did so cannot).
pub fn runs_persistent_shells(image: &bollard::models::ImageInspect) -> bool {
    let labels = image.config.as_ref().and_then(|c| c.labels.as_ref());
    labels
        .and_then(|l| l.get(super::docker::TERMINAL_LABEL))
        .map(String::as_str)
        == Some("tmux")
}

async fn exists(docker: &Docker, image: &str) -> bool {
    docker.inspect_image(image).await.is_ok()
}

/// Builds the images; with `store` (which lists the lab hosts), copies
/// them to the hosts `args` names too.
pub async fn build(args: BuildArgs, store: Option<crate::store::Store>) -> anyhow::Result<()> {
    let docker = DockerRuntime::default()
        .client()
        .await
        .context("cannot reach the container engine: start dockerd (or set DOCKER_HOST) and try again")?;
    let docker = &docker;
    if args.server {
        server::check_inputs(&args.site_dir, &args.content)?;
    }
    let images = playground_images(&args.playground);
    if images.is_empty() {
        bail!(
            "no lab images in {}: each image is a folder with a Dockerfile",
            args.playground.display()
        );
    }
    // Hosts are checked before anything is built.
    let targets = match store.filter(|_| args.copies_to_hosts()) {
        Some(store) => {
            let targets = hosts::targets(&store, &args.hosts, args.all_hosts).await?;
            Some((store, targets))
        }
        None => None,
    };
    let what = if targets.is_some() { "images or hosts" } else { "images" };
    // Every image builds on the base: without it nothing else can.
    if args.rebuild_base || !exists(docker, BASE_IMAGE).await {
        build_base(docker, &args.mirror).await?;
    } else {
        println!("✓ {BASE_IMAGE} is there (use --rebuild-base to make it again)");
    }
    let refresh = args
        .refresh
        .then(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
        .map(|t| t.to_string());
    let build = Build {
        docker,
        args: &args,
        refresh: refresh.as_deref(),
    };
    let mut failures = Vec::new();
    let mut total = 0;
    for name in &images {
        total += 1;
        let tag = image_name(name);
        if args.missing {
            match docker.inspect_image(&tag).await {
                Ok(image) if runs_persistent_shells(&image) => {
                    println!("✓ {tag} is there");
                    continue;
                }
                Ok(_) => println!("• {tag} predates persistent terminals (no tmux): building it again"),
                Err(_) => {}
            }
        }
        if let Err(e) = build.image(&args.playground.join(name), &tag, true).await {
            failures.push(Failure::new(&tag, e));
        }
    }
    total += build.fill_mirror(&mut failures).await;
    if args.server {
        total += 1;
        if let Err(e) = build.server().await {
            failures.push(Failure::new(&args.server_image, format!("{e:#}")));
        }
    }
    if let Some((store, targets)) = targets {
        let lab_images: Vec<String> = images.iter().map(|name| image_name(name)).collect();
        for host in &targets {
            total += 1;
            if let Err(e) = hosts::copy_to(docker, &store, host, &lab_images).await {
                failures.push(Failure::new(&format!("lab host {}", host.name), format!("{e:#}")));
            }
        }
        store.close().await;
    }
    if failures.is_empty() {
        return Ok(());
    }
    eprintln!();
    eprintln!(
        "✗ {} of {total} {what} failed; the others were built and published:",
        failures.len()
    );
    for failure in &failures {
        eprintln!("\n{failure}");
    }
    eprintln!();
    bail!("{} of the {what} failed (see above)", failures.len())
}

/// An image that could not be built or published, and why.
#[derive(Debug)]
struct Failure {
    image: String,
    cause: String,
}

impl Failure {
    fn new(image: &str, cause: impl std::fmt::Display) -> Self {
        Self {
            image: image.to_string(),
            cause: cause.to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "  ✗ {}", self.image)?;
        for line in self.cause.lines() {
            writeln!(f, "      {line}")?;
        }
        Ok(())
    }
}

/// A build that failed: the engine's message and the last lines of the log.
#[derive(Debug, thiserror::Error)]
#[error("{message}\n{}", tail.join("\n"))]
struct BuildError {
    message: String,
    tail: Vec<String>,
}

/// Lines of a failed build's log worth showing: enough to see the failing
/// step and its output, not the whole build.
const TAIL_LINES: usize = 15;

fn tail(log: &[String]) -> Vec<String> {
    // Colours (the engine paints stderr red) and the builder's bookkeeping.
    let colour = regex::Regex::new("\x1b\\[[0-9;]*m").expect("valid");
    let noise = ["Removing intermediate container", "---> Running in", "---> Using cache"];
    let lines: Vec<String> = log
        .iter()
        .flat_map(|chunk| chunk.lines())
        .map(|l| colour.replace_all(l, "").trim_end().to_string())
        .filter(|l| !l.trim().is_empty() && !noise.iter().any(|n| l.trim_start().starts_with(n)))
        .collect();
    let from = lines.len().saturating_sub(TAIL_LINES);
    lines[from..].iter().map(|l| format!("│ {l}")).collect()
}

/// What docker labs pull: `playground/mirror/images/<name>/` holds a
/// Dockerfile and `tags`, published as `<name>:<tag>` for each tag, and as
/// the exact version the build installed (see [`version`]).
pub struct CourseImage {
    pub name: String,
    pub dir: PathBuf,
    pub tags: Vec<String>,
}

impl CourseImage {
    /// The engine's name for the built image, before it is published.
    pub fn local(&self) -> String {
        course_image_name(&self.name)
    }

    fn tags_file(&self) -> PathBuf {
        self.dir.join("tags")
    }
}

/// The engine's name for the course image `playground/mirror/images/<name>`.
pub fn course_image_name(name: &str) -> String {
    format!("berth/course-{name}")
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
        if let Some(exact) = tags.iter().find(|t| version::is_exact(t)) {
            bail!(
                "{}: `{exact}` is an exact version, which Debian's next update would make untrue; \
                 list only stable tags (e.g. `latest 17` or `1.26`): the build adds the exact version it installed",
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

/// The course images' folder in a playground.
pub fn course_images_dir(playground: &Path) -> PathBuf {
    playground.join("mirror").join("images")
}

/// One run of `berth images build`.
struct Build<'a> {
    docker: &'a Docker,
    args: &'a BuildArgs,
    /// A new value for `BERTH_REFRESH`, with `--refresh`.
    refresh: Option<&'a str>,
}

impl Build<'_> {
    /// Builds the registry and the course images, and publishes every one
    /// that built into the mirror's volume, through a registry that takes
    /// pushes on loopback for as long as this runs. Returns how many images
    /// it tried; their failures go into `failures`.
    async fn fill_mirror(&self, failures: &mut Vec<Failure>) -> usize {
        let root = self.args.playground.join("mirror");
        let images = match course_images(&course_images_dir(&self.args.playground)) {
            Ok(images) => images,
            Err(e) => {
                failures.push(Failure::new("course images", format!("{e:#}")));
                return 1;
            }
        };
        if images.is_empty() {
            return 0;
        }
        let docker = self.docker;
        let mut registry = true;
        if !(self.args.missing && exists(docker, mirror::IMAGE).await)
            && let Err(e) = self.image(&root.join("registry"), mirror::IMAGE, true).await
        {
            failures.push(Failure::new(mirror::IMAGE, e));
            registry = exists(docker, mirror::IMAGE).await;
        }
        let mut ready = Vec::new();
        for image in &images {
            match self.course_image(image).await {
                Ok(tags) => ready.push((image, tags)),
                Err(e) => failures.push(Failure::new(&image.local(), format!("{e:#}"))),
            }
        }
        if !registry || ready.is_empty() {
            return images.len() + 1;
        }
        match Filler::start(docker).await {
            Ok(filler) => {
                for (image, tags) in &ready {
                    if let Err(e) = filler.publish(image, tags).await {
                        failures.push(Failure::new(&format!("{} (publishing)", image.name), format!("{e:#}")));
                    }
                }
                filler.stop().await;
            }
            Err(e) => failures.push(Failure::new("registry mirror", format!("starting its filler: {e:#}"))),
        }
        if let Err(e) = mirror::RegistryMirror::default().ensure(docker).await {
            failures.push(Failure::new("registry mirror", format!("starting it: {e}")));
        }
        images.len() + 1
    }

    /// Builds one course image unless `--missing` finds a good one, and
    /// returns every tag to publish it under.
    async fn course_image(&self, image: &CourseImage) -> anyhow::Result<Vec<String>> {
        // Kept while it is still what the tags file promises.
        if self.args.missing
            && let Some(installed) = built_version(self.docker, &image.local()).await
            && version::check(&image.tags, &installed, &image.tags_file()).is_ok()
        {
            println!(
                "✓ {} is there ({} {})",
                image.local(),
                installed.package,
                installed.version
            );
            let upstream = installed.upstream()?;
            return Ok(version::all_tags(&image.tags, &upstream));
        }
        let id = self.image(&image.dir, &image.local(), false).await?;
        let installed = read_version(self.docker, &id).await.with_context(|| {
            format!(
                "{}/Dockerfile must write {}",
                image.dir.display(),
                version::VERSION_FILE
            )
        })?;
        let upstream = installed.upstream()?;
        version::check(&image.tags, &installed, &image.tags_file())?;
        self.finish(&id, image, &installed, &upstream).await?;
        Ok(version::all_tags(&image.tags, &upstream))
    }

    /// Names the built image, with its version as a label and, where the
    /// official image has one, as a variable (`PG_VERSION=17.12`).
    async fn finish(&self, id: &str, image: &CourseImage, installed: &Installed, upstream: &str) -> anyhow::Result<()> {
        let mut dockerfile = format!(
            "FROM {id}\nLABEL {}=\"{upstream}\" {}=\"{} {}\"\n",
            version::VERSION_LABEL,
            version::PACKAGE_LABEL,
            installed.package,
            installed.version
        );
        if let Some(env) = &installed.env {
            let valid = env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                bail!("{}: env={env} is not a variable name", version::VERSION_FILE);
            }
            dockerfile.push_str(&format!("ENV {env}={upstream}\n"));
        }
        let context = with_dockerfile(&dockerfile)?;
        let local = image.local();
        let what = format!("{local} is {} {upstream}", installed.package);
        self.run(context.into_inner()?, &local, true, &HashMap::new(), &what)
            .await?;
        Ok(())
    }
}

/// A build context holding a Dockerfile, for more files to be added.
fn with_dockerfile(dockerfile: &str) -> std::io::Result<tar::Builder<Vec<u8>>> {
    let mut context = tar::Builder::new(Vec::new());
    // The engine's tar reader knows no sparse entries.
    context.sparse(false);
    let mut header = tar::Header::new_gnu();
    header.set_size(dockerfile.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    context.append_data(&mut header, "Dockerfile", dockerfile.as_bytes())?;
    Ok(context)
}

/// The version a finished course image carries, if it has one.
async fn built_version(docker: &Docker, image: &str) -> Option<Installed> {
    let labels = docker.inspect_image(image).await.ok()?.config?.labels?;
    let upstream = labels.get(version::VERSION_LABEL)?;
    let (package, debian) = labels.get(version::PACKAGE_LABEL)?.split_once(' ')?;
    (version::upstream(debian).as_ref() == Some(upstream)).then(|| Installed {
        package: package.to_string(),
        version: debian.to_string(),
        env: None,
    })
}

/// Reads [`version::VERSION_FILE`] out of an image, through a container
/// that is created but never started (so `FROM scratch` images work too).
async fn read_version(docker: &Docker, image: &str) -> anyhow::Result<Installed> {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        // Never run; the engine only wants a command to create it.
        cmd: Some(vec!["true".into()]),
        ..Default::default()
    };
    let container = docker.create_container(None::<CreateContainerOptions>, body).await?.id;
    let options = DownloadFromContainerOptionsBuilder::new()
        .path(version::VERSION_FILE)
        .build();
    let archive: Result<Vec<_>, _> = docker
        .download_from_container(&container, Some(options))
        .try_collect()
        .await;
    let _ = docker
        .remove_container(
            &container,
            Some(RemoveContainerOptionsBuilder::new().force(true).build()),
        )
        .await;
    let archive = archive
        .with_context(|| format!("{} is not in the image", version::VERSION_FILE))?
        .concat();
    let mut text = String::new();
    let mut entries = tar::Archive::new(archive.as_slice());
    if let Some(entry) = entries.entries()?.next() {
        std::io::Read::read_to_string(&mut entry?, &mut text)?;
    }
    Ok(Installed::parse(&text)?)
}

/// Marks the containers a run makes to fill or copy the mirror's volume.
const HELPER_LABEL: &str = "org.berth.images-helper";
/// The longest a run uses one of them: older ones were left by a run that died.
const HELPER_LIFETIME: Duration = Duration::from_secs(3600);

/// Removes the helper containers of runs that died, once no run could
/// still be using them.
async fn remove_stale_helpers(docker: &Docker) -> anyhow::Result<()> {
    let filters = HashMap::from([("label", vec![HELPER_LABEL.to_string()])]);
    let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
    let stale_before = Millis::now().minus(HELPER_LIFETIME).get() / 1000;
    for old in docker.list_containers(Some(options)).await? {
        if old.created.is_some_and(|c| c < stale_before)
            && let Some(id) = old.id
        {
            remove_helper(docker, &id).await;
        }
    }
    Ok(())
}

/// A name of this run's own for a helper container: `prefix-RANDOM`. Runs
/// at once (two operators, a copy to each host in parallel) must never
/// remove each other's: with one fixed name, the second removed the
/// first's in mid-copy.
fn helper_name(prefix: &str) -> String {
    format!("{prefix}-{}", super::new_id())
}

/// The labels of a helper container.
fn helper_labels() -> HashMap<String, String> {
    HashMap::from([(HELPER_LABEL.to_string(), String::new())])
}

async fn remove_helper(docker: &Docker, name: &str) {
    let options = RemoveContainerOptionsBuilder::new().force(true).build();
    let _ = docker.remove_container(name, Some(options)).await;
}

/// A registry on the mirror's volume that takes pushes, on loopback only.
struct Filler<'a> {
    docker: &'a Docker,
    name: String,
    port: u16,
}

impl<'a> Filler<'a> {
    async fn start(docker: &'a Docker) -> anyhow::Result<Self> {
        remove_stale_helpers(docker).await?;
        let name = helper_name("berth-mirror-fill");
        let binding = PortBinding {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(String::new()),
        };
        let body = ContainerCreateBody {
            image: Some(mirror::IMAGE.into()),
            cmd: Some(vec!["/etc/berth-registry/fill.yml".into()]),
            labels: Some(helper_labels()),
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
        let options = CreateContainerOptionsBuilder::new().name(&name).build();
        docker.create_container(Some(options), body).await?;
        // Made, so removed whatever happens next.
        let mut filler = Self { docker, name, port: 0 };
        if let Err(e) = filler.listen().await {
            filler.stop().await;
            return Err(e);
        }
        Ok(filler)
    }

    /// Starts the registry and finds the port it was given.
    async fn listen(&mut self) -> anyhow::Result<()> {
        self.docker.start_container(&self.name, None).await?;
        self.port = self
            .docker
            .inspect_container(&self.name, None)
            .await?
            .network_settings
            .and_then(|n| n.ports)
            .and_then(|p| p.get("5000/tcp").cloned().flatten())
            .and_then(|b| b.first()?.host_port.as_ref()?.parse().ok())
            .context("the registry that takes pushes published no port")?;
        Ok(())
    }

    /// Publishes one image under each of its tags.
    async fn publish(&self, image: &CourseImage, tags: &[String]) -> anyhow::Result<()> {
        let started = Instant::now();
        let bar = spinner(format!("publishing {} to the mirror", image.name));
        // The engine counts 127.0.0.1 as a registry that may speak plain HTTP.
        let repo = format!("127.0.0.1:{}/library/{}", self.port, image.name);
        for tag in tags {
            let options = TagImageOptionsBuilder::new().repo(&repo).tag(tag).build();
            self.docker.tag_image(&image.local(), Some(options)).await?;
            let pushed = self.push(&repo, tag, &bar).await;
            let _ = self
                .docker
                .remove_image(&format!("{repo}:{tag}"), None::<RemoveImageOptions>, None)
                .await;
            if let Err(e) = pushed {
                bar.abandon();
                return Err(e.context(format!("publishing {}:{tag}", image.name)));
            }
        }
        done(
            bar,
            &format!("{} as {} in the mirror", image.name, tags.join(", ")),
            started,
        );
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
        remove_helper(self.docker, &self.name).await;
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

/// The build argument that, given a new value, makes a Dockerfile's install
/// step run again instead of coming from the build cache.
const REFRESH_ARG: &str = "BERTH_REFRESH";

impl Build<'_> {
    /// Builds the Dockerfile in `dir` for the image `name`, tagged so if
    /// `tag`; returns the image's id.
    async fn image(&self, dir: &Path, name: &str, tag: bool) -> Result<String, BuildError> {
        let failed = |message: String| BuildError {
            message,
            tail: Vec::new(),
        };
        let mut context = tar::Builder::new(Vec::new());
        // The engine's tar reader knows no sparse entries.
        context.sparse(false);
        context
            .append_dir_all(".", dir)
            .map_err(|e| failed(format!("reading {}: {e}", dir.display())))?;
        let dockerfile = std::fs::read_to_string(dir.join("Dockerfile"))
            .map_err(|e| failed(format!("reading {}/Dockerfile: {e}", dir.display())))?;
        if dockerfile.contains(GUARD) {
            let guard = guard_binary().map_err(|e| failed(format!("{e:#}")))?;
            context
                .append_path_with_name(&guard, GUARD)
                .map_err(|e| failed(format!("reading {}: {e}", guard.display())))?;
        }
        let context = context.into_inner().map_err(|e| failed(e.to_string()))?;
        let mut args = HashMap::from([("BASE", BASE_IMAGE)]);
        // Only to Dockerfiles that declare it: the engine warns of unused ones.
        if let Some(refresh) = self
            .refresh
            .filter(|_| dockerfile.contains(&format!("ARG {REFRESH_ARG}")))
        {
            args.insert(REFRESH_ARG, refresh);
        }
        let what = format!("{name} from {}", dir.display());
        self.run(context, name, tag, &args, &what).await
    }

    /// Runs one build of a tar context, showing its progress.
    async fn run(
        &self,
        context: Vec<u8>,
        name: &str,
        tag: bool,
        args: &HashMap<&str, &str>,
        what: &str,
    ) -> Result<String, BuildError> {
        let started = Instant::now();
        let bar = spinner(format!("building {name}"));
        let labels = HashMap::from([("org.berth.playground", name)]);
        let mut options = BuildImageOptionsBuilder::new()
            .rm(true)
            .forcerm(true)
            .buildargs(args)
            .labels(&labels);
        if tag {
            options = options.t(name);
        }
        let mut stream = self
            .docker
            .build_image(options.build(), None, Some(bollard::body_full(context.into())));
        let mut log = Vec::new();
        let mut id = None;
        while let Some(step) = stream.next().await {
            let error = match step {
                Ok(step) => {
                    if let Some(line) = step.stream {
                        if !line.trim().is_empty() {
                            bar.set_message(line.trim().to_string());
                        }
                        log.push(line);
                    }
                    if let Some(aux) = step.aux.and_then(|a| a.id) {
                        id = Some(aux);
                    }
                    step.error_detail.and_then(|d| d.message)
                }
                Err(e) => Some(e.to_string()),
            };
            if let Some(message) = error {
                bar.abandon();
                return Err(BuildError {
                    message,
                    tail: tail(&log),
                });
            }
        }
        done(bar, what, started);
        id.ok_or_else(|| BuildError {
            message: "the engine named no image for this build".into(),
            tail: tail(&log),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playground() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground")
    }

    /// Every Dockerfile under `dir`, however deep.
    fn dockerfiles(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("target") {
                dockerfiles(&path, found);
            } else if path.file_name().is_some_and(|n| n == "Dockerfile") {
                found.push(path);
            }
        }
    }

    /// A Dockerfile's instructions, continuation lines joined, comments out.
    fn instructions(text: &str) -> Vec<String> {
        let mut all = Vec::new();
        let mut current = String::new();
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            match line.trim_end().strip_suffix('\\') {
                Some(part) => current.push_str(part),
                None => {
                    current.push_str(line);
                    all.push(std::mem::take(&mut current));
                }
            }
        }
        all
    }

    /// What the no-pin rule finds in one Dockerfile.
    fn pins(text: &str) -> Vec<String> {
        let apt = regex::Regex::new(r"(?:^|\s)([a-z0-9][a-z0-9.+-]*=[0-9][^\s;&|]*)").unwrap();
        let env = regex::Regex::new(r"\b([A-Z0-9_]*VERSION)=([0-9][^\s]*)").unwrap();
        let mut found = Vec::new();
        for instruction in instructions(text) {
            let word = instruction.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            if word == "RUN" && (instruction.contains("apt-get install") || instruction.contains("apt install")) {
                found.extend(apt.captures_iter(&instruction).map(|c| c[1].to_string()));
            }
            if word == "ENV" || word == "ARG" {
                // A major alone (PG_MAJOR=17) picks a package; a version with
                // a dot pins one release.
                found.extend(
                    env.captures_iter(&instruction)
                        .filter(|c| c[2].contains('.'))
                        .map(|c| c[0].to_string()),
                );
            }
        }
        found
    }

    #[test]
    fn the_pin_rule_finds_apt_pins_and_version_variables() {
        let text = "FROM x\nENV PG_MAJOR=17 \\\n    PG_VERSION=17.11\n\
                    RUN apt-get update \\\n && apt-get install -y nginx=1.26.3-3 curl\n\
                    ARG NODE_VERSION=22.1.0\n# ENV OLD_VERSION=1.2\nRUN echo a=1.2\n";
        assert_eq!(
            pins(text),
            ["PG_VERSION=17.11", "nginx=1.26.3-3", "NODE_VERSION=22.1.0"].map(String::from)
        );
        assert!(pins("FROM x\nENV PG_MAJOR=17\nRUN apt-get install -y postgresql-$PG_MAJOR\n").is_empty());
    }

    /// Debian moves: an exact version anywhere in playground/ breaks a fresh
    /// install at the next point release.
    #[test]
    fn no_dockerfile_or_tags_file_in_the_playground_pins_an_exact_version() {
        let mut files = Vec::new();
        dockerfiles(&playground(), &mut files);
        assert!(files.len() >= 8, "{files:?}");
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let found = pins(&text);
            assert!(found.is_empty(), "{} pins {found:?}", file.display());
        }
        let courses = course_images(&course_images_dir(&playground())).expect("tags files are valid");
        assert!(courses.len() >= 6);
        for image in courses {
            for tag in &image.tags {
                assert!(!version::is_exact(tag), "{}: {tag}", image.tags_file().display());
            }
            let dockerfile = std::fs::read_to_string(image.dir.join("Dockerfile")).unwrap();
            assert!(
                dockerfile.contains(version::VERSION_FILE) || dockerfile.contains("etc/berth/version"),
                "{}/Dockerfile must record what it installed in {}",
                image.dir.display(),
                version::VERSION_FILE
            );
            assert!(
                dockerfile.contains(&format!("ARG {REFRESH_ARG}")),
                "{}/Dockerfile must declare ARG {REFRESH_ARG} before its install step",
                image.dir.display()
            );
        }
    }

    #[test]
    fn a_tags_file_with_an_exact_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("pg");
        std::fs::create_dir(&image).unwrap();
        std::fs::write(image.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(image.join("tags"), "latest 17 17.11.2\n").unwrap();
        let err = course_images(dir.path()).err().expect("refused").to_string();
        assert!(err.contains("`17.11.2` is an exact version"), "{err}");
        std::fs::write(image.join("tags"), "latest 17\n").unwrap();
        assert_eq!(course_images(dir.path()).unwrap()[0].tags, ["latest", "17"]);
    }

    #[test]
    fn a_failed_build_shows_the_end_of_its_log() {
        let mut log: Vec<String> = (1..=40).map(|i| format!("line {i}\n\n")).collect();
        log.push(" ---> Running in 0123abcd\n".into());
        log.insert(39, "\x1b[91mline 40\n\x1b[0m".into());
        log.remove(40);
        let shown = tail(&log);
        assert_eq!(shown.len(), TAIL_LINES);
        assert_eq!(shown.first().unwrap(), "│ line 26");
        assert_eq!(shown.last().unwrap(), "│ line 40");
    }
}
