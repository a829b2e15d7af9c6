//! Fleet tests on the demo and synthetic fleets: they validate, and every demo cluster's
//! recommendation follows the seed's per-tier table or is a recorded exception with a rationale.
//! Reference profiles are picked by [`pick_profile`] with ids = their index in the reference list;
//! the day is 2026-11-26 (Cilium 1.20 and Calico 3.32 current).

#![allow(clippy::unwrap_used)]

use super::*;
use crate::catalog::{Catalog, catalog};
use crate::gates::codes;
use crate::reference::reference;
use crate::{BgpFabric, Context, Model, NaiveDate, Tier, Weights};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// The model, the reference profiles' names and weights, and their `(id, tier, context)` keys.
struct Setup {
    model: Model,
    names: Vec<String>,
    weights: Vec<Weights>,
    keys: Vec<(i64, Option<Tier>, Option<Context>)>,
    catalog: Catalog,
}

fn setup() -> Setup {
    let r = reference().unwrap();
    let model = r.model();
    let weights = r.profiles.iter().map(|p| Weights::from_percent_map(&model, &p.weights).unwrap()).collect();
    Setup {
        names: r.profiles.iter().map(|p| p.name.clone()).collect(),
        keys: r.profiles.iter().enumerate().map(|(i, p)| (i as i64, p.tier, p.context)).collect(),
        weights,
        model,
        catalog: catalog().unwrap(),
    }
}

impl Setup {
    fn recommend(&self, c: &ClusterRecord) -> Recommendation {
        let id = pick_profile(&self.keys, c.facts.tier, c.facts.context, c.profile_id).unwrap();
        let i = id as usize;
        let choice = ProfileChoice { id, name: &self.names[i], weights: &self.weights[i] };
        recommend(&self.model, choice, c, &self.catalog, today()).unwrap()
    }
}

/// The seed ADR's per-tier decision table.
fn seed_table(tier: Tier, context: Option<Context>) -> &'static str {
    match (tier, context) {
        (Tier::Cloud | Tier::Regional, _) | (Tier::Plant, Some(Context::Greenfield) | None) => "cilium",
        (Tier::Plant, Some(Context::Brownfield)) | (Tier::Cell, _) => "calico",
    }
}

#[test]
fn the_demo_fleet_validates() {
    assert_eq!(validate_doc(&demo_fleet(), &[], &[]), []);
}

#[test]
fn the_demo_fleet_has_the_seed_topology() {
    let f = demo_fleet();
    let kind = |k: SiteKind| f.sites.iter().filter(|s| s.kind == k).count();
    assert_eq!((kind(SiteKind::Region), kind(SiteKind::Plant)), (2, 6));
    let tier = |t: Tier| f.clusters.iter().filter(|c| c.facts.tier == t).collect::<Vec<_>>();
    assert_eq!(tier(Tier::Cloud).len(), 1);
    assert_eq!(tier(Tier::Regional).len(), 2);
    let plants = tier(Tier::Plant);
    assert_eq!(plants.len(), 6);
    let brownfield: Vec<_> = plants.iter().filter(|p| p.facts.context == Some(Context::Brownfield)).collect();
    assert_eq!(brownfield.len(), 3);
    assert!(brownfield.iter().all(|p| p.facts.bgp_fabric == BgpFabric::NetworkTeam));
    assert!(
        plants
            .iter()
            .filter(|p| p.facts.context == Some(Context::Greenfield))
            .all(|p| p.facts.bgp_fabric != BgpFabric::NetworkTeam)
    );
    let mtus: Vec<u32> = plants.iter().filter_map(|p| p.facts.underlay_mtu).collect();
    assert!(mtus.contains(&9000) && mtus.contains(&1400), "{mtus:?}");
    assert!(plants.iter().any(|p| p.facts.kernel.as_deref() == Some("4.18.0-553.el8_10.x86_64")));

    let cells = tier(Tier::Cell);
    assert_eq!(cells.len(), 30);
    for c in &cells {
        assert!(["K3s", "MicroK8s"].contains(&c.facts.distribution.as_str()), "{}", c.name);
        assert_eq!((c.facts.cores_per_node, c.facts.memory_gib_per_node), (Some(4), Some(8.0)), "{}", c.name);
        let parent = f.clusters.iter().find(|p| Some(&p.name) == c.parent.as_ref()).unwrap();
        assert_eq!((parent.facts.tier, &parent.site), (Tier::Plant, &c.site), "{}", c.name);
    }
    let on = |prefix: &str| cells.iter().filter(|c| c.facts.kernel.as_deref().unwrap().starts_with(prefix)).count();
    assert_eq!(on("5.4."), 3);
    assert!(on("5.10.") >= 10 && on("5.15.") >= 10);
}

