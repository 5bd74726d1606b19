//! The intake's storage: one SQLite file, WAL, `synchronous=FULL`, migrations by `user_version`.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use crate::code;

/// The statuses a report can have, in the order a helpline works through them: the core's list,
/// which the page shows too. (The migrations below spell them out: a migration never changes.)
pub use report_helper::report::STATUSES;

/// One step of the schema, from version `i` to `i + 1`: SQL, or code for what SQL cannot do.
enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> rusqlite::Result<()>),
}

/// Each migration takes the schema from version `i` to `i + 1`. A migration never changes once
/// released: a database made by it may be anywhere.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
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
",
    ),
    Migration::Code(keyed_idempotency_keys),
    // Version 3: the platforms that may read the shared fingerprints (their keys only as
    // SHA-256), and the feed of fingerprints they read (`Store::fingerprints`). `seq` is
    // AUTOINCREMENT so that no number is ever used twice, even after the last row goes: a
    // platform's mirror names entries by it. An add's `report_id` is only for a withdrawal to
    // find its entries; it is never served, and is cleared with the value when the entry is
    // removed (the row stays, empty, so its number stays taken).
    Migration::Sql(
        "
    CREATE TABLE platforms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        key_sha256 BLOB NOT NULL UNIQUE,
        added_at TEXT NOT NULL,
        revoked_at TEXT,
        last_seen_at TEXT
    );
    CREATE UNIQUE INDEX platforms_live_name ON platforms(name) WHERE revoked_at IS NULL;
    CREATE TABLE fingerprints (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
        signal TEXT CHECK (signal IN ('pdq', 'md5', 'sha256', 'vpdq')),
        value TEXT,
        stored TEXT,
        quality INTEGER,
        at TEXT NOT NULL,
        removes INTEGER REFERENCES fingerprints(seq),
        report_id INTEGER REFERENCES reports(id),
        CHECK ((op = 'add') = (signal IS NOT NULL AND removes IS NULL)),
        CHECK (op = 'add' OR (value IS NULL AND report_id IS NULL))
    );
    CREATE INDEX fingerprints_report ON fingerprints(report_id) WHERE report_id IS NOT NULL;
",
    ),
];

/// The name, in `meta`, of the secret the idempotency keys are hashed under.
const KEY_SECRET: &str = "idempotency_key_hmac_secret";

/// Version 2: the idempotency key is kept only as HMAC-SHA256 under a secret of this database
/// (`meta`), and the stored report no longer holds it, so that neither the file nor
/// `reports show` gives anyone what it takes to replay a report. Tokens may be chosen by the
/// client (the page makes its own), so a token is unique per report, not in the whole table.
/// Tables with UNIQUE columns cannot drop them: both are made anew, rows copied, and the old
/// ones dropped (secure_delete is on, so what they held is zeroed).
fn keyed_idempotency_keys(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
    CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE reports_v2 (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        key_hmac BLOB NOT NULL UNIQUE,
        report TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('received', 'in_progress', 'done', 'withdrawn')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE tokens_v2 (
        token_sha256 BLOB NOT NULL,
        report_id INTEGER NOT NULL REFERENCES reports_v2(id),
        PRIMARY KEY (token_sha256, report_id)
    );
",
    )?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| {
        rusqlite::Error::InvalidParameterName(format!("no random secret for the database: {e}"))
    })?;
    tx.execute(
        "INSERT INTO meta (name, value) VALUES (?1, ?2)",
        params![KEY_SECRET, secret.as_slice()],
    )?;
    {
        let mut read = tx.prepare(
            "SELECT id, reference, idempotency_key, report, status, created_at, updated_at
             FROM reports ORDER BY id",
        )?;
        let mut write = tx.prepare(
            "INSERT INTO reports_v2 (id, reference, key_hmac, report, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let (id, reference, key, report): (i64, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            // Every stored report is the core's canonical JSON, which holds its key.
            let report = without_key(&report, &key).ok_or_else(|| {
                rusqlite::Error::InvalidParameterName(format!(
                    "report {reference}: its stored JSON does not hold its idempotency key where \
                     the canonical JSON has it"
                ))
            })?;
            let (status, created_at, updated_at): (String, String, String) =
                (r.get(4)?, r.get(5)?, r.get(6)?);
            write.execute(params![
                id,
                reference,
                key_hmac(&secret, &key),
                report,
                status,
                created_at,
                updated_at
            ])?;
        }
    }
    tx.execute_batch(
        "
    INSERT INTO tokens_v2 (token_sha256, report_id) SELECT token_sha256, report_id FROM tokens;
    DROP TABLE tokens;
    DROP TABLE reports;
    ALTER TABLE reports_v2 RENAME TO reports;
    ALTER TABLE tokens_v2 RENAME TO tokens;
    CREATE INDEX tokens_report ON tokens(report_id);
",
    )
}

