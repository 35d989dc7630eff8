//! Labs: one sandboxed container per learner and module, kept across the
//! module's exercises, with a terminal in the page and checks run inside.
//!
//! The database is the source of truth for which labs should exist; the
//! engine's labelled containers are matched against it at start-up and on
//! every sweep, so a crash of the server or of the engine leaves neither
//! orphan containers nor stuck records.

pub mod docker;
pub mod images;
pub mod mirror;
pub mod runtime;
pub mod seccomp;
pub mod starts;
pub mod terminal;

use rand::Rng;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_app::lab::{
    Assertion, CheckReport, ExerciseState, LabAction, LabRefusal, LabService, LabView, Outcome, RunningLab,
};

use crate::check::{Exercise, Limits, read_output};
use crate::store::{ExerciseEvent, LabRow, Store, StoreError, unix_now_millis};
use runtime::{CHECKER, LEARNER, LabSpec, Runtime, RuntimeError, Script};

/// A module's lab: what its exercises need.
#[derive(Clone, Debug)]
pub struct ModuleLab {
    pub image: String,
    pub limits: Limits,
    pub network: bool,
    /// Containers node1..nodeN; one is an ordinary lab.
    pub nodes: u8,
    pub exercises: Vec<Exercise>,
    /// Exercise ids by lesson id, in lesson order.
    pub lessons: BTreeMap<String, Vec<String>>,
}

impl ModuleLab {
    fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    /// The container a lab of this module gets.
    pub fn spec(&self, lab_id: &str, owner: i64, module: &str, instance: &str, expires_at: i64) -> LabSpec {
        LabSpec {
            lab_id: lab_id.to_string(),
            owner,
            module: module.to_string(),
            instance: instance.to_string(),
            image: images::image_name(&self.image),
            limits: self.limits,
            network: self.network,
            nodes: self.nodes,
            expires_at,
        }
    }

    /// Runs every exercise's setup script, as a fresh or reset lab needs.
    pub async fn set_up(&self, runtime: &dyn Runtime, lab_id: &str) -> Result<(), LabError> {
        for e in &self.exercises {
            let Some(setup) = script(e, Step::Setup) else { continue };
            let out = runtime.run_script(&container_of(lab_id, e), setup).await?;
            if out.exit_code != Some(0) {
                tracing::error!(exercise = %e.id, output = %out.output, "an exercise's setup failed");
                return Err(LabError::refused(format!(
                    "The setup of exercise “{}” failed, so the lab cannot be used; tell your instructor.",
                    e.title
                )));
            }
        }
        Ok(())
    }
}

/// The scripts of an exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Setup,
    Check,
    Solve,
    /// The exercise's cheat with this index, run like a solution.
    Cheat(usize),
}

/// The container an exercise's scripts run in: its node of the lab.
pub fn container_of(lab_id: &str, e: &Exercise) -> String {
    docker::node_name(lab_id, e.node)
}

/// How a step runs: setup and solution as the learner, the check as the
/// checker the learner cannot become; all with the exercise's time limit.
pub fn script(e: &Exercise, step: Step) -> Option<Script<'static>> {
    let (user, text) = match step {
        Step::Setup => (LEARNER, e.setup.as_deref()?),
        Step::Check => (CHECKER, e.check.as_str()),
        Step::Solve => (LEARNER, e.solve.as_str()),
        Step::Cheat(n) => (LEARNER, e.cheats.get(n)?.script.as_str()),
    };
    Some(Script {
        user,
        text: e.runnable(text).into(),
        timeout: Duration::from_secs(e.timeout_seconds.into()),
    })
}

#[derive(Clone, Debug)]
pub struct LabConfig {
    /// A lab with no terminal input and no open page for this long stops.
    pub idle: Duration,
    /// No lab lives longer than this (plus one extension of half of it).
    pub lifetime: Duration,
    /// Live labs on this server at most.
    pub max_labs: usize,
    /// Live labs per learner at most.
    pub per_learner: usize,
    /// How often expiry and reconciliation run.
    pub sweep: Duration,
    /// Labs one learner may start in any minute (0: no limit).
    pub starts_per_learner: u32,
    /// Labs that may be started from one client address in any minute (0:
    /// no limit).
    pub starts_per_address: u32,
}

