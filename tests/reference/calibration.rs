//! Calibration against reference values on pbc, veteran and rossi.
//!
//! No reference tool output exists for calibration tables themselves, so the
//! checks use facts that follow from other reference results:
//! - R 4.2.2 `glm` fitted probabilities (the `__logistic.json` files) solve
//!   the likelihood equations on their own data. So their calibration
//!   intercept is 0 and their slope 1, and shrinking their logits by a known
//!   factor must give that factor back.
//! - The Brier score of those probabilities is `rms::lrm`'s `Brier`.
//! - The observed S(t) of a group is R survival 3.5.3 `survfit` by group
//!   (the `__kaplan_meier.json` files) at t.
//! - Cox-predicted survival (the `__brier_score.json` files) on its own data
//!   is close to Kaplan–Meier within predicted-risk deciles.

use serde_json::Value;
use tace_registry::stats::km::Groups;
use tace_registry::stats::logistic::{expit, logit};
use tace_registry::stats::metrics::calibration::{
    Grouping, binary_calibration, survival_calibration,
};

use crate::common::{assert_abs, assert_rel, case, expected, floats, optional_floats, tol};

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// Absolute tolerance for the calibration intercept and slope of R's fitted
/// probabilities: glm stops at a relative deviance change of 1e-8, so its
/// coefficients sit within about 1e-7 of the optimum.
const REFIT_ABS: f64 = 1e-6;

/// Read the outcome and R's fitted probabilities of a `__logistic.json` file.
fn glm_predictions(reference: &Value) -> (Vec<f64>, Vec<bool>) {
    let input = &reference["input"];
    let predicted = floats(&input["fitted_probability"]);
    let outcome = floats(&input["y"]).iter().map(|&y| y == 1.0).collect();
    (predicted, outcome)
}

#[test]
fn glm_fit_calibrated_on_its_data() {
    for dataset in DATASETS {
        let reference = expected(dataset, "logistic");
        let (predicted, outcome) = glm_predictions(&reference);
        let result = binary_calibration(&predicted, &outcome, &Grouping::deciles()).unwrap();
        let what = |name: &str| format!("{dataset} {name}");
        assert_abs(
            &what("intercept"),
            result.intercept.estimate,
            0.0,
            REFIT_ABS,
        );
        assert_abs(&what("slope"), result.slope.estimate, 1.0, REFIT_ABS);
        assert_abs(
            &what("slope intercept"),
            result.slope_intercept.estimate,
            0.0,
            REFIT_ABS,
        );
        assert!(result.slope.lower < 1.0, "{dataset}: slope interval");
        assert!(result.slope.upper > 1.0, "{dataset}: slope interval");
        assert_abs(
            &what("mean predicted"),
            result.mean_predicted,
            result.observed,
            1e-8,
        );

        let n = reference["input"]["n"].as_u64().unwrap() as usize;
        let events = reference["input"]["n_events"].as_u64().unwrap() as usize;
        assert_eq!((result.n, result.events), (n, events), "{dataset} counts");
        assert_eq!(result.groups.len(), 10, "{dataset} deciles");
        let sizes: usize = result.groups.iter().map(|g| g.n).sum();
        let grouped_events: usize = result.groups.iter().map(|g| g.events).sum();
        assert_eq!(
            (sizes, grouped_events),
            (n, events),
            "{dataset} group totals"
        );
        for pair in result.groups.windows(2) {
            assert!(
                pair[0].max_predicted <= pair[1].min_predicted,
                "{dataset}: deciles overlap"
            );
        }
        let largest = result.groups.iter().map(|g| g.n).max().unwrap();
        let smallest = result.groups.iter().map(|g| g.n).min().unwrap();
        assert!(
            largest - smallest <= 2,
            "{dataset}: deciles of unequal size"
        );
        let hl = result.hosmer_lemeshow.expect("Hosmer–Lemeshow");
        assert_eq!(hl.df, 8);
        assert!(hl.p > 0.0, "{dataset}: Hosmer–Lemeshow p");
        assert!(hl.p <= 1.0, "{dataset}: Hosmer–Lemeshow p");
    }
}

#[test]
fn brier_matches_rms_lrm() {
    for dataset in DATASETS {
        let reference = expected(dataset, "logistic");
        let (predicted, outcome) = glm_predictions(&reference);
        let result = binary_calibration(&predicted, &outcome, &Grouping::deciles()).unwrap();
        let lrm = &case(&reference, "rms_lrm_stats")["result"];
        let brier = lrm["Brier"].as_f64().expect("Brier");
        // lrm fits the same model to its own convergence criterion.
        assert_rel(
            &format!("{dataset} Brier"),
            result.brier,
            brier,
            tol::LOGISTIC,
        );
    }
}

