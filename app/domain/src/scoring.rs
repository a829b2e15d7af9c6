//! Weighted totals, ranks, winner and margin, in exact integer arithmetic.
//!
//! A total is Σ weight (tenths of a percent) × score (0–5), so `1000` units are one score point:
//! the seed's Cilium total 4.20 is `4200`. The browser and the server run this same code.

use serde::{Deserialize, Serialize};

use crate::{ScoreTable, Weights};

/// Units of a total per score point (weights are in tenths of a percent).
pub const UNITS_PER_POINT: u32 = 1000;

/// One candidate's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateResult {
    /// Candidate key.
    pub candidate: String,
    /// Σ weight × score in thousandths of a score point.
    pub total: u32,
    /// 1 for the best; equal totals share a rank.
    pub rank: u32,
    /// Weight × score per criterion, in model order.
    pub contributions: Vec<u32>,
}

/// The outcome of one weighting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// Results ordered by rank (ties in model order).
    pub results: Vec<CandidateResult>,
    /// The strict leader, or `None` when the top is tied or nothing is scored.
    pub winner: Option<String>,
    /// Leader's total minus the runner-up's, in thousandths of a point.
    pub margin: u32,
    /// True when the margin is at least 10 % of the winner's total.
    pub clear_winner: bool,
}

/// Scores every candidate in `table` with `weights` (aligned with the table's columns).
pub fn evaluate(table: &ScoreTable, weights: &Weights) -> Evaluation {
    let mut results: Vec<CandidateResult> = table
        .candidates
        .iter()
        .zip(&table.rows)
        .map(|(key, row)| {
            let contributions: Vec<u32> = row.iter().zip(&weights.0).map(|(&s, &w)| u32::from(s) * w).collect();
            CandidateResult { candidate: key.clone(), total: contributions.iter().sum(), rank: 0, contributions }
        })
        .collect();
    // Stable sort keeps model order among equal totals.
    results.sort_by_key(|r| std::cmp::Reverse(r.total));
    let mut rank = 0;
    let mut prev = None;
    for (n, r) in results.iter_mut().enumerate() {
        if prev != Some(r.total) {
            rank = n as u32 + 1;
            prev = Some(r.total);
        }
        r.rank = rank;
    }
    let (winner, margin) = match results.as_slice() {
        [] => (None, 0),
        [only] => (Some(only.candidate.clone()), only.total),
        [first, second, ..] if first.total > second.total => {
            (Some(first.candidate.clone()), first.total - second.total)
        }
        _ => (None, 0),
    };
    let clear_winner = winner.is_some() && results.first().is_some_and(|w| margin * 10 >= w.total);
    Evaluation { results, winner, margin, clear_winner }
}

/// A total (or margin) in thousandths as a score number (`4200` → `4.2`).
pub fn points(units: u32) -> f64 {
    f64::from(units) / f64::from(UNITS_PER_POINT)
}

/// A total as text with two decimals, rounded half up (`4200` → `4.20`).
pub fn format_points(units: u32) -> String {
    let hundredths = (units + 5) / 10;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}
