//! `tace-registry import`: patients and follow-ups from CSV files, all or
//! nothing by default, or in part with the rejected rows written to a
//! rejects file that can be corrected and imported again.
//!
//! Every rejected row is printed to stderr with its file, line, study id,
//! column, value and reason; the summary goes to stdout.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::BufReader;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::json;

use crate::db::{
    FILE_MODE, ImportMode, ImportOptions, ImportReport, Registry, RowProblem, local_today,
};
use crate::domain::csv::{
    CsvFileError, FollowUpRow, PatientRow, copy_rejected_rows, read_followups, read_patients,
};
use crate::domain::validate::Reason;

/// Options of `import`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("input").required(true).multiple(true).args(["patients", "followups"]))]
pub struct Args {
    /// Patients CSV file, in the format `export` writes.
    #[arg(long, value_name = "FILE")]
    pub patients: Option<PathBuf>,

    /// Follow-ups CSV file; contacts may belong to patients of --patients
    /// or to patients already in the registry.
    #[arg(long, value_name = "FILE")]
    pub followups: Option<PathBuf>,

    /// Import the valid rows and write the rejected patient rows, with a
    /// `reason` column, to this new file. Rejected follow-ups go to the same
    /// name with a `_followups` suffix.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Import values outside the usual range and contacts on the treatment
    /// start date (after checking them) instead of rejecting them.
    #[arg(long)]
    pub accept_soft: bool,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run the import.
///
/// # Errors
///
/// When a file cannot be read or is malformed as a whole, when any row is
/// rejected in all-or-nothing mode, or when the registry cannot be written.
pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let rejects = args.rejects.as_deref().map(RejectsFiles::new);
    if let Some(files) = &rejects {
        files.ensure_absent()?;
    }
    let patients: Vec<PatientRow> = read_csv(args.patients.as_deref(), "patients", read_patients)?;
    let followups: Vec<FollowUpRow> =
        read_csv(args.followups.as_deref(), "follow-ups", read_followups)?;
    let mut registry = Registry::open(&db)?;
    let options = ImportOptions {
        mode: if rejects.is_some() {
            ImportMode::Partial
        } else {
            ImportMode::AllOrNothing
        },
        accept_soft: args.accept_soft,
        today: local_today(),
        source: source_description(&args),
    };
    let pending = registry.prepare_import(patients, followups, &options)?;
    print_problems(pending.report(), &args);
    let report = match &rejects {
        None if pending.report().rejected() > 0 => bail!(all_or_nothing_failure(pending.report())),
        None => pending.commit()?,
        Some(files) => {
            let staged = files.stage(pending.report(), &args)?;
            let report = pending.commit().inspect_err(|_| staged.discard())?;
            staged.publish()?;
            report
        }
    };
    print_summary(&report, rejects.as_ref(), args.json)
}

fn read_csv<T>(
    path: Option<&Path>,
    kind: &str,
    read: impl FnOnce(BufReader<File>) -> Result<Vec<T>, CsvFileError>,
) -> anyhow::Result<Vec<T>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let file = File::open(path).with_context(|| {
        format!(
            "failed to open {kind} file {}, so check the path",
            path.display()
        )
    })?;
    let rows = read(BufReader::new(file))
        .with_context(|| format!("{kind} file {} is not valid", path.display()))?;
    if rows.is_empty() {
        anyhow::bail!(
            "{kind} file {} has a header but no rows, so nothing was imported; check that \
             it is the file you meant",
            path.display()
        );
    }
    Ok(rows)
}

fn source_description(args: &Args) -> String {
    let names: Vec<String> = [&args.patients, &args.followups]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    names.join(", ")
}

/// Returns whether a row was rejected only because its patient's row was.
fn only_patient_rejected(problem: &RowProblem) -> bool {
    problem
        .errors
        .iter()
        .all(|e| e.reason == Reason::PatientRejected)
}

