//! The frozen snapshot an ADR is decided on: weights, scores with their rationale and tier
//! overrides, totals, ranks, margin, break-even weights, per-tier winners and the fleet in scope.
//!
//! Every number is an integer in the engine's units (weights in tenths of a percent, totals in
//! thousandths of a score point, break-even weights as exact fractions of tenths), so the
//! canonical JSON and its SHA-256 are the same on every machine and after a round trip through
//! the database.

use serde::{Deserialize, Serialize};

use super::FleetScopeSummary;
use crate::break_even::Ratio;
use crate::{Context, Model, Tier, ValidationError, Weights, break_even, evaluate};

/// Version of the snapshot's shape, stored in it so later shapes can still read old ones.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// A criterion as it stood, with the weight the decision used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotCriterion {
    /// Stable key, e.g. `identity_policy`.
    pub key: String,
    /// Human name.
    pub name: String,
    /// Why it matters.
    pub why: String,
    /// Weight in tenths of a percent (`150` is 15.0 %).
    pub weight: u32,
}

/// One base score of an option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotScore {
    /// Criterion key.
    pub criterion: String,
    /// 0–5.
    pub score: u8,
    /// One line saying why.
    pub rationale: String,
}

/// A score that replaces the base score for one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotOverride {
    /// The tier it applies to.
    pub tier: Tier,
    /// Criterion key.
    pub criterion: String,
    /// 0–5.
    pub score: u8,
    /// One line saying why.
    pub rationale: String,
}

/// A scored option: its scores, overrides and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotOption {
    /// Candidate key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub summary: String,
    /// Base scores in criterion order.
    pub scores: Vec<SnapshotScore>,
    /// Every tier override of its scores (the snapshot's `tier` says which applied).
    pub overrides: Vec<SnapshotOverride>,
    /// Weighted total in thousandths of a point (`4200` is 4.20), overrides of the snapshot's tier applied.
    pub total: u32,
    /// 1 for the best; equal totals share a rank.
    pub rank: u32,
}

/// The score that counts for one criterion at one tier, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveScore<'a> {
    /// 0–5.
    pub score: u8,
    /// Why.
    pub rationale: &'a str,
    /// `Some(tier)` when a tier override replaced the base score.
    pub overridden_for: Option<Tier>,
}

impl SnapshotOption {
    /// The score on `criterion` at `tier`: the tier's override, else the base score.
    pub fn effective(&self, criterion: &str, tier: Option<Tier>) -> Option<EffectiveScore<'_>> {
        let over = tier.and_then(|t| self.overrides.iter().find(|o| o.tier == t && o.criterion == criterion));
        match over {
            Some(o) => Some(EffectiveScore { score: o.score, rationale: &o.rationale, overridden_for: Some(o.tier) }),
            None => self.scores.iter().find(|s| s.criterion == criterion).map(|s| EffectiveScore {
                score: s.score,
                rationale: &s.rationale,
                overridden_for: None,
            }),
        }
    }
}

/// An option considered but not scored, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DismissedOption {
    /// Candidate key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub summary: String,
    /// Why it was dismissed.
    pub reason: String,
}

/// Where the winner changes when one weight moves, the others rescaled proportionally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotFlip {
    /// The weight, in tenths of a percent, as a reduced fraction.
    pub weight: Ratio,
    /// Who leads past it.
    pub challenger: String,
}

/// The break-even analysis of one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotBreakEven {
    /// Criterion key.
    pub criterion: String,
    /// Its weight in tenths.
    pub current: u32,
    /// Nearest flip when lowering the weight.
    pub below: Option<SnapshotFlip>,
    /// Nearest flip when raising it.
    pub above: Option<SnapshotFlip>,
}

/// One candidate's total in a per-tier outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierTotal {
    /// Candidate key.
    pub candidate: String,
    /// Thousandths of a point.
    pub total: u32,
    /// 1 for the best.
    pub rank: u32,
}

