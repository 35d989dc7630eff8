//! Quiz attempts: every submission with its answers and feedback, and the
//! quiz's status in the learner's progress.

use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

use super::{Store, StoreError, unix_now_millis};
use crate::quiz::Graded;
use berth_app::quiz::{AttemptReport, AttemptSummary, AttemptView, QuizResult, QuizStats};

/// One graded submission, ready to store.
pub struct NewAttempt<'a> {
    pub user: i64,
    pub module: &'a str,
    pub quiz: &'a str,
    pub answers: &'a BTreeMap<String, Vec<String>>,
    pub report: &'a AttemptReport,
    pub graded: &'a Graded,
}

fn percent(row: &AnyRow, column: &str) -> Result<u32, StoreError> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} {value}")))
}

impl Store {
    /// Stores the attempt and updates the quiz's progress row in one
    /// transaction: once this returns, both are on disk. A pass is never
    /// undone by a later, worse attempt. Returns the attempt's id.
    pub async fn record_quiz_attempt(&self, a: NewAttempt<'_>) -> Result<i64, StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
        let now = unix_now_millis();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO quiz_attempts \
             (user_id, module, quiz, answers, report, score, total, percent, passed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(a.user)
        .bind(a.module)
        .bind(a.quiz)
        .bind(serde_json::to_string(a.answers).map_err(corrupt)?)
        .bind(serde_json::to_string(a.report).map_err(corrupt)?)
        .bind(a.graded.score as i64)
        .bind(a.graded.total as i64)
        .bind(i64::from(a.graded.percent))
        .bind(i64::from(a.graded.passed))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        sqlx::query(
            "INSERT INTO progress (user_id, kind, item, module, status, updated_at) \
             VALUES ($1, 'quiz', $2, $3, $4, $5) \
             ON CONFLICT (user_id, kind, item) DO UPDATE SET \
             status = CASE WHEN progress.status = 'passed' THEN 'passed' ELSE excluded.status END, \
             module = excluded.module, updated_at = excluded.updated_at",
        )
        .bind(a.user)
        .bind(a.quiz)
        .bind(a.module)
        .bind(if a.graded.passed { "passed" } else { "failed" })
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.announce(super::Change::Progress { user: a.user });
        Ok(id)
    }

    /// The learner's attempts at a quiz, newest first.
    pub async fn quiz_attempts(&self, user: i64, quiz: &str) -> Result<Vec<AttemptSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, percent, passed, created_at FROM quiz_attempts \
             WHERE user_id = $1 AND quiz = $2 ORDER BY id DESC",
        )
        .bind(user)
        .bind(quiz)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttemptSummary {
                    id: r.try_get("id")?,
                    percent: percent(r, "percent")?,
                    passed: r.try_get::<i64, _>("passed")? == 1,
                    at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// One attempt, only if `user` made it.
    pub async fn quiz_attempt(&self, user: i64, attempt: i64) -> Result<Option<AttemptView>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.module, a.report, a.score, a.total, a.percent, a.passed, \
             (SELECT MAX(b.percent) FROM quiz_attempts b WHERE b.user_id = a.user_id AND b.quiz = a.quiz) AS best \
             FROM quiz_attempts a WHERE a.id = $1 AND a.user_id = $2",
        )
        .bind(attempt)
        .bind(user)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let report: String = r.try_get("report")?;
        Ok(Some(AttemptView {
            id: r.try_get("id")?,
            module: r.try_get("module")?,
            score: r.try_get::<i64, _>("score")? as usize,
            total: r.try_get::<i64, _>("total")? as usize,
            percent: percent(&r, "percent")?,
            passed: r.try_get::<i64, _>("passed")? == 1,
            best_percent: percent(&r, "best")?,
            report: serde_json::from_str(&report).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        }))
    }

    /// Best score and whether passed, per quiz the learner has tried.
    pub async fn quiz_results(&self, user: i64) -> Result<Vec<QuizResult>, StoreError> {
        let rows = sqlx::query(
            "SELECT quiz, MAX(percent) AS best, MAX(passed) AS passed FROM quiz_attempts \
             WHERE user_id = $1 GROUP BY quiz ORDER BY quiz",
        )
        .bind(user)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuizResult {
                    quiz: r.try_get("quiz")?,
                    best_percent: percent(r, "best")?,
                    passed: r.try_get::<i64, _>("passed")? == 1,
                })
            })
            .collect()
    }

    /// Attempts, learners who tried, and learners who passed.
    pub async fn quiz_stats(&self, quiz: &str) -> Result<QuizStats, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS attempts, COUNT(DISTINCT user_id) AS learners, \
             (SELECT COUNT(DISTINCT user_id) FROM quiz_attempts WHERE quiz = $1 AND passed = 1) AS passed \
             FROM quiz_attempts WHERE quiz = $1",
        )
        .bind(quiz)
        .fetch_one(self.pool())
        .await?;
        let count = |c: &str| -> Result<u64, StoreError> { Ok(row.try_get::<i64, _>(c)?.max(0) as u64) };
        Ok(QuizStats {
            attempts: count("attempts")?,
            learners: count("learners")?,
            learners_passed: count("passed")?,
        })
    }
}
