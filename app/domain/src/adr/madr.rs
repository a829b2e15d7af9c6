//! MADR 4 Markdown for one ADR, generated from the record: YAML front matter that the `adrs` CLI,
//! Log4brains and Structurizr read, then the MADR sections. The same record always gives the
//! same bytes (no clock, no map in hash order).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::escape::{md_line, md_one_line, md_paragraphs, yaml_scalar};
use super::{Adr, AdrDraft, AdrNumber, ReviewRecord, Snapshot, SnapshotOption};
use crate::format_points;
use crate::weights::format_tenths;

/// Titles of the other ADRs this one links to (supersedes, superseded by), by number, so the
/// links can name the files.
pub type AdrLinks = BTreeMap<AdrNumber, String>;

/// The ADR as a MADR 4 file, with its `reviews` in More Information.
pub fn render_madr(adr: &Adr, reviews: &[ReviewRecord], links: &AdrLinks) -> String {
    let mut out = String::with_capacity(16 * 1024);
    front_matter(adr, &mut out);
    let d = &adr.draft;
    let s = &adr.snapshot;
    // The front matter's `title` (which the `adrs` CLI needs) counts as the top heading for
    // markdownlint, so the heading MADR puts below it would read as a second one.
    out.push_str("<!-- markdownlint-disable-next-line MD025 -->\n");
    let _ = writeln!(out, "# {}\n", md_line(&d.title));

    out.push_str("## Context and Problem Statement\n\n");
    if d.context.trim().is_empty() {
        out.push_str("Which CNI should the clusters in scope run?\n\n");
    } else {
        let _ = writeln!(out, "{}\n", md_paragraphs(&d.context));
    }
    let _ = writeln!(out, "Scope: {}.\n", md_line(&d.scope.describe()));

    out.push_str("## Decision Drivers\n\n");
    let drivers = if d.drivers.is_empty() { AdrDraft::drivers_from(s) } else { d.drivers.clone() };
    bullets(drivers.iter().map(|l| md_line(l)), &mut out);

    out.push_str("## Considered Options\n\n");
    bullets(s.options.iter().map(|o| &o.name).chain(s.dismissed.iter().map(|o| &o.name)).map(|n| md_line(n)), &mut out);

    decision_outcome(adr, &mut out);
    pros_and_cons(s, &mut out);
    super::madr_more::more_information(adr, reviews, links, &mut out);
    // Exactly one newline at the end.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn front_matter(adr: &Adr, out: &mut String) {
    let d = &adr.draft;
    out.push_str("---\n");
    let _ = writeln!(out, "number: {}", adr.number.0);
    let _ = writeln!(out, "title: {}", yaml_scalar(&d.title));
    // `status` and `date` stay plain: Structurizr reads those lines verbatim.
    let _ = writeln!(out, "status: {}", adr.status);
    let _ = writeln!(out, "date: {}", adr.export_date());
    for (key, names) in
        [("decision-makers", &d.decision_makers), ("consulted", &d.consulted), ("informed", &d.informed)]
    {
        if names.is_empty() {
            let _ = writeln!(out, "{key}: []");
        } else {
            let _ = writeln!(out, "{key}:");
            for name in names {
                let _ = writeln!(out, "  - {}", yaml_scalar(name));
            }
        }
    }
    if let Some(by) = adr.review_by {
        let _ = writeln!(out, "review-by: {}", by);
    }
    out.push_str("---\n\n");
}

fn decision_outcome(adr: &Adr, out: &mut String) {
    let d = &adr.draft;
    let s = &adr.snapshot;
    out.push_str("## Decision Outcome\n\n");
    let because =
        if d.justification.trim().is_empty() { derived_justification(s, &d.chosen) } else { d.justification.clone() };
    let because = md_one_line(&because);
    let stop = if because.ends_with(['.', '!', '?']) { "" } else { "." };
    let _ = writeln!(out, "Chosen option: \"{}\", because {because}{stop}\n", md_line(s.name_of(&d.chosen)));
    if !d.decision_details.is_empty() {
        bullets(d.decision_details.iter().map(|l| md_line(l)), out);
    }
    out.push_str("### Consequences\n\n");
    let mut items: Vec<String> = d.consequences_good.iter().map(|c| format!("Good, because {}", md_line(c))).collect();
    items.extend(d.consequences_bad.iter().map(|c| format!("Bad, because {}", md_line(c))));
    if items.is_empty() {
        items.push("Neutral, because no consequences were recorded with the decision".into());
    }
    bullets(items, out);
    out.push_str("### Confirmation\n\n");
    if d.confirmation.trim().is_empty() {
        let _ = writeln!(
            out,
            "Switchyard's fleet map shows every cluster in scope whose decided CNI differs from its \
             recommendation as an exception that needs a written rationale, and this decision is \
             reviewed every {} months.\n",
            d.review_interval_months
        );
    } else {
        let _ = writeln!(out, "{}\n", md_paragraphs(&d.confirmation));
    }
}

