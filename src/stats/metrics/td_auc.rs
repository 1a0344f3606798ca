//! Time-dependent ROC AUC for right-censored data, cumulative cases against
//! dynamic controls with inverse-probability-of-censoring weights, as
//! scikit-survival 0.28 `cumulative_dynamic_auc` and riskRegression
//! 2022.11.28 `Score` compute it.
//!
//! This module also owns what the Brier score shares with it: the standard
//! errors and confidence intervals of `Score` ([`ScoreInterval`]) and the
//! influence of the Kaplan–Meier censoring estimate on an IPCW sum
//! ([`CensoringInfluence`]).

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::data::{check_finite, check_times};
use super::super::km::kaplan_meier;
use super::concordance::{CensoringSurvival, IpcwConvention};

/// The 0.975 quantile of the standard normal distribution, R's
/// `qnorm(0.975)`, for the 95% intervals of `Score`.
const Z_975: f64 = 1.959_963_984_540_054;

/// Risk scores to evaluate, higher meaning riskier.
#[derive(Debug, Clone, Copy)]
pub enum RiskScores<'a> {
    /// One score per subject, used at every time.
    Vector(&'a [f64]),
    /// One row per subject and one column per time; column `k` is scored at
    /// `times[k]` (for example the predicted risk `1 - S_i(t_k)`).
    PerTime(&'a DMatrix<f64>),
}

impl RiskScores<'_> {
    /// The scores used at time index `k`.
    fn column(&self, k: usize) -> Vec<f64> {
        match self {
            RiskScores::Vector(values) => values.to_vec(),
            RiskScores::PerTime(matrix) => matrix.column(k).iter().copied().collect(),
        }
    }
}

/// Settings of the time-dependent AUC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TdAucSettings {
    /// Evaluation times, strictly increasing, in the unit of the survival times.
    pub times: Vec<f64>,
    pub convention: IpcwConvention,
}

/// Standard errors and 95% confidence intervals of a metric at each time,
/// from its influence function with the Kaplan–Meier censoring term, as
/// riskRegression 2022.11.28 `Score(..., se.fit = TRUE, conf.int = 0.95)`
/// computes them: `se = sd(IF) / sqrt(n)`, bounds `estimate ± 1.96 se`
/// clipped to [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreInterval {
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// The cumulative/dynamic AUC at each requested time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeDependentAuc {
    pub times: Vec<f64>,
    pub auc: Vec<f64>,
    /// scikit-survival's summary `sum_k AUC(t_k) (S(t_{k-1}) - S(t_k)) /
    /// (1 - S(t_K))`, with S the Kaplan–Meier estimate of the same rows and
    /// `S(t_0) = 1`; equal to the single AUC for one time.
    pub mean_auc: f64,
    /// `Score`'s standard errors and intervals under [`IpcwConvention::R`];
    /// `None` under scikit-survival, which reports none.
    pub interval: Option<ScoreInterval>,
}

