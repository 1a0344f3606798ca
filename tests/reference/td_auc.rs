//! Cumulative/dynamic time-dependent AUC against scikit-survival 0.28.0
//! `cumulative_dynamic_auc` and riskRegression 2022.11.28 `Score`
//! (`tests/data/expected/*__time_dependent_auc.json`).
//!
//! AUC and mean AUC at 1e-9 absolute against the tool whose convention is
//! implemented; `Score`'s standard errors and interval bounds at 1e-6
//! relative. On rossi scikit-survival raises because the censoring survival
//! function is zero at week 52; that must come back as a typed error.

use nalgebra::DMatrix;
use serde_json::Value;
use tace_registry::stats::StatsError;
use tace_registry::stats::metrics::concordance::IpcwConvention;
use tace_registry::stats::metrics::td_auc::{RiskScores, TdAucSettings, cumulative_dynamic_auc};

use crate::common::{assert_abs, assert_all_rel, expected, floats};
use crate::concordance::outcome;

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// `Score` standard errors and confidence bounds.
const SCORE_REL: f64 = 1e-6;

/// A JSON list of rows as a matrix.
pub fn matrix(rows: &Value) -> DMatrix<f64> {
    let rows: Vec<Vec<f64>> = rows.as_array().expect("rows").iter().map(floats).collect();
    let ncols = rows.first().map_or(0, Vec::len);
    DMatrix::from_fn(rows.len(), ncols, |i, j| rows[i][j])
}

fn check_case(dataset: &str, reference: &Value, case: &Value) {
    let (time, event) = outcome(reference);
    let name = case["case"].as_str().expect("case name");
    let what = format!("{dataset} {name}");
    let times = floats(&case["input"]["times"]);
    let risk = floats(&reference["input"]["risk"]["values"]);
    let risk_matrix = matrix(&reference["input"]["predicted_risk_at_times"]["values"]);
    let result = &case["result"];

    let (scores, convention) = match name {
        "riskregression_score_auc" => (RiskScores::PerTime(&risk_matrix), IpcwConvention::R),
        "sksurv_cumulative_dynamic_auc__risk_vector" => {
            (RiskScores::Vector(&risk), IpcwConvention::ScikitSurvival)
        }
        "sksurv_cumulative_dynamic_auc__risk_matrix" => (
            RiskScores::PerTime(&risk_matrix),
            IpcwConvention::ScikitSurvival,
        ),
        other => panic!("{what}: no check for case `{other}`"),
    };
    let settings = TdAucSettings { times, convention };
    let got = cumulative_dynamic_auc(&time, &event, scores, &settings);

    if result.get("error").is_some() {
        match got {
            Err(StatsError::CensoringSurvivalZero { time }) => {
                assert_eq!(time, 52.0, "{what}: where G is zero");
            }
            other => panic!("{what}: expected CensoringSurvivalZero, got {other:?}"),
        }
        return;
    }
    let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
    let auc = floats(&result["auc"]);
    assert_eq!(got.auc.len(), auc.len(), "{what}: number of times");
    for (k, (&a, &e)) in got.auc.iter().zip(&auc).enumerate() {
        assert_abs(
            &format!("{what} auc[{k}]"),
            a,
            e,
            crate::common::tol::IPCW_ABS,
        );
    }
    if let Some(mean) = result["mean_auc"].as_f64() {
        assert_abs(
            &format!("{what} mean_auc"),
            got.mean_auc,
            mean,
            crate::common::tol::IPCW_ABS,
        );
    }
    match (&got.interval, result.get("se")) {
        (Some(interval), Some(se)) => {
            assert_all_rel(
                &format!("{what} se"),
                &interval.std_err,
                &floats(se),
                SCORE_REL,
            );
            let lower = floats(&result["lower"]);
            let upper = floats(&result["upper"]);
            assert_all_rel(&format!("{what} lower"), &interval.lower, &lower, SCORE_REL);
            assert_all_rel(&format!("{what} upper"), &interval.upper, &upper, SCORE_REL);
        }
        (None, None) => {}
        (got, expected) => panic!("{what}: interval {got:?} but reference se {expected:?}"),
    }
}

#[test]
fn td_auc_every_case() {
    for dataset in DATASETS {
        let reference = expected(dataset, "time_dependent_auc");
        let cases = reference["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 3, "{dataset}: number of cases");
        for case in cases {
            check_case(dataset, &reference, case);
        }
    }
}

#[test]
fn td_auc_risk_vector_matches_score_ranking() {
    // The Cox risk 1 - S_i(t) is increasing in the linear predictor, so the
    // R convention gives the same AUC from the 1-D risk vector.
    let reference = expected("veteran", "time_dependent_auc");
    let (time, event) = outcome(&reference);
    let risk = floats(&reference["input"]["risk"]["values"]);
    let case = crate::common::case(&reference, "riskregression_score_auc");
    let settings = TdAucSettings {
        times: floats(&case["input"]["times"]),
        convention: IpcwConvention::R,
    };
    let got =
        cumulative_dynamic_auc(&time, &event, RiskScores::Vector(&risk), &settings).expect("AUC");
    for (k, (&a, &e)) in got
        .auc
        .iter()
        .zip(&floats(&case["result"]["auc"]))
        .enumerate()
    {
        assert_abs(&format!("auc[{k}]"), a, e, crate::common::tol::IPCW_ABS);
    }
}
