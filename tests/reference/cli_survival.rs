//! `tace-registry stats km|logrank|cox|stepcox` run as a process on the
//! reference CSV files: the JSON keys and values against R survival 3.5.3
//! and R `step` at the suite's tolerances, and the exit status and message
//! of invalid input.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{
    assert_rel, case, close, data_path, expected, floats, integers, optional_floats, strings, tol,
};

/// Runs `tace-registry stats METHOD --csv FILE` with the extra flags.
fn run(method: &str, csv: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tace-registry"))
        .args(["stats", method, "--csv"])
        .arg(csv)
        .args(extra)
        .output()
        .expect("run tace-registry")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit status {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// Checks that a run failed with one line on stderr and nothing on stdout,
/// and returns that line.
fn failure_message(output: &Output) -> String {
    assert!(!output.status.success(), "the run should fail");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr}");
    stderr
}

fn number(value: &Value, what: &str) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {value}"))
}

#[track_caller]
fn assert_optional_all(what: &str, actual: &Value, expected: &Value, rel: f64) {
    let actual = optional_floats(actual);
    let expected = optional_floats(expected);
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        match (a, e) {
            (Some(a), Some(e)) => assert!(
                close(*a, *e, rel, 0.0),
                "{what}[{i}]: got {a:e}, expected {e:e}"
            ),
            _ => assert_eq!(a, e, "{what}[{i}]: null where R has NA"),
        }
    }
}

