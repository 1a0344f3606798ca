//! Reads for the interface and the model pipelines. They cover a page of
//! the patient list, one patient with its follow-ups, and every patient
//! still in the study with follow-ups. They also cover the analysis rows
//! (baseline and overall survival as of a cut-off), the follow-up worklist,
//! the centres, and counts for a summary.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::columns::{
    FOLLOWUP_SELECT, PATIENT_SELECT, PATIENT_SELECT_LEN, followup_from_row, parse_required,
    parse_stored, patient_from_row,
};
use super::error::DbError;
use super::open::Registry;
use crate::domain::derived::{OverallSurvival, overall_survival};
use crate::domain::{Bclc, FollowUp, PatientRecord, Treatment, VitalStatus};

/// Column a page of patients is sorted by. Ties are broken by study id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    StudyId,
    Center,
    Treatment,
    TreatmentStart,
    Bclc,
    Hsp90a,
    LastContact,
    Status,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            SortColumn::StudyId => "p.study_id",
            SortColumn::Center => "c.code",
            SortColumn::Treatment => "p.treatment",
            SortColumn::TreatmentStart => "p.treatment_start",
            SortColumn::Bclc => "p.bclc",
            SortColumn::Hsp90a => "p.hsp90a_ng_ml",
            SortColumn::LastContact => "p.last_contact_date",
            SortColumn::Status => "p.last_status",
        }
    }
}

/// Request for one page of the patient list: filter, sort order, offset and
/// limit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// Text that the study id or centre code must contain (any case);
    /// empty for every patient.
    pub filter: String,
    pub sort: SortColumn,
    pub descending: bool,
    /// Number of rows to skip.
    pub offset: u64,
    /// Maximum number of rows to return.
    pub limit: u64,
}

/// One row of the patient list.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientSummary {
    pub study_id: String,
    pub center: String,
    pub treatment: Treatment,
    pub treatment_start: NaiveDate,
    pub bclc: Option<Bclc>,
    pub hsp90a_ng_ml: Option<f64>,
    /// Latest follow-up contact, `None` without any.
    pub last_contact_date: Option<NaiveDate>,
    /// Vital status at the latest contact.
    pub last_status: Option<VitalStatus>,
    pub withdrawn: bool,
    pub row_version: i64,
}

/// A page of the patient list and the number of patients matching the
/// filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<PatientSummary>,
    pub total: u64,
}

/// A stored follow-up contact with who entered it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFollowUp {
    pub id: i64,
    pub followup: FollowUp,
    pub entered_at: String,
    pub entered_by: String,
}

/// One patient as stored, with its follow-ups in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPatient {
    pub record: PatientRecord,
    /// Version to pass to [`Registry::update_patient`].
    pub row_version: i64,
    pub withdrawn: bool,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    pub followups: Vec<StoredFollowUp>,
}

/// A patient still in the study, with the follow-ups in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPatient {
    pub record: PatientRecord,
    pub followups: Vec<FollowUp>,
}

/// A patient still in the study with overall survival as of a cut-off: the
/// input of the model pipelines.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisRow {
    pub record: PatientRecord,
    /// Months from treatment start to death or last contact on or before
    /// the cut-off, and whether the patient died.
    pub os: OverallSurvival,
}

/// A patient due for a follow-up contact.
#[derive(Debug, Clone, PartialEq)]
pub struct WorklistEntry {
    pub study_id: String,
    pub center: String,
    pub treatment: Treatment,
    pub treatment_start: NaiveDate,
    /// Latest contact, `None` when the patient has none yet.
    pub last_contact_date: Option<NaiveDate>,
    /// `alive`, `lost`, or `None` without a contact.
    pub last_status: Option<VitalStatus>,
    /// Days from the latest contact (or the treatment start) to the date
    /// the worklist was read for.
    pub days_since_contact: i64,
    pub row_version: i64,
}

/// A page of the worklist and the number of patients due.
#[derive(Debug, Clone, PartialEq)]
pub struct Worklist {
    pub rows: Vec<WorklistEntry>,
    pub total: u64,
}

/// A centre and how many patients it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Center {
    pub code: String,
    pub name: String,
    /// Whether its patients form the external validation set.
    pub external_validation: bool,
    pub patients: u64,
}

