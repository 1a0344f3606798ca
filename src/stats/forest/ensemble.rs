//! The fitted forest: seeded bootstrap samples, parallel growth of the
//! trees, and the ensemble predictions (cumulative hazard, survival curve,
//! mortality) for new rows.

use nalgebra::DMatrix;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::ValidatedSettings;
use super::tree::{self, GrowthParameters, Leaf, TrainingSet, Tree};
use crate::stats::StatsError;

/// A fitted random survival forest.
///
/// Every tree's leaves hold the Nelson–Aalen cumulative hazard of their
/// in-bag samples on the grid of the training set's distinct event times
/// ([`SurvivalForest::event_times`]). The ensemble cumulative hazard is the
/// mean of the trees' and the mortality is its sum over the grid, as in
/// ranger 0.14 and scikit-survival 0.28.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalForest {
    pub(super) settings: ValidatedSettings,
    pub(super) n_features: usize,
    pub(super) training_rows: usize,
    pub(super) last_follow_up: f64,
    pub(super) event_times: Vec<f64>,
    pub(super) trees: Vec<Tree>,
}

/// The ensemble survival curve of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalCurve {
    /// The training event times.
    pub time: Vec<f64>,
    /// Ensemble cumulative hazard at each time.
    pub cumulative_hazard: Vec<f64>,
    /// `exp(-cumulative_hazard)`.
    pub survival: Vec<f64>,
    /// The largest training time, event or censoring; the curve is not
    /// defined after it.
    pub last_follow_up: f64,
}

/// Kinds of derived random stream, so that no two purposes share a stream.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stream {
    /// Bootstrap sample and candidate variables of a tree.
    Tree = 1,
    /// Permutations of the out-of-bag values of one variable in one tree.
    Permutation = 2,
}

