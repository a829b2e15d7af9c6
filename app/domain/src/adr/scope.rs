//! What part of the fleet a decision covers: tiers and contexts, named clusters, or everything.

use serde::{Deserialize, Serialize};

use crate::fleet::check_cluster_name;
use crate::{ClusterRecord, Context, Tier, ValidationError};

/// Most clusters a scope may name one by one; larger sets are a tier or context.
pub const MAX_SCOPE_CLUSTERS: usize = 500;

/// The clusters a decision covers. A cluster is in scope when it is named in `clusters`, or when
/// `tiers` or `contexts` is given and it matches both (an empty list matches any). An empty scope
/// is the whole fleet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scope {
    /// Tiers covered ("plant").
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Contexts covered ("brownfield").
    #[serde(default)]
    pub contexts: Vec<Context>,
    /// Clusters covered by name.
    #[serde(default)]
    pub clusters: Vec<String>,
}

impl Scope {
    /// The whole fleet.
    pub fn whole_fleet() -> Self {
        Self::default()
    }

    /// True when nothing narrows the scope.
    pub fn is_whole_fleet(&self) -> bool {
        self.tiers.is_empty() && self.contexts.is_empty() && self.clusters.is_empty()
    }

    /// True when `cluster` is in scope.
    pub fn covers(&self, cluster: &ClusterRecord) -> bool {
        if self.is_whole_fleet() || self.clusters.contains(&cluster.name) {
            return true;
        }
        if self.tiers.is_empty() && self.contexts.is_empty() {
            return false;
        }
        let tier_ok = self.tiers.is_empty() || self.tiers.contains(&cluster.facts.tier);
        let context_ok = self.contexts.is_empty() || cluster.facts.context.is_some_and(|c| self.contexts.contains(&c));
        tier_ok && context_ok
    }

    /// The scope with each list sorted and without repeats, or the problems under
    /// `scope.clusters[i]`.
    pub fn normalized(&self) -> Result<Scope, ValidationError> {
        let mut err = ValidationError::default();
        if self.clusters.len() > MAX_SCOPE_CLUSTERS {
            err.add(
                "scope.clusters",
                format!(
                    "{} clusters are named; name at most {MAX_SCOPE_CLUSTERS}, or scope the decision by tier and context",
                    self.clusters.len()
                ),
            );
        }
        for (i, name) in self.clusters.iter().enumerate() {
            if let Err(m) = check_cluster_name(name) {
                err.add(format!("scope.clusters[{i}]"), m);
            }
        }
        let mut out = self.clone();
        out.tiers.sort_unstable();
        out.tiers.dedup();
        out.contexts.sort_unstable();
        out.contexts.dedup();
        out.clusters.sort_unstable();
        out.clusters.dedup();
        err.into_result(out)
    }

    /// The scope in words: "the whole fleet", "plant tier, brownfield", "cell and plant tiers;
    /// clusters a and b".
    pub fn describe(&self) -> String {
        if self.is_whole_fleet() {
            return "the whole fleet".to_string();
        }
        let mut parts = Vec::new();
        if !self.tiers.is_empty() || !self.contexts.is_empty() {
            let tiers = match self.tiers.as_slice() {
                [] => "every tier".to_string(),
                [one] => format!("{one} tier"),
                many => format!("{} tiers", join_and(many.iter().map(|t| t.as_str()))),
            };
            let mut group = tiers;
            if !self.contexts.is_empty() {
                group.push_str(", ");
                group.push_str(&join_or(self.contexts.iter().map(|c| c.as_str())));
            }
            parts.push(group);
        }
        match self.clusters.as_slice() {
            [] => {}
            [one] => parts.push(format!("cluster {one}")),
            many => parts.push(format!("clusters {}", join_and(many.iter().map(String::as_str)))),
        }
        parts.join("; and ")
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    join_with(items, "and")
}

fn join_or<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    join_with(items, "or")
}

fn join_with<'a>(items: impl IntoIterator<Item = &'a str>, word: &str) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn cluster(name: &str, tier: Tier, context: Option<Context>) -> ClusterRecord {
        let mut c = ClusterRecord::new(name, "Leipzig", tier);
        c.facts.context = context;
        c
    }

    #[test]
    fn an_empty_scope_covers_the_whole_fleet() {
        let s = Scope::whole_fleet();
        assert!(s.covers(&cluster("cell-a", Tier::Cell, None)));
        assert_eq!(s.describe(), "the whole fleet");
    }

    #[test]
    fn a_tier_and_context_scope_covers_clusters_matching_both_and_named_ones() {
        let s =
            Scope { tiers: vec![Tier::Plant], contexts: vec![Context::Brownfield], clusters: vec!["cell-x".into()] };
        assert!(s.covers(&cluster("plant-a", Tier::Plant, Some(Context::Brownfield))));
        assert!(!s.covers(&cluster("plant-b", Tier::Plant, Some(Context::Greenfield))));
        assert!(!s.covers(&cluster("plant-c", Tier::Plant, None)));
        assert!(!s.covers(&cluster("cell-a", Tier::Cell, Some(Context::Brownfield))));
        assert!(s.covers(&cluster("cell-x", Tier::Cell, None)));
        assert_eq!(s.describe(), "plant tier, brownfield; and cluster cell-x");
    }

    #[test]
    fn a_scope_of_named_clusters_covers_only_those() {
        let s = Scope { clusters: vec!["cell-a".into(), "cell-b".into()], ..Scope::default() };
        assert!(s.covers(&cluster("cell-a", Tier::Cell, None)));
        assert!(!s.covers(&cluster("cell-c", Tier::Cell, None)));
        assert_eq!(s.describe(), "clusters cell-a and cell-b");
    }

    #[test]
    fn normalising_sorts_and_drops_repeats_and_names_bad_cluster_names() {
        let s = Scope { tiers: vec![Tier::Plant, Tier::Cell, Tier::Plant], contexts: vec![], clusters: vec![] };
        assert_eq!(s.normalized().unwrap().tiers, vec![Tier::Cell, Tier::Plant]);
        assert_eq!(s.normalized().unwrap().describe(), "cell and plant tiers");
        let bad = Scope { clusters: vec!["ok-1".into(), "Not OK".into()], ..Scope::default() };
        let err = bad.normalized().unwrap_err();
        assert!(err.fields["scope.clusters[1]"].contains("not a DNS label"), "{err}");
    }
}
