//! Writes of single records: insert a patient, update a patient under
//! optimistic locking, withdraw a patient, add a follow-up contact. Each is
//! one `BEGIN IMMEDIATE` transaction that validates, writes and appends to
//! the audit log. The row helpers here are shared with the importer.

use std::sync::LazyLock;

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::json;

use super::audit::{action, record_audit};
use super::columns::{
    FOLLOWUP_SELECT, PATIENT_SELECT, baseline_columns, baseline_values, patient_from_row,
};
use super::error::DbError;
use super::open::{Registry, local_today, now_timestamp};
use crate::domain::validate::{
    Reason, ValidationError, any_blocking, check_followup, check_patient,
};
use crate::domain::{FollowUp, PatientRecord};

/// Stored state of a patient that a write checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PatientState {
    pub id: i64,
    pub treatment_start: NaiveDate,
    pub withdrawn: bool,
    pub row_version: i64,
}

pub(crate) fn patient_state(
    conn: &Connection,
    study_id: &str,
) -> rusqlite::Result<Option<PatientState>> {
    conn.prepare_cached(
        "SELECT id, treatment_start, withdrawn, row_version FROM patients WHERE study_id = ?1",
    )?
    .query_row([study_id], |row| {
        Ok(PatientState {
            id: row.get(0)?,
            treatment_start: row.get(1)?,
            withdrawn: row.get(2)?,
            row_version: row.get(3)?,
        })
    })
    .optional()
}

/// Reads the stored follow-ups of one patient, in date order.
pub(crate) fn stored_followups(
    conn: &Connection,
    patient_id: i64,
) -> rusqlite::Result<Vec<FollowUp>> {
    let sql = format!(
        "SELECT {FOLLOWUP_SELECT} FROM followups f JOIN patients p ON p.id = f.patient_id
         WHERE f.patient_id = ?1 ORDER BY f.contact_date, f.id"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([patient_id], |row| {
        super::columns::followup_from_row(row, 0)
    })?;
    rows.collect()
}

fn stored_patient(conn: &Connection, patient_id: i64) -> rusqlite::Result<PatientRecord> {
    let sql = format!(
        "SELECT {} FROM patients p JOIN centers c ON c.id = p.center_id WHERE p.id = ?1",
        *PATIENT_SELECT
    );
    conn.prepare_cached(&sql)?
        .query_row([patient_id], |row| patient_from_row(row, 0))
}

/// Looks up the id and external-validation flag of centre `code`.
pub(crate) fn stored_center(
    conn: &Connection,
    code: &str,
) -> rusqlite::Result<Option<(i64, bool)>> {
    conn.prepare_cached("SELECT id, external_validation FROM centers WHERE code = ?1")?
        .query_row([code], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// Store a new centre, named by its code, and return its id.
pub(crate) fn insert_center(
    conn: &Connection,
    code: &str,
    external: bool,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO centers (code, name, external_validation) VALUES (?1, ?1, ?2)",
    )?
    .execute(params![code, external])?;
    Ok(conn.last_insert_rowid())
}

/// Returns the id of the record's centre, creating the centre when it is
/// new.
///
/// # Errors
///
/// [`DbError::Invalid`] with [`Reason::CenterFlagConflict`] when the centre
/// is stored with the other external-validation flag.
fn resolve_center(conn: &Connection, record: &PatientRecord) -> Result<i64, DbError> {
    match stored_center(conn, &record.center)? {
        Some((id, flag)) if flag == record.center_external => Ok(id),
        Some((_, flag)) => {
            let reason = Reason::CenterFlagConflict {
                center: record.center.clone(),
                stored: flag,
            };
            let value = crate::domain::patient::yes_no(record.center_external);
            let error = ValidationError::new("center_external", value, reason);
            Err(DbError::Invalid {
                study_id: record.study_id.clone(),
                errors: vec![error],
            })
        }
        None => Ok(insert_center(conn, &record.center, record.center_external)?),
    }
}

static INSERT_PATIENT_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns = baseline_columns();
    let placeholders: Vec<String> = (0..columns.len() + 8)
        .map(|i| format!("?{}", i + 1))
        .collect();
    format!(
        "INSERT INTO patients (study_id, center_id, treatment, treatment_start, {}, \
         created_at, created_by, updated_at, updated_by) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    )
});

