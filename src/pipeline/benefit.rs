//! The TACE-benefit pipeline: a Cox reference model on patients without
//! TACE, residual labels for TACE patients, a seeded stratified split and a
//! logistic nomogram with its validation metrics.

use std::collections::BTreeMap;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::estimate::{Computed, Estimate};
use super::labels::{BenefitLabel, RMST_TAU_MONTHS, label, restricted_mean};
use super::nomogram::{Nomogram, TermPoints};
use super::progress::{Progress, check_cancelled};
use super::split::{TRAIN_FRACTION, stratified};
use super::subject::{
    Subject, baselines, encode_patient, lookup, outcomes, require_recorded, without,
};
use super::variables::{self, FactorLevels, ModelVariable, VARIABLES};
use super::{CompleteCases, PipelineError};
use crate::domain::Treatment;
use crate::stats::cox::{self, CoefficientRow, CoxSettings};
use crate::stats::km;
use crate::stats::logistic::{self, LogisticSettings};
use crate::stats::metrics::auc::delong_auc;
use crate::stats::metrics::calibration::{BinaryCalibration, Grouping, binary_calibration};
use crate::stats::metrics::decision_curve::{
    DecisionCurve, binary_decision_curve, default_thresholds,
};

/// Variables of the nomogram found by the source study's screening of eight
/// classifiers: HSP90α, BCLC stage and tumour size.
pub const DEFAULT_NOMOGRAM_VARIABLES: &[&str] = &["hsp90a_ng_ml", "bclc", "tumor_size_cm"];

/// Confidence level of every interval the pipeline reports.
pub const CONF_LEVEL: f64 = 0.95;

/// Settings of one benefit fit; all are stored with the model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitConfig {
    /// Baseline variables of the Cox reference model, by CSV column.
    pub reference_variables: Vec<String>,
    /// Variables of the nomogram, by CSV column.
    pub variables: Vec<String>,
    pub seed: u64,
    /// Restriction time of the expected survival, months.
    pub tau_months: f64,
}

impl BenefitConfig {
    /// Build the default settings: every baseline variable in the reference
    /// model, the published nomogram variables, τ = 36 months.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            reference_variables: VARIABLES.iter().map(|v| v.column.to_string()).collect(),
            variables: DEFAULT_NOMOGRAM_VARIABLES
                .iter()
                .map(|v| v.to_string())
                .collect(),
            seed,
            tau_months: RMST_TAU_MONTHS,
        }
    }
}

/// The Cox reference model as stored: enough to report it, not to refit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceModel {
    pub variables: Vec<String>,
    pub cases: CompleteCases,
    pub events: usize,
    pub coefficients: Vec<CoefficientRow>,
    pub concordance: f64,
}

/// The fitted nomogram: what a prediction for a new patient needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitModel {
    pub variables: Vec<String>,
    pub levels: FactorLevels,
    /// Design column names, without the intercept.
    pub columns: Vec<String>,
    /// Intercept first, then one coefficient per design column.
    pub coef: Vec<f64>,
    /// Covariance of `coef`, as rows.
    pub vcov: Vec<Vec<f64>>,
    pub nomogram: Nomogram,
}

/// One row of the nomogram's coefficient table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OddsRatioRow {
    pub name: String,
    pub coef: f64,
    pub se: f64,
    pub p: f64,
    pub odds_ratio: f64,
}

/// Everything a benefit fit reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitMetrics {
    pub reference: ReferenceModel,
    /// TACE patients left without a label because a reference variable is
    /// missing.
    pub tace_unlabelled_missing: usize,
    pub n_benefit: usize,
    pub n_non_benefit: usize,
    pub n_undetermined: usize,
    /// Complete cases for the nomogram variables among labelled patients.
    pub nomogram_cases: CompleteCases,
    pub n_train: usize,
    pub n_validation: usize,
    pub coefficients: Vec<OddsRatioRow>,
    pub auc_train: Estimate,
    pub auc_validation: Estimate,
    /// Calibration on the validation set, in deciles of the prediction.
    pub calibration_validation: Computed<BinaryCalibration>,
    /// Net benefit over thresholds on the validation set.
    pub decision_curve_validation: Computed<DecisionCurve>,
    /// Kaplan–Meier median OS of benefit and non-benefit patients, months.
    pub median_os_benefit: Estimate,
    pub median_os_non_benefit: Estimate,
}

