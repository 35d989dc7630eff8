//! Quiz attempts: every submission with its answers and feedback, and the
//! quiz's status in the learner's progress.

use sqlx::Row;
use std::collections::BTreeMap;

use super::progress::{ProgressWrite, write_progress};
use super::{RowExt, Store, StoreError};
use crate::quiz::Graded;
use berth_app::model::{AttemptId, ItemKind, Millis, ModuleId, ProgressStatus, QuizId, UserId};
use berth_app::quiz::{AttemptReport, AttemptSummary, AttemptView, QuizResult, QuizStats};

/// One graded submission, ready to store.
pub struct NewAttempt<'a> {
    pub user: UserId,
    pub module: &'a ModuleId,
    pub quiz: &'a QuizId,
    pub answers: &'a BTreeMap<String, Vec<String>>,
    pub report: &'a AttemptReport,
    pub graded: &'a Graded,
    /// How the module is scored, to queue the new score for the learner's
    /// platform in the same transaction.
    pub grading: Option<&'a crate::content::ModuleGrading>,
}

impl Store {
    /// Stores the attempt and updates the quiz's progress row in one
    /// transaction: once this returns, both are on disk. A pass is never
    /// undone by a later, worse attempt. Returns the attempt's id.
    pub async fn record_quiz_attempt(&self, a: NewAttempt<'_>) -> Result<AttemptId, StoreError> {
        let now = Millis::now().get();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO quiz_attempts \
             (user_id, module, quiz, answers, report, score, total, percent, passed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(a.user.get())
        .bind(a.module.as_str())
        .bind(a.quiz.as_str())
        .bind(serde_json::to_string(a.answers)?)
        .bind(serde_json::to_string(a.report)?)
        .bind(a.graded.score as i64)
        .bind(a.graded.total as i64)
        .bind(i64::from(a.graded.percent))
        .bind(i64::from(a.graded.passed))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let write = ProgressWrite {
            user: a.user,
            kind: ItemKind::Quiz,
            item: a.quiz.as_str(),
            module: a.module,
            status: match a.graded.passed {
                true => ProgressStatus::Passed,
                false => ProgressStatus::Failed,
            },
            kept: ProgressStatus::Passed,
            at: now,
        };
        write_progress(&mut *tx, write).await?;
        super::outbox::queue_in(&mut tx, a.user, a.module, a.grading, None).await?;
        tx.commit().await?;
        Ok(AttemptId(id))
    }

    /// The learner's attempts at a quiz, newest first.
    pub async fn quiz_attempts(&self, user: UserId, quiz: &QuizId) -> Result<Vec<AttemptSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, percent, passed, created_at FROM quiz_attempts \
             WHERE user_id = $1 AND quiz = $2 ORDER BY id DESC",
        )
        .bind(user.get())
        .bind(quiz.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttemptSummary {
                    id: AttemptId(r.try_get("id")?),
                    percent: r.count("percent")?,
                    passed: r.flag("passed")?,
                    at: r.millis("created_at")?,
                })
            })
            .collect()
    }

    /// One attempt, only if `user` made it.
    pub async fn quiz_attempt(&self, user: UserId, attempt: AttemptId) -> Result<Option<AttemptView>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.module, a.report, a.score, a.total, a.percent, a.passed, \
             (SELECT MAX(b.percent) FROM quiz_attempts b WHERE b.user_id = a.user_id AND b.quiz = a.quiz) AS best \
             FROM quiz_attempts a WHERE a.id = $1 AND a.user_id = $2",
        )
        .bind(attempt.get())
        .bind(user.get())
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let report: String = r.try_get("report")?;
        Ok(Some(AttemptView {
            id: AttemptId(r.try_get("id")?),
            module: r.id("module")?,
            score: r.count("score")?,
            total: r.count("total")?,
            percent: r.count("percent")?,
            passed: r.flag("passed")?,
            best_percent: r.count("best")?,
            report: serde_json::from_str(&report)?,
        }))
    }

    /// Best score and whether passed, per quiz the learner has tried.
    pub async fn quiz_results(&self, user: UserId) -> Result<Vec<QuizResult>, StoreError> {
        let rows = sqlx::query(
            "SELECT quiz, MAX(percent) AS best, MAX(passed) AS passed FROM quiz_attempts \
             WHERE user_id = $1 GROUP BY quiz ORDER BY quiz",
        )
        .bind(user.get())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuizResult {
                    quiz: r.id("quiz")?,
                    best_percent: r.count("best")?,
                    passed: r.flag("passed")?,
                })
            })
            .collect()
    }

    /// Attempts, learners who tried, and learners who passed.
    pub async fn quiz_stats(&self, quiz: &QuizId) -> Result<QuizStats, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS attempts, COUNT(DISTINCT user_id) AS learners, \
             (SELECT COUNT(DISTINCT user_id) FROM quiz_attempts WHERE quiz = $1 AND passed = 1) AS passed \
             FROM quiz_attempts WHERE quiz = $1",
        )
        .bind(quiz.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(QuizStats {
            attempts: row.count("attempts")?,
            learners: row.count("learners")?,
            learners_passed: row.count("passed")?,
        })
    }
}
