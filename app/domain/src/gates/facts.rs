//! The facts about a cluster that gates read, with their defaults and validation.
//!
//! Field names are the API, CSV and YAML names of issue 4. Everything but `tier` has a default, so
//! `{"tier": "cell"}` is a complete set of facts.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::Kernel;
use crate::versions::CniVersion;
use crate::{Context, Tier, ValidationError};

/// Underlay MTU assumed when none is given (plain Ethernet).
pub const DEFAULT_UNDERLAY_MTU: u32 = 1500;

/// Pods per node assumed when none is given (the kubelet's default).
pub const DEFAULT_MAX_PODS_PER_NODE: u32 = 110;

/// Most nodes a cluster may have (Kubernetes is tested to 5,000; this leaves room and still
/// catches typos such as 3,000,000,000).
pub const MAX_NODES: u32 = 100_000;

/// Most CPU cores per node.
pub const MAX_CORES_PER_NODE: u32 = 4_096;

/// Most pods per node.
pub const MAX_PODS_PER_NODE: u32 = 10_000;

/// Longest distribution name, in characters.
pub const MAX_DISTRIBUTION_CHARS: usize = 200;

/// Whether the cluster's underlay runs BGP, and who owns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BgpFabric {
    /// No BGP fabric: pod traffic is tunnelled or stays on one L2 segment.
    #[default]
    None,
    /// A fabric the plant network team owns (brownfield); peering needs their agreement.
    NetworkTeam,
    /// A fabric the platform team owns.
    PlatformTeam,
}

impl BgpFabric {
    /// All values.
    pub const ALL: [BgpFabric; 3] = [BgpFabric::None, BgpFabric::NetworkTeam, BgpFabric::PlatformTeam];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            BgpFabric::None => "none",
            BgpFabric::NetworkTeam => "network_team",
            BgpFabric::PlatformTeam => "platform_team",
        }
    }

    /// True when there is a BGP fabric to peer with.
    pub fn is_present(self) -> bool {
        self != BgpFabric::None
    }
}

impl fmt::Display for BgpFabric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BgpFabric {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BgpFabric::ALL.into_iter().find(|b| b.as_str() == s).ok_or_else(|| {
            ValidationError::field(
                "bgp_fabric",
                format!("unknown BGP fabric '{s}'; use none, network_team or platform_team"),
            )
        })
    }
}

/// What the gates know about a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterFacts {
    /// Cell, plant, regional or cloud.
    pub tier: Tier,
    /// Greenfield or brownfield, when known.
    #[serde(default)]
    pub context: Option<Context>,
    /// Kubernetes distribution: K3s, MicroK8s, RKE2, EKS, …
    #[serde(default)]
    pub distribution: String,
    /// Number of nodes (default 1).
    #[serde(default = "one")]
    pub nodes: u32,
    /// CPU cores per node.
    #[serde(default)]
    pub cores_per_node: Option<u32>,
    /// Memory per node in GiB.
    #[serde(default)]
    pub memory_gib_per_node: Option<f64>,
    /// Kernel as the nodes report it (`uname -r`), e.g. `5.15.0-113-generic`.
    #[serde(default)]
    pub kernel: Option<String>,
    /// BGP fabric present and who owns it.
    #[serde(default)]
    pub bgp_fabric: BgpFabric,
    /// Some nodes hold a WAN uplink (so the seed wants WireGuard on them).
    #[serde(default)]
    pub wan_uplink: bool,
    /// Underlay MTU in bytes; 1500 when absent.
    #[serde(default)]
    pub underlay_mtu: Option<u32>,
    /// Return traffic takes the same path as forward traffic (default true).
    #[serde(default = "yes")]
    pub underlay_symmetric: bool,
    /// Pod CIDR, e.g. `10.42.0.0/16`; dual-stack as `10.42.0.0/16,fd00:10:42::/56`.
    #[serde(default)]
    pub pod_cidr: Option<String>,
    /// Maximum pods per node; 110 when absent.
    #[serde(default)]
    pub max_pods_per_node: Option<u32>,
    /// The CNI release the cluster is pinned to (`1.16.5`), for its decided CNI; never
    /// auto-upgraded. Whether the catalog knows it is the service's check.
    #[serde(default)]
    pub pinned_version: Option<CniVersion>,
    /// A non-production plant cluster that takes every CNI upgrade first (wave 0).
    #[serde(default)]
    pub pilot: bool,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

