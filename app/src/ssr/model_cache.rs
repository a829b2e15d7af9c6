//! A per-server copy of the decision model, dropped whenever any server changes it.
//!
//! Every evaluation needs the criteria, candidates and scores; reading and assembling them per
//! request would cost more than the evaluation. The copy stays correct across several servers
//! because a trigger (`migrations/0003_model_notify.sql`) sends `NOTIFY switchyard_model_changed`
//! on every change, and each server LISTENs. While the listener is not connected the cache is
//! bypassed, so a lost notification can never leave a stale model in use.
//!
//! The same listener serves every per-server cache ([`Invalidated`]): the model, verified
//! credentials ([`super::auth_cache`]) and the fleet map ([`super::fleet_cache`]). One LISTEN
//! connection for all of them, because `PgListener` keeps a pooled connection for good.

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

    /// Listens for changes until the process ends; reconnects after a lost connection.
    pub async fn listen(self: Arc<Self>, pool: PgPool) {
        listen_all(pool, vec![self]).await;
    }
}

impl Invalidated for ModelCache {
    fn channels(&self) -> &'static [&'static str] {
        &[CHANNEL]
    }

    fn invalidate(&self) {
        ModelCache::invalidate(self);
    }

    fn set_listening(&self, on: bool) {
        self.invalidate();
        self.listening.store(on, Ordering::Release);
    }
}

/// A per-server cache that PostgreSQL notifications keep correct.
pub trait Invalidated: Send + Sync {
    /// The notification channels whose messages make the cached data stale.
    fn channels(&self) -> &'static [&'static str];
    /// Drops the cached data (a notification arrived on one of [`Invalidated::channels`]).
    fn invalidate(&self);
    /// Starts (`true`) or stops trusting the cache; either way drops what it holds, because
    /// notifications may have been missed while not listening.
    fn set_listening(&self, on: bool);
}

/// Whether a cache may be trusted, and a generation that every invalidation bumps, so a value
/// read from the database before an invalidation is never stored after it.
#[derive(Debug, Default)]
pub struct Freshness {
    generation: AtomicU64,
    listening: AtomicBool,
}

impl Freshness {
    /// True while notifications arrive, i.e. while the cache may be used.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// The current generation; read it before loading what will be stored.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// True when a value loaded at `generation` may be stored: listening, and nothing changed since.
    pub fn still(&self, generation: u64) -> bool {
        self.is_listening() && self.generation() == generation
    }

    /// Marks everything loaded so far as stale.
    pub fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Records whether notifications arrive; bumps the generation either way.
    pub fn set_listening(&self, on: bool) {
        self.bump();
        self.listening.store(on, Ordering::Release);
    }
}

/// Listens on every channel of `caches` until the process ends, dropping each cache whose
/// channel a notification names; reconnects after a lost connection, and while not connected
/// tells every cache to stop trusting itself.
pub async fn listen_all(pool: PgPool, caches: Vec<Arc<dyn Invalidated>>) {
    let mut channels: Vec<&str> = caches.iter().flat_map(|c| c.channels().iter().copied()).collect();
    channels.sort_unstable();
    channels.dedup();
    let set_listening = |on: bool| caches.iter().for_each(|c| c.set_listening(on));
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                // By default a lost connection is re-established (up to the pool's acquire
                // timeout) before `try_recv` reports it, and the caches would be trusted while
                // notifications go missing; report the loss at once instead.
                listener.eager_reconnect(false);
                if listener.listen_all(channels.iter().copied()).await.is_ok() {
                    set_listening(true);
                    // `try_recv` yields `None` when the connection dropped: anything may
                    // have changed meanwhile, so stop trusting the caches and reconnect.
                    while let Ok(Some(n)) = listener.try_recv().await {
                        // In the order given, so the model is dropped before what is built on it.
                        for c in caches.iter().filter(|c| c.channels().contains(&n.channel())) {
                            c.invalidate();
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "change listener cannot connect; not caching"),
        }
        set_listening(false);
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}
