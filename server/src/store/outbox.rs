//! Grades on their way to learning platforms: where each learner's module
//! score goes (`lti_grade_links`), and the outbox of scores to deliver
//! (`lti_scores`), one row per change, delivered in order per learner and
//! line item, retried until the platform takes them or refuses them for
//! good.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::content::{Marks, ModuleGrading, ModuleScore};
use berth_app::model::{
    Activity, ClassroomId, ExerciseId, ItemKind, Millis, ModuleId, ProgressStatus, ScoreSync, UserId,
};

use super::{PlatformId, RowExt, Store, StoreError};

/// How long a replica may hold a score it is delivering before another may
/// take it (it died, or its request hangs past every timeout).
const CLAIM: std::time::Duration = std::time::Duration::from_secs(120);

/// What `last_score` keeps to tell a change from a repeat.
fn score_key(score: &ModuleScore) -> String {
    format!("{}/{} {}", score.given_hundredths, score.maximum, score.activity)
}

/// Where a learner's score for a module goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeLink {
    pub user: UserId,
    pub module: ModuleId,
    pub platform: PlatformId,
    /// The learner's id on the platform (AGS `userId`).
    pub subject: String,
    pub lineitem: String,
    /// The context's line items container, if the platform gave it.
    pub lineitems: Option<String>,
    /// The AGS scopes the platform granted, space-separated.
    pub scope: String,
    /// Set when a launch made or moved the link, until the worker queues
    /// the score so far.
    pub changed_at: Option<Millis>,
}

/// One score in the outbox.
#[derive(Clone, Debug)]
pub struct OutgoingScore {
    pub id: i64,
    pub user: UserId,
    pub platform: PlatformId,
    pub subject: String,
    pub lineitem: String,
    pub score: ModuleScore,
    pub created_at: Millis,
    pub attempts: u32,
}

impl OutgoingScore {
    fn from_row(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.try_get("id")?,
            user: UserId(r.try_get("user_id")?),
            platform: PlatformId(r.try_get("platform_id")?),
            subject: r.try_get("subject")?,
            lineitem: r.try_get("lineitem")?,
            score: ModuleScore {
                given_hundredths: r.try_get("given_hundredths")?,
                maximum: r.try_get("maximum")?,
                activity: r.parsed("activity")?,
                grading: r.parsed("grading")?,
            },
            created_at: r.millis("created_at")?,
            attempts: u32::try_from(r.try_get::<i64, _>("attempts")?)
                .map_err(|_| StoreError::OutOfRange("lti_scores.attempts"))?,
        })
    }
}

const LINK_SELECT: &str =
    "SELECT user_id, module, platform_id, subject, lineitem, lineitems, scope, changed_at FROM lti_grade_links";

fn link_from_row(r: &AnyRow) -> Result<GradeLink, StoreError> {
    Ok(GradeLink {
        user: UserId(r.try_get("user_id")?),
        module: r.id("module")?,
        platform: PlatformId(r.try_get("platform_id")?),
        subject: r.try_get("subject")?,
        lineitem: r.try_get("lineitem")?,
        lineitems: r.try_get("lineitems")?,
        scope: r.try_get("scope")?,
        changed_at: r.try_get::<Option<i64>, _>("changed_at")?.map(Millis),
    })
}

