//! Reads that only the interface needs, on the registry's connection: the
//! follow-up worklist, counts and look-ups for the forms, and the list of
//! model versions without their fitted models.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::db::DbError;
use crate::domain::Treatment;
use crate::pipeline::versions::{ModelKind, VersionStatus};

/// A patient whose follow-up is overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct WorklistRow {
    pub study_id: String,
    pub center: String,
    pub treatment: Treatment,
    pub treatment_start: NaiveDate,
    /// Latest contact, `None` when the patient has none yet.
    pub last_contact_date: Option<NaiveDate>,
}

impl WorklistRow {
    /// Return the date the patient was last known alive: the latest
    /// contact, or the treatment start without any contact.
    pub fn last_known_alive(&self) -> NaiveDate {
        self.last_contact_date.unwrap_or(self.treatment_start)
    }
}

/// A page of the worklist and the number of overdue patients.
#[derive(Debug, Clone, PartialEq)]
pub struct WorklistPage {
    pub rows: Vec<WorklistRow>,
    pub total: u64,
}

/// Return the date before which a last contact is overdue: `today` minus
/// `interval_months` calendar months (clamped to the month's last day).
pub fn overdue_before(today: NaiveDate, interval_months: u32) -> NaiveDate {
    today
        .checked_sub_months(chrono::Months::new(interval_months))
        .unwrap_or(NaiveDate::MIN)
}

const WORKLIST_FROM: &str = "FROM patients p JOIN centers c ON c.id = p.center_id
     WHERE p.withdrawn = 0
       AND (p.last_status IS NULL OR p.last_status = 'alive')
       AND coalesce(p.last_contact_date, p.treatment_start) < ?1";

/// Read the patients still in the study who were alive at their last
/// contact (or have no contact yet) and were last known alive before
/// `before`, oldest first. Patients lost to follow-up or dead are not
/// listed.
///
/// # Errors
///
/// A SQLite error.
pub fn worklist_page(
    conn: &Connection,
    before: NaiveDate,
    offset: u64,
    limit: u64,
) -> Result<WorklistPage, DbError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT p.study_id, c.code, p.treatment, p.treatment_start, p.last_contact_date
         {WORKLIST_FROM}
         ORDER BY coalesce(p.last_contact_date, p.treatment_start), p.study_id
         LIMIT ?2 OFFSET ?3"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement
        .query_map(params![before, limit, offset], |row| {
            let treatment: String = row.get(2)?;
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                treatment,
                row.get::<_, NaiveDate>(3)?,
                row.get::<_, Option<NaiveDate>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows = rows
        .into_iter()
        .map(
            |(study_id, center, treatment, treatment_start, last_contact_date)| {
                let treatment = treatment
                    .parse::<Treatment>()
                    .map_err(|e| DbError::Sqlite(conversion_error(2, e)))?;
                Ok(WorklistRow {
                    study_id,
                    center,
                    treatment,
                    treatment_start,
                    last_contact_date,
                })
            },
        )
        .collect::<Result<Vec<_>, DbError>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {WORKLIST_FROM}"))?
        .query_row(params![before], |row| row.get(0))?;
    Ok(WorklistPage {
        rows,
        total: total.unsigned_abs(),
    })
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
