//! Plain Axum routes: `/healthz` and the JSON API under `/api/v1`.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::PgPool;

use app::AppError;
use app::model::{
    AuditFilter, EvaluateRequest, EvaluateResponse, NewToken, NewUser, Profile, ProfileInput, Token, User, UserPatch,
    Versioned,
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
        .route("/api/v1/robustness", post(robustness))
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

/// The body limit in force for a route, set beside axum's `DefaultBodyLimit` (whose value axum
/// keeps private) so a 413 can say what the limit is and how to get past it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimit {
    /// Bytes.
    pub bytes: usize,
    /// What to do about it, appended to the message.
    pub hint: &'static str,
}

impl BodyLimit {
    /// The refusal of a body over this limit.
    fn refusal(limit: Option<Self>) -> AppError {
        match limit {
            Some(l) => AppError::PayloadTooLarge(format!(
                "the request body is larger than the {} this route accepts; {}",
                human_size(l.bytes),
                l.hint
            )),
            None => AppError::PayloadTooLarge("the request body is larger than this route accepts; send less".into()),
        }
    }
}

/// `1 MiB`, `32 MiB`, `512 KiB`: limits are set in whole MiB, tests use smaller ones.
fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

fn body_limit(req: &Request) -> Option<BodyLimit> {
    req.extensions().get::<BodyLimit>().copied()
}

/// `Json` whose rejections use the API's error shape and say what to fix.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = body_limit(&req);
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(BodyLimit::refusal(limit)),
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

/// `Query` whose rejections use the API's error shape and say what to fix.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::BadRequest(format!(
                "the query string cannot be read ({}); give each parameter once, as `name=value`, with a value of \
                 the type the API documents",
                e.body_text()
            ))),
        }
    }
}

/// The raw body (`Bytes`) whose rejections use the API's error shape, a body over the route's
/// limit included (413).
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = body_limit(&req);
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(ApiBytes(b)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(BodyLimit::refusal(limit)),
            Err(e) => Err(AppError::BadRequest(format!("the body could not be read: {}", e.body_text()))),
        }
    }
}

pub(crate) fn parse_id(what: &str, raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| AppError::NotFound(format!("no {what} with id '{raw}'; ids are whole numbers")))
}

