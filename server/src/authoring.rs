//! The instructor's toolchain: `berth content check` validates a course
//! without starting anything and warns about what makes it worse to learn
//! from; `berth content test` proves every exercise in fresh labs: after
//! setup the check must fail, after the reference solution it must pass,
//! and after each of its cheats it must fail again.

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

use berth_app::lab::Outcome as Verdict;
use berth_app::model::{LabId, Millis, ModuleId};

use crate::content::{self, Loaded};
use crate::exercise::{Exercise, ModuleLab, Step, read_output};
use crate::lab::docker::DockerRuntime;
use crate::lab::images::playground_images;
use crate::lab::{Launcher, Setups, new_id};

#[derive(Clone, Debug, clap::Args)]
pub struct ContentArgs {
    /// The course folder (holds course.toml).
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// The folder of lab image definitions exercises may name.
    #[arg(long, env = "BERTH_PLAYGROUND", default_value = "playground")]
    pub playground: PathBuf,
}

#[derive(Clone, Debug, clap::Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub content: ContentArgs,
    /// Only this exercise (may be given more than once).
    #[arg(long)]
    pub exercise: Vec<String>,
    /// Also write the results as JUnit XML.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Exercises tested at once (default: the machine's cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Test the exercises under these runtimes, as the server would run them.
    #[command(flatten)]
    pub runtimes: crate::lab::docker::Runtimes,
}

/// Loads the course and checks what loading does not: that every script
/// is valid shell. Prints every problem with its file.
fn load_checked(args: &ContentArgs) -> anyhow::Result<Loaded> {
    let images = playground_images(&args.playground);
    let loaded = match content::load(&args.dir, &images) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            bail!("{} problem(s) in {}", errors.0.len(), args.dir.display());
        }
    };
    let mut problems = 0;
    let mut parse = |name: &dyn std::fmt::Display, text: &str| {
        if let Err(message) = shell_syntax(text) {
            problems += 1;
            eprintln!("{name}: {message}");
        }
    };
    for file in &loaded.library.files {
        parse(&file.path.display(), &file.text);
    }
    for lab in loaded.labs.values() {
        for e in &lab.exercises {
            let cheats = e
                .cheats
                .iter()
                .map(|c| (format!("cheats/{}.sh", c.name), Some(c.script.as_str())));
            let scripts = [
                ("setup.sh".to_string(), e.setup.as_deref()),
                ("warm.sh".to_string(), e.warm.as_deref()),
                ("check.sh".to_string(), Some(e.check.as_str())),
                ("solve.sh".to_string(), Some(e.solve.as_str())),
            ];
            for (name, text) in scripts.into_iter().chain(cheats) {
                let Some(text) = text else { continue };
                parse(&e.dir.join(name).display(), text);
            }
        }
    }
    if problems > 0 {
        bail!("{problems} script(s) in {} do not parse", args.dir.display());
    }
    Ok(loaded)
}

/// Why `sh -n` did not pass a script.
#[derive(Debug, thiserror::Error)]
enum ShellSyntax {
    #[error("cannot run sh: {0}")]
    CannotRun(#[source] std::io::Error),
    /// Writing the script to `sh` or reading its answer failed.
    #[error("{0}")]
    Pipe(#[source] std::io::Error),
    /// `sh`'s own complaint, its lines named `line N`.
    #[error("{0}")]
    Invalid(String),
}

/// `sh -n`: parses without running.
fn shell_syntax(text: &str) -> Result<(), ShellSyntax> {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(ShellSyntax::CannotRun)?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes())
        .map_err(ShellSyntax::Pipe)?;
    let out = child.wait_with_output().map_err(ShellSyntax::Pipe)?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ShellSyntax::Invalid(
            String::from_utf8_lossy(&out.stderr).trim().replace("sh: ", "line "),
        ))
    }
}

