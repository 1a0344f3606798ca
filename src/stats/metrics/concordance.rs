//! Concordance indices for right-censored data: Harrell's C with the pair
//! counts and standard error of R survival 3.5 `concordance`, and Uno's
//! inverse-probability-of-censoring weighted C in the conventions of
//! scikit-survival 0.28 and of R survival.
//!
//! This module also owns the censoring distribution ([`CensoringSurvival`])
//! and the choice of weighting convention ([`IpcwConvention`]) that the
//! time-dependent AUC and the Brier score share.
//!
//! Risk convention everywhere: a higher score means a higher risk, that is an
//! expected shorter survival.

use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::data::{check_finite, check_times};
use super::super::km::kaplan_meier;

/// Harrell's C with the pair counts that R `survival::concordance` reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Concordance {
    /// `(concordant + tied_risk / 2) / (concordant + discordant + tied_risk)`.
    pub c_index: f64,
    /// Infinitesimal-jackknife standard error of `c_index`, as R survival 3.5
    /// `concordance` reports it (`sqrt(var)`).
    pub std_err: f64,
    /// Comparable pairs where the subject with the event has the higher risk.
    pub concordant: u64,
    /// Comparable pairs where the subject with the event has the lower risk.
    pub discordant: u64,
    /// Comparable pairs with equal risk scores.
    pub tied_risk: u64,
    /// Pairs of two events at the same time with different risk scores; they
    /// are not comparable (R's `tied.y`).
    pub tied_time: u64,
    /// Pairs of two events at the same time with equal risk scores (R's
    /// `tied.xy`).
    pub tied_both: u64,
    /// Pairs of an event and a censoring at the same time. They are comparable
    /// and already counted above; scikit-survival reports this number as its
    /// `tied_time`.
    pub tied_time_censored: u64,
}

/// Harrell's C for a risk score where a higher value means shorter survival.
///
/// A pair is comparable when the shorter time is an event. An event and a
/// censoring at the same time are comparable, with the censored subject
/// counted as the longer. Two events at the same time are not comparable.
/// Tied risk scores count one half; scores tie only when exactly equal. The
/// counts and C match R survival 3.5
/// `concordance(Surv(time, event) ~ risk, reverse = TRUE)`, scikit-survival
/// `concordance_index_censored` and lifelines `concordance_index(time, -risk,
/// event)`. The standard error is R's infinitesimal jackknife: with
/// `N = concordant + discordant + tied_risk`, `D = (concordant - discordant) / N`
/// and `c_i, d_i, t_i` the comparable pairs that contain subject `i`,
/// `var = sum_i ((c_i - d_i) / N - D (c_i + d_i + t_i) / N)^2 / 4`.
///
/// The pairs are counted in O(n log n) with a Fenwick tree over risk ranks.
/// R first merges times that differ by rounding error (`aeqSurv`); this
/// function compares times exactly.
///
/// # Errors
///
/// The input checks of [`check_times`], [`StatsError::LengthMismatch`] and
/// [`StatsError::NonFinite`] for the risk scores, and
/// [`StatsError::NoComparablePairs`].
pub fn harrell(time: &[f64], event: &[bool], risk: &[f64]) -> Result<Concordance, StatsError> {
    check_risk(time, event, risk)?;
    let weights = vec![1.0; time.len()];
    let sweep = sweep_pairs(time, event, &rank_scores(risk), &weights);
    let summary = sweep.summarize()?;
    // Every weight is 1, so the sums are exact integers far below 2^53.
    Ok(Concordance {
        c_index: summary.c_index,
        std_err: summary.std_err,
        concordant: sweep.concordant as u64,
        discordant: sweep.discordant as u64,
        tied_risk: sweep.tied_risk as u64,
        tied_time: (sweep.tied_time - sweep.tied_both) as u64,
        tied_both: sweep.tied_both as u64,
        tied_time_censored: sweep.tied_time_censored as u64,
    })
}

