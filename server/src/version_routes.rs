//! Versions API (issue 11): the release catalog and its import, the fleet's versions table, pins,
//! observations from pipelines, one cluster's lifecycle and upgrade path, and the fleet's staged
//! upgrade plan. Each handler is an adapter over one service in `app::ssr::versions`.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use app::AppError;
use app::model::{
    CatalogImportReport, ClusterLifecycle, ObservationInput, ObservationReport, PinInput, PinReport, ReleaseInfo,
    VersionQuery, VersionsView,
};
use app::ssr::versions;
use app::ssr::{AppState, Ctx};
use domain::versions::UpgradePath;

use crate::routes::{ApiBytes, ApiJson, ApiQuery, BodyLimit, download, parse_id};

/// The version routes; an observation batch may be up to `batch_limit` bytes (10,000 items are
/// about 1.2 MiB, over the 1 MiB every other route accepts).
pub fn routes(batch_limit: usize) -> Router<AppState> {
    let hint = "send the observations in smaller batches, or raise SWITCHYARD_IMPORT_LIMIT_MIB on the server";
    let observations = Router::new()
        .route("/api/v1/observations", post(report_observations))
        .layer(axum::extract::DefaultBodyLimit::max(batch_limit))
        .layer(axum::Extension(BodyLimit { bytes: batch_limit, hint }));
    Router::new()
        .route("/api/v1/releases", get(releases))
        .route("/api/v1/releases/import", post(import_catalog))
        .route("/api/v1/versions", get(versions_table))
        .route("/api/v1/versions/pin", post(pin))
        .merge(observations)
        .route("/api/v1/clusters/{id}/lifecycle", get(lifecycle))
        .route("/api/v1/clusters/{id}/upgrade-plan", get(cluster_plan))
        .route("/api/v1/upgrade-plan", get(fleet_plan))
}

type ApiResult<T> = Result<T, AppError>;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CniQuery {
    cni: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/releases",
    tag = "versions",
    summary = "The release catalog with support status",
    params(CniQuery),
    responses((status = 200, description = "Minor releases", body = Vec<app::model::ReleaseInfo>))
)]
async fn releases(ctx: Ctx, ApiQuery(q): ApiQuery<CniQuery>) -> ApiResult<Json<Vec<ReleaseInfo>>> {
    Ok(Json(versions::releases(&ctx, q.cni.as_deref().filter(|c| !c.is_empty())).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CatalogImportQuery {
    product: Option<String>,
    dry_run: Option<bool>,
}

#[utoipa::path(
    post,
    path = "/api/v1/releases/import",
    tag = "versions",
    summary = "Import release data (admins)",
    params(CatalogImportQuery),
    request_body(content = String, content_type = "application/json", description = "endoflife.date release data or the release matrix"),
    responses((status = 200, description = "What changed (or would, with dry_run)", body = app::model::CatalogImportReport))
)]
async fn import_catalog(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CatalogImportQuery>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<CatalogImportReport>> {
    let product = q.product.filter(|p| !p.is_empty()).ok_or_else(|| {
        AppError::field("product", "name the product the file is for: ?product=cilium or ?product=calico")
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("the file is not UTF-8 text".into()))?;
    Ok(Json(versions::catalog::import(&ctx, &product, text, q.dry_run.unwrap_or(false)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/versions",
    tag = "versions",
    summary = "Every cluster's versions and findings, a page at a time",
    params(app::model::VersionQuery),
    responses((status = 200, description = "A page", body = app::model::VersionsView))
)]
async fn versions_table(ctx: Ctx, ApiQuery(q): ApiQuery<VersionQuery>) -> ApiResult<Json<VersionsView>> {
    Ok(Json(versions::versions_view(&ctx, &q).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/versions/pin",
    tag = "versions",
    summary = "Pin clusters by tier and site to a release (architects)",
    request_body = app::model::PinInput,
    responses((status = 200, description = "Pinned", body = app::model::PinReport))
)]
async fn pin(ctx: Ctx, ApiJson(input): ApiJson<PinInput>) -> ApiResult<Json<PinReport>> {
    Ok(Json(versions::pin(&ctx, input).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/observations",
    tag = "versions",
    summary = "Report what clusters run (write token)",
    request_body = Vec<app::model::ObservationInput>,
    responses((status = 200, description = "Recorded", body = app::model::ObservationReport))
)]
async fn report_observations(
    ctx: Ctx,
    ApiJson(items): ApiJson<Vec<ObservationInput>>,
) -> ApiResult<Json<ObservationReport>> {
    Ok(Json(versions::report_observations(&ctx, items).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/clusters/{id}/lifecycle",
    tag = "versions",
    summary = "The cluster's release lifecycle and findings",
    params(("id" = i64, Path, description = "Cluster id")),
    responses((status = 200, description = "The lifecycle", body = app::model::ClusterLifecycle))
)]
async fn lifecycle(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<ClusterLifecycle>> {
    Ok(Json(versions::cluster_lifecycle(&ctx, parse_id("cluster", &id)?).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TargetQuery {
    target: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/clusters/{id}/upgrade-plan",
    tag = "versions",
    summary = "The cluster's upgrade path, one minor at a time",
    params(("id" = i64, Path, description = "Cluster id"), TargetQuery),
    responses((status = 200, description = "The path", body = domain::versions::UpgradePath))
)]
async fn cluster_plan(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> ApiResult<Json<UpgradePath>> {
    Ok(Json(versions::cluster_upgrade_path(&ctx, parse_id("cluster", &id)?, q.target.as_deref()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PlanQuery {
    cni: Option<String>,
    target: Option<String>,
    soak_days: Option<u32>,
    format: Option<String>,
}

/// The fleet plan as JSON (default), CSV or Markdown.
#[utoipa::path(
    get,
    path = "/api/v1/upgrade-plan",
    tag = "versions",
    summary = "The fleet's staged upgrade plan as JSON, CSV or Markdown",
    params(PlanQuery),
    responses((status = 200, description = "The plan (format=json, csv or md)", content((app::model::UpgradePlan = "application/json"), (String = "text/csv"), (String = "text/markdown"))))
)]
async fn fleet_plan(ctx: Ctx, ApiQuery(q): ApiQuery<PlanQuery>) -> ApiResult<Response> {
    let cni = q
        .cni
        .filter(|c| !c.is_empty())
        .ok_or_else(|| AppError::field("cni", "name the CNI to plan: ?cni=cilium (and optionally &target=1.18)"))?;
    let (wire, plan) = versions::fleet_plan(&ctx, &cni, q.target.as_deref(), q.soak_days).await?;
    let stem = format!("upgrade-plan-{cni}-{}", wire.target);
    Ok(match q.format.as_deref().unwrap_or("json") {
        "json" => Json(wire).into_response(),
        "csv" => download(plan.to_csv(), "text/csv; charset=utf-8", &format!("{stem}.csv")),
        "md" => download(plan.to_markdown(), "text/markdown; charset=utf-8", &format!("{stem}.md")),
        other => return Err(AppError::field("format", format!("unknown format '{other}'; use json, csv or md"))),
    })
}
