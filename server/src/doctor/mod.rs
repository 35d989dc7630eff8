//! `berth doctor`: what an operator runs before a class. It reads the same
//! flags and variables as `berth serve`, changes nothing, and prints one
//! row per part of the install (✓ fine, ! worth knowing, ✗ labs or pages
//! will fail), with what it found and how to fix it. Any ✗ makes it exit
//! non-zero.

pub mod references;

use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecResults};
use futures_util::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::ServeConfig;
use crate::content::{self, Loaded};
use crate::lab::docker::{DockerRuntime, Runtimes};
use crate::lab::images::{self, BASE_IMAGE, CourseImage, VERSION_LABEL};
use crate::lab::mirror;
use crate::store::{self, Database, redact};
use references::{ImageRef, Located, Use};

#[derive(Clone, Debug, clap::Args)]
pub struct DoctorArgs {
    /// Only what labs need: the engine, the lab and course images, the registry mirror.
    #[arg(long)]
    pub labs: bool,
    #[command(flatten)]
    pub serve: ServeConfig,
}

/// How a row came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Ok,
    /// Works, but worth knowing.
    Warn,
    /// Something learners will hit.
    Fail,
}

/// One line of the report.
#[derive(Debug)]
pub struct Row {
    pub mark: Mark,
    pub check: &'static str,
    pub found: String,
    pub fix: Option<String>,
}

impl Row {
    fn ok(check: &'static str, found: impl Into<String>) -> Self {
        Self {
            mark: Mark::Ok,
            check,
            found: found.into(),
            fix: None,
        }
    }

    fn warn(check: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::with_fix(Mark::Warn, check, found.into(), fix.into())
    }

    fn fail(check: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::with_fix(Mark::Fail, check, found.into(), fix.into())
    }

    fn with_fix(mark: Mark, check: &'static str, found: String, fix: String) -> Self {
        Self {
            mark,
            check,
            found,
            fix: Some(fix),
        }
    }
}

/// Width of the check's name column.
const NAME: usize = 15;

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = match self.mark {
            Mark::Ok => "✓",
            Mark::Warn => "!",
            Mark::Fail => "✗",
        };
        let pad = " ".repeat(NAME + 4);
        let mut lines = self.found.lines();
        writeln!(f, "{mark} {:<NAME$} {}", self.check, lines.next().unwrap_or(""))?;
        for line in lines {
            writeln!(f, "{pad}{line}")?;
        }
        if let Some(fix) = &self.fix {
            for (i, line) in fix.lines().enumerate() {
                writeln!(f, "{pad}{} {line}", if i == 0 { "→" } else { " " })?;
            }
        }
        Ok(())
    }
}

pub async fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let rows = check(&args).await;
    for row in &rows {
        print!("{row}");
    }
    let count = |mark| rows.iter().filter(|r| r.mark == mark).count();
    let (failed, warned) = (count(Mark::Fail), count(Mark::Warn));
    println!();
    if failed > 0 {
        anyhow::bail!("{failed} problem(s) to fix (✗), {warned} warning(s) (!)");
    }
    println!("Ready: {} checks passed, {warned} warning(s).", rows.len() - warned);
    Ok(())
}

