//! ADRs, their reviews and the review calendar as they cross the wire. The record itself, its
//! draft, snapshot and diff are the domain crate's types (`domain::adr`); these wrap them with
//! the row's version and who changed it, and shape what each page and route returns.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::Me;
use domain::adr::{
    Adr, AdrDraft, AdrNumber, AdrStatus, ReviewOutcome, ReviewRecord, ReviewState, Snapshot, SnapshotDiff,
};
use domain::{NaiveDate, Tier};

/// An ADR as `GET /api/v1/adrs/{number}` shows it: the whole record (snapshot included) with the
/// row's version and history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrRecord {
    /// Number, status, draft fields, dates, links, snapshot and its hash.
    #[serde(flatten)]
    pub adr: Adr,
    /// Row version for optimistic concurrency (send it back with a change).
    pub version: i32,
    /// Overdue, due soon or later, for an accepted ADR (seen on the server's today).
    pub review_state: Option<ReviewState>,
    /// The export file name, `0001-title-with-dashes.md`.
    pub file_name: String,
    /// When it was recorded, RFC 3339.
    pub created_at: String,
    /// Who recorded it.
    pub created_by: String,
    /// Last change, RFC 3339.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

/// One ADR in the register's list: everything but the snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrSummary {
    /// `ADR-0001`, on the wire the plain integer.
    pub number: AdrNumber,
    /// Where it stands.
    pub status: AdrStatus,
    /// Title, scope, chosen option, people and decision text.
    #[serde(flatten)]
    pub draft: AdrDraft,
    /// The day it was recorded.
    pub recorded_on: NaiveDate,
    /// The day it was accepted or rejected.
    pub date: Option<NaiveDate>,
    /// Next review, while accepted.
    pub review_by: Option<NaiveDate>,
    /// The ADR this one replaces.
    pub supersedes: Option<AdrNumber>,
    /// The ADR that replaced this one.
    pub superseded_by: Option<AdrNumber>,
    /// SHA-256 of the frozen snapshot's canonical JSON.
    pub snapshot_sha256: String,
    /// Row version.
    pub version: i32,
    /// Overdue, due soon or later, for an accepted ADR.
    pub review_state: Option<ReviewState>,
    /// The export file name.
    pub file_name: String,
    /// Last change, RFC 3339.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

impl AdrSummary {
    /// The summary of a full record.
    pub fn of(r: &AdrRecord) -> Self {
        let a = &r.adr;
        AdrSummary {
            number: a.number,
            status: a.status,
            draft: a.draft.clone(),
            recorded_on: a.recorded_on,
            date: a.date,
            review_by: a.review_by,
            supersedes: a.supersedes,
            superseded_by: a.superseded_by,
            snapshot_sha256: a.snapshot_sha256.clone(),
            version: r.version,
            review_state: r.review_state,
            file_name: r.file_name.clone(),
            updated_at: r.updated_at.clone(),
            updated_by: r.updated_by.clone(),
        }
    }
}

/// Filters of the register (`GET /api/v1/adrs?status=accepted&review=overdue`); each optional,
/// empty values ignored, unknown ones a field error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AdrFilter {
    /// `proposed`, `accepted`, `rejected`, `deprecated` or `superseded`.
    #[serde(default)]
    pub status: Option<String>,
    /// `overdue`, `due_soon` or `later` (accepted ADRs only).
    #[serde(default)]
    pub review: Option<String>,
}

/// ADRs per page of the register.
pub const ADR_REGISTER_PAGE: usize = 100;

/// Review states with their labels, for the register's filter.
pub const REVIEW_STATES: [(&str, &str); 3] =
    [("overdue", "overdue"), ("due_soon", "due within 30 days"), ("later", "due later")];

/// What the register page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrRegister {
    /// A page of the ADRs matching the filter, by number.
    pub adrs: Vec<AdrSummary>,
    /// ADRs matching the filter, on every page.
    pub total: usize,
    /// ADRs before this page.
    pub offset: usize,
    /// The server's today, the reference for the review states.
    pub today: NaiveDate,
    /// Who is looking (decides which actions show; the server checks again).
    pub me: Me,
}

/// What `POST /api/v1/adrs` (and `PUT` of a proposed ADR) takes: the draft (`title` and
/// `chosen` required, the rest optional) and where the weights come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrInput {
    /// Title, scope, chosen option, people and decision text.
    #[serde(flatten)]
    pub draft: AdrDraft,
    /// Take the weights of this saved profile.
    #[serde(default)]
    pub profile_id: Option<i64>,
    /// Or these weights, criterion key → percent summing to 100.
    #[serde(default)]
    pub weights: Option<BTreeMap<String, f64>>,
    /// Apply this tier's score overrides to the totals.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Record the stakeholders' weights of this profile in the snapshot (by default those of the
    /// profile the weights come from; none with `weights`).
    #[serde(default)]
    pub stakeholders_of: Option<i64>,
}

