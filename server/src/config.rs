//! The command line. Every `serve` flag also reads a `BERTH_*` variable, so
//! containers and service managers can configure Berth without arguments.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "berth", version, about = "Hands-on container courses, self-hosted")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the course to learners' browsers.
    Serve(ServeConfig),
}

#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    /// The course folder (holds course.toml).
    #[arg(long, env = "BERTH_CONTENT", default_value = "content")]
    pub content: PathBuf,

    /// Address and port to listen on.
    #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// sqlite://PATH (the default, created if missing) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long,
        env = "BERTH_DATABASE_URL",
        default_value = "sqlite://data/berth.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// The built front end (browser bundle, styles, vendored scripts), as laid out by `cargo xtask build`.
    #[arg(long, env = "BERTH_SITE_DIR", default_value = "target/site")]
    pub site_dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_the_bundled_course_on_localhost_with_sqlite() {
        let Command::Serve(c) = Cli::parse_from(["berth", "serve"]).command;
        assert_eq!(c.content, PathBuf::from("content"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite://data/"));
    }

    #[test]
    fn bad_listen_addresses_are_refused() {
        assert!(Cli::try_parse_from(["berth", "serve", "--listen", "nowhere"]).is_err());
    }
}
