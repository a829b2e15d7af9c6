//! CNI versions: pins and what runs, against the release catalog (issue 11).
//!
//! - [`CniVersion`] reads what an engineer types (`1.16.5`, `v1.16.5`, `1.16`);
//! - [`parse_release_data`] reads endoflife.date's release data into every [`Patch`] with its date;
//! - [`VersionCatalog`] joins those with the release matrix's minors and the [`SupportPolicy`]
//!   (Cilium: three newest minors, Calico: two), and [`VersionCatalog::changes`] diffs two catalogs
//!   for a dry-run import;
//! - [`lifecycle`] judges one cluster: end of life, patches and minors behind, drift, stale
//!   observations, kernel too old;
//! - [`upgrade_path`] plans one cluster's upgrade (Cilium one minor at a time), and [`plan_waves`]
//!   a fleet's, pilot first.
//!
//! Pure like the rest of the crate: `today` is always an argument.

#![warn(missing_docs)]

mod catalog;
mod changes;
mod lifecycle;
mod patches;
#[cfg(test)]
mod testing;
mod upgrade;
mod version;
mod waves;

pub use catalog::{ProductPolicy, ProductVersions, SupportPolicy, VersionCatalog, version_catalog};
pub use changes::{CatalogChanges, MinorChange, ProductCycle, ProductVersion};
pub use lifecycle::{
    EOL_SOON_DAYS, Finding, FindingCode, Lifecycle, LifecycleInput, LifecycleStatus, Observation, STALE_DAYS, lifecycle,
};
pub use patches::{CALICO_RELEASE_DATA_JSON, CILIUM_RELEASE_DATA_JSON, Patch, PatchData, parse_release_data};
pub use upgrade::{UpgradeError, UpgradePath, UpgradeStep, upgrade_path};
pub use version::CniVersion;
pub(crate) use version::product_name;
pub use waves::{
    BlockedCluster, DEFAULT_SOAK_DAYS, FleetPlan, PlannedCluster, Wave, WaveCluster, WaveKind, plan_waves,
};
