//! Logistic regression for a 0/1 outcome, fitted by iteratively reweighted
//! least squares as R's `glm(family = binomial)` fits it, and the post-fit
//! operations on the fitted model: probabilities for new rows and their
//! confidence intervals.
//!
//! The fit rejects inputs that have no finite maximum-likelihood estimate
//! (complete or quasi-complete separation), a constant or collinear
//! covariate, and a single outcome class, each with a typed [`StatsError`].

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::erf::erfc;

use super::StatsError;
use super::data::check_finite;

/// Name of the intercept coefficient, as R prints it.
pub const INTERCEPT: &str = "(Intercept)";

/// Linear predictors beyond ±30 are clamped in the inverse link, as R's
/// `binomial()$linkinv` does, so that fitted probabilities stay in (0, 1).
const ETA_CLAMP: f64 = 30.0;

/// Relative tolerance below which a design column counts as a linear
/// combination of the columns before it (the tolerance of R's `lm.fit`).
const ALIAS_TOLERANCE: f64 = 1e-7;

/// Settings of the IRLS fit. The defaults are those of R's `glm.control()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticSettings {
    /// Whether to add an intercept column named `(Intercept)`.
    pub intercept: bool,
    /// Convergence threshold on the relative deviance change
    /// `|dev - dev_old| / (|dev| + 0.1)`.
    pub epsilon: f64,
    /// Maximum number of IRLS iterations.
    pub max_iterations: usize,
}

impl Default for LogisticSettings {
    fn default() -> Self {
        Self {
            intercept: true,
            epsilon: 1e-8,
            max_iterations: 25,
        }
    }
}

impl LogisticSettings {
    /// Check the settings.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] for a non-positive or non-finite
    /// `epsilon` or zero `max_iterations`.
    pub fn validate(&self) -> Result<(), StatsError> {
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(StatsError::InvalidParameter {
                name: "epsilon",
                value: self.epsilon.to_string(),
                reason: "must be a positive number".into(),
            });
        }
        if self.max_iterations == 0 {
            return Err(StatsError::InvalidParameter {
                name: "max_iterations",
                value: "0".into(),
                reason: "at least one iteration is needed".into(),
            });
        }
        Ok(())
    }
}

/// A fitted logistic regression model.
///
/// Vectors indexed by coefficient follow `names`; the intercept, when
/// fitted, comes first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    pub names: Vec<String>,
    pub intercept: bool,
    pub coef: Vec<f64>,
    /// Wald standard errors, from the information matrix of the last IRLS
    /// step as R's `summary.glm` reports them.
    pub se: Vec<f64>,
    pub z: Vec<f64>,
    /// Two-sided p-values of the Wald z statistics (normal distribution).
    pub p: Vec<f64>,
    /// Covariance matrix of the coefficients, as rows.
    pub vcov: Vec<Vec<f64>>,
    pub deviance: f64,
    pub null_deviance: f64,
    pub df_residual: usize,
    pub df_null: usize,
    /// `deviance + 2 * number of coefficients` (0/1 outcome, unit weights).
    pub aic: f64,
    /// Log-likelihood, `-deviance / 2` for a 0/1 outcome.
    pub loglik: f64,
    pub iterations: usize,
    /// Fitted probabilities of the rows used, in input order.
    pub fitted: Vec<f64>,
    /// Linear predictors of the rows used, offset included.
    pub linear_predictor: Vec<f64>,
}

/// A predicted probability with its confidence interval, formed on the
/// logit scale and transformed back.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictedProbability {
    pub probability: f64,
    pub linear_predictor: f64,
    /// Standard error of the linear predictor, `sqrt(x' V x)`.
    pub se_link: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The logistic function `1 / (1 + exp(-eta))`.
