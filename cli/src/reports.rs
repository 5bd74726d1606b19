//! `report-helper reports`: the operator's side of the intake, as JSON lines.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Subcommand;

use crate::store::{rfc3339, Row, Store, STATUSES};
use crate::terminal;

#[derive(Subcommand)]
pub enum ReportsCommand {
    /// One line per report, oldest first: reference, status, times (not the report itself).
    List {
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
    /// The report REF in full, as one line.
    Show {
        reference: String,
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
    /// Sets the status of REF: received, in_progress, done or withdrawn.
    SetStatus {
        reference: String,
        #[arg(value_parser = STATUSES)]
        status: String,
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
    /// Deletes reports closed at least DAYS days ago, leaving nothing of them readable.
    ///
    /// Reports done or withdrawn whose status last changed at least DAYS days ago are deleted
    /// with their tokens; what they held is zeroed in the database file and its write-ahead log.
    /// One line: {"purged", "references", "before", "statuses", "dry_run"}. It may run while the
    /// server does.
    Purge {
        /// Days since a report's last status change.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=36_500))]
        older_than: u32,
        /// Also reports still open (received or in_progress).
        #[arg(long)]
        include_open: bool,
        /// Only say which reports would be deleted.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
        db: PathBuf,
    },
}

fn summary(row: &Row) -> serde_json::Value {
    serde_json::json!({
        "reference": row.reference,
        "status": row.status,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    })
}

pub fn run(command: ReportsCommand) -> ExitCode {
    match try_run(command) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io::stderr(), "report-helper: {}", terminal::text(&e));
            ExitCode::FAILURE
        }
    }
}

fn try_run(command: ReportsCommand) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    // A report's text came from a client: its control and bidirectional characters are printed
    // as JSON escapes, never raw (see `terminal`).
    let mut line = |v: serde_json::Value| {
        writeln!(out, "{}", terminal::json(&v.to_string())).map_err(|e| e.to_string())
    };
    match command {
        ReportsCommand::List { db } => {
            let store = Store::open_existing(&db)?;
            for row in store.list().map_err(|e| e.to_string())? {
                line(summary(&row))?;
            }
        }
        ReportsCommand::Show { reference, db } => {
            let store = Store::open_existing(&db)?;
            let Some(row) = store.get(&reference).map_err(|e| e.to_string())? else {
                return Err(format!("no report {reference}"));
            };
            // The report as stored, byte for byte: the canonical JSON the core wrote, without
            // its idempotency_key (kept only as a keyed hash); a parsed and re-written Value
            // would sort its keys.
            let head = summary(&row).to_string();
            let head = head.strip_suffix('}').unwrap_or(&head);
            let text = format!("{head},\"report\":{}}}", row.report);
            writeln!(out, "{}", terminal::json(&text)).map_err(|e| e.to_string())?;
        }
        ReportsCommand::SetStatus {
            reference,
            status,
            db,
        } => {
            let store = Store::open_existing(&db)?;
            if !store
                .set_status(&reference, &status)
                .map_err(|e| e.to_string())?
            {
                return Err(format!("no report {reference}"));
            }
            let row = store.get(&reference).map_err(|e| e.to_string())?;
            if let Some(row) = row {
                line(summary(&row))?;
            }
        }
        ReportsCommand::Purge {
            older_than,
            include_open,
            dry_run,
            db,
        } => {
            let mut store = Store::open_existing(&db)?;
            let age = Duration::from_secs(u64::from(older_than) * 86_400);
            let before = rfc3339(SystemTime::now().checked_sub(age).unwrap_or(UNIX_EPOCH));
            let statuses: &[&str] = if include_open {
                &STATUSES
            } else {
                &["done", "withdrawn"]
            };
            let (references, wal_cleared) = store
                .purge(&before, statuses, dry_run)
                .map_err(|e| e.to_string())?;
            line(serde_json::json!({
                "purged": if dry_run { 0 } else { references.len() },
                "references": references,
                "before": before,
                "statuses": statuses,
                "dry_run": dry_run,
            }))?;
            if !wal_cleared {
                return Err(
                    "the reports are deleted, but the write-ahead log could not be emptied while \
                     the server was busy: run the purge again"
                        .into(),
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
