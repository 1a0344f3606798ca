//! Predictions for one patient from the active model versions.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::benefit::{self, BenefitModel, VariablePoints};
use super::survival::{self, HORIZONS_MONTHS, SurvivalModel};
use super::versions::{self, ModelKind, ModelVersion};
use crate::domain::Baseline;

/// The benefit prediction as shown and printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenefitOutput {
    pub probability: f64,
    pub lower: f64,
    pub upper: f64,
    pub total_points: f64,
    pub model_version: i64,
    pub points: Vec<VariablePoints>,
}

/// The survival prediction as shown and printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalOutput {
    pub risk_score: f64,
    pub risk_group: String,
    pub s12: Option<f64>,
    pub s24: Option<f64>,
    pub s36: Option<f64>,
    pub model_version: i64,
    /// The predicted curve, months and survival.
    pub curve_time: Vec<f64>,
    pub curve_survival: Vec<f64>,
}

/// Both predictions for one patient; each is the prediction or the reason
/// there is none (no active model, a missing variable).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub benefit: Result<BenefitOutput, String>,
    pub survival: Result<SurvivalOutput, String>,
}

fn active_model<T: for<'de> Deserialize<'de>>(
    conn: &Connection,
    kind: ModelKind,
) -> Result<(ModelVersion, T), String> {
    let version = versions::active(conn, kind)
        .map_err(|e| format!("cannot read the model versions: {e}"))?
        .ok_or_else(|| {
            format!("there is no active {kind} model; run `tace-registry refit --promote` first")
        })?;
    let text = version
        .model
        .as_deref()
        .ok_or_else(|| format!("active {kind} model version {} has no model", version.id))?;
    let model = serde_json::from_str(text).map_err(|e| {
        format!(
            "active {kind} model version {} cannot be read ({e}); refit and promote again",
            version.id
        )
    })?;
    Ok((version, model))
}

/// Predict both outcomes for a baseline from the active versions.
pub fn predict(conn: &Connection, baseline: &Baseline) -> Prediction {
    let benefit =
        active_model::<BenefitModel>(conn, ModelKind::Benefit).and_then(|(version, model)| {
            benefit::predict(&model, baseline)
                .map(|p| BenefitOutput {
                    probability: p.probability,
                    lower: p.lower,
                    upper: p.upper,
                    total_points: p.total_points,
                    model_version: version.id,
                    points: p.points,
                })
                .map_err(|e| e.to_string())
        });
    let survival =
        active_model::<SurvivalModel>(conn, ModelKind::Survival).and_then(|(version, model)| {
            survival::predict(&model, baseline)
                .map(|p| {
                    debug_assert_eq!(p.survival_at.len(), HORIZONS_MONTHS.len());
                    SurvivalOutput {
                        risk_score: p.risk_score,
                        risk_group: p.risk_group,
                        s12: p.survival_at[0],
                        s24: p.survival_at[1],
                        s36: p.survival_at[2],
                        model_version: version.id,
                        curve_time: p.curve_time,
                        curve_survival: p.curve_survival,
                    }
                })
                .map_err(|e| e.to_string())
        });
    Prediction { benefit, survival }
}
