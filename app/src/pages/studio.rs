//! The what-if studio: tweak the nine weights and watch totals, winner, margin and robustness
//! change live. Everything is recomputed in the browser by the domain crate; the server renders
//! the same numbers for the first paint (and for visitors without JavaScript).

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

use crate::AppError;
use crate::api::{RecordDecision, create_profile, load_studio, update_profile};
use crate::charts::{contribution_svg, tornado_svg};
use crate::components::{ChartLegend, ScoreMatrix, WeightEditor};
use crate::components::{FormError, Loaded};
use crate::model::{Profile, ProfileInput, Role, ServerProps, StudioData, Versioned};
use domain::{Evaluation, Model, Tier, Weights, break_even, evaluate, format_points};
use leptos::server_fn::ServerFn;

/// The studio page: loads the model and profiles, then hands over to [`StudioView`].
#[component]
pub fn Studio() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_studio());
    view! {
        <FormError />
        <Loaded resource=data loading="Loading the decision model…" render={|d: StudioData| {
            let model = d.model.clone();
            view! {
                <div class="studio">
                    <StudioView data=ServerProps(d) />
                    // Static: the island only tells the page which tier's scores to show.
                    <section class="panel matrix" aria-labelledby="matrix-title">
                        <h2 id="matrix-title">"Scores and rationale"</h2>
                        <ScoreMatrix model />
                    </section>
                </div>
            }
        }} />
    }
}

/// Editor state shared by the studio's parts.
#[derive(Clone, Copy)]
pub struct StudioState {
    /// Criteria, candidates, scores.
    pub model: StoredValue<Model>,
    /// Current weights (tenths).
    pub weights: RwSignal<Weights>,
    /// Lock flags, one per criterion.
    pub locked: RwSignal<Vec<bool>>,
    /// Tier whose score overrides apply.
    pub tier: RwSignal<Option<Tier>>,
    /// Per-criterion input problems.
    pub input_errors: RwSignal<BTreeMap<usize, String>>,
}

fn weights_of(model: &Model, p: &Profile) -> Weights {
    Weights::from_percent_map_unchecked(model, &p.weights).unwrap_or_else(|_| Weights(vec![0; model.criteria.len()]))
}

fn tier_from_str(s: &str) -> Option<Tier> {
    s.parse().ok()
}

