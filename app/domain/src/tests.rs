//! Engine tests: the seed regression, the per-tier decision table and the invariants.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::collections::BTreeMap;

use crate::break_even::totals_at;
use crate::reference::reference;
use crate::*;

fn seed() -> (Model, Vec<reference::ProfileSeed>) {
    let r = reference().unwrap();
    (r.model(), r.profiles)
}

fn profile_weights(model: &Model, name: &str) -> (Weights, Option<Tier>) {
    let (_, profiles) = seed();
    let p = profiles.iter().find(|p| p.name == name).unwrap();
    (Weights::from_percent_map(model, &p.weights).unwrap(), p.tier)
}

#[test]
fn reference_data_is_valid() {
    let (model, profiles) = seed();
    model.validate().unwrap();
    assert_eq!(model.criteria.len(), 9);
    assert_eq!(profiles.len(), 6);
    for p in &profiles {
        Weights::from_percent_map(&model, &p.weights).unwrap();
    }
}

#[test]
fn seed_weights_give_cilium_4_20_and_calico_3_60() {
    let (model, _) = seed();
    let (w, _) = profile_weights(&model, "Industrial ADR 2026");
    let e = evaluate(&model.score_table(None), &w);
    assert_eq!(e.winner.as_deref(), Some("cilium"));
    assert_eq!((e.results[0].candidate.as_str(), e.results[0].total), ("cilium", 4200));
    assert_eq!((e.results[1].candidate.as_str(), e.results[1].total), ("calico", 3600));
    assert_eq!(format_points(e.results[0].total), "4.20");
    assert_eq!(format_points(e.margin), "0.60");
    assert!(e.clear_winner, "0.60 is 14 % of 4.20");
}

#[test]
fn every_tier_profile_reproduces_the_seed_decision_table() {
    let (model, profiles) = seed();
    for p in &profiles {
        let expected = match (p.tier, p.context) {
            (None, _) | (Some(Tier::Cloud | Tier::Regional), _) => "cilium",
            (Some(Tier::Plant), Some(Context::Greenfield)) => "cilium",
            (Some(Tier::Plant), _) => "calico",
            (Some(Tier::Cell), _) => "calico",
        };
        let w = Weights::from_percent_map(&model, &p.weights).unwrap();
        let e = evaluate(&model.score_table(p.tier), &w);
        assert_eq!(e.winner.as_deref(), Some(expected), "profile {}", p.name);
        assert!(e.clear_winner, "profile {} should have a clear winner: {e:?}", p.name);
    }
}

#[test]
fn dismissed_candidates_without_scores_are_not_ranked() {
    let (model, _) = seed();
    let t = model.score_table(None);
    assert_eq!(t.candidates, vec!["cilium", "calico"]);
}

#[test]
fn tier_overrides_replace_only_their_tier() {
    let (model, _) = seed();
    let i = model.criterion_index("performance_footprint").unwrap();
    assert_eq!(model.score_table(Some(Tier::Cell)).rows[0][i], 3);
    assert_eq!(model.score_table(Some(Tier::Cell)).rows[1][i], 5);
    assert_eq!(model.score_table(None).rows[0][i], 4);
    assert_eq!(model.score_table(Some(Tier::Cloud)).rows[0][i], 4);
}

#[test]
fn weights_not_summing_to_100_are_rejected_with_the_difference() {
    let (model, _) = seed();
    let mut map: BTreeMap<String, f64> = model.criteria.iter().map(|c| (c.key.clone(), 10.0)).collect();
    let err = Weights::from_percent_map(&model, &map).unwrap_err();
    assert!(err.fields["weights"].contains("90.0 %"), "{err}");
    assert!(err.fields["weights"].contains("add 10.0"), "{err}");
    map.insert("identity_policy".into(), 20.5);
    let err = Weights::from_percent_map(&model, &map).unwrap_err();
    assert!(err.fields["weights"].contains("take 0.5 off"), "{err}");
}

#[test]
fn negative_unknown_missing_and_too_precise_weights_name_their_field() {
    let (model, _) = seed();
    let mut map: BTreeMap<String, f64> = model.criteria.iter().map(|c| (c.key.clone(), 10.0)).collect();
    map.insert("identity_policy".into(), -5.0);
    map.insert("l7_policy".into(), 10.25);
    map.remove("governance");
    map.insert("colour".into(), 3.0);
    let err = Weights::from_percent_map(&model, &map).unwrap_err();
    assert!(err.fields["weights.identity_policy"].contains("negative"));
    assert!(err.fields["weights.l7_policy"].contains("one decimal"));
    assert!(err.fields["weights.governance"].contains("missing"));
    assert!(err.fields["weights.colour"].contains("unknown criterion"));
}

#[test]
fn equal_totals_share_a_rank_and_have_no_winner() {
    let table = ScoreTable { candidates: vec!["a".into(), "b".into()], rows: vec![vec![5, 3], vec![3, 5]] };
    let e = evaluate(&table, &Weights(vec![500, 500]));
    assert_eq!(e.results[0].rank, 1);
    assert_eq!(e.results[1].rank, 1);
    assert_eq!(e.winner, None);
    assert!(!e.clear_winner);
}

