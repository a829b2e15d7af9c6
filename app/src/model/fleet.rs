//! Sites, clusters, imports and the fleet map as they cross the wire.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::{Context, Model, Tier};

/// A site as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// Order of the list (by name when none is given).
    #[serde(default)]
    pub sort: Option<ClusterSort>,
    /// Clusters to skip: numbered pages of a sorted list (the cursor pages by name).
    #[serde(default)]
    pub offset: Option<i64>,
}

/// Orders of the cluster list; each ends with the name, so a page is always the same page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClusterSort {
    /// By name.
    #[default]
    Name,
    /// Cell, plant, regional, cloud.
    Tier,
    /// By site name.
    Site,
    /// By decided CNI, undecided last.
    Cni,
}

impl ClusterSort {
    /// Every order, for the sort picker.
    pub const ALL: [ClusterSort; 4] = [ClusterSort::Name, ClusterSort::Tier, ClusterSort::Site, ClusterSort::Cni];

    /// The query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterSort::Name => "name",
            ClusterSort::Tier => "tier",
            ClusterSort::Site => "site",
            ClusterSort::Cni => "cni",
        }
    }
}

impl std::str::FromStr for ClusterSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ClusterSort::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("sort by one of name, tier, site, cni (not '{s}')"))
    }
}

/// Clusters per numbered page of the clusters page: little enough DOM for a fast page at any
/// fleet size.
pub const CLUSTER_LIST_PAGE: i64 = 100;

/// One numbered page of the cluster list, with the count of every match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClusterListPage {
    /// The clusters on this page.
    pub clusters: Vec<Cluster>,
    /// Clusters matching the filter, on every page.
    pub total: i64,
    /// Clusters before this page.
    pub offset: i64,
    /// Clusters per page.
    pub limit: i64,
}

/// What an import did or would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetCluster {
    /// Database id.
    pub id: i64,
    /// Cluster name.
    pub name: String,
    /// Its site's name.
    pub site: String,
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
    /// Accepted ADRs covering this cluster whose review date has passed.
    #[serde(default)]
    pub overdue_adrs: Vec<domain::adr::AdrNumber>,
    /// Its pinned (else running) CNI release is past end of life.
    #[serde(default)]
    pub eol: bool,
    /// What it runs differs from its pin or its decided CNI.
    #[serde(default)]
    pub drift: bool,
    /// Share of weight draws (±5 percentage points around its profile) in which its winner
    /// still ranks first; `None` without a winner.
    #[serde(default)]
    pub acceptability: Option<f64>,
    /// The winner's acceptability is under 70 %, or there is no winner.
    #[serde(default)]
    pub contested: bool,
    /// Candidates a gate rules out here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knocked_out: Vec<String>,
}

/// One site on the fleet map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// The computed fleet map: every site with its clusters (the server's cached whole; the API and
/// the pages send views of it, [`FleetOverview`] and [`FleetClusterPage`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Fleet {
    /// Sites with their clusters.
    pub sites: Vec<FleetSite>,
    /// Tier → CNI (decided, else recommended, else "undecided") → count.
    pub summary: BTreeMap<String, BTreeMap<String, usize>>,
    /// Accepted ADRs by review state.
    #[serde(default)]
    pub reviews: super::ReviewCounts,
    /// Clusters by version finding.
    #[serde(default)]
    pub versions: VersionCounts,
    /// Every cluster's version row, by name: computed with the map and kept with it, so the
    /// versions table and plans read the same cache (never sent over the wire).
    #[serde(skip)]
    pub version_rows: std::sync::Arc<Vec<super::VersionRow>>,
    /// Every cluster as read for the map, by name, for a decision's fleet in scope (never sent).
    #[serde(skip)]
    pub clusters: std::sync::Arc<Vec<Cluster>>,
    /// The clusters grouped for the studio's what-if, computed with the map (never sent).
    #[serde(skip)]
    pub whatif: std::sync::Arc<WhatIfFleet>,
}

/// How many clusters of the fleet have each version finding (the fleet map's summary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionCounts {
    /// Past end of life.
    pub eol: usize,
    /// End of life within 90 days.
    pub eol_soon: usize,
    /// Running something other than the pin or the decision.
    pub drift: usize,
    /// No version pinned.
    pub unpinned: usize,
}

impl VersionCounts {
    /// Counts one cluster's row.
    pub fn count(&mut self, r: &super::VersionRow) {
        use domain::versions::{FindingCode, LifecycleStatus};
        self.eol += usize::from(r.status == LifecycleStatus::Eol);
        self.eol_soon += usize::from(r.status == LifecycleStatus::EolSoon);
        self.drift += usize::from(r.drift);
        self.unpinned += usize::from(r.has(FindingCode::Unpinned));
    }
}

