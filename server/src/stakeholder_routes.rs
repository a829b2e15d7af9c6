//! Stakeholder weights of a profile (issue 13): everyone's weights with each one's winner, the
//! spread and the aggregate; adding, changing and removing them; choosing mean or median. Each
//! handler is an adapter over one service in `app::ssr::stakeholders`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Json, Router};

use app::AppError;
use app::model::{AggregateChange, Stakeholder, StakeholderBoard, StakeholderInput, Versioned};
use app::ssr::stakeholders;
use app::ssr::{AppState, Ctx};

use crate::routes::{ApiJson, ApiQuery, VersionQuery, created, parse_id};

/// The stakeholder routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/profiles/{id}/stakeholders", get(board).post(create))
        .route("/api/v1/profiles/{id}/stakeholders/{sid}", put(update).delete(delete))
        .route("/api/v1/profiles/{id}/aggregate", put(set_aggregate))
}

#[utoipa::path(
    get,
    path = "/api/v1/profiles/{id}/stakeholders",
    tag = "profiles",
    summary = "A profile's stakeholders: each one's weights and winner, the spread per criterion, the aggregate",
    params(("id" = i64, Path, description = "Profile id")),
    responses((status = 200, description = "The stakeholders, analysed", body = StakeholderBoard))
)]
pub(crate) async fn board(ctx: Ctx, Path(id): Path<String>) -> Result<Json<StakeholderBoard>, AppError> {
    Ok(Json(stakeholders::board(&ctx, parse_id("profile", &id)?).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/profiles/{id}/stakeholders",
    tag = "profiles",
    summary = "Add a stakeholder's weights (your own with mine: true; anyone's for architects)",
    params(("id" = i64, Path, description = "Profile id")),
    request_body = StakeholderInput,
    responses((status = 201, description = "Added", body = Stakeholder))
)]
pub(crate) async fn create(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StakeholderInput>,
) -> Result<Response, AppError> {
    Ok(created(stakeholders::create(&ctx, parse_id("profile", &id)?, input).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/profiles/{id}/stakeholders/{sid}",
    tag = "profiles",
    summary = "Change a stakeholder's weights (your own; anyone's for architects; 409 when stale)",
    params(("id" = i64, Path, description = "Profile id"), ("sid" = i64, Path, description = "Stakeholder id")),
    request_body = Versioned<StakeholderInput>,
    responses((status = 200, description = "Saved", body = Stakeholder))
)]
pub(crate) async fn update(
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
    ApiJson(body): ApiJson<Versioned<StakeholderInput>>,
) -> Result<Json<Stakeholder>, AppError> {
    let (id, sid) = (parse_id("profile", &id)?, parse_id("stakeholder", &sid)?);
    Ok(Json(stakeholders::update(&ctx, id, sid, body).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/profiles/{id}/stakeholders/{sid}",
    tag = "profiles",
    summary = "Remove a stakeholder's weights (your own; anyone's for architects)",
    params(
        ("id" = i64, Path, description = "Profile id"),
        ("sid" = i64, Path, description = "Stakeholder id"),
        ("version" = Option<i32>, Query, description = "The version read; 409 when stale")
    ),
    responses((status = 204, description = "Removed"))
)]
pub(crate) async fn delete(
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, AppError> {
    let (id, sid) = (parse_id("profile", &id)?, parse_id("stakeholder", &sid)?);
    stakeholders::delete(&ctx, id, sid, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/v1/profiles/{id}/aggregate",
    tag = "profiles",
    summary = "Choose how a profile combines its stakeholders' weights: mean or median (architects; 409 when stale)",
    params(("id" = i64, Path, description = "Profile id")),
    request_body = Versioned<AggregateChange>,
    responses((status = 200, description = "The stakeholders with the new aggregate", body = StakeholderBoard))
)]
pub(crate) async fn set_aggregate(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Versioned<AggregateChange>>,
) -> Result<Json<StakeholderBoard>, AppError> {
    Ok(Json(stakeholders::set_aggregate(&ctx, parse_id("profile", &id)?, body).await?))
}
