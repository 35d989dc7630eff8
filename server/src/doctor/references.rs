//! Which images a course pulls: references found in exercise scripts
//! (`docker run|create|pull`, `docker service create`, and the `image:` and
//! `FROM` lines of compose files and Dockerfiles the scripts use) and the
//! ones its lessons only show.
//!
//! A reference is *pulled* when an exercise's own scripts would pull it on
//! the lab's engine, as `berth content test` does: a docker command outside
//! quotes and here-documents, or a here-document written to a compose file
//! (or Dockerfile) by a script that also runs `docker compose` (or
//! `docker build`). Everything else (hints, text an exercise checks,
//! lessons' code blocks) is *shown*: a learner may type it, nothing needs it.

use std::path::{Path, PathBuf};

/// An image reference, normalised as an engine resolves it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageRef {
    /// A registry other than Docker Hub (`ghcr.io`), which labs never reach.
    pub registry: Option<String>,
    /// The repository without Hub's `library/` (`nginx`, `bitnami/redis`).
    pub repository: String,
    pub tag: String,
}

impl ImageRef {
    /// Parses what a command or file names; `None` for anything that is not
    /// a literal reference (variables, placeholders, digests alone).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim_matches(|c| c == '"' || c == '\'' || c == '`');
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/:@".contains(c);
        if text.is_empty() || !text.chars().all(valid) || text.starts_with(['.', '-', '/', ':']) {
            return None;
        }
        let name = text.split_once('@').map_or(text, |(name, _)| name);
        let (mut registry, rest) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first.to_string()), rest)
            }
            _ => (None, name),
        };
        if matches!(
            registry.as_deref(),
            Some("docker.io" | "index.docker.io" | "registry-1.docker.io")
        ) {
            registry = None;
        }
        let (repository, tag) = match rest.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo, tag),
            _ => (rest, "latest"),
        };
        let repository = repository.strip_prefix("library/").unwrap_or(repository);
        let word = |s: &str| !s.is_empty() && s.starts_with(|c: char| c.is_ascii_alphanumeric());
        if !repository.split('/').all(word) || !word(tag) || !repository.chars().any(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        Some(Self {
            registry,
            repository: repository.to_string(),
            tag: tag.to_string(),
        })
    }

    /// Whether a lab could get it from the course's mirror at all: Hub's
    /// official images (`library/...`), which `berth images build` publishes.
    pub fn from_hub_library(&self) -> bool {
        self.registry.is_none() && !self.repository.contains('/')
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        write!(f, "{}:{}", self.repository, self.tag)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// An exercise's scripts pull it: the lab needs it.
    Pulled,
    /// Only shown, in a lesson or as text.
    Shown,
}

/// A reference and the line (1-based) it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub image: ImageRef,
    pub line: usize,
    pub used: Use,
}

/// Options of `docker run`/`create`/`pull`/`service create` that take no
/// value; every other option does, unless written `--opt=value`.
const FLAGS: &[&str] = &[
    "-d",
    "--detach",
    "-i",
    "--interactive",
    "-t",
    "--tty",
    "--rm",
    "--init",
    "-P",
    "--publish-all",
    "--read-only",
    "--privileged",
    "--no-healthcheck",
    "--oom-kill-disable",
    "-q",
    "--quiet",
    "-a",
    "--all-tags",
    "--disable-content-trust",
    "--help",
    "--sig-proxy",
    "--quiet-pull",
];

/// The image a docker command names, from the words after its verb.
fn command_image(words: &[String]) -> Option<&str> {
    let mut words = words.iter();
    while let Some(word) = words.next() {
        if word.starts_with(['|', '&', ';', '>', ')']) || word.starts_with("2>") {
            return None;
        }
        if word == "--" {
            return words.next().map(String::as_str);
        }
        if let Some(option) = word.strip_prefix('-') {
            let short_cluster = !option.starts_with('-') && option.len() > 1;
            if word.contains('=')
                || FLAGS.contains(&word.as_str())
                || short_cluster && option.chars().all(|c| "dit".contains(c))
            {
                continue;
            }
            words.next();
            continue;
        }
        return Some(word);
    }
    None
}

