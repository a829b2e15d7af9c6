//! The fleet's services: sites and clusters (create, update with version, delete), all-or-nothing
//! import, export, recommendations and the fleet map. Each write checks the role, validates,
//! lets the database decide name races and audits in the same transaction.

mod map;
mod store;
mod views;

pub(crate) use map::default_order;
pub use map::{DecisionContext, catalog, decision_context, gitops_inputs, today};
pub use views::{DEFAULT_FLEET_PAGE, MAX_FLEET_PAGE, fleet_clusters, fleet_overview, fleet_view};

use sqlx::PgPool;

use super::auth::Principal;
use super::{Ctx, audit, check_versioned};
use crate::AppError;
use crate::model::{
    CLUSTER_LIST_PAGE, Cluster, ClusterFilter, ClusterListPage, ClusterPage, ClusterSort, Fleet, ImportReport, Role,
    Site, Versioned,
};
use domain::Model;
use domain::fleet::{
    ClusterRecord, FleetDoc, Recommendation, RowError, SiteRecord, doc_to_csv, fleet_to_yaml, import_csv, import_yaml,
    validate_doc,
};
use store::OnName;

/// A fleet file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Clusters, one per row.
    Csv,
    /// `sites:` and `clusters:`.
    Yaml,
}

impl Format {
    /// From an upload's `Content-Type`.
    pub fn from_content_type(content_type: &str) -> Result<Self, AppError> {
        if content_type.starts_with("text/csv") {
            Ok(Format::Csv)
        } else if content_type.contains("yaml") {
            Ok(Format::Yaml)
        } else {
            Err(AppError::BadRequest(
                "send the file as `Content-Type: text/csv` (clusters) or `application/yaml` (sites and clusters)"
                    .into(),
            ))
        }
    }

    /// From `?format=` (YAML when absent).
    pub fn from_query(format: Option<&str>) -> Result<Self, AppError> {
        match format.unwrap_or("yaml") {
            "csv" => Ok(Format::Csv),
            "yaml" => Ok(Format::Yaml),
            other => Err(AppError::field("format", format!("unknown format '{other}'; use csv or yaml"))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Yaml => "yaml",
        }
    }
}

/// All sites by name (anyone signed in).
pub async fn list_sites(ctx: &Ctx) -> Result<Vec<Site>, AppError> {
    store::sites(&ctx.pool).await
}

/// Creates a site (architects); a taken name is a conflict.
pub async fn create_site(ctx: &Ctx, site: SiteRecord) -> Result<Site, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let doc = FleetDoc::new(vec![site.clone()], vec![]);
    let errors = validate_doc(&doc, &store::site_names(&ctx.pool).await?, &[]);
    if !errors.is_empty() {
        return Err(row_errors_to_validation(errors));
    }
    let mut tx = ctx.pool.begin().await?;
    let id = store::insert_site(&mut tx, &site).await?;
    audit::record(&mut tx, Some(actor), "site", &site.name, "create", None, serde_json::to_value(&site).ok()).await?;
    tx.commit().await?;
    store::sites(&ctx.pool).await?.into_iter().find(|s| s.id == id).ok_or(AppError::Internal)
}

/// Clusters per page when the filter names no `limit`.
pub const DEFAULT_PAGE: i64 = 1000;

/// Most clusters one page returns.
pub const MAX_PAGE: i64 = 10_000;

/// One page of clusters matching the filter, by name, and the cursor of the next page when
/// there is one (anyone signed in).
pub async fn list_clusters(ctx: &Ctx, filter: &ClusterFilter) -> Result<(Vec<Cluster>, Option<String>), AppError> {
    let limit = filter.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::field("limit", format!("give 1 to {MAX_PAGE} clusters per page")));
    }
    if filter.cursor.as_deref().is_some_and(|c| !c.is_empty())
        && (filter.sort.unwrap_or_default() != ClusterSort::Name || filter.offset.unwrap_or(0) != 0)
    {
        return Err(AppError::field(
            "cursor",
            "a cursor pages the list by name; drop `sort` and `offset`, or the cursor",
        ));
    }
    if filter.offset.is_some_and(|o| o < 0) {
        return Err(AppError::field("offset", "give an offset of 0 or more"));
    }
    let page = store::clusters(&ctx.pool, &ClusterFilter { limit: Some(limit), ..filter.clone() }).await?;
    let by_name = filter.sort.unwrap_or_default() == ClusterSort::Name && filter.offset.unwrap_or(0) == 0;
    let next = if by_name && page.len() as i64 == limit { page.last().map(|c| c.record.name.clone()) } else { None };
    Ok((page, next))
}

