//! Docker engines reached over SSH, as the docker CLI reaches them: the
//! system `ssh` client logs in to the host (through the `openssh` crate, so
//! the operator's ssh configuration and agent apply) and each connection of
//! the Docker API is a `docker system dial-stdio` run there. One login per
//! host is kept open and shared by every connection (ssh's multiplexing):
//! a terminal or a check costs a new channel, not a new login.
//!
//! bollard's own `ssh` feature is not used: it accepts a host key it has
//! never seen (`StrictHostKeyChecking=accept-new`, which cannot be changed
//! through it), sets no connect timeout, and logs in again for every
//! connection of its pool.

use std::io;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bollard::{BollardRequest, Docker};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use openssh::{ControlPersist, KnownHosts, Session, SessionBuilder, Stdio};

/// ssh's own limit on reaching the host (TCP and its first answer).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole login, in case a host answers and then stalls.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(20);
/// A host that misses three of these keep-alives in a row is dropped
/// (ssh's `ServerAliveCountMax`), and every call waiting on it fails.
const ALIVE_INTERVAL: Duration = Duration::from_secs(5);
/// The shared login ends by itself this long after its last connection
/// closes, so one left behind by a Berth that was killed does not stay.
const IDLE_SECONDS: usize = 120;

/// An engine at `ssh://[USER@]HOST[:PORT]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshHost {
    pub url: String,
    /// The private key to log in with; without it, ssh's configuration
    /// and agent choose.
    pub key: Option<PathBuf>,
    /// The known_hosts file the host's key must be in; without it, that of
    /// the user Berth runs as (`~/.ssh/known_hosts`) and the system's.
    pub known_hosts: Option<PathBuf>,
}

/// Why a host could not be logged in to. ssh says why only in words, so
/// its log is read here, once, at the edge.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error(
        "{url}: its host key is not in {known_hosts}, and Berth logs in only to hosts whose key it knows; \
         check the key's fingerprint with the host's administrator, then add it there \
         (see \"Lab hosts over ssh\" in docs/operations.md)"
    )]
    UnknownHostKey { url: String, known_hosts: String },
    #[error(
        "{url}: its host key has CHANGED from the one in {known_hosts}, so Berth will not log in: \
         someone may be in between. If the host was reinstalled, check its new key's fingerprint \
         and replace its line there (`ssh-keygen -R`)"
    )]
    ChangedHostKey { url: String, known_hosts: String },
    #[error("{url}: the host refused the login ({detail}); is the key in the user's authorized_keys?")]
    Refused { url: String, detail: String },
    #[error("{url}: ssh could not log in: {detail}")]
    Failed { url: String, detail: String },
    #[error("{url}: no answer to ssh within {}s", LOGIN_TIMEOUT.as_secs())]
    Silent { url: String },
    #[error("{url}: `docker system dial-stdio` could not be started there: {source}")]
    Dial {
        url: String,
        #[source]
        source: openssh::Error,
    },
}

impl SshHost {
    /// A client for the engine; the login happens at its first request.
    pub fn client(&self, timeout: u64) -> Result<Docker, bollard::errors::Error> {
        let connector = Connector {
            host: Arc::new(self.clone()),
            session: Arc::default(),
        };
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let transport = move |request: BollardRequest| client.request(request).map(|r| r.map_err(Into::into));
        // The address only names the engine in requests: the connector
        // always dials this host.
        Docker::connect_with_custom_transport(transport, Some("http://docker"), timeout, bollard::API_DEFAULT_VERSION)
    }

    fn known_hosts(&self) -> String {
        match &self.known_hosts {
            Some(path) => path.display().to_string(),
            None => "the known_hosts of the user Berth runs as (~/.ssh/known_hosts)".into(),
        }
    }

