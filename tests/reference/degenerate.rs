//! Degenerate inputs across the statistics engine, as one table.
//!
//! Each row names an input, a method and the expected outcome. The outcome
//! is either the [`StatsError`] variant that names the cause, or the values
//! that R survival 3.5 gives, worked by hand in the row's comment. Where R
//! has no such case, the values follow from the method's defining formula. A
//! row fails when the method returns another outcome or a non-finite number,
//! or when it panics, and the test lists every failing row.

use std::panic::{AssertUnwindSafe, catch_unwind};

use nalgebra::DMatrix;
use tace_registry::stats::StatsError;
use tace_registry::stats::cox::{self, CoxSettings, Direction};
use tace_registry::stats::data::SurvivalData;
use tace_registry::stats::forest::{self, ForestSettings, Mtry};
use tace_registry::stats::frame::{Design, DesignSpec, Frame};
use tace_registry::stats::hypothesis::{self, ContingencyTable, TTestVariance};
use tace_registry::stats::km::{self, Groups, KaplanMeier, KmSettings};
use tace_registry::stats::logistic::{self, LogisticSettings};
use tace_registry::stats::logrank;
use tace_registry::stats::metrics::brier::{self, BrierSettings};
use tace_registry::stats::metrics::concordance::{self, IpcwConvention, UnoSettings};
use tace_registry::stats::metrics::td_auc::{self, RiskScores, TdAucSettings};
use tace_registry::stats::penalized::{self, PenaltySettings};

/// Named numbers a method returned; `None` is a value R reports as `NA`.
type Values = Vec<(&'static str, Option<f64>)>;

/// What a row expects.
enum Expected {
    /// The `StatsError` variant, by name.
    Error(&'static str),
    /// Named values, each compared at 1e-9 relative (1e-12 absolute near 0).
    Values(&'static [(&'static str, Option<f64>)]),
}

struct Row {
    input: &'static str,
    method: &'static str,
    run: fn() -> Result<Values, StatsError>,
    expected: Expected,
}

// ---------------------------------------------------------------- inputs

