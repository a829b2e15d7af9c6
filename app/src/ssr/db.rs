//! Repositories: every SQL statement of the decision model, with bound parameters only.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{FromRow, PgPool, Postgres, Transaction};
use std::collections::BTreeMap;

use super::audit;
use super::auth::Principal;
use crate::AppError;
use crate::api::types::{Profile, ValidProfile};
use domain::{Context, Model, Tier, weights::tenths_to_percent};

#[derive(FromRow)]
struct ProfileRow {
    id: i64,
    name: String,
    description: String,
    tier: Option<String>,
    context: Option<String>,
    version: i32,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

#[derive(FromRow)]
struct WeightRow {
    profile_id: i64,
    criterion_key: String,
    weight_tenths: i32,
}

/// Values stored by the schema's CHECK constraints always parse; anything else is corruption.
fn parse_stored<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, AppError> {
    s.parse().map_err(|_| {
        tracing::error!(what, value = s, "unexpected value in the database");
        AppError::Internal
    })
}

fn opt_tier(s: Option<String>) -> Result<Option<Tier>, AppError> {
    s.map(|s| parse_stored("tier", &s)).transpose()
}

fn opt_context(s: Option<String>) -> Result<Option<Context>, AppError> {
    s.map(|s| parse_stored("context", &s)).transpose()
}

/// Criteria, candidates and scores, in display order, in one round trip (the evaluate endpoint
/// reads the model on every request, so this is on the hot path).
pub async fn load_model(pool: &PgPool) -> Result<Model, AppError> {
    let json: String = sqlx::query_scalar(
        "SELECT json_build_object(
           'criteria', COALESCE((SELECT json_agg(json_build_object('key', key, 'name', name, 'why', why)
                                 ORDER BY position) FROM criteria), '[]'),
           'candidates', COALESCE((SELECT json_agg(json_build_object('key', key, 'name', name, 'status', status,
                                   'summary', summary, 'dismissed_reason', dismissed_reason)
                                   ORDER BY position) FROM candidates), '[]'),
           'scores', COALESCE((SELECT json_agg(json_build_object('candidate', candidate_key,
                               'criterion', criterion_key, 'tier', tier, 'score', score, 'rationale', rationale)
                               ORDER BY id) FROM scores), '[]'))::text",
    )
    .fetch_one(pool)
    .await?;
    serde_json::from_str(&json).map_err(|e| {
        tracing::error!(error = %e, "the stored decision model does not parse");
        AppError::Internal
    })
}

fn to_profile(model: &Model, row: ProfileRow, weights: &[WeightRow]) -> Result<Profile, AppError> {
    let by_key: BTreeMap<&str, i32> = weights
        .iter()
        .filter(|w| w.profile_id == row.id)
        .map(|w| (w.criterion_key.as_str(), w.weight_tenths))
        .collect();
    // Criteria added after the profile was saved weigh 0 until someone edits it.
    let weights = model
        .criteria
        .iter()
        .map(|c| {
            let t = by_key.get(c.key.as_str()).copied().unwrap_or(0);
            (c.key.clone(), tenths_to_percent(u32::try_from(t).unwrap_or(0)))
        })
        .collect();
    Ok(Profile {
        id: row.id,
        name: row.name,
        description: row.description,
        tier: opt_tier(row.tier)?,
        context: opt_context(row.context)?,
        weights,
        version: row.version,
        updated_at: row.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        updated_by: row.updated_by,
    })
}

const PROFILE_COLUMNS: &str = "id, name, description, tier, context, version, updated_at, updated_by";

fn actor_label(actor: Option<&Principal>) -> String {
    actor.map_or_else(|| "reference data".to_string(), Principal::label)
}

/// All profiles: profiles without a tier first, then by tier from the edge up, then by name.
pub async fn list_profiles(pool: &PgPool, model: &Model) -> Result<Vec<Profile>, AppError> {
    let rows = sqlx::query_as::<_, ProfileRow>(&format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles ORDER BY tier IS NOT NULL, \
         array_position(ARRAY['cell','plant','regional','cloud'], tier), context NULLS FIRST, name"
    ))
    .fetch_all(pool)
    .await?;
    let weights =
        sqlx::query_as::<_, WeightRow>("SELECT profile_id, criterion_key, weight_tenths FROM profile_weights")
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(|r| to_profile(model, r, &weights)).collect()
}

