//! Cox regression against R survival 3.5.3 `coxph`, `summary.coxph`,
//! `basehaz` and `survfit.coxph` (files `*__cox_ph.json`): coefficients,
//! standard errors, tests, log-likelihoods, AIC, linear predictors,
//! predicted curves and baseline hazards at 1e-6 relative; iterations,
//! counts and concordance pairs exactly; C at 1e-9 absolute.

use nalgebra::DMatrix;
use serde_json::Value;
use tace_registry::stats::cox::{
    self, CoxFit, CoxSettings, CoxSummary, TestStatistic, Ties, basehaz, predict_survival,
};
use tace_registry::stats::frame::{Design, DesignSpec, Frame};

use crate::common::{
    assert_abs, assert_rel, close, data_path, expected, floats, integers, optional_floats, strings,
    tol,
};
use crate::km::reference_frame;
use crate::logrank::prio_group;

/// One case, prepared for fitting.
pub(crate) struct CaseData {
    pub frame: Frame,
    pub rows: Vec<usize>,
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    pub design: Design,
}

/// rossi with the derived `prio_group` column that the reference defines.
pub(crate) fn rossi_with_prio_group() -> Frame {
    let text = std::fs::read_to_string(data_path("rossi.csv")).expect("rossi.csv");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let prio_at = header.split(',').position(|c| c == "prio").expect("prio");
    let mut out = format!("{header},prio_group\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let prio: f64 = line
            .split(',')
            .nth(prio_at)
            .and_then(|v| v.parse().ok())
            .expect("prio");
        out.push_str(&format!("{line},{}\n", prio_group(prio)));
    }
    Frame::from_reader(out.as_bytes(), "rossi.csv with prio_group").expect("frame")
}

/// The frame a reference file reads, with derived variables added.
pub(crate) fn frame_with_derived(reference: &Value) -> Frame {
    if reference["derived_variables"].get("prio_group").is_some() {
        rossi_with_prio_group()
    } else {
        reference_frame(reference)
    }
}

/// Terms of an R formula right-hand side and the columns R treats as
/// factors: `factor(x)` terms, and the string columns of `factor_levels`.
pub(crate) fn design_spec(reference: &Value, terms: &[String]) -> DesignSpec {
    let mut spec = DesignSpec::default();
    let declared = reference["factor_levels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for term in terms {
        let column = term
            .strip_prefix("factor(")
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or(term)
            .to_string();
        if term.starts_with("factor(") {
            spec.factors.push(column.clone());
        }
        if let Some(levels) = declared.get(&column) {
            spec.factors.push(column.clone());
            spec.levels.insert(column.clone(), strings(levels));
        }
        spec.covariates.push(column);
    }
    spec
}

/// Load the complete cases of `terms` and build their design.
pub(crate) fn load_case(reference: &Value, terms: &[String]) -> CaseData {
    let frame = frame_with_derived(reference);
    let spec = design_spec(reference, terms);
    let mut needed = vec!["time", "event"];
    needed.extend(spec.covariates.iter().map(String::as_str));
    let rows = frame.complete_rows(&needed).expect("columns");
    let time = frame.numeric("time", &rows).expect("time");
    let event = frame.binary("event", &rows).expect("event");
    let design = frame.design(&spec, &rows).expect("design");
    CaseData {
        frame,
        rows,
        time,
        event,
        design,
    }
}

/// R's model.matrix name of one of our design columns.
pub(crate) fn r_name(ours: &str, formula: &str) -> String {
    match ours.split_once('=') {
        Some((column, level)) if formula.contains(&format!("factor({column})")) => {
            format!("factor({column}){level}")
        }
        Some((column, level)) => format!("{column}{level}"),
        None => ours.to_string(),
    }
}

fn formula_terms(case: &Value) -> Vec<String> {
    let rhs = case["input"]["formula_rhs"].as_str().expect("formula_rhs");
    rhs.split('+').map(|t| t.trim().to_string()).collect()
}