/// Estimate AUC(t) with cases `{T_i <= t, event}` and controls `{T_j > t}`.
///
/// `AUC(t) = sum_{i case} sum_{j control} w_i (1[r_i > r_j] + 1[r_i = r_j] / 2)
/// / (sum_i w_i * #controls)`, where `w_i = 1/G(T_i)` (scikit-survival) or
/// `1/G(T_i-)` (R) and G is the [`CensoringSurvival`] of the same rows; the
/// control weight `1/G(t)` is common to all controls and cancels. Scores tie
/// only when exactly equal (scikit-survival merges scores within 1e-8).
///
/// Under [`IpcwConvention::ScikitSurvival`] this matches scikit-survival 0.28
/// `cumulative_dynamic_auc(y, y, risk, times)` (1-D or 2-D estimate), which
/// weights every event of the data, so an event where G is zero is an error
/// even beyond the requested times. Under [`IpcwConvention::R`] it matches
/// riskRegression 2022.11.28 `Score(..., metrics = "auc", cens.model = "km")`,
/// including its standard errors and intervals.
///
/// # Errors
///
/// The input checks of [`check_times`]; [`StatsError::LengthMismatch`] or
/// [`StatsError::NonFinite`] for the scores; [`StatsError::InvalidParameter`]
/// for times that are empty, not finite or not strictly increasing;
/// [`StatsError::BeyondFollowUp`] for a time after the last observed time;
/// [`StatsError::NotEstimable`] at a time with no cases or no controls;
/// [`StatsError::CensoringSurvivalZero`] for a zero case weight denominator.
pub fn cumulative_dynamic_auc(
    time: &[f64],
    event: &[bool],
    risk: RiskScores<'_>,
    settings: &TdAucSettings,
) -> Result<TimeDependentAuc, StatsError> {
    check_times(time, event)?;
    check_scores(time.len(), &risk, settings.times.len())?;
    check_evaluation_times(time, &settings.times)?;
    let censoring = CensoringSurvival::estimate(time, event)?;
    let case_weights = case_weights(time, event, &censoring, settings.convention)?;
    let influence = CensoringInfluence::new(time, event)?;

    let mut auc = Vec::with_capacity(settings.times.len());
    let mut std_err = Vec::with_capacity(settings.times.len());
    for (k, &t) in settings.times.iter().enumerate() {
        let scores = risk.column(k);
        let at_time = auc_at(time, event, &scores, &case_weights, t)?;
        if settings.convention == IpcwConvention::R {
            std_err.push(auc_std_err(
                time,
                event,
                &scores,
                &case_weights,
                &influence,
                &at_time,
            ));
        }
        auc.push(at_time.auc);
    }
    let mean_auc = mean_auc(time, event, &settings.times, &auc)?;
    let interval = (settings.convention == IpcwConvention::R).then(|| interval(&auc, std_err));
    Ok(TimeDependentAuc {
        times: settings.times.clone(),
        auc,
        mean_auc,
        interval,
    })
}

/// Check that the scores have one row per subject and one column per time.
fn check_scores(n: usize, risk: &RiskScores<'_>, n_times: usize) -> Result<(), StatsError> {
    let (rows, columns, values): (usize, usize, &[f64]) = match risk {
        RiskScores::Vector(values) => (values.len(), n_times, values),
        RiskScores::PerTime(matrix) => (matrix.nrows(), matrix.ncols(), matrix.as_slice()),
    };
    if rows != n {
        return Err(StatsError::LengthMismatch {
            what: "risk scores (rows)".into(),
            expected: n,
            got: rows,
        });
    }
    if columns != n_times {
        return Err(StatsError::LengthMismatch {
            what: "risk scores (columns, one per time)".into(),
            expected: n_times,
            got: columns,
        });
    }
    check_finite("risk", values)
}

/// Check evaluation times: non-empty, finite, strictly increasing and not
/// after the last observed time.
///
/// # Errors
///
/// [`StatsError::InvalidParameter`] or [`StatsError::BeyondFollowUp`].
pub(crate) fn check_evaluation_times(time: &[f64], times: &[f64]) -> Result<(), StatsError> {
    let invalid = |reason: &str| StatsError::InvalidParameter {
        name: "times",
        value: format!("{times:?}"),
        reason: reason.into(),
    };
    if times.is_empty() {
        return Err(invalid("give at least one evaluation time"));
    }
    if times.iter().any(|t| !t.is_finite()) {
        return Err(invalid("every evaluation time must be a finite number"));
    }
    if times.windows(2).any(|w| w[0] >= w[1]) {
        return Err(invalid("evaluation times must be strictly increasing"));
    }
    let last = time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match times.iter().find(|&&t| t > last) {
        Some(&t) => Err(StatsError::BeyondFollowUp { time: t, last }),
        None => Ok(()),
    }
}

