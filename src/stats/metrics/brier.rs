//! The inverse-probability-of-censoring weighted Brier score of predicted
//! survival probabilities at given times, and its integral over a time grid,
//! as scikit-survival 0.28 `brier_score` / `integrated_brier_score` and
//! riskRegression 2022.11.28 `Score` compute them.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::data::{check_finite, check_times};
use super::concordance::{CensoringSurvival, IpcwConvention};
use super::td_auc::{
    CensoringInfluence, ScoreInterval, check_evaluation_times, interval, standard_deviation,
};

/// Settings of the Brier score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrierSettings {
    /// Evaluation times, strictly increasing, in the unit of the survival times.
    pub times: Vec<f64>,
    pub convention: IpcwConvention,
}

/// The Brier score at each requested time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrierScore {
    pub times: Vec<f64>,
    pub brier: Vec<f64>,
    /// `Score`'s standard errors and intervals under [`IpcwConvention::R`];
    /// `None` under scikit-survival, which reports none.
    pub interval: Option<ScoreInterval>,
}

/// The integrated Brier score over a grid of times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegratedBrierScore {
    pub times: Vec<f64>,
    /// The Brier score at each grid time.
    pub brier: Vec<f64>,
    /// Trapezoidal integral of `brier` over `times`, divided by
    /// `last - first`.
    pub ibs: f64,
}

/// Estimate the Brier score of predicted survival probabilities at each time.
///
/// `survival` has one row per subject and one column per time, holding
/// `S_i(t_k)`. `BS(t) = (1/n) sum_i [1{T_i <= t, event} S_i(t)^2 / G_i +
/// 1{T_i > t} (1 - S_i(t))^2 / G(t)]`; subjects censored at or before t
/// contribute zero. `G_i` is the [`CensoringSurvival`] at `T_i`
/// (scikit-survival 0.28 `brier_score(y, y, survival, times)`) or just before
/// it (riskRegression 2022.11.28 `Score(..., metrics = "brier", cens.model =
/// "km")`, with its standard errors and intervals).
///
/// # Errors
///
/// The input checks of [`check_times`]; [`StatsError::LengthMismatch`] for a
/// matrix that is not `n × times`; [`StatsError::NonFinite`] or
/// [`StatsError::InvalidParameter`] for a probability outside [0, 1];
/// the time checks of the time-dependent AUC (empty, unsorted, or after the
/// last observed time); [`StatsError::CensoringSurvivalZero`] when G is zero
/// at a case's time, which scikit-survival silently scores as zero.
pub fn brier_score(
    time: &[f64],
    event: &[bool],
    survival: &DMatrix<f64>,
    settings: &BrierSettings,
) -> Result<BrierScore, StatsError> {
    check_times(time, event)?;
    check_survival(time.len(), survival, settings.times.len())?;
    check_evaluation_times(time, &settings.times)?;
    let censoring = CensoringSurvival::estimate(time, event)?;
    let influence = CensoringInfluence::new(time, event)?;

    let mut brier = Vec::with_capacity(settings.times.len());
    let mut std_err = Vec::with_capacity(settings.times.len());
    for (k, &t) in settings.times.iter().enumerate() {
        let predicted: Vec<f64> = survival.column(k).iter().copied().collect();
        let residuals = residuals(time, event, &predicted, &censoring, settings.convention, t)?;
        let score = residuals.iter().sum::<f64>() / time.len() as f64;
        if settings.convention == IpcwConvention::R {
            std_err.push(brier_std_err(time, event, &residuals, score, &influence, t));
        }
        brier.push(score);
    }
    let interval = (settings.convention == IpcwConvention::R).then(|| interval(&brier, std_err));
    Ok(BrierScore {
        times: settings.times.clone(),
        brier,
        interval,
    })
}

/// Estimate the integrated Brier score over a grid of at least two times.
///
/// The Brier score of [`brier_score`] at each grid time is integrated by the
/// trapezoid rule and divided by the length of the grid, as scikit-survival
/// 0.28 `integrated_brier_score(y, y, survival, times)` does. The same rule is
/// applied under [`IpcwConvention::R`] (riskRegression integrates its own way,
/// which is not reproduced).
///
/// # Errors
///
/// As [`brier_score`], and [`StatsError::InvalidParameter`] for a grid of
/// fewer than two times.
pub fn integrated_brier_score(
    time: &[f64],
    event: &[bool],
    survival: &DMatrix<f64>,
    settings: &BrierSettings,
) -> Result<IntegratedBrierScore, StatsError> {
    if settings.times.len() < 2 {
        return Err(StatsError::InvalidParameter {
            name: "times",
            value: format!("{:?}", settings.times),
            reason: "the integrated Brier score needs a grid of at least two times".into(),
        });
    }
    let score = brier_score(time, event, survival, settings)?;
    let times = &score.times;
    let area: f64 = (1..times.len())
        .map(|k| (times[k] - times[k - 1]) * (score.brier[k] + score.brier[k - 1]) / 2.0)
        .sum();
    let span = times[times.len() - 1] - times[0];
    Ok(IntegratedBrierScore {
        times: score.times.clone(),
        ibs: area / span,
        brier: score.brier,
    })
}

/// Check that the predictions are probabilities in an `n × times` matrix.
fn check_survival(n: usize, survival: &DMatrix<f64>, n_times: usize) -> Result<(), StatsError> {
    if survival.nrows() != n {
        return Err(StatsError::LengthMismatch {
            what: "predicted survival (rows)".into(),
            expected: n,
            got: survival.nrows(),
        });
    }
    if survival.ncols() != n_times {
        return Err(StatsError::LengthMismatch {
            what: "predicted survival (columns, one per time)".into(),
            expected: n_times,
            got: survival.ncols(),
        });
    }
    check_finite("predicted survival", survival.as_slice())?;
    match survival.iter().position(|p| !(0.0..=1.0).contains(p)) {
        Some(index) => Err(StatsError::InvalidParameter {
            name: "survival",
            value: survival[index].to_string(),
            reason: format!(
                "predicted survival at row {}, time index {} must lie in [0, 1]",
                index % n,
                index / n
            ),
        }),
        None => Ok(()),
    }
}

