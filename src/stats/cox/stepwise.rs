//! Stepwise selection of Cox model terms by AIC, as R `stats::step` does it
//! on a `coxph` fit.
//!
//! A term is one variable of [`Design::terms`]: a numeric covariate is one
//! design column, and a factor is all of its indicator columns, which enter
//! and leave together and cost one degree of freedom each.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::frame::Design;
use super::CoxSettings;
use super::fit::{CoxFit, fit};

/// Direction of a stepwise search: the moves it may make and its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// From the null model, adding one term at a time.
    Forward,
    /// From the model with every term, dropping one term at a time.
    Backward,
    /// From the null model, adding or dropping one term at a time.
    Both,
}

impl Direction {
    /// Returns the name R `step` uses for this direction.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Backward => "backward",
            Self::Both => "both",
        }
    }
}

/// One candidate change to the current model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Move {
    /// Keep the current model (R's `<none>` row).
    Keep,
    Add(String),
    Drop(String),
}

impl fmt::Display for Move {
    /// R's row label: `<none>`, `+ term` or `- term`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keep => write!(f, "<none>"),
            Self::Add(term) => write!(f, "+ {term}"),
            Self::Drop(term) => write!(f, "- {term}"),
        }
    }
}

/// A candidate move with the AIC of the model it leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub change: Move,
    /// Design columns the move adds or removes (0 for [`Move::Keep`]).
    pub df: usize,
    pub aic: f64,
}

/// The candidates examined from one model on the path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepTrace {
    /// Terms of the model the moves start from, in model order.
    pub model_terms: Vec<String>,
    pub aic: f64,
    /// In R's table order: keep, then drops in model order, then adds in
    /// candidate order. The move taken is the first with the lowest AIC.
    pub candidates: Vec<Candidate>,
}

/// One move taken, as a row of R `step`'s anova path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// [`Move::Keep`] for the starting model.
    pub change: Move,
    /// Change in residual degrees of freedom: minus the columns added, or
    /// the columns dropped.
    pub df: i64,
    /// `|Δ(−2·loglik)|`, or `None` for the starting model.
    pub deviance_change: Option<f64>,
    /// AIC after the move.
    pub aic: f64,
}

/// The result of a stepwise search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stepwise {
    pub direction: Direction,
    /// Terms of the final model in model order: order of entry for forward
    /// and both, candidate order for backward.
    pub selected: Vec<String>,
    pub aic: f64,
    pub loglik: f64,
    pub loglik_null: f64,
    /// The final model, its columns in the order of `selected`.
    pub fit: CoxFit,
    pub steps: Vec<StepRecord>,
    pub trace: Vec<StepTrace>,
}

/// Keep the design columns of the named terms, in the order of `terms`,
/// for refitting or predicting with a selected model.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when `design.terms` does not name every
/// column, and [`StatsError::UnknownColumn`] for a term that has no column.
pub fn select_terms(design: &Design, terms: &[String]) -> Result<Design, StatsError> {
    check_terms(design)?;
    let mut columns = Vec::new();
    for term in terms {
        let before = columns.len();
        columns.extend((0..design.terms.len()).filter(|&j| &design.terms[j] == term));
        if columns.len() == before {
            return Err(StatsError::UnknownColumn {
                name: term.clone(),
                available: distinct_terms(design).join(", "),
            });
        }
    }
    Ok(Design {
        names: columns.iter().map(|&j| design.names[j].clone()).collect(),
        terms: columns.iter().map(|&j| design.terms[j].clone()).collect(),
        x: design.x.select_columns(columns.iter()),
    })
}

fn check_terms(design: &Design) -> Result<(), StatsError> {
    if design.terms.len() == design.names.len() && design.terms.len() == design.x.ncols() {
        Ok(())
    } else {
        Err(StatsError::LengthMismatch {
            what: "design terms".into(),
            expected: design.x.ncols(),
            got: design.terms.len(),
        })
    }
}

/// Distinct terms of a design in column order.
fn distinct_terms(design: &Design) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for term in &design.terms {
        if !terms.contains(term) {
            terms.push(term.clone());
        }
    }
    terms
}

/// Fits of term subsets on one data set, remembered by subset.
struct Search<'a> {
    design: &'a Design,
    time: &'a [f64],
    event: &'a [bool],
    settings: &'a CoxSettings,
    /// Distinct terms in design order (the candidate order).
    terms: Vec<String>,
    /// Design columns of each term.
    columns: Vec<usize>,
    /// Log partial likelihood by sorted term indices.
    logliks: BTreeMap<Vec<usize>, f64>,
}

