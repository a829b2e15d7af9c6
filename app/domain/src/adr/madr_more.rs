//! The More Information section of an exported ADR: the frozen scoring table, per-tier outcomes,
//! break-even weights, fleet in scope, snapshot hash, related decisions and review history.

use std::fmt::Write;

use super::escape::{md_line, md_one_line};
use super::madr::{AdrLinks, bullets};
use super::summary::capitalised;
use super::{Adr, AdrNumber, ReviewOutcome, ReviewRecord, Snapshot, SnapshotFlip, file_name};
use crate::break_even::Ratio;
use crate::format_points;
use crate::weights::format_tenths;

/// Writes `## More Information` and its subsections.
pub(super) fn more_information(adr: &Adr, reviews: &[ReviewRecord], links: &AdrLinks, out: &mut String) {
    let s = &adr.snapshot;
    out.push_str("## More Information\n\n");
    scoring(adr, out);
    per_tier(s, out);
    break_even(s, out);
    stakeholders(s, out);
    fleet(s, out);
    out.push_str("### Snapshot\n\n");
    let _ = writeln!(
        out,
        "The weights, scores, outcomes and fleet above are frozen in the snapshot this decision was \
         recorded on, SHA-256 `{}` of its canonical JSON.\n",
        adr.snapshot_sha256
    );
    related(adr, links, out);
    history(adr, reviews, out);
}

fn percent(tenths: u32) -> String {
    format!("{} %", format_tenths(u64::from(tenths)))
}

fn scoring(adr: &Adr, out: &mut String) {
    let s = &adr.snapshot;
    out.push_str("### Scoring\n\n");
    let from = s.profile.as_deref().map(|p| format!(" of the profile “{}”", md_line(p))).unwrap_or_default();
    let tier = s.tier.map(|t| format!(", with the {t} tier's score overrides")).unwrap_or_default();
    let _ = writeln!(
        out,
        "The weights{from} and the scores as recorded on {}{tier}. Scores are 0–5; a weighted score is weight × \
         score, and an option's total is the sum of its weighted scores.\n",
        adr.recorded_on
    );
    let names: Vec<String> = s.options.iter().map(|o| md_line(&o.name)).collect();
    let mut header = vec!["Criterion".to_string(), "Weight".to_string()];
    header.extend(names.iter().cloned());
    header.extend(names.iter().map(|n| format!("Weighted {n}")));
    let mut align = vec![false, true];
    align.extend(std::iter::repeat_n(true, names.len() * 2));
    let mut rows = Vec::new();
    for c in &s.criteria {
        let mut row = vec![md_line(&c.name), percent(c.weight)];
        let effective: Vec<Option<u8>> =
            s.options.iter().map(|o| o.effective(&c.key, s.tier).map(|e| e.score)).collect();
        row.extend(effective.iter().map(|e| e.map_or_else(|| "–".into(), |v| v.to_string())));
        row.extend(effective.iter().map(|e| e.map_or_else(|| "–".into(), |v| format_points(u32::from(v) * c.weight))));
        rows.push(row);
    }
    let mut total = vec!["Total".to_string(), percent(s.criteria.iter().map(|c| c.weight).sum())];
    total.extend(s.options.iter().map(|_| String::new()));
    total.extend(s.options.iter().map(|o| format_points(o.total)));
    rows.push(total);
    table(&header, &align, &rows, out);
    let verdict = match (&s.winner, s.ranked().get(1)) {
        (Some(w), Some(_)) if s.clear_winner => format!(
            "{} leads by {}, a clear winner: the margin is at least 10 % of the winner's total.",
            md_line(s.name_of(w)),
            format_points(s.margin)
        ),
        (Some(w), Some(_)) => format!(
            "{} leads by {}, no clear winner: the margin is under 10 % of the winner's total.",
            md_line(s.name_of(w)),
            format_points(s.margin)
        ),
        (Some(w), None) => format!("{} is the only option scored.", md_line(s.name_of(w))),
        (None, _) => "The leading options tie.".to_string(),
    };
    let _ = writeln!(out, "{verdict}\n");
}

