//! The release catalog: Cilium and Calico minor releases (GA, end of life, latest patch, minimum
//! kernel), the minimum kernel of individual CNI features, encapsulation overheads, agent memory
//! footprints, and each candidate's capabilities ([`CandidateCapabilities`]).
//!
//! The bundled copies come from `../shared/data/` (`cni-release-matrix.json`,
//! `kernel-features.json`, byte-identical) and `data/capabilities.json`, compiled into the binary.
//! [`Catalog::from_json`] and [`Catalog::from_data`] build a catalog from other files (tests, and
//! later an admin import into PostgreSQL), and the typed catalog (de)serialises.
//!
//! **Calico on RHEL 8.** Calico's documentation (3.29 and later) asks for "Linux kernel 5.10 or
//! later" and in the same list names "RHEL 8 or later" as known to work, so the catalog gives the
//! general minimum of a candidate whose capabilities say `release_minimum_accepts_any_rhel8`
//! (Calico) an "or any RHEL 8 kernel" clause when its text names none. Its eBPF dataplane keeps
//! the stricter RHEL clause from the data ("RHEL 8.4: 4.18.0-305").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;
use crate::gates::{
    CAPABILITIES_JSON, CandidateCapabilities, Kernel, KernelRequirement, KernelSource, parse_capabilities,
};

/// The bundled release matrix.
pub const RELEASE_MATRIX_JSON: &str = include_str!("../data/cni-release-matrix.json");

/// The bundled kernel-feature, MTU-overhead and footprint facts.
pub const KERNEL_FEATURES_JSON: &str = include_str!("../data/kernel-features.json");

/// A minor release line, `1.18` or `3.32`, ordered numerically (1.9 < 1.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cycle {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Cycle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a release cycle such as 1.18");
        let (major, minor) = s.trim().split_once('.').ok_or_else(bad)?;
        Ok(Self { major: major.parse().map_err(|_| bad())?, minor: minor.parse().map_err(|_| bad())? })
    }
}

impl TryFrom<String> for Cycle {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Cycle> for String {
    fn from(c: Cycle) -> Self {
        c.to_string()
    }
}

/// One minor release of a CNI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Release {
    /// Product key, `cilium` or `calico` (the candidate key).
    pub product: String,
    /// Minor release line.
    pub cycle: Cycle,
    /// First release of the line.
    pub ga_date: NaiveDate,
    /// End of upstream support; `None` while supported with no announced end.
    pub eol_date: Option<NaiveDate>,
    /// Newest patch release, e.g. `1.18.13`.
    pub latest_patch: String,
    /// When the newest patch came out.
    pub latest_patch_date: Option<NaiveDate>,
    /// Minimum kernel to run the release at all (Calico: the general requirement).
    pub min_kernel: KernelRequirement,
    /// Minimum kernel for the eBPF dataplane where it is optional (Calico).
    pub min_kernel_ebpf: Option<KernelRequirement>,
}

impl Release {
    /// Supported on `today`: no end of life yet, or one still ahead.
    pub fn is_supported_on(&self, today: NaiveDate) -> bool {
        self.eol_date.is_none_or(|eol| eol > today)
    }
}

/// The minimum kernel of one CNI feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KernelFeature {
    /// CNI key (`cilium`, `calico`, `tetragon`).
    pub cni: String,
    /// Feature name as in the data file, e.g. `WireGuard encryption`.
    pub feature: String,
    /// Minimum kernel (RHEL clauses from the note included).
    pub min_kernel: KernelRequirement,
    /// Caveats from the data file.
    pub note: Option<String>,
}

