//! The lab runtime on the Docker Engine API (through bollard), with the
//! hardened profile every lab gets.

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{
    ContainerCreateBody, ContainerSummaryStateEnum, EndpointSettings, HostConfig, HostConfigLogConfig,
    NetworkCreateRequest, NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, EventsOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
    ResizeExecOptionsBuilder,
};
use futures_util::{StreamExt, TryStreamExt};
use std::collections::{BTreeMap, HashMap};
use tokio::io::AsyncWriteExt;

use super::mirror::RegistryMirror;
use super::runtime::*;
use super::seccomp;
use super::ssh::{self, SshHost};
use berth_app::model::{LabId, NodeNumber};

/// Largest script output kept; the rest is read and dropped.
const OUTPUT_CAP: usize = 64 * 1024;
/// Size of the learner's home and of /tmp (tmpfs, counted against the
/// lab's memory too).
const HOME_SIZE: &str = "64m";
const TMP_SIZE: &str = "64m";
/// Size of each of a docker lab's `/run`, `/var/log` and `/var/tmp`.
const ENGINE_SCRATCH_SIZE: &str = "16m";
/// Images with this label get a Docker engine of their own.
pub const PROFILE_LABEL: &str = "org.berth.profile";
/// An image's command that the learner's shells and scripts start through,
/// e.g. the docker lab's `berth-docker-guard confine --` (no user
/// namespaces for the learner, see `playground/guard/src/confine.rs`).
pub const LEARNER_ENTRY_LABEL: &str = "org.berth.learner-entry";
/// Images whose learner's shell can run in tmux say so (`tmux`); others
/// predate persistent terminals and must be built again.
pub const TERMINAL_LABEL: &str = "org.berth.terminal";
/// The node's own tmux server for the learner's shell, apart from any tmux
/// the learner runs, with no configuration file: [`OPEN_SHELL`] sets it up.
const TMUX: &str = "tmux -L berth -f /dev/null";
/// Starts the node's tmux server and its `shell` session unless they run
/// (`$T`: [`TMUX`]; `$cols`, `$rows`: the first size). tmux is made
/// invisible: no status line, no prefix key, no wait after Esc, and no
/// alternate screen, so lines that scroll off land in the page's own
/// scrollback. A macro, so [`JOIN_SHELL`] can include it.
macro_rules! open_shell {
    () => {
        r#"$T start-server \; set -s escape-time 0 \; set -s terminal-overrides '*:smcup@:rmcup@:indn@' \
    \; set -g status off \; set -g prefix None \; set -g prefix2 None \; set -g history-limit 5000 \
    \; set -g default-terminal tmux-256color \; set -g default-shell /bin/bash \
    \; new-session -d -s shell -x "$cols" -y "$rows" 2>/dev/null
"#
    };
}
/// Opens a node's shell ahead of its first terminal
/// (`sh -c OPEN_SHELL sh TMUX COLS ROWS`).
const OPEN_SHELL: &str = concat!("T=$1 cols=$2 rows=$3\n", open_shell!(), "$T has-session -t =shell\n");
/// Joins a node's shell (`sh -c JOIN_SHELL sh TMUX COLS ROWS CLIENT SEAT`),
/// opening it first if need be. A new client first gets
/// the lines above the shell's screen, pushed up into the page's scrollback
/// by blank lines; tmux then draws the screen itself, so nothing shows twice.
/// Each client gets a session of its own in the shell's group, named so the
/// server can detach it; a watcher's is read-only and never sizes the
/// window. tmux flushes its terminal's output when it starts, losing the
/// scrollback if the engine has not read it yet (1 join in 3 under load):
/// so the script ends it with `CLIENT:joined` and waits for a line, which
/// [`DockerRuntime::start_shell`] writes once it has read that far.
const JOIN_SHELL: &str = concat!(
    r#"T=$1 cols=$2 rows=$3 client=$4 seat=$5
# Typing that arrives before tmux takes the terminal waits for it, unseen.
stty cols "$cols" rows "$rows" -echo 2>/dev/null
{
"#,
    open_shell!(),
    r#"  lines=$($T display -p -t =shell: '#{history_size}' 2>/dev/null)
  if [ "${lines:-0}" -gt 0 ]; then
    $T capture-pane -p -e -J -S - -E -1 -t =shell:
    printf '\033[0m'
    i=1; while [ "$i" -lt "$rows" ]; do echo; i=$((i+1)); done
  fi
} </dev/null
# tmux discards what the engine has not read yet when it takes the
# terminal: mark the end, and wait for Berth's line saying it got there.
printf '%s:joined' "$client"
read -r _
if [ "$seat" = watcher ]; then
  exec $T new-session -d -t =shell -s "$client" \; set -t "$client" destroy-unattached on \
    \; attach -f read-only,ignore-size -t "$client"
fi
exec $T new-session -t =shell -s "$client" \; set -t "$client" destroy-unattached on
"#
);
/// Where the guard listens in a docker lab, and the engine's own socket,
/// which only root and the checker may use.
const GUARD_SOCKET: &str = "/run/berth/docker.sock";
const ENGINE_SOCKET: &str = "unix:///var/run/docker.sock";
/// Host tasks a gVisor sandbox needs beyond the learner's processes: its
/// kernel's threads and the gofer's count against the lab's pids limit on
/// the host, about 50 at start and 250 once warm (measured), and a lab
/// limit of 128 left the sandbox unable to make a thread, which ends it.
pub const GVISOR_PIDS: i64 = 512;
/// How long after an out-of-memory kill the container's end still counts
/// as caused by it (about 0.25 s under gVisor on a busy 2-core machine).
const LAB_DIES_WITHIN: std::time::Duration = std::time::Duration::from_millis(1500);

