//! Checked survival outcomes: times and event indicators that every
//! survival method in [`crate::stats`] accepts.

use super::StatsError;

/// Right-censored survival outcomes, one per subject.
///
/// Times are in whatever unit the caller uses (days, weeks, months); nothing
/// is rescaled. `event[i]` is `true` for an observed event and `false` for a
/// censoring.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    pub time: Vec<f64>,
    pub event: Vec<bool>,
}

impl SurvivalData {
    /// Check and wrap times and event indicators.
    ///
    /// # Errors
    ///
    /// [`StatsError::Empty`] for no rows, [`StatsError::LengthMismatch`] when
    /// the slices differ in length, [`StatsError::NonFinite`] for a NaN or
    /// infinite time and [`StatsError::NegativeTime`] for a time below zero.
    pub fn new(time: &[f64], event: &[bool]) -> Result<Self, StatsError> {
        check_times(time, event)?;
        Ok(Self {
            time: time.to_vec(),
            event: event.to_vec(),
        })
    }

    /// Number of subjects.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether there are no subjects.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Number of observed events.
    pub fn events(&self) -> usize {
        self.event.iter().filter(|&&e| e).count()
    }

    /// Indices of the subjects sorted by increasing time; at equal times
    /// events come before censorings, which is the order in which risk sets
    /// are reduced by R survival.
    pub fn order_by_time(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| {
            self.time[a]
                .total_cmp(&self.time[b])
                .then(self.event[b].cmp(&self.event[a]))
        });
        order
    }
}

/// Check times and event indicators without copying them.
///
/// # Errors
///
/// As [`SurvivalData::new`].
pub fn check_times(time: &[f64], event: &[bool]) -> Result<(), StatsError> {
    if time.is_empty() {
        return Err(StatsError::Empty);
    }
    if time.len() != event.len() {
        return Err(StatsError::LengthMismatch {
            what: "event".into(),
            expected: time.len(),
            got: event.len(),
        });
    }
    for (row, &t) in time.iter().enumerate() {
        if !t.is_finite() {
            return Err(StatsError::NonFinite {
                what: "time".into(),
                row,
                value: t,
            });
        }
        if t < 0.0 {
            return Err(StatsError::NegativeTime { row, value: t });
        }
    }
    Ok(())
}

/// Check that every value of a covariate or score is finite.
///
/// # Errors
///
/// [`StatsError::NonFinite`] naming `what` and the first offending row.
pub fn check_finite(what: &str, values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(StatsError::NonFinite {
            what: what.to_string(),
            row,
            value: values[row],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_time_rejected() {
        let err = SurvivalData::new(&[1.0, -2.0], &[true, false]).unwrap_err();
        assert_eq!(
            err,
            StatsError::NegativeTime {
                row: 1,
                value: -2.0
            }
        );
    }

    #[test]
    fn order_puts_events_first_at_ties() {
        let data = SurvivalData::new(&[5.0, 3.0, 3.0], &[true, false, true]).unwrap();
        assert_eq!(data.order_by_time(), vec![2, 1, 0]);
    }
}
