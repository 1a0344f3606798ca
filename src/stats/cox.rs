//! Cox proportional hazards regression for right-censored data: the fit,
//! its inference, the baseline hazard and predicted survival curves, and
//! stepwise selection by AIC.
//!
//! The conventions are those of R survival 3.5 `coxph` (Newton–Raphson from
//! β = 0 with step halving, Efron or Breslow ties, convergence on the
//! relative change of the log partial likelihood), `summary.coxph`,
//! `basehaz`, `survfit.coxph` and R `stats::step`. The work is split as R
//! splits it:
//!
//! - [`prepare`]: input checks, sorting by time, centring and scaling;
//! - [`kernel`]: log partial likelihood, score and information at one β;
//! - [`cholesky`]: the LDLᵀ factorisation that detects singular columns;
//! - [`fit`]: the Newton–Raphson iteration and the fitted model;
//! - [`inference`]: coefficient table, likelihood-ratio, Wald and score
//!   tests, AIC and concordance;
//! - [`baseline`]: Breslow or Efron baseline hazard and curves for new rows;
//! - [`stepwise`]: forward, backward and bidirectional selection by AIC.

use serde::{Deserialize, Serialize};

use super::StatsError;

pub mod baseline;
pub mod cholesky;
pub mod fit;
pub mod inference;
pub mod kernel;
pub mod prepare;
pub mod stepwise;

pub use baseline::{
    BaselineHazard, PredictedSurvival, RiskSetTable, SurvivalCurve, basehaz, predict_survival,
};
pub use fit::{CoxFit, fit};
pub use inference::{CoefficientRow, CoxSummary, TestStatistic, aic, concordance, summary};
pub use stepwise::{
    Candidate, Direction, Move, StepRecord, StepTrace, Stepwise, select_terms, stepwise,
};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ties {
    /// Efron's approximation, R `coxph`'s default: the k-th of d tied events
    /// sees the risk set less (k/d) of the tied events' risk.
    Efron,
    /// Breslow's approximation: every tied event sees the full risk set.
    Breslow,
}

/// Settings of a Cox fit, with R survival 3.5 `coxph.control` defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoxSettings {
    pub ties: Ties,
    /// Maximum number of Newton–Raphson steps (`iter.max`, default 20).
    pub max_iter: usize,
    /// Convergence: stop when `|1 − loglik_old/loglik_new| ≤ eps` (default
    /// 1e-9).
    pub eps: f64,
    /// Pivots of the information matrix below `toler_chol` times its largest
    /// diagonal element mark a singular column (default `f64::EPSILON^0.75`).
    pub toler_chol: f64,
    /// Monotone-likelihood check: a coefficient whose remaining Newton step
    /// exceeds `eps` and `toler_inf·|β|` is running to infinity (default
    /// `sqrt(1e-9)`).
    pub toler_inf: f64,
}

impl Default for CoxSettings {
    fn default() -> Self {
        Self {
            ties: Ties::Efron,
            max_iter: 20,
            eps: 1e-9,
            toler_chol: f64::EPSILON.powf(0.75),
            toler_inf: 1e-9_f64.sqrt(),
        }
    }
}

impl CoxSettings {
    /// Default settings with the given ties method.
    pub fn with_ties(ties: Ties) -> Self {
        Self {
            ties,
            ..Self::default()
        }
    }

    /// Check the settings.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] when `max_iter` is 0 or a tolerance
    /// is not a finite number above 0.
    pub fn validate(&self) -> Result<(), StatsError> {
        if self.max_iter == 0 {
            return Err(StatsError::InvalidParameter {
                name: "max_iter",
                value: "0".into(),
                reason: "at least one Newton–Raphson step is needed".into(),
            });
        }
        for (name, value) in [
            ("eps", self.eps),
            ("toler_chol", self.toler_chol),
            ("toler_inf", self.toler_inf),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(StatsError::InvalidParameter {
                    name,
                    value: value.to_string(),
                    reason: "a tolerance must be a finite number above 0".into(),
                });
            }
        }
        Ok(())
    }
}
