//! Reading one site or cluster from its fields as text, the way a CSV row or a YAML mapping
//! holds them: every field is parsed on its own, so one import reports every bad field of every
//! row, each named, and then the record's own checks run on what parsed.
//!
//! An empty value means the field's default. Enum values and booleans are read
//! case-insensitively; booleans accept `true`/`false`, `yes`/`no` and `1`/`0`.
//!
//! The [`ClusterFacts`] are read through their own serde definition by [`TextFields`], a
//! deserializer over the text values that parses each field by the type serde asks for and notes
//! a message for every field that does not parse, so adding a fact needs no change here.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

use super::{ClusterRecord, SITE_FIELDS, SiteKind, SiteRecord, cluster_fields};
use crate::{ClusterFacts, ValidationError};

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

    /// An enum by its `FromStr`, whose error already names the field and the choices.
    fn choice<T: FromStr<Err = ValidationError>>(&mut self, field: &str) -> Option<T> {
        self.parse(field, |s| {
            s.to_ascii_lowercase()
                .parse()
                .map_err(|e: ValidationError| e.fields.into_values().next().unwrap_or_default())
        })
    }

    /// A whole struct read from the text values through its serde definition; every field that
    /// does not parse is noted under its name and read as a stand-in, so the struct's own checks
    /// still run on the rest. `None` when serde gave up (a required field is missing).
    fn structure<T: for<'de> Deserialize<'de>>(&mut self) -> Option<T> {
        // A missing required field stops serde; it is noted, given a stand-in and read again, so
        // the checks of the other fields still run.
        let mut missing: Vec<&'static str> = Vec::new();
        loop {
            let errors = RefCell::new(ValidationError::default());
            let result = T::deserialize(TextFields { raw: self.raw, missing: &missing, errors: &errors });
            for (f, m) in errors.into_inner().fields {
                self.err.add(f, m);
            }
            match result {
                Ok(v) => return Some(v),
                Err(TextError { field, message, missing: Some(m) }) if !missing.contains(&m) => {
                    self.err.add(field, message);
                    missing.push(m);
                }
                Err(TextError { field, message, .. }) => {
                    self.err.add(field, message);
                    return None;
                }
            }
        }
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

/// The extra field an export writes beside a cluster's fields: the version it was exported at.
pub(super) const VERSION_FIELD: &str = "version";

/// Cluster fields an import accepts: the record's and [`VERSION_FIELD`].
pub(super) fn cluster_import_fields() -> &'static [&'static str] {
    static FIELDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| cluster_fields().iter().copied().chain([VERSION_FIELD]).collect())
}

/// A cluster and the version it was exported at, from its fields; errors name each bad field.
pub(super) fn cluster_from_raw(raw: &RawItem) -> Result<(ClusterRecord, Option<i32>), ValidationError> {
    let mut r = Reader { raw, err: ValidationError::default() };
    r.unknown(cluster_import_fields());
    let version = r.number::<i32>(VERSION_FIELD, "7");
    let name = r.required("name", "give the cluster's name, e.g. cell-leipzig-press-01");
    let site = r.required("site", "give the plant or region it runs at, e.g. Leipzig");
    let facts = r.structure::<ClusterFacts>();
    let record = ClusterRecord {
        parent: r.text("parent"),
        labels: r.labels(),
        profile_id: r.number("profile_id", "3"),
        decided_cni: r.text("decided_cni"),
        exception_rationale: r.free("exception_rationale"),
        ..ClusterRecord::new(name, site, crate::Tier::Cell)
    };
    match facts {
        Some(facts) => r.finish(ClusterRecord { facts, ..record }, ClusterRecord::validate).map(|c| (c, version)),
        None => Err(r.err),
    }
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

/// What stops [`TextFields`]: a required field missing, or something serde itself refused.
#[derive(Debug)]
struct TextError {
    field: String,
    message: String,
    /// The required field that was missing, when that is what stopped serde.
    missing: Option<&'static str>,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for TextError {}

impl de::Error for TextError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        TextError { field: String::new(), message: msg.to_string(), missing: None }
    }

    fn missing_field(field: &'static str) -> Self {
        TextError { field: field.to_string(), message: "required; give it a value".to_string(), missing: Some(field) }
    }
}

