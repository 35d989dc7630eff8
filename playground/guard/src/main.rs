//! `berth-docker-guard`: run as root in a docker lab; the learner's
//! `DOCKER_HOST` points at `--listen`, the real engine is `--upstream`.
//! `berth-docker-guard confine -- CMD…` runs the learner's commands (see
//! `confine`).

use std::ffi::OsString;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::Arc;

use berth_docker_guard::binds::Home;
use berth_docker_guard::policy::Policy;
use berth_docker_guard::proxy::{Guard, serve};
use berth_docker_guard::pull::Mirror;
use clap::{Parser, Subcommand};
use tokio::net::{TcpListener, UnixListener};

#[derive(Parser)]
#[command(
    version,
    about = "Forwards the Docker Engine API, refusing what would give root in the lab"
)]
struct Args {
    /// The socket the learner talks to (made mode 0666).
    #[arg(long, default_value = "/run/berth/docker.sock")]
    listen: PathBuf,
    /// Also listen on TCP, e.g. `0.0.0.0:2375`, so the lab's other nodes can
    /// reach this node's engine (multi-node labs only; same policy, no TLS).
    #[arg(long, value_name = "ADDR")]
    listen_tcp: Option<SocketAddr>,
    /// The course's registry mirror (`host:port`): pulls of images it lacks
    /// are refused at once, with what it has, instead of timing out.
    #[arg(long, value_name = "HOST:PORT")]
    mirror: Option<String>,
    /// The engine's own, root-only socket.
    #[arg(long, default_value = "/var/run/docker.sock")]
    upstream: PathBuf,
    /// Bind mounts must come from inside this folder.
    #[arg(long, default_value = "/home/learner")]
    home: PathBuf,
    /// Accept a home that is not mounted nosuid,nodev (tests only: container
    /// root could then plant a setuid binary there for the learner).
    #[arg(long, hide = true)]
    insecure_skip_mount_check: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a command of the learner's: it and all it starts may not create
    /// user namespaces.
    Confine {
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<OsString>,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if let Some(Command::Confine { command }) = &args.command {
        return Err(berth_docker_guard::confine::exec(command));
    }
    guard(args)
}

#[tokio::main]
async fn guard(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let home = Home::new(&args.home, !args.insecure_skip_mount_check)
        .map_err(|e| format!("--home {}: {e}", args.home.display()))?;
    let listener = listen(&args.listen)?;
    let tcp = match args.listen_tcp {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .map_err(|e| format!("--listen-tcp {addr}: {e}"))?,
        ),
        None => None,
    };
    tracing::info!(
        listen = %args.listen.display(),
        upstream = %args.upstream.display(),
        home = %args.home.display(),
        "guarding the Docker engine"
    );
    if let Some(tcp) = &tcp {
        tracing::info!(
            listen_tcp = %tcp.local_addr()?,
            "also listening on TCP for the lab's other nodes (same policy, no TLS)"
        );
    }
    let guard = Arc::new(Guard {
        policy: Policy::new(home),
        upstream: args.upstream,
        mirror: args.mirror.map(|addr| Mirror { addr }),
        collecting: Default::default(),
    });
    // Pins left by an earlier run are collected once the engine answers.
    tokio::spawn(guard.clone().watch_removals());
    let serve_tcp = async {
        match tcp {
            Some(tcp) => serve(tcp, guard.clone()).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        res = serve(listener, guard.clone()) => res?,
        res = serve_tcp => res?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// Binds the learner's socket, replacing a stale one, open to every user.
fn listen(path: &PathBuf) -> std::io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
    Ok(listener)
}