pub fn expit(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// The log-odds `log(p / (1 - p))`.
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Fit `P(y = 1) = expit(intercept + x b)` by maximum likelihood.
///
/// `x` has one row per subject and one column per covariate (no intercept
/// column; `settings.intercept` adds it), `names` names the columns.
///
/// The estimator is IRLS as in R 4.2 `glm.fit` with the binomial family:
/// start from `mu = (y + 0.5) / 2`, solve the weighted least-squares problem
/// with weights `mu (1 - mu)`, and stop when
/// `|dev - dev_old| / (|dev| + 0.1) < epsilon`. Standard errors come from
/// the weights of the last step's start, as R's `summary.glm` does, so they
/// agree with R to about 1e-6 relative and not only to the optimum's
/// information matrix.
///
/// # Errors
///
/// - [`StatsError::Empty`], [`StatsError::LengthMismatch`] and
///   [`StatsError::NonFinite`] for malformed input;
/// - [`StatsError::SingleGroup`] when every outcome is 0 or every one is 1;
/// - [`StatsError::TooFewRows`] with fewer rows than coefficients plus one;
/// - [`StatsError::ConstantCovariate`] and [`StatsError::Singular`] for a
///   constant or collinear column;
/// - [`StatsError::Separation`] naming a covariate when the classes are
///   completely or quasi-completely separated;
/// - [`StatsError::NotConverged`] when the deviance keeps changing.
pub fn fit_logistic(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    settings: &LogisticSettings,
) -> Result<LogisticFit, StatsError> {
    fit_with_offset(x, names, y, None, settings)
}

/// Fit a logistic regression with a known offset added to the linear
/// predictor, as R's `glm(y ~ x + offset(o), family = binomial)`.
///
/// The null deviance is that of the intercept-only model with the same
/// offset (R refits it), or of the offset alone without an intercept.
///
/// # Errors
///
/// As [`fit_logistic`], plus [`StatsError::LengthMismatch`] and
/// [`StatsError::NonFinite`] for the offset.
pub fn fit_logistic_with_offset(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    offset: &[f64],
    settings: &LogisticSettings,
) -> Result<LogisticFit, StatsError> {
    fit_with_offset(x, names, y, Some(offset), settings)
}

fn fit_with_offset(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    offset: Option<&[f64]>,
    settings: &LogisticSettings,
) -> Result<LogisticFit, StatsError> {
    settings.validate()?;
    check_input(x, names, y, offset, settings.intercept)?;
    let (design, all_names) = with_intercept(x, names, settings.intercept);
    check_aliasing(&design, &all_names)?;

    let n = y.len();
    let zero_offset = vec![0.0; n];
    let offset = offset.unwrap_or(&zero_offset);
    let outcome: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v))).collect();
    let irls = run_irls(&design, &outcome, offset, settings)?;

    if let Some(name) = separating_covariate(&design, &all_names, &outcome, &irls) {
        return Err(StatsError::Separation { name });
    }
    if !irls.converged {
        return Err(StatsError::NotConverged {
            iterations: irls.iterations,
        });
    }
    let null_deviance = null_deviance(&outcome, offset, settings)?;
    summarise(all_names, settings.intercept, irls, null_deviance, n)
}

/// Check dimensions, finiteness, both outcome classes and constant columns.
fn check_input(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    offset: Option<&[f64]>,
    intercept: bool,
) -> Result<(), StatsError> {
    let n = y.len();
    if n == 0 {
        return Err(StatsError::Empty);
    }
    if x.nrows() != n {
        return Err(mismatch("rows of the design matrix", n, x.nrows()));
    }
    if names.len() != x.ncols() {
        return Err(mismatch("covariate names", x.ncols(), names.len()));
    }
    if let Some(offset) = offset {
        if offset.len() != n {
            return Err(mismatch("offset", n, offset.len()));
        }
        check_finite("offset", offset)?;
    }
    for (j, name) in names.iter().enumerate() {
        check_finite(name, x.column(j).as_slice())?;
    }
    let coefficients = x.ncols() + usize::from(intercept);
    if n <= coefficients {
        return Err(StatsError::TooFewRows {
            method: "logistic regression",
            needed: coefficients + 1,
            got: n,
        });
    }
    let events = y.iter().filter(|&&v| v).count();
    if events == 0 || events == n {
        let group = if events == 0 {
            "outcome 0"
        } else {
            "outcome 1"
        };
        return Err(StatsError::SingleGroup {
            group: group.into(),
        });
    }
    for (j, name) in names.iter().enumerate() {
        let column = x.column(j);
        let first = column[0];
        let constant = column.iter().all(|&v| v == first);
        if constant && (intercept || first == 0.0) {
            return Err(StatsError::ConstantCovariate { name: name.clone() });
        }
    }
    Ok(())
}

fn mismatch(what: &str, expected: usize, got: usize) -> StatsError {
    StatsError::LengthMismatch {
        what: what.into(),
        expected,
        got,
    }
}

/// Prepend a column of ones when an intercept is fitted.
fn with_intercept(
    x: &DMatrix<f64>,
    names: &[String],
    intercept: bool,
) -> (DMatrix<f64>, Vec<String>) {
    if !intercept {
        return (x.clone(), names.to_vec());
    }
    let design = x.clone().insert_column(0, 1.0);
    let mut all = vec![INTERCEPT.to_string()];
    all.extend_from_slice(names);
    (design, all)
}

