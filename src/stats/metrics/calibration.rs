//! Calibration of predicted risks: do the predictions match what happened?
//!
//! - Binary outcomes ([`binary_calibration`]): subjects are grouped by
//!   predicted probability (deciles by default), and each group's mean
//!   prediction is set against its observed proportion. The calibration
//!   intercept and slope come from logistic regressions on `logit(p)`, fitted
//!   as R's `glm` fits them. The Hosmer–Lemeshow test over the same groups
//!   and the Brier score complete the summary.
//! - Survival outcomes ([`survival_calibration`]): subjects grouped by
//!   predicted survival S(t) at one time t, with the mean prediction against
//!   the Kaplan–Meier estimate of S(t) in each group.
//!
//! Predictions come in as plain slices, one per subject, in the same order as
//! the outcomes.

use serde::{Deserialize, Serialize};
use statrs::function::gamma::gamma_ur;

use crate::stats::StatsError;
use crate::stats::data::{check_finite, check_times};
use crate::stats::km::{Groups, KaplanMeier, KmSettings, kaplan_meier_with};
use crate::stats::logistic::{
    LogisticSettings, fit_logistic, fit_logistic_with_offset, logit, normal_quantile_for_level,
};

/// Coverage of the Wald intervals of the calibration intercept and slope.
const LEVEL: f64 = 0.95;

/// Name of the covariate `logit(p)` in the calibration-slope fit; errors of
/// that fit (separation, for example) name it.
pub const LOGIT_PREDICTION: &str = "logit(p)";

/// Rule that assigns subjects to the groups of a calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Grouping {
    /// `g` groups of about equal size by the prediction, cut at its sample
    /// quantiles 0, 1/g, ..., 1 (R `quantile` type 7) into intervals closed
    /// on the right, the first closed on both sides, as R
    /// `cut(p, unique(quantile(p, 0:g / g)), include.lowest = TRUE)` cuts
    /// them. Tied cut points are merged, so heavily tied predictions give
    /// fewer than `g` groups. Group names are "1", "2", ... by increasing
    /// prediction.
    Quantiles(usize),
    /// Groups chosen by the caller, for example risk groups.
    Given(Groups),
}

impl Grouping {
    /// Ten groups at the deciles of the prediction.
    pub fn deciles() -> Self {
        Self::Quantiles(10)
    }
}

/// A Wald estimate with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub estimate: f64,
    pub se: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One group of a binary calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryGroup {
    pub name: String,
    pub n: usize,
    /// Subjects with outcome 1.
    pub events: usize,
    pub mean_predicted: f64,
    /// Share of subjects with outcome 1.
    pub observed: f64,
    pub min_predicted: f64,
    pub max_predicted: f64,
}

/// The Hosmer–Lemeshow goodness-of-fit test over the calibration groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HosmerLemeshow {
    /// `sum_g (O_g - E_g)^2 / E_g + (O'_g - E'_g)^2 / E'_g` over events
    /// (O, E) and non-events (O', E'), expected counts being sums of `p` and
    /// `1 - p`.
    pub statistic: f64,
    /// Number of groups minus two.
    pub df: usize,
    /// Upper tail of the chi-square distribution with `df` degrees of
    /// freedom.
    pub p: f64,
}

/// Calibration of predicted probabilities against a 0/1 outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryCalibration {
    pub n: usize,
    pub events: usize,
    pub mean_predicted: f64,
    /// Share of subjects with outcome 1.
    pub observed: f64,
    /// Groups in increasing order of prediction (quantile groups) or in the
    /// order of the given groups; groups without subjects are left out.
    pub groups: Vec<BinaryGroup>,
    /// Calibration intercept (calibration-in-the-large): the intercept `a`
    /// of `glm(y ~ offset(logit(p)), family = binomial)`. Zero when the mean
    /// prediction is right on the logit scale.
    pub intercept: Estimate,
    /// Calibration slope: `b` of `glm(y ~ logit(p), family = binomial)`.
    /// Below 1 the predictions are too extreme, above 1 too moderate.
    pub slope: Estimate,
    /// The intercept of that same fit, `a` in `a + b logit(p)`, as
    /// `rms::val.prob` reports it next to the slope.
    pub slope_intercept: Estimate,
    /// `None` with fewer than three groups.
    pub hosmer_lemeshow: Option<HosmerLemeshow>,
    /// Mean squared error `mean((p - y)^2)`.
    pub brier: f64,
}

