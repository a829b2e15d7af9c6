//! The annual review: the decision re-run on today's model next to its frozen snapshot, the
//! reviews due, and the outcome — reaffirm (next review one interval on) or supersede (a new
//! proposed ADR pre-filled from today's model, linked back).

use super::write::stale_unless;
use super::{audit_json, build, store};
use crate::AppError;
use crate::model::{
    AdrLinkRef, AdrRecord, ReviewInput, ReviewPage, ReviewPreview, ReviewResult, ReviewsDue, Role, Versioned,
};
use crate::ssr::fleet::today;
use crate::ssr::{Ctx, audit, check_versioned};
use domain::adr::{
    Adr, AdrDraft, AdrNumber, AdrStatus, ReviewOutcome, ReviewRecord, ReviewState, Snapshot, SnapshotDiff,
};
use domain::{Model, NaiveDate};

/// The decision of `adr` re-run today: the same scope, tier and weights (its profile's as saved
/// now when it came from one) on today's model, tier profiles and fleet.
async fn rerun(ctx: &Ctx, model: &Model, adr: &Adr) -> Result<Snapshot, AppError> {
    // The clusters as the fleet map read them (this server's cache, current by NOTIFY).
    let clusters = crate::ssr::fleet::fleet(ctx).await?.clusters.clone();
    let pool = &ctx.pool;
    let ctx = build::context(pool, model, &adr.draft.scope, Some((ctx.recommendations(), clusters))).await?;
    let basis = build::basis_again(&adr.snapshot, &ctx, model)?;
    build::freeze(pool, model, &basis, ctx).await
}

/// The names of the clusters a snapshot's fleet holds.
fn scoped_names(s: &Snapshot) -> std::collections::HashSet<String> {
    s.fleet.clusters.iter().map(|c| c.name.clone()).collect()
}

/// Then vs now for one ADR (anyone signed in), with the CNI versions in scope that need
/// attention (end of life, drift, …).
pub async fn preview(ctx: &Ctx, number: AdrNumber) -> Result<ReviewPreview, AppError> {
    ctx.reader(Role::Viewer)?;
    let model = ctx.model().await?;
    let today = today();
    let adr = store::record(&ctx.pool, number, today).await?;
    let mut adr = adr;
    let mut now = rerun(ctx, &model, &adr.adr).await?;
    let diff = SnapshotDiff::between(&adr.adr.snapshot, &now);
    let mut summary = diff.summary_lines();
    let (versions, version_lines) = crate::ssr::versions::in_scope(ctx, &scoped_names(&now)).await?;
    summary.extend(version_lines);
    // The diff names every cluster added, removed or changed; the two lists of every cluster in
    // scope (10,000 for a whole-fleet decision, megabytes of JSON) stay out of the preview. The
    // ADR itself (`GET /api/v1/adrs/{n}`) still carries its frozen list.
    for s in [&mut adr.adr.snapshot, &mut now] {
        s.fleet.clusters.clear();
        s.fleet.exceptions.clear();
    }
    Ok(ReviewPreview { adr, today, now, diff, summary, versions })
}

/// Everything the review page shows.
pub async fn review_page(ctx: &Ctx, number: AdrNumber) -> Result<ReviewPage, AppError> {
    let preview = preview(ctx, number).await?;
    let reviews = store::reviews(&ctx.pool, number).await?;
    let proposed_successor =
        match store::open_successor(&ctx.pool, number).await? {
            Some(n) => store::heads(&ctx.pool, &[n]).await?.into_iter().next().map(|(number, title, status)| {
                AdrLinkRef { file_name: domain::adr::file_name(number, &title), number, title, status }
            }),
            None => None,
        };
    Ok(ReviewPage { preview, reviews, proposed_successor, me: ctx.principal().me() })
}

/// Accepted ADRs by review state on today, each list by review date (anyone signed in).
pub async fn reviews_due(ctx: &Ctx) -> Result<ReviewsDue, AppError> {
    ctx.reader(Role::Viewer)?;
    let today = today();
    let mut accepted = store::summaries(&ctx.pool, Some(AdrStatus::Accepted), today).await?;
    accepted.sort_by_key(|a| (a.review_by, a.number));
    let mut due = ReviewsDue { today, overdue: Vec::new(), due_soon: Vec::new(), later: Vec::new() };
    for a in accepted {
        match a.review_state {
            Some(ReviewState::Overdue) => due.overdue.push(a),
            Some(ReviewState::DueSoon) => due.due_soon.push(a),
            Some(ReviewState::Later) => due.later.push(a),
            None => {}
        }
    }
    Ok(due)
}

