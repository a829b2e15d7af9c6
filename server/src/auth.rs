//! Per-request authentication, CSRF protection and the login redirect for pages.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, LOCATION, ORIGIN, REFERER};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::AppError;
use app::model::Scope;
use app::ssr::AppState;
use app::ssr::auth::{Via, resolve_session_cached, resolve_token_cached, session_from_cookie_header};

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie-authenticated (or anonymous) write must come from one of our own pages: its `Origin`,
/// or lacking that its `Referer`, must be one of `origins`.
fn same_origin(headers: &HeaderMap, origins: &[String]) -> bool {
    let matches = |candidate: &str| origins.iter().any(|o| candidate == o);
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        return matches(origin);
    }
    headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| u.origin().ascii_serialization())
        .is_some_and(|o| matches(&o))
}

/// Paths anyone may load: the login page, health, static assets.
fn is_public_page(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path.starts_with("/pkg/")
        || path == "/favicon.svg"
        || path.starts_with("/api/")
}

/// POSTs that change nothing: evaluate, and server functions named `load_…`, `list_…` or
/// `current_user` (their path is `/api/<name><hash>`).
fn reads_only(path: &str) -> bool {
    path == "/api/v1/evaluate"
        || path == "/api/v1/robustness"
        || path == crate::gitops_routes::PLUGIN_PATH
        || path.strip_prefix("/api/").is_some_and(|f| {
            !f.contains('/') && (f.starts_with("load_") || f.starts_with("list_") || f.starts_with("current_user"))
        })
}

/// The `?token=` of a request for the review calendar: calendar clients subscribe by URL and
/// cannot send headers. No other route reads a token from the query string.
fn feed_token(req: &Request) -> Option<String> {
    if req.uri().path() != crate::adr_routes::CALENDAR_PATH {
        return None;
    }
    let query = req.uri().query()?;
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.trim().to_string())
}

/// 401 for a calendar URL whose token is unknown, revoked, expired or not read-only.
fn feed_refusal(message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": "unauthorized", "message": message, "fields": {}}});
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

/// Resolves the principal from a bearer token, the session cookie or (for the review calendar
/// only) a read token in `?token=`, refuses cross-site writes, and sends anonymous page requests
/// to the login page.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // The health check needs no principal, and must answer (503) even when looking one up would
    // fail because the database is down.
    // The metrics scrape checks its own token (SWITCHYARD_METRICS_TOKEN).
    if req.uri().path() == "/healthz" || req.uri().path() == crate::metrics::METRICS_PATH {
        return next.run(req).await;
    }
    let bearer = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let in_url = if bearer.is_none() { feed_token(&req) } else { None };
    let principal = if let Some(token) = &in_url {
        match resolve_token_cached(&state.pool, &state.credentials, token).await {
            Ok(Some(p)) if matches!(p.via, Via::Token { scope: Scope::Read, .. }) => Some(p),
            // A URL ends up in calendar apps, proxies and logs: it may carry a read token only.
            Ok(Some(_)) => {
                return feed_refusal(
                    "the calendar feed takes only a read-scope API token in ?token=; a write token must not travel in                      a URL: create a read token and subscribe with that one",
                );
            }
            Ok(None) => {
                return feed_refusal(
                    "the token in ?token= is unknown, revoked or expired; create a new read-scope API token and                      subscribe again",
                );
            }
            Err(e) => return e.into_response(),
        }
    } else if let Some(token) = &bearer {
        match resolve_token_cached(&state.pool, &state.credentials, token).await {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                return AppError::Unauthorized.into_response();
            }
            Err(e) => return e.into_response(),
        }
    } else if let Some(cookie) = req
        .headers()
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| session_from_cookie_header(h, state.auth.session))
    {
        match resolve_session_cached(&state.pool, &state.credentials, &cookie, state.auth.session).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    // Argo CD's plugin generator authenticates by token only, and expects 401 without one.
    if bearer.is_none() && req.uri().path() == crate::gitops_routes::PLUGIN_PATH {
        return AppError::Unauthorized.into_response();
    }
    if bearer.is_none() && !is_safe(req.method()) && !same_origin(req.headers(), &state.auth.origins) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site write");
        return AppError::Csrf.into_response();
    }
    let path = req.uri().path().to_string();
    match principal {
        Some(p) => {
            req.extensions_mut().insert(p);
        }
        None if req.method() == Method::GET && !is_public_page(&path) => {
            let next_url = req.uri().path_and_query().map_or("/".to_string(), |p| p.as_str().to_string());
            let target =
                format!("/login?next={}", form_urlencoded::byte_serialize(next_url.as_bytes()).collect::<String>());
            return (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response();
        }
        None => {}
    }
    // Any write may have revoked a token or changed a user or the fleet, so this server's caches
    // go once it is done (see `AppState::wrote`); evaluate and the pages' reading server
    // functions are POSTs that change nothing.
    let wrote = !is_safe(req.method()) && !reads_only(&path);
    let response = next.run(req).await;
    if wrote {
        state.wrote();
    }
    response
}
