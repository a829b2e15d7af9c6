//! End-to-end gate tests on the bundled catalog, on 2026-11-26 (Cilium 1.20 and Calico 3.32 are
//! current): kernel strings of Ubuntu, RHEL and K3s images, MTU 1500 / 9000 / 1280, small nodes,
//! /32 and /8 pod CIDRs, IPv6, Flannel.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::*;
use crate::Tier;
use crate::catalog::{Catalog, catalog};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn cat() -> Catalog {
    catalog().unwrap()
}

/// A healthy plant cluster: nothing to warn about except Flannel's knock-out.
fn plant() -> ClusterFacts {
    ClusterFacts {
        nodes: 12,
        cores_per_node: Some(16),
        memory_gib_per_node: Some(64.0),
        kernel: Some("5.15.0-113-generic".into()),
        pod_cidr: Some("10.42.0.0/16".into()),
        ..ClusterFacts::new(Tier::Plant)
    }
}

/// The seed's cell controller: one K3s node, 4 cores, 8 GiB.
fn cell(kernel: &str) -> ClusterFacts {
    ClusterFacts {
        distribution: "K3s".into(),
        nodes: 1,
        cores_per_node: Some(4),
        memory_gib_per_node: Some(8.0),
        kernel: Some(kernel.into()),
        pod_cidr: Some("10.42.0.0/16".into()),
        ..ClusterFacts::new(Tier::Cell)
    }
}

fn gates(facts: &ClusterFacts) -> Vec<Gate> {
    evaluate_gates(facts, &cat(), today()).unwrap()
}

fn codes_for(gates: &[Gate], candidate: &str) -> Vec<String> {
    gates.iter().filter(|g| g.candidate == candidate).map(|g| g.code.clone()).collect()
}

fn find<'a>(gates: &'a [Gate], candidate: &str, code: &str) -> &'a Gate {
    gates
        .iter()
        .find(|g| g.candidate == candidate && g.code == code)
        .unwrap_or_else(|| panic!("no {code} on {candidate} in {gates:#?}"))
}

#[test]
fn a_healthy_plant_cluster_only_knocks_out_flannel() {
    let g = gates(&plant());
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(g[0].code, codes::NO_NETWORK_POLICY);
    assert_eq!(g[0].candidate, "flannel");
    assert_eq!(g[0].severity, Severity::KnockOut);
    assert!(g[0].message.contains("NetworkPolicy"));
    assert!(!knocked_out(&g, "cilium") && !knocked_out(&g, "calico"));
    assert!(knocked_out(&g, "flannel"));
}

#[test]
fn a_5_4_kernel_knocks_out_current_cilium() {
    let g = gates(&cell("5.4.0-150-generic"));
    let ko = find(&g, "cilium", codes::KERNEL_BELOW_RELEASE_MINIMUM);
    assert_eq!(ko.severity, Severity::KnockOut);
    assert!(ko.message.contains("Kernel 5.4.0-150-generic"), "{}", ko.message);
    assert!(ko.message.contains("Cilium 1.20"), "{}", ko.message);
    assert!(ko.message.contains("5.10 (or 4.18.0-553 on RHEL 8.10)"), "{}", ko.message);
    assert!(ko.message.contains("1.17, went out of support on 2026-07-29"), "{}", ko.message);
    assert!(ko.message.contains("Upgrade the nodes' OS"), "{}", ko.message);
}

#[test]
fn a_5_4_kernel_also_knocks_out_current_calico_which_documents_5_10() {
    let g = gates(&cell("5.4"));
    let ko = find(&g, "calico", codes::KERNEL_BELOW_RELEASE_MINIMUM);
    assert!(ko.message.contains("Calico 3.32"), "{}", ko.message);
    assert!(ko.message.contains("3.28"), "{}", ko.message);
    // knocked out: no feature warnings on top
    assert!(!codes_for(&g, "calico").contains(&codes::KERNEL_FEATURE_EBPF_DATAPLANE.to_string()));
}

#[test]
fn a_k3s_image_kernel_5_10_passes_both_release_minimums() {
    let g = gates(&cell("5.10.0+k3s1"));
    assert!(!knocked_out(&g, "cilium"), "{g:#?}");
    assert!(!knocked_out(&g, "calico"), "{g:#?}");
}

#[test]
fn an_ubuntu_5_15_cell_gets_only_the_cilium_footprint_warning() {
    let g = gates(&cell("5.15.0-113-generic"));
    assert_eq!(codes_for(&g, "cilium"), [codes::SMALL_NODES]);
    assert!(codes_for(&g, "calico").is_empty(), "{g:#?}");
}

