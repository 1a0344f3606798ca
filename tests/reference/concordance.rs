//! Harrell's and Uno's concordance against R survival 3.5.3 `concordance`
//! and `coxph`, scikit-survival 0.28.0 `concordance_index_censored` and
//! `concordance_index_ipcw`, and lifelines 0.30.3 `concordance_index`
//! (`tests/data/expected/*__concordance.json`).
//!
//! Every case of every file is checked: C at 1e-9 absolute against the tool
//! whose convention is implemented, pair counts exactly.

use serde_json::Value;
use tace_registry::stats::frame::Frame;
use tace_registry::stats::metrics::concordance::{
    Concordance, IpcwConvention, UnoSettings, harrell, uno,
};

use crate::common::{assert_abs, assert_rel, data_path, expected, floats, integers, tol};

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// R's infinitesimal-jackknife standard error is a closed form of the pair
/// counts, so it is reproduced to rounding error.
const STD_ERR_REL: f64 = 1e-9;

/// The CSV a reference file reads. Its `data_file` is relative to the
/// reference folder (`data/pbc.csv`), while the CSVs sit directly in
/// `tests/data`, so the `data/` prefix is dropped.
pub fn reference_frame(reference: &Value) -> Frame {
    let file = reference["data_file"].as_str().expect("data_file");
    let name = file.strip_prefix("data/").unwrap_or(file);
    Frame::from_path(&data_path(name)).expect("reference CSV")
}

/// Rows of `frame` in the order of the reference's `row_ids`.
pub fn rows_by_id(frame: &Frame, reference: &Value) -> Vec<usize> {
    let all_rows: Vec<usize> = (0..frame.len()).collect();
    let ids = frame.numeric("id", &all_rows).expect("id column");
    integers(&reference["input"]["row_ids"])
        .iter()
        .map(|&id| {
            ids.iter()
                .position(|&v| v == id as f64)
                .unwrap_or_else(|| panic!("id {id} not in the CSV"))
        })
        .collect()
}

/// Times and event indicators of the reference's `row_ids`, read from its CSV.
pub fn outcome(reference: &Value) -> (Vec<f64>, Vec<bool>) {
    let frame = reference_frame(reference);
    let rows = rows_by_id(&frame, reference);
    let time = frame.numeric("time", &rows).expect("time column");
    let event = frame.binary("event", &rows).expect("event column");
    (time, event)
}

fn check_r_counts(what: &str, got: &Concordance, result: &Value) {
    assert_eq!(got.concordant, result["concordant"], "{what}: concordant");
    assert_eq!(got.discordant, result["discordant"], "{what}: discordant");
    assert_eq!(got.tied_risk, result["tied_risk"], "{what}: tied_risk");
    assert_eq!(got.tied_time, result["tied_time"], "{what}: tied_time");
    assert_eq!(got.tied_both, result["tied_both"], "{what}: tied_both");
}

fn check_sksurv_counts(what: &str, got: &Concordance, result: &Value, prefix: &str) {
    let count = |name: &str| result[format!("{name}{prefix}")].clone();
    assert_eq!(got.concordant, count("concordant"), "{what}: concordant");
    assert_eq!(got.discordant, count("discordant"), "{what}: discordant");
    assert_eq!(got.tied_risk, count("tied_risk"), "{what}: tied_risk");
    // scikit-survival's tied_time counts event-censoring ties (included pairs).
    assert_eq!(
        got.tied_time_censored, result["tied_time"],
        "{what}: tied_time"
    );
}

/// Check one case of a concordance file, dispatching on the tool and call.
fn check_case(dataset: &str, reference: &Value, case: &Value) {
    let (time, event) = outcome(reference);
    let name = case["case"].as_str().expect("case name");
    let what = format!("{dataset} {name}");
    let risk_name = case["input"]["risk"].as_str().expect("risk name");
    let risk = floats(&reference["input"]["risks"][risk_name]["values"]);
    let result = &case["result"];
    let c_index = result["c_index"].as_f64().expect("c_index");
    let tau = case["input"]["tau"].as_f64();
    let harrell = harrell(&time, &event, &risk).expect("Harrell's C");

    let suffix = name
        .strip_prefix(risk_name)
        .expect("case named after its risk");
    match suffix {
        "__r_harrell" | "__coxph_reported" => {
            assert_abs(&what, harrell.c_index, c_index, tol::HARRELL_ABS);
            let se = result["std_err"].as_f64().expect("std_err");
            assert_rel(&format!("{what} std_err"), harrell.std_err, se, STD_ERR_REL);
            if suffix == "__r_harrell" {
                check_r_counts(&what, &harrell, result);
            }
        }
        "__sksurv_harrell" => {
            assert_abs(&what, harrell.c_index, c_index, tol::HARRELL_ABS);
            check_sksurv_counts(&what, &harrell, result, "");
        }
        "__lifelines" => assert_abs(&what, harrell.c_index, c_index, tol::HARRELL_ABS),
        "__r_uno_nG2" => {
            let settings = UnoSettings {
                tau: tau.expect("tau"),
                convention: IpcwConvention::R,
            };
            let got = uno(&time, &event, &risk, &settings).expect("Uno's C");
            assert_abs(&what, got.c_index, c_index, tol::IPCW_ABS);
            let se = result["std_err"].as_f64().expect("std_err");
            let got_se = got.std_err.expect("R convention has a standard error");
            assert_rel(&format!("{what} std_err"), got_se, se, STD_ERR_REL);
        }
        "__sksurv_uno_ipcw" => {
            let settings = UnoSettings {
                tau: tau.expect("tau"),
                convention: IpcwConvention::ScikitSurvival,
            };
            let got = uno(&time, &event, &risk, &settings).expect("Uno's C");
            assert_abs(&what, got.c_index, c_index, tol::IPCW_ABS);
            assert_eq!(got.std_err, None, "{what}: scikit-survival has no std_err");
            // concordance_index_ipcw returns the unweighted counts over all
            // comparable pairs, which are Harrell's.
            check_sksurv_counts(&what, &harrell, result, "_weighted");
        }
        other => panic!("{what}: no check for case kind `{other}`"),
    }
}

#[test]
fn concordance_every_case() {
    for dataset in DATASETS {
        let reference = expected(dataset, "concordance");
        let cases = reference["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 11, "{dataset}: number of cases");
        for case in cases {
            check_case(dataset, &reference, case);
        }
    }
}

#[test]
fn concordance_conventions_differ_on_rossi() {
    // Events at week 45 = tau count for R (T <= tau) but not for
    // scikit-survival (T < tau), which moves C in the third decimal.
    let reference = expected("rossi", "concordance");
    let (time, event) = outcome(&reference);
    let risk = floats(&reference["input"]["risks"]["cox_lp"]["values"]);
    let tau = reference["input"]["tau"].as_f64().expect("tau");
    let c_of = |convention| {
        let settings = UnoSettings { tau, convention };
        uno(&time, &event, &risk, &settings)
            .expect("Uno's C")
            .c_index
    };
    let gap = (c_of(IpcwConvention::R) - c_of(IpcwConvention::ScikitSurvival)).abs();
    assert!(gap > 1e-3, "conventions differ by only {gap}");
}
