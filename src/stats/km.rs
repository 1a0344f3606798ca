//! Kaplan–Meier estimates of the survival function, with Greenwood standard
//! errors, pointwise confidence intervals, the Nelson–Aalen cumulative hazard
//! and the median with its confidence interval, overall or by group.
//!
//! Everything here follows R survival 3.5 `survfit(Surv(time, event) ~ group)`
//! and the median table of `print.survfit`. The group labels defined here
//! ([`Groups`]) are shared with the log-rank test in [`crate::stats::logrank`].

use serde::{Deserialize, Serialize};
use statrs::function::erf::erfc_inv;

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

/// Settings of a Kaplan–Meier estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KmSettings {
    pub conf_type: ConfType,
    /// Coverage of the pointwise intervals, strictly between 0 and 1.
    pub conf_level: f64,
}

impl Default for KmSettings {
    /// Log intervals at 95 %, as `survfit` gives by default.
    fn default() -> Self {
        Self {
            conf_type: ConfType::Log,
            conf_level: 0.95,
        }
    }
}

impl KmSettings {
    /// Check the settings.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] when `conf_level` is not strictly
    /// between 0 and 1.
    pub fn validate(&self) -> Result<(), StatsError> {
        if self.conf_level > 0.0 && self.conf_level < 1.0 {
            Ok(())
        } else {
            Err(StatsError::InvalidParameter {
                name: "conf_level",
                value: self.conf_level.to_string(),
                reason: "a confidence level must be strictly between 0 and 1".into(),
            })
        }
    }

    /// The standard normal quantile `z = qnorm(1 − (1 − level)/2)`.
    fn z(&self) -> f64 {
        normal_upper_quantile((1.0 - self.conf_level) / 2.0)
    }
}

/// The standard normal quantile with upper-tail probability `p`.
pub(crate) fn normal_upper_quantile(p: f64) -> f64 {
    std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// A Kaplan–Meier curve with one entry per distinct time, censoring times
/// included, as R `survfit` lists them.
///
/// Vectors of `Option` hold `None` where R reports `NA`: the standard error
/// where S(t) = 0 (the Greenwood sum is infinite), both bounds where S(t) = 0,
/// and, for log-log intervals, both bounds where S(t) = 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    pub n: usize,
    pub events: usize,
    pub time: Vec<f64>,
    pub n_risk: Vec<usize>,
    pub n_event: Vec<usize>,
    pub n_censor: Vec<usize>,
    pub surv: Vec<f64>,
    /// Greenwood standard error of −log S(t), `sqrt(Σ d/(n(n−d)))`; multiply
    /// by S(t) for the standard error of S(t).
    pub std_err: Vec<Option<f64>>,
    pub lower: Vec<Option<f64>>,
    pub upper: Vec<Option<f64>>,
    /// Nelson–Aalen cumulative hazard `Σ d/n`.
    pub cumhaz: Vec<f64>,
    /// Standard error of the Nelson–Aalen estimate, `sqrt(Σ d/n²)`.
    pub std_chaz: Vec<f64>,
    pub conf_type: ConfType,
    pub conf_level: f64,
    /// Median survival time; `None` when S(t) never falls to 0.5.
    pub median: Option<f64>,
    /// Median read off the lower confidence curve; `None` when not reached.
    pub median_lower: Option<f64>,
    /// Median read off the upper confidence curve; `None` when not reached.
    pub median_upper: Option<f64>,
}

/// Estimate the survival function by the product-limit method, with log
/// intervals at 95 %.
///
/// # Errors
///
/// The input checks of [`crate::stats::data::check_times`].
pub fn kaplan_meier(time: &[f64], event: &[bool]) -> Result<KaplanMeier, StatsError> {
    kaplan_meier_with(time, event, &KmSettings::default())
}

