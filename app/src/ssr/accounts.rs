//! Users and API tokens: the services behind the admin pages and the account API, every change
//! audited in the same transaction, and the account rules (password, email).

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{FromRow, PgPool};

use super::Ctx;
use super::audit;
use super::auth::{Principal, hash_password, random_secret, secret_hash};
use crate::model::{NewToken, NewUser, Role, Scope, Token, User, UserPatch};
use crate::{AppError, OnConstraint};
use domain::ValidationError;

/// Checks a password against the minimum rules; the message says what is missing.
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(ValidationError::field("password", format!("use at least 12 characters (this one has {n})")));
    }
    if n > 256 {
        return Err(ValidationError::field("password", "use at most 256 characters"));
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err(ValidationError::field("password", "a single repeated character is not a password"));
    }
    Ok(())
}

/// Normalises and checks an email address.
pub fn normalise_email(email: &str) -> Result<String, ValidationError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !e.contains(char::is_whitespace);
    if ok { Ok(e) } else { Err(ValidationError::field("email", "give an email address like ada@example.com")) }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl UserRow {
    fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: self.role.parse().unwrap_or(Role::Viewer),
            disabled: self.disabled,
            created_at: rfc3339(self.created_at),
        }
    }
}

const USER_COLUMNS: &str = "id, email, display_name, role, disabled, created_at";

fn check_display_name(err: &mut ValidationError, name: &str) {
    let n = name.trim().chars().count();
    if n == 0 || n > 120 {
        err.add("display_name", "give a display name of 1 to 120 characters");
    } else if let Some(m) = domain::text::invisible_problem(name) {
        err.add("display_name", m);
    }
}

/// All users by email (admins).
pub async fn list_users(ctx: &Ctx) -> Result<Vec<User>, AppError> {
    ctx.reader(Role::Admin)?;
    let rows = sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))
        .fetch_all(&ctx.pool)
        .await?;
    Ok(rows.into_iter().map(UserRow::into_user).collect())
}

/// One user or `NotFound`.
pub async fn get_user(pool: &PgPool, id: i64) -> Result<User, AppError> {
    sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(UserRow::into_user)
        .ok_or_else(|| AppError::NotFound(format!("no user with id {id}")))
}

/// Creates a user (admins) after checking every field; a taken email is a conflict.
pub async fn create_user(ctx: &Ctx, new: NewUser) -> Result<User, AppError> {
    let actor = ctx.writer(Role::Admin)?;
    insert_user(&ctx.pool, Some(actor), new).await
}

