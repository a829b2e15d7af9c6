//! Server functions of the ADR register, the ADR page and the reviews.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;
use crate::model::{
    AdrFilter, AdrInput, AdrPage, AdrRecord, AdrRegister, ReviewPage, ReviewResult, ReviewsDue, Versioned,
};
use domain::adr::{AdrNumber, AdrStatus, ReviewOutcome};

/// The register: the ADRs matching the filter, by number.
#[server]
pub async fn load_adrs(filter: AdrFilter, offset: usize) -> Result<AdrRegister, AppError> {
    use crate::ssr::{adrs, ctx, respond};
    respond(async { adrs::register(&ctx()?, &filter, offset).await }).await
}

/// One ADR with its reviews, its Markdown export and the ADRs it links to.
#[server]
pub async fn load_adr(number: u32) -> Result<AdrPage, AppError> {
    use crate::ssr::{adrs, ctx, respond};
    respond(async { adrs::page(&ctx()?, AdrNumber(number)).await }).await
}

/// Accepted ADRs by review state.
#[server]
pub async fn load_reviews() -> Result<ReviewsDue, AppError> {
    use crate::ssr::{adrs, ctx, respond};
    respond(async { adrs::reviews_due(&ctx()?).await }).await
}

/// One ADR's review: its snapshot next to today's, what changed, and its earlier reviews.
#[server]
pub async fn load_review(number: u32) -> Result<ReviewPage, AppError> {
    use crate::ssr::{adrs, ctx, respond};
    respond(async { adrs::review_page(&ctx()?, AdrNumber(number)).await }).await
}

/// Records a new proposed ADR (architects); returns its number.
#[server(input = Json)]
pub async fn record_adr(input: AdrInput) -> Result<AdrNumber, AppError> {
    use crate::ssr::{adrs, ctx, respond};
    respond(async { adrs::create(&ctx()?, input).await.map(|r| r.adr.number) }).await
}

/// Rewrites a proposed ADR (architects); a stale version is a conflict, a decided ADR frozen.
#[server(input = Json)]
pub async fn save_adr(number: u32, body: Versioned<AdrInput>) -> Result<AdrRecord, AppError> {
    use crate::ssr::{adrs, ctx, respond};
    respond(async { adrs::update(&ctx()?, AdrNumber(number), body).await }).await
}

/// Accepts, rejects, deprecates (admins) or supersedes an ADR (`superseded_by` an accepted ADR).
#[server(input = Json)]
pub async fn set_adr_status(
    number: u32,
    status: AdrStatus,
    version: i32,
    superseded_by: Option<u32>,
) -> Result<AdrRecord, AppError> {
    use crate::model::StatusChange;
    use crate::ssr::{adrs, ctx, respond};
    let body = Versioned::new(StatusChange { status, superseded_by: superseded_by.map(AdrNumber) }, version);
    respond(async { adrs::set_status(&ctx()?, AdrNumber(number), body).await }).await
}

/// Reviews an accepted ADR (architects): reaffirm it (a note is required) or supersede it with
/// a new proposed ADR pre-filled from today's model.
#[server(input = Json)]
pub async fn review_adr(
    number: u32,
    outcome: ReviewOutcome,
    note: String,
    version: i32,
) -> Result<ReviewResult, AppError> {
    use crate::model::ReviewInput;
    use crate::ssr::{adrs, ctx, respond};
    let body = Versioned::new(ReviewInput { outcome, note }, version);
    respond(async { adrs::review(&ctx()?, AdrNumber(number), body).await }).await
}
