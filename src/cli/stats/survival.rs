//! `tace-registry stats km|logrank|cox|stepcox`: Kaplan–Meier curves, the
//! log-rank test, Cox regression and stepwise Cox selection on a CSV file,
//! with JSON on stdout.
//!
//! Each method uses the rows complete in time, event, `--covariates` and
//! `--group`. Group names are `column=level`, as R `survfit` names its
//! strata, with levels sorted numerically when every level is a number and
//! as text otherwise.

use anyhow::Context;
use clap::ValueEnum;
use serde::Serialize;

use super::{CommonArgs, SurvivalInput, load_survival, print_json};
use crate::stats::StatsError;
use crate::stats::cox::{
    self, CoefficientRow, CoxSettings, Direction, StepRecord, TestStatistic, Ties,
};
use crate::stats::data::check_times;
use crate::stats::km::{self, ConfType, Groups, KmSettings};
use crate::stats::logrank;

/// Coverage of every confidence interval printed here (R's default).
const CONF_LEVEL: f64 = 0.95;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfTypeArg {
    /// `S·exp(±z·se)` with the upper bound clipped at 1 (R's default).
    Log,
    /// `exp(−exp(log(−log S) ∓ z·se/log S))`.
    LogLog,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TiesArg {
    /// Efron's approximation (R `coxph`'s default).
    Efron,
    /// Breslow's approximation.
    Breslow,
}

impl From<TiesArg> for Ties {
    fn from(ties: TiesArg) -> Self {
        match ties {
            TiesArg::Efron => Ties::Efron,
            TiesArg::Breslow => Ties::Breslow,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Start from the null model and add terms.
    Forward,
    /// Start from the model with every covariate and drop terms.
    Backward,
    /// Start from the null model and add or drop terms.
    Both,
}

impl From<DirectionArg> for Direction {
    fn from(direction: DirectionArg) -> Self {
        match direction {
            DirectionArg::Forward => Direction::Forward,
            DirectionArg::Backward => Direction::Backward,
            DirectionArg::Both => Direction::Both,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct KmArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Column whose values define one curve each [default: one curve for
    /// all rows].
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,

    /// Type of the pointwise 95 % confidence interval of S(t).
    #[arg(long = "conf-type", value_enum, default_value_t = ConfTypeArg::Log)]
    pub conf_type: ConfTypeArg,
}

#[derive(Debug, clap::Args)]
pub struct LogrankArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Column whose values define the groups to compare.
    #[arg(long, value_name = "COL")]
    pub group: String,

    /// Weight exponent of the Fleming–Harrington family: 0 is the log-rank
    /// test, 1 the Peto & Peto test (weights S(t−)^rho).
    #[arg(long, default_value_t = 0.0, value_name = "RHO")]
    pub rho: f64,
}

#[derive(Debug, clap::Args)]
pub struct CoxArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Handling of tied event times.
    #[arg(long, value_enum, default_value_t = TiesArg::Efron)]
    pub ties: TiesArg,
}

#[derive(Debug, clap::Args)]
pub struct StepcoxArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Search direction; the candidate terms are the --covariates.
    #[arg(long, value_enum, default_value_t = DirectionArg::Forward)]
    pub direction: DirectionArg,

    /// Handling of tied event times in every fit.
    #[arg(long, value_enum, default_value_t = TiesArg::Efron)]
    pub ties: TiesArg,
}

/// One Kaplan–Meier curve as printed by `stats km`.
#[derive(Debug, Serialize)]
struct KmCurve {
    name: String,
    n: usize,
    events: usize,
    time: Vec<f64>,
    n_risk: Vec<usize>,
    n_event: Vec<usize>,
    n_censor: Vec<usize>,
    surv: Vec<f64>,
    /// Greenwood standard error of −log S(t), as R `survfit` reports it.
    std_err: Vec<Option<f64>>,
    lower: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    median: Option<f64>,
    median_lower: Option<f64>,
    median_upper: Option<f64>,
}

#[derive(Debug, Serialize)]
struct KmOutput {
    conf_type: &'static str,
    conf_level: f64,
    groups: Vec<KmCurve>,
}

#[derive(Debug, Serialize)]
struct LogrankGroup {
    name: String,
    n: usize,
    observed: f64,
    expected: f64,
}

#[derive(Debug, Serialize)]
struct LogrankOutput {
    rho: f64,
    chisq: f64,
    df: usize,
    p: f64,
    groups: Vec<LogrankGroup>,
}

#[derive(Debug, Serialize)]
struct CoxOutput {
    n: usize,
    events: usize,
    ties: &'static str,
    loglik_null: f64,
    loglik: f64,
    aic: f64,
    iterations: usize,
    lr_test: TestStatistic,
    wald_test: TestStatistic,
    score_test: TestStatistic,
    /// Harrell's C of the linear predictor.
    concordance: f64,
    coefficients: Vec<CoefficientRow>,
}

/// One row of the stepwise path as printed by `stats stepcox`.
#[derive(Debug, Serialize)]
struct StepRow {
    /// R's label: `<none>` for the start, `+ term` or `- term`.
    step: String,
    df: i64,
    deviance_change: Option<f64>,
    aic: f64,
}

impl From<&StepRecord> for StepRow {
    fn from(record: &StepRecord) -> Self {
        Self {
            step: record.change.to_string(),
            df: record.df,
            deviance_change: record.deviance_change,
            aic: record.aic,
        }
    }
}

#[derive(Debug, Serialize)]
struct StepcoxOutput {
    direction: &'static str,
    n: usize,
    events: usize,
    /// Terms of the final model, in order of entry for forward and both.
    selected: Vec<String>,
    aic: f64,
    loglik_null: f64,
    loglik: f64,
    steps: Vec<StepRow>,
    /// The final model's coefficients; empty when no term was selected.
    coefficients: Vec<CoefficientRow>,
}

/// Rejects an input without rows, and a negative time with its file line.
fn check_outcome(input: &SurvivalInput, common: &CommonArgs) -> anyhow::Result<()> {
    match check_times(&input.time, &input.event) {
        Ok(()) => Ok(()),
        Err(StatsError::Empty) => anyhow::bail!(
            "no row of {} has a value in every column used; check --time, --event and \
             --covariates",
            common.csv.display()
        ),
        Err(StatsError::NegativeTime { row, value }) => anyhow::bail!(
            "line {}, column `{}`: time {value} is negative; survival times must be >= 0",
            input.frame.line(input.rows[row]),
            common.time
        ),
        Err(other) => Err(other.into()),
    }
}

/// Reads the group of each row used and names the groups `column=level`.
fn load_groups(input: &SurvivalInput, column: &str) -> anyhow::Result<Groups> {
    let labels = input.frame.text(column, &input.rows)?;
    let mut groups = Groups::from_labels(&labels, &[])?;
    for name in &mut groups.names {
        *name = format!("{column}={name}");
    }
    Ok(groups)
}

/// Estimates Kaplan–Meier curves, overall or by `--group`, and prints them
/// as JSON.
///
/// # Errors
///
/// Input errors of the CSV and negative times.
pub fn km(args: KmArgs) -> anyhow::Result<()> {
    let extra: Vec<&str> = args.group.iter().map(String::as_str).collect();
    let input = load_survival(&args.common, &extra)?;
    check_outcome(&input, &args.common)?;
    let settings = KmSettings {
        conf_type: match args.conf_type {
            ConfTypeArg::Log => ConfType::Log,
            ConfTypeArg::LogLog => ConfType::LogLog,
        },
        conf_level: CONF_LEVEL,
    };
    let curves = match &args.group {
        Some(column) => {
            let groups = load_groups(&input, column)?;
            km::kaplan_meier_by_group(&input.time, &input.event, &groups, &settings)?
                .into_iter()
                .map(|g| km_curve(g.name, g.curve))
                .collect()
        }
        None => {
            let curve = km::kaplan_meier_with(&input.time, &input.event, &settings)?;
            vec![km_curve("all".into(), curve)]
        }
    };
    print_json(&KmOutput {
        conf_type: match args.conf_type {
            ConfTypeArg::Log => "log",
            ConfTypeArg::LogLog => "log-log",
        },
        conf_level: CONF_LEVEL,
        groups: curves,
    })
}

fn km_curve(name: String, curve: km::KaplanMeier) -> KmCurve {
    KmCurve {
        name,
        n: curve.n,
        events: curve.events,
        time: curve.time,
        n_risk: curve.n_risk,
        n_event: curve.n_event,
        n_censor: curve.n_censor,
        surv: curve.surv,
        std_err: curve.std_err,
        lower: curve.lower,
        upper: curve.upper,
        median: curve.median,
        median_lower: curve.median_lower,
        median_upper: curve.median_upper,
    }
}

/// Tests whether survival differs between the `--group` values and prints
/// the test as JSON.
///
/// # Errors
///
/// Input errors of the CSV, negative times, one group only, no events and
/// an invalid `--rho`.
pub fn logrank(args: LogrankArgs) -> anyhow::Result<()> {
    let input = load_survival(&args.common, &[args.group.as_str()])?;
    check_outcome(&input, &args.common)?;
    let groups = load_groups(&input, &args.group)?;
    let test = logrank::logrank(&input.time, &input.event, &groups, args.rho)?;
    let rows = (0..test.groups.len())
        .map(|g| LogrankGroup {
            name: test.groups[g].clone(),
            n: test.n[g],
            observed: test.observed[g],
            expected: test.expected[g],
        })
        .collect();
    print_json(&LogrankOutput {
        rho: test.rho,
        chisq: test.chisq,
        df: test.df,
        p: test.p,
        groups: rows,
    })
}

fn require_covariates(common: &CommonArgs, method: &str) -> anyhow::Result<()> {
    if common.covariates.is_empty() {
        anyhow::bail!("{method} needs covariates; list at least one column in --covariates");
    }
    Ok(())
}

/// Rejects a factor with a single level in the rows used, which gives no
/// design column and would silently leave the model (R's `model.matrix`
/// stops on it too).
fn check_factor_levels(input: &SurvivalInput, common: &CommonArgs) -> anyhow::Result<()> {
    for covariate in &common.covariates {
        if input.design.terms.contains(covariate) {
            continue;
        }
        let level = input
            .frame
            .text(covariate, &input.rows)?
            .into_iter()
            .next()
            .unwrap_or_default();
        anyhow::bail!(
            "factor `{covariate}` has the single level `{level}` in the rows used, so it \
             cannot be compared; drop it from --covariates"
        );
    }
    Ok(())
}

fn ties_name(ties: TiesArg) -> &'static str {
    match ties {
        TiesArg::Efron => "efron",
        TiesArg::Breslow => "breslow",
    }
}

/// Fits a Cox model on `--covariates` and prints its summary as JSON.
///
/// # Errors
///
/// Input errors of the CSV, no covariates, a factor with one level, and
/// every error of [`cox::fit`] (no events, a constant or collinear
/// covariate, monotone likelihood, no convergence).
pub fn cox(args: CoxArgs) -> anyhow::Result<()> {
    require_covariates(&args.common, "cox")?;
    let input = load_survival(&args.common, &[])?;
    check_outcome(&input, &args.common)?;
    check_factor_levels(&input, &args.common)?;
    let settings = CoxSettings::with_ties(args.ties.into());
    let fit = cox::fit(&input.design, &input.time, &input.event, &settings)?;
    let summary = cox::summary(&fit, CONF_LEVEL)?;
    let concordance = cox::concordance(&fit, &input.time, &input.event)
        .context("the concordance of the fitted model cannot be computed")?;
    print_json(&CoxOutput {
        n: summary.n,
        events: summary.events,
        ties: ties_name(args.ties),
        loglik_null: summary.loglik_null,
        loglik: summary.loglik,
        aic: summary.aic,
        iterations: summary.iterations,
        lr_test: summary.lr_test,
        wald_test: summary.wald_test,
        score_test: summary.score_test,
        concordance: concordance.c_index,
        coefficients: summary.coefficients,
    })
}

/// Selects Cox model terms among `--covariates` by AIC and prints the
/// selection as JSON.
///
/// # Errors
///
/// Input errors of the CSV, no covariates, a factor with one level, and
/// every error of [`cox::stepwise`] (no events, a constant or collinear
/// covariate, or monotone likelihood in a model the search visits).
pub fn stepcox(args: StepcoxArgs) -> anyhow::Result<()> {
    require_covariates(&args.common, "stepcox")?;
    let input = load_survival(&args.common, &[])?;
    check_outcome(&input, &args.common)?;
    check_factor_levels(&input, &args.common)?;
    let settings = CoxSettings::with_ties(args.ties.into());
    let direction: Direction = args.direction.into();
    let result = cox::stepwise(
        &input.design,
        &input.time,
        &input.event,
        direction,
        &settings,
    )?;
    let coefficients = if result.fit.coef.is_empty() {
        Vec::new()
    } else {
        cox::summary(&result.fit, CONF_LEVEL)?.coefficients
    };
    print_json(&StepcoxOutput {
        direction: direction.as_str(),
        n: result.fit.n,
        events: result.fit.events,
        selected: result.selected,
        aic: result.aic,
        loglik_null: result.loglik_null,
        loglik: result.loglik,
        steps: result.steps.iter().map(StepRow::from).collect(),
        coefficients,
    })
}
