//! The overall-survival pipeline for TACE patients: external validation set
//! by centre, seeded split of the rest, univariate Cox screen, forward
//! stepwise Cox by AIC and a random survival forest on the selected
//! variables, with discrimination metrics on every set.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::estimate::{Computed, Estimate};
use super::progress::{Progress, check_cancelled};
use super::split::{TRAIN_FRACTION, stratified};
use super::subject::{
    Subject, baselines, encode_patient, lookup, outcomes, require_recorded, without,
};
use super::variables::{self, FactorLevels, ModelVariable, VARIABLES};
use super::{CompleteCases, PipelineError};
use crate::domain::Treatment;
use crate::stats::cox::{self, CoxSettings, Direction};
use crate::stats::data::SurvivalData;
use crate::stats::forest::{self, ForestSettings, Mtry};
use crate::stats::km::{self, Groups, KmSettings};
use crate::stats::logrank::logrank;
use crate::stats::metrics::calibration::{Grouping, SurvivalCalibration, survival_calibration};
use crate::stats::metrics::concordance::{IpcwConvention, harrell};
use crate::stats::metrics::decision_curve::{
    DecisionCurve, default_thresholds, survival_decision_curve,
};
use crate::stats::metrics::td_auc::{RiskScores, TdAucSettings, cumulative_dynamic_auc};

/// Times of the time-dependent metrics and predicted survival, months.
pub const HORIZONS_MONTHS: [f64; 3] = [12.0, 24.0, 36.0];

/// Significance level of the univariate screen.
pub const SCREEN_P: f64 = 0.05;

/// Names of the two risk groups, low first.
pub const RISK_GROUPS: [&str; 2] = ["low", "high"];

/// Settings of one survival fit; all are stored with the model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalConfig {
    /// Candidate variables of the univariate screen, by CSV column.
    pub candidates: Vec<String>,
    pub seed: u64,
    pub trees: usize,
    pub mtry: Mtry,
    pub min_node_size: usize,
}

impl SurvivalConfig {
    /// Build the default settings: every baseline variable a candidate, 500
    /// trees, mtry = ⌈√p⌉, minimum terminal node 15.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            candidates: VARIABLES.iter().map(|v| v.column.to_string()).collect(),
            seed,
            trees: 500,
            mtry: Mtry::CeilSqrt,
            min_node_size: 15,
        }
    }
}

/// One candidate's univariate Cox fit on the training set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenRow {
    pub variable: String,
    pub n: usize,
    pub events: usize,
    /// Wald test of all the variable's coefficients.
    pub p: Option<f64>,
    /// Hazard ratio of a one-column variable; `None` for a factor with
    /// several levels.
    pub hazard_ratio: Option<f64>,
    pub kept: bool,
    /// Reason the variable could not be tested.
    pub note: Option<String>,
}

/// Metrics of the forest on one set of patients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetMetrics {
    pub n: usize,
    pub events: usize,
    /// Patients of the set left out for a missing selected variable.
    pub excluded: usize,
    pub c_index: Estimate,
    /// Cumulative/dynamic AUC at each of [`HORIZONS_MONTHS`].
    pub td_auc: Vec<Estimate>,
    pub groups: Vec<GroupSummary>,
    /// Log-rank p between the risk groups.
    pub logrank_p: Estimate,
    /// Predicted S(t) against Kaplan–Meier in quintiles of the prediction,
    /// at each of [`HORIZONS_MONTHS`].
    pub calibration: Vec<Computed<SurvivalCalibration>>,
    /// Net benefit of treating patients by predicted risk of death by t, at
    /// each of [`HORIZONS_MONTHS`].
    pub decision_curves: Vec<Computed<DecisionCurve>>,
}

/// Groups of the survival calibration tables.
const CALIBRATION_GROUPS: usize = 5;

/// Kaplan–Meier summary of one risk group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub name: String,
    pub n: usize,
    pub events: usize,
    pub median: Option<f64>,
    /// Kaplan–Meier survival at each of [`HORIZONS_MONTHS`].
    pub survival: Vec<f64>,
}