/// Estimate the survival function by the product-limit method.
///
/// At each distinct time t with n at risk and d events, `S(t) = Π (1 − d/n)`,
/// the Greenwood variance of −log S adds `d/(n(n−d))` and the Nelson–Aalen
/// hazard adds `d/n`. Subjects censored at t are at risk at t. Times are
/// compared exactly. This matches R survival 3.5 `survfit(Surv(time, event)
/// ~ 1, conf.type = ...)` and its printed median table.
///
/// # Errors
///
/// The input checks of [`crate::stats::data::check_times`] and
/// [`KmSettings::validate`].
pub fn kaplan_meier_with(
    time: &[f64],
    event: &[bool],
    settings: &KmSettings,
) -> Result<KaplanMeier, StatsError> {
    check_times(time, event)?;
    settings.validate()?;
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
        std_err: Vec::new(),
        lower: Vec::new(),
        upper: Vec::new(),
        cumhaz: Vec::new(),
        std_chaz: Vec::new(),
        conf_type: settings.conf_type,
        conf_level: settings.conf_level,
        median: None,
        median_lower: None,
        median_upper: None,
    };
    let (mut surv, mut greenwood, mut cumhaz, mut var_chaz) = (1.0, 0.0, 0.0, 0.0);
    let mut at_risk = time.len();
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
        let (n, d) = (at_risk as f64, deaths as f64);
        surv *= 1.0 - d / n;
        // All at risk die: the Greenwood sum is infinite, as R reports it.
        greenwood += if deaths == at_risk {
            f64::INFINITY
        } else {
            d / (n * (n - d))
        };
        cumhaz += d / n;
        var_chaz += d / (n * n);

        curve.time.push(t);
        curve.n_risk.push(at_risk);
        curve.n_event.push(deaths);
        curve.n_censor.push(censored);
        curve.surv.push(surv);
        curve
            .std_err
            .push(Some(greenwood.sqrt()).filter(|se| se.is_finite()));
        curve.cumhaz.push(cumhaz);
        curve.std_chaz.push(var_chaz.sqrt());
        at_risk -= deaths + censored;
    }
    add_intervals(&mut curve, settings);
    add_medians(&mut curve);
    Ok(curve)
}

/// Fill `lower` and `upper` from `surv` and `std_err`.
fn add_intervals(curve: &mut KaplanMeier, settings: &KmSettings) {
    let z = settings.z();
    for (&s, se) in curve.surv.iter().zip(&curve.std_err) {
        let (lower, upper) = match (settings.conf_type, se) {
            (_, None) => (None, None),
            (_, Some(_)) if s == 0.0 => (None, None),
            (ConfType::Log, Some(se)) => {
                let log_s = s.ln();
                let upper = (log_s + z * se).exp().min(1.0);
                (Some((log_s - z * se).exp()), Some(upper))
            }
            (ConfType::LogLog, Some(_)) if s == 1.0 => (None, None),
            (ConfType::LogLog, Some(se)) => {
                let log_s = s.ln();
                let eta = (-log_s).ln();
                let bound = |shift: f64| (-(eta + shift).exp()).exp();
                (Some(bound(-z * se / log_s)), Some(bound(z * se / log_s)))
            }
        };
        curve.lower.push(lower);
        curve.upper.push(upper);
    }
}

/// Read the median and its interval off the curve and its bounds.
fn add_medians(curve: &mut KaplanMeier) {
    let as_options: Vec<Option<f64>> = curve.surv.iter().copied().map(Some).collect();
    curve.median = first_below_half(&curve.time, &as_options);
    curve.median_lower = first_below_half(&curve.time, &curve.lower);
    curve.median_upper = first_below_half(&curve.time, &curve.upper);
}

/// The first time where a non-increasing curve is at or below 0.5.
///
/// As `print.survfit` in R survival 3.5 reads it: missing values are skipped,
/// and 0.5 is matched within `sqrt(f64::EPSILON)`. When the curve equals 0.5
/// on a flat stretch, the result is the midpoint between the start of that
/// stretch and the first time the curve drops below it. `None` means that
/// the curve never reaches 0.5.
pub fn first_below_half(time: &[f64], curve: &[Option<f64>]) -> Option<f64> {
    let tolerance = f64::EPSILON.sqrt();
    let kept: Vec<(f64, f64)> = time
        .iter()
        .zip(curve)
        .filter_map(|(&t, &y)| y.filter(|&y| y < 0.5 + tolerance).map(|y| (t, y)))
        .collect();
    let &(first_time, first_value) = kept.first()?;
    if (first_value - 0.5).abs() < tolerance
        && let Some(&(next, _)) = kept.iter().find(|&&(_, y)| y < first_value)
    {
        return Some((first_time + next) / 2.0);
    }
    Some(first_time)
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

/// Group membership of each subject, with the group names in output order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    /// Group names; a group's position here is its index.
    pub names: Vec<String>,
    /// Group index of each subject.
    pub index: Vec<usize>,
}

