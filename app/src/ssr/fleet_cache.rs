//! A per-server copy of the computed fleet map.
//!
//! The map recommends every cluster (tens of milliseconds for 10,000 of them, plus reading every
//! site, cluster and profile), yet changes only when the fleet, a profile or the model changes,
//! or when the date does (release lifecycles depend on `today()`). So the whole [`Fleet`] is kept
//! and dropped on `NOTIFY switchyard_fleet_changed` (triggers on clusters, sites, profiles and
//! profile weights, `migrations/0007_auth_notify.sql`) and `switchyard_model_changed`, and
//! recomputed when the date it was computed for is over. The whole value rather than
//! per-cluster recommendations: a per-cluster cache would still read all 10,000 clusters per
//! request to check their versions, and any change here is rare next to reads of the map.
//! While the listener is not connected the map is computed per request, as before.

use std::future::Future;
use std::sync::{Arc, RwLock};

use super::model_cache::{self, Freshness, Invalidated};
use crate::AppError;
use crate::model::Fleet;

/// The notification channel.
pub const CHANNEL: &str = "switchyard_fleet_changed";

/// The cached map and its invalidation state.
#[derive(Debug, Default)]
pub struct FleetCache {
    map: RwLock<Option<(domain::NaiveDate, Arc<Fleet>)>>,
    freshness: Freshness,
    /// One computation at a time: after a change, concurrent requests wait for the first one's
    /// result instead of each recomputing the whole fleet.
    computing: tokio::sync::Mutex<()>,
}

impl FleetCache {
    fn cached(&self, today: domain::NaiveDate) -> Option<Arc<Fleet>> {
        let g = self.map.read().ok()?;
        g.as_ref().filter(|(date, _)| *date == today).map(|(_, f)| f.clone())
    }

    /// The map, from the cache when it is trustworthy and computed for today, otherwise from
    /// `compute`, which must read everything (model included) only after it is called.
    pub async fn get<F, Fut>(&self, compute: F) -> Result<Arc<Fleet>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fleet, AppError>>,
    {
        if !self.freshness.is_listening() {
            return compute().await.map(Arc::new);
        }
        let today = super::fleet::today();
        if let Some(f) = self.cached(today) {
            return Ok(f);
        }
        let _one = self.computing.lock().await;
        // Someone else may have computed it while this request waited.
        if let Some(f) = self.cached(today) {
            return Ok(f);
        }
        // Read before computing, so a change notified during the computation keeps its result
        // out of the cache.
        let generation = self.freshness.generation();
        let fresh = Arc::new(compute().await?);
        if let Ok(mut g) = self.map.write()
            && self.freshness.still(generation)
        {
            *g = Some((today, fresh.clone()));
        }
        Ok(fresh)
    }

    /// Drops the cached map.
    pub fn invalidate(&self) {
        self.freshness.bump();
        if let Ok(mut g) = self.map.write() {
            *g = None;
        }
    }

    /// True while change notifications arrive, i.e. while the cache is used.
    pub fn is_listening(&self) -> bool {
        self.freshness.is_listening()
    }
}

impl Invalidated for FleetCache {
    fn channels(&self) -> &'static [&'static str] {
        &[CHANNEL, model_cache::CHANNEL]
    }

    fn invalidate(&self) {
        FleetCache::invalidate(self);
    }

    fn set_listening(&self, on: bool) {
        self.freshness.set_listening(on);
        if let Ok(mut g) = self.map.write() {
            *g = None;
        }
    }
}
