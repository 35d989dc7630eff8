//! The schema, embedded in the binary so an install needs no extra files.

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use super::{Database, Store, StoreError};

type Embedded = &'static [(i64, &'static str, &'static str)];

/// Every migration, in order. Add a new file to both folders and a line to
/// both lists; a test checks the lists against the folders.
const SQLITE: Embedded = &[
    (
        1,
        "instance",
        include_str!("../../../migrations/sqlite/0001_instance.sql"),
    ),
    (2, "users", include_str!("../../../migrations/sqlite/0002_users.sql")),
    (
        3,
        "invites",
        include_str!("../../../migrations/sqlite/0003_invites.sql"),
    ),
    (
        4,
        "progress",
        include_str!("../../../migrations/sqlite/0004_progress.sql"),
    ),
    (
        5,
        "quiz_attempts",
        include_str!("../../../migrations/sqlite/0005_quiz_attempts.sql"),
    ),
    (6, "labs", include_str!("../../../migrations/sqlite/0006_labs.sql")),
    (
        7,
        "classrooms",
        include_str!("../../../migrations/sqlite/0007_classrooms.sql"),
    ),
    (
        8,
        "milliseconds",
        include_str!("../../../migrations/sqlite/0008_milliseconds.sql"),
    ),
    (
        9,
        "warm_pool",
        include_str!("../../../migrations/sqlite/0009_warm_pool.sql"),
    ),
    (
        10,
        "coordination",
        include_str!("../../../migrations/sqlite/0010_coordination.sql"),
    ),
    (11, "lti", include_str!("../../../migrations/sqlite/0011_lti.sql")),
    (
        12,
        "lab_setup",
        include_str!("../../../migrations/sqlite/0012_lab_setup.sql"),
    ),
    (
        13,
        "lti_binding",
        include_str!("../../../migrations/sqlite/0013_lti_binding.sql"),
    ),
    (
        14,
        "lab_hosts",
        include_str!("../../../migrations/sqlite/0014_lab_hosts.sql"),
    ),
    (15, "grades", include_str!("../../../migrations/sqlite/0015_grades.sql")),
    (
        16,
        "lti_deep_links",
        include_str!("../../../migrations/sqlite/0016_lti_deep_links.sql"),
    ),
    (
        17,
        "terminal_clients",
        include_str!("../../../migrations/sqlite/0017_terminal_clients.sql"),
    ),
    (
        18,
        "host_images",
        include_str!("../../../migrations/sqlite/0018_host_images.sql"),
    ),
    (
        19,
        "lti_memberships",
        include_str!("../../../migrations/sqlite/0019_lti_memberships.sql"),
    ),
    (
        20,
        "lab_makers",
        include_str!("../../../migrations/sqlite/0020_lab_makers.sql"),
    ),
    (
        21,
        "ssh_hosts",
        include_str!("../../../migrations/sqlite/0021_ssh_hosts.sql"),
    ),
];
const POSTGRES: Embedded = &[
    (
        1,
        "instance",
        include_str!("../../../migrations/postgres/0001_instance.sql"),
    ),
    (2, "users", include_str!("../../../migrations/postgres/0002_users.sql")),
    (
        3,
        "invites",
        include_str!("../../../migrations/postgres/0003_invites.sql"),
    ),
    (
        4,
        "progress",
        include_str!("../../../migrations/postgres/0004_progress.sql"),
    ),
    (
        5,
        "quiz_attempts",
        include_str!("../../../migrations/postgres/0005_quiz_attempts.sql"),
    ),
    (6, "labs", include_str!("../../../migrations/postgres/0006_labs.sql")),
    (
        7,
        "classrooms",
        include_str!("../../../migrations/postgres/0007_classrooms.sql"),
    ),
    (
        8,
        "milliseconds",
        include_str!("../../../migrations/postgres/0008_milliseconds.sql"),
    ),
    (
        9,
        "warm_pool",
        include_str!("../../../migrations/postgres/0009_warm_pool.sql"),
    ),
    (
        10,
        "coordination",
        include_str!("../../../migrations/postgres/0010_coordination.sql"),
    ),
    (11, "lti", include_str!("../../../migrations/postgres/0011_lti.sql")),
    (
        12,
        "lab_setup",
        include_str!("../../../migrations/postgres/0012_lab_setup.sql"),
    ),
    (
        13,
        "lti_binding",
        include_str!("../../../migrations/postgres/0013_lti_binding.sql"),
    ),
    (
        14,
        "lab_hosts",
        include_str!("../../../migrations/postgres/0014_lab_hosts.sql"),
    ),
    (
        15,
        "grades",
        include_str!("../../../migrations/postgres/0015_grades.sql"),
    ),
    (
        16,
        "lti_deep_links",
        include_str!("../../../migrations/postgres/0016_lti_deep_links.sql"),
    ),
    (
        17,
        "terminal_clients",
        include_str!("../../../migrations/postgres/0017_terminal_clients.sql"),
    ),
    (
        18,
        "host_images",
        include_str!("../../../migrations/postgres/0018_host_images.sql"),
    ),
    (
        19,
        "lti_memberships",
        include_str!("../../../migrations/postgres/0019_lti_memberships.sql"),
    ),
    (
        20,
        "lab_makers",
        include_str!("../../../migrations/postgres/0020_lab_makers.sql"),
    ),
    (
        21,
        "ssh_hosts",
        include_str!("../../../migrations/postgres/0021_ssh_hosts.sql"),
    ),
];

