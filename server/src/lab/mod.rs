//! Labs: one sandboxed set of containers per learner and module, kept
//! across the module's exercises, with a terminal in the page and checks
//! run inside.
//!
//! The database is the source of truth for which labs should exist; the
//! runtime's labelled labs are matched against it at start-up and on every
//! sweep, so a crash of the server or of the engine leaves neither orphan
//! containers nor stuck records. Which engine runs the labs is the
//! [`runtime::Runtime`]'s business: nothing here names a container.
//!
//! With `--warm`, labs are also made ahead of any click ([`pool`]): a start
//! then claims a waiting lab, checks it is alive and runs only the
//! setups that differ per learner.

pub mod docker;
pub mod hosts;
pub mod images;
pub mod mirror;
pub mod pool;
pub mod runtime;
pub mod seccomp;
pub mod ssh;
pub mod starts;
pub mod terminal;

use rand::Rng;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

use berth_app::error::AppError;
use berth_app::lab::{
    Assertion, CheckReport, ExerciseOf, ExerciseState, LabAction, LabEnd, LabService, LabView, Outcome, RunningLab,
    SetupState,
};
use berth_app::model::{
    EndReason, ExerciseEvent, HostName, HostState, LabId, LessonId, Millis, ModuleId, NodeNumber, StaffLabAction,
    UserId, minutes_ceil,
};

use crate::content::ModuleGrading;
use crate::events::{Change, Events};
use crate::exercise::{self, Exercise, ModuleLab, Step, read_output};
use crate::store::{
    Database, Held, LabRow, Lock, NewExerciseEvent, Placed, PoolLabRow, Recorded, ReplicaId, Store, StoreError,
    WatcherId,
};
use runtime::{LabSpec, Runtime, RuntimeError, Script, ScriptOutput};

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
    /// How long a listed host may stay silent before it is lost.
    pub host_lost_after: Duration,
    /// Labs one learner may start in any minute (0: no limit).
    pub starts_per_learner: u32,
    /// Labs that may be started from one client address in any minute (0:
    /// no limit).
    pub starts_per_address: u32,
    /// Labs each module keeps made and waiting for a learner.
    pub warm: pool::WarmTargets,
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
/// are; the others are logged once, when turned into what the learner
/// reads.
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

    /// What the learner reads. Internal failures are logged here, once:
    /// the error is used up.
    pub fn into_user_message(self) -> String {
        match self {
            LabError::Refused(m) => m,
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
                    RuntimeError::Engine(_) | RuntimeError::Host(_) => {
                        "The lab engine refused the request; try again shortly.".into()
                    }
                }
            }
        }
    }
}

impl From<LabError> for AppError {
    fn from(e: LabError) -> Self {
        match e {
            LabError::TooSoon(wait) => AppError::TooSoon {
                message: wait.message(),
                retry_after: wait.seconds(),
            },
            e => AppError::Unavailable(e.into_user_message()),
        }
    }
}

