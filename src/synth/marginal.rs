//! Marginal distributions of the synthetic baseline variables and the
//! rank-based draw that ties them to the latent patient factors.
//!
//! Every variable is drawn in two steps. First, a latent score (a weighted
//! sum of the patient's latent factors plus independent normal noise) is
//! ranked within the treatment group, and rank `r` of `n` becomes the
//! stratified uniform `u = (r + v) / n` with `v` uniform on [0, 1). Then `u`
//! passes through the variable's quantile function. The ranks carry the
//! correlations of a Gaussian copula, and the stratification makes the share
//! of every category in a group equal its target to within one patient,
//! whatever the cohort size.

use std::f64::consts::SQRT_2;
use std::ops::Range;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::function::erf::{erfc, erfc_inv};

/// Standard normal distribution function Φ.
pub(super) fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Standard normal quantile Φ⁻¹, with `p` kept inside (0, 1) so that the
/// result is finite.
pub(super) fn normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    -SQRT_2 * erfc_inv(2.0 * p)
}

/// Quantile `u` of the standard normal truncated to `[a, b]`, by inversion of
/// the distribution function.
///
/// An interval in the upper tail is mirrored into the lower tail, where Φ
/// keeps its relative precision.
pub(super) fn truncated_normal_quantile(a: f64, b: f64, u: f64) -> f64 {
    if a > 0.0 {
        return -truncated_normal_quantile(-b, -a, 1.0 - u);
    }
    let (pa, pb) = (normal_cdf(a), normal_cdf(b));
    normal_quantile(pa + u * (pb - pa)).clamp(a, b)
}

/// Draws a score per patient: the weighted sum of latent factors plus
/// independent standard normal noise times `noise_sd`.
pub(super) fn latent_score(
    rng: &mut ChaCha8Rng,
    terms: &[(f64, &[f64])],
    noise_sd: f64,
    patients: usize,
) -> Vec<f64> {
    (0..patients)
        .map(|i| {
            let systematic: f64 = terms
                .iter()
                .map(|(weight, factor)| weight * factor[i])
                .sum();
            let noise: f64 = rng.sample(StandardNormal);
            systematic + noise_sd * noise
        })
        .collect()
}

/// Draws stratified uniforms from the ranks of `scores` within each group.
/// The patient ranked `r` (from the lowest score) of `n` gets `(r + v) / n`
/// with `v` uniform on [0, 1).
pub(super) fn stratified_uniforms(
    rng: &mut ChaCha8Rng,
    scores: &[f64],
    groups: &[Range<usize>],
) -> Vec<f64> {
    let mut uniforms = vec![0.0; scores.len()];
    for group in groups {
        let mut order: Vec<usize> = group.clone().collect();
        order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let n = order.len() as f64;
        for (rank, &patient) in order.iter().enumerate() {
            uniforms[patient] = (rank as f64 + rng.random::<f64>()) / n;
        }
    }
    uniforms
}

/// Flags the `count` members with the highest scores (all of them when there
/// are fewer members than `count`).
pub(super) fn flag_highest(scores: &[f64], members: &[usize], count: usize, flags: &mut [bool]) {
    let mut order = members.to_vec();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    for &patient in order.iter().take(count) {
        flags[patient] = true;
    }
}

/// Index of the category that the uniform `u` falls in when categories take
/// consecutive slices of [0, 1) of the given shares.
pub(super) fn category(u: f64, shares: &[f64]) -> usize {
    let mut cumulative = 0.0;
    for (index, share) in shares.iter().enumerate() {
        cumulative += share;
        if u < cumulative {
            return index;
        }
    }
    shares.len() - 1
}

/// Whether a marginal distribution is normal on the natural or on the log
/// scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    Linear,
    Log,
}

impl Scale {
    fn forward(self, value: f64) -> f64 {
        match self {
            Scale::Linear => value,
            Scale::Log => value.ln(),
        }
    }

    fn backward(self, value: f64) -> f64 {
        match self {
            Scale::Linear => value,
            Scale::Log => value.exp(),
        }
    }
}

/// A normal (or log-normal) distribution truncated to `[lower, upper]` and
/// cut into bins at `cuts`, whose quantile function gives bin `k` exactly
/// the share `shares[k]` of the uniforms.
///
/// Within a bin, values follow the base distribution truncated to the bin,
/// so the density is continuous wherever the base distribution already puts
/// about the targeted share in each bin. Bins are half-open, `[cut_k,
/// cut_{k+1})`, as the registry's "at or above" cut-offs are.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BinnedMarginal {
    pub scale: Scale,
    /// Mean of the base distribution on its scale.
    pub center: f64,
    /// Standard deviation of the base distribution on its scale.
    pub spread: f64,
    pub lower: f64,
    pub upper: f64,
    pub cuts: Vec<f64>,
    pub shares: Vec<f64>,
    /// Decimal places the drawn values are rounded to.
    pub decimals: i32,
}

impl BinnedMarginal {
    /// Builds a marginal with one cut whose base distribution puts the share
    /// `share_at_or_above` at or above `cut`, so that the two bins join
    /// without a jump in density.
    pub fn with_cut(
        scale: Scale,
        spread: f64,
        (lower, upper): (f64, f64),
        cut: f64,
        share_at_or_above: f64,
        decimals: i32,
    ) -> Self {
        let center = scale.forward(cut) - spread * normal_quantile(1.0 - share_at_or_above);
        Self {
            scale,
            center,
            spread,
            lower,
            upper,
            cuts: vec![cut],
            shares: vec![1.0 - share_at_or_above, share_at_or_above],
            decimals,
        }
    }

