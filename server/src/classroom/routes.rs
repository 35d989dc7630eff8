//! Classroom actions and streams. Forms post here and are answered with a
//! redirect (they work without JavaScript); the live grid, exports and the
//! read-only terminal are plain HTTP too. Every handler checks the viewer
//! against the classroom first: logged out 401, learners 403, another
//! instructor's classroom 404.

use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use berth_app::account::SignedIn;
use berth_app::classroom::{CellState, ItemKind, JoinStatus, LearnerRow};
use berth_app::lab::LabAction;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

use super::{Classrooms, join_status, new_join_code, utc_minutes};
use crate::auth::CurrentUser;
use crate::error::Error;
use crate::lab::Requester;
use crate::state::AppState;
use crate::store::{Change, ClassroomRow, JoinOutcome, NewClassroom, unix_now_millis};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/classrooms", post(create))
        .route("/join/{code}", post(join))
        .route("/classrooms/{id}/close-joining", post(close_joining))
        .route("/classrooms/{id}/events", get(events))
        .route("/classrooms/{id}/export.csv", get(export_csv))
        .route("/classrooms/{id}/export.json", get(export_json))
        .route("/classrooms/{id}/learners/{learner}/remove", post(remove))
        .route("/classrooms/{id}/learners/{learner}/lab", post(lab_action))
        .route("/classrooms/{id}/learners/{learner}/terminal", get(watch_terminal))
}

/// The viewer, if staff; the refusal otherwise.
fn staff(user: Option<Extension<CurrentUser>>) -> Result<SignedIn, Error> {
    let Some(Extension(CurrentUser(user))) = user else {
        return Err(Error::Unauthorized);
    };
    let viewer = user.signed_in();
    if !viewer.me.is_staff() {
        return Err(Error::Forbidden("this needs an instructor or admin account"));
    }
    Ok(viewer)
}

async fn classroom_for(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
    id: i64,
) -> Result<(SignedIn, ClassroomRow), Error> {
    let viewer = staff(user)?;
    let room = state
        .classrooms
        .visible(&viewer, id)
        .await?
        .ok_or(Error::NotFound("there is no such classroom of yours"))?;
    Ok((viewer, room))
}

async fn member_of(state: &AppState, room: &ClassroomRow, learner: i64) -> Result<String, Error> {
    state
        .store
        .members(room.id)
        .await?
        .into_iter()
        .find(|(id, _)| *id == learner)
        .map(|(_, email)| email)
        .ok_or(Error::NotFound("that learner is not in this classroom"))
}

#[derive(Deserialize)]
struct NewClassroomForm {
    name: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    join_limit: Option<String>,
    code_days: Option<String>,
}

fn date(text: &str) -> Result<Option<String>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(|_| Some(text.to_string()))
        .map_err(|_| ())
}

fn number(field: &Option<String>, default: i64, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let n = match field.as_deref().map(str::trim) {
        None | Some("") => default,
        Some(text) => text.parse().ok()?,
    };
    range.contains(&n).then_some(n)
}

async fn create(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Form(form): Form<NewClassroomForm>,
) -> Result<Response, Error> {
    let viewer = staff(user)?;
    let back = |code: &str| Ok(Redirect::to(&format!("/classrooms?error={code}")).into_response());
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return back("name");
    }
    let (Ok(starts_on), Ok(ends_on)) = (date(&form.starts_on), date(&form.ends_on)) else {
        return back("dates");
    };
    if let (Some(s), Some(e)) = (&starts_on, &ends_on)
        && e < s
    {
        return back("dates");
    }
    let Some(join_limit) = number(&form.join_limit, 100, 1..=10_000) else {
        return back("limit");
    };
    let Some(days) = number(&form.code_days, 14, 1..=365) else {
        return back("days");
    };
    let id = state
        .store
        .create_classroom(NewClassroom {
            name,
            owner: viewer.id,
            join_code: &new_join_code(),
            join_limit,
            code_expires_at: unix_now_millis() + days * 86_400_000,
            starts_on: starts_on.as_deref(),
            ends_on: ends_on.as_deref(),
        })
        .await?;
    tracing::info!(classroom = id, owner = viewer.id, "classroom created");
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

