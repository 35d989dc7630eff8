//! Everything Berth keeps on disk goes through [`Store`]: one SQL pool over
//! SQLite (the default, one file) or PostgreSQL (bigger installs), with the
//! schema migrated at start-up. Queries use `$1`-style parameters and
//! portable SQL so one statement serves both databases.
//!
//! Later parts of Berth add their tables as numbered migrations under
//! `migrations/{sqlite,postgres}/` (listed in `migrations.rs`) and their
//! queries as methods in a submodule here, one per domain concept.

mod classrooms;
mod instance;
mod invites;
mod labs;
mod migrations;
mod progress;
mod quizzes;
mod users;

pub use classrooms::{AuditEntry, ClassActivity, ClassroomRow, JoinOutcome, NewClassroom};
pub use labs::{ExerciseEvent, ExerciseHistory, LabRow};
pub use migrations::{Status as MigrationStatus, status as migration_status};
pub use quizzes::NewAttempt;
pub use users::User;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
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
    Corrupt(String),
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    changes: tokio::sync::broadcast::Sender<Change>,
}

/// A committed change to a learner's record, announced so live views (the
/// classroom grid) can refresh without polling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Lesson, exercise or quiz progress of this learner.
    Progress { user: i64 },
    /// Someone joined or left this classroom.
    Roster { classroom: i64 },
}

impl Store {
    /// Connects and migrates. A SQLite file and its folder are created if
    /// missing; SQLite runs in WAL mode with `synchronous = FULL`, so an
    /// acknowledged write survives a crash or power loss.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let mut url = url.to_string();
        if backend == Backend::Sqlite {
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
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
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
        let (changes, _) = tokio::sync::broadcast::channel(1024);
        let store = Self { pool, backend, changes };
        migrations::run(&store).await?;
        Ok(store)
    }

    /// Changes committed from now on. A receiver that falls behind by more
    /// than a thousand changes is told so (`Lagged`) and should reload.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    fn announce(&self, change: Change) {
        // No receiver is fine: nobody is watching.
        let _ = self.changes.send(change);
    }

    pub fn backend(&self) -> Backend {
        self.backend
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

/// Seconds since the Unix epoch, as most timestamps are stored.
pub(crate) fn unix_now() -> i64 {
    unix_now_millis() / 1000
}

/// Milliseconds since the Unix epoch, where order within a second matters.
pub(crate) fn unix_now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_commits_are_synced_to_disk() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("b.db").display()))
            .await
            .unwrap();
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
