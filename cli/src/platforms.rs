//! The platforms' side of the intake: what of a shared report goes on their list (`shares`),
//! and the operator's commands `report-helper platforms add|list|revoke` and
//! `report-helper fingerprints export`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use report_helper::report::Report;

use crate::store::{Platform, Share, Store};
use crate::terminal;

/// What of a report goes on the platforms' list: for each item, in order, its PDQ (with the
/// stored pixels' hash and the quality), MD5, SHA-256 and vPDQ, as the report carries them.
/// Nothing else: no SHA-1 (platforms do not ask for it), no URL, account, contact or time.
/// Nothing at all unless the person chose to share.
pub fn shares(report: &Report) -> Vec<Share> {
    if !report.share_with_platforms {
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in &report.items {
        if let Some(pdq) = &item.pdq {
            out.push(Share {
                signal: "pdq",
                value: pdq.hash.clone(),
                stored: item.pdq_stored.as_ref().map(|s| s.hash.clone()),
                quality: Some(pdq.quality),
            });
        }
        for (signal, value) in [("md5", &item.md5), ("sha256", &item.sha256)] {
            out.push(Share {
                signal,
                value: value.clone(),
                stored: None,
                quality: None,
            });
        }
        if let Some(vpdq) = &item.vpdq {
            out.push(Share {
                signal: "vpdq",
                value: vpdq.hashes.clone(),
                stored: None,
                quality: None,
            });
        }
    }
    out
}

#[derive(Subcommand)]
pub enum PlatformsCommand {
    /// Registers a platform and prints its key, this once (it is stored only as a hash).
    ///
    /// One line: {"id", "name", "added", "key"}. Give the key to the platform over a safe
    /// channel: with it, it reads the list of shared fingerprints
    /// (GET /api/platform/fingerprints, `Authorization: Bearer KEY`). A lost key cannot be
    /// shown again: revoke it and add the platform again.
    Add {
        /// The platform's name, for the operator (1 to 100 characters, not only digits).
        name: String,
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
    /// One line per platform, in the order added: id, name, added, revoked, last_seen (no key).
    List {
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
    /// Revokes a platform's key (by its id, or the name of one not revoked): at once, it reads
    /// nothing more.
    Revoke {
        #[arg(value_name = "ID_OR_NAME")]
        platform: String,
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum FingerprintsCommand {
    /// Writes the shared fingerprints as JSON lines: the lines of
    /// GET /api/platform/fingerprints?after=0 without a limit (every live entry), for a
    /// platform that takes a file.
    Export {
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
        /// The file to write (made owner-only, replaced whole once complete); standard output
        /// by default.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn summary(p: &Platform) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "name": p.name,
        "added": p.added_at,
        "revoked": p.revoked_at,
        "last_seen": p.last_seen_at,
    })
}

/// Why `name` cannot name a platform, if it cannot: it is shown on the operator's terminal and
/// `revoke` takes an id or a name, so it is one plain line and not a number.
fn check_name(name: &str) -> Result<(), String> {
    let chars = name.chars().count();
    if chars == 0 || chars > 100 {
        return Err("a platform's name is 1 to 100 characters".into());
    }
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            "a platform's name cannot be only digits (revoke takes an id or a name)".into(),
        );
    }
    if name.trim() != name || name.chars().any(terminal::is_unsafe) {
        return Err(
            "a platform's name is plain text: no control or bidirectional characters, no white \
             space at either end"
                .into(),
        );
    }
    Ok(())
}

fn fail(e: String) -> ExitCode {
    let _ = writeln!(io::stderr(), "report-helper: {}", terminal::text(&e));
    ExitCode::FAILURE
}

pub fn run(command: PlatformsCommand) -> ExitCode {
    match try_run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn try_run(command: PlatformsCommand) -> Result<(), String> {
    let mut out = io::stdout().lock();
    let mut line = |v: serde_json::Value| {
        writeln!(out, "{}", terminal::json(&v.to_string())).map_err(|e| e.to_string())
    };
    match command {
        PlatformsCommand::Add { name, db } => {
            check_name(&name)?;
            let store = Store::open_existing(&db)?;
            let (platform, key) = store.add_platform(&name).map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    format!("a platform named {name} is already registered (revoke it first)")
                }
                e => e.to_string(),
            })?;
            let mut v = summary(&platform);
            v.as_object_mut().unwrap().remove("revoked");
            v.as_object_mut().unwrap().remove("last_seen");
            v["key"] = key.into();
            line(v)?;
            let _ = writeln!(
                io::stderr(),
                "report-helper: this key is shown this once and stored only as a hash; give it \
                 to the platform now, over a safe channel. If it is lost, revoke {} and add the \
                 platform again.",
                platform.id
            );
        }
        PlatformsCommand::List { db } => {
            let store = Store::open_existing(&db)?;
            for p in store.platforms().map_err(|e| e.to_string())? {
                line(summary(&p))?;
            }
        }
        PlatformsCommand::Revoke { platform, db } => {
            let store = Store::open_existing(&db)?;
            let Some(p) = store
                .revoke_platform(&platform)
                .map_err(|e| e.to_string())?
            else {
                return Err(format!("no platform {platform}"));
            };
            line(summary(&p))?;
        }
    }
    Ok(())
}

pub fn run_fingerprints(command: FingerprintsCommand) -> ExitCode {
    let FingerprintsCommand::Export { db, out } = command;
    match export(&db, out.as_deref()) {
        Ok(n) => {
            let _ = writeln!(io::stderr(), "report-helper: {n} fingerprints exported");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Writes the list to `out` (whole, or not at all: a temporary file beside it is renamed over
/// it once complete), or to standard output.
fn export(db: &Path, out: Option<&Path>) -> Result<u64, String> {
    let store = Store::open_existing(db)?;
    let Some(path) = out else {
        let mut stdout = io::BufWriter::new(io::stdout().lock());
        let n = store.export(&mut |l| {
            writeln!(stdout, "{l}").map_err(|e| format!("cannot write the output: {e}"))
        })?;
        stdout
            .flush()
            .map_err(|e| format!("cannot write the output: {e}"))?;
        return Ok(n);
    };
    let mut partial = path.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let mut writer = io::BufWriter::new(file);
    let written = (|| {
        let write_error = |e: io::Error| format!("cannot write {}: {e}", partial.display());
        let n = store.export(&mut |l| writeln!(writer, "{l}").map_err(write_error))?;
        let file = writer
            .into_inner()
            .map_err(|e| write_error(e.into_error()))?;
        file.sync_all().map_err(write_error)?;
        std::fs::rename(&partial, path).map_err(|e| {
            format!(
                "cannot rename {} to {}: {e}",
                partial.display(),
                path.display()
            )
        })?;
        Ok(n)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["Acme", "Example Video 2", "platform-7"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "42",
            " lead",
            "trail ",
            "a\nb",
            "a\u{202e}b",
            &"x".repeat(101),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
