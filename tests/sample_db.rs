//! The tracked sample registry is the generator's output for the default
//! seed, with both models fitted and active.

use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_tace-registry");

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/registry.sqlite")
}

/// Copy the sample, so that opening it never touches the tracked file.
fn sample_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("sample.sqlite");
    std::fs::copy(sample(), &copy).expect("sample_db/registry.sqlite is tracked");
    copy
}

/// Read every row of a query, each column rendered as text.
fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = Connection::open(db).unwrap();
    let mut statement = conn.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    let value: rusqlite::types::Value = row.get(i)?;
                    Ok(format!("{value:?}"))
                })
                .collect()
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<Vec<String>>>>()
        .unwrap()
}

const PATIENTS: &str = "SELECT p.study_id, c.code, c.external_validation, p.treatment, \
     p.treatment_start, p.sex, p.age_years, p.hsp90a_ng_ml, p.hbv, p.diabetes, \
     p.hypertension, p.child_pugh, p.albumin_g_l, p.bilirubin_umol_l, p.albi_grade, \
     p.afp_ng_ml, p.alp_u_l, p.platelets_1e9_l, p.alt_u_l, p.leukocytes_1e9_l, p.bclc, \
     p.tumor_number, p.tumor_size_cm, p.pvtt, p.lymph_nodes, p.metastasis, p.withdrawn \
     FROM patients p JOIN centers c ON c.id = p.center_id ORDER BY p.study_id";

const FOLLOWUPS: &str = "SELECT p.study_id, f.contact_date, f.status, f.hsp90a_ng_ml, \
     f.afp_ng_ml, f.note FROM followups f JOIN patients p ON p.id = f.patient_id \
     ORDER BY p.study_id, f.contact_date, f.id";

#[test]
fn regenerating_the_default_seed_gives_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&fresh)
        .arg("generate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tracked = sample_copy(dir.path());

    let (a, b) = (rows(&fresh, PATIENTS), rows(&tracked, PATIENTS));
    assert_eq!(a.len(), 2555);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "patient rows differ");
    }
    let (a, b) = (rows(&fresh, FOLLOWUPS), rows(&tracked, FOLLOWUPS));
    assert_eq!(a.len(), b.len(), "follow-up counts differ");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "follow-up rows differ");
    }
}

#[test]
fn sample_models_are_active_and_predict() {
    let dir = tempfile::tempdir().unwrap();
    let tracked = sample_copy(dir.path());
    let active = rows(
        &tracked,
        "SELECT kind FROM model_version WHERE status = 'active' ORDER BY kind",
    );
    assert_eq!(
        active,
        vec![
            vec!["Text(\"benefit\")".to_string()],
            vec!["Text(\"survival\")".to_string()]
        ]
    );
    let conn = Connection::open(&tracked).unwrap();
    let id: String = conn
        .query_row(
            "SELECT study_id FROM patients WHERE treatment = 'tace' ORDER BY study_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&tracked)
        .args(["predict", "--patient", &id, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(p["benefit"]["probability"].is_number(), "{p}");
    assert!(p["survival"]["risk_group"].is_string(), "{p}");
}

#[test]
fn sample_models_match_the_published_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let tracked = sample_copy(dir.path());
    let conn = Connection::open(&tracked).unwrap();
    let metrics = |kind: &str| -> serde_json::Value {
        let text: String = conn
            .query_row(
                "SELECT metrics FROM model_version WHERE kind = ?1 AND status = 'active'",
                [kind],
                |r| r.get(0),
            )
            .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let benefit = metrics("benefit");
    let with = benefit["median_os_benefit"]["value"].as_f64().unwrap();
    let without = benefit["median_os_non_benefit"]["value"].as_f64().unwrap();
    assert!(
        with > without,
        "benefit median {with} <= non-benefit {without}"
    );

    let survival = metrics("survival");
    let kept: Vec<&str> = survival["univariate_kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for variable in ["hsp90a_ng_ml", "bclc", "tumor_size_cm"] {
        assert!(kept.contains(&variable), "{variable} not kept: {kept:?}");
    }
}
