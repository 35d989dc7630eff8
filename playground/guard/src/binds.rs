//! Where bind mounts may come from: existing paths inside the learner's home.
//!
//! The engine runs as root, so a bind source is opened with root's eyes:
//! `-v /:/host` or a symlink `~/x -> /` would hand the learner's containers
//! the whole lab. Sources are resolved here with `canonicalize` (as root,
//! like the engine) and the canonical path is what gets forwarded.
//!
//! That leaves a race: the learner may swap a path component for a symlink
//! between this check and the engine's mount. Re-checking at container start
//! (see `proxy`) narrows the window but cannot close it; the mount flags
//! check below is what keeps a won race harmless for the files the engine
//! could reach through home.
//!
//! Container root can write into a bound folder, so a setuid-root binary or a
//! device node written there would be root in the lab for the learner. Home
//! (and so every bind source) must therefore sit on a `nosuid,nodev` mount.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Why a bind source was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    #[error("the bind source must exist; create it first")]
    Missing,
    #[error("the bind source must be inside {0}")]
    Outside(String),
    #[error("the bind source must be on a nosuid,nodev file system")]
    MountFlags,
    #[error("the bind source's real path may not contain ':'")]
    Colon,
}

/// The learner's home, canonicalised once at start.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
    /// Shown in messages: the path as the learner knows it.
    shown: String,
    check_mount_flags: bool,
}

impl Home {
    /// Resolves `path`; with `check_mount_flags`, refuses a home that is not
    /// on a `nosuid,nodev` mount (turn it off only for tests).
    pub fn new(path: &Path, check_mount_flags: bool) -> io::Result<Home> {
        let root = path.canonicalize()?;
        if check_mount_flags && !nosuid_nodev(&root)? {
            return Err(io::Error::other(format!(
                "{} must be on a nosuid,nodev mount: container root can write there",
                path.display()
            )));
        }
        Ok(Home {
            root,
            shown: path.display().to_string(),
            check_mount_flags,
        })
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The canonical path of `source` if it is allowed as a bind source.
    pub fn resolve(&self, source: &str) -> Result<PathBuf, BindError> {
        let real = Path::new(source).canonicalize().map_err(|_| BindError::Missing)?;
        if !real.starts_with(&self.root) {
            return Err(BindError::Outside(self.shown.clone()));
        }
        if self.check_mount_flags && !nosuid_nodev(&real).unwrap_or(false) {
            return Err(BindError::MountFlags);
        }
        if real.as_os_str().as_bytes().contains(&b':') {
            return Err(BindError::Colon);
        }
        Ok(real)
    }
}

/// Whether `path` lives on a mount with both `nosuid` and `nodev`.
pub fn nosuid_nodev(path: &Path) -> io::Result<bool> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid NUL-terminated path and `st` is written by statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled `st`.
    let flags = unsafe { st.assume_init() }.f_flag;
    Ok(flags & libc::ST_NOSUID != 0 && flags & libc::ST_NODEV != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn home() -> (tempfile::TempDir, Home) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("site")).unwrap();
        let home = Home::new(dir.path(), false).unwrap();
        (dir, home)
    }

    #[test]
    fn a_subfolder_passes_and_is_canonicalised() {
        let (dir, home) = home();
        let real = dir.path().canonicalize().unwrap().join("site");
        let messy = format!("{}/./site/../site/", dir.path().display());
        assert_eq!(home.resolve(&messy), Ok(real.clone()));
        symlink(&real, dir.path().join("link")).unwrap();
        let link = format!("{}/link", dir.path().display());
        assert_eq!(home.resolve(&link), Ok(real));
    }

    #[test]
    fn escapes_are_refused() {
        let (dir, home) = home();
        let outside = BindError::Outside(dir.path().display().to_string());
        let dotdot = format!("{}/site/../..", dir.path().display());
        assert_eq!(home.resolve(&dotdot), Err(outside.clone()));
        assert_eq!(home.resolve("/"), Err(outside.clone()));
        assert_eq!(home.resolve("/etc"), Err(outside.clone()));
        symlink("/", dir.path().join("root")).unwrap();
        let via_link = format!("{}/root", dir.path().display());
        assert_eq!(home.resolve(&via_link), Err(outside.clone()));
        assert_eq!(home.resolve(&format!("{via_link}/etc")), Err(outside));
    }

    #[test]
    fn missing_sources_and_colons_are_refused() {
        let (dir, home) = home();
        let missing = format!("{}/nope", dir.path().display());
        assert_eq!(home.resolve(&missing), Err(BindError::Missing));
        std::fs::create_dir(dir.path().join("a:b")).unwrap();
        let colon = format!("{}/a:b", dir.path().display());
        assert_eq!(home.resolve(&colon), Err(BindError::Colon));
    }

    #[test]
    fn mount_flags_match_mountinfo() {
        // Each mount point listed once in mountinfo: statvfs agrees with it.
        let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let mounts: Vec<(&str, &str)> = info
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                Some((*f.get(4)?, *f.get(5)?))
            })
            .collect();
        for (point, opts) in &mounts {
            if mounts.iter().filter(|(p, _)| p == point).count() > 1 || point.contains('\\') {
                continue;
            }
            let want = opts.split(',').any(|o| o == "nosuid") && opts.split(',').any(|o| o == "nodev");
            assert_eq!(nosuid_nodev(Path::new(point)).unwrap(), want, "{point} {opts}");
        }
        let dir = tempfile::tempdir().unwrap();
        let expected = nosuid_nodev(dir.path()).unwrap();
        assert_eq!(Home::new(dir.path(), true).is_ok(), expected);
    }
}