/// Connects lazily: an engine that is down when Berth starts (or whose
/// socket is missing) is looked for again on the next request.
#[derive(Default)]
pub struct DockerRuntime {
    docker: std::sync::Mutex<Option<Docker>>,
    runtimes: Runtimes,
    /// Whether shell labs run under gVisor (the runtime registered as
    /// `--lab-runtime` is runsc), whose own threads need room in the lab.
    gvisor: bool,
    /// Where docker labs pull images from.
    mirror: RegistryMirror,
    /// Which engine: `None` for the one `DOCKER_HOST` names.
    endpoint: Option<Endpoint>,
}

/// A Docker engine other than the default one: a lab host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `unix:///path/to/docker.sock`.
    Unix(String),
    /// `tcp://host:port` with TLS client certificates: the folder holds
    /// `ca.pem`, `cert.pem` and `key.pem`, as the docker CLI names them.
    Tls { url: String, certs: std::path::PathBuf },
    /// `ssh://[user@]host[:port]`, the engine reached through `docker
    /// system dial-stdio` on the host.
    Ssh(SshHost),
}

/// What a host is reached with besides its URL, as `berth hosts add`
/// recorded it.
#[derive(Clone, Debug, Default)]
pub struct Access<'a> {
    pub tls_dir: Option<&'a str>,
    pub ssh_key: Option<&'a str>,
    pub known_hosts: Option<&'a str>,
}

/// How long an engine Berth reaches over a URL may take to answer (`berth
/// hosts add`, `doctor`, a sweep's listing): past it the engine counts as
/// silent. Without it an engine whose host drops packets would hold the
/// caller for the engine client's two-minute timeout.
pub const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// `work` on the engine at `url`, or an error naming it if it does not
/// answer within [`ANSWER_WITHIN`].
pub async fn answered<T>(url: &str, work: impl Future<Output = Result<T, RuntimeError>>) -> Result<T, RuntimeError> {
    tokio::time::timeout(ANSWER_WITHIN, work).await.unwrap_or_else(|_| {
        Err(RuntimeError::Unreachable(format!(
            "{url} did not answer within {} s",
            ANSWER_WITHIN.as_secs()
        )))
    })
}

/// A host URL Berth cannot reach an engine at.
#[derive(Debug, thiserror::Error)]
pub enum BadEndpoint {
    #[error("`{0}`: give unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST[:PORT]")]
    Scheme(String),
    #[error(
        "`{0}`: a tcp:// engine needs --tls-dir (its ca.pem, cert.pem, key.pem); an engine without TLS is root on its host for anyone who reaches the port"
    )]
    NoTls(String),
    #[error("`{0}`: give ssh://USER@HOST or ssh://USER@HOST:PORT, with no path")]
    SshAddress(String),
    #[error("`{0}`: {1} is for {2} hosts")]
    Misplaced(String, &'static str, &'static str),
}

impl Endpoint {
    pub fn parse(url: &str, access: &Access) -> Result<Self, BadEndpoint> {
        let misplaced = |option, scheme| Err(BadEndpoint::Misplaced(url.to_string(), option, scheme));
        let scheme = url.split_once("://");
        let ssh = matches!(scheme, Some(("ssh", _)));
        if access.tls_dir.is_some() && !matches!(scheme, Some(("tcp", _))) {
            return misplaced("--tls-dir", "tcp://");
        }
        if !ssh && access.ssh_key.is_some() {
            return misplaced("--ssh-key", "ssh://");
        }
        if !ssh && access.known_hosts.is_some() {
            return misplaced("--known-hosts", "ssh://");
        }
        match (scheme, access.tls_dir) {
            (Some(("unix", path)), _) if path.starts_with('/') => Ok(Endpoint::Unix(url.to_string())),
            (Some(("tcp", rest)), Some(dir)) if !rest.is_empty() => Ok(Endpoint::Tls {
                url: url.to_string(),
                certs: dir.into(),
            }),
            (Some(("tcp", _)), None) => Err(BadEndpoint::NoTls(url.to_string())),
            (Some(("ssh", rest)), _) => {
                let (user, host) = rest.rsplit_once('@').map_or(("", rest), |(user, host)| (user, host));
                // Nothing ssh could read as an option or a second argument.
                let odd = |part: &str| part.starts_with('-') || part.contains(|c: char| c.is_whitespace());
                if host.is_empty() || host.starts_with(':') || odd(host) || odd(user) || rest.contains(['/', '?', '#'])
                {
                    return Err(BadEndpoint::SshAddress(url.to_string()));
                }
                Ok(Endpoint::Ssh(SshHost {
                    url: url.to_string(),
                    key: access.ssh_key.map(Into::into),
                    known_hosts: access.known_hosts.map(Into::into),
                }))
            }
            _ => Err(BadEndpoint::Scheme(url.to_string())),
        }
    }

    /// A client for the engine once it answers, within [`ANSWER_WITHIN`],
    /// with the engine's version.
    pub async fn open(&self) -> Result<(Docker, String), RuntimeError> {
        let docker = self.connect()?;
        let version = answered(self.url(), async { docker.version().await.map_err(unreachable) }).await?;
        Ok((docker, version.version.unwrap_or_default()))
    }

    fn url(&self) -> &str {
        match self {
            Endpoint::Unix(url) | Endpoint::Tls { url, .. } => url,
            Endpoint::Ssh(host) => &host.url,
        }
    }