impl<'a> Search<'a> {
    fn new(
        design: &'a Design,
        time: &'a [f64],
        event: &'a [bool],
        settings: &'a CoxSettings,
    ) -> Self {
        let terms = distinct_terms(design);
        let columns = terms
            .iter()
            .map(|term| design.terms.iter().filter(|t| *t == term).count())
            .collect();
        Self {
            design,
            time,
            event,
            settings,
            terms,
            columns,
            logliks: BTreeMap::new(),
        }
    }

    fn names(&self, model: &[usize]) -> Vec<String> {
        model.iter().map(|&t| self.terms[t].clone()).collect()
    }

    fn fit(&self, model: &[usize]) -> Result<CoxFit, StatsError> {
        let design = select_terms(self.design, &self.names(model))?;
        fit(&design, self.time, self.event, self.settings)
    }

    /// Fits a model (or reuses its earlier fit) and returns its AIC and
    /// log partial likelihood.
    fn aic(&mut self, model: &[usize]) -> Result<(f64, f64), StatsError> {
        let mut key = model.to_vec();
        key.sort_unstable();
        let loglik = match self.logliks.get(&key) {
            Some(&loglik) => loglik,
            None => {
                let loglik = self.fit(model)?.loglik;
                self.logliks.insert(key, loglik);
                loglik
            }
        };
        let columns: usize = model.iter().map(|&t| self.columns[t]).sum();
        Ok((-2.0 * loglik + 2.0 * columns as f64, loglik))
    }

    /// Lists every single move from `model` that `direction` allows, in R's
    /// table order, with the model each leads to.
    fn candidates(
        &mut self,
        model: &[usize],
        current_aic: f64,
        direction: Direction,
    ) -> Result<Vec<(Candidate, Vec<usize>)>, StatsError> {
        let keep = Candidate {
            change: Move::Keep,
            df: 0,
            aic: current_aic,
        };
        let mut out = vec![(keep, model.to_vec())];
        if direction != Direction::Forward {
            for &term in model {
                let next: Vec<usize> = model.iter().copied().filter(|&t| t != term).collect();
                let change = Move::Drop(self.terms[term].clone());
                out.push((self.candidate(change, term, &next)?, next));
            }
        }
        if direction != Direction::Backward {
            for term in (0..self.terms.len()).filter(|t| !model.contains(t)) {
                let mut next = model.to_vec();
                next.push(term);
                let change = Move::Add(self.terms[term].clone());
                out.push((self.candidate(change, term, &next)?, next));
            }
        }
        Ok(out)
    }

    fn candidate(
        &mut self,
        change: Move,
        term: usize,
        next: &[usize],
    ) -> Result<Candidate, StatsError> {
        Ok(Candidate {
            change,
            df: self.columns[term],
            aic: self.aic(next)?.0,
        })
    }
}

/// Returns the position of the first candidate with the lowest AIC, which
/// is 0 (keep) unless a move lowers the AIC strictly.
fn best_candidate(candidates: &[(Candidate, Vec<usize>)]) -> usize {
    (1..candidates.len()).fold(0, |best, i| {
        if candidates[i].0.aic < candidates[best].0.aic {
            i
        } else {
            best
        }
    })
}

