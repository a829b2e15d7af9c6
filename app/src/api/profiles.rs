//! Server functions of the studio. Saving is a plain HTML form (like "Record decision"): the
//! browser posts it and follows the redirect, so the studio's bundle carries no server-function
//! client and no JSON decoder for answers.

use leptos::prelude::*;

use crate::AppError;
use crate::model::{StudioPage, StudioQuery};

/// Criteria, candidates, scores and profiles for the studio, starting where its address says.
#[server]
pub async fn load_studio(query: StudioQuery) -> Result<StudioPage, AppError> {
    use crate::ssr::{ctx, profiles, respond};
    respond(async { profiles::studio(&ctx()?, query).await }).await
}

/// The studio's save form. `save=new` saves the weights as a new profile named `name`, copying
/// the description and context of the profile the weights started from (`profile`);
/// `save=update` overwrites `profile` if its `version` is still current. Either way the studio
/// opens on the saved profile; a refusal brings back the form's weights, tier and name with the
/// reason (`conflict=` when someone else saved first, `error=` otherwise), so nothing is lost.
#[server]
pub async fn save_profile(
    save: String,
    weights: String,
    tier: Option<String>,
    profile: Option<String>,
    version: Option<String>,
    name: Option<String>,
) -> Result<(), AppError> {
    use crate::model::{ProfileInput, Versioned};
    use crate::ssr::{ctx, profiles};
    use std::collections::BTreeMap;

    let tier = tier.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let profile = profile.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let name = name.unwrap_or_default();
    let outcome = async {
        let ctx = ctx()?;
        let percents: BTreeMap<String, f64> = serde_json::from_str(&weights).map_err(|_| {
            AppError::field("weights", "the weights did not arrive as a map of criterion to percent; reload the studio")
        })?;
        let tier_value = match &tier {
            None => None,
            Some(t) => Some(t.parse().map_err(|_| AppError::field("tier", format!("'{t}' is not a tier")))?),
        };
        let base = match &profile {
            None => None,
            Some(p) => {
                let id = p.parse().map_err(|_| AppError::field("profile", format!("'{p}' is not a profile id")))?;
                Some(profiles::get(&ctx, id).await?)
            }
        };
        let input = |name: String| ProfileInput {
            name,
            description: base.as_ref().map(|p| p.description.clone()).unwrap_or_default(),
            tier: tier_value,
            context: base.as_ref().and_then(|p| p.context).filter(|_| tier_value.is_some()),
            weights: percents.clone(),
        };
        match save.as_str() {
            "new" => {
                if name.trim().is_empty() {
                    return Err(AppError::field("name", "give the new profile a name"));
                }
                let saved = profiles::create(&ctx, input(name.trim().to_string())).await?;
                Ok(format!("/?profile={}&saved=new", saved.id))
            }
            "update" => {
                let Some(base) = &base else {
                    return Err(AppError::field("profile", "pick a profile to update first"));
                };
                let version = version
                    .as_deref()
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or_else(|| AppError::field("version", "the profile's version is missing; reload the studio"))?;
                let saved = profiles::update(&ctx, base.id, Versioned::new(input(base.name.clone()), version)).await?;
                Ok(format!("/?profile={}&saved=updated", saved.id))
            }
            other => Err(AppError::field("save", format!("'{other}' is neither 'new' nor 'update'"))),
        }
    }
    .await;
    match outcome {
        Ok(path) => leptos_axum::redirect(&path),
        Err(e) => {
            let mut back = form_urlencoded::Serializer::new(String::new());
            if let Some(p) = &profile {
                back.append_pair("profile", p);
            }
            back.append_pair("tier", tier.as_deref().unwrap_or(""));
            back.append_pair("weights", &weights);
            if !name.is_empty() {
                back.append_pair("name", &name);
            }
            match &e {
                AppError::Conflict { .. } if save == "update" => back.append_pair("conflict", &e.to_string()),
                other => back.append_pair("error", &super::adr_forms::error_words(other)),
            };
            leptos_axum::redirect(&format!("/?{}", back.finish()));
        }
    }
    Ok(())
}
