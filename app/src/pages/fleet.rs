//! The fleet decision map: every site and cluster, coloured and labelled by CNI, with badges for
//! knock-outs, warnings, exceptions and contested decisions; filters; drill-down.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

use super::adrs::RecordDecisionForm;
use crate::api::fleet::load_fleet;
use crate::charts::{cni_colour, tier_cni_svg};
use crate::components::{FilterSelect, FormError, Loaded, pager, same_pairs};
use crate::model::{
    FLEET_SITES_PAGE, FLEET_STATUSES, FleetCluster, FleetQuery, FleetSite, FleetSiteSummary, FleetView, RecordChoice,
};
use domain::{Context, Tier};

fn css(cni: &str) -> String {
    let plotters::style::RGBColor(r, g, b) = cni_colour(cni);
    format!("--cni: rgb({r},{g},{b})")
}

/// `/fleet`: filters, the tier × CNI chart, then a page of sites, each with a mark per cluster
/// when few enough match, or counted otherwise. Everything is filtered on the server; the page
/// links work without WASM.
#[component]
pub fn FleetMap() -> impl IntoView {
    let query = use_query_map();
    let value = move |k: &'static str| query.with(|m| m.get(k).unwrap_or_default());
    let fleet_query = move || {
        let get = |k: &str| query.with(|m| m.get(k).filter(|v| !v.is_empty()));
        let page = get("page").and_then(|p| p.parse::<usize>().ok()).filter(|p| *p > 1);
        FleetQuery {
            tier: get("tier"),
            context: get("context"),
            cni: get("cni"),
            status: get("status"),
            site: get("site"),
            whatif: get("whatif"),
            offset: page.map(|p| (p - 1) * FLEET_SITES_PAGE),
            limit: None,
        }
    };
    let data = Resource::new(fleet_query, load_fleet);
    view! {
        <section class="panel">
            <h1>"Fleet decision map"</h1>
            <FormError />
            <p class="lede">
                "Each mark is a cluster: its CNI (decided, else recommended) by name and colour. ✖ a candidate is knocked out, ⚠ warnings, ≠ exception to the recommendation, ◐ contested (its winner ranks first in under 70 % of weightings within ±5 points of its profile), ≈ no clear winner, ⏰ in scope of an ADR whose review is overdue, ⌛ CNI version past end of life, ⇄ running another version or CNI than pinned or decided."
            </p>
            <p class="actions">
                <a href="/api/v1/gitops/bundle.tar.gz" download="switchyard-gitops.tar.gz" data-testid="gitops-bundle">
                    "Download GitOps bundle (Helm values and cluster labels, tar.gz)"
                </a>
                " · "
                <a href="/api/docs">"API reference"</a>
            </p>
            <Loaded resource=data loading="Loading the fleet…" render={move |shown: FleetView| {
                let FleetView { overview, detail, cnis, recordable } = shown;
                let reviews = overview.reviews;
                let review_overdue = overview.review_overdue;
                let versions = overview.versions;
                let tiers = same_pairs(Tier::ALL.map(Tier::as_str));
                let contexts = same_pairs(Context::ALL.map(Context::as_str));
                let statuses = FLEET_STATUSES.map(|(v, l)| (v.to_string(), l.to_string())).to_vec();
                let chart = tier_cni_svg(&overview.summary);
                let pages = overview.sites_total.div_ceil(FLEET_SITES_PAGE);
                let current = overview.offset / FLEET_SITES_PAGE + 1;
                let link = move |n: usize| {
                    let mut q = form_urlencoded::Serializer::new(String::new());
                    for k in ["tier", "context", "cni", "status", "site", "whatif"] {
                        let v = value(k);
                        if !v.is_empty() {
                            q.append_pair(k, &v);
                        }
                    }
                    if n > 1 {
                        q.append_pair("page", &n.to_string());
                    }
                    format!("/fleet?{}", q.finish())
                };
                let counted = detail.is_none();
                let count = format!(
                    "{} of {} clusters shown, at {} sites",
                    overview.clusters, overview.fleet_clusters, overview.sites_total
                );
                let mut regions: BTreeMap<String, Vec<AnyView>> = BTreeMap::new();
                match detail {
                    Some(sites) => {
                        for s in sites {
                            let region = s.region.clone().unwrap_or_else(|| "No region".into());
                            regions.entry(region).or_default().push(view! { <SiteMarks site=s /> }.into_any());
                        }
                    }
                    None => {
                        for s in overview.sites {
                            let region = s.region.clone().unwrap_or_else(|| "No region".into());
                            regions.entry(region).or_default().push(view! { <SiteCounts site=s /> }.into_any());
                        }
                    }
                }
                view! {
                    <form method="get" class="filters" data-testid="fleet-filters">
                        <FilterSelect id="f-tier" name="tier" label="Tier" options=tiers current=Signal::derive(move || value("tier")) />
                        <FilterSelect id="f-context" name="context" label="Context" options=contexts current=Signal::derive(move || value("context")) />
                        <FilterSelect id="f-cni" name="cni" label="CNI" options=same_pairs(cnis.iter().map(String::as_str)) current=Signal::derive(move || value("cni")) />
                        <FilterSelect id="f-status" name="status" label="Status" options=statuses current=Signal::derive(move || value("status")) />
                        <input type="hidden" name="site" value=move || value("site") />
                        {(!value("whatif").is_empty()).then(|| view! { <input type="hidden" name="whatif" value=value("whatif") /> })}
                        <button type="submit">"Apply"</button>
                        <a href="/fleet">"Clear"</a>
                    </form>
                    <figure class="chart">
                        <figcaption>"Clusters per tier and CNI (whole fleet)"</figcaption>
                        <div class="svg" data-testid="tier-cni-chart" inner_html=chart></div>
                    </figure>
                    <p data-testid="fleet-reviews">
                        <a href="/reviews">{format!("ADR reviews: {} overdue, {} due within 30 days", reviews.overdue, reviews.due_soon)}</a>
                        {(review_overdue > 0).then(|| format!(" · ⏰ {review_overdue} clusters in scope of an overdue review"))}
                    </p>
                    <p data-testid="fleet-versions">
                        <a href="/versions">{format!("CNI versions: ⌛ {} end of life, {} within 90 days, ⇄ {} drifting, {} unpinned", versions.eol, versions.eol_soon, versions.drift, versions.unpinned)}</a>
                    </p>
                    {recordable.map(|choice| view! { <RecordScope choice tier=value("tier") context=value("context") back=link(current) /> })}
                    {(!value("whatif").is_empty()).then(|| view! {
                        <p class="notice" data-testid="fleet-whatif" role="status">
                            "Showing only the clusters whose recommendation would change if the studio's weights replaced their profile. "
                            <a href="/fleet">"Show the whole fleet"</a>
                        </p>
                    })}
                    <p data-testid="fleet-count">{count}{counted.then_some(" — counted per site; pick a site or narrow the filters to see each cluster")}</p>
                    {regions
                        .into_iter()
                        .map(|(region, sites)| view! {
                            <section class="region">
                                <h2>{region}</h2>
                                <div class="sites">{sites}</div>
                            </section>
                        })
                        .collect_view()}
                    {pager("Pages of sites", "fleet-pager", current, pages, link)}
                }
            }} />
        </section>
    }
}

