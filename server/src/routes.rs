//! Plain Axum routes: `/healthz` and the JSON API under `/api/v1`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::PgPool;

use app::AppError;
use app::api::types::{
    AuditFilter, EvaluateRequest, EvaluateResponse, NewToken, NewUser, ProfileInput, Role, UserPatch,
};
use app::ssr::auth::{Login, Principal, Via, clear_session_cookie, end_session, login, session_cookie};
use app::ssr::model_cache::ModelCache;
use app::ssr::{AppState, accounts, audit, db};
use domain::{CandidateStatus, Weights, break_even, evaluate};
use std::sync::Arc;

use crate::auth::Auth;

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

async fn criteria(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    let model = cache.get(&pool).await?;
    Ok(Json(json!(model.criteria)))
}

async fn candidates(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    let model = cache.get(&pool).await?;
    let list: Vec<Value> = model
        .candidates
        .iter()
        .map(|c| {
            let scores: serde_json::Map<String, Value> = model
                .scores
                .iter()
                .filter(|s| s.candidate == c.key && s.tier.is_none())
                .map(|s| (s.criterion.clone(), json!({"score": s.score, "rationale": s.rationale})))
                .collect();
            let overrides: Vec<Value> = model
                .scores
                .iter()
                .filter(|s| s.candidate == c.key && s.tier.is_some())
                .map(|s| json!({"criterion": s.criterion, "tier": s.tier, "score": s.score, "rationale": s.rationale}))
                .collect();
            json!({
                "key": c.key,
                "name": c.name,
                "status": c.status,
                "scored": c.status == CandidateStatus::Scored,
                "summary": c.summary,
                "dismissed_reason": c.dismissed_reason,
                "scores": scores,
                "tier_overrides": overrides,
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn list_profiles(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
) -> ApiResult<Json<Value>> {
    let model = cache.get(&pool).await?;
    Ok(Json(json!(db::list_profiles(&pool, &model).await?)))
}

async fn get_profile(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id("profile", &id)?;
    let model = cache.get(&pool).await?;
    Ok(Json(json!(db::get_profile(&pool, &model, id).await?)))
}

async fn create_profile(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(p): Auth,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Response> {
    p.can_write(Role::Architect)?;
    let model = cache.get(&pool).await?;
    let valid = input.validate(&model)?;
    let profile = db::create_profile(&pool, &model, &valid, Some(&p)).await?;
    Ok((StatusCode::CREATED, Json(profile)).into_response())
}

/// PUT body: the profile fields plus the `version` that was read.
#[derive(Deserialize)]
struct ProfileUpdate {
    #[serde(flatten)]
    input: ProfileInput,
    version: Option<i32>,
}

async fn update_profile(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(p): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<Value>> {
    p.can_write(Role::Architect)?;
    let id = parse_id("profile", &id)?;
    let model = cache.get(&pool).await?;
    let valid = body.input.validate(&model);
    let version = body.version.ok_or_else(|| {
        AppError::field(
            "version",
            "send the version you read (from GET /api/v1/profiles/{id}) so a newer save is not overwritten",
        )
    });
    let (valid, version) = match (valid, version) {
        (Ok(v), Ok(n)) => (v, n),
        (Err(mut e), Err(AppError::Validation { fields, .. })) => {
            e.fields.extend(fields);
            return Err(e.into());
        }
        (Err(e), _) => return Err(e.into()),
        (_, Err(e)) => return Err(e),
    };
    Ok(Json(json!(db::update_profile(&pool, &model, id, version, &valid, Some(&p)).await?)))
}

async fn delete_profile(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    p.can_write(Role::Architect)?;
    let id = parse_id("profile", &id)?;
    let model = cache.get(&pool).await?;
    db::delete_profile(&pool, &model, id, Some(&p)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn evaluate_weights(
    State(pool): State<PgPool>,
    State(cache): State<Arc<ModelCache>>,
    Auth(_): Auth,
    ApiJson(req): ApiJson<EvaluateRequest>,
) -> ApiResult<Json<EvaluateResponse>> {
    let model = cache.get(&pool).await?;
    let weights = Weights::from_percent_map(&model, &req.weights)?;
    let table = model.score_table(req.tier);
    let e = evaluate(&table, &weights);
    let be = break_even(&table, &weights);
    Ok(Json(EvaluateResponse::new(&model, req.tier, &e, be.as_deref())))
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

async fn me(Auth(p): Auth) -> Json<Value> {
    Json(json!(p.me()))
}

async fn list_users(State(pool): State<PgPool>, Auth(p): Auth) -> ApiResult<Json<Value>> {
    if p.role < Role::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(Json(json!(accounts::list_users(&pool).await?)))
}

async fn create_user(State(pool): State<PgPool>, Auth(p): Auth, ApiJson(new): ApiJson<NewUser>) -> ApiResult<Response> {
    p.can_write(Role::Admin)?;
    let user = accounts::create_user(&pool, Some(&p), new).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

async fn patch_user(
    State(pool): State<PgPool>,
    Auth(p): Auth,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<Value>> {
    p.can_write(Role::Admin)?;
    let id = parse_id("user", &id)?;
    Ok(Json(json!(accounts::patch_user(&pool, &p, id, patch).await?)))
}

async fn list_tokens(State(pool): State<PgPool>, Auth(p): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(json!(accounts::list_tokens(&pool, &p).await?)))
}

async fn create_token(
    State(pool): State<PgPool>,
    Auth(p): Auth,
    ApiJson(new): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let (token, secret) = accounts::create_token(&pool, &p, new).await?;
    let mut body = json!(token);
    body["token"] = json!(secret);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn revoke_token(State(pool): State<PgPool>, Auth(p): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    accounts::revoke_token(&pool, &p, parse_id("token", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_audit(
    State(pool): State<PgPool>,
    Auth(_): Auth,
    axum::extract::Query(filter): axum::extract::Query<AuditFilter>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(audit::list(&pool, &filter, 1000).await?)))
}

async fn audit_csv(
    State(pool): State<PgPool>,
    Auth(_): Auth,
    axum::extract::Query(filter): axum::extract::Query<AuditFilter>,
) -> ApiResult<Response> {
    let entries = audit::list(&pool, &filter, 100_000).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["id", "at", "actor", "entity", "entity_id", "action", "before", "after"];
    w.write_record(header).map_err(|_| AppError::Internal)?;
    for e in entries {
        let json_text = |v: &Option<Value>| v.as_ref().map(Value::to_string).unwrap_or_default();
        w.write_record([
            e.id.to_string(),
            e.at,
            e.actor,
            e.entity,
            e.entity_id,
            e.action,
            json_text(&e.before),
            json_text(&e.after),
        ])
        .map_err(|_| AppError::Internal)?;
    }
    let body = w.into_inner().map_err(|_| AppError::Internal)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"switchyard-audit.csv\""),
        ],
        body,
    )
        .into_response())
}
