//! Stakeholder weights of a profile (`/api/v1/profiles/{id}/stakeholders`): wire types and
//! their validation. The analysis itself is `domain::stakeholders`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::stakeholders::Aggregate;
use domain::{Model, Tier, ValidationError, Weights};

/// Why a stakeholder's weights count: MADR's `decision-makers` and `consulted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum StakeholderRole {
    /// Decides (an ADR's `decision-makers`).
    DecisionMaker,
    /// Is consulted (an ADR's `consulted`).
    Consulted,
}

impl StakeholderRole {
    /// Both, in the order a form offers them.
    pub const ALL: [StakeholderRole; 2] = [StakeholderRole::DecisionMaker, StakeholderRole::Consulted];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            StakeholderRole::DecisionMaker => "decision-maker",
            StakeholderRole::Consulted => "consulted",
        }
    }
}

impl std::str::FromStr for StakeholderRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "decision-maker" => Ok(StakeholderRole::DecisionMaker),
            "consulted" => Ok(StakeholderRole::Consulted),
            other => Err(format!("'{other}' is not a stakeholder role; use decision-maker or consulted")),
        }
    }
}

/// One stakeholder's weights for a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stakeholder {
    /// Database id.
    pub id: i64,
    /// The profile they weighed.
    pub profile_id: i64,
    /// Who (unique within the profile): a person or a team, e.g. "Plant network team".
    pub name: String,
    /// Decision-maker or consulted.
    pub role: StakeholderRole,
    /// The account whose own weights these are; `null` when entered on someone's behalf.
    pub user_id: Option<i64>,
    /// Criterion key → percent, summing to 100.
    pub weights: BTreeMap<String, f64>,
    /// Row version for optimistic concurrency.
    pub version: i32,
    /// Last change, RFC 3339.
    pub updated_at: String,
    /// Who saved them last.
    pub updated_by: String,
}

/// What a client sends to add or change a stakeholder's weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Plant network team", "role": "consulted", "weights": {
    "identity_policy": 10, "l7_policy": 5, "observability": 10, "multi_cluster": 5, "encryption": 10,
    "performance_footprint": 15, "bgp_underlay": 25, "operational_simplicity": 15, "governance": 5}})))]
#[serde(deny_unknown_fields)]
pub struct StakeholderInput {
    /// Who, 1–80 characters; may be left empty with `mine` (your display name is used).
    #[serde(default)]
    pub name: String,
    /// Decision-maker or consulted.
    pub role: StakeholderRole,
    /// Criterion key → percent, summing to 100.
    pub weights: BTreeMap<String, f64>,
    /// These are your own weights: the entry is linked to your account, and you may enter and
    /// change it whatever your role. Without it, only architects may enter weights on someone's
    /// behalf. Ignored on an update.
    #[serde(default)]
    pub mine: bool,
}

/// A validated stakeholder input.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidStakeholder {
    /// Trimmed name (empty only with `mine`, filled in by the service).
    pub name: String,
    /// Decision-maker or consulted.
    pub role: StakeholderRole,
    /// Weights aligned with the model's criteria.
    pub weights: Weights,
    /// Linked to the writer's account.
    pub mine: bool,
}

impl StakeholderInput {
    /// Checks every field against the model; all problems are reported at once.
    pub fn validate(&self, model: &Model) -> Result<ValidStakeholder, ValidationError> {
        let mut err = ValidationError::default();
        let name = self.name.trim().to_string();
        if name.is_empty() && !self.mine {
            err.add("name", "say whose weights these are (a person or a team), or send mine: true for your own");
        } else if name.chars().count() > 80 {
            err.add("name", "keep the name to 80 characters or fewer");
        } else if let Some(m) = domain::text::invisible_problem(&name) {
            err.add("name", m);
        }
        let weights = Weights::from_percent_map(model, &self.weights).unwrap_or_else(|e| {
            for (k, v) in e.fields {
                err.add(k, v);
            }
            Weights::default()
        });
        err.into_result(ValidStakeholder { name, role: self.role, weights, mine: self.mine })
    }
}

/// A stakeholder with what their own weights decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StakeholderOutcome {
    /// Who and their weights.
    #[serde(flatten)]
    pub stakeholder: Stakeholder,
    /// The winner with their weights (on the profile's tier); `null` on a tie.
    pub winner: Option<String>,
    /// That winner's lead, points.
    pub margin: f64,
    /// Their weights pick another winner than the profile's: they would flip the decision.
    pub flips: bool,
    /// Without their weights the aggregate would pick another winner.
    pub pivotal: bool,
}

/// One criterion's weights across the stakeholders, percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CriterionSpread {
    /// Criterion key.
    pub criterion: String,
    /// The lowest weight a stakeholder gave.
    pub lo: f64,
    /// The highest.
    pub hi: f64,
    /// Their mean.
    pub mean: f64,
    /// Their median.
    pub median: f64,
    /// The profile's own weight.
    pub profile: f64,
}

/// `GET /api/v1/profiles/{id}/stakeholders`: everyone's weights for a profile, each one's winner,
/// the spread per criterion, and the aggregate the profile chose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StakeholderBoard {
    /// The profile.
    pub profile_id: i64,
    /// Its name.
    pub profile_name: String,
    /// Its version (send it to change the aggregate).
    pub profile_version: i32,
    /// Its tier, whose score overrides every winner here is computed with.
    pub tier: Option<Tier>,
    /// The profile's winner with its own weights.
    pub profile_winner: Option<String>,
    /// Mean or median, chosen per profile.
    pub aggregate: Aggregate,
    /// The stakeholders, by name.
    pub stakeholders: Vec<StakeholderOutcome>,
    /// Per criterion, in model order (empty without stakeholders).
    pub spread: Vec<CriterionSpread>,
    /// The aggregate weights, criterion key → percent (summing to 100); `null` without
    /// stakeholders.
    pub aggregate_weights: Option<BTreeMap<String, f64>>,
    /// The aggregate's winner.
    pub aggregate_winner: Option<String>,
    /// Its lead, points.
    pub aggregate_margin: f64,
}

/// `PUT /api/v1/profiles/{id}/aggregate`: how the profile combines its stakeholders' weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AggregateChange {
    /// `mean` or `median`.
    pub aggregate: Aggregate,
}

/// The stakeholders' ranges the studio's robustness panel can sample within (tenths of a
/// percent, criteria order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StakeholderRanges {
    /// How many stakeholders gave weights.
    pub count: u32,
    /// Per criterion, the lowest weight given.
    pub lo: Vec<u32>,
    /// Per criterion, the highest.
    pub hi: Vec<u32>,
}
