//! The request context every service takes: the pool, this server's model cache and the signed-in
//! principal. REST handlers get it with the [`Ctx`] extractor, server functions with [`ctx()`];
//! either way the service behind them sees the same thing and checks the role itself.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use leptos::prelude::use_context;
use sqlx::PgPool;

use super::AppState;
use super::auth::{Principal, Via};
use crate::AppError;
use crate::model::{Role, Scope};

/// Who is asking, and what with.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The PostgreSQL pool.
    pub pool: PgPool,
    cache: Arc<super::model_cache::ModelCache>,
    fleet: Arc<super::fleet_cache::FleetCache>,
    catalog: Arc<super::versions::CatalogCache>,
    recommendations: Arc<super::recommend_cache::RecommendationCache>,
    principal: Principal,
}

impl Ctx {
    /// A context for `principal` on `state` (tests and start-up tasks build one directly).
    pub fn new(state: &AppState, principal: Principal) -> Self {
        Ctx {
            pool: state.pool.clone(),
            cache: state.model.clone(),
            fleet: state.fleet.clone(),
            catalog: state.catalog.clone(),
            recommendations: state.recommendations.clone(),
            principal,
        }
    }

    /// A viewer's read-only context for readers inside the server that check their own
    /// credentials (the metrics scrape); never for a request's own work.
    pub fn internal_reader(state: &AppState) -> Self {
        let principal = Principal {
            user_id: 0,
            email: "switchyard".into(),
            display_name: "Switchyard (internal)".into(),
            role: Role::Viewer,
            via: super::auth::Via::Token { id: 0, name: "internal".into(), scope: Scope::Read },
        };
        Ctx::new(state, principal)
    }

    /// This server's copy of the fleet map.
    pub(crate) fn fleet_cache(&self) -> &super::fleet_cache::FleetCache {
        &self.fleet
    }

    /// The signed-in user.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The decision model, through this server's cache.
    pub async fn model(&self) -> Result<Arc<domain::Model>, AppError> {
        self.cache.get(&self.pool).await
    }

    /// This server's recommendation of each cluster.
    pub(crate) fn recommendations(&self) -> &super::recommend_cache::RecommendationCache {
        &self.recommendations
    }

    /// The release catalog, through this server's cache.
    pub async fn catalogs(&self) -> Result<Arc<super::versions::Catalogs>, AppError> {
        self.catalog.get(&self.pool).await
    }

    /// For reading what needs `role` (any token scope may read).
    pub fn reader(&self, role: Role) -> Result<&Principal, AppError> {
        if self.principal.role < role {
            return Err(AppError::Forbidden);
        }
        Ok(&self.principal)
    }

    /// For a change that needs `role`; a read-only token is refused whatever its owner's role.
    pub fn writer(&self, role: Role) -> Result<&Principal, AppError> {
        if matches!(self.principal.via, Via::Token { scope: Scope::Read, .. }) {
            return Err(AppError::Forbidden);
        }
        self.reader(role)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        from_parts(parts, &AppState::from_ref(state))
    }
}

fn from_parts(parts: &Parts, state: &AppState) -> Result<Ctx, AppError> {
    let principal = parts.extensions.get::<Principal>().cloned().ok_or(AppError::Unauthorized)?;
    Ok(Ctx::new(state, principal))
}

/// The application state, as the router provides it to server functions and pages.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// The context of the current server function or page render; 401 when nobody is signed in.
pub fn ctx() -> Result<Ctx, AppError> {
    let parts = use_context::<Parts>().ok_or(AppError::Unauthorized)?;
    from_parts(&parts, &state()?)
}
