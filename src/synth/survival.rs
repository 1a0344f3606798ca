//! Overall survival of the synthetic patients.
//!
//! Each patient's hazard is `λ_g(t) · exp(η)`, a proportional-hazards model
//! with a piecewise-constant baseline hazard `λ_g` per treatment group. The
//! linear predictor `η` sums the prognostic weights of the baseline
//! variables and a normal frailty. Under TACE it also carries an interaction
//! term that shrinks the benefit of TACE as HSP90α, BCLC stage and tumour
//! size grow. The baseline of each group is calibrated on the drawn cohort
//! so that the group's marginal survival, the mean of `exp(−Λ_g(t) · e^η)`
//! over its patients, passes through the published 1-, 2- and 3-year rates
//! and median. The spread of `η` makes the marginal curves flatten after the
//! first year, as the published curves do.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::baseline::PatientDraw;
use super::profile::TreatmentGroup;
use crate::domain::Treatment;

/// Standard deviation of the normal frailty term of the linear predictor.
const FRAILTY_SD: f64 = 0.8;
/// Baseline hazard after the last calibration point, as a multiple of the
/// hazard of the last calibrated interval.
const TAIL_HAZARD_FACTOR: f64 = 0.75;

/// Log relative hazard that both treatment groups share, from the baseline
/// variables the published univariate screen kept (HSP90α, hypertension,
/// Child–Pugh class, ALBI, AFP, ALP, ALT, BCLC stage, tumour number and size,
/// PVTT, N and M).
fn prognostic_index(draw: &PatientDraw) -> f64 {
    let flag = |value: bool, weight: f64| if value { weight } else { 0.0 };
    let stage = [0.0, 0.25, 0.5][draw.bclc_index];
    0.25 * (draw.hsp90a_ng_ml / 130.0).ln()
        + stage
        + 0.15 * (draw.tumor_size_cm / 6.0).ln()
        + flag(draw.tumor_number >= 2, 0.15)
        + flag(draw.pvtt, 0.25)
        + flag(draw.lymph_nodes, 0.15)
        + flag(draw.metastasis, 0.35)
        + 0.08 * (draw.afp_ng_ml / 400.0).ln()
        + 0.15 * (draw.alp_u_l / 125.0).ln()
        + 0.10 * (draw.alt_u_l / 40.0).ln()
        + flag(draw.child_pugh_b, 0.25)
        + 0.4 * (draw.albi_score() + 2.3)
        + flag(draw.hypertension, 0.65)
}

/// Log hazard ratio that TACE adds to the shared index, up to the baseline
/// difference between groups. It rises with HSP90α, BCLC stage and tumour
/// size, so TACE helps most with low HSP90α, early stage and small tumours.
fn tace_interaction(draw: &PatientDraw) -> f64 {
    0.45 * (draw.hsp90a_ng_ml / 130.0).ln()
        + 0.5 * (draw.bclc_index as f64 - 1.0)
        + 0.45 * (draw.tumor_size_cm / 6.0).ln()
}

/// A piecewise-linear cumulative baseline hazard through `(0, 0)` and the
/// calibration points, extended linearly after the last one.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BaselineHazard {
    /// Months of the calibration points, increasing.
    times: Vec<f64>,
    /// Cumulative baseline hazard at `times`.
    cumulative: Vec<f64>,
    /// Hazard per month after the last point.
    tail_rate: f64,
}

impl BaselineHazard {
    /// Calibrates the cumulative baseline hazard so that, at every target
    /// `(months, survival)`, the mean of `exp(−Λ(months) · r)` over the
    /// relative risks `r` equals `survival`.
    ///
    /// Targets must be sorted by time with survival decreasing, and
    /// `relative_risks` must not be empty.
    pub fn calibrate(relative_risks: &[f64], targets: &[(f64, f64)]) -> Self {
        let times: Vec<f64> = targets.iter().map(|&(t, _)| t).collect();
        let cumulative: Vec<f64> = targets
            .iter()
            .map(|&(_, survival)| solve_cumulative_hazard(relative_risks, survival))
            .collect();
        let last = times.len() - 1;
        let (previous_time, previous_value) = match last {
            0 => (0.0, 0.0),
            _ => (times[last - 1], cumulative[last - 1]),
        };
        let last_rate = (cumulative[last] - previous_value) / (times[last] - previous_time);
        Self {
            times,
            cumulative,
            tail_rate: TAIL_HAZARD_FACTOR * last_rate,
        }
    }

