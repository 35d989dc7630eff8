//! One component per page.

mod catalog;
mod classroom;
mod lesson;
mod module;
mod platforms;
mod quiz;

pub use catalog::CatalogPage;
pub use classroom::{ClassroomPage, ClassroomsPage, JoinPage, WatchPage};
pub use lesson::LessonPage;
pub use module::ModulePage;
pub use platforms::PlatformsPage;
pub use quiz::{AttemptPage, QuizPage};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::AppError;

/// Shown for unknown addresses, modules and lessons; answers 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="not-found">
            <p class="eyebrow">"404"</p>
            <h1>"This page does not exist"</h1>
            <p>"The address may be mistyped, or the lesson may have moved. The course outline lists every module and lesson."</p>
            <p>
                <a class="button" href="/">"Go to the course outline"</a>
            </p>
        </section>
    }
}

/// The trail above a page: a link to each page it sits in, as (href,
/// label), outermost first, then the page itself.
#[component]
fn Breadcrumbs(links: Vec<(String, String)>, #[prop(into)] current: String) -> impl IntoView {
    let links = links
        .into_iter()
        .map(|(href, label)| view! { <li><a href=href>{label}</a></li> })
        .collect_view();
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                {links}
                <li aria-current="page">{current}</li>
            </ol>
        </nav>
    }
}

/// The course outline, where the trail of a course page starts.
fn course_crumb() -> (String, String) {
    ("/".into(), "Course".into())
}

/// Shown when the server could not answer; the details are in its log.
#[component]
fn LoadError(error: AppError) -> impl IntoView {
    leptos::logging::error!("loading page data failed: {error}");
    view! {
        <section class="not-found" role="alert">
            <h1>"This page could not be loaded"</h1>
            <p>"The server did not answer as expected. Reload the page to try again."</p>
        </section>
    }
}

fn loading() -> impl IntoView {
    view! { <p class="loading" aria-live="polite">"Loading…"</p> }
}

/// A route parameter, parsed into its id type (the default, which names
/// nothing, when it is missing or malformed).
fn param<T: std::str::FromStr + Default>(name: &'static str) -> impl Fn() -> T + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get(name).and_then(|v| v.parse().ok()).unwrap_or_default())
}

/// A page that shows what it loads: loading, then `show` with it, or
/// `error` for a failure.
fn loaded_page<T, V>(
    data: Resource<Result<T, AppError>>,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    error: impl Fn(AppError) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=loading>
            {move || {
                let (show, error) = (show.clone(), error.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => show(value).into_any(),
                        Err(e) => error(e),
                    }
                })
            }}
        </Suspense>
    }
}

/// `show` for a page about one thing that may not exist: a 404 when it
/// does not.
fn or_not_found<T, V: IntoView + 'static>(
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl Fn(Option<T>) -> AnyView + Clone + Send + Sync + 'static {
    move |found| match found {
        Some(value) => show(value).into_any(),
        None => view! { <NotFound /> }.into_any(),
    }
}

/// The failure view most pages show.
fn load_error(error: AppError) -> AnyView {
    view! { <LoadError error /> }.into_any()
}

/// "45 min" or "1 h 30 min".
fn duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_naturally() {
        assert_eq!(super::duration(45), "45 min");
        assert_eq!(super::duration(60), "1 h");
        assert_eq!(super::duration(95), "1 h 35 min");
    }
}
