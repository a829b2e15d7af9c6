//! Pages, one per route.

mod admin;
mod adrs;
mod audit;
mod clusters;
mod fleet;
mod login;
mod stakeholders;
pub mod studio;
mod versions;

pub use admin::{Tokens, Users};
pub use adrs::{AdrDetail, AdrList, AdrReview, Reviews};
pub use audit::Audit;
pub use clusters::{ClusterDetail, ClusterList};
pub use fleet::FleetMap;
pub use login::Login;
pub use studio::Studio;
pub use versions::Versions;

use leptos::prelude::*;

/// Shown for an unknown path.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="panel">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. Go back to the " <a href="/">"what-if studio"</a> "."</p>
        </section>
    }
}
