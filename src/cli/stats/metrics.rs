//! `tace-registry stats concordance` and `stats tdauc`: how well a risk
//! column of a CSV file ranks the survival times, as Harrell's and Uno's C
//! and as the cumulative/dynamic AUC at given times.

use serde::Serialize;

use super::{CommonArgs, SurvivalInput, load_survival, print_json};
use crate::stats::metrics::concordance::{IpcwConvention, UnoSettings, harrell, uno};
use crate::stats::metrics::td_auc::{RiskScores, TdAucSettings, cumulative_dynamic_auc};

/// Censoring-weight convention of the IPCW metrics, as a flag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Convention {
    /// scikit-survival 0.28: a case at time T is weighted by 1/G(T), and
    /// Uno's C keeps events strictly before tau.
    Sksurv,
    /// R survival 3.5 `concordance(timewt = "n/G2")` and riskRegression
    /// `Score`: a case is weighted by 1/G(T-), Uno's C keeps events up to and
    /// including tau, and the AUC has standard errors.
    R,
}

impl From<Convention> for IpcwConvention {
    fn from(convention: Convention) -> Self {
        match convention {
            Convention::Sksurv => IpcwConvention::ScikitSurvival,
            Convention::R => IpcwConvention::R,
        }
    }
}

impl Convention {
    fn name(self) -> &'static str {
        match self {
            Convention::Sksurv => "sksurv",
            Convention::R => "r",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ConcordanceArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Column of risk scores; a higher value means a higher risk (shorter
    /// expected survival).
    #[arg(long, value_name = "COL")]
    pub risk: String,

    /// Truncation time of Uno's C, in the unit of the time column [default:
    /// no truncation].
    #[arg(long, value_name = "T")]
    pub tau: Option<f64>,

    /// Censoring-weight convention of Uno's C.
    #[arg(long, value_enum, default_value_t = Convention::Sksurv)]
    pub convention: Convention,
}

#[derive(Debug, clap::Args)]
pub struct TdaucArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Column of risk scores; a higher value means a higher risk (shorter
    /// expected survival).
    #[arg(long, value_name = "COL")]
    pub risk: String,

    /// Evaluation times, comma-separated and strictly increasing, in the
    /// unit of the time column.
    #[arg(long, value_delimiter = ',', required = true, value_name = "T1,T2,...")]
    pub times: Vec<f64>,

    /// Censoring-weight convention of the AUC.
    #[arg(long, value_enum, default_value_t = Convention::Sksurv)]
    pub convention: Convention,
}

/// The JSON printed by `stats concordance`.
#[derive(Debug, Serialize)]
struct ConcordanceOutput {
    n: usize,
    events: usize,
    harrell: f64,
    /// R survival's infinitesimal-jackknife standard error of `harrell`.
    harrell_std_err: f64,
    concordant: u64,
    discordant: u64,
    tied_risk: u64,
    /// Pairs of two events at the same time (R's `tied.y + tied.xy`), which
    /// are not comparable.
    tied_time: u64,
    uno: f64,
    /// R survival's standard error of `uno`; `null` under `sksurv`.
    uno_std_err: Option<f64>,
    /// `null` when Uno's C is not truncated.
    tau: Option<f64>,
    convention: &'static str,
}

/// The JSON printed by `stats tdauc`.
#[derive(Debug, Serialize)]
struct TdaucOutput {
    n: usize,
    events: usize,
    times: Vec<f64>,
    auc: Vec<f64>,
    mean_auc: f64,
    /// riskRegression `Score` standard errors and 95% bounds; `null` under
    /// `sksurv`.
    std_err: Option<Vec<f64>>,
    lower: Option<Vec<f64>>,
    upper: Option<Vec<f64>>,
    convention: &'static str,
}

/// Load the complete cases of the CSV with their risk scores.
fn load_with_risk(common: &CommonArgs, risk: &str) -> anyhow::Result<(SurvivalInput, Vec<f64>)> {
    let input = load_survival(common, &[risk])?;
    let scores = input.frame.numeric(risk, &input.rows)?;
    Ok((input, scores))
}

/// Computes Harrell's and Uno's C of the risk column on the complete cases of
/// the CSV and prints them as JSON.
///
/// Without `--tau`, Uno's C weights every event, as scikit-survival does with
/// `tau = None`.
///
/// # Errors
///
/// Input errors of the CSV, and the errors of
/// [`harrell`] and [`uno`] (no comparable pairs, no events before tau, a zero
/// censoring survival at an event).
pub fn concordance(args: ConcordanceArgs) -> anyhow::Result<()> {
    let (input, risk) = load_with_risk(&args.common, &args.risk)?;
    let harrell_c = harrell(&input.time, &input.event, &risk)?;
    let settings = UnoSettings {
        // The largest finite number keeps every event under either
        // convention's comparison with tau.
        tau: args.tau.unwrap_or(f64::MAX),
        convention: args.convention.into(),
    };
    let uno_c = uno(&input.time, &input.event, &risk, &settings)?;
    print_json(&ConcordanceOutput {
        n: input.time.len(),
        events: input.event.iter().filter(|&&e| e).count(),
        harrell: harrell_c.c_index,
        harrell_std_err: harrell_c.std_err,
        concordant: harrell_c.concordant,
        discordant: harrell_c.discordant,
        tied_risk: harrell_c.tied_risk,
        tied_time: harrell_c.tied_time + harrell_c.tied_both,
        uno: uno_c.c_index,
        uno_std_err: uno_c.std_err,
        tau: args.tau,
        convention: args.convention.name(),
    })
}

/// Computes the cumulative/dynamic AUC of the risk column at each time on the
/// complete cases of the CSV and prints it as JSON.
///
/// # Errors
///
/// Input errors of the CSV, and the errors of [`cumulative_dynamic_auc`]
/// (times not increasing or beyond the last follow-up, a time with no cases
/// or no controls, a zero censoring survival at an event).
pub fn tdauc(args: TdaucArgs) -> anyhow::Result<()> {
    let (input, risk) = load_with_risk(&args.common, &args.risk)?;
    let settings = TdAucSettings {
        times: args.times.clone(),
        convention: args.convention.into(),
    };
    let result = cumulative_dynamic_auc(
        &input.time,
        &input.event,
        RiskScores::Vector(&risk),
        &settings,
    )?;
    let (std_err, lower, upper) = match result.interval {
        Some(interval) => (
            Some(interval.std_err),
            Some(interval.lower),
            Some(interval.upper),
        ),
        None => (None, None, None),
    };
    print_json(&TdaucOutput {
        n: input.time.len(),
        events: input.event.iter().filter(|&&e| e).count(),
        times: result.times,
        auc: result.auc,
        mean_auc: result.mean_auc,
        std_err,
        lower,
        upper,
        convention: args.convention.name(),
    })
}