/// A random 16-hex-digit id, for labs and for this install's label.
pub fn new_id() -> String {
    let bytes: [u8; 8] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a lab comes to be and how exercise steps run in it, on this
/// install's runtime: shared by the learners' [`Labs`] and by `berth content
/// test`, so both start labs the same way.
#[derive(Clone)]
pub struct Launcher {
    runtime: Arc<dyn Runtime>,
    /// This install's label: labs of other installs on the same engine are
    /// left alone.
    instance: String,
    /// Labs being set up at once. A class starting together would
    /// otherwise run every setup at the same moment, each slowed until its
    /// script's timeout failed the lab; waiting for a turn fails nobody.
    setting_up: Arc<tokio::sync::Semaphore>,
}

impl Launcher {
    /// `setups_at_once`: 0 for twice the machine's cores.
    pub fn new(runtime: Arc<dyn Runtime>, instance: String, setups_at_once: usize) -> Self {
        let at_once = match setups_at_once {
            0 => std::thread::available_parallelism().map_or(4, |n| 2 * n.get()),
            n => n,
        };
        Self {
            runtime,
            instance,
            setting_up: Arc::new(tokio::sync::Semaphore::new(at_once)),
        }
    }

    /// Waits for a turn to set a lab up.
    async fn turn(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.setting_up
            .acquire()
            .await
            .expect("the setups' semaphore is never closed")
    }

    pub fn runtime(&self) -> &Arc<dyn Runtime> {
        &self.runtime
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// What a lab of this module is made of; a lab of the warm pool has
    /// no owner yet.
    pub fn spec(
        &self,
        lab: &LabId,
        owner: Option<UserId>,
        module: &ModuleId,
        m: &ModuleLab,
        expires_at: Millis,
    ) -> LabSpec {
        LabSpec {
            lab: lab.clone(),
            owner,
            module: module.clone(),
            instance: self.instance.clone(),
            image: images::image_name(&m.image),
            limits: m.limits,
            network: m.network,
            nodes: m.nodes,
            expires_at,
            host: None,
        }
    }

    /// Creates the lab's nodes and runs the exercises' setups (see
    /// [`Launcher::prepare`]). If any of it fails, what was made is
    /// removed again.
    pub async fn launch(&self, spec: &LabSpec, m: &ModuleLab, setups: Setups) -> Result<(), LabError> {
        self.create(spec).await?;
        let prepared = self.prepare(&spec.lab, m, setups).await;
        if prepared.is_err() {
            self.remove_failed(&spec.lab).await;
        }
        prepared
    }

    /// Creates the lab's nodes, each with its shell (and engine) ready,
    /// but runs no setup. If it fails, what was made is removed again.
    pub async fn create(&self, spec: &LabSpec) -> Result<(), LabError> {
        let created = self.runtime.create(spec).await;
        if created.is_err() {
            self.remove_failed(&spec.lab).await;
        }
        Ok(created?)
    }

    /// Runs the exercises' setups in a created lab: the shared ones first,
    /// then the learner's own (`Setups::All`) or the warm-up scripts
    /// (`Setups::Pool`).
    pub async fn prepare(&self, lab: &LabId, m: &ModuleLab, setups: Setups) -> Result<(), LabError> {
        let _turn = self.turn().await;
        self.set_up(lab, m, Step::Setup, |e| e.shared_setup).await?;
        match setups {
            Setups::All => self.set_up(lab, m, Step::Setup, |e| !e.shared_setup).await,
            Setups::Pool => self.set_up(lab, m, Step::Warm, |_| true).await,
        }
    }

    /// Removes a lab that failed to start (a failed removal is logged; the
    /// sweep retries it).
    async fn remove_failed(&self, lab: &LabId) {
        if let Err(e) = self.runtime.remove(lab).await {
            tracing::warn!(lab = %lab, error = %e, "removing a lab that failed to start failed");
        }
    }

    /// Runs the setup (or warm-up) script of each exercise `which` picks,
    /// in the module's order.
    async fn set_up(
        &self,
        lab: &LabId,
        m: &ModuleLab,
        step: Step,
        which: impl Fn(&Exercise) -> bool,
    ) -> Result<(), LabError> {
        for e in m.exercises.iter().filter(|e| which(e)) {
            let Some(out) = self.run(lab, e, step).await? else {
                continue;
            };
            if out.exit_code != Some(0) {
                tracing::error!(
                    lab = %lab, exercise = %e.id, exit_code = ?out.exit_code, timed_out = out.timed_out,
                    output = %out.output, "an exercise's setup failed"
                );
                return Err(LabError::refused(format!(
                    "The setup of exercise “{}” failed, so the lab cannot be used; tell your instructor.",
                    e.title
                )));
            }
        }
        Ok(())
    }

    /// Readies a claimed lab of the warm pool for its learner: the setups
    /// that are not shared.
    pub async fn personalise(&self, lab: &LabId, m: &ModuleLab) -> Result<(), LabError> {
        let _turn = self.turn().await;
        self.set_up(lab, m, Step::Setup, |e| !e.shared_setup).await
    }

    /// Starts each node's kept shell ahead of its first terminal.
    pub async fn open_shells(&self, lab: &LabId, nodes: NodeNumber) -> Result<(), LabError> {
        for node in 1..=nodes {
            self.runtime.open_shell(lab, node).await?;
        }
        Ok(())
    }

    /// Whether every node of the lab runs a command: a pool lab may have
    /// died while it waited (its engine restarted, memory ran out).
    pub async fn alive(&self, lab: &LabId, nodes: NodeNumber) -> bool {
        for node in 1..=nodes {
            let probe = Script {
                user: runtime::LEARNER,
                text: "true".into(),
                timeout: HEALTH_TIMEOUT,
            };
            let failure = match self.runtime.run_script(lab, node, probe).await {
                Ok(out) if out.exit_code == Some(0) => continue,
                Ok(out) => out.output,
                Err(e) => e.to_string(),
            };
            tracing::warn!(lab = %lab, node, %failure, "a warm lab failed its health check");
            return false;
        }
        true
    }

    /// Runs a step of the exercise on its node; `None` when the exercise
    /// has no such step.
    pub async fn run(&self, lab: &LabId, e: &Exercise, step: Step) -> Result<Option<ScriptOutput>, RuntimeError> {
        let Some(s) = e.step(step) else { return Ok(None) };
        let script = Script {
            user: s.run_as.account(),
            text: s.text.into(),
            timeout: s.timeout,
        };
        self.runtime.run_script(lab, s.node, script).await.map(Some)
    }

    /// Forgets a lab that cannot be removed now (its host is lost).
    pub fn forget(&self, lab: &LabId) {
        self.runtime.forget(lab);
    }

    pub async fn remove(&self, lab: &LabId) -> Result<(), RuntimeError> {
        self.runtime.remove(lab).await
    }
}

/// Which setups a launch runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setups {
    /// The shared ones, then every `warm.sh`: a lab for the warm pool.
    Pool,
    /// Every exercise's: a lab made for its learner.
    All,
}

/// How long a warm lab may take to answer its health check.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Labs {
    launcher: Launcher,
    store: Store,
    events: Events,
    config: LabConfig,
    modules: BTreeMap<ModuleId, ModuleLab>,
    titles: HashMap<ModuleId, String>,
    /// How modules are scored: a pass queues the learner's new score.
    grading: Arc<BTreeMap<ModuleId, ModuleGrading>>,
    /// Serialises this process's capacity decisions so a burst of starts
    /// cannot overshoot; across replicas, [`Lock::Admission`] does.
    admitting: tokio::sync::Mutex<()>,
    starts: starts::StartLimits,
    /// Last activity per lab, written to the database at most every few
    /// seconds.
    activity: Mutex<HashMap<LabId, Activity>>,
    feeds: terminal::WatchFeeds,
    /// Wakes the warm pool's refill: after each sweep and each claim.
    refill: Arc<tokio::sync::Notify>,
    /// Labs made on a click, until they end: their setups run after the
    /// learner has the prompt, and checks wait for them.
    preparing: Mutex<HashMap<LabId, Preparing>>,
}

/// A lab made on a click, from the moment its nodes run until it ends.
struct Preparing {
    /// When its nodes were running.
    since: Millis,
    state: watch::Receiver<Preparation>,
}

/// Where the setups of a lab made on a click stand. Until they finish the
/// lab's record says it is starting, so a restart meanwhile ends it as
/// interrupted rather than leaving it half set up.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Preparation {
    Running,
    Done,
    /// What the learner reads.
    Failed(String),
}

#[derive(Clone, Copy)]
struct Activity {
    seen: Millis,
    written: Millis,
}

/// How often activity reaches the database, at most.
const ACTIVITY_WRITE: Duration = Duration::from_secs(10);
/// A lab still starting after this long was interrupted.
const START_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How often a replica says it is at work: every sweep, or this often if
/// sweeps are further apart.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// Heartbeats a replica may miss before the others take it for dead, let
/// go of its terminals and end the labs it was making.
const REPLICA_SILENT: u32 = 3;

impl Labs {
    pub fn new(
        launcher: Launcher,
        store: Store,
        events: Events,
        config: LabConfig,
        modules: BTreeMap<ModuleId, ModuleLab>,
        titles: HashMap<ModuleId, String>,
        grading: Arc<BTreeMap<ModuleId, ModuleGrading>>,
    ) -> Self {
        Self {
            starts: starts::StartLimits::new(config.starts_per_learner, config.starts_per_address, store.clone()),
            launcher,
            store,
            events,
            config,
            modules,
            titles,
            grading,
            admitting: tokio::sync::Mutex::new(()),
            activity: Mutex::default(),
            feeds: terminal::WatchFeeds::default(),
            refill: Arc::default(),
            preparing: Mutex::default(),
        }
    }

    /// Terminal output copied for staff who watch.
    pub fn watch_feeds(&self) -> &terminal::WatchFeeds {
        &self.feeds
    }

    /// Committed changes, for terminals that name their watchers.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Records `name` watching the lab node's terminal, and tells the
    /// learner's terminal (whichever replica serves it).
    pub async fn start_watching(&self, lab: &LabId, node: NodeNumber, name: &str) -> Result<WatcherId, LabError> {
        let id = self
            .store
            .add_watcher((lab, node), name, ReplicaId::this_process())
            .await?;
        self.events.publish(Change::Watchers { lab: lab.clone() });
        Ok(id)
    }

    /// Watches of the lab node served by other replicas.
    pub async fn watches_elsewhere(&self, lab: &LabId, node: NodeNumber) -> Result<Vec<WatcherId>, LabError> {
        Ok(self
            .store
            .watches_elsewhere((lab, node), ReplicaId::this_process())
            .await?)
    }

