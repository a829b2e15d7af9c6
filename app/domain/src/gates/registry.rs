//! The gate registry: every gate is one [`GateRule`] in [`GATES`], with its code, its severity and
//! the check that writes its messages. [`evaluate_gates_with`](super::evaluate_gates_with) runs
//! every rule on every candidate that has capability data, so adding a gate means adding its code
//! to [`codes`], its check and its entry here; whatever the check needs to know per candidate is
//! read from [`CandidateCapabilities`], never from the candidate's key.

use chrono::NaiveDate;
use ipnet::IpNet;

use super::capabilities::{CandidateCapabilities, KernelSource};
use super::cidr::thousands;
use super::mtu::plan;
use super::{CidrCapacity, ClusterFacts, GatePolicy, Kernel, KernelRequirement, Rhel8Minimum, Severity, cidr_capacity};
use crate::catalog::{Catalog, Release};

/// Stable gate codes (API names).
pub mod codes {
    /// No NetworkPolicy enforcement (Flannel).
    pub const NO_NETWORK_POLICY: &str = "no_network_policy";
    /// Kernel below the current release's minimum.
    pub const KERNEL_BELOW_RELEASE_MINIMUM: &str = "kernel_below_release_minimum";
    /// Kernel below WireGuard's minimum on a cluster with a WAN uplink.
    pub const KERNEL_FEATURE_WIREGUARD: &str = "kernel_feature_wireguard";
    /// Kernel below the BPF host routing minimum (Cilium).
    pub const KERNEL_FEATURE_BPF_HOST_ROUTING: &str = "kernel_feature_bpf_host_routing";
    /// Kernel below the eBPF dataplane minimum (Calico).
    pub const KERNEL_FEATURE_EBPF_DATAPLANE: &str = "kernel_feature_ebpf_dataplane";
    /// Small nodes for the heavier agent.
    pub const SMALL_NODES: &str = "small_nodes";
    /// Pod MTU below the policy's minimum.
    pub const POD_MTU_LOW: &str = "pod_mtu_low";
    /// Asymmetric underlay: no eBPF DSR (Calico).
    pub const ASYMMETRIC_UNDERLAY_DSR: &str = "asymmetric_underlay_dsr";
    /// The pod CIDR cannot hold the nodes.
    pub const POD_CIDR_EXHAUSTED: &str = "pod_cidr_exhausted";
    /// The pod CIDR holds the nodes without the policy's headroom.
    pub const POD_CIDR_TIGHT: &str = "pod_cidr_tight";
}

/// What every rule reads about one cluster: its facts, already validated and parsed, the catalog
/// and the policy.
#[derive(Debug, Clone)]
pub struct GateInput<'a> {
    /// The cluster's facts.
    pub facts: &'a ClusterFacts,
    /// Releases, kernel minimums, footprints and capabilities.
    pub catalog: &'a Catalog,
    /// The day releases are judged on.
    pub today: NaiveDate,
    /// Thresholds.
    pub policy: &'a GatePolicy,
    /// The parsed kernel, when the facts give one.
    pub kernel: Option<Kernel>,
    /// The parsed pod CIDRs (none, one, or one per IP family).
    pub pod_networks: Vec<IpNet>,
}

impl GateInput<'_> {
    /// The candidate's current release: the newest GA on or before `today`.
    fn current_release(&self, caps: &CandidateCapabilities) -> Option<&Release> {
        self.catalog.current_release(&caps.key, self.today)
    }

    /// The kernel as reported, with the RHEL 8 minor release when it is one: "4.18.0-553.el8_10
    /// (RHEL 8.10)".
    fn shown_kernel(&self, kernel: &Kernel) -> String {
        let reported = self.facts.kernel.as_deref().unwrap_or_default().trim();
        match kernel.rhel8_minor() {
            Some(m) => format!("{reported} (RHEL 8.{m})"),
            None => reported.to_string(),
        }
    }
}

