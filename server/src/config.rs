//! The command line. Every `serve` flag also reads a `BERTH_*` variable, so
//! containers and service managers can configure Berth without arguments.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::{Role, SignupMode};

pub use crate::install::{VERSION, default_site_dir};

#[derive(Debug, Parser)]
#[command(name = "berth", version = VERSION, about = "Hands-on container courses, self-hosted")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the course to learners' browsers.
    Serve(ServeConfig),
    /// Manage accounts; start an install with `berth user add EMAIL --role admin`.
    User(UserArgs),
    /// Create invite codes for invite-only sign-up.
    Invite(InviteArgs),
    /// Lab images: build them locally, no registry needed.
    Images(ImagesArgs),
    /// For authors: validate a course, or prove its exercises in real labs.
    Content(ContentCommand),
    /// Check an install before a class: database, course, site, engine, images, mirror, headroom.
    Doctor(crate::doctor::DoctorArgs),
    /// Learning platforms (Moodle, Canvas, ...) that launch learners into Berth with LTI 1.3.
    Lti(LtiArgs),
    /// Docker engines labs are spread over; with none listed, labs run on the engine DOCKER_HOST names.
    Hosts(HostsArgs),
}

#[derive(Debug, Args)]
pub struct HostsArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub action: crate::lab::hosts::HostsAction,
}

impl HostsArgs {
    pub async fn run(self) -> anyhow::Result<()> {
        let store = self.database.open().await?;
        crate::lab::hosts::run_command(&store, self.action).await
    }
}

#[derive(Debug, Args)]
pub struct LtiArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub action: LtiAction,
}

#[derive(Debug, Subcommand)]
pub enum LtiAction {
    /// Register a platform (or update the one with the same issuer and client id) and print the URLs it needs.
    AddPlatform(AddPlatform),
    /// List the registered platforms and Berth's signing keys.
    List,
    /// Make a new signing key; the old one is still served for --keep (platforms cache key sets).
    RotateKey {
        #[arg(long, default_value = "7d", value_parser = humantime::parse_duration)]
        keep: std::time::Duration,
    },
}

#[derive(Debug, Args)]
pub struct AddPlatform {
    /// The platform's issuer (`iss`), e.g. https://moodle.school.org or https://canvas.instructure.com.
    #[arg(long)]
    pub issuer: String,
    /// The client id the platform gave Berth.
    #[arg(long)]
    pub client_id: String,
    /// A deployment id the platform gave Berth (repeat for several).
    #[arg(long = "deployment-id", required = true)]
    pub deployment_ids: Vec<String>,
    /// The platform's authentication request URL (OIDC auth endpoint).
    #[arg(long)]
    pub auth_url: String,
    /// The platform's access token URL.
    #[arg(long)]
    pub token_url: String,
    /// The platform's public key set URL.
    #[arg(long)]
    pub jwks_url: String,
    /// Berth's address as the platform reaches it, to print the URLs to give the platform.
    #[arg(long, env = "BERTH_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContentCommand {
    #[command(subcommand)]
    pub action: ContentAction,
}

#[derive(Debug, Subcommand)]
pub enum ContentAction {
    /// Validate the course without starting anything; every problem is listed with its file and line.
    Check(crate::authoring::ContentArgs),
    /// For every exercise, in a fresh lab: setup, the check must fail, the solution, the check must pass.
    Test(crate::authoring::TestArgs),
}

#[derive(Debug, Args)]
pub struct ImagesArgs {
    #[command(subcommand)]
    pub action: ImagesAction,
}

#[derive(Debug, Subcommand)]
pub enum ImagesAction {
    /// Make the Debian base with debootstrap, then every image under playground/.
    Build(ImagesBuildArgs),
}

