//! Classroom actions and streams. Forms post here and are answered with a
//! redirect (they work without JavaScript); the live grid, exports and the
//! read-only terminal are plain HTTP too. Every handler checks the viewer
//! against the classroom first: logged out 401, learners 403, another
//! instructor's classroom 404.

use anyhow::Context;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use berth_app::account::SignedIn;
use berth_app::classroom::{CellState, JoinStatus, LearnerRow};
use berth_app::error::FormProblem;
use berth_app::model::{ClassroomId, DAY, ItemKind, Millis, ModuleId, StaffLabAction, UserId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

use super::{Classrooms, join_status, new_join_code, utc_minutes};
use crate::auth::{CurrentUser, Staff};
use crate::error::Error;
use crate::events::Change;
use crate::lti::RosterError;
use crate::state::AppState;
use crate::store::{ClassroomRow, JoinOutcome, Member, NewAudit, NewClassroom, StoreError};

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
        .route("/classrooms/{id}/warm", post(warm))
        .route("/classrooms/{id}/roster", post(pull_roster))
}

/// The classroom, if the staff member may see it.
async fn classroom_for(state: &AppState, viewer: &SignedIn, id: ClassroomId) -> Result<ClassroomRow, Error> {
    state
        .classrooms
        .visible(viewer, id)
        .await?
        .ok_or(Error::NotFound("there is no such classroom of yours"))
}

async fn member_of(state: &AppState, room: &ClassroomRow, learner: UserId) -> Result<Member, Error> {
    state
        .store
        .members(room.id)
        .await?
        .into_iter()
        .find(|m| m.id == learner)
        .ok_or(Error::NotFound("that learner is not in this classroom"))
}

/// Records what staff did in the classroom's audit log.
async fn audit(
    state: &AppState,
    viewer: &SignedIn,
    room: &ClassroomRow,
    (action, subject): (&str, Option<UserId>),
    detail: &str,
) -> Result<(), StoreError> {
    state
        .store
        .audit(NewAudit {
            actor: viewer.id,
            actor_email: &viewer.me.email,
            action,
            classroom: Some(room.id),
            subject,
            detail,
        })
        .await
}

