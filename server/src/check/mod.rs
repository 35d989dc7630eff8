//! Exercises and their checks. An exercise's scripts run inside the
//! learner's lab but out of the learner's reach: each is sent on the
//! standard input of a fresh exec (never written to a file the learner
//! could change), as the `checker` account for checks and the learner's own
//! account for setup and solutions, with a time limit and an output cap.

mod exercise;
mod library;
mod protocol;

pub use exercise::{Cheat, Exercise, Limits};
pub use library::{Library, LibraryFile};
pub use protocol::read as read_output;