/// Which tool's censoring-weight convention an IPCW metric follows.
///
/// Both estimate the censoring distribution G by the reverse Kaplan–Meier
/// of [`CensoringSurvival`]; controls (time > t) are weighted by `1/G(t)` in
/// both. They differ in how a case with an event at `T_i` is weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpcwConvention {
    /// scikit-survival 0.28 (`concordance_index_ipcw`, `cumulative_dynamic_auc`,
    /// `brier_score`): cases weighted by `1/G(T_i)`, G evaluated at `T_i`;
    /// Uno's C keeps events with `T_i < tau`.
    ScikitSurvival,
    /// R survival 3.5 `concordance(timewt = "n/G2", ymax = tau)` and
    /// riskRegression 2022.11.28 `Score`: cases weighted by `1/G(T_i-)`, the
    /// left limit; Uno's C keeps events with `T_i <= tau`.
    R,
}

/// The Kaplan–Meier estimate G of the censoring survival function, used for
/// inverse-probability-of-censoring weights.
///
/// Censorings are the events of this estimate, and subjects with an event at
/// a time leave the risk set before the censorings there: at a time `u` with
/// `n` subjects at risk, `d` events and `c` censorings, G is multiplied by
/// `1 - c / (n - d)`. scikit-survival 0.28, R survival 3.5 `concordance` and
/// riskRegression `Score` all estimate G this way.
#[derive(Debug, Clone, PartialEq)]
pub struct CensoringSurvival {
    times: Vec<f64>,
    surv: Vec<f64>,
}

impl CensoringSurvival {
    /// Estimate G from the same times and event indicators that are scored.
    ///
    /// # Errors
    ///
    /// The input checks of [`check_times`].
    pub fn estimate(time: &[f64], event: &[bool]) -> Result<Self, StatsError> {
        let curve = kaplan_meier(time, event)?;
        let mut surv = Vec::with_capacity(curve.time.len());
        let mut g = 1.0;
        for k in 0..curve.time.len() {
            let at_risk = curve.n_risk[k] - curve.n_event[k];
            if curve.n_censor[k] > 0 {
                g *= 1.0 - curve.n_censor[k] as f64 / at_risk as f64;
            }
            surv.push(g);
        }
        Ok(Self {
            times: curve.time,
            surv,
        })
    }

    /// G(t), right-continuous: the probability of remaining uncensored beyond t.
    pub fn at(&self, t: f64) -> f64 {
        match self.times.partition_point(|&s| s <= t) {
            0 => 1.0,
            k => self.surv[k - 1],
        }
    }

    /// G(t-), the left limit at t.
    pub fn before(&self, t: f64) -> f64 {
        match self.times.partition_point(|&s| s < t) {
            0 => 1.0,
            k => self.surv[k - 1],
        }
    }

    /// The G that weights a case with an event at `t` under `convention`.
    pub fn at_case(&self, t: f64, convention: IpcwConvention) -> f64 {
        match convention {
            IpcwConvention::ScikitSurvival => self.at(t),
            IpcwConvention::R => self.before(t),
        }
    }
}

/// Settings of Uno's concordance index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnoSettings {
    /// Truncation time: only events up to `tau` act as the shorter member of a
    /// pair (strictly before it for scikit-survival, up to and including it for R).
    pub tau: f64,
    pub convention: IpcwConvention,
}

/// Uno's inverse-probability-of-censoring weighted concordance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnoConcordance {
    pub c_index: f64,
    /// R survival's infinitesimal-jackknife standard error, which treats the
    /// weights as fixed; `None` under the scikit-survival convention, which
    /// reports none.
    pub std_err: Option<f64>,
    pub settings: UnoSettings,
}