/// Select Cox model terms by AIC, as R `step(fit, scope = list(lower = ~1,
/// upper = ~ all terms), direction = ..., k = 2)` does with `coxph` fits.
///
/// AIC is `−2·loglik + 2·(design columns)`, so a factor with L levels costs
/// L − 1. Forward and both start from the null model, backward from the
/// model with every term. Each round fits every allowed single move and
/// takes the one with the lowest AIC, but only if that AIC is strictly
/// below the current model's. Ties go to the earliest in R's table order
/// (keep, drops in model order, adds in candidate order). Every fit uses
/// the rows of `design`. Fits of the same term set are reused.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when `design.terms` does not name every
/// column, and any error of [`fit`] on a model the search visits, such as
/// [`StatsError::MonotoneLikelihood`] for a term that separates events or
/// [`StatsError::Singular`] for a term collinear with others.
///
/// NOTE: R's `step` keeps going past such fits (it warns, or gives an
/// aliased term 0 degrees of freedom and skips it); this search stops at
/// the first one so that no AIC comes from a fit that did not converge.
pub fn stepwise(
    design: &Design,
    time: &[f64],
    event: &[bool],
    direction: Direction,
    settings: &CoxSettings,
) -> Result<Stepwise, StatsError> {
    check_terms(design)?;
    let mut search = Search::new(design, time, event, settings);
    let loglik_null = search.aic(&[])?.1;
    let mut model: Vec<usize> = match direction {
        Direction::Backward => (0..search.terms.len()).collect(),
        Direction::Forward | Direction::Both => Vec::new(),
    };
    let (mut aic, mut loglik) = search.aic(&model)?;
    let mut steps = vec![StepRecord {
        change: Move::Keep,
        df: 0,
        deviance_change: None,
        aic,
    }];
    let mut trace = Vec::new();

    loop {
        let candidates = search.candidates(&model, aic, direction)?;
        trace.push(StepTrace {
            model_terms: search.names(&model),
            aic,
            candidates: candidates.iter().map(|(c, _)| c.clone()).collect(),
        });
        let best = best_candidate(&candidates);
        if best == 0 {
            break;
        }
        let (chosen, next) = candidates[best].clone();
        let (next_aic, next_loglik) = search.aic(&next)?;
        steps.push(StepRecord::of_move(chosen, loglik, next_loglik, next_aic));
        (model, aic, loglik) = (next, next_aic, next_loglik);
    }

    Ok(Stepwise {
        direction,
        selected: search.names(&model),
        aic,
        loglik,
        loglik_null,
        fit: search.fit(&model)?,
        steps,
        trace,
    })
}

