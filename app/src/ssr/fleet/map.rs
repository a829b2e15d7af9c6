//! Recommendations: each cluster's profile, gates and winner, and the fleet map built from them.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use sqlx::PgPool;

use super::store;
use crate::AppError;
use crate::model::{
    Cluster, ClusterFilter, Fleet, FleetCluster, FleetSite, Profile, ReviewCounts, VersionCounts, VersionRow,
};
use crate::ssr::recommend_cache::{RecKey, RecommendationCache};
use crate::ssr::versions::Catalogs;
use domain::adr::{FleetScopeSummary, ReviewState, Scope, TierProfile};
use domain::fleet::{ClusterRecord, ProfileChoice, Recommendation, Recommender, SiteKind, pick_profile};
use domain::{Catalog, Context, Model, Tier, Weights};

/// The release catalog bundled with the domain crate, parsed once.
pub fn catalog() -> Result<&'static Catalog, AppError> {
    static CATALOG: OnceLock<Option<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            domain::catalog::catalog()
                .map_err(|e| tracing::error!(error = %e, "the bundled release catalog does not parse"))
                .ok()
        })
        .as_ref()
        .ok_or(AppError::Internal)
}

/// Today's date (UTC), for release lifecycles: the domain crate has no clock.
pub fn today() -> domain::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Profile keys in the order that decides defaults: the oldest profile for a tier and context
/// is its default, so a new draft never silently takes over a tier.
pub(crate) fn default_order(list: &[Profile]) -> Vec<(i64, Option<Tier>, Option<Context>)> {
    let mut keys: Vec<_> = list.iter().map(|p| (p.id, p.tier, p.context)).collect();
    keys.sort_by_key(|k| k.0);
    keys
}

/// Every profile with its weights, ready to recommend with.
pub(super) struct Profiles {
    pub list: Vec<Profile>,
    weights: Vec<Weights>,
    keys: Vec<(i64, Option<Tier>, Option<Context>)>,
}

pub(super) async fn profiles(pool: &PgPool, model: &Model) -> Result<Profiles, AppError> {
    let list = crate::ssr::profiles::list_all(pool, model).await?;
    let weights = list
        .iter()
        .map(|p| {
            Weights::from_percent_map_unchecked(model, &p.weights)
                .unwrap_or_else(|_| Weights(vec![0; model.criteria.len()]))
        })
        .collect();
    Ok(Profiles { keys: default_order(&list), list, weights })
}

impl Profiles {
    /// The profile the fleet applies to clusters of `tier` and `context` (no tier: the default
    /// profile), with its weights.
    pub(super) fn for_scope(&self, tier: Option<Tier>, context: Option<Context>) -> Option<(&Profile, &Weights)> {
        let id = match tier {
            Some(t) => pick_profile(&self.keys, t, context, None),
            None => self.keys.iter().find(|k| k.1.is_none()).map(|k| k.0),
        }?;
        let i = self.list.iter().position(|p| p.id == id)?;
        Some((&self.list[i], &self.weights[i]))
    }
}

pub(super) fn recommend_with(
    r: &Recommender<'_>,
    ps: &Profiles,
    c: &ClusterRecord,
) -> Result<Recommendation, AppError> {
    let (id, i) = profile_of(ps, c)?;
    let choice = ProfileChoice { id, name: &ps.list[i].name, weights: &ps.weights[i] };
    Ok(r.recommend(choice, c)?)
}

/// Recommends clusters through this server's [`RecommendationCache`] (when given): a cluster
/// whose profile, own version, the catalog's version and the day are those of its cached
/// recommendation is looked up; the others are computed and kept by [`Cached::finish`].
pub(super) struct Cached<'a> {
    r: Recommender<'a>,
    ps: &'a Profiles,
    cache: Option<&'a RecommendationCache>,
    generation: u64,
    catalog_version: i32,
    today: domain::NaiveDate,
    fresh: Vec<(i64, RecKey, Arc<Recommendation>)>,
}

