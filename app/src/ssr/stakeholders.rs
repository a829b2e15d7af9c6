//! Stakeholder weights of a profile: the service behind `/api/v1/profiles/{id}/stakeholders` and
//! the studio's stakeholder forms, and its SQL.
//!
//! Who may write: anyone signed in (with a session or a write token) enters and changes their
//! own weights (`mine`, linked to their account); architects also enter, change and remove
//! anyone's, on their behalf. Every write checks the version read (409 when stale) and is
//! audited in the same transaction.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{FromRow, PgPool};
use std::collections::BTreeMap;

use super::audit;
use super::auth::Principal;
use super::db::parse_stored;
use super::{Ctx, check_versioned};
use crate::model::{
    AggregateChange, CriterionSpread, Profile, Role, Stakeholder, StakeholderBoard, StakeholderForm, StakeholderInput,
    StakeholderOutcome, StakeholderRanges, StakeholderRole, StudioQuery, StudioStakeholders, ValidStakeholder,
    Versioned,
};
use crate::{AppError, OnConstraint};
use domain::adr::StakeholderWeights;
use domain::stakeholders::{analyse, ranges};
use domain::weights::tenths_to_percent;
use domain::{Model, Weights, points};

#[derive(FromRow)]
struct Row {
    id: i64,
    profile_id: i64,
    name: String,
    role: String,
    user_id: Option<i64>,
    weights: sqlx::types::Json<BTreeMap<String, i64>>,
    version: i32,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

const COLUMNS: &str = "id, profile_id, name, role, user_id, weights, version, updated_at, updated_by";

impl Row {
    /// Weights aligned with today's criteria: a criterion added since weighs 0 until they edit.
    fn weights(&self, model: &Model) -> Weights {
        Weights(
            model
                .criteria
                .iter()
                .map(|c| self.weights.get(&c.key).and_then(|&t| u32::try_from(t).ok()).unwrap_or(0))
                .collect(),
        )
    }

    fn into_stakeholder(self, model: &Model) -> Result<Stakeholder, AppError> {
        let weights = self.weights(model);
        Ok(Stakeholder {
            id: self.id,
            profile_id: self.profile_id,
            role: parse_stored("stakeholder role", &self.role)?,
            name: self.name,
            user_id: self.user_id,
            weights: weights.to_percent_map(model),
            version: self.version,
            updated_at: self.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            updated_by: self.updated_by,
        })
    }
}

async fn rows(pool: &PgPool, profile_id: i64) -> Result<Vec<Row>, AppError> {
    Ok(sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM profile_stakeholders WHERE profile_id = $1 ORDER BY name, id"
    ))
    .bind(profile_id)
    .fetch_all(pool)
    .await?)
}

async fn row(pool: &PgPool, profile_id: i64, id: i64) -> Result<Row, AppError> {
    sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM profile_stakeholders WHERE profile_id = $1 AND id = $2"))
        .bind(profile_id)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("profile {profile_id} has no stakeholder with id {id}")))
}

/// The weights as stored: criterion key → tenths.
fn stored(model: &Model, w: &Weights) -> sqlx::types::Json<BTreeMap<String, i64>> {
    sqlx::types::Json(model.criteria.iter().zip(&w.0).map(|(c, &t)| (c.key.clone(), i64::from(t))).collect())
}

fn audit_json(model: &Model, profile: &Profile, s: &ValidStakeholder, name: &str) -> serde_json::Value {
    serde_json::json!({
        "profile": profile.name, "name": name, "role": s.role, "weights": s.weights.to_percent_map(model),
    })
}

/// The refusal of a second entry of one's own for a profile (`had`: its name, when known).
fn already_gave(profile: &str, had: Option<&str>) -> AppError {
    let had = had.map(|h| format!(" (as '{h}')")).unwrap_or_default();
    AppError::Conflict {
        message: format!(
            "you already gave your weights for profile '{profile}'{had}; change that entry instead of adding another"
        ),
        current: None,
    }
}

/// The principal allowed to change `row`: its own account, or an architect.
fn may_change(ctx: &Ctx, owner: Option<i64>) -> Result<&Principal, AppError> {
    let me = ctx.writer(Role::Viewer)?;
    if owner == Some(me.user_id) { Ok(me) } else { ctx.writer(Role::Architect) }
}

