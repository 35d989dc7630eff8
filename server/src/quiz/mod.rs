//! Quizzes, authored as `quiz.toml` next to a module's lessons and graded
//! only here, on the server: answer keys and explanations never leave it
//! before a learner submits.
//!
//! ```toml
//! id = "containers-check"
//! title = "Check your understanding"
//! pass_percent = 70
//!
//! [[question]]
//! id = "shared-kernel"
//! kind = "single"            # single | multiple | text | number | order
//! prompt = "What do all containers on one host share?"
//! options = ["The kernel", "A root file system"]
//! answer = 0                 # index into options
//! explanation = "Shown after the learner submits."
//! ```

mod form;
mod grade;
pub mod routes;

pub use form::Submission;
pub use grade::{Answer, Graded, grade};

use regex::Regex;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

use crate::content::{ContentError, Id};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizFile {
    id: String,
    title: String,
    pass_percent: u32,
    #[serde(default)]
    question: Vec<QuestionFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    id: String,
    kind: String,
    prompt: String,
    explanation: Option<String>,
    options: Option<Vec<String>>,
    answer: Option<toml::Value>,
    answers: Option<Vec<usize>>,
    accept: Option<Vec<String>>,
    pattern: Option<String>,
    #[serde(default)]
    case_sensitive: bool,
    tolerance: Option<f64>,
    items: Option<Vec<String>>,
}

/// A validated quiz with its answer key.
#[derive(Debug, Clone)]
pub struct Quiz {
    pub id: berth_app::model::QuizId,
    pub title: String,
    pub pass_percent: u32,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub explanation: Option<String>,
    pub key: Key,
}

/// What counts as right.
#[derive(Debug, Clone)]
pub enum Key {
    /// One option, by index.
    Single {
        options: Vec<String>,
        answer: usize,
    },
    /// Exactly this set of options.
    Multiple {
        options: Vec<String>,
        answers: Vec<usize>,
    },
    /// Any accepted text (after trimming) or a match of the pattern.
    Text {
        accept: Vec<String>,
        pattern: Option<Regex>,
        case_sensitive: bool,
    },
    Number {
        answer: f64,
        tolerance: f64,
    },
    /// The items in this order (learners see them shuffled).
    Order {
        items: Vec<String>,
    },
}

impl Quiz {
    /// Parses and validates `quiz.toml`; every problem names the file and
    /// the line of the question it concerns.
    pub fn parse(file: &Path, text: &str) -> Result<Self, Vec<ContentError>> {
        let raw: QuizFile = toml::from_str(text).map_err(|e| vec![ContentError::toml(file, text, 1, &e)])?;
        let question_lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[question]]")
            .map(|(i, _)| i + 1)
            .collect();
        let mut errors = Vec::new();
        if raw.question.is_empty() {
            errors.push(ContentError::in_file(
                file,
                "the quiz has no questions: add [[question]] tables",
            ));
        }
        if !(1..=100).contains(&raw.pass_percent) {
            errors.push(ContentError::in_file(file, "pass_percent must be between 1 and 100"));
        }
        if let Err(msg) = Id::parse(&raw.id) {
            errors.push(ContentError::in_file(file, format!("quiz id: {msg}")));
        }
        let mut ids = HashSet::new();
        let mut questions = Vec::new();
        for (n, q) in raw.question.into_iter().enumerate() {
            let line = question_lines.get(n).copied();
            let mut problem = |msg: String| errors.push(ContentError::new(file, line, msg));
            if let Err(msg) = Id::parse(&q.id) {
                problem(format!("question id: {msg}"));
                continue;
            }
            if !ids.insert(q.id.clone()) {
                problem(format!("question id `{}` is used twice in this quiz", q.id));
                continue;
            }
            match key(&q) {
                Ok(key) => questions.push(Question {
                    id: q.id,
                    prompt: q.prompt,
                    explanation: q.explanation,
                    key,
                }),
                Err(msg) => problem(format!("question `{}`: {msg}", q.id)),
            }
        }
        if errors.is_empty() {
            Ok(Quiz {
                id: raw.id.into(),
                title: raw.title,
                pass_percent: raw.pass_percent,
                questions,
            })
        } else {
            Err(errors)
        }
    }
}