/// Every check, in order; `--labs` keeps those labs depend on.
pub async fn check(args: &DoctorArgs) -> Vec<Row> {
    let config = &args.serve;
    let mut rows = Vec::new();
    let playground = &config.labs.playground;
    let lab_images = images::playground_images(playground);
    let loaded = content::load(&config.content, &lab_images);
    if !args.labs {
        rows.push(database(&config.database.database_url).await);
        rows.push(course(&config.content, &loaded));
        rows.push(site(&config.site_dir));
    }
    let loaded = loaded.ok();
    let (engine, docker) = engine(&config.labs.runtimes).await;
    rows.push(engine);
    let references = references::scan_course(&config.content);
    if let Some(docker) = &docker {
        rows.push(lab_images_row(docker, &lab_images, loaded.as_ref()).await);
        let course_images = images::course_images(&images::course_images_dir(playground));
        rows.push(course_images_row(docker, &course_images).await);
        rows.extend(mirror_rows(docker, config.labs.mirror_upstream.as_deref(), &references).await);
    }
    if !args.labs
        && let Some(row) = lab_hosts(&config.database.database_url, &lab_images, loaded.as_ref()).await
    {
        rows.push(row);
    }
    if !args.labs {
        rows.push(debootstrap(docker.as_ref()).await);
        rows.extend(headroom(config.labs.max_labs, loaded.as_ref(), docker.as_ref()).await);
    }
    rows
}

async fn database(url: &str) -> Row {
    const CHECK: &str = "database";
    let shown = redact(url);
    let fix = "check --database-url (BERTH_DATABASE_URL): is the server up, are the name and password right?";
    match store::migration_status(url).await {
        Ok(status) => {
            let backend = match status.database {
                Database::Sqlite => "SQLite",
                Database::Postgres => "PostgreSQL",
            };
            let (unknown, pending) = (status.unknown(), status.pending());
            if !unknown.is_empty() {
                Row::fail(
                    CHECK,
                    format!(
                        "{backend} {shown}: migrated by a newer Berth (migrations {unknown:?} are unknown to this one)"
                    ),
                    "run the Berth that migrated it, or restore the backup taken before the upgrade",
                )
            } else if !pending.is_empty() {
                Row::warn(
                    CHECK,
                    format!(
                        "{backend} {shown}: {} of {} migrations applied",
                        status.applied.len(),
                        status.known.len()
                    ),
                    format!("`berth serve` applies the other {} when it starts", pending.len()),
                )
            } else {
                Row::ok(
                    CHECK,
                    format!(
                        "{backend} {shown}: reachable, all {} migrations applied",
                        status.known.len()
                    ),
                )
            }
        }
        Err(e) => {
            let missing_file =
                Database::of(url).ok() == Some(Database::Sqlite) && !sqlite_file(url).is_some_and(|p| p.exists());
            if missing_file {
                Row::warn(
                    CHECK,
                    format!("SQLite {shown}: no database yet"),
                    "`berth serve` creates it (or point --database-url at the one you use)",
                )
            } else {
                Row::fail(CHECK, format!("{shown}: {e}"), fix)
            }
        }
    }
}

fn sqlite_file(url: &str) -> Option<PathBuf> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

fn course(dir: &Path, loaded: &Result<Loaded, content::ContentErrors>) -> Row {
    const CHECK: &str = "course";
    const SHOWN: usize = 10;
    match loaded {
        Ok(loaded) => {
            let lessons: usize = loaded.course.modules.iter().map(|m| m.lessons.len()).sum();
            let exercises: usize = loaded.labs.values().map(|l| l.exercises.len()).sum();
            Row::ok(
                CHECK,
                format!(
                    "{}: {} modules, {lessons} lessons, {exercises} exercises, {} quizzes",
                    dir.display(),
                    loaded.course.modules.len(),
                    loaded.quizzes.len()
                ),
            )
        }
        Err(errors) => {
            let mut found = format!("{}: {} problem(s)", dir.display(), errors.0.len());
            for e in errors.0.iter().take(SHOWN) {
                found.push_str(&format!("\n{e}"));
            }
            if errors.0.len() > SHOWN {
                found.push_str(&format!("\n… and {} more", errors.0.len() - SHOWN));
            }
            Row::fail(
                CHECK,
                found,
                format!(
                    "fix each one (`berth content check {}` lists them all); `berth serve` refuses this course",
                    dir.display()
                ),
            )
        }
    }
}

