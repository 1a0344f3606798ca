//! Export then import into an empty registry gives back the same patients
//! and follow-ups; the analysis table has overall survival and categories.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use tace_registry::db::{ImportMode, Registry};
use tace_registry::domain::VitalStatus;
use tace_registry::domain::analysis::{ANALYSIS_COLUMNS, write_analysis};
use tace_registry::domain::csv::{write_followups, write_patients};

use crate::common::{
    date, dtsdhcc, followup, import_files, import_valid, new_registry, record, snapshot,
};

/// Export with the library writers into `dir`, as `export` does.
fn export_to(registry: &Registry, dir: &Path) {
    let patients = registry.analysis_patients().unwrap();
    let out = BufWriter::new(File::create(dir.join("patients.csv")).unwrap());
    write_patients(out, patients.iter().map(|p| &p.record)).unwrap();
    let out = BufWriter::new(File::create(dir.join("followups.csv")).unwrap());
    write_followups(out, patients.iter().flat_map(|p| &p.followups)).unwrap();
}

/// Export `source` and import the files into a new registry.
fn round_trip(source: &Registry, accept_soft: bool) -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    export_to(source, dir.path());
    let mut copy = Registry::create(&dir.path().join("copy.sqlite")).unwrap();
    let report = import_files(
        &mut copy,
        Some(&dir.path().join("patients.csv")),
        Some(&dir.path().join("followups.csv")),
        ImportMode::AllOrNothing,
        accept_soft,
    );
    assert!(report.committed, "{report:?}");
    (dir, copy)
}

#[test]
fn fixtures_round_trip() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    let mut awkward = followup("P004", "2020-10-15", VitalStatus::Alive);
    awkward.note = Some("said \"fine\",\nback in 3 months; AFP 35".into());
    awkward.hsp90a_ng_ml = Some(100.0 / 3.0);
    registry.add_followup(&awkward, false).unwrap();

    let (_copy_dir, copy) = round_trip(&registry, false);
    let original = registry.analysis_patients().unwrap();
    assert_eq!(copy.analysis_patients().unwrap(), original);
    assert_eq!(original.len(), 4);
    assert_eq!(copy.centers().unwrap(), registry.centers().unwrap());
}

#[test]
fn withdrawn_patients_are_left_out() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    registry.withdraw_patient("P002").unwrap();
    let (_copy_dir, copy) = round_trip(&registry, false);
    let ids: Vec<String> = copy
        .analysis_patients()
        .unwrap()
        .into_iter()
        .map(|p| p.record.study_id)
        .collect();
    assert_eq!(ids, ["P001", "P003", "P004"]);
}

#[test]
fn real_cohort_round_trips() {
    let (_dir, _path, mut registry) = new_registry();
    let report = import_files(
        &mut registry,
        Some(&dtsdhcc("dtsdhcc_patients.csv")),
        Some(&dtsdhcc("dtsdhcc_followups.csv")),
        ImportMode::Partial,
        true,
    );
    assert!(
        report.patients_imported > 1800,
        "{}",
        report.patients_imported
    );
    let (_copy_dir, copy) = round_trip(&registry, true);
    assert_eq!(
        copy.analysis_patients().unwrap(),
        registry.analysis_patients().unwrap()
    );
    let (a, b) = (snapshot(&registry), snapshot(&copy));
    assert_eq!(
        (a.patients, a.followups, a.centers),
        (b.patients, b.followups, b.centers)
    );
}

#[test]
fn analysis_table_has_survival_and_categories() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    let patients = registry.analysis_patients().unwrap();
    let mut out = Vec::new();
    let pairs = patients.iter().map(|p| (&p.record, p.followups.as_slice()));
    let rows = write_analysis(&mut out, pairs, None).unwrap();
    assert_eq!(rows, 4);

    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ANALYSIS_COLUMNS);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell = |row: usize, name: &str| {
        let column = ANALYSIS_COLUMNS.iter().position(|c| *c == name).unwrap();
        records[row][column].to_string()
    };
    // P001: treated 2019-03-04, died 2020-01-10.
    let days = (date("2020-01-10") - date("2019-03-04")).num_days() as f64;
    assert_eq!(cell(0, "study_id"), "P001");
    assert_eq!(cell(0, "os_event"), "1");
    let months: f64 = cell(0, "os_months").parse().unwrap();
    assert!((months - days / 30.4375).abs() < 1e-12, "{months}");
    assert_eq!(cell(0, "afp_high"), "1");
    assert_eq!(cell(0, "tumor_size_bin"), "5-10 cm");
    // P002: lost on 2019-05-20, censored there.
    assert_eq!(cell(1, "os_event"), "0");
    assert_eq!(cell(1, "os_end_date"), "2019-05-20");
    assert_eq!(cell(1, "age_older"), "1");
    // P003: nothing measured, so categories are empty, never guessed.
    assert_eq!(cell(2, "hsp90a_high"), "");
    assert_eq!(cell(2, "albi_grade"), "2");
    assert_eq!(cell(2, "os_months"), "0");
}

#[test]
fn single_record_round_trips_every_field() {
    let (_dir, _path, mut registry) = new_registry();
    let mut patient = record("R1");
    patient.baseline.albumin_g_l = None;
    patient.baseline.albi_grade = Some(3);
    patient.baseline.platelets_1e9_l = Some(123.456_789_012_345);
    registry.insert_patient(&patient, false).unwrap();
    let (_copy_dir, copy) = round_trip(&registry, false);
    assert_eq!(copy.patient("R1").unwrap().unwrap().record, patient);
}
