//! The fleet in scope of a decision, as the snapshot freezes it: which clusters, how many per
//! tier, recommended and decided CNI, the exceptions with their rationale, and the gates firing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::Scope;
use crate::{ClusterRecord, Context, Recommendation, Severity, Tier};

/// A gate firing on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiredGate {
    /// Candidate key.
    pub candidate: String,
    /// Gate code (`small_nodes`).
    pub code: String,
    /// Knock-out or warning.
    pub severity: Severity,
}

/// A cluster in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopedCluster {
    /// Cluster name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Its context, if known.
    pub context: Option<Context>,
    /// Gates firing for the scored candidates, sorted.
    pub gates: Vec<FiredGate>,
}

/// A cluster whose decided CNI differs from its recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetException {
    /// Cluster name.
    pub cluster: String,
    /// The CNI it runs or will run.
    pub decided: String,
    /// What Switchyard recommends, if anything.
    pub recommended: Option<String>,
    /// Why, when written.
    pub rationale: Option<String>,
}

/// The fleet in scope, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetScopeSummary {
    /// Clusters in scope, by name.
    pub clusters: Vec<ScopedCluster>,
    /// Count per tier (tiers without clusters are left out).
    pub by_tier: BTreeMap<Tier, u32>,
    /// Count per recommended CNI.
    pub by_recommended: BTreeMap<String, u32>,
    /// Clusters without a recommendation (every candidate knocked out, or a tie).
    pub no_recommendation: u32,
    /// Count per decided CNI.
    pub by_decided: BTreeMap<String, u32>,
    /// Clusters without a decided CNI.
    pub undecided: u32,
    /// Exceptions, by cluster name.
    pub exceptions: Vec<FleetException>,
}

impl FleetScopeSummary {
    /// Summarises the clusters `scope` covers, each with its recommendation.
    pub fn build<'a>(
        scope: &Scope,
        clusters: impl IntoIterator<Item = (&'a ClusterRecord, &'a Recommendation)>,
    ) -> FleetScopeSummary {
        let mut s = FleetScopeSummary::default();
        for (cluster, rec) in clusters.into_iter().filter(|(c, _)| scope.covers(c)) {
            *s.by_tier.entry(cluster.facts.tier).or_default() += 1;
            match &rec.winner {
                Some(w) => *s.by_recommended.entry(w.clone()).or_default() += 1,
                None => s.no_recommendation += 1,
            }
            match &cluster.decided_cni {
                Some(d) => *s.by_decided.entry(d.clone()).or_default() += 1,
                None => s.undecided += 1,
            }
            if let (true, Some(decided)) = (rec.exception, &cluster.decided_cni) {
                s.exceptions.push(FleetException {
                    cluster: cluster.name.clone(),
                    decided: decided.clone(),
                    recommended: rec.winner.clone(),
                    rationale: cluster
                        .exception_rationale
                        .as_deref()
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_string),
                });
            }
            let scored = |cand: &str| rec.results.iter().any(|r| r.candidate == cand);
            let mut gates: Vec<FiredGate> = rec
                .gates
                .iter()
                .filter(|g| scored(&g.candidate))
                .map(|g| FiredGate { candidate: g.candidate.clone(), code: g.code.clone(), severity: g.severity })
                .collect();
            gates.sort();
            gates.dedup();
            s.clusters.push(ScopedCluster {
                name: cluster.name.clone(),
                tier: cluster.facts.tier,
                context: cluster.facts.context,
                gates,
            });
        }
        s.clusters.sort_by(|a, b| a.name.cmp(&b.name));
        s.exceptions.sort_by(|a, b| a.cluster.cmp(&b.cluster));
        s
    }

    /// Number of clusters in scope.
    pub fn total(&self) -> usize {
        self.clusters.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::catalog::catalog;
    use crate::fleet::demo_fleet;
    use crate::reference::reference;
    use crate::{NaiveDate, ProfileChoice, Weights, pick_profile, recommend};

    #[test]
    fn the_demo_fleet_summarises_by_tier_recommendation_decision_and_exception() {
        let r = reference().unwrap();
        let model = r.model();
        let catalog = catalog().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let profiles: Vec<_> = r.profiles.iter().enumerate().map(|(i, p)| (i as i64, p.tier, p.context)).collect();
        let weights: Vec<Weights> =
            r.profiles.iter().map(|p| Weights::from_percent_map(&model, &p.weights).unwrap()).collect();
        let fleet = demo_fleet();
        let recs: Vec<Recommendation> = fleet
            .clusters
            .iter()
            .map(|c| {
                let id = pick_profile(&profiles, c.facts.tier, c.facts.context, c.profile_id).unwrap();
                let i = id as usize;
                let choice = ProfileChoice { id, name: &r.profiles[i].name, weights: &weights[i] };
                recommend(&model, choice, c, &catalog, today).unwrap()
            })
            .collect();
        let s = FleetScopeSummary::build(&Scope::whole_fleet(), fleet.clusters.iter().zip(&recs));
        assert_eq!(s.total(), fleet.clusters.len());
        assert_eq!(s.by_tier.values().sum::<u32>() as usize, s.total());
        assert_eq!(s.by_recommended.values().sum::<u32>() + s.no_recommendation, s.total() as u32);
        assert!(s.clusters.windows(2).all(|w| w[0].name < w[1].name));
        assert!(!s.exceptions.is_empty(), "the demo decides some clusters against the recommendation");
        assert!(s.exceptions.iter().all(|e| e.rationale.is_some()), "every demo exception has a rationale");
        assert!(s.clusters.iter().flat_map(|c| &c.gates).all(|g| g.candidate != "flannel"), "only scored candidates");

        let brownfield = Scope { tiers: vec![Tier::Plant], contexts: vec![Context::Brownfield], clusters: vec![] };
        let b = FleetScopeSummary::build(&brownfield, fleet.clusters.iter().zip(&recs));
        assert_eq!(b.by_tier.keys().collect::<Vec<_>>(), [&Tier::Plant]);
        assert_eq!(b.total(), 3, "three brownfield plants in the demo");
    }
}