fn site(dir: &Path) -> Row {
    const CHECK: &str = "site bundle";
    let fix = "run `cargo xtask build` in the same checkout as this berth (or point --site-dir at its site)";
    let site = match crate::site::Site::load(dir) {
        Ok(site) => site,
        Err(e) => return Row::fail(CHECK, format!("{}: {e}", dir.display()), fix),
    };
    if !site.has_bundle() {
        return Row::fail(
            CHECK,
            format!(
                "{}: no browser bundle: pages work, nothing interactive does",
                dir.display()
            ),
            fix,
        );
    }
    let ours = crate::site::BUILD_ID;
    match std::fs::read_to_string(dir.join(crate::site::BUILD_ID_FILE)) {
        Ok(theirs) if theirs.trim() == ours => Row::ok(
            CHECK,
            format!(
                "{}: built from the same sources as this berth ({})",
                dir.display(),
                short(ours)
            ),
        ),
        Ok(theirs) => Row::fail(
            CHECK,
            format!(
                "{}: built from other sources ({}) than this berth ({}): pages may fail to hydrate",
                dir.display(),
                short(theirs.trim()),
                short(ours)
            ),
            fix,
        ),
        Err(_) => Row::fail(
            CHECK,
            format!("{}: no {} (an older build)", dir.display(), crate::site::BUILD_ID_FILE),
            fix,
        ),
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

async fn engine(wanted: &Runtimes) -> (Row, Option<Docker>) {
    const CHECK: &str = "Docker engine";
    let host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "the local socket".into());
    let docker = match DockerRuntime::default().client().await {
        Ok(docker) => docker,
        Err(e) => {
            return (
                Row::fail(
                    CHECK,
                    format!("cannot reach it at {host}: {e}\nno lab can start; images and mirror not checked"),
                    "start dockerd (e.g. `systemctl start docker`) or set DOCKER_HOST to the engine's address",
                ),
                None,
            );
        }
    };
    let (version, info) = match (docker.version().await, docker.info().await) {
        (Ok(version), Ok(info)) => (version, info),
        (Err(e), _) | (_, Err(e)) => {
            return (
                Row::fail(
                    CHECK,
                    format!("{host} answers, but not to version and info: {e}"),
                    "check the engine's log",
                ),
                None,
            );
        }
    };
    let cgroup = info
        .cgroup_version
        .map(|v| format!("cgroup v{v}"))
        .unwrap_or_else(|| "cgroup ?".into());
    let runtimes: BTreeSet<String> = info.runtimes.unwrap_or_default().into_keys().collect();
    let found = format!(
        "Docker {} (API {}), {cgroup}, storage {}, runtimes {}",
        version.version.unwrap_or_default(),
        version.api_version.unwrap_or_default(),
        info.driver.unwrap_or_default(),
        runtimes.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    let missing: Vec<_> = wanted.named().filter(|(name, _)| !runtimes.contains(*name)).collect();
    let row = if missing.is_empty() {
        let under: Vec<String> = wanted.named().map(|(name, flag)| format!("{flag} {name}")).collect();
        match under.is_empty() {
            true => Row::ok(CHECK, found),
            false => Row::ok(CHECK, format!("{found}; labs run under {}", under.join(", "))),
        }
    } else {
        let lines: Vec<String> = missing
            .iter()
            .map(|(name, flag)| format!("the runtime `{name}` ({flag}) is not registered: those labs fail"))
            .collect();
        Row::fail(
            CHECK,
            format!("{found}\n{}", lines.join("\n")),
            "register it under \"runtimes\" in /etc/docker/daemon.json and restart dockerd \
             (docs/operations.md shows runsc's entry), or drop the flag",
        )
    };
    (row, Some(docker))
}

/// Each lab host `berth hosts` lists: whether it answers and has the lab
/// images the course uses. No row on one machine (no host listed), or
/// when the database row already failed.
async fn lab_hosts(url: &str, defined: &[String], loaded: Option<&Loaded>) -> Option<Row> {
    const CHECK: &str = "lab hosts";
    // Opening migrates: only a database that needs no migration is opened.
    let status = store::migration_status(url).await.ok()?;
    if !status.pending().is_empty() || !status.unknown().is_empty() {
        return None;
    }
    let store = store::Store::open(url).await.ok()?;
    let loads = store.host_loads().await;
    let loads = match loads {
        Ok(loads) if loads.is_empty() => return None,
        Ok(loads) => loads,
        Err(e) => return Some(Row::fail(CHECK, format!("cannot read them: {e}"), "check the database")),
    };
    let wanted: Vec<String> = match loaded {
        Some(_) => exercises_by_image(loaded).into_keys().collect(),
        None => defined.to_vec(),
    };
    let (mut lines, mut failed) = (Vec::new(), false);
    for load in &loads {
        let host = &load.host;
        let usage = format!(
            "{} {}, labs {}/{}, memory {}/{} MiB",
            host.name, host.state, load.labs, host.max_labs, load.memory_mb, host.memory_mb
        );
        let answer = async {
            let endpoint = crate::lab::hosts::endpoint(host).map_err(|e| e.to_string())?;
            let (docker, version) = endpoint.open().await.map_err(|e| e.to_string())?;
            // What placement knows of the host is refreshed on the way.
            let usable = crate::lab::hosts::usable_images(&docker)
                .await
                .map_err(|e| e.to_string())?;
            store
                .set_host_images(&host.name, &usable)
                .await
                .map_err(|e| e.to_string())?;
            let mut missing = Vec::new();
            for image in wanted.iter().map(|i| images::image_name(i)) {
                if usable.contains(&image) {
                    continue;
                }
                missing.push(match docker.inspect_image(&image).await {
                    Ok(_) => format!("{image} (its registry mirror serves no course image)"),
                    Err(_) => image,
                });
            }
            Ok::<_, String>((version, missing))
        };
        let line = match answer.await {
            Ok((version, missing)) if missing.is_empty() => format!("{usage}: Docker {version}"),
            Ok((version, missing)) => {
                failed |= host.state != berth_app::model::HostState::Draining;
                format!("{usage}: Docker {version}, missing {}", missing.join(", "))
            }
            Err(e) => {
                failed |= host.state != berth_app::model::HostState::Draining;
                format!("{usage}: does not answer ({e})")
            }
        };
        lines.push(line);
    }
    store.close().await;
    let found = lines.join("\n");
    Some(match failed {
        true => Row::fail(
            CHECK,
            found,
            "start the host's engine, or copy the images and the mirror's course images to it \
             (`berth images build --all-hosts`); `berth hosts drain NAME` keeps labs off it meanwhile",
        ),
        false => Row::ok(CHECK, found),
    })
}

/// How long ago an engine timestamp was, in words.
fn age(created: Option<&str>) -> String {
    let Some(then) =
        created.and_then(|c| time::OffsetDateTime::parse(c, &time::format_description::well_known::Rfc3339).ok())
    else {
        return "age unknown".into();
    };
    let seconds = (time::OffsetDateTime::now_utc() - then).whole_seconds().max(0);
    match seconds {
        s if s < 3600 => format!("{} min old", s / 60),
        s if s < 2 * 86400 => format!("{} h old", s / 3600),
        s => format!("{} days old", s / 86400),
    }
}

/// Exercises, by lab image, as `module/exercise`.
fn exercises_by_image(loaded: Option<&Loaded>) -> BTreeMap<String, Vec<String>> {
    let mut by_image: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (module, lab) in loaded.map(|l| &l.labs).into_iter().flatten() {
        for e in &lab.exercises {
            by_image
                .entry(e.image.clone())
                .or_default()
                .push(format!("{module}/{}", e.id));
        }
    }
    by_image
}

/// A few names and how many more.
fn some(names: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut text = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

async fn lab_images_row(docker: &Docker, defined: &[String], loaded: Option<&Loaded>) -> Row {
    const CHECK: &str = "lab images";
    let used = exercises_by_image(loaded);
    // Without a course, every image the playground defines.
    let wanted: Vec<String> = if loaded.is_some() {
        used.keys().cloned().collect()
    } else {
        defined.to_vec()
    };
    let (mut present, mut missing, mut stale) = (Vec::new(), Vec::new(), Vec::new());
    for image in &wanted {
        let name = images::image_name(image);
        let exercises = used.get(image).cloned().unwrap_or_default();
        let count = exercises.len();
        let (list, what) = match docker.inspect_image(&name).await {
            Ok(i) if images::runs_persistent_shells(&i) => {
                present.push(format!("{name} ({})", age(i.created.as_deref())));
                continue;
            }
            Ok(_) => (
                &mut stale,
                format!(
                    "predates persistent terminals (no tmux): {count} exercise(s) get a shell that ends with each connection"
                ),
            ),
            Err(_) => (
                &mut missing,
                format!("is missing: {count} exercise(s) cannot start a lab"),
            ),
        };
        list.push(format!("{name} {what} ({})", some(&exercises)));
    }
    if wanted.is_empty() {
        return Row::ok(CHECK, "no exercise needs a lab");
    }
    const FIX: &str = "berth images build --missing";
    if !missing.is_empty() {
        Row::fail(CHECK, [missing, stale].concat().join("\n"), FIX)
    } else if !stale.is_empty() {
        Row::warn(CHECK, stale.join("\n"), FIX)
    } else {
        Row::ok(CHECK, present.join(", "))
    }
}

async fn course_images_row(docker: &Docker, course_images: &anyhow::Result<Vec<CourseImage>>) -> Row {
    const CHECK: &str = "course images";
    let course_images = match course_images {
        Ok(list) if list.is_empty() => return Row::ok(CHECK, "the playground defines none"),
        Ok(list) => list,
        Err(e) => return Row::fail(CHECK, format!("{e:#}"), "fix the tags file named"),
    };
    let (mut present, mut missing) = (Vec::new(), Vec::new());
    for image in course_images {
        match docker.inspect_image(&image.local()).await {
            Ok(i) => {
                let labels = i.config.and_then(|c| c.labels).unwrap_or_default();
                let version = labels.get(VERSION_LABEL).map_or("no version", String::as_str);
                present.push(format!("{} {version} ({})", image.name, age(i.created.as_deref())));
            }
            Err(_) => missing.push(image.local()),
        }
    }
    if missing.is_empty() {
        Row::ok(CHECK, present.join(", "))
    } else {
        Row::fail(
            CHECK,
            format!("missing {}; built: {}", missing.join(", "), present.join(", ")),
            "berth images build --missing (it lists why an image fails)",
        )
    }
}

/// Reads the tags the mirror serves for `repository`, from inside its own
/// container (the mirror has no port on the host).
async fn served_tags(docker: &Docker, repository: &str) -> anyhow::Result<BTreeSet<String>> {
    let request = format!(
        "exec 3<>/dev/tcp/127.0.0.1/5000 && printf 'GET /v2/library/{repository}/tags/list HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3"
    );
    let exec = docker
        .create_exec(
            mirror::CONTAINER,
            CreateExecOptions {
                attach_stdout: Some(true),
                cmd: Some(vec!["bash".into(), "-c".into(), request]),
                ..Default::default()
            },
        )
        .await?;
    let StartExecResults::Attached { mut output, .. } = docker.start_exec(&exec.id, None).await? else {
        anyhow::bail!("the mirror's exec did not attach");
    };
    let mut response = Vec::new();
    while let Some(chunk) = output.next().await {
        response.extend_from_slice(&chunk?.into_bytes());
    }
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    if head.contains(" 404 ") {
        return Ok(BTreeSet::new());
    }
    if !head.contains(" 200 ") {
        anyhow::bail!("the mirror answered {}", head.lines().next().unwrap_or("nothing"));
    }
    let list: serde_json::Value = serde_json::from_str(body)?;
    Ok(list["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect())
}

async fn mirror_rows(docker: &Docker, upstream: Option<&str>, references: &[Located]) -> Vec<Row> {
    const CHECK: &str = "registry mirror";
    let running = docker
        .inspect_container(mirror::CONTAINER, None)
        .await
        .ok()
        .and_then(|c| c.state?.running)
        .unwrap_or(false);
    if !running {
        return vec![Row::fail(
            CHECK,
            format!(
                "{} is not running: docker labs cannot pull any image",
                mirror::CONTAINER
            ),
            "berth images build (it fills and starts the mirror); berth serve starts it too",
        )];
    }
    if let Some(url) = upstream {
        return vec![Row::ok(CHECK, format!("running as a pull-through cache of {url}"))];
    }
    let needed: Vec<&Located> = references.iter().filter(|l| l.found.used == Use::Pulled).collect();
    let shown: Vec<&Located> = references.iter().filter(|l| l.found.used == Use::Shown).collect();
    let repositories: BTreeSet<&str> = needed
        .iter()
        .chain(&shown)
        .filter(|l| l.found.image.from_hub_library())
        .map(|l| l.found.image.repository.as_str())
        .collect();
    let mut served: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for repository in repositories {
        match served_tags(docker, repository).await {
            Ok(tags) => {
                served.insert(repository, tags);
            }
            Err(e) => {
                return vec![Row::fail(
                    CHECK,
                    format!("running, but listing its tags failed: {e:#}"),
                    format!("look at `docker logs {}`", mirror::CONTAINER),
                )];
            }
        }
    }
    let is_served = |image: &ImageRef| {
        image.from_hub_library()
            && served
                .get(image.repository.as_str())
                .is_some_and(|t| t.contains(&image.tag))
    };
    // Each missing image with the exercises that pull it.
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for l in &needed {
        if !is_served(&l.found.image) {
            let who = l.exercise.clone().unwrap_or_else(|| l.file.display().to_string());
            missing.entry(l.found.image.to_string()).or_default().insert(who);
        }
    }
    let wanted: BTreeSet<String> = needed.iter().map(|l| l.found.image.to_string()).collect();
    let mut rows = vec![if missing.is_empty() {
        Row::ok(
            CHECK,
            format!(
                "running; serves all {} image(s) the exercises pull: {}",
                wanted.len(),
                wanted.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        )
    } else {
        let lines: Vec<String> = missing
            .iter()
            .map(|(image, who)| {
                let who: Vec<String> = who.iter().cloned().collect();
                format!(
                    "{image} is not served: {} will fail ({})",
                    plural(who.len(), "exercise"),
                    some(&who)
                )
            })
            .collect();
        Row::fail(
            CHECK,
            lines.join("\n"),
            "add the tag to playground/mirror/images/<name>/tags if that image provides it, then \
             `berth images build`;\nor change the exercise to a tag the mirror serves",
        )
    }];
    // Lessons' examples of images the mirror has, in a tag it lacks: a
    // learner who types one gets "not on this course's mirror".
    let mut unserved: BTreeMap<String, String> = BTreeMap::new();
    for l in shown {
        let image = &l.found.image;
        if served.get(image.repository.as_str()).is_some_and(|t| !t.is_empty()) && !is_served(image) {
            unserved
                .entry(image.to_string())
                .or_insert_with(|| format!("{}:{}", l.file.display(), l.found.line));
        }
    }
    if !unserved.is_empty() {
        let examples: Vec<String> = unserved.iter().map(|(image, at)| format!("{image} ({at})")).collect();
        rows.push(Row::warn(
            "lesson images",
            format!(
                "{} shown in lessons or hints that the mirror lacks: {}",
                plural(unserved.len(), "image"),
                some(&examples)
            ),
            "fine as examples to read; a learner who runs one in a lab is told the mirror lacks it",
        ));
    }
    rows
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

async fn debootstrap(docker: Option<&Docker>) -> Row {
    const CHECK: &str = "debootstrap";
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|dir| dir.join("debootstrap"))
        .find(|p| p.is_file());
    match found {
        Some(path) => Row::ok(CHECK, path.display().to_string()),
        None => {
            let base = match docker {
                Some(docker) => docker.inspect_image(BASE_IMAGE).await.is_ok(),
                None => false,
            };
            let fix = "apt-get install debootstrap";
            if base {
                Row::warn(
                    CHECK,
                    format!("not installed; {BASE_IMAGE} exists, so images rebuild without it"),
                    format!("{fix} (needed for `berth images build --rebuild-base`)"),
                )
            } else {
                Row::fail(
                    CHECK,
                    format!("not installed, and there is no {BASE_IMAGE}: no image can be built"),
                    fix,
                )
            }
        }
    }
}

/// Memory and disk for `--max-labs` labs at the course's largest lab.
async fn headroom(max_labs: usize, loaded: Option<&Loaded>, docker: Option<&Docker>) -> Vec<Row> {
    const MIB: u64 = 1024 * 1024;
    let largest = loaded
        .into_iter()
        .flat_map(|l| &l.labs)
        .map(|(module, lab)| (u64::from(lab.limits.memory_mb) * u64::from(lab.nodes.max(1)), module))
        .max();
    let mut rows = Vec::new();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |name: &str| {
        meminfo
            .lines()
            .find_map(|l| {
                l.strip_prefix(name)?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kb| kb * 1024)
    };
    match (largest, field("MemTotal:"), field("MemAvailable:")) {
        (Some((per_lab_mib, module)), Some(total), Some(available)) => {
            let need = max_labs as u64 * per_lab_mib * MIB;
            let found = format!(
                "{max_labs} labs × {per_lab_mib} MiB (the largest lab, module {module}) = {}; {} available of {}",
                gib(need),
                gib(available),
                gib(total)
            );
            let fix = format!(
                "lower --max-labs to {} or add memory (labs rarely use all of their limit)",
                (available / (per_lab_mib * MIB)).max(1)
            );
            rows.push(if need > total {
                Row::fail("memory", found, fix)
            } else if need > available {
                Row::warn("memory", found, fix)
            } else {
                Row::ok("memory", found)
            });
        }
        (None, ..) => rows.push(Row::ok("memory", "no exercise needs a lab")),
        _ => rows.push(Row::warn("memory", "cannot read /proc/meminfo", "check memory by hand")),
    }
    // Labs keep their files in memory (tmpfs); on disk they have their
    // writable layer and capped logs, and image rebuilds need room too.
    const PER_LAB: u64 = 100 * MIB;
    const REBUILD: u64 = 4 * 1024 * MIB;
    let root = match docker {
        Some(docker) => docker.info().await.ok().and_then(|i| i.docker_root_dir),
        None => None,
    };
    match root
        .as_deref()
        .and_then(|r| free_space(Path::new(r)).map(|free| (r, free)))
    {
        Some((root, free)) => {
            let need = max_labs as u64 * PER_LAB + REBUILD;
            let found = format!(
                "{} free on {root}; {max_labs} labs and an image rebuild need about {}",
                gib(free),
                gib(need)
            );
            rows.push(if free < need {
                Row::fail(
                    "disk",
                    found,
                    format!("free space on {root}, e.g. `docker image prune` of images you made"),
                )
            } else {
                Row::ok("disk", found)
            });
        }
        None => rows.push(Row::warn(
            "disk",
            "cannot see the engine's data folder from here",
            "check free space where the engine keeps images",
        )),
    }
    rows
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

fn free_space(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `stat` a valid out-pointer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    (rc == 0).then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
}
