//! The Newton–Raphson fit of a Cox model and the fitted-model type.

use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::frame::Design;
use super::baseline::{RiskSetTable, risk_set_table};
use super::cholesky::Ldl;
use super::kernel::{Evaluation, evaluate};
use super::prepare::{Prepared, prepare};
use super::{CoxSettings, Ties};

/// A fitted Cox proportional hazards model.
///
/// Coefficients, variance and means are on the scale of the design columns.
/// A model without covariates (the null model) has empty vectors and
/// `loglik == loglik_null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    /// Design column names, e.g. `age` or `sex=f`.
    pub names: Vec<String>,
    /// The term (CSV column) of each design column.
    pub terms: Vec<String>,
    pub ties: Ties,
    /// Rows used.
    pub n: usize,
    pub events: usize,
    pub coef: Vec<f64>,
    /// Inverse of the information matrix at `coef`, as rows.
    pub var: Vec<Vec<f64>>,
    /// Centring of each column in `linear_predictors` and in the baseline
    /// hazard: the column mean, or 0 for a column whose values are all in
    /// {−1, 0, 1} (R `coxph`'s `means`).
    pub means: Vec<f64>,
    /// Log partial likelihood at β = 0.
    pub loglik_null: f64,
    /// Log partial likelihood at `coef`.
    pub loglik: f64,
    /// Score test statistic `U(0)ᵀ I(0)⁻¹ U(0)`.
    pub score_statistic: f64,
    /// Newton–Raphson steps taken (0 for the null model).
    pub iterations: usize,
    /// `(x − means)·coef` for every row used, in input order.
    pub linear_predictors: Vec<f64>,
    /// Risk-set sums at the fitted coefficients, for baseline hazards and
    /// predicted curves.
    pub risk_sets: RiskSetTable,
}

/// Where the Newton–Raphson iteration stopped, on the prepared scale.
struct Converged {
    beta: Vec<f64>,
    at_beta: Evaluation,
    factor: Ldl,
    iterations: usize,
}

/// Fit a Cox proportional hazards model by Newton–Raphson.
///
/// Starts from β = 0 and takes full Newton steps. When a step lowers the
/// log partial likelihood (or makes it non-finite) the step is shortened,
/// more each time: after the h-th failure in a row the new point is
/// `(new + h·old)/(h + 1)`. The fit has converged when
/// `|1 − best/new| ≤ eps` for the log partial likelihood. The variance is
/// the inverse information at the final β. This is R survival 3.5
/// `coxph(Surv(time, event) ~ ..., ties = ...)` with `coxph.control`
/// defaults, and it takes the same number of iterations.
///
/// # Errors
///
/// The input checks of [`prepare`] and [`CoxSettings::validate`];
/// [`StatsError::Singular`] when a design column is a linear combination of
/// others; [`StatsError::MonotoneLikelihood`] when a coefficient still
/// moves by more than `toler_inf·|β|` per step although the log-likelihood
/// has converged (R's "beta may be infinite" warning) or, after `max_iter`
/// steps, has changed by less than `sqrt(eps)` relative in the last one, as
/// for a covariate that separates events from survivors; and
/// [`StatsError::NotConverged`] after `max_iter` steps otherwise.
pub fn fit(
    design: &Design,
    time: &[f64],
    event: &[bool],
    settings: &CoxSettings,
) -> Result<CoxFit, StatsError> {
    settings.validate()?;
    if design.terms.len() != design.names.len() {
        return Err(StatsError::LengthMismatch {
            what: "design terms".into(),
            expected: design.names.len(),
            got: design.terms.len(),
        });
    }
    let data = prepare(&design.x, &design.names, time, event)?;
    let null = evaluate(&data, &vec![0.0; data.p], settings.ties);
    let (converged, score_statistic) = if data.p == 0 {
        (null_model(&data, null.clone()), 0.0)
    } else {
        newton_raphson(&data, &design.names, null.clone(), settings)?
    };
    check_final(&data, &design.names, &converged, settings)?;
    Ok(assemble(
        design,
        data,
        null.loglik,
        converged,
        score_statistic,
        settings,
    ))
}

fn null_model(data: &Prepared, at_zero: Evaluation) -> Converged {
    Converged {
        beta: Vec::new(),
        factor: Ldl::new(&at_zero.info, data.p, 1.0),
        at_beta: at_zero,
        iterations: 0,
    }
}

