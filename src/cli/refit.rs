//! `tace-registry refit`: both pipelines on the registry, each result stored
//! as a model version; meant to run by hand or from cron.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use serde_json::json;

use crate::db::{Registry, local_today};
use crate::pipeline::benefit::BenefitConfig;
use crate::pipeline::estimate::Estimate;
use crate::pipeline::progress::Progress;
use crate::pipeline::refit::{self, RefitOptions, RefitReport};
use crate::pipeline::survival::SurvivalConfig;
use crate::pipeline::{DEFAULT_SEED, variables};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data cut-off (YYYY-MM-DD): follow-ups after it are ignored
    /// [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Seed of the splits and the forest.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Make the new versions active when every required metric is estimable.
    #[arg(long)]
    pub promote: bool,
    /// Wait for another running refit instead of exiting.
    #[arg(long)]
    pub wait: bool,
    /// Nomogram variables, by CSV column
    /// [default: hsp90a_ng_ml,bclc,tumor_size_cm].
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub benefit_variables: Option<Vec<String>>,
    /// Variables of the Cox reference model on non-TACE patients, by CSV
    /// column [default: every baseline variable].
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub reference_variables: Option<Vec<String>>,
    /// Candidates of the overall-survival screen, by CSV column
    /// [default: every baseline variable].
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub os_candidates: Option<Vec<String>>,
    /// Trees of the survival forest.
    #[arg(long, default_value_t = 500)]
    pub trees: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Progress as log lines on stderr, at most one per second per step.
struct StderrProgress {
    last: Mutex<Option<(String, Instant)>>,
}

impl Progress for StderrProgress {
    fn report(&self, done: u64, total: u64, label: &str) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let due = match &*last {
            Some((previous, at)) => previous != label || at.elapsed() >= Duration::from_secs(1),
            None => true,
        };
        if due {
            eprintln!("refit: {label} ({done}/{total})");
            *last = Some((label.to_string(), Instant::now()));
        }
    }

    fn is_cancelled(&self) -> bool {
        false
    }
}

pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(local_today);
    let mut benefit = BenefitConfig::with_seed(args.seed);
    if let Some(list) = args.benefit_variables {
        variables::lookup_all(&list)?;
        benefit.variables = list;
    }
    if let Some(list) = args.reference_variables {
        variables::lookup_all(&list)?;
        benefit.reference_variables = list;
    }
    let mut survival = SurvivalConfig::with_seed(args.seed);
    survival.trees = args.trees;
    if let Some(list) = args.os_candidates {
        variables::lookup_all(&list)?;
        survival.candidates = list;
    }
    let options = RefitOptions {
        as_of,
        benefit,
        survival,
        promote: args.promote,
    };
    let _lock = refit::lock(&db, args.wait)?;
    let mut registry =
        Registry::open(&db).with_context(|| format!("cannot open {}", db.display()))?;
    eprintln!("refit: {} as of {as_of}, seed {}", db.display(), args.seed);
    let progress = StderrProgress {
        last: Mutex::new(None),
    };
    let report = refit::refit(&mut registry, &options, &progress)?;
    if args.json {
        super::print_stdout(&serde_json::to_string_pretty(&summary_json(&report))?)?;
    } else {
        super::print_stdout(&summary_line(&report))?;
    }
    for (name, failure) in [
        ("benefit", report.benefit.fit.as_ref().err()),
        ("survival", report.survival.fit.as_ref().err()),
    ] {
        if let Some(reason) = failure {
            eprintln!("refit: the {name} model could not be fitted: {reason}");
        }
    }
    for (name, reason) in [
        ("benefit", &report.benefit.not_promoted),
        ("survival", &report.survival.not_promoted),
    ] {
        if let Some(reason) = reason {
            eprintln!("refit: the {name} version was not promoted: {reason}");
        }
    }
    if !report.benefit.succeeded() || !report.survival.succeeded() {
        anyhow::bail!(
            "refit stored a failed model version; the reasons are above, and the active \
             versions are unchanged"
        );
    }
    Ok(())
}

