//! Accounts: who someone is (an email), how they prove it (a password,
//! hashed with argon2id) and what they may do (a role).

mod cli;
pub mod email;
pub mod password;
mod routes;
pub mod session;
mod throttle;

pub use routes::{CurrentUser, Staff, provide_me, resolve_user, router, start_session};
pub use throttle::LoginThrottle;

pub use berth_app::model::Role;
pub use cli::{run as run_user_command, run_invite_command};
pub use email::Email;
pub use password::{Password, PasswordHasher, PasswordProblem};

/// Who may create an account in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SignupMode {
    /// Anyone who can reach the server.
    Open,
    /// Only with an invite code (`berth invite`).
    Invite,
    /// Nobody; operators create accounts with `berth user add`.
    Closed,
}

/// 16 random letters and digits: easy to paste, impossible to guess.
pub fn new_invite_code() -> String {
    use rand::Rng;
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}
