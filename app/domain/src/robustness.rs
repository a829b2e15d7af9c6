//! How sure is a decision? Stochastic multicriteria acceptability analysis (SMAA-2).
//!
//! Weight vectors are drawn many times — uniformly on the simplex, within a band around a
//! profile's weights, or within per-criterion ranges (the stakeholders' spread) — optionally with
//! every score moved by up to one point within 0–5, and each draw ranks the candidates. The
//! result per candidate:
//! - **rank acceptability**: the share of draws in which it ranks 1st, 2nd, …;
//! - **central weight vector**: the mean weights of the draws it wins (fractions of 1);
//! - **confidence factor**: the share of score draws in which it wins with its central weights
//!   (1 when scores are exact and it wins there).
//!
//! Deterministic for a seed, and the same natively and in WASM: weights are integers drawn from
//! a seeded PCG generator, totals are integer sums, and ties share their ranks equally (no
//! floating-point transcendental functions, whose results differ between platforms).

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::weights::FULL;
use crate::{MAX_SCORE, ScoreTable, ValidationError, Weights};

/// Draws when none is asked for: the shares are then within ±1 % at 95 % confidence.
pub const DEFAULT_SAMPLES: u32 = 10_000;

/// Most draws one analysis may take.
pub const MAX_SAMPLES: u32 = 200_000;

/// Resolution of a drawn weight vector (its parts sum to about this).
const SCALE: u64 = 1 << 20;

/// Ties share ranks in units of 1/2520, exact for up to ten tied candidates.
const SHARE: u64 = 2520;

/// Where the weight vectors come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sampling {
    /// Uniformly over every weighting (nothing known about the weights).
    Simplex,
    /// Each weight uniformly within `band` tenths of a percent of `center`'s (clipped to
    /// 0–100 %); `band` 0 is `center` exactly.
    Band {
        /// The weights in tenths of a percent.
        center: Weights,
        /// Half-width in tenths of a percent.
        band: u32,
    },
    /// Each weight uniformly within its own range, in tenths of a percent (e.g. from the lowest to
    /// the highest weight stakeholders gave the criterion).
    Ranges {
        /// Lower bounds.
        lo: Vec<u32>,
        /// Upper bounds.
        hi: Vec<u32>,
    },
}

/// An analysis to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmaaOptions {
    /// Weight draws.
    pub samples: u32,
    /// Seed of the generator: the same seed gives the same result.
    pub seed: u64,
    /// Where the weights come from.
    pub sampling: Sampling,
    /// Move every score by −1, 0 or +1 (within 0–5) in each draw.
    pub perturb_scores: bool,
}

impl SmaaOptions {
    /// `samples` draws within `band` tenths of a percent around `weights`.
    pub fn around(weights: &Weights, band: u32, samples: u32, seed: u64) -> Self {
        SmaaOptions { samples, seed, sampling: Sampling::Band { center: weights.clone(), band }, perturb_scores: false }
    }
}

/// What the draws say about each candidate (in the table's candidate order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptability {
    /// Draws made.
    pub samples: u32,
    /// Candidate keys.
    pub candidates: Vec<String>,
    /// Per candidate, the share of draws in which it ranked 1st, 2nd, … (each row and each rank
    /// column sums to 1).
    pub rank_acceptability: Vec<Vec<f64>>,
    /// Per candidate, the mean weights (fractions of 1, criteria order) of the draws it won;
    /// `None` when it never won.
    pub central_weights: Vec<Option<Vec<f64>>>,
    /// Per candidate, the share of score draws in which it wins with its central weights;
    /// `None` when it never won.
    pub confidence: Vec<Option<f64>>,
}

impl Acceptability {
    /// First-rank acceptability of `candidate` (0 when unknown).
    pub fn first_rank(&self, candidate: &str) -> f64 {
        self.candidates
            .iter()
            .position(|c| c == candidate)
            .and_then(|i| self.rank_acceptability[i].first().copied())
            .unwrap_or(0.0)
    }
}

