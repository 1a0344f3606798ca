//! Model versions: the active and candidate versions with their metrics.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph};

use crate::tui::app::{Action, Outcome, SECTION_BINDINGS, Shared};
use crate::tui::keymap::Binding;

static BINDINGS: [Binding<Action>; 5] = SECTION_BINDINGS;

/// What a finished refit reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefitSummary {
    pub lines: Vec<String>,
}

/// Record a finished refit.
pub fn refit_finished(shared: &mut Shared, result: Result<RefitSummary, String>) {
    shared.models_version += 1;
    if let Err(error) = result {
        shared.show_message("Refit failed", vec![error]);
    }
}

/// The models screen.
#[derive(Default)]
pub struct ModelsScreen;

impl ModelsScreen {
    pub fn new() -> Self {
        Self
    }

    pub fn title(&self) -> String {
        "Models".to_string()
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        &BINDINGS
    }

    pub fn handle_key(&mut self, _key: &KeyEvent, _shared: &mut Shared) -> Option<Outcome> {
        None
    }

    pub fn handle(&mut self, action: Action, _shared: &mut Shared) -> Outcome {
        match action {
            Action::Back => Outcome::Back,
            _ => Outcome::Stay,
        }
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {}

    pub fn render(&mut self, frame: &mut Frame, area: Rect, _shared: &mut Shared) {
        frame.render_widget(
            Paragraph::new("No model versions.").block(Block::bordered().title(" Models ")),
            area,
        );
    }
}
