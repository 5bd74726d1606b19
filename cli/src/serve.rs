//! `report-helper serve`: the built site and the reference intake API.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path as UrlPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use report_helper::report::{Problem, Report, MAX_REPORT_BYTES, MAX_REPORT_TOTAL_BYTES};

use crate::store::{Store, Stored};

/// The Content-Security-Policy of `tools/serve.mjs`, which the site is built and tested under.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; \
connect-src 'self'; base-uri 'none'; form-action 'none'";

pub struct Config {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub site: PathBuf,
    pub allow_origins: Vec<String>,
    pub rate_limit: u32,
    /// How long a client may take to send a request's head, and then its body.
    pub client_timeout: Duration,
}

struct AppState {
    store: Mutex<Store>,
    site: PathBuf,
    allow_origins: Vec<String>,
    limiter: Limiter,
    client_timeout: Duration,
}

type Shared = Arc<AppState>;

pub fn run(config: Config) -> Result<(), String> {
    let store = Store::open(&config.db)?;
    let site = config
        .site
        .canonicalize()
        .map_err(|e| format!("the site folder {}: {e}", config.site.display()))?;
    let state = Arc::new(AppState {
        store: Mutex::new(store),
        site,
        allow_origins: config.allow_origins,
        limiter: Limiter::new(config.rate_limit, Duration::from_secs(60)),
        client_timeout: config.client_timeout,
    });
    let client_timeout = config.client_timeout;
    let app = Router::new()
        .route("/api/reports", post(submit).fallback(api_method("POST")))
        .route(
            "/api/reports/{reference}",
            get(status)
                .delete(withdraw)
                .fallback(api_method("GET, DELETE")),
        )
        .fallback(static_file)
        .layer(middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line of output is the address: tests (and `make run`) read it.
        println!("Report helper: http://{bound}/  (Ctrl-C stops it)");
        serve_connections(listener, app, client_timeout).await;
        Ok(())
    })
}