/// Splits a command line into shell words, quotes removed (`;` is a word
/// of its own).
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut started = false;
    for c in text.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            (None, ';') => {
                if started {
                    words.push(std::mem::take(&mut current));
                }
                words.push(";".into());
                started = false;
            }
            _ => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(current);
    }
    words
}

/// How a command at byte `at` of `line` is used: run, or text inside a
/// quoted string; `None` in a comment.
fn use_at(line: &str, at: usize) -> Option<Use> {
    let mut quote = None;
    let mut previous = ' ';
    for c in line[..at].chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => return None,
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        previous = c;
    }
    Some(if quote.is_some() { Use::Shown } else { Use::Pulled })
}

fn docker_command() -> regex::Regex {
    regex::Regex::new(r"\bdocker\s+(?:(?:container\s+)?(?:run|create)|(?:image\s+)?pull|service\s+create)\s+(.*)")
        .expect("valid")
}

fn image_line() -> regex::Regex {
    regex::Regex::new(r#"^\s*(?:-\s+)?image:\s*["']?([^"'\s#]+)"#).expect("valid")
}

/// A Dockerfile's `FROM`: the base (group 1) and the stage's name (group 2).
fn from_line() -> regex::Regex {
    regex::Regex::new(r"(?i)^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?").expect("valid")
}

/// A `FROM` base that is no image to pull: `scratch`, or an earlier stage
/// of the same Dockerfile (`stages`, lower-cased as the builder compares them).
fn is_stage_or_scratch(base: &str, stages: &[String]) -> bool {
    let base = base.to_ascii_lowercase();
    base == "scratch" || stages.contains(&base)
}

/// Names a script makes itself (`docker build -t`, `docker import`,
/// `docker tag`, `docker commit`): those are not pulled.
pub fn made_locally(text: &str) -> Vec<String> {
    let build =
        regex::Regex::new(r"\bdocker\s+(?:image\s+)?(?:buildx\s+)?build\b.*?(?:-t|--tag)[\s=]+(\S+)").expect("valid");
    let other = regex::Regex::new(r"\bdocker\s+(?:image\s+)?(?:import|tag|commit)\s+(.*)").expect("valid");
    let mut made = Vec::new();
    for line in text.lines() {
        made.extend(build.captures_iter(line).map(|c| c[1].to_string()));
        if let Some(c) = other.captures(line) {
            let words: Vec<String> = words(&c[1])
                .into_iter()
                .take_while(|w| !w.starts_with(['|', '&', ';', '>']) && !w.starts_with("2>"))
                .filter(|w| !w.starts_with('-'))
                .collect();
            made.extend(words.last().cloned());
        }
    }
    made.iter()
        .filter_map(|m| ImageRef::parse(m))
        .map(|r| r.repository)
        .collect()
}

/// The references in one exercise script.
pub fn scan_script(text: &str) -> Vec<Found> {
    let lines: Vec<&str> = text.lines().collect();
    let heredoc_start = regex::Regex::new(r#"<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?"#).expect("valid");
    // What runs, outside here-documents: decides what their files are for.
    let mut outside = String::new();
    let mut heredocs = Vec::new(); // (first body line, end line, target)
    let mut i = 0;
    while i < lines.len() {
        outside.push_str(lines[i]);
        outside.push('\n');
        if let Some(c) = heredoc_start.captures(lines[i]) {
            let end = lines[i + 1..]
                .iter()
                .position(|l| l.trim() == &c[1])
                .map_or(lines.len(), |p| i + 1 + p);
            heredocs.push((i + 1, end, lines[i].to_string()));
            i = end + 1;
        } else {
            i += 1;
        }
    }
    let runs_compose = regex::Regex::new(r"\bdocker(?:\s+|-)compose\b|\bdocker\s+stack\s+deploy\b")
        .expect("valid")
        .is_match(&outside);
    let runs_build = regex::Regex::new(r"\bdocker\s+(?:image\s+)?(?:buildx\s+)?build\b")
        .expect("valid")
        .is_match(&outside);
    let (command, image, from) = (docker_command(), image_line(), from_line());
    let mut found = Vec::new();
    let mut push = |text: &str, line: usize, used: Use| {
        if let Some(image) = ImageRef::parse(text) {
            found.push(Found { image, line, used });
        }
    };
    let in_heredoc = |n: usize| heredocs.iter().find(|(start, end, _)| (*start..*end).contains(&n));
    // Stage names seen so far, per file a here-document writes.
    let mut stages: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    let mut n = 0;
    while n < lines.len() {
        let here = in_heredoc(n);
        // A command continued with `\` is one logical line.
        let mut logical = lines[n].to_string();
        let first = n;
        while here.is_none() && logical.ends_with('\\') && n + 1 < lines.len() {
            logical.pop();
            n += 1;
            logical.push(' ');
            logical.push_str(lines[n]);
        }
        match here {
            Some((_, _, target)) => {
                let target = target.to_ascii_lowercase();
                let compose = runs_compose && (target.contains("compose") || target.contains(".y"));
                let dockerfile = runs_build && target.contains("dockerfile");
                if let Some(c) = image.captures(&logical) {
                    push(&c[1], first + 1, if compose { Use::Pulled } else { Use::Shown });
                }
                if let Some(c) = from.captures(&logical) {
                    let stages = stages.entry(target.clone()).or_default();
                    if !is_stage_or_scratch(&c[1], stages) {
                        push(&c[1], first + 1, if dockerfile { Use::Pulled } else { Use::Shown });
                    }
                    stages.extend(c.get(2).map(|s| s.as_str().to_ascii_lowercase()));
                }
                if let Some(name) = command
                    .captures(&logical)
                    .and_then(|c| command_image(&words(&c[1])).map(str::to_string))
                {
                    push(&name, first + 1, Use::Shown);
                }
            }
            None => {
                for c in command.captures_iter(&logical) {
                    let at = c.get(0).expect("match").start();
                    let Some(used) = use_at(&logical, at) else { continue };
                    if let Some(name) = command_image(&words(&c[1])) {
                        push(name, first + 1, used);
                    }
                }
            }
        }
        n += 1;
    }
    found
}

/// The references a lesson shows in its code blocks.
pub fn scan_lesson(text: &str) -> Vec<Found> {
    let (command, image, from) = (docker_command(), image_line(), from_line());
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    // Stage names of the code blocks so far (a lesson's Dockerfiles rarely
    // reuse one name for a real image).
    let mut stages: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
                continue;
            }
        } else {
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = Some(&trimmed[..3]);
            }
            continue;
        }
        let mut names = Vec::new();
        if let Some(c) = image.captures(line) {
            names.push(c[1].to_string());
        }
        if let Some(c) = from.captures(line) {
            if !is_stage_or_scratch(&c[1], &stages) {
                names.push(c[1].to_string());
            }
            stages.extend(c.get(2).map(|s| s.as_str().to_ascii_lowercase()));
        }
        if let Some(c) = command.captures(line) {
            names.extend(command_image(&words(&c[1])).map(str::to_string));
        }
        found.extend(names.iter().filter_map(|t| ImageRef::parse(t)).map(|image| Found {
            image,
            line: n + 1,
            used: Use::Shown,
        }));
    }
    found
}

