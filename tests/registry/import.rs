//! CSV import, all or nothing: one fixture per failure mode, each rejected
//! with line, column, value and reason while the registry stays unchanged.

use std::fs::File;

use tace_registry::db::{ImportMode, ImportReport, RowProblem, action};
use tace_registry::domain::csv::{CsvFileError, read_followups, read_patients};
use tace_registry::domain::validate::Reason;

use crate::common::{fixture, import_files, import_valid, new_registry, snapshot};

/// Lists (line, column, value) of every problem of the rejected rows.
fn cells(problems: &[RowProblem]) -> Vec<(u64, &'static str, String)> {
    problems
        .iter()
        .flat_map(|p| {
            p.errors
                .iter()
                .map(move |e| (p.line, e.field, e.value.clone()))
        })
        .collect()
}

/// Import a bad patients fixture into a registry holding the valid
/// fixtures, check that nothing changed, and return the report.
fn reject_patients(name: &str) -> ImportReport {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    let before = snapshot(&registry);
    let report = import_files(
        &mut registry,
        Some(&fixture(name)),
        None,
        ImportMode::AllOrNothing,
        false,
    );
    assert!(!report.committed, "{name} was committed");
    assert_eq!(report.patients_imported, 0);
    assert_eq!(snapshot(&registry), before, "{name} changed the registry");
    report
}

