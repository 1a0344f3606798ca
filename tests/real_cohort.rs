//! The main job on a real registry: the DTSDHCC cohort (one centre, no
//! HSP90α, missing laboratory values) imported with its rejects, refitted on
//! the variables it has, and a prediction for an imported TACE patient.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_tace-registry");

/// Variables recorded in the DTSDHCC cohort.
const RECORDED: &str =
    "age_years,child_pugh,afp_ng_ml,bclc,tumor_number,tumor_size_cm,pvtt,lymph_nodes,metastasis";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/dtsdhcc")
        .join(name)
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A registry holding the valid DTSDHCC rows.
fn imported(dir: &Path) -> PathBuf {
    let db = dir.join("real.sqlite");
    assert!(run(&db, &["init"]).status.success());
    let patients = data("dtsdhcc_patients.csv");
    let followups = data("dtsdhcc_followups.csv");
    let rejects = dir.join("rejects.csv");
    let out = run(
        &db,
        &[
            "import",
            "--patients",
            patients.to_str().unwrap(),
            "--followups",
            followups.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

#[test]
fn refit_stops_with_advice_then_fits_recorded_variables() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());

    let out = run(&db, &["refit", "--trees", "100"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("`hsp90a_ng_ml`"), "{err}");
    assert!(err.contains("--reference-variables"), "{err}");
    assert!(err.contains("--os-candidates"), "{err}");

    let out = run(
        &db,
        &[
            "refit",
            "--json",
            "--promote",
            "--trees",
            "100",
            "--benefit-variables",
            "bclc,tumor_size_cm",
            "--reference-variables",
            RECORDED,
            "--os-candidates",
            RECORDED,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["benefit"]["status"], "active", "{summary}");
    assert_eq!(summary["survival"]["status"], "active", "{summary}");
    assert!(summary["survival"]["c_index"]["external"].is_null());
    let notes = summary["survival"]["notes"].to_string();
    assert!(notes.contains("no external validation set"), "{notes}");

    // The survival version records the patients each missing variable cost.
    let conn = Connection::open(&db).unwrap();
    let metrics: String = conn
        .query_row(
            "SELECT metrics FROM model_version WHERE kind = 'survival' AND status = 'active'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let metrics: Value = serde_json::from_str(&metrics).unwrap();
    let cases = &metrics["forest_cases"];
    let used = cases["used"].as_u64().unwrap();
    let excluded = cases["excluded"].as_u64().unwrap();
    let train =
        metrics["train"]["n"].as_u64().unwrap() + metrics["train"]["excluded"].as_u64().unwrap();
    assert_eq!(used + excluded, train);

    let id: String = conn
        .query_row(
            "SELECT study_id FROM patients WHERE treatment = 'tace' AND bclc IS NOT NULL \
             AND tumor_size_cm IS NOT NULL ORDER BY study_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let out = run(&db, &["predict", "--patient", &id, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    let probability = p["benefit"]["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&probability), "{p}");
    let points: Vec<&str> = p["benefit"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["variable"].as_str().unwrap())
        .collect();
    assert_eq!(points, ["bclc", "tumor_size_cm"]);
}