impl Groups {
    /// Group subjects by a text label.
    ///
    /// Levels listed in `order` come first, in that order, followed by any
    /// other label present: sorted numerically when every label is a number
    /// (as R `factor()` orders a numeric column), else as text. Listed levels
    /// that no subject has are left out.
    ///
    /// # Errors
    ///
    /// [`StatsError::Empty`] when there are no labels.
    pub fn from_labels(labels: &[String], order: &[String]) -> Result<Self, StatsError> {
        if labels.is_empty() {
            return Err(StatsError::Empty);
        }
        let mut present: Vec<&String> = labels.iter().collect();
        present.sort();
        present.dedup();
        let numbers: Option<Vec<f64>> = present.iter().map(|s| s.parse::<f64>().ok()).collect();
        if let Some(numbers) = numbers {
            let mut paired: Vec<(f64, &String)> = numbers.into_iter().zip(present).collect();
            paired.sort_by(|a, b| a.0.total_cmp(&b.0));
            present = paired.into_iter().map(|(_, s)| s).collect();
        }
        let mut names: Vec<String> = order
            .iter()
            .filter(|level| present.contains(level))
            .cloned()
            .collect();
        for level in present {
            if !names.contains(level) {
                names.push(level.clone());
            }
        }
        let index = labels
            .iter()
            .map(|label| names.iter().position(|n| n == label).unwrap_or(0))
            .collect();
        Ok(Self { names, index })
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Subjects of each group, in subject order.
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.names.len()];
        for (row, &g) in self.index.iter().enumerate() {
            members[g].push(row);
        }
        members
    }

    fn check_len(&self, expected: usize) -> Result<(), StatsError> {
        if self.index.len() == expected {
            Ok(())
        } else {
            Err(StatsError::LengthMismatch {
                what: "group".into(),
                expected,
                got: self.index.len(),
            })
        }
    }

    pub(crate) fn check_for(&self, time: &[f64]) -> Result<(), StatsError> {
        self.check_len(time.len())?;
        match self.index.iter().position(|&g| g >= self.names.len()) {
            Some(row) => Err(StatsError::InvalidParameter {
                name: "group index",
                value: self.index[row].to_string(),
                reason: format!(
                    "row {row} names group {} but only {} groups exist",
                    self.index[row],
                    self.names.len()
                ),
            }),
            None => Ok(()),
        }
    }
}

/// The Kaplan–Meier curve of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCurve {
    pub name: String,
    pub curve: KaplanMeier,
}

