//! The lab beside a lesson: start, stop, reset and extend the learner's
//! lab, a terminal on it, and the lesson's exercises with their checks,
//! hints and solutions. The server implements [`LabService`]; pages reach
//! it through server functions, which act only for the signed-in learner.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::account::Personal;
use crate::error::AppError;
pub use crate::model::LabAction;
#[cfg(feature = "ssr")]
use crate::model::UserId;
use crate::model::{ExerciseId, LessonId, ModuleId};

/// An exercise as a lesson lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExerciseRef {
    pub id: ExerciseId,
    pub title: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Pass,
    Fail,
    Hint,
}

/// One line of a check's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assertion {
    pub outcome: Outcome,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Assertion {
    pub fn note(outcome: Outcome, message: &str) -> Self {
        Self {
            outcome,
            message: message.to_string(),
            expected: None,
            actual: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub passed: bool,
    pub assertions: Vec<Assertion>,
}

/// What the lab panel shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabView {
    pub module: ModuleId,
    pub lab: Option<RunningLab>,
    pub exercises: Vec<ExerciseState>,
    /// Why the learner's last lab of the module ended, when they should be
    /// told (no lab runs now).
    #[serde(default)]
    pub ended: Option<LabEnd>,
}

/// An end of a lab the learner did not ask for and should hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabEnd {
    /// The machine it ran on stopped answering.
    HostLost,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunningLab {
    /// Seconds until the lab is stopped for good (maximum lifetime).
    pub expires_in: i64,
    /// Seconds of inactivity left before the lab is stopped as idle.
    pub idle_timeout: i64,
    pub can_extend: bool,
    /// The WebSocket path of its terminal (node1's when there are more).
    pub terminal: String,
    /// Containers node1..nodeN, each with a terminal tab; 1 needs no tabs.
    pub nodes: u8,
    pub setup: SetupState,
}

/// A lab made on a click gives its prompt first and runs the exercises'
/// setups (the engine's helpers, images, starting files) behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupState {
    /// Still running: checks wait for it.
    Running,
    Done,
    /// Why the lab cannot be used, for the learner.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExerciseState {
    pub id: ExerciseId,
    pub title: String,
    pub passed: bool,
    /// Re-check every this many seconds while the page is open (0: off).
    pub live_seconds: u32,
    pub hints_shown: Vec<String>,
    pub hints_total: usize,
    pub solution: Option<String>,
    pub last_check: Option<CheckReport>,
}

/// Where a running lab's terminal connects.
#[derive(Clone, Debug, PartialEq)]
pub struct TerminalAt {
    pub socket: String,
    pub nodes: u8,
}

impl LabView {
    pub fn terminal_at(&self) -> Option<TerminalAt> {
        self.lab.as_ref().map(|l| TerminalAt {
            socket: l.terminal.clone(),
            nodes: l.nodes,
        })
    }
}

/// An exercise of a module, as requests name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExerciseOf<'a> {
    pub module: &'a ModuleId,
    pub exercise: &'a ExerciseId,
}