/// The outcome at one tier: the tier's score overrides with either the decision's own weights
/// (`profile: None`) or a tier profile's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierOutcome {
    /// The tier whose overrides apply.
    pub tier: Tier,
    /// The profile's context, if it has one.
    pub context: Option<Context>,
    /// Name of the weight profile used; `None` for the decision's own weights.
    pub profile: Option<String>,
    /// The weights used, tenths of a percent in criterion order.
    pub weights: Vec<u32>,
    /// Totals by rank.
    pub results: Vec<TierTotal>,
    /// Strict leader, `None` on a tie.
    pub winner: Option<String>,
    /// Leader minus runner-up, thousandths of a point.
    pub margin: u32,
    /// The margin is at least 10 % of the winner's total.
    pub clear_winner: bool,
}

/// A weight profile for the per-tier outcomes ("Cell controller").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierProfile {
    /// Profile name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Its context, if any.
    pub context: Option<Context>,
    /// Its weights, aligned with the model's criteria.
    pub weights: Weights,
}

/// Weights one stakeholder gave the profile the decision was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StakeholderWeights {
    /// Who.
    pub name: String,
    /// `decision-maker` or `consulted`.
    #[serde(default)]
    pub role: String,
    /// Tenths of a percent in criterion order.
    pub weights: Vec<u32>,
}

/// Everything a decision was made on, frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    /// [`SNAPSHOT_FORMAT`] when it was taken.
    pub format: u32,
    /// Name of the weight profile the weights came from, if they came from one (set by the caller).
    pub profile: Option<String>,
    /// The tier whose score overrides apply to the totals, if any.
    pub tier: Option<Tier>,
    /// Criteria in model order, with the weights used.
    pub criteria: Vec<SnapshotCriterion>,
    /// Scored options in model order.
    pub options: Vec<SnapshotOption>,
    /// Options considered and dismissed before scoring.
    pub dismissed: Vec<DismissedOption>,
    /// Strict leader, `None` on a tie.
    pub winner: Option<String>,
    /// Leader minus runner-up, thousandths of a point.
    pub margin: u32,
    /// The margin is at least 10 % of the winner's total.
    pub clear_winner: bool,
    /// Per criterion, where the winner changes; empty without a strict leader.
    pub break_even: Vec<SnapshotBreakEven>,
    /// Outcome per tier: with the decision's weights, then with each tier profile given.
    pub per_tier: Vec<TierOutcome>,
    /// The fleet in scope.
    pub fleet: FleetScopeSummary,
    /// The stakeholders' own weights for the profile, when they gave any.
    pub stakeholder_weights: Vec<StakeholderWeights>,
}