/// HMAC-SHA256 of an idempotency key under the database's secret: what the store keeps of it.
fn key_hmac(secret: &[u8], key: &str) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(key.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The report's canonical JSON (`Report::to_json`) without its `idempotency_key` member, which
/// comes right after `schema`; None if it is not there. What is stored, shown and compared on a
/// replay: the key itself is kept only as its HMAC.
pub fn without_key(canonical: &str, key: &str) -> Option<String> {
    let member = format!(",\"idempotency_key\":{}", serde_json::to_string(key).ok()?);
    let rest = canonical.strip_prefix("{\"schema\":")?;
    let mut schema = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    schema.next()?.ok()?;
    let at = "{\"schema\":".len() + schema.byte_offset();
    canonical[at..]
        .starts_with(&member)
        .then(|| format!("{}{}", &canonical[..at], &canonical[at + member.len()..]))
}

pub struct Store {
    conn: Connection,
    /// The file opened and its WAL, to tell when either is removed or replaced under a running
    /// server (None for a database in memory).
    identity: Option<Identity>,
    /// The database's secret for the HMAC of idempotency keys (`meta`).
    key_secret: Vec<u8>,
}

/// The device and inode of the database file and of its WAL, as opened. While the connection
/// holds them open, neither inode can be reused by another file, so a path that names another
/// (device, inode), or nothing, means the file was removed or replaced.
struct Identity {
    path: PathBuf,
    db: (u64, u64),
    wal: Option<(u64, u64)>,
}

/// The (device, inode) the path names now, links followed; None if nothing is there.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// The answer to a submission.
#[derive(Debug)]
pub enum Stored {
    /// A new report, with its reference and its token: the client's own, or one made here.
    Created { reference: String, token: String },
    /// The same idempotency key and the same report again: the same reference and its status,
    /// and never a new token (anyone holding a copy of the report could send it again). `token`
    /// is the client's own token back, only when it already is one of this report's.
    Replayed {
        reference: String,
        status: String,
        token: Option<String>,
    },
    /// The same idempotency key with a different report.
    KeyReused,
}

/// A report as the operator sees it.
pub struct Row {
    pub reference: String,
    /// The canonical JSON without its `idempotency_key` (see `without_key`).
    pub report: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One fingerprint of a report shared with platforms, as it is added to the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    /// `pdq`, `md5`, `sha256` or `vpdq`.
    pub signal: &'static str,
    /// The hash as the report carries it (hex; for vPDQ, the item's base64 text).
    pub value: String,
    /// PDQ only: the stored pixels' hash, when the report has one.
    pub stored: Option<String>,
    /// PDQ only: the quality of `value`.
    pub quality: Option<u8>,
}

/// One line of the platforms' list (`GET /api/platform/fingerprints`): an entry added, or the
/// tombstone of one removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Add {
        seq: i64,
        signal: String,
        value: String,
        stored: Option<String>,
        quality: Option<u8>,
        added: String,
    },
    Remove {
        seq: i64,
        removes: i64,
        removed: String,
    },
}

/// The JSON of a line, in the field order of the agreed format.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum LineJson<'a> {
    Add {
        seq: i64,
        op: &'static str,
        signal: &'a str,
        value: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        stored: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        quality: Option<u8>,
        added: &'a str,
    },
    Remove {
        seq: i64,
        op: &'static str,
        removes: i64,
        removed: &'a str,
    },
}

impl Line {
    pub fn seq(&self) -> i64 {
        match self {
            Line::Add { seq, .. } | Line::Remove { seq, .. } => *seq,
        }
    }

    /// The line as JSON, without its line break: `{"seq":…,"op":…,…}`.
    pub fn to_json(&self) -> String {
        let json = match self {
            Line::Add {
                seq,
                signal,
                value,
                stored,
                quality,
                added,
            } => LineJson::Add {
                seq: *seq,
                op: "add",
                signal,
                value,
                stored: stored.as_deref(),
                quality: *quality,
                added,
            },
            Line::Remove {
                seq,
                removes,
                removed,
            } => LineJson::Remove {
                seq: *seq,
                op: "remove",
                removes: *removes,
                removed,
            },
        };
        serde_json::to_string(&json).expect("a line is plain data")
    }
}

/// A page of the platforms' list being read, from `after` (the reader's cursor): read in one
/// go, or in parts with the store let go in between (`Store::fingerprints`).
///
/// A page serves the live adds after `after`, and a remove when the reader may hold its entry:
/// one numbered `after` or less, or one this page served. A page read in one go needs only the
/// first; read in parts, an entry served by an earlier part may be removed before a later part,
/// and its tombstone (numbered after everything read so far) must follow. An entry removed
/// before its part was read is not served, and neither is its tombstone.
pub struct Reading {
    after: i64,
    /// The last number read.
    cursor: i64,
    /// The adds this page served (at most its limit of lines).
    served: std::collections::HashSet<i64>,
}

impl Reading {
    pub fn new(after: i64) -> Reading {
        Reading {
            after,
            cursor: after,
            served: std::collections::HashSet::new(),
        }
    }

    fn serves(&mut self, line: &Line) -> bool {
        match line {
            Line::Add { seq, .. } => {
                self.served.insert(*seq);
                true
            }
            Line::Remove { removes, .. } => *removes <= self.after || self.served.contains(removes),
        }
    }
}

fn line(r: &rusqlite::Row<'_>) -> rusqlite::Result<Line> {
    let seq: i64 = r.get(0)?;
    let op: String = r.get(1)?;
    let at: String = r.get(6)?;
    Ok(if op == "add" {
        Line::Add {
            seq,
            signal: r.get(2)?,
            value: r.get(3)?,
            stored: r.get(4)?,
            quality: r.get(5)?,
            added: at,
        }
    } else {
        Line::Remove {
            seq,
            removes: r.get(7)?,
            removed: at,
        }
    })
}

