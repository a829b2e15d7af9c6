//! Gates: what a cluster's facts and the release catalog rule out or warn about, per candidate,
//! in words a site engineer can act on.
//!
//! Every candidate with capability data (`data/capabilities.json`, [`CandidateCapabilities`]) is
//! gated, with every rule of the registry ([`GATES`], in `gates/registry.rs`); whatever differs
//! between candidates is read from their capabilities. With the bundled data:
//!
//! | code | candidates | capability read | severity | when |
//! |---|---|---|---|---|
//! | `no_network_policy` | flannel | `enforces_network_policy: false` | knock-out | always: Flannel enforces no NetworkPolicy; the message names the candidates that do and have releases in the catalog |
//! | `kernel_below_release_minimum` | cilium, calico | releases in the catalog | knock-out | the kernel is below the minimum of the candidate's current release (newest GA on or before `today`) |
//! | `kernel_feature_wireguard` | cilium, calico | `kernel_features` | warning | `wan_uplink` and the kernel is below WireGuard's 5.6 (the seed scopes WireGuard to WAN-facing nodes, so it is only needed there) |
//! | `kernel_feature_bpf_host_routing` | cilium | `kernel_features` | warning | the kernel is below 5.10, where Cilium falls back to legacy host routing (the seed runs kube-proxy replacement, which uses it) |
//! | `kernel_feature_ebpf_dataplane` | calico | `kernel_features` | warning | the kernel is below the current release's eBPF-dataplane minimum: Calico stays on iptables |
//! | `small_nodes` | the agent with the largest memory range (Cilium) | `footprint` | warning | ≤ 4 cores or ≤ 8 GiB per node |
//! | `pod_mtu_low` | cilium, calico | `mtu` | warning | the pod MTU left by the default encapsulation is below 1400 |
//! | `asymmetric_underlay_dsr` | calico | `dsr` | warning | `underlay_symmetric` is false: eBPF DSR must stay off |
//! | `pod_cidr_exhausted` | cilium, calico, antrea, flannel | `ipam` | warning | the pod CIDR cannot hold the nodes under the candidate's default IPAM |
//! | `pod_cidr_tight` | cilium, calico, antrea, flannel | `ipam` | warning | it holds them, but not twice over |
//!
//! Feature warnings are skipped for a candidate already knocked out on its kernel (the knock-out
//! says what to do), and need a current release. Netkit (6.8), BIG TCP, BBR and Tetragon are
//! opt-in extras and are not gated. Thresholds live in [`GatePolicy`]. The MTU model is in
//! [`mtu_plan`], the IPAM rule in [`cidr_capacity`], the kernel rules (including RHEL 8 backports)
//! in [`Kernel`].

mod capabilities;
mod cidr;
mod facts;
mod kernel;
mod mtu;
mod registry;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub(crate) use capabilities::bundled_capabilities;
pub use capabilities::{
    BlocksPerNode, CAPABILITIES_JSON, CandidateCapabilities, Dsr, EncapsulationOverhead, Footprint, Ipam,
    KernelFeatureGate, KernelSource, MtuModel, PodFamily, WireguardOverhead, parse_capabilities,
};
pub use cidr::{CidrCapacity, cidr_capacity};
pub use facts::{BgpFabric, ClusterFacts, DEFAULT_MAX_PODS_PER_NODE, DEFAULT_UNDERLAY_MTU};
pub use kernel::{Kernel, KernelRequirement, KernelVersion, RHEL8_BUILDS, Rhel8Minimum};
pub use mtu::{Encapsulation, MtuPlan, mtu_plan, pod_mtu};
pub use registry::{GATES, GateInput, GateRule, codes};

use crate::ValidationError;
use crate::catalog::Catalog;

/// How bad a gate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The candidate cannot be recommended for this cluster.
    KnockOut,
    /// The candidate works, with a caveat to act on.
    Warning,
}

/// One reason a candidate is ruled out or needs care on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gate {
    /// Stable code from [`codes`].
    pub code: String,
    /// Candidate key.
    pub candidate: String,
    /// Knock-out or warning.
    pub severity: Severity,
    /// What is wrong and what to do, for a site engineer.
    pub message: String,
}

impl Gate {
    fn new(code: &str, candidate: &str, severity: Severity, message: String) -> Self {
        Self { code: code.to_string(), candidate: candidate.to_string(), severity, message }
    }

    /// True for a knock-out.
    pub fn is_knock_out(&self) -> bool {
        self.severity == Severity::KnockOut
    }
}

/// True when any gate knocks `candidate` out.
pub fn knocked_out(gates: &[Gate], candidate: &str) -> bool {
    gates.iter().any(|g| g.candidate == candidate && g.is_knock_out())
}

/// Thresholds of the gates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatePolicy {
    /// Warn when the pod MTU falls below this (default 1400: below it, bulk transfers such as
    /// camera images suffer and double encapsulation is in play; 1280 is IPv6's floor).
    pub min_pod_mtu: u32,
    /// Nodes with at most this many cores are small (default 4, the seed's cell controller).
    pub small_node_max_cores: u32,
    /// Nodes with at most this much memory are small (default 8 GiB).
    pub small_node_max_memory_gib: f64,
    /// The pod CIDR should hold this many times the current nodes (default 2).
    pub cidr_headroom: u32,
}

impl Default for GatePolicy {
    fn default() -> Self {
        Self { min_pod_mtu: 1400, small_node_max_cores: 4, small_node_max_memory_gib: 8.0, cidr_headroom: 2 }
    }
}

/// The gates of every gated candidate on a cluster, with the default [`GatePolicy`].
pub fn evaluate_gates(facts: &ClusterFacts, catalog: &Catalog, today: NaiveDate) -> Result<Vec<Gate>, ValidationError> {
    evaluate_gates_with(facts, catalog, today, &GatePolicy::default())
}

/// The gates of every candidate with capability data in `catalog`, in its order, knock-outs first
/// within a candidate: every rule of [`GATES`] on every candidate. Invalid facts are an error
/// naming each bad field.
pub fn evaluate_gates_with(
    facts: &ClusterFacts,
    catalog: &Catalog,
    today: NaiveDate,
    policy: &GatePolicy,
) -> Result<Vec<Gate>, ValidationError> {
    let (kernel, pod_networks) = facts.checked()?;
    let input = GateInput { facts, catalog, today, policy, kernel, pod_networks };
    let mut gates = Vec::new();
    for caps in &catalog.capabilities {
        let first = gates.len();
        for rule in GATES {
            for message in (rule.check)(&input, caps) {
                gates.push(Gate::new(rule.code, &caps.key, rule.severity, message));
            }
        }
        // Stable: the registry's order within each severity.
        gates[first..].sort_by_key(|g| g.severity);
    }
    Ok(gates)
}
