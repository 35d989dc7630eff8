//! The proxy end to end, against a fake engine on a unix socket that records
//! and echoes what it receives, streams on demand and can upgrade. The guard
//! listens on a unix socket and on TCP, as in a multi-node lab.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use berth_docker_guard::binds::Home;
use berth_docker_guard::policy::Policy;
use berth_docker_guard::proxy::{Guard, serve};
use berth_docker_guard::pull::Mirror;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::mpsc;

/// What the fake engine saw.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    content_length: Option<String>,
    body: Bytes,
}

#[derive(Default)]
struct Engine {
    seen: Mutex<Vec<Seen>>,
    /// Chunks for `GET /stream`, sent as the test pushes them.
    stream: Mutex<Option<mpsc::Receiver<Bytes>>>,
    /// The bind source the fake's container inspect reports.
    bind_source: Mutex<String>,
}

/// A response body fed from a channel: each message is one frame.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

type FakeBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

impl Engine {
    async fn answer(self: Arc<Self>, mut req: Request<Incoming>) -> Response<FakeBody> {
        let upgrade = req.headers().contains_key("upgrade");
        let on_upgrade = hyper::upgrade::on(&mut req);
        let (parts, body) = req.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let seen = Seen {
            method: parts.method.to_string(),
            uri: parts.uri.to_string(),
            content_length: parts
                .headers
                .get("content-length")
                .map(|v| v.to_str().unwrap().to_string()),
            body,
        };
        self.seen.lock().unwrap().push(seen.clone());
        if upgrade {
            tokio::spawn(async move {
                let mut io = TokioIo::new(on_upgrade.await.unwrap());
                io.write_all(b"ready\n").await.unwrap();
                let mut buf = [0u8; 1024];
                loop {
                    let n = io.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    io.write_all(&buf[..n]).await.unwrap();
                }
            });
            return Response::builder()
                .status(StatusCode::SWITCHING_PROTOCOLS)
                .header("connection", "Upgrade")
                .header("upgrade", "tcp")
                .body(full(""))
                .unwrap();
        }
        if seen.uri == "/stream" {
            let rx = self.stream.lock().unwrap().take().unwrap();
            return Response::new(ChannelBody(rx).boxed());
        }
        if seen.uri.ends_with("/json") && seen.uri.starts_with("/containers/") {
            let source = self.bind_source.lock().unwrap().clone();
            let inspect = json!({"Id": "abc", "Mounts": [
                {"Type": "bind", "Source": source, "Destination": "/site"}]});
            return Response::new(full(inspect.to_string()));
        }
        let echo = json!({
            "method": seen.method,
            "uri": seen.uri,
            "body": String::from_utf8_lossy(&seen.body),
        });
        Response::new(full(echo.to_string()))
    }
}

fn full(b: impl Into<Bytes>) -> FakeBody {
    Full::new(b.into()).boxed()
}

/// A running guard in front of a fake engine, with a temp home.
struct Lab {
    dir: tempfile::TempDir,
    engine: Arc<Engine>,
    socket: PathBuf,
    /// The guard's TCP listener (another node's `docker -H tcp://…`).
    tcp: SocketAddr,
    /// Whether `send` goes over TCP rather than the unix socket.
    over_tcp: bool,
}

