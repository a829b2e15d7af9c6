//! The fleet's SQL: sites and clusters by bound parameters only. A cluster's facts are one jsonb
//! column written from and read into `ClusterFacts`, so no statement here names a fact.

use std::collections::BTreeMap;

use sqlx::types::Json;
use sqlx::{FromRow, PgPool, Postgres, Transaction};

use crate::model::{Cluster, ClusterFilter, ClusterSort, Site};
use crate::{AppError, OnConstraint};
use domain::fleet::{ClusterRecord, SiteKind, SiteRecord};
use domain::{ClusterFacts, Tier};

#[derive(FromRow)]
struct SiteRow {
    id: i64,
    name: String,
    kind: String,
    location: Option<String>,
    region: Option<String>,
    version: i32,
}

/// All sites by name.
pub async fn sites(pool: &PgPool) -> Result<Vec<Site>, AppError> {
    let rows = sqlx::query_as::<_, SiteRow>(
        "SELECT s.id, s.name, s.kind, s.location, r.name AS region, s.version
         FROM sites s LEFT JOIN sites r ON r.id = s.region_id ORDER BY s.name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind: SiteKind = super::super::db::parse_stored("site kind", &r.kind)?;
            let record = SiteRecord { name: r.name, kind, location: r.location, region: r.region };
            Ok(Site { id: r.id, record, version: r.version })
        })
        .collect()
}

/// Inserts one site; a taken name is a conflict decided by the unique constraint.
pub async fn insert_site(tx: &mut Transaction<'_, Postgres>, site: &SiteRecord) -> Result<i64, AppError> {
    sqlx::query_scalar(
        "INSERT INTO sites (name, kind, location, region_id)
         VALUES ($1, $2, $3, (SELECT id FROM sites WHERE name = $4)) RETURNING id",
    )
    .bind(&site.name)
    .bind(site.kind.as_str())
    .bind(&site.location)
    .bind(&site.region)
    .fetch_one(&mut **tx)
    .await
    .on_constraint("sites_name_key", || AppError::taken("site", &site.name))
}

/// Inserts or updates sites by name (imports), then links plants to their regions.
pub async fn upsert_sites(tx: &mut Transaction<'_, Postgres>, sites: &[SiteRecord]) -> Result<(), AppError> {
    let names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
    let kinds: Vec<&str> = sites.iter().map(|s| s.kind.as_str()).collect();
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

/// Names of every site.
pub async fn site_names(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM sites").fetch_all(pool).await?)
}

/// Names of every cluster.
pub async fn cluster_names(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM clusters").fetch_all(pool).await?)
}

/// Every cluster's name and its parent's name.
pub async fn parent_links(pool: &PgPool) -> Result<Vec<(String, Option<String>)>, AppError> {
    Ok(sqlx::query_as("SELECT c.name, p.name FROM clusters c LEFT JOIN clusters p ON p.id = c.parent_id")
        .fetch_all(pool)
        .await?)
}

#[derive(FromRow)]
struct ClusterRow {
    id: i64,
    version: i32,
    name: String,
    site: String,
    parent: Option<String>,
    facts: Json<ClusterFacts>,
    labels: Json<BTreeMap<String, String>>,
    profile_id: Option<i64>,
    decided_cni: Option<String>,
    exception_rationale: Option<String>,
}

impl ClusterRow {
    fn into_cluster(self) -> Cluster {
        let record = ClusterRecord {
            name: self.name,
            site: self.site,
            parent: self.parent,
            facts: self.facts.0,
            labels: self.labels.0,
            profile_id: self.profile_id,
            decided_cni: self.decided_cni,
            exception_rationale: self.exception_rationale,
        };
        Cluster { id: self.id, version: self.version, record }
    }
}

const CLUSTER_SELECT: &str = "SELECT c.id, c.version, c.name, s.name AS site, p.name AS parent, c.facts, c.labels,
    c.profile_id, c.decided_cni, c.exception_rationale
  FROM clusters c JOIN sites s ON s.id = c.site_id LEFT JOIN clusters p ON p.id = c.parent_id";

/// Clusters matching the filter, by name (all of them when the filter has no `limit`).
pub async fn clusters(pool: &PgPool, f: &ClusterFilter) -> Result<Vec<Cluster>, AppError> {
    // Each order is a fixed fragment chosen by the enum: no caller text reaches the SQL.
    let order = match f.sort.unwrap_or_default() {
        ClusterSort::Name => "c.name",
        ClusterSort::Tier => "array_position(ARRAY['cell','plant','regional','cloud'], c.tier), c.name",
        ClusterSort::Site => "s.name, c.name",
        ClusterSort::Cni => "c.decided_cni NULLS LAST, c.name",
    };
    let rows = sqlx::query_as::<_, ClusterRow>(&format!(
        "{CLUSTER_SELECT} WHERE {CLUSTER_FILTER} AND ($4::text IS NULL OR c.name > $4)
         ORDER BY {order} LIMIT $5 OFFSET $6"
    ))
    .bind(f.tier.map(Tier::as_str))
    .bind(f.cni.as_deref().filter(|s| !s.is_empty()))
    .bind(f.site.as_deref().filter(|s| !s.is_empty()))
    .bind(f.cursor.as_deref().filter(|s| !s.is_empty()))
    .bind(f.limit)
    .bind(f.offset.unwrap_or(0))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(ClusterRow::into_cluster).collect())
}