/// "it has the highest weighted total, 4.20 against 3.60 for Calico"; or, when the chosen
/// option is not the winner, what the weighted score says instead.
fn derived_justification(s: &Snapshot, chosen: &str) -> String {
    let ranked = s.ranked();
    let name = |k: &str| s.name_of(k).to_string();
    match (s.winner.as_deref(), ranked.as_slice()) {
        (Some(w), [first, second, ..]) if w == chosen => format!(
            "it has the highest weighted total, {} against {} for {}",
            format_points(first.total),
            format_points(second.total),
            second.name
        ),
        (Some(w), [only]) if w == chosen => format!("it is the only option scored, at {}", format_points(only.total)),
        (Some(w), [first, ..]) => format!(
            "the decision makers chose it although {} has the highest weighted total ({})",
            name(w),
            format_points(first.total)
        ),
        _ => "the weighted totals tie, and the decision makers chose it".to_string(),
    }
}

fn pros_and_cons(s: &Snapshot, out: &mut String) {
    out.push_str("## Pros and Cons of the Options\n\n");
    for o in &s.options {
        let _ = writeln!(out, "### {}\n", md_line(&o.name));
        if !o.summary.trim().is_empty() {
            let _ = writeln!(out, "{}\n", md_paragraphs(&o.summary));
        }
        bullets(option_bullets(s, o), out);
    }
    for o in &s.dismissed {
        let _ = writeln!(out, "### {}\n", md_line(&o.name));
        if !o.summary.trim().is_empty() {
            let _ = writeln!(out, "{}\n", md_paragraphs(&o.summary));
        }
        bullets([format!("Bad, because it was dismissed before scoring: {}", md_line(&o.reason))], out);
    }
}

/// Good (score ≥ 4), Neutral (3) and Bad (≤ 2) bullets from the scores and rationales, the
/// heaviest criteria first, then the tier overrides.
fn option_bullets(s: &Snapshot, o: &SnapshotOption) -> Vec<String> {
    struct Line {
        score: u8,
        weight: u32,
        text: String,
    }
    let mut lines = Vec::new();
    for c in &s.criteria {
        let Some(e) = o.effective(&c.key, s.tier) else { continue };
        let at = e.overridden_for.map(|t| format!(" at the {t} tier")).unwrap_or_default();
        lines.push(Line {
            score: e.score,
            weight: c.weight,
            text: format!(
                "it scores {}/5 on {} ({} %){at}: {}",
                e.score,
                md_line(&lowercase_name(&c.name)),
                format_tenths(u64::from(c.weight)),
                md_line(e.rationale)
            ),
        });
    }
    for ov in o.overrides.iter().filter(|ov| Some(ov.tier) != s.tier) {
        let Some(c) = s.criterion(&ov.criterion) else { continue };
        lines.push(Line {
            score: ov.score,
            weight: 0,
            text: format!(
                "at the {} tier it scores {}/5 on {}: {}",
                ov.tier,
                ov.score,
                md_line(&lowercase_name(&c.name)),
                md_line(&ov.rationale)
            ),
        });
    }
    let verdict = |score: u8| match score {
        4.. => 0,
        3 => 1,
        _ => 2,
    };
    // Stable sort: criterion order among equal weights, overrides after the base scores.
    lines.sort_by_key(|l| (verdict(l.score), std::cmp::Reverse(l.weight)));
    lines
        .into_iter()
        .map(|l| {
            let word = ["Good", "Neutral", "Bad"][verdict(l.score)];
            format!("{word}, because {}", l.text)
        })
        .collect()
}

/// A criterion name for the middle of a sentence: "Identity-aware policy" → "identity-aware
/// policy", but "BGP and underlay integration" and "L7 and CRD policy" stay as they are.
fn lowercase_name(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_string(),
    }
}

/// A `*` list followed by a blank line.
pub(super) fn bullets(items: impl IntoIterator<Item = String>, out: &mut String) {
    let mut any = false;
    for item in items {
        let _ = writeln!(out, "* {item}");
        any = true;
    }
    if any {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_names_are_lowercased_unless_they_start_with_an_acronym() {
        assert_eq!(lowercase_name("Identity-aware policy"), "identity-aware policy");
        assert_eq!(lowercase_name("BGP and underlay integration"), "BGP and underlay integration");
        assert_eq!(lowercase_name("L7 and CRD policy"), "L7 and CRD policy");
    }
}
