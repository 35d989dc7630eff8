//! Quizzes as pages see them. The server keeps the answer keys (see
//! `berth_server::quiz`); what reaches the browser is only what a learner
//! may see: prompts and choices before submitting, and their own graded
//! attempts afterwards.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{AttemptId, Millis, ModuleId, QuizId};

/// A quiz as the learner sees it before submitting: prompts and choices,
/// never which are right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizView {
    pub id: QuizId,
    pub title: String,
    pub pass_percent: u32,
    pub questions: Vec<QuestionView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: String,
    pub prompt: String,
    pub input: Input,
}

/// How a question is answered. Choices are shuffled per attempt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Input {
    Single(Vec<Choice>),
    Multiple(Vec<Choice>),
    Text,
    Number,
    /// Items to put in order; each gets a position 1..=n.
    Order(Vec<Choice>),
}

/// An option, named by a key derived from its text, so neither the key nor
/// the position says anything about whether it is right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub text: String,
}

/// The form field that carries a question's answer (order questions add
/// `.{choice key}` per item).
pub fn field_name(question: &str) -> String {
    format!("q.{question}")
}

/// Everything the quiz page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizPageData {
    pub module: ModuleId,
    pub module_number: usize,
    pub module_title: String,
    pub title: String,
    pub pass_percent: u32,
    pub question_count: usize,
    /// The questions, freshly shuffled; only for signed-in learners.
    pub form: Option<QuizView>,
    /// The learner's earlier attempts, newest first.
    pub attempts: Vec<AttemptSummary>,
    /// Class-wide figures, for instructors and admins only.
    pub stats: Option<QuizStats>,
}

impl QuizPageData {
    pub fn best(&self) -> Option<&AttemptSummary> {
        self.attempts
            .iter()
            .max_by_key(|a| (a.percent, std::cmp::Reverse(a.id)))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub id: AttemptId,
    pub percent: u32,
    pub passed: bool,
    pub at: Millis,
}

/// A graded attempt as its learner sees it afterwards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub id: AttemptId,
    pub module: ModuleId,
    pub score: usize,
    pub total: usize,
    pub percent: u32,
    pub passed: bool,
    /// The learner's best score on this quiz so far.
    pub best_percent: u32,
    pub report: AttemptReport,
}

/// What the learner was told about an attempt, kept as it was at grading
/// time so later edits to the quiz do not rewrite history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptReport {
    pub quiz_title: String,
    pub pass_percent: u32,
    pub feedback: Vec<Feedback>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub prompt: String,
    /// The learner's answer in words; empty when they gave none.
    pub given: String,
    pub correct: bool,
    pub explanation: Option<String>,
}

/// A learner's standing on one quiz, for the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizResult {
    pub quiz: QuizId,
    pub best_percent: u32,
    pub passed: bool,
}

/// How a class is doing on a quiz, for instructors.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuizStats {
    pub attempts: u64,
    pub learners: u64,
    pub learners_passed: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AttemptLookup {
    SignIn,
    NotFound,
    Found(AttemptView),
}

/// Every module's quiz without its answer keys, keyed by module id; the
/// server provides it as context.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct QuizBook(pub std::sync::Arc<std::collections::BTreeMap<ModuleId, QuizView>>);

#[cfg(feature = "ssr")]
impl QuizView {
    /// A copy with choices and items in a fresh random order.
    pub fn shuffled(&self) -> Self {
        let mut quiz = self.clone();
        for q in &mut quiz.questions {
            if let Input::Single(c) | Input::Multiple(c) | Input::Order(c) = &mut q.input {
                fastrand::shuffle(c);
            }
        }
        quiz
    }
}

#[cfg(feature = "ssr")]
fn quiz_book() -> Result<QuizBook, AppError> {
    use_context::<QuizBook>().ok_or_else(|| crate::course::not_ready("the quiz book"))
}

#[server(endpoint = "quiz", input = GetUrl)]
pub async fn get_quiz(module: ModuleId) -> Result<Option<QuizPageData>, AppError> {
    use crate::records::records;
    let course = crate::course::current()?;
    let Some((number, m)) = course.modules.iter().enumerate().find(|(_, m)| m.id == module) else {
        return Ok(None);
    };
    let book = quiz_book()?;
    let Some(quiz) = book.0.get(&module) else {
        return Ok(None);
    };
    let records = records()?;
    let (form, attempts, stats) = match crate::account::signed_in() {
        Some(user) => (
            Some(quiz.shuffled()),
            records.quiz_attempts(user.id, &quiz.id).await?,
            match user.me.is_staff() {
                true => Some(records.quiz_stats(&quiz.id).await?),
                false => None,
            },
        ),
        None => (None, Vec::new(), None),
    };
    Ok(Some(QuizPageData {
        module,
        module_number: number + 1,
        module_title: m.title.clone(),
        title: quiz.title.clone(),
        pass_percent: quiz.pass_percent,
        question_count: quiz.questions.len(),
        form,
        attempts,
        stats,
    }))
}

/// Class-wide figures for a module's quiz; instructors and admins only.
#[server(endpoint = "quiz/stats", input = GetUrl)]
pub async fn get_quiz_stats(module: ModuleId) -> Result<Option<QuizStats>, AppError> {
    crate::account::require_staff()?;
    let book = quiz_book()?;
    let Some(quiz) = book.0.get(&module) else {
        return Ok(None);
    };
    Ok(Some(crate::records::records()?.quiz_stats(&quiz.id).await?))
}

/// One of the signed-in learner's own attempts; anyone else's is not found.
#[server(endpoint = "quiz/attempt", input = GetUrl)]
pub async fn get_attempt(module: ModuleId, attempt: AttemptId) -> Result<AttemptLookup, AppError> {
    let Some(user) = crate::account::signed_in() else {
        return Ok(AttemptLookup::SignIn);
    };
    Ok(match crate::records::records()?.quiz_attempt(user.id, attempt).await? {
        Some(view) if view.module == module => AttemptLookup::Found(view),
        _ => AttemptLookup::NotFound,
    })
}
