//! Classical tests for a baseline table. Categorical rows use Pearson's
//! chi-square test of independence, with Yates' continuity correction for
//! 2 × 2 tables as R `chisq.test` applies it. Numeric rows use the two-sample
//! t test with Welch's or the pooled variance, as R `t.test` computes it.
//!
//! Distributions come from `statrs`. Where R returns `NaN` with a warning (an
//! empty row or column, constant data), these functions return a
//! [`StatsError`] naming the cause.

use std::collections::BTreeSet;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};

use super::StatsError;
use super::data::check_finite;

/// Counts of subjects by group (rows) and category (columns).
#[derive(Debug, Clone, PartialEq)]
pub struct ContingencyTable {
    pub row_labels: Vec<String>,
    pub column_labels: Vec<String>,
    /// `counts[(i, j)]`: subjects in group `i` and category `j`.
    pub counts: DMatrix<f64>,
}

impl ContingencyTable {
    /// Cross-tabulate two labels per subject. Rows and columns are the
    /// distinct labels in sorted order, as R `table` orders character vectors.
    ///
    /// # Errors
    ///
    /// [`StatsError::Empty`] for no subjects and [`StatsError::LengthMismatch`]
    /// when the two slices differ in length.
    pub fn from_labels(groups: &[String], categories: &[String]) -> Result<Self, StatsError> {
        if groups.is_empty() {
            return Err(StatsError::Empty);
        }
        if groups.len() != categories.len() {
            return Err(StatsError::LengthMismatch {
                what: "categories".into(),
                expected: groups.len(),
                got: categories.len(),
            });
        }
        let row_labels = sorted_distinct(groups);
        let column_labels = sorted_distinct(categories);
        let mut counts = DMatrix::zeros(row_labels.len(), column_labels.len());
        for (group, category) in groups.iter().zip(categories) {
            // Both searches succeed: the labels were collected from these slices.
            let i = row_labels.binary_search(group).unwrap_or_default();
            let j = column_labels.binary_search(category).unwrap_or_default();
            counts[(i, j)] += 1.0;
        }
        Ok(Self {
            row_labels,
            column_labels,
            counts,
        })
    }

    /// Wrap a matrix of counts, labelling rows and columns by their 1-based
    /// position.
    pub fn from_counts(counts: DMatrix<f64>) -> Self {
        Self {
            row_labels: (1..=counts.nrows()).map(|i| i.to_string()).collect(),
            column_labels: (1..=counts.ncols()).map(|j| j.to_string()).collect(),
            counts,
        }
    }
}

/// Distinct values in sorted order.
fn sorted_distinct(values: &[String]) -> Vec<String> {
    let set: BTreeSet<&String> = values.iter().collect();
    set.into_iter().cloned().collect()
}

/// Pearson's chi-square test of independence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareTest {
    pub statistic: f64,
    /// `(rows - 1) * (columns - 1)`.
    pub df: usize,
    pub p_value: f64,
    /// Whether Yates' continuity correction was applied (requested and the
    /// table is 2 × 2).
    pub yates: bool,
    /// Expected counts under independence, `row total * column total / n`,
    /// as rows of the table.
    pub expected: Vec<Vec<f64>>,
    /// The smallest expected count. R warns that the chi-square approximation
    /// may be incorrect when it is below 5; a caller should report the test
    /// with that caveat or use an exact test.
    pub min_expected: f64,
}

