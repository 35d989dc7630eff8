//! The production layout of `target/site`: every file under a
//! content-hashed name (`berth.3f9c…a1.css`), so browsers may keep it for a
//! year; brotli and gzip variants beside it (`.br`, `.gz`), compressed once
//! here rather than on every request; and `manifest.json`, mapping the names
//! pages use (`/assets/berth.css`) to the hashed ones, which the server
//! reads at start-up.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest's file name in the site directory.
pub const MANIFEST: &str = "manifest.json";

/// Extensions worth compressing: text and WebAssembly (images and fonts
/// are compressed already).
const COMPRESSIBLE: &[&str] = &["js", "mjs", "css", "svg", "wasm", "json", "txt", "html"];

pub struct Layout {
    dir: PathBuf,
    /// Name pages use → hashed name, both as URLs (`/assets/berth.css`).
    manifest: BTreeMap<String, String>,
    /// Files this build wrote or kept; anything else in the site's folders
    /// is left over from an earlier build.
    kept: HashSet<PathBuf>,
    sizes: Vec<Sizes>,
}

/// One file's size as served: as is, and as each variant.
pub struct Sizes {
    pub url: String,
    pub identity: usize,
    pub br: Option<usize>,
    pub gzip: Option<usize>,
}

/// A short content hash for file names: 64 bits of SHA-256, in hex.
pub fn hash(parts: &[&[u8]]) -> String {
    let mut sha = Sha256::new();
    for part in parts {
        sha.update(part);
    }
    sha.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// `/vendor/mermaid.min.js` with hash `h` → `/vendor/mermaid.min.h.js`.
pub fn hashed_url(url: &str, hash: &str) -> String {
    match url.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{url}.{hash}"),
    }
}

impl Layout {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            manifest: BTreeMap::new(),
            kept: HashSet::new(),
            sizes: Vec::new(),
        }
    }

    /// Adds a file under its content-hashed name; returns that name.
    pub fn add(&mut self, url: &str, body: &[u8]) -> Result<String> {
        let hashed = hashed_url(url, &hash(&[body]));
        self.add_as(url, &hashed, body)?;
        Ok(hashed)
    }

    /// Adds one of our own text files after pointing its references to
    /// files already added (`import("/vendor/xterm.mjs")`) at their hashed
    /// names, so that it, too, can be cached for good.
    pub fn add_text(&mut self, url: &str, text: &str) -> Result<String> {
        let mut text = text.to_string();
        for (from, to) in &self.manifest {
            text = text.replace(from.as_str(), to);
        }
        self.add(url, text.as_bytes())
    }

    /// Adds a file under a hashed name chosen by the caller, writing it and
    /// its compressed variants unless an earlier build already did (the
    /// name says the content is the same).
    pub fn add_as(&mut self, url: &str, hashed: &str, body: &[u8]) -> Result<()> {
        let path = self.path(hashed);
        std::fs::create_dir_all(path.parent().expect("site files live in folders"))?;
        if !path.exists() {
            replace(&path, body)?;
        }
        self.kept.insert(path.clone());
        let mut sizes = Sizes {
            url: url.to_string(),
            identity: body.len(),
            br: None,
            gzip: None,
        };
        let ext = Path::new(url).extension().and_then(|e| e.to_str()).unwrap_or("");
        if COMPRESSIBLE.contains(&ext) {
            sizes.br = self.variant(&path, "br", body.len(), || brotli(body))?;
            sizes.gzip = self.variant(&path, "gz", body.len(), || gzip(body))?;
        }
        self.sizes.push(sizes);
        self.manifest.insert(url.to_string(), hashed.to_string());
        Ok(())
    }

    /// The hashed URL of a file added earlier.
    pub fn url(&self, url: &str) -> Option<&str> {
        self.manifest.get(url).map(String::as_str)
    }

    /// Writes `FILE.EXT` beside `FILE` if it is smaller; returns its size.
    /// (A variant that is not smaller is compressed again by the next
    /// build: only tiny files are, so that costs nothing.)
    fn variant(
        &mut self,
        path: &Path,
        ext: &str,
        identity: usize,
        compress: impl FnOnce() -> Result<Vec<u8>>,
    ) -> Result<Option<usize>> {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{ext}"));
        let variant = PathBuf::from(name);
        if let Ok(meta) = std::fs::metadata(&variant) {
            self.kept.insert(variant);
            return Ok(Some(meta.len() as usize));
        }
        let body = compress()?;
        if body.len() >= identity {
            return Ok(None);
        }
        replace(&variant, &body)?;
        self.kept.insert(variant);
        Ok(Some(body.len()))
    }

    fn path(&self, url: &str) -> PathBuf {
        self.dir.join(url.trim_start_matches('/'))
    }

    /// Writes the manifest and removes what earlier builds left in the
    /// folders this one filled; returns every file's sizes.
    pub fn finish(self) -> Result<Vec<Sizes>> {
        let folders: HashSet<PathBuf> = self
            .kept
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        for folder in &folders {
            for entry in std::fs::read_dir(folder)? {
                let path = entry?.path();
                if path.is_file() && !self.kept.contains(&path) {
                    std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
                }
            }
        }
        let manifest = serde_json::to_string_pretty(&self.manifest)? + "\n";
        replace(&self.dir.join(MANIFEST), manifest.as_bytes())?;
        Ok(self.sizes)
    }
}

