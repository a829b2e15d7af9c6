//! Wire types by feature: what the REST API, the server functions, the services in `ssr` and the
//! browser exchange. Nothing here touches the database or the request; rules that need the model
//! live beside the type (`ProfileInput::validate`) or in the domain crate.

pub mod accounts;
pub mod adrs;
pub mod audit;
pub mod evaluate;
pub mod fleet;
pub mod gitops;
pub mod profiles;
pub mod robustness;
pub mod stakeholders;
pub mod versions;

pub use accounts::{Me, NewToken, NewUser, Role, Scope, Token, User, UserPatch};
pub use adrs::{
    ADR_REGISTER_PAGE, AdrFilter, AdrInput, AdrLinkRef, AdrPage, AdrRecord, AdrRegister, AdrReview, AdrSummary,
    REVIEW_STATES, ReviewCounts, ReviewInput, ReviewPage, ReviewPreview, ReviewResult, ReviewsDue, StatusChange,
};
pub use audit::{AUDIT_ENTITIES, AuditEntry, AuditFilter, AuditPage};
pub use evaluate::{EvaluateRequest, EvaluateResponse};
pub use fleet::{
    CLUSTER_LIST_PAGE, Cluster, ClusterFilter, ClusterListPage, ClusterPage, ClusterSort, FLEET_DETAIL_MAX,
    FLEET_SITES_PAGE, FLEET_STATUSES, Fleet, FleetCluster, FleetClusterPage, FleetOverview, FleetQuery, FleetSite,
    FleetSiteSummary, FleetView, ImportReport, RecordChoice, Site, VersionCounts, WhatIfFleet, WhatIfGroup, WhatIfKey,
};
pub use gitops::{ClusterParams, PluginInput, PluginOutput, PluginRequest, PluginResponse};
pub use profiles::{
    Profile, ProfileInput, StakeholderForm, StudioData, StudioPage, StudioProfile, StudioQuery, StudioStakeholders,
    StudioStart, ValidProfile,
};
pub use robustness::{RobustnessRequest, RobustnessResponse};
pub use stakeholders::{
    AggregateChange, CriterionSpread, Stakeholder, StakeholderBoard, StakeholderInput, StakeholderOutcome,
    StakeholderRanges, StakeholderRole, ValidStakeholder,
};
pub use versions::{
    CatalogImportReport, ClusterLifecycle, ObservationInput, ObservationReport, Observed, PinInput, PinReport,
    PlanWave, ReleaseInfo, UpgradePlan, VERSION_STATUSES, VersionQuery, VersionRow, VersionSummary, VersionsPage,
    VersionsView,
};

use serde::{Deserialize, Serialize};

/// An update body: the entity's fields plus the `version` the client read, so a write made in
/// between is refused (409) instead of silently overwritten. One shape for every editable entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Versioned<T> {
    /// The new content.
    #[serde(flatten)]
    pub input: T,
    /// The version read; required, but optional here so its absence is a clear 422.
    #[serde(default)]
    pub version: Option<i32>,
}

impl<T> Versioned<T> {
    /// Content with the version it was based on.
    pub fn new(input: T, version: i32) -> Self {
        Versioned { input, version: Some(version) }
    }
}

/// An island prop that only the server serializes. Leptos serializes an island's props wherever
/// the island runs; in the browser the result is never read, yet it would put a JSON serializer
/// for every prop type into the WASM bundle. Reads (deserializes) the same as `T`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ServerProps<T>(pub T);

impl<T: Serialize> Serialize for ServerProps<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "ssr")]
        return self.0.serialize(s);
        #[cfg(not(feature = "ssr"))]
        return s.serialize_unit();
    }
}