    async fn login(&self) -> Result<Session, SshError> {
        let mut builder = SessionBuilder::default();
        builder
            .known_hosts_check(KnownHosts::Strict)
            .connect_timeout(CONNECT_TIMEOUT)
            .server_alive_interval(ALIVE_INTERVAL)
            .control_persist(ControlPersist::IdleFor(
                NonZeroUsize::new(IDLE_SECONDS).expect("not zero"),
            ))
            .control_directory(std::env::temp_dir());
        if let Some(key) = &self.key {
            builder.keyfile(key);
        }
        if let Some(file) = &self.known_hosts {
            builder.user_known_hosts_file(file);
        }
        let (builder, destination) = builder.resolve(&self.url);
        match tokio::time::timeout(LOGIN_TIMEOUT, builder.launch_master(destination)).await {
            Ok(Ok(control)) => Ok(Session::new_process_mux(control)),
            Ok(Err(e)) => Err(self.refusal(e)),
            Err(_) => Err(SshError::Silent { url: self.url.clone() }),
        }
    }

    fn refusal(&self, e: openssh::Error) -> SshError {
        let log = match &e {
            openssh::Error::Connect(e) => e.to_string(),
            other => other.to_string(),
        };
        let url = self.url.clone();
        let detail = log
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        if log.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || log.contains("has changed and you have requested")
        {
            SshError::ChangedHostKey {
                url,
                known_hosts: self.known_hosts(),
            }
        } else if log.contains("Host key verification failed") {
            SshError::UnknownHostKey {
                url,
                known_hosts: self.known_hosts(),
            }
        } else if log.contains("Permission denied") {
            SshError::Refused { url, detail }
        } else {
            SshError::Failed { url, detail }
        }
    }
}

/// Dials the engine for hyper: a `docker system dial-stdio` over the
/// host's shared login, logging in again if it has ended.
#[derive(Clone)]
struct Connector {
    host: Arc<SshHost>,
    session: Arc<tokio::sync::Mutex<Option<Arc<Session>>>>,
}

impl Connector {
    async fn session(&self) -> Result<Arc<Session>, SshError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref() {
            if session.check().await.is_ok() {
                return Ok(session.clone());
            }
            // Its drop waits for `ssh -O exit`: not on the runtime's threads.
            let ended = slot.take();
            tokio::task::spawn_blocking(move || drop(ended));
        }
        let session = Arc::new(self.host.login().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    async fn dial(self) -> Result<Pipe, SshError> {
        let session = self.session().await?;
        let dial = |source| SshError::Dial {
            url: self.host.url.clone(),
            source,
        };
        let mut child = session
            .arc_command("docker")
            .args(["system", "dial-stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .await
            .map_err(dial)?;
        let (Some(stdin), Some(stdout)) = (child.stdin().take(), child.stdout().take()) else {
            unreachable!("both were asked for");
        };
        Ok(Pipe {
            _child: child,
            stdin: Some(TokioIo::new(stdin)),
            stdout: TokioIo::new(stdout),
        })
    }
}

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = Pipe;
    type Error = SshError;
    type Future = BoxFuture<'static, Result<Pipe, SshError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), SshError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        self.clone().dial().boxed()
    }
}

/// One connection to the engine: the remote `dial-stdio`'s input and
/// output. Shutting down the write half closes its input, which the
/// engine sees as the end of a hijacked stream's input (a script's
/// standard input ends).
struct Pipe {
    _child: openssh::Child<Arc<Session>>,
    stdin: Option<TokioIo<openssh::ChildStdin>>,
    stdout: TokioIo<openssh::ChildStdout>,
}

impl Pipe {
    fn stdin(&mut self) -> io::Result<Pin<&mut TokioIo<openssh::ChildStdin>>> {
        self.stdin
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::ErrorKind::BrokenPipe.into())
    }
}

impl hyper::rt::Read for Pipe {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stdout).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Pipe {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.stdin()?.poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stdin()?.poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.stdin.is_some() {
            std::task::ready!(self.stdin()?.poll_shutdown(cx))?;
            // A pipe ends only when closed.
            self.stdin = None;
        }
        Poll::Ready(Ok(()))
    }
}

impl Connection for Pipe {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// The ssh failure behind a Docker API error, if there is one.
pub fn cause(e: &bollard::errors::Error) -> Option<&SshError> {
    let mut source = std::error::Error::source(e);
    while let Some(e) = source {
        if let Some(ssh) = e.downcast_ref::<SshError>() {
            return Some(ssh);
        }
        source = e.source();
    }
    None
}
