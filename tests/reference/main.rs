//! Reference suite: the statistics engine against R and Python results on
//! public data sets (pbc, veteran, rossi). The expected values and the calls
//! that produced them are in `tests/data/expected/*.json`; each module below
//! checks one method family at the tolerances stated there.

mod common;

mod brier;
mod calibration;
mod cli_binary;
mod cli_forest;
mod cli_metrics;
mod cli_survival;
mod concordance;
mod cox;
mod decision_curve;
mod degenerate;
mod forest;
mod glmnet;
mod km;
mod logistic;
mod logrank;
mod matching;
mod stepwise;
mod td_auc;