/// Runs the analysis on `table` (its candidates and criteria) with `options`.
pub fn smaa(table: &ScoreTable, options: &SmaaOptions) -> Result<Acceptability, ValidationError> {
    let n = table.candidates.len();
    let m = table.rows.first().map_or(0, Vec::len);
    check(options, m)?;
    let mut rng = Pcg64Mcg::seed_from_u64(options.seed);
    let mut ranks = vec![vec![0u64; n]; n];
    let mut central = vec![vec![0f64; m]; n];
    let mut won = vec![0u64; n];
    let mut weights = vec![0u64; m];
    let mut scores = table.rows.clone();
    let mut totals = vec![0u64; n];
    let mut order: Vec<usize> = (0..n).collect();
    for _ in 0..options.samples {
        draw_weights(&options.sampling, &mut rng, &mut weights);
        if options.perturb_scores {
            perturb(&table.rows, &mut scores, &mut rng);
        }
        let sum: u64 = weights.iter().sum();
        rank_draw(&scores, &weights, &mut totals, &mut order, |candidate, rank, share| {
            ranks[candidate][rank] += share;
            if rank == 0 {
                won[candidate] += share;
                if sum > 0 {
                    for (c, &w) in central[candidate].iter_mut().zip(&weights) {
                        *c += (w as f64 / sum as f64) * (share as f64 / SHARE as f64);
                    }
                }
            }
        });
    }
    let draws = u64::from(options.samples.max(1)) * SHARE;
    let rank_acceptability = ranks.iter().map(|row| row.iter().map(|&c| c as f64 / draws as f64).collect()).collect();
    let central_weights: Vec<Option<Vec<f64>>> = central
        .into_iter()
        .zip(&won)
        .map(|(sums, &w)| (w > 0).then(|| sums.iter().map(|s| s / (w as f64 / SHARE as f64)).collect()))
        .collect();
    let confidence = central_weights
        .iter()
        .enumerate()
        .map(|(i, cw)| cw.as_ref().map(|cw| confidence_of(table, i, cw, options)))
        .collect();
    Ok(Acceptability {
        samples: options.samples,
        candidates: table.candidates.clone(),
        rank_acceptability,
        central_weights,
        confidence,
    })
}

fn check(options: &SmaaOptions, criteria: usize) -> Result<(), ValidationError> {
    let mut err = ValidationError::default();
    if options.samples == 0 || options.samples > MAX_SAMPLES {
        err.add("samples", format!("{} draws asked; give 1 to {MAX_SAMPLES} (10,000 is ±1 %)", options.samples));
    }
    match &options.sampling {
        Sampling::Simplex => {}
        Sampling::Band { center, band } => {
            if center.0.len() != criteria {
                err.add("weights", format!("{} weights for {criteria} criteria", center.0.len()));
            }
            if *band > FULL {
                err.add("band", "the band is at most 100 percentage points");
            }
        }
        Sampling::Ranges { lo, hi } => {
            if lo.len() != criteria || hi.len() != criteria {
                err.add("ranges", format!("give a range for each of the {criteria} criteria"));
            }
            if lo.iter().zip(hi).any(|(l, h)| l > h || *h > FULL) {
                err.add("ranges", "each range runs from its low to its high weight, within 0–100 %");
            }
        }
    }
    err.into_result(())
}

/// A uniform integer in `lo..=hi` (Lemire's widening multiply; no modulo bias worth naming).
fn between(rng: &mut Pcg64Mcg, lo: u64, hi: u64) -> u64 {
    let span = u128::from(hi - lo) + 1;
    lo + ((u128::from(rng.next_u64()) * span) >> 64) as u64
}

fn draw_weights(sampling: &Sampling, rng: &mut Pcg64Mcg, out: &mut [u64]) {
    match sampling {
        // Uniform on the simplex: the gaps between sorted uniform cut points.
        Sampling::Simplex => {
            let m = out.len();
            let mut cuts: Vec<u64> = (1..m).map(|_| between(rng, 0, SCALE)).collect();
            cuts.sort_unstable();
            let mut prev = 0;
            for (w, cut) in out.iter_mut().zip(cuts.iter().copied().chain(std::iter::once(SCALE))) {
                *w = cut - prev;
                prev = cut;
            }
        }
        // Tenths of a percent × 1024; a draw's scale does not change its ranking, and the central
        // weights are normalised.
        Sampling::Band { center, band } => {
            for (w, &c) in out.iter_mut().zip(&center.0) {
                let (lo, hi) = (c.saturating_sub(*band), (c + band).min(FULL));
                *w = between(rng, u64::from(lo) * 1024, u64::from(hi) * 1024);
            }
        }
        Sampling::Ranges { lo, hi } => {
            for ((w, &l), &h) in out.iter_mut().zip(lo).zip(hi) {
                *w = between(rng, u64::from(l) * 1024, u64::from(h) * 1024);
            }
        }
    }
}

