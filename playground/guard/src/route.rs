//! Which Engine API endpoint a request reaches.
//!
//! The Engine routes on the *decoded*, cleaned path with an optional
//! `/v1.41` prefix, so `/v1.41/containers%2Fcreate` and
//! `//containers/./create` are container creates too. We normalise the same
//! way before matching, so no spelling slips past a check.

use http::Method;

/// Endpoints the guard looks at; everything else passes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    ContainerCreate,
    ContainerUpdate,
    /// A start or restart: the engine mounts the binds again.
    ContainerStart(String),
    /// `DELETE /containers/{id}` or a prune: pins may be free.
    ContainerRemove,
    ExecCreate,
    ExecStart,
    ServiceCreate,
    ServiceUpdate,
    VolumeCreate,
    NetworkCreate,
    Build,
    /// `POST /images/create`: a pull, or an import (`fromSrc`).
    ImageCreate,
    /// Installing, enabling, upgrading or configuring a plugin.
    Plugin,
    Other,
}

impl Endpoint {
    /// Whether the request body is JSON the guard must check and re-serialise.
    pub fn has_json_body(&self) -> bool {
        use Endpoint::*;
        matches!(
            self,
            ContainerCreate
                | ContainerUpdate
                | ExecCreate
                | ExecStart
                | ServiceCreate
                | ServiceUpdate
                | VolumeCreate
                | NetworkCreate
        )
    }
}

/// Classifies a request; `None` when the path cannot be decoded.
pub fn classify(method: &Method, raw_path: &str) -> Option<Endpoint> {
    let path = normalise(raw_path)?;
    let path = strip_version(&path);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    use Endpoint::*;
    if method == Method::DELETE {
        return Some(match parts.as_slice() {
            ["containers", _] => ContainerRemove,
            _ => Other,
        });
    }
    if method != Method::POST {
        return Some(Endpoint::Other);
    }
    Some(match parts.as_slice() {
        ["containers", "create"] => ContainerCreate,
        ["containers", _, "update"] => ContainerUpdate,
        ["containers", id, "start" | "restart"] => ContainerStart((*id).to_string()),
        ["containers", "prune"] => ContainerRemove,
        ["containers", _, "exec"] => ExecCreate,
        ["exec", _, "start"] => ExecStart,
        ["services", "create"] => ServiceCreate,
        ["services", _, "update"] => ServiceUpdate,
        ["volumes", "create"] => VolumeCreate,
        ["networks", "create"] => NetworkCreate,
        ["build"] => Build,
        ["images", "create"] => ImageCreate,
        ["plugins", ..] => Plugin,
        _ => Other,
    })
}

/// Decodes `%XX` escapes; `None` for a bad escape or invalid UTF-8.
pub fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Percent-decodes and cleans a path (`//`, `.`, `..`), like Go's `path.Clean`.
fn normalise(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    let mut out: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    Some(format!("/{}", out.join("/")))
}

/// Drops a leading `/v1.41`-style API version segment.
fn strip_version(path: &str) -> &str {
    let rest = path.trim_start_matches('/');
    let (first, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let is_version =
        first.len() > 1 && first.starts_with('v') && first[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    if is_version {
        &path[path.len() - tail.len() - 1..]
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(p: &str) -> Endpoint {
        classify(&Method::POST, p).unwrap()
    }

    #[test]
    fn versions_and_spellings_reach_the_same_endpoint() {
        for p in [
            "/containers/create",
            "/v1.41/containers/create",
            "/v1.24/containers/create?name=web",
            "/v1/containers/create",
            "/v1.41/containers%2Fcreate",
            "/%63ontainers/create",
            "//v1.41//containers/./create",
            "/v1.41/x/../containers/create",
        ] {
            let path = p.split('?').next().unwrap();
            assert_eq!(post(path), Endpoint::ContainerCreate, "{p}");
        }
        assert_eq!(
            post("/v1.41/containers/abc/start"),
            Endpoint::ContainerStart("abc".into())
        );
        assert_eq!(post("/v1.41/plugins/pull"), Endpoint::Plugin);
        assert_eq!(post("/plugins/x/enable"), Endpoint::Plugin);
        assert_eq!(post("/containers/json"), Endpoint::Other);
        assert_eq!(classify(&Method::GET, "/containers/create").unwrap(), Endpoint::Other);
        assert_eq!(classify(&Method::POST, "/containers%zz"), None);
    }
}
