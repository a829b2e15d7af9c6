//! The fleet's versions table: every cluster's pin and latest observation judged against the
//! catalog on today's date, filtered and paged on the server.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::AppError;
use crate::model::{
    ClusterLifecycle, Observed, VERSION_STATUSES, VersionQuery, VersionRow, VersionSummary, VersionsView,
};
use crate::ssr::Ctx;
use crate::ssr::fleet::today;
use domain::versions::{
    CniVersion, FindingCode, Lifecycle, LifecycleInput, LifecycleStatus, Observation, VersionCatalog, lifecycle,
    upgrade_path,
};
use domain::{Kernel, NaiveDate, Tier};

/// Rows per page of the versions table unless the query says otherwise.
pub const VERSIONS_PAGE: usize = 100;
/// Most rows one page returns.
pub const MAX_VERSIONS_PAGE: usize = 10_000;

#[derive(FromRow)]
struct Row {
    id: i64,
    name: String,
    site: String,
    tier: String,
    pilot: Option<bool>,
    decided_cni: Option<String>,
    pinned: Option<String>,
    kernel: Option<String>,
    o_cni: Option<String>,
    o_version: Option<String>,
    o_kernel: Option<String>,
    o_at: Option<DateTime<Utc>>,
}

const ROWS: &str = "SELECT c.id, c.name, s.name AS site, c.tier, (c.facts ->> 'pilot')::boolean AS pilot,
    c.decided_cni, c.facts ->> 'pinned_version' AS pinned, c.facts ->> 'kernel' AS kernel,
    o.cni AS o_cni, o.version AS o_version, o.kernel AS o_kernel, o.observed_at AS o_at
  FROM clusters c JOIN sites s ON s.id = c.site_id LEFT JOIN cluster_latest_observations o ON o.cluster_id = c.id";

