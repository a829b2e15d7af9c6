//! The fleet's services: sites and clusters (create, update with version, delete), all-or-nothing
//! import, export, recommendations and the fleet map. Each write checks the role, validates,
//! lets the database decide name races and audits in the same transaction.

mod map;
mod store;

pub use map::{catalog, today};

use sqlx::PgPool;

use super::auth::Principal;
use super::{Ctx, audit, check_versioned};
use crate::AppError;
use crate::model::{Cluster, ClusterFilter, ClusterPage, Fleet, ImportReport, Role, Site, Versioned};
use domain::Model;
use domain::fleet::{
    ClusterRecord, FleetDoc, Recommendation, RowError, SiteRecord, clusters_to_csv, fleet_to_yaml, import_csv,
    import_yaml, validate_doc,
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
    let doc = FleetDoc { sites: vec![site.clone()], clusters: vec![] };
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

/// Clusters matching the filter (anyone signed in).
pub async fn list_clusters(ctx: &Ctx, filter: &ClusterFilter) -> Result<Vec<Cluster>, AppError> {
    store::clusters(&ctx.pool, filter).await
}

/// One cluster (anyone signed in).
pub async fn get_cluster(ctx: &Ctx, id: i64) -> Result<Cluster, AppError> {
    store::cluster(&ctx.pool, id).await
}

/// One cluster's recommendation (anyone signed in).
pub async fn recommendation(ctx: &Ctx, id: i64) -> Result<Recommendation, AppError> {
    let c = store::cluster(&ctx.pool, id).await?;
    map::recommendation(&ctx.pool, &*ctx.model().await?, &c.record).await
}

/// Everything the cluster page shows.
pub async fn cluster_page(ctx: &Ctx, id: i64) -> Result<ClusterPage, AppError> {
    let model = ctx.model().await?;
    let cluster = store::cluster(&ctx.pool, id).await?;
    let profiles = map::profiles(&ctx.pool, &model).await?;
    let recommendation =
        map::recommend_with(&domain::fleet::Recommender::new(&model, catalog()?, today()), &profiles, &cluster.record)?;
    let profile = profiles.list.into_iter().find(|p| p.id == recommendation.profile_id).ok_or(AppError::Internal)?;
    Ok(ClusterPage { cluster, recommendation, model: (*model).clone(), profile, me: ctx.principal().me() })
}

/// The fleet map (anyone signed in).
pub async fn fleet(ctx: &Ctx) -> Result<Fleet, AppError> {
    map::fleet(&ctx.pool, &*ctx.model().await?).await
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
    let doc = FleetDoc { sites: vec![], clusters: vec![c.clone()] };
    let errors = validate_doc(&doc, &store::site_names(pool).await?, &clusters);
    if !errors.is_empty() {
        return Err(row_errors_to_validation(errors));
    }
    let rec = map::recommendation(pool, model, c).await?;
    if rec.exception_needs_rationale {
        return Err(AppError::field(
            "exception_rationale",
            format!(
                "{} differs from the recommendation ({}); write why in exception_rationale",
                c.decided_cni.as_deref().unwrap_or_default(),
                rec.winner.as_deref().unwrap_or("none")
            ),
        ));
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
        let json = serde_json::to_value(&now).ok();
        return Err(AppError::stale("cluster", &now.record.name, version, now.version, json));
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
        Format::Csv => import_csv(text, &sites, &clusters).map(|clusters| FleetDoc { sites: vec![], clusters }),
        Format::Yaml => import_yaml(text, &sites, &clusters),
    };
    match doc {
        Ok(doc) => import_doc(&ctx.pool, Some(actor), &doc, dry_run, format.name()).await,
        Err(errors) => Ok(ImportReport { dry_run: true, sites: 0, clusters: 0, errors }),
    }
}

/// Validates a whole document against the fleet and, unless `dry_run` or anything is wrong,
/// writes it in one transaction (sites and clusters upserted by name). `actor` is `None` for the
/// demo loader.
pub async fn import_doc(
    pool: &PgPool,
    actor: Option<&Principal>,
    doc: &FleetDoc,
    dry_run: bool,
    format: &str,
) -> Result<ImportReport, AppError> {
    let errors = validate_doc(doc, &store::site_names(pool).await?, &store::cluster_names(pool).await?);
    let report = ImportReport {
        dry_run: dry_run || !errors.is_empty(),
        sites: doc.sites.len(),
        clusters: doc.clusters.len(),
        errors,
    };
    if report.dry_run {
        return Ok(report);
    }
    let mut tx = pool.begin().await?;
    store::upsert_sites(&mut tx, &doc.sites).await?;
    store::write_clusters(&mut tx, &doc.clusters, OnName::Update).await?;
    let after = serde_json::json!({"format": format, "sites": doc.sites.len(), "clusters": doc.clusters.len()});
    audit::record(&mut tx, actor, "fleet", "import", "import", None, Some(after)).await?;
    tx.commit().await?;
    Ok(report)
}

/// The whole fleet as a file: its text, content type and file extension (anyone signed in).
pub async fn export(ctx: &Ctx, format: Format) -> Result<(String, &'static str, &'static str), AppError> {
    let sites = store::sites(&ctx.pool).await?.into_iter().map(|s| s.record).collect();
    let clusters = store::clusters(&ctx.pool, &ClusterFilter::default()).await?.into_iter().map(|c| c.record).collect();
    let doc = FleetDoc { sites, clusters };
    Ok(match format {
        Format::Csv => (clusters_to_csv(&doc.clusters), "text/csv; charset=utf-8", "csv"),
        Format::Yaml => (fleet_to_yaml(&doc), "application/yaml", "yaml"),
    })
}
