//! Fleet API: sites, clusters, import/export, recommendations and the fleet map data. Each
//! handler is an adapter over one service in `app::ssr::fleet`.

use axum::extract::Path;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use app::AppError;
use app::model::{Cluster, ClusterFilter, FleetClusterPage, FleetOverview, FleetQuery, Site, Versioned};
use app::ssr::fleet::{self, Format};
use app::ssr::{AppState, Ctx};
use domain::fleet::{ClusterRecord, Recommendation, SiteRecord};

use crate::routes::{ApiBytes, ApiJson, ApiQuery, BodyLimit, created, download, parse_id};

/// The fleet routes; an import may be up to `import_limit` bytes (a 10,000-cluster YAML export is
/// several MiB, far over the 1 MiB every other route accepts).
pub fn routes(import_limit: usize) -> Router<AppState> {
    let hint = "split the file, or raise SWITCHYARD_IMPORT_LIMIT_MIB on the server";
    // Its own router so the larger limit (set after the router-wide one, so it wins) covers only it.
    let import_route = Router::new()
        .route("/api/v1/clusters/import", post(import))
        .layer(axum::extract::DefaultBodyLimit::max(import_limit))
        .layer(axum::Extension(BodyLimit { bytes: import_limit, hint }));
    Router::new()
        .route("/api/v1/sites", get(list_sites).post(create_site))
        .route("/api/v1/clusters", get(list_clusters).post(create_cluster))
        .merge(import_route)
        .route("/api/v1/clusters/export", get(export))
        .route("/api/v1/clusters/{id}", get(get_cluster).put(update_cluster).delete(delete_cluster))
        .route("/api/v1/clusters/{id}/recommendation", get(recommendation))
        .route("/api/v1/fleet", get(fleet_map))
        .route("/api/v1/fleet/clusters", get(fleet_clusters))
}

type ApiResult<T> = Result<T, AppError>;

#[utoipa::path(
    get,
    path = "/api/v1/sites",
    tag = "fleet",
    summary = "Every site",
    responses((status = 200, description = "Sites", body = Vec<app::model::Site>))
)]
async fn list_sites(ctx: Ctx) -> ApiResult<Json<Vec<Site>>> {
    Ok(Json(fleet::list_sites(&ctx).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/sites",
    tag = "fleet",
    summary = "Create a site (architects)",
    request_body = domain::fleet::SiteRecord,
    responses((status = 201, description = "Created", body = app::model::Site))
)]
async fn create_site(ctx: Ctx, ApiJson(site): ApiJson<SiteRecord>) -> ApiResult<Response> {
    Ok(created(fleet::create_site(&ctx, site).await?))
}

/// Query of `GET /api/v1/clusters`; a bad tier is a clear 422 rather than a silent empty list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FilterQuery {
    tier: Option<String>,
    cni: Option<String>,
    site: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
    sort: Option<String>,
    offset: Option<i64>,
}

impl FilterQuery {
    fn filter(self) -> ApiResult<ClusterFilter> {
        let tier = self.tier.filter(|t| !t.is_empty()).map(|t| t.parse()).transpose()?;
        let sort = self
            .sort
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|e: String| AppError::field("sort", e)))
            .transpose()?;
        Ok(ClusterFilter {
            tier,
            cni: self.cni,
            site: self.site,
            cursor: self.cursor,
            limit: self.limit,
            sort,
            offset: self.offset,
        })
    }
}

/// One page of clusters as a JSON array; a `Link: <…&cursor=name>; rel="next"` header points at
/// the next page when there is one.
#[utoipa::path(
    get,
    path = "/api/v1/clusters",
    tag = "fleet",
    summary = "Clusters, a page at a time (Link header to the next page)",
    params(FilterQuery),
    responses((status = 200, description = "Clusters", body = Vec<app::model::Cluster>))
)]
async fn list_clusters(ctx: Ctx, ApiQuery(q): ApiQuery<FilterQuery>) -> ApiResult<Response> {
    let filter = q.filter()?;
    let (page, next) = fleet::list_clusters(&ctx, &filter).await?;
    let mut resp = Json(page).into_response();
    if let Some(cursor) = next {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(t) = filter.tier {
            q.append_pair("tier", t.as_str());
        }
        for (k, v) in [("cni", &filter.cni), ("site", &filter.site)] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        if let Some(limit) = filter.limit {
            q.append_pair("limit", &limit.to_string());
        }
        q.append_pair("cursor", &cursor);
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("</api/v1/clusters?{}>; rel=\"next\"", q.finish())) {
            resp.headers_mut().insert(axum::http::header::LINK, v);
        }
    }
    Ok(resp)
}

