//! One survival tree: the ranked training data it grows on, its growth by
//! log-rank splitting, its Nelson–Aalen leaves and the descent of a row to
//! a leaf.

use nalgebra::DMatrix;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::split::{Cut, NodeStatistics, Scanner};

/// The training data in the ranked form that tree growth uses.
///
/// Values and times are replaced by their ranks among the distinct values of
/// their column, so that sorting a node compares integers, and the event
/// times form the grid on which every leaf's cumulative hazard is defined.
#[derive(Debug)]
pub(super) struct TrainingSet<'a> {
    x: &'a DMatrix<f64>,
    /// Column-major ranks of `x` among each column's distinct values.
    value_rank: Vec<u32>,
    /// Rank of each row's time among the distinct times (events or not).
    pub time_rank: Vec<u32>,
    pub event: Vec<bool>,
    /// Rows sorted by increasing time.
    pub time_order: Vec<u32>,
    /// The distinct event times, increasing: the grid of the hazard.
    pub event_times: Vec<f64>,
    /// For each distinct time rank, its index in `event_times`, or
    /// `u32::MAX` when no event happens at that time.
    grid_index: Vec<u32>,
}

impl<'a> TrainingSet<'a> {
    /// Ranks `x` and the outcome. The caller has checked that the values are
    /// finite, the lengths agree and the row count fits in `u32`.
    pub fn new(x: &'a DMatrix<f64>, time: &[f64], event: &[bool]) -> Self {
        let n = time.len();
        let mut value_rank = Vec::with_capacity(n * x.ncols());
        for column in x.column_iter() {
            let values: Vec<f64> = column.iter().copied().collect();
            value_rank.extend(dense_ranks(&values).0);
        }
        let (time_rank, distinct_times) = dense_ranks(time);
        let mut time_order: Vec<u32> = (0..n as u32).collect();
        time_order.sort_by_key(|&i| time_rank[i as usize]);

        let mut has_event = vec![false; distinct_times.len()];
        for (&rank, &e) in time_rank.iter().zip(event) {
            has_event[rank as usize] |= e;
        }
        let mut event_times = Vec::new();
        let mut grid_index = Vec::with_capacity(distinct_times.len());
        for (t, &e) in distinct_times.iter().zip(&has_event) {
            if e {
                grid_index.push(event_times.len() as u32);
                event_times.push(*t);
            } else {
                grid_index.push(u32::MAX);
            }
        }
        Self {
            x,
            value_rank,
            time_rank,
            event: event.to_vec(),
            time_order,
            event_times,
            grid_index,
        }
    }

    pub fn rows(&self) -> usize {
        self.time_rank.len()
    }

    pub fn columns(&self) -> usize {
        self.x.ncols()
    }

    /// Ranks of one column's values, indexed by row.
    pub fn value_ranks(&self, variable: usize) -> &[u32] {
        let n = self.rows();
        &self.value_rank[variable * n..(variable + 1) * n]
    }

    fn value(&self, row: usize, variable: usize) -> f64 {
        self.x[(row, variable)]
    }
}

/// Dense ranks (0 for the smallest, equal values share a rank) and the
/// sorted distinct values.
fn dense_ranks(values: &[f64]) -> (Vec<u32>, Vec<f64>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0u32; values.len()];
    let mut distinct: Vec<f64> = Vec::new();
    for &i in &order {
        if distinct.last() != Some(&values[i]) {
            distinct.push(values[i]);
        }
        ranks[i] = (distinct.len() - 1) as u32;
    }
    (ranks, distinct)
}

/// A node of a fitted tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// Rows with `x[variable] <= threshold` go to `left`, the others to
    /// `right` (indices into the tree's nodes).
    Split {
        variable: u32,
        threshold: f64,
        left: u32,
        right: u32,
    },
    /// Index into the tree's leaves.
    Leaf(u32),
}

/// One step of a leaf's Nelson–Aalen cumulative hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    /// Index of the event time in the forest's grid.
    pub time_index: u32,
    /// Bootstrap weight of the leaf's events at that time.
    pub events: u32,
    /// Bootstrap weight of the leaf's samples at risk at that time.
    pub at_risk: u32,
}

impl Step {
    /// The hazard increment `d / Y`.
    pub fn increment(&self) -> f64 {
        f64::from(self.events) / f64::from(self.at_risk)
    }
}

/// A terminal node: the Nelson–Aalen estimate of its in-bag samples as
/// sparse steps, and its mortality.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Leaf {
    pub steps: Vec<Step>,
    /// Sum of the leaf's cumulative hazard over the whole event-time grid.
    pub mortality: f64,
}

impl Leaf {
    /// Builds a leaf from its steps; `grid_len` is the number of event times
    /// of the forest.
    ///
    /// The cumulative hazard at grid point `g` is the sum of the increments
    /// at indices `<= g`, so its sum over the grid is
    /// `sum_steps increment * (grid_len - time_index)`.
    pub fn new(steps: Vec<Step>, grid_len: usize) -> Self {
        let mortality = steps
            .iter()
            .map(|s| s.increment() * (grid_len - s.time_index as usize) as f64)
            .sum();
        Self { steps, mortality }
    }
}

