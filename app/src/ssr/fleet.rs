//! Sites and clusters: CRUD, all-or-nothing import, export, recommendations and the fleet map.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use sqlx::types::Json;
use sqlx::{FromRow, PgPool, Postgres, Transaction};

use super::audit;
use super::auth::Principal;
use crate::AppError;
use crate::api::types::{Cluster, ClusterFilter, Fleet, FleetCluster, FleetSite, ImportReport, Profile, Site};
use domain::fleet::{
    ClusterRecord, FleetDoc, ProfileChoice, Recommendation, Recommender, SiteKind, SiteRecord, pick_profile,
    validate_doc,
};
use domain::{BgpFabric, Catalog, Context, Model, Tier, Weights};

/// The release catalog bundled with the domain crate, parsed once.
pub fn catalog() -> Result<&'static Catalog, AppError> {
    static CATALOG: OnceLock<Option<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            domain::catalog::catalog()
                .map_err(|e| tracing::error!(error = %e, "the bundled release catalog does not parse"))
                .ok()
        })
        .as_ref()
        .ok_or(AppError::Internal)
}

/// Today's date (UTC), for release lifecycles.
pub fn today() -> domain::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(FromRow)]
struct SiteRow {
    id: i64,
    name: String,
    kind: String,
    location: Option<String>,
    region: Option<String>,
    version: i32,
}

fn site_kind(s: &str) -> SiteKind {
    if s == "region" { SiteKind::Region } else { SiteKind::Plant }
}

fn site_kind_str(k: SiteKind) -> &'static str {
    match k {
        SiteKind::Region => "region",
        SiteKind::Plant => "plant",
    }
}

/// All sites by name.
pub async fn list_sites(pool: &PgPool) -> Result<Vec<Site>, AppError> {
    let rows = sqlx::query_as::<_, SiteRow>(
        "SELECT s.id, s.name, s.kind, s.location, r.name AS region, s.version
         FROM sites s LEFT JOIN sites r ON r.id = s.region_id ORDER BY s.name",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Site {
            id: r.id,
            record: SiteRecord { name: r.name, kind: site_kind(&r.kind), location: r.location, region: r.region },
            version: r.version,
        })
        .collect())
}