/// Everything a survival fit reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalMetrics {
    pub screen: Vec<ScreenRow>,
    pub univariate_kept: Vec<String>,
    pub stepwise_cases: CompleteCases,
    pub stepwise_aic: f64,
    pub selected: Vec<String>,
    pub forest_cases: CompleteCases,
    pub oob_c_index: Estimate,
    pub horizons: Vec<f64>,
    pub train: SetMetrics,
    pub internal: Option<SetMetrics>,
    /// `None` when no centre is flagged external.
    pub external: Option<SetMetrics>,
    pub notes: Vec<String>,
}

/// The fitted forest and what prediction needs besides it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalModel {
    pub variables: Vec<String>,
    pub levels: FactorLevels,
    /// Training median of the risk score: above it is the high-risk group.
    pub risk_cutoff: f64,
    /// The forest, as written by [`forest::to_json`].
    pub forest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalSplits {
    pub train: Vec<String>,
    pub internal: Vec<String>,
    pub external: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalFit {
    pub model: SurvivalModel,
    pub metrics: SurvivalMetrics,
    pub splits: SurvivalSplits,
}

const STEP_SCREEN: &str = "survival screen";
const STEP_STEPWISE: &str = "survival stepwise Cox";
const STEP_FOREST: &str = "survival forest";
const STEP_PREDICT: &str = "survival prediction";

/// Fit the survival pipeline on the TACE patients among `subjects` (sorted
/// by study id, not withdrawn).
pub fn fit(
    subjects: &[Subject],
    config: &SurvivalConfig,
    progress: &dyn Progress,
) -> Result<SurvivalFit, PipelineError> {
    let candidates = lookup(STEP_SCREEN, &config.candidates)?;
    let tace: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.treatment == Treatment::Tace)
        .collect();
    if tace.is_empty() {
        return Err(PipelineError::NoPatients {
            step: STEP_SCREEN,
            population: "TACE".into(),
            advice: "import TACE patients with follow-up before refitting".into(),
        });
    }
    require_recorded(
        STEP_SCREEN,
        "TACE",
        &candidates,
        &baselines(&tace),
        |missing| {
            format!(
                "leave {} out of the candidates, for example --os-candidates {}",
                if missing.len() == 1 { "it" } else { "them" },
                without(&config.candidates, missing)
            )
        },
    )?;
    let external: Vec<&Subject> = tace.iter().copied().filter(|s| s.external).collect();
    let rest: Vec<&Subject> = tace.iter().copied().filter(|s| !s.external).collect();
    let mut notes = Vec::new();
    if external.is_empty() {
        notes.push(
            "no centre is flagged external, so there is no external validation set".to_string(),
        );
    }
    let strata: Vec<bool> = rest.iter().map(|s| s.os_event).collect();
    let split = stratified(&strata, TRAIN_FRACTION, config.seed);
    let train: Vec<&Subject> = split.train.iter().map(|&i| rest[i]).collect();
    let internal: Vec<&Subject> = split.validation.iter().map(|&i| rest[i]).collect();
    if train.iter().all(|s| !s.os_event) {
        return Err(PipelineError::NotEstimable {
            step: STEP_SCREEN,
            reason: format!(
                "the {} training patients have no deaths; survival models need events",
                train.len()
            ),
        });
    }

    let total = candidates.len() as u64 + 3;
    let mut screen = Vec::with_capacity(candidates.len());
    for (k, variable) in candidates.iter().enumerate() {
        progress.report(
            k as u64,
            total,
            &format!("survival: screen {}", variable.column),
        );
        check_cancelled(progress)?;
        screen.push(screen_one(variable, &train));
    }
    let kept: Vec<&ModelVariable> = candidates
        .iter()
        .zip(&screen)
        .filter(|(_, row)| row.kept)
        .map(|(v, _)| *v)
        .collect();
    if kept.is_empty() {
        return Err(PipelineError::NotEstimable {
            step: STEP_SCREEN,
            reason: format!(
                "no candidate variable reached p < {SCREEN_P} in the univariate Cox screen \
                 of {} training patients",
                train.len()
            ),
        });
    }

    progress.report(candidates.len() as u64, total, "survival: stepwise Cox");
    check_cancelled(progress)?;
    let encoded = variables::encode(&kept, &baselines(&train), None);
    let used: Vec<&Subject> = encoded.rows.iter().map(|&r| train[r]).collect();
    let (time, event) = outcomes(&used);
    let stepwise = cox::stepwise(
        &encoded.design,
        &time,
        &event,
        Direction::Forward,
        &CoxSettings::default(),
    )
    .map_err(PipelineError::at(STEP_STEPWISE))?;
    if stepwise.selected.is_empty() {
        return Err(PipelineError::NotEstimable {
            step: STEP_STEPWISE,
            reason: "forward selection by AIC kept no variable, so the forest has nothing \
                     to split on"
                .into(),
        });
    }
    let selected_vars = lookup(STEP_STEPWISE, &stepwise.selected)?;

    progress.report(candidates.len() as u64 + 1, total, "survival: forest");
    check_cancelled(progress)?;
    let train_cases = variables::encode(&selected_vars, &baselines(&train), None);
    let levels = train_cases.levels.clone();
    let forest_subjects: Vec<&Subject> = train_cases.rows.iter().map(|&r| train[r]).collect();
    let (f_time, f_event) = outcomes(&forest_subjects);
    let data = SurvivalData::new(&f_time, &f_event).map_err(PipelineError::at(STEP_FOREST))?;
    let settings = ForestSettings {
        trees: config.trees,
        mtry: config.mtry,
        min_node_size: config.min_node_size,
        seed: config.seed,
    };
    let fitted = forest::fit(&train_cases.design.x, &data, &settings)
        .map_err(PipelineError::at(STEP_FOREST))?;
    let train_risk = fitted
        .mortality(&train_cases.design.x)
        .map_err(PipelineError::at(STEP_FOREST))?;
    let risk_cutoff = median(&train_risk);
    let oob_c_index = Estimate::from_result(
        forest::oob_concordance(&fitted, &train_cases.design.x, &data)
            .map(|c| Estimate::point(c.c_index)),
    );

    progress.report(candidates.len() as u64 + 2, total, "survival: metrics");
    check_cancelled(progress)?;
    let evaluate = |set: &[&Subject]| -> Result<SetMetrics, PipelineError> {
        let cases = variables::encode(&selected_vars, &baselines(set), Some(&levels));
        let members: Vec<&Subject> = cases.rows.iter().map(|&r| set[r]).collect();
        let (risk, predicted) = if members.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let risk = fitted
                .mortality(&cases.design.x)
                .map_err(PipelineError::at(STEP_FOREST))?;
            let predicted = predicted_survival(&fitted, &cases.design.x)?;
            (risk, predicted)
        };
        let mut metrics = set_metrics(&members, &risk, risk_cutoff, cases.excluded);
        add_calibration(&mut metrics, &members, &predicted);
        Ok(metrics)
    };
    let train_metrics = evaluate(&train)?;
    let internal_metrics = if internal.is_empty() {
        notes.push("the internal validation set is empty".into());
        None
    } else {
        Some(evaluate(&internal)?)
    };
    let external_metrics = if external.is_empty() {
        None
    } else {
        Some(evaluate(&external)?)
    };
    let forest_json = forest::to_json(&fitted).map_err(PipelineError::at(STEP_FOREST))?;
    progress.report(total, total, "survival: done");
    let ids = |set: &[&Subject]| set.iter().map(|s| s.study_id.clone()).collect();
    Ok(SurvivalFit {
        model: SurvivalModel {
            variables: stepwise.selected.clone(),
            levels,
            risk_cutoff,
            forest: forest_json,
        },
        metrics: SurvivalMetrics {
            univariate_kept: kept.iter().map(|v| v.column.to_string()).collect(),
            screen,
            stepwise_cases: CompleteCases::of(&encoded),
            stepwise_aic: stepwise.aic,
            selected: stepwise.selected,
            forest_cases: CompleteCases::of(&train_cases),
            oob_c_index,
            horizons: HORIZONS_MONTHS.to_vec(),
            train: train_metrics,
            internal: internal_metrics,
            external: external_metrics,
            notes,
        },
        splits: SurvivalSplits {
            train: ids(&train),
            internal: ids(&internal),
            external: ids(&external),
        },
    })
}

