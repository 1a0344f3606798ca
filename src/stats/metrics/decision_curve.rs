//! Decision curve analysis: the net benefit of treating the subjects whose
//! predicted risk reaches a threshold probability, over a range of
//! thresholds, against treating everyone and treating no one.
//!
//! At threshold `pt` a subject is test-positive when the predicted risk is
//! at least `pt`, and
//! `net benefit = TP / n - FP / n * pt / (1 - pt)`.
//! For a binary outcome TP and FP count the test-positive subjects with and
//! without the event. For a survival outcome at time t the event share among
//! the test-positive subjects is `1 - S(t)` of their Kaplan–Meier curve, so
//! `TP / n = (1 - S+(t)) * positive share` and `FP / n = S+(t) * positive
//! share`. Both follow `dca` of the Python `dcurves` package, which also
//! counts a risk equal to the threshold as positive. Treat-all takes the
//! whole sample as test-positive, and treat-none has net benefit 0.

use serde::{Deserialize, Serialize};

use crate::stats::StatsError;
use crate::stats::data::{SurvivalData, check_finite};

/// Net benefit of a model and of the two default strategies over
/// thresholds. Vectors share the index of `thresholds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionCurve {
    pub n: usize,
    /// Event share of the whole sample: the prevalence for a binary outcome,
    /// `1 - S(t)` from Kaplan–Meier for a survival outcome.
    pub event_rate: f64,
    /// Time t of a survival decision curve, in the unit of the survival
    /// times; `None` for a binary outcome.
    pub time: Option<f64>,
    /// Threshold probabilities, in the order given.
    pub thresholds: Vec<f64>,
    /// Share of subjects whose predicted risk is at least the threshold.
    pub positive_rate: Vec<f64>,
    /// Net benefit of treating the test-positive subjects.
    pub net_benefit: Vec<f64>,
    /// Net benefit of treating everyone.
    pub treat_all: Vec<f64>,
    /// Net benefit of treating no one (0 at every threshold).
    pub treat_none: Vec<f64>,
}

/// Thresholds 0, 0.01, ..., 0.99: the `dcurves` grid without the threshold
/// 1, where the harm weight `pt / (1 - pt)` is infinite.
pub fn default_thresholds() -> Vec<f64> {
    (0..100).map(|k| f64::from(k) / 100.0).collect()
}

/// Compute the decision curve of predicted probabilities against a 0/1
/// outcome.
///
/// # Errors
///
/// - [`StatsError::Empty`], [`StatsError::LengthMismatch`] and
///   [`StatsError::NonFinite`] for malformed input;
/// - [`StatsError::InvalidParameter`] for a prediction outside [0, 1] or a
///   threshold outside [0, 1).
pub fn binary_decision_curve(
    predicted: &[f64],
    outcome: &[bool],
    thresholds: &[f64],
) -> Result<DecisionCurve, StatsError> {
    if outcome.len() != predicted.len() {
        return Err(StatsError::LengthMismatch {
            what: "outcome".into(),
            expected: predicted.len(),
            got: outcome.len(),
        });
    }
    check_input(predicted, thresholds)?;
    let n = predicted.len() as f64;
    let event_rate = outcome.iter().filter(|&&y| y).count() as f64 / n;

    let mut curve = empty_curve(predicted.len(), event_rate, None, thresholds);
    for &threshold in thresholds {
        let (mut true_positive, mut false_positive) = (0usize, 0usize);
        for (&p, &y) in predicted.iter().zip(outcome) {
            if p >= threshold {
                if y {
                    true_positive += 1;
                } else {
                    false_positive += 1;
                }
            }
        }
        let positive = (true_positive + false_positive) as f64 / n;
        let benefit = net_benefit(
            true_positive as f64 / n,
            false_positive as f64 / n,
            threshold,
        );
        curve.push(positive, benefit, threshold);
    }
    Ok(curve)
}