fn observed(r: &Row) -> Option<Observed> {
    Some(Observed {
        cni: r.o_cni.clone()?,
        version: r.o_version.clone()?,
        kernel: r.o_kernel.clone(),
        observed_at: r.o_at?.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// The lifecycle input of a row: the decision, the pin, the kernel on record (the observed one
/// when newer facts are missing) and the latest observation.
fn input(r: &Row) -> LifecycleInput {
    let observation = match (&r.o_cni, r.o_version.as_deref().map(CniVersion::parse), r.o_at) {
        (Some(cni), Some(Ok(version)), Some(at)) => Some(Observation {
            cni: cni.clone(),
            version,
            kernel: r.o_kernel.as_deref().and_then(|k| Kernel::parse(k).ok()),
            observed_at: at.date_naive(),
        }),
        _ => None,
    };
    let kernel = r.kernel.as_deref().or(r.o_kernel.as_deref()).and_then(|k| Kernel::parse(k).ok());
    LifecycleInput {
        decided_cni: r.decided_cni.clone(),
        pinned: r.pinned.as_deref().and_then(|p| CniVersion::parse(p).ok()),
        kernel,
        observation,
    }
}

/// Judges rows, once per distinct input: a fleet of thousands has a few dozen distinct
/// (decision, pin, kernel, observation) combinations.
struct Judge<'a> {
    catalog: &'a VersionCatalog,
    today: NaiveDate,
    seen: HashMap<String, (Lifecycle, Option<String>)>,
}

impl Judge<'_> {
    fn judge(&mut self, input: &LifecycleInput) -> (Lifecycle, Option<String>) {
        let key = serde_json::to_string(input).unwrap_or_default();
        if let Some(v) = self.seen.get(&key) {
            return v.clone();
        }
        let lc = lifecycle(input, self.catalog, self.today);
        let next = match (lc.product.as_deref(), lc.version) {
            (Some(p), Some(v)) => upgrade_path(p, v, None, input.kernel.as_ref(), self.catalog, self.today)
                .ok()
                .and_then(|path| path.steps.first().map(|s| s.version.to_string())),
            _ => None,
        };
        self.seen.insert(key, (lc.clone(), next.clone()));
        (lc, next)
    }
}

fn row_of(r: Row, lc: Lifecycle, next_step: Option<String>) -> VersionRow {
    let drift = lc.findings.iter().any(|f| matches!(f.code, FindingCode::Drift | FindingCode::CniDrift));
    VersionRow {
        observed: observed(&r),
        id: r.id,
        cluster: r.name,
        site: r.site,
        tier: r.tier.parse().unwrap_or(Tier::Cell),
        pilot: r.pilot.unwrap_or(false),
        cni: lc.product.clone(),
        pinned: r.pinned,
        kernel: r.kernel,
        status: lc.status,
        eol_date: lc.eol_date,
        patches_behind: lc.patches_behind,
        minors_behind: lc.minors_behind,
        drift,
        next_step,
        findings: lc.findings,
    }
}

/// Every cluster's row, by name, from this server's fleet map (computed with it, dropped with it
/// when a cluster, an observation or the catalog changes, or the day does).
pub async fn version_rows(ctx: &Ctx) -> Result<Arc<Vec<VersionRow>>, AppError> {
    Ok(crate::ssr::fleet::fleet(ctx).await?.version_rows.clone())
}

/// Every cluster's row on `today`, by name.
pub(crate) async fn rows_with(
    pool: &sqlx::PgPool,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Result<Vec<VersionRow>, AppError> {
    let rows = sqlx::query_as::<_, Row>(&format!("{ROWS} ORDER BY c.name")).fetch_all(pool).await?;
    let mut judge = Judge { catalog, today, seen: HashMap::new() };
    Ok(rows
        .into_iter()
        .map(|r| {
            let (lc, next) = judge.judge(&input(&r));
            row_of(r, lc, next)
        })
        .collect())
}

/// The keys of [`VERSION_STATUSES`] a row counts under.
fn statuses(r: &VersionRow) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    if r.status == LifecycleStatus::Supported {
        out.push("supported");
    }
    for f in &r.findings {
        let key = match f.code {
            FindingCode::PatchesBehind | FindingCode::MinorsBehind => "behind",
            code => code.as_str(),
        };
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

fn status_name(s: LifecycleStatus) -> &'static str {
    match s {
        LifecycleStatus::Supported => "supported",
        LifecycleStatus::EolSoon => "eol_soon",
        LifecycleStatus::Eol => "eol",
        LifecycleStatus::UnknownVersion => "unknown",
    }
}

fn check(q: &VersionQuery) -> Result<(usize, usize), AppError> {
    let mut e = domain::ValidationError::default();
    if let Some(t) = q.tier.as_deref().filter(|s| !s.is_empty())
        && t.parse::<Tier>().is_err()
    {
        e.add("tier", format!("'{t}' is not a tier; use cell, plant, regional or cloud"));
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty())
        && !VERSION_STATUSES.iter().any(|(v, _)| *v == s)
    {
        let all: Vec<&str> = VERSION_STATUSES.iter().map(|(v, _)| *v).collect();
        e.add("status", format!("'{s}' is not a status; use one of {}", all.join(", ")));
    }
    let limit = q.limit.unwrap_or(VERSIONS_PAGE);
    if !(1..=MAX_VERSIONS_PAGE).contains(&limit) {
        e.add("limit", format!("give 1 to {MAX_VERSIONS_PAGE} rows per page"));
    }
    if e.fields.is_empty() { Ok((q.offset.unwrap_or(0), limit)) } else { Err(e.into()) }
}

/// `GET /api/v1/versions`: the filtered table a page at a time, with counts over the whole fleet
/// (anyone signed in).
pub async fn versions_view(ctx: &Ctx, q: &VersionQuery) -> Result<VersionsView, AppError> {
    let (offset, limit) = check(q)?;
    let rows = version_rows(ctx).await?;
    let want = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let (cni, tier, site, status) = (want(&q.cni), want(&q.tier), want(&q.site), want(&q.status));
    let mut summary = VersionSummary { clusters: rows.len(), ..VersionSummary::default() };
    for r in rows.iter() {
        for s in statuses(r) {
            *summary.by_status.entry(s.to_string()).or_default() += 1;
        }
        let minor = match (&r.cni, &r.pinned) {
            (Some(c), Some(p)) => {
                CniVersion::parse(p).map_or_else(|_| format!("{c} ?"), |v| format!("{c} {}", v.cycle()))
            }
            (Some(c), None) => format!("{c} unpinned"),
            (None, _) => "undecided".to_string(),
        };
        *summary.by_minor.entry(minor).or_default().entry(status_name(r.status).to_string()).or_default() += 1;
    }
    let matching: Vec<&VersionRow> = rows
        .iter()
        .filter(|r| {
            cni.as_deref().is_none_or(|c| r.cni.as_deref() == Some(c))
                && tier.as_deref().is_none_or(|t| r.tier.as_str() == t)
                && site.as_deref().is_none_or(|s| r.site == s)
                && status.as_deref().is_none_or(|s| statuses(r).contains(&s))
        })
        .collect();
    let total = matching.len();
    let rows = matching.into_iter().skip(offset).take(limit).cloned().collect();
    Ok(VersionsView { rows, total, offset, limit, summary, today: today() })
}

/// One cluster's lifecycle with its observation history (anyone signed in).
pub async fn cluster_lifecycle(ctx: &Ctx, id: i64) -> Result<ClusterLifecycle, AppError> {
    let catalogs = ctx.catalogs().await?;
    let r = sqlx::query_as::<_, Row>(&format!("{ROWS} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&ctx.pool)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no cluster with id {id}")))?;
    let history: Vec<(String, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT cni, version, kernel, observed_at FROM cluster_observations WHERE cluster_id = $1
         ORDER BY observed_at DESC, id DESC LIMIT 20",
    )
    .bind(id)
    .fetch_all(&ctx.pool)
    .await?;
    let lc = lifecycle(&input(&r), &catalogs.versions, today());
    Ok(ClusterLifecycle {
        id: r.id,
        cluster: r.name.clone(),
        pinned: r.pinned.clone(),
        kernel: r.kernel.clone().or_else(|| r.o_kernel.clone()),
        observed: observed(&r),
        history: history
            .into_iter()
            .map(|(cni, version, kernel, at)| Observed {
                cni,
                version,
                kernel,
                observed_at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            })
            .collect(),
        codes: lc.findings.iter().map(|f| f.code).collect(),
        lifecycle: lc,
    })
}