/// Univariate Cox fit of one candidate on its complete training cases.
fn screen_one(variable: &ModelVariable, train: &[&Subject]) -> ScreenRow {
    let encoded = variables::encode(&[variable], &baselines(train), None);
    let used: Vec<&Subject> = encoded.rows.iter().map(|&r| train[r]).collect();
    let (time, event) = outcomes(&used);
    let mut row = ScreenRow {
        variable: variable.column.to_string(),
        n: used.len(),
        events: event.iter().filter(|&&e| e).count(),
        p: None,
        hazard_ratio: None,
        kept: false,
        note: None,
    };
    if encoded.design.names.is_empty() {
        row.note = Some("only one level is present".into());
        return row;
    }
    let result = cox::fit(&encoded.design, &time, &event, &CoxSettings::default())
        .and_then(|fit| cox::summary(&fit, 0.95));
    match result {
        Ok(summary) => {
            row.p = Some(summary.wald_test.p);
            // A factor has one hazard ratio per level; the table shows only
            // the term's p-value for it.
            if let [only] = summary.coefficients.as_slice() {
                row.hazard_ratio = Some(only.hr);
            }
            row.kept = summary.wald_test.p < SCREEN_P;
        }
        Err(e) => row.note = Some(e.to_string()),
    }
    row
}

