//! Binary ROC curves and the area under them, with DeLong's variance and
//! confidence interval, following the conventions of R pROC 1.18 with
//! `direction = "<"`: a higher score predicts outcome 1 (a case), outcome 0
//! rows are the controls, and a case and a control with equal scores count
//! one half.

use serde::{Deserialize, Serialize};

use crate::stats::StatsError;
use crate::stats::data::check_finite;
use crate::stats::logistic::normal_quantile_for_level;

/// Points of an empirical ROC curve, by increasing threshold.
///
/// A row is called positive when its score is at or above the threshold.
/// Thresholds are `-inf`, the midpoints between consecutive distinct
/// scores and `+inf`, as pROC chooses them, so the curve runs from
/// (sensitivity 1, specificity 0) to (0, 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    pub thresholds: Vec<f64>,
    pub sensitivities: Vec<f64>,
    pub specificities: Vec<f64>,
}

/// The AUC with its DeLong variance and a symmetric confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelongAuc {
    pub auc: f64,
    pub variance: f64,
    pub se: f64,
    /// Confidence level of `lower` and `upper`, for example 0.95.
    pub level: f64,
    /// `auc - z * se`, clipped at 0.
    pub lower: f64,
    /// `auc + z * se`, clipped at 1.
    pub upper: f64,
    pub n_cases: usize,
    pub n_controls: usize,
}

/// Scores split by outcome, each sorted increasingly.
struct Groups {
    cases: Vec<f64>,
    controls: Vec<f64>,
}

/// Check the inputs and split the scores into sorted cases and controls.
fn split(score: &[f64], outcome: &[bool]) -> Result<Groups, StatsError> {
    if score.is_empty() {
        return Err(StatsError::Empty);
    }
    if score.len() != outcome.len() {
        return Err(StatsError::LengthMismatch {
            what: "outcome".into(),
            expected: score.len(),
            got: outcome.len(),
        });
    }
    check_finite("score", score)?;
    let mut cases = Vec::new();
    let mut controls = Vec::new();
    for (&s, &y) in score.iter().zip(outcome) {
        if y {
            cases.push(s);
        } else {
            controls.push(s);
        }
    }
    if cases.is_empty() || controls.is_empty() {
        let group = if cases.is_empty() {
            "outcome 0"
        } else {
            "outcome 1"
        };
        return Err(StatsError::SingleGroup {
            group: group.into(),
        });
    }
    cases.sort_by(f64::total_cmp);
    controls.sort_by(f64::total_cmp);
    Ok(Groups { cases, controls })
}

/// Share of `sorted` strictly below `value`, plus half the share equal to it.
fn share_below(sorted: &[f64], value: f64) -> f64 {
    let below = sorted.partition_point(|&s| s < value);
    let at_or_below = sorted.partition_point(|&s| s <= value);
    (below as f64 + 0.5 * (at_or_below - below) as f64) / sorted.len() as f64
}

/// DeLong's placement values: for each case the share of controls it
/// outranks (V10), and for each control the share of cases that outrank
/// it (V01); ties count one half.
fn placements(groups: &Groups) -> (Vec<f64>, Vec<f64>) {
    let v10 = groups
        .cases
        .iter()
        .map(|&x| share_below(&groups.controls, x))
        .collect();
    let v01 = groups
        .controls
        .iter()
        .map(|&y| 1.0 - share_below(&groups.cases, y))
        .collect();
    (v10, v01)
}

/// The area under the ROC curve: the probability that a random case scores
/// higher than a random control, ties counting one half (the Mann–Whitney
/// statistic divided by the number of case-control pairs).
///
/// # Errors
///
/// [`StatsError::Empty`], [`StatsError::LengthMismatch`],
/// [`StatsError::NonFinite`] for a bad score, and
/// [`StatsError::SingleGroup`] when one outcome class is absent.
pub fn auc(score: &[f64], outcome: &[bool]) -> Result<f64, StatsError> {
    let groups = split(score, outcome)?;
    let (v10, _) = placements(&groups);
    Ok(mean(&v10))
}

