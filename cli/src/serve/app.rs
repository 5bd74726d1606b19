//! The intake's router: the API's routes and handlers, the site as the fallback, and the
//! headers every answer carries. `app()` needs no socket: the tests call it in-process.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::Request;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use report_helper::report::{Report, MAX_REPORT_TOTAL_BYTES};
use serde_json::json;
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::{json_answer, ApiError};
use super::rate_limit::client_address;
use super::{cors, platform, site, AppState};
use crate::code;
use crate::store::{without_key, Store, Stored};

/// The Content-Security-Policy of `tools/serve.mjs`, which the site is built and tested under:
/// no page may frame it (`frame-ancestors 'none'`), unless `--frame-ancestors` says which may.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; \
connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The CSP with `frame-ancestors` naming `sources` instead of `'none'`.
fn csp_framed_by(sources: &[String]) -> String {
    let base = CSP
        .strip_suffix("'none'")
        .expect("the CSP ends with frame-ancestors 'none'");
    format!("{base}{}", sources.join(" "))
}

/// Whether `source` may be given to `--frame-ancestors`: `'self'`, or a CSP host or scheme
/// source (`https://helpline.example`, `https://*.helpline.example:8443`, `https:`) made of
/// the characters such a source uses, so that no value can end the directive or add another.
pub fn frame_source(source: &str) -> Result<String, String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._~:/*%".contains(c);
    if source == "'self'"
        || (source.chars().all(plain) && source.contains(|c: char| c.is_ascii_alphanumeric()))
    {
        Ok(source.to_string())
    } else {
        Err(format!(
            "{source:?} is not 'self' or a source such as https://helpline.example"
        ))
    }
}

const CORP: HeaderName = HeaderName::from_static("cross-origin-resource-policy");

/// A layer that sets the header `name` to `value` on every answer, over any value it had.
fn set(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The whole service: the API under `/api/`, the site's files everywhere else.
pub fn app(state: AppState) -> Router {
    let state = Arc::new(state);
    // The helper's files may be embedded by the allowed origins; the API is read through CORS,
    // which CORP does not govern.
    let site_corp = if state.allow_origins.is_empty() {
        "same-origin"
    } else {
        "cross-origin"
    };
    let api = Router::new()
        .route("/healthz", get(healthz).fallback(takes("GET")))
        .route("/api/reports", post(submit).fallback(takes("POST")))
        .route(
            "/api/reports/{reference}",
            get(status).delete(withdraw).fallback(takes("GET, DELETE")),
        )
        // Any other address under /api/, by any method: the API's 404.
        .route("/api/", any(unknown))
        .route("/api/{*rest}", any(unknown))
        .layer(from_fn_with_state(state.clone(), cors::allow_origin))
        .layer(from_fn_with_state(state.clone(), cors::preflight))
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(CORP, "same-origin"));
    // Server to server: no CORS (no page reads the list), and the key only in a header.
    let platforms = Router::new()
        .route(
            "/api/platform/fingerprints",
            get(platform::fingerprints).fallback(takes("GET")),
        )
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(CORP, "same-origin"));
    let site = Router::new()
        .fallback(site::file)
        .layer(from_fn_with_state(state.clone(), cors::allow_origin))
        .layer(set(CORP, site_corp));
    // Framing: none by default (both headers, for browsers that know only the older one);
    // `--frame-ancestors` names the pages that may, which X-Frame-Options cannot express.
    let (csp, frame_options) = if state.frame_ancestors.is_empty() {
        (
            HeaderValue::from_static(CSP),
            Some(HeaderValue::from_static("DENY")),
        )
    } else {
        let csp = csp_framed_by(&state.frame_ancestors);
        (
            HeaderValue::try_from(csp).expect("checked by frame_source"),
            None,
        )
    };
    api.merge(platforms)
        .merge(site)
        .layer(from_fn(one_host))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            frame_options,
        ))
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("Origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .with_state(state)
}

/// Middleware of every request: exactly one `Host` header, whose value is a host (and port), as
/// RFC 9112 section 3.2 asks of a server; otherwise 400 and the connection is closed. (For
/// HTTP/1.0 too, where it is not required: every client of this century sends it.)
async fn one_host(request: Request, next: Next) -> Response {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let valid = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host
            .to_str()
            .is_ok_and(|h| h.parse::<axum::http::uri::Authority>().is_ok()),
        _ => false,
    };
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CONNECTION, "close"),
            ],
            "bad request: one Host header is needed\n",
        )
            .into_response();
    }
    next.run(request).await
}

/// The answer to a method an API address does not take.
fn takes(allow: &'static str) -> impl Fn() -> std::future::Ready<ApiError> + Clone {
    move || std::future::ready(ApiError::MethodNotAllowed { allow })
}

async fn unknown() -> ApiError {
    ApiError::NotFound
}

/// POST /api/reports: checks the report with the core and stores it once.
/// How much of a body over the limit is still read before the 413 (Caddy's own limit is 600 KiB).
const DRAIN_BEFORE_REFUSING: usize = 1 << 20;

async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let client = client_address(peer, &headers, &state.trust_proxy);
    state
        .limiter
        .check(client)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::NotJson);
    }
    let token = client_token(&headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > MAX_REPORT_TOTAL_BYTES as u64) {
        // A body a little over the limit is read to its end first (bounded, and within the
        // client's time): answering while a proxy in front still writes it makes the proxy say
        // 502 instead of passing on our 413. A huge one is refused at once.
        if n <= DRAIN_BEFORE_REFUSING as u64 {
            let _ = tokio::time::timeout(
                state.client_timeout,
                axum::body::to_bytes(body, DRAIN_BEFORE_REFUSING),
            )
            .await;
        }
        return Err(ApiError::TooLarge);
    }
    // A bounded read, before any parsing: it stops as soon as the body passes the limit, or when
    // the client is too slow.
    let read = axum::body::to_bytes(body, MAX_REPORT_TOTAL_BYTES);
    let bytes = match tokio::time::timeout(state.client_timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return Err(ApiError::TooLarge),
        Err(_) => return Err(ApiError::Timeout),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::NotUtf8)?;
    let report = Report::from_json(text).map_err(|e| ApiError::not_a_report(e, text))?;
    if let Some(key) = headers.get("idempotency-key") {
        if key.as_bytes() != report.idempotency_key.as_bytes() {
            return Err(ApiError::KeyMismatch);
        }
    }
    let key = report.idempotency_key.clone();
    let failed = |e: &dyn std::fmt::Display| ApiError::server("the report could not be stored", e);
    // Stored, shown and compared without its key, which is kept only as a keyed hash.
    let canonical = without_key(&report.to_json(), &key)
        .ok_or_else(|| failed(&"the canonical JSON holds no idempotency_key after its schema"))?;
    // What goes on the platforms' list if the report is new: nothing unless the person chose.
    let shares = crate::platforms::shares(&report);
    let stored = tokio::task::spawn_blocking(move || {
        let mut store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        // Checked before (never write into a file that is gone) and after (it went while the
        // report was written): a 201 only for a report in the file the path names.
        still_there(&state, &store)?;
        let stored = store
            .submit(&key, &canonical, token.as_deref(), &shares)
            .map_err(|e| failed(&e))?;
        still_there(&state, &store)?;
        Ok::<_, ApiError>(stored)
    })
    .await
    .map_err(|e| failed(&e))??;
    match stored {
        Stored::Created { reference, token } => Ok(json_answer(
            StatusCode::CREATED,
            json!({"reference": reference, "token": token, "status": "received"}),
        )),
        Stored::Replayed {
            reference,
            status,
            token,
        } => {
            let mut answer = json!({"reference": reference, "status": status, "replayed": true});
            // Only the client's own token, and only if it already was one of this report's.
            if let Some(token) = token {
                answer["token"] = token.into();
            }
            Ok(json_answer(StatusCode::OK, answer))
        }
        Stored::KeyReused => Err(ApiError::KeyReused),
    }
}

/// The limit of status checks and withdrawals (`--status-rate-limit`), checked first.
fn status_limit(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Result<(), ApiError> {
    let client = client_address(peer, headers, &state.trust_proxy);
    state
        .status_limiter
        .check(client)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })
}

/// Ok while the database's path still names the file the server opened; otherwise 503, and the
/// log says so (once).
fn still_there(state: &AppState, store: &Store) -> Result<(), ApiError> {
    store
        .check_identity()
        .map_err(|why| unavailable(state, &why))
}

/// The 503 of a database that cannot take writes; the first one writes `why` to the log.
fn unavailable(state: &AppState, why: &str) -> ApiError {
    if !state.lost_logged.swap(true, Ordering::Relaxed) {
        super::log(&format!(
            "{why}: reports and withdrawals are refused (503) until the database is back and the \
             server restarted"
        ));
    }
    ApiError::Unavailable
}

/// GET /healthz: 200 when a report could be stored now (the database is the file opened and
/// can be written), 503 otherwise.
async fn healthz(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let checked = tokio::task::spawn_blocking(move || {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        store
            .check_writable()
            .map_err(|why| unavailable(&state, &why))
    })
    .await
    .map_err(|e| ApiError::server("the database could not be checked", e))?;
    checked?;
    Ok(json_answer(StatusCode::OK, json!({"status": "ok"})))
}

/// The token of `Authorization: Bearer TOKEN`, as typed.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| code::typed(token))
}

/// The token a POST brings for its report (`Authorization: Bearer TOKEN`, the page's own): None
/// without an Authorization header (the intake makes one); 422 `not-a-token` for anything else
/// than a bearer token of 26 Crockford base32 characters, as typed (a client that means to bring
/// its own token learns at once that it was not taken).
fn client_token(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if headers.get(header::AUTHORIZATION).is_none() {
        return Ok(None);
    }
    bearer(headers)
        .filter(|t| t.len() == 26 && t.bytes().all(|b| code::CROCKFORD.contains(&b)))
        .map(Some)
        .ok_or(ApiError::NotAToken)
}

/// GET /api/reports/{reference}: the report's status.
async fn status(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    reference: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    status_limit(&state, peer, &headers)?;
    with_token(
        state,
        reference,
        headers,
        "the status could not be read",
        false,
        Store::status,
    )
    .await
}

/// DELETE /api/reports/{reference}: withdraws the report.
async fn withdraw(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    reference: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    status_limit(&state, peer, &headers)?;
    let withdraw = |store: &Store, reference: &str, token: &str| {
        Ok(store
            .withdraw(reference, token)?
            .then(|| "withdrawn".to_string()))
    };
    with_token(
        state,
        reference,
        headers,
        "the report could not be withdrawn",
        true,
        withdraw,
    )
    .await
}

/// GET and DELETE of one report: `op` runs with the reference of the path and the bearer token
/// and gives the status, or None. A reference that is not even UTF-8, no token, a wrong token and
/// an unknown reference all get the same 404. An op that `writes` is refused with 503 when the
/// database is not the file opened (see `submit`).
async fn with_token(
    state: Arc<AppState>,
    reference: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    failure: &'static str,
    writes: bool,
    op: fn(&Store, &str, &str) -> rusqlite::Result<Option<String>>,
) -> Result<Response, ApiError> {
    let (Ok(Path(reference)), Some(token)) = (reference, bearer(&headers)) else {
        return Err(ApiError::NotFound);
    };
    let reference = code::typed(&reference);
    let (reference, status) = tokio::task::spawn_blocking(move || {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        if writes {
            still_there(&state, &store)?;
        }
        let status = op(&store, &reference, &token).map_err(|e| ApiError::server(failure, e))?;
        if writes {
            still_there(&state, &store)?;
        }
        Ok::<_, ApiError>((reference, status))
    })
    .await
    .map_err(|e| ApiError::server(failure, e))??;
    let status = status.ok_or(ApiError::NotFound)?;
    Ok(json_answer(
        StatusCode::OK,
        json!({"reference": reference, "status": status}),
    ))
}
