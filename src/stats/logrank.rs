//! The log-rank test and its Fleming–Harrington G(ρ) family for two or more
//! groups, as R survival 3.5 `survdiff` computes them.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use serde::{Deserialize, Serialize};
use statrs::function::gamma::gamma_ur;

use super::StatsError;
use super::data::check_times;
use super::km::Groups;

/// Result of a k-sample log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    /// Weight exponent: 0 is the log-rank test, 1 the Peto & Peto
    /// modification of the Gehan–Wilcoxon test.
    pub rho: f64,
    /// Group names, in the order of every vector below.
    pub groups: Vec<String>,
    pub n: Vec<usize>,
    /// Weighted observed events; plain counts when `rho` is 0.
    pub observed: Vec<f64>,
    /// Weighted expected events under equal hazards.
    pub expected: Vec<f64>,
    /// Covariance matrix of observed − expected, one row per group.
    pub variance: Vec<Vec<f64>>,
    pub chisq: f64,
    /// Number of groups with expected > 0, minus 1.
    pub df: usize,
    /// Upper-tail chi-square probability of `chisq` on `df` degrees of freedom.
    pub p: f64,
}

/// Per-group sums over the event times, before the chi-square is formed.
struct Sums {
    observed: Vec<f64>,
    expected: Vec<f64>,
    variance: DMatrix<f64>,
}

/// Test whether survival differs between groups.
///
/// At each distinct event time with n at risk (n_g in group g) and d events,
/// the weight is `w = S(t−)^rho`, with S the pooled Kaplan–Meier estimate
/// just before t. Group g adds `w·d_g` to observed, `w·d·n_g/n` to expected
/// and `w²·d(n−d)/(n−1) · (n_g/n)(δ_gh − n_h/n)` to the covariance with
/// group h. The statistic is `(O−E)' V⁻ (O−E)` over the groups with
/// expected > 0, leaving out the first of them, where V⁻ is a generalised
/// inverse (the plain inverse unless V is singular). This matches R
/// survival 3.5 `survdiff(Surv(time, event) ~ group, rho = rho)`, except
/// that R stops with an error on a singular V.
///
/// # Errors
///
/// The checks of [`check_times`], and [`StatsError::LengthMismatch`] when
/// `groups` does not cover every subject. [`StatsError::InvalidParameter`]
/// for a negative or non-finite `rho`, [`StatsError::SingleGroup`] when
/// fewer than two groups have subjects, and [`StatsError::NoEvents`].
/// [`StatsError::NotEstimable`] when fewer than two groups have anyone at
/// risk at an event time, or when the variance of observed minus expected
/// is zero.
pub fn logrank(
    time: &[f64],
    event: &[bool],
    groups: &Groups,
    rho: f64,
) -> Result<LogRank, StatsError> {
    check_times(time, event)?;
    groups.check_for(time)?;
    if !(rho.is_finite() && rho >= 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "rho",
            value: rho.to_string(),
            reason: "the weight exponent must be a finite number >= 0".into(),
        });
    }
    let mut n = vec![0usize; groups.len()];
    for &g in &groups.index {
        n[g] += 1;
    }
    let occupied: Vec<usize> = (0..n.len()).filter(|&g| n[g] > 0).collect();
    if occupied.len() < 2 {
        let group = occupied
            .first()
            .map_or(String::new(), |&g| groups.names[g].clone());
        return Err(StatsError::SingleGroup { group });
    }
    if !event.iter().any(|&e| e) {
        return Err(StatsError::NoEvents {
            what: "the pooled sample".into(),
        });
    }

    let sums = weighted_sums(time, event, groups, rho);
    let (chisq, df) = chi_square(&sums)?;
    Ok(LogRank {
        rho,
        groups: groups.names.clone(),
        n,
        variance: (0..groups.len())
            .map(|i| sums.variance.row(i).iter().copied().collect())
            .collect(),
        observed: sums.observed,
        expected: sums.expected,
        chisq,
        df,
        // statrs 0.19 `gamma_ur` panics unless x > 0; P(X >= 0) = 1.
        p: if chisq > 0.0 {
            gamma_ur(df as f64 / 2.0, chisq / 2.0)
        } else {
            1.0
        },
    })
}