/// A ChaCha8 generator keyed by `(seed, stream, first, second)`, so that each
/// tree (and each tree and variable) has its own stream whatever thread
/// runs it.
pub(super) fn derived_rng(seed: u64, stream: Stream, first: u64, second: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    for (chunk, word) in key
        .chunks_exact_mut(8)
        .zip([seed, stream as u64, first, second])
    {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// The random stream of tree `tree` and its bootstrap multiplicities: `rows`
/// draws with replacement, taken first from the stream so that they can be
/// regenerated from the seed alone.
pub(super) fn bootstrap(seed: u64, tree: usize, rows: usize) -> (ChaCha8Rng, Vec<u32>) {
    let mut rng = derived_rng(seed, Stream::Tree, tree as u64, 0);
    let mut counts = vec![0u32; rows];
    for _ in 0..rows {
        counts[rng.random_range(0..rows as u32) as usize] += 1;
    }
    (rng, counts)
}

/// Grows `settings.trees` trees in parallel on the rayon pool of the
/// caller. Each tree depends only on the seed and its index, so the forest
/// is the same bit for bit whatever the number of threads.
pub(super) fn grow_forest(
    train: &TrainingSet,
    settings: ValidatedSettings,
    last_follow_up: f64,
) -> SurvivalForest {
    let params = GrowthParameters {
        mtry: settings.mtry,
        min_node_size: settings.min_node_size as u64,
    };
    let rows = train.rows();
    let trees = (0..settings.trees)
        .into_par_iter()
        .map(|index| {
            let (mut rng, weights) = bootstrap(settings.seed, index, rows);
            tree::grow(train, &weights, params, &mut rng)
        })
        .collect();
    SurvivalForest {
        settings,
        n_features: train.columns(),
        training_rows: rows,
        last_follow_up,
        event_times: train.event_times.clone(),
        trees,
    }
}

impl SurvivalForest {
    /// The validated settings the forest was grown with.
    pub fn settings(&self) -> ValidatedSettings {
        self.settings
    }

    /// Number of covariate columns the forest expects.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of training rows; out-of-bag methods need the same rows.
    pub fn training_rows(&self) -> usize {
        self.training_rows
    }

    /// The distinct training event times, increasing.
    pub fn event_times(&self) -> &[f64] {
        &self.event_times
    }

    /// The largest training time (event or censoring).
    pub fn last_follow_up(&self) -> f64 {
        self.last_follow_up
    }

    /// Number of trees with at least one split.
    pub fn split_trees(&self) -> usize {
        self.trees.iter().filter(|t| t.is_split()).count()
    }

    /// The leaf of tree `tree` that row `row` of `x` reaches.
    pub(super) fn leaf_of(&self, tree: usize, x: &DMatrix<f64>, row: usize) -> &Leaf {
        self.trees[tree].leaf(|j| x[(row, j)])
    }

    /// Checks that `x` has the forest's columns and only finite values.
    pub(super) fn check_covariates(&self, x: &DMatrix<f64>) -> Result<(), StatsError> {
        if x.ncols() != self.n_features {
            return Err(StatsError::LengthMismatch {
                what: "covariate columns".into(),
                expected: self.n_features,
                got: x.ncols(),
            });
        }
        for (j, column) in x.column_iter().enumerate() {
            if let Some(row) = column.iter().position(|v| !v.is_finite()) {
                return Err(StatsError::NonFinite {
                    what: format!("covariate column {j}"),
                    row,
                    value: column[row],
                });
            }
        }
        Ok(())
    }
}

impl SurvivalForest {
    /// Ensemble mortality of each row of `x`: the mean over trees of each
    /// reached leaf's cumulative hazard summed over the event-time grid,
    /// which is the sum over the grid of the ensemble cumulative hazard
    /// (ranger's risk score, `rowSums(predict(rf, x)$chf)`) up to rounding.
    /// Higher means shorter expected survival.
    ///
    /// # Errors
    ///
    /// [`StatsError::LengthMismatch`] when `x` does not have the forest's
    /// number of columns, [`StatsError::NonFinite`] for a value that is not
    /// finite.
    pub fn mortality(&self, x: &DMatrix<f64>) -> Result<Vec<f64>, StatsError> {
        self.check_covariates(x)?;
        let trees = self.trees.len() as f64;
        Ok((0..x.nrows())
            .into_par_iter()
            .map(|row| {
                let total: f64 = (0..self.trees.len())
                    .map(|b| self.leaf_of(b, x, row).mortality)
                    .sum();
                total / trees
            })
            .collect())
    }

    /// The ensemble cumulative hazard and survival of one row on the
    /// event-time grid: `H(t) = mean over trees of the leaf's Nelson–Aalen
    /// estimate`, `S(t) = exp(-H(t))`.
    ///
    /// # Errors
    ///
    /// As [`SurvivalForest::mortality`] for a one-row matrix.
    pub fn survival_curve(&self, row: &[f64]) -> Result<SurvivalCurve, StatsError> {
        let x = DMatrix::from_row_slice(1, row.len(), row);
        self.check_covariates(&x)?;
        let mut increments = vec![0.0; self.event_times.len()];
        for b in 0..self.trees.len() {
            for step in &self.leaf_of(b, &x, 0).steps {
                increments[step.time_index as usize] += step.increment();
            }
        }
        let trees = self.trees.len() as f64;
        let mut total = 0.0;
        let cumulative_hazard: Vec<f64> = increments
            .iter()
            .map(|inc| {
                total += inc;
                total / trees
            })
            .collect();
        let survival = cumulative_hazard.iter().map(|h| (-h).exp()).collect();
        Ok(SurvivalCurve {
            time: self.event_times.clone(),
            cumulative_hazard,
            survival,
            last_follow_up: self.last_follow_up,
        })
    }
}

impl SurvivalCurve {
    /// The cumulative hazard at time `t`, read off the step function: its
    /// value at the last grid time `<= t`, and 0 before the first.
    ///
    /// # Errors
    ///
    /// [`StatsError::NonFinite`] for a time that is not finite and
    /// [`StatsError::BeyondFollowUp`] for a time after the last training
    /// time, where the Nelson–Aalen estimate is not defined.
    pub fn cumulative_hazard_at(&self, t: f64) -> Result<f64, StatsError> {
        if !t.is_finite() {
            return Err(StatsError::NonFinite {
                what: "prediction time".into(),
                row: 0,
                value: t,
            });
        }
        if t > self.last_follow_up {
            return Err(StatsError::BeyondFollowUp {
                time: t,
                last: self.last_follow_up,
            });
        }
        let reached = self.time.partition_point(|&s| s <= t);
        Ok(match reached {
            0 => 0.0,
            k => self.cumulative_hazard[k - 1],
        })
    }

    /// The survival probability `S(t) = exp(-H(t))` at time `t`.
    ///
    /// # Errors
    ///
    /// As [`SurvivalCurve::cumulative_hazard_at`].
    pub fn survival_at(&self, t: f64) -> Result<f64, StatsError> {
        Ok((-self.cumulative_hazard_at(t)?).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_draws_rows_times() {
        let (_, counts) = bootstrap(5, 3, 100);
        assert_eq!(counts.iter().sum::<u32>(), 100);
        let (_, again) = bootstrap(5, 3, 100);
        assert_eq!(counts, again);
        let (_, other_tree) = bootstrap(5, 4, 100);
        assert_ne!(counts, other_tree);
    }

    #[test]
    fn curve_reads_step_function() {
        let curve = SurvivalCurve {
            time: vec![1.0, 3.0],
            cumulative_hazard: vec![0.5, 1.0],
            survival: vec![(-0.5f64).exp(), (-1.0f64).exp()],
            last_follow_up: 4.0,
        };
        assert_eq!(curve.cumulative_hazard_at(0.5), Ok(0.0));
        assert_eq!(curve.cumulative_hazard_at(1.0), Ok(0.5));
        assert_eq!(curve.cumulative_hazard_at(2.9), Ok(0.5));
        assert_eq!(curve.survival_at(4.0), Ok((-1.0f64).exp()));
        assert!(matches!(
            curve.survival_at(4.5),
            Err(StatsError::BeyondFollowUp { .. })
        ));
        assert!(matches!(
            curve.survival_at(f64::NAN),
            Err(StatsError::NonFinite { .. })
        ));
    }
}
