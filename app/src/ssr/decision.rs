//! The decision model as the API serves it: criteria, candidates with their scores, and
//! `evaluate` for pipelines. Reads only; anyone signed in.

use serde_json::{Value, json};

use super::Ctx;
use crate::AppError;
use crate::model::{EvaluateRequest, EvaluateResponse};
use domain::{CandidateStatus, Weights, break_even, evaluate as run};

/// The criteria in display order.
pub async fn criteria(ctx: &Ctx) -> Result<Value, AppError> {
    Ok(json!(ctx.model().await?.criteria))
}

/// Every candidate with its base scores and tier overrides, each with its rationale.
pub async fn candidates(ctx: &Ctx) -> Result<Value, AppError> {
    let model = ctx.model().await?;
    let list: Vec<Value> = model
        .candidates
        .iter()
        .map(|c| {
            let mine = model.scores.iter().filter(|s| s.candidate == c.key);
            let scores: serde_json::Map<String, Value> = mine
                .clone()
                .filter(|s| s.tier.is_none())
                .map(|s| (s.criterion.clone(), json!({"score": s.score, "rationale": s.rationale})))
                .collect();
            let overrides: Vec<Value> = mine
                .filter(|s| s.tier.is_some())
                .map(|s| json!({"criterion": s.criterion, "tier": s.tier, "score": s.score, "rationale": s.rationale}))
                .collect();
            json!({
                "key": c.key,
                "name": c.name,
                "status": c.status,
                "scored": c.status == CandidateStatus::Scored,
                "summary": c.summary,
                "dismissed_reason": c.dismissed_reason,
                "scores": scores,
                "tier_overrides": overrides,
            })
        })
        .collect();
    Ok(Value::Array(list))
}

/// Totals, ranks, margin and break-even for the given weights (and tier overrides).
pub async fn evaluate(ctx: &Ctx, req: EvaluateRequest) -> Result<EvaluateResponse, AppError> {
    let model = ctx.model().await?;
    let weights = Weights::from_percent_map(&model, &req.weights)?;
    let table = model.score_table(req.tier);
    let e = run(&table, &weights);
    let be = break_even(&table, &weights);
    Ok(EvaluateResponse::new(&model, req.tier, &e, be.as_deref()))
}
