//! Learners' progress through lessons (and, later, quizzes and exercises).

use sqlx::Row;

use super::{Store, StoreError, unix_now_millis};

impl Store {
    /// Notes that a learner opened a lesson; never undoes a completion.
    pub async fn lesson_visited(&self, user: i64, module: &str, lesson: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO progress (user_id, kind, item, module, status, updated_at) \
             VALUES ($1, 'lesson', $2, $3, 'started', $4) \
             ON CONFLICT (user_id, kind, item) DO UPDATE SET updated_at = excluded.updated_at, module = excluded.module",
        )
        .bind(user)
        .bind(lesson)
        .bind(module)
        .bind(unix_now_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn lesson_completed(&self, user: i64, module: &str, lesson: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO progress (user_id, kind, item, module, status, updated_at) \
             VALUES ($1, 'lesson', $2, $3, 'completed', $4) \
             ON CONFLICT (user_id, kind, item) DO UPDATE \
             SET status = 'completed', updated_at = excluded.updated_at, module = excluded.module",
        )
        .bind(user)
        .bind(lesson)
        .bind(module)
        .bind(unix_now_millis())
        .execute(self.pool())
        .await?;
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
    async fn lesson_visited(&self, user: i64, module: &str, lesson: &str) -> Result<(), String> {
        Store::lesson_visited(self, user, module, lesson)
            .await
            .map_err(|e| e.to_string())
    }

    async fn lesson_completed(&self, user: i64, module: &str, lesson: &str) -> Result<(), String> {
        Store::lesson_completed(self, user, module, lesson)
            .await
            .map_err(|e| e.to_string())
    }

    async fn lessons_touched(&self, user: i64) -> Result<Vec<(String, bool)>, String> {
        Store::lessons_touched(self, user).await.map_err(|e| e.to_string())
    }
}
