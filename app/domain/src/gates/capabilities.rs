//! What each candidate CNI can do, as data (`data/capabilities.json`): the gates read everything
//! that differs between candidates from here, so gating a new candidate needs an entry in that
//! file (and its releases in the release matrix), not code.
//!
//! Kernel numbers are not repeated here: a kernel feature names the catalog row that holds its
//! minimum, so an admin who updates the catalog moves the gates with it. The capabilities travel
//! inside the [`Catalog`](crate::catalog::Catalog) for the same reason: one value holds all the
//! data the gates read.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::Encapsulation;
use super::registry::GATES;
use crate::ValidationError;

/// The bundled capability data.
pub const CAPABILITIES_JSON: &str = include_str!("../../data/capabilities.json");

/// Everything the gates need to know about one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CandidateCapabilities {
    /// Candidate key, as in the model and the release matrix (`cilium`).
    pub key: String,
    /// Display name in messages (`Cilium`).
    pub name: String,
    /// Enforces Kubernetes NetworkPolicy; without it the candidate is knocked out.
    pub enforces_network_policy: bool,
    /// Its releases run on every RHEL 8 kernel, whatever their general minimum says (Calico's
    /// documentation names "RHEL 8 or later" as known to work beside "kernel 5.10 or later").
    #[serde(default)]
    pub release_minimum_accepts_any_rhel8: bool,
    /// Datapath features with a kernel minimum that a gate warns about.
    #[serde(default)]
    pub kernel_features: Vec<KernelFeatureGate>,
    /// The agent whose memory the small-node gate weighs; `None`: no footprint data.
    #[serde(default)]
    pub footprint: Option<Footprint>,
    /// How it carries pod traffic, for the pod MTU; `None`: not modelled, no MTU gate.
    #[serde(default)]
    pub mtu: Option<MtuModel>,
    /// Direct server return; `None`: not modelled.
    #[serde(default)]
    pub dsr: Option<Dsr>,
    /// How its default IPAM spends the pod CIDR; `None`: not modelled, no CIDR gates.
    #[serde(default)]
    pub ipam: Option<Ipam>,
}

impl CandidateCapabilities {
    /// The kernel feature behind gate `code`, if the candidate has one.
    pub fn kernel_feature(&self, code: &str) -> Option<&KernelFeatureGate> {
        self.kernel_features.iter().find(|f| f.code == code)
    }
}

/// One datapath feature whose kernel minimum a gate checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KernelFeatureGate {
    /// The gate code it feeds, one of the `kernel_feature_*` codes in [`codes`](super::codes).
    pub code: String,
    /// Where its minimum kernel is.
    pub kernel: KernelSource,
    /// What to do on an older kernel: the fragment the gate's message ends with.
    pub advice: String,
}

/// Where a feature's minimum kernel comes from: the catalog holds every kernel number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KernelSource {
    /// The catalog's feature row for this candidate with this exact name.
    CatalogFeature(String),
    /// The current release's eBPF-dataplane minimum (`min_kernel_ebpf_dataplane`).
    ReleaseEbpfDataplane,
}

/// The agent the small-node gate weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Footprint {
    /// Key of its memory range in the catalog (`node_memory_footprint_mib`).
    pub agent: String,
    /// The mode that range is for, when named as the lighter alternative (`in iptables mode`).
    #[serde(default)]
    pub mode: Option<String>,
    /// How to run it smaller on small nodes (`run a minimal Cilium (…)`).
    #[serde(default)]
    pub minimal: Option<String>,
}

/// How a candidate carries pod traffic by default, and what that costs per packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MtuModel {
    /// Tunnels it supports, with their overhead; those with `default_for` are used by default.
    pub encapsulations: Vec<EncapsulationOverhead>,
    /// WireGuard overhead per IP family, when WireGuard is modelled.
    #[serde(default)]
    pub wireguard: Option<WireguardOverhead>,
    /// WireGuard wraps the tunnel packet, so the overheads add up (Cilium); otherwise WireGuard
    /// replaces the tunnel on encrypted paths and the largest overhead counts (Calico).
    pub overheads_add_up: bool,
    /// With a BGP fabric it routes pods natively by default and adds no tunnel.
    pub native_with_bgp_fabric: bool,
    /// What else to do about a low MTU when there is a BGP fabric (`run Cilium with native
    /// routing over the BGP fabric`).
    #[serde(default)]
    pub bgp_native_routing_advice: Option<String>,
    /// Where to set the pod MTU; `{mtu}` is replaced by the value.
    pub setting: String,
}

