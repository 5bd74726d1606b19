//! The intake API and the site, in-process: `serve::app()` called with
//! `tower::ServiceExt::oneshot`, no socket. The operator's side is the real `report-helper
//! reports`, run on the same database. What needs a socket or a process (slow clients,
//! SIGKILL, SIGTERM, bodies refused unread) is in `tests/serve.rs`.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use axum::Router;
use common::intake::{report, reports, reports_list, setup, video_report, vpdq_hashes};
use common::python;
use report_helper_cli::serve::{app, AppState, Config, Limiter};
use serde_json::Value;
use tower::ServiceExt;

/// The app on a small site and a fresh database, configured as `report-helper serve` with
/// `extra` would be (`--allow-origin`, `--rate-limit`), other options at their defaults.
struct Intake {
    app: Router,
    db: PathBuf,
    site: PathBuf,
    /// The limiters of POSTs and of status checks and withdrawals.
    limiters: (Arc<Limiter>, Arc<Limiter>),
}

#[derive(Default)]
struct Options<'a> {
    allow_origins: &'a [&'a str],
    frame_ancestors: &'a [&'a str],
    rate_limit: Option<u32>,
    status_rate_limit: Option<u32>,
    trust_proxy: &'a [&'a str],
}

fn intake(name: &str, options: Options) -> Intake {
    let (site, db) = setup(name);
    intake_on(site, db, options)
}

