//! The `tace-registry` command line: argument definitions and dispatch. Each
//! subcommand lives in its own file and returns `anyhow::Result`; this file
//! turns the outcome into an exit status and prints one error message.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod backup;
pub mod bench;
pub mod demo;
pub mod export;
pub mod generate;
pub mod import;
pub mod init;
pub mod predict;
pub mod refit;
pub mod report;
pub mod stats;

/// Registry of unresectable hepatocellular carcinoma patients treated with or
/// without TACE, with a TACE-benefit nomogram and an overall-survival forest.
///
/// Without a subcommand, opens the terminal interface on the registry given by
/// --db or TACE_REGISTRY_DB.
#[derive(Debug, Parser)]
#[command(name = "tace-registry", version, about, long_about)]
pub struct Cli {
    /// Registry file (SQLite).
    #[arg(long, global = true, env = "TACE_REGISTRY_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty registry file (never overwrites).
    Init(init::Args),
    /// Copy the sample registry to a working file and open the interface on it.
    Demo(demo::Args),
    /// Write a synthetic registry calibrated to the published cohort.
    Generate(generate::Args),
    /// Import patients and follow-ups from CSV, all or nothing.
    Import(import::Args),
    /// Export patients and follow-ups as CSV in the import format.
    Export(export::Args),
    /// Refit both models on the current data.
    Refit(refit::Args),
    /// Show both predictions for one patient.
    Predict(predict::Args),
    /// Write tables and SVG figures to a folder.
    Report(report::Args),
    /// Copy a live registry to a backup file.
    Backup(backup::Args),
    /// Run a statistical method on any CSV file and print JSON.
    // Boxed because the method flags make this variant far larger than the
    // others (clippy::large_enum_variant).
    #[command(subcommand)]
    Stats(Box<stats::Method>),
    /// Time the Cox fit, Harrell's C and the survival forest on generated data.
    Bench(bench::Args),
}

/// Parse the arguments, run the command and map the outcome to an exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.db;
    match cli.command {
        None => crate::tui::run(require_db(db)?),
        Some(Command::Init(args)) => init::run(require_db(db)?, args),
        Some(Command::Demo(args)) => demo::run(args),
        Some(Command::Generate(args)) => generate::run(require_db(db)?, args),
        Some(Command::Import(args)) => import::run(require_db(db)?, args),
        Some(Command::Export(args)) => export::run(require_db(db)?, args),
        Some(Command::Refit(args)) => refit::run(require_db(db)?, args),
        Some(Command::Predict(args)) => predict::run(require_db(db)?, args),
        Some(Command::Report(args)) => report::run(require_db(db)?, args),
        Some(Command::Backup(args)) => backup::run(require_db(db)?, args),
        Some(Command::Stats(method)) => stats::run(*method),
        Some(Command::Bench(args)) => bench::run(args),
    }
}

/// The registry path, or an error that says how to give one.
fn require_db(db: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    db.ok_or_else(|| {
        anyhow::anyhow!("no registry file given; pass --db PATH or set TACE_REGISTRY_DB")
    })
}

/// Write one line to stdout. A closed pipe (`| head`) ends the output
/// quietly instead of panicking as `println!` does.
///
/// # Errors
///
/// Any other write error.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