/// Iterate from β = 0; return the final point and the score statistic.
fn newton_raphson(
    data: &Prepared,
    names: &[String],
    at_zero: Evaluation,
    settings: &CoxSettings,
) -> Result<(Converged, f64), StatsError> {
    let p = data.p;
    // Step 1: the first step and the score test, both from β = 0.
    let factor = Ldl::new(&at_zero.info, p, settings.toler_chol);
    if let Some(column) = factor.first_singular() {
        return Err(singular(names, column));
    }
    let step = factor.solve(&at_zero.score);
    let score_statistic: f64 = step.iter().zip(&at_zero.score).map(|(a, b)| a * b).sum();

    // Step 2: Newton steps with step halving, as `coxfit6` orders them.
    let mut beta = vec![0.0; p];
    let mut best = at_zero.loglik;
    let mut last_change = f64::INFINITY;
    let mut accepted: Option<(Evaluation, Ldl)> = None;
    let mut next: Vec<f64> = step;
    let mut halving = 0.0;
    for iteration in 1..=settings.max_iter {
        let at_next = evaluate(data, &next, settings.ties);
        let factor = Ldl::new(&at_next.info, p, settings.toler_chol);
        let finite = at_next.loglik.is_finite()
            && at_next.score.iter().all(|v| v.is_finite())
            && at_next.info.iter().all(|v| v.is_finite());
        let change = (1.0 - best / at_next.loglik).abs();
        if finite && change <= settings.eps {
            let converged = Converged {
                beta: next,
                at_beta: at_next,
                factor,
                iterations: iteration,
            };
            return Ok((converged, score_statistic));
        }
        if !finite || at_next.loglik < best {
            halving += 1.0;
            for (n, b) in next.iter_mut().zip(&beta) {
                *n = (*n + halving * b) / (halving + 1.0);
            }
        } else {
            halving = 0.0;
            best = at_next.loglik;
            last_change = change;
            let step = factor.solve(&at_next.score);
            beta.clone_from(&next);
            for (n, s) in next.iter_mut().zip(step) {
                *n += s;
            }
            accepted = Some((at_next, factor));
        }
    }

    // Step 3: out of iterations. A likelihood that has all but stopped
    // rising while a coefficient still takes large steps is monotone.
    if let Some((at_beta, factor)) = &accepted
        && last_change < settings.eps.sqrt()
        && let Some(name) = diverging_coefficient(data, names, &beta, at_beta, factor, settings)
    {
        return Err(StatsError::MonotoneLikelihood { name });
    }
    Err(StatsError::NotConverged {
        iterations: settings.max_iter,
    })
}

/// Reject a singular final information matrix and coefficients that run to
/// infinity.
fn check_final(
    data: &Prepared,
    names: &[String],
    converged: &Converged,
    settings: &CoxSettings,
) -> Result<(), StatsError> {
    if data.p == 0 {
        return Ok(());
    }
    if let Some(column) = converged.factor.first_singular() {
        return Err(singular(names, column));
    }
    match diverging_coefficient(
        data,
        names,
        &converged.beta,
        &converged.at_beta,
        &converged.factor,
        settings,
    ) {
        Some(name) => Err(StatsError::MonotoneLikelihood { name }),
        None => Ok(()),
    }
}

/// The first coefficient whose remaining Newton step `V·U` exceeds both
/// `eps` and `toler_inf·|β|` on the original scale, or whose score is not
/// finite: R survival 3.5 `coxph.fit`'s test behind its "beta may be
/// infinite" warning.
fn diverging_coefficient(
    data: &Prepared,
    names: &[String],
    beta: &[f64],
    at_beta: &Evaluation,
    factor: &Ldl,
    settings: &CoxSettings,
) -> Option<String> {
    let step = factor.solve(&at_beta.score);
    (0..data.p)
        .find(|&j| {
            let remaining = (step[j] * data.scale[j]).abs();
            let coef = (beta[j] * data.scale[j]).abs();
            !at_beta.score[j].is_finite()
                || (remaining > settings.eps && remaining > settings.toler_inf * coef)
        })
        .map(|j| names[j].clone())
}

fn singular(names: &[String], column: usize) -> StatsError {
    StatsError::Singular {
        detail: format!(
            "column `{}` is a linear combination of the columns before it",
            names[column]
        ),
    }
}

