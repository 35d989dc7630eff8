//! The Berth server: the course pages, accounts, quizzes and progress (labs
//! and classrooms come next). The binary `berth` is a thin wrapper over this
//! library so that tests drive exactly what users run.

pub mod auth;
pub mod authoring;
pub mod check;
pub mod classroom;
pub mod config;
pub mod content;
pub mod doctor;
mod error;
mod health;
pub mod lab;
pub mod page_cache;
pub mod quiz;
pub mod router;
pub mod security;
pub mod serve;
pub mod site;
pub mod state;
pub mod store;
pub mod watch;

pub use security::page_csp;