impl<'a> Cached<'a> {
    pub(super) fn new(
        r: Recommender<'a>,
        ps: &'a Profiles,
        cache: Option<&'a RecommendationCache>,
        catalog_version: i32,
        today: domain::NaiveDate,
    ) -> Self {
        let generation = cache.map_or(0, RecommendationCache::generation);
        Cached { r, ps, cache, generation, catalog_version, today, fresh: Vec::new() }
    }

    pub(super) fn recommend(&mut self, c: &Cluster) -> Result<Arc<Recommendation>, AppError> {
        let (id, i) = profile_of(self.ps, &c.record)?;
        let key = RecKey {
            profile_id: id,
            profile_version: self.ps.list[i].version,
            cluster_version: c.version,
            catalog_version: self.catalog_version,
            today: self.today,
        };
        if let Some(hit) = self.cache.and_then(|cache| cache.get(c.id, &key)) {
            return Ok(hit);
        }
        let choice = ProfileChoice { id, name: &self.ps.list[i].name, weights: &self.ps.weights[i] };
        let rec = Arc::new(self.r.recommend(choice, &c.record)?);
        if self.cache.is_some() {
            self.fresh.push((c.id, key, rec.clone()));
        }
        Ok(rec)
    }

    /// Keeps what was computed.
    pub(super) fn finish(self) {
        if let Some(cache) = self.cache {
            cache.store(self.generation, self.fresh);
        }
    }
}

/// The profile a cluster uses: its id and its index in `ps.list`.
fn profile_of(ps: &Profiles, c: &ClusterRecord) -> Result<(i64, usize), AppError> {
    let id = pick_profile(&ps.keys, c.facts.tier, c.facts.context, c.profile_id).ok_or_else(|| {
        AppError::field("profile_id", "no weight profile applies; create a default profile without a tier")
    })?;
    let i = ps
        .list
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| AppError::field("profile_id", format!("no profile with id {id}")))?;
    Ok((id, i))
}

/// The recommendation for one cluster record with `catalog`'s gates.
pub(super) async fn recommendation(
    pool: &PgPool,
    model: &Model,
    catalog: &Catalog,
    c: &ClusterRecord,
) -> Result<Recommendation, AppError> {
    recommend_with(&Recommender::new(model, catalog, today()), &profiles(pool, model).await?, c)
}

/// What an ADR's snapshot takes from the fleet: the saved profiles (the weights may come from
/// one), those with a tier (the per-tier outcomes) and the clusters in scope, each recommended
/// once.
pub struct DecisionContext {
    /// Every saved profile, in [`default_order`].
    pub profiles: Vec<Profile>,
    /// The profiles with a tier whose weights sum to 100 %.
    pub tier_profiles: Vec<TierProfile>,
    /// The clusters in scope with their recommendations, summarised.
    pub fleet: FleetScopeSummary,
}

impl DecisionContext {
    /// The default profile: the oldest one without a tier, as for clusters.
    pub fn default_profile(&self) -> Option<&Profile> {
        let keys = default_order(&self.profiles);
        let id = keys.iter().find(|k| k.1.is_none()).map(|k| k.0)?;
        self.profiles.iter().find(|p| p.id == id)
    }
}

/// The [`DecisionContext`] of `scope` on today's fleet.
pub async fn decision_context(
    pool: &PgPool,
    model: &Model,
    scope: &Scope,
    cached: Option<(&RecommendationCache, Arc<Vec<Cluster>>)>,
) -> Result<DecisionContext, AppError> {
    let ps = profiles(pool, model).await?;
    let mut tier_profiles = Vec::new();
    for (i, p) in ps.list.iter().enumerate() {
        let Some(tier) = p.tier else { continue };
        let weights = ps.weights[i].clone();
        match weights.validate_sum(model) {
            Ok(()) => tier_profiles.push(TierProfile { name: p.name.clone(), tier, context: p.context, weights }),
            // Criteria added since it was saved: left out of the per-tier outcomes until edited.
            Err(e) => tracing::warn!(profile = %p.name, error = %e, "tier profile left out of an ADR snapshot"),
        }
    }
    let catalogs = crate::ssr::versions::catalog::load(pool).await?;
    let (recs, clusters) = match cached {
        Some((recs, clusters)) => (Some(recs), clusters),
        None => (None, Arc::new(store::clusters(pool, &ClusterFilter::default()).await?)),
    };
    let mut cached =
        Cached::new(Recommender::new(model, &catalogs.gates, today()), &ps, recs, catalogs.version, today());
    let mut scoped = Vec::new();
    for c in clusters.iter().filter(|c| scope.covers(&c.record)) {
        match cached.recommend(c) {
            Ok(rec) => scoped.push((&c.record, rec)),
            Err(e) => {
                tracing::warn!(cluster = %c.record.name, error = %e, "cluster without a recommendation left out of an ADR snapshot")
            }
        }
    }
    cached.finish();
    let fleet = FleetScopeSummary::build(scope, scoped.iter().map(|(c, r)| (*c, &**r)));
    Ok(DecisionContext { profiles: ps.list, tier_profiles, fleet })
}

