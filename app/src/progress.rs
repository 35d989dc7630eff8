//! Learners' progress: lessons marked complete, the dashboard, and "continue
//! where you left off". Everything keys on content ids.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::account::Personal;
use crate::course::{Course, LessonLink, module_href, quiz_href};
use crate::error::AppError;
use crate::model::{LessonId, ModuleId};
use crate::quiz::QuizResult;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub course_title: String,
    pub done: usize,
    pub total: usize,
    pub modules: Vec<ModuleProgress>,
    /// Where to pick up: the last lesson opened, or the one after it if that
    /// one is complete.
    pub continue_at: Option<LessonLink>,
}

/// A lesson the learner opened, and whether they completed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonTouched {
    pub lesson: LessonId,
    pub completed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleProgress {
    pub id: ModuleId,
    pub title: String,
    pub done: usize,
    pub total: usize,
    pub quiz: Option<QuizProgress>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizProgress {
    pub title: String,
    /// `None` until the learner first submits it.
    pub best_percent: Option<u32>,
    pub passed: bool,
}

pub fn percent(done: usize, total: usize) -> usize {
    (done * 100).checked_div(total).unwrap_or(0)
}

impl Course {
    /// The dashboard for a learner who touched `touched` lessons, most
    /// recent first, and tried `quizzes`. Lessons no longer in the course
    /// are ignored; lessons moved elsewhere still count.
    pub fn dashboard(&self, touched: &[LessonTouched], quizzes: &[QuizResult]) -> Dashboard {
        let completed: HashMap<&LessonId, bool> = touched.iter().map(|t| (&t.lesson, t.completed)).collect();
        let is_done = |id: &LessonId| completed.get(id).copied().unwrap_or(false);
        let modules: Vec<ModuleProgress> = self
            .modules
            .iter()
            .map(|m| ModuleProgress {
                id: m.id.clone(),
                title: m.title.clone(),
                done: m.lessons.iter().filter(|l| is_done(&l.id)).count(),
                total: m.lessons.len(),
                quiz: m.quiz.as_ref().map(|q| {
                    let result = quizzes.iter().find(|r| r.quiz == q.id);
                    QuizProgress {
                        title: q.title.clone(),
                        best_percent: result.map(|r| r.best_percent),
                        passed: result.is_some_and(|r| r.passed),
                    }
                }),
            })
            .collect();
        let order: Vec<LessonLink> = self
            .modules
            .iter()
            .flat_map(|m| {
                m.lessons.iter().map(|l| LessonLink {
                    module: m.id.clone(),
                    id: l.id.clone(),
                    title: l.title.clone(),
                })
            })
            .collect();
        let last = touched.iter().find_map(|t| order.iter().position(|l| l.id == t.lesson));
        let continue_at = match last {
            None => order.first().cloned(),
            Some(i) if !is_done(&order[i].id) => Some(order[i].clone()),
            Some(i) => order[i + 1..]
                .iter()
                .chain(order[..i].iter())
                .find(|l| !is_done(&l.id))
                .cloned(),
        };
        Dashboard {
            course_title: self.title.clone(),
            done: modules.iter().map(|m| m.done).sum(),
            total: order.len(),
            modules,
            continue_at,
        }
    }
}

#[server(endpoint = "dashboard", input = GetUrl)]
pub async fn get_dashboard() -> Result<Option<Dashboard>, AppError> {
    let Some(user) = crate::account::signed_in() else {
        return Ok(None);
    };
    let records = crate::records::records()?;
    let touched = records.lessons_touched(user.id).await?;
    let quizzes = records.quiz_results(user.id).await?;
    Ok(Some(crate::course::current()?.dashboard(&touched, &quizzes)))
}

/// Records that the learner opened the lesson; answers whether it is
/// complete (`None` for visitors who are not signed in).
#[server(endpoint = "lesson/open")]
pub async fn open_lesson(module: ModuleId, lesson: LessonId) -> Result<Option<bool>, AppError> {
    let Some(user) = crate::account::signed_in() else {
        return Ok(None);
    };
    existing_lesson(&module, &lesson)?;
    let records = crate::records::records()?;
    records.record_lesson(user.id, &module, &lesson, false).await?;
    let touched = records.lessons_touched(user.id).await?;
    Ok(Some(touched.iter().any(|t| t.completed && t.lesson == lesson)))
}

#[server(endpoint = "lesson/complete")]
pub async fn complete_lesson(module: ModuleId, lesson: LessonId) -> Result<(), AppError> {
    let user = crate::account::require_user()?;
    existing_lesson(&module, &lesson)?;
    crate::records::records()?
        .record_lesson(user, &module, &lesson, true)
        .await
}

#[cfg(feature = "ssr")]
fn existing_lesson(module: &ModuleId, lesson: &LessonId) -> Result<(), AppError> {
    match crate::course::current()?.lesson_view(module.as_str(), lesson.as_str()) {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound.answer()),
    }
}

