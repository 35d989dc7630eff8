//! The Berth server: the course pages, accounts, progress, quizzes, labs and
//! classrooms. The binary `berth` is a thin wrapper over this library so
//! that tests drive exactly what users run.
//!
//! Modules are layered and data flows one way, each using only the layers
//! below it (`docs/architecture.md`; a test checks the imports):
//! the shared model (`berth_app::model`) → `store`, `events` → `content`,
//! `quiz`, `exercise` → `lab` → `classroom`, `records` → the HTTP surface
//! (`auth`, `lti`, `router`, `serve`, `watch`, `authoring`, `doctor`).

pub mod auth;
pub mod authoring;
pub mod classroom;
pub mod config;
pub mod content;
pub mod doctor;
mod error;
pub mod events;
pub mod exercise;
mod health;
pub mod install;
pub mod lab;
pub mod lti;
pub mod page_cache;
pub mod quiz;
pub mod records;
pub mod router;
pub mod security;
pub mod serve;
pub mod site;
pub mod state;
pub mod store;
pub mod watch;

pub use security::page_csp;
