//! `report-helper serve` run as built: the real binary on a free port of 127.0.0.1, spoken to
//! in hand-written HTTP/1.1, for what needs a socket or a process: bodies refused unread, slow
//! clients, SIGKILL and SIGTERM. The API's answers are tested in-process in `tests/api.rs`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::intake::{report, reports_list, setup, start, Server};
use common::BIN;
use serde_json::Value;

struct Answer {
    status: u16,
    body: String,
}

impl Answer {
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
    let mut references: Vec<&str> = rows
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), rows.len(), "a duplicate reference");
    eprintln!(
        "sent {sent}, acknowledged {}, stored {}",
        acked.len(),
        rows.len()
    );
    assert!(rows.len() >= acked.len() && rows.len() <= sent);
    // (No key is listed, so a duplicate key cannot be seen here: the replay below shows that
    // the stored key still answers with its reference.)
    for (_, reference) in &acked {
        assert!(
            rows.iter().any(|r| r["reference"] == reference.as_str()),
            "acknowledged {reference} lost"
        );
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
fn bodies_over_the_whole_limit_are_refused_unread() {
    let (site, db) = setup("unread");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    // The whole limit: 64 KiB, and the base64 of three hours of hashes at one a second.
    const TOTAL: usize = 65_536 + 460_800;

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

    // Nothing was stored.
    assert!(reports_list(&db).is_empty());
}

#[test]
fn serve_without_init_refuses_a_missing_database() {
    let (site, db) = setup("no-init");
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--site")
        .arg(&site)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--init"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!db.parent().unwrap().exists(), "made the database's folder");
}

/// The database's files deleted under a running server: no 201 after that, the log says so, and
/// every report acknowledged after the restart is in the new database.
#[test]
fn a_database_deleted_under_the_server_is_noticed() {
    let (site, db) = setup("deleted");
    let log = site.with_file_name("serve.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--init", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--site")
        .arg(&site)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let server = Server {
        addr: line
            .split("http://")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string(),
        child,
        db: db.clone(),
    };
    assert_eq!(
        post(
            &server.addr,
            "application/json",
            &report("deleted-0000000000"),
            ""
        )
        .status,
        201
    );
    // As `rm reports.sqlite*` does.
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", db.display())).unwrap();
    }
    for i in 1..=10 {
        let a = post(
            &server.addr,
            "application/json",
            &report(&format!("deleted-{i:010}")),
            "",
        );
        assert_eq!(a.status, 503, "{}", a.body);
    }
    drop(server);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("was removed"), "{log}");
    assert_eq!(log.matches("was removed").count(), 1, "logged once: {log}");
    // Restarted (the operator makes a new database): what the retries then get acknowledged
    // is stored.
    let restarted = start(&site, &db, &[]);
    let again = post(
        &restarted.addr,
        "application/json",
        &report("deleted-0000000001"),
        "",
    );
    assert_eq!(again.status, 201);
    assert_eq!(reports_list(&db).len(), 1);
}

/// Sends `raw` as it is and returns the answer's status line.
fn status_line(addr: &str, raw: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let text = read_until_closed(&mut s);
    text.lines().next().unwrap_or_default().to_string()
}

/// RFC 9112 section 3.2: no Host, or more than one, is a 400, over a real socket.
#[test]
fn host_headers_over_the_socket() {
    let (site, db) = setup("host");
    let server = start(&site, &db, &[]);
    let a = &server.addr;
    for raw in [
        "GET / HTTP/1.1\r\nConnection: close\r\n\r\n".to_string(),
        "GET / HTTP/1.0\r\n\r\n".to_string(),
        format!("GET / HTTP/1.1\r\nHost: {a}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
    ] {
        let line = status_line(a, &raw);
        assert_eq!(line.split(' ').nth(1), Some("400"), "{raw:?}: {line}");
    }
    let ok = format!("GET / HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n");
    assert!(status_line(a, &ok).starts_with("HTTP/1.1 200"));
}

#[test]
fn frame_ancestors_takes_sources_only() {
    let (site, db) = setup("frame-flag");
    for bad in [
        "https://a.example; script-src *",
        "https://a.example b",
        "'none'",
        "",
    ] {
        let out = Command::new(BIN)
            .args([
                "serve",
                "--init",
                "--addr",
                "127.0.0.1:0",
                "--frame-ancestors",
                bad,
                "--db",
            ])
            .arg(&db)
            .arg("--site")
            .arg(&site)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
    }
}
