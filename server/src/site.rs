//! The built front end (`cargo xtask build`): browser bundle, stylesheet,
//! vendored scripts. The files are few and never change while the server
//! runs, so they are read into memory once at start-up and served from
//! there.
//!
//! The build names each file after its content (`berth.3f9c….css`), lists
//! the names in `manifest.json`, and compresses it once with brotli and gzip
//! (`FILE.br`, `FILE.gz`). Hashed names are cached by browsers for a year
//! without asking again; the plain names stay reachable for anything that
//! has no manifest, and are revalidated. Each request gets the smallest
//! variant its `Accept-Encoding` allows.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use berth_app::assets::Assets;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use crate::state::AppState;

/// The fingerprint of the bundle sources this binary was built with (see
/// `xtask/src/build_id.rs`); a matching site holds the same in
/// [`BUILD_ID_FILE`].
pub const BUILD_ID: &str = env!("BERTH_BUILD_ID");
/// The file in the site directory holding the build id it was built from.
pub const BUILD_ID_FILE: &str = "build-id";

/// The folders of the site directory served at `/<folder>/...`.
pub const FOLDERS: [&str; 3] = ["pkg", "assets", "vendor"];

/// The build's list of hashed names: `{"/assets/berth.css": "/assets/berth.<hash>.css", ...}`.
const MANIFEST: &str = "manifest.json";

/// The browser bundle's plain names (wasm-bindgen's, for output name `berth`).
const BUNDLE_JS: &str = "/pkg/berth.js";

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

#[derive(Debug, Default)]
pub struct Site {
    /// By URL: hashed names and plain names alike.
    files: HashMap<String, Served>,
    assets: Assets,
    bundle: Option<String>,
}

#[derive(Debug)]
struct Served {
    file: Arc<StaticFile>,
    cache: HeaderValue,
}

#[derive(Debug)]
struct StaticFile {
    content_type: HeaderValue,
    identity: Variant,
    br: Option<Variant>,
    gzip: Option<Variant>,
}

#[derive(Debug)]
struct Variant {
    body: Bytes,
    etag: HeaderValue,
}

impl Variant {
    /// Each variant has its own entity tag: a cache must not answer a
    /// request for gzip with brotli bytes it validated.
    fn new(body: Vec<u8>, tag: &str) -> Self {
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        let etag = format!("\"{:016x}{tag}\"", hasher.finish());
        Self {
            body: Bytes::from(body),
            etag: HeaderValue::from_str(&etag).expect("hex is a valid header"),
        }
    }
}

impl Site {
    /// Reads every file under the served folders; missing folders are
    /// simply empty (pages still render, without the browser bundle).
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let hashed: HashMap<String, String> = match std::fs::read(dir.join(MANIFEST)) {
            Ok(json) => serde_json::from_slice(&json)
                .map_err(|e| anyhow::anyhow!("{} is not a site manifest: {e}", dir.join(MANIFEST).display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(e) => return Err(e.into()),
        };
        let mut bodies = HashMap::new();
        for folder in FOLDERS {
            read_folder(&dir.join(folder), &format!("/{folder}"), &mut bodies)?;
        }
        let plain: HashMap<&str, &str> = hashed.iter().map(|(p, h)| (h.as_str(), p.as_str())).collect();
        let mut files = HashMap::new();
        let urls: Vec<String> = bodies.keys().filter(|u| !is_variant(u)).cloned().collect();
        for url in urls {
            let mut variant =
                |ext: &str, tag: &str| bodies.remove(&format!("{url}.{ext}")).map(|b| Variant::new(b, tag));
            let (br, gzip) = (variant("br", "-br"), variant("gz", "-gzip"));
            let mime = mime_guess::from_path(&url).first_or_octet_stream();
            let file = Arc::new(StaticFile {
                content_type: HeaderValue::from_str(mime.as_ref()).expect("MIME types are valid headers"),
                identity: Variant::new(bodies.remove(&url).expect("listed above"), ""),
                br,
                gzip,
            });
            let cache = match plain.get(url.as_str()) {
                Some(plain) => {
                    let revalidated = Served {
                        file: file.clone(),
                        cache: REVALIDATE,
                    };
                    files.insert(plain.to_string(), revalidated);
                    IMMUTABLE
                }
                None => REVALIDATE,
            };
            files.insert(url, Served { file, cache });
        }
        let bundle = hashed
            .get(BUNDLE_JS)
            .and_then(|url| url.strip_prefix("/pkg/")?.strip_suffix(".js"))
            .map(str::to_string);
        Ok(Self {
            files,
            assets: Assets::new(hashed),
            bundle,
        })
    }

    /// Whether the browser bundle is there.
    pub fn has_bundle(&self) -> bool {
        self.files.contains_key(BUNDLE_JS)
    }

    /// The bundle's name for Leptos's hydration scripts, which load
    /// `/pkg/NAME.js` and `/pkg/NAME_bg.wasm`: the hashed one if built so.
    pub fn bundle_name(&self) -> &str {
        self.bundle.as_deref().unwrap_or("berth")
    }

    /// The hashed names, for the pages' links.
    pub fn assets(&self) -> Assets {
        self.assets.clone()
    }
}

fn is_variant(url: &str) -> bool {
    url.ends_with(".br") || url.ends_with(".gz")
}

fn read_folder(dir: &Path, url: &str, bodies: &mut HashMap<String, Vec<u8>>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let url = format!("{url}/{}", entry.file_name().to_string_lossy());
        if entry.file_type()?.is_dir() {
            read_folder(&entry.path(), &url, bodies)?;
        } else {
            bodies.insert(url, std::fs::read(entry.path())?);
        }
    }
    Ok(())
}

