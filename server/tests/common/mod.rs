//! Test harness: the real application on a random loopback port, with a
//! fresh database per test (SQLite file or PostgreSQL database).
#![allow(dead_code)] // each test binary uses part of the harness

use berth_server::config::{DatabaseArgs, ServeConfig};
use berth_server::{router, serve};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A database only this test uses.
pub struct TestDb {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = TempDir::new().unwrap();
        let url = format!("sqlite://{}", dir.path().join("berth.db").display());
        Self { url, _dir: Some(dir) }
    }

    /// A new database in the PostgreSQL that `cargo xtask test` starts (or
    /// the one named by BERTH_TEST_POSTGRES_URL).
    pub async fn postgres() -> Self {
        use sqlx::{Connection, Executor};
        let admin = std::env::var("BERTH_TEST_POSTGRES_URL").expect(
            "BERTH_TEST_POSTGRES_URL is not set: run the tests with `cargo xtask test`, which starts a private PostgreSQL",
        );
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "berth_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connecting to the test PostgreSQL");
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
        conn.close().await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        Self {
            url: format!("{base}/{name}"),
            _dir: None,
        }
    }

    pub async fn both() -> [Self; 2] {
        [Self::sqlite(), Self::postgres().await]
    }
}

/// A site folder holding the stylesheet, for tests that do not need the
/// browser bundle.
pub fn minimal_site() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::copy(
        workspace().join("app/style/berth.css"),
        dir.path().join("assets/berth.css"),
    )
    .unwrap();
    dir
}

pub fn config(content: &Path, db: &TestDb, site: &Path) -> ServeConfig {
    ServeConfig {
        content: content.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        database: DatabaseArgs {
            database_url: db.url.clone(),
        },
        site_dir: site.to_path_buf(),
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    _site: Option<TempDir>,
}

impl TestApp {
    /// The bundled course, SQLite, no browser bundle.
    pub async fn spawn() -> Self {
        Self::spawn_with(TestDb::sqlite()).await
    }

    pub async fn spawn_with(db: TestDb) -> Self {
        let site = minimal_site();
        let mut app = Self::spawn_on(db, site.path()).await;
        app._site = Some(site);
        app
    }

    pub async fn spawn_on(db: TestDb, site: &Path) -> Self {
        let config = config(&workspace().join("content"), &db, site);
        let state = serve::prepare(&config).await.expect("the app starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router::router(state)).await.unwrap() });
        Self {
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            db,
            _site: None,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> (reqwest::StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.unwrap())
    }
}
