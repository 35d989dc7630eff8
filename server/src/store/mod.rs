//! Everything Berth keeps on disk goes through [`Store`]: one SQL pool over
//! SQLite (the default, one file) or PostgreSQL (bigger installs), with the
//! schema migrated at start-up. Queries use `$1`-style parameters and
//! portable SQL so one statement serves both databases.
//!
//! Tables come as numbered migrations under `migrations/{sqlite,postgres}/`
//! (listed in `migrations.rs`), queries as methods in a submodule here, one
//! per domain concept. Queries take and return typed ids and row structs;
//! the CHECK-constrained texts are read and written through the model's
//! enums. Announcing changes is not the store's job: see [`crate::events`].
//! Every time is a [`Millis`].

mod classrooms;
mod coordination;
mod hosts;
mod instance;
mod invites;
mod labs;
mod lti;
mod migrations;
mod outbox;
mod progress;
mod quizzes;
mod users;

pub use classrooms::{
    AttemptRecord, AuditEntry, CheckRecord, ClassActivity, ClassroomRow, JoinOutcome, Member, NewAudit, NewClassroom,
    ProgressRecord,
};
pub use coordination::{Held, LeftClient, Lock, LoginFailures, RecentStarts, ReplicaId};
pub use hosts::{HostLoad, HostRow, Needs, Placed, Placement, RemoveHostError};
pub use labs::{ExerciseHistory, LabRow, NewExerciseEvent, PoolLabRow, Recorded, Warmup, WatcherId};
pub use lti::{LtiContext, NewPlatform, PendingDeepLink, PendingLogin, Platform, PlatformId, RosterSource, SigningKey};
pub use migrations::{Status as MigrationStatus, status as migration_status};
pub use outbox::{GradeLink, OutgoingScore};
pub use quizzes::NewAttempt;
pub use users::User;

use berth_app::model::{Millis, UnknownValue};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, ConnectOptions, Executor, Row};
use std::str::FromStr;
use std::time::Duration;

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    /// The engine a database URL names.
    pub fn of(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Database::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {0}: {1}")]
    CreateDir(String, std::io::Error),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("an account for {0} already exists")]
    EmailTaken(String),
    #[error("the database holds a value Berth cannot read: {0}")]
    Unreadable(#[from] UnknownValue),
    #[error("the database holds JSON Berth cannot read: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the database holds a number out of range in {0}")]
    OutOfRange(&'static str),
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    database: Database,
}

/// Typed reads of a row's columns.
trait RowExt {
    /// A text id column.
    fn id<T: From<String>>(&self, column: &str) -> Result<T, StoreError>;
    /// A CHECK-constrained text column, as its model enum.
    fn parsed<T: FromStr<Err = UnknownValue>>(&self, column: &str) -> Result<T, StoreError>;
    fn millis(&self, column: &str) -> Result<Millis, StoreError>;
    /// A 0/1 column.
    fn flag(&self, column: &str) -> Result<bool, StoreError>;
    /// A count or percent, never negative.
    fn count<T: TryFrom<i64>>(&self, column: &'static str) -> Result<T, StoreError>;
}

impl RowExt for AnyRow {
    fn id<T: From<String>>(&self, column: &str) -> Result<T, StoreError> {
        Ok(T::from(self.try_get::<String, _>(column)?))
    }

    fn parsed<T: FromStr<Err = UnknownValue>>(&self, column: &str) -> Result<T, StoreError> {
        Ok(self.try_get::<String, _>(column)?.parse()?)
    }

    fn millis(&self, column: &str) -> Result<Millis, StoreError> {
        Ok(Millis(self.try_get(column)?))
    }

    fn flag(&self, column: &str) -> Result<bool, StoreError> {
        Ok(self.try_get::<i64, _>(column)? == 1)
    }

    fn count<T: TryFrom<i64>>(&self, column: &'static str) -> Result<T, StoreError> {
        T::try_from(self.try_get::<i64, _>(column)?).map_err(|_| StoreError::OutOfRange(column))
    }
}

impl Store {
    /// Connects and migrates. A SQLite file and its folder are created if
    /// missing; SQLite runs in WAL mode with `synchronous = FULL`, so an
    /// acknowledged write survives a crash or power loss.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let database = Database::of(url)?;
        let mut url = url.to_string();
        if database == Database::Sqlite {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?;
            if let Some(dir) = options.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::CreateDir(dir.display().to_string(), e))?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        let options = AnyConnectOptions::from_str(&url)?.log_statements(tracing::log::LevelFilter::Trace);
        let pool = AnyPoolOptions::new()
            .max_connections(if database == Database::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if database == Database::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Self { pool, database };
        migrations::run(&store).await?;
        Ok(store)
    }

    pub fn database(&self) -> Database {
        self.database
    }

    /// A cheap round trip, for readiness probes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A database URL fit for logs and error messages: no password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

/// A store on a fresh SQLite file, for unit tests; the folder holds it.
#[cfg(test)]
pub async fn scratch() -> (Store, tempfile::TempDir) {
    let dir = tempfile::TempDir::new().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("b.db").display()))
        .await
        .unwrap();
    (store, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_commits_are_synced_to_disk() {
        let (store, _dir) = scratch().await;
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(sync, 2, "synchronous = FULL");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact("postgres://berth:s3cret@db/berth"),
            "postgres://berth:***@db/berth"
        );
        assert_eq!(redact("sqlite://data/berth.db"), "sqlite://data/berth.db");
    }
}