async fn upsert_sites(tx: &mut Transaction<'_, Postgres>, sites: &[SiteRecord]) -> Result<(), AppError> {
    let names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
    let kinds: Vec<&str> = sites.iter().map(|s| site_kind_str(s.kind)).collect();
    let locations: Vec<Option<&str>> = sites.iter().map(|s| s.location.as_deref()).collect();
    sqlx::query(
        "INSERT INTO sites (name, kind, location) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
           version = sites.version + 1, updated_at = now()",
    )
    .bind(&names)
    .bind(&kinds)
    .bind(&locations)
    .execute(&mut **tx)
    .await?;
    let regions: Vec<Option<&str>> = sites.iter().map(|s| s.region.as_deref()).collect();
    sqlx::query(
        "UPDATE sites s SET region_id = r.id FROM unnest($1::text[], $2::text[]) AS t(name, region)
         LEFT JOIN sites r ON r.name = t.region WHERE s.name = t.name",
    )
    .bind(&names)
    .bind(&regions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Creates a site (architects); a taken name is a conflict.
pub async fn create_site(pool: &PgPool, actor: &Principal, site: SiteRecord) -> Result<Site, AppError> {
    let errors = validate_doc(&FleetDoc { sites: vec![site.clone()], clusters: vec![] }, &site_names(pool).await?, &[]);
    if !errors.is_empty() {
        return Err(row_errors_to_validation(errors));
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sites WHERE name = $1)")
        .bind(&site.name)
        .fetch_one(pool)
        .await?;
    if exists {
        return Err(AppError::Conflict {
            message: format!("a site named '{}' already exists", site.name),
            current: None,
        });
    }
    let mut tx = pool.begin().await?;
    upsert_sites(&mut tx, std::slice::from_ref(&site)).await?;
    audit::record(&mut tx, Some(actor), "site", &site.name, "create", None, serde_json::to_value(&site).ok()).await?;
    tx.commit().await?;
    list_sites(pool).await?.into_iter().find(|s| s.record.name == site.name).ok_or(AppError::Internal)
}

/// Names of every site and cluster, for checking an import against the fleet.
pub async fn known_names(pool: &PgPool) -> Result<(Vec<String>, Vec<String>), AppError> {
    Ok((site_names(pool).await?, cluster_names(pool).await?))
}

async fn site_names(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM sites").fetch_all(pool).await?)
}

async fn cluster_names(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM clusters").fetch_all(pool).await?)
}

#[derive(FromRow)]
struct ClusterRow {
    id: i64,
    version: i32,
    name: String,
    site: String,
    parent: Option<String>,
    tier: String,
    context: Option<String>,
    distribution: String,
    nodes: i32,
    cores_per_node: Option<i32>,
    memory_gib_per_node: Option<f64>,
    kernel: Option<String>,
    bgp_fabric: String,
    wan_uplink: bool,
    underlay_mtu: Option<i32>,
    underlay_symmetric: bool,
    pod_cidr: Option<String>,
    max_pods_per_node: Option<i32>,
    labels: Json<BTreeMap<String, String>>,
    profile_id: Option<i64>,
    decided_cni: Option<String>,
    exception_rationale: Option<String>,
}

impl ClusterRow {
    fn into_cluster(self) -> Cluster {
        let u = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok());
        Cluster {
            id: self.id,
            version: self.version,
            record: ClusterRecord {
                name: self.name,
                site: self.site,
                parent: self.parent,
                tier: self.tier.parse().unwrap_or(Tier::Cell),
                context: self.context.and_then(|c| c.parse().ok()),
                distribution: self.distribution,
                nodes: u32::try_from(self.nodes).unwrap_or(1),
                cores_per_node: u(self.cores_per_node),
                memory_gib_per_node: self.memory_gib_per_node,
                kernel: self.kernel,
                bgp_fabric: self.bgp_fabric.parse().unwrap_or(BgpFabric::None),
                wan_uplink: self.wan_uplink,
                underlay_mtu: u(self.underlay_mtu),
                underlay_symmetric: self.underlay_symmetric,
                pod_cidr: self.pod_cidr,
                max_pods_per_node: u(self.max_pods_per_node),
                labels: self.labels.0,
                profile_id: self.profile_id,
                decided_cni: self.decided_cni,
                exception_rationale: self.exception_rationale,
            },
        }
    }
}

const CLUSTER_SELECT: &str = "SELECT c.id, c.version, c.name, s.name AS site, p.name AS parent, c.tier, c.context,
    c.distribution, c.nodes, c.cores_per_node, c.memory_gib_per_node, c.kernel, c.bgp_fabric, c.wan_uplink,
    c.underlay_mtu, c.underlay_symmetric, c.pod_cidr, c.max_pods_per_node, c.labels, c.profile_id, c.decided_cni,
    c.exception_rationale
  FROM clusters c JOIN sites s ON s.id = c.site_id LEFT JOIN clusters p ON p.id = c.parent_id";

/// Clusters matching the filter, by name.
pub async fn list_clusters(pool: &PgPool, f: &ClusterFilter) -> Result<Vec<Cluster>, AppError> {
    let rows = sqlx::query_as::<_, ClusterRow>(&format!(
        "{CLUSTER_SELECT} WHERE ($1::text IS NULL OR c.tier = $1) AND ($2::text IS NULL OR c.decided_cni = $2)
           AND ($3::text IS NULL OR s.name = $3) ORDER BY c.name"
    ))
    .bind(f.tier.map(Tier::as_str))
    .bind(f.cni.as_deref().filter(|s| !s.is_empty()))
    .bind(f.site.as_deref().filter(|s| !s.is_empty()))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(ClusterRow::into_cluster).collect())
}