/// Test independence of the rows and columns of a contingency table.
///
/// `X^2 = sum (|O - E| - c)^2 / E` with `E = row total * column total / n`
/// and `df = (r - 1)(c - 1)`; the p-value is the upper tail of the
/// chi-square distribution. With `correct` and a 2 × 2 table,
/// `c = min(0.5, |O - E|)` (Yates' correction, capped so that it never
/// overshoots, as R 4.2 `chisq.test(x, correct = TRUE)` does); otherwise
/// `c = 0`. Counts need not be integers.
///
/// # Errors
///
/// - [`StatsError::SingleGroup`] for a table with fewer than two rows.
/// - [`StatsError::NotEstimable`] for fewer than two columns, or for a row or
///   column whose total is zero (R returns `NaN` there).
/// - [`StatsError::NonFinite`] for a count that is not finite, and
///   [`StatsError::InvalidParameter`] for a negative one.
/// - [`StatsError::Empty`] when all counts are zero.
pub fn chi_square_test(
    table: &ContingencyTable,
    correct: bool,
) -> Result<ChiSquareTest, StatsError> {
    let counts = &table.counts;
    check_table(table)?;
    let (rows, columns) = counts.shape();
    let total = counts.sum();
    let row_totals: Vec<f64> = counts.row_iter().map(|r| r.sum()).collect();
    let column_totals: Vec<f64> = counts.column_iter().map(|c| c.sum()).collect();
    check_margins("row", &table.row_labels, &row_totals)?;
    check_margins("column", &table.column_labels, &column_totals)?;

    let expected = DMatrix::from_fn(rows, columns, |i, j| {
        row_totals[i] * column_totals[j] / total
    });
    let yates = correct && rows == 2 && columns == 2;
    let correction = if yates {
        counts
            .iter()
            .zip(expected.iter())
            .map(|(o, e)| (o - e).abs())
            .fold(0.5, f64::min)
    } else {
        0.0
    };
    let statistic: f64 = counts
        .iter()
        .zip(expected.iter())
        .map(|(o, e)| ((o - e).abs() - correction).powi(2) / e)
        .sum();
    let df = (rows - 1) * (columns - 1);
    Ok(ChiSquareTest {
        statistic,
        df,
        p_value: chi_square_upper_tail(statistic, df)?,
        yates,
        expected: expected
            .row_iter()
            .map(|r| r.iter().copied().collect())
            .collect(),
        min_expected: expected.iter().copied().fold(f64::INFINITY, f64::min),
    })
}

/// Check the shape and the counts of a table.
fn check_table(table: &ContingencyTable) -> Result<(), StatsError> {
    let counts = &table.counts;
    if counts.nrows() < 2 {
        return Err(StatsError::SingleGroup {
            group: table.row_labels.first().cloned().unwrap_or_default(),
        });
    }
    if counts.ncols() < 2 {
        return Err(StatsError::NotEstimable {
            what: "the chi-square test".into(),
            reason: format!(
                "every subject is in category `{}`; the test needs at least two categories",
                table.column_labels.first().cloned().unwrap_or_default()
            ),
        });
    }
    let values: Vec<f64> = counts.iter().copied().collect();
    check_finite("count", &values)?;
    if let Some(&negative) = values.iter().find(|&&v| v < 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "counts",
            value: negative.to_string(),
            reason: "counts of a contingency table must be >= 0".into(),
        });
    }
    if values.iter().all(|&v| v == 0.0) {
        return Err(StatsError::Empty);
    }
    Ok(())
}

/// Reject a row or column with no subjects, whose expected counts are zero.
fn check_margins(kind: &str, labels: &[String], totals: &[f64]) -> Result<(), StatsError> {
    match totals.iter().position(|&t| t == 0.0) {
        Some(k) => Err(StatsError::NotEstimable {
            what: "the chi-square test".into(),
            reason: format!(
                "{kind} `{}` of the table has no subjects, so its expected counts are zero; \
                 drop it",
                labels.get(k).map_or("?", String::as_str)
            ),
        }),
        None => Ok(()),
    }
}

/// `P(X >= statistic)` for a chi-square variable with `df` degrees of freedom.
fn chi_square_upper_tail(statistic: f64, df: usize) -> Result<f64, StatsError> {
    let distribution = ChiSquared::new(df as f64).map_err(|e| StatsError::InvalidParameter {
        name: "df",
        value: df.to_string(),
        reason: e.to_string(),
    })?;
    Ok(distribution.sf(statistic))
}

