//! Out-of-bag predictions of a fitted forest on its training rows, and
//! Harrell's C of the out-of-bag and of the full-ensemble mortality.
//!
//! The in-bag sets are not stored in the forest: each tree's bootstrap
//! sample is drawn first from a stream keyed by the seed and the tree index,
//! so it is regenerated here, also for a forest loaded from JSON.

use nalgebra::DMatrix;
use rayon::prelude::*;

use super::SurvivalForest;
use super::ensemble::bootstrap;
use crate::stats::StatsError;
use crate::stats::data::SurvivalData;
use crate::stats::metrics::concordance::{Concordance, harrell};

/// Which training rows each tree drew into its bootstrap sample.
#[derive(Debug)]
pub(super) struct InBag {
    words_per_tree: usize,
    bits: Vec<u64>,
}

impl InBag {
    /// Regenerates the bootstrap samples of every tree of `forest`.
    pub fn of(forest: &SurvivalForest) -> Self {
        let rows = forest.training_rows;
        let words_per_tree = rows.div_ceil(64);
        let per_tree: Vec<Vec<u64>> = (0..forest.trees.len())
            .into_par_iter()
            .map(|tree| {
                let (_, counts) = bootstrap(forest.settings.seed, tree, rows);
                let mut words = vec![0u64; words_per_tree];
                for (row, &count) in counts.iter().enumerate() {
                    if count > 0 {
                        words[row / 64] |= 1 << (row % 64);
                    }
                }
                words
            })
            .collect();
        Self {
            words_per_tree,
            bits: per_tree.concat(),
        }
    }

    /// Whether `row` is in the bootstrap sample of `tree`.
    pub fn contains(&self, tree: usize, row: usize) -> bool {
        self.bits[tree * self.words_per_tree + row / 64] >> (row % 64) & 1 == 1
    }
}

/// Checks that `x` and `data` are the forest's training rows in number and
/// shape.
pub(super) fn check_training_rows(
    forest: &SurvivalForest,
    x: &DMatrix<f64>,
    data: Option<&SurvivalData>,
) -> Result<(), StatsError> {
    forest.check_covariates(x)?;
    let mismatch = |what: &str, got| StatsError::LengthMismatch {
        what: what.into(),
        expected: forest.training_rows,
        got,
    };
    if x.nrows() != forest.training_rows {
        return Err(mismatch("training covariate rows", x.nrows()));
    }
    match data {
        Some(data) if data.len() != forest.training_rows => {
            Err(mismatch("training outcomes", data.len()))
        }
        _ => Ok(()),
    }
}

/// Out-of-bag mortality of each training row: the mean, over the trees
/// whose bootstrap sample left the row out, of the reached leaf's mortality.
/// `None` for a row that every tree drew (likely only with few trees).
///
/// `x` must be the training covariates in the order used by the fit.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when `x` is not shaped like the training
/// covariates, [`StatsError::NonFinite`] for a value that is not finite.
pub fn oob_mortality(
    forest: &SurvivalForest,
    x: &DMatrix<f64>,
) -> Result<Vec<Option<f64>>, StatsError> {
    check_training_rows(forest, x, None)?;
    let in_bag = InBag::of(forest);
    Ok((0..x.nrows())
        .into_par_iter()
        .map(|row| {
            let (mut total, mut count) = (0.0, 0u32);
            for tree in 0..forest.trees.len() {
                if !in_bag.contains(tree, row) {
                    total += forest.leaf_of(tree, x, row).mortality;
                    count += 1;
                }
            }
            (count > 0).then(|| total / f64::from(count))
        })
        .collect())
}

/// Harrell's C of a risk score with a value for some rows only, over the
/// rows that have one.
pub(super) fn concordance_of_predicted(
    data: &SurvivalData,
    risk: &[Option<f64>],
) -> Result<Concordance, StatsError> {
    let used: Vec<usize> = (0..risk.len()).filter(|&i| risk[i].is_some()).collect();
    let time: Vec<f64> = used.iter().map(|&i| data.time[i]).collect();
    let event: Vec<bool> = used.iter().map(|&i| data.event[i]).collect();
    let scores: Vec<f64> = risk.iter().flatten().copied().collect();
    if used.is_empty() {
        return Err(StatsError::NotEstimable {
            what: "out-of-bag concordance".into(),
            reason: "every row is in the bootstrap sample of every tree; grow more trees".into(),
        });
    }
    harrell(&time, &event, &scores)
}

/// Harrell's C of the out-of-bag mortality (ranger's `1 - prediction.error`
/// for survival forests), over the rows that have an out-of-bag prediction.
///
/// # Errors
///
/// The errors of [`oob_mortality`] and of [`harrell`],
/// [`StatsError::LengthMismatch`] when `data` is not as long as the training
/// set, and [`StatsError::NotEstimable`] when no row has an out-of-bag
/// prediction.
pub fn oob_concordance(
    forest: &SurvivalForest,
    x: &DMatrix<f64>,
    data: &SurvivalData,
) -> Result<Concordance, StatsError> {
    check_training_rows(forest, x, Some(data))?;
    concordance_of_predicted(data, &oob_mortality(forest, x)?)
}

/// Harrell's C of the full-ensemble mortality on the rows given (the
/// training rows for the training C, or any other rows with their outcomes).
///
/// # Errors
///
/// The errors of [`SurvivalForest::mortality`] and of [`harrell`], and
/// [`StatsError::LengthMismatch`] when `x` and `data` differ in rows.
pub fn ensemble_concordance(
    forest: &SurvivalForest,
    x: &DMatrix<f64>,
    data: &SurvivalData,
) -> Result<Concordance, StatsError> {
    if x.nrows() != data.len() {
        return Err(StatsError::LengthMismatch {
            what: "covariate rows".into(),
            expected: data.len(),
            got: x.nrows(),
        });
    }
    harrell(&data.time, &data.event, &forest.mortality(x)?)
}
