//! The results report: the active model versions' numbers next to the
//! source study's, Kaplan–Meier figures as SVG and the tables behind them,
//! written to a folder.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use plotters::prelude::*;

use crate::db::Registry;
use crate::domain::Treatment;
use crate::domain::cutoffs::HSP90A_HIGH_NG_ML;
use crate::pipeline::benefit::{BenefitMetrics, BenefitSplits};
use crate::pipeline::estimate::Estimate;
use crate::pipeline::labels::BenefitLabel;
use crate::pipeline::refit::subjects;
use crate::pipeline::survival::{self, SetMetrics, SurvivalMetrics, SurvivalModel, SurvivalSplits};
use crate::pipeline::versions::{self, ModelKind, ModelVersion};
use crate::pipeline::{Subject, variables};
use crate::stats::forest;
use crate::stats::km::{self, Groups};
use crate::stats::logrank::logrank;

/// The source study's published results (Su et al., npj Digital Medicine
/// 2025), for side-by-side comparison.
pub mod published {
    /// Validation AUC of the benefit nomogram.
    pub const BENEFIT_AUC_VALIDATION: f64 = 0.901;
    /// C-index of the OS model: training, internal and external sets.
    pub const C_INDEX: [f64; 3] = [0.84, 0.70, 0.78];
    /// Time-dependent AUC at 12, 24 and 36 months, internal set.
    pub const TD_AUC_INTERNAL: [f64; 3] = [0.835, 0.821, 0.776];
    /// Time-dependent AUC at 12, 24 and 36 months, external set.
    pub const TD_AUC_EXTERNAL: [f64; 3] = [0.854, 0.790, 0.804];
    /// Median OS of benefit and non-benefit patients, months.
    pub const MEDIAN_BENEFIT_MONTHS: f64 = 32.2;
    pub const MEDIAN_NON_BENEFIT_MONTHS: f64 = 11.0;
}

/// The files a report wrote and the model versions it read.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub benefit_version: i64,
    pub survival_version: i64,
}

fn active_version(registry: &Registry, kind: ModelKind) -> anyhow::Result<ModelVersion> {
    let conn = registry.connection();
    if let Some(v) = versions::active(conn, kind)? {
        return Ok(v);
    }
    anyhow::bail!(
        "the registry has no active {kind} model, so there is nothing to report; run \
         `tace-registry refit --promote` first"
    )
}

fn parse<T: serde::de::DeserializeOwned>(text: Option<&str>, what: &str) -> anyhow::Result<T> {
    let text = text.with_context(|| format!("the {what} is missing from the model version"))?;
    serde_json::from_str(text).with_context(|| format!("cannot read the stored {what}"))
}