/// One tunnel and its per-packet overhead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EncapsulationOverhead {
    /// The tunnel.
    pub encapsulation: Encapsulation,
    /// Bytes it takes from every packet.
    pub overhead: u32,
    /// The pod IP families it is the default for; `None`: supported but not the default.
    #[serde(default)]
    pub default_for: Option<PodFamily>,
}

/// Which pod networks a default tunnel serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PodFamily {
    /// Every cluster, whatever its pod IP families (one tunnel for all).
    Any,
    /// IPv4 pod networks (pools).
    Ipv4,
    /// IPv6 pod networks (pools).
    Ipv6,
}

/// WireGuard's per-packet overhead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WireguardOverhead {
    /// On IPv4 pod traffic.
    pub ipv4: u32,
    /// On IPv6 pod traffic.
    pub ipv6: u32,
}

/// Direct server return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Dsr {
    /// It can return service replies directly from the backend node.
    pub supported: bool,
    /// Its DSR breaks when replies take another path than requests (an asymmetric underlay).
    pub breaks_on_asymmetric_underlay: bool,
    /// What to do on an asymmetric underlay; required when it breaks there.
    #[serde(default)]
    pub advice: Option<String>,
}

/// How the candidate's default IPAM gives nodes pod addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Ipam {
    /// Prefix length of one IPv4 block.
    pub ipv4_block_prefix: u8,
    /// Prefix length of one IPv6 block.
    pub ipv6_block_prefix: u8,
    /// How many blocks a node takes.
    pub blocks: BlocksPerNode,
    /// The IPAM in words, for messages; `{prefix}`, `{block_addresses}`, `{max_pods}` and
    /// `{blocks}` are filled in.
    pub describe: String,
}

/// How many blocks one node takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BlocksPerNode {
    /// One block, grown to the smallest power of two that holds max pods when it does not.
    OnePerNode,
    /// As many blocks as max pods need (Calico's block affinity).
    EnoughForMaxPods,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawCapabilities {
    candidates: Vec<CandidateCapabilities>,
}

/// Reads capability data. Problems are reported per field path (`capabilities.candidates[1].key`);
/// that the catalog rows it names exist is checked by [`Catalog`](crate::catalog::Catalog).
pub fn parse_capabilities(json: &str) -> Result<Vec<CandidateCapabilities>, ValidationError> {
    let raw: RawCapabilities =
        serde_json::from_str(json).map_err(|e| ValidationError::field("capabilities", e.to_string()))?;
    let mut err = ValidationError::default();
    let mut keys = BTreeSet::new();
    for (n, c) in raw.candidates.iter().enumerate() {
        let at = |f: &str| format!("capabilities.candidates[{n}].{f}");
        if c.key.trim().is_empty() || !keys.insert(c.key.as_str()) {
            err.add(at("key"), format!("candidate key '{}' is empty or given twice", c.key));
        }
        for (i, f) in c.kernel_features.iter().enumerate() {
            let known = f.code.starts_with("kernel_feature_") && GATES.iter().any(|g| g.code == f.code);
            if !known {
                err.add(at(&format!("kernel_features[{i}].code")), format!("'{}' is no kernel feature gate", f.code));
            }
        }
        if let Some(d) = &c.dsr
            && d.breaks_on_asymmetric_underlay
            && d.advice.is_none()
        {
            err.add(at("dsr.advice"), "say what to do when DSR breaks on an asymmetric underlay");
        }
        if let Some(ipam) = &c.ipam {
            if !(1..=32).contains(&ipam.ipv4_block_prefix) {
                err.add(at("ipam.ipv4_block_prefix"), "an IPv4 block prefix is 1–32");
            }
            if !(1..=128).contains(&ipam.ipv6_block_prefix) {
                err.add(at("ipam.ipv6_block_prefix"), "an IPv6 block prefix is 1–128");
            }
        }
    }
    err.into_result(raw.candidates)
}

