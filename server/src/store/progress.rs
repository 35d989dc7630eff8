//! Learners' progress through lessons.

use berth_app::model::{ItemKind, LessonId, Millis, ModuleId, ProgressStatus, UserId};
use berth_app::progress::LessonTouched;
use std::time::Duration;

use super::{RowExt, Store, StoreError};

/// How finely the order in which a learner touched lessons is kept.
const TOUCH_RESOLUTION: Duration = Duration::from_secs(60);

impl Store {
    /// Notes that a learner opened a lesson, or completed it. Opening it
    /// again never undoes a completion, and within `TOUCH_RESOLUTION` of
    /// the last note writes nothing: every signed-in page view opens its
    /// lesson, and a durable write per view (an fsync on SQLite) capped
    /// signed-in pages at a few dozen per second.
    pub async fn record_lesson(
        &self,
        user: UserId,
        module: &ModuleId,
        lesson: &LessonId,
        completed: bool,
    ) -> Result<(), StoreError> {
        let status = match completed {
            true => ProgressStatus::Completed,
            false => ProgressStatus::Started,
        };
        sqlx::query(
            "INSERT INTO progress (user_id, kind, item, module, status, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id, kind, item) DO UPDATE SET \
             status = CASE WHEN progress.status = $7 THEN $7 ELSE excluded.status END, \
             module = excluded.module, updated_at = excluded.updated_at \
             WHERE progress.status <> excluded.status AND progress.status <> $7 \
             OR progress.module <> excluded.module \
             OR progress.updated_at <= excluded.updated_at - $8",
        )
        .bind(user.get())
        .bind(ItemKind::Lesson.as_str())
        .bind(lesson.as_str())
        .bind(module.as_str())
        .bind(status.as_str())
        .bind(Millis::now().get())
        .bind(ProgressStatus::Completed.as_str())
        .bind(TOUCH_RESOLUTION.as_millis() as i64)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The learner's lessons, most recently touched first.
    pub async fn lessons_touched(&self, user: UserId) -> Result<Vec<LessonTouched>, StoreError> {
        let rows = sqlx::query(
            "SELECT item, status FROM progress WHERE user_id = $1 AND kind = $2 ORDER BY updated_at DESC, item",
        )
        .bind(user.get())
        .bind(ItemKind::Lesson.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LessonTouched {
                    lesson: r.id("item")?,
                    completed: r.parsed::<ProgressStatus>("status")? == ProgressStatus::Completed,
                })
            })
            .collect()
    }
}