fn per_tier(s: &Snapshot, out: &mut String) {
    if s.per_tier.is_empty() {
        return;
    }
    out.push_str("### Per-tier outcomes\n\n");
    out.push_str(
        "Each tier applies its own score overrides, first with this decision's weights, then with the \
         tier's weight profiles.\n\n",
    );
    let mut header = vec!["Tier".to_string(), "Weights".to_string()];
    header.extend(s.options.iter().map(|o| md_line(&o.name)));
    header.extend(["Winner".to_string(), "Margin".to_string()]);
    let mut align = vec![false, false];
    align.extend(std::iter::repeat_n(true, s.options.len()));
    align.extend([false, true]);
    let rows: Vec<Vec<String>> = s
        .per_tier
        .iter()
        .map(|t| {
            let tier = match t.context {
                Some(c) => format!("{}, {}", capitalised(t.tier.as_str()), c.as_str()),
                None => capitalised(t.tier.as_str()),
            };
            let weights = t
                .profile
                .as_deref()
                .map_or_else(|| "this decision's".to_string(), |p| format!("profile {}", md_line(p)));
            let mut row = vec![tier, weights];
            row.extend(s.options.iter().map(|o| {
                t.results.iter().find(|r| r.candidate == o.key).map_or_else(|| "–".into(), |r| format_points(r.total))
            }));
            row.push(t.winner.as_deref().map_or_else(|| "tie".into(), |w| md_line(s.name_of(w))));
            row.push(format_points(t.margin));
            row
        })
        .collect();
    table(&header, &align, &rows, out);
}

fn break_even(s: &Snapshot, out: &mut String) {
    out.push_str("### Break-even weights\n\n");
    if s.break_even.is_empty() {
        out.push_str("There is no strict leader, so no weight changes the winner.\n\n");
        return;
    }
    let winner = s.winner.as_deref().map(|w| md_line(s.name_of(w))).unwrap_or_default();
    let _ = writeln!(
        out,
        "The weight at which {winner} stops leading when one criterion's weight moves and the others are \
         rescaled proportionally.\n"
    );
    let flip = |f: &Option<SnapshotFlip>| {
        f.as_ref().map_or_else(
            || "never".to_string(),
            |f| format!("{} %: {} leads", ratio_percent(f.weight), md_line(s.name_of(&f.challenger))),
        )
    };
    let rows: Vec<Vec<String>> = s
        .break_even
        .iter()
        .map(|b| {
            let name = s.criterion(&b.criterion).map_or(b.criterion.as_str(), |c| c.name.as_str());
            vec![md_line(name), percent(b.current), flip(&b.below), flip(&b.above)]
        })
        .collect();
    let header = ["Criterion", "Weight", "Lowered below", "Raised above"].map(String::from);
    table(&header, &[false, true, true, true], &rows, out);
}

/// The stakeholders' own weights, one column each, and the option each set ranks first on the
/// snapshot's scores (its tier applied).
fn stakeholders(s: &Snapshot, out: &mut String) {
    if s.stakeholder_weights.is_empty() {
        return;
    }
    out.push_str("### Stakeholders' weights\n\n");
    out.push_str(
        "Each stakeholder's own weights for the profile, as recorded with this decision, and the option \
         those weights alone rank first.\n\n",
    );
    let mut header = vec!["Criterion".to_string()];
    header.extend(s.stakeholder_weights.iter().map(|w| {
        let role = if w.role.is_empty() { String::new() } else { format!(" ({})", md_line(&w.role)) };
        format!("{}{role}", md_line(&w.name))
    }));
    let align: Vec<bool> = std::iter::once(false).chain(s.stakeholder_weights.iter().map(|_| true)).collect();
    let mut rows: Vec<Vec<String>> = s
        .criteria
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let mut row = vec![md_line(&c.name)];
            row.extend(s.stakeholder_weights.iter().map(|w| percent(w.weights.get(j).copied().unwrap_or(0))));
            row
        })
        .collect();
    let mut winners = vec!["Ranks first".to_string()];
    winners.extend(s.stakeholder_weights.iter().map(|w| {
        let totals: Vec<(u32, &str)> = s
            .options
            .iter()
            .map(|o| {
                let total = s
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let score = o.effective(&c.key, s.tier).map_or(0, |e| u32::from(e.score));
                        score * w.weights.get(j).copied().unwrap_or(0)
                    })
                    .sum();
                (total, o.name.as_str())
            })
            .collect();
        let best = totals.iter().map(|(t, _)| *t).max().unwrap_or(0);
        let leaders: Vec<&str> = totals.iter().filter(|(t, _)| *t == best).map(|(_, n)| *n).collect();
        match leaders.as_slice() {
            [one] => md_line(one),
            _ => "tie".to_string(),
        }
    }));
    rows.push(winners);
    table(&header, &align, &rows, out);
}

/// A weight in tenths as an exact fraction, in percent with one decimal, rounded half up.
fn ratio_percent(r: Ratio) -> String {
    let tenths = (2 * r.num + r.den).div_euclid(2 * r.den);
    format_tenths(u64::try_from(tenths).unwrap_or_default())
}