    /// A client for the engine (connecting at its first request).
    pub fn connect(&self) -> Result<Docker, RuntimeError> {
        self.client().map_err(unreachable)
    }

    fn client(&self) -> Result<Docker, DockerError> {
        const TIMEOUT: u64 = 120;
        match self {
            Endpoint::Unix(url) => Docker::connect_with_unix(url, TIMEOUT, bollard::API_DEFAULT_VERSION),
            Endpoint::Tls { url, certs } => Docker::connect_with_ssl(
                url,
                &certs.join("key.pem"),
                &certs.join("cert.pem"),
                &certs.join("ca.pem"),
                TIMEOUT,
                bollard::API_DEFAULT_VERSION,
            ),
            Endpoint::Ssh(host) => host.client(TIMEOUT),
        }
    }
}

/// The OCI runtimes labs run under, by the names they are registered with
/// in the engine (`None`: the engine's default, runc).
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Runtimes {
    /// The container runtime shell labs run under, if not the engine's default (runc), e.g. runsc (gVisor).
    #[arg(long, env = "BERTH_LAB_RUNTIME")]
    pub lab_runtime: Option<String>,
    /// The container runtime docker labs run under, if not the engine's default (runc), e.g. sysbox-runc.
    #[arg(long, env = "BERTH_DOCKER_LAB_RUNTIME")]
    pub docker_lab_runtime: Option<String>,
}

impl Runtimes {
    /// Each runtime asked for, with the flag that asks for it.
    pub fn named(&self) -> impl Iterator<Item = (&str, &'static str)> {
        [
            (&self.lab_runtime, "--lab-runtime"),
            (&self.docker_lab_runtime, "--docker-lab-runtime"),
        ]
        .into_iter()
        .filter_map(|(name, flag)| Some((name.as_deref()?, flag)))
    }
}

/// Every container and network of a lab is named after the lab.
pub fn name(lab_id: &str) -> String {
    format!("berth-lab-{lab_id}")
}

/// Node 1 is the lab's main container; the others are suffixed.
pub fn node_name(lab_id: &str, node: u8) -> String {
    match node {
        0 | 1 => name(lab_id),
        n => format!("berth-lab-{lab_id}-node{n}"),
    }
}

impl DockerRuntime {
    /// Connects as `DOCKER_HOST` (or the local socket) says and agrees on an
    /// API version. An engine that is down is reported, not fatal: pages
    /// still work, and labs explain the problem until it is back.
    pub async fn connect(runtimes: Runtimes, mirror: RegistryMirror) -> Self {
        Self::connect_to(None, runtimes, mirror).await
    }

