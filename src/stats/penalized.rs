//! Penalised Cox and logistic regression (lasso, ridge and elastic net) over
//! a path of lambda values, with the conventions of R glmnet 4.1.
//!
//! - Columns are standardised (centred, divided by the population SD with
//!   denominator n); coefficients are reported on the original scale.
//! - The objective is `-(1/n) loglik + lambda * ((1 - alpha)/2 |b|^2 +
//!   alpha |b|_1)` on the standardised coefficients `b`; Cox uses the
//!   Breslow partial likelihood, logistic an unpenalised intercept.
//! - The default path has `n_lambda` log-spaced values from `lambda_max`
//!   down to `lambda_max * lambda_min_ratio` and stops early when the
//!   deviance ratio saturates (see [`PenaltySettings`]).
//!
//! The solver is in `penalized/descent.rs`, the likelihoods in
//! `penalized/family.rs` and k-fold cross-validation in `penalized/cv.rs`.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::StatsError;
use super::cox::{CoxSettings, Ties};
use super::data::{check_finite, check_times};
use super::frame::Design;
use super::logistic::{LogisticSettings, fit_logistic};

mod cv;
mod descent;
mod family;

pub use cv::{CrossValidation, CvSettings, cross_validate_cox, cross_validate_logistic};

use descent::{Problem, Solution, solve};
use family::{BinomialFamily, CoxFamily, Family};

/// glmnet's floor on alpha when it computes `lambda_max`, so that ridge
/// (alpha = 0) gets a finite start: `lambda_max = max|score| / (n *
/// max(alpha, 0.001))`.
const ALPHA_FLOOR: f64 = 1e-3;

/// Settings of a penalised fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PenaltySettings {
    /// Elastic-net mixing: 1 is the lasso, 0 ridge regression.
    pub alpha: f64,
    /// Lambda values to fit, in any order (they are sorted decreasing). When
    /// absent the default path is used and may stop early.
    pub lambda: Option<Vec<f64>>,
    /// Length of the default path.
    pub n_lambda: usize,
    /// Smallest lambda of the default path as a fraction of `lambda_max`;
    /// when absent 1e-4 if rows >= columns, else 1e-2 (glmnet's default).
    pub lambda_min_ratio: Option<f64>,
    /// Convergence threshold, relative to the null deviance per row (glmnet's
    /// `thresh`). The default 1e-12 is tighter than glmnet's 1e-7 so that
    /// coefficients agree with the exact optimum to about 1e-6.
    pub threshold: f64,
    /// Limit on coordinate-descent passes over the columns, for the path.
    pub max_passes: usize,
}

impl Default for PenaltySettings {
    fn default() -> Self {
        Self {
            alpha: 1.0,
            lambda: None,
            n_lambda: 100,
            lambda_min_ratio: None,
            threshold: 1e-12,
            max_passes: 100_000,
        }
    }
}

/// Which likelihood a path was fitted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PenalizedModel {
    /// Cox proportional hazards, Breslow partial likelihood.
    Cox,
    /// Logistic regression with an intercept.
    Logistic,
}

/// The fits along a lambda path. Vectors indexed by lambda share one index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PenalizedPath {
    pub model: PenalizedModel,
    pub names: Vec<String>,
    pub alpha: f64,
    /// Lambda values, decreasing.
    pub lambda: Vec<f64>,
    /// Smallest lambda at which every coefficient is zero (for alpha below
    /// 0.001, glmnet's ridge start; see [`PenaltySettings`]).
    pub lambda_max: f64,
    /// Intercepts on the original scale (zero for Cox).
    pub intercept: Vec<f64>,
    /// Coefficients on the original scale, one vector per lambda.
    pub coefficients: Vec<Vec<f64>>,
    /// Number of nonzero coefficients per lambda.
    pub nonzero: Vec<usize>,
    pub deviance: Vec<f64>,
    /// `1 - deviance / null_deviance`.
    pub dev_ratio: Vec<f64>,
    pub null_deviance: f64,
    /// Column means and population SDs used for standardisation.
    pub column_mean: Vec<f64>,
    pub column_sd: Vec<f64>,
    /// Coordinate-descent passes over the columns, for the whole path.
    pub passes: usize,
}