/// The bundled capability data; empty if it does not parse (its tests make sure it does).
pub(crate) fn bundled_capabilities() -> Vec<CandidateCapabilities> {
    parse_capabilities(CAPABILITIES_JSON).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::CandidateStatus;
    use crate::catalog::catalog;
    use crate::reference::reference;

    #[test]
    fn the_bundled_capabilities_load_in_file_order() {
        let caps = parse_capabilities(CAPABILITIES_JSON).unwrap();
        let keys: Vec<&str> = caps.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["cilium", "calico", "antrea", "flannel"]);
        assert_eq!(catalog().unwrap().capabilities, caps);
    }

    #[test]
    fn every_scored_reference_candidate_has_capability_data() {
        let cat = catalog().unwrap();
        let model = reference().unwrap().model();
        let scored: Vec<&str> =
            model.candidates.iter().filter(|c| c.status == CandidateStatus::Scored).map(|c| c.key.as_str()).collect();
        assert!(!scored.is_empty());
        for key in scored {
            assert!(cat.capabilities_of(key).is_some(), "{key} has no entry in capabilities.json");
        }
    }

    #[test]
    fn every_reference_candidate_has_the_reference_display_name() {
        let cat = catalog().unwrap();
        for c in reference().unwrap().model().candidates {
            if let Some(caps) = cat.capabilities_of(&c.key) {
                assert_eq!(caps.name, c.name, "{}", c.key);
            }
        }
    }

    #[test]
    fn the_capability_overheads_agree_with_the_catalog_table() {
        let cat = catalog().unwrap();
        let o = cat.mtu_overhead_bytes;
        let overhead = |key: &str, e: Encapsulation| {
            let mtu = cat.capabilities_of(key).unwrap().mtu.as_ref().unwrap();
            mtu.encapsulations.iter().find(|x| x.encapsulation == e).unwrap().overhead
        };
        assert_eq!(overhead("cilium", Encapsulation::Vxlan), o.vxlan_ipv4);
        assert_eq!(overhead("calico", Encapsulation::Ipip), o.ipip);
        assert_eq!(overhead("calico", Encapsulation::Vxlan), o.vxlan_ipv4);
        assert_eq!(overhead("calico", Encapsulation::VxlanIpv6), o.vxlan_ipv6);
        let wg = |key: &str| cat.capabilities_of(key).unwrap().mtu.as_ref().unwrap().wireguard.unwrap();
        assert_eq!((wg("cilium").ipv4, wg("cilium").ipv6), (o.wireguard_cilium, o.wireguard_cilium));
        assert_eq!((wg("calico").ipv4, wg("calico").ipv6), (o.wireguard_calico_ipv4, o.wireguard_calico_ipv6));
    }

    #[test]
    fn broken_capability_data_is_reported_by_its_path() {
        let json = r#"{"candidates": [
            {"key": "x", "name": "X", "enforces_network_policy": true,
             "kernel_features": [{"code": "small_nodes", "kernel": "release_ebpf_dataplane", "advice": "a"}],
             "dsr": {"supported": true, "breaks_on_asymmetric_underlay": true},
             "ipam": {"ipv4_block_prefix": 33, "ipv6_block_prefix": 64, "blocks": "one_per_node", "describe": ""}},
            {"key": "x", "name": "X again", "enforces_network_policy": false}
        ]}"#;
        let err = parse_capabilities(json).unwrap_err();
        let fields: Vec<&str> = err.fields.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "capabilities.candidates[0].dsr.advice",
                "capabilities.candidates[0].ipam.ipv4_block_prefix",
                "capabilities.candidates[0].kernel_features[0].code",
                "capabilities.candidates[1].key",
            ]
        );
        let err = parse_capabilities(r#"{"candidates": [{"key": "x", "name": "X", "typo": 1}]}"#).unwrap_err();
        assert!(err.fields.contains_key("capabilities"), "unknown fields are refused: {err}");
    }
}
