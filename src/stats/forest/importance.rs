//! Permutation importance of each covariate: the decrease of the out-of-bag
//! concordance when the covariate's values are permuted.

use nalgebra::DMatrix;
use rand::RngExt;
use rayon::prelude::*;

use super::SurvivalForest;
use super::ensemble::{Stream, derived_rng};
use super::oob::{InBag, check_training_rows, concordance_of_predicted};
use crate::stats::StatsError;
use crate::stats::data::SurvivalData;

/// Permutation importance of every covariate column, in column order.
///
/// For column `j`, each tree shuffles the values of `j` among its own
/// out-of-bag rows (a stream keyed by `seed`, the tree and `j`) and drops
/// those rows down the tree with the shuffled value; the resulting
/// out-of-bag ensemble mortality gives a Harrell C, and the importance is
/// the out-of-bag C of the unchanged data minus that C. This is the
/// ensemble form of Breiman's permutation importance, as randomForestSRC's
/// `importance = "permute"` computes it; ranger 0.14 instead averages the
/// per-tree C decreases, so the two scales differ.
///
/// A positive value means the forest relies on the column. The result is
/// the same for any number of threads.
///
/// # Errors
///
/// The errors of [`super::oob_concordance`].
pub fn permutation_importance(
    forest: &SurvivalForest,
    x: &DMatrix<f64>,
    data: &SurvivalData,
    seed: u64,
) -> Result<Vec<f64>, StatsError> {
    check_training_rows(forest, x, Some(data))?;
    let in_bag = InBag::of(forest);
    let out_of_bag: Vec<Vec<u32>> = (0..forest.trees.len())
        .map(|tree| {
            (0..x.nrows() as u32)
                .filter(|&row| !in_bag.contains(tree, row as usize))
                .collect()
        })
        .collect();
    let baseline =
        concordance_of_predicted(data, &permuted_mortality(forest, x, &out_of_bag, None))?;
    (0..x.ncols())
        .into_par_iter()
        .map(|variable| {
            let risk = permuted_mortality(forest, x, &out_of_bag, Some((variable, seed)));
            Ok(baseline.c_index - concordance_of_predicted(data, &risk)?.c_index)
        })
        .collect()
}

/// Out-of-bag mortality of each row, with the values of one variable
/// shuffled among each tree's out-of-bag rows when `permute` is
/// `Some((variable, seed))`. Trees are visited in index order so that every
/// row's sum is formed in the same order on any thread.
fn permuted_mortality(
    forest: &SurvivalForest,
    x: &DMatrix<f64>,
    out_of_bag: &[Vec<u32>],
    permute: Option<(usize, u64)>,
) -> Vec<Option<f64>> {
    let mut total = vec![0.0; x.nrows()];
    let mut count = vec![0u32; x.nrows()];
    let mut donors: Vec<u32> = Vec::new();
    for (tree, rows) in out_of_bag.iter().enumerate() {
        donors.clear();
        donors.extend_from_slice(rows);
        if let Some((variable, seed)) = permute {
            let mut rng = derived_rng(seed, Stream::Permutation, tree as u64, variable as u64);
            for i in (1..donors.len()).rev() {
                let j = rng.random_range(0..=i as u32) as usize;
                donors.swap(i, j);
            }
        }
        for (&row, &donor) in rows.iter().zip(&donors) {
            let (row, donor) = (row as usize, donor as usize);
            let leaf = forest.trees[tree].leaf(|j| match permute {
                Some((variable, _)) if j == variable => x[(donor, j)],
                _ => x[(row, j)],
            });
            total[row] += leaf.mortality;
            count[row] += 1;
        }
    }
    total
        .iter()
        .zip(&count)
        .map(|(&t, &c)| (c > 0).then(|| t / f64::from(c)))
        .collect()
}