/// A covariate kept by a penalised fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectedCoefficient {
    pub name: String,
    pub coef: f64,
}

impl PenalizedPath {
    /// Number of lambda values fitted.
    pub fn len(&self) -> usize {
        self.lambda.len()
    }

    /// Whether the path is empty (it never is after a successful fit).
    pub fn is_empty(&self) -> bool {
        self.lambda.is_empty()
    }

    /// The covariates with a nonzero coefficient at lambda index `index`.
    ///
    /// # Errors
    ///
    /// [`StatsError::NoVariableSelected`] when that fit keeps no covariate,
    /// so that a caller cannot mistake an empty model for a selection, and
    /// [`StatsError::InvalidParameter`] for an index past the path.
    pub fn selected(&self, index: usize) -> Result<Vec<SelectedCoefficient>, StatsError> {
        let coefficients = self.coefficients_at(index)?;
        let kept: Vec<SelectedCoefficient> = self
            .names
            .iter()
            .zip(coefficients)
            .filter(|(_, c)| **c != 0.0)
            .map(|(name, &coef)| SelectedCoefficient {
                name: name.clone(),
                coef,
            })
            .collect();
        if kept.is_empty() {
            return Err(StatsError::NoVariableSelected {
                lambda: self.lambda[index],
            });
        }
        Ok(kept)
    }

    /// Linear predictors `intercept + x beta` of rows `x` (original scale)
    /// at lambda index `index`; for Cox, the uncentred risk score.
    ///
    /// # Errors
    ///
    /// [`StatsError::LengthMismatch`] when `x` has the wrong number of
    /// columns, [`StatsError::NonFinite`] for a bad value and
    /// [`StatsError::InvalidParameter`] for an index past the path.
    pub fn linear_predictor(&self, index: usize, x: &DMatrix<f64>) -> Result<Vec<f64>, StatsError> {
        let coefficients = self.coefficients_at(index)?;
        if x.ncols() != coefficients.len() {
            return Err(StatsError::LengthMismatch {
                what: "columns of the new rows".into(),
                expected: coefficients.len(),
                got: x.ncols(),
            });
        }
        for (j, name) in self.names.iter().enumerate() {
            check_finite(name, x.column(j).as_slice())?;
        }
        let intercept = self.intercept[index];
        Ok(x.row_iter()
            .map(|row| {
                intercept
                    + row
                        .iter()
                        .zip(coefficients)
                        .map(|(a, b)| a * b)
                        .sum::<f64>()
            })
            .collect())
    }

    fn coefficients_at(&self, index: usize) -> Result<&[f64], StatsError> {
        self.coefficients
            .get(index)
            .map(Vec::as_slice)
            .ok_or_else(|| StatsError::InvalidParameter {
                name: "index",
                value: index.to_string(),
                reason: format!("the path has {} lambda values", self.len()),
            })
    }
}

/// Fit a penalised Cox model (Breslow partial likelihood) along a lambda
/// path, as R glmnet 4.1 `glmnet(x, Surv(time, event), family = "cox")`.
///
/// Subjects censored at an event time stay in that event's risk set. glmnet
/// 4.1.6 means to do the same but, on times of 256 or more, drops them (it
/// adds `100 * .Machine$double.eps` to censored times, which rounds away);
/// this fit is the textbook likelihood and matches glmnet on rescaled times.
///
/// # Errors
///
/// Input errors ([`StatsError::Empty`], [`StatsError::LengthMismatch`],
/// [`StatsError::NonFinite`], [`StatsError::NegativeTime`]),
/// [`StatsError::TooFewRows`] for fewer than two rows,
/// [`StatsError::NoEvents`], [`StatsError::ConstantCovariate`],
/// [`StatsError::InvalidParameter`] for bad settings,
/// [`StatsError::MonotoneLikelihood`] or [`StatsError::NotEstimable`] when a
/// lambda of 0 is requested and the unpenalised fit finds no finite maximum,
/// and [`StatsError::NotConverged`].
pub fn fit_penalized_cox(
    x: &DMatrix<f64>,
    names: &[String],
    time: &[f64],
    event: &[bool],
    settings: &PenaltySettings,
) -> Result<PenalizedPath, StatsError> {
    let family = cox_family(x, time, event)?;
    check_unpenalised_cox(x, names, time, event, settings)?;
    fit_path(x, names, &family, PenalizedModel::Cox, settings, None)
}

