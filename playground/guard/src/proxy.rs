//! The HTTP/1.1 proxy between the learner's socket and the engine's.
//!
//! Bodies stream through untouched (build contexts, `logs -f`, `events`),
//! except the JSON bodies the policy reads: those are read whole (bounded),
//! checked, and the *re-serialised* value is forwarded, so the engine parses
//! exactly what was checked. When the engine answers 101 (`attach`,
//! `exec -it`, BuildKit's `/session` and `/grpc` over h2c), both sides are
//! upgraded and bytes are copied both ways.

use std::collections::HashSet;
use std::convert::Infallible;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, EXPECT, HOST, TRANSFER_ENCODING};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tracing::{debug, warn};

use crate::binds::InFlight;
use crate::policy::{Policy, Refusal};
use crate::pull::{Mirror, hub_image};
use crate::route::{Endpoint, classify, percent_decode};

/// Largest JSON body the guard reads (a container create is a few KiB).
pub const MAX_JSON_BODY: usize = 1 << 20;
/// Largest container inspect or list read when looking at bind mounts.
const MAX_INSPECT: usize = 16 << 20;
/// The engine's events that can free a pinned bind source.
const REMOVALS: &str = "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%2C%22event%22%3A%5B%22destroy%22%5D%7D";

type Body = BoxBody<Bytes, hyper::Error>;

/// The guard: a policy, where the real engine listens, and the registry
/// mirror pulls come from (if the lab has one).
pub struct Guard {
    pub policy: Policy,
    pub upstream: PathBuf,
    pub mirror: Option<Mirror>,
    /// One collection of unused pins at a time.
    pub collecting: tokio::sync::Mutex<()>,
}

/// A listener the guard accepts learner connections on: the unix socket, and
/// in multi-node labs also TCP (so `docker -H tcp://node2:2375` works).
pub trait Accept {
    type Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn accept(&self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

impl Accept for UnixListener {
    type Stream = UnixStream;
    async fn accept(&self) -> io::Result<UnixStream> {
        Ok(UnixListener::accept(self).await?.0)
    }
}

impl Accept for TcpListener {
    type Stream = TcpStream;
    async fn accept(&self) -> io::Result<TcpStream> {
        let (stream, _) = TcpListener::accept(self).await?;
        // Small writes (a TTY's keystrokes over an upgraded `exec -it`) go out at once.
        if let Err(e) = stream.set_nodelay(true) {
            debug!("setting TCP_NODELAY: {e}");
        }
        Ok(stream)
    }
}

/// Accepts learner connections forever, one task per connection.
pub async fn serve<L: Accept>(listener: L, guard: Arc<Guard>) -> io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok(stream) => stream,
            // One client's connection failed before it was ours: not the listener's.
            Err(e) if is_per_connection(&e) => {
                debug!("accepting a connection: {e}");
                continue;
            }
            Err(e) => return Err(e),
        };
        tokio::spawn(serve_connection(stream, guard.clone()));
    }
}