/// A platform as the operator sees it (never its key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub id: i64,
    pub name: String,
    pub added_at: String,
    pub revoked_at: Option<String>,
    pub last_seen_at: Option<String>,
}

fn platform(r: &rusqlite::Row<'_>) -> rusqlite::Result<Platform> {
    Ok(Platform {
        id: r.get(0)?,
        name: r.get(1)?,
        added_at: r.get(2)?,
        revoked_at: r.get(3)?,
        last_seen_at: r.get(4)?,
    })
}

/// [`unshare`] of the report `reference` names.
fn unshare_reference(tx: &Transaction<'_>, reference: &str, now: &str) -> rusqlite::Result<usize> {
    let id: i64 = tx.query_row(
        "SELECT id FROM reports WHERE reference = ?1",
        [reference],
        |r| r.get(0),
    )?;
    unshare(tx, id, now)
}

/// Removes every live entry of report `id` from the list: a tombstone each, and the entry's
/// value (and its tie to the report) deleted; the empty row keeps its number taken.
fn unshare(tx: &Transaction<'_>, id: i64, now: &str) -> rusqlite::Result<usize> {
    let seqs: Vec<i64> = tx
        .prepare(
            "SELECT seq FROM fingerprints WHERE report_id = ?1 AND op = 'add' AND value IS NOT NULL
             ORDER BY seq",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for seq in &seqs {
        tx.execute(
            "INSERT INTO fingerprints (op, removes, at) VALUES ('remove', ?1, ?2)",
            params![seq, now],
        )?;
        tx.execute(
            "UPDATE fingerprints SET value = NULL, stored = NULL, quality = NULL, report_id = NULL
             WHERE seq = ?1",
            [seq],
        )?;
    }
    Ok(seqs.len())
}

/// Columns of `platforms` as `platform()` reads them.
const PLATFORM_COLUMNS: &str = "id, name, added_at, revoked_at, last_seen_at";

