//! What server functions need from the server besides the course: its
//! database, behind a small trait so this crate stays free of storage code.
//! The server implements it and provides it as context for every request.

use leptos::prelude::*;
use std::sync::Arc;

use crate::quiz::{AttemptSummary, AttemptView, QuizResult, QuizStats};

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Opening a lesson again never undoes its completion.
    async fn record_lesson(&self, user: i64, module: &str, lesson: &str, completed: bool) -> Result<(), String>;
    /// (lesson id, completed), most recently touched first.
    async fn lessons_touched(&self, user: i64) -> Result<Vec<(String, bool)>, String>;
    /// The learner's attempts at one quiz, newest first.
    async fn quiz_attempts(&self, user: i64, quiz: &str) -> Result<Vec<AttemptSummary>, String>;
    /// One attempt, only if it belongs to `user`.
    async fn quiz_attempt(&self, user: i64, attempt: i64) -> Result<Option<AttemptView>, String>;
    /// Best score and pass per quiz the learner has tried.
    async fn quiz_results(&self, user: i64) -> Result<Vec<QuizResult>, String>;
    /// Figures over every learner's attempts at a quiz.
    async fn quiz_stats(&self, quiz: &str) -> Result<QuizStats, String>;
}

pub type SharedBackend = Arc<dyn Backend>;

pub fn backend() -> Result<SharedBackend, ServerFnError> {
    use_context::<SharedBackend>().ok_or_else(|| ServerFnError::new("the server is not ready"))
}

/// Storage errors are logged by the server; the browser gets a plain line.
pub fn unavailable(detail: String) -> ServerFnError {
    leptos::logging::error!("backend error: {detail}");
    ServerFnError::new("your progress could not be saved or loaded; try again shortly")
}
