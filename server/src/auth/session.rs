//! Server-side sessions in the same database as everything else, through
//! tower-sessions' sqlx stores (which need a pool of the concrete database
//! type, hence a small second pool beside the store's).

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::store::StoreError;

/// The session key holding the signed-in account's id.
pub const USER_ID: &str = "user_id";

#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// Connects to the database at `url` and creates the session table.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let sessions = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            let store = SqliteStore::new(pool);
            store.migrate().await?;
            Sessions::Sqlite(store)
        } else {
            let pool = PgPoolOptions::new().max_connections(4).connect(url).await?;
            let store = PostgresStore::new(pool);
            store.migrate().await?;
            Sessions::Postgres(store)
        };
        Ok(sessions)
    }

    /// The store of either database, which every call is passed on to.
    fn inner(&self) -> &dyn SessionStore {
        match self {
            Sessions::Sqlite(s) => s,
            Sessions::Postgres(s) => s,
        }
    }

    /// Deletes expired sessions every minute, for as long as the server runs.
    pub fn spawn_cleanup(&self) {
        let sessions = self.clone();
        tokio::spawn(async move {
            if let Err(e) = sessions.continuously_delete_expired(Duration::from_secs(60)).await {
                tracing::error!(error = %e, "deleting expired sessions stopped");
            }
        });
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.inner().create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.inner().save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner().load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner().delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete_expired().await,
            Sessions::Postgres(s) => s.delete_expired().await,
        }
    }
}
