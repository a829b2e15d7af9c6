//! The what-if studio: tweak the nine weights and watch totals, winner, margin and robustness
//! change live. Everything is recomputed in the browser by the domain crate; the server renders
//! the same numbers for the first paint (and for visitors without JavaScript).

use leptos::prelude::*;
use std::collections::BTreeMap;

use super::stakeholders::StakeholderSection;
use crate::api::{RecordDecision, SaveProfile, load_studio};
use crate::charts::{acceptability_svg, contribution_svg, per_mille, percent_text, tornado_svg};
use crate::components::island_data;
use crate::components::{ChartLegend, ScoreMatrix, WeightEditor};
use crate::components::{FormError, Loaded};
use crate::model::{Role, StudioData, StudioPage, StudioProfile, StudioQuery};
use domain::robustness::{DEFAULT_SAMPLES, Sampling, SmaaOptions, smaa};
use domain::{Evaluation, Model, Tier, Weights, break_even, evaluate, format_points};
use leptos::server_fn::ServerFn;

/// The studio page: loads the model and profiles, then hands over to [`StudioView`]. The address
/// says where to start (a profile, or the weights of a save that was refused).
#[component]
pub fn Studio() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let data = Resource::new(
        move || {
            query.with(|q| StudioQuery {
                profile: q.get("profile"),
                tier: q.get("tier"),
                weights: q.get("weights"),
                name: q.get("name"),
                saved: q.get("saved"),
                conflict: q.get("conflict"),
                stakeholders: q.get("stakeholders"),
                edit: q.get("edit"),
                sh_draft: q.get("sh_draft"),
                sh_error: q.get("sh_error"),
            })
        },
        load_studio,
    );
    view! {
        <FormError />
        <Loaded resource=data loading="Loading the decision model…" render={|page: StudioPage| {
            let model = page.data.model.clone();
            let stakeholders = page.stakeholders.map(|section| view! { <StakeholderSection section model=model.clone() /> });
            view! {
                <div class="studio">
                    {island_data::embed(STUDIO_DATA, page.data)}
                    <StudioView />
                    // Static: the island only tells the page which tier's scores to show.
                    <section class="panel matrix" aria-labelledby="matrix-title">
                        <h2 id="matrix-title">"Scores and rationale"</h2>
                        <ScoreMatrix model />
                    </section>
                    {stakeholders}
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

fn tier_from_str(s: &str) -> Option<Tier> {
    s.parse().ok()
}

/// Where the page embeds the studio's data for the island.
const STUDIO_DATA: &str = "studio-data";

/// The studio once data is loaded: an island, so it and what it uses are all the WASM the page
/// needs. It has no props: it reads its data from the page (see [`island_data`]).
#[cfg_attr(any(feature = "ssr", feature = "bundle-studio"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "bundle-studio")), component)]
pub fn StudioView() -> impl IntoView {
    let data = island_data::read::<StudioData>(STUDIO_DATA);
    let missing = data.is_none().then(|| {
        view! { <p class="error" role="alert">"The studio's data did not arrive intact; reload the page."</p> }
    });
    (missing, data.map(studio_live))
}

/// The studio's editor and results.
fn studio_live(data: StudioData) -> impl IntoView {
    let StudioData { model, profiles, me, start, fleet } = data;
    let ranges = StoredValue::new(start.ranges.clone());
    // The server refuses a viewer's save anyway; hiding the controls just saves them the trip.
    let can_save = me.role >= Role::Architect;
    let n = model.criteria.len();
    let tier_tables = StoredValue::new(Tier::ALL.map(|t| model.score_table(Some(t))));
    let fleet = StoredValue::new(fleet);
    let state = StudioState {
        model: StoredValue::new(model),
        weights: RwSignal::new(start.weights),
        locked: RwSignal::new(vec![false; n]),
        tier: RwSignal::new(start.tier),
        input_errors: RwSignal::new(BTreeMap::new()),
    };
    let profiles = StoredValue::new(profiles);
    let selected = RwSignal::new(start.profile);
    let status = RwSignal::new(start.notice);
    let conflict = RwSignal::new(start.conflict);

    let table = Memo::new(move |_| state.model.with_value(|m| m.score_table(state.tier.get())));
    let evaluation: Memo<Evaluation> = Memo::new(move |_| table.with(|t| state.weights.with(|w| evaluate(t, w))));
    let breaks = Memo::new(move |_| table.with(|t| state.weights.with(|w| break_even(t, w))));
    let contribution = Memo::new(move |_| state.model.with_value(|m| evaluation.with(|e| contribution_svg(m, e))));
    let tornado = Memo::new(move |_| {
        state.model.with_value(|m| breaks.with(|b| b.as_deref().map(|b| tornado_svg(m, b)).unwrap_or_default()))
    });
    // The robustness and the fleet what-if follow the weights one frame later, so a slider move
    // updates the totals and both charts first and the heavier analyses never hold that frame up.
    let settled = RwSignal::new(state.weights.get_untracked());
    Effect::new(move |_| {
        let w = state.weights.get();
        request_animation_frame(move || settled.set(w));
    });
    // How sure: 10,000 weightings within the band around the weights (SMAA), redrawn with them.
    let band = RwSignal::new(domain::fleet::ROBUSTNESS_BAND);
    // Or within the profile's stakeholders' ranges, when two or more gave weights.
    let within_ranges = RwSignal::new(false);
    let robustness = Memo::new(move |_| {
        let mut options =
            SmaaOptions::around(&settled.get(), band.get(), DEFAULT_SAMPLES, domain::fleet::ROBUSTNESS_SEED);
        if within_ranges.get()
            && let Some(r) = ranges.get_value()
        {
            options.sampling = Sampling::Ranges { lo: r.lo, hi: r.hi };
        }
        table.with(|t| smaa(t, &options).ok())
    });
    let robustness_svg = Memo::new(move |_| {
        state.model.with_value(|m| robustness.with(|a| a.as_ref().map(|a| acceptability_svg(m, a)).unwrap_or_default()))
    });
    // The fleet what-if: clusters whose recommendation these weights would change, by tier and
    // new winner, and by site. One evaluation per group of clusters recommended alike.
    let whatif = Memo::new(move |_| {
        let mut by_tier: BTreeMap<(usize, Option<String>), u32> = BTreeMap::new();
        let mut by_site: BTreeMap<u32, u32> = BTreeMap::new();
        let (mut changed, mut total) = (0u32, 0u32);
        settled.with(|w| {
            fleet.with_value(|f| {
                for g in &f.groups {
                    let n: u32 = g.sites.iter().map(|(_, c)| c).sum();
                    total += n;
                    let i = Tier::ALL.iter().position(|&t| t == g.tier).unwrap_or_default();
                    let now = tier_tables.with_value(|t| domain::fleet::winner_without(&t[i], &g.knocked_out, w));
                    if now != g.winner {
                        changed += n;
                        *by_tier.entry((i, now)).or_default() += n;
                        for (site, c) in &g.sites {
                            *by_site.entry(*site).or_default() += c;
                        }
                    }
                }
            })
        });
        (changed, total, by_tier, by_site)
    });
    // Each candidate's first-rank share in draws (per 10,000): the browser tests compare them with
    // the API's, which must agree exactly for the same seed.
    let draws = move || {
        robustness.with(|a| {
            a.as_ref().map(|a| {
                a.candidates
                    .iter()
                    .zip(&a.rank_acceptability)
                    .map(|(c, r)| format!("{c}:{}", (r.first().copied().unwrap_or(0.0) * 10_000.0 + 0.5) as u32))
                    .collect::<Vec<_>>()
                    .join(",")
            })
        })
    };
    let current_profile =
        move || selected.get().and_then(|id| profiles.with_value(|ps| ps.iter().find(|p| p.id == id).cloned()));

    let load_profile = move |p: &StudioProfile| {
        state.weights.set(p.weights.clone());
        state.tier.set(p.tier);
        state.locked.update(|l| l.iter_mut().for_each(|x| *x = false));
        state.input_errors.set(BTreeMap::new());
        conflict.set(None);
    };
    // A profile opens by its address, so the page's stakeholder section is always that profile's.
    let on_profile = move |ev: leptos::ev::Event| {
        if let Ok(id) = event_target_value(&ev).parse::<i64>() {
            let _ = window().location().assign(&format!("/?profile={id}"));
        }
    };
    let reset = move |_| {
        if let Some(p) = current_profile() {
            load_profile(&p);
            status.set(Some(format!("Weights reset to '{}'.", p.name)));
        }
    };
    // The weights as the save and record forms send them: a JSON map of criterion key to percent,
    // written by hand (tenths are exact) so the bundle needs no JSON serializer for it.
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
                        {profiles.with_value(|ps| {
                            ps.iter()
                                .map(|p| {
                                    let id = p.id;
                                    view! {
                                        <option value=id.to_string() selected=move || selected.get() == Some(id)>
                                            {p.name.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        })}
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
                <p class="profile-meta">{move || current_profile().map(|p| p.meta)}</p>
                <details class="profile-why">
                    <summary>"Why these weights"</summary>
                    <p>{move || current_profile().map(|p| p.description)}</p>
                </details>
                <WeightEditor state />
                {if can_save {
                    view! {
                        // Plain forms: the browser posts them and follows the server's
                        // redirect, so saving and recording cost the bundle nothing but these
                        // reactive hidden values. Enter in the name field saves a new profile.
                        <form method="post" action={<SaveProfile as ServerFn>::PATH} class="save" data-testid="save-profile">
                            <input type="hidden" name="weights" value=weights_json />
                            <input type="hidden" name="tier" value=move || state.tier.get().map(|t| t.as_str()).unwrap_or("") />
                            <input type="hidden" name="profile" value=move || selected.get().map(|id| id.to_string()) />
                            <input type="hidden" name="version" value=move || current_profile().map(|p| p.version.to_string()) />
                            <label for="new-profile-name">"New profile name"</label>
                            <input id="new-profile-name" name="name" type="text" maxlength="80" value=start.name />
                            <button type="submit" name="save" value="new">"Save as new profile"</button>
                            <button type="submit" name="save" value="update">"Update profile"</button>
                        </form>
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
                                <input type="hidden" name="stakeholders_of" value=move || selected.get().map(|id| id.to_string()) />
                                <button type="submit">"Record as proposed ADR"</button>
                                <p class="hint">"Freezes these weights, the scores, the per-tier outcome, the fleet and the profile's stakeholders' weights; the ADR opens for review and acceptance."</p>
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
                        .map(|msg| {
                            view! {
                                <div data-testid="conflict" role="alert" class="conflict">
                                    <p>{msg}</p>
                                    <p>
                                        "Your weights are still here: save them as a new profile, update again to overwrite theirs, or "
                                        <a href=move || format!("/?profile={}", selected.get().unwrap_or_default())>"load their version"</a>
                                        "."
                                    </p>
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
                <figure class="chart robustness" data-testid="robustness">
                    <figcaption>
                        "How sure: the share of 10,000 weightings, each weight within the band of today's, in which each candidate ranks 1st, 2nd, …"
                    </figcaption>
                    <label for="band">"Uncertainty band: ± "<output data-testid="band">{move || band.get() / 10}</output>" percentage points per weight"</label>
                    <input id="band" type="range" min="0" max="20" step="1" prop:value=move || (band.get() / 10).to_string() prop:disabled=move || within_ranges.get()
                        on:input=move |ev| {
                            if let Ok(pp) = event_target_value(&ev).parse::<u32>() {
                                band.set(pp.min(20) * 10);
                            }
                        } />
                    {ranges.get_value().map(|r| view! {
                        <label class="check">
                            <input type="checkbox" id="within-stakeholders" data-testid="within-stakeholders"
                                prop:checked=move || within_ranges.get()
                                on:change=move |ev| within_ranges.set(event_target_checked(&ev)) />
                            {format!(" Sample within the {} stakeholders' ranges instead (each weight between the lowest and highest they gave)", r.count)}
                        </label>
                    })}
                    <p data-testid="robustness-summary">
                        {move || evaluation.with(|e| e.winner.clone()).map(|w| {
                            let share = robustness.with(|a| a.as_ref().map_or(0, |a| per_mille(a.first_rank(&w))));
                            format!("{} ranks first in {} of them{}", name_of(&w), percent_text(share), if share < 700 { " — contested (under 70 %)" } else { "" })
                        })}
                    </p>
                    <div data-testid="acceptability-chart" class="svg" data-draws=draws inner_html=move || robustness_svg.get()></div>
                </figure>
                <section class="whatif" data-testid="whatif" aria-labelledby="whatif-title">
                    <h3 id="whatif-title">"Fleet what-if"</h3>
                    <p data-testid="whatif-total">
                        {move || whatif.with(|(changed, total, ..)| format!("{changed} of {total} clusters would be recommended another CNI if these weights replaced their profile."))}
                    </p>
                    <ul class="whatif-tiers">
                        {move || whatif.with(|(_, _, by_tier, _)| {
                            by_tier
                                .iter()
                                .map(|((i, to), n)| {
                                    let tier = Tier::ALL[*i].as_str();
                                    let testid = format!("whatif-{tier}-{}", to.as_deref().unwrap_or("none"));
                                    let to = to.as_deref().map_or_else(|| "no winner".to_string(), &name_of);
                                    view! { <li data-testid=testid>{format!("{tier}: {n} → {to}")}</li> }
                                })
                                .collect_view()
                        })}
                    </ul>
                    <details>
                        <summary>"By site"</summary>
                        <ul class="whatif-sites" data-testid="whatif-sites">
                            {move || whatif.with(|(_, _, _, by_site)| {
                                fleet.with_value(|f| {
                                    by_site
                                        .iter()
                                        .map(|(s, n)| {
                                            let site = f.sites.get(*s as usize).cloned().unwrap_or_default();
                                            view! { <li>{format!("{site}: {n}")}</li> }
                                        })
                                        .collect_view()
                                })
                            })}
                        </ul>
                    </details>
                    <form method="get" action="/fleet" data-testid="whatif-map">
                        <input type="hidden" name="whatif" value=weights_json />
                        <button type="submit">"Open them on the fleet map"</button>
                    </form>
                </section>
            </section>
        </div>
    }
}