impl ClusterFacts {
    /// Facts with every default: one node, no BGP, no WAN uplink, symmetric 1500-byte underlay.
    pub fn new(tier: Tier) -> Self {
        Self {
            tier,
            context: None,
            distribution: String::new(),
            nodes: 1,
            cores_per_node: None,
            memory_gib_per_node: None,
            kernel: None,
            bgp_fabric: BgpFabric::None,
            wan_uplink: false,
            underlay_mtu: None,
            underlay_symmetric: true,
            pod_cidr: None,
            max_pods_per_node: None,
            pinned_version: None,
            pilot: false,
        }
    }

    /// The underlay MTU, 1500 when not given.
    pub fn underlay_mtu_or_default(&self) -> u32 {
        self.underlay_mtu.unwrap_or(DEFAULT_UNDERLAY_MTU)
    }

    /// Max pods per node, 110 when not given.
    pub fn max_pods_or_default(&self) -> u32 {
        self.max_pods_per_node.unwrap_or(DEFAULT_MAX_PODS_PER_NODE)
    }

    /// The parsed kernel, when one is given.
    pub fn parsed_kernel(&self) -> Option<Result<Kernel, ValidationError>> {
        self.kernel.as_deref().map(Kernel::parse)
    }

    /// The parsed pod CIDRs (one or two, comma-separated), when given.
    pub fn pod_networks(&self) -> Option<Result<Vec<IpNet>, ValidationError>> {
        self.pod_cidr.as_deref().map(parse_pod_cidr)
    }

    /// Checks every field; each problem is reported under its field name.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.checked().map(|_| ())
    }

    /// Validates and returns the parsed kernel and pod networks.
    pub(crate) fn checked(&self) -> Result<(Option<Kernel>, Vec<IpNet>), ValidationError> {
        let mut err = ValidationError::default();
        if let Err(m) = crate::fleet::check_text(&self.distribution, MAX_DISTRIBUTION_CHARS) {
            err.add("distribution", m);
        }
        if self.nodes == 0 {
            err.add("nodes", "a cluster has at least one node");
        } else if self.nodes > MAX_NODES {
            err.add(
                "nodes",
                format!("{} nodes is more than any cluster has; Switchyard takes up to {MAX_NODES}", self.nodes),
            );
        }
        if self.cores_per_node == Some(0) {
            err.add("cores_per_node", "cores per node must be at least 1; leave it out when unknown");
        } else if self.cores_per_node.is_some_and(|c| c > MAX_CORES_PER_NODE) {
            err.add("cores_per_node", format!("cores per node must be at most {MAX_CORES_PER_NODE}"));
        }
        if let Some(m) = self.memory_gib_per_node
            && !(m.is_finite() && m > 0.0)
        {
            err.add("memory_gib_per_node", "memory per node must be a positive number of GiB, e.g. 8");
        }
        if let Some(mtu) = self.underlay_mtu
            && !(576..=65_535).contains(&mtu)
        {
            err.add(
                "underlay_mtu",
                format!(
                    "an underlay MTU of {mtu} bytes is not possible; Ethernet is 1500, jumbo \
                     frames 9000 (use 576–65535)"
                ),
            );
        }
        if self.max_pods_per_node == Some(0) {
            err.add("max_pods_per_node", "max pods per node must be at least 1 (the kubelet's default is 110)");
        } else if self.max_pods_per_node.is_some_and(|p| p > MAX_PODS_PER_NODE) {
            err.add("max_pods_per_node", format!("max pods per node must be at most {MAX_PODS_PER_NODE}"));
        }
        if self.pilot && self.tier != Tier::Plant {
            err.add(
                "pilot",
                format!(
                    "only a plant cluster pilots upgrades (a non-production one, first in every wave plan); \
                     this one is a {} cluster",
                    self.tier
                ),
            );
        }
        let kernel = match self.parsed_kernel() {
            Some(Ok(k)) => Some(k),
            Some(Err(e)) => {
                merge(&mut err, e);
                None
            }
            None => None,
        };
        let nets = match self.pod_networks() {
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                merge(&mut err, e);
                Vec::new()
            }
            None => Vec::new(),
        };
        err.into_result((kernel, nets))
    }
}

