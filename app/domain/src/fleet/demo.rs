//! The demo fleet, modelled on the seed ADR's topology: a cloud aggregator, a regional cluster per
//! region, six plants (three brownfield on the plant network team's BGP fabric, three
//! greenfield) and five K3s or MicroK8s cell controllers per plant (4 cores / 8 GiB, kernels 5.10
//! and 5.15, a few still on 5.4).
//!
//! Decisions follow the seed's per-tier table (cloud, regional and greenfield plant → Cilium;
//! brownfield plant and cell → Calico), except where the demo decides otherwise on purpose, each
//! with a written rationale:
//! - three cells on Ubuntu 20.04's kernel 5.4, where the current Cilium and Calico are both
//!   knocked out, so there is no recommendation at all: they stay on a pinned Calico until the OS
//!   upgrade;
//! - one Győr vision cell on "Cilium minimal", the seed's option for cells in a Cilium plant;
//! - the Querétaro plant, greenfield but on Calico because of the line integrator's contract.

use std::collections::BTreeMap;

use super::{ClusterRecord, FleetDoc, SiteKind, SiteRecord};
use crate::versions::CniVersion;
use crate::{BgpFabric, ClusterFacts, Context, Tier};

const UBUNTU_22_04: &str = "5.15.0-113-generic";
const UBUNTU_20_04: &str = "5.4.0-186-generic";
const DEBIAN_11: &str = "5.10.0-30-amd64";
const UBUNTU_24_04: &str = "6.8.0-45-generic";
const RHEL_8_10: &str = "4.18.0-553.el8_10.x86_64";
const AMAZON_LINUX_2023: &str = "6.1.119-129.201.amzn2023.x86_64";

