//! `POST /api/v1/evaluate`: the request and the response built from the engine's output.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::{BreakEven, Evaluation, Model, Tier, points};

/// `POST /api/v1/evaluate` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"weights": {
    "identity_policy": 15, "l7_policy": 10, "observability": 15, "multi_cluster": 10, "encryption": 10,
    "performance_footprint": 10, "bgp_underlay": 10, "operational_simplicity": 10, "governance": 10
}, "tier": "plant"})))]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Criterion key → percent.
    pub weights: BTreeMap<String, f64>,
    /// Apply this tier's score overrides.
    #[serde(default)]
    pub tier: Option<Tier>,
}

/// One candidate in an evaluation response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultJson {
    /// Candidate key.
    pub candidate: String,
    /// Weighted total, 0–5.
    pub total: f64,
    /// 1 is best; ties share.
    pub rank: u32,
    /// Criterion key → weighted contribution.
    pub contributions: BTreeMap<String, f64>,
}

/// A flip point in an evaluation response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FlipJson {
    /// Weight in percent (two decimals) at which the challenger ties.
    pub weight: f64,
    /// Who leads past it.
    pub challenger: String,
}

/// The break-even of one criterion in an evaluation response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BreakEvenJson {
    /// Current weight in percent.
    pub current: f64,
    /// Nearest flip below the current weight.
    pub below: Option<FlipJson>,
    /// Nearest flip above.
    pub above: Option<FlipJson>,
    /// True when no weight from 0 to 100 % changes the winner.
    pub never_flips: bool,
}

/// `POST /api/v1/evaluate` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EvaluateResponse {
    /// Tier whose overrides were applied.
    pub tier: Option<Tier>,
    /// Candidates by rank.
    pub results: Vec<ResultJson>,
    /// Strict leader, `null` on a tie.
    pub winner: Option<String>,
    /// Leader minus runner-up.
    pub margin: f64,
    /// Margin ≥ 10 % of the winner's total.
    pub clear_winner: bool,
    /// Criterion key → break-even; empty when there is no strict leader.
    pub break_even: BTreeMap<String, BreakEvenJson>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl EvaluateResponse {
    /// Builds the response from engine output.
    pub fn new(model: &Model, tier: Option<Tier>, e: &Evaluation, be: Option<&[BreakEven]>) -> Self {
        let results = e
            .results
            .iter()
            .map(|r| ResultJson {
                candidate: r.candidate.clone(),
                total: points(r.total),
                rank: r.rank,
                contributions: model
                    .criteria
                    .iter()
                    .zip(&r.contributions)
                    .map(|(c, &v)| (c.key.clone(), points(v)))
                    .collect(),
            })
            .collect();
        let flip = |f: &domain::Flip| FlipJson { weight: round2(f.weight.percent()), challenger: f.challenger.clone() };
        let break_even = be
            .unwrap_or_default()
            .iter()
            .zip(&model.criteria)
            .map(|(b, c)| {
                (
                    c.key.clone(),
                    BreakEvenJson {
                        current: f64::from(b.current) / 10.0,
                        below: b.below.as_ref().map(flip),
                        above: b.above.as_ref().map(flip),
                        never_flips: b.never_flips(),
                    },
                )
            })
            .collect();
        EvaluateResponse {
            tier,
            results,
            winner: e.winner.clone(),
            margin: points(e.margin),
            clear_winner: e.clear_winner,
            break_even,
        }
    }
}
