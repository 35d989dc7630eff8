use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{Breadcrumbs, course_crumb, load_error, loaded_page, or_not_found, param};
use crate::account::{HeaderAccount, Me, Personal};
use crate::course::{LessonLink, LessonView, get_lesson, module_href};
use crate::error::AppError;
use crate::lab::{LabActions, LabPanel, LabView, TerminalAt};
use crate::model::{LessonId, ModuleId};
use crate::progress::{CompleteLesson, LessonStatus};

/// A lesson: its text, a table of contents and the way on.
///
/// The page is the same document for every signed-in learner (the server
/// keeps one copy per theme, [`crate::SharedPage`]); the learner's parts
/// (header, progress, lab) come from one call, [`get_lesson_learner`],
/// made once the page is hydrated and again after each of the learner's
/// actions.
#[component]
pub fn LessonPage() -> impl IntoView {
    let (module, lesson) = (param::<ModuleId>("module"), param::<LessonId>("lesson"));
    let key = move || (module(), lesson());
    let data = Resource::new(key, |(module, lesson)| async move {
        get_lesson(module, lesson).await.map(|found| found.map(Shown))
    });
    // Outside the page's `Suspense`, which server rendering walks more than
    // once: resources created there would load each time.
    let (actions, complete) = (LabActions::new(), ServerAction::<CompleteLesson>::new());
    let learner = Resource::new(
        move || (key(), actions.version(), complete.version().get()),
        |((module, lesson), ..)| async move {
            if crate::is_shared_page() {
                return Ok(Personal::Deferred);
            }
            get_lesson_learner(module, lesson).await.map(Personal::from)
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(learner_now)) = learner.get() {
            match learner_now {
                Personal::Deferred => learner.refetch(),
                Personal::Anonymous => show_in_header(None),
                Personal::SignedIn(l) => show_in_header(Some(l.me)),
            }
        }
    });
    // Read here, outside the page's `Suspense`: a resource read inside one
    // while it reloads would have it show its fallback and then render the
    // lesson anew, from data sent for hydration without its HTML.
    let terminal = Memo::new(move |_| match learner.get()? {
        Ok(Personal::SignedIn(l)) => l.lab.terminal_at(),
        _ => None,
    });
    let parts = LearnerParts {
        learner,
        actions,
        complete,
        terminal,
    };
    let show = or_not_found(move |Shown(lesson)| view! { <LessonDetails lesson parts /> });
    loaded_page(data, show, load_error)
}

/// Tells a header that waits for it who is signed in.
fn show_in_header(me: Option<Me>) {
    if let Some(header) = use_context::<HeaderAccount>() {
        header.0.set(Some(me));
    }
}

/// What a lesson page shows of the signed-in learner viewing it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonLearner {
    pub me: Me,
    pub completed: bool,
    pub lab: LabView,
}

/// The learner's parts of a lesson page in one call; records that they
/// opened the lesson. `None` for visitors who are not signed in.
#[server(endpoint = "lesson/learner")]
pub async fn get_lesson_learner(module: ModuleId, lesson: LessonId) -> Result<Option<LessonLearner>, AppError> {
    let Some(user) = crate::account::signed_in() else {
        return Ok(None);
    };
    let completed = crate::progress::open_lesson(module.clone(), lesson.clone()).await?;
    let lab = crate::lab::get_lab(module, lesson).await?;
    Ok(completed.zip(lab).map(|(completed, lab)| LessonLearner {
        me: user.me,
        completed,
        lab,
    }))
}

#[derive(Clone, Copy)]
struct LearnerParts {
    learner: Resource<Result<Personal<LessonLearner>, AppError>>,
    actions: LabActions,
    complete: ServerAction<CompleteLesson>,
    terminal: Memo<Option<TerminalAt>>,
}

/// A lesson as the page's resource holds it. Its HTML is in the page
/// already and hydration leaves an element's inner HTML alone, so what is
/// sent for hydration goes without it: it was half of every lesson page.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(transparent)]
struct Shown(LessonView);

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LessonView {
            html: String::new(),
            ..self.0.clone()
        }
        .serialize(serializer)
    }
}

#[component]
fn LessonDetails(lesson: LessonView, parts: LearnerParts) -> impl IntoView {
    let LearnerParts {
        learner,
        actions,
        complete,
        terminal,
    } = parts;
    // Copy buttons and diagrams are added in the browser once the body is in
    // the page, and again after each client-side navigation.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::enhance::lesson_body_soon();
    });
    let lab = move || async move { learner.await.map(|l| l.map(|l| l.lab)) };
    let completed = move || async move { learner.await.map(|l| l.map(|l| l.completed)) };
    let module = module_href(lesson.module_id.as_str());
    let module_label = format!("Module {}: {}", lesson.module_number, lesson.module_title);
    let has_toc = !lesson.toc.is_empty();
    view! {
        <Title text=lesson.title.clone() />
        <div class="lesson-layout" class:with-lab=!lesson.exercises.is_empty()>
            <Breadcrumbs links=vec![course_crumb(), (module, module_label)] current=lesson.title.clone() />
            <Show when=move || has_toc>
                <aside class="toc">
                    <details open>
                        <summary>"On this page"</summary>
                        <ol>
                            {lesson
                                .toc
                                .clone()
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <li class=format!("toc-h{}", e.level)>
                                            <a href=format!("#{}", e.id)>{e.title}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    </details>
                </aside>
            </Show>
            {(!lesson.exercises.is_empty()).then(|| {
                view! { <LabPanel actions lab terminal /> }
            })}
            <article class="lesson">
                <h1>{lesson.title}</h1>
                <div
                    class="prose"
                    inner_html=lesson.html
                    on:click=move |_ev| {
                        #[cfg(feature = "hydrate")]
                        crate::enhance::on_prose_click(&_ev);
                    }
                ></div>
                <LessonStatus module=lesson.module_id.clone() lesson=lesson.id.clone() complete completed />
                <nav class="pager" aria-label="Lessons">
                    <PagerLink link=lesson.prev rel="prev" label="Previous" />
                    <PagerLink link=lesson.next rel="next" label="Next" />
                </nav>
            </article>
        </div>
    }
}

#[component]
fn PagerLink(link: Option<LessonLink>, rel: &'static str, label: &'static str) -> impl IntoView {
    link.map(|l| {
        let href = l.href();
        view! {
            <a class=format!("pager-{rel}") rel=rel href=href>
                <span class="pager-label">{label}</span>
                <span class="pager-title">{l.title}</span>
            </a>
        }
    })
}
