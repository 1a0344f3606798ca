//! The log-rank split statistic of a survival tree node and the search for
//! the best cut of one variable.
//!
//! For a node with event times `t` (numbers at risk `Y(t)`, events `d(t)`,
//! both weighted by bootstrap multiplicity) and a left child `L`, the
//! statistic is the two-sample log-rank test of Ishwaran et al. (2008) as
//! ranger 0.14 computes it for `splitrule = "logrank"`:
//!
//! ```text
//! U = sum_t [d_L(t) - Y_L(t) d(t) / Y(t)]
//! V = sum_t w(t) [Y_L(t)/Y(t) - (Y_L(t)/Y(t))^2],   w(t) = d(t) (Y(t) - d(t)) / (Y(t) - 1)
//! statistic = |U| / sqrt(V)
//! ```
//!
//! with `w(t) = 0` where `Y(t) <= 1`. Evaluating it directly costs one pass
//! over the node's event times per cut. Here it costs O(log K) per moved
//! sample, where K is the number of distinct times in the node:
//!
//! - with the node's Nelson–Aalen estimate `H(s) = sum_{t <= s} d(t)/Y(t)`,
//!   `U = sum_{i in L} w_i (delta_i - H(T_i))`, a sum of per-sample terms;
//! - with `A(s) = sum_{t <= s} w(t)/Y(t)`, the linear part of `V` is
//!   `sum_{i in L} w_i A(T_i)`;
//! - with `W2(s) = sum_{t <= s} w(t)/Y(t)^2`, the quadratic part is
//!   `sum_{i, j in L} w_i w_j W2(min(T_i, T_j))`. Moving sample `k` into `L`
//!   adds `w_k^2 W2(T_k) + 2 w_k sum_{j in L} w_j W2(min(T_k, T_j))`, and the
//!   inner sum is a prefix sum of `w_j W2(T_j)` over the samples with
//!   `T_j <= T_k` plus `W2(T_k)` times the weight of the samples with
//!   `T_j > T_k`, both read from a Fenwick tree over the node's time ranks.
//!
//! `direct_statistic` computes `U` and `V` the textbook way; the unit tests
//! check the fast sweep against it on random data.

use super::tree::TrainingSet;

/// Nelson–Aalen and log-rank quantities of one node, per distinct time and
/// per sample.
///
/// The node's samples are given in increasing time order, so the distinct
/// times are ranked `0..K` by one pass. Vectors indexed by position follow
/// the order of the node's sample slice.
#[derive(Debug, Default)]
pub(super) struct NodeStatistics {
    /// Rank of each sample's time among the node's distinct times.
    pub rank: Vec<u32>,
    /// Bootstrap multiplicity of each sample.
    pub weights: Vec<u32>,
    /// `w_i (delta_i - H(T_i))`: the sample's share of the numerator `U`.
    pub score: Vec<f64>,
    /// `w_i A(T_i)`: the sample's share of the linear part of `V`.
    pub linear: Vec<f64>,
    /// `W2` at each distinct time.
    pub quadratic_weight: Vec<f64>,
    /// Distinct times of the node: the global time rank, the weight of
    /// events and the weight at risk.
    pub times: Vec<TimeCount>,
    /// Total bootstrap weight of the node.
    pub total_weight: u64,
    /// Total event weight of the node.
    pub events: u64,
    /// `sum_t w(t) / 4`, the largest `V` any cut can reach; used as the scale
    /// below which `V` counts as zero.
    pub variance_scale: f64,
}

/// Event and at-risk weights at one distinct time of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TimeCount {
    /// Rank of the time among the training set's distinct times.
    pub time_rank: u32,
    /// Weight of the events at this time, `d(t)`.
    pub events: u32,
    /// Weight of the samples with time at or after this one, `Y(t)`.
    pub at_risk: u32,
}

