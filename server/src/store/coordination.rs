//! What several `berth serve` replicas on one PostgreSQL database agree on:
//! login failures, lab starts of the last minute, whose turn a periodic
//! round is, and locks around decisions that must not interleave (lab
//! capacity). On SQLite (one process) the same tables serve and the locks
//! are the process's own business.

use berth_app::model::Millis;
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

    /// How many start records are kept (for tests of forgetting).
    pub async fn start_records(&self) -> Result<usize, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lab_starts")
            .fetch_one(self.pool())
            .await?;
        usize::try_from(n).map_err(|_| StoreError::OutOfRange("lab_starts"))
    }
}
