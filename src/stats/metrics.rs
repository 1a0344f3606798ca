//! Measures of predictive performance: concordance, time-dependent and binary
//! AUC, Brier scores, calibration and decision curves.

pub mod auc;
pub mod brier;
pub mod calibration;
pub mod concordance;
pub mod decision_curve;
pub mod td_auc;
