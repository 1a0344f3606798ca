//! The two model pipelines on small simulated cohorts: determinism, label
//! counts, failure messages and predictions.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

use tace_registry::domain::{Baseline, Bclc, Treatment};
use tace_registry::pipeline::benefit::{self, BenefitConfig};
use tace_registry::pipeline::progress::Silent;
use tace_registry::pipeline::survival::{self, SurvivalConfig};
use tace_registry::pipeline::{PipelineError, Subject};

/// Simulate a cohort where TACE helps patients with low HSP90α, early BCLC stage and
/// small tumours, and those three variables drive survival.
fn cohort(n: usize, seed: u64, external_every: Option<usize>) -> Vec<Subject> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let tace = rng.random_bool(0.55);
            let hsp: f64 = rng.random_range(40.0..300.0);
            let bclc = match rng.random_range(0..10) {
                0..=2 => Bclc::A,
                3..=6 => Bclc::B,
                _ => Bclc::C,
            };
            let size: f64 = rng.random_range(1.0..14.0);
            let stage = match bclc {
                Bclc::A => 0.0,
                Bclc::B => 0.5,
                _ => 1.0,
            };
            let mut lp = 0.006 * (hsp - 140.0) + stage + 0.08 * (size - 6.0);
            if tace {
                lp += -0.9 + 0.015 * (hsp - 140.0) + 1.5 * stage + 0.25 * (size - 6.0);
            }
            let rate = (1.0 / 20.0) * f64::exp(lp);
            let death = Exp::new(rate).unwrap().sample(&mut rng);
            let censor: f64 = rng.random_range(6.0..72.0);
            let baseline = Baseline {
                hsp90a_ng_ml: Some(hsp),
                bclc: Some(bclc),
                tumor_size_cm: Some(size),
                age_years: Some(rng.random_range(30..85)),
                hbv: Some(rng.random_bool(0.7)),
                ..Baseline::default()
            };
            Subject {
                study_id: format!("S{i:05}"),
                external: external_every.is_some_and(|k| tace && i % k == 0),
                treatment: if tace {
                    Treatment::Tace
                } else {
                    Treatment::None
                },
                baseline,
                os_months: death.min(censor),
                os_event: death <= censor,
            }
        })
        .collect()
}

fn benefit_config(seed: u64) -> BenefitConfig {
    let mut config = BenefitConfig::with_seed(seed);
    config.reference_variables = ["hsp90a_ng_ml", "bclc", "tumor_size_cm", "age_years", "hbv"]
        .map(String::from)
        .to_vec();
    config
}

fn survival_config(seed: u64) -> SurvivalConfig {
    let mut config = SurvivalConfig::with_seed(seed);
    config.candidates = ["hsp90a_ng_ml", "bclc", "tumor_size_cm", "age_years", "hbv"]
        .map(String::from)
        .to_vec();
    config.trees = 60;
    config
}

#[test]
fn benefit_fit_deterministic_and_complete() {
    let subjects = cohort(900, 1, None);
    let a = benefit::fit(&subjects, &benefit_config(3), &Silent).unwrap();
    let b = benefit::fit(&subjects, &benefit_config(3), &Silent).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let tace = subjects
        .iter()
        .filter(|s| s.treatment == Treatment::Tace)
        .count();
    let m = &a.metrics;
    assert_eq!(
        m.n_benefit + m.n_non_benefit + m.n_undetermined + m.tace_unlabelled_missing,
        tace
    );
    assert_eq!(m.n_train + m.n_validation, m.n_benefit + m.n_non_benefit);
    let auc = m.auc_validation.value.unwrap();
    assert!(auc > 0.6, "validation AUC {auc}");
    assert!(auc <= 1.0, "validation AUC {auc}");
    assert!(m.auc_validation.lower.unwrap() <= auc);
    assert!(auc <= m.auc_validation.upper.unwrap());
    let calibration = m.calibration_validation.value.as_ref().unwrap();
    assert_eq!(calibration.n, m.n_validation);
    let curve = m.decision_curve_validation.value.as_ref().unwrap();
    assert_eq!(curve.treat_none.iter().sum::<f64>(), 0.0);
    // Benefit patients are those who outlived their expected survival.
    assert!(
        m.median_os_benefit.value.unwrap_or(f64::INFINITY) > m.median_os_non_benefit.value.unwrap()
    );
    // A different seed gives a different split.
    let c = benefit::fit(&subjects, &benefit_config(4), &Silent).unwrap();
    assert_ne!(a.splits.train, c.splits.train);
}

