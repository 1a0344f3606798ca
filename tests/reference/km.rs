//! Kaplan–Meier curves against R survival 3.5.3 `survfit` (files
//! `*__kaplan_meier.json`): every time, count, survival value, standard
//! error, bound and hazard at 1e-9 relative, counts and medians exactly.

use serde_json::Value;
use tace_registry::stats::frame::Frame;
use tace_registry::stats::km::{
    ConfType, GroupCurve, Groups, KaplanMeier, KmSettings, kaplan_meier_by_group, kaplan_meier_with,
};

use crate::common::{
    assert_all_rel, assert_rel, case, data_path, expected, floats, integers, optional_floats, tol,
};

const DATASETS: [&str; 3] = ["pbc", "veteran", "rossi"];

/// The CSV that a reference file reads. Its `data_file` is relative to the
/// folder of the reference tools (`data/pbc.csv`), while the copies here sit
/// directly in `tests/data`, so the leading `data/` is dropped.
pub(crate) fn reference_frame(reference: &Value) -> Frame {
    let file = reference["data_file"].as_str().expect("data_file");
    let name = file.strip_prefix("data/").unwrap_or(file);
    Frame::from_path(&data_path(name)).expect("reference CSV")
}

/// The curves of one case, computed as the case's `call` asks.
fn curves_for(reference: &Value, case: &Value) -> Vec<GroupCurve> {
    let input = &case["input"];
    let frame = reference_frame(reference);
    let settings = KmSettings {
        conf_type: match input["conf_type"].as_str().expect("conf_type") {
            "log" => ConfType::Log,
            "log-log" => ConfType::LogLog,
            other => panic!("unknown conf_type {other}"),
        },
        conf_level: input["conf_int"].as_f64().expect("conf_int"),
    };
    let group = input["group"].as_str();
    let mut needed = vec!["time", "event"];
    needed.extend(group);
    let rows = frame.complete_rows(&needed).expect("columns");
    assert_eq!(rows.len() as i64, input["n_rows"].as_i64().expect("n_rows"));
    let time = frame.numeric("time", &rows).expect("time");
    let event = frame.binary("event", &rows).expect("event");
    match group {
        None => vec![GroupCurve {
            name: "all".into(),
            curve: kaplan_meier_with(&time, &event, &settings).expect("fit"),
        }],
        Some(column) => {
            let labels = frame.text(column, &rows).expect("group");
            let groups = Groups::from_labels(&labels, &[]).expect("groups");
            let mut curves = kaplan_meier_by_group(&time, &event, &groups, &settings).expect("fit");
            for curve in &mut curves {
                curve.name = format!("{column}={}", curve.name);
            }
            curves
        }
    }
}

fn usizes(value: &Value) -> Vec<usize> {
    integers(value).into_iter().map(|v| v as usize).collect()
}

/// Compare optional values: `None` exactly where R has NA.
#[track_caller]
fn assert_optional(what: &str, actual: &[Option<f64>], expected: &[Option<f64>]) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        match (a, e) {
            (Some(a), Some(e)) => assert_rel(&format!("{what}[{i}]"), *a, *e, tol::KM),
            (None, None) => {}
            _ => panic!("{what}[{i}]: got {a:?}, expected {e:?}"),
        }
    }
}

