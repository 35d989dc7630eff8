//! The data layer against both databases it supports.

mod common;

use berth_server::store::{Database, Store};
use common::TestDb;

#[tokio::test]
async fn migrations_apply_once_on_both_databases() {
    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.expect("fresh database migrates");
        store.ping().await.unwrap();
        store.set_instance_value("k", "v1").await.unwrap();
        store.close().await;

        // Opening again finds the schema in place and the data kept.
        let again = Store::open(&db.url).await.expect("migrating twice is a no-op");
        assert_eq!(again.instance_value("k").await.unwrap().as_deref(), Some("v1"));
        again.set_instance_value("k", "v2").await.unwrap();
        assert_eq!(again.instance_value("k").await.unwrap().as_deref(), Some("v2"));
        assert_eq!(again.instance_value("missing").await.unwrap(), None);
    }
}

#[tokio::test]
async fn the_url_selects_the_backend() {
    let [sqlite, postgres] = TestDb::both().await;
    assert_eq!(Store::open(&sqlite.url).await.unwrap().database(), Database::Sqlite);
    assert_eq!(Store::open(&postgres.url).await.unwrap().database(), Database::Postgres);
    let err = Store::open("mysql://x@y/z").await.unwrap_err().to_string();
    assert!(err.contains("unsupported database URL"), "{err}");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_and_creates_its_folder() {
    use sqlx::{Connection, Row};
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("nested/folder/berth.db");
    let store = Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
    assert!(path.exists());
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn the_server_answers_ready_on_postgres() {
    let app = common::TestApp::builder().db(TestDb::postgres().await).spawn().await;
    assert_eq!(app.page("/readyz").await.1, "ready\n");
    assert_eq!(app.page("/").await.0, reqwest::StatusCode::OK);
}
