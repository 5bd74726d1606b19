//! The built site's files, for GET and HEAD.
//!
//! Our own code rather than tower-http's `ServeDir`, which does not behave the same way:
//! - a folder named without its trailing slash (`/wasm`) answers a redirect there (307), where
//!   this answers the folder's `index.html`, or 404;
//! - it follows a symbolic link wherever it points, where this serves only files that are still
//!   under the site's folder once every link is followed, and never a dotfile (`.env`, `.git/`);
//! - it answers 404 for a file it cannot read, where this answers 500 (and says why on stderr):
//!   a broken link or a file without read permission is the operator's to fix, not a missing
//!   page;
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

/// The file of the site that `uri` names, or a plain-text 404 or 405; a file the site names but
/// that cannot be read is a 500 (the operator's to fix: the log says which).
pub async fn file(State(state): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    let text = |status: StatusCode, body: &'static str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    };
    let unreadable = |why: String| {
        super::log(&format!("the site's {}: {why}", uri.path()));
        text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "this file cannot be read\n",
        )
    };
    if method != Method::GET && method != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    }
    let file = match site_path(&state.site, uri.path()) {
        Found::File(file) => file,
        Found::Nothing => return text(StatusCode::NOT_FOUND, "not found\n"),
        Found::Unreadable(why) => return unreadable(why),
    };
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        // Gone since it was looked at.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return text(StatusCode::NOT_FOUND, "not found\n")
        }
        Err(e) => return unreadable(e.to_string()),
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

/// What a URL path names in the site.
#[derive(Debug, PartialEq)]
enum Found {
    /// A regular file under the root, to be read.
    File(PathBuf),
    /// Nothing to serve: no such name, a name outside the root or a dotfile, a folder without
    /// `index.html`: 404.
    Nothing,
    /// The site names it, but it cannot be served: a symbolic link to nothing, something that
    /// is not a regular file (a folder named `index.html`, a FIFO, a device), a path that
    /// cannot be looked at (no permission): 500.
    Unreadable(String),
}

/// Follows `path`'s links. A name that is not there is Nothing, unless it is itself a link
/// (pointing at nothing): that, and any other failure, is Unreadable.
fn resolve(path: &Path) -> Result<PathBuf, Found> {
    path.canonicalize().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound && path.symlink_metadata().is_err() {
            Found::Nothing
        } else {
            Found::Unreadable(e.to_string())
        }
    })
}

/// Whether `file` (links followed) is under `root`, and no name below `root` is a dotfile.
fn inside(root: &Path, file: &Path) -> bool {
    file.strip_prefix(root).is_ok_and(|rel| {
        rel.components()
            .all(|c| matches!(c, Component::Normal(n) if !n.as_encoded_bytes().starts_with(b".")))
    })
}

/// The file under `root` that a URL path names: every segment is percent-decoded and must be a
/// plain name (no `..`, `.`, separator or NUL) that is not a dotfile (`.env`, `.git`), and the
/// file, symbolic links followed, must still be under `root` and reached through no dotfile. A
/// folder means its `index.html`.
fn site_path(root: &Path, url_path: &str) -> Found {
    let mut path = root.to_path_buf();
    for segment in url_path.split('/').filter(|s| !s.is_empty()) {
        let Some(name) = percent_decode(segment) else {
            return Found::Nothing;
        };
        let mut parts = Path::new(&name).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None)
                if !name.contains(['\\', '\0', '/']) && !name.starts_with('.') =>
            {
                path.push(&name)
            }
            _ => return Found::Nothing,
        }
    }
    let mut file = match resolve(&path) {
        Ok(file) => file,
        Err(found) => return found,
    };
    if !inside(root, &file) {
        return Found::Nothing;
    }
    if file.is_dir() {
        file = match resolve(&file.join("index.html")) {
            Ok(file) => file,
            Err(found) => return found,
        };
        if !inside(root, &file) {
            return Found::Nothing;
        }
    }
    match file.metadata() {
        Ok(m) if m.is_file() => Found::File(file),
        Ok(_) => Found::Unreadable(format!("{} is not a regular file", file.display())),
        Err(e) => Found::Unreadable(e.to_string()),
    }
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
        assert!(matches!(site_path(&root, "/main.rs"), Found::File(_)));
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/..%2fCargo.toml",
            "/a/../../Cargo.toml",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(site_path(&root, bad), Found::Nothing, "{bad}");
        }
    }
}