/// Who asked for a lab action. Learners' starts count against the start
/// limits; staff acting from the classroom are not limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requester {
    /// The learner, from this client address (when known).
    Learner(Option<IpAddr>),
    Staff,
}

/// Why a lab request failed. `Refused` messages go to the learner as they
/// are; the others are logged and summarised.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("{0}")]
    Refused(String),
    /// Too many starts this minute; try again after the wait.
    #[error("{}", .0.message())]
    TooSoon(starts::Wait),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

impl LabError {
    fn refused(message: impl Into<String>) -> Self {
        Self::Refused(message.into())
    }

    /// What the learner reads.
    pub fn message(&self) -> String {
        match self {
            LabError::Refused(m) => m.clone(),
            LabError::TooSoon(wait) => wait.message(),
            LabError::Store(e) => {
                tracing::error!(error = %e, "a lab request failed in the database");
                "The lab could not be updated just now; try again shortly.".into()
            }
            LabError::Runtime(e) => {
                tracing::error!(error = %e, "a lab request failed in the container engine");
                match e {
                    RuntimeError::Unreachable(_) => {
                        "The lab engine is not reachable right now. Try again in a minute; if it keeps failing, tell your instructor.".into()
                    }
                    RuntimeError::MissingImage(image) => format!(
                        "This lab's image ({image}) is not installed on the server yet; an operator needs to run `berth images build`."
                    ),
                    RuntimeError::Engine(_) => "The lab engine refused the request; try again shortly.".into(),
                }
            }
        }
    }
}

pub struct Labs {
    runtime: Arc<dyn Runtime>,
    store: Store,
    config: LabConfig,
    instance: String,
    modules: BTreeMap<String, ModuleLab>,
    titles: HashMap<String, String>,
    /// Serialises capacity decisions so a burst of starts cannot overshoot.
    admitting: tokio::sync::Mutex<()>,
    starts: starts::StartLimits,
    /// Last activity per lab, written to the database at most every few
    /// seconds.
    activity: Mutex<HashMap<String, (i64, i64)>>,
    mirrors: terminal::Mirrors,
}

/// How often activity reaches the database, at most.
const ACTIVITY_WRITE_MS: i64 = 10_000;

