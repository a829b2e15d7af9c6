//! Whole-document checks: every record's own fields, names unique within the document, sites and
//! parents that exist, and no parent loops, each reported as a [`RowError`].
//!
//! **Lines and fields.** [`validate_doc`] knows no source text, so it numbers the items of each
//! list from 1 (`line` = index + 1) and prefixes the field with the item (`clusters[3].kernel`,
//! `sites[0].kind`; index from 0 as in the YAML). The importers report physical lines instead: a
//! CSV row's line (the header is line 1) with the bare field name (`kernel`), and the line where a
//! YAML item starts with the prefixed field (`clusters[3].kernel`).

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{FleetDoc, SiteKind};
use crate::ValidationError;

/// One problem in an imported or validated document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// Line of the row (see the module docs for what a line is).
    pub line: usize,
    /// Field, e.g. `kernel` or `clusters[3].kernel`; empty when the whole row is wrong.
    pub field: String,
    /// What is wrong and how to fix it.
    pub reason: String,
    /// True when the row is refused because the fleet changed since the file was exported (a
    /// conflict, not bad input).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
}

impl RowError {
    /// An error for one row and field.
    pub fn new(line: usize, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { line, field: field.into(), reason: reason.into(), conflict: false }
    }

    /// A row refused because the fleet changed since the export the file came from.
    pub fn conflict(line: usize, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { conflict: true, ..Self::new(line, field, reason) }
    }
}

impl fmt::Display for RowError {
    /// `line 7, kernel: …`, or `line 7: …` without a field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.reason)
        } else {
            write!(f, "line {}, {}: {}", self.line, self.field, self.reason)
        }
    }
}

impl std::error::Error for RowError {}

/// Where the items of a document came from, to word its errors.
#[derive(Debug, Clone, Default)]
pub(crate) struct Positions {
    /// Where each site came from; its index + 1 as line when absent.
    pub sites: Vec<At>,
    /// Where each cluster came from; its index + 1 as line when absent.
    pub clusters: Vec<At>,
    /// Prefix fields with `sites[i].` / `clusters[i].`.
    pub prefixed: bool,
}

/// An item's line in the source and its index in the source's list (items that did not parse
/// are missing from the document, so the two indexes can differ).
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub line: usize,
    pub index: usize,
}

/// Which list an item is in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum List {
    Sites,
    Clusters,
}

impl Positions {
    /// True when the lines are lines of a source text, not item numbers.
    pub fn is_physical(&self) -> bool {
        !(self.sites.is_empty() && self.clusters.is_empty())
    }

    fn at(&self, list: List, i: usize) -> At {
        let items = match list {
            List::Sites => &self.sites,
            List::Clusters => &self.clusters,
        };
        items.get(i).copied().unwrap_or(At { line: i + 1, index: i })
    }

    /// The line of item `i`.
    pub fn line(&self, list: List, i: usize) -> usize {
        self.at(list, i).line
    }

    /// An error on `field` of item `i`.
    pub fn error(&self, list: List, i: usize, field: &str, reason: impl Into<String>) -> RowError {
        let At { line, index } = self.at(list, i);
        let field = match (self.prefixed, list) {
            (false, _) => field.to_string(),
            (true, List::Sites) => format!("sites[{index}].{field}"),
            (true, List::Clusters) => format!("clusters[{index}].{field}"),
        };
        RowError::new(line, field, reason)
    }

    /// Every field error of item `i`, in field order.
    pub fn errors(&self, list: List, i: usize, err: ValidationError) -> impl Iterator<Item = RowError> + '_ {
        err.fields.into_iter().map(move |(f, m)| self.error(list, i, &f, m))
    }
}

/// Every problem in `doc`: each record's fields, duplicate names, a `site` that names no site in
/// the document or in `known_sites`, a plant's `region` that names no region, a `parent` that
/// names no cluster in the document or in `known_clusters`, and parent loops. Names already in
/// `known_*` are not duplicates: an import updates them. Empty when the document is good.
pub fn validate_doc(doc: &FleetDoc, known_sites: &[String], known_clusters: &[String]) -> Vec<RowError> {
    let pos = Positions { prefixed: true, ..Positions::default() };
    check_doc(doc, &Known { sites: known_sites, clusters: known_clusters, broken: &[] }, &pos, true)
}

/// Names the references may point at besides the document's own items.
pub(crate) struct Known<'a> {
    pub sites: &'a [String],
    pub clusters: &'a [String],
    /// Names of items that did not parse: references to them are not reported again.
    pub broken: &'a [String],
}

