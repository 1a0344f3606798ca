//! A reported number that may not be estimable on the data at hand.

use serde::{Deserialize, Serialize};

use crate::stats::StatsError;

/// A metric with an optional confidence interval, or the reason it could
/// not be estimated (for example a validation set without cases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Why `value` is missing, with the counts that made it so.
    pub note: Option<String>,
}

impl Estimate {
    pub fn point(value: f64) -> Self {
        Self {
            value: Some(value),
            lower: None,
            upper: None,
            note: None,
        }
    }

    pub fn with_interval(value: f64, lower: f64, upper: f64) -> Self {
        Self {
            value: Some(value),
            lower: Some(lower),
            upper: Some(upper),
            note: None,
        }
    }

    pub fn not_estimable(reason: impl Into<String>) -> Self {
        Self {
            value: None,
            lower: None,
            upper: None,
            note: Some(reason.into()),
        }
    }

    /// The estimate, or the statistics error as the reason it is missing.
    pub fn from_result(result: Result<Self, StatsError>) -> Self {
        result.unwrap_or_else(|e| Self::not_estimable(e.to_string()))
    }

    pub fn is_estimable(&self) -> bool {
        self.value.is_some()
    }
}

/// A table or curve computed from the data, or the reason it could not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Computed<T> {
    pub value: Option<T>,
    pub note: Option<String>,
}

impl<T> Computed<T> {
    pub fn from_result(result: Result<T, StatsError>) -> Self {
        match result {
            Ok(value) => Self {
                value: Some(value),
                note: None,
            },
            Err(e) => Self {
                value: None,
                note: Some(e.to_string()),
            },
        }
    }
}
