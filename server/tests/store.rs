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

/// A database made by a Berth that stored its first tables' times in
/// seconds keeps its accounts and invites, now in milliseconds.
#[tokio::test]
async fn times_stored_in_seconds_become_milliseconds() {
    use sqlx::Connection;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for db in TestDb::both().await {
        let dialect = if db.url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        };
        // The schema as it was before migration 0008.
        let older = tempfile::TempDir::new().unwrap();
        for entry in std::fs::read_dir(common::workspace().join("migrations").join(dialect)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if name.as_str() < "0008" {
                std::fs::copy(entry.path(), older.path().join(&name)).unwrap();
            }
        }
        sqlx::any::install_default_drivers();
        let url = match dialect {
            "sqlite" => format!("{}?mode=rwc", db.url),
            _ => db.url.clone(),
        };
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(older.path())
            .await
            .unwrap()
            .run(&mut conn)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO users (email, password_hash, role, created_at) \
             VALUES ('old@example.org', 'x', 'learner', 1700000000)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::query(&format!(
            "INSERT INTO invites (code, uses_left, expires_at, created_at) VALUES ('OLDCODE', 1, {}, 1700000000)",
            now + 3600
        ))
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();

        let store = Store::open(&db.url).await.expect("an older database migrates");
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        let created: i64 = sqlx::query_scalar("SELECT created_at FROM users WHERE email = 'old@example.org'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        assert_eq!(created, 1_700_000_000_000, "{dialect}");
        // Read in seconds, the invite would have expired long ago.
        assert!(store.consume_invite("OLDCODE").await.unwrap(), "{dialect}");
        assert!(!store.consume_invite("OLDCODE").await.unwrap(), "{dialect}: one use");
    }
}

