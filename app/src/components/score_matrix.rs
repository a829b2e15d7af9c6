//! The score matrix with rationales, and the chart legend.

use leptos::prelude::*;

use crate::charts::criterion_css_colour;
use crate::pages::studio::StudioState;
use domain::{CandidateStatus, Model, weights::format_tenths};

/// Criteria × scored candidates, with the weight, each score and its rationale; tier overrides
/// are marked. Dismissed candidates are listed below with the reason.
#[component]
pub fn ScoreMatrix(state: StudioState) -> impl IntoView {
    let model = state.model.get_value();
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
                    let (ck, kk) = (cand.key.clone(), crit.key.clone());
                    let m = state.model;
                    let score = move || {
                        let tier = state.tier.get();
                        m.with_value(|m| {
                            m.score_for(&ck, &kk, tier).map(|s| (s.score, s.rationale.clone(), s.tier.is_some()))
                        })
                    };
                    view! {
                        <td>
                            {move || {
                                score()
                                    .map(|(v, why, over)| {
                                        view! {
                                            <span class="score">{v} {over.then_some("*")}</span>
                                            <span class="rationale">{why}</span>
                                        }
                                    })
                            }}
                        </td>
                    }
                })
                .collect_view();
            let weight = move || state.weights.with(|w| format_tenths(u64::from(w.0.get(i).copied().unwrap_or(0))));
            view! {
                <tr>
                    <th scope="row">
                        {format!("{}. {}", i + 1, crit.name)}
                        <span class="why">{crit.why.clone()}</span>
                    </th>
                    <td class="num">{weight}" %"</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="score-matrix" class="matrix">
            <caption>"Scores 0–5; * marks a score overridden for the selected tier"</caption>
            <thead>
                <tr>
                    <th scope="col">"Criterion"</th>
                    <th scope="col">"Weight"</th>
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
