//! Exercises, in one place: how they are written (`definition`), what a
//! module's lab needs for them ([`ModuleLab`]), how their scripts run
//! ([`Step`]), how a check's output reads ([`protocol`]), when an exercise
//! counts as done ([`completes`]) and how stored reports are read back.
//!
//! An exercise's scripts run inside the learner's lab but out of the
//! learner's reach: each is sent on the standard input of a fresh exec
//! (never written to a file the learner could change), as the `checker`
//! account for checks and the learner's own account for setup and
//! solutions, with a time limit and an output cap.

mod definition;
mod library;
mod protocol;

pub use definition::{Cheat, Exercise, Limits};
pub use library::{Library, LibraryFile};
pub use protocol::read as read_output;

use berth_app::lab::{CheckReport, Outcome};
use berth_app::model::{ExerciseId, LessonId, NodeNumber};
use std::collections::BTreeMap;
use std::time::Duration;

/// A module's lab: what its exercises need.
#[derive(Clone, Debug)]
pub struct ModuleLab {
    /// The playground image's name (its folder under `playground/`).
    pub image: String,
    pub limits: Limits,
    pub network: bool,
    /// Nodes 1..=nodes; one is an ordinary lab.
    pub nodes: NodeNumber,
    pub exercises: Vec<Exercise>,
    /// Exercise ids by lesson id, in lesson order.
    pub lessons: BTreeMap<LessonId, Vec<ExerciseId>>,
}

impl ModuleLab {
    pub fn exercise(&self, id: &ExerciseId) -> Option<&Exercise> {
        self.exercises.iter().find(|e| &e.id == id)
    }
}

/// The scripts of an exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Setup,
    /// `warm.sh`, in a lab made for the warm pool.
    Warm,
    Check,
    Solve,
    /// The exercise's cheat with this index, run like a solution.
    Cheat(usize),
}

/// The lab accounts exercise scripts run as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunAs {
    Learner,
    /// The account checks run as; the learner cannot become it.
    Checker,
}

impl RunAs {
    /// The account's name in lab images.
    pub fn account(self) -> &'static str {
        match self {
            RunAs::Learner => "learner",
            RunAs::Checker => "checker",
        }
    }
}

/// A step of an exercise, ready to run on its node.
#[derive(Clone, Debug)]
pub struct StepScript {
    pub node: NodeNumber,
    pub run_as: RunAs,
    /// The script after the course's library.
    pub text: String,
    pub timeout: Duration,
}

impl Exercise {
    /// How a step runs: setup, warm-up and solution as the learner, the check as
    /// the checker; all on the exercise's node with its time limit. `None`
    /// for a setup it does not have, or a cheat it does not list.
    pub fn step(&self, step: Step) -> Option<StepScript> {
        let (run_as, text) = match step {
            Step::Setup => (RunAs::Learner, self.setup.as_deref()?),
            Step::Warm => (RunAs::Learner, self.warm.as_deref()?),
            Step::Check => (RunAs::Checker, self.check.as_str()),
            Step::Solve => (RunAs::Learner, self.solve.as_str()),
            Step::Cheat(n) => (RunAs::Learner, self.cheats.get(n)?.script.as_str()),
        };
        Some(StepScript {
            node: self.node,
            run_as,
            text: self.runnable(text),
            timeout: Duration::from_secs(self.timeout_seconds.into()),
        })
    }
}

/// The completion rule: an exercise is done once a check of it passes, and
/// stays done.
pub fn completes(report: &CheckReport) -> bool {
    report.passed
}

/// A check report as stored with the learner's history; one that no longer
/// reads (written by another version) is logged and left out.
pub fn stored_report(json: &str) -> Option<CheckReport> {
    match serde_json::from_str(json) {
        Ok(report) => Some(report),
        Err(e) => {
            tracing::warn!(error = %e, "a stored check report could not be read; it is left out");
            None
        }
    }
}

/// The first failing assertion of a report, in words, with what was
/// expected and found.
pub fn first_failure(report: &CheckReport) -> Option<String> {
    let a = report.assertions.iter().find(|a| a.outcome == Outcome::Fail)?;
    let mut text = a.message.clone();
    if let Some(expected) = &a.expected {
        text.push_str(&format!(" (expected {expected}"));
        text.push_str(&match &a.actual {
            Some(actual) => format!(", got {actual})"),
            None => ")".into(),
        });
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_app::lab::Assertion;

    #[test]
    fn a_failure_reads_with_what_was_expected_and_found() {
        let report = CheckReport {
            passed: false,
            assertions: vec![
                Assertion::note(Outcome::Pass, "the file exists"),
                Assertion {
                    outcome: Outcome::Fail,
                    message: "the greeting".into(),
                    expected: Some("hello".into()),
                    actual: Some("hullo".into()),
                },
            ],
        };
        assert_eq!(
            first_failure(&report).as_deref(),
            Some("the greeting (expected hello, got hullo)")
        );
        assert!(!completes(&report));
        assert!(stored_report("{not json").is_none());
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(stored_report(&json), Some(report));
    }
}