/// The app on `site` and the database `db` (made if it is not there, as with `--init`).
fn intake_on(site: PathBuf, db: PathBuf, options: Options) -> Intake {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: db.clone(),
        init: true,
        site: site.clone(),
        allow_origins: options
            .allow_origins
            .iter()
            .map(|o| o.to_string())
            .collect(),
        frame_ancestors: options
            .frame_ancestors
            .iter()
            .map(|o| o.to_string())
            .collect(),
        // The defaults of `report-helper serve`.
        rate_limit: options.rate_limit.unwrap_or(30),
        status_rate_limit: options.status_rate_limit.unwrap_or(120),
        platform_rate_limit: 60,
        trust_proxy: options
            .trust_proxy
            .iter()
            .map(|c| c.parse().unwrap())
            .collect(),
        client_timeout: Duration::from_secs(10),
        max_connections: None,
        max_connections_per_address: 64,
    };
    let state = AppState::open(&config).unwrap();
    let limiters = state.limiters();
    Intake {
        app: app(state),
        db,
        site,
        limiters,
    }
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    /// Every value of the header `name`, joined by ", "; None if there is none.
    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Intake {
    /// Sends `method path` with `Host: intake.test`, `headers` and `body`, from 127.0.0.1, and
    /// reads the whole answer.
    async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Body) -> Answer {
        let mut with_host = vec![("host", "intake.test")];
        with_host.extend_from_slice(headers);
        self.send_bare(method, path, &with_host, body).await
    }

    /// Sends `method path` with `headers` only (no Host unless they have one).
    async fn send_bare(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Answer {
        let peer = SocketAddr::from(([127, 0, 0, 1], 50_000));
        self.send_from(peer, method, path, headers, body).await
    }

    /// Sends `method path` with `headers` only, from `peer`.
    async fn send_from(
        &self,
        peer: SocketAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(body).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// POST /api/reports with `Content-Type: content_type`, its `Content-Length` and `extra`.
    async fn post(&self, content_type: &str, body: &str, extra: &[(&str, &str)]) -> Answer {
        let length = body.len().to_string();
        let mut headers = vec![("content-type", content_type), ("content-length", &length)];
        headers.extend_from_slice(extra);
        self.send(
            "POST",
            "/api/reports",
            &headers,
            Body::from(body.to_string()),
        )
        .await
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("GET", path, headers, Body::empty()).await
    }
}

fn is_base32(s: &str) -> bool {
    s.bytes()
        .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
}

#[tokio::test]
async fn submit_check_and_withdraw() {
    let server = intake("flow", Options::default());
    let db = &server.db;

    let body = report("key-0123456789abcdef");
    let created = server
        .post(
            "application/json",
            &body,
            &[("idempotency-key", "key-0123456789abcdef")],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("content-type").unwrap(), "application/json");
    let answer = created.json();
    let reference = answer["reference"].as_str().unwrap().to_string();
    let token = answer["token"].as_str().unwrap().to_string();
    assert_eq!(answer["status"], "received");
    assert!(reference.len() == 11 && reference.starts_with("RH-") && is_base32(&reference[3..]));
    assert!(token.len() == 26 && is_base32(&token), "{token}");

    // The same key and report again: the same reference and status, no token, one row.
    let again = server.post("application/json", &body, &[]).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        again.json(),
        serde_json::json!({"reference": reference, "status": "received", "replayed": true})
    );
    let rows = reports_list(db);
    assert_eq!(rows.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(db), 0o600);
        assert_eq!(mode(&db.with_extension("sqlite-wal")), 0o600);
        assert_eq!(mode(db.parent().unwrap()), 0o700);
    }
    assert_eq!(rows[0]["reference"], reference.as_str());
    // The key, all it takes to replay the report, is neither listed nor stored.
    assert_eq!(rows[0].get("idempotency_key"), None, "{}", rows[0]);
    assert!(!in_database_files(db, "key-0123456789abcdef"));
    // The same key with another report is refused.
    let other = server
        .post(
            "application/json",
            &body.replace("https://example.com/a", "https://example.com/b"),
            &[],
        )
        .await;
    assert_eq!(other.status, 409, "{}", other.body);
    assert_eq!(other.json()["field"], "idempotency_key");
    assert_eq!(reports_list(db).len(), 1);

    // What is stored is the canonical report, as received, less its idempotency_key.
    let show = reports(db, &["show", &reference]);
    assert!(show.status.success());
    let shown_text = String::from_utf8(show.stdout).unwrap();
    assert!(!shown_text.contains("key-0123456789abcdef"), "{shown_text}");
    let shown: Value = serde_json::from_str(&shown_text).unwrap();
    let mut sent: Value = serde_json::from_str(&body).unwrap();
    sent.as_object_mut().unwrap().remove("idempotency_key");
    assert_eq!(shown["report"], sent);
    assert_eq!(shown.get("idempotency_key"), None);

    // Status: only with the token of this report; everything else is the same 404.
    let path = format!("/api/reports/{reference}");
    let bearer = format!("Bearer {token}");
    let ok = server.get(&path, &[("authorization", &bearer)]).await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.json(),
        serde_json::json!({"reference": reference, "status": "received"})
    );
    let missing = server.get(&path, &[]).await;
    let wrong = server
        .get(
            &path,
            &[("authorization", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAA")],
        )
        .await;
    let unknown = server
        .get("/api/reports/RH-00000000", &[("authorization", &bearer)])
        .await;
    for r in [&missing, &wrong, &unknown] {
        assert_eq!(r.status, 404);
        assert_eq!(r.body, missing.body);
    }

    // The operator moves it on; the person sees it.
    let set = reports(db, &["set-status", &reference, "in_progress"]);
    assert!(set.status.success());
    let ok = server.get(&path, &[("authorization", &bearer)]).await;
    assert_eq!(ok.json()["status"], "in_progress");

    // Withdrawing needs the token too.
    let denied = server.send("DELETE", &path, &[], Body::empty()).await;
    assert_eq!(denied.status, 404);
    let gone = server
        .send(
            "DELETE",
            &path,
            &[("authorization", &bearer)],
            Body::empty(),
        )
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    let ok = server.get(&path, &[("authorization", &bearer)]).await;
    assert_eq!(ok.json()["status"], "withdrawn");
    assert_eq!(reports_list(db)[0]["status"], "withdrawn");
    // A replay of a withdrawn report says so, and still gives no token.
    let again = server.post("application/json", &body, &[]).await.json();
    assert_eq!(
        again,
        serde_json::json!({"reference": reference, "status": "withdrawn", "replayed": true})
    );
}

/// Issue 18: a threat often has no file or link yet, only the account that threatens. A report
/// of accounts alone is received and stored as posted; an account name with a hidden character
/// is refused on its field.
#[tokio::test]
async fn a_report_of_accounts_alone_is_stored_as_posted() {
    let server = intake("accounts", Options::default());
    let db = &server.db;
    let body = r#"{"schema":"report-helper/report@1","idempotency_key":"key-accounts-00000001","created_at":"2026-12-02T23:00:00Z","language":"nl","situation":"threatened","items":[],"urls":[],"accounts":[{"platform":"Snapchat","name":"sanne_fake"},{"platform":"Instagram","name":"@sanne.fake"}],"good_faith":true}"#;
    let created = server.post("application/json", body, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let reference = created.json()["reference"].as_str().unwrap().to_string();
    let show = reports(db, &["show", &reference]);
    assert!(show.status.success());
    let shown: Value = serde_json::from_slice(&show.stdout).unwrap();
    let mut sent: Value = serde_json::from_str(body).unwrap();
    sent.as_object_mut().unwrap().remove("idempotency_key");
    assert_eq!(shown["report"], sent);

    let hidden = body
        .replace("key-accounts-00000001", "key-accounts-00000002")
        .replace("sanne_fake", r"sanne\u200b_fake");
    let r = server.post("application/json", &hidden, &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["field"], "accounts[0].name");
    assert_eq!(r.json()["problem"], "not-plain-text");
    assert_eq!(reports_list(db).len(), 1);
}

/// Issue 20: the consent to share the fingerprints with platforms. A report made before the
/// question (without `share_with_platforms`) is still accepted, and stored as not shared; one
/// with `true` is stored with it; anything but true or false is refused as `malformed`.
#[tokio::test]
async fn a_report_made_before_the_consent_question_is_accepted_as_not_shared() {
    let server = intake("consent", Options::default());
    let db = &server.db;
    let old = r#"{"schema":"report-helper/report@1","idempotency_key":"key-consent-000000001","created_at":"2026-12-02T23:00:00Z","language":"nl","situation":"shared","items":[],"urls":["https://a.example/x"],"good_faith":true}"#;
    let shown = |reference: &str| -> Value {
        let show = reports(db, &["show", reference]);
        assert!(show.status.success());
        serde_json::from_slice::<Value>(&show.stdout).unwrap()["report"].clone()
    };
    let created = server.post("application/json", old, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let report = shown(created.json()["reference"].as_str().unwrap());
    assert_eq!(report["urls"][0], "https://a.example/x");
    assert!(report.get("share_with_platforms").is_none(), "{report}");
    let stored = report_helper::report::Report::from_json(&report.to_string().replacen(
        '{',
        r#"{"idempotency_key":"key-consent-000000001","#,
        1,
    ))
    .unwrap();
    assert!(!stored.share_with_platforms);

    let consent = |key: &str, value: &str| {
        old.replace("key-consent-000000001", key).replace(
            r#""good_faith":true"#,
            &format!(r#""good_faith":true,"share_with_platforms":{value}"#),
        )
    };
    let created = server
        .post(
            "application/json",
            &consent("key-consent-000000002", "true"),
            &[],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let report = shown(created.json()["reference"].as_str().unwrap());
    assert_eq!(report["share_with_platforms"], true);

    let created = server
        .post(
            "application/json",
            &consent("key-consent-000000003", "false"),
            &[],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let r = server
        .post(
            "application/json",
            &consent("key-consent-000000004", r#""yes""#),
            &[],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["problem"], "malformed");
    assert_eq!(reports_list(db).len(), 3);
}

/// Issue 16, finding 2: anyone holding a copy of a report (a backup, `reports show`, a partner
/// it was forwarded to) could post it again, be given a new token and withdraw the report.
#[tokio::test]
async fn a_replay_hands_out_no_token_and_a_stranger_cannot_withdraw() {
    let server = intake("replay", Options::default());
    let body = report("key-replayed-00000001");
    let created = server.post("application/json", &body, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let reference = created.json()["reference"].as_str().unwrap().to_string();
    let owner = format!("Bearer {}", created.json()["token"].as_str().unwrap());
    let path = format!("/api/reports/{reference}");

    // The stranger's replays: without a token, and with a well-formed token of their own.
    let stranger = "Bearer 0123456789ABCDEFGHJKMNPQRS";
    for extra in [&[][..], &[("authorization", stranger)][..]] {
        let replay = server.post("application/json", &body, extra).await;
        assert_eq!(replay.status, 200, "{}", replay.body);
        let answer = replay.json();
        assert_eq!(answer["reference"], reference.as_str());
        assert_eq!(answer["replayed"], true);
        assert_eq!(answer.get("token"), None, "a replay gave a token: {answer}");
        // Whatever the answer held, and the stranger's own token: neither can withdraw.
        let given = answer["token"].as_str().map(|t| format!("Bearer {t}"));
        for bearer in given.iter().map(String::as_str).chain([stranger]) {
            let delete = server
                .send("DELETE", &path, &[("authorization", bearer)], Body::empty())
                .await;
            assert_eq!(delete.status, 404, "{bearer} withdrew the report");
            let read = server.get(&path, &[("authorization", bearer)]).await;
            assert_eq!(read.status, 404, "{bearer} read the report");
        }
    }
    let ok = server.get(&path, &[("authorization", &owner)]).await;
    assert_eq!(ok.json()["status"], "received");
}

/// The page makes the token itself and sends it with every attempt: the 201 stores it, and a
/// retry whose first answer was lost is answered that same token, which it already holds.
#[tokio::test]
async fn a_client_s_own_token_is_stored_and_given_back_on_a_replay() {
    let server = intake("own-token", Options::default());
    let db = &server.db;
    let own = "7K2M9QXDHPWS4R8TVB3N6CFGJZ";
    let bearer = format!("Bearer {own}");

    // Malformed: refused before anything is stored, with a code of its own.
    let body = report("key-own-token-000001");
    for bad in [
        "Bearer 7K2M9QXDHPWS4R8TVB3N6CFGJ",   // 25 characters
        "Bearer 7K2M9QXDHPWS4R8TVB3N6CFGJZ0", // 27
        "Bearer 7K2M9QXDHPWS4R8TVB3N6CFGJ!",
        "Bearer 7K2M9QXDHPWS4R8TVB3N6CFGJU", // U is not Crockford base32
        "Bearer",
        "Basic 7K2M9QXDHPWS4R8TVB3N6CFGJZ",
        "",
    ] {
        let r = server
            .post("application/json", &body, &[("authorization", bad)])
            .await;
        assert_eq!(r.status, 422, "{bad:?}: {}", r.body);
        assert_eq!(
            r.json(),
            serde_json::json!({
                "error": "the Authorization header must be Bearer and a token of 26 characters of Crockford base32",
                "field": "",
                "problem": "not-a-token",
            })
        );
    }
    assert_eq!(reports_list(db).len(), 0);

    let created = server
        .post("application/json", &body, &[("authorization", &bearer)])
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let answer = created.json();
    assert_eq!(answer["token"], own);
    let reference = answer["reference"].as_str().unwrap().to_string();
    let path = format!("/api/reports/{reference}");
    let read = server.get(&path, &[("authorization", &bearer)]).await;
    assert_eq!(read.status, 200, "{}", read.body);

    // The retry: the same token, here as a person would type it, is given back as stored.
    let typed = "bearer 7k2m 9qxd hpws 4r8t vb3n 6cfg jz";
    let replay = server
        .post("application/json", &body, &[("authorization", typed)])
        .await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(
        replay.json(),
        serde_json::json!({"reference": reference, "status": "received", "replayed": true, "token": own})
    );
    assert_eq!(reports_list(db).len(), 1);
}

/// A database made by version 1 of the schema (its SQL copied here as it was released), with
/// the key in its own column and in the stored report, is converted when opened: the key is
/// kept only as its keyed hash, nowhere readable; tokens, replays and statuses go on working.
#[tokio::test]
async fn a_version_1_database_is_converted_and_keeps_no_key() {
    let (site, db) = setup("migrate-v1");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let key = "key-from-version-1-0001";
    let body = report(key);
    let old_token = "V1T0KEN0F0THE0F1RST0SCHEMA";
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch(
            "
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        report TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('received', 'in_progress', 'done', 'withdrawn')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE tokens (
        token_sha256 BLOB PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id)
    );
    CREATE INDEX tokens_report ON tokens(report_id);
    PRAGMA user_version = 1;
",
        )
        .unwrap();
        // As version 1 stored it: the canonical JSON, which is the body as the page sends it.
        conn.execute(
            "INSERT INTO reports VALUES (1, 'RH-V1REP0RT', ?1, ?2, 'in_progress',
             '2026-11-28T01:02:03.456Z', '2026-11-29T01:02:03.456Z')",
            rusqlite::params![key, body],
        )
        .unwrap();
        let hash = <sha2::Sha256 as sha2::Digest>::digest(old_token.as_bytes()).to_vec();
        conn.execute("INSERT INTO tokens VALUES (?1, 1)", rusqlite::params![hash])
            .unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    assert!(in_database_files(&db, key));

    let server = intake_on(site, db.clone(), Options::default());
    // Nothing of the key in the file or its WAL, as soon as it was opened.
    assert!(!in_database_files(&db, key), "the key is still in the file");
    let (ok, shown, _) = reports_command(&db, &["show", "RH-V1REP0RT"]);
    assert!(ok);
    let mut sent: Value = serde_json::from_str(&body).unwrap();
    sent.as_object_mut().unwrap().remove("idempotency_key");
    assert_eq!(
        shown,
        serde_json::json!({
            "reference": "RH-V1REP0RT",
            "status": "in_progress",
            "created_at": "2026-11-28T01:02:03.456Z",
            "updated_at": "2026-11-29T01:02:03.456Z",
            "report": sent,
        })
    );
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        // Version 3 (the platforms and their list) follows at once.
        assert_eq!(version, 3);
        let problems: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(problems, 0);
    }

    // The old token reads it; a replay with it is answered it; without, no token; the key with
    // another report is still refused.
    let bearer = format!("Bearer {old_token}");
    let read = server
        .get("/api/reports/RH-V1REP0RT", &[("authorization", &bearer)])
        .await;
    assert_eq!(read.json()["status"], "in_progress");
    let replay = server
        .post("application/json", &body, &[("authorization", &bearer)])
        .await;
    assert_eq!(replay.json()["token"], old_token);
    assert_eq!(replay.json()["reference"], "RH-V1REP0RT");
    let replay = server.post("application/json", &body, &[]).await;
    assert_eq!(replay.json().get("token"), None);
    let other = body.replace("https://example.com/a", "https://example.com/b");
    assert_eq!(
        server.post("application/json", &other, &[]).await.status,
        409
    );
    assert_eq!(reports_list(&db).len(), 1);
}

#[tokio::test]
async fn refusals() {
    let server = intake("refusals", Options::default());
    let db = &server.db;
    let body = report("key-refusals-0000001");

    let r = server.post("text/plain", &body, &[]).await;
    assert_eq!(r.status, 415);
    assert_eq!(r.json()["problem"], "not-json");

    // Over 64 KiB besides vPDQ hashes (of which it has none), declared and sent in chunks with
    // no length declared: 413 too, though under the limit of a report with hashes.
    let big = format!("{}{}", " ".repeat(64 * 1024 + 1 - body.len()), body);
    assert_eq!(big.len(), 64 * 1024 + 1);
    assert_eq!(server.post("application/json", &big, &[]).await.status, 413);
    // A stream has no length: the body goes in chunks, as with Transfer-Encoding: chunked.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .as_bytes()
        .chunks(4096)
        .map(|piece| Ok(piece.to_vec()))
        .collect();
    let r = server
        .send(
            "POST",
            "/api/reports",
            &[("content-type", "application/json")],
            Body::from_stream(futures_util::stream::iter(chunks)),
        )
        .await;
    assert_eq!(r.status, 413);
    // Exactly 64 KiB is accepted.
    assert_eq!(
        server.post("application/json", &big[1..], &[]).await.status,
        201
    );

    let r = server.post("application/json", "{not json", &[]).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["problem"], "malformed");

    let unknown = body.replace(
        r#""kind":"image","#,
        r#""kind":"image","file_name":"me.jpg","#,
    );
    let r = server.post("application/json", &unknown, &[]).await;
    assert_eq!(r.status, 422);
    let e = r.json();
    assert_eq!(e["problem"], "malformed");
    assert!(e["error"].as_str().unwrap().contains("file_name"), "{e}");

    let bad_hash = body.replace(&"ab".repeat(32), &"AB".repeat(32));
    let e = server.post("application/json", &bad_hash, &[]).await.json();
    assert_eq!(e["field"], "items[0].sha256");
    assert_eq!(e["problem"], "not-hex");

    let no_faith = body.replace(r#""good_faith":true"#, r#""good_faith":false"#);
    let e = server.post("application/json", &no_faith, &[]).await.json();
    assert_eq!(
        (e["field"].as_str(), e["problem"].as_str()),
        (Some("good_faith"), Some("good-faith-required"))
    );

    let r = server
        .post(
            "application/json",
            &body,
            &[("idempotency-key", "another-key-0000000001")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["field"], "idempotency_key");

    // Only the one 64 KiB report was stored.
    assert_eq!(reports_list(db).len(), 1);

    // The operator's commands never make a database at a wrong path.
    let missing = db.with_file_name("missing.sqlite");
    let out = reports(&missing, &["list"]);
    assert!(!out.status.success() && !missing.exists());
    let out = reports(db, &["set-status", "RH-00000000", "done"]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_three_hour_video_s_hashes_fit_and_a_larger_report_is_refused() {
    let server = intake("vpdq", Options::default());
    let db = &server.db;
    // The limits: 64 KiB, and the base64 of three hours of hashes at one a second.
    const BESIDES: usize = 65_536;
    const TOTAL: usize = 65_536 + 460_800;

    let hashes = vpdq_hashes(10_800);
    assert_eq!(hashes.len(), 460_800);
    let body = video_report("vpdq-key-000000000001", &hashes);
    let created = server.post("application/json", &body, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // Stored and shown as received, less the idempotency key.
    let reference = created.json()["reference"].as_str().unwrap().to_string();
    let show = reports(db, &["show", &reference]);
    assert!(show.status.success(), "{show:?}");
    let shown = String::from_utf8(show.stdout).unwrap();
    let stored = body.replace(",\"idempotency_key\":\"vpdq-key-000000000001\"", "");
    assert_eq!(
        stored.len(),
        body.len() - ",\"idempotency_key\":\"vpdq-key-000000000001\"".len()
    );
    assert!(
        shown.ends_with(&format!(",\"report\":{stored}}}\n")),
        "{}",
        &shown[..300]
    );
    assert_eq!(reports_list(db).len(), 1);

    // Exactly both limits: 64 KiB besides the hashes, 526336 bytes in all (spaces count as
    // what is not hashes).
    let body = video_report("vpdq-key-000000000002", &hashes);
    let full = format!("{}{body}", " ".repeat(TOTAL - body.len()));
    assert_eq!(full.len() - hashes.len(), BESIDES);
    let r = server.post("application/json", &full, &[]).await;
    assert_eq!(r.status, 201, "{}", r.body);

    // One hash more: 422, too many.
    let body = video_report("vpdq-key-000000000003", &vpdq_hashes(10_801));
    let r = server.post("application/json", &body, &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let e = r.json();
    assert_eq!(
        (e["field"].as_str(), e["problem"].as_str()),
        (Some("items[0].vpdq.hashes"), Some("too-many"))
    );

    // A byte over 64 KiB besides the hashes, far under the whole limit: 413.
    let body = video_report("vpdq-key-000000000004", &vpdq_hashes(1));
    let padded = format!("{}{body}", " ".repeat(BESIDES + 44 + 1 - body.len()));
    let r = server.post("application/json", &padded, &[]).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["problem"], "too-long");
    assert_eq!(
        server
            .post("application/json", &padded[1..], &[])
            .await
            .status,
        201,
        "exactly 64 KiB besides the hashes"
    );

    // Only the accepted ones were stored. (Bodies over the whole limit, declared or not, are
    // refused unread: tests/serve.rs, on a socket.)
    assert_eq!(reports_list(db).len(), 3);
}

#[tokio::test]
async fn cors_for_configured_origins_only() {
    let server = intake(
        "cors",
        Options {
            allow_origins: &["https://helpline.example"],
            ..Options::default()
        },
    );
    let s = &server;
    let preflight = move |origin: &'static str, method: &'static str| async move {
        s.send(
            "OPTIONS",
            "/api/reports",
            &[
                ("origin", origin),
                ("access-control-request-method", method),
                (
                    "access-control-request-headers",
                    "content-type, idempotency-key",
                ),
            ],
            Body::empty(),
        )
        .await
    };
    let ok = preflight("https://helpline.example", "POST").await;
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

    let denied = preflight("https://evil.example", "POST").await;
    assert_ne!(denied.status / 100, 2);
    assert_eq!(denied.header("access-control-allow-origin"), None);
    assert_eq!(
        preflight("https://helpline.example", "PUT")
            .await
            .header("access-control-allow-origin"),
        None
    );

    let body = report("key-cors-00000000001");
    let r = server
        .post(
            "application/json",
            &body,
            &[("origin", "https://helpline.example")],
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://helpline.example")
    );
    let r = server
        .post(
            "application/json",
            &body,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("vary").as_deref(), Some("Origin"));

    // The helper's files may be loaded by the configured origin.
    let f = server
        .get("/app.js", &[("origin", "https://helpline.example")])
        .await;
    assert_eq!(
        f.header("cross-origin-resource-policy").as_deref(),
        Some("cross-origin")
    );
    assert_eq!(
        f.header("access-control-allow-origin").as_deref(),
        Some("https://helpline.example")
    );
}

#[tokio::test]
async fn the_platforms_list_is_server_to_server_no_cors() {
    let server = intake(
        "platforms-cors",
        Options {
            allow_origins: &["https://helpline.example"],
            ..Options::default()
        },
    );
    let (_, key) = report_helper_cli::store::Store::open_existing(&server.db)
        .unwrap()
        .add_platform("Acme")
        .unwrap();
    let bearer = format!("Bearer {key}");
    let origin = ("origin", "https://helpline.example");
    // Read with the key, even from an allowed origin: no CORS header, never cached.
    let r = server
        .get(
            "/api/platform/fingerprints",
            &[origin, ("authorization", &bearer)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/x-ndjson")
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("access-control-allow-origin"), None);
    // No preflight is answered for it: a page cannot be let read it.
    let p = server
        .send(
            "OPTIONS",
            "/api/platform/fingerprints",
            &[origin, ("access-control-request-method", "GET")],
            Body::empty(),
        )
        .await;
    assert_eq!(p.status, 405);
    assert_eq!(p.header("allow").as_deref(), Some("GET"));
    assert!(p
        .headers
        .keys()
        .all(|h| !h.as_str().starts_with("access-control-")));
    // The key in the query is no key.
    let q = server
        .get(&format!("/api/platform/fingerprints?key={key}"), &[])
        .await;
    assert_eq!(q.status, 401);
}

#[tokio::test]
async fn rate_limit_per_client() {
    let server = intake(
        "rate",
        Options {
            rate_limit: Some(3),
            ..Options::default()
        },
    );
    for i in 0..3 {
        let r = server
            .post(
                "application/json",
                &report(&format!("key-rate-limit-00000{i}")),
                &[],
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let r = server
        .post("application/json", &report("key-rate-limit-000009"), &[])
        .await;
    assert_eq!(r.status, 429);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(reports_list(&server.db).len(), 3);
    // Status checks have a limit of their own.
    assert_eq!(
        server.get("/api/reports/RH-00000000", &[]).await.status,
        404
    );
}

impl Intake {
    /// The status of a POST from `peer` with `headers` and a body that is not JSON (415 unless
    /// limited: it counts toward the limit all the same).
    async fn post_from(&self, peer: &str, headers: &[(&str, &str)]) -> u16 {
        let peer = SocketAddr::new(peer.parse().unwrap(), 40_000);
        let mut all = vec![("host", "intake.test"), ("content-type", "text/plain")];
        all.extend_from_slice(headers);
        self.send_from(peer, "POST", "/api/reports", &all, Body::from("x"))
            .await
            .status
    }
}

#[tokio::test]
async fn rate_limit_groups_ipv6_by_64() {
    let server = intake(
        "rate-ipv6",
        Options {
            rate_limit: Some(1),
            ..Options::default()
        },
    );
    assert_eq!(server.post_from("2001:db8:1:2::1", &[]).await, 415);
    // Another address of the same /64: the same client.
    assert_eq!(
        server.post_from("2001:db8:1:2:ffff:ee:dd:9", &[]).await,
        429
    );
    // The next /64: another client.
    assert_eq!(server.post_from("2001:db8:1:3::1", &[]).await, 415);
    // IPv4 per address, and an IPv4-mapped IPv6 address is the IPv4 one.
    assert_eq!(server.post_from("::ffff:192.0.2.1", &[]).await, 415);
    assert_eq!(server.post_from("192.0.2.1", &[]).await, 429);
    assert_eq!(server.post_from("192.0.2.2", &[]).await, 415);
}

#[tokio::test]
async fn rate_limit_behind_trusted_proxy() {
    let server = intake(
        "rate-proxy",
        Options {
            rate_limit: Some(1),
            trust_proxy: &["10.0.0.0/8", "fd00::/8"],
            ..Options::default()
        },
    );
    let xff = |v| [("x-forwarded-for", v)];
    let fwd = |v| [("forwarded", v)];
    // A trusted peer: the header names the client; two clients behind one proxy.
    assert_eq!(
        server.post_from("10.0.0.5", &xff("198.51.100.1")).await,
        415
    );
    assert_eq!(
        server.post_from("10.0.0.5", &xff("198.51.100.2")).await,
        415
    );
    assert_eq!(
        server.post_from("10.0.0.6", &xff("198.51.100.1")).await,
        429
    );
    // Left-most entries are the client's to write: the right-most untrusted one counts.
    assert_eq!(
        server
            .post_from("10.0.0.5", &xff("203.0.113.7, 198.51.100.2"))
            .await,
        429
    );
    assert_eq!(
        server
            .post_from("10.0.0.5", &xff("198.51.100.1, 198.51.100.3, 10.0.0.9"))
            .await,
        415
    );
    // Forwarded (RFC 7239) first, and its IPv6 node form.
    assert_eq!(
        server
            .post_from("fd00::1", &fwd("for=\"[2001:db8:5::1]:4711\";proto=https"))
            .await,
        415
    );
    assert_eq!(
        server
            .post_from(
                "10.0.0.5",
                &[
                    ("forwarded", "for=192.0.2.200, for=\"[2001:db8:5::2]\""),
                    ("x-forwarded-for", "198.51.100.50"),
                ]
            )
            .await,
        429
    );
    // Malformed: the peer is the client (the first POST of 10.0.0.7, then its second).
    assert_eq!(
        server.post_from("10.0.0.7", &xff("not-an-address")).await,
        415
    );
    assert_eq!(server.post_from("10.0.0.7", &fwd("for=_hidden")).await, 429);
    // An untrusted peer: the headers are ignored.
    assert_eq!(
        server.post_from("192.0.2.50", &xff("198.51.100.77")).await,
        415
    );
    assert_eq!(
        server.post_from("192.0.2.50", &xff("198.51.100.78")).await,
        429
    );
    assert_eq!(
        server
            .post_from("192.0.2.51", &fwd("for=198.51.100.79"))
            .await,
        415
    );
    assert_eq!(
        server
            .post_from("192.0.2.51", &fwd("for=198.51.100.80"))
            .await,
        429
    );
}

#[tokio::test]
async fn rate_limit_zero_is_off() {
    let server = intake(
        "rate-off",
        Options {
            rate_limit: Some(0),
            status_rate_limit: Some(0),
            ..Options::default()
        },
    );
    for _ in 0..100 {
        assert_eq!(server.post_from("192.0.2.1", &[]).await, 415);
    }
    for _ in 0..100 {
        assert_eq!(
            server.get("/api/reports/RH-00000000", &[]).await.status,
            404
        );
    }
}

#[tokio::test]
async fn status_and_withdrawal_are_limited() {
    let server = intake(
        "rate-status",
        Options {
            status_rate_limit: Some(2),
            ..Options::default()
        },
    );
    let path = "/api/reports/RH-00000000";
    let auth = [("authorization", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAA")];
    assert_eq!(server.get(path, &auth).await.status, 404);
    assert_eq!(
        server
            .send("DELETE", path, &auth, Body::empty())
            .await
            .status,
        404
    );
    for method in ["GET", "DELETE"] {
        let r = server.send(method, path, &auth, Body::empty()).await;
        assert_eq!(r.status, 429, "{method}");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["problem"], "rate-limited");
        // A status check is no report: the text fits both.
        assert_eq!(
            body["error"],
            "too many requests from this address; try again later"
        );
    }
    // POSTs have their own limit.
    assert_eq!(server.post_from("127.0.0.1", &[]).await, 415);
}

#[tokio::test]
async fn rate_limit_memory_is_bounded() {
    // 60000 a minute: a client's limit is whole again 1 ms after its one POST.
    let server = intake(
        "rate-memory",
        Options {
            rate_limit: Some(60_000),
            ..Options::default()
        },
    );
    for i in 0..3000u32 {
        let v4 = std::net::Ipv4Addr::from(0xC000_0000 + i).to_string();
        assert_eq!(server.post_from(&v4, &[]).await, 415);
        // 3000 addresses of one /64: one key.
        let v6 = format!("2001:db8:7:7::{i:x}");
        assert_eq!(server.post_from(&v6, &[]).await, 415);
    }
    let (posts, _) = &server.limiters;
    assert_eq!(posts.len(), 3001);
    tokio::time::sleep(Duration::from_millis(20)).await;
    posts.retain_recent();
    assert!(posts.len() <= 1, "{} keys", posts.len());
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

#[tokio::test]
async fn site_files_and_headers() {
    let server = intake("site", Options::default());
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
        let r = server.get(path, &[]).await;
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
    assert_eq!(
        server.get("/", &[]).await.body,
        "<!doctype html><title>t</title>"
    );
    // The API's answers carry the same headers.
    let r = server.get("/api/reports/RH-00000000", &[]).await;
    assert_eq!(
        r.header("content-security-policy").as_deref(),
        Some(csp.as_str())
    );
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    std::fs::write(server.site.parent().unwrap().join("secret.txt"), "no").unwrap();
    for path in [
        "/../Cargo.toml",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/wasm/..%2f..%2fsecret.txt",
        "/nothing.js",
    ] {
        assert_eq!(server.get(path, &[]).await.status, 404, "{path}");
    }
    assert_eq!(
        server
            .send(
                "POST",
                "/index.html",
                &[("content-length", "0")],
                Body::empty()
            )
            .await
            .status,
        405
    );
}

#[tokio::test]
async fn odd_requests_to_the_api_get_json_answers() {
    let server = intake("odd", Options::default());
    // A reference that is not UTF-8 is unknown, like any other.
    let odd = server
        .get("/api/reports/%FF", &[("authorization", "Bearer x")])
        .await;
    assert_eq!(odd.status, 404, "{}", odd.body);
    assert_eq!(
        odd.json(),
        server.get("/api/reports/RH-00000000", &[]).await.json()
    );
    // A method a path does not take: 405, JSON, and what it does take.
    for (method, path, allow) in [
        ("GET", "/api/reports", "POST"),
        ("PUT", "/api/reports", "POST"),
        ("PUT", "/api/reports/RH-00000000", "GET, DELETE"),
        ("POST", "/api/reports/RH-00000000", "GET, DELETE"),
    ] {
        let headers: &[(&str, &str)] = if method == "GET" {
            &[]
        } else {
            &[("content-length", "0")]
        };
        let r = server.send(method, path, headers, Body::empty()).await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.header("allow").as_deref(), Some(allow), "{method} {path}");
        assert!(r.json()["error"].is_string(), "{method} {path}");
    }
}

/// `report-helper reports ARGS... --db DB`: its exit status, and its stdout's one JSON line.
fn reports_command(db: &Path, args: &[&str]) -> (bool, Value, String) {
    let out = reports(db, args);
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

/// The purge runs beside the intake, which keeps its database open all along (as the server
/// does).
#[tokio::test]
async fn purge_deletes_closed_reports_and_leaves_nothing_of_them_in_the_file() {
    let server = intake("purge", Options::default());
    let db = &server.db;
    // Four reports, each with an address of its own to look for in the file afterwards.
    let mut made = Vec::new();
    for (i, status) in ["done", "withdrawn", "received", "done"].iter().enumerate() {
        let key = format!("purge-key-{i}-0123456789");
        let email = format!("purge-person-{i}@example.org");
        let body = report(&key).replace("me@example.org", &email);
        let answer = server.post("application/json", &body, &[]).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let answer = answer.json();
        let reference = answer["reference"].as_str().unwrap().to_string();
        let token = answer["token"].as_str().unwrap().to_string();
        let (ok, _, err) = reports_command(db, &["set-status", &reference, status]);
        assert!(ok, "{err}");
        made.push((reference, token, key, email));
    }
    // The first three were last changed in 2020 (Python's sqlite3, beside the running intake);
    // the fourth, closed today, is too recent.
    let old: Vec<&str> = made[..3].iter().map(|m| m.0.as_str()).collect();
    let script = "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.executemany(\"UPDATE reports SET updated_at='2020-01-02T03:04:05.678Z' WHERE reference=?\",[(r,) for r in sys.argv[2:]])\nc.commit()";
    let mut args = vec![db.to_str().unwrap()];
    args.extend(&old);
    python(script, &args);
    for m in &made {
        assert!(in_database_files(db, &m.3), "{} should be stored", m.3);
    }

    // A dry run says which, and deletes nothing.
    let (ok, dry, err) = reports_command(db, &["purge", "--older-than", "30", "--dry-run"]);
    assert!(ok, "{err}");
    assert_eq!(dry["references"], serde_json::json!([old[0], old[1]]));
    assert_eq!(dry["purged"], 0);
    assert_eq!(reports_list(db).len(), 4);

    // The purge: the closed, old ones go; the open one and the recent one stay.
    let (ok, purged, err) = reports_command(db, &["purge", "--older-than", "30"]);
    assert!(ok, "{err}");
    assert_eq!(purged["purged"], 2);
    assert_eq!(purged["references"], serde_json::json!([old[0], old[1]]));
    let left: Vec<Value> = reports_list(db)
        .iter()
        .map(|r| r["reference"].clone())
        .collect();
    assert_eq!(left, [made[2].0.as_str(), made[3].0.as_str()]);
    // Nothing of them is left readable: not in the file, not in the WAL; their tokens are gone.
    for m in &made[..2] {
        assert!(!in_database_files(db, &m.3), "{} is still in the file", m.3);
        assert!(!in_database_files(db, &m.2), "{} is still in the file", m.2);
        let path = format!("/api/reports/{}", m.0);
        let bearer = format!("Bearer {}", m.1);
        let gone = server.get(&path, &[("authorization", &bearer)]).await;
        assert_eq!(gone.status, 404);
    }
    for m in &made[2..] {
        assert!(in_database_files(db, &m.3), "{} should be kept", m.3);
    }
    // The intake goes on storing reports after it.
    let after = server
        .post("application/json", &report("purge-key-after-0123"), &[])
        .await;
    assert_eq!(after.status, 201, "{}", after.body);

    // Open reports only with --include-open; nothing twice.
    let (ok, open, err) = reports_command(db, &["purge", "--older-than", "30", "--include-open"]);
    assert!(ok, "{err}");
    assert_eq!(open["references"], serde_json::json!([old[2]]));
    assert!(!in_database_files(db, &made[2].3));
    assert_eq!(reports_list(db).len(), 2);

    // A wrong number of days, or no database, is refused.
    let (ok, _, _) = reports_command(db, &["purge", "--older-than", "-1"]);
    assert!(!ok);
    let missing = db.with_file_name("nothing-here.sqlite");
    let (ok, _, err) = reports_command(&missing, &["purge", "--older-than", "30"]);
    assert!(!ok && err.contains("no database"), "{err}");
    drop(server);
}

/// The database's files as SQLite names them: the file, its WAL and its shared memory.
fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .collect()
}

#[tokio::test]
async fn a_missing_database_is_made_only_when_asked() {
    let (site, db) = setup("no-init");
    let config = |init| Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: db.clone(),
        init,
        site: site.clone(),
        allow_origins: vec![],
        frame_ancestors: vec![],
        rate_limit: 30,
        status_rate_limit: 120,
        platform_rate_limit: 60,
        trust_proxy: vec![],
        client_timeout: Duration::from_secs(10),
        max_connections: None,
        max_connections_per_address: 64,
    };
    let Err(e) = AppState::open(&config(false)) else {
        panic!("opened a database that is not there")
    };
    assert!(e.contains("--init"), "{e}");
    assert!(!db.parent().unwrap().exists(), "made its folder");
    assert!(AppState::open(&config(true)).is_ok());
    assert!(db.is_file());
    // Once made, it opens without --init.
    assert!(AppState::open(&config(false)).is_ok());
}

#[tokio::test]
async fn healthz_and_writes_answer_503_once_the_database_is_removed() {
    let intake = intake("removed", Options::default());
    let health = intake.get("/healthz", &[]).await;
    assert_eq!(
        (health.status, health.json()),
        (200, serde_json::json!({"status": "ok"}))
    );
    assert_eq!(health.header("cache-control").as_deref(), Some("no-store"));
    let created = intake
        .post("application/json", &report("removed-0000000001"), &[])
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let (reference, token) = (
        created.json()["reference"].as_str().unwrap().to_string(),
        created.json()["token"].as_str().unwrap().to_string(),
    );
    for file in database_files(&intake.db) {
        let _ = std::fs::remove_file(file);
    }
    for i in 1..=10 {
        let a = intake
            .post(
                "application/json",
                &report(&format!("removed-{i:010}")),
                &[],
            )
            .await;
        assert_eq!(a.status, 503, "{}", a.body);
        assert_eq!(a.header("retry-after").as_deref(), Some("60"));
        assert!(a.json()["error"].is_string(), "{}", a.body);
    }
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let path = format!("/api/reports/{reference}");
    let withdrawn = intake.send("DELETE", &path, &auth, Body::empty()).await;
    assert_eq!(withdrawn.status, 503, "{}", withdrawn.body);
    assert_eq!(intake.get("/healthz", &[]).await.status, 503);
    // Nothing came back at the path: the server did not make a new file there.
    assert!(!intake.db.exists());
}

#[tokio::test]
async fn writes_answer_503_once_the_database_is_replaced() {
    let intake = intake("replaced", Options::default());
    let created = intake
        .post("application/json", &report("replaced-0000000001"), &[])
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // Another database at the path: a copy made by SQLite itself, moved over the file.
    let copy = intake.db.with_extension("copy");
    let _ = std::fs::remove_file(&copy);
    let out = std::process::Command::new("sqlite3")
        .arg(&intake.db)
        .arg(format!(".backup '{}'", copy.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::rename(&copy, &intake.db).unwrap();
    let a = intake
        .post("application/json", &report("replaced-0000000002"), &[])
        .await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(intake.get("/healthz", &[]).await.status, 503);
    // The refused report is not in the file the path names.
    assert_eq!(reports_list(&intake.db).len(), 1);
}

#[tokio::test]
async fn healthz_takes_get_only() {
    let intake = intake("healthz-get", Options::default());
    let a = intake.send("POST", "/healthz", &[], Body::empty()).await;
    assert_eq!(a.status, 405);
    assert_eq!(a.header("allow").as_deref(), Some("GET"));
}

#[tokio::test]
async fn a_request_needs_exactly_one_host() {
    let intake = intake("host", Options::default());
    for path in ["/", "/api/reports/RH-00000000", "/healthz"] {
        let none = intake.send_bare("GET", path, &[], Body::empty()).await;
        assert_eq!(none.status, 400, "{path}: {}", none.body);
        let two = intake
            .send_bare(
                "GET",
                path,
                &[("host", "intake.test"), ("host", "evil.example")],
                Body::empty(),
            )
            .await;
        assert_eq!(two.status, 400, "{path}: {}", two.body);
        let bad = intake
            .send_bare("GET", path, &[("host", "a b")], Body::empty())
            .await;
        assert_eq!(bad.status, 400, "{path}: {}", bad.body);
        // The refusal still carries the site's headers.
        assert_eq!(
            none.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
    }
    let one = intake
        .send_bare("GET", "/", &[("host", "127.0.0.1:8080")], Body::empty())
        .await;
    assert_eq!(one.status, 200);
    // POST too: nothing is stored without a Host.
    let body = report("host-0000000001");
    let length = body.len().to_string();
    let posted = intake
        .send_bare(
            "POST",
            "/api/reports",
            &[
                ("content-type", "application/json"),
                ("content-length", &length),
            ],
            Body::from(body),
        )
        .await;
    assert_eq!(posted.status, 400);
    assert!(reports_list(&intake.db).is_empty());
}

#[tokio::test]
async fn no_page_frames_the_site_unless_allowed() {
    // CSP 3 (frame-ancestors) and RFC 7034 (X-Frame-Options): the directive the spec names.
    let closed = intake("frames", Options::default());
    for path in ["/", "/api/reports/RH-00000000", "/nothing.js"] {
        let r = closed.get(path, &[]).await;
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.ends_with("; frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            r.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
    }
    let open = intake(
        "frames-allowed",
        Options {
            frame_ancestors: &["https://helpline.example", "'self'"],
            ..Options::default()
        },
    );
    let r = open.get("/", &[]).await;
    let csp = r.header("content-security-policy").unwrap();
    assert_eq!(
        csp,
        csp_of_serve_mjs().replace(
            "frame-ancestors 'none'",
            "frame-ancestors https://helpline.example 'self'"
        )
    );
    assert_eq!(r.header("x-frame-options"), None);
}

#[tokio::test]
async fn dotfiles_are_never_served() {
    let server = intake("dotfiles", Options::default());
    std::fs::create_dir_all(server.site.join(".git")).unwrap();
    std::fs::write(server.site.join(".git/config"), "[core]").unwrap();
    std::fs::write(server.site.join(".env"), "SECRET=1").unwrap();
    std::fs::write(server.site.join("wasm/.hidden"), "x").unwrap();
    let link = server.site.join("env.txt");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(".env", &link).unwrap();
    for path in [
        "/.env",
        "/%2eenv",
        "/.git/config",
        "/.git/",
        "/wasm/.hidden",
        "/env.txt",
    ] {
        let r = server.get(path, &[]).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_a_500() {
    let server = intake("unreadable", Options::default());
    let site = &server.site;
    // A link to nothing; a folder whose index.html is a folder; a FIFO (never opened: a read
    // would wait for a writer).
    let broken = site.join("broken.js");
    let _ = std::fs::remove_file(&broken);
    std::os::unix::fs::symlink("missing.js", &broken).unwrap();
    std::fs::create_dir_all(site.join("sub/index.html")).unwrap();
    let fifo = site.join("pipe.js");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for path in ["/broken.js", "/sub/", "/sub", "/pipe.js"] {
        let r = server.get(path, &[]).await;
        assert_eq!(r.status, 500, "{path}: {}", r.body);
    }
    // No permission: only where that stops a read (not as root, which reads it anyway).
    let locked = site.join("locked.js");
    std::fs::write(&locked, "x").unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let expected = if std::fs::read(&locked).is_err() {
        500
    } else {
        200
    };
    assert_eq!(server.get("/locked.js", &[]).await.status, expected);
    // Still 404: a name that is not there, and a folder without index.html.
    std::fs::create_dir_all(site.join("empty")).unwrap();
    for path in ["/nothing.js", "/empty/"] {
        assert_eq!(server.get(path, &[]).await.status, 404, "{path}");
    }
}
