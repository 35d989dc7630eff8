//! Test harness: the real application on a random loopback port, with a
//! fresh database per test (SQLite file or PostgreSQL database).
#![allow(dead_code)] // each test binary uses part of the harness

pub mod browser;

use berth_app::error::AppError;
use berth_app::lab::{CheckReport, LabAction, LabView};
use berth_app::model::LabId;
use berth_server::config::{Cli, Command, ServeConfig};
use berth_server::{router, serve};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;

/// A password good enough for sign-up in tests.
pub const PASSWORD: &str = "harbour lantern crisp 42";

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

    /// Another handle on the same database (the original keeps it alive).
    pub fn same(&self) -> Self {
        Self {
            url: self.url.clone(),
            _dir: None,
        }
    }

    pub async fn both() -> [Self; 2] {
        [Self::sqlite(), Self::postgres().await]
    }
}

/// Every test server runs on this one multi-threaded runtime, as in
/// production, whatever each test's own runtime is. `BERTH_TEST_LOG=1`
/// prints the servers' logs.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    if std::env::var_os("BERTH_TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug,sqlx=warn,hyper=info,h2=info"))
            .with_thread_names(true)
            .try_init();
    }
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-server")
            .enable_all()
            .build()
            .expect("a runtime for test servers")
    })
}

/// The site `cargo xtask build` laid out, with the browser bundle.
pub fn built_site() -> PathBuf {
    let site = std::env::var("BERTH_SITE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target/site"));
    assert!(
        site.join("manifest.json").exists(),
        "no browser bundle in {}: run the tests with `cargo xtask test`",
        site.display()
    );
    site
}

/// The built site's hashed name for a file known by its plain name.
pub fn hashed(site: &Path, plain: &str) -> String {
    let manifest: std::collections::HashMap<String, String> =
        serde_json::from_slice(&std::fs::read(site.join("manifest.json")).unwrap()).unwrap();
    manifest
        .get(plain)
        .unwrap_or_else(|| panic!("{plain} is not in the manifest"))
        .clone()
}

/// A site folder holding the stylesheet, for tests that do not need the
/// browser bundle.
pub fn minimal_site() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::copy(
        workspace().join("app/assets/berth.css"),
        dir.path().join("assets/berth.css"),
    )
    .unwrap();
    dir
}

/// `berth serve`'s configuration as its command line makes it: every
/// setting at its default unless `flags` say otherwise.
pub fn config(content: &Path, db: &TestDb, site: &Path, flags: &[String]) -> ServeConfig {
    let path = |p: &Path| p.display().to_string();
    let mut args: Vec<String> = ["berth", "serve", "--listen", "127.0.0.1:0"].map(String::from).to_vec();
    args.extend(["--content".into(), path(content)]);
    args.extend(["--database-url".into(), db.url.clone()]);
    args.extend(["--site-dir".into(), path(site)]);
    args.extend(["--playground".into(), path(&workspace().join("playground"))]);
    args.extend(flags.iter().cloned());
    match Cli::try_parse_from(&args) {
        Ok(Cli {
            command: Command::Serve(config),
        }) => config,
        Ok(_) => unreachable!("`berth serve` parses as serve"),
        Err(e) => panic!("{args:?}: {e}"),
    }
}

/// A Berth reached over HTTP as a browser reaches it: a test's own server
/// (through [`TestApp`]) or one running elsewhere, as in a container.
pub struct Http {
    pub base: String,
    /// Follows no redirects and keeps no cookies.
    pub client: reqwest::Client,
}

pub struct TestApp {
    pub http: Http,
    /// The server's lab manager, to sweep or inspect labs directly.
    pub labs: std::sync::Arc<berth_server::lab::Labs>,
    pub db: TestDb,
    _site: Option<TempDir>,
}

impl std::ops::Deref for TestApp {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

/// How a test's server is set up; see [`TestApp::builder`].
pub struct TestAppBuilder {
    db: Option<TestDb>,
    site: Option<PathBuf>,
    content: PathBuf,
    flags: Vec<String>,
}

impl TestAppBuilder {
    /// Another database than a fresh SQLite file.
    pub fn db(mut self, db: TestDb) -> Self {
        self.db = Some(db);
        self
    }

