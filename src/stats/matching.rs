//! Propensity score matching given the scores: greedy 1:1 nearest-neighbour
//! matching without replacement within a caliper, and the covariate balance
//! tables before and after matching, as R MatchIt 4.5 computes them
//! (`method = "nearest"`, `m.order = "largest"`, `std.caliper = TRUE`,
//! estimand ATT).
//!
//! Fitting the propensity model is left to the logistic regression module;
//! this module takes the fitted probabilities.

use std::collections::BTreeSet;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use super::StatsError;
use super::data::check_finite;

/// Settings of nearest-neighbour matching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchingSettings {
    /// Caliper in standard deviations of the propensity score (MatchIt's
    /// `caliper` with `std.caliper = TRUE`); 0.2 by default.
    pub caliper_sd: f64,
}

impl Default for MatchingSettings {
    fn default() -> Self {
        Self { caliper_sd: 0.2 }
    }
}

/// One treated subject and its matched control, as indices into the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedPair {
    pub treated: usize,
    pub control: usize,
}

/// The result of greedy nearest-neighbour matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matching {
    /// Caliper on the probability scale: `caliper_sd * sd(ps)`, sd with
    /// denominator `n - 1` over all subjects.
    pub caliper_width: f64,
    /// Pairs in the order they were formed (treated by decreasing score).
    pub pairs: Vec<MatchedPair>,
    /// Treated subjects without a control within the caliper, in the order
    /// they were considered.
    pub unmatched_treated: Vec<usize>,
}

impl Matching {
    /// Whether each of `n` subjects belongs to a matched pair.
    pub fn matched_mask(&self, n: usize) -> Vec<bool> {
        let mut mask = vec![false; n];
        for pair in &self.pairs {
            mask[pair.treated] = true;
            mask[pair.control] = true;
        }
        mask
    }
}

/// Match each treated subject to the nearest unused control on the
/// propensity score, within a caliper.
///
/// Treated subjects are taken in decreasing score (ties in data order). Each
/// takes the unused control with the smallest `|ps_t - ps_c|`, the first in
/// data order among equally near ones, and stays unmatched when that distance
/// exceeds the caliper `caliper_sd * sd(ps)`. This is MatchIt 4.5's documented
/// rule for `matchit(..., method = "nearest", distance = "glm", ratio = 1,
/// caliper = 0.2, std.caliper = TRUE)`; MatchIt 4.5.1 itself can leave pairs
/// wider than the caliper, which this function never does. Each step finds
/// the neighbours in an ordered set, so matching takes O(n log n).
///
/// # Errors
///
/// [`StatsError::LengthMismatch`]; [`StatsError::NonFinite`] or
/// [`StatsError::InvalidParameter`] for a score outside [0, 1];
/// [`StatsError::InvalidParameter`] for a caliper that is not positive;
/// [`StatsError::SingleGroup`] without treated or without control subjects;
/// [`StatsError::NotEstimable`] when no treated subject has a control within
/// the caliper.
pub fn nearest_neighbor_match(
    ps: &[f64],
    treated: &[bool],
    settings: &MatchingSettings,
) -> Result<Matching, StatsError> {
    check_scores(ps, treated)?;
    let caliper_sd = settings.caliper_sd;
    if !(caliper_sd.is_finite() && caliper_sd > 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "caliper",
            value: caliper_sd.to_string(),
            reason: "the caliper must be a positive number of standard deviations".into(),
        });
    }
    let caliper_width = caliper_sd * sample_sd(ps);

    // Controls keyed by (score, data index); scores are non-negative, so
    // their bit patterns sort as the numbers do.
    let mut controls: BTreeSet<(u64, usize)> = (0..ps.len())
        .filter(|&i| !treated[i])
        .map(|i| (key(ps[i]), i))
        .collect();
    let mut order: Vec<usize> = (0..ps.len()).filter(|&i| treated[i]).collect();
    order.sort_by(|&a, &b| ps[b].total_cmp(&ps[a]));

    let mut matching = Matching {
        caliper_width,
        pairs: Vec::new(),
        unmatched_treated: Vec::new(),
    };
    for t in order {
        match nearest_control(&controls, ps, ps[t]) {
            Some((distance, c)) if distance <= caliper_width => {
                controls.remove(&(key(ps[c]), c));
                matching.pairs.push(MatchedPair {
                    treated: t,
                    control: c,
                });
            }
            _ => matching.unmatched_treated.push(t),
        }
    }
    if matching.pairs.is_empty() {
        return Err(StatsError::NotEstimable {
            what: "propensity score matching".into(),
            reason: format!(
                "no treated subject has a control within the caliper of {caliper_width}; \
                 widen the caliper or check the overlap of the scores"
            ),
        });
    }
    Ok(matching)
}