/// A fitted survival tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tree {
    pub nodes: Vec<Node>,
    pub leaves: Vec<Leaf>,
}

impl Tree {
    /// The leaf reached by a row whose value of variable `j` is `value(j)`.
    pub fn leaf(&self, value: impl Fn(usize) -> f64) -> &Leaf {
        let mut node = 0usize;
        loop {
            match self.nodes[node] {
                Node::Split {
                    variable,
                    threshold,
                    left,
                    right,
                } => {
                    node = if value(variable as usize) <= threshold {
                        left as usize
                    } else {
                        right as usize
                    };
                }
                Node::Leaf(leaf) => return &self.leaves[leaf as usize],
            }
        }
    }

    /// Whether the tree has at least one split.
    pub fn is_split(&self) -> bool {
        self.nodes.len() > 1
    }
}

/// Growth parameters of one tree.
#[derive(Debug, Clone, Copy)]
pub(super) struct GrowthParameters {
    pub mtry: usize,
    pub min_node_size: u64,
}

/// Grows one tree on the bootstrap multiplicities `weights`, drawing the
/// candidate variables of each node from `rng`.
///
/// A node is split when some candidate variable has a cut that leaves at
/// least `min_node_size` bootstrap weight in each child with a positive
/// log-rank variance; the cut with the largest statistic wins, the first
/// drawn variable winning exact ties as in ranger. Nodes are split depth
/// first, left child before right.
pub(super) fn grow(
    train: &TrainingSet,
    weights: &[u32],
    params: GrowthParameters,
    rng: &mut ChaCha8Rng,
) -> Tree {
    let mut builder = Builder::new(train, weights, params);
    let mut pending = vec![(0usize, 0usize, builder.samples.len())];
    builder.nodes.push(Node::Leaf(0));
    while let Some((id, start, end)) = pending.pop() {
        match builder.split_node(start, end, rng) {
            Some((variable, cut_rank, threshold)) => {
                let mid = builder.partition(start, end, variable, cut_rank);
                let left = builder.nodes.len() as u32;
                builder.nodes.push(Node::Leaf(0));
                builder.nodes.push(Node::Leaf(0));
                builder.nodes[id] = Node::Split {
                    variable: variable as u32,
                    threshold,
                    left,
                    right: left + 1,
                };
                pending.push((left as usize + 1, mid, end));
                pending.push((left as usize, start, mid));
            }
            None => {
                let leaf = builder.leaf();
                builder.nodes[id] = Node::Leaf(builder.leaves.len() as u32);
                builder.leaves.push(leaf);
            }
        }
    }
    Tree {
        nodes: builder.nodes,
        leaves: builder.leaves,
    }
}

/// The state of one tree's growth: the in-bag samples, kept in time order
/// within each node's range, and reusable buffers.
struct Builder<'t, 'a> {
    train: &'t TrainingSet<'a>,
    weights: &'t [u32],
    params: GrowthParameters,
    samples: Vec<u32>,
    scratch: Vec<u32>,
    variables: Vec<usize>,
    stats: NodeStatistics,
    scanner: Scanner,
    nodes: Vec<Node>,
    leaves: Vec<Leaf>,
}

impl<'t, 'a> Builder<'t, 'a> {
    fn new(train: &'t TrainingSet<'a>, weights: &'t [u32], params: GrowthParameters) -> Self {
        let samples = train
            .time_order
            .iter()
            .copied()
            .filter(|&s| weights[s as usize] > 0)
            .collect();
        Self {
            train,
            weights,
            params,
            samples,
            scratch: Vec::new(),
            variables: (0..train.columns()).collect(),
            stats: NodeStatistics::default(),
            scanner: Scanner::default(),
            nodes: Vec::new(),
            leaves: Vec::new(),
        }
    }

    /// Finds the best cut of the node `samples[start..end]`: the variable,
    /// the rank of the largest value going left and the threshold. Leaves
    /// the node's statistics in `self.stats` for [`Builder::leaf`].
    fn split_node(
        &mut self,
        start: usize,
        end: usize,
        rng: &mut ChaCha8Rng,
    ) -> Option<(usize, u32, f64)> {
        let samples = &self.samples[start..end];
        self.stats.prepare(self.train, samples, self.weights);
        if self.stats.total_weight < 2 * self.params.min_node_size || !self.stats.can_split() {
            return None;
        }

        // Draw mtry distinct candidate variables (partial Fisher–Yates).
        let p = self.variables.len();
        for i in 0..self.params.mtry {
            let j = rng.random_range(i as u32..p as u32) as usize;
            self.variables.swap(i, j);
        }

        let mut best: Option<(usize, Cut, f64)> = None;
        for &variable in &self.variables[..self.params.mtry] {
            let mut variable_best: Option<Cut> = None;
            self.scanner.scan(
                self.train,
                variable,
                samples,
                &self.stats,
                self.params.min_node_size,
                |cut| {
                    if variable_best.is_none_or(|b| cut.statistic() > b.statistic()) {
                        variable_best = Some(cut);
                    }
                },
            );
            if let Some(cut) = variable_best
                && best.as_ref().is_none_or(|b| cut.statistic() > b.2)
            {
                best = Some((variable, cut, cut.statistic()));
            }
        }
        let (variable, cut, _) = best?;
        Some((
            variable,
            cut.last_left_rank,
            self.threshold(samples, variable, cut),
        ))
    }

