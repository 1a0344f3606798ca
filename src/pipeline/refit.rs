//! A refit: both pipelines on the registry as of a cut-off date, each result
//! stored as a model version, optionally promoted.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::benefit::{self, BenefitConfig, BenefitFit};
use super::progress::Progress;
use super::survival::{self, SurvivalConfig, SurvivalFit};
use super::versions::{self, FittedParts, ModelKind, NewVersion, VersionStatus};
use super::{PipelineError, Subject};
use crate::db::{self, DbError, Registry};
use crate::domain::Treatment;
use crate::domain::derived::overall_survival;

/// Settings of one refit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefitOptions {
    /// Follow-up contacts after this date are ignored.
    pub as_of: NaiveDate,
    pub benefit: BenefitConfig,
    pub survival: SurvivalConfig,
    /// Make the new versions active when they can be.
    pub promote: bool,
}

/// What became of one pipeline in a refit.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineOutcome<T> {
    pub version: i64,
    pub status: VersionStatus,
    /// The fit, or why it failed.
    pub fit: Result<T, String>,
    /// Why a requested promotion did not happen.
    pub not_promoted: Option<String>,
}

impl<T> PipelineOutcome<T> {
    pub fn succeeded(&self) -> bool {
        self.fit.is_ok()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefitReport {
    pub patients: usize,
    pub benefit: PipelineOutcome<BenefitFit>,
    pub survival: PipelineOutcome<SurvivalFit>,
}

/// Why a refit could not run at all (as opposed to a pipeline that failed,
/// which is stored as a failed version).
#[derive(Debug, thiserror::Error)]
pub enum RefitError {
    #[error(
        "another refit of {path} is running (lock file {lock}); wait for it to finish, or \
         pass --wait to queue behind it"
    )]
    Locked { path: String, lock: String },
    #[error("cannot use the refit lock file {lock}: {source}")]
    LockFile {
        lock: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the refit was cancelled; no model version was written")]
    Cancelled,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot write the model version: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot serialise the fitted model: {0}")]
    Json(#[from] serde_json::Error),
}

/// An exclusive lock on a registry's refit, held until dropped.
#[derive(Debug)]
pub struct RefitLock {
    _file: File,
    pub path: PathBuf,
}

/// Take the refit lock of the registry at `db_path`: with `wait`, block
/// until another refit releases it; without, fail at once.
pub fn lock(db_path: &Path, wait: bool) -> Result<RefitLock, RefitError> {
    let mut name = db_path.as_os_str().to_owned();
    name.push(".refit.lock");
    let path = PathBuf::from(name);
    let lock_error = |source| RefitError::LockFile {
        lock: path.display().to_string(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(lock_error)?;
    if wait {
        file.lock().map_err(lock_error)?;
    } else {
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(RefitError::Locked {
                    path: db_path.display().to_string(),
                    lock: path.display().to_string(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(lock_error(e)),
        }
    }
    Ok(RefitLock { _file: file, path })
}

/// The registry's patients as the models see them on `as_of`: not withdrawn,
/// treated on or before that date, sorted by study id.
pub fn subjects(registry: &Registry, as_of: NaiveDate) -> Result<Vec<Subject>, DbError> {
    let mut out: Vec<Subject> = registry
        .analysis_patients()?
        .into_iter()
        .filter(|p| p.record.treatment_start <= as_of)
        .map(|p| {
            let os = overall_survival(p.record.treatment_start, &p.followups, Some(as_of));
            Subject {
                study_id: p.record.study_id,
                external: p.record.center_external,
                treatment: p.record.treatment,
                baseline: p.record.baseline,
                os_months: os.months,
                os_event: os.event,
            }
        })
        .collect();
    out.sort_by(|a, b| a.study_id.cmp(&b.study_id));
    Ok(out)
}

/// Run both pipelines and store their versions in one transaction.
pub fn refit(
    registry: &mut Registry,
    options: &RefitOptions,
    progress: &dyn Progress,
) -> Result<RefitReport, RefitError> {
    let cohort = subjects(registry, options.as_of)?;
    let benefit_result = benefit::fit(&cohort, &options.benefit, progress);
    if matches!(benefit_result, Err(PipelineError::Cancelled)) {
        return Err(cancelled());
    }
    let survival_result = survival::fit(&cohort, &options.survival, progress);
    if matches!(survival_result, Err(PipelineError::Cancelled)) {
        return Err(cancelled());
    }
    let user = registry.user().to_string();
    let created_at = db::now_timestamp();
    let cutoff = options.as_of.to_string();
    let count = |treatment: Option<Treatment>| {
        let members = cohort
            .iter()
            .filter(|s| treatment.is_none_or(|t| s.treatment == t));
        let events = members.clone().filter(|s| s.os_event).count();
        (members.count() as u64, events as u64)
    };
    let (all_patients, all_events) = count(None);
    let (tace_patients, tace_events) = count(Some(Treatment::Tace));

    let benefit_version = NewVersion {
        kind: ModelKind::Benefit,
        created_at: created_at.clone(),
        created_by: user.clone(),
        data_cutoff: cutoff.clone(),
        seed: options.benefit.seed,
        patients: all_patients,
        events: all_events,
        parameters: serde_json::to_string(&options.benefit)?,
        outcome: match &benefit_result {
            Ok(fit) => Ok(FittedParts {
                splits: serde_json::to_string(&fit.splits)?,
                model: serde_json::to_string(&fit.model)?,
                metrics: serde_json::to_string(&fit.metrics)?,
            }),
            Err(e) => Err(e.to_string()),
        },
    };
    let survival_version = NewVersion {
        kind: ModelKind::Survival,
        created_at: created_at.clone(),
        created_by: user.clone(),
        data_cutoff: cutoff,
        seed: options.survival.seed,
        patients: tace_patients,
        events: tace_events,
        parameters: serde_json::to_string(&options.survival)?,
        outcome: match &survival_result {
            Ok(fit) => Ok(FittedParts {
                splits: serde_json::to_string(&fit.splits)?,
                model: serde_json::to_string(&fit.model)?,
                metrics: serde_json::to_string(&fit.metrics)?,
            }),
            Err(e) => Err(e.to_string()),
        },
    };

    let tx = registry.write_transaction()?;
    let benefit_id = versions::insert(&tx, &benefit_version)?;
    let survival_id = versions::insert(&tx, &survival_version)?;
    let mut outcomes = [
        (
            benefit_id,
            benefit_result.as_ref().err().map(|e| e.to_string()),
            None,
        ),
        (
            survival_id,
            survival_result.as_ref().err().map(|e| e.to_string()),
            None,
        ),
    ];
    if options.promote {
        let blocking = [
            benefit_result.as_ref().ok().and_then(benefit_blocking),
            survival_result.as_ref().ok().and_then(survival_blocking),
        ];
        for ((id, failure, not_promoted), blocking) in outcomes.iter_mut().zip(blocking) {
            if failure.is_some() {
                *not_promoted = Some("the fit failed".to_string());
                continue;
            }
            match versions::promote(&tx, *id, &user, &created_at, blocking) {
                Ok(version) => db::record_audit(
                    &tx,
                    &user,
                    "promote_model",
                    None,
                    None::<&()>,
                    Some(&serde_json::json!({
                        "model_version": version.id,
                        "kind": version.kind.as_str(),
                    })),
                )?,
                Err(versions::PromoteError::Sql(e)) => return Err(e.into()),
                Err(e) => *not_promoted = Some(e.to_string()),
            }
        }
    }
    tx.commit().map_err(DbError::from)?;
    let status_of = |id: i64| -> Result<VersionStatus, RefitError> {
        Ok(versions::get(registry.connection(), id)?
            .map(|v| v.status)
            .unwrap_or(VersionStatus::Failed))
    };
    let [(b_id, _, b_not), (s_id, _, s_not)] = outcomes;
    Ok(RefitReport {
        patients: cohort.len(),
        benefit: PipelineOutcome {
            version: b_id,
            status: status_of(b_id)?,
            fit: benefit_result.map_err(|e| e.to_string()),
            not_promoted: b_not,
        },
        survival: PipelineOutcome {
            version: s_id,
            status: status_of(s_id)?,
            fit: survival_result.map_err(|e| e.to_string()),
            not_promoted: s_not,
        },
    })
}

fn cancelled() -> RefitError {
    RefitError::Cancelled
}

/// Why a benefit version must not become active, if it must not.
pub fn benefit_blocking(fit: &BenefitFit) -> Option<String> {
    let auc = &fit.metrics.auc_validation;
    (!auc.is_estimable()).then(|| {
        format!(
            "validation AUC: {}",
            auc.note.clone().unwrap_or_else(|| "not estimable".into())
        )
    })
}

/// Why a survival version must not become active, if it must not.
pub fn survival_blocking(fit: &SurvivalFit) -> Option<String> {
    let m = &fit.metrics;
    let mut sets = vec![("internal", m.internal.as_ref())];
    if !fit.splits.external.is_empty() {
        sets.push(("external", m.external.as_ref()));
    }
    for (name, set) in sets {
        let Some(set) = set else {
            return Some(format!("the {name} validation set has no complete cases"));
        };
        if let Some(note) = &set.c_index.note {
            return Some(format!("{name} C-index: {note}"));
        }
        for (t, auc) in m.horizons.iter().zip(&set.td_auc) {
            if let Some(note) = &auc.note {
                return Some(format!("{name} AUC at {t} months: {note}"));
            }
        }
    }
    None
}