#[test]
fn a_rhel_8_10_kernel_runs_current_cilium_thanks_to_backports() {
    let g = gates(&ClusterFacts { kernel: Some("4.18.0-553.el8_10.x86_64".into()), ..plant() });
    assert!(!knocked_out(&g, "cilium"), "{g:#?}");
    assert!(!knocked_out(&g, "calico"), "{g:#?}");
    // 4.18 upstream is below BPF host routing's 5.10; the message hedges for RHEL backports.
    let w = find(&g, "cilium", codes::KERNEL_FEATURE_BPF_HOST_ROUTING);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("(RHEL 8.10)"), "{}", w.message);
    assert!(w.message.contains("backports"), "{}", w.message);
    // Calico's eBPF dataplane accepts RHEL 8.4 and later.
    assert!(!codes_for(&g, "calico").contains(&codes::KERNEL_FEATURE_EBPF_DATAPLANE.to_string()));
}

#[test]
fn a_rhel_8_6_kernel_knocks_out_cilium_1_20_and_points_to_1_18() {
    let g = gates(&ClusterFacts { kernel: Some("4.18.0-372.9.1.el8.x86_64".into()), ..plant() });
    let ko = find(&g, "cilium", codes::KERNEL_BELOW_RELEASE_MINIMUM);
    assert!(ko.message.contains("(RHEL 8.6)"), "{}", ko.message);
    assert!(ko.message.contains("Cilium 1.18 still runs on it and is supported"), "{}", ko.message);
    assert!(ko.message.contains("Update the nodes to RHEL 8.10"), "{}", ko.message);
}

#[test]
fn a_rhel_8_2_kernel_keeps_calico_on_iptables() {
    let g = gates(&ClusterFacts { kernel: Some("4.18.0-193.el8.x86_64".into()), ..plant() });
    assert!(!knocked_out(&g, "calico"), "{g:#?}");
    let w = find(&g, "calico", codes::KERNEL_FEATURE_EBPF_DATAPLANE);
    assert!(w.message.contains("iptables dataplane"), "{}", w.message);
    assert!(w.message.contains("4.18.0-305 on RHEL 8.4"), "{}", w.message);
    assert!(knocked_out(&g, "cilium"));
}

#[test]
fn a_wan_uplink_on_an_old_rhel_kernel_warns_about_wireguard() {
    let g = gates(&ClusterFacts { kernel: Some("4.18.0-553.el8_10.x86_64".into()), wan_uplink: true, ..plant() });
    let w = find(&g, "calico", codes::KERNEL_FEATURE_WIREGUARD);
    assert!(w.message.contains("WireGuard, which needs kernel 5.6"), "{}", w.message);
    let w = find(&g, "cilium", codes::KERNEL_FEATURE_WIREGUARD);
    assert!(w.message.contains("IPsec"), "{}", w.message);
}

#[test]
fn no_wan_uplink_means_no_wireguard_warning() {
    let g = gates(&ClusterFacts { kernel: Some("4.18.0-553.el8_10.x86_64".into()), ..plant() });
    assert!(g.iter().all(|g| g.code != codes::KERNEL_FEATURE_WIREGUARD));
}

#[test]
fn no_kernel_means_no_kernel_gates() {
    let g = gates(&ClusterFacts { kernel: None, ..plant() });
    assert!(g.iter().all(|g| !g.code.starts_with("kernel")));
}

#[test]
fn a_bad_kernel_string_is_an_error_naming_kernel() {
    let err =
        evaluate_gates(&ClusterFacts { kernel: Some("five-fifteen".into()), ..plant() }, &cat(), today()).unwrap_err();
    assert!(err.fields.contains_key("kernel"), "{err}");
}

#[test]
fn small_nodes_warn_on_cilium_citing_the_memory_ranges() {
    let g = gates(&cell("6.1.0"));
    let w = find(&g, "cilium", codes::SMALL_NODES);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("4 cores and 8 GiB of memory"), "{}", w.message);
    assert!(w.message.contains("300–600 MiB"), "{}", w.message);
    assert!(w.message.contains("Calico in iptables mode: 100–250 MiB"), "{}", w.message);
    assert!(w.message.contains("or pick Calico for this cluster"), "{}", w.message);
    assert!(g.iter().all(|g| g.code != codes::SMALL_NODES || g.candidate == "cilium"));
}

#[test]
fn a_node_small_in_memory_only_is_still_small() {
    let g = gates(&ClusterFacts { cores_per_node: Some(8), memory_gib_per_node: Some(7.5), ..plant() });
    let w = find(&g, "cilium", codes::SMALL_NODES);
    assert!(w.message.contains("8 cores and 7.5 GiB"), "{}", w.message);
}

#[test]
fn nodes_of_unknown_size_get_no_footprint_warning() {
    let g = gates(&ClusterFacts { cores_per_node: None, memory_gib_per_node: None, ..plant() });
    assert!(g.iter().all(|g| g.code != codes::SMALL_NODES));
}