    /// A built site (the browser bundle) instead of a stylesheet alone.
    pub fn site(mut self, site: &Path) -> Self {
        self.site = Some(site.to_path_buf());
        self
    }

    /// Another course than the bundled one.
    pub fn content(mut self, dir: PathBuf) -> Self {
        self.content = dir;
        self
    }

    /// A course from `server/tests/fixtures/`.
    pub fn fixture(self, name: &str) -> Self {
        self.content(workspace().join("server/tests/fixtures").join(name))
    }

    /// A `berth serve` flag and its value, as on the command line.
    pub fn flag(mut self, flag: &str, value: &str) -> Self {
        self.flags.extend([flag.to_string(), value.to_string()]);
        self
    }

    /// Serves on a random loopback port, on the same runtime as every
    /// other test server.
    pub async fn spawn(self) -> TestApp {
        let db = self.db.unwrap_or_else(TestDb::sqlite);
        let (site_dir, kept) = match self.site {
            Some(site) => (site, None),
            None => {
                let site = minimal_site();
                (site.path().to_path_buf(), Some(site))
            }
        };
        let config = config(&self.content, &db, &site_dir, &self.flags);
        let (ready, started) = tokio::sync::oneshot::channel();
        server_runtime().spawn(async move {
            let state = serve::prepare(&config).await.expect("the app starts");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let labs = state.labs.clone();
            let app = router::router(state);
            let _ = ready.send((listener.local_addr().unwrap(), labs));
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap()
        });
        let (addr, labs) = started.await.expect("the app starts");
        TestApp {
            http: Http::new(format!("http://{addr}")),
            labs,
            db,
            _site: kept,
        }
    }
}

impl TestApp {
    /// The bundled course on a fresh SQLite database, without the browser
    /// bundle, every setting as `berth serve` defaults it; the builder
    /// changes what a test needs.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            db: None,
            site: None,
            content: workspace().join("content"),
            flags: Vec::new(),
        }
    }

    /// `TestApp::builder().spawn()`.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }
}

impl Http {
    pub fn new(base: String) -> Self {
        Self {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// A client that keeps cookies, like a browser tab.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A same-origin form post, as a page of this server makes it.
    pub async fn post_form(&self, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        client
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The sign-up form posted from `tab`, with [`PASSWORD`].
    pub async fn sign_up(&self, tab: &reqwest::Client, email: &str) -> reqwest::Response {
        self.post_form(tab, "/auth/signup", &[("email", email), ("password", PASSWORD)])
            .await
    }

    /// The login form posted from `tab`.
    pub async fn log_in(&self, tab: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        self.post_form(tab, "/auth/login", &[("email", email), ("password", password)])
            .await
    }

    /// A new learner account, signed in in a fresh tab.
    pub async fn signed_up(&self, email: &str) -> reqwest::Client {
        let tab = self.browser();
        self.sign_up(&tab, email).await;
        assert_eq!(self.me(&tab).await.as_deref(), Some(email));
        tab
    }

    /// The body of a GET made by `client` (with its cookies).
    pub async fn text_as(&self, client: &reqwest::Client, path: &str) -> String {
        let res = client.get(format!("{}{path}", self.base)).send().await.unwrap();
        res.text().await.unwrap()
    }

    /// Who `client` is signed in as, according to the server.
    pub async fn me(&self, client: &reqwest::Client) -> Option<String> {
        let text = self.text_as(client, "/api/me").await;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
        v["email"].as_str().map(str::to_string)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    /// A GET with no cookies but `cookie`, given by hand (a stolen or stale
    /// session, a preference).
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        self.client.get(url).header("cookie", cookie).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> (reqwest::StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.unwrap())
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where a redirect points.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no redirect: {}", res.status()))
}

/// A WebSocket as the tests open them.
pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a WebSocket on `path` with a session cookie and an Origin.
pub async fn terminal(
    app: &Http,
    tab_cookie: &str,
    path: &str,
    origin: &str,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}{path}", app.base.replace("http://", "ws://"));
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    req.headers_mut().insert("origin", origin.parse().unwrap());
    req.headers_mut().insert("cookie", tab_cookie.parse().unwrap());
    tokio_tungstenite::connect_async(req).await.map(|(ws, _)| ws)
}

/// Reads terminal output until `needle` shows up.
pub async fn read_until(ws: &mut Socket, needle: &str) -> String {
    let mut seen = String::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Some(Ok(message)) = futures_util::StreamExt::next(ws).await {
            if let tokio_tungstenite::tungstenite::Message::Binary(bytes) = message {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains(needle) {
                    return true;
                }
                if seen.len() > 1 << 16 {
                    seen.drain(..seen.len() - 4096);
                }
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "never saw {needle:?}; got {seen:?}");
    seen
}

/// Reads server-sent events until one named `name` arrives.
pub async fn next_event(stream: &mut reqwest::Response, buffer: &mut String, name: &str) -> serde_json::Value {
    let found = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let mut event = "";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(e) = line.strip_prefix("event: ") {
                        event = e;
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data.push_str(d);
                    }
                }
                if event == name {
                    return serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data));
                }
            }
            let chunk = stream.chunk().await.unwrap().expect("the stream stays open");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no {name} event; buffered {buffer:?}"))
}

