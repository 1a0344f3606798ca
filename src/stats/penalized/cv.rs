//! k-fold cross-validation of a penalised path with deviance as the loss,
//! and the choice of `lambda.min` and `lambda.1se`, as R glmnet 4.1
//! `cv.glmnet(type.measure = "deviance")` makes them.
//!
//! Folds are drawn from a seeded ChaCha8 generator, so a seed gives the same
//! folds on every machine (not the folds R would draw).

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::family::Family;
use super::{
    PenalizedModel, PenalizedPath, PenaltySettings, SelectedCoefficient, binomial_family,
    check_unpenalised_cox, check_unpenalised_logistic, cox_family, fit_path,
};
use crate::stats::StatsError;

/// glmnet clamps held-out probabilities to [1e-5, 1 - 1e-5] before taking
/// the binomial deviance.
const PROBABILITY_FLOOR: f64 = 1e-5;

/// Settings of the cross-validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CvSettings {
    /// Number of folds, at least 3 (glmnet's minimum).
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
}

impl Default for CvSettings {
    fn default() -> Self {
        Self { folds: 10, seed: 1 }
    }
}

/// A path fitted on all rows with its cross-validated deviance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// The fit on all rows; its lambda values are the ones validated.
    pub path: PenalizedPath,
    /// Fold (0-based) of each row.
    pub fold_of: Vec<usize>,
    /// Mean cross-validated deviance per row (Cox: per subject of the fold,
    /// from the grouped partial-likelihood difference).
    pub cvm: Vec<f64>,
    /// Standard error of `cvm` across folds.
    pub cvsd: Vec<f64>,
    /// Index of the largest lambda with the smallest `cvm`.
    pub index_min: usize,
    /// Index of the largest lambda with `cvm <= cvm[index_min] + cvsd[index_min]`.
    pub index_1se: usize,
    pub lambda_min: f64,
    pub lambda_1se: f64,
}

impl CrossValidation {
    /// The covariates kept at `lambda.min`.
    ///
    /// # Errors
    ///
    /// [`StatsError::NoVariableSelected`] when that fit keeps none.
    pub fn selected_min(&self) -> Result<Vec<SelectedCoefficient>, StatsError> {
        self.path.selected(self.index_min)
    }

    /// The covariates kept at `lambda.1se`.
    ///
    /// # Errors
    ///
    /// [`StatsError::NoVariableSelected`] when that fit keeps none, which
    /// happens often: the 1-SE rule favours the null model on weak data.
    pub fn selected_1se(&self) -> Result<Vec<SelectedCoefficient>, StatsError> {
        self.path.selected(self.index_1se)
    }
}

/// Cross-validate a penalised Cox path.
///
/// Each fold's loss is glmnet's grouped deviance: the partial-likelihood
/// deviance on all rows minus that on the training rows, both at the
/// coefficients fitted without the fold, divided by the fold's size; folds
/// are weighted by their size.
///
/// NOTE: glmnet 4.1 weights folds by their number of subjects; releases
/// before 4.1 weighted them by their number of events, which changes
/// `cvsd` and so `lambda.1se`.
///
/// # Errors
///
/// The errors of [`super::fit_penalized_cox`] on all rows or on any
/// training set (for example [`StatsError::NoEvents`] when a training set
/// has no event), and [`StatsError::InvalidParameter`] for fewer than 3
/// folds or more folds than rows.
pub fn cross_validate_cox(
    x: &DMatrix<f64>,
    names: &[String],
    time: &[f64],
    event: &[bool],
    settings: &PenaltySettings,
    cv: &CvSettings,
) -> Result<CrossValidation, StatsError> {
    let family = cox_family(x, time, event)?;
    check_unpenalised_cox(x, names, time, event, settings)?;
    let path = fit_path(x, names, &family, PenalizedModel::Cox, settings, None)?;
    let fold_of = assign_folds(time.len(), cv)?;

    let mut losses = Vec::with_capacity(cv.folds);
    for fold in 0..cv.folds {
        let train = rows_outside(&fold_of, fold);
        let sub_x = select_rows(x, &train);
        let sub_time: Vec<f64> = train.iter().map(|&i| time[i]).collect();
        let sub_event: Vec<bool> = train.iter().map(|&i| event[i]).collect();
        let sub_family = cox_family(&sub_x, &sub_time, &sub_event)?;
        let fit = fit_path(
            &sub_x,
            names,
            &sub_family,
            PenalizedModel::Cox,
            settings,
            Some(&path.lambda),
        )?;
        let fold_size = (time.len() - train.len()) as f64;
        let loss: Vec<f64> = (0..fit.len())
            .map(|l| {
                let full = family.deviance(&fit.linear_predictor(l, x)?);
                let training = sub_family.deviance(&fit.linear_predictor(l, &sub_x)?);
                Ok((full - training) / fold_size)
            })
            .collect::<Result<_, StatsError>>()?;
        losses.push((fold_size, loss));
    }
    Ok(summarise(path, fold_of, &losses))
}

