//! Berth's shared vocabulary: what the database stores, the server decides
//! and the pages show, as types. Serde only, no web framework and no
//! storage, so every layer above can use it and it depends on none of them.
//!
//! Text forms (`as_str`/`FromStr`) are the database's CHECK-constrained
//! values and the wire's names: each is spelled once, here.

mod form;
mod grade;
mod ids;
mod lab;
mod progress;
mod role;
mod time;

pub use form::FormProblem;
pub use grade::{Activity, Grading, ScoreSync};
pub use ids::{AttemptId, ClassroomId, ExerciseId, HostName, LabId, LessonId, ModuleId, QuizId, UserId};
pub use lab::{EndReason, HostState, LabAction, LabStatus, NodeNumber, StaffLabAction};
pub use progress::{ExerciseEvent, ItemKind, ItemRef, ProgressStatus};
pub use role::Role;
pub use time::{DAY, MINUTE, Millis, minutes_ceil};

/// A text that names none of an enum's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} `{}`", self.what, self.value)
    }
}

impl std::error::Error for UnknownValue {}

/// Spells an enum's values once: `as_str`, `FromStr`, `Display`, `ALL`
/// and serde all use the same text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::UnknownValue { what: $what, value: other.to_string() }),
                }
            }
        }
    };
}
pub(crate) use text_enum;