/// The server's side. Errors are logged there and carry a message for the
/// learner as it is: plain, and saying what to do next.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait LabService: Send + Sync + 'static {
    async fn view(&self, user: UserId, module: &ModuleId, lesson: &LessonId) -> Result<LabView, AppError>;
    /// `address`: the client's, which lab starts are limited by too.
    async fn act(
        &self,
        user: UserId,
        address: Option<std::net::IpAddr>,
        module: &ModuleId,
        action: LabAction,
    ) -> Result<(), AppError>;
    async fn check(&self, user: UserId, exercise: ExerciseOf<'_>, live: bool) -> Result<CheckReport, AppError>;
    /// The next hint, or (`solution`) the reference solution.
    async fn reveal(&self, user: UserId, exercise: ExerciseOf<'_>, solution: bool) -> Result<(), AppError>;
}

#[cfg(feature = "ssr")]
pub type SharedLabs = std::sync::Arc<dyn LabService>;

#[cfg(feature = "ssr")]
fn labs() -> Result<SharedLabs, AppError> {
    use_context::<SharedLabs>().ok_or_else(|| crate::course::not_ready("the lab service"))
}

/// `None` for visitors who are not signed in.
#[server(endpoint = "lab", input = GetUrl)]
pub async fn get_lab(module: ModuleId, lesson: LessonId) -> Result<Option<LabView>, AppError> {
    let Some(user) = crate::account::signed_in() else {
        return Ok(None);
    };
    labs()?.view(user.id, &module, &lesson).await.map(Some)
}

#[server(endpoint = "lab/act")]
pub async fn lab_act(module: ModuleId, action: LabAction) -> Result<(), AppError> {
    let user = crate::account::require_user()?;
    let address = use_context::<crate::account::ClientAddress>().map(|a| a.0);
    labs()?
        .act(user, address, &module, action)
        .await
        .map_err(AppError::answer)
}

#[server(endpoint = "lab/check")]
pub async fn check_exercise(module: ModuleId, exercise: ExerciseId, live: bool) -> Result<CheckReport, AppError> {
    let user = crate::account::require_user()?;
    let exercise = ExerciseOf {
        module: &module,
        exercise: &exercise,
    };
    labs()?.check(user, exercise, live).await
}

#[server(endpoint = "lab/reveal")]
pub async fn reveal(module: ModuleId, exercise: ExerciseId, solution: bool) -> Result<(), AppError> {
    let user = crate::account::require_user()?;
    let exercise = ExerciseOf {
        module: &module,
        exercise: &exercise,
    };
    labs()?.reveal(user, exercise, solution).await
}

/// "1 h 05 min" or "12 min" or "40 s".
pub fn remaining(seconds: i64) -> String {
    let s = seconds.max(0);
    match (s / 3600, (s % 3600) / 60) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// The lab panel's actions. The page reloads what the panel shows after
/// each of them ([`LabActions::version`]). Created outside any `Suspense`:
/// server-side rendering walks a `Suspense`'s children more than once.
#[derive(Clone, Copy)]
pub struct LabActions {
    act: ServerAction<LabAct>,
    check: ServerAction<CheckExercise>,
    reveal: ServerAction<Reveal>,
    /// Bumped to ask for the lab again while its setups run.
    poll: RwSignal<usize>,
}

impl LabActions {
    pub fn new() -> Self {
        Self {
            act: ServerAction::new(),
            check: ServerAction::new(),
            reveal: ServerAction::new(),
            poll: RwSignal::new(0),
        }
    }

    /// Changes after each action (tracked).
    pub fn version(&self) -> (usize, usize, usize, usize) {
        (
            self.act.version().get(),
            self.check.version().get(),
            self.reveal.version().get(),
            self.poll.get(),
        )
    }
}

impl Default for LabActions {
    fn default() -> Self {
        Self::new()
    }
}

/// Shown in a lab panel rendered for every signed-in learner to those
/// without JavaScript: the same lesson rendered for them alone (an address
/// with a query is never shared). Inner HTML, which hydration leaves alone.
const LAB_WITHOUT_SCRIPT: &str = r#"<p><a class="button" href="?lab">Open your lab</a></p><p class="meta">Without JavaScript, your lab and exercises load on request.</p>"#;

/// The lab panel of a lesson with exercises. `lab` is the learner's view
/// of it, `terminal` where the running lab's terminal connects as last
/// known. The terminal is made anew only when that changes (start, stop,
/// reset), so checks and hints never cut its connection; it is added once
/// the page is hydrated, since it only works with the browser's script.
#[component]
pub fn LabPanel<F, Fut>(
    actions: LabActions,
    lab: F,
    #[prop(into)] terminal: Signal<Option<TerminalAt>>,
) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Personal<LabView>, AppError>> + Send + 'static,
{
    let LabActions {
        act,
        check,
        reveal,
        poll,
    } = actions;
    let failed = move || {
        [
            act.value().get().and_then(|r| r.err()),
            check.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .map(|e| view! { <p class="lab-error" role="alert">{e.to_string()}</p> })
        .collect_view()
    };
    let pending = || {
        view! {
            <div class="lab-pending">
                <p class="meta">"Loading your lab…"</p>
                <noscript inner_html=LAB_WITHOUT_SCRIPT></noscript>
            </div>
        }
    };
    let controls = {
        let lab = lab.clone();
        move || {
            let lab = lab.clone();
            Suspend::new(async move {
                match lab().await {
                    Ok(Personal::SignedIn(v)) => view! { <LabControls v act /> }.into_any(),
                    Ok(Personal::Anonymous) => view! {
                        <p>
                            <a href="/login">"Log in"</a>
                            " to get your own lab for this lesson's exercises."
                        </p>
                    }
                    .into_any(),
                    Ok(Personal::Deferred) => pending().into_any(),
                    Err(e) => view! { <p class="lab-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })
        }
    };
    let exercises = move || {
        let lab = lab.clone();
        Suspend::new(async move {
            let Ok(Personal::SignedIn(v)) = lab().await else {
                return None;
            };
            let running = v.lab.is_some();
            let module = v.module.clone();
            let setup = v.lab.map(|l| l.setup);
            // Asks again until the setups are done; the terminal is made
            // anew only when the lab itself changes, so it is not touched.
            #[cfg(feature = "hydrate")]
            if setup == Some(SetupState::Running) {
                set_timeout(move || poll.update(|n| *n += 1), std::time::Duration::from_secs(1));
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = poll;
            let setup = match setup {
                Some(SetupState::Running) => Some(
                    view! {
                        <p class="lab-preparing meta" role="status">
                            "Preparing the exercises (the lab's engine, images and files)… "
                            "The terminal works already; a check waits until this is done."
                        </p>
                    }
                    .into_any(),
                ),
                Some(SetupState::Failed(message)) => {
                    Some(view! { <p class="lab-error" role="alert">{message}</p> }.into_any())
                }
                Some(SetupState::Done) | None => None,
            };
            Some(view! {
                {setup}
                <ol class="exercises">
                    {v
                        .exercises
                        .into_iter()
                        .map(|e| view! { <Exercise module=module.clone() e running check reveal /> })
                        .collect_view()}
                </ol>
            })
        })
    };
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let terminals = move || {
        let t = terminal.get().filter(|_| hydrated.get())?;
        Some(view! { <Terminals socket=t.socket nodes=t.nodes /> })
    };
    view! {
        <aside class="lab-panel" aria-label="Lab">
            <h2>"Lab"</h2>
            <Transition fallback=pending>{controls}</Transition>
            {terminals}
            {failed}
            <Transition fallback=|| ()>{exercises}</Transition>
        </aside>
    }
}

#[component]
fn LabControls(v: LabView, act: ServerAction<LabAct>) -> impl IntoView {
    let module = v.module.clone();
    let button = move |action: LabAction, label: &'static str, class: &'static str| {
        let module = module.clone();
        view! {
            <ActionForm action=act attr:class="lab-action">
                <input type="hidden" name="module" value=module.to_string() />
                <input type="hidden" name="action" value=action.as_str() />
                <button type="submit" class=class>{label}</button>
            </ActionForm>
        }
    };
    match &v.lab {
        None => view! {
            {v.ended.map(|LabEnd::HostLost| view! {
                <p class="lab-error" role="alert">
                    "Your lab was lost: the machine it ran on stopped answering. Start a new one to carry on."
                </p>
            })}
            <p class="meta">"Your lab is a fresh Linux machine of your own. It stops when you leave it idle."</p>
            <div class="lab-controls">{button(LabAction::Start, "Start the lab", "button")}</div>
        }
        .into_any(),
        Some(lab) => {
            let extend = lab
                .can_extend
                .then(|| button(LabAction::Extend, "More time", "link-button"));
            view! {
                <p class="lab-time meta" data-expires-in=lab.expires_in.to_string()>
                    {format!(
                        "Running · {} left · stops after {} without activity",
                        remaining(lab.expires_in),
                        remaining(lab.idle_timeout),
                    )}
                </p>
                <div class="lab-controls">
                    {button(LabAction::Reset, "Reset", "link-button")}
                    {button(LabAction::Stop, "Stop", "link-button")}
                    {extend}
                </div>
            }
            .into_any()
        }
    }
}

/// One terminal, or a tab per node. Every node's terminal stays connected
/// while another is shown, so switching keeps each shell as it was.
#[component]
fn Terminals(socket: String, nodes: u8) -> impl IntoView {
    if nodes <= 1 {
        return view! { <berth-terminal data-socket=socket></berth-terminal> }.into_any();
    }
    let (shown, show) = signal(1u8);
    let tabs = (1..=nodes)
        .map(|n| {
            view! {
                <button
                    type="button"
                    role="tab"
                    id=format!("node{n}-tab")
                    aria-controls=format!("node{n}-terminal")
                    aria-selected=move || (shown.get() == n).to_string()
                    on:click=move |_| show.set(n)
                >
                    {format!("node{n}")}
                </button>
            }
        })
        .collect_view();
    let terminals = (1..=nodes)
        .map(|n| {
            view! {
                <berth-terminal
                    role="tabpanel"
                    id=format!("node{n}-terminal")
                    aria-labelledby=format!("node{n}-tab")
                    data-socket=format!("{socket}?node={n}")
                    hidden=move || shown.get() != n
                ></berth-terminal>
            }
        })
        .collect_view();
    view! {
        <div class="node-tabs" role="tablist" aria-label="Nodes">{tabs}</div>
        {terminals}
    }
    .into_any()
}

#[component]
fn Exercise(
    module: ModuleId,
    e: ExerciseState,
    running: bool,
    check: ServerAction<CheckExercise>,
    reveal: ServerAction<Reveal>,
) -> impl IntoView {
    // Live checks: while the lab runs and the exercise is open, ask again
    // every few seconds; the server records a pass without a click.
    #[cfg(feature = "hydrate")]
    if running && !e.passed && e.live_seconds > 0 {
        let (module, exercise) = (module.clone(), e.id.clone());
        let every = std::time::Duration::from_secs(u64::from(e.live_seconds));
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !check.pending().get_untracked() {
                    check.dispatch(CheckExercise {
                        module: module.clone(),
                        exercise: exercise.clone(),
                        live: true,
                    });
                }
            },
            every,
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let check_fields = hidden_fields(&module, &e.id, ("live", "false"));
    let check_form = running.then(|| {
        view! {
            <ActionForm action=check attr:class="check-form">
                {check_fields}
                <button type="submit" class="button">"Check"</button>
            </ActionForm>
        }
        .into_any()
    });
    // Both ask for more help: the next hint, or the solution.
    let reveal_form = |class: &'static str, solution: &'static str, label: &'static str| {
        let fields = hidden_fields(&module, &e.id, ("solution", solution));
        view! {
            <ActionForm action=reveal attr:class=class>
                {fields}
                <button type="submit" class="link-button">{label}</button>
            </ActionForm>
        }
        .into_any()
    };
    let hint_form = (e.hints_shown.len() < e.hints_total).then(|| reveal_form("hint-form", "false", "Show a hint"));
    let solution_form = reveal_form("solution-form", "true", "Show the solution");
    let status = if e.passed { "Done" } else { "To do" };
    view! {
        <li class="exercise" data-exercise=e.id.to_string() data-passed=e.passed.to_string()>
            <h3>
                <span class="exercise-status">{status}</span>
                " "
                {e.title}
            </h3>
            {e.last_check.map(|report| view! { <Report report /> })}
            <ol class="hints">
                {e.hints_shown.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}
            </ol>
            {e.solution.map(|s| view! { <pre class="solution"><code>{s}</code></pre> })}
            <div class="exercise-actions">{check_form} {hint_form} {solution_form}</div>
        </li>
    }
    .into_any()
}

fn hidden_fields(
    module: &ModuleId,
    exercise: &ExerciseId,
    extra: (&'static str, &'static str),
) -> impl IntoView + use<> {
    view! {
        <input type="hidden" name="module" value=module.to_string() />
        <input type="hidden" name="exercise" value=exercise.to_string() />
        <input type="hidden" name=extra.0 value=extra.1 />
    }
}

#[component]
fn Report(report: CheckReport) -> impl IntoView {
    let (class, verdict) = if report.passed {
        ("check-report passed", "Passed")
    } else {
        ("check-report failed", "Not yet")
    };
    view! {
        <div class=class role="status">
            <strong>{verdict}</strong>
            <ul>
                {report
                    .assertions
                    .into_iter()
                    .map(|a| {
                        let mark = match a.outcome {
                            Outcome::Pass => "pass",
                            Outcome::Fail => "fail",
                            Outcome::Hint => "hint",
                        };
                        view! {
                            <li class=mark>
                                {a.message}
                                {a.expected.map(|x| view! { <span class="expected">" expected: "<code>{x}</code></span> })}
                                {a.actual.map(|x| view! { <span class="actual">" actual: "<code>{x}</code></span> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}
