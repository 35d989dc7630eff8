//! Signing up, in and out over real HTTP, on both databases.

mod common;

use berth_server::store::Store;
use common::{PASSWORD, TestApp, TestDb, location};
use reqwest::StatusCode;
use std::time::Duration;

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("berth_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

#[tokio::test]
async fn sign_up_log_out_and_log_in_on_both_databases() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).spawn().await;
        let tab = app.browser();
        assert_eq!(app.me(&tab).await, None);

        let res = app.sign_up(&tab, "Ada@Example.org").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert_eq!(app.me(&tab).await.as_deref(), Some("ada@example.org"));

        // The header shows who is signed in; anonymous visitors see the way in.
        let page = app.text_as(&tab, "/").await;
        assert!(page.contains("ada@example.org") && page.contains("Log out"));
        assert!(app.page("/").await.1.contains(r#"href="/login""#));

        let stolen = session_cookie(&res).unwrap();
        let res = app.post_form(&tab, "/auth/logout", &[]).await;
        assert_eq!(location(&res), "/");
        assert_eq!(app.me(&tab).await, None);
        // Logging out ends the session on the server: the old cookie is worthless.
        let replay = app.get_with_cookie("/api/me", &stolen).await;
        assert_eq!(replay.text().await.unwrap(), "null");

        let wrong = app.log_in(&tab, "ada@example.org", "not it at all 1").await;
        assert_eq!(location(&wrong), "/login?error=credentials");
        let right = app
            .post_form(
                &tab,
                "/auth/login",
                &[
                    ("email", " ADA@example.org"),
                    ("password", PASSWORD),
                    ("next", "/modules/images"),
                ],
            )
            .await;
        assert_eq!(location(&right), "/modules/images");
        assert_eq!(app.me(&tab).await.as_deref(), Some("ada@example.org"));

        let elsewhere = app
            .post_form(
                &tab,
                "/auth/login",
                &[
                    ("email", "ada@example.org"),
                    ("password", PASSWORD),
                    ("next", "//evil.example/"),
                ],
            )
            .await;
        assert_eq!(location(&elsewhere), "/", "never redirected off the site");
    }
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let app = TestApp::spawn().await;
    let tab = app.browser();
    let first = app.sign_up(&tab, "bo@example.org").await;
    let before = session_cookie(&first).unwrap();
    let again = app.log_in(&tab, "bo@example.org", PASSWORD).await;
    let after = session_cookie(&again).unwrap();
    assert_ne!(before, after);
    let old = app.get_with_cookie("/api/me", &before).await;
    assert_eq!(
        old.text().await.unwrap(),
        "null",
        "the id from before login no longer works"
    );
}

#[tokio::test]
async fn idle_sessions_expire_on_the_server() {
    let app = TestApp::builder().flag("--session-idle-minutes", "0").spawn().await;
    let tab = app.browser();
    let res = app.sign_up(&tab, "cy@example.org").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&res).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let me = app.get_with_cookie("/api/me", &cookie).await;
    assert_eq!(me.text().await.unwrap(), "null");
}

