//! Seeded random splits of patients into training and validation sets.
//!
//! Splits depend only on the seed and on the order of the input, which the
//! pipelines fix by sorting patients by study id, so the same data and seed
//! always give the same sets.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;

/// Share of patients in the training set.
pub const TRAIN_FRACTION: f64 = 0.7;

/// Indices of a training and a validation set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub validation: Vec<usize>,
}

/// Split `0..strata.len()` at `fraction` within each stratum: each stratum is
/// shuffled with a ChaCha20 generator seeded by `seed`, and its first
/// `round(fraction · size)` members go to training. Both sets are returned in
/// increasing index order.
pub fn stratified<S: Ord + Clone>(strata: &[S], fraction: f64, seed: u64) -> Split {
    let mut keys: Vec<S> = strata.to_vec();
    keys.sort();
    keys.dedup();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut split = Split {
        train: Vec::new(),
        validation: Vec::new(),
    };
    for key in keys {
        let mut members: Vec<usize> = (0..strata.len()).filter(|&i| strata[i] == key).collect();
        members.shuffle(&mut rng);
        let n_train = (fraction * members.len() as f64).round() as usize;
        split.train.extend_from_slice(&members[..n_train]);
        split.validation.extend_from_slice(&members[n_train..]);
    }
    split.train.sort_unstable();
    split.validation.sort_unstable();
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_split() {
        let strata: Vec<bool> = (0..100).map(|i| i % 3 == 0).collect();
        assert_eq!(stratified(&strata, 0.7, 7), stratified(&strata, 0.7, 7));
        assert_ne!(stratified(&strata, 0.7, 7), stratified(&strata, 0.7, 8));
    }

    #[test]
    fn proportions_kept_in_each_stratum() {
        // 34 of one label and 66 of the other: 24 + 46 go to training.
        let strata: Vec<bool> = (0..100).map(|i| i % 3 == 0).collect();
        let split = stratified(&strata, 0.7, 1);
        let train_true = split.train.iter().filter(|&&i| strata[i]).count();
        assert_eq!(train_true, 24);
        assert_eq!(split.train.len(), 24 + 46);
        assert_eq!(split.train.len() + split.validation.len(), 100);
        let mut all: Vec<usize> = split
            .train
            .iter()
            .chain(&split.validation)
            .copied()
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }
}
