//! `tace-registry generate`: a new registry filled with the seeded
//! synthetic cohort of [`crate::synth`]. The cohort goes through the same
//! validation and bulk insert as a CSV import, so a generator that breaks a
//! registry rule fails loudly instead of writing bad rows.

use std::path::PathBuf;

use anyhow::bail;

use crate::db::{ImportMode, ImportOptions, Registry, local_today};
use crate::domain::csv::{FollowUpRow, PatientRow};
use crate::synth::{self, Cohort, SynthConfig};

/// Options of `generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of patients to generate.
    #[arg(long, default_value_t = synth::DEFAULT_PATIENTS)]
    pub patients: usize,

    /// Random seed; the same seed always gives the same cohort.
    #[arg(long, default_value_t = synth::DEFAULT_SEED)]
    pub seed: u64,
}

/// Create the registry file and insert the generated cohort.
///
/// # Errors
///
/// When the file exists, or when the generated cohort breaks a registry
/// rule (the new file is then removed).
pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let config = SynthConfig {
        patients: args.patients,
        seed: args.seed,
    };
    let mut registry = Registry::create(&db)?;
    let cohort = synth::generate(&config);
    let (patients, followups) = cohort_rows(cohort);
    let options = ImportOptions {
        mode: ImportMode::AllOrNothing,
        accept_soft: true,
        today: local_today(),
        source: format!("generate --patients {} --seed {}", args.patients, args.seed),
    };
    let report = registry.import(patients, followups, &options)?;
    if !report.committed {
        drop(registry);
        let _ = std::fs::remove_file(&db);
        let first: Vec<String> = report
            .rejected_patients
            .iter()
            .chain(&report.rejected_followups)
            .take(5)
            .map(ToString::to_string)
            .collect();
        bail!(
            "the synthetic cohort broke {} registry rule(s), so nothing was written; the first are: {}",
            report.rejected(),
            first.join(" | ")
        );
    }
    println!(
        "Generated {} patient(s) and {} follow-up(s) in {} (seed {}).",
        report.patients_imported,
        report.followups_imported,
        db.display(),
        args.seed
    );
    Ok(())
}

/// Converts the cohort to import rows, with the record number in place of
/// the line.
fn cohort_rows(cohort: Cohort) -> (Vec<PatientRow>, Vec<FollowUpRow>) {
    let patients = cohort
        .patients
        .into_iter()
        .zip(1..)
        .map(|(record, line)| PatientRow {
            line,
            study_id: record.study_id.clone(),
            center_external: Some(record.center_external),
            record: Some(record),
            errors: Vec::new(),
        })
        .collect();
    let followups = cohort
        .followups
        .into_iter()
        .zip(1..)
        .map(|(followup, line)| FollowUpRow {
            line,
            study_id: followup.study_id.clone(),
            followup: Some(followup),
            errors: Vec::new(),
        })
        .collect();
    (patients, followups)
}
