//! A symmetric LDLᵀ factorisation with a pivot tolerance, for the Cox
//! information matrix.
//!
//! A pivot below `toler` times the largest diagonal element marks its column
//! as singular (a linear combination of earlier columns, or a direction with
//! no information), as R survival's `cholesky2` decides it. Solves and the
//! inverse then treat that column as absent, giving a generalised inverse
//! with zeros in its row and column.

/// The factors of a symmetric positive semi-definite matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Ldl {
    p: usize,
    /// Unit lower triangle below the diagonal, pivots on it; row-major.
    factor: Vec<f64>,
    singular: Vec<bool>,
}

impl Ldl {
    /// Factor a symmetric row-major `p × p` matrix, reading its lower
    /// triangle.
    pub fn new(matrix: &[f64], p: usize, toler: f64) -> Self {
        let mut factor = matrix.to_vec();
        let largest = (0..p).fold(0.0_f64, |m, i| m.max(matrix[i * p + i]));
        let threshold = toler * largest;
        let mut singular = vec![false; p];
        for i in 0..p {
            let pivot = factor[i * p + i];
            if !pivot.is_finite() || pivot < threshold || largest == 0.0 {
                singular[i] = true;
                factor[i * p + i] = 0.0;
                for j in i + 1..p {
                    factor[j * p + i] = 0.0;
                }
                continue;
            }
            for j in i + 1..p {
                let ratio = factor[j * p + i] / pivot;
                factor[j * p + i] = ratio;
                factor[j * p + j] -= ratio * ratio * pivot;
                for k in j + 1..p {
                    factor[k * p + j] -= ratio * factor[k * p + i];
                }
            }
        }
        Self {
            p,
            factor,
            singular,
        }
    }

    /// The first column found singular, if any.
    pub fn first_singular(&self) -> Option<usize> {
        self.singular.iter().position(|&s| s)
    }

    /// Solve `A·x = b`, with 0 for the components of singular columns.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut y = b.to_vec();
        for i in 0..p {
            for j in 0..i {
                y[i] -= self.factor[i * p + j] * y[j];
            }
        }
        for i in (0..p).rev() {
            if self.singular[i] {
                y[i] = 0.0;
                continue;
            }
            y[i] /= self.factor[i * p + i];
            for j in i + 1..p {
                y[i] -= self.factor[j * p + i] * y[j];
            }
        }
        y
    }

    /// The (generalised) inverse, row-major `p × p`.
    pub fn inverse(&self) -> Vec<f64> {
        let p = self.p;
        let mut inverse = vec![0.0; p * p];
        for j in 0..p {
            let mut unit = vec![0.0; p];
            unit[j] = 1.0;
            for (i, v) in self.solve(&unit).into_iter().enumerate() {
                inverse[i * p + j] = v;
            }
        }
        // Average the two triangles so the result is exactly symmetric.
        for i in 0..p {
            for j in 0..i {
                let mean = (inverse[i * p + j] + inverse[j * p + i]) / 2.0;
                inverse[i * p + j] = mean;
                inverse[j * p + i] = mean;
            }
        }
        inverse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts_two_by_two() {
        // A = [[4, 2], [2, 3]], det 8, inverse [[3, −2], [−2, 4]]/8.
        let ldl = Ldl::new(&[4.0, 2.0, 2.0, 3.0], 2, 1e-12);
        assert_eq!(ldl.first_singular(), None);
        let x = ldl.solve(&[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
        let inv = ldl.inverse();
        let expected = [0.375, -0.25, -0.25, 0.5];
        for (a, e) in inv.iter().zip(expected) {
            assert!((a - e).abs() < 1e-15);
        }
    }

    #[test]
    fn collinear_column_marked_singular() {
        // Column 2 = 2 × column 1.
        let ldl = Ldl::new(&[1.0, 2.0, 2.0, 4.0], 2, 1e-12);
        assert_eq!(ldl.first_singular(), Some(1));
        let x = ldl.solve(&[1.0, 2.0]);
        assert_eq!(x, vec![1.0, 0.0]);
        assert_eq!(ldl.inverse(), vec![1.0, 0.0, 0.0, 0.0]);
    }
}
