//! Propensity score matching and balance tables against R MatchIt 4.5.1
//! (`tests/data/expected/*__propensity_matching.json`), with the stored
//! propensity scores as input.
//!
//! The caliper width and the balance tables at 1e-6 relative; the pairs,
//! their order and the unmatched treated subjects exactly against
//! `pairs_caliper_enforced`. MatchIt 4.5.1 does not enforce the caliper, so
//! its own `pairs` are not what the matching must produce; its
//! `balance_after` table is checked by computing the balance of those pairs.

use serde_json::Value;
use tace_registry::stats::matching::{
    BalanceRow, Covariate, MatchedPair, MatchingSettings, balance_after, balance_before,
    nearest_neighbor_match,
};

use crate::common::{close, expected, floats, integers, strings, tol};
use crate::concordance::{reference_frame, rows_by_id};

const DATASETS: [&str; 2] = ["pbc", "rossi"];

/// Values within `tol::MATCHING` relative, or 1e-12 absolute near zero.
const ABS_FLOOR: f64 = 1e-12;

/// The inputs of one matching file, aligned with its `row_ids`.
struct Inputs {
    ids: Vec<i64>,
    treated: Vec<bool>,
    ps: Vec<f64>,
    /// Balance-table row names and their values (`distance` is the score).
    covariates: Vec<(String, Vec<f64>)>,
}

/// A covariate column by balance-table name: a CSV column, or a factor
/// level spelled column then level (`sexm`), as R's `model.matrix` names it.
fn covariate(reference: &Value, name: &str) -> Vec<f64> {
    let frame = reference_frame(reference);
    let rows = rows_by_id(&frame, reference);
    if frame.columns().iter().any(|c| c == name) {
        return frame.numeric(name, &rows).expect("numeric covariate");
    }
    let levels = reference["input"]["factor_levels"]
        .as_object()
        .expect("factor_levels");
    for (factor, factor_levels) in levels {
        for level in strings(factor_levels) {
            if format!("{factor}{level}") == name {
                let text = frame.text(factor, &rows).expect("factor column");
                return text
                    .iter()
                    .map(|v| if *v == level { 1.0 } else { 0.0 })
                    .collect();
            }
        }
    }
    panic!("no column or factor level for balance row `{name}`");
}

fn inputs(reference: &Value) -> Inputs {
    let result = &reference["cases"][0]["result"];
    let ps = floats(&result["propensity_score"]);
    let names = strings(&result["balance_before"]["rows"]);
    let covariates = names
        .into_iter()
        .map(|name| {
            let values = if name == "distance" {
                ps.clone()
            } else {
                covariate(reference, &name)
            };
            (name, values)
        })
        .collect();
    Inputs {
        ids: integers(&reference["input"]["row_ids"]),
        treated: integers(&reference["input"]["treat"])
            .iter()
            .map(|&t| t == 1)
            .collect(),
        ps,
        covariates,
    }
}

fn check_value(what: &str, got: Option<f64>, expected: &Value) {
    match (got, expected.as_f64()) {
        (Some(g), Some(e)) => assert!(
            close(g, e, tol::MATCHING, ABS_FLOOR),
            "{what}: got {g:.15e}, expected {e:.15e}"
        ),
        (None, None) => {}
        (g, _) => panic!("{what}: got {g:?}, expected {expected}"),
    }
}

/// Compare a computed balance table with a MatchIt one, column by column.
fn check_balance(what: &str, got: &[BalanceRow], table: &Value) {
    let names = strings(&table["rows"]);
    assert_eq!(got.len(), names.len(), "{what}: rows");
    for (k, row) in got.iter().enumerate() {
        assert_eq!(row.name, names[k], "{what}: row {k}");
        let cell = |column: &str| &table[column][k];
        let at = |column: &str| format!("{what} {} {column}", row.name);
        check_value(
            &at("means_treated"),
            Some(row.mean_treated),
            cell("means_treated"),
        );
        check_value(
            &at("means_control"),
            Some(row.mean_control),
            cell("means_control"),
        );
        check_value(
            &at("std_mean_diff"),
            row.std_mean_diff,
            cell("std_mean_diff"),
        );
        check_value(&at("var_ratio"), row.var_ratio, cell("var_ratio"));
        check_value(&at("ecdf_mean"), Some(row.ecdf_mean), cell("ecdf_mean"));
        check_value(&at("ecdf_max"), Some(row.ecdf_max), cell("ecdf_max"));
        check_value(
            &at("std_pair_dist"),
            row.std_pair_dist,
            cell("std_pair_dist"),
        );
    }
}