/// Compute the decision curve of predicted risks of an event by time `at`
/// against right-censored survival outcomes.
///
/// `predicted_risk[i]` is subject i's predicted probability of the event by
/// `at`, that is `1 - S_i(at)`. The event share among the test-positive
/// subjects is `1 - S(at)` of their Kaplan–Meier curve, read as a step
/// function at `at`. When their follow-up ends before `at`, the value at
/// their last time carries forward.
///
/// NOTE: `dcurves` reads this value through lifelines' `predict`, whose
/// behaviour past the last time has not been checked against this rule.
///
/// # Errors
///
/// - input errors of the survival data ([`StatsError::Empty`],
///   [`StatsError::LengthMismatch`], [`StatsError::NonFinite`],
///   [`StatsError::NegativeTime`]);
/// - [`StatsError::InvalidParameter`] for a prediction outside [0, 1], a
///   threshold outside [0, 1) or a time `at` that is not positive and finite;
/// - [`StatsError::BeyondFollowUp`] when `at` is after the last follow-up
///   time and the Kaplan–Meier curve of all subjects has not reached 0.
pub fn survival_decision_curve(
    predicted_risk: &[f64],
    time: &[f64],
    event: &[bool],
    at: f64,
    thresholds: &[f64],
) -> Result<DecisionCurve, StatsError> {
    let data = SurvivalData::new(time, event)?;
    if predicted_risk.len() != data.len() {
        return Err(StatsError::LengthMismatch {
            what: "predicted risk".into(),
            expected: data.len(),
            got: predicted_risk.len(),
        });
    }
    check_input(predicted_risk, thresholds)?;
    if !(at.is_finite() && at > 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "time",
            value: at.to_string(),
            reason: "the decision-curve time must be a positive number".into(),
        });
    }
    let order = data.order_by_time();
    let overall = survival_at(&data, &order, at, |_| true);
    let last = order.last().map_or(0.0, |&i| data.time[i]);
    if at > last && overall > 0.0 {
        return Err(StatsError::BeyondFollowUp { time: at, last });
    }

    let n = data.len() as f64;
    let mut curve = empty_curve(data.len(), 1.0 - overall, Some(at), thresholds);
    for &threshold in thresholds {
        let positive = predicted_risk.iter().filter(|&&p| p >= threshold).count();
        let share = positive as f64 / n;
        let benefit = if positive == 0 {
            0.0
        } else {
            let surv = survival_at(&data, &order, at, |i| predicted_risk[i] >= threshold);
            net_benefit((1.0 - surv) * share, surv * share, threshold)
        };
        curve.push(share, benefit, threshold);
    }
    Ok(curve)
}

/// Compute the Kaplan–Meier S(`at`) of the subjects that `include` selects,
/// from the subjects in time order with events before censorings at equal
/// times.
/// Subjects censored at an event time stay in its risk set, as in
/// [`crate::stats::km`].
fn survival_at(
    data: &SurvivalData,
    order: &[usize],
    at: f64,
    include: impl Fn(usize) -> bool,
) -> f64 {
    let selected: Vec<usize> = order.iter().copied().filter(|&i| include(i)).collect();
    let mut at_risk = selected.len();
    let mut surv = 1.0;
    let mut start = 0;
    while start < selected.len() {
        let t = data.time[selected[start]];
        if t > at {
            break;
        }
        let end = start
            + selected[start..]
                .iter()
                .take_while(|&&i| data.time[i] == t)
                .count();
        let events = selected[start..end]
            .iter()
            .filter(|&&i| data.event[i])
            .count();
        surv *= 1.0 - events as f64 / at_risk as f64;
        at_risk -= end - start;
        start = end;
    }
    surv
}

/// `TP/n - FP/n * pt / (1 - pt)`.
fn net_benefit(true_positive: f64, false_positive: f64, threshold: f64) -> f64 {
    true_positive - false_positive * threshold / (1.0 - threshold)
}

fn check_input(predicted: &[f64], thresholds: &[f64]) -> Result<(), StatsError> {
    if predicted.is_empty() {
        return Err(StatsError::Empty);
    }
    check_finite("predicted risk", predicted)?;
    if let Some(row) = predicted.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(StatsError::InvalidParameter {
            name: "predicted risk",
            value: predicted[row].to_string(),
            reason: format!("row {row} is not a probability between 0 and 1"),
        });
    }
    if thresholds.is_empty() {
        return Err(StatsError::InvalidParameter {
            name: "thresholds",
            value: "[]".into(),
            reason: "at least one threshold probability is needed".into(),
        });
    }
    if let Some(&bad) = thresholds.iter().find(|t| !(0.0..1.0).contains(*t)) {
        return Err(StatsError::InvalidParameter {
            name: "threshold",
            value: bad.to_string(),
            reason: "a threshold probability must be at least 0 and below 1".into(),
        });
    }
    Ok(())
}

fn empty_curve(n: usize, event_rate: f64, time: Option<f64>, thresholds: &[f64]) -> DecisionCurve {
    let k = thresholds.len();
    DecisionCurve {
        n,
        event_rate,
        time,
        thresholds: Vec::with_capacity(k),
        positive_rate: Vec::with_capacity(k),
        net_benefit: Vec::with_capacity(k),
        treat_all: Vec::with_capacity(k),
        treat_none: Vec::with_capacity(k),
    }
}

