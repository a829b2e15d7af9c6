//! The register's SQL: ADRs and their reviews by bound parameters only. The draft and the
//! snapshot are jsonb columns written from and read into the domain's types.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, PgPool, Postgres, Transaction};

use crate::model::{AdrRecord, AdrReview, AdrSummary};
use crate::{AppError, OnConstraint};
use domain::adr::{Adr, AdrDraft, AdrNumber, AdrStatus, ReviewOutcome, ReviewRecord, Scope, Snapshot, SnapshotDiff};

/// Columns of [`AdrRow`] but the snapshot.
const SUMMARY_COLUMNS: &str = "number, status, draft, snapshot_sha256, recorded_on, date, review_by, supersedes, \
                               superseded_by, version, created_at, created_by, updated_at, updated_by";

#[derive(FromRow)]
struct SummaryRow {
    number: i32,
    status: String,
    draft: Json<AdrDraft>,
    snapshot_sha256: String,
    recorded_on: NaiveDate,
    date: Option<NaiveDate>,
    review_by: Option<NaiveDate>,
    supersedes: Option<i32>,
    superseded_by: Option<i32>,
    version: i32,
    created_at: DateTime<Utc>,
    created_by: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

#[derive(FromRow)]
struct AdrRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    snapshot: Json<Snapshot>,
}

fn number_of(n: i32) -> Result<AdrNumber, AppError> {
    u32::try_from(n).ok().filter(|&n| n > 0).map(AdrNumber).ok_or_else(|| {
        tracing::error!(number = n, "unexpected ADR number in the database");
        AppError::Internal
    })
}

fn opt_number(n: Option<i32>) -> Result<Option<AdrNumber>, AppError> {
    n.map(number_of).transpose()
}

/// The column value of an ADR number.
pub(super) fn db_number(n: AdrNumber) -> i32 {
    // Numbers come from the counter (an integer column), so anything larger is not stored.
    i32::try_from(n.0).unwrap_or(i32::MAX)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl SummaryRow {
    fn into_summary(self, today: NaiveDate) -> Result<AdrSummary, AppError> {
        let status: AdrStatus = super::super::db::parse_stored("ADR status", &self.status)?;
        let number = number_of(self.number)?;
        let draft = self.draft.0;
        let review_state = match (status, self.review_by) {
            (AdrStatus::Accepted, Some(by)) => Some(domain::adr::ReviewState::of(by, today)),
            _ => None,
        };
        Ok(AdrSummary {
            number,
            status,
            file_name: domain::adr::file_name(number, &draft.title),
            draft,
            recorded_on: self.recorded_on,
            date: self.date,
            review_by: self.review_by,
            supersedes: opt_number(self.supersedes)?,
            superseded_by: opt_number(self.superseded_by)?,
            snapshot_sha256: self.snapshot_sha256,
            version: self.version,
            review_state,
            updated_at: rfc3339(self.updated_at),
            updated_by: self.updated_by,
        })
    }
}

impl AdrRow {
    fn into_record(self, today: NaiveDate) -> Result<AdrRecord, AppError> {
        let created_at = rfc3339(self.summary.created_at);
        let created_by = self.summary.created_by.clone();
        let s = self.summary.into_summary(today)?;
        let adr = Adr {
            number: s.number,
            status: s.status,
            draft: s.draft,
            recorded_on: s.recorded_on,
            date: s.date,
            review_by: s.review_by,
            supersedes: s.supersedes,
            superseded_by: s.superseded_by,
            snapshot: self.snapshot.0,
            snapshot_sha256: s.snapshot_sha256,
        };
        if !adr.snapshot_intact() {
            // The trigger keeps a decided snapshot from changing; a mismatch means someone wrote
            // around it. Served as stored, and loudly logged.
            tracing::error!(adr = %adr.number, "the stored snapshot does not match its SHA-256");
        }
        Ok(AdrRecord {
            adr,
            version: s.version,
            review_state: s.review_state,
            file_name: s.file_name,
            created_at,
            created_by,
            updated_at: s.updated_at,
            updated_by: s.updated_by,
        })
    }
}

/// Every ADR without its snapshot, by number, optionally of one status.
pub(super) async fn summaries(
    pool: &PgPool,
    status: Option<AdrStatus>,
    today: NaiveDate,
) -> Result<Vec<AdrSummary>, AppError> {
    let rows = sqlx::query_as::<_, SummaryRow>(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM adrs WHERE ($1::text IS NULL OR status = $1) ORDER BY number"
    ))
    .bind(status.map(AdrStatus::as_str))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|r| r.into_summary(today)).collect()
}

