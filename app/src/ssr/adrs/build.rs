//! Freezing a decision: where its weights come from (a profile, a percent map or the default
//! profile), and the snapshot of today's model, tier profiles and fleet in scope.

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::AppError;
use crate::model::AdrInput;
use crate::ssr::fleet::{DecisionContext, decision_context};
use crate::ssr::recommend_cache::RecommendationCache;
use domain::adr::{Scope, Snapshot};
use domain::{Model, Tier, ValidationError, Weights};

/// The weights and tier a snapshot is built on, and the profile they came from.
#[derive(Debug, Clone)]
pub(super) struct Basis {
    pub weights: Weights,
    pub profile: Option<String>,
    pub tier: Option<Tier>,
    /// The profile whose stakeholders' weights the snapshot records.
    pub stakeholders_of: Option<i64>,
}

/// The basis an input asks for: `profile_id`'s weights, or `weights`, or the default profile's.
pub(super) fn basis_of(input: &AdrInput, ctx: &DecisionContext, model: &Model) -> Result<Basis, ValidationError> {
    let basis = weights_of(input, ctx, model)?;
    match input.stakeholders_of {
        None => Ok(basis),
        Some(id) if ctx.profiles.iter().any(|p| p.id == id) => Ok(Basis { stakeholders_of: Some(id), ..basis }),
        Some(id) => {
            Err(ValidationError::field("stakeholders_of", format!("no profile with id {id}; see GET /api/v1/profiles")))
        }
    }
}

fn weights_of(input: &AdrInput, ctx: &DecisionContext, model: &Model) -> Result<Basis, ValidationError> {
    let tier = input.tier;
    match (input.profile_id, &input.weights) {
        (Some(_), Some(_)) => Err(ValidationError::field(
            "profile_id",
            "give either profile_id (a saved profile's weights) or weights (a percent map), not both",
        )),
        (Some(id), None) => {
            let p = ctx.profiles.iter().find(|p| p.id == id).ok_or_else(|| {
                ValidationError::field("profile_id", format!("no profile with id {id}; see GET /api/v1/profiles"))
            })?;
            let weights = Weights::from_percent_map(model, &p.weights).map_err(|e| prefixed("profile_id", e))?;
            Ok(Basis { weights, profile: Some(p.name.clone()), tier, stakeholders_of: Some(p.id) })
        }
        (None, Some(map)) => {
            Ok(Basis { weights: Weights::from_percent_map(model, map)?, profile: None, tier, stakeholders_of: None })
        }
        (None, None) => {
            let p = ctx.default_profile().ok_or_else(|| {
                ValidationError::field("profile_id", "there is no default profile (one without a tier); name one")
            })?;
            let weights = Weights::from_percent_map(model, &p.weights).map_err(|e| prefixed("profile_id", e))?;
            Ok(Basis { weights, profile: Some(p.name.clone()), tier, stakeholders_of: Some(p.id) })
        }
    }
}

/// A profile's weights that no longer fit the model, reported against the field that chose it.
fn prefixed(field: &str, e: ValidationError) -> ValidationError {
    ValidationError::field(field, format!("the profile's weights do not fit today's criteria: {e}; edit the profile"))
}

/// The basis to re-run a snapshot on today's model: the weights of the profile it came from as
/// saved now (when that profile still exists), else its own weights by criterion key, and its
/// tier.
pub(super) fn basis_again(then: &Snapshot, ctx: &DecisionContext, model: &Model) -> Result<Basis, ValidationError> {
    if let Some(p) = then.profile.as_deref().and_then(|name| ctx.profiles.iter().find(|p| p.name == name))
        && let Ok(weights) = Weights::from_percent_map(model, &p.weights)
    {
        return Ok(Basis { weights, profile: Some(p.name.clone()), tier: then.tier, stakeholders_of: Some(p.id) });
    }
    let map: BTreeMap<String, f64> =
        then.criteria.iter().map(|c| (c.key.clone(), domain::weights::tenths_to_percent(c.weight))).collect();
    let weights = Weights::from_percent_map(model, &map).map_err(|e| {
        ValidationError::field(
            "weights",
            format!("the decision's weights no longer fit today's criteria ({e}); record a new ADR with new weights"),
        )
    })?;
    Ok(Basis { weights, profile: None, tier: then.tier, stakeholders_of: None })
}

/// Freezes `basis` on `model` with the context's tier profiles and fleet, and the stakeholders'
/// weights of the basis's profile.
pub(super) async fn freeze(
    pool: &PgPool,
    model: &Model,
    basis: &Basis,
    ctx: DecisionContext,
) -> Result<Snapshot, AppError> {
    let mut snapshot =
        Snapshot::build(model, &basis.weights, basis.tier, ctx.fleet)?.with_tier_profiles(model, &ctx.tier_profiles)?;
    snapshot.profile = basis.profile.clone();
    if let Some(id) = basis.stakeholders_of {
        snapshot.stakeholder_weights = crate::ssr::stakeholders::for_snapshot(pool, model, id).await?;
    }
    Ok(snapshot)
}

/// Today's context for `scope`.
pub(super) async fn context(
    pool: &PgPool,
    model: &Model,
    scope: &Scope,
    cached: Option<(&RecommendationCache, std::sync::Arc<Vec<crate::model::Cluster>>)>,
) -> Result<DecisionContext, AppError> {
    decision_context(pool, model, scope, cached).await
}