#[test]
fn mtu_1500_without_encryption_needs_no_warning() {
    let g = gates(&plant());
    assert!(g.iter().all(|g| g.code != codes::POD_MTU_LOW));
}

#[test]
fn mtu_1500_with_wireguard_warns_on_cilium_at_1370() {
    let g = gates(&ClusterFacts { wan_uplink: true, ..plant() });
    let w = find(&g, "cilium", codes::POD_MTU_LOW);
    assert!(w.message.contains("pod MTU of 1370"), "{}", w.message);
    assert!(w.message.contains("VXLAN + WireGuard"), "{}", w.message);
    assert!(w.message.contains("MTU: 1370"), "{}", w.message);
    assert!(!codes_for(&g, "calico").contains(&codes::POD_MTU_LOW.to_string()));
}

#[test]
fn mtu_9000_jumbo_frames_need_no_warning_even_with_wireguard() {
    let g = gates(&ClusterFacts { underlay_mtu: Some(9000), wan_uplink: true, ..plant() });
    assert!(g.iter().all(|g| g.code != codes::POD_MTU_LOW), "{g:#?}");
}

#[test]
fn mtu_1280_warns_on_both_and_mentions_ipv6() {
    let g = gates(&ClusterFacts { underlay_mtu: Some(1280), ..plant() });
    let cilium = find(&g, "cilium", codes::POD_MTU_LOW);
    assert!(cilium.message.contains("pod MTU of 1230"), "{}", cilium.message);
    assert!(cilium.message.contains("IPv6 does not work"), "{}", cilium.message);
    let calico = find(&g, "calico", codes::POD_MTU_LOW);
    assert!(calico.message.contains("pod MTU of 1260"), "{}", calico.message);
    assert!(calico.message.contains("calicoNetwork.mtu: 1260"), "{}", calico.message);
}

#[test]
fn the_mtu_threshold_is_a_policy_parameter() {
    let policy = GatePolicy { min_pod_mtu: 1460, ..GatePolicy::default() };
    let g = evaluate_gates_with(&plant(), &cat(), today(), &policy).unwrap();
    let w = find(&g, "cilium", codes::POD_MTU_LOW);
    assert!(w.message.contains("pod MTU of 1450") && w.message.contains("below 1460"));
    assert!(!codes_for(&g, "calico").contains(&codes::POD_MTU_LOW.to_string()));
}

#[test]
fn a_bgp_fabric_suggests_native_routing_for_cilium() {
    let g = gates(&ClusterFacts { underlay_mtu: Some(1280), bgp_fabric: BgpFabric::NetworkTeam, ..plant() });
    assert!(find(&g, "cilium", codes::POD_MTU_LOW).message.contains("native routing"));
    // Calico routes natively: 1280 stays 1280, below 1400 still.
    let calico = find(&g, "calico", codes::POD_MTU_LOW);
    assert!(calico.message.contains("routes pods natively"), "{}", calico.message);
    assert!(calico.message.contains("pods get the same 1280"), "{}", calico.message);
}

#[test]
fn an_asymmetric_underlay_warns_against_calico_ebpf_dsr() {
    let g = gates(&ClusterFacts { underlay_symmetric: false, ..plant() });
    let w = find(&g, "calico", codes::ASYMMETRIC_UNDERLAY_DSR);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("DSR"), "{}", w.message);
    assert!(codes_for(&g, "cilium").is_empty());
}

#[test]
fn a_slash_32_pod_cidr_holds_no_node() {
    let g = gates(&ClusterFacts { pod_cidr: Some("10.0.0.1/32".into()), ..plant() });
    for cand in ["cilium", "calico", "antrea", "flannel"] {
        let w = find(&g, cand, codes::POD_CIDR_EXHAUSTED);
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("has 1 address."), "{}", w.message);
        assert!(w.message.contains("cannot hold even one node"), "{}", w.message);
    }
    let cilium = find(&g, "cilium", codes::POD_CIDR_EXHAUSTED);
    assert!(cilium.message.contains("a /19 or larger (room for 24 nodes)"), "{}", cilium.message);
}

#[test]
fn a_slash_8_pod_cidr_has_room_for_a_large_cluster() {
    let g = gates(&ClusterFacts { nodes: 5000, pod_cidr: Some("10.0.0.0/8".into()), ..plant() });
    assert!(g.iter().all(|g| !g.code.starts_with("pod_cidr")), "{g:#?}");
}

#[test]
fn a_slash_16_for_200_nodes_is_tight_for_cilium_but_fine_for_calico() {
    let g = gates(&ClusterFacts { nodes: 200, ..plant() });
    let w = find(&g, "cilium", codes::POD_CIDR_TIGHT);
    assert!(w.message.contains("65,536 addresses"), "{}", w.message);
    assert!(w.message.contains("holds 256 nodes"), "{}", w.message);
    assert!(w.message.contains("a /15 or larger (room for 400 nodes)"), "{}", w.message);
    assert!(!codes_for(&g, "calico").iter().any(|c| c.starts_with("pod_cidr")));
}

