//! The course's script library: `content/lib/*.sh`, POSIX shell functions
//! put in front of every setup, check, solution and cheat script, so
//! exercises share their parsing and waiting helpers instead of copying
//! them.

use std::fs;
use std::path::{Path, PathBuf};

use crate::content::ContentError;

/// One file of the library, as written.
#[derive(Clone, Debug)]
pub struct LibraryFile {
    pub path: PathBuf,
    pub text: String,
}

#[derive(Clone, Debug, Default)]
pub struct Library {
    /// In name order, which is the order they run in.
    pub files: Vec<LibraryFile>,
    /// All of them, joined: what goes in front of a script.
    prelude: String,
}

impl Library {
    /// Reads `<course>/lib/*.sh`; a course without the folder has an empty
    /// library.
    pub fn read(course: &Path) -> Result<Self, ContentError> {
        let dir = course.join("lib");
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(ContentError::in_file(
                    &dir,
                    format!("cannot read the script library: {e}"),
                ));
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| ContentError::in_file(&dir, format!("cannot read the script library: {e}")))?
                .path();
            if path.extension().is_some_and(|e| e == "sh") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let text =
                fs::read_to_string(&path).map_err(|e| ContentError::in_file(&path, format!("cannot read it: {e}")))?;
            files.push(LibraryFile { path, text });
        }
        Ok(Self::new(files))
    }

    pub fn new(files: Vec<LibraryFile>) -> Self {
        let mut prelude = String::new();
        for f in &files {
            prelude.push_str(&f.text);
            if !f.text.ends_with('\n') {
                prelude.push('\n');
            }
        }
        Self { files, prelude }
    }

    /// A script as it runs: the library first, then the script itself.
    pub fn prepend(&self, script: &str) -> String {
        format!("{}{script}", self.prelude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_run_in_name_order_before_the_script() {
        let course = tempfile::tempdir().unwrap();
        assert!(Library::read(course.path()).unwrap().files.is_empty());
        let lib = course.path().join("lib");
        fs::create_dir(&lib).unwrap();
        fs::write(lib.join("20-wait.sh"), "wait_for() { :; }").unwrap();
        fs::write(lib.join("10-say.sh"), "say() { echo \"$1\"; }\n").unwrap();
        fs::write(lib.join("notes.txt"), "not shell").unwrap();
        let library = Library::read(course.path()).unwrap();
        assert_eq!(library.files.len(), 2);
        assert_eq!(
            library.prepend("say hi\n"),
            "say() { echo \"$1\"; }\nwait_for() { :; }\nsay hi\n"
        );
    }
}
