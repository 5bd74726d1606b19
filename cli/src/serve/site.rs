//! The built site's files, for GET and HEAD.
//!
//! Our own code rather than tower-http's `ServeDir`, which does not behave the same way:
//! - a folder named without its trailing slash (`/wasm`) answers a redirect there (307), where
//!   this answers the folder's `index.html`, or 404;
//! - it follows a symbolic link wherever it points, where this serves only files that are still
//!   under the site's folder once every link is followed;
//! - it takes its types from `mime_guess`: `text/html` and `text/javascript` without a charset,
//!   `.mjs` as `application/javascript`, and a type for hundreds of extensions that this serves
//!   as `application/octet-stream`;
//! - it answers another method with 405 and an empty body, with `Allow: GET,HEAD`; this answers
//!   `method not allowed` as text, as it answers 404 `not found`;
//! - it adds `Last-Modified` and `Accept-Ranges` and answers `Range` and `If-Modified-Since`
//!   with 206 and 304, where this always sends the whole file, `Cache-Control: no-cache`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::AppState;

/// The file of the site that `uri` names, or a plain-text 404 or 405.
pub async fn file(State(state): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    let text = |status: StatusCode, body: &'static str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    };
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
}