#[test]
fn shrunk_logits_give_the_shrinkage_back() {
    // With p' = expit(a + b logit(p)) and p the maximum-likelihood fit, the
    // recalibration fit of y on logit(p') reproduces p, so its slope is 1/b
    // and its intercept -a/b.
    let (a, b) = (0.2, 0.5);
    for dataset in DATASETS {
        let reference = expected(dataset, "logistic");
        let (predicted, outcome) = glm_predictions(&reference);
        let shrunk: Vec<f64> = predicted.iter().map(|&p| expit(a + b * logit(p))).collect();
        let result = binary_calibration(&shrunk, &outcome, &Grouping::deciles()).unwrap();
        assert_abs(
            &format!("{dataset} slope"),
            result.slope.estimate,
            1.0 / b,
            2.0 * REFIT_ABS,
        );
        assert_abs(
            &format!("{dataset} slope intercept"),
            result.slope_intercept.estimate,
            -a / b,
            2.0 * REFIT_ABS,
        );
    }
}

/// The value of a `survfit` column at time `t`, read as a step function.
fn step_value(times: &[f64], values: &[Option<f64>], t: f64) -> Option<f64> {
    match times.partition_point(|&s| s <= t) {
        0 => Some(1.0),
        k => values[k - 1],
    }
}

#[test]
fn observed_survival_matches_survfit_by_group() {
    for dataset in DATASETS {
        let reference = expected(dataset, "kaplan_meier");
        let grouped = reference["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                c["case"].as_str().unwrap().ends_with("__log") && !c["input"]["group"].is_null()
            })
            .expect("a by-group case with log intervals");
        let overall = &case(&reference, "overall__log")["result"]["curves"][0];
        let column = grouped["input"]["group"].as_str().unwrap();

        let frame = crate::logistic::reference_frame(&reference);
        let rows = frame.complete_rows(&["time", "event", column]).unwrap();
        let time = frame.numeric("time", &rows).unwrap();
        let event = frame.binary("event", &rows).unwrap();
        let labels: Vec<String> = frame
            .text(column, &rows)
            .unwrap()
            .into_iter()
            .map(|level| format!("{column}={level}"))
            .collect();
        let groups = Groups::from_labels(&labels, &[]).unwrap();
        // The predictions do not affect the observed side of given groups.
        let predicted = vec![0.5; time.len()];

        let last = floats(&overall["time"]).last().copied().unwrap();
        for fraction in [0.2, 0.5, 0.8] {
            let at = (last * fraction).round();
            let given = Grouping::Given(groups.clone());
            let result = survival_calibration(&predicted, &time, &event, at, &given).unwrap();
            let what = format!("{dataset} t = {at}");
            let overall_times = floats(&overall["time"]);
            let surv = step_value(&overall_times, &optional_floats(&overall["surv"]), at);
            assert_rel(
                &format!("{what} overall"),
                result.observed,
                surv.unwrap(),
                tol::KM,
            );

            let curves = grouped["result"]["curves"].as_array().unwrap();
            assert_eq!(result.groups.len(), curves.len(), "{what}: groups");
            for (group, curve) in result.groups.iter().zip(curves) {
                assert_eq!(group.name, curve["stratum"].as_str().unwrap(), "{what}");
                let times = floats(&curve["time"]);
                for (actual, key) in [
                    (group.observed, "surv"),
                    (group.lower, "lower"),
                    (group.upper, "upper"),
                ] {
                    let expected = step_value(&times, &optional_floats(&curve[key]), at);
                    let label = format!("{what} {} {key}", group.name);
                    match (actual, expected) {
                        (Some(a), Some(e)) => assert_rel(&label, a, e, tol::KM),
                        (a, e) => assert_eq!(a, e, "{label}"),
                    }
                }
            }
        }
    }
}

#[test]
fn cox_survival_close_to_km_by_decile() {
    for dataset in DATASETS {
        let reference = expected(dataset, "brier_score");
        let input = &reference["input"];
        let time = floats(&input["time"]);
        let event: Vec<bool> = floats(&input["event"]).iter().map(|&e| e == 1.0).collect();
        let times = floats(&input["times"]);
        let matrix = input["predicted_survival"].as_array().unwrap();
        for (k, &at) in times.iter().enumerate() {
            let predicted: Vec<f64> = matrix.iter().map(|row| floats(row)[k]).collect();
            let result =
                survival_calibration(&predicted, &time, &event, at, &Grouping::deciles()).unwrap();
            let what = format!("{dataset} t = {at}");
            assert_eq!(result.n, time.len(), "{what}: n");
            assert_eq!(result.groups.len(), 10, "{what}: deciles");
            // A Cox model on its own data predicts the marginal survival
            // closely. Within deciles of 13 to 44 subjects the Kaplan–Meier
            // estimate has a standard error of up to about 0.13, so single
            // deciles may stray by twice that, but not the average.
            assert_abs(&what, result.mean_predicted, result.observed, 0.03);
            let mut total_gap = 0.0;
            for group in &result.groups {
                let observed = group.observed.expect("observed S(t)");
                let gap = (group.mean_predicted - observed).abs();
                assert!(gap < 0.3, "{what} decile {}: gap {gap}", group.name);
                total_gap += gap * group.n as f64;
            }
            let mean_gap = total_gap / result.n as f64;
            assert!(mean_gap < 0.1, "{what}: mean gap {mean_gap}");
            let first = result.groups.first().unwrap().observed.unwrap();
            let last = result.groups.last().unwrap().observed.unwrap();
            assert!(
                first < last,
                "{what}: observed survival should rise with prediction"
            );
        }
    }
}
