//! Bulk import of patients and follow-ups read by [`crate::domain::csv`].
//!
//! An import first checks every row: its own values, duplicates within the
//! file and against the registry, centre flags, and each follow-up against
//! its patient's treatment start and other contacts. It then writes the
//! accepted rows with prepared statements in one `BEGIN IMMEDIATE`
//! transaction.
//! [`ImportMode::AllOrNothing`] writes nothing when any row is rejected;
//! [`ImportMode::Partial`] writes the accepted rows and reports the others.
//! Either way a failure part-way leaves the registry as it was.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use rusqlite::{Connection, Transaction};
use serde::Serialize;

use super::audit::{action, record_audit};
use super::error::DbError;
use super::open::{Registry, now_timestamp};
use super::write::{
    insert_center, insert_followup_row, insert_patient_row, patient_state, refresh_last_contact,
    stored_center, stored_followups,
};
use crate::domain::csv::{FollowUpRow, PatientRow};
use crate::domain::validate::{
    Reason, ValidationError, any_blocking, check_followup, check_patient,
};
use crate::domain::{FollowUp, PatientRecord};

/// Whether a file with rejected rows is imported in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Write nothing when any row is rejected.
    #[default]
    AllOrNothing,
    /// Write the accepted rows; a follow-up of a rejected patient is
    /// rejected too.
    Partial,
}

/// How to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// Import values outside the usual range (and contacts on the treatment
    /// start date) instead of rejecting them.
    pub accept_soft: bool,
    /// The limit for "no date in the future".
    pub today: NaiveDate,
    /// Source of the rows (file names), for the audit log.
    pub source: String,
}

/// A row that was rejected, or imported with unusual values confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// Line in the source file.
    pub line: u64,
    /// The study id cell as given (may be empty).
    pub study_id: String,
    pub errors: Vec<ValidationError>,
}

impl RowProblem {
    /// Returns every problem of the row in one line of text, as written to
    /// the `reason` column of a rejects file.
    pub fn reason(&self) -> String {
        let messages: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        messages.join(" ")
    }

    /// Returns whether every problem is an unusual value that could be
    /// confirmed.
    pub fn only_needs_confirmation(&self) -> bool {
        self.errors.iter().all(ValidationError::needs_confirmation)
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.study_id.is_empty() {
            write!(f, "line {}: {}", self.line, self.reason())
        } else {
            write!(
                f,
                "line {} ({}): {}",
                self.line,
                self.study_id,
                self.reason()
            )
        }
    }
}

/// Outcome of an import: rows written, rows rejected, and rows accepted
/// with unusual values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    pub patients_imported: usize,
    pub followups_imported: usize,
    pub rejected_patients: Vec<RowProblem>,
    pub rejected_followups: Vec<RowProblem>,
    /// Rows imported with unusual values because the import accepted them.
    pub confirmed_patients: Vec<RowProblem>,
    pub confirmed_followups: Vec<RowProblem>,
    /// Whether the rows were written.
    pub committed: bool,
}

impl ImportReport {
    /// Number of rejected rows of both files.
    pub fn rejected(&self) -> usize {
        self.rejected_patients.len() + self.rejected_followups.len()
    }
}

/// An import checked and written inside a transaction that is not yet
/// committed. Dropping it rolls everything back.
#[derive(Debug)]
pub struct PendingImport<'r> {
    tx: Transaction<'r>,
    report: ImportReport,
    mode: ImportMode,
}

impl PendingImport<'_> {
    /// Returns what the import will write and what it rejected.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// Commit the import.
    ///
    /// # Errors
    ///
    /// [`DbError::ImportHasRejects`] for an all-or-nothing import with
    /// rejected rows (the transaction is rolled back), or a SQLite error.
    pub fn commit(mut self) -> Result<ImportReport, DbError> {
        let rejected = self.report.rejected();
        if self.mode == ImportMode::AllOrNothing && rejected > 0 {
            return Err(DbError::ImportHasRejects { rejected });
        }
        self.tx.commit()?;
        self.report.committed = true;
        tracing::info!(
            patients = self.report.patients_imported,
            followups = self.report.followups_imported,
            rejected,
            "import committed"
        );
        Ok(self.report)
    }
}

/// The patient a follow-up row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A row of the patients file, `start` when readable.
    File {
        row: usize,
        start: Option<NaiveDate>,
        accepted: bool,
    },
    /// A patient already in the registry.
    Stored {
        id: i64,
        start: NaiveDate,
        withdrawn: bool,
    },
    Unknown,
}

/// The follow-up rows of one study id and which of them are accepted.
struct FollowUpGroup {
    study_id: String,
    target: Target,
    accepted: Vec<usize>,
}

