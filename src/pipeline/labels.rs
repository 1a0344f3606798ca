//! TACE-benefit labels from Cox residuals.
//!
//! A Cox model fitted on patients without TACE predicts, for each TACE
//! patient, the survival curve they would have had without TACE. Its
//! restricted mean survival time up to τ (36 months) is the expected overall
//! survival under no TACE; the source study says "model-based expected OS"
//! without a definition, and the RMST is finite for every patient where a
//! predicted median is not. The residual is `min(observed OS, τ) − expected`,
//! and its sign gives the label, with censored patients handled as
//! [`label`] describes.

use serde::{Deserialize, Serialize};

/// Restriction time of the expected overall survival, months.
pub const RMST_TAU_MONTHS: f64 = 36.0;

/// Benefit label of one TACE patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitLabel {
    /// Observed survival exceeds the expected survival without TACE.
    Benefit,
    /// Died at or before the expected survival without TACE.
    NonBenefit,
    /// Censored before reaching the expected survival: the sign of the
    /// residual is not yet known.
    Undetermined,
}

impl BenefitLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            BenefitLabel::Benefit => "benefit",
            BenefitLabel::NonBenefit => "non-benefit",
            BenefitLabel::Undetermined => "undetermined",
        }
    }
}

/// Restricted mean of a right-continuous survival step function up to `tau`:
/// the area under S(t) on [0, tau].
///
/// `times` are the increasing jump times and `surv[k]` is S from `times[k]`
/// until the next jump; S is 1 before the first jump and keeps its last value
/// after the last one, so the caller must make sure that the curve is
/// supported up to `tau` (see [`crate::pipeline`]'s follow-up check).
pub fn restricted_mean(times: &[f64], surv: &[f64], tau: f64) -> f64 {
    let mut area = 0.0;
    let mut previous_time = 0.0;
    let mut previous_surv = 1.0;
    for (&t, &s) in times.iter().zip(surv) {
        if t >= tau {
            break;
        }
        if t > previous_time {
            area += previous_surv * (t - previous_time);
            previous_time = t;
        }
        previous_surv = s;
    }
    area + previous_surv * (tau - previous_time)
}

/// The residual `min(observed, tau) − expected`, months.
pub fn residual(observed_months: f64, expected_months: f64, tau: f64) -> f64 {
    observed_months.min(tau) - expected_months
}

/// Label a TACE patient from observed OS, its event status and the expected
/// OS under no TACE (an RMST up to `tau`).
///
/// - A death is a benefit when the residual is positive, otherwise a
///   non-benefit.
/// - A censored patient whose follow-up already exceeds the expected OS is a
///   benefit: whatever happens later, the residual stays positive. This
///   includes everyone censored at or after `tau`, since the expected OS is
///   at most `tau`.
/// - A censored patient whose follow-up is at most the expected OS is
///   undetermined and is left out of training and validation.
pub fn label(observed_months: f64, event: bool, expected_months: f64, tau: f64) -> BenefitLabel {
    let positive = residual(observed_months, expected_months, tau) > 0.0;
    match (event, positive) {
        (_, true) => BenefitLabel::Benefit,
        (true, false) => BenefitLabel::NonBenefit,
        (false, false) => BenefitLabel::Undetermined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rmst_of_hand_worked_step_function() {
        // S = 1 on [0, 10), 0.8 on [10, 20), 0.5 on [20, 40), 0.2 after.
        // Area to 36: 10·1 + 10·0.8 + 16·0.5 = 26.
        let times = [10.0, 20.0, 40.0];
        let surv = [0.8, 0.5, 0.2];
        assert!((restricted_mean(&times, &surv, 36.0) - 26.0).abs() < 1e-12);
        // Area to 50: 10 + 8 + 20·0.5 + 10·0.2 = 30.
        assert!((restricted_mean(&times, &surv, 50.0) - 30.0).abs() < 1e-12);
        // Area to 5 is 5 (S = 1 before the first jump).
        assert!((restricted_mean(&times, &surv, 5.0) - 5.0).abs() < 1e-12);
        // A jump exactly at tau does not count.
        assert!((restricted_mean(&times, &surv, 20.0) - 18.0).abs() < 1e-12);
    }

    #[test]
    fn rmst_with_jump_at_zero() {
        // S drops to 0.9 at time 0: area to 10 is 9.
        assert!((restricted_mean(&[0.0], &[0.9], 10.0) - 9.0).abs() < 1e-12);
    }

    #[test]
    fn labels_for_each_censoring_case() {
        let tau = RMST_TAU_MONTHS;
        // Death after the expected survival: benefit.
        assert_eq!(label(20.0, true, 15.0, tau), BenefitLabel::Benefit);
        // Death before or exactly at it: non-benefit (zero residual is not positive).
        assert_eq!(label(10.0, true, 15.0, tau), BenefitLabel::NonBenefit);
        assert_eq!(label(15.0, true, 15.0, tau), BenefitLabel::NonBenefit);
        // Death after tau with expected survival 35.9: min(40, 36) - 35.9 > 0.
        assert_eq!(label(40.0, true, 35.9, tau), BenefitLabel::Benefit);
        // Censored beyond the expected survival: benefit.
        assert_eq!(label(18.0, false, 15.0, tau), BenefitLabel::Benefit);
        // Censored before it, or exactly at it: undetermined.
        assert_eq!(label(12.0, false, 15.0, tau), BenefitLabel::Undetermined);
        assert_eq!(label(15.0, false, 15.0, tau), BenefitLabel::Undetermined);
        // Censored after tau: benefit whenever expected < tau.
        assert_eq!(label(50.0, false, 30.0, tau), BenefitLabel::Benefit);
    }
}
