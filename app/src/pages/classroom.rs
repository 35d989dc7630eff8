//! Instructors' classroom pages (list, live grid, read-only terminal) and
//! the learners' join page. Forms post to the server's `/classrooms/*` and
//! `/join/*` handlers, so everything works before hydration; the hydrated
//! grid then follows the class live through the server's event stream.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{Breadcrumbs, LoadError, NotFound, load_error, loaded_page, loading, or_not_found, param};
use crate::classroom::{
    ClassroomSummary, ClassroomView, Column, ExerciseInsight, ItemKind, JoinInfo, JoinStatus, LabModule, LearnerRow,
    QuizInsight, WarmupLine, WatchView, get_classroom, get_classrooms, get_join, get_watch,
};
use crate::error::{AppError, FormAlert};
use crate::model::{ClassroomId, ScoreSync, StaffLabAction, UserId};

/// What a classroom page shows for an error: a way in for visitors, a
/// plain refusal for learners, and the generic failure otherwise.
fn classroom_error(error: AppError) -> AnyView {
    match error {
        AppError::Unauthorized => view! {
            <section class="not-found">
                <h1>"Log in to see your classrooms"</h1>
                <p><a class="button" href="/login?next=/classrooms">"Log in"</a></p>
            </section>
        }
        .into_any(),
        AppError::Forbidden => view! {
            <section class="not-found" role="alert">
                <h1>"Classrooms are for instructors"</h1>
                <p>"Your account is a learner's. If you teach a class here, ask an admin to make you an instructor."</p>
            </section>
        }
        .into_any(),
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        error => view! { <LoadError error /> }.into_any(),
    }
}

