//! `tace-registry stats METHOD`: the numerical engine on any CSV file, with
//! JSON on stdout. Numbers are JSON numbers and undefined values are `null`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::stats::frame::{Design, DesignSpec, Frame};

pub mod binary;
pub mod forest;
pub mod metrics;
pub mod survival;

#[derive(Debug, Subcommand)]
pub enum Method {
    /// Kaplan–Meier curves, overall or by group.
    Km(survival::KmArgs),
    /// Log-rank test for two or more groups.
    Logrank(survival::LogrankArgs),
    /// Cox proportional hazards regression.
    Cox(survival::CoxArgs),
    /// Stepwise Cox regression by AIC.
    Stepcox(survival::StepcoxArgs),
    /// Harrell's and Uno's concordance of a risk column.
    Concordance(metrics::ConcordanceArgs),
    /// Cumulative/dynamic time-dependent AUC of a risk column.
    Tdauc(metrics::TdaucArgs),
    /// Logistic regression with DeLong AUC.
    Logistic(binary::LogisticArgs),
    /// Random survival forest with out-of-bag concordance and importance.
    Rsf(forest::RsfArgs),
}

/// Flags shared by every method.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Input CSV file with a header line; empty cells and NA are missing.
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,

    /// Column of survival times (any unit; used as is).
    #[arg(long, default_value = "time", value_name = "COL")]
    pub time: String,

    /// Column of event indicators (1 = event, 0 = censored).
    #[arg(long, default_value = "event", value_name = "COL")]
    pub event: String,

    /// Covariate columns, comma-separated; factor columns are listed here too.
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub covariates: Vec<String>,

    /// Columns to treat as categorical (treatment contrasts).
    #[arg(long, value_delimiter = ',', value_name = "C,D")]
    pub factors: Vec<String>,

    /// Reference level of a factor, as COLUMN=LEVEL; repeat for several.
    /// Without it the first level in sorted order is the reference.
    #[arg(long = "reference", value_name = "COL=LEVEL")]
    pub references: Vec<String>,

    /// Output format; JSON is the only one and the default.
    #[arg(long, default_value_t = true)]
    pub json: bool,
}

impl CommonArgs {
    /// The design specification of the covariate flags.
    ///
    /// # Errors
    ///
    /// When a `--reference` is not of the form COLUMN=LEVEL or names a column
    /// that is not in `--factors`.
    pub fn design_spec(&self) -> anyhow::Result<DesignSpec> {
        let mut levels = BTreeMap::new();
        for reference in &self.references {
            let (column, level) = reference.split_once('=').with_context(|| {
                format!("--reference `{reference}` must have the form COLUMN=LEVEL")
            })?;
            if !self.factors.iter().any(|f| f == column) {
                anyhow::bail!(
                    "--reference names `{column}`, which is not listed in --factors; add it there"
                );
            }
            levels.insert(column.to_string(), vec![level.to_string()]);
        }
        for factor in &self.factors {
            if !self.covariates.contains(factor) {
                anyhow::bail!(
                    "factor `{factor}` is not listed in --covariates; list it in both flags"
                );
            }
        }
        Ok(DesignSpec {
            covariates: self.covariates.clone(),
            factors: self.factors.clone(),
            levels,
        })
    }
}

/// A loaded CSV restricted to complete cases, with its survival outcome and
/// design matrix.
pub struct SurvivalInput {
    pub frame: Frame,
    /// Frame rows used (complete in every column the method needs).
    pub rows: Vec<usize>,
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    pub design: Design,
}

/// Load the CSV of `common` and keep the rows complete in time, event, the
/// covariates and `extra` columns.
///
/// # Errors
///
/// Unreadable files, unknown columns and non-numeric cells in a used column.
pub fn load_survival(common: &CommonArgs, extra: &[&str]) -> anyhow::Result<SurvivalInput> {
    let frame = Frame::from_path(&common.csv)?;
    let mut needed: Vec<&str> = vec![common.time.as_str(), common.event.as_str()];
    needed.extend(common.covariates.iter().map(String::as_str));
    needed.extend_from_slice(extra);
    let rows = frame.complete_rows(&needed)?;
    let time = frame.numeric(&common.time, &rows)?;
    let event = frame.binary(&common.event, &rows)?;
    let design = frame.design(&common.design_spec()?, &rows)?;
    Ok(SurvivalInput {
        frame,
        rows,
        time,
        event,
        design,
    })
}

/// Print a value as pretty JSON on stdout.
///
/// # Errors
///
/// When serialisation fails, which only happens for non-string map keys.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    super::print_stdout(&serde_json::to_string_pretty(value)?)
}

/// Run one method.
pub fn run(method: Method) -> anyhow::Result<()> {
    match method {
        Method::Km(args) => survival::km(args),
        Method::Logrank(args) => survival::logrank(args),
        Method::Cox(args) => survival::cox(args),
        Method::Stepcox(args) => survival::stepcox(args),
        Method::Concordance(args) => metrics::concordance(args),
        Method::Tdauc(args) => metrics::tdauc(args),
        Method::Logistic(args) => binary::logistic(args),
        Method::Rsf(args) => forest::rsf(args),
    }
}