impl Store {
    /// Opens the database at `path` and brings its schema up to date. With `create`, a database
    /// that is not there is made, with its folder; without it, a missing file is an error (a
    /// wrong path, or a volume that is not mounted, never gets an empty database by mistake).
    pub fn open(path: &Path, create: bool) -> Result<Store, String> {
        if !create && !path.is_file() {
            return Err(format!("no database at {}", path.display()));
        }
        // Reports hold people's email addresses: the folder and the file are the owner's only
        // (SQLite gives its -wal and -shm files the database file's permissions).
        let mut folder = std::fs::DirBuilder::new();
        let mut file = std::fs::OpenOptions::new();
        file.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
            folder.mode(0o700);
            file.mode(0o600);
        }
        if create {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                folder
                    .recursive(true)
                    .create(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            file.open(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        }
        let flags = if create {
            OpenFlags::default()
        } else {
            // Never create the file, even if it went away since the check above.
            OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE
        };
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut store = Store::setup(conn).map_err(|e| format!("{}: {e}", path.display()))?;
        // After setup, whose write transaction opened (and made) the WAL.
        store.identity = Some(Identity {
            path: path.to_path_buf(),
            db: file_id(path).ok_or_else(|| format!("{} went away", path.display()))?,
            wal: file_id(&wal_path(path)),
        });
        Ok(store)
    }

    /// Opens the database at `path`, which must exist (the operator's commands never make one
    /// by mistake at a wrong path).
    pub fn open_existing(path: &Path) -> Result<Store, String> {
        Store::open(path, false)
    }

    /// Ok while the database's path (and its WAL's) still names the file opened; otherwise what
    /// happened. A write now would go to a file that is no longer there, and be lost. One
    /// `stat` per file: cheap beside a commit's fsync.
    pub fn check_identity(&self) -> Result<(), String> {
        let Some(id) = &self.identity else {
            return Ok(());
        };
        let what = |path: &Path, now: Option<(u64, u64)>| match now {
            None => format!("{} was removed", path.display()),
            Some(_) => format!("{} was replaced by another file", path.display()),
        };
        let now = file_id(&id.path);
        if now != Some(id.db) {
            return Err(what(&id.path, now));
        }
        if let Some(wal) = id.wal {
            let path = wal_path(&id.path);
            let now = file_id(&path);
            if now != Some(wal) {
                return Err(what(&path, now));
            }
        }
        Ok(())
    }

    /// Ok when a report could be stored now: the file is the one opened, and a write
    /// transaction can begin (the file is writable and its lock can be taken).
    pub fn check_writable(&self) -> Result<(), String> {
        self.check_identity()?;
        if self.conn.is_readonly(c"main").map_err(|e| e.to_string())? {
            return Err("the database is read-only".into());
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
            .map_err(|e| format!("cannot begin a write: {e}"))
    }

    fn setup(mut conn: Connection) -> rusqlite::Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        // FULL: the WAL is synced at every commit, so a 201 survives a crash or power loss.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // What a migration or a purge frees is zeroed, not left readable in the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the database's schema version {version} is newer than this program's ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version) {
            match migration {
                Migration::Sql(sql) => tx.execute_batch(sql)?,
                Migration::Code(step) => step(&tx)?,
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        let key_secret: Vec<u8> = tx.query_row(
            "SELECT value FROM meta WHERE name = ?1",
            [KEY_SECRET],
            |r| r.get(0),
        )?;
        tx.commit()?;
        if (1..MIGRATIONS.len()).contains(&version) {
            // A database that held reports was rewritten: the zeroed pages go from the WAL into
            // the file now, not at some later checkpoint, so that the old rows (their keys) are
            // gone from it at once. Busy readers only delay that: the result is not needed.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(Store {
            conn,
            identity: None,
            key_secret,
        })
    }

    /// Stores `report` (its canonical JSON without the key, see `without_key`) under `key`,
    /// once, with `token` (the client's own, already read as typed) or else a new one. The
    /// database's UNIQUE constraint on the key's HMAC, not a prior look-up, is what keeps a
    /// second copy out. A replay adds no token: it gives `token` back only if it is already one
    /// of the report's. A new report adds `shares` to the platforms' list (none unless the
    /// person chose to share); a replay adds nothing.
    pub fn submit(
        &mut self,
        key: &str,
        report: &str,
        token: Option<&str>,
        shares: &[Share],
    ) -> rusqlite::Result<Stored> {
        let now = now_rfc3339();
        let key_hmac = key_hmac(&self.key_secret, key);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut created = None;
        for _ in 0..8 {
            let reference = format!("RH-{}", code::random(8));
            match tx.execute(
                "INSERT INTO reports (reference, key_hmac, report, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'received', ?4, ?4)
                 ON CONFLICT (key_hmac) DO NOTHING",
                params![reference, key_hmac, report, now],
            ) {
                Ok(1) => {
                    created = Some((tx.last_insert_rowid(), reference));
                    break;
                }
                Ok(_) => break,
                // The reference was taken (one chance in 2^40 a report): draw another.
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation => {}
                Err(e) => return Err(e),
            }
        }
        let answer = match created {
            Some((id, reference)) => {
                let token = token.map_or_else(|| code::random(26), str::to_string);
                tx.execute(
                    "INSERT INTO tokens (token_sha256, report_id) VALUES (?1, ?2)",
                    params![token_hash(&token), id],
                )?;
                let mut add = tx.prepare(
                    "INSERT INTO fingerprints (op, signal, value, stored, quality, at, report_id)
                     VALUES ('add', ?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for share in shares {
                    add.execute(params![
                        share.signal,
                        share.value,
                        share.stored,
                        share.quality,
                        now,
                        id
                    ])?;
                }
                drop(add);
                Stored::Created { reference, token }
            }
            None => {
                let (id, reference, stored, status): (i64, String, String, String) = tx.query_row(
                    "SELECT id, reference, report, status FROM reports WHERE key_hmac = ?1",
                    [&key_hmac],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                if stored != report {
                    return Ok(Stored::KeyReused);
                }
                let token = match token {
                    Some(t) => tx
                        .query_row(
                            "SELECT 1 FROM tokens WHERE token_sha256 = ?1 AND report_id = ?2",
                            params![token_hash(t), id],
                            |_| Ok(()),
                        )
                        .optional()?
                        .map(|()| t.to_string()),
                    None => None,
                };
                Stored::Replayed {
                    reference,
                    status,
                    token,
                }
            }
        };
        tx.commit()?;
        Ok(answer)
    }

    /// The status of `reference`, if `token` is one of its tokens.
    pub fn status(&self, reference: &str, token: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT r.status FROM reports r JOIN tokens t ON t.report_id = r.id
                 WHERE r.reference = ?1 AND t.token_sha256 = ?2",
                params![reference, token_hash(token)],
                |r| r.get(0),
            )
            .optional()
    }

    /// Withdraws `reference` if `token` is one of its tokens; false if not. Its fingerprints
    /// leave the platforms' list in the same transaction.
    pub fn withdraw(&self, reference: &str, token: &str) -> rusqlite::Result<bool> {
        let now = now_rfc3339();
        // Its first statement writes, so the lock is taken at once (no upgrade to fail).
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            "UPDATE reports SET status = 'withdrawn', updated_at = ?3
             WHERE reference = ?1
               AND id IN (SELECT report_id FROM tokens WHERE token_sha256 = ?2)",
            params![reference, token_hash(token), now],
        )?;
        if n != 1 {
            return Ok(false);
        }
        unshare_reference(&tx, reference, &now)?;
        tx.commit()?;
        Ok(true)
    }

    /// Sets the status of `reference` (operator side); false if there is no such report. Set to
    /// `withdrawn`, its fingerprints leave the platforms' list, for good (their values are
    /// deleted: a later status does not bring them back).
    pub fn set_status(&self, reference: &str, status: &str) -> rusqlite::Result<bool> {
        let now = now_rfc3339();
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            "UPDATE reports SET status = ?2, updated_at = ?3 WHERE reference = ?1",
            params![reference, status, now],
        )?;
        if n != 1 {
            return Ok(false);
        }
        if status == "withdrawn" {
            unshare_reference(&tx, reference, &now)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Deletes the reports in one of `statuses` last changed before `before` (RFC 3339), with
    /// their tokens, and returns their references, oldest first; `dry_run` only returns them.
    /// SQLite's secure_delete zeroes what the rows held, and a truncating checkpoint empties the
    /// WAL, so that the deleted reports are not left readable in the file. False in the second
    /// place when the checkpoint could not finish (a reader was busy): run it again.
    pub fn purge(
        &mut self,
        before: &str,
        statuses: &[&str],
        dry_run: bool,
    ) -> rusqlite::Result<(Vec<String>, bool)> {
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut ids = Vec::new();
        let mut references = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT id, reference, status FROM reports WHERE updated_at < ?1 ORDER BY id",
            )?;
            let mut rows = stmt.query([before])?;
            while let Some(r) = rows.next()? {
                let status: String = r.get(2)?;
                if statuses.contains(&status.as_str()) {
                    ids.push(r.get::<_, i64>(0)?);
                    references.push(r.get::<_, String>(1)?);
                }
            }
        }
        if dry_run {
            return Ok((references, true));
        }
        let now = now_rfc3339();
        for id in &ids {
            // A deleted report's fingerprints leave the platforms' list too.
            unshare(&tx, *id, &now)?;
            tx.execute("DELETE FROM tokens WHERE report_id = ?1", [id])?;
            tx.execute("DELETE FROM reports WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        // (busy, log frames, frames checkpointed): busy 0 when the WAL was emptied.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok((references, busy == 0))
    }

    /// Every report, oldest first, without the report itself (`report` is empty): a report with
    /// a video's vPDQ hashes is up to 514 KiB, and `reports list` shows none of it.
    pub fn list(&self) -> rusqlite::Result<Vec<Row>> {
        let mut stmt = self.conn.prepare(
            "SELECT reference, '', status, created_at, updated_at FROM reports ORDER BY id",
        )?;
        let rows = stmt.query_map([], row)?;
        rows.collect()
    }

    pub fn get(&self, reference: &str) -> rusqlite::Result<Option<Row>> {
        self.conn
            .query_row(
                "SELECT reference, report, status, created_at, updated_at
                 FROM reports WHERE reference = ?1",
                [reference],
                row,
            )
            .optional()
    }
}

impl Store {
    /// The next lines of a page of the platforms' list (see `Reading`), in order, appended to
    /// `lines`: at most `limit` of them, stopping once they pass `max_bytes` (a vPDQ line may be
    /// 460 KB). True when it stopped at one of those limits (more may follow), false at the end
    /// of the list. The caller may let go of the store between calls: other reports may be
    /// stored and withdrawn in between, and the page stays what one read would have given.
    pub fn fingerprints(
        &self,
        reading: &mut Reading,
        limit: usize,
        max_bytes: usize,
        lines: &mut Vec<String>,
    ) -> rusqlite::Result<bool> {
        if limit == 0 {
            return Ok(true);
        }
        // Every remove of an entry numbered up to the cursor: a superset of those the page
        // serves, which `Reading::serves` sorts out.
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op, signal, value, stored, quality, at, removes FROM fingerprints
             WHERE seq > ?1
               AND ((op = 'add' AND value IS NOT NULL) OR (op = 'remove' AND removes <= ?1))
             ORDER BY seq",
        )?;
        let mut rows = stmt.query([reading.cursor])?;
        let (mut n, mut bytes) = (0, 0);
        while let Some(r) = rows.next()? {
            let line = line(r)?;
            reading.cursor = line.seq();
            if !reading.serves(&line) {
                continue;
            }
            let json = line.to_json();
            bytes += json.len() + 1;
            lines.push(json);
            n += 1;
            if n == limit || bytes >= max_bytes {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every live entry of the platforms' list, in order, as JSON lines to `out` (the lines of
    /// `GET /api/platform/fingerprints?after=0` without a limit): one statement, so one
    /// consistent view of the list however long it takes. The number of lines.
    pub fn export(&self, out: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<u64, String> {
        let failed = |e: rusqlite::Error| format!("cannot read the list: {e}");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, op, signal, value, stored, quality, at, removes FROM fingerprints
                 WHERE op = 'add' AND value IS NOT NULL ORDER BY seq",
            )
            .map_err(failed)?;
        let mut rows = stmt.query([]).map_err(failed)?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(failed)? {
            out(&line(r).map_err(failed)?.to_json())?;
            n += 1;
        }
        Ok(n)
    }

    /// Registers a platform named `name` with a new key; the key is returned, and kept only as
    /// its SHA-256. A name is unique among the platforms not revoked.
    pub fn add_platform(&self, name: &str) -> rusqlite::Result<(Platform, String)> {
        let key = code::random(PLATFORM_KEY_CHARS);
        let now = now_rfc3339();
        self.conn.execute(
            "INSERT INTO platforms (name, key_sha256, added_at) VALUES (?1, ?2, ?3)",
            params![name, token_hash(&key), now],
        )?;
        let id = self.conn.last_insert_rowid();
        let added = Platform {
            id,
            name: name.to_string(),
            added_at: now,
            revoked_at: None,
            last_seen_at: None,
        };
        Ok((added, key))
    }

    /// Every platform, revoked ones too, in the order they were added.
    pub fn platforms(&self) -> rusqlite::Result<Vec<Platform>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PLATFORM_COLUMNS} FROM platforms ORDER BY id"
        ))?;
        let rows = stmt.query_map([], platform)?;
        rows.collect()
    }

    /// Revokes the platform with the id `id_or_name` (all digits) or else the one not revoked
    /// of that name: its key no longer reads the list. Revoking again changes nothing. None if
    /// there is no such platform.
    pub fn revoke_platform(&self, id_or_name: &str) -> rusqlite::Result<Option<Platform>> {
        let by_id = !id_or_name.is_empty() && id_or_name.bytes().all(|b| b.is_ascii_digit());
        let found: Option<i64> = if by_id {
            self.conn
                .query_row(
                    "SELECT id FROM platforms WHERE id = ?1",
                    [id_or_name.parse::<i64>().unwrap_or(-1)],
                    |r| r.get(0),
                )
                .optional()?
        } else {
            self.conn
                .query_row(
                    "SELECT id FROM platforms WHERE name = ?1 AND revoked_at IS NULL",
                    [id_or_name],
                    |r| r.get(0),
                )
                .optional()?
        };
        let Some(id) = found else {
            return Ok(None);
        };
        self.conn.execute(
            "UPDATE platforms SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now_rfc3339()],
        )?;
        self.conn
            .query_row(
                &format!("SELECT {PLATFORM_COLUMNS} FROM platforms WHERE id = ?1"),
                [id],
                platform,
            )
            .optional()
    }

    /// The platform whose key is `key`, if it is not revoked. Notes when it was last seen (at
    /// most once a minute, and only if the database can be written: a read never fails on it).
    pub fn platform_by_key(&self, key: &str) -> rusqlite::Result<Option<Platform>> {
        let found = self
            .conn
            .query_row(
                &format!(
                    "SELECT {PLATFORM_COLUMNS} FROM platforms
                     WHERE key_sha256 = ?1 AND revoked_at IS NULL"
                ),
                [token_hash(key)],
                platform,
            )
            .optional()?;
        if let Some(p) = &found {
            let now = SystemTime::now();
            let minute_ago = rfc3339(now - std::time::Duration::from_secs(60));
            let _ = self.conn.execute(
                "UPDATE platforms SET last_seen_at = ?2
                 WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?3)",
                params![p.id, rfc3339(now), minute_ago],
            );
        }
        Ok(found)
    }
}

