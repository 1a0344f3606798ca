//! Random survival forest (Ishwaran et al. 2008, Ann. Appl. Stat. 2:841)
//! with log-rank splitting, following the conventions of R ranger 0.14
//! `splitrule = "logrank"`.
//!
//! This file owns the settings, their validation and the checks in front of
//! the fit. The submodules own the split statistic (`split`), one tree
//! (`tree`), the fitted ensemble and its predictions (`ensemble`),
//! out-of-bag and training concordance (`oob`), permutation importance
//! (`importance`) and saving a fitted forest (`persistence`).
//!
//! Each tree is grown on a bootstrap sample of `n` draws with replacement.
//! At each node `mtry` candidate variables are drawn without replacement,
//! every cut between two distinct values of a candidate is scored by the
//! two-sample log-rank statistic, and the best cut wins. The **node size**
//! is the number of bootstrap draws in the node, duplicates counted (ranger's
//! definition). A cut is allowed only when both children keep at least
//! `min_node_size` draws, so a node of fewer than `2 * min_node_size` draws
//! is a leaf. For survival forests this is what ranger 0.14.1 does with
//! `min.node.size`. scikit-survival's `min_samples_leaf` instead counts
//! distinct rows in the child (its bootstrap enters as sample weights), so
//! the same number gives it somewhat larger leaves.
//!
//! Leaves hold the Nelson–Aalen cumulative hazard of their in-bag samples,
//! with a sample at risk at every event time up to and including its own
//! time. NOTE: ranger 0.14 also counts a censored sample at risk at the
//! first event time after its censoring time; this implementation does not.

mod ensemble;
mod importance;
mod oob;
mod persistence;
mod split;
mod tree;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::StatsError;
use super::data::SurvivalData;

pub use ensemble::{SurvivalCurve, SurvivalForest};
pub use importance::permutation_importance;
pub use oob::{ensemble_concordance, oob_concordance, oob_mortality};
pub use persistence::{from_json, to_json};

/// Seed used when the caller gives none.
pub const DEFAULT_SEED: u64 = 20_160_101;

/// How many candidate variables to draw at each node, given `p` covariate
/// columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mtry {
    /// `ceil(sqrt(p))`, the registry's default.
    CeilSqrt,
    /// `floor(sqrt(p))` (at least 1), ranger's default.
    FloorSqrt,
    /// A fixed number, which must lie in `1..=p`.
    Fixed(usize),
}

impl Mtry {
    /// The number of candidate variables for `p` columns. An out-of-range
    /// fixed number is returned as is, for [`ForestSettings::validate`] to
    /// reject.
    pub fn resolve(self, p: usize) -> usize {
        let root = (p as f64).sqrt();
        match self {
            Mtry::CeilSqrt => root.ceil() as usize,
            Mtry::FloorSqrt => (root.floor() as usize).max(1),
            Mtry::Fixed(m) => m,
        }
    }
}

/// Settings of a random survival forest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForestSettings {
    /// Number of trees.
    pub trees: usize,
    /// Candidate variables per node.
    pub mtry: Mtry,
    /// Minimum number of bootstrap draws in each child of a split.
    pub min_node_size: usize,
    /// Seed of every random draw (bootstrap samples, candidate variables).
    pub seed: u64,
}

impl Default for ForestSettings {
    /// The registry's overall-survival model: 500 trees, `ceil(sqrt(p))`
    /// candidates, at least 15 draws per child.
    fn default() -> Self {
        Self {
            trees: 500,
            mtry: Mtry::CeilSqrt,
            min_node_size: 15,
            seed: DEFAULT_SEED,
        }
    }
}

impl ForestSettings {
    /// ranger 0.14's survival defaults: 500 trees, `floor(sqrt(p))`
    /// candidates and `min.node.size = 3`.
    pub fn ranger_defaults(seed: u64) -> Self {
        Self {
            trees: 500,
            mtry: Mtry::FloorSqrt,
            min_node_size: 3,
            seed,
        }
    }

    /// Checks the settings against `p` covariate columns and resolves `mtry`.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] when there are no covariates, no
    /// trees, `mtry` outside `1..=p`, or a minimum node size of 0.
    pub fn validate(&self, p: usize) -> Result<ValidatedSettings, StatsError> {
        let invalid = |name, value: usize, reason: &str| StatsError::InvalidParameter {
            name,
            value: value.to_string(),
            reason: reason.to_string(),
        };
        if p == 0 {
            return Err(invalid(
                "covariates",
                p,
                "the forest needs at least one covariate column",
            ));
        }
        if self.trees == 0 {
            return Err(invalid("trees", self.trees, "grow at least one tree"));
        }
        let mtry = self.mtry.resolve(p);
        if mtry == 0 || mtry > p {
            return Err(invalid(
                "mtry",
                mtry,
                &format!("must lie between 1 and the number of covariate columns ({p})"),
            ));
        }
        if self.min_node_size == 0 {
            return Err(invalid("min_node_size", 0, "must be at least 1"));
        }
        Ok(ValidatedSettings {
            trees: self.trees,
            mtry,
            min_node_size: self.min_node_size,
            seed: self.seed,
        })
    }
}

