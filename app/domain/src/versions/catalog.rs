//! The version catalog: per product, the minor lines of the release matrix ([`Release`]) and every
//! patch release, with the support rule that says which minors are still supported on a day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::patches::{CALICO_RELEASE_DATA_JSON, CILIUM_RELEASE_DATA_JSON, Patch, parse_release_data};
use super::{CniVersion, product_name};
use crate::catalog::{KERNEL_FEATURES_JSON, RELEASE_MATRIX_JSON};
use crate::gates::KernelRequirement;
use crate::{Catalog, Cycle, Release, ValidationError};

/// How one product supports and upgrades its releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductPolicy {
    /// Upstream supports this many of the newest minors (among those already GA).
    pub supported_minors: usize,
    /// Upgrades must pass through every minor in between (Cilium).
    pub one_minor_at_a_time: bool,
}

/// The support rule per product (`../shared/data/README.md`): Cilium supports the three newest
/// minors and upgrades one minor at a time; Calico supports the two newest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportPolicy {
    /// Product key → its rule; a product without one is judged by its EOL dates alone.
    pub products: BTreeMap<String, ProductPolicy>,
}

impl Default for SupportPolicy {
    fn default() -> Self {
        let mut products = BTreeMap::new();
        products.insert("cilium".to_string(), ProductPolicy { supported_minors: 3, one_minor_at_a_time: true });
        products.insert("calico".to_string(), ProductPolicy { supported_minors: 2, one_minor_at_a_time: false });
        Self { products }
    }
}

impl SupportPolicy {
    /// The rule of one product.
    pub fn of(&self, product: &str) -> Option<&ProductPolicy> {
        self.products.get(product)
    }
}

/// What the catalog knows of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductVersions {
    /// Minor lines from the release matrix, oldest first.
    pub minors: Vec<Release>,
    /// Patch releases from the release data, oldest first.
    pub patches: Vec<Patch>,
}

/// Minors and patches of every product, with the support rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionCatalog {
    /// Product key → its versions.
    pub products: BTreeMap<String, ProductVersions>,
    /// Which minors are supported.
    pub policy: SupportPolicy,
    /// Product key → pre-releases left out of its release data when it was read.
    #[serde(default)]
    pub skipped_prereleases: BTreeMap<String, usize>,
}

/// The bundled version catalog: the release matrix and both release-data files.
pub fn version_catalog() -> Result<VersionCatalog, ValidationError> {
    VersionCatalog::from_json(
        RELEASE_MATRIX_JSON,
        &[("cilium", CILIUM_RELEASE_DATA_JSON), ("calico", CALICO_RELEASE_DATA_JSON)],
        SupportPolicy::default(),
    )
}

impl VersionCatalog {
    /// Joins the matrix rows of a [`Catalog`] with each product's patches.
    pub fn new(releases: &[Release], patches: BTreeMap<String, Vec<Patch>>, policy: SupportPolicy) -> Self {
        let mut products: BTreeMap<String, ProductVersions> = BTreeMap::new();
        for r in releases {
            products.entry(r.product.clone()).or_insert_with(empty).minors.push(r.clone());
        }
        for (product, mut list) in patches {
            list.sort();
            products.entry(product).or_insert_with(empty).patches = list;
        }
        for p in products.values_mut() {
            p.minors.sort_by_key(|r| r.cycle);
        }
        Self { products, policy, skipped_prereleases: BTreeMap::new() }
    }

    /// Reads a release matrix and `(product, release data)` files; problems are reported per
    /// field path (`release_matrix.rows[3].min_kernel`, `cilium.versions["1.2.x"].name`).
    pub fn from_json(
        release_matrix: &str,
        release_data: &[(&str, &str)],
        policy: SupportPolicy,
    ) -> Result<Self, ValidationError> {
        let mut err = ValidationError::default();
        let releases = match Catalog::from_json(release_matrix, KERNEL_FEATURES_JSON) {
            Ok(c) => c.releases,
            Err(e) => {
                err.fields.extend(e.fields);
                Vec::new()
            }
        };
        let (mut patches, mut skipped) = (BTreeMap::new(), BTreeMap::new());
        for (product, json) in release_data {
            match parse_release_data(json, product) {
                Ok(data) => {
                    patches.insert(product.to_string(), data.patches);
                    skipped.insert(product.to_string(), data.skipped_prereleases);
                }
                Err(e) => err.fields.extend(e.fields),
            }
        }
        let catalog = Self { skipped_prereleases: skipped, ..Self::new(&releases, patches, policy) };
        err.into_result(catalog)
    }

    /// What the catalog knows of a product.
    pub fn product(&self, product: &str) -> Option<&ProductVersions> {
        self.products.get(product)
    }