fn check_km_case(dataset: &str, case_name: &str, extra: &[&str]) {
    let reference = expected(dataset, "kaplan_meier");
    let csv = data_path(&format!("{dataset}.csv"));
    let json = stdout_json(&run("km", &csv, extra));
    let curves = case(&reference, case_name)["result"]["curves"]
        .as_array()
        .expect("curves");
    let groups = json["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), curves.len(), "{case_name}: number of curves");
    for (ours, theirs) in groups.iter().zip(curves) {
        let what = format!("{case_name} {}", theirs["stratum"]);
        assert_eq!(ours["name"], theirs["stratum"], "{what}: name");
        for key in ["n", "events"] {
            assert_eq!(ours[key], theirs[key], "{what}: {key}");
        }
        assert_eq!(
            floats(&ours["time"]),
            floats(&theirs["time"]),
            "{what}: time"
        );
        for key in ["n_risk", "n_event", "n_censor"] {
            assert_eq!(
                integers(&ours[key]),
                integers(&theirs[key]),
                "{what}: {key}"
            );
        }
        for key in ["surv", "std_err", "lower", "upper"] {
            assert_optional_all(&format!("{what} {key}"), &ours[key], &theirs[key], tol::KM);
        }
        for key in ["median", "median_lower", "median_upper"] {
            assert_eq!(ours[key].as_f64(), theirs[key].as_f64(), "{what}: {key}");
        }
    }
}

#[test]
fn km_by_group_matches_survfit() {
    check_km_case("veteran", "by_trt__log", &["--group", "trt"]);
    assert_eq!(
        stdout_json(&run("km", &data_path("veteran.csv"), &[]))["conf_type"],
        "log",
        "log intervals by default"
    );
}

#[test]
fn km_log_log_matches_survfit() {
    check_km_case("veteran", "overall__log_log", &["--conf-type", "log-log"]);
    check_km_case(
        "pbc",
        "by_trt__log_log",
        &["--group", "trt", "--conf-type", "log-log"],
    );
}

fn check_logrank_case(case_name: &str, extra: &[&str]) {
    let reference = expected("veteran", "logrank");
    let json = stdout_json(&run("logrank", &data_path("veteran.csv"), extra));
    let result = &case(&reference, case_name)["result"];
    for key in ["chisq", "p"] {
        assert_rel(
            &format!("{case_name} {key}"),
            number(&json[key], key),
            number(&result[key], key),
            tol::LOGRANK,
        );
    }
    assert_eq!(json["df"], result["df"], "{case_name}: df");
    let names = strings(&result["groups"]);
    let groups = json["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), names.len(), "{case_name}: groups");
    for (g, name) in names.iter().enumerate() {
        let ours = groups
            .iter()
            .find(|row| row["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{case_name}: no group {name}"));
        assert_eq!(ours["n"], result["n"][g], "{case_name} {name}: n");
        for key in ["observed", "expected"] {
            assert_rel(
                &format!("{case_name} {name} {key}"),
                number(&ours[key], key),
                number(&result[key][g], key),
                tol::LOGRANK,
            );
        }
    }
}

#[test]
fn logrank_matches_survdiff() {
    check_logrank_case("by_celltype__rho0", &["--group", "celltype"]);
    check_logrank_case("by_trt__rho1", &["--group", "trt", "--rho", "1"]);
}

/// R's name of one of our coefficient names (`celltype=adeno` is R's
/// `celltypeadeno`, or `factor(stage)2` for a `factor()` term).
fn r_coefficient(ours: &str, r_factor_terms: &[&str]) -> String {
    match ours.split_once('=') {
        Some((column, level)) if r_factor_terms.contains(&column) => {
            format!("factor({column}){level}")
        }
        Some((column, level)) => format!("{column}{level}"),
        None => ours.to_string(),
    }
}

fn check_cox_case(dataset: &str, case_name: &str, extra: &[&str], r_factor_terms: &[&str]) {
    let reference = expected(dataset, "cox_ph");
    let file = reference["data_file"].as_str().expect("data_file");
    let csv = data_path(file.strip_prefix("data/").unwrap_or(file));
    let json = stdout_json(&run("cox", &csv, extra));
    let result = &case(&reference, case_name)["result"];

    assert_eq!(json["n"], result["n"], "{case_name}: n");
    assert_eq!(json["events"], result["n_event"], "{case_name}: events");
    assert_eq!(
        json["iterations"], result["iterations"],
        "{case_name}: iterations"
    );
    for key in ["loglik_null", "loglik", "aic"] {
        assert_rel(
            &format!("{case_name} {key}"),
            number(&json[key], key),
            number(&result[key], key),
            tol::COX,
        );
    }
    for key in ["lr_test", "score_test"] {
        assert_rel(
            &format!("{case_name} {key}"),
            number(&json[key]["statistic"], key),
            number(&result[key]["chisq"], key),
            tol::COX,
        );
        assert_eq!(json[key]["df"], result[key]["df"], "{case_name}: {key} df");
    }

    assert!(
        close(
            number(&json["concordance"], "concordance"),
            number(&result["concordance"]["c_index"], "c_index"),
            0.0,
            tol::HARRELL_ABS
        ),
        "{case_name}: concordance"
    );

    let r_names = strings(&result["terms"]);
    let rows = json["coefficients"].as_array().expect("coefficients");
    assert_eq!(rows.len(), r_names.len(), "{case_name}: coefficients");
    let columns = [
        ("coef", "coef"),
        ("se", "se"),
        ("z", "z"),
        ("hr", "exp_coef"),
        ("hr_lower", "exp_coef_lower95"),
        ("hr_upper", "exp_coef_upper95"),
    ];
    for row in rows {
        let name = r_coefficient(row["name"].as_str().expect("name"), r_factor_terms);
        let j = r_names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{case_name}: R has no coefficient {name}"));
        for (ours, theirs) in columns {
            assert_rel(
                &format!("{case_name} {name} {ours}"),
                number(&row[ours], ours),
                floats(&result[theirs])[j],
                tol::COX,
            );
        }
        let p = floats(&result["p"])[j];
        assert!(
            close(number(&row["p"], "p"), p, tol::COX, 1e-12),
            "{case_name} {name}: p"
        );
    }
}

#[test]
fn cox_matches_coxph() {
    check_cox_case(
        "veteran",
        "full_factor_celltype__efron",
        &[
            "--covariates",
            "trt,celltype,karno,diagtime,age,prior",
            "--factors",
            "celltype",
            "--reference",
            "celltype=squamous",
        ],
        &[],
    );
    check_cox_case(
        "pbc",
        "factor_stage__breslow",
        &[
            "--covariates",
            "age,bili,albumin,stage",
            "--factors",
            "stage",
            "--ties",
            "breslow",
        ],
        &["stage"],
    );
}

fn check_stepcox_case(dataset: &str, csv: &str, direction: &str, extra: &[&str]) {
    let reference = expected(dataset, "stepwise_cox_aic");
    let result = &case(&reference, direction)["result"];
    let candidates = strings(&case(&reference, direction)["input"]["candidates"]).join(",");
    let mut flags = vec![
        "--covariates",
        candidates.as_str(),
        "--direction",
        direction,
    ];
    flags.extend_from_slice(extra);
    let json = stdout_json(&run("stepcox", &data_path(csv), &flags));

    let what = format!("{dataset} {direction}");
    assert_eq!(json["direction"], direction, "{what}: direction");
    assert_eq!(
        strings(&json["selected"]),
        strings(&result["selected_in_order"]),
        "{what}: selected"
    );
    assert_rel(
        &format!("{what} aic"),
        number(&json["aic"], "aic"),
        number(&result["final_aic"], "final_aic"),
        tol::COX,
    );

    let steps = json["steps"].as_array().expect("steps");
    let mut labels = strings(&result["steps"]["step"]);
    labels[0] = "<none>".into();
    let ours: Vec<String> = steps
        .iter()
        .map(|s| s["step"].as_str().expect("step").to_string())
        .collect();
    assert_eq!(ours, labels, "{what}: path");

    let coefficients = json["coefficients"].as_array().expect("coefficients");
    let r_coef = result["final_coef"].as_object().expect("final_coef");
    assert_eq!(coefficients.len(), r_coef.len(), "{what}: coefficients");
    for row in coefficients {
        let name = r_coefficient(row["name"].as_str().expect("name"), &[]);
        assert_rel(
            &format!("{what} {name}"),
            number(&row["coef"], "coef"),
            number(&r_coef[&name], &name),
            tol::COX,
        );
    }
}

#[test]
fn stepcox_matches_step() {
    let celltype = ["--factors", "celltype", "--reference", "celltype=squamous"];
    check_stepcox_case("veteran", "veteran.csv", "forward", &celltype);
    check_stepcox_case("veteran", "veteran.csv", "backward", &celltype);
    // R's reference level of sex is m, which sorts after f.
    let sex = ["--factors", "sex", "--reference", "sex=m"];
    check_stepcox_case("pbc", "pbc_complete.csv", "both", &sex);
    check_stepcox_case("rossi", "rossi.csv", "backward", &[]);
}

/// Writes a CSV into a fresh temporary folder and returns both.
fn temporary_csv(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("input.csv");
    std::fs::write(&path, text).expect("write CSV");
    (folder, path)
}

#[test]
fn negative_time_fails_with_line() {
    let (_folder, csv) = temporary_csv("time,event,x\n3,1,0\n-2,1,1\n5,0,1\n");
    let message = failure_message(&run("km", &csv, &[]));
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("negative"), "{message}");
}

#[test]
fn single_group_logrank_fails() {
    let (_folder, csv) = temporary_csv("time,event,g\n3,1,a\n2,1,a\n5,0,a\n");
    let message = failure_message(&run("logrank", &csv, &["--group", "g"]));
    assert!(message.contains("only one group (g=a)"), "{message}");
}

#[test]
fn separating_covariate_fails() {
    let (_folder, csv) = temporary_csv("time,event,x\n1,1,1\n2,1,1\n3,1,1\n4,1,0\n5,1,0\n6,1,0\n");
    let message = failure_message(&run("cox", &csv, &["--covariates", "x"]));
    assert!(message.contains("monotone likelihood"), "{message}");
    assert!(message.contains("`x`"), "{message}");
}

#[test]
fn single_level_factor_fails() {
    let (_folder, csv) = temporary_csv("time,event,x,g\n1,1,0.5,a\n2,0,1.5,a\n3,1,0.1,a\n");
    let flags = ["--covariates", "x,g", "--factors", "g"];
    for method in ["cox", "stepcox"] {
        let message = failure_message(&run(method, &csv, &flags));
        assert!(
            message.contains("`g` has the single level `a`"),
            "{method}: {message}"
        );
    }
}

#[test]
fn missing_covariates_fail() {
    let csv = data_path("veteran.csv");
    for method in ["cox", "stepcox"] {
        let message = failure_message(&run(method, &csv, &[]));
        assert!(message.contains("--covariates"), "{method}: {message}");
    }
}

#[test]
fn unknown_group_column_fails() {
    let csv = data_path("veteran.csv");
    let message = failure_message(&run("km", &csv, &["--group", "stage"]));
    assert!(message.contains("`stage` not found"), "{message}");
}

#[test]
fn invalid_direction_fails() {
    let csv = data_path("veteran.csv");
    let output = run(
        "stepcox",
        &csv,
        &["--covariates", "karno", "--direction", "sideways"],
    );
    assert!(!output.status.success(), "an unknown direction must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("forward, backward, both"), "{stderr}");
}
