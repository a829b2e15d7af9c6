//! YAML import and export of a whole fleet: `sites:` and `clusters:`, each a list of mappings
//! with the API's field names (`labels` a mapping).
//!
//! Errors carry the line where the item starts in the file and the field prefixed with the item,
//! `clusters[3].kernel` (index from 0). Values are read as the text written, so `kernel: 5.10`
//! stays `5.10` rather than the number 5.1, and `nodes: abc` is reported on `nodes`. A file that
//! is not YAML, or not a mapping of `sites` and `clusters`, is one error at the parser's line.
//!
//! **Crate.** `serde_yaml` is archived and unmaintained. `serde-saphyr` is maintained, pure safe
//! Rust on the saphyr parser (no libyaml translation, unlike `serde_yaml_ng` and `serde_norway`),
//! limits alias expansion and nesting by default (an uploaded file cannot blow up memory with a
//! "billion laughs"), gives every value's line (`Spanned`), and deserialises scalars by the
//! target type, which the text-first reading above needs. It builds here with default features
//! off (no comment capture, no miette).

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

use super::check::{At, Known, List, Positions, RowError, check_doc};
use super::fields::{LabelsIn, RawItem, cluster_from_raw, site_from_raw};
use super::{ClusterRecord, FleetDoc, SiteKind, SiteRecord, cluster_fields};

/// A fleet from YAML, each item parsed and checked on its own; `Err` lists every bad field of
/// every item. References between items and to the fleet are checked by [`import_yaml`] or
/// [`validate_doc`](super::validate_doc).
pub fn fleet_from_yaml(text: &str) -> Result<FleetDoc, Vec<RowError>> {
    let read = read(text)?;
    if read.errors.is_empty() { Ok(read.doc) } else { Err(read.errors) }
}

/// A fleet from YAML, checked as a whole against the fleet's site and cluster names, every error
/// with its line: what a dry run reports.
pub fn import_yaml(text: &str, known_sites: &[String], known_clusters: &[String]) -> Result<FleetDoc, Vec<RowError>> {
    let read = read(text)?;
    let known = Known { sites: known_sites, clusters: known_clusters, broken: &read.broken };
    let mut errors = read.errors;
    errors.extend(check_doc(&read.doc, &known, &read.positions, false));
    errors.sort_by_key(|e| e.line);
    if errors.is_empty() { Ok(read.doc) } else { Err(errors) }
}

/// The fleet as YAML; absent and empty optional fields are left out.
pub fn fleet_to_yaml(doc: &FleetDoc) -> String {
    let out = DocOut {
        sites: doc.sites.iter().map(SiteOut::from).collect(),
        clusters: doc
            .clusters
            .iter()
            .map(|c| {
                let mut out = ClusterOut::from(c);
                if let Some(v) = doc.versions.get(&c.name) {
                    out.0.push(("version", serde_json::Value::from(*v)));
                }
                out
            })
            .collect(),
    };
    // Plain structs with string keys always serialise.
    let body = serde_saphyr::to_string(&out).expect("the fleet serialises as YAML");
    format!("# Switchyard fleet: sites and clusters, with the API's field names.\n{body}")
}

/// What reading a file gave.
struct Read {
    doc: FleetDoc,
    /// Lines of the items that parsed, in `doc` order.
    positions: Positions,
    errors: Vec<RowError>,
    /// Names of the items that did not parse.
    broken: Vec<String>,
}

