//! Server functions called by the pages: one- or two-line adapters over the services in `ssr`,
//! which own validation, roles, versions and the audit log. Wire types live in [`crate::model`].

pub mod accounts;
pub mod adr_forms;
pub mod adrs;
pub mod fleet;
pub mod profiles;
pub mod stakeholders;
pub mod versions;

pub use accounts::*;
pub use adr_forms::*;
pub use adrs::*;
pub use fleet::*;
pub use profiles::*;
pub use stakeholders::*;
pub use versions::*;

use crate::AppError;
use crate::model::{AuditFilter, AuditPage};
use leptos::prelude::*;

/// One page of audit entries matching the filter, newest first.
#[server]
pub async fn list_audit(filter: AuditFilter) -> Result<AuditPage, AppError> {
    use crate::ssr::{audit, ctx, respond};
    respond(async { audit::list(&ctx()?, &filter).await }).await
}