/// The filter of [`clusters`] on parameters $1–$3 (tier, decided CNI, site name).
const CLUSTER_FILTER: &str = "($1::text IS NULL OR c.tier = $1) AND ($2::text IS NULL OR c.decided_cni = $2)
    AND ($3::text IS NULL OR s.name = $3)";

/// How many clusters match the filter (cursor and paging ignored).
pub async fn count_clusters(pool: &PgPool, f: &ClusterFilter) -> Result<i64, AppError> {
    let n = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM clusters c JOIN sites s ON s.id = c.site_id WHERE {CLUSTER_FILTER}"
    ))
    .bind(f.tier.map(Tier::as_str))
    .bind(f.cni.as_deref().filter(|s| !s.is_empty()))
    .bind(f.site.as_deref().filter(|s| !s.is_empty()))
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// One cluster or `NotFound`.
pub async fn cluster(pool: &PgPool, id: i64) -> Result<Cluster, AppError> {
    sqlx::query_as::<_, ClusterRow>(&format!("{CLUSTER_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(ClusterRow::into_cluster)
        .ok_or_else(|| AppError::NotFound(format!("no cluster with id {id}")))
}

/// How [`write_clusters`] treats a name that exists.
#[derive(Clone, Copy, PartialEq)]
pub enum OnName {
    /// It is a conflict (creating one cluster).
    Refuse,
    /// The row is updated (importing a fleet).
    Update,
}

/// Writes clusters and then their parents, in `tx`; returns their ids in order.
pub async fn write_clusters(
    tx: &mut Transaction<'_, Postgres>,
    clusters: &[ClusterRecord],
    on_name: OnName,
) -> Result<Vec<i64>, AppError> {
    let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    let sites: Vec<&str> = clusters.iter().map(|c| c.site.as_str()).collect();
    let facts: Vec<Json<&ClusterFacts>> = clusters.iter().map(|c| Json(&c.facts)).collect();
    let labels: Vec<Json<&BTreeMap<String, String>>> = clusters.iter().map(|c| Json(&c.labels)).collect();
    let profiles: Vec<Option<i64>> = clusters.iter().map(|c| c.profile_id).collect();
    let decided: Vec<Option<&str>> = clusters.iter().map(|c| c.decided_cni.as_deref()).collect();
    let rationale: Vec<Option<&str>> = clusters.iter().map(|c| c.exception_rationale.as_deref()).collect();
    let conflict = match on_name {
        OnName::Refuse => "",
        OnName::Update => {
            "ON CONFLICT (name) DO UPDATE SET site_id = excluded.site_id, facts = excluded.facts,
               labels = excluded.labels, profile_id = excluded.profile_id, decided_cni = excluded.decided_cni,
               exception_rationale = excluded.exception_rationale, version = clusters.version + 1, updated_at = now()"
        }
    };
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "INSERT INTO clusters (name, site_id, facts, labels, profile_id, decided_cni, exception_rationale)
         SELECT t.name, s.id, t.facts, t.labels, t.profile, t.decided, t.rationale
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $5::bigint[], $6::text[], $7::text[])
           WITH ORDINALITY AS t(name, site, facts, labels, profile, decided, rationale, n)
         JOIN sites s ON s.name = t.site
         ORDER BY t.n
         {conflict} RETURNING id"
    ))
    .bind(&names)
    .bind(&sites)
    .bind(&facts)
    .bind(&labels)
    .bind(&profiles)
    .bind(&decided)
    .bind(&rationale)
    .fetch_all(&mut **tx)
    .await
    .on_constraint("clusters_name_key", || AppError::taken("cluster", names.first().copied().unwrap_or_default()))?;
    set_parents(tx, clusters).await?;
    Ok(ids)
}

async fn set_parents(tx: &mut Transaction<'_, Postgres>, clusters: &[ClusterRecord]) -> Result<(), AppError> {
    let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    let parents: Vec<Option<&str>> = clusters.iter().map(|c| c.parent.as_deref()).collect();
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

/// Overwrites cluster `id` when its version is still `version`; `None` when it is not (or the
/// cluster is gone). A new name already taken is a conflict.
pub async fn update_cluster(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    version: i32,
    c: &ClusterRecord,
) -> Result<Option<i64>, AppError> {
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE clusters SET name = $3, site_id = (SELECT id FROM sites WHERE name = $4), facts = $5, labels = $6,
           profile_id = $7, decided_cni = $8, exception_rationale = $9, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2 RETURNING id",
    )
    .bind(id)
    .bind(version)
    .bind(&c.name)
    .bind(&c.site)
    .bind(Json(&c.facts))
    .bind(Json(&c.labels))
    .bind(c.profile_id)
    .bind(&c.decided_cni)
    .bind(&c.exception_rationale)
    .fetch_optional(&mut **tx)
    .await
    .on_constraint("clusters_name_key", || AppError::taken("cluster", &c.name))?;
    if updated.is_some() {
        set_parents(tx, std::slice::from_ref(c)).await?;
    }
    Ok(updated)
}
