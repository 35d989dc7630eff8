//! What this build is and where an install keeps its files: facts every
//! layer may read (the lowest layer, beside the course itself).

use std::path::PathBuf;

/// What `berth --version` says: the package version and the commit built
/// (see `server/build.rs`).
pub const VERSION: &str = env!("BERTH_VERSION");

/// Where the built site is when no one says: `target/site` in a work tree
/// (`cargo xtask build` puts it there), else a release tarball's `site/`,
/// beside the `bin/` this berth runs from.
pub fn default_site_dir() -> PathBuf {
    let built = PathBuf::from("target/site");
    if built.is_dir() {
        return built;
    }
    let release = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site")));
    release.filter(|site| site.is_dir()).unwrap_or(built)
}
