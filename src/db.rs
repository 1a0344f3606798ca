//! The registry file: opening it with the right pragmas, applying
//! `migrations/*.sql`, writes under optimistic locking with an audit trail,
//! bulk import, the reads the interface and the pipelines need, and online
//! backups.
//!
//! One [`Registry`] wraps one SQLite connection (WAL journal, foreign keys
//! on, a busy timeout). Several processes may have a registry open at once.
//! Every write is a `BEGIN IMMEDIATE` transaction, so concurrent writers
//! queue instead of failing. An edit carries the row version it read, so a
//! concurrent change is reported as [`DbError::Conflict`] and never
//! overwritten.
//!
//! Writes: [`Registry::insert_patient`], [`Registry::update_patient`] (with
//! the row version read), [`Registry::withdraw_patient`],
//! [`Registry::add_followup`] and the bulk [`Registry::import`]; each one
//! appends to the audit log, read back with [`Registry::audit_log`]. Other
//! modules that write (model versions) take [`Registry::write_transaction`]
//! and call [`record_audit`].
//!
//! Reads:
//!
//! - [`Registry::patients_page`]: one page of patient summaries, filtered by
//!   study id or centre and sorted by an indexed column, so that the
//!   interface reads only the visible rows of 100,000 patients;
//! - [`Registry::patient`]: one patient with its follow-ups and row version;
//! - [`Registry::analysis_rows`]: baseline and overall survival (months,
//!   event) as of a cut-off date for every patient still in the study, the
//!   input of the model pipelines; [`Registry::analysis_patients`] gives the
//!   same patients with their raw follow-ups;
//! - [`Registry::worklist`]: patients not known to have died whose last
//!   contact is older than a number of days, oldest first;
//! - [`Registry::centers`] and [`Registry::summary`]: counts.

mod audit;
mod backup;
mod columns;
mod error;
mod import;
mod migrate;
mod open;
mod read;
mod write;

pub use audit::{AuditEntry, action, record_audit};
pub use error::DbError;
pub use import::{ImportMode, ImportOptions, ImportReport, PendingImport, RowProblem};
pub use migrate::{Migration, latest_version, migrations, schema_version};
pub use open::{BUSY_TIMEOUT, FILE_MODE, Registry, local_today, now_timestamp, os_user};
pub use read::{
    AnalysisPatient, AnalysisRow, Center, Page, PageRequest, PatientSummary, SortColumn,
    StoredFollowUp, StoredPatient, Summary, Worklist, WorklistEntry,
};
