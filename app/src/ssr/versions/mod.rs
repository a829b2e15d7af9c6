//! CNI versions (issue 11): the release catalog, pins, observations, each cluster's lifecycle and
//! upgrade path, and the fleet's staged upgrade plan. The rules are the domain crate's
//! (`domain::versions`); this module reads the fleet and the catalog and writes pins and
//! observations, each write with its role check and audit entry in one transaction.

pub mod catalog;
pub mod demo;
mod observations;
pub(crate) mod table;

pub use catalog::{CatalogCache, Catalogs};
pub use observations::report_observations;
pub use table::{cluster_lifecycle, version_rows, versions_view};

use crate::AppError;
use crate::model::{ClusterLifecycle, PinInput, PinReport, ReleaseInfo, Role, UpgradePlan, VersionsPage};
use crate::ssr::fleet::today;
use crate::ssr::{Ctx, audit};
use domain::versions::{CniVersion, UpgradePath, VersionCatalog, WaveCluster, plan_waves, upgrade_path};
use domain::{Kernel, Tier};

/// The catalog's minor lines, of one product or all (anyone signed in).
pub async fn releases(ctx: &Ctx, cni: Option<&str>) -> Result<Vec<ReleaseInfo>, AppError> {
    let catalogs = ctx.catalogs().await?;
    let cat = &catalogs.versions;
    if let Some(p) = cni
        && cat.product(p).is_none()
    {
        let known: Vec<&str> = cat.products.keys().map(String::as_str).collect();
        return Err(AppError::field(
            "cni",
            format!("the catalog has no releases of '{p}'; use {}", known.join(" or ")),
        ));
    }
    Ok(release_infos(cat, cni))
}

fn release_infos(cat: &VersionCatalog, cni: Option<&str>) -> Vec<ReleaseInfo> {
    let on = today();
    let mut out = Vec::new();
    for (product, p) in cat.products.iter().filter(|(k, _)| cni.is_none_or(|c| c == k.as_str())) {
        let supported = cat.supported_cycles(product, on);
        for r in p.minors.iter().rev() {
            out.push(ReleaseInfo {
                product: product.clone(),
                cycle: r.cycle.to_string(),
                ga_date: r.ga_date,
                eol_date: r.eol_date,
                latest_patch: r.latest_patch.clone(),
                min_kernel: r.min_kernel.text.clone(),
                supported: supported.contains(&r.cycle),
                patches: cat.patches_of(product, r.cycle).len(),
            });
        }
    }
    out
}

/// Reads a version given in a request, naming `field` when it is not one.
fn parse_version(field: &str, text: &str) -> Result<CniVersion, AppError> {
    CniVersion::parse(text).map_err(|e| {
        let message = e.fields.into_values().next().unwrap_or_else(|| format!("'{text}' is not a version"));
        AppError::field(field, message)
    })
}

/// Checks that `catalog` knows `version` of `product`; otherwise the error, under `field`, names
/// the nearest releases it does know.
pub fn check_known(catalog: &VersionCatalog, field: &str, product: &str, version: CniVersion) -> Result<(), AppError> {
    unknown_version(catalog, product, version).map_or(Ok(()), |m| Err(AppError::field(field, m)))
}

/// Why `catalog` does not take `version` of `product`, naming the nearest releases it knows.
pub fn unknown_version(catalog: &VersionCatalog, product: &str, version: CniVersion) -> Option<String> {
    if catalog.knows(product, version) {
        return None;
    }
    let nearest: Vec<String> = catalog.nearest(product, version, 3).iter().map(ToString::to_string).collect();
    let hint = if nearest.is_empty() {
        format!("the catalog has no {product} releases")
    } else {
        format!("the nearest known: {}", nearest.join(", "))
    };
    Some(format!("{product} {version} is not in the release catalog; {hint}"))
}

/// One cluster's upgrade path from its pin (else what it runs) to `target` (default: the newest
/// patch of the newest supported minor), with the kernel checked at every step (anyone signed in).
pub async fn cluster_upgrade_path(ctx: &Ctx, id: i64, target: Option<&str>) -> Result<UpgradePath, AppError> {
    let target = target.filter(|t| !t.is_empty()).map(|t| parse_version("target", t)).transpose()?;
    let lc = cluster_lifecycle(ctx, id).await?;
    upgrade_path_of(&lc, target, &ctx.catalogs().await?.versions)
}

