//! The ADR register's services: list and read ADRs, record and edit proposed ones, move them
//! through the status machine, review accepted ones against today's model, and export them as
//! Markdown, a tar.gz bundle and a review calendar. Each write checks the role, validates, checks
//! the row version, lets the database decide races and audits in the same transaction (entity
//! `adr`, id the plain number).

mod build;
pub mod export;
mod review;
mod seed;
mod store;
mod write;

pub use review::{preview, review, review_page, reviews_due};
pub use seed::{DEMO_TITLES, load_demo, seed_first};
pub use store::{accepted_decisions, accepted_scopes};
pub use write::{create, set_status, update};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Ctx;
use super::fleet::today;
use crate::AppError;
use crate::model::{
    ADR_REGISTER_PAGE, AdrFilter, AdrLinkRef, AdrPage, AdrRecord, AdrRegister, AdrSummary, REVIEW_STATES, Role,
};
use domain::adr::{AdrNumber, AdrStatus};

/// The ADRs matching `filter`, by number (anyone signed in).
pub async fn list(ctx: &Ctx, filter: &AdrFilter) -> Result<Vec<AdrSummary>, AppError> {
    ctx.reader(Role::Viewer)?;
    let want = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut err = domain::ValidationError::default();
    let status = match want(&filter.status).map(|s| s.parse::<AdrStatus>()).transpose() {
        Ok(s) => s,
        Err(e) => {
            err.fields.extend(e.fields);
            None
        }
    };
    let review = want(&filter.review);
    if let Some(r) = &review
        && !REVIEW_STATES.iter().any(|(v, _)| v == r)
    {
        err.add("review", format!("unknown review state '{r}'; use overdue, due_soon or later"));
    }
    if !err.fields.is_empty() {
        return Err(err.into());
    }
    let mut adrs = store::summaries(&ctx.pool, status, today()).await?;
    if let Some(r) = review {
        adrs.retain(|a| a.review_state.is_some_and(|s| s.as_str() == r));
    }
    Ok(adrs)
}

/// What the register page shows: the page of [`ADR_REGISTER_PAGE`] ADRs from `offset`.
pub async fn register(ctx: &Ctx, filter: &AdrFilter, offset: usize) -> Result<AdrRegister, AppError> {
    let all = list(ctx, filter).await?;
    let total = all.len();
    let offset = offset.min(total.saturating_sub(1) / ADR_REGISTER_PAGE * ADR_REGISTER_PAGE);
    let adrs = all.into_iter().skip(offset).take(ADR_REGISTER_PAGE).collect();
    Ok(AdrRegister { adrs, total, offset, today: today(), me: ctx.principal().me() })
}

/// One ADR with its snapshot (anyone signed in).
pub async fn get(ctx: &Ctx, number: AdrNumber) -> Result<AdrRecord, AppError> {
    ctx.reader(Role::Viewer)?;
    store::record(&ctx.pool, number, today()).await
}

/// The ADRs `numbers` names, as links.
async fn links(ctx: &Ctx, numbers: &[AdrNumber]) -> Result<BTreeMap<AdrNumber, AdrLinkRef>, AppError> {
    Ok(store::heads(&ctx.pool, numbers)
        .await?
        .into_iter()
        .map(|(number, title, status)| {
            let file_name = domain::adr::file_name(number, &title);
            (number, AdrLinkRef { number, title, status, file_name })
        })
        .collect())
}

/// Everything the ADR page shows: the record, its reviews, its Markdown and its links.
pub async fn page(ctx: &Ctx, number: AdrNumber) -> Result<AdrPage, AppError> {
    let adr = get(ctx, number).await?;
    let reviews = store::reviews(&ctx.pool, number).await?;
    let successor = store::open_successor(&ctx.pool, number).await?;
    let wanted: Vec<AdrNumber> = [adr.adr.supersedes, adr.adr.superseded_by, successor].into_iter().flatten().collect();
    let mut linked = links(ctx, &wanted).await?;
    let titles: BTreeMap<AdrNumber, String> = linked.iter().map(|(n, l)| (*n, l.title.clone())).collect();
    let markdown = export::markdown(&adr, &reviews, &titles);
    Ok(AdrPage {
        supersedes: adr.adr.supersedes.and_then(|n| linked.get(&n).cloned()),
        superseded_by: adr.adr.superseded_by.and_then(|n| linked.get(&n).cloned()),
        proposed_successor: successor.and_then(|n| linked.remove(&n)),
        adr,
        reviews,
        markdown,
        me: ctx.principal().me(),
    })
}

/// One ADR as MADR 4 Markdown and its file name (anyone signed in).
pub async fn markdown(ctx: &Ctx, number: AdrNumber) -> Result<(String, String), AppError> {
    let p = page(ctx, number).await?;
    Ok((p.markdown, p.adr.file_name))
}

/// Every ADR as the `docs/decisions/` bundle, a tar.gz that is byte-identical for the same
/// records (anyone signed in).
pub async fn bundle(ctx: &Ctx) -> Result<Vec<u8>, AppError> {
    ctx.reader(Role::Viewer)?;
    let adrs = store::records(&ctx.pool, today()).await?;
    let reviews = store::all_reviews(&ctx.pool).await?;
    export::bundle(&adrs, &reviews)
}

/// The review calendar (RFC 5545) with event URLs under `base_url` (anyone signed in, or a read
/// token in the feed's URL).
pub async fn calendar(ctx: &Ctx, base_url: &str) -> Result<String, AppError> {
    ctx.reader(Role::Viewer)?;
    let accepted = store::summaries(&ctx.pool, Some(AdrStatus::Accepted), today()).await?;
    let stamped: Vec<(AdrSummary, DateTime<Utc>)> = accepted
        .into_iter()
        .map(|a| {
            let at = DateTime::parse_from_rfc3339(&a.updated_at).map_or_else(|_| Utc::now(), |t| t.with_timezone(&Utc));
            (a, at)
        })
        .collect();
    Ok(export::calendar(&stamped, base_url))
}

/// The audit record of an ADR: everything but the snapshot, which its hash stands for.
fn audit_json(r: &AdrRecord) -> Option<serde_json::Value> {
    serde_json::to_value(AdrSummary::of(r)).ok()
}
