//! The two model pipelines: TACE benefit (a Cox reference model on patients
//! without TACE, residual labels and a logistic nomogram) and overall
//! survival (univariate screen, forward stepwise Cox and a random survival
//! forest), with model versions and prediction for one patient.

pub mod labels;
pub mod nomogram;
pub mod progress;
pub mod split;
pub mod variables;