async fn api_not_found() -> AppError {
    AppError::NotFound("no such API route; see DESIGN.md for the routes of /api/v1".into())
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    summary = "Liveness and database reachability",
    security(()),
    responses((status = 200, description = "The database answers", body = crate::openapi::Health), (status = 503, description = "The database does not answer", body = crate::openapi::Health))
)]
async fn healthz(State(pool): State<PgPool>) -> Response {
    if db::ping(&pool).await {
        Json(json!({"status": "ok"})).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": "database unreachable"})))
            .into_response()
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/criteria",
    tag = "model",
    summary = "The nine criteria with their seed weights",
    responses((status = 200, description = "Criteria in order", body = Vec<domain::Criterion>))
)]
async fn criteria(ctx: Ctx) -> ApiResult<Json<Value>> {
    Ok(Json(decision::criteria(&ctx).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/candidates",
    tag = "model",
    summary = "The candidates with their scores and tier overrides",
    responses((status = 200, description = "Candidates", body = Vec<domain::Candidate>))
)]
async fn candidates(ctx: Ctx) -> ApiResult<Json<Value>> {
    Ok(Json(decision::candidates(&ctx).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/evaluate",
    tag = "model",
    summary = "Weighted totals, ranks, margin and break-even for weights",
    request_body = app::model::EvaluateRequest,
    responses((status = 200, description = "The evaluation", body = app::model::EvaluateResponse))
)]
async fn evaluate_weights(ctx: Ctx, ApiJson(req): ApiJson<EvaluateRequest>) -> ApiResult<Json<EvaluateResponse>> {
    Ok(Json(decision::evaluate(&ctx, req).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/robustness",
    tag = "model",
    summary = "How sure the decision is: rank acceptability, central weights and confidence (SMAA)",
    request_body = app::model::RobustnessRequest,
    responses((status = 200, description = "The analysis", body = app::model::RobustnessResponse))
)]
async fn robustness(
    ctx: Ctx,
    ApiJson(req): ApiJson<app::model::RobustnessRequest>,
) -> ApiResult<Json<app::model::RobustnessResponse>> {
    Ok(Json(app::ssr::robustness::analyse(&ctx, req).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/profiles",
    tag = "profiles",
    summary = "Every weight profile",
    responses((status = 200, description = "Profiles", body = Vec<app::model::Profile>))
)]
async fn list_profiles(ctx: Ctx) -> ApiResult<Json<Vec<Profile>>> {
    Ok(Json(profiles::list(&ctx).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/profiles/{id}",
    tag = "profiles",
    summary = "One weight profile",
    params(("id" = i64, Path, description = "Profile id")),
    responses((status = 200, description = "The profile", body = app::model::Profile))
)]
async fn get_profile(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<Profile>> {
    Ok(Json(profiles::get(&ctx, parse_id("profile", &id)?).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/profiles",
    tag = "profiles",
    summary = "Save a new weight profile (architects)",
    request_body = app::model::ProfileInput,
    responses((status = 201, description = "Created", body = app::model::Profile))
)]
async fn create_profile(ctx: Ctx, ApiJson(input): ApiJson<ProfileInput>) -> ApiResult<Response> {
    Ok(created(profiles::create(&ctx, input).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/profiles/{id}",
    tag = "profiles",
    summary = "Change a weight profile (architects; 409 when stale)",
    params(("id" = i64, Path, description = "Profile id")),
    request_body = app::model::Versioned<app::model::ProfileInput>,
    responses((status = 200, description = "Saved", body = app::model::Profile))
)]
async fn update_profile(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Versioned<ProfileInput>>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(profiles::update(&ctx, parse_id("profile", &id)?, body).await?))
}

/// `?version=` of a delete.
#[derive(Deserialize)]
pub(crate) struct VersionQuery {
    pub(crate) version: Option<i32>,
}

#[utoipa::path(
    delete,
    path = "/api/v1/profiles/{id}",
    tag = "profiles",
    summary = "Delete an unused weight profile (architects)",
    params(("id" = i64, Path, description = "Profile id"), ("version" = Option<i32>, Query, description = "The version read; 409 when stale")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_profile(
    ctx: Ctx,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    profiles::delete(&ctx, parse_id("profile", &id)?, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/session` body.
#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "accounts",
    summary = "Sign in (sets the HttpOnly session cookie)",
    request_body = crate::openapi::Credentials,
    security(()),
    responses((status = 204, description = "Signed in; the session cookie is set"))
)]
async fn create_session(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(c): ApiJson<Credentials>,
) -> ApiResult<Response> {
    let policy = state.auth.session;
    let client = app::ssr::throttle::client_address(&parts, &state.auth.trusted_proxies)
        .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    match login(&state.pool, &c.email, c.password, &client, policy).await? {
        Login::Ok(secret) => {
            Ok((StatusCode::NO_CONTENT, [(axum::http::header::SET_COOKIE, session_cookie(&secret, policy))])
                .into_response())
        }
        Login::Denied => Err(AppError::BadCredentials),
        Login::Throttled(wait) => Err(AppError::Throttled(wait)),
    }
}

#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "accounts",
    summary = "Sign out",
    responses((status = 204, description = "Signed out"))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    summary = "Who is signed in",
    responses((status = 200, description = "The signed-in user", body = app::model::Me))
)]
async fn me(ctx: Ctx) -> Json<Value> {
    Json(json!(ctx.principal().me()))
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "accounts",
    summary = "Every user (admins)",
    responses((status = 200, description = "Users", body = Vec<app::model::User>))
)]
async fn list_users(ctx: Ctx) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(accounts::list_users(&ctx).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "accounts",
    summary = "Create a user (admins)",
    request_body = app::model::NewUser,
    responses((status = 201, description = "Created", body = app::model::User))
)]
async fn create_user(ctx: Ctx, ApiJson(new): ApiJson<NewUser>) -> ApiResult<Response> {
    Ok(created(accounts::create_user(&ctx, new).await?))
}

#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "accounts",
    summary = "Change a user's role, name or status (admins)",
    params(("id" = i64, Path, description = "User id")),
    request_body = app::model::UserPatch,
    responses((status = 200, description = "Saved", body = app::model::User))
)]
async fn patch_user(ctx: Ctx, Path(id): Path<String>, ApiJson(patch): ApiJson<UserPatch>) -> ApiResult<Json<User>> {
    Ok(Json(accounts::patch_user(&ctx, parse_id("user", &id)?, patch).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "accounts",
    summary = "Your API tokens (never their secrets)",
    responses((status = 200, description = "Tokens", body = Vec<app::model::Token>))
)]
async fn list_tokens(ctx: Ctx) -> ApiResult<Json<Vec<Token>>> {
    Ok(Json(accounts::list_tokens(&ctx).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "accounts",
    summary = "Create an API token; its secret is shown once",
    request_body = app::model::NewToken,
    responses((status = 201, description = "Created; `token` holds the secret", body = crate::openapi::CreatedToken))
)]
async fn create_token(ctx: Ctx, ApiJson(new): ApiJson<NewToken>) -> ApiResult<Response> {
    let (token, secret) = accounts::create_token(&ctx, new).await?;
    let mut body = json!(token);
    body["token"] = json!(secret);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "accounts",
    summary = "Revoke an API token",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"))
)]
async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> ApiResult<StatusCode> {
    accounts::revoke_token(&ctx, parse_id("token", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One page of the audit log as a JSON array, newest first; when there are older entries a
/// `Link: <…&cursor=N>; rel="next"` header points at the next page (as GitHub's API does).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    summary = "The audit log, newest first, a page at a time (Link header to the next page)",
    params(app::model::AuditFilter),
    responses((status = 200, description = "Entries", body = Vec<app::model::AuditEntry>))
)]
async fn list_audit(ctx: Ctx, ApiQuery(filter): ApiQuery<AuditFilter>) -> ApiResult<Response> {
    let page = audit::list(&ctx, &filter).await?;
    let mut resp = Json(page.entries).into_response();
    if let Some(cursor) = page.next_cursor {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let pairs =
            [("entity", &filter.entity), ("actor", &filter.actor), ("since", &filter.since), ("until", &filter.until)];
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        if let Some(limit) = filter.limit {
            q.append_pair("limit", &limit.to_string());
        }
        q.append_pair("cursor", &cursor.to_string());
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("</api/v1/audit?{}>; rel=\"next\"", q.finish())) {
            resp.headers_mut().insert(axum::http::header::LINK, v);
        }
    }
    Ok(resp)
}

/// The whole (filtered) audit log as CSV, streamed.
#[utoipa::path(
    get,
    path = "/api/v1/audit.csv",
    tag = "audit",
    summary = "The audit log as CSV (streamed)",
    params(app::model::AuditFilter),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String))
)]
async fn audit_csv(ctx: Ctx, ApiQuery(filter): ApiQuery<AuditFilter>) -> ApiResult<Response> {
    let stream = audit::csv_stream(&ctx, filter)?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, "attachment; filename=\"switchyard-audit.csv\"".to_string()),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// 201 with the created entity.
pub(crate) fn created<T: serde::Serialize>(entity: T) -> Response {
    (StatusCode::CREATED, Json(entity)).into_response()
}

/// A tar.gz download named `file_name`.
pub(crate) fn tar_gz_download(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(CONTENT_TYPE, "application/gzip".to_string()), (CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// A file download.
pub(crate) fn download(body: String, content_type: &str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(CONTENT_TYPE, content_type.to_string()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}