/// The study ids behind a fit, so that it can be audited and repeated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitSplits {
    pub reference: Vec<String>,
    pub train: Vec<String>,
    pub validation: Vec<String>,
    /// Label and expected OS without TACE (months) of every labelled or
    /// undetermined TACE patient.
    pub labels: Vec<LabelledPatient>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledPatient {
    pub study_id: String,
    pub label: BenefitLabel,
    pub expected_months: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitFit {
    pub model: BenefitModel,
    pub metrics: BenefitMetrics,
    pub splits: BenefitSplits,
}

const STEP_REFERENCE: &str = "benefit reference model";
const STEP_NOMOGRAM: &str = "benefit nomogram";
const STEP_PREDICT: &str = "benefit prediction";

/// Fit the benefit pipeline on `subjects` (already sorted by study id and
/// limited to patients who are not withdrawn).
pub fn fit(
    subjects: &[Subject],
    config: &BenefitConfig,
    progress: &dyn Progress,
) -> Result<BenefitFit, PipelineError> {
    let reference_vars = lookup(STEP_REFERENCE, &config.reference_variables)?;
    let nomogram_vars = lookup(STEP_NOMOGRAM, &config.variables)?;
    progress.report(0, 4, "benefit: reference Cox model");
    let untreated: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.treatment == Treatment::None)
        .collect();
    let tace: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.treatment == Treatment::Tace)
        .collect();
    let reference = fit_reference(&untreated, &reference_vars, config)?;
    check_cancelled(progress)?;

    progress.report(1, 4, "benefit: labels");
    let encoded = variables::encode(&reference_vars, &baselines(&tace), Some(&reference.levels));
    // Each patient's curve is S(t) = exp(-H0(t) * exp((x - means)·beta)),
    // as R `survfit.coxph` predicts it; only its restricted mean is kept, so
    // memory does not grow with patients times event times.
    let baseline = cox::basehaz(&reference.fit, true);
    let mut labelled: Vec<LabelledPatient> = Vec::with_capacity(encoded.rows.len());
    let mut surv = vec![0.0; baseline.time.len()];
    for (i, &row) in encoded.rows.iter().enumerate() {
        let subject = tace[row];
        let linear_predictor: f64 = (0..encoded.design.x.ncols())
            .map(|j| (encoded.design.x[(i, j)] - reference.fit.means[j]) * reference.fit.coef[j])
            .sum();
        let risk = linear_predictor.exp();
        for (s, h) in surv.iter_mut().zip(&baseline.cumhaz) {
            *s = (-h * risk).exp();
        }
        let expected = restricted_mean(&baseline.time, &surv, config.tau_months);
        labelled.push(LabelledPatient {
            study_id: subject.study_id.clone(),
            label: label(
                subject.os_months,
                subject.os_event,
                expected,
                config.tau_months,
            ),
            expected_months: expected,
        });
    }
    let count = |l: BenefitLabel| labelled.iter().filter(|p| p.label == l).count();
    let (n_benefit, n_non_benefit, n_undetermined) = (
        count(BenefitLabel::Benefit),
        count(BenefitLabel::NonBenefit),
        count(BenefitLabel::Undetermined),
    );
    check_cancelled(progress)?;

    progress.report(2, 4, "benefit: nomogram");
    let by_id: BTreeMap<&str, &Subject> = tace.iter().map(|s| (s.study_id.as_str(), *s)).collect();
    let known: Vec<(&Subject, bool)> = labelled
        .iter()
        .filter(|p| p.label != BenefitLabel::Undetermined)
        .filter_map(|p| {
            by_id
                .get(p.study_id.as_str())
                .map(|s| (*s, p.label == BenefitLabel::Benefit))
        })
        .collect();
    let known_subjects: Vec<&Subject> = known.iter().map(|(s, _)| *s).collect();
    if known_subjects.is_empty() {
        return Err(PipelineError::NoPatients {
            step: STEP_NOMOGRAM,
            population: "labelled TACE".into(),
            advice: "record TACE patients with follow-up before refitting".into(),
        });
    }
    require_recorded(
        STEP_NOMOGRAM,
        "labelled TACE",
        &nomogram_vars,
        &baselines(&known_subjects),
        |missing| {
            format!(
                "leave {} out of the nomogram, for example --benefit-variables {}",
                if missing.len() == 1 { "it" } else { "them" },
                without(&config.variables, missing)
            )
        },
    )?;
    let cases = variables::encode(&nomogram_vars, &baselines(&known_subjects), None);
    let outcome: Vec<bool> = cases.rows.iter().map(|&r| known[r].1).collect();
    let split = stratified(&outcome, TRAIN_FRACTION, config.seed);
    let pick = |idx: &[usize]| -> (DMatrix<f64>, Vec<bool>, Vec<String>) {
        let x = cases.design.x.select_rows(idx);
        let y = idx.iter().map(|&i| outcome[i]).collect();
        let ids = idx
            .iter()
            .map(|&i| known_subjects[cases.rows[i]].study_id.clone())
            .collect();
        (x, y, ids)
    };
    let (x_train, y_train, train_ids) = pick(&split.train);
    let (x_val, y_val, validation_ids) = pick(&split.validation);
    let logistic_fit = logistic::fit_logistic(
        &x_train,
        &cases.design.names,
        &y_train,
        &LogisticSettings::default(),
    )
    .map_err(PipelineError::at(STEP_NOMOGRAM))?;
    let nomogram = Nomogram::new(
        logistic_fit.coef[0],
        &logistic_fit.coef[1..],
        &cases.design.terms,
        &x_train,
    )
    .map_err(|e| PipelineError::NotEstimable {
        step: STEP_NOMOGRAM,
        reason: e.to_string(),
    })?;
    check_cancelled(progress)?;

    progress.report(3, 4, "benefit: validation");
    let model = BenefitModel {
        variables: config.variables.clone(),
        levels: cases.levels.clone(),
        columns: cases.design.names.clone(),
        coef: logistic_fit.coef.clone(),
        vcov: logistic_fit.vcov.clone(),
        nomogram,
    };
    let auc_of = |x: &DMatrix<f64>, y: &[bool]| -> Estimate {
        Estimate::from_result(
            logistic::predict_probability(&logistic_fit, x)
                .and_then(|p| delong_auc(&p, y, CONF_LEVEL))
                .map(|d| Estimate::with_interval(d.auc, d.lower, d.upper)),
        )
    };
    let coefficients = logistic_fit
        .names
        .iter()
        .enumerate()
        .map(|(k, name)| OddsRatioRow {
            name: name.clone(),
            coef: logistic_fit.coef[k],
            se: logistic_fit.se[k],
            p: logistic_fit.p[k],
            odds_ratio: logistic_fit.coef[k].exp(),
        })
        .collect();
    let (median_os_benefit, median_os_non_benefit) = label_medians(&known);
    let validation_predictions = logistic::predict_probability(&logistic_fit, &x_val);
    let calibration_validation = Computed::from_result(
        validation_predictions
            .clone()
            .and_then(|p| binary_calibration(&p, &y_val, &Grouping::deciles())),
    );
    let decision_curve_validation = Computed::from_result(
        validation_predictions
            .and_then(|p| binary_decision_curve(&p, &y_val, &default_thresholds())),
    );
    let metrics = BenefitMetrics {
        tace_unlabelled_missing: encoded.excluded,
        n_benefit,
        n_non_benefit,
        n_undetermined,
        nomogram_cases: CompleteCases::of(&cases),
        n_train: train_ids.len(),
        n_validation: validation_ids.len(),
        coefficients,
        auc_train: auc_of(&x_train, &y_train),
        auc_validation: auc_of(&x_val, &y_val),
        calibration_validation,
        decision_curve_validation,
        median_os_benefit,
        median_os_non_benefit,
        reference: reference.summary,
    };
    progress.report(4, 4, "benefit: done");
    Ok(BenefitFit {
        model,
        metrics,
        splits: BenefitSplits {
            reference: reference.study_ids,
            train: train_ids,
            validation: validation_ids,
            labels: labelled,
        },
    })
}

