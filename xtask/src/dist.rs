//! `cargo xtask dist`: the release tarball, everything a school's server
//! needs and nothing to compile. Under `berth-VERSION/`:
//!
//! - `bin/berth`, `bin/berth-docker-guard`: built for release;
//! - `site/`: the browser bundle; `content/`: the bundled course;
//! - `playground/`: the lab and course image definitions (the guard's
//!   sources stay out: its binary is in `bin/`);
//! - `compose.yaml`, `berth.service`, `berth.env`, `INSTALL.md`, `docs/`.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// Files every tarball must hold, relative to its top folder.
pub const REQUIRED: &[&str] = &[
    "bin/berth",
    "bin/berth-docker-guard",
    "site/manifest.json",
    "site/build-id",
    "content/course.toml",
    "playground/docker/Dockerfile",
    "playground/mirror/registry/Dockerfile",
    "compose.yaml",
    "berth.service",
    "berth.env",
    "INSTALL.md",
    "docs/operations.md",
];

/// What goes in, and where it comes from.
pub struct Inputs {
    /// The workspace root (sources of the course, playground and docs).
    pub root: PathBuf,
    /// Where `berth` and `berth-docker-guard` were built.
    pub binaries: PathBuf,
    pub site: PathBuf,
}

/// The tarball's top folder, also its name without `.tar.gz`.
pub fn name() -> String {
    format!("berth-{}", env!("CARGO_PKG_VERSION"))
}

/// Writes `out/berth-VERSION.tar.gz` and answers its path.
pub fn pack(inputs: &Inputs, out: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(out)?;
    let top = PathBuf::from(name());
    let path = out.join(format!("{}.tar.gz", name()));
    let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    // Owners and times from the build machine mean nothing on a school's.
    tar.mode(tar::HeaderMode::Deterministic);
    tar.follow_symlinks(false);
    let root = &inputs.root;
    for binary in ["berth", "berth-docker-guard"] {
        let from = inputs.binaries.join(binary);
        tar.append_path_with_name(&from, top.join("bin").join(binary))
            .with_context(|| format!("adding {}", from.display()))?;
    }
    tar.append_dir_all(top.join("site"), &inputs.site)
        .with_context(|| format!("adding the site from {}", inputs.site.display()))?;
    tar.append_dir_all(top.join("content"), root.join("content"))?;
    tar.append_dir_all(top.join("docs"), root.join("docs"))?;
    for entry in std::fs::read_dir(root.join("playground"))? {
        let entry = entry?;
        let name = entry.file_name();
        let inside = top.join("playground").join(&name);
        if name == "guard" {
            continue;
        } else if entry.file_type()?.is_dir() {
            tar.append_dir_all(inside, entry.path())?;
        } else {
            tar.append_path_with_name(entry.path(), inside)?;
        }
    }
    for (from, to) in [
        ("compose.yaml", "compose.yaml"),
        ("deploy/berth.service", "berth.service"),
        ("deploy/berth.env", "berth.env"),
        ("deploy/INSTALL.md", "INSTALL.md"),
        ("README.md", "README.md"),
    ] {
        tar.append_path_with_name(root.join(from), top.join(to))
            .with_context(|| format!("adding {from}"))?;
    }
    tar.into_inner()?.finish()?;
    Ok(path)
}

/// Opens a tarball as `pack` made it: every required file is there, under
/// one top folder named for the version, and its `berth --version` names
/// this version and a commit. Answers what `--version` said.
pub fn verify(tarball: &Path) -> Result<String> {
    let top = PathBuf::from(name());
    let scratch = tempfile::tempdir()?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(tarball)?));
    let mut found = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.into_owned();
        let Ok(inside) = path.strip_prefix(&top) else {
            bail!("{} is outside the top folder {}", path.display(), top.display());
        };
        if inside == Path::new("bin/berth") {
            entry.unpack(scratch.path().join("berth"))?;
        }
        found.push(inside.to_path_buf());
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|want| !found.iter().any(|f| f == Path::new(want)))
        .copied()
        .collect();
    if !missing.is_empty() {
        bail!("{} lacks {}", tarball.display(), missing.join(", "));
    }
    if found.iter().any(|f| f.starts_with("playground/guard")) {
        bail!("{} holds the guard's sources", tarball.display());
    }
    let out = std::process::Command::new(scratch.path().join("berth"))
        .arg("--version")
        .output()
        .context("running the tarball's berth --version")?;
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let expected = format!("berth {} (commit ", env!("CARGO_PKG_VERSION"));
    if !out.status.success() || !said.starts_with(&expected) {
        bail!("the tarball's `berth --version` said {said:?}, not {expected}…)");
    }
    Ok(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace-shaped folder with stand-ins for the binaries: a
    /// `berth` that answers `--version` as the real one does.
    fn inputs(dir: &Path, version: &str) -> Inputs {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let binaries = dir.join("bin");
        std::fs::create_dir_all(&binaries).unwrap();
        let script = format!("#!/bin/sh\necho '{version}'\n");
        for (name, text) in [("berth", script.as_str()), ("berth-docker-guard", "#!/bin/sh\n")] {
            let path = binaries.join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        let site = dir.join("site");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("manifest.json"), "{}").unwrap();
        std::fs::write(site.join("build-id"), "0").unwrap();
        Inputs { root, binaries, site }
    }

    #[test]
    fn a_tarball_holds_what_a_school_needs_and_says_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let version = format!("berth {} (commit 0123456789ab)", env!("CARGO_PKG_VERSION"));
        let tarball = pack(&inputs(dir.path(), &version), &dir.path().join("out")).unwrap();
        assert!(tarball.ends_with(format!("berth-{}.tar.gz", env!("CARGO_PKG_VERSION"))));
        assert_eq!(verify(&tarball).unwrap(), version);
    }

    #[test]
    fn a_berth_that_names_no_commit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let version = format!("berth {}", env!("CARGO_PKG_VERSION"));
        let tarball = pack(&inputs(dir.path(), &version), &dir.path().join("out")).unwrap();
        let err = verify(&tarball).unwrap_err().to_string();
        assert!(err.contains("--version"), "{err}");
    }

    #[test]
    fn a_tarball_without_the_site_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = inputs(dir.path(), "berth");
        std::fs::remove_file(inputs.site.join("manifest.json")).unwrap();
        let tarball = pack(&inputs, &dir.path().join("out")).unwrap();
        let err = verify(&tarball).unwrap_err().to_string();
        assert!(err.contains("lacks site/manifest.json"), "{err}");
    }
}
