//! LTI 1.3 launches from a real platform implementation: `lti1p3platform`
//! (PyPI), run by `tests/lti/platform.py`, initiates the login, checks
//! Berth's authentication request and signs the launch; the test follows
//! the browser's redirects and form posts through Berth's real server.

mod common;

use common::{TestApp, TestDb, location};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use berth_app::model::{ClassroomId, ScoreSync};
use berth_server::classroom::SchoolClock;
use berth_server::store::Store;

const CLIENT_ID: &str = "berth-client";
const DEPLOYMENT: &str = "deployment-1";

/// A running stand-in platform; killed when dropped.
struct Platform {
    child: Child,
    issuer: String,
    base: String,
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Platform {
    /// Starts the platform for the Berth at `tool` and registers it there
    /// with `berth lti add-platform`, as an operator would.
    fn start(app: &TestApp, issuer: Option<&str>) -> Self {
        let python = std::env::var("BERTH_TEST_LTI_PYTHON").expect(
            "BERTH_TEST_LTI_PYTHON is not set: run the tests with `cargo xtask test`, which installs lti1p3platform",
        );
        let script = common::workspace().join("server/tests/lti/platform.py");
        let mut cmd = Command::new(python);
        cmd.arg(script)
            .args([
                "--tool",
                &app.base,
                "--client-id",
                CLIENT_ID,
                "--deployment-id",
                DEPLOYMENT,
            ])
            .stdout(Stdio::piped());
        // Its request log only with the servers' (`BERTH_TEST_LOG=1`).
        if std::env::var_os("BERTH_TEST_LOG").is_none() {
            cmd.stderr(Stdio::null());
        }
        if let Some(issuer) = issuer {
            cmd.args(["--issuer", issuer]);
        }
        let mut child = cmd.spawn().expect("starting the platform");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let urls: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("platform said {line:?}"));
        let text = |k: &str| urls[k].as_str().unwrap().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(["lti", "add-platform", "--database-url", &app.db.url])
            .args(["--issuer", &text("issuer"), "--client-id", CLIENT_ID])
            .args(["--deployment-id", DEPLOYMENT, "--auth-url", &text("auth_url")])
            .args(["--token-url", &text("token_url"), "--jwks-url", &text("jwks_url")])
            .args(["--public-url", &app.base])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(&format!("{}/lti/login", app.base)), "{stdout}");
        assert!(
            stdout.contains(&format!("{}/.well-known/jwks.json", app.base)),
            "{stdout}"
        );
        Platform {
            child,
            issuer: text("issuer"),
            base: text("base"),
        }
    }

    /// The course's instructor, launched first: the launch makes the
    /// classroom tied to the course that learners join.
    async fn course_teacher(&self, app: &TestApp) -> reqwest::Client {
        let teacher = app.browser();
        let query = [("user", "teacher-1"), ("role", "instructor"), ("context", "course-1")];
        landing(self.launch(app, &teacher, &query).await).await;
        teacher
    }

    /// The browser's way from the LMS's link to Berth's answer to the
    /// launch: the login initiation, Berth's redirect to the platform, the
    /// platform's form posted to Berth (cross-site, as browsers do).
    async fn launch(&self, app: &TestApp, tab: &reqwest::Client, query: &[(&str, &str)]) -> reqwest::Response {
        let form = self.launch_form(app, tab, query).await;
        form.post(tab, &self.base, &form.id_token, &form.state).await
    }

    /// The way up to the launch form the platform would post to Berth.
    async fn launch_form(&self, app: &TestApp, tab: &reqwest::Client, query: &[(&str, &str)]) -> Form {
        let start = tab
            .get(format!("{}/start", self.base))
            .query(query)
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 302);
        let login = tab.get(location(&start)).send().await.unwrap();
        assert_eq!(login.status(), 303, "{}", login.text().await.unwrap());
        let auth_url = location(&login);
        assert!(auth_url.starts_with(&format!("{}/auth?", self.base)), "{auth_url}");
        let auth = tab.get(&auth_url).send().await.unwrap();
        assert_eq!(auth.status(), 200, "the platform refused Berth's request");
        let form = Form::read(&auth.text().await.unwrap());
        assert_eq!(form.action, format!("{}/lti/launch", app.base));
        form
    }
}

/// The platform's auto-submitting launch form.
struct Form {
    action: String,
    id_token: String,
    state: String,
}

impl Form {
    fn read(html: &str) -> Self {
        let doc = scraper::Html::parse_document(html);
        let one = |selector: &str, attr: &str| {
            let s = scraper::Selector::parse(selector).unwrap();
            doc.select(&s)
                .next()
                .and_then(|e| e.value().attr(attr))
                .unwrap_or_else(|| panic!("no {selector} in {html}"))
                .to_string()
        };
        Form {
            action: one("form", "action"),
            id_token: one("input[name=id_token]", "value"),
            state: one("input[name=state]", "value"),
        }
    }

    async fn post(&self, tab: &reqwest::Client, origin: &str, id_token: &str, state: &str) -> reqwest::Response {
        tab.post(&self.action)
            .header("origin", origin)
            .header("sec-fetch-site", "cross-site")
            .form(&[("id_token", id_token), ("state", state)])
            .send()
            .await
            .unwrap()
    }
}

/// Where a launch leads: it signs the person in and redirects there.
async fn landing(launched: reqwest::Response) -> String {
    assert_eq!(launched.status(), 303, "{}", launched.text().await.unwrap());
    location(&launched)
}

fn lesson_of_first_module() -> (String, String, String) {
    let course = common::bundled_course();
    let module = &course.modules[0];
    let lesson = &module.lessons[1];
    (module.id.to_string(), lesson.id.to_string(), lesson.title.clone())
}