/// Uno's C: Harrell's comparable pairs, each weighted by `1/G^2` of the event
/// time of its shorter member, restricted to events up to `tau`.
///
/// Under [`IpcwConvention::ScikitSurvival`] this matches scikit-survival 0.28
/// `concordance_index_ipcw(y, y, risk, tau)` (G from the same rows, weight
/// `1/G(T_i)^2`, `T_i < tau`). Under [`IpcwConvention::R`] it matches R
/// survival 3.5 `concordance(Surv(time, event) ~ risk, reverse = TRUE,
/// timewt = "n/G2", ymax = tau)` (weight `1/G(T_i-)^2`, `T_i <= tau`), and
/// `std_err` is R's infinitesimal jackknife over the weighted pair counts.
///
/// # Errors
///
/// The input checks of [`harrell`]; [`StatsError::InvalidParameter`] for a
/// `tau` that is not positive and finite; [`StatsError::NoEvents`] when no
/// event falls within `tau`; [`StatsError::CensoringSurvivalZero`] when G is
/// zero at such an event (possible only for scikit-survival, at the last
/// time); [`StatsError::NoComparablePairs`].
pub fn uno(
    time: &[f64],
    event: &[bool],
    risk: &[f64],
    settings: &UnoSettings,
) -> Result<UnoConcordance, StatsError> {
    check_risk(time, event, risk)?;
    let tau = settings.tau;
    if !(tau.is_finite() && tau > 0.0) {
        return Err(StatsError::InvalidParameter {
            name: "tau",
            value: tau.to_string(),
            reason: "the truncation time must be a positive finite number".into(),
        });
    }
    let censoring = CensoringSurvival::estimate(time, event)?;
    let weights = uno_weights(time, event, &censoring, settings)?;
    let sweep = sweep_pairs(time, event, &rank_scores(risk), &weights);
    let summary = sweep.summarize()?;
    let std_err = match settings.convention {
        IpcwConvention::ScikitSurvival => None,
        IpcwConvention::R => Some(summary.std_err),
    };
    Ok(UnoConcordance {
        c_index: summary.c_index,
        std_err,
        settings: *settings,
    })
}

/// The weight of each subject as the shorter member of a pair: `1/G^2` for an
/// event within `tau`, zero otherwise.
fn uno_weights(
    time: &[f64],
    event: &[bool],
    censoring: &CensoringSurvival,
    settings: &UnoSettings,
) -> Result<Vec<f64>, StatsError> {
    let within = |t: f64| match settings.convention {
        IpcwConvention::ScikitSurvival => t < settings.tau,
        IpcwConvention::R => t <= settings.tau,
    };
    let mut weights = vec![0.0; time.len()];
    let mut events_within = 0;
    for (i, weight) in weights.iter_mut().enumerate() {
        if !event[i] || !within(time[i]) {
            continue;
        }
        events_within += 1;
        let g = censoring.at_case(time[i], settings.convention);
        if g <= 0.0 {
            return Err(StatsError::CensoringSurvivalZero { time: time[i] });
        }
        *weight = 1.0 / (g * g);
    }
    if events_within == 0 {
        return Err(StatsError::NoEvents {
            what: format!("the rows with time up to tau = {}", settings.tau),
        });
    }
    Ok(weights)
}

/// Check the survival outcome and a risk score of the same length.
fn check_risk(time: &[f64], event: &[bool], risk: &[f64]) -> Result<(), StatsError> {
    check_times(time, event)?;
    if risk.len() != time.len() {
        return Err(StatsError::LengthMismatch {
            what: "risk".into(),
            expected: time.len(),
            got: risk.len(),
        });
    }
    check_finite("risk", risk)
}

/// Dense ranks of the scores (0 = lowest); exactly equal scores share a rank.
fn rank_scores(risk: &[f64]) -> Vec<usize> {
    // Adding 0.0 turns -0.0 into 0.0, so that the two compare equal, as in R.
    let values: Vec<f64> = risk.iter().map(|&r| r + 0.0).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0; values.len()];
    let mut rank = 0;
    for k in 1..order.len() {
        if values[order[k]] != values[order[k - 1]] {
            rank += 1;
        }
        ranks[order[k]] = rank;
    }
    ranks
}

/// A Fenwick (binary indexed) tree of weights over risk ranks.
struct RankTree {
    sums: Vec<f64>,
    total: f64,
}

/// Weight in a [`RankTree`] below, at and above one rank.
struct RankSplit {
    below: f64,
    equal: f64,
    above: f64,
}

impl RankTree {
    fn new(ranks: usize) -> Self {
        Self {
            sums: vec![0.0; ranks + 1],
            total: 0.0,
        }
    }

