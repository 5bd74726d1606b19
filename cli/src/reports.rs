//! `report-helper reports`: the operator's side of the intake, as JSON lines.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::store::{Row, Store, STATUSES};

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
}

fn summary(row: &Row) -> serde_json::Value {
    serde_json::json!({
        "reference": row.reference,
        "status": row.status,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "idempotency_key": row.idempotency_key,
    })
}

pub fn run(command: ReportsCommand) -> ExitCode {
    match try_run(command) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io::stderr(), "report-helper: {e}");
            ExitCode::FAILURE
        }
    }
}

fn try_run(command: ReportsCommand) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    let mut line = |v: serde_json::Value| writeln!(out, "{v}").map_err(|e| e.to_string());
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
            // The report as stored, byte for byte: the canonical JSON the core wrote (a parsed
            // and re-written Value would sort its keys).
            let head = summary(&row).to_string();
            let head = head.strip_suffix('}').unwrap_or(&head);
            writeln!(out, "{head},\"report\":{}}}", row.report).map_err(|e| e.to_string())?;
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
    }
    Ok(ExitCode::SUCCESS)
}
