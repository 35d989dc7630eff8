//! Lab records and what learners did with exercises.

use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

use berth_app::model::{
    ClassroomId, EndReason, ExerciseEvent, ExerciseId, HostName, HostState, ItemKind, LabId, LabStatus, Millis,
    ModuleId, NodeNumber, ProgressStatus, UserId,
};

use super::coordination::ReplicaId;
use super::hosts::{Needs, Placed, Placement};
use super::progress::{ProgressWrite, write_progress};
use super::{RowExt, Store, StoreError};

#[derive(Clone, Debug, PartialEq)]
pub struct LabRow {
    pub id: LabId,
    pub user: UserId,
    pub module: ModuleId,
    pub status: LabStatus,
    pub started_at: Millis,
    pub expires_at: Millis,
    pub last_active: Millis,
    pub extended: bool,
    /// Its nodes answer and its exercises' setups run (or one failed).
    pub preparing: bool,
    /// Why a setup failed, for the learner.
    pub setup_failure: Option<String>,
    /// Where it runs (`None`: the default engine).
    pub host: Option<HostName>,
}

impl LabRow {
    fn from_row(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.id("id")?,
            user: UserId(r.try_get("user_id")?),
            module: r.id("module")?,
            status: r.parsed("status")?,
            started_at: r.millis("started_at")?,
            expires_at: r.millis("expires_at")?,
            last_active: r.millis("last_active")?,
            extended: r.flag("extended")?,
            preparing: r.flag("preparing")?,
            setup_failure: r.try_get("setup_failure")?,
            host: host(r)?,
        })
    }

    pub fn is_running(&self) -> bool {
        self.status == LabStatus::Running
    }
}

/// A lab of the warm pool: no owner yet.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolLabRow {
    pub id: LabId,
    pub module: ModuleId,
    /// `Starting` while it is made, `Pooled` once it waits.
    pub status: LabStatus,
    pub started_at: Millis,
    pub expires_at: Millis,
    pub host: Option<HostName>,
    /// Every node's memory together, in MiB, as placement counted it.
    pub memory_mb: u64,
    /// Its host takes labs (active, or the default engine): only then is
    /// it handed to a learner. A draining host's waiting labs are given
    /// back instead.
    pub host_open: bool,
}

/// The `host` column.
fn host(r: &AnyRow) -> Result<Option<HostName>, StoreError> {
    Ok(r.try_get::<Option<String>, _>("host")?.map(HostName::new))
}

impl PoolLabRow {
    pub fn is_ready(&self) -> bool {
        self.status == LabStatus::Pooled
    }

    /// Waiting, and where a learner may be given it.
    pub fn is_claimable(&self) -> bool {
        self.is_ready() && self.host_open
    }
}

/// An instructor's request to keep labs of a module warm until a time.
#[derive(Clone, Debug, PartialEq)]
pub struct Warmup {
    pub classroom: ClassroomId,
    pub module: ModuleId,
    pub labs: usize,
    pub until: Millis,
}

/// What recording a new lab came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded, to be made where placement chose.
    Placed(Placement),
    /// The learner already has a live lab for the module.
    AlreadyLive,
    /// Lab hosts are listed and none that takes labs has room for it.
    NoRoom,
    /// Hosts with room lack the lab's image: `hosts` name them.
    MissingImage { image: String, hosts: Vec<HostName> },
}

/// One watch of a lab's terminal, as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatcherId(i64);

impl WatcherId {
    pub fn get(self) -> i64 {
        self.0
    }

    #[cfg(test)]
    pub fn from_raw(id: i64) -> Self {
        Self(id)
    }
}

const LAB_COLUMNS: &str =
    "id, user_id, module, status, started_at, expires_at, last_active, extended, preparing, setup_failure, host";

/// One exercise's history for one learner.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExerciseHistory {
    pub passed: bool,
    pub hints: usize,
    pub solution: bool,
    /// The latest check's stored report (JSON).
    pub last_check: Option<String>,
}

/// One entry of the exercise log.
pub struct NewExerciseEvent<'a> {
    pub user: UserId,
    pub module: &'a ModuleId,
    pub exercise: &'a ExerciseId,
    pub event: ExerciseEvent,
    /// A check's verdict.
    pub passed: Option<bool>,
    /// JSON: a check's report, `{}` otherwise.
    pub detail: &'a str,
    /// Whether this completes the exercise (see `crate::exercise`).
    pub completes: bool,
    /// How the module is scored, to queue the new score for the learner's
    /// platform in the same transaction.
    pub grading: Option<&'a crate::content::ModuleGrading>,
}

