//! Log-rank and Peto & Peto tests against R survival 3.5.3 `survdiff`
//! (files `*__logrank.json`): observed, expected, variance, chi-square and
//! p at 1e-9 relative, group sizes and degrees of freedom exactly.

use serde_json::Value;
use tace_registry::stats::StatsError;
use tace_registry::stats::km::Groups;
use tace_registry::stats::logrank::{LogRank, logrank};

use crate::common::{assert_all_rel, assert_rel, expected, floats, integers, strings, tol};
use crate::km::reference_frame;

/// R factor levels of the string-coded groups (first = reference), as the
/// data sets define them; numeric groups are sorted by value.
fn level_order(column: &str) -> Vec<String> {
    let levels: &[&str] = match column {
        "celltype" => &["squamous", "smallcell", "adeno", "large"],
        "prio_group" => &["0", "1-3", "4+"],
        _ => &[],
    };
    levels.iter().map(|s| s.to_string()).collect()
}

/// rossi `prio_group`: "0" for no prior convictions, "1-3", and "4+".
pub(crate) fn prio_group(prio: f64) -> String {
    if prio == 0.0 {
        "0".into()
    } else if prio <= 3.0 {
        "1-3".into()
    } else {
        "4+".into()
    }
}

fn run_case(reference: &Value, case: &Value) -> LogRank {
    let input = &case["input"];
    let column = input["group"].as_str().expect("group");
    let frame = reference_frame(reference);
    let source = if column == "prio_group" {
        "prio"
    } else {
        column
    };
    let rows = frame
        .complete_rows(&["time", "event", source])
        .expect("columns");
    assert_eq!(rows.len() as i64, input["n_used"].as_i64().expect("n_used"));
    let time = frame.numeric("time", &rows).expect("time");
    let event = frame.binary("event", &rows).expect("event");
    let labels: Vec<String> = if column == "prio_group" {
        let prio = frame.numeric("prio", &rows).expect("prio");
        prio.into_iter().map(prio_group).collect()
    } else {
        frame.text(column, &rows).expect("group")
    };
    let mut groups = Groups::from_labels(&labels, &level_order(column)).expect("groups");
    for name in &mut groups.names {
        *name = format!("{column}={name}");
    }
    let rho = input["rho"].as_f64().expect("rho");
    logrank(&time, &event, &groups, rho).expect("test")
}

fn check_dataset(dataset: &str) {
    let reference = expected(dataset, "logrank");
    let cases = reference["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 4, "{dataset}: cases");
    for case in cases {
        let name = format!("{dataset} {}", case["case"].as_str().unwrap_or("?"));
        let fit = run_case(&reference, case);
        let result = &case["result"];
        assert_eq!(fit.groups, strings(&result["groups"]), "{name}: groups");
        let n: Vec<i64> = fit.n.iter().map(|&n| n as i64).collect();
        assert_eq!(n, integers(&result["n"]), "{name}: n");
        assert_all_rel(
            &format!("{name} observed"),
            &fit.observed,
            &floats(&result["observed"]),
            tol::LOGRANK,
        );
        assert_all_rel(
            &format!("{name} expected"),
            &fit.expected,
            &floats(&result["expected"]),
            tol::LOGRANK,
        );
        let rows = result["variance"].as_array().expect("variance");
        assert_eq!(fit.variance.len(), rows.len(), "{name}: variance rows");
        for (i, (row, exp)) in fit.variance.iter().zip(rows).enumerate() {
            assert_all_rel(
                &format!("{name} variance[{i}]"),
                row,
                &floats(exp),
                tol::LOGRANK,
            );
        }
        assert_rel(
            &format!("{name} chisq"),
            fit.chisq,
            result["chisq"].as_f64().expect("chisq"),
            tol::LOGRANK,
        );
        assert_eq!(
            fit.df as i64,
            result["df"].as_i64().expect("df"),
            "{name}: df"
        );
        assert_rel(
            &format!("{name} p"),
            fit.p,
            result["p"].as_f64().expect("p"),
            tol::LOGRANK,
        );
    }
}

#[test]
fn logrank_pbc_matches_survdiff() {
    check_dataset("pbc");
}

#[test]
fn logrank_veteran_matches_survdiff() {
    check_dataset("veteran");
}

#[test]
fn logrank_rossi_matches_survdiff() {
    check_dataset("rossi");
}

#[test]
fn logrank_one_group_of_pbc_rejected() {
    // Only the trt = 1 arm: there is nothing to compare it with.
    let reference = expected("pbc", "logrank");
    let frame = reference_frame(&reference);
    let rows = frame
        .complete_rows(&["time", "event", "trt"])
        .expect("columns");
    let trt = frame.text("trt", &rows).expect("trt");
    let arm: Vec<usize> = rows
        .iter()
        .copied()
        .zip(&trt)
        .filter(|(_, t)| *t == "1")
        .map(|(r, _)| r)
        .collect();
    let time = frame.numeric("time", &arm).expect("time");
    let event = frame.binary("event", &arm).expect("event");
    let groups = Groups::from_labels(&vec!["1".to_string(); arm.len()], &[]).expect("groups");
    let err = logrank(&time, &event, &groups, 0.0).unwrap_err();
    assert_eq!(err, StatsError::SingleGroup { group: "1".into() });
}
