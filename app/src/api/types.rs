//! Types that cross the wire, shared by the REST API, server functions and the browser.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::{BreakEven, Context, Evaluation, Model, Tier, ValidationError, Weights, points};

/// A saved, named weight set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Database id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Why these weights.
    pub description: String,
    /// Tier it is meant for.
    pub tier: Option<Tier>,
    /// Greenfield or brownfield.
    pub context: Option<Context>,
    /// Criterion key → percent.
    pub weights: BTreeMap<String, f64>,
    /// Row version for optimistic concurrency.
    pub version: i32,
    /// Last change, RFC 3339.
    pub updated_at: String,
    /// Who saved it last.
    pub updated_by: String,
}

/// What a client sends to create or update a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileInput {
    /// Unique name, 1–80 characters.
    pub name: String,
    /// Optional description, up to 4000 characters.
    #[serde(default)]
    pub description: String,
    /// Tier it is meant for.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Greenfield or brownfield.
    #[serde(default)]
    pub context: Option<Context>,
    /// Criterion key → percent, summing to 100.
    pub weights: BTreeMap<String, f64>,
}

/// A validated profile input.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidProfile {
    /// Trimmed name.
    pub name: String,
    /// Trimmed description.
    pub description: String,
    /// Tier.
    pub tier: Option<Tier>,
    /// Context.
    pub context: Option<Context>,
    /// Weights aligned with the model's criteria.
    pub weights: Weights,
}

impl ProfileInput {
    /// Checks every field against the model; all problems are reported at once.
    pub fn validate(&self, model: &Model) -> Result<ValidProfile, ValidationError> {
        let mut err = ValidationError::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            err.add("name", "give the profile a name");
        } else if name.chars().count() > 80 {
            err.add("name", "keep the name to 80 characters or fewer");
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > 4000 {
            err.add("description", "keep the description to 4000 characters or fewer");
        }
        if self.context.is_some() && self.tier.is_none() {
            err.add("context", "a greenfield/brownfield context needs a tier; set tier or drop context");
        }
        let weights = match Weights::from_percent_map(model, &self.weights) {
            Ok(w) => w,
            Err(e) => {
                for (k, v) in e.fields {
                    err.add(k, v);
                }
                Weights::default()
            }
        };
        err.into_result(ValidProfile { name, description, tier: self.tier, context: self.context, weights })
    }
}

/// Everything the what-if studio needs on first render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudioData {
    /// Criteria, candidates, scores.
    pub model: Model,
    /// Saved profiles, default first.
    pub profiles: Vec<Profile>,
    /// Who is looking (decides whether save controls show; the server checks again).
    pub me: Me,
}

/// `POST /api/v1/evaluate` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Criterion key → percent.
    pub weights: BTreeMap<String, f64>,
    /// Apply this tier's score overrides.
    #[serde(default)]
    pub tier: Option<Tier>,
}

/// One candidate in an evaluation response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultJson {
    /// Candidate key.
    pub candidate: String,
    /// Weighted total, 0–5.
    pub total: f64,
    /// 1 is best; ties share.
    pub rank: u32,
    /// Criterion key → weighted contribution.
    pub contributions: BTreeMap<String, f64>,
}

/// A flip point in an evaluation response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlipJson {
    /// Weight in percent (two decimals) at which the challenger ties.
    pub weight: f64,
    /// Who leads past it.
    pub challenger: String,
}

/// The break-even of one criterion in an evaluation response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BreakEvenJson {
    /// Current weight in percent.
    pub current: f64,
    /// Nearest flip below the current weight.
    pub below: Option<FlipJson>,
    /// Nearest flip above.
    pub above: Option<FlipJson>,
    /// True when no weight from 0 to 100 % changes the winner.
    pub never_flips: bool,
}

