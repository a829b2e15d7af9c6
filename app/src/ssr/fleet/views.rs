//! Views of the cached fleet map: the overview by site, a page of clusters, and what the map
//! page shows. Each filters the one computed map, so no request recomputes a recommendation.

use super::fleet;
use crate::AppError;
use crate::model::{
    FLEET_DETAIL_MAX, FLEET_SITES_PAGE, FLEET_STATUSES, Fleet, FleetCluster, FleetClusterPage, FleetOverview,
    FleetQuery, FleetSite, FleetSiteSummary, FleetView, RecordChoice,
};
use crate::ssr::Ctx;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// Largest page of `GET /api/v1/fleet/clusters`.
pub const MAX_FLEET_PAGE: usize = 5000;
/// Its page when none is asked for.
pub const DEFAULT_FLEET_PAGE: usize = 500;

fn check(q: &FleetQuery) -> Result<(), AppError> {
    let mut e = domain::ValidationError::default();
    if let Some(t) = q.tier.as_deref().filter(|s| !s.is_empty())
        && t.parse::<domain::Tier>().is_err()
    {
        e.add("tier", format!("'{t}' is not a tier; use cell, plant, regional or cloud"));
    }
    if let Some(c) = q.context.as_deref().filter(|s| !s.is_empty())
        && c.parse::<domain::Context>().is_err()
    {
        e.add("context", format!("'{c}' is not a context; use greenfield or brownfield"));
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty())
        && !FLEET_STATUSES.iter().any(|(v, _)| *v == s)
    {
        e.add(
            "status",
            format!(
                "'{s}' is not a status; use knock_out, warning, exception, contested, close, review_overdue, eol or drift"
            ),
        );
    }
    if e.fields.is_empty() { Ok(()) } else { Err(e.into()) }
}

/// `whatif=`: which clusters would be recommended something else if these weights replaced
/// their profile. Clusters with the same tier, knock-outs and winner are decided once.
struct WhatIf {
    weights: domain::Weights,
    /// One score table per tier, in [`domain::Tier::ALL`] order.
    tables: Vec<domain::ScoreTable>,
    flips: RefCell<HashMap<crate::model::WhatIfKey, bool>>,
}

impl WhatIf {
    async fn of(ctx: &Ctx, q: &FleetQuery) -> Result<Option<WhatIf>, AppError> {
        let Some(raw) = q.whatif.as_deref().filter(|s| !s.trim().is_empty()) else { return Ok(None) };
        let model = ctx.model().await?;
        let map: BTreeMap<String, f64> = serde_json::from_str(raw).map_err(|_| {
            AppError::field("whatif", "give the weights as a JSON map of criterion key to percent, summing to 100")
        })?;
        let weights = domain::Weights::from_percent_map(&model, &map)?;
        let tables = domain::Tier::ALL.iter().map(|&t| model.score_table(Some(t))).collect();
        Ok(Some(WhatIf { weights, tables, flips: RefCell::default() }))
    }

    fn flips(&self, c: &FleetCluster) -> bool {
        if c.problem.is_some() {
            return false;
        }
        let key = (c.tier, c.knocked_out.clone(), c.recommended.clone());
        if let Some(&hit) = self.flips.borrow().get(&key) {
            return hit;
        }
        let i = domain::Tier::ALL.iter().position(|&t| t == c.tier).unwrap_or_default();
        let flips = domain::fleet::winner_without(&self.tables[i], &c.knocked_out, &self.weights) != c.recommended;
        self.flips.borrow_mut().insert(key, flips);
        flips
    }
}

/// Each site passing the site filter with its clusters passing the others; sites without one
/// left out.
fn matching<'a>(
    fleet: &'a Fleet,
    q: &'a FleetQuery,
    whatif: &'a Option<WhatIf>,
) -> impl Iterator<Item = (&'a FleetSite, Vec<&'a FleetCluster>)> {
    fleet.sites.iter().filter(|s| q.matches_site(&s.name)).filter_map(move |s| {
        let cs: Vec<&FleetCluster> =
            s.clusters.iter().filter(|c| q.matches(c) && whatif.as_ref().is_none_or(|w| w.flips(c))).collect();
        (!cs.is_empty()).then_some((s, cs))
    })
}