/// One Kaplan–Meier curve per group with at least one subject, in the order
/// of [`Groups::names`], as `survfit(Surv(time, event) ~ group)` gives them.
///
/// # Errors
///
/// The checks of [`kaplan_meier_with`] on all subjects, plus
/// [`StatsError::LengthMismatch`] when `groups` does not cover every subject.
pub fn kaplan_meier_by_group(
    time: &[f64],
    event: &[bool],
    groups: &Groups,
    settings: &KmSettings,
) -> Result<Vec<GroupCurve>, StatsError> {
    check_times(time, event)?;
    groups.check_for(time)?;
    groups
        .members()
        .iter()
        .zip(&groups.names)
        .filter(|(rows, _)| !rows.is_empty())
        .map(|(rows, name)| {
            let t: Vec<f64> = rows.iter().map(|&r| time[r]).collect();
            let e: Vec<bool> = rows.iter().map(|&r| event[r]).collect();
            Ok(GroupCurve {
                name: name.clone(),
                curve: kaplan_meier_with(&t, &e, settings)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-14
    }

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

    #[test]
    fn hand_worked_greenwood_and_hazard() {
        // Same data. Greenwood: 1/(5·4) at time 1, plus 2/(3·1) at time 3.
        // Nelson–Aalen: 1/5, then 1/5 + 2/3; its variance 1/25, then + 2/9.
        let km = kaplan_meier(
            &[1.0, 2.0, 3.0, 3.0, 4.0],
            &[true, false, true, true, false],
        )
        .unwrap();
        let se = km.std_err[2].unwrap();
        assert!(close(se, (1.0 / 20.0 + 2.0 / 3.0_f64).sqrt()));
        assert!(close(km.cumhaz[2], 0.2 + 2.0 / 3.0));
        assert!(close(km.std_chaz[2], (1.0 / 25.0 + 2.0 / 9.0_f64).sqrt()));
        // Log interval: S·exp(±1.96·se) with the upper bound clipped at 1.
        let z = normal_upper_quantile(0.025);
        assert!((z - 1.959963984540054).abs() < 1e-14);
        let s = 0.8 / 3.0;
        assert!(close(km.lower[2].unwrap(), s * (-z * se).exp()));
        assert!(close(km.upper[2].unwrap(), (s * (z * se).exp()).min(1.0)));
        // S = 0.8/3 < 0.5 first at time 3.
        assert_eq!(km.median, Some(3.0));
    }

    #[test]
    fn flat_half_gives_midpoint_median() {
        // Times 1..4 all events: S = 3/4, 1/2, 1/4, 0. S is exactly 0.5
        // from 2 until 3, so the median is (2 + 3)/2.
        let km = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[true; 4]).unwrap();
        assert_eq!(km.median, Some(2.5));
        // Everyone is dead at 4: no standard error and no bounds there.
        assert_eq!(km.surv[3], 0.0);
        assert_eq!(km.std_err[3], None);
        assert_eq!(km.lower[3], None);
        assert_eq!(km.upper[3], None);
    }

    #[test]
    fn all_censored_curve_stays_at_one() {
        let settings = KmSettings {
            conf_type: ConfType::LogLog,
            conf_level: 0.95,
        };
        let km = kaplan_meier_with(&[2.0, 1.0, 3.0], &[false; 3], &settings).unwrap();
        assert_eq!(km.surv, vec![1.0, 1.0, 1.0]);
        assert_eq!(km.std_err, vec![Some(0.0); 3]);
        assert_eq!(km.lower, vec![None; 3]);
        assert_eq!(km.median, None);
        assert_eq!(km.median_upper, None);
    }

    #[test]
    fn all_events_at_one_time_drop_to_zero() {
        // Three deaths at time 2: S falls from 1 to 0 in one step, so the
        // Greenwood sum and both bounds are undefined, as in R.
        let km = kaplan_meier(&[2.0; 3], &[true; 3]).unwrap();
        assert_eq!(km.time, vec![2.0]);
        assert_eq!(km.n_risk, vec![3]);
        assert_eq!(km.n_event, vec![3]);
        assert_eq!(km.surv, vec![0.0]);
        assert_eq!(km.std_err, vec![None]);
        assert_eq!(km.lower, vec![None]);
        assert_eq!(km.upper, vec![None]);
        assert!(close(km.cumhaz[0], 1.0));
        assert_eq!(km.median, Some(2.0));
        assert_eq!(km.median_lower, None);
        assert_eq!(km.median_upper, None);
    }

    #[test]
    fn all_censored_log_bounds_are_one() {
        let km = kaplan_meier(&[2.0, 1.0, 3.0], &[false; 3]).unwrap();
        assert_eq!(km.lower, vec![Some(1.0); 3]);
        assert_eq!(km.upper, vec![Some(1.0); 3]);
        assert_eq!(km.cumhaz, vec![0.0; 3]);
        assert_eq!(km.events, 0);
    }

    #[test]
    fn single_row_curve() {
        let km = kaplan_meier(&[4.0], &[true]).unwrap();
        assert_eq!(km.surv, vec![0.0]);
        assert_eq!(km.std_err, vec![None]);
        assert_eq!(km.median, Some(4.0));
        let censored = kaplan_meier(&[4.0], &[false]).unwrap();
        assert_eq!(censored.surv, vec![1.0]);
        assert_eq!(censored.median, None);
    }

    #[test]
    fn empty_input_rejected() {
        assert_eq!(kaplan_meier(&[], &[]).unwrap_err(), StatsError::Empty);
    }

    #[test]
    fn event_at_time_zero_counts() {
        let km = kaplan_meier(&[0.0, 5.0], &[true, false]).unwrap();
        assert_eq!(km.time, vec![0.0, 5.0]);
        assert!(close(km.surv[0], 0.5));
        assert_eq!(km.survival_at(0.0), 0.5);
    }

    #[test]
    fn negative_time_rejected() {
        let err = kaplan_meier(&[1.0, -1.0], &[true, true]).unwrap_err();
        assert_eq!(
            err,
            StatsError::NegativeTime {
                row: 1,
                value: -1.0
            }
        );
    }

    #[test]
    fn invalid_level_rejected() {
        let settings = KmSettings {
            conf_type: ConfType::Log,
            conf_level: 1.0,
        };
        let err = kaplan_meier_with(&[1.0], &[true], &settings).unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter {
                name: "conf_level",
                ..
            }
        ));
    }

    #[test]
    fn groups_sort_numbers_numerically() {
        let labels: Vec<String> = ["10", "9", "2", "9"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let groups = Groups::from_labels(&labels, &[]).unwrap();
        assert_eq!(groups.names, vec!["2", "9", "10"]);
        assert_eq!(groups.index, vec![2, 1, 0, 1]);
        let groups = Groups::from_labels(&labels, &["10".to_string()]).unwrap();
        assert_eq!(groups.names, vec!["10", "2", "9"]);
    }

    #[test]
    fn group_without_events_stays_at_one() {
        let labels: Vec<String> = ["a", "b", "a", "b"].iter().map(|s| s.to_string()).collect();
        let groups = Groups::from_labels(&labels, &[]).unwrap();
        let curves = kaplan_meier_by_group(
            &[1.0, 2.0, 3.0, 4.0],
            &[true, false, true, false],
            &groups,
            &KmSettings::default(),
        )
        .unwrap();
        assert_eq!(curves[1].name, "b");
        assert_eq!(curves[1].curve.events, 0);
        assert_eq!(curves[1].curve.surv, vec![1.0, 1.0]);
        assert_eq!(curves[1].curve.median, None);
    }

    #[test]
    fn one_group_gives_one_curve() {
        let labels = vec!["a".to_string(); 3];
        let groups = Groups::from_labels(&labels, &[]).unwrap();
        let time = [1.0, 2.0, 3.0];
        let event = [true, false, true];
        let curves = kaplan_meier_by_group(&time, &event, &groups, &KmSettings::default()).unwrap();
        assert_eq!(curves.len(), 1);
        assert_eq!(curves[0].curve, kaplan_meier(&time, &event).unwrap());
    }

    #[test]
    fn group_length_must_match() {
        let groups = Groups::from_labels(&["a".to_string(), "b".to_string()], &[]).unwrap();
        let err = kaplan_meier_by_group(&[1.0], &[true], &groups, &KmSettings::default());
        assert!(matches!(err, Err(StatsError::LengthMismatch { .. })));
    }

    #[test]
    fn curves_by_group_split_subjects() {
        let labels: Vec<String> = ["a", "b", "a", "b"].iter().map(|s| s.to_string()).collect();
        let groups = Groups::from_labels(&labels, &[]).unwrap();
        let curves = kaplan_meier_by_group(
            &[1.0, 2.0, 3.0, 4.0],
            &[true, true, false, true],
            &groups,
            &KmSettings::default(),
        )
        .unwrap();
        assert_eq!(curves.len(), 2);
        assert_eq!(curves[0].name, "a");
        assert_eq!(curves[0].curve.time, vec![1.0, 3.0]);
        assert_eq!(curves[1].curve.time, vec![2.0, 4.0]);
        assert_eq!(curves[1].curve.surv, vec![0.5, 0.0]);
    }
}