/// One gate: its code, how bad it is, and the check that returns one message per finding (none
/// when the gate does not apply).
#[derive(Debug, Clone, Copy)]
pub struct GateRule {
    /// Stable code from [`codes`]; unique in [`GATES`].
    pub code: &'static str,
    /// Severity of every gate this rule raises.
    pub severity: Severity,
    /// The findings for one candidate on one cluster, as messages for a site engineer.
    pub check: fn(&GateInput<'_>, &CandidateCapabilities) -> Vec<String>,
}

/// Every gate, in the order a candidate's gates are listed (knock-outs are moved first anyway).
pub static GATES: &[GateRule] = &[
    GateRule { code: codes::NO_NETWORK_POLICY, severity: Severity::KnockOut, check: no_network_policy },
    GateRule {
        code: codes::KERNEL_BELOW_RELEASE_MINIMUM,
        severity: Severity::KnockOut,
        check: kernel_below_release_minimum,
    },
    GateRule { code: codes::KERNEL_FEATURE_WIREGUARD, severity: Severity::Warning, check: wireguard_kernel },
    GateRule {
        code: codes::KERNEL_FEATURE_BPF_HOST_ROUTING,
        severity: Severity::Warning,
        check: bpf_host_routing_kernel,
    },
    GateRule { code: codes::KERNEL_FEATURE_EBPF_DATAPLANE, severity: Severity::Warning, check: ebpf_dataplane_kernel },
    GateRule { code: codes::SMALL_NODES, severity: Severity::Warning, check: small_nodes },
    GateRule { code: codes::POD_MTU_LOW, severity: Severity::Warning, check: pod_mtu_low },
    GateRule { code: codes::ASYMMETRIC_UNDERLAY_DSR, severity: Severity::Warning, check: asymmetric_underlay_dsr },
    GateRule { code: codes::POD_CIDR_EXHAUSTED, severity: Severity::Warning, check: pod_cidr_exhausted },
    GateRule { code: codes::POD_CIDR_TIGHT, severity: Severity::Warning, check: pod_cidr_tight },
];

/// "1 address", "65,536 addresses".
fn count(n: u128, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(n)) }
}

/// "A", "A or B", "A, B or C".
fn either(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Knock-out for a candidate that enforces no NetworkPolicy. The alternatives named are the
/// candidates that enforce it and whose releases the catalog tracks.
fn no_network_policy(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    if caps.enforces_network_policy {
        return Vec::new();
    }
    let mut instead: Vec<&str> = input
        .catalog
        .capabilities
        .iter()
        .filter(|c| c.enforces_network_policy && input.catalog.releases_of(&c.key).next().is_some())
        .map(|c| c.name.as_str())
        .collect();
    instead.sort_unstable();
    let use_instead = if instead.is_empty() {
        "Use a CNI that enforces policy.".to_string()
    } else {
        format!("Use a CNI that enforces policy ({}).", either(&instead))
    };
    vec![format!(
        "{} enforces no NetworkPolicy: pods could not be isolated from each other or from the plant \
         network. {use_instead}",
        caps.name
    )]
}

/// Knock-out when the kernel is below the current release's minimum, naming the newest release
/// that still runs on it.
fn kernel_below_release_minimum(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    let (Some(kernel), Some(release)) = (&input.kernel, input.current_release(caps)) else {
        return Vec::new();
    };
    let req = &release.min_kernel;
    if req.accepts(kernel) {
        return Vec::new();
    }
    let name = &caps.name;
    let fallback = match input.catalog.newest_release_accepting(&caps.key, kernel, input.today) {
        Some(r) if r.is_supported_on(input.today) => format!(
            "{name} {} still runs on it and is supported{}: pin that release until the kernel is \
             upgraded.",
            r.cycle,
            r.eol_date.map(|d| format!(" until {d}")).unwrap_or_default()
        ),
        Some(r) => format!(
            "The newest {name} that runs on it, {}, went out of support{}; do not fall back to it.",
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
            "Upgrade the nodes' OS to one with kernel {} or newer (Ubuntu 22.04 LTS ships 5.15, \
             Debian 12 ships 6.1).",
            req.min
        ),
    };
    vec![format!(
        "Kernel {} is too old for {name} {}, the current release, which needs {req}. {fallback} \
         {action}",
        input.shown_kernel(kernel),
        release.cycle
    )]
}

/// What a kernel feature warning needs: the feature's minimum, the kernel shown, the release,
/// and the candidate's advice.
struct FeatureShortfall<'a> {
    min: &'a KernelRequirement,
    shown: String,
    release: &'a Release,
    advice: &'a str,
}