/// Bytes each encapsulation or encryption adds to a packet (`mtu_overhead_bytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MtuOverheads {
    /// IP-in-IP (Calico's default on IPv4 pools).
    pub ipip: u32,
    /// VXLAN over an IPv4 underlay (Cilium's default tunnel).
    pub vxlan_ipv4: u32,
    /// VXLAN over an IPv6 underlay (Calico IPv6 pools).
    pub vxlan_ipv6: u32,
    /// Geneve over IPv4.
    pub geneve_ipv4: u32,
    /// Calico WireGuard, IPv4.
    pub wireguard_calico_ipv4: u32,
    /// Calico WireGuard, IPv6.
    pub wireguard_calico_ipv6: u32,
    /// Cilium WireGuard.
    pub wireguard_cilium: u32,
    /// Cilium IPsec.
    pub ipsec_cilium: u32,
}

/// Rough per-node memory of a CNI agent, for footprint warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentFootprint {
    /// Key in the data file, e.g. `cilium_agent`, `calico_node_iptables`.
    pub agent: String,
    /// Candidate it belongs to (the key up to the first `_`).
    pub candidate: String,
    /// Low end of the range, MiB.
    pub min_mib: u32,
    /// High end of the range, MiB.
    pub max_mib: u32,
}

impl AgentFootprint {
    /// "300–600 MiB".
    pub fn range(&self) -> String {
        format!("{}–{} MiB", self.min_mib, self.max_mib)
    }
}

/// Everything the gates need to know about releases and kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalog {
    /// Releases sorted by product, then cycle.
    pub releases: Vec<Release>,
    /// Feature minimums in file order.
    pub features: Vec<KernelFeature>,
    /// Encapsulation overheads as published. The MTU gate reads each candidate's overheads from
    /// its capabilities (which a test keeps equal to these), so a new tunnel needs no new field.
    pub mtu_overhead_bytes: MtuOverheads,
    /// Agent memory ranges.
    pub agent_memory: Vec<AgentFootprint>,
    /// What each candidate can do, in file order; every candidate here is gated. Catalogs
    /// serialised before capabilities existed read back with the bundled ones.
    #[serde(default = "crate::gates::bundled_capabilities")]
    pub capabilities: Vec<CandidateCapabilities>,
}