impl AdrInput {
    /// A draft with the default profile's weights and no tier.
    pub fn new(draft: AdrDraft) -> Self {
        AdrInput { draft, profile_id: None, weights: None, tier: None, stakeholders_of: None }
    }
}

/// `POST /api/v1/adrs/{number}/status`: the new status (`superseded_by` only with
/// `superseded`), plus the `version` read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// `accepted`, `rejected`, `deprecated` or `superseded`.
    pub status: AdrStatus,
    /// The accepted ADR that replaces this one, for `superseded`.
    #[serde(default)]
    pub superseded_by: Option<AdrNumber>,
}

/// `POST /api/v1/adrs/{number}/reviews`: the outcome and why, plus the `version` read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    /// `reaffirm` or `supersede`.
    pub outcome: ReviewOutcome,
    /// Why; required to reaffirm.
    #[serde(default)]
    pub note: String,
}

/// A stored review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrReview {
    /// Sequence number.
    pub id: i64,
    /// The ADR reviewed.
    pub adr: AdrNumber,
    /// Date, reviewer, outcome, note, next review or successor, and the diff.
    #[serde(flatten)]
    pub record: ReviewRecord,
    /// When it was stored, RFC 3339.
    pub created_at: String,
}

/// What a review did: the reviewed ADR as it is now, and the review stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewResult {
    /// The reviewed ADR (a reaffirmed one with its new `review_by`).
    pub adr: AdrRecord,
    /// The stored review.
    pub review: AdrReview,
    /// The new proposed ADR, for `supersede`.
    pub successor: Option<AdrRecord>,
}

/// Another ADR this one links to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrLinkRef {
    /// Its number.
    pub number: AdrNumber,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub status: AdrStatus,
    /// Its export file name.
    pub file_name: String,
}

/// Everything the ADR page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdrPage {
    /// The record, snapshot included.
    pub adr: AdrRecord,
    /// Its reviews, oldest first.
    pub reviews: Vec<AdrReview>,
    /// The MADR 4 export, exactly as `GET /api/v1/adrs/{number}.md` serves it.
    pub markdown: String,
    /// The ADR it supersedes, if any.
    pub supersedes: Option<AdrLinkRef>,
    /// The ADR that superseded it, if any.
    pub superseded_by: Option<AdrLinkRef>,
    /// A proposed ADR that would supersede it (from a review), if any.
    pub proposed_successor: Option<AdrLinkRef>,
    /// Who is looking.
    pub me: Me,
}

/// `GET /api/v1/adrs/{number}/review`: the decision re-run on today's model next to the frozen
/// snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewPreview {
    /// The ADR, its frozen snapshot included (`adr.snapshot` is "then") but for the lists of
    /// every cluster and exception in scope (`fleet.clusters` and `fleet.exceptions` are empty
    /// here; the counts are kept, and the diff lists what changed).
    pub adr: AdrRecord,
    /// The server's today.
    pub today: NaiveDate,
    /// Today's snapshot: the same weights (its profile's as saved now, when it came from one),
    /// tier and scope on today's model and fleet; without the cluster list, as `adr`.
    pub now: Snapshot,
    /// What changed from `adr.snapshot` to `now`.
    pub diff: SnapshotDiff,
    /// The diff in words, one sentence per change, then the version findings in scope.
    pub summary: Vec<String>,
    /// Clusters in scope whose CNI version needs attention (end of life or soon, drift, kernel).
    #[serde(default)]
    pub versions: Vec<super::VersionRow>,
}

/// Everything the review page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewPage {
    /// Then vs now.
    pub preview: ReviewPreview,
    /// Earlier reviews, oldest first.
    pub reviews: Vec<AdrReview>,
    /// A proposed successor from an earlier "supersede" review, if one is still open.
    pub proposed_successor: Option<AdrLinkRef>,
    /// Who is looking.
    pub me: Me,
}

/// `GET /api/v1/reviews`: accepted ADRs by review state, each list by review date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewsDue {
    /// The server's today.
    pub today: NaiveDate,
    /// Past their review date.
    pub overdue: Vec<AdrSummary>,
    /// Due today or within 30 days.
    pub due_soon: Vec<AdrSummary>,
    /// Due later.
    pub later: Vec<AdrSummary>,
}

/// How many accepted ADRs are in each review state (the fleet map's summary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewCounts {
    /// Past their review date.
    pub overdue: usize,
    /// Due within 30 days.
    pub due_soon: usize,
    /// Due later.
    pub later: usize,
}
