//! The CSV exchange format of patients and follow-ups: reading a file into
//! typed rows with every problem of every row, writing records back in the
//! same format, and copying rejected rows with a `reason` column.
//!
//! Dates are `YYYY-MM-DD`. Yes/no cells accept `yes`/`no`, `1`/`0` and
//! `true`/`false`. An empty cell is a missing value. Columns may come in any
//! order. A `reason` column, as written to a rejects file, is ignored, so a
//! corrected rejects file can be imported again. Checks that need the
//! registry (duplicates already stored, unknown patients) are left to the
//! importer in [`crate::db`].

use std::collections::BTreeMap;
use std::io::{Read, Write};

use thiserror::Error;

use super::patient::{Baseline, FollowUp, PatientRecord, yes_no};
use super::validate::{
    Reason, ValidationError, parse_albi_grade, parse_child_pugh, parse_choice, parse_count,
    parse_identifier, parse_number, parse_required_date, parse_yes_no_cell,
};

/// Columns of `patients.csv`, in the order they are written.
pub const PATIENT_COLUMNS: [&str; 26] = [
    "study_id",
    "center",
    "center_external",
    "sex",
    "age_years",
    "treatment",
    "treatment_start",
    "hsp90a_ng_ml",
    "hbv",
    "diabetes",
    "hypertension",
    "child_pugh",
    "albumin_g_l",
    "bilirubin_umol_l",
    "albi_grade",
    "afp_ng_ml",
    "alp_u_l",
    "platelets_1e9_l",
    "alt_u_l",
    "leukocytes_1e9_l",
    "bclc",
    "tumor_number",
    "tumor_size_cm",
    "pvtt",
    "lymph_nodes",
    "metastasis",
];

/// Columns of `followups.csv`, in the order they are written.
pub const FOLLOWUP_COLUMNS: [&str; 6] = [
    "study_id",
    "contact_date",
    "status",
    "hsp90a_ng_ml",
    "afp_ng_ml",
    "note",
];

/// Column that a rejects file adds to say why each row was rejected.
pub const REASON_COLUMN: &str = "reason";

/// A problem with a CSV file as a whole, found before any row is read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CsvFileError {
    #[error("the file is empty, so add a header line with the columns {}", expected.join(","))]
    Empty { expected: Vec<&'static str> },
    #[error(
        "the file separates values with `{delimiter}`, so save it again with commas as delimiter"
    )]
    WrongDelimiter { delimiter: char },
    #[error("{}", describe_header(missing, unknown, duplicated))]
    Header {
        missing: Vec<&'static str>,
        unknown: Vec<String>,
        duplicated: Vec<String>,
    },
    #[error("line {line} cannot be read ({message}), so save the file as UTF-8 CSV")]
    Read { line: u64, message: String },
    #[error("failed to write the CSV output ({message}), so check the folder and its free space")]
    Write { message: String },
}

fn describe_header(missing: &[&str], unknown: &[String], duplicated: &[String]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "the header lacks the column(s) {}, so add them (their cells may be empty)",
            missing.join(", ")
        ));
    }
    if !unknown.is_empty() {
        parts.push(format!(
            "the header has the unknown column(s) {}, so remove them or correct their names",
            unknown.join(", ")
        ));
    }
    if !duplicated.is_empty() {
        parts.push(format!(
            "the header repeats the column(s) {}, so keep one of each",
            duplicated.join(", ")
        ));
    }
    parts.join(". ")
}

/// One row of a patients file: what could be read of it and every problem
/// found in the row on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRow {
    /// Line of the row in the file (the header is line 1).
    pub line: u64,
    /// The `study_id` cell, trimmed (empty when missing).
    pub study_id: String,
    /// The `center_external` cell; an empty cell is resolved by the importer
    /// from the centre's other rows or its stored flag.
    pub center_external: Option<bool>,
    /// The record, when every required cell could be read. Optional cells
    /// that could not be read are missing in it and listed in `errors`.
    pub record: Option<PatientRecord>,
    pub errors: Vec<ValidationError>,
}

/// One row of a follow-ups file.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    /// Line of the row in the file (the header is line 1).
    pub line: u64,
    /// The `study_id` cell, trimmed (empty when missing).
    pub study_id: String,
    /// The contact, when every required cell could be read.
    pub followup: Option<FollowUp>,
    pub errors: Vec<ValidationError>,
}

/// Positions of the expected columns in a file's header.
struct Header<const N: usize> {
    positions: [usize; N],
    width: usize,
}

fn reader_builder() -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder.flexible(true).has_headers(true);
    builder
}