/// `1/G` for every event (zero for censored subjects), G taken at or just
/// before the event time as `convention` says.
///
/// # Errors
///
/// [`StatsError::CensoringSurvivalZero`] at the first event where G is zero.
pub(crate) fn case_weights(
    time: &[f64],
    event: &[bool],
    censoring: &CensoringSurvival,
    convention: IpcwConvention,
) -> Result<Vec<f64>, StatsError> {
    let mut weights = vec![0.0; time.len()];
    for (i, weight) in weights.iter_mut().enumerate() {
        if !event[i] {
            continue;
        }
        let g = censoring.at_case(time[i], convention);
        if g <= 0.0 {
            return Err(StatsError::CensoringSurvivalZero { time: time[i] });
        }
        *weight = 1.0 / g;
    }
    Ok(weights)
}

/// AUC(t) and the per-case pieces its standard error reuses.
struct AucAtTime {
    t: f64,
    auc: f64,
    /// Control risk scores, sorted increasingly.
    control_scores: Vec<f64>,
    /// `sum_i w_i * #controls`, the denominator of AUC(t) (up to `n^2`).
    denominator: f64,
}

/// Number of controls below and equal to `score`, from sorted control scores.
fn rank_against(sorted: &[f64], score: f64) -> (f64, f64) {
    let below = sorted.partition_point(|&s| s < score);
    let up_to = sorted.partition_point(|&s| s <= score);
    (below as f64, (up_to - below) as f64)
}

/// AUC at one time as a weighted Mann–Whitney statistic.
fn auc_at(
    time: &[f64],
    event: &[bool],
    scores: &[f64],
    case_weights: &[f64],
    t: f64,
) -> Result<AucAtTime, StatsError> {
    let what = || format!("the time-dependent AUC at time {t}");
    let mut control_scores: Vec<f64> = (0..time.len())
        .filter(|&j| time[j] > t)
        .map(|j| scores[j])
        .collect();
    if control_scores.is_empty() {
        return Err(StatsError::NotEstimable {
            what: what(),
            reason: "no subject is observed beyond that time, so there are no controls".into(),
        });
    }
    control_scores.sort_by(f64::total_cmp);
    let n_controls = control_scores.len() as f64;

    let (mut numerator, mut weight_sum) = (0.0, 0.0);
    for i in (0..time.len()).filter(|&i| event[i] && time[i] <= t) {
        let (below, equal) = rank_against(&control_scores, scores[i]);
        numerator += case_weights[i] * (below + equal / 2.0);
        weight_sum += case_weights[i];
    }
    if weight_sum == 0.0 {
        return Err(StatsError::NotEstimable {
            what: what(),
            reason: "no event occurred at or before that time, so there are no cases".into(),
        });
    }
    let denominator = weight_sum * n_controls;
    Ok(AucAtTime {
        t,
        auc: numerator / denominator,
        control_scores,
        denominator,
    })
}

