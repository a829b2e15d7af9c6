//! The cluster list and the cluster page: facts, recommendation and why, gates, scoring chart
//! and the edit form.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::adrs::RecordDecisionForm;
use super::versions::VersionPanel;
use crate::api::fleet::{load_cluster, load_clusters, save_cluster};
use crate::charts::contribution_svg;
use crate::components::{FilterSelect, FormError, Loaded, pager, same_pairs, save};
use crate::model::{
    CLUSTER_LIST_PAGE, ClusterFilter, ClusterListPage, ClusterPage, ClusterSort, Role, ServerProps, Versioned,
};
use domain::fleet::ClusterRecord;
use domain::{BgpFabric, Severity, Tier, Weights, evaluate};

/// `/clusters`: filter by tier, CNI and site; sort by name, tier, site or CNI; numbered pages
/// (plain links, filtered, sorted and counted on the server).
#[component]
pub fn ClusterList() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| ClusterFilter {
            tier: q.get("tier").and_then(|t| t.parse().ok()),
            cni: q.get("cni").filter(|v| !v.is_empty()),
            site: q.get("site").filter(|v| !v.is_empty()),
            sort: q.get("sort").and_then(|s| s.parse().ok()),
            offset: q
                .get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .filter(|p| *p > 1)
                .map(|p| (p - 1) * CLUSTER_LIST_PAGE),
            ..ClusterFilter::default()
        })
    };
    let clusters = Resource::new(filter, load_clusters);
    let value = move |k: &'static str| query.with(|q| q.get(k).unwrap_or_default());
    let sorts = ClusterSort::ALL.iter().map(|s| (s.as_str().to_string(), s.as_str().to_string())).collect::<Vec<_>>();
    view! {
        <section class="panel">
            <h1>"Clusters"</h1>
            <form method="get" class="filters">
                <FilterSelect id="c-tier" name="tier" label="Tier" options=same_pairs(Tier::ALL.map(Tier::as_str)) current=Signal::derive(move || value("tier")) />
                <label for="c-cni">"Decided CNI"</label>
                <input id="c-cni" name="cni" type="text" value=move || value("cni") placeholder="cilium, calico…" />
                <label for="c-site">"Site"</label>
                <input id="c-site" name="site" type="text" value=move || value("site") />
                <label for="c-sort">"Sort"</label>
                <select id="c-sort" name="sort">
                    {sorts.into_iter().map(|(v, label)| {
                        let selected = value("sort") == v || (v == "name" && value("sort").is_empty());
                        view! { <option value=v selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                <button type="submit">"Apply"</button>
            </form>
            <Loaded resource=clusters render={move |page: ClusterListPage| {
                let ClusterListPage { clusters, total, offset, limit } = page;
                let pages = (total + limit - 1) / limit;
                let current = offset / limit + 1;
                let link = move |n: i64| {
                    let mut q = form_urlencoded::Serializer::new(String::new());
                    for k in ["tier", "cni", "site", "sort"] {
                        let v = value(k);
                        if !v.is_empty() {
                            q.append_pair(k, &v);
                        }
                    }
                    if n > 1 {
                        q.append_pair("page", &n.to_string());
                    }
                    format!("/clusters?{}", q.finish())
                };
                let shown = if clusters.is_empty() {
                    format!("No cluster matches ({total} in all).")
                } else {
                    format!("Clusters {}–{} of {total}", offset + 1, offset + clusters.len() as i64)
                };
                view! {
                    <p data-testid="cluster-count">{shown}</p>
                    <table class="data" data-testid="cluster-table">
                        <thead><tr><th>"Name"</th><th>"Site"</th><th>"Tier"</th><th>"Context"</th><th>"Distribution"</th><th>"Kernel"</th><th>"Decided CNI"</th></tr></thead>
                        <tbody>
                            {clusters.into_iter().map(|c| {
                                let f = c.record.facts;
                                view! {
                                    <tr>
                                        <td><a href=format!("/clusters/{}", c.id)>{c.record.name}</a></td>
                                        <td>{c.record.site}</td>
                                        <td>{f.tier.as_str()}</td>
                                        <td>{f.context.map(|x| x.as_str()).unwrap_or("—")}</td>
                                        <td>{f.distribution}</td>
                                        <td>{f.kernel.unwrap_or_default()}</td>
                                        <td>{c.record.decided_cni.unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {pager("Pages of clusters", "cluster-pager", current as usize, pages as usize, move |n| link(n as i64))}
                }
            }} />
        </section>
    }
}

/// `/clusters/:id`.
#[component]
pub fn ClusterDetail() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1));
    // A save reloads the page with `?saved=1`, so the recommendation and gates are rendered anew
    // by the server and the form can still say "Saved.".
    let saved = query.with_untracked(|q| q.get("saved").is_some());
    let page = Resource::new(id, load_cluster);
    view! {
        <FormError />
        <Loaded resource=page render={move |p: ClusterPage| view! { <ClusterView page=p saved /> }} />
    }
}

#[component]
fn ClusterView(page: ClusterPage, saved: bool) -> impl IntoView {
    let ClusterPage { cluster, recommendation: rec, model, profile, me, lifecycle, upgrade, robustness } = page;
    let c = cluster.record.clone();
    let f = c.facts.clone();
    let scored: Vec<(String, String)> = model
        .candidates
        .iter()
        .filter(|x| x.status == domain::CandidateStatus::Scored)
        .map(|x| (x.key.clone(), x.name.clone()))
        .collect();
    let weights = Weights::from_percent_map_unchecked(&model, &profile.weights).unwrap_or_default();
    let chart = contribution_svg(&model, &evaluate(&model.score_table(Some(f.tier)), &weights));
    let robustness_chart = robustness.as_ref().map(|a| crate::charts::acceptability_svg(&model, a));
    let name_of = |k: &str| model.candidates.iter().find(|x| x.key == k).map_or(k.to_string(), |x| x.name.clone());
    let winner =
        rec.winner.as_deref().map(name_of).unwrap_or_else(|| "none (every candidate is knocked out or tied)".into());
    let facts = vec![
        ("Site", c.site.clone()),
        ("Parent", c.parent.clone().unwrap_or_else(|| "—".into())),
        ("Tier", f.tier.as_str().to_string()),
        ("Context", f.context.map(|x| x.as_str().to_string()).unwrap_or_else(|| "—".into())),
        ("Distribution", f.distribution.clone()),
        (
            "Nodes",
            format!(
                "{} × {} cores, {} GiB",
                f.nodes,
                f.cores_per_node.map_or("?".into(), |v| v.to_string()),
                f.memory_gib_per_node.map_or("?".into(), |v| v.to_string())
            ),
        ),
        ("Kernel", f.kernel.clone().unwrap_or_else(|| "unknown".into())),
        ("BGP fabric", f.bgp_fabric.as_str().to_string()),
        ("WAN uplink", if f.wan_uplink { "yes".into() } else { "no".into() }),
        ("Underlay MTU", f.underlay_mtu.map_or("1500 (default)".into(), |v| v.to_string())),
        ("Underlay", if f.underlay_symmetric { "symmetric".into() } else { "asymmetric".into() }),
        ("Pod CIDR", f.pod_cidr.clone().unwrap_or_else(|| "—".into())),
        ("Decided CNI", c.decided_cni.clone().unwrap_or_else(|| "not decided".into())),
        ("Pinned version", f.pinned_version.map_or_else(|| "not pinned".into(), |v| v.to_string())),
        ("Upgrade pilot", if f.pilot { "yes (takes every CNI upgrade first)".into() } else { "no".into() }),
    ];
    view! {
        <div class="cluster-page">
            <section class="panel">
                <h1>{c.name.clone()}</h1>
                <dl class="facts" data-testid="facts">
                    {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
            </section>
            <section class="panel" data-testid="recommendation">
                <h2>"Recommendation: " <strong data-testid="recommended">{winner}</strong></h2>
                <p>
                    {format!("Profile “{}” with {}-tier scores · margin {:.2} · ", rec.profile_name, f.tier.as_str(), rec.margin)}
                    <span class=if rec.clear_winner { "badge ok" } else { "badge warn" }>{if rec.clear_winner { "Clear winner" } else { "No clear winner" }}</span>
                </p>
                {rec.exception.then(|| view! { <p class="badge warn" data-testid="exception">{format!("≠ Exception: decided {} — {}", c.decided_cni.clone().unwrap_or_default(), c.exception_rationale.clone().unwrap_or_else(|| "no rationale written yet".into()))}</p> })}
                <table class="data">
                    <thead><tr><th>"Candidate"</th><th>"Total"</th><th>"Rank"</th><th>"Status"</th><th>"Pod MTU"</th></tr></thead>
                    <tbody>
                        {rec.results.iter().map(|r| {
                            let mtu = rec.pod_mtu.get(&r.candidate).and_then(|m| *m).map_or("—".to_string(), |m| m.to_string());
                            view! {
                                <tr>
                                    <td>{name_of(&r.candidate)}</td>
                                    <td class="num">{format!("{:.2}", r.total)}</td>
                                    <td>{r.rank}</td>
                                    <td>{if r.knocked_out { "✖ knocked out" } else { "eligible" }}</td>
                                    <td>{mtu}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <h3>"Gates"</h3>
                <ul class="gates" data-testid="gates">
                    {if rec.gates.is_empty() { Some(view! { <li>"No gate applies."</li> }) } else { None }}
                    {rec.gates.iter().map(|g| view! {
                        <li class=if g.severity == Severity::KnockOut { "gate knock-out" } else { "gate warning" } data-code=g.code.clone()>
                            <strong>{if g.severity == Severity::KnockOut { "✖ Knock-out" } else { "⚠ Warning" }} " · " {name_of(&g.candidate)}</strong>
                            ": " {g.message.clone()}
                        </li>
                    }).collect_view()}
                </ul>
                <figure class="chart">
                    <figcaption>"Weighted contribution per criterion (numbers as in the studio's legend)"</figcaption>
                    <div class="svg" inner_html=chart></div>
                </figure>
            </section>
            <section class="panel" data-testid="robustness" aria-labelledby="robustness-title">
                <h2 id="robustness-title">"How sure is it?"</h2>
                <p data-testid="acceptability">
                    {match (rec.winner.as_deref(), rec.acceptability) {
                        (Some(w), Some(a)) => format!(
                            "{} ranks first in {:.1} % of 10,000 weightings where each weight moves up to 5 percentage points from the profile's.",
                            name_of(w),
                            a * 100.0
                        ),
                        _ => "No candidate wins here, so there is nothing to test.".to_string(),
                    }}
                    " "
                    {rec.contested().then(|| view! { <span class="badge warn" data-testid="contested">"◐ Contested: under 70 %"</span> })}
                    {(!rec.contested()).then(|| view! { <span class="badge ok">"Robust: 70 % or more"</span> })}
                </p>
                {robustness_chart.map(|svg| view! {
                    <figure class="chart">
                        <figcaption>"Rank acceptability: the share of those weightings in which each candidate ranks 1st, 2nd, …"</figcaption>
                        <div class="svg" data-testid="acceptability-chart" inner_html=svg></div>
                    </figure>
                })}
            </section>
            <VersionPanel lifecycle upgrade />
            {(me.role >= Role::Architect).then(|| {
                let hidden = vec![
                    ("scope_cluster", c.name.clone()),
                    ("profile_id", profile.id.to_string()),
                    ("tier", f.tier.as_str().to_string()),
                ];
                view! {
                    <details class="panel record-decision" data-testid="cluster-record">
                        <summary>"Record decision for this cluster"</summary>
                        <RecordDecisionForm candidates=scored.clone() selected=rec.winner.clone() hidden back=format!("/clusters/{}", cluster.id)
                            hint="Uses this cluster's profile and tier scores and freezes the cluster, its gates and its exception." />
                    </details>
                }
            })}
            {(me.role >= Role::Architect).then(|| view! { <ClusterForm id=cluster.id version=cluster.version record=ServerProps(cluster.record) candidates=scored saved /> })}
        </div>
    }
}

/// The edit form: an island, the only WASM on the cluster page.
#[cfg_attr(any(feature = "ssr", feature = "bundle-cluster"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "bundle-cluster")), component)]
fn ClusterForm(
    id: i64,
    version: i32,
    record: ServerProps<ClusterRecord>,
    /// Scored candidates (key, name) a decision may name.
    candidates: Vec<(String, String)>,
    /// The page was reloaded after a save.
    saved: bool,
) -> impl IntoView {
    let status = RwSignal::new(saved.then(|| "Saved.".to_string()));
    let rec = RwSignal::new(record.0);
    let errors = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    // The pin is typed as text and read on save, so a half-typed version is not lost.
    let pin_text =
        RwSignal::new(rec.with_untracked(|r| r.facts.pinned_version.map(|v| v.to_string()).unwrap_or_default()));
    let text = move |get: fn(&ClusterRecord) -> String| move || rec.with(get);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = pin_text.get_untracked();
        let pin = match typed.trim() {
            "" => None,
            t => match domain::CniVersion::parse(t) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.set(e.fields.into_values().map(|m| ("pinned_version".to_string(), m)).collect());
                    status.set(Some("Not saved: check the pinned version.".into()));
                    return;
                }
            },
        };
        rec.update(|r| r.facts.pinned_version = pin);
        let body = Versioned::new(rec.get_untracked(), version);
        save(status, Some(errors), save_cluster(id, body), move |_| {
            // The recommendation and gates are the server's to render: show the saved state.
            let _ = window().location().set_href(&format!("/clusters/{id}?saved=1"));
        });
    };
    let err = move |f: &'static str| {
        move || errors.with(|e| e.get(f).cloned()).map(|m| view! { <span class="field-error" role="alert">{m}</span> })
    };
    let opt_u32 = |s: String| s.trim().parse::<u32>().ok();
    view! {
        <section class="panel">
            <h2>"Edit facts"</h2>
            <form on:submit=submit class="grid-form" data-testid="cluster-form">
                <label for="e-kernel">"Kernel (as `uname -r` reports it)"</label>
                <input id="e-kernel" type="text" prop:value=text(|r| r.facts.kernel.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.kernel = Some(v).filter(|s| !s.trim().is_empty())) } />
                {err("kernel")}
                <label for="e-nodes">"Nodes"</label>
                <input id="e-nodes" type="text" inputmode="numeric" prop:value=text(|r| r.facts.nodes.to_string())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.nodes = v.trim().parse().unwrap_or(0)) } />
                {err("nodes")}
                <label for="e-cores">"Cores per node"</label>
                <input id="e-cores" type="text" inputmode="numeric" prop:value=text(|r| r.facts.cores_per_node.map(|v| v.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.cores_per_node = opt_u32(v)) } />
                <label for="e-memory">"Memory per node (GiB)"</label>
                <input id="e-memory" type="text" inputmode="decimal" prop:value=text(|r| r.facts.memory_gib_per_node.map(|v| v.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.memory_gib_per_node = v.trim().parse().ok()) } />
                <label for="e-mtu">"Underlay MTU"</label>
                <input id="e-mtu" type="text" inputmode="numeric" prop:value=text(|r| r.facts.underlay_mtu.map(|v| v.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.underlay_mtu = opt_u32(v)) } />
                {err("underlay_mtu")}
                <label for="e-bgp">"BGP fabric"</label>
                <select id="e-bgp" on:change=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.bgp_fabric = v.parse().unwrap_or(BgpFabric::None)) }>
                    {BgpFabric::ALL.into_iter().map(|b| view! { <option value=b.as_str() selected=move || rec.with(|r| r.facts.bgp_fabric == b)>{b.as_str()}</option> }).collect_view()}
                </select>
                <label for="e-cidr">"Pod CIDR"</label>
                <input id="e-cidr" type="text" prop:value=text(|r| r.facts.pod_cidr.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.facts.pod_cidr = Some(v).filter(|s| !s.trim().is_empty())) } />
                {err("pod_cidr")}
                <label for="e-decided">"Decided CNI"</label>
                <select id="e-decided" on:change=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.decided_cni = Some(v).filter(|s| !s.is_empty())) }>
                    {std::iter::once((String::new(), "not decided".to_string())).chain(candidates).map(|(v, label)| {
                        let key = v.clone();
                        view! { <option value=v selected=move || rec.with(|r| r.decided_cni.as_deref().unwrap_or("") == key)>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="e-pin">"Pinned CNI version (e.g. 1.18.13; empty: not pinned)"</label>
                <input id="e-pin" type="text" prop:value=move || pin_text.get()
                    on:input=move |ev| pin_text.set(event_target_value(&ev)) />
                {err("pinned_version")}
                <label for="e-pilot" class="check">
                    <input id="e-pilot" type="checkbox" prop:checked=move || rec.with(|r| r.facts.pilot)
                        on:change=move |ev| { let on = event_target_checked(&ev); rec.update(|r| r.facts.pilot = on) } />
                    " Upgrade pilot (a non-production plant cluster, first in every wave)"
                </label>
                {err("pilot")}
                <label for="e-rationale">"Exception rationale (required when the decision differs from the recommendation)"</label>
                <textarea id="e-rationale" rows="3" prop:value=text(|r| r.exception_rationale.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.exception_rationale = Some(v).filter(|s| !s.trim().is_empty())) }></textarea>
                {err("exception_rationale")}
                <button type="submit">"Save cluster"</button>
            </form>
            <p role="status" data-testid="cluster-status" class="status">{move || status.get()}</p>
        </section>
    }
}