fn read_header<R: Read, const N: usize>(
    reader: &mut csv::Reader<R>,
    expected: &[&'static str; N],
) -> Result<Header<N>, CsvFileError> {
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| read_error(1, &e))?
        .iter()
        .map(|name| name.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    if names.iter().all(String::is_empty) {
        return Err(CsvFileError::Empty {
            expected: expected.to_vec(),
        });
    }
    if names.len() == 1 {
        let delimiter = [';', '\t', '|'].into_iter().find(|d| names[0].contains(*d));
        if let Some(delimiter) = delimiter {
            return Err(CsvFileError::WrongDelimiter { delimiter });
        }
    }
    let missing: Vec<&'static str> = expected
        .iter()
        .copied()
        .filter(|column| !names.iter().any(|name| name == column))
        .collect();
    let unknown: Vec<String> = names
        .iter()
        .filter(|name| name.as_str() != REASON_COLUMN && !expected.contains(&name.as_str()))
        .cloned()
        .collect();
    let mut duplicated: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(i, name)| names[..*i].contains(name))
        .map(|(_, name)| name.clone())
        .collect();
    duplicated.dedup();
    if !missing.is_empty() || !unknown.is_empty() || !duplicated.is_empty() {
        return Err(CsvFileError::Header {
            missing,
            unknown,
            duplicated,
        });
    }
    let mut positions = [0; N];
    for (position, column) in positions.iter_mut().zip(expected) {
        *position = names.iter().position(|name| name == column).unwrap_or(0);
    }
    Ok(Header {
        positions,
        width: names.len(),
    })
}

fn read_error(line: u64, error: &csv::Error) -> CsvFileError {
    let line = error.position().map_or(line, csv::Position::line);
    CsvFileError::Read {
        line,
        message: error.to_string(),
    }
}

/// Read every record of a file after its header, calling `parse_row` with
/// the line number, the cells in expected-column order and any cell-count
/// problem. A row with a cell-count problem is reported with that problem
/// only, because its cells cannot be matched to the columns.
fn read_rows<R: Read, const N: usize, T>(
    input: R,
    expected: &[&'static str; N],
    mut parse_row: impl FnMut(u64, [&str; N], Option<ValidationError>) -> T,
) -> Result<Vec<T>, CsvFileError> {
    let mut reader = reader_builder().from_reader(input);
    let header = read_header(&mut reader, expected)?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => return Err(read_error(0, &error)),
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let count_error = (record.len() != header.width).then(|| {
            let reason = Reason::CellCount {
                found: record.len(),
                expected: header.width,
            };
            ValidationError::new("row", "", reason)
        });
        let cells = header.positions.map(|p| record.get(p).unwrap_or(""));
        rows.push(parse_row(line, cells, count_error));
    }
    Ok(rows)
}

