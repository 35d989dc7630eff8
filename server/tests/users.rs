//! `berth user ...` as an operator runs it, on both databases.

mod common;

use berth_server::auth::{Email, PasswordHasher, Role};
use berth_server::store::Store;
use common::TestDb;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `berth user ARGS` against `db`, feeding `stdin`.
fn user(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("user")
        .args(args)
        .args(["--database-url", &db.url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const PASSWORD: &str = "harbour lantern crisp 42\n";

#[tokio::test]
async fn an_operator_bootstraps_and_manages_accounts() {
    for db in TestDb::both().await {
        let add = user(
            &db,
            &["add", " Ada@Example.org", "--role", "admin", "--password-stdin"],
            PASSWORD,
        );
        assert!(add.status.success(), "{}", text(&add));
        assert!(text(&add).contains("created ada@example.org (admin)"));

        let again = user(&db, &["add", "ada@example.org", "--password-stdin"], PASSWORD);
        assert!(!again.status.success());
        assert!(
            text(&again).contains("an account for ada@example.org already exists"),
            "{}",
            text(&again)
        );

        let learner = user(&db, &["add", "bo@example.org", "--password-stdin"], PASSWORD);
        assert!(learner.status.success(), "{}", text(&learner));

        let list = text(&user(&db, &["list"], ""));
        let ada = list
            .lines()
            .find(|l| l.starts_with("ada@example.org"))
            .expect("ada is listed");
        assert!(ada.contains("admin"), "{list}");
        assert!(
            list.lines()
                .any(|l| l.starts_with("bo@example.org") && l.contains("learner")),
            "{list}"
        );
        assert!(list.contains("2 accounts"));

        let promote = user(&db, &["set-role", "bo@example.org", "instructor"], "");
        assert!(promote.status.success(), "{}", text(&promote));

        let reset = user(
            &db,
            &["reset-password", "BO@example.org", "--password-stdin"],
            "another calm river 7\n",
        );
        assert!(reset.status.success(), "{}", text(&reset));

        // What the commands wrote is what the store reads.
        let store = Store::open(&db.url).await.unwrap();
        let (bo, hash) = store
            .user_by_email(&Email::parse("bo@example.org").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bo.role, Role::Instructor);
        let hasher = PasswordHasher::new(1);
        assert!(hasher.verify("another calm river 7", &hash).await);
        assert!(!hasher.verify(PASSWORD.trim(), &hash).await);
    }
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let db = TestDb::sqlite();
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["add", "not-an-email", "--password-stdin"],
            PASSWORD,
            "is not an email address",
        ),
        (
            &["add", "cy@example.org", "--password-stdin"],
            "password123\n",
            "too common",
        ),
        (&["add", "cy@example.org", "--password-stdin"], "short\n", "too short"),
        (&["add", "cy@example.org"], "", "pipe it in with --password-stdin"),
        (
            &["set-role", "nobody@example.org", "admin"],
            "",
            "there is no account for nobody@example.org",
        ),
        (
            &["reset-password", "nobody@example.org", "--password-stdin"],
            PASSWORD,
            "there is no account",
        ),
    ];
    for (args, stdin, expected) in cases {
        let out = user(&db, args, stdin);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
    }
    let store = Store::open(&db.url).await.unwrap();
    assert!(store.users().await.unwrap().is_empty());
}