#[test]
fn valid_files_are_imported_and_audited() {
    let (_dir, _path, mut registry) = new_registry();
    let report = import_valid(&mut registry);
    assert_eq!(report.patients_imported, 4);
    assert_eq!(report.followups_imported, 6);
    assert!(report.rejected_patients.is_empty());

    let p4 = registry.patient("P004").unwrap().unwrap();
    assert_eq!(p4.record.center, "SH2");
    assert!(
        p4.record.center_external,
        "flag taken from P003 of the same centre"
    );
    assert_eq!(p4.record.baseline.hbv, Some(true));
    let p3 = registry.patient("P003").unwrap().unwrap();
    assert_eq!(p3.record.baseline.age_years, None);
    assert_eq!(p3.record.baseline.albi_grade, Some(2));
    let p1 = registry.patient("P001").unwrap().unwrap();
    assert_eq!(p1.followups.len(), 3);
    assert_eq!(
        p1.followups[1].followup.note.as_deref(),
        Some("seen in clinic, stable")
    );

    let log = registry.audit_log(None).unwrap();
    let per_patient = log
        .iter()
        .filter(|e| e.action == action::IMPORT_PATIENT)
        .count();
    assert_eq!(per_patient, 4);
    let summary = log.iter().find(|e| e.action == action::IMPORT).unwrap();
    assert_eq!(summary.after.as_ref().unwrap()["patients_imported"], 4);
    let p1_entry = registry.audit_log(Some("P001")).unwrap();
    assert_eq!(
        p1_entry[0].after.as_ref().unwrap()["followups"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn wrong_types_are_reported_by_cell() {
    let report = reject_patients("wrong_types.csv");
    assert_eq!(
        cells(&report.rejected_patients),
        [
            (2, "age_years", "fifty".to_string()),
            (3, "hsp90a_ng_ml", "high".to_string()),
            (4, "tumor_number", "2.5".to_string()),
            (5, "row", String::new()),
        ]
    );
    assert_eq!(
        report.rejected_patients[0].errors[0].reason,
        Reason::NotANumber
    );
    assert_eq!(
        report.rejected_patients[2].errors[0].reason,
        Reason::NotAnInteger
    );
    assert!(
        matches!(
            report.rejected_patients[3].errors[0].reason,
            Reason::CellCount {
                found: 27,
                expected: 26
            }
        ),
        "{:?}",
        report.rejected_patients[3]
    );
}

#[test]
fn out_of_range_values_are_rejected() {
    let report = reject_patients("out_of_range.csv");
    let found = cells(&report.rejected_patients);
    assert_eq!(
        found,
        [
            (2, "age_years", "17".to_string()),
            (3, "hsp90a_ng_ml", "10001".to_string()),
            (4, "albumin_g_l", "4.9".to_string()),
            (5, "tumor_number", "0".to_string()),
            (5, "tumor_size_cm", "0".to_string()),
            (6, "leukocytes_1e9_l", "-1".to_string()),
        ]
    );
    for problem in &report.rejected_patients {
        for error in &problem.errors {
            assert!(matches!(error.reason, Reason::OutOfRange { .. }), "{error}");
        }
    }
    let text = report.rejected_patients[0].to_string();
    assert!(
        text.starts_with("line 2 (R001): age_years `17` is outside the allowed range"),
        "{text}"
    );
}

#[test]
fn bad_dates_are_rejected() {
    let report = reject_patients("bad_dates.csv");
    let found = cells(&report.rejected_patients);
    assert_eq!(
        found,
        [
            (2, "treatment_start", "2020-13-01".to_string()),
            (3, "treatment_start", "01/02/2020".to_string()),
            (4, "treatment_start", "2019-02-29".to_string()),
            (5, "treatment_start", String::new()),
        ]
    );
    assert_eq!(
        report.rejected_patients[3].errors[0].reason,
        Reason::Required
    );
}

#[test]
fn future_treatment_start_is_rejected() {
    let report = reject_patients("future_dates.csv");
    assert_eq!(
        cells(&report.rejected_patients),
        [(2, "treatment_start", "2999-01-01".to_string())]
    );
    assert!(matches!(
        report.rejected_patients[0].errors[0].reason,
        Reason::FutureDate { .. }
    ));
}

#[test]
fn missing_required_values_are_named() {
    let report = reject_patients("missing_required.csv");
    assert_eq!(
        cells(&report.rejected_patients),
        [
            (2, "study_id", String::new()),
            (3, "center", String::new()),
            (4, "treatment", String::new()),
        ]
    );
}

#[test]
fn unknown_spellings_are_rejected() {
    let report = reject_patients("unknown_values.csv");
    assert_eq!(
        cells(&report.rejected_patients),
        [
            (2, "treatment", "surgery".to_string()),
            (3, "sex", "x".to_string()),
            (4, "hbv", "maybe".to_string()),
            (5, "bclc", "E".to_string()),
            (6, "albi_grade", "4".to_string()),
        ]
    );
}

#[test]
fn consistency_rules_are_applied() {
    let report = reject_patients("rule_violations.csv");
    let reasons: Vec<(u64, Reason)> = report
        .rejected_patients
        .iter()
        .flat_map(|p| p.errors.iter().map(move |e| (p.line, e.reason.clone())))
        .collect();
    assert_eq!(
        reasons,
        [
            (2, Reason::ChildPughC),
            (3, Reason::StageTooEarly { finding: "PVTT" }),
            (
                4,
                Reason::StageTooEarly {
                    finding: "distant metastasis (M)"
                }
            ),
            (5, Reason::AlbiInconsistent { computed: 1 }),
        ]
    );
}

#[test]
fn duplicate_study_ids_are_rejected() {
    let report = reject_patients("duplicate_ids.csv");
    let reasons: Vec<(u64, Reason)> = report
        .rejected_patients
        .iter()
        .flat_map(|p| p.errors.iter().map(move |e| (p.line, e.reason.clone())))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                2,
                Reason::DuplicateInFile {
                    other_lines: vec![3]
                }
            ),
            (
                3,
                Reason::DuplicateInFile {
                    other_lines: vec![2]
                }
            ),
            (4, Reason::AlreadyInRegistry),
        ]
    );
}

#[test]
fn unusual_values_need_accept_soft() {
    let (_dir, _path, mut registry) = new_registry();
    let path = fixture("soft_values.csv");
    let before = snapshot(&registry);
    let report = import_files(
        &mut registry,
        Some(&path),
        None,
        ImportMode::AllOrNothing,
        false,
    );
    assert!(!report.committed);
    assert_eq!(
        cells(&report.rejected_patients),
        [
            (2, "age_years", "19".to_string()),
            (3, "alt_u_l", "1200".to_string())
        ]
    );
    assert!(
        report
            .rejected_patients
            .iter()
            .all(RowProblem::only_needs_confirmation)
    );
    assert_eq!(snapshot(&registry), before);

    let report = import_files(
        &mut registry,
        Some(&path),
        None,
        ImportMode::AllOrNothing,
        true,
    );
    assert!(report.committed);
    assert_eq!(report.patients_imported, 3);
    assert_eq!(report.confirmed_patients.len(), 2);
}