/// A random 16-hex-digit id, for labs and for this install's label.
pub fn new_id() -> String {
    let bytes: [u8; 8] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Labs {
    pub fn new(
        runtime: Arc<dyn Runtime>,
        store: Store,
        config: LabConfig,
        instance: String,
        modules: BTreeMap<String, ModuleLab>,
        titles: HashMap<String, String>,
    ) -> Self {
        Self {
            runtime,
            store,
            starts: starts::StartLimits::new(config.starts_per_learner, config.starts_per_address),
            config,
            instance,
            modules,
            titles,
            admitting: tokio::sync::Mutex::new(()),
            activity: Mutex::default(),
            mirrors: terminal::Mirrors::default(),
        }
    }

    /// Terminal output copied for staff who watch.
    pub fn mirrors(&self) -> &terminal::Mirrors {
        &self.mirrors
    }

    /// The id of the learner's running lab, most recently started first.
    pub async fn running_lab_of(&self, user: i64) -> Result<Option<String>, LabError> {
        let labs = self.store.live_labs_of(user).await?;
        Ok(labs.into_iter().rev().find(|l| l.running).map(|l| l.id))
    }

    pub fn runtime(&self) -> &Arc<dyn Runtime> {
        &self.runtime
    }

    fn module(&self, module: &str) -> Result<&ModuleLab, LabError> {
        self.modules
            .get(module)
            .ok_or_else(|| LabError::refused("This module has no lab."))
    }

    async fn live_lab(&self, user: i64, module: &str) -> Result<Option<LabRow>, LabError> {
        Ok(self
            .store
            .live_labs_of(user)
            .await?
            .into_iter()
            .find(|l| l.module == module))
    }

    async fn running_lab(&self, user: i64, module: &str) -> Result<LabRow, LabError> {
        match self.live_lab(user, module).await? {
            Some(lab) if lab.running => Ok(lab),
            Some(_) => Err(LabError::refused("Your lab is still starting; try again in a moment.")),
            None => Err(LabError::refused("Start the lab first.")),
        }
    }

    /// Starts the learner's lab for the module, unless it already runs.
    /// Only a start that creates a lab counts against the start limits.
    pub async fn start(&self, user: i64, module: &str, by: Requester) -> Result<(), LabError> {
        let lab = self.module(module)?;
        let admitting = self.admitting.lock().await;
        let live = self.store.live_labs().await?;
        if live.iter().any(|l| l.user_id == user && l.module == module) {
            return Ok(());
        }
        if let Some(other) = live.iter().find(|l| l.user_id == user)
            && live.iter().filter(|l| l.user_id == user).count() >= self.config.per_learner
        {
            let title = self.titles.get(&other.module).unwrap_or(&other.module);
            return Err(LabError::refused(format!(
                "You already have a lab running for “{title}”. Stop it there first, or wait for it to stop by itself."
            )));
        }
        if live.len() >= self.config.max_labs {
            return Err(LabError::refused(format!(
                "All {} labs on this server are in use. Try again in about {} minute(s).",
                self.config.max_labs,
                self.minutes_until_free(&live)
            )));
        }
        if let Requester::Learner(address) = by {
            self.starts.admit(user, address).map_err(LabError::TooSoon)?;
        }
        let id = new_id();
        let expires_at = unix_now_millis() + self.config.lifetime.as_millis() as i64;
        if !self.store.insert_lab(&id, user, module, expires_at).await? {
            return Ok(());
        }
        drop(admitting);
        let spec = lab.spec(&id, user, module, &self.instance, expires_at);
        let started = async {
            let container = self.runtime.create(&spec).await?;
            lab.set_up(self.runtime.as_ref(), &id).await?;
            self.store.set_lab_running(&id, &container).await?;
            Ok::<_, LabError>(())
        };
        if let Err(e) = started.await {
            let _ = self.runtime.remove(&id).await;
            let _ = self.store.end_lab(&id, "failed").await;
            return Err(e);
        }
        tracing::info!(lab = %id, user, module, "lab started");
        Ok(())
    }

    /// When the first live lab is due to stop, in whole minutes (at least 1).
    fn minutes_until_free(&self, live: &[LabRow]) -> i64 {
        let now = unix_now_millis();
        let idle = self.config.idle.as_millis() as i64;
        let soonest = live
            .iter()
            .map(|l| l.expires_at.min(l.last_active + idle))
            .min()
            .unwrap_or(now);
        (((soonest - now).max(0) + 59_999) / 60_000).max(1)
    }

    pub async fn stop(&self, user: i64, module: &str, reason: &str) -> Result<(), LabError> {
        if let Some(lab) = self.live_lab(user, module).await? {
            self.end(&lab.id, reason).await?;
        }
        Ok(())
    }

    async fn end(&self, lab_id: &str, reason: &str) -> Result<(), LabError> {
        self.runtime.remove(lab_id).await?;
        self.store.end_lab(lab_id, reason).await?;
        self.activity.lock().expect("activity lock").remove(lab_id);
        self.mirrors.remove_lab(lab_id);
        tracing::info!(lab = %lab_id, reason, "lab ended");
        Ok(())
    }

    /// Notes activity on a lab (terminal input, an open terminal).
    pub async fn touch(&self, lab_id: &str) {
        let now = unix_now_millis();
        let write = {
            let mut activity = self.activity.lock().expect("activity lock");
            let entry = activity.entry(lab_id.to_string()).or_insert((now, 0));
            entry.0 = now;
            if now - entry.1 >= ACTIVITY_WRITE_MS {
                entry.1 = now;
                true
            } else {
                false
            }
        };
        if write && let Err(e) = self.store.touch_lab(lab_id, now).await {
            tracing::warn!(error = %e, "recording lab activity failed");
        }
    }

    /// The container of a running lab's node, if `user` owns the lab and
    /// it has that node.
    pub async fn attachable(&self, user: i64, lab_id: &str, node: u8) -> Result<Option<String>, LabError> {
        Ok(match self.store.lab(lab_id).await? {
            Some(lab)
                if lab.user_id == user
                    && lab.running
                    && (1..=self.modules.get(&lab.module).map_or(1, |m| m.nodes)).contains(&node) =>
            {
                Some(docker::node_name(&lab.id, node))
            }
            _ => None,
        })
    }

    /// Ends labs past their lifetime or idle, and matches the engine's
    /// containers against the records. At start-up (`after_restart`) a lab
    /// still marked as starting was interrupted by the restart.
    pub async fn sweep(&self, after_restart: bool) -> Result<usize, LabError> {
        // Containers first: one created after this listing has a record
        // already, so it is never taken for an orphan.
        let containers = self.runtime.list(&self.instance).await?;
        self.flush_activity().await;
        let now = unix_now_millis();
        let idle = self.config.idle.as_millis() as i64;
        let mut ended = 0;
        let mut kept = Vec::new();
        for lab in self.store.live_labs().await? {
            let container = containers.iter().find(|c| c.lab_id == lab.id);
            let reason = if lab.expires_at <= now {
                Some("expired")
            } else if lab.running && lab.last_active + idle <= now {
                Some("idle")
            } else if lab.running && !container.is_some_and(|c| c.running) {
                Some("gone")
            } else if !lab.running && (after_restart || lab.started_at + 5 * 60_000 <= now) {
                Some("interrupted")
            } else {
                None
            };
            match reason {
                Some(reason) => {
                    self.end(&lab.id, reason).await?;
                    ended += 1;
                }
                None => kept.push(lab.id),
            }
        }
        for orphan in containers.iter().filter(|c| !kept.contains(&c.lab_id)) {
            self.runtime.remove(&orphan.lab_id).await?;
            tracing::info!(lab = %orphan.lab_id, "removed a lab container without a live record");
        }
        Ok(ended)
    }

    async fn flush_activity(&self) {
        let pending: Vec<(String, i64)> = {
            let mut activity = self.activity.lock().expect("activity lock");
            activity
                .iter_mut()
                .filter(|(_, (seen, written))| seen > written)
                .map(|(id, (seen, written))| {
                    *written = *seen;
                    (id.clone(), *seen)
                })
                .collect()
        };
        for (id, at) in pending {
            if let Err(e) = self.store.touch_lab(&id, at).await {
                tracing::warn!(error = %e, "recording lab activity failed");
            }
        }
    }

    /// Sweeps now, then every `config.sweep`, for as long as these labs
    /// are in use (a reload with `--watch` replaces them).
    pub fn spawn_sweeper(self: &Arc<Self>) {
        let labs = Arc::downgrade(self);
        let every = self.config.sweep;
        tokio::spawn(async move {
            let mut after_restart = true;
            while let Some(labs) = labs.upgrade() {
                match labs.sweep(after_restart).await {
                    Ok(n) if n > 0 => tracing::info!(ended = n, "lab sweep"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "lab sweep failed; trying again later"),
                }
                after_restart = false;
                drop(labs);
                tokio::time::sleep(every).await;
            }
        });
    }

    async fn run_check(&self, user: i64, module: &str, exercise: &str, live: bool) -> Result<CheckReport, LabError> {
        let ex = self
            .module(module)?
            .exercise(exercise)
            .ok_or_else(|| LabError::refused("There is no such exercise in this module."))?;
        let lab = self.running_lab(user, module).await?;
        self.touch(&lab.id).await;
        let check = script(ex, Step::Check).expect("every exercise has a check");
        let out = self.runtime.run_script(&container_of(&lab.id, ex), check).await?;
        let (passed, assertions) = read_output(&out.output, out.exit_code, out.timed_out, out.truncated);
        let report = CheckReport { passed, assertions };
        // Live checks are recorded only when they pass, once.
        let record = !live || (passed && !self.store.exercise_history(user, exercise).await?.passed);
        if record {
            let event = if live {
                ExerciseEvent::LiveCheck
            } else {
                ExerciseEvent::Check
            };
            let detail =
                serde_json::to_string(&report).map_err(|e| LabError::Store(StoreError::Corrupt(e.to_string())))?;
            self.store
                .log_exercise(user, module, exercise, event, Some(passed), &detail)
                .await?;
        }
        Ok(report)
    }

    async fn lab_view(&self, user: i64, module: &str, lesson: &str) -> Result<LabView, LabError> {
        let lab = self.module(module)?;
        let running = self.live_lab(user, module).await?.filter(|l| l.running);
        let now = unix_now_millis();
        let mut exercises = Vec::new();
        for id in lab.lessons.get(lesson).into_iter().flatten() {
            let Some(e) = lab.exercise(id) else { continue };
            let history = self.store.exercise_history(user, id).await?;
            exercises.push(ExerciseState {
                id: e.id.clone(),
                title: e.title.clone(),
                passed: history.passed,
                live_seconds: e.live_seconds,
                hints_shown: e.hints.iter().take(history.hints).cloned().collect(),
                hints_total: e.hints.len(),
                solution: history.solution.then(|| e.solve.clone()),
                last_check: history
                    .last_check
                    .and_then(|json| serde_json::from_str::<CheckReport>(&json).ok()),
            });
        }
        Ok(LabView {
            module: module.to_string(),
            lab: running.map(|l| RunningLab {
                expires_in: (l.expires_at - now) / 1000,
                idle_timeout: self.config.idle.as_secs() as i64,
                can_extend: !l.extended,
                terminal: format!("/labs/{}/terminal", l.id),
                nodes: lab.nodes,
            }),
            exercises,
        })
    }

    pub async fn apply(&self, user: i64, module: &str, action: LabAction, by: Requester) -> Result<(), LabError> {
        match action {
            LabAction::Start => self.start(user, module, by).await,
            LabAction::Stop => self.stop(user, module, "stopped").await,
            LabAction::Reset => {
                self.module(module)?;
                self.stop(user, module, "reset").await?;
                self.start(user, module, by).await
            }
            LabAction::Extend => self.extend(user, module, false).await,
        }
    }

    /// Gives the lab half its lifetime more: once for the learner, as often
    /// as needed when staff ask (`again`).
    pub async fn extend(&self, user: i64, module: &str, again: bool) -> Result<(), LabError> {
        let lab = self.running_lab(user, module).await?;
        let by = (self.config.lifetime / 2).as_millis() as i64;
        if self.store.extend_lab(&lab.id, by, again).await? {
            Ok(())
        } else {
            Err(LabError::refused("This lab already had its extra time."))
        }
    }

    async fn reveal(&self, user: i64, module: &str, exercise: &str, solution: bool) -> Result<(), LabError> {
        let ex = self
            .module(module)?
            .exercise(exercise)
            .ok_or_else(|| LabError::refused("There is no such exercise in this module."))?;
        let history = self.store.exercise_history(user, exercise).await?;
        let (event, more) = match solution {
            true => (ExerciseEvent::Solution, !history.solution),
            false => (ExerciseEvent::Hint, history.hints < ex.hints.len()),
        };
        if more {
            self.store
                .log_exercise(user, module, exercise, event, None, "{}")
                .await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl LabService for Labs {
    async fn view(&self, user: i64, module: &str, lesson: &str) -> Result<LabView, String> {
        self.lab_view(user, module, lesson).await.map_err(|e| e.message())
    }

    async fn act(&self, user: i64, address: Option<IpAddr>, module: &str, action: LabAction) -> Result<(), LabRefusal> {
        let by = Requester::Learner(address);
        self.apply(user, module, action, by).await.map_err(|e| LabRefusal {
            retry_after: match &e {
                LabError::TooSoon(wait) => Some(wait.seconds()),
                _ => None,
            },
            message: e.message(),
        })
    }

    async fn check(&self, user: i64, module: &str, exercise: &str, live: bool) -> Result<CheckReport, String> {
        match self.run_check(user, module, exercise, live).await {
            Ok(report) => Ok(report),
            // A check that could not run is still an answer the panel shows.
            Err(LabError::Runtime(e)) => Ok(CheckReport {
                passed: false,
                assertions: vec![Assertion::note(Outcome::Fail, &LabError::Runtime(e).message())],
            }),
            Err(e) => Err(e.message()),
        }
    }

    async fn reveal_hint(&self, user: i64, module: &str, exercise: &str) -> Result<(), String> {
        self.reveal(user, module, exercise, false)
            .await
            .map_err(|e| e.message())
    }

    async fn reveal_solution(&self, user: i64, module: &str, exercise: &str) -> Result<(), String> {
        self.reveal(user, module, exercise, true).await.map_err(|e| e.message())
    }
}
