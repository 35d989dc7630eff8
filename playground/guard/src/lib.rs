//! berth-docker-guard: the learner's way into a lab's own Docker engine.
//!
//! It listens on a socket the learner can use, forwards the Engine API to
//! the root-only engine socket, and refuses what would give root in the lab
//! or reach outside it (see `policy`).

#![cfg_attr(test, recursion_limit = "256")]

pub mod binds;
pub mod confine;
pub mod json;
pub mod policy;
pub mod proxy;
pub mod pull;
pub mod route;
