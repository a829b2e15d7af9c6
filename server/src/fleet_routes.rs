//! Fleet API: sites, clusters, import/export, recommendations and the fleet map data.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

use app::AppError;
use app::api::types::{ClusterFilter, Role};
use app::ssr::model_cache::ModelCache;
use app::ssr::{AppState, fleet};
use domain::fleet::{ClusterRecord, FleetDoc, SiteRecord, clusters_to_csv, fleet_to_yaml, import_csv, import_yaml};

use crate::auth::Auth;
use crate::routes::{ApiJson, parse_id};

/// The fleet routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sites", get(list_sites).post(create_site))
        .route("/api/v1/clusters", get(list_clusters).post(create_cluster))
        .route("/api/v1/clusters/import", post(import))
        .route("/api/v1/clusters/export", get(export))
        .route("/api/v1/clusters/{id}", get(get_cluster).put(update_cluster).delete(delete_cluster))
        .route("/api/v1/clusters/{id}/recommendation", get(recommendation))
        .route("/api/v1/fleet", get(fleet_map))
}

type ApiResult<T> = Result<T, AppError>;

async fn list_sites(State(pool): State<PgPool>, Auth(_): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(json!(fleet::list_sites(&pool).await?)))
}

async fn create_site(
    State(pool): State<PgPool>,
    Auth(p): Auth,
    ApiJson(site): ApiJson<SiteRecord>,
) -> ApiResult<Response> {
    p.can_write(Role::Architect)?;
    Ok((StatusCode::CREATED, Json(fleet::create_site(&pool, &p, site).await?)).into_response())
}

/// Query of `GET /api/v1/clusters`; a bad tier is a clear 422 rather than a silent empty list.
#[derive(Deserialize)]
struct FilterQuery {
    tier: Option<String>,
    cni: Option<String>,
    site: Option<String>,
}

impl FilterQuery {
    fn filter(self) -> ApiResult<ClusterFilter> {
        let tier = self.tier.filter(|t| !t.is_empty()).map(|t| t.parse()).transpose()?;
        Ok(ClusterFilter { tier, cni: self.cni, site: self.site })
    }
}

async fn list_clusters(
    State(pool): State<PgPool>,
    Auth(_): Auth,
    Query(q): Query<FilterQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(fleet::list_clusters(&pool, &q.filter()?).await?)))
}

async fn get_cluster(State(pool): State<PgPool>, Auth(_): Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(fleet::get_cluster(&pool, parse_id("cluster", &id)?).await?)))
}

async fn create_cluster(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(p): Auth,
    ApiJson(c): ApiJson<ClusterRecord>,
) -> ApiResult<Response> {
    p.can_write(Role::Architect)?;
    let model = cache.get(&pool).await?;
    Ok((StatusCode::CREATED, Json(fleet::create_cluster(&pool, &model, &p, c).await?)).into_response())
}

/// PUT body: the cluster fields plus the `version` that was read.
#[derive(Deserialize)]
struct ClusterUpdate {
    #[serde(flatten)]
    record: ClusterRecord,
    version: Option<i32>,
}

async fn update_cluster(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClusterUpdate>,
) -> ApiResult<Json<Value>> {
    p.can_write(Role::Architect)?;
    let id = parse_id("cluster", &id)?;
    let version = body.version.ok_or_else(|| {
        AppError::field(
            "version",
            "send the version you read (GET /api/v1/clusters/{id}) so a newer save is not overwritten",
        )
    })?;
    let model = cache.get(&pool).await?;
    Ok(Json(json!(fleet::update_cluster(&pool, &model, &p, id, version, body.record).await?)))
}

async fn delete_cluster(State(pool): State<PgPool>, Auth(p): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    p.can_write(Role::Architect)?;
    fleet::delete_cluster(&pool, &p, parse_id("cluster", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn recommendation(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let c = fleet::get_cluster(&pool, parse_id("cluster", &id)?).await?;
    let model = cache.get(&pool).await?;
    Ok(Json(json!(fleet::recommendation(&pool, &model, &c.record).await?)))
}

async fn fleet_map(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    let model = cache.get(&pool).await?;
    Ok(Json(json!(fleet::fleet(&pool, &model).await?)))
}

#[derive(Deserialize)]
struct ImportQuery {
    dry_run: Option<bool>,
}

async fn import(
    State(pool): State<PgPool>,
    Auth(p): Auth,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    p.can_write(Role::Architect)?;
    let text = std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("the file is not UTF-8 text".into()))?;
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (sites, clusters) = fleet::known_names(&pool).await?;
    let (doc, format) = if content_type.starts_with("text/csv") {
        (import_csv(text, &sites, &clusters).map(|clusters| FleetDoc { sites: vec![], clusters }), "csv")
    } else if content_type.contains("yaml") {
        (import_yaml(text, &sites, &clusters), "yaml")
    } else {
        return Err(AppError::BadRequest(
            "send the file as `Content-Type: text/csv` (clusters) or `application/yaml` (sites and clusters)".into(),
        ));
    };
    let report = match doc {
        Ok(doc) => fleet::import(&pool, Some(&p), &doc, q.dry_run.unwrap_or(false), format).await?,
        Err(errors) => app::api::types::ImportReport { dry_run: true, sites: 0, clusters: 0, errors },
    };
    let status = if report.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(report)).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

async fn export(State(pool): State<PgPool>, Auth(_): Auth, Query(q): Query<ExportQuery>) -> ApiResult<Response> {
    let doc = fleet::export(&pool).await?;
    let (body, ctype, ext) = match q.format.as_deref().unwrap_or("yaml") {
        "csv" => (clusters_to_csv(&doc.clusters), "text/csv; charset=utf-8", "csv"),
        "yaml" => (fleet_to_yaml(&doc), "application/yaml", "yaml"),
        other => return Err(AppError::field("format", format!("unknown format '{other}'; use csv or yaml"))),
    };
    let disposition = format!("attachment; filename=\"switchyard-fleet.{ext}\"");
    Ok(([(CONTENT_TYPE, ctype.to_string()), (CONTENT_DISPOSITION, disposition)], body).into_response())
}
