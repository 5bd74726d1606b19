//! The platforms' hash list (docs/native.md, "match"): JSON lines of adds and removes in
//! ascending `seq`, read from a file or paged from the intake's list endpoint, and replayed into
//! the entries that are live at its end.
//!
//! The list comes from elsewhere, so every line is checked and anything wrong in it stops the
//! reading with the line's number: a matcher that skipped a line it could not read would
//! silently miss what that line listed, or keep what it removed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::time::Duration;

use report_helper::pdq::PdqHash;
use report_helper::vpdq::encoding::decode_hashes;
use serde::Deserialize;

use crate::terminal;

/// Longest line read: a vPDQ entry of three hours of frames (10,800 hashes) is 461 KB of base64,
/// so this leaves room for lists made by other tools, and bounds what one line without an end
/// can make this command hold.
pub const MAX_LINE: usize = 4 << 20;

/// Lines asked for in one request to the intake (the endpoint's most).
pub const PAGE: usize = 10_000;

/// The environment variable holding the platform's key (never an argument: `ps` shows those).
pub const KEY_VARIABLE: &str = "REPORT_HELPER_PLATFORM_KEY";

/// What a live entry lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Sha256([u8; 32]),
    Md5([u8; 16]),
    /// A photo: the picture as displayed and, when the report's item had an EXIF orientation,
    /// the pixels as stored.
    Pdq {
        displayed: PdqHash,
        stored: Option<PdqHash>,
    },
    /// A video's frame hashes, as a report carries them.
    Vpdq(Vec<PdqHash>),
}

/// The live entries, by id (the `seq` of their add), in ascending order.
#[derive(Debug, Default)]
pub struct List {
    pub entries: BTreeMap<u64, Value>,
    /// The `seq` of the last line read: where the next page starts.
    pub last_seq: Option<u64>,
}

/// Why a list could not be read.
#[derive(Debug)]
pub enum ListError {
    /// A line of the list is wrong; `line` counts from 1 in `source`.
    Line {
        source: String,
        line: usize,
        why: String,
    },
    /// The list could not be read at all (a file that cannot be opened, a server that does
    /// not answer or refuses the key).
    Read { source: String, why: String },
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::Line { source, line, why } => write!(
                f,
                "the list {} has a bad line {line}: {}",
                terminal::text(source),
                terminal::text(why)
            ),
            ListError::Read { source, why } => write!(
                f,
                "cannot read the list {}: {}",
                terminal::text(source),
                terminal::text(why)
            ),
        }
    }
}

impl std::error::Error for ListError {}

/// One line as written; fields this reader does not know are ignored, so that a newer intake
/// can add some. Strings are borrowed from the line when they have no escapes (all of the
/// intake's): no allocation per field on a list of millions of lines.
#[derive(Deserialize)]
struct RawLine<'a> {
    seq: u64,
    #[serde(borrow)]
    op: Cow<'a, str>,
    #[serde(borrow)]
    signal: Option<Cow<'a, str>>,
    #[serde(borrow)]
    value: Option<Cow<'a, str>>,
    #[serde(borrow)]
    stored: Option<Cow<'a, str>>,
    quality: Option<u8>,
    removes: Option<u64>,
}

impl List {
    /// Reads the lines of `reader` (a file, or one page of the endpoint) into the list, in
    /// order. `source` names them in errors. Returns the number of lines read.
    pub fn read_lines(&mut self, reader: impl Read, source: &str) -> Result<usize, ListError> {
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let mut buf = Vec::new();
        let mut line = 0;
        loop {
            buf.clear();
            let n = (&mut reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| ListError::Read {
                    source: source.to_string(),
                    why: e.to_string(),
                })?;
            if n == 0 {
                return Ok(line);
            }
            line += 1;
            let bad = |why: String| ListError::Line {
                source: source.to_string(),
                line,
                why,
            };
            if buf.last() == Some(&b'\n') {
                buf.pop();
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
            } else if buf.len() > MAX_LINE {
                return Err(bad(format!("longer than {} MiB", MAX_LINE >> 20)));
            }
            let text = std::str::from_utf8(&buf).map_err(|_| bad("not UTF-8".into()))?;
            self.apply(text).map_err(bad)?;
        }
    }

