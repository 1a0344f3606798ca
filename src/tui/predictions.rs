//! Model predictions for the rows of the patient list.

use crate::db::PatientSummary;
use crate::tui::app::Shared;

/// Cells of one row: the benefit percentage and the risk group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowCells {
    pub benefit: String,
    pub risk_group: String,
}

/// Predictions of the rows on screen.
#[derive(Debug, Default)]
pub struct RowPrediction;

impl RowPrediction {
    /// The cells of each row, in row order.
    pub fn for_rows(&mut self, _shared: &Shared, rows: &[PatientSummary]) -> Vec<RowCells> {
        rows.iter()
            .map(|_| RowCells {
                benefit: "·".into(),
                risk_group: "·".into(),
            })
            .collect()
    }
}