/// Insert a patient row that has been validated; returns its id.
pub(crate) fn insert_patient_row(
    conn: &Connection,
    record: &PatientRecord,
    center_id: i64,
    user: &str,
    now: &str,
) -> rusqlite::Result<i64> {
    let mut values = vec![
        Value::Text(record.study_id.clone()),
        Value::Integer(center_id),
        Value::Text(record.treatment.as_str().to_string()),
        Value::Text(record.treatment_start.to_string()),
    ];
    values.extend(baseline_values(&record.baseline));
    for text in [now, user, now, user] {
        values.push(Value::Text(text.to_string()));
    }
    conn.prepare_cached(&INSERT_PATIENT_SQL)?
        .execute(params_from_iter(values))?;
    Ok(conn.last_insert_rowid())
}

/// Insert a validated follow-up row; returns its id. An empty note is
/// stored as NULL.
pub(crate) fn insert_followup_row(
    conn: &Connection,
    patient_id: i64,
    followup: &FollowUp,
    user: &str,
    now: &str,
) -> rusqlite::Result<i64> {
    let note = followup.note.as_deref().filter(|n| !n.is_empty());
    conn.prepare_cached(
        "INSERT INTO followups (patient_id, contact_date, status, hsp90a_ng_ml, afp_ng_ml, note,
         entered_at, entered_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        patient_id,
        followup.contact_date,
        followup.status.as_str(),
        followup.hsp90a_ng_ml,
        followup.afp_ng_ml,
        note,
        now,
        user
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Store the patient's latest contact and its status on the patient row
/// (a death wins over another contact of the same day).
pub(crate) fn refresh_last_contact(conn: &Connection, patient_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE patients SET (last_contact_date, last_status) = (
             SELECT contact_date, status FROM followups WHERE patient_id = ?1
             ORDER BY contact_date DESC, status = 'dead' DESC, id DESC LIMIT 1)
         WHERE id = ?1",
    )?
    .execute([patient_id])?;
    Ok(())
}

fn reject_if_blocking(
    study_id: &str,
    errors: Vec<ValidationError>,
    confirmed: bool,
) -> Result<(), DbError> {
    if any_blocking(&errors, confirmed) {
        return Err(DbError::Invalid {
            study_id: study_id.to_string(),
            errors,
        });
    }
    Ok(())
}

/// Look up a patient who may still be changed.
fn active_patient(conn: &Connection, study_id: &str) -> Result<PatientState, DbError> {
    let state = patient_state(conn, study_id)?.ok_or_else(|| DbError::PatientNotFound {
        study_id: study_id.to_string(),
    })?;
    if state.withdrawn {
        return Err(DbError::Withdrawn {
            study_id: study_id.to_string(),
        });
    }
    Ok(state)
}

/// A changed treatment start must not pass a recorded contact.
fn check_start_against_contacts(
    record: &PatientRecord,
    contacts: &[FollowUp],
) -> Option<ValidationError> {
    let earliest = contacts.iter().map(|f| f.contact_date).min()?;
    (record.treatment_start > earliest).then(|| {
        ValidationError::new(
            "treatment_start",
            record.treatment_start.to_string(),
            Reason::StartAfterContact { contact: earliest },
        )
    })
}

static UPDATE_PATIENT_SQL: LazyLock<String> = LazyLock::new(|| {
    let assignments: Vec<String> = baseline_columns()
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ?{}", i + 4))
        .collect();
    format!(
        "UPDATE patients SET center_id = ?1, treatment = ?2, treatment_start = ?3, {}, \
         row_version = row_version + 1, updated_at = ?25, updated_by = ?26 \
         WHERE id = ?27 AND row_version = ?28",
        assignments.join(", ")
    )
});

impl Registry {
    /// Insert a new patient and return its row version (1).
    ///
    /// The record is checked with [`check_patient`]; values outside the
    /// usual range are stored only when `confirmed` is true.
    ///
    /// # Errors
    ///
    /// [`DbError::DuplicateStudyId`], [`DbError::Invalid`] listing every
    /// problem, or a SQLite error. Nothing is written on error.
    pub fn insert_patient(
        &mut self,
        record: &PatientRecord,
        confirmed: bool,
    ) -> Result<i64, DbError> {
        let user = self.user().to_string();
        let tx = self.write_transaction()?;
        if patient_state(&tx, &record.study_id)?.is_some() {
            return Err(DbError::DuplicateStudyId {
                study_id: record.study_id.clone(),
            });
        }
        reject_if_blocking(
            &record.study_id,
            check_patient(record, local_today()),
            confirmed,
        )?;
        let center = resolve_center(&tx, record)?;
        insert_patient_row(&tx, record, center, &user, &now_timestamp())?;
        record_audit(
            &tx,
            &user,
            action::INSERT_PATIENT,
            Some(&record.study_id),
            None::<&()>,
            Some(record),
        )?;
        tx.commit()?;
        tracing::info!(study_id = record.study_id, "patient inserted");
        Ok(1)
    }

    /// Replace a patient's centre, treatment, treatment start and baseline,
    /// provided the stored row version is still `read_version`, and return
    /// the new row version. The study id identifies the patient and cannot
    /// change.
    ///
    /// # Errors
    ///
    /// [`DbError::Conflict`] when someone else changed the patient since it
    /// was read (nothing is written); [`DbError::PatientNotFound`],
    /// [`DbError::Withdrawn`], [`DbError::Invalid`] (including a treatment
    /// start after a recorded contact), or a SQLite error.
    pub fn update_patient(
        &mut self,
        record: &PatientRecord,
        read_version: i64,
        confirmed: bool,
    ) -> Result<i64, DbError> {
        let user = self.user().to_string();
        let study_id = record.study_id.as_str();
        let tx = self.write_transaction()?;
        let state = active_patient(&tx, study_id)?;
        if state.row_version != read_version {
            return Err(DbError::Conflict {
                study_id: study_id.to_string(),
                read: read_version,
                current: state.row_version,
            });
        }

        let before = stored_patient(&tx, state.id)?;
        let mut errors = check_patient(record, local_today());
        errors.extend(check_start_against_contacts(
            record,
            &stored_followups(&tx, state.id)?,
        ));
        reject_if_blocking(study_id, errors, confirmed)?;

        let center = resolve_center(&tx, record)?;
        let mut values = vec![
            Value::Integer(center),
            Value::Text(record.treatment.as_str().to_string()),
            Value::Text(record.treatment_start.to_string()),
        ];
        values.extend(baseline_values(&record.baseline));
        values.push(Value::Text(now_timestamp()));
        values.push(Value::Text(user.clone()));
        values.push(Value::Integer(state.id));
        values.push(Value::Integer(read_version));
        tx.prepare_cached(&UPDATE_PATIENT_SQL)?
            .execute(params_from_iter(values))?;
        record_audit(
            &tx,
            &user,
            action::UPDATE_PATIENT,
            Some(study_id),
            Some(&before),
            Some(record),
        )?;
        tx.commit()?;
        tracing::info!(study_id, "patient updated");
        Ok(read_version + 1)
    }

    /// Mark a patient as having withdrawn consent. The rows stay for the
    /// audit trail; the patient leaves every model, export and analysis.
    ///
    /// # Errors
    ///
    /// [`DbError::PatientNotFound`], [`DbError::Withdrawn`] when already
    /// withdrawn, or a SQLite error.
    pub fn withdraw_patient(&mut self, study_id: &str) -> Result<(), DbError> {
        let user = self.user().to_string();
        let tx = self.write_transaction()?;
        let state = active_patient(&tx, study_id)?;
        let now = now_timestamp();
        tx.execute(
            "UPDATE patients SET withdrawn = 1, withdrawn_at = ?1, withdrawn_by = ?2,
             row_version = row_version + 1, updated_at = ?1, updated_by = ?2 WHERE id = ?3",
            params![now, user, state.id],
        )?;
        let before = json!({ "withdrawn": false });
        let after = json!({ "withdrawn": true });
        record_audit(
            &tx,
            &user,
            action::WITHDRAW_PATIENT,
            Some(study_id),
            Some(&before),
            Some(&after),
        )?;
        tx.commit()?;
        tracing::info!(study_id, "patient withdrawn");
        Ok(())
    }

    /// Add a follow-up contact and return its id.
    ///
    /// The contact is checked with [`check_followup`] against the
    /// patient's treatment start and stored contacts. A contact on the
    /// treatment start date, or a repeat value outside the usual range, is
    /// stored only when `confirmed` is true.
    ///
    /// # Errors
    ///
    /// [`DbError::PatientNotFound`], [`DbError::Withdrawn`],
    /// [`DbError::Invalid`], or a SQLite error. Nothing is written on error.
    pub fn add_followup(&mut self, followup: &FollowUp, confirmed: bool) -> Result<i64, DbError> {
        let user = self.user().to_string();
        let study_id = followup.study_id.as_str();
        let tx = self.write_transaction()?;
        let state = active_patient(&tx, study_id)?;
        let existing = stored_followups(&tx, state.id)?;
        let errors = check_followup(followup, state.treatment_start, &existing, local_today());
        reject_if_blocking(study_id, errors, confirmed)?;
        let id = insert_followup_row(&tx, state.id, followup, &user, &now_timestamp())?;
        refresh_last_contact(&tx, state.id)?;
        record_audit(
            &tx,
            &user,
            action::ADD_FOLLOWUP,
            Some(study_id),
            None::<&()>,
            Some(followup),
        )?;
        tx.commit()?;
        tracing::info!(study_id, "follow-up added");
        Ok(id)
    }
}