/// A plant of the demo and its plant cluster's facts.
struct Plant {
    site: &'static str,
    slug: &'static str,
    location: &'static str,
    region: &'static str,
    context: Context,
    fabric: BgpFabric,
    kernel: &'static str,
    nodes: u32,
    cores: u32,
    memory: f64,
    mtu: u32,
    symmetric: bool,
    /// Second octet of its pod CIDRs (`10.<octet>.0.0/16` for the plant cluster).
    octet: u8,
    /// Its cells: process-line suffix, distribution, kernel, nodes.
    cells: [(&'static str, &'static str, &'static str, u32); 5],
}

const PLANTS: [Plant; 6] = [
    Plant {
        site: "Leipzig",
        slug: "leipzig",
        location: "Leipzig, Germany: body shop and paint, built 1998",
        region: "EMEA",
        context: Context::Brownfield,
        fabric: BgpFabric::NetworkTeam,
        kernel: RHEL_8_10,
        nodes: 6,
        cores: 16,
        memory: 64.0,
        mtu: 1500,
        symmetric: true,
        octet: 110,
        cells: [
            ("press-01", "K3s", DEBIAN_11, 1),
            ("press-02", "K3s", DEBIAN_11, 1),
            ("paint-01", "K3s", UBUNTU_20_04, 1),
            ("weld-01", "MicroK8s", UBUNTU_22_04, 1),
            ("assembly-01", "K3s", UBUNTU_22_04, 2),
        ],
    },
    Plant {
        site: "Brno",
        slug: "brno",
        location: "Brno, Czechia: welding and moulding",
        region: "EMEA",
        context: Context::Brownfield,
        fabric: BgpFabric::NetworkTeam,
        kernel: UBUNTU_22_04,
        nodes: 5,
        cores: 16,
        memory: 64.0,
        mtu: 9000,
        symmetric: true,
        octet: 111,
        cells: [
            ("weld-01", "MicroK8s", UBUNTU_20_04, 1),
            ("weld-02", "MicroK8s", UBUNTU_22_04, 1),
            ("mold-01", "K3s", DEBIAN_11, 1),
            ("cnc-01", "K3s", DEBIAN_11, 1),
            ("test-01", "K3s", UBUNTU_22_04, 1),
        ],
    },
    Plant {
        site: "Győr",
        slug: "gyor",
        location: "Győr, Hungary: new e-drive plant, opened 2025",
        region: "EMEA",
        context: Context::Greenfield,
        fabric: BgpFabric::PlatformTeam,
        kernel: UBUNTU_24_04,
        nodes: 8,
        cores: 32,
        memory: 128.0,
        mtu: 1500,
        symmetric: true,
        octet: 112,
        cells: [
            ("vision-01", "K3s", UBUNTU_22_04, 1),
            ("body-01", "K3s", UBUNTU_22_04, 1),
            ("paint-01", "K3s", DEBIAN_11, 1),
            ("assembly-01", "K3s", UBUNTU_22_04, 2),
            ("test-01", "MicroK8s", UBUNTU_22_04, 1),
        ],
    },
    Plant {
        site: "Monterrey",
        slug: "monterrey",
        location: "Monterrey, Mexico: stamping; two halls joined over a carrier L2VPN",
        region: "Americas",
        context: Context::Brownfield,
        fabric: BgpFabric::NetworkTeam,
        kernel: UBUNTU_22_04,
        nodes: 4,
        cores: 16,
        memory: 32.0,
        // The carrier's L2VPN between the halls carries 1400-byte frames only.
        mtu: 1400,
        symmetric: false,
        octet: 121,
        cells: [
            ("press-01", "K3s", DEBIAN_11, 1),
            ("press-02", "K3s", UBUNTU_20_04, 1),
            ("weld-01", "K3s", DEBIAN_11, 1),
            ("paint-01", "MicroK8s", UBUNTU_22_04, 1),
            ("pack-01", "K3s", UBUNTU_22_04, 1),
        ],
    },
    Plant {
        site: "Greenville",
        slug: "greenville",
        location: "Greenville, South Carolina, USA: assembly, opened 2024",
        region: "Americas",
        context: Context::Greenfield,
        fabric: BgpFabric::None,
        kernel: UBUNTU_22_04,
        nodes: 4,
        cores: 16,
        memory: 64.0,
        mtu: 1500,
        symmetric: true,
        octet: 122,
        cells: [
            ("assembly-01", "K3s", UBUNTU_22_04, 1),
            ("assembly-02", "K3s", UBUNTU_22_04, 2),
            ("test-01", "MicroK8s", UBUNTU_22_04, 1),
            ("pack-01", "K3s", DEBIAN_11, 1),
            ("paint-01", "K3s", DEBIAN_11, 1),
        ],
    },
    Plant {
        site: "Querétaro",
        slug: "queretaro",
        location: "Querétaro, Mexico: injection moulding, turnkey line, opened 2025",
        region: "Americas",
        context: Context::Greenfield,
        fabric: BgpFabric::PlatformTeam,
        kernel: "5.15.0-119-generic",
        nodes: 3,
        cores: 16,
        memory: 32.0,
        mtu: 1500,
        symmetric: true,
        octet: 123,
        cells: [
            ("mold-01", "K3s", DEBIAN_11, 1),
            ("mold-02", "K3s", DEBIAN_11, 1),
            ("cnc-01", "MicroK8s", UBUNTU_22_04, 1),
            ("pack-01", "K3s", UBUNTU_22_04, 1),
            ("test-01", "K3s", UBUNTU_22_04, 1),
        ],
    },
];

/// Why a 5.4 cell stays on Calico although nothing current runs on its kernel.
const KERNEL_5_4_RATIONALE: &str = "The line vendor certifies this controller only on its Ubuntu 20.04 \
    image (kernel 5.4), which neither the current Calico nor the current Cilium supports. We keep \
    the pinned Calico 3.28 in iptables mode, out of upstream support since 2025-05; the cell VLAN \
    has no WAN route and its images are mirrored on site. The vendor's Ubuntu 22.04 image (kernel \
    5.15) goes on in the 2027 summer shutdown, and Calico is upgraded to the current release with it.";

/// Why the Győr vision cell runs Cilium.
const CILIUM_MINIMAL_RATIONALE: &str = "Győr runs Cilium on its plant cluster, and the vision models \
    are pulled over ClusterMesh with one identity-based policy. The seed's option for cells applies: \
    Cilium minimal, with Hubble relay and the L7 proxy off and 600 MiB system-reserved for the agent. \
    We accept the heavier agent on this 4-core / 8 GiB box; if the inference pipeline runs short of \
    memory, the cell goes back to Calico.";

/// Why Querétaro, greenfield, runs Calico.
const INTEGRATOR_RATIONALE: &str = "Querétaro's moulding line was delivered turnkey: the integrator \
    supports the plant stack on Calico only, and changing the CNI ends that support before the \
    contract ends in 2027-12. Flow visibility meanwhile comes from Calico's open-source flow logs. \
    The decision is revisited at contract renewal, with Cilium as the expected outcome.";

/// The demo fleet: 2 regions, 6 plants, 39 clusters.
pub fn demo_fleet() -> FleetDoc {
    let mut sites = vec![
        SiteRecord {
            location: Some("Frankfurt am Main, Germany: headquarters and AWS eu-central-1".into()),
            ..SiteRecord::new("EMEA", SiteKind::Region)
        },
        SiteRecord {
            location: Some("Atlanta, Georgia, USA: AWS us-east-1".into()),
            ..SiteRecord::new("Americas", SiteKind::Region)
        },
    ];
    let mut clusters = vec![
        ClusterRecord {
            labels: labels(&[("owner", "platform-team"), ("purpose", "digital-twin-and-data-lake")]),
            decided_cni: Some("cilium".into()),
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                distribution: "EKS".into(),
                nodes: 12,
                cores_per_node: Some(8),
                memory_gib_per_node: Some(32.0),
                kernel: Some(AMAZON_LINUX_2023.into()),
                wan_uplink: true,
                underlay_mtu: Some(9001),
                pod_cidr: Some("10.200.0.0/16".into()),
                pinned_version: pin("1.20.1"),
                ..ClusterFacts::new(Tier::Cloud)
            },
            ..ClusterRecord::new("cloud-aggregator", "EMEA", Tier::Cloud)
        },
        ClusterRecord {
            parent: Some("cloud-aggregator".into()),
            labels: labels(&[("owner", "platform-team"), ("purpose", "mes-connector")]),
            decided_cni: Some("cilium".into()),
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                distribution: "RKE2".into(),
                nodes: 6,
                cores_per_node: Some(16),
                memory_gib_per_node: Some(64.0),
                kernel: Some(UBUNTU_22_04.into()),
                bgp_fabric: BgpFabric::PlatformTeam,
                wan_uplink: true,
                pod_cidr: Some("10.100.0.0/16".into()),
                pinned_version: pin("1.19.5"),
                ..ClusterFacts::new(Tier::Regional)
            },
            ..ClusterRecord::new("regional-emea", "EMEA", Tier::Regional)
        },
        ClusterRecord {
            parent: Some("cloud-aggregator".into()),
            labels: labels(&[("owner", "platform-team"), ("purpose", "mes-connector")]),
            decided_cni: Some("cilium".into()),
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                distribution: "EKS".into(),
                nodes: 6,
                cores_per_node: Some(8),
                memory_gib_per_node: Some(32.0),
                kernel: Some(AMAZON_LINUX_2023.into()),
                wan_uplink: true,
                underlay_mtu: Some(9001),
                pod_cidr: Some("10.101.0.0/16".into()),
                pinned_version: pin("1.18.13"),
                ..ClusterFacts::new(Tier::Regional)
            },
            ..ClusterRecord::new("regional-americas", "Americas", Tier::Regional)
        },
    ];
    for p in &PLANTS {
        sites.push(SiteRecord {
            location: Some(p.location.into()),
            region: Some(p.region.into()),
            ..SiteRecord::new(p.site, SiteKind::Plant)
        });
        let plant = format!("plant-{}", p.slug);
        let (decided, rationale) = match (p.context, p.slug) {
            (_, "queretaro") => ("calico", Some(INTEGRATOR_RATIONALE)),
            (Context::Greenfield, _) => ("cilium", None),
            (Context::Brownfield, _) => ("calico", None),
        };
        clusters.push(ClusterRecord {
            parent: Some(format!("regional-{}", p.region.to_lowercase())),
            labels: labels(&[("owner", "plant-it"), ("plant", p.slug)]),
            decided_cni: Some(decided.into()),
            exception_rationale: rationale.map(String::from),
            facts: ClusterFacts {
                context: Some(p.context),
                distribution: "RKE2".into(),
                nodes: p.nodes,
                cores_per_node: Some(p.cores),
                memory_gib_per_node: Some(p.memory),
                kernel: Some(p.kernel.into()),
                bgp_fabric: p.fabric,
                wan_uplink: true,
                underlay_mtu: Some(p.mtu),
                underlay_symmetric: p.symmetric,
                pod_cidr: Some(format!("10.{}.0.0/16", p.octet)),
                pinned_version: plant_pin(p.slug),
                // One pilot per region takes every CNI upgrade first.
                pilot: matches!(p.slug, "gyor" | "greenville"),
                ..ClusterFacts::new(Tier::Plant)
            },
            ..ClusterRecord::new(plant.clone(), p.site, Tier::Plant)
        });
        for (n, (line, distribution, kernel, nodes)) in p.cells.iter().enumerate() {
            let name = format!("cell-{}-{line}", p.slug);
            let process = line.split('-').next().unwrap_or(line);
            let (decided, rationale) = match (name.as_str(), *kernel) {
                ("cell-gyor-vision-01", _) => ("cilium", Some(CILIUM_MINIMAL_RATIONALE)),
                (_, UBUNTU_20_04) => ("calico", Some(KERNEL_5_4_RATIONALE)),
                _ => ("calico", None),
            };
            clusters.push(ClusterRecord {
                parent: Some(plant.clone()),
                labels: labels(&[("line", process), ("zone", "ot-cell")]),
                decided_cni: Some(decided.into()),
                exception_rationale: rationale.map(String::from),
                facts: ClusterFacts {
                    context: Some(p.context),
                    distribution: (*distribution).into(),
                    nodes: *nodes,
                    cores_per_node: Some(4),
                    memory_gib_per_node: Some(8.0),
                    kernel: Some((*kernel).into()),
                    underlay_mtu: Some(1500),
                    pod_cidr: Some(format!("10.{}.{}.0/20", p.octet - 70, n * 16)),
                    pinned_version: cell_pin(p.slug, decided),
                    ..ClusterFacts::new(Tier::Cell)
                },
                ..ClusterRecord::new(name, p.site, Tier::Cell)
            });
        }
    }
    FleetDoc::new(sites, clusters)
}

fn pin(v: &str) -> Option<CniVersion> {
    CniVersion::parse(v).ok()
}

/// The plants' pins: supported, end of life (Brno on Calico 3.30), and the Querétaro plant whose
/// observed version drifts from its pin (see the demo observations).
fn plant_pin(slug: &str) -> Option<CniVersion> {
    pin(match slug {
        "leipzig" => "3.31.7",
        "brno" => "3.30.7",
        "gyor" => "1.19.7",
        "monterrey" => "3.31.5",
        "greenville" => "1.20.1",
        _ => "3.31.7",
    })
}

/// The cells' pins: Leipzig's still on end-of-life Calico 3.26, Monterrey's on 3.30 (end of life),
/// Brno's unpinned, Győr's Cilium-minimal vision cell on end-of-life Cilium 1.14.
fn cell_pin(slug: &str, decided: &str) -> Option<CniVersion> {
    match (slug, decided) {
        (_, "cilium") => pin("1.14.19"),
        ("leipzig", _) => pin("3.26.5"),
        ("brno", _) => None,
        ("monterrey", _) => pin("3.30.7"),
        ("queretaro", _) => pin("3.32.1"),
        _ => pin("3.31.7"),
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}
