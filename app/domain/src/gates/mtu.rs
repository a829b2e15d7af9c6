//! The pod MTU each candidate needs on a cluster's underlay, with its default encapsulation.
//!
//! - **Cilium** tunnels with VXLAN by default (50 bytes). With WireGuard on (here: when the cluster
//!   has a WAN uplink, as the seed scopes encryption to WAN-facing nodes) it encapsulates first and
//!   encrypts the tunnel packet, so the overheads add up: 50 + 80 = 130 bytes
//!   (`pkg/mtu` in Cilium: device MTU − (WireGuard overhead + tunnel overhead)).
//! - **Calico** uses IP-in-IP on IPv4 pools by default (20 bytes; the Installation's default
//!   `encapsulation: IPIP`) and VXLAN on IPv6 pools (70 bytes, IP-in-IP is IPv4-only); with a BGP
//!   fabric it routes natively and adds nothing. WireGuard (60 bytes IPv4, 80 IPv6) replaces the
//!   tunnel on the encrypted path, so Felix takes the *smallest* MTU among what is enabled, i.e.
//!   the largest overhead, not the sum.
//! - Other candidates are not modelled: no plan.
//!
//! All of this is capability data ([`MtuModel`] in `data/capabilities.json`): the tunnels with
//! their overheads and the pod IP family each is the default for, the WireGuard overhead per
//! family, whether the overheads add up or the largest counts, and whether a BGP fabric replaces
//! the tunnel. The IP families come from `pod_cidr` (IPv4 when absent or unreadable; that field's
//! errors are reported by the gates).

use serde::{Deserialize, Serialize};

use super::ClusterFacts;
use super::capabilities::{CandidateCapabilities, MtuModel, PodFamily};
use crate::catalog::Catalog;

/// A tunnel a CNI wraps pod packets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Encapsulation {
    /// IP-in-IP (IPv4 only).
    Ipip,
    /// VXLAN over an IPv4 underlay.
    Vxlan,
    /// VXLAN over an IPv6 underlay.
    VxlanIpv6,
}

impl Encapsulation {
    /// The name engineers use.
    pub fn name(self) -> &'static str {
        match self {
            Encapsulation::Ipip => "IP-in-IP",
            Encapsulation::Vxlan => "VXLAN",
            Encapsulation::VxlanIpv6 => "VXLAN over IPv6",
        }
    }
}

/// How a candidate would carry pod traffic on this cluster, and the pod MTU that results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MtuPlan {
    /// Candidate key.
    pub candidate: String,
    /// Tunnels in use; empty for native routing.
    pub encapsulation: Vec<Encapsulation>,
    /// WireGuard encryption on (the cluster has a WAN uplink).
    pub wireguard: bool,
    /// Overheads add up (Cilium: tunnel inside WireGuard); otherwise the largest one counts
    /// (Calico: WireGuard replaces the tunnel on encrypted paths).
    pub stacked: bool,
    /// Bytes taken from every packet.
    pub overhead: u32,
    /// The underlay MTU it was computed for.
    pub underlay_mtu: u32,
    /// The MTU to configure for pods: underlay minus overhead.
    pub pod_mtu: u32,
}

impl MtuPlan {
    /// "VXLAN + WireGuard", "native routing (no tunnel)", "IP-in-IP, or WireGuard where
    /// encrypted".
    pub fn describe(&self) -> String {
        let tunnels: Vec<&str> = self.encapsulation.iter().map(|e| e.name()).collect();
        let tunnels = tunnels.join(" and ");
        match (tunnels.is_empty(), self.wireguard) {
            (true, false) => "native routing (no tunnel)".to_string(),
            (true, true) => "WireGuard".to_string(),
            (false, false) => tunnels,
            (false, true) if self.stacked => format!("{tunnels} + WireGuard"),
            (false, true) => format!("{tunnels}, or WireGuard where encrypted"),
        }
    }
}

/// The pod MTU plan of `candidate` on this cluster; `None` for candidates not modelled.
pub fn mtu_plan(facts: &ClusterFacts, catalog: &Catalog, candidate: &str) -> Option<MtuPlan> {
    catalog.capabilities_of(candidate).and_then(|caps| plan(facts, caps))
}

/// The pod MTU plan of a candidate from its capabilities; `None` when its MTU is not modelled.
pub(super) fn plan(facts: &ClusterFacts, caps: &CandidateCapabilities) -> Option<MtuPlan> {
    let model: &MtuModel = caps.mtu.as_ref()?;
    let (v4, v6) = families(facts);
    let native = model.native_with_bgp_fabric && facts.bgp_fabric.is_present();
    let tunnels: Vec<_> = model
        .encapsulations
        .iter()
        .filter(|e| {
            !native
                && match e.default_for {
                    Some(PodFamily::Any) => true,
                    Some(PodFamily::Ipv4) => v4,
                    Some(PodFamily::Ipv6) => v6,
                    None => false,
                }
        })
        .collect();
    let wireguard = facts.wan_uplink && model.wireguard.is_some();
    let encrypted: Vec<u32> = match model.wireguard {
        Some(w) if wireguard => [v4.then_some(w.ipv4), v6.then_some(w.ipv6)].into_iter().flatten().collect(),
        _ => Vec::new(),
    };
    let tunnel = tunnels.iter().map(|e| e.overhead).max().unwrap_or(0);
    let encryption = encrypted.iter().copied().max().unwrap_or(0);
    // One tunnel per path either way; WireGuard either wraps it or replaces it.
    let overhead = if model.overheads_add_up { tunnel.saturating_add(encryption) } else { tunnel.max(encryption) };
    let underlay_mtu = facts.underlay_mtu_or_default();
    Some(MtuPlan {
        candidate: caps.key.clone(),
        encapsulation: tunnels.iter().map(|e| e.encapsulation).collect(),
        wireguard,
        stacked: model.overheads_add_up,
        overhead,
        underlay_mtu,
        pod_mtu: underlay_mtu.saturating_sub(overhead),
    })
}

