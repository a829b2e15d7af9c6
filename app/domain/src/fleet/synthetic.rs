//! Synthetic fleets of any size for load tests and benchmarks: deterministic for a seed, valid
//! records only, shaped like the demo (one cloud aggregator, a regional cluster per region, a plant
//! cluster per plant, the rest cells), with about one plant per 20 clusters and one region per 10
//! plants.
//!
//! Names start with `syn-<seed in hex>-`, so fleets of different seeds never collide with each
//! other or with the demo fleet.

use std::collections::BTreeMap;

use super::{ClusterRecord, FleetDoc, SiteKind, SiteRecord};
use crate::{BgpFabric, ClusterFacts, Context, Tier};

/// Clusters per plant, on average.
const CLUSTERS_PER_PLANT: usize = 20;

/// Plants per region.
const PLANTS_PER_REGION: usize = 10;

/// A small deterministic generator (xorshift64*, seeded through splitmix64): good enough to vary
/// test data, not for anything secret.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (> 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // `items` is never empty at the call sites; `% len` keeps the index in range.
        &items[(self.next() % items.len().max(1) as u64) as usize]
    }
}

const CELL_KERNELS: [&str; 6] = [
    "5.15.0-113-generic",
    "5.15.0-119-generic",
    "5.10.0-30-amd64",
    "5.10.0-28-amd64",
    "5.10.0+k3s1",
    "5.4.0-186-generic",
];
const PLANT_KERNELS: [&str; 4] =
    ["5.15.0-113-generic", "6.8.0-45-generic", "4.18.0-553.el8_10.x86_64", "6.1.0-26-amd64"];
const LINES: [&str; 8] = ["press", "weld", "paint", "assembly", "vision", "mold", "cnc", "pack"];

