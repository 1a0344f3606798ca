//! The registry file: opening it with the right pragmas, applying
//! `migrations/*.sql`, writes under optimistic locking with an audit trail,
//! bulk import, the reads the interface and the pipelines need, and online
//! backups.
//!
//! One [`Registry`] wraps one SQLite connection (WAL journal, foreign keys
//! on, a busy timeout). Several processes may hold a registry open at once:
//! every write is a `BEGIN IMMEDIATE` transaction, so concurrent writers
//! queue instead of failing, and an edit carries the row version it read so
//! that a concurrent change is reported as [`DbError::Conflict`] and never
//! overwritten.

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
    AnalysisPatient, Center, Page, PageRequest, PatientSummary, SortColumn, StoredFollowUp,
    StoredPatient, Summary,
};