/// Reject a column that is a linear combination of the columns before it,
/// by Gram–Schmidt in column order. R's `glm` would report that column's
/// coefficient as NA (aliased).
fn check_aliasing(design: &DMatrix<f64>, names: &[String]) -> Result<(), StatsError> {
    let mut basis: Vec<DVector<f64>> = Vec::new();
    for (j, name) in names.iter().enumerate() {
        let original = design.column(j).into_owned();
        let mut residual = original.clone();
        for q in &basis {
            let projection = q.dot(&residual);
            residual -= q * projection;
        }
        let norm = residual.norm();
        if norm <= ALIAS_TOLERANCE * original.norm() {
            return Err(StatsError::Singular {
                detail: format!("`{name}` is a linear combination of the columns before it"),
            });
        }
        basis.push(residual / norm);
    }
    Ok(())
}

/// State of the IRLS iterations when they stop.
struct Irls {
    coef: DVector<f64>,
    /// Coefficients of the iteration before the last, when there was one.
    previous: Option<DVector<f64>>,
    /// `X' W X` with the weights at the start of the last iteration.
    information: DMatrix<f64>,
    eta: DVector<f64>,
    mu: DVector<f64>,
    deviance: f64,
    iterations: usize,
    converged: bool,
}

/// Iteratively reweighted least squares for the logit link, following R's
/// `glm.fit` step by step (start values, weights, convergence rule and
/// step halving on a non-finite deviance).
fn run_irls(
    design: &DMatrix<f64>,
    y: &[f64],
    offset: &[f64],
    settings: &LogisticSettings,
) -> Result<Irls, StatsError> {
    let n = y.len();
    let offset = DVector::from_column_slice(offset);

    // Start: mu = (y + 0.5) / 2 and eta = logit(mu), as binomial()$initialize.
    let mut mu = DVector::from_iterator(n, y.iter().map(|&v| (v + 0.5) / 2.0));
    let mut eta = mu.map(logit);
    let mut deviance_old = binomial_deviance(y, mu.as_slice());
    let mut coef: Option<DVector<f64>> = None;

    for iteration in 1..=settings.max_iterations {
        // Working weights and response at the current fit.
        let weights = DVector::from_iterator(n, eta.iter().map(|&e| mu_eta(e)));
        let working = DVector::from_fn(n, |i, _| eta[i] - offset[i] + (y[i] - mu[i]) / weights[i]);
        let information = weighted_cross_product(design, &weights);
        let rhs = design.transpose() * working.component_mul(&weights);
        let mut candidate = solve_spd(&information, &rhs)?;

        // New fit; halve the step back towards the previous coefficients
        // while the deviance is not finite.
        let mut deviance = f64::NAN;
        for _ in 0..=settings.max_iterations {
            eta = design * &candidate + &offset;
            mu = eta.map(linkinv);
            deviance = binomial_deviance(y, mu.as_slice());
            if deviance.is_finite() {
                break;
            }
            let Some(old) = &coef else {
                return Err(StatsError::NotEstimable {
                    what: "logistic regression".into(),
                    reason: "the first IRLS step gave a non-finite deviance".into(),
                });
            };
            candidate = (&candidate + old) / 2.0;
        }
        if !deviance.is_finite() {
            return Err(StatsError::NotConverged {
                iterations: iteration,
            });
        }

        let previous = coef.replace(candidate);
        let converged = (deviance - deviance_old).abs() / (deviance.abs() + 0.1) < settings.epsilon;
        if converged || iteration == settings.max_iterations {
            return Ok(Irls {
                coef: coef.unwrap_or_else(|| DVector::zeros(design.ncols())),
                previous,
                information,
                eta,
                mu,
                deviance,
                iterations: iteration,
                converged,
            });
        }
        deviance_old = deviance;
    }
    Err(StatsError::NotConverged {
        iterations: settings.max_iterations,
    })
}

/// Inverse logit with R's clamping of the linear predictor at ±30.
fn linkinv(eta: f64) -> f64 {
    expit(eta.clamp(-ETA_CLAMP, ETA_CLAMP))
}

/// Derivative of the inverse logit, floored at machine epsilon as in R.
fn mu_eta(eta: f64) -> f64 {
    if eta.abs() > ETA_CLAMP {
        f64::EPSILON
    } else {
        let p = expit(eta);
        (p * (1.0 - p)).max(f64::EPSILON)
    }
}