/// The pod MTU to configure for `candidate`; `None` for candidates not modelled.
pub fn pod_mtu(facts: &ClusterFacts, catalog: &Catalog, candidate: &str) -> Option<u32> {
    mtu_plan(facts, catalog, candidate).map(|p| p.pod_mtu)
}

/// Which IP families the pod network has: (IPv4, IPv6). IPv4 when unknown.
fn families(facts: &ClusterFacts) -> (bool, bool) {
    match facts.pod_networks() {
        Some(Ok(nets)) if !nets.is_empty() => {
            let v4 = nets.iter().any(|n| matches!(n, ipnet::IpNet::V4(_)));
            let v6 = nets.iter().any(|n| matches!(n, ipnet::IpNet::V6(_)));
            (v4, v6)
        }
        _ => (true, false),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Tier;
    use crate::catalog::catalog;
    use crate::gates::BgpFabric;

    fn facts(mtu: u32) -> ClusterFacts {
        ClusterFacts { underlay_mtu: Some(mtu), ..ClusterFacts::new(Tier::Plant) }
    }

    #[test]
    fn a_1500_underlay_gives_cilium_1450_and_calico_1480() {
        let c = catalog().unwrap();
        let f = facts(1500);
        assert_eq!(pod_mtu(&f, &c, "cilium"), Some(1450));
        assert_eq!(pod_mtu(&f, &c, "calico"), Some(1480));
        assert_eq!(mtu_plan(&f, &c, "calico").unwrap().describe(), "IP-in-IP");
    }

    #[test]
    fn the_underlay_mtu_defaults_to_1500() {
        let c = catalog().unwrap();
        assert_eq!(pod_mtu(&ClusterFacts::new(Tier::Cell), &c, "cilium"), Some(1450));
    }

    #[test]
    fn a_9000_jumbo_underlay_leaves_jumbo_pod_mtus() {
        let c = catalog().unwrap();
        let f = facts(9000);
        assert_eq!(pod_mtu(&f, &c, "cilium"), Some(8950));
        assert_eq!(pod_mtu(&f, &c, "calico"), Some(8980));
    }

    #[test]
    fn a_1280_underlay_leaves_less_than_the_ipv6_minimum() {
        let c = catalog().unwrap();
        let f = facts(1280);
        assert_eq!(pod_mtu(&f, &c, "cilium"), Some(1230));
        assert_eq!(pod_mtu(&f, &c, "calico"), Some(1260));
    }

    #[test]
    fn wireguard_adds_to_cilium_tunnels_but_replaces_calico_tunnels() {
        let c = catalog().unwrap();
        let f = ClusterFacts { wan_uplink: true, ..facts(1500) };
        let cilium = mtu_plan(&f, &c, "cilium").unwrap();
        assert_eq!((cilium.overhead, cilium.pod_mtu), (130, 1370));
        assert_eq!(cilium.describe(), "VXLAN + WireGuard");
        let calico = mtu_plan(&f, &c, "calico").unwrap();
        assert_eq!(calico.pod_mtu, 1440);
        assert_eq!(calico.describe(), "IP-in-IP, or WireGuard where encrypted");
    }

    #[test]
    fn calico_routes_natively_over_a_bgp_fabric() {
        let c = catalog().unwrap();
        let f = ClusterFacts { bgp_fabric: BgpFabric::NetworkTeam, ..facts(1500) };
        let plan = mtu_plan(&f, &c, "calico").unwrap();
        assert_eq!(plan.pod_mtu, 1500);
        assert_eq!(plan.describe(), "native routing (no tunnel)");
        assert_eq!(pod_mtu(&f, &c, "cilium"), Some(1450));
        let wan = ClusterFacts { wan_uplink: true, ..f };
        assert_eq!(pod_mtu(&wan, &c, "calico"), Some(1440));
    }

    #[test]
    fn calico_ipv6_pools_use_vxlan_over_ipv6() {
        let c = catalog().unwrap();
        let f = ClusterFacts { pod_cidr: Some("10.42.0.0/16,fd00:10:42::/56".to_string()), ..facts(1500) };
        assert_eq!(pod_mtu(&f, &c, "calico"), Some(1430));
        let v6 = ClusterFacts { pod_cidr: Some("fd00:10:42::/56".to_string()), wan_uplink: true, ..facts(1500) };
        let plan = mtu_plan(&v6, &c, "calico").unwrap();
        assert_eq!(plan.encapsulation, vec![Encapsulation::VxlanIpv6]);
        assert_eq!(plan.pod_mtu, 1420);
    }

    #[test]
    fn candidates_without_a_model_have_no_plan() {
        let c = catalog().unwrap();
        assert_eq!(pod_mtu(&facts(1500), &c, "antrea"), None);
    }
}