/// [`validate_doc`] with positions; `each_record` also runs every record's own checks.
pub(crate) fn check_doc<'a>(doc: &FleetDoc, known: &Known<'a>, pos: &Positions, each_record: bool) -> Vec<RowError> {
    let mut out = Vec::new();
    let set = |names: &'a [String]| names.iter().map(String::as_str).collect::<HashSet<&str>>();
    let (known_sites, known_clusters, broken) = (set(known.sites), set(known.clusters), set(known.broken));
    let also = |name: &str, known: &HashSet<&str>| known.contains(name) || broken.contains(name);
    let in_doc: HashSet<&str> = doc.clusters.iter().map(|c| c.name.as_str()).collect();

    let mut site_kinds: HashMap<&str, (usize, SiteKind)> = HashMap::new();
    for (i, s) in doc.sites.iter().enumerate() {
        if each_record && let Err(e) = s.validate() {
            out.extend(pos.errors(List::Sites, i, e));
        }
        if let Some(&(first, _)) = site_kinds.get(s.name.as_str()) {
            let at = pos.line(List::Sites, first);
            out.push(pos.error(List::Sites, i, "name", format!("site '{}' is already defined on line {at}", s.name)));
        } else {
            site_kinds.insert(&s.name, (i, s.kind));
        }
    }
    for (i, s) in doc.sites.iter().enumerate() {
        let Some(region) = s.region.as_deref().filter(|_| s.kind == SiteKind::Plant) else {
            continue;
        };
        match site_kinds.get(region) {
            Some((_, SiteKind::Region)) => {}
            Some((_, SiteKind::Plant)) => out.push(pos.error(
                List::Sites,
                i,
                "region",
                format!("'{region}' is a plant, not a region; name a site of kind region"),
            )),
            None if also(region, &known_sites) => {}
            None => out.push(pos.error(
                List::Sites,
                i,
                "region",
                format!("no region named '{region}' exists or is in this file; add it as a site of kind region"),
            )),
        }
    }

    let mut site_errors = std::mem::take(&mut out);
    let mut clusters: HashMap<&str, usize> = HashMap::new();
    for (i, c) in doc.clusters.iter().enumerate() {
        if each_record && let Err(e) = c.validate() {
            out.extend(pos.errors(List::Clusters, i, e));
        }
        if let Some(&first) = clusters.get(c.name.as_str()) {
            let at = pos.line(List::Clusters, first);
            let reason = format!("cluster '{}' is already defined on line {at}; cluster names are unique", c.name);
            out.push(pos.error(List::Clusters, i, "name", reason));
        } else {
            clusters.insert(&c.name, i);
        }
        if !site_kinds.contains_key(c.site.as_str()) && !also(&c.site, &known_sites) {
            let reason = format!(
                "no site named '{}' exists or is in this file; create the site first (a plant or a region)",
                c.site
            );
            out.push(pos.error(List::Clusters, i, "site", reason));
        }
        if c.parent.as_deref() == Some(c.name.as_str()) {
            let reason = "a cluster cannot be its own parent; name the cluster it reports to, or none";
            out.push(pos.error(List::Clusters, i, "parent", reason));
        } else if let Some(p) = c.parent.as_deref()
            && !in_doc.contains(p)
            && !also(p, &known_clusters)
        {
            let reason = format!("no cluster named '{p}' exists or is in this file; name the cluster it reports to");
            out.push(pos.error(List::Clusters, i, "parent", reason));
        }
    }
    for (i, chain) in parent_loops(doc, &clusters) {
        let reason = format!("the parents form a loop ({chain}); one of these clusters must report to another one");
        out.push(pos.error(List::Clusters, i, "parent", reason));
    }
    // Item order within each list (loops were found last); a source text reads top to bottom.
    site_errors.sort_by_key(|e| e.line);
    out.sort_by_key(|e| e.line);
    site_errors.append(&mut out);
    if pos.is_physical() {
        site_errors.sort_by_key(|e| e.line);
    }
    site_errors
}

