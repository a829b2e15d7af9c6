//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! attributes and the wire types' `ToSchema` derives, served at `/api/v1/openapi.json`, and the
//! API reference page at `/api/docs`, rendered here from the same document (nothing fetched
//! from elsewhere).
//!
//! Every operation also lists the error answers any route may give, all in the one error shape,
//! and both ways to authenticate: an API token (`Authorization: Bearer sy_…`) or the session
//! cookie set by `POST /api/v1/session`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use app::ssr::AppState;

/// The document's path.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// The reference page's path.
pub const DOCS_PATH: &str = "/api/docs";

/// `/healthz`'s answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// `ok` or `unavailable`.
    status: String,
    /// Why, when unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// A sign-in.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"email": "architect@example.com", "password": "correct horse battery staple"}))]
pub struct Credentials {
    /// Email (any case).
    email: String,
    /// Password.
    password: String,
}

/// A new token: the token's fields plus its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    token: app::model::Token,
    /// The secret (`sy_…`): send it as `Authorization: Bearer …`. Not shown again.
    #[serde(rename = "token")]
    secret: String,
}

/// Every error: what was wrong and how to fix it, with the fields at fault.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": "validation", "message": "the weights must add up to 100 %",
    "fields": {"weights.bgp_underlay": "must be between 0 and 100"}}}))]
pub struct ErrorBody {
    /// The error.
    error: ErrorDetail,
}

/// The error inside [`ErrorBody`].
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable kind: `validation`, `not_found`, `conflict`, `unauthorized`, …
    code: String,
    /// What was wrong and how to fix it.
    message: String,
    /// Field (`weights.bgp_underlay`, `[3].cluster`) → its problem.
    fields: BTreeMap<String, String>,
    /// On a 409: the entity as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<serde_json::Value>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchyard API",
        description = "Decide, per Kubernetes cluster, which CNI to run, and keep the decision honest: \
                       weights and evaluation, the fleet and its recommendations, CNI versions, ADRs, \
                       and the GitOps hand-off. Errors share one shape (`ErrorBody`).",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        crate::routes::healthz,
        crate::routes::criteria,
        crate::routes::candidates,
        crate::routes::evaluate_weights,
        crate::routes::robustness,
        crate::routes::list_profiles,
        crate::routes::create_profile,
        crate::routes::get_profile,
        crate::routes::update_profile,
        crate::routes::delete_profile,
        crate::stakeholder_routes::board,
        crate::stakeholder_routes::create,
        crate::stakeholder_routes::update,
        crate::stakeholder_routes::delete,
        crate::stakeholder_routes::set_aggregate,
        crate::routes::create_session,
        crate::routes::delete_session,
        crate::routes::me,
        crate::routes::list_users,
        crate::routes::create_user,
        crate::routes::patch_user,
        crate::routes::list_tokens,
        crate::routes::create_token,
        crate::routes::revoke_token,
        crate::routes::list_audit,
        crate::routes::audit_csv,
        crate::fleet_routes::list_sites,
        crate::fleet_routes::create_site,
        crate::fleet_routes::list_clusters,
        crate::fleet_routes::create_cluster,
        crate::fleet_routes::import,
        crate::fleet_routes::export,
        crate::fleet_routes::get_cluster,
        crate::fleet_routes::update_cluster,
        crate::fleet_routes::delete_cluster,
        crate::fleet_routes::recommendation,
        crate::fleet_routes::fleet_map,
        crate::fleet_routes::fleet_clusters,
        crate::version_routes::releases,
        crate::version_routes::import_catalog,
        crate::version_routes::versions_table,
        crate::version_routes::pin,
        crate::version_routes::report_observations,
        crate::version_routes::lifecycle,
        crate::version_routes::cluster_plan,
        crate::version_routes::fleet_plan,
        crate::adr_routes::list,
        crate::adr_routes::create,
        crate::adr_routes::bundle,
        crate::adr_routes::get_one,
        crate::adr_routes::update,
        crate::adr_routes::set_status,
        crate::adr_routes::preview,
        crate::adr_routes::review,
        crate::adr_routes::reviews_due,
        crate::adr_routes::calendar,
        crate::gitops_routes::values_file,
        crate::gitops_routes::bundle,
        crate::gitops_routes::plugin,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&CommonAnswers),
    security(("token" = []), ("session" = [])),
    tags(
        (name = "model", description = "Criteria, candidates and what-if evaluation"),
        (name = "profiles", description = "Saved weight profiles"),
        (name = "fleet", description = "Sites, clusters, recommendations and the fleet map"),
        (name = "versions", description = "The release catalog, pins, observations and upgrade plans"),
        (name = "adrs", description = "Architecture decision records and their reviews"),
        (name = "gitops", description = "Helm values, the platform-repo bundle and the Argo CD plugin generator"),
        (name = "accounts", description = "Sign-in, users and API tokens"),
        (name = "audit", description = "The audit log"),
        (name = "health", description = "Liveness"),
    )
)]
struct ApiDoc;

/// The error answers every operation may give, and the two security schemes.
struct CommonAnswers;

const ERRORS: [(&str, &str); 9] = [
    ("400", "The request could not be read (malformed JSON, query or path)"),
    ("401", "Not signed in, or the token is unknown, revoked or expired"),
    ("403", "Your role or token scope does not allow this, or a cross-site change"),
    ("404", "No such entity"),
    ("409", "Changed by someone else since you read it, or taken"),
    ("413", "The body is over this route's size limit"),
    ("422", "Invalid input: the fields say what and how to fix it"),
    ("429", "Too many failed sign-ins; retry after the Retry-After seconds"),
    ("503", "Busy or the database is unreachable; retry after the Retry-After seconds"),
];

impl Modify for CommonAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sy_…")
                    .description(Some("An API token (`POST /api/v1/tokens`), read or write scope"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                app::ssr::auth::SESSION_COOKIE,
                "The HttpOnly session cookie from `POST /api/v1/session` (`__Host-switchyard_session` \
                 when served over HTTPS); changes also need Switchyard's own Origin",
            ))),
        );
        let error = || ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody")))).build();
        for item in doc.paths.paths.values_mut() {
            let ops: [&mut Option<Operation>; 5] =
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for op in ops.into_iter().flatten() {
                for (code, why) in ERRORS {
                    op.responses.responses.entry(code.to_string()).or_insert_with(|| {
                        RefOr::T(ResponseBuilder::new().description(why).content("application/json", error()).build())
                    });
                }
            }
        }
    }
}

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// `/api/v1/openapi.json` and `/api/docs`; both public, like the routes they describe.
pub fn routes() -> Router<AppState> {
    Router::new().route(OPENAPI_PATH, get(openapi_json)).route(DOCS_PATH, get(docs_page))
}

async fn openapi_json() -> Response {
    Json(document()).into_response()
}

async fn docs_page(State(state): State<AppState>) -> Response {
    let css = app::ssr::site_assets::SiteAssets::load(&state.leptos_options.site_root).css;
    let html = crate::api_docs::render(document(), &format!("/pkg/{css}"));
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], Html(html)).into_response()
}
