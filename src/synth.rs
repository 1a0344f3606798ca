//! Placeholder: the seeded synthetic cohort generator.

use chrono::NaiveDate;

use crate::domain::{FollowUp, PatientRecord};

/// Number of patients in the default cohort: 1,126 without and 1,429 with
/// TACE, as in the published cohort.
pub const DEFAULT_PATIENTS: usize = 2555;

/// Seed of the sample registry in `sample_db/`.
pub const DEFAULT_SEED: u64 = 20250101;

/// Size and seed of a synthetic cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    pub patients: usize,
    pub seed: u64,
}

/// A generated cohort in the registry's record types.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub patients: Vec<PatientRecord>,
    pub followups: Vec<FollowUp>,
    /// Date after which no contact was generated.
    pub data_cutoff: NaiveDate,
}

/// Generate a cohort; the same configuration always gives the same cohort.
pub fn generate(_config: &SynthConfig) -> Cohort {
    Cohort {
        patients: Vec::new(),
        followups: Vec::new(),
        data_cutoff: NaiveDate::default(),
    }
}
