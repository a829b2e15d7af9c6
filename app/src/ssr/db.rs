//! The decision model's reads shared by every feature: criteria, candidates and scores in one
//! round trip, and the health check.

use sqlx::PgPool;

use crate::AppError;
use domain::Model;

/// Values stored by the schema's CHECK constraints always parse; anything else is corruption.
pub(crate) fn parse_stored<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, AppError> {
    s.parse().map_err(|_| {
        tracing::error!(what, value = s, "unexpected value in the database");
        AppError::Internal
    })
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

/// True when the database answers a query within two seconds. While the database is down the
/// pool keeps retrying the connection for its whole acquire timeout (30 s); a health check has to
/// answer before the prober gives up, so it stops waiting much sooner.
pub async fn ping(pool: &PgPool) -> bool {
    let query = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool);
    matches!(tokio::time::timeout(std::time::Duration::from_secs(2), query).await, Ok(Ok(_)))
}
