//! The decision model: criteria, candidates and their scores, as data.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// Highest score a candidate can get on a criterion.
pub const MAX_SCORE: u8 = 5;

/// A weighted decision criterion ("Identity-aware policy").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criterion {
    /// Stable API key, e.g. `identity_policy`.
    pub key: String,
    /// Human name.
    pub name: String,
    /// Why it matters in industrial Kubernetes.
    pub why: String,
}

/// Whether a candidate takes part in scoring or was considered and dismissed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    /// Scored on every criterion.
    Scored,
    /// Considered and dismissed, with a reason.
    Dismissed,
}

/// A CNI under consideration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    /// Stable key, e.g. `cilium`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Scored or dismissed.
    pub status: CandidateStatus,
    /// One paragraph on what it is.
    pub summary: String,
    /// Why it was dismissed, when it was.
    pub dismissed_reason: Option<String>,
}

/// Kubernetes tier of a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Cell or machine controller: K3s/MicroK8s on small edge boxes.
    Cell,
    /// Plant cluster aggregating lines.
    Plant,
    /// Regional cluster.
    Regional,
    /// Cloud aggregator.
    Cloud,
}

impl Tier {
    /// All tiers from the edge up.
    pub const ALL: [Tier; 4] = [Tier::Cell, Tier::Plant, Tier::Regional, Tier::Cloud];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Cell => "cell",
            Tier::Plant => "plant",
            Tier::Regional => "regional",
            Tier::Cloud => "cloud",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            ValidationError::field("tier", format!("unknown tier '{s}'; use one of cell, plant, regional, cloud"))
        })
    }
}

/// Greenfield or brownfield deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// New build, the platform team owns the network.
    Greenfield,
    /// Retrofit onto an established fabric.
    Brownfield,
}

impl Context {
    /// Both contexts.
    pub const ALL: [Context; 2] = [Context::Greenfield, Context::Brownfield];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Greenfield => "greenfield",
            Context::Brownfield => "brownfield",
        }
    }
}

impl FromStr for Context {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Context::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            ValidationError::field("context", format!("unknown context '{s}'; use greenfield or brownfield"))
        })
    }
}

/// One score of one candidate on one criterion, optionally only for one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    /// Candidate key.
    pub candidate: String,
    /// Criterion key.
    pub criterion: String,
    /// `None` for the base score, `Some(tier)` for a tier override.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// 0–5.
    pub score: u8,
    /// One line saying why.
    pub rationale: String,
}

/// Criteria, candidates and scores: everything the engine needs besides weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Model {
    /// Criteria in display order.
    pub criteria: Vec<Criterion>,
    /// Candidates in display order.
    pub candidates: Vec<Candidate>,
    /// Base scores and tier overrides.
    pub scores: Vec<Score>,
}

/// Dense scores for one tier: `rows[c][i]` is candidate `c`'s score on criterion `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreTable {
    /// Keys of the scored candidates, in model order.
    pub candidates: Vec<String>,
    /// One row per scored candidate, one column per criterion.
    pub rows: Vec<Vec<u8>>,
}

impl Model {
    /// Position of a criterion key.
    pub fn criterion_index(&self, key: &str) -> Option<usize> {
        self.criteria.iter().position(|c| c.key == key)
    }

    /// The score that applies to a candidate, criterion and tier (tier override first).
    pub fn score_for(&self, candidate: &str, criterion: &str, tier: Option<Tier>) -> Option<&Score> {
        let pick = |t: Option<Tier>| {
            self.scores.iter().find(|s| s.candidate == candidate && s.criterion == criterion && s.tier == t)
        };
        tier.and_then(|t| pick(Some(t))).or_else(|| pick(None))
    }

    /// Scores for every candidate that has a base score on every criterion, with `tier` overrides applied.
    pub fn score_table(&self, tier: Option<Tier>) -> ScoreTable {
        let mut table = ScoreTable { candidates: Vec::new(), rows: Vec::new() };
        for cand in &self.candidates {
            let row: Option<Vec<u8>> =
                self.criteria.iter().map(|c| self.score_for(&cand.key, &c.key, tier).map(|s| s.score)).collect();
            if let Some(row) = row {
                table.candidates.push(cand.key.clone());
                table.rows.push(row);
            }
        }
        table
    }

    /// Checks scores are 0–5 and name known candidates and criteria.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut err = ValidationError::default();
        for (n, s) in self.scores.iter().enumerate() {
            if s.score > MAX_SCORE {
                err.add(format!("scores[{n}].score"), format!("score {} is above {MAX_SCORE}; use 0–5", s.score));
            }
            if self.criterion_index(&s.criterion).is_none() {
                err.add(format!("scores[{n}].criterion"), format!("unknown criterion '{}'", s.criterion));
            }
            if !self.candidates.iter().any(|c| c.key == s.candidate) {
                err.add(format!("scores[{n}].candidate"), format!("unknown candidate '{}'", s.candidate));
            }
        }
        err.into_result(())
    }
}
