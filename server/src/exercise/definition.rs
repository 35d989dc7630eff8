//! Exercises as authored: `modules/<module>/exercises/<id>/` holds
//! `exercise.toml`, `check.sh`, `solve.sh`, optionally `setup.sh` and
//! `warm.sh` (run only in labs made for the warm pool), and
//! `cheats/*.sh`: shortcuts a learner might try, after which the check
//! must still fail (`berth content test` proves it).
//!
//! ```toml
//! title = "Leave a note"
//! image = "shell"          # a lab image under playground/ (the default)
//! network = false          # a lab-private network instead of none at all
//! nodes = 1                # containers node1..nodeN on one private network (the lab gets the most asked for)
//! node = 1                 # the node setup, check and solve run on
//! timeout_seconds = 30     # for setup, check and solve scripts
//! live_seconds = 5         # re-check every 5 s while the lab is open (0: off)
//! shared_setup = false     # setup.sh is the same for every learner: run it when the lab is made (warm pool)
//! hints = ["First hint", "Second hint"]
//!
//! [limits]                 # all optional; the lab gets the largest of its exercises'
//! memory_mb = 256
//! pids = 128
//! cpus = 1.0
//! ```

use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Library;
use crate::content::{ContentError, Id};
use berth_app::model::{ExerciseId, NodeNumber};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseFile {
    title: String,
    #[serde(default = "default_image")]
    image: String,
    #[serde(default)]
    network: bool,
    #[serde(default = "one")]
    nodes: u8,
    #[serde(default = "one")]
    node: u8,
    #[serde(default = "default_timeout")]
    timeout_seconds: u32,
    #[serde(default)]
    live_seconds: u32,
    #[serde(default)]
    shared_setup: bool,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    limits: LimitsFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    memory_mb: Option<u32>,
    pids: Option<u32>,
    cpus: Option<f64>,
}

fn default_image() -> String {
    "shell".into()
}

fn one() -> u8 {
    1
}

fn default_timeout() -> u32 {
    30
}

/// How much of the machine one lab may use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub memory_mb: u32,
    pub pids: u32,
    pub cpus: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mb: 256,
            pids: 128,
            cpus: 1.0,
        }
    }
}

impl Limits {
    /// The larger of each limit: a lab shared by exercises fits them all.
    pub fn max(self, other: Limits) -> Limits {
        Limits {
            memory_mb: self.memory_mb.max(other.memory_mb),
            pids: self.pids.max(other.pids),
            cpus: self.cpus.max(other.cpus),
        }
    }
}

/// A validated exercise with its scripts.
#[derive(Clone, Debug)]
pub struct Exercise {
    pub id: ExerciseId,
    /// The exercise's folder, for messages about it.
    pub dir: PathBuf,
    pub title: String,
    pub image: String,
    pub network: bool,
    /// How many nodes (node1..nodeN) the lab needs for this exercise.
    pub nodes: NodeNumber,
    /// Which of them the exercise's scripts run on.
    pub node: NodeNumber,
    pub timeout_seconds: u32,
    pub live_seconds: u32,
    pub hints: Vec<String>,
    pub limits: Limits,
    pub setup: Option<String>,
    /// The setup does the same for every learner (it waits for the engine,
    /// pulls images, starts helpers): it runs when the lab is made, so a
    /// lab of the warm pool has it done before anyone clicks.
    pub shared_setup: bool,
    /// Work that only saves the learner time later (pulling the images the
    /// exercise uses): run in labs made for the warm pool, before anyone
    /// claims them, never on a learner's click.
    pub warm: Option<String>,
    pub check: String,
    pub solve: String,
    /// In name order.
    pub cheats: Vec<Cheat>,
    /// The course's script library, run before each of these scripts.
    pub library: Arc<Library>,
}

/// A plausible shortcut: run as the learner after setup, the check must
/// fail after it.
#[derive(Clone, Debug)]
pub struct Cheat {
    /// The file's name without `.sh`.
    pub name: String,
    pub script: String,
}

/// Hard bounds on what an author may ask for, so one exercise cannot take
/// the machine.
const MAX_MEMORY_MB: u32 = 4096;
const MAX_PIDS: u32 = 4096;
const MAX_TIMEOUT: u32 = 600;
pub const MAX_NODES: NodeNumber = 5;

