//! CNI versions on the wire (issue 11): the release catalog, the fleet's versions table with its
//! lifecycle findings, observations reported by pipelines, pins and upgrade plans.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::versions::{CatalogChanges, Finding, FindingCode, FleetPlan, LifecycleStatus};
use domain::{NaiveDate, Tier};

/// `GET /api/v1/releases`: one minor line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReleaseInfo {
    /// Product key (`cilium`).
    pub product: String,
    /// Minor line, `1.18`.
    pub cycle: String,
    /// First release.
    pub ga_date: NaiveDate,
    /// End of upstream support, when announced.
    pub eol_date: Option<NaiveDate>,
    /// Newest patch.
    pub latest_patch: String,
    /// Minimum kernel, in words.
    pub min_kernel: String,
    /// Among the minors the product supports today.
    pub supported: bool,
    /// Patch releases the catalog lists for it.
    pub patches: usize,
}

/// What a pipeline reports a cluster runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ObservationInput {
    /// Cluster name.
    pub cluster: String,
    /// Candidate key of the CNI running.
    pub cni: String,
    /// Its version, `1.16.3` or `v1.16.3`.
    pub version: String,
    /// The nodes' kernel (`uname -r`).
    #[serde(default)]
    pub kernel: Option<String>,
    /// When it was seen (RFC 3339); now when absent.
    #[serde(default)]
    pub observed_at: Option<String>,
}

/// `POST /api/v1/observations`: what was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ObservationReport {
    /// Observations stored.
    pub accepted: usize,
    /// Clusters whose latest observation they changed.
    pub clusters: usize,
}

/// An observation as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Observed {
    /// CNI running.
    pub cni: String,
    /// Its version.
    pub version: String,
    /// Kernel reported.
    pub kernel: Option<String>,
    /// When it was seen (RFC 3339).
    pub observed_at: String,
}

/// One cluster in the versions table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionRow {
    /// Cluster id.
    pub id: i64,
    /// Cluster name.
    pub cluster: String,
    /// Site name.
    pub site: String,
    /// Tier.
    pub tier: Tier,
    /// Marked as an upgrade pilot.
    pub pilot: bool,
    /// The CNI judged: decided, else recommended.
    pub cni: Option<String>,
    /// Pinned version.
    pub pinned: Option<String>,
    /// Kernel on record.
    pub kernel: Option<String>,
    /// Latest observation.
    pub observed: Option<Observed>,
    /// Where its minor stands.
    pub status: LifecycleStatus,
    /// End of life of its minor.
    pub eol_date: Option<NaiveDate>,
    /// Newer patches of its minor.
    pub patches_behind: Option<usize>,
    /// Newer minors.
    pub minors_behind: Option<usize>,
    /// Observed version or CNI differs from the pin or the decision.
    pub drift: bool,
    /// The next release to roll out on its upgrade path, if any.
    pub next_step: Option<String>,
    /// What to act on.
    pub findings: Vec<Finding>,
}

impl VersionRow {
    /// True when one of its findings has `code`.
    pub fn has(&self, code: FindingCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// Filters of the versions table; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct VersionQuery {
    /// CNI judged.
    #[serde(default)]
    pub cni: Option<String>,
    /// Tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site: Option<String>,
    /// A finding code (`eol`, `drift`, `unpinned`, …) or `supported`.
    #[serde(default)]
    pub status: Option<String>,
    /// Rows to skip.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Rows to return (default 100, at most 10,000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The status filter's values with their labels, in the order the page lists them.
pub const VERSION_STATUSES: [(&str, &str); 10] = [
    ("eol", "end of life"),
    ("eol_soon", "end of life within 90 days"),
    ("supported", "supported"),
    ("unknown_version", "unknown version"),
    ("unpinned", "unpinned"),
    ("drift", "version drift"),
    ("cni_drift", "CNI drift"),
    ("stale", "no recent observation"),
    ("kernel_too_old", "kernel too old"),
    ("behind", "patches or minors behind"),
];

/// Counts over the whole fleet (not only the filtered rows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    /// Clusters in the fleet.
    pub clusters: usize,
    /// Clusters per finding code or `supported` (the keys of [`VERSION_STATUSES`]).
    pub by_status: BTreeMap<String, usize>,
    /// `cni minor` (`cilium 1.16`, `unpinned`) → lifecycle status → clusters, for the chart.
    pub by_minor: BTreeMap<String, BTreeMap<String, usize>>,
}

/// `GET /api/v1/versions`: a page of the table with the counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionsView {
    /// Rows of this page, by name.
    pub rows: Vec<VersionRow>,
    /// Rows matching the filters.
    pub total: usize,
    /// Rows before this page.
    pub offset: usize,
    /// Rows per page.
    pub limit: usize,
    /// Counts over the whole fleet.
    pub summary: VersionSummary,
    /// Day the lifecycle was judged on.
    pub today: NaiveDate,
}

