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

/// Pins a release on every cluster of a selection that decided `cni` (architects), from the
/// versions page's plain form: back to the page with the count, or with the reason.
#[server]
pub async fn pin_versions(
    cni: String,
    version: String,
    tier: Option<String>,
    site: Option<String>,
) -> Result<(), AppError> {
    use crate::model::PinInput;
    use crate::ssr::{ctx, versions};
    let present = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let input = PinInput { cni, version, tier: present(tier), site: present(site), clusters: Vec::new() };
    let outcome = async {
        let done = versions::pin(&ctx()?, input).await?;
        let q = form_urlencoded::Serializer::new(String::new())
            .append_pair("pinned", &done.pinned.to_string())
            .append_pair("selected", &done.selected.to_string())
            .append_pair("pin_version", &done.version)
            .finish();
        Ok(format!("/versions?{q}"))
    }
    .await;
    super::adr_forms::finish("/versions", outcome)
}