/// Keep the value of a parse, or record its error.
fn keep<T>(errors: &mut Vec<ValidationError>, result: Result<T, ValidationError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// Read a patients file.
///
/// # Errors
///
/// A [`CsvFileError`] for an empty file, a delimiter other than the comma,
/// missing, unknown or repeated columns, or text that is not UTF-8. Problems
/// of single rows are not errors: they are listed in each row.
pub fn read_patients(input: impl Read) -> Result<Vec<PatientRow>, CsvFileError> {
    read_rows(input, &PATIENT_COLUMNS, parse_patient)
}

fn parse_patient(line: u64, cells: [&str; 26], count_error: Option<ValidationError>) -> PatientRow {
    let [
        study_id,
        center,
        center_external,
        sex,
        age,
        treatment,
        start,
        hsp90a,
        hbv,
        diabetes,
        hypertension,
        child_pugh,
        albumin,
        bilirubin,
        albi,
        afp,
        alp,
        platelets,
        alt,
        leukocytes,
        bclc,
        tumor_number,
        tumor_size,
        pvtt,
        lymph_nodes,
        metastasis,
    ] = cells;
    if let Some(error) = count_error {
        return PatientRow {
            line,
            study_id: study_id.trim().to_string(),
            center_external: None,
            record: None,
            errors: vec![error],
        };
    }
    let mut errors = Vec::new();
    let e = &mut errors;
    let id = keep(e, parse_identifier("study_id", study_id));
    let center_code = keep(e, parse_identifier("center", center));
    let external = keep(e, parse_yes_no_cell("center_external", center_external)).flatten();
    let treatment = required(e, "treatment", parse_choice("treatment", treatment));
    let start = keep(e, parse_required_date("treatment_start", start));

    let baseline = Baseline {
        sex: keep(e, parse_choice("sex", sex)).flatten(),
        age_years: keep(e, parse_count("age_years", age)).flatten(),
        hsp90a_ng_ml: keep(e, parse_number("hsp90a_ng_ml", hsp90a)).flatten(),
        hbv: keep(e, parse_yes_no_cell("hbv", hbv)).flatten(),
        diabetes: keep(e, parse_yes_no_cell("diabetes", diabetes)).flatten(),
        hypertension: keep(e, parse_yes_no_cell("hypertension", hypertension)).flatten(),
        child_pugh: keep(e, parse_child_pugh(child_pugh)).flatten(),
        albumin_g_l: keep(e, parse_number("albumin_g_l", albumin)).flatten(),
        bilirubin_umol_l: keep(e, parse_number("bilirubin_umol_l", bilirubin)).flatten(),
        albi_grade: keep(e, parse_albi_grade(albi)).flatten(),
        afp_ng_ml: keep(e, parse_number("afp_ng_ml", afp)).flatten(),
        alp_u_l: keep(e, parse_number("alp_u_l", alp)).flatten(),
        platelets_1e9_l: keep(e, parse_number("platelets_1e9_l", platelets)).flatten(),
        alt_u_l: keep(e, parse_number("alt_u_l", alt)).flatten(),
        leukocytes_1e9_l: keep(e, parse_number("leukocytes_1e9_l", leukocytes)).flatten(),
        bclc: keep(e, parse_choice("bclc", bclc)).flatten(),
        tumor_number: keep(e, parse_count("tumor_number", tumor_number)).flatten(),
        tumor_size_cm: keep(e, parse_number("tumor_size_cm", tumor_size)).flatten(),
        pvtt: keep(e, parse_yes_no_cell("pvtt", pvtt)).flatten(),
        lymph_nodes: keep(e, parse_yes_no_cell("lymph_nodes", lymph_nodes)).flatten(),
        metastasis: keep(e, parse_yes_no_cell("metastasis", metastasis)).flatten(),
    };

    let record = match (id, center_code, treatment, start) {
        (Some(study_id), Some(center), Some(treatment), Some(treatment_start)) => {
            Some(PatientRecord {
                study_id,
                center,
                center_external: external.unwrap_or(false),
                treatment,
                treatment_start,
                baseline,
            })
        }
        _ => None,
    };

    PatientRow {
        line,
        study_id: study_id.trim().to_string(),
        center_external: external,
        record,
        errors,
    }
}

/// Keep the value of a parse of a required cell, or record its error, or
/// record that the cell is empty.
fn required<T>(
    errors: &mut Vec<ValidationError>,
    field: &'static str,
    result: Result<Option<T>, ValidationError>,
) -> Option<T> {
    let value = keep(errors, result).flatten();
    if value.is_none() && !errors.iter().any(|e| e.field == field) {
        errors.push(ValidationError::new(field, "", Reason::Required));
    }
    value
}

/// Read a follow-ups file.
///
/// # Errors
///
/// As [`read_patients`].
pub fn read_followups(input: impl Read) -> Result<Vec<FollowUpRow>, CsvFileError> {
    read_rows(input, &FOLLOWUP_COLUMNS, parse_followup)
}

fn parse_followup(
    line: u64,
    cells: [&str; 6],
    count_error: Option<ValidationError>,
) -> FollowUpRow {
    let [study_id, contact_date, status, hsp90a, afp, note] = cells;
    if let Some(error) = count_error {
        return FollowUpRow {
            line,
            study_id: study_id.trim().to_string(),
            followup: None,
            errors: vec![error],
        };
    }
    let mut errors = Vec::new();
    let e = &mut errors;
    let id = keep(e, parse_identifier("study_id", study_id));
    let date = keep(e, parse_required_date("contact_date", contact_date));
    let parsed_status = required(e, "status", parse_choice("status", status));
    let hsp90a_ng_ml = keep(e, parse_number("hsp90a_ng_ml", hsp90a)).flatten();
    let afp_ng_ml = keep(e, parse_number("afp_ng_ml", afp)).flatten();

    // The note is free text: kept exactly as written, empty means none.
    let note = (!note.is_empty()).then(|| note.to_string());
    let followup = match (id, date, parsed_status) {
        (Some(study_id), Some(contact_date), Some(status)) => Some(FollowUp {
            study_id,
            contact_date,
            status,
            hsp90a_ng_ml,
            afp_ng_ml,
            note,
        }),
        _ => None,
    };

    FollowUpRow {
        line,
        study_id: study_id.trim().to_string(),
        followup,
        errors,
    }
}

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn flag(value: Option<bool>) -> String {
    value.map(yes_no).unwrap_or_default().to_string()
}

/// Formats the cells of a patient in [`PATIENT_COLUMNS`] order.
pub fn patient_cells(record: &PatientRecord) -> [String; 26] {
    let b = &record.baseline;
    [
        record.study_id.clone(),
        record.center.clone(),
        yes_no(record.center_external).to_string(),
        text(b.sex),
        text(b.age_years),
        record.treatment.to_string(),
        record.treatment_start.to_string(),
        text(b.hsp90a_ng_ml),
        flag(b.hbv),
        flag(b.diabetes),
        flag(b.hypertension),
        text(b.child_pugh.map(|c| c.as_str())),
        text(b.albumin_g_l),
        text(b.bilirubin_umol_l),
        text(b.albi_grade),
        text(b.afp_ng_ml),
        text(b.alp_u_l),
        text(b.platelets_1e9_l),
        text(b.alt_u_l),
        text(b.leukocytes_1e9_l),
        text(b.bclc.map(|s| s.as_str())),
        text(b.tumor_number),
        text(b.tumor_size_cm),
        flag(b.pvtt),
        flag(b.lymph_nodes),
        flag(b.metastasis),
    ]
}

/// Formats the cells of a follow-up contact in [`FOLLOWUP_COLUMNS`] order.
pub fn followup_cells(followup: &FollowUp) -> [String; 6] {
    [
        followup.study_id.clone(),
        followup.contact_date.to_string(),
        followup.status.to_string(),
        text(followup.hsp90a_ng_ml),
        text(followup.afp_ng_ml),
        followup.note.clone().unwrap_or_default(),
    ]
}

/// Write patients in the import format, header first. Numbers are written
/// in the shortest form that reads back to the same `f64`.
///
/// # Errors
///
/// Any error of the underlying writer.
pub fn write_patients<'a>(
    output: impl Write,
    records: impl IntoIterator<Item = &'a PatientRecord>,
) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(PATIENT_COLUMNS)?;
    for record in records {
        writer.write_record(patient_cells(record))?;
    }
    writer.flush()?;
    Ok(())
}

