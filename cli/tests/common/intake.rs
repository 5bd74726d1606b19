//! What the intake's tests share, in-process (`tests/api.rs`) or against the binary
//! (`tests/serve.rs`, `tests/platforms.rs`, `tests/matching.rs`): the server started, a small
//! site, reports written by hand, and the operator's `reports`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;

use serde_json::Value;

use super::{scratch, BIN};

/// `report-helper serve`, as built, on a free port of the loopback; killed when dropped.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    pub db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `report-helper serve --init` with database `db`, site `site` and `extra` options, and
/// waits for the address it prints.
pub fn start(site: &Path, db: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--init", "--addr", "127.0.0.1:0", "--db"])
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
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Server {
        child,
        addr,
        db: db.to_path_buf(),
    }
}

/// A folder with a small site, and a fresh database path beside it.
pub fn setup(name: &str) -> (PathBuf, PathBuf) {
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

/// A valid report, written by hand.
pub fn report(key: &str) -> String {
    format!(
        r#"{{"schema":"report-helper/report@1","idempotency_key":"{key}","created_at":"2026-11-28T01:02:03.456Z","language":"nl","situation":"shared","items":[{{"kind":"image","sha256":"{}","md5":"{}","pdq":{{"hash":"{}","quality":100}}}}],"urls":["https://example.com/a"],"contact":{{"email":"me@example.org"}},"good_faith":true}}"#,
        "ab".repeat(32),
        "cd".repeat(16),
        "f8".repeat(32)
    )
}

/// `n` distinct frame hashes (the index in the first 4 bytes) as the report carries them: base64
/// by coreutils' `base64 -w 0`, the reference, of their bytes one after another.
pub fn vpdq_hashes(n: u32) -> String {
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
pub fn video_report(key: &str, hashes: &str) -> String {
    format!(
        r#"{{"schema":"report-helper/report@1","idempotency_key":"{key}","created_at":"2026-11-28T01:02:03.456Z","language":"nl","situation":"shared","items":[{{"kind":"video","sha256":"{}","md5":"{}","vpdq":{{"seconds_per_hash":1,"hashes":"{hashes}"}}}}],"urls":["https://example.com/v"],"good_faith":true}}"#,
        "ab".repeat(32),
        "cd".repeat(16)
    )
}

/// `report-helper reports ARGS... --db DB`, run to its end.
pub fn reports(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("reports")
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

/// `report-helper reports list --db DB`, one value a report.
pub fn reports_list(db: &Path) -> Vec<Value> {
    let out = reports(db, &["list"]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