/// Fit a penalised logistic regression along a lambda path, as R glmnet 4.1
/// `glmnet(x, y, family = "binomial")`.
///
/// # Errors
///
/// As [`fit_penalized_cox`], with [`StatsError::SingleGroup`] in place of
/// [`StatsError::NoEvents`] when one outcome class is absent. A lambda of 0
/// on separated classes gives [`StatsError::Separation`] naming a
/// covariate, and on no more rows than coefficients plus one gives
/// [`StatsError::TooFewRows`].
pub fn fit_penalized_logistic(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    settings: &PenaltySettings,
) -> Result<PenalizedPath, StatsError> {
    let family = binomial_family(x, y)?;
    check_unpenalised_logistic(x, names, y, settings)?;
    fit_path(x, names, &family, PenalizedModel::Logistic, settings, None)
}

/// Check whether the settings list a lambda of exactly 0 (no penalty).
fn requests_no_penalty(settings: &PenaltySettings) -> bool {
    settings
        .lambda
        .as_ref()
        .is_some_and(|list| list.contains(&0.0))
}

/// Reject a lambda of 0 when the logistic likelihood has no finite maximum.
///
/// Without a penalty, separated classes drive the coefficients to infinity
/// and coordinate descent would stop at some arbitrary large value. The
/// unpenalised IRLS fit detects separation and names the covariate. Any
/// positive lambda has a finite optimum, as glmnet reports it.
fn check_unpenalised_logistic(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    settings: &PenaltySettings,
) -> Result<(), StatsError> {
    if !requests_no_penalty(settings) {
        return Ok(());
    }
    match fit_logistic(x, names, y, &LogisticSettings::default()) {
        Err(error @ (StatsError::Separation { .. } | StatsError::TooFewRows { .. })) => Err(error),
        // Other failures (a constant or collinear column) are reported by
        // the penalised fit itself, or do not prevent it.
        _ => Ok(()),
    }
}

/// Reject a lambda of 0 when the unpenalised Cox fit (Breslow ties) finds
/// a monotone likelihood or cannot converge, as for
/// [`check_unpenalised_logistic`]. A covariate that orders the event times
/// perfectly can make Newton–Raphson run out of iterations instead of
/// reporting monotone likelihood, so both are rejected.
fn check_unpenalised_cox(
    x: &DMatrix<f64>,
    names: &[String],
    time: &[f64],
    event: &[bool],
    settings: &PenaltySettings,
) -> Result<(), StatsError> {
    if !requests_no_penalty(settings) {
        return Ok(());
    }
    let design = Design {
        names: names.to_vec(),
        terms: names.to_vec(),
        x: x.clone(),
    };
    let settings = CoxSettings::with_ties(Ties::Breslow);
    match super::cox::fit(&design, time, event, &settings) {
        Err(error @ StatsError::MonotoneLikelihood { .. }) => Err(error),
        Err(StatsError::NotConverged { iterations }) => Err(StatsError::NotEstimable {
            what: "the Cox model at lambda = 0".into(),
            reason: format!(
                "the unpenalised fit did not converge in {iterations} Newton-Raphson steps, \
                 so a coefficient may be infinite; use a positive lambda"
            ),
        }),
        _ => Ok(()),
    }
}

fn cox_family(x: &DMatrix<f64>, time: &[f64], event: &[bool]) -> Result<CoxFamily, StatsError> {
    check_times(time, event)?;
    check_rows(x, time.len())?;
    if !event.iter().any(|&e| e) {
        return Err(StatsError::NoEvents {
            what: "the penalised Cox fit".into(),
        });
    }
    Ok(CoxFamily::new(time, event))
}

