//! Ids as types, so a function taking a module and an exercise cannot be
//! handed them the other way round. Content ids (modules, lessons,
//! exercises, quizzes) are validated when the course loads; here they are
//! only carried. Row ids come from the database.

use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;

macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self(s.to_string()))
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

macro_rules! row_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

text_id!(
    /// A module's stable id (`course.toml`'s order, the module's own
    /// `module.toml`), never its folder name.
    ModuleId
);
text_id!(
    /// A lesson's stable id, unique within the course.
    LessonId
);
text_id!(
    /// An exercise's id: its folder name under `exercises/`, unique within
    /// the course.
    ExerciseId
);
text_id!(
    /// A quiz's id, unique within the course.
    QuizId
);
text_id!(
    /// A lab's random id: the database row's key and the engine's label,
    /// whatever runs the lab.
    LabId
);
row_id!(
    /// An account.
    UserId
);
row_id!(
    /// A classroom.
    ClassroomId
);
row_id!(
    /// One quiz attempt.
    AttemptId
);

text_id!(
    /// A lab host's name, as the operator gave it (`berth hosts add`).
    HostName
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_their_bare_values() {
        assert_eq!(serde_json::to_string(&ModuleId::new("basics")).unwrap(), "\"basics\"");
        assert_eq!(serde_json::to_string(&UserId(7)).unwrap(), "7");
        let back: ExerciseId = serde_json::from_str("\"first-file\"").unwrap();
        assert_eq!(back, "first-file");
        assert_eq!("42".parse::<ClassroomId>().unwrap(), ClassroomId(42));
    }
}