impl Exercise {
    /// Reads `dir` (named after the exercise's id).
    pub fn read(dir: &Path, images: &[String], library: &Arc<Library>) -> Result<Self, Vec<ContentError>> {
        let toml_file = dir.join("exercise.toml");
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let id = Id::parse(name).map_err(|msg| vec![ContentError::in_file(dir, format!("exercise folder: {msg}"))])?;
        let text = fs::read_to_string(&toml_file)
            .map_err(|e| vec![ContentError::in_file(&toml_file, format!("cannot read it: {e}"))])?;
        let raw: ExerciseFile =
            toml::from_str(&text).map_err(|e| vec![ContentError::toml(&toml_file, &text, 1, &e)])?;
        let mut errors = Vec::new();
        let mut problem = |msg: String| errors.push(ContentError::in_file(&toml_file, msg));
        // With no playground at hand (a server deployed without it), image
        // names cannot be checked here; starting the lab reports a missing one.
        if !images.is_empty() && !images.contains(&raw.image) {
            problem(format!(
                "unknown lab image `{}`: use one of {} (folders under playground/)",
                raw.image,
                images.join(", ")
            ));
        }
        if !(1..=MAX_TIMEOUT).contains(&raw.timeout_seconds) {
            problem(format!("timeout_seconds must be between 1 and {MAX_TIMEOUT}"));
        }
        if !(1..=MAX_NODES).contains(&raw.nodes) {
            problem(format!("nodes must be between 1 and {MAX_NODES}"));
        }
        if raw.node == 0 || raw.node > raw.nodes {
            problem(format!(
                "node must name one of the exercise's nodes (1 to {}); ask for more with `nodes`",
                raw.nodes
            ));
        }
        if raw.live_seconds != 0 && raw.live_seconds < 2 {
            problem("live_seconds must be 0 (off) or at least 2".into());
        }
        let defaults = Limits::default();
        let limits = Limits {
            memory_mb: raw.limits.memory_mb.unwrap_or(defaults.memory_mb),
            pids: raw.limits.pids.unwrap_or(defaults.pids),
            cpus: raw.limits.cpus.unwrap_or(defaults.cpus),
        };
        if !(32..=MAX_MEMORY_MB).contains(&limits.memory_mb) {
            problem(format!("limits.memory_mb must be between 32 and {MAX_MEMORY_MB}"));
        }
        if !(16..=MAX_PIDS).contains(&limits.pids) {
            problem(format!("limits.pids must be between 16 and {MAX_PIDS}"));
        }
        if !(limits.cpus.is_finite() && (0.1..=8.0).contains(&limits.cpus)) {
            problem("limits.cpus must be between 0.1 and 8".into());
        }
        let mut script = |file: &str, required: bool| -> Option<String> {
            let path = dir.join(file);
            match fs::read_to_string(&path) {
                Ok(text) if text.trim().is_empty() => {
                    errors.push(ContentError::in_file(&path, "the script is empty"));
                    None
                }
                Ok(text) => Some(text),
                Err(_) if !required => None,
                Err(e) => {
                    errors.push(ContentError::in_file(
                        &path,
                        format!("every exercise needs {file}: {e}"),
                    ));
                    None
                }
            }
        };
        let setup = script("setup.sh", false);
        let warm = script("warm.sh", false);
        let check = script("check.sh", true);
        let solve = script("solve.sh", true);
        let cheats = read_cheats(&dir.join("cheats"), &mut errors);
        if raw.shared_setup && setup.is_none() {
            errors.push(ContentError::in_file(
                &toml_file,
                "shared_setup = true needs a setup.sh to share",
            ));
        }
        match (check, solve) {
            (Some(check), Some(solve)) if errors.is_empty() => Ok(Exercise {
                id: ExerciseId::new(id.to_string()),
                dir: dir.to_path_buf(),
                title: raw.title,
                image: raw.image,
                network: raw.network,
                nodes: raw.nodes,
                node: raw.node,
                timeout_seconds: raw.timeout_seconds,
                live_seconds: raw.live_seconds,
                hints: raw.hints,
                limits,
                setup,
                shared_setup: raw.shared_setup,
                warm,
                check,
                solve,
                cheats,
                library: library.clone(),
            }),
            _ => Err(errors),
        }
    }

    /// A script of this exercise as it runs: after the course's library.
    pub fn runnable(&self, script: &str) -> String {
        self.library.prepend(script)
    }
}

