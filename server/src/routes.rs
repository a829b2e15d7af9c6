//! Plain Axum routes: `/healthz` and the JSON API under `/api/v1`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::PgPool;

use app::AppError;
use app::model::{
    AuditEntry, AuditFilter, EvaluateRequest, EvaluateResponse, NewToken, NewUser, Profile, ProfileInput, Token, User,
    UserPatch, Versioned,
};
use app::ssr::auth::{Login, Principal, Via, clear_session_cookie, end_session, login, session_cookie};
use app::ssr::{AppState, Ctx, accounts, audit, db, decision, profiles};

/// The API routes.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/criteria", get(criteria))
        .route("/api/v1/candidates", get(candidates))
        .route("/api/v1/profiles", get(list_profiles).post(create_profile))
        .route("/api/v1/profiles/{id}", get(get_profile).put(update_profile).delete(delete_profile))
        .route("/api/v1/evaluate", post(evaluate_weights))
        .route("/api/v1/session", post(create_session).delete(delete_session))
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}", axum::routing::patch(patch_user))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/audit", get(list_audit))
        .route("/api/v1/audit.csv", get(audit_csv))
        .route("/api/v1/{*rest}", any(api_not_found))
}

type ApiResult<T> = Result<T, AppError>;

/// `Json` whose rejections use the API's error shape and say what to fix.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::Validation {
                message: format!("the JSON has the wrong shape: {}", e.body_text()),
                fields: Default::default(),
            }),
            Err(JsonRejection::JsonSyntaxError(e)) => {
                Err(AppError::BadRequest(format!("the body is not valid JSON: {}", e.body_text())))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::BadRequest("send the body as JSON with `Content-Type: application/json`".into()))
            }
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

pub(crate) fn parse_id(what: &str, raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| AppError::NotFound(format!("no {what} with id '{raw}'; ids are whole numbers")))
}

async fn api_not_found() -> AppError {
    AppError::NotFound("no such API route; see DESIGN.md for the routes of /api/v1".into())
}

async fn healthz(State(pool): State<PgPool>) -> Response {
    if db::ping(&pool).await {
        Json(json!({"status": "ok"})).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": "database unreachable"})))
            .into_response()
    }
}

async fn criteria(ctx: Ctx) -> ApiResult<Json<Value>> {
    Ok(Json(decision::criteria(&ctx).await?))
}

async fn candidates(ctx: Ctx) -> ApiResult<Json<Value>> {
    Ok(Json(decision::candidates(&ctx).await?))
}

async fn evaluate_weights(ctx: Ctx, ApiJson(req): ApiJson<EvaluateRequest>) -> ApiResult<Json<EvaluateResponse>> {
    Ok(Json(decision::evaluate(&ctx, req).await?))
}

async fn list_profiles(ctx: Ctx) -> ApiResult<Json<Vec<Profile>>> {
    Ok(Json(profiles::list(&ctx).await?))
}

async fn get_profile(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<Profile>> {
    Ok(Json(profiles::get(&ctx, parse_id("profile", &id)?).await?))
}

async fn create_profile(ctx: Ctx, ApiJson(input): ApiJson<ProfileInput>) -> ApiResult<Response> {
    Ok(created(profiles::create(&ctx, input).await?))
}

async fn update_profile(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Versioned<ProfileInput>>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(profiles::update(&ctx, parse_id("profile", &id)?, body).await?))
}

async fn delete_profile(ctx: Ctx, Path(id): Path<String>) -> ApiResult<StatusCode> {
    profiles::delete(&ctx, parse_id("profile", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/session` body.
#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

async fn create_session(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(client): axum::extract::ConnectInfo<std::net::SocketAddr>,
    ApiJson(c): ApiJson<Credentials>,
) -> ApiResult<Response> {
    let policy = state.auth.session;
    match login(&state.pool, &c.email, c.password, &client.ip().to_string(), policy).await? {
        Login::Ok(secret) => {
            Ok((StatusCode::NO_CONTENT, [(axum::http::header::SET_COOKIE, session_cookie(&secret, policy))])
                .into_response())
        }
        Login::Denied => Err(AppError::BadCredentials),
        Login::Throttled(wait) => Err(AppError::Throttled(wait)),
    }
}

async fn delete_session(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
) -> ApiResult<Response> {
    if let Some(axum::Extension(p)) = principal
        && let Via::Session(hash) = &p.via
    {
        end_session(&state.pool, hash).await?;
    }
    let clear = clear_session_cookie(state.auth.session);
    Ok((StatusCode::NO_CONTENT, [(axum::http::header::SET_COOKIE, clear)]).into_response())
}

async fn me(ctx: Ctx) -> Json<Value> {
    Json(json!(ctx.principal().me()))
}

async fn list_users(ctx: Ctx) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(accounts::list_users(&ctx).await?))
}

async fn create_user(ctx: Ctx, ApiJson(new): ApiJson<NewUser>) -> ApiResult<Response> {
    Ok(created(accounts::create_user(&ctx, new).await?))
}

async fn patch_user(ctx: Ctx, Path(id): Path<String>, ApiJson(patch): ApiJson<UserPatch>) -> ApiResult<Json<User>> {
    Ok(Json(accounts::patch_user(&ctx, parse_id("user", &id)?, patch).await?))
}

async fn list_tokens(ctx: Ctx) -> ApiResult<Json<Vec<Token>>> {
    Ok(Json(accounts::list_tokens(&ctx).await?))
}

async fn create_token(ctx: Ctx, ApiJson(new): ApiJson<NewToken>) -> ApiResult<Response> {
    let (token, secret) = accounts::create_token(&ctx, new).await?;
    let mut body = json!(token);
    body["token"] = json!(secret);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> ApiResult<StatusCode> {
    accounts::revoke_token(&ctx, parse_id("token", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_audit(ctx: Ctx, Query(filter): Query<AuditFilter>) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(audit::list(&ctx, &filter).await?))
}

async fn audit_csv(ctx: Ctx, Query(filter): Query<AuditFilter>) -> ApiResult<Response> {
    let body = audit::csv(&ctx, &filter).await?;
    Ok(download(body, "text/csv; charset=utf-8", "switchyard-audit.csv"))
}

/// 201 with the created entity.
pub(crate) fn created<T: serde::Serialize>(entity: T) -> Response {
    (StatusCode::CREATED, Json(entity)).into_response()
}

/// A file download.
pub(crate) fn download(body: String, content_type: &str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(CONTENT_TYPE, content_type.to_string()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}