/// Everyone's weights for profile `profile_id` with each one's winner, the spread and the
/// aggregate (anyone signed in).
pub async fn board(ctx: &Ctx, profile_id: i64) -> Result<StakeholderBoard, AppError> {
    let model = ctx.model().await?;
    let profile = super::profiles::get_row(&ctx.pool, &model, profile_id).await?;
    let rows = rows(&ctx.pool, profile_id).await?;
    let a = Analysed::of(&model, &profile, &rows)?;
    board_of(&model, &profile, rows, a)
}

/// The profile's own weights, each stakeholder's, and the analysis of them on its tier.
struct Analysed {
    own: Weights,
    sets: Vec<Weights>,
    analysis: domain::stakeholders::Analysis,
}

impl Analysed {
    fn of(model: &Model, profile: &Profile, rows: &[Row]) -> Result<Analysed, AppError> {
        let own = Weights::from_percent_map_unchecked(model, &profile.weights)?;
        let sets: Vec<Weights> = rows.iter().map(|r| r.weights(model)).collect();
        let refs: Vec<&Weights> = sets.iter().collect();
        let analysis = analyse(&model.score_table(profile.tier), &own, &refs, profile.aggregate);
        Ok(Analysed { own, sets, analysis })
    }
}

fn board_of(model: &Model, profile: &Profile, rows: Vec<Row>, a: Analysed) -> Result<StakeholderBoard, AppError> {
    let Analysed { own, analysis: a, .. } = a;
    let stakeholders = rows
        .into_iter()
        .zip(a.outcomes)
        .map(|(r, o)| {
            Ok(StakeholderOutcome {
                stakeholder: r.into_stakeholder(model)?,
                winner: o.winner,
                margin: points(o.margin),
                flips: o.flips,
                pivotal: o.pivotal,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let spread = if stakeholders.is_empty() {
        Vec::new()
    } else {
        model
            .criteria
            .iter()
            .zip(&a.spread)
            .zip(&own.0)
            .map(|((c, s), &p)| CriterionSpread {
                criterion: c.key.clone(),
                lo: tenths_to_percent(s.lo),
                hi: tenths_to_percent(s.hi),
                mean: tenths_to_percent(s.mean),
                median: tenths_to_percent(s.median),
                profile: tenths_to_percent(p),
            })
            .collect()
    };
    Ok(StakeholderBoard {
        profile_id: profile.id,
        profile_name: profile.name.clone(),
        profile_version: profile.version,
        tier: profile.tier,
        profile_winner: a.profile_winner,
        aggregate: profile.aggregate,
        aggregate_weights: (!stakeholders.is_empty()).then(|| a.aggregate.to_percent_map(model)),
        aggregate_winner: a.aggregate_winner,
        aggregate_margin: points(a.aggregate_margin),
        stakeholders,
        spread,
    })
}

/// The ranges the robustness analysis samples within, when at least two stakeholders gave weights.
pub(crate) async fn ranges_of(
    pool: &PgPool,
    model: &Model,
    profile_id: i64,
) -> Result<Option<StakeholderRanges>, AppError> {
    let sets: Vec<Weights> = rows(pool, profile_id).await?.iter().map(|r| r.weights(model)).collect();
    Ok(ranges_within(&sets))
}

fn ranges_within(sets: &[Weights]) -> Option<StakeholderRanges> {
    if sets.len() < 2 {
        return None;
    }
    let refs: Vec<&Weights> = sets.iter().collect();
    ranges(&refs).map(|(lo, hi)| StakeholderRanges { count: u32::try_from(sets.len()).unwrap_or(u32::MAX), lo, hi })
}

/// The stakeholders' weights of `profile_id` as an ADR snapshot records them.
pub(crate) async fn for_snapshot(
    pool: &PgPool,
    model: &Model,
    profile_id: i64,
) -> Result<Vec<StakeholderWeights>, AppError> {
    Ok(rows(pool, profile_id)
        .await?
        .into_iter()
        .map(|r| StakeholderWeights { weights: r.weights(model).0, role: r.role.clone(), name: r.name })
        .collect())
}

/// Adds a stakeholder's weights to profile `profile_id`: your own (`mine`, anyone signed in) or
/// someone else's (architects).
pub async fn create(ctx: &Ctx, profile_id: i64, input: StakeholderInput) -> Result<Stakeholder, AppError> {
    let actor = if input.mine { ctx.writer(Role::Viewer)? } else { ctx.writer(Role::Architect)? };
    let model = ctx.model().await?;
    let valid = input.validate(&model)?;
    let profile = super::profiles::get_row(&ctx.pool, &model, profile_id).await?;
    // Your own weights without a name go by your display name (cut to a stakeholder name's 80
    // characters).
    let name = if valid.name.is_empty() { actor.display_name.chars().take(80).collect() } else { valid.name.clone() };
    let mut tx = ctx.pool.begin().await?;
    if valid.mine {
        let had: Option<String> =
            sqlx::query_scalar("SELECT name FROM profile_stakeholders WHERE profile_id = $1 AND user_id = $2")
                .bind(profile_id)
                .bind(actor.user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(had) = had {
            return Err(already_gave(&profile.name, Some(&had)));
        }
    }
    let created = sqlx::query_as::<_, Row>(&format!(
        "INSERT INTO profile_stakeholders (profile_id, name, role, user_id, weights, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(profile_id)
    .bind(&name)
    .bind(valid.role.as_str())
    .bind(valid.mine.then_some(actor.user_id))
    .bind(stored(&model, &valid.weights))
    .bind(actor.label())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        let constraint = match &e {
            sqlx::Error::Database(db) => db.constraint().map(str::to_string),
            _ => None,
        };
        match constraint.as_deref() {
            Some("profile_stakeholders_name_key") => {
                AppError::taken(&format!("stakeholder of profile '{}'", profile.name), &name)
            }
            // Two of one's own entries posted at once: the database decides.
            Some("profile_stakeholders_user_key") => already_gave(&profile.name, None),
            _ => e.into(),
        }
    })?;
    audit::record(
        &mut tx,
        Some(actor),
        "stakeholder",
        created.id,
        "create",
        None,
        Some(audit_json(&model, &profile, &valid, &name)),
    )
    .await?;
    tx.commit().await?;
    created.into_stakeholder(&model)
}

/// Changes a stakeholder's weights, name or role when `version` is still current: your own, or
/// anyone's for architects.
pub async fn update(
    ctx: &Ctx,
    profile_id: i64,
    id: i64,
    body: Versioned<StakeholderInput>,
) -> Result<Stakeholder, AppError> {
    ctx.writer(Role::Viewer)?;
    let model = ctx.model().await?;
    let before = row(&ctx.pool, profile_id, id).await?;
    let actor = may_change(ctx, before.user_id)?;
    let (valid, version) = check_versioned(body, |input| input.validate(&model))?;
    let profile = super::profiles::get_row(&ctx.pool, &model, profile_id).await?;
    let name = if valid.name.is_empty() { before.name.clone() } else { valid.name.clone() };
    let mut tx = ctx.pool.begin().await?;
    let updated = sqlx::query_as::<_, Row>(&format!(
        "UPDATE profile_stakeholders SET name = $4, role = $5, weights = $6, updated_by = $7, \
         version = version + 1, updated_at = now() WHERE profile_id = $1 AND id = $2 AND version = $3 \
         RETURNING {COLUMNS}"
    ))
    .bind(profile_id)
    .bind(id)
    .bind(version)
    .bind(&name)
    .bind(valid.role.as_str())
    .bind(stored(&model, &valid.weights))
    .bind(actor.label())
    .fetch_optional(&mut *tx)
    .await
    .on_constraint("profile_stakeholders_name_key", || {
        AppError::taken(&format!("stakeholder of profile '{}'", profile.name), &name)
    })?;
    let Some(updated) = updated else {
        tx.rollback().await?;
        let current = row(&ctx.pool, profile_id, id).await?.into_stakeholder(&model)?;
        return Err(AppError::stale("stakeholder", &current.name, version, current.version, Some(&current)));
    };
    let before = before.into_stakeholder(&model)?;
    audit::record(
        &mut tx,
        Some(actor),
        "stakeholder",
        id,
        "update",
        serde_json::to_value(&before).ok(),
        Some(audit_json(&model, &profile, &valid, &name)),
    )
    .await?;
    tx.commit().await?;
    updated.into_stakeholder(&model)
}

/// Removes a stakeholder's weights when `version` is still current: your own, or anyone's for
/// architects.
pub async fn delete(ctx: &Ctx, profile_id: i64, id: i64, version: Option<i32>) -> Result<(), AppError> {
    ctx.writer(Role::Viewer)?;
    let model = ctx.model().await?;
    let before = row(&ctx.pool, profile_id, id).await?;
    let actor = may_change(ctx, before.user_id)?;
    let version = version.ok_or_else(|| {
        AppError::field("version", "send the version you read (?version=N) so weights saved since are not removed")
    })?;
    let before = before.into_stakeholder(&model)?;
    let mut tx = ctx.pool.begin().await?;
    let gone = sqlx::query("DELETE FROM profile_stakeholders WHERE profile_id = $1 AND id = $2 AND version = $3")
        .bind(profile_id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        tx.rollback().await?;
        let current = row(&ctx.pool, profile_id, id).await?.into_stakeholder(&model)?;
        return Err(AppError::stale("stakeholder", &current.name, version, current.version, Some(&current)));
    }
    audit::record(&mut tx, Some(actor), "stakeholder", id, "delete", serde_json::to_value(&before).ok(), None).await?;
    tx.commit().await?;
    Ok(())
}

/// Chooses how profile `profile_id` combines its stakeholders' weights (architects), when the
/// profile's `version` is still current.
pub async fn set_aggregate(
    ctx: &Ctx,
    profile_id: i64,
    body: Versioned<AggregateChange>,
) -> Result<StakeholderBoard, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let model = ctx.model().await?;
    let (change, version) = check_versioned(body, Ok)?;
    let before = super::profiles::get_row(&ctx.pool, &model, profile_id).await?;
    let mut tx = ctx.pool.begin().await?;
    let updated = sqlx::query_scalar::<_, i64>(
        "UPDATE profiles SET aggregate = $3, version = version + 1, updated_at = now(), updated_by = $4 \
         WHERE id = $1 AND version = $2 RETURNING id",
    )
    .bind(profile_id)
    .bind(version)
    .bind(change.aggregate.as_str())
    .bind(actor.label())
    .fetch_optional(&mut *tx)
    .await?;
    if updated.is_none() {
        tx.rollback().await?;
        return Err(AppError::stale("profile", &before.name, version, before.version, Some(&before)));
    }
    audit::record(
        &mut tx,
        Some(actor),
        "profile",
        profile_id,
        "aggregate",
        Some(serde_json::json!({ "aggregate": before.aggregate })),
        Some(serde_json::json!({ "aggregate": change.aggregate })),
    )
    .await?;
    tx.commit().await?;
    board(ctx, profile_id).await
}

/// The studio's stakeholder section for `profile`, with the entry form as the address asks
/// (`edit=` an entry, or a refused form coming back as `sh_draft=`), and the ranges the
/// robustness panel may sample within.
pub(crate) async fn studio_section(
    ctx: &Ctx,
    model: &Model,
    profile: &Profile,
    q: &StudioQuery,
) -> Result<(StudioStakeholders, Option<StakeholderRanges>), AppError> {
    let me = ctx.principal();
    let rows = rows(&ctx.pool, profile.id).await?;
    let architect = me.role >= Role::Architect;
    let editable: Vec<bool> = rows.iter().map(|r| architect || r.user_id == Some(me.user_id)).collect();
    let may_add_own = !rows.iter().any(|r| r.user_id == Some(me.user_id));
    let analysed = Analysed::of(model, profile, &rows)?;
    let (own, sets, analysis) = (&analysed.own, &analysed.sets, &analysed.analysis);
    let text = |w: &Weights| {
        model
            .criteria
            .iter()
            .zip(&w.0)
            .map(|(c, &t)| (c.key.clone(), domain::weights::format_tenths(u64::from(t))))
            .collect()
    };
    let editing = q.edit.as_deref().and_then(|e| e.trim().parse::<i64>().ok());
    let form = if let Some(draft) = q.sh_draft.as_deref().and_then(|d| serde_json::from_str::<StakeholderForm>(d).ok())
    {
        draft
    } else if let Some((r, w)) = editing
        .and_then(|id| rows.iter().zip(sets).zip(&editable).find(|((r, _), e)| r.id == id && **e).map(|(rw, _)| rw))
    {
        StakeholderForm {
            id: Some(r.id),
            version: Some(r.version),
            name: r.name.clone(),
            role: r.role.clone(),
            weights: text(w),
            mine: r.user_id == Some(me.user_id),
        }
    } else {
        StakeholderForm {
            role: StakeholderRole::Consulted.as_str().to_string(),
            weights: text(own),
            // A viewer can only give their own; an architect more often enters others'.
            mine: !architect,
            ..StakeholderForm::default()
        }
    };
    let chart = if rows.is_empty() {
        String::new()
    } else {
        let refs: Vec<&Weights> = sets.iter().collect();
        crate::charts::spread_svg(model, &analysis.spread, &refs, &analysis.aggregate, own)
    };
    let aggregate_link = (!rows.is_empty()).then(|| {
        let mut to = form_urlencoded::Serializer::new(String::new());
        to.append_pair("profile", &profile.id.to_string());
        to.append_pair("tier", profile.tier.map_or("", |t| t.as_str()));
        to.append_pair(
            "weights",
            &serde_json::to_string(&analysis.aggregate.to_percent_map(model)).unwrap_or_default(),
        );
        format!("/?{}", to.finish())
    });
    let notice = q.stakeholders.as_deref().and_then(|s| match s {
        "added" => Some("Stakeholder weights added."),
        "updated" => Some("Stakeholder weights updated."),
        "removed" => Some("Stakeholder weights removed."),
        "aggregate" => Some("Aggregate changed."),
        _ => None,
    });
    let ranges = ranges_within(sets);
    let section = StudioStakeholders {
        board: board_of(model, profile, rows, analysed)?,
        editable,
        for_others: architect,
        may_add_own,
        form,
        notice: notice.map(str::to_string),
        error: q.sh_error.clone().filter(|e| !e.trim().is_empty()),
        chart,
        aggregate_link,
    };
    Ok((section, ranges))
}

/// The demo's stakeholders: three parties weigh the "Plant brownfield" profile, and the plant
/// network team's weights pick another winner than the security and platform teams'. Returns how
/// many were added; running it again adds none.
pub async fn load_demo(pool: &PgPool) -> Result<usize, AppError> {
    const DEMO: [(&str, &str, [u32; 9]); 3] = [
        ("Plant network team", "consulted", [50, 0, 100, 0, 50, 200, 300, 250, 50]),
        ("OT security", "decision-maker", [250, 150, 150, 50, 200, 50, 50, 50, 50]),
        ("Platform team", "decision-maker", [100, 50, 200, 150, 100, 100, 100, 150, 50]),
    ];
    let model = super::db::load_model(pool).await?;
    let Some(profile_id) = sqlx::query_scalar::<_, i64>("SELECT id FROM profiles WHERE name = 'Plant brownfield'")
        .fetch_optional(pool)
        .await?
    else {
        return Ok(0);
    };
    let mut tx = pool.begin().await?;
    let mut added = 0;
    // The reference model's criteria, in the order of the weights above.
    const KEYS: [&str; 9] = [
        "identity_policy",
        "l7_policy",
        "observability",
        "multi_cluster",
        "encryption",
        "performance_footprint",
        "bgp_underlay",
        "operational_simplicity",
        "governance",
    ];
    for (name, role, tenths) in DEMO {
        let percents: BTreeMap<String, f64> =
            KEYS.iter().zip(tenths).map(|(k, t)| ((*k).to_string(), tenths_to_percent(t))).collect();
        // A model edited since (criteria renamed or added) gets no demo stakeholders.
        let Ok(weights) = Weights::from_percent_map(&model, &percents) else {
            break;
        };
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO profile_stakeholders (profile_id, name, role, weights, updated_by) VALUES ($1, $2, $3, $4, 'demo data') \
             ON CONFLICT ON CONSTRAINT profile_stakeholders_name_key DO NOTHING RETURNING id",
        )
        .bind(profile_id)
        .bind(name)
        .bind(role)
        .bind(stored(&model, &weights))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            let after = serde_json::json!({
                "profile": "Plant brownfield", "name": name, "role": role, "weights": weights.to_percent_map(&model),
            });
            audit::record_as(&mut tx, None, "demo data", "stakeholder", id, "create", None, Some(after)).await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}