impl Lab {
    async fn start() -> Lab {
        // Pins are real mounts: made in this test's own mount namespace
        // (tokio tests run on one thread).
        berth_docker_guard::binds::private_mounts_for_this_thread().expect("proxy tests pin binds, as root");
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join("site")).unwrap();
        let engine = Arc::new(Engine::default());
        let upstream = dir.path().join("engine.sock");
        let listener = UnixListener::bind(&upstream).unwrap();
        let e = engine.clone();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let e = e.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| {
                        let e = e.clone();
                        async move { Ok::<_, Infallible>(e.answer(req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .with_upgrades()
                        .await;
                });
            }
        });
        let socket = dir.path().join("guard.sock");
        let guard = Guard {
            policy: Policy::new(Home::new(&home, false).unwrap()),
            upstream,
            mirror: Some(Mirror {
                addr: fake_mirror().await.to_string(),
            }),
            collecting: Default::default(),
        };
        let guard = Arc::new(guard);
        let listener = UnixListener::bind(&socket).unwrap();
        tokio::spawn(serve(listener, guard.clone()));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tcp = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, guard));
        Lab {
            dir,
            engine,
            socket,
            tcp,
            over_tcp: false,
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn seen(&self) -> Vec<Seen> {
        self.engine.seen.lock().unwrap().clone()
    }

    /// Sends one request through the guard with a hyper client.
    async fn send(&self, req: Request<Full<Bytes>>) -> Response<Incoming> {
        if self.over_tcp {
            send_on(TcpStream::connect(self.tcp).await.unwrap(), req).await
        } else {
            send_on(UnixStream::connect(&self.socket).await.unwrap(), req).await
        }
    }

    async fn post_json(&self, path: &str, body: &str) -> (StatusCode, Value) {
        let req = Request::post(path)
            .header("host", "docker")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        let resp = self.send(req).await;
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// Starts an exec as `docker exec -it` does and answers the upgraded
    /// stream, after the fake engine's `ready` greeting.
    async fn exec_it(&self) -> TokioIo<hyper::upgrade::Upgraded> {
        let req = Request::post("/v1.41/exec/abc/start")
            .header("host", "docker")
            .header("content-type", "application/json")
            .header("connection", "Upgrade")
            .header("upgrade", "tcp")
            .body(Full::new(Bytes::from(r#"{"Detach": false, "Tty": true}"#)))
            .unwrap();
        let mut resp = self.send(req).await;
        assert_eq!(resp.status(), StatusCode::SWITCHING_PROTOCOLS);
        let mut io = TokioIo::new(hyper::upgrade::on(&mut resp).await.unwrap());
        let mut buf = [0u8; 6];
        io.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ready\n");
        io
    }

    /// Writes raw bytes (for framings a well-behaved client would not send).
    async fn raw(&self, request: &[u8]) -> (u16, Value) {
        let mut stream = UnixStream::connect(&self.socket).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut out = Vec::new();
        stream.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        let status = text[9..12].parse().unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(body).unwrap())
    }
}

/// A registry mirror holding nginx:latest and nginx:1.26, and busybox.
async fn fake_mirror() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let svc = service_fn(|req: Request<Incoming>| async move {
                    let (status, body) = match req.uri().path() {
                        "/v2/library/nginx/manifests/latest" | "/v2/library/nginx/manifests/1.26" => {
                            (StatusCode::OK, String::new())
                        }
                        "/v2/library/nginx/tags/list" => (
                            StatusCode::OK,
                            r#"{"name":"library/nginx","tags":["latest","1.26"]}"#.into(),
                        ),
                        "/v2/_catalog" => (
                            StatusCode::OK,
                            r#"{"repositories":["library/nginx","library/busybox"]}"#.into(),
                        ),
                        _ => (
                            StatusCode::NOT_FOUND,
                            r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#.into(),
                        ),
                    };
                    Ok::<_, Infallible>(Response::builder().status(status).body(full(body)).unwrap())
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

async fn send_on(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    req: Request<Full<Bytes>>,
) -> Response<Incoming> {
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn.with_upgrades());
    sender.send_request(req).await.unwrap()
}

fn canonical(p: &Path) -> String {
    p.canonicalize().unwrap().display().to_string()
}

#[tokio::test]
async fn checked_bodies_are_forwarded_re_serialised_with_their_version_prefix() {
    let lab = Lab::start().await;
    let body = format!(
        r#"{{ "Image" : "nginx",
             "HostConfig": {{"Binds": ["{}/./site:/usr/share/nginx/html:ro", "data:/data"]}} }}"#,
        lab.home().display()
    );
    let (status, echo) = lab.post_json("/v1.41/containers/create?name=web", &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(echo["uri"], "/v1.41/containers/create?name=web");
    let expected = json!({"Image": "nginx", "HostConfig": {"Binds": [
        format!("{}/site:/usr/share/nginx/html:ro", canonical(&lab.home())), "data:/data"]}});
    let seen = lab.seen().pop().unwrap();
    assert_eq!(seen.body, serde_json::to_vec(&expected).unwrap());
    assert_eq!(seen.content_length, Some(seen.body.len().to_string()));
}

#[tokio::test]
async fn malformed_bodies_get_400_and_never_reach_the_engine() {
    let lab = Lab::start().await;
    let framing: [(&[u8], &str); 2] = [
        (
            b"POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\
              Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "chunked",
        ),
        (
            b"POST /containers/create HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\
              Content-Length: 2000000\r\n\r\n{",
            "larger than 1 MiB",
        ),
    ];
    for (request, expected) in framing {
        let (status, body) = lab.raw(request).await;
        assert_eq!(status, 400, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message} lacks {expected}");
    }
    let bodies = [
        ("/containers/create", "", "empty"),
        ("/volumes/create", "hello", "not valid JSON"),
        ("/networks/create", "[]", "must be a JSON object"),
        (
            "/v1.41/containers/create",
            r#"{"Image":"a","HostConfig":{"Binds":"/"}}"#,
            "field Binds must be an array",
        ),
        (
            "/v1.41/containers/create",
            r#"{"Image":"a","HostConfig":[]}"#,
            "field HostConfig must be an object",
        ),
    ];
    for (path, request, expected) in bodies {
        let (status, body) = lab.post_json(path, request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message} lacks {expected}");
    }
    assert!(lab.seen().is_empty(), "{:?}", lab.seen());
}

#[tokio::test]
async fn refusals_are_403_with_the_engines_error_shape() {
    let lab = Lab::start().await;
    let priv_create = r#"{"Image":"alpine","HostConfig":{"Privileged":true}}"#;
    let (status, body) = lab.post_json("/v1.41/containers/create", priv_create).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({"message": "this lab does not allow --privileged"}));
    let bind = r#"{"Image":"alpine","HostConfig":{"Binds":["/:/host"]}}"#;
    let (status, body) = lab.post_json("/containers/create", bind).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let home = lab.home().display().to_string();
    assert_eq!(
        body["message"],
        format!("this lab does not allow -v /:/host (the bind source must be inside {home})")
    );
    let (status, body) = lab.post_json("/v1.41/plugins/pull?remote=x", "[]").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            json!({"message": "this lab does not allow plugins"})
        )
    );
    let (status, _) = lab.post_json("/v1.41/exec/abc/start", r#"{"Detach":true}"#).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lab.seen().len(), 1, "only the exec start went through");
}

#[tokio::test]
async fn everything_else_passes_through_unchanged() {
    let lab = Lab::start().await;
    let req = Request::get("/v1.41/containers/json?all=1")
        .header("host", "docker")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(lab.send(req).await.status(), StatusCode::OK);
    // A build context is not JSON and streams through as is.
    let context: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let req = Request::post("/v1.41/build?t=web")
        .header("host", "docker")
        .body(Full::new(Bytes::from(context.clone())))
        .unwrap();
    assert_eq!(lab.send(req).await.status(), StatusCode::OK);
    let seen = lab.seen();
    assert_eq!(seen[0].uri, "/v1.41/containers/json?all=1");
    assert_eq!(
        (seen[1].uri.as_str(), &seen[1].body[..]),
        ("/v1.41/build?t=web", &context[..])
    );
}

#[tokio::test]
async fn streamed_responses_arrive_as_they_are_written() {
    let lab = Lab::start().await;
    let (tx, rx) = mpsc::channel(4);
    *lab.engine.stream.lock().unwrap() = Some(rx);
    let req = Request::get("/stream")
        .header("host", "docker")
        .body(Full::new(Bytes::new()))
        .unwrap();
    tx.send(Bytes::from("first\n")).await.unwrap();
    let mut body = lab.send(req).await.into_body();
    // The second chunk is only written once the first has reached us.
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(first, "first\n");
    tx.send(Bytes::from("second\n")).await.unwrap();
    let second = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(second, "second\n");
    drop(tx);
    assert!(body.frame().await.is_none());
}

#[tokio::test]
async fn upgrades_carry_raw_bytes_both_ways() {
    let lab = Lab::start().await;
    // `docker exec -it`: a checked JSON body *and* an upgrade.
    let mut io = lab.exec_it().await;
    let raw: Vec<u8> = (0..=255u8).collect();
    io.write_all(&raw).await.unwrap();
    let mut back = vec![0u8; raw.len()];
    io.read_exact(&mut back).await.unwrap();
    assert_eq!(back, raw);
    let seen = lab.seen();
    assert_eq!(&seen[0].body[..], br#"{"Detach":false,"Tty":true}"#);
}

#[tokio::test]
async fn starts_pin_bind_sources() {
    let lab = Lab::start().await;
    let site = lab.home().join("site");
    *lab.engine.bind_source.lock().unwrap() = canonical(&site);
    let (status, _) = lab.post_json("/v1.41/containers/web/start", "").await;
    assert_eq!(status, StatusCode::OK);
    // Pinned: the learner cannot swap the bound folder for a symlink to /.
    assert!(std::fs::remove_dir(&site).is_err());
    // A source that is already a symlink (a container a setup script made)
    // does not start.
    let link = lab.home().join("link");
    std::os::unix::fs::symlink("/", &link).unwrap();
    *lab.engine.bind_source.lock().unwrap() = format!("{}/link", canonical(&lab.home()));
    let (status, body) = lab.post_json("/v1.41/containers/web/restart", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Old API versions apply a HostConfig sent with start: refused outright.
    let (status, _) = lab
        .post_json("/v1.23/containers/web/start", r#"{"Privileged":true}"#)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let uris: Vec<String> = lab
        .seen()
        .into_iter()
        .map(|s| s.uri)
        .filter(|uri| uri != "/containers/json?all=1")
        .collect();
    assert_eq!(
        uris,
        [
            "/containers/web/json",
            "/v1.41/containers/web/start",
            "/containers/web/json"
        ]
    );
}

#[tokio::test]
async fn an_absent_engine_is_a_502() {
    let lab = Lab::start().await;
    std::fs::remove_file(lab.dir.path().join("engine.sock")).unwrap();
    let (status, body) = lab.post_json("/_ping", "").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(body["message"], "the lab's Docker engine is not reachable");
}

#[tokio::test]
async fn the_tcp_listener_forwards_and_refuses_exactly_as_the_socket_does() {
    let mut lab = Lab::start().await;
    let priv_create = r#"{"Image":"alpine","HostConfig":{"Privileged":true}}"#;
    let over_socket = lab.post_json("/v1.41/containers/create", priv_create).await;
    lab.over_tcp = true;
    let (status, body) = lab.post_json("/v1.41/containers/create", priv_create).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({"message": "this lab does not allow --privileged"}));
    assert_eq!((status, body), over_socket);
    assert!(lab.seen().is_empty(), "{:?}", lab.seen());

    let (status, echo) = lab
        .post_json("/v1.41/containers/create?name=web", r#"{"Image":"nginx"}"#)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(echo["uri"], "/v1.41/containers/create?name=web");
    assert_eq!(echo["body"], r#"{"Image":"nginx"}"#);
    // `docker -H tcp://node2:2375 exec -it`: upgrades are spliced over TCP too.
    let mut io = lab.exec_it().await;
    io.write_all(b"ls\n").await.unwrap();
    let mut back = [0u8; 3];
    io.read_exact(&mut back).await.unwrap();
    assert_eq!(&back, b"ls\n");
    assert_eq!(lab.seen().len(), 2);
}

#[tokio::test]
async fn pulls_the_mirror_lacks_are_refused_at_once_naming_what_it_has() {
    let lab = Lab::start().await;
    // On the mirror: forwarded to the engine.
    let (status, echo) = lab.post_json("/v1.45/images/create?fromImage=nginx&tag=1.26", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(echo["uri"], "/v1.45/images/create?fromImage=nginx&tag=1.26");

    // A tag it lacks: the tags it has. An image it lacks: the images.
    let (status, body) = lab.post_json("/v1.45/images/create?fromImage=nginx&tag=1.27", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["message"],
        "nginx:1.27 is not on this course's registry mirror, and the lab has no internet; \
         nginx there has the tags 1.26, latest"
    );
    let (status, body) = lab
        .post_json("/v1.45/images/create?fromImage=alpine&tag=3.22", "")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["message"],
        "alpine:3.22 is not on this course's registry mirror, and the lab has no internet; it has busybox, nginx"
    );
    assert_eq!(lab.seen().len(), 1, "refused pulls never reach the engine");

    // Imports and other registries (a registry run in the lab) are not
    // the mirror's business.
    for query in ["fromSrc=-&repo=mini", "fromImage=localhost%3A5000%2Fapp&tag=1"] {
        let (status, _) = lab.post_json(&format!("/images/create?{query}"), "").await;
        assert_eq!(status, StatusCode::OK, "{query}");
    }
    assert_eq!(lab.seen().len(), 3);
}