impl Store {
    /// Records a lab being started, on the host placement chooses for its
    /// needs, in one transaction (under [`super::Lock::Admission`],
    /// so no other start counts the host meanwhile).
    pub async fn insert_lab(
        &self,
        id: &LabId,
        user: UserId,
        module: &ModuleId,
        expires_at: Millis,
        needs: &Needs,
    ) -> Result<Recorded, StoreError> {
        self.insert_placed(id, Some(user), module, expires_at, needs).await
    }

    /// Records a lab of the warm pool being made: no owner yet.
    pub async fn insert_pool_lab(
        &self,
        id: &LabId,
        module: &ModuleId,
        expires_at: Millis,
        needs: &Needs,
    ) -> Result<Recorded, StoreError> {
        self.insert_placed(id, None, module, expires_at, needs).await
    }

    async fn insert_placed(
        &self,
        id: &LabId,
        user: Option<UserId>,
        module: &ModuleId,
        expires_at: Millis,
        needs: &Needs,
    ) -> Result<Recorded, StoreError> {
        let mut tx = self.pool().begin().await?;
        // The row is written before placement reads the hosts' loads: on
        // SQLite a transaction that reads first and then writes fails at
        // once (SQLITE_BUSY_SNAPSHOT) when another one commits in between,
        // which a busy class does all the time. Unplaced, the row counts
        // against no host while placement reads.
        let inserted = sqlx::query(
            "INSERT INTO labs (id, user_id, module, status, started_at, expires_at, last_active, host, memory_mb, \
             made_by) VALUES ($1, $2, $3, $4, $5, $6, $5, NULL, $7, $8)",
        )
        .bind(id.as_str())
        .bind(user.map(|u| u.get()))
        .bind(module.as_str())
        .bind(LabStatus::Starting.as_str())
        .bind(Millis::now().get())
        .bind(expires_at.get())
        .bind(needs.memory_mb as i64)
        .bind(ReplicaId::this_process().as_str())
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(Recorded::AlreadyLive),
            Err(e) => return Err(e.into()),
        }
        let placement = match super::hosts::place(&mut tx, needs).await? {
            Placed::On(placement) => placement,
            Placed::NoRoom => {
                tx.rollback().await?;
                return Ok(Recorded::NoRoom);
            }
            Placed::MissingImage { image, hosts } => {
                tx.rollback().await?;
                return Ok(Recorded::MissingImage { image, hosts });
            }
        };
        if let Some(host) = placement.host() {
            sqlx::query("UPDATE labs SET host = $2 WHERE id = $1")
                .bind(id.as_str())
                .bind(host.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Recorded::Placed(placement))
    }

    /// A pool lab made and set up: it waits for a learner.
    pub async fn set_lab_pooled(&self, id: &LabId) -> Result<(), StoreError> {
        self.lab_made(id, LabStatus::Pooled, "", " AND user_id IS NULL").await
    }

