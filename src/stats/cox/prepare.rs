//! Input checks and the prepared copy of the data that the Cox kernel reads:
//! rows sorted by time, covariates centred and scaled as R survival 3.5
//! `coxph` does before its Newton–Raphson iteration.

use std::ops::Range;

use nalgebra::DMatrix;

use super::super::StatsError;
use super::super::data::{check_finite, check_times};

/// The data of a Cox fit, sorted by increasing time.
///
/// Centring and scaling change neither the partial likelihood nor the Newton
/// path, only its rounding: column j is stored as `(x − means[j])·scale[j]`,
/// so a coefficient on the stored scale is `β_j / scale[j]` on the original
/// one.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub n: usize,
    pub p: usize,
    /// Original row of each sorted position.
    pub order: Vec<usize>,
    /// Times in increasing order.
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    /// Covariates in sorted row order, centred and scaled, row-major `n × p`.
    pub x: Vec<f64>,
    /// Column means used for centring; 0 for columns whose values are all in
    /// {−1, 0, 1}, which R leaves uncentred (`nocenter`).
    pub means: Vec<f64>,
    /// Multiplier of each centred column: `n / Σ|x − mean|`, or 1 for the
    /// uncentred columns.
    pub scale: Vec<f64>,
    /// Runs of equal times in sorted order.
    pub blocks: Vec<Range<usize>>,
    pub events: usize,
}

impl Prepared {
    /// Row `i` (sorted order) of the stored covariates.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }
}

/// Check the inputs of a Cox fit and prepare them for the kernel.
///
/// Rows are sorted by time with ties kept in input order (R `order(time)`);
/// times are compared exactly.
///
/// # Errors
///
/// The checks of [`check_times`]; [`StatsError::LengthMismatch`] when `x`
/// or `names` do not match; [`StatsError::NonFinite`] for a covariate value
/// that is not finite; [`StatsError::TooFewRows`] below 2 rows;
/// [`StatsError::NoEvents`]; and [`StatsError::ConstantCovariate`] for a
/// column with a single value.
pub fn prepare(
    x: &DMatrix<f64>,
    names: &[String],
    time: &[f64],
    event: &[bool],
) -> Result<Prepared, StatsError> {
    check_inputs(x, names, time, event)?;
    let (n, p) = x.shape();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));

    let mut means = vec![0.0; p];
    let mut scale = vec![1.0; p];
    for j in 0..p {
        let column = x.column(j);
        if column.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0) {
            continue;
        }
        means[j] = column.iter().sum::<f64>() / n as f64;
        let spread: f64 = column.iter().map(|v| (v - means[j]).abs()).sum();
        scale[j] = n as f64 / spread;
    }
    let mut stored = Vec::with_capacity(n * p);
    for &row in &order {
        for j in 0..p {
            stored.push((x[(row, j)] - means[j]) * scale[j]);
        }
    }

    let sorted_time: Vec<f64> = order.iter().map(|&i| time[i]).collect();
    Ok(Prepared {
        n,
        p,
        event: order.iter().map(|&i| event[i]).collect(),
        blocks: tie_blocks(&sorted_time),
        time: sorted_time,
        order,
        x: stored,
        means,
        scale,
        events: event.iter().filter(|&&e| e).count(),
    })
}

fn check_inputs(
    x: &DMatrix<f64>,
    names: &[String],
    time: &[f64],
    event: &[bool],
) -> Result<(), StatsError> {
    check_times(time, event)?;
    if x.nrows() != time.len() {
        return Err(StatsError::LengthMismatch {
            what: "covariate rows".into(),
            expected: time.len(),
            got: x.nrows(),
        });
    }
    if names.len() != x.ncols() {
        return Err(StatsError::LengthMismatch {
            what: "covariate names".into(),
            expected: x.ncols(),
            got: names.len(),
        });
    }
    for (j, name) in names.iter().enumerate() {
        check_finite(name, x.column(j).as_slice())?;
    }
    if time.len() < 2 {
        return Err(StatsError::TooFewRows {
            method: "Cox regression",
            needed: 2,
            got: time.len(),
        });
    }
    if !event.iter().any(|&e| e) {
        return Err(StatsError::NoEvents {
            what: "the rows used for the Cox fit".into(),
        });
    }
    for (j, name) in names.iter().enumerate() {
        let first = x[(0, j)];
        if x.column(j).iter().all(|&v| v == first) {
            return Err(StatsError::ConstantCovariate { name: name.clone() });
        }
    }
    Ok(())
}

/// Runs of equal values in a sorted slice.
pub(crate) fn tie_blocks(sorted: &[f64]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let end = start + sorted[start..].partition_point(|&t| t == sorted[start]);
        blocks.push(start..end);
        start = end;
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sorts_centres_and_scales() {
        // Column a = 1, 2, 3 (mean 2, Σ|x − 2| = 2, scale 3/2); column b is
        // 0/1 and stays as it is.
        let x = DMatrix::from_row_slice(3, 2, &[3.0, 1.0, 1.0, 0.0, 2.0, 1.0]);
        let prepared = prepare(
            &x,
            &names(&["a", "b"]),
            &[5.0, 1.0, 3.0],
            &[true, false, true],
        )
        .unwrap();
        assert_eq!(prepared.order, vec![1, 2, 0]);
        assert_eq!(prepared.means, vec![2.0, 0.0]);
        assert_eq!(prepared.scale, vec![1.5, 1.0]);
        assert_eq!(prepared.row(0), &[-1.5, 0.0]);
        assert_eq!(prepared.row(2), &[1.5, 1.0]);
        assert_eq!(prepared.blocks, vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn constant_covariate_rejected() {
        let x = DMatrix::from_row_slice(3, 1, &[2.0, 2.0, 2.0]);
        let err = prepare(&x, &names(&["c"]), &[1.0, 2.0, 3.0], &[true; 3]).unwrap_err();
        assert_eq!(err, StatsError::ConstantCovariate { name: "c".into() });
    }

    #[test]
    fn single_row_rejected() {
        let x = DMatrix::from_row_slice(1, 1, &[2.0]);
        let err = prepare(&x, &names(&["c"]), &[1.0], &[true]).unwrap_err();
        assert!(matches!(err, StatsError::TooFewRows { got: 1, .. }));
    }

    #[test]
    fn all_censored_rejected() {
        let x = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
        let err = prepare(&x, &names(&["c"]), &[1.0, 2.0], &[false; 2]).unwrap_err();
        assert!(matches!(err, StatsError::NoEvents { .. }));
    }

    #[test]
    fn non_finite_covariate_rejected() {
        let x = DMatrix::from_row_slice(2, 1, &[1.0, f64::NAN]);
        let err = prepare(&x, &names(&["c"]), &[1.0, 2.0], &[true; 2]).unwrap_err();
        assert!(matches!(err, StatsError::NonFinite { row: 1, .. }));
    }

    #[test]
    fn ties_form_blocks() {
        assert_eq!(
            tie_blocks(&[1.0, 1.0, 2.0, 3.0, 3.0]),
            vec![0..2, 2..3, 3..5]
        );
    }
}
