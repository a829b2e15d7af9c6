//! The studio's stakeholder forms: plain HTML forms posting here and following the redirect back
//! to the studio's stakeholder section, so they ship no WASM. A refused form comes back with what
//! was typed and the reason.

use leptos::prelude::*;
use std::collections::BTreeMap;

use crate::AppError;

/// Where the studio shows profile `profile`'s stakeholders, with `extra` query pairs.
#[cfg(feature = "ssr")]
fn section(profile: &str, extra: &[(&str, &str)], anchor: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("profile", profile);
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("/?{}#{anchor}", q.finish())
}

#[cfg(feature = "ssr")]
fn number<T: std::str::FromStr>(field: &str, text: Option<&str>, what: &str) -> Result<Option<T>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| AppError::field(field, format!("'{t}' is not {what}"))),
    }
}

/// Adds or changes (`stakeholder` and `version` given) a stakeholder's weights for `profile`.
/// `weights[<criterion>]` carries each percent as typed; with `rescale` they are scaled to add up
/// to 100 % first. `mine` marks them as the signed-in user's own.
#[server]
#[allow(clippy::too_many_arguments)]
pub async fn save_stakeholder(
    profile: String,
    stakeholder: Option<String>,
    version: Option<String>,
    name: Option<String>,
    role: String,
    mine: Option<String>,
    rescale: Option<String>,
    // Optional, so a form without any weight box comes back with each one named, not a bare 400.
    weights: Option<BTreeMap<String, String>>,
) -> Result<(), AppError> {
    use crate::model::{StakeholderForm, StakeholderInput, Versioned};
    use crate::ssr::{ctx, stakeholders};
    use domain::weights::{FULL, apportion, parse_percent_tenths, tenths_to_percent};

    let mine = mine.is_some();
    let weights = weights.unwrap_or_default();
    let outcome = async {
        let ctx = ctx()?;
        let profile_id: i64 = number("profile", Some(&profile), "a profile id")?
            .ok_or_else(|| AppError::field("profile", "pick a profile first"))?;
        let model = ctx.model().await?;
        // The role and every criterion's percent, read as typed; all problems reported together.
        let mut err = domain::ValidationError::default();
        let role = role.parse().map_err(|e: String| err.add("role", e)).ok();
        let mut tenths = Vec::with_capacity(model.criteria.len());
        for c in &model.criteria {
            match weights.get(&c.key).map(String::as_str).map(parse_percent_tenths) {
                Some(Ok(t)) => tenths.push(t),
                Some(Err(e)) => err.add(format!("weights.{}", c.key), e),
                None => err.add(format!("weights.{}", c.key), "missing; give a weight (0 is fine)"),
            }
        }
        let role = err.into_result(role)?.ok_or_else(|| AppError::field("role", "choose a role"))?;
        if rescale.is_some() && tenths.iter().any(|&t| t > 0) {
            let basis: Vec<u64> = tenths.iter().map(|&t| u64::from(t)).collect();
            tenths = apportion(u64::from(FULL), &basis).into_iter().map(|t| u32::try_from(t).unwrap_or(FULL)).collect();
        }
        let input = StakeholderInput {
            name: name.clone().unwrap_or_default(),
            role,
            weights: model.criteria.iter().zip(&tenths).map(|(c, &t)| (c.key.clone(), tenths_to_percent(t))).collect(),
            mine,
        };
        match number::<i64>("stakeholder", stakeholder.as_deref(), "a stakeholder id")? {
            None => {
                stakeholders::create(&ctx, profile_id, input).await?;
                Ok(section(&profile_id.to_string(), &[("stakeholders", "added")], "stakeholders"))
            }
            Some(id) => {
                let version = number("version", version.as_deref(), "a version")?
                    .ok_or_else(|| AppError::field("version", "the entry's version is missing; reload the studio"))?;
                stakeholders::update(&ctx, profile_id, id, Versioned::new(input, version)).await?;
                Ok(section(&profile_id.to_string(), &[("stakeholders", "updated")], "stakeholders"))
            }
        }
    }
    .await;
    match outcome {
        Ok(to) => leptos_axum::redirect(&to),
        Err(e) => {
            let form = StakeholderForm {
                id: stakeholder.as_deref().and_then(|s| s.trim().parse().ok()),
                version: version.as_deref().and_then(|s| s.trim().parse().ok()),
                name: name.unwrap_or_default(),
                role,
                weights,
                mine,
            };
            let draft = serde_json::to_string(&form).unwrap_or_default();
            let why = super::adr_forms::error_words(&e);
            leptos_axum::redirect(&section(&profile, &[("sh_draft", &draft), ("sh_error", &why)], "stakeholder-form"));
        }
    }
    Ok(())
}

/// Removes a stakeholder's weights from `profile` when `version` is still current.
#[server]
pub async fn delete_stakeholder(profile: String, stakeholder: String, version: String) -> Result<(), AppError> {
    use crate::ssr::{ctx, stakeholders};
    let outcome = async {
        let profile_id = number("profile", Some(&profile), "a profile id")?
            .ok_or_else(|| AppError::field("profile", "pick a profile first"))?;
        let id = number("stakeholder", Some(&stakeholder), "a stakeholder id")?
            .ok_or_else(|| AppError::field("stakeholder", "say whose weights to remove"))?;
        stakeholders::delete(&ctx()?, profile_id, id, number("version", Some(&version), "a version")?).await
    }
    .await;
    let to = match outcome {
        Ok(()) => section(&profile, &[("stakeholders", "removed")], "stakeholders"),
        Err(e) => section(&profile, &[("sh_error", &super::adr_forms::error_words(&e))], "stakeholders"),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// Chooses how `profile` combines its stakeholders' weights (`mean` or `median`), when the
/// profile's `version` is still current.
#[server]
pub async fn set_stakeholder_aggregate(profile: String, aggregate: String, version: String) -> Result<(), AppError> {
    use crate::model::{AggregateChange, Versioned};
    use crate::ssr::{ctx, stakeholders};
    let outcome = async {
        let profile_id = number("profile", Some(&profile), "a profile id")?
            .ok_or_else(|| AppError::field("profile", "pick a profile first"))?;
        let aggregate = aggregate.parse().map_err(|e: String| AppError::field("aggregate", e))?;
        let version = number("version", Some(&version), "a version")?
            .ok_or_else(|| AppError::field("version", "the profile's version is missing; reload the studio"))?;
        stakeholders::set_aggregate(&ctx()?, profile_id, Versioned::new(AggregateChange { aggregate }, version)).await
    }
    .await;
    let to = match outcome {
        Ok(_) => section(&profile, &[("stakeholders", "aggregate")], "stakeholders"),
        Err(e) => section(&profile, &[("sh_error", &super::adr_forms::error_words(&e))], "stakeholders"),
    };
    leptos_axum::redirect(&to);
    Ok(())
}