impl FleetCluster {
    /// The CNI the map shows: decided, else recommended, else "undecided".
    pub fn cni(&self) -> String {
        self.decided.clone().or_else(|| self.recommended.clone()).unwrap_or_else(|| "undecided".into())
    }
}

/// Filters of the fleet map and its API (each optional; empty values are ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct FleetQuery {
    /// Cell, plant, regional or cloud.
    #[serde(default)]
    pub tier: Option<String>,
    /// Greenfield or brownfield.
    #[serde(default)]
    pub context: Option<String>,
    /// CNI shown (decided, else recommended, or `undecided`).
    #[serde(default)]
    pub cni: Option<String>,
    /// `knock_out`, `warning`, `exception`, `contested` (winner's acceptability under 70 %),
    /// `close` (no clear winner), `review_overdue`, `eol` or `drift`.
    #[serde(default)]
    pub status: Option<String>,
    /// One site by name.
    #[serde(default)]
    pub site: Option<String>,
    /// Weights as a JSON map of criterion key to percent: only the clusters whose
    /// recommendation would change if these weights replaced their profile (the studio's what-if).
    #[serde(default)]
    pub whatif: Option<String>,
    /// Items to skip (sites on the map page, clusters in the cluster list).
    #[serde(default)]
    pub offset: Option<usize>,
    /// Items per page.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The statuses [`FleetQuery::status`] accepts, with their labels.
pub const FLEET_STATUSES: [(&str, &str); 8] = [
    ("knock_out", "knock-outs"),
    ("warning", "warnings"),
    ("exception", "exceptions"),
    ("contested", "contested (acceptability under 70 %)"),
    ("close", "no clear winner"),
    ("review_overdue", "ADR review overdue"),
    ("eol", "CNI version end of life"),
    ("drift", "version drift"),
];

impl FleetQuery {
    fn want(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.is_empty())
    }

    /// True when the cluster passes every filter but the site.
    pub fn matches(&self, c: &FleetCluster) -> bool {
        Self::want(&self.tier).is_none_or(|t| c.tier.as_str() == t)
            && Self::want(&self.context).is_none_or(|x| c.context.map(|v| v.as_str()) == Some(x))
            && Self::want(&self.cni).is_none_or(|x| c.cni() == x)
            && Self::want(&self.status).is_none_or(|s| match s {
                "knock_out" => c.knock_outs > 0,
                "warning" => c.warnings > 0,
                "exception" => c.exception,
                "contested" => c.contested,
                "close" => !c.clear_winner,
                "review_overdue" => !c.overdue_adrs.is_empty(),
                "eol" => c.eol,
                "drift" => c.drift,
                _ => true,
            })
    }

    /// True when the site passes the site filter.
    pub fn matches_site(&self, name: &str) -> bool {
        Self::want(&self.site).is_none_or(|s| s == name)
    }
}

/// One site of the fleet overview: its matching clusters counted, not listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetSiteSummary {
    /// Site name.
    pub name: String,
    /// Plant or region.
    pub kind: domain::fleet::SiteKind,
    /// Region the site belongs to (its own name for a region).
    pub region: Option<String>,
    /// Clusters matching the filters.
    pub clusters: usize,
    /// CNI shown → clusters.
    pub by_cni: BTreeMap<String, usize>,
    /// Clusters with a knock-out.
    pub knock_outs: usize,
    /// Clusters with a warning.
    pub warnings: usize,
    /// Exceptions to the recommendation.
    pub exceptions: usize,
    /// Clusters whose winner's acceptability is under 70 % (or without a winner).
    pub contested: usize,
    /// Clusters without a clear winner (margin under 10 %).
    #[serde(default)]
    pub close: usize,
    /// Clusters in scope of an ADR whose review is overdue.
    #[serde(default)]
    pub review_overdue: usize,
}

impl FleetSiteSummary {
    /// Counts `clusters` of `site`.
    pub fn of<'a>(site: &FleetSite, clusters: impl IntoIterator<Item = &'a FleetCluster>) -> Self {
        let mut s = FleetSiteSummary {
            name: site.name.clone(),
            kind: site.kind,
            region: site.region.clone(),
            clusters: 0,
            by_cni: BTreeMap::new(),
            knock_outs: 0,
            warnings: 0,
            exceptions: 0,
            contested: 0,
            close: 0,
            review_overdue: 0,
        };
        for c in clusters {
            s.clusters += 1;
            *s.by_cni.entry(c.cni()).or_default() += 1;
            s.knock_outs += usize::from(c.knock_outs > 0);
            s.warnings += usize::from(c.warnings > 0);
            s.exceptions += usize::from(c.exception);
            s.contested += usize::from(c.contested);
            s.close += usize::from(!c.clear_winner);
            s.review_overdue += usize::from(!c.overdue_adrs.is_empty());
        }
        s
    }
}