    /// Connects to `endpoint` (`None`: as `DOCKER_HOST` says), likewise.
    pub async fn connect_to(endpoint: Option<Endpoint>, runtimes: Runtimes, mirror: RegistryMirror) -> Self {
        let mut runtime = Self {
            runtimes,
            mirror,
            endpoint,
            ..Self::default()
        };
        runtime.gvisor = runtime.runtimes.lab_runtime.as_deref() == Some("runsc");
        match runtime.client().await {
            Ok(docker) => {
                runtime.inspect_runtimes(&docker).await;
                match runtime.mirror.ensure(&docker).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!("no registry mirror yet: run `berth images build` so docker labs can pull")
                    }
                    Err(e) => tracing::warn!(error = %e, "the registry mirror did not start; docker labs cannot pull"),
                }
            }
            Err(e) => tracing::warn!(error = %e, "labs will not start until the container engine is reachable"),
        }
        runtime
    }

    /// Says at start-up, rather than at the first lab, that a runtime the
    /// configuration names is unknown to the engine; and finds out whether
    /// shell labs run under gVisor, whatever name it is registered by.
    async fn inspect_runtimes(&mut self, docker: &Docker) {
        let registered = match docker.info().await {
            Ok(info) => info.runtimes.unwrap_or_default(),
            Err(e) => return tracing::warn!(error = %e, "the container engine did not say which runtimes it has"),
        };
        if let Some(runtime) = self.runtimes.lab_runtime.as_ref().and_then(|r| registered.get(r)) {
            let path = runtime.path.as_deref().map(std::path::Path::new);
            self.gvisor = path.and_then(|p| p.file_name()).is_some_and(|f| f == "runsc");
        }
        for (name, flag) in self.runtimes.named() {
            if !registered.contains_key(name) {
                tracing::warn!(
                    "{flag} {name}: the engine has no runtime of that name, so those labs will not start; \
                     register it in /etc/docker/daemon.json (see docs/operations.md)"
                );
            }
        }
    }

    /// Waits until a docker lab's guard answers, so setup scripts and the
    /// learner's first command find the engine ready (about 1.3 s).
    async fn wait_for_engine(&self, lab: &LabId, node: NodeNumber) -> Result<(), RuntimeError> {
        let wait =
            format!("i=0; until [ -S {GUARD_SOCKET} ]; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done");
        let out = self
            .run_script(
                lab,
                node,
                Script {
                    user: "root",
                    text: wait.as_str().into(),
                    timeout: std::time::Duration::from_secs(40),
                },
            )
            .await?;
        if out.exit_code == Some(0) {
            Ok(())
        } else {
            Err(RuntimeError::Engine("the lab's Docker engine did not start".into()))
        }
    }

    /// Creates and starts one node of a lab.
    async fn create_node(
        &self,
        docker: &Docker,
        spec: &LabSpec,
        node: u8,
        network_mode: &str,
        with_engine: bool,
    ) -> Result<(), RuntimeError> {
        let container = node_name(spec.lab.as_str(), node);
        let multi = spec.nodes > 1;
        let hostname = if multi { format!("node{node}") } else { "lab".into() };
        let mut host_config = host_config(spec, network_mode.to_string());
        if with_engine {
            host_config = docker_profile(host_config, self.runtimes.docker_lab_runtime.clone());
        } else {
            host_config.runtime = self.runtimes.lab_runtime.clone();
            if self.gvisor
                && let Some(pids) = host_config.pids_limit.as_mut()
            {
                *pids += GVISOR_PIDS;
            }
        }
        let mut labels = labels(spec);
        labels.insert(LABEL_NODE.into(), node.to_string());
        let mut env = vec![format!("HOME={LEARNER_HOME}"), "TERM=xterm-256color".into()];
        if multi {
            // Tells the engine's start-up to let the other nodes reach it.
            env.push(format!("BERTH_NODES={}", spec.nodes));
        }
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            hostname: Some(hostname.clone()),
            // A docker lab starts its engine as root; its terminal and
            // scripts still run as the learner or the checker.
            user: Some(if with_engine { "root" } else { LEARNER }.into()),
            working_dir: Some(LEARNER_HOME.into()),
            env: Some(env),
            labels: Some(labels),
            host_config: Some(host_config),
            // Nodes find each other by hostname on the lab's network.
            networking_config: multi.then(|| NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    network_mode.to_string(),
                    EndpointSettings {
                        aliases: Some(vec![hostname]),
                        ..Default::default()
                    },
                )])),
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::new().name(&container).build();
        if let Err(e) = docker.create_container(Some(options), body).await {
            return Err(match e {
                DockerError::DockerResponseServerError {
                    status_code: 404,
                    message,
                } if message.contains("image") => RuntimeError::MissingImage(spec.image.clone()),
                e => engine(e),
            });
        }
        docker.start_container(&container, None).await.map_err(engine)
    }

    /// `cmd` as the learner runs it in `container`: after the image's
    /// learner entry, if it has one.
    async fn learner_command(
        &self,
        docker: &Docker,
        container: &str,
        cmd: Vec<String>,
    ) -> Result<Vec<String>, RuntimeError> {
        let labels = image_labels(docker, container).await?;
        Ok(learner_entry(&labels, cmd))
    }

    /// Whether a container's shells can be kept in tmux: its image must
    /// have it (a lab started before an upgrade may not), and not under the
    /// gVisor of Debian 12 (runsc release 20221219), whose terminals made
    /// inside the sandbox ignore Ctrl-C and Ctrl-Z (fixed upstream in 2023,
    /// gVisor pull request 8562), so a learner could not stop a command.
    fn keeps(&self, inspect: &bollard::models::ContainerInspectResponse) -> bool {
        let labels = inspect.config.as_ref().and_then(|c| c.labels.as_ref());
        let tmux = labels.and_then(|l| l.get(TERMINAL_LABEL)).is_some_and(|v| v == "tmux");
        let runtime = inspect.host_config.as_ref().and_then(|h| h.runtime.as_deref());
        let gvisor = self.gvisor && runtime.is_some() && runtime == self.runtimes.lab_runtime.as_deref();
        tmux && !gvisor
    }

    /// Starts `cmd` as the learner on a TTY, attached: a terminal's exec.
    async fn start_shell(
        &self,
        docker: &Docker,
        container: &str,
        cmd: Vec<String>,
        client: Option<String>,
    ) -> Result<Shell, RuntimeError> {
        let exec = docker
            .create_exec(
                container,
                attached(
                    (LEARNER, LEARNER_HOME),
                    vec!["TERM=xterm-256color".to_string()],
                    cmd,
                    true,
                ),
            )
            .await
            .map_err(engine)?;
        let options = StartExecOptions {
            tty: true,
            ..Default::default()
        };
        match docker.start_exec(&exec.id, Some(options)).await.map_err(engine)? {
            StartExecResults::Attached { output, mut input } => {
                let mut output = output.map_ok(LogOutput::into_bytes).map_err(unreachable).boxed();
                if let Some(client) = &client {
                    let joined = read_until_joined(&mut output, client).await?;
                    // JOIN_SHELL's go-ahead: what it printed has been read.
                    input
                        .write_all(b"\n")
                        .await
                        .map_err(|e| RuntimeError::Engine(e.to_string()))?;
                    output = futures_util::stream::once(std::future::ready(Ok(joined)))
                        .chain(output)
                        .boxed();
                }
                Ok(Shell {
                    exec: exec.id,
                    client,
                    output,
                    input,
                })
            }
            StartExecResults::Detached => Err(RuntimeError::Engine("the shell did not attach".into())),
        }
    }

    /// The engine's client, connecting first if need be.
    pub async fn client(&self) -> Result<Docker, RuntimeError> {
        if let Some(docker) = self.docker.lock().expect("docker lock").clone() {
            return Ok(docker);
        }
        // DOCKER_HOST as the docker CLI reads it: a unix socket (the
        // default), or tcp:// with TLS when DOCKER_TLS_VERIFY is set (the
        // certificates from DOCKER_CERT_PATH, as the CLI names them).
        let docker = match &self.endpoint {
            None => Docker::connect_with_defaults(),
            Some(endpoint) => endpoint.client(),
        };
        let docker = docker
            .map_err(unreachable)?
            .negotiate_version()
            .await
            .map_err(unreachable)?;
        *self.docker.lock().expect("docker lock") = Some(docker.clone());
        Ok(docker)
    }
}

