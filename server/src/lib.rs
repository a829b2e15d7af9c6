//! Switchyard's HTTP server: start-up (database, migrations, reference data) and the router that
//! joins the REST API to the Leptos pages.

mod auth;
pub mod config;
mod fleet_routes;
mod routes;

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

/// Applies migrations and loads the seed's reference data into an empty database.
pub async fn prepare(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await.context("applying migrations")?;
    let reference = domain::reference::reference().context("reading the bundled reference data")?;
    if app::ssr::seed::load_reference_if_empty(pool, &reference).await.map_err(|e| anyhow::anyhow!("{e}"))? {
        tracing::info!("loaded the reference data: 9 criteria, 4 candidates, 6 weight profiles");
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

/// The whole application: REST API, server functions, pages and static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let pool = state.pool.clone();
    let auth_config = state.auth.clone();
    let cache = state.model.clone();
    let options = state.leptos_options.clone();
    let context = move || {
        provide_context(pool.clone());
        provide_context(auth_config.clone());
        provide_context(cache.clone());
    };
    Router::new()
        .merge(fleet_routes::routes())
        .merge(routes::api())
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    tokio::spawn(state.model.clone().listen(state.pool.clone()));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
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
