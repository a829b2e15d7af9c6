//! The score matrix with rationales, and the chart legend.

use leptos::prelude::*;

use crate::charts::criterion_css_colour;
use domain::{CandidateStatus, Model, Tier};

/// Criteria × scored candidates, with each score and its rationale, and the dismissed
/// candidates with their reason. Rendered on the server only (it ships no WASM): each cell holds
/// the base score and every tier's override, and the stylesheet shows the ones of the tier the
/// studio selected (`<html data-tier="…">`, set by the studio's island; base scores without it).
#[component]
pub fn ScoreMatrix(model: Model) -> impl IntoView {
    let scored: Vec<_> = model.candidates.iter().filter(|c| c.status == CandidateStatus::Scored).cloned().collect();
    let dismissed: Vec<_> =
        model.candidates.iter().filter(|c| c.status == CandidateStatus::Dismissed).cloned().collect();
    let heads = scored.iter().map(|c| view! { <th scope="col">{c.name.clone()}</th> }).collect_view();
    let rows = model
        .criteria
        .iter()
        .enumerate()
        .map(|(i, crit)| {
            let cells = scored
                .iter()
                .map(|cand| {
                    let overrides: Vec<Tier> = Tier::ALL
                        .into_iter()
                        .filter(|t| model.score_for(&cand.key, &crit.key, Some(*t)).is_some_and(|s| s.tier.is_some()))
                        .collect();
                    let base_class = std::iter::once("base".to_string())
                        .chain(overrides.iter().map(|t| format!("over-{}", t.as_str())))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let base = model.score_for(&cand.key, &crit.key, None).map(|s| {
                        view! {
                            <span class=base_class>
                                <span class="score">{s.score}</span>
                                <span class="rationale">{s.rationale.clone()}</span>
                            </span>
                        }
                    });
                    let tiered = overrides
                        .into_iter()
                        .filter_map(|t| model.score_for(&cand.key, &crit.key, Some(t)).map(|s| (t, s.clone())))
                        .map(|(t, s)| {
                            view! {
                                <span class=format!("ov tier-{}", t.as_str())>
                                    <span class="score">{s.score}" *"</span>
                                    <span class="rationale">{s.rationale}</span>
                                </span>
                            }
                        })
                        .collect_view();
                    view! { <td>{base}{tiered}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">
                        {format!("{}. {}", i + 1, crit.name)}
                        <span class="why">{crit.why.clone()}</span>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="score-matrix" class="matrix">
            <caption>"Scores 0–5; * marks a score overridden for the tier selected above"</caption>
            <thead>
                <tr>
                    <th scope="col">"Criterion"</th>
                    {heads}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <h3>"Considered and dismissed"</h3>
        <ul class="dismissed">
            {dismissed
                .into_iter()
                .map(|c| {
                    view! {
                        <li>
                            <strong>{c.name}</strong>
                            ": "
                            {c.dismissed_reason.unwrap_or_default()}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Numbered colour legend for the contribution chart.
#[component]
pub fn ChartLegend(model: StoredValue<Model>) -> impl IntoView {
    let items = model.with_value(|m| {
        m.criteria
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let style = format!("background:{}", criterion_css_colour(i));
                view! {
                    <li>
                        <span class="swatch" style=style aria-hidden="true"></span>
                        {format!("{} {}", i + 1, c.name)}
                    </li>
                }
            })
            .collect_view()
    });
    view! { <ol class="legend">{items}</ol> }
}
