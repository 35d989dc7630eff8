//! What server functions need from the server besides the course: the
//! learner's records (lessons and quiz attempts), behind a small trait so
//! this crate stays free of storage code. The server implements it and
//! provides it as context for every request; its errors are already logged
//! and fit for the learner.

use leptos::prelude::*;
use std::sync::Arc;

use crate::error::AppError;
use crate::model::{AttemptId, LessonId, ModuleId, QuizId, UserId};
use crate::progress::LessonTouched;
use crate::quiz::{AttemptSummary, AttemptView, QuizResult, QuizStats};

#[async_trait::async_trait]
pub trait LearnerRecords: Send + Sync + 'static {
    /// Opening a lesson again never undoes its completion.
    async fn record_lesson(
        &self,
        user: UserId,
        module: &ModuleId,
        lesson: &LessonId,
        completed: bool,
    ) -> Result<(), AppError>;
    /// Most recently touched first.
    async fn lessons_touched(&self, user: UserId) -> Result<Vec<LessonTouched>, AppError>;
    /// The learner's attempts at one quiz, newest first.
    async fn quiz_attempts(&self, user: UserId, quiz: &QuizId) -> Result<Vec<AttemptSummary>, AppError>;
    /// One attempt, only if it belongs to `user`.
    async fn quiz_attempt(&self, user: UserId, attempt: AttemptId) -> Result<Option<AttemptView>, AppError>;
    /// Best score and pass per quiz the learner has tried.
    async fn quiz_results(&self, user: UserId) -> Result<Vec<QuizResult>, AppError>;
    /// Figures over every learner's attempts at a quiz.
    async fn quiz_stats(&self, quiz: &QuizId) -> Result<QuizStats, AppError>;
}

pub type SharedRecords = Arc<dyn LearnerRecords>;

pub fn records() -> Result<SharedRecords, AppError> {
    use_context::<SharedRecords>().ok_or_else(|| crate::course::not_ready("the learner records"))
}
