//! Logistic regression and DeLong AUC against R 4.2.2 `glm(family =
//! binomial)` and pROC 1.18.0 on the derived binary outcomes of pbc,
//! veteran and rossi, and the propensity-score model of the matching files
//! (MatchIt 4.5.1, `distance = "glm"`).

use std::collections::BTreeMap;

use serde_json::Value;
use tace_registry::stats::frame::{DesignSpec, Frame};
use tace_registry::stats::logistic::{LogisticFit, LogisticSettings, fit_logistic};
use tace_registry::stats::metrics::auc::delong_auc;

use crate::common::{
    assert_abs, assert_all_rel, assert_rel, case, data_path, expected, floats, integers, strings,
    tol,
};

/// The CSV a reference file reads. Its `data_file` is relative to the
/// reference folder (`data/pbc.csv`), whose `data/` is `tests/data` here.
pub fn reference_frame(reference: &Value) -> Frame {
    let file = reference["data_file"].as_str().expect("data_file");
    let name = file.strip_prefix("data/").unwrap_or(file);
    Frame::from_path(&data_path(name)).expect("reference CSV")
}

/// Right-hand-side terms of an R formula `y ~ a + b + c`.
fn formula_terms(formula: &str) -> Vec<String> {
    let rhs = formula
        .split('~')
        .nth(1)
        .expect("formula has a right-hand side");
    rhs.split('+').map(|t| t.trim().to_string()).collect()
}

/// Design specification with the file's declared factors and level orders.
pub fn spec_of(reference: &Value, covariates: &[String]) -> DesignSpec {
    let mut levels = BTreeMap::new();
    let declared = reference["factor_levels"]
        .as_object()
        .or_else(|| reference["input"]["factor_levels"].as_object());
    for (name, list) in declared.into_iter().flatten() {
        levels.insert(name.clone(), strings(list));
    }
    let factors = covariates
        .iter()
        .filter(|c| levels.contains_key(*c))
        .cloned()
        .collect();
    DesignSpec {
        covariates: covariates.to_vec(),
        factors,
        levels,
    }
}

/// R's coefficient name of a design column: `celltype=adeno` is
/// `celltypeadeno`.
fn r_name(name: &str) -> String {
    name.replace('=', "")
}

/// Fit the glm case of a `__logistic.json` file on its data file.
fn fit_reference(reference: &Value) -> (LogisticFit, Vec<bool>) {
    let frame = reference_frame(reference);
    let glm = case(reference, "glm_binomial");
    let covariates = formula_terms(glm["input"]["formula"].as_str().unwrap());
    let mut needed: Vec<&str> = vec!["y"];
    needed.extend(covariates.iter().map(String::as_str));
    let rows = frame.complete_rows(&needed).unwrap();
    let ids = frame.numeric("id", &rows).unwrap();
    let expected_ids = integers(&reference["input"]["row_ids"]);
    assert_eq!(ids.len(), expected_ids.len(), "rows used");
    for (id, expected) in ids.iter().zip(&expected_ids) {
        assert_eq!(*id as i64, *expected, "row ids");
    }
    let y = frame.binary("y", &rows).unwrap();
    let design = frame
        .design(&spec_of(reference, &covariates), &rows)
        .unwrap();
    let fit = fit_logistic(&design.x, &design.names, &y, &LogisticSettings::default()).unwrap();
    (fit, y)
}

fn check_glm(dataset: &str) {
    let reference = expected(dataset, "logistic");
    let (fit, _) = fit_reference(&reference);
    let result = &case(&reference, "glm_binomial")["result"];

    let names: Vec<String> = fit.names.iter().map(|n| r_name(n)).collect();
    assert_eq!(names, strings(&result["terms"]), "{dataset} terms");
    assert_all_rel("coef", &fit.coef, &floats(&result["coef"]), tol::LOGISTIC);
    // The SE is computed as R computes it (weights of the step before the
    // last), so it is held to the coefficient tolerance, not the looser
    // LOGISTIC_SE allowance for an SE taken at the optimum.
    assert_all_rel("se", &fit.se, &floats(&result["se"]), tol::LOGISTIC);
    assert_all_rel("z", &fit.z, &floats(&result["z"]), tol::LOGISTIC);
    assert_all_rel("p", &fit.p, &floats(&result["p"]), tol::LOGISTIC);
    assert_rel(
        "deviance",
        fit.deviance,
        result["deviance"].as_f64().unwrap(),
        tol::LOGISTIC,
    );
    let null = result["null_deviance"].as_f64().unwrap();
    assert_rel("null deviance", fit.null_deviance, null, tol::LOGISTIC);
    assert_rel(
        "aic",
        fit.aic,
        result["aic"].as_f64().unwrap(),
        tol::LOGISTIC,
    );
    assert_rel(
        "loglik",
        fit.loglik,
        result["loglik"].as_f64().unwrap(),
        tol::LOGISTIC,
    );
    assert_eq!(
        fit.df_residual as i64,
        result["df_residual"].as_i64().unwrap()
    );
    assert_eq!(fit.df_null as i64, result["df_null"].as_i64().unwrap());
    assert_eq!(
        fit.iterations as i64,
        result["iterations"].as_i64().unwrap()
    );
    for (i, row) in result["vcov"].as_array().unwrap().iter().enumerate() {
        assert_all_rel(
            &format!("vcov row {i}"),
            &fit.vcov[i],
            &floats(row),
            tol::LOGISTIC,
        );
    }
    let fitted = floats(&reference["input"]["fitted_probability"]);
    assert_all_rel("fitted probability", &fit.fitted, &fitted, tol::LOGISTIC);
}

