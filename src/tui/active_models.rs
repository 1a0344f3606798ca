//! The active model versions, read and parsed once, for predictions of
//! many patients at a time (the rows of the patient list, the cohort's
//! model-derived groups).
//!
//! [`crate::pipeline::predict::predict`] reads and parses the active
//! versions on every call, which takes tens of milliseconds for a 500-tree
//! forest. The patient screen uses it for one patient, and the lists use
//! this cache instead. The risk group follows
//! [`crate::pipeline::survival::predict`]: the ensemble mortality of the
//! encoded baseline against the model's stored cut-off.

use rusqlite::Connection;

use crate::domain::Baseline;
use crate::pipeline::benefit::{self, BenefitModel, BenefitPrediction};
use crate::pipeline::survival::{RISK_GROUPS, SurvivalModel};
use crate::pipeline::variables;
use crate::pipeline::versions::{self, ModelKind};
use crate::stats::forest::{self, SurvivalForest};

/// The active benefit model and its version id.
pub struct ActiveBenefit {
    pub version: i64,
    pub model: BenefitModel,
}

/// The active survival model, its parsed forest and its version id.
pub struct ActiveSurvival {
    pub version: i64,
    pub model: SurvivalModel,
    pub forest: SurvivalForest,
}

/// Both active models, or why each is unavailable.
pub struct ActiveModels {
    pub benefit: Result<ActiveBenefit, String>,
    pub survival: Result<ActiveSurvival, String>,
}

fn active_json(conn: &Connection, kind: ModelKind) -> Result<(i64, String), String> {
    let version = versions::active(conn, kind)
        .map_err(|e| format!("cannot read the model versions: {e}"))?
        .ok_or_else(|| {
            format!("no active {kind} model (refit and promote on the models screen)")
        })?;
    let text = version
        .model
        .ok_or_else(|| format!("active {kind} model version {} has no model", version.id))?;
    Ok((version.id, text))
}

impl ActiveModels {
    /// Read and parse the active versions.
    pub fn load(conn: &Connection) -> Self {
        let benefit = active_json(conn, ModelKind::Benefit).and_then(|(version, text)| {
            serde_json::from_str(&text)
                .map(|model| ActiveBenefit { version, model })
                .map_err(|e| format!("benefit model version {version} cannot be read: {e}"))
        });
        let survival = active_json(conn, ModelKind::Survival).and_then(|(version, text)| {
            let model: SurvivalModel = serde_json::from_str(&text)
                .map_err(|e| format!("survival model version {version} cannot be read: {e}"))?;
            let forest = forest::from_json(&model.forest)
                .map_err(|e| format!("survival model version {version} cannot be read: {e}"))?;
            Ok(ActiveSurvival {
                version,
                model,
                forest,
            })
        });
        Self { benefit, survival }
    }

    /// Predict the TACE benefit of one baseline.
    ///
    /// # Errors
    ///
    /// Why there is none: no active model, or a model variable missing.
    pub fn benefit(&self, baseline: &Baseline) -> Result<BenefitPrediction, String> {
        let active = self.benefit.as_ref().map_err(Clone::clone)?;
        benefit::predict(&active.model, baseline).map_err(|e| e.to_string())
    }

    /// Predict the risk group of each baseline, `None` where a selected
    /// variable is missing.
    ///
    /// # Errors
    ///
    /// Why there are none: no active model, or a forest that rejects the
    /// encoded rows.
    pub fn risk_groups(
        &self,
        baselines: &[&Baseline],
    ) -> Result<Vec<Option<&'static str>>, String> {
        let active = self.survival.as_ref().map_err(Clone::clone)?;
        let vars = variables::lookup_all(&active.model.variables).map_err(|e| e.to_string())?;
        let encoded = variables::encode(&vars, baselines, Some(&active.model.levels));
        let mut groups = vec![None; baselines.len()];
        if encoded.rows.is_empty() {
            return Ok(groups);
        }
        let risk = active
            .forest
            .mortality(&encoded.design.x)
            .map_err(|e| e.to_string())?;
        for (&row, score) in encoded.rows.iter().zip(risk) {
            groups[row] = Some(RISK_GROUPS[usize::from(score > active.model.risk_cutoff)]);
        }
        Ok(groups)
    }
}