/// A synthetic fleet of `clusters` clusters; the same `seed` gives the same fleet.
pub fn synthetic_fleet(clusters: usize, seed: u64) -> FleetDoc {
    if clusters == 0 {
        return FleetDoc::default();
    }
    let mut rng = XorShift::new(seed);
    let tag = format!("syn-{seed:x}");
    let plants = clusters.div_ceil(CLUSTERS_PER_PLANT);
    let regions = plants.div_ceil(PLANTS_PER_REGION);
    let region_site = |r: usize| format!("{tag} region {r:02}");
    let plant_site = |p: usize| format!("{tag} plant {p:04}");

    let mut sites: Vec<SiteRecord> = (0..regions)
        .map(|r| SiteRecord {
            location: Some(format!("Synthetic region {r}")),
            ..SiteRecord::new(region_site(r), SiteKind::Region)
        })
        .collect();
    let mut contexts = Vec::with_capacity(plants);
    for p in 0..plants {
        sites.push(SiteRecord {
            region: Some(region_site(p / PLANTS_PER_REGION)),
            ..SiteRecord::new(plant_site(p), SiteKind::Plant)
        });
        contexts.push(if rng.chance(50) { Context::Brownfield } else { Context::Greenfield });
    }

    let cloud = format!("{tag}-cloud");
    let mut out = Vec::with_capacity(clusters);
    out.push(ClusterRecord {
        decided_cni: Some("cilium".into()),
        facts: ClusterFacts {
            context: Some(Context::Greenfield),
            distribution: "EKS".into(),
            nodes: 6 + rng.below(20) as u32,
            cores_per_node: Some(8),
            memory_gib_per_node: Some(32.0),
            kernel: Some("6.1.119-129.201.amzn2023.x86_64".into()),
            wan_uplink: true,
            underlay_mtu: Some(9001),
            pod_cidr: Some("10.200.0.0/16".into()),
            ..ClusterFacts::new(Tier::Cloud)
        },
        ..ClusterRecord::new(cloud.clone(), region_site(0), Tier::Cloud)
    });
    for r in 0..regions {
        out.push(ClusterRecord {
            parent: Some(cloud.clone()),
            decided_cni: Some("cilium".into()),
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                distribution: "RKE2".into(),
                nodes: 3 + rng.below(6) as u32,
                cores_per_node: Some(16),
                memory_gib_per_node: Some(64.0),
                kernel: Some("5.15.0-113-generic".into()),
                bgp_fabric: BgpFabric::PlatformTeam,
                wan_uplink: true,
                pod_cidr: Some(format!("10.{}.0.0/16", 100 + r % 100)),
                ..ClusterFacts::new(Tier::Regional)
            },
            ..ClusterRecord::new(format!("{tag}-regional-{r:02}"), region_site(r), Tier::Regional)
        });
    }
    for (p, &context) in contexts.iter().enumerate() {
        let brownfield = context == Context::Brownfield;
        let fabric = match (brownfield, rng.chance(50)) {
            (true, _) => BgpFabric::NetworkTeam,
            (false, true) => BgpFabric::PlatformTeam,
            (false, false) => BgpFabric::None,
        };
        let mtu = match rng.below(20) {
            0 => 9000,
            1 => 1400,
            _ => 1500,
        };
        out.push(ClusterRecord {
            parent: Some(format!("{tag}-regional-{:02}", p / PLANTS_PER_REGION)),
            labels: BTreeMap::from([("owner".to_string(), "plant-it".to_string())]),
            decided_cni: Some(if brownfield { "calico" } else { "cilium" }.into()),
            facts: ClusterFacts {
                context: Some(context),
                distribution: "RKE2".into(),
                nodes: 3 + rng.below(8) as u32,
                cores_per_node: Some(*rng.pick(&[8, 16, 32])),
                memory_gib_per_node: Some(*rng.pick(&[32.0, 64.0, 128.0])),
                kernel: Some((*rng.pick(&PLANT_KERNELS)).into()),
                bgp_fabric: fabric,
                wan_uplink: true,
                underlay_mtu: Some(mtu),
                underlay_symmetric: !(brownfield && rng.chance(20)),
                pod_cidr: Some(format!("10.{}.{}.0/18", 64 + (p / 4) % 64, (p % 4) * 64)),
                ..ClusterFacts::new(Tier::Plant)
            },
            ..ClusterRecord::new(format!("{tag}-plant-{p:04}"), plant_site(p), Tier::Plant)
        });
    }
    let mut k = 0;
    while out.len() < clusters {
        let p = k % plants;
        let c = k / plants;
        k += 1;
        let kernel = *rng.pick(&CELL_KERNELS);
        let line = *rng.pick(&LINES);
        let undecided = rng.chance(10);
        let old_kernel = kernel.starts_with("5.4.");
        out.push(ClusterRecord {
            parent: Some(format!("{tag}-plant-{p:04}")),
            labels: BTreeMap::from([("line".to_string(), line.to_string())]),
            decided_cni: (!undecided).then(|| "calico".to_string()),
            exception_rationale: (old_kernel && !undecided).then(|| {
                "Synthetic: the vendor's image keeps kernel 5.4 until the next shutdown; pinned Calico until then."
                    .to_string()
            }),
            facts: ClusterFacts {
                context: Some(contexts[p]),
                distribution: if rng.chance(70) { "K3s" } else { "MicroK8s" }.into(),
                nodes: if rng.chance(85) { 1 } else { 2 },
                cores_per_node: Some(4),
                memory_gib_per_node: Some(8.0),
                kernel: Some(kernel.into()),
                pod_cidr: Some(format!("10.42.{}.0/20", (c % 16) * 16)),
                ..ClusterFacts::new(Tier::Cell)
            },
            ..ClusterRecord::new(format!("{tag}-cell-{p:04}-{c:03}-{line}"), plant_site(p), Tier::Cell)
        });
    }
    out.truncate(clusters);
    FleetDoc::new(sites, out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_seeds_differ() {
        let (mut a, mut b, mut c) = (XorShift::new(1), XorShift::new(1), XorShift::new(2));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        assert_eq!(xs, (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(xs, (0..5).map(|_| c.next()).collect::<Vec<_>>());
        assert_ne!(XorShift::new(0).next(), 0, "seed 0 still generates");
    }

    #[test]
    fn the_same_seed_gives_the_same_fleet() {
        assert_eq!(synthetic_fleet(300, 7), synthetic_fleet(300, 7));
        assert_ne!(synthetic_fleet(300, 7), synthetic_fleet(300, 8));
    }

    #[test]
    fn sites_come_in_proportion() {
        let f = synthetic_fleet(1000, 1);
        assert_eq!(f.clusters.len(), 1000);
        let plants = f.sites.iter().filter(|s| s.kind == SiteKind::Plant).count();
        let regions = f.sites.len() - plants;
        assert_eq!((plants, regions), (50, 5));
        let tiers = |t: Tier| f.clusters.iter().filter(|c| c.facts.tier == t).count();
        assert_eq!((tiers(Tier::Cloud), tiers(Tier::Regional), tiers(Tier::Plant)), (1, 5, 50));
        assert_eq!(tiers(Tier::Cell), 944);
    }

    #[test]
    fn a_one_cluster_fleet_is_its_cloud_aggregator() {
        let f = synthetic_fleet(1, 3);
        assert_eq!(f.clusters.len(), 1);
        assert_eq!(f.clusters[0].facts.tier, Tier::Cloud);
        assert_eq!(f.clusters[0].name, "syn-3-cloud");
    }
}