/// Every cluster on a parent loop within the document (self-parents excluded: reported on their
/// own), with the loop as `a → b → a`.
fn parent_loops(doc: &FleetDoc, index: &HashMap<&str, usize>) -> Vec<(usize, String)> {
    // 0 unvisited, 1 on the current path, 2 done: each cluster is walked once.
    let mut state = vec![0u8; doc.clusters.len()];
    let mut found = Vec::new();
    let mut on_loop = HashSet::new();
    for start in 0..doc.clusters.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                2 => break,
                1 => {
                    if let Some(from) = path.iter().position(|&p| p == i) {
                        let members = &path[from..];
                        if members.len() > 1 {
                            let mut names: Vec<&str> =
                                members.iter().map(|&m: &usize| doc.clusters[m].name.as_str()).collect();
                            names.push(&doc.clusters[i].name);
                            let chain = names.join(" → ");
                            for &m in members {
                                if on_loop.insert(m) {
                                    found.push((m, chain.clone()));
                                }
                            }
                        }
                    }
                    break;
                }
                _ => {
                    state[i] = 1;
                    path.push(i);
                    at = doc.clusters[i].parent.as_deref().and_then(|p| index.get(p).copied());
                }
            }
        }
        for i in path {
            state[i] = 2;
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Tier;
    use crate::fleet::{ClusterRecord, SiteRecord};

    fn doc() -> FleetDoc {
        let mut plant = SiteRecord::new("Leipzig", SiteKind::Plant);
        plant.region = Some("EMEA".into());
        FleetDoc {
            sites: vec![SiteRecord::new("EMEA", SiteKind::Region), plant],
            clusters: vec![
                ClusterRecord::new("plant-leipzig", "Leipzig", Tier::Plant),
                ClusterRecord {
                    parent: Some("plant-leipzig".into()),
                    ..ClusterRecord::new("cell-leipzig-press-01", "Leipzig", Tier::Cell)
                },
            ],
            ..Default::default()
        }
    }

    fn fields(errors: &[RowError]) -> Vec<String> {
        errors.iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn a_consistent_document_has_no_errors() {
        assert_eq!(validate_doc(&doc(), &[], &[]), []);
    }

    #[test]
    fn an_unknown_site_is_reported_unless_the_fleet_already_has_it() {
        let mut d = doc();
        d.clusters[1].site = "Dresden".into();
        let errors = validate_doc(&d, &[], &[]);
        assert_eq!(fields(&errors), ["clusters[1].site"]);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].reason.contains("no site named 'Dresden'"), "{}", errors[0]);
        assert_eq!(validate_doc(&d, &["Dresden".into()], &[]), []);
    }

    #[test]
    fn an_unknown_parent_is_reported_unless_the_fleet_already_has_it() {
        let mut d = doc();
        d.clusters[1].parent = Some("plant-dresden".into());
        assert_eq!(fields(&validate_doc(&d, &[], &[])), ["clusters[1].parent"]);
        assert_eq!(validate_doc(&d, &[], &["plant-dresden".into()]), []);
    }

    #[test]
    fn a_duplicate_name_is_reported_on_the_second_row_with_the_first_line() {
        let mut d = doc();
        d.clusters.push(ClusterRecord::new("plant-leipzig", "Leipzig", Tier::Plant));
        let errors = validate_doc(&d, &[], &[]);
        assert_eq!(fields(&errors), ["clusters[2].name"]);
        assert_eq!(
            errors[0].to_string(),
            "line 3, clusters[2].name: cluster 'plant-leipzig' is already defined on line 1; cluster names are unique"
        );
    }

    #[test]
    fn a_self_parent_is_reported_once() {
        let mut d = doc();
        d.clusters[0].parent = Some("plant-leipzig".into());
        let errors = validate_doc(&d, &[], &[]);
        assert_eq!(fields(&errors), ["clusters[0].parent"]);
        assert!(errors[0].reason.contains("its own parent"));
    }

    #[test]
    fn a_parent_loop_is_reported_on_every_member() {
        let mut d = doc();
        d.clusters[0].parent = Some("cell-leipzig-press-01".into());
        d.clusters.push(ClusterRecord {
            parent: Some("plant-leipzig".into()),
            ..ClusterRecord::new("cell-leipzig-weld-01", "Leipzig", Tier::Cell)
        });
        let errors = validate_doc(&d, &[], &[]);
        assert_eq!(fields(&errors), ["clusters[0].parent", "clusters[1].parent"]);
        assert!(errors[0].reason.contains("plant-leipzig → cell-leipzig-press-01 → plant-leipzig"), "{}", errors[0]);
    }

    #[test]
    fn a_plant_must_name_a_region_site() {
        let mut d = doc();
        d.sites[1].region = Some("Leipzig".into());
        d.sites.push(SiteRecord { region: Some("APAC".into()), ..SiteRecord::new("Pune", SiteKind::Plant) });
        let errors = validate_doc(&d, &[], &[]);
        assert_eq!(fields(&errors), ["sites[1].region", "sites[2].region"]);
        assert!(errors[0].reason.contains("is a plant, not a region"));
    }

    #[test]
    fn record_errors_carry_the_item_prefix() {
        let mut d = doc();
        d.clusters[1].facts.kernel = Some("latest".into());
        d.clusters[1].facts.nodes = 0;
        let errors = validate_doc(&d, &[], &[]);
        assert_eq!(fields(&errors), ["clusters[1].kernel", "clusters[1].nodes"]);
    }
}
