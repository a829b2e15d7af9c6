//! The page kit: one way to show loading, errors and a save in progress on every page.

use std::collections::BTreeMap;
use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::AppError;

/// What to tell a person about an error: the server's own sentence, or for a transport failure
/// what to try.
pub fn error_text(e: &AppError) -> String {
    match e {
        AppError::ServerFn(detail) => {
            format!("Switchyard could not be reached or answered oddly ({detail}); check the connection and retry")
        }
        other => other.to_string(),
    }
}

/// A resource's value rendered by `render` once loaded, with a loading line before and the error
/// as an alert if it failed. On a refetch the old content stays until the new one is ready.
#[component]
pub fn Loaded<T, F, V>(
    /// The data.
    resource: Resource<Result<T, AppError>>,
    /// How to show it.
    render: F,
    /// The loading line, "Loading…" by default.
    #[prop(optional)]
    loading: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let loading = loading.unwrap_or("Loading…");
    view! {
        <Transition fallback=move || view! { <p class="loading" role="status">{loading}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(v) => render(v).into_any(),
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Runs a save: shows "Saving…" in `status`, then "Saved." (and calls `on_ok`) or "Not saved: …"
/// with each field's problem in `field_errors`.
pub fn save<T, Fut>(
    status: RwSignal<Option<String>>,
    field_errors: Option<RwSignal<BTreeMap<String, String>>>,
    request: Fut,
    on_ok: impl FnOnce(T) + 'static,
) where
    T: 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    status.set(Some("Saving…".into()));
    spawn_local(async move {
        match request.await {
            Ok(v) => {
                status.set(Some("Saved.".into()));
                if let Some(f) = field_errors {
                    f.set(BTreeMap::new());
                }
                on_ok(v);
            }
            Err(e) => {
                if let Some(f) = field_errors {
                    f.set(e.fields());
                }
                status.set(Some(format!("Not saved: {}", error_text(&e))));
            }
        }
    });
}

/// A labelled `<select>` of a GET filter form: "any" first, then `options` as (value, label), the
/// one equal to `current` selected.
#[component]
pub fn FilterSelect(
    /// Element id (the label points at it).
    id: &'static str,
    /// Query parameter name.
    name: &'static str,
    /// Visible label.
    label: &'static str,
    /// (value, label) pairs after "any".
    options: Vec<(String, String)>,
    /// The current value from the query.
    #[prop(into)]
    current: Signal<String>,
) -> impl IntoView {
    let any = (String::new(), "any".to_string());
    view! {
        <label for=id>{label}</label>
        <select id=id name=name>
            {std::iter::once(any)
                .chain(options)
                .map(|(value, text)| {
                    let this = value.clone();
                    view! { <option value=value selected=move || current.get() == this>{text}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// `(s, s)` pairs for [`FilterSelect`] whose values are their own labels.
pub fn same_pairs<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<(String, String)> {
    values.into_iter().map(|v| (v.to_string(), v.to_string())).collect()
}

/// The reason a plain form's post failed, which its server function put in `?error=` when it
/// sent the browser back (see `api::adr_forms`); nothing when there is none.
#[component]
pub fn FormError() -> impl IntoView {
    let error = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("error")).filter(|e| !e.is_empty());
    error.map(|e| view! { <p class="error" role="alert" data-testid="form-error">{format!("Not done: {e}")}</p> })
}

/// Links to the first, previous, next and last of `pages` numbered pages (plain links, so they
/// work without WASM); nothing when everything fits on one page. `href(n)` is page `n`'s address.
pub fn pager(
    label: &'static str,
    testid: &'static str,
    current: usize,
    pages: usize,
    href: impl Fn(usize) -> String,
) -> impl IntoView {
    (pages > 1).then(|| {
        let back = (current > 1).then(|| {
            view! { <a href=href(1)>"« First"</a> " " <a href=href(current - 1) rel="prev">"‹ Previous"</a> }
        });
        let on = (current < pages).then(|| {
            view! { <a href=href(current + 1) rel="next">"Next ›"</a> " " <a href=href(pages)>"Last »"</a> }
        });
        view! {
            <nav class="pager" aria-label=label data-testid=testid>
                {back}" "<span>{format!("Page {current} of {pages}")}</span>" "{on}
            </nav>
        }
    })
}