impl Snapshot {
    /// Freezes `model` with `weights` (a full set summing to 100 %) and `tier`'s score
    /// overrides, the outcome at every tier with these weights, and the `fleet` in scope.
    pub fn build(
        model: &Model,
        weights: &Weights,
        tier: Option<Tier>,
        fleet: FleetScopeSummary,
    ) -> Result<Snapshot, ValidationError> {
        model.validate()?;
        weights.validate_sum(model)?;
        let table = model.score_table(tier);
        let evaluation = evaluate(&table, weights);
        let criteria = model
            .criteria
            .iter()
            .zip(&weights.0)
            .map(|(c, &w)| SnapshotCriterion {
                key: c.key.clone(),
                name: c.name.clone(),
                why: c.why.clone(),
                weight: w,
            })
            .collect();
        let mut options = Vec::new();
        let mut dismissed = Vec::new();
        for cand in &model.candidates {
            let Some(result) = evaluation.results.iter().find(|r| r.candidate == cand.key) else {
                dismissed.push(DismissedOption {
                    key: cand.key.clone(),
                    name: cand.name.clone(),
                    summary: cand.summary.clone(),
                    reason: cand.dismissed_reason.clone().unwrap_or_else(|| "not scored on every criterion".into()),
                });
                continue;
            };
            let scores = model
                .criteria
                .iter()
                .filter_map(|c| model.score_for(&cand.key, &c.key, None))
                .map(|s| SnapshotScore {
                    criterion: s.criterion.clone(),
                    score: s.score,
                    rationale: s.rationale.clone(),
                })
                .collect();
            let mut overrides: Vec<SnapshotOverride> = model
                .scores
                .iter()
                .filter(|s| s.candidate == cand.key)
                .filter_map(|s| {
                    s.tier.map(|t| SnapshotOverride {
                        tier: t,
                        criterion: s.criterion.clone(),
                        score: s.score,
                        rationale: s.rationale.clone(),
                    })
                })
                .collect();
            let order = |o: &SnapshotOverride| (o.tier, model.criterion_index(&o.criterion));
            overrides.sort_by_key(order);
            options.push(SnapshotOption {
                key: cand.key.clone(),
                name: cand.name.clone(),
                summary: cand.summary.clone(),
                scores,
                overrides,
                total: result.total,
                rank: result.rank,
            });
        }
        let break_even = break_even(&table, weights)
            .unwrap_or_default()
            .into_iter()
            .zip(&model.criteria)
            .map(|(b, c)| SnapshotBreakEven {
                criterion: c.key.clone(),
                current: b.current,
                below: b.below.map(|f| SnapshotFlip { weight: reduced(f.weight), challenger: f.challenger }),
                above: b.above.map(|f| SnapshotFlip { weight: reduced(f.weight), challenger: f.challenger }),
            })
            .collect();
        let per_tier = Tier::ALL.iter().map(|&t| tier_outcome(model, t, None, None, weights)).collect();
        Ok(Snapshot {
            format: SNAPSHOT_FORMAT,
            profile: None,
            tier,
            criteria,
            options,
            dismissed,
            winner: evaluation.winner,
            margin: evaluation.margin,
            clear_winner: evaluation.clear_winner,
            break_even,
            per_tier,
            fleet,
            stakeholder_weights: Vec::new(),
        })
    }

    /// Adds the outcome of each tier profile (its tier's overrides, its own weights) to
    /// [`Snapshot::per_tier`], which stays ordered by tier, the decision's weights first.
    pub fn with_tier_profiles(mut self, model: &Model, profiles: &[TierProfile]) -> Result<Snapshot, ValidationError> {
        let mut err = ValidationError::default();
        for (i, p) in profiles.iter().enumerate() {
            match p.weights.validate_sum(model) {
                Ok(()) => self.per_tier.push(tier_outcome(model, p.tier, p.context, Some(&p.name), &p.weights)),
                Err(e) => {
                    for (field, message) in e.fields {
                        err.add(format!("tier_profiles[{i}].{field}"), format!("profile '{}': {message}", p.name));
                    }
                }
            }
        }
        self.per_tier.sort_by(|a, b| {
            (a.tier, a.profile.is_some(), a.context, &a.profile).cmp(&(
                b.tier,
                b.profile.is_some(),
                b.context,
                &b.profile,
            ))
        });
        err.into_result(self)
    }

    /// The weights as the engine takes them.
    pub fn weights(&self) -> Weights {
        Weights(self.criteria.iter().map(|c| c.weight).collect())
    }

    /// A scored option by key.
    pub fn option(&self, key: &str) -> Option<&SnapshotOption> {
        self.options.iter().find(|o| o.key == key)
    }

    /// The display name of any considered option, or the key itself when unknown.
    pub fn name_of<'a>(&'a self, key: &'a str) -> &'a str {
        self.options
            .iter()
            .map(|o| (&o.key, &o.name))
            .chain(self.dismissed.iter().map(|d| (&d.key, &d.name)))
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, n)| n.as_str())
    }

    /// A criterion by key.
    pub fn criterion(&self, key: &str) -> Option<&SnapshotCriterion> {
        self.criteria.iter().find(|c| c.key == key)
    }

    /// Scored options by rank (ties in model order).
    pub fn ranked(&self) -> Vec<&SnapshotOption> {
        let mut ranked: Vec<&SnapshotOption> = self.options.iter().collect();
        ranked.sort_by_key(|o| o.rank);
        ranked
    }
}