/// Accepts connections until Ctrl-C or SIGTERM, then lets the requests under way finish (for
/// at most 30 s). Each connection is HTTP/1.1 with a deadline for every request's head, so a
/// client that sends nothing, or a byte at a time, is dropped.
async fn serve_connections(listener: tokio::net::TcpListener, app: Router, head_timeout: Duration) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service =
            app.clone()
                .map_request(move |mut request: Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request.map(Body::new)
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(head_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection that fails (reset, timed out, malformed) concerns only its client.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
}

/// Ctrl-C or SIGTERM: stop taking connections and finish the requests under way. (Every 201 is
/// already committed; this only spares clients a cut connection.)
async fn shutdown() {
    #[cfg(unix)]
    {
        use std::future::Future;
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        std::future::poll_fn(|cx| {
            if ctrl_c.as_mut().poll(cx).is_ready() || term.poll_recv(cx).is_ready() {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

// ---- The API ----

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn refusal(status: StatusCode, error: &str, field: &str, problem: &str) -> Response {
    json(
        status,
        serde_json::json!({"error": error, "field": field, "problem": problem}),
    )
}

fn not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        serde_json::json!({"error": "no such report, or not this token"}),
    )
}

fn server_error(e: impl std::fmt::Display, what: &str) -> Response {
    eprintln!("report-helper: {e}");
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        serde_json::json!({ "error": format!("{what}; try again later") }),
    )
}

/// The answer to a method an API path does not take: JSON like every other API answer.
fn api_method(allow: &'static str) -> impl Fn() -> std::future::Ready<Response> + Clone {
    move || {
        let mut r = json(
            StatusCode::METHOD_NOT_ALLOWED,
            serde_json::json!({ "error": format!("this address takes {allow} only") }),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        std::future::ready(r)
    }
}

async fn submit(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(wait) = state.limiter.check(peer.ip()) {
        let mut r = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "too many reports from this address; try again later",
            "",
            "rate-limited",
        );
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(wait.as_secs().max(1)),
        );
        return r;
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the report must be sent as Content-Type: application/json",
            "",
            "not-json",
        );
    }
    let too_large = |error: &str| refusal(StatusCode::PAYLOAD_TOO_LARGE, error, "", "too-long");
    let over_total = || {
        too_large(&format!(
            "the report is over {MAX_REPORT_TOTAL_BYTES} bytes (64 KiB and three hours of vPDQ hashes)"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REPORT_TOTAL_BYTES as u64) {
        return over_total();
    }
    // A bounded read, before any parsing: it stops as soon as the body passes the limit, or when
    // the client is too slow.
    let read = axum::body::to_bytes(body, MAX_REPORT_TOTAL_BYTES);
    let bytes: Bytes = match tokio::time::timeout(state.client_timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return over_total(),
        Err(_) => {
            return refusal(
                StatusCode::REQUEST_TIMEOUT,
                "the report took too long to arrive; send it again",
                "",
                "timeout",
            )
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "not a report: not UTF-8",
            "",
            "malformed",
        );
    };
    let report = match Report::from_json(text) {
        Ok(r) => r,
        // Over 64 KiB besides the vPDQ hashes (which only a parsed report tells): too large,
        // like a body over the whole limit.
        Err(e) if e.field.is_empty() && matches!(e.problem, Problem::TooLong { .. }) => {
            return too_large(&format!(
                "the report is over {MAX_REPORT_BYTES} bytes besides its vPDQ hashes"
            ));
        }
        Err(e) => {
            // Not JSON at all is a bad request; JSON that is not a valid report is unprocessable.
            let status = if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return refusal(status, &e.to_string(), &e.field, e.problem.code());
        }
    };
    if let Some(key) = headers.get("idempotency-key") {
        if key.as_bytes() != report.idempotency_key.as_bytes() {
            return refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the Idempotency-Key header differs from the report's idempotency_key",
                "idempotency_key",
                "idempotency-key-mismatch",
            );
        }
    }
    let canonical = report.to_json();
    let key = report.idempotency_key;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        store.submit(&key, &canonical)
    })
    .await;
    match outcome {
        Ok(Ok(Stored::Created { reference, token })) => json(
            StatusCode::CREATED,
            serde_json::json!({"reference": reference, "token": token, "status": "received"}),
        ),
        Ok(Ok(Stored::Replayed {
            reference,
            token,
            status,
        })) => json(
            StatusCode::OK,
            serde_json::json!({"reference": reference, "token": token, "status": status,
                "replayed": true}),
        ),
        Ok(Ok(Stored::KeyReused)) => refusal(
            StatusCode::CONFLICT,
            "this idempotency_key was already used for a different report",
            "idempotency_key",
            "idempotency-key-reused",
        ),
        Ok(Err(e)) => server_error(e, "the report could not be stored"),
        Err(e) => server_error(e, "the report could not be stored"),
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| typed_code(token))
}

/// A reference or token as a person may type it from a printed receipt: in any case, with
/// spaces, and with O for 0 or I and L for 1, read the way Crockford's base32 reads them.
/// Generated codes never hold O, I or L, so no code can be taken for another.
fn typed_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

async fn status(
    State(state): State<Shared>,
    reference: Result<UrlPath<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    with_token(
        state,
        reference,
        headers,
        "the status could not be read",
        Store::status,
    )
    .await
}

async fn withdraw(
    State(state): State<Shared>,
    reference: Result<UrlPath<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
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
        withdraw,
    )
    .await
}

/// GET and DELETE of one report: `op` runs with the reference of the path and the bearer token
/// and gives the status, or None. A reference that is not even UTF-8, no token, a wrong token and
/// an unknown reference all get the same 404.
async fn with_token(
    state: Shared,
    reference: Result<UrlPath<String>, PathRejection>,
    headers: HeaderMap,
    failure: &'static str,
    op: fn(&Store, &str, &str) -> rusqlite::Result<Option<String>>,
) -> Response {
    let (Ok(UrlPath(reference)), Some(token)) = (reference, bearer(&headers)) else {
        return not_found();
    };
    let reference = typed_code(&reference);
    let found = tokio::task::spawn_blocking(move || {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        op(&store, &reference, &token).map(|status| (reference, status))
    })
    .await;
    match found {
        Ok(Ok((reference, Some(status)))) => json(
            StatusCode::OK,
            serde_json::json!({"reference": reference, "status": status}),
        ),
        Ok(Ok((_, None))) => not_found(),
        Ok(Err(e)) => server_error(e, failure),
        Err(e) => server_error(e, failure),
    }
}

