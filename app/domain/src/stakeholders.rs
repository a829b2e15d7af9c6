//! Several people's weights for one profile (an ADR's decision-makers and consulted): each
//! stakeholder's winner, the spread of every criterion's weight, an aggregate (mean or median,
//! chosen per profile) and whose weights would flip the decision. The ranges feed SMAA
//! ([`crate::robustness::Sampling::Ranges`]).

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::weights::apportion;
use crate::{FULL, ScoreTable, Weights, evaluate};

/// How the stakeholders' weights are combined into one set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// Per criterion, the mean of the stakeholders' weights.
    #[default]
    Mean,
    /// Per criterion, the median (robust to one stakeholder's extreme weight).
    Median,
}

impl Aggregate {
    /// Both, in the order a form offers them.
    pub const ALL: [Aggregate; 2] = [Aggregate::Mean, Aggregate::Median];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::Median => "median",
        }
    }
}

impl FromStr for Aggregate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "mean" => Ok(Aggregate::Mean),
            "median" => Ok(Aggregate::Median),
            other => Err(format!("'{other}' is not an aggregate; use mean or median")),
        }
    }
}

/// One criterion's weights across the stakeholders, in tenths of a percent (mean and median
/// rounded, before the aggregate is rescaled to 100 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spread {
    /// The lowest weight given.
    pub lo: u32,
    /// The highest weight given.
    pub hi: u32,
    /// The mean.
    pub mean: u32,
    /// The median.
    pub median: u32,
}

/// What one stakeholder's own weights decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// Their winner; `None` on a tie.
    pub winner: Option<String>,
    /// Their winner's lead, thousandths of a point.
    pub margin: u32,
    /// Their weights pick another winner than the profile's: they would flip the decision.
    pub flips: bool,
    /// Leaving their weights out of the aggregate changes its winner.
    pub pivotal: bool,
}

/// The stakeholders of one profile, analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Analysis {
    /// The profile's own winner.
    pub profile_winner: Option<String>,
    /// Per stakeholder, in the order given.
    pub outcomes: Vec<Outcome>,
    /// Per criterion, in model order.
    pub spread: Vec<Spread>,
    /// The aggregate weights (tenths of a percent), rescaled to sum to exactly 100 %.
    pub aggregate: Weights,
    /// The aggregate's winner; `None` on a tie or without stakeholders.
    pub aggregate_winner: Option<String>,
    /// The aggregate winner's lead, thousandths of a point.
    pub aggregate_margin: u32,
}

/// Twice the median of sorted values (so an even count needs no fraction).
fn twice_median(sorted: &[u64]) -> u64 {
    let k = sorted.len();
    match k {
        0 => 0,
        _ if k % 2 == 1 => 2 * sorted[k / 2],
        _ => sorted[k / 2 - 1] + sorted[k / 2],
    }
}

/// The `j`th weight of every set, sorted.
fn column(sets: &[&Weights], j: usize) -> Vec<u64> {
    let mut col: Vec<u64> = sets.iter().map(|w| u64::from(w.0.get(j).copied().unwrap_or(0))).collect();
    col.sort_unstable();
    col
}

/// Combines `sets` (each aligned with the model's criteria) into one set summing to exactly
/// 100 % (largest remainder); `None` without any set.
pub fn aggregate(sets: &[&Weights], how: Aggregate) -> Option<Weights> {
    let m = sets.first()?.len();
    let basis: Vec<u64> = (0..m)
        .map(|j| {
            let col = column(sets, j);
            match how {
                Aggregate::Mean => col.iter().sum(),
                Aggregate::Median => twice_median(&col),
            }
        })
        .collect();
    let parts = apportion(u64::from(FULL), &basis);
    Some(Weights(parts.into_iter().map(|p| u32::try_from(p).unwrap_or(FULL)).collect()))
}