/// Calibrate predicted probabilities against a 0/1 outcome.
///
/// `predicted[i]` is the predicted probability that `outcome[i]` is true.
/// The calibration intercept and slope are maximum-likelihood estimates with
/// Wald standard errors, fitted by [`fit_logistic`] as R 4.2 `glm` fits
/// them; their intervals are `estimate ± 1.96 se`.
///
/// # Errors
///
/// - [`StatsError::Empty`], [`StatsError::LengthMismatch`] and
///   [`StatsError::NonFinite`] for malformed input;
/// - [`StatsError::InvalidParameter`] for a prediction outside (0, 1),
///   because its logit is infinite, or for zero quantile groups;
/// - [`StatsError::SingleGroup`] when every outcome is the same;
/// - [`StatsError::NotEstimable`] when every prediction is the same, so that
///   no slope can be fitted;
/// - [`StatsError::Separation`] naming [`LOGIT_PREDICTION`] when the
///   predictions separate the outcomes perfectly (the slope is infinite);
/// - errors of the given groups ([`StatsError::LengthMismatch`]).
pub fn binary_calibration(
    predicted: &[f64],
    outcome: &[bool],
    grouping: &Grouping,
) -> Result<BinaryCalibration, StatsError> {
    check_probabilities(predicted, outcome.len())?;
    let logits: Vec<f64> = predicted.iter().map(|&p| logit(p)).collect();
    if logits.iter().all(|&l| l == logits[0]) {
        return Err(StatsError::NotEstimable {
            what: "the calibration slope".into(),
            reason: format!("every predicted probability is {}", predicted[0]),
        });
    }
    let (intercept, slope, slope_intercept) = calibration_fits(&logits, outcome)?;

    let (names, members) = assign_groups(predicted, grouping)?;
    let groups: Vec<BinaryGroup> = names
        .into_iter()
        .zip(&members)
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(name, rows)| binary_group(name, rows, predicted, outcome))
        .collect();

    let n = predicted.len();
    let events = outcome.iter().filter(|&&y| y).count();
    let brier = predicted
        .iter()
        .zip(outcome)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum::<f64>()
        / n as f64;
    Ok(BinaryCalibration {
        n,
        events,
        mean_predicted: predicted.iter().sum::<f64>() / n as f64,
        observed: events as f64 / n as f64,
        hosmer_lemeshow: hosmer_lemeshow(&groups),
        groups,
        intercept,
        slope,
        slope_intercept,
        brier,
    })
}

/// Check that the predictions are probabilities strictly inside (0, 1), one
/// per outcome.
fn check_probabilities(predicted: &[f64], outcomes: usize) -> Result<(), StatsError> {
    if predicted.is_empty() {
        return Err(StatsError::Empty);
    }
    if predicted.len() != outcomes {
        return Err(StatsError::LengthMismatch {
            what: "outcome".into(),
            expected: predicted.len(),
            got: outcomes,
        });
    }
    check_finite("predicted probability", predicted)?;
    match predicted.iter().position(|&p| p <= 0.0 || p >= 1.0) {
        Some(row) => Err(StatsError::InvalidParameter {
            name: "predicted probability",
            value: predicted[row].to_string(),
            reason: format!(
                "row {row} is not strictly between 0 and 1, so its logit is infinite; \
                 clamp the model's predictions away from 0 and 1"
            ),
        }),
        None => Ok(()),
    }
}

/// Fit the calibration-in-the-large intercept, and the slope with its intercept.
fn calibration_fits(
    logits: &[f64],
    outcome: &[bool],
) -> Result<(Estimate, Estimate, Estimate), StatsError> {
    let settings = LogisticSettings::default();
    let z = normal_quantile_for_level(LEVEL)?;
    let n = logits.len();

    let no_covariates = nalgebra::DMatrix::<f64>::zeros(n, 0);
    let in_the_large = fit_logistic_with_offset(&no_covariates, &[], outcome, logits, &settings)?;

    let column = nalgebra::DMatrix::from_column_slice(n, 1, logits);
    let names = [LOGIT_PREDICTION.to_string()];
    let recalibration = fit_logistic(&column, &names, outcome, &settings)?;

    let estimate = |coef: f64, se: f64| Estimate {
        estimate: coef,
        se,
        lower: coef - z * se,
        upper: coef + z * se,
    };
    Ok((
        estimate(in_the_large.coef[0], in_the_large.se[0]),
        estimate(recalibration.coef[1], recalibration.se[1]),
        estimate(recalibration.coef[0], recalibration.se[0]),
    ))
}

