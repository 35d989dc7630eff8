//! The Berth server: serves the course pages and, in later parts, accounts,
//! labs and classrooms. The binary `berth` is a thin wrapper over this
//! library so that tests drive exactly what users run.

pub mod auth;
pub mod config;
pub mod content;
mod health;
pub mod page_cache;
pub mod quiz;
pub mod router;
mod security;
pub mod serve;
pub mod site;
pub mod state;
pub mod store;

pub use security::page_csp;