    /// The midpoint between the largest value going left and the smallest
    /// going right, or the left value when the midpoint rounds to the right
    /// one (ranger's rule).
    fn threshold(&self, samples: &[u32], variable: usize, cut: Cut) -> f64 {
        let ranks = self.train.value_ranks(variable);
        let (mut left_value, mut right_value) = (f64::NEG_INFINITY, f64::INFINITY);
        for &s in samples {
            let value = self.train.value(s as usize, variable);
            if ranks[s as usize] <= cut.last_left_rank {
                left_value = left_value.max(value);
            } else {
                right_value = right_value.min(value);
            }
        }
        let mid = (left_value + right_value) / 2.0;
        if mid == right_value { left_value } else { mid }
    }

    /// Stable partition of `samples[start..end]` into the samples going left
    /// and right, keeping each side in time order. Returns the first index of
    /// the right side.
    fn partition(&mut self, start: usize, end: usize, variable: usize, cut_rank: u32) -> usize {
        let ranks = self.train.value_ranks(variable);
        self.scratch.clear();
        let mut write = start;
        for read in start..end {
            let s = self.samples[read];
            if ranks[s as usize] <= cut_rank {
                self.samples[write] = s;
                write += 1;
            } else {
                self.scratch.push(s);
            }
        }
        self.samples[write..end].copy_from_slice(&self.scratch);
        write
    }

    /// The leaf of the node whose statistics were prepared last.
    fn leaf(&self) -> Leaf {
        let steps = self
            .stats
            .times
            .iter()
            .filter(|t| t.events > 0)
            .map(|t| Step {
                time_index: self.train.grid_index[t.time_rank as usize],
                events: t.events,
                at_risk: t.at_risk,
            })
            .collect();
        Leaf::new(steps, self.train.event_times.len())
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn dense_ranks_share_ties() {
        let (ranks, distinct) = dense_ranks(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(ranks, vec![2, 0, 2, 1]);
        assert_eq!(distinct, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn event_grid_skips_censored_times() {
        let x = DMatrix::from_column_slice(4, 1, &[0.0, 1.0, 2.0, 3.0]);
        let train = TrainingSet::new(&x, &[5.0, 2.0, 2.0, 9.0], &[true, false, true, false]);
        assert_eq!(train.event_times, vec![2.0, 5.0]);
        assert_eq!(train.grid_index, vec![0, 1, u32::MAX]);
        assert_eq!(train.time_order, vec![1, 2, 0, 3]);
    }

    #[test]
    fn separable_data_split_at_midpoint() {
        // Rows with x <= 4 die early, rows with x >= 5 die late, so the root
        // cut falls between 4 and 5 at 4.5.
        let x = DMatrix::from_fn(10, 1, |i, _| i as f64);
        let time: Vec<f64> = (0..10)
            .map(|i| {
                if i < 5 {
                    1.0 + i as f64
                } else {
                    20.0 + i as f64
                }
            })
            .collect();
        let event = vec![true; 10];
        let train = TrainingSet::new(&x, &time, &event);
        let params = GrowthParameters {
            mtry: 1,
            min_node_size: 5,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let tree = grow(&train, &[1; 10], params, &mut rng);
        assert_eq!(
            tree.nodes[0],
            Node::Split {
                variable: 0,
                threshold: 4.5,
                left: 1,
                right: 2
            }
        );
        assert_eq!(tree.leaves.len(), 2);
        // Each leaf holds five deaths at distinct times: increments 1/5, 1/4,
        // 1/3, 1/2, 1 at grid indices 0..5 (left) and 5..10 (right).
        let left = tree.leaf(|_| 0.0);
        assert_eq!(left.steps.len(), 5);
        assert_eq!(
            left.steps[0],
            Step {
                time_index: 0,
                events: 1,
                at_risk: 5
            }
        );
        let right = tree.leaf(|_| 9.0);
        assert_eq!(
            right.steps[4],
            Step {
                time_index: 9,
                events: 1,
                at_risk: 1
            }
        );
    }

    #[test]
    fn leaf_mortality_sums_hazard_over_grid() {
        // Grid of 4 times; steps 0.5 at index 1 and 1.0 at index 3 give the
        // cumulative hazard 0, 0.5, 0.5, 1.5, whose sum is 2.5.
        let steps = vec![
            Step {
                time_index: 1,
                events: 1,
                at_risk: 2,
            },
            Step {
                time_index: 3,
                events: 1,
                at_risk: 1,
            },
        ];
        assert_eq!(Leaf::new(steps, 4).mortality, 2.5);
    }
}
