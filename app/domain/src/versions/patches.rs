//! Every patch release with its date, read from endoflife.date's release-data shape:
//! `{"releases": {}, "versions": {"1.20.1": {"name": "1.20.1", "date": "2026-08-18"}, …}}`.
//!
//! Pre-releases (`-rc.1`, `-pre.3`, `-snapshot.0`, any `-` suffix) are not releases a cluster may
//! be pinned to: they are skipped and counted, so an import can say how many it left out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CniVersion;
use crate::ValidationError;

/// The bundled Cilium release data (endoflife-date/release-data `releases/cilium.json`).
pub const CILIUM_RELEASE_DATA_JSON: &str = include_str!("../../data/eol-release-data-cilium.json");

/// The bundled Calico release data (endoflife-date/release-data `releases/calico.json`).
pub const CALICO_RELEASE_DATA_JSON: &str = include_str!("../../data/eol-release-data-calico.json");

/// One patch release and the day it came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Patch {
    /// The release, always with its patch level.
    pub version: CniVersion,
    /// Release day.
    pub date: NaiveDate,
}

/// What a release-data file held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatchData {
    /// Releases, oldest version first.
    pub patches: Vec<Patch>,
    /// How many pre-releases were left out.
    pub skipped_prereleases: usize,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawReleaseData {
    versions: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawVersion {
    name: String,
    date: String,
}

/// True for `1.19.0-rc.1`, `1.20.0-pre.3`, `1.19.0-snapshot.0` and any other `-` suffix.
fn is_prerelease(name: &str) -> bool {
    name.contains('-')
}

/// Reads one release-data file; problems are reported under `at` (`cilium.versions["1.2.3"].date`).
pub fn parse_release_data(json: &str, at: &str) -> Result<PatchData, ValidationError> {
    let raw: RawReleaseData = serde_json::from_str(json).map_err(|e| ValidationError::field(at, e.to_string()))?;
    let mut err = ValidationError::default();
    let mut patches = Vec::new();
    let mut skipped_prereleases = 0;
    for (key, value) in raw.versions {
        let path = format!("{at}.versions[\"{key}\"]");
        let entry: RawVersion = match serde_json::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                err.add(path, e.to_string());
                continue;
            }
        };
        if is_prerelease(&entry.name) {
            skipped_prereleases += 1;
            continue;
        }
        match read_patch(&entry) {
            Ok(patch) => patches.push(patch),
            Err((field, message)) => err.add(format!("{path}.{field}"), message),
        }
    }
    patches.sort();
    patches.dedup_by_key(|p| p.version);
    err.into_result(PatchData { patches, skipped_prereleases })
}

/// One entry's version and date, or the failing field and why.
fn read_patch(entry: &RawVersion) -> Result<Patch, (&'static str, String)> {
    let version = CniVersion::parse(&entry.name).map_err(|e| ("name", e.to_string()))?;
    if version.is_minor_only() {
        return Err(("name", format!("'{}' names a minor line, not a patch release such as 1.16.5", entry.name)));
    }
    let date = entry
        .date
        .parse::<NaiveDate>()
        .map_err(|_| ("date", format!("'{}' is not a date such as 2026-08-18", entry.date)))?;
    Ok(Patch { version, date })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_bundled_cilium_and_calico_files_parse() {
        let cilium = parse_release_data(CILIUM_RELEASE_DATA_JSON, "cilium").unwrap();
        assert_eq!(cilium.patches.len(), 305);
        assert_eq!(cilium.skipped_prereleases, 0);
        assert_eq!(cilium.patches.last().unwrap().version, CniVersion::new(1, 20, 1));
        assert_eq!(cilium.patches[0].version, CniVersion::new(1, 0, 0));
        let calico = parse_release_data(CALICO_RELEASE_DATA_JSON, "calico").unwrap();
        assert_eq!(calico.patches.len(), 233);
        let v = calico.patches.iter().find(|p| p.version == CniVersion::new(3, 32, 1)).unwrap();
        assert_eq!(v.date, "2026-06-24".parse::<NaiveDate>().unwrap());
    }

    #[test]
    fn pre_releases_are_skipped_and_counted() {
        let json = r#"{"releases":{},"versions":{
            "1.19.0-rc.1":{"name":"1.19.0-rc.1","date":"2026-01-10"},
            "1.20.0-pre.3":{"name":"1.20.0-pre.3","date":"2026-05-01"},
            "1.19.0-snapshot.0":{"name":"1.19.0-snapshot.0","date":"2025-12-01"},
            "v1.19.0":{"name":"v1.19.0","date":"2026-02-03"}}}"#;
        let data = parse_release_data(json, "cilium").unwrap();
        assert_eq!(data.skipped_prereleases, 3);
        assert_eq!(
            data.patches,
            vec![Patch { version: CniVersion::new(1, 19, 0), date: "2026-02-03".parse().unwrap() }]
        );
    }

    #[test]
    fn a_bad_file_is_refused_with_field_paths_not_a_panic() {
        let json = r#"{"releases":{},"versions":{
            "1.x":{"name":"1.x","date":"2026-01-10"},
            "1.18.2":{"name":"1.18.2","date":"18/08/2026"},
            "1.18":{"name":"1.18","date":"2026-01-10"},
            "1.18.3":{"date":"2026-01-10"}}}"#;
        let err = parse_release_data(json, "cilium").unwrap_err();
        assert!(err.fields["cilium.versions[\"1.x\"].name"].contains("such as 1.16.5"), "{err}");
        assert!(err.fields["cilium.versions[\"1.18.2\"].date"].contains("not a date"), "{err}");
        assert!(err.fields["cilium.versions[\"1.18\"].name"].contains("minor line"), "{err}");
        assert!(err.fields.contains_key("cilium.versions[\"1.18.3\"]"), "{err}");
        for broken in ["", "[]", "{\"releases\":{}}", "{\"versions\":[1]}"] {
            let err = parse_release_data(broken, "calico").unwrap_err();
            assert!(err.fields.contains_key("calico"), "{broken}: {err}");
        }
    }
}
