//! `/versions`: every cluster's pinned and observed CNI version against the release catalog, the
//! lifecycle chart, the catalog, and the fleet's staged upgrade plan; plus the version panel of
//! the cluster page. Plain HTML with GET forms: no WASM.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{PinVersions, load_versions};
use crate::charts::lifecycle_svg;
use crate::components::{FilterSelect, FormError, Loaded, pager, same_pairs};
use crate::model::Role;
use crate::model::{ClusterLifecycle, UpgradePlan, VERSION_STATUSES, VersionQuery, VersionRow, VersionsPage};
use domain::Tier;
use domain::versions::{FindingCode, LifecycleStatus, UpgradePath};
use leptos::server_fn::ServerFn;

/// Rows per page of the table.
const PAGE: usize = 100;

/// The filters the table and its links carry.
const FILTERS: [&str; 4] = ["cni", "tier", "site", "status"];

fn status_badge(s: LifecycleStatus) -> (&'static str, &'static str) {
    match s {
        LifecycleStatus::Supported => ("badge ok", "✔ supported"),
        LifecycleStatus::EolSoon => ("badge warn", "⚠ end of life soon"),
        LifecycleStatus::Eol => ("badge bad", "✖ end of life"),
        LifecycleStatus::UnknownVersion => ("badge", "? unknown"),
    }
}

/// `/versions`.
#[component]
pub fn Versions() -> impl IntoView {
    let query = use_query_map();
    let value = move |k: &'static str| query.with(|q| q.get(k).unwrap_or_default());
    let args = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
            let page = get("page").and_then(|p| p.parse::<usize>().ok()).filter(|p| *p > 1).unwrap_or(1);
            let vq = VersionQuery {
                cni: get("cni"),
                tier: get("tier"),
                site: get("site"),
                status: get("status"),
                offset: Some((page - 1) * PAGE),
                limit: Some(PAGE),
            };
            (vq, get("plan_cni"), get("target"))
        })
    };
    let data = Resource::new(args, |(q, plan_cni, target)| load_versions(q, plan_cni, target));
    let statuses = VERSION_STATUSES.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect::<Vec<_>>();
    view! {
        <section class="panel">
            <h1>"Versions"</h1>
            <p class="hint">"Pinned and observed CNI versions against the release catalog. Pin versions, never auto-upgrade, and stage every upgrade through a pilot plant cluster."</p>
            <form method="get" class="filters" data-testid="version-filters">
                <FilterSelect id="v-cni" name="cni" label="CNI" options=same_pairs(["cilium", "calico"]) current=Signal::derive(move || value("cni")) />
                <FilterSelect id="v-tier" name="tier" label="Tier" options=same_pairs(Tier::ALL.map(Tier::as_str)) current=Signal::derive(move || value("tier")) />
                <label for="v-site">"Site"</label>
                <input id="v-site" name="site" type="text" value=move || value("site") />
                <FilterSelect id="v-status" name="status" label="Status" options=statuses current=Signal::derive(move || value("status")) />
                <button type="submit">"Apply"</button>
            </form>
            <FormError />
            {move || {
                let pinned = value("pinned");
                (!pinned.is_empty()).then(|| view! {
                    <p class="notice" role="status" data-testid="pin-done">
                        {format!("Pinned {} to {pinned} of the {} selected clusters (the others were on it already).", value("pin_version"), value("selected"))}
                    </p>
                })
            }}
            <Loaded resource=data render={move |p: VersionsPage| view! { <VersionsBody page=p value /> }} />
        </section>
    }
}

