//! `tace-registry export`: write `patients.csv` and `followups.csv` in the
//! import format, so that importing them into an empty registry gives the
//! same patients and follow-ups, and on request `analysis.csv` with overall
//! survival and the derived categories.
//!
//! Patients who withdrew consent are left out of every file.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use crate::db::{AnalysisPatient, FILE_MODE, Registry};
use crate::domain::analysis::write_analysis;
use crate::domain::csv::{write_followups, write_patients};

/// Options of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write patients.csv and followups.csv to (created when
    /// missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Also write analysis.csv: one row per patient with os_months,
    /// os_event and the derived categories.
    #[arg(long)]
    pub analysis: bool,

    /// Data cut-off for analysis.csv (YYYY-MM-DD): later contacts are
    /// ignored and patients treated after it are left out.
    #[arg(long, value_name = "DATE", requires = "analysis")]
    pub as_of: Option<NaiveDate>,

    /// Replace files of the same names already in the folder.
    #[arg(long)]
    pub force: bool,
}

/// Write the export files.
///
/// # Errors
///
/// When the registry cannot be read, a file exists (without --force) or a
/// file cannot be written.
pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let registry = Registry::open(&db)?;
    let patients = registry.analysis_patients()?;
    let withdrawn = registry.summary()?.withdrawn;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("failed to create folder {}", args.out.display()))?;

    let records = patients.iter().map(|p| &p.record);
    write_file(&args.out.join("patients.csv"), args.force, |w| {
        Ok(write_patients(w, records)?)
    })?;
    let followups = patients.iter().flat_map(|p| &p.followups);
    write_file(&args.out.join("followups.csv"), args.force, |w| {
        Ok(write_followups(w, followups)?)
    })?;
    let contacts: usize = patients.iter().map(|p| p.followups.len()).sum();
    println!(
        "Exported {} patient(s) and {contacts} follow-up(s) to {} ({withdrawn} withdrawn patient(s) left out).",
        patients.len(),
        args.out.display()
    );
    if args.analysis {
        let rows = write_analysis_file(&args, &patients)?;
        println!("Wrote analysis.csv with {rows} patient(s).");
    }
    Ok(())
}

fn write_analysis_file(args: &Args, patients: &[AnalysisPatient]) -> anyhow::Result<usize> {
    let mut rows = 0;
    let pairs = patients.iter().map(|p| (&p.record, p.followups.as_slice()));
    write_file(&args.out.join("analysis.csv"), args.force, |w| {
        rows = write_analysis(w, pairs, args.as_of)?;
        Ok(())
    })?;
    Ok(rows)
}

/// Write one export file with mode 0600, because it contains patient data.
fn write_file(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut BufWriter<File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).mode(FILE_MODE);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let file = options.open(path).with_context(|| {
        if path.exists() && !force {
            format!(
                "{} already exists, so pass --force to replace it or choose another folder",
                path.display()
            )
        } else {
            format!("failed to create {}", path.display())
        }
    })?;
    let mut writer = BufWriter::new(file);
    write(&mut writer).with_context(|| format!("failed to write {}", path.display()))?;
    writer
        .flush()
        .with_context(|| format!("failed to write {}", path.display()))
}