impl NodeStatistics {
    /// Fills the statistics of the node made of `samples` (in increasing time
    /// order) with bootstrap multiplicities `weights`, reusing the buffers.
    pub fn prepare(&mut self, train: &TrainingSet, samples: &[u32], weights: &[u32]) {
        self.clear();

        // Step 1: rank the distinct times and count event and total weight
        // at each of them.
        let mut total_at_time: Vec<u32> = Vec::new();
        for &sample in samples {
            let s = sample as usize;
            let w = weights[s];
            let time_rank = train.time_rank[s];
            if self.times.last().is_none_or(|t| t.time_rank != time_rank) {
                self.times.push(TimeCount {
                    time_rank,
                    events: 0,
                    at_risk: 0,
                });
                total_at_time.push(0);
            }
            let k = self.times.len() - 1;
            if train.event[s] {
                self.times[k].events += w;
            }
            total_at_time[k] += w;
            self.rank.push(k as u32);
            self.weights.push(w);
        }

        // Step 2: numbers at risk are suffix sums of the weights per time.
        let mut at_risk = 0u32;
        for (time, total) in self.times.iter_mut().zip(&total_at_time).rev() {
            at_risk += total;
            time.at_risk = at_risk;
        }
        self.total_weight = u64::from(at_risk);

        // Step 3: H, A and W2 as running sums over the distinct times.
        let mut hazard = Vec::with_capacity(self.times.len());
        let mut linear = Vec::with_capacity(self.times.len());
        let (mut h, mut a, mut w2, mut total_w) = (0.0, 0.0, 0.0, 0.0);
        for time in &self.times {
            let d = f64::from(time.events);
            let y = f64::from(time.at_risk);
            if time.events > 0 {
                h += d / y;
                self.events += u64::from(time.events);
            }
            if time.events > 0 && time.at_risk > 1 {
                let w = d * (y - d) / (y - 1.0);
                a += w / y;
                w2 += w / (y * y);
                total_w += w;
            }
            hazard.push(h);
            linear.push(a);
            self.quadratic_weight.push(w2);
        }
        self.variance_scale = total_w / 4.0;

        // Step 4: per-sample shares of U and of the linear part of V.
        for ((&sample, &k), &w) in samples.iter().zip(&self.rank).zip(&self.weights) {
            let s = sample as usize;
            let w = f64::from(w);
            let delta = if train.event[s] { 1.0 } else { 0.0 };
            self.score.push(w * (delta - hazard[k as usize]));
            self.linear.push(w * linear[k as usize]);
        }
    }

    fn clear(&mut self) {
        self.rank.clear();
        self.weights.clear();
        self.score.clear();
        self.linear.clear();
        self.quadratic_weight.clear();
        self.times.clear();
        self.total_weight = 0;
        self.events = 0;
        self.variance_scale = 0.0;
    }

    /// Whether any cut of this node can have a positive log-rank variance.
    pub fn can_split(&self) -> bool {
        self.events > 0 && self.variance_scale > 0.0
    }
}

/// A Fenwick (binary indexed) tree of pairs over the node's time ranks:
/// the sum of `w_j W2(T_j)` and the sum of `w_j`.
#[derive(Debug, Default)]
pub(super) struct Fenwick {
    sums: Vec<(f64, f64)>,
}

impl Fenwick {
    fn reset(&mut self, len: usize) {
        self.sums.clear();
        self.sums.resize(len + 1, (0.0, 0.0));
    }

    fn add(&mut self, rank: usize, value: (f64, f64)) {
        let mut i = rank + 1;
        while i < self.sums.len() {
            self.sums[i].0 += value.0;
            self.sums[i].1 += value.1;
            i += i & i.wrapping_neg();
        }
    }

    /// Sums over ranks `0..=rank`.
    fn prefix(&self, rank: usize) -> (f64, f64) {
        let mut i = rank + 1;
        let mut total = (0.0, 0.0);
        while i > 0 {
            total.0 += self.sums[i].0;
            total.1 += self.sums[i].1;
            i &= i - 1;
        }
        total
    }
}

/// One admissible cut of a variable: samples with the variable's rank at or
/// below `last_left_rank` go left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Cut {
    /// Rank of the largest value that goes left, among the variable's
    /// distinct training values.
    pub last_left_rank: u32,
    /// Log-rank numerator `U` of the left child.
    pub numerator: f64,
    /// Log-rank variance `V`.
    pub variance: f64,
}

impl Cut {
    /// The squared standardised log-rank statistic `U^2 / V`, which orders
    /// cuts as `|U| / sqrt(V)` does.
    pub fn statistic(&self) -> f64 {
        self.numerator * self.numerator / self.variance
    }
}

/// Reusable buffers for scanning the cuts of one variable in one node.
#[derive(Debug, Default)]
pub(super) struct Scanner {
    keys: Vec<u64>,
    fenwick: Fenwick,
}