fn number(e: &Estimate) -> String {
    e.value
        .map(|v| format!("{v:.3}"))
        .unwrap_or_else(|| "n/a".into())
}

/// One line for cron mail and logs.
fn summary_line(report: &RefitReport) -> String {
    let benefit = match &report.benefit.fit {
        Ok(fit) => {
            let m = &fit.metrics;
            format!(
                "benefit v{} {}: validation AUC {} ({}-{}), labels {} benefit / {} non-benefit / \
                 {} undetermined",
                report.benefit.version,
                report.benefit.status,
                number(&m.auc_validation),
                m.auc_validation
                    .lower
                    .map_or("n/a".into(), |v| format!("{v:.3}")),
                m.auc_validation
                    .upper
                    .map_or("n/a".into(), |v| format!("{v:.3}")),
                m.n_benefit,
                m.n_non_benefit,
                m.n_undetermined
            )
        }
        Err(_) => format!("benefit v{} failed", report.benefit.version),
    };
    let survival = match &report.survival.fit {
        Ok(fit) => {
            let m = &fit.metrics;
            let c = |set: &Option<crate::pipeline::survival::SetMetrics>| {
                set.as_ref()
                    .map_or("none".to_string(), |s| number(&s.c_index))
            };
            format!(
                "survival v{} {}: selected {}, C-index {} / {} / {} (train / internal / external)",
                report.survival.version,
                report.survival.status,
                m.selected.join(","),
                number(&m.train.c_index),
                c(&m.internal),
                c(&m.external)
            )
        }
        Err(_) => format!("survival v{} failed", report.survival.version),
    };
    format!("{} patients; {benefit}; {survival}", report.patients)
}

/// The JSON summary: the keys cron jobs and scripts rely on.
pub fn summary_json(report: &RefitReport) -> serde_json::Value {
    let benefit = match &report.benefit.fit {
        Ok(fit) => {
            let m = &fit.metrics;
            json!({
                "version": report.benefit.version,
                "status": report.benefit.status.as_str(),
                "n_benefit": m.n_benefit,
                "n_non_benefit": m.n_non_benefit,
                "n_undetermined": m.n_undetermined,
                "auc_validation": m.auc_validation.value,
                "auc_validation_lower": m.auc_validation.lower,
                "auc_validation_upper": m.auc_validation.upper,
                "variables": fit.model.variables,
                "not_promoted": report.benefit.not_promoted,
            })
        }
        Err(reason) => json!({
            "version": report.benefit.version,
            "status": "failed",
            "failure": reason,
        }),
    };
    let survival = match &report.survival.fit {
        Ok(fit) => {
            let m = &fit.metrics;
            let c = |set: &Option<crate::pipeline::survival::SetMetrics>| {
                set.as_ref().and_then(|s| s.c_index.value)
            };
            let auc = |set: &Option<crate::pipeline::survival::SetMetrics>| {
                let mut map = serde_json::Map::new();
                for (k, t) in m.horizons.iter().enumerate() {
                    let value = set
                        .as_ref()
                        .and_then(|s| s.td_auc.get(k))
                        .and_then(|e| e.value);
                    map.insert(format!("{t}"), json!(value));
                }
                serde_json::Value::Object(map)
            };
            json!({
                "version": report.survival.version,
                "status": report.survival.status.as_str(),
                "univariate_kept": m.univariate_kept,
                "selected": m.selected,
                "c_index": {
                    "train": m.train.c_index.value,
                    "internal": c(&m.internal),
                    "external": c(&m.external),
                },
                "td_auc": {
                    "internal": auc(&m.internal),
                    "external": auc(&m.external),
                },
                "notes": m.notes,
                "not_promoted": report.survival.not_promoted,
            })
        }
        Err(reason) => json!({
            "version": report.survival.version,
            "status": "failed",
            "failure": reason,
        }),
    };
    json!({ "patients": report.patients, "benefit": benefit, "survival": survival })
}
