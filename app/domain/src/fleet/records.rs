//! Sites and clusters as the API, CSV and YAML carry them, with the field names of issue 4, and
//! the checks that need nothing but the record itself (references, such as a cluster naming itself
//! as parent, are [`validate_doc`](super::validate_doc)'s).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::rules::{check_cluster_name, check_label, check_site_name, check_text, is_candidate_key};
use crate::{ClusterFacts, Tier, ValidationError};

/// The record's own fields before its facts, in API, CSV-header and YAML order.
const FIELDS_BEFORE_FACTS: [&str; 3] = ["name", "site", "parent"];

/// The record's own fields after its facts.
const FIELDS_AFTER_FACTS: [&str; 4] = ["labels", "profile_id", "decided_cni", "exception_rationale"];

/// Cluster fields in API, CSV-header and YAML order: the record's own fields around the
/// [`ClusterFacts`] fields, which come from that struct's one definition.
pub fn cluster_fields() -> &'static [&'static str] {
    static FIELDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let facts = struct_fields::<ClusterFacts>();
        FIELDS_BEFORE_FACTS.iter().chain(facts).chain(&FIELDS_AFTER_FACTS).copied().collect()
    })
}

/// Site fields in API, CSV-header and YAML order.
pub const SITE_FIELDS: [&str; 4] = ["name", "kind", "location", "region"];

/// Longest exception rationale, in characters.
pub const MAX_RATIONALE_CHARS: usize = 2000;

/// Longest site name, in characters.
pub const MAX_SITE_NAME_CHARS: usize = 100;

/// Longest free-text field other than the rationale (location, distribution), in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// A plant or a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// A factory: plant and cell clusters run here.
    Plant,
    /// A region grouping plants; regional and cloud clusters are placed here.
    Region,
}

impl SiteKind {
    /// Both kinds.
    pub const ALL: [SiteKind; 2] = [SiteKind::Plant, SiteKind::Region];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Plant => "plant",
            SiteKind::Region => "region",
        }
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SiteKind {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SiteKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ValidationError::field("kind", format!("unknown site kind '{s}'; use plant or region")))
    }
}

/// A site: a plant or a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteRecord {
    /// Unique name, free text ("Leipzig", "EMEA").
    pub name: String,
    /// Plant or region.
    pub kind: SiteKind,
    /// Where it is, free text.
    #[serde(default)]
    pub location: Option<String>,
    /// For a plant: the region site it belongs to (groups plants on the fleet map).
    #[serde(default)]
    pub region: Option<String>,
}

impl SiteRecord {
    /// A site without location or region.
    pub fn new(name: impl Into<String>, kind: SiteKind) -> Self {
        Self { name: name.into(), kind, location: None, region: None }
    }

    /// Checks the fields; whether `region` names a region is for [`validate_doc`](super::validate_doc).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut err = ValidationError::default();
        if let Err(m) = check_site_name(&self.name) {
            err.add("name", m);
        }
        if let Some(loc) = &self.location
            && let Err(m) = check_text(loc, MAX_TEXT_CHARS)
        {
            err.add("location", m);
        }
        match (&self.region, self.kind) {
            (Some(_), SiteKind::Region) => {
                err.add("region", "a region does not belong to another region; leave region empty")
            }
            (Some(r), SiteKind::Plant) => {
                if let Err(m) = check_site_name(r) {
                    err.add("region", m);
                }
            }
            (None, _) => {}
        }
        err.into_result(())
    }
}

/// A cluster with everything Switchyard knows about it: where it is, its [`ClusterFacts`]
/// (flattened, so the API, CSV and YAML carry them as plain fields), and what was decided. Only
/// `name`, `site` and `tier` are required; everything else has the default its doc names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterRecord {
    /// Unique name, a DNS label (`cell-leipzig-press-01`).
    pub name: String,
    /// Name of the site (plant or region) it runs at.
    pub site: String,
    /// Name of the cluster it reports to (a cell's plant cluster), if any.
    #[serde(default)]
    pub parent: Option<String>,
    /// What the gates read: tier, context, nodes, kernel, network facts.
    #[serde(flatten)]
    pub facts: ClusterFacts,
    /// Kubernetes-style labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Weight profile to use instead of the one for its tier and context.
    #[serde(default)]
    pub profile_id: Option<i64>,
    /// The CNI decided for it (candidate key), if decided.
    #[serde(default)]
    pub decided_cni: Option<String>,
    /// Why the decision differs from the recommendation (required then).
    #[serde(default)]
    pub exception_rationale: Option<String>,
}

impl ClusterRecord {
    /// A cluster with every optional field at its default.
    pub fn new(name: impl Into<String>, site: impl Into<String>, tier: Tier) -> Self {
        Self {
            name: name.into(),
            site: site.into(),
            parent: None,
            facts: ClusterFacts::new(tier),
            labels: BTreeMap::new(),
            profile_id: None,
            decided_cni: None,
            exception_rationale: None,
        }
    }

