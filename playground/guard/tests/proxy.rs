//! The proxy end to end, against a fake engine on a unix socket that records
//! and echoes what it receives, streams on demand and can upgrade. The guard
//! listens on a unix socket and on TCP, as in a multi-node lab.

mod common;

use bytes::Bytes;
use common::{Lab, canonical};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
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