/// The learner's passed exercises of the module and best quiz percent.
async fn marks_in(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    module: &ModuleId,
    exercises: &[ExerciseId],
) -> Result<Marks, StoreError> {
    let done =
        sqlx::query("SELECT item FROM progress WHERE user_id = $1 AND module = $2 AND kind = $3 AND status = $4")
            .bind(user.get())
            .bind(module.as_str())
            .bind(ItemKind::Exercise.as_str())
            .bind(ProgressStatus::Completed.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let mut exercises_passed = 0;
    for row in &done {
        let item: ExerciseId = row.id("item")?;
        exercises_passed += usize::from(exercises.contains(&item));
    }
    let best: Option<i64> =
        sqlx::query("SELECT MAX(percent) AS best FROM quiz_attempts WHERE user_id = $1 AND module = $2")
            .bind(user.get())
            .bind(module.as_str())
            .fetch_one(&mut *conn)
            .await?
            .try_get("best")?;
    Ok(Marks {
        exercises_passed,
        best_quiz_percent: best.map(|b| b.clamp(0, 100) as u32),
    })
}

/// Queues the learner's current score for the module, if the module is
/// linked to a line item and its score differs from the one queued last,
/// inside the caller's transaction (the one that changed their progress,
/// so a change and its score are written together or not at all).
/// `only_mark`: act only if the link is still marked changed at that time
/// (a launch's mark, taken by the worker), else `false`. Without
/// `grading` (the module has nothing to score) the mark is just cleared.
pub(super) async fn queue_in(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    module: &ModuleId,
    grading: Option<&ModuleGrading>,
    only_mark: Option<Millis>,
) -> Result<bool, StoreError> {
    // Writing the link first locks it (PostgreSQL): two changes of one
    // learner's module queue one after the other, each seeing the other's.
    let locked = sqlx::query(
        "UPDATE lti_grade_links SET changed_at = NULL WHERE user_id = $1 AND module = $2 AND ($3 = 0 OR changed_at = $3)",
    )
    .bind(user.get())
    .bind(module.as_str())
    .bind(only_mark.map_or(0, Millis::get))
    .execute(&mut *conn)
    .await?;
    if locked.rows_affected() != 1 {
        return Ok(false);
    }
    let Some(grading) = grading else { return Ok(true) };
    let link = sqlx::query(
        "SELECT platform_id, subject, lineitem, last_score FROM lti_grade_links WHERE user_id = $1 AND module = $2",
    )
    .bind(user.get())
    .bind(module.as_str())
    .fetch_one(&mut *conn)
    .await?;
    let last: Option<String> = link.try_get("last_score")?;
    let score = grading.score(marks_in(conn, user, module, &grading.exercises).await?);
    let key = score_key(&score);
    let nothing_yet = last.is_none() && score.given_hundredths == 0 && score.activity == Activity::Initialized;
    if last.as_deref() == Some(key.as_str()) || nothing_yet {
        return Ok(true);
    }
    let now = Millis::now().get();
    sqlx::query(
        "INSERT INTO lti_scores (user_id, module, platform_id, subject, lineitem, given_hundredths, maximum, \
         activity, grading, created_at, next_try_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(user.get())
    .bind(module.as_str())
    .bind(link.try_get::<i64, _>("platform_id")?)
    .bind(link.try_get::<String, _>("subject")?)
    .bind(link.try_get::<String, _>("lineitem")?)
    .bind(score.given_hundredths)
    .bind(score.maximum)
    .bind(score.activity.as_str())
    .bind(score.grading.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE lti_grade_links SET last_score = $3 WHERE user_id = $1 AND module = $2")
        .bind(user.get())
        .bind(module.as_str())
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// A score still to deliver: neither taken nor refused for good.
const OPEN: &str = "sent_at IS NULL AND refused_at IS NULL";

/// An open score first in line for its learner and line item.
const UNSENT_HEAD: &str = "s.sent_at IS NULL AND s.refused_at IS NULL AND NOT EXISTS (SELECT 1 FROM lti_scores e \
     WHERE e.user_id = s.user_id AND e.lineitem = s.lineitem AND e.sent_at IS NULL AND e.refused_at IS NULL \
     AND e.id < s.id)";

impl Store {
    /// Records where the learner's score for `module` goes (a launch from a
    /// graded link), and marks it changed so the score so far is sent.
    pub async fn set_grade_link(&self, link: &GradeLink) -> Result<(), StoreError> {
        let now = Millis::now().get();
        let mut tx = self.pool().begin().await?;
        // A line item takes one module's score: a graded link the LMS now
        // points at another module leaves the old module's link behind,
        // which would post its score to the same line item too.
        sqlx::query(
            "DELETE FROM lti_grade_links WHERE user_id = $1 AND platform_id = $2 AND lineitem = $3 AND module <> $4",
        )
        .bind(link.user.get())
        .bind(link.platform.0)
        .bind(&link.lineitem)
        .bind(link.module.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO lti_grade_links \
             (user_id, module, platform_id, subject, lineitem, lineitems, scope, changed_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (user_id, module) DO UPDATE SET platform_id = excluded.platform_id, \
             subject = excluded.subject, lineitem = excluded.lineitem, lineitems = excluded.lineitems, \
             scope = excluded.scope, changed_at = excluded.changed_at, \
             updated_at = excluded.updated_at, \
             last_score = CASE WHEN lti_grade_links.lineitem = excluded.lineitem THEN lti_grade_links.last_score END",
        )
        .bind(link.user.get())
        .bind(link.module.as_str())
        .bind(link.platform.0)
        .bind(&link.subject)
        .bind(&link.lineitem)
        .bind(link.lineitems.as_deref())
        .bind(&link.scope)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links whose score changed and is not queued yet (one learner's, or
    /// everyone's).
    pub async fn changed_grade_links(&self, user: Option<UserId>) -> Result<Vec<GradeLink>, StoreError> {
        let rows = sqlx::query(&format!(
            "{LINK_SELECT} WHERE changed_at IS NOT NULL AND ($1 = 0 OR user_id = $1) ORDER BY changed_at"
        ))
        .bind(user.map_or(0, |u| u.get()))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(link_from_row).collect()
    }

    /// Queues the score of a link marked changed at `seen` (see
    /// [`queue_in`]); `false` if another round took the mark first.
    pub async fn queue_marked_score(
        &self,
        link: &GradeLink,
        seen: Millis,
        grading: Option<&ModuleGrading>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let queued = queue_in(&mut tx, link.user, &link.module, grading, Some(seen)).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Scores due now that are first in line for their learner and line
    /// item, oldest first.
    pub async fn due_scores(&self, limit: i64) -> Result<Vec<OutgoingScore>, StoreError> {
        let now = Millis::now().get();
        let rows = sqlx::query(&format!(
            "SELECT id, user_id, platform_id, subject, lineitem, given_hundredths, maximum, activity, grading, \
             created_at, attempts FROM lti_scores s WHERE {UNSENT_HEAD} AND next_try_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(OutgoingScore::from_row).collect()
    }

    /// Takes a score to deliver; `false` if another replica has it.
    pub async fn claim_score(&self, id: i64) -> Result<bool, StoreError> {
        let now = Millis::now();
        let done = sqlx::query(&format!(
            "UPDATE lti_scores SET claimed_until = $2 \
             WHERE id = $1 AND {OPEN} AND (claimed_until IS NULL OR claimed_until < $3)"
        ))
        .bind(id)
        .bind(now.plus(CLAIM).get())
        .bind(now.get())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn score_sent(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE lti_scores SET sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1")
            .bind(id)
            .bind(Millis::now().get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The platform refused the score for good: it is not tried again, and
    /// the learner's next score for the line item goes.
    pub async fn score_refused(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE lti_scores SET attempts = attempts + 1, last_error = $2, refused_at = $3, claimed_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .bind(reason)
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn score_failed(&self, id: i64, reason: &str, next_try: Millis) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE lti_scores SET attempts = attempts + 1, last_error = $2, next_try_at = $3, claimed_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .bind(reason)
        .bind(next_try.get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// When the next unsent score is due, if any.
    pub async fn next_score_due(&self) -> Result<Option<Millis>, StoreError> {
        let row = sqlx::query(&format!("SELECT MIN(next_try_at) AS due FROM lti_scores WHERE {OPEN}"))
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>("due")?.map(Millis))
    }

    /// Each classroom member's grade sync per linked module: the oldest
    /// open score's state, else the last one sent or refused.
    pub async fn score_syncs(&self, classroom: ClassroomId) -> Result<Vec<(UserId, ModuleId, ScoreSync)>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.user_id, s.module, s.given_hundredths, s.maximum, s.attempts, s.next_try_at, s.last_error, \
             s.sent_at, s.refused_at FROM lti_scores s JOIN classroom_members m ON m.user_id = s.user_id \
             WHERE m.classroom_id = $1 ORDER BY s.user_id, s.module, s.id",
        )
        .bind(classroom.get())
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<(UserId, ModuleId, ScoreSync)> = Vec::new();
        for r in &rows {
            let user = UserId(r.try_get("user_id")?);
            let module: ModuleId = r.id("module")?;
            let percent = |r: &AnyRow| -> Result<f64, StoreError> {
                let given: i64 = r.try_get("given_hundredths")?;
                let maximum: i64 = r.try_get("maximum")?;
                Ok(given as f64 / (maximum.max(1) * 100) as f64)
            };
            let sent = r.try_get::<Option<i64>, _>("sent_at")?;
            let refused = r.try_get::<Option<i64>, _>("refused_at")?;
            let sync = match (sent, refused) {
                (Some(at), _) => ScoreSync::Sent {
                    percent: percent(r)?,
                    at: Millis(at),
                },
                (None, Some(at)) => ScoreSync::Refused {
                    reason: r.try_get::<Option<String>, _>("last_error")?.unwrap_or_default(),
                    at: Millis(at),
                },
                (None, None) => {
                    let next_try = r.millis("next_try_at")?;
                    match r.try_get::<Option<String>, _>("last_error")? {
                        Some(reason) => ScoreSync::Failing {
                            reason,
                            attempts: r.try_get::<i64, _>("attempts")?.max(0) as u32,
                            next_try,
                        },
                        None => ScoreSync::Pending { next_try },
                    }
                }
            };
            match out.last_mut() {
                // A later row replaces an earlier one only while the earlier is done.
                Some((u, m, last)) if *u == user && *m == module => {
                    if matches!(last, ScoreSync::Sent { .. } | ScoreSync::Refused { .. }) {
                        *last = sync;
                    }
                }
                _ => out.push((user, module, sync)),
            }
        }
        Ok(out)
    }
}