/// Check scores and treatment indicators, and that both groups are present.
fn check_scores(ps: &[f64], treated: &[bool]) -> Result<(), StatsError> {
    if ps.len() != treated.len() {
        return Err(StatsError::LengthMismatch {
            what: "treatment indicators".into(),
            expected: ps.len(),
            got: treated.len(),
        });
    }
    check_finite("propensity score", ps)?;
    if let Some(row) = ps.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(StatsError::InvalidParameter {
            name: "propensity score",
            value: ps[row].to_string(),
            reason: format!("the score at row {row} must be a probability in [0, 1]"),
        });
    }
    // SingleGroup names the one group that is present.
    if treated.iter().all(|&t| t) {
        return Err(StatsError::SingleGroup {
            group: "treated".into(),
        });
    }
    if !treated.iter().any(|&t| t) {
        return Err(StatsError::SingleGroup {
            group: "control".into(),
        });
    }
    Ok(())
}

/// An order-preserving key for a score in [0, 1]; -0.0 becomes 0.0.
fn key(p: f64) -> u64 {
    (p + 0.0).to_bits()
}

/// The nearest remaining control to `score` and its distance; among equally
/// near controls the one first in data order.
fn nearest_control(
    controls: &BTreeSet<(u64, usize)>,
    ps: &[f64],
    score: f64,
) -> Option<(f64, usize)> {
    let k = key(score);
    // The nearest score at or below, then its first control in data order.
    let below = controls
        .range(..=(k, usize::MAX))
        .next_back()
        .and_then(|&(bits, _)| controls.range((bits, 0)..).next())
        .map(|&(_, i)| (score - ps[i], i));
    // The nearest score above; the range starts at its first control.
    let above = controls
        .range((Bound::Excluded((k, usize::MAX)), Bound::Unbounded))
        .next()
        .map(|&(_, i)| (ps[i] - score, i));
    match (below, above) {
        (Some(b), Some(a)) => Some(if a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) {
            a
        } else {
            b
        }),
        (b, a) => b.or(a),
    }
}

/// Standard deviation with denominator `n - 1`, R's `sd`.
fn sample_sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (squares / (n - 1.0)).sqrt()
}

/// A named covariate column, one value per subject.
#[derive(Debug, Clone, Copy)]
pub struct Covariate<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

/// Balance of one covariate between treated and control subjects, as a row
/// of MatchIt 4.5 `summary(m, standardize = TRUE)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceRow {
    pub name: String,
    pub mean_treated: f64,
    pub mean_control: f64,
    /// `(mean_treated - mean_control) / SD`, SD of the full treated group
    /// (binary: `sqrt(p(1-p))`); the raw difference when that is below
    /// `sqrt(machine epsilon)`. `None` when both groups have fewer than two
    /// subjects.
    pub std_mean_diff: Option<f64>,
    /// Treated over control variance; `None` for a binary covariate, a group
    /// of fewer than two subjects, or a zero control variance.
    pub var_ratio: Option<f64>,
    /// Mean of `|F_treated(x) - F_control(x)|` over the distinct values x.
    pub ecdf_mean: f64,
    /// Maximum of the same differences (the Kolmogorov–Smirnov statistic).
    pub ecdf_max: f64,
    /// Mean absolute difference within matched pairs, divided by the SD of
    /// `std_mean_diff` when that one is standardized and the mean exceeds
    /// 1e-8; `None` before matching.
    pub std_pair_dist: Option<f64>,
}

