//! Weight profiles: the service behind the studio's save and the profile API, and its SQL.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{FromRow, PgPool, Postgres, Transaction};
use std::collections::BTreeMap;

use super::audit;
use super::auth::Principal;
use super::db::parse_stored;
use super::{Ctx, check_versioned};
use crate::model::{
    Profile, ProfileInput, Role, StudioData, StudioPage, StudioProfile, StudioQuery, StudioStart, ValidProfile,
    Versioned,
};
use crate::{AppError, OnConstraint};
use domain::{Context, Model, Tier, Weights, weights::tenths_to_percent};

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
    aggregate: String,
}

#[derive(FromRow)]
struct WeightRow {
    profile_id: i64,
    criterion_key: String,
    weight_tenths: i32,
}

fn opt_tier(s: Option<String>) -> Result<Option<Tier>, AppError> {
    s.map(|s| parse_stored("tier", &s)).transpose()
}

fn opt_context(s: Option<String>) -> Result<Option<Context>, AppError> {
    s.map(|s| parse_stored("context", &s)).transpose()
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
        aggregate: parse_stored("aggregate", &row.aggregate)?,
    })
}

const PROFILE_COLUMNS: &str = "id, name, description, tier, context, version, updated_at, updated_by, aggregate";

fn actor_label(actor: Option<&Principal>) -> String {
    actor.map_or_else(|| "reference data".to_string(), Principal::label)
}

/// All profiles: profiles without a tier first, then by tier from the edge up, then by name.
pub(crate) async fn list_all(pool: &PgPool, model: &Model) -> Result<Vec<Profile>, AppError> {
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
pub(crate) async fn get_row(pool: &PgPool, model: &Model, id: i64) -> Result<Profile, AppError> {
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
pub(crate) async fn insert(
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
    .await
    .on_constraint("profiles_name_key", || AppError::taken("profile", &p.name))?;
    write_weights(tx, model, id, p).await?;
    audit::record(tx, actor, "profile", id, "create", None, Some(audit_json(model, p))).await?;
    Ok(id)
}

/// Refreshes an unedited reference profile to the reference's content; true when it changed.
pub(crate) async fn refresh(
    tx: &mut Transaction<'_, Postgres>,
    model: &Model,
    id: i64,
    p: &ValidProfile,
) -> Result<bool, AppError> {
    let stored: Vec<(String, i32)> =
        sqlx::query_as("SELECT criterion_key, weight_tenths FROM profile_weights WHERE profile_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let stored: BTreeMap<String, i32> = stored.into_iter().collect();
    let wanted: BTreeMap<String, i32> = model
        .criteria
        .iter()
        .zip(&p.weights.0)
        .map(|(c, &t)| (c.key.clone(), i32::try_from(t).unwrap_or(i32::MAX)))
        .collect();
    let weights_differ = stored != wanted;
    let row_changed = sqlx::query_scalar::<_, bool>(
        "UPDATE profiles SET description = $2, tier = $3, context = $4, version = version + 1, updated_at = now() \
         WHERE id = $1 AND ((description, tier, context) IS DISTINCT FROM ($2, $3, $4) OR $5) RETURNING true",
    )
    .bind(id)
    .bind(&p.description)
    .bind(p.tier.map(Tier::as_str))
    .bind(p.context.map(Context::as_str))
    .bind(weights_differ)
    .fetch_optional(&mut **tx)
    .await?
    .is_some();
    if weights_differ {
        write_weights(tx, model, id, p).await?;
    }
    Ok(row_changed)
}

/// All profiles (anyone signed in).
pub async fn list(ctx: &Ctx) -> Result<Vec<Profile>, AppError> {
    list_all(&ctx.pool, &*ctx.model().await?).await
}

/// One profile (anyone signed in).
pub async fn get(ctx: &Ctx, id: i64) -> Result<Profile, AppError> {
    get_row(&ctx.pool, &*ctx.model().await?, id).await
}

/// What the studio needs on first render, starting where its address says (see [`StudioQuery`]):
/// an unknown profile id or unreadable returned weights fall back to the default profile's.
pub async fn studio(ctx: &Ctx, q: StudioQuery) -> Result<StudioPage, AppError> {
    let model = ctx.model().await?;
    let profiles = list_all(&ctx.pool, &model).await?;
    let wanted = q.profile.as_deref().and_then(|p| p.trim().parse::<i64>().ok());
    // The default is the first profile ever saved without a tier: the seed's "Industrial ADR 2026".
    let chosen = wanted
        .and_then(|id| profiles.iter().find(|p| p.id == id))
        .or_else(|| profiles.iter().filter(|p| p.tier.is_none()).min_by_key(|p| p.id))
        .or(profiles.first());
    let weights_of = |p: &Profile| Weights::from_percent_map_unchecked(&model, &p.weights).ok();
    let returned = q
        .weights
        .as_deref()
        .and_then(|w| serde_json::from_str::<BTreeMap<String, f64>>(w).ok())
        .and_then(|m| Weights::from_percent_map_unchecked(&model, &m).ok());
    let (weights, tier) = match returned {
        Some(w) => (Some(w), q.tier.as_deref().and_then(|t| t.parse().ok())),
        None => (chosen.and_then(weights_of), chosen.and_then(|p| p.tier)),
    };
    let notice = chosen.and_then(|p| match q.saved.as_deref() {
        Some("new") => Some(format!("Saved as new profile '{}'.", p.name)),
        Some("updated") => Some(format!("Updated profile '{}' (version {}).", p.name, p.version)),
        _ => None,
    });
    let (stakeholders, ranges) = match chosen {
        Some(p) => {
            let (section, ranges) = super::stakeholders::studio_section(ctx, &model, p, &q).await?;
            (Some(section), ranges)
        }
        None => (None, None),
    };
    let start = StudioStart {
        ranges,
        profile: chosen.map(|p| p.id),
        weights: weights.unwrap_or_else(|| Weights(vec![0; model.criteria.len()])),
        tier,
        name: q.name.unwrap_or_default(),
        notice,
        conflict: q.conflict.filter(|c| !c.trim().is_empty()),
    };
    let profiles = profiles
        .iter()
        .map(|p| StudioProfile {
            id: p.id,
            name: p.name.clone(),
            description: p.description.clone(),
            tier: p.tier,
            weights: weights_of(p).unwrap_or_else(|| Weights(vec![0; model.criteria.len()])),
            version: p.version,
            meta: format!(
                "Version {} · last saved {} by {}",
                p.version,
                p.updated_at.replace('T', " ").replace('Z', " UTC"),
                p.updated_by
            ),
        })
        .collect();
    let fleet = (*super::fleet::fleet(ctx).await?.whatif).clone();
    let data = StudioData { model: (*model).clone(), profiles, me: ctx.principal().me(), start, fleet };
    Ok(StudioPage { data, stakeholders })
}

/// Saves weights as a new profile (architects); a taken name is a conflict.
pub async fn create(ctx: &Ctx, input: ProfileInput) -> Result<Profile, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let model = ctx.model().await?;
    let valid = input.validate(&model)?;
    let mut tx = ctx.pool.begin().await?;
    let id = insert(&mut tx, &model, &valid, Some(actor)).await?;
    tx.commit().await?;
    get_row(&ctx.pool, &model, id).await
}

/// Overwrites a profile when its version is still the one the client read (architects);
/// otherwise a conflict carrying the current profile, so the client can show what changed.
pub async fn update(ctx: &Ctx, id: i64, body: Versioned<ProfileInput>) -> Result<Profile, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let model = ctx.model().await?;
    let (valid, version) = check_versioned(body, |input| input.validate(&model))?;
    let before = get_row(&ctx.pool, &model, id).await?;
    let mut tx = ctx.pool.begin().await?;
    // `edited` marks a reference profile as the admins' own: reference updates leave it alone.
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE profiles SET name = $3, description = $4, tier = $5, context = $6, updated_by = $7, \
         version = version + 1, updated_at = now(), edited = true WHERE id = $1 AND version = $2 RETURNING id",
    )
    .bind(id)
    .bind(version)
    .bind(&valid.name)
    .bind(&valid.description)
    .bind(valid.tier.map(Tier::as_str))
    .bind(valid.context.map(Context::as_str))
    .bind(actor.label())
    .fetch_optional(&mut *tx)
    .await
    .on_constraint("profiles_name_key", || AppError::taken("profile", &valid.name))?;
    if updated.is_none() {
        tx.rollback().await?;
        let current = get_row(&ctx.pool, &model, id).await?;
        return Err(AppError::stale("profile", &current.name, version, current.version, Some(&current)));
    }
    write_weights(&mut tx, &model, id, &valid).await?;
    let before = serde_json::to_value(&before).ok();
    audit::record(&mut tx, Some(actor), "profile", id, "update", before, Some(audit_json(&model, &valid))).await?;
    tx.commit().await?;
    get_row(&ctx.pool, &model, id).await
}

