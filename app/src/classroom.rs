//! Classrooms as the pages see them: an instructor's roster, the live
//! progress grid, insights per exercise and quiz, joining with a code, and
//! the read-only view of a learner's terminal. The server implements
//! [`ClassroomService`] and checks every request against the viewer's
//! classrooms; changes go through plain form posts to `/classrooms/*`.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{ClassroomId, ExerciseId, ModuleId, QuizId, ScoreSync, UserId};
pub use crate::model::{ItemKind, ItemRef};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellState {
    NotStarted,
    InProgress,
    Passed,
    Failing,
}

impl CellState {
    /// The CSS class of a grid cell (and the JSON name).
    pub fn class(self) -> &'static str {
        match self {
            Self::NotStarted => "not-started",
            Self::InProgress => "in-progress",
            Self::Passed => "passed",
            Self::Failing => "failing",
        }
    }

    /// In words, for screen readers, hover text and exports.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "not started",
            Self::InProgress => "in progress",
            Self::Passed => "passed",
            Self::Failing => "failing",
        }
    }
}

/// One column of the grid: a lesson, exercise or quiz of the course.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub item: ItemRef,
    pub module_title: String,
    pub title: String,
    /// A few characters for the header, e.g. `E3.1`.
    pub short: String,
}

/// A learner's standing on one column's item; a row's cells follow the
/// columns' order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub item: ItemRef,
    pub state: CellState,
    /// The last failing assertion, or a quiz's best score.
    pub detail: Option<String>,
    /// A tried quiz's best score, for exports.
    pub best_percent: Option<u32>,
    pub stuck: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerRow {
    pub id: UserId,
    pub email: String,
    pub cells: Vec<Cell>,
    pub labs: Vec<LearnerLab>,
    /// Why this learner may need help, in words.
    pub stuck: Vec<String>,
    pub lessons_done: usize,
    pub exercises_passed: usize,
    pub quizzes_passed: usize,
    /// Scores sent to the learning platform, per module linked there.
    pub grades: Vec<LearnerGrade>,
}