/// The names in the next `watchers` message that names anyone.
pub async fn watchers(ws: &mut Socket) -> Vec<String> {
    let names = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) =
                futures_util::StreamExt::next(ws).await
            {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                if v["type"] == "watchers" && !v["names"].as_array().unwrap().is_empty() {
                    return v["names"].clone();
                }
            }
        }
    })
    .await
    .expect("the learner is told who watches");
    serde_json::from_value(names).unwrap()
}

/// The session cookie of a signed-in tab.
pub async fn session_cookie(app: &Http, email: &str) -> (reqwest::Client, String) {
    let tab = app.browser();
    let res = app.sign_up(&tab, email).await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("berth_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (tab, cookie)
}

// Labs, as the lab panel drives them.

/// A server function's answer: its value, or its typed error.
async fn answer<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, AppError> {
    let ok = res.status().is_success();
    let text = res.text().await.unwrap();
    if ok {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
    } else {
        Err(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
    }
}

pub async fn act(app: &Http, tab: &reqwest::Client, module: &str, action: LabAction) -> Result<(), AppError> {
    let res = app
        .post_form(tab, "/api/lab/act", &[("module", module), ("action", action.as_str())])
        .await;
    answer(res).await
}

/// The lab panel of a lesson, as its page loads it.
pub async fn view(app: &Http, tab: &reqwest::Client, module: &str, lesson: &str) -> LabView {
    let res = tab
        .get(format!("{}/api/lab?module={module}&lesson={lesson}", app.base))
        .send()
        .await
        .unwrap();
    let view: Option<LabView> = answer(res).await.expect("the lab panel loads");
    view.expect("a signed-in learner's lab panel")
}

/// The lab panel once the lab's setups are done (a lab made on a click
/// gives its prompt first and sets up behind it).
pub async fn view_set_up(app: &Http, tab: &reqwest::Client, module: &str, lesson: &str) -> LabView {
    for _ in 0..600 {
        let v = view(app, tab, module, lesson).await;
        if v.lab
            .as_ref()
            .is_none_or(|l| l.setup != berth_app::lab::SetupState::Running)
        {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the lab's setups did not finish within a minute");
}

pub async fn check(app: &Http, tab: &reqwest::Client, exercise: &str, live: bool) -> Result<CheckReport, AppError> {
    check_in(app, tab, "basics", exercise, live).await
}

pub async fn check_in(
    app: &Http,
    tab: &reqwest::Client,
    module: &str,
    exercise: &str,
    live: bool,
) -> Result<CheckReport, AppError> {
    let live = live.to_string();
    let res = app
        .post_form(
            tab,
            "/api/lab/check",
            &[("module", module), ("exercise", exercise), ("live", &live)],
        )
        .await;
    answer(res).await
}

/// The running lab a panel shows, by the terminal address the page gets.
pub fn lab_of(v: &LabView) -> LabId {
    let terminal = &v.lab.as_ref().expect("a running lab").terminal;
    let id = terminal.trim_start_matches("/labs/").trim_end_matches("/terminal");
    LabId::new(id)
}

/// The container Docker knows a lab's node by, for tests that inspect the
/// engine itself.
pub fn container_name(lab: &LabId, node: u8) -> String {
    berth_server::lab::docker::node_name(lab.as_str(), node)
}

/// The entry of the JSON array `list` whose `field` is `value`.
pub fn entry<'a>(list: &'a serde_json::Value, field: &str, value: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|e| e[field] == value)
        .unwrap_or_else(|| panic!("no {field} {value} in {list}"))
}

/// The Docker engine the tests' labs run on.
pub fn docker() -> bollard::Docker {
    bollard::Docker::connect_with_local_defaults().unwrap()
}

/// Removes `container` at once, running or not, as if someone else had.
pub async fn force_remove(container: &str) {
    let options = bollard::query_parameters::RemoveContainerOptionsBuilder::new()
        .force(true)
        .build();
    docker().remove_container(container, Some(options)).await.unwrap();
}

/// The terminal's WebSocket path of a running lab.
pub fn terminal_path(v: &LabView) -> String {
    v.lab.as_ref().expect("a running lab").terminal.clone()
}

/// Runs a script on the lab's first node as the learner, as the terminal
/// would.
pub async fn as_learner(app: &TestApp, lab: &LabId, script: &str) -> (Option<i64>, String) {
    as_user(app, lab, berth_server::lab::runtime::LEARNER, script).await
}

/// Runs a script on the lab's first node as `user` (60 s at most).
pub async fn as_user(app: &TestApp, lab: &LabId, user: &str, script: &str) -> (Option<i64>, String) {
    as_user_for(app, lab, user, script, 60).await
}

/// Runs a script on the lab's first node as `user`, for at most `seconds`.
pub async fn as_user_for(app: &TestApp, lab: &LabId, user: &str, script: &str, seconds: u64) -> (Option<i64>, String) {
    as_user_on(app, lab, 1, user, script, seconds).await
}

/// Runs a script on one node of the lab as `user`, for at most `seconds`.
pub async fn as_user_on(
    app: &TestApp,
    lab: &LabId,
    node: u8,
    user: &str,
    script: &str,
    seconds: u64,
) -> (Option<i64>, String) {
    let out = app
        .labs
        .runtime()
        .run_script(
            lab,
            node,
            berth_server::lab::runtime::Script {
                user,
                text: script.into(),
                timeout: std::time::Duration::from_secs(seconds),
            },
        )
        .await
        .unwrap();
    (out.exit_code, out.output)
}

/// Most a probe writes into one place: more than any bound a lab has.
pub const FILL_CAP_MIB: u64 = 640;

/// Finds every directory the script's user can write to (not /proc or
/// /sys), and on each file system among them writes zeros until the write
/// stops (at most `FILL_CAP_MIB`), then removes what it wrote. One line per
/// file system: `MOUNT TYPE SIZE_KIB WRITTEN_BYTES WHY_IT_STOPPED`.
pub fn fill_every_writable_place() -> String {
    format!(
        r#"seen=" "
find / \( -path /proc -o -path /sys \) -prune -o -type d -writable -print 2>/dev/null |
while read -r dir; do
  mount=$(df -P "$dir" 2>/dev/null | awk 'NR == 2 {{ print $6 }}')
  case "$seen" in *" $mount "*) continue ;; esac
  seen="$seen$mount "
  file="$dir/.berth-fill-$$"
  why=$(dd if=/dev/zero of="$file" bs=1M count={FILL_CAP_MIB} 2>&1 >/dev/null | grep -o 'No space left on device\|Permission denied\|Read-only file system\|Invalid argument' | head -n 1)
  written=$(stat -c %s "$file" 2>/dev/null || echo 0)
  rm -f "$file"
  case "$why" in "No space left on device") why=ENOSPC ;; "") why=stopped ;; *) why=$(echo "$why" | tr ' ' -) ;; esac
  echo "$mount $(stat -f -c %T "$dir") $(df -Pk "$dir" | awk 'NR == 2 {{ print $2 }}') $written $why"
