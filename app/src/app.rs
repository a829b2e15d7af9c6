//! The application shell, header and routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::api::{SignOut, current_user};
use crate::model::Role;
use crate::pages::{
    AdrDetail, AdrList, AdrReview, Audit, ClusterDetail, ClusterList, FleetMap, Login, NotFound, Reviews, Studio,
    Tokens, Users, Versions,
};
use leptos::server_fn::ServerFn;

/// The WASM bundle a page loads, by its path: each bundle carries only the islands of its pages
/// (the `bundle-*` features of this crate), and pages without islands load none.
pub fn bundle_for(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => Some("studio"),
        ["clusters", id] if !id.is_empty() => Some("cluster"),
        ["tokens"] | ["admin", "users"] => Some("admin"),
        _ => None,
    }
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (css, bundle) = {
        let assets = use_context::<crate::ssr::AppState>().map(|s| s.assets.clone()).unwrap_or_default();
        let path = use_context::<axum::http::request::Parts>().map(|p| p.uri.path().to_string()).unwrap_or_default();
        (assets.css.clone(), bundle_for(&path).map(|b| assets.bundle(b)))
    };
    #[cfg(not(feature = "ssr"))]
    let (css, bundle) = (String::new(), None::<String>);
    // A page without islands has nothing to hydrate: it is ready as it arrives.
    let ready = bundle.is_none().then_some("true");
    let scripts = bundle.map(|stem| {
        let mut options = options.clone();
        options.output_name = stem.into();
        view! { <HydrationScripts options islands=true /> }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en" data-hydrated=ready>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <link rel="stylesheet" id="leptos" href=format!("/{}/{css}", options.site_pkg_dir) />
                {scripts}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Switchyard" />
        <Router>
            <Header />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=Studio ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=Login ssr=SsrMode::Async />
                    <Route path=StaticSegment("audit") view=Audit ssr=SsrMode::Async />
                    <Route path=StaticSegment("fleet") view=FleetMap ssr=SsrMode::Async />
                    <Route path=StaticSegment("clusters") view=ClusterList ssr=SsrMode::Async />
                    <Route path=(StaticSegment("clusters"), ParamSegment("id")) view=ClusterDetail ssr=SsrMode::Async />
                    <Route path=StaticSegment("adrs") view=AdrList ssr=SsrMode::Async />
                    <Route path=(StaticSegment("adrs"), ParamSegment("number")) view=AdrDetail ssr=SsrMode::Async />
                    <Route path=(StaticSegment("adrs"), ParamSegment("number"), StaticSegment("review")) view=AdrReview ssr=SsrMode::Async />
                    <Route path=StaticSegment("reviews") view=Reviews ssr=SsrMode::Async />
                    <Route path=StaticSegment("versions") view=Versions ssr=SsrMode::Async />
                    <Route path=StaticSegment("tokens") view=Tokens ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("users")) view=Users ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// Marks the page once the browser has hydrated its islands (`<html data-hydrated="true">`):
/// tests and benchmarks wait for it before they interact. An island of its own, in every bundle
/// (pages that load no bundle carry the mark from the server).
#[island]
fn HydrationMarker() -> impl IntoView {
    Effect::new(|_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-hydrated", "true");
        }
    });
}

/// Site header: navigation by role, who is signed in, and sign-out.
#[component]
fn Header() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <header class="site-header">
            <a class="brand" href="/">"Switchyard"</a>
            <HydrationMarker />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await.ok().flatten() {
                        None => view! { <nav aria-label="Main"></nav> }.into_any(),
                        Some(me) => view! {
                            <nav aria-label="Main">
                                <a href="/">"What-if studio"</a>
                                <a href="/fleet">"Fleet map"</a>
                                <a href="/clusters">"Clusters"</a>
                                <a href="/adrs">"Decisions"</a>
                                <a href="/reviews">"Reviews"</a>
                                <a href="/versions">"Versions"</a>
                                <a href="/audit">"Audit log"</a>
                                {(me.role >= Role::Architect).then(|| view! { <a href="/tokens">"API tokens"</a> })}
                                {(me.role == Role::Admin).then(|| view! { <a href="/admin/users">"Users"</a> })}
                            </nav>
                            <div class="who">
                                <span data-testid="whoami">{me.display_name.clone()} " · " <span class="role">{me.role.as_str()}</span></span>
                                <form method="post" action={<SignOut as ServerFn>::PATH}>
                                    <button type="submit" class="link">"Sign out"</button>
                                </form>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}