/// Deletes a profile (architects) when `version` is still current and nothing depends on it: a
/// profile that is the default of a tier (or of everything) or that clusters are pinned to is
/// refused with 409 naming them, so no cluster is ever left without a profile.
pub async fn delete(ctx: &Ctx, id: i64, version: Option<i32>) -> Result<(), AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let model = ctx.model().await?;
    let all = list_all(&ctx.pool, &model).await?;
    let before = all
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no profile with id {id}")))?;
    let version = version.ok_or_else(|| {
        AppError::field("version", "send the version you read (?version=N) so a profile saved since is not deleted")
    })?;
    if before.version != version {
        return Err(AppError::stale("profile", &before.name, version, before.version, Some(&before)));
    }
    let keys = super::fleet::default_order(&all);
    let contexts = std::iter::once(None).chain(Context::ALL.map(Some));
    let defaults: Vec<String> = Tier::ALL
        .iter()
        .flat_map(|t| contexts.clone().map(move |c| (*t, c)))
        .filter(|(t, c)| domain::fleet::pick_profile(&keys, *t, *c, None) == Some(id))
        .map(|(t, c)| c.map_or_else(|| t.as_str().to_string(), |c| format!("{} {}", c.as_str(), t.as_str())))
        .collect();
    if !defaults.is_empty() {
        return Err(AppError::Conflict {
            message: format!(
                "profile '{}' is the default for {}; make another profile the default for those first",
                before.name,
                defaults.join(", ")
            ),
            current: None,
        });
    }
    let mut tx = ctx.pool.begin().await?;
    // Locked, so a cluster cannot be pinned to the profile between this check and the delete.
    let pinned: Vec<String> =
        sqlx::query_scalar("SELECT name FROM clusters WHERE profile_id = $1 ORDER BY name FOR UPDATE")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    if !pinned.is_empty() {
        let shown: Vec<&str> = pinned.iter().take(10).map(String::as_str).collect();
        return Err(AppError::Conflict {
            message: format!(
                "profile '{}' is assigned to {} cluster(s) ({}{}); assign them another profile first",
                before.name,
                pinned.len(),
                shown.join(", "),
                if pinned.len() > shown.len() { ", …" } else { "" }
            ),
            current: None,
        });
    }
    let gone = sqlx::query("DELETE FROM profiles WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::stale("profile", &before.name, version, before.version + 1, None::<&()>));
    }
    audit::record(&mut tx, Some(actor), "profile", id, "delete", serde_json::to_value(&before).ok(), None).await?;
    tx.commit().await?;
    Ok(())
}
