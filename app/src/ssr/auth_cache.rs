//! A per-server memory of verified API tokens and session cookies, keyed by their SHA-256.
//!
//! Looking a credential up costs a database round trip per request, more than an evaluation
//! itself. A verified principal is kept for at most [`TTL`] (less when the token or session
//! expires sooner), and dropped at once on `NOTIFY switchyard_auth_changed`, which triggers
//! (`migrations/0007_auth_notify.sql`) send whenever a token is revoked or changed, a session
//! ends, or a user changes (role, disabled, password): a revocation on any server reaches every
//! server's cache as soon as it commits. While the listener is not connected nothing is cached,
//! as with the model cache ([`super::model_cache`]). Only verified credentials are kept, so a
//! flood of made-up tokens cannot fill the memory.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use super::auth::Principal;
use super::model_cache::{Freshness, Invalidated};

/// The notification channel.
pub const CHANNEL: &str = "switchyard_auth_changed";

/// How long a verified credential is trusted without asking the database again. Short, so
/// `last_used_at` / `last_seen_at` (written by the database path at most once a minute) stay
/// close to the truth, and a missed notification could not matter for long.
pub const TTL: Duration = Duration::from_secs(30);

/// Entries beyond which expired ones are swept (and, if still too many, all are dropped).
const MAX_ENTRIES: usize = 10_000;

/// What a cached credential is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An API token.
    Token,
    /// A session cookie.
    Session,
}

#[derive(Debug)]
struct Entry {
    principal: Principal,
    until: Instant,
}

/// Verified principals by credential hash.
#[derive(Debug, Default)]
pub struct AuthCache {
    entries: RwLock<HashMap<(Kind, Vec<u8>), Entry>>,
    freshness: Freshness,
}

impl AuthCache {
    /// The principal of a credential verified less than [`TTL`] ago, while the cache is trusted.
    pub fn get(&self, kind: Kind, hash: &[u8]) -> Option<Principal> {
        if !self.freshness.is_listening() {
            return None;
        }
        let entries = self.entries.read().ok()?;
        let e = entries.get(&(kind, hash.to_vec()))?;
        (e.until > Instant::now()).then(|| e.principal.clone())
    }

    /// The generation to pass to [`AuthCache::put`]; read it before asking the database.
    pub fn generation(&self) -> u64 {
        self.freshness.generation()
    }

    /// Keeps a principal the database confirmed after [`AuthCache::generation`] returned
    /// `generation`, for [`TTL`] or `valid_for` seconds (the credential's own expiry) if sooner.
    /// Nothing is kept when anything changed since.
    pub fn put(&self, kind: Kind, hash: Vec<u8>, principal: Principal, generation: u64, valid_for: Option<f64>) {
        let ttl = valid_for.map_or(TTL, |s| TTL.min(Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(TTL)));
        if ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.write() else { return };
        // Checked under the write lock: `invalidate` clears under the same lock after bumping
        // the generation, so an entry cannot slip in after a clear it should have lost to.
        if !self.freshness.still(generation) {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            let now = Instant::now();
            entries.retain(|_, e| e.until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert((kind, hash), Entry { principal, until: Instant::now() + ttl });
    }

    /// Drops every cached principal.
    pub fn invalidate(&self) {
        self.freshness.bump();
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// True while change notifications arrive, i.e. while the cache is used.
    pub fn is_listening(&self) -> bool {
        self.freshness.is_listening()
    }
}

impl Invalidated for AuthCache {
    fn channels(&self) -> &'static [&'static str] {
        &[CHANNEL]
    }

    fn invalidate(&self) {
        AuthCache::invalidate(self);
    }

    fn set_listening(&self, on: bool) {
        self.freshness.set_listening(on);
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}