/// Writes through a temporary file, so an interrupted build never leaves a
/// truncated file under a name that claims its content.
fn replace(path: &Path, body: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, body).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn brotli(body: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &body[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(body: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_go_before_the_extension() {
        assert_eq!(
            hashed_url("/vendor/mermaid.min.js", "ab12"),
            "/vendor/mermaid.min.ab12.js"
        );
        assert_eq!(hashed_url("/assets/berth.css", "ab12"), "/assets/berth.ab12.css");
        assert_eq!(hashed_url("/assets/LICENSE", "ab12"), "/assets/LICENSE.ab12");
    }

    #[test]
    fn a_build_lays_out_hashed_files_variants_and_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let mut site = Layout::new(dir.path().to_path_buf());
        let module = "export const x = 1;\n".repeat(100);
        let module_url = site.add("/vendor/x.mjs", module.as_bytes()).unwrap();
        let script = "import(\"/vendor/x.mjs\");\n";
        let script_url = site.add_text("/assets/a.js", script).unwrap();
        std::fs::write(dir.path().join("assets/stale.js"), "old").unwrap();
        let sizes = site.finish().unwrap();

        let read = |url: &str| std::fs::read(dir.path().join(url.trim_start_matches('/'))).unwrap();
        assert_eq!(read(&module_url), module.as_bytes());
        // The text file names the hashed module, and its own hash covers that.
        let rewritten = format!("import(\"{module_url}\");\n");
        assert_eq!(read(&script_url), rewritten.as_bytes());
        assert_eq!(script_url, hashed_url("/assets/a.js", &hash(&[rewritten.as_bytes()])));
        // Variants decompress to the file.
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &read(&format!("{module_url}.br"))[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, module.as_bytes());
        let mut ungzip = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&read(&format!("{module_url}.gz"))[..]),
            &mut ungzip,
        )
        .unwrap();
        assert_eq!(ungzip, module);
        assert!(sizes[0].br.unwrap() < sizes[0].identity);
        // A file too small to gain from compression gets no variant.
        assert_eq!(sizes[1].gzip, None);
        assert!(!dir.path().join(format!("{}.gz", &script_url[1..])).exists());
        // What an earlier build left is gone; the manifest maps both names.
        assert!(!dir.path().join("assets/stale.js").exists());
        let manifest: BTreeMap<String, String> = serde_json::from_slice(&read("/manifest.json")).unwrap();
        assert_eq!(manifest["/vendor/x.mjs"], module_url);
        assert_eq!(manifest["/assets/a.js"], script_url);
    }
}
