//! `refit` and `predict` as cron and coordinators run them: the built binary
//! on registries generated for each test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_tace-registry");

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn generated(dir: &Path, patients: &str, seed: &str) -> PathBuf {
    let db = dir.join("registry.sqlite");
    let out = run(&db, &["generate", "--patients", patients, "--seed", seed]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn refit_json(db: &Path, extra: &[&str]) -> Value {
    refit_as_of(db, "2022-06-30", extra)
}

fn refit_as_of(db: &Path, as_of: &str, extra: &[&str]) -> Value {
    let mut args = vec!["refit", "--json", "--as-of", as_of, "--trees", "100"];
    args.extend_from_slice(extra);
    let out = run(db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("refit --json prints JSON")
}

fn metrics_of(db: &Path, version: i64) -> (String, String, String) {
    let conn = Connection::open(db).unwrap();
    conn.query_row(
        "SELECT metrics, model, status FROM model_version WHERE id = ?1",
        [version],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn same_data_and_seed_give_identical_versions_and_old_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path(), "900", "11");
    let first = refit_json(&db, &[]);
    let second = refit_json(&db, &[]);
    for kind in ["benefit", "survival"] {
        let a = first[kind]["version"].as_i64().unwrap();
        let b = second[kind]["version"].as_i64().unwrap();
        assert_ne!(a, b, "each refit is a new version");
        let (metrics_a, model_a, status_a) = metrics_of(&db, a);
        let (metrics_b, model_b, _) = metrics_of(&db, b);
        assert_eq!(metrics_a, metrics_b, "{kind} metrics differ between runs");
        assert_eq!(model_a, model_b, "{kind} model differs between runs");
        assert_eq!(status_a, "candidate", "without --promote nothing is active");
    }

    // A different cut-off sees different follow-up: a new version with
    // different metrics, the older versions untouched.
    let (before, _, _) = metrics_of(&db, first["survival"]["version"].as_i64().unwrap());
    let later = refit_as_of(&db, "2021-06-30", &[]);
    let (after, _, _) = metrics_of(&db, later["survival"]["version"].as_i64().unwrap());
    let (still, _, _) = metrics_of(&db, first["survival"]["version"].as_i64().unwrap());
    assert_eq!(before, still);
    assert!(later["survival"]["version"].as_i64() > second["survival"]["version"].as_i64());
    assert_ne!(before, after);
}

#[test]
fn promote_then_predict_gives_a_coherent_prediction() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path(), "1200", "12");
    let summary = refit_json(&db, &["--promote"]);
    assert_eq!(summary["benefit"]["status"], "active", "{summary}");
    assert_eq!(summary["survival"]["status"], "active", "{summary}");
    let kept: Vec<&str> = summary["survival"]["univariate_kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for v in ["hsp90a_ng_ml", "bclc", "tumor_size_cm"] {
        assert!(kept.contains(&v), "{v} not kept by the screen: {kept:?}");
    }

    let conn = Connection::open(&db).unwrap();
    let id: String = conn
        .query_row(
            "SELECT study_id FROM patients WHERE treatment = 'tace' ORDER BY study_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = run(&db, &["predict", "--patient", &id, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(p["study_id"], id.as_str());
    let b = &p["benefit"];
    let prob = b["probability"].as_f64().unwrap();
    let (lo, hi) = (b["lower"].as_f64().unwrap(), b["upper"].as_f64().unwrap());
    assert!(0.0 <= lo && lo <= prob && prob <= hi && hi <= 1.0, "{b}");
    assert_eq!(b["model_version"], summary["benefit"]["version"]);
    assert_eq!(b["points"].as_array().unwrap().len(), 3);
    let s = &p["survival"];
    let (s12, s24, s36) = (
        s["s12"].as_f64().unwrap(),
        s["s24"].as_f64().unwrap(),
        s["s36"].as_f64().unwrap(),
    );
    assert!(s12 >= s24 && s24 >= s36, "{s}");
    assert!(["low", "high"].contains(&s["risk_group"].as_str().unwrap()));
    assert_eq!(s["model_version"], summary["survival"]["version"]);

    // A promotion is in the audit log.
    let promotions: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'promote_model'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(promotions, 2);
}

#[test]
fn refit_without_untreated_patients_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path(), "600", "13");
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(
        "DELETE FROM followups WHERE patient_id IN
             (SELECT id FROM patients WHERE treatment = 'none');
         DELETE FROM patients WHERE treatment = 'none';",
    )
    .unwrap();
    drop(conn);
    let out = run(&db, &["refit", "--promote", "--trees", "50"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("non-TACE"), "{err}");
    // The failure is stored as a failed version and nothing became active.
    let conn = Connection::open(&db).unwrap();
    let (failed, active): (i64, i64) = conn
        .query_row(
            "SELECT sum(status = 'failed'), sum(status = 'active') FROM model_version",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (failed, active),
        (1, 1),
        "benefit failed, survival promoted"
    );
}

#[test]
fn unknown_variable_and_held_lock_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path(), "300", "14");
    let out = run(&db, &["refit", "--benefit-variables", "bclc,shoe_size"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("shoe_size"), "{}", stderr(&out));

    let out = run(&db, &["refit", "--as-of", "2999-01-01"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("in the future"), "{}", stderr(&out));

    let lock = tace_registry::pipeline::refit::lock(&db, false).unwrap();
    let out = run(&db, &["refit"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("another refit"), "{}", stderr(&out));
    drop(lock);
}

#[test]
fn predict_names_a_missing_model_variable() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path(), "900", "15");
    refit_json(&db, &["--promote"]);
    let conn = Connection::open(&db).unwrap();
    let id: String = conn
        .query_row(
            "SELECT study_id FROM patients WHERE treatment = 'tace' ORDER BY study_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE patients SET hsp90a_ng_ml = NULL WHERE study_id = ?1",
        [&id],
    )
    .unwrap();
    drop(conn);
    let out = run(&db, &["predict", "--patient", &id, "--json"]);
    let p: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let reason = p["benefit"]["error"].as_str().unwrap();
    assert!(reason.contains("hsp90a_ng_ml"), "{reason}");
}
