//! One cluster's upgrade path: from its release to a target, each step at the newest patch of a
//! minor, one minor at a time where the product asks for it (Cilium), with the kernel checked at
//! every step.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CniVersion, VersionCatalog, product_name};
use crate::{Cycle, Kernel};

/// One release to roll out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpgradeStep {
    /// The release of this step.
    pub version: CniVersion,
    /// Its minimum kernel, in words; `None` when the catalog has no row for its minor.
    pub min_kernel: Option<String>,
    /// Whether the cluster's kernel meets it; `None` when the kernel or the minimum is unknown.
    pub kernel_ok: Option<bool>,
    /// Why this step, in words.
    pub note: String,
}

/// The steps from a release to a target; empty when already there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpgradePath {
    /// Product key.
    pub product: String,
    /// The release the cluster is at.
    pub from: CniVersion,
    /// The release it ends at.
    pub target: CniVersion,
    /// In order.
    pub steps: Vec<UpgradeStep>,
}

impl UpgradePath {
    /// The first step whose kernel check failed.
    pub fn first_kernel_block(&self) -> Option<&UpgradeStep> {
        self.steps.iter().find(|s| s.kernel_ok == Some(false))
    }
}

/// Why no path could be planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "code", content = "message")]
pub enum UpgradeError {
    /// The product has no releases in the catalog.
    #[error("the release catalog has no releases of '{0}'")]
    UnknownProduct(String),
    /// The target is not a release of the product.
    #[error("{0}")]
    UnknownTarget(String),
    /// The target is older than the release the cluster is at.
    #[error("{0}")]
    TargetOlder(String),
    /// No minor is supported, so there is no default target.
    #[error("{0}")]
    NoSupportedRelease(String),
}