/// An exec as `user` in `working_dir`, its input and output attached.
fn attached(
    (user, working_dir): (&str, &str),
    env: Vec<String>,
    cmd: Vec<String>,
    tty: bool,
) -> CreateExecOptions<String> {
    CreateExecOptions {
        attach_stdin: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(tty),
        user: Some(user.to_string()),
        working_dir: Some(working_dir.to_string()),
        env: Some(env),
        cmd: Some(cmd),
        ..Default::default()
    }
}

/// The labels a container's image gave it.
async fn image_labels(docker: &Docker, container: &str) -> Result<HashMap<String, String>, RuntimeError> {
    let inspect = docker.inspect_container(container, None).await.map_err(engine)?;
    Ok(inspect.config.and_then(|c| c.labels).unwrap_or_default())
}

/// How long a join may take to print the scrollback.
const JOIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Reads a joining terminal's output up to JOIN_SHELL's `CLIENT:joined`,
/// which it leaves out; what the shell printed if it ended before (an
/// error, say) is returned as it is.
async fn read_until_joined(
    output: &mut futures_util::stream::BoxStream<'static, Result<bytes::Bytes, RuntimeError>>,
    client: &str,
) -> Result<bytes::Bytes, RuntimeError> {
    let marker = format!("{client}:joined");
    let mut read = Vec::new();
    let reading = async {
        while let Some(chunk) = output.next().await {
            read.extend_from_slice(&chunk?);
            if let Some(at) = read.windows(marker.len()).position(|w| w == marker.as_bytes()) {
                let rest = read.split_off(at + marker.len());
                read.truncate(at);
                read.extend_from_slice(&rest);
                return Ok(());
            }
        }
        Ok(())
    };
    match tokio::time::timeout(JOIN_TIMEOUT, reading).await {
        Ok(Ok(())) => Ok(read.into()),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(RuntimeError::Engine("the shell did not start in time".into())),
    }
}

/// `cmd` after the image's learner entry, if it has one.
fn learner_entry(labels: &HashMap<String, String>, cmd: Vec<String>) -> Vec<String> {
    let entry = labels.get(LEARNER_ENTRY_LABEL).map_or("", String::as_str);
    entry.split_whitespace().map(String::from).chain(cmd).collect()
}

fn unreachable(e: DockerError) -> RuntimeError {
    RuntimeError::Unreachable(match ssh::cause(&e) {
        Some(ssh) => ssh.to_string(),
        None => format!("{e}; is dockerd running?"),
    })
}

/// The engine's own refusal, or that it could not be reached.
pub(super) fn engine(e: DockerError) -> RuntimeError {
    match e {
        DockerError::DockerResponseServerError { message, .. } => RuntimeError::Engine(message),
        other => unreachable(other),
    }
}

/// Whether the engine answered with one of these HTTP statuses.
pub(super) fn has_status(e: &DockerError, statuses: &[u16]) -> bool {
    matches!(e, DockerError::DockerResponseServerError { status_code, .. } if statuses.contains(status_code))
}

fn is_not_found(e: &DockerError) -> bool {
    has_status(e, &[404])
}

/// The hardened profile: no capabilities, no privilege gain, a read-only
/// root with small scratch space, bounded memory, processes and CPU, capped
/// logs, and no network unless the lab has its own private one.
fn host_config(spec: &LabSpec, network_mode: String) -> HostConfig {
    let memory = i64::from(spec.limits.memory_mb) * 1024 * 1024;
    let tmpfs = HashMap::from([
        (
            LEARNER_HOME.to_string(),
            format!("size={HOME_SIZE},nosuid,nodev,uid=1000,gid=1000,mode=0755"),
        ),
        ("/tmp".to_string(), format!("size={TMP_SIZE},nosuid,nodev,mode=1777")),
    ]);
    HostConfig {
        cap_drop: Some(vec!["ALL".into()]),
        security_opt: Some(vec!["no-new-privileges:true".into()]),
        pids_limit: Some(i64::from(spec.limits.pids)),
        memory: Some(memory),
        memory_swap: Some(memory),
        nano_cpus: Some((spec.limits.cpus * 1e9) as i64),
        readonly_rootfs: Some(true),
        tmpfs: Some(tmpfs),
        shm_size: Some(16 * 1024 * 1024),
        ipc_mode: Some("private".into()),
        init: Some(true),
        log_config: Some(HostConfigLogConfig {
            typ: Some("json-file".into()),
            config: Some(HashMap::from([
                ("max-size".to_string(), "1m".to_string()),
                ("max-file".to_string(), "1".to_string()),
            ])),
        }),
        network_mode: Some(network_mode),
        ..Default::default()
    }
}

