//! Break-even analysis: for each criterion, the weight at which the winner changes when that
//! criterion's weight moves and the other weights are rescaled proportionally.
//!
//! With criterion `i` at weight `t` and the others scaled by `(FULL - t) / (FULL - wᵢ)`, every total
//! is linear in `t`, so each challenger overtakes the winner at most once. The break-even points
//! are exact rationals; the nearest one below and above the current weight is reported.

use serde::{Deserialize, Serialize};

use crate::{ScoreTable, Weights, weights::FULL};

/// A weight, in tenths of a percent, as the exact fraction `num / den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratio {
    /// Numerator.
    pub num: i128,
    /// Denominator, always positive.
    pub den: i128,
}

impl Ratio {
    /// The value in tenths of a percent.
    pub fn tenths(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The value in percent.
    pub fn percent(self) -> f64 {
        self.tenths() / 10.0
    }

    /// The value in percent with one decimal, e.g. `"27.3"`, rounded half up: integer
    /// arithmetic, so the browser bundle needs no float formatting.
    pub fn percent_text(self) -> String {
        let tenths = (2 * self.num + self.den).div_euclid(2 * self.den);
        crate::weights::format_tenths(u64::try_from(tenths.max(0)).unwrap_or(u64::MAX))
    }

    fn cmp_int(self, v: i128) -> std::cmp::Ordering {
        self.num.cmp(&(v * self.den))
    }
}

/// Where the winner changes when one criterion's weight moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flip {
    /// The weight at which the challenger ties the winner.
    pub weight: Ratio,
    /// Who takes the lead past that weight.
    pub challenger: String,
}

/// The break-even analysis of one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakEven {
    /// Current weight in tenths.
    pub current: u32,
    /// Nearest flip when lowering the weight (towards 0 %).
    pub below: Option<Flip>,
    /// Nearest flip when raising the weight (towards 100 %).
    pub above: Option<Flip>,
}

impl BreakEven {
    /// True when no weight between 0 and 100 % changes the winner.
    pub fn never_flips(&self) -> bool {
        self.below.is_none() && self.above.is_none()
    }
}

/// Per-criterion break-even points for the strict leader of `table` under `weights`, or `None`
/// when there is no strict leader (a tie or fewer than two candidates).
pub fn break_even(table: &ScoreTable, weights: &Weights) -> Option<Vec<BreakEven>> {
    if table.rows.len() < 2 {
        return None;
    }
    let totals: Vec<i128> = table.rows.iter().map(|row| dot(row, &weights.0)).collect();
    let (winner, &best) = totals.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    if totals.iter().filter(|&&t| t == best).count() > 1 {
        return None;
    }
    let full = i128::from(FULL);
    let n = weights.0.len();
    Some(
        (0..n)
            .map(|i| {
                let wi = i128::from(weights.0[i]);
                let mut result = BreakEven { current: weights.0[i], below: None, above: None };
                for (c, row) in table.rows.iter().enumerate() {
                    if c == winner {
                        continue;
                    }
                    let Some(t) = tie_point(&table.rows[winner], row, &weights.0, i, totals[winner] - totals[c]) else {
                        continue;
                    };
                    // A tie exactly at 0 % or 100 % is not an overtake: there is no weight beyond it.
                    if t.num <= 0 || t.cmp_int(full).is_ge() {
                        continue;
                    }
                    let flip = Flip { weight: t, challenger: table.candidates[c].clone() };
                    if t.cmp_int(wi).is_lt() {
                        if result.below.as_ref().is_none_or(|b| greater(t, b.weight)) {
                            result.below = Some(flip);
                        }
                    } else if result.above.as_ref().is_none_or(|a| greater(a.weight, t)) {
                        result.above = Some(flip);
                    }
                }
                result
            })
            .collect(),
    )
}

/// The weight of criterion `i` at which `challenger` ties `winner`, when the line crosses.
fn tie_point(winner: &[u8], challenger: &[u8], w: &[u32], i: usize, margin: i128) -> Option<Ratio> {
    let full = i128::from(FULL);
    let wi = i128::from(w[i]);
    let a = i128::from(winner[i]) - i128::from(challenger[i]);
    // `b / den` is the winner's lead per unit of the *other* weights; when the others are all zero
    // (wᵢ = 100 %) they are taken as equal shares, as the rebalancer does.
    let (b, den) = if wi < full {
        (margin - wi * a, full - wi)
    } else {
        let others = (w.len() as i128) - 1;
        if others == 0 {
            return None;
        }
        let diff: i128 =
            (0..w.len()).filter(|&j| j != i).map(|j| i128::from(winner[j]) - i128::from(challenger[j])).sum();
        (diff, others)
    };
    // den·D(t) = t·den·a + (FULL − t)·b = 0  ⇒  t = FULL·b / (b − den·a)
    let slope = b - den * a;
    if slope == 0 {
        return None;
    }
    let (num, d) = (full * b, slope);
    Some(if d < 0 { Ratio { num: -num, den: -d } } else { Ratio { num, den: d } })
}

fn greater(x: Ratio, y: Ratio) -> bool {
    x.num * y.den > y.num * x.den
}

fn dot(row: &[u8], w: &[u32]) -> i128 {
    row.iter().zip(w).map(|(&s, &w)| i128::from(s) * i128::from(w)).sum()
}

/// Exact totals of every candidate with criterion `i` set to `t` and the others rescaled
/// proportionally, as numerators over the common denominator returned alongside.
pub fn totals_at(table: &ScoreTable, weights: &Weights, i: usize, t: Ratio) -> (Vec<i128>, i128) {
    let full = i128::from(FULL);
    let wi = i128::from(weights.0[i]);
    let n = weights.0.len() as i128;
    let rest_den = if wi < full { full - wi } else { n - 1 };
    let den = t.den * rest_den;
    let totals = table
        .rows
        .iter()
        .map(|row| {
            let rest: i128 = if wi < full {
                dot(row, &weights.0) - wi * i128::from(row[i])
            } else {
                (0..row.len()).filter(|&j| j != i).map(|j| i128::from(row[j])).sum()
            };
            t.num * i128::from(row[i]) * rest_den + (full * t.den - t.num) * rest
        })
        .collect();
    (totals, den)
}