#[derive(Debug)]
struct Source(Embedded);

impl<'s> MigrationSource<'s> for Source {
    fn resolve(self) -> futures_core::future::BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        (*description).into(),
                        MigrationType::Simple,
                        (*sql).into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// How far a database is migrated, read without creating or changing it.
#[derive(Debug)]
pub struct Status {
    pub database: Database,
    /// Migrations applied, by version.
    pub applied: Vec<i64>,
    /// Migrations this build knows, by version.
    pub known: Vec<i64>,
}

impl Status {
    /// Applied versions this build does not know: a newer Berth migrated it.
    pub fn unknown(&self) -> Vec<i64> {
        self.applied
            .iter()
            .filter(|v| !self.known.contains(v))
            .copied()
            .collect()
    }

    /// Known versions not applied yet; `berth serve` applies them at start.
    pub fn pending(&self) -> Vec<i64> {
        self.known
            .iter()
            .filter(|v| !self.applied.contains(v))
            .copied()
            .collect()
    }
}

/// Connects (a SQLite file read-only; it must exist) and reads which
/// migrations ran.
pub async fn status(url: &str) -> Result<Status, StoreError> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let database = Database::of(url)?;
    let mut url = url.to_string();
    if database == Database::Sqlite && !url.contains("mode=") {
        url.push_str(if url.contains('?') { "&mode=ro" } else { "?mode=ro" });
    }
    let connect = sqlx::AnyConnection::connect(&url);
    let mut conn = tokio::time::timeout(std::time::Duration::from_secs(10), connect)
        .await
        .map_err(|_| StoreError::Sql(sqlx::Error::PoolTimedOut))??;
    // No table yet: nothing applied.
    let applied = sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    let _ = conn.close().await;
    let known = match database {
        Database::Sqlite => SQLITE,
        Database::Postgres => POSTGRES,
    };
    Ok(Status {
        database,
        applied,
        known: known.iter().map(|(v, _, _)| *v).collect(),
    })
}

pub async fn run(store: &Store) -> Result<(), StoreError> {
    let list = match store.database() {
        Database::Sqlite => SQLITE,
        Database::Postgres => POSTGRES,
    };
    let migrator = Migrator::new(Source(list)).await?;
    migrator.run(store.pool()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn on_disk(dialect: &str) -> Vec<(i64, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(dialect);
        let mut files: Vec<(i64, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .map(|name| {
                let (version, rest) = name.split_once('_').expect("migrations are named NNNN_description.sql");
                let description = rest.strip_suffix(".sql").expect("migrations end in .sql");
                (version.parse().unwrap(), description.to_string())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn every_migration_file_is_embedded_for_both_databases() {
        let listed = |l: Embedded| l.iter().map(|(v, d, _)| (*v, d.to_string())).collect::<Vec<_>>();
        assert_eq!(listed(SQLITE), on_disk("sqlite"));
        assert_eq!(listed(POSTGRES), on_disk("postgres"));
    }
}