    /// Months at which the cumulative baseline hazard reaches `hazard`.
    pub fn time_at(&self, hazard: f64) -> f64 {
        let (mut start_time, mut start_value) = (0.0, 0.0);
        for (&time, &value) in self.times.iter().zip(&self.cumulative) {
            if hazard <= value {
                let fraction = (hazard - start_value) / (value - start_value);
                return start_time + fraction * (time - start_time);
            }
            (start_time, start_value) = (time, value);
        }
        start_time + (hazard - start_value) / self.tail_rate
    }
}

/// Solves for the cumulative hazard `h` at which the mean of `exp(−h · r)`
/// over `relative_risks` equals `survival`, by bisection on `log h`.
fn solve_cumulative_hazard(relative_risks: &[f64], survival: f64) -> f64 {
    let mean_survival = |h: f64| {
        relative_risks.iter().map(|r| (-h * r).exp()).sum::<f64>() / relative_risks.len() as f64
    };
    let (mut low, mut high) = (1e-9f64.ln(), 1e3f64.ln());
    for _ in 0..100 {
        let middle = 0.5 * (low + high);
        if mean_survival(middle.exp()) > survival {
            low = middle;
        } else {
            high = middle;
        }
    }
    (0.5 * (low + high)).exp()
}

/// Latent survival in months for every patient of `groups`: the time at
/// which the patient's cumulative hazard reaches a unit exponential draw.
pub(super) fn draw_survival_months(
    rng: &mut ChaCha8Rng,
    draws: &[PatientDraw],
    groups: &[TreatmentGroup],
) -> Vec<f64> {
    let mut months = vec![0.0; draws.len()];
    for group in groups {
        if group.patients.is_empty() {
            continue;
        }
        let relative_risks: Vec<f64> = group
            .patients
            .clone()
            .map(|i| {
                let frailty: f64 = rng.sample(StandardNormal);
                let mut eta = prognostic_index(&draws[i]) + FRAILTY_SD * frailty;
                if group.treatment == Treatment::Tace {
                    eta += tace_interaction(&draws[i]);
                }
                eta.exp()
            })
            .collect();
        let hazard = BaselineHazard::calibrate(&relative_risks, &group.profile.survival);
        for (i, risk) in group.patients.clone().zip(&relative_risks) {
            let unit_exponential = -(1.0 - rng.random::<f64>()).ln();
            months[i] = hazard.time_at(unit_exponential / risk);
        }
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_hits_targets() {
        let risks = [0.2, 0.5, 1.0, 2.0, 5.0];
        let targets = [(12.0, 0.6), (24.0, 0.4), (36.0, 0.3)];
        let hazard = BaselineHazard::calibrate(&risks, &targets);
        for (t, survival) in targets {
            let h = hazard.cumulative[hazard.times.iter().position(|&x| x == t).unwrap()];
            let mean = risks.iter().map(|r| (-h * r).exp()).sum::<f64>() / risks.len() as f64;
            assert!((mean - survival).abs() < 1e-9, "S({t}) = {mean}");
        }
    }

    #[test]
    fn time_at_inverts_piecewise_hazard() {
        // Λ(12) = 0.6 and Λ(24) = 1.2: hazard 0.05 per month, tail 0.0375.
        let hazard = BaselineHazard {
            times: vec![12.0, 24.0],
            cumulative: vec![0.6, 1.2],
            tail_rate: 0.0375,
        };
        assert!((hazard.time_at(0.3) - 6.0).abs() < 1e-12);
        assert!((hazard.time_at(0.9) - 18.0).abs() < 1e-12);
        assert!((hazard.time_at(1.2375) - 25.0).abs() < 1e-12);
    }
}