#[tokio::test]
async fn a_lessons_exercise_histories_load_together_on_both_databases() {
    use berth_app::model::{ExerciseEvent, ExerciseId, ModuleId, Role};
    use berth_server::auth::Email;
    use berth_server::store::NewExerciseEvent;

    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.unwrap();
        let email = Email::parse("ada@example.org").unwrap();
        let ada = store.create_user(&email, "hash", Role::Learner).await.unwrap().id;
        let module = ModuleId::from("docker");
        let [done, tried, untouched] = ["done", "tried", "untouched"].map(ExerciseId::from);
        let log = |exercise, event, detail, completes| NewExerciseEvent {
            user: ada,
            module: &module,
            exercise,
            event,
            passed: None,
            detail,
            completes,
            grading: None,
        };
        store
            .log_exercise(log(&done, ExerciseEvent::Check, r#"{"n":1}"#, false))
            .await
            .unwrap();
        store
            .log_exercise(log(&done, ExerciseEvent::LiveCheck, r#"{"n":2}"#, true))
            .await
            .unwrap();
        for _ in 0..2 {
            store
                .log_exercise(log(&tried, ExerciseEvent::Hint, "{}", false))
                .await
                .unwrap();
        }
        store
            .log_exercise(log(&tried, ExerciseEvent::Solution, "{}", false))
            .await
            .unwrap();

        let all = [done.clone(), tried.clone(), untouched.clone()];
        let histories = store.exercise_histories(ada, &all).await.unwrap();
        assert!(histories[&done].passed, "{:?}", histories[&done]);
        assert_eq!(
            histories[&done].last_check.as_deref(),
            Some(r#"{"n":2}"#),
            "the latest check"
        );
        assert_eq!((histories[&done].hints, histories[&done].solution), (0, false));
        assert!(!histories[&tried].passed);
        assert_eq!((histories[&tried].hints, histories[&tried].solution), (2, true));
        assert_eq!(histories[&tried].last_check, None);
        assert_eq!(histories[&untouched], Default::default());
        // One exercise alone reads the same as in the batch.
        assert_eq!(store.exercise_history(ada, &tried).await.unwrap(), histories[&tried]);
    }
}

/// Thirty learners claim from a warm pool of ten labs on two hosts at
/// once: ten get a lab each, never the same one, with its clocks set at
/// the claim; the rest find the pool empty. Waiting labs on a draining
/// host are handed to nobody. On both databases, through separate pools
/// (as several server processes would).
#[tokio::test]
async fn thirty_concurrent_claims_never_share_a_warm_lab() {
    use berth_app::model::{HostName, HostState, LabId, LabStatus, Millis, ModuleId};
    use berth_server::auth::Email;
    use std::collections::HashSet;
    use std::time::Duration;

    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.unwrap();
        let module = ModuleId::new("docker");
        let lifetime = Duration::from_secs(3600);
        let made_at = Millis::now();
        let shell = ["berth/lab-shell".to_string()];
        for name in ["h1", "h2"] {
            assert!(store.add_host(&host_row(name, 20, 1 << 20)).await.unwrap());
            store.set_host_images(&HostName::new(name), &shell).await.unwrap();
        }
        for n in 0..10 {
            let id = LabId::new(format!("warm{n:02}"));
            store
                .insert_pool_lab(&id, &module, made_at.plus(lifetime), &shell_lab(256))
                .await
                .unwrap();
            store.set_lab_pooled(&id).await.unwrap();
        }
        let spread: HashSet<_> = store.pool_labs().await.unwrap().into_iter().map(|l| l.host).collect();
        assert_eq!(spread.len(), 2, "the pool is spread over both hosts: {spread:?}");
        // Two more on a third host, which is then drained: not claimable.
        assert!(store.add_host(&host_row("h3", 2, 1 << 20)).await.unwrap());
        store.set_host_images(&HostName::new("h3"), &shell).await.unwrap();
        let mut draining = Vec::new();
        for n in 0..2 {
            let id = LabId::new(format!("warm-h3-{n}"));
            store
                .insert_pool_lab(&id, &module, made_at.plus(lifetime), &shell_lab(256))
                .await
                .unwrap();
            store.set_lab_pooled(&id).await.unwrap();
            assert_eq!(store.lab_host(&id).await.unwrap(), Some(HostName::new("h3")));
            draining.push(id);
        }
        store
            .set_host_state(&HostName::new("h3"), HostState::Draining)
            .await
            .unwrap();
        // One more, still being made: not claimable.
        let making = LabId::new("warm-making");
        store
            .insert_pool_lab(&making, &module, made_at.plus(lifetime), &shell_lab(256))
            .await
            .unwrap();
        // Another module's waiting lab is not this module's.
        let other = LabId::new("warm-other");
        store
            .insert_pool_lab(&other, &ModuleId::new("shell"), made_at.plus(lifetime), &shell_lab(256))
            .await
            .unwrap();
        store.set_lab_pooled(&other).await.unwrap();
        let mut learners = Vec::new();
        for n in 0..30 {
            let email = Email::parse(&format!("learner{n}@example.org")).unwrap();
            learners.push(
                store
                    .create_user(&email, "x", "learner".parse().unwrap())
                    .await
                    .unwrap()
                    .id,
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let before = Millis::now();
        let stores: Vec<Store> = futures_util::future::join_all((0..3).map(|_| Store::open(&db.url)))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let claims = learners.iter().enumerate().map(|(i, user)| {
            let (store, module) = (stores[i % 3].clone(), module.clone());
            let user = *user;
            tokio::spawn(async move { (user, store.claim_pool_lab(user, &module, lifetime).await.unwrap()) })
        });
        let results: Vec<_> = futures_util::future::join_all(claims)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let won: Vec<_> = results
            .iter()
            .filter_map(|(u, id)| id.clone().map(|id| (*u, id)))
            .collect();
        assert_eq!(won.len(), 10, "{}: every waiting lab claimed once", db.url);
        let ids: HashSet<_> = won.iter().map(|(_, id)| id.clone()).collect();
        assert_eq!(ids.len(), 10, "no lab went to two learners");
        assert!(!ids.contains(&making) && !ids.contains(&other));
        assert!(
            draining.iter().all(|d| !ids.contains(d)),
            "nothing from the draining host"
        );
        for (user, id) in &won {
            let row = store.lab(id).await.unwrap().expect("a claimed lab is the learner's");
            assert_eq!(row.user, *user);
            assert_eq!(row.status, LabStatus::Starting, "personalised before it runs");
            assert!(
                row.started_at >= before && row.last_active >= before,
                "clocks start at the claim"
            );
            assert!(row.expires_at >= before.plus(lifetime));
        }
        let left = store.pool_labs().await.unwrap();
        assert_eq!(
            left.iter().map(|l| l.id.clone()).collect::<HashSet<_>>(),
            HashSet::from([making, other, draining[0].clone(), draining[1].clone()])
        );
        assert!(
            left.iter()
                .filter(|l| draining.contains(&l.id))
                .all(|l| !l.is_claimable())
        );
        // A learner with a live lab for the module claims nothing more.
        let (user, _) = &won[0];
        let id = LabId::new("warm-late");
        store
            .insert_pool_lab(&id, &module, made_at.plus(lifetime), &shell_lab(256))
            .await
            .unwrap();
        store.set_lab_pooled(&id).await.unwrap();
        assert_eq!(store.claim_pool_lab(*user, &module, lifetime).await.unwrap(), None);
    }
}

/// Placement against listed hosts, on both databases: the least busy
/// active host that has room for the lab's memory and one more lab; a
/// draining or lost host never; no host at all means the default engine;
/// listed hosts without room mean no room. Ended labs free their place.
/// A host without the lab's image is passed over; with no host that has
/// it, placement names the image and the hosts that lack it.
#[tokio::test]
async fn labs_are_placed_on_active_hosts_with_room_and_the_image() {
    use berth_app::model::{HostName, HostState, LabId, Millis, ModuleId};
    use berth_server::store::{Needs, Placement, Recorded};

    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.unwrap();
        let module = ModuleId::new("shell");
        let later = Millis::now().plus(std::time::Duration::from_secs(3600));
        let mut n = 0;
        let mut place = async |memory_mb| {
            n += 1;
            let id = LabId::new(format!("lab{n}"));
            (
                id.clone(),
                store
                    .insert_pool_lab(&id, &module, later, &shell_lab(memory_mb))
                    .await
                    .unwrap(),
            )
        };
        let on = |name: &str| Recorded::Placed(Placement::Host(HostName::new(name)));
        assert_eq!(place(256).await.1, Recorded::Placed(Placement::Default));

        let host = host_row;
        assert!(store.add_host(&host("big", 10, 1024)).await.unwrap());
        assert!(store.add_host(&host("small", 1, 512)).await.unwrap());
        assert!(!store.add_host(&host("small", 5, 5)).await.unwrap(), "names are unique");
        // Neither has the image yet: no lab, and placement says why.
        assert_eq!(
            place(256).await.1,
            Recorded::MissingImage {
                image: "berth/lab-shell".into(),
                hosts: vec![HostName::new("big"), HostName::new("small")]
            }
        );
        let shell = ["berth/lab-shell".to_string()];
        for name in ["big", "small"] {
            store.set_host_images(&HostName::new(name), &shell).await.unwrap();
        }
        // Both empty: by name. Then the least busy.
        assert_eq!(place(256).await.1, on("big"));
        assert_eq!(place(256).await.1, on("small"));
        assert_eq!(place(256).await.1, on("big"));
        // small is full by count; big has 512 MiB left.
        assert_eq!(place(1024).await.1, Recorded::NoRoom);
        let (last, placed) = place(512).await;
        assert_eq!(placed, on("big"));
        assert_eq!(place(1).await.1, Recorded::NoRoom);
        store
            .end_lab(&last, berth_app::model::EndReason::Stopped)
            .await
            .unwrap();
        let loads = store.host_loads().await.unwrap();
        let big = loads.iter().find(|l| l.host.name == "big").unwrap();
        assert_eq!((big.labs, big.memory_mb), (2, 512));

        store
            .set_host_state(&HostName::new("big"), HostState::Draining)
            .await
            .unwrap();
        assert_eq!(place(1).await.1, Recorded::NoRoom, "a draining host takes no lab");
        store
            .set_host_state(&HostName::new("big"), HostState::Active)
            .await
            .unwrap();
        assert!(store.mark_host_lost(&HostName::new("big")).await.unwrap());
        assert!(!store.mark_host_lost(&HostName::new("big")).await.unwrap(), "once");
        assert_eq!(place(1).await.1, Recorded::NoRoom, "nor does a lost one");
        store
            .set_host_state(&HostName::new("big"), HostState::Active)
            .await
            .unwrap();
        let (id, placed) = place(1).await;
        assert_eq!(placed, on("big"));
        assert_eq!(store.lab_host(&id).await.unwrap(), Some(HostName::new("big")));

        // A docker lab goes only where its image is (listed only with a
        // filled mirror): "small", emptier, is passed over for "big"; once
        // "big" no longer has it (a sweep found it gone), no host with
        // room has it, and placement names both.
        let docker_lab = |memory_mb| Needs {
            image: "berth/lab-docker".into(),
            memory_mb,
        };
        let with_docker = ["berth/lab-docker".to_string(), "berth/lab-shell".to_string()];
        store
            .set_host_images(&HostName::new("big"), &with_docker)
            .await
            .unwrap();
        assert_eq!(store.host_images(&HostName::new("big")).await.unwrap(), with_docker);
        let small = store
            .host_loads()
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.host.name == "small")
            .unwrap();
        assert_eq!(small.labs, 1);
        store
            .end_lab(&LabId::new("lab4"), berth_app::model::EndReason::Stopped)
            .await
            .unwrap();
        let docker = LabId::new("docker1");
        let placed = store
            .insert_pool_lab(&docker, &module, later, &docker_lab(256))
            .await
            .unwrap();
        assert_eq!(placed, on("big"), "small has room but not the image");
        store.set_host_images(&HostName::new("big"), &shell).await.unwrap();
        let missing = Recorded::MissingImage {
            image: "berth/lab-docker".into(),
            hosts: vec![HostName::new("small"), HostName::new("big")],
        };
        let again = LabId::new("docker2");
        assert_eq!(
            store
                .insert_pool_lab(&again, &module, later, &docker_lab(1))
                .await
                .unwrap(),
            missing
        );
        assert!(store.lab(&again).await.unwrap().is_none(), "nothing recorded");
        assert!(matches!(
            store.room_for(&docker_lab(1)).await.unwrap(),
            berth_server::store::Placed::MissingImage { .. }
        ));
        // A shell lab still goes to the emptier host.
        assert_eq!(place(1).await.1, on("small"));
    }
}

/// Every host full: the waiting pool lab to give back is one whose end
/// lets the learner's lab onto its host (room for its memory, the image,
/// an active host), the oldest such; none when no end would help. On both
/// databases.
#[tokio::test]
async fn a_warm_lab_is_given_back_only_where_that_makes_room() {
    use berth_app::model::{HostName, HostState, LabId, Millis, ModuleId};
    use berth_server::store::{Needs, Placed};

    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.unwrap();
        let module = ModuleId::new("shell");
        let later = Millis::now().plus(std::time::Duration::from_secs(3600));
        let shell = ["berth/lab-shell".to_string()];
        for (name, labs) in [("a", 2), ("b", 1)] {
            assert!(store.add_host(&host_row(name, labs, 1024)).await.unwrap());
            store.set_host_images(&HostName::new(name), &shell).await.unwrap();
        }
        let warm = |id: &str| LabId::new(id);
        for id in ["p1", "p2"] {
            store
                .insert_pool_lab(&warm(id), &module, later, &shell_lab(256))
                .await
                .unwrap();
        }
        let learner = store
            .create_user(
                &berth_server::auth::Email::parse("ada@example.org").unwrap(),
                "x",
                "learner".parse().unwrap(),
            )
            .await
            .unwrap()
            .id;
        store
            .insert_lab(&warm("l1"), learner, &ModuleId::new("other"), later, &shell_lab(256))
            .await
            .unwrap();
        let host_of = async |id: &str| store.lab_host(&warm(id)).await.unwrap().unwrap();
        assert_eq!(
            (host_of("p1").await, host_of("p2").await, host_of("l1").await),
            (HostName::new("a"), HostName::new("b"), HostName::new("a"))
        );
        let needs = |image: &str, memory_mb| Needs {
            image: image.into(),
            memory_mb,
        };
        assert_eq!(store.room_for(&shell_lab(256)).await.unwrap(), Placed::NoRoom);
        assert_eq!(
            store.pool_lab_making_room(&shell_lab(256)).await.unwrap(),
            None,
            "a lab still being made is not given back"
        );
        for id in ["p1", "p2"] {
            store.set_lab_pooled(&warm(id)).await.unwrap();
        }
        assert_eq!(
            store.pool_lab_making_room(&shell_lab(256)).await.unwrap(),
            Some(warm("p1")),
            "the oldest that makes room"
        );
        assert_eq!(
            store.pool_lab_making_room(&shell_lab(1024)).await.unwrap(),
            Some(warm("p2")),
            "on a, the learner's lab leaves too little memory"
        );
        assert_eq!(
            store
                .pool_lab_making_room(&needs("berth/lab-docker", 256))
                .await
                .unwrap(),
            None,
            "no host has the image"
        );
        store
            .set_host_state(&HostName::new("b"), HostState::Draining)
            .await
            .unwrap();
        assert_eq!(
            store.pool_lab_making_room(&shell_lab(1024)).await.unwrap(),
            None,
            "b takes no lab"
        );
    }
}

/// An active lab host as `berth hosts add` lists it.
fn host_row(name: &str, max_labs: usize, memory_mb: u64) -> berth_server::store::HostRow {
    berth_server::store::HostRow {
        name: berth_app::model::HostName::new(name),
        url: format!("unix:///run/{name}.sock"),
        tls_dir: None,
        ssh_key: None,
        known_hosts: None,
        max_labs,
        memory_mb,
        state: berth_app::model::HostState::Active,
    }
}

/// A shell lab of `memory_mb`, as placement sees it.
fn shell_lab(memory_mb: u64) -> berth_server::store::Needs {
    berth_server::store::Needs {
        image: "berth/lab-shell".into(),
        memory_mb,
    }
}

/// A learning platform registered as `berth lti add-platform` would.
async fn register_a_platform(store: &Store) -> berth_server::store::Platform {
    store
        .upsert_lti_platform(berth_server::store::NewPlatform {
            issuer: "https://lms.example",
            client_id: "berth",
            deployment_ids: &["1".to_string()],
            auth_url: "https://lms.example/auth",
            token_url: "https://lms.example/token",
            jwks_url: "https://lms.example/jwks",
        })
        .await
        .unwrap()
}

/// A graded LMS link moved to another module: the line item takes only
/// the new module's score, on both databases (else both modules' scores
/// would overwrite each other in one gradebook column).
#[tokio::test]
async fn a_line_item_takes_one_modules_score() {
    use berth_app::model::{ModuleId, Role};
    use berth_server::auth::Email;
    use berth_server::store::GradeLink;

    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.unwrap();
        let email = Email::parse("ada@example.org").unwrap();
        let ada = store.create_user(&email, "hash", Role::Learner).await.unwrap().id;
        let platform = register_a_platform(&store).await;
        let link = |module: &str, lineitem: &str| GradeLink {
            user: ada,
            module: ModuleId::from(module),
            platform: platform.id,
            subject: "ada-on-the-lms".into(),
            lineitem: lineitem.into(),
            lineitems: None,
            scope: "https://purl.imsglobal.org/spec/lti-ags/scope/score".into(),
            changed_at: None,
        };
        store
            .set_grade_link(&link("images", "https://lms.example/items/1"))
            .await
            .unwrap();
        store
            .set_grade_link(&link("storage", "https://lms.example/items/2"))
            .await
            .unwrap();
        store
            .set_grade_link(&link("compose", "https://lms.example/items/1"))
            .await
            .unwrap();
        let mut linked: Vec<(String, String)> = store
            .changed_grade_links(Some(ada))
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.module.to_string(), l.lineitem))
            .collect();
        linked.sort();
        assert_eq!(
            linked,
            [
                ("compose".to_string(), "https://lms.example/items/1".to_string()),
                ("storage".to_string(), "https://lms.example/items/2".to_string()),
            ]
        );
        store.close().await;
    }
}