    /// Applies one line: an add makes an entry, a remove takes one out.
    fn apply(&mut self, text: &str) -> Result<(), String> {
        let raw: RawLine = serde_json::from_str(text).map_err(|e| {
            if text.trim().is_empty() {
                "an empty line (one JSON object a line)".to_string()
            } else {
                format!("not a list line: {e}")
            }
        })?;
        if let Some(last) = self.last_seq {
            if raw.seq <= last {
                return Err(format!(
                    "seq {} after seq {last} (seq must go up from line to line)",
                    raw.seq
                ));
            }
        }
        match raw.op.as_ref() {
            "add" => {
                if raw.removes.is_some() {
                    return Err("an add with \"removes\"".into());
                }
                let value = parse_value(&raw)?;
                self.entries.insert(raw.seq, value);
            }
            "remove" => {
                let Some(id) = raw.removes else {
                    return Err(
                        "a remove without \"removes\" (the seq of the add it removes)".into(),
                    );
                };
                if raw.signal.is_some() || raw.value.is_some() || raw.stored.is_some() {
                    return Err("a remove with a signal or a value".into());
                }
                // A remove of an entry this reader never had is ignored (the agreed format).
                self.entries.remove(&id);
            }
            other => {
                return Err(format!(
                    "unknown op {:?} (add or remove)",
                    terminal::text(other)
                ))
            }
        }
        self.last_seq = Some(raw.seq);
        Ok(())
    }
}

/// The value of an add line, checked.
fn parse_value(raw: &RawLine) -> Result<Value, String> {
    let Some(signal) = raw.signal.as_deref() else {
        return Err("an add without \"signal\"".into());
    };
    let Some(value) = raw.value.as_deref() else {
        return Err("an add without \"value\"".into());
    };
    if raw.stored.is_some() && signal != "pdq" {
        return Err(format!("\"stored\" on a {signal} entry (only pdq has it)"));
    }
    if let Some(q) = raw.quality {
        if q > 100 {
            return Err(format!("quality {q} (0 to 100)"));
        }
    }
    match signal {
        "sha256" => hex::<32>(value).map(Value::Sha256),
        "md5" => hex::<16>(value).map(Value::Md5),
        "pdq" => Ok(Value::Pdq {
            displayed: pdq(value)?,
            stored: raw.stored.as_deref().map(pdq).transpose()?,
        }),
        "vpdq" => decode_hashes(value)
            .map(Value::Vpdq)
            .map_err(|e| format!("the vpdq value is {e}")),
        other => Err(format!(
            "unknown signal {:?} (sha256, md5, pdq or vpdq)",
            terminal::text(other)
        )),
    }
}

/// `N` bytes from `2 * N` hex digits, either case.
fn hex<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let digits = text.as_bytes();
    let digit = |c: u8| (c as char).to_digit(16);
    if digits.len() != 2 * N || !digits.iter().all(|&c| digit(c).is_some()) {
        return Err(format!("the value is not {} hex digits", 2 * N));
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        // Both are hex digits: checked above.
        *byte = (digit(pair[0]).unwrap_or(0) << 4 | digit(pair[1]).unwrap_or(0)) as u8;
    }
    Ok(bytes)
}

fn pdq(text: &str) -> Result<PdqHash, String> {
    text.parse()
        .map_err(|_| "a PDQ hash that is not 64 hex digits".to_string())
}

/// Reads the list at `location`: an `http://` or `https://` URL of the intake's list endpoint
/// (paged through with the key of [`KEY_VARIABLE`]), or else a file.
pub fn read_list(location: &str) -> Result<List, ListError> {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let key = std::env::var(KEY_VARIABLE).map_err(|_| ListError::Read {
            source: location.to_string(),
            why: format!("set {KEY_VARIABLE} to the platform's key"),
        })?;
        if lower.starts_with("http://") && !loopback(&lower["http://".len()..]) {
            eprintln!(
                "report-helper: warning: {} is plain http: the key crosses the network readable (use https)",
                terminal::text(location)
            );
        }
        return fetch(location, key.trim());
    }
    let file = File::open(location).map_err(|e| ListError::Read {
        source: location.to_string(),
        why: match e.kind() {
            io::ErrorKind::NotFound => "no such file".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        },
    })?;
    let mut list = List::default();
    list.read_lines(file, location)?;
    Ok(list)
}

