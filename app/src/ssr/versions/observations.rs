//! What pipelines report a cluster runs: a batch is validated whole (every bad item named, nothing
//! written), then stored with one audit entry; each cluster keeps its latest observation and the
//! last [`HISTORY`] ones.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::AppError;
use crate::model::{ObservationInput, ObservationReport, Role};
use crate::ssr::{Ctx, audit};
use domain::Kernel;
use domain::versions::CniVersion;

/// Observations kept per cluster.
pub const HISTORY: i64 = 20;

/// Most items in one batch.
pub const MAX_BATCH: usize = 20_000;

/// How far in the future an observation may claim to be (clock skew between machines).
const FUTURE_SLACK_MINUTES: i64 = 10;

struct Valid {
    cluster_id: i64,
    cni: String,
    version: String,
    kernel: Option<String>,
    at: DateTime<Utc>,
}

/// Stores a batch of observations (write token or architect): every item is checked first, and
/// one bad item (unknown cluster, unknown CNI, bad version, kernel or time) fails the whole batch
/// with a 422 naming each (`[3].version`).
pub async fn report_observations(ctx: &Ctx, items: Vec<ObservationInput>) -> Result<ObservationReport, AppError> {
    let actor = ctx.writer(Role::Architect)?;
    if items.is_empty() {
        return Err(AppError::field("observations", "send a JSON array with at least one observation"));
    }
    if items.len() > MAX_BATCH {
        return Err(AppError::field(
            "observations",
            format!("{} observations in one batch; send at most {MAX_BATCH} per request", items.len()),
        ));
    }
    let model = ctx.model().await?;
    let names: Vec<&str> = items.iter().map(|i| i.cluster.as_str()).collect();
    let ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT name, id FROM clusters WHERE name = ANY($1)")
            .bind(&names)
            .fetch_all(&ctx.pool)
            .await?
            .into_iter()
            .collect();
    let now = Utc::now();
    let mut err = domain::ValidationError::default();
    let mut valid = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let at = |f: &str| format!("[{i}].{f}");
        let cluster_id = ids.get(&item.cluster).copied();
        if cluster_id.is_none() {
            err.add(at("cluster"), format!("no cluster named '{}'; register it first", item.cluster));
        }
        if !model.candidates.iter().any(|c| c.key == item.cni) {
            let known: Vec<&str> = model.candidates.iter().map(|c| c.key.as_str()).collect();
            err.add(at("cni"), format!("'{}' is not a known CNI; use one of {}", item.cni, known.join(", ")));
        }
        let version = match CniVersion::parse(&item.version) {
            Ok(v) if !v.is_minor_only() => Some(v),
            Ok(v) => {
                err.add(at("version"), format!("'{v}' is a minor line; report the full release, e.g. {v}.0"));
                None
            }
            Err(e) => {
                err.add(at("version"), e.fields.into_values().next().unwrap_or_default());
                None
            }
        };
        let kernel = item.kernel.filter(|k| !k.trim().is_empty());
        if let Some(k) = &kernel
            && let Err(e) = Kernel::parse(k)
        {
            err.add(at("kernel"), e.fields.into_values().next().unwrap_or_default());
        }
        let when = match item.observed_at.as_deref().filter(|s| !s.is_empty()) {
            None => Some(now),
            Some(s) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) if t.with_timezone(&Utc) > now + Duration::minutes(FUTURE_SLACK_MINUTES) => {
                    err.add(at("observed_at"), format!("{s} is in the future; send when the version was seen"));
                    None
                }
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    err.add(at("observed_at"), format!("'{s}' is not an RFC 3339 time such as 2026-11-30T08:00:00Z"));
                    None
                }
            },
        };
        if let (Some(cluster_id), Some(version), Some(at)) = (cluster_id, version, when) {
            valid.push(Valid { cluster_id, cni: item.cni, version: version.to_string(), kernel, at });
        }
    }
    if !err.fields.is_empty() {
        return Err(err.into());
    }
    let accepted = valid.len();
    let cluster_ids: Vec<i64> = valid.iter().map(|v| v.cluster_id).collect();
    let cnis: Vec<&str> = valid.iter().map(|v| v.cni.as_str()).collect();
    let versions: Vec<&str> = valid.iter().map(|v| v.version.as_str()).collect();
    let kernels: Vec<Option<&str>> = valid.iter().map(|v| v.kernel.as_deref()).collect();
    let times: Vec<DateTime<Utc>> = valid.iter().map(|v| v.at).collect();
    let mut tx = ctx.pool.begin().await?;
    // Every observation goes to the history; the newest of the batch per cluster replaces that
    // cluster's latest unless the latest is newer still.
    let changed = sqlx::query(
        "WITH batch AS (
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
             WITH ORDINALITY AS t(cluster_id, cni, version, kernel, observed_at, n)
         ), stored AS (
           INSERT INTO cluster_observations (cluster_id, cni, version, kernel, observed_at)
           SELECT cluster_id, cni, version, kernel, observed_at FROM batch
         )
         INSERT INTO cluster_latest_observations (cluster_id, cni, version, kernel, observed_at)
         SELECT DISTINCT ON (cluster_id) cluster_id, cni, version, kernel, observed_at
         FROM batch ORDER BY cluster_id, observed_at DESC, n DESC
         ON CONFLICT (cluster_id) DO UPDATE SET cni = excluded.cni, version = excluded.version,
           kernel = excluded.kernel, observed_at = excluded.observed_at
         WHERE cluster_latest_observations.observed_at <= excluded.observed_at",
    )
    .bind(&cluster_ids)
    .bind(&cnis)
    .bind(&versions)
    .bind(&kernels)
    .bind(&times)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM cluster_observations WHERE id IN (
           SELECT id FROM (
             SELECT id, row_number() OVER (PARTITION BY cluster_id ORDER BY observed_at DESC, id DESC) AS n
             FROM cluster_observations WHERE cluster_id = ANY($1)) ranked
           WHERE n > $2)",
    )
    .bind(&cluster_ids)
    .bind(HISTORY)
    .execute(&mut *tx)
    .await?;
    let clusters: std::collections::BTreeSet<i64> = cluster_ids.iter().copied().collect();
    let after = serde_json::json!({"observations": accepted, "clusters": clusters.len()});
    audit::record(&mut tx, Some(actor), "observation", "batch", "report", None, Some(after)).await?;
    tx.commit().await?;
    Ok(ObservationReport { accepted, clusters: usize::try_from(changed).unwrap_or(usize::MAX) })
}