    /// Builds a marginal whose base distribution is fitted to the shares
    /// below the first cut and at or above the last one, so that the outer
    /// bins join their neighbours smoothly. Middle bins still get their exact
    /// shares.
    pub fn fitted(
        scale: Scale,
        (lower, upper): (f64, f64),
        cuts: &[f64],
        shares: &[f64],
        decimals: i32,
    ) -> Self {
        let first_cut = scale.forward(cuts[0]);
        let last_cut = scale.forward(cuts[cuts.len() - 1]);
        let z_first = normal_quantile(shares[0]);
        let z_last = normal_quantile(1.0 - shares[shares.len() - 1]);
        let spread = (last_cut - first_cut) / (z_last - z_first);
        Self {
            scale,
            center: first_cut - spread * z_first,
            spread,
            lower,
            upper,
            cuts: cuts.to_vec(),
            shares: shares.to_vec(),
            decimals,
        }
    }

    /// Builds a truncated normal (or log-normal) marginal with no cuts.
    pub fn unbinned(
        scale: Scale,
        center: f64,
        spread: f64,
        (lower, upper): (f64, f64),
        decimals: i32,
    ) -> Self {
        Self {
            scale,
            center,
            spread,
            lower,
            upper,
            cuts: Vec::new(),
            shares: vec![1.0],
            decimals,
        }
    }

    /// Returns the value at stratified uniform `u`, rounded to the
    /// marginal's decimals without leaving its bin.
    pub fn value_at(&self, u: f64) -> f64 {
        let bin = category(u, &self.shares);
        let below: f64 = self.shares[..bin].iter().sum();
        let within = ((u - below) / self.shares[bin]).clamp(0.0, 1.0);
        let (low, high) = self.bin_edges(bin);
        let to_z = |value: f64| (self.scale.forward(value) - self.center) / self.spread;
        let z = truncated_normal_quantile(to_z(low), to_z(high), within);
        let value = self.scale.backward(self.center + self.spread * z);
        round_within(value, self.decimals, low, high)
    }

    fn bin_edges(&self, bin: usize) -> (f64, f64) {
        let low = if bin == 0 {
            self.lower
        } else {
            self.cuts[bin - 1]
        };
        let high = if bin == self.cuts.len() {
            self.upper
        } else {
            self.cuts[bin]
        };
        (low, high)
    }
}

/// `value` rounded to `decimals` places and kept in the half-open bin
/// `[low, high)`, so that rounding never moves a value across a cut-off.
pub(super) fn round_within(value: f64, decimals: i32, low: f64, high: f64) -> f64 {
    let scale = 10f64.powi(decimals);
    let step = 1.0 / scale;
    let rounded = (value * scale).round() / scale;
    if rounded >= high {
        ((high - step) * scale).round() / scale
    } else if rounded < low {
        (low * scale).ceil() / scale
    } else {
        rounded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn normal_quantile_inverts_cdf() {
        for z in [-6.0, -1.96, -0.3, 0.0, 0.7, 2.5] {
            assert!((normal_quantile(normal_cdf(z)) - z).abs() < 1e-9, "z = {z}");
        }
    }

    #[test]
    fn truncated_quantile_stays_in_interval() {
        for (a, b) in [(-1.0, 1.0), (2.0, 9.0), (-9.0, -4.0), (5.0, 6.0)] {
            for u in [0.0, 0.25, 0.5, 0.999, 1.0] {
                let z = truncated_normal_quantile(a, b, u);
                assert!((a..=b).contains(&z), "[{a}, {b}] at {u}: {z}");
            }
        }
        // Truncated to [0, ∞) the median is Φ⁻¹(0.75) = 0.6745.
        let median = truncated_normal_quantile(0.0, f64::INFINITY, 0.5);
        assert!((median - 0.674_489_750_196).abs() < 1e-9);
    }

    #[test]
    fn stratified_shares_are_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let scores = latent_score(&mut rng, &[], 1.0, 1000);
        let uniforms = stratified_uniforms(&mut rng, &scores, &[0..400, 400..1000]);
        let above = |range: Range<usize>| range.filter(|&i| uniforms[i] >= 0.7).count();
        // 30% of 400 and of 600: every rank from 0.7·n upwards.
        assert_eq!(above(0..400), 120);
        assert_eq!(above(400..1000), 180);
    }

    #[test]
    fn binned_marginal_keeps_bins() {
        let marginal = BinnedMarginal::with_cut(Scale::Log, 1.0, (1.0, 1e5), 400.0, 0.4, 1);
        assert_eq!(marginal.value_at(0.599_999), 399.9);
        assert!(marginal.value_at(0.6) >= 400.0);
        assert!(marginal.value_at(0.0) >= 1.0);
        assert!(marginal.value_at(0.999_999_9) <= 1e5);
    }

    #[test]
    fn rounding_respects_cut() {
        assert_eq!(round_within(399.97, 1, 0.0, 400.0), 399.9);
        assert_eq!(round_within(64.6, 0, 18.0, 65.0), 64.0);
        assert_eq!(round_within(143.46, 1, 143.5, 1500.0), 143.5);
        assert_eq!(round_within(12.34, 1, 0.0, 400.0), 12.3);
    }
}