struct FittedReference {
    fit: cox::CoxFit,
    levels: FactorLevels,
    summary: ReferenceModel,
    study_ids: Vec<String>,
}

fn fit_reference(
    untreated: &[&Subject],
    vars: &[&ModelVariable],
    config: &BenefitConfig,
) -> Result<FittedReference, PipelineError> {
    if untreated.is_empty() {
        return Err(PipelineError::NoPatients {
            step: STEP_REFERENCE,
            population: "non-TACE".into(),
            advice: "the expected survival without TACE needs patients treated otherwise; \
                     import them before refitting"
                .into(),
        });
    }
    require_recorded(
        STEP_REFERENCE,
        "non-TACE",
        vars,
        &baselines(untreated),
        |missing| {
            format!(
                "leave {} out of the reference model, for example --reference-variables {}",
                if missing.len() == 1 { "it" } else { "them" },
                without(&config.reference_variables, missing)
            )
        },
    )?;
    let encoded = variables::encode(vars, &baselines(untreated), None);
    let used: Vec<&Subject> = encoded.rows.iter().map(|&r| untreated[r]).collect();
    let (time, event) = outcomes(&used);
    let last = time.iter().copied().fold(0.0, f64::max);
    if last < config.tau_months {
        return Err(PipelineError::NotEstimable {
            step: STEP_REFERENCE,
            reason: format!(
                "the longest follow-up of the {} complete non-TACE patients is {last:.1} \
                 months, shorter than the {} months the expected survival is restricted to; \
                 wait for longer follow-up",
                used.len(),
                config.tau_months
            ),
        });
    }
    let fit = cox::fit(&encoded.design, &time, &event, &CoxSettings::default())
        .map_err(PipelineError::at(STEP_REFERENCE))?;
    let summary = cox::summary(&fit, CONF_LEVEL).map_err(PipelineError::at(STEP_REFERENCE))?;
    let concordance = cox::concordance(&fit, &time, &event)
        .map_err(PipelineError::at(STEP_REFERENCE))?
        .c_index;
    Ok(FittedReference {
        levels: encoded.levels.clone(),
        summary: ReferenceModel {
            variables: config.reference_variables.clone(),
            cases: CompleteCases::of(&encoded),
            events: fit.events,
            coefficients: summary.coefficients,
            concordance,
        },
        study_ids: used.iter().map(|s| s.study_id.clone()).collect(),
        fit,
    })
}

