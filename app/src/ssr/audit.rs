//! The append-only audit log: written in the same transaction as the change it records.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::Value;
use sqlx::{FromRow, PgPool, Postgres, Transaction};

use super::Ctx;
use super::auth::Principal;
use crate::AppError;
use crate::model::{AuditEntry, AuditFilter, AuditPage, Role};

/// Entries per page when the filter names no `limit`.
pub const DEFAULT_PAGE: i64 = 200;

/// Most entries one page returns; narrow the filter or follow the cursor for more.
pub const MAX_PAGE: i64 = 1000;

/// Rows the CSV export reads per round trip while it streams.
const EXPORT_CHUNK: i64 = 1000;

/// Appends one entry. `actor` is `None` for changes made by Switchyard itself (reference data,
/// the first admin).
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    actor: Option<&Principal>,
    entity: &str,
    entity_id: impl ToString,
    action: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), AppError> {
    record_as(tx, actor, "switchyard", entity, entity_id, action, before, after).await
}

/// As [`record`], naming a change Switchyard made itself `system` (e.g. "reference data" for
/// the seed ADR) rather than "switchyard".
#[allow(clippy::too_many_arguments)]
pub async fn record_as(
    tx: &mut Transaction<'_, Postgres>,
    actor: Option<&Principal>,
    system: &str,
    entity: &str,
    entity_id: impl ToString,
    action: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_user_id, actor_token_id, actor, entity, entity_id, action, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(actor.map(|p| p.user_id))
    .bind(actor.and_then(Principal::token_id))
    .bind(actor.map_or_else(|| system.to_string(), Principal::label))
    .bind(entity)
    .bind(entity_id.to_string())
    .bind(action)
    .bind(before)
    .bind(after)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One entry of [`record_many`]: which one, what happened, before and after.
pub struct Change {
    /// Which one (id or name).
    pub entity_id: String,
    /// `create`, `update`, …
    pub action: &'static str,
    /// State before.
    pub before: Option<Value>,
    /// State after.
    pub after: Option<Value>,
}

/// Appends one entry per change in one statement (an import of thousands of rows).
pub async fn record_many(
    tx: &mut Transaction<'_, Postgres>,
    actor: Option<&Principal>,
    entity: &str,
    changes: Vec<Change>,
) -> Result<(), AppError> {
    if changes.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = changes.iter().map(|c| c.entity_id.clone()).collect();
    let actions: Vec<&str> = changes.iter().map(|c| c.action).collect();
    let (befores, afters): (Vec<Option<Value>>, Vec<Option<Value>>) =
        changes.into_iter().map(|c| (c.before, c.after)).unzip();
    sqlx::query(
        "INSERT INTO audit_log (actor_user_id, actor_token_id, actor, entity, entity_id, action, before, after)
         SELECT $1, $2, $3, $4, t.id, t.action, t.before, t.after
         FROM unnest($5::text[], $6::text[], $7::jsonb[], $8::jsonb[]) WITH ORDINALITY AS t(id, action, before, after, n)
         ORDER BY t.n",
    )
    .bind(actor.map(|p| p.user_id))
    .bind(actor.and_then(Principal::token_id))
    .bind(actor.map_or_else(|| "switchyard".to_string(), Principal::label))
    .bind(entity)
    .bind(&ids)
    .bind(&actions)
    .bind(&befores)
    .bind(&afters)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    entity: String,
    entity_id: String,
    action: String,
    before: Option<Value>,
    after: Option<Value>,
}

fn parse_time(field: &str, s: &str) -> Result<DateTime<Utc>, AppError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| AppError::field(field, format!("'{s}' is not a date; use YYYY-MM-DD or RFC 3339")))
}

/// One page of entries matching `filter`, newest first (anyone signed in: managers review the
/// log). `limit` outside 1–[`MAX_PAGE`] is a field error.
pub async fn list(ctx: &Ctx, filter: &AuditFilter) -> Result<AuditPage, AppError> {
    ctx.reader(Role::Viewer)?;
    let limit = filter.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::field("limit", format!("give 1 to {MAX_PAGE} entries per page")));
    }
    let entries = query(&ctx.pool, filter, filter.cursor, limit).await?;
    let next_cursor = if entries.len() as i64 == limit { entries.last().map(|e| e.id) } else { None };
    Ok(AuditPage { entries, next_cursor })
}

/// Every entry matching `filter` as CSV (cells escaped against spreadsheet formulas), streamed:
/// a task reads [`EXPORT_CHUNK`] rows at a time and hands over each chunk as CSV text, so memory
/// stays flat however long the log is. A database error ends the stream early (logged).
pub fn csv_stream(
    ctx: &Ctx,
    filter: AuditFilter,
) -> Result<impl futures_util::Stream<Item = Result<String, std::io::Error>> + Send + 'static, AppError> {
    ctx.reader(Role::Viewer)?;
    // A bad date is a 422 now, not an error halfway through a 200.
    for (field, value) in [("since", &filter.since), ("until", &filter.until)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            parse_time(field, v)?;
        }
    }
    let pool = ctx.pool.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    tokio::spawn(async move {
        let header = ["id", "at", "actor", "entity", "entity_id", "action", "before", "after"];
        if tx.send(Ok(domain::fleet::csv_table(&header, std::iter::empty()))).await.is_err() {
            return;
        }
        let mut cursor = filter.cursor;
        loop {
            let entries = match query(&pool, &filter, cursor, EXPORT_CHUNK).await {
                Ok(e) => e,
                Err(e) => {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            let Some(last) = entries.last().map(|e| e.id) else { return };
            let full = entries.len() as i64 == EXPORT_CHUNK;
            let json_text = |v: Option<Value>| v.as_ref().map(Value::to_string).unwrap_or_default();
            let rows = entries.into_iter().map(|e| {
                vec![
                    e.id.to_string(),
                    e.at,
                    e.actor,
                    e.entity,
                    e.entity_id,
                    e.action,
                    json_text(e.before),
                    json_text(e.after),
                ]
            });
            if tx.send(Ok(domain::fleet::csv_rows(rows))).await.is_err() || !full {
                return;
            }
            cursor = Some(last);
        }
    });
    // Fused: the body may be polled once more after the last chunk (found by schemathesis: an
    // unfused `unfold` panics then).
    Ok(futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })))
}

async fn query(
    pool: &PgPool,
    filter: &AuditFilter,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>, AppError> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let since = nonempty(&filter.since).map(|s| parse_time("since", &s)).transpose()?;
    let until = nonempty(&filter.until).map(|s| parse_time("until", &s)).transpose()?;
    let rows = sqlx::query_as::<_, Row>(
        "SELECT id, at, actor, entity, entity_id, action, before, after FROM audit_log
         WHERE ($1::text IS NULL OR entity = $1)
           AND ($2::text IS NULL OR actor ILIKE '%' || $2 || '%')
           AND ($3::timestamptz IS NULL OR at >= $3)
           AND ($4::timestamptz IS NULL OR at < $4)
           AND ($6::bigint IS NULL OR id < $6)
         ORDER BY id DESC LIMIT $5",
    )
    .bind(nonempty(&filter.entity))
    .bind(nonempty(&filter.actor).map(|a| a.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
    .bind(since)
    .bind(until)
    .bind(limit)
    .bind(before_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            actor: r.actor,
            entity: r.entity,
            entity_id: r.entity_id,
            action: r.action,
            before: r.before,
            after: r.after,
        })
        .collect())
}