/// Counts over the patients still in the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub tace: u64,
    pub no_tace: u64,
    pub withdrawn: u64,
    pub followups: u64,
    pub deaths: u64,
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_pattern(filter: &str) -> String {
    let mut pattern = String::from("%");
    for c in filter.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Builds the query of one page sorted by `sort`. Its parameters are the
/// filter text, the LIKE pattern, the limit and the offset.
fn page_sql(sort: SortColumn, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    // Sorted by centre, the few centres form the outer loop (CROSS JOIN
    // fixes the join order in SQLite) so that each centre's patients come
    // from the (center_id, study_id) index already in order.
    let from = match sort {
        SortColumn::Center => "FROM centers c CROSS JOIN patients p ON p.center_id = c.id",
        _ => "FROM patients p JOIN centers c ON c.id = p.center_id",
    };
    format!(
        "SELECT p.study_id, c.code, p.treatment, p.treatment_start, p.bclc, p.hsp90a_ng_ml,
                p.last_contact_date, p.last_status, p.withdrawn, p.row_version
         {from} {PAGE_FILTER}
         ORDER BY {column} {direction}, p.study_id {direction} LIMIT ?3 OFFSET ?4",
        column = sort.sql(),
    )
}

/// Filter of the patient list on the text `?1` as LIKE pattern `?2`. The
/// centre is matched through its id, so that counting needs no join.
const PAGE_FILTER: &str = "WHERE ?1 = '' OR p.study_id LIKE ?2 ESCAPE '\\'
     OR p.center_id IN (SELECT id FROM centers WHERE code LIKE ?2 ESCAPE '\\')";

/// Patients due for a contact before date `?1`. The conditions match the
/// partial index `patients_due`, so that SQLite can use it.
const WORKLIST_DUE: &str = "WHERE p.withdrawn = 0
       AND (p.last_status IS NULL OR p.last_status <> 'dead')
       AND coalesce(p.last_contact_date, p.treatment_start) < ?1";

impl Registry {
    /// Reads a page of the patient list, filtered and sorted, withdrawn
    /// patients included (flagged).
    ///
    /// Every sort column is indexed together with the study id, and the
    /// latest contact is stored on the patient row. A page therefore costs
    /// an index walk to `offset` plus `limit` rows. A filter makes the total
    /// scan the patients table once.
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn patients_page(&self, request: &PageRequest) -> Result<Page, DbError> {
        let filter = request.filter.trim();
        let pattern = like_pattern(filter);
        let sql = page_sql(request.sort, request.descending);
        let limit = i64::try_from(request.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(request.offset).unwrap_or(i64::MAX);
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement
            .query_map(params![filter, pattern, limit, offset], |row| {
                Ok(PatientSummary {
                    study_id: row.get(0)?,
                    center: row.get(1)?,
                    treatment: parse_required(row, 2)?,
                    treatment_start: row.get(3)?,
                    bclc: parse_stored(row, 4)?,
                    hsp90a_ng_ml: row.get(5)?,
                    last_contact_date: row.get(6)?,
                    last_status: parse_stored(row, 7)?,
                    withdrawn: row.get(8)?,
                    row_version: row.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Without a filter, the count walks the smallest index instead of
        // testing every row.
        let total: i64 = if filter.is_empty() {
            self.conn
                .prepare_cached("SELECT count(*) FROM patients")?
                .query_row([], |row| row.get(0))?
        } else {
            self.conn
                .prepare_cached(&format!("SELECT count(*) FROM patients p {PAGE_FILTER}"))?
                .query_row(params![filter, pattern], |row| row.get(0))?
        };
        Ok(Page {
            rows,
            total: total.unsigned_abs(),
        })
    }

    /// Reads one patient with its follow-ups, or `None` for an unknown study
    /// id.
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn patient(&self, study_id: &str) -> Result<Option<StoredPatient>, DbError> {
        let tx = self.conn.unchecked_transaction()?;
        let sql = format!(
            "SELECT p.id, {}, p.row_version, p.withdrawn, p.created_at, p.created_by,
                    p.updated_at, p.updated_by
             FROM patients p JOIN centers c ON c.id = p.center_id WHERE p.study_id = ?1",
            *PATIENT_SELECT
        );
        let n = PATIENT_SELECT_LEN + 1;
        let found = tx
            .query_row(&sql, [study_id], |row| {
                let patient = StoredPatient {
                    record: patient_from_row(row, 1)?,
                    row_version: row.get(n)?,
                    withdrawn: row.get(n + 1)?,
                    created_at: row.get(n + 2)?,
                    created_by: row.get(n + 3)?,
                    updated_at: row.get(n + 4)?,
                    updated_by: row.get(n + 5)?,
                    followups: Vec::new(),
                };
                Ok((row.get::<_, i64>(0)?, patient))
            })
            .optional()?;
        let Some((id, mut patient)) = found else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT f.id, f.entered_at, f.entered_by, {FOLLOWUP_SELECT}
             FROM followups f JOIN patients p ON p.id = f.patient_id
             WHERE f.patient_id = ?1 ORDER BY f.contact_date, f.id"
        );
        let mut statement = tx.prepare(&sql)?;
        patient.followups = statement
            .query_map([id], |row| {
                Ok(StoredFollowUp {
                    id: row.get(0)?,
                    entered_at: row.get(1)?,
                    entered_by: row.get(2)?,
                    followup: followup_from_row(row, 3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(patient))
    }

    /// Reads every patient who has not withdrawn, in study-id order, with the
    /// follow-ups in date order, in one snapshot. This is the input of the
    /// analysis table and the export.
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn analysis_patients(&self) -> Result<Vec<AnalysisPatient>, DbError> {
        let tx = self.conn.unchecked_transaction()?;
        let sql = format!(
            "SELECT p.id, {} FROM patients p JOIN centers c ON c.id = p.center_id
             WHERE p.withdrawn = 0 ORDER BY p.id",
            *PATIENT_SELECT
        );
        let mut statement = tx.prepare(&sql)?;
        let patients: Vec<(i64, PatientRecord)> = statement
            .query_map([], |row| Ok((row.get(0)?, patient_from_row(row, 1)?)))?
            .collect::<rusqlite::Result<_>>()?;

        let sql = format!(
            "SELECT f.patient_id, {FOLLOWUP_SELECT}
             FROM followups f JOIN patients p ON p.id = f.patient_id
             WHERE p.withdrawn = 0 ORDER BY f.patient_id, f.contact_date, f.id"
        );
        let mut statement = tx.prepare(&sql)?;
        let followups: Vec<(i64, FollowUp)> = statement
            .query_map([], |row| Ok((row.get(0)?, followup_from_row(row, 1)?)))?
            .collect::<rusqlite::Result<_>>()?;

        // Both lists are in patient-id order, so one merge pass pairs them.
        let mut followups = followups.into_iter().peekable();
        let mut result = Vec::with_capacity(patients.len());
        for (id, record) in patients {
            let mut own = Vec::new();
            while let Some((_, followup)) = followups.next_if(|(patient_id, _)| *patient_id == id) {
                own.push(followup);
            }
            result.push(AnalysisPatient {
                record,
                followups: own,
            });
        }
        result.sort_by(|a, b| a.record.study_id.cmp(&b.record.study_id));
        Ok(result)
    }

    /// Reads every patient still in the study and treated on or before `as_of`,
    /// in study-id order, with overall survival from the contacts on or
    /// before `as_of` (all contacts when `as_of` is `None`).
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn analysis_rows(&self, as_of: Option<NaiveDate>) -> Result<Vec<AnalysisRow>, DbError> {
        let rows = self
            .analysis_patients()?
            .into_iter()
            .filter(|p| as_of.is_none_or(|cutoff| p.record.treatment_start <= cutoff))
            .map(|p| {
                let os = overall_survival(p.record.treatment_start, &p.followups, as_of);
                AnalysisRow {
                    record: p.record,
                    os,
                }
            })
            .collect();
        Ok(rows)
    }

    /// Reads the patients due for a follow-up contact on `today`, oldest
    /// contact first, with `offset` and `limit` selecting a page.
    ///
    /// A patient is due when still in the study, not known to have died
    /// (status `alive` or `lost`, or no contact yet), and last seen more
    /// than `older_than_days` days before `today`. A patient without a
    /// contact was last seen at the treatment start.
    ///
    /// A partial index on the last-seen date keeps a page of the worklist
    /// cheap at 100,000 patients.
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn worklist(
        &self,
        today: NaiveDate,
        older_than_days: u32,
        offset: u64,
        limit: u64,
    ) -> Result<Worklist, DbError> {
        let due_before = today - chrono::Days::new(u64::from(older_than_days));
        let sql = format!(
            "SELECT p.study_id, c.code, p.treatment, p.treatment_start, p.last_contact_date,
                    p.last_status, p.row_version
             FROM patients p JOIN centers c ON c.id = p.center_id {WORKLIST_DUE}
             ORDER BY coalesce(p.last_contact_date, p.treatment_start), p.study_id
             LIMIT ?2 OFFSET ?3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement
            .query_map(params![due_before, limit, offset], |row| {
                let treatment_start: NaiveDate = row.get(3)?;
                let last_contact_date: Option<NaiveDate> = row.get(4)?;
                let seen = last_contact_date.unwrap_or(treatment_start);
                Ok(WorklistEntry {
                    study_id: row.get(0)?,
                    center: row.get(1)?,
                    treatment: parse_required(row, 2)?,
                    treatment_start,
                    last_contact_date,
                    last_status: parse_stored(row, 5)?,
                    days_since_contact: (today - seen).num_days(),
                    row_version: row.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM patients p {WORKLIST_DUE}"))?
            .query_row([due_before], |row| row.get(0))?;
        Ok(Worklist {
            rows,
            total: total.unsigned_abs(),
        })
    }

    /// Reads the centres in code order with their number of patients.
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn centers(&self) -> Result<Vec<Center>, DbError> {
        let mut statement = self.conn.prepare(
            "SELECT c.code, c.name, c.external_validation,
                    (SELECT count(*) FROM patients p WHERE p.center_id = c.id)
             FROM centers c ORDER BY c.code",
        )?;
        let centers = statement
            .query_map([], |row| {
                Ok(Center {
                    code: row.get(0)?,
                    name: row.get(1)?,
                    external_validation: row.get(2)?,
                    patients: row.get::<_, i64>(3)?.unsigned_abs(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(centers)
    }

    /// Patients by treatment, withdrawals, follow-ups and deaths.
    /// Follow-ups and deaths count patients still in the study only.
    ///
    /// # Errors
    ///
    /// A SQLite error.
    pub fn summary(&self) -> Result<Summary, DbError> {
        let count = |sql: &str| -> Result<u64, DbError> {
            let n: i64 = self.conn.query_row(sql, [], |row| row.get(0))?;
            Ok(n.unsigned_abs())
        };
        Ok(Summary {
            tace: count(
                "SELECT count(*) FROM patients WHERE withdrawn = 0 AND treatment = 'tace'",
            )?,
            no_tace: count(
                "SELECT count(*) FROM patients WHERE withdrawn = 0 AND treatment = 'none'",
            )?,
            withdrawn: count("SELECT count(*) FROM patients WHERE withdrawn = 1")?,
            followups: count(
                "SELECT count(*) FROM followups f JOIN patients p ON p.id = f.patient_id
                 WHERE p.withdrawn = 0",
            )?,
            deaths: count(
                "SELECT count(*) FROM followups f JOIN patients p ON p.id = f.patient_id
                 WHERE p.withdrawn = 0 AND f.status = 'dead'",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SORTS: [SortColumn; 8] = [
        SortColumn::StudyId,
        SortColumn::Center,
        SortColumn::Treatment,
        SortColumn::TreatmentStart,
        SortColumn::Bclc,
        SortColumn::Hsp90a,
        SortColumn::LastContact,
        SortColumn::Status,
    ];

    fn plan(registry: &Registry, sql: &str) -> String {
        let mut statement = registry
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let details: Vec<String> = statement
            .query_map(params!["", "%%", 100, 0], |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        details.join(" | ")
    }

    #[test]
    fn every_page_sort_walks_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::create(&dir.path().join("plan.sqlite")).unwrap();
        for sort in SORTS {
            for descending in [false, true] {
                let plan = plan(&registry, &page_sql(sort, descending));
                assert!(
                    !plan.contains("TEMP B-TREE"),
                    "{sort:?} sorts every row: {plan}"
                );
                assert!(plan.contains("INDEX"), "{sort:?} scans the table: {plan}");
            }
        }
    }

    #[test]
    fn worklist_walks_its_partial_index() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::create(&dir.path().join("plan.sqlite")).unwrap();
        let sql = format!(
            "SELECT p.study_id FROM patients p JOIN centers c ON c.id = p.center_id {WORKLIST_DUE}
             ORDER BY coalesce(p.last_contact_date, p.treatment_start), p.study_id LIMIT 100"
        );
        let mut statement = registry
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let details: Vec<String> = statement
            .query_map(["2020-01-01"], |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let plan = details.join(" | ");
        assert!(plan.contains("patients_due"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("a_b%"), "%a\\_b\\%%");
    }
}
