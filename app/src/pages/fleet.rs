//! The fleet decision map: every site and cluster, coloured and labelled by CNI, with badges for
//! knock-outs, warnings, exceptions and contested decisions; filters; drill-down.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

use crate::api::fleet::load_fleet;
use crate::charts::{cni_colour, tier_cni_svg};
use crate::components::{FilterSelect, Loaded, same_pairs};
use crate::model::{Fleet, FleetCluster, FleetSite};
use domain::{Context, Tier};

/// Above this many clusters shown, sites show counts instead of one mark per cluster.
const AGGREGATE_ABOVE: usize = 400;

fn cni_of(c: &FleetCluster) -> String {
    c.decided.clone().or_else(|| c.recommended.clone()).unwrap_or_else(|| "undecided".into())
}

fn css(cni: &str) -> String {
    let plotters::style::RGBColor(r, g, b) = cni_colour(cni);
    format!("--cni: rgb({r},{g},{b})")
}

fn matches(c: &FleetCluster, q: &BTreeMap<String, String>) -> bool {
    let want = |k: &str| q.get(k).filter(|v| !v.is_empty());
    want("tier").is_none_or(|t| c.tier.as_str() == t)
        && want("context").is_none_or(|x| c.context.map(|v| v.as_str()) == Some(x.as_str()))
        && want("cni").is_none_or(|x| cni_of(c) == *x)
        && want("status").is_none_or(|s| match s.as_str() {
            "knock_out" => c.knock_outs > 0,
            "warning" => c.warnings > 0,
            "exception" => c.exception,
            "contested" => !c.clear_winner,
            _ => true,
        })
}

/// `/fleet`.
#[component]
pub fn FleetMap() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(|| (), |_| load_fleet());
    let q = move || {
        query.with(|m| {
            ["tier", "context", "cni", "status", "site"]
                .into_iter()
                .filter_map(|k| m.get(k).map(|v| (k.to_string(), v)))
                .collect::<BTreeMap<_, _>>()
        })
    };
    let value = move |k: &'static str| query.with(|m| m.get(k).unwrap_or_default());
    view! {
        <section class="panel">
            <h1>"Fleet decision map"</h1>
            <p class="lede">
                "Each mark is a cluster: its CNI (decided, else recommended) by name and colour. ✖ a candidate is knocked out, ⚠ warnings, ≠ exception to the recommendation, ≈ no clear winner."
            </p>
            <Loaded resource=data loading="Loading the fleet…" render={move |fleet: Fleet| {
                let q = q();
                let tiers = same_pairs(Tier::ALL.map(Tier::as_str));
                let contexts = same_pairs(Context::ALL.map(Context::as_str));
                // The CNIs the fleet actually has, decided or recommended, "undecided" included.
                let mut cnis: Vec<String> = fleet.summary.values().flat_map(|m| m.keys().cloned()).collect();
                cnis.sort();
                cnis.dedup();
                let statuses = [("knock_out", "knock-outs"), ("warning", "warnings"), ("exception", "exceptions"), ("contested", "no clear winner")]
                    .map(|(v, l)| (v.to_string(), l.to_string()))
                    .to_vec();
                let chart = tier_cni_svg(&fleet.summary);
                let site_filter = q.get("site").cloned().filter(|s| !s.is_empty());
                let sites: Vec<FleetSite> = fleet
                    .sites
                    .into_iter()
                    .filter(|s| site_filter.as_ref().is_none_or(|f| *f == s.name))
                    .map(|mut s| {
                        s.clusters.retain(|c| matches(c, &q));
                        s
                    })
                    .filter(|s| !s.clusters.is_empty())
                    .collect();
                let shown: usize = sites.iter().map(|s| s.clusters.len()).sum();
                let aggregate = shown > AGGREGATE_ABOVE;
                let mut regions: BTreeMap<String, Vec<FleetSite>> = BTreeMap::new();
                for s in sites {
                    regions.entry(s.region.clone().unwrap_or_else(|| "No region".into())).or_default().push(s);
                }
                view! {
                    <form method="get" class="filters" data-testid="fleet-filters">
                        <FilterSelect id="f-tier" name="tier" label="Tier" options=tiers current=Signal::derive(move || value("tier")) />
                        <FilterSelect id="f-context" name="context" label="Context" options=contexts current=Signal::derive(move || value("context")) />
                        <FilterSelect id="f-cni" name="cni" label="CNI" options=same_pairs(cnis.iter().map(String::as_str)) current=Signal::derive(move || value("cni")) />
                        <FilterSelect id="f-status" name="status" label="Status" options=statuses current=Signal::derive(move || value("status")) />
                        <input type="hidden" name="site" value=move || value("site") />
                        <button type="submit">"Apply"</button>
                        <a href="/fleet">"Clear"</a>
                    </form>
                    <figure class="chart">
                        <figcaption>"Clusters per tier and CNI (whole fleet)"</figcaption>
                        <div class="svg" data-testid="tier-cni-chart" inner_html=chart></div>
                    </figure>
                    <p data-testid="fleet-count">{format!("{shown} clusters shown")}{aggregate.then_some(" — grouped by site; pick a site to see each cluster")}</p>
                    {regions
                        .into_iter()
                        .map(|(region, sites)| view! {
                            <section class="region">
                                <h2>{region}</h2>
                                <div class="sites">
                                    {sites.into_iter().map(|s| view! { <SiteCard site=s aggregate /> }).collect_view()}
                                </div>
                            </section>
                        })
                        .collect_view()}
                }
            }} />
        </section>
    }
}