/// Standard error of AUC(t) from its influence function, as riskRegression
/// `Score` computes it with a Kaplan–Meier censoring model.
///
/// AUC is a ratio of two V-statistics over (case, control) pairs; the
/// influence of subject k is its Hájek projection, plus the change of the
/// case weights `1/G(T_i-)` through G's own influence (the common control
/// weight `1/G(t)` cancels in the ratio), all divided by the denominator.
fn auc_std_err(
    time: &[f64],
    event: &[bool],
    scores: &[f64],
    case_weights: &[f64],
    influence: &CensoringInfluence,
    at: &AucAtTime,
) -> f64 {
    let n = time.len() as f64;
    let n_controls = at.control_scores.len() as f64;
    let is_case = |i: usize| event[i] && time[i] <= at.t;

    // Cases sorted by score, with cumulative weights, to score each control.
    let mut cases: Vec<(f64, f64)> = (0..time.len())
        .filter(|&i| is_case(i))
        .map(|i| (scores[i], case_weights[i]))
        .collect();
    cases.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cumulative = vec![0.0];
    for &(_, w) in &cases {
        cumulative.push(cumulative[cumulative.len() - 1] + w);
    }
    let total = cumulative[cases.len()];

    // Each case's centred pair sum `w_i sum_j (c_ij - AUC)`, and its pairs
    // for the censoring term.
    let mut projection = vec![0.0; time.len()];
    let mut case_terms = Vec::with_capacity(cases.len());
    for i in 0..time.len() {
        if is_case(i) {
            let (below, equal) = rank_against(&at.control_scores, scores[i]);
            let term = case_weights[i] * (below + equal / 2.0 - at.auc * n_controls);
            projection[i] += term / n;
            case_terms.push((time[i], term));
        }
        if time[i] > at.t {
            let below = cases.partition_point(|c| c.0 < scores[i]);
            let up_to = cases.partition_point(|c| c.0 <= scores[i]);
            let above = total - cumulative[up_to];
            let equal = cumulative[up_to] - cumulative[below];
            projection[i] += (above + equal / 2.0 - at.auc * total) / n;
        }
    }

    let censoring = influence.case_sums(&case_terms);
    let values: Vec<f64> = (0..time.len())
        .map(|k| (projection[k] + censoring[k] / (n * n)) / (at.denominator / (n * n)))
        .collect();
    standard_deviation(&values) / n.sqrt()
}

/// Sample standard deviation (denominator `n - 1`), R's `sd`.
pub(crate) fn standard_deviation(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (squares / (n - 1.0)).sqrt()
}

/// `Score`'s 95% intervals: `estimate ± 1.96 se`, clipped to [0, 1].
pub(crate) fn interval(estimates: &[f64], std_err: Vec<f64>) -> ScoreInterval {
    let lower = estimates
        .iter()
        .zip(&std_err)
        .map(|(x, se)| (x - Z_975 * se).max(0.0))
        .collect();
    let upper = estimates
        .iter()
        .zip(&std_err)
        .map(|(x, se)| (x + Z_975 * se).min(1.0))
        .collect();
    ScoreInterval {
        std_err,
        lower,
        upper,
    }
}

/// scikit-survival's `mean_auc`: AUC weighted by the drop of the
/// Kaplan–Meier estimate between consecutive times.
fn mean_auc(time: &[f64], event: &[bool], times: &[f64], auc: &[f64]) -> Result<f64, StatsError> {
    if auc.len() == 1 {
        return Ok(auc[0]);
    }
    let curve = kaplan_meier(time, event)?;
    let mut previous = 1.0;
    let mut integral = 0.0;
    for (&t, &a) in times.iter().zip(auc) {
        let s = curve.survival_at(t);
        integral += a * (previous - s);
        previous = s;
    }
    // Cases exist at the first time, so S has dropped below 1 by the last.
    Ok(integral / (1.0 - previous))
}

/// The influence of the Kaplan–Meier censoring estimate on IPCW sums, in the
/// form riskRegression 2022.11.28 uses for `Score` with `cens.model = "km"`.
///
/// For subject k, `F_k(s) = 1[T_k <= s, censored] n / Y(T_k) -
/// sum_{u <= min(s, T_k)} n c(u) / Y(u)^2` with `Y(u) = #{T >= u}` and `c(u)`
/// the censorings at u; the influence of subject k on `1/G(s)` is
/// `F_k(s) / G(s)`.
pub(crate) struct CensoringInfluence {
    /// Distinct observed times, increasing.
    times: Vec<f64>,
    /// `Y(u)` at each distinct time.
    at_risk: Vec<f64>,
    /// `sum_{v <= u} n c(v) / Y(v)^2` at each distinct time.
    compensator: Vec<f64>,
    /// Each subject's observed time.
    subject_time: Vec<f64>,
    /// Per subject, `F_k` at its own time: the jump minus the compensator.
    own: Vec<f64>,
}