/// The fleet in a few groups for the studio's what-if: clusters with the same tier, the same
/// candidates knocked out and the same recommendation are recommended alike under any weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WhatIfFleet {
    /// Site names, indexed by [`WhatIfGroup::sites`].
    pub sites: Vec<String>,
    /// The groups.
    pub groups: Vec<WhatIfGroup>,
}

/// Clusters recommended alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WhatIfGroup {
    /// Their tier (its score overrides apply).
    pub tier: Tier,
    /// Candidates ruled out by their gates.
    pub knocked_out: Vec<String>,
    /// What they are recommended today.
    pub winner: Option<String>,
    /// (index into [`WhatIfFleet::sites`], clusters there).
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<u32>>))]
    pub sites: Vec<(u32, u32)>,
}

/// What makes clusters recommended alike: tier, candidates knocked out, today's winner.
pub type WhatIfKey = (Tier, Vec<String>, Option<String>);

impl WhatIfFleet {
    /// Groups the map's clusters (those with a recommendation).
    pub fn of(fleet: &Fleet) -> WhatIfFleet {
        let mut groups: BTreeMap<WhatIfKey, BTreeMap<u32, u32>> = BTreeMap::new();
        let mut sites = Vec::new();
        for (i, s) in fleet.sites.iter().enumerate() {
            sites.push(s.name.clone());
            for c in s.clusters.iter().filter(|c| c.problem.is_none()) {
                let key = (c.tier, c.knocked_out.clone(), c.recommended.clone());
                *groups.entry(key).or_default().entry(i as u32).or_default() += 1;
            }
        }
        let groups = groups
            .into_iter()
            .map(|((tier, knocked_out, winner), by_site)| WhatIfGroup {
                tier,
                knocked_out,
                winner,
                sites: by_site.into_iter().collect(),
            })
            .collect();
        WhatIfFleet { sites, groups }
    }
}

/// `GET /api/v1/fleet`: the map aggregated by site (clusters on demand from
/// `GET /api/v1/fleet/clusters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetOverview {
    /// Sites with matching clusters, by name (a page of them when the query pages).
    pub sites: Vec<FleetSiteSummary>,
    /// Sites with matching clusters, on every page.
    pub sites_total: usize,
    /// Sites before this page.
    pub offset: usize,
    /// Clusters matching the filters.
    pub clusters: usize,
    /// Clusters in the fleet.
    pub fleet_clusters: usize,
    /// Tier → CNI shown → count, over the whole fleet.
    pub summary: BTreeMap<String, BTreeMap<String, usize>>,
    /// Accepted ADRs by review state.
    #[serde(default)]
    pub reviews: super::ReviewCounts,
    /// Clusters of the whole fleet in scope of an ADR whose review is overdue.
    #[serde(default)]
    pub review_overdue: usize,
    /// Clusters of the whole fleet by version finding.
    #[serde(default)]
    pub versions: VersionCounts,
}

/// `GET /api/v1/fleet/clusters`: one page of the matching clusters, by site then name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetClusterPage {
    /// The clusters of this page.
    pub clusters: Vec<FleetCluster>,
    /// Clusters matching the filters, on every page.
    pub total: usize,
    /// Clusters before this page.
    pub offset: usize,
    /// Clusters per page.
    pub limit: usize,
}

/// What the fleet map page shows: the overview of a page of sites and, when few enough
/// clusters match there, each of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetView {
    /// Sites of this page, counted.
    pub overview: FleetOverview,
    /// The matching clusters of those sites, when there are at most [`FLEET_DETAIL_MAX`].
    pub detail: Option<Vec<FleetSite>>,
    /// Every CNI the fleet shows, for the filter.
    pub cnis: Vec<String>,
    /// What "Record decision" offers architects for the selection (none for viewers).
    pub recordable: Option<RecordChoice>,
}

/// The weights and options a "Record decision" form offers for a selection of the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecordChoice {
    /// The scored candidates, key and name.
    pub candidates: Vec<(String, String)>,
    /// The profile the fleet applies to the selection, id and name.
    pub profile: Option<(i64, String)>,
    /// The winner with that profile's weights and the selected tier's scores.
    pub winner: Option<String>,
}

/// Sites per page of the fleet map.
pub const FLEET_SITES_PAGE: usize = 50;
/// Above this many matching clusters on a page, the map shows counts per site instead of a mark
/// per cluster.
pub const FLEET_DETAIL_MAX: usize = 250;

/// Everything the cluster page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// Its CNI version against the catalog.
    pub lifecycle: super::ClusterLifecycle,
    /// Its upgrade path to the newest supported release, or why there is none.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub upgrade: Result<domain::versions::UpgradePath, String>,
    /// How sure its recommendation is: rank acceptability of the candidates standing (SMAA,
    /// ±5 percentage points around its profile's weights); `None` when none stands.
    pub robustness: Option<domain::robustness::Acceptability>,
}