    /// Moves a lab that is still `starting` to `to`; `also_set` and
    /// `condition` extend the `SET` and the `WHERE` (fixed SQL, never input).
    async fn lab_made(&self, id: &LabId, to: LabStatus, also_set: &str, condition: &str) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "UPDATE labs SET status = $2{also_set} WHERE id = $1 AND status = $3{condition}"
        ))
        .bind(id.as_str())
        .bind(to.as_str())
        .bind(LabStatus::Starting.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Hands the module's oldest waiting pool lab on a host that takes
    /// labs to the learner, in one statement: it becomes theirs, `starting`
    /// until personalised, with its clocks (start, activity, expiry) set
    /// from now. Two claims never get the same lab: the row changes only
    /// while it is still `pooled`, and PostgreSQL skips rows another claim
    /// holds rather than waiting on them. `None` when no lab waits, or the
    /// learner already has a live lab for the module.
    pub async fn claim_pool_lab(
        &self,
        user: UserId,
        module: &ModuleId,
        lifetime: std::time::Duration,
    ) -> Result<Option<LabId>, StoreError> {
        let skip_locked = match self.database() {
            super::Database::Postgres => " FOR UPDATE SKIP LOCKED",
            super::Database::Sqlite => "",
        };
        let now = Millis::now();
        let claimed = sqlx::query_scalar::<_, String>(&format!(
            "UPDATE labs SET user_id = $1, status = $3, started_at = $4, last_active = $4, expires_at = $5, made_by = $8 \
             WHERE status = $6 AND id = (SELECT id FROM labs WHERE status = $6 AND module = $2 \
             AND (host IS NULL OR host IN (SELECT name FROM lab_hosts WHERE state = $7)) \
             ORDER BY started_at, id LIMIT 1{skip_locked}) RETURNING id"
        ))
        .bind(user.get())
        .bind(module.as_str())
        .bind(LabStatus::Starting.as_str())
        .bind(now.get())
        .bind(now.plus(lifetime).get())
        .bind(LabStatus::Pooled.as_str())
        .bind(HostState::Active.as_str())
        .bind(ReplicaId::this_process().as_str())
        .fetch_optional(self.pool())
        .await;
        match claimed {
            Ok(id) => Ok(id.map(LabId::new)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every live lab of the warm pool (being made or waiting), oldest
    /// first.
    pub async fn pool_labs(&self) -> Result<Vec<PoolLabRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.id, l.module, l.status, l.started_at, l.expires_at, l.host, l.memory_mb, \
             CAST(CASE WHEN l.host IS NULL OR h.state = $2 THEN 1 ELSE 0 END AS BIGINT) AS host_open \
             FROM labs l LEFT JOIN lab_hosts h ON h.name = l.host \
             WHERE l.status <> $1 AND l.user_id IS NULL ORDER BY l.started_at, l.id",
        )
        .bind(LabStatus::Ended.as_str())
        .bind(HostState::Active.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PoolLabRow {
                    id: r.id("id")?,
                    module: r.id("module")?,
                    status: r.parsed("status")?,
                    started_at: r.millis("started_at")?,
                    expires_at: r.millis("expires_at")?,
                    host: host(r)?,
                    memory_mb: r.count("memory_mb")?,
                    host_open: r.flag("host_open")?,
                })
            })
            .collect()
    }

    pub async fn add_warmup(&self, w: &Warmup, by: UserId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO lab_warmups (classroom_id, module, labs, until_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(w.classroom.0)
        .bind(w.module.as_str())
        .bind(w.labs as i64)
        .bind(w.until.get())
        .bind(by.get())
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Warm-up requests that have not ended, of every classroom or of one.
    pub async fn active_warmups(&self, classroom: Option<ClassroomId>) -> Result<Vec<Warmup>, StoreError> {
        let rows = sqlx::query(
            "SELECT classroom_id, module, labs, until_at FROM lab_warmups \
             WHERE until_at > $1 AND ($2 = 0 OR classroom_id = $2) ORDER BY until_at",
        )
        .bind(Millis::now().get())
        .bind(classroom.map_or(0, |c| c.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Warmup {
                    classroom: ClassroomId(r.try_get("classroom_id")?),
                    module: r.id("module")?,
                    labs: r.count("labs")?,
                    until: r.millis("until_at")?,
                })
            })
            .collect()
    }

    pub async fn set_lab_running(&self, id: &LabId) -> Result<(), StoreError> {
        self.lab_made(id, LabStatus::Running, "", "").await
    }

    /// A lab made on a click whose nodes answer: the learner may use it
    /// while its setups run.
    pub async fn set_lab_preparing(&self, id: &LabId) -> Result<(), StoreError> {
        self.lab_made(id, LabStatus::Running, ", preparing = 1", "").await
    }

    /// The lab's setups ended: done, or failed saying `failure`.
    pub async fn set_lab_prepared(&self, id: &LabId, failure: Option<&str>) -> Result<(), StoreError> {
        let query = match failure {
            None => sqlx::query("UPDATE labs SET preparing = 0 WHERE id = $1").bind(id.as_str()),
            Some(failure) => sqlx::query("UPDATE labs SET setup_failure = $2 WHERE id = $1")
                .bind(id.as_str())
                .bind(failure),
        };
        query.execute(self.pool()).await?;
        Ok(())
    }

    /// Live labs still being made (recorded, created, set up or
    /// personalised) by a replica other than `me` that has said nothing
    /// since `silent_since`: it died mid-way and nobody will finish them.
    /// On SQLite, one process, every other replica is gone. A setup that
    /// failed is finished: its lab is usable.
    pub async fn labs_left_unmade(&self, me: &ReplicaId, silent_since: Millis) -> Result<Vec<LabId>, StoreError> {
        let since = self.alive_since(silent_since);
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM labs WHERE status <> $1 \
             AND (status = $2 OR (preparing = 1 AND setup_failure IS NULL)) \
             AND made_by IS NOT NULL AND made_by <> $3 \
             AND made_by NOT IN (SELECT id FROM replicas WHERE seen_at >= $4)",
        )
        .bind(LabStatus::Ended.as_str())
        .bind(LabStatus::Starting.as_str())
        .bind(me.as_str())
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(LabId::new).collect())
    }

    pub async fn end_lab(&self, id: &LabId, reason: EndReason) -> Result<(), StoreError> {
        sqlx::query("UPDATE labs SET status = $4, ended_at = $2, end_reason = $3 WHERE id = $1 AND status <> $4")
            .bind(id.as_str())
            .bind(Millis::now().get())
            .bind(reason.as_str())
            .bind(LabStatus::Ended.as_str())
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM lab_watchers WHERE lab_id = $1")
            .bind(id.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records someone watching a lab node's terminal.
    pub async fn add_watcher(
        &self,
        (lab, node): (&LabId, NodeNumber),
        name: &str,
        replica: &ReplicaId,
    ) -> Result<WatcherId, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO lab_watchers (lab_id, node, name, since, replica) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(lab.as_str())
        .bind(i64::from(node))
        .bind(name)
        .bind(Millis::now().get())
        .bind(replica.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(WatcherId(id))
    }

    pub async fn remove_watcher(&self, id: WatcherId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM lab_watchers WHERE id = $1")
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Who is watching the lab node's terminal, first come first.
    pub async fn watchers(&self, lab: &LabId, node: NodeNumber) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT name FROM lab_watchers WHERE lab_id = $1 AND node = $2 ORDER BY id")
                .bind(lab.as_str())
                .bind(i64::from(node))
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The watches of a lab node served by replicas other than `me`.
    pub async fn watches_elsewhere(
        &self,
        (lab, node): (&LabId, NodeNumber),
        me: &ReplicaId,
    ) -> Result<Vec<WatcherId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM lab_watchers WHERE lab_id = $1 AND node = $2 AND replica <> $3 ORDER BY id",
        )
        .bind(lab.as_str())
        .bind(i64::from(node))
        .bind(me.as_str())
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(WatcherId).collect())
    }

    pub async fn lab(&self, id: &LabId) -> Result<Option<LabRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {LAB_COLUMNS} FROM labs WHERE id = $1 AND status <> $2 AND user_id IS NOT NULL"
        ))
        .bind(id.as_str())
        .bind(LabStatus::Ended.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(LabRow::from_row).transpose()
    }

    /// Every live (starting or running) lab of a learner, of everyone;
    /// the warm pool's are [`Store::pool_labs`].
    pub async fn live_labs(&self) -> Result<Vec<LabRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LAB_COLUMNS} FROM labs WHERE status <> $1 AND user_id IS NOT NULL ORDER BY started_at"
        ))
        .bind(LabStatus::Ended.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(LabRow::from_row).collect()
    }

    pub async fn live_labs_of(&self, user: UserId) -> Result<Vec<LabRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LAB_COLUMNS} FROM labs WHERE status <> $1 AND user_id = $2 ORDER BY started_at"
        ))
        .bind(LabStatus::Ended.as_str())
        .bind(user.get())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(LabRow::from_row).collect()
    }

    /// Why the learner's most recent lab of the module ended; `None` if it
    /// has not ended (or there was none).
    pub async fn last_lab_end(&self, user: UserId, module: &ModuleId) -> Result<Option<EndReason>, StoreError> {
        let reason: Option<Option<String>> = sqlx::query_scalar(
            "SELECT end_reason FROM labs WHERE user_id = $1 AND module = $2 ORDER BY started_at DESC, id LIMIT 1",
        )
        .bind(user.get())
        .bind(module.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(reason.flatten().map(|r| r.parse()).transpose()?)
    }

    pub async fn touch_lab(&self, id: &LabId, at: Millis) -> Result<(), StoreError> {
        sqlx::query("UPDATE labs SET last_active = $2 WHERE id = $1 AND last_active < $2")
            .bind(id.as_str())
            .bind(at.get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Pushes the lab's end back; `false` if it was extended before (unless
    /// `again`, which staff may use) or is not running.
    pub async fn extend_lab(&self, id: &LabId, by: std::time::Duration, again: bool) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE labs SET expires_at = expires_at + $2, extended = 1 \
             WHERE id = $1 AND (extended = 0 OR $3 = 1) AND status = $4",
        )
        .bind(id.as_str())
        .bind(by.as_millis() as i64)
        .bind(i64::from(again))
        .bind(LabStatus::Running.as_str())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Logs the event and, when it completes the exercise, marks the
    /// exercise completed in the learner's progress, in one transaction.
    pub async fn log_exercise(&self, e: NewExerciseEvent<'_>) -> Result<(), StoreError> {
        let now = Millis::now().get();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO exercise_log (user_id, module, exercise, kind, passed, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.user.get())
        .bind(e.module.as_str())
        .bind(e.exercise.as_str())
        .bind(e.event.as_str())
        .bind(e.passed.map(i64::from))
        .bind(e.detail)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if e.completes {
            let write = ProgressWrite {
                user: e.user,
                kind: ItemKind::Exercise,
                item: e.exercise.as_str(),
                module: e.module,
                status: ProgressStatus::Completed,
                kept: ProgressStatus::Completed,
                at: now,
            };
            write_progress(&mut *tx, write).await?;
            super::outbox::queue_in(&mut tx, e.user, e.module, e.grading, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// What the learner did with an exercise so far.
    pub async fn exercise_history(&self, user: UserId, exercise: &ExerciseId) -> Result<ExerciseHistory, StoreError> {
        let mut histories = self.exercise_histories(user, std::slice::from_ref(exercise)).await?;
        Ok(histories.remove(exercise).unwrap_or_default())
    }

    /// What the learner did with each of `exercises` so far, in three
    /// queries however many there are (a lesson's lab panel lists them all).
    pub async fn exercise_histories(
        &self,
        user: UserId,
        exercises: &[ExerciseId],
    ) -> Result<HashMap<ExerciseId, ExerciseHistory>, StoreError> {
        let mut histories: HashMap<ExerciseId, ExerciseHistory> = exercises
            .iter()
            .map(|e| (e.clone(), ExerciseHistory::default()))
            .collect();
        if exercises.is_empty() {
            return Ok(histories);
        }
        // Each query binds three parameters of its own, then the exercises.
        let listed = |first: usize| {
            (first..first + exercises.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };

        let passed = format!(
            "SELECT item FROM progress WHERE user_id = $1 AND kind = $2 AND status = $3 \
             AND item IN ({})",
            listed(4)
        );
        let query = sqlx::query(&passed)
            .bind(user.get())
            .bind(ItemKind::Exercise.as_str())
            .bind(ProgressStatus::Completed.as_str());
        for row in bind_ids(query, exercises).fetch_all(self.pool()).await? {
            if let Some(h) = histories.get_mut(&row.id::<ExerciseId>("item")?) {
                h.passed = true;
            }
        }

        let shown = format!(
            "SELECT exercise, kind, COUNT(*) AS times FROM exercise_log \
             WHERE user_id = $1 AND kind IN ($2, $3) AND exercise IN ({}) GROUP BY exercise, kind",
            listed(4)
        );
        let query = sqlx::query(&shown)
            .bind(user.get())
            .bind(ExerciseEvent::Hint.as_str())
            .bind(ExerciseEvent::Solution.as_str());
        for row in bind_ids(query, exercises).fetch_all(self.pool()).await? {
            let Some(h) = histories.get_mut(&row.id::<ExerciseId>("exercise")?) else {
                continue;
            };
            match row.parsed::<ExerciseEvent>("kind")? {
                ExerciseEvent::Hint => h.hints = row.count("times")?,
                ExerciseEvent::Solution => h.solution = true,
                _ => {}
            }
        }

        let checks = format!(
            "SELECT exercise, detail FROM exercise_log WHERE id IN \
             (SELECT MAX(id) FROM exercise_log WHERE user_id = $1 AND kind IN ($2, $3) \
             AND exercise IN ({}) GROUP BY exercise)",
            listed(4)
        );
        let query = sqlx::query(&checks)
            .bind(user.get())
            .bind(ExerciseEvent::Check.as_str())
            .bind(ExerciseEvent::LiveCheck.as_str());
        for row in bind_ids(query, exercises).fetch_all(self.pool()).await? {
            if let Some(h) = histories.get_mut(&row.id::<ExerciseId>("exercise")?) {
                h.last_check = row.try_get::<Option<String>, _>("detail")?;
            }
        }
        Ok(histories)
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds each id in turn, for an `IN (...)` list.
fn bind_ids<'q>(query: AnyQuery<'q>, ids: &'q [ExerciseId]) -> AnyQuery<'q> {
    ids.iter().fold(query, |q, id| q.bind(id.as_str()))
}
