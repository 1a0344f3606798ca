//! Numerical methods for survival and binary outcomes, with no knowledge of
//! patients or of the registry.
//!
//! Every method takes plain slices or an `nalgebra` matrix, checks its input
//! once at the front, and returns a fitted value or a [`StatsError`] naming the
//! cause. Conventions follow the reference tools that each file names (R
//! survival 3.5, glmnet 4.1, pROC 1.18, MatchIt 4.5, scikit-survival 0.28),
//! and the tests in `tests/reference/` check them against those tools'
//! output on public data sets.

pub mod cox;
pub mod data;
pub mod error;
pub mod forest;
pub mod frame;
pub mod hypothesis;
pub mod km;
pub mod logistic;
pub mod logrank;
pub mod matching;
pub mod metrics;
pub mod penalized;

pub use error::StatsError;
