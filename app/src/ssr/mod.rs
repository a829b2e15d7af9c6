//! Server-only code: the request context, one service per use case (each owning validation, the
//! role, the version check, constraint mapping and the audit entry, in one transaction), the SQL
//! behind them, and the reference-data reconciler.

pub mod accounts;
pub mod adrs;
pub mod audit;
pub mod auth;
pub mod auth_cache;
mod ctx;
pub mod db;
pub mod decision;
pub mod fleet;
pub mod fleet_cache;
pub mod gitops;
pub mod model_cache;
pub mod profiles;
pub mod recommend_cache;
pub mod robustness;
pub mod seed;
pub mod site_assets;
pub mod stakeholders;
pub mod tarball;
pub mod throttle;
pub mod versions;

pub use ctx::{Ctx, ctx, state};

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
    /// Proxies whose `Forwarded` / `X-Forwarded-For` name the client (for throttling).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token `GET /metrics` requires (`SWITCHYARD_METRICS_TOKEN`); open when `None`.
    pub metrics_token: Option<Secret>,
}

/// A configured secret: compared in constant time, never printed (`Debug` shows no part of it).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`; `None` when it is empty.
    pub fn new(value: impl Into<String>) -> Option<Secret> {
        let value = value.into();
        (!value.is_empty()).then_some(Secret(value))
    }

    /// True when `given` is the secret (time independent of where they differ).
    pub fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
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
        AuthConfig {
            session: auth::SessionPolicy::default(),
            origins,
            trusted_proxies: Vec::new(),
            metrics_token: None,
        }
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
    /// This server's verified tokens and sessions.
    pub credentials: std::sync::Arc<auth_cache::AuthCache>,
    /// This server's computed fleet map.
    pub fleet: std::sync::Arc<fleet_cache::FleetCache>,
    /// This server's copy of the release catalog.
    pub catalog: std::sync::Arc<versions::CatalogCache>,
    /// This server's recommendation of each cluster.
    pub recommendations: std::sync::Arc<recommend_cache::RecommendationCache>,
    /// The compiled site's file names.
    pub assets: std::sync::Arc<site_assets::SiteAssets>,
}

impl AppState {
    /// State with empty caches.
    pub fn new(pool: PgPool, leptos_options: LeptosOptions, auth: AuthConfig) -> Self {
        AppState {
            pool,
            auth,
            model: Default::default(),
            credentials: Default::default(),
            fleet: Default::default(),
            catalog: Default::default(),
            recommendations: Default::default(),
            assets: std::sync::Arc::new(site_assets::SiteAssets::load(&leptos_options.site_root)),
            leptos_options,
        }
    }

    /// Every cache that change notifications keep correct, for [`model_cache::listen_all`]; the
    /// model first, so it is dropped before the fleet map built on it.
    pub fn caches(&self) -> Vec<std::sync::Arc<dyn model_cache::Invalidated>> {
        vec![
            self.model.clone(),
            self.catalog.clone(),
            self.recommendations.clone(),
            self.credentials.clone(),
            self.fleet.clone(),
        ]
    }

    /// Drops this server's credential and fleet caches after a write it served: the write may
    /// have revoked a token, changed a user or the fleet, and the very next request must see
    /// that without waiting for the notification (which tells the other servers).
    pub fn wrote(&self) {
        self.credentials.invalidate();
        self.catalog.invalidate();
        self.fleet.invalidate();
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

/// Runs a server function's body and sets the HTTP status of a failure to the error's own
/// (401, 403, 409, …), so server functions answer like the REST API.
pub async fn respond<T>(body: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result
        && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(code) = axum::http::StatusCode::from_u16(e.status_code())
    {
        opts.set_status(code);
    }
    result
}

/// What a versioned update must send when it lacks the version.
const VERSION_HINT: &str =
    "send the version you read (from the GET of this item) so a save made since is not overwritten";

/// Validates a versioned update's content and its version together, reporting every problem at
/// once; returns the validated content and the version the client read.
pub(crate) fn check_versioned<T, V>(
    body: crate::model::Versioned<T>,
    validate: impl FnOnce(T) -> Result<V, domain::ValidationError>,
) -> Result<(V, i32), AppError> {
    match (validate(body.input), body.version) {
        (Ok(v), Some(version)) => Ok((v, version)),
        (valid, version) => {
            let mut e = valid.err().unwrap_or_default();
            if version.is_none() {
                e.add("version", VERSION_HINT);
            }
            Err(e.into())
        }
    }
}