/// One profile, or `NotFound`.
pub async fn get_profile(pool: &PgPool, model: &Model, id: i64) -> Result<Profile, AppError> {
    let row = sqlx::query_as::<_, ProfileRow>(&format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no profile with id {id}")))?;
    let weights = sqlx::query_as::<_, WeightRow>(
        "SELECT profile_id, criterion_key, weight_tenths FROM profile_weights WHERE profile_id = $1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    to_profile(model, row, &weights)
}

async fn write_weights(
    tx: &mut Transaction<'_, Postgres>,
    model: &Model,
    id: i64,
    p: &ValidProfile,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM profile_weights WHERE profile_id = $1").bind(id).execute(&mut **tx).await?;
    let keys: Vec<&str> = model.criteria.iter().map(|c| c.key.as_str()).collect();
    let tenths: Vec<i32> = p.weights.0.iter().map(|&t| i32::try_from(t).unwrap_or(i32::MAX)).collect();
    sqlx::query(
        "INSERT INTO profile_weights (profile_id, criterion_key, weight_tenths) \
         SELECT $1, k, w FROM unnest($2::text[], $3::int[]) AS t(k, w)",
    )
    .bind(id)
    .bind(&keys)
    .bind(&tenths)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The audit record of a profile's content.
fn audit_json(model: &Model, p: &ValidProfile) -> serde_json::Value {
    serde_json::json!({
        "name": p.name, "description": p.description, "tier": p.tier, "context": p.context,
        "weights": p.weights.to_percent_map(model),
    })
}

/// Inserts a validated profile inside `tx`, audited, and returns its id.
pub async fn insert_profile(
    tx: &mut Transaction<'_, Postgres>,
    model: &Model,
    p: &ValidProfile,
    actor: Option<&Principal>,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO profiles (name, description, tier, context, updated_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.tier.map(Tier::as_str))
    .bind(p.context.map(Context::as_str))
    .bind(actor_label(actor))
    .fetch_one(&mut **tx)
    .await?;
    write_weights(tx, model, id, p).await?;
    audit::record(tx, actor, "profile", id, "create", None, Some(audit_json(model, p))).await?;
    Ok(id)
}

/// Inserts a validated profile; a taken name is a conflict.
pub async fn create_profile(
    pool: &PgPool,
    model: &Model,
    p: &ValidProfile,
    actor: Option<&Principal>,
) -> Result<Profile, AppError> {
    let mut tx = pool.begin().await?;
    let id = insert_profile(&mut tx, model, p, actor).await?;
    tx.commit().await?;
    get_profile(pool, model, id).await
}

/// Overwrites a profile when its version is still `version`; otherwise a conflict carrying the
/// current profile, so the client can show what changed.
pub async fn update_profile(
    pool: &PgPool,
    model: &Model,
    id: i64,
    version: i32,
    p: &ValidProfile,
    actor: Option<&Principal>,
) -> Result<Profile, AppError> {
    let before = get_profile(pool, model, id).await?;
    let mut tx = pool.begin().await?;
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE profiles SET name = $3, description = $4, tier = $5, context = $6, updated_by = $7, \
         version = version + 1, updated_at = now() WHERE id = $1 AND version = $2 RETURNING id",
    )
    .bind(id)
    .bind(version)
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.tier.map(Tier::as_str))
    .bind(p.context.map(Context::as_str))
    .bind(actor_label(actor))
    .fetch_optional(&mut *tx)
    .await?;
    if updated.is_none() {
        tx.rollback().await?;
        let current = get_profile(pool, model, id).await?;
        return Err(AppError::Conflict {
            message: format!(
                "profile '{}' was changed by someone else since you loaded it (you had version {version}, it is now \
                 version {}); reload it, re-apply your changes and save again, or save yours as a new profile",
                current.name, current.version
            ),
            current: serde_json::to_value(&current).ok(),
        });
    }
    write_weights(&mut tx, model, id, p).await?;
    let before = serde_json::to_value(&before).ok();
    audit::record(&mut tx, actor, "profile", id, "update", before, Some(audit_json(model, p))).await?;
    tx.commit().await?;
    get_profile(pool, model, id).await
}

/// Deletes a profile, audited; `NotFound` when it does not exist.
pub async fn delete_profile(pool: &PgPool, model: &Model, id: i64, actor: Option<&Principal>) -> Result<(), AppError> {
    let before = get_profile(pool, model, id).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM profiles WHERE id = $1").bind(id).execute(&mut *tx).await?;
    let before = serde_json::to_value(&before).ok();
    audit::record(&mut tx, actor, "profile", id, "delete", before, None).await?;
    tx.commit().await?;
    Ok(())
}

/// True when the database can answer a query.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await.is_ok()
}