/// Six subjects who all die at time 5.
const ONE_TIME: [f64; 6] = [5.0; 6];
/// Times 1 to 6, one subject each.
const SIX_TIMES: [f64; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
const ALL_EVENTS: [bool; 6] = [true; 6];
const NO_EVENTS: [bool; 6] = [false; 6];
/// A covariate or risk score that varies.
const SPREAD: [f64; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// Group a dies at 1, 3, 5; group b is censored at 2, 4, 6.
const GROUPED_EVENTS: [bool; 6] = [true, false, true, false, true, false];
const GROUP_LABELS: [&str; 6] = ["a", "b", "a", "b", "a", "b"];
/// One event at time 0, then censorings and events.
const ZERO_EVENTS: [bool; 6] = [true, false, true, true, false, true];
const FROM_ZERO: [f64; 6] = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
/// A negative time in the first row.
const NEGATIVE: [f64; 6] = [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// Four events among six subjects, and a covariate that is not monotone in
/// time, so the Cox and logistic fits have finite optima.
const MIXED_EVENTS: [bool; 6] = [true, true, false, true, true, false];
const MIXED_X: [f64; 6] = [2.0, 5.0, 1.0, 6.0, 3.0, 4.0];

/// A CSV read through `stats::frame`: an empty cell in row 3 of `x` (a
/// used column) and of `note` (unused), text in row 5 of `note`.
const CSV_GAPS: &str = "time,event,x,note\n\
    1,1,2,a\n2,1,5,b\n3,0,,c\n4,1,6,\n5,1,3,text\n6,0,4,f\n7,1,1,g\n8,0,7,h\n";
/// Text in a used column (`x`, line 4) of an otherwise complete file.
const CSV_TEXT: &str = "time,event,x\n1,1,2\n2,1,5\n3,0,abc\n4,1,6\n";

// --------------------------------------------------------------- helpers

fn design(names: &[&str], columns: &[&[f64]]) -> Design {
    let n = columns.first().map_or(0, |c| c.len());
    Design {
        names: names.iter().map(|s| s.to_string()).collect(),
        terms: names.iter().map(|s| s.to_string()).collect(),
        x: DMatrix::from_fn(n, columns.len(), |i, j| columns[j][i]),
    }
}

fn groups(labels: &[&str]) -> Groups {
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    Groups::from_labels(&labels, &[]).expect("labels")
}

fn constant_survival(n: usize, times: usize, value: f64) -> DMatrix<f64> {
    DMatrix::from_element(n, times, value)
}

fn km_values(curve: &KaplanMeier) -> Values {
    let last = curve.surv.len() - 1;
    vec![
        ("n", Some(curve.n as f64)),
        ("events", Some(curve.events as f64)),
        ("first surv", Some(curve.surv[0])),
        ("last surv", Some(curve.surv[last])),
        ("first std_err", curve.std_err[0]),
        ("first lower", curve.lower[0]),
        ("first upper", curve.upper[0]),
        ("median", curve.median),
    ]
}

fn cox_values(time: &[f64], event: &[bool], design: &Design) -> Result<Values, StatsError> {
    let fit = cox::fit(design, time, event, &CoxSettings::default())?;
    let summary = cox::summary(&fit, 0.95)?;
    let row = &summary.coefficients[0];
    Ok(vec![
        ("n", Some(fit.n as f64)),
        ("coef", Some(row.coef)),
        ("se", Some(row.se)),
        ("p", Some(row.p)),
        ("loglik", Some(fit.loglik)),
        ("lr p", Some(summary.lr_test.p)),
    ])
}

/// Run forward stepwise selection over the terms of `design`.
fn stepwise_values(time: &[f64], event: &[bool], design: &Design) -> Result<Values, StatsError> {
    let search = cox::stepwise(
        design,
        time,
        event,
        Direction::Forward,
        &CoxSettings::default(),
    )?;
    Ok(vec![
        ("terms selected", Some(search.selected.len() as f64)),
        ("aic", Some(search.aic)),
        ("loglik", Some(search.loglik)),
        ("loglik_null", Some(search.loglik_null)),
    ])
}

fn logistic_values(x: &[f64], y: &[bool]) -> Result<Values, StatsError> {
    let fit = logistic::fit_logistic(
        &DMatrix::from_column_slice(x.len(), 1, x),
        &["x".to_string()],
        y,
        &LogisticSettings::default(),
    )?;
    Ok(vec![
        ("coef", Some(fit.coef[1])),
        ("se", Some(fit.se[1])),
        ("deviance", Some(fit.deviance)),
    ])
}

fn penalized_cox(
    time: &[f64],
    event: &[bool],
    x: &[f64],
    lambda: f64,
) -> Result<Values, StatsError> {
    let settings = PenaltySettings {
        lambda: Some(vec![lambda]),
        ..PenaltySettings::default()
    };
    let x = DMatrix::from_column_slice(x.len(), 1, x);
    let path = penalized::fit_penalized_cox(&x, &["x".to_string()], time, event, &settings)?;
    let kept = path.selected(0)?;
    Ok(vec![("coef", Some(kept[0].coef))])
}

fn logrank_values(time: &[f64], event: &[bool], labels: &[&str]) -> Result<Values, StatsError> {
    let test = logrank::logrank(time, event, &groups(labels), 0.0)?;
    Ok(vec![
        ("chisq", Some(test.chisq)),
        ("df", Some(test.df as f64)),
        ("p", Some(test.p)),
        ("observed b", test.observed.get(1).copied()),
    ])
}

fn harrell_values(time: &[f64], event: &[bool], risk: &[f64]) -> Result<Values, StatsError> {
    let c = concordance::harrell(time, event, risk)?;
    Ok(vec![
        ("c_index", Some(c.c_index)),
        ("std_err", Some(c.std_err)),
        ("concordant", Some(c.concordant as f64)),
    ])
}

fn uno_values(time: &[f64], event: &[bool], risk: &[f64], tau: f64) -> Result<Values, StatsError> {
    let settings = UnoSettings {
        tau,
        convention: IpcwConvention::ScikitSurvival,
    };
    let c = concordance::uno(time, event, risk, &settings)?;
    Ok(vec![("c_index", Some(c.c_index))])
}

fn td_auc_values(time: &[f64], event: &[bool], risk: &[f64], t: f64) -> Result<Values, StatsError> {
    let settings = TdAucSettings {
        times: vec![t],
        convention: IpcwConvention::R,
    };
    let auc = td_auc::cumulative_dynamic_auc(time, event, RiskScores::Vector(risk), &settings)?;
    let interval = auc.interval.as_ref();
    Ok(vec![
        ("auc", Some(auc.auc[0])),
        ("mean_auc", Some(auc.mean_auc)),
        ("std_err", interval.map(|i| i.std_err[0])),
    ])
}

/// Score a predicted survival of 0.5 for every subject by the Brier score
/// at `t`.
fn brier_half(time: &[f64], event: &[bool], t: f64) -> Result<Values, StatsError> {
    let settings = BrierSettings {
        times: vec![t],
        convention: IpcwConvention::R,
    };
    let survival = constant_survival(time.len(), 1, 0.5);
    let score = brier::brier_score(time, event, &survival, &settings)?;
    let interval = score.interval.as_ref();
    Ok(vec![
        ("brier", Some(score.brier[0])),
        ("std_err", interval.map(|i| i.std_err[0])),
    ])
}

fn forest_values(
    time: &[f64],
    event: &[bool],
    x: &[f64],
    min_node_size: usize,
) -> Result<Values, StatsError> {
    let data = SurvivalData::new(time, event)?;
    let settings = ForestSettings {
        trees: 20,
        mtry: Mtry::Fixed(1),
        min_node_size,
        seed: 7,
    };
    let x = DMatrix::from_column_slice(x.len(), 1, x);
    let fitted = forest::fit(&x, &data, &settings)?;
    let mortality = fitted.mortality(&x)?;
    Ok(vec![("first mortality", Some(mortality[0]))])
}

/// Complete rows of `x` (and time, event) of a CSV text, fitted by Cox.
fn cox_through_frame(text: &str, columns: &[&str]) -> Result<Values, StatsError> {
    let frame = Frame::from_reader(text.as_bytes(), "inline.csv")?;
    let mut needed = vec!["time", "event"];
    needed.extend_from_slice(columns);
    let rows = frame.complete_rows(&needed)?;
    let time = frame.numeric("time", &rows)?;
    let event = frame.binary("event", &rows)?;
    let spec = DesignSpec {
        covariates: vec!["x".into()],
        ..DesignSpec::default()
    };
    let design = frame.design(&spec, &rows)?;
    cox_values(&time, &event, &design)
}

/// Kaplan–Meier of the complete rows of time and event of a CSV text, also
/// requiring `columns` to be complete.
fn km_through_frame(text: &str, columns: &[&str]) -> Result<Values, StatsError> {
    let frame = Frame::from_reader(text.as_bytes(), "inline.csv")?;
    let mut needed = vec!["time", "event"];
    needed.extend_from_slice(columns);
    let rows = frame.complete_rows(&needed)?;
    for column in columns {
        frame.numeric(column, &rows)?;
    }
    let time = frame.numeric("time", &rows)?;
    let event = frame.binary("event", &rows)?;
    Ok(km_values(&km::kaplan_meier(&time, &event)?))
}

// ----------------------------------------------------------------- table

/// 1/sqrt(n * population variance of 1..6) = 1/sqrt(6 * 35/12): the
/// standard error of a Cox coefficient at beta = 0 when all six subjects
/// die together (Efron's d terms all see the same weighted variance).
const SE_ONE_TIME: f64 = 0.239_045_721_866_878_7;

/// `2 log(6!)`: minus twice the Efron log partial likelihood at beta = 0
/// when all six subjects die at one time.
const STEP_NULL_AIC: f64 = 13.158_502_424_020_202;

fn rows() -> Vec<Row> {
    use Expected::{Error, Values};
    vec![
        // All six die at time 5: S drops to 0 there and Greenwood's sum is
        // infinite, so R reports std.err and the bounds as NA.
        Row {
            input: "all events at one time",
            method: "km",
            run: || Ok(km_values(&km::kaplan_meier(&ONE_TIME, &ALL_EVENTS)?)),
            expected: Values(&[
                ("first surv", Some(0.0)),
                ("first std_err", None),
                ("first lower", None),
                ("first upper", None),
                ("median", Some(5.0)),
            ]),
        },
        // O - E is 0 and so is its variance d(n-d)/(n-1); R's survdiff
        // fails in solve() on the singular variance.
        Row {
            input: "all events at one time",
            method: "logrank",
            run: || logrank_values(&ONE_TIME, &ALL_EVENTS, &["a", "a", "a", "b", "b", "b"]),
            expected: Error("NotEstimable"),
        },
        // The score at beta = 0 is sum(x) - 6 mean(x) = 0, so R's coxph
        // stops at beta = 0 with variance 1/(6 var(x)).
        Row {
            input: "all events at one time",
            method: "cox",
            run: || cox_values(&ONE_TIME, &ALL_EVENTS, &design(&["x"], &[&SPREAD])),
            expected: Values(&[
                ("coef", Some(0.0)),
                ("se", Some(SE_ONE_TIME)),
                ("p", Some(1.0)),
            ]),
        },
        // Adding x leaves the log-likelihood at its null value (beta = 0),
        // so the AIC rises by 2 and R's step keeps the null model. Its AIC is
        // -2 loglik_null = 2 log(6!), because Efron's denominators for six
        // tied deaths are (1 - k/6) * 6 = 6 - k for k = 0..5.
        Row {
            input: "all events at one time",
            method: "stepwise",
            run: || stepwise_values(&ONE_TIME, &ALL_EVENTS, &design(&["x"], &[&SPREAD])),
            expected: Values(&[("terms selected", Some(0.0)), ("aic", Some(STEP_NULL_AIC))]),
        },
        // Two events at the same time are not comparable.
        Row {
            input: "all events at one time",
            method: "concordance",
            run: || harrell_values(&ONE_TIME, &ALL_EVENTS, &SPREAD),
            expected: Error("NoComparablePairs"),
        },
        // At t = 5 every subject is a case and none is a control.
        Row {
            input: "all events at one time",
            method: "td_auc",
            run: || td_auc_values(&ONE_TIME, &ALL_EVENTS, &SPREAD, 5.0),
            expected: Error("NotEstimable"),
        },
        // No censoring, so G = 1: every case adds 0.5^2.
        Row {
            input: "all events at one time",
            method: "brier",
            run: || brier_half(&ONE_TIME, &ALL_EVENTS, 5.0),
            expected: Values(&[("brier", Some(0.25))]),
        },
        // Every node's log-rank variance is 0, so no cut is admissible.
        Row {
            input: "all events at one time",
            method: "forest",
            run: || forest_values(&ONE_TIME, &ALL_EVENTS, &SPREAD, 1),
            expected: Error("NoSplit"),
        },
        // No event: S stays 1 and the median is not reached (R: NA).
        Row {
            input: "all censored",
            method: "km",
            run: || Ok(km_values(&km::kaplan_meier(&SIX_TIMES, &NO_EVENTS)?)),
            expected: Values(&[
                ("events", Some(0.0)),
                ("first surv", Some(1.0)),
                ("last surv", Some(1.0)),
                ("first std_err", Some(0.0)),
                ("median", None),
            ]),
        },
        Row {
            input: "all censored",
            method: "logrank",
            run: || logrank_values(&SIX_TIMES, &NO_EVENTS, &GROUP_LABELS),
            expected: Error("NoEvents"),
        },
        Row {
            input: "all censored",
            method: "cox",
            run: || cox_values(&SIX_TIMES, &NO_EVENTS, &design(&["x"], &[&SPREAD])),
            expected: Error("NoEvents"),
        },
        Row {
            input: "all censored",
            method: "stepwise",
            run: || stepwise_values(&SIX_TIMES, &NO_EVENTS, &design(&["x"], &[&SPREAD])),
            expected: Error("NoEvents"),
        },
        Row {
            input: "all censored",
            method: "penalized",
            run: || penalized_cox(&SIX_TIMES, &NO_EVENTS, &SPREAD, 0.01),
            expected: Error("NoEvents"),
        },
        Row {
            input: "all censored",
            method: "concordance",
            run: || harrell_values(&SIX_TIMES, &NO_EVENTS, &SPREAD),
            expected: Error("NoComparablePairs"),
        },
        Row {
            input: "all censored",
            method: "concordance (Uno)",
            run: || uno_values(&SIX_TIMES, &NO_EVENTS, &SPREAD, 6.0),
            expected: Error("NoEvents"),
        },
        Row {
            input: "all censored",
            method: "td_auc",
            run: || td_auc_values(&SIX_TIMES, &NO_EVENTS, &SPREAD, 3.0),
            expected: Error("NotEstimable"),
        },
        // Subjects censored by t = 3 add 0; the three later ones add
        // (1 - 0.5)^2 / G(3) with G(3) = 5/6 * 4/5 * 3/4 = 1/2: 1.5 / 6.
        Row {
            input: "all censored",
            method: "brier",
            run: || brier_half(&SIX_TIMES, &NO_EVENTS, 3.0),
            expected: Values(&[("brier", Some(0.25))]),
        },
        Row {
            input: "all censored",
            method: "forest",
            run: || forest_values(&SIX_TIMES, &NO_EVENTS, &SPREAD, 1),
            expected: Error("NoEvents"),
        },
        Row {
            input: "all censored",
            method: "logistic",
            run: || logistic_values(&SPREAD, &NO_EVENTS),
            expected: Error("SingleGroup"),
        },
        // survfit(Surv(time, event) ~ group) with one level: one curve.
        Row {
            input: "one group only",
            method: "km",
            run: || {
                let by_group = km::kaplan_meier_by_group(
                    &SIX_TIMES,
                    &MIXED_EVENTS,
                    &groups(&["a"; 6]),
                    &KmSettings::default(),
                )?;
                Ok(vec![("curves", Some(by_group.len() as f64))])
            },
            expected: Values(&[("curves", Some(1.0))]),
        },
        Row {
            input: "one group only",
            method: "logrank",
            run: || logrank_values(&SIX_TIMES, &MIXED_EVENTS, &["a"; 6]),
            expected: Error("SingleGroup"),
        },
        // An indicator of the one group is constant.
        Row {
            input: "one group only",
            method: "cox",
            run: || cox_values(&SIX_TIMES, &MIXED_EVENTS, &design(&["group"], &[&[1.0; 6]])),
            expected: Error("ConstantCovariate"),
        },
        Row {
            input: "one group only",
            method: "logistic",
            run: || logistic_values(&SPREAD, &ALL_EVENTS),
            expected: Error("SingleGroup"),
        },
        Row {
            input: "one group only",
            method: "penalized",
            run: || {
                let x = DMatrix::from_column_slice(6, 1, &SPREAD);
                let path = penalized::fit_penalized_logistic(
                    &x,
                    &["x".to_string()],
                    &ALL_EVENTS,
                    &PenaltySettings::default(),
                )?;
                Ok(vec![("lambda_max", Some(path.lambda_max))])
            },
            expected: Error("SingleGroup"),
        },
        Row {
            input: "one group only",
            method: "chi-square",
            run: || {
                let labels: Vec<String> = vec!["a".into(); 4];
                let categories: Vec<String> =
                    ["x", "y", "x", "y"].iter().map(|s| s.to_string()).collect();
                let table = ContingencyTable::from_labels(&labels, &categories)?;
                let test = hypothesis::chi_square_test(&table, true)?;
                Ok(vec![("statistic", Some(test.statistic))])
            },
            expected: Error("SingleGroup"),
        },
        // Group b has no event: S_b stays 1 and its median is NA.
        Row {
            input: "a group with no events",
            method: "km",
            run: || {
                let curves = km::kaplan_meier_by_group(
                    &SIX_TIMES,
                    &GROUPED_EVENTS,
                    &groups(&GROUP_LABELS),
                    &KmSettings::default(),
                )?;
                let b = &curves[1].curve;
                Ok(vec![
                    ("b last surv", Some(b.surv[b.surv.len() - 1])),
                    ("b median", b.median),
                ])
            },
            expected: Values(&[("b last surv", Some(1.0)), ("b median", None)]),
        },
        // Events at 1, 3, 5 with 3/3, 2/2, 1/1 of a/b at risk: E_a = 3/2,
        // V = 3/4, O_a = 3, so chisq = (3/2)^2 / (3/4) = 3 on 1 df.
        Row {
            input: "a group with no events",
            method: "logrank",
            run: || logrank_values(&SIX_TIMES, &GROUPED_EVENTS, &GROUP_LABELS),
            expected: Values(&[
                ("chisq", Some(3.0)),
                ("df", Some(1.0)),
                ("p", Some(0.083_264_516_663_550_4)),
                ("observed b", Some(0.0)),
            ]),
        },
        // Every death is in group a, so the indicator of b runs to -inf
        // (R: "Loglik converged before variable 1; beta may be infinite").
        Row {
            input: "a group with no events",
            method: "cox",
            run: || {
                let b = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
                cox_values(&SIX_TIMES, &GROUPED_EVENTS, &design(&["group=b"], &[&b]))
            },
            expected: Error("MonotoneLikelihood"),
        },
        // survfit accepts an event at time 0: S(0) = 5/6, then 5/6 * 3/4
        // at 2 and 5/8 * 2/3 = 5/12 at 3, the median.
        Row {
            input: "an event at time 0",
            method: "km",
            run: || Ok(km_values(&km::kaplan_meier(&FROM_ZERO, &ZERO_EVENTS)?)),
            expected: Values(&[("first surv", Some(5.0 / 6.0)), ("median", Some(3.0))]),
        },
        // Time 0 only orders the rows, so the fit is an ordinary one.
        Row {
            input: "an event at time 0",
            method: "cox",
            run: || cox_values(&FROM_ZERO, &ZERO_EVENTS, &design(&["x"], &[&MIXED_X])),
            expected: Values(&[("n", Some(6.0))]),
        },
        Row {
            input: "an event at time 0",
            method: "forest",
            run: || forest_values(&FROM_ZERO, &ZERO_EVENTS, &MIXED_X, 1),
            expected: Values(&[]),
        },
        // A risk that falls with time: all 10 comparable pairs concordant.
        Row {
            input: "an event at time 0",
            method: "concordance",
            run: || harrell_values(&FROM_ZERO, &ZERO_EVENTS, &[6.0, 5.0, 4.0, 3.0, 2.0, 1.0]),
            expected: Values(&[("c_index", Some(1.0)), ("concordant", Some(10.0))]),
        },
        // At t = 0 the one case outranks all five controls.
        Row {
            input: "an event at time 0",
            method: "td_auc",
            run: || {
                td_auc_values(
                    &FROM_ZERO,
                    &ZERO_EVENTS,
                    &[6.0, 5.0, 4.0, 3.0, 2.0, 1.0],
                    0.0,
                )
            },
            expected: Values(&[("auc", Some(1.0))]),
        },
        Row {
            input: "negative times",
            method: "km",
            run: || Ok(km_values(&km::kaplan_meier(&NEGATIVE, &ALL_EVENTS)?)),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "logrank",
            run: || logrank_values(&NEGATIVE, &ALL_EVENTS, &GROUP_LABELS),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "cox",
            run: || cox_values(&NEGATIVE, &ALL_EVENTS, &design(&["x"], &[&MIXED_X])),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "stepwise",
            run: || stepwise_values(&NEGATIVE, &ALL_EVENTS, &design(&["x"], &[&MIXED_X])),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "penalized",
            run: || penalized_cox(&NEGATIVE, &ALL_EVENTS, &MIXED_X, 0.01),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "concordance",
            run: || harrell_values(&NEGATIVE, &ALL_EVENTS, &SPREAD),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "td_auc",
            run: || td_auc_values(&NEGATIVE, &ALL_EVENTS, &SPREAD, 3.0),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "brier",
            run: || brier_half(&NEGATIVE, &ALL_EVENTS, 3.0),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "negative times",
            method: "forest",
            run: || forest_values(&NEGATIVE, &ALL_EVENTS, &MIXED_X, 1),
            expected: Error("NegativeTime"),
        },
        Row {
            input: "a constant covariate",
            method: "cox",
            run: || cox_values(&SIX_TIMES, &MIXED_EVENTS, &design(&["c"], &[&[2.0; 6]])),
            expected: Error("ConstantCovariate"),
        },
        // The search stops at the first fit that fails.
        Row {
            input: "a constant covariate",
            method: "stepwise",
            run: || stepwise_values(&SIX_TIMES, &MIXED_EVENTS, &design(&["c"], &[&[2.0; 6]])),
            expected: Error("ConstantCovariate"),
        },
        Row {
            input: "a constant covariate",
            method: "logistic",
            run: || logistic_values(&[2.0; 6], &MIXED_EVENTS),
            expected: Error("ConstantCovariate"),
        },
        Row {
            input: "a constant covariate",
            method: "penalized",
            run: || penalized_cox(&SIX_TIMES, &MIXED_EVENTS, &[2.0; 6], 0.01),
            expected: Error("ConstantCovariate"),
        },
        // A constant column has no cut between distinct values.
        Row {
            input: "a constant covariate",
            method: "forest",
            run: || forest_values(&SIX_TIMES, &MIXED_EVENTS, &[2.0; 6], 1),
            expected: Error("NoSplit"),
        },
        // x = 1 for the three earliest deaths, 0 for everyone after: at each
        // death the dying subject has the largest x, so beta runs to +inf.
        Row {
            input: "a covariate that separates events",
            method: "cox",
            run: || {
                let x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
                cox_values(&SIX_TIMES, &ALL_EVENTS, &design(&["x"], &[&x]))
            },
            expected: Error("MonotoneLikelihood"),
        },
        Row {
            input: "a covariate that separates events",
            method: "stepwise",
            run: || {
                let x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
                stepwise_values(&SIX_TIMES, &ALL_EVENTS, &design(&["x"], &[&x]))
            },
            expected: Error("MonotoneLikelihood"),
        },
        // y = 1 exactly when x > 3.5 (R: "fitted probabilities numerically
        // 0 or 1 occurred").
        Row {
            input: "a covariate that separates events",
            method: "logistic",
            run: || logistic_values(&SPREAD, &[false, false, false, true, true, true]),
            expected: Error("Separation"),
        },
        // The only event is the last time, so no pair has an earlier event.
        Row {
            input: "no comparable pairs",
            method: "concordance",
            run: || {
                harrell_values(
                    &[1.0, 2.0, 3.0, 4.0],
                    &[false, false, false, true],
                    &[1.0, 2.0, 3.0, 4.0],
                )
            },
            expected: Error("NoComparablePairs"),
        },
        Row {
            input: "no comparable pairs",
            method: "concordance (Uno)",
            run: || {
                uno_values(
                    &[1.0, 2.0, 3.0, 4.0],
                    &[false, false, false, true],
                    &[1.0, 2.0, 3.0, 4.0],
                    10.0,
                )
            },
            expected: Error("NoComparablePairs"),
        },
        Row {
            input: "AUC beyond the last follow-up",
            method: "td_auc",
            run: || td_auc_values(&SIX_TIMES, &MIXED_EVENTS, &MIXED_X, 10.0),
            expected: Error("BeyondFollowUp"),
        },
        Row {
            input: "Brier beyond the last follow-up",
            method: "brier",
            run: || brier_half(&SIX_TIMES, &MIXED_EVENTS, 10.0),
            expected: Error("BeyondFollowUp"),
        },
        // Four draws on each side of a cut need eight rows; there are six.
        Row {
            input: "minimum node size too large",
            method: "forest",
            run: || forest_values(&SIX_TIMES, &MIXED_EVENTS, &MIXED_X, 4),
            expected: Error("NoSplit"),
        },
        // lambda = 10 is far above lambda_max, so every coefficient is 0.
        Row {
            input: "lambda that keeps no variable",
            method: "penalized",
            run: || penalized_cox(&SIX_TIMES, &MIXED_EVENTS, &MIXED_X, 10.0),
            expected: Error("NoVariableSelected"),
        },
        // One subject dying at 3: S(3) = 0, median 3, as survfit gives.
        Row {
            input: "a single row",
            method: "km",
            run: || Ok(km_values(&km::kaplan_meier(&[3.0], &[true])?)),
            expected: Values(&[("first surv", Some(0.0)), ("median", Some(3.0))]),
        },
        Row {
            input: "a single row",
            method: "logrank",
            run: || logrank_values(&[3.0], &[true], &["a"]),
            expected: Error("SingleGroup"),
        },
        Row {
            input: "a single row",
            method: "cox",
            run: || cox_values(&[3.0], &[true], &design(&["x"], &[&[1.0]])),
            expected: Error("TooFewRows"),
        },
        Row {
            input: "a single row",
            method: "stepwise",
            run: || stepwise_values(&[3.0], &[true], &design(&["x"], &[&[1.0]])),
            expected: Error("TooFewRows"),
        },
        Row {
            input: "a single row",
            method: "logistic",
            run: || logistic_values(&[1.0], &[true]),
            expected: Error("TooFewRows"),
        },
        Row {
            input: "a single row",
            method: "penalized",
            run: || penalized_cox(&[3.0], &[true], &[1.0], 0.01),
            expected: Error("TooFewRows"),
        },
        Row {
            input: "a single row",
            method: "concordance",
            run: || harrell_values(&[3.0], &[true], &[1.0]),
            expected: Error("NoComparablePairs"),
        },
        Row {
            input: "a single row",
            method: "td_auc",
            run: || td_auc_values(&[3.0], &[true], &[1.0], 3.0),
            expected: Error("NotEstimable"),
        },
        Row {
            input: "a single row",
            method: "forest",
            run: || forest_values(&[3.0], &[true], &[1.0], 1),
            expected: Error("TooFewRows"),
        },
        // R's na.omit: the row with an empty x is dropped, the row with an
        // empty note is kept, and text in the unused note is never read.
        Row {
            input: "empty cell in a used column",
            method: "cox",
            run: || cox_through_frame(CSV_GAPS, &["x"]),
            expected: Values(&[("n", Some(7.0))]),
        },
        Row {
            input: "empty and text cells in an unused column",
            method: "km",
            run: || km_through_frame(CSV_GAPS, &[]),
            expected: Values(&[("n", Some(8.0))]),
        },
        Row {
            input: "text cell in a used column",
            method: "cox",
            run: || cox_through_frame(CSV_TEXT, &["x"]),
            expected: Error("NotNumeric"),
        },
        // Both arms constant: R's t.test stops, "data are essentially
        // constant".
        Row {
            input: "a constant covariate",
            method: "t test",
            run: || {
                let test = hypothesis::t_test(&[2.0; 3], &[2.0; 3], TTestVariance::Welch, 0.95)?;
                Ok(vec![("statistic", Some(test.statistic))])
            },
            expected: Error("NotEstimable"),
        },
    ]
}

// ---------------------------------------------------------------- runner

/// Return the variant name of an error, read from its `Debug` form
/// (`NoEvents { .. }`).
fn variant(error: &StatsError) -> String {
    let debug = format!("{error:?}");
    debug
        .split([' ', '(', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-12_f64.max(1e-9 * expected.abs())
}

/// Compare one row's outcome with its expectation; `Err` describes a
/// mismatch.
fn check(outcome: Result<Values, StatsError>, expected: &Expected) -> Result<(), String> {
    let values = match (outcome, expected) {
        (Err(error), Expected::Error(name)) if variant(&error) == *name => return Ok(()),
        (Err(error), Expected::Error(name)) => {
            return Err(format!("expected {name}, got {error:?}"));
        }
        (Err(error), Expected::Values(_)) => return Err(format!("expected values, got {error:?}")),
        (Ok(values), Expected::Error(name)) => {
            return Err(format!("expected {name}, got values {values:?}"));
        }
        (Ok(values), Expected::Values(_)) => values,
    };
    if let Some((name, value)) = values
        .iter()
        .find(|(_, v)| v.is_some_and(|v| !v.is_finite()))
    {
        return Err(format!("{name} is not finite: {value:?}"));
    }
    let Expected::Values(wanted) = expected else {
        return Ok(());
    };
    for (name, want) in wanted.iter() {
        let got = values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("no value named {name}"))?;
        let same = match (got, want) {
            (Some(g), Some(w)) => close(g, *w),
            (None, None) => true,
            _ => false,
        };
        if !same {
            return Err(format!("{name}: got {got:?}, expected {want:?}"));
        }
    }
    Ok(())
}

#[test]
fn degenerate_inputs_table() {
    let mut failures = Vec::new();
    let table = rows();
    for row in &table {
        let label = format!("{} / {}", row.input, row.method);
        let outcome = catch_unwind(AssertUnwindSafe(row.run));
        let result = match outcome {
            Ok(outcome) => check(outcome, &row.expected),
            Err(_) => Err("panicked".to_string()),
        };
        if let Err(message) = result {
            failures.push(format!("{label}: {message}"));
        }
    }
    println!("checked {} degenerate-input rows", table.len());
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}