/// The shortfall when the candidate has the feature behind `code`, the kernel is below its
/// minimum, and the candidate is not knocked out on its kernel already (the knock-out says what to
/// do). The message gets the RHEL backport hint appended where it applies.
fn feature_warning<'a>(
    input: &'a GateInput<'_>,
    caps: &'a CandidateCapabilities,
    code: &str,
    message: impl FnOnce(FeatureShortfall<'a>) -> String,
) -> Vec<String> {
    let (Some(kernel), Some(release)) = (&input.kernel, input.current_release(caps)) else {
        return Vec::new();
    };
    let Some(feature) = caps.kernel_feature(code) else {
        return Vec::new();
    };
    let min = match &feature.kernel {
        KernelSource::CatalogFeature(name) => input.catalog.feature(&caps.key, name).map(|f| &f.min_kernel),
        KernelSource::ReleaseEbpfDataplane => release.min_kernel_ebpf.as_ref(),
    };
    let Some(min) = min else {
        return Vec::new();
    };
    if !release.min_kernel.accepts(kernel) || min.accepts(kernel) {
        return Vec::new();
    }
    let backport_hint = if kernel.rhel8_build.is_some() {
        " Red Hat backports some kernel features into RHEL 8: check on a node before relying on it."
    } else {
        ""
    };
    let shortfall = FeatureShortfall { min, shown: input.shown_kernel(kernel), release, advice: &feature.advice };
    vec![format!("{}{backport_hint}", message(shortfall))]
}

/// WireGuard on a WAN uplink (the seed scopes WireGuard to WAN-facing nodes).
fn wireguard_kernel(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    if !input.facts.wan_uplink {
        return Vec::new();
    }
    feature_warning(input, caps, codes::KERNEL_FEATURE_WIREGUARD, |f| {
        format!(
            "The WAN uplink should be encrypted with WireGuard, which needs kernel {} or newer; \
             kernel {} is older. Upgrade the kernel of the WAN-facing nodes, or {}.",
            f.min, f.shown, f.advice
        )
    })
}

/// BPF host routing, which kube-proxy replacement uses.
fn bpf_host_routing_kernel(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    feature_warning(input, caps, codes::KERNEL_FEATURE_BPF_HOST_ROUTING, |f| {
        format!("{}'s BPF host routing needs kernel {}; on {} {}", caps.name, f.min, f.shown, f.advice)
    })
}

/// An optional eBPF dataplane whose minimum is per release.
fn ebpf_dataplane_kernel(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    feature_warning(input, caps, codes::KERNEL_FEATURE_EBPF_DATAPLANE, |f| {
        format!(
            "{} {}'s eBPF dataplane needs kernel {}; on {} {}",
            caps.name, f.release.cycle, f.min, f.shown, f.advice
        )
    })
}