fn perturb(base: &[Vec<u8>], out: &mut [Vec<u8>], rng: &mut Pcg64Mcg) {
    for (row, base_row) in out.iter_mut().zip(base) {
        for (s, &b) in row.iter_mut().zip(base_row) {
            *s = match between(rng, 0, 2) {
                0 => b.saturating_sub(1),
                1 => b,
                _ => (b + 1).min(MAX_SCORE),
            };
        }
    }
}

/// Ranks one draw and reports (candidate, rank, share) for each rank a candidate takes: tied
/// candidates share their ranks equally.
fn rank_draw(
    scores: &[Vec<u8>],
    weights: &[u64],
    totals: &mut [u64],
    order: &mut [usize],
    mut report: impl FnMut(usize, usize, u64),
) {
    for (t, row) in totals.iter_mut().zip(scores) {
        *t = row.iter().zip(weights).map(|(&s, &w)| u64::from(s) * w).sum();
    }
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_unstable_by(|&a, &b| totals[b].cmp(&totals[a]).then(a.cmp(&b)));
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && totals[order[end]] == totals[order[start]] {
            end += 1;
        }
        let k = (end - start) as u64;
        for &c in &order[start..end] {
            for rank in start..end {
                report(c, rank, SHARE / k);
            }
        }
        start = end;
    }
}