fn binary_group(name: String, rows: &[usize], predicted: &[f64], outcome: &[bool]) -> BinaryGroup {
    let values: Vec<f64> = rows.iter().map(|&r| predicted[r]).collect();
    let events = rows.iter().filter(|&&r| outcome[r]).count();
    BinaryGroup {
        name,
        n: rows.len(),
        events,
        mean_predicted: values.iter().sum::<f64>() / rows.len() as f64,
        observed: events as f64 / rows.len() as f64,
        min_predicted: values.iter().copied().fold(f64::INFINITY, f64::min),
        max_predicted: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// Compute the Hosmer–Lemeshow statistic over non-empty groups, as the common
/// R implementations do: `sum((obs - expect)^2 / expect)` over the event and
/// non-event columns, with `g - 2` degrees of freedom.
fn hosmer_lemeshow(groups: &[BinaryGroup]) -> Option<HosmerLemeshow> {
    if groups.len() < 3 {
        return None;
    }
    let statistic = groups
        .iter()
        .map(|g| {
            let n = g.n as f64;
            let expected = g.mean_predicted * n;
            let observed = g.events as f64;
            (observed - expected).powi(2) / expected
                + (observed - expected).powi(2) / (n - expected)
        })
        .sum::<f64>();
    let df = groups.len() - 2;
    // statrs' gamma_ur panics at x = 0, where the upper tail is 1.
    let p = if statistic > 0.0 {
        gamma_ur(df as f64 / 2.0, statistic / 2.0)
    } else {
        1.0
    };
    Some(HosmerLemeshow { statistic, df, p })
}

/// Group names and the subjects of each group, in group order.
///
/// # Errors
///
/// [`StatsError::InvalidParameter`] for zero quantile groups and
/// [`StatsError::LengthMismatch`] when given groups do not cover every
/// subject.
pub(crate) fn assign_groups(
    values: &[f64],
    grouping: &Grouping,
) -> Result<(Vec<String>, Vec<Vec<usize>>), StatsError> {
    match grouping {
        Grouping::Given(groups) => {
            groups.check_for(values)?;
            Ok((groups.names.clone(), groups.members()))
        }
        Grouping::Quantiles(0) => Err(StatsError::InvalidParameter {
            name: "quantile groups",
            value: "0".into(),
            reason: "at least one group is needed".into(),
        }),
        Grouping::Quantiles(count) => Ok(quantile_groups(values, *count)),
    }
}

/// Groups cut at the type-7 sample quantiles, merged where cut points tie.
fn quantile_groups(values: &[f64], count: usize) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut breaks: Vec<f64> = (0..=count)
        .map(|k| quantile_type7(&sorted, k as f64 / count as f64))
        .collect();
    breaks.dedup();

    // With a single distinct value every subject falls in one group.
    let intervals = (breaks.len() - 1).max(1);
    let mut members = vec![Vec::new(); intervals];
    for (row, &v) in values.iter().enumerate() {
        // Interval k contains (breaks[k], breaks[k + 1]]; the lowest value
        // joins the first interval.
        let below = breaks.partition_point(|&b| b < v);
        members[below.clamp(1, intervals) - 1].push(row);
    }
    let names = (1..=intervals).map(|k| k.to_string()).collect();
    (names, members)
}

/// R's default sample quantile (type 7) of sorted values:
/// `(1 - h) x[lo] + h x[lo + 1]` at position `(n - 1) prob`.
fn quantile_type7(sorted: &[f64], prob: f64) -> f64 {
    let position = (sorted.len() - 1) as f64 * prob;
    let lo = position.floor() as usize;
    let h = position - lo as f64;
    match sorted.get(lo + 1) {
        Some(&next) if h > 0.0 && next != sorted[lo] => (1.0 - h) * sorted[lo] + h * next,
        _ => sorted[lo],
    }
}

/// One group of a survival calibration table at time t.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalGroup {
    pub name: String,
    pub n: usize,
    /// Events at or before t.
    pub events: usize,
    /// Subjects still at risk at t (follow-up time >= t).
    pub n_risk: usize,
    /// Mean predicted survival S(t).
    pub mean_predicted: f64,
    /// Kaplan–Meier S(t) of the group; `None` when the group's follow-up
    /// ends before t with S still above 0, where the estimate is undefined.
    pub observed: Option<f64>,
    /// 95 % log interval of the Kaplan–Meier S(t) (R `survfit` default).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub min_predicted: f64,
    pub max_predicted: f64,
}