/// Footprint warning on small nodes for the candidate whose agent has the largest memory range,
/// naming the lightest other agent.
fn small_nodes(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    let (facts, policy, catalog) = (input.facts, input.policy, input.catalog);
    let few_cores = facts.cores_per_node.is_some_and(|c| c <= policy.small_node_max_cores);
    let little_memory = facts.memory_gib_per_node.is_some_and(|m| m <= policy.small_node_max_memory_gib);
    if !(few_cores || little_memory) {
        return Vec::new();
    }
    // Agents with capability data, each with the candidate it belongs to.
    let agents: Vec<_> = catalog
        .capabilities
        .iter()
        .filter_map(|c| {
            let fp = c.footprint.as_ref()?;
            catalog.agent(&fp.agent).map(|a| (c, fp, a))
        })
        .collect();
    let Some((heaviest, fp, agent)) = agents.iter().max_by_key(|(_, _, a)| a.max_mib) else {
        return Vec::new();
    };
    if heaviest.key != caps.key {
        return Vec::new();
    }
    let mut size = Vec::new();
    if let Some(c) = facts.cores_per_node {
        size.push(format!("{c} cores"));
    }
    if let Some(m) = facts.memory_gib_per_node {
        size.push(if m.fract() == 0.0 { format!("{m:.0} GiB of memory") } else { format!("{m:.1} GiB of memory") });
    }
    let name = &caps.name;
    let lightest = agents.iter().filter(|(c, _, _)| c.key != caps.key).min_by_key(|(_, _, a)| a.max_mib);
    let lighter = lightest
        .map(|(c, fp, a)| {
            let mode = fp.mode.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
            format!(" ({}{mode}: {})", c.name, a.range())
        })
        .unwrap_or_default();
    let alternative = lightest.map(|(c, _, _)| format!(", or pick {} for this cluster", c.name)).unwrap_or_default();
    let minimal = fp.minimal.as_deref().map(|m| format!(", {m}")).unwrap_or_default();
    vec![format!(
        "Nodes are small: {}. The {name} agent typically uses {} per node{lighter}, taken from what \
         the workloads on these boxes can use. Reserve it for the agent (kubelet \
         system-reserved){minimal}{alternative}.",
        size.join(" and "),
        agent.range()
    )]
}

/// Pod MTU below the policy's minimum with the candidate's default encapsulation.
fn pod_mtu_low(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    let (facts, policy) = (input.facts, input.policy);
    let (Some(plan), Some(model)) = (plan(facts, caps), caps.mtu.as_ref()) else {
        return Vec::new();
    };
    if plan.pod_mtu >= policy.min_pod_mtu {
        return Vec::new();
    }
    let name = &caps.name;
    let setting = model.setting.replace("{mtu}", &plan.pod_mtu.to_string());
    let ipv6 = if plan.pod_mtu < 1280 { "; below 1280 IPv6 does not work in pods at all" } else { "" };
    let native = match &model.bgp_native_routing_advice {
        Some(advice) if facts.bgp_fabric.is_present() => format!(", or {advice}"),
        _ => String::new(),
    };
    let consequence = format!(
        "That is below {}, so large packets such as camera images for ML inference get fragmented \
         or dropped{ipv6}. Raise the underlay MTU with the network team (jumbo frames){native}.",
        policy.min_pod_mtu
    );
    if plan.overhead == 0 {
        return vec![format!(
            "The underlay MTU is only {} bytes; {name} routes pods natively here without a tunnel, \
             so pods get the same {} ({setting}). {consequence}",
            plan.underlay_mtu, plan.pod_mtu
        )];
    }
    vec![format!(
        "On this {}-byte underlay, {name}'s default encapsulation ({}) takes {}{} bytes per packet \
         and leaves a pod MTU of {}: set it explicitly ({setting}). {consequence}",
        plan.underlay_mtu,
        plan.describe(),
        if plan.stacked { "" } else { "up to " },
        plan.overhead,
        plan.pod_mtu,
    )]
}

/// DSR that breaks when replies take another path than requests.
fn asymmetric_underlay_dsr(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    if input.facts.underlay_symmetric {
        return Vec::new();
    }
    let Some(advice) = caps.dsr.as_ref().filter(|d| d.breaks_on_asymmetric_underlay).and_then(|d| d.advice.as_deref())
    else {
        return Vec::new();
    };
    vec![format!(
        "The underlay is asymmetric: replies can come back a different way than requests went. \
         {advice}: with direct server return the reply leaves from the backend node and routers or \
         stateful firewalls on an asymmetric path drop it."
    )]
}

