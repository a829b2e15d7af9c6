//! The robustness analysis of a weighting (anyone signed in): SMAA on the model's scores, with
//! the weights given or a saved profile's.

use std::collections::BTreeMap;

use domain::robustness::{DEFAULT_SAMPLES, SmaaOptions, smaa};
use domain::weights::percent_to_tenths;
use domain::{Weights, evaluate};

use super::Ctx;
use crate::AppError;
use crate::model::robustness::DEFAULT_BAND;
use crate::model::{RobustnessRequest, RobustnessResponse, Role};

/// Runs the analysis `req` asks for.
pub async fn analyse(ctx: &Ctx, req: RobustnessRequest) -> Result<RobustnessResponse, AppError> {
    ctx.reader(Role::Viewer)?;
    let model = ctx.model().await?;
    let (weights, tier) = match (&req.weights, req.profile_id) {
        (Some(w), None) => (Weights::from_percent_map(&model, w)?, req.tier),
        (None, Some(id)) => {
            let p = super::profiles::get(ctx, id).await?;
            (Weights::from_percent_map(&model, &p.weights)?, req.tier.or(p.tier))
        }
        _ => {
            return Err(AppError::field(
                "weights",
                "give either weights (criterion key → percent) or profile_id, not both and not neither",
            ));
        }
    };
    let band = req.band.unwrap_or(DEFAULT_BAND);
    let band_tenths =
        percent_to_tenths(band).map_err(|e| AppError::field("band", format!("band: {e} (percentage points)")))?;
    let seed = req.seed.unwrap_or(domain::fleet::ROBUSTNESS_SEED);
    let mut options = SmaaOptions::around(&weights, band_tenths, req.samples.unwrap_or(DEFAULT_SAMPLES), seed);
    options.perturb_scores = req.perturb_scores.unwrap_or(false);
    if req.stakeholders.unwrap_or(false) {
        let Some(id) = req.profile_id else {
            return Err(AppError::field("stakeholders", "sampling within stakeholders' ranges needs a profile_id"));
        };
        let r = super::stakeholders::ranges_of(&ctx.pool, &model, id).await?.ok_or_else(|| {
            AppError::field(
                "stakeholders",
                format!("profile {id} has fewer than two stakeholders' weights; add them under /api/v1/profiles/{id}/stakeholders"),
            )
        })?;
        options.sampling = domain::robustness::Sampling::Ranges { lo: r.lo, hi: r.hi };
    }
    let table = model.score_table(tier);
    let a = smaa(&table, &options)?;
    let winner = evaluate(&table, &weights).winner;
    let keys: Vec<&str> = model.criteria.iter().map(|c| c.key.as_str()).collect();
    let by_candidate = |i: usize| a.candidates[i].clone();
    Ok(RobustnessResponse {
        samples: a.samples,
        band,
        seed,
        tier,
        winner,
        rank_acceptability: (0..a.candidates.len())
            .map(|i| (by_candidate(i), a.rank_acceptability[i].clone()))
            .collect(),
        central_weights: (0..a.candidates.len())
            .map(|i| {
                let named = a.central_weights[i]
                    .as_ref()
                    .map(|cw| keys.iter().zip(cw).map(|(k, w)| ((*k).to_string(), *w)).collect::<BTreeMap<_, _>>());
                (by_candidate(i), named)
            })
            .collect(),
        confidence: (0..a.candidates.len()).map(|i| (by_candidate(i), a.confidence[i])).collect(),
    })
}