/// Variance estimate of the mean difference in a two-sample t test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TTestVariance {
    /// Each group's own variance, with Welch–Satterthwaite degrees of freedom
    /// (R `t.test` default, `var.equal = FALSE`).
    Welch,
    /// One variance pooled over both groups, `nx + ny - 2` degrees of
    /// freedom (R `t.test(..., var.equal = TRUE)`).
    Pooled,
}

/// A two-sample t test of equal means, `x` against `y`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TTest {
    pub variance: TTestVariance,
    pub mean_x: f64,
    pub mean_y: f64,
    /// Standard error of `mean_x - mean_y`.
    pub std_err: f64,
    /// `(mean_x - mean_y) / std_err`.
    pub statistic: f64,
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    pub conf_level: f64,
    /// Confidence interval of `mean_x - mean_y`.
    pub lower: f64,
    pub upper: f64,
}

/// Test whether two samples have equal means.
///
/// With `s_x^2, s_y^2` the sample variances (denominator `n - 1`), Welch's
/// standard error is `sqrt(s_x^2/n_x + s_y^2/n_y)` with
/// `df = se^4 / ((s_x^2/n_x)^2/(n_x-1) + (s_y^2/n_y)^2/(n_y-1))`; the pooled
/// one is `sqrt(s_p^2 (1/n_x + 1/n_y))` with
/// `s_p^2 = ((n_x-1)s_x^2 + (n_y-1)s_y^2) / (n_x+n_y-2)`. The p-value is
/// two-sided and the interval is `difference ± t_{df, (1+level)/2} se`, as R
/// 4.2 `t.test(x, y, var.equal = ..., conf.level = level)` reports them.
///
/// # Errors
///
/// - [`StatsError::NonFinite`] for a value that is not finite.
/// - [`StatsError::InvalidParameter`] unless `0 < conf_level < 1`.
/// - [`StatsError::TooFewRows`] for a group with fewer than two values
///   (Welch) or no value (pooled), or fewer than three values in all (pooled).
/// - [`StatsError::NotEstimable`] when the standard error is zero up to
///   rounding, because both groups are constant (R: "data are essentially
///   constant").
pub fn t_test(
    x: &[f64],
    y: &[f64],
    variance: TTestVariance,
    conf_level: f64,
) -> Result<TTest, StatsError> {
    check_finite("x", x)?;
    check_finite("y", y)?;
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(StatsError::InvalidParameter {
            name: "conf_level",
            value: conf_level.to_string(),
            reason: "a confidence level must be strictly between 0 and 1".into(),
        });
    }
    check_group_sizes(x.len(), y.len(), variance)?;

    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (mean_x, var_x) = mean_and_variance(x);
    let (mean_y, var_y) = mean_and_variance(y);
    let (std_err, df) = match variance {
        TTestVariance::Welch => {
            let (ux, uy) = (var_x / nx, var_y / ny);
            let se2 = ux + uy;
            (
                se2.sqrt(),
                se2 * se2 / (ux * ux / (nx - 1.0) + uy * uy / (ny - 1.0)),
            )
        }
        TTestVariance::Pooled => {
            let df = nx + ny - 2.0;
            let pooled = ((nx - 1.0) * var_x + (ny - 1.0) * var_y) / df;
            ((pooled * (1.0 / nx + 1.0 / ny)).sqrt(), df)
        }
    };
    if std_err < 10.0 * f64::EPSILON * mean_x.abs().max(mean_y.abs()) || std_err == 0.0 {
        return Err(StatsError::NotEstimable {
            what: "the t test".into(),
            reason: format!(
                "both groups are constant (means {mean_x} and {mean_y}), so the standard \
                 error is zero"
            ),
        });
    }

    let difference = mean_x - mean_y;
    let statistic = difference / std_err;
    let t = StudentsT::new(0.0, 1.0, df).map_err(|e| StatsError::InvalidParameter {
        name: "df",
        value: df.to_string(),
        reason: e.to_string(),
    })?;
    let quantile = t.inverse_cdf(0.5 + conf_level / 2.0);
    Ok(TTest {
        variance,
        mean_x,
        mean_y,
        std_err,
        statistic,
        df,
        p_value: 2.0 * t.sf(statistic.abs()),
        conf_level,
        lower: difference - quantile * std_err,
        upper: difference + quantile * std_err,
    })
}

