//! Gates: what a cluster's facts and the release catalog rule out or warn about, per candidate,
//! in words a site engineer can act on.
//!
//! | code | candidates | severity | when |
//! |---|---|---|---|
//! | `no_network_policy` | flannel | knock-out | always: Flannel enforces no NetworkPolicy |
//! | `kernel_below_release_minimum` | cilium, calico | knock-out | the kernel is below the minimum of the candidate's current release (newest GA on or before `today`) |
//! | `kernel_feature_wireguard` | cilium, calico | warning | `wan_uplink` and the kernel is below WireGuard's 5.6 (the seed scopes WireGuard to WAN-facing nodes, so it is only needed there) |
//! | `kernel_feature_bpf_host_routing` | cilium | warning | the kernel is below 5.10, where Cilium falls back to legacy host routing (the seed runs kube-proxy replacement, which uses it) |
//! | `kernel_feature_ebpf_dataplane` | calico | warning | the kernel is below the current release's eBPF-dataplane minimum: Calico stays on iptables |
//! | `small_nodes` | the agent with the largest memory range (Cilium) | warning | ≤ 4 cores or ≤ 8 GiB per node |
//! | `pod_mtu_low` | cilium, calico | warning | the pod MTU left by the default encapsulation is below 1400 |
//! | `asymmetric_underlay_dsr` | calico | warning | `underlay_symmetric` is false: eBPF DSR must stay off |
//! | `pod_cidr_exhausted` | cilium, calico, antrea, flannel | warning | the pod CIDR cannot hold the nodes under the candidate's default IPAM |
//! | `pod_cidr_tight` | cilium, calico, antrea, flannel | warning | it holds them, but not twice over |
//!
//! Feature warnings are skipped for a candidate already knocked out on its kernel (the knock-out
//! says what to do). Netkit (6.8), BIG TCP, BBR and Tetragon are opt-in extras and are not gated.
//! Thresholds live in [`GatePolicy`]. The MTU model is in [`mtu_plan`], the IPAM rule in
//! [`cidr_capacity`], the kernel rules (including RHEL 8 backports) in [`Kernel`].

mod cidr;
mod facts;
mod kernel;
mod mtu;
mod rules;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use cidr::{CidrCapacity, cidr_capacity};
pub use facts::{BgpFabric, ClusterFacts, DEFAULT_MAX_PODS_PER_NODE, DEFAULT_UNDERLAY_MTU};
pub use kernel::{Kernel, KernelRequirement, KernelVersion, RHEL8_BUILDS, Rhel8Minimum};
pub use mtu::{Encapsulation, MtuPlan, mtu_plan, pod_mtu};

use crate::ValidationError;
use crate::catalog::Catalog;
use rules::{cidr_gate, kernel_gates, mtu_gate, small_node_gate};

/// The candidates the gates know; others get no gates.
pub const GATED_CANDIDATES: [&str; 4] = ["cilium", "calico", "antrea", "flannel"];

/// Stable gate codes (API names).
pub mod codes {
    /// Flannel: no NetworkPolicy.
    pub const NO_NETWORK_POLICY: &str = "no_network_policy";
    /// Kernel below the current release's minimum.
    pub const KERNEL_BELOW_RELEASE_MINIMUM: &str = "kernel_below_release_minimum";
    /// Kernel below WireGuard's minimum on a cluster with a WAN uplink.
    pub const KERNEL_FEATURE_WIREGUARD: &str = "kernel_feature_wireguard";
    /// Kernel below Cilium's BPF host routing minimum.
    pub const KERNEL_FEATURE_BPF_HOST_ROUTING: &str = "kernel_feature_bpf_host_routing";
    /// Kernel below Calico's eBPF dataplane minimum.
    pub const KERNEL_FEATURE_EBPF_DATAPLANE: &str = "kernel_feature_ebpf_dataplane";
    /// Small nodes for the heavier agent.
    pub const SMALL_NODES: &str = "small_nodes";
    /// Pod MTU below the policy's minimum.
    pub const POD_MTU_LOW: &str = "pod_mtu_low";
    /// Asymmetric underlay: no Calico eBPF DSR.
    pub const ASYMMETRIC_UNDERLAY_DSR: &str = "asymmetric_underlay_dsr";
    /// The pod CIDR cannot hold the nodes.
    pub const POD_CIDR_EXHAUSTED: &str = "pod_cidr_exhausted";
    /// The pod CIDR holds the nodes without the policy's headroom.
    pub const POD_CIDR_TIGHT: &str = "pod_cidr_tight";
}

/// How bad a gate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The candidate cannot be recommended for this cluster.
    KnockOut,
    /// The candidate works, with a caveat to act on.
    Warning,
}

/// One reason a candidate is ruled out or needs care on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// The gates of every known candidate on a cluster, with the default [`GatePolicy`].
pub fn evaluate_gates(facts: &ClusterFacts, catalog: &Catalog, today: NaiveDate) -> Result<Vec<Gate>, ValidationError> {
    evaluate_gates_with(facts, catalog, today, &GatePolicy::default())
}

/// The gates of every known candidate, knock-outs first within a candidate. Invalid facts are an
/// error naming each bad field.
pub fn evaluate_gates_with(
    facts: &ClusterFacts,
    catalog: &Catalog,
    today: NaiveDate,
    policy: &GatePolicy,
) -> Result<Vec<Gate>, ValidationError> {
    let (kernel, nets) = facts.checked()?;
    let mut gates = Vec::new();
    for cand in GATED_CANDIDATES {
        if cand == "flannel" {
            gates.push(Gate::new(
                codes::NO_NETWORK_POLICY,
                cand,
                Severity::KnockOut,
                "Flannel enforces no NetworkPolicy: pods could not be isolated from each other or \
                 from the plant network. Use a CNI that enforces policy (Calico or Cilium)."
                    .to_string(),
            ));
        }
        if let (Some(k), Some(release)) = (&kernel, catalog.current_release(cand, today)) {
            kernel_gates(&mut gates, facts, catalog, today, k, release);
        }
        small_node_gate(&mut gates, facts, catalog, policy, cand);
        mtu_gate(&mut gates, facts, catalog, policy, cand);
        if cand == "calico" && !facts.underlay_symmetric {
            gates.push(Gate::new(
                codes::ASYMMETRIC_UNDERLAY_DSR,
                cand,
                Severity::Warning,
                "The underlay is asymmetric: replies can come back a different way than requests \
                 went. If you run Calico's eBPF dataplane, keep external service traffic tunnelled \
                 (FelixConfiguration bpfExternalServiceMode: Tunnel, the default) and do not turn \
                 on DSR: with direct server return the reply leaves from the backend node and \
                 routers or stateful firewalls on an asymmetric path drop it."
                    .to_string(),
            ));
        }
        for net in &nets {
            cidr_gate(&mut gates, facts, policy, cand, net);
        }
    }
    Ok(gates)
}