fn ties_of(case: &Value) -> Ties {
    match case["input"]["ties"].as_str().expect("ties") {
        "efron" => Ties::Efron,
        "breslow" => Ties::Breslow,
        other => panic!("unknown ties {other}"),
    }
}

#[track_caller]
fn assert_vec(what: &str, actual: &[f64], expected: &[f64], rel: f64, abs_floor: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            close(a, e, rel, abs_floor),
            "{what}[{i}]: got {a:.15e}, expected {e:.15e} (relative {rel:e}, absolute floor {abs_floor:e})"
        );
    }
}

fn check_test(what: &str, test: &TestStatistic, expected: &Value, statistic_abs: Option<f64>) {
    let statistic = expected["chisq"].as_f64().expect("chisq");
    match statistic_abs {
        Some(abs) => assert_abs(&format!("{what} statistic"), test.statistic, statistic, abs),
        None => assert_rel(
            &format!("{what} statistic"),
            test.statistic,
            statistic,
            tol::COX,
        ),
    }
    assert_eq!(
        test.df as i64,
        expected["df"].as_i64().expect("df"),
        "{what}: df"
    );
    let p = expected["p"].as_f64().expect("p");
    assert!(
        close(test.p, p, tol::COX, 1e-12),
        "{what} p: got {:e}, expected {p:e}",
        test.p
    );
}

