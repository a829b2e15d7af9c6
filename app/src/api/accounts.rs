//! Server functions of sign-in, sign-out and the admin pages.

use leptos::prelude::*;

use crate::AppError;
use crate::model::{Me, Role, Scope, Token, User, UserPatch};

/// The signed-in user, or `None` on the login page.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(crate::ssr::ctx().ok().map(|c| c.principal().me()))
}

/// Signs in and redirects to `next` (a local path). A plain HTML form posts here, so it works
/// before (and without) WASM; failures go back to the login page with the reason in the query.
#[server]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::auth::{Login, login, session_cookie};
    use axum::http::header::SET_COOKIE;
    crate::ssr::respond(async {
        use crate::ssr::throttle::{client_address, safe_next};
        let state = crate::ssr::state()?;
        let client = use_context::<axum::http::request::Parts>()
            .and_then(|p| client_address(&p, &state.auth.trusted_proxies))
            .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
        // Only local paths: never redirect to another site.
        let next = safe_next(next.as_deref());
        let back = |error: &str| {
            let q: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("error", error)
                .append_pair("next", &next)
                .append_pair("email", &email)
                .finish();
            format!("/login?{q}")
        };
        let policy = state.auth.session;
        match login(&state.pool, &email, password, &client, policy).await? {
            Login::Ok(secret) => {
                let opts = expect_context::<leptos_axum::ResponseOptions>();
                if let Ok(v) = axum::http::HeaderValue::from_str(&session_cookie(&secret, policy)) {
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
    crate::ssr::respond(async {
        let state = crate::ssr::state()?;
        if let Ok(ctx) = crate::ssr::ctx()
            && let Via::Session(hash) = &ctx.principal().via
        {
            end_session(&state.pool, hash).await?;
        }
        let opts = expect_context::<leptos_axum::ResponseOptions>();
        if let Ok(v) = axum::http::HeaderValue::from_str(&clear_session_cookie(state.auth.session)) {
            opts.insert_header(SET_COOKIE, v);
        }
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// Users (admins only).
#[server]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    use crate::ssr::{accounts, ctx, respond};
    respond(async { accounts::list_users(&ctx()?).await }).await
}

/// Creates a user (admins only).
#[server]
pub async fn add_user(email: String, display_name: String, role: Role, password: String) -> Result<User, AppError> {
    use crate::ssr::{accounts, ctx, respond};
    respond(async {
        accounts::create_user(&ctx()?, crate::model::NewUser { email, display_name, role, password }).await
    })
    .await
}

/// Changes a user (admins only).
#[server]
pub async fn change_user(id: i64, patch: UserPatch) -> Result<User, AppError> {
    use crate::ssr::{accounts, ctx, respond};
    respond(async { accounts::patch_user(&ctx()?, id, patch).await }).await
}

/// API tokens the caller may see.
#[server]
pub async fn list_tokens() -> Result<Vec<Token>, AppError> {
    use crate::ssr::{accounts, ctx, respond};
    respond(async { accounts::list_tokens(&ctx()?).await }).await
}

/// Creates a token, optionally expiring after some days; returns the secret, shown once.
#[server]
pub async fn add_token(name: String, scope: Scope, expires_in_days: Option<u32>) -> Result<String, AppError> {
    use crate::ssr::{accounts, ctx, respond};
    let new = crate::model::NewToken { name, scope, user_id: None, expires_in_days };
    respond(async { accounts::create_token(&ctx()?, new).await.map(|(_, secret)| secret) }).await
}

/// Revokes a token.
#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::ssr::{accounts, ctx, respond};
    respond(async { accounts::revoke_token(&ctx()?, id).await }).await
}