    fn add(&mut self, rank: usize, weight: f64) {
        self.total += weight;
        let mut k = rank + 1;
        while k < self.sums.len() {
            self.sums[k] += weight;
            k += k & k.wrapping_neg();
        }
    }

    /// Total weight at ranks strictly below `rank`.
    fn below(&self, rank: usize) -> f64 {
        let mut sum = 0.0;
        let mut k = rank;
        while k > 0 {
            sum += self.sums[k];
            k -= k & k.wrapping_neg();
        }
        sum
    }

    fn split(&self, rank: usize) -> RankSplit {
        let below = self.below(rank);
        let up_to = self.below(rank + 1);
        RankSplit {
            below,
            equal: up_to - below,
            above: self.total - up_to,
        }
    }
}

/// Weighted pair counts of one risk score and, for each subject, the weighted
/// comparable pairs it belongs to (concordant, discordant, tied on risk).
struct PairSweep {
    concordant: f64,
    discordant: f64,
    tied_risk: f64,
    /// All event-event pairs at the same time, tied on risk or not.
    tied_time: f64,
    tied_both: f64,
    tied_time_censored: f64,
    influence: Vec<[f64; 3]>,
}

/// C and its infinitesimal-jackknife standard error from a [`PairSweep`].
struct PairSummary {
    c_index: f64,
    std_err: f64,
}

/// Count the comparable pairs, each weighted by `pair_weight` of its shorter
/// member (an event), in one pass from the longest time to the shortest.
///
/// One Fenwick tree holds the subjects already passed (the risk set of the
/// current time, censorings at that time included); a second holds the
/// weighted events already passed. A subject's pairs as the longer member are
/// the events added to the second tree between its own insertion and the end,
/// so they are the tree's final split minus its split at insertion. This is
/// the scheme of R survival 3.5 `concordance3` (C), rewritten here.
fn sweep_pairs(time: &[f64], event: &[bool], ranks: &[usize], pair_weight: &[f64]) -> PairSweep {
    let n = time.len();
    let n_ranks = ranks.iter().max().map_or(0, |&r| r + 1);
    let mut risk_set = RankTree::new(n_ranks);
    let mut events = RankTree::new(n_ranks);
    let mut out = PairSweep {
        concordant: 0.0,
        discordant: 0.0,
        tied_risk: 0.0,
        tied_time: 0.0,
        tied_both: 0.0,
        tied_time_censored: 0.0,
        influence: vec![[0.0; 3]; n],
    };
    // Decreasing time; at equal times censorings come first, so that they are
    // in the risk set of the events at that time.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]).then(event[a].cmp(&event[b])));

    let mut start = 0;
    while start < n {
        let t = time[order[start]];
        let end = start + order[start..].partition_point(|&i| time[i] == t);
        let group = &order[start..end];
        let first_event = group.partition_point(|&i| !event[i]);
        let (censored, deaths) = group.split_at(first_event);

        // Step 1: censored subjects open their influence and join the risk set.
        for &i in censored {
            subtract_split(&mut out.influence[i], &events.split(ranks[i]));
            risk_set.add(ranks[i], 1.0);
        }
        out.tied_time_censored += (censored.len() * deaths.len()) as f64;

        // Step 2: each event is compared with the risk set.
        for &i in deaths {
            let w = pair_weight[i];
            let split = risk_set.split(ranks[i]);
            out.concordant += w * split.below;
            out.discordant += w * split.above;
            out.tied_risk += w * split.equal;
            let inf = &mut out.influence[i];
            inf[0] += w * split.below;
            inf[1] += w * split.above;
            inf[2] += w * split.equal;
            events.add(ranks[i], w);
        }
        count_event_ties(deaths, ranks, pair_weight, &mut out);

        // Step 3: events open their influence as longer members (the events
        // at this time are already in the tree, so they cancel out) and join
        // the risk set of earlier times.
        for &i in deaths {
            subtract_split(&mut out.influence[i], &events.split(ranks[i]));
            risk_set.add(ranks[i], 1.0);
        }
        start = end;
    }

    // Step 4: close every subject's influence with the final event tree.
    for (i, inf) in out.influence.iter_mut().enumerate() {
        let split = events.split(ranks[i]);
        inf[0] += split.above;
        inf[1] += split.below;
        inf[2] += split.equal;
    }
    out
}