/// Per criterion, the lowest and highest weight given: the ranges SMAA samples within. `None`
/// without any set.
pub fn ranges(sets: &[&Weights]) -> Option<(Vec<u32>, Vec<u32>)> {
    let m = sets.first()?.len();
    let col = |j: usize| sets.iter().map(move |w| w.0.get(j).copied().unwrap_or(0));
    Some(((0..m).map(|j| col(j).min().unwrap_or(0)).collect(), (0..m).map(|j| col(j).max().unwrap_or(0)).collect()))
}

fn spread(sets: &[&Weights], j: usize) -> Spread {
    let col = column(sets, j);
    let (Some(&lo), Some(&hi)) = (col.first(), col.last()) else {
        return Spread { lo: 0, hi: 0, mean: 0, median: 0 };
    };
    let k = col.len() as u64;
    let rounded = |num: u64, den: u64| u32::try_from((2 * num + den) / (2 * den)).unwrap_or(FULL);
    let narrow = |v: u64| u32::try_from(v).unwrap_or(FULL);
    Spread {
        lo: narrow(lo),
        hi: narrow(hi),
        mean: rounded(col.iter().sum(), k),
        median: rounded(twice_median(&col), 2),
    }
}

/// Analyses `stakeholders`' weights against `profile`'s on `table` (the profile's tier applied).
pub fn analyse(table: &ScoreTable, profile: &Weights, stakeholders: &[&Weights], how: Aggregate) -> Analysis {
    let profile_winner = evaluate(table, profile).winner;
    let m = profile.len();
    let (aggregate_winner, aggregate_margin, aggregate_weights) = match aggregate(stakeholders, how) {
        Some(w) => {
            let e = evaluate(table, &w);
            (e.winner, e.margin, w)
        }
        None => (None, 0, Weights(vec![0; m])),
    };
    let outcomes = stakeholders
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let own = evaluate(table, w);
            let others: Vec<&Weights> =
                stakeholders.iter().enumerate().filter(|&(k, _)| k != i).map(|(_, w)| *w).collect();
            let pivotal = aggregate(&others, how).is_some_and(|a| evaluate(table, &a).winner != aggregate_winner);
            Outcome { flips: own.winner != profile_winner, winner: own.winner, margin: own.margin, pivotal }
        })
        .collect();
    Analysis {
        profile_winner,
        outcomes,
        spread: (0..m).map(|j| spread(stakeholders, j)).collect(),
        aggregate: aggregate_weights,
        aggregate_winner,
        aggregate_margin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::robustness::{Sampling, SmaaOptions, smaa};
    use proptest::prelude::*;

    /// Two criteria: the first favours "a", the second "b".
    fn table() -> ScoreTable {
        ScoreTable { candidates: vec!["a".into(), "b".into()], rows: vec![vec![5, 1], vec![1, 5]] }
    }

    #[test]
    fn mean_and_median_sum_to_one_hundred_percent() {
        let (x, y, z) = (Weights(vec![700, 300]), Weights(vec![600, 400]), Weights(vec![0, 1000]));
        let sets = [&x, &y, &z];
        // Mean: 433.3 / 566.7.
        assert_eq!(aggregate(&sets, Aggregate::Mean), Some(Weights(vec![433, 567])));
        // Median: 600 / 400 (the extreme third stakeholder does not move it).
        assert_eq!(aggregate(&sets, Aggregate::Median), Some(Weights(vec![600, 400])));
        assert_eq!(aggregate(&[], Aggregate::Mean), None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_middle_pair_rescaled() {
        let (x, y) = (Weights(vec![500, 300, 200]), Weights(vec![400, 300, 300]));
        // Medians 450 / 300 / 250 already sum to 1000.
        assert_eq!(aggregate(&[&x, &y], Aggregate::Median), Some(Weights(vec![450, 300, 250])));
        assert_eq!(spread(&[&x, &y], 0), Spread { lo: 400, hi: 500, mean: 450, median: 450 });
    }

    #[test]
    fn a_stakeholder_who_picks_another_winner_flips_and_a_swing_vote_is_pivotal() {
        let profile = Weights(vec![600, 400]);
        let (net, sec, plat) = (Weights(vec![800, 200]), Weights(vec![300, 700]), Weights(vec![550, 450]));
        let a = analyse(&table(), &profile, &[&net, &sec, &plat], Aggregate::Mean);
        assert_eq!(a.profile_winner.as_deref(), Some("a"));
        let winners: Vec<_> = a.outcomes.iter().map(|o| o.winner.as_deref()).collect();
        assert_eq!(winners, [Some("a"), Some("b"), Some("a")]);
        assert_eq!(a.outcomes.iter().map(|o| o.flips).collect::<Vec<_>>(), [false, true, false]);
        // Mean 550 / 450 → "a"; without the network team it is 425 / 575 → "b".
        assert_eq!(a.aggregate, Weights(vec![550, 450]));
        assert_eq!(a.aggregate_winner.as_deref(), Some("a"));
        assert_eq!(a.outcomes.iter().map(|o| o.pivotal).collect::<Vec<_>>(), [true, false, false]);
        assert_eq!(a.spread[0], Spread { lo: 300, hi: 800, mean: 550, median: 550 });
    }

    #[test]
    fn without_stakeholders_there_is_no_aggregate_winner() {
        let a = analyse(&table(), &Weights(vec![600, 400]), &[], Aggregate::Median);
        assert!(a.outcomes.is_empty() && a.aggregate_winner.is_none());
        assert_eq!(a.spread, vec![Spread { lo: 0, hi: 0, mean: 0, median: 0 }; 2]);
    }

    #[test]
    fn smaa_within_the_stakeholders_ranges_follows_their_disagreement() {
        let (x, y) = (Weights(vec![700, 300]), Weights(vec![650, 350]));
        let (lo, hi) = ranges(&[&x, &y]).expect("two sets");
        assert_eq!((lo.clone(), hi.clone()), (vec![650, 300], vec![700, 350]));
        // Everyone favours "a": it wins every draw within their ranges.
        let agree =
            SmaaOptions { samples: 2_000, seed: 7, sampling: Sampling::Ranges { lo, hi }, perturb_scores: false };
        assert_eq!(smaa(&table(), &agree).expect("valid ranges").first_rank("a"), 1.0);
        // A stakeholder on the other side makes it a contest.
        let z = Weights(vec![200, 800]);
        let (lo, hi) = ranges(&[&x, &y, &z]).expect("three sets");
        let split =
            SmaaOptions { samples: 2_000, seed: 7, sampling: Sampling::Ranges { lo, hi }, perturb_scores: false };
        let share = smaa(&table(), &split).expect("valid ranges").first_rank("a");
        assert!(share > 0.2 && share < 0.8, "{share}");
    }

    #[test]
    fn aggregates_read_and_print_their_names() {
        for a in Aggregate::ALL {
            assert_eq!(a.as_str().parse::<Aggregate>(), Ok(a));
        }
        assert!("average".parse::<Aggregate>().is_err());
    }

    proptest! {
        #[test]
        fn any_aggregate_sums_to_full_and_the_mean_stays_within_the_spread(
            raw in proptest::collection::vec(proptest::collection::vec(0u64..100, 4), 1..6),
            median in any::<bool>(),
        ) {
            let sets: Vec<Weights> =
                raw.iter().map(|r| Weights(apportion(1000, r).into_iter().map(|v| v as u32).collect())).collect();
            let refs: Vec<&Weights> = sets.iter().collect();
            let how = if median { Aggregate::Median } else { Aggregate::Mean };
            let agg = aggregate(&refs, how).expect("non-empty");
            prop_assert_eq!(agg.sum(), FULL);
            if how == Aggregate::Mean {
                // The mean of sets that each sum to 100 % needs no rescaling beyond rounding.
                let (lo, hi) = ranges(&refs).expect("non-empty");
                for (j, w) in agg.0.iter().enumerate() {
                    prop_assert!(*w + 1 >= lo[j] && *w <= hi[j] + 1, "{w} outside {}..{}", lo[j], hi[j]);
                }
            }
        }
    }
}
