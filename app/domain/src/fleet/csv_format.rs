//! CSV import and export of clusters (and of sites, in a file of their own).
//!
//! The header row names the columns with the API's field names ([`cluster_fields`] order on
//! export; any order on import, and columns other than `name`, `site` and `tier` may be left
//! out). An empty cell means the field's default. `labels` is one cell, `key=value;key2=value2`
//! (label syntax keeps `=` and `;` out of keys and values). Errors carry the physical line where
//! the row starts (the header is line 1, a quoted cell may span lines) and the bare field name.
//! A UTF-8 byte-order mark, as Excel writes one, is skipped.
//!
//! **Formula injection.** A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula, and free text (site names, distribution, exception rationales)
//! may start that way. Export prefixes such a cell with `'` (OWASP's advice; spreadsheets show
//! the cell as text and hide the `'`), and import removes that one `'` again, so export → import
//! gives back the same text. A value that itself starts with `'` gets a second one only when the
//! next character would be removed, so `'s-Hertogenbosch` stays as it is. No structured field
//! starts with those characters (no number is negative, kernels start with a digit), so only
//! text ever changes. The other option, refusing such text in validation, would reject a
//! rationale written as a `- ` list.

use std::collections::HashMap;

use super::check::{At, Known, Positions, RowError, check_doc};
use super::fields::{LabelsIn, RawItem, cluster_from_raw, cluster_import_fields, site_from_raw};
use super::{ClusterRecord, FleetDoc, SITE_FIELDS, SiteRecord, cluster_fields};

/// First characters a spreadsheet reads as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Clusters from CSV, each row parsed and checked on its own; `Err` lists every bad field of every
/// row. References to sites and parents are checked by [`import_csv`] or
/// [`validate_doc`](super::validate_doc).
pub fn clusters_from_csv(text: &str) -> Result<Vec<ClusterRecord>, Vec<RowError>> {
    let read = read_clusters(text)?;
    if read.errors.is_empty() { Ok(read.records) } else { Err(read.errors) }
}

/// Clusters from CSV (with the `version` column an export writes, when present), checked as a
/// whole against the fleet's site and cluster names, every error with its physical line: what a
/// dry run reports.
pub fn import_csv(text: &str, known_sites: &[String], known_clusters: &[String]) -> Result<FleetDoc, Vec<RowError>> {
    let read = read_clusters(text)?;
    let mut doc = FleetDoc::new(Vec::new(), read.records);
    doc.versions = read.versions;
    doc.lines = doc.clusters.iter().zip(&read.lines).map(|(c, at)| (c.name.clone(), at.line)).collect();
    let pos = Positions { sites: Vec::new(), clusters: read.lines, prefixed: false };
    let known = Known { sites: known_sites, clusters: known_clusters, broken: &read.broken };
    let mut errors = read.errors;
    errors.extend(check_doc(&doc, &known, &pos, false));
    errors.sort_by_key(|e| e.line);
    if errors.is_empty() { Ok(doc) } else { Err(errors) }
}

/// Clusters as CSV with a header row, in [`cluster_fields`] order. Each cell is the field's JSON
/// value as text (absent and `null` are empty), so the columns follow the record's definition.
pub fn clusters_to_csv(clusters: &[ClusterRecord]) -> String {
    let rows = clusters.iter().map(|c| {
        let json = serde_json::to_value(c).unwrap_or_default();
        cluster_fields().iter().map(|f| cell(json.get(*f))).collect()
    });
    write(cluster_fields(), rows)
}

/// A fleet's clusters as CSV for re-import: [`clusters_to_csv`]'s columns and, when the document
/// carries versions, a last `version` column.
pub fn doc_to_csv(doc: &FleetDoc) -> String {
    if doc.versions.is_empty() {
        return clusters_to_csv(&doc.clusters);
    }
    let header: Vec<&str> = cluster_import_fields().to_vec();
    let rows = doc.clusters.iter().map(|c| {
        let json = serde_json::to_value(c).unwrap_or_default();
        let mut row: Vec<String> = cluster_fields().iter().map(|f| cell(json.get(*f))).collect();
        row.push(doc.versions.get(&c.name).map(i32::to_string).unwrap_or_default());
        row
    });
    write(&header, rows)
}

/// One JSON value as a CSV cell; `labels` (an object) as `key=value;key2=value2`.
fn cell(value: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(map)) => {
            let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={}", cell(Some(v)))).collect();
            pairs.join(";")
        }
        Some(other) => other.to_string(),
    }
}

/// Sites from CSV (`name,kind,location,region`), each row parsed and checked on its own.
pub fn sites_from_csv(text: &str) -> Result<Vec<SiteRecord>, Vec<RowError>> {
    let rows = read_rows(text, &SITE_FIELDS, &["name", "kind"])?;
    let mut errors = Vec::new();
    let mut sites = Vec::new();
    for (line, raw) in rows {
        match site_from_raw(&raw) {
            Ok(s) => sites.push(s),
            Err(e) => errors.extend(e.fields.into_iter().map(|(f, m)| RowError::new(line, f, m))),
        }
    }
    if errors.is_empty() { Ok(sites) } else { Err(errors) }
}

