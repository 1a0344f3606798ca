//! Mapping of records to table columns: the baseline columns (named as the
//! CSV columns), the SELECT list that reads a patient back, and conversion
//! of stored text to the domain's enumerations.

use std::str::FromStr;
use std::sync::LazyLock;

use rusqlite::Row;
use rusqlite::types::{Type, Value};

use crate::domain::validate::BASELINE_VARIABLES;
use crate::domain::{Baseline, FollowUp, PatientRecord};

/// Baseline columns of the `patients` table, in [`BASELINE_VARIABLES`]
/// order.
pub(crate) fn baseline_columns() -> [&'static str; 21] {
    BASELINE_VARIABLES.map(|v| v.column)
}

/// Columns read by [`patient_from_row`], for `patients p JOIN centers c`.
pub(crate) static PATIENT_SELECT: LazyLock<String> = LazyLock::new(|| {
    let baseline: Vec<String> = baseline_columns()
        .iter()
        .map(|c| format!("p.{c}"))
        .collect();
    format!(
        "p.study_id, c.code, c.external_validation, p.treatment, p.treatment_start, {}",
        baseline.join(", ")
    )
});

/// Number of columns in [`PATIENT_SELECT`].
pub(crate) const PATIENT_SELECT_LEN: usize = 5 + 21;

/// Columns of a follow-up read by [`followup_from_row`], for
/// `followups f JOIN patients p`.
pub(crate) const FOLLOWUP_SELECT: &str =
    "p.study_id, f.contact_date, f.status, f.hsp90a_ng_ml, f.afp_ng_ml, f.note";

fn real(value: Option<f64>) -> Value {
    value.map_or(Value::Null, Value::Real)
}

fn integer<T: Into<i64>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, |v| Value::Integer(v.into()))
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |v| Value::Text(v.to_string()))
}

/// Returns the baseline's values in [`baseline_columns`] order.
pub(crate) fn baseline_values(b: &Baseline) -> [Value; 21] {
    [
        text(b.sex.map(|v| v.as_str())),
        integer(b.age_years),
        real(b.hsp90a_ng_ml),
        integer(b.hbv),
        integer(b.diabetes),
        integer(b.hypertension),
        text(b.child_pugh.map(|v| v.as_str())),
        real(b.albumin_g_l),
        real(b.bilirubin_umol_l),
        integer(b.albi_grade),
        real(b.afp_ng_ml),
        real(b.alp_u_l),
        real(b.platelets_1e9_l),
        real(b.alt_u_l),
        real(b.leukocytes_1e9_l),
        text(b.bclc.map(|v| v.as_str())),
        integer(b.tumor_number),
        real(b.tumor_size_cm),
        integer(b.pvtt),
        integer(b.lymph_nodes),
        integer(b.metastasis),
    ]
}

/// Read a stored enumeration spelling.
pub(crate) fn parse_stored<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let Some(text) = row.get::<_, Option<String>>(index)? else {
        return Ok(None);
    };
    text.parse()
        .map(Some)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(e)))
}

/// Read a stored enumeration spelling that may not be NULL.
pub(crate) fn parse_required<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    parse_stored(row, index)?.ok_or(rusqlite::Error::InvalidColumnType(
        index,
        "NULL".into(),
        Type::Null,
    ))
}

/// Read a baseline from [`baseline_columns`] starting at column `first`.
fn baseline_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Baseline> {
    let i = |k: usize| first + k;
    Ok(Baseline {
        sex: parse_stored(row, i(0))?,
        age_years: row.get(i(1))?,
        hsp90a_ng_ml: row.get(i(2))?,
        hbv: row.get(i(3))?,
        diabetes: row.get(i(4))?,
        hypertension: row.get(i(5))?,
        child_pugh: parse_stored(row, i(6))?,
        albumin_g_l: row.get(i(7))?,
        bilirubin_umol_l: row.get(i(8))?,
        albi_grade: row.get(i(9))?,
        afp_ng_ml: row.get(i(10))?,
        alp_u_l: row.get(i(11))?,
        platelets_1e9_l: row.get(i(12))?,
        alt_u_l: row.get(i(13))?,
        leukocytes_1e9_l: row.get(i(14))?,
        bclc: parse_stored(row, i(15))?,
        tumor_number: row.get(i(16))?,
        tumor_size_cm: row.get(i(17))?,
        pvtt: row.get(i(18))?,
        lymph_nodes: row.get(i(19))?,
        metastasis: row.get(i(20))?,
    })
}

/// Read a patient from [`PATIENT_SELECT`] starting at column `first`.
pub(crate) fn patient_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<PatientRecord> {
    Ok(PatientRecord {
        study_id: row.get(first)?,
        center: row.get(first + 1)?,
        center_external: row.get(first + 2)?,
        treatment: parse_required(row, first + 3)?,
        treatment_start: row.get(first + 4)?,
        baseline: baseline_from_row(row, first + 5)?,
    })
}

/// Read a follow-up from [`FOLLOWUP_SELECT`] starting at column `first`.
pub(crate) fn followup_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        study_id: row.get(first)?,
        contact_date: row.get(first + 1)?,
        status: parse_required(row, first + 2)?,
        hsp90a_ng_ml: row.get(first + 3)?,
        afp_ng_ml: row.get(first + 4)?,
        note: row.get(first + 5)?,
    })
}