/// Predicted survival of each row at each horizon; `None` past the training
/// follow-up, where the forest's curve is not defined.
fn predicted_survival(
    fitted: &forest::SurvivalForest,
    x: &DMatrix<f64>,
) -> Result<Vec<Vec<Option<f64>>>, PipelineError> {
    (0..x.nrows())
        .map(|i| {
            let row: Vec<f64> = x.row(i).iter().copied().collect();
            let curve = fitted
                .survival_curve(&row)
                .map_err(PipelineError::at(STEP_FOREST))?;
            Ok(HORIZONS_MONTHS
                .iter()
                .map(|&t| curve.survival_at(t).ok())
                .collect())
        })
        .collect()
}

/// Calibration tables and decision curves at each horizon.
fn add_calibration(metrics: &mut SetMetrics, members: &[&Subject], predicted: &[Vec<Option<f64>>]) {
    let (time, event) = outcomes(members);
    for (k, &t) in HORIZONS_MONTHS.iter().enumerate() {
        let at_t: Option<Vec<f64>> = predicted.iter().map(|row| row[k]).collect();
        let Some(survival) = at_t else {
            let note = format!("the forest's training follow-up ends before {t} months");
            metrics.calibration.push(Computed {
                value: None,
                note: Some(note.clone()),
            });
            metrics.decision_curves.push(Computed {
                value: None,
                note: Some(note),
            });
            continue;
        };
        let risk: Vec<f64> = survival.iter().map(|s| 1.0 - s).collect();
        metrics
            .calibration
            .push(Computed::from_result(survival_calibration(
                &survival,
                &time,
                &event,
                t,
                &Grouping::Quantiles(CALIBRATION_GROUPS),
            )));
        metrics
            .decision_curves
            .push(Computed::from_result(survival_decision_curve(
                &risk,
                &time,
                &event,
                t,
                &default_thresholds(),
            )));
    }
}

