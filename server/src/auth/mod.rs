//! Accounts: who someone is (an email), how they prove it (a password,
//! hashed with argon2id) and what they may do (a role).

mod cli;
mod email;
mod password;
mod role;

pub use cli::run as run_user_command;
pub use email::Email;
pub use password::{Password, PasswordHasher};
pub use role::Role;
