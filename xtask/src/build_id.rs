//! The build id: a fingerprint of the sources the browser bundle is built
//! from. `cargo xtask build` writes it into the site (`build-id`) and the
//! server's build script compiles the same value into `berth`, so
//! `berth doctor` can tell whether a site and a binary belong together.
//! (Shared by both through `#[path]`: one definition, no extra crate.)

use std::path::{Path, PathBuf};

/// What the bundle is made of, relative to the workspace root: the shared
/// app crate, the browser entry point and its npm packages, and the lock
/// and profile settings.
pub const INPUTS: &[&str] = &[
    "app",
    "frontend/src",
    "frontend/Cargo.toml",
    "frontend/package.json",
    "frontend/package-lock.json",
    "Cargo.lock",
    "Cargo.toml",
];

/// FNV-1a over every input file's path and bytes, in path order.
pub fn compute(root: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    for input in INPUTS {
        collect(&root.join(input), &mut files)?;
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for file in files {
        let relative = file.strip_prefix(root).unwrap_or(&file);
        feed(relative.to_string_lossy().as_bytes());
        feed(&[0]);
        let bytes = std::fs::read(&file)?;
        feed(&(bytes.len() as u64).to_le_bytes());
        feed(&bytes);
    }
    Ok(format!("{hash:016x}"))
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        files.push(path.to_path_buf());
    } else if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            let entry = entry?.path();
            let name = entry.file_name().unwrap_or_default();
            if name != "node_modules" && name != "target" {
                collect(&entry, files)?;
            }
        }
    }
    Ok(())
}
