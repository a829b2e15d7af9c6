//! Two database roles: the owner runs migrations and owns every table; the server serves as
//! [`APP_ROLE`], which may read and write the application's tables but only `SELECT` and `INSERT`
//! the audit log and the ADR reviews, never delete an ADR, and owns nothing, so it can neither
//! rewrite history nor drop or disable the triggers that guard it.
//!
//! With one `DATABASE_URL` (a role that may create roles, as on a developer machine) the server
//! creates `switchyard_app` itself and every pooled connection runs `SET ROLE switchyard_app`.
//! Deployments that hand out two logins set `SWITCHYARD_MIGRATE_DATABASE_URL` for the owner and
//! `DATABASE_URL` for the application login; then the grants below are given to that login's
//! role instead.

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Executor, Row};

/// The role the server serves as when it can create it.
pub const APP_ROLE: &str = "switchyard_app";

/// Creates [`APP_ROLE`] when missing and the owner may create roles; true when it exists.
pub async fn ensure_app_role(owner: &PgPool) -> anyhow::Result<bool> {
    let row = sqlx::query(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists,
                (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) AS may_create",
    )
    .bind(APP_ROLE)
    .fetch_one(owner)
    .await
    .context("looking up the application role")?;
    if row.try_get::<bool, _>("exists")? {
        return Ok(true);
    }
    if !row.try_get::<Option<bool>, _>("may_create")?.unwrap_or(false) {
        tracing::warn!(
            "the database user may not create roles: serving as the owner, so the audit log's trigger is only as safe \
             as that login; set SWITCHYARD_MIGRATE_DATABASE_URL and a separate DATABASE_URL to fix this"
        );
        return Ok(false);
    }
    // Roles are shared by every database of the server: two servers (or tests) starting at once
    // may both try, and one of them sees the other's role.
    owner
        .execute(
            "DO $$ BEGIN
               CREATE ROLE switchyard_app NOLOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$",
        )
        .await
        .context("creating the application role")?;
    Ok(true)
}

/// Gives `role` what serving needs in this database, and nothing more: all tables but the
/// migrations' bookkeeping; the audit log and the ADR reviews only to read and append; ADRs to
/// read, add and update (never delete); the ADR counter only to read and advance.
pub async fn grant_serving_rights(owner: &PgPool, role: &str) -> anyhow::Result<()> {
    let role = quote_ident(role);
    for sql in [
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE ALL ON audit_log FROM {role}"),
        format!("GRANT SELECT, INSERT ON audit_log TO {role}"),
        format!("REVOKE ALL ON adr_reviews FROM {role}"),
        format!("GRANT SELECT, INSERT ON adr_reviews TO {role}"),
        format!("REVOKE DELETE, TRUNCATE ON adrs FROM {role}"),
        format!("REVOKE INSERT, DELETE, TRUNCATE ON adr_counter FROM {role}"),
        format!("REVOKE ALL ON _sqlx_migrations FROM {role}"),
    ] {
        owner.execute(sql.as_str()).await.with_context(|| format!("granting serving rights: {sql}"))?;
    }
    Ok(())
}

/// A pool whose connections act as [`APP_ROLE`] (`SET ROLE` right after connecting).
pub async fn app_pool(options: PgConnectOptions, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("SET ROLE switchyard_app").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL as the application role")
}

/// `"name"`, with quotes doubled: a role name from configuration is an identifier, not SQL.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The pool the server serves with. With `app_url` (two logins), that login, after granting its
/// role the serving rights; otherwise [`APP_ROLE`] on the owner's connection settings when it
/// exists; otherwise, with a warning logged by [`ensure_app_role`], the owner's own pool.
pub async fn serving_pool(owner: &PgPool, app_url: Option<&str>, max_connections: u32) -> anyhow::Result<PgPool> {
    if let Some(url) = app_url {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(url)
            .await
            .context("connecting to PostgreSQL with DATABASE_URL (the application login)")?;
        let role: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&pool).await?;
        grant_serving_rights(owner, &role).await?;
        return Ok(pool);
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(APP_ROLE)
        .fetch_one(owner)
        .await?;
    if exists { app_pool((*owner.connect_options()).clone(), max_connections).await } else { Ok(owner.clone()) }
}
