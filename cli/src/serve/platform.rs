//! `GET /api/platform/fingerprints`: the list of shared fingerprints, for the platforms the
//! operator registered (`report-helper platforms add`), as JSON lines from a cursor.
//!
//! The page is streamed in parts of at most `PART_LINES` lines or `PART_BYTES` bytes, the store
//! locked only while a part is read: a page of 10,000 vPDQ lines (up to 460 KB each) is never
//! held whole, and reports are stored meanwhile. `store::Reading` keeps the parts one page.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::rate_limit::client_address;
use super::AppState;
use crate::store::Reading;

/// Lines in a page unless `limit` says otherwise, and at most.
pub const DEFAULT_LIMIT: usize = 1000;
pub const MAX_LIMIT: usize = 10_000;
/// A part of a page: this many lines at most, or as many as pass this many bytes.
const PART_LINES: usize = 1000;
const PART_BYTES: usize = 1 << 20;

/// `after` and `limit` of the query: `after` an integer from 0 (default 0), `limit` from 1 to
/// `MAX_LIMIT` (default `DEFAULT_LIMIT`), each at most once, nothing else.
fn page_query(query: Option<&str>) -> Result<(i64, usize), ApiError> {
    let (mut after, mut limit) = (None, None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = |field: &'static str, why: &str| ApiError::BadQuery {
            field,
            why: why.to_string(),
        };
        let number = |field| {
            value
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| value.parse::<i64>().ok())
                .flatten()
                .ok_or_else(|| bad(field, "not an integer from 0"))
        };
        match name {
            "after" if after.is_none() => after = Some(number("after")?),
            "limit" if limit.is_none() => {
                let n = number("limit")?;
                if !(1..=MAX_LIMIT as i64).contains(&n) {
                    return Err(bad("limit", "limit is 1 to 10000"));
                }
                limit = Some(n as usize);
            }
            "after" => return Err(bad("after", "after is given twice")),
            "limit" => return Err(bad("limit", "limit is given twice")),
            _ => return Err(bad("", "the query takes after and limit only")),
        }
    }
    Ok((after.unwrap_or(0), limit.unwrap_or(DEFAULT_LIMIT)))
}

/// The key of `Authorization: Bearer KEY` (the scheme in any case), exactly as sent.
fn platform_key(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| key.trim().to_string())
        .filter(|k| !k.is_empty())
}

/// A page being sent: the next part is read when hyper asks for more.
struct Sending {
    state: Arc<AppState>,
    key: String,
    /// None once the page ended badly.
    reading: Option<Reading>,
    /// Lines the page may still have.
    left: usize,
    /// The part read before the answer began.
    first: Option<Vec<String>>,
    /// The last part said the list ended, or the page is full.
    done: bool,
}

/// Reads the next part of the page (after checking that the key is still good); None for a
/// key that is not (any more), Err for a failing store.
async fn part(
    state: Arc<AppState>,
    key: String,
    mut reading: Reading,
    left: usize,
) -> Result<Option<(Vec<String>, bool, Reading)>, ApiError> {
    let failed = |e: &dyn std::fmt::Display| ApiError::server("the list could not be read", e);
    tokio::task::spawn_blocking(move || {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        if store
            .platform_by_key(&key)
            .map_err(|e| failed(&e))?
            .is_none()
        {
            return Ok(None);
        }
        let mut lines = Vec::new();
        let more = store
            .fingerprints(&mut reading, left.min(PART_LINES), PART_BYTES, &mut lines)
            .map_err(|e| failed(&e))?;
        Ok(Some((lines, more, reading)))
    })
    .await
    .map_err(|e| failed(&e))?
}

fn body_of(lines: Vec<String>) -> Bytes {
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    Bytes::from(text)
}

/// GET /api/platform/fingerprints?after=N&limit=L with `Authorization: Bearer KEY`.
pub async fn fingerprints(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let client = client_address(peer, &headers, &state.trust_proxy);
    state
        .platform_limiter
        .check(client)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let key = platform_key(&headers).ok_or(ApiError::NotAPlatform)?;
    let (after, limit) = page_query(query.as_deref())?;
    // The first part before the answer: a wrong key or a failing store gets its status.
    let (first, more, reading) = part(state.clone(), key.clone(), Reading::new(after), limit)
        .await?
        .ok_or(ApiError::NotAPlatform)?;
    let left = limit - first.len();
    let sending = Sending {
        state,
        key,
        reading: Some(reading),
        left,
        first: Some(first),
        done: !more || left == 0,
    };
    let stream = futures_util::stream::unfold(sending, |mut s| async move {
        if let Some(first) = s.first.take() {
            return Some((Ok(body_of(first)), s));
        }
        let reading = s.reading.take().filter(|_| !s.done)?;
        match part(s.state.clone(), s.key.clone(), reading, s.left).await {
            Ok(Some((lines, more, reading))) => {
                s.left -= lines.len();
                s.done = !more || s.left == 0;
                s.reading = Some(reading);
                Some((Ok(body_of(lines)), s))
            }
            // Revoked while the page was sent, or the store failed: the answer is cut short
            // (no last chunk), so the reader knows it is not a whole page.
            Ok(None) => {
                super::log("a platform's key was revoked while it read the list: answer cut short");
                Some((Err(std::io::Error::other("revoked")), s))
            }
            Err(e) => {
                super::log(&format!(
                    "the list could not be read: {e:?}; answer cut short"
                ));
                Some((Err(std::io::Error::other("the list could not be read")), s))
            }
        }
    });
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        assert_eq!(page_query(None).unwrap(), (0, DEFAULT_LIMIT));
        assert_eq!(page_query(Some("")).unwrap(), (0, DEFAULT_LIMIT));
        assert_eq!(page_query(Some("after=17&limit=2")).unwrap(), (17, 2));
        assert_eq!(
            page_query(Some("limit=10000&after=0&")).unwrap(),
            (0, 10_000)
        );
        let field = |q: &str| match page_query(Some(q)) {
            Err(ApiError::BadQuery { field, .. }) => field,
            other => panic!("{q}: {other:?}"),
        };
        for (q, f) in [
            ("after=-1", "after"),
            ("after=", "after"),
            ("after=1.5", "after"),
            ("after=+1", "after"),
            ("after=99999999999999999999", "after"),
            ("after=1&after=2", "after"),
            ("limit=0", "limit"),
            ("limit=10001", "limit"),
            ("limit=x", "limit"),
            ("afterr=1", ""),
            ("after", "after"),
        ] {
            assert_eq!(field(q), f, "{q}");
        }
    }
}