impl Registry {
    /// Check the rows, write the accepted ones inside a transaction and
    /// return it uncommitted with its report. In all-or-nothing mode with
    /// any rejected row, nothing is written.
    ///
    /// # Errors
    ///
    /// A SQLite error; rows that break a rule are reported, not errors.
    pub fn prepare_import(
        &mut self,
        mut patients: Vec<PatientRow>,
        mut followups: Vec<FollowUpRow>,
        options: &ImportOptions,
    ) -> Result<PendingImport<'_>, DbError> {
        let user = self.user().to_string();
        let tx = self.write_transaction()?;
        mark_duplicates_in_file(&mut patients);
        mark_already_stored(&tx, &mut patients)?;
        resolve_center_flags(&tx, &mut patients)?;
        for row in &mut patients {
            if let Some(record) = &row.record {
                row.errors.extend(check_patient(record, options.today));
            }
        }
        let accepted: Vec<bool> = patients
            .iter()
            .map(|row| row.record.is_some() && !any_blocking(&row.errors, options.accept_soft))
            .collect();
        let groups = plan_followups(&tx, &patients, &accepted, &mut followups, options)?;
        let mut report = build_report(&patients, &accepted, &followups, &groups, options);
        if options.mode == ImportMode::Partial || report.rejected() == 0 {
            let writer = RowWriter {
                conn: &tx,
                user: &user,
                now: now_timestamp(),
            };
            writer.write(&patients, &accepted, &followups, &groups, &mut report)?;
            writer.audit_summary(&report, &options.source)?;
        }
        Ok(PendingImport {
            tx,
            report,
            mode: options.mode,
        })
    }

    /// Import rows and commit when the mode allows it: always in partial
    /// mode, only without rejected rows in all-or-nothing mode. The
    /// report's `committed` field tells which happened.
    ///
    /// # Errors
    ///
    /// A SQLite error, after which nothing is written.
    pub fn import(
        &mut self,
        patients: Vec<PatientRow>,
        followups: Vec<FollowUpRow>,
        options: &ImportOptions,
    ) -> Result<ImportReport, DbError> {
        let pending = self.prepare_import(patients, followups, options)?;
        if options.mode == ImportMode::AllOrNothing && pending.report().rejected() > 0 {
            return Ok(pending.report().clone());
        }
        pending.commit()
    }
}

/// Reject every row of a study id used more than once in the file,
/// because the file does not tell which one is right.
fn mark_duplicates_in_file(patients: &mut [PatientRow]) {
    let mut lines: HashMap<String, Vec<u64>> = HashMap::new();
    for row in patients.iter().filter(|r| !r.study_id.is_empty()) {
        lines
            .entry(row.study_id.clone())
            .or_default()
            .push(row.line);
    }
    for row in patients.iter_mut() {
        let Some(all) = lines.get(&row.study_id).filter(|all| all.len() > 1) else {
            continue;
        };
        let other_lines = all.iter().copied().filter(|l| *l != row.line).collect();
        let reason = Reason::DuplicateInFile { other_lines };
        row.errors.push(ValidationError::new(
            "study_id",
            row.study_id.clone(),
            reason,
        ));
    }
}

fn mark_already_stored(conn: &Connection, patients: &mut [PatientRow]) -> rusqlite::Result<()> {
    for row in patients.iter_mut().filter(|r| r.record.is_some()) {
        if patient_state(conn, &row.study_id)?.is_some() {
            let error =
                ValidationError::new("study_id", row.study_id.clone(), Reason::AlreadyInRegistry);
            row.errors.push(error);
        }
    }
    Ok(())
}

/// Give every record its centre's external-validation flag: the stored
/// one for a known centre, else the first one given in the file, else no.
/// A row that gives the other flag is rejected.
fn resolve_center_flags(conn: &Connection, patients: &mut [PatientRow]) -> rusqlite::Result<()> {
    let mut decided: HashMap<String, bool> = HashMap::new();
    for row in patients.iter() {
        let Some(record) = &row.record else { continue };
        if decided.contains_key(&record.center) {
            continue;
        }
        let stored = stored_center(conn, &record.center)?.map(|(_, flag)| flag);
        let first_given = patients
            .iter()
            .filter(|r| r.record.as_ref().is_some_and(|o| o.center == record.center))
            .find_map(|r| r.center_external);
        let flag = stored.or(first_given).unwrap_or(false);
        decided.insert(record.center.clone(), flag);
    }
    for row in patients.iter_mut() {
        let Some(record) = &mut row.record else {
            continue;
        };
        let flag = decided.get(&record.center).copied().unwrap_or(false);
        record.center_external = flag;
        if row.center_external.is_some_and(|given| given != flag) {
            let reason = Reason::CenterFlagConflict {
                center: record.center.clone(),
                stored: flag,
            };
            let value = crate::domain::patient::yes_no(!flag);
            row.errors
                .push(ValidationError::new("center_external", value, reason));
        }
    }
    Ok(())
}

