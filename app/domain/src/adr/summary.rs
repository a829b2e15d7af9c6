//! [`SnapshotDiff`] in words, one sentence per change, for the review page and the ADR's review
//! history.

use std::collections::BTreeMap;

use super::SnapshotDiff;
use super::diff::{ScoreChange, TierWinnerChange};
use crate::format_points;
use crate::weights::format_tenths;

/// Names listed before "and N more".
const MAX_NAMES: usize = 10;

impl SnapshotDiff {
    /// One sentence per change; a single sentence saying so when nothing changed.
    pub fn summary_lines(&self) -> Vec<String> {
        if !self.has_changes() {
            return vec![
                "Nothing changed since the snapshot: the weights, scores, winners, totals and fleet in scope are the same."
                    .into(),
            ];
        }
        let mut lines = Vec::new();
        for w in &self.weights {
            lines.push(match (w.then, w.now) {
                (Some(a), Some(b)) => format!("Weight of {}: {} → {}.", w.name, percent(a), percent(b)),
                (None, Some(b)) => format!("New criterion {} weighs {}.", w.name, percent(b)),
                (Some(a), None) => format!("Criterion {} was removed (it weighed {}).", w.name, percent(a)),
                (None, None) => continue,
            });
        }
        lines.extend(self.scores.iter().map(|s| self.score_line(s)));
        if self.winner.changed() {
            lines.push(format!(
                "Winner: {} → {}.",
                self.winner_name(&self.winner.then),
                self.winner_name(&self.winner.now)
            ));
        }
        if self.margin.changed() || self.totals.iter().any(|t| t.then != t.now) {
            let totals: Vec<String> = self
                .totals
                .iter()
                .map(|t| format!("{} {} → {}", self.name(&t.candidate), total(t.then), total(t.now)))
                .collect();
            lines.push(format!(
                "Totals: {}; margin {} → {}.",
                totals.join(", "),
                format_points(self.margin.then),
                format_points(self.margin.now)
            ));
        }
        match (self.clear_winner.then, self.clear_winner.now) {
            (true, false) => {
                lines.push("No longer a clear winner: the margin is now under 10 % of the winner's total.".into())
            }
            (false, true) => {
                lines.push("Now a clear winner: the margin is at least 10 % of the winner's total.".into())
            }
            _ => {}
        }
        lines.extend(self.tier_winners.iter().map(|t| self.tier_line(t)));
        let f = &self.fleet;
        if !f.added.is_empty() {
            lines.push(format!("{} joined the scope: {}.", clusters(f.added.len()), names(&f.added)));
        }
        if !f.removed.is_empty() {
            lines.push(format!("{} left the scope: {}.", clusters(f.removed.len()), names(&f.removed)));
        }
        for e in &f.new_exceptions {
            let recommended = e
                .recommended
                .as_deref()
                .map_or_else(|| "nothing is recommended".to_string(), |r| format!("{} is recommended", self.name(r)));
            let why = e
                .rationale
                .as_deref()
                .map_or_else(|| ", without a written rationale".into(), |r| format!(", because “{r}”"));
            lines.push(format!(
                "New exception: {} runs {} where {recommended}{why}.",
                e.cluster,
                self.name(&e.decided)
            ));
        }
        if !f.resolved_exceptions.is_empty() {
            lines.push(format!("No longer an exception: {}.", names(&f.resolved_exceptions)));
        }
        let mut by_gate: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
        for c in &f.new_gates {
            for g in &c.gates {
                by_gate.entry((g.candidate.as_str(), g.code.as_str())).or_default().push(c.cluster.clone());
            }
        }
        for ((candidate, code), on) in by_gate {
            lines.push(format!("{} {code} now fires on {}: {}.", self.name(candidate), clusters(on.len()), names(&on)));
        }
        lines
    }

    fn score_line(&self, s: &ScoreChange) -> String {
        let at = s.tier.map(|t| format!(" at the {t} tier")).unwrap_or_default();
        let head = format!("{} on {}{at}", self.name(&s.candidate), self.name(&s.criterion));
        match (&s.then, &s.now) {
            (Some(a), Some(b)) => {
                let score = if a.score == b.score {
                    format!("still {}", b.score)
                } else {
                    format!("{} → {}", a.score, b.score)
                };
                if a.rationale == b.rationale {
                    format!("{head}: {score}.")
                } else {
                    format!("{head}: {score}; rationale was “{}”, now “{}”.", a.rationale, b.rationale)
                }
            }
            (None, Some(b)) => format!("{head}: new score {} (“{}”).", b.score, b.rationale),
            (Some(a), None) => format!("{head}: score removed (it was {}).", a.score),
            (None, None) => format!("{head}: unchanged."),
        }
    }

    fn tier_line(&self, t: &TierWinnerChange) -> String {
        let context = t.context.map(|c| format!(", {}", c.as_str())).unwrap_or_default();
        let weights =
            t.profile.as_deref().map_or_else(|| " with the decision's weights".into(), |p| format!(" (profile {p})"));
        let tier = capitalised(t.tier.as_str());
        format!("{tier} tier{context}{weights}: winner {} → {}.", self.winner_name(&t.then), self.winner_name(&t.now))
    }

    fn winner_name(&self, w: &Option<String>) -> String {
        w.as_deref().map_or_else(|| "none (a tie)".into(), |k| self.name(k).to_string())
    }
}

fn percent(tenths: u32) -> String {
    format!("{} %", format_tenths(u64::from(tenths)))
}

fn total(t: Option<u32>) -> String {
    t.map_or_else(|| "not scored".into(), format_points)
}

fn clusters(n: usize) -> String {
    if n == 1 { "1 cluster".into() } else { format!("{n} clusters") }
}

fn names(list: &[String]) -> String {
    let shown = list.iter().take(MAX_NAMES).map(String::as_str).collect::<Vec<_>>().join(", ");
    match list.len().saturating_sub(MAX_NAMES) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// `plant` → `Plant`.
pub(crate) fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_name_lists_end_with_how_many_more() {
        let list: Vec<String> = (1..=12).map(|i| format!("cell-{i}")).collect();
        assert_eq!(
            names(&list),
            "cell-1, cell-2, cell-3, cell-4, cell-5, cell-6, cell-7, cell-8, cell-9, cell-10 and 2 more"
        );
        assert_eq!(clusters(1), "1 cluster");
        assert_eq!(capitalised("plant"), "Plant");
    }
}