/// One cluster or `NotFound`.
pub async fn get_cluster(pool: &PgPool, id: i64) -> Result<Cluster, AppError> {
    sqlx::query_as::<_, ClusterRow>(&format!("{CLUSTER_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(ClusterRow::into_cluster)
        .ok_or_else(|| AppError::NotFound(format!("no cluster with id {id}")))
}

fn row_errors_to_validation(errors: Vec<domain::fleet::RowError>) -> AppError {
    let mut e = domain::ValidationError::default();
    for r in errors {
        e.add(r.field.rsplit('.').next().unwrap_or(&r.field).to_string(), r.reason);
    }
    e.into()
}

/// Writes clusters (insert or update by name) and then their parents, in `tx`.
async fn upsert_clusters(tx: &mut Transaction<'_, Postgres>, clusters: &[ClusterRecord]) -> Result<(), AppError> {
    let col = |f: fn(&ClusterRecord) -> Option<String>| clusters.iter().map(f).collect::<Vec<_>>();
    let int = |f: fn(&ClusterRecord) -> Option<u32>| {
        clusters.iter().map(|c| f(c).map(|v| i32::try_from(v).unwrap_or(i32::MAX))).collect::<Vec<_>>()
    };
    let names = col(|c| Some(c.name.clone()));
    let sites = col(|c| Some(c.site.clone()));
    let tiers = col(|c| Some(c.tier.as_str().to_string()));
    let contexts = col(|c| c.context.map(|x| x.as_str().to_string()));
    let distributions = col(|c| Some(c.distribution.clone()));
    let nodes = int(|c| Some(c.nodes));
    let cores = int(|c| c.cores_per_node);
    let memory: Vec<Option<f64>> = clusters.iter().map(|c| c.memory_gib_per_node).collect();
    let kernels = col(|c| c.kernel.clone());
    let fabrics = col(|c| Some(c.bgp_fabric.as_str().to_string()));
    let wan: Vec<bool> = clusters.iter().map(|c| c.wan_uplink).collect();
    let mtus = int(|c| c.underlay_mtu);
    let symmetric: Vec<bool> = clusters.iter().map(|c| c.underlay_symmetric).collect();
    let cidrs = col(|c| c.pod_cidr.clone());
    let max_pods = int(|c| c.max_pods_per_node);
    let labels: Vec<serde_json::Value> = clusters.iter().map(|c| serde_json::json!(c.labels)).collect();
    let profiles: Vec<Option<i64>> = clusters.iter().map(|c| c.profile_id).collect();
    let decided = col(|c| c.decided_cni.clone());
    let rationale = col(|c| c.exception_rationale.clone());
    sqlx::query(
        "INSERT INTO clusters (name, site_id, tier, context, distribution, nodes, cores_per_node, memory_gib_per_node,
           kernel, bgp_fabric, wan_uplink, underlay_mtu, underlay_symmetric, pod_cidr, max_pods_per_node, labels,
           profile_id, decided_cni, exception_rationale)
         SELECT t.name, s.id, t.tier, t.context, t.distribution, t.nodes, t.cores, t.memory, t.kernel, t.fabric, t.wan,
           t.mtu, t.sym, t.cidr, t.max_pods, t.labels, t.profile, t.decided, t.rationale
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::float8[],
           $9::text[], $10::text[], $11::bool[], $12::int[], $13::bool[], $14::text[], $15::int[], $16::jsonb[],
           $17::bigint[], $18::text[], $19::text[])
           AS t(name, site, tier, context, distribution, nodes, cores, memory, kernel, fabric, wan, mtu, sym,
                cidr, max_pods, labels, profile, decided, rationale)
         JOIN sites s ON s.name = t.site
         ON CONFLICT (name) DO UPDATE SET site_id = excluded.site_id, tier = excluded.tier, context = excluded.context,
           distribution = excluded.distribution, nodes = excluded.nodes, cores_per_node = excluded.cores_per_node,
           memory_gib_per_node = excluded.memory_gib_per_node, kernel = excluded.kernel,
           bgp_fabric = excluded.bgp_fabric, wan_uplink = excluded.wan_uplink, underlay_mtu = excluded.underlay_mtu,
           underlay_symmetric = excluded.underlay_symmetric, pod_cidr = excluded.pod_cidr,
           max_pods_per_node = excluded.max_pods_per_node, labels = excluded.labels, profile_id = excluded.profile_id,
           decided_cni = excluded.decided_cni, exception_rationale = excluded.exception_rationale,
           version = clusters.version + 1, updated_at = now()",
    )
    .bind(&names)
    .bind(&sites)
    .bind(&tiers)
    .bind(&contexts)
    .bind(&distributions)
    .bind(&nodes)
    .bind(&cores)
    .bind(&memory)
    .bind(&kernels)
    .bind(&fabrics)
    .bind(&wan)
    .bind(&mtus)
    .bind(&symmetric)
    .bind(&cidrs)
    .bind(&max_pods)
    .bind(&labels)
    .bind(&profiles)
    .bind(&decided)
    .bind(&rationale)
    .execute(&mut **tx)
    .await?;
    let parents = col(|c| c.parent.clone());
    sqlx::query(
        "UPDATE clusters c SET parent_id = p.id FROM unnest($1::text[], $2::text[]) AS t(name, parent)
         LEFT JOIN clusters p ON p.name = t.parent WHERE c.name = t.name",
    )
    .bind(&names)
    .bind(&parents)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Checks a cluster against the fleet and its recommendation: known site and parent, and a
/// written rationale when the decided CNI differs from the recommendation.
async fn check_cluster(
    pool: &PgPool,
    model: &Model,
    c: &ClusterRecord,
    existing: Option<&str>,
) -> Result<(), AppError> {
    let mut clusters = cluster_names(pool).await?;
    clusters.retain(|n| Some(n.as_str()) != existing);
    let errors =
        validate_doc(&FleetDoc { sites: vec![], clusters: vec![c.clone()] }, &site_names(pool).await?, &clusters);
    if !errors.is_empty() {
        return Err(row_errors_to_validation(errors));
    }
    let rec = recommendation(pool, model, c).await?;
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

/// Creates a cluster (architects).
pub async fn create_cluster(
    pool: &PgPool,
    model: &Model,
    actor: &Principal,
    c: ClusterRecord,
) -> Result<Cluster, AppError> {
    check_cluster(pool, model, &c, None).await?;
    if cluster_names(pool).await?.contains(&c.name) {
        return Err(AppError::Conflict {
            message: format!("a cluster named '{}' already exists", c.name),
            current: None,
        });
    }
    let mut tx = pool.begin().await?;
    upsert_clusters(&mut tx, std::slice::from_ref(&c)).await?;
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM clusters WHERE name = $1").bind(&c.name).fetch_one(&mut *tx).await?;
    audit::record(&mut tx, Some(actor), "cluster", id, "create", None, serde_json::to_value(&c).ok()).await?;
    tx.commit().await?;
    get_cluster(pool, id).await
}

/// Overwrites a cluster when its version is still `version`, else a conflict with the current one.
pub async fn update_cluster(
    pool: &PgPool,
    model: &Model,
    actor: &Principal,
    id: i64,
    version: i32,
    c: ClusterRecord,
) -> Result<Cluster, AppError> {
    let before = get_cluster(pool, id).await?;
    check_cluster(pool, model, &c, Some(&before.record.name)).await?;
    if before.version != version {
        return Err(stale(before, version));
    }
    let mut tx = pool.begin().await?;
    // Lock the row and re-check the version inside the transaction.
    let now: Option<i32> = sqlx::query_scalar("SELECT version FROM clusters WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if now != Some(version) {
        tx.rollback().await?;
        return Err(stale(get_cluster(pool, id).await?, version));
    }
    if c.name != before.record.name {
        sqlx::query("UPDATE clusters SET name = $2 WHERE id = $1").bind(id).bind(&c.name).execute(&mut *tx).await?;
    }
    upsert_clusters(&mut tx, std::slice::from_ref(&c)).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "cluster",
        id,
        "update",
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&c).ok(),
    )
    .await?;
    tx.commit().await?;
    get_cluster(pool, id).await
}