pub fn check(args: ContentArgs) -> anyhow::Result<()> {
    let loaded = load_checked(&args)?;
    let lessons: usize = loaded.course.modules.iter().map(|m| m.lessons.len()).sum();
    let questions: usize = loaded.quizzes.values().map(|q| q.questions.len()).sum();
    let exercises: usize = loaded.labs.values().map(|l| l.exercises.len()).sum();
    let cheats: usize = loaded
        .labs
        .values()
        .flat_map(|l| &l.exercises)
        .map(|e| e.cheats.len())
        .sum();
    let lints = content::lint(&loaded);
    for w in &lints.warnings {
        println!("warning: {w}");
    }
    println!(
        "✓ {}: {} modules, {lessons} lessons, {} quizzes ({questions} questions), {exercises} exercises ({cheats} cheats)",
        args.dir.display(),
        loaded.course.modules.len(),
        loaded.quizzes.len(),
    );
    let b = lints.balance;
    println!(
        "  quiz balance: the right answer is the longest option in {} of {} single-choice questions ({}%; at most {}% wanted)",
        b.longest_is_right,
        b.single,
        b.percent(),
        content::BALANCE_LIMIT_PERCENT
    );
    if !lints.warnings.is_empty() {
        println!("  {} warning(s)", lints.warnings.len());
    }
    Ok(())
}

/// What one run in a fresh lab proves about an exercise.
#[derive(Clone, Copy)]
enum Proof {
    /// After setup the check fails; after the solution it passes.
    Solution,
    /// After setup and this cheat (by index), the check still fails.
    Cheat(usize),
}

struct Run {
    module: ModuleId,
    lab: Arc<ModuleLab>,
    exercise: Exercise,
    proof: Proof,
}

impl Run {
    /// `module/exercise`, and the cheat's name for a cheat.
    fn name(&self) -> String {
        match self.proof {
            Proof::Solution => format!("{}/{}", self.module, self.exercise.id),
            Proof::Cheat(n) => format!(
                "{}/{} cheat {}",
                self.module, self.exercise.id, self.exercise.cheats[n].name
            ),
        }
    }
}

/// One run's result.
struct Outcome {
    module: ModuleId,
    /// What JUnit calls the test: the exercise, or `<exercise> cheat <name>`.
    case: String,
    name: String,
    /// `None` when every step did what it should.
    failure: Option<String>,
    /// For a cheat the check refused: the first assertion it failed.
    refused: Option<String>,
    steps: Vec<(String, Duration)>,
    total: Duration,
}

