//! A guard in front of a fake engine on a unix socket that records and
//! echoes what it receives, streams on demand and can upgrade. The guard
//! listens on a unix socket and on TCP, as in a multi-node lab.
#![allow(dead_code)] // each test binary uses part of the harness

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
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub content_length: Option<String>,
    pub body: Bytes,
}

#[derive(Default)]
pub struct Engine {
    pub seen: Mutex<Vec<Seen>>,
    /// Chunks for `GET /stream`, sent as the test pushes them.
    pub stream: Mutex<Option<mpsc::Receiver<Bytes>>>,
    /// The bind source the fake's container inspect reports.
    pub bind_source: Mutex<String>,
}

/// A response body fed from a channel: each message is one frame.
pub struct ChannelBody(mpsc::Receiver<Bytes>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

pub type FakeBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

impl Engine {
    pub async fn answer(self: Arc<Self>, mut req: Request<Incoming>) -> Response<FakeBody> {
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

pub fn full(b: impl Into<Bytes>) -> FakeBody {
    Full::new(b.into()).boxed()
}

/// A running guard in front of a fake engine, with a temp home.
pub struct Lab {
    pub dir: tempfile::TempDir,
    pub engine: Arc<Engine>,
    pub socket: PathBuf,
    /// The guard's TCP listener (another node's `docker -H tcp://…`).
    pub tcp: SocketAddr,
    /// Whether `send` goes over TCP rather than the unix socket.
    pub over_tcp: bool,
}

impl Lab {
    pub async fn start() -> Lab {
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

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.engine.seen.lock().unwrap().clone()
    }

    /// Sends one request through the guard with a hyper client.
    pub async fn send(&self, req: Request<Full<Bytes>>) -> Response<Incoming> {
        if self.over_tcp {
            send_on(TcpStream::connect(self.tcp).await.unwrap(), req).await
        } else {
            send_on(UnixStream::connect(&self.socket).await.unwrap(), req).await
        }
    }

    pub async fn post_json(&self, path: &str, body: &str) -> (StatusCode, Value) {
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
    pub async fn exec_it(&self) -> TokioIo<hyper::upgrade::Upgraded> {
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
    pub async fn raw(&self, request: &[u8]) -> (u16, Value) {
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
pub async fn fake_mirror() -> SocketAddr {
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

pub async fn send_on(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    req: Request<Full<Bytes>>,
) -> Response<Incoming> {
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn.with_upgrades());
    sender.send_request(req).await.unwrap()
}

pub fn canonical(p: &Path) -> String {
    p.canonicalize().unwrap().display().to_string()
}