/// Calibration of predicted survival at one time against Kaplan–Meier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalCalibration {
    /// The time t, in the unit of the survival times.
    pub time: f64,
    pub n: usize,
    pub mean_predicted: f64,
    /// Kaplan–Meier S(t) of all subjects, with its 95 % log interval.
    pub observed: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Groups in increasing order of predicted survival (quantile groups) or
    /// in the order of the given groups; groups without subjects are left
    /// out.
    pub groups: Vec<SurvivalGroup>,
}

/// Calibrate predicted survival probabilities at time `at` against the
/// Kaplan–Meier estimate in groups of subjects.
///
/// `predicted_survival[i]` is subject i's predicted S(at); `time` and
/// `event` are the observed follow-up and event indicators. Each group's
/// observed S(at) and its interval come from [`kaplan_meier_with`] (R
/// `survfit`, log intervals at 95 %) read as a right-continuous step
/// function.
///
/// # Errors
///
/// - input errors of the survival data ([`StatsError::Empty`],
///   [`StatsError::LengthMismatch`], [`StatsError::NonFinite`],
///   [`StatsError::NegativeTime`]);
/// - [`StatsError::InvalidParameter`] for a prediction outside [0, 1], a
///   time `at` that is not positive and finite, or zero quantile groups;
/// - [`StatsError::BeyondFollowUp`] when `at` is after the last follow-up
///   time of all subjects.
pub fn survival_calibration(
    predicted_survival: &[f64],
    time: &[f64],
    event: &[bool],
    at: f64,
    grouping: &Grouping,
) -> Result<SurvivalCalibration, StatsError> {
    check_survival_input(predicted_survival, time, event, at)?;
    let settings = KmSettings::default();
    let overall = kaplan_meier_with(time, event, &settings)?;
    let (observed, lower, upper) = km_at(&overall, at);
    let observed = observed.ok_or(StatsError::BeyondFollowUp {
        time: at,
        last: overall.time.last().copied().unwrap_or(0.0),
    })?;

    let (names, members) = assign_groups(predicted_survival, grouping)?;
    let mut groups = Vec::with_capacity(names.len());
    for (name, rows) in names.into_iter().zip(&members) {
        if rows.is_empty() {
            continue;
        }
        let t: Vec<f64> = rows.iter().map(|&r| time[r]).collect();
        let e: Vec<bool> = rows.iter().map(|&r| event[r]).collect();
        let curve = kaplan_meier_with(&t, &e, &settings)?;
        let predicted: Vec<f64> = rows.iter().map(|&r| predicted_survival[r]).collect();
        let (observed, lower, upper) = km_at(&curve, at);
        groups.push(SurvivalGroup {
            name,
            n: rows.len(),
            events: rows.iter().filter(|&&r| event[r] && time[r] <= at).count(),
            n_risk: rows.iter().filter(|&&r| time[r] >= at).count(),
            mean_predicted: predicted.iter().sum::<f64>() / rows.len() as f64,
            observed,
            lower,
            upper,
            min_predicted: predicted.iter().copied().fold(f64::INFINITY, f64::min),
            max_predicted: predicted.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        });
    }
    let n = time.len();
    Ok(SurvivalCalibration {
        time: at,
        n,
        mean_predicted: predicted_survival.iter().sum::<f64>() / n as f64,
        observed,
        lower,
        upper,
        groups,
    })
}

fn check_survival_input(
    predicted: &[f64],
    time: &[f64],
    event: &[bool],
    at: f64,
) -> Result<(), StatsError> {
    check_times(time, event)?;
    if predicted.len() != time.len() {
        return Err(StatsError::LengthMismatch {
            what: "predicted survival".into(),
            expected: time.len(),
            got: predicted.len(),
        });
    }
    check_finite("predicted survival", predicted)?;
    if let Some(row) = predicted.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(StatsError::InvalidParameter {
            name: "predicted survival",
            value: predicted[row].to_string(),
            reason: format!("row {row} is not a probability between 0 and 1"),
        });
    }
    if !(at.is_finite() && at > 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "time",
            value: at.to_string(),
            reason: "the calibration time must be a positive number".into(),
        });
    }
    Ok(())
}

