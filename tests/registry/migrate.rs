//! Opening registry files: a new file, an older schema, a newer schema,
//! files that are not registries, permissions and pragmas.

use std::os::unix::fs::PermissionsExt;

use rusqlite::Connection;
use tace_registry::db::{DbError, FILE_MODE, Registry, latest_version, migrations};

use crate::common::{new_registry, record};

fn table_names(conn: &Connection) -> Vec<String> {
    let mut statement = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn new_file_gets_every_migration() {
    let (_dir, _path, registry) = new_registry();
    assert_eq!(registry.schema_version().unwrap(), latest_version());
    assert_eq!(latest_version(), migrations().len() as i64);
    let tables = table_names(registry.connection());
    for table in ["audit_log", "centers", "followups", "patients"] {
        assert!(
            tables.contains(&table.to_string()),
            "missing table {table}: {tables:?}"
        );
    }
}

#[test]
fn new_file_is_private() {
    let (_dir, path, _registry) = new_registry();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, FILE_MODE);
    assert_eq!(mode, 0o600);
}

#[test]
fn pragmas_are_set() {
    let (_dir, _path, registry) = new_registry();
    let conn = registry.connection();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let foreign_keys: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    let busy_ms: i64 = conn
        .pragma_query_value(None, "busy_timeout", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    assert_eq!(foreign_keys, 1);
    assert!(busy_ms >= 5000, "busy timeout {busy_ms} ms");
}

#[test]
fn create_never_overwrites() {
    let (_dir, path, mut registry) = new_registry();
    registry.insert_patient(&record("KEEP1"), false).unwrap();
    drop(registry);
    let before = std::fs::read(&path).unwrap();
    let error = Registry::create(&path).unwrap_err();
    assert!(matches!(error, DbError::AlreadyExists { .. }), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn missing_file_is_not_created_by_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.sqlite");
    let error = Registry::open(&path).unwrap_err();
    assert!(matches!(error, DbError::NotFound { .. }), "{error}");
    assert!(error.to_string().contains("tace-registry init"), "{error}");
    assert!(!path.exists());
}

#[test]
fn older_file_is_migrated_keeping_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let first = migrations()[0];
    {
        // A file as the first release wrote it: migration 1 only, one patient.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(first.sql).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute("INSERT INTO centers (code, name) VALUES ('OLD', 'OLD')", [])
            .unwrap();
        conn.execute(
            "INSERT INTO patients (study_id, center_id, treatment, treatment_start,
             created_at, created_by, updated_at, updated_by)
             VALUES ('OLD1', 1, 'none', '2017-05-01', 't', 'u', 't', 'u')",
            [],
        )
        .unwrap();
    }
    let registry = Registry::open(&path).unwrap();
    assert_eq!(registry.schema_version().unwrap(), latest_version());
    assert!(table_names(registry.connection()).contains(&"audit_log".to_string()));
    let old = registry.patient("OLD1").unwrap().expect("patient kept");
    assert_eq!(old.record.center, "OLD");
    assert_eq!(old.row_version, 1);
}

#[test]
fn failed_migration_leaves_file_at_old_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clash.sqlite");
    {
        // Migration 2 creates audit_log; a table of that name already there
        // makes it fail part-way.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(migrations()[0].sql).unwrap();
        conn.execute_batch("CREATE TABLE audit_log (x INTEGER)")
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let error = Registry::open(&path).unwrap_err();
    assert!(matches!(error, DbError::Migration { .. }), "{error}");
    assert!(error.to_string().contains(migrations()[1].name), "{error}");
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn newer_file_is_refused_and_untouched() {
    let (dir, path, mut registry) = new_registry();
    registry.insert_patient(&record("NEW1"), false).unwrap();
    drop(registry);
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Registry::open(&path).unwrap_err();
    match &error {
        DbError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, latest_version() + 1);
            assert_eq!(*supported, latest_version());
        }
        other => panic!("expected NewerSchema, got {other}"),
    }
    assert!(error.to_string().contains("newer tace-registry"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "file bytes changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("-wal") || name.ends_with("-shm"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn foreign_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (text TEXT)")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Registry::open(&path).unwrap_err();
    assert!(matches!(error, DbError::NotARegistry { .. }), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn text_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("patients.csv");
    std::fs::write(&path, "study_id,center\nP1,C1\n".repeat(100)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let error = Registry::open(&path).unwrap_err();
    assert!(matches!(error, DbError::NotARegistry { .. }), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite");
    std::fs::write(&path, "").unwrap();
    let error = Registry::open(&path).unwrap_err();
    assert!(matches!(error, DbError::NotARegistry { .. }), "{error}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}