fn check_coefficients(name: &str, summary: &CoxSummary, result: &Value) {
    let rows = &summary.coefficients;
    let column = |f: fn(&cox::CoefficientRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    assert_vec(
        &format!("{name} coef"),
        &column(|r| r.coef),
        &floats(&result["coef"]),
        tol::COX,
        0.0,
    );
    assert_vec(
        &format!("{name} exp_coef"),
        &column(|r| r.hr),
        &floats(&result["exp_coef"]),
        tol::COX,
        0.0,
    );
    assert_vec(
        &format!("{name} se"),
        &column(|r| r.se),
        &floats(&result["se"]),
        tol::COX,
        0.0,
    );
    assert_vec(
        &format!("{name} z"),
        &column(|r| r.z),
        &floats(&result["z"]),
        tol::COX,
        0.0,
    );
    assert_vec(
        &format!("{name} p"),
        &column(|r| r.p),
        &floats(&result["p"]),
        tol::COX,
        1e-12,
    );
    assert_vec(
        &format!("{name} lower95"),
        &column(|r| r.hr_lower),
        &floats(&result["exp_coef_lower95"]),
        tol::COX,
        0.0,
    );
    assert_vec(
        &format!("{name} upper95"),
        &column(|r| r.hr_upper),
        &floats(&result["exp_coef_upper95"]),
        tol::COX,
        0.0,
    );
}

fn check_fit(name: &str, fit: &CoxFit, data: &CaseData, result: &Value) {
    assert_eq!(fit.n as i64, result["n"].as_i64().expect("n"), "{name}: n");
    assert_eq!(
        fit.events as i64,
        result["n_event"].as_i64().expect("n_event"),
        "{name}: events"
    );
    assert_eq!(
        fit.iterations as i64,
        result["iterations"].as_i64().expect("iterations"),
        "{name}: iterations"
    );
    let ids = data.frame.numeric("id", &data.rows).expect("id");
    let ids: Vec<i64> = ids.iter().map(|&v| v as i64).collect();
    assert_eq!(ids, integers(&result["row_ids"]), "{name}: rows used");
    let rows = result["var"].as_array().expect("var");
    for (i, (row, exp)) in fit.var.iter().zip(rows).enumerate() {
        assert_vec(
            &format!("{name} var[{i}]"),
            row,
            &floats(exp),
            tol::COX,
            1e-15,
        );
    }
    assert_vec(
        &format!("{name} means"),
        &fit.means,
        &floats(&result["means"]),
        1e-12,
        0.0,
    );
    assert_rel(
        &format!("{name} loglik_null"),
        fit.loglik_null,
        result["loglik_null"].as_f64().expect("loglik_null"),
        tol::COX,
    );
    assert_rel(
        &format!("{name} loglik"),
        fit.loglik,
        result["loglik"].as_f64().expect("loglik"),
        tol::COX,
    );
    assert_vec(
        &format!("{name} linear predictors"),
        &fit.linear_predictors,
        &floats(&result["linear_predictors_centered"]),
        tol::COX,
        1e-9,
    );
}

fn check_concordance(name: &str, fit: &CoxFit, data: &CaseData, expected: &Value) {
    let c = cox::concordance(fit, &data.time, &data.event).expect("concordance");
    let count = |key: &str| expected[key].as_u64().expect("count");
    assert_eq!(c.concordant, count("concordant"), "{name}: concordant");
    assert_eq!(c.discordant, count("discordant"), "{name}: discordant");
    assert_eq!(c.tied_risk, count("tied_risk"), "{name}: tied_risk");
    assert_eq!(c.tied_time, count("tied_time"), "{name}: tied_time");
    assert_eq!(c.tied_both, count("tied_both"), "{name}: tied_both");
    let c_index = expected["c_index"].as_f64().expect("c_index");
    assert_abs(
        &format!("{name} concordance"),
        c.c_index,
        c_index,
        tol::HARRELL_ABS,
    );
}

fn check_predictions(name: &str, fit: &CoxFit, data: &CaseData, case: &Value) {
    let expected = &case["result"]["predicted_survival"];
    let ids = data.frame.numeric("id", &data.rows).expect("id");
    let wanted = integers(&case["input"]["newdata_ids"]);
    let picked: Vec<usize> = wanted
        .iter()
        .map(|&id| {
            ids.iter()
                .position(|&v| v as i64 == id)
                .expect("newdata row")
        })
        .collect();
    let p = data.design.x.ncols();
    let rows = DMatrix::from_fn(picked.len(), p, |i, j| data.design.x[(picked[i], j)]);
    let predicted = predict_survival(fit, &rows, 0.95).expect("prediction");

    let at_events: Vec<usize> = (0..predicted.time.len())
        .filter(|&k| predicted.n_event[k] > 0)
        .collect();
    let pick = |v: &[f64]| at_events.iter().map(|&k| v[k]).collect::<Vec<f64>>();
    assert_eq!(
        pick(&predicted.time),
        floats(&expected["time"]),
        "{name}: prediction times"
    );
    let n_risk: Vec<i64> = at_events
        .iter()
        .map(|&k| predicted.n_risk[k] as i64)
        .collect();
    assert_eq!(n_risk, integers(&expected["n_risk"]), "{name}: n_risk");
    let n_event: Vec<i64> = at_events
        .iter()
        .map(|&k| predicted.n_event[k] as i64)
        .collect();
    assert_eq!(n_event, integers(&expected["n_event"]), "{name}: n_event");
    for (r, curve) in predicted.curves.iter().enumerate() {
        let what = format!("{name} row {}", wanted[r]);
        let exp = |key: &str| floats(&expected[key][r]);
        assert_vec(
            &format!("{what} surv"),
            &pick(&curve.surv),
            &exp("surv"),
            tol::COX,
            0.0,
        );
        assert_vec(
            &format!("{what} cumhaz"),
            &pick(&curve.cumhaz),
            &exp("cumhaz"),
            tol::COX,
            0.0,
        );
        assert_vec(
            &format!("{what} std_err"),
            &pick(&curve.std_err),
            &exp("std_err"),
            tol::COX,
            0.0,
        );
        let bound = |v: &[Option<f64>]| {
            at_events
                .iter()
                .map(|&k| v[k].unwrap_or(f64::NAN))
                .collect::<Vec<f64>>()
        };
        let exp_bound = |key: &str| {
            optional_floats(&expected[key][r])
                .into_iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect::<Vec<f64>>()
        };
        assert_vec(
            &format!("{what} lower"),
            &bound(&curve.lower),
            &exp_bound("lower"),
            tol::COX,
            0.0,
        );
        assert_vec(
            &format!("{what} upper"),
            &bound(&curve.upper),
            &exp_bound("upper"),
            tol::COX,
            0.0,
        );
    }
}

fn check_basehaz(name: &str, fit: &CoxFit, expected: &Value) {
    let baseline = basehaz(fit, false);
    assert_eq!(
        baseline.time,
        floats(&expected["time"]),
        "{name}: basehaz times"
    );
    assert_vec(
        &format!("{name} basehaz"),
        &baseline.cumhaz,
        &floats(&expected["hazard"]),
        tol::COX,
        0.0,
    );
}

fn check_case(dataset: &str, reference: &Value, case: &Value) {
    let name = format!("{dataset} {}", case["case"].as_str().unwrap_or("?"));
    let result = &case["result"];
    let terms = formula_terms(case);
    let data = load_case(reference, &terms);
    let formula = case["input"]["formula_rhs"].as_str().unwrap_or("");
    let r_names: Vec<String> = data
        .design
        .names
        .iter()
        .map(|n| r_name(n, formula))
        .collect();
    assert_eq!(r_names, strings(&result["terms"]), "{name}: design columns");

    let settings = CoxSettings::with_ties(ties_of(case));
    let fit = cox::fit(&data.design, &data.time, &data.event, &settings).expect("fit");
    check_fit(&name, &fit, &data, result);
    let summary = cox::summary(&fit, 0.95).expect("summary");
    check_coefficients(&name, &summary, result);
    assert_rel(
        &format!("{name} aic"),
        summary.aic,
        result["aic"].as_f64().expect("aic"),
        tol::COX,
    );
    check_test(
        &format!("{name} lr"),
        &summary.lr_test,
        &result["lr_test"],
        None,
    );
    // summary.coxph prints the Wald statistic rounded to two decimals.
    check_test(
        &format!("{name} wald"),
        &summary.wald_test,
        &result["wald_test"],
        Some(0.005),
    );
    check_test(
        &format!("{name} score"),
        &summary.score_test,
        &result["score_test"],
        None,
    );
    check_concordance(&name, &fit, &data, &result["concordance"]);
    check_predictions(&name, &fit, &data, case);
    check_basehaz(&name, &fit, &result["basehaz_uncentered"]);

    // With eps = 1e-14 the fit reaches the optimum that R found the same way.
    let tight = CoxSettings {
        eps: 1e-14,
        ..settings
    };
    let tight_fit = cox::fit(&data.design, &data.time, &data.event, &tight).expect("tight fit");
    assert_vec(
        &format!("{name} tight coef"),
        &tight_fit.coef,
        &floats(&result["coef_tight_convergence"]),
        tol::COX_TIGHT,
        0.0,
    );
    let tight_loglik = result["loglik_tight_convergence"]
        .as_f64()
        .expect("tight loglik");
    assert_rel(
        &format!("{name} tight loglik"),
        tight_fit.loglik,
        tight_loglik,
        tol::COX_TIGHT,
    );
}

fn check_dataset(dataset: &str) {
    let reference = expected(dataset, "cox_ph");
    let cases = reference["cases"].as_array().expect("cases");
    assert!(cases.len() >= 6, "{dataset}: cases");
    for case in cases {
        check_case(dataset, &reference, case);
    }
}

#[test]
fn cox_pbc_matches_coxph() {
    check_dataset("pbc");
}

#[test]
fn cox_veteran_matches_coxph() {
    check_dataset("veteran");
}

#[test]
fn cox_rossi_matches_coxph() {
    check_dataset("rossi");
}