/// Every cluster as the GitOps hand-off sees it: its CNI (decided, else recommended), the
/// profile behind it, the pod MTU for that CNI and the newest accepted ADR that covers it and
/// chose that CNI. Reads the map's clusters and cached recommendations.
pub async fn gitops_inputs(
    pool: &PgPool,
    model: &Model,
    clusters: &[Cluster],
    recs: Option<&RecommendationCache>,
) -> Result<Vec<domain::gitops::GitopsCluster>, AppError> {
    use domain::gitops::{AdrRef, GitopsCluster};
    let ps = profiles(pool, model).await?;
    let catalogs = crate::ssr::versions::catalog::load(pool).await?;
    let adrs = crate::ssr::adrs::accepted_decisions(pool).await?;
    let mut cached =
        Cached::new(Recommender::new(model, &catalogs.gates, today()), &ps, recs, catalogs.version, today());
    let mut out = Vec::with_capacity(clusters.len());
    for c in clusters {
        let r = &c.record;
        let rec = cached.recommend(c).ok();
        let cni = r.decided_cni.clone().or_else(|| rec.as_ref().and_then(|x| x.winner.clone()));
        let adr = cni.as_deref().and_then(|cni| {
            adrs.iter()
                .find(|(_, _, chosen, scope)| chosen == cni && scope.covers(r))
                .map(|(number, title, _, _)| AdrRef { number: *number, title: title.clone() })
        });
        let pod_mtu = cni.as_deref().and_then(|k| domain::pod_mtu(&r.facts, &catalogs.gates, k));
        out.push(GitopsCluster {
            name: r.name.clone(),
            site: r.site.clone(),
            facts: r.facts.clone(),
            cni,
            profile: rec.map(|x| x.profile_name.clone()).unwrap_or_default(),
            adr,
            pod_mtu,
        });
    }
    cached.finish();
    Ok(out)
}