/// Marks a response as a file of the built site, which is compressed at
/// build time, not on the fly.
#[derive(Clone, Copy, Debug)]
pub struct Built;

/// Answers `GET /pkg/...`, `/assets/...` and `/vendor/...`.
pub async fn serve(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(served) = state.site.files.get(uri.path()) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let file = &served.file;
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (variant, encoding) = [(&file.br, "br"), (&file.gzip, "gzip")]
        .into_iter()
        .filter_map(|(v, coding)| Some((v.as_ref()?, quality(accept, coding), coding)))
        .filter(|(_, q, _)| *q > 0.0)
        // Both allowed equally: brotli, the smaller.
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.body.len().cmp(&a.0.body.len())))
        .map_or((&file.identity, None), |(v, _, coding)| (v, Some(coding)));
    let mut response = if if_none_match(&headers, &variant.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, file.content_type.clone())],
            variant.body.clone(),
        )
            .into_response()
    };
    let out = response.headers_mut();
    out.insert(header::ETAG, variant.etag.clone());
    out.insert(header::CACHE_CONTROL, served.cache.clone());
    if file.br.is_some() || file.gzip.is_some() {
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some(encoding) = encoding {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response.extensions_mut().insert(Built);
    response
}

/// The q-value `Accept-Encoding` gives a content coding: its own entry's,
/// else `*`'s, else 0 (RFC 9110, section 12.5.3).
fn quality(accept: &str, coding: &str) -> f32 {
    let mut any = 0.0;
    for item in accept.split(',') {
        let mut params = item.split(';');
        let name = params.next().unwrap_or_default().trim();
        let q = params
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1.0, |q| q.trim().parse().unwrap_or(0.0));
        if name.eq_ignore_ascii_case(coding) {
            return q;
        }
        if name == "*" {
            any = q;
        }
    }
    any
}

/// Whether `If-None-Match` names this variant (weak comparison, as RFC 9110
/// asks for this header).
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let etag = etag.to_str().unwrap_or_default();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::quality;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert_eq!(quality("gzip, deflate, br, zstd", "br"), 1.0);
        assert_eq!(quality("gzip;q=0.5, br;q=0.8", "gzip"), 0.5);
        assert_eq!(quality("br;q=0", "br"), 0.0);
        assert_eq!(quality("BR", "br"), 1.0);
        assert_eq!(quality("*;q=0.3, gzip;q=0", "br"), 0.3);
        assert_eq!(quality("*;q=0.3, gzip;q=0", "gzip"), 0.0);
        assert_eq!(quality("", "gzip"), 0.0);
        assert_eq!(quality("identity", "gzip"), 0.0);
    }
}