/// The upgrade path of a cluster whose lifecycle was judged already.
pub fn upgrade_path_of(
    lc: &ClusterLifecycle,
    target: Option<CniVersion>,
    catalog: &VersionCatalog,
) -> Result<UpgradePath, AppError> {
    let (Some(product), Some(from)) = (lc.lifecycle.product.as_deref(), lc.lifecycle.version) else {
        return Err(AppError::field(
            "pinned_version",
            format!("{} has neither a pinned nor an observed version: pin the release it runs first", lc.cluster),
        ));
    };
    let kernel = lc.kernel.as_deref().and_then(|k| Kernel::parse(k).ok());
    upgrade_path(product, from, target, kernel.as_ref(), catalog, today())
        .map_err(|e| AppError::field("target", e.to_string()))
}

/// Largest soak time between waves, in days.
pub const MAX_SOAK_DAYS: u32 = 365;

/// The staged rollout of `target` over the clusters deciding `cni`: pilots, plants, regional and
/// cloud, cells, `soak_days` apart; clusters blocked by their kernel listed apart (anyone signed in).
pub async fn fleet_plan(
    ctx: &Ctx,
    cni: &str,
    target: Option<&str>,
    soak_days: Option<u32>,
) -> Result<(UpgradePlan, domain::FleetPlan), AppError> {
    if soak_days.is_some_and(|d| d > MAX_SOAK_DAYS) {
        return Err(AppError::field("soak_days", format!("give 0 to {MAX_SOAK_DAYS} days between waves")));
    }
    let catalogs = ctx.catalogs().await?;
    let target = target.filter(|t| !t.is_empty()).map(|t| parse_version("target", t)).transpose()?;
    let rows = version_rows(ctx).await?;
    let clusters: Vec<WaveCluster> = rows
        .iter()
        .filter(|r| r.cni.as_deref() == Some(cni))
        .map(|r| WaveCluster {
            name: r.cluster.clone(),
            site: r.site.clone(),
            tier: r.tier,
            pilot: r.pilot,
            production: false,
            pinned: r.pinned.as_deref().and_then(|p| CniVersion::parse(p).ok()),
            kernel: r.kernel.as_deref().and_then(|k| Kernel::parse(k).ok()),
        })
        .collect();
    let plan = plan_waves(&clusters, cni, target, soak_days, &catalogs.versions, today())
        .map_err(|e| AppError::field(if target.is_some() { "target" } else { "cni" }, e.to_string()))?;
    Ok(((&plan).into(), plan))
}

/// Pins `input.version` on the clusters deciding `input.cni`, narrowed by tier, site or names
/// (architects). The version must be in the catalog; one audit entry per cluster changed.
pub async fn pin(ctx: &Ctx, input: PinInput) -> Result<PinReport, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let catalogs = ctx.catalogs().await?;
    let version = parse_version("version", &input.version)?;
    if version.is_minor_only() {
        return Err(AppError::field(
            "version",
            format!(
                "pin a release, not a minor line: e.g. {}",
                catalogs
                    .versions
                    .newest_patch(&input.cni, version.cycle())
                    .map_or_else(|| format!("{version}.0"), |v| v.to_string())
            ),
        ));
    }
    check_known(&catalogs.versions, "version", &input.cni, version)?;
    let tier: Option<Tier> = input.tier.as_deref().filter(|t| !t.is_empty()).map(str::parse).transpose()?;
    let site = input.site.as_deref().filter(|s| !s.is_empty());
    let names = (!input.clusters.is_empty()).then_some(&input.clusters);
    let mut tx = ctx.pool.begin().await?;
    let selected: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT c.id, c.name, c.facts ->> 'pinned_version' FROM clusters c JOIN sites s ON s.id = c.site_id
         WHERE c.decided_cni = $1 AND ($2::text IS NULL OR c.tier = $2) AND ($3::text IS NULL OR s.name = $3)
           AND ($4::text[] IS NULL OR c.name = ANY($4))
         ORDER BY c.name FOR UPDATE OF c",
    )
    .bind(&input.cni)
    .bind(tier.map(Tier::as_str))
    .bind(site)
    .bind(names)
    .fetch_all(&mut *tx)
    .await?;
    if selected.is_empty() {
        return Err(AppError::field(
            "cni",
            format!("no cluster with {} decided matches the selection; check cni, tier, site and clusters", input.cni),
        ));
    }
    let text = version.to_string();
    let changed: Vec<&(i64, String, Option<String>)> =
        selected.iter().filter(|(_, _, pinned)| pinned.as_deref() != Some(text.as_str())).collect();
    let ids: Vec<i64> = changed.iter().map(|(id, _, _)| *id).collect();
    sqlx::query(
        "UPDATE clusters SET facts = jsonb_set(facts, '{pinned_version}', to_jsonb($2::text)),
           version = version + 1, updated_at = now() WHERE id = ANY($1)",
    )
    .bind(&ids)
    .bind(&text)
    .execute(&mut *tx)
    .await?;
    let changes = changed
        .iter()
        .map(|(id, name, before)| audit::Change {
            entity_id: id.to_string(),
            action: "pin",
            before: Some(serde_json::json!({"cluster": name, "pinned_version": before})),
            after: Some(serde_json::json!({"cluster": name, "pinned_version": text})),
        })
        .collect();
    audit::record_many(&mut tx, Some(actor), "cluster", changes).await?;
    tx.commit().await?;
    Ok(PinReport { version: text, pinned: ids.len(), selected: selected.len() })
}

