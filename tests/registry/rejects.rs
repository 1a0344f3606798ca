//! Partial import of the real cohort through the command line: the valid
//! rows go in, the rejected ones land in a rejects file with a `reason`
//! column, and the corrected rejects file imports cleanly.

use std::path::Path;

use tace_registry::db::Registry;

use crate::common::{dtsdhcc, run_cli, stderr, stdout};

const CHILD_PUGH_C: [&str; 3] = ["DT0961", "DT1249", "DT1279"];

/// Rows of a CSV file as (header, records).
fn read_csv(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows = reader.records().map(Result::unwrap).collect();
    (header, rows)
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn write_csv(path: &Path, header: &csv::StringRecord, rows: &[csv::StringRecord]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

/// Correct the rejected patient rows as a coordinator would: an impossible
/// age or lesion count becomes unknown, and Child–Pugh C patients are
/// dropped because they are outside the inclusion criteria.
fn fix_patients(header: &csv::StringRecord, rows: &[csv::StringRecord]) -> Vec<csv::StringRecord> {
    let (id, age) = (column(header, "study_id"), column(header, "age_years"));
    let (number, size) = (
        column(header, "tumor_number"),
        column(header, "tumor_size_cm"),
    );
    rows.iter()
        .filter(|row| !CHILD_PUGH_C.contains(&&row[id]))
        .map(|row| {
            let mut cells: Vec<String> = row.iter().map(String::from).collect();
            if cells[age].parse::<u32>().is_ok_and(|a| a < 18) {
                cells[age].clear();
            }
            if cells[number] == "0" {
                cells[number].clear();
                cells[size].clear();
            }
            csv::StringRecord::from(cells)
        })
        .collect()
}

#[test]
fn rejects_can_be_fixed_and_imported_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.sqlite");
    assert!(run_cli(&db, &["init"]).status.success());
    let patients = dtsdhcc("dtsdhcc_patients.csv");
    let followups = dtsdhcc("dtsdhcc_followups.csv");
    let rejects = dir.path().join("rejects.csv");
    let rejects_followups = dir.path().join("rejects_followups.csv");

    let output = run_cli(
        &db,
        &[
            "import",
            "--patients",
            patients.to_str().unwrap(),
            "--followups",
            followups.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Imported 1839 patient(s)"),
        "{}",
        stdout(&output)
    );
    assert!(stderr(&output).contains("DT0961"), "{}", stderr(&output));

    let (header, rejected) = read_csv(&rejects);
    assert_eq!(header.iter().next_back(), Some("reason"));
    assert_eq!(rejected.len(), 13);
    let reason = column(&header, "reason");
    let cp = rejected.iter().find(|r| &r[0] == "DT0961").unwrap();
    assert!(
        cp[reason].contains("child_pugh `C` is outside the inclusion criteria"),
        "{}",
        &cp[reason]
    );
    let (f_header, f_rejected) = read_csv(&rejects_followups);
    assert_eq!(f_header.iter().next_back(), Some("reason"));
    let on_start = f_rejected
        .iter()
        .filter(|r| r[column(&f_header, "reason")].contains("zero follow-up time"))
        .count();
    assert_eq!(on_start, 10);

    // A second run must not overwrite the rejects file.
    let again = run_cli(
        &db,
        &[
            "import",
            "--patients",
            patients.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let fixed = dir.path().join("fixed.csv");
    write_csv(&fixed, &header, &fix_patients(&header, &rejected));
    let id = column(&f_header, "study_id");
    let f_reason = column(&f_header, "reason");
    // The fix drops the Child–Pugh C patients' contacts and the rows that
    // repeat a contact already imported.
    let repeated = f_rejected
        .iter()
        .filter(|row| row[f_reason].contains("identical to one already recorded"))
        .count();
    assert_eq!(repeated, 9);
    let kept: Vec<csv::StringRecord> = f_rejected
        .iter()
        .filter(|row| !CHILD_PUGH_C.contains(&&row[id]))
        .filter(|row| !row[f_reason].contains("identical to one already recorded"))
        .cloned()
        .collect();
    let fixed_followups = dir.path().join("fixed_followups.csv");
    write_csv(&fixed_followups, &f_header, &kept);

    let output = run_cli(
        &db,
        &[
            "import",
            "--patients",
            fixed.to_str().unwrap(),
            "--followups",
            fixed_followups.to_str().unwrap(),
            "--accept-soft",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Imported 10 patient(s)"),
        "{}",
        stdout(&output)
    );

    let registry = Registry::open(&db).unwrap();
    let summary = registry.summary().unwrap();
    assert_eq!(summary.tace + summary.no_tace, 1852 - 3);
    let all_followups = crate::common::followup_rows(&followups);
    let dropped = all_followups
        .iter()
        .filter(|row| CHILD_PUGH_C.contains(&row.study_id.as_str()))
        .count();
    assert_eq!(summary.followups as usize, 8835 - dropped - repeated);
    let young = registry.patient("DT1013").unwrap().unwrap();
    assert_eq!(young.record.baseline.age_years, None);
    assert!(!young.followups.is_empty());
    let no_lesion = registry.patient("DT1000").unwrap().unwrap();
    assert_eq!(no_lesion.record.baseline.tumor_number, None);
    assert_eq!(no_lesion.record.baseline.tumor_size_cm, None);
    assert!(registry.patient("DT0961").unwrap().is_none());
}
