use berth_server::config::{Cli, Command, ContentAction, ImagesAction};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    return_big_blocks_to_the_system();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let result = match Cli::parse().command {
        Command::Serve(config) => berth_server::serve::run(config).await,
        Command::User(args) => berth_server::auth::run_user_command(args).await,
        Command::Invite(args) => berth_server::auth::run_invite_command(args).await,
        Command::Content(args) => match args.action {
            ContentAction::Check(args) => berth_server::authoring::check(args),
            ContentAction::Test(args) => berth_server::authoring::test(args).await,
        },
        Command::Doctor(args) => berth_server::doctor::run(args).await,
        Command::Lti(args) => berth_server::lti::run_lti_command(args).await,
        Command::Hosts(args) => args.run().await,
        Command::Images(args) => match args.action {
            ImagesAction::Build(build) => build.run().await,
        },
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Each password hash works in a 19 MiB block. After the first one is
/// freed, glibc raises its mmap threshold and keeps later blocks in its
/// per-thread heaps for good: 30 sign-ups at once grew the server from 43 to
/// 580 MiB, never to shrink. A fixed threshold keeps such blocks mapped
/// separately, so freeing them gives the memory back.
fn return_big_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator, and glibc's is thread-safe.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