#[utoipa::path(
    get,
    path = "/api/v1/clusters/{id}",
    tag = "fleet",
    summary = "One cluster",
    params(("id" = i64, Path, description = "Cluster id")),
    responses((status = 200, description = "The cluster", body = app::model::Cluster))
)]
async fn get_cluster(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<Cluster>> {
    Ok(Json(fleet::get_cluster(&ctx, parse_id("cluster", &id)?).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/clusters",
    tag = "fleet",
    summary = "Create a cluster (architects)",
    request_body = domain::fleet::ClusterRecord,
    responses((status = 201, description = "Created", body = app::model::Cluster))
)]
async fn create_cluster(ctx: Ctx, ApiJson(c): ApiJson<ClusterRecord>) -> ApiResult<Response> {
    Ok(created(fleet::create_cluster(&ctx, c).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/clusters/{id}",
    tag = "fleet",
    summary = "Change a cluster (architects; 409 when stale)",
    params(("id" = i64, Path, description = "Cluster id")),
    request_body = app::model::Versioned<domain::fleet::ClusterRecord>,
    responses((status = 200, description = "Saved", body = app::model::Cluster))
)]
async fn update_cluster(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Versioned<ClusterRecord>>,
) -> ApiResult<Json<Cluster>> {
    Ok(Json(fleet::update_cluster(&ctx, parse_id("cluster", &id)?, body).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/clusters/{id}",
    tag = "fleet",
    summary = "Delete a cluster (architects)",
    params(("id" = i64, Path, description = "Cluster id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_cluster(ctx: Ctx, Path(id): Path<String>) -> ApiResult<StatusCode> {
    fleet::delete_cluster(&ctx, parse_id("cluster", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/clusters/{id}/recommendation",
    tag = "fleet",
    summary = "The cluster's recommendation with its gates and reasons",
    params(("id" = i64, Path, description = "Cluster id")),
    responses((status = 200, description = "The recommendation", body = domain::fleet::Recommendation))
)]
async fn recommendation(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<Recommendation>> {
    Ok(Json(fleet::recommendation(&ctx, parse_id("cluster", &id)?).await?))
}

/// The map aggregated by site; `tier`, `context`, `cni`, `status` and `site` filter it.
#[utoipa::path(
    get,
    path = "/api/v1/fleet",
    tag = "fleet",
    summary = "The fleet map aggregated by site",
    params(app::model::FleetQuery),
    responses((status = 200, description = "The map", body = app::model::FleetOverview))
)]
async fn fleet_map(ctx: Ctx, ApiQuery(q): ApiQuery<FleetQuery>) -> ApiResult<Json<FleetOverview>> {
    Ok(Json(fleet::fleet_overview(&ctx, &q).await?))
}

/// The map's clusters, a page at a time (`offset`, `limit`), with the same filters.
#[utoipa::path(
    get,
    path = "/api/v1/fleet/clusters",
    tag = "fleet",
    summary = "The fleet map's clusters, a page at a time",
    params(app::model::FleetQuery),
    responses((status = 200, description = "A page", body = app::model::FleetClusterPage))
)]
async fn fleet_clusters(ctx: Ctx, ApiQuery(q): ApiQuery<FleetQuery>) -> ApiResult<Json<FleetClusterPage>> {
    Ok(Json(fleet::fleet_clusters(&ctx, &q).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    dry_run: Option<bool>,
}

#[utoipa::path(
    post,
    path = "/api/v1/clusters/import",
    tag = "fleet",
    summary = "Import sites and clusters from CSV or YAML (architects)",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV (text/csv) or YAML (application/yaml) as exported"),
    responses((status = 200, description = "Imported (or checked, with dry_run)", body = app::model::ImportReport), (status = 409, description = "Rows changed since the export", body = app::model::ImportReport), (status = 422, description = "Bad rows; nothing written", body = app::model::ImportReport))
)]
async fn import(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Response> {
    let text = std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("the file is not UTF-8 text".into()))?;
    let format = Format::from_content_type(headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or(""))?;
    let report = fleet::import(&ctx, text, format, q.dry_run.unwrap_or(false)).await?;
    // A row refused because the fleet changed since the export is a conflict; bad rows are 422.
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else if report.errors.iter().any(|e| e.conflict) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    format: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/clusters/export",
    tag = "fleet",
    summary = "Export sites and clusters as CSV or YAML",
    params(ExportQuery),
    responses((status = 200, description = "The file (format=csv or yaml)", content((String = "text/csv"), (domain::fleet::FleetDoc = "application/yaml"))))
)]
async fn export(ctx: Ctx, ApiQuery(q): ApiQuery<ExportQuery>) -> ApiResult<Response> {
    let (body, content_type, ext) = fleet::export(&ctx, Format::from_query(q.format.as_deref())?).await?;
    Ok(download(body, content_type, &format!("switchyard-fleet.{ext}")))
}
