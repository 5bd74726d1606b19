//! The platforms' list (issue 20) against `report-helper serve` run as built: platforms
//! registered and revoked with the real `report-helper platforms`, reports posted and withdrawn
//! over HTTP, `GET /api/platform/fingerprints` read as a platform would, and
//! `report-helper fingerprints export`. Every expected line is made here from the JSON posted.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::intake::{setup, start, vpdq_hashes};
use common::BIN;
use serde_json::{json, Value};

struct Answer {
    status: u16,
    /// The head's lines after the status line, names in lower case.
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    /// The body as JSON lines, each ended by a line break.
    fn lines(&self) -> Vec<Value> {
        assert!(
            self.body.is_empty() || self.body.ends_with('\n'),
            "{}",
            self.body
        );
        self.body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// The body of a chunked answer (RFC 9112 section 7.1), which must end with its last chunk.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size = std::str::from_utf8(&raw[..end]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        raw = &raw[end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[..size]);
        assert_eq!(&raw[size..size + 2], b"\r\n");
        raw = &raw[size + 2..];
    }
}

/// `method path` with `headers` and `body`, `Connection: close`, the answer read to its end.
fn send(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
    {
        body = unchunk(&body);
    }
    Answer {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

fn get_list(addr: &str, query: &str, key: Option<&str>) -> Answer {
    let auth = key.map(|k| format!("Bearer {k}"));
    let mut headers = vec![("Origin", "https://helpline.example")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    send(
        addr,
        "GET",
        &format!("/api/platform/fingerprints{query}"),
        &headers,
        "",
    )
}

fn post(addr: &str, report: &Value) -> Value {
    let a = send(
        addr,
        "POST",
        "/api/reports",
        &[("Content-Type", "application/json")],
        &report.to_string(),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    a.json()
}

fn command(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

/// `report-helper platforms add NAME`: the key it printed.
fn add_platform(db: &Path, name: &str) -> String {
    let out = command(db, &["platforms", "add", name]);
    assert!(out.status.success(), "{out:?}");
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["name"], name);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shown this once"), "{stderr}");
    added["key"].as_str().unwrap().to_string()
}

const SHA1: &str = "abcdef0123456789abcdef0123456789abcdef01";
const PDQ_DISPLAYED: &str = "f8e0c3a16b5d2947f8e0c3a16b5d2947f8e0c3a16b5d2947f8e0c3a16b5d2947";
const PDQ_STORED: &str = "0c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9eafb";
const PDQ_PLAIN: &str = "9a8b7c6d5e4f30211a2b3c4d5e6f70819a8b7c6d5e4f30211a2b3c4d5e6f7081";

/// A report with a rotated photo (both PDQ hashes), a photo, a video and a file that is
/// neither, plus everything that must never reach a platform: URLs, an account, contact
/// details, a SHA-1, an explanation.
fn shared_report(key: &str, share: Option<bool>, hashes: &str) -> Value {
    let mut report = json!({
        "schema": "report-helper/report@1",
        "idempotency_key": key,
        "created_at": "2026-11-28T01:02:03.456Z",
        "language": "en",
        "situation": "shared",
        "items": [
            {"kind": "image", "sha256": "11".repeat(32), "md5": "21".repeat(16),
             "sha1": SHA1,
             "pdq": {"hash": PDQ_DISPLAYED, "quality": 87},
             "pdq_stored": {"hash": PDQ_STORED, "quality": 85}},
            {"kind": "image", "sha256": "12".repeat(32), "md5": "22".repeat(16),
             "pdq": {"hash": PDQ_PLAIN, "quality": 100}},
            {"kind": "video", "sha256": "13".repeat(32), "md5": "23".repeat(16),
             "vpdq": {"seconds_per_hash": 1, "hashes": hashes}},
            {"kind": "other", "sha256": "14".repeat(32), "md5": "24".repeat(16)}
        ],
        "urls": ["https://example.com/secret-page"],
        "accounts": [{"platform": "Snapchat", "name": "secret_account"}],
        "explanation": "secret explanation",
        "contact": {"name": "Secret Name", "email": "secret@example.org"},
        "good_faith": true
    });
    if let Some(share) = share {
        report["share_with_platforms"] = share.into();
    }
    report
}

/// The list's adds a report gives, from its JSON: per item, PDQ (with the stored pixels' hash
/// and the quality of the displayed one), MD5, SHA-256, vPDQ; without seq and time.
fn expected_adds(report: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for item in report["items"].as_array().unwrap() {
        if let Some(pdq) = item.get("pdq") {
            let mut line = json!({"op": "add", "signal": "pdq", "value": pdq["hash"],
                                  "quality": pdq["quality"]});
            if let Some(stored) = item.get("pdq_stored") {
                line["stored"] = stored["hash"].clone();
            }
            out.push(line);
        }
        for signal in ["md5", "sha256"] {
            out.push(json!({"op": "add", "signal": signal, "value": item[signal]}));
        }
        if let Some(vpdq) = item.get("vpdq") {
            out.push(json!({"op": "add", "signal": "vpdq", "value": vpdq["hashes"]}));
        }
    }
    out
}

/// A line without its `seq` and its time, which the test cannot know.
fn content(line: &Value) -> Value {
    let mut l = line.clone();
    let o = l.as_object_mut().unwrap();
    o.remove("seq");
    o.remove("added");
    o.remove("removed");
    l
}

fn is_time(v: &Value) -> bool {
    v.as_str().is_some_and(|t| {
        t.len() == 24 && t.ends_with('Z') && t.as_bytes()[10] == b'T' && t < "2100"
    })
}

#[test]
fn a_platform_mirrors_the_shared_list_and_a_withdrawal_s_tombstones() {
    let (site, db) = setup("platforms-list");
    let server = start(
        &site,
        &db,
        &[
            "--allow-origin",
            "https://helpline.example",
            "--platform-rate-limit",
            "0",
        ],
    );
    let addr = server.addr.as_str();
    let key = add_platform(&db, "Acme");
    let other_key = add_platform(&db, "Beta");
    assert_ne!(key, other_key);

    // Nothing shared yet: an empty list, still 200 and JSON lines.
    let empty = get_list(addr, "", Some(&key));
    assert_eq!((empty.status, empty.body.as_str()), (200, ""));

    let hashes = vpdq_hashes(5);
    let shared = shared_report("platforms-shared-0001", Some(true), &hashes);
    let posted = post(addr, &shared);
    // Not shared: the field left out (as before it existed) or false. Different digests, so a
    // line of theirs would show.
    for (key, share) in [
        ("platforms-notshared-01", None),
        ("platforms-notshared-02", Some(false)),
    ] {
        let mut other = shared_report(key, share, &vpdq_hashes(3));
        other["items"][0]["md5"] = "99".repeat(16).into();
        other["items"][1]["pdq"]["hash"] = "98".repeat(32).into();
        post(addr, &other);
    }
    // A replay of the shared report adds nothing.
    let replay = send(
        addr,
        "POST",
        "/api/reports",
        &[("Content-Type", "application/json")],
        &shared.to_string(),
    );
    assert_eq!(replay.status, 200);

    let whole = get_list(addr, "?after=0", Some(&key));
    assert_eq!(whole.status, 200, "{}", whole.body);
    assert_eq!(whole.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(whole.header("cache-control"), Some("no-store"));
    // Server to server: no CORS, even for an allowed origin.
    assert!(whole
        .headers
        .iter()
        .all(|(n, _)| !n.starts_with("access-control-")));
    let lines = whole.lines();
    let expected = expected_adds(&shared);
    assert_eq!(expected.len(), 11);
    assert_eq!(lines.iter().map(content).collect::<Vec<_>>(), expected);
    let seqs: Vec<i64> = lines.iter().map(|l| l["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs[0] >= 1 && seqs.windows(2).all(|w| w[0] < w[1]),
        "{seqs:?}"
    );
    assert!(lines.iter().all(|l| is_time(&l["added"])), "{}", whole.body);
    // The agreed field order of a line.
    assert!(whole.body.starts_with(&format!(
        "{{\"seq\":{},\"op\":\"add\",\"signal\":\"pdq\",\"value\":\"{PDQ_DISPLAYED}\",\"stored\":\"{PDQ_STORED}\",\"quality\":87,\"added\":\"",
        seqs[0]
    )));
    // Nothing else of the report.
    for secret in [
        "secret",
        "example.com",
        "Snapchat",
        SHA1,
        posted["reference"].as_str().unwrap(),
        "2026-11-28",
        "\"85",
        "urls",
        "image",
        "video",
    ] {
        assert!(!whole.body.contains(secret), "{secret} in {}", whole.body);
    }
    assert_eq!(
        get_list(addr, "", Some(&key)).body,
        whole.body,
        "after defaults to 0"
    );

    // Paging: pages of 3, each from the last line's seq, give the same lines; the short page
    // says the reader is up to date.
    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page = get_list(addr, &format!("?after={after}&limit=3"), Some(&key)).lines();
        paged.extend(page.iter().cloned());
        if page.len() < 3 {
            break;
        }
        after = page.last().unwrap()["seq"].as_i64().unwrap();
    }
    assert_eq!(paged, lines);
    let from_middle = get_list(addr, &format!("?after={}", seqs[4]), Some(&key)).lines();
    assert_eq!(from_middle, lines[5..]);

    // The export is the same lines, to standard output and to a file.
    let exported = command(&db, &["fingerprints", "export"]);
    assert!(exported.status.success(), "{exported:?}");
    assert_eq!(String::from_utf8(exported.stdout).unwrap(), whole.body);
    let file = db.with_file_name("list.jsonl");
    let _ = std::fs::remove_file(&file);
    let out = command(
        &db,
        &["fingerprints", "export", "--out", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), whole.body);

    // Withdrawn with its token: a tombstone per entry, in order, and nothing from 0.
    let last = *seqs.last().unwrap();
    let withdrawn = send(
        addr,
        "DELETE",
        &format!("/api/reports/{}", posted["reference"].as_str().unwrap()),
        &[(
            "Authorization",
            &format!("Bearer {}", posted["token"].as_str().unwrap()),
        )],
        "",
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(get_list(addr, "?after=0", Some(&key)).body, "");
    let tombs = get_list(addr, &format!("?after={last}"), Some(&key)).lines();
    assert_eq!(
        tombs.iter().map(content).collect::<Vec<_>>(),
        seqs.iter()
            .map(|s| json!({"op": "remove", "removes": s}))
            .collect::<Vec<_>>()
    );
    assert!(tombs
        .iter()
        .all(|t| is_time(&t["removed"]) && t["seq"].as_i64() > Some(last)));
    // A reader that had the first five entries gets only their tombstones.
    let partial = get_list(addr, &format!("?after={}", seqs[4]), Some(&key)).lines();
    assert_eq!(
        partial
            .iter()
            .map(|t| t["removes"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        seqs[..5]
    );
    let exported = command(&db, &["fingerprints", "export"]);
    assert_eq!(String::from_utf8(exported.stdout).unwrap(), "");

    // Revoked: 401, the same answer as no key and an unknown key. The other key still reads.
    let out = command(&db, &["platforms", "revoke", "Acme"]);
    assert!(out.status.success(), "{out:?}");
    let refusals = [
        get_list(addr, "", Some(&key)),
        get_list(addr, "", None),
        get_list(addr, "", Some(&"0".repeat(52))),
        get_list(addr, "", Some(&key.to_lowercase())),
    ];
    for r in &refusals {
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.json()["problem"], "not-a-platform-key");
        assert_eq!(r.body, refusals[0].body);
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"platforms\"")
        );
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    assert_eq!(
        get_list(addr, &format!("?after={last}"), Some(&other_key)).lines(),
        tombs
    );

    // Bad paging: 400 with the parameter named.
    for (query, field) in [
        ("?after=-1", "after"),
        ("?limit=0", "limit"),
        ("?limit=10001", "limit"),
        ("?from=3", ""),
    ] {
        let r = get_list(addr, query, Some(&other_key));
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        assert_eq!(
            (r.json()["problem"].as_str(), r.json()["field"].as_str()),
            (Some("bad-query"), Some(field))
        );
    }

    // The operator's list: both, one revoked, no key anywhere.
    let out = command(&db, &["platforms", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(&key) && !text.contains(&other_key));
    let listed: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0]["name"].as_str(), listed[1]["name"].as_str()),
        (Some("Acme"), Some("Beta"))
    );
    assert!(is_time(&listed[0]["revoked"]) && listed[1]["revoked"].is_null());
    assert!(is_time(&listed[1]["last_seen"]));
    let out = command(&db, &["platforms", "revoke", "Nobody"]);
    assert!(!out.status.success());
}

#[test]
fn the_list_has_its_own_rate_limit() {
    let (site, db) = setup("platforms-limit");
    let server = start(&site, &db, &["--platform-rate-limit", "2"]);
    let key = add_platform(&db, "Acme");
    // Counted before the key is looked at: guesses count too.
    assert_eq!(get_list(&server.addr, "", Some(&key)).status, 200);
    assert_eq!(get_list(&server.addr, "", None).status, 401);
    let limited = get_list(&server.addr, "", Some(&key));
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["problem"], "rate-limited");
    // Reports are not held back by it.
    let status = send(
        &server.addr,
        "GET",
        "/api/reports/RH-00000000",
        &[("Authorization", "Bearer 00000000000000000000000000")],
        "",
    );
    assert_eq!(status.status, 404);
}

#[test]
fn a_page_longer_than_one_part_is_whole_and_in_order() {
    // The server reads a page in parts of 1000 lines or 1 MiB: 1500 lines, and 1.8 MB of vPDQ.
    let (site, db) = setup("platforms-parts");
    let server = start(&site, &db, &["--platform-rate-limit", "0"]);
    let key = add_platform(&db, "Acme");
    let mut expected = Vec::new();
    for r in 0..3u32 {
        let items: Vec<Value> = (0..250u32)
            .map(|i| {
                let n = r * 1000 + i;
                json!({"kind": "other", "sha256": format!("{n:064x}"), "md5": format!("{n:032x}")})
            })
            .collect();
        let mut report = shared_report(&format!("platforms-parts-{r:04}"), Some(true), "");
        report["items"] = items.into();
        post(&server.addr, &report);
        expected.extend(expected_adds(&report));
    }
    // Four three-hour videos' hashes: 460,800 bytes of base64 each.
    let hashes = vpdq_hashes(10_800);
    for r in 0..4u32 {
        let mut report = shared_report(&format!("platforms-video-{r:04}"), Some(true), &hashes);
        report["items"] = json!([{"kind": "video", "sha256": format!("{r:064x}"),
            "md5": format!("{:032x}", 9000 + r), "vpdq": {"seconds_per_hash": 1, "hashes": hashes}}]);
        post(&server.addr, &report);
        expected.extend(expected_adds(&report));
    }
    let page = get_list(&server.addr, "?limit=10000", Some(&key));
    assert_eq!(page.status, 200);
    assert!(page.body.len() > 3 << 19, "{}", page.body.len());
    let lines = page.lines();
    assert_eq!(lines.iter().map(content).collect::<Vec<_>>(), expected);
    assert!(lines
        .windows(2)
        .all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()));
    // A limit across the parts: exactly that many.
    let some = get_list(&server.addr, "?limit=1001", Some(&key)).lines();
    assert_eq!(some, lines[..1001]);
}