async fn join(
    State(state): State<AppState>,
    Path(code): Path<String>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, Error> {
    let path = format!("/join/{code}");
    let Some(Extension(CurrentUser(user))) = user else {
        return Ok(Redirect::to(&format!("/login?next={path}")).into_response());
    };
    let room = state.store.classroom_by_code(&code).await?.ok_or(Error::NotFound(
        "this join code does not exist; check the link your instructor gave you",
    ))?;
    match state.store.join_classroom(room.id, user.id).await? {
        JoinOutcome::Joined => tracing::info!(classroom = room.id, user = user.id, "learner joined"),
        JoinOutcome::AlreadyMember => {}
        JoinOutcome::Expired => {
            return Err(Error::Gone(
                "this join code has expired; ask your instructor for a new link",
            ));
        }
        JoinOutcome::UsedUp => {
            return Err(Error::Gone(
                "this classroom is full; ask your instructor for a new link",
            ));
        }
    }
    Ok(Redirect::to(&path).into_response())
}

/// For sign-up with a classroom link: is the code one that still lets
/// newcomers in?
pub async fn join_code_open(state: &AppState, code: &str) -> Result<Option<ClassroomRow>, Error> {
    Ok(state
        .store
        .classroom_by_code(code)
        .await?
        .filter(|room| join_status(room) == JoinStatus::Open))
}

async fn close_joining(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, Error> {
    let (viewer, room) = classroom_for(&state, user, id).await?;
    state.store.close_joining(room.id).await?;
    state
        .store
        .audit(
            (viewer.id, &viewer.me.email),
            "closed joining",
            Some(room.id),
            None,
            "the join code no longer works",
        )
        .await?;
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path((id, learner)): Path<(i64, i64)>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, Error> {
    let (viewer, room) = classroom_for(&state, user, id).await?;
    member_of(&state, &room, learner).await?;
    state.store.remove_member(room.id, learner).await?;
    state
        .store
        .audit(
            (viewer.id, &viewer.me.email),
            "removed",
            Some(room.id),
            Some(learner),
            "from the roster",
        )
        .await?;
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

#[derive(Deserialize)]
struct LabForm {
    module: String,
    action: String,
}

async fn lab_action(
    State(state): State<AppState>,
    Path((id, learner)): Path<(i64, i64)>,
    user: Option<Extension<CurrentUser>>,
    Form(form): Form<LabForm>,
) -> Result<Response, Error> {
    let (viewer, room) = classroom_for(&state, user, id).await?;
    member_of(&state, &room, learner).await?;
    let result = match form.action.as_str() {
        "stop" => {
            state
                .labs
                .apply(learner, &form.module, LabAction::Stop, Requester::Staff)
                .await
        }
        "reset" => {
            state
                .labs
                .apply(learner, &form.module, LabAction::Reset, Requester::Staff)
                .await
        }
        "extend" => state.labs.extend(learner, &form.module, true).await,
        _ => return Err(Error::BadRequest("unknown lab action: use stop, reset or extend")),
    };
    let outcome = match &result {
        Ok(()) => "done".to_string(),
        Err(e) => format!("failed: {}", e.message()),
    };
    state
        .store
        .audit(
            (viewer.id, &viewer.me.email),
            &format!("lab {}", form.action),
            Some(room.id),
            Some(learner),
            &format!("module {}, {outcome}", form.module),
        )
        .await?;
    let to = match result {
        Ok(()) => format!("/classrooms/{id}"),
        Err(_) => format!("/classrooms/{id}?error=lab"),
    };
    Ok(Redirect::to(&to).into_response())
}

/// The live grid: a `learner` event with the learner's whole row each time
/// one of them makes progress; `roster` when someone joins or leaves.
async fn events(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, Error> {
    let (_, room) = classroom_for(&state, user, id).await?;
    let changes = state.store.changes();
    let stopping = state.stopping.clone();
    let classrooms = state.classrooms.clone();
    let members: Vec<i64> = state
        .store
        .members(room.id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let ready = futures_util::stream::once(async { Ok::<_, Infallible>(Event::default().event("ready").data("live")) });
    let updates = futures_util::stream::unfold(
        (changes, members, room, classrooms),
        |(mut changes, mut members, room, classrooms)| async move {
            loop {
                let event = match changes.recv().await {
                    Ok(Change::Progress { user }) if members.contains(&user) => {
                        match classrooms.rows(&room, Some(user)).await {
                            Ok(rows) => match rows.into_iter().next() {
                                Some(row) => Event::default().event("learner").json_data(&row).ok(),
                                None => None,
                            },
                            Err(e) => {
                                tracing::warn!(error = %e, "a live grid update failed");
                                None
                            }
                        }
                    }
                    Ok(Change::Roster { classroom }) if classroom == room.id => {
                        if let Ok(now) = classrooms.store.members(room.id).await {
                            members = now.into_iter().map(|(id, _)| id).collect();
                        }
                        Some(Event::default().event("roster").data("changed"))
                    }
                    Ok(_) => None,
                    // Fell behind: the page reloads to catch up.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        Some(Event::default().event("roster").data("lagged"))
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                };
                if let Some(event) = event {
                    return Some((Ok(event), (changes, members, room, classrooms)));
                }
            }
        },
    );
    let stream = ready
        .chain(updates)
        .take_until(async move { stopping.cancelled().await });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// One learner's results, as exported.
#[derive(Serialize)]
struct ExportRow {
    email: String,
    lessons_completed: usize,
    exercises_passed: usize,
    quizzes_passed: usize,
    /// Mean of the best scores over all quizzes (untried ones count 0).
    quiz_average: u32,
    /// By column key: `passed`, `failing`, `in progress`, `not started`;
    /// quizzes: their best percent, if tried.
    items: std::collections::BTreeMap<String, ExportItem>,
}

#[derive(Serialize)]
struct ExportItem {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    best_percent: Option<u32>,
}

#[derive(Serialize)]
struct Export {
    classroom: String,
    exported_at: String,
    exercises: Vec<String>,
    quizzes: Vec<String>,
    learners: Vec<ExportRow>,
}

async fn export(classrooms: &Classrooms, room: &ClassroomRow) -> Result<Export, Error> {
    let rows: Vec<LearnerRow> = classrooms.rows(room, None).await?;
    let columns = classrooms.columns();
    let keys = |kind: ItemKind| -> Vec<String> {
        columns
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.key.clone())
            .collect()
    };
    let (exercises, quizzes) = (keys(ItemKind::Exercise), keys(ItemKind::Quiz));
    let learners = rows
        .into_iter()
        .map(|row| {
            let mut items = std::collections::BTreeMap::new();
            let mut quiz_total = 0;
            for (cell, col) in row.cells.iter().zip(columns) {
                if col.kind == ItemKind::Lesson {
                    continue;
                }
                let best_percent = cell.best_percent;
                quiz_total += best_percent.unwrap_or(0);
                items.insert(
                    cell.key.clone(),
                    ExportItem {
                        state: cell.state.label(),
                        best_percent,
                    },
                );
            }
            ExportRow {
                email: row.email,
                lessons_completed: row.lessons_done,
                exercises_passed: row.exercises_passed,
                quizzes_passed: row.quizzes_passed,
                quiz_average: quiz_total.checked_div(quizzes.len() as u32).unwrap_or(0),
                items,
            }
        })
        .collect();
    Ok(Export {
        classroom: room.name.clone(),
        exported_at: utc_minutes(unix_now_millis()),
        exercises,
        quizzes,
        learners,
    })
}

async fn export_json(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, Error> {
    let (_, room) = classroom_for(&state, user, id).await?;
    Ok(axum::Json(export(&state.classrooms, &room).await?).into_response())
}

/// Spreadsheets run cells starting with these as formulas.
fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

async fn export_csv(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, Error> {
    let (_, room) = classroom_for(&state, user, id).await?;
    let data = export(&state.classrooms, &room).await?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["email".to_string()];
    header.extend(data.exercises.iter().cloned());
    header.extend(data.quizzes.iter().cloned());
    header.extend(
        [
            "lessons_completed",
            "exercises_passed",
            "quizzes_passed",
            "quiz_average",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    csv.write_record(&header).map_err(Error::internal)?;
    for row in &data.learners {
        let mut record = vec![spreadsheet_safe(&row.email)];
        for key in &data.exercises {
            let passed = row.items.get(key).is_some_and(|i| i.state == CellState::Passed.label());
            record.push(if passed { "1" } else { "0" }.to_string());
        }
        for key in &data.quizzes {
            record.push(
                row.items
                    .get(key)
                    .and_then(|i| i.best_percent)
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            );
        }
        record.extend([
            row.lessons_completed.to_string(),
            row.exercises_passed.to_string(),
            row.quizzes_passed.to_string(),
            row.quiz_average.to_string(),
        ]);
        csv.write_record(&record).map_err(Error::internal)?;
    }
    let body = csv.into_inner().map_err(Error::internal)?;
    let file = format!("attachment; filename=\"classroom-{id}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

/// The read-only view of a learner's terminal, recorded in the audit log
/// from start to end.
async fn watch_terminal(
    State(state): State<AppState>,
    Path((id, learner)): Path<(i64, i64)>,
    headers: HeaderMap,
    user: Option<Extension<CurrentUser>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, Error> {
    if !crate::security::origin_is_host(&headers) {
        return Ok((
            StatusCode::FORBIDDEN,
            "cross-site WebSocket refused: open the classroom from a Berth page on this server\n",
        )
            .into_response());
    }
    let (viewer, room) = classroom_for(&state, user, id).await?;
    let email = member_of(&state, &room, learner).await?;
    let lab = state
        .labs
        .running_lab_of(learner)
        .await
        .map_err(|e| Error::Unavailable(e.message()))?
        .ok_or(Error::NotFound("this learner has no running lab"))?;
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    // A lab of several nodes is watched on node1.
    let mirror = state.labs.mirrors().get(&lab, 1);
    let stopping = state.stopping.clone();
    let store = state.store.clone();
    Ok(upgrade.max_message_size(4096).on_upgrade(move |socket| async move {
        let actor = (viewer.id, viewer.me.email.as_str());
        let started = std::time::Instant::now();
        if let Err(e) = store
            .audit(
                actor,
                "started watching",
                Some(room.id),
                Some(learner),
                &format!("lab {lab}"),
            )
            .await
        {
            tracing::error!(error = %e, "could not record the start of a watch; refusing it");
            return;
        }
        tracing::info!(classroom = room.id, learner = %email, watcher = %viewer.me.email, "watching a terminal");
        crate::lab::terminal::watch_terminal(socket, mirror, viewer.me.email.clone(), stopping).await;
        let seconds = started.elapsed().as_secs();
        if let Err(e) = store
            .audit(
                actor,
                "stopped watching",
                Some(room.id),
                Some(learner),
                &format!("after {seconds} s"),
            )
            .await
        {
            tracing::error!(error = %e, "could not record the end of a watch");
        }
    }))
}