/// Every ADR with its snapshot, by number (the export bundle).
pub(super) async fn records(pool: &PgPool, today: NaiveDate) -> Result<Vec<AdrRecord>, AppError> {
    let rows = sqlx::query_as::<_, AdrRow>(&format!("SELECT {SUMMARY_COLUMNS}, snapshot FROM adrs ORDER BY number"))
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(|r| r.into_record(today)).collect()
}

/// One ADR, or `NotFound`.
pub(super) async fn record(pool: &PgPool, number: AdrNumber, today: NaiveDate) -> Result<AdrRecord, AppError> {
    sqlx::query_as::<_, AdrRow>(&format!("SELECT {SUMMARY_COLUMNS}, snapshot FROM adrs WHERE number = $1"))
        .bind(db_number(number))
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found(number))?
        .into_record(today)
}

/// One ADR locked for the rest of `tx`, or `NotFound`.
pub(super) async fn record_for_update(
    tx: &mut Transaction<'_, Postgres>,
    number: AdrNumber,
    today: NaiveDate,
) -> Result<AdrRecord, AppError> {
    sqlx::query_as::<_, AdrRow>(&format!("SELECT {SUMMARY_COLUMNS}, snapshot FROM adrs WHERE number = $1 FOR UPDATE"))
        .bind(db_number(number))
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| not_found(number))?
        .into_record(today)
}

/// The refusal for an ADR that does not exist.
pub(super) fn not_found(number: AdrNumber) -> AppError {
    AppError::NotFound(format!("there is no {number}; see GET /api/v1/adrs for the register"))
}

/// The titles, statuses and file names of some ADRs, by number (links between records).
pub(super) async fn heads(
    pool: &PgPool,
    numbers: &[AdrNumber],
) -> Result<Vec<(AdrNumber, String, AdrStatus)>, AppError> {
    let ids: Vec<i32> = numbers.iter().map(|n| db_number(*n)).collect();
    let rows: Vec<(i32, String, String)> =
        sqlx::query_as("SELECT number, title, status FROM adrs WHERE number = ANY($1) ORDER BY number")
            .bind(&ids)
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(n, t, s)| Ok((number_of(n)?, t, super::super::db::parse_stored("ADR status", &s)?)))
        .collect()
}

/// The proposed ADR that would supersede `number`, if a review opened one.
pub(super) async fn open_successor(pool: &PgPool, number: AdrNumber) -> Result<Option<AdrNumber>, AppError> {
    let n: Option<i32> = sqlx::query_scalar("SELECT number FROM adrs WHERE supersedes = $1 AND status = 'proposed'")
        .bind(db_number(number))
        .fetch_optional(pool)
        .await?;
    opt_number(n)
}