fn overdue_words(adrs: &[domain::adr::AdrNumber]) -> String {
    if adrs.is_empty() {
        return String::new();
    }
    let list: Vec<String> = adrs.iter().map(ToString::to_string).collect();
    format!(" · review overdue: {}", list.join(", "))
}

/// "Record decision" for what the filters select: the tier and context filters become the ADR's
/// scope (none: the whole fleet), with the weights of the profile the fleet applies there and the
/// tier's scores; its winner is preselected.
#[component]
fn RecordScope(choice: RecordChoice, tier: String, context: String, back: String) -> impl IntoView {
    let scope = match (tier.as_str(), context.as_str()) {
        ("", "") => "the whole fleet".to_string(),
        (t, "") => format!("every {t} cluster"),
        ("", c) => format!("every {c} cluster"),
        (t, c) => format!("every {t} cluster in {c} context"),
    };
    let (profile_id, profile_name) =
        choice.profile.clone().map_or((String::new(), "default".to_string()), |(id, n)| (id.to_string(), n));
    view! {
        <details class="record-decision" data-testid="fleet-record">
            <summary>{format!("Record decision for {scope}")}</summary>
            <p class="hint">{format!("Weights of the profile “{profile_name}”{}.", if tier.is_empty() { String::new() } else { format!(" with the {tier}-tier scores") })}</p>
            <RecordDecisionForm candidates=choice.candidates selected=choice.winner back
                hidden=vec![("scope_tier", tier.clone()), ("scope_context", context), ("tier", tier), ("profile_id", profile_id)]
                hint="Freezes these weights, the scores, the per-tier outcome and the clusters in scope." />
        </details>
    }
}

