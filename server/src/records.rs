//! The learner's records as the pages ask for them: lessons opened and
//! completed, quiz attempts and results. Storage failures are logged here,
//! once, and the page gets a plain message; changes are announced to live
//! views.

use berth_app::error::AppError;
use berth_app::model::{AttemptId, LessonId, ModuleId, QuizId, UserId};
use berth_app::progress::LessonTouched;
use berth_app::quiz::{AttemptSummary, AttemptView, QuizResult, QuizStats};
use berth_app::records::LearnerRecords;

use crate::events::{Change, Events};
use crate::store::{Store, StoreError};

pub struct Records {
    store: Store,
    events: Events,
}

impl Records {
    pub fn new(store: Store, events: Events) -> Self {
        Self { store, events }
    }
}

/// What the learner reads when their records could not be reached.
fn unreachable_records(e: StoreError) -> AppError {
    tracing::error!(error = %e, "reading or writing a learner's records failed");
    AppError::unavailable("Your progress could not be saved or loaded; try again shortly.")
}

#[async_trait::async_trait]
impl LearnerRecords for Records {
    async fn record_lesson(
        &self,
        user: UserId,
        module: &ModuleId,
        lesson: &LessonId,
        completed: bool,
    ) -> Result<(), AppError> {
        self.store
            .record_lesson(user, module, lesson, completed)
            .await
            .map_err(unreachable_records)?;
        self.events.publish(Change::Progress { user });
        Ok(())
    }

    async fn lessons_touched(&self, user: UserId) -> Result<Vec<LessonTouched>, AppError> {
        self.store.lessons_touched(user).await.map_err(unreachable_records)
    }

    async fn quiz_attempts(&self, user: UserId, quiz: &QuizId) -> Result<Vec<AttemptSummary>, AppError> {
        self.store.quiz_attempts(user, quiz).await.map_err(unreachable_records)
    }

    async fn quiz_attempt(&self, user: UserId, attempt: AttemptId) -> Result<Option<AttemptView>, AppError> {
        self.store
            .quiz_attempt(user, attempt)
            .await
            .map_err(unreachable_records)
    }

    async fn quiz_results(&self, user: UserId) -> Result<Vec<QuizResult>, AppError> {
        self.store.quiz_results(user).await.map_err(unreachable_records)
    }

    async fn quiz_stats(&self, quiz: &QuizId) -> Result<QuizStats, AppError> {
        self.store.quiz_stats(quiz).await.map_err(unreachable_records)
    }
}
