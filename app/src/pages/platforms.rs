//! The admin's page of learning platforms: the addresses to type into an
//! LMS, what is registered, and Berth's keys.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{LoadError, NotFound, loading};
use crate::error::AppError;
use crate::platforms::{KeyState, PlatformLine, PlatformsView, get_platforms};

#[component]
pub fn PlatformsPage() -> impl IntoView {
    let view = Resource::new(|| (), |_| get_platforms());
    view! {
        <Title text="Learning platforms" />
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(view) => view! { <Platforms view /> }.into_any(),
                    Err(AppError::Unauthorized) => view! {
                        <section class="not-found">
                            <h1>"Log in to see the learning platforms"</h1>
                            <p><a class="button" href="/login?next=/admin/platforms">"Log in"</a></p>
                        </section>
                    }
                    .into_any(),
                    Err(AppError::Forbidden) => view! {
                        <section class="not-found" role="alert">
                            <h1>"This page is for admins"</h1>
                            <p>"Learning platforms are registered by whoever runs this Berth."</p>
                        </section>
                    }
                    .into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <LoadError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Platforms(view: PlatformsView) -> impl IntoView {
    let PlatformsView { tool, platforms, keys } = view;
    let source = if tool.configured {
        "From --public-url."
    } else {
        "From this request's address: start Berth with --public-url if platforms reach it at another one."
    };
    let registered = if platforms.is_empty() {
        view! { <p>"No platform is registered yet."</p> }.into_any()
    } else {
        let rows = platforms.into_iter().map(platform_row).collect_view();
        view! {
            <table>
                <thead>
                    <tr>
                        <th>"Issuer"</th>
                        <th>"Client id"</th>
                        <th>"Deployments"</th>
                        <th>"Platform addresses"</th>
                        <th>"Accounts"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let no_key = keys
        .is_empty()
        .then(|| view! { <p>"No key yet: Berth makes one when a platform first fetches its key set."</p> });
    let keys = keys
        .into_iter()
        .map(|k| {
            let state = match k.state {
                KeyState::Signing => "signs now".to_string(),
                KeyState::PublishedUntil(until) => format!("retired, published until {until} UTC"),
            };
            view! { <li><code>{k.kid}</code>" · "{state}</li> }
        })
        .collect_view();
    view! {
        <section class="platforms prose">
            <h1>"Learning platforms"</h1>
            <h2>"What to enter in the platform"</h2>
            <table class="tool-urls">
                <tbody>
                    <tr><th>"Login initiation URL"</th><td><code>{tool.login}</code></td></tr>
                    <tr><th>"Target link / redirection URI"</th><td><code>{tool.launch}</code></td></tr>
                    <tr><th>"Public keyset URL"</th><td><code>{tool.jwks}</code></td></tr>
                </tbody>
            </table>
            <p class="meta">{source}</p>
            <h2>"Registered platforms"</h2>
            {registered}
            <p>
                "Register or update one with "<code>"berth lti add-platform"</code>
                " (see the LTI guide in the docs); list them with "<code>"berth lti list"</code>"."
            </p>
            <h2>"Berth's signing keys"</h2>
            {no_key}
            <ul class="keys">{keys}</ul>
            <p>"A new key: "<code>"berth lti rotate-key"</code>"; the old one stays published for a week."</p>
        </section>
    }
}

fn platform_row(p: PlatformLine) -> impl IntoView {
    view! {
        <tr>
            <td><code>{p.issuer}</code></td>
            <td><code>{p.client_id}</code></td>
            <td>{p.deployment_ids.join(", ")}</td>
            <td>
                "auth "<code>{p.auth_url}</code><br />
                "token "<code>{p.token_url}</code><br />
                "keys "<code>{p.jwks_url}</code>
            </td>
            <td>{p.accounts}</td>
        </tr>
    }
}