fn binomial_family(x: &DMatrix<f64>, y: &[bool]) -> Result<BinomialFamily, StatsError> {
    if y.is_empty() {
        return Err(StatsError::Empty);
    }
    check_rows(x, y.len())?;
    let events = y.iter().filter(|&&v| v).count();
    if events == 0 || events == y.len() {
        let group = if events == 0 {
            "outcome 0"
        } else {
            "outcome 1"
        };
        return Err(StatsError::SingleGroup {
            group: group.into(),
        });
    }
    Ok(BinomialFamily::new(y))
}

fn check_rows(x: &DMatrix<f64>, n: usize) -> Result<(), StatsError> {
    if x.nrows() != n {
        return Err(StatsError::LengthMismatch {
            what: "rows of the design matrix".into(),
            expected: n,
            got: x.nrows(),
        });
    }
    if n < 2 {
        return Err(StatsError::TooFewRows {
            method: "penalised regression",
            needed: 2,
            got: n,
        });
    }
    Ok(())
}

impl PenaltySettings {
    /// Check the settings.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] naming the first invalid setting.
    pub fn validate(&self) -> Result<(), StatsError> {
        let invalid = |name: &'static str, value: String, reason: &str| {
            Err(StatsError::InvalidParameter {
                name,
                value,
                reason: reason.into(),
            })
        };
        if !(0.0..=1.0).contains(&self.alpha) {
            return invalid("alpha", self.alpha.to_string(), "must be between 0 and 1");
        }
        if let Some(lambda) = &self.lambda {
            if lambda.is_empty() || lambda.iter().any(|l| !(l.is_finite() && *l >= 0.0)) {
                return invalid(
                    "lambda",
                    format!("{lambda:?}"),
                    "must be finite values >= 0",
                );
            }
        } else if self.n_lambda == 0 {
            return invalid("n_lambda", "0".into(), "the path needs at least one lambda");
        }
        if let Some(ratio) = self.lambda_min_ratio
            && !(ratio > 0.0 && ratio < 1.0)
        {
            return invalid("lambda_min_ratio", ratio.to_string(), "must be in (0, 1)");
        }
        if !(self.threshold.is_finite() && self.threshold > 0.0) {
            return invalid("threshold", self.threshold.to_string(), "must be positive");
        }
        Ok(())
    }
}

/// Column means, population SDs and the standardised matrix. With `strict`
/// a constant column is an error; otherwise it is excluded (zero
/// coefficient), as glmnet does, which cross-validation folds rely on.
struct Standardised {
    x: DMatrix<f64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
    included: Vec<bool>,
}

