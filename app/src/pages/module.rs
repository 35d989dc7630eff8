use leptos::prelude::*;
use leptos_meta::Title;

use super::{Breadcrumbs, course_crumb, duration, load_error, loaded_page, or_not_found, param};
use crate::course::{ModuleView, get_module, quiz_href};
use crate::model::ModuleId;

/// One module: what it teaches and its lessons.
#[component]
pub fn ModulePage() -> impl IntoView {
    let data = Resource::new(param::<ModuleId>("module"), get_module);
    let show = or_not_found(|module| view! { <ModuleDetails module /> });
    loaded_page(data, show, load_error)
}

#[component]
fn ModuleDetails(module: ModuleView) -> impl IntoView {
    let first = module.lessons.first().map(|l| l.href());
    let quiz = module.quiz.clone().map(|q| (quiz_href(module.id.as_str()), q));
    view! {
        <Title text=module.title.clone() />
        <Breadcrumbs links=vec![course_crumb()] current=format!("Module {}", module.number) />
        <section class="module-intro">
            <p class="eyebrow">
                {format!("Module {} · {}", module.number, duration(module.duration_minutes))}
            </p>
            <h1>{module.title}</h1>
            <p class="lead">{module.summary}</p>
            <Show when={
                let empty = module.objectives.is_empty();
                move || !empty
            }>
                <h2>"You will be able to"</h2>
            </Show>
            <ul class="objectives">
                {module.objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}
            </ul>
            {first.map(|href| view! { <a class="button" href=href>"Start the module"</a> })}
        </section>
        <section class="lesson-list">
            <h2>"Lessons"</h2>
            <ol>
                {module
                    .lessons
                    .into_iter()
                    .map(|l| {
                        let href = l.href();
                        view! {
                            <li>
                                <a href=href>{l.title}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
        {quiz.map(|(href, q)| {
            view! {
                <section class="module-quiz">
                    <h2>"Check your understanding"</h2>
                    <p>
                        <a href=href>{q.title}</a>
                        {format!(" · {} questions", q.questions)}
                    </p>
                </section>
            }
        })}
    }
}