fn merge(into: &mut ValidationError, from: ValidationError) {
    for (field, message) in from.fields {
        into.add(field, message);
    }
}

/// Reads `10.42.0.0/16` or a dual-stack pair `10.42.0.0/16,fd00:10:42::/56`.
fn parse_pod_cidr(text: &str) -> Result<Vec<IpNet>, ValidationError> {
    let example = "write it as address/prefix, e.g. 10.42.0.0/16, or 10.42.0.0/16,fd00:10:42::/56 \
                   for dual-stack";
    let mut nets: Vec<IpNet> = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(ValidationError::field(
                "pod_cidr",
                format!("the pod CIDR '{text}' has an empty entry; {example}"),
            ));
        }
        let net: IpNet = part
            .parse()
            .map_err(|_| ValidationError::field("pod_cidr", format!("'{part}' is not a CIDR; {example}")))?;
        let same_family = nets.iter().any(|n| matches!(n, IpNet::V4(_)) == matches!(net, IpNet::V4(_)));
        if same_family {
            return Err(ValidationError::field(
                "pod_cidr",
                format!("'{text}' has two CIDRs of one IP family; give one IPv4 and at most one IPv6"),
            ));
        }
        nets.push(net);
    }
    Ok(nets)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn minimal_json_facts_take_every_default() {
        let f: ClusterFacts = serde_json::from_str(r#"{"tier": "cell"}"#).unwrap();
        assert_eq!(f, ClusterFacts::new(Tier::Cell));
        assert_eq!(f.underlay_mtu_or_default(), 1500);
        assert_eq!(f.max_pods_or_default(), 110);
        assert!(f.underlay_symmetric);
        f.validate().unwrap();
    }

    #[test]
    fn facts_use_the_issue_field_names() {
        let f: ClusterFacts = serde_json::from_str(
            r#"{"tier": "plant", "context": "brownfield", "distribution": "RKE2", "nodes": 12,
                "cores_per_node": 16, "memory_gib_per_node": 64, "kernel": "5.15.0-113-generic",
                "bgp_fabric": "network_team", "wan_uplink": true, "underlay_mtu": 9000,
                "underlay_symmetric": false, "pod_cidr": "10.42.0.0/16", "max_pods_per_node": 250}"#,
        )
        .unwrap();
        assert_eq!(f.bgp_fabric, BgpFabric::NetworkTeam);
        assert_eq!(f.memory_gib_per_node, Some(64.0));
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["bgp_fabric"], "network_team");
        assert_eq!(serde_json::from_value::<ClusterFacts>(json).unwrap(), f);
    }

    #[test]
    fn bgp_fabric_names_parse_and_unknown_ones_name_the_field() {
        assert_eq!("platform_team".parse::<BgpFabric>().unwrap(), BgpFabric::PlatformTeam);
        assert_eq!(BgpFabric::None.to_string(), "none");
        let err = "yes".parse::<BgpFabric>().unwrap_err();
        assert!(err.fields.contains_key("bgp_fabric"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let f = ClusterFacts {
            nodes: 0,
            cores_per_node: Some(0),
            memory_gib_per_node: Some(f64::NAN),
            kernel: Some("latest".into()),
            underlay_mtu: Some(100),
            pod_cidr: Some("10.42.0.0".into()),
            max_pods_per_node: Some(0),
            ..ClusterFacts::new(Tier::Cell)
        };
        let err = f.validate().unwrap_err();
        let fields: Vec<&str> = err.fields.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "cores_per_node",
                "kernel",
                "max_pods_per_node",
                "memory_gib_per_node",
                "nodes",
                "pod_cidr",
                "underlay_mtu"
            ]
        );
    }

    #[test]
    fn pod_cidrs_may_be_dual_stack_but_not_two_of_a_family() {
        let nets = parse_pod_cidr("10.42.0.0/16, fd00:10:42::/56").unwrap();
        assert_eq!(nets.len(), 2);
        for bad in ["10.0.0.0/16,10.1.0.0/16", "10.0.0.0/33", "fd00::/129", "", "10.0.0.0/8,"] {
            let err = parse_pod_cidr(bad).unwrap_err();
            assert!(err.fields.contains_key("pod_cidr"), "{bad}");
        }
    }
}