/// The proposed successor a "supersede" review opens: the old draft with today's winner as the
/// chosen option (the old choice carried over on a tie), drivers from today's weights, and a
/// context that says what it replaces.
pub(super) fn successor(old: &Adr, now: Snapshot, model: &Model, on: NaiveDate) -> Result<Adr, AppError> {
    let mut d: AdrDraft = old.draft.clone();
    d.drivers = AdrDraft::drivers_from(&now);
    match now.winner.clone() {
        Some(w) => {
            d.chosen = w;
            d.justification.clear();
        }
        None => {
            d.justification = format!(
                "the options tie on the model of {on}, so the choice of {} carries over from {}",
                now.name_of(&old.draft.chosen),
                old.number
            );
        }
    }
    let note = format!(
        "This record reviews {} (recorded on {}) on the model of {on} and, once accepted, supersedes it.",
        old.number, old.recorded_on
    );
    d.context = if d.context.trim().is_empty() { note } else { format!("{}\n\n{note}", d.context.trim()) };
    let mut adr = Adr::propose(AdrNumber::FIRST, d, now, on, model)?;
    adr.supersedes = Some(old.number);
    Ok(adr)
}

/// Records a review of an accepted ADR (architects) when its version is still the one read:
/// `reaffirm` (a note is required) moves the next review one interval past today; `supersede`
/// opens a new proposed ADR pre-filled from today's model, which supersedes this one once it is
/// accepted. Each review is stored with what changed since the snapshot.
pub async fn review(ctx: &Ctx, number: AdrNumber, body: Versioned<ReviewInput>) -> Result<ReviewResult, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let (input, version) = check_versioned(body, Ok)?;
    let model = ctx.model().await?;
    let today = today();
    let current = store::record(&ctx.pool, number, today).await?;
    stale_unless(&current, version)?;
    if current.adr.status != AdrStatus::Accepted {
        return Err(AppError::field(
            "status",
            format!("{number} is {}; only an accepted ADR is reviewed", current.adr.status),
        ));
    }
    let now = rerun(ctx, &model, &current.adr).await?;
    let diff = SnapshotDiff::between(&current.adr.snapshot, &now);
    let (_, version_lines) = crate::ssr::versions::in_scope(ctx, &scoped_names(&now)).await?;
    let mut record = ReviewRecord {
        date: today,
        reviewer: actor.display_name.clone(),
        outcome: input.outcome,
        note: input.note,
        next_review_by: None,
        superseded_by: None,
        diff,
    }
    .validated()?;
    let mut adr = current.adr.clone();
    let mut successor_adr = match record.outcome {
        ReviewOutcome::Reaffirm => {
            record.next_review_by = Some(adr.reaffirm(today)?);
            None
        }
        ReviewOutcome::Supersede => Some(successor(&adr, now, &model, today)?),
    };
    let label = actor.label();
    let mut tx = ctx.pool.begin().await?;
    let locked = store::record_for_update(&mut tx, number, today).await?;
    stale_unless(&locked, version)?;
    if let Some(s) = successor_adr.as_mut() {
        s.number = store::next_number(&mut tx).await?;
        store::insert(&mut tx, s, &label).await?;
        record.superseded_by = Some(s.number);
        let after = serde_json::json!({
            "number": s.number, "title": s.draft.title, "status": s.status, "chosen": s.draft.chosen,
            "supersedes": number, "snapshot_sha256": s.snapshot_sha256,
        });
        audit::record(&mut tx, Some(actor), "adr", s.number.0, "create", None, Some(after)).await?;
    }
    // Also for a supersession, so a second reviewer working from the same version gets a 409.
    store::write_state(&mut tx, &adr, version, &label).await?;
    let id = store::insert_review(&mut tx, number, &record, Some(actor.user_id)).await?;
    let after = serde_json::json!({
        "outcome": record.outcome, "note": record.note, "next_review_by": record.next_review_by,
        "superseded_by": record.superseded_by, "changes": record.diff.summary_lines(), "versions": version_lines,
    });
    audit::record(&mut tx, Some(actor), "adr", number.0, "review", audit_json(&current), Some(after)).await?;
    tx.commit().await?;
    let review = store::review_by_id(&ctx.pool, id).await?;
    let adr: AdrRecord = store::record(&ctx.pool, number, today).await?;
    let successor = match successor_adr {
        Some(s) => Some(store::record(&ctx.pool, s.number, today).await?),
        None => None,
    };
    Ok(ReviewResult { adr, review, successor })
}
