//! Model predictions for the rows of the patient list: benefit percentage
//! and risk group, from the active models parsed once, kept per patient
//! until the patient or the active models change.

use std::collections::HashMap;

use crate::db::PatientSummary;
use crate::tui::app::Shared;
use crate::tui::format;

/// The text of a cell with no prediction (no active model, or a model
/// variable missing for the patient).
pub const NO_PREDICTION: &str = "·";

/// Cells of one row: the benefit percentage and the risk group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowCells {
    pub benefit: String,
    pub risk_group: String,
}

/// Predictions of the rows shown so far.
#[derive(Debug, Default)]
pub struct RowPrediction {
    /// Models version the cache belongs to.
    models_version: u64,
    /// Cells by study id, with the row version they were computed for.
    cells: HashMap<String, (i64, RowCells)>,
}

impl RowPrediction {
    /// Return the cells of each row, in row order. Rows not seen before
    /// are predicted in one batch.
    pub fn for_rows(&mut self, shared: &mut Shared, rows: &[PatientSummary]) -> Vec<RowCells> {
        if self.models_version != shared.models_version {
            self.cells.clear();
            self.models_version = shared.models_version;
        }
        let missing: Vec<&PatientSummary> = rows
            .iter()
            .filter(|r| {
                self.cells
                    .get(&r.study_id)
                    .is_none_or(|(version, _)| *version != r.row_version)
            })
            .collect();
        if !missing.is_empty() {
            self.predict(shared, &missing);
        }
        rows.iter()
            .map(|r| {
                self.cells
                    .get(&r.study_id)
                    .map(|(_, cells)| cells.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn predict(&mut self, shared: &mut Shared, rows: &[&PatientSummary]) {
        let mut baselines = Vec::with_capacity(rows.len());
        for row in rows {
            match shared.registry.patient(&row.study_id) {
                Ok(Some(stored)) => baselines.push(Some(stored.record.baseline)),
                _ => baselines.push(None),
            }
        }
        let models = shared.active_models();
        let known: Vec<&crate::domain::Baseline> = baselines.iter().flatten().collect();
        let groups = models
            .risk_groups(&known)
            .unwrap_or_else(|_| vec![None; known.len()]);
        let mut groups = groups.into_iter();
        for (row, baseline) in rows.iter().zip(&baselines) {
            let cells = match baseline {
                Some(baseline) => RowCells {
                    benefit: models
                        .benefit(baseline)
                        .map_or(NO_PREDICTION.to_string(), |p| {
                            format::percent(p.probability)
                        }),
                    risk_group: groups.next().flatten().unwrap_or(NO_PREDICTION).to_string(),
                },
                None => RowCells {
                    benefit: NO_PREDICTION.to_string(),
                    risk_group: NO_PREDICTION.to_string(),
                },
            };
            self.cells
                .insert(row.study_id.clone(), (row.row_version, cells));
        }
    }
}