/// The studio once data is loaded: an island, so it and what it uses are all the WASM the page
/// needs.
#[cfg_attr(any(feature = "ssr", feature = "bundle-studio"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "bundle-studio")), component)]
pub fn StudioView(data: ServerProps<StudioData>) -> impl IntoView {
    let StudioData { model, profiles, me } = data.0;
    // The server refuses a viewer's save anyway; hiding the controls just saves them the trip.
    let can_save = me.role >= Role::Architect;
    // The default is the first profile ever saved without a tier: the seed's "Industrial ADR 2026".
    let first = profiles.iter().filter(|p| p.tier.is_none()).min_by_key(|p| p.id).or(profiles.first()).cloned();
    let n = model.criteria.len();
    let initial = first.as_ref().map_or_else(|| Weights(vec![0; n]), |p| weights_of(&model, p));
    let state = StudioState {
        model: StoredValue::new(model),
        weights: RwSignal::new(initial),
        locked: RwSignal::new(vec![false; n]),
        tier: RwSignal::new(first.as_ref().and_then(|p| p.tier)),
        input_errors: RwSignal::new(BTreeMap::new()),
    };
    let profiles = RwSignal::new(profiles);
    let selected = RwSignal::new(first.as_ref().map(|p| p.id));
    let status = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(None::<(String, Option<Profile>)>);
    let busy = RwSignal::new(false);
    let new_name = RwSignal::new(String::new());

    let table = Memo::new(move |_| state.model.with_value(|m| m.score_table(state.tier.get())));
    let evaluation: Memo<Evaluation> = Memo::new(move |_| table.with(|t| state.weights.with(|w| evaluate(t, w))));
    let breaks = Memo::new(move |_| table.with(|t| state.weights.with(|w| break_even(t, w))));
    let contribution = Memo::new(move |_| state.model.with_value(|m| evaluation.with(|e| contribution_svg(m, e))));
    let tornado = Memo::new(move |_| {
        state.model.with_value(|m| breaks.with(|b| b.as_deref().map(|b| tornado_svg(m, b)).unwrap_or_default()))
    });
    let current_profile =
        move || selected.get().and_then(|id| profiles.with(|ps| ps.iter().find(|p| p.id == id).cloned()));

    let load_profile = move |p: &Profile| {
        state.model.with_value(|m| state.weights.set(weights_of(m, p)));
        state.tier.set(p.tier);
        state.locked.update(|l| l.iter_mut().for_each(|x| *x = false));
        state.input_errors.set(BTreeMap::new());
        conflict.set(None);
    };
    let on_profile = move |ev: leptos::ev::Event| {
        let id: Option<i64> = event_target_value(&ev).parse().ok();
        selected.set(id);
        if let Some(p) = current_profile() {
            load_profile(&p);
            status.set(Some(format!("Loaded profile '{}'.", p.name)));
        }
    };
    let reset = move |_| {
        if let Some(p) = current_profile() {
            load_profile(&p);
            status.set(Some(format!("Weights reset to '{}'.", p.name)));
        }
    };
    let input_for = move |name: String, base: Option<&Profile>| ProfileInput {
        name,
        description: base.map(|p| p.description.clone()).unwrap_or_default(),
        tier: state.tier.get_untracked(),
        context: base.and_then(|p| p.context).filter(|_| state.tier.get_untracked().is_some()),
        weights: state.model.with_value(|m| state.weights.with_untracked(|w| w.to_percent_map(m))),
    };
    let report = move |e: AppError| match e {
        AppError::Conflict { message, current } => {
            let theirs = current.and_then(|v| serde_json::from_str::<Profile>(&v).ok());
            conflict.set(Some((message, theirs)));
        }
        other => {
            let mut msg = other.to_string();
            if let AppError::Validation { fields, .. } = &other
                && fields.len() > 1
            {
                msg = fields.values().cloned().collect::<Vec<_>>().join(" · ");
            }
            status.set(Some(format!("Not saved: {msg}")));
        }
    };
    let save_new = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = input_for(new_name.get_untracked(), current_profile().as_ref());
        busy.set(true);
        status.set(Some("Saving…".into()));
        spawn_local(async move {
            match create_profile(input).await {
                Ok(p) => {
                    status.set(Some(format!("Saved as new profile '{}'.", p.name)));
                    selected.set(Some(p.id));
                    profiles.update(|ps| ps.push(p));
                    new_name.set(String::new());
                    conflict.set(None);
                }
                Err(e) => report(e),
            }
            busy.set(false);
        });
    };
    let save_update = move |_| {
        let Some(p) = current_profile() else {
            status.set(Some("Pick a profile to update first.".into()));
            return;
        };
        let input = input_for(p.name.clone(), Some(&p));
        busy.set(true);
        status.set(Some("Saving…".into()));
        spawn_local(async move {
            match update_profile(p.id, Versioned::new(input, p.version)).await {
                Ok(saved) => {
                    status.set(Some(format!("Updated profile '{}' (version {}).", saved.name, saved.version)));
                    profiles.update(|ps| ps.iter_mut().filter(|x| x.id == saved.id).for_each(|x| *x = saved.clone()));
                    conflict.set(None);
                }
                Err(e) => report(e),
            }
            busy.set(false);
        });
    };
    let take_theirs = move |_| {
        if let Some((_, Some(theirs))) = conflict.get_untracked() {
            profiles.update(|ps| ps.iter_mut().filter(|x| x.id == theirs.id).for_each(|x| *x = theirs.clone()));
            load_profile(&theirs);
            status.set(Some(format!("Loaded the current version {} of '{}'.", theirs.version, theirs.name)));
        }
    };

    // The weights as the record form sends them: a JSON map of criterion key to percent, written
    // by hand (tenths are exact) so the bundle needs no JSON serializer for it.
    let weights_json = move || {
        state.model.with_value(|m| {
            state.weights.with(|w| {
                let pairs: Vec<String> = m
                    .criteria
                    .iter()
                    .zip(&w.0)
                    .map(|(c, t)| format!("\"{}\":{}", c.key, domain::weights::format_tenths(u64::from(*t))))
                    .collect();
                format!("{{{}}}", pairs.join(","))
            })
        })
    };
    let name_of = move |key: &str| {
        state
            .model
            .with_value(|m| m.candidates.iter().find(|c| c.key == key).map_or(key.to_string(), |c| c.name.clone()))
    };

    // The score matrix outside this island shows the selected tier's overrides by this mark.
    Effect::new(move |_| {
        let tier = state.tier.get();
        if let Some(html) = document().document_element() {
            let _ = match tier {
                Some(t) => html.set_attribute("data-tier", t.as_str()),
                None => html.remove_attribute("data-tier"),
            };
        }
    });
    view! {
        <div class="studio-live">
            <section class="panel controls" aria-labelledby="studio-title">
                <h1 id="studio-title">"What-if studio"</h1>
                <p class="lede">
                    "Move a weight and the others rescale so they still add up to 100 %. Lock a criterion to keep it fixed."
                </p>
                <div class="pickers">
                    <label for="profile">"Profile"</label>
                    <select id="profile" on:change=on_profile>
                        // Re-rendered whole when the list changes (rare): cheaper in the bundle
                        // than a keyed list.
                        {move || {
                            profiles
                                .get()
                                .into_iter()
                                .map(|p| view! {
                                    <option value=p.id.to_string() selected=move || selected.get() == Some(p.id)>
                                        {p.name}
                                    </option>
                                })
                                .collect_view()
                        }}
                    </select>
                    <label for="tier">"Tier"</label>
                    <select id="tier" on:change=move |ev| state.tier.set(tier_from_str(&event_target_value(&ev)))>
                        <option value="" selected=move || state.tier.get().is_none()>"No tier (base scores)"</option>
                        {Tier::ALL
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <option value=t.as_str() selected=move || state.tier.get() == Some(t)>
                                        {t.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <button type="button" on:click=reset>"Reset to profile"</button>
                </div>
                <p class="profile-meta">
                    {move || {
                        current_profile()
                            .map(|p| {
                                format!(
                                    "Version {} · last saved {} by {}",
                                    p.version,
                                    p.updated_at.replace('T', " ").replace('Z', " UTC"),
                                    p.updated_by,
                                )
                            })
                    }}
                </p>
                <details class="profile-why">
                    <summary>"Why these weights"</summary>
                    <p>{move || current_profile().map(|p| p.description)}</p>
                </details>
                <WeightEditor state />
                {if can_save {
                    view! {
                <div class="save">
                            <form on:submit=save_new class="save-new">
                                <label for="new-profile-name">"New profile name"</label>
                                <input
                                    id="new-profile-name"
                                    type="text"
                                    maxlength="80"
                                    prop:value=move || new_name.get()
                                    on:input=move |ev| new_name.set(event_target_value(&ev))
                                />
                                <button type="submit" disabled=move || busy.get()>"Save as new profile"</button>
                            </form>
                            <button type="button" on:click=save_update disabled=move || busy.get()>"Update profile"</button>
                        </div>
                        // A plain form: the browser posts it and opens the new ADR, so recording
                        // costs the bundle nothing but these reactive hidden values.
                        <details class="record-decision">
                            <summary>"Record decision as an ADR"</summary>
                            <form method="post" action={<RecordDecision as ServerFn>::PATH} data-testid="record-decision">
                                <label for="adr-title">"Title"</label>
                                <input id="adr-title" name="title" type="text" maxlength="200" required
                                    placeholder="e.g. Cilium for greenfield plants" />
                                <label for="adr-chosen">"Chosen option"</label>
                                <select id="adr-chosen" name="chosen">
                                    {state.model.with_value(|m| m.candidates.iter()
                                        .filter(|c| c.status == domain::CandidateStatus::Scored)
                                        .map(|c| view! { <option value=c.key.clone()>{c.name.clone()}</option> })
                                        .collect_view())}
                                </select>
                                <label for="adr-justification">"Why (required when it is not the weighted winner)"</label>
                                <textarea id="adr-justification" name="justification" rows="2" maxlength="2000"></textarea>
                                <input type="hidden" name="weights" value=weights_json />
                                <input type="hidden" name="tier" value=move || state.tier.get().map(|t| t.as_str()).unwrap_or("") />
                                <button type="submit">"Record as proposed ADR"</button>
                                <p class="hint">"Freezes these weights, the scores, the per-tier outcome and the fleet; the ADR opens for review and acceptance."</p>
                            </form>
                        </details>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="hint" data-testid="read-only">
                            "You are signed in as a viewer: explore the weights freely; saving profiles needs an architect."
                        </p>
                    }
                        .into_any()
                }}
                <p data-testid="status" role="status" class="status">{move || status.get()}</p>
                {move || {
                    conflict
                        .get()
                        .map(|(msg, theirs)| {
                            view! {
                                <div data-testid="conflict" role="alert" class="conflict">
                                    <p>{msg}</p>
                                    {theirs.map(|_| view! { <button type="button" on:click=take_theirs>"Load their version"</button> })}
                                </div>
                            }
                        })
                }}
            </section>
            <section class="panel results" aria-labelledby="results-title">
                <h2 id="results-title">"Result"</h2>
                <div class="totals">
                    // The candidates never change while the page is open: one box each, in the
                    // first ranking's order, whose number follows the weights.
                    {evaluation
                        .with_untracked(|e| e.results.iter().map(|r| r.candidate.clone()).collect::<Vec<_>>())
                        .into_iter()
                        .map(|key| {
                            let k2 = key.clone();
                            view! {
                                <div class="total">
                                    <span class="cni-name">{name_of(&key)}</span>
                                    <output data-testid=format!("total-{key}")>
                                        {move || {
                                            evaluation
                                                .with(|e| e.results.iter().find(|x| x.candidate == k2).map(|x| format_points(x.total)))
                                        }}
                                    </output>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
                <p class="verdict">
                    "Winner: "
                    <strong data-testid="winner">
                        {move || evaluation.with(|e| e.winner.as_deref().map_or_else(|| "tie".to_string(), &name_of))}
                    </strong>
                    " · margin "
                    <strong data-testid="margin">{move || evaluation.with(|e| format_points(e.margin))}</strong>
                    " · "
                    <span data-testid="clear-winner" class=move || if evaluation.with(|e| e.clear_winner) { "badge ok" } else { "badge warn" }>
                        {move || if evaluation.with(|e| e.clear_winner) { "Clear winner" } else { "No clear winner" }}
                    </span>
                </p>
                <p class="hint">"A margin under 10 % of the winner's total reads “no clear winner”."</p>
                <figure class="chart">
                    <figcaption>"Weighted contribution of each criterion (numbers match the legend)"</figcaption>
                    <div data-testid="contribution-chart" class="svg" inner_html=move || contribution.get()></div>
                    <ChartLegend model=state.model />
                </figure>
                <figure class="chart">
                    <figcaption>
                        "Break-even: the band is the range of a criterion's weight (others rescaled) that keeps the winner; the black tick is today's weight"
                    </figcaption>
                    <div data-testid="tornado-chart" class="svg" inner_html=move || tornado.get()></div>
                    {move || breaks.with(|b| b.is_none()).then(|| view! { <p>"No strict winner, so there is nothing to break even."</p> })}
                </figure>
            </section>
        </div>
    }
}
