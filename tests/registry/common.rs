//! Fixture paths, temporary registries, sample records and a snapshot of a
//! registry's contents for "nothing was written" checks.

#![allow(dead_code)]

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use tace_registry::db::{
    AnalysisPatient, ImportMode, ImportOptions, ImportReport, Registry, local_today,
};
use tace_registry::domain::csv::{FollowUpRow, PatientRow, read_followups, read_patients};
use tace_registry::domain::{
    Baseline, Bclc, ChildPugh, FollowUp, PatientRecord, Sex, Treatment, VitalStatus,
};
use tempfile::TempDir;

/// Returns the path of a file under `tests/data/registry`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/registry")
        .join(name)
}

/// Returns the path of a file under `tests/data/dtsdhcc`.
pub fn dtsdhcc(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/dtsdhcc")
        .join(name)
}

pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

/// Creates a registry in a new temporary folder, with writes attributed to
/// `tester`.
pub fn new_registry() -> (TempDir, PathBuf, Registry) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("registry.sqlite");
    let registry = Registry::create(&path)
        .expect("new registry")
        .with_user("tester");
    (dir, path, registry)
}

pub fn patient_rows(path: &Path) -> Vec<PatientRow> {
    read_patients(BufReader::new(File::open(path).expect("fixture")))
        .expect("readable patients file")
}

pub fn followup_rows(path: &Path) -> Vec<FollowUpRow> {
    read_followups(BufReader::new(File::open(path).expect("fixture")))
        .expect("readable follow-ups file")
}

pub fn options(mode: ImportMode, accept_soft: bool) -> ImportOptions {
    ImportOptions {
        mode,
        accept_soft,
        today: local_today(),
        source: "test".into(),
    }
}

/// Import fixture files (by path) with the given mode.
pub fn import_files(
    registry: &mut Registry,
    patients: Option<&Path>,
    followups: Option<&Path>,
    mode: ImportMode,
    accept_soft: bool,
) -> ImportReport {
    let patients = patients.map(patient_rows).unwrap_or_default();
    let followups = followups.map(followup_rows).unwrap_or_default();
    registry
        .import(patients, followups, &options(mode, accept_soft))
        .expect("import runs")
}

/// Import `valid_patients.csv` and `valid_followups.csv`.
pub fn import_valid(registry: &mut Registry) -> ImportReport {
    let report = import_files(
        registry,
        Some(&fixture("valid_patients.csv")),
        Some(&fixture("valid_followups.csv")),
        ImportMode::AllOrNothing,
        false,
    );
    assert!(report.committed, "valid fixtures rejected: {report:?}");
    report
}

/// Builds a patient with every baseline value inside the usual ranges.
pub fn record(study_id: &str) -> PatientRecord {
    PatientRecord {
        study_id: study_id.into(),
        center: "GZ1".into(),
        center_external: false,
        treatment: Treatment::Tace,
        treatment_start: date("2020-01-15"),
        baseline: Baseline {
            sex: Some(Sex::Female),
            age_years: Some(64),
            hsp90a_ng_ml: Some(88.0),
            hbv: Some(true),
            diabetes: Some(false),
            hypertension: None,
            child_pugh: Some(ChildPugh::A),
            albumin_g_l: Some(40.0),
            bilirubin_umol_l: Some(10.0),
            albi_grade: None,
            afp_ng_ml: Some(20.0),
            alp_u_l: Some(100.0),
            platelets_1e9_l: Some(150.0),
            alt_u_l: Some(30.0),
            leukocytes_1e9_l: Some(6.0),
            bclc: Some(Bclc::B),
            tumor_number: Some(3),
            tumor_size_cm: Some(4.2),
            pvtt: Some(false),
            lymph_nodes: Some(false),
            metastasis: Some(false),
        },
    }
}

pub fn followup(study_id: &str, contact_date: &str, status: VitalStatus) -> FollowUp {
    FollowUp {
        study_id: study_id.into(),
        contact_date: date(contact_date),
        status,
        hsp90a_ng_ml: None,
        afp_ng_ml: None,
        note: None,
    }
}

/// Everything a write could change, for "the registry is unchanged".
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub patients: i64,
    pub followups: i64,
    pub centers: i64,
    pub audit_rows: i64,
    pub content: Vec<AnalysisPatient>,
}

pub fn snapshot(registry: &Registry) -> Snapshot {
    let count = |table: &str| -> i64 {
        registry
            .connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("count")
    };
    Snapshot {
        patients: count("patients"),
        followups: count("followups"),
        centers: count("centers"),
        audit_rows: count("audit_log"),
        content: registry.analysis_patients().expect("analysis patients"),
    }
}

/// Prepares a run of the built `tace-registry` binary with
/// `TACE_REGISTRY_DB` removed from its environment.
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tace-registry"));
    command.env_remove("TACE_REGISTRY_DB");
    command
}

/// Run the binary with `args` on registry `db`.
pub fn run_cli(db: &Path, args: &[&str]) -> Output {
    binary()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
