//! The baseline cumulative hazard of a fitted Cox model and predicted
//! survival curves for new rows, as R survival 3.5 `basehaz` and
//! `survfit.coxph` compute them.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::super::StatsError;
use super::super::data::check_finite;
use super::super::km::normal_upper_quantile;
use super::Ties;
use super::fit::CoxFit;
use super::prepare::Prepared;

/// Risk-set sums of a fitted model at each distinct time of its data,
/// censoring times included, for a subject whose covariates equal the fit's
/// `means`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskSetTable {
    pub time: Vec<f64>,
    pub n_risk: Vec<usize>,
    pub n_event: Vec<usize>,
    pub n_censor: Vec<usize>,
    /// Hazard increment at each time (0 where no event).
    pub hazard: Vec<f64>,
    /// Increment of the hazard's variance with β taken as known.
    pub var_hazard: Vec<f64>,
    /// Cumulative risk-weighted covariate means times the hazard
    /// increments, one row per time: the term of the curve's variance that
    /// carries the uncertainty of β.
    pub xbar: Vec<Vec<f64>>,
}

/// Sums over the rows at risk, with covariates centred at the fit's means.
struct AtRisk {
    count: usize,
    risk: f64,
    x: Vec<f64>,
}

/// Build the risk-set table at the final coefficients.
///
/// For an event time with d events, R the total risk `Σ exp((x − means)β)`
/// of those at risk and D the events' share of it, the Breslow increment
/// is `d/R` with variance term `d/R²`; the Efron increment is
/// `Σ_{k<d} 1/(R − (k/d)·D)` with variance term `Σ_{k<d} 1/(R − (k/d)·D)²`,
/// and the covariate means are reduced the same way (R survival 3.5
/// `agsurv`, survival type following the ties of the fit).
pub(crate) fn risk_set_table(data: &Prepared, coef: &[f64], ties: Ties) -> RiskSetTable {
    let p = data.p;
    let blocks = data.blocks.len();
    let mut table = RiskSetTable {
        time: vec![0.0; blocks],
        n_risk: vec![0; blocks],
        n_event: vec![0; blocks],
        n_censor: vec![0; blocks],
        hazard: vec![0.0; blocks],
        var_hazard: vec![0.0; blocks],
        xbar: vec![vec![0.0; p]; blocks],
    };
    let mut at_risk = AtRisk {
        count: 0,
        risk: 0.0,
        x: vec![0.0; p],
    };
    let mut increments = vec![vec![0.0; p]; blocks];
    for (b, block) in data.blocks.iter().enumerate().rev() {
        let mut deaths = AtRisk {
            count: 0,
            risk: 0.0,
            x: vec![0.0; p],
        };
        for i in block.clone() {
            let centred: Vec<f64> = (0..p).map(|j| data.row(i)[j] / data.scale[j]).collect();
            let risk = centred
                .iter()
                .zip(coef)
                .map(|(x, b)| x * b)
                .sum::<f64>()
                .exp();
            let target = if data.event[i] {
                &mut deaths
            } else {
                &mut at_risk
            };
            target.count += 1;
            target.risk += risk;
            for (s, x) in target.x.iter_mut().zip(&centred) {
                *s += risk * x;
            }
        }
        at_risk.count += deaths.count;
        at_risk.risk += deaths.risk;
        for (s, x) in at_risk.x.iter_mut().zip(&deaths.x) {
            *s += x;
        }

        table.time[b] = data.time[block.start];
        table.n_risk[b] = at_risk.count;
        table.n_event[b] = deaths.count;
        table.n_censor[b] = block.len() - deaths.count;
        if deaths.count > 0 {
            let (hazard, variance) = increment(&at_risk, &deaths, ties, &mut increments[b]);
            table.hazard[b] = hazard;
            table.var_hazard[b] = variance;
        }
    }
    let mut running = vec![0.0; p];
    for (row, inc) in table.xbar.iter_mut().zip(&increments) {
        for (r, v) in running.iter_mut().zip(inc) {
            *r += v;
        }
        row.clone_from(&running);
    }
    table
}

/// Hazard and variance increments of one event time; writes the covariate
/// term into `xbar`.
fn increment(at_risk: &AtRisk, deaths: &AtRisk, ties: Ties, xbar: &mut [f64]) -> (f64, f64) {
    let d = deaths.count as f64;
    let terms = match ties {
        Ties::Efron => deaths.count,
        Ties::Breslow => 1,
    };
    let (mut hazard, mut variance) = (0.0, 0.0);
    for k in 0..terms {
        // Breslow: one term carrying all d events at the full risk set.
        let (share, weight) = match ties {
            Ties::Efron => (k as f64 / d, 1.0),
            Ties::Breslow => (0.0, d),
        };
        let denom = at_risk.risk - share * deaths.risk;
        hazard += weight / denom;
        variance += weight / (denom * denom);
        for (j, out) in xbar.iter_mut().enumerate() {
            *out += weight * (at_risk.x[j] - share * deaths.x[j]) / (denom * denom);
        }
    }
    (hazard, variance)
}