fn overview(
    fleet: &Fleet,
    q: &FleetQuery,
    whatif: &Option<WhatIf>,
    page: Option<usize>,
) -> (FleetOverview, Vec<(FleetSite, Vec<FleetCluster>)>) {
    let all: Vec<(&FleetSite, Vec<&FleetCluster>)> = matching(fleet, q, whatif).collect();
    let offset = q.offset.unwrap_or(0).min(all.len());
    let take = page.or(q.limit).unwrap_or(all.len());
    let clusters = all.iter().map(|(_, cs)| cs.len()).sum();
    let shown: Vec<(FleetSite, Vec<FleetCluster>)> = all
        .iter()
        .skip(offset)
        .take(take)
        .map(|(s, cs)| {
            let bare = FleetSite { name: s.name.clone(), kind: s.kind, region: s.region.clone(), clusters: Vec::new() };
            (bare, cs.iter().map(|c| (*c).clone()).collect())
        })
        .collect();
    let o = FleetOverview {
        sites: shown.iter().map(|(s, cs)| FleetSiteSummary::of(s, cs)).collect(),
        sites_total: all.len(),
        offset,
        clusters,
        fleet_clusters: fleet.sites.iter().map(|s| s.clusters.len()).sum(),
        summary: fleet.summary.clone(),
        reviews: fleet.reviews,
        review_overdue: fleet.sites.iter().flat_map(|s| &s.clusters).filter(|c| !c.overdue_adrs.is_empty()).count(),
        versions: fleet.versions,
    };
    (o, shown)
}

/// `GET /api/v1/fleet`: every site with matching clusters, counted (anyone signed in).
pub async fn fleet_overview(ctx: &Ctx, q: &FleetQuery) -> Result<FleetOverview, AppError> {
    check(q)?;
    let whatif = WhatIf::of(ctx, q).await?;
    Ok(overview(&*fleet(ctx).await?, q, &whatif, None).0)
}

/// `GET /api/v1/fleet/clusters`: one page of the matching clusters, by site then name.
pub async fn fleet_clusters(ctx: &Ctx, q: &FleetQuery) -> Result<FleetClusterPage, AppError> {
    check(q)?;
    let limit = q.limit.unwrap_or(DEFAULT_FLEET_PAGE);
    if !(1..=MAX_FLEET_PAGE).contains(&limit) {
        return Err(AppError::field("limit", format!("give 1 to {MAX_FLEET_PAGE} clusters per page")));
    }
    let whatif = WhatIf::of(ctx, q).await?;
    let fleet = fleet(ctx).await?;
    let offset = q.offset.unwrap_or(0);
    let mut total = 0;
    let mut clusters = Vec::new();
    for (_, cs) in matching(&fleet, q, &whatif) {
        for c in cs {
            if total >= offset && clusters.len() < limit {
                clusters.push(c.clone());
            }
            total += 1;
        }
    }
    Ok(FleetClusterPage { clusters, total, offset, limit })
}

/// The options of "Record decision" for the filter's tier and context: the profile the fleet
/// applies there and its winner, preselected.
async fn record_choice(ctx: &Ctx, q: &FleetQuery) -> Result<RecordChoice, AppError> {
    let model = ctx.model().await?;
    let tier = q.tier.as_deref().and_then(|t| t.parse().ok());
    let context = q.context.as_deref().and_then(|c| c.parse().ok());
    let profiles = super::map::profiles(&ctx.pool, &model).await?;
    let picked = profiles.for_scope(tier, context);
    let winner = picked.and_then(|(_, w)| domain::evaluate(&model.score_table(tier), w).winner);
    let candidates = model
        .candidates
        .iter()
        .filter(|c| c.status == domain::CandidateStatus::Scored)
        .map(|c| (c.key.clone(), c.name.clone()))
        .collect();
    Ok(RecordChoice { candidates, profile: picked.map(|(p, _)| (p.id, p.name.clone())), winner })
}

/// The fleet map page: a page of sites counted, and their clusters when few enough match.
pub async fn fleet_view(ctx: &Ctx, q: &FleetQuery) -> Result<FleetView, AppError> {
    check(q)?;
    let whatif = WhatIf::of(ctx, q).await?;
    let fleet = fleet(ctx).await?;
    let (overview, shown) = overview(&fleet, q, &whatif, Some(FLEET_SITES_PAGE));
    let on_page: usize = shown.iter().map(|(_, cs)| cs.len()).sum();
    let detail = (on_page <= FLEET_DETAIL_MAX)
        .then(|| shown.into_iter().map(|(s, clusters)| FleetSite { clusters, ..s }).collect());
    let mut cnis: Vec<String> = fleet.summary.values().flat_map(|m| m.keys().cloned()).collect();
    cnis.sort();
    cnis.dedup();
    let recordable = if ctx.principal().me().role >= crate::model::Role::Architect {
        Some(record_choice(ctx, q).await?)
    } else {
        None
    };
    Ok(FleetView { overview, detail, cnis, recordable })
}
