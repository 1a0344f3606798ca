//! The predictions tab of the patient screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph};

use crate::db::StoredPatient;
use crate::tui::app::Shared;

/// Predictions of one patient.
#[derive(Debug, Default)]
pub struct PredictionPanel {
    top: usize,
}

impl PredictionPanel {
    pub fn scroll(&mut self, delta: i64) {
        self.top = self.top.saturating_add_signed(delta as isize);
    }

    pub fn clear(&mut self) {
        self.top = 0;
    }

    pub fn render(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        _shared: &mut Shared,
        _patient: &StoredPatient,
    ) {
        frame.render_widget(
            Paragraph::new("No model is available.")
                .block(Block::bordered().title(" Predictions ")),
            area,
        );
    }
}