fn print_problems(report: &ImportReport, args: &Args) {
    let label = |path: &Option<PathBuf>| {
        path.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    let patients = label(&args.patients);
    let followups = label(&args.followups);
    for problem in &report.rejected_patients {
        eprintln!("{patients}: {problem}");
    }
    let (held_back, own): (Vec<&RowProblem>, Vec<&RowProblem>) = report
        .rejected_followups
        .iter()
        .partition(|p| only_patient_rejected(p));
    for problem in own {
        eprintln!("{followups}: {problem}");
    }
    if !held_back.is_empty() {
        eprintln!(
            "{followups}: {} follow-up row(s) of rejected patients were held back with them.",
            held_back.len()
        );
    }
    if args.accept_soft {
        for problem in &report.confirmed_patients {
            eprintln!("{patients}: accepted: {problem}");
        }
        for problem in &report.confirmed_followups {
            eprintln!("{followups}: accepted: {problem}");
        }
    }
}

fn all_or_nothing_failure(report: &ImportReport) -> String {
    let rejected = || {
        report
            .rejected_patients
            .iter()
            .chain(&report.rejected_followups)
    };
    let unusual = rejected().filter(|p| p.only_needs_confirmation()).count();
    let hint = if unusual == report.rejected() {
        "check the listed values and pass --accept-soft if they are right".to_string()
    } else if unusual > 0 {
        format!(
            "fix the listed rows ({unusual} of them only need --accept-soft if their values are \
             right), or pass --rejects FILE to import the valid rows only"
        )
    } else {
        "fix the listed rows, or pass --rejects FILE to import the valid rows only".to_string()
    };
    format!(
        "{} patient row(s) and {} follow-up row(s) were rejected, so nothing was imported; {hint}",
        report.rejected_patients.len(),
        report.rejected_followups.len()
    )
}

fn print_summary(
    report: &ImportReport,
    rejects: Option<&RejectsFiles>,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        let problems = |list: &[RowProblem]| -> Vec<serde_json::Value> {
            list.iter()
                .map(|p| json!({ "line": p.line, "study_id": p.study_id, "reason": p.reason() }))
                .collect()
        };
        let value = json!({
            "patients_imported": report.patients_imported,
            "followups_imported": report.followups_imported,
            "rejected_patients": problems(&report.rejected_patients),
            "rejected_followups": problems(&report.rejected_followups),
            "accepted_unusual_patients": problems(&report.confirmed_patients),
            "accepted_unusual_followups": problems(&report.confirmed_followups),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!(
        "Imported {} patient(s) and {} follow-up(s).",
        report.patients_imported, report.followups_imported
    );
    if let Some(files) = rejects {
        if !report.rejected_patients.is_empty() {
            println!("Rejected patient rows: {}.", files.patients.display());
        }
        if !report.rejected_followups.is_empty() {
            println!("Rejected follow-up rows: {}.", files.followups.display());
        }
    }
    Ok(())
}

/// The two rejects files of a partial import.
struct RejectsFiles {
    patients: PathBuf,
    followups: PathBuf,
}

/// Rejects files written next to their final names, published once the
/// import is committed.
struct StagedRejects {
    moves: Vec<(PathBuf, PathBuf)>,
}

impl RejectsFiles {
    /// `FILE` for patients and `FILE` with a `_followups` suffix before the
    /// extension for follow-ups.
    fn new(path: &Path) -> Self {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match path.extension() {
            Some(ext) => format!("{stem}_followups.{}", ext.to_string_lossy()),
            None => format!("{stem}_followups"),
        };
        Self {
            patients: path.to_path_buf(),
            followups: path.with_file_name(name),
        }
    }

    fn ensure_absent(&self) -> anyhow::Result<()> {
        for path in [&self.patients, &self.followups] {
            if path.exists() {
                bail!(
                    "rejects file {} already exists, so choose another name or move it away",
                    path.display()
                );
            }
        }
        Ok(())
    }

    /// Write the rejected rows of each source to a temporary file.
    fn stage(&self, report: &ImportReport, args: &Args) -> anyhow::Result<StagedRejects> {
        let mut staged = StagedRejects { moves: Vec::new() };
        let pairs = [
            (&args.patients, &report.rejected_patients, &self.patients),
            (&args.followups, &report.rejected_followups, &self.followups),
        ];
        for (source, problems, target) in pairs {
            let (Some(source), false) = (source, problems.is_empty()) else {
                continue;
            };
            let reasons: BTreeMap<u64, String> =
                problems.iter().map(|p| (p.line, p.reason())).collect();
            let mut temporary = target.as_os_str().to_owned();
            temporary.push(".partial");
            let temporary = PathBuf::from(temporary);
            if let Err(error) = write_rejects(source, &reasons, &temporary) {
                staged.discard();
                let _ = std::fs::remove_file(&temporary);
                return Err(error);
            }
            staged.moves.push((temporary, target.clone()));
        }
        Ok(staged)
    }
}

fn write_rejects(
    source: &Path,
    reasons: &BTreeMap<u64, String>,
    target: &Path,
) -> anyhow::Result<()> {
    let input =
        File::open(source).with_context(|| format!("failed to reopen {}", source.display()))?;
    let output = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(target)
        .with_context(|| format!("failed to create {}, so check the folder", target.display()))?;
    copy_rejected_rows(BufReader::new(input), reasons, output)
        .with_context(|| format!("failed to write {}", target.display()))?;
    Ok(())
}

impl StagedRejects {
    fn publish(self) -> anyhow::Result<()> {
        for (temporary, target) in &self.moves {
            std::fs::rename(temporary, target).with_context(|| {
                format!(
                    "the import was committed but {} could not be renamed to {}, so rename it by hand",
                    temporary.display(),
                    target.display()
                )
            })?;
        }
        Ok(())
    }

    fn discard(&self) {
        for (temporary, _) in &self.moves {
            let _ = std::fs::remove_file(temporary);
        }
    }
}