/// Cross-validate a penalised logistic path with the binomial deviance of
/// the held-out rows (probabilities clamped to [1e-5, 1 - 1e-5]), averaged
/// within each fold and then across folds weighted by fold size.
///
/// # Errors
///
/// As [`cross_validate_cox`], with [`StatsError::SingleGroup`] when a
/// training set has one outcome class only.
pub fn cross_validate_logistic(
    x: &DMatrix<f64>,
    names: &[String],
    y: &[bool],
    settings: &PenaltySettings,
    cv: &CvSettings,
) -> Result<CrossValidation, StatsError> {
    let family = binomial_family(x, y)?;
    check_unpenalised_logistic(x, names, y, settings)?;
    let path = fit_path(x, names, &family, PenalizedModel::Logistic, settings, None)?;
    let fold_of = assign_folds(y.len(), cv)?;

    let mut losses = Vec::with_capacity(cv.folds);
    for fold in 0..cv.folds {
        let train = rows_outside(&fold_of, fold);
        let held_out: Vec<usize> = (0..y.len()).filter(|&i| fold_of[i] == fold).collect();
        let sub_x = select_rows(x, &train);
        let sub_y: Vec<bool> = train.iter().map(|&i| y[i]).collect();
        let sub_family = binomial_family(&sub_x, &sub_y)?;
        let fit = fit_path(
            &sub_x,
            names,
            &sub_family,
            PenalizedModel::Logistic,
            settings,
            Some(&path.lambda),
        )?;
        let test_x = select_rows(x, &held_out);
        let loss: Vec<f64> = (0..fit.len())
            .map(|l| {
                let eta = fit.linear_predictor(l, &test_x)?;
                Ok(mean_binomial_deviance(&held_out, y, &eta))
            })
            .collect::<Result<_, StatsError>>()?;
        losses.push((held_out.len() as f64, loss));
    }
    Ok(summarise(path, fold_of, &losses))
}

/// Mean of `-2 (y log p + (1 - y) log(1 - p))` over held-out rows.
fn mean_binomial_deviance(rows: &[usize], y: &[bool], eta: &[f64]) -> f64 {
    let total: f64 = rows
        .iter()
        .zip(eta)
        .map(|(&i, &e)| {
            let p =
                crate::stats::logistic::expit(e).clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR);
            if y[i] {
                -2.0 * p.ln()
            } else {
                -2.0 * (1.0 - p).ln()
            }
        })
        .sum();
    total / rows.len() as f64
}

