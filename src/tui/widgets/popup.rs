//! Centred popups: the key help of a screen, confirmations and messages.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::keymap::Binding;
use crate::tui::theme;

/// A rectangle of at most `width` × `height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// The help popup listing every binding of a screen.
pub fn render_help<A: Copy>(frame: &mut Frame, area: Rect, screen: &str, bindings: &[Binding<A>]) {
    let key_width = bindings
        .iter()
        .map(|b| b.key_label.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = bindings
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<key_width$}  ", b.key_label), theme::title()),
                Span::raw(b.description),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled("Esc or ? closes this help", theme::muted()));
    let height = lines.len() as u16 + 2;
    let popup = centered(area, 60, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!(" Keys: {screen} ")))
            .wrap(Wrap { trim: false }),
        popup,
    );
}

/// A message or question in a bordered box.
pub fn render_message(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>) {
    let height = lines.len() as u16 + 2;
    let popup = centered(area, 64, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!(" {title} ")))
            .wrap(Wrap { trim: false }),
        popup,
    );
}
