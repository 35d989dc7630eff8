use leptos::prelude::*;
use leptos_meta::Title;

use super::{Breadcrumbs, course_crumb, load_error, loaded_page, or_not_found, param};
use crate::course::{LessonLink, LessonView, get_lesson, module_href};
use crate::lab::{LabPanel, LabPanelData};
use crate::model::{LessonId, ModuleId};
use crate::progress::{LessonStatus, LessonStatusData};

/// A lesson: its text, a table of contents and the way on.
#[component]
pub fn LessonPage() -> impl IntoView {
    let (module, lesson) = (param::<ModuleId>("module"), param::<LessonId>("lesson"));
    let key = move || (module(), lesson());
    let data = Resource::new(key, |(module, lesson)| get_lesson(module, lesson));
    // The learner's parts load beside the lesson, not inside its
    // `Suspense` (see `LabPanelData`).
    let (lab, status) = (LabPanelData::new(key), LessonStatusData::new(key));
    let show = or_not_found(move |lesson| view! { <LessonDetails lesson lab status /> });
    loaded_page(data, show, load_error)
}

#[component]
fn LessonDetails(lesson: LessonView, lab: LabPanelData, status: LessonStatusData) -> impl IntoView {
    // Copy buttons and diagrams are added in the browser once the body is in
    // the page, and again after each client-side navigation.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::enhance::lesson_body_soon();
    });
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
                view! { <LabPanel data=lab /> }
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
                <LessonStatus module=lesson.module_id.clone() lesson=lesson.id.clone() data=status />
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