/// Under a lesson: mark it complete, or see that it is. `completed` says
/// whether the learner has; the page reloads it after `complete`.
#[component]
pub fn LessonStatus<F, Fut>(
    module: ModuleId,
    lesson: LessonId,
    complete: ServerAction<CompleteLesson>,
    completed: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Personal<bool>, AppError>> + Send + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="lesson-status pending"></p> }>
            {move || {
                let (module, lesson, completed) = (module.clone(), lesson.clone(), completed.clone());
                Suspend::new(async move {
                    match completed().await {
                        Ok(Personal::SignedIn(true)) => view! { <p class="lesson-status done">"✓ Lesson completed"</p> }.into_any(),
                        Ok(Personal::SignedIn(false)) => view! {
                            <ActionForm action=complete attr:class="lesson-status">
                                <input type="hidden" name="module" value=module.to_string() />
                                <input type="hidden" name="lesson" value=lesson.to_string() />
                                <button type="submit" class="button">"Mark as complete"</button>
                            </ActionForm>
                        }
                        .into_any(),
                        Ok(Personal::Anonymous) => view! {
                            <p class="lesson-status meta">
                                <a href="/login">"Log in"</a>
                                " to keep track of the lessons you finish."
                            </p>
                        }
                        .into_any(),
                        Ok(Personal::Deferred) => view! { <p class="lesson-status pending"></p> }.into_any(),
                        Err(_) => view! {
                            <p class="lesson-status meta" role="alert">"Your progress could not be loaded."</p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Title text="Your progress" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(Some(d)) => view! { <DashboardView d /> }.into_any(),
                    Ok(None) => view! {
                        <section class="not-found">
                            <h1>"Your progress"</h1>
                            <p>"Log in to see the lessons you have finished and pick up where you left off."</p>
                            <p><a class="button" href="/login?next=/dashboard">"Log in"</a></p>
                        </section>
                    }
                    .into_any(),
                    Err(_) => view! {
                        <section class="not-found" role="alert">
                            <h1>"Your progress could not be loaded"</h1>
                            <p>"Reload the page to try again."</p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let overall = percent(d.done, d.total);
    view! {
        <section class="dashboard">
            <p class="eyebrow">"Your progress"</p>
            <h1>{d.course_title}</h1>
            <p class="meta">{format!("{} of {} lessons completed", d.done, d.total)}</p>
            <Bar percent=overall label="Course" />
            {d.continue_at.map(|l| {
                let href = l.href();
                view! {
                    <p>
                        <a class="button continue" href=href>{format!("Continue: {}", l.title)}</a>
                    </p>
                }
            })}
            <ol class="module-progress">
                {d.modules
                    .into_iter()
                    .map(|m| {
                        let p = percent(m.done, m.total);
                        view! {
                            <li>
                                <a href=module_href(&m.id)>{m.title.clone()}</a>
                                <span class="meta">{format!("{}/{} · {}%", m.done, m.total, p)}</span>
                                <Bar percent=p label=m.title />
                                {m.quiz.map(|q| {
                                    let status = match (q.best_percent, q.passed) {
                                        (None, _) => "not taken yet".to_string(),
                                        (Some(b), true) => format!("passed, best {b}%"),
                                        (Some(b), false) => format!("not passed yet, best {b}%"),
                                    };
                                    view! {
                                        <p class="quiz-status meta" data-passed=q.passed.to_string()>
                                            <a href=quiz_href(&m.id)>{q.title}</a>
                                            {format!(": {status}")}
                                        </p>
                                    }
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Bar(percent: usize, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <div
            class="bar"
            role="progressbar"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent.to_string()
        >
            <span style=format!("width: {percent}%")></span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::LessonTouched;
    use crate::course::{Course, Lesson, Module};
    use crate::model::LessonId;

    fn course() -> Course {
        let lesson = |id: &str| Lesson {
            id: id.into(),
            title: id.into(),
            html: String::new(),
            toc: vec![],
            exercises: vec![],
        };
        let module = |id: &str, ls: &[&str]| Module {
            id: id.into(),
            title: id.into(),
            summary: String::new(),
            objectives: vec![],
            duration_minutes: 1,
            lessons: ls.iter().map(|l| lesson(l)).collect(),
            quiz: None,
        };
        Course {
            title: "T".into(),
            description: String::new(),
            modules: vec![module("a", &["a1", "a2"]), module("b", &["b1", "b2"])],
        }
    }

    fn touched(items: &[(&str, bool)]) -> Vec<LessonTouched> {
        items
            .iter()
            .map(|(id, done)| LessonTouched {
                lesson: LessonId::new(*id),
                completed: *done,
            })
            .collect()
    }

    #[test]
    fn a_new_learner_starts_at_the_beginning() {
        let d = course().dashboard(&[], &[]);
        assert_eq!((d.done, d.total), (0, 4));
        assert_eq!(d.continue_at.unwrap().id, "a1");
    }

    #[test]
    fn progress_counts_per_module_and_continues_after_the_last_lesson() {
        let d = course().dashboard(&touched(&[("a2", true), ("a1", true)]), &[]);
        assert_eq!(d.done, 2);
        assert_eq!((d.modules[0].done, d.modules[1].done), (2, 0));
        assert_eq!(d.continue_at.unwrap().id, "b1");
        // An unfinished lesson is where to continue.
        let d = course().dashboard(&touched(&[("b2", false), ("a1", true)]), &[]);
        assert_eq!(d.continue_at.unwrap().id, "b2");
        // Skipped lessons come back round once the end is reached.
        let d = course().dashboard(&touched(&[("b2", true), ("a1", true)]), &[]);
        assert_eq!(d.continue_at.unwrap().id, "a2");
        // Lessons that left the course do not count.
        let d = course().dashboard(&touched(&[("gone", true)]), &[]);
        assert_eq!(d.done, 0);
        assert_eq!(super::percent(1, 3), 33);
    }

    #[test]
    fn quizzes_show_their_best_score() {
        let mut c = course();
        c.modules[0].quiz = Some(crate::course::QuizRef {
            id: "qa".into(),
            title: "Quiz A".into(),
            questions: 3,
        });
        let untried = c.dashboard(&[], &[]);
        let q = untried.modules[0].quiz.as_ref().unwrap();
        assert_eq!((q.best_percent, q.passed), (None, false));
        assert!(untried.modules[1].quiz.is_none());
        let result = crate::quiz::QuizResult {
            quiz: "qa".into(),
            best_percent: 67,
            passed: false,
        };
        let tried = c.dashboard(&[], &[result]);
        assert_eq!(tried.modules[0].quiz.as_ref().unwrap().best_percent, Some(67));
        assert_eq!(super::percent(0, 0), 0);
    }
}
