//! Decision records: the ADR register, one ADR (rendered decision, frozen chart, Markdown preview
//! and download, status actions), the reviews due, and the review of one ADR (then vs now,
//! reaffirm or supersede). Server-rendered only: every action is a plain form
//! (`api::adr_forms`), so these pages ship no WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{ChangeAdrStatus, RecordDecision, SubmitReview, load_adr, load_adrs, load_review, load_reviews};
use crate::charts::contribution_svg;
use crate::components::{FilterSelect, FormError, Loaded, pager};
use crate::model::{
    ADR_REGISTER_PAGE, AdrFilter, AdrLinkRef, AdrPage, AdrRegister, AdrSummary, REVIEW_STATES, ReviewPage, ReviewsDue,
    Role,
};
use domain::adr::{AdrStatus, ReviewState, Snapshot};
use domain::{Candidate, CandidateStatus, Criterion, Model, Score, Weights, evaluate, format_points};

/// The plain form that records a proposed ADR (see `api::adr_forms::record_decision`): title,
/// chosen option and, when it is not the weighted winner, why; `hidden` carries where it comes
/// from (scope, profile, tier) and `back` the page to return to with an error.
#[component]
pub fn RecordDecisionForm(
    candidates: Vec<(String, String)>,
    /// The option preselected: the weighted winner.
    #[prop(default = None)]
    selected: Option<String>,
    hidden: Vec<(&'static str, String)>,
    back: String,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <form method="post" action={<RecordDecision as ServerFn>::PATH} data-testid="record-decision">
            <label for="adr-title">"Title"</label>
            <input id="adr-title" name="title" type="text" maxlength="200" required placeholder="e.g. Cilium for greenfield plants" />
            <label for="adr-chosen">"Chosen option"</label>
            <select id="adr-chosen" name="chosen">
                {candidates.into_iter().map(|(k, n)| {
                    let on = selected.as_deref() == Some(k.as_str());
                    view! { <option value=k selected=on>{n}</option> }
                }).collect_view()}
            </select>
            <label for="adr-justification">"Why (required when it is not the weighted winner)"</label>
            <textarea id="adr-justification" name="justification" rows="2" maxlength="2000"></textarea>
            {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
            <input type="hidden" name="back" value=back />
            <button type="submit">"Record as proposed ADR"</button>
            <p class="hint">{hint}</p>
        </form>
    }
}

fn number_param() -> u32 {
    use_params_map()
        .with_untracked(|p| p.get("number").and_then(|v| v.trim_start_matches("ADR-").parse().ok()).unwrap_or(0))
}

fn review_badge(state: Option<ReviewState>, review_by: Option<domain::NaiveDate>) -> impl IntoView {
    let (class, words) = match state {
        Some(ReviewState::Overdue) => ("badge warn", "review overdue"),
        Some(ReviewState::DueSoon) => ("badge warn", "review due soon"),
        Some(ReviewState::Later) => ("badge ok", "review later"),
        None => ("badge", ""),
    };
    (!words.is_empty()).then(|| {
        view! {
            <span class=class data-testid="review-state">
                {format!("{words}{}", review_by.map(|d| format!(" · {d}")).unwrap_or_default())}
            </span>
        }
    })
}

fn link_to(l: &AdrLinkRef) -> impl IntoView + use<> {
    view! { <a href=format!("/adrs/{}", l.number.0)>{format!("{}: {}", l.number, l.title)}</a> }
}

/// The frozen decision as a model the charts can draw: its criteria, options and scores.
fn snapshot_model(s: &Snapshot) -> (Model, Weights) {
    let criteria =
        s.criteria.iter().map(|c| Criterion { key: c.key.clone(), name: c.name.clone(), why: c.why.clone() }).collect();
    let candidates = s
        .options
        .iter()
        .map(|o| Candidate {
            key: o.key.clone(),
            name: o.name.clone(),
            status: CandidateStatus::Scored,
            summary: o.summary.clone(),
            dismissed_reason: None,
        })
        .collect();
    let scores = s
        .options
        .iter()
        .flat_map(|o| {
            let base = o.scores.iter().map(|x| Score {
                candidate: o.key.clone(),
                criterion: x.criterion.clone(),
                tier: None,
                score: x.score,
                rationale: x.rationale.clone(),
            });
            let over = o.overrides.iter().map(|x| Score {
                candidate: o.key.clone(),
                criterion: x.criterion.clone(),
                tier: Some(x.tier),
                score: x.score,
                rationale: x.rationale.clone(),
            });
            base.chain(over).collect::<Vec<_>>()
        })
        .collect();
    (Model { criteria, candidates, scores }, Weights(s.criteria.iter().map(|c| c.weight).collect()))
}

/// The contribution chart of a snapshot, as the studio draws it.
fn snapshot_chart(s: &Snapshot) -> String {
    let (model, weights) = snapshot_model(s);
    contribution_svg(&model, &evaluate(&model.score_table(s.tier), &weights))
}

/// Totals per tier of a snapshot.
fn tier_table(s: &Snapshot) -> impl IntoView + use<> {
    let name = |k: &str| s.options.iter().find(|o| o.key == k).map_or(k.to_string(), |o| o.name.clone());
    let rows = s
        .per_tier
        .iter()
        .map(|t| {
            let totals = t
                .results
                .iter()
                .map(|r| format!("{} {}", name(&r.candidate), format_points(r.total)))
                .collect::<Vec<_>>()
                .join(" · ");
            view! {
                <tr>
                    <td>{t.tier.as_str()}{t.context.map(|c| format!(" {}", c.as_str())).unwrap_or_default()}</td>
                    <td>{t.profile.clone().unwrap_or_else(|| "the decision's weights".into())}</td>
                    <td>{t.winner.as_deref().map(name).unwrap_or_else(|| "tie".into())}</td>
                    <td>{totals}</td>
                    <td>{format_points(t.margin)}{(!t.clear_winner).then_some(" (no clear winner)")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data" data-testid="tier-outcomes">
            <thead><tr><th>"Tier"</th><th>"Weights"</th><th>"Winner"</th><th>"Totals"</th><th>"Margin"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// `/adrs`: every ADR, filtered by status and review state.
#[component]
pub fn AdrList() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| AdrFilter {
            status: q.get("status").filter(|v| !v.is_empty()),
            review: q.get("review").filter(|v| !v.is_empty()),
        })
    };
    let value = move |k: &'static str| query.with(|q| q.get(k).unwrap_or_default());
    let offset = move || {
        let page = query.with(|q| q.get("page").and_then(|p| p.parse::<usize>().ok())).unwrap_or(1).max(1);
        (page - 1).saturating_mul(ADR_REGISTER_PAGE)
    };
    let data = Resource::new(move || (filter(), offset()), |(f, o)| load_adrs(f, o));
    let link = move |n: usize| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for k in ["status", "review"] {
            let v = value(k);
            if !v.is_empty() {
                q.append_pair(k, &v);
            }
        }
        if n > 1 {
            q.append_pair("page", &n.to_string());
        }
        format!("/adrs?{}", q.finish())
    };
    let statuses: Vec<(String, String)> =
        AdrStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.as_str().to_string())).collect();
    let reviews: Vec<(String, String)> = REVIEW_STATES.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect();
    view! {
        <section class="panel">
            <h1>"Decision records"</h1>
            <p class="lede">
                "Every CNI decision as an architecture decision record (MADR 4), frozen on the model it was decided on, with its annual review. "
                <a href="/api/v1/adrs/export.tar.gz" download>"Download all as docs/decisions (tar.gz)"</a>
            </p>
            <form method="get" class="filters">
                <FilterSelect id="a-status" name="status" label="Status" options=statuses current=Signal::derive(move || value("status")) />
                <FilterSelect id="a-review" name="review" label="Review" options=reviews current=Signal::derive(move || value("review")) />
                <button type="submit">"Apply"</button>
                <a href="/adrs">"Clear"</a>
            </form>
            <Loaded resource=data render={move |r: AdrRegister| {
                let pages = r.total.div_ceil(ADR_REGISTER_PAGE);
                let current = r.offset / ADR_REGISTER_PAGE + 1;
                let shown = match r.adrs.len() {
                    0 => String::new(),
                    n => format!("ADRs {}–{} of {}", r.offset + 1, r.offset + n, r.total),
                };
                view! {
                    <p data-testid="adr-count">{shown}</p>
                    <AdrTable adrs=r.adrs />
                    {pager("Pages of decision records", "adr-pager", current, pages, link)}
                }
            }} />
        </section>
    }
}

