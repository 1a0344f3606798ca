//! The real DTSDHCC cohort (1852 patients of one centre, 8835 contacts)
//! contains the problems its README lists: 6 patients younger than 18, 3 with
//! Child–Pugh class C, one with no lesion and a size of 0 cm, 10 patients
//! whose only contact is on the treatment start, and 3 aged 18 or 19
//! (outside the usual range). The importer must find exactly these.

use std::collections::BTreeSet;

use tace_registry::db::{ImportMode, ImportReport};
use tace_registry::domain::validate::Reason;

use crate::common::{dtsdhcc, followup_rows, import_files, new_registry, snapshot};

const YOUNGER_THAN_18: [&str; 6] = ["DT0047", "DT0250", "DT1013", "DT1104", "DT1110", "DT1592"];
const CHILD_PUGH_C: [&str; 3] = ["DT0961", "DT1249", "DT1279"];
const NO_LESION: &str = "DT1000";
const AGED_18_OR_19: [&str; 3] = ["DT0469", "DT0543", "DT1410"];
const ZERO_FOLLOW_UP: [&str; 10] = [
    "DT0391", "DT0393", "DT0394", "DT0965", "DT1068", "DT1156", "DT1278", "DT1654", "DT1679",
    "DT1784",
];

fn import_cohort(mode: ImportMode, accept_soft: bool) -> (ImportReport, i64) {
    let (_dir, _path, mut registry) = new_registry();
    let before = snapshot(&registry);
    let report = import_files(
        &mut registry,
        Some(&dtsdhcc("dtsdhcc_patients.csv")),
        Some(&dtsdhcc("dtsdhcc_followups.csv")),
        mode,
        accept_soft,
    );
    if !report.committed {
        assert_eq!(snapshot(&registry), before);
    }
    (report, snapshot(&registry).followups)
}

fn ids(report_rows: &[tace_registry::db::RowProblem]) -> BTreeSet<&str> {
    report_rows.iter().map(|p| p.study_id.as_str()).collect()
}

fn hard_rejects() -> BTreeSet<&'static str> {
    let mut all: BTreeSet<&str> = YOUNGER_THAN_18.into_iter().collect();
    all.extend(CHILD_PUGH_C);
    all.insert(NO_LESION);
    all
}

/// Follow-up rows of the given patients in the cohort file.
fn contacts_of(study_ids: &BTreeSet<&str>) -> usize {
    followup_rows(&dtsdhcc("dtsdhcc_followups.csv"))
        .iter()
        .filter(|row| study_ids.contains(row.study_id.as_str()))
        .count()
}

#[test]
fn all_or_nothing_import_finds_every_problem() {
    let (report, stored_followups) = import_cohort(ImportMode::AllOrNothing, false);
    assert!(!report.committed);
    assert_eq!(stored_followups, 0);

    let mut expected = hard_rejects();
    expected.extend(AGED_18_OR_19);
    assert_eq!(ids(&report.rejected_patients), expected);
    assert_eq!(
        ids(&report.rejected_followups),
        ZERO_FOLLOW_UP.into_iter().collect()
    );

    for problem in &report.rejected_patients {
        let reasons: Vec<&Reason> = problem.errors.iter().map(|e| &e.reason).collect();
        let id = problem.study_id.as_str();
        if CHILD_PUGH_C.contains(&id) {
            assert_eq!(reasons, [&Reason::ChildPughC], "{problem}");
        } else if id == NO_LESION {
            let fields: Vec<&str> = problem.errors.iter().map(|e| e.field).collect();
            assert_eq!(fields, ["tumor_number", "tumor_size_cm"], "{problem}");
            assert!(
                problem
                    .errors
                    .iter()
                    .all(|e| matches!(e.reason, Reason::OutOfRange { .. }))
            );
        } else if YOUNGER_THAN_18.contains(&id) {
            assert_eq!(problem.errors[0].field, "age_years");
            assert!(
                matches!(reasons[..], [Reason::OutOfRange { .. }]),
                "{problem}"
            );
        } else {
            assert!(
                matches!(reasons[..], [Reason::OutsideUsualRange { .. }]),
                "{problem}"
            );
        }
    }
    for problem in &report.rejected_followups {
        assert_eq!(
            problem.errors[0].reason,
            Reason::OnTreatmentStart,
            "{problem}"
        );
    }
}

#[test]
fn partial_import_keeps_the_valid_rows() {
    let (report, stored_followups) = import_cohort(ImportMode::Partial, true);
    assert!(report.committed);
    let rejected = hard_rejects();
    assert_eq!(ids(&report.rejected_patients), rejected);
    assert_eq!(report.patients_imported, 1852 - rejected.len());

    let held_back = contacts_of(&rejected);
    assert_eq!(report.rejected_followups.len(), held_back);
    assert!(
        report
            .rejected_followups
            .iter()
            .all(|p| p.errors.iter().any(|e| e.reason == Reason::PatientRejected))
    );
    assert_eq!(report.followups_imported, 8835 - held_back);
    assert_eq!(stored_followups as usize, report.followups_imported);

    let confirmed = ids(&report.confirmed_patients);
    assert_eq!(confirmed, AGED_18_OR_19.into_iter().collect());
    assert_eq!(
        ids(&report.confirmed_followups),
        ZERO_FOLLOW_UP.into_iter().collect()
    );
}
