//! The plain HTML forms of the ADR pages and the studio's "Record decision". They post here and
//! work without WASM (those pages ship none): each redirects to the page that shows the result,
//! or back to the form's page with the reason in `?error=`, so nothing typed is a mystery.
//! The services check roles, versions and transitions exactly as for the REST API.

use leptos::prelude::*;

use crate::AppError;

/// Redirects to `Ok(path)`, or back to `back` with the error's words.
#[cfg(feature = "ssr")]
fn finish(back: &str, outcome: Result<String, AppError>) -> Result<(), AppError> {
    match outcome {
        Ok(path) => leptos_axum::redirect(&path),
        Err(e) => {
            let words = match &e {
                AppError::Validation { fields, .. } if !fields.is_empty() => {
                    fields.values().cloned().collect::<Vec<_>>().join(" · ")
                }
                other => other.to_string(),
            };
            let q: String = form_urlencoded::Serializer::new(String::new()).append_pair("error", &words).finish();
            leptos_axum::redirect(&format!("{back}?{q}"));
        }
    }
    Ok(())
}

/// Records a proposed ADR from the studio's weights (a JSON map of criterion → percent) and
/// optional tier, then opens it. Choosing another option than the weighted winner needs a
/// justification.
#[server]
pub async fn record_decision(
    title: String,
    chosen: String,
    justification: Option<String>,
    weights: String,
    tier: Option<String>,
) -> Result<(), AppError> {
    use crate::model::AdrInput;
    use crate::ssr::{adrs, ctx};
    let outcome = async {
        let weights = serde_json::from_str(&weights)
            .map_err(|_| AppError::field("weights", "the weights did not arrive as a map of criterion to percent"))?;
        let tier = match tier.as_deref().filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(t.parse().map_err(|_| AppError::field("tier", format!("'{t}' is not a tier")))?),
        };
        let mut draft = domain::adr::AdrDraft::new(title, chosen);
        draft.justification = justification.unwrap_or_default();
        let mut input = AdrInput::new(draft);
        input.weights = Some(weights);
        input.tier = tier;
        let record = adrs::create(&ctx()?, input).await?;
        Ok(format!("/adrs/{}", record.adr.number.0))
    }
    .await;
    finish("/", outcome)
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