/// Binomial deviance `-2 sum(y log mu + (1 - y) log(1 - mu))` of 0/1 data.
pub(crate) fn binomial_deviance(y: &[f64], mu: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .map(|(&yi, &m)| {
            if yi > 0.5 {
                -2.0 * m.ln()
            } else {
                -2.0 * (1.0 - m).ln()
            }
        })
        .sum()
}

/// `X' diag(w) X`.
fn weighted_cross_product(design: &DMatrix<f64>, weights: &DVector<f64>) -> DMatrix<f64> {
    let mut weighted = design.clone();
    for (mut row, &w) in weighted.row_iter_mut().zip(weights.iter()) {
        row *= w;
    }
    design.transpose() * weighted
}

/// Solve a symmetric positive definite system by Cholesky.
fn solve_spd(matrix: &DMatrix<f64>, rhs: &DVector<f64>) -> Result<DVector<f64>, StatsError> {
    matrix
        .clone()
        .cholesky()
        .map(|c| c.solve(rhs))
        .ok_or_else(|| StatsError::Singular {
            detail: "the weighted cross-product X'WX is not positive definite".into(),
        })
}

/// The covariate along which the IRLS iterates run away, if they do.
///
/// Without a finite maximum-likelihood estimate, each IRLS step moves the
/// linear predictor of the separated rows by about one unit in the
/// direction `d` of the last step, and `d` separates the classes:
/// `(2y - 1) x'd >= 0` for every row. A converged fit takes a last step
/// that is orders of magnitude smaller, so the check needs both a large
/// step (over 0.1 on the logit scale) and the sign condition.
fn separating_covariate(
    design: &DMatrix<f64>,
    names: &[String],
    y: &[f64],
    irls: &Irls,
) -> Option<String> {
    let previous = irls.previous.as_ref()?;
    let step = &irls.coef - previous;
    let moved = design * &step;
    let largest = moved.amax();
    if largest <= 0.1 {
        return None;
    }
    let separates = moved
        .iter()
        .zip(y)
        .all(|(&m, &yi)| (2.0 * yi - 1.0) * m >= -1e-3 * largest);
    if !separates {
        return None;
    }
    // Name the non-intercept column that moves the linear predictor most.
    let spread = |j: usize| {
        let column = design.column(j);
        column.max() - column.min()
    };
    (0..names.len())
        .filter(|&j| names[j] != INTERCEPT)
        .max_by(|&a, &b| (step[a].abs() * spread(a)).total_cmp(&(step[b].abs() * spread(b))))
        .map(|j| names[j].clone())
}

/// Deviance of the model without covariates: intercept only (refitted when
/// there is an offset, as R's `glm` does) or the offset alone.
fn null_deviance(
    y: &[f64],
    offset: &[f64],
    settings: &LogisticSettings,
) -> Result<f64, StatsError> {
    let n = y.len();
    if !settings.intercept {
        let mu: Vec<f64> = offset.iter().map(|&o| linkinv(o)).collect();
        return Ok(binomial_deviance(y, &mu));
    }
    if offset.iter().all(|&o| o == 0.0) {
        let mean = y.iter().sum::<f64>() / n as f64;
        return Ok(binomial_deviance(y, &vec![mean; n]));
    }
    let intercept_only = DMatrix::from_element(n, 1, 1.0);
    let irls = run_irls(&intercept_only, y, offset, settings)?;
    Ok(irls.deviance)
}

/// Standard errors, Wald tests and summaries of a converged IRLS run.
fn summarise(
    names: Vec<String>,
    intercept: bool,
    irls: Irls,
    null_deviance: f64,
    n: usize,
) -> Result<LogisticFit, StatsError> {
    let k = names.len();
    let vcov = irls
        .information
        .clone()
        .cholesky()
        .map(|c| c.inverse())
        .ok_or_else(|| StatsError::Singular {
            detail: "the information matrix of the final IRLS step is not invertible".into(),
        })?;
    let coef: Vec<f64> = irls.coef.iter().copied().collect();
    let se: Vec<f64> = (0..k).map(|j| vcov[(j, j)].sqrt()).collect();
    let z: Vec<f64> = coef.iter().zip(&se).map(|(c, s)| c / s).collect();
    let p = z.iter().map(|&v| two_sided_p(v)).collect();
    Ok(LogisticFit {
        intercept,
        coef,
        se,
        z,
        p,
        vcov: vcov
            .row_iter()
            .map(|r| r.iter().copied().collect())
            .collect(),
        deviance: irls.deviance,
        null_deviance,
        df_residual: n - k,
        df_null: n - usize::from(intercept),
        aic: irls.deviance + 2.0 * k as f64,
        loglik: -irls.deviance / 2.0,
        iterations: irls.iterations,
        fitted: irls.mu.iter().copied().collect(),
        linear_predictor: irls.eta.iter().copied().collect(),
        names,
    })
}

