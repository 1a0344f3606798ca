//! Online backup of a live registry through SQLite's backup API, which
//! copies a consistent snapshot while other connections keep writing.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::Backup;

use super::error::DbError;
use super::open::{Registry, create_private_file};

/// Pages copied per backup step; between steps other connections may
/// write, and SQLite restarts the copy if they do.
const PAGES_PER_STEP: i32 = 1024;

/// Pause between backup steps.
const STEP_PAUSE: Duration = Duration::from_millis(10);

impl Registry {
    /// Copy the registry to a new file `destination` (mode 0600) and check
    /// the copy with `PRAGMA quick_check`.
    ///
    /// # Errors
    ///
    /// [`DbError::AlreadyExists`] when `destination` exists (it is never
    /// overwritten); SQLite errors, after which the partial copy is removed.
    pub fn backup_to(&self, destination: &Path) -> Result<(), DbError> {
        create_private_file(destination)?;
        let result = self.copy_into(destination);
        if result.is_err() {
            let _ = std::fs::remove_file(destination);
        }
        result
    }

    fn copy_into(&self, destination: &Path) -> Result<(), DbError> {
        let mut target = Connection::open(destination)?;
        Backup::new(&self.conn, &mut target)?.run_to_completion(
            PAGES_PER_STEP,
            STEP_PAUSE,
            None,
        )?;
        let check: String = target.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
        if check != "ok" {
            return Err(DbError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(format!("backup copy failed its integrity check: {check}")),
            )));
        }
        tracing::info!(destination = %destination.display(), "backup written");
        Ok(())
    }
}
