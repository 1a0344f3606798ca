//! The elastic-net solver at one value of lambda: proximal Newton steps
//! whose quadratic subproblems are solved by cyclic coordinate descent, as
//! glmnet 4.1 solves its Cox and logistic problems.
//!
//! The objective on standardised columns is
//! `deviance(eta) / (2n) + lambda * ((1 - alpha) / 2 * |b|^2 + alpha * |b|_1)`
//! with `eta = b0 + X b` (no `b0` for Cox). Each outer step replaces the
//! log-likelihood by its second-order expansion with the diagonal of the
//! Hessian in `eta` (glmnet's working weights), then sweeps the coordinates
//! with soft-thresholding until no coefficient moves. A halving line search
//! on the exact objective guards the outer step, which glmnet does without.

use nalgebra::DMatrix;

use super::family::Family;
use crate::stats::StatsError;

/// Data and stopping rules shared by every lambda of one path.
pub(crate) struct Problem<'a> {
    /// Standardised design, one column per covariate.
    pub x: &'a DMatrix<f64>,
    pub family: &'a dyn Family,
    /// Columns that take part; an excluded (constant) column keeps a zero
    /// coefficient, as glmnet does for a column with no variation.
    pub included: &'a [bool],
    /// Stop when every coordinate's move `v_j * delta^2` is below this.
    pub threshold: f64,
    /// Limit on coordinate-descent passes over the columns, for the path.
    pub max_passes: usize,
}

/// Coefficients on the standardised scale and their linear predictor.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub intercept: f64,
    pub beta: Vec<f64>,
    pub eta: Vec<f64>,
}

impl Solution {
    /// All coefficients zero and the given intercept.
    pub(crate) fn null(n: usize, p: usize, intercept: f64) -> Self {
        Self {
            intercept,
            beta: vec![0.0; p],
            eta: vec![intercept; n],
        }
    }
}

/// Penalty `lambda * ((1 - alpha) / 2 * |b|^2 + alpha * |b|_1)`.
fn penalty(beta: &[f64], lambda: f64, alpha: f64) -> f64 {
    let (l1, l2) = beta
        .iter()
        .fold((0.0, 0.0), |(a, b), &v| (a + v.abs(), b + v * v));
    lambda * ((1.0 - alpha) / 2.0 * l2 + alpha * l1)
}

/// The penalised objective at a solution.
pub(crate) fn objective(problem: &Problem, solution: &Solution, lambda: f64, alpha: f64) -> f64 {
    let n = problem.x.nrows() as f64;
    problem.family.deviance(&solution.eta) / (2.0 * n) + penalty(&solution.beta, lambda, alpha)
}

/// State of one quadratic subproblem: the gradient residual `r` of the
/// quadratic model at the current point, the products `H x_j` of the
/// negative Hessian with each column (and with the intercept's column of
/// ones), and the curvature `v_j = x_j' H x_j / n` of each coordinate.
struct Quadratic {
    r: Vec<f64>,
    hx: Vec<Vec<f64>>,
    v: Vec<f64>,
    h_one: Vec<f64>,
    v_intercept: f64,
}

/// Minimise the penalised objective at `lambda`, starting from `start`.
///
/// `passes` counts coordinate-descent passes across calls, so that a path
/// shares one limit.
///
/// # Errors
///
/// [`StatsError::NotConverged`] when `problem.max_passes` passes do not
/// reach the threshold.
pub(crate) fn solve(
    problem: &Problem,
    lambda: f64,
    alpha: f64,
    start: Solution,
    passes: &mut usize,
) -> Result<Solution, StatsError> {
    let mut current = start;
    loop {
        let previous = current.clone();
        let mut quadratic = expand(problem, &current.eta);
        minimise_quadratic(problem, &mut quadratic, &mut current, lambda, alpha, passes)?;
        current = line_search(problem, previous.clone(), current, lambda, alpha);

        // Converged when the outer step moved no coordinate measurably.
        let moved = (0..current.beta.len())
            .map(|j| quadratic.v[j] * (current.beta[j] - previous.beta[j]).powi(2))
            .fold(
                quadratic.v_intercept * (current.intercept - previous.intercept).powi(2),
                f64::max,
            );
        if moved < problem.threshold {
            return Ok(current);
        }
        if *passes > problem.max_passes {
            return Err(StatsError::NotConverged {
                iterations: *passes,
            });
        }
    }
}

/// Second-order expansion of the log-likelihood at `eta` with the full
/// Hessian, so that the outer iterations converge quadratically even where
/// the Cox Hessian is far from diagonal.
fn expand(problem: &Problem, eta: &[f64]) -> Quadratic {
    let n = eta.len();
    let mut gradient = vec![0.0; n];
    let mut diagonal = vec![0.0; n];
    problem.family.working(eta, &mut gradient, &mut diagonal);
    let mut hx = Vec::with_capacity(problem.x.ncols());
    let mut v = Vec::with_capacity(problem.x.ncols());
    for j in 0..problem.x.ncols() {
        if !problem.included[j] {
            hx.push(Vec::new());
            v.push(0.0);
            continue;
        }
        let column = problem.x.column(j);
        let product = problem.family.hessian_product(eta, column.as_slice());
        v.push(column.iter().zip(&product).map(|(x, h)| x * h).sum::<f64>() / n as f64);
        hx.push(product);
    }
    let (h_one, v_intercept) = if problem.family.has_intercept() {
        let product = problem.family.hessian_product(eta, &vec![1.0; n]);
        let curvature = product.iter().sum::<f64>() / n as f64;
        (product, curvature)
    } else {
        (Vec::new(), 0.0)
    };
    Quadratic {
        r: gradient,
        hx,
        v,
        h_one,
        v_intercept,
    }
}

