//! Reading one site or cluster from its fields as text, the way a CSV row or a YAML mapping
//! holds them: every field is parsed on its own, so one import reports every bad field of every
//! row, each named, and then the record's own checks run on what parsed.
//!
//! An empty value means the field's default. Enum values and booleans are read
//! case-insensitively; booleans accept `true`/`false`, `yes`/`no` and `1`/`0`.

use std::collections::BTreeMap;
use std::str::FromStr;

use super::{CLUSTER_FIELDS, ClusterRecord, SITE_FIELDS, SiteKind, SiteRecord};
use crate::{BgpFabric, Context, Tier, ValidationError};

/// Labels as written: `key=value;key2=value2` in CSV, a mapping in YAML.
#[derive(Debug, Clone)]
pub(super) enum LabelsIn {
    Text(String),
    Map(Vec<(String, String)>),
}

/// One item's fields before parsing.
#[derive(Debug, Clone, Default)]
pub(super) struct RawItem {
    /// Field name → text as written.
    pub values: BTreeMap<String, String>,
    /// The `labels` field.
    pub labels: Option<LabelsIn>,
}

impl RawItem {
    /// The `name` as written, for reference checks when the item does not parse.
    pub fn name(&self) -> Option<String> {
        self.values.get("name").map(|n| n.trim().to_string()).filter(|n| !n.is_empty())
    }
}

/// Parses fields one by one, collecting a message per bad field.
struct Reader<'a> {
    raw: &'a RawItem,
    err: ValidationError,
}

impl Reader<'_> {
    /// The trimmed value, `None` when absent or blank.
    fn text(&self, field: &str) -> Option<String> {
        self.raw.values.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// Free text kept as written, `None` when absent or blank.
    fn free(&self, field: &str) -> Option<String> {
        self.raw.values.get(field).filter(|v| !v.trim().is_empty()).cloned()
    }

    fn required(&mut self, field: &str, hint: &str) -> String {
        self.text(field).unwrap_or_else(|| {
            self.err.add(field, format!("required; {hint}"));
            String::new()
        })
    }

    fn parse<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let text = self.text(field)?;
        parse(&text).map_err(|m| self.err.add(field, m)).ok()
    }

    fn number<T: FromStr>(&mut self, field: &str, example: &str) -> Option<T> {
        self.parse(field, |s| s.parse().map_err(|_| format!("'{s}' is not a whole number; write it like {example}")))
    }

    fn flag(&mut self, field: &str, default: bool) -> bool {
        self.parse(field, |s| match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(format!("'{s}' is not true or false")),
        })
        .unwrap_or(default)
    }

    /// An enum by its `FromStr`, whose error already names the field and the choices.
    fn choice<T: FromStr<Err = ValidationError>>(&mut self, field: &str) -> Option<T> {
        self.parse(field, |s| {
            s.to_ascii_lowercase()
                .parse()
                .map_err(|e: ValidationError| e.fields.into_values().next().unwrap_or_default())
        })
    }

    /// Reports keys that are not among `fields`.
    fn unknown(&mut self, fields: &[&str]) {
        let labels = self.raw.labels.as_ref().map(|_| "labels");
        for key in self.raw.values.keys().map(String::as_str).chain(labels) {
            if !fields.contains(&key) {
                self.err.add(key, format!("unknown field; the fields are {}", fields.join(", ")));
            }
        }
    }

    fn labels(&mut self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let pairs: Vec<(String, String)> = match &self.raw.labels {
            None => return out,
            Some(LabelsIn::Map(pairs)) => pairs.clone(),
            Some(LabelsIn::Text(text)) => {
                let mut pairs = Vec::new();
                for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                    match part.split_once('=') {
                        Some((k, v)) => pairs.push((k.trim().to_string(), v.trim().to_string())),
                        None => self.err.add(
                            "labels",
                            format!("'{part}' is not key=value; write labels as line=press;zone=ot-cell"),
                        ),
                    }
                }
                pairs
            }
        };
        for (k, v) in pairs {
            if out.contains_key(&k) {
                self.err.add("labels", format!("label '{k}' is given twice"));
            }
            out.insert(k, v);
        }
        out
    }

    /// Adds the record's own checks; a field's parse error, found first, wins.
    fn finish<T>(
        mut self,
        record: T,
        validate: impl FnOnce(&T) -> Result<(), ValidationError>,
    ) -> Result<T, ValidationError> {
        if let Err(e) = validate(&record) {
            for (f, m) in e.fields {
                self.err.add(f, m);
            }
        }
        self.err.into_result(record)
    }
}

