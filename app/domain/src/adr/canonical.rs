//! Canonical JSON and its SHA-256: object keys sorted at every level, no insignificant
//! whitespace, one escaping of strings. The snapshot holds only integers, strings, booleans and
//! nulls, so the same snapshot gives the same bytes everywhere, also after PostgreSQL's `jsonb`
//! has reordered its keys.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write;

use super::Snapshot;

impl Snapshot {
    /// The snapshot as canonical JSON.
    pub fn canonical_json(&self) -> Result<String, serde_json::Error> {
        canonical_json(self)
    }

    /// Lowercase hex SHA-256 of [`Snapshot::canonical_json`].
    pub fn sha256_hex(&self) -> Result<String, serde_json::Error> {
        self.canonical_json().map(|json| sha256_hex(json.as_bytes()))
    }
}

/// Any serialisable value as canonical JSON.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_value(value).map(|v| canonical_json_of(&v))
}

/// A JSON value (e.g. a snapshot read back from the database) as canonical JSON.
pub fn canonical_json_of(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here rather than trusting the map: serde_json keeps insertion order when
            // any crate in the build enables `preserve_order`.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::adr::testing::seed_snapshot;

    #[test]
    fn canonical_json_sorts_keys_at_every_level_and_escapes_one_way() {
        let v: Value = serde_json::from_str(r#"{"b": [1, {"z": null, "a": "x\"\n\u0001é"}], "a": true}"#).unwrap();
        assert_eq!(canonical_json_of(&v), r#"{"a":true,"b":[1,{"a":"x\"\n\u0001é","z":null}]}"#);
    }

    #[test]
    fn sha256_of_the_empty_string_is_the_known_digest() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn a_snapshot_hashes_the_same_after_a_round_trip_through_reordered_json() {
        let s = seed_snapshot();
        let hash = s.sha256_hex().unwrap();
        assert_eq!(hash.len(), 64);
        // What a jsonb column gives back: same content, keys in another order.
        let stored: Value = serde_json::from_str(&serde_json::to_string_pretty(&s).unwrap()).unwrap();
        assert_eq!(sha256_hex(canonical_json_of(&stored).as_bytes()), hash);
        let back: Snapshot = serde_json::from_value(stored).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.sha256_hex().unwrap(), hash);
    }

    #[test]
    fn the_canonical_snapshot_holds_no_floating_point_numbers() {
        fn floats(v: &Value) -> usize {
            match v {
                Value::Number(n) => usize::from(n.is_f64()),
                Value::Array(a) => a.iter().map(floats).sum(),
                Value::Object(m) => m.values().map(floats).sum(),
                _ => 0,
            }
        }
        assert_eq!(floats(&serde_json::to_value(seed_snapshot()).unwrap()), 0);
    }
}