/// Where a learner's score for a module stands on its way to their
/// learning platform (LTI).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerGrade {
    pub module: ModuleId,
    pub module_title: String,
    pub sync: ScoreSync,
    /// The moment of `sync` (sent, refused, next try) in the school's zone,
    /// `YYYY-MM-DD HH:MM ZONE`.
    pub when: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerLab {
    pub module: ModuleId,
    pub module_title: String,
    pub running: bool,
    /// Seconds until the lab ends for good.
    pub expires_in: i64,
    /// Seconds since the last terminal input.
    pub idle_for: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExerciseInsight {
    pub id: ExerciseId,
    pub title: String,
    pub module_title: String,
    pub attempted: usize,
    pub passed: usize,
    /// Median minutes from first check to first pass (or to now).
    pub median_minutes: Option<u32>,
    /// Failing assertions by how many learners hit them, most first.
    pub failing: Vec<(String, usize)>,
    pub stuck: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizInsight {
    pub id: QuizId,
    pub title: String,
    /// Learners counted: each by their latest attempt.
    pub learners: usize,
    pub questions: Vec<QuestionInsight>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionInsight {
    pub prompt: String,
    pub answered: usize,
    pub correct: usize,
    /// The wrong answer given most often, and by how many.
    pub top_wrong: Option<(String, usize)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassroomSummary {
    pub id: ClassroomId,
    pub name: String,
    pub owner_email: String,
    pub members: usize,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub who: String,
    pub what: String,
    /// In the school's zone, `YYYY-MM-DD HH:MM ZONE`.
    pub when: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassroomView {
    pub summary: ClassroomSummary,
    pub join_code: String,
    /// In the school's zone, `YYYY-MM-DD HH:MM ZONE`.
    pub code_expires: String,
    pub code_expired: bool,
    pub joins: i64,
    pub join_limit: i64,
    pub columns: Vec<Column>,
    pub learners: Vec<LearnerRow>,
    pub exercises: Vec<ExerciseInsight>,
    pub quizzes: Vec<QuizInsight>,
    pub audit: Vec<AuditLine>,
    pub stuck_failures: u32,
    pub stuck_idle_minutes: u32,
    /// Modules with a lab, which the warm-up form offers.
    pub lab_modules: Vec<LabModule>,
    /// Labs this classroom asked to keep warm, not ended yet.
    pub warmups: Vec<WarmupLine>,
    /// The school's time zone, in which the page's times are given and
    /// the warm-up form's "until" is read.
    pub zone: String,
    /// The learning platform (its host) whose course roster the classroom
    /// can pull, when it is tied to one that shares its members.
    pub roster_source: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabModule {
    pub id: crate::model::ModuleId,
    pub title: String,
}

/// Labs of a module kept made and waiting for the class, until a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarmupLine {
    pub module_title: String,
    pub labs: usize,
    /// In the school's zone, `YYYY-MM-DD HH:MM ZONE`.
    pub until: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinStatus {
    Unknown,
    Expired,
    UsedUp,
    Open,
    Member,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinInfo {
    pub code: String,
    pub classroom: Option<String>,
    pub status: JoinStatus,
    pub signed_in: bool,
}

/// What the instructor's read-only terminal page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchView {
    pub classroom: ClassroomId,
    pub classroom_name: String,
    pub learner_email: String,
    /// The WebSocket path of the read-only stream, if the learner has a
    /// running lab.
    pub terminal: Option<String>,
}

/// The server's side. `None` means "no such classroom for this viewer":
/// another instructor's classroom looks exactly like a missing one. Errors
/// are logged there and fit for the user.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ClassroomService: Send + Sync + 'static {
    async fn list(&self, viewer: &crate::account::SignedIn) -> Result<Vec<ClassroomSummary>, AppError>;
    async fn view(&self, viewer: &crate::account::SignedIn, id: ClassroomId)
    -> Result<Option<ClassroomView>, AppError>;
    async fn watch(
        &self,
        viewer: &crate::account::SignedIn,
        id: ClassroomId,
        learner: UserId,
    ) -> Result<Option<WatchView>, AppError>;
    async fn join_info(&self, viewer: Option<UserId>, code: &str) -> Result<JoinInfo, AppError>;
}

#[cfg(feature = "ssr")]
pub type SharedClassrooms = std::sync::Arc<dyn ClassroomService>;

#[cfg(feature = "ssr")]
fn classrooms() -> Result<SharedClassrooms, AppError> {
    use_context::<SharedClassrooms>().ok_or_else(|| crate::course::not_ready("the classroom service"))
}

/// Answers 404 along with `None`, so scripts see another instructor's
/// classroom exactly as a missing one.
#[cfg(feature = "ssr")]
fn found<T>(value: Option<T>) -> Option<T> {
    if value.is_none()
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    value
}

#[server(endpoint = "classrooms", input = GetUrl)]
pub async fn get_classrooms() -> Result<Vec<ClassroomSummary>, AppError> {
    let viewer = crate::account::require_staff()?;
    classrooms()?.list(&viewer).await
}

#[server(endpoint = "classroom", input = GetUrl)]
pub async fn get_classroom(id: ClassroomId) -> Result<Option<ClassroomView>, AppError> {
    let viewer = crate::account::require_staff()?;
    classrooms()?.view(&viewer, id).await.map(found)
}

#[server(endpoint = "classroom/watch", input = GetUrl)]
pub async fn get_watch(id: ClassroomId, learner: UserId) -> Result<Option<WatchView>, AppError> {
    let viewer = crate::account::require_staff()?;
    classrooms()?.watch(&viewer, id, learner).await.map(found)
}

#[server(endpoint = "join", input = GetUrl)]
pub async fn get_join(code: String) -> Result<JoinInfo, AppError> {
    let viewer = crate::account::signed_in().map(|s| s.id);
    classrooms()?.join_info(viewer, &code).await
}
