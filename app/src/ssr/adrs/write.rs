//! Recording an ADR, editing a proposed one, and its status changes (accept, reject, deprecate,
//! supersede), each linked both ways when one ADR replaces another.

use sqlx::PgPool;

use super::{audit_json, build, store};
use crate::AppError;
use crate::model::{AdrInput, AdrRecord, Role, StatusChange, Versioned};
use crate::ssr::fleet::today;
use crate::ssr::{Ctx, audit, check_versioned};
use domain::adr::{Adr, AdrNumber, AdrStatus};
use domain::{Model, NaiveDate, ValidationError};

/// A new proposed ADR from `input`, numbered later: the draft validated, the weights resolved
/// and today's model, tier profiles and fleet in scope frozen. Every problem is reported at once.
pub(super) async fn propose(pool: &PgPool, model: &Model, input: &AdrInput, on: NaiveDate) -> Result<Adr, AppError> {
    let (draft, snapshot) = draft_and_snapshot(pool, model, input, None).await?;
    Ok(Adr::propose(AdrNumber::FIRST, draft, snapshot, on, model)?)
}

/// The validated draft and its snapshot. Without `profile_id` or `weights`, `keep` (the
/// snapshot of the ADR being edited) gives the weights and tier, else the default profile.
async fn draft_and_snapshot(
    pool: &PgPool,
    model: &Model,
    input: &AdrInput,
    keep: Option<&domain::adr::Snapshot>,
) -> Result<(domain::adr::AdrDraft, domain::adr::Snapshot), AppError> {
    let mut err = ValidationError::default();
    let draft = match input.draft.clone().validated(model) {
        Ok(d) => Some(d),
        Err(e) => {
            err.fields.extend(e.fields);
            None
        }
    };
    let scope = draft.as_ref().map(|d| d.scope.clone()).unwrap_or_default();
    let ctx = build::context(pool, model, &scope, None).await?;
    let basis = match keep {
        Some(then) if input.profile_id.is_none() && input.weights.is_none() => {
            build::basis_again(then, &ctx, model).map(|b| build::Basis { tier: input.tier.or(b.tier), ..b })
        }
        _ => build::basis_of(input, &ctx, model),
    };
    let basis = match basis {
        Ok(b) => Some(b),
        Err(e) => {
            err.fields.extend(e.fields);
            None
        }
    };
    match (draft, basis) {
        (Some(draft), Some(basis)) => Ok((draft, build::freeze(pool, model, &basis, ctx).await?)),
        _ => Err(err.into()),
    }
}

/// Records a new proposed ADR (architects): the next consecutive number, today's snapshot.
pub async fn create(ctx: &Ctx, input: AdrInput) -> Result<AdrRecord, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let model = ctx.model().await?;
    let today = today();
    let mut adr = propose(&ctx.pool, &model, &input, today).await?;
    let mut tx = ctx.pool.begin().await?;
    adr.number = store::next_number(&mut tx).await?;
    store::insert(&mut tx, &adr, &actor.label()).await?;
    let after = serde_json::json!({
        "number": adr.number, "title": adr.draft.title, "status": adr.status, "chosen": adr.draft.chosen,
        "scope": adr.draft.scope, "profile": adr.snapshot.profile, "tier": adr.snapshot.tier,
        "snapshot_sha256": adr.snapshot_sha256,
    });
    audit::record(&mut tx, Some(actor), "adr", adr.number.0, "create", None, Some(after)).await?;
    tx.commit().await?;
    store::record(&ctx.pool, adr.number, today).await
}

/// Rewrites a proposed ADR (architects) when its version is still the one read: new text and a
/// snapshot taken again on today's model (with `profile_id` or `weights` when given, else the
/// weights it had, its profile's as saved now). A decided ADR is frozen (422).
pub async fn update(ctx: &Ctx, number: AdrNumber, body: Versioned<AdrInput>) -> Result<AdrRecord, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let (input, version) = check_versioned(body, Ok)?;
    let model = ctx.model().await?;
    let today = today();
    let current = store::record(&ctx.pool, number, today).await?;
    stale_unless(&current, version)?;
    if !current.adr.status.is_editable() {
        // Refused here with the domain's words before any snapshot is taken.
        current.adr.revise(current.adr.draft.clone(), current.adr.snapshot.clone(), &model)?;
    }
    let (draft, snapshot) = draft_and_snapshot(&ctx.pool, &model, &input, Some(&current.adr.snapshot)).await?;
    let adr = current.adr.revise(draft, snapshot, &model)?;
    let mut tx = ctx.pool.begin().await?;
    if !store::revise(&mut tx, &adr, version, &actor.label()).await? {
        tx.rollback().await?;
        let now = store::record(&ctx.pool, number, today).await?;
        return Err(AppError::stale("ADR", &number.to_string(), version, now.version, Some(&now)));
    }
    let after = serde_json::json!({
        "title": adr.draft.title, "chosen": adr.draft.chosen, "scope": adr.draft.scope,
        "profile": adr.snapshot.profile, "tier": adr.snapshot.tier, "snapshot_sha256": adr.snapshot_sha256,
    });
    audit::record(&mut tx, Some(actor), "adr", number.0, "update", audit_json(&current), Some(after)).await?;
    tx.commit().await?;
    store::record(&ctx.pool, number, today).await
}