/// A platform's key: 52 characters of Crockford base32 from the CSPRNG, 260 random bits.
pub const PLATFORM_KEY_CHARS: usize = 52;

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        reference: r.get(0)?,
        report: r.get(1)?,
        status: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Now, as RFC 3339 in UTC with milliseconds (`2026-11-28T01:02:03.456Z`).
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// `time` as RFC 3339 in UTC with milliseconds; the times stored compare as strings.
pub fn rfc3339(time: SystemTime) -> String {
    let d = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }

    #[test]
    fn one_row_per_key_and_tokens_by_hash() {
        let mut s = Store::setup(Connection::open_in_memory().unwrap()).unwrap();
        let Stored::Created { reference, token } = s.submit("k", "{}", None, &[]).unwrap() else {
            panic!()
        };
        assert_eq!(token.len(), 26);
        // Again: the same reference, and no token, with none or with another one.
        for other in [None, Some("ANOTHER0TOKEN0OF0TWENTY0SX")] {
            let Stored::Replayed {
                reference: again,
                status,
                token: echoed,
            } = s.submit("k", "{}", other, &[]).unwrap()
            else {
                panic!()
            };
            assert_eq!(
                (again.as_str(), status.as_str()),
                (reference.as_str(), "received")
            );
            assert_eq!(echoed, None);
        }
        assert_eq!(
            s.status(&reference, "ANOTHER0TOKEN0OF0TWENTY0SX").unwrap(),
            None
        );
        // With its own token: that token back, and still only that one.
        let Stored::Replayed { token: echoed, .. } =
            s.submit("k", "{}", Some(&token), &[]).unwrap()
        else {
            panic!()
        };
        assert_eq!(echoed.as_deref(), Some(token.as_str()));
        assert!(matches!(
            s.submit("k", "{ }", None, &[]).unwrap(),
            Stored::KeyReused
        ));
        let list = s.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].reference.as_str(), list[0].report.as_str()),
            (reference.as_str(), "")
        );
        assert_eq!(s.get(&reference).unwrap().unwrap().report, "{}");
        assert_eq!(s.status(&reference, &token).unwrap().unwrap(), "received");
        assert_eq!(s.status(&reference, "nope").unwrap(), None);
        assert!(!s.withdraw(&reference, "nope").unwrap());
        assert!(s.withdraw(&reference, &token).unwrap());
        assert_eq!(s.get(&reference).unwrap().unwrap().status, "withdrawn");
    }

    #[test]
    fn a_client_s_token_is_its_credential_for_its_own_report_only() {
        let mut s = Store::setup(Connection::open_in_memory().unwrap()).unwrap();
        let mine = "MY0OWN0TOKEN0OF0TWENTY0SIX";
        let Stored::Created { reference, token } = s.submit("k1", "{}", Some(mine), &[]).unwrap()
        else {
            panic!()
        };
        assert_eq!(token, mine);
        assert_eq!(s.status(&reference, mine).unwrap().unwrap(), "received");
        // The same token for a second report (a client that reuses it) is no error, and reads
        // each report only with its reference.
        let Stored::Created {
            reference: second, ..
        } = s.submit("k2", "{\"b\":1}", Some(mine), &[]).unwrap()
        else {
            panic!()
        };
        assert!(s.withdraw(&second, mine).unwrap());
        assert_eq!(s.status(&reference, mine).unwrap().unwrap(), "received");
        assert_eq!(s.status(&second, mine).unwrap().unwrap(), "withdrawn");
    }

    #[test]
    fn the_key_member_is_cut_from_the_canonical_json_only_where_it_is() {
        let key = "3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50";
        let with = format!(
            r#"{{"schema":"report-helper/report@1","idempotency_key":"{key}","created_at":"x","urls":[]}}"#
        );
        assert_eq!(
            without_key(&with, key).unwrap(),
            r#"{"schema":"report-helper/report@1","created_at":"x","urls":[]}"#
        );
        assert_eq!(without_key(&with, "another-key-0000001"), None);
        // Only right after the schema: the same text elsewhere is not the member.
        let later = format!(r#"{{"schema":"s","created_at":"x","idempotency_key":"{key}"}}"#);
        assert_eq!(without_key(&later, key), None);
        let inside = format!(r#"{{"schema":"\",\"idempotency_key\":\"{key}\""}}"#);
        assert_eq!(without_key(&inside, key), None);
    }

    fn share(signal: &'static str, value: &str) -> Share {
        Share {
            signal,
            value: value.to_string(),
            stored: None,
            quality: None,
        }
    }

    /// The whole page after `after` read in parts of `part` lines, `between` run after each part.
    fn read(s: &Store, after: i64, part: usize, mut between: impl FnMut(&Store)) -> Vec<Value> {
        let mut reading = Reading::new(after);
        let mut lines = Vec::new();
        while s
            .fingerprints(&mut reading, part, usize::MAX, &mut lines)
            .unwrap()
        {
            between(s);
        }
        lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    use serde_json::Value;

    fn ops(lines: &[Value]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l["op"].as_str().unwrap() {
                "add" => format!("{}+{}", l["seq"], l["value"].as_str().unwrap()),
                _ => format!("{}-{}", l["seq"], l["removes"]),
            })
            .collect()
    }

    #[test]
    fn shared_fingerprints_are_listed_once_and_withdrawn_with_their_report() {
        let mut s = Store::setup(Connection::open_in_memory().unwrap()).unwrap();
        let pdq = Share {
            signal: "pdq",
            value: "f8".repeat(32),
            stored: Some("0f".repeat(32)),
            quality: Some(93),
        };
        let one = [pdq, share("md5", "m1")];
        let Stored::Created { reference, token } = s.submit("k1", "{}", None, &one).unwrap() else {
            panic!()
        };
        // A replay adds nothing; a report shared by nobody adds nothing.
        s.submit("k1", "{}", None, &one).unwrap();
        s.submit("k2", "{\"b\":2}", None, &[]).unwrap();
        let Stored::Created { reference: r3, .. } = s
            .submit("k3", "{\"c\":3}", None, &[share("sha256", "s3")])
            .unwrap()
        else {
            panic!()
        };
        let all = read(&s, 0, 1000, |_| {});
        assert_eq!(
            ops(&all),
            [
                format!("1+{}", "f8".repeat(32)),
                "2+m1".into(),
                "3+s3".into()
            ]
        );
        assert_eq!(all[0]["stored"], "0f".repeat(32));
        assert_eq!(all[0]["quality"], 93);
        assert_eq!(all[1].get("stored"), None);
        assert_eq!(all[1].get("quality"), None);
        let added = all[0]["added"].as_str().unwrap().to_string();
        // The agreed field order.
        let mut reading = Reading::new(1);
        let mut lines = Vec::new();
        s.fingerprints(&mut reading, 1, usize::MAX, &mut lines)
            .unwrap();
        assert_eq!(
            lines,
            [format!(
                r#"{{"seq":2,"op":"add","signal":"md5","value":"m1","added":"{added}"}}"#
            )]
        );

        // A wrong token withdraws nothing; the right one removes both entries of that report.
        assert!(!s.withdraw(&reference, "nope").unwrap());
        assert_eq!(read(&s, 0, 1000, |_| {}).len(), 3);
        assert!(s.withdraw(&reference, &token).unwrap());
        // From 0: only what is live. From 3 (a reader who had all): the two tombstones.
        assert_eq!(ops(&read(&s, 0, 1000, |_| {})), ["3+s3"]);
        let tombs = read(&s, 3, 1000, |_| {});
        assert_eq!(ops(&tombs), ["4-1", "5-2"]);
        assert_eq!(tombs[0].as_object().unwrap().len(), 4, "{}", tombs[0]);
        // From 1 (a reader who had only the first): its tombstone, not the other's.
        assert_eq!(ops(&read(&s, 1, 1000, |_| {})), ["3+s3", "4-1"]);
        // Withdrawing again adds no tombstone; the values are gone from the table.
        assert!(s.withdraw(&reference, &token).unwrap());
        assert_eq!(read(&s, 3, 1000, |_| {}).len(), 2);
        let values: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM fingerprints WHERE value IS NOT NULL OR report_id IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(values, 1, "only s3 keeps its value");

        // The operator's status `withdrawn` removes too.
        assert!(s.set_status(&r3, "withdrawn").unwrap());
        assert_eq!(ops(&read(&s, 5, 1000, |_| {})), ["6-3"]);
        assert!(read(&s, 0, 1000, |_| {}).is_empty());
    }

    #[test]
    fn a_page_read_in_parts_is_the_page_read_at_once() {
        let mut s = Store::setup(Connection::open_in_memory().unwrap()).unwrap();
        let mut tokens = Vec::new();
        for i in 0..4 {
            let Stored::Created { reference, token } = s
                .submit(
                    &format!("k{i}"),
                    &format!("{{\"n\":{i}}}"),
                    None,
                    &[share("md5", &format!("v{i}"))],
                )
                .unwrap()
            else {
                panic!()
            };
            tokens.push((reference, token));
        }
        // Report 0 withdrawn before anyone read: neither it nor its tombstone is served from 0.
        assert!(s.withdraw(&tokens[0].0, &tokens[0].1).unwrap());
        assert_eq!(ops(&read(&s, 0, 1, |_| {})), ["2+v1", "3+v2", "4+v3"]);
        // Read in parts of one line, with report 1 (already served) and report 3 (not yet
        // served) withdrawn after the first part: 1's tombstone follows, 3 and its own do not.
        let mut once = false;
        let (r1, r3) = (tokens[1].clone(), tokens[3].clone());
        let page = read(&s, 0, 1, |s| {
            if !once {
                once = true;
                assert!(s.withdraw(&r1.0, &r1.1).unwrap());
                assert!(s.withdraw(&r3.0, &r3.1).unwrap());
            }
        });
        assert_eq!(ops(&page), ["2+v1", "3+v2", "6-2"]);
        // The same page read at once now: what a reader who read it would hold after the next.
        assert_eq!(ops(&read(&s, 0, 1000, |_| {})), ["3+v2"]);
        // From 3, every tombstone of an entry up to 3 (1's too: the reader may have had it).
        assert_eq!(ops(&read(&s, 3, 1000, |_| {})), ["5-1", "6-2"]);
        // Numbers are never reused, even after the last row goes.
        s.conn
            .execute("DELETE FROM fingerprints WHERE seq = 7", [])
            .unwrap();
        s.submit("k9", "{\"n\":9}", None, &[share("md5", "v9")])
            .unwrap();
        assert_eq!(ops(&read(&s, 6, 1000, |_| {})), ["8+v9"]);
    }

    #[test]
    fn purge_removes_the_fingerprints_of_what_it_deletes() {
        let mut s = Store::setup(Connection::open_in_memory().unwrap()).unwrap();
        let Stored::Created { reference, .. } =
            s.submit("k", "{}", None, &[share("md5", "v")]).unwrap()
        else {
            panic!()
        };
        s.set_status(&reference, "done").unwrap();
        let (purged, _) = s.purge("9999", &["done"], false).unwrap();
        assert_eq!(purged, [reference]);
        assert_eq!(ops(&read(&s, 1, 1000, |_| {})), ["2-1"]);
        assert!(read(&s, 0, 1000, |_| {}).is_empty());
    }

    #[test]
    fn platforms_keys_are_kept_hashed_and_revoked_ones_read_nothing() {
        let s = Store::setup(Connection::open_in_memory().unwrap()).unwrap();
        let (acme, key) = s.add_platform("Acme").unwrap();
        assert_eq!(key.len(), PLATFORM_KEY_CHARS);
        assert!(s.add_platform("Acme").is_err(), "a live name is unique");
        let (other, other_key) = s.add_platform("Other").unwrap();
        assert_ne!(key, other_key);
        let stored: Vec<u8> = s
            .conn
            .query_row(
                "SELECT key_sha256 FROM platforms WHERE id = ?1",
                [acme.id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, Sha256::digest(key.as_bytes()).to_vec());
        assert_eq!(s.platform_by_key(&key).unwrap().unwrap().id, acme.id);
        assert!(s.platforms().unwrap()[0].last_seen_at.is_some());
        assert_eq!(s.platform_by_key("nope").unwrap(), None);
        assert_eq!(s.platform_by_key(&key.to_lowercase()).unwrap(), None);
        let revoked = s.revoke_platform("Acme").unwrap().unwrap();
        assert!(revoked.revoked_at.is_some());
        assert_eq!(s.platform_by_key(&key).unwrap(), None);
        assert!(s.revoke_platform("Acme").unwrap().is_none(), "no live Acme");
        assert_eq!(
            s.revoke_platform(&acme.id.to_string()).unwrap(),
            Some(revoked.clone())
        );
        // Added again under its name, with a new key.
        let (again, _) = s.add_platform("Acme").unwrap();
        assert_ne!(again.id, acme.id);
        assert_eq!(
            s.revoke_platform(&other.id.to_string())
                .unwrap()
                .unwrap()
                .name,
            "Other"
        );
        assert!(s.revoke_platform("99").unwrap().is_none());
        assert_eq!(s.platforms().unwrap().len(), 3);
    }

    #[test]
    fn a_version_2_database_gains_the_platforms_and_keeps_its_reports() {
        let mut conn = Connection::open_in_memory().unwrap();
        {
            let tx = conn.transaction().unwrap();
            for m in &MIGRATIONS[..2] {
                match m {
                    Migration::Sql(sql) => tx.execute_batch(sql).unwrap(),
                    Migration::Code(step) => step(&tx).unwrap(),
                }
            }
            tx.pragma_update(None, "user_version", 2).unwrap();
            tx.execute(
                "INSERT INTO reports (reference, key_hmac, report, status, created_at, updated_at)
                 VALUES ('RH-OLD00000', x'00', '{}', 'received', 'x', 'x')",
                [],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let s = Store::setup(conn).unwrap();
        assert_eq!(s.get("RH-OLD00000").unwrap().unwrap().report, "{}");
        assert!(read(&s, 0, 10, |_| {}).is_empty());
        assert!(s.add_platform("Acme").is_ok());
        let version: i64 = s
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 3);
    }
}
