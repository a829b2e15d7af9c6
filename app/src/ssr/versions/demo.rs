//! The demo fleet's observations, relative to today so every version status shows: most clusters
//! report their pin a day ago; the Querétaro plant runs another release than its pin (drift);
//! Brno's unpinned cells last reported 45 days ago (stale); Monterrey's cells never reported.

use sqlx::PgPool;

use crate::AppError;

/// Adds the demo observations when no cluster has reported yet; returns how many were added.
pub async fn load(pool: &PgPool) -> Result<u64, AppError> {
    let any: Option<i64> =
        sqlx::query_scalar("SELECT cluster_id FROM cluster_latest_observations LIMIT 1").fetch_optional(pool).await?;
    if any.is_some() {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    // One row per demo cluster that reports: (cluster, cni, version, days ago).
    let rows = sqlx::query(
        "WITH seen AS (
           SELECT c.id, c.decided_cni AS cni,
             CASE WHEN c.name = 'plant-queretaro' THEN '3.30.7'
                  WHEN c.name LIKE 'cell-brno-%' THEN '3.28.5'
                  ELSE c.facts ->> 'pinned_version' END AS version,
             c.facts ->> 'kernel' AS kernel,
             CASE WHEN c.name LIKE 'cell-brno-%' THEN 45 ELSE 1 END AS days_ago
           FROM clusters c
           WHERE c.name NOT LIKE 'cell-monterrey-%' AND c.name NOT LIKE 'syn-%' AND c.decided_cni IS NOT NULL
         ), stored AS (
           INSERT INTO cluster_observations (cluster_id, cni, version, kernel, observed_at)
           SELECT id, cni, version, kernel, date_trunc('hour', now()) - make_interval(days => days_ago)
           FROM seen WHERE version IS NOT NULL
           RETURNING cluster_id, cni, version, kernel, observed_at
         )
         INSERT INTO cluster_latest_observations (cluster_id, cni, version, kernel, observed_at)
         SELECT cluster_id, cni, version, kernel, observed_at FROM stored",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let after = serde_json::json!({"observations": rows, "source": "demo"});
    crate::ssr::audit::record(&mut tx, None, "observation", "demo", "report", None, Some(after)).await?;
    tx.commit().await?;
    Ok(rows)
}
