//! `AppError`: the one error type shared by the REST API, server functions and the browser.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use domain::ValidationError;

/// Everything that can go wrong in a request, safe to show to a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The entity does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Not signed in.
    #[error("sign in first (or send an API token as `Authorization: Bearer …`)")]
    Unauthorized,
    /// Wrong email or password (never saying which).
    #[error("the email or password is wrong; check both and try again")]
    BadCredentials,
    /// Too many failed sign-ins; retry after this many seconds.
    #[error("too many failed sign-ins; wait {0} seconds and try again")]
    Throttled(i64),
    /// The server is saturated (e.g. every password-hashing slot is taken and the queue is
    /// full); retry after this many seconds.
    #[error("the server is busy; wait {0} seconds and try again")]
    Busy(i64),
    /// Signed in without the needed role.
    #[error("your role does not allow this")]
    Forbidden,
    /// A cookie-authenticated change that did not come from Switchyard's own pages.
    #[error(
        "cross-site request refused: a change must come from Switchyard's own pages (Origin or Referer), or use an \
         API token (Authorization: Bearer)"
    )]
    Csrf,
    /// The request could not be read (malformed JSON or query string, wrong types, undecodable
    /// server-function arguments).
    #[error("{0}")]
    BadRequest(String),
    /// The request body is over the size this route accepts; the message says the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Input that was read but is wrong; `fields` names each field and how to fix it.
    #[error("{message}")]
    Validation {
        /// Summary.
        message: String,
        /// Field path → problem.
        fields: BTreeMap<String, String>,
    },
    /// A stale write or a name already taken; `current` carries the current state when known.
    #[error("{message}")]
    Conflict {
        /// What happened and what to do.
        message: String,
        /// The current entity as JSON text: the browser parses it into the type it expects,
        /// so its bundle needs no dynamic `serde_json::Value`.
        current: Option<String>,
    },
    /// Anything else; the cause is logged on the server, never sent.
    #[error("something went wrong on the server; try again, and tell an admin if it persists")]
    Internal,
    /// A transport failure reported by the server-function machinery.
    #[error("{0}")]
    ServerFn(String),
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Throttled(_) => 429,
            AppError::Busy(_) => 503,
            AppError::Forbidden | AppError::Csrf => 403,
            AppError::BadRequest(_) => 400,
            AppError::PayloadTooLarge(_) => 413,
            AppError::Validation { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::Internal | AppError::ServerFn(_) => 500,
        }
    }

    /// The machine-readable code in the error JSON.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::BadCredentials => "bad_credentials",
            AppError::Throttled(_) => "throttled",
            AppError::Busy(_) => "busy",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Validation { .. } => "validation",
            AppError::Conflict { .. } => "conflict",
            AppError::Internal | AppError::ServerFn(_) => "internal",
        }
    }

    /// A validation error on one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError::field(field, message).into()
    }

    /// The one stale-write refusal: `kind` '`name`' changed since version `had` was read; carries
    /// the current state so the client can show what changed.
    pub fn stale(kind: &str, name: &str, had: i32, now: i32, current: Option<&impl Serialize>) -> Self {
        AppError::Conflict {
            message: format!(
                "{kind} '{name}' was changed by someone else since you loaded it (you had version {had}, it is \
                 now version {now}); reload it and apply your change again"
            ),
            current: current.and_then(|c| serde_json::to_string(c).ok()),
        }
    }

    /// A name already taken, as the database's unique constraint decided it.
    pub fn taken(kind: &str, name: &str) -> Self {
        AppError::Conflict {
            message: format!("a {kind} named '{name}' already exists; choose another name"),
            current: None,
        }
    }

    /// Field messages, when this is a validation error.
    pub fn fields(&self) -> BTreeMap<String, String> {
        match self {
            AppError::Validation { fields, .. } => fields.clone(),
            _ => BTreeMap::new(),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        let message = match e.fields.len() {
            1 => e.to_string(),
            n => format!("{n} fields need fixing: {e}"),
        };
        AppError::Validation { message, fields: e.fields }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    /// Arguments that do not decode are the caller's mistake (400), not a server failure (500);
    /// a body cut off by the body limit is a 413. Everything else stays a transport failure.
    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        // On the server `Deserialization` means the request body could not be read (the caller's
        // fault); in the browser it means the server's answer could not be read, which is a
        // transport failure the page kit words as such.
        let caller_sent_it = cfg!(feature = "ssr");
        match value {
            // server_fn reports a body over axum's `DefaultBodyLimit` only as this text (the
            // `LengthLimitError` is stringified before it reaches us).
            E::Args(detail) | E::Deserialization(detail)
                if caller_sent_it && detail.contains("length limit exceeded") =>
            {
                AppError::PayloadTooLarge("the request body is larger than this server accepts; send less data".into())
            }
            E::Args(detail) => AppError::BadRequest(format!(
                "the server function's arguments could not be read ({detail}); send every argument with the name and \
                 type the function declares"
            )),
            E::Deserialization(detail) if caller_sent_it => AppError::BadRequest(format!(
                "the request body could not be read ({detail}); send the arguments as UTF-8 form data or JSON"
            )),
            E::MissingArg(name) => {
                AppError::BadRequest(format!("the server function's argument '{name}' is missing; send it"))
            }
            other => AppError::ServerFn(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::OnConstraint;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::Json;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            match &e {
                sqlx::Error::RowNotFound => AppError::NotFound("not found".into()),
                // The database is unreachable or saturated: a retry may work, so say so (503).
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                    tracing::warn!(error = %e, "database unavailable");
                    AppError::Busy(5)
                }
                // Text PostgreSQL cannot store (a NUL character: SQLSTATE 22021) is the caller's
                // input, found by fuzzing the observations batch: a 400, not a 500.
                sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => AppError::BadRequest(
                    "the text holds a NUL character (\\u0000), which cannot be stored; remove it and send again".into(),
                ),
                _ => {
                    tracing::error!(error = %e, "database error");
                    AppError::Internal
                }
            }
        }
    }

    /// Maps one named database constraint to the error a user can act on, at the call site that
    /// knows what the constraint means (realworld-axum-sqlx's `on_constraint`): the database
    /// decides a race, never a check-then-insert.
    pub trait OnConstraint<T> {
        /// `Err(map())` when the statement violated `constraint`; other errors as usual.
        fn on_constraint(self, constraint: &str, map: impl FnOnce() -> AppError) -> Result<T, AppError>;
    }

    impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
        fn on_constraint(self, constraint: &str, map: impl FnOnce() -> AppError) -> Result<T, AppError> {
            self.map_err(|e| match &e {
                sqlx::Error::Database(db) if db.constraint() == Some(constraint) => map(),
                _ => e.into(),
            })
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut error = serde_json::json!({
                "code": self.code(),
                "message": self.to_string(),
                "fields": self.fields(),
            });
            if let AppError::Conflict { current: Some(current), .. } = &self
                && let Ok(value) = serde_json::from_str::<serde_json::Value>(current)
            {
                error["current"] = value;
            }
            let mut resp = (status, Json(serde_json::json!({ "error": error }))).into_response();
            if let AppError::Throttled(secs) | AppError::Busy(secs) = self
                && let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string())
            {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            resp
        }
    }
}