/// Write follow-up contacts in the import format, header first.
///
/// # Errors
///
/// Any error of the underlying writer.
pub fn write_followups<'a>(
    output: impl Write,
    followups: impl IntoIterator<Item = &'a FollowUp>,
) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(FOLLOWUP_COLUMNS)?;
    for followup in followups {
        writer.write_record(followup_cells(followup))?;
    }
    writer.flush()?;
    Ok(())
}

/// Copy the rows of `source` whose line is a key of `reasons` to `output`,
/// with the source's columns and a last `reason` column (an existing
/// `reason` column is replaced). Returns the number of rows written.
///
/// The source is read a second time rather than kept in memory, so that an
/// import of a million rows keeps only their parsed values.
///
/// # Errors
///
/// [`CsvFileError::Read`] when the source cannot be read, and
/// [`CsvFileError::Write`] when the output cannot be written.
pub fn copy_rejected_rows(
    source: impl Read,
    reasons: &BTreeMap<u64, String>,
    output: impl Write,
) -> Result<usize, CsvFileError> {
    let mut reader = reader_builder().from_reader(source);
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(output);
    let header = reader.headers().map_err(|e| read_error(1, &e))?.clone();
    let keep_column: Vec<bool> = header
        .iter()
        .map(|name| name.trim_start_matches('\u{feff}').trim() != REASON_COLUMN)
        .collect();
    let kept = |record: &csv::StringRecord| -> Vec<String> {
        let mut cells: Vec<String> = record
            .iter()
            .enumerate()
            .filter(|(i, _)| keep_column.get(*i).copied().unwrap_or(true))
            .map(|(_, cell)| cell.to_string())
            .collect();
        let width = keep_column.iter().filter(|k| **k).count();
        if cells.len() < width {
            cells.resize(width, String::new());
        }
        cells
    };
    let write_error = |e: csv::Error| CsvFileError::Write {
        message: e.to_string(),
    };

    let mut header_out = kept(&header);
    header_out.push(REASON_COLUMN.to_string());
    writer.write_record(&header_out).map_err(write_error)?;
    let mut written = 0;
    for result in reader.records() {
        let record = result.map_err(|e| read_error(0, &e))?;
        let line = record.position().map_or(0, csv::Position::line);
        if let Some(reason) = reasons.get(&line) {
            let mut cells = kept(&record);
            cells.push(reason.clone());
            writer.write_record(&cells).map_err(write_error)?;
            written += 1;
        }
    }
    writer.flush().map_err(|e| CsvFileError::Write {
        message: e.to_string(),
    })?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_header_is_named() {
        let input = "study_id;center;treatment\nP1;C1;tace\n";
        assert_eq!(
            read_patients(input.as_bytes()),
            Err(CsvFileError::WrongDelimiter { delimiter: ';' })
        );
    }

    #[test]
    fn followup_row_round_trips() {
        let input = "study_id,contact_date,status,hsp90a_ng_ml,afp_ng_ml,note\n\
                     P1,2020-02-01,alive,,12.5,\"seen, well\"\n";
        let rows = read_followups(input.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].errors.is_empty());
        let followup = rows[0].followup.clone().unwrap();
        let cells = followup_cells(&followup);
        assert_eq!(cells[4], "12.5");
        assert_eq!(cells[5], "seen, well");
    }
}