// ---- CORS and the common headers ----

async fn cors(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| state.allow_origins.iter().any(|a| a == o))
        .map(str::to_string);
    let api = request.uri().path().starts_with("/api/");
    let mut origin = origin;
    let mut response = if request.method() == Method::OPTIONS && api {
        let method_ok = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| matches!(m.as_bytes(), b"POST" | b"GET" | b"DELETE"));
        if origin.is_some() && method_ok {
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
            r
        } else {
            // A preflight that is refused says nothing about any origin.
            origin = None;
            StatusCode::FORBIDDEN.into_response()
        }
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    if let Some(origin) = origin {
        if let Ok(v) = HeaderValue::from_str(&origin) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            h.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("Retry-After"),
            );
        }
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The helper's files may be embedded by the configured origins; the API is read through
    // CORS, which CORP does not govern.
    let corp = if !api && !state.allow_origins.is_empty() {
        "cross-origin"
    } else {
        "same-origin"
    };
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static(corp),
    );
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

// ---- The site ----

async fn static_file(
    State(state): State<Shared>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    let text = |status: StatusCode, body: &'static str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    };
    if uri.path().starts_with("/api/") {
        return not_found();
    }
    if method != Method::GET && method != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    }
    let Some(file) = site_path(&state.site, uri.path()) else {
        return text(StatusCode::NOT_FOUND, "not found\n");
    };
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return text(StatusCode::NOT_FOUND, "not found\n");
    };
    // For HEAD, hyper sends the headers (Content-Length included) and drops the body.
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type(&file)),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

/// The file under `root` that a URL path names, or None: every segment is percent-decoded and
/// must be a plain name (no `..`, `.`, separator or NUL), and the file, symbolic links followed,
/// must still be under `root`. A folder means its `index.html`.
fn site_path(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for segment in url_path.split('/').filter(|s| !s.is_empty()) {
        let name = percent_decode(segment)?;
        let mut parts = Path::new(&name).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None) if !name.contains(['\\', '\0', '/']) => {
                path.push(&name)
            }
            _ => return None,
        }
    }
    let mut file = path.canonicalize().ok()?;
    if file.is_dir() {
        file = file.join("index.html").canonicalize().ok()?;
    }
    (file.starts_with(root) && file.is_file()).then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

// ---- The rate limit ----

/// A fixed window per client address: at most `limit` POSTs per window; the window starts at a
/// client's first POST after the previous one ended.
struct Limiter {
    limit: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Limiter {
    fn new(limit: u32, window: Duration) -> Limiter {
        Limiter {
            limit,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Ok, or how long until the client may post again.
    fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() > 100_000 {
            clients.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = clients.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left + Duration::from_millis(999));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_stay_under_the_root() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .canonicalize()
            .unwrap();
        assert!(site_path(&root, "/main.rs").is_some());
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/..%2fCargo.toml",
            "/a/../../Cargo.toml",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(site_path(&root, bad), None, "{bad}");
        }
    }

    #[test]
    fn typed_codes_read_as_crockford_base32() {
        assert_eq!(typed_code(" rh-0il5 abcd "), "RH-0115ABCD");
        assert_eq!(typed_code("RH-O1L5"), "RH-0115");
    }

    #[test]
    fn limiter_counts_per_address() {
        let l = Limiter::new(2, Duration::from_secs(60));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(l.check(a).is_ok() && l.check(a).is_ok());
        let wait = l.check(a).unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(61));
        assert!(l.check(b).is_ok());
    }
}
