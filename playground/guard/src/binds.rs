//! Where bind mounts may come from, and how the engine is kept from ever
//! being handed a path the learner can change.
//!
//! The engine runs as root and resolves a bind source, following symlinks,
//! each time it starts the container. Checking the path and then forwarding
//! it is a race the learner wins: swap a folder for a symlink to `/` between
//! the check and the engine's mount, and the container gets the whole lab
//! (the engine's socket included). So the guard *pins* the path instead: it
//! walks it from the home one component at a time with `openat2` (no
//! symlinks, nothing above the home), and bind-mounts each component onto
//! itself. A mount point cannot be renamed, removed or replaced (`EBUSY`),
//! so from then on the path resolves to exactly what was checked, however
//! often the engine looks. The forwarded path is the learner's own, so
//! `docker inspect` shows what they typed.
//!
//! A pin stays while any container binds its path (or one below it); the
//! proxy unpins the rest after containers are removed (see
//! `proxy::Guard::collect_pins`). While pinned, the learner cannot rename or
//! remove that folder (`Device or resource busy`), only its contents.
//!
//! Container root can write into a bound folder, so a setuid-root binary or a
//! device node written there would be root in the lab for the learner. Home
//! (and so every bind source) must therefore sit on a `nosuid,nodev` mount;
//! pins are bind mounts of it and keep its flags.

use std::collections::HashSet;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustix::fs::{AtFlags, Mode, OFlags, ResolveFlags, StatxAttributes, StatxFlags};
use rustix::mount::{MoveMountFlags, OpenTreeFlags, UnmountFlags};

/// Why a bind source was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    #[error("the bind source must exist; create it first")]
    Missing,
    #[error("the bind source must be inside {0}")]
    Outside(String),
    #[error("the bind source may not go through a symlink")]
    Symlink,
    #[error("the bind source must be on a nosuid,nodev file system")]
    MountFlags,
    #[error("the bind source's path may not contain ':'")]
    Colon,
    #[error("the bind source could not be secured: {0}")]
    Pin(String),
}

/// The learner's home: where bind sources may come from, and the pins in it.
#[derive(Debug)]
pub struct Home {
    root: PathBuf,
    /// The home itself, opened once: every walk starts here.
    dir: OwnedFd,
    /// Shown in messages: the path as the learner knows it.
    shown: String,
    check_mount_flags: bool,
    /// Paths pinned for requests the engine has not answered yet (one entry
    /// per request and path): never unpinned while listed.
    in_flight: Mutex<Vec<PathBuf>>,
}

