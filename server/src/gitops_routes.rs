//! GitOps API: Helm values per tier, the platform-repo bundle and the Argo CD ApplicationSet
//! plugin generator. Each handler is an adapter over one service in `app::ssr::gitops`.

use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

use app::AppError;
use app::model::{PluginOutput, PluginRequest, PluginResponse};
use app::ssr::{AppState, Ctx, gitops};

use crate::routes::{ApiJson, download, tar_gz_download};

/// The path Argo CD's plugin generator posts to (its contract: `<baseUrl>/api/v1/getparams.execute`).
pub const PLUGIN_PATH: &str = "/api/v1/getparams.execute";

/// The GitOps routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/gitops/values/{file}", get(values_file))
        .route("/api/v1/gitops/bundle.tar.gz", get(bundle))
        .route(PLUGIN_PATH, post(plugin))
}

type ApiResult<T> = Result<T, AppError>;

#[utoipa::path(
    get,
    path = "/api/v1/gitops/values/{file}",
    tag = "gitops",
    summary = "One tier's Helm values (YAML)",
    params(("file" = String, Path, description = "values-cloud.yaml, values-regional.yaml, values-plant.yaml, values-cell-cilium.yaml, values-cell-calico.yaml, …")),
    responses((status = 200, description = "Helm values", content_type = "application/yaml", body = String))
)]
async fn values_file(ctx: Ctx, Path(file): Path<String>) -> ApiResult<Response> {
    let text = gitops::values_file(&ctx, &file).await?;
    // The name is one of the generated files' (the service found it), so it is safe in the header.
    Ok(download(text, "application/yaml; charset=utf-8", &file))
}

#[utoipa::path(
    get,
    path = "/api/v1/gitops/bundle.tar.gz",
    tag = "gitops",
    summary = "The platform-repo layout: values, overrides, cluster labels",
    responses((status = 200, description = "tar.gz", content_type = "application/gzip", body = Vec<u8>))
)]
async fn bundle(ctx: Ctx) -> ApiResult<Response> {
    Ok(tar_gz_download(gitops::bundle(&ctx).await?, "switchyard-gitops.tar.gz"))
}

#[utoipa::path(
    post,
    path = "/api/v1/getparams.execute",
    tag = "gitops",
    summary = "Argo CD ApplicationSet plugin generator",
    request_body = app::model::PluginRequest,
    responses((status = 200, description = "One parameter set per cluster", body = app::model::PluginResponse))
)]
async fn plugin(ctx: Ctx, ApiJson(body): ApiJson<serde_json::Value>) -> ApiResult<Json<PluginResponse>> {
    // Argo CD sends an object; serde would also read an array as the (all-default) struct.
    if !body.is_object() {
        return Err(AppError::BadRequest(
            "send a JSON object: {\"applicationSetName\": \"…\", \"input\": {\"parameters\": {…}}}".into(),
        ));
    }
    // Likewise for `input`: an array would read as an empty (unfiltered) input.
    if body.get("input").is_some_and(|i| !i.is_object() && !i.is_null()) {
        return Err(AppError::field(
            "input",
            "input is an object: {\"parameters\": {\"tier\": …, \"site\": …, \"cni\": …}}",
        ));
    }
    let req: PluginRequest = serde_json::from_value(body)
        .map_err(|e| AppError::field("input", format!("the request has the wrong shape: {e}")))?;
    let parameters = gitops::plugin_params(&ctx, &req).await?;
    Ok(Json(PluginResponse { output: PluginOutput { parameters } }))
}
