//! A per-server copy of the decision model, dropped whenever any server changes it.
//!
//! Every evaluation needs the criteria, candidates and scores; reading and assembling them per
//! request would cost more than the evaluation. The copy stays correct across several servers
//! because a trigger (`migrations/0003_model_notify.sql`) sends `NOTIFY switchyard_model_changed`
//! on every change, and each server LISTENs. While the listener is not connected the cache is
//! bypassed, so a lost notification can never leave a stale model in use.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use domain::Model;
use sqlx::PgPool;
use sqlx::postgres::PgListener;

use crate::AppError;

/// The notification channel.
pub const CHANNEL: &str = "switchyard_model_changed";

/// The cached model and its invalidation state.
#[derive(Debug, Default)]
pub struct ModelCache {
    model: RwLock<Option<Arc<Model>>>,
    generation: AtomicU64,
    listening: AtomicBool,
}

impl ModelCache {
    /// The model, from the cache when it is trustworthy, otherwise from the database.
    pub async fn get(&self, pool: &PgPool) -> Result<Arc<Model>, AppError> {
        if self.listening.load(Ordering::Acquire)
            && let Some(m) = self.model.read().ok().and_then(|g| g.clone())
        {
            return Ok(m);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let fresh = Arc::new(super::db::load_model(pool).await?);
        // Keep it only if nothing changed while it was loading.
        if self.listening.load(Ordering::Acquire)
            && self.generation.load(Ordering::Acquire) == generation
            && let Ok(mut g) = self.model.write()
        {
            *g = Some(fresh.clone());
        }
        Ok(fresh)
    }

    /// Drops the cached copy.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut g) = self.model.write() {
            *g = None;
        }
    }

    /// True while change notifications arrive, i.e. while the cache is used.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    fn set_listening(&self, on: bool) {
        self.invalidate();
        self.listening.store(on, Ordering::Release);
    }

    /// Listens for changes until the process ends; reconnects after a lost connection.
    pub async fn listen(self: Arc<Self>, pool: PgPool) {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    // By default a lost connection is re-established (up to the pool's acquire
                    // timeout) before `try_recv` reports it, and the cache would be trusted while
                    // notifications go missing; report the loss at once instead.
                    listener.eager_reconnect(false);
                    if listener.listen(CHANNEL).await.is_ok() {
                        self.set_listening(true);
                        // `try_recv` yields `None` when the connection dropped: anything may
                        // have changed meanwhile, so stop trusting the cache and reconnect.
                        while let Ok(Some(_)) = listener.try_recv().await {
                            self.invalidate();
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "model change listener cannot connect; not caching the model"),
            }
            self.set_listening(false);
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    }
}