/// Sites as CSV with a header row.
pub fn sites_to_csv(sites: &[SiteRecord]) -> String {
    let rows = sites.iter().map(|s| {
        vec![
            s.name.clone(),
            s.kind.as_str().to_string(),
            s.location.clone().unwrap_or_default(),
            s.region.clone().unwrap_or_default(),
        ]
    });
    write(&SITE_FIELDS, rows)
}

/// What reading a cluster file gave.
struct ReadClusters {
    records: Vec<ClusterRecord>,
    /// Exported versions by cluster name.
    versions: std::collections::BTreeMap<String, i32>,
    /// Line and row number of each record.
    lines: Vec<At>,
    errors: Vec<RowError>,
    /// Names of the rows that did not parse.
    broken: Vec<String>,
}

fn read_clusters(text: &str) -> Result<ReadClusters, Vec<RowError>> {
    let rows = read_rows(text, cluster_import_fields(), &["name", "site", "tier"])?;
    let mut read = ReadClusters {
        records: Vec::new(),
        versions: Default::default(),
        lines: Vec::new(),
        errors: Vec::new(),
        broken: Vec::new(),
    };
    for (index, (line, raw)) in rows.into_iter().enumerate() {
        match cluster_from_raw(&raw) {
            Ok((c, version)) => {
                if let Some(v) = version {
                    read.versions.insert(c.name.clone(), v);
                }
                read.records.push(c);
                read.lines.push(At { line, index });
            }
            Err(e) => {
                read.broken.extend(raw.name());
                read.errors.extend(e.fields.into_iter().map(|(f, m)| RowError::new(line, f, m)));
            }
        }
    }
    Ok(read)
}

/// The data rows with their lines, cells keyed by column; header problems are the error.
fn read_rows(text: &str, fields: &[&str], required: &[&str]) -> Result<Vec<(usize, RawItem)>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let line_of = |p: Option<&csv::Position>| p.map_or(1, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
    let header = match records.next() {
        None => return Ok(Vec::new()),
        Some(Err(e)) => return Err(vec![RowError::new(line_of(e.position()), "", e.to_string())]),
        Some(Ok(h)) => h,
    };
    let columns: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let mut errors = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, col) in columns.iter().enumerate() {
        if !fields.contains(&col.as_str()) {
            let reason = format!("unknown column '{col}'; the columns are {}", fields.join(", "));
            errors.push(RowError::new(1, col.clone(), reason));
        } else if seen.insert(col, i).is_some() {
            errors.push(RowError::new(1, col.clone(), "this column appears twice"));
        }
    }
    for req in required {
        if !seen.contains_key(req) {
            errors.push(RowError::new(1, *req, format!("the header has no '{req}' column; it is required")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(line_of(e.position()), "", e.to_string()));
                continue;
            }
        };
        let line = line_of(record.position());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue; // a blank row, e.g. ",,,," left by a spreadsheet
        }
        if record.len() != columns.len() {
            let reason = format!(
                "this row has {} cells and the header has {}; check for a missing or extra comma, or quote \
                 text that contains one",
                record.len(),
                columns.len()
            );
            errors.push(RowError::new(line, "", reason));
            continue;
        }
        let mut raw = RawItem::default();
        for (col, cell) in columns.iter().zip(record.iter()) {
            let cell = unescape(cell).to_string();
            if col == "labels" {
                raw.labels = Some(LabelsIn::Text(cell));
            } else {
                raw.values.insert(col.clone(), cell);
            }
        }
        rows.push((line, raw));
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// A header and rows as CSV text, every cell escaped against formula injection (see the module
/// docs); for any table Switchyard exports, not only the fleet.
pub fn csv_table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    write(header, rows)
}

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    // Writing into memory cannot fail, and every row has as many cells as the header.
    let bytes = try_write(header, rows).expect("CSV into memory");
    // The cells are UTF-8 strings, so the text is too.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Rows as CSV text without a header, escaped as [`csv_table`] does: for writing a large table
/// in chunks.
pub fn csv_rows(rows: impl Iterator<Item = Vec<String>>) -> String {
    // As in `write`: into memory with rows of any length, this cannot fail.
    let bytes = try_write(&[], rows).unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn try_write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    if !header.is_empty() {
        w.write_record(header)?;
    }
    for row in rows {
        w.write_record(row.iter().map(|c| escape(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// True when `'` must go in front of `cell` (see the module docs).
fn needs_quote_prefix(cell: &str) -> bool {
    let mut chars = cell.chars();
    match chars.next() {
        Some(c) if FORMULA_START.contains(&c) => true,
        Some('\'') => chars.next().is_some_and(|c| c == '\'' || FORMULA_START.contains(&c)),
        _ => false,
    }
}

fn escape(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_quote_prefix(cell) { format!("'{cell}").into() } else { cell.into() }
}

fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote_prefix(rest) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}
