//! The instructor's toolchain: `berth content check` validates a course
//! without starting anything; `berth content test` proves every exercise
//! in a fresh lab: after setup the check must fail, after the reference
//! solution it must pass.

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

use crate::check::Exercise;
use crate::content::{self, Loaded};
use crate::lab::docker::DockerRuntime;
use crate::lab::images::playground_images;
use crate::lab::runtime::Runtime;
use crate::lab::{ModuleLab, Step, container_of, new_id, script};

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
    for (module, lab) in &loaded.labs {
        for e in &lab.exercises {
            for (name, text) in [
                ("setup.sh", e.setup.as_deref()),
                ("check.sh", Some(e.check.as_str())),
                ("solve.sh", Some(e.solve.as_str())),
            ] {
                let Some(text) = text else { continue };
                if let Err(message) = shell_syntax(text) {
                    problems += 1;
                    eprintln!("{module}/exercises/{}/{name}: {message}", e.id);
                }
            }
        }
    }
    if problems > 0 {
        bail!("{problems} script(s) in {} do not parse", args.dir.display());
    }
    Ok(loaded)
}

/// `sh -n`: parses without running.
fn shell_syntax(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().replace("sh: ", "line "))
    }
}

pub fn check(args: ContentArgs) -> anyhow::Result<()> {
    let loaded = load_checked(&args)?;
    let lessons: usize = loaded.course.modules.iter().map(|m| m.lessons.len()).sum();
    let questions: usize = loaded.quizzes.values().map(|q| q.questions.len()).sum();
    let exercises: usize = loaded.labs.values().map(|l| l.exercises.len()).sum();
    println!(
        "✓ {}: {} modules, {lessons} lessons, {} quizzes ({questions} questions), {exercises} exercises",
        args.dir.display(),
        loaded.course.modules.len(),
        loaded.quizzes.len(),
    );
    Ok(())
}

/// One exercise's run.
struct Outcome {
    module: String,
    exercise: String,
    /// `None` when every step did what it should.
    failure: Option<String>,
    steps: Vec<(&'static str, Duration)>,
    total: Duration,
}

pub async fn test(args: TestArgs) -> anyhow::Result<()> {
    let loaded = load_checked(&args.content)?;
    let runtime: Arc<dyn Runtime> = Arc::new(DockerRuntime::connect(args.runtimes.clone(), Default::default()).await);
    let mut todo: Vec<(String, Arc<ModuleLab>, Exercise)> = Vec::new();
    for (module, lab) in loaded.labs {
        let lab = Arc::new(lab);
        for e in &lab.exercises {
            if args.exercise.is_empty() || args.exercise.contains(&e.id) {
                todo.push((module.clone(), lab.clone(), e.clone()));
            }
        }
    }
    for wanted in &args.exercise {
        if !todo.iter().any(|(_, _, e)| &e.id == wanted) {
            bail!("there is no exercise `{wanted}` in {}", args.content.dir.display());
        }
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    println!("testing {} exercise(s), {jobs} at a time", todo.len());
    let instance = format!("content-test-{}", new_id());
    let started = Instant::now();
    let mut outcomes: Vec<Outcome> = stream::iter(todo)
        .map(|(module, lab, e)| {
            let runtime = runtime.clone();
            let instance = instance.clone();
            async move { run_one(runtime.as_ref(), &instance, module, &lab, &e).await }
        })
        .buffer_unordered(jobs)
        .inspect(|o| {
            let mark = if o.failure.is_none() { "✓" } else { "✗" };
            println!("{mark} {}/{} ({:.1?})", o.module, o.exercise, o.total);
        })
        .collect()
        .await;
    outcomes.sort_by(|a, b| (&a.module, &a.exercise).cmp(&(&b.module, &b.exercise)));
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
        bail!("{failed} exercise(s) failed their own test");
    }
    Ok(())
}

async fn run_one(runtime: &dyn Runtime, instance: &str, module: String, lab: &ModuleLab, e: &Exercise) -> Outcome {
    let t0 = Instant::now();
    let mut steps = Vec::new();
    let lab_id = format!("test-{}", new_id());
    let spec = lab.spec(&lab_id, 0, &module, instance, 0);
    let failure = async {
        let t = Instant::now();
        runtime.create(&spec).await.map_err(|e| e.to_string())?;
        steps.push(("start", t.elapsed()));
        let t = Instant::now();
        lab.set_up(runtime, &lab_id).await.map_err(|e| e.message())?;
        let container = container_of(&lab_id, e);
        steps.push(("setup", t.elapsed()));
        let run = async |step: Step| {
            let s = script(e, step).expect("check and solve always exist");
            runtime.run_script(&container, s).await.map_err(|e| e.to_string())
        };
        let t = Instant::now();
        let before = run(Step::Check).await?;
        steps.push(("check", t.elapsed()));
        if before.exit_code == Some(0) {
            return Err("the check passes before the exercise is done".to_string());
        }
        let t = Instant::now();
        let solve = run(Step::Solve).await?;
        steps.push(("solve", t.elapsed()));
        if solve.exit_code != Some(0) {
            return Err(format!(
                "the solution failed (exit {:?}): {}",
                solve.exit_code,
                solve.output.trim()
            ));
        }
        let t = Instant::now();
        let after = run(Step::Check).await?;
        steps.push(("check", t.elapsed()));
        if after.exit_code != Some(0) {
            return Err(format!(
                "the check fails after the solution (exit {:?}): {}",
                after.exit_code,
                after.output.trim()
            ));
        }
        Ok::<_, String>(())
    }
    .await
    .err();
    if let Err(e) = runtime.remove(&lab_id).await {
        tracing::warn!(error = %e, "removing a test lab failed");
    }
    Outcome {
        module,
        exercise: e.id.clone(),
        failure,
        steps,
        total: t0.elapsed(),
    }
}

fn print_table(outcomes: &[Outcome]) {
    println!();
    println!("{:<40} {:<6} {:>8}  steps", "exercise", "result", "time");
    for o in outcomes {
        let steps: Vec<String> = o.steps.iter().map(|(name, d)| format!("{name} {:.0?}", d)).collect();
        let result = if o.failure.is_none() { "pass" } else { "FAIL" };
        println!(
            "{:<40} {:<6} {:>8}  {}",
            format!("{}/{}", o.module, o.exercise),
            result,
            format!("{:.1?}", o.total),
            steps.join(", ")
        );
        if let Some(why) = &o.failure {
            println!("    {why}");
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
        let mut case = TestCase::new(o.exercise.as_str(), status);
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