/// One cluster's lifecycle (`GET /api/v1/clusters/{id}/lifecycle`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClusterLifecycle {
    /// Cluster id.
    pub id: i64,
    /// Cluster name.
    pub cluster: String,
    /// Pinned version.
    pub pinned: Option<String>,
    /// The kernel judged: the one on record, else the one last reported.
    pub kernel: Option<String>,
    /// Latest observation.
    pub observed: Option<Observed>,
    /// Earlier observations, newest first.
    pub history: Vec<Observed>,
    /// The verdict.
    #[serde(flatten)]
    pub lifecycle: domain::versions::Lifecycle,
    /// The finding codes alone, for pipelines.
    pub codes: Vec<FindingCode>,
}

/// Pins a version on a selection of clusters (`POST /api/v1/versions/pin`): the clusters whose
/// decided CNI is `cni`, narrowed by tier, site or names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PinInput {
    /// Candidate key.
    pub cni: String,
    /// The release to pin.
    pub version: String,
    /// Only this tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// Only this site.
    #[serde(default)]
    pub site: Option<String>,
    /// Only these clusters.
    #[serde(default)]
    pub clusters: Vec<String>,
}

/// What a bulk pin changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PinReport {
    /// The version pinned.
    pub version: String,
    /// Clusters pinned (those already on it are not counted).
    pub pinned: usize,
    /// Clusters in the selection.
    pub selected: usize,
}

/// A catalog import: what changes (or changed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CatalogImportReport {
    /// Product key.
    pub product: String,
    /// Nothing was written.
    pub dry_run: bool,
    /// The file differs from the catalog in use.
    pub changed: bool,
    /// The changes in words.
    pub summary: Vec<String>,
    /// The changes.
    pub changes: CatalogChanges,
}

/// One wave of a fleet plan, as the API names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanWave {
    /// 0 for the first.
    pub wave: u32,
    /// `pilot`, `plants`, `regional and cloud`, `cells`.
    pub name: String,
    /// Days after wave 0 it starts.
    pub start_day: u32,
    /// Its clusters.
    pub clusters: Vec<domain::versions::PlannedCluster>,
}

/// `GET /api/v1/upgrade-plan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpgradePlan {
    /// Product key.
    pub cni: String,
    /// Release every cluster ends at.
    pub target: String,
    /// Days between waves.
    pub soak_days: u32,
    /// Waves in order.
    pub waves: Vec<PlanWave>,
    /// Clusters already at the target.
    pub up_to_date: Vec<domain::versions::PlannedCluster>,
    /// Clusters that cannot join, with the reason.
    pub blocked: Vec<domain::versions::BlockedCluster>,
}

impl From<&FleetPlan> for UpgradePlan {
    fn from(p: &FleetPlan) -> Self {
        UpgradePlan {
            cni: p.product.clone(),
            target: p.target.to_string(),
            soak_days: p.soak_days,
            waves: p
                .waves
                .iter()
                .map(|w| PlanWave {
                    wave: w.number,
                    name: w.kind.label().to_string(),
                    start_day: w.start_day,
                    clusters: w.clusters.clone(),
                })
                .collect(),
            up_to_date: p.up_to_date.clone(),
            blocked: p.blocked.clone(),
        }
    }
}

/// Everything the versions page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionsPage {
    /// The table and counts.
    pub view: VersionsView,
    /// The catalog's minor lines.
    pub releases: Vec<ReleaseInfo>,
    /// The fleet plan for the chosen CNI and target.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub plan: Result<UpgradePlan, String>,
    /// The CNI planned.
    pub plan_cni: String,
    /// Who is looking (architects get the bulk pin form).
    pub me: super::Me,
}
