//! Inference on a fitted Cox model: the coefficient table with hazard ratios,
//! the likelihood-ratio, Wald and score tests, AIC and Harrell's concordance,
//! as R survival 3.5 `summary.coxph` and `coxph` report them.

use serde::{Deserialize, Serialize};
use statrs::function::erf::erfc;
use statrs::function::gamma::gamma_ur;

use super::super::StatsError;
use super::super::km::normal_upper_quantile;
use super::super::metrics::concordance::{Concordance, harrell};
use super::cholesky::Ldl;
use super::fit::CoxFit;

/// One coefficient with its Wald statistics and hazard ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefficientRow {
    pub name: String,
    pub coef: f64,
    pub se: f64,
    /// `coef / se`.
    pub z: f64,
    /// Two-sided normal p-value of `z`.
    pub p: f64,
    /// Hazard ratio `exp(coef)`.
    pub hr: f64,
    /// `exp(coef − z_{α/2}·se)`.
    pub hr_lower: f64,
    /// `exp(coef + z_{α/2}·se)`.
    pub hr_upper: f64,
}

/// A chi-square test of all coefficients being 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestStatistic {
    pub statistic: f64,
    pub df: usize,
    /// Upper-tail chi-square probability.
    pub p: f64,
}

impl TestStatistic {
    fn chi_square(statistic: f64, df: usize) -> Self {
        Self {
            statistic,
            df,
            p: chi_square_upper(statistic, df),
        }
    }
}

/// The summary of a fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxSummary {
    pub n: usize,
    pub events: usize,
    pub iterations: usize,
    pub loglik_null: f64,
    pub loglik: f64,
    /// `−2·loglik + 2·(number of coefficients)`.
    pub aic: f64,
    pub conf_level: f64,
    pub coefficients: Vec<CoefficientRow>,
    /// `2·(loglik − loglik_null)`.
    pub lr_test: TestStatistic,
    /// `βᵀ V⁻¹ β`.
    pub wald_test: TestStatistic,
    /// `U(0)ᵀ I(0)⁻¹ U(0)`.
    pub score_test: TestStatistic,
}

/// Upper-tail probability of a chi-square variable with `df` degrees of
/// freedom (`df ≥ 1`); 1 for a statistic of 0 or below.
pub(crate) fn chi_square_upper(statistic: f64, df: usize) -> f64 {
    // statrs 0.19 `gamma_ur` panics unless x > 0, so P(X >= 0) = 1 is
    // returned here; a coefficient of exactly 0 gives such a statistic.
    if statistic <= 0.0 {
        return 1.0;
    }
    gamma_ur(df as f64 / 2.0, statistic / 2.0)
}

/// Summarise a fitted model: Wald z and two-sided normal p for each
/// coefficient, hazard ratios with intervals at `conf_level`, and the three
/// global tests on as many degrees of freedom as coefficients. This is R
/// survival 3.5 `summary(coxph(...), conf.int = conf_level)`, except that
/// its Wald statistic is printed rounded to two decimals and this one is
/// not.
///
/// # Errors
///
/// [`StatsError::NotEstimable`] for the null model, which has nothing to
/// test, and [`StatsError::InvalidParameter`] when `conf_level` is not
/// strictly between 0 and 1.
pub fn summary(fit: &CoxFit, conf_level: f64) -> Result<CoxSummary, StatsError> {
    let p = fit.coef.len();
    if p == 0 {
        return Err(StatsError::NotEstimable {
            what: "Cox model summary".into(),
            reason: "the model has no covariates".into(),
        });
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(StatsError::InvalidParameter {
            name: "conf_level",
            value: conf_level.to_string(),
            reason: "a confidence level must be strictly between 0 and 1".into(),
        });
    }
    let z_level = normal_upper_quantile((1.0 - conf_level) / 2.0);
    let coefficients = (0..p).map(|j| coefficient_row(fit, j, z_level)).collect();
    Ok(CoxSummary {
        n: fit.n,
        events: fit.events,
        iterations: fit.iterations,
        loglik_null: fit.loglik_null,
        loglik: fit.loglik,
        aic: aic(fit),
        conf_level,
        coefficients,
        lr_test: TestStatistic::chi_square(2.0 * (fit.loglik - fit.loglik_null), p),
        wald_test: TestStatistic::chi_square(wald_statistic(fit), p),
        score_test: TestStatistic::chi_square(fit.score_statistic, p),
    })
}

fn coefficient_row(fit: &CoxFit, j: usize, z_level: f64) -> CoefficientRow {
    let coef = fit.coef[j];
    let se = fit.var[j][j].sqrt();
    let z = coef / se;
    CoefficientRow {
        name: fit.names[j].clone(),
        coef,
        se,
        z,
        p: erfc(z.abs() / std::f64::consts::SQRT_2),
        hr: coef.exp(),
        hr_lower: (coef - z_level * se).exp(),
        hr_upper: (coef + z_level * se).exp(),
    }
}