/// Every site with its clusters' recommendations, and the tier × CNI summary.
pub(super) async fn fleet(
    pool: &PgPool,
    model: &Model,
    catalogs: &Catalogs,
    recs: Option<&RecommendationCache>,
) -> Result<Fleet, AppError> {
    let ps = profiles(pool, model).await?;
    let mut cached =
        Cached::new(Recommender::new(model, &catalogs.gates, today()), &ps, recs, catalogs.version, today());
    let version_rows = crate::ssr::versions::table::rows_with(pool, &catalogs.versions, today()).await?;
    let versions: std::collections::HashMap<i64, &VersionRow> = version_rows.iter().map(|r| (r.id, r)).collect();
    let mut version_counts = VersionCounts::default();
    let sites = store::sites(pool).await?;
    let clusters = store::clusters(pool, &ClusterFilter::default()).await?;
    let on = today();
    let accepted = crate::ssr::adrs::accepted_scopes(pool).await?;
    let mut reviews = ReviewCounts::default();
    let mut overdue: Vec<(domain::adr::AdrNumber, Scope)> = Vec::new();
    for (number, review_by, scope) in accepted {
        match ReviewState::of(review_by, on) {
            ReviewState::Overdue => {
                reviews.overdue += 1;
                overdue.push((number, scope));
            }
            ReviewState::DueSoon => reviews.due_soon += 1,
            ReviewState::Later => reviews.later += 1,
        }
    }
    let overdue_for =
        |r: &ClusterRecord| overdue.iter().filter(|(_, s)| s.covers(r)).map(|(n, _)| *n).collect::<Vec<_>>();
    let mut by_site: BTreeMap<String, Vec<FleetCluster>> = BTreeMap::new();
    let mut summary: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for c in clusters.iter().cloned() {
        let (eol, version_drift) = match versions.get(&c.id) {
            Some(v) => {
                version_counts.count(v);
                (v.status == domain::versions::LifecycleStatus::Eol, v.drift)
            }
            None => (false, false),
        };
        let rec = match cached.recommend(&c) {
            Ok(rec) => rec,
            Err(e) => {
                let overdue_adrs = overdue_for(&c.record);
                let r = c.record;
                tracing::warn!(cluster = %r.name, error = %e, "no recommendation for a cluster on the fleet map");
                let cni = r.decided_cni.clone().unwrap_or_else(|| "undecided".into());
                *summary.entry(r.facts.tier.as_str().to_string()).or_default().entry(cni).or_default() += 1;
                by_site.entry(r.site.clone()).or_default().push(FleetCluster {
                    id: c.id,
                    name: r.name,
                    site: r.site,
                    tier: r.facts.tier,
                    context: r.facts.context,
                    recommended: None,
                    decided: r.decided_cni,
                    knock_outs: 0,
                    warnings: 0,
                    margin: 0.0,
                    clear_winner: false,
                    exception: false,
                    problem: Some(e.to_string()),
                    overdue_adrs,
                    eol,
                    drift: version_drift,
                    acceptability: None,
                    contested: true,
                    knocked_out: Vec::new(),
                });
                continue;
            }
        };
        let overdue_adrs = overdue_for(&c.record);
        let r = c.record;
        let cni = r.decided_cni.clone().or_else(|| rec.winner.clone()).unwrap_or_else(|| "undecided".into());
        *summary.entry(r.facts.tier.as_str().to_string()).or_default().entry(cni).or_default() += 1;
        // Only gates on scored candidates count on the map: Flannel's permanent "no NetworkPolicy"
        // knock-out would otherwise badge every cluster.
        let relevant: Vec<&domain::Gate> =
            rec.gates.iter().filter(|g| rec.results.iter().any(|o| o.candidate == g.candidate)).collect();
        let knock_outs = relevant.iter().filter(|g| g.is_knock_out()).count();
        by_site.entry(r.site.clone()).or_default().push(FleetCluster {
            id: c.id,
            name: r.name,
            site: r.site,
            tier: r.facts.tier,
            context: r.facts.context,
            recommended: rec.winner.clone(),
            decided: r.decided_cni,
            knock_outs,
            warnings: relevant.len() - knock_outs,
            margin: rec.margin,
            clear_winner: rec.clear_winner,
            exception: rec.exception,
            problem: None,
            overdue_adrs,
            eol,
            drift: version_drift,
            acceptability: rec.acceptability,
            contested: rec.contested(),
            knocked_out: rec.results.iter().filter(|o| o.knocked_out).map(|o| o.candidate.clone()).collect(),
        });
    }
    cached.finish();
    let sites = sites
        .into_iter()
        .map(|s| {
            let region = match s.record.kind {
                SiteKind::Region => Some(s.record.name.clone()),
                SiteKind::Plant => s.record.region.clone(),
            };
            FleetSite {
                clusters: by_site.remove(&s.record.name).unwrap_or_default(),
                name: s.record.name,
                kind: s.record.kind,
                region,
            }
        })
        .collect();
    drop(versions);
    let mut fleet = Fleet {
        sites,
        summary,
        reviews,
        versions: version_counts,
        version_rows: Arc::new(version_rows),
        clusters: Arc::new(clusters),
        whatif: Arc::default(),
    };
    fleet.whatif = Arc::new(crate::model::WhatIfFleet::of(&fleet));
    Ok(fleet)
}
