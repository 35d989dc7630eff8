//! The built front end (`cargo xtask build`): browser bundle, stylesheet,
//! vendored scripts. The files are few, small and never change while the
//! server runs, so they are read into memory once at start-up and served
//! from there, with validators for conditional requests.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use crate::state::AppState;

/// The fingerprint of the bundle sources this binary was built with (see
/// `xtask/src/build_id.rs`); a matching site holds the same in
/// [`BUILD_ID_FILE`].
pub const BUILD_ID: &str = env!("BERTH_BUILD_ID");
/// The file in the site directory holding the build id it was built from.
pub const BUILD_ID_FILE: &str = "build-id";

/// The folders of the site directory served at `/<folder>/...`.
pub const FOLDERS: [&str; 3] = ["pkg", "assets", "vendor"];

#[derive(Debug, Default)]
pub struct Site {
    files: HashMap<String, StaticFile>,
}

#[derive(Debug)]
struct StaticFile {
    body: Bytes,
    content_type: HeaderValue,
    etag: HeaderValue,
}

impl Site {
    /// Reads every file under the served folders; missing folders are
    /// simply empty (pages still render, without the browser bundle).
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut site = Self::default();
        for folder in FOLDERS {
            site.read_folder(&dir.join(folder), &format!("/{folder}"))?;
        }
        Ok(site)
    }

    fn read_folder(&mut self, dir: &Path, url: &str) -> std::io::Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let url = format!("{url}/{name}");
            if entry.file_type()?.is_dir() {
                self.read_folder(&path, &url)?;
                continue;
            }
            let body = Bytes::from(std::fs::read(&path)?);
            let mut hasher = DefaultHasher::new();
            body.hash(&mut hasher);
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            let file = StaticFile {
                content_type: HeaderValue::from_str(mime.as_ref()).expect("MIME types are valid headers"),
                etag: HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish())).expect("hex is a valid header"),
                body,
            };
            self.files.insert(url, file);
        }
        Ok(())
    }

    pub fn contains(&self, url: &str) -> bool {
        self.files.contains_key(url)
    }
}

/// Answers `GET /pkg/...`, `/assets/...` and `/vendor/...`. File names are
/// not content-hashed, so browsers revalidate (`no-cache`) and get a 304
/// while the file is unchanged.
pub async fn serve(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(file) = state.site.files.get(uri.path()) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let cache = [
        (header::ETAG, file.etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if headers.get(header::IF_NONE_MATCH) == Some(&file.etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(header::CONTENT_TYPE, file.content_type.clone())],
        file.body.clone(),
    )
        .into_response()
}