/// The AUC with DeLong's variance and confidence interval, as pROC 1.18
/// `var(roc, method = "delong")` and `ci.auc(roc, method = "delong")`.
///
/// With placement values V10 (cases, m of them) and V01 (controls, n),
/// `var = var(V10) / m + var(V01) / n` with sample variances (denominator
/// minus one), and the interval is `auc ± z * sqrt(var)` with `z` the
/// normal quantile of `level`, clipped to [0, 1].
///
/// # Errors
///
/// As [`auc`], plus [`StatsError::TooFewRows`] with fewer than two cases
/// or two controls (the variance needs both) and
/// [`StatsError::InvalidParameter`] when `level` is not in (0, 1).
pub fn delong_auc(score: &[f64], outcome: &[bool], level: f64) -> Result<DelongAuc, StatsError> {
    let z = normal_quantile_for_level(level)?;
    let groups = split(score, outcome)?;
    let smaller = groups.cases.len().min(groups.controls.len());
    if smaller < 2 {
        return Err(StatsError::TooFewRows {
            method: "DeLong variance (cases and controls each)",
            needed: 2,
            got: smaller,
        });
    }
    let (v10, v01) = placements(&groups);
    let auc = mean(&v10);
    let variance = sample_variance(&v10, auc) / v10.len() as f64
        + sample_variance(&v01, auc) / v01.len() as f64;
    let se = variance.sqrt();
    Ok(DelongAuc {
        auc,
        variance,
        se,
        level,
        lower: (auc - z * se).max(0.0),
        upper: (auc + z * se).min(1.0),
        n_cases: groups.cases.len(),
        n_controls: groups.controls.len(),
    })
}

/// The empirical ROC curve, as pROC's `roc(..., direction = "<")` lists it.
///
/// # Errors
///
/// As [`auc`].
pub fn roc_curve(score: &[f64], outcome: &[bool]) -> Result<RocCurve, StatsError> {
    let groups = split(score, outcome)?;
    let mut distinct: Vec<f64> = score.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();

    let mut thresholds = vec![f64::NEG_INFINITY];
    thresholds.extend(distinct.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    thresholds.push(f64::INFINITY);

    let share_at_or_above = |sorted: &[f64], t: f64| {
        (sorted.len() - sorted.partition_point(|&s| s < t)) as f64 / sorted.len() as f64
    };
    let sensitivities = thresholds
        .iter()
        .map(|&t| share_at_or_above(&groups.cases, t))
        .collect();
    let specificities = thresholds
        .iter()
        .map(|&t| 1.0 - share_at_or_above(&groups.controls, t))
        .collect();
    Ok(RocCurve {
        thresholds,
        sensitivities,
        specificities,
    })
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample variance about a known mean, with denominator `len - 1`.
fn sample_variance(values: &[f64], mean: f64) -> f64 {
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_auc_with_tie() {
        // Cases 0.9, 0.5; controls 0.5, 0.1. Pairs: (0.9, 0.5) 1, (0.9, 0.1)
        // 1, (0.5, 0.5) 1/2, (0.5, 0.1) 1, so AUC = 3.5 / 4.
        // V10 = (1, 3/4), V01 = (3/4, 1); both have variance 1/32, so
        // var = 1/32 / 2 + 1/32 / 2 = 1/32.
        let score = [0.9, 0.5, 0.5, 0.1];
        let outcome = [true, true, false, false];
        let result = delong_auc(&score, &outcome, 0.95).unwrap();
        assert_eq!(result.auc, 0.875);
        assert!((result.variance - 1.0 / 32.0).abs() < 1e-15);
        assert_eq!(result.upper, 1.0);
        assert_eq!(auc(&score, &outcome).unwrap(), 0.875);
    }

    #[test]
    fn roc_curve_runs_corner_to_corner() {
        let score = [0.9, 0.5, 0.5, 0.1];
        let outcome = [true, true, false, false];
        let curve = roc_curve(&score, &outcome).unwrap();
        assert_eq!(
            curve.thresholds,
            vec![f64::NEG_INFINITY, 0.3, 0.7, f64::INFINITY]
        );
        assert_eq!(curve.sensitivities, vec![1.0, 1.0, 0.5, 0.0]);
        assert_eq!(curve.specificities, vec![0.0, 0.5, 1.0, 1.0]);
    }

    #[test]
    fn one_class_rejected() {
        let err = auc(&[0.1, 0.2], &[false, false]);
        assert!(matches!(err, Err(StatsError::SingleGroup { .. })));
    }

    #[test]
    fn single_case_has_no_variance() {
        let err = delong_auc(&[0.1, 0.2, 0.3], &[false, false, true], 0.95);
        assert!(matches!(err, Err(StatsError::TooFewRows { got: 1, .. })));
    }
}