fn standardise(
    x: &DMatrix<f64>,
    names: &[String],
    strict: bool,
) -> Result<Standardised, StatsError> {
    let n = x.nrows() as f64;
    let mut standardised = x.clone();
    let mut mean = Vec::with_capacity(x.ncols());
    let mut sd = Vec::with_capacity(x.ncols());
    let mut included = Vec::with_capacity(x.ncols());
    for (j, name) in names.iter().enumerate() {
        let column = x.column(j);
        check_finite(name, column.as_slice())?;
        let m = column.sum() / n;
        let s = (column.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
        let constant = column.iter().all(|&v| v == column[0]);
        if constant && strict {
            return Err(StatsError::ConstantCovariate { name: name.clone() });
        }
        let mut target = standardised.column_mut(j);
        for value in target.iter_mut() {
            *value = if constant { 0.0 } else { (*value - m) / s };
        }
        mean.push(m);
        sd.push(if constant { 1.0 } else { s });
        included.push(!constant);
    }
    Ok(Standardised {
        x: standardised,
        mean,
        sd,
        included,
    })
}

/// Fit every lambda of the path with warm starts.
///
/// `fixed_lambda` (used by cross-validation) replaces the settings' lambda
/// and makes the fit tolerant of constant columns.
fn fit_path(
    x: &DMatrix<f64>,
    names: &[String],
    family: &dyn Family,
    model: PenalizedModel,
    settings: &PenaltySettings,
    fixed_lambda: Option<&[f64]>,
) -> Result<PenalizedPath, StatsError> {
    settings.validate()?;
    if names.len() != x.ncols() || x.ncols() == 0 {
        return Err(StatsError::LengthMismatch {
            what: "covariate names (at least one covariate)".into(),
            expected: x.ncols().max(1),
            got: names.len(),
        });
    }
    let data = standardise(x, names, fixed_lambda.is_none())?;
    let (n, p) = (x.nrows(), x.ncols());
    let null = null_solution(family, n, p);
    let null_deviance = family.deviance(&null.eta);
    let lambda_max = lambda_max(&data, family, &null.eta, settings.alpha);

    let user_lambda = fixed_lambda
        .map(<[f64]>::to_vec)
        .or_else(|| settings.lambda.clone());
    let default_path = user_lambda.is_none();
    let lambdas = match user_lambda {
        Some(mut list) => {
            list.sort_by(|a, b| b.total_cmp(a));
            list
        }
        None => default_lambdas(lambda_max, n, p, settings)?,
    };

    let problem = Problem {
        x: &data.x,
        family,
        included: &data.included,
        threshold: settings.threshold * null_deviance / (2.0 * n as f64),
        max_passes: settings.max_passes,
    };
    let mut path = empty_path(
        model,
        names,
        settings.alpha,
        lambda_max,
        null_deviance,
        &data,
    );
    let mut current = null.clone();
    for (m, &lambda) in lambdas.iter().enumerate() {
        // glmnet reports the null model at the first point of its default
        // path, which for ridge is where lambda_max is only a start value.
        if !(default_path && m == 0) {
            current = solve(&problem, lambda, settings.alpha, current, &mut path.passes)?;
        }
        record(&mut path, &data, family, lambda, &current);
        if default_path && saturated(model, &path.dev_ratio, settings.n_lambda) {
            break;
        }
    }
    Ok(path)
}

/// All coefficients zero; for logistic the intercept is `logit(mean y)`.
fn null_solution(family: &dyn Family, n: usize, p: usize) -> Solution {
    if !family.has_intercept() {
        return Solution::null(n, p, 0.0);
    }
    // Newton steps on the intercept alone; for the binomial family the
    // first step from 0 already lands near logit(mean y).
    let mut intercept = 0.0;
    let mut gradient = vec![0.0; n];
    let mut weight = vec![0.0; n];
    for _ in 0..100 {
        family.working(&vec![intercept; n], &mut gradient, &mut weight);
        let step = gradient.iter().sum::<f64>() / weight.iter().sum::<f64>();
        intercept += step;
        if step.abs() < 1e-14 {
            break;
        }
    }
    Solution::null(n, p, intercept)
}

/// `max_j |x_j' g| / (n * max(alpha, 0.001))` with `g` the log-likelihood
/// gradient at the null model, as glmnet computes the top of its path.
fn lambda_max(data: &Standardised, family: &dyn Family, null_eta: &[f64], alpha: f64) -> f64 {
    let n = null_eta.len();
    let mut gradient = vec![0.0; n];
    let mut weight = vec![0.0; n];
    family.working(null_eta, &mut gradient, &mut weight);
    let largest = (0..data.x.ncols())
        .filter(|&j| data.included[j])
        .map(|j| {
            let score: f64 = data
                .x
                .column(j)
                .iter()
                .zip(&gradient)
                .map(|(x, g)| x * g)
                .sum();
            score.abs() / n as f64
        })
        .fold(0.0, f64::max);
    largest / alpha.max(ALPHA_FLOOR)
}

/// glmnet's default path: `n_lambda` values from `lambda_max` down to
/// `lambda_max * ratio`, equally spaced on the log scale.
fn default_lambdas(
    lambda_max: f64,
    n: usize,
    p: usize,
    settings: &PenaltySettings,
) -> Result<Vec<f64>, StatsError> {
    if !(lambda_max > 0.0 && lambda_max.is_finite()) {
        return Err(StatsError::NotEstimable {
            what: "the default lambda path".into(),
            reason: "every covariate has a zero score at the null model".into(),
        });
    }
    let ratio = settings
        .lambda_min_ratio
        .unwrap_or(if n >= p { 1e-4 } else { 1e-2 });
    let count = settings.n_lambda;
    if count == 1 {
        return Ok(vec![lambda_max]);
    }
    let factor = ratio.powf(1.0 / (count - 1) as f64);
    Ok((0..count)
        .map(|k| lambda_max * factor.powi(k as i32))
        .collect())
}

fn empty_path(
    model: PenalizedModel,
    names: &[String],
    alpha: f64,
    lambda_max: f64,
    null_deviance: f64,
    data: &Standardised,
) -> PenalizedPath {
    PenalizedPath {
        model,
        names: names.to_vec(),
        alpha,
        lambda: Vec::new(),
        lambda_max,
        intercept: Vec::new(),
        coefficients: Vec::new(),
        nonzero: Vec::new(),
        deviance: Vec::new(),
        dev_ratio: Vec::new(),
        null_deviance,
        column_mean: data.mean.clone(),
        column_sd: data.sd.clone(),
        passes: 0,
    }
}

/// Store one solution on the original scale: `beta_j = b_j / sd_j` and the
/// intercept `b0 - sum_j beta_j * mean_j`.
fn record(
    path: &mut PenalizedPath,
    data: &Standardised,
    family: &dyn Family,
    lambda: f64,
    solution: &Solution,
) {
    let coefficients: Vec<f64> = solution
        .beta
        .iter()
        .zip(&data.sd)
        .map(|(b, s)| b / s)
        .collect();
    let intercept = if family.has_intercept() {
        solution.intercept
            - coefficients
                .iter()
                .zip(&data.mean)
                .map(|(c, m)| c * m)
                .sum::<f64>()
    } else {
        0.0
    };
    let deviance = family.deviance(&solution.eta);
    path.lambda.push(lambda);
    path.intercept.push(intercept);
    path.nonzero
        .push(coefficients.iter().filter(|&&c| c != 0.0).count());
    path.coefficients.push(coefficients);
    path.deviance.push(deviance);
    path.dev_ratio.push(1.0 - deviance / path.null_deviance);
}

/// glmnet 4.1's early stop of the default path, checked once at least
/// `min(5, n_lambda)` fits exist. Cox: the deviance ratio grew by less than
/// 0.1% (relative) over the last four steps, or exceeds 0.99. Logistic: it
/// grew by less than 1e-5 (absolute) in the last step, or exceeds 0.999.
fn saturated(model: PenalizedModel, dev_ratio: &[f64], n_lambda: usize) -> bool {
    let fitted = dev_ratio.len();
    let window = n_lambda.min(5);
    if fitted < window || fitted < 2 {
        return false;
    }
    let last = dev_ratio[fitted - 1];
    match model {
        PenalizedModel::Cox => {
            let earlier = dev_ratio[fitted - window];
            (last - earlier) / last < 1e-3 || last > 0.99
        }
        PenalizedModel::Logistic => last - dev_ratio[fitted - 2] < 1e-5 || last > 0.999,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(count: usize) -> Vec<String> {
        (0..count).map(|j| format!("x{j}")).collect()
    }

    /// A small survival data set where `x0` raises the hazard and `x1` is
    /// noise.
    fn survival_data() -> (DMatrix<f64>, Vec<f64>, Vec<bool>) {
        let x0 = [
            0.5, 1.2, -0.3, 2.0, 0.1, -1.1, 0.8, 1.5, -0.7, 0.0, 1.1, -0.4,
        ];
        let x1 = [
            1.0, -0.5, 0.3, 0.2, -1.2, 0.7, 0.1, -0.3, 0.9, -0.8, 0.4, 0.6,
        ];
        let time = [5., 3., 8., 1., 6., 12., 4., 2., 10., 7., 3., 9.];
        let event = [
            true, true, false, true, true, false, true, true, true, false, true, true,
        ];
        let mut x = DMatrix::zeros(12, 2);
        for i in 0..12 {
            x[(i, 0)] = x0[i];
            x[(i, 1)] = x1[i];
        }
        (x, time.to_vec(), event.to_vec())
    }

    #[test]
    fn lambda_max_keeps_nothing() {
        let (x, time, event) = survival_data();
        let path = fit_penalized_cox(&x, &names(2), &time, &event, &Default::default()).unwrap();
        assert_eq!(path.nonzero[0], 0);
        assert!(matches!(
            path.selected(0),
            Err(StatsError::NoVariableSelected { .. })
        ));
        // Just below lambda_max one coefficient enters.
        let settings = PenaltySettings {
            lambda: Some(vec![path.lambda_max * 0.999]),
            ..Default::default()
        };
        let below = fit_penalized_cox(&x, &names(2), &time, &event, &settings).unwrap();
        assert_eq!(below.nonzero[0], 1);
    }

    #[test]
    fn ridge_coefficients_shrink_with_lambda() {
        let (x, time, event) = survival_data();
        let settings = PenaltySettings {
            alpha: 0.0,
            lambda: Some(vec![1.0, 0.1, 0.01]),
            ..Default::default()
        };
        let path = fit_penalized_cox(&x, &names(2), &time, &event, &settings).unwrap();
        let norms: Vec<f64> = path
            .coefficients
            .iter()
            .map(|c| c.iter().map(|v| v * v).sum::<f64>())
            .collect();
        assert!(norms[0] < norms[1] && norms[1] < norms[2]);
        assert!(path.nonzero.iter().all(|&k| k == 2));
    }

    #[test]
    fn constant_column_rejected() {
        let (mut x, time, event) = survival_data();
        x.column_mut(1).fill(3.0);
        let err = fit_penalized_cox(&x, &names(2), &time, &event, &Default::default());
        assert_eq!(
            err,
            Err(StatsError::ConstantCovariate { name: "x1".into() })
        );
    }

    #[test]
    fn no_events_rejected() {
        let (x, time, _) = survival_data();
        let err = fit_penalized_cox(&x, &names(2), &time, &[false; 12], &Default::default());
        assert!(matches!(err, Err(StatsError::NoEvents { .. })));
    }

    /// Eight rows where `dose` above 4.5 means outcome 1: complete
    /// separation. `age` is unrelated noise.
    fn separated_data() -> (DMatrix<f64>, Vec<bool>, Vec<String>) {
        let x = DMatrix::from_row_slice(
            8,
            2,
            &[
                1., 0.3, 2., 1.2, 3., 0.7, 4., 0.1, 5., 0.9, 6., 0.4, 7., 1.1, 8., 0.2,
            ],
        );
        let y = vec![false, false, false, false, true, true, true, true];
        (x, y, vec!["dose".into(), "age".into()])
    }

    #[test]
    fn separation_at_lambda_zero_named() {
        let (x, y, names) = separated_data();
        let settings = PenaltySettings {
            lambda: Some(vec![0.01, 0.0]),
            ..Default::default()
        };
        let err = fit_penalized_logistic(&x, &names, &y, &settings);
        assert_eq!(
            err,
            Err(StatsError::Separation {
                name: "dose".into()
            })
        );
        let cv = cross_validate_logistic(&x, &names, &y, &settings, &CvSettings::default());
        assert!(matches!(cv, Err(StatsError::Separation { .. })));
    }

    #[test]
    fn separation_with_penalty_is_finite() {
        // Any positive lambda bounds the coefficients, as in glmnet; the
        // default path stops once the deviance ratio passes 0.999.
        let (x, y, names) = separated_data();
        let path = fit_penalized_logistic(&x, &names, &y, &Default::default()).unwrap();
        let last = path.len() - 1;
        assert!(path.coefficients[last].iter().all(|c| c.is_finite()));
        assert!(path.dev_ratio[last] > 0.999);
        assert!(path.lambda[last] > 0.0);
    }

    #[test]
    fn monotone_cox_at_lambda_zero_named() {
        // `score` falls with time, so the subject with the highest score
        // always fails first: the partial likelihood rises without bound.
        let score = [8., 7., 6., 5., 4., 3., 2., 1.];
        let noise = [0.3, 1.2, 0.7, 0.1, 0.9, 0.4, 1.1, 0.2];
        let mut x = DMatrix::zeros(8, 2);
        for i in 0..8 {
            x[(i, 0)] = score[i];
            x[(i, 1)] = noise[i];
        }
        let time = [1., 2., 3., 4., 5., 6., 7., 8.];
        let event = [true, true, true, true, false, true, false, true];
        let names = vec!["score".to_string(), "noise".to_string()];
        let settings = PenaltySettings {
            lambda: Some(vec![0.0]),
            ..Default::default()
        };
        let err = fit_penalized_cox(&x, &names, &time, &event, &settings);
        let rejected = match &err {
            Err(StatsError::MonotoneLikelihood { name }) => name == "score",
            Err(StatsError::NotEstimable { reason, .. }) => reason.contains("infinite"),
            _ => false,
        };
        assert!(rejected, "{err:?}");
        let positive = PenaltySettings {
            lambda: Some(vec![0.05]),
            ..Default::default()
        };
        assert!(fit_penalized_cox(&x, &names, &time, &event, &positive).is_ok());
    }

    #[test]
    fn logistic_constant_column_rejected() {
        let (mut x, y, names) = separated_data();
        x.column_mut(1).fill(0.5);
        let err = fit_penalized_logistic(&x, &names, &y, &Default::default());
        assert_eq!(
            err,
            Err(StatsError::ConstantCovariate { name: "age".into() })
        );
    }

    #[test]
    fn single_row_rejected() {
        let x = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
        let names = vec!["a".to_string(), "b".to_string()];
        let logistic = fit_penalized_logistic(&x, &names, &[true], &Default::default());
        assert!(matches!(
            logistic,
            Err(StatsError::TooFewRows { got: 1, .. })
        ));
        let cox = fit_penalized_cox(&x, &names, &[3.0], &[true], &Default::default());
        assert!(matches!(cox, Err(StatsError::TooFewRows { got: 1, .. })));
    }

    #[test]
    fn unpenalised_fit_needs_more_rows_than_columns() {
        // Three rows and two covariates: glm's three coefficients would fit
        // the data exactly, so lambda 0 is rejected while lambda > 0 is not.
        let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.2, 2.0, 0.9, 3.0, 0.4]);
        let names = vec!["a".to_string(), "b".to_string()];
        let y = [true, false, true];
        let zero = PenaltySettings {
            lambda: Some(vec![0.0]),
            ..Default::default()
        };
        let err = fit_penalized_logistic(&x, &names, &y, &zero);
        assert!(matches!(err, Err(StatsError::TooFewRows { got: 3, .. })));
    }

    #[test]
    fn large_lambda_keeps_no_logistic_covariate() {
        let (x, y, names) = separated_data();
        let path = fit_penalized_logistic(&x, &names, &y, &Default::default()).unwrap();
        let settings = PenaltySettings {
            lambda: Some(vec![2.0 * path.lambda_max]),
            ..Default::default()
        };
        let empty = fit_penalized_logistic(&x, &names, &y, &settings).unwrap();
        assert_eq!(empty.nonzero, vec![0]);
        assert_eq!(
            empty.selected(0),
            Err(StatsError::NoVariableSelected {
                lambda: 2.0 * path.lambda_max
            })
        );
        // The intercept alone is logit(mean y) = logit(1/2) = 0.
        assert!(empty.intercept[0].abs() < 1e-12);
    }

    #[test]
    fn saturation_rule_for_cox() {
        // Ratios 0, .1, .2, .3, .3001: growth (.3001 - .1) / .3001 is large.
        assert!(!saturated(
            PenalizedModel::Cox,
            &[0.0, 0.1, 0.2, 0.3, 0.3001],
            100
        ));
        // Ratios flat at .3 over the last five fits: growth 0 < 0.001.
        assert!(saturated(
            PenalizedModel::Cox,
            &[0.2, 0.3, 0.3, 0.3, 0.3, 0.3],
            100
        ));
        assert!(saturated(
            PenalizedModel::Logistic,
            &[0.1, 0.2, 0.3, 0.4, 0.400001],
            100
        ));
    }
}