#[component]
pub fn ClassroomsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| get_classrooms());
    view! {
        <Title text="Classrooms" />
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <ClassroomList list /> }.into_any(),
                    Err(error) => classroom_error(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClassroomList(list: Vec<ClassroomSummary>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|c| {
            let dates = match (&c.starts_on, &c.ends_on) {
                (Some(s), Some(e)) => format!("{s} to {e}"),
                (Some(s), None) => format!("from {s}"),
                (None, Some(e)) => format!("until {e}"),
                (None, None) => String::new(),
            };
            view! {
                <li>
                    <a href=format!("/classrooms/{}", c.id)>{c.name}</a>
                    <span class="meta">{format!(" · {} learner(s) · {} ", c.members, c.owner_email)}{dates}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="classrooms">
            <h1>"Classrooms"</h1>
            <ul class="classroom-list">{rows}</ul>
            <h2>"New classroom"</h2>
            <FormAlert />
            <form class="classroom-form" method="post" action="/classrooms">
                <label>"Name" <input type="text" name="name" maxlength="100" required /></label>
                <label>"Starts on " <span class="meta">"(optional)"</span> <input type="date" name="starts_on" /></label>
                <label>"Ends on " <span class="meta">"(optional)"</span> <input type="date" name="ends_on" /></label>
                <label>"Learners who may join" <input type="number" name="join_limit" value="100" min="1" max="10000" /></label>
                <label>"Join code valid for (days)" <input type="number" name="code_days" value="14" min="1" max="365" /></label>
                <button type="submit" class="button">"Create classroom"</button>
            </form>
        </section>
    }
}

#[component]
pub fn ClassroomPage() -> impl IntoView {
    let data = Resource::new(param::<ClassroomId>("id"), get_classroom);
    let show = or_not_found(|c| view! { <ClassroomDetails c /> });
    loaded_page(data, show, classroom_error)
}

#[component]
fn ClassroomDetails(c: ClassroomView) -> impl IntoView {
    let id = c.summary.id;
    let join_path = format!("/join/{}", c.join_code);
    let code_state = if c.code_expired {
        format!("expired {}", c.code_expires)
    } else {
        format!("valid until {}", c.code_expires)
    };
    let stuck: Vec<_> = c
        .learners
        .iter()
        .flat_map(|l| l.stuck.iter().map(move |s| format!("{}: {s}", l.email)))
        .collect();
    let needs_help = (!stuck.is_empty()).then(|| {
        view! {
            <section class="needs-help" aria-label="Needs help">
                <h2>"Needs help"</h2>
                <ul>{stuck.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
            </section>
        }
        .into_any()
    });
    let grades = view! { <GradeSyncs learners=c.learners.clone() /> }.into_any();
    let grid = view! { <Grid id columns=c.columns.clone() learners=c.learners.clone() /> }.into_any();
    let roster = view! { <Roster id learners=c.learners.clone() source=c.roster_source.clone() /> }.into_any();
    let exercises = view! { <ExerciseInsights items=c.exercises.clone() /> }.into_any();
    let quizzes = view! { <QuizInsights items=c.quizzes.clone() /> }.into_any();
    let warm =
        view! { <WarmLabs id modules=c.lab_modules.clone() warmups=c.warmups.clone() learners=c.learners.len() zone=c.zone.clone() /> }
            .into_any();
    let audit = c
        .audit
        .iter()
        .map(|a| view! { <li>{format!("{} · {} · {}", a.when, a.who, a.what)}</li> })
        .collect_view()
        .into_any();
    view! {
        <Title text=c.summary.name.clone() />
        <section class="classroom">
            <Breadcrumbs links=vec![classrooms_crumb()] current=c.summary.name.clone() />
            <h1>{c.summary.name.clone()}</h1>
            <FormAlert />
            <div class="join-info">
                "Join link: " <a class="join-link" href=join_path.clone()>{join_path.clone()}</a>
                " · code " <code class="join-code">{c.join_code.clone()}</code>
                {format!(" · {code_state} · {} of {} joins used ", c.joins, c.join_limit)}
                {(!c.code_expired).then(|| view! {
                    <form method="post" action=format!("/classrooms/{id}/close-joining") class="inline">
                        <button type="submit" class="link-button">"Close joining"</button>
                    </form>
                })}
            </div>
            <p class="export">
                "Export progress and grades: "
                <a href=format!("/classrooms/{id}/export.csv") download="">"CSV"</a>
                " · "
                <a href=format!("/classrooms/{id}/export.json")>"JSON"</a>
            </p>
            {needs_help}
            {grades}
            {grid}
            {roster}
            <h2>"Exercises"</h2>
            <p class="meta">
                {format!(
                    "Stuck means the same check failed {} times in a row, or the lab sat idle for {} minutes with exercises unfinished.",
                    c.stuck_failures,
                    c.stuck_idle_minutes,
                )}
            </p>
            {exercises}
            {warm}
            <h2>"Quizzes"</h2>
            {quizzes}
            <h2>"Audit log"</h2>
            <ul class="audit">{audit}</ul>
        </section>
    }
}

/// Labs made ahead for a class about to start, so every learner's Start
/// is instant; shown only when the course has labs.
#[component]
fn WarmLabs(
    id: ClassroomId,
    modules: Vec<LabModule>,
    warmups: Vec<WarmupLine>,
    learners: usize,
    zone: String,
) -> impl IntoView {
    if modules.is_empty() {
        return ().into_any();
    }
    let lines = warmups
        .into_iter()
        .map(|w| view! { <li>{format!("{} labs of “{}” until {}", w.labs, w.module_title, w.until)}</li> })
        .collect_view();
    let options = modules
        .into_iter()
        .map(|m| view! { <option value=m.id.to_string()>{m.title}</option> })
        .collect_view();
    view! {
        <section class="warm-labs" aria-label="Labs ready before class">
            <h2>"Labs ready before class"</h2>
            <p class="meta">
                "Berth makes the labs now, so each learner's Start takes a moment instead of several seconds.                  They count against the server's lab capacity until they are used or the time passes."
            </p>
            <ul class="warmups">{lines}</ul>
            <form method="post" action=format!("/classrooms/{id}/warm") class="warm-form">
                <label>"Module " <select name="module">{options}</select></label>
                <label>" Labs " <input type="number" name="labs" min="1" max="500" value=learners.max(1).to_string() required /></label>
                <label>{format!(" Until ({zone}) ")} <input type="time" name="until" required /></label>
                <button type="submit">"Warm labs"</button>
            </form>
        </section>
    }
    .into_any()
}

/// The progress grid. It renders from a signal of rows; once hydrated, the
/// server's event stream feeds it a learner's whole row each time they make
/// progress (a roster change reloads the page).
#[component]
fn Grid(id: ClassroomId, columns: Vec<Column>, learners: Vec<LearnerRow>) -> impl IntoView {
    let rows = RwSignal::new(learners);
    let state = RwSignal::new("connecting…");
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::enhance::follow_grid(&format!("/classrooms/{id}/events"), rows, state));
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
    let head = columns
        .iter()
        .map(|col| {
            let class = match col.item.kind() {
                ItemKind::Lesson => "col lesson",
                ItemKind::Exercise => "col exercise",
                ItemKind::Quiz => "col quiz",
            };
            view! { <th scope="col" class=class title=format!("{} · {}", col.module_title, col.title)>{col.short.clone()}</th> }
        })
        .collect_view();
    let body = move || {
        rows.with(|rows| {
            rows.iter()
                .map(|l| view! { <GridRow columns=columns.clone() l=l.clone() /> })
                .collect_view()
        })
    };
    view! {
        <h2>"Progress"</h2>
        <p class="meta grid-legend">
            <span class="cell not-started"></span> " not started "
            <span class="cell in-progress"></span> " in progress "
            <span class="cell passed"></span> " passed "
            <span class="cell failing"></span> " failing "
            <span class="cell stuck"></span> " stuck · "
            <span class="live-state" aria-live="polite">{move || state.get()}</span>
        </p>
        <berth-grid data-state=move || state.get()>
            <div class="grid-scroll">
                <table class="progress-grid">
                    <thead>
                        <tr>
                            <th scope="col">"Learner"</th>
                            {head}
                            <th scope="col" title="Lessons done · exercises passed · quizzes passed">"Totals"</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </berth-grid>
    }
}

/// One learner's row: a cell per column, then their totals.
#[component]
fn GridRow(columns: Vec<Column>, l: LearnerRow) -> impl IntoView {
    let cells = l
        .cells
        .into_iter()
        .zip(columns)
        .map(|(cell, col)| {
            let mut title = format!("{}: {}", col.title, cell.state.label());
            if let Some(detail) = &cell.detail {
                title.push_str(" — ");
                title.push_str(detail);
            }
            let class = format!("cell {}{}", cell.state.class(), if cell.stuck { " stuck" } else { "" });
            view! { <td class=class data-key=cell.item.key() tabindex="0" title=title.clone() aria-label=title></td> }
        })
        .collect_view();
    let totals = format!("{} · {} · {}", l.lessons_done, l.exercises_passed, l.quizzes_passed);
    view! {
        <tr data-learner=l.id.to_string()>
            <th scope="row">{l.email}</th>
            {cells}
            <td class="totals">{totals}</td>
        </tr>
    }
}

/// Each learner's scores on their way to the learning platform (LTI):
/// shown only when some learner came from a graded link.
#[component]
fn GradeSyncs(learners: Vec<LearnerRow>) -> impl IntoView {
    let lines: Vec<_> = learners
        .iter()
        .flat_map(|l| l.grades.iter().map(move |g| (l.email.clone(), g.clone())))
        .collect();
    (!lines.is_empty()).then(|| {
        let items = lines
            .into_iter()
            .map(|(email, g)| {
                let when = &g.when;
                let (class, state) = match &g.sync {
                    ScoreSync::Sent { percent, .. } => {
                        ("sent", format!("sent {}% at {when}", (percent * 100.0).round()))
                    }
                    ScoreSync::Pending { .. } => ("pending", format!("pending, sending at {when}")),
                    ScoreSync::Failing { reason, attempts, .. } => (
                        "failing",
                        format!("failing after {attempts} tries ({reason}); next try at {when}"),
                    ),
                    ScoreSync::Refused { reason, .. } => (
                        "refused",
                        format!("refused by the platform at {when} ({reason}); not sent again, later scores are"),
                    ),
                };
                view! { <li class=class>{format!("{email} · {}: {state}", g.module_title)}</li> }
            })
            .collect_view();
        view! {
            <section class="grade-syncs" aria-label="Grades sent to the learning platform">
                <h2>"Grades sent to the learning platform"</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}

#[component]
fn Roster(id: ClassroomId, learners: Vec<LearnerRow>, source: Option<String>) -> impl IntoView {
    let rows = learners
        .into_iter()
        .map(|l| {
            let base = format!("/classrooms/{id}/learners/{}", l.id);
            let labs = l
                .labs
                .into_iter()
                .map(|lab| {
                    let action = format!("{base}/lab");
                    let state = if lab.running {
                        format!(
                            "{}: ends in {} min, idle {} min",
                            lab.module_title,
                            lab.expires_in / 60,
                            lab.idle_for / 60
                        )
                    } else {
                        format!("{}: starting", lab.module_title)
                    };
                    let button = |what: StaffLabAction, label: &'static str| {
                        view! {
                            <form method="post" action=action.clone() class="inline">
                                <input type="hidden" name="module" value=lab.module.to_string() />
                                <input type="hidden" name="action" value=what.as_str() />
                                <button type="submit" class="link-button">{label}</button>
                            </form>
                        }
                    };
                    view! {
                        <li>
                            {state} " " {button(StaffLabAction::Extend, "Extend")} " "
                            {button(StaffLabAction::Reset, "Reset")} " " {button(StaffLabAction::Stop, "Stop")}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{l.email.clone()}</th>
                    <td><ul class="labs">{labs}</ul></td>
                    <td>
                        <a href=format!("/classrooms/{id}/watch/{}", l.id)>"Watch terminal"</a>
                        " · "
                        <form method="post" action=format!("{base}/remove") class="inline">
                            <button type="submit" class="link-button danger">"Remove"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let pull = source.map(|from| {
        view! {
            <PulledRoster />
            <form method="post" action=format!("/classrooms/{id}/roster") class="roster-pull">
                <button type="submit">{format!("Pull the roster from {from}")}</button>
                <span class="meta">" Adds the course's learners, including those who have not opened Berth yet."</span>
            </form>
        }
    });
    view! {
        <h2>"Roster"</h2>
        {pull}
        <Table class="roster" columns=&["Learner", "Labs", "Actions"]>
            {rows}
        </Table>
    }
}

/// What the last roster pull did (`?added=N&already=M`, set by the
/// server's answer to the pull).
#[component]
fn PulledRoster() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query.with(|q| {
            let count = |name: &str| q.get(name).and_then(|n| n.parse::<usize>().ok());
            let (added, already) = (count("added")?, count("already")?);
            let text = format!("Roster pulled: {added} learners added, {already} already here.");
            Some(view! { <p class="form-notice" role="status">{text}</p> })
        })
    }
}

/// The list of classrooms, where a classroom page's trail starts.
fn classrooms_crumb() -> (String, String) {
    ("/classrooms".into(), "Classrooms".into())
}

/// A table of rows under one header row naming its `columns`.
#[component]
fn Table(class: &'static str, columns: &'static [&'static str], children: Children) -> impl IntoView {
    let headers = columns
        .iter()
        .map(|&c| view! { <th scope="col">{c}</th> })
        .collect_view();
    view! {
        <table class=class>
            <thead>
                <tr>{headers}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

#[component]
fn ExerciseInsights(items: Vec<ExerciseInsight>) -> impl IntoView {
    let rows = items
        .into_iter()
        .filter(|e| e.attempted > 0)
        .map(|e| {
            let failing = e
                .failing
                .iter()
                .map(|(text, n)| view! { <li>{format!("{n} learner(s): {text}")}</li> })
                .collect_view();
            let stuck = (!e.stuck.is_empty()).then(|| format!("Stuck: {}", e.stuck.join(", ")));
            view! {
                <tr>
                    <th scope="row">{e.title}<span class="meta">{format!(" · {}", e.module_title)}</span></th>
                    <td>{format!("{} of {}", e.passed, e.attempted)}</td>
                    <td>{e.median_minutes.map(|m| format!("{m} min")).unwrap_or_else(|| "–".into())}</td>
                    <td><ul class="failing">{failing}</ul>{stuck}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table class="insights" columns=&["Exercise", "Passed", "Median time", "Failing assertions"]>
            {rows}
        </Table>
    }
}

#[component]
fn QuizInsights(items: Vec<QuizInsight>) -> impl IntoView {
    items
        .into_iter()
        .filter(|q| q.learners > 0)
        .map(|q| {
            let rows = q
                .questions
                .into_iter()
                .map(|question| {
                    let share = (question.correct * 100).checked_div(question.answered).unwrap_or(0);
                    let wrong = question
                        .top_wrong
                        .map(|(answer, n)| format!("{answer} ({n})"))
                        .unwrap_or_else(|| "–".into());
                    view! {
                        <tr>
                            <th scope="row">{question.prompt}</th>
                            <td>{format!("{share}% of {}", question.answered)}</td>
                            <td>{wrong}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h3>{format!("{} ({} learner(s))", q.title, q.learners)}</h3>
                <Table class="insights" columns=&["Question", "Right", "Most chosen wrong answer"]>
                    {rows}
                </Table>
            }
        })
        .collect_view()
}

#[component]
pub fn WatchPage() -> impl IntoView {
    let (id, learner) = (param::<ClassroomId>("id"), param::<UserId>("learner"));
    let data = Resource::new(move || (id(), learner()), |(id, learner)| get_watch(id, learner));
    loaded_page(data, or_not_found(|w| view! { <WatchDetails w /> }), classroom_error)
}

#[component]
fn WatchDetails(w: WatchView) -> impl IntoView {
    let terminal = match w.terminal {
        Some(socket) => view! {
            <p class="meta">"Read-only: you see what the learner sees; your keystrokes are not sent. The learner is told you are watching."</p>
            <berth-terminal data-socket=socket data-readonly=""></berth-terminal>
        }
        .into_any(),
        None => view! { <p class="meta">"This learner has no running lab right now."</p> }.into_any(),
    };
    view! {
        <Title text=format!("Watching {}", w.learner_email) />
        <section class="watch">
            <Breadcrumbs
                links=vec![classrooms_crumb(), (format!("/classrooms/{}", w.classroom), w.classroom_name)]
                current="Terminal"
            />
            <h1>{format!("{}'s terminal", w.learner_email)}</h1>
            {terminal}
        </section>
    }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let info = Resource::new(move || params.with(|p| p.get("code").unwrap_or_default()), get_join);
    view! {
        <Title text="Join a classroom" />
        {loaded_page(info, |info| view! { <JoinDetails info /> }, load_error)}
    }
}

#[component]
fn JoinDetails(info: JoinInfo) -> impl IntoView {
    let name = info.classroom.clone().unwrap_or_default();
    let path = format!("/join/{}", info.code);
    let body = match (info.status, info.signed_in) {
        (JoinStatus::Unknown, _) => view! {
            <h1>"This join code does not exist"</h1>
            <p>"Check the link or code your instructor gave you; it may be mistyped."</p>
        }
        .into_any(),
        (JoinStatus::Expired, _) => view! {
            <h1>{format!("The code for “{name}” has expired")}</h1>
            <p>"Ask your instructor for a new link."</p>
        }
        .into_any(),
        (JoinStatus::UsedUp, _) => view! {
            <h1>{format!("“{name}” is full")}</h1>
            <p>"Every place this code allows is taken. Ask your instructor to raise the limit or for a new link."</p>
        }
        .into_any(),
        (JoinStatus::Member, _) => view! {
            <h1>{format!("You are in “{name}”")}</h1>
            <p>"Your instructor can now follow your progress in this course."</p>
            <p><a class="button" href="/dashboard">"Go to your dashboard"</a></p>
        }
        .into_any(),
        (JoinStatus::Open, true) => view! {
            <h1>{format!("Join “{name}”")}</h1>
            <p>"Joining lets the classroom's instructor see your progress, quiz results and lab, and watch your terminal when you need help."</p>
            <form method="post" action=path.clone()>
                <button type="submit" class="button">"Join the classroom"</button>
            </form>
        }
        .into_any(),
        (JoinStatus::Open, false) => view! {
            <h1>{format!("Join “{name}”")}</h1>
            <p>"Log in, or create an account, to join this classroom."</p>
            <p>
                <a class="button" href=format!("/login?next={path}")>"Log in"</a>
                " "
                <a class="button secondary" href=format!("/signup?join={}", info.code)>"Sign up"</a>
            </p>
        }
        .into_any(),
    };
    view! { <section class="auth-card join">{body}</section> }
}