#[derive(Debug, Args)]
pub struct ImagesBuildArgs {
    #[command(flatten)]
    pub build: crate::lab::images::BuildArgs,
    /// The database listing the lab hosts (read with --host and --all-hosts only).
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl ImagesBuildArgs {
    pub async fn run(self) -> anyhow::Result<()> {
        let store = match self.build.copies_to_hosts() {
            true => Some(self.database.open().await?),
            false => None,
        };
        crate::lab::images::build(self.build, store).await
    }
}

/// How labs behave.
#[derive(Clone, Debug, Args)]
pub struct LabArgs {
    /// A lab with no terminal input and no open page for this long stops (e.g. 20m).
    #[arg(long, env = "BERTH_LAB_IDLE", default_value = "20m", value_parser = humantime::parse_duration)]
    pub lab_idle: std::time::Duration,
    /// The longest a lab lives; learners may extend it once by half of this.
    #[arg(long, env = "BERTH_LAB_LIFETIME", default_value = "2h", value_parser = humantime::parse_duration)]
    pub lab_lifetime: std::time::Duration,
    /// Labs running on this server at most; beyond this learners are asked to come back later.
    #[arg(long, env = "BERTH_MAX_LABS", default_value_t = 20)]
    pub max_labs: usize,
    /// Labs one learner may run at once.
    #[arg(long, env = "BERTH_LABS_PER_LEARNER", default_value_t = 1)]
    pub labs_per_learner: usize,
    /// Labs one learner may start in any minute (resets count; 0: no limit).
    #[arg(long, env = "BERTH_LAB_STARTS_PER_MINUTE", default_value_t = 6)]
    pub lab_starts_per_minute: u32,
    /// Labs that may be started from one client address in any minute, whoever signs in there (0: no limit).
    /// Behind a reverse proxy every learner has the proxy's address: raise it to a server-wide budget or set 0.
    #[arg(long, env = "BERTH_LAB_STARTS_PER_ADDRESS", default_value_t = 60)]
    pub lab_starts_per_address: u32,
    /// How often labs past their time are stopped and the engine is reconciled.
    #[arg(long, env = "BERTH_LAB_SWEEP", default_value = "60s", value_parser = humantime::parse_duration)]
    pub lab_sweep: std::time::Duration,
    /// A listed lab host that stops answering is marked lost (its labs end, learners may start elsewhere) once it
    /// has been silent this long; a shorter silence ends no lab.
    #[arg(long, env = "BERTH_HOST_LOST_AFTER", default_value = "60s", value_parser = humantime::parse_duration)]
    pub host_lost_after: std::time::Duration,
    /// Labs kept made and waiting for learners, so a start takes a moment: `N` for every module with a lab, or
    /// `MODULE=N` for one (repeat, or separate with commas; a module named wins). They count against --max-labs;
    /// the oldest is given back when a learner needs the room. 0 (the default): labs are made when asked for.
    #[arg(long, env = "BERTH_WARM", value_delimiter = ',', default_value = "0")]
    pub warm: Vec<crate::lab::pool::WarmTarget>,
    /// Labs this server sets up at once (their exercises' setup and warm-up scripts); the others wait their turn,
    /// so a class starting together is set up in waves rather than every script running out of time.
    /// 0 (the default): twice the cores of the machine it runs on.
    #[arg(long, env = "BERTH_SETUPS_AT_ONCE", default_value_t = 0)]
    pub setups_at_once: usize,
    /// The folder of lab image definitions (each exercise names one).
    #[arg(long, env = "BERTH_PLAYGROUND", default_value = "playground")]
    pub playground: PathBuf,
    #[command(flatten)]
    pub runtimes: crate::lab::docker::Runtimes,
    /// Run the registry mirror as a pull-through cache of this registry (e.g. https://registry-1.docker.io) instead of
    /// serving only the images `berth images build` published; needs internet.
    #[arg(long, env = "BERTH_MIRROR_UPSTREAM", value_parser = upstream_url)]
    pub mirror_upstream: Option<String>,
}

/// `--mirror-upstream` is not an http(s) URL.
#[derive(Debug, thiserror::Error)]
#[error("give the registry's URL, e.g. https://registry-1.docker.io")]
struct NotAnUpstreamUrl;

fn upstream_url(text: &str) -> Result<String, NotAnUpstreamUrl> {
    match text.split_once("://") {
        Some(("http" | "https", rest)) if !rest.is_empty() && !rest.contains(char::is_whitespace) => {
            Ok(text.to_string())
        }
        _ => Err(NotAnUpstreamUrl),
    }
}

/// A URL that is not http(s) with a host.
#[derive(Debug, thiserror::Error)]
#[error("give a URL such as https://berth.school.org")]
pub struct NotAPublicUrl;

/// An http(s) URL with a host and no path beyond `/`, its slash dropped.
pub fn public_url(text: &str) -> Result<String, NotAPublicUrl> {
    let url = text.trim().trim_end_matches('/');
    match url.split_once("://") {
        Some(("http" | "https", host)) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => {
            Ok(url.to_string())
        }
        _ => Err(NotAPublicUrl),
    }
}

/// When the classroom page flags a learner as stuck.
#[derive(Clone, Debug, Args)]
pub struct StuckArgs {
    /// The same exercise's check failed this many times in a row.
    #[arg(long, env = "BERTH_STUCK_FAILURES", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub stuck_failures: u32,
    /// The learner's lab sat idle this long with exercises unfinished (e.g. 10m).
    #[arg(long, env = "BERTH_STUCK_IDLE", default_value = "10m", value_parser = humantime::parse_duration)]
    pub stuck_idle: std::time::Duration,
}

impl LabArgs {
    pub fn lab_config(&self) -> crate::lab::LabConfig {
        crate::lab::LabConfig {
            idle: self.lab_idle,
            lifetime: self.lab_lifetime,
            max_labs: self.max_labs,
            per_learner: self.labs_per_learner,
            sweep: self.lab_sweep,
            host_lost_after: self.host_lost_after,
            starts_per_learner: self.lab_starts_per_minute,
            starts_per_address: self.lab_starts_per_address,
            warm: crate::lab::pool::WarmTargets::new(&self.warm),
        }
    }
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// How many accounts the code may create.
    #[arg(long, default_value_t = 30)]
    pub uses: u32,
    /// How many days the code stays valid.
    #[arg(long, default_value_t = 14)]
    pub days: u32,
}

/// Where Berth keeps its data.
#[derive(Clone, Debug, Args)]
pub struct DatabaseArgs {
    /// sqlite://PATH (the default, created if missing) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "BERTH_DATABASE_URL",
        default_value = "sqlite://data/berth.db",
        hide_env_values = true
    )]
    pub database_url: String,
}

