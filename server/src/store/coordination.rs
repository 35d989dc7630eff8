//! What several `berth serve` replicas on one PostgreSQL database agree on:
//! login failures, lab starts of the last minute, whose turn a periodic
//! round is, and locks around decisions that must not interleave (lab
//! capacity). On SQLite (one process) the same tables serve and the locks
//! are the process's own business.

use berth_app::model::{LabId, Millis, NodeNumber};
use sqlx::Row;
use std::time::Duration;

use super::{Database, RowExt, Store, StoreError};

/// A decision only one replica may take at a time, as a PostgreSQL
/// advisory lock key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Counting live labs against `--max-labs` and the start limits, then
    /// recording the lab.
    Admission,
    /// One lab sweep at a time, even if one outlasts its interval.
    Sweep,
    /// One warm-pool refill at a time.
    Refill,
    /// A replica's start-up: the instance id and the session table.
    Setup,
    /// Making Berth's first LTI signing key.
    FirstKey,
}

impl Lock {
    fn key(self) -> i64 {
        // "berth" in the high bytes, so other applications' advisory locks
        // in the same database do not collide with these.
        const BASE: i64 = 0x6265_7274_6800_0000;
        BASE + match self {
            Lock::Admission => 1,
            Lock::Sweep => 2,
            Lock::Refill => 3,
            Lock::Setup => 4,
            Lock::FirstKey => 5,
        }
    }
}

/// One `berth serve` process, named at random when it starts: what it
/// holds (terminals, watchers) is recorded under this name, so another
/// replica can let go of it when this one dies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReplicaId(String);

impl ReplicaId {
    /// This process's name, the same for every reload of its course.
    pub fn this_process() -> &'static ReplicaId {
        static ID: std::sync::OnceLock<ReplicaId> = std::sync::OnceLock::new();
        ID.get_or_init(|| ReplicaId(format!("{:016x}", rand::random::<u64>())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReplicaId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A terminal a dead replica left joined to a lab's shell.
#[derive(Clone, Debug)]
pub struct LeftClient {
    pub client: String,
    pub lab: LabId,
    pub node: NodeNumber,
}

/// A held [`Lock`]: a PostgreSQL transaction holding the advisory lock, or
/// nothing on SQLite. [`Held::release`] ends it; dropped instead (an error
/// on the way), the transaction rolls back and the lock goes with it, as
/// it does when the replica dies.
#[must_use = "a lock is held until released"]
pub struct Held(Option<sqlx::Transaction<'static, sqlx::Any>>);

impl Held {
    pub async fn release(self) -> Result<(), StoreError> {
        if let Some(tx) = self.0 {
            tx.commit().await?;
        }
        Ok(())
    }
}

/// One key's failed logins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginFailures {
    pub failures: u32,
    pub last: Millis,
}

/// One key's lab starts within a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecentStarts {
    pub count: usize,
    /// The oldest of them; `None` when there were none.
    pub oldest: Option<Millis>,
}

impl Store {
    /// Waits for the lock (PostgreSQL); on SQLite returns at once.
    pub async fn lock(&self, lock: Lock) -> Result<Held, StoreError> {
        if self.database == Database::Sqlite {
            return Ok(Held(None));
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock.key())
            .execute(&mut *tx)
            .await?;
        Ok(Held(Some(tx)))
    }

    /// The lock if nobody holds it (PostgreSQL); on SQLite always.
    pub async fn try_lock(&self, lock: Lock) -> Result<Option<Held>, StoreError> {
        if self.database == Database::Sqlite {
            return Ok(Some(Held(None)));
        }
        let mut tx = self.pool().begin().await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(lock.key())
            .fetch_one(&mut *tx)
            .await?;
        Ok(got.then_some(Held(Some(tx))))
    }

    /// Sends a PostgreSQL notification (see [`crate::events`]).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Claims the round of periodic work `name` if it is due: the next is
    /// then due `every` from now. Of replicas asking at once, one gets it.
    /// Returns the round's number.
    pub async fn claim_round(&self, name: &str, every: Duration) -> Result<Option<i64>, StoreError> {
        let now = Millis::now();
        sqlx::query("INSERT INTO rounds (name, due_at, done) VALUES ($1, 0, 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(self.pool())
            .await?;
        let row = sqlx::query(
            "UPDATE rounds SET due_at = $2, done = done + 1 WHERE name = $1 AND due_at <= $3 RETURNING done",
        )
        .bind(name)
        .bind(now.plus(every).get())
        .bind(now.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get::<i64, _>("done")).transpose()?)
    }

    /// The key's failed logins, unless the last was before `forget_before`.
    pub async fn login_failures(&self, key: &str, forget_before: Millis) -> Result<Option<LoginFailures>, StoreError> {
        let row = sqlx::query("SELECT failures, last_at FROM login_failures WHERE key = $1 AND last_at >= $2")
            .bind(key)
            .bind(forget_before.get())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(LoginFailures {
                failures: row.count("failures")?,
                last: row.millis("last_at")?,
            })
        })
        .transpose()
    }