/// Kaplan–Meier medians of the benefit and non-benefit groups.
fn label_medians(known: &[(&Subject, bool)]) -> (Estimate, Estimate) {
    let median = |benefit: bool| -> Estimate {
        let group: Vec<&Subject> = known
            .iter()
            .filter(|(_, b)| *b == benefit)
            .map(|(s, _)| *s)
            .collect();
        let (time, event) = outcomes(&group);
        match km::kaplan_meier(&time, &event) {
            Ok(curve) => match curve.median {
                Some(m) => Estimate {
                    value: Some(m),
                    lower: curve.median_lower,
                    upper: curve.median_upper,
                    note: None,
                },
                None => Estimate::not_estimable(format!(
                    "survival stays above 0.5 among the {} patients",
                    group.len()
                )),
            },
            Err(e) => Estimate::not_estimable(e.to_string()),
        }
    };
    (median(true), median(false))
}

/// A benefit prediction for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitPrediction {
    pub probability: f64,
    pub lower: f64,
    pub upper: f64,
    pub total_points: f64,
    pub points: Vec<VariablePoints>,
}

/// A variable's value and points for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariablePoints {
    pub variable: String,
    pub value: String,
    pub points: f64,
}

/// Predict the benefit probability of one patient.
///
/// # Errors
///
/// [`PipelineError::NotEstimable`] naming every model variable missing from
/// the patient's baseline (or a factor level the model never saw).
pub fn predict(
    model: &BenefitModel,
    baseline: &crate::domain::Baseline,
) -> Result<BenefitPrediction, PipelineError> {
    let vars = lookup(STEP_PREDICT, &model.variables)?;
    let encoded = encode_patient(STEP_PREDICT, &vars, baseline, &model.levels)?;
    let row: Vec<f64> = encoded.design.x.row(0).iter().copied().collect();
    let augmented: Vec<f64> = std::iter::once(1.0).chain(row.iter().copied()).collect();
    let eta: f64 = augmented.iter().zip(&model.coef).map(|(a, b)| a * b).sum();
    let mut variance = 0.0;
    for (a, xa) in augmented.iter().enumerate() {
        for (b, xb) in augmented.iter().enumerate() {
            variance += xa * model.vcov[a][b] * xb;
        }
    }
    let z =
        logistic::normal_quantile_for_level(CONF_LEVEL).map_err(PipelineError::at(STEP_PREDICT))?;
    let se = variance.max(0.0).sqrt();
    let points: Vec<VariablePoints> = model
        .nomogram
        .points(&row)
        .into_iter()
        .map(|tp: TermPoints| VariablePoints {
            value: vars
                .iter()
                .find(|v| v.column == tp.variable)
                .and_then(|v| v.value(baseline))
                .map(|v| v.to_string())
                .unwrap_or_default(),
            variable: tp.variable,
            points: tp.points,
        })
        .collect();
    Ok(BenefitPrediction {
        probability: logistic::expit(eta),
        lower: logistic::expit(eta - z * se),
        upper: logistic::expit(eta + z * se),
        total_points: points.iter().map(|p| p.points).sum(),
        points,
    })
}