/// Write `results.md`, the figures and the tables into `out`.
///
/// # Errors
///
/// When there is no active version of either model, or a file cannot be
/// written.
pub fn write(registry: &Registry, out: &Path) -> anyhow::Result<Written> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let benefit_version = active_version(registry, ModelKind::Benefit)?;
    let survival_version = active_version(registry, ModelKind::Survival)?;
    let b_metrics: BenefitMetrics = parse(benefit_version.metrics.as_deref(), "benefit metrics")?;
    let b_splits: BenefitSplits = parse(benefit_version.splits.as_deref(), "benefit splits")?;
    let s_metrics: SurvivalMetrics =
        parse(survival_version.metrics.as_deref(), "survival metrics")?;
    let s_splits: SurvivalSplits = parse(survival_version.splits.as_deref(), "survival splits")?;
    let s_model: SurvivalModel = parse(survival_version.model.as_deref(), "survival model")?;
    let cutoff: NaiveDate = survival_version
        .data_cutoff
        .parse()
        .context("the stored data cut-off is not a date")?;
    let cohort = subjects(registry, cutoff)?;
    let by_id: BTreeMap<&str, &Subject> = cohort.iter().map(|s| (s.study_id.as_str(), s)).collect();

    let mut files = Vec::new();
    let mut figure = |name: &str, title: &str, groups: Vec<(String, Vec<&Subject>)>| {
        let path = out.join(name);
        let summary = km_figure(&path, title, &groups)?;
        files.push(path);
        Ok::<_, anyhow::Error>(summary)
    };

    let treatment_groups = vec![
        (
            "TACE".to_string(),
            cohort
                .iter()
                .filter(|s| s.treatment == Treatment::Tace)
                .collect(),
        ),
        (
            "no TACE".to_string(),
            cohort
                .iter()
                .filter(|s| s.treatment == Treatment::None)
                .collect(),
        ),
    ];
    let km_treatment = figure(
        "km_treatment.svg",
        "Overall survival by treatment",
        treatment_groups,
    )?;
    let tace: Vec<&Subject> = cohort
        .iter()
        .filter(|s| s.treatment == Treatment::Tace)
        .collect();
    let hsp_groups = vec![
        (
            format!("HSP90α >= {HSP90A_HIGH_NG_ML} ng/mL"),
            tace.iter()
                .copied()
                .filter(|s| {
                    s.baseline
                        .hsp90a_ng_ml
                        .is_some_and(|v| v >= HSP90A_HIGH_NG_ML)
                })
                .collect(),
        ),
        (
            format!("HSP90α < {HSP90A_HIGH_NG_ML} ng/mL"),
            tace.iter()
                .copied()
                .filter(|s| {
                    s.baseline
                        .hsp90a_ng_ml
                        .is_some_and(|v| v < HSP90A_HIGH_NG_ML)
                })
                .collect(),
        ),
    ];
    let km_hsp = figure("km_hsp90a_tace.svg", "TACE patients by HSP90α", hsp_groups)?;
    let label_group = |label: BenefitLabel| -> Vec<&Subject> {
        b_splits
            .labels
            .iter()
            .filter(|p| p.label == label)
            .filter_map(|p| by_id.get(p.study_id.as_str()).copied())
            .collect()
    };
    let km_benefit = figure(
        "km_benefit.svg",
        "TACE patients by benefit label",
        vec![
            ("benefit".into(), label_group(BenefitLabel::Benefit)),
            ("non-benefit".into(), label_group(BenefitLabel::NonBenefit)),
        ],
    )?;
    let fitted = forest::from_json(&s_model.forest).context("cannot read the stored forest")?;
    let vars = variables::lookup_all(&s_model.variables)?;
    let mut km_risk = Vec::new();
    for (set, ids) in [
        ("training", &s_splits.train),
        ("internal", &s_splits.internal),
        ("external", &s_splits.external),
    ] {
        let members: Vec<&Subject> = ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .collect();
        if members.is_empty() {
            continue;
        }
        let baselines: Vec<_> = members.iter().map(|s| &s.baseline).collect();
        let encoded = variables::encode(&vars, &baselines, Some(&s_model.levels));
        let risk = fitted.mortality(&encoded.design.x)?;
        let mut groups: Vec<(String, Vec<&Subject>)> = survival::RISK_GROUPS
            .iter()
            .map(|g| (format!("{g} risk"), Vec::new()))
            .collect();
        for (&row, r) in encoded.rows.iter().zip(&risk) {
            groups[usize::from(*r > s_model.risk_cutoff)]
                .1
                .push(members[row]);
        }
        let summary = figure(
            &format!("km_risk_{set}.svg"),
            &format!("Risk groups, {set} set"),
            groups,
        )?;
        km_risk.push((set, summary));
    }

    let mut md = String::new();
    results_markdown(
        &mut md,
        &benefit_version,
        &survival_version,
        &b_metrics,
        &s_metrics,
    );
    let _ = writeln!(md, "\n## Kaplan–Meier figures\n");
    for (title, file, summary) in [
        ("By treatment", "km_treatment.svg", &km_treatment),
        ("TACE patients by HSP90α", "km_hsp90a_tace.svg", &km_hsp),
        (
            "TACE patients by benefit label",
            "km_benefit.svg",
            &km_benefit,
        ),
    ]
    .into_iter()
    .chain(
        km_risk
            .iter()
            .map(|(set, s)| ("Risk groups", set_file(set), s)),
    ) {
        let _ = writeln!(md, "### {title}{}\n", set_suffix(file));
        let _ = writeln!(md, "![{title}]({file})\n");
        let _ = writeln!(md, "{summary}");
    }
    let path = out.join("results.md");
    fs::write(&path, md).with_context(|| format!("cannot write {}", path.display()))?;
    files.push(path);

    let tables = out.join("metrics.json");
    let json = serde_json::json!({
        "benefit": { "version": benefit_version.id, "metrics": b_metrics },
        "survival": { "version": survival_version.id, "metrics": s_metrics },
    });
    fs::write(&tables, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("cannot write {}", tables.display()))?;
    files.push(tables);
    Ok(Written {
        files,
        benefit_version: benefit_version.id,
        survival_version: survival_version.id,
    })
}

fn set_file(set: &str) -> &'static str {
    match set {
        "training" => "km_risk_training.svg",
        "internal" => "km_risk_internal.svg",
        _ => "km_risk_external.svg",
    }
}

fn set_suffix(file: &str) -> &'static str {
    match file {
        "km_risk_training.svg" => ", training set",
        "km_risk_internal.svg" => ", internal validation set",
        "km_risk_external.svg" => ", external validation set",
        _ => "",
    }
}

fn fmt(e: &Estimate) -> String {
    match (e.value, e.lower, e.upper) {
        (Some(v), Some(l), Some(u)) => format!("{v:.3} ({l:.3}–{u:.3})"),
        (Some(v), _, _) => format!("{v:.3}"),
        _ => format!("not estimable: {}", e.note.as_deref().unwrap_or("no value")),
    }
}