impl Home {
    /// Opens `path`; with `check_mount_flags`, refuses a home that is not on
    /// a `nosuid,nodev` mount (turn it off only for tests).
    pub fn new(path: &Path, check_mount_flags: bool) -> io::Result<Home> {
        let root = path.canonicalize()?;
        if check_mount_flags && !nosuid_nodev(&root)? {
            return Err(io::Error::other(format!(
                "{} must be on a nosuid,nodev mount: container root can write there",
                path.display()
            )));
        }
        let dir = rustix::fs::open(&root, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Home {
            root,
            dir,
            shown: path.display().to_string(),
            check_mount_flags,
            in_flight: Mutex::new(Vec::new()),
        })
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The home's real path: pins are below it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The components of `source` below the home, cleaned lexically (as the
    /// kernel resolves a path without symlinks, which is all we accept).
    fn below(&self, source: &str) -> Result<Vec<String>, BindError> {
        let outside = || BindError::Outside(self.shown.clone());
        if !source.starts_with('/') {
            return Err(outside());
        }
        let mut parts: Vec<&str> = Vec::new();
        for part in source.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop().ok_or_else(outside)?;
                }
                p => parts.push(p),
            }
        }
        let home: Vec<String> = self
            .root
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        if parts.len() < home.len() || parts[..home.len()] != home[..] {
            return Err(outside());
        }
        let rest: Vec<String> = parts[home.len()..].iter().map(|s| s.to_string()).collect();
        if rest.iter().any(|p| p.contains(':')) {
            return Err(BindError::Colon);
        }
        Ok(rest)
    }

    /// Checks `source` and pins it (see the module doc); the path to forward.
    /// The pin is listed in `pins` until that is dropped, so it is not
    /// undone while the request that needs it is under way.
    pub fn pin(&self, source: &str, pins: &mut InFlight<'_>) -> Result<PathBuf, BindError> {
        let parts = self.below(source)?;
        let path = parts.iter().fold(self.root.clone(), |p, part| p.join(part));
        let mut in_flight = self.in_flight.lock().expect("pins lock");
        in_flight.push(path.clone());
        pins.paths.push(path.clone());
        let pin_error = |e: io::Error| BindError::Pin(e.to_string());
        let mut parent = self.dir.try_clone().map_err(pin_error)?;
        for part in &parts {
            let mut child = step(&parent, part)?;
            if !is_mount_root(&child).map_err(pin_error)? {
                let tree = rustix::mount::open_tree(
                    &child,
                    "",
                    OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC | OpenTreeFlags::AT_EMPTY_PATH,
                )
                .map_err(|e| pin_error(e.into()))?;
                // The name is looked up in the parent (already pinned, or the
                // home) without following a symlink; whatever the learner put
                // there meanwhile, our mount now covers it.
                rustix::mount::move_mount(
                    &tree,
                    "",
                    &parent,
                    part.as_str(),
                    MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
                )
                .map_err(|e| pin_error(e.into()))?;
                let pinned = step(&parent, part)?;
                if !same_file(&pinned, &child).map_err(pin_error)? || !is_mount_root(&pinned).map_err(pin_error)? {
                    return Err(BindError::Pin("the path changed while it was pinned".into()));
                }
                child = pinned;
            }
            if self.check_mount_flags && !fd_nosuid_nodev(&child).map_err(pin_error)? {
                return Err(BindError::MountFlags);
            }
            parent = child;
        }
        Ok(path)
    }

    /// The paths pinned for requests under way.
    pub fn in_flight(&self) -> Vec<PathBuf> {
        self.in_flight.lock().expect("pins lock").clone()
    }

    /// The pins now in place (mount points below the home), deepest first.
    pub fn pinned(&self) -> io::Result<Vec<PathBuf>> {
        // This thread's view (tests give threads mount namespaces of their own).
        let info = std::fs::read_to_string("/proc/thread-self/mountinfo")?;
        let mut pins: Vec<PathBuf> = info
            .lines()
            .filter_map(|line| line.split(' ').nth(4))
            .map(|point| PathBuf::from(unescape(point)))
            .filter(|point| point.starts_with(&self.root) && point != &self.root)
            .collect();
        pins.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        pins.dedup();
        Ok(pins)
    }

    /// Removes the pins in `pinned` that no path in `keep` (nor a request
    /// under way) needs: a pin is needed by every path at or below it.
    /// Returns how many were removed.
    pub fn unpin_unused(&self, pinned: &[PathBuf], keep: &HashSet<PathBuf>) -> usize {
        let in_flight = self.in_flight.lock().expect("pins lock");
        let needed = |pin: &PathBuf| keep.iter().chain(in_flight.iter()).any(|p| p.starts_with(pin));
        let mut removed = 0;
        for pin in pinned.iter().filter(|p| !needed(p)) {
            // Deepest first, so what is below an unused pin is unused too:
            // a lazy detach takes nothing another container needs.
            match rustix::mount::unmount(pin, UnmountFlags::DETACH | UnmountFlags::NOFOLLOW) {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(path = %pin.display(), "could not unpin: {e}"),
            }
        }
        removed
    }
}

/// Pins taken for one request; they stop being "under way" when dropped.
pub struct InFlight<'a> {
    home: &'a Home,
    paths: Vec<PathBuf>,
}