done"#
    )
}

/// Bytes used on the host's disk where Docker keeps containers' layers.
pub fn host_disk_used() -> u64 {
    let out = std::process::Command::new("df")
        .args(["-B1", "--output=used", "/var/lib/docker"])
        .output()
        .expect("df runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df prints the space used")
}

/// Runs `fill_every_writable_place` as `user`, watching the host's disk
/// while it does, and asserts that every place was a size-limited tmpfs
/// that stopped the write at its size, and the host's disk did not grow.
/// Returns the mount points it found.
pub async fn assert_every_writable_place_is_bounded(app: &TestApp, lab: &LabId, user: &str) -> Vec<String> {
    let before = host_disk_used();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (peak, watching) = (peak.clone(), watching.clone());
        tokio::task::spawn_blocking(move || {
            while watching.load(Ordering::Relaxed) {
                peak.fetch_max(host_disk_used(), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        })
    };
    let (status, out) = as_user_for(app, lab, user, &fill_every_writable_place(), 300).await;
    watching.store(false, Ordering::Relaxed);
    watcher.await.unwrap();
    assert_eq!(status, Some(0), "{out}");
    let mut mounts = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let [mount, fs_type, size_kib, written, why] = f[..] else {
            panic!("unexpected probe line {line:?} in {out}");
        };
        let (size, written): (u64, u64) = (size_kib.parse::<u64>().unwrap() * 1024, written.parse().unwrap());
        assert!(
            written < FILL_CAP_MIB << 20,
            "{user} wrote {FILL_CAP_MIB} MiB into {mount} ({fs_type}) without stopping"
        );
        if written > 1 << 20 {
            assert_eq!(
                fs_type, "tmpfs",
                "{user} can write to {mount}, which is not a tmpfs: {line}"
            );
            assert_eq!(
                why, "ENOSPC",
                "{user}'s write into {mount} stopped for another reason: {line}"
            );
            assert!(written <= size, "{line}");
        }
        mounts.push(mount.to_string());
    }
    let grown = peak.load(Ordering::Relaxed).saturating_sub(before);
    assert!(
        grown < 300 << 20,
        "the host's disk grew by {} MiB while {user} filled the lab",
        grown >> 20
    );
    mounts
}

