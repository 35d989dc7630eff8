//! Problems found in a course, each pointing at a file and, where known, a line.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl ContentError {
    pub fn new(file: impl AsRef<Path>, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn at(file: impl AsRef<Path>, line: usize, message: impl Into<String>) -> Self {
        Self::new(file, Some(line), message)
    }

    pub fn in_file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self::new(file, None, message)
    }

    /// A TOML syntax or schema error, located by the parser's byte span.
    /// `first_line` is the file line on which `text` starts.
    pub fn toml(file: impl AsRef<Path>, text: &str, first_line: usize, err: &toml::de::Error) -> Self {
        let line = err.span().map(|span| first_line + line_index(text, span.start));
        Self::new(file, line, err.message().trim().to_string())
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Every problem found in a course; loading reports all of them at once so
/// an author can fix a batch per edit rather than one per restart.
#[derive(Debug, PartialEq, Eq)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "the course has {n} problem{}:", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

/// Zero-based count of line breaks before byte `offset` of `text`.
pub fn line_index(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_point_at_the_offending_line() {
        let text = "title = \"x\"\n\nsummary = 3 3\n";
        let err = toml::from_str::<toml::Table>(text).unwrap_err();
        let e = ContentError::toml("m/module.toml", text, 1, &err);
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("m/module.toml:3: "), "{e}");
    }

    #[test]
    fn all_problems_are_listed() {
        let errors = ContentErrors(vec![
            ContentError::at("a.md", 2, "first"),
            ContentError::in_file("b.toml", "second"),
        ]);
        assert_eq!(
            errors.to_string(),
            "the course has 2 problems:\n  a.md:2: first\n  b.toml: second"
        );
    }
}