/// What is wrong with a question's answer key; the message tells the
/// author what to write.
#[derive(Debug, thiserror::Error)]
enum KeyProblem {
    #[error("give at least two `options`")]
    TooFewOptions,
    #[error("answer {answer} is out of range: options are numbered 0 to {last}")]
    OutOfRange { answer: usize, last: usize },
    #[error("give the index of the right option as `answer`")]
    NoAnswer,
    #[error("give the indices of the right options as `answers`")]
    NoAnswers,
    #[error("`answers` must name at least one right option")]
    EmptyAnswers,
    #[error("`answers` lists an option twice")]
    RepeatedAnswer,
    #[error("the pattern does not compile: {0}")]
    Pattern(#[source] regex::Error),
    #[error("give the accepted answers (`accept`) or a `pattern`")]
    NothingAccepted,
    #[error("give the right number as `answer`")]
    NoNumber,
    #[error("`tolerance` must be zero or more")]
    Tolerance,
    #[error("give at least two `items`, in the right order")]
    TooFewItems,
    #[error("`items` must all differ")]
    RepeatedItem,
    #[error("unknown kind `{0}`: use single, multiple, text, number or order")]
    UnknownKind(String),
}

fn key(q: &QuestionFile) -> Result<Key, KeyProblem> {
    let options = || -> Result<Vec<String>, KeyProblem> {
        match &q.options {
            Some(o) if o.len() >= 2 => Ok(o.clone()),
            _ => Err(KeyProblem::TooFewOptions),
        }
    };
    let index = |i: usize, len: usize| -> Result<usize, KeyProblem> {
        if i < len {
            Ok(i)
        } else {
            Err(KeyProblem::OutOfRange {
                answer: i,
                last: len - 1,
            })
        }
    };
    match q.kind.as_str() {
        "single" => {
            let options = options()?;
            let answer = q
                .answer
                .as_ref()
                .and_then(|a| a.as_integer())
                .and_then(|a| usize::try_from(a).ok())
                .ok_or(KeyProblem::NoAnswer)?;
            Ok(Key::Single {
                answer: index(answer, options.len())?,
                options,
            })
        }
        "multiple" => {
            let options = options()?;
            let mut answers = q.answers.clone().ok_or(KeyProblem::NoAnswers)?;
            if answers.is_empty() {
                return Err(KeyProblem::EmptyAnswers);
            }
            for &a in &answers {
                index(a, options.len())?;
            }
            answers.sort_unstable();
            if answers.windows(2).any(|w| w[0] == w[1]) {
                return Err(KeyProblem::RepeatedAnswer);
            }
            Ok(Key::Multiple { options, answers })
        }
        "text" => {
            let accept = q.accept.clone().unwrap_or_default();
            let pattern = match &q.pattern {
                Some(p) => {
                    let p = if q.case_sensitive {
                        p.clone()
                    } else {
                        format!("(?i){p}")
                    };
                    Some(Regex::new(&p).map_err(KeyProblem::Pattern)?)
                }
                None => None,
            };
            if accept.iter().all(|a| a.trim().is_empty()) && pattern.is_none() {
                return Err(KeyProblem::NothingAccepted);
            }
            Ok(Key::Text {
                accept,
                pattern,
                case_sensitive: q.case_sensitive,
            })
        }
        "number" => {
            let answer = q
                .answer
                .as_ref()
                .and_then(|a| a.as_float().or_else(|| a.as_integer().map(|i| i as f64)))
                .filter(|a| a.is_finite())
                .ok_or(KeyProblem::NoNumber)?;
            let tolerance = q.tolerance.unwrap_or(0.0);
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                return Err(KeyProblem::Tolerance);
            }
            Ok(Key::Number { answer, tolerance })
        }
        "order" => {
            let items = q.items.clone().unwrap_or_default();
            if items.len() < 2 {
                return Err(KeyProblem::TooFewItems);
            }
            if items.iter().collect::<HashSet<_>>().len() != items.len() {
                return Err(KeyProblem::RepeatedItem);
            }
            Ok(Key::Order { items })
        }
        other => Err(KeyProblem::UnknownKind(other.to_string())),
    }
}

#[cfg(test)]
mod tests;