#[test]
fn a_slash_16_for_300_nodes_is_exhausted_for_cilium() {
    let g = gates(&ClusterFacts { nodes: 300, ..plant() });
    let w = find(&g, "cilium", codes::POD_CIDR_EXHAUSTED);
    assert!(w.message.contains("holds 256 nodes and this cluster has 300"), "{}", w.message);
    assert!(find(&g, "calico", codes::POD_CIDR_TIGHT).message.contains("holds 512 nodes"));
}

#[test]
fn an_ipv6_pod_cidr_is_checked_with_ipv6_blocks() {
    let g = gates(&ClusterFacts { nodes: 300, pod_cidr: Some("fd00:10:42::/56".into()), ..plant() });
    // Cilium /120 and Calico /122 blocks: plenty. Node IPAM's /64 per node: 256 nodes only.
    assert!(!codes_for(&g, "cilium").iter().any(|c| c.starts_with("pod_cidr")));
    assert!(!codes_for(&g, "calico").iter().any(|c| c.starts_with("pod_cidr")));
    let w = find(&g, "antrea", codes::POD_CIDR_EXHAUSTED);
    assert!(w.message.contains("/64"), "{}", w.message);
}

#[test]
fn a_dual_stack_pod_cidr_checks_each_family() {
    let g = gates(&ClusterFacts { nodes: 200, pod_cidr: Some("10.42.0.0/16,fd00:10:42::/48".into()), ..plant() });
    let cilium: Vec<&Gate> = g.iter().filter(|g| g.candidate == "cilium" && g.code.starts_with("pod_cidr")).collect();
    assert_eq!(cilium.len(), 1, "{cilium:#?}");
    assert!(cilium[0].message.contains("10.42.0.0/16"));
}

#[test]
fn a_bad_pod_cidr_is_an_error_naming_pod_cidr() {
    for bad in ["10.42.0.0", "10.42.0.0/33", "fd00::/129", "ten/8"] {
        let err = evaluate_gates(&ClusterFacts { pod_cidr: Some(bad.into()), ..plant() }, &cat(), today()).unwrap_err();
        assert!(err.fields["pod_cidr"].contains("address/prefix"), "{bad}: {err}");
    }
}

#[test]
fn flannel_is_knocked_out_whatever_the_facts() {
    for f in [plant(), cell("5.4"), ClusterFacts::new(Tier::Cloud)] {
        let g = gates(&f);
        let ko = find(&g, "flannel", codes::NO_NETWORK_POLICY);
        assert!(ko.is_knock_out());
    }
}

#[test]
fn gates_come_per_candidate_with_knock_outs_first() {
    let g = gates(&ClusterFacts { pod_cidr: Some("10.0.0.1/32".into()), ..cell("5.4") });
    for cand in cat().capabilities.iter().map(|c| c.key.as_str()) {
        let sev: Vec<Severity> = g.iter().filter(|x| x.candidate == cand).map(|x| x.severity).collect();
        let mut sorted = sev.clone();
        sorted.sort();
        assert_eq!(sev, sorted, "{cand}");
    }
}

#[test]
fn gates_serialise_with_snake_case_severity() {
    let g = gates(&plant());
    let json = serde_json::to_value(&g[0]).unwrap();
    assert_eq!(json["severity"], "knock_out");
    assert_eq!(json["code"], "no_network_policy");
    let back: Gate = serde_json::from_value(json).unwrap();
    assert_eq!(back, g[0]);
}

#[test]
fn every_message_is_a_full_sentence_without_debug_formatting() {
    let g = gates(&ClusterFacts {
        underlay_mtu: Some(1280),
        underlay_symmetric: false,
        wan_uplink: true,
        pod_cidr: Some("10.0.0.1/32".into()),
        ..cell("4.18.0-193.el8.x86_64")
    });
    assert!(g.len() > 8);
    for gate in &g {
        assert!(gate.message.ends_with('.'), "{}", gate.message);
        assert!(!gate.message.contains("Some("), "{}", gate.message);
        assert!(!gate.message.contains("  "), "{}", gate.message);
    }
}

#[test]
fn only_candidates_with_capability_data_are_gated() {
    let mut c = cat();
    c.capabilities.retain(|caps| caps.key != "flannel");
    let g = evaluate_gates(&ClusterFacts { pod_cidr: Some("10.0.0.1/32".into()), ..plant() }, &c, today()).unwrap();
    assert!(g.iter().all(|g| g.candidate != "flannel"), "{g:#?}");
    assert!(!codes_for(&g, "antrea").is_empty(), "the others keep their gates");
}
