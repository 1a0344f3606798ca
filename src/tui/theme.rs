//! Styles of the interface, chosen from the 16 basic colours so that they
//! stay readable on any terminal, with bold and reverse video doing most of
//! the work.

use ratatui::style::{Color, Modifier, Style};

/// Title bars and headings.
pub fn title() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

/// Style of the bar at the top with the screen title.
pub fn title_bar() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// The selected row of a table or field of a form.
pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// Table headers.
pub fn header() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// Error messages and invalid fields.
pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// Warnings that need confirmation (soft-range values).
pub fn warning() -> Style {
    Style::default().fg(Color::Yellow)
}

/// Confirmations of completed actions.
pub fn success() -> Style {
    Style::default().fg(Color::Green)
}

/// Secondary text: units, missing values, hints.
pub fn muted() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// The footer with the keys of the current screen.
pub fn footer() -> Style {
    Style::default().fg(Color::Black).bg(Color::Gray)
}

/// Colours of successive curves in a chart.
pub const SERIES: [Color; 4] = [Color::Cyan, Color::Yellow, Color::Magenta, Color::Green];