/// The share of score draws in which candidate `i` ranks first with weights `cw`.
fn confidence_of(table: &ScoreTable, i: usize, cw: &[f64], options: &SmaaOptions) -> f64 {
    // The central weights on the integer scale of the draws.
    let weights: Vec<u64> = cw.iter().map(|w| (w * SCALE as f64) as u64).collect();
    let n = table.candidates.len();
    let mut totals = vec![0u64; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut first = 0u64;
    let mut tally = |scores: &[Vec<u8>], totals: &mut [u64], order: &mut [usize]| {
        rank_draw(scores, &weights, totals, order, |c, rank, share| {
            if c == i && rank == 0 {
                first += share;
            }
        });
    };
    if !options.perturb_scores {
        tally(&table.rows, &mut totals, &mut order);
        return first as f64 / SHARE as f64;
    }
    let mut rng = Pcg64Mcg::seed_from_u64(options.seed ^ 0x5eed_c0f1_de4c_e000);
    let mut scores = table.rows.clone();
    for _ in 0..options.samples {
        perturb(&table.rows, &mut scores, &mut rng);
        tally(&scores, &mut totals, &mut order);
    }
    first as f64 / (u64::from(options.samples) * SHARE) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::reference;
    use crate::{Tier, evaluate};
    use proptest::prelude::*;

    fn table(rows: Vec<Vec<u8>>) -> ScoreTable {
        ScoreTable { candidates: (0..rows.len()).map(|i| format!("c{i}")).collect(), rows }
    }

    fn options(sampling: Sampling, samples: u32, seed: u64) -> SmaaOptions {
        SmaaOptions { samples, seed, sampling, perturb_scores: false }
    }

    fn seed_model() -> (crate::Model, Weights) {
        let r = reference().expect("the bundled reference data");
        let model = r.model();
        let seed = r.profiles.iter().find(|p| p.name == "Industrial ADR 2026").expect("the seed profile");
        let weights = Weights::from_percent_map(&model, &seed.weights).expect("the seed's weights");
        (model, weights)
    }

    #[test]
    fn the_seed_weights_with_no_band_reproduce_the_winner_every_time() {
        let (model, weights) = seed_model();
        for tier in [None, Some(Tier::Plant), Some(Tier::Cell)] {
            let t = model.score_table(tier);
            let e = evaluate(&t, &weights);
            let a = smaa(&t, &SmaaOptions::around(&weights, 0, 2_000, 7)).expect("valid");
            let winner = e.winner.expect("the seed has a strict winner");
            assert_eq!(a.first_rank(&winner), 1.0, "{tier:?}");
            assert_eq!(a.confidence[a.candidates.iter().position(|c| *c == winner).expect("scored")], Some(1.0));
        }
    }

    #[test]
    fn a_mirror_tie_gives_about_half_each() {
        // Each candidate is best on one of two criteria, by the same amount.
        let t = table(vec![vec![5, 1], vec![1, 5]]);
        let a = smaa(&t, &options(Sampling::Simplex, 10_000, 42)).expect("valid");
        for c in 0..2 {
            assert!((a.rank_acceptability[c][0] - 0.5).abs() < 0.02, "{:?}", a.rank_acceptability);
        }
        // Identical rows tie in every draw and share both ranks exactly.
        let t = table(vec![vec![3, 4], vec![3, 4]]);
        let a = smaa(&t, &options(Sampling::Simplex, 100, 1)).expect("valid");
        assert_eq!(a.rank_acceptability, vec![vec![0.5, 0.5], vec![0.5, 0.5]]);
    }

    #[test]
    fn the_same_seed_gives_the_same_result_and_another_seed_differs() {
        let (model, weights) = seed_model();
        let t = model.score_table(Some(Tier::Plant));
        let run = |seed| {
            let mut o = SmaaOptions::around(&weights, 100, 5_000, seed);
            o.perturb_scores = true;
            smaa(&t, &o).expect("valid")
        };
        assert_eq!(run(9), run(9));
        assert_ne!(run(9).rank_acceptability, run(10).rank_acceptability);
    }

    #[test]
    fn ranges_and_bad_options_are_checked() {
        let t = table(vec![vec![5, 1], vec![1, 5]]);
        // Only the first criterion counts: the first candidate always wins.
        let a = smaa(&t, &options(Sampling::Ranges { lo: vec![500, 0], hi: vec![600, 0] }, 500, 3)).expect("valid");
        assert_eq!(a.rank_acceptability[0], vec![1.0, 0.0]);
        assert!(a.central_weights[1].is_none() && a.confidence[1].is_none());
        let cw = a.central_weights[0].as_ref().expect("it won");
        assert!((cw[0] - 1.0).abs() < 1e-9 && cw[1] == 0.0, "{cw:?}");
        for bad in [
            options(Sampling::Simplex, 0, 1),
            options(Sampling::Simplex, MAX_SAMPLES + 1, 1),
            options(Sampling::Band { center: Weights(vec![500]), band: 10 }, 10, 1),
            options(Sampling::Band { center: Weights(vec![500, 500]), band: 1001 }, 10, 1),
            options(Sampling::Ranges { lo: vec![600, 0], hi: vec![500, 0] }, 10, 1),
        ] {
            assert!(smaa(&t, &bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn shares_sum_to_one_per_rank_and_per_candidate(
            rows in prop::collection::vec(prop::collection::vec(0u8..=5, 4), 2..5),
            seed in any::<u64>(),
            perturb in any::<bool>(),
        ) {
            let t = table(rows);
            let mut o = options(Sampling::Simplex, 400, seed);
            o.perturb_scores = perturb;
            let a = smaa(&t, &o).expect("valid");
            let n = t.candidates.len();
            for r in 0..n {
                let col: f64 = (0..n).map(|c| a.rank_acceptability[c][r]).sum();
                prop_assert!((col - 1.0).abs() < 1e-9, "rank {} sums to {}", r, col);
            }
            for row in &a.rank_acceptability {
                prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            }
            for cw in a.central_weights.iter().flatten() {
                prop_assert!((cw.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{:?}", cw);
            }
        }

        #[test]
        fn a_dominated_candidate_never_ranks_first(
            best in prop::collection::vec(1u8..=5, 5),
            seed in any::<u64>(),
        ) {
            // The second candidate is strictly worse on every criterion.
            let worse: Vec<u8> = best.iter().map(|s| s - 1).collect();
            let t = table(vec![best, worse]);
            let a = smaa(&t, &options(Sampling::Simplex, 300, seed)).expect("valid");
            prop_assert_eq!(a.rank_acceptability[1][0], 0.0);
            prop_assert_eq!(a.rank_acceptability[0][0], 1.0);
        }
    }
}
