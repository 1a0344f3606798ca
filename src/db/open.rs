//! [`Registry`]: one connection to a registry file, opened with the
//! pragmas every connection needs and migrated to this binary's schema, and
//! the operating-system user that its writes are attributed to.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::DbError;
use super::migrate;

/// How long a connection waits for another writer's lock before failing
/// with "database is locked". An import of 100,000 patients holds the lock
/// for several seconds, so this is generous.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Permissions of a new registry or backup file: read and write for the
/// owner only, because the file contains patient data.
pub const FILE_MODE: u32 = 0o600;

/// An open registry file.
///
/// The connection runs in WAL mode with foreign keys enforced and a busy
/// timeout of [`BUSY_TIMEOUT`]. Every write starts with `BEGIN IMMEDIATE`,
/// so that a second writer waits for the lock instead of failing.
#[derive(Debug)]
pub struct Registry {
    pub(crate) conn: Connection,
    path: PathBuf,
    user: String,
}

/// Create `path` empty with mode [`FILE_MODE`].
///
/// # Errors
///
/// [`DbError::AlreadyExists`] when the path exists, [`DbError::Io`] for
/// other failures.
pub(crate) fn create_private_file(path: &Path) -> Result<(), DbError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
        .map(drop)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => DbError::AlreadyExists {
                path: path.to_path_buf(),
            },
            _ => DbError::Io {
                action: "create",
                path: path.to_path_buf(),
                source,
            },
        })
}

impl Registry {
    /// Create a new registry file with mode 0600 and the current schema.
    ///
    /// # Errors
    ///
    /// [`DbError::AlreadyExists`] when `path` exists (it is never
    /// overwritten); I/O and SQLite errors, after which the new file is
    /// removed.
    pub fn create(path: &Path) -> Result<Self, DbError> {
        create_private_file(path)?;
        Self::open_existing(path).inspect_err(|_| {
            // The file is ours and unusable; leaving it would make a retry
            // fail with AlreadyExists.
            let _ = std::fs::remove_file(path);
        })
    }

    /// Open an existing registry file and bring its schema up to date.
    ///
    /// # Errors
    ///
    /// [`DbError::NotFound`] when the file does not exist;
    /// [`DbError::NotARegistry`] for a file of another kind;
    /// [`DbError::NewerSchema`] for a file written by a newer version, which
    /// is left byte-for-byte unchanged; [`DbError::Migration`] when a
    /// migration fails.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        if !path.is_file() {
            return Err(DbError::NotFound {
                path: path.to_path_buf(),
            });
        }
        // SQLite would turn an empty file into a new database with the file's
        // own permissions; a registry is only ever created by `create` (0600).
        let empty = std::fs::metadata(path)
            .map(|m| m.len() == 0)
            .unwrap_or(false);
        if empty {
            return Err(DbError::NotARegistry {
                path: path.to_path_buf(),
            });
        }
        Self::open_existing(path)
    }

    fn open_existing(path: &Path) -> Result<Self, DbError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Only reads happen before this check, so a rejected file keeps its bytes.
        migrate::check_openable(&conn, path)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "WAL journal mode not available");
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        let applied = migrate::apply(&mut conn, path)?;
        if applied > 0 {
            tracing::info!(path = %path.display(), applied, "registry migrated");
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            user: os_user(),
        })
    }

    /// Attribute this connection's writes to `user` in the audit log
    /// instead of the operating-system user.
    pub fn with_user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// Returns the user that writes are attributed to.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Returns the path of the registry file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the schema version of the file (the number of migrations
    /// applied).
    ///
    /// # Errors
    ///
    /// Any SQLite error.
    pub fn schema_version(&self) -> Result<i64, DbError> {
        Ok(migrate::schema_version(&self.conn)?)
    }

    /// Returns the underlying connection, for reads that this module does
    /// not offer.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Start a write transaction with `BEGIN IMMEDIATE`, waiting up to
    /// [`BUSY_TIMEOUT`] for another writer. Writers outside this module
    /// (model versions, for example) use it and record their change with
    /// [`super::record_audit`].
    ///
    /// # Errors
    ///
    /// A SQLite error, [`DbError::Busy`] when the wait times out.
    pub fn write_transaction(&mut self) -> Result<Transaction<'_>, DbError> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

/// Returns the operating-system user running this process: `$USER`, else
/// `$LOGNAME`, else the numeric user id.
pub fn os_user() -> String {
    ["USER", "LOGNAME"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata("/proc/self")
                .map(|m| format!("uid {}", m.uid()))
                .unwrap_or_else(|_| "unknown user".to_string())
        })
}

/// Returns the current time as stored in the registry: UTC RFC 3339 with
/// milliseconds.
pub fn now_timestamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Today's date on this machine's clock, the limit for "no date in the
/// future".
pub fn local_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}