/// The bundled course as the server loads it, so tests about it follow
/// the content instead of hard-coding its size.
pub fn bundled_course() -> berth_app::course::Course {
    let images = berth_server::lab::images::playground_images(&workspace().join("playground"));
    berth_server::content::load(&workspace().join("content"), &images)
        .expect("the bundled course loads")
        .course
}

/// A copy of a course folder that a test may edit.
pub fn copy_course(source: &Path) -> TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = TempDir::new().unwrap();
    copy(source, dir.path());
    dir
}

/// `berth serve` as a process, stopped however the test ends, its log kept.
pub struct ServeProcess {
    child: std::process::Child,
    pub base: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServeProcess {
    /// Serves `content` from `db` on a random loopback port, with more
    /// `flags`; `log` filters what it logs (as `RUST_LOG`).
    pub fn start(content: &Path, site: &Path, db: &TestDb, flags: &[&str], log: &str) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db.url])
            .arg("--content")
            .arg(content)
            .arg("--site-dir")
            .arg(site)
            .arg("--playground")
            .arg(workspace().join("playground"))
            .args(flags)
            .env("RUST_LOG", log)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split("serving on ").nth(1).map(|a| a.trim().to_string()))
            .expect("the server announces its address");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if std::env::var_os("BERTH_TEST_LOG").is_some() {
                    eprintln!("server: {line}");
                }
                kept.lock().unwrap().push(line);
            }
        });
        Self { child, base, log }
    }

    /// The server over HTTP.
    pub fn http(&self) -> Http {
        Http::new(self.base.clone())
    }

    /// The lines it logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Kills it at once, as a crash or a lost machine would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Containers of the install whose database is `db`, as the engine lists them.
pub async fn lab_containers(db: &TestDb) -> Vec<String> {
    let store = berth_server::store::Store::open(&db.url).await.unwrap();
    let instance = store.instance_value("instance_id").await.unwrap().unwrap();
    let filters = std::collections::HashMap::from([("label", vec![format!("org.berth.instance={instance}")])]);
    let options = bollard::query_parameters::ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    docker()
        .list_containers(Some(options))
        .await
        .unwrap()
        .into_iter()
        .filter_map(|c| c.id)
        .collect()
}

/// `berth serve --watch` as a process.
pub struct WatchServer(ServeProcess);

impl WatchServer {
    pub fn start(content: &Path, site: &Path, db: &TestDb) -> Self {
        Self(ServeProcess::start(content, site, db, &["--watch"], "info,sqlx=warn"))
    }
}

impl std::ops::Deref for WatchServer {
    type Target = ServeProcess;

    fn deref(&self) -> &ServeProcess {
        &self.0
    }
}