/// A cumulative hazard at every distinct time of the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineHazard {
    pub time: Vec<f64>,
    pub cumhaz: Vec<f64>,
}

/// The baseline cumulative hazard of a fitted model.
///
/// `centered = false` gives the hazard of a subject with every covariate 0,
/// `centered = true` that of a subject at the fit's `means`. This matches R
/// survival 3.5 `basehaz(fit, centered = ...)`, with Breslow or Efron
/// increments following the ties of the fit.
pub fn basehaz(fit: &CoxFit, centered: bool) -> BaselineHazard {
    let shift = if centered {
        1.0
    } else {
        let offset: f64 = fit.coef.iter().zip(&fit.means).map(|(b, m)| b * m).sum();
        (-offset).exp()
    };
    let mut total = 0.0;
    let cumhaz = fit
        .risk_sets
        .hazard
        .iter()
        .map(|h| {
            total += h;
            total * shift
        })
        .collect();
    BaselineHazard {
        time: fit.risk_sets.time.clone(),
        cumhaz,
    }
}

/// Predicted survival of one new row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalCurve {
    /// `(x − means)·coef` of the row.
    pub linear_predictor: f64,
    pub surv: Vec<f64>,
    pub cumhaz: Vec<f64>,
    /// Standard error of the cumulative hazard, including the variance of β.
    pub std_err: Vec<f64>,
    /// Log-type bounds, `S·exp(∓z·se)` with the upper clipped at 1; `None`
    /// where S = 0.
    pub lower: Vec<Option<f64>>,
    pub upper: Vec<Option<f64>>,
}

/// Predicted survival curves on the distinct times of the fitted data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedSurvival {
    pub time: Vec<f64>,
    pub n_risk: Vec<usize>,
    pub n_event: Vec<usize>,
    pub n_censor: Vec<usize>,
    pub conf_level: f64,
    /// One curve per new row, in row order.
    pub curves: Vec<SurvivalCurve>,
}

/// Predict survival curves for new rows of the design.
///
/// For a row x with `r = exp((x − means)β)`, `H(t; x) = r·H₀(t)` and
/// `S = exp(−H)`. The variance of H is
/// `r²·(Σ var_hazard + dᵀ V d)` with `d = H₀(t)·(x − means) − xbar(t)` and V
/// the variance of β. This is R survival 3.5 `survfit(fit, newdata)` with
/// its defaults (`stype = 2`, `ctype` following the ties, `conf.type =
/// "log"`).
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when `rows` does not have one column per
/// coefficient, [`StatsError::NonFinite`] for a value that is not finite,
/// and [`StatsError::InvalidParameter`] when `conf_level` is not strictly
/// between 0 and 1.
pub fn predict_survival(
    fit: &CoxFit,
    rows: &DMatrix<f64>,
    conf_level: f64,
) -> Result<PredictedSurvival, StatsError> {
    check_new_rows(fit, rows, conf_level)?;
    let z = normal_upper_quantile((1.0 - conf_level) / 2.0);
    let table = &fit.risk_sets;
    let mut baseline = Vec::with_capacity(table.time.len());
    let mut variance = Vec::with_capacity(table.time.len());
    let (mut h, mut v) = (0.0, 0.0);
    for (dh, dv) in table.hazard.iter().zip(&table.var_hazard) {
        h += dh;
        v += dv;
        baseline.push(h);
        variance.push(v);
    }
    let curves = rows
        .row_iter()
        .map(|row| {
            let centred: Vec<f64> = row.iter().zip(&fit.means).map(|(x, m)| x - m).collect();
            curve_for(fit, &centred, &baseline, &variance, z)
        })
        .collect();
    Ok(PredictedSurvival {
        time: table.time.clone(),
        n_risk: table.n_risk.clone(),
        n_event: table.n_event.clone(),
        n_censor: table.n_censor.clone(),
        conf_level,
        curves,
    })
}

fn check_new_rows(fit: &CoxFit, rows: &DMatrix<f64>, conf_level: f64) -> Result<(), StatsError> {
    if rows.ncols() != fit.coef.len() {
        return Err(StatsError::LengthMismatch {
            what: "columns of the new rows".into(),
            expected: fit.coef.len(),
            got: rows.ncols(),
        });
    }
    for (j, name) in fit.names.iter().enumerate() {
        check_finite(name, rows.column(j).as_slice())?;
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(StatsError::InvalidParameter {
            name: "conf_level",
            value: conf_level.to_string(),
            reason: "a confidence level must be strictly between 0 and 1".into(),
        });
    }
    Ok(())
}

