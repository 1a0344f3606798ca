//! The two likelihoods that the penalised fits use: the Breslow partial
//! likelihood of a Cox model and the binomial likelihood of a logistic
//! model. Each gives, at a linear predictor `eta`, the gradient of the
//! log-likelihood with respect to `eta`, the diagonal of its negative
//! Hessian, and the deviance.

/// A log-likelihood in the linear predictor, as the coordinate-descent
/// solver needs it.
pub(crate) trait Family {
    /// Whether the model has an unpenalised intercept.
    fn has_intercept(&self) -> bool;

    /// Fill `gradient[i] = d loglik / d eta_i` and `weight[i]` with the
    /// i-th diagonal element of `-d2 loglik / d eta2`.
    fn working(&self, eta: &[f64], gradient: &mut [f64], weight: &mut [f64]);

    /// The product `H v` of the negative Hessian of the log-likelihood in
    /// `eta` with a vector `v`.
    fn hessian_product(&self, eta: &[f64], v: &[f64]) -> Vec<f64>;

    /// Deviance `2 (loglik_saturated - loglik(eta))`.
    fn deviance(&self, eta: &[f64]) -> f64;
}

/// Right-censored survival data prepared for the Breslow partial likelihood.
///
/// A subject censored at an event time stays in that event's risk set, as R
/// survival's `coxph` and the textbook Breslow likelihood have it.
pub(crate) struct CoxFamily {
    /// Row indices sorted by increasing time.
    order: Vec<usize>,
    /// For each position in `order`, the index of its distinct-time block.
    block_of: Vec<usize>,
    /// Position in `order` where each distinct-time block starts.
    block_start: Vec<usize>,
    /// Number of events in each distinct-time block.
    deaths: Vec<f64>,
    event: Vec<bool>,
    /// `-sum_k d_k log d_k`, the log-likelihood of the saturated model.
    saturated: f64,
}

impl CoxFamily {
    /// Prepare sorted blocks of equal times. The caller has checked the
    /// times and that there is at least one event.
    pub(crate) fn new(time: &[f64], event: &[bool]) -> Self {
        let mut order: Vec<usize> = (0..time.len()).collect();
        order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
        let mut block_of = Vec::with_capacity(order.len());
        let mut block_start = Vec::new();
        let mut deaths = Vec::new();
        for (position, &row) in order.iter().enumerate() {
            let new_block = position == 0 || time[row] != time[order[position - 1]];
            if new_block {
                block_start.push(position);
                deaths.push(0.0);
            }
            let block = block_start.len() - 1;
            block_of.push(block);
            if event[row] {
                deaths[block] += 1.0;
            }
        }
        let saturated = -deaths
            .iter()
            .filter(|&&d| d > 0.0)
            .map(|&d: &f64| d * d.ln())
            .sum::<f64>();
        Self {
            order,
            block_of,
            block_start,
            deaths,
            event: event.to_vec(),
            saturated,
        }
    }

    /// `exp(eta - max eta)` and the risk-set sums `S_k` of each block (sum
    /// over subjects with time at or after the block's time). The shift
    /// leaves the partial likelihood unchanged and keeps `exp` finite.
    fn risk_sums(&self, eta: &[f64]) -> (Vec<f64>, Vec<f64>, f64) {
        let shift = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp_eta: Vec<f64> = eta.iter().map(|&e| (e - shift).exp()).collect();
        let sums = self.block_sums(&exp_eta);
        (exp_eta, sums, shift)
    }

    /// Sums of `values` over each block's risk set (subjects with time at
    /// or after the block's time).
    fn block_sums(&self, values: &[f64]) -> Vec<f64> {
        let mut sums = vec![0.0; self.block_start.len()];
        let mut running = 0.0;
        for block in (0..self.block_start.len()).rev() {
            let end = self
                .block_start
                .get(block + 1)
                .copied()
                .unwrap_or(self.order.len());
            for &row in &self.order[self.block_start[block]..end] {
                running += values[row];
            }
            sums[block] = running;
        }
        sums
    }

    /// Breslow log partial likelihood
    /// `sum_k [ sum_{i in D_k} eta_i - d_k log S_k ]`.
    pub(crate) fn loglik(&self, eta: &[f64]) -> f64 {
        let (_, sums, shift) = self.risk_sums(eta);
        let mut value = 0.0;
        for (i, &e) in eta.iter().enumerate() {
            if self.event[i] {
                value += e - shift;
            }
        }
        for (block, &d) in self.deaths.iter().enumerate() {
            if d > 0.0 {
                value -= d * sums[block].ln();
            }
        }
        value
    }
}

impl Family for CoxFamily {
    fn has_intercept(&self) -> bool {
        false
    }

    fn working(&self, eta: &[f64], gradient: &mut [f64], weight: &mut [f64]) {
        let (exp_eta, sums, _) = self.risk_sums(eta);
        // Running sums over event blocks up to each time of d_k / S_k and
        // d_k / S_k^2; a subject is at risk at every event time up to its own.
        let mut first = 0.0;
        let mut second = 0.0;
        let mut current_block = usize::MAX;
        for (position, &row) in self.order.iter().enumerate() {
            let block = self.block_of[position];
            if block != current_block {
                current_block = block;
                let d = self.deaths[block];
                if d > 0.0 {
                    first += d / sums[block];
                    second += d / (sums[block] * sums[block]);
                }
            }
            let e = exp_eta[row];
            let event = if self.event[row] { 1.0 } else { 0.0 };
            gradient[row] = event - e * first;
            weight[row] = (e * first - e * e * second).max(0.0);
        }
    }

