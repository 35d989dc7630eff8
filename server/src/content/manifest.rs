//! The hand-written files of a course: `course.toml`, each `module.toml`, and
//! the TOML front matter at the top of every lesson.

use serde::Deserialize;
use std::fmt;
use toml::Spanned;

use super::error::{ContentError, line_index};
use std::path::Path;

/// A stable identifier for a module or lesson: lowercase letters, digits and
/// single hyphens, so it is safe in URLs and never needs escaping.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

/// Why a text is not an [`Id`]; its message tells the author the rule.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a valid id: use 1 to 64 lowercase letters, digits and single hyphens, like `first-steps`")]
pub struct InvalidId(String);

impl Id {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(InvalidId(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `content/course.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseManifest {
    pub title: String,
    pub description: String,
    /// Module ids in the order learners take them.
    pub modules: Vec<Spanned<String>>,
}

/// `content/modules/<NN-slug>/module.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleManifest {
    pub id: Spanned<String>,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub objectives: Vec<String>,
    /// Expected time to work through the module, in minutes.
    pub duration_minutes: u32,
    /// How the module's score is made (see `grading`).
    #[serde(default)]
    pub grade: Option<super::grading::GradeWeights>,
}

/// The `+++`-fenced TOML block at the top of a lesson.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub id: Spanned<String>,
    pub title: String,
    /// Exercises (folders under the module's `exercises/`) done in this
    /// lesson's lab, in order.
    #[serde(default)]
    pub exercises: Vec<Spanned<String>>,
}

/// A lesson file split into its front matter and Markdown body.
pub struct LessonSource<'a> {
    pub front: FrontMatter,
    /// The TOML text of the front matter, to locate spans in it.
    pub front_text: &'a str,
    pub body: &'a str,
    /// 1-based line of the file on which the body starts.
    pub body_line: usize,
}

impl<'a> LessonSource<'a> {
    pub fn parse(file: &Path, text: &'a str) -> Result<Self, ContentError> {
        const FENCE: &str = "+++";
        let mut lines = text.split_inclusive('\n');
        let first = lines.next().unwrap_or_default();
        if first.trim_end() != FENCE {
            return Err(ContentError::at(
                file,
                1,
                "a lesson must start with TOML front matter between `+++` lines, with `id` and `title`",
            ));
        }
        let start = first.len();
        let mut offset = start;
        for line in lines {
            if line.trim_end() == FENCE {
                let front_text = &text[start..offset];
                let body_start = offset + line.len();
                let front = toml::from_str::<FrontMatter>(front_text)
                    .map_err(|e| ContentError::toml(file, front_text, 2, &e))?;
                return Ok(Self {
                    front,
                    front_text,
                    body: &text[body_start..],
                    body_line: 1 + line_index(text, body_start),
                });
            }
            offset += line.len();
        }
        Err(ContentError::at(
            file,
            1,
            "the front matter is never closed: add a `+++` line after it",
        ))
    }

    /// The file line of a span inside the front matter.
    pub fn front_line<T>(&self, value: &Spanned<T>) -> usize {
        2 + line_index(self.front_text, value.span().start)
    }
}

/// Validates a spanned id from a TOML file.
pub fn spanned_id(file: &Path, text: &str, first_line: usize, id: &Spanned<String>) -> Result<Id, ContentError> {
    Id::parse(id.get_ref())
        .map_err(|e| ContentError::at(file, first_line + line_index(text, id.span().start), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_url_safe() {
        assert!(Id::parse("first-steps").is_ok());
        assert!(Id::parse("k8s-101").is_ok());
        for bad in [
            "",
            "Upper",
            "two words",
            "-lead",
            "trail-",
            "a--b",
            "ü",
            "a/b",
            &"x".repeat(65),
        ] {
            assert!(Id::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn front_matter_is_split_from_the_body() {
        let text = "+++\nid = \"intro\"\ntitle = \"Intro\"\n+++\n# Hello\n";
        let src = LessonSource::parse(Path::new("l.md"), text).unwrap();
        assert_eq!(src.front.id.get_ref(), "intro");
        assert_eq!(src.body, "# Hello\n");
        assert_eq!(src.body_line, 5);
        assert_eq!(src.front_line(&src.front.id), 2);
    }

    #[test]
    fn bad_front_matter_names_the_line() {
        let missing = LessonSource::parse(Path::new("l.md"), "# no front matter\n")
            .err()
            .unwrap();
        assert_eq!(missing.line, Some(1));

        let unclosed = LessonSource::parse(Path::new("l.md"), "+++\nid = \"a\"\n")
            .err()
            .unwrap();
        assert!(unclosed.message.contains("never closed"));

        let text = "+++\nid = \"a\"\ntitle = \"A\"\ncolour = \"red\"\n+++\n";
        let unknown = LessonSource::parse(Path::new("l.md"), text).err().unwrap();
        assert_eq!(unknown.line, Some(4), "{unknown}");
        assert!(unknown.message.contains("colour"), "{unknown}");

        let text = "+++\nid = \"a\"\n+++\n";
        let missing_title = LessonSource::parse(Path::new("l.md"), text).err().unwrap();
        assert!(missing_title.message.contains("title"), "{missing_title}");
    }
}