impl CensoringInfluence {
    /// # Errors
    ///
    /// The input checks of [`check_times`].
    pub(crate) fn new(time: &[f64], event: &[bool]) -> Result<Self, StatsError> {
        let curve = kaplan_meier(time, event)?;
        let n = time.len() as f64;
        let at_risk: Vec<f64> = curve.n_risk.iter().map(|&y| y as f64).collect();
        let mut compensator = Vec::with_capacity(at_risk.len());
        let mut sum = 0.0;
        for (&y, &c) in at_risk.iter().zip(&curve.n_censor) {
            sum += n * c as f64 / (y * y);
            compensator.push(sum);
        }
        let mut out = Self {
            times: curve.time,
            at_risk,
            compensator,
            subject_time: time.to_vec(),
            own: Vec::new(),
        };
        out.own = (0..time.len())
            .map(|k| {
                let index = out.index_of(time[k]);
                let jump = if event[k] {
                    0.0
                } else {
                    n / out.at_risk[index]
                };
                jump - out.compensator[index]
            })
            .collect();
        Ok(out)
    }

    /// Index of an observed time among the distinct times.
    fn index_of(&self, t: f64) -> usize {
        self.times.partition_point(|&s| s < t)
    }

    /// The compensator summed over distinct times up to `s` (or strictly
    /// before it when `strict`).
    fn compensator_to(&self, s: f64, strict: bool) -> f64 {
        let count = if strict {
            self.times.partition_point(|&u| u < s)
        } else {
            self.times.partition_point(|&u| u <= s)
        };
        if count == 0 {
            0.0
        } else {
            self.compensator[count - 1]
        }
    }

    /// For every subject k, `sum_i a_i F_k(T_i-)` over the given
    /// `(T_i, a_i)` case terms.
    ///
    /// Cases after `T_k` see all of k's influence; cases at or before `T_k`
    /// see only the compensator strictly before their own time.
    pub(crate) fn case_sums(&self, cases: &[(f64, f64)]) -> Vec<f64> {
        let mut sorted = cases.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut weight_to = vec![0.0];
        let mut compensated_to = vec![0.0];
        for &(t, a) in &sorted {
            weight_to.push(weight_to[weight_to.len() - 1] + a);
            let c = a * self.compensator_to(t, true);
            compensated_to.push(compensated_to[compensated_to.len() - 1] + c);
        }
        let total = weight_to[sorted.len()];
        self.own
            .iter()
            .zip(self.subject_times())
            .map(|(&own, tk)| {
                let m = sorted.partition_point(|c| c.0 <= tk);
                own * (total - weight_to[m]) - compensated_to[m]
            })
            .collect()
    }

    /// For every subject k, `F_k(t)`: its influence up to and including t.
    pub(crate) fn at_time(&self, t: f64) -> Vec<f64> {
        let before = -self.compensator_to(t, false);
        self.own
            .iter()
            .zip(self.subject_times())
            .map(|(&own, tk)| if tk <= t { own } else { before })
            .collect()
    }

    fn subject_times(&self) -> impl Iterator<Item = f64> + '_ {
        self.subject_time.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(times: &[f64], convention: IpcwConvention) -> TdAucSettings {
        TdAucSettings {
            times: times.to_vec(),
            convention,
        }
    }

    #[test]
    fn hand_worked_auc_without_censoring() {
        // No censoring, so every weight is 1. At t = 2 the cases are the
        // events at 1 and 2 (risks 4, 2) and the controls times 3, 4 (risks
        // 3, 1): case 4 beats both, case 2 beats one, so AUC = 3/4.
        let time = [1.0, 2.0, 3.0, 4.0];
        let event = [true; 4];
        let risk = [4.0, 2.0, 3.0, 1.0];
        for convention in [IpcwConvention::ScikitSurvival, IpcwConvention::R] {
            let got = cumulative_dynamic_auc(
                &time,
                &event,
                RiskScores::Vector(&risk),
                &settings(&[2.0], convention),
            )
            .unwrap();
            assert_eq!(got.auc, vec![0.75]);
            assert_eq!(got.mean_auc, 0.75);
        }
    }