    /// With `pi_k = exp(eta) 1{at risk at t_k} / S_k`, the negative Hessian
    /// is `sum_k d_k (diag(pi_k) - pi_k pi_k')`, so
    /// `(H v)_i = e_i (v_i sum_k d_k / S_k - sum_k d_k M_k / S_k^2)` over the
    /// event times up to `t_i`, where `M_k` sums `e_j v_j` over the risk set.
    fn hessian_product(&self, eta: &[f64], v: &[f64]) -> Vec<f64> {
        let (exp_eta, sums, _) = self.risk_sums(eta);
        let weighted: Vec<f64> = exp_eta.iter().zip(v).map(|(e, x)| e * x).collect();
        let moments = self.block_sums(&weighted);
        let mut product = vec![0.0; eta.len()];
        let mut first = 0.0;
        let mut cross = 0.0;
        let mut current_block = usize::MAX;
        for (position, &row) in self.order.iter().enumerate() {
            let block = self.block_of[position];
            if block != current_block {
                current_block = block;
                let d = self.deaths[block];
                if d > 0.0 {
                    first += d / sums[block];
                    cross += d * moments[block] / (sums[block] * sums[block]);
                }
            }
            product[row] = exp_eta[row] * (v[row] * first - cross);
        }
        product
    }

    fn deviance(&self, eta: &[f64]) -> f64 {
        2.0 * (self.saturated - self.loglik(eta))
    }
}

/// A 0/1 outcome for the binomial likelihood with the logit link.
pub(crate) struct BinomialFamily {
    y: Vec<f64>,
}

impl BinomialFamily {
    pub(crate) fn new(y: &[bool]) -> Self {
        Self {
            y: y.iter().map(|&v| f64::from(u8::from(v))).collect(),
        }
    }
}

impl Family for BinomialFamily {
    fn has_intercept(&self) -> bool {
        true
    }

    fn working(&self, eta: &[f64], gradient: &mut [f64], weight: &mut [f64]) {
        for (i, &e) in eta.iter().enumerate() {
            let p = crate::stats::logistic::expit(e);
            gradient[i] = self.y[i] - p;
            weight[i] = p * (1.0 - p);
        }
    }

    fn hessian_product(&self, eta: &[f64], v: &[f64]) -> Vec<f64> {
        eta.iter()
            .zip(v)
            .map(|(&e, &x)| {
                let p = crate::stats::logistic::expit(e);
                p * (1.0 - p) * x
            })
            .collect()
    }

    fn deviance(&self, eta: &[f64]) -> f64 {
        // -2 loglik with log(1 + exp(eta)) written to avoid overflow.
        let mut total = 0.0;
        for (&y, &e) in self.y.iter().zip(eta) {
            let log_one_plus_exp = if e > 0.0 {
                e + (-e).exp().ln_1p()
            } else {
                e.exp().ln_1p()
            };
            total += log_one_plus_exp - y * e;
        }
        2.0 * total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cox_null_deviance_by_hand() {
        // Times 1, 2, 2+, 3 with events at 1, 2 and 3; eta = 0.
        // Risk sets: 4 at time 1, 3 at time 2 (the censoring at 2 stays),
        // 1 at time 3. loglik = -ln 4 - ln 3 - ln 1 and the saturated
        // loglik is 0 (one death per time), so deviance = 2 ln 12.
        let family = CoxFamily::new(&[1.0, 2.0, 2.0, 3.0], &[true, true, false, true]);
        let deviance = family.deviance(&[0.0; 4]);
        assert!((deviance - 2.0 * 12f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn cox_gradient_by_hand() {
        // Same data: subject 0 (event at 1) has gradient 1 - 1/4; subject 3
        // (event at 3) has 1 - (1/4 + 1/3 + 1/1); the censored subject 2
        // has 0 - (1/4 + 1/3).
        let family = CoxFamily::new(&[1.0, 2.0, 2.0, 3.0], &[true, true, false, true]);
        let mut gradient = [0.0; 4];
        let mut weight = [0.0; 4];
        family.working(&[0.0; 4], &mut gradient, &mut weight);
        assert!((gradient[0] - 0.75).abs() < 1e-15);
        assert!((gradient[2] + 7.0 / 12.0).abs() < 1e-15);
        assert!((gradient[3] - (1.0 - 19.0 / 12.0)).abs() < 1e-15);
        // The weights are e*A - e^2*B: subject 0 has 1/4 - 1/16.
        assert!((weight[0] - 3.0 / 16.0).abs() < 1e-15);
    }

    #[test]
    fn binomial_deviance_at_half() {
        let family = BinomialFamily::new(&[true, false]);
        assert!((family.deviance(&[0.0, 0.0]) - 4.0 * 2f64.ln()).abs() < 1e-15);
    }
}
