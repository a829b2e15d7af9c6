//! Sites, clusters, imports and the fleet map as they cross the wire.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::{Context, Model, Tier};

/// A site as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Database id.
    pub id: i64,
    /// The site's fields.
    #[serde(flatten)]
    pub record: domain::fleet::SiteRecord,
    /// Row version.
    pub version: i32,
}

/// A cluster as the API shows it: the import/export fields plus id and version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Database id.
    pub id: i64,
    /// The cluster's fields.
    #[serde(flatten)]
    pub record: domain::fleet::ClusterRecord,
    /// Row version for optimistic concurrency.
    pub version: i32,
}

/// Filters of the cluster list (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterFilter {
    /// Cell, plant, regional or cloud.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Decided CNI.
    #[serde(default)]
    pub cni: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site: Option<String>,
    /// Clusters after this name (the `next` cursor of the page before).
    #[serde(default)]
    pub cursor: Option<String>,
    /// Clusters per page (1–10,000; the list answers 1,000 when none is given).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// What an import did or would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Sites in the file.
    pub sites: usize,
    /// Clusters in the file.
    pub clusters: usize,
    /// Every bad row; when not empty nothing was written.
    pub errors: Vec<domain::fleet::RowError>,
}

/// One cluster on the fleet map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetCluster {
    /// Database id.
    pub id: i64,
    /// Cluster name.
    pub name: String,
    /// Cell, plant, regional or cloud.
    pub tier: Tier,
    /// Greenfield or brownfield.
    pub context: Option<Context>,
    /// Winner of its profile among the candidates its gates allow.
    pub recommended: Option<String>,
    /// What was decided, if anything.
    pub decided: Option<String>,
    /// Gate codes with severity, e.g. `knock_out:kernel_below_release_minimum:cilium`.
    pub knock_outs: usize,
    /// Warning count.
    pub warnings: usize,
    /// Leader minus runner-up.
    pub margin: f64,
    /// Margin ≥ 10 % of the winner.
    pub clear_winner: bool,
    /// Decided differs from recommended.
    pub exception: bool,
    /// Why there is no recommendation (facts that no longer validate, no applicable profile):
    /// one such cluster is shown with its problem rather than failing the whole map.
    #[serde(default)]
    pub problem: Option<String>,
}

/// One site on the fleet map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetSite {
    /// Site name.
    pub name: String,
    /// Plant or region.
    pub kind: domain::fleet::SiteKind,
    /// Region the site belongs to (its own name for a region).
    pub region: Option<String>,
    /// Its clusters.
    pub clusters: Vec<FleetCluster>,
}

/// `GET /api/v1/fleet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    /// Sites with their clusters.
    pub sites: Vec<FleetSite>,
    /// Tier → CNI (decided, else recommended, else "undecided") → count.
    pub summary: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Everything the cluster page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPage {
    /// The cluster.
    pub cluster: Cluster,
    /// Its recommendation.
    pub recommendation: domain::fleet::Recommendation,
    /// The model, for the scoring chart.
    pub model: Model,
    /// The profile the recommendation used.
    pub profile: super::Profile,
    /// Who is looking.
    pub me: super::Me,
}