#[component]
fn SiteCard(site: FleetSite, aggregate: bool) -> impl IntoView {
    let href = format!("/fleet?site={}", form_urlencoded::byte_serialize(site.name.as_bytes()).collect::<String>());
    let body = if aggregate {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for c in &site.clusters {
            *counts.entry(cni_of(c)).or_default() += 1;
        }
        let k = site.clusters.iter().filter(|c| c.knock_outs > 0).count();
        let x = site.clusters.iter().filter(|c| c.exception).count();
        view! {
            <ul class="counts">
                {counts.into_iter().map(|(cni, n)| view! { <li class="mark" style=css(&cni)>{format!("{cni}: {n}")}</li> }).collect_view()}
            </ul>
            <p class="badges">{format!("✖ {k} · ≠ {x}")}</p>
        }
            .into_any()
    } else {
        let mut by_tier: BTreeMap<domain::Tier, Vec<FleetCluster>> = BTreeMap::new();
        for c in site.clusters.clone() {
            by_tier.entry(c.tier).or_default().push(c);
        }
        by_tier
            .into_iter()
            .map(|(tier, clusters)| {
                view! {
                    <div class="tier-group">
                        <span class="tier-label">{tier.as_str()}</span>
                        <ul class="marks">{clusters.into_iter().map(|c| view! { <ClusterMark c /> }).collect_view()}</ul>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <article class="site" data-testid="site-card">
            <h3>
                <a href=href>{site.name.clone()}</a>
                <span class="kind">{match site.kind { domain::fleet::SiteKind::Plant => " · plant", domain::fleet::SiteKind::Region => " · region" }}</span>
            </h3>
            {body}
        </article>
    }
}

#[component]
fn ClusterMark(c: FleetCluster) -> impl IntoView {
    let cni = cni_of(&c);
    let mut badges = String::new();
    for (on, mark) in [
        (c.problem.is_some(), " ⁉"),
        (c.knock_outs > 0, " ✖"),
        (c.warnings > 0, " ⚠"),
        (c.exception, " ≠"),
        (!c.clear_winner && c.problem.is_none(), " ≈"),
    ] {
        if on {
            badges.push_str(mark);
        }
    }
    let title = format!(
        "{} · {} {} · CNI {} (recommended {}) · {} knock-outs, {} warnings{}",
        c.name,
        c.tier.as_str(),
        c.context.map(|x| x.as_str()).unwrap_or(""),
        cni,
        c.recommended.as_deref().unwrap_or("none"),
        c.knock_outs,
        c.warnings,
        if c.exception { ", exception" } else { "" },
    ) + &c.problem.as_ref().map(|p| format!(" · no recommendation: {p}")).unwrap_or_default();
    // The accessible name is the visible text plus the spelled-out details, so it starts with
    // what a sighted user reads (WCAG 2.5.3, "label in name").
    view! {
        <li class="mark" style=css(&cni) data-testid="cluster-mark">
            <a href=format!("/clusters/{}", c.id) title=title.clone()>
                <span class="cni">{cni.clone()}</span>
                " "
                <span class="name">{c.name}</span>
                <span class="badges">{badges}</span>
                <span class="visually-hidden">{format!(" — {title}")}</span>
            </a>
        </li>
    }
}