/// Forest settings checked against the number of covariates, with `mtry`
/// resolved to a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatedSettings {
    pub trees: usize,
    pub mtry: usize,
    pub min_node_size: usize,
    pub seed: u64,
}

/// Grows a random survival forest on the covariates `x` (one row per subject,
/// numeric columns; factors already expanded to indicators) and the outcome
/// `data`.
///
/// Trees grow in parallel on the caller's rayon pool; the result is the same
/// bit for bit for any number of threads.
///
/// # Errors
///
/// - the errors of [`ForestSettings::validate`];
/// - [`StatsError::LengthMismatch`] when `x` and `data` differ in rows;
/// - [`StatsError::TooFewRows`] for fewer than two rows;
/// - [`StatsError::NonFinite`] for a covariate value that is not finite;
/// - [`StatsError::NoEvents`] when every subject is censored;
/// - [`StatsError::NoSplit`] when `2 * min_node_size` exceeds the number of
///   rows, or when no tree found an admissible split.
pub fn fit(
    x: &DMatrix<f64>,
    data: &SurvivalData,
    settings: &ForestSettings,
) -> Result<SurvivalForest, StatsError> {
    let validated = settings.validate(x.ncols())?;
    check_training_data(x, data, validated)?;
    let train = tree::TrainingSet::new(x, &data.time, &data.event);
    let last_follow_up = data.time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let forest = ensemble::grow_forest(&train, validated, last_follow_up);
    if forest.split_trees() == 0 {
        return Err(StatsError::NoSplit {
            reason: format!(
                "in none of the {} bootstrap samples did a node have a cut with at least {} \
                 draws on each side and a positive log-rank variance; lower the minimum node \
                 size or check that the covariates vary",
                validated.trees, validated.min_node_size
            ),
        });
    }
    Ok(forest)
}

/// The checks of [`fit`] on the data, after the settings are validated.
fn check_training_data(
    x: &DMatrix<f64>,
    data: &SurvivalData,
    settings: ValidatedSettings,
) -> Result<(), StatsError> {
    let n = data.len();
    if x.nrows() != n {
        return Err(StatsError::LengthMismatch {
            what: "covariate rows".into(),
            expected: n,
            got: x.nrows(),
        });
    }
    if n < 2 {
        return Err(StatsError::TooFewRows {
            method: "random survival forest",
            needed: 2,
            got: n,
        });
    }
    if u32::try_from(n).is_err() {
        return Err(StatsError::InvalidParameter {
            name: "rows",
            value: n.to_string(),
            reason: format!("the forest handles at most {} rows", u32::MAX),
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
    if data.events() == 0 {
        return Err(StatsError::NoEvents {
            what: "the training data".into(),
        });
    }
    if 2 * settings.min_node_size > n {
        return Err(StatsError::NoSplit {
            reason: format!(
                "a split needs at least {} draws on each side, so at least {} rows, but \
                 there are {n}; lower the minimum node size",
                settings.min_node_size,
                2 * settings.min_node_size
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mtry_rules() {
        assert_eq!(Mtry::CeilSqrt.resolve(13), 4);
        assert_eq!(Mtry::FloorSqrt.resolve(13), 3);
        assert_eq!(Mtry::FloorSqrt.resolve(1), 1);
        assert_eq!(Mtry::CeilSqrt.resolve(16), 4);
        assert_eq!(Mtry::Fixed(7).resolve(3), 7);
    }

    #[test]
    fn settings_validation_rejects_bad_values() {
        let ok = ForestSettings::default();
        assert_eq!(ok.validate(13).map(|v| v.mtry), Ok(4));
        let cases = [
            (ForestSettings { trees: 0, ..ok }, 13, "trees"),
            (
                ForestSettings {
                    mtry: Mtry::Fixed(0),
                    ..ok
                },
                13,
                "mtry",
            ),
            (
                ForestSettings {
                    mtry: Mtry::Fixed(14),
                    ..ok
                },
                13,
                "mtry",
            ),
            (
                ForestSettings {
                    min_node_size: 0,
                    ..ok
                },
                13,
                "min_node_size",
            ),
            (ok, 0, "covariates"),
        ];
        for (settings, p, expected) in cases {
            match settings.validate(p) {
                Err(StatsError::InvalidParameter { name, .. }) => assert_eq!(name, expected),
                other => panic!("{expected}: expected InvalidParameter, got {other:?}"),
            }
        }
    }
}
