//! The individual gate rules behind [`evaluate_gates_with`](super::evaluate_gates_with): kernel,
//! footprint, MTU and pod CIDR. Each pushes its gates with a message that says what to do.

use chrono::NaiveDate;

use super::cidr::thousands;
use super::{
    ClusterFacts, Gate, GatePolicy, Kernel, KernelRequirement, Rhel8Minimum, Severity, cidr_capacity, codes, mtu_plan,
};
use crate::catalog::{Catalog, Release};

/// "1 address", "65,536 addresses".
fn count(n: u128, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(n)) }
}

/// "Cilium" for `cilium`.
fn display_name(candidate: &str) -> String {
    let mut chars = candidate.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Kernel knock-out against the current release, else the feature warnings.
pub(super) fn kernel_gates(
    gates: &mut Vec<Gate>,
    facts: &ClusterFacts,
    catalog: &Catalog,
    today: NaiveDate,
    kernel: &Kernel,
    release: &Release,
) {
    let cand = release.product.as_str();
    let name = display_name(cand);
    let reported = facts.kernel.as_deref().unwrap_or_default().trim();
    let shown = match kernel.rhel8_minor() {
        Some(m) => format!("{reported} (RHEL 8.{m})"),
        None => reported.to_string(),
    };
    let req = &release.min_kernel;
    if !req.accepts(kernel) {
        let fallback = match catalog.newest_release_accepting(cand, kernel, today) {
            Some(r) if r.is_supported_on(today) => format!(
                "{name} {} still runs on it and is supported{}: pin that release until the \
                 kernel is upgraded.",
                r.cycle,
                r.eol_date.map(|d| format!(" until {d}")).unwrap_or_default()
            ),
            Some(r) => format!(
                "The newest {name} that runs on it, {}, went out of support{}; do not fall \
                 back to it.",
                r.cycle,
                r.eol_date.map(|d| format!(" on {d}")).unwrap_or_default()
            ),
            None => format!("No {name} release in the catalog runs on it."),
        };
        let action = match (kernel.rhel8_build, req.rhel8) {
            (Some(_), Some(Rhel8Minimum { minor: Some(m), .. })) => {
                format!("Update the nodes to RHEL 8.{m} or later, or to RHEL 9.")
            }
            _ => format!(
                "Upgrade the nodes' OS to one with kernel {} or newer (Ubuntu 22.04 LTS ships \
                 5.15, Debian 12 ships 6.1).",
                req.min
            ),
        };
        gates.push(Gate::new(
            codes::KERNEL_BELOW_RELEASE_MINIMUM,
            cand,
            Severity::KnockOut,
            format!(
                "Kernel {shown} is too old for {name} {}, the current release, which needs \
                 {req}. {fallback} {action}",
                release.cycle
            ),
        ));
        return;
    }
    let backport_hint = if kernel.rhel8_build.is_some() {
        " Red Hat backports some kernel features into RHEL 8: check on a node before relying on \
         it."
    } else {
        ""
    };
    let mut feature = |code: &str, req: &KernelRequirement, consequence: String| {
        if !req.accepts(kernel) {
            gates.push(Gate::new(code, cand, Severity::Warning, format!("{consequence}{backport_hint}")));
        }
    };
    if facts.wan_uplink
        && let Some(f) = catalog.feature(cand, "WireGuard encryption")
    {
        let instead = if cand == "cilium" {
            "encrypt the WAN link with IPsec instead (heavier to run)"
        } else {
            "encrypt the WAN link outside the cluster, e.g. on the site router"
        };
        feature(
            codes::KERNEL_FEATURE_WIREGUARD,
            &f.min_kernel,
            format!(
                "The WAN uplink should be encrypted with WireGuard, which needs kernel {} or \
                 newer; kernel {shown} is older. Upgrade the kernel of the WAN-facing nodes, or \
                 {instead}.",
                f.min_kernel
            ),
        );
    }
    if cand == "cilium"
        && let Some(f) = catalog.feature(cand, "BPF host routing")
    {
        feature(
            codes::KERNEL_FEATURE_BPF_HOST_ROUTING,
            &f.min_kernel,
            format!(
                "Cilium's BPF host routing needs kernel {}; on {shown} Cilium falls back to \
                 routing through the host's iptables stack, which costs throughput and latency \
                 under load. It works; plan the kernel upgrade.",
                f.min_kernel
            ),
        );
    }
    if let Some(ebpf) = &release.min_kernel_ebpf {
        feature(
            codes::KERNEL_FEATURE_EBPF_DATAPLANE,
            ebpf,
            format!(
                "{name} {}'s eBPF dataplane needs kernel {ebpf}; on {shown} run {name} with its \
                 standard iptables dataplane (the default), without eBPF kube-proxy replacement \
                 or DSR. That is fine for most plant and cell clusters.",
                release.cycle
            ),
        );
    }
}

/// Footprint warning for the agent with the largest memory range on small nodes.
pub(super) fn small_node_gate(
    gates: &mut Vec<Gate>,
    facts: &ClusterFacts,
    catalog: &Catalog,
    policy: &GatePolicy,
    cand: &str,
) {
    let few_cores = facts.cores_per_node.is_some_and(|c| c <= policy.small_node_max_cores);
    let little_memory = facts.memory_gib_per_node.is_some_and(|m| m <= policy.small_node_max_memory_gib);
    if !(few_cores || little_memory) {
        return;
    }
    let Some(heaviest) = catalog.agent_memory.iter().max_by_key(|a| a.max_mib) else {
        return;
    };
    if heaviest.candidate != cand {
        return;
    }
    let mut size = Vec::new();
    if let Some(c) = facts.cores_per_node {
        size.push(format!("{c} cores"));
    }
    if let Some(m) = facts.memory_gib_per_node {
        size.push(if m.fract() == 0.0 { format!("{m:.0} GiB of memory") } else { format!("{m:.1} GiB of memory") });
    }
    let name = display_name(cand);
    let lighter = catalog
        .agent_memory
        .iter()
        .filter(|a| a.candidate != cand)
        .min_by_key(|a| a.max_mib)
        .map(|a| {
            let mode = if a.agent.ends_with("_iptables") { " in iptables mode" } else { "" };
            format!(" ({}{mode}: {})", display_name(&a.candidate), a.range())
        })
        .unwrap_or_default();
    let alternative = catalog
        .agent_memory
        .iter()
        .filter(|a| a.candidate != cand)
        .min_by_key(|a| a.max_mib)
        .map(|a| format!(", or pick {} for this cluster", display_name(&a.candidate)))
        .unwrap_or_default();
    gates.push(Gate::new(
        codes::SMALL_NODES,
        cand,
        Severity::Warning,
        format!(
            "Nodes are small: {}. The {name} agent typically uses {} per node{lighter}, taken \
             from what the workloads on these boxes can use. Reserve it for the agent (kubelet \
             system-reserved), run a minimal {name} (Hubble relay and the L7 proxy off){alternative}.",
            size.join(" and "),
            heaviest.range()
        ),
    ));
}

/// Pod MTU warning below the policy's minimum.
pub(super) fn mtu_gate(
    gates: &mut Vec<Gate>,
    facts: &ClusterFacts,
    catalog: &Catalog,
    policy: &GatePolicy,
    cand: &str,
) {
    let Some(plan) = mtu_plan(facts, catalog, cand) else {
        return;
    };
    if plan.pod_mtu >= policy.min_pod_mtu {
        return;
    }
    let name = display_name(cand);
    let setting = match cand {
        "cilium" => format!("Helm value MTU: {}", plan.pod_mtu),
        _ => format!("calicoNetwork.mtu: {} in the Installation", plan.pod_mtu),
    };
    let ipv6 = if plan.pod_mtu < 1280 { "; below 1280 IPv6 does not work in pods at all" } else { "" };
    let native = if cand == "cilium" && facts.bgp_fabric.is_present() {
        ", or run Cilium with native routing over the BGP fabric"
    } else {
        ""
    };
    let consequence = format!(
        "That is below {}, so large packets such as camera images for ML inference get \
         fragmented or dropped{ipv6}. Raise the underlay MTU with the network team (jumbo \
         frames){native}.",
        policy.min_pod_mtu
    );
    if plan.overhead == 0 {
        gates.push(Gate::new(
            codes::POD_MTU_LOW,
            cand,
            Severity::Warning,
            format!(
                "The underlay MTU is only {} bytes; {name} routes pods natively here without a \
                 tunnel, so pods get the same {} ({setting}). {consequence}",
                plan.underlay_mtu, plan.pod_mtu
            ),
        ));
        return;
    }
    gates.push(Gate::new(
        codes::POD_MTU_LOW,
        cand,
        Severity::Warning,
        format!(
            "On this {}-byte underlay, {name}'s default encapsulation ({}) takes {}{} bytes per \
             packet and leaves a pod MTU of {}: set it explicitly ({setting}). {consequence}",
            plan.underlay_mtu,
            plan.describe(),
            if plan.stacked { "" } else { "up to " },
            plan.overhead,
            plan.pod_mtu,
        ),
    ));
}

/// IP exhaustion warnings for one pod CIDR under one candidate's IPAM.
pub(super) fn cidr_gate(
    gates: &mut Vec<Gate>,
    facts: &ClusterFacts,
    policy: &GatePolicy,
    cand: &str,
    net: &ipnet::IpNet,
) {
    let Some(cap) = cidr_capacity(net, cand, facts.max_pods_or_default()) else {
        return;
    };
    let nodes = u128::from(facts.nodes);
    let wanted = nodes.saturating_mul(u128::from(policy.cidr_headroom.max(1)));
    if cap.max_nodes >= wanted {
        return;
    }
    let grow = match cap.prefix_for(wanted) {
        Some(p) => format!("a /{p} or larger (room for {} nodes)", thousands(wanted)),
        None => "a larger range; no IPv4 range is large enough, so move to IPv6 or dual-stack".to_string(),
    };
    let holds = format!(
        "Pod CIDR {} has {}. {} ({} addresses), so it",
        cap.cidr,
        count(cap.addresses, "address", "addresses"),
        cap.ipam,
        thousands(cap.per_node),
    );
    let (code, message) = if cap.max_nodes == 0 {
        (
            codes::POD_CIDR_EXHAUSTED,
            format!(
                "{holds} cannot hold even one node: no pod gets an address. Use {grow} before \
                 deploying."
            ),
        )
    } else if cap.max_nodes < nodes {
        (
            codes::POD_CIDR_EXHAUSTED,
            format!(
                "{holds} holds {} and this cluster has {}: pods on the other nodes get no \
                 address. Use {grow} before deploying.",
                count(cap.max_nodes, "node", "nodes"),
                thousands(nodes)
            ),
        )
    } else {
        (
            codes::POD_CIDR_TIGHT,
            format!(
                "{holds} holds {}; this cluster has {}, leaving less than {}× room for growth \
                 and for replacement nodes during upgrades. Reserve {grow}, or plan a second pod \
                 CIDR.",
                count(cap.max_nodes, "node", "nodes"),
                thousands(nodes),
                policy.cidr_headroom
            ),
        )
    };
    gates.push(Gate::new(code, cand, Severity::Warning, message));
}
