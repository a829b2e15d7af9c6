//! What changed between the snapshot an ADR was decided on and the model of the review day:
//! weights, scores and rationales, totals, margin and winners, per-tier winners, and the fleet in
//! scope. [`SnapshotDiff::summary_lines`] says it in words.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::{FiredGate, FleetException, Snapshot};
use crate::{Context, Tier};

/// A value then and now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThenNow<T> {
    /// In the ADR's snapshot.
    pub then: T,
    /// In today's model.
    pub now: T,
}

impl<T: PartialEq> ThenNow<T> {
    /// True when the value moved.
    pub fn changed(&self) -> bool {
        self.then != self.now
    }
}

/// A criterion whose weight changed (or that was added or removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeightChange {
    /// Criterion key.
    pub criterion: String,
    /// Its name (today's, else the snapshot's).
    pub name: String,
    /// Tenths of a percent then, `None` when the criterion is new.
    pub then: Option<u32>,
    /// Tenths of a percent now, `None` when it was removed.
    pub now: Option<u32>,
}

/// A score and its rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreValue {
    /// 0–5.
    pub score: u8,
    /// Why.
    pub rationale: String,
}

/// A base score or tier override whose value or rationale changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreChange {
    /// Candidate key.
    pub candidate: String,
    /// Criterion key.
    pub criterion: String,
    /// `None` for a base score, `Some(tier)` for that tier's override.
    pub tier: Option<Tier>,
    /// Then, `None` when it did not exist.
    pub then: Option<ScoreValue>,
    /// Now, `None` when it was removed.
    pub now: Option<ScoreValue>,
}

/// A candidate's weighted total then and now (thousandths of a point).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotalChange {
    /// Candidate key.
    pub candidate: String,
    /// Then, `None` when it was not scored.
    pub then: Option<u32>,
    /// Now, `None` when it is no longer scored.
    pub now: Option<u32>,
}

/// A per-tier outcome whose winner changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierWinnerChange {
    /// Tier.
    pub tier: Tier,
    /// The profile's context.
    pub context: Option<Context>,
    /// The profile, `None` for the decision's own weights.
    pub profile: Option<String>,
    /// Winner then (`None`: a tie, or the row did not exist).
    pub then: Option<String>,
    /// Winner now.
    pub now: Option<String>,
}

/// Gates that fire now on a cluster and did not at the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterGates {
    /// Cluster name.
    pub cluster: String,
    /// The new gates.
    pub gates: Vec<FiredGate>,
}

/// How the fleet in scope changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetDiff {
    /// Clusters in scope then and now.
    pub clusters: ThenNow<u32>,
    /// Clusters in scope now and not then, by name.
    pub added: Vec<String>,
    /// Clusters in scope then and not now.
    pub removed: Vec<String>,
    /// Exceptions now that were not then (or whose decided CNI changed).
    pub new_exceptions: Vec<FleetException>,
    /// Clusters that were exceptions then and are not now.
    pub resolved_exceptions: Vec<String>,
    /// Clusters in scope both times with gates that now fire.
    pub new_gates: Vec<ClusterGates>,
}

impl FleetDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.clusters.changed()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.new_exceptions.is_empty()
            && self.resolved_exceptions.is_empty()
            && self.new_gates.is_empty()
    }
}

/// Everything that changed between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotDiff {
    /// Weights that moved, in today's criterion order (removed criteria last).
    pub weights: Vec<WeightChange>,
    /// Scores or rationales that changed.
    pub scores: Vec<ScoreChange>,
    /// Every candidate's total then and now, changed or not (for the then-vs-now chart).
    pub totals: Vec<TotalChange>,
    /// The winner then and now.
    pub winner: ThenNow<Option<String>>,
    /// The margin then and now (thousandths of a point).
    pub margin: ThenNow<u32>,
    /// Whether the winner was clear then and now.
    pub clear_winner: ThenNow<bool>,
    /// Per-tier outcomes whose winner changed.
    pub tier_winners: Vec<TierWinnerChange>,
    /// The fleet in scope.
    pub fleet: FleetDiff,
    /// Display names of every candidate and criterion mentioned, by key, for the summary.
    pub names: BTreeMap<String, String>,
}

