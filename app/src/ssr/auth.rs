//! Authentication: argon2id passwords, sessions and API tokens stored hashed in PostgreSQL, the
//! signed-in principal, role checks and login throttling.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, PgPool};

use super::auth_cache::{AuthCache, Kind};
use crate::AppError;
use crate::model::{Me, Role, Scope};

/// Name of the session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "switchyard_session";

/// Name of the session cookie when it is `Secure`. Browsers accept a `__Host-` cookie only if it is
/// `Secure`, has `Path=/` and no `Domain`, so neither a sibling subdomain nor a plain-HTTP page
/// can plant or shadow the session.
pub const SECURE_SESSION_COOKIE: &str = "__Host-switchyard_session";

/// OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|_| AppError::Internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes at once: each takes 19 MiB and a core for tens of milliseconds, so more than the cores
/// only queue in memory.
fn hashing() -> &'static tokio::sync::Semaphore {
    static SEMAPHORE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SEMAPHORE.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Requests waiting for a hashing slot beyond which more are refused (503 with `Retry-After`).
pub const MAX_HASH_QUEUE: usize = 64;

static HASH_QUEUE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A hashing slot, waiting in a bounded queue; `Busy` when the queue is full.
async fn hashing_slot() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    use std::sync::atomic::Ordering;
    if let Ok(permit) = hashing().try_acquire() {
        return Ok(permit);
    }
    if HASH_QUEUE.fetch_add(1, Ordering::AcqRel) >= MAX_HASH_QUEUE {
        HASH_QUEUE.fetch_sub(1, Ordering::AcqRel);
        return Err(AppError::Busy(1));
    }
    let permit = hashing().acquire().await;
    HASH_QUEUE.fetch_sub(1, Ordering::AcqRel);
    permit.map_err(|_| AppError::Internal)
}

/// Hashes a password off the async executor (it takes tens of milliseconds by design).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| AppError::Internal)
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// Checks a password against a stored hash off the executor. With no hash (unknown email) it
/// still does the work, against a throw-away hash, so the answer time does not reveal the email.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    let _slot = hashing_slot().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let Ok(a) = argon2() else { return false };
        let Some(hash) = hash else {
            // Same work as a real check, then no.
            let _ = a.hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng));
            return false;
        };
        PasswordHash::new(&hash).is_ok_and(|parsed| a.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false))
}

/// A fresh random secret for a cookie or a token (256 bits, URL-safe).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a secret: its SHA-256.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// How a request was authenticated.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// Session cookie (its hash).
    Session(Vec<u8>),
    /// API token.
    Token {
        /// Token id.
        id: i64,
        /// Token label.
        name: String,
        /// Read or write.
        scope: Scope,
    },
}

/// The user behind a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// User id.
    pub user_id: i64,
    /// Email, lower case.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// Cookie or token.
    pub via: Via,
}

impl Principal {
    /// Who, as written in the audit log.
    pub fn label(&self) -> String {
        match &self.via {
            Via::Session(_) => self.email.clone(),
            Via::Token { name, .. } => format!("{} via token '{name}'", self.email),
        }
    }

    /// The token id, when authenticated by token.
    pub fn token_id(&self) -> Option<i64> {
        match self.via {
            Via::Token { id, .. } => Some(id),
            Via::Session(_) => None,
        }
    }

    /// As shown by `GET /api/v1/me`.
    pub fn me(&self) -> Me {
        Me { email: self.email.clone(), display_name: self.display_name.clone(), role: self.role }
    }
}

#[derive(FromRow)]
struct PrincipalRow {
    user_id: i64,
    email: String,
    display_name: String,
    role: String,
    token_id: Option<i64>,
    token_name: Option<String>,
    scope: Option<String>,
    stale: bool,
    /// Seconds until the credential expires (absolute or idle), `NULL` for a token without
    /// expiry: a cached principal must not outlive it.
    valid_for: Option<f64>,
}