/// Creates a user without a role check: for start-up (the first admin, `actor` `None`) and tests.
pub async fn insert_user(pool: &PgPool, actor: Option<&Principal>, new: NewUser) -> Result<User, AppError> {
    let mut err = ValidationError::default();
    let email = normalise_email(&new.email).map_err(|e| err.fields.extend(e.fields)).ok();
    check_display_name(&mut err, &new.display_name);
    if let Err(e) = check_password(&new.password) {
        err.fields.extend(e.fields);
    }
    let email = err.into_result(email)?.unwrap_or_default();
    let hash = hash_password(new.password).await?;
    let mut tx = pool.begin().await?;
    let row = sqlx::query_as::<_, UserRow>(&format!(
        "INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING {USER_COLUMNS}"
    ))
    .bind(&email)
    .bind(new.display_name.trim())
    .bind(new.role.as_str())
    .bind(hash)
    .fetch_one(&mut *tx)
    .await
    .on_constraint("users_email_key", || AppError::Conflict {
        message: format!("a user with the email {email} already exists"),
        current: None,
    })?;
    let user = row.into_user();
    audit::record(&mut tx, actor, "user", user.id, "create", None, serde_json::to_value(&user).ok()).await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes a user's name, role, disabled flag or password (admins). Disabling a user or setting
/// their password ends all of their sessions; setting the password also revokes their API tokens
/// (a reset means the old credentials may be known). At least one active admin always remains.
pub async fn patch_user(ctx: &Ctx, id: i64, patch: UserPatch) -> Result<User, AppError> {
    let actor = ctx.writer(Role::Admin)?;
    let pool = &ctx.pool;
    let mut err = ValidationError::default();
    if let Some(n) = &patch.display_name {
        check_display_name(&mut err, n);
    }
    if let Some(p) = &patch.password
        && let Err(e) = check_password(p)
    {
        err.fields.extend(e.fields);
    }
    if actor.user_id == id && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r < Role::Admin)) {
        err.add("role", "you cannot disable yourself or take away your own admin role; ask another admin");
    }
    err.into_result(())?;
    let hash = match patch.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let before = get_user(pool, id).await?;
    let mut tx = pool.begin().await?;
    let loses_admin = before.role == Role::Admin
        && !before.disabled
        && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r < Role::Admin));
    if loses_admin {
        // Locks every active admin, so two admins demoting each other at once are serialised and
        // the second sees that only one admin is left.
        let admins: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' AND NOT disabled FOR UPDATE")
                .fetch_all(&mut *tx)
                .await?;
        if admins.iter().all(|a| *a == id) {
            return Err(AppError::Conflict {
                message: format!("{} is the last active admin; make another user admin first", before.email),
                current: None,
            });
        }
    }
    let row = sqlx::query_as::<_, UserRow>(&format!(
        "UPDATE users SET display_name = coalesce($2, display_name), role = coalesce($3, role),
           disabled = coalesce($4, disabled), password_hash = coalesce($5, password_hash),
           version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(id)
    .bind(patch.display_name.as_deref().map(str::trim))
    .bind(patch.role.map(Role::as_str))
    .bind(patch.disabled)
    .bind(hash.as_deref())
    .fetch_one(&mut *tx)
    .await?;
    if patch.password.is_some() || patch.disabled == Some(true) {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    if patch.password.is_some() {
        revoke_all_tokens(&mut tx, id).await?;
    }
    let user = row.into_user();
    let mut after = serde_json::to_value(&user).unwrap_or_default();
    if patch.password.is_some() {
        after["password"] = "changed".into();
    }
    audit::record(&mut tx, Some(actor), "user", id, "update", serde_json::to_value(&before).ok(), Some(after)).await?;
    tx.commit().await?;
    Ok(user)
}

/// Revokes every live API token of a user, in `tx`; returns how many.
async fn revoke_all_tokens(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, user_id: i64) -> Result<u64, AppError> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// What `switchyard reset-password` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Reset {
    /// The user was disabled and is enabled again.
    pub re_enabled: bool,
    /// API tokens revoked.
    pub tokens_revoked: u64,
}

/// Sets a new password from the shell (`switchyard reset-password`): ends the user's sessions,
/// revokes their API tokens, forgets their failed sign-ins and enables them again if disabled,
/// all audited.
pub async fn reset_password(pool: &PgPool, email: &str, password: String) -> Result<Reset, AppError> {
    check_password(&password)?;
    let email = normalise_email(email)?;
    let hash = hash_password(password).await?;
    let mut tx = pool.begin().await?;
    let row: Option<(i64, bool)> = sqlx::query_as("SELECT id, disabled FROM users WHERE email = $1 FOR UPDATE")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    let (id, was_disabled) = row.ok_or_else(|| AppError::NotFound(format!("no user with email {email}")))?;
    sqlx::query(
        "UPDATE users SET password_hash = $2, disabled = false, version = version + 1, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    let tokens_revoked = revoke_all_tokens(&mut tx, id).await?;
    let after = serde_json::json!({"email": email, "re_enabled": was_disabled, "tokens_revoked": tokens_revoked});
    audit::record(&mut tx, None, "user", id, "reset_password", None, Some(after)).await?;
    tx.commit().await?;
    super::throttle::forget_account(pool, &email).await?;
    Ok(Reset { re_enabled: was_disabled, tokens_revoked })
}

/// Creates the first admin when there are no users. Returns the generated password when none
/// was given, so it can be shown once.
pub async fn bootstrap_admin(
    pool: &PgPool,
    email: Option<String>,
    password: Option<String>,
) -> Result<Option<(String, Option<String>)>, AppError> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await?;
    if count > 0 {
        return Ok(None);
    }
    let email = email.unwrap_or_else(|| "admin@switchyard.local".into());
    let (password, generated) = match password {
        Some(p) => (p, None),
        None => {
            let p = random_secret()[..20].to_string();
            (p.clone(), Some(p))
        }
    };
    let new = NewUser { email: email.clone(), display_name: "Administrator".into(), role: Role::Admin, password };
    let user = insert_user(pool, None, new).await?;
    Ok(Some((user.email, generated)))
}

#[derive(FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    scope: String,
    owner: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    fn into_token(self) -> Token {
        Token {
            id: self.id,
            name: self.name,
            scope: if self.scope == "write" { Scope::Write } else { Scope::Read },
            owner: self.owner,
            created_at: rfc3339(self.created_at),
            last_used_at: self.last_used_at.map(rfc3339),
            revoked_at: self.revoked_at.map(rfc3339),
            expires_at: self.expires_at.map(rfc3339),
        }
    }
}

