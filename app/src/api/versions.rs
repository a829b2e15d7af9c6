//! Server functions of the versions page.

use leptos::prelude::*;

use crate::AppError;
use crate::model::{VersionQuery, VersionsPage};

/// The versions table for these filters, the catalog and the fleet plan for `plan_cni` to `target`.
#[server]
pub async fn load_versions(
    query: VersionQuery,
    plan_cni: Option<String>,
    target: Option<String>,
) -> Result<VersionsPage, AppError> {
    use crate::ssr::{ctx, respond, versions};
    respond(async { versions::versions_page(&ctx()?, &query, plan_cni.as_deref(), target.as_deref()).await }).await
}