fn stale(current: Cluster, version: i32) -> AppError {
    AppError::Conflict {
        message: format!(
            "cluster '{}' was changed by someone else since you loaded it (you had version {version}, it is now version {}); \
             reload it and apply your change again",
            current.record.name, current.version
        ),
        current: serde_json::to_value(&current).ok(),
    }
}

/// Deletes a cluster (its children lose their parent).
pub async fn delete_cluster(pool: &PgPool, actor: &Principal, id: i64) -> Result<(), AppError> {
    let before = get_cluster(pool, id).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM clusters WHERE id = $1").bind(id).execute(&mut *tx).await?;
    audit::record(&mut tx, Some(actor), "cluster", id, "delete", serde_json::to_value(&before).ok(), None).await?;
    tx.commit().await?;
    Ok(())
}

/// Validates a whole document against the fleet and, unless `dry_run` or anything is wrong,
/// writes it in one transaction (sites and clusters upserted by name). `actor` is `None` for the
/// demo loader.
pub async fn import(
    pool: &PgPool,
    actor: Option<&Principal>,
    doc: &FleetDoc,
    dry_run: bool,
    format: &str,
) -> Result<ImportReport, AppError> {
    let errors = validate_doc(doc, &site_names(pool).await?, &cluster_names(pool).await?);
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
    upsert_sites(&mut tx, &doc.sites).await?;
    upsert_clusters(&mut tx, &doc.clusters).await?;
    let after = serde_json::json!({"format": format, "sites": doc.sites.len(), "clusters": doc.clusters.len()});
    audit::record(&mut tx, actor, "fleet", "import", "import", None, Some(after)).await?;
    tx.commit().await?;
    Ok(report)
}

