//! Loading reference files and comparing numbers at named tolerances.

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;
use tace_registry::stats::frame::Frame;

/// Absolute path of a file under `tests/data`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The expected-results file of one data set and method, e.g.
/// `expected("pbc", "cox_ph")`.
pub fn expected(dataset: &str, method: &str) -> Value {
    let path = data_path(&format!("expected/{dataset}__{method}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The CSV a reference file reads (its `data_file`, relative to `tests/data`).
pub fn frame_of(reference: &Value) -> Frame {
    let file = reference["data_file"].as_str().expect("data_file");
    Frame::from_path(&data_path(file)).expect("reference CSV")
}

/// A case of a reference file by name.
pub fn case<'a>(reference: &'a Value, name: &str) -> &'a Value {
    reference["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["case"] == name)
        .unwrap_or_else(|| panic!("no case `{name}`"))
}

/// A JSON array of numbers, with `null` as NaN.
pub fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// A JSON array of optional numbers.
pub fn optional_floats(value: &Value) -> Vec<Option<f64>> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(Value::as_f64)
        .collect()
}

/// A JSON array of integers.
pub fn integers(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|v| v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}")))
        .collect()
}

/// A JSON array of strings.
pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v}"))
                .to_string()
        })
        .collect()
}

/// Relative agreement: |a − e| ≤ tol·max(|e|, tiny), with `abs_floor` as an
/// absolute allowance for values near zero.
pub fn close(actual: f64, expected: f64, rel: f64, abs_floor: f64) -> bool {
    if actual.is_nan() || expected.is_nan() {
        return actual.is_nan() && expected.is_nan();
    }
    let diff = (actual - expected).abs();
    diff <= abs_floor || diff <= rel * expected.abs()
}

/// Assert relative agreement of one value, naming it on failure.
#[track_caller]
pub fn assert_rel(what: &str, actual: f64, expected: f64, rel: f64) {
    assert!(
        close(actual, expected, rel, 0.0),
        "{what}: got {actual:.15e}, expected {expected:.15e} (relative tolerance {rel:e})"
    );
}

/// Assert absolute agreement of one value, naming it on failure.
#[track_caller]
pub fn assert_abs(what: &str, actual: f64, expected: f64, tol: f64) {
    assert!(
        close(actual, expected, 0.0, tol),
        "{what}: got {actual:.15e}, expected {expected:.15e} (absolute tolerance {tol:e})"
    );
}

/// Assert element-wise relative agreement of two vectors of equal length.
#[track_caller]
pub fn assert_all_rel(what: &str, actual: &[f64], expected: &[f64], rel: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            close(a, e, rel, 0.0),
            "{what}[{i}]: got {a:.15e}, expected {e:.15e} (relative tolerance {rel:e})"
        );
    }
}

/// Tolerances from the reference README, by quantity.
pub mod tol {
    /// Kaplan–Meier surv, bounds, cumulative hazard and standard errors.
    pub const KM: f64 = 1e-9;
    /// Log-rank observed, expected, variance, chi-square and p.
    pub const LOGRANK: f64 = 1e-9;
    /// Cox coefficients, standard errors, log-likelihoods and tests.
    pub const COX: f64 = 1e-6;
    /// Cox coefficients against the tightly converged optimum.
    pub const COX_TIGHT: f64 = 1e-8;
    /// Harrell's C against any tool.
    pub const HARRELL_ABS: f64 = 1e-9;
    /// Uno's C, time-dependent AUC and Brier against the tool whose
    /// censoring-weight convention is implemented.
    pub const IPCW_ABS: f64 = 1e-9;
    /// Logistic coefficients, deviance and AIC.
    pub const LOGISTIC: f64 = 1e-6;
    /// glm standard errors, computed by R with the previous iteration's weights.
    pub const LOGISTIC_SE: f64 = 1e-3;
    /// DeLong AUC.
    pub const AUC_ABS: f64 = 1e-12;
    /// DeLong variance and confidence interval.
    pub const DELONG: f64 = 1e-9;
    /// glmnet coefficients on the original scale.
    pub const GLMNET_ABS: f64 = 1e-5;
    /// Propensity scores, caliper width and balance before matching.
    pub const MATCHING: f64 = 1e-6;
}