fn check_delong(dataset: &str) {
    let reference = expected(dataset, "logistic");
    let (fit, y) = fit_reference(&reference);
    let result = &case(&reference, "proc_delong")["result"];
    let auc = delong_auc(&fit.fitted, &y, 0.95).unwrap();
    assert_eq!(auc.n_cases as i64, result["n_cases"].as_i64().unwrap());
    assert_eq!(
        auc.n_controls as i64,
        result["n_controls"].as_i64().unwrap()
    );
    assert_abs(
        "auc",
        auc.auc,
        result["auc"].as_f64().unwrap(),
        tol::AUC_ABS,
    );
    let variance = result["delong_variance"].as_f64().unwrap();
    assert_rel("DeLong variance", auc.variance, variance, tol::DELONG);
    assert_rel(
        "lower",
        auc.lower,
        result["ci_lower"].as_f64().unwrap(),
        tol::DELONG,
    );
    assert_rel(
        "upper",
        auc.upper,
        result["ci_upper"].as_f64().unwrap(),
        tol::DELONG,
    );
}

#[test]
fn glm_pbc() {
    check_glm("pbc");
}

#[test]
fn glm_veteran() {
    check_glm("veteran");
}

#[test]
fn glm_rossi() {
    check_glm("rossi");
}

#[test]
fn delong_pbc() {
    check_delong("pbc");
}

#[test]
fn delong_veteran() {
    check_delong("veteran");
}

#[test]
fn delong_rossi() {
    check_delong("rossi");
}

/// The DeLong AUC computed from R's own fitted probabilities, so that the
/// AUC check does not depend on the glm fit.
#[test]
fn delong_on_stored_probabilities() {
    for dataset in ["pbc", "veteran", "rossi"] {
        let reference = expected(dataset, "logistic");
        let p = floats(&reference["input"]["fitted_probability"]);
        let y: Vec<bool> = integers(&reference["input"]["y"])
            .iter()
            .map(|&v| v == 1)
            .collect();
        let result = &case(&reference, "proc_delong")["result"];
        let auc = delong_auc(&p, &y, 0.95).unwrap();
        assert_abs(
            "auc",
            auc.auc,
            result["auc"].as_f64().unwrap(),
            tol::AUC_ABS,
        );
        let variance = result["delong_variance"].as_f64().unwrap();
        assert_rel("DeLong variance", auc.variance, variance, tol::DELONG);
    }
}

/// The propensity model `glm(treat ~ covariates, family = binomial)` that
/// MatchIt fits, with `treat` defined by the file's treatment column and
/// value, and its fitted propensity scores.
fn check_propensity(dataset: &str) {
    let reference = expected(dataset, "propensity_matching");
    let input = &reference["input"];
    let frame = reference_frame(&reference);
    let covariates = formula_terms(input["formula"].as_str().unwrap());
    let treatment = input["treatment"].as_str().unwrap();
    let mut needed: Vec<&str> = vec![treatment];
    needed.extend(covariates.iter().map(String::as_str));
    let rows = frame.complete_rows(&needed).unwrap();
    assert_eq!(
        rows.len() as i64,
        input["n"].as_i64().unwrap(),
        "{dataset} rows"
    );

    let treat_value = input["treat_value"].as_f64().unwrap();
    let treat: Vec<bool> = frame
        .numeric(treatment, &rows)
        .unwrap()
        .iter()
        .map(|&v| v == treat_value)
        .collect();
    let stored: Vec<bool> = integers(&input["treat"]).iter().map(|&v| v == 1).collect();
    assert_eq!(treat, stored, "{dataset} treatment indicator");

    let design = frame
        .design(&spec_of(&reference, &covariates), &rows)
        .unwrap();
    let fit = fit_logistic(
        &design.x,
        &design.names,
        &treat,
        &LogisticSettings::default(),
    )
    .unwrap();
    let result = &reference["cases"][0]["result"];
    let ps_coef = result["ps_coef"].as_object().unwrap();
    assert_eq!(
        fit.names.len(),
        ps_coef.len(),
        "{dataset} coefficient count"
    );
    for (name, coef) in fit.names.iter().zip(&fit.coef) {
        let expected = ps_coef[&r_name(name)].as_f64().unwrap();
        assert_rel(
            &format!("{dataset} ps_coef {name}"),
            *coef,
            expected,
            tol::MATCHING,
        );
    }
    let scores = floats(&result["propensity_score"]);
    assert_all_rel("propensity score", &fit.fitted, &scores, tol::MATCHING);
}

#[test]
fn propensity_model_pbc() {
    check_propensity("pbc");
}

#[test]
fn propensity_model_rossi() {
    check_propensity("rossi");
}
