//! Switchyard's HTTP server: start-up (database, migrations, reference data) and the router that
//! joins the REST API to the Leptos pages.

// Leptos views with islands are deeply nested types; the router needs more than the default 128.
#![recursion_limit = "256"]

mod adr_routes;
mod api_docs;
pub mod assets;
mod auth;
pub mod config;
pub mod db_roles;
mod fleet_routes;
mod gitops_routes;
mod metrics;
mod openapi;
mod routes;
mod security;
mod stakeholder_routes;
mod version_routes;

use anyhow::Context as _;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use app::app::{App, shell};
pub use app::ssr::{AppState, AuthConfig};
pub use security::HttpLimits;

/// Every migration in `migrations/`, applied at start-up and by `#[sqlx::test]`.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Connects to PostgreSQL, creating the database first when it does not exist.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    if !sqlx::Postgres::database_exists(url).await.context("checking that the database exists")? {
        tracing::info!("creating the database");
        sqlx::Postgres::create_database(url).await.context("creating the database")?;
    }
    PgPoolOptions::new().max_connections(max_connections).connect(url).await.context("connecting to PostgreSQL")
}

/// Applies migrations, reconciles the seed's reference data (new keys added, unedited rows
/// refreshed, edited rows kept), records the seed ADR as ADR-0001 when the register is empty,
/// and gives the application role its rights. Runs as the owner.
pub async fn prepare(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await.context("applying migrations")?;
    if db_roles::ensure_app_role(pool).await? {
        db_roles::grant_serving_rights(pool, db_roles::APP_ROLE).await?;
    }
    let json = domain::reference::REFERENCE_JSON;
    let reference = domain::reference::reference().context("reading the bundled reference data")?;
    let done = app::ssr::seed::reconcile(pool, &reference, json).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if !(done.added.is_empty() && done.updated.is_empty()) {
        tracing::info!(
            added = done.added.len(),
            updated = done.updated.len(),
            kept_edited = done.kept.len(),
            "reconciled the reference data: {} criteria, {} candidates, {} profiles in the file",
            reference.criteria.len(),
            reference.candidates.len(),
            reference.profiles.len()
        );
    }
    if app::ssr::versions::catalog::seed(pool).await.map_err(|e| anyhow::anyhow!("loading the release catalog: {e}"))? {
        tracing::info!("loaded the bundled release catalog (Cilium and Calico minors and patches)");
    }
    if app::ssr::adrs::seed_first(pool).await.map_err(|e| anyhow::anyhow!("recording the seed ADR: {e}"))? {
        tracing::info!("recorded the seed decision as ADR-0001");
    }
    Ok(())
}

/// Leptos' options for a site compiled into `site_root`, served on `addr`.
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("switchyard")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(leptos::config::Env::PROD)
        .build()
}

/// The whole application with the default body limits.
pub fn router(state: AppState) -> Router {
    router_with(state, HttpLimits::default())
}

/// The whole application: REST API, server functions, pages and static files, with body limits
/// and security headers on every response.
pub fn router_with(state: AppState, limits: HttpLimits) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    // Server functions and pages find the state here; `app::ssr::ctx()` builds their `Ctx`. A page
    // also gets the Content-Security-Policy allowing its inline scripts' nonce.
    let shared = state.clone();
    let context = move || {
        provide_context(shared.clone());
        security::page_csp();
    };
    let https = state.auth.session.secure_cookie;
    let app = Router::new()
        .merge(assets::pkg_routes(&state.leptos_options.site_root))
        .merge(fleet_routes::routes(limits.import))
        .merge(adr_routes::routes())
        .merge(gitops_routes::routes())
        .merge(openapi::routes())
        .merge(stakeholder_routes::routes())
        .merge(version_routes::routes(limits.import))
        .merge(routes::api())
        .route(metrics::METRICS_PATH, axum::routing::get(metrics::scrape))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(metrics::track));
    security::harden(app, limits, https)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves with the default body limits until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    serve_with(listener, state, HttpLimits::default()).await
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve_with(listener: TcpListener, state: AppState, limits: HttpLimits) -> anyhow::Result<()> {
    let pkg = std::path::Path::new(state.leptos_options.site_root.as_ref()).join("pkg");
    let compressed = tokio::task::spawn_blocking(move || assets::precompress(&pkg)).await??;
    if compressed > 0 {
        tracing::info!(files = compressed, "precompressed the site's assets (brotli and gzip)");
    }
    // One LISTEN connection keeps the model, credential and fleet caches correct.
    tokio::spawn(app::ssr::model_cache::listen_all(state.pool.clone(), state.caches()));
    let app = router_with(state, limits).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.context("serving HTTP")
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