/// The docker profile: what an engine inside the lab needs (`--privileged`
/// is not available on these hosts, and would give more). The lab's root
/// gets nearly every capability, so the learner must never become root:
/// the engine's socket is root-only and the learner reaches it through
/// the guard. A seccomp profile of our own stands between those
/// capabilities and the rest of the kernel. The same memory, process and
/// CPU limits bound the lab and every container inside it (the engine nests
/// them in the lab's cgroup), and the root file system stays read-only:
/// every place the engine, the guard or anyone writes is a size-limited
/// tmpfs, counted against the lab's memory.
fn docker_profile(mut hc: HostConfig, runtime: Option<String>) -> HostConfig {
    hc.runtime = runtime;
    hc.cap_add = Some(vec!["ALL".into()]);
    hc.cap_drop = Some(vec!["SYS_RESOURCE".into()]);
    hc.security_opt = Some(vec![
        format!("seccomp={}", seccomp::docker_lab_profile()),
        "apparmor=unconfined".into(),
        "no-new-privileges:true".into(),
    ]);
    // What `--security-opt systempaths=unconfined` means to the API.
    hc.masked_paths = Some(Vec::new());
    hc.readonly_paths = Some(Vec::new());
    hc.cgroupns_mode = Some(bollard::models::HostConfigCgroupnsModeEnum::HOST);
    hc.binds = Some(vec!["/sys/fs/cgroup:/sys/fs/cgroup:rw".into()]);
    // Images come from the registry mirror; Docker Hub is out of reach. The
    // engine still looks Hub's names up on every pull and service create,
    // and on a network with no way out each lookup waits ten seconds for
    // nothing: answer them at once, so a fallback fails fast instead.
    hc.extra_hosts = Some(
        ["docker.io", "index.docker.io", "registry-1.docker.io"]
            .map(|name| format!("{name}:127.0.0.1"))
            .to_vec(),
    );
    // The inner engine's images and containers live in memory, so a full
    // disk inside must come before a full memory: half the lab's memory.
    let data_mib = hc.memory.unwrap_or(0) / 2 / (1024 * 1024);
    if let Some(tmpfs) = hc.tmpfs.as_mut() {
        tmpfs.insert("/var/lib/docker".into(), format!("size={data_mib}m"));
        // The engine's and the guard's sockets, state and logs.
        for (path, mode) in [("/run", "0755"), ("/var/log", "0755"), ("/var/tmp", "1777")] {
            tmpfs.insert(
                path.into(),
                format!("size={ENGINE_SCRATCH_SIZE},nosuid,nodev,mode={mode}"),
            );
        }
    }
    hc
}

fn labels(spec: &LabSpec) -> HashMap<String, String> {
    HashMap::from([
        (LABEL_INSTANCE.to_string(), spec.instance.clone()),
        (LABEL_LAB.to_string(), spec.lab.to_string()),
        (
            LABEL_OWNER.to_string(),
            spec.owner.map(|o| o.to_string()).unwrap_or_default(),
        ),
        (LABEL_MODULE.to_string(), spec.module.to_string()),
        // Seconds since the Unix epoch, as operators read labels.
        (LABEL_EXPIRES.to_string(), (spec.expires_at.get() / 1000).to_string()),
    ])
}

#[async_trait::async_trait]
impl Runtime for DockerRuntime {
    async fn create(&self, spec: &LabSpec) -> Result<(), RuntimeError> {
        let docker = self.client().await?;
        let name = name(spec.lab.as_str());
        let with_engine = match docker.inspect_image(&spec.image).await {
            Ok(image) => image
                .config
                .and_then(|c| c.labels)
                .is_some_and(|l| l.get(PROFILE_LABEL).is_some_and(|p| p == "docker")),
            Err(e) if is_not_found(&e) => return Err(RuntimeError::MissingImage(spec.image.clone())),
            Err(e) => return Err(engine(e)),
        };
        // Docker labs always get a network: the registry mirror is on it.
        let network_mode = if spec.network || with_engine || spec.nodes > 1 {
            // Internal: no route out. And no address for the host on the
            // bridge, or the lab could reach the host's own services
            // through the gateway (tested).
            docker
                .create_network(NetworkCreateRequest {
                    name: name.clone(),
                    driver: Some("bridge".into()),
                    internal: Some(true),
                    options: Some(HashMap::from([(
                        "com.docker.network.bridge.inhibit_ipv4".to_string(),
                        "true".to_string(),
                    )])),
                    labels: Some(labels(spec)),
                    ..Default::default()
                })
                .await
                .map_err(engine)?;
            if with_engine {
                self.mirror.attach(&docker, &name).await?;
            }
            name.clone()
        } else {
            "none".into()
        };
        let nodes = 1..=spec.nodes.max(1);
        for node in nodes.clone() {
            self.create_node(&docker, spec, node, &network_mode, with_engine)
                .await?;
        }
        if with_engine {
            let nodes = nodes.map(|n| self.wait_for_engine(&spec.lab, n));
            futures_util::future::try_join_all(nodes).await?;
        }
        Ok(())
    }