/// Discrimination and risk-group summaries of a scored set.
fn set_metrics(members: &[&Subject], risk: &[f64], cutoff: f64, excluded: usize) -> SetMetrics {
    let (time, event) = outcomes(members);
    let c_index = Estimate::from_result(harrell(&time, &event, risk).and_then(|c| {
        if c.c_index.is_finite() {
            Ok(Estimate::point(c.c_index))
        } else {
            Err(crate::stats::StatsError::NoComparablePairs)
        }
    }));
    let td_auc = HORIZONS_MONTHS
        .iter()
        .map(|&t| {
            let settings = TdAucSettings {
                times: vec![t],
                convention: IpcwConvention::R,
            };
            Estimate::from_result(
                cumulative_dynamic_auc(&time, &event, RiskScores::Vector(risk), &settings)
                    .map(|a| Estimate::point(a.auc[0])),
            )
        })
        .collect();
    let labels: Vec<String> = risk
        .iter()
        .map(|&r| RISK_GROUPS[usize::from(r > cutoff)].to_string())
        .collect();
    let order: Vec<String> = RISK_GROUPS.iter().map(|s| s.to_string()).collect();
    let (groups, logrank_p) = match Groups::from_labels(&labels, &order) {
        Ok(groups) => {
            let curves = km::kaplan_meier_by_group(&time, &event, &groups, &KmSettings::default())
                .unwrap_or_default();
            let summaries = curves
                .iter()
                .map(|g| GroupSummary {
                    name: g.name.clone(),
                    n: g.curve.n,
                    events: g.curve.events,
                    median: g.curve.median,
                    survival: HORIZONS_MONTHS
                        .iter()
                        .map(|&t| g.curve.survival_at(t))
                        .collect(),
                })
                .collect();
            let p = Estimate::from_result(
                logrank(&time, &event, &groups, 0.0).map(|l| Estimate::point(l.p)),
            );
            (summaries, p)
        }
        Err(e) => (Vec::new(), Estimate::not_estimable(e.to_string())),
    };
    SetMetrics {
        n: members.len(),
        events: event.iter().filter(|&&e| e).count(),
        excluded,
        c_index,
        td_auc,
        groups,
        logrank_p,
        calibration: Vec::new(),
        decision_curves: Vec::new(),
    }
}

/// Median of a non-empty slice (mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// A survival prediction for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalPrediction {
    pub risk_score: f64,
    pub risk_group: String,
    /// Predicted survival at each of [`HORIZONS_MONTHS`]; `None` past the
    /// training follow-up.
    pub survival_at: Vec<Option<f64>>,
    /// The predicted curve: months and survival.
    pub curve_time: Vec<f64>,
    pub curve_survival: Vec<f64>,
}

/// Predict one patient's risk score, group and survival curve.
///
/// # Errors
///
/// [`PipelineError::NotEstimable`] naming the selected variables missing
/// from the baseline, or when the stored forest cannot be read.
pub fn predict(
    model: &SurvivalModel,
    baseline: &crate::domain::Baseline,
) -> Result<SurvivalPrediction, PipelineError> {
    let vars = lookup(STEP_PREDICT, &model.variables)?;
    let encoded = encode_patient(STEP_PREDICT, &vars, baseline, &model.levels)?;
    let fitted = forest::from_json(&model.forest).map_err(PipelineError::at(STEP_PREDICT))?;
    let x: DMatrix<f64> = encoded.design.x;
    let risk = fitted
        .mortality(&x)
        .map_err(PipelineError::at(STEP_PREDICT))?[0];
    let row: Vec<f64> = x.row(0).iter().copied().collect();
    let curve = fitted
        .survival_curve(&row)
        .map_err(PipelineError::at(STEP_PREDICT))?;
    Ok(SurvivalPrediction {
        risk_score: risk,
        risk_group: RISK_GROUPS[usize::from(risk > model.risk_cutoff)].to_string(),
        survival_at: HORIZONS_MONTHS
            .iter()
            .map(|&t| curve.survival_at(t).ok())
            .collect(),
        curve_time: curve.time,
        curve_survival: curve.survival,
    })
}