#[test]
fn followup_death_before_treatment_is_rejected() {
    let (_dir, _path, mut registry) = new_registry();
    import_files(
        &mut registry,
        Some(&fixture("valid_patients.csv")),
        None,
        ImportMode::AllOrNothing,
        false,
    );
    let before = snapshot(&registry);
    let report = import_files(
        &mut registry,
        None,
        Some(&fixture("followups_death_before_treatment.csv")),
        ImportMode::AllOrNothing,
        false,
    );
    assert!(!report.committed);
    let reasons: Vec<(u64, Reason)> = report
        .rejected_followups
        .iter()
        .flat_map(|p| p.errors.iter().map(move |e| (p.line, e.reason.clone())))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                2,
                Reason::BeforeTreatmentStart {
                    start: crate::common::date("2019-03-04")
                }
            ),
            (
                4,
                Reason::BeforeTreatmentStart {
                    start: crate::common::date("2020-06-30")
                }
            ),
        ]
    );
    assert_eq!(snapshot(&registry), before);
}

#[test]
fn followup_sequence_rules_are_applied() {
    let (_dir, _path, mut registry) = new_registry();
    import_files(
        &mut registry,
        Some(&fixture("valid_patients.csv")),
        None,
        ImportMode::AllOrNothing,
        false,
    );
    let before = snapshot(&registry);
    let report = import_files(
        &mut registry,
        None,
        Some(&fixture("followups_sequence.csv")),
        ImportMode::AllOrNothing,
        false,
    );
    assert!(!report.committed);

    let found: Vec<(u64, &'static str, String)> = cells(&report.rejected_followups);
    assert_eq!(
        found,
        [
            (3, "contact_date", "2019-09-15".to_string()),
            (4, "status", "dead".to_string()),
            (6, "study_id", "P404".to_string()),
            (7, "contact_date", "2999-01-01".to_string()),
            (8, "status", "deceased".to_string()),
        ]
    );

    let reasons: Vec<&Reason> = report
        .rejected_followups
        .iter()
        .map(|p| &p.errors[0].reason)
        .collect();
    assert!(matches!(reasons[0], Reason::AfterDeath { .. }));
    assert!(matches!(reasons[1], Reason::SecondDeath { .. }));
    assert_eq!(reasons[2], &Reason::UnknownPatient);
    assert!(matches!(reasons[3], Reason::FutureDate { .. }));
    assert!(matches!(reasons[4], Reason::UnknownValue { .. }));
    assert_eq!(snapshot(&registry), before);
}

#[test]
fn whole_file_problems_are_errors() {
    let open = |name: &str| File::open(fixture(name)).unwrap();
    assert!(matches!(
        read_patients(open("empty.csv")),
        Err(CsvFileError::Empty { .. })
    ));
    assert!(matches!(
        read_followups(open("empty.csv")),
        Err(CsvFileError::Empty { .. })
    ));
    assert_eq!(
        read_patients(open("semicolon.csv")),
        Err(CsvFileError::WrongDelimiter { delimiter: ';' })
    );
    match read_patients(open("missing_column.csv")) {
        Err(CsvFileError::Header {
            missing,
            unknown,
            duplicated,
        }) => {
            assert_eq!(missing, ["tumor_size_cm"]);
            assert!(unknown.is_empty());
            assert!(duplicated.is_empty());
        }
        other => panic!("expected a header error, got {other:?}"),
    }
    let error = read_patients(open("missing_column.csv")).unwrap_err();
    assert!(error.to_string().contains("tumor_size_cm"), "{error}");
    assert!(read_patients(open("valid_followups.csv")).is_err());
}

#[test]
fn columns_may_come_in_any_order() {
    let text = "note,status,contact_date,study_id,afp_ng_ml,hsp90a_ng_ml\n\"a, b\",alive,2020-01-02,P1,,7\n";
    let rows = read_followups(text.as_bytes()).unwrap();
    let followup = rows[0].followup.as_ref().unwrap();
    assert_eq!(followup.study_id, "P1");
    assert_eq!(followup.hsp90a_ng_ml, Some(7.0));
    assert_eq!(followup.note.as_deref(), Some("a, b"));
}
