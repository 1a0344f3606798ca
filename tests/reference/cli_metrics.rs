//! `tace-registry stats concordance` and `stats tdauc` run as processes on
//! the reference CSVs, with the reference risk vectors added as columns. The
//! printed JSON is checked against R survival 3.5.3 `concordance`,
//! scikit-survival 0.28.0 and riskRegression 2022.11.28 `Score`
//! (`tests/data/expected/*__concordance.json`, `*__time_dependent_auc.json`),
//! and failures against their exit status and message.

use std::collections::HashMap;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{assert_abs, assert_all_rel, case, data_path, expected, floats, integers, tol};

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// riskRegression `Score` standard errors and interval bounds.
const SCORE_REL: f64 = 1e-6;

/// R's standard error of the concordance, a closed form of the pair counts.
const STD_ERR_REL: f64 = 1e-9;

/// Copy the reference's CSV into `dir`, adding one column per named risk
/// vector of the reference, matched to the CSV rows by `id`.
fn csv_with_risks(dir: &TempDir, reference: &Value, risks: &[(&str, Vec<f64>)]) -> String {
    let file = reference["data_file"].as_str().expect("data_file");
    let name = file.strip_prefix("data/").unwrap_or(file);
    let text = std::fs::read_to_string(data_path(name)).expect("reference CSV");
    let ids = integers(&reference["input"]["row_ids"]);

    let mut lines = text.lines();
    let header = lines.next().expect("header line");
    let mut out = header.to_string();
    for (risk, values) in risks {
        assert_eq!(values.len(), ids.len(), "{risk}: one value per row id");
        out.push(',');
        out.push_str(risk);
    }
    out.push('\n');
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(k, &id)| (id, k)).collect();
    for line in lines {
        let id: i64 = line
            .split(',')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("id");
        out.push_str(line);
        for (_, values) in risks {
            out.push(',');
            if let Some(&k) = position.get(&id) {
                out.push_str(&values[k].to_string());
            }
        }
        out.push('\n');
    }
    let path = dir.path().join(name);
    std::fs::write(&path, out).expect("write CSV");
    path.display().to_string()
}

/// Run `tace-registry stats METHOD --csv CSV` with the extra flags.
fn run(method: &str, csv: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tace-registry"))
        .args(["stats", method, "--csv", csv])
        .args(extra)
        .output()
        .expect("run tace-registry")
}