    /// The matrix row of a minor line.
    pub fn minor(&self, product: &str, cycle: Cycle) -> Option<&Release> {
        self.product(product)?.minors.iter().find(|r| r.cycle == cycle)
    }

    /// Every release of a minor line, oldest first: the release data's patches plus the matrix's
    /// latest patch when the data lacks it.
    pub fn patches_of(&self, product: &str, cycle: Cycle) -> Vec<CniVersion> {
        self.collect_patches(product, cycle, None)
    }

    /// The releases of a minor line out on `today` (dated on or before it; the matrix's latest
    /// patch counts when its date is unknown), oldest first.
    pub fn patches_on(&self, product: &str, cycle: Cycle, today: NaiveDate) -> Vec<CniVersion> {
        self.collect_patches(product, cycle, Some(today))
    }

    fn collect_patches(&self, product: &str, cycle: Cycle, today: Option<NaiveDate>) -> Vec<CniVersion> {
        let Some(p) = self.product(product) else {
            return Vec::new();
        };
        let out_by = |date: Option<NaiveDate>| match (today, date) {
            (Some(t), Some(d)) => d <= t,
            _ => true,
        };
        let mut out: Vec<CniVersion> = p
            .patches
            .iter()
            .filter(|x| x.version.cycle() == cycle && out_by(Some(x.date)))
            .map(|x| x.version)
            .collect();
        let latest = self
            .minor(product, cycle)
            .filter(|r| out_by(r.latest_patch_date))
            .and_then(|r| CniVersion::parse(&r.latest_patch).ok());
        out.extend(latest);
        out.sort();
        out.dedup();
        out
    }