/// Accepted ADRs with their review date and scope (the fleet map's badges).
pub async fn accepted_scopes(pool: &PgPool) -> Result<Vec<(AdrNumber, NaiveDate, Scope)>, AppError> {
    let rows: Vec<(i32, Option<NaiveDate>, Json<Scope>)> = sqlx::query_as(
        "SELECT number, review_by, coalesce(draft -> 'scope', '{}'::jsonb) FROM adrs \
         WHERE status = 'accepted' ORDER BY number",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (n, review_by, scope) in rows {
        if let Some(by) = review_by {
            out.push((number_of(n)?, by, scope.0));
        }
    }
    Ok(out)
}

/// Every accepted ADR's number, title, chosen option and scope, newest first (the GitOps
/// hand-off names the ADR behind each cluster's values).
pub async fn accepted_decisions(pool: &PgPool) -> Result<Vec<(AdrNumber, String, String, Scope)>, AppError> {
    let rows: Vec<(i32, String, String, Json<Scope>)> = sqlx::query_as(
        "SELECT number, coalesce(draft ->> 'title', ''), coalesce(draft ->> 'chosen', ''), \
         coalesce(draft -> 'scope', '{}'::jsonb) FROM adrs WHERE status = 'accepted' ORDER BY number DESC",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|(n, title, chosen, scope)| Ok((number_of(n)?, title, chosen, scope.0))).collect()
}

/// Takes the next ADR number inside `tx`: consecutive, and given back if `tx` rolls back.
pub(super) async fn next_number(tx: &mut Transaction<'_, Postgres>) -> Result<AdrNumber, AppError> {
    let n: i32 = sqlx::query_scalar("UPDATE adr_counter SET last_number = last_number + 1 RETURNING last_number")
        .fetch_one(&mut **tx)
        .await?;
    number_of(n)
}

/// The number of ADRs ever recorded, with the counter locked for the rest of `tx` (so a first
/// start or demo load decides alone what to add).
pub(super) async fn lock_counter(tx: &mut Transaction<'_, Postgres>) -> Result<u32, AppError> {
    let n: i32 = sqlx::query_scalar("SELECT last_number FROM adr_counter FOR UPDATE").fetch_one(&mut **tx).await?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// Inserts a new ADR whose number came from [`next_number`].
pub(super) async fn insert(tx: &mut Transaction<'_, Postgres>, adr: &Adr, by: &str) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO adrs (number, title, status, chosen, draft, snapshot, snapshot_sha256, recorded_on, date, \
         review_by, supersedes, superseded_by, created_by, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(db_number(adr.number))
    .bind(&adr.draft.title)
    .bind(adr.status.as_str())
    .bind(&adr.draft.chosen)
    .bind(Json(&adr.draft))
    .bind(Json(&adr.snapshot))
    .bind(&adr.snapshot_sha256)
    .bind(adr.recorded_on)
    .bind(adr.date)
    .bind(adr.review_by)
    .bind(adr.supersedes.map(db_number))
    .bind(adr.superseded_by.map(db_number))
    .bind(by)
    .execute(&mut **tx)
    .await
    .on_constraint("adrs_one_open_successor_key", || open_successor_conflict(adr.supersedes))?;
    Ok(())
}

/// The refusal of a second open proposal to supersede an ADR.
pub(super) fn open_successor_conflict(of: Option<AdrNumber>) -> AppError {
    let what = of.map_or_else(|| "this ADR".to_string(), |n| n.to_string());
    AppError::Conflict {
        message: format!(
            "a proposed ADR superseding {what} is already open; accept or reject it before starting another"
        ),
        current: None,
    }
}

/// Writes a proposed ADR's new text and snapshot when its version is still `version`; `false`
/// when it changed meanwhile (or is no longer proposed).
pub(super) async fn revise(
    tx: &mut Transaction<'_, Postgres>,
    adr: &Adr,
    version: i32,
    by: &str,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE adrs SET title = $3, chosen = $4, draft = $5, snapshot = $6, snapshot_sha256 = $7, \
         version = version + 1, updated_at = now(), updated_by = $8 \
         WHERE number = $1 AND version = $2 AND status = 'proposed'",
    )
    .bind(db_number(adr.number))
    .bind(version)
    .bind(&adr.draft.title)
    .bind(&adr.draft.chosen)
    .bind(Json(&adr.draft))
    .bind(Json(&adr.snapshot))
    .bind(&adr.snapshot_sha256)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes where an ADR stands (status, date, review date, links) when its version is still
/// `version`; `false` when it changed meanwhile. The trigger refuses anything frozen.
pub(super) async fn write_state(
    tx: &mut Transaction<'_, Postgres>,
    adr: &Adr,
    version: i32,
    by: &str,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE adrs SET status = $3, date = $4, review_by = $5, supersedes = $6, superseded_by = $7, \
         version = version + 1, updated_at = now(), updated_by = $8 WHERE number = $1 AND version = $2",
    )
    .bind(db_number(adr.number))
    .bind(version)
    .bind(adr.status.as_str())
    .bind(adr.date)
    .bind(adr.review_by)
    .bind(adr.supersedes.map(db_number))
    .bind(adr.superseded_by.map(db_number))
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct ReviewRow {
    id: i64,
    adr_number: i32,
    reviewed_on: NaiveDate,
    reviewer: String,
    outcome: String,
    note: String,
    next_review_by: Option<NaiveDate>,
    superseded_by: Option<i32>,
    diff: Json<SnapshotDiff>,
    created_at: DateTime<Utc>,
}

impl ReviewRow {
    fn into_review(self) -> Result<AdrReview, AppError> {
        let outcome = match self.outcome.as_str() {
            "reaffirm" => ReviewOutcome::Reaffirm,
            "supersede" => ReviewOutcome::Supersede,
            other => {
                tracing::error!(outcome = other, "unexpected review outcome in the database");
                return Err(AppError::Internal);
            }
        };
        Ok(AdrReview {
            id: self.id,
            adr: number_of(self.adr_number)?,
            record: ReviewRecord {
                date: self.reviewed_on,
                reviewer: self.reviewer,
                outcome,
                note: self.note,
                next_review_by: self.next_review_by,
                superseded_by: opt_number(self.superseded_by)?,
                diff: self.diff.0,
            },
            created_at: rfc3339(self.created_at),
        })
    }
}

const REVIEW_COLUMNS: &str =
    "id, adr_number, reviewed_on, reviewer, outcome, note, next_review_by, superseded_by, diff, created_at";

/// The reviews of one ADR, oldest first.
pub(super) async fn reviews(pool: &PgPool, number: AdrNumber) -> Result<Vec<AdrReview>, AppError> {
    let rows = sqlx::query_as::<_, ReviewRow>(&format!(
        "SELECT {REVIEW_COLUMNS} FROM adr_reviews WHERE adr_number = $1 ORDER BY id"
    ))
    .bind(db_number(number))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ReviewRow::into_review).collect()
}

/// Every review, oldest first (the export bundle).
pub(super) async fn all_reviews(pool: &PgPool) -> Result<Vec<AdrReview>, AppError> {
    let rows = sqlx::query_as::<_, ReviewRow>(&format!("SELECT {REVIEW_COLUMNS} FROM adr_reviews ORDER BY id"))
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(ReviewRow::into_review).collect()
}

/// Appends a review of `number`; returns its id.
pub(super) async fn insert_review(
    tx: &mut Transaction<'_, Postgres>,
    number: AdrNumber,
    review: &ReviewRecord,
    reviewer_user_id: Option<i64>,
) -> Result<i64, AppError> {
    let outcome = match review.outcome {
        ReviewOutcome::Reaffirm => "reaffirm",
        ReviewOutcome::Supersede => "supersede",
    };
    let id = sqlx::query_scalar(
        "INSERT INTO adr_reviews (adr_number, reviewed_on, reviewer, reviewer_user_id, outcome, note, \
         next_review_by, superseded_by, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(db_number(number))
    .bind(review.date)
    .bind(&review.reviewer)
    .bind(reviewer_user_id)
    .bind(outcome)
    .bind(&review.note)
    .bind(review.next_review_by)
    .bind(review.superseded_by.map(db_number))
    .bind(Json(&review.diff))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// One stored review by id.
pub(super) async fn review_by_id(pool: &PgPool, id: i64) -> Result<AdrReview, AppError> {
    sqlx::query_as::<_, ReviewRow>(&format!("SELECT {REVIEW_COLUMNS} FROM adr_reviews WHERE id = $1"))
        .bind(id)
        .fetch_one(pool)
        .await?
        .into_review()
}

/// True when some ADR has this title (the demo loader adds each of its ADRs once).
pub(super) async fn title_taken(tx: &mut Transaction<'_, Postgres>, title: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM adrs WHERE title = $1)")
        .bind(title)
        .fetch_one(&mut **tx)
        .await?)
}