/// A cluster from its fields; errors name each bad field.
pub(super) fn cluster_from_raw(raw: &RawItem) -> Result<ClusterRecord, ValidationError> {
    let mut r = Reader { raw, err: ValidationError::default() };
    r.unknown(&CLUSTER_FIELDS);
    let name = r.required("name", "give the cluster's name, e.g. cell-leipzig-press-01");
    let site = r.required("site", "give the plant or region it runs at, e.g. Leipzig");
    let tier = match r.text("tier") {
        None => {
            r.err.add("tier", "required; use one of cell, plant, regional, cloud");
            Tier::Cell
        }
        Some(_) => r.choice("tier").unwrap_or(Tier::Cell),
    };
    let record = ClusterRecord {
        parent: r.text("parent"),
        context: r.choice::<Context>("context"),
        distribution: r.text("distribution").unwrap_or_default(),
        nodes: r.number("nodes", "3").unwrap_or(1),
        cores_per_node: r.number("cores_per_node", "4"),
        memory_gib_per_node: r.parse("memory_gib_per_node", |s| {
            s.parse().map_err(|_| format!("'{s}' is not a number of GiB; write it like 8 or 7.5"))
        }),
        kernel: r.text("kernel"),
        bgp_fabric: r.choice::<BgpFabric>("bgp_fabric").unwrap_or_default(),
        wan_uplink: r.flag("wan_uplink", false),
        underlay_mtu: r.number("underlay_mtu", "1500"),
        underlay_symmetric: r.flag("underlay_symmetric", true),
        pod_cidr: r.text("pod_cidr"),
        max_pods_per_node: r.number("max_pods_per_node", "110"),
        labels: r.labels(),
        profile_id: r.number("profile_id", "3"),
        decided_cni: r.text("decided_cni"),
        exception_rationale: r.free("exception_rationale"),
        ..ClusterRecord::new(name, site, tier)
    };
    r.finish(record, ClusterRecord::validate)
}

/// A site from its fields; errors name each bad field.
pub(super) fn site_from_raw(raw: &RawItem) -> Result<SiteRecord, ValidationError> {
    let mut r = Reader { raw, err: ValidationError::default() };
    r.unknown(&SITE_FIELDS);
    let name = r.required("name", "give the site's name, e.g. Leipzig or EMEA");
    let kind = match r.text("kind") {
        None => {
            r.err.add("kind", "required; use plant or region");
            SiteKind::Plant
        }
        Some(_) => r.choice("kind").unwrap_or(SiteKind::Plant),
    };
    let record = SiteRecord { location: r.free("location"), region: r.text("region"), ..SiteRecord::new(name, kind) };
    r.finish(record, SiteRecord::validate)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn raw(pairs: &[(&str, &str)], labels: Option<&str>) -> RawItem {
        RawItem {
            values: pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
            labels: labels.map(|l| LabelsIn::Text(l.into())),
        }
    }

    #[test]
    fn name_site_and_tier_are_enough() {
        let c = cluster_from_raw(&raw(&[("name", "cell-a"), ("site", "Leipzig"), ("tier", "Cell")], None)).unwrap();
        assert_eq!(c, ClusterRecord::new("cell-a", "Leipzig", Tier::Cell));
    }

    #[test]
    fn every_bad_field_is_named_with_what_was_written() {
        let item = raw(
            &[
                ("site", "Leipzig"),
                ("tier", "edge"),
                ("nodes", "abc"),
                ("memory_gib_per_node", "8GB"),
                ("wan_uplink", "maybe"),
                ("underlay_mtu", "-1"),
                ("kernel", "latest"),
            ],
            Some("line=press;zone"),
        );
        let err = cluster_from_raw(&item).unwrap_err();
        let f = &err.fields;
        assert!(f["name"].starts_with("required"), "{err}");
        assert!(f["tier"].contains("unknown tier 'edge'"), "{err}");
        assert!(f["nodes"].contains("'abc' is not a whole number"), "{err}");
        assert!(f["memory_gib_per_node"].contains("'8GB'"), "{err}");
        assert!(f["wan_uplink"].contains("'maybe' is not true or false"), "{err}");
        assert!(f["underlay_mtu"].contains("'-1'"), "{err}");
        assert!(f["kernel"].contains("uname -r"), "{err}");
        assert!(f["labels"].contains("'zone' is not key=value"), "{err}");
    }

    #[test]
    fn booleans_and_labels_are_read_leniently() {
        let item = raw(
            &[("name", "p"), ("site", "S"), ("tier", "plant"), ("wan_uplink", "YES"), ("underlay_symmetric", "0")],
            Some(" line=press ; ;zone=ot "),
        );
        let c = cluster_from_raw(&item).unwrap();
        assert!(c.wan_uplink && !c.underlay_symmetric);
        assert_eq!(c.labels.len(), 2);
        assert_eq!(c.labels["zone"], "ot");
    }

    #[test]
    fn unknown_fields_and_site_kinds_are_named() {
        let item = raw(&[("name", "Pune"), ("kind", "factory"), ("kernal", "5.15")], None);
        let err = site_from_raw(&item).unwrap_err();
        assert!(err.fields["kind"].contains("unknown site kind 'factory'"), "{err}");
        assert!(err.fields["kernal"].contains("unknown field"), "{err}");
    }
}
