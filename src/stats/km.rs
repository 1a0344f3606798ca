//! Kaplan–Meier estimates of the survival function.

use serde::{Deserialize, Serialize};

use super::StatsError;
use super::data::check_times;

/// How a pointwise confidence interval for S(t) is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfType {
    /// `S·exp(±z·se)`, upper bound clipped at 1 (R `survfit` default).
    Log,
    /// `exp(−exp(log(−log S) ∓ z·se/log S))`.
    LogLog,
}

/// A Kaplan–Meier curve with one entry per distinct time, censoring times
/// included, as R `survfit` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    pub n: usize,
    pub events: usize,
    pub time: Vec<f64>,
    pub n_risk: Vec<usize>,
    pub n_event: Vec<usize>,
    pub n_censor: Vec<usize>,
    pub surv: Vec<f64>,
}

/// Estimate the survival function by the product-limit method.
///
/// # Errors
///
/// The input checks of [`crate::stats::data::check_times`].
pub fn kaplan_meier(time: &[f64], event: &[bool]) -> Result<KaplanMeier, StatsError> {
    check_times(time, event)?;
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));

    let mut curve = KaplanMeier {
        n: time.len(),
        events: event.iter().filter(|&&e| e).count(),
        time: Vec::new(),
        n_risk: Vec::new(),
        n_event: Vec::new(),
        n_censor: Vec::new(),
        surv: Vec::new(),
    };
    let mut at_risk = time.len();
    let mut surv = 1.0;
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let (mut deaths, mut censored) = (0, 0);
        while i < order.len() && time[order[i]] == t {
            if event[order[i]] {
                deaths += 1;
            } else {
                censored += 1;
            }
            i += 1;
        }
        surv *= 1.0 - deaths as f64 / at_risk as f64;
        curve.time.push(t);
        curve.n_risk.push(at_risk);
        curve.n_event.push(deaths);
        curve.n_censor.push(censored);
        curve.surv.push(surv);
        at_risk -= deaths + censored;
    }
    Ok(curve)
}

impl KaplanMeier {
    /// S(t) as a right-continuous step function: 1 before the first time.
    pub fn survival_at(&self, t: f64) -> f64 {
        match self.time.partition_point(|&s| s <= t) {
            0 => 1.0,
            k => self.surv[k - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_curve() {
        // Times 1, 2+, 3, 3, 4+: S = 4/5 at 1, then 4/5 · 1/3 at 3.
        let km = kaplan_meier(
            &[1.0, 2.0, 3.0, 3.0, 4.0],
            &[true, false, true, true, false],
        )
        .unwrap();
        assert_eq!(km.time, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(km.n_risk, vec![5, 4, 3, 1]);
        assert!((km.survival_at(2.5) - 0.8).abs() < 1e-15);
        assert!((km.survival_at(3.0) - 0.8 / 3.0).abs() < 1e-15);
        assert_eq!(km.survival_at(0.5), 1.0);
    }
}