impl SnapshotDiff {
    /// The changes from `then` (the ADR's snapshot) to `now` (today's model).
    pub fn between(then: &Snapshot, now: &Snapshot) -> SnapshotDiff {
        let mut names = BTreeMap::new();
        for s in [then, now] {
            names.extend(s.criteria.iter().map(|c| (c.key.clone(), c.name.clone())));
            names.extend(s.options.iter().map(|o| (o.key.clone(), o.name.clone())));
            names.extend(s.dismissed.iter().map(|o| (o.key.clone(), o.name.clone())));
        }
        SnapshotDiff {
            weights: weight_changes(then, now),
            scores: score_changes(then, now),
            totals: total_changes(then, now),
            winner: ThenNow { then: then.winner.clone(), now: now.winner.clone() },
            margin: ThenNow { then: then.margin, now: now.margin },
            clear_winner: ThenNow { then: then.clear_winner, now: now.clear_winner },
            tier_winners: tier_winner_changes(then, now),
            fleet: fleet_diff(then, now),
            names,
        }
    }

    /// True when anything at all changed.
    pub fn has_changes(&self) -> bool {
        !self.weights.is_empty()
            || !self.scores.is_empty()
            || self.totals.iter().any(|t| t.then != t.now)
            || self.winner.changed()
            || self.margin.changed()
            || self.clear_winner.changed()
            || !self.tier_winners.is_empty()
            || !self.fleet.is_empty()
    }

    /// The display name of a candidate or criterion key.
    pub fn name<'a>(&'a self, key: &'a str) -> &'a str {
        self.names.get(key).map_or(key, String::as_str)
    }
}

fn weight_changes(then: &Snapshot, now: &Snapshot) -> Vec<WeightChange> {
    let old: BTreeMap<&str, u32> = then.criteria.iter().map(|c| (c.key.as_str(), c.weight)).collect();
    let mut out: Vec<WeightChange> = now
        .criteria
        .iter()
        .filter(|c| old.get(c.key.as_str()) != Some(&c.weight))
        .map(|c| WeightChange {
            criterion: c.key.clone(),
            name: c.name.clone(),
            then: old.get(c.key.as_str()).copied(),
            now: Some(c.weight),
        })
        .collect();
    out.extend(then.criteria.iter().filter(|c| now.criterion(&c.key).is_none()).map(|c| WeightChange {
        criterion: c.key.clone(),
        name: c.name.clone(),
        then: Some(c.weight),
        now: None,
    }));
    out
}

/// A score's identity: candidate, criterion and the tier of an override.
type ScoreKey<'a> = (&'a str, &'a str, Option<Tier>);

/// Every base score and override of a snapshot, in the snapshot's order.
fn all_scores(s: &Snapshot) -> Vec<(ScoreKey<'_>, ScoreValue)> {
    let mut out = Vec::new();
    for o in &s.options {
        for sc in &o.scores {
            let value = ScoreValue { score: sc.score, rationale: sc.rationale.clone() };
            out.push(((o.key.as_str(), sc.criterion.as_str(), None), value));
        }
        for ov in &o.overrides {
            let value = ScoreValue { score: ov.score, rationale: ov.rationale.clone() };
            out.push(((o.key.as_str(), ov.criterion.as_str(), Some(ov.tier)), value));
        }
    }
    out
}

