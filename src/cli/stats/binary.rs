//! `tace-registry stats logistic`: logistic regression of a 0/1 column on the
//! covariates of a CSV file, with Wald tests per coefficient and the DeLong
//! AUC of the fitted probabilities.

use anyhow::Context;
use serde::Serialize;

use super::{CommonArgs, print_json};
use crate::stats::frame::Frame;
use crate::stats::logistic::{LogisticSettings, fit_logistic};
use crate::stats::metrics::auc::delong_auc;

/// Coverage of the AUC confidence interval.
const AUC_LEVEL: f64 = 0.95;

#[derive(Debug, clap::Args)]
pub struct LogisticArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Column of the binary outcome (1 = event, 0 = no event).
    #[arg(long, value_name = "COL")]
    pub outcome: String,
}

/// The JSON printed by `stats logistic`.
#[derive(Debug, Serialize)]
struct LogisticOutput {
    /// Rows used: complete in the outcome and every covariate.
    n: usize,
    events: usize,
    coefficients: Vec<Coefficient>,
    deviance: f64,
    null_deviance: f64,
    aic: f64,
    loglik: f64,
    iterations: usize,
    auc: f64,
    auc_lower: f64,
    auc_upper: f64,
}

#[derive(Debug, Serialize)]
struct Coefficient {
    name: String,
    coef: f64,
    se: f64,
    z: f64,
    p: f64,
}

/// Fit the logistic regression on the complete cases of the CSV and print
/// its coefficients, deviances, AIC and AUC as JSON.
///
/// # Errors
///
/// Input errors of the CSV and the design: an unknown column, text in a
/// numeric column or an outcome other than 0 or 1. Also every error of
/// [`fit_logistic`] and [`delong_auc`], such as one outcome class, a constant
/// or collinear covariate, perfect separation or too few rows.
pub fn logistic(args: LogisticArgs) -> anyhow::Result<()> {
    let common = &args.common;
    if common.covariates.is_empty() {
        anyhow::bail!("no covariates given; list the model's columns with --covariates a,b,c");
    }
    let frame = Frame::from_path(&common.csv)?;
    let mut needed: Vec<&str> = vec![args.outcome.as_str()];
    needed.extend(common.covariates.iter().map(String::as_str));
    let rows = frame.complete_rows(&needed)?;
    let outcome = frame.binary(&args.outcome, &rows)?;
    let design = frame.design(&common.design_spec()?, &rows)?;

    let fit = fit_logistic(
        &design.x,
        &design.names,
        &outcome,
        &LogisticSettings::default(),
    )
    .with_context(|| format!("cannot fit `{}` on {}", args.outcome, common.csv.display()))?;
    let auc = delong_auc(&fit.fitted, &outcome, AUC_LEVEL)?;

    let coefficients = (0..fit.names.len())
        .map(|j| Coefficient {
            name: fit.names[j].clone(),
            coef: fit.coef[j],
            se: fit.se[j],
            z: fit.z[j],
            p: fit.p[j],
        })
        .collect();
    print_json(&LogisticOutput {
        n: outcome.len(),
        events: outcome.iter().filter(|&&y| y).count(),
        coefficients,
        deviance: fit.deviance,
        null_deviance: fit.null_deviance,
        aic: fit.aic,
        loglik: fit.loglik,
        iterations: fit.iterations,
        auc: auc.auc,
        auc_lower: auc.lower,
        auc_upper: auc.upper,
    })
}