fn site_href(name: &str) -> String {
    format!("/fleet?site={}", form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>())
}

fn kind_label(kind: domain::fleet::SiteKind) -> &'static str {
    match kind {
        domain::fleet::SiteKind::Plant => " · plant",
        domain::fleet::SiteKind::Region => " · region",
    }
}

/// A site with its matching clusters counted.
#[component]
fn SiteCounts(site: FleetSiteSummary) -> impl IntoView {
    view! {
        <article class="site" data-testid="site-card">
            <h3><a href=site_href(&site.name)>{site.name.clone()}</a><span class="kind">{kind_label(site.kind)}</span></h3>
            <ul class="counts">
                {site.by_cni.into_iter().map(|(cni, n)| view! { <li class="mark" style=css(&cni)>{format!("{cni}: {n}")}</li> }).collect_view()}
            </ul>
            <p class="badges">{format!("✖ {} · ⚠ {} · ≠ {} · ◐ {} · ≈ {} · ⏰ {}", site.knock_outs, site.warnings, site.exceptions, site.contested, site.close, site.review_overdue)}</p>
        </article>
    }
}

/// A site with a mark per matching cluster, grouped by tier.
#[component]
fn SiteMarks(site: FleetSite) -> impl IntoView {
    let mut by_tier: BTreeMap<domain::Tier, Vec<FleetCluster>> = BTreeMap::new();
    for c in site.clusters {
        by_tier.entry(c.tier).or_default().push(c);
    }
    view! {
        <article class="site" data-testid="site-card">
            <h3><a href=site_href(&site.name)>{site.name.clone()}</a><span class="kind">{kind_label(site.kind)}</span></h3>
            {by_tier
                .into_iter()
                .map(|(tier, clusters)| view! {
                    <div class="tier-group">
                        <span class="tier-label">{tier.as_str()}</span>
                        <ul class="marks">{clusters.into_iter().map(|c| view! { <ClusterMark c /> }).collect_view()}</ul>
                    </div>
                })
                .collect_view()}
        </article>
    }
}

#[component]
fn ClusterMark(c: FleetCluster) -> impl IntoView {
    let cni = c.cni();
    let mut badges = String::new();
    for (on, mark) in [
        (c.problem.is_some(), " ⁉"),
        (c.knock_outs > 0, " ✖"),
        (c.warnings > 0, " ⚠"),
        (c.exception, " ≠"),
        (c.contested && c.problem.is_none(), " ◐"),
        (!c.clear_winner && c.problem.is_none(), " ≈"),
        (!c.overdue_adrs.is_empty(), " ⏰"),
        (c.eol, " ⌛"),
        (c.drift, " ⇄"),
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
    ) + &c
        .acceptability
        .map(|a| {
            format!(" · wins {:.0} % of nearby weightings{}", a * 100.0, if c.contested { ", contested" } else { "" })
        })
        .unwrap_or_default()
        + if c.eol { " · CNI version past end of life" } else { "" }
        + if c.drift { " · runs another version or CNI than pinned or decided" } else { "" }
        + &overdue_words(&c.overdue_adrs)
        + &c.problem.as_ref().map(|p| format!(" · no recommendation: {p}")).unwrap_or_default();
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