/// Check every follow-up row against its patient and the contacts before
/// it, and group the rows by study id.
fn plan_followups(
    conn: &Connection,
    patients: &[PatientRow],
    accepted_patients: &[bool],
    followups: &mut [FollowUpRow],
    options: &ImportOptions,
) -> rusqlite::Result<Vec<FollowUpGroup>> {
    let file_rows: HashMap<&str, usize> = patients
        .iter()
        .enumerate()
        .map(|(i, row)| (row.study_id.as_str(), i))
        .collect();
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    for (i, row) in followups.iter().enumerate() {
        if !by_id.contains_key(&row.study_id) {
            order.push(row.study_id.clone());
        }
        by_id.entry(row.study_id.clone()).or_default().push(i);
    }
    let mut groups = Vec::with_capacity(order.len());
    for study_id in order {
        let target = match file_rows.get(study_id.as_str()) {
            Some(&row) => Target::File {
                row,
                start: patients[row].record.as_ref().map(|r| r.treatment_start),
                accepted: accepted_patients[row],
            },
            None => match patient_state(conn, &study_id)? {
                Some(state) => Target::Stored {
                    id: state.id,
                    start: state.treatment_start,
                    withdrawn: state.withdrawn,
                },
                None => Target::Unknown,
            },
        };
        let stored = match target {
            Target::Stored { id, .. } => stored_followups(conn, id)?,
            _ => Vec::new(),
        };
        let rows = by_id.remove(&study_id).unwrap_or_default();
        let accepted = check_group(followups, rows, target, stored, options);
        groups.push(FollowUpGroup {
            study_id,
            target,
            accepted,
        });
    }
    Ok(groups)
}

/// Check one patient's follow-up rows in date order, each against the
/// stored contacts and the rows accepted before it, and return the
/// accepted row indexes.
fn check_group(
    followups: &mut [FollowUpRow],
    mut rows: Vec<usize>,
    target: Target,
    mut sequence: Vec<FollowUp>,
    options: &ImportOptions,
) -> Vec<usize> {
    rows.sort_by_key(|&i| {
        (
            followups[i].followup.as_ref().map(|f| f.contact_date),
            followups[i].line,
        )
    });
    let patient_ok = match target {
        Target::File { accepted, .. } => accepted,
        Target::Stored { withdrawn, .. } => !withdrawn,
        Target::Unknown => false,
    };
    let mut accepted = Vec::new();
    for i in rows {
        let row = &mut followups[i];
        let Some(followup) = &row.followup else {
            continue;
        };
        let field = |reason| ValidationError::new("study_id", followup.study_id.clone(), reason);
        match target {
            Target::Unknown => row.errors.push(field(Reason::UnknownPatient)),
            Target::Stored {
                withdrawn: true, ..
            } => row.errors.push(field(Reason::PatientWithdrawn)),
            Target::Stored { start, .. }
            | Target::File {
                start: Some(start), ..
            } => {
                row.errors
                    .extend(check_followup(followup, start, &sequence, options.today));
            }
            Target::File { start: None, .. } => {}
        }
        if any_blocking(&row.errors, options.accept_soft) {
            continue;
        }
        sequence.push(followup.clone());
        if patient_ok {
            accepted.push(i);
        } else if options.mode == ImportMode::Partial {
            row.errors.push(field(Reason::PatientRejected));
        }
    }
    accepted
}

fn problem(line: u64, study_id: &str, errors: &[ValidationError]) -> RowProblem {
    RowProblem {
        line,
        study_id: study_id.to_string(),
        errors: errors.to_vec(),
    }
}

