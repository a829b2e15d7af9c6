//! Criterion benchmarks of the engine: evaluate, break-even and rebalancing for 2 and 10
//! candidates on the nine seed criteria, and a 10,000-draw robustness analysis (SMAA). Run with `cargo bench -p switchyard-domain`.

#![allow(clippy::unwrap_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use switchyard_domain::reference::reference;
use switchyard_domain::robustness::{SmaaOptions, smaa};
use switchyard_domain::{ScoreTable, Weights, break_even, evaluate};

fn table(candidates: usize) -> (ScoreTable, Weights) {
    let r = reference().unwrap();
    let model = r.model();
    let seed = model.score_table(None);
    let weights = Weights::from_percent_map(&model, &r.profiles[0].weights).unwrap();
    let mut t = ScoreTable { candidates: Vec::new(), rows: Vec::new() };
    for c in 0..candidates {
        t.candidates.push(format!("c{c}"));
        // Vary the seed rows so candidates differ.
        let base = &seed.rows[c % 2];
        let row: Vec<u8> = if c < 2 {
            base.clone()
        } else {
            // Shuffled variants of the seed rows that stay below the leader.
            base.iter().enumerate().map(|(i, &s)| s.saturating_sub(((c + i) % 3) as u8)).collect()
        };
        t.rows.push(row);
    }
    // The benchmark must measure the full analysis, which needs a strict leader.
    assert!(break_even(&t, &weights).is_some());
    (t, weights)
}

fn bench(c: &mut Criterion) {
    for n in [2, 10] {
        let (t, w) = table(n);
        c.bench_function(&format!("evaluate/{n}"), |b| b.iter(|| evaluate(black_box(&t), black_box(&w))));
        c.bench_function(&format!("break_even/{n}"), |b| b.iter(|| break_even(black_box(&t), black_box(&w))));
    }
    let (_, w) = table(2);
    let locked = vec![false; w.len()];
    c.bench_function("rebalance/9", |b| b.iter(|| w.rebalance(black_box(&locked), 6, black_box(312))));
    // Issue 13's budget: 10,000 draws × 2 candidates × 9 criteria (< 10 ms in the browser).
    let (t, w) = table(2);
    let options = SmaaOptions::around(&w, 50, 10_000, 1);
    c.bench_function("smaa/2x9/10000", |b| b.iter(|| smaa(black_box(&t), black_box(&options))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