/// Open a subject's influence as the longer member of pairs: events with a
/// higher risk make concordant pairs with it, lower ones discordant pairs.
fn subtract_split(influence: &mut [f64; 3], split: &RankSplit) {
    influence[0] -= split.above;
    influence[1] -= split.below;
    influence[2] -= split.equal;
}

/// Add the pairs of events at one time (all tied on time) and those among
/// them also tied on risk.
fn count_event_ties(deaths: &[usize], ranks: &[usize], pair_weight: &[f64], out: &mut PairSweep) {
    let Some(&first) = deaths.first() else {
        return;
    };
    // Every event at one time has the same weight, which depends on the time only.
    let w = pair_weight[first];
    let d = deaths.len() as f64;
    out.tied_time += w * d * (d - 1.0) / 2.0;
    let mut tied_ranks: Vec<usize> = deaths.iter().map(|&i| ranks[i]).collect();
    tied_ranks.sort_unstable();
    for run in tied_ranks.chunk_by(|a, b| a == b) {
        let m = run.len() as f64;
        out.tied_both += w * m * (m - 1.0) / 2.0;
    }
}

impl PairSweep {
    /// C and R's infinitesimal-jackknife standard error.
    fn summarize(&self) -> Result<PairSummary, StatsError> {
        let pairs = self.concordant + self.discordant + self.tied_risk;
        if pairs <= 0.0 {
            return Err(StatsError::NoComparablePairs);
        }
        let somers_d = (self.concordant - self.discordant) / pairs;
        let variance: f64 = self
            .influence
            .iter()
            .map(|[c, d, t]| {
                let dfbeta = (c - d) / pairs - somers_d / pairs * (c + d + t);
                dfbeta * dfbeta
            })
            .sum::<f64>()
            / 4.0;
        Ok(PairSummary {
            c_index: (somers_d + 1.0) / 2.0,
            std_err: variance.sqrt(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All pairs by brute force, for comparison with the tree sweep.
    fn brute_force(time: &[f64], event: &[bool], risk: &[f64]) -> [u64; 5] {
        let mut counts = [0u64; 5];
        for i in 0..time.len() {
            for j in 0..time.len() {
                if i == j || !event[i] {
                    continue;
                }
                if time[j] > time[i] || (time[j] == time[i] && !event[j]) {
                    let k = if risk[i] > risk[j] {
                        0
                    } else if risk[i] < risk[j] {
                        1
                    } else {
                        2
                    };
                    counts[k] += 1;
                } else if time[j] == time[i] && event[j] && j > i {
                    counts[if risk[i] == risk[j] { 4 } else { 3 }] += 1;
                }
            }
        }
        counts
    }

    #[test]
    fn perfect_and_reversed_scores() {
        let time = [1.0, 2.0, 3.0, 4.0];
        let event = [true, true, true, false];
        let c = harrell(&time, &event, &[4.0, 3.0, 2.0, 1.0]).unwrap();
        assert_eq!(c.c_index, 1.0);
        assert_eq!(c.concordant, 6);
        let c = harrell(&time, &event, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(c.c_index, 0.0);
        assert_eq!(c.discordant, 6);
    }

    #[test]
    fn event_ties_not_comparable() {
        let c = harrell(&[1.0, 1.0], &[true, true], &[1.0, 2.0]);
        assert_eq!(c, Err(StatsError::NoComparablePairs));
    }

    #[test]
    fn hand_worked_ties() {
        // Times 1, 2, 2, 2+, 3+ with risks 5, 4, 4, 1, 4.
        // Event at 1 (risk 5) against all four others: 4 concordant.
        // Events at 2 (risk 4 each) against 2+ (risk 1): concordant; against
        // 3+ (risk 4): tied on risk. They tie with each other on time and risk.
        let time = [1.0, 2.0, 2.0, 2.0, 3.0];
        let event = [true, true, true, false, false];
        let risk = [5.0, 4.0, 4.0, 1.0, 4.0];
        let c = harrell(&time, &event, &risk).unwrap();
        assert_eq!(c.concordant, 6);
        assert_eq!(c.discordant, 0);
        assert_eq!(c.tied_risk, 2);
        assert_eq!(c.tied_time, 0);
        assert_eq!(c.tied_both, 1);
        assert_eq!(c.tied_time_censored, 2);
        assert_eq!(c.c_index, 7.0 / 8.0);
    }

    #[test]
    fn sweep_matches_brute_force() {
        // A deterministic scramble with many tied times and scores.
        let n = 200;
        let time: Vec<f64> = (0..n).map(|i| ((i * 37) % 23) as f64).collect();
        let event: Vec<bool> = (0..n).map(|i| (i * 11) % 3 != 0).collect();
        let risk: Vec<f64> = (0..n).map(|i| ((i * 53) % 17) as f64 - 8.0).collect();
        let c = harrell(&time, &event, &risk).unwrap();
        let expected = brute_force(&time, &event, &risk);
        let got = [
            c.concordant,
            c.discordant,
            c.tied_risk,
            c.tied_time,
            c.tied_both,
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let c = harrell(&[1.0, 2.0], &[true, false], &[-0.0, 0.0]).unwrap();
        assert_eq!(c.tied_risk, 1);
    }

    #[test]
    fn twenty_thousand_rows_are_fast() {
        let n = 20_000;
        let time: Vec<f64> = (0..n).map(|i| ((i * 7919) % 10_007) as f64).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
        let risk: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 9_973) as f64).collect();
        let started = std::time::Instant::now();
        let c = harrell(&time, &event, &risk).unwrap();
        assert!(c.c_index > 0.0 && c.c_index < 1.0);
        // The quadratic count takes several seconds at this size.
        assert!(started.elapsed().as_secs_f64() < 1.0);
    }

    #[test]
    fn censoring_survival_takes_events_first() {
        // Times 1, 2, 2+, 3+. At 2 three are at risk, with one event and one
        // censoring; the event leaves first, so G = 1 - 1/2 (not 1 - 1/3).
        // At 3 the last subject is censored and G drops to zero.
        let g = CensoringSurvival::estimate(&[1.0, 2.0, 2.0, 3.0], &[true, true, false, false])
            .unwrap();
        assert_eq!(g.at(1.5), 1.0);
        assert_eq!(g.before(2.0), 1.0);
        assert_eq!(g.at(2.0), 0.5);
        assert_eq!(g.at(3.0), 0.0);
    }

    #[test]
    fn uno_without_censoring_is_harrell() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0];
        let event = [true; 5];
        let risk = [3.0, 5.0, 1.0, 2.0, 0.0];
        let harrell = harrell(&time, &event, &risk).unwrap();
        for convention in [IpcwConvention::ScikitSurvival, IpcwConvention::R] {
            let settings = UnoSettings {
                tau: 10.0,
                convention,
            };
            let uno = uno(&time, &event, &risk, &settings).unwrap();
            assert!((uno.c_index - harrell.c_index).abs() < 1e-15);
        }
    }

    #[test]
    fn uno_rejects_tau_before_first_event() {
        let settings = UnoSettings {
            tau: 0.5,
            convention: IpcwConvention::R,
        };
        let err = uno(&[1.0, 2.0], &[true, false], &[1.0, 0.0], &settings).unwrap_err();
        assert!(matches!(err, StatsError::NoEvents { .. }));
    }

    #[test]
    fn uno_rejects_zero_censoring_survival() {
        // An event and a censoring share the last time 2, so G(2) = 0.
        let settings = UnoSettings {
            tau: 3.0,
            convention: IpcwConvention::ScikitSurvival,
        };
        let err = uno(
            &[1.0, 2.0, 2.0],
            &[true, true, false],
            &[1.0, 2.0, 0.0],
            &settings,
        )
        .unwrap_err();
        assert_eq!(err, StatsError::CensoringSurvivalZero { time: 2.0 });
    }
}