/// `2 * P(Z > |z|)` for a standard normal Z, accurate in the far tail.
pub(crate) fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Linear predictors `intercept + x b` of new rows (no offset).
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when `x` does not have one column per
/// covariate of the fit, [`StatsError::NonFinite`] for a NaN or infinite
/// value.
pub fn predict_link(fit: &LogisticFit, x: &DMatrix<f64>) -> Result<Vec<f64>, StatsError> {
    let rows = augmented_rows(fit, x)?;
    Ok(rows
        .iter()
        .map(|row| row.iter().zip(&fit.coef).map(|(a, b)| a * b).sum())
        .collect())
}

/// Predicted probabilities `expit(intercept + x b)` of new rows.
///
/// # Errors
///
/// As [`predict_link`].
pub fn predict_probability(fit: &LogisticFit, x: &DMatrix<f64>) -> Result<Vec<f64>, StatsError> {
    Ok(predict_link(fit, x)?.into_iter().map(expit).collect())
}

/// Predicted probabilities of new rows with a pointwise confidence interval
/// at `level` (for example 0.95).
///
/// The interval is `expit(eta ± z se)` with `se = sqrt(x' V x)` from the
/// coefficient covariance `V`, which is what R's
/// `predict(fit, se.fit = TRUE)` on the link scale followed by `plogis`
/// gives; it stays inside (0, 1).
///
/// # Errors
///
/// As [`predict_link`], plus [`StatsError::InvalidParameter`] when `level`
/// is not strictly between 0 and 1.
pub fn predict_with_ci(
    fit: &LogisticFit,
    x: &DMatrix<f64>,
    level: f64,
) -> Result<Vec<PredictedProbability>, StatsError> {
    let z = normal_quantile_for_level(level)?;
    let rows = augmented_rows(fit, x)?;
    let k = fit.coef.len();
    Ok(rows
        .iter()
        .map(|row| {
            let eta: f64 = row.iter().zip(&fit.coef).map(|(a, b)| a * b).sum();
            let mut variance = 0.0;
            for a in 0..k {
                for b in 0..k {
                    variance += row[a] * fit.vcov[a][b] * row[b];
                }
            }
            let se_link = variance.max(0.0).sqrt();
            PredictedProbability {
                probability: expit(eta),
                linear_predictor: eta,
                se_link,
                lower: expit(eta - z * se_link),
                upper: expit(eta + z * se_link),
            }
        })
        .collect())
}

/// The standard normal quantile `z` with `P(|Z| <= z) = level`.
///
/// # Errors
///
/// [`StatsError::InvalidParameter`] unless `0 < level < 1`.
pub fn normal_quantile_for_level(level: f64) -> Result<f64, StatsError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::InvalidParameter {
            name: "level",
            value: level.to_string(),
            reason: "a confidence level must be strictly between 0 and 1".into(),
        });
    }
    Ok(Normal::standard().inverse_cdf(0.5 + level / 2.0))
}