/// Format a median survival time in months, with its interval if known.
fn months(e: &Estimate) -> String {
    match (e.value, e.lower, e.upper) {
        (Some(v), Some(l), Some(u)) => format!("{v:.1} ({l:.1}–{u:.1})"),
        (Some(v), _, _) => format!("{v:.1}"),
        _ => format!("not reached: {}", e.note.as_deref().unwrap_or("no value")),
    }
}

/// Format a p-value for a table.
fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

fn set_c(set: &Option<SetMetrics>) -> String {
    set.as_ref()
        .map_or("no such set".into(), |s| fmt(&s.c_index))
}

fn set_auc(set: &Option<SetMetrics>, k: usize) -> String {
    set.as_ref().map_or("no such set".into(), |s| {
        s.td_auc.get(k).map_or("–".into(), fmt)
    })
}

fn results_markdown(
    md: &mut String,
    benefit: &ModelVersion,
    survival: &ModelVersion,
    b: &BenefitMetrics,
    s: &SurvivalMetrics,
) {
    let _ = writeln!(
        md,
        "# Model results\n\nBenefit model version {} and survival model version {}, fitted on \
         data up to {} (seed {}).\n",
        benefit.id, survival.id, survival.data_cutoff, survival.seed
    );
    let _ = writeln!(md, "## Against the published study\n");
    let _ = writeln!(md, "| quantity | published | this registry |");
    let _ = writeln!(md, "| --- | --- | --- |");
    let _ = writeln!(
        md,
        "| benefit nomogram, validation AUC (95% CI) | {} | {} |",
        published::BENEFIT_AUC_VALIDATION,
        fmt(&b.auc_validation)
    );
    let _ = writeln!(
        md,
        "| median OS, benefit vs non-benefit (months) | {} vs {} | {} vs {} |",
        published::MEDIAN_BENEFIT_MONTHS,
        published::MEDIAN_NON_BENEFIT_MONTHS,
        months(&b.median_os_benefit),
        months(&b.median_os_non_benefit)
    );
    for (k, (name, ours)) in [
        ("training", fmt(&s.train.c_index)),
        ("internal", set_c(&s.internal)),
        ("external", set_c(&s.external)),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = writeln!(
            md,
            "| OS model C-index, {name} | {} | {ours} |",
            published::C_INDEX[k]
        );
    }
    for (k, t) in s.horizons.iter().enumerate() {
        let _ = writeln!(
            md,
            "| time-dependent AUC at {t} months, internal | {} | {} |",
            published::TD_AUC_INTERNAL[k],
            set_auc(&s.internal, k)
        );
        let _ = writeln!(
            md,
            "| time-dependent AUC at {t} months, external | {} | {} |",
            published::TD_AUC_EXTERNAL[k],
            set_auc(&s.external, k)
        );
    }
    let _ = writeln!(
        md,
        "\n## Benefit labels\n\n{} benefit, {} non-benefit, {} undetermined (censored before \
         their expected survival), {} TACE patients without a label for a missing \
         reference-model variable. The nomogram was trained on {} and validated on {} \
         patients; variables: {}.\n",
        b.n_benefit,
        b.n_non_benefit,
        b.n_undetermined,
        b.tace_unlabelled_missing,
        b.n_train,
        b.n_validation,
        b.coefficients
            .iter()
            .skip(1)
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(md, "| term | coefficient | SE | p | odds ratio |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for c in &b.coefficients {
        let _ = writeln!(
            md,
            "| {} | {:.4} | {:.4} | {} | {:.3} |",
            c.name,
            c.coef,
            c.se,
            p_value(c.p),
            c.odds_ratio
        );
    }
    let _ = writeln!(
        md,
        "\n## Overall-survival model\n\nUnivariate screen on the training set (kept at p < \
         {}):\n",
        survival::SCREEN_P
    );
    let _ = writeln!(md, "| variable | patients | deaths | HR | p | kept |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- |");
    for row in &s.screen {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            row.variable,
            row.n,
            row.events,
            row.hazard_ratio.map_or("–".into(), |v| format!("{v:.3}")),
            row.p.map_or(row.note.clone().unwrap_or_default(), p_value),
            if row.kept { "yes" } else { "no" }
        );
    }
    let _ = writeln!(
        md,
        "\nForward stepwise Cox by AIC selected, in order of entry: {} (AIC {:.1}). \
         The forest's out-of-bag C-index is {}.",
        s.selected.join(", "),
        s.stepwise_aic,
        fmt(&s.oob_c_index)
    );
    for note in &s.notes {
        let _ = writeln!(md, "\nNote: {note}.");
    }
    calibration_markdown(md, b, s);
}

