//! Learners' progress through lessons.

use berth_app::model::{ItemKind, LessonId, Millis, ModuleId, ProgressStatus, UserId};
use berth_app::progress::LessonTouched;
use std::time::Duration;

use super::{RowExt, Store, StoreError};

/// One learner's state for one item of a module, as `progress` keeps it.
pub(super) struct ProgressWrite<'a> {
    pub user: UserId,
    pub kind: ItemKind,
    pub item: &'a str,
    pub module: &'a ModuleId,
    pub status: ProgressStatus,
    /// A state that, once reached, a later write never replaces (a
    /// completed lesson opened again, a passed quiz failed on a retry).
    pub kept: ProgressStatus,
    pub at: i64,
}

/// How finely the order in which a learner touched items is kept.
const TOUCH_RESOLUTION: Duration = Duration::from_secs(60);

/// Writes one row of `progress`: the one statement every kind of item
/// goes through. Within `TOUCH_RESOLUTION` of the row's last write, a write
/// that changes neither its state nor its module writes nothing: every
/// signed-in page view opens its lesson, and a durable write per view (an
/// fsync on SQLite) capped signed-in pages at a few dozen per second.
pub(super) async fn write_progress<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    w: ProgressWrite<'_>,
) -> Result<(), StoreError> {
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
    .bind(w.user.get())
    .bind(w.kind.as_str())
    .bind(w.item)
    .bind(w.module.as_str())
    .bind(w.status.as_str())
    .bind(w.at)
    .bind(w.kept.as_str())
    .bind(TOUCH_RESOLUTION.as_millis() as i64)
    .execute(db)
    .await?;
    Ok(())
}

impl Store {
    /// Notes that a learner opened a lesson, or completed it. Opening it
    /// again never undoes a completion.
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
        let write = ProgressWrite {
            user,
            kind: ItemKind::Lesson,
            item: lesson.as_str(),
            module,
            status,
            kept: ProgressStatus::Completed,
            at: Millis::now().get(),
        };
        write_progress(self.pool(), write).await
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