#[tokio::test]
async fn learners_and_instructors_launch_into_the_lesson_and_the_course_classroom() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).spawn().await;
        let platform = Platform::start(&app, None);
        let (module, lesson, title) = lesson_of_first_module();
        let target = format!("/modules/{module}/{lesson}");

        // A learner launches before any instructor: signed in, on the lesson.
        let early = app.browser();
        let launched = platform
            .launch(
                &app,
                &early,
                &[
                    ("user", "learner-1"),
                    ("role", "learner"),
                    ("context", "course-7"),
                    ("target", &target),
                    ("email", "Ada.Lovelace@school.example"),
                ],
            )
            .await;
        assert_eq!(landing(launched).await, target);
        let page = app.text_as(&early, &target).await;
        assert!(page.contains(&title), "the lesson is shown");
        let me = app.me(&early).await.expect("signed in");
        assert!(me.starts_with("ada.lovelace.") && me.ends_with(".invalid"), "{me}");

        // The instructor's launch makes the course's classroom, with the
        // learner who came first in it; the custom parameter picks the page.
        let teacher = app.browser();
        let launched = platform
            .launch(
                &app,
                &teacher,
                &[
                    ("user", "teacher-1"),
                    ("role", "instructor"),
                    ("context", "course-7"),
                    ("context_title", "Containers 101"),
                    ("module", &module),
                ],
            )
            .await;
        assert_eq!(landing(launched).await, format!("/modules/{module}"));
        let store = Store::open(&app.db.url).await.unwrap();
        let rooms = store.classrooms(None).await.unwrap();
        assert_eq!(rooms.len(), 1);
        assert_eq!(rooms[0].name, "Containers 101");
        assert_eq!(rooms[0].owner_email, app.me(&teacher).await.unwrap());
        let members = store.members(rooms[0].id).await.unwrap();
        assert_eq!(
            members.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
            [me.as_str()]
        );

        // A second learner joins the classroom on their launch; the
        // instructor sees both.
        let later = app.browser();
        let launched = platform
            .launch(
                &app,
                &later,
                &[
                    ("user", "learner-2"),
                    ("role", "learner"),
                    ("context", "course-7"),
                    ("target", &target),
                ],
            )
            .await;
        assert_eq!(landing(launched).await, target);
        let second = app.me(&later).await.unwrap();
        let grid = app.text_as(&teacher, &format!("/classrooms/{}", rooms[0].id)).await;
        assert!(grid.contains(&me) && grid.contains(&second), "{grid}");

        // Launching again is the same account, not a new one.
        let again = app.browser();
        let launched = platform
            .launch(
                &app,
                &again,
                &[("user", "learner-1"), ("role", "learner"), ("context", "course-7")],
            )
            .await;
        // No module and a target of /lti/launch itself: the front page.
        assert_eq!(landing(launched).await, "/");
        assert_eq!(app.me(&again).await.unwrap(), me);
        assert_eq!(store.members(rooms[0].id).await.unwrap().len(), 2);
        // Accounts made by launches have no password to log in with.
        let res = app.log_in(&app.browser(), &me, "").await;
        assert!(location(&res).starts_with("/login?error="));
        store.close().await;
    }
}

#[tokio::test]
async fn berth_publishes_its_key_set_and_keeps_a_rotated_key_until_it_expires() {
    let app = TestApp::spawn().await;
    let keys = |app: &TestApp| {
        let url = format!("{}/.well-known/jwks.json", app.base);
        let client = app.client.clone();
        async move {
            let set: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
            set["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| {
                    assert_eq!(k["kty"], "RSA");
                    assert_eq!(k["alg"], "RS256");
                    k["kid"].as_str().unwrap().to_string()
                })
                .collect::<Vec<_>>()
        }
    };
    let first = keys(&app).await;
    assert_eq!(first.len(), 1, "the first key is made on first need");
    assert_eq!(keys(&app).await, first, "and kept");
    let rotate = |keep: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(["lti", "rotate-key", "--keep", keep, "--database-url", &app.db.url])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    rotate("1h");
    let rotated = keys(&app).await;
    assert_eq!(rotated.len(), 2);
    assert_eq!(rotated[1], first[0], "the old key is still served, after the new one");
    // Rotating again with no time kept: the key rotated in just now is
    // gone at once, the first is still in its hour.
    rotate("0s");
    let again = keys(&app).await;
    assert_eq!(again.len(), 2, "{again:?}");
    assert!(!again.contains(&rotated[0]) && again[1] == first[0], "{again:?}");
}

/// Each broken launch gets a 4xx page saying why, and signs nobody in.
#[tokio::test]
async fn forged_replayed_and_misdirected_launches_are_refused() {
    let app = TestApp::spawn().await;
    let platform = Platform::start(&app, None);
    let cases = [
        ("wrong_audience", 401, "meant for another tool"),
        ("expired", 401, "has expired"),
        ("unknown_deployment", 403, "deployment is not registered"),
        ("unknown_kid", 401, "names a key the platform does not publish"),
        ("foreign_key", 401, "signature does not verify"),
        ("wrong_issuer", 401, "from another issuer"),
        ("wrong_nonce", 401, "nonce is not this login"),
    ];
    for (scenario, status, says) in cases {
        let tab = app.browser();
        let res = platform
            .launch(&app, &tab, &[("user", "mallory"), ("scenario", scenario)])
            .await;
        assert_eq!(res.status(), status, "{scenario}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("This launch was refused") && page.contains(says),
            "{scenario}: {page}"
        );
        assert_eq!(app.me(&tab).await, None, "{scenario}");
    }

    // A good launch, replayed: the same id_token and state twice.
    let tab = app.browser();
    let form = platform.launch_form(&app, &tab, &[("user", "learner-1")]).await;
    // A state that is not the login's is refused, and spends nothing.
    let res = form
        .post(&tab, &platform.base, &form.id_token, "a-state-of-my-own")
        .await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("not begun in this browser"));
    let first = form.post(&tab, &platform.base, &form.id_token, &form.state).await;
    assert_eq!(first.status(), 303);
    // The launch spent the browser's cookie for it, and the login itself:
    // a replay is refused even with a copy of that cookie.
    let replay = form.post(&tab, &platform.base, &form.id_token, &form.state).await;
    assert_eq!(replay.status(), 401);
    assert!(replay.text().await.unwrap().contains("not begun in this browser"));
    let replay = app
        .client
        .post(&form.action)
        .header("cookie", binding_cookie(&form.state))
        .form(&[("id_token", &form.id_token), ("state", &form.state)])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert!(replay.text().await.unwrap().contains("does not match a login"));

    // Login initiations for platforms or targets Berth does not know.
    for (query, status) in [
        (
            vec![
                ("iss", "https://unknown.example"),
                ("login_hint", "x"),
                ("target_link_uri", &app.base),
            ],
            403,
        ),
        (
            vec![
                ("iss", &platform.issuer),
                ("login_hint", "x"),
                ("target_link_uri", "https://evil.example/"),
            ],
            403,
        ),
        (
            vec![
                ("iss", &platform.issuer),
                ("login_hint", "x"),
                ("target_link_uri", &app.base),
                ("lti_deployment_id", "other"),
            ],
            403,
        ),
        (vec![("iss", &platform.issuer), ("target_link_uri", &app.base)], 400),
    ] {
        let res = app
            .client
            .get(format!("{}/lti/login", app.base))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{query:?}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(
            csp.contains("frame-ancestors *"),
            "refusals show inside the LMS's frame: {csp}"
        );
    }
}

