//! Classrooms, their members, what members did, and the staff audit log.

use sqlx::Row;
use sqlx::any::AnyRow;

use berth_app::model::{
    ClassroomId, ExerciseEvent, ExerciseId, ItemKind, ItemRef, Millis, ProgressStatus, QuizId, UserId,
};

use super::{RowExt, Store, StoreError};

#[derive(Clone, Debug, PartialEq)]
pub struct ClassroomRow {
    pub id: ClassroomId,
    pub name: String,
    pub owner: UserId,
    pub owner_email: String,
    pub join_code: String,
    pub join_limit: i64,
    pub joins: i64,
    pub code_expires_at: Millis,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub members: usize,
}

impl ClassroomRow {
    fn from_row(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: ClassroomId(r.try_get("id")?),
            name: r.try_get("name")?,
            owner: UserId(r.try_get("owner_id")?),
            owner_email: r.try_get("owner_email")?,
            join_code: r.try_get("join_code")?,
            join_limit: r.try_get("join_limit")?,
            joins: r.try_get("joins")?,
            code_expires_at: r.millis("code_expires_at")?,
            starts_on: r.try_get("starts_on")?,
            ends_on: r.try_get("ends_on")?,
            members: r.count("members")?,
        })
    }
}

const CLASSROOM_SELECT: &str = "SELECT c.id, c.name, c.owner_id, u.email AS owner_email, c.join_code, \
     c.join_limit, c.joins, c.code_expires_at, c.starts_on, c.ends_on, \
     (SELECT COUNT(*) FROM classroom_members m WHERE m.classroom_id = c.id) AS members \
     FROM classrooms c JOIN users u ON u.id = c.owner_id";

pub struct NewClassroom<'a> {
    pub name: &'a str,
    pub owner: UserId,
    pub join_code: &'a str,
    pub join_limit: i64,
    pub code_expires_at: Millis,
    pub starts_on: Option<&'a str>,
    pub ends_on: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined,
    AlreadyMember,
    Expired,
    UsedUp,
}

/// A classroom's learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: UserId,
    pub email: String,
}

/// A progress row: where a learner stands on one item.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgressRecord {
    pub user: UserId,
    pub item: ItemRef,
    pub status: ProgressStatus,
    pub at: Millis,
}

/// One check of an exercise.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRecord {
    pub user: UserId,
    pub exercise: ExerciseId,
    pub passed: bool,
    /// The check's report as stored (JSON).
    pub report: String,
    pub at: Millis,
}

/// One quiz attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord {
    pub user: UserId,
    pub quiz: QuizId,
    pub percent: u32,
    /// The attempt's feedback as stored (JSON).
    pub report: String,
    pub at: Millis,
}

/// What a classroom's members did, for its grid and insights; checks and
/// attempts in the order they happened.
#[derive(Clone, Debug, Default)]
pub struct ClassActivity {
    pub progress: Vec<ProgressRecord>,
    pub checks: Vec<CheckRecord>,
    pub attempts: Vec<AttemptRecord>,
}

/// What staff did, for the audit log.
pub struct NewAudit<'a> {
    pub actor: UserId,
    pub actor_email: &'a str,
    pub action: &'a str,
    pub classroom: Option<ClassroomId>,
    pub subject: Option<UserId>,
    pub detail: &'a str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub actor_email: String,
    pub action: String,
    pub subject_email: Option<String>,
    pub detail: String,
    pub at: Millis,
}