/// Plans the upgrade of a `product` cluster at `from` to `target` (default: the newest patch of the
/// newest supported minor; a minor alone means its newest patch).
pub fn upgrade_path(
    product: &str,
    from: CniVersion,
    target: Option<CniVersion>,
    kernel: Option<&Kernel>,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Result<UpgradePath, UpgradeError> {
    let target = resolve_target(product, target, catalog, today)?;
    if target < from && !(from.is_minor_only() && from.cycle() == target.cycle()) {
        return Err(UpgradeError::TargetOlder(format!(
            "the target {target} is older than {from}, the release the cluster is at: {} does not support \
             downgrades this way; pick {from} or newer",
            product_name(product)
        )));
    }
    let versions = step_versions(product, from, target, catalog, today);
    let steps = versions.into_iter().map(|(v, note)| step(product, v, note, kernel, catalog)).collect();
    Ok(UpgradePath { product: product.to_string(), from, target, steps })
}

/// The target as a full release, checked against the catalog.
pub(crate) fn resolve_target(
    product: &str,
    target: Option<CniVersion>,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Result<CniVersion, UpgradeError> {
    let name = product_name(product);
    if catalog.known_versions(product).is_empty() {
        return Err(UpgradeError::UnknownProduct(product.to_string()));
    }
    let Some(target) = target else {
        return catalog.recommended(product, today).ok_or_else(|| {
            UpgradeError::NoSupportedRelease(format!("no {name} minor is supported on {today}: name a target"))
        });
    };
    let resolved =
        if target.is_minor_only() { catalog.newest_patch_on(product, target.cycle(), today) } else { Some(target) };
    match resolved {
        Some(t) if catalog.knows(product, t) => Ok(t),
        _ => {
            let other = catalog.products.keys().find(|p| p.as_str() != product && catalog.knows(p, target));
            let hint = match other {
                Some(p) => format!("{target} is a {} release, not a {name} one", product_name(p)),
                None => format!(
                    "{name} {target} is not in the release catalog ({})",
                    catalog.nearest_words(product, target)
                ),
            };
            Err(UpgradeError::UnknownTarget(hint))
        }
    }
}

/// The releases to roll out, with a note each.
fn step_versions(
    product: &str,
    from: CniVersion,
    target: CniVersion,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Vec<(CniVersion, String)> {
    if from == target || (from.is_minor_only() && from.cycle() == target.cycle()) {
        return Vec::new();
    }
    if from.cycle() == target.cycle() {
        return vec![(target, format!("patch release within {}", target.cycle()))];
    }
    let mut out = Vec::new();
    if let Some(newest) = catalog.newest_patch_on(product, from.cycle(), today)
        && from.patch.is_some()
        && newest > from
    {
        out.push((newest, format!("newest patch of {} first", from.cycle())));
    }
    let one_at_a_time = catalog.policy.of(product).is_some_and(|p| p.one_minor_at_a_time);
    let between: Vec<Cycle> = if one_at_a_time {
        catalog.cycles(product).into_iter().filter(|c| *c > from.cycle() && *c < target.cycle()).collect()
    } else {
        Vec::new()
    };
    for cycle in between {
        if let Some(v) = catalog.newest_patch_on(product, cycle, today) {
            out.push((v, format!("newest patch of {cycle}; {} upgrades one minor at a time", product_name(product))));
        }
    }
    out.push((target, "target".to_string()));
    out
}

fn step(
    product: &str,
    version: CniVersion,
    note: String,
    kernel: Option<&Kernel>,
    catalog: &VersionCatalog,
) -> UpgradeStep {
    let required = catalog.min_kernel(product, version.cycle());
    let kernel_ok = required.zip(kernel).map(|(r, k)| r.accepts(k));
    UpgradeStep { version, min_kernel: required.map(|r| r.describe()), kernel_ok, note }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::versions::version_catalog;

    use crate::versions::testing::{date, v};

    fn today() -> NaiveDate {
        date("2026-12-03")
    }

    fn versions(p: &UpgradePath) -> Vec<String> {
        p.steps.iter().map(|s| s.version.to_string()).collect()
    }

    #[test]
    fn cilium_1_12_to_1_18_is_six_steps_one_minor_at_a_time() {
        let c = version_catalog().unwrap();
        let p = upgrade_path("cilium", v("1.12.19"), Some(v("1.18")), None, &c, today()).unwrap();
        assert_eq!(versions(&p), ["1.13.18", "1.14.19", "1.15.19", "1.16.19", "1.17.18", "1.18.13"]);
        assert_eq!(p.target, v("1.18.13"));
        assert!(p.steps.iter().all(|s| s.kernel_ok.is_none()), "no kernel given");
        assert_eq!(p.steps[0].min_kernel.as_deref(), Some("4.19.57"));
        assert_eq!(p.steps[5].note, "target");
        let from_minor = upgrade_path("cilium", v("1.12"), Some(v("1.18")), None, &c, today()).unwrap();
        assert_eq!(from_minor.steps.len(), 6);
    }

    #[test]
    fn a_cluster_behind_in_its_minor_takes_the_newest_patch_first() {
        let c = version_catalog().unwrap();
        let p = upgrade_path("cilium", v("1.17.3"), None, None, &c, today()).unwrap();
        assert_eq!(versions(&p), ["1.17.18", "1.18.13", "1.19.7", "1.20.1"]);
        assert_eq!(p.steps[0].note, "newest patch of 1.17 first");
        let p = upgrade_path("cilium", v("1.20.0"), None, None, &c, today()).unwrap();
        assert_eq!(versions(&p), ["1.20.1"]);
        let p = upgrade_path("cilium", v("1.20.1"), None, None, &c, today()).unwrap();
        assert!(p.steps.is_empty(), "already at the target");
    }

    #[test]
    fn a_kernel_too_old_for_a_middle_step_is_marked_on_that_step() {
        let c = version_catalog().unwrap();
        // RHEL 8.6 meets 1.16–1.18 ("or 4.18 on RHEL 8.6") but not 1.19's RHEL 8.10 clause.
        let k = Kernel::parse("4.18.0-372.el8_6.x86_64").unwrap();
        let p = upgrade_path("cilium", v("1.16.19"), Some(v("1.20.1")), Some(&k), &c, today()).unwrap();
        let ok: Vec<Option<bool>> = p.steps.iter().map(|s| s.kernel_ok).collect();
        assert_eq!(ok, [Some(true), Some(true), Some(false), Some(false)]);
        assert_eq!(p.first_kernel_block().unwrap().version, v("1.19.7"));
    }

    #[test]
    fn calico_goes_straight_to_the_target() {
        let c = version_catalog().unwrap();
        let p = upgrade_path("calico", v("3.29.2"), None, None, &c, today()).unwrap();
        assert_eq!(versions(&p), ["3.29.7", "3.32.1"]);
    }

    #[test]
    fn an_older_unknown_or_foreign_target_is_refused_clearly() {
        let c = version_catalog().unwrap();
        let older = upgrade_path("cilium", v("1.18.2"), Some(v("1.17.18")), None, &c, today()).unwrap_err();
        assert!(matches!(older, UpgradeError::TargetOlder(_)));
        assert!(older.to_string().contains("older than 1.18.2"), "{older}");
        let unknown = upgrade_path("cilium", v("1.18.2"), Some(v("1.18.99")), None, &c, today()).unwrap_err();
        assert!(unknown.to_string().contains("not in the release catalog"), "{unknown}");
        let foreign = upgrade_path("cilium", v("1.18.2"), Some(v("3.31.7")), None, &c, today()).unwrap_err();
        assert_eq!(foreign.to_string(), "3.31.7 is a Calico release, not a Cilium one");
        let product = upgrade_path("flannel", v("0.25.1"), None, None, &c, today()).unwrap_err();
        assert_eq!(product, UpgradeError::UnknownProduct("flannel".into()));
        let json = serde_json::to_value(&product).unwrap();
        assert_eq!(json["code"], "unknown_product");
    }

    proptest::proptest! {
        #[test]
        fn cilium_paths_climb_one_minor_at_a_time_to_the_target(
            from_minor in 12u32..=20, from_patch in 0u32..=19, to_minor in 12u32..=20,
        ) {
            static CATALOG: std::sync::OnceLock<VersionCatalog> = std::sync::OnceLock::new();
            let c = CATALOG.get_or_init(|| version_catalog().unwrap());
            let from = CniVersion::new(1, from_minor, from_patch);
            let to = CniVersion::minor_only(1, to_minor);
            match upgrade_path("cilium", from, Some(to), None, c, today()) {
                Ok(p) => {
                    let mut at = from;
                    for s in &p.steps {
                        proptest::prop_assert!(s.version > at);
                        proptest::prop_assert!(s.version.minor <= at.minor + 1, "{} after {}", s.version, at);
                        at = s.version;
                    }
                    proptest::prop_assert!(p.steps.last().is_none_or(|s| s.version == p.target));
                }
                Err(e) => proptest::prop_assert!(matches!(e, UpgradeError::TargetOlder(_)), "{e}"),
            }
        }
    }
}