    pub async fn stop_watching(&self, lab: &LabId, id: WatcherId) -> Result<(), LabError> {
        self.store.remove_watcher(id).await?;
        self.events.publish(Change::Watchers { lab: lab.clone() });
        Ok(())
    }

    /// Records a terminal joined to the node's kept shell, held by this
    /// replica, so that if it dies another can detach it.
    pub async fn joined(&self, (lab, node): (&LabId, NodeNumber), client: &str) {
        let recorded = self
            .store
            .add_terminal_client(client, (lab, node), ReplicaId::this_process())
            .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, %lab, node, "recording a terminal failed; if this replica dies, its tmux client stays until the lab ends");
        }
    }

    /// Detaches a terminal's client from the node's shell, which runs on:
    /// the engine would keep the client's exec running after its
    /// connection ended.
    pub async fn leave(&self, (lab, node): (&LabId, NodeNumber), client: &str) {
        if let Err(e) = self.runtime().leave(lab, node, client).await {
            tracing::warn!(error = %e, %lab, node, "could not detach a terminal from its shell");
        }
        self.left((lab, node), client).await;
    }

    /// Forgets a terminal whose client is gone already (its exec ended
    /// with the shell, or [`Labs::leave`] detached it).
    pub async fn left(&self, (lab, node): (&LabId, NodeNumber), client: &str) {
        if let Err(e) = self.store.remove_terminal_client(client).await {
            tracing::warn!(error = %e, %lab, node, "forgetting a detached terminal failed");
        }
    }

    /// Lets go of what replicas that died without a word held: detaches
    /// their terminals from the labs' shells and ends their watches (and
    /// tells the watched learners). A replica is dead once silent for
    /// [`REPLICA_SILENT`] heartbeats; on SQLite, one process, any other is.
    async fn let_go_of_dead_replicas(&self) -> Result<(), LabError> {
        let me = ReplicaId::this_process();
        for replica in self.store.dead_replicas(me, self.silent_since()).await? {
            let left = self.store.clients_of(&replica).await?;
            for c in &left {
                // A lab that ended took its shell with it.
                if let Err(e) = self.runtime().leave(&c.lab, c.node, &c.client).await {
                    tracing::debug!(error = %e, lab = %c.lab, "detaching a dead replica's terminal failed");
                }
            }
            for lab in self.store.forget_replica(&replica).await? {
                self.events.publish(Change::Watchers { lab });
            }
            tracing::info!(%replica, terminals = left.len(), "let go of a replica that stopped without a word");
        }
        Ok(())
    }

    fn heartbeat(&self) -> Duration {
        self.config.sweep.min(HEARTBEAT)
    }

    /// A replica that has said nothing since is dead.
    fn silent_since(&self) -> Millis {
        Millis::now().minus(self.heartbeat() * REPLICA_SILENT)
    }

    /// Who is watching the lab node's terminal.
    pub async fn watchers(&self, lab: &LabId, node: NodeNumber) -> Result<Vec<String>, LabError> {
        Ok(self.store.watchers(lab, node).await?)
    }

    /// The learner's running lab, most recently started first.
    pub async fn running_lab_of(&self, user: UserId) -> Result<Option<LabId>, LabError> {
        let labs = self.store.live_labs_of(user).await?;
        Ok(labs.into_iter().rev().find(|l| self.usable(l)).map(|l| l.id))
    }

    pub fn runtime(&self) -> &Arc<dyn Runtime> {
        self.launcher.runtime()
    }

    fn module(&self, module: &ModuleId) -> Result<&ModuleLab, LabError> {
        self.modules
            .get(module)
            .ok_or_else(|| LabError::refused("This module has no lab."))
    }

    fn exercise(&self, of: ExerciseOf<'_>) -> Result<&Exercise, LabError> {
        self.module(of.module)?
            .exercise(of.exercise)
            .ok_or_else(|| LabError::refused("There is no such exercise in this module."))
    }

    async fn live_lab(&self, user: UserId, module: &ModuleId) -> Result<Option<LabRow>, LabError> {
        Ok(self
            .store
            .live_labs_of(user)
            .await?
            .into_iter()
            .find(|l| &l.module == module))
    }

    async fn running_lab(&self, user: UserId, module: &ModuleId) -> Result<LabRow, LabError> {
        match self.live_lab(user, module).await? {
            Some(lab) if self.usable(&lab) => Ok(lab),
            Some(_) => Err(LabError::refused("Your lab is still starting; try again in a moment.")),
            None => Err(LabError::refused("Start the lab first.")),
        }
    }

    /// The turn to count labs against the limits and record one: this
    /// process's, then (PostgreSQL) the replicas' lock, so no two
    /// decisions interleave anywhere.
    async fn admission(&self) -> Result<Admission<'_>, LabError> {
        let turn = self.admitting.lock().await;
        let held = self.store.lock(Lock::Admission).await?;
        Ok(Admission { _turn: turn, held })
    }

    /// Whether the learner may use the lab: it runs, or its shell is ready
    /// while its setups run.
    fn usable(&self, lab: &LabRow) -> bool {
        lab.is_running() || self.preparation(&lab.id).is_some()
    }

    /// How the setups of a lab made on a click stand; `None` for a lab
    /// this server did not make on a click (a warm one, or one from before
    /// a restart).
    fn preparation(&self, lab: &LabId) -> Option<Preparation> {
        let preparing = self.preparing.lock().expect("preparing lock");
        preparing.get(lab).map(|p| p.state.borrow().clone())
    }

    /// Whether the lab, still setting up, had its nodes running before
    /// `at` (so the runtime's listing then should show them).
    fn running_before(&self, lab: &LabId, at: Millis) -> bool {
        let preparing = self.preparing.lock().expect("preparing lock");
        preparing.get(lab).is_some_and(|p| p.since < at)
    }

    /// Waits until the lab's setups are done; an error saying so if they
    /// failed.
    async fn prepared(&self, lab: &LabId) -> Result<(), LabError> {
        let watching = self
            .preparing
            .lock()
            .expect("preparing lock")
            .get(lab)
            .map(|p| p.state.clone());
        let Some(mut watching) = watching else {
            return self.prepared_elsewhere(lab).await;
        };
        // A dropped sender means the lab ended meanwhile: the check then
        // fails on its own, as for any lab that is gone.
        let outcome = watching
            .wait_for(|p| *p != Preparation::Running)
            .await
            .map(|p| p.clone());
        match outcome {
            Ok(Preparation::Failed(message)) => Err(LabError::Refused(message)),
            _ => Ok(()),
        }
    }

    /// Waits for the setups of a lab another replica is setting up, as its
    /// record tells.
    async fn prepared_elsewhere(&self, lab: &LabId) -> Result<(), LabError> {
        loop {
            match self.store.lab(lab).await? {
                Some(row) if row.preparing => {
                    if let Some(failure) = row.setup_failure {
                        return Err(LabError::Refused(failure));
                    }
                    // Its maker died: the sweep ends it, and the check
                    // then fails as for any lab that is gone.
                    if row.started_at.plus(START_TIMEOUT) <= Millis::now() {
                        return Ok(());
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                _ => return Ok(()),
            }
        }
    }

    /// Starts the learner's lab for the module, unless it already runs.
    /// Only a start that creates a lab counts against the start limits.
    pub async fn start(&self, user: UserId, module: &ModuleId, by: Requester) -> Result<(), LabError> {
        let lab = self.module(module)?;
        let admitting = self.admission().await?;
        let live = self.store.live_labs().await?;
        if live.iter().any(|l| l.user == user && &l.module == module) {
            return Ok(());
        }
        if let Some(other) = live.iter().find(|l| l.user == user)
            && live.iter().filter(|l| l.user == user).count() >= self.config.per_learner
        {
            let title = self
                .titles
                .get(&other.module)
                .map_or(other.module.as_str(), String::as_str);
            return Err(LabError::refused(format!(
                "You already have a lab running for “{title}”. Stop it there first, or wait for it to stop by itself."
            )));
        }
        let pool = self.store.pool_labs().await?;
        let waiting = pool.iter().any(|p| &p.module == module && p.is_claimable());
        if !waiting && live.len() + pool.len() >= self.config.max_labs {
            // A learner comes before a lab nobody asked for yet.
            let Some(oldest) = pool.iter().find(|p| p.is_ready()).or(pool.first()) else {
                return Err(LabError::refused(format!(
                    "All {} labs on this server are in use. Try again in about {} minute(s).",
                    self.config.max_labs,
                    self.minutes_until_free(&live)
                )));
            };
            self.end(&oldest.id, EndReason::GivenBack).await?;
        }
        let id = LabId::new(new_id());
        let expires_at = Millis::now().plus(self.config.lifetime);
        let spec = self.launcher.spec(&id, Some(user), module, lab, expires_at);
        // Before the start counts against the learner's limit.
        if !waiting {
            let needs = spec.needs();
            let mut placed = self.store.room_for(&needs).await?;
            if placed == Placed::NoRoom
                && let Some(warm) = self.store.pool_lab_making_room(&needs).await?
            {
                // On a full host too, a learner comes first.
                self.end(&warm, EndReason::GivenBack).await?;
                placed = self.store.room_for(&needs).await?;
            }
            self.placeable(placed, &live)?;
        }
        if let Requester::Learner(address) = by {
            self.starts.admit(user, address).await?;
        }
        if waiting && let Some(id) = self.store.claim_pool_lab(user, module, self.config.lifetime).await? {
            admitting.release().await;
            self.refill.notify_one();
            return self.hand_over(&id, user, module, lab).await;
        }
        let host = match self
            .store
            .insert_lab(&id, user, module, expires_at, &spec.needs())
            .await?
        {
            Recorded::Placed(placement) => placement.host().cloned(),
            Recorded::AlreadyLive => return Ok(()),
            Recorded::NoRoom => return Err(self.no_room(&live)),
            Recorded::MissingImage { image, hosts } => return Err(self.missing_image(&image, &hosts)),
        };
        admitting.release().await;
        self.make(&spec.on(host), user, lab).await
    }

    /// Makes a recorded lab for its learner. It returns once the lab's
    /// shells are ready, so the learner has a prompt at once; every setup
    /// then runs in the background ([`Labs::prepared`] waits for them).
    async fn make(&self, spec: &LabSpec, user: UserId, lab: &ModuleLab) -> Result<(), LabError> {
        let (id, module) = (&spec.lab, &spec.module);
        let created = self.launcher.create(spec).await;
        self.settle(id, created).await?;
        tracing::info!(lab = %id, user = %user, module = %module, "lab started; its setups run");
        let (done, watching) = watch::channel(Preparation::Running);
        let preparing = Preparing {
            since: Millis::now(),
            state: watching,
        };
        self.preparing
            .lock()
            .expect("preparing lock")
            .insert(id.clone(), preparing);
        if let Err(e) = self.store.set_lab_preparing(id).await {
            self.launcher.remove_failed(id).await;
            return self.settle(id, Err(e.into())).await;
        }
        let (launcher, store) = (self.launcher.clone(), self.store.clone());
        let (id, module, lab) = (id.clone(), module.clone(), lab.clone());
        tokio::spawn(async move {
            let prepared = async {
                launcher.prepare(&id, &lab, Setups::All).await?;
                store.set_lab_prepared(&id, None).await?;
                Ok::<_, LabError>(())
            };
            let outcome = match prepared.await {
                Ok(()) => {
                    tracing::info!(lab = %id, user = %user, module = %module, "lab set up");
                    Preparation::Done
                }
                // Stopped or reset while setting up: nobody waits.
                Err(_) if done.is_closed() => return,
                Err(e) => {
                    let message = e.into_user_message();
                    if let Err(e) = store.set_lab_prepared(&id, Some(&message)).await {
                        tracing::warn!(lab = %id, error = %e, "recording a failed setup failed");
                    }
                    Preparation::Failed(message)
                }
            };
            done.send_replace(outcome);
        });
        Ok(())
    }

    /// Records a start that failed as ended.
    async fn settle(&self, id: &LabId, started: Result<(), LabError>) -> Result<(), LabError> {
        if started.is_err()
            && let Err(end) = self.store.end_lab(id, EndReason::Failed).await
        {
            tracing::warn!(lab = %id, error = %end, "recording a failed lab start failed; the sweep ends it");
        }
        started
    }

    /// Gives a claimed warm lab to its learner: alive, then personalised.
    /// A dead one is ended and the learner gets a lab made afresh, under
    /// the same record.
    async fn hand_over(&self, id: &LabId, user: UserId, module: &ModuleId, lab: &ModuleLab) -> Result<(), LabError> {
        if !self.launcher.alive(id, lab.nodes).await {
            if let Err(e) = self.launcher.remove(id).await {
                tracing::warn!(lab = %id, error = %e, "removing a dead warm lab failed; the sweep retries");
            }
            tracing::info!(lab = %id, user = %user, module = %module, "a dead warm lab was discarded; making one afresh");
            let expires_at = Millis::now().plus(self.config.lifetime);
            let host = self.store.lab_host(id).await?;
            let spec = self.launcher.spec(id, Some(user), module, lab, expires_at).on(host);
            return self.make(&spec, user, lab).await;
        }
        let personalised = async {
            self.launcher.personalise(id, lab).await?;
            self.store.set_lab_running(id).await?;
            Ok::<_, LabError>(())
        };
        if let Err(e) = personalised.await {
            self.launcher.remove_failed(id).await;
            return self.settle(id, Err(e)).await;
        }
        tracing::info!(lab = %id, user = %user, module = %module, "lab started from the warm pool");
        Ok(())
    }

    /// Wakes the refill now, e.g. after an instructor asked for more warm
    /// labs.
    pub fn wake_refill(&self) {
        self.refill.notify_one();
    }

    /// Whether the module has a lab to warm.
    pub fn has_lab(&self, module: &ModuleId) -> bool {
        self.modules.contains_key(module)
    }

    /// Makes warm labs until every module has its `--warm` count (plus
    /// what instructors asked for, while it lasts), as far
    /// as capacity allows: one per module in turn, so no module waits for
    /// another's whole pool. A module whose lab fails to start is left
    /// until the next round.
    pub async fn refill(&self) -> Result<usize, LabError> {
        let mut made = 0;
        let mut failing: Vec<&ModuleId> = Vec::new();
        loop {
            let mut progress = false;
            let warmups = self.store.active_warmups(None).await?;
            for (module, lab) in &self.modules {
                let asked: usize = warmups.iter().filter(|w| &w.module == module).map(|w| w.labs).sum();
                let target = self.config.warm.of(module) + asked;
                if target == 0 || failing.contains(&module) {
                    continue;
                }
                let admitting = self.admission().await?;
                let live = self.store.live_labs().await?;
                let pool = self.store.pool_labs().await?;
                if live.len() + pool.len() >= self.config.max_labs {
                    return Ok(made);
                }
                // A draining host's waiting labs are not handed out: others
                // take their place while the sweep gives them back.
                if pool.iter().filter(|p| &p.module == module && p.host_open).count() >= target {
                    continue;
                }
                let id = LabId::new(new_id());
                let expires_at = Millis::now().plus(self.config.lifetime);
                let spec = self.launcher.spec(&id, None, module, lab, expires_at);
                let host = match self
                    .store
                    .insert_pool_lab(&id, module, expires_at, &spec.needs())
                    .await?
                {
                    Recorded::Placed(placement) => placement.host().cloned(),
                    Recorded::AlreadyLive | Recorded::NoRoom => return Ok(made),
                    Recorded::MissingImage { image, hosts } => {
                        self.missing_image(&image, &hosts);
                        return Ok(made);
                    }
                };
                admitting.release().await;
                let spec = spec.on(host);
                let made_one = async {
                    self.launcher.launch(&spec, lab, Setups::Pool).await?;
                    self.launcher.open_shells(&id, lab.nodes).await?;
                    self.store.set_lab_pooled(&id).await?;
                    Ok::<_, LabError>(())
                };
                match self.settle(&id, made_one.await).await {
                    Ok(()) => {
                        tracing::info!(lab = %id, module = %module, "warm lab ready");
                        made += 1;
                        progress = true;
                    }
                    Err(e) => {
                        tracing::error!(module = %module, error = %e, "making a warm lab failed; trying again after the next sweep");
                        failing.push(module);
                    }
                }
            }
            if !progress {
                return Ok(made);
            }
        }
    }

    /// Refills the warm pool whenever a sweep ends or a lab is claimed,
    /// for as long as these labs are in use. The first refill waits for
    /// the first sweep, so labs interrupted by a restart are settled
    /// before new ones are made.
    fn spawn_refill(self: &Arc<Self>) {
        let labs = Arc::downgrade(self);
        let (wake, every) = (self.refill.clone(), self.config.sweep);
        tokio::spawn(async move {
            loop {
                // Only a weak reference while waiting, so a reload with
                // `--watch` drops these labs and this task with them.
                let _ = tokio::time::timeout(every, wake.notified()).await;
                let Some(labs) = labs.upgrade() else { return };
                if let Err(e) = labs.refill_once().await {
                    tracing::warn!(error = %e, "refilling the warm pool failed; trying again after the next sweep");
                }
            }
        });
    }

    /// Refills unless another replica is refilling already (it makes what
    /// is missing: counts and records are taken under the admission lock,
    /// so two refills could not over-fill anyway, only duplicate work).
    async fn refill_once(&self) -> Result<usize, LabError> {
        let Some(held) = self.store.try_lock(Lock::Refill).await? else {
            return Ok(0);
        };
        let made = self.refill().await;
        release(held).await;
        made
    }

    /// Lab hosts are listed and none has room.
    fn no_room(&self, live: &[LabRow]) -> LabError {
        LabError::refused(format!(
            "Every lab host is full or closed to new labs just now. Try again in about {} minute(s).",
            self.minutes_until_free(live)
        ))
    }

    /// Whether placement would take the lab now; the learner's refusal if not.
    fn placeable(&self, placed: Placed, live: &[LabRow]) -> Result<(), LabError> {
        match placed {
            Placed::On(_) => Ok(()),
            Placed::NoRoom => Err(self.no_room(live)),
            Placed::MissingImage { image, hosts } => Err(self.missing_image(&image, &hosts)),
        }
    }

    /// Hosts with room lack the lab's image: the operator's log names them
    /// (each time, since a learner waits on it); the learner is told plainly.
    fn missing_image(&self, image: &str, hosts: &[HostName]) -> LabError {
        let hosts: Vec<&str> = hosts.iter().map(HostName::as_str).collect();
        tracing::warn!(
            image,
            hosts = %hosts.join(", "),
            "no lab host with room has this lab image (or, for a docker lab, a filled registry mirror): run `berth images build --all-hosts`"
        );
        LabError::refused(
            "No lab host has this lab's image yet, so it cannot start anywhere. \
             An operator needs to run `berth images build --all-hosts`; try again after that.",
        )
    }

    /// When the first live lab is due to stop, in whole minutes (at least 1).
    fn minutes_until_free(&self, live: &[LabRow]) -> u64 {
        let now = Millis::now();
        let soonest = live
            .iter()
            .map(|l| l.expires_at.min(l.last_active.plus(self.config.idle)))
            .min()
            .unwrap_or(now);
        minutes_ceil(soonest.since(now)).max(1)
    }

    pub async fn stop(&self, user: UserId, module: &ModuleId, reason: EndReason) -> Result<(), LabError> {
        if let Some(lab) = self.live_lab(user, module).await? {
            self.end(&lab.id, reason).await?;
        }
        Ok(())
    }

    /// Removes the lab and records its end; a lab whose host is lost
    /// is only recorded (its host cleans up when it answers again).
    async fn end(&self, lab: &LabId, reason: EndReason) -> Result<(), LabError> {
        self.preparing.lock().expect("preparing lock").remove(lab);
        if reason == EndReason::Lost {
            // Its host is silent: nothing to remove there now, but the
            // runtime forgets where it ran.
            self.launcher.forget(lab);
        } else {
            self.launcher.remove(lab).await?;
        }
        self.store.end_lab(lab, reason).await?;
        self.activity.lock().expect("activity lock").remove(lab);
        self.feeds.remove_lab(lab);
        tracing::info!(lab = %lab, %reason, "lab ended");
        Ok(())
    }

    /// Notes activity on a lab (terminal input, an open terminal).
    pub async fn touch(&self, lab: &LabId) {
        let now = Millis::now();
        let write = {
            let mut activity = self.activity.lock().expect("activity lock");
            let entry = activity.entry(lab.clone()).or_insert(Activity {
                seen: now,
                written: Millis(0),
            });
            entry.seen = now;
            let due = now.since(entry.written) >= ACTIVITY_WRITE;
            if due {
                entry.written = now;
            }
            due
        };
        if write && let Err(e) = self.store.touch_lab(lab, now).await {
            tracing::warn!(error = %e, "recording lab activity failed");
        }
    }

    /// Whether `user` owns the lab, it runs, and it has that node.
    pub async fn attachable(&self, user: UserId, lab: &LabId, node: NodeNumber) -> Result<bool, LabError> {
        Ok(match self.store.lab(lab).await? {
            Some(row) => {
                let nodes = self.modules.get(&row.module).map_or(1, |m| m.nodes);
                row.user == user && self.usable(&row) && (1..=nodes).contains(&node)
            }
            None => false,
        })
    }

    /// Ends labs past their lifetime or idle, and matches the runtime's
    /// labs against the records. At start-up (`after_restart`) a lab still
    /// marked as starting was interrupted by the restart.
    pub async fn sweep(&self, after_restart: bool) -> Result<usize, LabError> {
        // The runtime's labs first: one created after this listing has a
        // record already, so it is never taken for an orphan.
        let listed = Millis::now();
        let listing = self.launcher.runtime().list(self.launcher.instance()).await?;
        let lost = self.hosts_answered(&listing.unreachable).await?;
        let present = &listing.labs;
        let on_lost = |host: &Option<HostName>| host.as_ref().is_some_and(|h| lost.contains(h));
        // On a host silent for less than `host_lost_after`: not in the
        // listing, but not gone either; left alone until it answers or is lost.
        let unheard =
            |host: &Option<HostName>| !on_lost(host) && host.as_ref().is_some_and(|h| listing.unreachable.contains(h));
        self.flush_activity().await;
        self.let_go_of_dead_replicas().await?;
        // Being made by a replica that died: interrupted now, not when overdue.
        let unmade = self
            .store
            .labs_left_unmade(ReplicaId::this_process(), self.silent_since())
            .await?;
        let now = Millis::now();
        let mut ended = 0;
        let mut kept = Vec::new();
        for lab in self.store.live_labs().await? {
            if unheard(&lab.host) {
                kept.push(lab.id);
                continue;
            }
            let present = present.iter().find(|c| c.lab == lab.id);
            // Made by this server after the listing: not in it yet.
            let fresh = self.preparation(&lab.id).is_some() && !self.running_before(&lab.id, listed);
            let unfinished = !lab.is_running() || lab.preparing;
            let reason = if on_lost(&lab.host) {
                Some(EndReason::Lost)
            } else if lab.expires_at <= now {
                Some(EndReason::Expired)
            } else if lab.is_running() && lab.last_active.plus(self.config.idle) <= now {
                Some(EndReason::Idle)
            } else if lab.is_running() && !fresh && !present.is_some_and(|c| c.running) {
                Some(EndReason::Gone)
            } else if unfinished
                && (after_restart || lab.started_at.plus(START_TIMEOUT) <= now || unmade.contains(&lab.id))
            {
                Some(EndReason::Interrupted)
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
        for lab in self.store.pool_labs().await? {
            let reason = if unheard(&lab.host) {
                None
            } else if on_lost(&lab.host) {
                Some(EndReason::Lost)
            } else {
                self.pool_lab_end(&lab, present, now, after_restart || unmade.contains(&lab.id))
            };
            match reason {
                Some(reason) => {
                    self.end(&lab.id, reason).await?;
                    ended += 1;
                }
                None => kept.push(lab.id),
            }
        }
        for orphan in present.iter().filter(|c| !kept.contains(&c.lab)) {
            self.launcher.remove(&orphan.lab).await?;
            tracing::info!(lab = %orphan.lab, "removed a lab without a live record");
        }
        Ok(ended)
    }

    /// The hosts whose labs this sweep ends as lost: those silent for
    /// `host_lost_after` (marked lost, once). A shorter silence (a network
    /// hiccup, a busy engine) ends nothing. A lost host that answers again
    /// is active.
    async fn hosts_answered(&self, unreachable: &[HostName]) -> Result<Vec<HostName>, LabError> {
        let now = Millis::now();
        let mut lost = Vec::new();
        for host in unreachable {
            let since = self.store.host_silent(host, now).await?;
            if since.plus(self.config.host_lost_after) > now {
                tracing::warn!(host = %host, "a lab host did not answer; its labs are kept while it may come back");
                continue;
            }
            if self.store.mark_host_lost(host).await? {
                tracing::error!(host = %host, "a lab host stopped answering: its labs are ended as lost");
            }
            lost.push(host.clone());
        }
        for load in self.store.host_loads().await? {
            let host = load.host.name;
            if unreachable.contains(&host) {
                continue;
            }
            self.store.host_answered(&host).await?;
            if load.host.state == HostState::Lost {
                self.store.set_host_state(&host, HostState::Active).await?;
                tracing::info!(host = %host, "a lost lab host answers again: it takes new labs");
            }
        }
        Ok(lost)
    }

    /// Why a warm lab should end, if it should: the same rules as a
    /// learner's lab, without idleness (nobody uses it yet). `abandoned`:
    /// whoever was making it is gone.
    fn pool_lab_end(
        &self,
        lab: &PoolLabRow,
        present: &[runtime::Labelled],
        now: Millis,
        abandoned: bool,
    ) -> Option<EndReason> {
        let running = present.iter().any(|c| c.lab == lab.id && c.running);
        if lab.expires_at <= now {
            Some(EndReason::Expired)
        } else if lab.is_ready() && !running {
            Some(EndReason::Gone)
        } else if lab.is_ready() && !lab.host_open {
            // Its host is draining: nobody will be given it.
            Some(EndReason::GivenBack)
        } else if !lab.is_ready() && (abandoned || lab.started_at.plus(START_TIMEOUT) <= now) {
            Some(EndReason::Interrupted)
        } else {
            None
        }
    }

    async fn flush_activity(&self) {
        let pending: Vec<(LabId, Millis)> = {
            let mut activity = self.activity.lock().expect("activity lock");
            activity
                .iter_mut()
                .filter(|(_, a)| a.seen > a.written)
                .map(|(id, a)| {
                    a.written = a.seen;
                    (id.clone(), a.seen)
                })
                .collect()
        };
        for (id, at) in pending {
            if let Err(e) = self.store.touch_lab(&id, at).await {
                tracing::warn!(error = %e, "recording lab activity failed");
            }
        }
    }

    /// This interval's sweep, if it falls to this process: with several
    /// replicas on PostgreSQL, one takes [`Lock::Sweep`] and claims the
    /// round in the database, the others skip it. A replica that dies
    /// mid-sweep loses the lock with its connection; every step of a sweep
    /// is safe to repeat, and the next round finishes the work. `None`
    /// when another replica has this round.
    ///
    /// At a replica's start-up, labs another replica is starting are not
    /// taken for interrupted: only on SQLite (one process) does a restart
    /// mean that; elsewhere a start interrupted by its replica's death ends
    /// when it is overdue.
    async fn sweep_round(&self, after_restart: bool) -> Result<Option<usize>, LabError> {
        if self.store.database() == Database::Sqlite {
            return self.sweep(after_restart).await.map(Some);
        }
        let Some(held) = self.store.try_lock(Lock::Sweep).await? else {
            return Ok(None);
        };
        let Some(round) = self.store.claim_round("lab_sweep", self.config.sweep).await? else {
            release(held).await;
            return Ok(None);
        };
        tracing::debug!(round, "lab sweep round");
        let swept = self.sweep(false).await;
        release(held).await;
        swept.map(Some)
    }

    /// Sweeps now, then every `config.sweep`, for as long as these labs
    /// are in use (a reload with `--watch` replaces them).
    /// Each sweep then wakes the warm pool's refill.
    pub fn spawn_sweeper(self: &Arc<Self>) {
        self.spawn_refill();
        let (beating, beat) = (Arc::downgrade(self), self.heartbeat());
        tokio::spawn(async move {
            while let Some(labs) = beating.upgrade() {
                if let Err(e) = labs.store.replica_seen(ReplicaId::this_process()).await {
                    tracing::warn!(error = %e, "saying this replica is at work failed; others may take it for dead");
                }
                drop(labs);
                tokio::time::sleep(beat).await;
            }
        });
        let labs = Arc::downgrade(self);
        let every = self.config.sweep;
        tokio::spawn(async move {
            let mut after_restart = true;
            while let Some(labs) = labs.upgrade() {
                labs.flush_activity().await;
                match labs.sweep_round(after_restart).await {
                    Ok(Some(n)) if n > 0 => tracing::info!(ended = n, "lab sweep"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "lab sweep failed; trying again later"),
                }
                labs.refill.notify_one();
                after_restart = false;
                drop(labs);
                tokio::time::sleep(every).await;
            }
        });
    }

    async fn run_check(&self, user: UserId, of: ExerciseOf<'_>, live: bool) -> Result<CheckReport, LabError> {
        let ex = self.exercise(of)?;
        let lab = self.running_lab(user, of.module).await?;
        self.touch(&lab.id).await;
        self.prepared(&lab.id).await?;
        let out = self
            .launcher
            .run(&lab.id, ex, Step::Check)
            .await?
            .expect("every exercise has a check");
        let (passed, assertions) = read_output(&out.output, out.exit_code, out.timed_out, out.truncated);
        let report = CheckReport { passed, assertions };
        // Live checks are recorded only when they pass, once.
        let record = !live || (passed && !self.store.exercise_history(user, of.exercise).await?.passed);
        if record {
            let detail = serde_json::to_string(&report).map_err(StoreError::from)?;
            self.log(NewExerciseEvent {
                user,
                module: of.module,
                exercise: of.exercise,
                event: if live {
                    ExerciseEvent::LiveCheck
                } else {
                    ExerciseEvent::Check
                },
                passed: Some(passed),
                detail: &detail,
                completes: exercise::completes(&report),
                grading: self.grading.get(of.module),
            })
            .await?;
        }
        Ok(report)
    }

    /// Logs an exercise event, then tells live views.
    async fn log(&self, event: NewExerciseEvent<'_>) -> Result<(), LabError> {
        let user = event.user;
        self.store.log_exercise(event).await?;
        self.events.publish(Change::Progress { user });
        Ok(())
    }

    async fn lab_view(&self, user: UserId, module: &ModuleId, lesson: &LessonId) -> Result<LabView, LabError> {
        let lab = self.module(module)?;
        let running = self.live_lab(user, module).await?.filter(|l| self.usable(l));
        let now = Millis::now();
        let listed = lab.lessons.get(lesson).map(Vec::as_slice).unwrap_or_default();
        let mut histories = self.store.exercise_histories(user, listed).await?;
        let mut exercises = Vec::new();
        for id in listed {
            let Some(e) = lab.exercise(id) else { continue };
            let history = histories.remove(id).unwrap_or_default();
            exercises.push(ExerciseState {
                id: e.id.clone(),
                title: e.title.clone(),
                passed: history.passed,
                live_seconds: e.live_seconds,
                hints_shown: e.hints.iter().take(history.hints).cloned().collect(),
                hints_total: e.hints.len(),
                solution: history.solution.then(|| e.solve.clone()),
                last_check: history.last_check.as_deref().and_then(exercise::stored_report),
            });
        }
        // A lab that ended under the learner, unasked: said until they
        // start another.
        let ended = match running {
            None if self.store.last_lab_end(user, module).await? == Some(EndReason::Lost) => Some(LabEnd::HostLost),
            _ => None,
        };
        Ok(LabView {
            module: module.clone(),
            ended,
            lab: running.map(|l| RunningLab {
                expires_in: l.expires_at.seconds_after(now),
                idle_timeout: self.config.idle.as_secs() as i64,
                can_extend: !l.extended,
                terminal: format!("/labs/{}/terminal", l.id),
                nodes: lab.nodes,
                // Another replica's lab, or one of this server's from its
                // record.
                setup: match (self.preparation(&l.id), l.preparing, l.setup_failure) {
                    (Some(Preparation::Running), ..) | (None, true, None) => SetupState::Running,
                    (Some(Preparation::Failed(message)), ..) | (None, true, Some(message)) => {
                        SetupState::Failed(message)
                    }
                    (Some(Preparation::Done), ..) | (None, false, _) => SetupState::Done,
                },
            }),
            exercises,
        })
    }

    pub async fn apply(
        &self,
        user: UserId,
        module: &ModuleId,
        action: LabAction,
        by: Requester,
    ) -> Result<(), LabError> {
        match action {
            LabAction::Start => self.start(user, module, by).await,
            LabAction::Stop => self.stop(user, module, EndReason::Stopped).await,
            LabAction::Reset => self.reset(user, module, by).await,
            LabAction::Extend => self.extend(user, module, false).await,
        }
    }

    /// What staff do to a learner's lab from the classroom; extending is
    /// not limited to once for them.
    pub async fn apply_for_staff(
        &self,
        learner: UserId,
        module: &ModuleId,
        action: StaffLabAction,
    ) -> Result<(), LabError> {
        match action {
            StaffLabAction::Stop => self.stop(learner, module, EndReason::Stopped).await,
            StaffLabAction::Reset => self.reset(learner, module, Requester::Staff).await,
            StaffLabAction::Extend => self.extend(learner, module, true).await,
        }
    }

    async fn reset(&self, user: UserId, module: &ModuleId, by: Requester) -> Result<(), LabError> {
        self.module(module)?;
        self.stop(user, module, EndReason::Reset).await?;
        self.start(user, module, by).await
    }

    /// Gives the lab half its lifetime more: once for the learner, as often
    /// as needed when staff ask (`again`).
    async fn extend(&self, user: UserId, module: &ModuleId, again: bool) -> Result<(), LabError> {
        let lab = self.running_lab(user, module).await?;
        if self.store.extend_lab(&lab.id, self.config.lifetime / 2, again).await? {
            Ok(())
        } else {
            Err(LabError::refused("This lab already had its extra time."))
        }
    }

    async fn reveal_step(&self, user: UserId, of: ExerciseOf<'_>, solution: bool) -> Result<(), LabError> {
        let ex = self.exercise(of)?;
        let history = self.store.exercise_history(user, of.exercise).await?;
        let (event, more) = match solution {
            true => (ExerciseEvent::Solution, !history.solution),
            false => (ExerciseEvent::Hint, history.hints < ex.hints.len()),
        };
        if more {
            self.log(NewExerciseEvent {
                user,
                module: of.module,
                exercise: of.exercise,
                event,
                passed: None,
                detail: "{}",
                completes: false,
                grading: None,
            })
            .await?;
        }
        Ok(())
    }
}

/// A turn to take capacity decisions (see [`Labs::admission`]). Dropped
/// on an error instead of released, the lock goes with it all the same.
struct Admission<'a> {
    _turn: tokio::sync::MutexGuard<'a, ()>,
    held: Held,
}

impl Admission<'_> {
    async fn release(self) {
        release(self.held).await;
    }
}

/// Lets go of a database lock. The lab records it guarded are written
/// already, so a failure to let go is only logged: the lock ends with its
/// transaction either way.
async fn release(held: Held) {
    if let Err(e) = held.release().await {
        tracing::warn!(error = %e, "releasing a database lock failed");
    }
}

#[async_trait::async_trait]
impl LabService for Labs {
    async fn view(&self, user: UserId, module: &ModuleId, lesson: &LessonId) -> Result<LabView, AppError> {
        Ok(self.lab_view(user, module, lesson).await?)
    }

    async fn act(
        &self,
        user: UserId,
        address: Option<IpAddr>,
        module: &ModuleId,
        action: LabAction,
    ) -> Result<(), AppError> {
        Ok(self.apply(user, module, action, Requester::Learner(address)).await?)
    }

    async fn check(&self, user: UserId, exercise: ExerciseOf<'_>, live: bool) -> Result<CheckReport, AppError> {
        match self.run_check(user, exercise, live).await {
            Ok(report) => Ok(report),
            // A check that could not run is still an answer the panel shows.
            Err(LabError::Runtime(e)) => Ok(CheckReport {
                passed: false,
                assertions: vec![Assertion::note(
                    Outcome::Fail,
                    &LabError::Runtime(e).into_user_message(),
                )],
            }),
            Err(e) => Err(e.into()),
        }
    }

    async fn reveal(&self, user: UserId, exercise: ExerciseOf<'_>, solution: bool) -> Result<(), AppError> {
        Ok(self.reveal_step(user, exercise, solution).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::runtime::*;
    use super::*;
    use futures_util::stream::BoxStream;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A runtime whose every script takes a moment, counting how many run
    /// at once. Only scripts are run here.
    #[derive(Default)]
    struct SlowScripts {
        running: AtomicUsize,
        most: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl Runtime for SlowScripts {
        async fn run_script(&self, _: &LabId, _: NodeNumber, _: Script<'_>) -> Result<ScriptOutput, RuntimeError> {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.running.fetch_sub(1, Ordering::SeqCst);
            Ok(ScriptOutput {
                exit_code: Some(0),
                output: String::new(),
                timed_out: false,
                truncated: false,
            })
        }
        async fn create(&self, _: &LabSpec) -> Result<(), RuntimeError> {
            unreachable!()
        }
        async fn remove(&self, _: &LabId) -> Result<(), RuntimeError> {
            unreachable!()
        }
        async fn list(&self, _: &str) -> Result<Listing, RuntimeError> {
            unreachable!()
        }
        async fn shell(&self, _: &LabId, _: NodeNumber, _: TermSize, _: Seat) -> Result<Shell, RuntimeError> {
            unreachable!()
        }
        async fn open_shell(&self, _: &LabId, _: NodeNumber) -> Result<(), RuntimeError> {
            unreachable!()
        }
        async fn keeps_shells(&self, _: &LabId, _: NodeNumber) -> Result<bool, RuntimeError> {
            unreachable!()
        }
        async fn leave(&self, _: &LabId, _: NodeNumber, _: &str) -> Result<(), RuntimeError> {
            unreachable!()
        }
        async fn resize(&self, _: &LabId, _: &str, _: TermSize) -> Result<(), RuntimeError> {
            unreachable!()
        }
        fn out_of_memory(&self, _: &LabId, _: NodeNumber) -> BoxStream<'static, OutOfMemory> {
            unreachable!()
        }
    }

    /// Six labs set up at once with room for two: every setup runs, two at
    /// a time at most, and none fails for waiting.
    #[tokio::test]
    async fn labs_are_set_up_a_few_at_a_time_and_all_of_them() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lab-course");
        let loaded = crate::content::load(&fixture, &["shell".to_string()]).expect("the fixture loads");
        let lab = &loaded.labs[&ModuleId::new("basics")];
        let runtime = Arc::new(SlowScripts::default());
        let launcher = Launcher::new(runtime.clone(), "test".into(), 2);
        let setups = (0..6).map(|n| {
            let (launcher, lab) = (launcher.clone(), lab.clone());
            tokio::spawn(async move {
                launcher
                    .prepare(&LabId::new(format!("lab{n}")), &lab, Setups::All)
                    .await
            })
        });
        for done in futures_util::future::join_all(setups).await {
            done.unwrap().expect("every lab is set up");
        }
        assert_eq!(runtime.most.load(Ordering::SeqCst), 2);
    }
}
