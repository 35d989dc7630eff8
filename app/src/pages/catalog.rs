use leptos::prelude::*;
use leptos_meta::Title;

use super::{duration, load_error, loaded_page};
use crate::course::{Catalog, get_catalog, module_href};

/// The course outline: every module in order.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let catalog = Resource::new(|| (), |_| get_catalog());
    loaded_page(catalog, |catalog| view! { <CatalogView catalog /> }, load_error)
}

#[component]
fn CatalogView(catalog: Catalog) -> impl IntoView {
    let total: u32 = catalog.modules.iter().map(|m| m.duration_minutes).sum();
    let lessons: usize = catalog.modules.iter().map(|m| m.lesson_count).sum();
    view! {
        <Title text=catalog.title.clone() />
        <section class="hero">
            <h1>{catalog.title}</h1>
            <p class="lead">{catalog.description}</p>
            <p class="meta">
                {format!(
                    "{} modules · {} lessons · about {}",
                    catalog.modules.len(),
                    lessons,
                    duration(total),
                )}
            </p>
        </section>
        <ol class="module-grid">
            {catalog
                .modules
                .into_iter()
                .map(|m| {
                    view! {
                        <li class="module-card">
                            <a href=module_href(&m.id)>
                                <span class="module-number">{format!("Module {}", m.number)}</span>
                                <h2>{m.title}</h2>
                                <p>{m.summary}</p>
                                <p class="meta">
                                    {format!(
                                        "{} lesson{} · {}",
                                        m.lesson_count,
                                        if m.lesson_count == 1 { "" } else { "s" },
                                        duration(m.duration_minutes),
                                    )}
                                </p>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