/// One numbered page of the sorted, filtered list with the count of all matches, for the
/// clusters page (anyone signed in).
pub async fn cluster_list_page(ctx: &Ctx, filter: &ClusterFilter) -> Result<ClusterListPage, AppError> {
    let limit = filter.limit.unwrap_or(CLUSTER_LIST_PAGE);
    let offset = filter.offset.unwrap_or(0);
    let unpaged = ClusterFilter { cursor: None, ..filter.clone() };
    let (clusters, _) = list_clusters(ctx, &ClusterFilter { limit: Some(limit), ..unpaged.clone() }).await?;
    let total = store::count_clusters(&ctx.pool, &unpaged).await?;
    Ok(ClusterListPage { clusters, total, offset, limit })
}

/// One cluster (anyone signed in).
pub async fn get_cluster(ctx: &Ctx, id: i64) -> Result<Cluster, AppError> {
    store::cluster(&ctx.pool, id).await
}

/// One cluster's recommendation (anyone signed in).
pub async fn recommendation(ctx: &Ctx, id: i64) -> Result<Recommendation, AppError> {
    let c = store::cluster(&ctx.pool, id).await?;
    map::recommendation(&ctx.pool, &*ctx.model().await?, &ctx.catalogs().await?.gates, &c.record).await
}

/// Everything the cluster page shows.
pub async fn cluster_page(ctx: &Ctx, id: i64) -> Result<ClusterPage, AppError> {
    let model = ctx.model().await?;
    let cluster = store::cluster(&ctx.pool, id).await?;
    let profiles = map::profiles(&ctx.pool, &model).await?;
    let catalogs = ctx.catalogs().await?;
    let recommendation = map::recommend_with(
        &domain::fleet::Recommender::new(&model, &catalogs.gates, today()),
        &profiles,
        &cluster.record,
    )?;
    let profile = profiles.list.into_iter().find(|p| p.id == recommendation.profile_id).ok_or(AppError::Internal)?;
    let robustness = domain::Weights::from_percent_map_unchecked(&model, &profile.weights)
        .ok()
        .and_then(|w| recommendation.robustness(&model, &w));
    let lifecycle = crate::ssr::versions::cluster_lifecycle(ctx, id).await?;
    let upgrade = crate::ssr::versions::upgrade_path_of(&lifecycle, None, &catalogs.versions)
        .map_err(|e| e.fields().into_values().next().unwrap_or_else(|| e.to_string()));
    Ok(ClusterPage {
        cluster,
        recommendation,
        model: (*model).clone(),
        profile,
        me: ctx.principal().me(),
        lifecycle,
        upgrade,
        robustness,
    })
}

/// The whole fleet map (anyone signed in), from this server's copy while it is current.
pub async fn fleet(ctx: &Ctx) -> Result<std::sync::Arc<Fleet>, AppError> {
    ctx.fleet_cache()
        .get(|| async {
            map::fleet(&ctx.pool, &*ctx.model().await?, &*ctx.catalogs().await?, Some(ctx.recommendations())).await
        })
        .await
}

fn row_errors_to_validation(errors: Vec<RowError>) -> AppError {
    let mut e = domain::ValidationError::default();
    for r in errors {
        e.add(r.field.rsplit('.').next().unwrap_or(&r.field).to_string(), r.reason);
    }
    e.into()
}