/// The curve of one row with centred covariates `x`.
fn curve_for(fit: &CoxFit, x: &[f64], baseline: &[f64], variance: &[f64], z: f64) -> SurvivalCurve {
    let p = x.len();
    let eta: f64 = x.iter().zip(&fit.coef).map(|(a, b)| a * b).sum();
    let risk = eta.exp();
    let mut curve = SurvivalCurve {
        linear_predictor: eta,
        surv: Vec::with_capacity(baseline.len()),
        cumhaz: Vec::with_capacity(baseline.len()),
        std_err: Vec::with_capacity(baseline.len()),
        lower: Vec::with_capacity(baseline.len()),
        upper: Vec::with_capacity(baseline.len()),
    };
    let mut d = vec![0.0; p];
    for ((&h0, &v0), xbar) in baseline.iter().zip(variance).zip(&fit.risk_sets.xbar) {
        for j in 0..p {
            d[j] = h0 * x[j] - xbar[j];
        }
        let quadratic: f64 = (0..p)
            .map(|i| d[i] * (0..p).map(|j| fit.var[i][j] * d[j]).sum::<f64>())
            .sum();
        let cumhaz = h0 * risk;
        let surv = (-cumhaz).exp();
        let se = ((v0 + quadratic) * risk * risk).sqrt();
        let (lower, upper) = if surv > 0.0 {
            let log_s = surv.ln();
            (
                Some((log_s - z * se).exp()),
                Some((log_s + z * se).exp().min(1.0)),
            )
        } else {
            (None, None)
        };
        curve.surv.push(surv);
        curve.cumhaz.push(cumhaz);
        curve.std_err.push(se);
        curve.lower.push(lower);
        curve.upper.push(upper);
    }
    curve
}

#[cfg(test)]
mod tests {
    use super::super::fit::fit;
    use super::super::{CoxSettings, Ties};
    use super::*;
    use crate::stats::frame::Design;

    /// x = 1, 0, 1 dying at times 1, 2, 3, and one censoring at 2.5.
    fn small_fit(ties: Ties) -> CoxFit {
        let design = Design {
            names: vec!["x".into()],
            terms: vec!["x".into()],
            x: DMatrix::from_column_slice(4, 1, &[1.0, 0.0, 0.0, 1.0]),
        };
        let time = [1.0, 2.0, 2.5, 3.0];
        let event = [true, true, false, true];
        fit(&design, &time, &event, &CoxSettings::with_ties(ties)).unwrap()
    }

    #[test]
    fn hand_worked_breslow_baseline() {
        // With u = exp(β) and x binary (means 0), the risk sets are
        // {u, 1, 1, u} at 1, {1, 1, u} at 2, {u} at 3, so the increments
        // at x = 0 are 1/(2u + 2), 1/(2 + u) and 1/u; 2.5 adds nothing.
        let fit = small_fit(Ties::Breslow);
        let u = fit.coef[0].exp();
        let steps = [1.0 / (2.0 * u + 2.0), 1.0 / (2.0 + u), 0.0, 1.0 / u];
        let baseline = basehaz(&fit, false);
        assert_eq!(baseline.time, vec![1.0, 2.0, 2.5, 3.0]);
        let mut total = 0.0;
        for (k, step) in steps.iter().enumerate() {
            total += step;
            assert!((baseline.cumhaz[k] - total).abs() < 1e-12, "time {k}");
        }
        assert_eq!(fit.risk_sets.n_risk, vec![4, 3, 2, 1]);
        assert_eq!(fit.risk_sets.n_censor, vec![0, 0, 1, 0]);
    }

    #[test]
    fn predicted_curve_scales_baseline() {
        // For a new row x, H(t; x) = exp(xβ)·H₀(t) and S = exp(−H).
        let fit = small_fit(Ties::Efron);
        let baseline = basehaz(&fit, false);
        let rows = DMatrix::from_row_slice(2, 1, &[0.0, 1.0]);
        let predicted = predict_survival(&fit, &rows, 0.95).unwrap();
        let risk = fit.coef[0].exp();
        for (k, &h0) in baseline.cumhaz.iter().enumerate() {
            assert!((predicted.curves[0].cumhaz[k] - h0).abs() < 1e-12);
            assert!((predicted.curves[1].cumhaz[k] - risk * h0).abs() < 1e-12);
            let s = (-risk * h0).exp();
            assert!((predicted.curves[1].surv[k] - s).abs() < 1e-12);
            let upper = predicted.curves[1].upper[k].unwrap();
            let lower = predicted.curves[1].lower[k].unwrap();
            assert!(lower <= s && s <= upper && upper <= 1.0);
        }
    }

    #[test]
    fn new_rows_must_match_columns() {
        let fit = small_fit(Ties::Efron);
        let rows = DMatrix::from_row_slice(1, 2, &[0.0, 1.0]);
        let err = predict_survival(&fit, &rows, 0.95).unwrap_err();
        assert!(matches!(
            err,
            StatsError::LengthMismatch {
                expected: 1,
                got: 2,
                ..
            }
        ));
        let rows = DMatrix::from_row_slice(1, 1, &[f64::INFINITY]);
        let err = predict_survival(&fit, &rows, 0.95).unwrap_err();
        assert!(matches!(err, StatsError::NonFinite { .. }));
    }
}