/// `cheats/*.sh`, in name order; the folder is optional.
fn read_cheats(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<Cheat> {
    let listed = fs::read_dir(dir).and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect());
    let mut paths: Vec<_> = match listed {
        Ok(paths) => paths,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            errors.push(ContentError::in_file(dir, format!("cannot read the cheats: {e}")));
            return Vec::new();
        }
    };
    paths.sort();
    let mut cheats = Vec::new();
    for path in paths {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "sh") {
            errors.push(ContentError::in_file(
                &path,
                "only cheat scripts (`<name>.sh`) belong in cheats/",
            ));
            continue;
        }
        if let Err(msg) = Id::parse(stem) {
            errors.push(ContentError::in_file(&path, format!("cheat name: {msg}")));
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(text) if text.trim().is_empty() => errors.push(ContentError::in_file(&path, "the script is empty")),
            Ok(script) => cheats.push(Cheat {
                name: stem.to_string(),
                script,
            }),
            Err(e) => errors.push(ContentError::in_file(&path, format!("cannot read it: {e}"))),
        }
    }
    cheats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("make-a-file");
        fs::create_dir(&dir).unwrap();
        for (name, text) in files {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        root
    }

    fn read(root: &tempfile::TempDir) -> Result<Exercise, Vec<ContentError>> {
        Exercise::read(
            &root.path().join("make-a-file"),
            &["shell".to_string()],
            &Arc::new(Library::default()),
        )
    }

    fn messages(errors: Vec<ContentError>) -> String {
        errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_complete_exercise_reads_with_defaults() {
        let root = folder(&[
            ("exercise.toml", "title = \"Make a file\"\nhints = [\"one\"]\n"),
            ("check.sh", "test -f ~/x"),
            ("solve.sh", "touch ~/x"),
        ]);
        let e = read(&root).unwrap();
        assert_eq!((e.id.as_str(), e.image.as_str()), ("make-a-file", "shell"));
        assert_eq!((e.timeout_seconds, e.live_seconds), (30, 0));
        assert_eq!(e.limits, Limits::default());
        assert!(e.setup.is_none() && !e.network && e.cheats.is_empty());
        assert_eq!((e.nodes, e.node), (1, 1));
    }

    #[test]
    fn cheats_are_read_in_name_order_and_checked() {
        let root = folder(&[
            ("exercise.toml", "title = \"T\"\n"),
            ("check.sh", "test -f ~/x"),
            ("solve.sh", "touch ~/x"),
            ("cheats/touch-a-folder.sh", "mkdir ~/x"),
            ("cheats/a-link.sh", "ln -s /etc/passwd ~/x"),
        ]);
        let e = read(&root).unwrap();
        let names: Vec<&str> = e.cheats.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a-link", "touch-a-folder"]);
        assert_eq!(e.cheats[1].script, "mkdir ~/x");

        let root = folder(&[
            ("exercise.toml", "title = \"T\"\n"),
            ("check.sh", "true"),
            ("solve.sh", "true"),
            ("cheats/Bad Name.sh", "true"),
            ("cheats/notes.txt", "a note"),
            ("cheats/empty.sh", "\n"),
        ]);
        let all = messages(read(&root).unwrap_err());
        for expected in [
            "Bad Name.sh: cheat name: `Bad Name` is not a valid id",
            "notes.txt: only cheat scripts (`<name>.sh`) belong in cheats/",
            "empty.sh: the script is empty",
        ] {
            assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
        }
    }

    #[test]
    fn nodes_are_bounded_and_an_exercise_runs_on_one_of_its_own() {
        let files = |toml: &'static str| folder(&[("exercise.toml", toml), ("check.sh", "true"), ("solve.sh", "true")]);
        let e = read(&files("title = \"T\"\nnodes = 3\nnode = 2\n")).unwrap();
        assert_eq!((e.nodes, e.node), (3, 2));
        let all = messages(read(&files("title = \"T\"\nnodes = 6\n")).unwrap_err());
        assert!(all.contains("nodes must be between 1 and 5"), "{all}");
        let all = messages(read(&files("title = \"T\"\nnodes = 2\nnode = 3\n")).unwrap_err());
        assert!(
            all.contains("node must name one of the exercise's nodes (1 to 2)"),
            "{all}"
        );
    }

    #[test]
    fn problems_are_reported_with_their_file() {
        let root = folder(&[
            (
                "exercise.toml",
                "title = \"T\"\nimage = \"nope\"\nlive_seconds = 1\n[limits]\nmemory_mb = 999999\n",
            ),
            ("check.sh", "  \n"),
        ]);
        let all = messages(read(&root).unwrap_err());
        for expected in [
            "unknown lab image `nope`: use one of shell",
            "live_seconds must be 0 (off) or at least 2",
            "limits.memory_mb must be between 32 and 4096",
            "check.sh: the script is empty",
            "every exercise needs solve.sh",
        ] {
            assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
        }
        let root = folder(&[("exercise.toml", "title = \"T\"\nsurprise = 1\n")]);
        assert!(messages(read(&root).unwrap_err()).contains("surprise"));
    }
}
