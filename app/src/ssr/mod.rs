//! Server-only code: shared state, the database repositories and the reference-data loader.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod db;
pub mod fleet;
pub mod model_cache;
pub mod seed;

use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

use crate::AppError;

/// Authentication settings.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Session lifetimes and cookie flags.
    pub session: auth::SessionPolicy,
    /// Origins (`scheme://host:port`) a cookie-authenticated write may come from.
    pub origins: Vec<String>,
}

impl AuthConfig {
    /// Defaults for a server listening on `addr`: its own origin, plus `localhost` for loopback.
    pub fn for_addr(addr: std::net::SocketAddr) -> Self {
        let mut origins = vec![format!("http://{addr}")];
        if addr.ip().is_loopback() {
            origins.push(format!("http://localhost:{}", addr.port()));
            origins.push(format!("http://127.0.0.1:{}", addr.port()));
        }
        origins.dedup();
        AuthConfig { session: auth::SessionPolicy::default(), origins }
    }
}

/// State shared by every request handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The PostgreSQL pool.
    pub pool: PgPool,
    /// Leptos' site configuration.
    pub leptos_options: LeptosOptions,
    /// Sessions and CSRF.
    pub auth: AuthConfig,
    /// This server's copy of the decision model.
    pub model: std::sync::Arc<model_cache::ModelCache>,
}

impl AppState {
    /// State with an empty model cache.
    pub fn new(pool: PgPool, leptos_options: LeptosOptions, auth: AuthConfig) -> Self {
        AppState { pool, leptos_options, auth, model: Default::default() }
    }
}

impl FromRef<AppState> for std::sync::Arc<model_cache::ModelCache> {
    fn from_ref(state: &AppState) -> Self {
        state.model.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

/// The signed-in principal of the current request (server functions and pages), or 401.
pub fn principal() -> Result<auth::Principal, AppError> {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<auth::Principal>().cloned())
        .ok_or(AppError::Unauthorized)
}

/// The decision model through this server's cache (server functions).
pub async fn model(pool: &PgPool) -> Result<std::sync::Arc<domain::Model>, AppError> {
    match use_context::<std::sync::Arc<model_cache::ModelCache>>() {
        Some(cache) => cache.get(pool).await,
        None => Ok(std::sync::Arc::new(db::load_model(pool).await?)),
    }
}

/// Authentication settings, as provided to server functions.
pub fn auth_config() -> Result<AuthConfig, AppError> {
    use_context::<AuthConfig>().ok_or(AppError::Internal)
}

/// Sets the HTTP status of a failed server function to the error's own (401, 403, 409, …).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result
        && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(code) = axum::http::StatusCode::from_u16(e.status_code())
    {
        opts.set_status(code);
    }
    result
}

/// The pool, as provided to server functions and pages through the Leptos context.
pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| {
        tracing::error!("PgPool missing from the Leptos context");
        AppError::Internal
    })
}
