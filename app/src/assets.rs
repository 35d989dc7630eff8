//! Where the site's static files live. `cargo xtask build` gives each a
//! content-hashed name (`/assets/berth.3f9c….css`) that browsers may cache
//! for good; the server reads the build's manifest and provides it here, so
//! the shell links the hashed names. Without a manifest (a bare site
//! folder) the plain names are used.

use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Assets(Arc<HashMap<String, String>>);

impl Assets {
    /// From plain names to hashed ones, as the build's manifest maps them.
    pub fn new(hashed: HashMap<String, String>) -> Self {
        Self(Arc::new(hashed))
    }

    /// The URL of the file known as `plain` (e.g. `/assets/berth.css`).
    pub fn url(&self, plain: &str) -> String {
        self.0.get(plain).map_or_else(|| plain.to_string(), Clone::clone)
    }
}