/// Everything the versions page shows: the filtered table, the catalog and the fleet plan for
/// `plan_cni` (default Cilium) to its default target (anyone signed in).
pub async fn versions_page(
    ctx: &Ctx,
    q: &crate::model::VersionQuery,
    plan_cni: Option<&str>,
    target: Option<&str>,
) -> Result<VersionsPage, AppError> {
    let view = versions_view(ctx, q).await?;
    let releases = releases(ctx, None).await?;
    let plan_cni = plan_cni.filter(|c| !c.is_empty()).unwrap_or("cilium").to_string();
    let plan = match fleet_plan(ctx, &plan_cni, target, None).await {
        Ok((p, _)) => Ok(p),
        Err(e) => Err(e.to_string()),
    };
    Ok(VersionsPage { view, releases, plan, plan_cni, me: ctx.principal().me() })
}

/// Most clusters a line of [`in_scope`] names before "and N more".
const NAMED: usize = 8;

/// The version findings of the clusters named in `names` (an ADR's fleet in scope) that need
/// attention (end of life or soon, drift, a kernel too old, an unknown release), and one line per
/// kind for a review's "what changed".
pub async fn in_scope(
    ctx: &Ctx,
    names: &std::collections::HashSet<String>,
) -> Result<(Vec<crate::model::VersionRow>, Vec<String>), AppError> {
    use domain::versions::FindingCode as F;
    let rows: Vec<crate::model::VersionRow> = version_rows(ctx)
        .await?
        .iter()
        .filter(|r| names.contains(&r.cluster))
        .filter(|r| {
            r.findings.iter().any(|f| {
                matches!(f.code, F::Eol | F::EolSoon | F::Drift | F::CniDrift | F::KernelTooOld | F::UnknownVersion)
            })
        })
        .cloned()
        .collect();
    let mut lines = Vec::new();
    for (code, many, one) in [
        (F::Eol, "run or are pinned to an end-of-life CNI release", "runs or is pinned to an end-of-life CNI release"),
        (
            F::EolSoon,
            "are on a CNI release that reaches end of life within 90 days",
            "is on a CNI release that reaches end of life within 90 days",
        ),
        (F::Drift, "run another release than their pin", "runs another release than its pin"),
        (F::CniDrift, "run another CNI than the one decided", "runs another CNI than the one decided"),
        (
            F::KernelTooOld,
            "have a kernel too old for their pinned release",
            "has a kernel too old for its pinned release",
        ),
    ] {
        let hit: Vec<String> = rows
            .iter()
            .filter(|r| r.has(code))
            .map(|r| match (&r.cni, &r.pinned) {
                (Some(c), Some(p)) => format!("{} ({c} {p})", r.cluster),
                _ => r.cluster.clone(),
            })
            .collect();
        if hit.is_empty() {
            continue;
        }
        let more = hit.len().saturating_sub(NAMED);
        let named = hit.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        let n = hit.len();
        let (clusters, what) = if n == 1 { ("cluster", one) } else { ("clusters", many) };
        lines.push(format!("{n} {clusters} in scope {what}: {named}{tail}"));
    }
    Ok((rows, lines))
}
