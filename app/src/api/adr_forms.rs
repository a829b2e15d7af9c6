//! The plain HTML forms of the ADR pages and the studio's "Record decision". They post here and
//! work without WASM (those pages ship none): each redirects to the page that shows the result,
//! or back to the form's page with the reason in `?error=`, so nothing typed is a mystery.
//! The services check roles, versions and transitions exactly as for the REST API.

use leptos::prelude::*;

use crate::AppError;

/// What a plain form's refusal says on the page it goes back to: the reason, or with several
/// fields to fix each one by name with its reason.
#[cfg(feature = "ssr")]
pub(crate) fn error_words(e: &AppError) -> String {
    match e {
        AppError::Validation { fields, .. } if fields.len() == 1 => fields.values().cloned().collect(),
        AppError::Validation { fields, .. } if fields.len() > 1 => {
            fields.iter().map(|(field, why)| format!("{field}: {why}")).collect::<Vec<_>>().join(" · ")
        }
        other => other.to_string(),
    }
}

/// Redirects to `Ok(path)`, or back to `back` with the error's words.
#[cfg(feature = "ssr")]
pub(crate) fn finish(back: &str, outcome: Result<String, AppError>) -> Result<(), AppError> {
    match outcome {
        Ok(path) => leptos_axum::redirect(&path),
        Err(e) => {
            let words = error_words(&e);
            let q: String = form_urlencoded::Serializer::new(String::new()).append_pair("error", &words).finish();
            let join = if back.contains('?') { '&' } else { '?' };
            leptos_axum::redirect(&format!("{back}{join}{q}"));
        }
    }
    Ok(())
}

/// Records a proposed ADR and opens it. From the studio: its weights (a JSON map of criterion
/// → percent) and optional tier. From the fleet map: the filter's tier and context as the scope,
/// with the default profile's weights. From a cluster page: that cluster as the scope, with its
/// profile and tier. Choosing another option than the weighted winner needs a justification.
#[server]
#[allow(clippy::too_many_arguments)]
pub async fn record_decision(
    title: String,
    chosen: String,
    justification: Option<String>,
    weights: Option<String>,
    tier: Option<String>,
    profile_id: Option<String>,
    stakeholders_of: Option<String>,
    scope_tier: Option<String>,
    scope_context: Option<String>,
    scope_cluster: Option<String>,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::model::AdrInput;
    use crate::ssr::{adrs, ctx};
    let present = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let outcome = async {
        let weights = match present(weights) {
            None => None,
            Some(w) => Some(serde_json::from_str(&w).map_err(|_| {
                AppError::field("weights", "the weights did not arrive as a map of criterion to percent")
            })?),
        };
        let tier_of = |field: &'static str, t: Option<String>| match present(t) {
            None => Ok(None),
            Some(t) => t.parse().map(Some).map_err(|_| AppError::field(field, format!("'{t}' is not a tier"))),
        };
        let mut draft = domain::adr::AdrDraft::new(title, chosen);
        draft.justification = justification.unwrap_or_default();
        draft.scope.tiers.extend(tier_of("scope_tier", scope_tier)?);
        if let Some(c) = present(scope_context) {
            let context = c.parse().map_err(|_| AppError::field("scope_context", format!("'{c}' is not a context")))?;
            draft.scope.contexts.push(context);
        }
        draft.scope.clusters.extend(present(scope_cluster));
        let mut input = AdrInput::new(draft);
        input.weights = weights;
        input.tier = tier_of("tier", tier)?;
        input.profile_id = match present(profile_id) {
            None => None,
            Some(p) => {
                Some(p.parse().map_err(|_| AppError::field("profile_id", format!("'{p}' is not a profile id")))?)
            }
        };
        input.stakeholders_of = match present(stakeholders_of) {
            None => None,
            Some(p) => {
                Some(p.parse().map_err(|_| AppError::field("stakeholders_of", format!("'{p}' is not a profile id")))?)
            }
        };
        let record = adrs::create(&ctx()?, input).await?;
        Ok(format!("/adrs/{}", record.adr.number.0))
    }
    .await;
    finish(&crate::ssr::throttle::safe_next(back.as_deref()), outcome)
}

/// Accepts, rejects or deprecates an ADR, then shows it again.
#[server]
pub async fn change_adr_status(number: u32, status: String, version: i32) -> Result<(), AppError> {
    use crate::model::{StatusChange, Versioned};
    use crate::ssr::{adrs, ctx};
    use domain::adr::AdrNumber;
    let page = format!("/adrs/{number}");
    let outcome = async {
        let status =
            status.parse().map_err(|_| AppError::field("status", format!("'{status}' is not an ADR status")))?;
        let body = Versioned::new(StatusChange { status, superseded_by: None }, version);
        adrs::set_status(&ctx()?, AdrNumber(number), body).await?;
        Ok(page.clone())
    }
    .await;
    finish(&page, outcome)
}

/// Reviews an accepted ADR: reaffirm (a note is required) shows it with its next review date;
/// supersede opens the new proposed ADR.
#[server]
pub async fn submit_review(number: u32, outcome: String, note: String, version: i32) -> Result<(), AppError> {
    use crate::model::{ReviewInput, Versioned};
    use crate::ssr::{adrs, ctx};
    use domain::adr::AdrNumber;
    let back = format!("/adrs/{number}/review");
    let result = async {
        use domain::adr::ReviewOutcome;
        let outcome = match outcome.as_str() {
            "reaffirm" => ReviewOutcome::Reaffirm,
            "supersede" => ReviewOutcome::Supersede,
            _ => return Err(AppError::field("outcome", "choose reaffirm or supersede")),
        };
        let done =
            adrs::review(&ctx()?, AdrNumber(number), Versioned::new(ReviewInput { outcome, note }, version)).await?;
        Ok(match done.successor {
            Some(s) => format!("/adrs/{}", s.adr.number.0),
            None => format!("/adrs/{number}?reviewed=1"),
        })
    }
    .await;
    finish(&back, result)
}