    /// Counts a failed login against each key, starting afresh for keys
    /// whose last failure was before `forget_before` (and dropping every
    /// such entry, which bounds the table).
    pub async fn record_login_failure(
        &self,
        keys: &[&str],
        now: Millis,
        forget_before: Millis,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE last_at < $1")
            .bind(forget_before.get())
            .execute(self.pool())
            .await?;
        for key in keys {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, last_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1, last_at = $2",
            )
            .bind(*key)
            .bind(now.get())
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The key's lab starts since `since`.
    pub async fn recent_starts(&self, key: &str, since: Millis) -> Result<RecentStarts, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM lab_starts WHERE key = $1 AND at > $2")
            .bind(key)
            .bind(since.get())
            .fetch_one(self.pool())
            .await?;
        Ok(RecentStarts {
            count: row.count("n")?,
            oldest: row.try_get::<Option<i64>, _>("oldest")?.map(Millis),
        })
    }

    /// Charges a lab start to each key, forgetting starts at or before
    /// `forget_before` (nothing counts them any more).
    pub async fn record_start(&self, keys: &[&str], at: Millis, forget_before: Millis) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM lab_starts WHERE at <= $1")
            .bind(forget_before.get())
            .execute(self.pool())
            .await?;
        for key in keys {
            sqlx::query("INSERT INTO lab_starts (key, at) VALUES ($1, $2)")
                .bind(*key)
                .bind(at.get())
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// Says this replica is at work (its heartbeat).
    pub async fn replica_seen(&self, replica: &ReplicaId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO replicas (id, seen_at) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET seen_at = EXCLUDED.seen_at",
        )
        .bind(replica.as_str())
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The time a replica must have been seen at since to count as alive:
    /// on SQLite (one process) no other replica is, whenever it was seen.
    pub(super) fn alive_since(&self, silent_since: Millis) -> i64 {
        match self.database() {
            Database::Sqlite => i64::MAX,
            Database::Postgres => silent_since.get(),
        }
    }

    /// The replicas other than `me` that are gone: on SQLite (one process)
    /// every other one; on PostgreSQL those silent since `silent_since`,
    /// and those that left terminals or watchers and no sign of life.
    pub async fn dead_replicas(&self, me: &ReplicaId, silent_since: Millis) -> Result<Vec<ReplicaId>, StoreError> {
        let since = self.alive_since(silent_since);
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM replicas WHERE id <> $1 AND seen_at < $2 \
             UNION SELECT replica FROM terminal_clients WHERE replica <> $1 \
               AND replica NOT IN (SELECT id FROM replicas WHERE seen_at >= $2) \
             UNION SELECT replica FROM lab_watchers WHERE replica <> $1 \
               AND replica NOT IN (SELECT id FROM replicas WHERE seen_at >= $2)",
        )
        .bind(me.as_str())
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(ReplicaId).collect())
    }

    /// Records a terminal joined to a lab node's shell by `replica`.
    pub async fn add_terminal_client(
        &self,
        client: &str,
        (lab, node): (&LabId, NodeNumber),
        replica: &ReplicaId,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO terminal_clients (client, lab_id, node, replica) VALUES ($1, $2, $3, $4)")
            .bind(client)
            .bind(lab.as_str())
            .bind(i64::from(node))
            .bind(replica.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn remove_terminal_client(&self, client: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM terminal_clients WHERE client = $1")
            .bind(client)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The terminals a replica left joined.
    pub async fn clients_of(&self, replica: &ReplicaId) -> Result<Vec<LeftClient>, StoreError> {
        let rows = sqlx::query("SELECT client, lab_id, node FROM terminal_clients WHERE replica = $1")
            .bind(replica.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LeftClient {
                    client: r.try_get("client")?,
                    lab: LabId::new(r.try_get::<String, _>("lab_id")?),
                    node: NodeNumber::try_from(r.try_get::<i64, _>("node")?)
                        .map_err(|_| StoreError::OutOfRange("terminal_clients.node"))?,
                })
            })
            .collect()
    }

    /// Forgets a dead replica once its terminals are detached: its
    /// watchers' rows go, and the labs they watched (to tell their
    /// learners) are returned.
    pub async fn forget_replica(&self, replica: &ReplicaId) -> Result<Vec<LabId>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let watched: Vec<String> = sqlx::query_scalar("SELECT DISTINCT lab_id FROM lab_watchers WHERE replica = $1")
            .bind(replica.as_str())
            .fetch_all(&mut *tx)
            .await?;
        for table in ["lab_watchers", "terminal_clients"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE replica = $1"))
                .bind(replica.as_str())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM replicas WHERE id = $1")
            .bind(replica.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(watched.into_iter().map(LabId::new).collect())
    }

    /// How many start records are kept (for tests of forgetting).
    pub async fn start_records(&self) -> Result<usize, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lab_starts")
            .fetch_one(self.pool())
            .await?;
        usize::try_from(n).map_err(|_| StoreError::OutOfRange("lab_starts"))
    }
}