#[test]
fn benefit_prediction_interval_and_points() {
    let subjects = cohort(900, 2, None);
    let fit = benefit::fit(&subjects, &benefit_config(5), &Silent).unwrap();
    let p = benefit::predict(&fit.model, &subjects[0].baseline).unwrap();
    assert!((0.0..=1.0).contains(&p.probability));
    assert!(p.lower <= p.probability);
    assert!(p.probability <= p.upper);
    let names: Vec<&str> = p.points.iter().map(|v| v.variable.as_str()).collect();
    assert_eq!(names, ["hsp90a_ng_ml", "bclc", "tumor_size_cm"]);
    for v in &p.points {
        assert!((0.0..=100.0 + 1e-9).contains(&v.points), "{v:?}");
    }
    // The total points map back to the same probability on the nomogram's scale.
    let from_points = fit.model.nomogram.probability(p.total_points);
    assert!((from_points - p.probability).abs() < 1e-9);

    let mut incomplete = subjects[0].baseline.clone();
    incomplete.bclc = None;
    let err = benefit::predict(&fit.model, &incomplete).unwrap_err();
    assert!(err.to_string().contains("bclc"), "{err}");
}

#[test]
fn benefit_needs_patients_without_tace() {
    let subjects: Vec<Subject> = cohort(300, 3, None)
        .into_iter()
        .filter(|s| s.treatment == Treatment::Tace)
        .collect();
    let err = benefit::fit(&subjects, &benefit_config(1), &Silent).unwrap_err();
    assert!(matches!(err, PipelineError::NoPatients { .. }), "{err}");
    assert!(err.to_string().contains("non-TACE"), "{err}");
}

#[test]
fn all_missing_variable_named_with_advice() {
    let mut subjects = cohort(600, 4, None);
    for s in &mut subjects {
        s.baseline.hsp90a_ng_ml = None;
    }
    let mut config = benefit_config(1);
    config.reference_variables = vec!["bclc".into(), "tumor_size_cm".into()];
    let err = benefit::fit(&subjects, &config, &Silent).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, PipelineError::AllMissing { .. }), "{text}");
    assert!(text.contains("hsp90a_ng_ml"), "{text}");
    assert!(
        text.contains("--benefit-variables bclc,tumor_size_cm"),
        "{text}"
    );

    config.variables = vec!["bclc".into(), "tumor_size_cm".into()];
    let fit = benefit::fit(&subjects, &config, &Silent).unwrap();
    assert_eq!(fit.model.variables, ["bclc", "tumor_size_cm"]);

    let err = survival::fit(&subjects, &survival_config(1), &Silent).unwrap_err();
    assert!(err.to_string().contains("--os-candidates"), "{err}");
}