pub async fn test(args: TestArgs) -> anyhow::Result<()> {
    let loaded = load_checked(&args.content)?;
    // The same launcher learners' labs start through, on an install label
    // of its own so the server's sweep never takes these labs for its own.
    let runtime = DockerRuntime::connect(args.runtimes.clone(), Default::default()).await;
    let launcher = Arc::new(Launcher::new(
        Arc::new(runtime),
        format!("content-test-{}", new_id()),
        0,
    ));
    let mut todo: Vec<Run> = Vec::new();
    for (module, lab) in loaded.labs {
        let lab = Arc::new(lab);
        for e in &lab.exercises {
            if args.exercise.is_empty() || args.exercise.iter().any(|wanted| e.id == wanted.as_str()) {
                let proofs = std::iter::once(Proof::Solution).chain((0..e.cheats.len()).map(Proof::Cheat));
                todo.extend(proofs.map(|proof| Run {
                    module: module.clone(),
                    lab: lab.clone(),
                    exercise: e.clone(),
                    proof,
                }));
            }
        }
    }
    for wanted in &args.exercise {
        if !todo.iter().any(|r| r.exercise.id == wanted.as_str()) {
            bail!("there is no exercise `{wanted}` in {}", args.content.dir.display());
        }
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let exercises = todo.iter().filter(|r| matches!(r.proof, Proof::Solution)).count();
    println!(
        "testing {exercises} exercise(s) and {} cheat(s), each in a fresh lab, {jobs} at a time",
        todo.len() - exercises
    );
    let started = Instant::now();
    let mut outcomes: Vec<Outcome> = stream::iter(todo)
        .map(|run| {
            let launcher = launcher.clone();
            async move { run_one(&launcher, run).await }
        })
        .buffer_unordered(jobs)
        .inspect(|o| {
            let mark = if o.failure.is_none() { "✓" } else { "✗" };
            println!("{mark} {} ({:.1?})", o.name, o.total);
        })
        .collect()
        .await;
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    print_table(&outcomes);
    if let Some(path) = &args.junit {
        write_junit(path, &outcomes, started.elapsed()).await?;
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    println!(
        "{} passed, {failed} failed in {:.1?}",
        outcomes.len() - failed,
        started.elapsed()
    );
    if failed > 0 {
        bail!("{failed} exercise run(s) failed their own test");
    }
    Ok(())
}

async fn run_one(launcher: &Launcher, run: Run) -> Outcome {
    let t0 = Instant::now();
    let mut steps: Vec<(String, Duration)> = Vec::new();
    let (lab, e) = (&run.lab, &run.exercise);
    let lab_id = LabId::new(format!("test-{}", new_id()));
    let mut refused = None;
    let failure = async {
        let t = Instant::now();
        // Owned by nobody and never expiring: no server sweeps these labs.
        // Made as the warm pool makes them, then personalised, so warm.sh
        // runs too (a lab made on a click skips it).
        let spec = launcher.spec(&lab_id, None, &run.module, lab, Millis(0));
        launcher
            .launch(&spec, lab, Setups::Pool)
            .await
            .map_err(|e| e.into_user_message())?;
        launcher
            .personalise(&lab_id, lab)
            .await
            .map_err(|e| e.into_user_message())?;
        steps.push(("start and setup".into(), t.elapsed()));
        let mut step = async |name: &str, step: Step| {
            let t = Instant::now();
            let out = launcher.run(&lab_id, e, step).await.map_err(|e| e.to_string());
            steps.push((name.to_string(), t.elapsed()));
            out?.ok_or_else(|| format!("the exercise has no {name} step"))
        };
        let (name, shortcut) = match run.proof {
            Proof::Solution => {
                let before = step("check", Step::Check).await?;
                if before.exit_code == Some(0) {
                    return Err("the check passes before the exercise is done".to_string());
                }
                ("solve".to_string(), Step::Solve)
            }
            Proof::Cheat(n) => (format!("cheat {}", e.cheats[n].name), Step::Cheat(n)),
        };
        let done = step(&name, shortcut).await?;
        if done.exit_code != Some(0) {
            let what = match run.proof {
                Proof::Solution => "the solution",
                Proof::Cheat(_) => "the cheat itself (it must run to its end to prove anything)",
            };
            return Err(format!(
                "{what} failed (exit {:?}): {}",
                done.exit_code,
                done.output.trim()
            ));
        }
        let after = step("check", Step::Check).await?;
        match (run.proof, after.exit_code == Some(0)) {
            (Proof::Solution, false) => Err(format!(
                "the check fails after the solution (exit {:?}): {}",
                after.exit_code,
                after.output.trim()
            )),
            (Proof::Cheat(_), true) => Err(format!("the check passes after the cheat: {}", after.output.trim())),
            (Proof::Cheat(_), false) => {
                let (_, assertions) = read_output(&after.output, after.exit_code, after.timed_out, after.truncated);
                refused = assertions
                    .into_iter()
                    .find(|a| a.outcome == Verdict::Fail)
                    .map(|a| a.message);
                Ok(())
            }
            (Proof::Solution, true) => Ok(()),
        }
    }
    .await
    .err();
    if let Err(e) = launcher.remove(&lab_id).await {
        tracing::warn!(error = %e, "removing a test lab failed");
    }
    let case = match run.proof {
        Proof::Solution => e.id.to_string(),
        Proof::Cheat(n) => format!("{} cheat {}", e.id, e.cheats[n].name),
    };
    Outcome {
        name: run.name(),
        module: run.module,
        case,
        failure,
        refused,
        steps,
        total: t0.elapsed(),
    }
}

fn print_table(outcomes: &[Outcome]) {
    println!();
    println!("{:<56} {:<6} {:>8}  steps", "exercise", "result", "time");
    for o in outcomes {
        let steps: Vec<String> = o.steps.iter().map(|(name, d)| format!("{name} {:.0?}", d)).collect();
        let result = if o.failure.is_none() { "pass" } else { "FAIL" };
        println!(
            "{:<56} {:<6} {:>8}  {}",
            o.name,
            result,
            format!("{:.1?}", o.total),
            steps.join(", ")
        );
        if let Some(why) = &o.failure {
            println!("    {why}");
        }
        if let Some(what) = &o.refused {
            println!("    refused: {what}");
        }
    }
    println!();
}

async fn write_junit(path: &Path, outcomes: &[Outcome], elapsed: Duration) -> anyhow::Result<()> {
    let mut report = Report::new("berth content test");
    let mut suite = TestSuite::new("exercises");
    for o in outcomes {
        let status = match &o.failure {
            None => TestCaseStatus::success(),
            Some(why) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(why.as_str());
                status
            }
        };
        let mut case = TestCase::new(o.case.as_str(), status);
        case.set_classname(o.module.as_str()).set_time(o.total);
        suite.add_test_case(case);
    }
    suite.set_time(elapsed);
    report.add_test_suite(suite);
    let xml = report.to_string().context("writing JUnit XML")?;
    let mut file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(xml.as_bytes()).await?;
    Ok(())
}