/// Deserializes a struct from an item's text values (blank ones left to the field's default).
struct TextFields<'a> {
    raw: &'a RawItem,
    /// Required fields found missing on an earlier pass: read as empty text, a stand-in.
    missing: &'a [&'static str],
    errors: &'a RefCell<ValidationError>,
}

impl<'de> Deserializer<'de> for TextFields<'_> {
    type Error = TextError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        let given = self.raw.values.iter().map(|(k, v)| (k.as_str(), v.trim())).filter(|(_, v)| !v.is_empty());
        let stand_ins = self.missing.iter().map(|m| (*m, ""));
        let entries: Vec<_> = given.chain(stand_ins).collect();
        // Messages about stand-ins would only repeat "required".
        let quiet = RefCell::new(ValidationError::default());
        visitor.visit_map(TextEntries {
            entries: entries.into_iter(),
            value: None,
            errors: self.errors,
            quiet: &quiet,
            missing: self.missing,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct TextEntries<'a> {
    entries: std::vec::IntoIter<(&'a str, &'a str)>,
    value: Option<(&'a str, &'a str)>,
    errors: &'a RefCell<ValidationError>,
    quiet: &'a RefCell<ValidationError>,
    missing: &'a [&'static str],
}

impl<'de> MapAccess<'de> for TextEntries<'_> {
    type Error = TextError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TextError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((key, value));
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TextError> {
        let (field, text) = self.value.take().unwrap_or_default();
        let errors = if self.missing.contains(&field) { self.quiet } else { self.errors };
        seed.deserialize(TextValue { field, text, errors })
    }
}

/// One field's text, parsed as the type serde asks for. A value that does not parse is noted and
/// replaced by a stand-in, so the other fields are still read and checked.
struct TextValue<'a> {
    field: &'a str,
    text: &'a str,
    errors: &'a RefCell<ValidationError>,
}

impl TextValue<'_> {
    fn note(&self, message: String) {
        self.errors.borrow_mut().add(self.field, message);
    }

    fn whole<T: std::str::FromStr + Default>(&self) -> T {
        self.text.parse().unwrap_or_else(|_| {
            self.note(format!("'{}' is not a whole number; write digits only, e.g. 3", self.text));
            T::default()
        })
    }
}

macro_rules! whole_numbers {
    ($($method:ident => $visit:ident: $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
            visitor.$visit(self.whole::<$t>())
        }
    )*};
}

impl<'de> Deserializer<'de> for TextValue<'_> {
    type Error = TextError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        let value = match self.text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => {
                self.note(format!("'{}' is not true or false", self.text));
                false
            }
        };
        visitor.visit_bool(value)
    }

    whole_numbers!(deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64,
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32, deserialize_i64 => visit_i64: i64);

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        let value = self.text.parse::<f64>().ok().filter(|v| v.is_finite()).unwrap_or_else(|| {
            self.note(format!("'{}' is not a number; write it like 8 or 7.5", self.text));
            1.0
        });
        visitor.visit_f64(value)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, TextError> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants by their serde name, case-insensitively; an unknown one names the choices.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TextError> {
        let lower = self.text.to_ascii_lowercase();
        let variant = match variants.iter().find(|v| **v == lower) {
            Some(v) => *v,
            None => {
                let what = self.field.replace('_', " ");
                self.note(format!("unknown {what} '{}'; use one of {}", self.text, variants.join(", ")));
                variants.first().copied().unwrap_or_default()
            }
        };
        visitor.visit_enum(variant.into_deserializer())
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TextError> {
        self.note(format!("'{}' is one value; this field takes a list", self.text));
        visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<()>()))
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier
        ignored_any
    }
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
        let (c, _) =
            cluster_from_raw(&raw(&[("name", "cell-a"), ("site", "Leipzig"), ("tier", "Cell")], None)).unwrap();
        assert_eq!(c, ClusterRecord::new("cell-a", "Leipzig", crate::Tier::Cell));
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
        let (c, _) = cluster_from_raw(&item).unwrap();
        assert!(c.facts.wan_uplink && !c.facts.underlay_symmetric);
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
