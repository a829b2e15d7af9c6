//! Users, roles and API tokens as they cross the wire.

use serde::{Deserialize, Serialize};

use domain::ValidationError;

/// What a user may do. Ordered: each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything (managers).
    Viewer,
    /// Edits profiles, scores, clusters and decisions.
    Architect,
    /// Also manages users, tokens and reference data.
    Admin,
}

impl Role {
    /// All roles, least privileged first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Architect, Role::Admin];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Architect => "architect",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            ValidationError::field("role", format!("unknown role '{s}'; use viewer, architect or admin"))
        })
    }
}

/// The signed-in user, as `GET /api/v1/me` and the header show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    /// Email (lower case).
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
}

/// A user as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Email (lower case).
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// A disabled user cannot sign in and has no sessions.
    pub disabled: bool,
    /// Created, RFC 3339.
    pub created_at: String,
}

/// `POST /api/v1/users`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewUser {
    /// Email address.
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// Initial password.
    pub password: String,
}

/// `PATCH /api/v1/users/{id}`: every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// New display name.
    pub display_name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// New password (revokes the user's sessions).
    pub password: Option<String>,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = TokenScope))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// GET only.
    Read,
    /// Also changes, within the owner's role.
    Write,
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Token {
    /// Database id.
    pub id: i64,
    /// Label ("argo-cd plant 7").
    pub name: String,
    /// Read or write.
    pub scope: Scope,
    /// Owner's email.
    pub owner: String,
    /// Created, RFC 3339.
    pub created_at: String,
    /// Last use, RFC 3339.
    pub last_used_at: Option<String>,
    /// Revoked, RFC 3339.
    pub revoked_at: Option<String>,
    /// Stops working at, RFC 3339; `None` never expires.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `POST /api/v1/tokens`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewToken {
    /// Label, e.g. "argo-cd plant 7".
    pub name: String,
    /// Read or write.
    pub scope: Scope,
    /// Owner; admins may create tokens for others, defaults to the caller.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// Days until the token stops working (1–3650); none means it lasts until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}
