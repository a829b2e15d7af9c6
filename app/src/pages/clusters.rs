//! The cluster list and the cluster page: facts, recommendation and why, gates, scoring chart
//! and the edit form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::AppError;
use crate::api::fleet::{ClusterPage, load_cluster, load_clusters, save_cluster};
use crate::api::types::{ClusterFilter, Role};
use crate::charts::contribution_svg;
use domain::fleet::ClusterRecord;
use domain::{BgpFabric, Severity, Weights, evaluate};

/// `/clusters`: filter by tier, CNI and site; sort by name or tier.
#[component]
pub fn ClusterList() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| ClusterFilter {
            tier: q.get("tier").and_then(|t| t.parse().ok()),
            cni: q.get("cni").filter(|v| !v.is_empty()),
            site: q.get("site").filter(|v| !v.is_empty()),
        })
    };
    let sort = move || query.with(|q| q.get("sort").unwrap_or_default());
    let clusters = Resource::new(filter, load_clusters);
    let value = move |k: &'static str| query.with(|q| q.get(k).unwrap_or_default());
    view! {
        <section class="panel">
            <h1>"Clusters"</h1>
            <form method="get" class="filters">
                <label for="c-tier">"Tier"</label>
                <select id="c-tier" name="tier">
                    {["", "cell", "plant", "regional", "cloud"].into_iter().map(|t| view! { <option value=t selected=move || value("tier") == t>{if t.is_empty() { "any" } else { t }}</option> }).collect_view()}
                </select>
                <label for="c-cni">"Decided CNI"</label>
                <input id="c-cni" name="cni" type="text" value=move || value("cni") placeholder="cilium, calico…" />
                <label for="c-site">"Site"</label>
                <input id="c-site" name="site" type="text" value=move || value("site") />
                <label for="c-sort">"Sort"</label>
                <select id="c-sort" name="sort">
                    <option value="name" selected=move || value("sort") != "tier">"name"</option>
                    <option value="tier" selected=move || value("sort") == "tier">"tier"</option>
                </select>
                <button type="submit">"Apply"</button>
            </form>
            <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match clusters.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(mut list) => {
                            if sort() == "tier" {
                                list.sort_by(|a, b| a.record.tier.cmp(&b.record.tier).then(a.record.name.cmp(&b.record.name)));
                            }
                            view! {
                                <p>{format!("{} clusters", list.len())}</p>
                                <table class="data" data-testid="cluster-table">
                                    <thead><tr><th>"Name"</th><th>"Site"</th><th>"Tier"</th><th>"Context"</th><th>"Distribution"</th><th>"Kernel"</th><th>"Decided CNI"</th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|c| view! {
                                            <tr>
                                                <td><a href=format!("/clusters/{}", c.id)>{c.record.name}</a></td>
                                                <td>{c.record.site}</td>
                                                <td>{c.record.tier.as_str()}</td>
                                                <td>{c.record.context.map(|x| x.as_str()).unwrap_or("—")}</td>
                                                <td>{c.record.distribution}</td>
                                                <td>{c.record.kernel.unwrap_or_default()}</td>
                                                <td>{c.record.decided_cni.unwrap_or_else(|| "—".into())}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/clusters/:id`.
#[component]
pub fn ClusterDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1));
    let reload = RwSignal::new(0u32);
    // Lives outside the reloaded view so "Saved." survives the refetch that follows a save.
    let status = RwSignal::new(None::<String>);
    let page = Resource::new(move || (id(), reload.get()), |(id, _)| load_cluster(id));
    view! {
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <section class="panel"><p class="error" role="alert">{e.to_string()}</p></section> }.into_any(),
                    Ok(p) => view! { <ClusterView page=p reload status /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ClusterView(page: ClusterPage, reload: RwSignal<u32>, status: RwSignal<Option<String>>) -> impl IntoView {
    let ClusterPage { cluster, recommendation: rec, model, profile, sites: _, me } = page;
    let c = cluster.record.clone();
    let weights = Weights::from_percent_map_unchecked(&model, &profile.weights).unwrap_or_default();
    let chart = contribution_svg(&model, &evaluate(&model.score_table(Some(c.tier)), &weights));
    let name_of = |k: &str| model.candidates.iter().find(|x| x.key == k).map_or(k.to_string(), |x| x.name.clone());
    let winner =
        rec.winner.as_deref().map(name_of).unwrap_or_else(|| "none (every candidate is knocked out or tied)".into());
    let facts = vec![
        ("Site", c.site.clone()),
        ("Parent", c.parent.clone().unwrap_or_else(|| "—".into())),
        ("Tier", c.tier.as_str().to_string()),
        ("Context", c.context.map(|x| x.as_str().to_string()).unwrap_or_else(|| "—".into())),
        ("Distribution", c.distribution.clone()),
        (
            "Nodes",
            format!(
                "{} × {} cores, {} GiB",
                c.nodes,
                c.cores_per_node.map_or("?".into(), |v| v.to_string()),
                c.memory_gib_per_node.map_or("?".into(), |v| v.to_string())
            ),
        ),
        ("Kernel", c.kernel.clone().unwrap_or_else(|| "unknown".into())),
        ("BGP fabric", c.bgp_fabric.as_str().to_string()),
        ("WAN uplink", if c.wan_uplink { "yes".into() } else { "no".into() }),
        ("Underlay MTU", c.underlay_mtu.map_or("1500 (default)".into(), |v| v.to_string())),
        ("Underlay", if c.underlay_symmetric { "symmetric".into() } else { "asymmetric".into() }),
        ("Pod CIDR", c.pod_cidr.clone().unwrap_or_else(|| "—".into())),
        ("Decided CNI", c.decided_cni.clone().unwrap_or_else(|| "not decided".into())),
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
                    {format!("Profile “{}” with {}-tier scores · margin {:.2} · ", rec.profile_name, c.tier.as_str(), rec.margin)}
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
            {(me.role >= Role::Architect).then(|| view! { <ClusterForm id=cluster.id version=cluster.version record=cluster.record reload status /> })}
        </div>
    }
}

#[component]
fn ClusterForm(
    id: i64,
    version: i32,
    record: ClusterRecord,
    reload: RwSignal<u32>,
    status: RwSignal<Option<String>>,
) -> impl IntoView {
    let rec = RwSignal::new(record);
    let errors = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let text = move |get: fn(&ClusterRecord) -> String| move || rec.with(get);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = rec.get_untracked();
        status.set(Some("Saving…".into()));
        spawn_local(async move {
            match save_cluster(id, version, r).await {
                Ok(_) => {
                    status.set(Some("Saved.".into()));
                    errors.set(Default::default());
                    reload.update(|x| *x += 1);
                }
                Err(AppError::Validation { fields, message }) => {
                    status.set(Some(format!("Not saved: {message}")));
                    errors.set(fields);
                }
                Err(e) => status.set(Some(format!("Not saved: {e}"))),
            }
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
                <input id="e-kernel" type="text" prop:value=text(|r| r.kernel.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.kernel = Some(v).filter(|s| !s.trim().is_empty())) } />
                {err("kernel")}
                <label for="e-nodes">"Nodes"</label>
                <input id="e-nodes" type="text" inputmode="numeric" prop:value=text(|r| r.nodes.to_string())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.nodes = v.trim().parse().unwrap_or(0)) } />
                {err("nodes")}
                <label for="e-cores">"Cores per node"</label>
                <input id="e-cores" type="text" inputmode="numeric" prop:value=text(|r| r.cores_per_node.map(|v| v.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.cores_per_node = opt_u32(v)) } />
                <label for="e-memory">"Memory per node (GiB)"</label>
                <input id="e-memory" type="text" inputmode="decimal" prop:value=text(|r| r.memory_gib_per_node.map(|v| v.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.memory_gib_per_node = v.trim().parse().ok()) } />
                <label for="e-mtu">"Underlay MTU"</label>
                <input id="e-mtu" type="text" inputmode="numeric" prop:value=text(|r| r.underlay_mtu.map(|v| v.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.underlay_mtu = opt_u32(v)) } />
                {err("underlay_mtu")}
                <label for="e-bgp">"BGP fabric"</label>
                <select id="e-bgp" on:change=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.bgp_fabric = v.parse().unwrap_or(BgpFabric::None)) }>
                    {BgpFabric::ALL.into_iter().map(|b| view! { <option value=b.as_str() selected=move || rec.with(|r| r.bgp_fabric == b)>{b.as_str()}</option> }).collect_view()}
                </select>
                <label for="e-cidr">"Pod CIDR"</label>
                <input id="e-cidr" type="text" prop:value=text(|r| r.pod_cidr.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.pod_cidr = Some(v).filter(|s| !s.trim().is_empty())) } />
                {err("pod_cidr")}
                <label for="e-decided">"Decided CNI"</label>
                <select id="e-decided" on:change=move |ev| { let v = event_target_value(&ev); rec.update(|r| r.decided_cni = Some(v).filter(|s| !s.is_empty())) }>
                    {["", "cilium", "calico"].into_iter().map(|v| view! { <option value=v selected=move || rec.with(|r| r.decided_cni.as_deref().unwrap_or("") == v)>{if v.is_empty() { "not decided" } else { v }}</option> }).collect_view()}
                </select>
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
