//! Criterion benchmarks of the fleet at 10,000 clusters (a synthetic fleet): the recommendation
//! of every cluster, the document check, and with `--features interchange` CSV and YAML import.
//! Run with `cargo bench -p switchyard-domain --all-features --bench fleet`.

#![allow(clippy::unwrap_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use switchyard_domain::catalog::catalog;
use switchyard_domain::fleet::{ProfileChoice, Recommender, pick_profile, synthetic_fleet, validate_doc};
use switchyard_domain::reference::reference;
use switchyard_domain::{NaiveDate, Weights};

const CLUSTERS: usize = 10_000;

fn bench(c: &mut Criterion) {
    let r = reference().unwrap();
    let model = r.model();
    let cat = catalog().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let keys: Vec<_> = r.profiles.iter().enumerate().map(|(i, p)| (i as i64, p.tier, p.context)).collect();
    let weights: Vec<Weights> =
        r.profiles.iter().map(|p| Weights::from_percent_map(&model, &p.weights).unwrap()).collect();
    let fleet = synthetic_fleet(CLUSTERS, 1);

    let mut g = c.benchmark_group("fleet/10000");
    g.sample_size(10);
    g.bench_function("recommend_all", |b| {
        b.iter(|| {
            let rec = Recommender::new(&model, &cat, today);
            for cluster in &fleet.clusters {
                let id = pick_profile(&keys, cluster.facts.tier, cluster.facts.context, cluster.profile_id).unwrap();
                let i = id as usize;
                let p = ProfileChoice { id, name: &r.profiles[i].name, weights: &weights[i] };
                black_box(rec.recommend(p, cluster).unwrap());
            }
        })
    });
    // Robustness (SMAA, 10,000 draws) is computed once per group of identical inputs: the same
    // tier, the same candidates standing, the same profile. This is that part of recommend_all.
    let mut groups = std::collections::BTreeMap::new();
    let rec = Recommender::new(&model, &cat, today);
    for cluster in &fleet.clusters {
        let id = pick_profile(&keys, cluster.facts.tier, cluster.facts.context, cluster.profile_id).unwrap();
        let i = id as usize;
        let p = ProfileChoice { id, name: &r.profiles[i].name, weights: &weights[i] };
        let out = rec.recommend(p, cluster).unwrap();
        let standing: Vec<String> =
            out.results.iter().filter(|o| !o.knocked_out).map(|o| o.candidate.clone()).collect();
        groups.entry((cluster.facts.tier, standing, i)).or_insert(out);
    }
    println!("fleet/10000: {} groups of identical robustness inputs", groups.len());
    g.bench_function("robustness_all_groups", |b| {
        b.iter(|| {
            for ((_, _, i), out) in &groups {
                black_box(out.robustness(&model, &weights[*i]));
            }
        })
    });
    g.bench_function("validate_doc", |b| b.iter(|| validate_doc(black_box(&fleet), &[], &[])));
    #[cfg(feature = "interchange")]
    {
        use switchyard_domain::fleet::{clusters_to_csv, fleet_to_yaml, import_csv, import_yaml};
        let sites: Vec<String> = fleet.sites.iter().map(|s| s.name.clone()).collect();
        let csv = clusters_to_csv(&fleet.clusters);
        let yaml = fleet_to_yaml(&fleet);
        g.bench_function("import_csv", |b| b.iter(|| import_csv(black_box(&csv), &sites, &[]).unwrap()));
        g.bench_function("import_yaml", |b| b.iter(|| import_yaml(black_box(&yaml), &[], &[]).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
