//! Lab records and what learners did with exercises.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError, unix_now_millis};

#[derive(Clone, Debug, PartialEq)]
pub struct LabRow {
    pub id: String,
    pub user_id: i64,
    pub module: String,
    pub running: bool,
    pub started_at: i64,
    pub expires_at: i64,
    pub last_active: i64,
    pub extended: bool,
}

impl LabRow {
    fn from_row(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            module: r.try_get("module")?,
            running: r.try_get::<String, _>("status")? == "running",
            started_at: r.try_get("started_at")?,
            expires_at: r.try_get("expires_at")?,
            last_active: r.try_get("last_active")?,
            extended: r.try_get::<i64, _>("extended")? == 1,
        })
    }
}

const LAB_COLUMNS: &str = "id, user_id, module, status, started_at, expires_at, last_active, extended";

/// One exercise's history for one learner.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExerciseHistory {
    pub passed: bool,
    pub hints: usize,
    pub solution: bool,
    /// The latest check's stored report (JSON).
    pub last_check: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExerciseEvent {
    Check,
    LiveCheck,
    Hint,
    Solution,
}

impl ExerciseEvent {
    fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::LiveCheck => "live-check",
            Self::Hint => "hint",
            Self::Solution => "solution",
        }
    }
}

impl Store {
    /// Records a lab being started; `false` if the learner already has a
    /// live lab for the module.
    pub async fn insert_lab(&self, id: &str, user: i64, module: &str, expires_at: i64) -> Result<bool, StoreError> {
        let now = unix_now_millis();
        let inserted = sqlx::query(
            "INSERT INTO labs (id, user_id, module, status, started_at, expires_at, last_active) \
             VALUES ($1, $2, $3, 'starting', $4, $5, $4)",
        )
        .bind(id)
        .bind(user)
        .bind(module)
        .bind(now)
        .bind(expires_at)
        .execute(self.pool())
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn set_lab_running(&self, id: &str, container: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE labs SET status = 'running', container = $2 WHERE id = $1 AND status = 'starting'")
            .bind(id)
            .bind(container)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn end_lab(&self, id: &str, reason: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE labs SET status = 'ended', ended_at = $2, end_reason = $3 WHERE id = $1 AND status <> 'ended'",
        )
        .bind(id)
        .bind(unix_now_millis())
        .bind(reason)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn lab(&self, id: &str) -> Result<Option<LabRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {LAB_COLUMNS} FROM labs WHERE id = $1 AND status <> 'ended'"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(LabRow::from_row).transpose()
    }

    /// Every live (starting or running) lab, of everyone.
    pub async fn live_labs(&self) -> Result<Vec<LabRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LAB_COLUMNS} FROM labs WHERE status <> 'ended' ORDER BY started_at"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(LabRow::from_row).collect()
    }

    pub async fn live_labs_of(&self, user: i64) -> Result<Vec<LabRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LAB_COLUMNS} FROM labs WHERE status <> 'ended' AND user_id = $1 ORDER BY started_at"
        ))
        .bind(user)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(LabRow::from_row).collect()
    }

    pub async fn touch_lab(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE labs SET last_active = $2 WHERE id = $1 AND last_active < $2")
            .bind(id)
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Pushes the lab's end back; `false` if it was extended before (unless
    /// `again`, which staff may use) or is not running.
    pub async fn extend_lab(&self, id: &str, by_millis: i64, again: bool) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE labs SET expires_at = expires_at + $2, extended = 1 \
             WHERE id = $1 AND (extended = 0 OR $3 = 1) AND status = 'running'",
        )
        .bind(id)
        .bind(by_millis)
        .bind(i64::from(again))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn log_exercise(
        &self,
        user: i64,
        module: &str,
        exercise: &str,
        event: ExerciseEvent,
        passed: Option<bool>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let now = unix_now_millis();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO exercise_log (user_id, module, exercise, kind, passed, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user)
        .bind(module)
        .bind(exercise)
        .bind(event.as_str())
        .bind(passed.map(i64::from))
        .bind(detail)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if passed == Some(true) {
            sqlx::query(
                "INSERT INTO progress (user_id, kind, item, module, status, updated_at) \
                 VALUES ($1, 'exercise', $2, $3, 'completed', $4) \
                 ON CONFLICT (user_id, kind, item) DO UPDATE SET status = 'completed', updated_at = excluded.updated_at",
            )
            .bind(user)
            .bind(exercise)
            .bind(module)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.announce(super::Change::Progress { user });
        Ok(())
    }

    /// What the learner did with an exercise so far.
    pub async fn exercise_history(&self, user: i64, exercise: &str) -> Result<ExerciseHistory, StoreError> {
        let counts = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM progress WHERE user_id = $1 AND kind = 'exercise' AND item = $2 AND status = 'completed') AS passed, \
             (SELECT COUNT(*) FROM exercise_log WHERE user_id = $1 AND exercise = $2 AND kind = 'hint') AS hints, \
             (SELECT COUNT(*) FROM exercise_log WHERE user_id = $1 AND exercise = $2 AND kind = 'solution') AS solution",
        )
        .bind(user)
        .bind(exercise)
        .fetch_one(self.pool())
        .await?;
        let last_check = sqlx::query_scalar(
            "SELECT detail FROM exercise_log WHERE user_id = $1 AND exercise = $2 \
             AND kind IN ('check', 'live-check') ORDER BY id DESC LIMIT 1",
        )
        .bind(user)
        .bind(exercise)
        .fetch_optional(self.pool())
        .await?;
        Ok(ExerciseHistory {
            passed: counts.try_get::<i64, _>("passed")? > 0,
            hints: counts.try_get::<i64, _>("hints")?.max(0) as usize,
            solution: counts.try_get::<i64, _>("solution")? > 0,
            last_check,
        })
    }
}