    /// Every minor line the catalog has a row or a patch for, oldest first.
    pub fn cycles(&self, product: &str) -> Vec<Cycle> {
        let Some(p) = self.product(product) else {
            return Vec::new();
        };
        let mut out: Vec<Cycle> =
            p.minors.iter().map(|r| r.cycle).chain(p.patches.iter().map(|x| x.version.cycle())).collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every known release of a product, oldest first.
    pub fn known_versions(&self, product: &str) -> Vec<CniVersion> {
        self.cycles(product).into_iter().flat_map(|c| self.patches_of(product, c)).collect()
    }

    /// True for a release the catalog lists, or for a minor line it has a row or patches for.
    pub fn knows(&self, product: &str, version: CniVersion) -> bool {
        let Some(p) = self.product(product) else {
            return false;
        };
        if version.is_minor_only() {
            return self.cycles(product).contains(&version.cycle());
        }
        // Patches are sorted by version (`VersionCatalog::new`), so a lookup is a binary search.
        p.patches.binary_search_by(|x| x.version.cmp(&version)).is_ok()
            || self
                .minor(product, version.cycle())
                .is_some_and(|r| CniVersion::parse(&r.latest_patch).ok() == Some(version))
    }

    /// Up to `n` known releases closest to `version`, closest first (for "not in the catalog;
    /// did you mean …"). Distance is the difference in major, then minor, then patch.
    pub fn nearest(&self, product: &str, version: CniVersion, n: usize) -> Vec<CniVersion> {
        let distance = |v: &CniVersion| {
            (
                v.major.abs_diff(version.major),
                v.minor.abs_diff(version.minor),
                v.patch.unwrap_or(0).abs_diff(version.patch.unwrap_or(0)),
            )
        };
        let mut known = self.known_versions(product);
        known.sort_by_key(|v| (distance(v), std::cmp::Reverse(*v)));
        known.truncate(n);
        known
    }

    /// The newest release of a minor line.
    pub fn newest_patch(&self, product: &str, cycle: Cycle) -> Option<CniVersion> {
        self.patches_of(product, cycle).last().copied()
    }

    /// The newest release of a minor line out on `today`.
    pub fn newest_patch_on(&self, product: &str, cycle: Cycle, today: NaiveDate) -> Option<CniVersion> {
        self.patches_on(product, cycle, today).last().copied()
    }

    /// The minimum kernel of a minor line.
    pub fn min_kernel(&self, product: &str, cycle: Cycle) -> Option<&KernelRequirement> {
        self.minor(product, cycle).map(|r| &r.min_kernel)
    }

    /// Minors out on `today` (GA on or before it), oldest first.
    pub fn released_minors(&self, product: &str, today: NaiveDate) -> Vec<&Release> {
        self.product(product).map(|p| p.minors.iter().filter(|r| r.ga_date <= today).collect()).unwrap_or_default()
    }

    /// Minors supported on `today`, oldest first: among the minors already GA, the newest ones the
    /// product's rule allows (all of them without a rule), less those whose EOL day has come.
    pub fn supported_cycles(&self, product: &str, today: NaiveDate) -> Vec<Cycle> {
        let released = self.released_minors(product, today);
        let keep = self.policy.of(product).map_or(released.len(), |p| p.supported_minors);
        let window = &released[released.len().saturating_sub(keep)..];
        window.iter().filter(|r| r.is_supported_on(today)).map(|r| r.cycle).collect()
    }

    /// The default upgrade target: the newest patch (out on `today`) of the newest supported minor.
    pub fn recommended(&self, product: &str, today: NaiveDate) -> Option<CniVersion> {
        let newest = *self.supported_cycles(product, today).last()?;
        self.newest_patch_on(product, newest, today)
    }

    /// "1.18.13, 1.18.12 or 1.19.0" — the nearest known releases, for an error message.
    pub(crate) fn nearest_words(&self, product: &str, version: CniVersion) -> String {
        let near: Vec<String> = self.nearest(product, version, 3).iter().map(ToString::to_string).collect();
        match near.as_slice() {
            [] => format!("the catalog has no {} releases", product_name(product)),
            [one] => format!("the nearest known release is {one}"),
            [init @ .., last] => format!("the nearest known releases are {} or {last}", init.join(", ")),
        }
    }
}

fn empty() -> ProductVersions {
    ProductVersions { minors: Vec::new(), patches: Vec::new() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    use crate::versions::testing::{date, v};

    fn cycle(s: &str) -> Cycle {
        s.parse().unwrap()
    }

    #[test]
    fn the_bundled_catalog_joins_the_matrix_and_the_patches() {
        let c = version_catalog().unwrap();
        assert_eq!(c.product("cilium").unwrap().minors.len(), 9);
        assert_eq!(c.product("calico").unwrap().minors.len(), 13);
        assert_eq!(c.newest_patch("cilium", cycle("1.18")), Some(v("1.18.13")));
        assert_eq!(c.newest_patch("calico", cycle("3.31")), Some(v("3.31.7")));
        assert_eq!(c.min_kernel("cilium", cycle("1.18")).unwrap().min.to_string(), "5.10");
        assert_eq!(c.min_kernel("cilium", cycle("1.11")), None, "no matrix row before 1.12");
    }

    #[test]
    fn knows_releases_and_minor_lines_of_its_own_product_only() {
        let c = version_catalog().unwrap();
        assert!(c.knows("cilium", v("1.16.5")));
        assert!(c.knows("cilium", v("1.16")));
        assert!(c.knows("cilium", v("1.10.3")), "the release data goes back to 1.0");
        assert!(!c.knows("cilium", v("1.16.99")));
        assert!(!c.knows("cilium", v("3.31.7")));
        assert!(!c.knows("flannel", v("0.25.1")));
    }

    #[test]
    fn nearest_offers_the_closest_releases_first() {
        let c = version_catalog().unwrap();
        assert_eq!(c.nearest("cilium", v("1.18.99"), 2), vec![v("1.18.13"), v("1.18.12")]);
        assert_eq!(c.nearest("cilium", v("1.18.13"), 1), vec![v("1.18.13")]);
        assert!(c.nearest_words("cilium", v("1.18.99")).contains("1.18.13, 1.18.12 or 1.18.11"));
        assert!(c.nearest("flannel", v("1.0.0"), 3).is_empty());
    }

    #[test]
    fn cilium_supports_its_three_newest_minors_and_calico_its_two() {
        let c = version_catalog().unwrap();
        let today = date("2026-12-03");
        let cycles = |p| c.supported_cycles(p, today).iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(cycles("cilium"), ["1.18", "1.19", "1.20"]);
        assert_eq!(cycles("calico"), ["3.31", "3.32"]);
        assert_eq!(c.recommended("cilium", today), Some(v("1.20.1")));
    }

    #[test]
    fn a_minor_counts_towards_the_newest_only_once_it_is_ga() {
        let c = version_catalog().unwrap();
        // The day before 1.20's GA, 1.17 is still among the newest three and before its EOL.
        let cycles: Vec<String> =
            c.supported_cycles("cilium", date("2026-07-28")).iter().map(ToString::to_string).collect();
        assert_eq!(cycles, ["1.17", "1.18", "1.19"]);
        // On 1.17's EOL day it is out.
        let cycles: Vec<String> =
            c.supported_cycles("cilium", date("2026-07-29")).iter().map(ToString::to_string).collect();
        assert_eq!(cycles, ["1.18", "1.19", "1.20"]);
    }

    #[test]
    fn bad_input_files_give_field_paths() {
        let err = VersionCatalog::from_json(
            "{}",
            &[("cilium", "{\"versions\":{\"x\":{\"name\":\"x\",\"date\":\"2026-01-01\"}}}")],
            SupportPolicy::default(),
        )
        .unwrap_err();
        assert!(err.fields.contains_key("release_matrix"), "{err}");
        assert!(err.fields.contains_key("cilium.versions[\"x\"].name"), "{err}");
    }
}
