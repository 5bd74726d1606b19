//! Every refusal of the intake API: one `ApiError`, which is its own response. The statuses,
//! the `problem` codes and the bodies are the contract of `schema/intake-openapi.json`.
//!
//! A refusal of a report is `{"error": why, "field": where, "problem": code}`; the other
//! refusals (no such report, a wrong method, a failure of the server) are `{"error": why}`.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use report_helper::report::{Problem, ReportError, MAX_REPORT_BYTES, MAX_REPORT_TOTAL_BYTES};
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// 429: more POSTs (`--rate-limit`), or status checks and withdrawals
    /// (`--status-rate-limit`), from the client's address in a minute than allowed; `Retry-After`.
    RateLimited { retry_after: Duration },
    /// 415: the body is not declared `application/json`.
    NotJson,
    /// 413: the body is over the whole limit (64 KiB and three hours of vPDQ hashes), declared
    /// or read.
    TooLarge,
    /// 413: the report is over 64 KiB besides its vPDQ hashes.
    TooLargeBesidesHashes,
    /// 408: the body did not arrive within `--client-timeout`.
    Timeout,
    /// 400: the body is not UTF-8.
    NotUtf8,
    /// 400: the body is not JSON at all.
    Malformed(ReportError),
    /// 422: JSON that is not a valid report.
    Invalid(ReportError),
    /// 422: the `Idempotency-Key` header differs from the report's `idempotency_key`.
    KeyMismatch,
    /// 422: a POST's `Authorization` header is not `Bearer` and a token of 26 Crockford base32
    /// characters.
    NotAToken,
    /// 401, `WWW-Authenticate: Bearer`: the platforms' list without a platform's key, with an
    /// unknown one or a revoked one: the same answer for all.
    NotAPlatform,
    /// 400: a query parameter of the platforms' list that is not one, or not in its range.
    BadQuery { field: &'static str, why: String },
    /// 409: the `idempotency_key` was already used for a different report.
    KeyReused,
    /// 404: no such report, or not this token (or none): the same answer for all.
    NotFound,
    /// 405: a method the address does not take; `Allow` lists the ones it does.
    MethodNotAllowed { allow: &'static str },
    /// 403, no body: a preflight from an origin not allowed, or for a method the API does not
    /// take. (It names no origin: see `cors.rs`.)
    PreflightRefused,
    /// 503, `Retry-After`: the database file was removed or replaced since the server opened it
    /// (a write would be lost), or cannot be written; the log says why.
    Unavailable,
    /// 500: the store failed; `cause` goes to stderr, not to the client.
    Server { what: &'static str, cause: String },
}

impl ApiError {
    /// Why `text`, the body of a POST, is not a report: over 64 KiB besides the vPDQ hashes
    /// (which only a parsed report tells) is too large, like a body over the whole limit; not
    /// JSON at all is a bad request; JSON that is not a valid report is unprocessable.
    pub fn not_a_report(e: ReportError, text: &str) -> ApiError {
        if e.field.is_empty() && matches!(e.problem, Problem::TooLong { .. }) {
            ApiError::TooLargeBesidesHashes
        } else if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
            ApiError::Malformed(e)
        } else {
            ApiError::Invalid(e)
        }
    }

    /// A failure of the store (or of the task that ran it) while doing `what`.
    pub fn server(what: &'static str, cause: impl std::fmt::Display) -> ApiError {
        ApiError::Server {
            what,
            cause: cause.to_string(),
        }
    }
}

/// An answer of the API: `value` as JSON, `Content-Type: application/json`. Every API answer,
/// refusal or not, is made by this.
pub fn json_answer(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use StatusCode as S;
        // A refused report: its status, `error`, `field` and `problem`.
        let (status, error, field, problem) = match &self {
            ApiError::RateLimited { .. } => (
                S::TOO_MANY_REQUESTS,
                "too many requests from this address; try again later".into(),
                "",
                "rate-limited",
            ),
            ApiError::NotJson => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "the report must be sent as Content-Type: application/json".into(),
                "",
                "not-json",
            ),
            ApiError::TooLarge => (
                S::PAYLOAD_TOO_LARGE,
                format!(
                    "the report is over {MAX_REPORT_TOTAL_BYTES} bytes (64 KiB and three hours \
                     of vPDQ hashes)"
                ),
                "",
                "too-long",
            ),
            ApiError::TooLargeBesidesHashes => (
                S::PAYLOAD_TOO_LARGE,
                format!("the report is over {MAX_REPORT_BYTES} bytes besides its vPDQ hashes"),
                "",
                "too-long",
            ),
            ApiError::Timeout => (
                S::REQUEST_TIMEOUT,
                "the report took too long to arrive; send it again".into(),
                "",
                "timeout",
            ),
            ApiError::NotUtf8 => (
                S::BAD_REQUEST,
                "not a report: not UTF-8".into(),
                "",
                "malformed",
            ),
            ApiError::Malformed(e) => (S::BAD_REQUEST, e.to_string(), &*e.field, e.problem.code()),
            ApiError::Invalid(e) => (
                S::UNPROCESSABLE_ENTITY,
                e.to_string(),
                &*e.field,
                e.problem.code(),
            ),
            ApiError::KeyMismatch => (
                S::UNPROCESSABLE_ENTITY,
                "the Idempotency-Key header differs from the report's idempotency_key".into(),
                "idempotency_key",
                "idempotency-key-mismatch",
            ),
            ApiError::NotAToken => (
                S::UNPROCESSABLE_ENTITY,
                "the Authorization header must be Bearer and a token of 26 characters of \
                 Crockford base32"
                    .into(),
                "",
                "not-a-token",
            ),
            ApiError::NotAPlatform => (
                S::UNAUTHORIZED,
                "the list needs Authorization: Bearer and the key of a platform registered and \
                 not revoked"
                    .into(),
                "",
                "not-a-platform-key",
            ),
            ApiError::BadQuery { field, why } => (S::BAD_REQUEST, why.clone(), *field, "bad-query"),
            ApiError::KeyReused => (
                S::CONFLICT,
                "this idempotency_key was already used for a different report".into(),
                "idempotency_key",
                "idempotency-key-reused",
            ),
            // The other refusals: `{"error"}` only, or no body.
            ApiError::NotFound => {
                return json_answer(
                    S::NOT_FOUND,
                    json!({"error": "no such report, or not this token"}),
                )
            }
            ApiError::MethodNotAllowed { allow } => {
                let mut r = json_answer(
                    S::METHOD_NOT_ALLOWED,
                    json!({ "error": format!("this address takes {allow} only") }),
                );
                r.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                return r;
            }
            ApiError::PreflightRefused => return S::FORBIDDEN.into_response(),
            ApiError::Unavailable => {
                let mut r = json_answer(
                    S::SERVICE_UNAVAILABLE,
                    json!({"error": "the reports database is unavailable; try again later"}),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
                return r;
            }
            ApiError::Server { what, cause } => {
                super::log(cause);
                return json_answer(
                    S::INTERNAL_SERVER_ERROR,
                    json!({ "error": format!("{what}; try again later") }),
                );
            }
        };
        let mut r = json_answer(
            status,
            json!({"error": error, "field": field, "problem": problem}),
        );
        if let ApiError::RateLimited { retry_after } = self {
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.as_secs().max(1)),
            );
        }
        if let ApiError::NotAPlatform = self {
            // RFC 9110 section 15.5.2: a 401 says which scheme it takes.
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"platforms\""),
            );
        }
        r
    }
}