fn score_changes(then: &Snapshot, now: &Snapshot) -> Vec<ScoreChange> {
    let old = all_scores(then);
    let new = all_scores(now);
    let old_map: BTreeMap<_, _> = old.iter().map(|(k, v)| (*k, v)).collect();
    let new_map: BTreeMap<_, _> = new.iter().map(|(k, v)| (*k, v)).collect();
    let change =
        |(cand, crit, tier): (&str, &str, Option<Tier>), then: Option<&ScoreValue>, now: Option<&ScoreValue>| {
            ScoreChange {
                candidate: cand.to_string(),
                criterion: crit.to_string(),
                tier,
                then: then.cloned(),
                now: now.cloned(),
            }
        };
    let mut out: Vec<ScoreChange> = new
        .iter()
        .filter(|(k, v)| old_map.get(k) != Some(&v))
        .map(|(k, v)| change(*k, old_map.get(k).copied(), Some(v)))
        .collect();
    out.extend(old.iter().filter(|(k, _)| !new_map.contains_key(k)).map(|(k, v)| change(*k, Some(v), None)));
    out
}

fn total_changes(then: &Snapshot, now: &Snapshot) -> Vec<TotalChange> {
    let old: BTreeMap<&str, u32> = then.options.iter().map(|o| (o.key.as_str(), o.total)).collect();
    let mut out: Vec<TotalChange> = now
        .options
        .iter()
        .map(|o| TotalChange { candidate: o.key.clone(), then: old.get(o.key.as_str()).copied(), now: Some(o.total) })
        .collect();
    out.extend(then.options.iter().filter(|o| now.option(&o.key).is_none()).map(|o| TotalChange {
        candidate: o.key.clone(),
        then: Some(o.total),
        now: None,
    }));
    out
}

/// A per-tier row's identity: tier, context and profile.
type TierKey<'a> = (Tier, Option<Context>, Option<&'a str>);

fn tier_rows(s: &Snapshot) -> Vec<(TierKey<'_>, Option<String>)> {
    s.per_tier.iter().map(|t| ((t.tier, t.context, t.profile.as_deref()), t.winner.clone())).collect()
}

fn tier_winner_changes(then: &Snapshot, now: &Snapshot) -> Vec<TierWinnerChange> {
    type Key<'a> = TierKey<'a>;
    let old = tier_rows(then);
    let new = tier_rows(now);
    let old_map: BTreeMap<Key<'_>, &Option<String>> = old.iter().map(|(k, w)| (*k, w)).collect();
    let new_map: BTreeMap<Key<'_>, &Option<String>> = new.iter().map(|(k, w)| (*k, w)).collect();
    let change = |(tier, context, profile): Key<'_>, then: Option<String>, now: Option<String>| TierWinnerChange {
        tier,
        context,
        profile: profile.map(str::to_string),
        then,
        now,
    };
    let mut out: Vec<TierWinnerChange> = new
        .iter()
        .filter_map(|(k, w)| match old_map.get(k) {
            Some(&old_w) if old_w == w => None,
            old_w => Some(change(*k, old_w.and_then(|o| (**o).clone()), w.clone())),
        })
        .collect();
    out.extend(old.iter().filter(|(k, _)| !new_map.contains_key(k)).map(|(k, w)| change(*k, w.clone(), None)));
    out.sort_by_key(|c| (c.tier, c.profile.is_some(), c.context));
    out
}

