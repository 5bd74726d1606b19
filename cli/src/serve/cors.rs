//! CORS for the origins of `--allow-origin` (none by default: same origin only).
//!
//! Our own code rather than tower-http's `CorsLayer`, which does not answer the same way: it
//! answers every OPTIONS request as a preflight with 200 and its allow-headers, whatever the
//! origin or the method asked for, where the API answers an accepted preflight 204 and refuses
//! any other 403 without a CORS header (the contract of `schema/intake-openapi.json`); and its
//! `Vary` names three request headers where ours names `Origin` (set in `app.rs`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};

/// The request's `Origin`, if it is one of the allowed origins.
fn allowed_origin(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    state
        .allow_origins
        .iter()
        .any(|a| a == text)
        .then(|| origin.clone())
}

/// Lets `origin` read the answer, and its `Retry-After`.
fn name_origin(response: &mut Response, origin: HeaderValue) {
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    );
}

/// Middleware of every answer: an allowed `Origin` may read it.
pub async fn allow_origin(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let origin = allowed_origin(&state, request.headers());
    let mut response = next.run(request).await;
    if let Some(origin) = origin {
        name_origin(&mut response, origin);
    }
    response
}

/// Middleware of the API: answers its preflights (OPTIONS), before any route or method is
/// looked at. 204 for an allowed origin asking for a method the API takes; a refused preflight
/// says nothing about any origin.
pub async fn preflight(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::OPTIONS {
        return next.run(request).await;
    }
    let method_ok = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .is_some_and(|m| matches!(m.as_bytes(), b"POST" | b"GET" | b"DELETE"));
    let Some(origin) = allowed_origin(&state, request.headers()).filter(|_| method_ok) else {
        return ApiError::PreflightRefused.into_response();
    };
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, DELETE"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Authorization, Idempotency-Key"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    name_origin(&mut r, origin);
    r
}
