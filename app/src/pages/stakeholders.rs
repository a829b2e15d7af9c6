//! The studio's stakeholder section, rendered by the server only: each stakeholder's weights and
//! winner, who would flip the decision, the spread per criterion (a range chart and its table),
//! the aggregate, and plain forms to add, change and remove weights. It ships no WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::{DeleteStakeholder, SaveStakeholder, SetStakeholderAggregate};
use crate::model::{StakeholderRole, StudioStakeholders};
use domain::Model;
use domain::stakeholders::Aggregate;

fn percent(p: f64) -> String {
    domain::weights::format_tenths(u64::from(domain::weights::percent_to_tenths(p).unwrap_or(0))) + " %"
}

/// The section for one profile's stakeholders.
#[component]
pub fn StakeholderSection(section: StudioStakeholders, model: Model) -> impl IntoView {
    let StudioStakeholders { board, editable, for_others, may_add_own, form, notice, error, chart, aggregate_link } =
        section;
    let name_of = |key: &Option<String>| {
        key.as_deref().map_or_else(
            || "a tie".to_string(),
            |k| model.candidates.iter().find(|c| c.key == k).map_or(k.to_string(), |c| c.name.clone()),
        )
    };
    let profile = board.profile_id.to_string();
    let n = board.stakeholders.len();
    let flippers: Vec<String> =
        board.stakeholders.iter().filter(|s| s.flips).map(|s| s.stakeholder.name.clone()).collect();
    let pivotal: Vec<String> =
        board.stakeholders.iter().filter(|s| s.pivotal).map(|s| s.stakeholder.name.clone()).collect();
    let how = board.aggregate.as_str();
    let summary = (n > 0).then(|| {
        let flips = if flippers.is_empty() {
            "Every stakeholder's own weights pick the same winner.".to_string()
        } else {
            format!(
                "{} of {n} would flip the decision: their own weights pick another winner ({}).",
                flippers.len(),
                flippers.join(", ")
            )
        };
        let swing = if pivotal.is_empty() {
            String::new()
        } else {
            format!(" Without {}'s weights the {how} would pick another winner.", pivotal.join("'s or "))
        };
        format!(
            "The profile's weights pick {}. The {how} of {n} stakeholders' weights picks {} (margin {:.2}). {flips}{swing}",
            name_of(&board.profile_winner),
            name_of(&board.aggregate_winner),
            board.aggregate_margin
        )
    });
    let editing = form.id.is_some();
    let form_title = match (editing, form.mine) {
        (true, _) => format!("Change {}'s weights", form.name),
        (false, true) => "Give your own weights".to_string(),
        (false, false) => "Add someone's weights".to_string(),
    };
    let can_add = for_others || may_add_own || editing;
    let rows = board
        .stakeholders
        .iter()
        .zip(&editable)
        .map(|(s, &can)| {
            let who = &s.stakeholder;
            let flip = if s.flips { "yes — picks another winner" } else { "no" };
            let pivot = if s.pivotal { "yes" } else { "no" };
            let actions = can.then(|| {
                let edit = format!("/?profile={}&edit={}#stakeholder-form", who.profile_id, who.id);
                view! {
                    <a href=edit>"Change"</a>
                    <form method="post" action={<DeleteStakeholder as ServerFn>::PATH} class="inline">
                        <input type="hidden" name="profile" value=who.profile_id.to_string() />
                        <input type="hidden" name="stakeholder" value=who.id.to_string() />
                        <input type="hidden" name="version" value=who.version.to_string() />
                        <button type="submit" aria-label=format!("Remove {}'s weights", who.name)>"Remove"</button>
                    </form>
                }
            });
            view! {
                <tr data-testid=format!("stakeholder-{}", who.id) class=if s.flips { "flips" } else { "" }>
                    <th scope="row">{who.name.clone()}</th>
                    <td>{who.role.as_str()}</td>
                    <td data-testid="stakeholder-winner">{format!("{} (margin {:.2})", name_of(&s.winner), s.margin)}</td>
                    <td data-testid="stakeholder-flips">{flip}</td>
                    <td>{pivot}</td>
                    <td>{who.updated_by.clone()}</td>
                    <td>{actions}</td>
                </tr>
            }
        })
        .collect_view();
    let spread_rows = board
        .spread
        .iter()
        .map(|s| {
            let name =
                model.criteria.iter().find(|c| c.key == s.criterion).map_or(s.criterion.clone(), |c| c.name.clone());
            let agg = board.aggregate_weights.as_ref().and_then(|w| w.get(&s.criterion)).copied().unwrap_or(0.0);
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td>{percent(s.lo)}</td>
                    <td>{percent(s.hi)}</td>
                    <td>{percent(s.mean)}</td>
                    <td>{percent(s.median)}</td>
                    <td>{percent(agg)}</td>
                    <td>{percent(s.profile)}</td>
                </tr>
            }
        })
        .collect_view();
    let weight_inputs = model
        .criteria
        .iter()
        .map(|c| {
            let id = format!("sh-w-{}", c.key);
            let value = form.weights.get(&c.key).cloned().unwrap_or_default();
            view! {
                <div class="weight-field">
                    <label for=id.clone()>{c.name.clone()}</label>
                    <input id=id name=format!("weights[{}]", c.key) type="text" inputmode="decimal" size="5" value=value
                        data-testid=format!("sh-weight-{}", c.key) />
                </div>
            }
        })
        .collect_view();
    let roles = StakeholderRole::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=form.role == r.as_str()>{r.as_str()}</option> })
        .collect_view();
    view! {
        <section class="panel stakeholders" id="stakeholders" aria-labelledby="stakeholders-title" data-testid="stakeholders">
            <h2 id="stakeholders-title">{format!("Stakeholders of “{}”", board.profile_name)}</h2>
            <p class="lede">
                "The decision-makers and the consulted each give their own weights for this profile: see whose priorities pick which CNI, how far apart they are, and what their "
                {how}
                " decides. The robustness panel above can sample within their ranges."
            </p>
            {notice.map(|n| view! { <p role="status" class="status" data-testid="stakeholder-notice">{n}</p> })}
            {error.map(|e| view! { <p role="alert" class="error" data-testid="stakeholder-error">{format!("Not done: {e}")}</p> })}
            {if n == 0 {
                view! { <p data-testid="stakeholder-summary">"No stakeholder has given weights for this profile yet."</p> }.into_any()
            } else {
                view! {
                    <p data-testid="stakeholder-summary">{summary}</p>
                    <div class="table-wrap">
                        <table class="data" data-testid="stakeholder-table">
                            <caption>"Each stakeholder's winner with their own weights (on the profile's tier)"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Stakeholder"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Their winner"</th>
                                    <th scope="col">"Would flip the decision"</th>
                                    <th scope="col">{format!("Swings the {how}")}</th>
                                    <th scope="col">"Entered by"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <figure class="chart">
                        <figcaption>
                            "Spread per criterion: the bar runs from the lowest to the highest weight given, a dot per stakeholder, the black tick is the "
                            {how}
                            ", the hollow square the profile's own weight"
                        </figcaption>
                        <div data-testid="spread-chart" class="svg" inner_html=chart></div>
                    </figure>
                    <details>
                        <summary>"The spread as a table"</summary>
                        <div class="table-wrap">
                            <table class="data" data-testid="spread-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Criterion"</th>
                                        <th scope="col">"Lowest"</th>
                                        <th scope="col">"Highest"</th>
                                        <th scope="col">"Mean"</th>
                                        <th scope="col">"Median"</th>
                                        <th scope="col">{format!("Aggregate ({how})")}</th>
                                        <th scope="col">"Profile"</th>
                                    </tr>
                                </thead>
                                <tbody>{spread_rows}</tbody>
                            </table>
                        </div>
                    </details>
                    <div class="stakeholder-actions">
                        {aggregate_link.map(|href| view! {
                            <a href=href data-testid="load-aggregate">{format!("Load the {how} into the editor")}</a>
                        })}
                        {for_others.then(|| view! {
                            <form method="post" action={<SetStakeholderAggregate as ServerFn>::PATH} class="inline" data-testid="aggregate-form">
                                <input type="hidden" name="profile" value=profile.clone() />
                                <input type="hidden" name="version" value=board.profile_version.to_string() />
                                <label for="aggregate">"Aggregate by"</label>
                                <select id="aggregate" name="aggregate">
                                    {Aggregate::ALL.into_iter().map(|a| view! {
                                        <option value=a.as_str() selected=a == board.aggregate>{a.as_str()}</option>
                                    }).collect_view()}
                                </select>
                                <button type="submit">"Use it"</button>
                            </form>
                        })}
                    </div>
                }.into_any()
            }}
            {can_add.then(|| view! {
                <form method="post" action={<SaveStakeholder as ServerFn>::PATH} id="stakeholder-form" class="stakeholder-form" data-testid="stakeholder-form">
                    <h3>{form_title}</h3>
                    <input type="hidden" name="profile" value=profile.clone() />
                    {form.id.map(|id| view! { <input type="hidden" name="stakeholder" value=id.to_string() /> })}
                    {form.version.map(|v| view! { <input type="hidden" name="version" value=v.to_string() /> })}
                    <div class="fields">
                        <label for="sh-name">"Who (a person or a team)"</label>
                        <input id="sh-name" name="name" type="text" maxlength="80" value=form.name.clone()
                            placeholder=if form.mine { "your display name" } else { "e.g. Plant network team" } />
                        <label for="sh-role">"Role"</label>
                        <select id="sh-role" name="role">{roles}</select>
                    </div>
                    <fieldset>
                        <legend>"Weights in percent (they must add up to 100)"</legend>
                        <div class="weights-grid">{weight_inputs}</div>
                    </fieldset>
                    <label class="check">
                        <input type="checkbox" name="rescale" value="on" checked=true />
                        " Scale them to add up to 100 % for me"
                    </label>
                    {(!editing && for_others && may_add_own).then(|| view! {
                        <label class="check">
                            <input type="checkbox" name="mine" value="on" checked=form.mine />
                            " These are my own weights (linked to my account)"
                        </label>
                    })}
                    {(!for_others || (editing && form.mine)).then(|| view! { <input type="hidden" name="mine" value="on" /> })}
                    <button type="submit">{if editing { "Save the change" } else { "Add these weights" }}</button>
                    {editing.then(|| view! { <a href=format!("/?profile={profile}#stakeholders")>"Cancel"</a> })}
                </form>
            })}
        </section>
    }
}