fn tier_outcome(
    model: &Model,
    tier: Tier,
    context: Option<Context>,
    profile: Option<&str>,
    w: &Weights,
) -> TierOutcome {
    let e = evaluate(&model.score_table(Some(tier)), w);
    TierOutcome {
        tier,
        context,
        profile: profile.map(str::to_string),
        weights: w.0.clone(),
        results: e
            .results
            .iter()
            .map(|r| TierTotal { candidate: r.candidate.clone(), total: r.total, rank: r.rank })
            .collect(),
        winner: e.winner,
        margin: e.margin,
        clear_winner: e.clear_winner,
    }
}

/// The fraction in lowest terms, so equal weights always look the same in the snapshot.
fn reduced(r: Ratio) -> Ratio {
    let g = gcd(r.num.unsigned_abs(), r.den.unsigned_abs());
    if g <= 1 {
        return r;
    }
    // `g` divides both, so the quotients fit back in i128.
    let g = i128::try_from(g).unwrap_or(1);
    Ratio { num: r.num / g, den: r.den / g }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::adr::testing::{seed_snapshot, tier_profiles};
    use crate::reference::reference;

    #[test]
    fn the_seed_snapshot_freezes_cilium_4_20_and_calico_3_60() {
        let s = seed_snapshot();
        let totals: Vec<(&str, u32, u32)> = s.options.iter().map(|o| (o.key.as_str(), o.total, o.rank)).collect();
        assert_eq!(totals, [("cilium", 4200, 1), ("calico", 3600, 2)]);
        assert_eq!((s.winner.as_deref(), s.margin, s.clear_winner), (Some("cilium"), 600, true));
        assert_eq!(s.dismissed.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(), ["antrea", "flannel"]);
        assert_eq!(s.criteria[0].weight, 150);
        assert_eq!(s.break_even.len(), 9);
        assert_eq!(s.weights().sum(), 1000);
    }

    #[test]
    fn overrides_are_kept_per_option_and_apply_only_at_their_tier() {
        let s = seed_snapshot();
        let cilium = s.option("cilium").unwrap();
        assert_eq!(cilium.overrides.len(), 3);
        let cell = cilium.effective("performance_footprint", Some(Tier::Cell)).unwrap();
        assert_eq!((cell.score, cell.overridden_for), (3, Some(Tier::Cell)));
        let base = cilium.effective("performance_footprint", Some(Tier::Cloud)).unwrap();
        assert_eq!((base.score, base.overridden_for), (4, None));
    }

    #[test]
    fn per_tier_outcomes_use_the_decision_weights_then_each_tier_profile() {
        let model = reference().unwrap().model();
        let s = seed_snapshot().with_tier_profiles(&model, &tier_profiles()).unwrap();
        let rows: Vec<(Tier, Option<&str>, Option<&str>)> =
            s.per_tier.iter().map(|t| (t.tier, t.profile.as_deref(), t.winner.as_deref())).collect();
        assert_eq!(
            rows,
            [
                (Tier::Cell, None, Some("cilium")),
                (Tier::Cell, Some("Cell controller"), Some("calico")),
                (Tier::Plant, None, Some("cilium")),
                (Tier::Plant, Some("Plant greenfield"), Some("cilium")),
                (Tier::Plant, Some("Plant brownfield"), Some("calico")),
                (Tier::Regional, None, Some("cilium")),
                (Tier::Regional, Some("Regional cluster"), Some("cilium")),
                (Tier::Cloud, None, Some("cilium")),
                (Tier::Cloud, Some("Cloud aggregator"), Some("cilium")),
            ]
        );
    }

    #[test]
    fn weights_that_do_not_sum_to_100_are_refused() {
        let r = reference().unwrap();
        let model = r.model();
        let err = Snapshot::build(&model, &Weights(vec![100; 9]), None, FleetScopeSummary::default()).unwrap_err();
        assert!(err.fields["weights"].contains("must sum to exactly 100.0 %"), "{err}");
    }

    #[test]
    fn break_even_fractions_are_in_lowest_terms() {
        assert_eq!(reduced(Ratio { num: 6000, den: 16 }), Ratio { num: 375, den: 1 });
        assert_eq!(reduced(Ratio { num: -4, den: 6 }), Ratio { num: -2, den: 3 });
    }
}