/// The 409 for a version that is no longer current.
pub(super) fn stale_unless(current: &AdrRecord, version: i32) -> Result<(), AppError> {
    if current.version == version {
        return Ok(());
    }
    Err(AppError::stale("ADR", &current.adr.number.to_string(), version, current.version, Some(current)))
}

fn action_of(status: AdrStatus) -> &'static str {
    match status {
        AdrStatus::Proposed => "propose",
        AdrStatus::Accepted => "accept",
        AdrStatus::Rejected => "reject",
        AdrStatus::Deprecated => "deprecate",
        AdrStatus::Superseded => "supersede",
    }
}

/// Moves an ADR along the status machine when its version is still the one read: architects
/// accept or reject a proposed ADR and mark an accepted one superseded by another accepted ADR
/// (`superseded_by`); only admins deprecate. Accepting an ADR that supersedes another marks that
/// one superseded by it; naming a successor links it back. Illegal transitions are 422.
pub async fn set_status(ctx: &Ctx, number: AdrNumber, body: Versioned<StatusChange>) -> Result<AdrRecord, AppError> {
    let least = if body.input.status == AdrStatus::Deprecated { Role::Admin } else { Role::Architect };
    let actor = ctx.writer(least)?;
    let (change, version) = check_versioned(body, Ok)?;
    let today = today();
    let peek = store::record(&ctx.pool, number, today).await?;
    stale_unless(&peek, version)?;
    let mut adr = peek.adr.clone();
    adr.set_status(change.status, today, change.superseded_by)?;
    // The other end of a link, locked with this one in number order (no deadlock between an
    // accept and a supersede of the same pair).
    let other = match change.status {
        AdrStatus::Superseded => change.superseded_by,
        AdrStatus::Accepted => adr.supersedes,
        _ => None,
    };
    let mut tx = ctx.pool.begin().await?;
    let mut locked = Vec::new();
    let mut order = vec![number];
    order.extend(other);
    order.sort();
    for n in order {
        match store::record_for_update(&mut tx, n, today).await {
            Ok(r) => locked.push(r),
            Err(AppError::NotFound(_)) if n != number => {
                return Err(AppError::field("superseded_by", format!("there is no {n}; name an accepted ADR")));
            }
            Err(e) => return Err(e),
        }
    }
    let current = locked.iter().find(|r| r.adr.number == number).cloned().ok_or_else(|| gone(number))?;
    stale_unless(&current, version)?;
    let other = locked.into_iter().find(|r| r.adr.number != number);
    let label = actor.label();
    if let (AdrStatus::Superseded, Some(mut by)) = (change.status, other.clone()) {
        check_successor(number, &by)?;
        if by.adr.supersedes.is_none() {
            let before = audit_json(&by);
            by.adr.supersedes = Some(number);
            store::write_state(&mut tx, &by.adr, by.version, &label).await?;
            let after = serde_json::json!({"supersedes": number});
            audit::record(&mut tx, Some(actor), "adr", by.adr.number.0, "link", before, Some(after)).await?;
        }
    }
    if !store::write_state(&mut tx, &adr, version, &label).await? {
        return Err(AppError::stale("ADR", &number.to_string(), version, current.version + 1, None::<&()>));
    }
    let after = serde_json::json!({
        "status": adr.status, "date": adr.date, "review_by": adr.review_by, "superseded_by": adr.superseded_by,
    });
    audit::record(&mut tx, Some(actor), "adr", number.0, action_of(adr.status), audit_json(&current), Some(after))
        .await?;
    if let (AdrStatus::Accepted, Some(old)) = (change.status, other)
        && old.adr.status == AdrStatus::Accepted
    {
        // The review that proposed this ADR meant to replace `old`: now it does.
        let mut replaced = old.adr.clone();
        replaced.supersede(number)?;
        store::write_state(&mut tx, &replaced, old.version, &label).await?;
        let after = serde_json::json!({"status": replaced.status, "superseded_by": number});
        audit::record(&mut tx, Some(actor), "adr", replaced.number.0, "supersede", audit_json(&old), Some(after))
            .await?;
    }
    tx.commit().await?;
    store::record(&ctx.pool, number, today).await
}

/// `by` may supersede `number`: it is accepted and supersedes nothing else.
fn check_successor(number: AdrNumber, by: &AdrRecord) -> Result<(), AppError> {
    let n = by.adr.number;
    if by.adr.status != AdrStatus::Accepted {
        return Err(AppError::field(
            "superseded_by",
            format!(
                "{n} is {}; accept it first (accepting a review's proposal supersedes {number} by itself)",
                by.adr.status
            ),
        ));
    }
    match by.adr.supersedes {
        Some(other) if other != number => Err(AppError::field(
            "superseded_by",
            format!("{n} already supersedes {other}; an ADR replaces one other ADR"),
        )),
        _ => Ok(()),
    }
}

/// A row locked a moment ago that is no longer there (cannot happen: nothing deletes ADRs).
fn gone(number: AdrNumber) -> AppError {
    tracing::error!(adr = %number, "a locked ADR vanished");
    AppError::Internal
}