/// A reference in a course, with where it is.
#[derive(Clone, Debug)]
pub struct Located {
    pub found: Found,
    pub file: PathBuf,
    /// `module/exercise` for exercise scripts.
    pub exercise: Option<String>,
}

/// Scans every lesson and exercise script of the course under `root`.
/// Images an exercise's module makes itself (`docker import ... mini`) are
/// left out.
pub fn scan_course(root: &Path) -> Vec<Located> {
    let mut all = Vec::new();
    let Ok(modules) = std::fs::read_dir(root.join("modules")) else {
        return all;
    };
    let mut modules: Vec<PathBuf> = modules
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_dir())
        .collect();
    modules.sort();
    for module in modules {
        let id = std::fs::read_to_string(module.join("module.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("id")?.as_str().map(str::to_string))
            .unwrap_or_else(|| module.file_name().unwrap_or_default().to_string_lossy().into_owned());
        for lesson in sorted(&module)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
        {
            let Ok(text) = std::fs::read_to_string(&lesson) else {
                continue;
            };
            all.extend(scan_lesson(&text).into_iter().map(|found| Located {
                found,
                file: lesson.clone(),
                exercise: None,
            }));
        }
        let mut scripts = Vec::new();
        for exercise in sorted(&module.join("exercises")).into_iter().filter(|p| p.is_dir()) {
            let name = exercise.file_name().unwrap_or_default().to_string_lossy().into_owned();
            for script in ["setup.sh", "solve.sh", "check.sh"] {
                let path = exercise.join(script);
                if let Ok(text) = std::fs::read_to_string(&path) {
                    scripts.push((format!("{id}/{name}"), path, text));
                }
            }
        }
        let made: Vec<String> = scripts.iter().flat_map(|(_, _, text)| made_locally(text)).collect();
        for (exercise, file, text) in scripts {
            all.extend(
                scan_script(&text)
                    .into_iter()
                    .filter(|f| !(f.image.registry.is_none() && made.contains(&f.image.repository)))
                    .map(|found| Located {
                        found,
                        file: file.clone(),
                        exercise: Some(exercise.clone()),
                    }),
            );
        }
    }
    all
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> ImageRef {
        ImageRef::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    fn pulled(found: &[Found]) -> Vec<(String, usize)> {
        found
            .iter()
            .filter(|f| f.used == Use::Pulled)
            .map(|f| (f.image.to_string(), f.line))
            .collect()
    }

    fn shown(found: &[Found]) -> Vec<String> {
        found
            .iter()
            .filter(|f| f.used == Use::Shown)
            .map(|f| f.image.to_string())
            .collect()
    }

    #[test]
    fn references_are_normalised_as_the_engine_resolves_them() {
        assert_eq!(r("nginx").to_string(), "nginx:latest");
        assert_eq!(r("library/nginx:1.26").to_string(), "nginx:1.26");
        assert_eq!(r("docker.io/library/redis:8").to_string(), "redis:8");
        assert!(r("redis:8").from_hub_library());
        assert_eq!(r("ghcr.io/example/shop:2.4.0").registry.as_deref(), Some("ghcr.io"));
        assert!(!r("ghcr.io/example/shop:2.4.0").from_hub_library());
        assert!(!r("bitnami/redis").from_hub_library());
        assert_eq!(r("localhost:5000/app:1").registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r("python@sha256:abc").tag, "latest");
        for not in [
            "${IMAGE}",
            "shop:${TAG:-1}",
            "python:<version>",
            "...",
            "{{.Image}}",
            "-d",
            "NAME",
            "1234",
        ] {
            assert_eq!(ImageRef::parse(not), None, "{not}");
        }
    }

    #[test]
    fn commands_outside_quotes_and_heredocs_are_pulled() {
        let script = "docker run -d --name web -p 8080:80 -e A=b nginx:1.26 >/dev/null\n\
                      docker pull -q redis:8\n\
                      docker create --name c --network none -v data:/data:ro busybox true\n\
                      docker run --rm -it \\\n  --mount type=volume,src=x,dst=/x \\\n  python:3.13-slim python -V\n\
                      docker container run --rm -- debian:trixie true\n\
                      docker service create --name web --replicas 2 nginx:1.26\n\
                      echo \"HINT: docker run -d --name keeper postgres:17\"\n\
                      # Parse (never run) the docker run line\n\
                      true # docker pull redis:7\n";
        let found = scan_script(script);
        assert_eq!(
            pulled(&found),
            [
                ("nginx:1.26".to_string(), 1),
                ("redis:8".into(), 2),
                ("busybox:latest".into(), 3),
                ("python:3.13-slim".into(), 4),
                ("debian:trixie".into(), 7),
                ("nginx:1.26".into(), 8),
            ]
        );
        assert_eq!(shown(&found), ["postgres:17"]);
    }

    #[test]
    fn heredoc_files_count_when_the_script_uses_them() {
        let compose = "cat > \"$HOME/app/compose.yaml\" <<'YAML'\nservices:\n  db:\n    image: postgres:17\n  web:\n    image: \"nginx:1.26\"\nYAML\n";
        let dockerfile = "cat > ~/app/Dockerfile <<EOF\nFROM python:3.13-slim AS build\nFROM --platform=linux/amd64 debian:trixie\nEOF\n";
        let found = scan_script(&format!("{compose}{dockerfile}"));
        assert!(pulled(&found).is_empty(), "files nobody uses are text");
        assert_eq!(
            shown(&found),
            ["postgres:17", "nginx:1.26", "python:3.13-slim", "debian:trixie"]
        );

        let found = scan_script(&format!(
            "{compose}{dockerfile}cd ~/app && docker compose up -d\ndocker build -t app .\n"
        ));
        assert_eq!(
            pulled(&found),
            [
                ("postgres:17".to_string(), 4),
                ("nginx:1.26".into(), 6),
                ("python:3.13-slim".into(), 9),
                ("debian:trixie".into(), 10)
            ]
        );
        // `scratch` and earlier stages are no images to pull.
        let stages = "cat > ~/app/Dockerfile <<EOF\nFROM golang:1.24 AS Build\nFROM build AS test\nFROM scratch\nCOPY --from=build /app /app\nEOF\ndocker build -t app ~/app\n";
        assert_eq!(pulled(&scan_script(stages)), [("golang:1.24".to_string(), 2)]);
        // A command written into a file as text is not run.
        let text = "cat > ~/tasks.txt <<'TXT'\nrun: docker run -d nginx:1.27-alpine\nTXT\n";
        let found = scan_script(text);
        assert_eq!(
            (pulled(&found).len(), shown(&found)),
            (0, vec!["nginx:1.27-alpine".to_string()])
        );
    }

    #[test]
    fn images_a_script_makes_itself_are_known() {
        let script = "tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT [\"/busybox\"]' - mini >/dev/null\n\
                      docker build -q -t greeter:1 .\ndocker tag mini mini2\ndocker commit box snap";
        assert_eq!(made_locally(script), ["mini", "greeter", "mini2", "snap"]);
    }

    #[test]
    fn lessons_show_what_their_code_blocks_name() {
        let lesson = "Run `docker run nginx:9` in prose: not a block.\n\n```console\n$ docker run -d -p 8080:80 nginx:1.26\n```\n\n\
                      ```yaml\nservices:\n  db:\n    image: postgres:17\n```\n\n```dockerfile\nFROM python:3.13-slim\n```\n";
        let found = scan_lesson(lesson);
        let got: Vec<(String, usize)> = found.iter().map(|f| (f.image.to_string(), f.line)).collect();
        assert_eq!(
            got,
            [
                ("nginx:1.26".to_string(), 4),
                ("postgres:17".into(), 10),
                ("python:3.13-slim".into(), 14)
            ]
        );
        assert!(found.iter().all(|f| f.used == Use::Shown));
    }

    #[test]
    fn the_bundled_course_pulls_only_what_its_mirror_serves() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let all = scan_course(&root);
        assert!(all.iter().any(|l| l.found.used == Use::Shown));
        let pulled: Vec<&Located> = all.iter().filter(|l| l.found.used == Use::Pulled).collect();
        assert!(!pulled.is_empty(), "the course's docker exercises pull from the mirror");
        let served = crate::lab::images::course_images(&root.join("../playground/mirror/images")).unwrap();
        for l in pulled {
            let image = &l.found.image;
            assert!(
                image.from_hub_library() && served.iter().any(|s| s.name == image.repository),
                "{}:{} pulls {image}, which no course image provides",
                l.file.display(),
                l.found.line
            );
        }
    }
}