/// Calibration of both models: the nomogram on its validation set, the
/// forest's predicted survival against Kaplan–Meier on each set and horizon.
fn calibration_markdown(md: &mut String, b: &BenefitMetrics, s: &SurvivalMetrics) {
    let _ = writeln!(md, "\n## Calibration\n");
    match &b.calibration_validation.value {
        Some(c) => {
            let _ = writeln!(
                md,
                "Benefit nomogram, validation set: calibration intercept {:.3} ({:.3}–{:.3}), \
                 slope {:.3} ({:.3}–{:.3}), Brier score {:.3}.\n",
                c.intercept.estimate,
                c.intercept.lower,
                c.intercept.upper,
                c.slope.estimate,
                c.slope.lower,
                c.slope.upper,
                c.brier
            );
        }
        None => {
            let _ = writeln!(
                md,
                "Benefit nomogram, validation set: not estimable ({}).\n",
                b.calibration_validation.note.as_deref().unwrap_or("")
            );
        }
    }
    let _ = writeln!(
        md,
        "Survival forest, mean predicted S(t) against the Kaplan–Meier S(t) of each set:\n"
    );
    let _ = writeln!(md, "| set | months | predicted | observed (95% CI) |");
    let _ = writeln!(md, "| --- | --- | --- | --- |");
    let sets = [
        ("training", Some(&s.train)),
        ("internal", s.internal.as_ref()),
        ("external", s.external.as_ref()),
    ];
    for (name, set) in sets {
        let Some(set) = set else { continue };
        for (t, c) in s.horizons.iter().zip(&set.calibration) {
            let row = match &c.value {
                Some(c) => format!(
                    "{:.3} | {:.3} ({}–{})",
                    c.mean_predicted,
                    c.observed,
                    c.lower.map_or("–".into(), |v| format!("{v:.3}")),
                    c.upper.map_or("–".into(), |v| format!("{v:.3}"))
                ),
                None => format!("not estimable | {}", c.note.as_deref().unwrap_or("")),
            };
            let _ = writeln!(md, "| {name} | {t} | {row} |");
        }
    }
}

/// Draw Kaplan–Meier curves of the groups and return a Markdown summary
/// (patients, deaths, median with CI, log-rank p).
fn km_figure(
    path: &Path,
    title: &str,
    groups: &[(String, Vec<&Subject>)],
) -> anyhow::Result<String> {
    let groups: Vec<&(String, Vec<&Subject>)> =
        groups.iter().filter(|(_, m)| !m.is_empty()).collect();
    let mut curves = Vec::new();
    let mut summary = String::from("| group | patients | deaths | median OS, months (95% CI) |\n");
    summary.push_str("| --- | --- | --- | --- |\n");
    let mut all_time = Vec::new();
    let mut all_event = Vec::new();
    let mut labels = Vec::new();
    for (name, members) in &groups {
        let time: Vec<f64> = members.iter().map(|s| s.os_months).collect();
        let event: Vec<bool> = members.iter().map(|s| s.os_event).collect();
        let curve = km::kaplan_meier(&time, &event)?;
        let median = match curve.median {
            Some(m) => format!(
                "{m:.1} ({}–{})",
                curve
                    .median_lower
                    .map_or("NR".into(), |v| format!("{v:.1}")),
                curve
                    .median_upper
                    .map_or("NR".into(), |v| format!("{v:.1}"))
            ),
            None => "not reached".into(),
        };
        let _ = writeln!(
            summary,
            "| {name} | {} | {} | {median} |",
            curve.n, curve.events
        );
        all_time.extend(time);
        all_event.extend(event);
        labels.extend(std::iter::repeat_n(name.clone(), members.len()));
        curves.push((name.clone(), curve));
    }
    if groups.len() >= 2 {
        let order: Vec<String> = groups.iter().map(|(n, _)| n.clone()).collect();
        let p = Groups::from_labels(&labels, &order)
            .and_then(|g| logrank(&all_time, &all_event, &g, 0.0))
            .map(|l| p_value(l.p))
            .unwrap_or_else(|e| format!("not estimable ({e})"));
        let _ = writeln!(summary, "\nLog-rank p = {p}.");
    }

    let max_t = 60.0;
    let root = SVGBackend::new(path, (640, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..max_t, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("months")
        .y_desc("overall survival")
        .draw()?;
    let palette = [BLUE, RED, GREEN, MAGENTA];
    for (k, (name, curve)) in curves.iter().enumerate() {
        let color = palette[k % palette.len()];
        let mut points = vec![(0.0, 1.0)];
        let mut level = 1.0;
        for (&t, &s) in curve.time.iter().zip(&curve.surv) {
            if t > max_t {
                break;
            }
            points.push((t, level));
            points.push((t, s));
            level = s;
        }
        points.push((max_t.min(curve.time.last().copied().unwrap_or(0.0)), level));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(summary)
}