/// The bundled catalog.
pub fn catalog() -> Result<Catalog, ValidationError> {
    Catalog::from_data(RELEASE_MATRIX_JSON, KERNEL_FEATURES_JSON, CAPABILITIES_JSON)
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawMatrix {
    rows: Vec<RawRelease>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawRelease {
    product: String,
    cycle: String,
    ga_date: NaiveDate,
    eol_date: Option<NaiveDate>,
    latest_patch: String,
    latest_patch_date: Option<NaiveDate>,
    min_kernel: Option<String>,
    min_kernel_general: Option<String>,
    min_kernel_ebpf_dataplane: Option<String>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawFeatures {
    features: Vec<RawFeature>,
    mtu_overhead_bytes: MtuOverheads,
    node_memory_footprint_mib: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawFeature {
    cni: String,
    feature: String,
    min_kernel: String,
    note: Option<String>,
}

impl Catalog {
    /// Reads the two data files with the bundled capabilities; problems are reported per field
    /// path (`release_matrix.rows[3].min_kernel`).
    pub fn from_json(release_matrix: &str, kernel_features: &str) -> Result<Self, ValidationError> {
        Self::from_data(release_matrix, kernel_features, CAPABILITIES_JSON)
    }

    /// Reads the two data files and capability data (`capabilities.json`); problems are reported
    /// per field path, including capabilities naming a feature or agent the catalog lacks.
    pub fn from_data(release_matrix: &str, kernel_features: &str, capabilities: &str) -> Result<Self, ValidationError> {
        let capabilities = parse_capabilities(capabilities)?;
        let any_rhel8 =
            |product: &str| capabilities.iter().any(|c| c.key == product && c.release_minimum_accepts_any_rhel8);
        let matrix: RawMatrix = serde_json::from_str(release_matrix)
            .map_err(|e| ValidationError::field("release_matrix", e.to_string()))?;
        let features: RawFeatures = serde_json::from_str(kernel_features)
            .map_err(|e| ValidationError::field("kernel_features", e.to_string()))?;
        let mut err = ValidationError::default();

        let mut releases = Vec::new();
        for (n, row) in matrix.rows.into_iter().enumerate() {
            let at = |f: &str| format!("release_matrix.rows[{n}].{f}");
            let cycle = row.cycle.parse::<Cycle>().map_err(|e| err.add(at("cycle"), e));
            let general = row.min_kernel.as_deref().or(row.min_kernel_general.as_deref());
            let min_kernel = match general {
                None => {
                    err.add(at("min_kernel"), "no minimum kernel given");
                    None
                }
                Some(text) => match KernelRequirement::parse_lenient(text, None) {
                    Ok(r) if any_rhel8(&row.product) => Some(r.or_any_rhel8()),
                    Ok(r) => Some(r),
                    Err(e) => {
                        err.add(at("min_kernel"), e);
                        None
                    }
                },
            };
            let min_kernel_ebpf = match row.min_kernel_ebpf_dataplane.as_deref() {
                None => None,
                Some(text) => KernelRequirement::parse_lenient(text, None)
                    .map_err(|e| err.add(at("min_kernel_ebpf_dataplane"), e))
                    .ok(),
            };
            if let (Ok(cycle), Some(min_kernel)) = (cycle, min_kernel) {
                releases.push(Release {
                    product: row.product,
                    cycle,
                    ga_date: row.ga_date,
                    eol_date: row.eol_date,
                    latest_patch: row.latest_patch,
                    latest_patch_date: row.latest_patch_date,
                    min_kernel,
                    min_kernel_ebpf,
                });
            }
        }
        releases.sort_by(|a, b| (&a.product, a.cycle).cmp(&(&b.product, b.cycle)));

        let mut feats = Vec::new();
        for (n, f) in features.features.into_iter().enumerate() {
            match KernelRequirement::parse_lenient(&f.min_kernel, f.note.as_deref()) {
                Ok(min_kernel) => {
                    feats.push(KernelFeature { cni: f.cni, feature: f.feature, min_kernel, note: f.note })
                }
                Err(e) => err.add(format!("kernel_features.features[{n}].min_kernel"), e),
            }
        }

        let mut agent_memory = Vec::new();
        for (agent, value) in features.node_memory_footprint_mib {
            let Some(range) = value.as_array() else {
                continue; // the "about" text
            };
            let mib: Vec<Option<u32>> = range.iter().map(|v| v.as_u64().and_then(|m| u32::try_from(m).ok())).collect();
            match mib.as_slice() {
                [Some(lo), Some(hi)] if lo <= hi => agent_memory.push(AgentFootprint {
                    candidate: agent.split('_').next().unwrap_or_default().to_string(),
                    agent,
                    min_mib: *lo,
                    max_mib: *hi,
                }),
                _ => {
                    err.add(format!("kernel_features.node_memory_footprint_mib.{agent}"), "expected [low, high] in MiB")
                }
            }
        }

        for (n, c) in capabilities.iter().enumerate() {
            let at = |f: &str| format!("capabilities.candidates[{n}].{f}");
            for (i, f) in c.kernel_features.iter().enumerate() {
                if let KernelSource::CatalogFeature(name) = &f.kernel
                    && !feats.iter().any(|x| x.cni == c.key && &x.feature == name)
                {
                    err.add(
                        at(&format!("kernel_features[{i}].kernel")),
                        format!("the catalog has no {} feature '{name}'", c.key),
                    );
                }
            }
            if let Some(fp) = &c.footprint
                && !agent_memory.iter().any(|a| a.agent == fp.agent)
            {
                err.add(at("footprint.agent"), format!("the catalog has no memory range for agent '{}'", fp.agent));
            }
        }

        err.into_result(Self {
            releases,
            features: feats,
            mtu_overhead_bytes: features.mtu_overhead_bytes,
            agent_memory,
            capabilities,
        })
    }

    /// A product's releases, oldest first.
    pub fn releases_of<'a, 'p>(&'a self, product: &'p str) -> impl Iterator<Item = &'a Release> + use<'a, 'p> {
        self.releases.iter().filter(move |r| r.product == product)
    }

    /// One release line of a product.
    pub fn release(&self, product: &str, cycle: Cycle) -> Option<&Release> {
        self.releases_of(product).find(|r| r.cycle == cycle)
    }

    /// The newest cycle of `product` that reached GA on or before `today`.
    pub fn current_release(&self, product: &str, today: NaiveDate) -> Option<&Release> {
        self.releases_of(product).filter(|r| r.ga_date <= today).max_by_key(|r| r.cycle)
    }

    /// The newest cycle of `product`, GA on or before `today`, that runs on `kernel`.
    pub fn newest_release_accepting(&self, product: &str, kernel: &Kernel, today: NaiveDate) -> Option<&Release> {
        self.releases_of(product).filter(|r| r.ga_date <= today && r.min_kernel.accepts(kernel)).max_by_key(|r| r.cycle)
    }

    /// A feature minimum by CNI and exact feature name.
    pub fn feature(&self, cni: &str, feature: &str) -> Option<&KernelFeature> {
        self.features.iter().find(|f| f.cni == cni && f.feature == feature)
    }

    /// The memory range of a candidate's agent, if the data has one.
    pub fn footprint(&self, candidate: &str) -> Option<&AgentFootprint> {
        self.agent_memory.iter().find(|a| a.candidate == candidate)
    }

    /// The memory range of an agent by its key in the data (`cilium_agent`).
    pub fn agent(&self, agent: &str) -> Option<&AgentFootprint> {
        self.agent_memory.iter().find(|a| a.agent == agent)
    }

    /// What a candidate can do; `None` for candidates without capability data (not gated).
    pub fn capabilities_of(&self, candidate: &str) -> Option<&CandidateCapabilities> {
        self.capabilities.iter().find(|c| c.key == candidate)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::gates::KernelVersion;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_bundled_catalog_reads_every_row() {
        let c = catalog().unwrap();
        assert_eq!(c.releases_of("cilium").count(), 9);
        assert_eq!(c.releases_of("calico").count(), 13);
        assert_eq!(c.features.len(), 15);
        assert_eq!(c.mtu_overhead_bytes.vxlan_ipv4, 50);
        assert_eq!(c.mtu_overhead_bytes.ipip, 20);
        assert_eq!(c.footprint("cilium").unwrap().range(), "300–600 MiB");
        assert_eq!(c.footprint("calico").unwrap().max_mib, 250);
    }

    #[test]
    fn cycles_order_numerically() {
        let c = catalog().unwrap();
        let cycles: Vec<String> = c.releases_of("cilium").map(|r| r.cycle.to_string()).collect();
        assert_eq!(cycles.first().map(String::as_str), Some("1.12"));
        assert_eq!(cycles.last().map(String::as_str), Some("1.20"));
        assert!("1.9".parse::<Cycle>().unwrap() < "1.10".parse::<Cycle>().unwrap());
    }

    #[test]
    fn the_current_release_on_2026_11_26_is_cilium_1_20_and_calico_3_32() {
        let c = catalog().unwrap();
        let cilium = c.current_release("cilium", today()).unwrap();
        assert_eq!(cilium.cycle.to_string(), "1.20");
        assert_eq!(cilium.latest_patch, "1.20.1");
        assert_eq!(cilium.min_kernel.min, KernelVersion::new(5, 10, 0));
        assert_eq!(cilium.min_kernel.rhel8.unwrap().build, 553);
        let calico = c.current_release("calico", today()).unwrap();
        assert_eq!(calico.cycle.to_string(), "3.32");
        assert_eq!(calico.min_kernel_ebpf.as_ref().unwrap().rhel8.unwrap().build, 305);
    }

    #[test]
    fn the_current_release_is_the_newest_already_ga_on_that_day() {
        let c = catalog().unwrap();
        let before = c.current_release("cilium", date("2026-07-28")).unwrap();
        assert_eq!(before.cycle.to_string(), "1.19");
        let on = c.current_release("cilium", date("2026-07-29")).unwrap();
        assert_eq!(on.cycle.to_string(), "1.20");
        assert!(c.current_release("cilium", date("2020-01-01")).is_none());
        assert!(c.current_release("antrea", today()).is_none());
    }

    #[test]
    fn calico_accepts_rhel_8_for_its_general_minimum_but_not_for_ebpf() {
        let c = catalog().unwrap();
        let calico = c.current_release("calico", today()).unwrap();
        let rhel_8_2 = Kernel::parse("4.18.0-193.el8.x86_64").unwrap();
        assert!(calico.min_kernel.accepts(&rhel_8_2));
        assert!(!calico.min_kernel_ebpf.as_ref().unwrap().accepts(&rhel_8_2));
    }

    #[test]
    fn the_newest_release_for_an_old_kernel_is_found() {
        let c = catalog().unwrap();
        let k = Kernel::parse("5.4.0-150-generic").unwrap();
        let r = c.newest_release_accepting("cilium", &k, today()).unwrap();
        assert_eq!(r.cycle.to_string(), "1.17");
        assert!(!r.is_supported_on(today()));
        let r = c.newest_release_accepting("calico", &k, today()).unwrap();
        assert_eq!(r.cycle.to_string(), "3.28");
    }

    #[test]
    fn feature_notes_add_rhel_clauses() {
        let c = catalog().unwrap();
        let f = c.feature("calico", "eBPF dataplane (Calico >= 3.31)").unwrap();
        assert_eq!(f.min_kernel.rhel8.unwrap().build, 305);
        let wg = c.feature("cilium", "WireGuard encryption").unwrap();
        assert_eq!(wg.min_kernel.min, KernelVersion::new(5, 6, 0));
        assert_eq!(wg.min_kernel.rhel8, None);
    }

    #[test]
    fn the_catalog_round_trips_through_json() {
        let c = catalog().unwrap();
        let json = serde_json::to_string(&c).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back.releases.len(), c.releases.len());
        assert_eq!(back.releases[0].cycle, c.releases[0].cycle);
        assert_eq!(back.features, c.features);
        assert_eq!(back.releases, c.releases);
        assert_eq!(back.capabilities, c.capabilities);
        let rhel_8_0 = Kernel::parse("4.18.0-80.el8.x86_64").unwrap();
        let calico = back.current_release("calico", today()).unwrap();
        assert!(calico.min_kernel.accepts(&rhel_8_0), "Calico's RHEL 8 clause survives");
    }

    #[test]
    fn a_broken_row_is_reported_by_its_path() {
        let matrix = r#"{"rows": [{"product": "cilium", "cycle": "one", "ga_date": "2025-01-01",
            "eol_date": null, "latest_patch": "1.0.0", "latest_patch_date": null,
            "min_kernel": "soon"}]}"#;
        let err = Catalog::from_json(matrix, KERNEL_FEATURES_JSON).unwrap_err();
        assert!(err.fields.contains_key("release_matrix.rows[0].cycle"), "{err}");
        assert!(err.fields.contains_key("release_matrix.rows[0].min_kernel"), "{err}");
        let err = Catalog::from_json("{", KERNEL_FEATURES_JSON).unwrap_err();
        assert!(err.fields.contains_key("release_matrix"), "{err}");
    }

    #[test]
    fn capabilities_naming_a_missing_feature_or_agent_are_reported_by_their_path() {
        let caps = r#"{"candidates": [{"key": "x", "name": "X", "enforces_network_policy": true,
            "kernel_features": [{"code": "kernel_feature_wireguard",
                "kernel": {"catalog_feature": "WireGuard encryption"}, "advice": "a"}],
            "footprint": {"agent": "x_agent"}}]}"#;
        let err = Catalog::from_data(RELEASE_MATRIX_JSON, KERNEL_FEATURES_JSON, caps).unwrap_err();
        assert!(err.fields.contains_key("capabilities.candidates[0].kernel_features[0].kernel"), "{err}");
        assert!(err.fields.contains_key("capabilities.candidates[0].footprint.agent"), "{err}");
    }
}
