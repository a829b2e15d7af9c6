//! HTTP hardening that applies to every response: body limits, security headers with a
//! per-page Content-Security-Policy nonce, and the status of server-function errors.

use axum::Router;
use axum::body::{Body, HttpBody as _};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::prelude::use_context;
use tower_http::set_header::SetResponseHeaderLayer;

use app::AppError;

use crate::routes::BodyLimit;

const MIB: usize = 1024 * 1024;

/// Request body limits.
#[derive(Clone, Copy, Debug)]
pub struct HttpLimits {
    /// Largest request body of every route but the import, in bytes.
    pub body: usize,
    /// Largest body of `POST /api/v1/clusters/import`, in bytes.
    pub import: usize,
}

impl HttpLimits {
    /// The default body limit with an import limit of `import_mib` MiB.
    pub fn with_import_mib(import_mib: usize) -> Self {
        HttpLimits { import: import_mib.saturating_mul(MIB), ..HttpLimits::default() }
    }
}

impl Default for HttpLimits {
    /// 1 MiB for every route (a profile or a cluster is a few KiB); 32 MiB for an import, room for
    /// a 10,000-cluster YAML export with its labels.
    fn default() -> Self {
        HttpLimits { body: MIB, import: 32 * MIB }
    }
}

/// The policy every response carries. Pages add a per-response nonce to `script-src` for
/// Leptos' inline hydration script; everything else (JSON, files, redirects) gets this one.
/// `'wasm-unsafe-eval'` lets the page compile its WASM bundle and nothing else; styles allow
/// `'unsafe-inline'` because the charts are SVG with inline `style` attributes.
const CSP_DIRECTIVES: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The Content-Security-Policy, with `nonce` allowed for inline scripts when given.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!("{CSP_DIRECTIVES}; {scripts}")
}

/// Called in every Leptos render's context (pages, the 404 page, server functions): a page has a
/// nonce (leptos_axum makes one per response and puts it on the hydration script and every inline
/// resource script), and its response gets the policy that allows exactly that nonce.
pub fn page_csp() {
    if let Some(nonce) = leptos::nonce::use_nonce()
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = HeaderValue::from_str(&content_security_policy(Some(&nonce)))
    {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Body limits and security headers around `router`. The headers go outermost but inside
/// compression, so redirects and authentication refusals carry them too.
pub fn harden<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: HttpLimits, https: bool) -> Router<S> {
    let router = router
        .layer(axum::middleware::from_fn(server_fn_status))
        .layer(DefaultBodyLimit::max(limits.body))
        .layer(axum::Extension(BodyLimit { bytes: limits.body, hint: "send a smaller body" }));
    let router = router
        // A page has already set its nonce policy; everything else gets the nonce-less one.
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&content_security_policy(None))
                .unwrap_or(HeaderValue::from_static("frame-ancestors 'none'")),
        ))
        .layer(SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(REFERRER_POLICY, HeaderValue::from_static("same-origin")));
    if https {
        // Only behind HTTPS: over plain HTTP the header is ignored at best, and a browser that saw
        // it for this host would refuse the plain-HTTP server afterwards.
        router.layer(SetResponseHeaderLayer::overriding(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    }
}

/// Largest server-function error body looked at; theirs are a few hundred bytes.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// server_fn answers 500 to every error it raises itself, undecodable arguments included; the body
/// is our `AppError` (JSON), so the status it carries is restored (400 for bad arguments, 413 for
/// a body over the limit). Errors from inside a server function already have their status.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let is_server_fn_error = resp.status() == StatusCode::INTERNAL_SERVER_ERROR
        && resp.headers().contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
        && resp.body().size_hint().upper().is_some_and(|n| n <= MAX_ERROR_BODY);
    if !is_server_fn_error {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::try_from(MAX_ERROR_BODY).unwrap_or(usize::MAX)).await else {
        return AppError::Internal.into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