    async fn remove(&self, lab: &LabId) -> Result<(), RuntimeError> {
        let lab_id = lab.as_str();
        let docker = self.client().await?;
        let filters = HashMap::from([("label", vec![format!("{LABEL_LAB}={lab_id}")])]);
        let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
        let mut names: Vec<String> = docker
            .list_containers(Some(options))
            .await
            .map_err(engine)?
            .into_iter()
            .filter_map(|c| c.names?.first().map(|n| n.trim_start_matches('/').to_string()))
            .collect();
        // One being created right now is not listed yet.
        if !names.contains(&name(lab_id)) {
            names.push(name(lab_id));
        }
        for container in names {
            let options = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
            match docker.remove_container(&container, Some(options)).await {
                Ok(()) => {}
                Err(e) if is_not_found(&e) => {}
                // Already being removed by an earlier request.
                Err(DockerError::DockerResponseServerError { status_code: 409, .. }) => {}
                Err(e) => return Err(engine(e)),
            }
        }
        let network = name(lab_id);
        RegistryMirror::detach(&docker, &network).await?;
        match docker.remove_network(&network).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(engine(e)),
        }
    }

    async fn list(&self, instance: &str) -> Result<Listing, RuntimeError> {
        let docker = self.client().await?;
        let filters = HashMap::from([("label", vec![format!("{LABEL_INSTANCE}={instance}")])]);
        let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
        let containers = docker.list_containers(Some(options)).await.map_err(engine)?;
        // A lab runs when every one of its nodes does.
        let mut labs: BTreeMap<String, bool> = BTreeMap::new();
        for c in containers {
            let Some(lab_id) = c.labels.as_ref().and_then(|l| l.get(LABEL_LAB)).cloned() else {
                continue;
            };
            let running = c.state == Some(ContainerSummaryStateEnum::RUNNING);
            *labs.entry(lab_id).or_insert(true) &= running;
        }
        let labs = labs
            .into_iter()
            .map(|(lab_id, running)| Labelled {
                lab: LabId::new(lab_id),
                running,
            })
            .collect();
        Ok(Listing {
            labs,
            unreachable: Vec::new(),
        })
    }

    async fn run_script(
        &self,
        lab: &LabId,
        node: NodeNumber,
        script: Script<'_>,
    ) -> Result<ScriptOutput, RuntimeError> {
        let container = &node_name(lab.as_str(), node);
        let docker = self.client().await?;
        let seconds = script.timeout.as_secs().max(1).to_string();
        let home = if script.user == LEARNER { LEARNER_HOME } else { "/" };
        // The script arrives on standard input; the shell reads all of it
        // before running any, so a command in it that reads its own input
        // (`docker compose exec`, `cat`) finds it empty instead of eating the
        // rest of the script.
        let mut cmd = ["timeout", "--signal=KILL", &seconds, "sh", "-c", "eval \"$(cat)\""]
            .map(String::from)
            .to_vec();
        if script.user == LEARNER {
            cmd = self.learner_command(&docker, container, cmd).await?;
        }
        let exec = docker
            .create_exec(
                container,
                attached(
                    (script.user, home),
                    // A fixed, minimal environment: nothing the learner set
                    // reaches a script.
                    [
                        "PATH=/usr/local/bin:/usr/bin:/bin".to_string(),
                        format!("HOME={home}"),
                        format!("LAB_HOME={LEARNER_HOME}"),
                        "LANG=C.UTF-8".to_string(),
                    ]
                    .into_iter()
                    // Checks see a docker lab's engine directly; the
                    // learner's scripts keep the image's DOCKER_HOST,
                    // the guard.
                    .chain((script.user == CHECKER).then(|| format!("DOCKER_HOST={ENGINE_SOCKET}")))
                    .collect(),
                    cmd,
                    false,
                ),
            )
            .await
            .map_err(engine)?;
        let started = docker
            .start_exec(&exec.id, Some(StartExecOptions::default()))
            .await
            .map_err(engine)?;
        let StartExecResults::Attached { mut output, mut input } = started else {
            return Err(RuntimeError::Engine("the script's exec did not attach".into()));
        };
        let text = script.text.to_string();
        let feed = async move {
            // A script that exits early closes the pipe; that is its business.
            let _ = input.write_all(text.as_bytes()).await;
            let _ = input.shutdown().await;
        };
        let mut collected: Vec<u8> = Vec::new();
        let mut truncated = false;
        let read = async {
            while let Some(chunk) = output.next().await {
                let Ok(chunk) = chunk else { break };
                let bytes = chunk.into_bytes();
                let room = OUTPUT_CAP.saturating_sub(collected.len());
                if bytes.len() > room {
                    truncated = true;
                }
                collected.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
        };
        // `timeout` inside kills the script; this is the backstop.
        let limit = script.timeout + std::time::Duration::from_secs(5);
        let finished = tokio::time::timeout(limit, async { tokio::join!(feed, read) })
            .await
            .is_ok();
        let inspect = docker.inspect_exec(&exec.id).await.map_err(engine)?;
        let exit_code = if inspect.running == Some(true) {
            None
        } else {
            inspect.exit_code
        };
        Ok(ScriptOutput {
            // `timeout --signal=KILL` makes a killed script exit with 137.
            timed_out: !finished || exit_code == Some(137),
            exit_code,
            output: String::from_utf8_lossy(&collected).into_owned(),
            truncated,
        })
    }

    async fn shell(&self, lab: &LabId, node: NodeNumber, size: TermSize, seat: Seat) -> Result<Shell, RuntimeError> {
        let container = &node_name(lab.as_str(), node);
        let docker = self.client().await?;
        let inspect = docker.inspect_container(container, None).await.map_err(engine)?;
        let kept = self.keeps(&inspect);
        let labels = inspect.config.and_then(|c| c.labels).unwrap_or_default();
        if !kept {
            if seat == Seat::Watcher {
                return Err(RuntimeError::Engine("this node's shell cannot be attached to".into()));
            }
            let cmd = learner_entry(&labels, ["bash", "-l"].map(String::from).to_vec());
            return self.start_shell(&docker, container, cmd, None).await;
        }
        let client = format!("t{:016x}", rand::random::<u64>());
        let role = match seat {
            Seat::Learner => "learner",
            Seat::Watcher => "watcher",
        };
        let TermSize { cols, rows } = size.clamped();
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let cmd = ["sh", "-c", JOIN_SHELL, "sh", TMUX, &cols, &rows, &client, role]
            .map(String::from)
            .to_vec();
        let cmd = learner_entry(&labels, cmd);
        self.start_shell(&docker, container, cmd, Some(client)).await
    }

    async fn open_shell(&self, lab: &LabId, node: NodeNumber) -> Result<(), RuntimeError> {
        let container = &node_name(lab.as_str(), node);
        let docker = self.client().await?;
        let inspect = docker.inspect_container(container, None).await.map_err(engine)?;
        if !self.keeps(&inspect) {
            return Ok(());
        }
        let labels = inspect.config.and_then(|c| c.labels).unwrap_or_default();
        let TermSize { cols, rows } = TermSize::DEFAULT;
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let cmd = ["sh", "-c", OPEN_SHELL, "sh", TMUX, &cols, &rows]
            .map(String::from)
            .to_vec();
        // Through the terminal's own path, so the shell gets the
        // environment and confinement a joining terminal would give it.
        let shell = self
            .start_shell(&docker, container, learner_entry(&labels, cmd), None)
            .await?;
        let said = shell.output.try_fold(Vec::new(), |mut all, bytes| async move {
            all.extend_from_slice(&bytes);
            Ok(all)
        });
        let said = tokio::time::timeout(JOIN_TIMEOUT, said)
            .await
            .map_err(|_| RuntimeError::Engine("opening the learner's shell timed out".into()))??;
        let exec = docker.inspect_exec(&shell.exec).await.map_err(engine)?;
        if exec.exit_code != Some(0) {
            let said = String::from_utf8_lossy(&said);
            return Err(RuntimeError::Engine(format!(
                "the learner's shell did not start: {}",
                said.trim()
            )));
        }
        Ok(())
    }

    async fn keeps_shells(&self, lab: &LabId, node: NodeNumber) -> Result<bool, RuntimeError> {
        let docker = self.client().await?;
        let container = node_name(lab.as_str(), node);
        let inspect = docker.inspect_container(&container, None).await.map_err(engine)?;
        Ok(self.keeps(&inspect))
    }

    async fn leave(&self, lab: &LabId, node: NodeNumber, client: &str) -> Result<(), RuntimeError> {
        let text = format!("{TMUX} kill-session -t '={client}' 2>/dev/null; true");
        let script = Script {
            user: LEARNER,
            text: text.into(),
            timeout: std::time::Duration::from_secs(10),
        };
        self.run_script(lab, node, script).await.map(drop)
    }

    async fn resize(&self, _lab: &LabId, exec: &str, size: TermSize) -> Result<(), RuntimeError> {
        let docker = self.client().await?;
        let TermSize { cols, rows } = size.clamped();
        let options = ResizeExecOptionsBuilder::new()
            .w(i32::from(cols))
            .h(i32::from(rows))
            .build();
        docker.resize_exec(exec, options).await.map_err(engine)
    }

    fn out_of_memory(&self, lab: &LabId, node: NodeNumber) -> futures_util::stream::BoxStream<'static, OutOfMemory> {
        let filters = HashMap::from([
            ("container", vec![node_name(lab.as_str(), node)]),
            ("event", vec!["oom".to_string(), "die".to_string()]),
        ]);
        let options = EventsOptionsBuilder::new().filters(&filters).build();
        // Only asked for while a terminal is attached, so the engine is up.
        let Some(docker) = self.docker.lock().expect("docker lock").clone() else {
            return futures_util::stream::pending().boxed();
        };
        let actions = docker
            .events(Some(options))
            .take_while(|e| std::future::ready(e.is_ok()))
            .map(|e| e.ok().and_then(|e| e.action).unwrap_or_default())
            .boxed();
        // The engine reports the kill, then (if it was the lab's only
        // process on the host, as under gVisor) the container's end.
        futures_util::stream::unfold(actions, |mut actions| async move {
            while actions.next().await? != "oom" {}
            let next = tokio::time::timeout(LAB_DIES_WITHIN, actions.next()).await;
            let what = match next {
                Ok(Some(action)) if action != "die" => OutOfMemory::Process,
                Err(_) => OutOfMemory::Process,
                Ok(_) => OutOfMemory::Lab,
            };
            Some((what, actions))
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ssh_address_is_a_user_a_host_and_a_port_and_nothing_ssh_would_read_as_an_option() {
        let key = Access {
            ssh_key: Some("/etc/berth/id"),
            known_hosts: Some("/etc/berth/known_hosts"),
            ..Access::default()
        };
        let Ok(Endpoint::Ssh(host)) = Endpoint::parse("ssh://berth@lab4:2222", &key) else {
            panic!("an ssh host");
        };
        assert_eq!(host.key.as_deref(), Some(std::path::Path::new("/etc/berth/id")));
        assert!(matches!(
            Endpoint::parse("ssh://lab4", &Access::default()),
            Ok(Endpoint::Ssh(_))
        ));
        for bad in [
            "ssh://",
            "ssh://berth@",
            "ssh://berth@:22",
            "ssh://berth@lab4/docker",
            "ssh://-oProxyCommand=touch@lab4",
            "ssh://berth@-oProxyCommand=sh",
            "ssh://berth@lab4 -v",
        ] {
            assert!(
                matches!(
                    Endpoint::parse(bad, &Access::default()),
                    Err(BadEndpoint::SshAddress(_))
                ),
                "{bad}"
            );
        }
        let tls = Access {
            tls_dir: Some("/etc/berth/tls"),
            ..Access::default()
        };
        assert!(matches!(
            Endpoint::parse("ssh://lab4", &tls),
            Err(BadEndpoint::Misplaced(..))
        ));
        assert!(matches!(
            Endpoint::parse("unix:///run/docker.sock", &key),
            Err(BadEndpoint::Misplaced(..))
        ));
    }
}