/// Coordinate descent on the quadratic model: a pass over every column,
/// then passes over the nonzero ones until they settle, repeated until a
/// full pass changes nothing.
fn minimise_quadratic(
    problem: &Problem,
    quadratic: &mut Quadratic,
    solution: &mut Solution,
    lambda: f64,
    alpha: f64,
    passes: &mut usize,
) -> Result<(), StatsError> {
    let all: Vec<usize> = (0..problem.x.ncols())
        .filter(|&j| problem.included[j])
        .collect();
    loop {
        let change = sweep(problem, quadratic, solution, &all, lambda, alpha);
        *passes += 1;
        if change < problem.threshold {
            return Ok(());
        }
        if *passes > problem.max_passes {
            return Err(StatsError::NotConverged {
                iterations: *passes,
            });
        }
        loop {
            let active: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&j| solution.beta[j] != 0.0)
                .collect();
            let change = sweep(problem, quadratic, solution, &active, lambda, alpha);
            *passes += 1;
            if change < problem.threshold {
                break;
            }
            if *passes > problem.max_passes {
                return Err(StatsError::NotConverged {
                    iterations: *passes,
                });
            }
        }
    }
}

/// One pass of soft-thresholded coordinate updates over `columns`, then the
/// unpenalised intercept. Returns the largest `v_j * delta_j^2`.
fn sweep(
    problem: &Problem,
    quadratic: &mut Quadratic,
    solution: &mut Solution,
    columns: &[usize],
    lambda: f64,
    alpha: f64,
) -> f64 {
    let n = solution.eta.len() as f64;
    let mut largest: f64 = 0.0;
    for &j in columns {
        let column = problem.x.column(j);
        let v = quadratic.v[j];
        let gradient: f64 = column
            .iter()
            .zip(&quadratic.r)
            .map(|(x, r)| x * r)
            .sum::<f64>()
            / n;
        let u = gradient + v * solution.beta[j];
        let denominator = v + lambda * (1.0 - alpha);
        let updated = if denominator > 0.0 {
            soft_threshold(u, lambda * alpha) / denominator
        } else {
            0.0
        };
        let delta = updated - solution.beta[j];
        if delta == 0.0 {
            continue;
        }
        solution.beta[j] = updated;
        for (i, &x) in column.iter().enumerate() {
            quadratic.r[i] -= quadratic.hx[j][i] * delta;
            solution.eta[i] += x * delta;
        }
        largest = largest.max(v * delta * delta);
    }
    if problem.family.has_intercept() && quadratic.v_intercept > 0.0 {
        let delta = quadratic.r.iter().sum::<f64>() / (quadratic.v_intercept * n);
        solution.intercept += delta;
        for i in 0..quadratic.r.len() {
            quadratic.r[i] -= quadratic.h_one[i] * delta;
            solution.eta[i] += delta;
        }
        largest = largest.max(quadratic.v_intercept * delta * delta);
    }
    largest
}

/// `sign(u) * max(|u| - threshold, 0)`.
fn soft_threshold(u: f64, threshold: f64) -> f64 {
    if u > threshold {
        u - threshold
    } else if u < -threshold {
        u + threshold
    } else {
        0.0
    }
}

/// Halve the step from `previous` to `candidate` while the exact objective
/// goes up; the problem is convex, so a short enough step never does.
fn line_search(
    problem: &Problem,
    previous: Solution,
    candidate: Solution,
    lambda: f64,
    alpha: f64,
) -> Solution {
    let base = objective(problem, &previous, lambda, alpha);
    let mut step = 1.0;
    let mut trial = candidate.clone();
    for _ in 0..30 {
        let value = objective(problem, &trial, lambda, alpha);
        if value.is_finite() && value <= base + 1e-13 * base.abs().max(1.0) {
            return trial;
        }
        step /= 2.0;
        trial = interpolate(problem, &previous, &candidate, step);
    }
    previous
}

/// `previous + step * (candidate - previous)` with its linear predictor.
fn interpolate(
    problem: &Problem,
    previous: &Solution,
    candidate: &Solution,
    step: f64,
) -> Solution {
    let beta: Vec<f64> = previous
        .beta
        .iter()
        .zip(&candidate.beta)
        .map(|(a, b)| a + step * (b - a))
        .collect();
    let intercept = previous.intercept + step * (candidate.intercept - previous.intercept);
    let eta = (0..problem.x.nrows())
        .map(|i| {
            intercept
                + beta
                    .iter()
                    .enumerate()
                    .map(|(j, b)| b * problem.x[(i, j)])
                    .sum::<f64>()
        })
        .collect();
    Solution {
        intercept,
        beta,
        eta,
    }
}
