//! The typed failures of every method in [`crate::stats`].

use thiserror::Error;

/// Why a statistical method could not produce an honest result.
///
/// Each variant names the input that caused it, so that a caller can tell the
/// user what to change instead of showing a NaN.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StatsError {
    #[error("no rows to analyse")]
    Empty,

    #[error("too few rows: {got} given, at least {needed} needed for {method}")]
    TooFewRows {
        method: &'static str,
        needed: usize,
        got: usize,
    },

    #[error("input lengths differ: {what} has {got} values, expected {expected}")]
    LengthMismatch {
        what: String,
        expected: usize,
        got: usize,
    },

    #[error("{what} at row {row} is not a finite number ({value})")]
    NonFinite {
        what: String,
        row: usize,
        value: f64,
    },

    #[error("survival time at row {row} is negative ({value}); times must be >= 0")]
    NegativeTime { row: usize, value: f64 },

    #[error("no events in {what}; the method needs at least one event")]
    NoEvents { what: String },

    #[error("only one group ({group}); the comparison needs at least two")]
    SingleGroup { group: String },

    #[error("covariate `{name}` is constant in the rows used; drop it from the model")]
    ConstantCovariate { name: String },

    #[error("the information matrix is singular ({detail}); check for collinear covariates")]
    Singular { detail: String },

    #[error("the fit did not converge within {iterations} iterations")]
    NotConverged { iterations: usize },

    #[error(
        "monotone likelihood: the coefficient of `{name}` runs to infinity \
         (the covariate separates events from non-events)"
    )]
    MonotoneLikelihood { name: String },

    #[error(
        "perfect separation: `{name}` predicts the outcome exactly, so its \
         coefficient has no finite estimate"
    )]
    Separation { name: String },

    #[error("no comparable pairs: every pair is tied in time or censored before the other's event")]
    NoComparablePairs,

    #[error("time {time} is beyond the last follow-up time {last}")]
    BeyondFollowUp { time: f64, last: f64 },

    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        reason: String,
    },

    #[error("cannot read {path}: {detail}")]
    Csv { path: String, detail: String },

    #[error("column `{name}` not found; available columns: {available}")]
    UnknownColumn { name: String, available: String },

    #[error("line {line}, column `{column}`: `{value}` is not a number")]
    NotNumeric {
        line: usize,
        column: String,
        value: String,
    },

    #[error("line {line}, column `{column}`: `{value}` must be 0 or 1")]
    NotBinary {
        line: usize,
        column: String,
        value: String,
    },

    #[error("factor `{factor}` has no level `{level}`; levels present: {levels}")]
    UnknownLevel {
        factor: String,
        level: String,
        levels: String,
    },

    #[error("no tree of the forest could split: {reason}")]
    NoSplit { reason: String },

    #[error("{what} cannot be estimated: {reason}")]
    NotEstimable { what: String, reason: String },

    #[error(
        "the censoring survival function is zero at event time {time}, so its \
         inverse-probability weight is undefined; use times (or tau) before {time}"
    )]
    CensoringSurvivalZero { time: f64 },

    #[error(
        "the penalised fit at lambda = {lambda} keeps no covariate; choose a smaller \
         lambda (for example lambda.min) or report the model without covariates"
    )]
    NoVariableSelected { lambda: f64 },

    #[error("the saved model is invalid: {detail}; refit the model and save it again")]
    InvalidModel { detail: String },
}
