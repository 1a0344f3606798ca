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

/// The help popup listing every binding of a screen, in two columns when
/// one column does not fit the height of `area`.
pub fn render_help<A: Copy>(frame: &mut Frame, area: Rect, screen: &str, bindings: &[Binding<A>]) {
    let key_width = bindings
        .iter()
        .map(|b| b.key_label.chars().count())
        .max()
        .unwrap_or(0);
    let item = |b: &Binding<A>| -> Vec<Span<'static>> {
        vec![
            Span::styled(format!("{:<key_width$}  ", b.key_label), theme::title()),
            Span::raw(b.description),
        ]
    };
    // Border (2), a blank line and the closing hint take four rows.
    let available = usize::from(area.height.saturating_sub(4)).max(1);
    let columns = if bindings.len() > available { 2 } else { 1 };
    let per_column = bindings.len().div_ceil(columns);
    let longest = bindings
        .iter()
        .map(|b| key_width + 2 + b.description.chars().count())
        .max()
        .unwrap_or(20);
    let needed = (longest + 2) * columns + 2;
    let width = u16::try_from(needed).unwrap_or(u16::MAX).min(area.width);
    let column_width = usize::from(width.saturating_sub(2)) / columns;
    let mut lines: Vec<Line> = (0..per_column)
        .map(|row| {
            let mut spans = Vec::new();
            for column in 0..columns {
                let Some(binding) = bindings.get(column * per_column + row) else {
                    continue;
                };
                let mut cell = item(binding);
                if column + 1 < columns {
                    let used: usize = cell.iter().map(|s| s.width()).sum();
                    cell.push(Span::raw(" ".repeat(column_width.saturating_sub(used))));
                }
                spans.extend(cell);
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled("Esc or ? closes this help", theme::muted()));
    let height = lines.len() as u16 + 2;
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(format!(" Keys: {screen} "))),
        popup,
    );
}

/// A message or question in a bordered box.
pub fn render_message(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>) {
    let width = 64.min(area.width);
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!(" {title} ")))
            .wrap(Wrap { trim: false }),
        popup,
    );
}

/// Rows that `lines` take when wrapped at `width` columns, with one spare
/// row per wrapped line because word wrapping can break earlier than the
/// width.
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|line| {
            let w = line.width();
            if w <= width { 1 } else { w.div_ceil(width) + 1 }
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}
