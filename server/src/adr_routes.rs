//! ADR API: the register, status changes, reviews, the Markdown and bundle exports and the review
//! calendar. Each handler is an adapter over one service in `app::ssr::adrs`.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use app::AppError;
use app::model::{
    AdrFilter, AdrInput, AdrRecord, AdrSummary, ReviewInput, ReviewPreview, ReviewResult, ReviewsDue, StatusChange,
    Versioned,
};
use app::ssr::{AppState, Ctx, adrs};
use domain::adr::AdrNumber;

use crate::routes::{ApiJson, ApiQuery, created, download, tar_gz_download};

/// The path of the review calendar, the one route that also takes a read token as `?token=`
/// (see `auth::authenticate`).
pub const CALENDAR_PATH: &str = "/api/v1/reviews.ics";

/// The ADR routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/adrs", get(list).post(create))
        .route("/api/v1/adrs/export.tar.gz", get(bundle))
        .route("/api/v1/adrs/{number}", get(get_one).put(update))
        .route("/api/v1/adrs/{number}/status", post(set_status))
        .route("/api/v1/adrs/{number}/review", get(preview))
        .route("/api/v1/adrs/{number}/reviews", post(review))
        .route("/api/v1/reviews", get(reviews_due))
        .route(CALENDAR_PATH, get(calendar))
}

type ApiResult<T> = Result<T, AppError>;

/// `1`, `0001` and `ADR-0001` name the same ADR; anything else is no ADR at all.
fn parse_number(raw: &str) -> ApiResult<AdrNumber> {
    raw.parse().map_err(|_| AppError::NotFound(format!("no ADR '{raw}'; name it by its number: 1, 0001 or ADR-0001")))
}

#[utoipa::path(
    get,
    path = "/api/v1/adrs",
    tag = "adrs",
    summary = "The ADR register",
    params(app::model::AdrFilter),
    responses((status = 200, description = "ADRs", body = Vec<app::model::AdrSummary>))
)]
async fn list(ctx: Ctx, ApiQuery(filter): ApiQuery<AdrFilter>) -> ApiResult<Json<Vec<AdrSummary>>> {
    Ok(Json(adrs::list(&ctx, &filter).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/adrs",
    tag = "adrs",
    summary = "Propose an ADR (architects)",
    request_body = app::model::AdrInput,
    responses((status = 201, description = "Proposed", body = app::model::AdrRecord))
)]
async fn create(ctx: Ctx, ApiJson(input): ApiJson<AdrInput>) -> ApiResult<Response> {
    Ok(created(adrs::create(&ctx, input).await?))
}

/// One ADR as JSON, or as Markdown when the path ends in `.md` (`/api/v1/adrs/1.md`; the router
/// has no parameters with a suffix, so the one route serves both).
#[utoipa::path(
    get,
    path = "/api/v1/adrs/{number}",
    tag = "adrs",
    summary = "One ADR (JSON; `/api/v1/adrs/1.md` for its Markdown)",
    params(("number" = String, Path, description = "The ADR: 1, 0001 or ADR-0001")),
    responses((status = 200, description = "The ADR (its MADR Markdown for a number ending in .md)", content((app::model::AdrRecord = "application/json"), (String = "text/markdown"))))
)]
async fn get_one(ctx: Ctx, Path(raw): Path<String>) -> ApiResult<Response> {
    if let Some(number) = raw.strip_suffix(".md") {
        let (text, file_name) = adrs::markdown(&ctx, parse_number(number)?).await?;
        return Ok(download(text, "text/markdown; charset=utf-8", &file_name));
    }
    Ok(Json(adrs::get(&ctx, parse_number(&raw)?).await?).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/adrs/{number}",
    tag = "adrs",
    summary = "Revise a proposed ADR (architects; 409 when stale)",
    params(("number" = String, Path, description = "The ADR: 1, 0001 or ADR-0001")),
    request_body = app::model::Versioned<app::model::AdrInput>,
    responses((status = 200, description = "Saved", body = app::model::AdrRecord))
)]
async fn update(
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<Versioned<AdrInput>>,
) -> ApiResult<Json<AdrRecord>> {
    Ok(Json(adrs::update(&ctx, parse_number(&raw)?, body).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/adrs/{number}/status",
    tag = "adrs",
    summary = "Accept, reject, deprecate or supersede an ADR",
    params(("number" = String, Path, description = "The ADR: 1, 0001 or ADR-0001")),
    request_body = app::model::Versioned<app::model::StatusChange>,
    responses((status = 200, description = "Saved", body = app::model::AdrRecord))
)]
async fn set_status(
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<Versioned<StatusChange>>,
) -> ApiResult<Json<AdrRecord>> {
    Ok(Json(adrs::set_status(&ctx, parse_number(&raw)?, body).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/adrs/{number}/review",
    tag = "adrs",
    summary = "What changed since the ADR's snapshot",
    params(("number" = String, Path, description = "The ADR: 1, 0001 or ADR-0001")),
    responses((status = 200, description = "The review preview", body = app::model::ReviewPreview))
)]
async fn preview(ctx: Ctx, Path(raw): Path<String>) -> ApiResult<Json<ReviewPreview>> {
    Ok(Json(adrs::preview(&ctx, parse_number(&raw)?).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/adrs/{number}/reviews",
    tag = "adrs",
    summary = "Record a review: reaffirm, revise or supersede",
    params(("number" = String, Path, description = "The ADR: 1, 0001 or ADR-0001")),
    request_body = app::model::Versioned<app::model::ReviewInput>,
    responses((status = 200, description = "Recorded", body = app::model::ReviewResult))
)]
async fn review(
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<Versioned<ReviewInput>>,
) -> ApiResult<Response> {
    Ok(created::<ReviewResult>(adrs::review(&ctx, parse_number(&raw)?, body).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/adrs/export.tar.gz",
    tag = "adrs",
    summary = "Every ADR as MADR Markdown in a tar.gz",
    responses((status = 200, description = "docs/decisions/*.md", content_type = "application/gzip", body = Vec<u8>))
)]
async fn bundle(ctx: Ctx) -> ApiResult<Response> {
    Ok(tar_gz_download(adrs::bundle(&ctx).await?, "switchyard-decisions.tar.gz"))
}

#[utoipa::path(
    get,
    path = "/api/v1/reviews",
    tag = "adrs",
    summary = "Reviews due, overdue first",
    responses((status = 200, description = "Reviews", body = app::model::ReviewsDue))
)]
async fn reviews_due(ctx: Ctx) -> ApiResult<Json<ReviewsDue>> {
    Ok(Json(adrs::reviews_due(&ctx).await?))
}

/// The review calendar; its events link the ADR pages under this server's first origin (the
/// public URL behind a proxy, `SWITCHYARD_ORIGINS`).
#[utoipa::path(
    get,
    path = "/api/v1/reviews.ics",
    tag = "adrs",
    summary = "The review calendar (RFC 5545; a read token may come as ?token=)",
    params(("token" = Option<String>, Query, description = "A read-scope API token, for calendar apps")),
    responses((status = 200, description = "iCalendar", content_type = "text/calendar", body = String))
)]
async fn calendar(ctx: Ctx, State(state): State<AppState>) -> ApiResult<Response> {
    let base = state.auth.origins.first().map_or("", String::as_str);
    let text = adrs::calendar(&ctx, base).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (CONTENT_DISPOSITION, "inline; filename=\"switchyard-reviews.ics\""),
            // The URL may carry a token: keep the answer out of shared caches.
            (CACHE_CONTROL, "private, no-store"),
        ],
        text,
    )
        .into_response())
}
