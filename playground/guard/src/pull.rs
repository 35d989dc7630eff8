//! Pulls in a lab come from the course's registry mirror: the lab has no
//! internet. Before the engine tries (and, for an image the mirror lacks,
//! waits on Docker Hub's name until the lookup times out), the guard asks
//! the mirror, so a missing image gets a plain answer at once, naming what
//! the mirror does have.

use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, HOST};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;
use tracing::{debug, warn};

use crate::policy::Refusal;
use crate::route::percent_decode;

/// How long the mirror may take to answer before the pull goes ahead
/// unchecked (the engine then gives its own answer).
const ASK_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest catalog or tag list read.
const MAX_LIST: usize = 256 * 1024;
const MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// A Docker Hub image a pull names: `library/nginx` and `1.27` (a tag or
/// a digest), and how the learner wrote it.
#[derive(Debug, PartialEq, Eq)]
pub struct HubImage {
    pub repository: String,
    pub reference: String,
    pub written: String,
}

/// The Docker Hub image an `images/create` query pulls; `None` for an
/// import (`fromSrc`), another registry, or a query without an image.
pub fn hub_image(query: &str) -> Option<HubImage> {
    let mut from_image = None;
    let mut tag = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(&value.replace('+', " "))?;
        match key {
            "fromSrc" => return None,
            "fromImage" => from_image = Some(value),
            "tag" => tag = Some(value),
            _ => {}
        }
    }
    let name = from_image.filter(|n| !n.is_empty())?;
    let (name, inline) = match name.split_once('@') {
        Some((name, digest)) => (name.to_string(), Some(digest.to_string())),
        None => match name.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n.to_string(), Some(t.to_string())),
            _ => (name, None),
        },
    };
    let reference = tag
        .filter(|t| !t.is_empty())
        .or(inline)
        .unwrap_or_else(|| "latest".into());
    let (domain, path) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest.to_string()),
        _ => ("docker.io", name.clone()),
    };
    if !matches!(domain, "docker.io" | "index.docker.io" | "registry-1.docker.io") {
        return None;
    }
    let repository = if path.contains('/') {
        path
    } else {
        format!("library/{path}")
    };
    let separator = if reference.contains(':') { '@' } else { ':' };
    Some(HubImage {
        written: format!("{name}{separator}{reference}"),
        repository,
        reference,
    })
}

/// The course's registry mirror, as `host:port`.
#[derive(Debug, Clone)]
pub struct Mirror {
    pub addr: String,
}

impl Mirror {
    /// Refuses a pull the mirror cannot serve; anything unclear (the mirror
    /// down or slow) lets the pull go ahead.
    pub async fn check(&self, image: &HubImage) -> Result<(), Refusal> {
        let path = format!("/v2/{}/manifests/{}", image.repository, image.reference);
        match tokio::time::timeout(ASK_TIMEOUT, self.get(Method::HEAD, &path)).await {
            Ok(Ok((StatusCode::NOT_FOUND, _))) => Err(Refusal::not_found(self.missing(image).await)),
            Ok(Ok((status, _))) => {
                debug!(%status, image = %image.written, "the mirror answered");
                Ok(())
            }
            Ok(Err(e)) => {
                warn!(mirror = %self.addr, "the mirror could not be asked: {e}");
                Ok(())
            }
            Err(_) => {
                warn!(mirror = %self.addr, "the mirror did not answer in time");
                Ok(())
            }
        }
    }

    /// What to tell the learner: what is missing, and what there is instead.
    async fn missing(&self, image: &HubImage) -> String {
        let short = |repo: &str| repo.strip_prefix("library/").unwrap_or(repo).to_string();
        let lead = format!(
            "{} is not on this course's registry mirror, and the lab has no internet",
            image.written
        );
        let tags = self.list(&format!("/v2/{}/tags/list", image.repository), "tags").await;
        if let Some(mut tags) = tags.filter(|t| !t.is_empty()) {
            tags.sort();
            return format!(
                "{lead}; {} there has the tags {}",
                short(&image.repository),
                tags.join(", ")
            );
        }
        match self.list("/v2/_catalog", "repositories").await {
            Some(repos) if !repos.is_empty() => {
                let mut names: Vec<String> = repos.iter().map(|r| short(r)).collect();
                names.sort();
                format!("{lead}; it has {}", names.join(", "))
            }
            _ => lead,
        }
    }

    /// A list from one of the registry's JSON answers.
    async fn list(&self, path: &str, field: &str) -> Option<Vec<String>> {
        let (status, body) = tokio::time::timeout(ASK_TIMEOUT, self.get(Method::GET, path))
            .await
            .ok()?
            .ok()?;
        if status != StatusCode::OK {
            return None;
        }
        let value: Value = serde_json::from_slice(&body).ok()?;
        Some(
            value
                .get(field)?
                .as_array()?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        )
    }

    async fn get(
        &self,
        method: Method,
        path: &str,
    ) -> Result<(StatusCode, Bytes), Box<dyn std::error::Error + Send + Sync>> {
        let stream = TcpStream::connect(&self.addr).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                debug!("mirror connection ended: {e}");
            }
        });
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.addr)
            .header(ACCEPT, MANIFESTS)
            .body(Empty::<Bytes>::new())?;
        let resp = sender.send_request(req).await?;
        let status = resp.status();
        let body = Limited::new(resp.into_body(), MAX_LIST).collect().await?.to_bytes();
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_images_are_named_as_the_registry_knows_them() {
        for (query, repository, reference, written) in [
            ("fromImage=nginx&tag=1.27", "library/nginx", "1.27", "nginx:1.27"),
            ("fromImage=nginx", "library/nginx", "latest", "nginx:latest"),
            ("fromImage=nginx%3A1.26&tag=", "library/nginx", "1.26", "nginx:1.26"),
            (
                "fromImage=docker.io%2Flibrary%2Fredis&tag=8",
                "library/redis",
                "8",
                "docker.io/library/redis:8",
            ),
            (
                "fromImage=bitnami%2Fredis&tag=latest",
                "bitnami/redis",
                "latest",
                "bitnami/redis:latest",
            ),
            (
                "fromImage=busybox%40sha256%3Aabc",
                "library/busybox",
                "sha256:abc",
                "busybox@sha256:abc",
            ),
        ] {
            let expected = HubImage {
                repository: repository.into(),
                reference: reference.into(),
                written: written.into(),
            };
            assert_eq!(hub_image(query), Some(expected), "{query}");
        }
    }

    #[test]
    fn imports_and_other_registries_are_not_the_mirrors_business() {
        assert_eq!(hub_image("fromSrc=-&repo=mini"), None);
        assert_eq!(hub_image("fromImage=localhost%3A5000%2Fapp&tag=1"), None);
        assert_eq!(hub_image("fromImage=ghcr.io%2Facme%2Fapi&tag=1.4"), None);
        assert_eq!(hub_image("tag=1"), None);
        assert_eq!(hub_image("fromImage=%zz"), None);
    }
}