    /// What the gates read.
    pub fn facts(&self) -> &ClusterFacts {
        &self.facts
    }

    /// Checks every field on its own, each problem under its field name. Whether `site` and
    /// `parent` exist is for [`validate_doc`](super::validate_doc).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut err = self.facts.validate().err().unwrap_or_default();
        if let Err(m) = check_cluster_name(&self.name) {
            err.add("name", m);
        }
        if let Err(m) = check_site_name(&self.site) {
            err.add("site", m);
        }
        if let Some(p) = &self.parent
            && let Err(m) = check_cluster_name(p)
        {
            err.add("parent", m);
        }
        for (k, v) in &self.labels {
            if let Err(m) = check_label(k, v) {
                err.add("labels", m);
            }
        }
        if let Some(cni) = &self.decided_cni
            && !is_candidate_key(cni)
        {
            err.add(
                "decided_cni",
                format!("'{cni}' is not a CNI key; use the lowercase key of a candidate, e.g. calico or cilium"),
            );
        }
        if let Some(r) = &self.exception_rationale {
            let n = r.chars().count();
            if n > MAX_RATIONALE_CHARS {
                err.add(
                    "exception_rationale",
                    format!(
                        "the rationale has {n} characters; keep it to {MAX_RATIONALE_CHARS} and link longer documents"
                    ),
                );
            }
        }
        err.into_result(())
    }
}

/// The field names of a plain `#[derive(Deserialize)]` struct, as serde's derive hands them to
/// `deserialize_struct`: the one definition of the fields drives the CSV header and YAML order.
fn struct_fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};

    /// Stops deserialisation as soon as the field list is known.
    #[derive(Debug)]
    struct Found(&'static [&'static str]);

    impl fmt::Display for Found {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("field list found")
        }
    }

    impl std::error::Error for Found {}

    impl de::Error for Found {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Found(&[])
        }
    }

    struct Probe;

    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Found;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found(&[]))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            Err(Found(fields))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    match T::deserialize(Probe) {
        Err(Found(fields)) => fields,
        Ok(_) => &[],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_cluster_fields_are_the_record_fields_around_the_facts() {
        let fields = cluster_fields();
        assert_eq!(fields.len(), 22);
        assert_eq!(&fields[..5], ["name", "site", "parent", "tier", "context"]);
        assert_eq!(fields.last(), Some(&"exception_rationale"));
    }

    #[test]
    fn a_json_cluster_needs_only_name_site_and_tier() {
        let c: ClusterRecord =
            serde_json::from_str(r#"{"name": "cell-a", "site": "Leipzig", "tier": "cell"}"#).unwrap();
        assert_eq!(c, ClusterRecord::new("cell-a", "Leipzig", Tier::Cell));
        assert!(c.facts.underlay_symmetric);
        assert_eq!(c.facts.nodes, 1);
        c.validate().unwrap();
        let json = serde_json::to_value(&c).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = cluster_fields().to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected, "every field under its issue-4 name");
    }

    #[test]
    fn every_bad_field_of_a_cluster_is_reported_at_once() {
        let facts = ClusterFacts {
            nodes: 0,
            kernel: Some("latest".into()),
            underlay_mtu: Some(100_000),
            memory_gib_per_node: Some(0.0),
            pod_cidr: Some("10.42.0.0".into()),
            distribution: "K3s\n".into(),
            ..ClusterFacts::new(Tier::Cell)
        };
        let c = ClusterRecord {
            facts,
            parent: Some("Plant A".into()),
            labels: BTreeMap::from([("line".into(), "a;b".into())]),
            decided_cni: Some("Calico".into()),
            exception_rationale: Some("x".repeat(MAX_RATIONALE_CHARS + 1)),
            ..ClusterRecord::new("Cell A", " ", Tier::Cell)
        };
        let err = c.validate().unwrap_err();
        let fields: Vec<&str> = err.fields.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "decided_cni",
                "distribution",
                "exception_rationale",
                "kernel",
                "labels",
                "memory_gib_per_node",
                "name",
                "nodes",
                "parent",
                "pod_cidr",
                "site",
                "underlay_mtu"
            ]
        );
    }

    #[test]
    fn sites_check_their_name_and_regions_belong_to_no_region() {
        SiteRecord::new("Győr", SiteKind::Plant).validate().unwrap();
        let err = SiteRecord { region: Some("EMEA".into()), ..SiteRecord::new("Americas", SiteKind::Region) }
            .validate()
            .unwrap_err();
        assert!(err.fields.contains_key("region"));
        assert!(SiteRecord::new(" Leipzig", SiteKind::Plant).validate().is_err());
        assert!(SiteRecord::new("", SiteKind::Plant).validate().is_err());
        assert_eq!("region".parse::<SiteKind>().unwrap(), SiteKind::Region);
        assert!("factory".parse::<SiteKind>().unwrap_err().fields["kind"].contains("plant or region"));
    }
}