fn index_of(ids: &[i64], id: &Value) -> usize {
    let id = id.as_i64().expect("integer id");
    ids.iter()
        .position(|&v| v == id)
        .unwrap_or_else(|| panic!("id {id} not in row_ids"))
}

#[test]
fn matching_pairs_and_caliper() {
    for dataset in DATASETS {
        let reference = expected(dataset, "propensity_matching");
        let result = &reference["cases"][0]["result"];
        let input = inputs(&reference);
        let got = nearest_neighbor_match(&input.ps, &input.treated, &MatchingSettings::default())
            .expect("matching");

        let width = result["caliper_width_distance_units"]
            .as_f64()
            .expect("caliper");
        check_value(
            &format!("{dataset} caliper width"),
            Some(got.caliper_width),
            &json(width),
        );

        let enforced = &result["pairs_caliper_enforced"];
        let id = |i: usize| input.ids[i];
        let treated_ids: Vec<i64> = got.pairs.iter().map(|p| id(p.treated)).collect();
        let control_ids: Vec<i64> = got.pairs.iter().map(|p| id(p.control)).collect();
        let unmatched: Vec<i64> = got.unmatched_treated.iter().map(|&i| id(i)).collect();
        assert_eq!(
            treated_ids,
            integers(&enforced["treated_id"]),
            "{dataset}: treated ids"
        );
        assert_eq!(
            control_ids,
            integers(&enforced["control_id"]),
            "{dataset}: control ids"
        );
        assert_eq!(
            unmatched,
            integers(&enforced["unmatched_treated_ids"]),
            "{dataset}: unmatched"
        );

        let n_treated = input.treated.iter().filter(|&&t| t).count();
        let n_control = input.treated.len() - n_treated;
        assert_eq!(
            result["nn"]["treated"][1], n_treated as u64,
            "{dataset}: all treated"
        );
        assert_eq!(
            result["nn"]["control"][1], n_control as u64,
            "{dataset}: all controls"
        );
    }
}

fn json(value: f64) -> Value {
    Value::from(value)
}

#[test]
fn matching_balance_before() {
    for dataset in DATASETS {
        let reference = expected(dataset, "propensity_matching");
        let input = inputs(&reference);
        let covariates: Vec<Covariate<'_>> = input
            .covariates
            .iter()
            .map(|(name, values)| Covariate { name, values })
            .collect();
        let got = balance_before(&covariates, &input.treated).expect("balance before");
        let table = &reference["cases"][0]["result"]["balance_before"];
        check_balance(&format!("{dataset} before"), &got, table);
    }
}

#[test]
fn matching_balance_of_matchit_pairs() {
    // MatchIt's balance_after comes from its own (caliper-violating) pairs,
    // so the same pairs must reproduce it.
    for dataset in DATASETS {
        let reference = expected(dataset, "propensity_matching");
        let result = &reference["cases"][0]["result"];
        let input = inputs(&reference);
        let treated_ids = result["pairs"]["treated_id"]
            .as_array()
            .expect("treated ids");
        let control_ids = result["pairs"]["control_id"]
            .as_array()
            .expect("control ids");
        let pairs: Vec<MatchedPair> = treated_ids
            .iter()
            .zip(control_ids)
            .map(|(t, c)| MatchedPair {
                treated: index_of(&input.ids, t),
                control: index_of(&input.ids, c),
            })
            .collect();
        assert_eq!(
            pairs.len() as u64,
            result["n_treated_matched"],
            "{dataset}: pairs"
        );
        let covariates: Vec<Covariate<'_>> = input
            .covariates
            .iter()
            .map(|(name, values)| Covariate { name, values })
            .collect();
        let got = balance_after(&covariates, &input.treated, &pairs).expect("balance after");
        check_balance(&format!("{dataset} after"), &got, &result["balance_after"]);
    }
}

#[test]
fn matching_balance_after_enforced_pairs_shrinks_distance_gap() {
    // With the caliper enforced the matched propensity scores are closer
    // than in MatchIt's pairs: every pair lies within the caliper.
    let reference = expected("pbc", "propensity_matching");
    let input = inputs(&reference);
    let got = nearest_neighbor_match(&input.ps, &input.treated, &MatchingSettings::default())
        .expect("matching");
    for pair in &got.pairs {
        let distance = (input.ps[pair.treated] - input.ps[pair.control]).abs();
        assert!(
            distance <= got.caliper_width,
            "pair {pair:?} is {distance} apart"
        );
    }
}