impl StepRecord {
    fn of_move(chosen: Candidate, loglik: f64, next_loglik: f64, next_aic: f64) -> Self {
        let columns = chosen.df as i64;
        Self {
            df: match chosen.change {
                Move::Add(_) => -columns,
                Move::Keep | Move::Drop(_) => columns,
            },
            change: chosen.change,
            deviance_change: Some((2.0 * (next_loglik - loglik)).abs()),
            aic: next_aic,
        }
    }
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Simulates columns `x` (hazard ratio e per unit), `g=1` and `g=2` (a
    /// 3-level factor with log hazard ratios 0.8 and −0.8) and `z` (no
    /// effect). Times are exponential, censored uniformly on [0, 2].
    fn simulated(n: usize, seed: u64) -> (Design, Vec<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = DMatrix::zeros(n, 4);
        let mut time = Vec::with_capacity(n);
        let mut event = Vec::with_capacity(n);
        for i in 0..n {
            let level = rng.random_range(0..3usize);
            x[(i, 0)] = rng.random::<f64>() * 2.0 - 1.0;
            x[(i, 1)] = f64::from(u8::from(level == 1));
            x[(i, 2)] = f64::from(u8::from(level == 2));
            x[(i, 3)] = rng.random::<f64>();
            let eta = x[(i, 0)] + 0.8 * x[(i, 1)] - 0.8 * x[(i, 2)];
            let t = -(1.0 - rng.random::<f64>()).ln() / f64::exp(eta);
            let c = rng.random::<f64>() * 2.0;
            time.push(t.min(c));
            event.push(t <= c);
        }
        let design = Design {
            names: ["x", "g=1", "g=2", "z"].map(String::from).to_vec(),
            terms: ["x", "g", "g", "z"].map(String::from).to_vec(),
            x,
        };
        (design, time, event)
    }

    fn run(direction: Direction) -> Stepwise {
        let (design, time, event) = simulated(150, 11);
        stepwise(&design, &time, &event, direction, &CoxSettings::default()).unwrap()
    }

    #[test]
    fn move_labels_follow_r() {
        assert_eq!(Move::Keep.to_string(), "<none>");
        assert_eq!(Move::Add("age".into()).to_string(), "+ age");
        assert_eq!(Move::Drop("age".into()).to_string(), "- age");
    }

    #[test]
    fn factor_moves_as_one_term() {
        let result = run(Direction::Forward);
        let add_g = result.trace[0]
            .candidates
            .iter()
            .find(|c| c.change == Move::Add("g".into()))
            .unwrap();
        assert_eq!(add_g.df, 2);
        assert!(result.selected.contains(&"g".to_string()));
        let g_columns: Vec<&String> = result
            .fit
            .names
            .iter()
            .filter(|n| n.starts_with("g="))
            .collect();
        assert_eq!(g_columns, ["g=1", "g=2"]);
    }

    #[test]
    fn candidate_aic_counts_design_columns() {
        // AIC of "+ g" from the null model: −2·loglik + 2·2.
        let (design, time, event) = simulated(150, 11);
        let settings = CoxSettings::default();
        let only_g = select_terms(&design, &["g".to_string()]).unwrap();
        let loglik = fit(&only_g, &time, &event, &settings).unwrap().loglik;
        let result = run(Direction::Forward);
        let add_g = result.trace[0]
            .candidates
            .iter()
            .find(|c| c.change == Move::Add("g".into()))
            .unwrap();
        assert!((add_g.aic - (-2.0 * loglik + 4.0)).abs() < 1e-9);
        assert!((result.trace[0].aic + 2.0 * result.loglik_null).abs() < 1e-9);
    }

    #[test]
    fn every_step_lowers_aic_and_final_is_best() {
        for direction in [Direction::Forward, Direction::Backward, Direction::Both] {
            let result = run(direction);
            for pair in result.steps.windows(2) {
                assert!(pair[1].aic < pair[0].aic, "{direction:?}: {pair:?}");
            }
            let last = result.trace.last().unwrap();
            assert_eq!(last.aic, result.aic, "{direction:?}");
            for candidate in &last.candidates[1..] {
                assert!(candidate.aic >= result.aic, "{direction:?}: {candidate:?}");
            }
            assert_eq!(result.steps.len(), result.trace.len(), "{direction:?}");
        }
    }

    #[test]
    fn directions_agree_on_strong_signal() {
        // x and g have large effects and z none, so every direction keeps
        // x and g: forward and both in order of entry, backward in design
        // order after dropping z.
        let forward = run(Direction::Forward);
        let mut kept = forward.selected.clone();
        kept.sort();
        assert_eq!(kept, ["g", "x"]);
        for (step, term) in forward.steps[1..].iter().zip(&forward.selected) {
            assert_eq!(step.change, Move::Add(term.clone()));
            let columns = if term == "g" { 2 } else { 1 };
            assert_eq!(step.df, -columns);
        }
        assert_eq!(run(Direction::Both).selected, forward.selected);
        let backward = run(Direction::Backward);
        assert_eq!(backward.selected, ["x", "g"]);
        assert_eq!(backward.steps[1].change, Move::Drop("z".into()));
        assert_eq!(backward.steps[1].df, 1);
        assert!((backward.aic - forward.aic).abs() < 1e-9);
    }

    #[test]
    fn weak_term_leaves_null_model() {
        // A covariate whose likelihood-ratio statistic is below 2 does not
        // pay for its degree of freedom.
        let (design, time, event) = simulated(150, 11);
        let z = select_terms(&design, &["z".to_string()]).unwrap();
        let settings = CoxSettings::default();
        let only_z = fit(&z, &time, &event, &settings).unwrap();
        assert!(2.0 * (only_z.loglik - only_z.loglik_null) < 2.0);
        let result = stepwise(&z, &time, &event, Direction::Forward, &settings).unwrap();
        assert!(result.selected.is_empty());
        assert_eq!(result.steps.len(), 1);
        assert!(result.fit.coef.is_empty());
        assert_eq!(result.loglik, result.loglik_null);
    }

    #[test]
    fn separating_term_stops_search() {
        let design = Design {
            names: vec!["s".into()],
            terms: vec!["s".into()],
            x: DMatrix::from_column_slice(6, 1, &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]),
        };
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let err = stepwise(
            &design,
            &time,
            &[true; 6],
            Direction::Forward,
            &CoxSettings::default(),
        )
        .unwrap_err();
        assert_eq!(err, StatsError::MonotoneLikelihood { name: "s".into() });
    }

    #[test]
    fn terms_must_cover_columns() {
        let (mut design, time, event) = simulated(20, 3);
        design.terms.pop();
        let err = stepwise(
            &design,
            &time,
            &event,
            Direction::Both,
            &CoxSettings::default(),
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::LengthMismatch { .. }));
    }

    #[test]
    fn select_terms_keeps_requested_order() {
        let (design, _, _) = simulated(10, 3);
        let picked = select_terms(&design, &["z".to_string(), "g".to_string()]).unwrap();
        assert_eq!(picked.names, ["z", "g=1", "g=2"]);
        assert_eq!(picked.x.column(0), design.x.column(3));
        let err = select_terms(&design, &["w".to_string()]).unwrap_err();
        assert!(matches!(err, StatsError::UnknownColumn { name, .. } if name == "w"));
    }
}