/// Accumulate observed, expected and covariance over the distinct times.
fn weighted_sums(time: &[f64], event: &[bool], groups: &Groups, rho: f64) -> Sums {
    let k = groups.len();
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));

    // Blocks of tied times, in increasing time.
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let t = time[order[start]];
        let end = start + order[start..].partition_point(|&i| time[i] == t);
        blocks.push(start..end);
        start = end;
    }

    let mut at_risk = vec![0.0; k];
    for &i in &order {
        at_risk[groups.index[i]] += 1.0;
    }
    let mut sums = Sums {
        observed: vec![0.0; k],
        expected: vec![0.0; k],
        variance: DMatrix::zeros(k, k),
    };
    let mut km: f64 = 1.0;
    for block in blocks {
        let rows = &order[block];
        let n_total = at_risk.iter().sum::<f64>();
        let mut deaths = vec![0.0; k];
        for &i in rows {
            if event[i] {
                deaths[groups.index[i]] += 1.0;
            }
        }
        let d = deaths.iter().sum::<f64>();
        let weight = if rho == 0.0 { 1.0 } else { km.powf(rho) };
        if d > 0.0 {
            add_event_time(&mut sums, &at_risk, &deaths, n_total, weight);
        }
        km *= (n_total - d) / n_total;
        for &i in rows {
            at_risk[groups.index[i]] -= 1.0;
        }
    }
    sums
}

/// Add one event time with `deaths[g]` events among `at_risk[g]`.
fn add_event_time(sums: &mut Sums, at_risk: &[f64], deaths: &[f64], n: f64, weight: f64) {
    let d: f64 = deaths.iter().sum();
    for g in 0..at_risk.len() {
        sums.observed[g] += weight * deaths[g];
        sums.expected[g] += weight * d * at_risk[g] / n;
    }
    // One subject at risk: the hypergeometric variance is zero.
    if n <= 1.0 {
        return;
    }
    let scale = weight * weight * d * (n - d) / (n * (n - 1.0));
    for g in 0..at_risk.len() {
        let share = scale * at_risk[g];
        sums.variance[(g, g)] += share;
        for (h, &n_h) in at_risk.iter().enumerate() {
            sums.variance[(g, h)] -= share * n_h / n;
        }
    }
}

/// The quadratic form and its degrees of freedom over the groups with
/// expected > 0, leaving out the first such group.
fn chi_square(sums: &Sums) -> Result<(f64, usize), StatsError> {
    let used: Vec<usize> = (0..sums.expected.len())
        .filter(|&g| sums.expected[g] > 0.0)
        .collect();
    if used.len() < 2 {
        return Err(StatsError::NotEstimable {
            what: "log-rank chi-square".into(),
            reason: "fewer than two groups have subjects at risk at an event time".into(),
        });
    }
    let kept = &used[1..];
    let diff = DVector::from_iterator(
        kept.len(),
        kept.iter().map(|&g| sums.observed[g] - sums.expected[g]),
    );
    let reduced = DMatrix::from_fn(kept.len(), kept.len(), |i, j| {
        sums.variance[(kept[i], kept[j])]
    });
    // R's survdiff fails in solve() here, for example when every subject
    // dies at the same time (each term d(n - d)/(n - 1) is then 0).
    if reduced.iter().all(|&v| v == 0.0) {
        return Err(StatsError::NotEstimable {
            what: "log-rank chi-square".into(),
            reason: "the variance of observed minus expected events is zero, as when all \
                     events fall at one time with no one left at risk after it"
                .into(),
        });
    }
    let inverse = generalised_inverse(reduced);
    Ok(((diff.transpose() * inverse * &diff)[(0, 0)], used.len() - 1))
}