impl Scanner {
    /// Calls `visit` with every cut of `variable` between two distinct values
    /// that leaves at least `min_node_size` bootstrap weight in each child
    /// and has a positive log-rank variance.
    ///
    /// `samples` and `stats` describe the node as [`NodeStatistics::prepare`]
    /// left them.
    pub fn scan(
        &mut self,
        train: &TrainingSet,
        variable: usize,
        samples: &[u32],
        stats: &NodeStatistics,
        min_node_size: u64,
        mut visit: impl FnMut(Cut),
    ) {
        // Sort the node by the variable's rank; the low 32 bits keep the
        // position so ties stay in time order.
        let ranks = train.value_ranks(variable);
        self.keys.clear();
        self.keys.extend(
            samples
                .iter()
                .enumerate()
                .map(|(pos, &s)| (u64::from(ranks[s as usize]) << 32) | pos as u64),
        );
        self.keys.sort_unstable();
        if self.keys.first().map(|k| k >> 32) == self.keys.last().map(|k| k >> 32) {
            return;
        }
        self.fenwick.reset(stats.times.len());

        let min_variance = stats.variance_scale * VARIANCE_FLOOR;
        let (mut left_weight, mut numerator, mut linear, mut quadratic) = (0u64, 0.0, 0.0, 0.0);
        let mut left_weight_f = 0.0;
        for idx in 0..self.keys.len() {
            let pos = (self.keys[idx] & u64::from(u32::MAX)) as usize;
            let w_int = stats.weights[pos];
            let w = f64::from(w_int);
            let r = stats.rank[pos] as usize;
            let w2 = stats.quadratic_weight[r];

            // Move the sample to the left child and update U, the linear
            // part of V and the pairwise sum of W2(min(T_i, T_j)).
            let (below_w2, below_weight) = self.fenwick.prefix(r);
            let cross = below_w2 + w2 * (left_weight_f - below_weight);
            quadratic += w * w * w2 + 2.0 * w * cross;
            self.fenwick.add(r, (w * w2, w));
            left_weight += u64::from(w_int);
            left_weight_f += w;
            numerator += stats.score[pos];
            linear += stats.linear[pos];

            // A cut is possible only between two distinct values.
            let Some(&next) = self.keys.get(idx + 1) else {
                break;
            };
            let this_rank = (self.keys[idx] >> 32) as u32;
            if (next >> 32) as u32 == this_rank {
                continue;
            }
            if stats.total_weight - left_weight < min_node_size {
                break;
            }
            if left_weight < min_node_size {
                continue;
            }
            let variance = linear - quadratic;
            if variance > min_variance {
                visit(Cut {
                    last_left_rank: this_rank,
                    numerator,
                    variance,
                });
            }
        }
    }
}

/// Relative size, against the largest attainable variance, below which a
/// cut's log-rank variance is treated as zero. The sweep's rounding error is
/// near 1e-16 times the number of samples, and the smallest positive variance
/// of a real cut is about `1 / (2 n^2)` of the scale, so 1e-12 separates the
/// two for nodes up to several hundred thousand samples.
const VARIANCE_FLOOR: f64 = 1e-12;