/// The balance table of `covariates` over all subjects (MatchIt 4.5
/// `summary(m, standardize = TRUE)$sum.all`).
///
/// A covariate is binary when every value is 0 or 1. The standardized mean
/// difference divides by the SD of the treated group (`n - 1`; binary
/// `sqrt(p(1-p))`), or by MatchIt's pooled SD of all subjects when that SD is
/// below `sqrt(machine epsilon)`.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`], [`StatsError::NonFinite`], and
/// [`StatsError::SingleGroup`] without treated or control subjects.
pub fn balance_before(
    covariates: &[Covariate<'_>],
    treated: &[bool],
) -> Result<Vec<BalanceRow>, StatsError> {
    let weights = vec![1.0; treated.len()];
    balance(covariates, treated, &weights, None)
}

/// The balance table of `covariates` over the matched pairs (MatchIt 4.5
/// `summary(m, standardize = TRUE)$sum.matched` for 1:1 matching without
/// replacement).
///
/// Means, variance ratios, eCDF statistics and pair distances use the
/// matched subjects; the SDs of the standardized differences still come from
/// the full treated group, so the tables before and after matching share
/// their denominators.
///
/// # Errors
///
/// As [`balance_before`], plus [`StatsError::InvalidParameter`] for a pair
/// whose indices are out of range or do not join a treated subject to a
/// control.
pub fn balance_after(
    covariates: &[Covariate<'_>],
    treated: &[bool],
    pairs: &[MatchedPair],
) -> Result<Vec<BalanceRow>, StatsError> {
    let n = treated.len();
    let mut weights = vec![0.0; n];
    for pair in pairs {
        let valid = pair.treated < n && pair.control < n;
        if !valid || !treated[pair.treated] || treated[pair.control] {
            return Err(StatsError::InvalidParameter {
                name: "pairs",
                value: format!("{pair:?}"),
                reason: "each pair must join a treated subject to a control within range".into(),
            });
        }
        weights[pair.treated] = 1.0;
        weights[pair.control] = 1.0;
    }
    balance(covariates, treated, &weights, Some(pairs))
}

/// Check the inputs and compute one row per covariate with 0/1 `weights`.
fn balance(
    covariates: &[Covariate<'_>],
    treated: &[bool],
    weights: &[f64],
    pairs: Option<&[MatchedPair]>,
) -> Result<Vec<BalanceRow>, StatsError> {
    let n = treated.len();
    // SingleGroup names the one group that the sample holds.
    for (present, is_treated) in [("control", true), ("treated", false)] {
        if !(0..n).any(|i| treated[i] == is_treated && weights[i] > 0.0) {
            return Err(StatsError::SingleGroup {
                group: present.into(),
            });
        }
    }
    covariates
        .iter()
        .map(|covariate| {
            if covariate.values.len() != n {
                return Err(StatsError::LengthMismatch {
                    what: format!("covariate `{}`", covariate.name),
                    expected: n,
                    got: covariate.values.len(),
                });
            }
            check_finite(covariate.name, covariate.values)?;
            Ok(balance_row(covariate, treated, weights, pairs))
        })
        .collect()
}

/// One covariate's row of the balance table.
fn balance_row(
    covariate: &Covariate<'_>,
    treated: &[bool],
    weights: &[f64],
    pairs: Option<&[MatchedPair]>,
) -> BalanceRow {
    let x = covariate.values;
    let binary = x.iter().all(|&v| v == 0.0 || v == 1.0);
    let group = |is_treated: bool| -> (Vec<f64>, Vec<f64>) {
        (0..x.len())
            .filter(|&i| treated[i] == is_treated)
            .map(|i| (x[i], weights[i]))
            .unzip()
    };
    let (x_treated, w_treated) = group(true);
    let (x_control, w_control) = group(false);
    let mean_treated = weighted_mean(&x_treated, &w_treated);
    let mean_control = weighted_mean(&x_control, &w_control);
    let difference = mean_treated - mean_control;
    let pair_dist = pairs.map(|pairs| mean_pair_distance(x, pairs));

    let selected = |w: &[f64]| w.iter().filter(|&&v| v > 0.0).count();
    let too_small = selected(&w_treated) < 2 && selected(&w_control) < 2;
    let (std_mean_diff, std_pair_dist) = if difference.abs() <= f64::EPSILON.sqrt() {
        (Some(difference), pair_dist)
    } else if too_small {
        (None, None)
    } else {
        let sd = smd_denominator(x, treated, &x_treated, binary);
        let standardize = |d: f64| if d.abs() > 1e-8 { d / sd } else { d };
        (Some(difference / sd), pair_dist.map(standardize))
    };
    let var_ratio = if binary || selected(&w_treated) < 2 || selected(&w_control) < 2 {
        None
    } else {
        let control = weighted_variance(&x_control, &w_control, false);
        (control > 0.0).then(|| weighted_variance(&x_treated, &w_treated, false) / control)
    };
    let (ecdf_mean, ecdf_max) = if binary {
        (difference.abs(), difference.abs())
    } else {
        ecdf_differences(x, treated, weights)
    };
    BalanceRow {
        name: covariate.name.to_string(),
        mean_treated,
        mean_control,
        std_mean_diff,
        var_ratio,
        ecdf_mean,
        ecdf_max,
        std_pair_dist,
    }
}

/// Mean of `|x_treated - x_control|` over the pairs.
fn mean_pair_distance(x: &[f64], pairs: &[MatchedPair]) -> f64 {
    let total: f64 = pairs
        .iter()
        .map(|p| (x[p.treated] - x[p.control]).abs())
        .sum();
    total / pairs.len() as f64
}

/// The SD of the full treated group, or MatchIt's pooled SD of all subjects
/// when that is (nearly) zero.
fn smd_denominator(x: &[f64], treated: &[bool], x_treated: &[f64], binary: bool) -> f64 {
    let ones = vec![1.0; x_treated.len()];
    let sd = weighted_variance(x_treated, &ones, binary).sqrt();
    if sd.is_finite() && sd >= f64::EPSILON.sqrt() {
        return sd;
    }
    pooled_sd(x, treated, binary)
}

/// MatchIt's pooled SD with contributions proportional to group size:
/// binary `sum_g n_g p_g (1 - p_g) / n`, otherwise the within-group sum of
/// squares over `n - 2`.
fn pooled_sd(x: &[f64], treated: &[bool], binary: bool) -> f64 {
    let n = x.len() as f64;
    let mut total = 0.0;
    for is_treated in [true, false] {
        let values: Vec<f64> = (0..x.len())
            .filter(|&i| treated[i] == is_treated)
            .map(|i| x[i])
            .collect();
        let size = values.len() as f64;
        let mean = values.iter().sum::<f64>() / size;
        total += if binary {
            size * mean * (1.0 - mean) / n
        } else {
            values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 2.0)
        };
    }
    total.sqrt()
}

fn weighted_mean(x: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    x.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / total
}

/// MatchIt's variance: `p(1 - p)` for a binary covariate, otherwise the
/// reliability-weighted variance `sum w (x - m)^2 / (1 - sum w^2)` with
/// weights normalised to sum to one (the `n - 1` variance for 0/1 weights).
fn weighted_variance(x: &[f64], w: &[f64], binary: bool) -> f64 {
    let total: f64 = w.iter().sum();
    let mean = weighted_mean(x, w);
    if binary {
        return mean * (1.0 - mean);
    }
    let squares: f64 = x
        .iter()
        .zip(w)
        .map(|(v, w)| w / total * (v - mean) * (v - mean))
        .sum();
    let concentration: f64 = w.iter().map(|w| (w / total) * (w / total)).sum();
    squares / (1.0 - concentration)
}

/// Mean and maximum over the distinct values x of all subjects of
/// `|F_treated(x) - F_control(x)|`, each eCDF weighted within its group.
/// Values held only by subjects outside the sample still count as points.
fn ecdf_differences(x: &[f64], treated: &[bool], weights: &[f64]) -> (f64, f64) {
    let sum_of = |is_treated: bool| -> f64 {
        (0..x.len())
            .filter(|&i| treated[i] == is_treated)
            .map(|i| weights[i])
            .sum()
    };
    let (total_treated, total_control) = (sum_of(true), sum_of(false));
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));

    let mut gap = 0.0;
    let mut differences = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        gap += if treated[i] {
            weights[i] / total_treated
        } else {
            -weights[i] / total_control
        };
        let last_of_value = k + 1 == order.len() || x[order[k + 1]] != x[i];
        if last_of_value {
            differences.push(f64::abs(gap));
        }
    }
    let mean = differences.iter().sum::<f64>() / differences.len() as f64;
    let max = differences.iter().copied().fold(0.0, f64::max);
    (mean, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agreement to rounding error of a value that exists.
    fn close(got: Option<f64>, expected: f64) -> bool {
        got.is_some_and(|g| (g - expected).abs() < 1e-15)
    }

    #[test]
    fn hand_worked_matching() {
        // Scores: treated 0.9, 0.5, 0.3; controls 0.85, 0.52, 0.48, 0.1.
        // sd of all seven (n - 1) is 0.2829, so the caliper is 0.0566.
        // 0.9 takes 0.85 (0.05); 0.5 is 0.02 from both 0.52 and 0.48 and
        // takes 0.52, the first in data order; 0.3 is 0.18 from 0.48: none.
        let ps = [0.9, 0.85, 0.5, 0.52, 0.48, 0.3, 0.1];
        let treated = [true, false, true, false, false, true, false];
        let got = nearest_neighbor_match(&ps, &treated, &MatchingSettings::default()).unwrap();
        let pair = |treated, control| MatchedPair { treated, control };
        assert_eq!(got.pairs, vec![pair(0, 1), pair(2, 3)]);
        assert_eq!(got.unmatched_treated, vec![5]);
        assert!((got.caliper_width - 0.2 * sample_sd(&ps)).abs() < 1e-15);
    }

    #[test]
    fn equal_distances_take_first_control() {
        // Controls 0.6 (row 1) and 0.4 (row 2) are both 0.1 from 0.5, and an
        // equal score 0.6 in row 3 comes later in data order.
        let ps = [0.5, 0.6, 0.4, 0.6];
        let treated = [true, false, false, false];
        let settings = MatchingSettings { caliper_sd: 10.0 };
        let got = nearest_neighbor_match(&ps, &treated, &settings).unwrap();
        assert_eq!(got.pairs[0].control, 1);
    }

    #[test]
    fn matches_brute_force_search() {
        let n = 300;
        let ps: Vec<f64> = (0..n).map(|i| ((i * 7919) % 997) as f64 / 997.0).collect();
        let treated: Vec<bool> = (0..n).map(|i| (i * 31) % 5 < 2).collect();
        let settings = MatchingSettings::default();
        let got = nearest_neighbor_match(&ps, &treated, &settings).unwrap();

        let mut used = vec![false; n];
        let mut order: Vec<usize> = (0..n).filter(|&i| treated[i]).collect();
        order.sort_by(|&a, &b| ps[b].total_cmp(&ps[a]));
        let mut pairs = Vec::new();
        for t in order {
            let best = (0..n)
                .filter(|&c| !treated[c] && !used[c])
                .map(|c| ((ps[t] - ps[c]).abs(), c))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some((d, c)) = best
                && d <= got.caliper_width
            {
                used[c] = true;
                pairs.push(MatchedPair {
                    treated: t,
                    control: c,
                });
            }
        }
        assert_eq!(got.pairs, pairs);
    }

    #[test]
    fn all_treated_rejected() {
        let err = nearest_neighbor_match(&[0.2, 0.4], &[true, true], &MatchingSettings::default())
            .unwrap_err();
        assert!(matches!(err, StatsError::SingleGroup { .. }), "{err}");
    }

    #[test]
    fn no_control_within_caliper_rejected() {
        let ps = [0.9, 0.91, 0.1, 0.11];
        let treated = [true, true, false, false];
        let err = nearest_neighbor_match(&ps, &treated, &MatchingSettings::default()).unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }), "{err}");
    }

    #[test]
    fn hand_worked_balance() {
        // x: treated 1, 2, 3 (mean 2, variance 1); controls 2, 4 (mean 3,
        // variance 2). SMD = (2 - 3) / 1, variance ratio 1/2.
        // eCDFs at 1, 2, 3, 4: treated 1/3, 2/3, 1, 1; controls 0, 1/2,
        // 1/2, 1; gaps 1/3, 1/6, 1/2, 0: mean 1/4, max 1/2.
        let x = [1.0, 2.0, 3.0, 2.0, 4.0];
        let treated = [true, true, true, false, false];
        let covariate = Covariate {
            name: "x",
            values: &x,
        };
        let rows = balance_before(&[covariate], &treated).unwrap();
        let row = &rows[0];
        assert_eq!(row.mean_treated, 2.0);
        assert_eq!(row.mean_control, 3.0);
        assert!(close(row.std_mean_diff, -1.0), "{:?}", row.std_mean_diff);
        assert!(close(row.var_ratio, 0.5), "{:?}", row.var_ratio);
        assert!((row.ecdf_mean - 0.25).abs() < 1e-15);
        assert!((row.ecdf_max - 0.5).abs() < 1e-15);
    }

    #[test]
    fn binary_balance_uses_proportion_sd() {
        // Treated 1, 1, 0, 0 (p = 1/2, SD 1/2); controls 1, 0, 0, 0 (1/4).
        let x = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        let treated = [true, true, true, true, false, false, false, false];
        let covariate = Covariate {
            name: "b",
            values: &x,
        };
        let rows = balance_before(&[covariate], &treated).unwrap();
        assert_eq!(rows[0].std_mean_diff, Some(0.5));
        assert_eq!(rows[0].var_ratio, None);
        assert_eq!(rows[0].ecdf_max, 0.25);
    }

    #[test]
    fn balance_after_uses_pairs() {
        // Pairs (0, 3) and (1, 4): x differences 1 - 2 and 5 - 3, mean
        // absolute 1.5. The treated SD over rows 0, 1, 2 (x 1, 5, 3) is 2.
        let x = [1.0, 5.0, 3.0, 2.0, 3.0, 9.0];
        let treated = [true, true, true, false, false, false];
        let pairs = [
            MatchedPair {
                treated: 0,
                control: 3,
            },
            MatchedPair {
                treated: 1,
                control: 4,
            },
        ];
        let covariate = Covariate {
            name: "x",
            values: &x,
        };
        let rows = balance_after(&[covariate], &treated, &pairs).unwrap();
        assert_eq!(rows[0].mean_treated, 3.0);
        assert_eq!(rows[0].mean_control, 2.5);
        assert!(
            close(rows[0].std_mean_diff, 0.25),
            "{:?}",
            rows[0].std_mean_diff
        );
        assert!(
            close(rows[0].std_pair_dist, 0.75),
            "{:?}",
            rows[0].std_pair_dist
        );
    }

    #[test]
    fn balance_after_needs_a_pair() {
        let x = [1.0, 2.0, 3.0];
        let treated = [true, false, false];
        let err = balance_after(
            &[Covariate {
                name: "x",
                values: &x,
            }],
            &treated,
            &[],
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::SingleGroup { .. }), "{err}");
    }

    #[test]
    fn pair_of_two_controls_rejected() {
        let x = [1.0, 2.0, 3.0];
        let treated = [true, false, false];
        let pairs = [MatchedPair {
            treated: 1,
            control: 2,
        }];
        let err = balance_after(
            &[Covariate {
                name: "x",
                values: &x,
            }],
            &treated,
            &pairs,
        )
        .unwrap_err();
        assert!(
            matches!(err, StatsError::InvalidParameter { name: "pairs", .. }),
            "{err}"
        );
    }
}
