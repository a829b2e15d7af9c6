//! The audit log as it crosses the wire, and the kinds of thing it records.

use serde::{Deserialize, Serialize};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When, RFC 3339.
    pub at: String,
    /// The user (and token) that made the change, or `switchyard` for the system.
    pub actor: String,
    /// What kind of thing (`profile`, `user`, `token`).
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// `create`, `update`, `delete`, …
    pub action: String,
    /// State before, when there was one.
    pub before: Option<serde_json::Value>,
    /// State after, when there is one.
    pub after: Option<serde_json::Value>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditFilter {
    /// Entity kind.
    #[serde(default)]
    pub entity: Option<String>,
    /// Substring of the actor.
    #[serde(default)]
    pub actor: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`: entries at or after.
    #[serde(default)]
    pub since: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`: entries before.
    #[serde(default)]
    pub until: Option<String>,
    /// Entries older than this id (the `next` cursor of the page before).
    #[serde(default)]
    pub cursor: Option<i64>,
    /// Entries per page (1–1000, default 200).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditPage {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// The cursor of the next (older) page, when there is one.
    pub next_cursor: Option<i64>,
}

/// Every kind of thing the audit log records, for filters and documentation. A service that
/// audits a new kind adds it here (a test checks that each one shows up in the filter).
pub const AUDIT_ENTITIES: [&str; 11] = [
    "profile",
    "stakeholder",
    "user",
    "token",
    "site",
    "cluster",
    "fleet",
    "reference",
    "adr",
    "catalog",
    "observation",
];
