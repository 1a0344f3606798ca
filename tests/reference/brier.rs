//! IPCW Brier score and integrated Brier score against scikit-survival
//! 0.28.0 `brier_score` / `integrated_brier_score` and riskRegression
//! 2022.11.28 `Score` (`tests/data/expected/*__brier_score.json`).
//!
//! Scores at 1e-9 absolute against the tool whose convention is implemented;
//! `Score`'s standard errors and interval bounds at 1e-6 relative. The
//! `Score` null model predicts the marginal Kaplan–Meier survival for all.

use nalgebra::DMatrix;
use serde_json::Value;
use tace_registry::stats::km::kaplan_meier;
use tace_registry::stats::metrics::brier::{BrierSettings, brier_score, integrated_brier_score};
use tace_registry::stats::metrics::concordance::IpcwConvention;

use crate::common::{assert_abs, assert_all_rel, expected, floats, tol};
use crate::concordance::outcome;
use crate::td_auc::matrix;

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// `Score` standard errors and confidence bounds.
const SCORE_REL: f64 = 1e-6;

/// The Kaplan–Meier estimate of the rows at each time, for every subject.
fn null_model(time: &[f64], event: &[bool], times: &[f64]) -> DMatrix<f64> {
    let curve = kaplan_meier(time, event).expect("Kaplan-Meier");
    DMatrix::from_fn(time.len(), times.len(), |_, k| curve.survival_at(times[k]))
}

fn assert_all_abs(what: &str, got: &[f64], expected: &[f64]) {
    assert_eq!(got.len(), expected.len(), "{what}: length");
    for (k, (&g, &e)) in got.iter().zip(expected).enumerate() {
        assert_abs(&format!("{what}[{k}]"), g, e, tol::IPCW_ABS);
    }
}

fn check_case(dataset: &str, reference: &Value, case: &Value) {
    let (time, event) = outcome(reference);
    let name = case["case"].as_str().expect("case name");
    let what = format!("{dataset} {name}");
    let times = floats(&case["input"]["times"]);
    let result = &case["result"];

    if name == "sksurv_integrated_brier_score" {
        let survival = matrix(&reference["input"]["predicted_survival_ibs"]);
        let settings = BrierSettings {
            times,
            convention: IpcwConvention::ScikitSurvival,
        };
        let got = integrated_brier_score(&time, &event, &survival, &settings)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let ibs = result["ibs"].as_f64().expect("ibs");
        assert_abs(&format!("{what} ibs"), got.ibs, ibs, tol::IPCW_ABS);
        let brier = floats(&result["brier_at_ibs_times"]);
        assert_all_abs(&format!("{what} brier"), &got.brier, &brier);
        return;
    }

    let (survival, convention) = match name {
        "riskregression_score_brier" => (
            matrix(&reference["input"]["predicted_survival"]),
            IpcwConvention::R,
        ),
        "riskregression_score_brier_null_km" => {
            (null_model(&time, &event, &times), IpcwConvention::R)
        }
        "sksurv_brier_score" => (
            matrix(&reference["input"]["predicted_survival"]),
            IpcwConvention::ScikitSurvival,
        ),
        other => panic!("{what}: no check for case `{other}`"),
    };
    let settings = BrierSettings { times, convention };
    let got =
        brier_score(&time, &event, &survival, &settings).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_all_abs(
        &format!("{what} brier"),
        &got.brier,
        &floats(&result["brier"]),
    );
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
fn brier_every_case() {
    for dataset in DATASETS {
        let reference = expected(dataset, "brier_score");
        let cases = reference["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 4, "{dataset}: number of cases");
        for case in cases {
            check_case(dataset, &reference, case);
        }
    }
}
