//! `POST /api/v1/robustness`: how sure a weighting's decision is (SMAA, `domain::robustness`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::Tier;

/// Band (percentage points per criterion) when a request names none: the clusters' own.
pub const DEFAULT_BAND: f64 = domain::fleet::ROBUSTNESS_BAND as f64 / 10.0;

/// What to analyse: the weights (criterion key → percent) or a saved profile's, on a tier's
/// scores, with how many draws, how wide a band and which seed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"profile_id": 1, "tier": "plant", "samples": 10000, "band": 5, "seed": 1})))]
#[serde(deny_unknown_fields)]
pub struct RobustnessRequest {
    /// Criterion key → percent; or give `profile_id`.
    #[serde(default)]
    pub weights: Option<BTreeMap<String, f64>>,
    /// A saved profile whose weights to analyse; or give `weights`.
    #[serde(default)]
    pub profile_id: Option<i64>,
    /// Apply this tier's score overrides (the profile's tier when a profile is named).
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Weight draws, 1–200,000 (default 10,000: shares within ±1 % at 95 %).
    #[serde(default)]
    pub samples: Option<u32>,
    /// Each weight may move this many percentage points either way (default 5; 0 = the weights
    /// exactly; one decimal).
    #[serde(default)]
    pub band: Option<f64>,
    /// Seed of the draws (default 1): the same seed gives the same answer.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Also move every score by up to one point within 0–5 (default false).
    #[serde(default)]
    pub perturb_scores: Option<bool>,
    /// Sample each weight within the range the profile's stakeholders gave (lowest to highest)
    /// instead of the band; needs `profile_id` and two or more stakeholders (default false).
    #[serde(default)]
    pub stakeholders: Option<bool>,
}

/// The analysis, keyed by candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RobustnessResponse {
    /// Draws made.
    pub samples: u32,
    /// The band used, in percentage points.
    pub band: f64,
    /// The seed used.
    pub seed: u64,
    /// The tier whose scores were used.
    pub tier: Option<Tier>,
    /// The winner with the weights exactly (`None` on a tie).
    pub winner: Option<String>,
    /// Candidate → share of draws in which it ranked 1st, 2nd, … (fractions of 1).
    pub rank_acceptability: BTreeMap<String, Vec<f64>>,
    /// Candidate → criterion → mean weight (fraction of 1) of the draws it won; `null` when it
    /// never won.
    pub central_weights: BTreeMap<String, Option<BTreeMap<String, f64>>>,
    /// Candidate → share of score draws it wins with its central weights; `null` when it never
    /// won.
    pub confidence: BTreeMap<String, Option<f64>>,
}