/// Rows of `x` with a leading 1 when the fit has an intercept.
fn augmented_rows(fit: &LogisticFit, x: &DMatrix<f64>) -> Result<Vec<Vec<f64>>, StatsError> {
    let covariates = fit.coef.len() - usize::from(fit.intercept);
    if x.ncols() != covariates {
        return Err(mismatch("columns of the new rows", covariates, x.ncols()));
    }
    let offset = usize::from(fit.intercept);
    for j in 0..x.ncols() {
        check_finite(&fit.names[j + offset], x.column(j).as_slice())?;
    }
    Ok(x.row_iter()
        .map(|row| {
            let mut values = Vec::with_capacity(fit.coef.len());
            if fit.intercept {
                values.push(1.0);
            }
            values.extend(row.iter().copied());
            values
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn single_binary_covariate_matches_closed_form() {
        // x = 0: 1 event of 4; x = 1: 3 events of 4. The MLE reproduces the
        // cell proportions: intercept = logit(1/4) = -ln 3 and slope =
        // logit(3/4) - logit(1/4) = 2 ln 3. The SE of the slope is
        // sqrt(1/(4 * 1/4 * 3/4) * 2) = sqrt(8/3) at the optimum; the SE uses
        // the weights of the step before the last (as R does), hence 1e-4.
        let x = DMatrix::from_column_slice(8, 1, &[0., 0., 0., 0., 1., 1., 1., 1.]);
        let y = [true, false, false, false, true, true, true, false];
        let fit = fit_logistic(&x, &names(&["x"]), &y, &LogisticSettings::default()).unwrap();
        assert!((fit.coef[0] + 3f64.ln()).abs() < 1e-8);
        assert!((fit.coef[1] - 2.0 * 3f64.ln()).abs() < 1e-8);
        assert!((fit.se[1] - (8.0f64 / 3.0).sqrt()).abs() < 1e-4);
        // Null deviance: 8 rows with p = 1/2, so 16 ln 2.
        assert!((fit.null_deviance - 16.0 * 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn complete_separation_is_named() {
        let x = DMatrix::from_column_slice(6, 1, &[1., 2., 3., 4., 5., 6.]);
        let y = [false, false, false, true, true, true];
        let err = fit_logistic(&x, &names(&["dose"]), &y, &LogisticSettings::default());
        assert_eq!(
            err,
            Err(StatsError::Separation {
                name: "dose".into()
            })
        );
    }

    #[test]
    fn quasi_complete_separation_is_named() {
        // Every row with flag = 1 is an event; rows with flag = 0 are mixed.
        let x = DMatrix::from_row_slice(
            8,
            2,
            &[
                0., 1.2, 0., 0.4, 0., 2.2, 0., 1.1, 1., 0.3, 1., 1.7, 0., 0.9, 1., 1.4,
            ],
        );
        let y = [true, false, false, true, true, true, false, true];
        let err = fit_logistic(
            &x,
            &names(&["flag", "age"]),
            &y,
            &LogisticSettings::default(),
        );
        assert_eq!(
            err,
            Err(StatsError::Separation {
                name: "flag".into()
            })
        );
    }

    #[test]
    fn constant_covariate_rejected() {
        let x = DMatrix::from_column_slice(4, 1, &[2., 2., 2., 2.]);
        let err = fit_logistic(
            &x,
            &names(&["c"]),
            &[true, false, true, false],
            &Default::default(),
        );
        assert_eq!(err, Err(StatsError::ConstantCovariate { name: "c".into() }));
    }

    #[test]
    fn collinear_covariate_rejected() {
        let x = DMatrix::from_row_slice(5, 2, &[1., 2., 2., 4., 3., 6., 4., 8., 5., 10.]);
        let y = [true, false, false, true, false];
        let err = fit_logistic(&x, &names(&["a", "b"]), &y, &Default::default());
        assert!(matches!(err, Err(StatsError::Singular { detail }) if detail.contains("`b`")));
    }

    #[test]
    fn one_class_rejected() {
        let x = DMatrix::from_column_slice(3, 1, &[1., 2., 3.]);
        let err = fit_logistic(&x, &names(&["a"]), &[true, true, true], &Default::default());
        assert!(matches!(err, Err(StatsError::SingleGroup { .. })));
    }

    #[test]
    fn single_row_rejected() {
        let x = DMatrix::from_column_slice(1, 1, &[1.]);
        let err = fit_logistic(&x, &names(&["a"]), &[true], &Default::default());
        assert!(matches!(err, Err(StatsError::TooFewRows { got: 1, .. })));
    }

    #[test]
    fn interval_contains_prediction() {
        let x = DMatrix::from_column_slice(8, 1, &[0., 0., 0., 0., 1., 1., 1., 1.]);
        let y = [true, false, false, false, true, true, true, false];
        let fit = fit_logistic(&x, &names(&["x"]), &y, &Default::default()).unwrap();
        let new = DMatrix::from_column_slice(1, 1, &[1.0]);
        let p = predict_with_ci(&fit, &new, 0.95).unwrap()[0];
        // At x = 1 the fitted probability is the cell proportion 3/4 and the
        // SE of the logit is sqrt(1 / (4 * 3/4 * 1/4)) = sqrt(4/3).
        assert!((p.probability - 0.75).abs() < 1e-8);
        assert!((p.se_link - (4.0f64 / 3.0).sqrt()).abs() < 1e-4);
        let z = 1.959963984540054;
        assert!((p.lower - expit(3f64.ln() - z * p.se_link)).abs() < 1e-12);
        assert!(p.lower < p.probability && p.probability < p.upper);
        assert!(predict_with_ci(&fit, &new, 1.0).is_err());
    }
}