/// Tokens visible to the caller: all for an admin, their own otherwise.
pub async fn list_tokens(ctx: &Ctx) -> Result<Vec<Token>, AppError> {
    tokens_visible_to(&ctx.pool, ctx.principal()).await
}

async fn tokens_visible_to(pool: &PgPool, actor: &Principal) -> Result<Vec<Token>, AppError> {
    let rows = sqlx::query_as::<_, TokenRow>(
        "SELECT t.id, t.name, t.scope, u.email AS owner, t.created_at, t.last_used_at, t.revoked_at, t.expires_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE $1 OR t.user_id = $2 ORDER BY t.id DESC",
    )
    .bind(actor.role == Role::Admin)
    .bind(actor.user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(TokenRow::into_token).collect())
}

/// Creates a token and returns it with the secret, which is shown this once. Architects create
/// tokens for themselves; admins for anyone.
pub async fn create_token(ctx: &Ctx, new: NewToken) -> Result<(Token, String), AppError> {
    let actor = ctx.writer(Role::Architect)?;
    let pool = &ctx.pool;
    let owner = new.user_id.unwrap_or(actor.user_id);
    if owner != actor.user_id {
        ctx.writer(Role::Admin)?;
    }
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field("name", "give the token a name of 1 to 80 characters, e.g. 'argo-cd plant 7'"));
    }
    if let Some(m) = domain::text::invisible_problem(name) {
        return Err(AppError::field("name", m));
    }
    let owner_user = get_user(pool, owner).await?;
    if new.scope == Scope::Write && owner_user.role == Role::Viewer {
        return Err(AppError::field("scope", "a viewer's token can only read; choose scope 'read'"));
    }
    if new.expires_in_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(AppError::field(
            "expires_in_days",
            "give 1 to 3650 days, or leave it out for a token that lasts until revoked",
        ));
    }
    let secret = format!("sy_{}", random_secret());
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, scope, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING id",
    )
    .bind(owner)
    .bind(name)
    .bind(if new.scope == Scope::Write { "write" } else { "read" })
    .bind(secret_hash(&secret))
    .bind(new.expires_in_days.and_then(|d| i32::try_from(d).ok()))
    .fetch_one(&mut *tx)
    .await?;
    let after = serde_json::json!({
        "id": id, "name": name, "scope": new.scope, "owner": owner_user.email, "expires_in_days": new.expires_in_days
    });
    audit::record(&mut tx, Some(actor), "token", id, "create", None, Some(after)).await?;
    tx.commit().await?;
    let token = tokens_visible_to(pool, actor).await?.into_iter().find(|t| t.id == id).ok_or(AppError::Internal)?;
    Ok((token, secret))
}

/// Revokes a token (its owner or an admin).
pub async fn revoke_token(ctx: &Ctx, id: i64) -> Result<(), AppError> {
    let actor = ctx.writer(Role::Viewer)?;
    let mut tx = ctx.pool.begin().await?;
    let owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let owner = owner.ok_or_else(|| AppError::NotFound(format!("no active token with id {id}")))?;
    if owner != actor.user_id {
        ctx.writer(Role::Admin)?;
    }
    sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1").bind(id).execute(&mut *tx).await?;
    audit::record(&mut tx, Some(actor), "token", id, "revoke", None, None).await?;
    tx.commit().await?;
    Ok(())
}