/// Joins the learner with the classroom's code, and tells live grids.
pub async fn admit(state: &AppState, classroom: ClassroomId, user: UserId) -> Result<JoinOutcome, StoreError> {
    let outcome = state.store.join_classroom(classroom, user).await?;
    if outcome == JoinOutcome::Joined {
        state.events.publish(Change::Roster { classroom });
    }
    Ok(outcome)
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
    Staff(viewer): Staff,
    Form(form): Form<NewClassroomForm>,
) -> Result<Response, Error> {
    let back = |problem| Err(Error::form("/classrooms", problem));
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return back(FormProblem::ClassroomName);
    }
    let (Ok(starts_on), Ok(ends_on)) = (date(&form.starts_on), date(&form.ends_on)) else {
        return back(FormProblem::ClassroomDates);
    };
    if let (Some(s), Some(e)) = (&starts_on, &ends_on)
        && e < s
    {
        return back(FormProblem::ClassroomDates);
    }
    let Some(join_limit) = number(&form.join_limit, 100, 1..=10_000) else {
        return back(FormProblem::JoinLimit);
    };
    let Some(days) = number(&form.code_days, 14, 1..=365) else {
        return back(FormProblem::CodeDays);
    };
    let id = state
        .store
        .create_classroom(NewClassroom {
            name,
            owner: viewer.id,
            join_code: &new_join_code(),
            join_limit,
            code_expires_at: Millis::now().plus(DAY * days as u32),
            starts_on: starts_on.as_deref(),
            ends_on: ends_on.as_deref(),
        })
        .await?;
    tracing::info!(classroom = %id, owner = %viewer.id, "classroom created");
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
    match admit(&state, room.id, user.id).await? {
        JoinOutcome::Joined => tracing::info!(classroom = %room.id, user = %user.id, "learner joined"),
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
    Path(id): Path<ClassroomId>,
    Staff(viewer): Staff,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
    state.store.close_joining(room.id).await?;
    audit(
        &state,
        &viewer,
        &room,
        ("closed joining", None),
        "the join code no longer works",
    )
    .await?;
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path((id, learner)): Path<(ClassroomId, UserId)>,
    Staff(viewer): Staff,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
    member_of(&state, &room, learner).await?;
    if state.store.remove_member(room.id, learner).await? {
        state.events.publish(Change::Roster { classroom: room.id });
    }
    audit(&state, &viewer, &room, ("removed", Some(learner)), "from the roster").await?;
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

#[derive(Deserialize)]
struct LabForm {
    module: ModuleId,
    action: String,
}

async fn lab_action(
    State(state): State<AppState>,
    Path((id, learner)): Path<(ClassroomId, UserId)>,
    Staff(viewer): Staff,
    Form(form): Form<LabForm>,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
    member_of(&state, &room, learner).await?;
    let action: StaffLabAction = form
        .action
        .parse()
        .map_err(|_| Error::BadRequest("unknown lab action: use stop, reset or extend"))?;
    let result = state.labs.apply_for_staff(learner, &form.module, action).await;
    let failed = result.is_err();
    let outcome = match result {
        Ok(()) => "done".to_string(),
        Err(e) => format!("failed: {}", e.into_user_message()),
    };
    audit(
        &state,
        &viewer,
        &room,
        (&format!("lab {action}"), Some(learner)),
        &format!("module {}, {outcome}", form.module),
    )
    .await?;
    if failed {
        return Err(Error::form(format!("/classrooms/{id}"), FormProblem::LabAction));
    }
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

#[derive(Deserialize)]
struct WarmForm {
    module: ModuleId,
    labs: String,
    /// `HH:MM` in the school's zone: the next time of day it names.
    until: String,
}

/// Keeps labs of a module warm for the class until a time: "the class
/// starts at 10:00 with 25 learners".
async fn warm(
    State(state): State<AppState>,
    Path(id): Path<ClassroomId>,
    Staff(viewer): Staff,
    Form(form): Form<WarmForm>,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
    let labs = number(&Some(form.labs), 0, 1..=500);
    let clock = state.classrooms.clock();
    let until = clock.next_time_of_day(&form.until, Millis::now());
    let (Some(labs), Some(until), true) = (labs, until, state.labs.has_lab(&form.module)) else {
        return Err(Error::form(format!("/classrooms/{id}"), FormProblem::Warmup));
    };
    let warmup = crate::store::Warmup {
        classroom: room.id,
        module: form.module,
        labs: labs as usize,
        until,
    };
    state.store.add_warmup(&warmup, viewer.id).await?;
    audit(
        &state,
        &viewer,
        &room,
        ("warmed labs", None),
        &format!("{labs} of module {} until {}", warmup.module, clock.minutes(until)),
    )
    .await?;
    state.labs.wake_refill();
    Ok(Redirect::to(&format!("/classrooms/{id}")).into_response())
}

/// Pulls the members of the classroom's LMS course into it (LTI NRPS); the
/// page says how many came, or what the platform did wrong.
async fn pull_roster(
    State(state): State<AppState>,
    Path(id): Path<ClassroomId>,
    Staff(viewer): Staff,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
    let page = format!("/classrooms/{id}");
    match state.lti.pull_roster(&state.store, room.id).await {
        Ok(pulled) => {
            if pulled.added > 0 {
                state.events.publish(Change::Roster { classroom: room.id });
            }
            let detail = format!(
                "{} added, {} already here, {} instructors, {} inactive left out",
                pulled.added, pulled.already, pulled.instructors, pulled.inactive
            );
            audit(&state, &viewer, &room, ("pulled the roster", None), &detail).await?;
            let done = format!("{page}?added={}&already={}", pulled.added, pulled.already);
            Ok(Redirect::to(&done).into_response())
        }
        Err(RosterError::Store(e)) => Err(e.into()),
        Err(e) => {
            let Some(problem) = e.problem() else {
                return Err(anyhow::Error::new(e).context("pulling the roster").into());
            };
            tracing::warn!(classroom = %room.id, error = %e, "the roster could not be pulled");
            audit(
                &state,
                &viewer,
                &room,
                ("could not pull the roster", None),
                &e.to_string(),
            )
            .await?;
            Err(Error::form(page, problem))
        }
    }
}

/// The live grid: a `learner` event with the learner's whole row each time
/// one of them makes progress; `roster` when someone joins or leaves.
async fn events(
    State(state): State<AppState>,
    Path(id): Path<ClassroomId>,
    Staff(viewer): Staff,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
    let changes = state.events.subscribe();
    let stopping = state.stopping.clone();
    let classrooms = state.classrooms.clone();
    let members: Vec<UserId> = state.store.members(room.id).await?.into_iter().map(|m| m.id).collect();
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
                        match classrooms.store.members(room.id).await {
                            Ok(now) => members = now.into_iter().map(|m| m.id).collect(),
                            Err(e) => {
                                tracing::warn!(error = %e, "reading a classroom's roster for its live grid failed")
                            }
                        }
                        Some(Event::default().event("roster").data("changed"))
                    }
                    // Fell behind, or changes may have been missed while
                    // the replicas were out of touch: the page reloads to
                    // catch up.
                    Ok(Change::Missed) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        Some(Event::default().event("roster").data("lagged"))
                    }
                    Ok(_) => None,
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
    /// By item key (`exercise:<id>`, `quiz:<id>`): `passed`, `failing`,
    /// `in progress`, `not started`; quizzes: their best percent, if tried.
    items: std::collections::BTreeMap<String, ExportItem>,
}

