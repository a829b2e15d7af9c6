//! Server functions called by the pages. They are thin: validation lives in the domain crate and
//! in [`types`], persistence in `ssr`. Each one checks the caller's role on the server.

pub mod fleet;
pub mod types;

use leptos::prelude::*;

use crate::AppError;
pub use types::*;

/// Criteria, candidates, scores and profiles for the studio.
#[server]
pub async fn load_studio() -> Result<StudioData, AppError> {
    use crate::ssr::{db, principal, respond};
    respond(
        async {
            let me = principal()?.me();
            let pool = crate::ssr::pool()?;
            let model = crate::ssr::model(&pool).await?;
            let profiles = db::list_profiles(&pool, &model).await?;
            Ok(StudioData { model: (*model).clone(), profiles, me })
        }
        .await,
    )
}

/// Saves weights as a new profile (architects and admins).
#[server]
pub async fn create_profile(input: ProfileInput) -> Result<Profile, AppError> {
    use crate::ssr::{db, principal, respond};
    respond(
        async {
            let p = principal()?;
            p.can_write(Role::Architect)?;
            let pool = crate::ssr::pool()?;
            let model = crate::ssr::model(&pool).await?;
            let valid = input.validate(&model)?;
            db::create_profile(&pool, &model, &valid, Some(&p)).await
        }
        .await,
    )
}

/// Overwrites a profile if nobody saved it since `version` was read; otherwise a conflict
/// carrying the current profile.
#[server]
pub async fn update_profile(id: i64, version: i32, input: ProfileInput) -> Result<Profile, AppError> {
    use crate::ssr::{db, principal, respond};
    respond(
        async {
            let p = principal()?;
            p.can_write(Role::Architect)?;
            let pool = crate::ssr::pool()?;
            let model = crate::ssr::model(&pool).await?;
            let valid = input.validate(&model)?;
            db::update_profile(&pool, &model, id, version, &valid, Some(&p)).await
        }
        .await,
    )
}

/// The signed-in user, or `None` on the login page.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(crate::ssr::principal().ok().map(|p| p.me()))
}

/// Signs in and redirects to `next` (a local path). A plain HTML form posts here, so it works
/// before (and without) WASM; failures go back to the login page with the reason in the query.
#[server]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::auth::{Login, login, session_cookie};
    use axum::http::header::SET_COOKIE;
    respond_with(async {
        let pool = crate::ssr::pool()?;
        let config = crate::ssr::auth_config()?;
        let client = use_context::<axum::http::request::Parts>()
            .and_then(|p| {
                p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        // Only local paths: never redirect to another site.
        let next = next.filter(|n| n.starts_with('/') && !n.starts_with("//")).unwrap_or_else(|| "/".into());
        let back = |error: &str| {
            let q: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("error", error)
                .append_pair("next", &next)
                .append_pair("email", &email)
                .finish();
            format!("/login?{q}")
        };
        match login(&pool, &email, password, &client, config.session).await? {
            Login::Ok(secret) => {
                let opts = expect_context::<leptos_axum::ResponseOptions>();
                if let Ok(v) = axum::http::HeaderValue::from_str(&session_cookie(&secret, config.session)) {
                    opts.insert_header(SET_COOKIE, v);
                }
                leptos_axum::redirect(&next);
            }
            Login::Denied => leptos_axum::redirect(&back("denied")),
            Login::Throttled(wait) => leptos_axum::redirect(&back(&format!("throttled:{wait}"))),
        }
        Ok(())
    })
    .await
}

/// Signs out and goes to the login page.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::auth::{Via, clear_session_cookie, end_session};
    use axum::http::header::SET_COOKIE;
    respond_with(async {
        let pool = crate::ssr::pool()?;
        let config = crate::ssr::auth_config()?;
        if let Ok(p) = crate::ssr::principal()
            && let Via::Session(hash) = &p.via
        {
            end_session(&pool, hash).await?;
        }
        let opts = expect_context::<leptos_axum::ResponseOptions>();
        if let Ok(v) = axum::http::HeaderValue::from_str(&clear_session_cookie(config.session)) {
            opts.insert_header(SET_COOKIE, v);
        }
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
async fn respond_with<T>(f: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    crate::ssr::respond(f.await)
}

/// Users (admins only).
#[server]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    respond_with(async {
        let p = crate::ssr::principal()?;
        if p.role < Role::Admin {
            return Err(AppError::Forbidden);
        }
        crate::ssr::accounts::list_users(&crate::ssr::pool()?).await
    })
    .await
}

/// Creates a user (admins only).
#[server]
pub async fn add_user(email: String, display_name: String, role: Role, password: String) -> Result<User, AppError> {
    respond_with(async {
        let p = crate::ssr::principal()?;
        p.can_write(Role::Admin)?;
        let new = NewUser { email, display_name, role, password };
        crate::ssr::accounts::create_user(&crate::ssr::pool()?, Some(&p), new).await
    })
    .await
}

/// Changes a user (admins only).
#[server]
pub async fn change_user(id: i64, patch: UserPatch) -> Result<User, AppError> {
    respond_with(async {
        let p = crate::ssr::principal()?;
        p.can_write(Role::Admin)?;
        crate::ssr::accounts::patch_user(&crate::ssr::pool()?, &p, id, patch).await
    })
    .await
}

/// API tokens the caller may see.
#[server]
pub async fn list_tokens() -> Result<Vec<Token>, AppError> {
    respond_with(async {
        let p = crate::ssr::principal()?;
        crate::ssr::accounts::list_tokens(&crate::ssr::pool()?, &p).await
    })
    .await
}

/// Creates a token; returns the secret, shown once.
#[server]
pub async fn add_token(name: String, scope: Scope) -> Result<String, AppError> {
    respond_with(async {
        let p = crate::ssr::principal()?;
        let (_, secret) =
            crate::ssr::accounts::create_token(&crate::ssr::pool()?, &p, NewToken { name, scope, user_id: None })
                .await?;
        Ok(secret)
    })
    .await
}

/// Revokes a token.
#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    respond_with(async {
        let p = crate::ssr::principal()?;
        crate::ssr::accounts::revoke_token(&crate::ssr::pool()?, &p, id).await
    })
    .await
}

/// Audit entries matching the filter (newest first, at most 500).
#[server]
pub async fn list_audit(filter: AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    respond_with(async {
        crate::ssr::principal()?;
        crate::ssr::audit::list(&crate::ssr::pool()?, &filter, 500).await
    })
    .await
}