#[component]
fn AdrTable(adrs: Vec<AdrSummary>) -> impl IntoView {
    if adrs.is_empty() {
        return view! { <p>"No decision record matches."</p> }.into_any();
    }
    view! {
        <table class="data" data-testid="adr-table">
            <thead><tr><th>"Number"</th><th>"Title"</th><th>"Status"</th><th>"Chosen"</th><th>"Scope"</th><th>"Date"</th><th>"Review"</th></tr></thead>
            <tbody>
                {adrs.into_iter().map(|a| view! {
                    <tr>
                        <td><a href=format!("/adrs/{}", a.number.0)>{a.number.to_string()}</a></td>
                        <td>{a.draft.title.clone()}</td>
                        <td>{a.status.as_str()}{a.superseded_by.map(|n| format!(" by {n}"))}</td>
                        <td>{a.draft.chosen.clone()}</td>
                        <td>{a.draft.scope.describe()}</td>
                        <td>{a.date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                        <td>{review_badge(a.review_state, a.review_by)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `/adrs/:number`.
#[component]
pub fn AdrDetail() -> impl IntoView {
    let number = number_param();
    let reviewed = use_query_map().with_untracked(|q| q.get("reviewed").is_some());
    let data = Resource::new(move || number, load_adr);
    view! {
        <FormError />
        <Loaded resource=data render={move |p: AdrPage| view! { <AdrView page=p reviewed /> }} />
    }
}

#[component]
fn AdrView(page: AdrPage, reviewed: bool) -> impl IntoView {
    let AdrPage { adr: record, reviews, markdown, supersedes, superseded_by, proposed_successor, me } = page;
    let a = record.adr.clone();
    let n = a.number.0;
    let version = record.version;
    let status_form = move |status: &'static str, label: &'static str| {
        view! {
            <form method="post" action={<ChangeAdrStatus as ServerFn>::PATH} class="inline">
                <input type="hidden" name="number" value=n.to_string() />
                <input type="hidden" name="status" value=status />
                <input type="hidden" name="version" value=version.to_string() />
                <button type="submit" data-testid=format!("adr-{status}")>{label}</button>
            </form>
        }
    };
    let architect = me.role >= Role::Architect;
    let actions = match a.status {
        AdrStatus::Proposed if architect => {
            view! { {status_form("accepted", "Accept")} {status_form("rejected", "Reject")} }.into_any()
        }
        AdrStatus::Accepted => view! {
            {architect.then(|| view! { <a class="button" href=format!("/adrs/{n}/review") data-testid="adr-review">"Review"</a> })}
            {(me.role == Role::Admin).then(|| status_form("deprecated", "Deprecate"))}
        }
        .into_any(),
        _ => ().into_any(),
    };
    let chart = snapshot_chart(&a.snapshot);
    let people = |label: &'static str, names: &[String]| {
        view! { <dt>{label}</dt><dd>{if names.is_empty() { "—".to_string() } else { names.join(", ") }}</dd> }
    };
    view! {
        <section class="panel adr">
            <h1 data-testid="adr-title">{format!("{}: {}", a.number, a.draft.title)}</h1>
            <p>
                <span class="badge" data-testid="adr-status">{a.status.as_str()}</span>
                " "{review_badge(record.review_state, a.review_by)}
            </p>
            {reviewed.then(|| view! {
                <p role="status" class="status" data-testid="reviewed">
                    {format!("Review recorded. Next review: {}.", a.review_by.map(|d| d.to_string()).unwrap_or_else(|| "—".into()))}
                </p>
            })}
            <div class="actions">{actions}</div>
            <dl class="facts">
                <dt>"Chosen option"</dt><dd data-testid="adr-chosen">{a.snapshot.name_of(&a.draft.chosen).to_string()}</dd>
                <dt>"Scope"</dt><dd data-testid="adr-scope">{a.draft.scope.describe()}</dd>
                <dt>"Recorded"</dt><dd>{format!("{} by {}", a.recorded_on, record.created_by)}</dd>
                <dt>"Decided"</dt><dd>{a.date.map(|d| d.to_string()).unwrap_or_else(|| "not yet".into())}</dd>
                <dt>"Next review"</dt><dd data-testid="adr-review-by">{a.review_by.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
                {people("Decision-makers", &a.draft.decision_makers)}
                {people("Consulted", &a.draft.consulted)}
                {people("Informed", &a.draft.informed)}
                <dt>"Snapshot SHA-256"</dt><dd><code>{a.snapshot_sha256.clone()}</code></dd>
                {supersedes.as_ref().map(|l| view! { <dt>"Supersedes"</dt><dd>{link_to(l)}</dd> })}
                {superseded_by.as_ref().map(|l| view! { <dt>"Superseded by"</dt><dd>{link_to(l)}</dd> })}
                {proposed_successor.as_ref().map(|l| view! { <dt>"Proposed successor"</dt><dd>{link_to(l)}</dd> })}
                <dt>"Reviews"</dt><dd>{reviews.len().to_string()}</dd>
            </dl>
        </section>
        <section class="panel">
            <h2>"Frozen scoring"</h2>
            <figure class="chart">
                <figcaption>"Weighted contribution of each criterion when it was decided"</figcaption>
                <div class="svg" data-testid="frozen-chart" inner_html=chart></div>
            </figure>
            <h3>"Per tier"</h3>
            {tier_table(&a.snapshot)}
        </section>
        <section class="panel">
            <h2>"Markdown (MADR 4)"</h2>
            <p><a href=format!("/api/v1/adrs/{n}.md") download=record.file_name.clone() data-testid="adr-download">{format!("Download {}", record.file_name)}</a></p>
            // Scrollable, so it takes keyboard focus to be scrolled without a mouse.
            <pre class="markdown" data-testid="adr-markdown" tabindex="0" aria-label="The ADR as Markdown">{markdown}</pre>
        </section>
    }
}

/// `/reviews`: accepted ADRs by review state.
#[component]
pub fn Reviews() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_reviews());
    view! {
        <section class="panel">
            <h1>"Reviews due"</h1>
            <p class="lede">
                "Every accepted decision is reviewed once per interval (12 months unless it says otherwise): re-run on today's model, then reaffirmed or superseded. "
                "Subscribe in a calendar: " <code>"/api/v1/reviews.ics?token=<read token>"</code>
            </p>
            <Loaded resource=data render={|r: ReviewsDue| view! {
                <p>{format!("Today is {}.", r.today)}</p>
                <h2>"Overdue"</h2>
                <div data-testid="reviews-overdue"><AdrTable adrs=r.overdue /></div>
                <h2>"Due within 30 days"</h2>
                <div data-testid="reviews-due-soon"><AdrTable adrs=r.due_soon /></div>
                <h2>"Later"</h2>
                <div data-testid="reviews-later"><AdrTable adrs=r.later /></div>
            }} />
        </section>
    }
}

/// `/adrs/:number/review`: what changed since the decision, then reaffirm or supersede.
#[component]
pub fn AdrReview() -> impl IntoView {
    let number = number_param();
    let data = Resource::new(move || number, load_review);
    view! {
        <FormError />
        <Loaded resource=data render={|p: ReviewPage| view! { <ReviewView page=p /> }} />
    }
}

#[component]
fn ReviewView(page: ReviewPage) -> impl IntoView {
    let ReviewPage { preview, reviews, proposed_successor, me } = page;
    let a = preview.adr.adr.clone();
    let n = a.number.0;
    let then_chart = snapshot_chart(&a.snapshot);
    let now_chart = snapshot_chart(&preview.now);
    let total = |s: &Snapshot, key: &str| s.option(key).map(|o| format_points(o.total)).unwrap_or_else(|| "—".into());
    let keys: Vec<String> = a.snapshot.options.iter().map(|o| o.key.clone()).collect();
    let totals = keys
        .iter()
        .map(|k| {
            let k = k.as_str();
            view! {
                <tr>
                    <td>{a.snapshot.name_of(k).to_string()}</td>
                    <td>{total(&a.snapshot, k)}</td>
                    <td>{total(&preview.now, k)}</td>
                </tr>
            }
        })
        .collect_view();
    let summary = if preview.summary.is_empty() {
        view! { <p data-testid="review-unchanged">"Nothing changed since the decision: same weights, scores, winners and fleet."</p> }.into_any()
    } else {
        view! { <ul data-testid="review-changes">{preview.summary.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul> }.into_any()
    };
    let version = preview.adr.version;
    let winner_of = |s: &Snapshot| s.winner.as_deref().map_or_else(|| "tie".to_string(), |w| s.name_of(w).to_string());
    let (winner_then, winner_now) = (winner_of(&a.snapshot), winner_of(&preview.now));
    view! {
        <section class="panel">
            <h1>{format!("Review {}: {}", a.number, a.draft.title)}</h1>
            <p>{format!("Decided {} · review due {} · today {}", a.date.map(|d| d.to_string()).unwrap_or_default(), a.review_by.map(|d| d.to_string()).unwrap_or_default(), preview.today)}</p>
            <h2>"What changed since the snapshot"</h2>
            {summary}
            <table class="data" data-testid="review-totals">
                <thead><tr><th>"Option"</th><th>"Then"</th><th>"Now"</th></tr></thead>
                <tbody>
                    {totals}
                    <tr><td>"Winner"</td><td>{winner_then}</td><td>{winner_now}</td></tr>
                    <tr><td>"Margin"</td><td>{format_points(a.snapshot.margin)}</td><td>{format_points(preview.now.margin)}</td></tr>
                </tbody>
            </table>
            <div class="then-now">
                <figure class="chart">
                    <figcaption>"Then: contribution of each criterion"</figcaption>
                    <div class="svg" inner_html=then_chart></div>
                </figure>
                <figure class="chart">
                    <figcaption>"Now: the same decision on today's model"</figcaption>
                    <div class="svg" inner_html=now_chart></div>
                </figure>
            </div>
            <h3>"Per tier, now"</h3>
            {tier_table(&preview.now)}
            <h3>"CNI versions in scope"</h3>
            {if preview.versions.is_empty() {
                view! { <p data-testid="review-versions-ok">"Every cluster in scope is on a supported release, as pinned."</p> }.into_any()
            } else {
                view! {
                    <table class="data" data-testid="review-versions">
                        <thead><tr><th>"Cluster"</th><th>"CNI"</th><th>"Pinned"</th><th>"Finding"</th></tr></thead>
                        <tbody>
                            {preview.versions.iter().map(|r| view! {
                                <tr>
                                    <td><a href=format!("/clusters/{}", r.id)>{r.cluster.clone()}</a></td>
                                    <td>{r.cni.clone().unwrap_or_default()}</td>
                                    <td>{r.pinned.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{r.findings.first().map(|f| f.message.clone()).unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="panel">
            <h2>"Outcome"</h2>
            {proposed_successor.as_ref().map(|l| view! { <p>"A successor is already proposed: " {link_to(l)}</p> })}
            {if me.role >= Role::Architect {
                view! {
                    <form method="post" action={<SubmitReview as ServerFn>::PATH} class="grid-form" data-testid="review-form">
                        <input type="hidden" name="number" value=n.to_string() />
                        <input type="hidden" name="version" value=version.to_string() />
                        <fieldset>
                            <legend>"Decision"</legend>
                            <label><input type="radio" name="outcome" value="reaffirm" checked /> " Reaffirm: it still holds; review again in one interval"</label>
                            <label><input type="radio" name="outcome" value="supersede" /> " Supersede: propose a new ADR from today's model"</label>
                        </fieldset>
                        <label for="review-note">"Note (required to reaffirm)"</label>
                        <textarea id="review-note" name="note" rows="3" maxlength="2000"></textarea>
                        <button type="submit">"Record review"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="hint">"Reviewing needs an architect."</p> }.into_any()
            }}
            <p>{format!("{} earlier review(s).", reviews.len())}</p>
        </section>
    }
}