/// Assign rows to folds: a seeded shuffle of the rows, dealt round-robin,
/// so fold sizes differ by at most one.
fn assign_folds(n: usize, cv: &CvSettings) -> Result<Vec<usize>, StatsError> {
    if cv.folds < 3 || cv.folds > n {
        return Err(StatsError::InvalidParameter {
            name: "folds",
            value: cv.folds.to_string(),
            reason: format!("must be between 3 and the number of rows ({n})"),
        });
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(cv.seed);
    order.shuffle(&mut rng);
    let mut fold_of = vec![0; n];
    for (position, &row) in order.iter().enumerate() {
        fold_of[row] = position % cv.folds;
    }
    Ok(fold_of)
}

fn rows_outside(fold_of: &[usize], fold: usize) -> Vec<usize> {
    (0..fold_of.len()).filter(|&i| fold_of[i] != fold).collect()
}

fn select_rows(x: &DMatrix<f64>, rows: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(rows.len(), x.ncols(), |i, j| x[(rows[i], j)])
}

/// Weighted mean and standard error across folds, then glmnet's choice of
/// `lambda.min` and `lambda.1se`.
///
/// With fold weights `w_k` and losses `c_k`: `cvm = sum w c / sum w` and
/// `cvsd = sqrt(sum w (c - cvm)^2 / sum w / (K - 1))`.
fn summarise(
    path: PenalizedPath,
    fold_of: Vec<usize>,
    losses: &[(f64, Vec<f64>)],
) -> CrossValidation {
    let folds = losses.len() as f64;
    let total_weight: f64 = losses.iter().map(|(w, _)| w).sum();
    let count = path.len();
    let cvm: Vec<f64> = (0..count)
        .map(|l| losses.iter().map(|(w, c)| w * c[l]).sum::<f64>() / total_weight)
        .collect();
    let cvsd: Vec<f64> = (0..count)
        .map(|l| {
            let spread: f64 = losses
                .iter()
                .map(|(w, c)| w * (c[l] - cvm[l]).powi(2))
                .sum();
            (spread / total_weight / (folds - 1.0)).sqrt()
        })
        .collect();

    // Lambdas decrease, so the first index attaining a bound is the
    // largest lambda that does.
    let smallest = cvm.iter().copied().fold(f64::INFINITY, f64::min);
    let index_min = cvm.iter().position(|&c| c <= smallest).unwrap_or(0);
    let bound = cvm[index_min] + cvsd[index_min];
    let index_1se = cvm.iter().position(|&c| c <= bound).unwrap_or(index_min);
    CrossValidation {
        lambda_min: path.lambda[index_min],
        lambda_1se: path.lambda[index_1se],
        path,
        fold_of,
        cvm,
        cvsd,
        index_min,
        index_1se,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let cv = CvSettings { folds: 4, seed: 7 };
        let folds = assign_folds(10, &cv).unwrap();
        let mut sizes = [0; 4];
        for &f in &folds {
            sizes[f] += 1;
        }
        assert_eq!(sizes.iter().sum::<usize>(), 10);
        assert!(sizes.iter().all(|&s| s == 2 || s == 3));
        assert_eq!(folds, assign_folds(10, &cv).unwrap());
        assert!(assign_folds(10, &CvSettings { folds: 2, seed: 7 }).is_err());
    }

    #[test]
    fn summary_picks_min_and_one_se() {
        // Two folds of equal weight with losses per lambda:
        // fold A: 3, 2, 1.0, 1.5; fold B: 3, 2, 1.4, 1.3.
        // cvm = 3, 2, 1.2, 1.4 so index_min = 2. cvsd at 2 is
        // sqrt(((1.0-1.2)^2 + (1.4-1.2)^2) / 2 / 1) = 0.2, bound 1.4, and the
        // first cvm <= 1.4 is index 2 itself.
        let path = PenalizedPath {
            model: PenalizedModel::Cox,
            names: vec!["a".into()],
            alpha: 1.0,
            lambda: vec![4.0, 3.0, 2.0, 1.0],
            lambda_max: 4.0,
            intercept: vec![0.0; 4],
            coefficients: vec![vec![0.0]; 4],
            nonzero: vec![0; 4],
            deviance: vec![0.0; 4],
            dev_ratio: vec![0.0; 4],
            null_deviance: 1.0,
            column_mean: vec![0.0],
            column_sd: vec![1.0],
            passes: 0,
        };
        let losses = vec![
            (5.0, vec![3.0, 2.0, 1.0, 1.5]),
            (5.0, vec![3.0, 2.0, 1.4, 1.3]),
        ];
        let cv = summarise(path, vec![0; 10], &losses);
        assert_eq!(cv.index_min, 2);
        assert!((cv.cvsd[2] - 0.2).abs() < 1e-12);
        assert_eq!(cv.index_1se, 2);
        assert_eq!(cv.lambda_min, 2.0);
        assert!(matches!(
            cv.selected_min(),
            Err(StatsError::NoVariableSelected { .. })
        ));
    }
}