#[component]
fn VersionsBody(
    page: VersionsPage,
    value: impl Fn(&'static str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let VersionsPage { view: v, releases, plan, plan_cni, me } = page;
    let link = move |n: usize| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for k in FILTERS {
            let x = value(k);
            if !x.is_empty() {
                q.append_pair(k, &x);
            }
        }
        if n > 1 {
            q.append_pair("page", &n.to_string());
        }
        format!("/versions?{}", q.finish())
    };
    let pages = v.total.div_ceil(v.limit.max(1));
    let current = v.offset / v.limit.max(1) + 1;
    let shown = if v.rows.is_empty() {
        format!("No cluster matches ({} in the fleet).", v.summary.clusters)
    } else {
        format!(
            "Clusters {}–{} of {} matching ({} in the fleet)",
            v.offset + 1,
            v.offset + v.rows.len(),
            v.total,
            v.summary.clusters
        )
    };
    let counts = VERSION_STATUSES
        .iter()
        .map(|(k, label)| {
            let n = v.summary.by_status.get(*k).copied().unwrap_or(0);
            view! { <li><a href=format!("/versions?status={k}")>{format!("{label}: {n}")}</a></li> }
        })
        .collect_view();
    let chart = lifecycle_svg(&v.summary.by_minor);
    view! {
        <ul class="counts" data-testid="version-counts">{counts}</ul>
        <figure class="chart" data-testid="lifecycle-chart">
            <figcaption>{format!("Clusters by pinned CNI minor and lifecycle status on {} (each segment names its status)", v.today)}</figcaption>
            <div class="svg" inner_html=chart></div>
        </figure>
        <p data-testid="version-count">{shown}</p>
        <table class="data" data-testid="version-table">
            <thead><tr><th>"Cluster"</th><th>"Site"</th><th>"Tier"</th><th>"CNI"</th><th>"Pinned"</th><th>"Observed"</th><th>"Status"</th><th>"Behind"</th><th>"Drift"</th><th>"Next step"</th></tr></thead>
            <tbody>{v.rows.into_iter().map(row_view).collect_view()}</tbody>
        </table>
        {pager("Pages of clusters", "version-pager", current, pages, link)}
        {(me.role >= Role::Architect).then(|| view! { <PinForm /> })}
        <PlanView plan plan_cni />
        <details class="catalog" data-testid="release-catalog">
            <summary>"Release catalog"</summary>
            <table class="data">
                <thead><tr><th>"CNI"</th><th>"Minor"</th><th>"GA"</th><th>"End of life"</th><th>"Latest patch"</th><th>"Minimum kernel"</th><th>"Supported"</th></tr></thead>
                <tbody>
                    {releases.into_iter().map(|r| view! {
                        <tr>
                            <td>{r.product}</td><td>{r.cycle}</td><td>{r.ga_date.to_string()}</td>
                            <td>{r.eol_date.map_or_else(|| "—".to_string(), |d| d.to_string())}</td>
                            <td>{r.latest_patch}</td><td>{r.min_kernel}</td>
                            <td>{if r.supported { "✔ yes" } else { "✖ no" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

fn row_view(r: VersionRow) -> impl IntoView {
    let (class, label) = status_badge(r.status);
    let behind = match (r.patches_behind, r.minors_behind) {
        (Some(p), Some(m)) if p + m > 0 => format!("{p} patches, {m} minors"),
        (Some(_), Some(_)) => "up to date".to_string(),
        _ => "—".to_string(),
    };
    let observed = r.observed.as_ref().map_or_else(
        || "never reported".to_string(),
        |o| format!("{} {} ({})", o.cni, o.version, o.observed_at.get(..10).unwrap_or(&o.observed_at)),
    );
    let title = r.findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("\n");
    let codes: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| matches!(f.code, FindingCode::Unpinned | FindingCode::Stale | FindingCode::KernelTooOld))
        .map(|f| match f.code {
            FindingCode::Unpinned => "unpinned",
            FindingCode::Stale => "stale",
            _ => "kernel too old",
        })
        .collect();
    let name = r.cluster.clone();
    view! {
        <tr data-cluster=name>
            <td><a href=format!("/clusters/{}", r.id)>{r.cluster}</a>{r.pilot.then_some(" (pilot)")}</td>
            <td>{r.site}</td>
            <td>{r.tier.as_str()}</td>
            <td>{r.cni.unwrap_or_else(|| "—".into())}</td>
            <td>{r.pinned.unwrap_or_else(|| "— unpinned".into())}</td>
            <td>{observed}</td>
            <td title=title><span class=class>{label}</span>{(!codes.is_empty()).then(|| format!(" · {}", codes.join(", ")))}</td>
            <td>{behind}</td>
            <td>{if r.drift { "≠ drift" } else { "—" }}</td>
            <td>{r.next_step.unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}

#[component]
fn PlanView(plan: Result<UpgradePlan, String>, plan_cni: String) -> impl IntoView {
    let form = view! {
        <form method="get" class="filters" data-testid="plan-form">
            <label for="p-cni">"CNI"</label>
            <select id="p-cni" name="plan_cni">
                {["cilium", "calico"].into_iter().map(|c| view! { <option value=c selected=plan_cni == c>{c}</option> }).collect_view()}
            </select>
            <label for="p-target">"Target (empty: newest supported)"</label>
            <input id="p-target" name="target" type="text" placeholder="1.20" />
            <button type="submit">"Plan"</button>
        </form>
    };
    let body = match plan {
        Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Ok(p) => {
            let downloads = format!("/api/v1/upgrade-plan?cni={}&target={}", p.cni, p.target);
            view! {
                <p>
                    {format!("{} to {}: {} wave(s), {} days of soak between them; {} cluster(s) already there, {} blocked. ", p.cni, p.target, p.waves.len(), p.soak_days, p.up_to_date.len(), p.blocked.len())}
                    <a href=format!("{downloads}&format=csv") download>"CSV"</a> " · "
                    <a href=format!("{downloads}&format=md") download>"Markdown"</a>
                </p>
                <ol class="waves" data-testid="plan-waves" start="0">
                    {p.waves.into_iter().map(|w| view! {
                        <li>
                            <strong>{format!("Wave {} · {} · day {}", w.wave, w.name, w.start_day)}</strong>
                            <ul>{w.clusters.into_iter().map(|c| {
                                let steps = c.steps.iter().map(ToString::to_string).collect::<Vec<_>>().join(" → ");
                                view! { <li>{format!("{} ({}): {} → {steps}", c.name, c.site, c.from)}</li> }
                            }).collect_view()}</ul>
                        </li>
                    }).collect_view()}
                </ol>
                {(!p.blocked.is_empty()).then(|| view! {
                    <h3>"Blocked"</h3>
                    <ul data-testid="plan-blocked">{p.blocked.into_iter().map(|b| view! { <li>{format!("{} ({}): {}", b.name, b.site, b.reason)}</li> }).collect_view()}</ul>
                })}
            }
            .into_any()
        }
    };
    view! {
        <section class="plan" data-testid="fleet-plan">
            <h2>"Fleet upgrade plan"</h2>
            <p class="hint">"Advice only: Switchyard never upgrades anything. Wave 0 is the pilot plant clusters, then plants, regional and cloud, then cells."</p>
            {form}
            {body}
        </section>
    }
}

/// The cluster page's version panel: its lifecycle findings and its upgrade path.
#[component]
pub fn VersionPanel(lifecycle: ClusterLifecycle, upgrade: Result<UpgradePath, String>) -> impl IntoView {
    let (class, label) = status_badge(lifecycle.lifecycle.status);
    let running = lifecycle.observed.as_ref().map_or_else(
        || "It has never reported the CNI it runs.".to_string(),
        |o| {
            format!(
                "Last seen running {} {} on {}.",
                o.cni,
                o.version,
                o.observed_at.get(..10).unwrap_or(&o.observed_at)
            )
        },
    );
    let version = lifecycle.lifecycle.version.map_or_else(|| "no version".to_string(), |v| v.to_string());
    let path = match upgrade {
        Err(e) => view! { <p data-testid="upgrade-none">{e}</p> }.into_any(),
        Ok(p) if p.steps.is_empty() => view! { <p data-testid="upgrade-none">{format!("{} {} is the newest supported release: nothing to upgrade.", p.product, p.from)}</p> }.into_any(),
        Ok(p) => view! {
            <p>{format!("From {} to {} in {} step(s), each rolled out and soaked before the next:", p.from, p.target, p.steps.len())}</p>
            <ol class="upgrade-path" data-testid="upgrade-path">
                {p.steps.into_iter().map(|s| {
                    let kernel = match s.kernel_ok {
                        Some(true) => "kernel ✔".to_string(),
                        Some(false) => format!("✖ kernel too old (needs {})", s.min_kernel.clone().unwrap_or_default()),
                        None => "kernel not checked".to_string(),
                    };
                    view! { <li><strong>{s.version.to_string()}</strong> {format!(" · {kernel} · {}", s.note)}</li> }
                }).collect_view()}
            </ol>
        }
        .into_any(),
    };
    view! {
        <section class="panel" data-testid="version-panel">
            <h2>"CNI version: " {version} " " <span class=class data-testid="lifecycle-status">{label}</span></h2>
            <p>{running}</p>
            <ul class="findings" data-testid="lifecycle-findings">
                {lifecycle.lifecycle.findings.into_iter().map(|f| view! { <li data-code=f.code.as_str()>{f.message}</li> }).collect_view()}
            </ul>
            <h3>"Upgrade path"</h3>
            {path}
        </section>
    }
}

/// Architects pin one release on a selection of clusters at once (a plain form: no WASM).
#[component]
fn PinForm() -> impl IntoView {
    view! {
        <details class="pin-form" data-testid="pin-form">
            <summary>"Pin a release on a selection"</summary>
            <form method="post" action={<PinVersions as ServerFn>::PATH} class="grid-form">
                <label for="pin-cni">"Clusters that decided"</label>
                <select id="pin-cni" name="cni">
                    <option value="cilium">"cilium"</option>
                    <option value="calico">"calico"</option>
                </select>
                <label for="pin-tier">"Tier (empty: every tier)"</label>
                <select id="pin-tier" name="tier">
                    <option value="">"any"</option>
                    {Tier::ALL.map(|t| view! { <option value=t.as_str()>{t.as_str()}</option> }).collect_view()}
                </select>
                <label for="pin-site">"Site (empty: every site)"</label>
                <input id="pin-site" name="site" type="text" />
                <label for="pin-version">"Release to pin"</label>
                <input id="pin-version" name="version" type="text" required placeholder="1.18.13" />
                <button type="submit">"Pin"</button>
            </form>
        </details>
    }
}