/// Convert the final point back to the original scale and build the model.
fn assemble(
    design: &Design,
    data: Prepared,
    loglik_null: f64,
    converged: Converged,
    score_statistic: f64,
    settings: &CoxSettings,
) -> CoxFit {
    let p = data.p;
    let coef: Vec<f64> = (0..p).map(|j| converged.beta[j] * data.scale[j]).collect();
    let inverse = converged.factor.inverse();
    let var: Vec<Vec<f64>> = (0..p)
        .map(|i| {
            (0..p)
                .map(|j| inverse[i * p + j] * data.scale[i] * data.scale[j])
                .collect()
        })
        .collect();
    let offset: f64 = coef.iter().zip(&data.means).map(|(b, m)| b * m).sum();
    let linear_predictors = (0..data.n)
        .map(|row| {
            let eta: f64 = (0..p).map(|j| design.x[(row, j)] * coef[j]).sum();
            eta - offset
        })
        .collect();
    let risk_sets = risk_set_table(&data, &coef, settings.ties);
    CoxFit {
        names: design.names.clone(),
        terms: design.terms.clone(),
        ties: settings.ties,
        n: data.n,
        events: data.events,
        var,
        means: data.means,
        loglik_null,
        loglik: converged.at_beta.loglik,
        score_statistic,
        iterations: converged.iterations,
        linear_predictors,
        risk_sets,
        coef,
    }
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn design(columns: &[(&str, &[f64])]) -> Design {
        let n = columns[0].1.len();
        Design {
            names: columns.iter().map(|(n, _)| n.to_string()).collect(),
            terms: columns.iter().map(|(n, _)| n.to_string()).collect(),
            x: DMatrix::from_fn(n, columns.len(), |i, j| columns[j].1[i]),
        }
    }

    fn efron() -> CoxSettings {
        CoxSettings::default()
    }

    #[test]
    fn hand_worked_single_covariate() {
        // x = 1, 0, 1 dying at 1, 2, 3. With u = exp(β):
        // l(β) = β − log(1 + 2u) − log(1 + u), and l'(β) = 0 gives
        // 1/(1 + 2u) = u/(1 + u), so 2u² = 1 and β = −log(2)/2.
        // Information: 2u/(1 + 2u)² + u/(1 + u)².
        let d = design(&[("x", &[1.0, 0.0, 1.0])]);
        let fit = fit(&d, &[1.0, 2.0, 3.0], &[true; 3], &efron()).unwrap();
        let beta = -(2.0_f64.ln()) / 2.0;
        assert!((fit.coef[0] - beta).abs() < 1e-8);
        let u = beta.exp();
        let info = 2.0 * u / ((1.0 + 2.0 * u) * (1.0 + 2.0 * u)) + u / ((1.0 + u) * (1.0 + u));
        assert!((fit.var[0][0] - 1.0 / info).abs() < 1e-8);
        let loglik = beta - (1.0 + 2.0 * u).ln() - (1.0 + u).ln();
        assert!((fit.loglik - loglik).abs() < 1e-12);
        // At β = 0: l = −log 3 − log 2.
        assert!((fit.loglik_null + 6.0_f64.ln()).abs() < 1e-14);
        // x is 0/1, so it is not centred and the predictors are x·β.
        assert_eq!(fit.means, vec![0.0]);
        assert!((fit.linear_predictors[0] - beta).abs() < 1e-8);
    }

    #[test]
    fn separating_covariate_is_monotone() {
        // Every event at times 1–3 has the highest x in its risk set, so the
        // likelihood keeps rising as β grows.
        let d = design(&[("x", &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0])]);
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let err = fit(&d, &time, &[true; 6], &efron()).unwrap_err();
        assert_eq!(err, StatsError::MonotoneLikelihood { name: "x".into() });
    }

    #[test]
    fn group_without_events_is_monotone() {
        // Everyone with g = 1 is censored: β for g runs to −∞.
        let g = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let z = [0.3, 1.2, -0.4, 0.8, 1.5, -1.1, 0.2, 0.6];
        let event = [true, false, true, false, true, false, true, false];
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let err = fit(&design(&[("z", &z), ("g", &g)]), &time, &event, &efron()).unwrap_err();
        assert_eq!(err, StatsError::MonotoneLikelihood { name: "g".into() });
    }

    #[test]
    fn collinear_columns_are_singular() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [2.0, 4.0, 6.0, 8.0, 10.0];
        let time = [5.0, 3.0, 4.0, 1.0, 2.0];
        let err = fit(
            &design(&[("a", &a), ("b", &b)]),
            &time,
            &[true; 5],
            &efron(),
        )
        .unwrap_err();
        assert!(matches!(err, StatsError::Singular { detail } if detail.contains("`b`")));
    }

    #[test]
    fn constant_covariate_rejected() {
        let d = design(&[("c", &[3.0, 3.0, 3.0])]);
        let err = fit(&d, &[1.0, 2.0, 3.0], &[true; 3], &efron()).unwrap_err();
        assert_eq!(err, StatsError::ConstantCovariate { name: "c".into() });
    }

    #[test]
    fn all_censored_rejected() {
        let d = design(&[("x", &[1.0, 0.0, 1.0])]);
        let err = fit(&d, &[1.0, 2.0, 3.0], &[false; 3], &efron()).unwrap_err();
        assert!(matches!(err, StatsError::NoEvents { .. }));
    }

    #[test]
    fn single_row_rejected() {
        let d = design(&[("x", &[1.0])]);
        let err = fit(&d, &[1.0], &[true], &efron()).unwrap_err();
        assert!(matches!(err, StatsError::TooFewRows { got: 1, .. }));
    }

    #[test]
    fn negative_time_rejected() {
        let d = design(&[("x", &[1.0, 0.0])]);
        let err = fit(&d, &[1.0, -2.0], &[true, true], &efron()).unwrap_err();
        assert_eq!(
            err,
            StatsError::NegativeTime {
                row: 1,
                value: -2.0
            }
        );
    }

    #[test]
    fn all_events_at_one_time_give_zero() {
        // Everyone dies together: every subject is in every risk set, so the
        // score is 0 at β = 0 under both tie methods and β̂ = 0.
        let d = design(&[("x", &[1.0, 0.0, 1.0, 0.0, 0.0])]);
        for ties in [Ties::Efron, Ties::Breslow] {
            let fit = fit(&d, &[2.0; 5], &[true; 5], &CoxSettings::with_ties(ties)).unwrap();
            assert_eq!(fit.coef, vec![0.0], "{ties:?}");
            assert_eq!(fit.iterations, 1, "{ties:?}");
            assert!(fit.var[0][0].is_finite() && fit.var[0][0] > 0.0, "{ties:?}");
        }
    }

    #[test]
    fn event_at_time_zero_fits() {
        let d = design(&[("x", &[1.0, 0.0, 1.0, 0.0])]);
        let fit = fit(&d, &[0.0, 1.0, 2.0, 3.0], &[true; 4], &efron()).unwrap();
        assert_eq!(fit.risk_sets.time[0], 0.0);
        assert_eq!(fit.risk_sets.n_event[0], 1);
    }

    #[test]
    fn too_few_iterations_not_converged() {
        let d = design(&[("x", &[1.0, 0.0, 1.0])]);
        let settings = CoxSettings {
            max_iter: 1,
            ..efron()
        };
        let err = fit(&d, &[1.0, 2.0, 3.0], &[true; 3], &settings).unwrap_err();
        assert_eq!(err, StatsError::NotConverged { iterations: 1 });
    }

    #[test]
    fn null_model_has_null_loglik() {
        let d = Design {
            names: Vec::new(),
            terms: Vec::new(),
            x: DMatrix::zeros(3, 0),
        };
        let fit = fit(&d, &[1.0, 2.0, 3.0], &[true; 3], &efron()).unwrap();
        assert_eq!(fit.iterations, 0);
        assert!((fit.loglik + 6.0_f64.ln()).abs() < 1e-14);
        assert_eq!(fit.loglik, fit.loglik_null);
    }

    /// Exponential survival with hazard exp(xβ), uniform censoring.
    fn simulated(n: usize, beta: &[f64], seed: u64) -> (Design, Vec<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let p = beta.len();
        let x = DMatrix::from_fn(n, p, |_, j| {
            if j % 3 == 0 {
                f64::from(u8::from(rng.random::<f64>() < 0.4))
            } else {
                rng.random::<f64>() * 4.0 - 2.0
            }
        });
        let mut time = Vec::with_capacity(n);
        let mut event = Vec::with_capacity(n);
        for i in 0..n {
            let eta: f64 = (0..p).map(|j| x[(i, j)] * beta[j]).sum();
            let t = -(1.0 - rng.random::<f64>()).ln() / eta.exp();
            let c = rng.random::<f64>() * 3.0;
            // Whole tenths of a unit, so that many times are tied.
            time.push((t.min(c) * 10.0).ceil() / 10.0);
            event.push(t <= c);
        }
        let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
        let design = Design {
            terms: names.clone(),
            names,
            x,
        };
        (design, time, event)
    }

    #[test]
    fn recovers_coefficients_at_registry_scale() {
        // 2,555 rows and 13 covariates, the size of the published cohort.
        let beta: Vec<f64> = (0..13).map(|j| 0.5 - 0.08 * j as f64).collect();
        let (design, time, event) = simulated(2555, &beta, 7);
        let start = std::time::Instant::now();
        let fit = fit(&design, &time, &event, &efron()).unwrap();
        let elapsed = start.elapsed();
        eprintln!(
            "Cox fit on 2555 x 13: {elapsed:?}, {} iterations",
            fit.iterations
        );
        for (j, (&b, &truth)) in fit.coef.iter().zip(&beta).enumerate() {
            let se = fit.var[j][j].sqrt();
            assert!(
                (b - truth).abs() < 4.0 * se,
                "x{j}: {b} vs {truth} (se {se})"
            );
        }
    }
}
