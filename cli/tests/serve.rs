//! `report-helper serve` and `report-helper reports`, run as built: the real binary on a free
//! port of 127.0.0.1, spoken to in hand-written HTTP/1.1.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{scratch, BIN};
use serde_json::Value;

struct Server {
    child: Child,
    addr: String,
    db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder with a small site, and a fresh database path beside it.
fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(&format!("serve-{name}"));
    let _ = std::fs::remove_dir_all(dir.join("data"));
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("wasm")).unwrap();
    for (file, text) in [
        ("index.html", "<!doctype html><title>t</title>"),
        ("app.js", "export {};"),
        ("style.css", "p{}"),
        ("i.json", "{}"),
        ("icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("wasm/m.wasm", "\0asm"),
    ] {
        std::fs::write(site.join(file), text).unwrap();
    }
    (site, dir.join("data/reports.sqlite"))
}

fn start(site: &Path, db: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .arg("--site")
        .arg(site)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start report-helper serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    Server {
        child,
        addr,
        db: db.to_path_buf(),
    }
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Sends `head` (request line and headers, without the blank line) and `body`, and reads the
/// answer to its end (the request says `Connection: close`).
fn send(addr: &str, head: &str, body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let _ = s.write_all(request.as_bytes());
    // The server may answer (413) and close before it has read everything.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {text:?}"));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn post(addr: &str, content_type: &str, body: &str, extra: &str) -> Answer {
    send(
        addr,
        &format!(
            "POST /api/reports HTTP/1.1\r\nContent-Type: {content_type}\r\nContent-Length: {}{extra}",
            body.len()
        ),
        body.as_bytes(),
    )
}

fn get(addr: &str, path: &str, extra: &str) -> Answer {
    send(addr, &format!("GET {path} HTTP/1.1{extra}"), b"")
}

/// A valid report, written by hand.
fn report(key: &str) -> String {
    format!(
        r#"{{"schema":"report-helper/report@1","idempotency_key":"{key}","created_at":"2026-11-28T01:02:03.456Z","language":"nl","situation":"shared","items":[{{"kind":"image","sha256":"{}","md5":"{}","pdq":{{"hash":"{}","quality":100}}}}],"urls":["https://example.com/a"],"contact":{{"email":"me@example.org"}},"good_faith":true}}"#,
        "ab".repeat(32),
        "cd".repeat(16),
        "f8".repeat(32)
    )
}

fn reports_list(db: &Path) -> Vec<Value> {
    let out = Command::new(BIN)
        .args(["reports", "list", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn is_base32(s: &str) -> bool {
    s.bytes()
        .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
}

#[test]
fn submit_check_and_withdraw() {
    let (site, db) = setup("flow");
    let server = start(&site, &db, &[]);
    let a = &server.addr;

    let body = report("key-0123456789abcdef");
    let created = post(
        a,
        "application/json",
        &body,
        "\r\nIdempotency-Key: key-0123456789abcdef",
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("content-type").unwrap(), "application/json");
    let answer = created.json();
    let reference = answer["reference"].as_str().unwrap().to_string();
    let token = answer["token"].as_str().unwrap().to_string();
    assert_eq!(answer["status"], "received");
    assert!(reference.len() == 11 && reference.starts_with("RH-") && is_base32(&reference[3..]));
    assert!(token.len() == 26 && is_base32(&token), "{token}");

    // The same key and report again: the same reference, a new token, one row.
    let again = post(a, "application/json", &body, "").json();
    assert_eq!(again["reference"], reference.as_str());
    assert_eq!(again["replayed"], true);
    let token2 = again["token"].as_str().unwrap().to_string();
    assert_ne!(token2, token);
    let rows = reports_list(&db);
    assert_eq!(rows.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&db.with_extension("sqlite-wal")), 0o600);
        assert_eq!(mode(db.parent().unwrap()), 0o700);
    }
    assert_eq!(rows[0]["reference"], reference.as_str());
    assert_eq!(rows[0]["idempotency_key"], "key-0123456789abcdef");
    // The same key with another report is refused.
    let other = post(
        a,
        "application/json",
        &body.replace("https://example.com/a", "https://example.com/b"),
        "",
    );
    assert_eq!(other.status, 409, "{}", other.body);
    assert_eq!(other.json()["field"], "idempotency_key");
    assert_eq!(reports_list(&db).len(), 1);

    // What is stored is the canonical report, as received.
    let show = Command::new(BIN)
        .args(["reports", "show", &reference, "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(
        shown["report"],
        serde_json::from_str::<Value>(&body).unwrap()
    );

    // Status: only with a token of this report; everything else is the same 404.
    let path = format!("/api/reports/{reference}");
    for t in [&token, &token2] {
        let ok = get(a, &path, &format!("\r\nAuthorization: Bearer {t}"));
        assert_eq!(ok.status, 200);
        assert_eq!(
            ok.json(),
            serde_json::json!({"reference": reference, "status": "received"})
        );
    }
    let missing = get(a, &path, "");
    let wrong = get(
        a,
        &path,
        "\r\nAuthorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    let unknown = get(
        a,
        "/api/reports/RH-00000000",
        &format!("\r\nAuthorization: Bearer {token}"),
    );
    for r in [&missing, &wrong, &unknown] {
        assert_eq!(r.status, 404);
        assert_eq!(r.body, missing.body);
    }

    // The operator moves it on; the person sees it.
    let set = Command::new(BIN)
        .args(["reports", "set-status", &reference, "in_progress", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(set.status.success());
    let ok = get(a, &path, &format!("\r\nAuthorization: Bearer {token}"));
    assert_eq!(ok.json()["status"], "in_progress");

    // Withdrawing needs the token too.
    let denied = send(a, &format!("DELETE {path} HTTP/1.1"), b"");
    assert_eq!(denied.status, 404);
    let gone = send(
        a,
        &format!("DELETE {path} HTTP/1.1\r\nAuthorization: Bearer {token}"),
        b"",
    );
    assert_eq!(gone.status, 200, "{}", gone.body);
    let ok = get(a, &path, &format!("\r\nAuthorization: Bearer {token2}"));
    assert_eq!(ok.json()["status"], "withdrawn");
    assert_eq!(reports_list(&db)[0]["status"], "withdrawn");
}

#[test]
fn refusals() {
    let (site, db) = setup("refusals");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    let body = report("key-refusals-0000001");

    let r = post(a, "text/plain", &body, "");
    assert_eq!(r.status, 415);
    assert_eq!(r.json()["problem"], "not-json");

    // Over 64 KiB besides vPDQ hashes (of which it has none), declared and sent in chunks with
    // no length declared: 413 too, though under the limit of a report with hashes.
    let big = format!("{}{}", " ".repeat(64 * 1024 + 1 - body.len()), body);
    assert_eq!(big.len(), 64 * 1024 + 1);
    assert_eq!(post(a, "application/json", &big, "").status, 413);
    let mut chunked = Vec::new();
    for piece in big.as_bytes().chunks(4096) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let r = send(
        a,
        "POST /api/reports HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
        &chunked,
    );
    assert_eq!(r.status, 413);
    // Exactly 64 KiB is accepted.
    assert_eq!(post(a, "application/json", &big[1..], "").status, 201);

    let r = post(a, "application/json", "{not json", "");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["problem"], "malformed");

    let unknown = body.replace(
        r#""kind":"image","#,
        r#""kind":"image","file_name":"me.jpg","#,
    );
    let r = post(a, "application/json", &unknown, "");
    assert_eq!(r.status, 422);
    let e = r.json();
    assert_eq!(e["problem"], "malformed");
    assert!(e["error"].as_str().unwrap().contains("file_name"), "{e}");

    let bad_hash = body.replace(&"ab".repeat(32), &"AB".repeat(32));
    let e = post(a, "application/json", &bad_hash, "").json();
    assert_eq!(e["field"], "items[0].sha256");
    assert_eq!(e["problem"], "not-hex");

    let no_faith = body.replace(r#""good_faith":true"#, r#""good_faith":false"#);
    let e = post(a, "application/json", &no_faith, "").json();
    assert_eq!(
        (e["field"].as_str(), e["problem"].as_str()),
        (Some("good_faith"), Some("good-faith-required"))
    );

    let r = post(
        a,
        "application/json",
        &body,
        "\r\nIdempotency-Key: another-key-0000000001",
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["field"], "idempotency_key");

    // Only the one 64 KiB report was stored.
    assert_eq!(reports_list(&db).len(), 1);

    // The operator's commands never make a database at a wrong path.
    let missing = db.with_file_name("missing.sqlite");
    let out = Command::new(BIN)
        .args(["reports", "list", "--db"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success() && !missing.exists());
    let out = Command::new(BIN)
        .args(["reports", "set-status", "RH-00000000", "done", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// `n` distinct frame hashes (the index in the first 4 bytes) as the report carries them: base64
/// by coreutils' `base64 -w 0`, the reference, of their bytes one after another.
fn vpdq_hashes(n: u32) -> String {
    let bytes: Vec<u8> = (0..n)
        .flat_map(|i| {
            let mut hash = [0x5a; 32];
            hash[..4].copy_from_slice(&i.to_be_bytes());
            hash
        })
        .collect();
    let mut child = Command::new("base64")
        .arg("-w")
        .arg("0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("coreutils base64");
    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// A valid report of one video with `hashes` as its vPDQ, written by hand.
fn video_report(key: &str, hashes: &str) -> String {
    format!(
        r#"{{"schema":"report-helper/report@1","idempotency_key":"{key}","created_at":"2026-11-28T01:02:03.456Z","language":"nl","situation":"shared","items":[{{"kind":"video","sha256":"{}","md5":"{}","vpdq":{{"seconds_per_hash":1,"hashes":"{hashes}"}}}}],"urls":["https://example.com/v"],"good_faith":true}}"#,
        "ab".repeat(32),
        "cd".repeat(16)
    )
}

#[test]
fn a_three_hour_video_s_hashes_fit_and_a_larger_body_is_refused_unread() {
    let (site, db) = setup("vpdq");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    // The limits: 64 KiB, and the base64 of three hours of hashes at one a second.
    const BESIDES: usize = 65_536;
    const TOTAL: usize = 65_536 + 460_800;

    let hashes = vpdq_hashes(10_800);
    assert_eq!(hashes.len(), 460_800);
    let body = video_report("vpdq-key-000000000001", &hashes);
    let created = post(a, "application/json", &body, "");
    assert_eq!(created.status, 201, "{}", created.body);
    // Stored and shown as received.
    let reference = created.json()["reference"].as_str().unwrap().to_string();
    let show = Command::new(BIN)
        .args(["reports", "show", &reference, "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(show.status.success(), "{show:?}");
    let shown = String::from_utf8(show.stdout).unwrap();
    assert!(
        shown.ends_with(&format!(",\"report\":{body}}}\n")),
        "{}",
        &shown[..300]
    );
    assert_eq!(reports_list(&db).len(), 1);

    // Exactly both limits: 64 KiB besides the hashes, 526336 bytes in all (spaces count as
    // what is not hashes).
    let body = video_report("vpdq-key-000000000002", &hashes);
    let full = format!("{}{body}", " ".repeat(TOTAL - body.len()));
    assert_eq!(full.len() - hashes.len(), BESIDES);
    let r = post(a, "application/json", &full, "");
    assert_eq!(r.status, 201, "{}", r.body);

    // One hash more: 422, too many.
    let body = video_report("vpdq-key-000000000003", &vpdq_hashes(10_801));
    let r = post(a, "application/json", &body, "");
    assert_eq!(r.status, 422, "{}", r.body);
    let e = r.json();
    assert_eq!(
        (e["field"].as_str(), e["problem"].as_str()),
        (Some("items[0].vpdq.hashes"), Some("too-many"))
    );

    // A byte over 64 KiB besides the hashes, far under the whole limit: 413.
    let body = video_report("vpdq-key-000000000004", &vpdq_hashes(1));
    let padded = format!("{}{body}", " ".repeat(BESIDES + 44 + 1 - body.len()));
    let r = post(a, "application/json", &padded, "");
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["problem"], "too-long");
    assert_eq!(
        post(a, "application/json", &padded[1..], "").status,
        201,
        "exactly 64 KiB besides the hashes"
    );

    // Over the whole limit, declared: 413 before a byte of the body is sent.
    let mut s = TcpStream::connect(a).unwrap();
    let head = format!(
        "POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        TOTAL + 1
    );
    s.write_all(head.as_bytes()).unwrap();
    let answer = read_until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(answer.contains(r#""problem":"too-long""#), "{answer:?}");

    // Over it, undeclared: the server stops reading at the limit and answers 413 though the
    // body never ends (were it waiting for the end, it would answer 408 after the client
    // timeout).
    let mut s = TcpStream::connect(a).unwrap();
    s.write_all(
        b"POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .unwrap();
    let piece = [b' '; 4096];
    let mut sent = 0;
    while sent <= TOTAL {
        let _ = s.write_all(format!("{:x}\r\n", piece.len()).as_bytes());
        let _ = s.write_all(&piece);
        let _ = s.write_all(b"\r\n");
        sent += piece.len();
    }
    let answer = read_until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");

    // Only the accepted ones were stored.
    assert_eq!(reports_list(&db).len(), 3);
}

#[test]
fn cors_for_configured_origins_only() {
    let (site, db) = setup("cors");
    let server = start(&site, &db, &["--allow-origin", "https://helpline.example"]);
    let a = &server.addr;
    let preflight = |origin: &str, method: &str| {
        send(
            a,
            &format!(
                "OPTIONS /api/reports HTTP/1.1\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: {method}\r\nAccess-Control-Request-Headers: content-type, idempotency-key"
            ),
            b"",
        )
    };
    let ok = preflight("https://helpline.example", "POST");
    assert_eq!(ok.status, 204);
    assert_eq!(
        ok.header("access-control-allow-origin").as_deref(),
        Some("https://helpline.example")
    );
    let allowed = ok
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for h in ["content-type", "authorization", "idempotency-key"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    let methods = ok.header("access-control-allow-methods").unwrap();
    for m in ["POST", "GET", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    assert_eq!(ok.header("vary").as_deref(), Some("Origin"));

    let denied = preflight("https://evil.example", "POST");
    assert_ne!(denied.status / 100, 2);
    assert_eq!(denied.header("access-control-allow-origin"), None);
    assert_eq!(
        preflight("https://helpline.example", "PUT").header("access-control-allow-origin"),
        None
    );

    let body = report("key-cors-00000000001");
    let r = post(
        a,
        "application/json",
        &body,
        "\r\nOrigin: https://helpline.example",
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://helpline.example")
    );
    let r = post(
        a,
        "application/json",
        &body,
        "\r\nOrigin: https://evil.example",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("vary").as_deref(), Some("Origin"));

    // The helper's files may be loaded by the configured origin.
    let f = get(a, "/app.js", "\r\nOrigin: https://helpline.example");
    assert_eq!(
        f.header("cross-origin-resource-policy").as_deref(),
        Some("cross-origin")
    );
    assert_eq!(
        f.header("access-control-allow-origin").as_deref(),
        Some("https://helpline.example")
    );
}

#[test]
fn rate_limit_per_client() {
    let (site, db) = setup("rate");
    let server = start(&site, &db, &["--rate-limit", "3"]);
    let a = &server.addr;
    for i in 0..3 {
        let r = post(
            a,
            "application/json",
            &report(&format!("key-rate-limit-00000{i}")),
            "",
        );
        assert_eq!(r.status, 201);
    }
    let r = post(a, "application/json", &report("key-rate-limit-000009"), "");
    assert_eq!(r.status, 429);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(reports_list(&db).len(), 3);
    // Status checks are not limited.
    assert_eq!(get(a, "/api/reports/RH-00000000", "").status, 404);
}

fn csp_of_serve_mjs() -> String {
    let js =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/serve.mjs"))
            .unwrap();
    let start = js.find("export const CSP = [").unwrap();
    let end = start + js[start..].find("].join('; ')").unwrap();
    js[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn site_files_and_headers() {
    let (site, db) = setup("site");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    let csp = csp_of_serve_mjs();
    assert!(csp.starts_with("default-src 'none'; script-src"), "{csp}");
    for (path, ty) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/i.json", "application/json; charset=utf-8"),
        ("/icon.svg", "image/svg+xml"),
        ("/wasm/m.wasm", "application/wasm"),
    ] {
        let r = get(a, path, "");
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(ty), "{path}");
        assert_eq!(
            r.header("content-security-policy").as_deref(),
            Some(csp.as_str())
        );
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(
            r.header("cross-origin-resource-policy").as_deref(),
            Some("same-origin")
        );
    }
    assert_eq!(get(a, "/", "").body, "<!doctype html><title>t</title>");
    // The API's answers carry the same headers.
    let r = get(a, "/api/reports/RH-00000000", "");
    assert_eq!(
        r.header("content-security-policy").as_deref(),
        Some(csp.as_str())
    );
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    std::fs::write(site.parent().unwrap().join("secret.txt"), "no").unwrap();
    for path in [
        "/../Cargo.toml",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/wasm/..%2f..%2fsecret.txt",
        "/nothing.js",
    ] {
        assert_eq!(get(a, path, "").status, 404, "{path}");
    }
    assert_eq!(
        send(a, "POST /index.html HTTP/1.1\r\nContent-Length: 0", b"").status,
        405
    );
}

#[test]
fn every_acknowledged_report_survives_sigkill() {
    let (site, db) = setup("durable");
    let mut server = start(&site, &db, &["--rate-limit", "1000000"]);
    let addr = server.addr.clone();
    let acked = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (addr, acked, stop, counter) =
                (addr.clone(), acked.clone(), stop.clone(), counter.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let key = format!("durable-{:012}", counter.fetch_add(1, Ordering::SeqCst));
                    let Ok(mut s) = TcpStream::connect(&addr) else {
                        break;
                    };
                    let body = report(&key);
                    let req = format!(
                        "POST /api/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(req.as_bytes()).is_err() {
                        break;
                    }
                    let mut raw = String::new();
                    let _ = s.read_to_string(&mut raw);
                    // An answer cut short by the kill is no acknowledgement.
                    let answer = raw
                        .split_once("\r\n\r\n")
                        .and_then(|(head, json)| Some((head, serde_json::from_str::<Value>(json).ok()?)));
                    match answer {
                        Some((head, v)) if head.starts_with("HTTP/1.1 201") => {
                            let reference = v["reference"].as_str().unwrap().to_string();
                            acked.lock().unwrap().push((key, reference));
                        }
                        Some((head, _)) => panic!("unexpected answer: {head}"),
                        None => {}
                    }
                }
            })
        })
        .collect();
    // Kill it mid-burst, once some reports have been acknowledged.
    while acked.lock().unwrap().len() < 200 {
        thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let sent = counter.load(Ordering::SeqCst);

    let restarted = start(&site, &db, &[]);
    let rows = reports_list(&restarted.db);
    let mut keys: Vec<&str> = rows
        .iter()
        .map(|r| r["idempotency_key"].as_str().unwrap())
        .collect();
    let mut references: Vec<&str> = rows
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    references.sort_unstable();
    references.dedup();
    assert_eq!(keys.len(), rows.len(), "a duplicate key");
    assert_eq!(references.len(), rows.len(), "a duplicate reference");
    eprintln!(
        "sent {sent}, acknowledged {}, stored {}",
        acked.len(),
        rows.len()
    );
    assert!(rows.len() >= acked.len() && rows.len() <= sent);
    for (key, reference) in &acked {
        let row = rows
            .iter()
            .find(|r| r["reference"] == reference.as_str())
            .unwrap_or_else(|| panic!("acknowledged {reference} lost"));
        assert_eq!(row["idempotency_key"], key.as_str());
    }
    // The restarted server still answers, and refuses a duplicate of what it already holds.
    let (key, reference) = &acked[0];
    let again = post(&restarted.addr, "application/json", &report(key), "");
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["reference"], reference.as_str());
    assert_eq!(reports_list(&db).len(), rows.len());
}

/// Reads what the server sends until it closes the connection. A read that times out (the
/// 60 s guard: the server kept the connection) is a failure.
fn read_until_closed(s: &mut TcpStream) -> String {
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server kept a stalled connection open: {e}"),
        }
    }
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn slow_clients_are_dropped() {
    let (site, db) = setup("slow");
    let server = start(&site, &db, &["--client-timeout", "1"]);
    let a = &server.addr;

    // A head that never ends: the connection is closed.
    let mut s = TcpStream::connect(a).unwrap();
    s.write_all(b"POST /api/reports HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let answer = read_until_closed(&mut s);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );

    // A connection that sends nothing at all: closed too.
    let mut idle = TcpStream::connect(a).unwrap();
    read_until_closed(&mut idle);

    // A body that stops short of its Content-Length: 408, and nothing stored.
    let body = report("slow-0123456789abcdef");
    let mut s = TcpStream::connect(a).unwrap();
    let head = format!(
        "POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body.as_bytes()[..body.len() / 2]).unwrap();
    let answer = read_until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains(r#""problem":"timeout""#), "{answer:?}");
    assert!(reports_list(&db).is_empty());

    // And the server still answers everyone else.
    let ok = post(a, "application/json", &report("fast-0123456789abcdef"), "");
    assert_eq!(ok.status, 201, "{}", ok.body);
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let (site, db) = setup("term");
    let mut server = start(&site, &db, &[]);
    let ok = post(
        &server.addr,
        "application/json",
        &report("term-0123456789abcdef"),
        "",
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    // Polled, with a generous guard against a server that ignores the signal.
    let mut status = None;
    for _ in 0..600 {
        status = server.child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    let status = status.expect("still running 60 s after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(TcpStream::connect(&server.addr).is_err(), "still listening");
    assert_eq!(reports_list(&db).len(), 1);
}

#[test]
fn odd_requests_to_the_api_get_json_answers() {
    let (site, db) = setup("odd");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    // A reference that is not UTF-8 is unknown, like any other.
    let odd = get(a, "/api/reports/%FF", "\r\nAuthorization: Bearer x");
    assert_eq!(odd.status, 404, "{}", odd.body);
    assert_eq!(odd.json(), get(a, "/api/reports/RH-00000000", "").json());
    // A method a path does not take: 405, JSON, and what it does take.
    for (head, allow) in [
        ("GET /api/reports HTTP/1.1", "POST"),
        ("PUT /api/reports HTTP/1.1\r\nContent-Length: 0", "POST"),
        (
            "PUT /api/reports/RH-00000000 HTTP/1.1\r\nContent-Length: 0",
            "GET, DELETE",
        ),
        (
            "POST /api/reports/RH-00000000 HTTP/1.1\r\nContent-Length: 0",
            "GET, DELETE",
        ),
    ] {
        let r = send(a, head, b"");
        assert_eq!(r.status, 405, "{head}");
        assert_eq!(r.header("allow").as_deref(), Some(allow), "{head}");
        assert!(r.json()["error"].is_string(), "{head}");
    }
}

/// `report-helper reports ARGS... --db DB`: its exit status, and its stdout's one JSON line.
fn reports_command(db: &Path, args: &[&str]) -> (bool, Value, String) {
    let out = Command::new(BIN)
        .arg("reports")
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (
        out.status.success(),
        value,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `needle` stands anywhere in the database file or its write-ahead log.
fn in_database_files(db: &Path, needle: &str) -> bool {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), PathBuf::from(wal)].iter().any(|path| {
        std::fs::read(path)
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
    })
}

#[test]
fn purge_deletes_closed_reports_and_leaves_nothing_of_them_in_the_file() {
    let (site, db) = setup("purge");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    // Four reports, each with an address of its own to look for in the file afterwards.
    let mut made = Vec::new();
    for (i, status) in ["done", "withdrawn", "received", "done"].iter().enumerate() {
        let key = format!("purge-key-{i}-0123456789");
        let email = format!("purge-person-{i}@example.org");
        let body = report(&key).replace("me@example.org", &email);
        let answer = post(a, "application/json", &body, "");
        assert_eq!(answer.status, 201, "{}", answer.body);
        let answer = answer.json();
        let reference = answer["reference"].as_str().unwrap().to_string();
        let token = answer["token"].as_str().unwrap().to_string();
        let (ok, _, err) = reports_command(&db, &["set-status", &reference, status]);
        assert!(ok, "{err}");
        made.push((reference, token, key, email));
    }
    // The first three were last changed in 2020 (Python's sqlite3, beside the running server);
    // the fourth, closed today, is too recent.
    let old: Vec<&str> = made[..3].iter().map(|m| m.0.as_str()).collect();
    let script = "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.executemany(\"UPDATE reports SET updated_at='2020-01-02T03:04:05.678Z' WHERE reference=?\",[(r,) for r in sys.argv[2:]])\nc.commit()";
    let aged = Command::new("python3")
        .args(["-c", script])
        .arg(&db)
        .args(&old)
        .status()
        .expect("python3");
    assert!(aged.success());
    for m in &made {
        assert!(in_database_files(&db, &m.3), "{} should be stored", m.3);
    }

    // A dry run says which, and deletes nothing.
    let (ok, dry, err) = reports_command(&db, &["purge", "--older-than", "30", "--dry-run"]);
    assert!(ok, "{err}");
    assert_eq!(dry["references"], serde_json::json!([old[0], old[1]]));
    assert_eq!(dry["purged"], 0);
    assert_eq!(reports_list(&db).len(), 4);

    // The purge: the closed, old ones go; the open one and the recent one stay.
    let (ok, purged, err) = reports_command(&db, &["purge", "--older-than", "30"]);
    assert!(ok, "{err}");
    assert_eq!(purged["purged"], 2);
    assert_eq!(purged["references"], serde_json::json!([old[0], old[1]]));
    let left: Vec<Value> = reports_list(&db)
        .iter()
        .map(|r| r["reference"].clone())
        .collect();
    assert_eq!(left, [made[2].0.as_str(), made[3].0.as_str()]);
    // Nothing of them is left readable: not in the file, not in the WAL; their tokens are gone.
    for m in &made[..2] {
        assert!(
            !in_database_files(&db, &m.3),
            "{} is still in the file",
            m.3
        );
        assert!(
            !in_database_files(&db, &m.2),
            "{} is still in the file",
            m.2
        );
        let path = format!("/api/reports/{}", m.0);
        let gone = get(a, &path, &format!("\r\nAuthorization: Bearer {}", m.1));
        assert_eq!(gone.status, 404);
    }
    for m in &made[2..] {
        assert!(in_database_files(&db, &m.3), "{} should be kept", m.3);
    }
    // The server goes on storing reports after it.
    let after = post(a, "application/json", &report("purge-key-after-0123"), "");
    assert_eq!(after.status, 201, "{}", after.body);

    // Open reports only with --include-open; nothing twice.
    let (ok, open, err) = reports_command(&db, &["purge", "--older-than", "30", "--include-open"]);
    assert!(ok, "{err}");
    assert_eq!(open["references"], serde_json::json!([old[2]]));
    assert!(!in_database_files(&db, &made[2].3));
    assert_eq!(reports_list(&db).len(), 2);

    // A wrong number of days, or no database, is refused.
    let (ok, _, _) = reports_command(&db, &["purge", "--older-than", "-1"]);
    assert!(!ok);
    let missing = db.with_file_name("nothing-here.sqlite");
    let (ok, _, err) = reports_command(&missing, &["purge", "--older-than", "30"]);
    assert!(!ok && err.contains("no database"), "{err}");
    drop(server);
}
