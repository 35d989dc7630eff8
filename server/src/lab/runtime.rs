//! What Berth needs from whatever runs labs, so the lab manager reads as
//! lifecycle rules rather than engine calls. A lab is named by its
//! [`LabId`] and its containers by node number; how the engine names them
//! is the runtime's business alone. [`super::docker`] implements it on the
//! Docker Engine API; another engine (more Docker hosts, Kubernetes) would
//! implement the same trait.

use bytes::Bytes;
use futures_util::stream::BoxStream;
use std::borrow::Cow;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::AsyncWrite;

use berth_app::model::{HostName, LabId, Millis, ModuleId, NodeNumber, UserId};

use crate::exercise::Limits;

/// Labels on everything Berth creates, so its view can be rebuilt from the
/// engine after a crash.
pub const LABEL_INSTANCE: &str = "org.berth.instance";
pub const LABEL_LAB: &str = "org.berth.lab";
pub const LABEL_OWNER: &str = "org.berth.owner";
pub const LABEL_MODULE: &str = "org.berth.module";
pub const LABEL_EXPIRES: &str = "org.berth.expires";
pub const LABEL_NODE: &str = "org.berth.node";

/// The learner's and the checker's accounts inside lab images.
pub const LEARNER: &str = "learner";
pub const CHECKER: &str = "checker";
pub const LEARNER_HOME: &str = "/home/learner";

#[derive(Clone, Debug)]
pub struct LabSpec {
    pub lab: LabId,
    /// `None` for a lab of the warm pool: the database records who claims
    /// it (labels cannot change once a container exists).
    pub owner: Option<UserId>,
    pub module: ModuleId,
    /// This Berth install: labs of other installs on the same engine are
    /// left alone.
    pub instance: String,
    pub image: String,
    pub limits: Limits,
    /// A lab-private network (no route out) instead of none at all.
    pub network: bool,
    /// Containers node1..nodeN on the lab's network, named by hostname;
    /// 1 is an ordinary lab with hostname `lab`.
    pub nodes: NodeNumber,
    pub expires_at: Millis,
    /// The lab host it runs on (`None`: the engine `DOCKER_HOST` names).
    pub host: Option<HostName>,
}

impl LabSpec {
    /// The same lab, on `host`.
    pub fn on(self, host: Option<HostName>) -> Self {
        Self { host, ..self }
    }

    /// What the lab counts against its host's memory: every node's limit.
    pub fn memory_mb(&self) -> u64 {
        u64::from(self.limits.memory_mb) * u64::from(self.nodes)
    }

    /// What placement must find on a host for this lab.
    pub fn needs(&self) -> crate::store::Needs {
        crate::store::Needs {
            image: self.image.clone(),
            memory_mb: self.memory_mb(),
        }
    }
}

/// A container that carries Berth's labels.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub lab: LabId,
    pub running: bool,
}

/// What the engines hold of this install.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    pub labs: Vec<Labelled>,
    /// Lab hosts that did not answer: their labs are not in `labs`.
    pub unreachable: Vec<HostName>,
}

/// A script run through an exec's standard input.
pub struct Script<'a> {
    pub user: &'a str,
    pub text: Cow<'a, str>,
    pub timeout: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScriptOutput {
    pub exit_code: Option<i64>,
    pub output: String,
    pub timed_out: bool,
    pub truncated: bool,
}

/// A terminal's seat at a node's shell: the node keeps one shell, in tmux,
/// and every terminal is a tmux client on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    /// The learner, who types.
    Learner,
    /// Staff watching: a read-only client whose size never changes the
    /// learner's screen.
    Watcher,
}

/// A terminal's size in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermSize {
    pub cols: u16,
    pub rows: u16,
}

impl TermSize {
    /// Before the page says otherwise.
    pub const DEFAULT: TermSize = TermSize { cols: 80, rows: 24 };

    /// Within what a TTY and a page can sensibly show.
    pub fn clamped(self) -> Self {
        Self {
            cols: self.cols.clamp(2, 500),
            rows: self.rows.clamp(1, 200),
        }
    }
}

/// One terminal's client on a node's persistent shell.
pub struct Shell {
    pub exec: String,
    /// The client's name in the node's tmux, to detach it by
    /// ([`Runtime::leave`]): the engine keeps an exec running after its
    /// connection ends. None where the node's shells cannot be kept
    /// ([`Runtime::keeps_shells`]): the shell is this exec's own and ends
    /// with its connection.
    pub client: Option<String>,
    /// First the shell's scrollback, then the live screen.
    pub output: BoxStream<'static, Result<Bytes, RuntimeError>>,
    /// Goes nowhere for a [`Seat::Watcher`], whose client is read-only.
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("the container engine cannot be reached: {0}")]
    Unreachable(String),
    #[error("the lab image `{0}` is missing: run `berth images build`")]
    MissingImage(String),
    #[error("the container engine refused: {0}")]
    Engine(String),
    /// A lab's host could not be looked up, or is no longer listed.
    #[error("the lab's host is unknown: {0}")]
    Host(String),
}

#[async_trait::async_trait]
pub trait Runtime: Send + Sync + 'static {
    /// Creates and starts the lab's nodes.
    async fn create(&self, spec: &LabSpec) -> Result<(), RuntimeError>;
    /// Removes the lab's nodes, their processes and its private network;
    /// what is already gone is not an error.
    async fn remove(&self, lab: &LabId) -> Result<(), RuntimeError>;
    /// Drops what it keeps about a lab whose host is lost, which `remove`
    /// cannot reach now (the host's reconciliation removes its containers).
    fn forget(&self, _lab: &LabId) {}
    /// Every lab of this install with nodes (running: all of them); an
    /// error if the default engine does not answer.
    async fn list(&self, instance: &str) -> Result<Listing, RuntimeError>;
    async fn run_script(&self, lab: &LabId, node: NodeNumber, script: Script<'_>)
    -> Result<ScriptOutput, RuntimeError>;
    /// A terminal on the node's shell: the learner's login shell, started
    /// on first use and kept in tmux until it exits or the lab ends, so a
    /// new connection finds it as it was.
    async fn shell(&self, lab: &LabId, node: NodeNumber, size: TermSize, seat: Seat) -> Result<Shell, RuntimeError>;
    /// Starts the node's kept shell before any terminal asks for it, so
    /// the first one finds its prompt drawn (a warm lab's learner waits
    /// for nothing). Nothing to do where shells are not kept.
    async fn open_shell(&self, lab: &LabId, node: NodeNumber) -> Result<(), RuntimeError>;
    /// Whether the node's shell outlives its terminals (and can be watched
    /// by attaching to it).
    async fn keeps_shells(&self, lab: &LabId, node: NodeNumber) -> Result<bool, RuntimeError>;
    /// Detaches a terminal's client from the node's shell, which runs on.
    async fn leave(&self, lab: &LabId, node: NodeNumber, client: &str) -> Result<(), RuntimeError>;
    /// Resizes a terminal's exec on the lab's node.
    async fn resize(&self, lab: &LabId, exec: &str, size: TermSize) -> Result<(), RuntimeError>;
    /// Yields once each time the node uses more memory than the lab may,
    /// saying what the kernel killed.
    fn out_of_memory(&self, lab: &LabId, node: NodeNumber) -> BoxStream<'static, OutOfMemory>;
}

/// What went when a lab used more memory than it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutOfMemory {
    /// One process; the lab runs on (runc).
    Process,
    /// The whole lab: under gVisor the lab's kernel is one process on the
    /// host, and that is the one the host's kernel kills.
    Lab,
}