fn to_principal(r: PrincipalRow, via_session: Option<Vec<u8>>) -> Option<Principal> {
    let role = r.role.parse().ok()?;
    let via = match via_session {
        Some(h) => Via::Session(h),
        None => Via::Token {
            id: r.token_id?,
            name: r.token_name.unwrap_or_default(),
            scope: if r.scope.as_deref() == Some("write") { Scope::Write } else { Scope::Read },
        },
    };
    Some(Principal { user_id: r.user_id, email: r.email, display_name: r.display_name, role, via })
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle_minutes: i64,
    /// Signed out after this long regardless.
    pub absolute_hours: i64,
    /// Mark the cookie `Secure` (behind HTTPS).
    pub secure_cookie: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle_minutes: 8 * 60, absolute_hours: 7 * 24, secure_cookie: false }
    }
}

/// The principal of a live session cookie. A plain read on the hot path; `last_seen_at` is
/// written at most once a minute.
pub async fn resolve_session(
    pool: &PgPool,
    cookie: &str,
    policy: SessionPolicy,
) -> Result<Option<Principal>, AppError> {
    Ok(session_row(pool, cookie, policy).await?.map(|(p, _)| p))
}

/// As [`resolve_session`], through this server's cache of verified credentials.
pub async fn resolve_session_cached(
    pool: &PgPool,
    cache: &AuthCache,
    cookie: &str,
    policy: SessionPolicy,
) -> Result<Option<Principal>, AppError> {
    let hash = secret_hash(cookie);
    if let Some(p) = cache.get(Kind::Session, &hash) {
        return Ok(Some(p));
    }
    let generation = cache.generation();
    let found = session_row(pool, cookie, policy).await?;
    if let Some((p, valid_for)) = &found {
        cache.put(Kind::Session, hash, p.clone(), generation, *valid_for);
    }
    Ok(found.map(|(p, _)| p))
}

async fn session_row(
    pool: &PgPool,
    cookie: &str,
    policy: SessionPolicy,
) -> Result<Option<(Principal, Option<f64>)>, AppError> {
    let hash = secret_hash(cookie);
    let row = sqlx::query_as::<_, PrincipalRow>(
        "SELECT u.id AS user_id, u.email, u.display_name, u.role, NULL::bigint AS token_id,
                NULL::text AS token_name, NULL::text AS scope,
                s.last_seen_at < now() - interval '1 minute' AS stale,
                extract(epoch FROM least(s.expires_at, s.last_seen_at + make_interval(mins => $2::int)) - now())::float8
                    AS valid_for
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled
           AND s.last_seen_at > now() - make_interval(mins => $2::int)",
    )
    .bind(&hash)
    .bind(i32::try_from(policy.idle_minutes).unwrap_or(i32::MAX))
    .fetch_optional(pool)
    .await?;
    if row.as_ref().is_some_and(|r| r.stale) {
        sqlx::query("UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1").bind(&hash).execute(pool).await?;
    }
    Ok(row.and_then(|r| {
        let valid_for = r.valid_for;
        to_principal(r, Some(hash)).map(|p| (p, valid_for))
    }))
}

/// The principal of a live API token. A plain read on the hot path; `last_used_at` is written
/// at most once a minute.
pub async fn resolve_token(pool: &PgPool, token: &str) -> Result<Option<Principal>, AppError> {
    Ok(token_row(pool, &secret_hash(token)).await?.map(|(p, _)| p))
}

/// As [`resolve_token`], through this server's cache of verified credentials: a cached token
/// skips the database for up to [`super::auth_cache::TTL`]. `last_used_at` is still written at
/// most once a minute, by the database path, which a token in use reaches every `TTL`.
pub async fn resolve_token_cached(
    pool: &PgPool,
    cache: &AuthCache,
    token: &str,
) -> Result<Option<Principal>, AppError> {
    let hash = secret_hash(token);
    if let Some(p) = cache.get(Kind::Token, &hash) {
        return Ok(Some(p));
    }
    let generation = cache.generation();
    let found = token_row(pool, &hash).await?;
    if let Some((p, valid_for)) = &found {
        cache.put(Kind::Token, hash, p.clone(), generation, *valid_for);
    }
    Ok(found.map(|(p, _)| p))
}

