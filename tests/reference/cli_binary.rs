//! `tace-registry stats logistic` run as a process on the derived binary
//! outcomes of pbc, veteran and rossi: the JSON keys and values against R
//! 4.2.2 `glm(family = binomial)` and pROC 1.18.0, and the exit status and
//! message of invalid input.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{assert_abs, assert_rel, case, data_path, expected, floats, strings, tol};

/// Run `tace-registry stats logistic` with the given flags.
fn run_logistic(csv: &Path, flags: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tace-registry"))
        .args(["stats", "logistic", "--csv"])
        .arg(csv)
        .args(flags)
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

/// Covariates of the glm formula `y ~ a + b + c`.
fn formula_covariates(reference: &Value) -> Vec<String> {
    let glm = case(reference, "glm_binomial");
    let formula = glm["input"]["formula"].as_str().expect("formula");
    let rhs = formula.split('~').nth(1).expect("right-hand side");
    rhs.split('+').map(|t| t.trim().to_string()).collect()
}

/// Flags for a reference file's model: covariates, and each declared factor
/// in the formula with its first declared level as the reference.
fn model_flags(reference: &Value) -> Vec<String> {
    let covariates = formula_covariates(reference);
    let mut flags = vec![
        "--outcome".to_string(),
        "y".to_string(),
        "--covariates".to_string(),
        covariates.join(","),
    ];
    let declared = reference["factor_levels"]
        .as_object()
        .expect("factor_levels");
    for (factor, levels) in declared {
        if covariates.contains(factor) {
            let reference_level = strings(levels)[0].clone();
            flags.extend([
                "--factors".to_string(),
                factor.clone(),
                "--reference".to_string(),
                format!("{factor}={reference_level}"),
            ]);
        }
    }
    flags
}

fn check_dataset(dataset: &str) {
    let reference = expected(dataset, "logistic");
    let file = reference["data_file"].as_str().expect("data_file");
    let csv = data_path(file.strip_prefix("data/").unwrap_or(file));
    let flags = model_flags(&reference);
    let flag_refs: Vec<&str> = flags.iter().map(String::as_str).collect();
    let json = stdout_json(&run_logistic(&csv, &flag_refs));

    assert_eq!(json["n"], reference["input"]["n"], "{dataset} rows used");
    assert_eq!(
        json["events"], reference["input"]["n_events"],
        "{dataset} events"
    );

    let glm = &case(&reference, "glm_binomial")["result"];
    let coefficients = json["coefficients"].as_array().expect("coefficients");
    // R names a factor level `celltypesmallcell`, the CLI `celltype=smallcell`.
    // Levels after the reference come in R's declared order there and in
    // sorted order here, so coefficients are matched by name.
    let mut names: Vec<String> = coefficients
        .iter()
        .map(|c| c["name"].as_str().expect("name").replace('=', ""))
        .collect();
    let terms = strings(&glm["terms"]);
    names.sort();
    let mut sorted_terms = terms.clone();
    sorted_terms.sort();
    assert_eq!(names, sorted_terms, "{dataset} terms");
    for key in ["coef", "se", "z", "p"] {
        let expected = floats(&glm[key]);
        for coefficient in coefficients {
            let name = coefficient["name"].as_str().expect("name");
            let position = terms.iter().position(|t| *t == name.replace('=', ""));
            let expected = expected[position.expect("a term of the glm")];
            let actual = coefficient[key].as_f64().expect(key);
            assert_rel(
                &format!("{dataset} {name} {key}"),
                actual,
                expected,
                tol::LOGISTIC,
            );
        }
    }
    for key in ["deviance", "null_deviance", "aic", "loglik"] {
        let actual = json[key].as_f64().expect(key);
        let expected = glm[key].as_f64().expect(key);
        assert_rel(&format!("{dataset} {key}"), actual, expected, tol::LOGISTIC);
    }
    assert_eq!(
        json["iterations"], glm["iterations"],
        "{dataset} iterations"
    );

    let delong = &case(&reference, "proc_delong")["result"];
    let auc = json["auc"].as_f64().expect("auc");
    assert_abs(
        &format!("{dataset} auc"),
        auc,
        delong["auc"].as_f64().unwrap(),
        tol::AUC_ABS,
    );
    for (key, expected_key) in [("auc_lower", "ci_lower"), ("auc_upper", "ci_upper")] {
        let actual = json[key].as_f64().expect(key);
        let expected = delong[expected_key].as_f64().unwrap();
        assert_rel(&format!("{dataset} {key}"), actual, expected, tol::DELONG);
    }
}

#[test]
fn logistic_cli_pbc() {
    check_dataset("pbc");
}

#[test]
fn logistic_cli_veteran_with_factor() {
    check_dataset("veteran");
}

#[test]
fn logistic_cli_rossi() {
    check_dataset("rossi");
}

/// Write `text` to a CSV file in a new temporary folder.
fn temporary_csv(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("data.csv");
    std::fs::write(&path, text).expect("write CSV");
    (folder, path)
}

#[test]
fn outcome_other_than_zero_one_fails() {
    let (_folder, csv) = temporary_csv("y,x\n0,1.5\n2,2.5\n1,0.5\n0,3.0\n");
    let output = run_logistic(&csv, &["--outcome", "y", "--covariates", "x"]);
    assert!(!output.status.success(), "an outcome of 2 must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`y`"), "stderr names the column: {stderr}");
    assert!(
        stderr.contains("0 or 1"),
        "stderr says what is allowed: {stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
}

#[test]
fn separation_names_the_covariate() {
    let text = "y,dose,age\n0,1,50\n0,2,61\n0,3,47\n1,4,58\n1,5,66\n1,6,52\n";
    let (_folder, csv) = temporary_csv(text);
    let output = run_logistic(&csv, &["--outcome", "y", "--covariates", "dose,age"]);
    assert!(!output.status.success(), "a separated outcome must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("separation"), "stderr: {stderr}");
    assert!(
        stderr.contains("`dose`"),
        "stderr names the covariate: {stderr}"
    );
}

#[test]
fn missing_covariates_fail() {
    let (_folder, csv) = temporary_csv("y,x\n0,1\n1,2\n");
    let output = run_logistic(&csv, &["--outcome", "y"]);
    assert!(!output.status.success(), "no covariates must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--covariates"), "stderr: {stderr}");
}

#[test]
fn unknown_outcome_column_fails() {
    let (_folder, csv) = temporary_csv("y,x\n0,1\n1,2\n");
    let output = run_logistic(&csv, &["--outcome", "died", "--covariates", "x"]);
    assert!(!output.status.success(), "an unknown column must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`died`"), "stderr: {stderr}");
}
