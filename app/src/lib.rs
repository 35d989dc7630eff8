//! Berth's pages: rendered on the server (feature `ssr`) and hydrated in the
//! browser (feature `hydrate`). Never enable both in one build.

pub mod account;
pub mod assets;
pub mod classroom;
pub mod course;
#[cfg(feature = "hydrate")]
mod enhance;
pub mod error;
pub mod lab;
mod layout;
mod pages;
pub mod platforms;
pub mod progress;
pub mod quiz;
#[cfg(feature = "ssr")]
pub mod records;

pub use berth_model as model;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// Provided by the server under `berth serve --watch`: pages then follow
/// edits to the course (see `assets/live.js`).
#[derive(Clone, Copy, Debug)]
pub struct LiveReload;

/// Put into a request's extensions by the server when it renders a lesson
/// once for every signed-in learner: the page then leaves out whatever is
/// the learner's (who is signed in, progress, the lab), which its own call
/// loads once the page is hydrated.
#[derive(Clone, Copy, Debug)]
pub struct SharedPage;

/// Whether this render is of a [`SharedPage`]; never in the browser.
pub fn is_shared_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| parts.extensions.get::<SharedPage>().is_some())
    }
    #[cfg(not(feature = "ssr"))]
    false
}

/// The HTML document around the app, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let assets = use_context::<assets::Assets>().unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=layout::requested_theme()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" href=assets.url("/assets/berth.css") />
                <link rel="icon" href=assets.url("/assets/favicon.svg") type="image/svg+xml" />
                <script type="module" src=assets.url("/assets/terminal.js")></script>
                {use_context::<LiveReload>()
                    .map(|_| view! { <script type="module" src=assets.url("/assets/live.js")></script> })}
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(account::HeaderAccount(RwSignal::new(None)));
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Berth".to_string() } else { format!("{page} · Berth") }
        } />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <layout::Header />
            <main id="main">
                <Routes fallback=|| view! { <pages::NotFound /> }>
                    <Route path=path!("/") view=pages::CatalogPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=account::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view=progress::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=account::SignupPage ssr=SsrMode::Async />
                    <Route path=path!("/classrooms") view=pages::ClassroomsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/platforms") view=pages::PlatformsPage ssr=SsrMode::Async />
                    <Route path=path!("/classrooms/:id/watch/:learner") view=pages::WatchPage ssr=SsrMode::Async />
                    <Route path=path!("/classrooms/:id") view=pages::ClassroomPage ssr=SsrMode::Async />
                    <Route path=path!("/join/:code") view=pages::JoinPage ssr=SsrMode::Async />
                    <Route path=path!("/modules/:module") view=pages::ModulePage ssr=SsrMode::Async />
                    <Route path=path!("/modules/:module/quiz") view=pages::QuizPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/modules/:module/quiz/:attempt")
                        view=pages::AttemptPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/modules/:module/:lesson")
                        view=pages::LessonPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <layout::Footer />
        </Router>
    }
}