#[tokio::test]
async fn sign_up_modes_and_invite_codes() {
    let closed = TestApp::builder().flag("--signup", "closed").spawn().await;
    let tab = closed.browser();
    let res = closed.sign_up(&tab, "a@example.org").await;
    assert_eq!(location(&res), "/signup?error=closed");
    assert_eq!(closed.me(&tab).await, None);

    let invite = TestApp::builder().flag("--signup", "invite").spawn().await;
    let store = Store::open(&invite.db.url).await.unwrap();
    store
        .create_invite("CLASSOF2026ABCDE", 1, Duration::from_secs(3600))
        .await
        .unwrap();
    store
        .create_invite("EXPIREDCODE00000", 5, Duration::ZERO)
        .await
        .unwrap();
    let tab = invite.browser();
    let signup = |email: &'static str, code: &'static str| {
        let (invite, tab) = (&invite, &tab);
        async move {
            location(
                &invite
                    .post_form(
                        tab,
                        "/auth/signup",
                        &[("email", email), ("password", PASSWORD), ("invite", code)],
                    )
                    .await,
            )
        }
    };
    assert_eq!(signup("b@example.org", "").await, "/signup?error=invite");
    assert_eq!(
        signup("b@example.org", "WRONGCODE").await,
        "/signup?error=invite&invite=WRONGCODE"
    );
    assert_eq!(
        signup("b@example.org", "EXPIREDCODE00000").await,
        "/signup?error=invite&invite=EXPIREDCODE00000"
    );
    assert_eq!(signup("b@example.org", "CLASSOF2026ABCDE").await, "/");
    assert_eq!(invite.me(&tab).await.as_deref(), Some("b@example.org"));
    let other = invite.browser();
    let reused = invite
        .post_form(
            &other,
            "/auth/signup",
            &[
                ("email", "c@example.org"),
                ("password", PASSWORD),
                ("invite", "CLASSOF2026ABCDE"),
            ],
        )
        .await;
    assert_eq!(
        location(&reused),
        "/signup?error=invite&invite=CLASSOF2026ABCDE",
        "a code is used up"
    );
}

#[tokio::test]
async fn bad_sign_ups_are_explained_and_create_nothing() {
    let app = TestApp::spawn().await;
    let tab = app.browser();
    let cases = [
        ("not-an-email", PASSWORD, "email"),
        ("d@example.org", "short", "password-short"),
        ("d@example.org", "password123", "password-common"),
    ];
    for (email, password, code) in cases {
        let res = app
            .post_form(&tab, "/auth/signup", &[("email", email), ("password", password)])
            .await;
        assert_eq!(location(&res), format!("/signup?error={code}"));
    }
    app.sign_up(&tab, "d@example.org").await;
    let twice = app.sign_up(&app.browser(), "D@example.org").await;
    assert_eq!(location(&twice), "/signup?error=unavailable");
    let store = Store::open(&app.db.url).await.unwrap();
    assert_eq!(store.users().await.unwrap().len(), 1);
    // Each problem has its own explanation on the page.
    let page = app.page("/signup?error=password-common").await.1;
    assert!(page.contains("too common or too easy to guess"), "{page}");
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_without_revealing_accounts() {
    let app = TestApp::spawn().await;
    let tab = app.browser();
    app.sign_up(&tab, "eve@example.org").await;
    app.post_form(&tab, "/auth/logout", &[]).await;

    for email in ["eve@example.org", "nobody@example.org"] {
        for attempt in 1..=4 {
            let res = app.log_in(&tab, email, "wrong guess 123 x").await;
            assert_eq!(location(&res), "/login?error=credentials", "{email} attempt {attempt}");
        }
        let res = app.log_in(&tab, email, "wrong guess 123 x").await;
        let to = location(&res);
        assert!(to.starts_with("/login?error=throttled&wait="), "{email}: {to}");
    }
    // Even the right password waits: throttling must not become an oracle.
    let res = app.log_in(&tab, "eve@example.org", PASSWORD).await;
    assert!(location(&res).starts_with("/login?error=throttled"));
    let page = app.page(&location(&res)).await.1;
    assert!(page.contains("Too many attempts. Wait"), "{page}");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::spawn().await;
    let url = format!("{}/auth/signup", app.base);
    let body = format!("email=f%40example.org&password={}", PASSWORD.replace(' ', "+"));
    let attempts = [
        vec![],
        vec![("origin", "http://evil.example")],
        vec![("sec-fetch-site", "cross-site"), ("origin", app.base.as_str())],
    ];
    for headers in attempts {
        let mut req = app
            .client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone());
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(res.text().await.unwrap().contains("cross-site request refused"));
    }
    let store = Store::open(&app.db.url).await.unwrap();
    assert!(store.users().await.unwrap().is_empty());
}
