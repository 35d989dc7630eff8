//! Submitting a quiz: a plain form post, graded here, stored, then a
//! redirect to the learner's results.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Form, Router};

use super::grade;
use crate::auth::CurrentUser;
use crate::error::Error;
use crate::events::Change;
use crate::state::AppState;
use crate::store::NewAttempt;
use berth_app::course::quiz_href;
use berth_app::model::ModuleId;

pub fn router() -> Router<AppState> {
    Router::new().route("/modules/{module}/quiz", post(submit))
}

async fn submit(
    State(state): State<AppState>,
    Path(module): Path<ModuleId>,
    user: Option<Extension<CurrentUser>>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let quiz = state
        .quizzes
        .get(&module)
        .ok_or(Error::NotFound("this module has no quiz"))?;
    let href = quiz_href(&module);
    let Some(Extension(CurrentUser(user))) = user else {
        return Ok(Redirect::to(&format!("/login?next={href}")).into_response());
    };
    let submission = quiz.read_form(&fields);
    let graded = grade(quiz, &submission.answers);
    let report = quiz.report(&submission.answers, &graded);
    let id = state
        .store
        .record_quiz_attempt(NewAttempt {
            user: user.id,
            module: &module,
            quiz: &quiz.id,
            answers: &submission.raw,
            report: &report,
            graded: &graded,
            grading: state.grading.get(&module),
        })
        .await?;
    state.events.publish(Change::Progress { user: user.id });
    tracing::info!(user = %user.id, quiz = %quiz.id, percent = graded.percent, passed = graded.passed, "quiz graded");
    Ok(Redirect::to(&format!("{href}/{id}")).into_response())
}
