//! Schema migrations: the `migrations/NNNN_name.sql` files embedded in the
//! binary, applied in file-name order, with the number applied recorded in
//! `PRAGMA user_version`.
//!
//! A file behind this binary is brought up to date in one transaction, so
//! a failed migration leaves it at its previous version. A file ahead of it
//! (written by a newer tace-registry) is rejected before anything is
//! written to it.

use std::path::Path;

use include_dir::{Dir, include_dir};
use rusqlite::{Connection, TransactionBehavior};

use super::error::DbError;

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// One embedded migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Schema version after this migration: its position in file-name
    /// order, from 1.
    pub version: i64,
    /// File name, such as `0001_registry.sql`.
    pub name: &'static str,
    /// The SQL statements, run as one batch.
    pub sql: &'static str,
}

/// Returns the embedded migrations in the order they are applied.
///
/// Files that are not `*.sql` or not UTF-8 are skipped; a unit test checks
/// that every file is numbered by its position.
pub fn migrations() -> Vec<Migration> {
    let mut files: Vec<_> = MIGRATIONS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .filter_map(|f| Some((f.path().file_name()?.to_str()?, f.contents_utf8()?)))
        .collect();
    files.sort_unstable_by_key(|(name, _)| *name);
    files
        .into_iter()
        .zip(1..)
        .map(|((name, sql), version)| Migration { version, name, sql })
        .collect()
}

/// The schema version this binary writes: the number of its migrations.
pub fn latest_version() -> i64 {
    migrations().len() as i64
}

/// The schema version recorded in the file.
///
/// # Errors
///
/// Any SQLite error, such as a file that is not a database.
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Check, without writing, that the file can be opened by this binary:
/// it is a registry (or an empty database) whose schema is not newer.
///
/// # Errors
///
/// [`DbError::NotARegistry`] for a file that is not SQLite or is an SQLite
/// file of another program; [`DbError::NewerSchema`] for a newer registry.
pub(crate) fn check_openable(conn: &Connection, path: &Path) -> Result<i64, DbError> {
    let not_a_registry = |_: rusqlite::Error| DbError::NotARegistry {
        path: path.to_path_buf(),
    };
    let version = schema_version(conn).map_err(not_a_registry)?;
    let supported = latest_version();
    if version > supported {
        return Err(DbError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported,
        });
    }
    if version == 0 {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(not_a_registry)?;
        if tables > 0 {
            return Err(DbError::NotARegistry {
                path: path.to_path_buf(),
            });
        }
    }
    Ok(version)
}

/// Apply the migrations the file lacks, all in one IMMEDIATE transaction,
/// and return the number applied.
///
/// The version is read again once the write lock is held, so that two
/// programs opening an old file at the same time migrate it once.
///
/// # Errors
///
/// [`DbError::Migration`] naming the failing file (nothing is applied);
/// [`DbError::NewerSchema`] when a newer program migrated the file
/// meanwhile.
pub(crate) fn apply(conn: &mut Connection, path: &Path) -> Result<usize, DbError> {
    let supported = latest_version();
    if schema_version(conn)? == supported {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = schema_version(&tx)?;
    if current > supported {
        return Err(DbError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            supported,
        });
    }
    let pending: Vec<Migration> = migrations()
        .into_iter()
        .filter(|m| m.version > current)
        .collect();
    for migration in &pending {
        tx.execute_batch(migration.sql)
            .map_err(|source| DbError::Migration {
                name: migration.name.to_string(),
                source,
            })?;
        tracing::info!(migration = migration.name, "applied migration");
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(pending.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_numbered_by_position() {
        let all = migrations();
        assert!(all.len() >= 2);
        for migration in &all {
            let prefix = format!("{:04}_", migration.version);
            assert!(
                migration.name.starts_with(&prefix),
                "{} should start with {prefix}",
                migration.name
            );
        }
    }

    #[test]
    fn in_memory_database_migrates_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        let path = Path::new(":memory:");
        assert_eq!(apply(&mut conn, path).unwrap(), migrations().len());
        assert_eq!(apply(&mut conn, path).unwrap(), 0);
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
    }
}
