//! What a module's score is, as the course defines it in `module.toml`:
//!
//! ```toml
//! [grade]
//! exercises = 2   # the share of the module's exercises passed
//! quiz = 1        # the best quiz percent
//! ```
//!
//! The score is the weighted mean of the parts, out of 100 points. Without
//! `[grade]`, each part the module has weighs 1. A weight for a part the
//! module lacks, or weights that are all 0, are refused when the course
//! loads.

use serde::Deserialize;
use std::path::Path;

use super::ContentError;
use berth_app::model::{Activity, ExerciseId, Grading};

/// A score's maximum: scores are percentages.
pub const SCORE_MAXIMUM: i64 = 100;

/// `[grade]` in `module.toml`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeWeights {
    pub exercises: Option<u32>,
    pub quiz: Option<u32>,
}

/// A module's grading, validated against what the module has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleGrading {
    /// The module's exercises, each counting the same.
    pub exercises: Vec<ExerciseId>,
    pub exercise_weight: u32,
    /// 0 when the module has no quiz.
    pub quiz_weight: u32,
}

/// What a learner did in the module that counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub exercises_passed: usize,
    pub best_quiz_percent: Option<u32>,
}

/// A module score: `given_hundredths` hundredths of a point out of
/// [`SCORE_MAXIMUM`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleScore {
    pub given_hundredths: i64,
    pub maximum: i64,
    pub activity: Activity,
    pub grading: Grading,
}

impl ModuleGrading {
    /// Validates the module's `[grade]` (`None`: the default) against its
    /// exercises and quiz. A module with neither has no grading.
    pub fn new(
        file: &Path,
        weights: Option<&GradeWeights>,
        exercises: Vec<ExerciseId>,
        has_quiz: bool,
    ) -> Result<Option<Self>, ContentError> {
        let has_exercises = !exercises.is_empty();
        let Some(w) = weights else {
            return Ok((has_exercises || has_quiz).then(|| Self {
                exercises,
                exercise_weight: u32::from(has_exercises),
                quiz_weight: u32::from(has_quiz),
            }));
        };
        if w.exercises.is_some_and(|x| x > 0) && !has_exercises {
            return Err(ContentError::in_file(
                file,
                "[grade] weighs `exercises`, but the module has none: remove it or add exercises",
            ));
        }
        if w.quiz.is_some_and(|x| x > 0) && !has_quiz {
            return Err(ContentError::in_file(
                file,
                "[grade] weighs `quiz`, but the module has no quiz.toml: remove it or add the quiz",
            ));
        }
        let exercise_weight = w.exercises.unwrap_or(u32::from(has_exercises));
        let quiz_weight = w.quiz.unwrap_or(u32::from(has_quiz));
        if exercise_weight == 0 && quiz_weight == 0 {
            return Err(ContentError::in_file(
                file,
                "[grade] gives every part a weight of 0: give exercises or quiz a positive weight, \
                 or remove [grade] for the default (each part weighs 1)",
            ));
        }
        Ok(Some(Self {
            exercises,
            exercise_weight,
            quiz_weight,
        }))
    }

    /// The weighted mean of the parts, out of 100, rounded to a hundredth
    /// of a point; completed when every exercise is passed and the quiz taken.
    pub fn score(&self, marks: Marks) -> ModuleScore {
        let total = u64::from(self.exercise_weight) + u64::from(self.quiz_weight);
        let exercises = self.exercises.len().max(1) as u64;
        // In units of 1/(exercises * 100 * total) points, kept whole.
        let from_exercises =
            u64::from(self.exercise_weight) * marks.exercises_passed.min(self.exercises.len()) as u64 * 100;
        let from_quiz =
            u64::from(self.quiz_weight) * u64::from(marks.best_quiz_percent.unwrap_or(0).min(100)) * exercises;
        let hundredths = ((from_exercises + from_quiz) * 100 * SCORE_MAXIMUM as u64 + exercises * 100 * total / 2)
            / (exercises * 100 * total);
        let all_exercises = marks.exercises_passed >= self.exercises.len();
        let quiz_done = self.quiz_weight == 0 || marks.best_quiz_percent.is_some();
        let started = marks.exercises_passed > 0 || marks.best_quiz_percent.is_some();
        let activity = match (all_exercises && quiz_done, started) {
            (true, _) => Activity::Completed,
            (false, true) => Activity::InProgress,
            (false, false) => Activity::Initialized,
        };
        ModuleScore {
            given_hundredths: hundredths as i64,
            maximum: SCORE_MAXIMUM,
            activity,
            grading: Grading::FullyGraded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grading(
        exercises: usize,
        weights: Option<GradeWeights>,
        quiz: bool,
    ) -> Result<Option<ModuleGrading>, ContentError> {
        let ids = (0..exercises).map(|i| ExerciseId::new(format!("e{i}"))).collect();
        ModuleGrading::new(Path::new("module.toml"), weights.as_ref(), ids, quiz)
    }

    #[test]
    fn the_default_weighs_each_part_the_same() {
        let g = grading(4, None, true).unwrap().unwrap();
        let score = g.score(Marks {
            exercises_passed: 1,
            best_quiz_percent: Some(50),
        });
        // (25% + 50%) / 2
        assert_eq!(score.given_hundredths, 3750);
        assert_eq!(score.maximum, 100);
        assert_eq!(score.activity, Activity::InProgress);
        assert_eq!(g.score(Marks::default()).activity, Activity::Initialized);
        let all = g.score(Marks {
            exercises_passed: 4,
            best_quiz_percent: Some(100),
        });
        assert_eq!((all.given_hundredths, all.activity), (10000, Activity::Completed));
        assert_eq!(grading(0, None, false).unwrap(), None, "nothing to grade");
    }

    #[test]
    fn weights_shift_the_score_and_round_to_a_hundredth() {
        let w = GradeWeights {
            exercises: Some(2),
            quiz: Some(1),
        };
        let g = grading(3, Some(w), true).unwrap().unwrap();
        let score = g.score(Marks {
            exercises_passed: 1,
            best_quiz_percent: None,
        });
        // 2/3 of the weight, a third of the exercises: 22.222...
        assert_eq!(score.given_hundredths, 2222);
    }

    #[test]
    fn weights_that_cannot_apply_are_refused() {
        // (exercises in the module, [grade] exercises, [grade] quiz, has a quiz, the error says)
        let cases = [
            (2, None, Some(1), false, "no quiz.toml"),
            (2, Some(0), Some(0), true, "weight of 0"),
            (0, Some(1), None, true, "has none"),
        ];
        for (count, exercises, quiz, has_quiz, says) in cases {
            let refused = grading(count, Some(GradeWeights { exercises, quiz }), has_quiz).unwrap_err();
            assert!(refused.message.contains(says), "{refused}");
        }
    }
}