#[test]
fn survival_pipeline_selects_the_driving_variables() {
    let subjects = cohort(1400, 5, Some(5));
    let fit = survival::fit(&subjects, &survival_config(9), &Silent).unwrap();
    let m = &fit.metrics;
    for v in ["hsp90a_ng_ml", "bclc", "tumor_size_cm"] {
        assert!(m.univariate_kept.iter().any(|k| k == v), "{v} not kept");
    }
    assert!(!m.selected.is_empty());
    let internal = m.internal.as_ref().unwrap();
    let external = m.external.as_ref().unwrap();
    for set in [&m.train, internal, external] {
        let c = set.c_index.value.unwrap();
        assert!(c > 0.55, "C-index {c}");
        assert!(c < 1.0, "C-index {c}");
        assert_eq!(set.td_auc.len(), 3);
        assert_eq!(set.groups.len(), 2);
        assert_eq!(set.calibration.len(), 3);
        assert_eq!(set.decision_curves.len(), 3);
        let at_12 = set.calibration[0].value.as_ref().unwrap();
        assert!((0.0..=1.0).contains(&at_12.mean_predicted));
        let curve = set.decision_curves[0].value.as_ref().unwrap();
        assert_eq!(curve.net_benefit.len(), curve.thresholds.len());
    }
    assert!(!fit.splits.external.is_empty());
    // Sets are disjoint.
    for id in &fit.splits.internal {
        assert!(!fit.splits.train.contains(id));
        assert!(!fit.splits.external.contains(id));
    }

    let p = survival::predict(&fit.model, &subjects[1].baseline).unwrap();
    let s: Vec<f64> = p.survival_at.iter().map(|v| v.unwrap()).collect();
    assert!(s[0] >= s[1], "{s:?}");
    assert!(s[1] >= s[2], "{s:?}");
    assert!(p.risk_group == "low" || p.risk_group == "high");
}

#[test]
fn survival_without_external_centres_says_so() {
    let subjects = cohort(900, 6, None);
    let fit = survival::fit(&subjects, &survival_config(2), &Silent).unwrap();
    assert!(fit.metrics.external.is_none());
    assert!(fit.splits.external.is_empty());
    assert!(
        fit.metrics
            .notes
            .iter()
            .any(|n| n.contains("no external validation set")),
        "{:?}",
        fit.metrics.notes
    );
}

#[test]
fn survival_without_deaths_fails_with_the_reason() {
    let mut subjects = cohort(400, 7, None);
    for s in &mut subjects {
        s.os_event = false;
    }
    let err = survival::fit(&subjects, &survival_config(2), &Silent).unwrap_err();
    assert!(err.to_string().contains("no deaths"), "{err}");
}

#[test]
fn each_model_counts_its_own_complete_cases() {
    let mut subjects = cohort(1000, 8, None);
    for s in subjects.iter_mut().step_by(10) {
        s.baseline.hsp90a_ng_ml = None;
    }
    for s in subjects.iter_mut().skip(3).step_by(7) {
        s.baseline.age_years = None;
    }
    let mut config = benefit_config(1);
    config.reference_variables = vec!["bclc".into(), "tumor_size_cm".into(), "age_years".into()];
    let fit = benefit::fit(&subjects, &config, &Silent).unwrap();
    let untreated_missing_age = subjects
        .iter()
        .filter(|s| s.treatment == Treatment::None && s.baseline.age_years.is_none())
        .count();
    let reference = &fit.metrics.reference.cases;
    assert_eq!(reference.missing["age_years"], untreated_missing_age);
    assert_eq!(reference.excluded, untreated_missing_age);

    let labelled: Vec<&str> = fit
        .splits
        .labels
        .iter()
        .filter(|p| p.label != tace_registry::pipeline::labels::BenefitLabel::Undetermined)
        .map(|p| p.study_id.as_str())
        .collect();
    let labelled_missing_hsp = subjects
        .iter()
        .filter(|s| labelled.contains(&s.study_id.as_str()) && s.baseline.hsp90a_ng_ml.is_none())
        .count();
    let nomogram = &fit.metrics.nomogram_cases;
    assert!(labelled_missing_hsp > 0);
    assert_eq!(nomogram.missing["hsp90a_ng_ml"], labelled_missing_hsp);
    assert_eq!(nomogram.used + nomogram.excluded, labelled.len());
    assert_eq!(
        nomogram.used,
        fit.metrics.n_train + fit.metrics.n_validation
    );
    // Missing age costs the reference model patients, never the nomogram.
    assert!(!nomogram.missing.contains_key("age_years"));
}