/// Checks a cluster against the fleet and its recommendation: known site and parent, and a
/// written rationale when the decided CNI differs from the recommendation.
async fn check_cluster(
    pool: &PgPool,
    model: &Model,
    c: &ClusterRecord,
    existing: Option<&str>,
) -> Result<(), AppError> {
    let mut clusters = store::cluster_names(pool).await?;
    clusters.retain(|n| Some(n.as_str()) != existing && *n != c.name);
    let doc = FleetDoc::new(vec![], vec![c.clone()]);
    let errors = validate_doc(&doc, &store::site_names(pool).await?, &clusters);
    if !errors.is_empty() {
        return Err(row_errors_to_validation(errors));
    }
    if let Some(parent) = &c.parent {
        check_no_loop(pool, c, parent, existing).await?;
    }
    // One read of the catalog for both the gates and the pin.
    let catalogs = crate::ssr::versions::catalog::load(pool).await?;
    let rec = map::recommendation(pool, model, &catalogs.gates, c).await?;
    let mut err = domain::ValidationError::default();
    if let Some(pin) = c.facts.pinned_version
        && let Some(m) = pin_error(&catalogs.versions, c, rec.winner.as_deref(), pin)
    {
        err.add("pinned_version", m);
    }
    if rec.exception_needs_rationale {
        err.add(
            "exception_rationale",
            format!(
                "{} differs from the recommendation ({}); write why in exception_rationale",
                c.decided_cni.as_deref().unwrap_or_default(),
                rec.winner.as_deref().unwrap_or("none")
            ),
        );
    }
    err.into_result(()).map_err(AppError::from)?;
    Ok(())
}

/// Why a cluster's pin is refused: a minor line instead of a release, or a release the catalog
/// does not know for the CNI decided (else recommended) for it, naming the nearest known ones.
fn pin_error(
    catalog: &domain::VersionCatalog,
    c: &ClusterRecord,
    recommended: Option<&str>,
    pin: domain::CniVersion,
) -> Option<String> {
    let Some(product) = c.decided_cni.as_deref().or(recommended) else {
        return Some("decide the cluster's CNI before pinning its version".into());
    };
    if pin.is_minor_only() {
        let example = catalog.newest_patch(product, pin.cycle()).map_or_else(|| format!("{pin}.0"), |v| v.to_string());
        return Some(format!("pin a release, not a minor line: e.g. {example}"));
    }
    crate::ssr::versions::unknown_version(catalog, product, pin)
}

/// Refuses a parent that would close a loop through the stored clusters (A → B → A).
async fn check_no_loop(pool: &PgPool, c: &ClusterRecord, parent: &str, existing: Option<&str>) -> Result<(), AppError> {
    let mut up: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (name, p) in store::parent_links(pool).await? {
        // After a rename the children of the old name hang under the new one.
        let name = if Some(name.as_str()) == existing { c.name.clone() } else { name };
        let p = p.map(|p| if Some(p.as_str()) == existing { c.name.clone() } else { p });
        if let Some(p) = p {
            up.insert(name, p);
        }
    }
    up.insert(c.name.clone(), parent.to_string());
    let mut path = vec![c.name.clone()];
    let mut at = c.name.as_str();
    while let Some(next) = up.get(at) {
        if *next == c.name {
            path.push(c.name.clone());
            return Err(AppError::field(
                "parent",
                format!("'{parent}' would make a loop ({}); a cluster cannot report to itself", path.join(" → ")),
            ));
        }
        if path.len() > up.len() {
            break; // a loop elsewhere, not through this cluster
        }
        path.push(next.clone());
        at = next;
    }
    Ok(())
}

/// Creates a cluster (architects); a taken name is a conflict decided by the database.
pub async fn create_cluster(ctx: &Ctx, c: ClusterRecord) -> Result<Cluster, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    check_cluster(&ctx.pool, &*ctx.model().await?, &c, None).await?;
    let mut tx = ctx.pool.begin().await?;
    let id = store::write_clusters(&mut tx, std::slice::from_ref(&c), OnName::Refuse)
        .await?
        .first()
        .copied()
        .ok_or_else(|| AppError::field("site", format!("no site named '{}'", c.site)))?;
    audit::record(&mut tx, Some(actor), "cluster", id, "create", None, serde_json::to_value(&c).ok()).await?;
    tx.commit().await?;
    store::cluster(&ctx.pool, id).await
}

