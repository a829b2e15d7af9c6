//! Reference data that upgrades: at every start the criteria, candidates, scores and seed profiles
//! of `reference.json` are reconciled by key into the database. New keys are added; rows that came
//! from the reference and nobody edited are refreshed; a row an admin edited (`edited`) is never
//! overwritten. Each addition or refresh is listed in one audit entry (entity `reference`) in the same transaction.

use sha2::{Digest, Sha256};
use sqlx::{Postgres, Transaction};

use super::audit;
use crate::AppError;
use crate::model::ProfileInput;
use domain::reference::Reference;

/// What one reconciliation changed, as `kind:key` strings.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reconciled {
    /// Rows added.
    pub added: Vec<String>,
    /// Unedited rows refreshed to the reference's content.
    pub updated: Vec<String>,
    /// Rows that differ from the reference but were edited, so left alone.
    pub kept: Vec<String>,
}

/// Reconciles `reference` into the database, in one transaction. Quick when this version of the
/// reference was already applied.
pub async fn reconcile(pool: &sqlx::PgPool, reference: &Reference, json: &str) -> Result<Reconciled, AppError> {
    let version = hex(&Sha256::digest(json.as_bytes())[..8]);
    let mut tx = pool.begin().await?;
    // Two servers starting at once must not both reconcile: the second waits, then finds it done.
    sqlx::query("LOCK TABLE reference_state IN EXCLUSIVE MODE").execute(&mut *tx).await?;
    let applied: Option<String> =
        sqlx::query_scalar("SELECT version FROM reference_state").fetch_optional(&mut *tx).await?;
    if applied.as_deref() == Some(version.as_str()) {
        return Ok(Reconciled::default());
    }
    let mut out = Reconciled::default();
    criteria(&mut tx, reference, &mut out).await?;
    candidates(&mut tx, reference, &mut out).await?;
    scores(&mut tx, reference, &mut out).await?;
    profiles(&mut tx, reference, &mut out).await?;
    if !(out.added.is_empty() && out.updated.is_empty()) {
        let after = serde_json::json!({"version": version, "added": out.added, "updated": out.updated, "kept_edited": out.kept});
        audit::record(&mut tx, None, "reference", &version, "reconcile", None, Some(after)).await?;
    }
    sqlx::query(
        "INSERT INTO reference_state (version) VALUES ($1)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, applied_at = now()",
    )
    .bind(&version)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sorts the outcome of one upsert: `inserted` from `xmax = 0`, `changed` when a refresh ran.
fn note(out: &mut Reconciled, key: String, row: Option<(bool,)>, differs_but_edited: bool) {
    match row {
        Some((true,)) => out.added.push(key),
        Some((false,)) => out.updated.push(key),
        None if differs_but_edited => out.kept.push(key),
        None => {}
    }
}

async fn criteria(tx: &mut Transaction<'_, Postgres>, r: &Reference, out: &mut Reconciled) -> Result<(), AppError> {
    for c in &r.criteria {
        let row: Option<(bool,)> = sqlx::query_as(
            "INSERT INTO criteria (key, position, name, why, from_reference)
             VALUES ($1, (SELECT coalesce(max(position), -1) + 1 FROM criteria), $2, $3, true)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, why = excluded.why, updated_at = now()
               WHERE NOT criteria.edited AND (criteria.name, criteria.why) IS DISTINCT FROM (excluded.name, excluded.why)
             RETURNING xmax = 0",
        )
        .bind(&c.key)
        .bind(&c.name)
        .bind(&c.why)
        .fetch_optional(&mut **tx)
        .await?;
        let kept: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM criteria WHERE key = $1 AND edited AND (name, why) IS DISTINCT FROM ($2, $3))",
        )
        .bind(&c.key)
        .bind(&c.name)
        .bind(&c.why)
        .fetch_one(&mut **tx)
        .await?;
        note(out, format!("criterion:{}", c.key), row, kept);
    }
    Ok(())
}

async fn candidates(tx: &mut Transaction<'_, Postgres>, r: &Reference, out: &mut Reconciled) -> Result<(), AppError> {
    for c in &r.candidates {
        let status = match c.status {
            domain::CandidateStatus::Scored => "scored",
            domain::CandidateStatus::Dismissed => "dismissed",
        };
        let row: Option<(bool,)> = sqlx::query_as(
            "INSERT INTO candidates (key, position, name, status, summary, dismissed_reason, from_reference)
             VALUES ($1, (SELECT coalesce(max(position), -1) + 1 FROM candidates), $2, $3, $4, $5, true)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, status = excluded.status,
               summary = excluded.summary, dismissed_reason = excluded.dismissed_reason, updated_at = now()
               WHERE NOT candidates.edited
                 AND (candidates.name, candidates.status, candidates.summary, candidates.dismissed_reason)
                     IS DISTINCT FROM (excluded.name, excluded.status, excluded.summary, excluded.dismissed_reason)
             RETURNING xmax = 0",
        )
        .bind(&c.key)
        .bind(&c.name)
        .bind(status)
        .bind(&c.summary)
        .bind(&c.dismissed_reason)
        .fetch_optional(&mut **tx)
        .await?;
        let kept: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM candidates WHERE key = $1 AND edited)")
            .bind(&c.key)
            .fetch_one(&mut **tx)
            .await?;
        note(out, format!("candidate:{}", c.key), row, kept && row.is_none());
    }
    Ok(())
}

async fn scores(tx: &mut Transaction<'_, Postgres>, r: &Reference, out: &mut Reconciled) -> Result<(), AppError> {
    for s in &r.scores {
        let tier = s.tier.map(domain::Tier::as_str);
        let row: Option<(bool,)> = sqlx::query_as(
            "INSERT INTO scores (candidate_key, criterion_key, tier, score, rationale, from_reference)
             VALUES ($1, $2, $3, $4, $5, true)
             ON CONFLICT ON CONSTRAINT scores_candidate_criterion_tier_key DO UPDATE
               SET score = excluded.score, rationale = excluded.rationale, version = scores.version + 1,
                   updated_at = now()
               WHERE NOT scores.edited
                 AND (scores.score, scores.rationale) IS DISTINCT FROM (excluded.score, excluded.rationale)
             RETURNING xmax = 0",
        )
        .bind(&s.candidate)
        .bind(&s.criterion)
        .bind(tier)
        .bind(i16::from(s.score))
        .bind(&s.rationale)
        .fetch_optional(&mut **tx)
        .await?;
        let key = format!("score:{}/{}/{}", s.candidate, s.criterion, tier.unwrap_or("base"));
        note(out, key, row, false);
    }
    Ok(())
}

async fn profiles(tx: &mut Transaction<'_, Postgres>, r: &Reference, out: &mut Reconciled) -> Result<(), AppError> {
    let model = r.model();
    for p in &r.profiles {
        let input = ProfileInput {
            name: p.name.clone(),
            description: p.description.clone(),
            tier: p.tier,
            context: p.context,
            weights: p.weights.clone(),
        };
        let valid = input.validate(&model)?;
        let existing: Option<(i64, bool, bool)> =
            sqlx::query_as("SELECT id, from_reference, edited FROM profiles WHERE name = $1")
                .bind(&p.name)
                .fetch_optional(&mut **tx)
                .await?;
        let key = format!("profile:{}", p.name);
        match existing {
            None => {
                let id = super::profiles::insert(tx, &model, &valid, None).await?;
                sqlx::query("UPDATE profiles SET from_reference = true WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                out.added.push(key);
            }
            Some((id, true, false)) => {
                if super::profiles::refresh(tx, &model, id, &valid).await? {
                    out.updated.push(key);
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}