fn read(text: &str) -> Result<Read, Vec<RowError>> {
    let raw: RawDoc = if text.trim().is_empty() {
        RawDoc::default()
    } else {
        serde_saphyr::from_str_with_options(text, options(text.len())).map_err(|e| {
            let line = e.location().map_or(1, |l| usize::try_from(l.line()).unwrap_or(usize::MAX)).max(1);
            let reason = format!(
                "{}; a fleet file is a mapping of `sites` and `clusters`, each a list of mappings from \
                 field names to single values (`labels` is a mapping of name: value)",
                e.without_snippet()
            );
            vec![RowError::new(line, "", reason)]
        })?
    };
    let mut read = Read {
        doc: FleetDoc::default(),
        positions: Positions { prefixed: true, ..Positions::default() },
        errors: Vec::new(),
        broken: Vec::new(),
    };
    // Errors name the item by its index in the file; `Positions` maps parsed items to lines.
    let all = Positions { prefixed: true, ..Positions::default() };
    for (i, item) in raw.sites.iter().enumerate() {
        let line = line_of(item);
        match site_from_raw(&item.value.0) {
            Ok(s) => {
                read.doc.sites.push(s);
                read.positions.sites.push(At { line, index: i });
            }
            Err(e) => {
                read.broken.extend(item.value.0.name());
                read.errors
                    .extend(e.fields.into_iter().map(|(f, m)| RowError { line, ..all.error(List::Sites, i, &f, m) }));
            }
        }
    }
    for (i, item) in raw.clusters.iter().enumerate() {
        let line = line_of(item);
        match cluster_from_raw(&item.value.0) {
            Ok((c, version)) => {
                if let Some(v) = version {
                    read.doc.versions.insert(c.name.clone(), v);
                }
                read.doc.lines.insert(c.name.clone(), line);
                read.doc.clusters.push(c);
                read.positions.clusters.push(At { line, index: i });
            }
            Err(e) => {
                read.broken.extend(item.value.0.name());
                read.errors.extend(
                    e.fields.into_iter().map(|(f, m)| RowError { line, ..all.error(List::Clusters, i, &f, m) }),
                );
            }
        }
    }
    read.errors.sort_by_key(|e| e.line);
    Ok(read)
}

/// The parser's limits, scaled to the text: the defaults (250,000 nodes, 1,000,000 events) stop
/// at about 6,000 clusters, but a file already in memory cannot hold more nodes than bytes, nor
/// more events than two per byte, without aliases, and those keep their default caps.
fn options(bytes: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(bytes);
    budget.max_events = budget.max_events.max(bytes.saturating_mul(2));
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn line_of<T>(item: &Spanned<T>) -> usize {
    usize::try_from(item.referenced.line()).unwrap_or(usize::MAX).max(1)
}

/// The file's shape: two lists of mappings, each item kept as text.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    #[serde(default)]
    sites: Vec<Spanned<YamlItem>>,
    #[serde(default)]
    clusters: Vec<Spanned<YamlItem>>,
}

/// One item's fields as text.
struct YamlItem(RawItem);

impl<'de> Deserialize<'de> for YamlItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = YamlItem;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of field names to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlItem, A::Error> {
        let mut raw = RawItem::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "labels" {
                let labels: Option<BTreeMap<String, Option<Text>>> = map.next_value()?;
                let pairs =
                    labels.unwrap_or_default().into_iter().map(|(k, v)| (k, v.map(|t| t.0).unwrap_or_default()));
                raw.labels = Some(LabelsIn::Map(pairs.collect()));
                continue;
            }
            // Unknown keys are kept: the record's reader names them.
            let value: Option<Text> = map.next_value()?;
            raw.values.insert(key, value.map(|t| t.0).unwrap_or_default());
        }
        Ok(YamlItem(raw))
    }
}

/// A scalar as written: asking for a string makes the parser hand over the text of numbers and
/// booleans too.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
}

#[derive(Serialize)]
struct DocOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sites: Vec<SiteOut<'a>>,
    clusters: Vec<ClusterOut>,
}

#[derive(Serialize)]
struct SiteOut<'a> {
    name: &'a str,
    kind: SiteKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
}

impl<'a> From<&'a SiteRecord> for SiteOut<'a> {
    fn from(s: &'a SiteRecord) -> Self {
        Self { name: &s.name, kind: s.kind, location: s.location.as_deref(), region: s.region.as_deref() }
    }
}

/// A cluster as a YAML mapping: its fields in [`cluster_fields`] order, absent, `null` and empty
/// ones left out, taken from the record's own serde form.
struct ClusterOut(Vec<(&'static str, serde_json::Value)>);

impl From<&ClusterRecord> for ClusterOut {
    fn from(c: &ClusterRecord) -> Self {
        use serde_json::Value;
        let json = serde_json::to_value(c).unwrap_or_default();
        let keep = |v: &Value| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Object(m) => !m.is_empty(),
            _ => true,
        };
        let fields = cluster_fields().iter().filter_map(|f| json.get(*f).filter(|v| keep(v)).map(|v| (*f, v.clone())));
        ClusterOut(fields.collect())
    }
}

impl Serialize for ClusterOut {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
