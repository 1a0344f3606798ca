//! [`DbError`], the error of every registry operation: opening and
//! migrating the file, writes that break a rule or lose a race, and SQLite
//! failures.

use std::path::PathBuf;

use thiserror::Error;

use crate::domain::validate::ValidationError;

/// Error of a registry operation. Every message names the value at fault
/// and what to do next.
#[derive(Debug, Error)]
pub enum DbError {
    #[error(
        "registry file {} does not exist, so create it with `tace-registry init --db {}`",
        path.display(),
        path.display()
    )]
    NotFound { path: PathBuf },

    #[error("{} already exists, so choose another file name or move that file away", path.display())]
    AlreadyExists { path: PathBuf },

    #[error(
        "{} is not a tace-registry file (it is not SQLite, or it holds other tables), \
         so check the path",
        path.display()
    )]
    NotARegistry { path: PathBuf },

    #[error(
        "registry file {} has schema version {found}, newer than version {supported} that this \
         program knows, so open it with a newer tace-registry (the file was left unchanged)",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("migration {name} failed ({source}), so the registry was left at its previous version")]
    Migration {
        name: String,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "patient {study_id} was changed by someone else since it was read (version {read} read, \
         version {current} stored), so reload the patient and enter the change again"
    )]
    Conflict {
        study_id: String,
        read: i64,
        current: i64,
    },

    #[error("patient {study_id} is not in the registry, so check the study id")]
    PatientNotFound { study_id: String },

    #[error(
        "study id {study_id} is already in the registry, so choose another study id or edit \
         that patient"
    )]
    DuplicateStudyId { study_id: String },

    #[error("patient {study_id} withdrew consent, so their data can no longer be changed")]
    Withdrawn { study_id: String },

    #[error("patient {study_id} has invalid values: {}", join_errors(errors))]
    Invalid {
        study_id: String,
        errors: Vec<ValidationError>,
    },

    #[error(
        "the import rejected {rejected} row(s), so it cannot be committed as all or nothing; \
         fix the rows or import in partial mode"
    )]
    ImportHasRejects { rejected: usize },

    #[error(
        "another program kept the registry locked for longer than the {seconds}-second busy \
         timeout, so nothing was written; try again when the other import or refit has \
         finished"
    )]
    Busy { seconds: u64 },

    #[error("SQLite error: {0}")]
    Sqlite(rusqlite::Error),

    #[error("failed to encode or decode an audit value as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn join_errors(errors: &[ValidationError]) -> String {
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    messages.join(" ")
}

impl From<rusqlite::Error> for DbError {
    /// Name a busy or locked database as such: SQLite's own text repeats
    /// "database is locked" and gives no way forward.
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                DbError::Busy {
                    seconds: super::BUSY_TIMEOUT.as_secs(),
                }
            }
            _ => DbError::Sqlite(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_database_gets_its_own_message() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        let error = DbError::from(busy);
        assert!(matches!(error, DbError::Busy { .. }), "{error}");
        assert!(error.to_string().contains("try again"), "{error}");

        let other = rusqlite::Error::QueryReturnedNoRows;
        assert!(matches!(DbError::from(other), DbError::Sqlite(_)));
    }
}
