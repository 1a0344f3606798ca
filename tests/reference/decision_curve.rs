//! Decision curves against reference values on pbc, veteran and rossi.
//!
//! No reference tool output exists for net benefit itself. Net benefit at
//! time t is a function of Kaplan–Meier estimates, so these tests check it
//! against R survival 3.5.3 `survfit` (the `__kaplan_meier.json` files) for
//! treat-all and for a model that marks one `survfit` group as high risk.
//! The binary curve is checked against the survival curve on the derived
//! outcomes of the `__logistic.json` files, where no subject is censored before
//! the horizon, so that both definitions must agree.

use std::collections::HashMap;

use serde_json::Value;
use tace_registry::stats::metrics::decision_curve::{
    binary_decision_curve, default_thresholds, survival_decision_curve,
};

use crate::common::{assert_abs, case, expected, floats, integers, tol};
use crate::logistic::reference_frame;

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// Absolute tolerance on net benefit: the Kaplan–Meier tolerance, because
/// net benefit is a linear function of S(t) with coefficients up to 1/(1 -
/// pt) = 10 for the thresholds used here.
const NET_BENEFIT_ABS: f64 = 10.0 * tol::KM;

/// Read S(t) off a `survfit` curve as a right-continuous step function.
fn survfit_at(curve: &Value, t: f64) -> f64 {
    let times = floats(&curve["time"]);
    let surv = floats(&curve["surv"]);
    match times.partition_point(|&s| s <= t) {
        0 => 1.0,
        k => surv[k - 1],
    }
}

/// Load time, event and the text of `column` from a reference file's CSV,
/// keeping rows complete in all three.
fn survival_columns(reference: &Value, column: &str) -> (Vec<f64>, Vec<bool>, Vec<String>) {
    let frame = reference_frame(reference);
    let rows = frame.complete_rows(&["time", "event", column]).unwrap();
    (
        frame.numeric("time", &rows).unwrap(),
        frame.binary("event", &rows).unwrap(),
        frame.text(column, &rows).unwrap(),
    )
}

/// Find the by-group case with log intervals of a `__kaplan_meier.json` file.
fn grouped_case(reference: &Value) -> &Value {
    reference["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case"].as_str().unwrap().ends_with("__log") && !c["input"]["group"].is_null())
        .expect("a by-group case")
}

#[test]
fn treat_all_matches_survfit() {
    let thresholds = [0.0, 0.1, 0.3, 0.5, 0.9];
    for dataset in DATASETS {
        let reference = expected(dataset, "kaplan_meier");
        let overall = &case(&reference, "overall__log")["result"]["curves"][0];
        let (time, event, _) = survival_columns(&reference, "id");
        let last = *floats(&overall["time"]).last().unwrap();
        // Any valid risk vector gives the same treat-all curve.
        let risk = vec![0.5; time.len()];
        for fraction in [0.1, 0.4, 0.7] {
            let at = (last * fraction).round();
            let curve = survival_decision_curve(&risk, &time, &event, at, &thresholds).unwrap();
            let surv = survfit_at(overall, at);
            let what = format!("{dataset} t = {at}");
            assert_abs(
                &format!("{what} event rate"),
                curve.event_rate,
                1.0 - surv,
                tol::KM,
            );
            for (k, &pt) in thresholds.iter().enumerate() {
                let expected = (1.0 - surv) - surv * pt / (1.0 - pt);
                let label = format!("{what} pt = {pt} treat-all");
                assert_abs(&label, curve.treat_all[k], expected, NET_BENEFIT_ABS);
                assert_eq!(curve.treat_none[k], 0.0, "{label}");
            }
        }
    }
}