/// The log-rank numerator and variance of the cut that sends the samples
/// flagged in `left` to the left child, evaluated time by time.
///
/// `time`, `event` and `weight` describe the node's samples in any order.
/// This is the O(samples x times) definition that the sweep in
/// [`Scanner::scan`] must reproduce.
#[cfg(test)]
pub(super) fn direct_statistic(
    time: &[f64],
    event: &[bool],
    weight: &[u32],
    left: &[bool],
) -> (f64, f64) {
    let mut event_times: Vec<f64> = (0..time.len())
        .filter(|&i| event[i] && weight[i] > 0)
        .map(|i| time[i])
        .collect();
    event_times.sort_by(f64::total_cmp);
    event_times.dedup();
    let (mut numerator, mut variance) = (0.0, 0.0);
    for &t in &event_times {
        let (mut d, mut y, mut d_left, mut y_left) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..time.len() {
            if time[i] < t {
                continue;
            }
            let w = f64::from(weight[i]);
            let dies = if event[i] && time[i] == t { w } else { 0.0 };
            y += w;
            d += dies;
            if left[i] {
                y_left += w;
                d_left += dies;
            }
        }
        numerator += d_left - y_left * d / y;
        if y > 1.0 {
            let p = y_left / y;
            variance += d * (y - d) / (y - 1.0) * (p - p * p);
        }
    }
    (numerator, variance)
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Random node with many tied times and values, bootstrap-like weights
    /// 0 to 3, and about a third of the samples censored.
    fn random_node(
        rng: &mut ChaCha8Rng,
        n: usize,
    ) -> (DMatrix<f64>, Vec<f64>, Vec<bool>, Vec<u32>) {
        let x = DMatrix::from_fn(n, 2, |_, j| {
            if j == 0 {
                f64::from(rng.random_range(0..12u32))
            } else {
                rng.random::<f64>()
            }
        });
        let time: Vec<f64> = (0..n)
            .map(|_| f64::from(rng.random_range(1..40u32)))
            .collect();
        let event: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.65).collect();
        let weight: Vec<u32> = (0..n).map(|_| rng.random_range(0..4u32)).collect();
        (x, time, event, weight)
    }

    #[test]
    fn sweep_matches_direct_logrank() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut checked = 0;
        for round in 0..40 {
            let n = 5 + round * 3;
            let (x, time, event, weight) = random_node(&mut rng, n);
            let train = TrainingSet::new(&x, &time, &event);
            let samples: Vec<u32> = train
                .time_order
                .iter()
                .copied()
                .filter(|&s| weight[s as usize] > 0)
                .collect();
            let mut stats = NodeStatistics::default();
            stats.prepare(&train, &samples, &weight);
            if !stats.can_split() {
                continue;
            }
            let mut scanner = Scanner::default();
            for variable in 0..2 {
                let mut cuts = Vec::new();
                scanner.scan(&train, variable, &samples, &stats, 1, |c| cuts.push(c));
                let ranks = train.value_ranks(variable);
                for cut in cuts {
                    let left: Vec<bool> = (0..n).map(|i| ranks[i] <= cut.last_left_rank).collect();
                    let (u, v) = direct_statistic(&time, &event, &weight, &left);
                    let scale = stats.variance_scale.max(1.0);
                    assert!(
                        (cut.numerator - u).abs() <= 1e-10 * scale,
                        "numerator: sweep {} direct {u}",
                        cut.numerator
                    );
                    assert!(
                        (cut.variance - v).abs() <= 1e-10 * scale,
                        "variance: sweep {} direct {v}",
                        cut.variance
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "only {checked} cuts were compared");
    }

    #[test]
    fn hand_worked_two_sample_statistic() {
        // Four samples, weight 1: times 1, 2, 3, 4, all events; left = {1, 2}.
        // t=1: Y=4, d=1, Y_L=2, d_L=1: U += 1 - 2/4 = 0.5; w = 1*3/3 = 1,
        //      V += 1 * (0.5 - 0.25) = 0.25.
        // t=2: Y=3, d=1, Y_L=1, d_L=1: U += 1 - 1/3; V += (1/3 - 1/9) = 2/9.
        // t=3: Y=2, d=1, Y_L=0: U += 0; V += 0.
        // t=4: Y=1, w = 0.
        // U = 0.5 + 2/3 = 7/6, V = 1/4 + 2/9 = 17/36.
        let x = DMatrix::from_column_slice(4, 1, &[1.0, 2.0, 3.0, 4.0]);
        let time = [1.0, 2.0, 3.0, 4.0];
        let event = [true; 4];
        let weight = [1u32; 4];
        let train = TrainingSet::new(&x, &time, &event);
        let samples: Vec<u32> = train.time_order.clone();
        let mut stats = NodeStatistics::default();
        stats.prepare(&train, &samples, &weight);
        let mut cuts = Vec::new();
        Scanner::default().scan(&train, 0, &samples, &stats, 2, |c| cuts.push(c));
        assert_eq!(
            cuts.len(),
            1,
            "only the cut 2 | 3 leaves two samples per side"
        );
        assert!((cuts[0].numerator - 7.0 / 6.0).abs() < 1e-15);
        assert!((cuts[0].variance - 17.0 / 36.0).abs() < 1e-15);
    }

    #[test]
    fn minimum_node_size_limits_cuts() {
        let x = DMatrix::from_column_slice(6, 1, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let time = [6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
        let event = [true; 6];
        let weight = [1u32, 1, 1, 1, 1, 1];
        let train = TrainingSet::new(&x, &time, &event);
        let samples = train.time_order.clone();
        let mut stats = NodeStatistics::default();
        stats.prepare(&train, &samples, &weight);
        let mut scanner = Scanner::default();
        for (min, expected) in [(1, 5), (2, 3), (3, 1), (4, 0)] {
            let mut count = 0;
            scanner.scan(&train, 0, &samples, &stats, min, |_| count += 1);
            assert_eq!(count, expected, "cuts with minimum node size {min}");
        }
    }
}
