//! Weight profiles and the studio's first load: wire types shared by the REST API, server
//! functions and the browser.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::Me;
use domain::{Context, Model, Tier, ValidationError, Weights};

/// A saved, named weight set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Profile {
    /// Database id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Why these weights.
    pub description: String,
    /// Tier it is meant for.
    pub tier: Option<Tier>,
    /// Greenfield or brownfield.
    pub context: Option<Context>,
    /// Criterion key → percent.
    pub weights: BTreeMap<String, f64>,
    /// Row version for optimistic concurrency.
    pub version: i32,
    /// Last change, RFC 3339.
    pub updated_at: String,
    /// Who saved it last.
    pub updated_by: String,
    /// How its stakeholders' weights are combined (`/api/v1/profiles/{id}/stakeholders`).
    #[serde(default)]
    pub aggregate: domain::stakeholders::Aggregate,
}

/// What a client sends to create or update a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    /// Unique name, 1–80 characters.
    pub name: String,
    /// Optional description, up to 4000 characters.
    #[serde(default)]
    pub description: String,
    /// Tier it is meant for.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Greenfield or brownfield.
    #[serde(default)]
    pub context: Option<Context>,
    /// Criterion key → percent, summing to 100.
    pub weights: BTreeMap<String, f64>,
}

/// A validated profile input.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidProfile {
    /// Trimmed name.
    pub name: String,
    /// Trimmed description.
    pub description: String,
    /// Tier it is meant for, if any.
    pub tier: Option<Tier>,
    /// Greenfield or brownfield, if it matters.
    pub context: Option<Context>,
    /// Weights aligned with the model's criteria.
    pub weights: Weights,
}

impl ProfileInput {
    /// Checks every field against the model; all problems are reported at once.
    pub fn validate(&self, model: &Model) -> Result<ValidProfile, ValidationError> {
        let mut err = ValidationError::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            err.add("name", "give the profile a name");
        } else if name.chars().count() > 80 {
            err.add("name", "keep the name to 80 characters or fewer");
        } else if let Some(m) = domain::text::invisible_problem(&name) {
            err.add("name", m);
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > 4000 {
            err.add("description", "keep the description to 4000 characters or fewer");
        }
        if self.context.is_some() && self.tier.is_none() {
            err.add("context", "a greenfield/brownfield context needs a tier; set tier or drop context");
        }
        let weights = match Weights::from_percent_map(model, &self.weights) {
            Ok(w) => w,
            Err(e) => {
                for (k, v) in e.fields {
                    err.add(k, v);
                }
                Weights::default()
            }
        };
        err.into_result(ValidProfile { name, description, tier: self.tier, context: self.context, weights })
    }
}

/// Everything the what-if studio needs on first render: the island's props. Weights travel as
/// integer tenths, so the browser never parses a float.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudioData {
    /// Criteria, candidates, scores.
    pub model: Model,
    /// Saved profiles, default first.
    pub profiles: Vec<StudioProfile>,
    /// Who is looking (decides whether save controls show; the server checks again).
    pub me: Me,
    /// Where the editor starts.
    pub start: StudioStart,
    /// The fleet grouped for the what-if.
    pub fleet: super::WhatIfFleet,
}

/// A profile as the studio's picker needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudioProfile {
    /// Database id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Why these weights.
    pub description: String,
    /// Tier it is meant for.
    pub tier: Option<Tier>,
    /// Its weights, aligned with the model's criteria.
    pub weights: Weights,
    /// Row version, sent back with an update.
    pub version: i32,
    /// "Version 3 · last saved … by …", written by the server.
    pub meta: String,
}

/// The editor's starting state, decided by the server from the page's address (see
/// [`StudioQuery`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudioStart {
    /// The selected profile.
    pub profile: Option<i64>,
    /// The weights shown (the profile's, or those of a save that was refused).
    pub weights: Weights,
    /// The tier whose score overrides apply.
    pub tier: Option<Tier>,
    /// The new profile's name as typed before a refused save.
    pub name: String,
    /// What the last save did.
    pub notice: Option<String>,
    /// Why the last update was refused because someone else saved first.
    pub conflict: Option<String>,
    /// The selected profile's stakeholders' ranges, when two or more gave weights: the
    /// robustness panel can sample within them.
    pub ranges: Option<super::StakeholderRanges>,
}

/// The studio page: the island's data, and the selected profile's stakeholders, which the server
/// alone renders (plain forms, no WASM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudioPage {
    /// What the island reads.
    pub data: StudioData,
    /// The selected profile's stakeholders, when a profile is selected.
    pub stakeholders: Option<StudioStakeholders>,
}

/// The studio's stakeholder section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudioStakeholders {
    /// Everyone's weights and what they decide.
    pub board: super::StakeholderBoard,
    /// Per stakeholder (board order): whether the viewer may change or remove the entry.
    pub editable: Vec<bool>,
    /// The viewer may enter weights on someone's behalf (architects).
    pub for_others: bool,
    /// The viewer has no entry of their own for this profile yet.
    pub may_add_own: bool,
    /// What the entry form shows.
    pub form: StakeholderForm,
    /// What the last change did.
    pub notice: Option<String>,
    /// Why the last change was refused.
    pub error: Option<String>,
    /// The spread chart (SVG; empty without stakeholders).
    pub chart: String,
    /// The studio with the aggregate weights loaded into the editor.
    pub aggregate_link: Option<String>,
}

/// The stakeholder entry form's fields: a new entry, one being changed (`id`, `version`), or a
/// refused one coming back with what was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StakeholderForm {
    /// The entry being changed.
    pub id: Option<i64>,
    /// Its version.
    pub version: Option<i32>,
    /// Who.
    pub name: String,
    /// `decision-maker` or `consulted`.
    pub role: String,
    /// Criterion key → percent, as typed.
    pub weights: BTreeMap<String, String>,
    /// Their own weights.
    pub mine: bool,
}

/// The studio's address: `?profile=` picks a profile; the save form comes back with `saved=new`
/// or `saved=updated`, or, when refused, with its own `weights` (criterion → percent JSON),
/// `tier` and `name` so nothing typed is lost, plus `conflict=` when someone saved first (other
/// reasons arrive as `error=`, shown by the page).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StudioQuery {
    /// Profile id.
    pub profile: Option<String>,
    /// Tier of the returned weights ("" for none).
    pub tier: Option<String>,
    /// Returned weights.
    pub weights: Option<String>,
    /// Returned new-profile name.
    pub name: Option<String>,
    /// "new" or "updated".
    pub saved: Option<String>,
    /// A refused update's reason.
    pub conflict: Option<String>,
    /// What the last stakeholder change did: `added`, `updated`, `removed` or `aggregate`.
    pub stakeholders: Option<String>,
    /// A stakeholder entry to change (its id).
    pub edit: Option<String>,
    /// A refused stakeholder form, as JSON ([`StakeholderForm`]).
    pub sh_draft: Option<String>,
    /// Why it was refused.
    pub sh_error: Option<String>,
}
