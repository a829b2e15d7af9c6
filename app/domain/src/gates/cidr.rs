//! Pod CIDR capacity: how many nodes a pod CIDR holds under each candidate's default IPAM.
//!
//! CNIs do not hand out pod addresses one by one from the cluster's pod CIDR: each node gets
//! whole blocks, and a node that cannot get a block cannot start pods. The rule, per candidate,
//! comes from its capability data ([`Ipam`] in `data/capabilities.json`: block prefixes, one block
//! per node or as many as max pods need, and the IPAM in words); the bundled data says:
//!
//! | candidate | default IPAM | per node, IPv4 | per node, IPv6 |
//! |---|---|---|---|
//! | cilium | cluster-pool (`clusterPoolIPv4MaskSize: 24`, `clusterPoolIPv6MaskSize: 120`) | one /24 | one /120 |
//! | calico | block affinity (`blockSize: 26` / `122`) | ⌈max pods ÷ 64⌉ blocks of /26 | ⌈max pods ÷ 64⌉ blocks of /122 |
//! | antrea, flannel | Kubernetes node IPAM (`--node-cidr-mask-size` 24 / 64) | one /24 | one /64 |
//!
//! Where one fixed-size block cannot hold `max_pods_per_node`, the block is taken as the smallest
//! power of two that can (what the operator would have to configure).
//!
//! Nodes that fit = addresses in the pod CIDR ÷ addresses per node. **Headroom**: the pod CIDR
//! should hold the current node count times [`GatePolicy::cidr_headroom`](super::GatePolicy)
//! (default 2: room to double the cluster, or to bring up replacement nodes during an upgrade).

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::capabilities::{BlocksPerNode, CandidateCapabilities, Ipam};

/// How one candidate would spend a pod CIDR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CidrCapacity {
    /// Candidate key.
    pub candidate: String,
    /// The pod CIDR, as written.
    pub cidr: String,
    /// IPv4 (else IPv6).
    pub ipv4: bool,
    /// Addresses in the pod CIDR (saturating at 2¹²⁸ − 1).
    pub addresses: u128,
    /// Prefix length of one per-node block.
    pub block_prefix: u8,
    /// Blocks one node takes.
    pub blocks_per_node: u32,
    /// Addresses one node takes.
    pub per_node: u128,
    /// Nodes the pod CIDR can hold.
    pub max_nodes: u128,
    /// How the candidate allocates, in words.
    pub ipam: String,
}

impl CidrCapacity {
    /// The longest prefix that would hold `nodes` nodes; `None` when no prefix of this family can.
    pub fn prefix_for(&self, nodes: u128) -> Option<u8> {
        let bits: u32 = if self.ipv4 { 32 } else { 128 };
        let needed = nodes.max(1).checked_mul(self.per_node)?;
        let log2 = ceil_log2(needed);
        u8::try_from(bits.checked_sub(log2)?).ok()
    }
}

/// The capacity of `net` for a candidate; `None` when its IPAM is not modelled.
pub fn cidr_capacity(net: &IpNet, candidate: &CandidateCapabilities, max_pods: u32) -> Option<CidrCapacity> {
    let ipam: &Ipam = candidate.ipam.as_ref()?;
    let v4 = matches!(net, IpNet::V4(_));
    let bits: u8 = if v4 { 32 } else { 128 };
    let pods = u128::from(max_pods.max(1));
    let fixed_prefix = (if v4 { ipam.ipv4_block_prefix } else { ipam.ipv6_block_prefix }).min(bits);
    let fixed = 1u128.checked_shl(u32::from(bits - fixed_prefix)).unwrap_or(u128::MAX);
    let (block_prefix, blocks_per_node) = match ipam.blocks {
        BlocksPerNode::EnoughForMaxPods => (fixed_prefix, u32::try_from(pods.div_ceil(fixed)).unwrap_or(u32::MAX)),
        BlocksPerNode::OnePerNode if pods <= fixed => (fixed_prefix, 1),
        BlocksPerNode::OnePerNode => (bits.saturating_sub(u8::try_from(ceil_log2(pods)).unwrap_or(bits)), 1),
    };
    let words = ipam
        .describe
        .replace("{prefix}", &block_prefix.to_string())
        .replace("{block_addresses}", &fixed.to_string())
        .replace("{max_pods}", &max_pods.to_string())
        .replace("{blocks}", &blocks_per_node.to_string());
    let block = 1u128.checked_shl(u32::from(bits - block_prefix)).unwrap_or(u128::MAX);
    let per_node = block.saturating_mul(u128::from(blocks_per_node));
    let addresses = 1u128.checked_shl(u32::from(bits - net.prefix_len())).unwrap_or(u128::MAX);
    Some(CidrCapacity {
        candidate: candidate.key.clone(),
        cidr: net.to_string(),
        ipv4: v4,
        addresses,
        block_prefix,
        blocks_per_node,
        per_node,
        max_nodes: addresses / per_node,
        ipam: words,
    })
}