/// The same subject from two platforms is two people.
#[tokio::test]
async fn the_same_subject_on_two_platforms_is_two_accounts() {
    let app = TestApp::spawn().await;
    let school = Platform::start(&app, None);
    let other = Platform::start(&app, Some("https://other-lms.example"));
    let mut accounts = Vec::new();
    for platform in [&school, &other] {
        let tab = app.browser();
        let launched = platform
            .launch(&app, &tab, &[("user", "same-sub"), ("role", "learner")])
            .await;
        landing(launched).await;
        accounts.push(app.me(&tab).await.unwrap());
    }
    assert_ne!(accounts[0], accounts[1]);
}

/// The cookie `/lti/login` gives the browser for the login of `state`.
fn binding_cookie(state: &str) -> String {
    format!("berth-lti-{}={state}", &state[..16])
}

/// Login CSRF: Mallory starts a launch of her own, keeps the platform's
/// signed form instead of posting it, and makes Ada's browser post it (a
/// page of hers that auto-submits). Were it accepted, Ada would work on in
/// Mallory's account, and Mallory would read all of it.
#[tokio::test]
async fn a_launch_is_refused_in_a_browser_that_did_not_begin_its_login() {
    let app = TestApp::spawn().await;
    let platform = Platform::start(&app, None);
    let mallory = app.browser();
    let form = platform.launch_form(&app, &mallory, &[("user", "mallory")]).await;

    let ada = app.browser();
    let res = form
        .post(&ada, "https://mallory.example", &form.id_token, &form.state)
        .await;
    assert_eq!(res.status(), 401);
    let page = res.text().await.unwrap();
    assert!(page.contains("not begun in this browser"), "{page}");
    assert_eq!(app.me(&ada).await, None, "Ada is signed in as nobody");

    // The refusal spent nothing: the browser that began it still can.
    let res = form.post(&mallory, &platform.base, &form.id_token, &form.state).await;
    landing(res).await;
    assert!(app.me(&mallory).await.is_some());
}

/// Inside the LMS's iframe Berth's cookies would not be kept: the login
/// answers with a page, framable, that opens the same login in Berth's own
/// window, where the launch signs the person in.
#[tokio::test]
async fn a_framed_login_opens_berth_in_a_window_of_its_own() {
    let app = TestApp::spawn().await;
    let platform = Platform::start(&app, None);
    let (module, lesson, _) = lesson_of_first_module();
    let target = format!("/modules/{module}/{lesson}");
    let tab = app.browser();
    let start = tab
        .get(format!("{}/start", platform.base))
        .query(&[("user", "learner-1"), ("target", &target)])
        .send()
        .await
        .unwrap();
    let res = tab
        .get(location(&start))
        .header("sec-fetch-dest", "iframe")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        csp.contains("frame-ancestors *") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(res.headers().get("set-cookie").is_none(), "no cookie inside the frame");
    let page = res.text().await.unwrap();
    let doc = scraper::Html::parse_document(&page);
    let link = doc
        .select(&scraper::Selector::parse("a[target=_blank]").unwrap())
        .next()
        .expect("a link to a new window");
    let href = link.value().attr("href").unwrap();
    assert!(href.starts_with("/lti/login?"), "{href}");

    // The new window: the same login, first-party, through to the lesson.
    let login = tab.get(format!("{}{href}", app.base)).send().await.unwrap();
    assert_eq!(login.status(), 303, "{}", login.text().await.unwrap());
    let auth = tab.get(location(&login)).send().await.unwrap();
    let form = Form::read(&auth.text().await.unwrap());
    let launched = form.post(&tab, &platform.base, &form.id_token, &form.state).await;
    assert_eq!(landing(launched).await, target);
    assert!(app.me(&tab).await.is_some());
}

/// A learner who opens the activity twice at once, before their account
/// exists, gets one account, not an error.
#[tokio::test]
async fn two_first_launches_at_once_make_one_account() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).spawn().await;
        let platform = Platform::start(&app, None);
        let (one, two) = (app.browser(), app.browser());
        let who = [("user", "twice"), ("role", "learner"), ("context", "course-9")];
        let (form_one, form_two) = tokio::join!(
            platform.launch_form(&app, &one, &who),
            platform.launch_form(&app, &two, &who)
        );
        let (a, b) = tokio::join!(
            form_one.post(&one, &platform.base, &form_one.id_token, &form_one.state),
            form_two.post(&two, &platform.base, &form_two.id_token, &form_two.state)
        );
        landing(a).await;
        landing(b).await;
        assert_eq!(app.me(&one).await, app.me(&two).await);
    }
}

/// Replicas asked for Berth's key set at once, before it has a key, agree
/// on one key rather than each making its own.
#[tokio::test]
async fn replicas_make_one_first_signing_key() {
    use berth_server::lti::{Lti, key_set};
    let db = TestDb::postgres().await;
    let first = Store::open(&db.url).await.unwrap();
    let second = Store::open(&db.url).await.unwrap();
    let (a, b) = (Lti::new(None), Lti::new(None));
    let (one, two) = tokio::join!(key_set(&a, &first), key_set(&b, &second));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one["keys"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one, two);
    first.close().await;
    second.close().await;
}