/// The whole fleet as an import document.
pub async fn export(pool: &PgPool) -> Result<FleetDoc, AppError> {
    let sites = list_sites(pool).await?.into_iter().map(|s| s.record).collect();
    let clusters = list_clusters(pool, &ClusterFilter::default()).await?.into_iter().map(|c| c.record).collect();
    Ok(FleetDoc { sites, clusters })
}

struct Profiles {
    list: Vec<Profile>,
    weights: Vec<Weights>,
    keys: Vec<(i64, Option<Tier>, Option<Context>)>,
}

async fn profiles(pool: &PgPool, model: &Model) -> Result<Profiles, AppError> {
    let list = super::db::list_profiles(pool, model).await?;
    let weights = list
        .iter()
        .map(|p| {
            Weights::from_percent_map_unchecked(model, &p.weights)
                .unwrap_or_else(|_| Weights(vec![0; model.criteria.len()]))
        })
        .collect();
    let keys = list.iter().map(|p| (p.id, p.tier, p.context)).collect();
    Ok(Profiles { list, weights, keys })
}

fn recommend_with(r: &Recommender<'_>, ps: &Profiles, c: &ClusterRecord) -> Result<Recommendation, AppError> {
    let id = pick_profile(&ps.keys, c.tier, c.context, c.profile_id).ok_or_else(|| {
        AppError::field("profile_id", "no weight profile applies; create a default profile without a tier")
    })?;
    let i = ps
        .list
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| AppError::field("profile_id", format!("no profile with id {id}")))?;
    let choice = ProfileChoice { id, name: &ps.list[i].name, weights: &ps.weights[i] };
    Ok(r.recommend(choice, c)?)
}

/// The recommendation for one cluster.
pub async fn recommendation(pool: &PgPool, model: &Model, c: &ClusterRecord) -> Result<Recommendation, AppError> {
    recommend_with(&Recommender::new(model, catalog()?, today()), &profiles(pool, model).await?, c)
}

/// Every site with its clusters' recommendations, and the tier × CNI summary.
pub async fn fleet(pool: &PgPool, model: &Model) -> Result<Fleet, AppError> {
    let ps = profiles(pool, model).await?;
    let recommender = Recommender::new(model, catalog()?, today());
    let sites = list_sites(pool).await?;
    let clusters = list_clusters(pool, &ClusterFilter::default()).await?;
    let mut by_site: BTreeMap<String, Vec<FleetCluster>> = BTreeMap::new();
    let mut summary: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for c in clusters {
        let rec = recommend_with(&recommender, &ps, &c.record)?;
        let cni = c.record.decided_cni.clone().or_else(|| rec.winner.clone()).unwrap_or_else(|| "undecided".into());
        *summary.entry(c.record.tier.as_str().to_string()).or_default().entry(cni).or_default() += 1;
        // Only gates on scored candidates count on the map: Flannel's permanent "no NetworkPolicy"
        // knock-out would otherwise badge every cluster.
        let relevant: Vec<&domain::Gate> =
            rec.gates.iter().filter(|g| rec.results.iter().any(|r| r.candidate == g.candidate)).collect();
        let knock_outs = relevant.iter().filter(|g| g.is_knock_out()).count();
        by_site.entry(c.record.site.clone()).or_default().push(FleetCluster {
            id: c.id,
            name: c.record.name,
            tier: c.record.tier,
            context: c.record.context,
            recommended: rec.winner.clone(),
            decided: c.record.decided_cni,
            knock_outs,
            warnings: relevant.len() - knock_outs,
            margin: rec.margin,
            clear_winner: rec.clear_winner,
            exception: rec.exception,
        });
    }
    let sites = sites
        .into_iter()
        .map(|s| {
            let region = match s.record.kind {
                SiteKind::Region => Some(s.record.name.clone()),
                SiteKind::Plant => s.record.region.clone(),
            };
            FleetSite {
                clusters: by_site.remove(&s.record.name).unwrap_or_default(),
                name: s.record.name,
                kind: s.record.kind,
                region,
            }
        })
        .collect();
    Ok(Fleet { sites, summary })
}