fn fleet_diff(then: &Snapshot, now: &Snapshot) -> FleetDiff {
    let (old, new) = (&then.fleet, &now.fleet);
    let old_names: BTreeMap<&str, &[FiredGate]> =
        old.clusters.iter().map(|c| (c.name.as_str(), &c.gates[..])).collect();
    let new_names: BTreeSet<&str> = new.clusters.iter().map(|c| c.name.as_str()).collect();
    let old_exceptions: BTreeMap<&str, &str> =
        old.exceptions.iter().map(|e| (e.cluster.as_str(), e.decided.as_str())).collect();
    let new_exceptions: BTreeSet<&str> = new.exceptions.iter().map(|e| e.cluster.as_str()).collect();
    let new_gates = new
        .clusters
        .iter()
        .filter_map(|c| {
            let before = old_names.get(c.name.as_str())?;
            let gates: Vec<FiredGate> = c.gates.iter().filter(|g| !before.contains(g)).cloned().collect();
            (!gates.is_empty()).then(|| ClusterGates { cluster: c.name.clone(), gates })
        })
        .collect();
    FleetDiff {
        clusters: ThenNow { then: count(old.clusters.len()), now: count(new.clusters.len()) },
        added: new
            .clusters
            .iter()
            .filter(|c| !old_names.contains_key(c.name.as_str()))
            .map(|c| c.name.clone())
            .collect(),
        removed: old.clusters.iter().filter(|c| !new_names.contains(c.name.as_str())).map(|c| c.name.clone()).collect(),
        new_exceptions: new
            .exceptions
            .iter()
            .filter(|e| old_exceptions.get(e.cluster.as_str()) != Some(&e.decided.as_str()))
            .cloned()
            .collect(),
        resolved_exceptions: old
            .exceptions
            .iter()
            .filter(|e| !new_exceptions.contains(e.cluster.as_str()))
            .map(|e| e.cluster.clone())
            .collect(),
        new_gates,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::adr::testing::{model, seed_snapshot, seed_weights, tier_profiles};
    use crate::adr::{FleetScopeSummary, ScopedCluster};
    use crate::{Severity, Weights};

    fn cluster(name: &str, tier: Tier, gates: &[(&str, &str)]) -> ScopedCluster {
        ScopedCluster {
            name: name.into(),
            tier,
            context: None,
            gates: gates
                .iter()
                .map(|(c, g)| FiredGate { candidate: (*c).into(), code: (*g).into(), severity: Severity::Warning })
                .collect(),
        }
    }

    fn exception(cluster: &str, decided: &str) -> FleetException {
        FleetException {
            cluster: cluster.into(),
            decided: decided.into(),
            recommended: Some("calico".into()),
            rationale: Some("Vision pipeline needs Hubble".into()),
        }
    }

    #[test]
    fn a_snapshot_compared_with_itself_has_no_changes() {
        let s = seed_snapshot();
        let diff = SnapshotDiff::between(&s, &s);
        assert!(!diff.has_changes(), "{diff:?}");
        assert_eq!(diff.totals.len(), 2, "totals are listed even when unchanged");
        assert_eq!(
            diff.summary_lines(),
            [
                "Nothing changed since the snapshot: the weights, scores, winners, totals and fleet in scope are the same."
            ]
        );
    }

    #[test]
    fn weights_scores_winners_and_fleet_changes_are_all_reported() {
        let then_fleet = FleetScopeSummary {
            clusters: vec![
                cluster("cell-a", Tier::Cell, &[]),
                cluster("cell-b", Tier::Cell, &[("cilium", "small_nodes")]),
            ],
            exceptions: vec![exception("cell-b", "cilium")],
            ..FleetScopeSummary::default()
        };
        let then = Snapshot::build(&model(), &seed_weights(), None, then_fleet)
            .unwrap()
            .with_tier_profiles(&model(), &tier_profiles())
            .unwrap();

        // A year later: BGP weighs 35 % at the expense of observability and identity, Cilium's BGP
        // improved, the fleet changed.
        let mut model_now = model();
        let bgp =
            model_now.scores.iter_mut().find(|s| s.candidate == "cilium" && s.criterion == "bgp_underlay").unwrap();
        bgp.score = 4;
        bgp.rationale = "BGP Control Plane now on par for most fabrics".into();
        let mut w = seed_weights().0;
        let (idx, obs, bgp_i) = (0, 2, 6);
        w[idx] -= 50;
        w[obs] -= 100;
        w[bgp_i] += 150;
        let now_fleet = FleetScopeSummary {
            clusters: vec![
                cluster("cell-b", Tier::Cell, &[("cilium", "small_nodes"), ("calico", "pod_mtu_low")]),
                cluster("cell-c", Tier::Cell, &[]),
            ],
            exceptions: vec![exception("cell-c", "cilium")],
            ..FleetScopeSummary::default()
        };
        let now = Snapshot::build(&model_now, &Weights(w), None, now_fleet)
            .unwrap()
            .with_tier_profiles(&model_now, &tier_profiles())
            .unwrap();

        let diff = SnapshotDiff::between(&then, &now);
        assert!(diff.has_changes());
        let moved: Vec<(&str, Option<u32>, Option<u32>)> =
            diff.weights.iter().map(|c| (c.criterion.as_str(), c.then, c.now)).collect();
        assert_eq!(
            moved,
            [
                ("identity_policy", Some(150), Some(100)),
                ("observability", Some(150), Some(50)),
                ("bgp_underlay", Some(100), Some(250))
            ]
        );
        assert_eq!(diff.scores.len(), 1);
        assert_eq!((diff.scores[0].then.as_ref().unwrap().score, diff.scores[0].now.as_ref().unwrap().score), (3, 4));
        let totals: Vec<(&str, Option<u32>, Option<u32>)> =
            diff.totals.iter().map(|t| (t.candidate.as_str(), t.then, t.now)).collect();
        assert_eq!(totals, [("cilium", Some(4200), Some(4150)), ("calico", Some(3600), Some(3900))]);
        assert_eq!(diff.margin, ThenNow { then: 600, now: 250 });
        assert_eq!(diff.clear_winner, ThenNow { then: true, now: false });
        assert!(!diff.winner.changed());
        assert_eq!(diff.fleet.added, ["cell-c"]);
        assert_eq!(diff.fleet.removed, ["cell-a"]);
        assert_eq!(diff.fleet.new_exceptions.iter().map(|e| e.cluster.as_str()).collect::<Vec<_>>(), ["cell-c"]);
        assert_eq!(diff.fleet.resolved_exceptions, ["cell-b"]);
        assert_eq!(diff.fleet.new_gates.len(), 1);
        assert_eq!(diff.fleet.new_gates[0].gates[0].code, "pod_mtu_low");

        let lines = diff.summary_lines();
        let text = lines.join("\n");
        for expected in [
            "Weight of Identity-aware policy: 15.0 % → 10.0 %.",
            "Weight of BGP and underlay integration: 10.0 % → 25.0 %.",
            "Cilium on BGP and underlay integration: 3 → 4; rationale was “BGP Control Plane is competent but still catching up”, now “BGP Control Plane now on par for most fabrics”.",
            "Totals: Cilium 4.20 → 4.15, Calico 3.60 → 3.90; margin 0.60 → 0.25.",
            "No longer a clear winner: the margin is now under 10 % of the winner's total.",
            "1 cluster joined the scope: cell-c.",
            "1 cluster left the scope: cell-a.",
            "New exception: cell-c runs Cilium where Calico is recommended, because “Vision pipeline needs Hubble”.",
            "No longer an exception: cell-b.",
            "Calico pod_mtu_low now fires on 1 cluster: cell-b.",
        ] {
            assert!(lines.iter().any(|l| l == expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn a_changed_tier_winner_is_reported_per_profile() {
        let then = seed_snapshot().with_tier_profiles(&model(), &tier_profiles()).unwrap();
        let mut model_now = model();
        for s in model_now.scores.iter_mut().filter(|s| s.candidate == "cilium" && s.criterion == "bgp_underlay") {
            s.score = 5;
        }
        let now = Snapshot::build(&model_now, &seed_weights(), None, FleetScopeSummary::default())
            .unwrap()
            .with_tier_profiles(&model_now, &tier_profiles())
            .unwrap();
        let diff = SnapshotDiff::between(&then, &now);
        type Row<'a> = (Tier, Option<&'a str>, Option<&'a str>, Option<&'a str>);
        let changed: Vec<Row<'_>> = diff
            .tier_winners
            .iter()
            .map(|c| (c.tier, c.profile.as_deref(), c.then.as_deref(), c.now.as_deref()))
            .collect();
        assert_eq!(changed, [(Tier::Plant, Some("Plant brownfield"), Some("calico"), Some("cilium"))]);
        assert!(
            diff.summary_lines()
                .iter()
                .any(|l| l == "Plant tier, brownfield (profile Plant brownfield): winner Calico → Cilium.")
        );
    }
}