/// Reject groups too small for the variance estimate, with R's limits.
fn check_group_sizes(nx: usize, ny: usize, variance: TTestVariance) -> Result<(), StatsError> {
    let (method, needed_each) = match variance {
        TTestVariance::Welch => ("the Welch t test (each group)", 2),
        TTestVariance::Pooled => ("the pooled t test (each group)", 1),
    };
    for n in [nx, ny] {
        if n < needed_each {
            return Err(StatsError::TooFewRows {
                method,
                needed: needed_each,
                got: n,
            });
        }
    }
    if variance == TTestVariance::Pooled && nx + ny < 3 {
        return Err(StatsError::TooFewRows {
            method: "the pooled t test (both groups together)",
            needed: 3,
            got: nx + ny,
        });
    }
    Ok(())
}

/// Mean and sample variance (denominator `n - 1`; zero for one value).
fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, squares / (n - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_rel(what: &str, actual: f64, expected: f64, rel: f64) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs(),
            "{what}: got {actual:.15e}, expected {expected:.15e}"
        );
    }

    fn labels(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    /// Agresti (2007, p. 39), party identification by gender, the example of
    /// R's `?chisq.test`. R 4.2 prints `X-squared = 30.07, df = 2, p-value =
    /// 2.954e-07`; the full digits are from SciPy 1.17.1
    /// `chi2_contingency(M, correction=False)`.
    #[test]
    fn chi_square_agresti_table() {
        let counts = DMatrix::from_row_slice(2, 3, &[762.0, 327.0, 468.0, 484.0, 239.0, 477.0]);
        let test = chi_square_test(&ContingencyTable::from_counts(counts), true).unwrap();
        assert!(
            !test.yates,
            "Yates' correction applies only to 2 x 2 tables"
        );
        assert_eq!(test.df, 2);
        assert_rel("statistic", test.statistic, 30.070_149_095_754_672, 1e-12);
        assert_rel("p", test.p_value, 2.953_589_183_211_759_5e-7, 1e-9);
        assert_rel(
            "expected[0][0]",
            test.expected[0][0],
            703.671_381_936_887_9,
            1e-12,
        );
        assert_rel(
            "min expected",
            test.min_expected,
            246.354_733_405_875_95,
            1e-12,
        );
    }

    /// The pbc trial (survival 3.5.3, 312 randomised subjects): sex by
    /// treatment arm, 21/137 men/women on D-penicillamine and 15/139 on
    /// placebo. Expected values from SciPy 1.17.1 `chi2_contingency`, with
    /// and without `correction`.
    #[test]
    fn chi_square_two_by_two_yates() {
        let counts = DMatrix::from_row_slice(2, 2, &[21.0, 137.0, 15.0, 139.0]);
        let table = ContingencyTable::from_counts(counts);
        let corrected = chi_square_test(&table, true).unwrap();
        assert!(corrected.yates);
        assert_eq!(corrected.df, 1);
        assert_rel(
            "Yates statistic",
            corrected.statistic,
            0.646_891_908_311_832,
            1e-12,
        );
        assert_rel("Yates p", corrected.p_value, 0.421_226_100_108_527_46, 1e-9);
        let plain = chi_square_test(&table, false).unwrap();
        assert!(!plain.yates);
        assert_rel("statistic", plain.statistic, 0.963_369_047_023_423_2, 1e-12);
        assert_rel("p", plain.p_value, 0.326_339_505_986_552_87, 1e-9);
    }

    /// |O - E| = 10/21 < 0.5 in every cell, so R's capped correction removes
    /// the whole deviation: X^2 = 0 and p = 1 (hand-worked).
    #[test]
    fn yates_correction_capped_at_deviation() {
        let counts = DMatrix::from_row_slice(2, 2, &[5.0, 5.0, 5.0, 6.0]);
        let test = chi_square_test(&ContingencyTable::from_counts(counts), true).unwrap();
        assert_eq!(test.statistic, 0.0);
        assert_eq!(test.p_value, 1.0);
    }

    #[test]
    fn table_from_labels_sorted() {
        let groups = labels(&["b", "a", "b", "a", "b"]);
        let categories = labels(&["y", "x", "x", "x", "y"]);
        let table = ContingencyTable::from_labels(&groups, &categories).unwrap();
        assert_eq!(table.row_labels, labels(&["a", "b"]));
        assert_eq!(table.column_labels, labels(&["x", "y"]));
        assert_eq!(
            table.counts,
            DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 1.0, 2.0])
        );
    }

    #[test]
    fn chi_square_one_group_rejected() {
        let table =
            ContingencyTable::from_labels(&labels(&["a", "a"]), &labels(&["x", "y"])).unwrap();
        let err = chi_square_test(&table, true).unwrap_err();
        assert_eq!(err, StatsError::SingleGroup { group: "a".into() });
    }

    #[test]
    fn chi_square_one_category_rejected() {
        let table =
            ContingencyTable::from_labels(&labels(&["a", "b"]), &labels(&["x", "x"])).unwrap();
        let err = chi_square_test(&table, true).unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }), "{err}");
    }

    #[test]
    fn chi_square_empty_column_rejected() {
        let counts = DMatrix::from_row_slice(2, 3, &[3.0, 0.0, 4.0, 5.0, 0.0, 1.0]);
        let err = chi_square_test(&ContingencyTable::from_counts(counts), false).unwrap_err();
        let StatsError::NotEstimable { reason, .. } = err else {
            panic!("expected NotEstimable, got {err}");
        };
        assert!(reason.contains("column `2`"), "{reason}");
    }

    #[test]
    fn chi_square_negative_count_rejected() {
        let counts = DMatrix::from_row_slice(2, 2, &[3.0, -1.0, 4.0, 5.0]);
        let err = chi_square_test(&ContingencyTable::from_counts(counts), false).unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter { name: "counts", .. }
        ));
    }

    /// Student's sleep data (Cushny and Peebles), the example of R's
    /// `?t.test`: extra hours of sleep under two drugs. R 4.2 prints
    /// `t = -1.8608, df = 17.776, p-value = 0.07939` and the interval
    /// `-3.3654832 0.2054832` (Welch), and `df = 18, p-value = 0.07919` with
    /// `var.equal = TRUE`; full digits from SciPy 1.17.1 `ttest_ind`.
    const SLEEP_1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const SLEEP_2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    #[test]
    fn welch_t_test_sleep() {
        let test = t_test(&SLEEP_1, &SLEEP_2, TTestVariance::Welch, 0.95).unwrap();
        assert_rel("mean x", test.mean_x, 0.75, 1e-14);
        assert_rel("mean y", test.mean_y, 2.33, 1e-14);
        assert_rel("t", test.statistic, -1.860_813_467_486_852_6, 1e-12);
        assert_rel("df", test.df, 17.776_473_516_178_488, 1e-12);
        assert_rel("p", test.p_value, 0.079_394_140_187_358_3, 1e-9);
        assert_rel("lower", test.lower, -3.365_483_230_711_710_4, 1e-9);
        assert_rel("upper", test.upper, 0.205_483_230_711_711_37, 1e-9);
    }

    #[test]
    fn pooled_t_test_sleep() {
        let test = t_test(&SLEEP_1, &SLEEP_2, TTestVariance::Pooled, 0.95).unwrap();
        assert_rel("t", test.statistic, -1.860_813_467_486_852_4, 1e-12);
        assert_eq!(test.df, 18.0);
        assert_rel("p", test.p_value, 0.079_186_714_215_938_22, 1e-9);
        assert_rel("lower", test.lower, -3.363_874_032_287_598_4, 1e-9);
        assert_rel("upper", test.upper, 0.203_874_032_287_599_15, 1e-9);
    }

    /// Age by treatment arm in the pbc trial (tests/data/pbc.csv, 158
    /// D-penicillamine and 154 placebo subjects). SciPy 1.17.1
    /// `ttest_ind(age[trt == 1], age[trt == 2], equal_var = ...)`.
    #[test]
    fn t_tests_pbc_age_by_arm() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pbc.csv");
        let frame = super::super::frame::Frame::from_path(&path).unwrap();
        let rows: Vec<usize> = (0..frame.len()).collect();
        let arm = frame.numeric("trt", &rows).unwrap();
        let age = frame.numeric("age", &rows).unwrap();
        let pick = |level: f64| -> Vec<f64> {
            age.iter()
                .zip(&arm)
                .filter(|&(_, &a)| a == level)
                .map(|(&v, _)| v)
                .collect()
        };
        let (treated, placebo) = (pick(1.0), pick(2.0));
        assert_eq!((treated.len(), placebo.len()), (158, 154));

        let welch = t_test(&treated, &placebo, TTestVariance::Welch, 0.95).unwrap();
        assert_rel("Welch t", welch.statistic, 2.388_221_672_822_285_6, 1e-12);
        assert_rel("Welch df", welch.df, 308.300_483_782_145_4, 1e-12);
        assert_rel("Welch p", welch.p_value, 0.017_531_775_797_648_82, 1e-9);
        assert_rel("Welch lower", welch.lower, 0.499_480_864_534_689_76, 1e-9);
        assert_rel("Welch upper", welch.upper, 5.173_654_722_878_425, 1e-9);

        let pooled = t_test(&treated, &placebo, TTestVariance::Pooled, 0.95).unwrap();
        assert_rel("pooled t", pooled.statistic, 2.385_156_486_027_985, 1e-12);
        assert_eq!(pooled.df, 310.0);
        assert_rel("pooled p", pooled.p_value, 0.017_672_466_643_959_533, 1e-9);
        assert_rel("pooled lower", pooled.lower, 0.496_528_008_608_986_05, 1e-9);
        assert_rel("pooled upper", pooled.upper, 5.176_607_578_804_128, 1e-9);
    }

    #[test]
    fn welch_needs_two_per_group() {
        let err = t_test(&[1.0], &[2.0, 3.0], TTestVariance::Welch, 0.95).unwrap_err();
        assert!(
            matches!(
                err,
                StatsError::TooFewRows {
                    needed: 2,
                    got: 1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn pooled_accepts_one_value_in_a_group() {
        let test = t_test(&[1.0], &[2.0, 3.0, 4.0], TTestVariance::Pooled, 0.95).unwrap();
        assert_eq!(test.df, 2.0);
        assert!(test.p_value > 0.0, "p = {}", test.p_value);
        assert!(test.p_value < 1.0, "p = {}", test.p_value);
    }

    #[test]
    fn pooled_needs_three_in_all() {
        let err = t_test(&[1.0], &[2.0], TTestVariance::Pooled, 0.95).unwrap_err();
        assert!(
            matches!(
                err,
                StatsError::TooFewRows {
                    needed: 3,
                    got: 2,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn constant_groups_rejected() {
        let err = t_test(&[4.0, 4.0], &[4.0, 4.0, 4.0], TTestVariance::Welch, 0.95).unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }), "{err}");
        let err = t_test(&[1.0, 1.0], &[2.0, 2.0], TTestVariance::Pooled, 0.95).unwrap_err();
        assert!(matches!(err, StatsError::NotEstimable { .. }), "{err}");
    }

    #[test]
    fn non_finite_value_rejected() {
        let err = t_test(&[1.0, f64::NAN], &[2.0, 3.0], TTestVariance::Welch, 0.95).unwrap_err();
        assert!(matches!(err, StatsError::NonFinite { row: 1, .. }), "{err}");
    }

    #[test]
    fn confidence_level_checked() {
        let err = t_test(&SLEEP_1, &SLEEP_2, TTestVariance::Welch, 1.0).unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidParameter {
                name: "conf_level",
                ..
            }
        ));
    }
}