impl<'a> InFlight<'a> {
    pub fn new(home: &'a Home) -> InFlight<'a> {
        InFlight {
            home,
            paths: Vec::new(),
        }
    }

    /// Whether this request pinned anything.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.home.in_flight.lock().expect("pins lock");
        for path in &self.paths {
            if let Some(i) = in_flight.iter().position(|p| p == path) {
                in_flight.swap_remove(i);
            }
        }
    }
}

/// Opens one component below `parent`: no symlinks, no escape.
fn step(parent: &OwnedFd, part: &str) -> Result<OwnedFd, BindError> {
    rustix::fs::openat2(
        parent,
        part,
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    )
    .map_err(|e| match e {
        rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR => BindError::Missing,
        rustix::io::Errno::LOOP | rustix::io::Errno::XDEV => BindError::Symlink,
        e => BindError::Pin(io::Error::from(e).to_string()),
    })
    .and_then(|fd| {
        // O_PATH|O_NOFOLLOW opens a symlink itself rather than failing.
        let st = rustix::fs::fstat(&fd).map_err(|e| BindError::Pin(io::Error::from(e).to_string()))?;
        if rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Symlink {
            Err(BindError::Symlink)
        } else {
            Ok(fd)
        }
    })
}

fn is_mount_root(fd: &OwnedFd) -> io::Result<bool> {
    let st = rustix::fs::statx(fd, "", AtFlags::EMPTY_PATH, StatxFlags::BASIC_STATS)?;
    if !st.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT) {
        return Err(io::Error::other(
            "the kernel does not report mount roots (Linux 5.8 or later needed)",
        ));
    }
    Ok(st.stx_attributes.contains(StatxAttributes::MOUNT_ROOT))
}

fn same_file(a: &OwnedFd, b: &OwnedFd) -> io::Result<bool> {
    let (a, b) = (rustix::fs::fstat(a)?, rustix::fs::fstat(b)?);
    Ok(a.st_dev == b.st_dev && a.st_ino == b.st_ino)
}