/// S(t) with its interval bounds, read off a Kaplan–Meier curve as a
/// right-continuous step function. Before the first time S = 1 and both
/// bounds are 1, as `summary.survfit` prints them. After the last time the
/// estimate is defined only if the curve has reached 0.
pub(crate) fn km_at(curve: &KaplanMeier, t: f64) -> (Option<f64>, Option<f64>, Option<f64>) {
    let k = curve.time.partition_point(|&s| s <= t);
    if k == 0 {
        return (Some(1.0), Some(1.0), Some(1.0));
    }
    let last = curve.time.len() - 1;
    let surv = curve.surv[k - 1];
    if k - 1 == last && t > curve.time[last] && surv > 0.0 {
        return (None, None, None);
    }
    (Some(surv), curve.lower[k - 1], curve.upper[k - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r_type7() {
        // R: quantile(c(1, 2, 4, 8), c(0, 1/3, 0.5, 1)) = 1, 2, 3, 8.
        let sorted = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile_type7(&sorted, 0.0), 1.0);
        assert!((quantile_type7(&sorted, 1.0 / 3.0) - 2.0).abs() < 1e-15);
        assert_eq!(quantile_type7(&sorted, 0.5), 3.0);
        assert_eq!(quantile_type7(&sorted, 1.0), 8.0);
    }

    #[test]
    fn quartile_groups_closed_on_the_right() {
        // Breaks at quantile(1:8, 0:4/4) = 1, 2.75, 4.5, 6.25, 8; the
        // groups are [1, 2.75], (2.75, 4.5], (4.5, 6.25], (6.25, 8].
        let values = [8.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let (names, members) = quantile_groups(&values, 4);
        assert_eq!(names, vec!["1", "2", "3", "4"]);
        assert_eq!(
            members,
            vec![vec![1, 2], vec![3, 4], vec![5, 6], vec![0, 7]]
        );
    }

    #[test]
    fn tied_cut_points_merge_groups() {
        // Quartiles of (1, 1, 1, 1, 1, 2) are 1, 1, 1, 1, 2: one interval.
        let values = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0];
        let (names, members) = quantile_groups(&values, 4);
        assert_eq!(names.len(), 1);
        assert_eq!(members[0].len(), 6);
        let (_, single) = quantile_groups(&[0.3; 5], 10);
        assert_eq!(single, vec![vec![0, 1, 2, 3, 4]]);
    }

    #[test]
    fn hosmer_lemeshow_by_hand() {
        // Three groups of 10 with mean predictions 0.2, 0.5, 0.8 and 3, 5, 7
        // events: observed equals expected in every group, so 0.
        let make = |p: f64, events| BinaryGroup {
            name: String::new(),
            n: 10,
            events,
            mean_predicted: p,
            observed: events as f64 / 10.0,
            min_predicted: p,
            max_predicted: p,
        };
        let exact = hosmer_lemeshow(&[make(0.2, 2), make(0.5, 5), make(0.8, 8)]).unwrap();
        assert_eq!(exact.statistic, 0.0);
        assert_eq!(exact.p, 1.0);
        // One extra event in the first group: (3 - 2)^2 / 2 + (7 - 8)^2 / 8.
        let off = hosmer_lemeshow(&[make(0.2, 3), make(0.5, 5), make(0.8, 8)]).unwrap();
        assert!((off.statistic - (0.5 + 0.125)).abs() < 1e-12);
        assert_eq!(off.df, 1);
        assert!(hosmer_lemeshow(&[make(0.2, 2), make(0.5, 5)]).is_none());
    }

    #[test]
    fn calibration_of_cell_proportions() {
        // Predictions equal to the observed share in each of two cells
        // (1/4 and 3/4) are perfectly calibrated: the fits reproduce them,
        // so the intercept is 0 and the slope 1.
        let predicted = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
        let outcome = [true, false, false, false, true, true, true, false];
        let result = binary_calibration(&predicted, &outcome, &Grouping::Quantiles(2)).unwrap();
        assert!(result.intercept.estimate.abs() < 1e-10);
        assert!((result.slope.estimate - 1.0).abs() < 1e-8);
        assert!(result.slope_intercept.estimate.abs() < 1e-8);
        assert!(result.slope.lower < 1.0);
        assert!(result.slope.upper > 1.0);
        assert_eq!(result.groups.len(), 2);
        assert_eq!(result.groups[0].events, 1);
        assert_eq!(result.groups[1].observed, 0.75);
        // Brier: each cell has one miss of (3/4)^2 = 9/16 and three hits of
        // (1/4)^2 = 1/16, so the mean is 2 * (12/16) / 8 = 3/16.
        assert!((result.brier - 3.0 / 16.0).abs() < 1e-15);
        assert!(result.hosmer_lemeshow.is_none());
    }

    #[test]
    fn overconfident_predictions_have_slope_below_one() {
        // Doubling the true logits (1/4 -> logit * 2) makes the predictions
        // too extreme; the fitted slope halves them back: exactly 1/2.
        let extreme = |p: f64| crate::stats::logistic::expit(2.0 * logit(p));
        let predicted: Vec<f64> = [0.25; 4]
            .into_iter()
            .chain([0.75; 4])
            .map(extreme)
            .collect();
        let outcome = [true, false, false, false, true, true, true, false];
        let result = binary_calibration(&predicted, &outcome, &Grouping::deciles()).unwrap();
        assert!((result.slope.estimate - 0.5).abs() < 1e-8);
        assert!(result.slope_intercept.estimate.abs() < 1e-8);
    }

    #[test]
    fn probability_of_one_rejected() {
        let err = binary_calibration(&[0.2, 1.0], &[false, true], &Grouping::deciles());
        assert!(matches!(
            err,
            Err(StatsError::InvalidParameter {
                name: "predicted probability",
                ..
            })
        ));
    }

    #[test]
    fn constant_prediction_rejected() {
        let err = binary_calibration(&[0.3; 4], &[true, false, false, true], &Grouping::deciles());
        assert!(matches!(err, Err(StatsError::NotEstimable { .. })));
    }

    #[test]
    fn separating_prediction_named() {
        let predicted = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
        let outcome = [false, false, false, true, true, true];
        let err = binary_calibration(&predicted, &outcome, &Grouping::deciles());
        assert_eq!(
            err,
            Err(StatsError::Separation {
                name: LOGIT_PREDICTION.into()
            })
        );
    }

    #[test]
    fn survival_groups_by_hand() {
        // Low-risk group (predicted 0.9): times 5, 6+, 8, 9+; high-risk
        // group (predicted 0.4): times 1, 2, 3+, 7. At t = 6:
        // low S = 3/4 (one event at 5 among 4); high S = (1 - 1/4)(1 - 1/3)
        // = 1/2, with one subject (time 7) still at risk.
        let predicted = [0.9, 0.9, 0.9, 0.9, 0.4, 0.4, 0.4, 0.4];
        let time = [5.0, 6.0, 8.0, 9.0, 1.0, 2.0, 3.0, 7.0];
        let event = [true, false, true, false, true, true, false, true];
        let result =
            survival_calibration(&predicted, &time, &event, 6.0, &Grouping::Quantiles(2)).unwrap();
        assert_eq!(result.groups.len(), 2);
        let (high, low) = (&result.groups[0], &result.groups[1]);
        assert_eq!(high.mean_predicted, 0.4);
        assert_eq!(high.observed, Some(0.5));
        assert_eq!((high.events, high.n_risk), (2, 1));
        assert_eq!(low.observed, Some(0.75));
        assert_eq!((low.events, low.n_risk), (1, 3));
        assert!(low.lower.unwrap() < 0.75);
        assert!(low.upper.unwrap() <= 1.0);
        // Overall: events at 1, 2, 5 before 6 with 8, 7, 5 at risk.
        let overall = (1.0 - 1.0 / 8.0) * (1.0 - 1.0 / 7.0) * (1.0 - 1.0 / 5.0);
        assert!((result.observed - overall).abs() < 1e-15);
    }

    #[test]
    fn survival_undefined_after_follow_up() {
        // The second group's follow-up ends at 3 (censored), before t = 4.
        let predicted = [0.9, 0.9, 0.9, 0.2, 0.2, 0.2];
        let time = [5.0, 6.0, 7.0, 1.0, 2.0, 3.0];
        let event = [false, true, false, true, false, false];
        let groups = Groups {
            names: vec!["low".into(), "high".into()],
            index: vec![0, 0, 0, 1, 1, 1],
        };
        let given = Grouping::Given(groups);
        let result = survival_calibration(&predicted, &time, &event, 4.0, &given).unwrap();
        assert_eq!(result.groups[0].observed, Some(1.0));
        assert_eq!(result.groups[1].observed, None);
        assert_eq!(result.groups[1].n_risk, 0);
        let err = survival_calibration(&predicted, &time, &event, 8.0, &given);
        assert!(matches!(err, Err(StatsError::BeyondFollowUp { .. })));
    }

    #[test]
    fn survival_prediction_outside_unit_interval_rejected() {
        let err = survival_calibration(
            &[0.5, 1.5],
            &[1.0, 2.0],
            &[true, false],
            1.0,
            &Grouping::deciles(),
        );
        assert!(matches!(err, Err(StatsError::InvalidParameter { .. })));
    }
}