#[test]
fn every_demo_decision_follows_the_seed_table_or_is_an_exception_with_a_rationale() {
    let s = setup();
    let demo = demo_fleet();
    let (mut follows, mut exceptions) = (0, Vec::new());
    for c in &demo.clusters {
        let r = s.recommend(c);
        let expected = seed_table(c.facts.tier, c.facts.context);
        let decided = c.decided_cni.as_deref();
        if !r.exception {
            assert_eq!(r.winner.as_deref(), Some(expected), "{}: the recommendation breaks the seed table", c.name);
            assert_eq!(decided, Some(expected), "{}", c.name);
            assert_eq!(c.exception_rationale, None, "{}: a rationale without an exception", c.name);
            follows += 1;
        } else {
            assert!(!r.exception_needs_rationale, "{}: an exception without a rationale", c.name);
            assert!(c.exception_rationale.as_ref().unwrap().len() > 100, "{}: say why in words", c.name);
            exceptions.push((c.name.as_str(), r.winner.clone(), decided.unwrap().to_string()));
        }
    }
    assert_eq!(follows, 34);
    let no_winner: Vec<&str> = exceptions.iter().filter(|e| e.1.is_none()).map(|e| e.0).collect();
    assert_eq!(no_winner, ["cell-leipzig-paint-01", "cell-brno-weld-01", "cell-monterrey-press-02"]);
    let against: Vec<(&str, String)> =
        exceptions.iter().filter_map(|e| e.1.as_ref().map(|w| (e.0, format!("{w}→{}", e.2)))).collect();
    assert_eq!(
        against,
        [("cell-gyor-vision-01", "calico→cilium".to_string()), ("plant-queretaro", "cilium→calico".to_string())]
    );
}

#[test]
fn demo_cells_on_kernel_5_4_are_knocked_out_for_both_current_releases() {
    let s = setup();
    let f = demo_fleet();
    let c = f.clusters.iter().find(|c| c.name == "cell-brno-weld-01").unwrap();
    let r = s.recommend(c);
    for o in &r.results {
        assert!(o.knocked_out, "{o:?}");
        assert_eq!(o.gate_codes[0], codes::KERNEL_BELOW_RELEASE_MINIMUM);
    }
    assert!(r.exception && !r.exception_needs_rationale);
}

#[test]
fn the_wan_limited_plant_warns_about_the_pod_mtu_and_its_asymmetric_underlay() {
    let s = setup();
    let f = demo_fleet();
    let c = f.clusters.iter().find(|c| c.name == "plant-monterrey").unwrap();
    let r = s.recommend(c);
    assert_eq!(r.winner.as_deref(), Some("calico"));
    let calico = r.results.iter().find(|o| o.candidate == "calico").unwrap();
    assert!(calico.gate_codes.contains(&codes::ASYMMETRIC_UNDERLAY_DSR.to_string()), "{calico:?}");
    // Native routing over the BGP fabric, WireGuard on the WAN: 1400 − 60.
    assert_eq!(r.pod_mtu["calico"], Some(1340));
    assert!(calico.gate_codes.contains(&codes::POD_MTU_LOW.to_string()));
}

#[test]
fn synthetic_fleets_of_0_1_and_1000_clusters_validate() {
    for n in [0, 1, 2, 7, 1000] {
        let f = synthetic_fleet(n, 42);
        assert_eq!(f.clusters.len(), n);
        assert_eq!(validate_doc(&f, &[], &[]), [], "{n} clusters");
    }
}

#[test]
fn every_synthetic_cluster_gets_a_recommendation() {
    let s = setup();
    let f = synthetic_fleet(1000, 9);
    let mut winners = std::collections::BTreeMap::<Option<String>, usize>::new();
    for c in &f.clusters {
        *winners.entry(s.recommend(c).winner).or_default() += 1;
    }
    assert!(winners.get(&Some("calico".into())).is_some_and(|n| *n > 500), "{winners:?}");
    assert!(winners.contains_key(&Some("cilium".into())), "{winners:?}");
    assert!(winners.contains_key(&None), "some 5.4 cells: {winners:?}");
}

#[test]
fn a_synthetic_fleet_does_not_collide_with_the_demo_or_another_seed() {
    let demo = demo_fleet();
    let a = synthetic_fleet(200, 1);
    let b = synthetic_fleet(200, 2);
    let mut doc = demo.clone();
    for f in [a, b] {
        doc.sites.extend(f.sites);
        doc.clusters.extend(f.clusters);
    }
    assert_eq!(validate_doc(&doc, &[], &[]), []);
}