/// A platform whose key set Berth cannot fetch (here: a mistyped URL,
/// nothing listens there) gets a 502 page saying so, and nobody is
/// signed in.
#[tokio::test]
async fn a_launch_whose_key_set_cannot_be_fetched_is_a_bad_gateway() {
    use berth_server::store::NewPlatform;
    let app = TestApp::spawn().await;
    let platform = Platform::start(&app, None);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}/jwks", closed.local_addr().unwrap());
    drop(closed);
    let store = Store::open(&app.db.url).await.unwrap();
    let [registered] = store
        .lti_platforms_of(&platform.issuer)
        .await
        .unwrap()
        .try_into()
        .unwrap();
    store
        .upsert_lti_platform(NewPlatform {
            issuer: &registered.issuer,
            client_id: &registered.client_id,
            deployment_ids: &registered.deployment_ids,
            auth_url: &registered.auth_url,
            token_url: &registered.token_url,
            jwks_url: &nowhere,
        })
        .await
        .unwrap();
    store.close().await;

    let tab = app.browser();
    let res = platform.launch(&app, &tab, &[("user", "learner-1")]).await;
    assert_eq!(res.status(), 502);
    let page = res.text().await.unwrap();
    assert!(page.contains("key set could not be fetched"), "{page}");
    assert_eq!(app.me(&tab).await, None);
}

