//! Server-only code: shared state, the database repositories and the reference-data loader.

pub mod db;
pub mod seed;

use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

use crate::AppError;

/// State shared by every request handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The PostgreSQL pool.
    pub pool: PgPool,
    /// Leptos' site configuration.
    pub leptos_options: LeptosOptions,
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

/// The pool, as provided to server functions and pages through the Leptos context.
pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| {
        tracing::error!("PgPool missing from the Leptos context");
        AppError::Internal
    })
}