/// Overwrites a cluster (architects) when its version is still the one the client read, else a
/// conflict carrying the current cluster.
pub async fn update_cluster(ctx: &Ctx, id: i64, body: Versioned<ClusterRecord>) -> Result<Cluster, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let (c, version) = check_versioned(body, |c| c.validate().map(|()| c))?;
    let before = store::cluster(&ctx.pool, id).await?;
    check_cluster(&ctx.pool, &*ctx.model().await?, &c, Some(&before.record.name)).await?;
    let mut tx = ctx.pool.begin().await?;
    if store::update_cluster(&mut tx, id, version, &c).await?.is_none() {
        tx.rollback().await?;
        let now = store::cluster(&ctx.pool, id).await?;
        return Err(AppError::stale("cluster", &now.record.name, version, now.version, Some(&now)));
    }
    let (before, after) = (serde_json::to_value(&before).ok(), serde_json::to_value(&c).ok());
    audit::record(&mut tx, Some(actor), "cluster", id, "update", before, after).await?;
    tx.commit().await?;
    store::cluster(&ctx.pool, id).await
}

/// Deletes a cluster (architects); its children lose their parent.
pub async fn delete_cluster(ctx: &Ctx, id: i64) -> Result<(), AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let before = store::cluster(&ctx.pool, id).await?;
    let mut tx = ctx.pool.begin().await?;
    sqlx::query("DELETE FROM clusters WHERE id = $1").bind(id).execute(&mut *tx).await?;
    audit::record(&mut tx, Some(actor), "cluster", id, "delete", serde_json::to_value(&before).ok(), None).await?;
    tx.commit().await?;
    Ok(())
}

/// Imports a fleet file (architects): every bad row reported with line, field and reason, and
/// nothing written unless all are good (or when `dry_run`).
pub async fn import(ctx: &Ctx, text: &str, format: Format, dry_run: bool) -> Result<ImportReport, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let (sites, clusters) = (store::site_names(&ctx.pool).await?, store::cluster_names(&ctx.pool).await?);
    let doc = match format {
        Format::Csv => import_csv(text, &sites, &clusters),
        Format::Yaml => import_yaml(text, &sites, &clusters),
    };
    match doc {
        Ok(doc) => import_doc(&ctx.pool, Some(actor), &doc, dry_run, format.name()).await,
        Err(errors) => Ok(ImportReport { dry_run: true, sites: 0, clusters: 0, errors }),
    }
}

