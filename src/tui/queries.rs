//! Reads that only the interface needs, on the registry's connection:
//! counts and look-ups for the forms, and the list of model versions
//! without their fitted models.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::db::DbError;
use crate::pipeline::versions::{ModelKind, VersionStatus};

/// Return the date before which a last contact is overdue: `today` minus
/// `interval_months` calendar months (clamped to the month's last day).
pub fn overdue_before(today: NaiveDate, interval_months: u32) -> NaiveDate {
    today
        .checked_sub_months(chrono::Months::new(interval_months))
        .unwrap_or(NaiveDate::MIN)
}

fn conversion_error(
    column: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
}

/// Count the patients in the registry, withdrawn ones included.
///
/// # Errors
///
/// A SQLite error.
pub fn patient_count(conn: &Connection) -> Result<u64, DbError> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM patients")?
        .query_row([], |row| row.get(0))?;
    Ok(n.unsigned_abs())
}

/// Return whether a study id is already in the registry.
///
/// # Errors
///
/// A SQLite error.
pub fn study_id_exists(conn: &Connection, study_id: &str) -> Result<bool, DbError> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM patients WHERE study_id = ?1")?
        .query_row([study_id], |row| row.get(0))?;
    Ok(n > 0)
}

/// Read the external-validation flag of a stored centre, `None` for a new
/// code.
///
/// # Errors
///
/// A SQLite error.
pub fn center_external(conn: &Connection, code: &str) -> Result<Option<bool>, DbError> {
    let mut statement =
        conn.prepare_cached("SELECT external_validation FROM centers WHERE code = ?1")?;
    let mut rows = statement.query([code])?;
    match rows.next()? {
        Some(row) => Ok(Some(row.get(0)?)),
        None => Ok(None),
    }
}

/// A model version without its fitted model and splits, which can be
/// megabytes each: what the models screen lists.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    pub id: i64,
    pub kind: ModelKind,
    pub status: VersionStatus,
    pub created_at: String,
    pub created_by: String,
    pub data_cutoff: String,
    pub seed: i64,
    pub patients: i64,
    pub events: i64,
    /// JSON of the pipeline's metrics; `None` for a failed fit.
    pub metrics: Option<String>,
    pub failure: Option<String>,
    pub promoted_at: Option<String>,
    pub promoted_by: Option<String>,
}

/// Read every model version, newest first, without the fitted models.
///
/// # Errors
///
/// A SQLite error, or a stored kind or status this program does not know.
pub fn version_rows(conn: &Connection) -> Result<Vec<VersionRow>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, kind, status, created_at, created_by, data_cutoff, seed, patients, events,
                metrics, failure, promoted_at, promoted_by
         FROM model_version ORDER BY id DESC",
    )?;
    let rows = statement.query_map([], |row| {
        let kind: String = row.get(1)?;
        let status: String = row.get(2)?;
        Ok(VersionRow {
            id: row.get(0)?,
            kind: kind
                .parse()
                .map_err(|e: String| conversion_error(1, TextError(e)))?,
            status: status
                .parse()
                .map_err(|e: String| conversion_error(2, TextError(e)))?,
            created_at: row.get(3)?,
            created_by: row.get(4)?,
            data_cutoff: row.get(5)?,
            seed: row.get(6)?,
            patients: row.get(7)?,
            events: row.get(8)?,
            metrics: row.get(9)?,
            failure: row.get(10)?,
            promoted_at: row.get(11)?,
            promoted_by: row.get(12)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A stored text that does not parse, as an error value.
#[derive(Debug)]
struct TextError(String);

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TextError {}