/// Each subject's weighted squared error at time t (zero for a subject
/// censored at or before t).
fn residuals(
    time: &[f64],
    event: &[bool],
    predicted: &[f64],
    censoring: &CensoringSurvival,
    convention: IpcwConvention,
    t: f64,
) -> Result<Vec<f64>, StatsError> {
    let control_weight = 1.0 / censoring.at(t);
    let mut out = vec![0.0; time.len()];
    for (i, residual) in out.iter_mut().enumerate() {
        let s = predicted[i];
        if time[i] > t {
            // G(t) > 0 here: G reaches zero only at the last observed time.
            *residual = (1.0 - s) * (1.0 - s) * control_weight;
        } else if event[i] {
            let g = censoring.at_case(time[i], convention);
            if g <= 0.0 {
                return Err(StatsError::CensoringSurvivalZero { time: time[i] });
            }
            *residual = s * s / g;
        }
    }
    Ok(out)
}

/// Standard error of BS(t) from its influence function, as riskRegression
/// `Score` computes it with a Kaplan–Meier censoring model:
/// `IF_k = r_k - BS + (1/n) [sum_{cases i} r_i F_k(T_i-) + F_k(t) sum_{controls j} r_j]`,
/// with `F_k` of [`CensoringInfluence`] and `se = sd(IF) / sqrt(n)`.
fn brier_std_err(
    time: &[f64],
    event: &[bool],
    residuals: &[f64],
    score: f64,
    influence: &CensoringInfluence,
    t: f64,
) -> f64 {
    let n = time.len() as f64;
    let case_terms: Vec<(f64, f64)> = (0..time.len())
        .filter(|&i| event[i] && time[i] <= t)
        .map(|i| (time[i], residuals[i]))
        .collect();
    let control_sum: f64 = (0..time.len())
        .filter(|&j| time[j] > t)
        .map(|j| residuals[j])
        .sum();
    let case_part = influence.case_sums(&case_terms);
    let control_part = influence.at_time(t);
    let values: Vec<f64> = (0..time.len())
        .map(|k| residuals[k] - score + (case_part[k] + control_part[k] * control_sum) / n)
        .collect();
    standard_deviation(&values) / n.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(times: &[f64], convention: IpcwConvention) -> BrierSettings {
        BrierSettings {
            times: times.to_vec(),
            convention,
        }
    }

    #[test]
    fn hand_worked_brier_with_censoring() {
        // Times 1, 2+, 3, 4 with S_i(2.5) = 0.2, 0.9, 0.5, 0.6.
        // G: the censoring at 2 leaves 2 of 3 at risk uncensored, so
        // G(2.5) = 2/3 and G(1) = 1.
        // Case 1 (event at 1): 0.2^2 / 1 = 0.04. Subject 2 is censored
        // before 2.5: 0. Controls 3 and 4: (0.25 + 0.16) / (2/3) = 0.615.
        // BS = (0.04 + 0.615) / 4 = 0.16375.
        let survival = DMatrix::from_column_slice(4, 1, &[0.2, 0.9, 0.5, 0.6]);
        let got = brier_score(
            &[1.0, 2.0, 3.0, 4.0],
            &[true, false, true, true],
            &survival,
            &settings(&[2.5], IpcwConvention::ScikitSurvival),
        )
        .unwrap();
        assert!((got.brier[0] - 0.16375).abs() < 1e-15);
        assert_eq!(got.interval, None);
    }

    #[test]
    fn integrated_brier_needs_two_times() {
        let survival = DMatrix::from_element(3, 1, 0.5);
        let err = integrated_brier_score(
            &[1.0, 2.0, 3.0],
            &[true, true, true],
            &survival,
            &settings(&[1.0], IpcwConvention::ScikitSurvival),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter { name: "times", .. }
        ));
    }

    #[test]
    fn integrated_brier_is_the_trapezoid() {
        // Without censoring and S = 1/2 everywhere every subject contributes
        // 1/4 at every time, so the integral average is 1/4.
        let survival = DMatrix::from_element(4, 3, 0.5);
        let got = integrated_brier_score(
            &[1.0, 2.0, 3.0, 4.0],
            &[true; 4],
            &survival,
            &settings(&[1.0, 2.0, 3.5], IpcwConvention::R),
        )
        .unwrap();
        assert_eq!(got.brier, vec![0.25; 3]);
        assert_eq!(got.ibs, 0.25);
    }

    #[test]
    fn probability_outside_unit_interval_rejected() {
        let survival = DMatrix::from_column_slice(2, 1, &[0.5, 1.5]);
        let err = brier_score(
            &[1.0, 2.0],
            &[true, true],
            &survival,
            &settings(&[1.0], IpcwConvention::R),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter {
                name: "survival",
                ..
            }
        ));
    }

    #[test]
    fn zero_censoring_survival_at_case_rejected() {
        // The event and the censoring at the last time 2 make G(2) = 0.
        let survival = DMatrix::from_element(3, 1, 0.5);
        let err = brier_score(
            &[1.0, 2.0, 2.0],
            &[true, true, false],
            &survival,
            &settings(&[2.0], IpcwConvention::ScikitSurvival),
        )
        .unwrap_err();
        assert_eq!(err, StatsError::CensoringSurvivalZero { time: 2.0 });
    }
}
