//! The two model pipelines: TACE benefit (a Cox reference model on patients
//! without TACE, residual labels and a logistic nomogram) and overall
//! survival (univariate screen, forward stepwise Cox and a random survival
//! forest), with model versions and prediction for one patient.

pub mod benefit;
mod error;
pub mod estimate;
pub mod labels;
pub mod nomogram;
pub mod predict;
pub mod progress;
pub mod refit;
pub mod split;
pub mod subject;
pub mod survival;
pub mod variables;
pub mod versions;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use error::PipelineError;

/// Seed of a refit when none is given.
pub const DEFAULT_SEED: u64 = 20_250_101;
pub use subject::Subject;

/// How many patients a model used, and how many each missing variable cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteCases {
    pub used: usize,
    /// Patients left out because at least one variable was missing.
    pub excluded: usize,
    /// For each variable, the patients that had it missing.
    pub missing: BTreeMap<String, usize>,
}

impl CompleteCases {
    pub fn of(encoded: &variables::Encoded) -> Self {
        Self {
            used: encoded.rows.len(),
            excluded: encoded.excluded,
            missing: encoded.missing.clone(),
        }
    }
}
