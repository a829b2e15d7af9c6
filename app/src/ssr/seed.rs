//! Loads the seed ADR's reference data into an empty database.

use sqlx::PgPool;

use crate::AppError;
use crate::api::types::ProfileInput;
use domain::reference::Reference;

/// Inserts criteria, candidates, scores and profiles when the criteria table is empty, all in one
/// transaction. Returns whether anything was loaded.
pub async fn load_reference_if_empty(pool: &PgPool, reference: &Reference) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    // Two servers starting at once must not both load: the first takes the lock, the second waits
    // and then sees the rows.
    sqlx::query("LOCK TABLE criteria IN EXCLUSIVE MODE").execute(&mut *tx).await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM criteria").fetch_one(&mut *tx).await?;
    if count > 0 {
        return Ok(false);
    }
    for (pos, c) in reference.criteria.iter().enumerate() {
        sqlx::query("INSERT INTO criteria (key, position, name, why) VALUES ($1, $2, $3, $4)")
            .bind(&c.key)
            .bind(pos as i32)
            .bind(&c.name)
            .bind(&c.why)
            .execute(&mut *tx)
            .await?;
    }
    for (pos, c) in reference.candidates.iter().enumerate() {
        let status = match c.status {
            domain::CandidateStatus::Scored => "scored",
            domain::CandidateStatus::Dismissed => "dismissed",
        };
        sqlx::query(
            "INSERT INTO candidates (key, position, name, status, summary, dismissed_reason) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&c.key)
        .bind(pos as i32)
        .bind(&c.name)
        .bind(status)
        .bind(&c.summary)
        .bind(&c.dismissed_reason)
        .execute(&mut *tx)
        .await?;
    }
    for s in &reference.scores {
        sqlx::query(
            "INSERT INTO scores (candidate_key, criterion_key, tier, score, rationale) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.candidate)
        .bind(&s.criterion)
        .bind(s.tier.map(domain::Tier::as_str))
        .bind(i16::from(s.score))
        .bind(&s.rationale)
        .execute(&mut *tx)
        .await?;
    }
    let model = reference.model();
    for p in &reference.profiles {
        let input = ProfileInput {
            name: p.name.clone(),
            description: p.description.clone(),
            tier: p.tier,
            context: p.context,
            weights: p.weights.clone(),
        };
        super::db::insert_profile(&mut tx, &model, &input.validate(&model)?, None).await?;
    }
    tx.commit().await?;
    Ok(true)
}