/// ⌈log₂ x⌉ for x ≥ 1.
fn ceil_log2(x: u128) -> u32 {
    if x <= 1 { 0 } else { 128 - (x - 1).leading_zeros() }
}

/// 65536 → "65,536".
pub(crate) fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::catalog::catalog;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    /// [`super::cidr_capacity`] with the bundled capabilities of the candidate named by key.
    fn cidr_capacity(net: &IpNet, candidate: &str, max_pods: u32) -> Option<CidrCapacity> {
        super::cidr_capacity(net, catalog().unwrap().capabilities_of(candidate)?, max_pods)
    }

    #[test]
    fn a_slash_16_holds_256_cilium_nodes_and_512_calico_nodes_at_110_pods() {
        let cilium = cidr_capacity(&net("10.42.0.0/16"), "cilium", 110).unwrap();
        assert_eq!((cilium.addresses, cilium.per_node, cilium.max_nodes), (65_536, 256, 256));
        let calico = cidr_capacity(&net("10.42.0.0/16"), "calico", 110).unwrap();
        assert_eq!((calico.blocks_per_node, calico.per_node), (2, 128));
        assert_eq!(calico.max_nodes, 512);
    }

    #[test]
    fn a_slash_32_holds_no_node_at_all() {
        for cand in ["cilium", "calico", "antrea", "flannel"] {
            let c = cidr_capacity(&net("10.0.0.1/32"), cand, 110).unwrap();
            assert_eq!((c.addresses, c.max_nodes), (1, 0), "{cand}");
        }
    }

    #[test]
    fn a_slash_8_holds_65536_cilium_nodes() {
        let c = cidr_capacity(&net("10.0.0.0/8"), "cilium", 110).unwrap();
        assert_eq!(c.max_nodes, 65_536);
    }

    #[test]
    fn ipv6_blocks_follow_each_ipam() {
        let c = cidr_capacity(&net("fd00:10:42::/56"), "cilium", 110).unwrap();
        assert_eq!((c.block_prefix, c.max_nodes), (120, 1 << 64));
        let c = cidr_capacity(&net("fd00:10:42::/56"), "calico", 110).unwrap();
        assert_eq!((c.block_prefix, c.per_node), (122, 128));
        let c = cidr_capacity(&net("fd00:10:42::/56"), "flannel", 110).unwrap();
        assert_eq!((c.block_prefix, c.max_nodes), (64, 256));
        let c = cidr_capacity(&net("::/0"), "cilium", 110).unwrap();
        assert_eq!(c.addresses, u128::MAX);
    }

    #[test]
    fn more_pods_than_a_slash_24_holds_need_a_bigger_block() {
        let c = cidr_capacity(&net("10.0.0.0/16"), "cilium", 300).unwrap();
        assert_eq!((c.block_prefix, c.per_node, c.max_nodes), (23, 512, 128));
    }

    #[test]
    fn the_prefix_for_a_node_count_doubles_per_bit() {
        let c = cidr_capacity(&net("10.42.0.0/16"), "cilium", 110).unwrap();
        assert_eq!(c.prefix_for(256), Some(16));
        assert_eq!(c.prefix_for(257), Some(15));
        assert_eq!(c.prefix_for(1 << 30), None);
    }

    #[test]
    fn big_numbers_get_thousands_separators() {
        assert_eq!(thousands(1), "1");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(16_777_216), "16,777,216");
    }
}