fn build_report(
    patients: &[PatientRow],
    accepted: &[bool],
    followups: &[FollowUpRow],
    groups: &[FollowUpGroup],
    options: &ImportOptions,
) -> ImportReport {
    let mut report = ImportReport::default();
    for (row, &ok) in patients.iter().zip(accepted) {
        let entry = problem(row.line, &row.study_id, &row.errors);
        match (ok, row.errors.is_empty()) {
            (false, _) => report.rejected_patients.push(entry),
            (true, false) => report.confirmed_patients.push(entry),
            (true, true) => {}
        }
    }
    let mut accepted_followups = vec![false; followups.len()];
    for group in groups {
        for &i in &group.accepted {
            accepted_followups[i] = true;
        }
    }
    for (row, ok) in followups.iter().zip(accepted_followups) {
        let entry = problem(row.line, &row.study_id, &row.errors);
        if ok && !row.errors.is_empty() {
            report.confirmed_followups.push(entry);
        } else if !ok && (row.followup.is_none() || any_blocking(&row.errors, options.accept_soft))
        {
            report.rejected_followups.push(entry);
        }
    }
    report.rejected_followups.sort_by_key(|p| p.line);
    report.confirmed_followups.sort_by_key(|p| p.line);
    report
}

/// One patient's rows written by an import, as recorded in the audit log.
#[derive(Serialize)]
struct ImportedPatient<'a> {
    patient: Option<&'a PatientRecord>,
    followups: Vec<&'a FollowUp>,
}

/// Writes accepted rows and their audit entries inside the import's
/// transaction.
struct RowWriter<'c> {
    conn: &'c Connection,
    user: &'c str,
    now: String,
}

impl RowWriter<'_> {
    fn write(
        &self,
        patients: &[PatientRow],
        accepted: &[bool],
        followups: &[FollowUpRow],
        groups: &[FollowUpGroup],
        report: &mut ImportReport,
    ) -> Result<(), DbError> {
        let mut centers: HashMap<String, i64> = HashMap::new();
        let mut patient_ids: HashMap<usize, i64> = HashMap::new();
        for (i, row) in patients.iter().enumerate().filter(|(i, _)| accepted[*i]) {
            let Some(record) = &row.record else { continue };
            let center = match centers.get(&record.center) {
                Some(&id) => id,
                None => {
                    let id = match stored_center(self.conn, &record.center)? {
                        Some((id, _)) => id,
                        None => insert_center(self.conn, &record.center, record.center_external)?,
                    };
                    centers.insert(record.center.clone(), id);
                    id
                }
            };
            let id = insert_patient_row(self.conn, record, center, self.user, &self.now)?;
            patient_ids.insert(i, id);
            report.patients_imported += 1;
        }
        let mut with_followups = vec![false; patients.len()];
        for group in groups {
            let (patient_id, record) = match group.target {
                Target::File { row, .. } => (
                    patient_ids.get(&row).copied(),
                    patients[row].record.as_ref(),
                ),
                Target::Stored { id, .. } => (Some(id), None),
                Target::Unknown => (None, None),
            };
            let Some(patient_id) = patient_id else {
                continue;
            };
            if let Target::File { row, .. } = group.target {
                with_followups[row] = true;
            }
            let written = self.write_group(patient_id, group, followups)?;
            report.followups_imported += written.len();
            self.audit_patient(&group.study_id, record, written)?;
        }
        for (i, row) in patients.iter().enumerate() {
            if patient_ids.contains_key(&i) && !with_followups[i] {
                self.audit_patient(&row.study_id, row.record.as_ref(), Vec::new())?;
            }
        }
        Ok(())
    }

    fn write_group<'f>(
        &self,
        patient_id: i64,
        group: &FollowUpGroup,
        followups: &'f [FollowUpRow],
    ) -> Result<Vec<&'f FollowUp>, DbError> {
        let mut written = Vec::with_capacity(group.accepted.len());
        for &i in &group.accepted {
            if let Some(followup) = &followups[i].followup {
                insert_followup_row(self.conn, patient_id, followup, self.user, &self.now)?;
                written.push(followup);
            }
        }
        if !written.is_empty() {
            refresh_last_contact(self.conn, patient_id)?;
        }
        Ok(written)
    }

    fn audit_patient(
        &self,
        study_id: &str,
        patient: Option<&PatientRecord>,
        followups: Vec<&FollowUp>,
    ) -> Result<(), DbError> {
        if patient.is_none() && followups.is_empty() {
            return Ok(());
        }
        let after = ImportedPatient { patient, followups };
        record_audit(
            self.conn,
            self.user,
            action::IMPORT_PATIENT,
            Some(study_id),
            None::<&()>,
            Some(&after),
        )
    }

    fn audit_summary(&self, report: &ImportReport, source: &str) -> Result<(), DbError> {
        let after = serde_json::json!({
            "source": source,
            "patients_imported": report.patients_imported,
            "followups_imported": report.followups_imported,
            "patients_rejected": report.rejected_patients.len(),
            "followups_rejected": report.rejected_followups.len(),
        });
        record_audit(
            self.conn,
            self.user,
            action::IMPORT,
            None,
            None::<&()>,
            Some(&after),
        )
    }
}