/// `βᵀ V⁻¹ β`, solving with the variance matrix instead of inverting it.
fn wald_statistic(fit: &CoxFit) -> f64 {
    let p = fit.coef.len();
    let flat: Vec<f64> = fit.var.iter().flatten().copied().collect();
    let solved = Ldl::new(&flat, p, f64::EPSILON).solve(&fit.coef);
    solved.iter().zip(&fit.coef).map(|(a, b)| a * b).sum()
}

/// Akaike's criterion as R `extractAIC.coxph` gives it: `−2·loglik + 2·p`,
/// which is `−2·loglik_null` for the null model.
pub fn aic(fit: &CoxFit) -> f64 {
    -2.0 * fit.loglik + 2.0 * fit.coef.len() as f64
}

/// Harrell's concordance of the model's linear predictor with the data it
/// was fitted on, where a higher predictor means shorter survival: R
/// survival 3.5 `coxph(...)$concordance` (pair counts and C; its
/// jackknife standard error is not computed).
///
/// `time` and `event` are the outcomes of the rows used, in input order.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when they do not match the fit, and the
/// errors of [`harrell`].
pub fn concordance(fit: &CoxFit, time: &[f64], event: &[bool]) -> Result<Concordance, StatsError> {
    if time.len() != fit.linear_predictors.len() {
        return Err(StatsError::LengthMismatch {
            what: "time".into(),
            expected: fit.linear_predictors.len(),
            got: time.len(),
        });
    }
    harrell(time, event, &fit.linear_predictors)
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;

    use super::super::CoxSettings;
    use super::super::fit::fit;
    use super::*;
    use crate::stats::frame::Design;

    fn hand_fit() -> CoxFit {
        let design = Design {
            names: vec!["x".into()],
            terms: vec!["x".into()],
            x: DMatrix::from_column_slice(3, 1, &[1.0, 0.0, 1.0]),
        };
        fit(
            &design,
            &[1.0, 2.0, 3.0],
            &[true; 3],
            &CoxSettings::default(),
        )
        .unwrap()
    }

    #[test]
    fn hand_worked_tests() {
        // x = 1, 0, 1 dying at 1, 2, 3. At β = 0 the score is
        // (1 − 2/3) + (0 − 1/2) + 0 = −1/6 and the information
        // 2/9 + 1/4 = 17/36, so the score test is (1/36)/(17/36) = 1/17.
        let fit = hand_fit();
        let summary = summary(&fit, 0.95).unwrap();
        assert!((summary.score_test.statistic - 1.0 / 17.0).abs() < 1e-12);
        let coef = fit.coef[0];
        let var = fit.var[0][0];
        assert!((summary.wald_test.statistic - coef * coef / var).abs() < 1e-12);
        let lr = 2.0 * (fit.loglik - fit.loglik_null);
        assert!((summary.lr_test.statistic - lr).abs() < 1e-12);
        assert_eq!(summary.lr_test.df, 1);
        assert!((summary.aic - (-2.0 * fit.loglik + 2.0)).abs() < 1e-12);
        let row = &summary.coefficients[0];
        assert!((row.z - coef / var.sqrt()).abs() < 1e-12);
        assert!((row.hr - coef.exp()).abs() < 1e-12);
        assert!(row.hr_lower < row.hr && row.hr < row.hr_upper);
        // Two-sided p of z is P(χ²₁ > z²).
        assert!((row.p - chi_square_upper(row.z * row.z, 1)).abs() < 1e-12);
    }

    #[test]
    fn null_model_has_no_summary() {
        let design = Design {
            names: Vec::new(),
            terms: Vec::new(),
            x: DMatrix::zeros(3, 0),
        };
        let fit = fit(
            &design,
            &[1.0, 2.0, 3.0],
            &[true; 3],
            &CoxSettings::default(),
        )
        .unwrap();
        assert!(matches!(
            summary(&fit, 0.95),
            Err(StatsError::NotEstimable { .. })
        ));
        assert!((aic(&fit) + 2.0 * fit.loglik_null).abs() < 1e-12);
    }

    #[test]
    fn concordance_of_hand_fit() {
        // β < 0, so the x = 0 subject has the highest risk. Comparable pairs:
        // (1,2), (1,3), (2,3); concordant when the earlier death has the
        // higher predictor: only (2,3).
        let fit = hand_fit();
        let c = concordance(&fit, &[1.0, 2.0, 3.0], &[true; 3]).unwrap();
        assert_eq!((c.concordant, c.discordant, c.tied_risk), (1, 1, 1));
        assert!((c.c_index - 0.5).abs() < 1e-15);
    }
}