impl DatabaseArgs {
    /// Opens (and migrates) the database, naming it, without its password,
    /// if that fails.
    pub async fn open(&self) -> anyhow::Result<crate::store::Store> {
        use anyhow::Context;
        let url = &self.database_url;
        crate::store::Store::open(url)
            .await
            .with_context(|| format!("opening the database {}", crate::store::redact(url)))
    }
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub action: UserAction,
}

/// Roles on the command line, their names listed in `--help`.
fn role_parser() -> impl clap::builder::TypedValueParser<Value = Role> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Role::ALL.iter().map(|r| r.as_str()))
        .map(|name| name.parse::<Role>().expect("a listed role"))
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account (asks for the password twice, or reads one line with --password-stdin).
    Add {
        email: String,
        #[arg(long, value_parser = role_parser(), default_value_t = Role::Learner)]
        role: Role,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account with its role.
    List,
    /// Change an account's role.
    SetRole {
        email: String,
        #[arg(value_parser = role_parser())]
        role: Role,
    },
    /// Give an account a new password.
    ResetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    /// The course folder (holds course.toml).
    #[arg(long, env = "BERTH_CONTENT", default_value = "content")]
    pub content: PathBuf,

    /// Address and port to listen on.
    #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Who may create an account in the browser.
    #[arg(long, env = "BERTH_SIGNUP", value_enum, default_value_t = SignupMode::Open)]
    pub signup: SignupMode,

    /// Send the session cookie over HTTPS only; set this when Berth is served over HTTPS.
    #[arg(long, env = "BERTH_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "BERTH_SESSION_IDLE_MINUTES", default_value_t = 7 * 24 * 60)]
    pub session_idle_minutes: u32,

    /// The built front end (browser bundle, styles, vendored scripts), as laid out by `cargo xtask build`
    /// (default: target/site, or a release's site/ beside its bin/).
    #[arg(long, env = "BERTH_SITE_DIR", default_value_os_t = default_site_dir(), hide_default_value = true)]
    pub site_dir: PathBuf,

    #[command(flatten)]
    pub labs: LabArgs,

    #[command(flatten)]
    pub stuck: StuckArgs,

    /// The school's time zone (an IANA name, e.g. Europe/Berlin): classroom
    /// pages show times in it and the warm-up form's "until" is read in it.
    /// Unset: the server's own zone.
    #[arg(long, env = "BERTH_TIMEZONE", value_parser = crate::classroom::SchoolClock::parse)]
    pub timezone: Option<crate::classroom::SchoolClock>,

    /// For authors: reload the course when its files change; open pages follow, or show the problems.
    #[arg(long, env = "BERTH_WATCH")]
    pub watch: bool,

    /// The address learners' browsers and learning platforms reach Berth at (e.g. https://berth.school.org),
    /// for LTI launches; without it, each request's Host header (and https when --secure-cookies is set).
    #[arg(long, env = "BERTH_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_the_bundled_course_on_localhost_with_sqlite() {
        let Command::Serve(c) = Cli::parse_from(["berth", "serve"]).command else {
            unreachable!()
        };
        assert_eq!(c.content, PathBuf::from("content"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert!(c.database.database_url.starts_with("sqlite://data/"));
    }

    #[test]
    fn bad_listen_addresses_are_refused() {
        assert!(Cli::try_parse_from(["berth", "serve", "--listen", "nowhere"]).is_err());
    }
}

#[cfg(test)]
mod user_tests {
    use super::*;

    #[test]
    fn user_commands_take_the_database_anywhere_on_the_line() {
        let cli = Cli::parse_from([
            "berth",
            "user",
            "add",
            "a@b.org",
            "--role",
            "admin",
            "--database-url",
            "sqlite://x.db",
        ]);
        let Command::User(args) = cli.command else {
            unreachable!()
        };
        assert_eq!(args.database.database_url, "sqlite://x.db");
        assert!(matches!(
            args.action,
            UserAction::Add {
                role: Role::Admin,
                password_stdin: false,
                ..
            }
        ));
        assert!(Cli::try_parse_from(["berth", "user", "set-role", "a@b.org", "root"]).is_err());
    }
}