/// `POST /api/v1/evaluate` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluateResponse {
    /// Tier whose overrides were applied.
    pub tier: Option<Tier>,
    /// Candidates by rank.
    pub results: Vec<ResultJson>,
    /// Strict leader, `null` on a tie.
    pub winner: Option<String>,
    /// Leader minus runner-up.
    pub margin: f64,
    /// Margin ≥ 10 % of the winner's total.
    pub clear_winner: bool,
    /// Criterion key → break-even; empty when there is no strict leader.
    pub break_even: BTreeMap<String, BreakEvenJson>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl EvaluateResponse {
    /// Builds the response from engine output.
    pub fn new(model: &Model, tier: Option<Tier>, e: &Evaluation, be: Option<&[BreakEven]>) -> Self {
        let results = e
            .results
            .iter()
            .map(|r| ResultJson {
                candidate: r.candidate.clone(),
                total: points(r.total),
                rank: r.rank,
                contributions: model
                    .criteria
                    .iter()
                    .zip(&r.contributions)
                    .map(|(c, &v)| (c.key.clone(), points(v)))
                    .collect(),
            })
            .collect();
        let flip = |f: &domain::Flip| FlipJson { weight: round2(f.weight.percent()), challenger: f.challenger.clone() };
        let break_even = be
            .unwrap_or_default()
            .iter()
            .zip(&model.criteria)
            .map(|(b, c)| {
                (
                    c.key.clone(),
                    BreakEvenJson {
                        current: f64::from(b.current) / 10.0,
                        below: b.below.as_ref().map(flip),
                        above: b.above.as_ref().map(flip),
                        never_flips: b.never_flips(),
                    },
                )
            })
            .collect();
        EvaluateResponse {
            tier,
            results,
            winner: e.winner.clone(),
            margin: points(e.margin),
            clear_winner: e.clear_winner,
            break_even,
        }
    }
}

/// What a user may do. Ordered: each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
pub struct Me {
    /// Email (lower case).
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
}

/// A user as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Email (lower case).
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// A disabled user cannot sign in and has no sessions.
    pub disabled: bool,
    /// Created, RFC 3339.
    pub created_at: String,
}

/// `POST /api/v1/users`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUser {
    /// Email address.
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Initial password.
    pub password: String,
}

/// `PATCH /api/v1/users/{id}`: every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// GET only.
    Read,
    /// Also changes, within the owner's role.
    Write,
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// `POST /api/v1/tokens`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewToken {
    /// Label.
    pub name: String,
    /// Read or write.
    pub scope: Scope,
    /// Owner; admins may create tokens for others, defaults to the caller.
    #[serde(default)]
    pub user_id: Option<i64>,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When, RFC 3339.
    pub at: String,
    /// Who.
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
}

/// Checks a password against the minimum rules; the message says what is missing.
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(ValidationError::field("password", format!("use at least 12 characters (this one has {n})")));
    }
    if n > 256 {
        return Err(ValidationError::field("password", "use at most 256 characters"));
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err(ValidationError::field("password", "a single repeated character is not a password"));
    }
    Ok(())
}

/// Normalises and checks an email address.
pub fn normalise_email(email: &str) -> Result<String, ValidationError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !e.contains(char::is_whitespace);
    if ok { Ok(e) } else { Err(ValidationError::field("email", "give an email address like ada@example.com")) }
}

/// A site as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Database id.
    pub id: i64,
    /// The site's fields.
    #[serde(flatten)]
    pub record: domain::fleet::SiteRecord,
    /// Row version.
    pub version: i32,
}

/// A cluster as the API shows it: the import/export fields plus id and version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Database id.
    pub id: i64,
    /// The cluster's fields.
    #[serde(flatten)]
    pub record: domain::fleet::ClusterRecord,
    /// Row version for optimistic concurrency.
    pub version: i32,
}

/// Filters of the cluster list (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterFilter {
    /// Tier.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Decided CNI.
    #[serde(default)]
    pub cni: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site: Option<String>,
}

/// What an import did or would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Sites in the file.
    pub sites: usize,
    /// Clusters in the file.
    pub clusters: usize,
    /// Every bad row; when not empty nothing was written.
    pub errors: Vec<domain::fleet::RowError>,
}

/// One cluster on the fleet map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetCluster {
    /// Database id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Tier.
    pub tier: Tier,
    /// Greenfield or brownfield.
    pub context: Option<Context>,
    /// Winner of its profile among the candidates its gates allow.
    pub recommended: Option<String>,
    /// What was decided, if anything.
    pub decided: Option<String>,
    /// Gate codes with severity, e.g. `knock_out:kernel_below_release_minimum:cilium`.
    pub knock_outs: usize,
    /// Warning count.
    pub warnings: usize,
    /// Leader minus runner-up.
    pub margin: f64,
    /// Margin ≥ 10 % of the winner.
    pub clear_winner: bool,
    /// Decided differs from recommended.
    pub exception: bool,
}

/// One site on the fleet map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetSite {
    /// Name.
    pub name: String,
    /// Plant or region.
    pub kind: domain::fleet::SiteKind,
    /// Region the site belongs to (its own name for a region).
    pub region: Option<String>,
    /// Its clusters.
    pub clusters: Vec<FleetCluster>,
}

/// `GET /api/v1/fleet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    /// Sites with their clusters.
    pub sites: Vec<FleetSite>,
    /// Tier → CNI (decided, else recommended, else "undecided") → count.
    pub summary: BTreeMap<String, BTreeMap<String, usize>>,
}
