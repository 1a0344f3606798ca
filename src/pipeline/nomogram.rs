//! Points of a logistic nomogram.
//!
//! Each variable's contribution to the linear predictor, `Σ β·x` over its
//! design columns, ranges over the training data between a minimum and a
//! maximum. The variable with the widest range spans 0–100 points and the
//! others are scaled by the same factor, so a patient's points for a
//! variable are `100·(contribution − minimum) / widest range`. Total points
//! map back to the linear predictor, and so to a probability, by
//! `intercept + Σ minimum + total·widest / 100`.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// Points given to the variable with the widest range of contributions.
pub const MAX_POINTS: f64 = 100.0;

/// One variable (term) of a nomogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NomogramTerm {
    /// The variable's CSV column.
    pub variable: String,
    /// Positions of the variable's columns in the design matrix.
    pub columns: Vec<usize>,
    /// Smallest and largest contribution to the linear predictor in the
    /// training data.
    pub min_contribution: f64,
    pub max_contribution: f64,
}

/// A fitted logistic model laid out as a nomogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nomogram {
    pub intercept: f64,
    /// Coefficients of the design columns.
    pub coefficients: Vec<f64>,
    pub terms: Vec<NomogramTerm>,
    /// Widest contribution range of any term (the one given 100 points).
    pub widest_range: f64,
}

/// Points of one variable for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermPoints {
    pub variable: String,
    pub points: f64,
}

impl Nomogram {
    /// Lay out a logistic fit. `term_of_column[c]` names the variable of
    /// design column `c`; `x_train` is the training design matrix.
    ///
    /// # Errors
    ///
    /// When no variable has any spread of contributions (all coefficients
    /// zero or all columns constant), since points are then undefined.
    pub fn new(
        intercept: f64,
        coefficients: &[f64],
        term_of_column: &[String],
        x_train: &DMatrix<f64>,
    ) -> anyhow::Result<Self> {
        let mut terms: Vec<NomogramTerm> = Vec::new();
        for (c, variable) in term_of_column.iter().enumerate() {
            match terms.iter_mut().find(|t| &t.variable == variable) {
                Some(term) => term.columns.push(c),
                None => terms.push(NomogramTerm {
                    variable: variable.clone(),
                    columns: vec![c],
                    min_contribution: 0.0,
                    max_contribution: 0.0,
                }),
            }
        }
        for term in &mut terms {
            let contributions = (0..x_train.nrows()).map(|i| {
                term.columns
                    .iter()
                    .map(|&c| coefficients[c] * x_train[(i, c)])
                    .sum::<f64>()
            });
            let (lo, hi) = contributions.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
            term.min_contribution = lo;
            term.max_contribution = hi;
        }
        let widest_range = terms
            .iter()
            .map(|t| t.max_contribution - t.min_contribution)
            .fold(0.0, f64::max);
        if !(widest_range > 0.0 && widest_range.is_finite()) {
            anyhow::bail!(
                "the nomogram has no variable whose contribution varies in the training data"
            );
        }
        Ok(Self {
            intercept,
            coefficients: coefficients.to_vec(),
            terms,
            widest_range,
        })
    }

    /// Points of each variable for one design row.
    pub fn points(&self, row: &[f64]) -> Vec<TermPoints> {
        self.terms
            .iter()
            .map(|term| {
                let contribution: f64 = term
                    .columns
                    .iter()
                    .map(|&c| self.coefficients[c] * row[c])
                    .sum();
                TermPoints {
                    variable: term.variable.clone(),
                    points: MAX_POINTS * (contribution - term.min_contribution) / self.widest_range,
                }
            })
            .collect()
    }

    /// Linear predictor (log-odds) for a total number of points.
    pub fn linear_predictor(&self, total_points: f64) -> f64 {
        let base: f64 = self.intercept + self.terms.iter().map(|t| t.min_contribution).sum::<f64>();
        base + total_points * self.widest_range / MAX_POINTS
    }

    /// Probability for a total number of points.
    pub fn probability(&self, total_points: f64) -> f64 {
        logistic(self.linear_predictor(total_points))
    }

    /// Largest total a patient within the training ranges can score.
    pub fn max_total_points(&self) -> f64 {
        self.terms
            .iter()
            .map(|t| MAX_POINTS * (t.max_contribution - t.min_contribution) / self.widest_range)
            .sum()
    }

    /// Total points at which the probability equals `p` (the inverse of
    /// [`Nomogram::probability`]), for drawing the probability axis.
    pub fn points_for_probability(&self, p: f64) -> f64 {
        let logit = (p / (1.0 - p)).ln();
        let base = self.linear_predictor(0.0);
        (logit - base) * MAX_POINTS / self.widest_range
    }
}

/// The logistic function 1 / (1 + e^−x), computed without overflow.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two variables: a continuous one with β = 0.02 over 10–210 (range
    /// 4.0 on the log-odds scale, so it gets 100 points) and a factor with
    /// levels coded in two columns, β = 1.0 and −1.0 (range 2.0, so 50
    /// points between its lowest and highest level).
    fn example() -> Nomogram {
        let x = DMatrix::from_row_slice(
            3,
            3,
            &[
                10.0, 0.0, 0.0, //
                110.0, 1.0, 0.0, //
                210.0, 0.0, 1.0,
            ],
        );
        let terms = vec!["hsp".to_string(), "stage".to_string(), "stage".to_string()];
        Nomogram::new(-1.0, &[0.02, 1.0, -1.0], &terms, &x).unwrap()
    }

    #[test]
    fn widest_variable_spans_100_points() {
        let n = example();
        assert!((n.widest_range - 4.0).abs() < 1e-12);
        let p = n.points(&[210.0, 0.0, 0.0]);
        assert!((p[0].points - 100.0).abs() < 1e-12);
        // Reference level: contribution 0, minimum −1, so (0 + 1)/4·100 = 25.
        assert!((p[1].points - 25.0).abs() < 1e-12);
        // Level with β = 1: (1 + 1)/4·100 = 50.
        let p = n.points(&[10.0, 1.0, 0.0]);
        assert!(p[0].points.abs() < 1e-12);
        assert!((p[1].points - 50.0).abs() < 1e-12);
        assert!((n.max_total_points() - 150.0).abs() < 1e-12);
    }

    #[test]
    fn total_points_reproduce_the_linear_predictor() {
        let n = example();
        let row = [110.0, 1.0, 0.0];
        let total: f64 = n.points(&row).iter().map(|t| t.points).sum();
        let direct = -1.0 + 0.02 * 110.0 + 1.0;
        assert!((n.linear_predictor(total) - direct).abs() < 1e-12);
        assert!((n.probability(total) - logistic(direct)).abs() < 1e-15);
        let back = n.points_for_probability(logistic(direct));
        assert!((back - total).abs() < 1e-9);
    }

    #[test]
    fn flat_model_rejected() {
        let x = DMatrix::from_row_slice(2, 1, &[1.0, 1.0]);
        assert!(Nomogram::new(0.0, &[0.5], &["a".to_string()], &x).is_err());
    }
}
