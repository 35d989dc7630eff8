//! What a learner did with the course's items.

use serde::{Deserialize, Serialize};

use crate::{ExerciseId, LessonId, QuizId};

crate::text_enum! {
    /// The three things a learner makes progress on.
    pub enum ItemKind("item kind") {
        Lesson = "lesson",
        Exercise = "exercise",
        Quiz = "quiz",
    }
}

crate::text_enum! {
    /// A progress row's status: lessons are started or completed,
    /// exercises completed, quizzes passed or failed.
    pub enum ProgressStatus("progress status") {
        Started = "started",
        Completed = "completed",
        Passed = "passed",
        Failed = "failed",
    }
}

crate::text_enum! {
    /// What a learner did with an exercise, as its log records it.
    pub enum ExerciseEvent("exercise event") {
        Check = "check",
        /// A check the page ran by itself; logged only when it passes.
        LiveCheck = "live-check",
        Hint = "hint",
        Solution = "solution",
    }
}

impl ExerciseEvent {
    pub fn is_check(self) -> bool {
        matches!(self, Self::Check | Self::LiveCheck)
    }
}

/// One item of the course: a lesson, an exercise or a quiz.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum ItemRef {
    Lesson(LessonId),
    Exercise(ExerciseId),
    Quiz(QuizId),
}

impl ItemRef {
    pub fn kind(&self) -> ItemKind {
        match self {
            Self::Lesson(_) => ItemKind::Lesson,
            Self::Exercise(_) => ItemKind::Exercise,
            Self::Quiz(_) => ItemKind::Quiz,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Lesson(id) => id.as_str(),
            Self::Exercise(id) => id.as_str(),
            Self::Quiz(id) => id.as_str(),
        }
    }

    /// The item as stored: its kind and id.
    pub fn of(kind: ItemKind, id: impl Into<String>) -> Self {
        let id = id.into();
        match kind {
            ItemKind::Lesson => Self::Lesson(LessonId::new(id)),
            ItemKind::Exercise => Self::Exercise(ExerciseId::new(id)),
            ItemKind::Quiz => Self::Quiz(QuizId::new(id)),
        }
    }

    /// `kind:id`, as exports and the grid's cells name the item.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind(), self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_name_their_kind_once() {
        let item = ItemRef::of(ItemKind::Exercise, "first-file");
        assert_eq!(item.key(), "exercise:first-file");
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"kind":"exercise","id":"first-file"}"#
        );
        assert_eq!("live-check".parse::<ExerciseEvent>().unwrap(), ExerciseEvent::LiveCheck);
        assert!("done".parse::<ProgressStatus>().is_err());
    }
}
