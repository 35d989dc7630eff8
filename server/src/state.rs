//! What every request handler can reach.

use axum::extract::FromRef;
use berth_app::course::Course;
use berth_app::quiz::QuizBook;
use leptos::config::LeptosOptions;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::events::Events;
use crate::lab::Labs;
use crate::quiz::Quiz;
use berth_app::model::ModuleId;

use crate::auth::session::Sessions;
use crate::auth::{LoginThrottle, PasswordHasher, SignupMode};
use crate::page_cache::PageCache;
use crate::site::Site;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub course: Arc<Course>,
    /// Answer keys by module; graded here, never sent to browsers.
    pub quizzes: Arc<BTreeMap<ModuleId, Quiz>>,
    /// How each gradable module's score is made (`module.toml`'s `[grade]`).
    pub grading: Arc<BTreeMap<ModuleId, crate::content::ModuleGrading>>,
    /// The same quizzes without keys or explanations, for the pages.
    pub quiz_book: QuizBook,
    pub labs: Arc<Labs>,
    pub classrooms: Arc<crate::classroom::Classrooms>,
    pub store: Store,
    /// Committed changes, for live views.
    pub events: Events,
    pub site: Arc<Site>,
    /// Rendered pages for visitors without a session.
    pub pages: Arc<PageCache>,
    pub leptos: LeptosOptions,
    pub hasher: PasswordHasher,
    pub throttle: Arc<LoginThrottle>,
    pub signup: SignupMode,
    /// Server-side sessions, in the same database.
    pub sessions: Sessions,
    pub session_idle_minutes: u32,
    pub secure_cookies: bool,
    /// Set while `berth serve --watch` runs.
    pub live: Option<Arc<crate::watch::Live>>,
    /// Cancelled when this server stops, so long-lived streams (live grid,
    /// terminals) end and a graceful shutdown does not wait on them.
    pub stopping: tokio_util::sync::CancellationToken,
    /// LTI launches: platforms' key sets, Berth's public address.
    pub lti: Arc<crate::lti::Lti>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