/// Validates a whole document against the fleet and, unless `dry_run` or anything is wrong,
/// writes it in one transaction (sites and clusters upserted by name), one audit entry per row
/// created or changed, with before and after. A person's import (`actor` set) also gets the
/// checks of a single edit: a decision against the recommendation needs its rationale, and a
/// cluster whose `version` in the file is older than the fleet's is refused as a conflict (it
/// changed since the export). The demo loader (`actor` `None`) writes Switchyard's own data.
pub async fn import_doc(
    pool: &PgPool,
    actor: Option<&Principal>,
    doc: &FleetDoc,
    dry_run: bool,
    format: &str,
) -> Result<ImportReport, AppError> {
    let mut errors = validate_doc(doc, &store::site_names(pool).await?, &store::cluster_names(pool).await?);
    let existing: std::collections::HashMap<String, Cluster> = store::clusters(pool, &ClusterFilter::default())
        .await?
        .into_iter()
        .map(|c| (c.record.name.clone(), c))
        .collect();
    let line = |name: &str| doc.lines.get(name).copied().unwrap_or(0);
    if actor.is_some() && errors.is_empty() {
        for c in &doc.clusters {
            if let (Some(read), Some(now)) = (doc.versions.get(&c.name), existing.get(&c.name))
                && *read != now.version
            {
                errors.push(RowError::conflict(
                    line(&c.name),
                    "version",
                    format!(
                        "cluster '{}' changed since this file was exported (the file has version {read}, the fleet \
                         has {}); export again and re-apply your edits",
                        c.name, now.version
                    ),
                ));
            }
        }
        let model = super::db::load_model(pool).await?;
        let profiles = map::profiles(pool, &model).await?;
        let catalogs = crate::ssr::versions::catalog::load(pool).await?;
        let recommender = domain::fleet::Recommender::new(&model, &catalogs.gates, today());
        for c in &doc.clusters {
            let rec = map::recommend_with(&recommender, &profiles, c);
            if let Some(pin) = c.facts.pinned_version
                && let Some(m) =
                    pin_error(&catalogs.versions, c, rec.as_ref().ok().and_then(|r| r.winner.as_deref()), pin)
            {
                errors.push(RowError::new(line(&c.name), "pinned_version", m));
            }
            match rec {
                Ok(rec) if rec.exception_needs_rationale => errors.push(RowError::new(
                    line(&c.name),
                    "exception_rationale",
                    format!(
                        "{} differs from the recommendation ({}); write why in exception_rationale",
                        c.decided_cni.as_deref().unwrap_or_default(),
                        rec.winner.as_deref().unwrap_or("none")
                    ),
                )),
                Ok(_) => {}
                Err(e) => errors.push(RowError::new(line(&c.name), "", e.to_string())),
            }
        }
        errors.sort_by_key(|e| e.line);
    }
    let report = ImportReport {
        dry_run: dry_run || !errors.is_empty(),
        sites: doc.sites.len(),
        clusters: doc.clusters.len(),
        errors,
    };
    if report.dry_run {
        return Ok(report);
    }
    let sites_before: std::collections::HashMap<String, SiteRecord> =
        store::sites(pool).await?.into_iter().map(|s| (s.record.name.clone(), s.record)).collect();
    let mut tx = pool.begin().await?;
    store::upsert_sites(&mut tx, &doc.sites).await?;
    store::write_clusters(&mut tx, &doc.clusters, OnName::Update).await?;
    let site_changes = doc
        .sites
        .iter()
        .filter(|s| sites_before.get(&s.name) != Some(*s))
        .map(|s| {
            let before = sites_before.get(&s.name);
            audit::Change {
                entity_id: s.name.clone(),
                action: if before.is_some() { "update" } else { "create" },
                before: before.and_then(|b| serde_json::to_value(b).ok()),
                after: serde_json::to_value(s).ok(),
            }
        })
        .collect();
    audit::record_many(&mut tx, actor, "site", site_changes).await?;
    let ids: std::collections::HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT name, id FROM clusters WHERE name = ANY($1)")
            .bind(doc.clusters.iter().map(|c| c.name.as_str()).collect::<Vec<_>>())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let cluster_changes = doc
        .clusters
        .iter()
        .filter(|c| existing.get(&c.name).map(|e| &e.record) != Some(*c))
        .map(|c| {
            let before = existing.get(&c.name);
            audit::Change {
                entity_id: ids.get(&c.name).map_or_else(|| c.name.clone(), i64::to_string),
                action: if before.is_some() { "update" } else { "create" },
                before: before.and_then(|b| serde_json::to_value(b).ok()),
                after: serde_json::to_value(c).ok(),
            }
        })
        .collect();
    audit::record_many(&mut tx, actor, "cluster", cluster_changes).await?;
    let after = serde_json::json!({"format": format, "sites": doc.sites.len(), "clusters": doc.clusters.len()});
    audit::record(&mut tx, actor, "fleet", "import", "import", None, Some(after)).await?;
    tx.commit().await?;
    Ok(report)
}

/// The whole fleet as a file: its text, content type and file extension (anyone signed in).
pub async fn export(ctx: &Ctx, format: Format) -> Result<(String, &'static str, &'static str), AppError> {
    let sites = store::sites(&ctx.pool).await?.into_iter().map(|s| s.record).collect();
    let all = store::clusters(&ctx.pool, &ClusterFilter::default()).await?;
    let mut doc = FleetDoc::new(sites, Vec::new());
    for c in all {
        doc.versions.insert(c.record.name.clone(), c.version);
        doc.clusters.push(c.record);
    }
    Ok(match format {
        Format::Csv => (doc_to_csv(&doc), "text/csv; charset=utf-8", "csv"),
        Format::Yaml => (fleet_to_yaml(&doc), "application/yaml", "yaml"),
    })
}
