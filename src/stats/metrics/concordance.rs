//! Harrell's and Uno's concordance indices for right-censored data.

use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::data::{check_finite, check_times};

/// Harrell's C with the pair counts that R `survival::concordance` reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Concordance {
    /// `(concordant + tied_risk / 2) / (concordant + discordant + tied_risk)`.
    pub c_index: f64,
    pub concordant: u64,
    pub discordant: u64,
    /// Comparable pairs with equal risk scores.
    pub tied_risk: u64,
    /// Pairs of two events at the same time with different risk scores
    /// (not comparable; R's `tied.y`).
    pub tied_time: u64,
    /// Pairs of two events at the same time with equal risk scores.
    pub tied_both: u64,
}

/// Harrell's C for a risk score where a higher value means shorter survival.
///
/// A pair is comparable when the shorter time is an event. An event and a
/// censoring at the same time are comparable, with the censored subject
/// counted as the longer. Two events at the same time are not comparable.
/// Tied risk scores count one half. This matches R survival 3.5
/// `concordance(Surv(time, event) ~ risk, reverse = TRUE)`.
///
/// # Errors
///
/// The input checks of [`check_times`], [`StatsError::NonFinite`] for a risk
/// score that is not finite, and [`StatsError::NoComparablePairs`].
pub fn harrell(time: &[f64], event: &[bool], risk: &[f64]) -> Result<Concordance, StatsError> {
    check_times(time, event)?;
    if risk.len() != time.len() {
        return Err(StatsError::LengthMismatch {
            what: "risk".into(),
            expected: time.len(),
            got: risk.len(),
        });
    }
    check_finite("risk", risk)?;
    let mut out = Concordance {
        c_index: f64::NAN,
        concordant: 0,
        discordant: 0,
        tied_risk: 0,
        tied_time: 0,
        tied_both: 0,
    };
    for i in 0..time.len() {
        if !event[i] {
            continue;
        }
        for j in 0..time.len() {
            if i == j {
                continue;
            }
            let comparable = time[j] > time[i] || (time[j] == time[i] && !event[j]);
            if comparable {
                if risk[i] > risk[j] {
                    out.concordant += 1;
                } else if risk[i] < risk[j] {
                    out.discordant += 1;
                } else {
                    out.tied_risk += 1;
                }
            } else if time[j] == time[i] && event[j] && j > i {
                if risk[i] == risk[j] {
                    out.tied_both += 1;
                } else {
                    out.tied_time += 1;
                }
            }
        }
    }
    let comparable = out.concordant + out.discordant + out.tied_risk;
    if comparable == 0 {
        return Err(StatsError::NoComparablePairs);
    }
    out.c_index = (out.concordant as f64 + out.tied_risk as f64 / 2.0) / comparable as f64;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_reversed_scores() {
        let time = [1.0, 2.0, 3.0, 4.0];
        let event = [true, true, true, false];
        let c = harrell(&time, &event, &[4.0, 3.0, 2.0, 1.0]).unwrap();
        assert_eq!(c.c_index, 1.0);
        assert_eq!(c.concordant, 6);
        let c = harrell(&time, &event, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(c.c_index, 0.0);
    }

    #[test]
    fn event_ties_not_comparable() {
        let c = harrell(&[1.0, 1.0], &[true, true], &[1.0, 2.0]);
        assert_eq!(c, Err(StatsError::NoComparablePairs));
    }
}