#[derive(Serialize)]
struct ExportItem {
    #[serde(serialize_with = "as_label")]
    state: CellState,
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

/// States are exported in words, as the grid's labels say them.
fn as_label<S: serde::Serializer>(state: &CellState, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(state.label())
}

async fn export(classrooms: &Classrooms, room: &ClassroomRow) -> Result<Export, Error> {
    let rows: Vec<LearnerRow> = classrooms.rows(room, None).await?;
    let columns = classrooms.columns();
    let keys = |kind: ItemKind| -> Vec<String> {
        columns
            .iter()
            .filter(|c| c.item.kind() == kind)
            .map(|c| c.item.key())
            .collect()
    };
    let (exercises, quizzes) = (keys(ItemKind::Exercise), keys(ItemKind::Quiz));
    let learners = rows
        .into_iter()
        .map(|row| {
            let mut items = std::collections::BTreeMap::new();
            let mut quiz_total = 0;
            for (cell, col) in row.cells.iter().zip(columns) {
                if col.item.kind() == ItemKind::Lesson {
                    continue;
                }
                let best_percent = cell.best_percent;
                quiz_total += best_percent.unwrap_or(0);
                items.insert(
                    col.item.key(),
                    ExportItem {
                        state: cell.state,
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
        exported_at: utc_minutes(Millis::now()),
        exercises,
        quizzes,
        learners,
    })
}

async fn export_json(
    State(state): State<AppState>,
    Path(id): Path<ClassroomId>,
    Staff(viewer): Staff,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
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
    Path(id): Path<ClassroomId>,
    Staff(viewer): Staff,
) -> Result<Response, Error> {
    let room = classroom_for(&state, &viewer, id).await?;
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
    csv.write_record(&header).context("writing the export's header")?;
    for row in &data.learners {
        let mut record = vec![spreadsheet_safe(&row.email)];
        for key in &data.exercises {
            let passed = row.items.get(key).is_some_and(|i| i.state == CellState::Passed);
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
        csv.write_record(&record).context("writing a learner's export")?;
    }
    let body = csv.into_inner().context("finishing the export")?;
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
    Path((id, learner)): Path<(ClassroomId, UserId)>,
    headers: HeaderMap,
    Staff(viewer): Staff,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, Error> {
    if !crate::security::origin_is_host(&headers) {
        return Ok((
            StatusCode::FORBIDDEN,
            "cross-site WebSocket refused: open the classroom from a Berth page on this server\n",
        )
            .into_response());
    }
    let room = classroom_for(&state, &viewer, id).await?;
    let email = member_of(&state, &room, learner).await?.email;
    let lab = state
        .labs
        .running_lab_of(learner)
        .await
        .map_err(|e| Error::Unavailable(e.into_user_message()))?
        .ok_or(Error::NotFound("this learner has no running lab"))?;
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    // A lab of several nodes is watched on node1.
    let labs = state.labs.clone();
    let stopping = state.stopping.clone();
    Ok(upgrade.max_message_size(4096).on_upgrade(move |socket| async move {
        let started = std::time::Instant::now();
        let watching = ("started watching", Some(learner));
        if let Err(e) = audit(&state, &viewer, &room, watching, &format!("lab {lab}")).await {
            tracing::error!(error = %e, "could not record the start of a watch; refusing it");
            return;
        }
        tracing::info!(classroom = %room.id, learner = %email, watcher = %viewer.me.email, "watching a terminal");
        crate::lab::terminal::watch_terminal(socket, labs, (lab, 1), viewer.me.email.clone(), stopping).await;
        let seconds = started.elapsed().as_secs();
        let stopped = ("stopped watching", Some(learner));
        if let Err(e) = audit(&state, &viewer, &room, stopped, &format!("after {seconds} s")).await {
            tracing::error!(error = %e, "could not record the end of a watch");
        }
    }))
}