fn fd_nosuid_nodev(fd: impl AsFd) -> io::Result<bool> {
    let flags = rustix::fs::fstatvfs(fd)?.f_flag;
    Ok(flags.contains(rustix::fs::StatVfsMountFlags::NOSUID) && flags.contains(rustix::fs::StatVfsMountFlags::NODEV))
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|o| std::str::from_utf8(o).ok());
        match (bytes[i], octal.and_then(|o| u8::from_str_radix(o, 8).ok())) {
            (b'\\', Some(b)) => {
                out.push(b);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

/// For tests: gives the calling thread a mount namespace of its own, so the
/// pins a test makes vanish with it and never reach the host's mounts.
pub fn private_mounts_for_this_thread() -> io::Result<()> {
    // SAFETY: plain syscalls with constant arguments.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(io::Error::last_os_error());
        }
        let root = c"/";
        if libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn home() -> (tempfile::TempDir, Home) {
        private_mounts_for_this_thread().expect("tests of pins run as root");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/deep")).unwrap();
        let home = Home::new(dir.path(), false).unwrap();
        (dir, home)
    }

    fn real(dir: &tempfile::TempDir, rest: &str) -> PathBuf {
        dir.path().canonicalize().unwrap().join(rest)
    }

    #[test]
    fn a_subfolder_is_pinned_under_its_own_name() {
        let (dir, home) = home();
        let mut pins = InFlight::new(&home);
        let messy = format!("{}/./site/../site/deep/", dir.path().display());
        let deep = real(&dir, "site/deep");
        assert_eq!(home.pin(&messy, &mut pins), Ok(deep.clone()));
        assert_eq!(home.pinned().unwrap(), vec![deep.clone(), real(&dir, "site")]);
        // Pinned: the learner can no longer swap any part of the path.
        let moved = std::fs::rename(&deep, real(&dir, "site/elsewhere")).unwrap_err();
        assert_eq!(moved.raw_os_error(), Some(libc::EBUSY));
        assert_eq!(
            std::fs::rename(real(&dir, "site"), dir.path().join("x"))
                .unwrap_err()
                .raw_os_error(),
            Some(libc::EBUSY)
        );
        // Pinning again adds nothing; contents stay writable.
        assert_eq!(home.pin(&messy, &mut pins), Ok(deep.clone()));
        assert_eq!(home.pinned().unwrap().len(), 2);
        std::fs::write(deep.join("f"), "x").unwrap();
    }

    #[test]
    fn pins_go_when_nothing_needs_them() {
        let (dir, home) = home();
        std::fs::create_dir(dir.path().join("other")).unwrap();
        let (deep, site, other) = (real(&dir, "site/deep"), real(&dir, "site"), real(&dir, "other"));
        {
            let mut pins = InFlight::new(&home);
            home.pin(&deep.display().to_string(), &mut pins).unwrap();
            home.pin(&other.display().to_string(), &mut pins).unwrap();
            // Under way: kept whatever the engine says.
            assert_eq!(home.unpin_unused(&home.pinned().unwrap(), &HashSet::new()), 0);
        }
        // A container still binds site/deep: site stays too.
        let keep = HashSet::from([deep.clone()]);
        assert_eq!(home.unpin_unused(&home.pinned().unwrap(), &keep), 1);
        assert_eq!(home.pinned().unwrap(), vec![deep.clone(), site.clone()]);
        std::fs::rename(&other, dir.path().join("renamed")).unwrap();
        assert_eq!(home.unpin_unused(&home.pinned().unwrap(), &HashSet::new()), 2);
        assert!(home.pinned().unwrap().is_empty());
        std::fs::rename(&site, dir.path().join("free")).unwrap();
    }

    #[test]
    fn escapes_symlinks_and_missing_sources_are_refused() {
        let (dir, home) = home();
        let mut pins = InFlight::new(&home);
        let outside = BindError::Outside(dir.path().display().to_string());
        let shown = dir.path().display();
        symlink("/", dir.path().join("root")).unwrap();
        symlink("site", dir.path().join("inner")).unwrap();
        for (source, error) in [
            (format!("{shown}/site/../.."), outside.clone()),
            ("/".to_string(), outside.clone()),
            ("/etc".to_string(), outside.clone()),
            ("relative".to_string(), outside.clone()),
            (format!("{shown}/root"), BindError::Symlink),
            (format!("{shown}/root/etc"), BindError::Symlink),
            (format!("{shown}/inner"), BindError::Symlink),
            (format!("{shown}/nope"), BindError::Missing),
        ] {
            assert_eq!(home.pin(&source, &mut pins), Err(error), "{source}");
        }
        std::fs::create_dir(dir.path().join("a:b")).unwrap();
        assert_eq!(home.pin(&format!("{shown}/a:b"), &mut pins), Err(BindError::Colon));
        assert!(home.pinned().unwrap().is_empty());
    }

    #[test]
    fn a_file_can_be_pinned_too() {
        let (dir, home) = home();
        std::fs::write(dir.path().join("site/nginx.conf"), "events {}").unwrap();
        let mut pins = InFlight::new(&home);
        let conf = real(&dir, "site/nginx.conf");
        assert_eq!(home.pin(&conf.display().to_string(), &mut pins), Ok(conf.clone()));
        assert_eq!(std::fs::read_to_string(&conf).unwrap(), "events {}");
        assert!(std::fs::remove_file(&conf).is_err());
    }

    #[test]
    fn mountinfo_escapes_are_decoded() {
        assert_eq!(unescape("/home/learner/my\\040site"), "/home/learner/my site");
        assert_eq!(unescape("/a\\134b"), "/a\\b");
        assert_eq!(unescape("/plain"), "/plain");
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