impl Store {
    pub async fn create_classroom(&self, c: NewClassroom<'_>) -> Result<ClassroomId, StoreError> {
        let row = sqlx::query(
            "INSERT INTO classrooms (name, owner_id, join_code, join_limit, code_expires_at, starts_on, ends_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(c.name)
        .bind(c.owner.get())
        .bind(c.join_code)
        .bind(c.join_limit)
        .bind(c.code_expires_at.get())
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(Millis::now().get())
        .fetch_one(self.pool())
        .await?;
        Ok(ClassroomId(row.try_get("id")?))
    }

    /// Classrooms `owner` runs, or every classroom when `owner` is `None`.
    pub async fn classrooms(&self, owner: Option<UserId>) -> Result<Vec<ClassroomRow>, StoreError> {
        let rows = match owner {
            Some(owner) => {
                sqlx::query(&format!("{CLASSROOM_SELECT} WHERE c.owner_id = $1 ORDER BY c.id DESC"))
                    .bind(owner.get())
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query(&format!("{CLASSROOM_SELECT} ORDER BY c.id DESC"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(ClassroomRow::from_row).collect()
    }

    pub async fn classroom(&self, id: ClassroomId) -> Result<Option<ClassroomRow>, StoreError> {
        let row = sqlx::query(&format!("{CLASSROOM_SELECT} WHERE c.id = $1"))
            .bind(id.get())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(ClassroomRow::from_row).transpose()
    }

    pub async fn classroom_by_code(&self, code: &str) -> Result<Option<ClassroomRow>, StoreError> {
        let row = sqlx::query(&format!("{CLASSROOM_SELECT} WHERE c.join_code = $1"))
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(ClassroomRow::from_row).transpose()
    }

    /// Adds the learner with the classroom's code: one use of the code, taken
    /// atomically, so a burst of joins never passes the limit.
    pub async fn join_classroom(&self, classroom: ClassroomId, user: UserId) -> Result<JoinOutcome, StoreError> {
        if self.is_member(classroom, user).await? {
            return Ok(JoinOutcome::AlreadyMember);
        }
        let now = Millis::now();
        let mut tx = self.pool().begin().await?;
        let taken = sqlx::query(
            "UPDATE classrooms SET joins = joins + 1 WHERE id = $1 AND joins < join_limit AND code_expires_at > $2",
        )
        .bind(classroom.get())
        .bind(now.get())
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() == 0 {
            tx.rollback().await?;
            let expired = self
                .classroom(classroom)
                .await?
                .is_none_or(|c| c.code_expires_at <= now);
            return Ok(if expired {
                JoinOutcome::Expired
            } else {
                JoinOutcome::UsedUp
            });
        }
        let inserted =
            sqlx::query("INSERT INTO classroom_members (classroom_id, user_id, joined_at) VALUES ($1, $2, $3)")
                .bind(classroom.get())
                .bind(user.get())
                .bind(now.get())
                .execute(&mut *tx)
                .await;
        match inserted {
            Ok(_) => tx.commit().await?,
            // Joined meanwhile through another request: keep the use.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(JoinOutcome::AlreadyMember),
            Err(e) => return Err(e.into()),
        }
        Ok(JoinOutcome::Joined)
    }

    /// Stops the join code from letting anyone else in.
    pub async fn close_joining(&self, classroom: ClassroomId) -> Result<(), StoreError> {
        sqlx::query("UPDATE classrooms SET code_expires_at = $2 WHERE id = $1 AND code_expires_at > $2")
            .bind(classroom.get())
            .bind(Millis::now().get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn is_member(&self, classroom: ClassroomId, user: UserId) -> Result<bool, StoreError> {
        let found = sqlx::query("SELECT 1 FROM classroom_members WHERE classroom_id = $1 AND user_id = $2")
            .bind(classroom.get())
            .bind(user.get())
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }

    /// Members, by email.
    pub async fn members(&self, classroom: ClassroomId) -> Result<Vec<Member>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email FROM classroom_members m JOIN users u ON u.id = m.user_id \
             WHERE m.classroom_id = $1 ORDER BY u.email",
        )
        .bind(classroom.get())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    id: UserId(r.try_get("id")?),
                    email: r.try_get("email")?,
                })
            })
            .collect()
    }

    /// Takes a learner off the roster; their own progress stays theirs.
    pub async fn remove_member(&self, classroom: ClassroomId, user: UserId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM classroom_members WHERE classroom_id = $1 AND user_id = $2")
            .bind(classroom.get())
            .bind(user.get())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Everything the members did (or one member, with `only`).
    pub async fn class_activity(
        &self,
        classroom: ClassroomId,
        only: Option<UserId>,
    ) -> Result<ClassActivity, StoreError> {
        let filter = "user_id IN (SELECT user_id FROM classroom_members WHERE classroom_id = $1) \
                      AND ($2 < 0 OR user_id = $2)";
        let only = only.map_or(-1, UserId::get);
        let progress = sqlx::query(&format!(
            "SELECT user_id, kind, item, status, updated_at FROM progress WHERE {filter}"
        ))
        .bind(classroom.get())
        .bind(only)
        .fetch_all(self.pool())
        .await?;
        let checks = sqlx::query(&format!(
            "SELECT user_id, exercise, passed, detail, created_at FROM exercise_log \
             WHERE {filter} AND kind IN ($3, $4) ORDER BY id"
        ))
        .bind(classroom.get())
        .bind(only)
        .bind(ExerciseEvent::Check.as_str())
        .bind(ExerciseEvent::LiveCheck.as_str())
        .fetch_all(self.pool())
        .await?;
        let attempts = sqlx::query(&format!(
            "SELECT user_id, quiz, percent, report, created_at FROM quiz_attempts WHERE {filter} ORDER BY id"
        ))
        .bind(classroom.get())
        .bind(only)
        .fetch_all(self.pool())
        .await?;
        Ok(ClassActivity {
            progress: progress
                .iter()
                .map(|r| {
                    Ok(ProgressRecord {
                        user: UserId(r.try_get("user_id")?),
                        item: ItemRef::of(r.parsed::<ItemKind>("kind")?, r.try_get::<String, _>("item")?),
                        status: r.parsed("status")?,
                        at: r.millis("updated_at")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            checks: checks
                .iter()
                .map(|r| {
                    Ok(CheckRecord {
                        user: UserId(r.try_get("user_id")?),
                        exercise: r.id("exercise")?,
                        passed: r.try_get::<Option<i64>, _>("passed")? == Some(1),
                        report: r.try_get("detail")?,
                        at: r.millis("created_at")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            attempts: attempts
                .iter()
                .map(|r| {
                    Ok(AttemptRecord {
                        user: UserId(r.try_get("user_id")?),
                        quiz: r.id("quiz")?,
                        percent: r.count("percent")?,
                        report: r.try_get("report")?,
                        at: r.millis("created_at")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }

    pub async fn audit(&self, a: NewAudit<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (actor_id, actor_email, action, classroom_id, subject_id, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(a.actor.get())
        .bind(a.actor_email)
        .bind(a.action)
        .bind(a.classroom.map(ClassroomId::get))
        .bind(a.subject.map(UserId::get))
        .bind(a.detail)
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The classroom's audit entries, newest first.
    pub async fn audit_log(&self, classroom: ClassroomId, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.actor_email, a.action, u.email AS subject_email, a.detail, a.created_at \
             FROM audit_log a LEFT JOIN users u ON u.id = a.subject_id \
             WHERE a.classroom_id = $1 ORDER BY a.id DESC LIMIT $2",
        )
        .bind(classroom.get())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    actor_email: r.try_get("actor_email")?,
                    action: r.try_get("action")?,
                    subject_email: r.try_get("subject_email")?,
                    detail: r.try_get("detail")?,
                    at: r.millis("created_at")?,
                })
            })
            .collect()
    }
}
