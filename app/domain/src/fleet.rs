//! The fleet: sites and clusters with the facts the gates read, their validation, the
//! recommendation per cluster, the demo fleet modelled on the seed ADR, synthetic fleets of any
//! size and, with the `interchange` feature, CSV and YAML import and export.
//!
//! Field names are issue 4's, identical in the API JSON, the CSV header and the YAML keys
//! ([`cluster_fields`], [`SITE_FIELDS`]). A [`FleetDoc`] is what an import carries and an export
//! writes; [`validate_doc`] checks one against the names already in the fleet.

mod check;
mod demo;
mod recommend;
mod records;
mod rules;
mod synthetic;

#[cfg(feature = "interchange")]
mod csv_format;
#[cfg(feature = "interchange")]
mod fields;
#[cfg(feature = "interchange")]
mod yaml_format;

#[cfg(all(test, feature = "interchange"))]
mod interchange_tests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use check::{RowError, validate_doc};
pub use demo::demo_fleet;
pub use recommend::{
    CONTESTED_BELOW, CandidateOutcome, ProfileChoice, ROBUSTNESS_BAND, ROBUSTNESS_SEED, Recommendation, Recommender,
    pick_profile, recommend, winner_without,
};
pub use records::{ClusterRecord, MAX_RATIONALE_CHARS, SITE_FIELDS, SiteKind, SiteRecord, cluster_fields};
pub(crate) use rules::check_text;
pub use rules::{check_cluster_name, check_label, is_dns_label};
pub use synthetic::synthetic_fleet;

#[cfg(feature = "interchange")]
pub use csv_format::{
    clusters_from_csv, clusters_to_csv, csv_rows, csv_table, doc_to_csv, import_csv, sites_from_csv, sites_to_csv,
};
#[cfg(feature = "interchange")]
pub use yaml_format::{fleet_from_yaml, fleet_to_yaml, import_yaml};

/// Sites and clusters, as imported and exported.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetDoc {
    /// Plants and regions.
    #[serde(default)]
    pub sites: Vec<SiteRecord>,
    /// Clusters.
    #[serde(default)]
    pub clusters: Vec<ClusterRecord>,
    /// Cluster name → the `version` the file was exported at, when the file carries one: an
    /// import refuses to overwrite a cluster changed since.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub versions: std::collections::BTreeMap<String, i32>,
    /// Cluster name → the line it starts on in the file it was read from, to word errors found
    /// later (against the database).
    #[serde(skip)]
    pub lines: std::collections::BTreeMap<String, usize>,
}

/// Two documents are equal when they say the same; where their items stood in a file does not
/// matter.
impl PartialEq for FleetDoc {
    fn eq(&self, other: &Self) -> bool {
        self.sites == other.sites && self.clusters == other.clusters && self.versions == other.versions
    }
}

impl FleetDoc {
    /// Sites and clusters without versions or lines.
    pub fn new(sites: Vec<SiteRecord>, clusters: Vec<ClusterRecord>) -> Self {
        FleetDoc { sites, clusters, ..Default::default() }
    }
}