fn check_curve(what: &str, curve: &KaplanMeier, expected: &Value) {
    assert_eq!(
        curve.n as i64,
        expected["n"].as_i64().expect("n"),
        "{what}: n"
    );
    assert_eq!(
        curve.events as i64,
        expected["events"].as_i64().expect("events")
    );
    assert_eq!(curve.time, floats(&expected["time"]), "{what}: time");
    assert_eq!(curve.n_risk, usizes(&expected["n_risk"]), "{what}: n_risk");
    assert_eq!(
        curve.n_event,
        usizes(&expected["n_event"]),
        "{what}: n_event"
    );
    assert_eq!(
        curve.n_censor,
        usizes(&expected["n_censor"]),
        "{what}: n_censor"
    );
    assert_all_rel(
        &format!("{what} surv"),
        &curve.surv,
        &floats(&expected["surv"]),
        tol::KM,
    );
    assert_optional(
        &format!("{what} std_err"),
        &curve.std_err,
        &optional_floats(&expected["std_err"]),
    );
    let se_surv: Vec<Option<f64>> = curve
        .std_err
        .iter()
        .zip(&curve.surv)
        .map(|(se, s)| se.map(|se| se * s))
        .collect();
    assert_optional(
        &format!("{what} std_err_surv"),
        &se_surv,
        &optional_floats(&expected["std_err_surv"]),
    );
    assert_optional(
        &format!("{what} lower"),
        &curve.lower,
        &optional_floats(&expected["lower"]),
    );
    assert_optional(
        &format!("{what} upper"),
        &curve.upper,
        &optional_floats(&expected["upper"]),
    );
    assert_all_rel(
        &format!("{what} cumhaz"),
        &curve.cumhaz,
        &floats(&expected["cumhaz"]),
        tol::KM,
    );
    assert_all_rel(
        &format!("{what} std_chaz"),
        &curve.std_chaz,
        &floats(&expected["std_chaz"]),
        tol::KM,
    );
    assert_eq!(curve.median, expected["median"].as_f64(), "{what}: median");
    assert_eq!(
        curve.median_lower,
        expected["median_lower"].as_f64(),
        "{what}: median_lower"
    );
    assert_eq!(
        curve.median_upper,
        expected["median_upper"].as_f64(),
        "{what}: median_upper"
    );
}

fn check_dataset(dataset: &str) {
    let reference = expected(dataset, "kaplan_meier");
    let cases = reference["cases"].as_array().expect("cases");
    assert!(!cases.is_empty(), "{dataset}: no cases");
    for case in cases {
        let name = format!("{dataset} {}", case["case"].as_str().unwrap_or("?"));
        let curves = curves_for(&reference, case);
        let expected_curves = case["result"]["curves"].as_array().expect("curves");
        assert_eq!(
            curves.len(),
            expected_curves.len(),
            "{name}: number of curves"
        );
        for (curve, exp) in curves.iter().zip(expected_curves) {
            assert_eq!(
                curve.name,
                exp["stratum"].as_str().expect("stratum"),
                "{name}"
            );
            check_curve(&format!("{name} {}", curve.name), &curve.curve, exp);
        }
    }
}

#[test]
fn km_pbc_matches_survfit() {
    check_dataset("pbc");
}

#[test]
fn km_veteran_matches_survfit() {
    check_dataset("veteran");
}

#[test]
fn km_rossi_matches_survfit() {
    check_dataset("rossi");
}

#[test]
fn km_reference_files_have_all_cases() {
    // Each file holds overall and grouped curves for both interval types.
    for dataset in DATASETS {
        let reference = expected(dataset, "kaplan_meier");
        assert_eq!(
            reference["cases"].as_array().map(Vec::len),
            Some(4),
            "{dataset}"
        );
        let overall = case(&reference, "overall__log_log");
        assert_eq!(overall["input"]["conf_type"], "log-log");
    }
}

#[test]
fn km_survival_at_steps_on_pbc() {
    // S(t) is right-continuous: at an event time it already includes that
    // time's drop, and between times it keeps the last value.
    let reference = expected("pbc", "kaplan_meier");
    let frame = reference_frame(&reference);
    let rows = frame.complete_rows(&["time", "event"]).expect("columns");
    let time = frame.numeric("time", &rows).expect("time");
    let event = frame.binary("event", &rows).expect("event");
    let km = kaplan_meier_with(&time, &event, &KmSettings::default()).expect("fit");
    for (i, &t) in km.time.iter().enumerate() {
        assert_eq!(km.survival_at(t), km.surv[i], "at {t}");
        if i + 1 < km.time.len() {
            let mid = (t + km.time[i + 1]) / 2.0;
            assert_eq!(km.survival_at(mid), km.surv[i], "between {t} and next");
        }
    }
    assert_eq!(km.survival_at(km.time[0] - 1.0), 1.0);
}
