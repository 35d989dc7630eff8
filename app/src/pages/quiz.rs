//! A module's quiz, and the learner's graded attempts. The form is a plain
//! HTML post, so it works before (or without) hydration; grading and the
//! redirect to the results happen on the server.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{Breadcrumbs, LoadError, NotFound, course_crumb, load_error, loaded_page, loading, or_not_found, param};
use crate::course::{module_href, quiz_href};
use crate::model::{AttemptId, ModuleId};
use crate::quiz::{AttemptLookup, AttemptView, Input, QuestionView, QuizPageData, field_name, get_attempt, get_quiz};

#[component]
pub fn QuizPage() -> impl IntoView {
    let data = Resource::new(param::<ModuleId>("module"), get_quiz);
    loaded_page(data, or_not_found(|data| view! { <QuizDetails data /> }), load_error)
}

#[component]
fn QuizDetails(data: QuizPageData) -> impl IntoView {
    let best = data.best().cloned();
    let href = quiz_href(&data.module);
    let login = format!("/login?next={href}");
    let count = data.attempts.len();
    view! {
        <Title text=data.title.clone() />
        <Breadcrumbs
            links=vec![course_crumb(), (module_href(&data.module), format!("Module {}", data.module_number))]
            current="Quiz"
        />
        <section class="quiz">
            <p class="eyebrow">{format!("Module {} · {}", data.module_number, data.module_title)}</p>
            <h1>{data.title.clone()}</h1>
            <p class="meta">
                {format!("{} questions · pass mark {}%", data.question_count, data.pass_percent)}
            </p>
            {data.stats.map(|s| {
                view! {
                    <p class="quiz-stats meta">
                        {format!(
                            "Your learners: {} tried, {} passed, {} attempts in all.",
                            s.learners,
                            s.learners_passed,
                            s.attempts,
                        )}
                    </p>
                }
            })}
            {best.map(|b| {
                let verdict = if b.passed { "passed" } else { "not passed yet" };
                view! {
                    <p class="quiz-best" data-passed=b.passed.to_string()>
                        {format!("Your best score: {}% ({verdict}) after {count} attempt(s).", b.percent)}
                    </p>
                }
            })}
            {match data.form {
                Some(quiz) => {
                    view! {
                        <form class="quiz-form" method="post" action=href.clone()>
                            {quiz
                                .questions
                                .into_iter()
                                .enumerate()
                                .map(|(i, q)| view! { <Question number=i + 1 q /> })
                                .collect_view()}
                            <button type="submit" class="button">"Submit answers"</button>
                        </form>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p>
                            <a class="button" href=login>"Log in to take the quiz"</a>
                        </p>
                    }
                        .into_any()
                }
            }}
            <Show when=move || { count > 0 }>
                <h2>"Your attempts"</h2>
            </Show>
            <ol class="attempts" reversed>
                {data
                    .attempts
                    .iter()
                    .map(|a| {
                        let link = format!("{href}/{}", a.id);
                        let verdict = if a.passed { "passed" } else { "not passed" };
                        view! {
                            <li>
                                <a href=link>{format!("{}% · {verdict}", a.percent)}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Question(number: usize, q: QuestionView) -> impl IntoView {
    let name = field_name(&q.id);
    let input = match q.input {
        Input::Single(choices) => choices_view("radio", &name, choices),
        Input::Multiple(choices) => choices_view("checkbox", &name, choices),
        Input::Text => view! {
            <input class="reply" type="text" name=name autocomplete="off" aria-label="Your answer" />
        }
        .into_any(),
        Input::Number => view! {
            <input class="reply" type="text" inputmode="decimal" name=name autocomplete="off" aria-label="Your answer" />
        }
        .into_any(),
        Input::Order(items) => {
            let n = items.len();
            view! {
                <p class="meta">"Give each item its place, 1 first."</p>
                {items
                    .into_iter()
                    .map(|c| {
                        view! {
                            <label class="order-item">
                                <select name=format!("{name}.{}", c.key)>
                                    <option value="">"–"</option>
                                    {(1..=n).map(|p| view! { <option value=p.to_string()>{p}</option> }).collect_view()}
                                </select>
                                <span>{c.text}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            }
            .into_any()
        }
    };
    view! {
        <fieldset class="question">
            <legend>
                <span class="question-number">{format!("{number}.")}</span>
                " "
                {q.prompt}
            </legend>
            {input}
        </fieldset>
    }
}

fn choices_view(kind: &'static str, name: &str, choices: Vec<crate::quiz::Choice>) -> AnyView {
    choices
        .into_iter()
        .map(|c| {
            view! {
                <label class="choice">
                    <input type=kind name=name.to_string() value=c.key />
                    <span>{c.text}</span>
                </label>
            }
        })
        .collect_view()
        .into_any()
}

#[component]
pub fn AttemptPage() -> impl IntoView {
    // A malformed attempt number is attempt 0, which nobody has.
    let (module, attempt) = (param::<ModuleId>("module"), param::<AttemptId>("attempt"));
    let attempt = Resource::new(
        move || (module(), attempt()),
        |(module, attempt)| get_attempt(module, attempt),
    );
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match attempt.await {
                    Ok(AttemptLookup::Found(a)) => view! { <AttemptDetails a /> }.into_any(),
                    Ok(AttemptLookup::NotFound) => view! { <NotFound /> }.into_any(),
                    Ok(AttemptLookup::SignIn) => view! {
                        <section class="not-found">
                            <h1>"Your quiz results"</h1>
                            <p>"Log in to see your results."</p>
                            <p><a class="button" href="/login">"Log in"</a></p>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <LoadError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AttemptDetails(a: AttemptView) -> impl IntoView {
    let retake = quiz_href(&a.module);
    let (verdict, class) = if a.passed {
        ("Passed", "result passed")
    } else {
        ("Not passed yet", "result failed")
    };
    view! {
        <Title text=format!("Results: {}", a.report.quiz_title) />
        <section class="quiz">
            <p class="eyebrow">"Quiz results"</p>
            <h1>{a.report.quiz_title.clone()}</h1>
            <p class=class role="status">
                <strong>{verdict}</strong>
                {format!(
                    ": {} of {} right ({}%; the pass mark is {}%). Your best score is {}%.",
                    a.score,
                    a.total,
                    a.percent,
                    a.report.pass_percent,
                    a.best_percent,
                )}
            </p>
            <ol class="feedback">
                {a
                    .report
                    .feedback
                    .into_iter()
                    .map(|f| {
                        let mark = if f.correct { "Right" } else { "Wrong" };
                        let given = if f.given.is_empty() { "No answer".to_string() } else { f.given };
                        view! {
                            <li class=if f.correct { "right" } else { "wrong" }>
                                <p class="prompt">{f.prompt}</p>
                                <p>
                                    <strong>{mark}</strong>
                                    " · your answer: "
                                    <q>{given}</q>
                                </p>
                                {f.explanation.map(|e| view! { <p class="explanation">{e}</p> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <p>
                <a class="button" href=retake>"Take the quiz again"</a>
            </p>
        </section>
    }
}