fn stdout_json(what: &str, output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{what}: exit status {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn stderr_text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Load the concordance file and write a CSV that carries its risk vectors.
fn concordance_input(dir: &TempDir, dataset: &str) -> (Value, String) {
    let reference = expected(dataset, "concordance");
    let risks: Vec<(&str, Vec<f64>)> = ["cox_lp", "tied_score"]
        .iter()
        .map(|&name| {
            let values = floats(&reference["input"]["risks"][name]["values"]);
            (name, values)
        })
        .collect();
    let csv = csv_with_risks(dir, &reference, &risks);
    (reference, csv)
}

#[test]
fn concordance_cli_matches_r_and_sksurv() {
    let dir = TempDir::new().expect("temporary folder");
    for dataset in DATASETS {
        let (reference, csv) = concordance_input(&dir, dataset);
        let tau = reference["input"]["tau"].as_f64().expect("tau").to_string();
        for risk in ["cox_lp", "tied_score"] {
            let what = format!("{dataset} {risk}");
            let sksurv = stdout_json(
                &what,
                &run("concordance", &csv, &["--risk", risk, "--tau", &tau]),
            );
            let harrell = &case(&reference, &format!("{risk}__r_harrell"))["result"];
            let n = integers(&reference["input"]["row_ids"]).len();
            assert_eq!(sksurv["n"], n, "{what}: rows used");
            assert_abs(
                &format!("{what} harrell"),
                sksurv["harrell"].as_f64().expect("harrell"),
                harrell["c_index"].as_f64().expect("c_index"),
                tol::HARRELL_ABS,
            );
            assert_all_rel(
                &format!("{what} harrell_std_err"),
                &[sksurv["harrell_std_err"].as_f64().expect("std_err")],
                &[harrell["std_err"].as_f64().expect("std_err")],
                STD_ERR_REL,
            );
            for count in ["concordant", "discordant", "tied_risk"] {
                assert_eq!(sksurv[count], harrell[count], "{what}: {count}");
            }
            let tied_time = harrell["tied_time"].as_u64().expect("tied_time")
                + harrell["tied_both"].as_u64().expect("tied_both");
            assert_eq!(sksurv["tied_time"], tied_time, "{what}: tied_time");

            let uno_sksurv = &case(&reference, &format!("{risk}__sksurv_uno_ipcw"))["result"];
            assert_eq!(sksurv["convention"], "sksurv", "{what}: convention");
            assert_eq!(
                sksurv["uno_std_err"],
                Value::Null,
                "{what}: sksurv has no std_err"
            );
            assert_abs(
                &format!("{what} uno (sksurv)"),
                sksurv["uno"].as_f64().expect("uno"),
                uno_sksurv["c_index"].as_f64().expect("c_index"),
                tol::IPCW_ABS,
            );

            let r = stdout_json(
                &what,
                &run(
                    "concordance",
                    &csv,
                    &["--risk", risk, "--tau", &tau, "--convention", "r"],
                ),
            );
            let uno_r = &case(&reference, &format!("{risk}__r_uno_nG2"))["result"];
            assert_abs(
                &format!("{what} uno (R)"),
                r["uno"].as_f64().expect("uno"),
                uno_r["c_index"].as_f64().expect("c_index"),
                tol::IPCW_ABS,
            );
            assert_all_rel(
                &format!("{what} uno_std_err (R)"),
                &[r["uno_std_err"].as_f64().expect("uno_std_err")],
                &[uno_r["std_err"].as_f64().expect("std_err")],
                STD_ERR_REL,
            );
            assert_eq!(
                r["tau"].as_f64(),
                reference["input"]["tau"].as_f64(),
                "{what}: tau"
            );
        }
    }
}

#[test]
fn concordance_cli_without_tau() {
    // Without --tau every event is weighted, and veteran's last time (999
    // days) is an event, so G there is positive and Uno's C is defined.
    let dir = TempDir::new().expect("temporary folder");
    let (_, csv) = concordance_input(&dir, "veteran");
    let json = stdout_json("veteran", &run("concordance", &csv, &["--risk", "cox_lp"]));
    assert_eq!(json["tau"], Value::Null, "tau");
    let uno = json["uno"].as_f64().expect("uno");
    assert!(uno > 0.5, "uno = {uno}");
    assert!(uno < 1.0, "uno = {uno}");
}

#[test]
fn concordance_cli_rejects_unknown_risk_column() {
    let dir = TempDir::new().expect("temporary folder");
    let (_, csv) = concordance_input(&dir, "veteran");
    let output = run("concordance", &csv, &["--risk", "lp"]);
    assert_eq!(output.status.code(), Some(1), "exit status");
    let stderr = stderr_text(&output);
    assert!(stderr.contains("column `lp` not found"), "{stderr}");
    assert!(output.stdout.is_empty(), "no JSON on failure");
}

/// Load the time-dependent AUC file and write a CSV that carries its risk
/// vector.
fn td_auc_input(dir: &TempDir, dataset: &str) -> (Value, String) {
    let reference = expected(dataset, "time_dependent_auc");
    let risk = floats(&reference["input"]["risk"]["values"]);
    let csv = csv_with_risks(dir, &reference, &[("risk", risk)]);
    (reference, csv)
}

fn times_flag(case: &Value) -> String {
    floats(&case["input"]["times"])
        .iter()
        .map(f64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn tdauc_cli_matches_sksurv() {
    let dir = TempDir::new().expect("temporary folder");
    for dataset in ["pbc", "veteran"] {
        let (reference, csv) = td_auc_input(&dir, dataset);
        let sksurv = case(&reference, "sksurv_cumulative_dynamic_auc__risk_vector");
        let times = times_flag(sksurv);
        let json = stdout_json(
            dataset,
            &run("tdauc", &csv, &["--risk", "risk", "--times", &times]),
        );
        let result = &sksurv["result"];
        assert_eq!(
            floats(&json["times"]),
            floats(&result["times"]),
            "{dataset}: times"
        );
        let auc = floats(&json["auc"]);
        let expected_auc = floats(&result["auc"]);
        assert_eq!(auc.len(), expected_auc.len(), "{dataset}: number of times");
        for (k, (&a, &e)) in auc.iter().zip(&expected_auc).enumerate() {
            assert_abs(&format!("{dataset} auc[{k}]"), a, e, tol::IPCW_ABS);
        }
        assert_abs(
            &format!("{dataset} mean_auc"),
            json["mean_auc"].as_f64().expect("mean_auc"),
            result["mean_auc"].as_f64().expect("mean_auc"),
            tol::IPCW_ABS,
        );
        assert_eq!(
            json["std_err"],
            Value::Null,
            "{dataset}: sksurv has no std_err"
        );
    }
}

#[test]
fn tdauc_cli_matches_score() {
    // Score was given 1 - S_i(t) of a Cox model, which orders subjects as the
    // linear predictor does at every time, so the AUC and its standard error
    // are those of the risk vector.
    let dir = TempDir::new().expect("temporary folder");
    for dataset in DATASETS {
        let (reference, csv) = td_auc_input(&dir, dataset);
        let score = case(&reference, "riskregression_score_auc");
        let times = times_flag(score);
        let args = ["--risk", "risk", "--times", &times, "--convention", "r"];
        let json = stdout_json(dataset, &run("tdauc", &csv, &args));
        let result = &score["result"];
        let auc = floats(&json["auc"]);
        for (k, (&a, &e)) in auc.iter().zip(&floats(&result["auc"])).enumerate() {
            assert_abs(&format!("{dataset} auc[{k}]"), a, e, tol::IPCW_ABS);
        }
        for key in ["lower", "upper"] {
            assert_all_rel(
                &format!("{dataset} {key}"),
                &floats(&json[key]),
                &floats(&result[key]),
                SCORE_REL,
            );
        }
        assert_all_rel(
            &format!("{dataset} std_err"),
            &floats(&json["std_err"]),
            &floats(&result["se"]),
            SCORE_REL,
        );
    }
}

#[test]
fn tdauc_cli_reports_zero_censoring_survival() {
    // scikit-survival raises on rossi: arrests at week 52 fall where every
    // remaining subject is censored, so G(52) = 0.
    let dir = TempDir::new().expect("temporary folder");
    let (_, csv) = td_auc_input(&dir, "rossi");
    let output = run("tdauc", &csv, &["--risk", "risk", "--times", "13,26,39"]);
    assert_eq!(output.status.code(), Some(1), "exit status");
    let stderr = stderr_text(&output);
    assert!(
        stderr.contains("censoring survival function is zero"),
        "{stderr}"
    );
    assert!(stderr.contains("52"), "{stderr}");
}

#[test]
fn tdauc_cli_rejects_time_beyond_follow_up() {
    let dir = TempDir::new().expect("temporary folder");
    let (_, csv) = td_auc_input(&dir, "veteran");
    let output = run("tdauc", &csv, &["--risk", "risk", "--times", "30,5000"]);
    assert_eq!(output.status.code(), Some(1), "exit status");
    let stderr = stderr_text(&output);
    assert!(
        stderr.contains("time 5000 is beyond the last follow-up time 999"),
        "{stderr}"
    );
}

#[test]
fn tdauc_cli_requires_times() {
    let dir = TempDir::new().expect("temporary folder");
    let (_, csv) = td_auc_input(&dir, "veteran");
    let output = run("tdauc", &csv, &["--risk", "risk"]);
    assert_eq!(output.status.code(), Some(2), "usage errors exit with 2");
    assert!(
        stderr_text(&output).contains("--times"),
        "{}",
        stderr_text(&output)
    );
}
