//! What an import would change in the version catalog, for a dry run before an admin applies it.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::{CniVersion, VersionCatalog, product_name};
use crate::{Cycle, Release};

/// A minor line of a product.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductCycle {
    /// Product key.
    pub product: String,
    /// Minor line.
    pub cycle: Cycle,
}

/// A release of a product.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductVersion {
    /// Product key.
    pub product: String,
    /// Release.
    pub version: CniVersion,
}

/// One changed fact of a minor line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinorChange {
    /// Product key.
    pub product: String,
    /// Minor line.
    pub cycle: Cycle,
    /// `eol_date`, `latest_patch` or `min_kernel`.
    pub field: String,
    /// The value now ("none" when absent).
    pub before: String,
    /// The value after the import.
    pub after: String,
}

/// The difference between the catalog in use and an imported one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogChanges {
    /// Minor lines only the new catalog has.
    pub minors_added: Vec<ProductCycle>,
    /// Minor lines only the old catalog has.
    pub minors_removed: Vec<ProductCycle>,
    /// Facts of minor lines both have that differ.
    pub minors_changed: Vec<MinorChange>,
    /// Releases only the new catalog has.
    pub patches_added: Vec<ProductVersion>,
    /// Releases only the old catalog has.
    pub patches_removed: Vec<ProductVersion>,
    /// Product key → pre-releases the imported files held and the import leaves out (not a change).
    #[serde(default)]
    pub prereleases_skipped: BTreeMap<String, usize>,
}

impl VersionCatalog {
    /// What replacing `self` by `new` would change.
    pub fn changes(&self, new: &VersionCatalog) -> CatalogChanges {
        let (old_minors, new_minors) = (minor_keys(self), minor_keys(new));
        let (old_patches, new_patches) = (patch_keys(self), patch_keys(new));
        let minors_changed = old_minors
            .intersection(&new_minors)
            .filter_map(|k| Some((self.minor(&k.product, k.cycle)?, new.minor(&k.product, k.cycle)?)))
            .flat_map(|(a, b)| minor_changes(a, b))
            .collect();
        CatalogChanges {
            minors_added: new_minors.difference(&old_minors).cloned().collect(),
            minors_removed: old_minors.difference(&new_minors).cloned().collect(),
            minors_changed,
            patches_added: new_patches.difference(&old_patches).cloned().collect(),
            patches_removed: old_patches.difference(&new_patches).cloned().collect(),
            prereleases_skipped: new
                .skipped_prereleases
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(p, n)| (p.clone(), *n))
                .collect(),
        }
    }
}

impl CatalogChanges {
    /// True when the import would change nothing (skipped pre-releases change nothing).
    pub fn is_empty(&self) -> bool {
        self.minors_added.is_empty()
            && self.minors_removed.is_empty()
            && self.minors_changed.is_empty()
            && self.patches_added.is_empty()
            && self.patches_removed.is_empty()
    }

    /// One line per change, in plain words: "Cilium 1.21 added", "Cilium 1.18: end of life none →
    /// 2027-01-20", "Cilium releases added: 1.20.2".
    pub fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.is_empty() {
            lines.push("No changes: the imported catalog is the same as the current one.".to_string());
        }
        for m in &self.minors_added {
            lines.push(format!("{} {} added", product_name(&m.product), m.cycle));
        }
        for m in &self.minors_removed {
            lines.push(format!("{} {} removed", product_name(&m.product), m.cycle));
        }
        for c in &self.minors_changed {
            lines.push(format!(
                "{} {}: {} {} → {}",
                product_name(&c.product),
                c.cycle,
                field_words(&c.field),
                c.before,
                c.after
            ));
        }
        lines.extend(patch_lines("added", &self.patches_added));
        lines.extend(patch_lines("removed", &self.patches_removed));
        for (product, n) in &self.prereleases_skipped {
            let s = if *n == 1 { "" } else { "s" };
            lines.push(format!("{} pre-release{s} left out of the import: {n}", product_name(product)));
        }
        lines
    }
}

/// "Cilium releases added: 1.20.2, 1.19.8" — one line per product.
fn patch_lines(what: &str, list: &[ProductVersion]) -> Vec<String> {
    let products: BTreeSet<&str> = list.iter().map(|p| p.product.as_str()).collect();
    products
        .into_iter()
        .map(|product| {
            let versions: Vec<String> =
                list.iter().filter(|p| p.product == product).map(|p| p.version.to_string()).collect();
            format!("{} releases {what}: {}", product_name(product), versions.join(", "))
        })
        .collect()
}