#[test]
fn a_margin_under_ten_percent_is_no_clear_winner() {
    let table = ScoreTable { candidates: vec!["a".into(), "b".into()], rows: vec![vec![5, 4], vec![4, 5]] };
    let e = evaluate(&table, &Weights(vec![550, 450]));
    assert_eq!(e.winner.as_deref(), Some("a"));
    assert_eq!(e.margin, 100);
    assert!(!e.clear_winner, "0.10 of 4.55 is 2 %");
}

#[test]
fn rebalancing_keeps_the_sum_and_the_locks() {
    let (model, _) = seed();
    let (w, _) = profile_weights(&model, "Industrial ADR 2026");
    let bgp = model.criterion_index("bgp_underlay").unwrap();
    let mut locked = vec![false; 9];
    locked[0] = true;
    let r = w.rebalance(&locked, bgp, 300).unwrap();
    assert_eq!(r.sum(), FULL);
    assert_eq!(r.0[bgp], 300);
    assert_eq!(r.0[0], 150);
}

#[test]
fn rebalancing_clamps_to_what_the_locks_leave() {
    let w = Weights(vec![400, 300, 300]);
    let r = w.rebalance(&[true, false, false], 1, 900).unwrap();
    assert_eq!(r.0, vec![400, 600, 0]);
    assert!(w.rebalance(&[true, false, false], 0, 10).is_err(), "a locked criterion cannot move");
}

#[test]
fn seed_bgp_break_even_is_where_calico_ties() {
    let (model, _) = seed();
    let (w, _) = profile_weights(&model, "Industrial ADR 2026");
    let table = model.score_table(None);
    let be = break_even(&table, &w).unwrap();
    let bgp = model.criterion_index("bgp_underlay").unwrap();
    let flip = be[bgp].above.as_ref().unwrap();
    assert_eq!(flip.challenger, "calico");
    // Cilium 4.2 − 0.3 = 3.9 on the other 90 %, Calico 3.1: 3.9(1−t)/0.9 + 3t = 3.1(1−t)/0.9 + 5t ⇒ t = 8/26.
    assert!((flip.weight.percent() - 800.0 / 26.0).abs() < 1e-9, "{:?}", flip.weight.percent());
    assert!(be[bgp].below.is_none());
    let enc = model.criterion_index("encryption").unwrap();
    assert!(be[enc].never_flips() || be[enc].above.is_some());
}

fn arb_weights(n: usize) -> impl Strategy<Value = Weights> {
    proptest::collection::vec(0u64..=100, n).prop_map(|basis| {
        let parts = weights::apportion(u64::from(FULL), &basis);
        Weights(parts.into_iter().map(|p| p as u32).collect())
    })
}

proptest! {
    #[test]
    fn rebalancing_sums_to_100_and_holds_locks(
        w in arb_weights(9),
        locked in proptest::collection::vec(any::<bool>(), 9),
        index in 0usize..9,
        value in 0u32..=1000,
    ) {
        prop_assume!(!locked[index]);
        let r = w.rebalance(&locked, index, value).unwrap();
        prop_assert_eq!(r.sum(), FULL);
        for (j, &is_locked) in locked.iter().enumerate() {
            if is_locked { prop_assert_eq!(r.0[j], w.0[j]); }
        }
        let locked_sum: u32 = (0..9).filter(|&j| locked[j]).map(|j| w.0[j]).sum();
        prop_assert_eq!(r.0[index], value.min(FULL - locked_sum).max(if (0..9).all(|j| j == index || locked[j]) { FULL - locked_sum } else { 0 }));
    }

    #[test]
    fn at_the_break_even_weight_the_two_leaders_tie(
        w in arb_weights(5),
        rows in proptest::collection::vec(proptest::collection::vec(0u8..=5, 5), 2..5),
    ) {
        let table = ScoreTable { candidates: (0..rows.len()).map(|i| format!("c{i}")).collect(), rows };
        let e = evaluate(&table, &w);
        let Some(be) = break_even(&table, &w) else {
            prop_assert!(e.winner.is_none() || table.rows.len() < 2);
            return Ok(());
        };
        let winner = table.candidates.iter().position(|c| Some(c) == e.winner.as_ref()).unwrap();
        for (i, b) in be.iter().enumerate() {
            for flip in b.below.iter().chain(b.above.iter()) {
                let (totals, _) = totals_at(&table, &w, i, flip.weight);
                let c = table.candidates.iter().position(|k| *k == flip.challenger).unwrap();
                prop_assert_eq!(totals[winner], totals[c]);
                // Nobody is strictly ahead of the two at that point.
                prop_assert!(totals.iter().all(|&t| t <= totals[winner]));
            }
        }
    }

    #[test]
    fn totals_are_monotone_in_a_score(w in arb_weights(9), i in 0usize..9) {
        let (model, _) = seed();
        let mut table = model.score_table(None);
        let before = evaluate(&table, &w).results.iter().find(|r| r.candidate == "calico").unwrap().total;
        if table.rows[1][i] < 5 { table.rows[1][i] += 1; }
        let after = evaluate(&table, &w).results.iter().find(|r| r.candidate == "calico").unwrap().total;
        prop_assert!(after >= before);
    }
}