/// Admins see, on a page, the addresses to type into the LMS, what is
/// registered and Berth's key; instructors and visitors are refused.
#[tokio::test]
async fn admins_see_the_registered_platforms_and_what_to_enter() {
    let app = TestApp::spawn().await;
    let platform = Platform::start(&app, None);
    let tab = app.browser();
    landing(platform.launch(&app, &tab, &[("user", "learner-1")]).await).await;
    // The platform's first fetch of Berth's key set makes the key.
    assert_eq!(app.get("/.well-known/jwks.json").await.status(), 200);
    let store = Store::open(&app.db.url).await.unwrap();
    let mut tabs = Vec::new();
    for (email, role) in [("al@example.org", "admin"), ("ivy@example.org", "instructor")] {
        let signed_in = app.signed_up(email).await;
        let address = berth_server::auth::Email::parse(email).unwrap();
        assert!(store.set_role(&address, role.parse().unwrap()).await.unwrap());
        tabs.push(signed_in);
    }
    store.close().await;

    let res = tabs[0]
        .get(format!("{}/admin/platforms", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    for shown in [
        format!("{}/lti/login", app.base),
        format!("{}/lti/launch", app.base),
        format!("{}/.well-known/jwks.json", app.base),
        platform.issuer.clone(),
        CLIENT_ID.to_string(),
        DEPLOYMENT.to_string(),
        "signs now".to_string(),
        "start Berth with --public-url".to_string(),
    ] {
        assert!(page.contains(&shown), "{shown} not on the page: {page}");
    }
    let doc = scraper::Html::parse_document(&page);
    let cells: Vec<String> = doc
        .select(&scraper::Selector::parse("tbody tr td").unwrap())
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(
        cells.last().map(String::as_str),
        Some("1"),
        "one account launched: {cells:?}"
    );

    let res = tabs[1]
        .get(format!("{}/admin/platforms", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("This page is for admins"));
    let (status, page) = app.page("/admin/platforms").await;
    assert_eq!(status, 401);
    assert!(page.contains("Log in to see the learning platforms"));
    assert!(!page.contains(CLIENT_ID));
}

impl Platform {
    /// What the platform's gradebook and token endpoint received.
    async fn received(&self) -> serde_json::Value {
        let res = reqwest::get(format!("{}/received", self.base)).await.unwrap();
        res.json().await.unwrap()
    }

    /// Waits (up to a minute) until the gradebook holds `n` scores.
    async fn scores(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..600 {
            let got = self.received().await["scores"].as_array().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the platform did not receive {n} scores: {}", self.received().await);
    }

    /// From now on the token and score endpoints answer `status` (0: serve).
    async fn outage(&self, status: u16) {
        self.control(&format!("status={status}")).await;
    }

    /// The next score posted is answered `status` and not recorded.
    async fn refuse_next_score(&self, status: u16) {
        self.control(&format!("status={status}&once=score")).await;
    }

    async fn control(&self, query: &str) {
        let res = reqwest::get(format!("{}/outage?{query}", self.base)).await.unwrap();
        assert!(res.status().is_success());
    }
}

/// Waits (up to ten seconds) until the classroom's first grade sync is in
/// the state `pick` takes, and returns what it took.
async fn first_sync<T>(store: &Store, room: ClassroomId, pick: impl Fn(&ScoreSync) -> Option<T>) -> T {
    let mut syncs = Vec::new();
    for _ in 0..100 {
        syncs = store.score_syncs(room).await.unwrap();
        if let Some(found) = syncs.first().and_then(|(_, _, sync)| pick(sync)) {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the grade sync never reached the state looked for: {syncs:?}");
}

/// A learner launched into a module, signed in.
async fn launched_learner(app: &TestApp, platform: &Platform, user: &str, module: &str) -> reqwest::Client {
    let tab = app.browser();
    let query = [
        ("user", user),
        ("role", "learner"),
        ("context", "course-1"),
        ("module", module),
    ];
    let launched = platform.launch(app, &tab, &query).await;
    assert_eq!(landing(launched).await, format!("/modules/{module}"));
    tab
}

/// The quiz-course's quiz answered with only the text and number
/// questions right (each a fifth of the score).
async fn take_quiz(app: &TestApp, tab: &reqwest::Client, word: &str, count: &str) {
    let fields = [("q.word", word), ("q.count", count)];
    let res = app.post_form(tab, "/modules/basics/quiz", &fields).await;
    assert_eq!(res.status(), 303);
}

/// A learner launched from a graded link passes one of the module's two
/// exercises in a real lab: the platform receives the partial score, with
/// a token Berth got by a signed assertion the platform verified.
#[tokio::test]
async fn a_passed_exercise_reaches_the_gradebook_as_partial_credit() {
    use berth_app::lab::LabAction;
    let app = TestApp::builder().fixture("lab-course").spawn().await;
    let platform = Platform::start(&app, None);
    // The instructor's launch makes the classroom the learner joins.
    let teacher = platform.course_teacher(&app).await;
    let ada = launched_learner(&app, &platform, "learner-1", "basics").await;

    common::act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = common::lab_of(&common::view_set_up(&app, &ada, "basics", "first-steps").await);
    common::as_learner(&app, &lab, "echo hello > ~/greeting.txt").await;
    assert!(common::check(&app, &ada, "greeting", false).await.unwrap().passed);

    let scores = platform.scores(1).await;
    let score = &scores[0];
    assert_eq!(score["lineitem"], "basics");
    assert_eq!(score["userId"], "learner-1");
    // One of two exercises, the quiz not taken; each part weighs 1.
    assert_eq!(score["scoreGiven"], 25.0);
    assert_eq!(score["scoreMaximum"], 100);
    assert_eq!(score["activityProgress"], "InProgress");
    assert_eq!(score["gradingProgress"], "FullyGraded");
    assert!(score["timestamp"].as_str().unwrap().ends_with('Z'), "{score}");
    assert_eq!(platform.received().await["tokens"], 1);

    // The instructor sees the score as sent.
    let store = Store::open(&app.db.url).await.unwrap();
    let room = store.classrooms(None).await.unwrap()[0].id;
    let syncs = store.score_syncs(room).await.unwrap();
    assert_eq!(syncs.len(), 1);
    assert!(
        matches!(syncs[0].2, ScoreSync::Sent { percent, .. } if percent == 0.25),
        "{syncs:?}"
    );
    let grid = app.text_as(&teacher, &format!("/classrooms/{room}")).await;
    assert!(grid.contains("25%"), "the grid shows the score sent: {grid}");
    common::act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
    store.close().await;
}

/// The platform is down while a learner's score changes three times:
/// Berth keeps retrying, and once it is back the platform gets every score,
/// in order, none twice, with one token for all of them.
#[tokio::test]
async fn scores_made_while_the_platform_is_down_arrive_in_order_once_it_is_back() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).fixture("quiz-course").spawn().await;
        let platform = Platform::start(&app, None);
        let teacher = platform.course_teacher(&app).await;
        let ada = launched_learner(&app, &platform, "learner-1", "basics").await;

        platform.outage(503).await;
        take_quiz(&app, &ada, "wrong", "1").await; // 0%
        take_quiz(&app, &ada, "zanzibarite", "1").await; // 20%
        take_quiz(&app, &ada, "zanzibarite", "7318.5").await; // 40%
        // Not better than before: the module's score does not change, and
        // nothing new is queued.
        take_quiz(&app, &ada, "zanzibarite", "7318").await;

        // Berth tried, failed, and says so to the instructor.
        let store = Store::open(&app.db.url).await.unwrap();
        let room = store.classrooms(None).await.unwrap()[0].id;
        let reason = first_sync(&store, room, |sync| match sync {
            ScoreSync::Failing { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .await;
        assert!(reason.contains("503"), "{reason}");
        let grid = app.text_as(&teacher, &format!("/classrooms/{room}")).await;
        assert!(grid.contains("503"), "the grid names why: {grid}");
        assert!(platform.received().await["scores"].as_array().unwrap().is_empty());

        platform.outage(0).await;
        let back = std::time::Instant::now();
        let scores = platform.scores(3).await;
        eprintln!(
            "{}: three scores arrived {:?} after the platform came back",
            app.db.url,
            back.elapsed()
        );
        let given: Vec<f64> = scores.iter().map(|s| s["scoreGiven"].as_f64().unwrap()).collect();
        assert_eq!(given, [0.0, 20.0, 40.0], "{scores:?}");
        assert!(scores.iter().all(|s| s["activityProgress"] == "Completed"));
        // Nothing more arrives: the repeat was never queued, and nothing
        // sent is sent again.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let received = platform.received().await;
        assert_eq!(received["scores"].as_array().unwrap().len(), 3, "{received}");
        assert_eq!(received["tokens"], 1, "one token for every score");
        let syncs = store.score_syncs(room).await.unwrap();
        assert!(
            matches!(syncs[0].2, ScoreSync::Sent { percent, .. } if percent == 0.4),
            "{syncs:?}"
        );
        store.close().await;
    }
}

/// The platform refuses a score for good (403): it is not tried again,
/// the learner's next score goes, both a score already queued behind it
/// and a later change, and the instructor sees the refusal as such, at
/// the school's time (a zone half an hour off UTC's minutes).
#[tokio::test]
async fn a_score_the_platform_refuses_is_not_retried_and_does_not_block_the_next() {
    for db in TestDb::both().await {
        let app = TestApp::builder()
            .db(db)
            .fixture("quiz-course")
            .flag("--timezone", "Asia/Kolkata")
            .spawn()
            .await;
        let platform = Platform::start(&app, None);
        let teacher = platform.course_teacher(&app).await;
        let ada = launched_learner(&app, &platform, "learner-1", "basics").await;
        let store = Store::open(&app.db.url).await.unwrap();
        let room = store.classrooms(None).await.unwrap()[0].id;

        // Two scores wait while the platform is down; when it is back it
        // refuses the first for good, and the second, queued behind it,
        // still goes.
        platform.outage(503).await;
        take_quiz(&app, &ada, "wrong", "1").await; // 0%
        take_quiz(&app, &ada, "zanzibarite", "1").await; // 20%
        first_sync(&store, room, |sync| {
            matches!(sync, ScoreSync::Failing { .. }).then_some(())
        })
        .await;
        platform.refuse_next_score(403).await;
        platform.outage(0).await;
        let scores = platform.scores(1).await;
        assert_eq!(scores[0]["scoreGiven"], 20.0, "{scores:?}");

        // A later change is refused: the instructor sees it refused, with
        // the platform's answer, and it is never tried again.
        platform.refuse_next_score(403).await;
        take_quiz(&app, &ada, "zanzibarite", "7318.5").await; // 40%
        let (reason, at) = first_sync(&store, room, |sync| match sync {
            ScoreSync::Refused { reason, at } => Some((reason.clone(), *at)),
            _ => None,
        })
        .await;
        assert!(reason.contains("403"), "{reason}");
        let grid = app.text_as(&teacher, &format!("/classrooms/{room}")).await;
        let school = SchoolClock::parse("Asia/Kolkata").unwrap().minutes(at);
        assert!(school.ends_with("IST"), "{school}");
        assert!(
            grid.contains(&format!("refused by the platform at {school}")),
            "the grid shows the refusal at the school's time: {grid}"
        );
        assert!(grid.contains("403"), "the grid names the platform's answer: {grid}");
        // Past the first and second retries a failing score would have had.
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        let received = platform.received().await;
        let given: Vec<f64> = received["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["scoreGiven"].as_f64().unwrap())
            .collect();
        assert_eq!(given, [20.0], "refused scores are not sent again: {received}");
        store.close().await;
    }
}

/// Two Berth servers on one PostgreSQL both run the outbox worker: the
/// learner's changes made through either reach the platform once each, in
/// order.
#[tokio::test]
async fn two_replicas_deliver_each_score_once_and_in_order() {
    let db = TestDb::postgres().await;
    let a = TestApp::builder().db(db.same()).fixture("quiz-course").spawn().await;
    let b = TestApp::builder().db(db).fixture("quiz-course").spawn().await;
    let platform = Platform::start(&a, None);
    // Sessions live in the shared database: the same browser works on both.
    let ada = launched_learner(&a, &platform, "learner-1", "basics").await;

    platform.outage(503).await;
    take_quiz(&a, &ada, "wrong", "1").await;
    take_quiz(&b, &ada, "zanzibarite", "1").await;
    take_quiz(&a, &ada, "zanzibarite", "7318.5").await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    platform.outage(0).await;

    let scores = platform.scores(3).await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let scores_now = platform.received().await["scores"].as_array().unwrap().clone();
    assert_eq!(scores_now.len(), 3, "{scores_now:?}");
    let given: Vec<f64> = scores.iter().map(|s| s["scoreGiven"].as_f64().unwrap()).collect();
    assert_eq!(given, [0.0, 20.0, 40.0], "{scores:?}");
}

/// Berth's deep linking picker: its one-time token and the picks it offers
/// (value, label).
struct Picker {
    token: String,
    picks: Vec<(String, String)>,
}

impl Picker {
    fn read(html: &str) -> Self {
        let doc = scraper::Html::parse_document(html);
        let token = scraper::Selector::parse("input[name=picker]").unwrap();
        let buttons = scraper::Selector::parse("button[name=pick]").unwrap();
        Picker {
            token: doc
                .select(&token)
                .next()
                .and_then(|e| e.value().attr("value"))
                .unwrap_or_else(|| panic!("no picker in {html}"))
                .to_string(),
            picks: doc
                .select(&buttons)
                .map(|b| {
                    let value = b.value().attr("value").unwrap().to_string();
                    (value, b.text().collect::<String>())
                })
                .collect(),
        }
    }

    /// The instructor's choice, posted from the picker's page.
    async fn choose(&self, app: &TestApp, tab: &reqwest::Client, pick: &str) -> reqwest::Response {
        app.post_form(tab, "/lti/deep-link", &[("picker", &self.token), ("pick", pick)])
            .await
    }
}

impl Platform {
    /// An instructor of course-1 adds Berth: a deep linking launch, whose
    /// answer is Berth's picker (or a refusal). `accept`: the content item
    /// types the placement takes (the library's default without it).
    async fn deep_link(
        &self,
        app: &TestApp,
        tab: &reqwest::Client,
        role: &str,
        accept: Option<&str>,
    ) -> reqwest::Response {
        let mut query = vec![
            ("user", "teacher-1"),
            ("role", role),
            ("context", "course-1"),
            ("deep_link", "1"),
        ];
        if let Some(accept) = accept {
            query.push(("accept", accept));
        }
        self.launch(app, tab, &query).await
    }

    /// A learner of course-1 launches the `n`th link deep linking made:
    /// their browser, and where they landed.
    async fn launch_link(&self, app: &TestApp, user: &str, n: usize) -> (reqwest::Client, String) {
        let tab = app.browser();
        let n = n.to_string();
        let query = [
            ("user", user),
            ("role", "learner"),
            ("context", "course-1"),
            ("link", &n),
        ];
        let landed = landing(self.launch(app, &tab, &query).await).await;
        (tab, landed)
    }

    /// The browser posts Berth's self-submitting answer to the platform's
    /// return URL; the platform validates it.
    async fn return_deep_link(&self, tab: &reqwest::Client, answer: reqwest::Response) -> reqwest::Response {
        assert_eq!(answer.status(), 200);
        let csp = answer.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains(&format!("form-action {}", self.base)), "{csp}");
        let html = answer.text().await.unwrap();
        let doc = scraper::Html::parse_document(&html);
        let form = scraper::Selector::parse("form").unwrap();
        let jwt = scraper::Selector::parse("input[name=JWT]").unwrap();
        let action = doc.select(&form).next().unwrap().value().attr("action").unwrap();
        assert_eq!(action, format!("{}/deep_links", self.base));
        let jwt = doc.select(&jwt).next().unwrap().value().attr("value").unwrap();
        tab.post(action)
            .header("origin", "null")
            .form(&[("JWT", jwt)])
            .send()
            .await
            .unwrap()
    }
}

/// An instructor's deep linking launch shows every module of the bundled
/// course with its lessons; the pick goes back as a JWT the platform
/// validates with Berth's key set, holding one resource link with a line
/// item of 100 points; a learner's launch of that link opens the lesson.
/// The picker's token works once, and a made-up one not at all.
#[tokio::test]
async fn an_instructor_picks_a_lesson_and_the_platform_gets_a_graded_link() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).spawn().await;
        let platform = Platform::start(&app, None);
        let teacher = app.browser();
        let res = platform.deep_link(&app, &teacher, "instructor", None).await;
        assert_eq!(res.status(), 200);
        let picker = Picker::read(&res.text().await.unwrap());
        let course = common::bundled_course();
        for module in &course.modules {
            assert!(
                picker.picks.contains(&(
                    format!("module/{}", module.id),
                    format!(
                        "Module {}: {}",
                        course.modules.iter().position(|m| m.id == module.id).unwrap() + 1,
                        module.title
                    )
                )),
                "{:?}",
                picker.picks
            );
            for lesson in &module.lessons {
                let value = format!("lesson/{}/{}", module.id, lesson.id);
                assert!(picker.picks.iter().any(|(v, _)| *v == value), "{value}");
            }
            if module.quiz.is_some() {
                let value = format!("quiz/{}", module.id);
                assert!(picker.picks.iter().any(|(v, _)| *v == value), "{value}");
            }
        }
        assert!(
            picker.picks.iter().any(|(v, _)| v.starts_with("exercise/")),
            "exercises are offered"
        );

        let (module, lesson, title) = lesson_of_first_module();
        let pick = format!("lesson/{module}/{lesson}");
        let answer = picker.choose(&app, &teacher, &pick).await;
        let returned = platform.return_deep_link(&teacher, answer).await;
        assert_eq!(returned.status(), 200, "{}", returned.text().await.unwrap());
        let links = platform.received().await["links"].as_array().unwrap().clone();
        assert_eq!(links.len(), 1, "{links:?}");
        let link = &links[0];
        assert_eq!(link["type"], "ltiResourceLink");
        assert_eq!(link["url"], format!("{}/lti/launch", app.base));
        assert_eq!(link["title"], title.as_str());
        assert_eq!(link["custom"], serde_json::json!({"module": module, "lesson": lesson}));
        assert_eq!(link["lineItem"]["scoreMaximum"], 100);
        assert_eq!(link["lineItem"]["label"], title.as_str());
        assert_eq!(link["lineItem"]["resourceId"], pick.as_str());

        // The same picker again (a replay), or a token Berth never gave.
        for token in [picker.token.as_str(), "made-up-token"] {
            let forged = Picker {
                token: token.to_string(),
                picks: Vec::new(),
            };
            let res = forged.choose(&app, &teacher, &pick).await;
            assert_eq!(res.status(), 401);
            let page = res.text().await.unwrap();
            assert!(page.contains("not one Berth offered"), "{page}");
            assert!(!page.contains("name=\"JWT\""), "{page}");
        }

        // A learner's launch of the new link opens the lesson.
        let (_, landed) = platform.launch_link(&app, "learner-1", 0).await;
        assert_eq!(landed, format!("/modules/{module}/{lesson}"));
    }
}

/// A deep link to an exercise lands on its lesson, and the module's score
/// goes to the link's own line item once the learner passes it.
#[tokio::test]
async fn a_deep_linked_exercise_sends_its_module_score_to_the_links_line_item() {
    use berth_app::lab::LabAction;
    let app = TestApp::builder().fixture("lab-course").spawn().await;
    let platform = Platform::start(&app, None);
    let teacher = app.browser();
    let res = platform
        .deep_link(&app, &teacher, "instructor", Some("ltiResourceLink"))
        .await;
    let picker = Picker::read(&res.text().await.unwrap());
    let pick = "exercise/basics/first-steps/greeting";
    assert!(picker.picks.iter().any(|(v, _)| v == pick), "{:?}", picker.picks);
    let answer = picker.choose(&app, &teacher, pick).await;
    assert_eq!(platform.return_deep_link(&teacher, answer).await.status(), 200);

    let (ada, landed) = platform.launch_link(&app, "learner-1", 0).await;
    assert_eq!(landed, "/modules/basics/first-steps");
    common::act(&app, &ada, "basics", LabAction::Start).await.unwrap();
    let lab = common::lab_of(&common::view_set_up(&app, &ada, "basics", "first-steps").await);
    common::as_learner(&app, &lab, "echo hello > ~/greeting.txt").await;
    assert!(common::check(&app, &ada, "greeting", false).await.unwrap().passed);
    let scores = platform.scores(1).await;
    assert_eq!(scores[0]["lineitem"], "link-0");
    assert_eq!(scores[0]["userId"], "learner-1");
    assert_eq!(scores[0]["scoreGiven"], 25.0);
    assert_eq!(scores[0]["scoreMaximum"], 100);
    common::act(&app, &ada, "basics", LabAction::Stop).await.unwrap();
}

/// A learner cannot add activities, and a placement that takes no resource
/// links gets a page saying so; neither signs anyone in.
#[tokio::test]
async fn deep_linking_is_refused_to_learners_and_to_placements_without_resource_links() {
    let app = TestApp::spawn().await;
    let platform = Platform::start(&app, None);
    let cases = [
        ("learner", None, 403, "instructors can add Berth activities"),
        (
            "instructor",
            Some("link,html"),
            400,
            "does not accept `ltiResourceLink`",
        ),
    ];
    for (role, accept, status, says) in cases {
        let tab = app.browser();
        let res = platform.deep_link(&app, &tab, role, accept).await;
        assert_eq!(res.status(), status, "{role}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("This launch was refused") && page.contains(says),
            "{role}: {page}"
        );
        assert!(!page.contains("name=\"picker\""));
        assert_eq!(app.me(&tab).await, None, "{role}");
    }
    let store = Store::open(&app.db.url).await.unwrap();
    assert!(
        store.lti_account_counts().await.unwrap().is_empty(),
        "no account was made"
    );
    store.close().await;
}

/// The whole way in Chromium: the LMS's course page posts the login
/// initiation, the browser follows Berth's redirect to the platform and the
/// platform's form back to Berth (the login bound to this browser by its
/// cookie), lands signed in on the linked lesson, passes an exercise in a
/// real lab, and the platform receives the partial score.
#[tokio::test]
async fn a_learner_goes_from_the_lms_to_the_gradebook_in_chromium() {
    use common::browser::{Driver, check_exercise, start_lab, stop_lab, type_in_terminal, wait_true_for};
    let app = TestApp::builder()
        .fixture("lab-course")
        .site(&common::built_site())
        .spawn()
        .await;
    let platform = Platform::start(&app, None);
    platform.course_teacher(&app).await;

    let driver = Driver::start().await;
    let b = driver.browser(true).await;
    let course = "/course?user=learner-1&role=learner&context=course-1&module=basics&lesson=first-steps";
    b.goto(&format!("{}{course}", platform.base)).await.unwrap();
    wait_true_for(
        &b,
        &format!(
            "return location.origin === '{}' && location.pathname === '/modules/basics/first-steps'",
            app.base
        ),
        "the launch to land on the linked lesson",
        30,
    )
    .await;
    start_lab(&b).await;
    type_in_terminal(&b, "echo hello > ~/greeting.txt\n").await;
    check_exercise(&b, "greeting", true).await;

    let scores = platform.scores(1).await;
    assert_eq!(scores[0]["lineitem"], "basics");
    assert_eq!(scores[0]["userId"], "learner-1");
    assert_eq!(scores[0]["scoreGiven"], 25.0, "one of two exercises: {scores:?}");
    stop_lab(&b).await;
    b.close().await.unwrap();
}

impl Platform {
    /// The members the platform lists for a course, `per_page` to a page.
    async fn set_roster(&self, context: &str, members: serde_json::Value, per_page: usize) {
        let res = reqwest::Client::new()
            .post(format!("{}/roster?context={context}&per_page={per_page}", self.base))
            .body(members.to_string())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// From now on the roster service answers `status` (0: serve).
    async fn roster_outage(&self, status: u16) {
        self.control(&format!("status={status}&on=members")).await;
    }
}

const NRPS_LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";
const NRPS_INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";

/// A course of five learners (one launched already), its instructor and a
/// learner who left, listed two to a page by the platform's roster service
/// (its token check is the library's): the instructor's pull puts the four
/// who never launched in the grid, a later launch of one of them is the
/// same account, a second pull adds nobody, a learner cannot pull, and a
/// platform that is down gets a clear message and changes nothing.
#[tokio::test]
async fn an_instructor_pulls_the_course_roster_page_by_page() {
    for db in TestDb::both().await {
        let app = TestApp::builder().db(db).spawn().await;
        let platform = Platform::start(&app, None);
        let mut members: Vec<serde_json::Value> = (1..=5)
            .map(|n| {
                serde_json::json!({
                    "user_id": format!("pupil-{n}"),
                    "roles": [NRPS_LEARNER],
                    "name": format!("Pupil {n}"),
                    "email": format!("pupil{n}@school.example"),
                })
            })
            .collect();
        members.insert(
            2,
            serde_json::json!({"user_id": "teacher-9", "roles": [NRPS_INSTRUCTOR]}),
        );
        members.push(serde_json::json!({"user_id": "gone-1", "roles": [NRPS_LEARNER], "status": "Inactive", "email": "gone@school.example"}));
        platform
            .set_roster("course-9", serde_json::Value::Array(members), 2)
            .await;
        let course = [("context", "course-9"), ("context_title", "Networking")];

        // The instructor's launch makes the classroom and tells Berth where
        // the course's roster is; one learner has launched too.
        let teacher = app.browser();
        let mut query = vec![("user", "teacher-9"), ("role", "instructor")];
        query.extend(course);
        landing(platform.launch(&app, &teacher, &query).await).await;
        let pupil = app.browser();
        let mut query = vec![
            ("user", "pupil-1"),
            ("role", "learner"),
            ("email", "pupil1@school.example"),
        ];
        query.extend(course);
        landing(platform.launch(&app, &pupil, &query).await).await;
        let first = app.me(&pupil).await.unwrap();
        let store = Store::open(&app.db.url).await.unwrap();
        let room = store.classrooms(None).await.unwrap()[0].id;
        let page = format!("/classrooms/{room}");
        let shown = app.text_as(&teacher, &page).await;
        assert!(shown.contains("Pull the roster from 127.0.0.1"), "{shown}");

        // A learner cannot pull the roster.
        let res = app.post_form(&pupil, &format!("{page}/roster"), &[]).await;
        assert_eq!(res.status(), 403);
        assert_eq!(platform.received().await["roster_pages"], 0);

        // The pull reads all four pages and adds the four who never launched.
        let res = app.post_form(&teacher, &format!("{page}/roster"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("{page}?added=4&already=1"));
        assert_eq!(platform.received().await["roster_pages"], 4);
        let emails: Vec<String> = store
            .members(room)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.email)
            .collect();
        assert_eq!(emails.len(), 5, "{emails:?}");
        assert!(emails.contains(&first), "{emails:?}");
        for n in 2..=5 {
            assert!(
                emails.iter().any(|e| e.starts_with(&format!("pupil{n}."))),
                "{emails:?}"
            );
        }
        assert!(
            !emails.iter().any(|e| e.starts_with("gone")),
            "an inactive member is left out"
        );
        let shown = app.text_as(&teacher, &location(&res)).await;
        assert!(
            shown.contains("Roster pulled: 4 learners added, 1 already here."),
            "{shown}"
        );
        assert!(
            emails.iter().all(|e| shown.contains(e.as_str())),
            "the grid lists them: {shown}"
        );

        // A pulled learner's first launch is the account the pull made.
        let later = app.browser();
        let mut query = vec![("user", "pupil-3"), ("role", "learner")];
        query.extend(course);
        landing(platform.launch(&app, &later, &query).await).await;
        let third = app.me(&later).await.unwrap();
        assert!(emails.contains(&third), "{third} is not one of {emails:?}");
        assert_eq!(store.members(room).await.unwrap().len(), 5);

        // Pulling again adds nobody.
        let res = app.post_form(&teacher, &format!("{page}/roster"), &[]).await;
        assert_eq!(location(&res), format!("{page}?added=0&already=5"));

        // A platform that is down: a clear message, nothing changed.
        platform.roster_outage(503).await;
        let res = app.post_form(&teacher, &format!("{page}/roster"), &[]).await;
        assert_eq!(location(&res), format!("{page}?error=roster-down"));
        let shown = app.text_as(&teacher, &location(&res)).await;
        assert!(shown.contains("did not answer with the course"), "{shown}");
        assert!(
            shown.contains("could not pull the roster"),
            "the audit log says why: {shown}"
        );
        assert_eq!(store.members(room).await.unwrap().len(), 5);
        store.close().await;
    }
}