fn fleet(s: &Snapshot, out: &mut String) {
    let f = &s.fleet;
    out.push_str("### Fleet in scope\n\n");
    if f.total() == 0 {
        out.push_str("No clusters were registered in scope when this decision was recorded.\n\n");
        return;
    }
    let tiers: Vec<String> = f.by_tier.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let count = if f.total() == 1 { "1 cluster was".to_string() } else { format!("{} clusters were", f.total()) };
    let _ = writeln!(out, "{count} in scope when this decision was recorded: {}.\n", tiers.join(", "));
    let counts = |map: &std::collections::BTreeMap<String, u32>, none: u32, none_word: &str| {
        let mut parts: Vec<String> = map.iter().map(|(k, n)| format!("{} {n}", md_line(s.name_of(k)))).collect();
        if none > 0 {
            parts.push(format!("{none_word} {none}"));
        }
        parts.join(", ")
    };
    let mut items = vec![
        format!("Recommended CNI: {}", counts(&f.by_recommended, f.no_recommendation, "none")),
        format!("Decided CNI: {}", counts(&f.by_decided, f.undecided, "undecided")),
    ];
    if f.exceptions.is_empty() {
        items.push("Exceptions: none".to_string());
    } else {
        let mut e = format!("Exceptions, decided differently from the recommendation: {}", f.exceptions.len());
        for x in &f.exceptions {
            let rec = x.recommended.as_deref().map_or_else(
                || "nothing is recommended".to_string(),
                |r| format!("{} is recommended", md_line(s.name_of(r))),
            );
            let why = x.rationale.as_deref().map_or_else(|| "no rationale written".to_string(), md_one_line);
            let _ =
                write!(e, "\n  * {} runs {} where {rec}: {why}", md_line(&x.cluster), md_line(s.name_of(&x.decided)));
        }
        items.push(e);
    }
    bullets(items, out);
}

fn related(adr: &Adr, links: &AdrLinks, out: &mut String) {
    let link = |n: AdrNumber| match links.get(&n) {
        Some(title) => format!("[{n}: {}]({})", md_line(title), file_name(n, title)),
        None => n.to_string(),
    };
    let mut items = Vec::new();
    if let Some(n) = adr.supersedes {
        items.push(format!("Supersedes {}", link(n)));
    }
    if let Some(n) = adr.superseded_by {
        items.push(format!("Superseded by {}", link(n)));
    }
    if items.is_empty() {
        return;
    }
    out.push_str("### Related decisions\n\n");
    bullets(items, out);
}

fn history(adr: &Adr, reviews: &[ReviewRecord], out: &mut String) {
    out.push_str("### Review history\n\n");
    let mut sorted: Vec<&ReviewRecord> = reviews.iter().collect();
    sorted.sort_by_key(|r| r.date);
    if sorted.is_empty() {
        match adr.review_by {
            Some(by) => {
                let _ = writeln!(out, "No reviews yet; the first is due by {}.\n", by);
            }
            None => out.push_str("No reviews yet.\n\n"),
        }
        return;
    }
    let items = sorted.into_iter().map(|r| {
        let date = r.date;
        let who = md_line(&r.reviewer);
        let note = if r.note.trim().is_empty() { String::new() } else { format!(": {}", md_one_line(&r.note)) };
        let mut item = match r.outcome {
            ReviewOutcome::Reaffirm => {
                let next = r.next_review_by.map(|n| format!(" Next review by {}.", n)).unwrap_or_default();
                let stop = if note.is_empty() || note.ends_with(['.', '!', '?']) { "" } else { "." };
                format!("{date}, reaffirmed by {who}{note}{stop}{next}")
            }
            ReviewOutcome::Supersede => {
                let by = r.superseded_by.map(|n| format!(" by {n}")).unwrap_or_default();
                format!("{date}, superseded{by} after a review by {who}{note}")
            }
        };
        for line in r.diff.summary_lines() {
            let _ = write!(item, "\n  * {}", md_line(&line));
        }
        item
    });
    bullets(items, out);
}

/// A Markdown table: `right[i]` right-aligns column `i`.
fn table(header: &[String], right: &[bool], rows: &[Vec<String>], out: &mut String) {
    let line = |cells: &[String]| {
        let padded: Vec<String> =
            cells.iter().map(|c| if c.is_empty() { " ".to_string() } else { format!(" {c} ") }).collect();
        format!("|{}|", padded.join("|"))
    };
    let _ = writeln!(out, "{}", line(header));
    let delims: Vec<String> = (0..header.len())
        .map(|i| if right.get(i).copied().unwrap_or(false) { "---:".to_string() } else { "---".to_string() })
        .collect();
    let _ = writeln!(out, "{}", line(&delims));
    for row in rows {
        let _ = writeln!(out, "{}", line(row));
    }
    out.push('\n');
}