async fn token_row(pool: &PgPool, hash: &[u8]) -> Result<Option<(Principal, Option<f64>)>, AppError> {
    let row = sqlx::query_as::<_, PrincipalRow>(
        "SELECT t.id AS token_id, t.name AS token_name, t.scope, u.id AS user_id, u.email, u.display_name, u.role,
                (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale,
                extract(epoch FROM t.expires_at - now())::float8 AS valid_for
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled
           AND (t.expires_at IS NULL OR t.expires_at > now())",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    if let Some(r) = row.as_ref().filter(|r| r.stale) {
        sqlx::query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1").bind(r.token_id).execute(pool).await?;
    }
    Ok(row.and_then(|r| {
        let valid_for = r.valid_for;
        to_principal(r, None).map(|p| (p, valid_for))
    }))
}

/// Starts a session and returns the cookie value.
pub async fn create_session(pool: &PgPool, user_id: i64, policy: SessionPolicy) -> Result<String, AppError> {
    let secret = random_secret();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3::int))",
    )
    .bind(secret_hash(&secret))
    .bind(user_id)
    .bind(i32::try_from(policy.absolute_hours).unwrap_or(i32::MAX))
    .execute(pool)
    .await?;
    Ok(secret)
}

/// Ends one session.
pub async fn end_session(pool: &PgPool, hash: &[u8]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash).execute(pool).await?;
    Ok(())
}

/// The session cookie's name under `policy`: the `__Host-` name when the cookie is `Secure`.
pub fn session_cookie_name(policy: SessionPolicy) -> &'static str {
    if policy.secure_cookie { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// The `Set-Cookie` value that stores a session. No `Domain`, always `Path=/`, as the `__Host-`
/// name requires.
pub fn session_cookie(secret: &str, policy: SessionPolicy) -> String {
    cookie::Cookie::build((session_cookie_name(policy), secret.to_string()))
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(policy.secure_cookie)
        .path("/")
        .max_age(cookie::time::Duration::hours(policy.absolute_hours))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(policy: SessionPolicy) -> String {
    cookie::Cookie::build((session_cookie_name(policy), ""))
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(policy.secure_cookie)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// The session cookie's value in a `Cookie` header. Only the name `policy` sets is read: with
/// `Secure` on, a plain `switchyard_session` could have been planted over HTTP or by a subdomain.
pub fn session_from_cookie_header(header: &str, policy: SessionPolicy) -> Option<String> {
    let name = session_cookie_name(policy);
    cookie::Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

#[derive(FromRow)]
struct LoginRow {
    id: i64,
    password_hash: String,
    disabled: bool,
}

/// Outcome of a login attempt.
pub enum Login {
    /// Signed in; the cookie value.
    Ok(String),
    /// Wrong email or password (deliberately not saying which).
    Denied,
    /// Too many failures from this address: wait this many seconds.
    Throttled(i64),
}

/// Checks credentials, throttled per (account, address) and per address (see
/// [`super::throttle`]), and starts a session.
pub async fn login(
    pool: &PgPool,
    email: &str,
    password: String,
    client: &str,
    policy: SessionPolicy,
) -> Result<Login, AppError> {
    let email = email.trim().to_lowercase();
    match super::throttle::claim(pool, &email, client).await {
        Err(AppError::Throttled(wait)) => return Ok(Login::Throttled(wait)),
        other => other?,
    }
    let row = sqlx::query_as::<_, LoginRow>("SELECT id, password_hash, disabled FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(pool)
        .await?;
    let ok = verify_password(password, row.as_ref().map(|r| r.password_hash.clone())).await?;
    match row {
        Some(r) if ok && !r.disabled => {
            super::throttle::succeeded(pool, &email, client).await?;
            Ok(Login::Ok(create_session(pool, r.id, policy).await?))
        }
        _ => Ok(Login::Denied),
    }
}
