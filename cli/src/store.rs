//! The intake's storage: one SQLite file, WAL, `synchronous=FULL`, migrations by `user_version`.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::code;

/// The statuses a report can have, in the order a helpline works through them: the core's list,
/// which the page shows too. (The migrations below spell them out: a migration never changes.)
pub use report_helper::report::STATUSES;

/// Each migration takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
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
"];

pub struct Store {
    conn: Connection,
    /// The file opened and its WAL, to tell when either is removed or replaced under a running
    /// server (None for a database in memory).
    identity: Option<Identity>,
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
    /// A new report, with its reference and the only copy of its token.
    Created { reference: String, token: String },
    /// The same idempotency key and the same report again: the same reference, and a new token
    /// (the first one is stored only as a hash, so it cannot be given again).
    Replayed {
        reference: String,
        token: String,
        status: String,
    },
    /// The same idempotency key with a different report.
    KeyReused,
}

/// A report as the operator sees it.
pub struct Row {
    pub reference: String,
    pub idempotency_key: String,
    pub report: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

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
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the database's schema version {version} is newer than this program's ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.commit()?;
        Ok(Store {
            conn,
            identity: None,
        })
    }

    /// Stores `report` (its canonical JSON) under `key`, once. The database's UNIQUE constraint
    /// on the key, not a prior look-up, is what keeps a second copy out.
    pub fn submit(&mut self, key: &str, report: &str) -> rusqlite::Result<Stored> {
        let now = now_rfc3339();
        let token = code::random(26);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut created = None;
        for _ in 0..8 {
            let reference = format!("RH-{}", code::random(8));
            match tx.execute(
                "INSERT INTO reports (reference, idempotency_key, report, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'received', ?4, ?4)
                 ON CONFLICT (idempotency_key) DO NOTHING",
                params![reference, key, report, now],
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
                add_token(&tx, id, &token)?;
                Stored::Created { reference, token }
            }
            None => {
                let (id, reference, stored, status): (i64, String, String, String) = tx.query_row(
                    "SELECT id, reference, report, status FROM reports WHERE idempotency_key = ?1",
                    [key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                if stored != report {
                    return Ok(Stored::KeyReused);
                }
                add_token(&tx, id, &token)?;
                Stored::Replayed {
                    reference,
                    token,
                    status,
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

    /// Withdraws `reference` if `token` is one of its tokens; false if not.
    pub fn withdraw(&self, reference: &str, token: &str) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "UPDATE reports SET status = 'withdrawn', updated_at = ?3
             WHERE reference = ?1
               AND id IN (SELECT report_id FROM tokens WHERE token_sha256 = ?2)",
            params![reference, token_hash(token), now_rfc3339()],
        )?;
        Ok(n == 1)
    }

    /// Sets the status of `reference` (operator side); false if there is no such report.
    pub fn set_status(&self, reference: &str, status: &str) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "UPDATE reports SET status = ?2, updated_at = ?3 WHERE reference = ?1",
            params![reference, status, now_rfc3339()],
        )?;
        Ok(n == 1)
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
        for id in &ids {
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
            "SELECT reference, idempotency_key, '', status, created_at, updated_at
             FROM reports ORDER BY id",
        )?;
        let rows = stmt.query_map([], row)?;
        rows.collect()
    }

    pub fn get(&self, reference: &str) -> rusqlite::Result<Option<Row>> {
        self.conn
            .query_row(
                "SELECT reference, idempotency_key, report, status, created_at, updated_at
                 FROM reports WHERE reference = ?1",
                [reference],
                row,
            )
            .optional()
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        reference: r.get(0)?,
        idempotency_key: r.get(1)?,
        report: r.get(2)?,
        status: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn add_token(tx: &rusqlite::Transaction<'_>, id: i64, token: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO tokens (token_sha256, report_id) VALUES (?1, ?2)",
        params![token_hash(token), id],
    )?;
    Ok(())
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
        let Stored::Created { reference, token } = s.submit("k", "{}").unwrap() else {
            panic!()
        };
        let Stored::Replayed {
            reference: again,
            token: token2,
            ..
        } = s.submit("k", "{}").unwrap()
        else {
            panic!()
        };
        assert_eq!(reference, again);
        assert!(matches!(s.submit("k", "{ }").unwrap(), Stored::KeyReused));
        let list = s.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].reference.as_str(), list[0].report.as_str()),
            (reference.as_str(), "")
        );
        assert_eq!(s.get(&reference).unwrap().unwrap().report, "{}");
        assert_eq!(s.status(&reference, &token).unwrap().unwrap(), "received");
        assert_eq!(s.status(&reference, &token2).unwrap().unwrap(), "received");
        assert_eq!(s.status(&reference, "nope").unwrap(), None);
        assert!(!s.withdraw(&reference, "nope").unwrap());
        assert!(s.withdraw(&reference, &token).unwrap());
        assert_eq!(s.get(&reference).unwrap().unwrap().status, "withdrawn");
    }
}
