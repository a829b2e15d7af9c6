//! A per-server cache of each cluster's recommendation, keyed by what it is computed from: the
//! profile it uses (id and version), the cluster's version, the release catalog's version and
//! the day (release lifecycles move with it). The decision model has no version number, so any
//! model or catalog change (`NOTIFY`) drops every entry instead.
//!
//! The fleet map, an ADR's fleet in scope and a review's re-run all recommend every cluster; with
//! this cache only clusters changed since the last computation are recommended again (a pin, an
//! edited fact, an import of a few rows), and the rest are looked up.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::model_cache::{self, Freshness, Invalidated};
use super::versions::catalog;
use domain::NaiveDate;
use domain::fleet::Recommendation;

/// What a cached recommendation was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecKey {
    /// The profile used.
    pub profile_id: i64,
    /// Its version then.
    pub profile_version: i32,
    /// The cluster's version then.
    pub cluster_version: i32,
    /// `catalog_state.version` then.
    pub catalog_version: i32,
    /// The day it was computed for.
    pub today: NaiveDate,
}

/// Recommendations by cluster id.
#[derive(Debug, Default)]
pub struct RecommendationCache {
    entries: RwLock<HashMap<i64, (RecKey, Arc<Recommendation>)>>,
    freshness: Freshness,
}

impl RecommendationCache {
    /// The generation to pass to [`RecommendationCache::store`]; read it before computing.
    pub fn generation(&self) -> u64 {
        self.freshness.generation()
    }

    /// The cached recommendation of cluster `id` when it was computed from `key`.
    pub fn get(&self, id: i64, key: &RecKey) -> Option<Arc<Recommendation>> {
        if !self.freshness.is_listening() {
            return None;
        }
        let g = self.entries.read().ok()?;
        g.get(&id).filter(|(k, _)| k == key).map(|(_, r)| r.clone())
    }

    /// Keeps recommendations computed since `generation`, unless something changed meanwhile.
    pub fn store(&self, generation: u64, fresh: Vec<(i64, RecKey, Arc<Recommendation>)>) {
        if fresh.is_empty() {
            return;
        }
        if let Ok(mut g) = self.entries.write()
            && self.freshness.still(generation)
        {
            for (id, key, rec) in fresh {
                g.insert(id, (key, rec));
            }
        }
    }

    /// Drops every entry.
    pub fn invalidate(&self) {
        self.freshness.bump();
        if let Ok(mut g) = self.entries.write() {
            g.clear();
        }
    }

    /// Cluster `id`'s entry, whatever it was computed from (tests).
    pub fn peek(&self, id: i64) -> Option<Arc<Recommendation>> {
        self.entries.read().ok()?.get(&id).map(|(_, r)| r.clone())
    }

    /// Entries held (tests and benchmarks).
    pub fn len(&self) -> usize {
        self.entries.read().map(|g| g.len()).unwrap_or(0)
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Invalidated for RecommendationCache {
    fn channels(&self) -> &'static [&'static str] {
        &[model_cache::CHANNEL, catalog::CHANNEL]
    }

    fn invalidate(&self) {
        RecommendationCache::invalidate(self);
    }

    fn set_listening(&self, on: bool) {
        self.freshness.set_listening(on);
        if let Ok(mut g) = self.entries.write() {
            g.clear();
        }
    }
}