    #[test]
    fn tied_scores_count_half() {
        // Case risk 2 against controls 2 and 1: (1/2 + 1) / 2.
        let got = cumulative_dynamic_auc(
            &[1.0, 2.0, 3.0],
            &[true, true, true],
            RiskScores::Vector(&[2.0, 2.0, 1.0]),
            &settings(&[1.0], IpcwConvention::ScikitSurvival),
        )
        .unwrap();
        assert_eq!(got.auc, vec![0.75]);
    }

    #[test]
    fn time_after_last_follow_up_rejected() {
        let err = cumulative_dynamic_auc(
            &[1.0, 2.0, 3.0],
            &[true, false, true],
            RiskScores::Vector(&[1.0, 2.0, 3.0]),
            &settings(&[4.0], IpcwConvention::R),
        )
        .unwrap_err();
        assert_eq!(
            err,
            StatsError::BeyondFollowUp {
                time: 4.0,
                last: 3.0
            }
        );
    }

    #[test]
    fn last_time_has_no_controls() {
        let err = cumulative_dynamic_auc(
            &[1.0, 2.0, 3.0],
            &[true, false, true],
            RiskScores::Vector(&[1.0, 2.0, 3.0]),
            &settings(&[3.0], IpcwConvention::R),
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }), "{err}");
    }

    #[test]
    fn time_before_first_event_has_no_cases() {
        let err = cumulative_dynamic_auc(
            &[1.0, 2.0, 3.0],
            &[false, true, true],
            RiskScores::Vector(&[1.0, 2.0, 3.0]),
            &settings(&[1.5], IpcwConvention::R),
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }), "{err}");
    }

    #[test]
    fn unsorted_times_rejected() {
        let err = cumulative_dynamic_auc(
            &[1.0, 2.0, 3.0],
            &[true, true, true],
            RiskScores::Vector(&[1.0, 2.0, 3.0]),
            &settings(&[2.0, 1.0], IpcwConvention::R),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter { name: "times", .. }
        ));
    }

    #[test]
    fn matrix_needs_one_column_per_time() {
        let matrix = DMatrix::from_element(3, 1, 0.5);
        let err = cumulative_dynamic_auc(
            &[1.0, 2.0, 3.0],
            &[true, true, true],
            RiskScores::PerTime(&matrix),
            &settings(&[1.0, 2.0], IpcwConvention::R),
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::LengthMismatch { .. }));
    }

    #[test]
    fn censoring_influence_sums_match_definition() {
        // F_k(s) written out from its definition, for every subject and case.
        let time = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0];
        let event = [false, true, false, true, false, true];
        let influence = CensoringInfluence::new(&time, &event).unwrap();
        let n = time.len() as f64;
        let f = |k: usize, s: f64, strict: bool| {
            let mut value = 0.0;
            let inside = if strict { time[k] < s } else { time[k] <= s };
            if inside && !event[k] {
                let y = time.iter().filter(|&&u| u >= time[k]).count() as f64;
                value += n / y;
            }
            let mut distinct: Vec<f64> = time.to_vec();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            for &u in &distinct {
                let within = if strict { u < s } else { u <= s };
                if within && u <= time[k] {
                    let y = time.iter().filter(|&&v| v >= u).count() as f64;
                    let c = (0..time.len())
                        .filter(|&i| time[i] == u && !event[i])
                        .count();
                    value -= n * c as f64 / (y * y);
                }
            }
            value
        };
        let cases = [(2.0, 0.3), (3.0, -0.7), (4.0, 1.1)];
        let sums = influence.case_sums(&cases);
        let at_three = influence.at_time(3.0);
        for k in 0..time.len() {
            let direct: f64 = cases.iter().map(|&(t, a)| a * f(k, t, true)).sum();
            assert!((sums[k] - direct).abs() < 1e-12, "case sum of subject {k}");
            assert!(
                (at_three[k] - f(k, 3.0, false)).abs() < 1e-12,
                "F at 3 of {k}"
            );
        }
    }
}
