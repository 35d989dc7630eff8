//! Learners' progress through lessons, and the pages' view of the store.

use sqlx::Row;

use berth_app::quiz::{AttemptSummary, AttemptView, QuizResult, QuizStats};

use super::{Store, StoreError, unix_now_millis};

impl Store {
    /// Notes that a learner opened a lesson, or completed it. Opening it
    /// again never undoes a completion.
    pub async fn record_lesson(
        &self,
        user: i64,
        module: &str,
        lesson: &str,
        completed: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO progress (user_id, kind, item, module, status, updated_at) \
             VALUES ($1, 'lesson', $2, $3, $4, $5) \
             ON CONFLICT (user_id, kind, item) DO UPDATE SET \
             status = CASE WHEN progress.status = 'completed' THEN 'completed' ELSE excluded.status END, \
             module = excluded.module, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(lesson)
        .bind(module)
        .bind(if completed { "completed" } else { "started" })
        .bind(unix_now_millis())
        .execute(self.pool())
        .await?;
        self.announce(super::Change::Progress { user });
        Ok(())
    }

    /// The learner's lessons, most recently touched first: (lesson id, completed).
    pub async fn lessons_touched(&self, user: i64) -> Result<Vec<(String, bool)>, StoreError> {
        let rows = sqlx::query(
            "SELECT item, status FROM progress WHERE user_id = $1 AND kind = 'lesson' ORDER BY updated_at DESC, item",
        )
        .bind(user)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("item")?, r.try_get::<String, _>("status")? == "completed")))
            .collect()
    }
}

/// The pages' view of the store (see `berth_app::backend`).
#[async_trait::async_trait]
impl berth_app::backend::Backend for Store {
    async fn record_lesson(&self, user: i64, module: &str, lesson: &str, completed: bool) -> Result<(), String> {
        Store::record_lesson(self, user, module, lesson, completed)
            .await
            .map_err(|e| e.to_string())
    }

    async fn lessons_touched(&self, user: i64) -> Result<Vec<(String, bool)>, String> {
        Store::lessons_touched(self, user).await.map_err(|e| e.to_string())
    }

    async fn quiz_attempts(&self, user: i64, quiz: &str) -> Result<Vec<AttemptSummary>, String> {
        Store::quiz_attempts(self, user, quiz).await.map_err(|e| e.to_string())
    }

    async fn quiz_attempt(&self, user: i64, attempt: i64) -> Result<Option<AttemptView>, String> {
        Store::quiz_attempt(self, user, attempt)
            .await
            .map_err(|e| e.to_string())
    }

    async fn quiz_results(&self, user: i64) -> Result<Vec<QuizResult>, String> {
        Store::quiz_results(self, user).await.map_err(|e| e.to_string())
    }

    async fn quiz_stats(&self, quiz: &str) -> Result<QuizStats, String> {
        Store::quiz_stats(self, quiz).await.map_err(|e| e.to_string())
    }
}