impl DecisionCurve {
    /// Append one threshold's values; treat-all follows from the event rate.
    fn push(&mut self, positive_rate: f64, benefit: f64, threshold: f64) {
        self.thresholds.push(threshold);
        self.positive_rate.push(positive_rate);
        self.net_benefit.push(benefit);
        self.treat_all.push(net_benefit(
            self.event_rate,
            1.0 - self.event_rate,
            threshold,
        ));
        self.treat_none.push(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::km::kaplan_meier;

    #[test]
    fn binary_net_benefit_by_hand() {
        // 10 subjects, 4 events. At pt = 0.25 (weight 1/3) the positives
        // are the five with p >= 0.25: three events, two non-events, so
        // NB = 3/10 - 2/10 / 3 = 7/30. Treat-all: 4/10 - 6/10 / 3 = 1/5.
        let predicted = [0.9, 0.8, 0.6, 0.3, 0.25, 0.2, 0.1, 0.1, 0.05, 0.05];
        let outcome = [
            true, true, false, true, false, true, false, false, false, false,
        ];
        let curve = binary_decision_curve(&predicted, &outcome, &[0.0, 0.25, 0.95]).unwrap();
        assert_eq!(curve.event_rate, 0.4);
        assert_eq!(curve.positive_rate, vec![1.0, 0.5, 0.0]);
        assert!((curve.net_benefit[1] - 7.0 / 30.0).abs() < 1e-15);
        assert!((curve.treat_all[1] - 0.2).abs() < 1e-15);
        // At pt = 0 everyone is positive and the model equals treat-all.
        assert_eq!(curve.net_benefit[0], curve.treat_all[0]);
        assert_eq!(curve.net_benefit[2], 0.0);
        assert_eq!(curve.treat_none, vec![0.0; 3]);
    }

    #[test]
    fn survival_net_benefit_by_hand() {
        // Positives at pt = 0.5: risks 0.9, 0.7, 0.6 with times 2, 4+, 6.
        // Their KM at t = 5: S = 1 - 1/3 (event at 2 among 3) = 2/3, so
        // NB = (1/3) * (3/6) - (2/3) * (3/6) * 1 = -1/6.
        let risk = [0.9, 0.7, 0.6, 0.4, 0.2, 0.1];
        let time = [2.0, 4.0, 6.0, 3.0, 8.0, 9.0];
        let event = [true, false, true, true, false, true];
        let curve = survival_decision_curve(&risk, &time, &event, 5.0, &[0.5]).unwrap();
        assert!((curve.net_benefit[0] + 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(curve.positive_rate, vec![0.5]);
        // Treat-all from the KM of everyone at 5: events at 2 (6 at risk)
        // and 3 (5 at risk).
        let surv = (5.0 / 6.0) * (4.0 / 5.0);
        assert!((curve.event_rate - (1.0 - surv)).abs() < 1e-15);
        assert!((curve.treat_all[0] - (1.0 - 2.0 * surv)).abs() < 1e-15);
        assert_eq!(curve.time, Some(5.0));
    }

    #[test]
    fn kaplan_meier_shortcut_matches_km_module() {
        let time = [5.0, 3.0, 3.0, 8.0, 1.0, 3.0, 9.0, 2.0, 7.0, 7.0];
        let event = [
            true, false, true, true, false, true, false, true, true, false,
        ];
        let data = SurvivalData::new(&time, &event).unwrap();
        let order = data.order_by_time();
        let curve = kaplan_meier(&time, &event).unwrap();
        for at in [0.5, 1.0, 2.5, 3.0, 6.0, 7.0, 9.0, 12.0] {
            let shortcut = survival_at(&data, &order, at, |_| true);
            assert!((shortcut - curve.survival_at(at)).abs() < 1e-15, "t = {at}");
        }
    }

    #[test]
    fn threshold_of_one_rejected() {
        let err = binary_decision_curve(&[0.5, 0.4], &[true, false], &[0.5, 1.0]);
        assert!(matches!(
            err,
            Err(StatsError::InvalidParameter {
                name: "threshold",
                ..
            })
        ));
    }

    #[test]
    fn risk_outside_unit_interval_rejected() {
        let err = survival_decision_curve(&[0.5, 1.2], &[1.0, 2.0], &[true, true], 1.0, &[0.1]);
        assert!(matches!(err, Err(StatsError::InvalidParameter { .. })));
    }

    #[test]
    fn time_after_follow_up_rejected() {
        let err = survival_decision_curve(&[0.5, 0.2], &[1.0, 2.0], &[true, false], 3.0, &[0.1]);
        assert!(matches!(err, Err(StatsError::BeyondFollowUp { .. })));
    }

    #[test]
    fn default_grid_stops_below_one() {
        let grid = default_thresholds();
        assert_eq!(grid.len(), 100);
        assert_eq!(grid[0], 0.0);
        assert_eq!(grid[99], 0.99);
    }
}