#[test]
fn high_risk_group_matches_survfit_by_group() {
    // The model gives the first group of the survfit case risk 0.8 and the
    // rest 0.2. At pt = 0.5 only the first group is test-positive, so its
    // net benefit is (1 - S_g) n_g / n - S_g n_g / n * 0.5 / 0.5; at pt = 0.1
    // everyone is positive (treat-all) and at pt = 0.9 no one is.
    for dataset in DATASETS {
        let reference = expected(dataset, "kaplan_meier");
        let grouped = grouped_case(&reference);
        let column = grouped["input"]["group"].as_str().unwrap();
        let first_curve = &grouped["result"]["curves"][0];
        let stratum = first_curve["stratum"].as_str().unwrap();
        let level = stratum.strip_prefix(&format!("{column}=")).unwrap();

        let (time, event, labels) = survival_columns(&reference, column);
        let risk: Vec<f64> = labels
            .iter()
            .map(|l| if l == level { 0.8 } else { 0.2 })
            .collect();
        let share = first_curve["n"].as_f64().unwrap() / time.len() as f64;
        let last = *floats(&first_curve["time"]).last().unwrap();
        for fraction in [0.2, 0.5, 0.8] {
            let at = (last * fraction).round();
            let thresholds = [0.1, 0.5, 0.9];
            let curve = survival_decision_curve(&risk, &time, &event, at, &thresholds).unwrap();
            let surv = survfit_at(first_curve, at);
            let what = format!("{dataset} {stratum} t = {at}");
            assert_abs(
                &format!("{what} positive share"),
                curve.positive_rate[1],
                share,
                0.0,
            );
            let expected = (1.0 - surv) * share - surv * share;
            assert_abs(&what, curve.net_benefit[1], expected, NET_BENEFIT_ABS);
            assert_eq!(curve.net_benefit[0], curve.treat_all[0], "{what} at 0.1");
            assert_eq!(curve.net_benefit[2], 0.0, "{what} at 0.9");
        }
    }
}

#[test]
fn binary_equals_survival_without_censoring() {
    // The derived outcome is y = 1 for an event by the horizon and y = 0 for
    // follow-up past it; rows censored before the horizon are excluded. On
    // those rows Kaplan–Meier at the horizon is the plain event share, so the
    // binary and the survival decision curves coincide.
    for dataset in DATASETS {
        let reference = expected(dataset, "logistic");
        let input = &reference["input"];
        let horizon = input["horizon"].as_f64().unwrap();
        let risk = floats(&input["fitted_probability"]);
        let outcome: Vec<bool> = floats(&input["y"]).iter().map(|&y| y == 1.0).collect();

        let source = expected(dataset, "kaplan_meier");
        let frame = reference_frame(&source);
        let rows = frame.complete_rows(&["id", "time", "event"]).unwrap();
        let ids = frame.numeric("id", &rows).unwrap();
        let times = frame.numeric("time", &rows).unwrap();
        let events = frame.binary("event", &rows).unwrap();
        let by_id: HashMap<i64, (f64, bool)> = ids
            .iter()
            .zip(times.iter().zip(&events))
            .map(|(&id, (&t, &e))| (id as i64, (t, e)))
            .collect();
        let (time, event): (Vec<f64>, Vec<bool>) = integers(&input["row_ids"])
            .iter()
            .map(|id| by_id[id])
            .unzip();

        let thresholds = default_thresholds();
        let binary = binary_decision_curve(&risk, &outcome, &thresholds).unwrap();
        let survival = survival_decision_curve(&risk, &time, &event, horizon, &thresholds).unwrap();
        let n_events = input["n_events"].as_f64().unwrap();
        let n = input["n"].as_f64().unwrap();
        assert_abs(
            &format!("{dataset} prevalence"),
            binary.event_rate,
            n_events / n,
            1e-15,
        );
        assert_abs(
            &format!("{dataset} event rate"),
            survival.event_rate,
            binary.event_rate,
            1e-12,
        );
        assert_eq!(binary.positive_rate, survival.positive_rate, "{dataset}");
        for (k, &pt) in thresholds.iter().enumerate() {
            let what = format!("{dataset} pt = {pt}");
            assert_abs(&what, survival.net_benefit[k], binary.net_benefit[k], 1e-12);
            assert_abs(&what, survival.treat_all[k], binary.treat_all[k], 1e-12);
        }
        // A useful model beats both default strategies somewhere.
        let best_gain = thresholds
            .iter()
            .enumerate()
            .map(|(k, _)| binary.net_benefit[k] - binary.treat_all[k].max(0.0))
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(
            best_gain > 0.0,
            "{dataset}: the model never beats treat-all and treat-none"
        );
    }
}