/// Serves one learner connection, whichever listener it came from.
pub async fn serve_connection(stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static, guard: Arc<Guard>) {
    let service = service_fn(move |req| {
        let guard = guard.clone();
        async move { Ok::<_, Infallible>(guard.handle(req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    if let Err(e) = conn.await {
        debug!("client connection ended: {e}");
    }
}

fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted
    )
}

impl Guard {
    async fn handle(&self, req: Request<Incoming>) -> Response<Body> {
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let endpoint = classify(&method, uri.path());
        // Pins this request takes stay "under way" until the engine answers.
        let mut pins = InFlight::new(&self.policy.home);
        let checked = match &endpoint {
            Some(endpoint) => self.check(endpoint, req, &mut pins).await,
            None => Err(Refusal::malformed("the request path is not valid")),
        };
        let resp = match checked {
            Ok(req) => self.forward(req).await,
            Err(refusal) => {
                warn!(%method, %uri, status = refusal.status().as_u16(), "refused: {refusal}");
                Ok(message(refusal.status(), &refusal.to_string()))
            }
        };
        let succeeded = resp.as_ref().is_ok_and(|r| r.status().is_success());
        let pinned = !pins.is_empty();
        drop(pins);
        // A removed container may free pins: let `docker rm x && rm -r ~/x`
        // work at once. A failed create or start may have pinned for nothing.
        if (succeeded && endpoint == Some(Endpoint::ContainerRemove)) || (pinned && !succeeded) {
            self.collect_pins().await;
        }
        resp.unwrap_or_else(|e| {
            warn!(%method, %uri, "engine unreachable: {e}");
            message(StatusCode::BAD_GATEWAY, "the lab's Docker engine is not reachable")
        })
    }

    /// Applies the policy; returns the request to forward.
    async fn check(
        &self,
        endpoint: &Endpoint,
        mut req: Request<Incoming>,
        pins: &mut InFlight<'_>,
    ) -> Result<Request<Body>, Refusal> {
        match endpoint {
            Endpoint::Plugin => return Err(Refusal::forbid("plugins")),
            Endpoint::Build => check_build_query(req.uri().query().unwrap_or(""))?,
            Endpoint::ImageCreate => {
                let image = hub_image(req.uri().query().unwrap_or(""));
                if let (Some(mirror), Some(image)) = (&self.mirror, image) {
                    mirror.check(&image).await?;
                }
            }
            Endpoint::ContainerStart(id) => {
                // API < 1.24 applies a HostConfig sent with start: no bodies.
                if has_body(req.headers()) {
                    return Err(Refusal::malformed("container start takes no request body"));
                }
                self.pin_binds_of(id, pins).await?;
            }
            _ => {}
        }
        // hyper answers `100-continue` itself; don't make the engine do it too.
        req.headers_mut().remove(EXPECT);
        if !endpoint.has_json_body() {
            return Ok(req.map(BodyExt::boxed));
        }
        let (mut parts, body) = req.into_parts();
        let mut value = read_json(&parts.headers, body).await?;
        self.policy.check_body(endpoint, &mut value, pins)?;
        let bytes = Bytes::from(serde_json::to_vec(&value).expect("a Value serialises"));
        parts.headers.insert(CONTENT_LENGTH, bytes.len().into());
        Ok(Request::from_parts(parts, full(bytes)))
    }

    /// Sends `req` upstream; on 101 splices the two upgraded connections.
    async fn forward(&self, mut req: Request<Body>) -> Result<Response<Body>, ForwardError> {
        let client_upgrade = hyper::upgrade::on(&mut req);
        let mut resp = self.send(req).await?;
        if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
            let upstream_upgrade = hyper::upgrade::on(&mut resp);
            tokio::spawn(async move {
                match tokio::try_join!(client_upgrade, upstream_upgrade) {
                    Ok((client, upstream)) => {
                        let (mut c, mut u) = (TokioIo::new(client), TokioIo::new(upstream));
                        if let Err(e) = tokio::io::copy_bidirectional(&mut c, &mut u).await {
                            debug!("upgraded stream ended: {e}");
                        }
                    }
                    Err(e) => warn!("upgrade failed: {e}"),
                }
            });
        }
        Ok(resp.map(BodyExt::boxed))
    }

    /// One request on a fresh connection to the engine.
    async fn send(&self, req: Request<Body>) -> Result<Response<Incoming>, ForwardError> {
        let stream = UnixStream::connect(&self.upstream).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.with_upgrades().await {
                debug!("engine connection ended: {e}");
            }
        });
        Ok(sender.send_request(req).await?)
    }

    /// Before a (re)start, pins the container's bind sources: those of a
    /// container a setup script made as root were never pinned, and the
    /// engine resolves them again now.
    async fn pin_binds_of(&self, id: &str, pins: &mut InFlight<'_>) -> Result<(), Refusal> {
        let unchecked = || Refusal::forbid("starting a container whose mounts could not be checked");
        let inspect = match self.get_json(&format!("/containers/{}/json", path_escape(id))).await {
            Ok(Some(inspect)) => inspect,
            // Let the engine give its own answer for a container that is not there.
            Ok(None) => return Ok(()),
            Err(e) => {
                warn!("inspecting {id} before its start: {e}");
                return Err(unchecked());
            }
        };
        self.policy.pin_existing_binds(&inspect, pins)
    }

    /// A GET whose answer is JSON; `None` for 404.
    async fn get_json(&self, path: &str) -> Result<Option<Value>, String> {
        let req = Request::get(path)
            .header(HOST, "docker")
            .body(full(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let resp = self.send(req).await.map_err(|e| e.to_string())?;
        match resp.status() {
            StatusCode::NOT_FOUND => return Ok(None),
            StatusCode::OK => {}
            other => return Err(format!("the engine answered {other}")),
        }
        let body = Limited::new(resp.into_body(), MAX_INSPECT)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        serde_json::from_slice(&body).map(Some).map_err(|e| e.to_string())
    }

    /// Unpins bind sources no container uses any more (nor a request under
    /// way). Run at start, after removals, and on the engine's `destroy`
    /// events (`docker run --rm`, `compose down`, prunes).
    pub async fn collect_pins(&self) {
        let _one_at_a_time = self.collecting.lock().await;
        let home = &self.policy.home;
        let pinned = match home.pinned() {
            Ok(pinned) if pinned.is_empty() => return,
            Ok(pinned) => pinned,
            Err(e) => return warn!("reading the pins: {e}"),
        };
        // Whatever is under way now may have made its container by the time
        // the list below is read, and released its pins after it: keep it.
        let mut keep: HashSet<PathBuf> = home.in_flight().into_iter().collect();
        match self.get_json("/containers/json?all=1").await {
            Ok(Some(Value::Array(containers))) => keep.extend(bind_sources(&containers)),
            Ok(_) => return warn!("listing containers for their binds: not a list"),
            Err(e) => return warn!("listing containers for their binds: {e}"),
        }
        let removed = home.unpin_unused(&pinned, &keep);
        debug!(removed, "collected unused pins");
    }

    /// Follows the engine's container removals to collect pins; reconnects
    /// if the engine goes away.
    pub async fn watch_removals(self: Arc<Guard>) {
        loop {
            if let Err(e) = self.follow_removals().await {
                debug!("following the engine's events: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    async fn follow_removals(&self) -> Result<(), String> {
        let req = Request::get(REMOVALS)
            .header(HOST, "docker")
            .body(full(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let mut body = self.send(req).await.map_err(|e| e.to_string())?.into_body();
        self.collect_pins().await;
        while let Some(frame) = body.frame().await {
            if frame.map_err(|e| e.to_string())?.is_data() {
                self.collect_pins().await;
            }
        }
        Ok(())
    }
}

/// The bind sources of a container list (`GET /containers/json`).
fn bind_sources(containers: &[Value]) -> impl Iterator<Item = PathBuf> + '_ {
    containers
        .iter()
        .filter_map(|c| c.get("Mounts")?.as_array())
        .flatten()
        .filter(|m| m.get("Type").and_then(Value::as_str) == Some("bind"))
        .filter_map(|m| m.get("Source")?.as_str())
        .map(PathBuf::from)
}

#[derive(Debug, thiserror::Error)]
enum ForwardError {
    #[error("connecting: {0}")]
    Connect(#[from] io::Error),
    #[error("{0}")]
    Http(#[from] hyper::Error),
}

fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING) || headers.get(CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0")
}

/// Reads a JSON body the policy must see whole: sized, bounded, an object.
async fn read_json(headers: &HeaderMap, body: Incoming) -> Result<Value, Refusal> {
    if headers.contains_key(TRANSFER_ENCODING) {
        return Err(Refusal::malformed(
            "chunked request bodies are not accepted here; send a Content-Length",
        ));
    }
    // Without Content-Length or chunking, an HTTP/1.1 request has no body.
    let len: usize = match headers.get(CONTENT_LENGTH) {
        None => 0,
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Refusal::malformed("the Content-Length is not valid"))?,
    };
    if len > MAX_JSON_BODY {
        return Err(Refusal::malformed("the request body is larger than 1 MiB"));
    }
    if len == 0 {
        return Err(Refusal::malformed("the request body is empty; expected a JSON object"));
    }
    let bytes = Limited::new(body, MAX_JSON_BODY)
        .collect()
        .await
        .map_err(|e| Refusal::malformed(format!("could not read the request body: {e}")))?
        .to_bytes();
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Refusal::malformed(format!("the request body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Refusal::malformed("the request body must be a JSON object"));
    }
    Ok(value)
}

/// The classic builder's query: `--network host` and `--cgroup-parent`.
fn check_build_query(query: &str) -> Result<(), Refusal> {
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        let (Some(key), Some(value)) = (decode(key), decode(value)) else {
            return Err(Refusal::malformed("the build query is not valid"));
        };
        if key == "networkmode" && value.trim().eq_ignore_ascii_case("host") {
            return Err(Refusal::forbid("--network host"));
        }
        if key == "cgroupparent" && !value.is_empty() {
            return Err(Refusal::forbid("--cgroup-parent"));
        }
    }
    Ok(())
}

/// Escapes a path segment (container names and ids never need it).
fn path_escape(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// An answer shaped like the engine's errors: `{"message": "..."}`.
fn message(status: StatusCode, text: &str) -> Response<Body> {
    let body = json!({ "message": text }).to_string();
    let mut resp = Response::new(full(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, "application/json".parse().expect("valid header"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_queries_with_host_network_or_cgroup_parent_are_refused() {
        assert!(check_build_query("t=web&networkmode=default").is_ok());
        assert!(check_build_query("").is_ok());
        assert_eq!(
            check_build_query("t=x&networkmode=%68ost"),
            Err(Refusal::forbid("--network host"))
        );
        assert_eq!(
            check_build_query("cgroupparent=%2F"),
            Err(Refusal::forbid("--cgroup-parent"))
        );
    }

    #[test]
    fn ids_are_escaped_for_the_inspect_path() {
        assert_eq!(path_escape("web_1.a-b"), "web_1.a-b");
        assert_eq!(path_escape("../x"), "..%2Fx");
    }
}