/// A deep linking picker's record is taken once, not after its expiry, and
/// keeps the platform's opaque data as it came, on both databases.
#[tokio::test]
async fn a_deep_linking_request_is_taken_once_and_not_after_it_expires() {
    use berth_app::model::{Millis, Role};
    use berth_server::auth::Email;
    use berth_server::store::PendingDeepLink;

    for db in TestDb::both().await {
        let store = Store::open(&db.url).await.unwrap();
        let email = Email::parse("teacher@example.org").unwrap();
        let teacher = store.create_user(&email, "hash", Role::Instructor).await.unwrap().id;
        let platform = register_a_platform(&store).await;
        let pending = PendingDeepLink {
            platform: platform.id,
            deployment_id: "1".into(),
            user: teacher,
            return_url: "https://lms.example/deep-links".into(),
            data: Some(serde_json::json!({"course": 7, "note": "opaque"})),
        };
        let later = Millis::now().plus(std::time::Duration::from_secs(60));
        store.add_lti_deep_link("fresh", &pending, later).await.unwrap();
        store.add_lti_deep_link("stale", &pending, Millis(1)).await.unwrap();
        assert_eq!(store.take_lti_deep_link("fresh").await.unwrap(), Some(pending.clone()));
        assert_eq!(store.take_lti_deep_link("fresh").await.unwrap(), None, "used once");
        assert_eq!(store.take_lti_deep_link("stale").await.unwrap(), None, "expired");
        assert_eq!(store.take_lti_deep_link("never").await.unwrap(), None);
        store.close().await;
    }
}