/// Each pod CIDR's capacity under the candidate's IPAM that is short of the headroom, with the
/// nodes it has and wants.
fn short_cidrs<'a>(
    input: &'a GateInput<'_>,
    caps: &'a CandidateCapabilities,
) -> impl Iterator<Item = (CidrCapacity, u128, u128)> + 'a {
    let nodes = u128::from(input.facts.nodes);
    let wanted = nodes.saturating_mul(u128::from(input.policy.cidr_headroom.max(1)));
    input
        .pod_networks
        .iter()
        .filter_map(move |net| cidr_capacity(net, caps, input.facts.max_pods_or_default()))
        .filter(move |cap| cap.max_nodes < wanted)
        .map(move |cap| (cap, nodes, wanted))
}

/// "Pod CIDR … has … addresses. <IPAM> (… addresses), so it", and the range to use instead.
fn cidr_words(cap: &CidrCapacity, wanted: u128) -> (String, String) {
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
    (holds, grow)
}

/// A pod CIDR that cannot hold the cluster's nodes.
fn pod_cidr_exhausted(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    short_cidrs(input, caps)
        .filter(|(cap, nodes, _)| cap.max_nodes < *nodes)
        .map(|(cap, nodes, wanted)| {
            let (holds, grow) = cidr_words(&cap, wanted);
            if cap.max_nodes == 0 {
                format!("{holds} cannot hold even one node: no pod gets an address. Use {grow} before deploying.")
            } else {
                format!(
                    "{holds} holds {} and this cluster has {}: pods on the other nodes get no address. \
                     Use {grow} before deploying.",
                    count(cap.max_nodes, "node", "nodes"),
                    thousands(nodes)
                )
            }
        })
        .collect()
}

/// A pod CIDR that holds the nodes, but without the policy's headroom.
fn pod_cidr_tight(input: &GateInput<'_>, caps: &CandidateCapabilities) -> Vec<String> {
    short_cidrs(input, caps)
        .filter(|(cap, nodes, _)| cap.max_nodes >= *nodes)
        .map(|(cap, nodes, wanted)| {
            let (holds, grow) = cidr_words(&cap, wanted);
            format!(
                "{holds} holds {}; this cluster has {}, leaving less than {}× room for growth and for \
                 replacement nodes during upgrades. Reserve {grow}, or plan a second pod CIDR.",
                count(cap.max_nodes, "node", "nodes"),
                thousands(nodes),
                input.policy.cidr_headroom
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_gate_code_is_in_the_registry_once() {
        let codes: Vec<&str> = GATES.iter().map(|g| g.code).collect();
        let unique: BTreeSet<&str> = codes.iter().copied().collect();
        assert_eq!(unique.len(), codes.len(), "duplicate codes in {codes:?}");
        let all = [
            codes::NO_NETWORK_POLICY,
            codes::KERNEL_BELOW_RELEASE_MINIMUM,
            codes::KERNEL_FEATURE_WIREGUARD,
            codes::KERNEL_FEATURE_BPF_HOST_ROUTING,
            codes::KERNEL_FEATURE_EBPF_DATAPLANE,
            codes::SMALL_NODES,
            codes::POD_MTU_LOW,
            codes::ASYMMETRIC_UNDERLAY_DSR,
            codes::POD_CIDR_EXHAUSTED,
            codes::POD_CIDR_TIGHT,
        ];
        assert_eq!(unique, all.into_iter().collect(), "every code has a rule and every rule a code");
    }

    #[test]
    fn knock_out_rules_come_first_in_the_registry() {
        let severities: Vec<Severity> = GATES.iter().map(|g| g.severity).collect();
        let mut sorted = severities.clone();
        sorted.sort();
        assert_eq!(severities, sorted);
    }

    #[test]
    fn alternatives_are_listed_in_words() {
        assert_eq!(either(&[]), "");
        assert_eq!(either(&["Calico"]), "Calico");
        assert_eq!(either(&["Calico", "Cilium"]), "Calico or Cilium");
        assert_eq!(either(&["A", "B", "C"]), "A, B or C");
    }
}