/// The Moore–Penrose inverse of a symmetric matrix, dropping eigenvalues
/// below `1e-10` times the largest in absolute value.
fn generalised_inverse(matrix: DMatrix<f64>) -> DMatrix<f64> {
    let eigen = SymmetricEigen::new(matrix);
    let largest = eigen
        .eigenvalues
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let inverted = eigen.eigenvalues.map(|v| {
        if v.abs() > 1e-10 * largest {
            1.0 / v
        } else {
            0.0
        }
    });
    &eigen.eigenvectors * DMatrix::from_diagonal(&inverted) * eigen.eigenvectors.transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(values: &[&str]) -> Groups {
        let labels: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        Groups::from_labels(&labels, &[]).unwrap()
    }

    #[test]
    fn hand_worked_two_groups() {
        // Group a: times 1, 3; group b: times 2, 4; all events.
        // t=1: n=4 (2 a), d=1 -> E_a += 1/2, V += 1·3/(4·3)·(2·2/4) = 1/4.
        // t=2: n=3 (1 a), d=1 -> E_a += 1/3, V += 2/(3·2)·(1·2/3) = 2/9.
        // t=3: n=2 (1 a), d=1 -> E_a += 1/2, V += 1/(2·1)·(1·1/2) = 1/4.
        // t=4: n=1, only b at risk -> E_a += 0, no variance.
        let fit = logrank(
            &[1.0, 3.0, 2.0, 4.0],
            &[true; 4],
            &labels(&["a", "a", "b", "b"]),
            0.0,
        )
        .unwrap();
        let e_a = 0.5 + 1.0 / 3.0 + 0.5;
        let v = 0.25 + 2.0 / 9.0 + 0.25;
        assert!((fit.expected[0] - e_a).abs() < 1e-14);
        assert!((fit.observed[0] - 2.0).abs() < 1e-14);
        assert!((fit.variance[0][0] - v).abs() < 1e-14);
        assert!((fit.variance[0][1] + v).abs() < 1e-14);
        let chisq = (2.0 - e_a) * (2.0 - e_a) / v;
        assert!((fit.chisq - chisq).abs() < 1e-12);
        assert_eq!(fit.df, 1);
        assert!(fit.p > 0.0 && fit.p < 1.0);
    }

    #[test]
    fn one_group_rejected() {
        let err = logrank(&[1.0, 2.0], &[true, true], &labels(&["x", "x"]), 0.0).unwrap_err();
        assert_eq!(err, StatsError::SingleGroup { group: "x".into() });
    }

    #[test]
    fn no_events_rejected() {
        let err = logrank(&[1.0, 2.0], &[false, false], &labels(&["a", "b"]), 0.0).unwrap_err();
        assert!(matches!(err, StatsError::NoEvents { .. }));
    }

    #[test]
    fn group_without_events_still_tested() {
        // Group b has no events but is at risk, so it has expected > 0.
        let fit = logrank(
            &[1.0, 2.0, 3.0, 4.0],
            &[true, true, false, false],
            &labels(&["a", "a", "b", "b"]),
            0.0,
        )
        .unwrap();
        assert_eq!(fit.observed[1], 0.0);
        assert!(fit.expected[1] > 0.0);
        assert_eq!(fit.df, 1);
        assert!(fit.chisq > 0.0);
    }

    #[test]
    fn group_censored_early_has_no_expected() {
        // Group c leaves before the first event: expected 0, dropped from df.
        let fit = logrank(
            &[0.5, 1.0, 2.0, 3.0, 4.0],
            &[false, true, true, true, false],
            &labels(&["c", "a", "b", "a", "b"]),
            0.0,
        )
        .unwrap();
        assert_eq!(fit.groups, vec!["a", "b", "c"]);
        assert_eq!(fit.expected[2], 0.0);
        assert_eq!(fit.df, 1);
    }

    #[test]
    fn only_one_group_at_risk_not_estimable() {
        let err = logrank(
            &[0.5, 1.0, 2.0],
            &[false, true, true],
            &labels(&["b", "a", "a"]),
            0.0,
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }));
    }

    #[test]
    fn all_events_at_one_time_not_estimable() {
        // Everyone dies at time 2: O = E in each group and the
        // hypergeometric variance d(n − d)/(n − 1) is 0.
        let err = logrank(&[2.0; 4], &[true; 4], &labels(&["a", "a", "b", "b"]), 0.0).unwrap_err();
        assert!(matches!(
            err,
            StatsError::NotEstimable { reason, .. } if reason.contains("variance of observed minus expected")
        ));
    }

    #[test]
    fn event_at_time_zero_counts() {
        // Group a: events at 0 and 2; group b: events at 1 and 3.
        // t=0: n=4 (2 a), d=1 -> E_a += 1/2, V += 1·3/(4·3)·(2·2/4) = 1/4.
        let fit = logrank(
            &[0.0, 2.0, 1.0, 3.0],
            &[true; 4],
            &labels(&["a", "a", "b", "b"]),
            0.0,
        )
        .unwrap();
        // Then t=1: n=3 (1 a) -> E_a += 1/3, V += 2/9; t=2: n=2 (1 a) ->
        // E_a += 1/2, V += 1/4; t=3: only b at risk.
        let e_a = 0.5 + 1.0 / 3.0 + 0.5;
        assert!((fit.expected[0] - e_a).abs() < 1e-14);
        assert!((fit.variance[0][0] - (0.25 + 2.0 / 9.0 + 0.25)).abs() < 1e-14);
    }

    #[test]
    fn single_row_is_one_group() {
        let err = logrank(&[1.0], &[true], &labels(&["a"]), 0.0).unwrap_err();
        assert_eq!(err, StatsError::SingleGroup { group: "a".into() });
    }

    #[test]
    fn negative_time_rejected() {
        let err = logrank(&[1.0, -1.0], &[true, true], &labels(&["a", "b"]), 0.0).unwrap_err();
        assert_eq!(
            err,
            StatsError::NegativeTime {
                row: 1,
                value: -1.0
            }
        );
    }

    #[test]
    fn negative_rho_rejected() {
        let err = logrank(&[1.0, 2.0], &[true, true], &labels(&["a", "b"]), -1.0).unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter { name: "rho", .. }
        ));
    }
}