/// Whether the authority at the start of `rest` (a URL after its scheme) is this machine.
fn loopback(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Pages through the endpoint at `url` from the start: `after` = the last seq read, `limit` =
/// [`PAGE`], until a page has fewer lines than that.
fn fetch(url: &str, key: &str) -> Result<List, ListError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        // A refusal (401 and the like) is read here, with the problem the intake sends.
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        // No limit on a whole page (it may be large), but on a server that stops sending.
        .timeout_per_read(Some(Duration::from_secs(60)))
        .timeout_per_write(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut list = List::default();
    loop {
        let after = list.last_seq.unwrap_or(0);
        let source = format!("{url} (page after={after})");
        let failed = |why: String| ListError::Read {
            source: source.clone(),
            why,
        };
        let response = agent
            .get(url)
            .query("after", after.to_string())
            .query("limit", PAGE.to_string())
            .header("Authorization", format!("Bearer {key}"))
            .header("Accept", "application/x-ndjson")
            .call()
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let mut body = response.into_body().into_reader();
        if !status.is_success() {
            // The intake's problem JSON says why; a few hundred bytes of it are enough.
            let mut text = String::new();
            let _ = (&mut body).take(300).read_to_string(&mut text);
            return Err(failed(format!(
                "the server answered {status}: {}",
                text.trim()
            )));
        }
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/x-ndjson") {
            return Err(failed(format!(
                "the server answered {content_type:?}, not application/x-ndjson (is this the list's URL?)"
            )));
        }
        let lines = list.read_lines(body, &source)?;
        if lines < PAGE {
            return Ok(list);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<List, ListError> {
        let mut list = List::default();
        list.read_lines(text.as_bytes(), "t").map(|_| list)
    }

    fn why(text: &str) -> (usize, String) {
        match read(text) {
            Err(ListError::Line { line, why, .. }) => (line, why),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    const H: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    #[test]
    fn adds_and_removes_replay_in_order() {
        let text = format!(
            "{{\"seq\":1,\"op\":\"add\",\"signal\":\"md5\",\"value\":\"00112233445566778899AABBCCDDEEFF\",\"added\":\"x\"}}\n\
             {{\"seq\":3,\"op\":\"add\",\"signal\":\"pdq\",\"value\":\"{H}\",\"stored\":\"{H}\",\"quality\":100,\"new\":1}}\r\n\
             {{\"seq\":4,\"op\":\"remove\",\"removes\":1,\"removed\":\"y\"}}\n\
             {{\"seq\":5,\"op\":\"remove\",\"removes\":99}}\n\
             {{\"seq\":6,\"op\":\"\\u0061dd\",\"signal\":\"sha256\",\"value\":\"\\u0030{}\"}}"
        , "0".repeat(63));
        let list = read(&text).unwrap();
        // Escapes in strings are read (the values are then not borrowed from the line).
        assert_eq!(list.entries.keys().copied().collect::<Vec<_>>(), [3, 6]);
        assert_eq!(list.entries[&6], Value::Sha256([0; 32]));
        assert_eq!(list.last_seq, Some(6));
        let h: PdqHash = H.parse().unwrap();
        assert_eq!(
            list.entries[&3],
            Value::Pdq {
                displayed: h,
                stored: Some(h)
            }
        );
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let ok = "{\"seq\":1,\"op\":\"add\",\"signal\":\"md5\",\"value\":\"00112233445566778899aabbccddeeff\"}\n";
        for (bad, says) in [
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"md5\",\"value\":\"0011\"}", "32 hex digits"),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"sha256\",\"value\":\"00112233445566778899aabbccddeeff\"}", "64 hex"),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"sha1\",\"value\":\"00\"}", "unknown signal"),
            ("{\"seq\":2,\"op\":\"move\"}", "unknown op"),
            ("{\"seq\":1,\"op\":\"remove\",\"removes\":1}", "seq must go up"),
            ("{\"seq\":2,\"op\":\"remove\"}", "without \"removes\""),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"vpdq\",\"value\":\"Zg=\"}", "base64"),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"vpdq\",\"value\":\"Zm9v\"}", "32-byte"),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"pdq\",\"value\":\"xyz\"}", "PDQ hash"),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"md5\",\"value\":\"00112233445566778899aabbccddeeff\",\"stored\":\"00\"}", "only pdq"),
            ("{\"seq\":2,\"op\":\"add\",\"signal\":\"pdq\",\"value\":\"x\",\"quality\":101}", "quality 101"),
            ("{\"seq\":-2,\"op\":\"add\"}", "not a list line"),
            ("{\"seq\":2,\"op\":\"add\"", "not a list line"),
            ("", "empty line"),
            ("[1,2]", "not a list line"),
        ] {
            let (line, why) = why(&format!("{ok}{bad}\n"));
            assert_eq!(line, 2, "{bad}");
            assert!(why.contains(says), "{bad}: {why}");
        }
        let mut not_utf8 = ok.as_bytes().to_vec();
        not_utf8.extend_from_slice(b"{\"seq\":2,\xff}\n");
        let mut list = List::default();
        let e = list.read_lines(&not_utf8[..], "t").unwrap_err();
        assert!(matches!(e, ListError::Line { line: 2, .. }), "{e}");
    }

    #[test]
    fn loopback_hosts() {
        for yes in [
            "127.0.0.1:8080/api",
            "localhost/x",
            "[::1]:80/",
            "127.3.4.5",
            "u:p@127.0.0.1/",
        ] {
            assert!(loopback(yes), "{yes}");
        }
        for no in [
            "example.org/",
            "10.0.0.1:80",
            "[2001:db8::1]/",
            "127.0.0.1.example.org/",
            "localhost.example/",
        ] {
            assert!(!loopback(no), "{no}");
        }
    }

    #[test]
    fn a_line_without_end_stops_at_the_limit() {
        let long = vec![b'{'; MAX_LINE + 10];
        let mut list = List::default();
        let e = list.read_lines(&long[..], "t").unwrap_err();
        assert!(e.to_string().contains("line 1: longer than 4 MiB"), "{e}");
    }
}
