//! Grades sent back to learning platforms (LTI Assignment and Grade
//! Services): the progress words a score carries, and how its delivery
//! stands, as instructors see it.

use crate::Millis;

crate::text_enum! {
    /// AGS `activityProgress`: how far the learner is through the module.
    pub enum Activity("activity progress") {
        Initialized = "Initialized",
        InProgress = "InProgress",
        Completed = "Completed",
    }
}

crate::text_enum! {
    /// AGS `gradingProgress`. Berth grades everything itself, so each score
    /// it sends is final for the work done so far.
    pub enum Grading("grading progress") {
        FullyGraded = "FullyGraded",
    }
}

/// Where a learner's latest score for a module stands on its way to the
/// learning platform.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ScoreSync {
    /// The platform took it.
    Sent { percent: f64, at: Millis },
    /// Queued, not tried yet.
    Pending { next_try: Millis },
    /// Not taken this time (unreachable, busy, a token refused); tried
    /// again at `next_try`.
    Failing {
        reason: String,
        attempts: u32,
        next_try: Millis,
    },
    /// The platform refused it for good (e.g. 403, 404, 422): never tried
    /// again; the learner's next change is sent.
    Refused { reason: String, at: Millis },
}

impl ScoreSync {
    /// The moment the state names: when it was sent or refused, or when
    /// it is tried next.
    pub fn at(&self) -> Millis {
        match self {
            Self::Sent { at, .. } | Self::Refused { at, .. } => *at,
            Self::Pending { next_try } | Self::Failing { next_try, .. } => *next_try,
        }
    }
}