fn field_words(field: &str) -> &str {
    match field {
        "eol_date" => "end of life",
        "latest_patch" => "latest patch",
        "min_kernel" => "minimum kernel",
        other => other,
    }
}

fn minor_keys(c: &VersionCatalog) -> BTreeSet<ProductCycle> {
    c.products
        .iter()
        .flat_map(|(product, p)| p.minors.iter().map(|r| ProductCycle { product: product.clone(), cycle: r.cycle }))
        .collect()
}

fn patch_keys(c: &VersionCatalog) -> BTreeSet<ProductVersion> {
    c.products
        .iter()
        .flat_map(|(product, p)| {
            p.patches.iter().map(|x| ProductVersion { product: product.clone(), version: x.version })
        })
        .collect()
}

fn minor_changes(a: &Release, b: &Release) -> Vec<MinorChange> {
    let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "none".to_string(), |d| d.to_string());
    let pairs = [
        ("eol_date", date(a.eol_date), date(b.eol_date)),
        ("latest_patch", a.latest_patch.clone(), b.latest_patch.clone()),
        ("min_kernel", a.min_kernel.describe(), b.min_kernel.describe()),
    ];
    pairs
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| MinorChange {
            product: a.product.clone(),
            cycle: a.cycle,
            field: field.to_string(),
            before,
            after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::catalog::RELEASE_MATRIX_JSON;
    use crate::versions::{CALICO_RELEASE_DATA_JSON, CILIUM_RELEASE_DATA_JSON, SupportPolicy, version_catalog};

    #[test]
    fn the_same_files_change_nothing() {
        let c = version_catalog().unwrap();
        let changes = c.changes(&c.clone());
        assert!(changes.is_empty());
        assert_eq!(changes.summary().len(), 1);
    }

    #[test]
    fn a_modified_file_lists_each_change_in_plain_words() {
        let old = version_catalog().unwrap();
        let matrix = RELEASE_MATRIX_JSON
            .replace(
                "\"cycle\": \"1.18\",\n   \"ga_date\": \"2025-07-29\",\n   \"eol_date\": null",
                "\"cycle\": \"1.18\",\n   \"ga_date\": \"2025-07-29\",\n   \"eol_date\": \"2027-01-20\"",
            )
            .replace("\"latest_patch\": \"1.20.1\"", "\"latest_patch\": \"1.20.2\"");
        assert_ne!(matrix, RELEASE_MATRIX_JSON, "the test edits the matrix");
        let mut cilium: serde_json::Value = serde_json::from_str(CILIUM_RELEASE_DATA_JSON).unwrap();
        let versions = cilium["versions"].as_object_mut().unwrap();
        versions.insert("1.20.2".into(), serde_json::json!({"name": "1.20.2", "date": "2026-09-10"}));
        versions.remove("1.0.0");
        versions.insert("1.0.0-rc.1".into(), serde_json::json!({"name": "1.0.0-rc.1", "date": "2018-04-01"}));
        let cilium = cilium.to_string();
        let new = VersionCatalog::from_json(
            &matrix,
            &[("cilium", &cilium), ("calico", CALICO_RELEASE_DATA_JSON)],
            SupportPolicy::default(),
        )
        .unwrap();
        let changes = old.changes(&new);
        assert!(changes.minors_added.is_empty() && changes.minors_removed.is_empty());
        let fields: Vec<(String, &str)> =
            changes.minors_changed.iter().map(|c| (c.cycle.to_string(), c.field.as_str())).collect();
        assert_eq!(fields, [("1.18".to_string(), "eol_date"), ("1.20".to_string(), "latest_patch")]);
        assert_eq!(changes.patches_added.len(), 1);
        assert_eq!(changes.patches_removed[0].version.to_string(), "1.0.0");
        let summary = changes.summary();
        assert!(summary.contains(&"Cilium 1.18: end of life none → 2027-01-20".to_string()), "{summary:?}");
        assert!(summary.contains(&"Cilium releases added: 1.20.2".to_string()), "{summary:?}");
        assert!(summary.contains(&"Cilium releases removed: 1.0.0".to_string()), "{summary:?}");
        assert_eq!(summary.last().unwrap(), "Cilium pre-release left out of the import: 1");
    }

    #[test]
    fn a_dropped_minor_reads_as_removed() {
        let old = version_catalog().unwrap();
        let mut new = old.clone();
        if let Some(p) = new.products.get_mut("calico") {
            p.minors.retain(|r| r.cycle.to_string() != "3.20");
        }
        let changes = old.changes(&new);
        assert_eq!(changes.summary(), ["Calico 3.20 removed"]);
    }
}
