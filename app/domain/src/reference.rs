//! The reference data taken from the seed ADR: criteria, candidates, scores and weight profiles.
//! The server loads it into PostgreSQL on first start; tests use it as the regression baseline.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::{Candidate, Context, Criterion, Model, Score, Tier};

/// A weight profile as written in the reference file (weights in percent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileSeed {
    /// Unique name.
    pub name: String,
    /// Why these weights, citing the seed.
    pub description: String,
    /// Tier the profile is for, if any.
    pub tier: Option<Tier>,
    /// Greenfield or brownfield, if it matters.
    pub context: Option<Context>,
    /// Criterion key → percent.
    pub weights: BTreeMap<String, f64>,
}

/// Everything in `data/reference.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reference {
    /// Where the data comes from.
    pub source: String,
    /// The nine criteria.
    pub criteria: Vec<Criterion>,
    /// Scored and dismissed candidates.
    pub candidates: Vec<Candidate>,
    /// Base scores and tier overrides.
    pub scores: Vec<Score>,
    /// Default and per-tier profiles.
    pub profiles: Vec<ProfileSeed>,
}

impl Reference {
    /// The criteria, candidates and scores as a [`Model`].
    pub fn model(&self) -> Model {
        Model { criteria: self.criteria.clone(), candidates: self.candidates.clone(), scores: self.scores.clone() }
    }
}

/// The raw reference file.
pub const REFERENCE_JSON: &str = include_str!("../data/reference.json");

/// Parses the bundled reference data.
pub fn reference() -> Result<Reference, serde_json::Error> {
    serde_json::from_str(REFERENCE_JSON)
}
