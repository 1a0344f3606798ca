//! Two writers at once, as two coordinators on one file: separate
//! connections in threads, and separate processes running `import`.
//! Different patients both land, the same patient gives one success and one
//! conflict, and no writer ever gets "database is locked".

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use tace_registry::db::{DbError, Registry};

use crate::common::{record, stderr};

/// Texts of a lock failure: SQLite's own, and the registry's busy-timeout
/// message that replaces it.
const LOCKED: [&str; 2] = ["database is locked", "busy timeout"];

fn mentions_lock(text: &str) -> bool {
    LOCKED.iter().any(|needle| text.contains(needle))
}

fn new_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite");
    Registry::create(&path).unwrap();
    (dir, path)
}

fn open(path: &Path, user: &str) -> Registry {
    Registry::open(path).unwrap().with_user(user)
}

#[test]
fn different_patients_from_two_connections_both_land() {
    let (_dir, path) = new_file();
    let barrier = Arc::new(Barrier::new(2));
    let writers: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|user| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let mut registry = open(&path, user);
                barrier.wait();
                for i in 0..50 {
                    registry
                        .insert_patient(&record(&format!("{user}-{i:03}")), false)
                        .unwrap_or_else(|e| panic!("{user} insert {i}: {e}"));
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let registry = open(&path, "check");
    assert_eq!(registry.summary().unwrap().tace, 100);
    let log = registry.audit_log(None).unwrap();
    assert_eq!(log.iter().filter(|e| e.user == "alice").count(), 50);
    assert_eq!(log.iter().filter(|e| e.user == "bob").count(), 50);
}

#[test]
fn same_patient_gives_one_success_and_one_conflict() {
    for round in 0..5 {
        let (_dir, path) = new_file();
        let mut setup = open(&path, "setup");
        setup.insert_patient(&record("SAME"), false).unwrap();
        let version = setup.patient("SAME").unwrap().unwrap().row_version;
        drop(setup);

        let barrier = Arc::new(Barrier::new(2));
        let writers: Vec<_> = [(150.0, "alice"), (250.0, "bob")]
            .into_iter()
            .map(|(hsp90a, user)| {
                let path = path.clone();
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    let mut registry = open(&path, user);
                    let mut changed = registry.patient("SAME").unwrap().unwrap().record;
                    changed.baseline.hsp90a_ng_ml = Some(hsp90a);
                    barrier.wait();
                    (hsp90a, registry.update_patient(&changed, version, false))
                })
            })
            .collect();
        let results: Vec<(f64, Result<i64, DbError>)> =
            writers.into_iter().map(|w| w.join().unwrap()).collect();
        let winners: Vec<f64> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(v, _)| *v)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        for (_, result) in &results {
            if let Err(error) = result {
                assert!(
                    matches!(error, DbError::Conflict { .. }),
                    "round {round}: {error}"
                );
                assert!(!mentions_lock(&error.to_string()));
            }
        }
        let stored = open(&path, "check").patient("SAME").unwrap().unwrap();
        assert_eq!(stored.record.baseline.hsp90a_ng_ml, Some(winners[0]));
        assert_eq!(stored.row_version, version + 1);
    }
}

#[test]
fn writer_waits_for_a_long_transaction() {
    let (_dir, path) = new_file();
    let holder_path = path.clone();
    let started = Arc::new(Barrier::new(2));
    let holder_started = Arc::clone(&started);
    let holder = thread::spawn(move || {
        let mut registry = open(&holder_path, "holder");
        let tx = registry.write_transaction().unwrap();
        holder_started.wait();
        thread::sleep(Duration::from_millis(1500));
        tx.commit().unwrap();
    });
    started.wait();
    let mut waiter = open(&path, "waiter");
    let begin = Instant::now();
    waiter.insert_patient(&record("LATE"), false).unwrap();
    let waited = begin.elapsed();
    holder.join().unwrap();
    assert!(
        waited >= Duration::from_millis(1000),
        "did not wait: {waited:?}"
    );
    assert!(waiter.patient("LATE").unwrap().is_some());
}

fn patients_file(dir: &Path, name: &str, prefix: &str, count: usize) -> PathBuf {
    let path = dir.join(name);
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer
        .write_record(tace_registry::domain::csv::PATIENT_COLUMNS)
        .unwrap();
    for i in 0..count {
        let patient = record(&format!("{prefix}{i:04}"));
        writer
            .write_record(tace_registry::domain::csv::patient_cells(&patient))
            .unwrap();
    }
    writer.flush().unwrap();
    path
}

#[test]
fn two_import_processes_both_land() {
    let (dir, path) = new_file();
    let first = patients_file(dir.path(), "a.csv", "A", 2000);
    let second = patients_file(dir.path(), "b.csv", "B", 2000);
    let spawn = |file: &Path| {
        crate::common::binary()
            .arg("--db")
            .arg(&path)
            .args(["import", "--patients"])
            .arg(file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [spawn(&first), spawn(&second)];
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(!mentions_lock(&stderr(&output)));
    }
    let registry = open(&path, "check");
    assert_eq!(registry.summary().unwrap().tace, 4000);
}

#[test]
fn same_patients_from_two_processes_land_once() {
    let (dir, path) = new_file();
    let file = patients_file(dir.path(), "same.csv", "S", 500);
    let children: Vec<_> = (0..2)
        .map(|_| {
            crate::common::binary()
                .arg("--db")
                .arg(&path)
                .args(["import", "--patients"])
                .arg(&file)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let successes = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(successes, 1);
    let failed = outputs.iter().find(|o| !o.status.success()).unwrap();
    assert!(
        stderr(failed).contains("is already in the registry"),
        "{}",
        stderr(failed)
    );
    assert!(!mentions_lock(&stderr(failed)));
    let registry = open(&path, "check");
    assert_eq!(registry.summary().unwrap().tace, 500);
}
